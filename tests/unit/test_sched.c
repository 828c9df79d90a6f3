/*
 * test_sched.c - polls are spread over the interval, stable per device, and
 * the next due time is always in the future on the device's grid; the
 * scheduler (collector/schedule.h) on a fake clock: once per interval on
 * the grid, at most max_inflight at once in FIFO order, skipped and late
 * polls counted, a stalled loop back on its grid, stop.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <math.h>
#include <stdio.h>

#include "alerts/avail.h"
#include "collector/schedule.h"

Test(sched, offsets_spread_over_the_interval)
{
	int buckets[10] = {0};
	char name[32];

	for (int i = 0; i < 5000; i++) {
		double off;

		snprintf(name, sizeof(name), "ap-%04d", i);
		off = sched_offset(name, 60);
		cr_assert(off >= 0 && off < 60, "offset %f", off);
		buckets[(int)(off / 6)]++;
	}
	/* 500 expected per 6-second bucket: none empty or doubled */
	for (int b = 0; b < 10; b++)
		cr_assert(buckets[b] > 350 && buckets[b] < 650,
			  "bucket %d has %d", b, buckets[b]);
}

Test(sched, offset_is_stable)
{
	cr_assert_eq(sched_offset("core-1", 60), sched_offset("core-1", 60));
	cr_assert_neq(sched_offset("core-1", 60), sched_offset("core-2", 60));
}

Test(sched, next_is_on_the_grid_and_after_now)
{
	double off = 17.25;

	for (double now = 1e9; now < 1e9 + 600; now += 7.3) {
		double n = sched_next(now, 60, off);
		double k = (n - off) / 60;

		cr_assert(n > now && n <= now + 60);
		cr_assert(fabs(k - round(k)) < 1e-9);
	}
	/* exactly on a slot: the next one */
	cr_assert_float_eq(sched_next(1e9 + 17.25 - fmod(1e9, 60) + 60, 60,
				      off) -
				   (1e9 + 17.25 - fmod(1e9, 60) + 60),
			   60, 1e-6);
}

Test(sched, late_window_bounds)
{
	cr_assert_float_eq(sched_late_window(5), 1.0, 1e-9);
	cr_assert_float_eq(sched_late_window(60), 6.0, 1e-9);
	cr_assert_float_eq(sched_late_window(3600), 30.0, 1e-9);
}

Test(avail, down_after_n_up_after_m)
{
	struct avail a = {0};

	cr_assert_eq(avail_update(&a, 1, 100, 2, 2), 1);
	cr_assert_eq(a.state, AV_UP);
	cr_assert_eq(avail_update(&a, 0, 160, 2, 2), 0);
	cr_assert_eq(a.state, AV_UP);
	cr_assert_eq(avail_update(&a, 0, 220, 2, 2), 1);
	cr_assert_eq(a.state, AV_DOWN);
	cr_assert_float_eq(a.since, 160, 1e-9); /* first failed sample */
	cr_assert_eq(avail_update(&a, 1, 280, 2, 2), 0);
	cr_assert_eq(avail_update(&a, 1, 340, 2, 2), 1);
	cr_assert_eq(a.state, AV_UP);
	/* recovered since the first good sample of the run */
	cr_assert_float_eq(a.since, 280, 1e-9);
}

Test(avail, unknown_goes_down_after_n)
{
	struct avail a = {0};

	cr_assert_eq(avail_update(&a, 0, 100, 2, 2), 0);
	cr_assert_eq(a.state, AV_UNKNOWN);
	cr_assert_eq(avail_update(&a, 0, 160, 2, 2), 1);
	cr_assert_eq(a.state, AV_DOWN);
	cr_assert_str_eq(avail_state_name(a.state), "down");
}

