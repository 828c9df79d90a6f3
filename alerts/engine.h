/*
 * engine.h - the alerts engine: availability state of every device and
 * monitored interface, parent/child dependencies, flapping, maintenance
 * windows, alert rules (utilisation, speed below capacity, errors), and the
 * fault lifecycle in the journal.
 *
 * Pure logic driven by the caller's clock: no event loop, no threads, no
 * I/O but the journal calls. The daemon feeds it every device poll result
 * and interface row from the metric engine's sink and calls alerts_tick()
 * about once a second; the engine writes each fault to the journal (a
 * committed row) BEFORE it hands the event to the callback, which the
 * daemon forwards to the notifier (alerts/notify.h).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_ALERTS_ENGINE_H
#define SLAMON_ALERTS_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "alerts/config.h"
#include "core/config.h"
#include "probes/capture_config.h"
#include "storage/journal.h"

enum obj_state {
	OBJ_UNKNOWN,     /* no data yet */
	OBJ_UP,
	OBJ_DOWN,        /* down and its own fault (or flapping / pending) */
	OBJ_UNREACHABLE, /* not answering because an ancestor is down */
	OBJ_MAINT,       /* not answering inside a maintenance window */
	OBJ_STATE_COUNT
};

const char *obj_state_name(enum obj_state s);

enum alert_event_type {
	AEV_OPEN,    /* a fault was opened (journal row committed) */
	AEV_RESOLVE, /* its object recovered */
	AEV_REMIND,  /* not acknowledged after its deadline */
	AEV_STATE,   /* an object changed state (for logs and status) */
	AEV_REPORT,  /* a draft report was written (slamond, sla/draft.h):
	                no fault row; fault.object "report:YYYY-MM", kind
	                "report-draft", detail the summary. For notifiers
	                whose events list "report" */
};

/* What the callback receives; copied by whoever keeps it. */
struct alert_event {
	enum alert_event_type type;
	struct fault fault;           /* AEV_OPEN/RESOLVE/REMIND */
	char object[FAULT_OBJECT_MAX]; /* AEV_STATE */
	enum obj_state state;         /* AEV_STATE */
	int flapping;                 /* AEV_STATE */
	char reason[160];             /* AEV_STATE: "parent agg-3 down" */
	double t;
};

typedef void (*alerts_event_fn)(void *arg, const struct alert_event *ev);

/* Interface row handed to alerts_iface_row (from struct metric_row). NAN
 * marks an unknown value. */
struct alerts_if {
	const char *name;     /* interface name (object "dev/name") */
	double t;
	double in_bps, out_bps;
	double speed_mbps;    /* as the agent reports it, 0 unknown */
	double capacity_mbps; /* contracted, 0 none */
	double oper;          /* 1 up, 0 not up, NAN unknown */
	double err_rate;      /* in+out errors and discards, per second */
};

struct alerts_engine;

/* Creates an engine for cfg->devices (cfg and j must outlive it; neither
 * is freed by it). fn gets every event, on the caller's thread, from within
 * the alerts_* call that caused it. Returns 0 or -ENOMEM. */
int alerts_engine_create(const struct config *cfg, struct journal *j,
			 alerts_event_fn fn, void *arg,
			 struct alerts_engine **ret_e, char *err,
			 size_t errlen);

void alerts_engine_destroy(struct alerts_engine *e);

/* At start-up, before the first result: adopts the journal's active faults
 * (device "down" faults and interface rule faults). An adopted object is
 * taken as down; its fault is resolved at its first good sample once
 * up_after good polls confirm it, or kept (no duplicate) while it still
 * fails. Faults on objects no longer in the inventory are resolved at now
 * with no further ado. Returns 0 or the journal's error. */
int alerts_engine_reconcile(struct alerts_engine *e, double now, char *err,
			    size_t errlen);

/* After a reload that kept device dev unchanged (same device as old_dev of
 * old, the retired generation's engine): takes over old's state of it --
 * availability and its hysteresis, state and since, open faults, flapping,
 * its interfaces' oper status and the clocks of rules found in both
 * configurations (same name and type) -- so that the reload logs and
 * records no change for it. Call after alerts_engine_reconcile and before
 * the device's first result; old may be destroyed afterwards. Returns 0,
 * -EINVAL (an index out of range) or -ENOMEM (the device's state was taken,
 * its interfaces start afresh at their next row). */
