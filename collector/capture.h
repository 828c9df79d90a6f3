/*
 * capture.h - the daemon's side of packet capture ([capture NAME], issue
 * 6): the bridge between the pcap probe's capture threads and the libuv
 * loop. Capture threads (live) and threadpool workers (file replay) hand
 * each finished interval, by copy, to a mutex-protected queue and wake the
 * loop with uv_async_send; on the loop each interval becomes an interface
 * row of the pseudo interface "pcap-NAME" of the configured device (RRD,
 * same writer as SNMP), a record of its counts and top talkers in the
 * journal (capture_store.h), feeds the alerts engine (drops), and is
 * cross-checked with the SNMP rate of the configured interface.
 *
 * Privileges (OpenBSD ntpd order): capture_bridge_open() opens every live
 * handle and must run first, while the process still has CAP_NET_RAW;
 * nothing else (files, sockets, threads) exists yet at that point, so a
 * privilege drop belongs right after it. capture_bridge_start() then only
 * starts threads on handles already open.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CAPTURE_H
#define SLAMON_CAPTURE_H

#include <jansson.h>
#include <uv.h>

#include "core/config.h"

struct rrd_writer;
struct alerts_engine;
struct capture_bridge;

/* Creates the bridge (also with no [capture] section: a reload may add
 * some) and opens every live capture of cfg (the bridge keeps its own
 * copy of each section). A capture that cannot be opened is logged
 * ("file:line: [capture NAME]: reason") and listed in status with its
 * error; that is not fatal. Returns 0 or -ENOMEM. Every function accepts
 * b == NULL. Loop thread. */
int capture_bridge_open(uv_loop_t *loop, const struct config *cfg,
			struct capture_bridge **ret_b);

/* The sinks of the current generation: where rows and alerts go. w and ae
 * may be NULL (no RRD, faults not tracked). Captures are matched by name
 * with cfg->captures (alerts use that index). Call again after every
 * reload, and with ae = NULL before the alerts engine goes away. */
void capture_bridge_attach(struct capture_bridge *b, const struct config *cfg,
			   struct rrd_writer *w, struct alerts_engine *ae);

/* Where each complete interval's record (counts, drops, top talkers and
 * ports) goes; NULL: not kept. The store outlives the bridge's use. */
struct capture_store;
void capture_bridge_set_store(struct capture_bridge *b,
			      struct capture_store *store);

/* Applies the [capture] sections of a reloaded cfg (validated): a capture
 * whose section is unchanged keeps running (current interval, totals,
 * cross-check); drop_alert and crosscheck_share apply in place. A removed
 * one is stopped (live: its thread joined, at most timeout_ms; its queued
 * intervals written) or, while its file is being replayed, abandoned; a
 * changed one is stopped, then opened and started again; a new one is
 * opened and started. A live capture that cannot be opened now (no
 * interface, bad filter, or no CAP_NET_RAW any more) is logged with its
 * file:line and shown with state "error"; the others are not affected.
 * Call before capture_bridge_attach with the new generation. Loop
 * thread. */
void capture_bridge_reload(struct capture_bridge *b, const struct config *cfg);

/* Starts the capture threads of the live captures that opened, and the
 * one-shot replay of every file capture (libuv threadpool). Returns 0 or
 * the first error (the other captures still start). */
int capture_bridge_start(struct capture_bridge *b);

/* An SNMP interface row (metric engine sink): when a live capture
 * cross-checks device/ifname, its rate (in + out, bit/s over the poll
 * window ending at t) is compared with the capture's over the same window
 * once the capture has covered it. Loop thread; cheap. */
void capture_bridge_snmp_row(struct capture_bridge *b, const char *device,
			     const char *ifname, double t, double in_bps,
			     double out_bps);

/* The "captures" array of status.json (new reference), or NULL when b is
 * NULL or memory runs out. */
json_t *capture_bridge_status(const struct capture_bridge *b);

/* Stops every capture thread (joins; each hands over its partial
 * interval) and processes what is queued, so that a status written next
 * is complete. File replays still running finish on their own; their
 * later intervals are dropped. Loop thread. */
void capture_bridge_stop(struct capture_bridge *b);

/* Closes the libuv handle; memory goes when it is closed and no file
 * replay is running any more (uv_run returns only after both). */
void capture_bridge_close(struct capture_bridge *b);

#endif