Test(sched, tick_deadlines_group_devices_due_in_one_tick)
{
	/* every device due within one tick starts in the same turn of the
	 * loop, never early, at most one tick late */
	unsigned long long now = 1234567;

	for (double d = 0; d < 1000; d += 7.3) {
		unsigned long long at = sched_tick_deadline(now, d);

		cr_assert_eq(at % SCHED_TICK_MS, 0);
		cr_assert_geq((double)at, (double)now + d);
		cr_assert_lt((double)at, (double)now + d + SCHED_TICK_MS + 1);
	}
	cr_assert_eq(sched_tick_deadline(1234500, 10),
		     sched_tick_deadline(1234500, 60));
	cr_assert_eq(sched_tick_deadline(1000, 0), 1000, "on the grid already");
	cr_assert_eq(sched_tick_deadline(1000, -5), 1000, "late: now");
	cr_assert_eq(sched_tick_deadline(1000, 0.0 / 0.0), 1000);
}

/* ---- the scheduler on a fake clock ------------------------------------ */

#define BASE 1700000000.0 /* wall clock at loop time 0 */

struct fake {
	struct sched s;
	uint64_t ms;       /* the fake loop clock */
	int finish;        /* 1: a poll ends inside its start call */
	int refuse;        /* start returns -EBUSY */
	uint32_t order[256];
	double at[256];
	size_t nstarts;
	size_t per_dev[16];
};

static double wall(const struct fake *f)
{
	return BASE + f->ms / 1000.0;
}

static int fake_start(void *arg, uint32_t i, double now)
{
	struct fake *f = arg;

	if (f->refuse)
		return -EBUSY;
	if (f->nstarts < 256) {
		f->order[f->nstarts] = i;
		f->at[f->nstarts] = now;
	}
	f->nstarts++;
	f->per_dev[i]++;
	if (f->finish)
		sched_done(&f->s, i, now);
	return 0;
}

/* Advances the fake clock to until_ms one tick at a time, as the daemon's
 * tick timer does. */
static void run_until(struct fake *f, uint64_t until_ms)
{
	for (; f->ms <= until_ms; f->ms += SCHED_TICK_MS)
		sched_run(&f->s, f->ms, wall(f));
	f->ms -= SCHED_TICK_MS;
}

static void fake_setup(struct fake *f, size_t n, size_t max_inflight,
		       double interval)
{
	memset(f, 0, sizeof(*f));
	cr_assert_eq(sched_init(&f->s, n, max_inflight, 0, fake_start, f), 0);
	for (uint32_t i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "dev-%u", i);
		sched_device_start(&f->s, i, interval,
				   sched_offset(name, interval), wall(f), 0);
	}
}

Test(scheduler, each_device_once_per_interval_on_its_grid)
{
	struct fake f;

	fake_setup(&f, 10, 100, 10);
	f.finish = 1;
	run_until(&f, 60000);
	for (uint32_t i = 0; i < 10; i++) {
		cr_assert(f.per_dev[i] == 6, "device %u polled %zu times in "
			  "60 s at 10 s", i, f.per_dev[i]);
		cr_assert_eq(f.s.dev[i].polls, 6);
	}
	for (size_t k = 0; k < f.nstarts; k++) {
		struct sched_dev *d = &f.s.dev[f.order[k]];
		double phase = fmod(f.at[k] - d->offset, d->interval);

		/* never early, at most one tick after its slot */
		cr_assert(phase >= 0 && phase < SCHED_TICK_MS / 1000.0 + 1e-6,
			  "start %zu of device %u is %.3f s off its grid", k,
			  f.order[k], phase);
	}
	cr_assert_eq(f.s.late, 0);
	cr_assert_eq(f.s.skipped, 0);
	cr_assert_eq(f.s.inflight, 0);
	sched_free(&f.s);
}

