/*
 * status.h - the live status snapshot: slamond replaces a JSON file
 * atomically (write to a temporary file, fsync, rename) every few seconds;
 * `slamon status` (cli/cmd_status.c) reads it. Readers never see a
 * half-written file.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_STATUS_H
#define SLAMON_STATUS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts/engine.h"
#include "collector/metric.h"
#include "collector/capture_store.h"
#include "core/config.h"
#include "probes/icmp_sweep.h"
#include "storage/rrdstore.h"

/* One device as the snapshot shows it; alerts/ decided the state. */
struct status_device {
	enum obj_state state;
	double since;      /* last availability change, 0 never */
	int flapping;
	int64_t fault;     /* active down fault, 0 none */
	int64_t nodata;    /* active nodata fault, 0 none */
	const char *error; /* the probe's last failure, "" none */
	int icmp;          /* an ICMP device (the inventory's probe) */
	double rtt_ms;     /* ICMP: average RTT of the last poll, NAN none */
	double loss_pct;   /* ICMP: echo loss of the last poll, NAN none */
};

/* One monitored interface of a backbone or exit device, or of a device
 * with a contracted capacity. Its utilisation is measured against the
 * contracted capacity (capacity_mbps of the inventory) first, else the
 * interface speed, as the alerts util rule and the SLA measure it; the
 * snapshot says which ("util_basis", "util_base_mbps"). */
struct status_link {
	const char *ifname;
	double in_bps, out_bps; /* NAN unknown */
	double speed_mbps;      /* interface speed, 0 unknown */
	double t;               /* time of the rates */
};

/* Everything a snapshot is made of, read through callbacks so that a
 * test can build one from a fixed state without a daemon. */
struct status_source {
	const struct config *cfg;
	double now, started;
	uint64_t polls, late, skipped, inflight;
	/* Fills *ret for device i. */
	void (*device)(void *arg, size_t i, struct status_device *ret);
	/* Fills *ret for interface slot k of device i: 0, or -1 past the
	 * last slot. Asked only for backbone and exit devices and devices
	 * with a contracted capacity. */
	int (*link)(void *arg, size_t i, size_t k, struct status_link *ret);
	void *arg;
	const struct alerts_stats *faults;            /* NULL: none */
	const uint64_t *discards;                      /* DISCARD_COUNT */
	const struct rrd_writer_stats *rrd;            /* NULL: no RRD */
	json_t *captures;                              /* taken; NULL = [] */
	const struct capture_store_stats *records;     /* NULL: not kept */
	const struct icmp_sweep_stats *sweep;          /* NULL: no sweep */
	json_t *services;  /* [service] sections, taken; NULL = no member */
	/* NULL: the links are in the tree. Else the snapshot leaves "links"
	 * empty and renders them into the cache, again only for a device
	 * whose links changed since the last snapshot with this cache;
	 * status_write_cached puts them in place. */
	struct status_cache *cache;
};

/* The snapshot document (docs/architecture.md, "status.json"); NULL when
 * out of memory. The caller owns it. */
json_t *status_snapshot(const struct status_source *src);

/* Writes snap to path atomically. Returns 0, or a negative errno with a
 * one-line reason naming the file in err. */
int status_write(const char *path, const json_t *snap, char *err,
		 size_t errlen);

/* The links of the snapshots of one writer, kept as text between them
 * (at 2,000 links, the snapshot's largest and mostly unchanged part). */
struct status_cache;
struct status_cache *status_cache_new(void);
void status_cache_free(struct status_cache *c);

/* status_write of a snapshot built with src->cache = cache: the same
 * bytes as status_write of the snapshot built without it. */
int status_write_cached(const char *path, const json_t *snap,
			const struct status_cache *cache, char *err,
			size_t errlen);

#endif
