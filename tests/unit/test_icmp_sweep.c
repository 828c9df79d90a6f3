/*
 * test_icmp_sweep.c - the ICMP sweep's judging and pacing (probes/
 * icmp_sweep.h) at its seam: a manual sweep whose echoes go to a recorder
 * and whose clock is the test's, so that every time, reply and loss is
 * chosen by the test. The sockets and the loop side run in
 * tests/integration/test_icmp_devices.c.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "probes/icmp_sweep.h"

#define MAXPKT 20000

struct sent {
	struct in_addr to;
	uint8_t pkt[64];
	size_t len;
	uint64_t t;
};

static struct sent sent[MAXPKT];
static size_t nsent;
static uint64_t clock_us;
static int send_rc; /* what the next sends return */

static struct icmp_sweep_result res[256];
static int got[256];
static size_t ndone;

static int rec_send(void *arg, int af, const void *addr, const uint8_t *pkt,
		    size_t len)
{
	(void)arg;
	cr_assert_eq(af, AF_INET);
	if (send_rc != 0)
		return send_rc;
	cr_assert_lt(nsent, MAXPKT);
	memcpy(&sent[nsent].to, addr, 4);
	cr_assert_leq(len, sizeof(sent[nsent].pkt));
	memcpy(sent[nsent].pkt, pkt, len);
	sent[nsent].len = len;
	sent[nsent].t = clock_us;
	nsent++;
	return 0;
}

static void on_result(void *arg, uint32_t tag, const struct icmp_sweep_result *r)
{
	(void)arg;
	cr_assert_lt(tag, 256);
	cr_assert_eq(got[tag], 0, "host %u judged twice", tag);
	got[tag] = 1;
	res[tag] = *r;
	ndone++;
}

static void reset(void)
{
	nsent = 0;
	clock_us = 1000000;
	send_rc = 0;
	ndone = 0;
	memset(got, 0, sizeof(got));
	memset(res, 0, sizeof(res));
}

TestSuite(icmp_sweep, .init = reset, .timeout = 30);

static struct sockaddr_in host(int k)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(0x0a000000u + (uint32_t)k); /* 10.0.0.k */
	return sa;
}

static int host_of(const struct sent *s)
{
	return (int)(ntohl(s->to.s_addr) - 0x0a000000u);
}

/* The echo reply to sent packet k, as a host would send it back. */
static void answer(struct icmp_sweep *sw, size_t k, uint64_t at)
{
	uint8_t r[64];

	memcpy(r, sent[k].pkt, sent[k].len);
	r[0] = ICMP_ECHOREPLY;
	icmp_sweep_input(sw, AF_INET, &sent[k].to, r, sent[k].len, at);
}

/* Runs the sweep at each time it asks for until end_us; replies to the
 * echoes of hosts whose bit in answer_mask[echo] is set, delay_us later. */
static void drive(struct icmp_sweep *sw, uint64_t end_us,
		  uint32_t answer_mask[ICMP_SWEEP_COUNT_MAX], uint64_t delay_us)
{
	size_t done = 0;
	unsigned echo_no[256] = { 0 };

	while (clock_us <= end_us) {
		uint64_t next = icmp_sweep_run(sw, clock_us);

		for (; done < nsent; done++) {
			int h = host_of(&sent[done]);
			unsigned e = echo_no[h]++;

			if (answer_mask && (answer_mask[e] >> h & 1)) {
				clock_us += delay_us;
				answer(sw, done, clock_us);
			}
		}
		if (next == UINT64_MAX)
			break;
		if (next > clock_us)
			clock_us = next;
	}
}

Test(icmp_sweep, a_host_is_judged_on_several_echoes_one_loss_is_not_an_outage)
{
	struct icmp_sweep_params par = { 3, 200, 1000, 100000, 1 };
	struct icmp_sweep *sw = icmp_sweep_create_manual(&par, rec_send, NULL);
	/* host 0 answers all, 1 only the second echo, 2 never, 3 two of 3 */
	uint32_t mask[ICMP_SWEEP_COUNT_MAX] = { 1u << 0 | 1u << 3,
						1u << 0 | 1u << 1 | 1u << 3,
						1u << 0 };

	cr_assert_not_null(sw);
	for (int h = 0; h < 4; h++) {
		struct sockaddr_in sa = host(h);

		cr_assert_eq(icmp_sweep_submit(sw, (struct sockaddr *)&sa,
					       on_result, NULL, (uint32_t)h),
			     0);
	}
	drive(sw, clock_us + 10000000, mask, 250);
	cr_assert_eq(ndone, 4);
	cr_assert_eq(nsent, 12, "3 echoes to each of 4 hosts");
	cr_assert(res[0].up);
	cr_assert_eq(res[0].received, 3);
	cr_assert_float_eq(res[0].loss_pct, 0, 1e-9);
	cr_assert_float_eq(res[0].rtt_avg_ms, 0.25, 1e-6);
	cr_assert(res[1].up, "one of three answered: up");
	cr_assert_eq(res[1].received, 1);
	cr_assert_float_eq(res[1].loss_pct, 200.0 / 3, 1e-6);
	cr_assert_not(res[2].up);
	cr_assert_eq(res[2].received, 0);
	cr_assert_eq(res[2].sent, 3);
	cr_assert_float_eq(res[2].loss_pct, 100, 1e-9);
	cr_assert(isnan(res[2].rtt_avg_ms));
	cr_assert(res[3].up);
	cr_assert_float_eq(res[3].loss_pct, 100.0 / 3, 1e-6);
	icmp_sweep_close(sw, NULL, NULL);
}