int alerts_engine_adopt_device(struct alerts_engine *e, uint32_t dev,
			       const struct alerts_engine *old,
			       uint32_t old_dev);

/* slamond stops at now: every device not unknown is recorded unknown
 * ("slamond stopped") from now in the state log, in one transaction, and
 * nothing more is recorded by e (its in-memory states, which the last
 * status snapshot shows, are left as they were). The next start records each device's state at its first
 * result (a crash records nothing: the last state then lasts until the
 * next start's first result; docs/alerts.md). */
void alerts_engine_stop(struct alerts_engine *e, double now);

/* One device poll result: ok (answered) or not, at sample time t. */
void alerts_device_result(struct alerts_engine *e, uint32_t dev, int ok,
			  double t);

/* One ICMP echo result of device dev at t (the daemon pings a device
 * after each failed poll and hands the echo over before that poll's
 * result). While SNMP fails, a device that answers ping (hysteresis:
 * down_after/up_after like polls) is reachable: "nodata" fault (severity
 * [alerts] nodata_severity) instead of "down", resolved when SNMP answers
 * up_after times. Ignored when [alerts] ping = no. */
void alerts_device_ping(struct alerts_engine *e, uint32_t dev, int ok,
			double t);

/* One interface row of device dev, slot ifslot (>= 0). */
void alerts_iface_row(struct alerts_engine *e, uint32_t dev, int32_t ifslot,
		      const struct alerts_if *row);

/* ---- packet capture (issue 6) ---- */

/* One interval or cross-check of the config's [capture] number cap. A NAN
 * field was not measured this time: its fault keeps its state. */
struct alerts_capture {
	double t;
	double drop_pct;    /* (drops + ifdrops) / (records + drops), % */
	double diverge_pct; /* |capture - SNMP| / the larger of the two, % */
	double capture_bps, snmp_bps; /* the compared rates (fault text) */
};

/* Faults on object "DEVICE/pcap-NAME" (object_kind "interface"):
 * "capture-drops" (minor) opens when drop_pct is above the capture's
 * drop_alert and resolves at the first interval at or below it;
 * "divergence" (major) opens when diverge_pct is above crosscheck_share
 * twice in a row (one SNMP poll and one capture interval may straddle a
 * burst) and resolves after two comparisons at or below. Neither opens
 * inside a maintenance window of the device. */
void alerts_capture_row(struct alerts_engine *e, size_t cap,
			const struct alerts_capture *row);

/* Active fault ids of capture cap (0: none). */
void alerts_capture_faults(const struct alerts_engine *e, size_t cap,
			   int64_t *ret_drops, int64_t *ret_divergence);

/* Housekeeping at now: maintenance windows starting/ending (recorded in the
 * journal), flapping ending, held children whose parent never went down,
 * journal writes to retry, reminders for unacknowledged faults past their
 * deadline (at most once a minute). */
void alerts_tick(struct alerts_engine *e, double now);

/* Current state of device dev; *ret_flapping (may be NULL) set when it
 * is flapping. *ret_fault (may be NULL) gets its active fault id or 0. */
enum obj_state alerts_device_state(const struct alerts_engine *e,
				   uint32_t dev, int *ret_flapping,
				   int64_t *ret_fault);

/* When device dev's poll results last changed its availability (the
 * first failed poll of a run that took it down, the first good one of a
 * recovery); 0 before any change. The status snapshot's "since". */
double alerts_device_since(const struct alerts_engine *e, uint32_t dev);

/* How many consecutive polls may be needed to confirm a change of
 * device dev's state: the larger of its down_after and up_after. A
 * trap's confirmation polls the device up to that many times
 * (collector/gen.c), so an outage opens within seconds; each result still
 * goes through alerts_device_result like any other. */
int alerts_confirm_polls(const struct alerts_engine *e, uint32_t dev);

/* Active "nodata" fault id of device dev, or 0. */
int64_t alerts_device_nodata(const struct alerts_engine *e, uint32_t dev);

/* Counters for status and tests. */
struct alerts_stats {
	uint64_t opened, resolved, reminders, journal_errors;
	size_t down, unreachable, maint, flapping, nodata;
	char last_error[256];
};
void alerts_engine_stats(const struct alerts_engine *e,
			 struct alerts_stats *ret);

/* Is device dev inside a maintenance window at t? (also for sla/) */
int alerts_in_maintenance(const struct config *cfg, size_t dev, double t);

#endif
