/*
 * icmp_sweep.h - the ICMP sweep: tens of thousands of hosts a cycle, each
 * judged on several echo requests, from one socket per address family
 * (raw ICMP as root or with CAP_NET_RAW, else a Linux ping socket, as in
 * icmp.c), on the libuv loop (docs/architecture.md, "The ICMP sweep").
 *
 * A host handed over with icmp_sweep_submit() gets `count` echoes
 * `spacing_ms` apart; it is up when at least `min_replies` of them are
 * answered within `timeout_ms` of their sending; its result (replies,
 * loss, RTT min/avg/max) comes back once, on the loop, when every echo is
 * answered or the last one timed out. Echoes of all hosts leave paced by
 * one token bucket (`rate_pps`), in the order they fell due, from one
 * one-shot timer: no timer per host or echo. The job index, a token and
 * the echo number ride in the payload (a ping socket rewrites the
 * identifier, every socket returns the payload), so a reply is matched in
 * O(1) and must also come from the address asked.
 *
 * The sweep is plain data driven by its caller's clock (icmp_sweep_run,
 * icmp_sweep_input); icmp_sweep_create() wires it to sockets and a loop,
 * icmp_sweep_create_manual() to a send function, for tests.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_ICMP_SWEEP_H
#define SLAMON_PROBE_ICMP_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#define ICMP_SWEEP_COUNT_MAX 20

struct icmp_sweep_params {
	int count;       /* echoes per host and cycle, 1..20 */
	int spacing_ms;  /* between two echoes to one host */
	int timeout_ms;  /* an echo answered later is lost */
	int rate_pps;    /* echoes per second, every host together */
	int min_replies; /* replies that make the host up, 1..count */
};

struct icmp_sweep_result {
	int up;                 /* received >= min_replies */
	unsigned sent, received;
	double loss_pct;        /* 100 * (count - received) / count */
	double rtt_min_ms, rtt_avg_ms, rtt_max_ms; /* NAN when no reply */
	int error;              /* 0, or the negative errno of a failed
	                           send (-ENETUNREACH ...) */
};

/* One host's result, on the loop (or inside icmp_sweep_run/input). */
typedef void (*icmp_sweep_cb)(void *arg, uint32_t tag,
			      const struct icmp_sweep_result *r);

struct icmp_sweep_stats {
	uint64_t submitted, done, sent, received;
	uint64_t send_errors; /* sends refused by the kernel */
	uint64_t late;        /* replies after the timeout */
	uint64_t stray;       /* replies matching no job (another process,
	                         a cancelled job, a duplicate) */
	size_t active;        /* hosts being judged */
	size_t ready;         /* echoes waiting for the rate */
	int raw;              /* 1 raw sockets, 0 ping sockets */
};

struct icmp_sweep;

/* Opens the sockets (IPv4 and, when possible, IPv6) and joins them to
 * loop with one uv_poll_t each and one uv_timer_t. 0 and *ret, or the
 * IPv4 socket's negative errno with a reason in err. par may be NULL
 * (count 3, spacing 500, timeout 1000, 10000/s, 1 reply). */
int icmp_sweep_create(uv_loop_t *loop, const struct icmp_sweep_params *par,
		      struct icmp_sweep **ret, char *err, size_t errlen);

/* For tests: no loop, no socket; each echo goes to send (0, or a
 * negative errno: -EAGAIN/-ENOBUFS keep the echo for the next run). */
typedef int (*icmp_sweep_send_fn)(void *arg, int af, const void *addr,
				  const uint8_t *pkt, size_t len);
struct icmp_sweep *icmp_sweep_create_manual(
	const struct icmp_sweep_params *par, icmp_sweep_send_fn send,
	void *send_arg);

/* The parameters of hosts submitted from now on (a reload). */
void icmp_sweep_set_params(struct icmp_sweep *sw,
			   const struct icmp_sweep_params *par);

/* Judges the host at sa (AF_INET/AF_INET6, the port is ignored): its
 * result goes to cb(arg, tag) once. 0, -EINVAL, -EAFNOSUPPORT (no socket
 * of that family) or -ENOMEM; cb is never called on error. */
int icmp_sweep_submit(struct icmp_sweep *sw, const struct sockaddr *sa,
		      icmp_sweep_cb cb, void *arg, uint32_t tag);

/* Drops every job of arg: its callback is never called. */
void icmp_sweep_cancel(struct icmp_sweep *sw, void *arg);

/* Sends what is due at now_us (the caller's clock, microseconds) within
 * the rate, ends the jobs whose last echo timed out; returns when it
 * wants to run next (UINT64_MAX: nothing pending). */
uint64_t icmp_sweep_run(struct icmp_sweep *sw, uint64_t now_us);

/* An ICMP message (its header first) from addr, received at now_us. */
void icmp_sweep_input(struct icmp_sweep *sw, int af, const void *addr,
		      const uint8_t *msg, size_t len, uint64_t now_us);

void icmp_sweep_stats_get(const struct icmp_sweep *sw,
			  struct icmp_sweep_stats *ret);

/* Drops every job (no callbacks), closes handles and sockets and frees sw
 * in the last close callback, then cb(arg) (cb may be NULL). Manual
 * sweeps are freed at once. Accepts NULL. */
void icmp_sweep_close(struct icmp_sweep *sw, void (*cb)(void *arg),
		      void *arg);

#endif