Test(icmp_sweep, min_replies_and_rtt_min_avg_max)
{
	struct icmp_sweep_params par = { 4, 100, 1000, 100000, 2 };
	struct icmp_sweep *sw = icmp_sweep_create_manual(&par, rec_send, NULL);
	struct sockaddr_in a = host(0), b = host(1);
	uint64_t t0 = clock_us;

	cr_assert_eq(icmp_sweep_submit(sw, (struct sockaddr *)&a, on_result,
				       NULL, 0), 0);
	cr_assert_eq(icmp_sweep_submit(sw, (struct sockaddr *)&b, on_result,
				       NULL, 1), 0);
	/* by hand: host 0's echoes answered after 1, 2, 3, 6 ms; host 1's
	 * first echo only */
	for (int round = 0; round < 4; round++) {
		uint64_t rtt[] = { 1000, 2000, 3000, 6000 };
		size_t before = nsent;

		clock_us = t0 + (uint64_t)round * 100000;
		icmp_sweep_run(sw, clock_us);
		cr_assert_eq(nsent, before + 2, "round %d: both hosts", round);
		answer(sw, before, clock_us + rtt[round]);
		if (round == 0)
			answer(sw, before + 1, clock_us + 500);
	}
	cr_assert(got[0], "all four answered: judged without the timeout");
	cr_assert_not(got[1]);
	cr_assert(res[0].up);
	cr_assert_float_eq(res[0].rtt_min_ms, 1, 1e-9);
	cr_assert_float_eq(res[0].rtt_avg_ms, 3, 1e-9);
	cr_assert_float_eq(res[0].rtt_max_ms, 6, 1e-9);
	/* host 1 is judged at its last echo's timeout, not before */
	icmp_sweep_run(sw, t0 + 300000 + 999000);
	cr_assert_not(got[1]);
	icmp_sweep_run(sw, t0 + 300000 + 1000000);
	cr_assert(got[1]);
	cr_assert_not(res[1].up, "1 reply of the 2 it must give: down");
	cr_assert_eq(res[1].received, 1);
	cr_assert_float_eq(res[1].loss_pct, 75, 1e-9);
	icmp_sweep_close(sw, NULL, NULL);
}

Test(icmp_sweep, sends_are_paced_and_spaced)
{
	/* 200 hosts x 2 echoes at 1000/s: bursts of 10 (10 ms' worth) */
	struct icmp_sweep_params par = { 2, 50, 300, 1000, 1 };
	struct icmp_sweep *sw = icmp_sweep_create_manual(&par, rec_send, NULL);
	uint64_t t0 = clock_us, last[200] = { 0 };

	for (int h = 0; h < 200; h++) {
		struct sockaddr_in sa = host(h);

		cr_assert_eq(icmp_sweep_submit(sw, (struct sockaddr *)&sa,
					       on_result, NULL, (uint32_t)h),
			     0);
	}
	drive(sw, t0 + 5000000, NULL, 0);
	cr_assert_eq(ndone, 200);
	cr_assert_eq(nsent, 400);
	for (size_t k = 0; k < nsent; k++) {
		double el = (double)(sent[k].t - t0) / 1e6;
		int h = host_of(&sent[k]);

		/* never ahead of the rate (one burst of slack) */
		cr_assert_leq((double)k + 1, 10 + 1000 * el + 1e-6,
			      "send %zu at %.4f s is ahead of 1000/s", k, el);
		if (last[h] != 0)
			cr_assert_geq(sent[k].t - last[h], 50000,
				      "host %d: echoes %llu us apart", h,
				      (unsigned long long)(sent[k].t -
							   last[h]));
		last[h] = sent[k].t;
	}
	/* and not much slower than it: 400 echoes at 1000/s */
	cr_assert_lt(sent[nsent - 1].t - t0, 450000);
	icmp_sweep_close(sw, NULL, NULL);
}