Test(scheduler, at_most_max_inflight_then_fifo)
{
	struct fake f;
	uint32_t first_waiting;

	memset(&f, 0, sizeof(f));
	cr_assert_eq(sched_init(&f.s, 5, 2, 0, fake_start, &f), 0);
	for (uint32_t i = 0; i < 5; i++) /* all due 1 s from now */
		sched_device_start(&f.s, i, 60, fmod(BASE + 1, 60), wall(&f),
				   0);
	run_until(&f, 1500);
	cr_assert_eq(f.nstarts, 2, "only two polls at once");
	cr_assert_eq(f.s.inflight, 2);
	cr_assert_eq(f.s.wq_len, 3);
	cr_assert_eq(f.s.dev[f.order[0]].state, SCHED_ST_POLLING);
	/* a slot frees: the device that waited longest goes next */
	first_waiting = f.s.waitq[f.s.wq_head];
	sched_done(&f.s, f.order[0], wall(&f));
	cr_assert_eq(f.nstarts, 3);
	cr_assert_eq(f.order[2], first_waiting, "FIFO: device %u started, "
		     "device %u waited longest", f.order[2], first_waiting);
	cr_assert_eq(f.s.dev[f.order[2]].state, SCHED_ST_POLLING);
	cr_assert_eq(f.s.wq_len, 2);
	sched_done(&f.s, f.order[1], wall(&f));
	sched_done(&f.s, f.order[2], wall(&f));
	cr_assert_eq(f.nstarts, 5);
	cr_assert_eq(f.s.wq_len, 0);
	/* each device started exactly once */
	for (uint32_t i = 0; i < 5; i++)
		cr_assert_eq(f.per_dev[i], 1);
	sched_free(&f.s);
}

Test(scheduler, a_poll_still_running_at_its_next_slot_is_skipped)
{
	struct fake f;

	fake_setup(&f, 1, 10, 10);
	run_until(&f, 10000); /* first poll starts and never ends */
	cr_assert_eq(f.nstarts, 1);
	run_until(&f, 35000);
	cr_assert_eq(f.nstarts, 1, "not started twice");
	cr_assert_geq(f.s.skipped, 2);
	cr_assert_eq(f.s.dev[0].skipped, f.s.skipped);
	sched_free(&f.s);
}

Test(scheduler, waiting_past_the_jitter_window_is_late)
{
	struct fake f;

	memset(&f, 0, sizeof(f));
	cr_assert_eq(sched_init(&f.s, 2, 1, 0, fake_start, &f), 0);
	sched_device_start(&f.s, 0, 60, fmod(BASE + 1, 60), wall(&f), 0);
	sched_device_start(&f.s, 1, 60, fmod(BASE + 1, 60), wall(&f), 0);
	run_until(&f, 1000);
	cr_assert_eq(f.nstarts, 1);
	/* the first poll takes 20 s: the second waited beyond 6 s */
	run_until(&f, 21000);
	sched_done(&f.s, f.order[0], wall(&f));
	cr_assert_eq(f.nstarts, 2);
	cr_assert_eq(f.s.late, 1);
	cr_assert_eq(f.s.dev[f.order[1]].late, 1);
	cr_assert_eq(f.s.dev[f.order[0]].late, 0);
	sched_free(&f.s);
}

Test(scheduler, a_stalled_loop_counts_missed_slots_and_returns_to_the_grid)
{
	struct fake f;
	double off;

	fake_setup(&f, 1, 10, 10);
	f.finish = 1;
	off = f.s.dev[0].offset;
	run_until(&f, 10000);
	cr_assert_eq(f.nstarts, 1);
	/* the loop sleeps 55 s (a huge reload, a stopped VM) */
	f.ms += 55000;
	sched_run(&f.s, f.ms, wall(&f));
	cr_assert_eq(f.nstarts, 2, "one poll now, not a burst");
	cr_assert_geq(f.s.skipped, 4);
	cr_assert(f.s.dev[0].next_due > wall(&f));
	cr_assert_float_eq(fmod(f.s.dev[0].next_due - off, 10), 0, 1e-6);
	sched_free(&f.s);
}

Test(scheduler, a_refused_start_frees_its_slot_and_stop_stops)
{
	struct fake f;

	fake_setup(&f, 3, 1, 10);
	f.refuse = 1;
	run_until(&f, 10000);
	cr_assert_eq(f.s.inflight, 0, "refused polls hold no slot");
	for (uint32_t i = 0; i < 3; i++)
		cr_assert_eq(f.s.dev[i].state, SCHED_ST_IDLE);
	f.refuse = 0;
	sched_stop(&f.s);
	run_until(&f, 40000);
	cr_assert_eq(f.nstarts, 0, "nothing starts after sched_stop");
	sched_free(&f.s);
}

