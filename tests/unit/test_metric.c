/*
 * test_metric.c - counter semantics of the metric engine: wrap, reset,
 * reboot, speed cap, missed polls, first sample.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "collector/metric.h"

#define MAXROWS 64
static struct metric_row rows[MAXROWS];
static int nrows;
static struct metric_engine *me;

static void sink(void *arg, const struct metric_row *r)
{
	(void)arg;
	cr_assert_lt(nrows, MAXROWS);
	rows[nrows++] = *r;
}

static void setup(void)
{
	double cap[2] = {0, 100}; /* slot 1: contracted 100 Mbps */

	nrows = 0;
	me = metric_engine_create(2, sink, NULL);
	cr_assert_not_null(me);
	cr_assert_eq(metric_engine_device_setup(me, 0, 2, cap), 0);
}

static void teardown(void)
{
	metric_engine_destroy(me);
}

TestSuite(metric, .init = setup, .fini = teardown);

static void feed(uint16_t metric, int slot, uint8_t kind, uint8_t width,
		 uint64_t v, double t)
{
	struct sample s;

	memset(&s, 0, sizeof(s));
	s.device = 0;
	s.ifslot = slot;
	s.metric = metric;
	s.kind = kind;
	s.width = width;
	s.status = POLL_OK;
	s.value = v;
	s.t = t;
	metric_engine_feed(me, &s);
}

/* One poll of device 0: uptime (ticks), octets on slot 0 at speed Mbps. */
static void poll(double t, uint64_t uptime, uint64_t in, uint64_t out,
		 uint8_t width, uint64_t speed)
{
	feed(M_DEV_REACH, -1, SAMPLE_STATUS, 0, 1, t);
	feed(M_DEV_UPTIME, -1, SAMPLE_GAUGE, 0, uptime, t);
	feed(M_IF_SPEED, 0, SAMPLE_GAUGE, 0, speed * 1000000, t);
	feed(M_IF_OPER, 0, SAMPLE_STATUS, 0, 1, t);
	feed(M_IF_IN_OCTETS, 0, SAMPLE_COUNTER, width, in, t);
	feed(M_IF_OUT_OCTETS, 0, SAMPLE_COUNTER, width, out, t);
	feed(0, -1, SAMPLE_END, 0, 0, t);
}

static const struct metric_row *if_row(int slot)
{
	for (int i = nrows - 1; i >= 0; i--)
		if (rows[i].ifslot == slot)
			return &rows[i];
	return NULL;
}

static uint64_t discards(enum discard_reason r)
{
	uint64_t d[DISCARD_COUNT];

	metric_engine_discards(me, d);
	return d[r];
}

Test(metric, first_sample_gives_no_rate)
{
	poll(1000, 100, 5000, 7000, 64, 1000);
	cr_assert(isnan(if_row(0)->ifr.in_bps));
	cr_assert(isnan(if_row(0)->ifr.out_bps));
	cr_assert_eq(if_row(0)->ifr.oper, 1.0);
	cr_assert_eq(discards(DISCARD_FIRST), 2);
	cr_assert_eq(if_row(-1)->dev.reach, 1.0);
}

Test(metric, rate_is_bits_per_second)
{
	poll(1000, 100, 0, 0, 64, 1000);
	poll(1060, 6100, 7500000, 750000, 64, 1000);
	cr_assert_float_eq(if_row(0)->ifr.in_bps, 1e6, 1e-6);
	cr_assert_float_eq(if_row(0)->ifr.out_bps, 1e5, 1e-6);
}

Test(metric, counter32_wraps_at_2_pow_32)
{
	uint64_t before = 4294967296ULL - 1000;

	poll(1000, 100, before, 0, 32, 1000);
	poll(1010, 1100, 9000, 0, 32, 1000); /* 10000 bytes in 10 s */
	cr_assert_float_eq(if_row(0)->ifr.in_bps, 8000.0, 1e-9);
	cr_assert_eq(discards(DISCARD_RESET), 0);
}