Test(icmp_sweep, replies_must_match_address_echo_and_time)
{
	struct icmp_sweep_params par = { 2, 100, 500, 100000, 1 };
	struct icmp_sweep *sw = icmp_sweep_create_manual(&par, rec_send, NULL);
	struct sockaddr_in a = host(1);
	struct in_addr other = host(2).sin_addr;
	struct icmp_sweep_stats st;
	uint8_t r[64];
	uint64_t t0 = clock_us;

	cr_assert_eq(icmp_sweep_submit(sw, (struct sockaddr *)&a, on_result,
				       NULL, 1), 0);
	icmp_sweep_run(sw, t0);
	cr_assert_eq(nsent, 1);
	memcpy(r, sent[0].pkt, sent[0].len);
	r[0] = ICMP_ECHOREPLY;
	/* from another address */
	icmp_sweep_input(sw, AF_INET, &other, r, sent[0].len, t0 + 100);
	/* an echo request (our own, seen on loopback) */
	icmp_sweep_input(sw, AF_INET, &sent[0].to, sent[0].pkt, sent[0].len,
			 t0 + 100);
	/* a damaged payload: another job index */
	r[15] ^= 0x40;
	icmp_sweep_input(sw, AF_INET, &sent[0].to, r, sent[0].len, t0 + 100);
	r[15] ^= 0x40;
	/* truncated */
	icmp_sweep_input(sw, AF_INET, &sent[0].to, r, 20, t0 + 100);
	icmp_sweep_stats_get(sw, &st);
	cr_assert_eq(st.received, 0);
	/* the right one, then its duplicate */
	icmp_sweep_input(sw, AF_INET, &sent[0].to, r, sent[0].len, t0 + 100);
	icmp_sweep_input(sw, AF_INET, &sent[0].to, r, sent[0].len, t0 + 200);
	icmp_sweep_stats_get(sw, &st);
	cr_assert_eq(st.received, 1);
	cr_assert_geq(st.stray, 3);
	/* the second echo answered after its timeout: lost */
	icmp_sweep_run(sw, t0 + 100000);
	cr_assert_eq(nsent, 2);
	answer(sw, 1, t0 + 100000 + 600000);
	icmp_sweep_stats_get(sw, &st);
	cr_assert_eq(st.late, 1);
	icmp_sweep_run(sw, t0 + 100000 + 500000);
	cr_assert(got[1]);
	cr_assert_eq(res[1].received, 1);
	cr_assert_float_eq(res[1].loss_pct, 50, 1e-9);
	/* a reply to a job that is over: stray, no second verdict */
	answer(sw, 0, t0 + 700000);
	cr_assert_eq(ndone, 1);
	icmp_sweep_close(sw, NULL, NULL);
}

Test(icmp_sweep, send_errors_cancel_and_a_full_buffer)
{
	struct icmp_sweep_params par = { 2, 10, 100, 100000, 1 };
	struct icmp_sweep *sw = icmp_sweep_create_manual(&par, rec_send, NULL);
	struct sockaddr_in a = host(1), b = host(2), c = host(3);
	int owner;

	cr_assert_eq(icmp_sweep_submit(sw, (struct sockaddr *)&a, on_result,
				       NULL, 1), 0);
	cr_assert_eq(icmp_sweep_submit(sw, (struct sockaddr *)&b, on_result,
				       &owner, 2), 0);
	/* the kernel's buffer is full: nothing is lost, it waits */
	send_rc = -ENOBUFS;
	cr_assert_eq(icmp_sweep_run(sw, clock_us), clock_us + 1000);
	cr_assert_eq(nsent, 0);
	/* no route: counted as sent and lost, with the reason */
	send_rc = -ENETUNREACH;
	icmp_sweep_cancel(sw, &owner); /* host 2's owner went away */
	drive(sw, clock_us + 1000000, NULL, 0);
	cr_assert(got[1]);
	cr_assert_not(got[2], "a cancelled job is never judged");
	cr_assert_not(res[1].up);
	cr_assert_eq(res[1].error, -ENETUNREACH);
	cr_assert_eq(res[1].sent, 2);
	cr_assert_eq(icmp_sweep_submit(sw, NULL, on_result, NULL, 3), -EINVAL);
	c.sin_family = AF_UNIX;
	cr_assert_eq(icmp_sweep_submit(sw, (struct sockaddr *)&c, on_result,
				       NULL, 3), -EINVAL);
	icmp_sweep_close(sw, NULL, NULL);
}
