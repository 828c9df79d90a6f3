/*
 * metric.h - the metric engine: the one place where counter deltas become
 * rates. It owns counter semantics (32-bit wrap, 64-bit reset, agent reboot,
 * speed cap, first sample) so that no probe or store second-guesses them.
 *
 * Feed it the samples of one device poll, closed by SAMPLE_END; it then
 * calls the sink once per monitored interface and once for the device.
 * Pure computation: no I/O, no event loop, no allocation after setup.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_METRIC_H
#define SLAMON_METRIC_H

#include <stddef.h>
#include <stdint.h>

#include "core/sample.h"

/* Why a rate was not produced. Every discarded delta is counted. */
enum discard_reason {
	DISCARD_FIRST,     /* first sample: nothing to compare with */
	DISCARD_REBOOT,    /* sysUpTime went back: agent restarted */
	DISCARD_RESET,     /* a 64-bit counter went back, or its width changed */
	DISCARD_OVERSPEED, /* rate above interface speed / contracted capacity */
	DISCARD_TIME,      /* no time elapsed between the two samples */
	DISCARD_MISSING,   /* value absent or of a bad type in this poll */
	DISCARD_MULTIWRAP, /* a Counter32 may have wrapped more than once */
	DISCARD_COUNT
};

const char *discard_reason_name(enum discard_reason r);

/* Rates of one interface over the last poll interval (NAN = unknown). */
struct metric_if {
	double in_bps, out_bps;
	double oper; /* 1 up, 0 not up */
	double in_err, out_err, in_disc, out_disc; /* per second */
};

/* The device's own row: did the poll answer, and how fast. */
struct metric_dev {
	double reach; /* 1 answered, 0 not */
	double latency_ms;
	double loss_pct; /* ICMP polls: echoes lost, percent; else NAN */
};

/* What the engine hands on after a poll. ifslot -1: the device row. The
 * sinks (collector/sinks.c) translate it for storage, alerts and the
 * status; the engine knows none of them. */
struct metric_row {
	uint32_t device;
	int32_t ifslot;
	double t;
	struct metric_if ifr;  /* valid when ifslot >= 0; NAN = unknown */
	struct metric_dev dev; /* valid when ifslot == -1 */
	double speed_mbps;  /* interface speed last seen (0 unknown) */
	int poll_status;    /* device rows: enum poll_status of the poll */
};

typedef void (*metric_sink_fn)(void *arg, const struct metric_row *row);

struct metric_engine;

/* Creates an engine for ndevices devices (indices 0..ndevices-1), each with
 * no interfaces until metric_engine_device_setup. Returns NULL on ENOMEM. */
struct metric_engine *metric_engine_create(size_t ndevices, metric_sink_fn sink,
					   void *arg);
void metric_engine_destroy(struct metric_engine *me);

/* (Re)defines the monitored interfaces of a device after discovery and
 * forgets its counter history: interfaces re-numbered by a reboot never mix
 * two ports' history. capacity_mbps may be NULL (no contracted capacity) or
 * hold nifs values, 0 meaning none. Returns 0 or -ENOMEM / -EINVAL. */
int metric_engine_device_setup(struct metric_engine *me, uint32_t device,
			       size_t nifs, const double *capacity_mbps);

/* Forgets the device's uptime and counter history (the next poll is a first
 * sample again) without changing its interfaces. */
void metric_engine_device_reset(struct metric_engine *me, uint32_t device);

/* After a reload that kept the device unchanged: takes over old's history
 * of old_dev (interfaces, counters, uptime). Returns 0 or -ENOMEM. */
int metric_engine_device_adopt(struct metric_engine *me, uint32_t device,
			       const struct metric_engine *old,
			       uint32_t old_dev);

/* Takes one sample. Samples for unknown devices or slots are ignored. */
void metric_engine_feed(struct metric_engine *me, const struct sample *s);

/* Copies the per-reason discard counts into ret (DISCARD_COUNT entries). */
void metric_engine_discards(const struct metric_engine *me, uint64_t *ret);

#endif