/* Issue 13: ICMP devices pace themselves (the sweep's rate): their polls
 * neither wait for nor take one of max_inflight slots, and a paced poll
 * still running at its next slot is skipped like any other. */
Test(scheduler, paced_devices_take_no_inflight_slot)
{
	struct fake f;

	memset(&f, 0, sizeof(f));
	cr_assert_eq(sched_init(&f.s, 6, 2, 0, fake_start, &f), 0);
	for (uint32_t i = 0; i < 6; i++) { /* all due 1 s from now */
		if (i >= 2)
			sched_device_paced(&f.s, i);
		sched_device_start(&f.s, i, 60, fmod(BASE + 1, 60), wall(&f),
				   0);
	}
	run_until(&f, 1500);
	cr_assert_eq(f.nstarts, 6, "2 bounded polls and 4 paced ones");
	cr_assert_eq(f.s.inflight, 2, "only the bounded ones hold slots");
	cr_assert_eq(f.s.wq_len, 0);
	for (uint32_t i = 2; i < 6; i++)
		sched_done(&f.s, i, wall(&f));
	cr_assert_eq(f.s.inflight, 2);
	cr_assert_eq(f.s.polls, 4);
	/* a paced device still polling at its next slot: skipped */
	sched_done(&f.s, 0, wall(&f));
	sched_done(&f.s, 1, wall(&f));
	f.nstarts = 0;
	run_until(&f, 61500);
	cr_assert_eq(f.nstarts, 6);
	sched_done(&f.s, 0, wall(&f));
	sched_done(&f.s, 1, wall(&f));
	run_until(&f, 121500);
	cr_assert_eq(f.s.dev[3].skipped, 1, "still polling at its next slot");
	cr_assert_eq(f.s.inflight, 2);
	sched_free(&f.s);
}

/* ---- sched_poll_now: a trap's confirmation -------------------------- */

Test(scheduler, poll_now_starts_at_once_and_respects_a_running_poll)
{
	struct fake f;

	fake_setup(&f, 3, 2, 60);
	/* idle: starts now, not late, off the grid */
	cr_assert_eq(sched_poll_now(&f.s, 1, wall(&f)), 0);
	cr_assert_eq(f.nstarts, 1);
	cr_assert_eq(f.order[0], 1);
	cr_assert_eq(f.s.dev[1].state, SCHED_ST_POLLING);
	/* still polling: the running poll is left alone */
	cr_assert_eq(sched_poll_now(&f.s, 1, wall(&f)), -EBUSY);
	cr_assert_eq(f.nstarts, 1);
	cr_assert_eq(sched_poll_now(&f.s, 7, wall(&f)), -EINVAL);
	/* its grid slot comes while the forced poll runs: served by it */
	run_until(&f, 61000);
	cr_assert_eq(f.s.dev[1].skipped, 0);
	sched_done(&f.s, 1, wall(&f));
	cr_assert_eq(f.s.dev[1].polls, 1);
	cr_assert_eq(f.s.dev[1].late, 0);
	cr_assert_eq(f.s.forced, 1);
	sched_free(&f.s);
}

Test(scheduler, poll_now_waits_first_in_line_when_slots_are_full)
{
	struct fake f;

	fake_setup(&f, 4, 1, 60);
	cr_assert_eq(sched_poll_now(&f.s, 0, wall(&f)), 0);
	/* device 2 waits in the FIFO for a grid slot */
	f.s.dev[2].state = SCHED_ST_WAITING;
	f.s.waitq[0] = 2;
	f.s.wq_head = 0;
	f.s.wq_len = 1;
	cr_assert_eq(sched_poll_now(&f.s, 3, wall(&f)), 0);
	cr_assert_eq(f.s.dev[3].state, SCHED_ST_WAITING);
	cr_assert_eq(sched_poll_now(&f.s, 3, wall(&f)), -EBUSY);
	sched_done(&f.s, 0, wall(&f));
	/* the confirmation went before the device that waited */
	cr_assert_eq(f.nstarts, 2);
	cr_assert_eq(f.order[1], 3);
	sched_stop(&f.s);
	cr_assert_eq(sched_poll_now(&f.s, 1, wall(&f)), -EINVAL);
	sched_free(&f.s);
}
