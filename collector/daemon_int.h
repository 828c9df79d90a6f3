/*
 * daemon_int.h - slamond's runtime state, shared by the files of
 * collector/ (daemon.c: start, stop, signals, reload; gen.c: generations
 * and the probe hooks; sinks.c: where rows go). Nothing outside collector/
 * includes it.
 *
 * A "generation" is one loaded configuration with its probes, metric
 * engine, alerts engine, scheduler and per-device runtime. A reload builds
 * a new generation next to the running one, lets it adopt the state of
 * every unchanged device, then retires the old one.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_DAEMON_INT_H
#define SLAMON_DAEMON_INT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "collector/daemon.h"
#include "collector/metric.h"
#include "collector/probe.h"
#include "collector/schedule.h"
#include "core/config.h"
#include "core/log.h"

/* The last rates of a monitored interface, for the status snapshot. */
struct link_view {
	double in_bps, out_bps, speed_mbps, t;
};

struct gen;

/* Per-device runtime of a generation (the schedule is in gen->sched). */
struct drt {
	struct gen *g;
	uint32_t idx;
	uint8_t kind;       /* index into probe_kinds() */
	struct complain cpl;
	int last_status;    /* enum poll_status of the last poll, -1 none */
	double last_poll;
	double rtt_ms, loss_pct; /* the last poll's (ICMP devices), NAN */
	struct link_view *links;
	size_t nlinks;
	int pinging;        /* an echo is out; the poll's result waits */
	double ping_poll_t; /* that poll's sample time */
};

#define PROBE_KINDS_MAX 8

struct gen {
	struct daemon *dm;
	struct config *cfg;
	uv_timer_t tick;    /* turns the scheduler every SCHED_TICK_MS */
	struct sched sched;
	const struct probe_ops *const *pops;
	void *probes[PROBE_KINDS_MAX]; /* one instance per kind */
	size_t nkinds;
	struct metric_engine *me;
	struct alerts_engine *ae;
	struct drt *drts;
	size_t reached;     /* devices that did opts.cycles polls */
	int closing, open_handles;
};

struct daemon {
	uv_loop_t loop;
	struct daemon_opts opts;
	struct gen *cur;
	struct rrd_writer *writer;
	struct journal *journal;
	struct notifier *notifier;
	struct capture_bridge *cap; /* [capture] links (possibly none) */
	struct capture_store *cap_store; /* their interval records, or NULL */
	struct icmp_probe *icmp;    /* echo after failed polls, or NULL */
	struct icmp_sweep *sweep;   /* ICMP devices' polls, or NULL */
	char journal_path[4096];
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t status_timer, stop_timer, alerts_timer;
	int retiring_notifiers; /* old notifiers draining after a reload */
	double started;
	int stopping, exit_code;
	uint64_t polls, late, skipped; /* of retired generations */
};

/* Wall clock, seconds. */
double daemon__now(void);

/* Started as root: becomes user (its uid, its primary group only),
 * keeping CAP_NET_RAW and CAP_NET_BIND_SERVICE and nothing else (privs.c).
 * Call before any thread exists. Returns 1 when it dropped, 0 when there
 * was nothing to do (not root, user "root" or "", or a user that does not
 * exist: then err says so, for a warning), -1 when the drop failed half
 * way (err says why; the caller must not go on). */
int daemon__drop_privileges(const char *user, char *err, size_t errlen);

/* Builds a generation for cfg (taken on success), adopting what old knew
 * of unchanged devices; starts its schedule. NULL when out of memory (cfg
 * stays the caller's). */
struct gen *daemon__gen_create(struct daemon *dm, struct config *cfg,
			       const struct gen *old);

/* Stops a generation: no hooks run after this; memory goes when its last
 * libuv handle is closed. Its poll counts are added to dm's. */
void daemon__gen_retire(struct gen *g);

/* Stops the daemon from the loop (after opts.cycles, on a signal). */
void daemon__stop_soon(struct daemon *dm);

/* Starts the ICMP echo that follows d's failed poll at t. 0: the echo's
 * answer will feed the alerts engine; otherwise the caller feeds the
 * result without one. */
int daemon__ping_start(struct drt *d, double t);

#endif