Test(metric, counter64_going_back_is_a_reset_not_a_wrap)
{
	poll(1000, 100, 5000000000ULL, 0, 64, 1000);
	poll(1060, 6100, 1000, 0, 64, 1000);
	cr_assert(isnan(if_row(0)->ifr.in_bps));
	cr_assert_eq(discards(DISCARD_RESET), 1);
	/* the next poll uses the new baseline */
	poll(1120, 12100, 1000 + 60 * 125, 0, 64, 1000);
	cr_assert_float_eq(if_row(0)->ifr.in_bps, 1000.0, 1e-9);
}

Test(metric, uptime_going_back_discards_every_delta)
{
	poll(1000, 500000, 1000, 1000, 64, 1000);
	poll(1060, 300, 2000, 2000, 64, 1000); /* agent restarted */
	cr_assert(isnan(if_row(0)->ifr.in_bps));
	cr_assert(isnan(if_row(0)->ifr.out_bps));
	cr_assert_eq(discards(DISCARD_REBOOT), 2);
	poll(1120, 6300, 2000 + 60 * 1000, 2000, 64, 1000);
	cr_assert_float_eq(if_row(0)->ifr.in_bps, 8000.0, 1e-9);
}

Test(metric, timeticks_wrap_is_not_a_reboot)
{
	/* 497 days: sysUpTime passes 2^32 ticks between two polls */
	poll(1000, 4294967296ULL - 3000, 0, 0, 64, 1000);
	poll(1060, 3000, 60 * 1000, 0, 64, 1000);
	cr_assert_float_eq(if_row(0)->ifr.in_bps, 8000.0, 1e-9);
	cr_assert_eq(discards(DISCARD_REBOOT), 0);
}

Test(metric, rate_above_speed_is_discarded_not_clamped)
{
	poll(1000, 100, 0, 0, 64, 100); /* 100 Mbps interface */
	/* 200 Mbps worth of bytes in 60 s */
	poll(1060, 6100, 200000000ULL / 8 * 60, 0, 64, 100);
	cr_assert(isnan(if_row(0)->ifr.in_bps));
	cr_assert_eq(if_row(0)->ifr.out_bps, 0.0);
	cr_assert_eq(discards(DISCARD_OVERSPEED), 1);
}

Test(metric, contracted_capacity_caps_when_speed_is_unknown)
{
	/* slot 1 has capacity 100 Mbps and reports no speed */
	feed(M_DEV_REACH, -1, SAMPLE_STATUS, 0, 1, 1000);
	feed(M_IF_IN_OCTETS, 1, SAMPLE_COUNTER, 64, 0, 1000);
	feed(0, -1, SAMPLE_END, 0, 0, 1000);
	feed(M_DEV_REACH, -1, SAMPLE_STATUS, 0, 1, 1060);
	feed(M_IF_IN_OCTETS, 1, SAMPLE_COUNTER, 64, 150000000ULL / 8 * 60,
	     1060);
	feed(0, -1, SAMPLE_END, 0, 0, 1060);
	cr_assert(isnan(if_row(1)->ifr.in_bps));
	cr_assert_eq(discards(DISCARD_OVERSPEED), 1);
}

Test(metric, missed_polls_average_over_the_gap)
{
	poll(1000, 100, 0, 0, 64, 1000);
	/* two failed polls: no answer */
	for (int i = 1; i <= 2; i++) {
		struct sample s = {.device = 0, .ifslot = -1,
				   .metric = M_DEV_REACH,
				   .kind = SAMPLE_STATUS,
				   .status = POLL_TIMEOUT, .t = 1000 + 60 * i};
		metric_engine_feed(me, &s);
		feed(0, -1, SAMPLE_END, 0, 0, 1000 + 60 * i);
		cr_assert_eq(if_row(-1)->dev.reach, 0.0);
		cr_assert_eq(if_row(-1)->poll_status, POLL_TIMEOUT);
	}
	poll(1180, 18100, 180 * 1250, 0, 64, 1000); /* 10 kbit/s */
	cr_assert_float_eq(if_row(0)->ifr.in_bps, 10000.0, 1e-9);
}

