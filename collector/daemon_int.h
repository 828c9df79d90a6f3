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

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "alerts/engine.h"

#include "collector/daemon.h"
#include "collector/metric.h"
#include "collector/probe.h"
#include "collector/schedule.h"
#include "collector/status.h"
#include "core/config.h"
#include "core/log.h"
#include "web/web.h"

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
	uint8_t link;       /* a report reads its interfaces' 95th percentile
			       (sla_link_device): their traffic files keep
			       5-minute rows 400 days */
	struct complain cpl;
	int last_status;    /* enum poll_status of the last poll, -1 none */
	double last_poll;
	double rtt_ms, loss_pct; /* the last poll's (ICMP devices), NAN */
	struct link_view *links;
	size_t nlinks;
	int pinging;        /* an echo is out; the poll's result waits */
	double ping_poll_t; /* that poll's sample time */
	/* a trap's confirmation (gen.c): polls left, when the next one may
	 * start, whether the running poll is one of them */
	uint8_t confirm_left, confirm_polling;
	uint8_t confirm_all; /* make every poll (a link trap: the interface
	                        states need their N/M polls too) */
	double confirm_at;
	double poll_start;  /* wall clock the running poll started */
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
	struct svc_run *svc; /* the [service] sections (services.c) */
	size_t reached;     /* devices that did opts.cycles polls */
	uint32_t *confirm;  /* devices with a confirmation under way */
	size_t nconfirm, confirm_cap;
	int closing, open_handles;
	struct status_cache *status_cache; /* its snapshots' links (status.c) */
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
	struct slalive *sla;        /* SLA jobs off the loop (slalive.c) */
	struct web_server *web;     /* [web] console and API, or NULL */
	char journal_path[4096];
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t status_timer, stop_timer, alerts_timer;
	int retiring_notifiers; /* old notifiers draining after a reload */
	double started;
	int stopping, exit_code;
	uint64_t polls, late, skipped; /* of retired generations */
	struct daemon_traps *traps; /* the SNMP trap receiver (traps.c) */
	/* poll durations for /metrics: a histogram over POLL_BUCKETS
	 * (seconds; the last bucket is +Inf) and the sum */
	uint64_t poll_hist[WEB_POLL_BUCKETS + 1];
	double poll_sum;
};

/* Counts one poll that took s seconds (for /metrics). */
void daemon__poll_time(struct daemon *dm, double s);

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

/* ---- [service] sections (services.c) ---- */

struct svc_run;

/* Opens g's services: probe, alerts (events to fn with g), scheduler.
 * 0 or a negative errno (logged). */
int daemon__svc_open(struct gen *g, alerts_event_fn fn);
/* Services of g take over the state of unchanged services of old. */
void daemon__svc_adopt(struct gen *g, const struct gen *old);
/* Closes g's service handles; returns how many close callbacks will come
 * (tick_cb with the tick, probe_cb(g) with the probe). */
int daemon__svc_close(struct gen *g, uv_close_cb tick_cb,
		      void (*probe_cb)(void *arg));
void daemon__svc_free(struct gen *g);
/* The "services" array of the status snapshot. */
json_t *daemon__svc_status(const struct gen *g);
/* slalive.c: the sla_breach rule's evaluations (and the month's draft
 * report) on the threadpool. Start after the journal is open; close from
 * daemon_stop (a job in flight finishes first). */
int daemon__sla_start(struct daemon *dm);
void daemon__sla_close(struct daemon *dm);
/* A trap from device i (collector/traps.c): its state is confirmed by
 * polling it now (after a poll already running), then again every
 * [traps] confirm_spacing_ms while the result disagrees with its state,
 * up to alerts_confirm_polls() polls; all of them when all is set (a
 * linkDown/linkUp: an interface's oper status has the same N/M rule, and
 * the device answering says nothing about it). The results go to the
 * alerts engine like any other: a trap never opens or closes a fault by
 * itself. */
void daemon__confirm_start(struct gen *g, uint32_t i, double now, int all);

/* The trap receiver of dm (traps.c). open binds [traps] listen (before
 * privileges are dropped); a failure is logged, slamond runs without.
 * reload rebinds when the addresses changed (CAP_NET_BIND_SERVICE is
 * kept); flush writes the queued journal rows (every second); json is
 * the "traps" object of status.json (new reference, NULL when out of
 * memory); close flushes and closes. */
void daemon__traps_open(struct daemon *dm, const struct config *cfg);
void daemon__traps_reload(struct daemon *dm, const struct config *old,
			  const struct config *cfg);
void daemon__traps_flush(struct daemon *dm);
struct json_t *daemon__traps_json(const struct daemon *dm);
void daemon__traps_close(struct daemon *dm);

#endif