Test(metric, bad_value_counts_as_missing)
{
	struct sample s;

	poll(1000, 100, 0, 0, 64, 1000);
	feed(M_DEV_REACH, -1, SAMPLE_STATUS, 0, 1, 1060);
	memset(&s, 0, sizeof(s));
	s.ifslot = 0;
	s.metric = M_IF_IN_OCTETS;
	s.kind = SAMPLE_COUNTER;
	s.status = POLL_BADTYPE;
	s.t = 1060;
	metric_engine_feed(me, &s);
	feed(0, -1, SAMPLE_END, 0, 0, 1060);
	cr_assert(isnan(if_row(0)->ifr.in_bps));
	cr_assert_eq(discards(DISCARD_MISSING), 1);
}

Test(metric, setup_forgets_history)
{
	poll(1000, 100, 0, 0, 64, 1000);
	cr_assert_eq(metric_engine_device_setup(me, 0, 1, NULL), 0);
	poll(1060, 6100, 60 * 1000, 0, 64, 1000);
	cr_assert(isnan(if_row(0)->ifr.in_bps));
	cr_assert_eq(discards(DISCARD_FIRST), 4);
}

Test(metric, unknown_device_is_ignored)
{
	struct sample s = {.device = 7, .kind = SAMPLE_END};

	metric_engine_feed(me, &s);
	cr_assert_eq(nrows, 0);
	cr_assert_eq(metric_engine_device_setup(me, 7, 1, NULL), -EINVAL);
}

/* A 1 Gbps port at 400 Mbps wraps its Counter32 every 86 s: over a 120 s
 * gap (one lost poll) it wrapped once and the low 32 bits alone cannot
 * tell one wrap from two, so the rate is unknown and counted as its own
 * discard, never a wrong rate. */
Test(metric, counter32_ambiguous_wraps_are_discarded)
{
	uint64_t start = 1000000, bytes = 400000000ULL / 8 * 120;

	poll(1000, 100, start, start, 32, 1000);
	poll(1120, 12100, (start + bytes) & 0xffffffffULL,
	     (start + bytes / 4) & 0xffffffffULL, 32, 1000);
	cr_assert(isnan(if_row(0)->ifr.in_bps), "%f", if_row(0)->ifr.in_bps);
	cr_assert(isnan(if_row(0)->ifr.out_bps), "%f",
		  if_row(0)->ifr.out_bps);
	cr_assert_eq(discards(DISCARD_MULTIWRAP), 2);
	cr_assert_str_eq(discard_reason_name(DISCARD_MULTIWRAP), "multiwrap");
}

/* Where a second wrap would have exceeded the interface speed, the one
 * wrap seen is the only reading: 10 s at 1 Gbps cannot wrap twice, and
 * neither can 35 s at 1 Gbps with 3e9 bytes counted (3e9 + 2^32 bytes
 * would be 1.7 Gbps). 64-bit counters are never ambiguous. */
Test(metric, counter32_single_wrap_within_speed_is_kept)
{
	uint64_t w = 4294967296ULL;

	poll(1000, 100, w - 1000, 0, 32, 1000);
	poll(1035, 3600, (w - 1000 + 3000000000ULL) % w, 3000000000ULL, 32,
	     1000);
	cr_assert_float_eq(if_row(0)->ifr.in_bps, 3e9 * 8 / 35, 1e-3);
	cr_assert_float_eq(if_row(0)->ifr.out_bps, 3e9 * 8 / 35, 1e-3);
	poll(1155, 15600, 3000000000ULL + 1000, 0, 64, 1000);
	poll(1275, 27600, 3000000000ULL + 1000 + 6000000000ULL, 0, 64, 1000);
	cr_assert_float_eq(if_row(0)->ifr.in_bps, 4e8, 1e-3);
	cr_assert_eq(discards(DISCARD_MULTIWRAP), 0);
}
