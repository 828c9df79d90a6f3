/*
 * capture.h - the daemon's side of packet capture ([capture NAME], issue
 * 6): the bridge between the pcap probe's capture threads and the libuv
 * loop. Capture threads (live) and threadpool workers (file replay) hand
 * each finished interval, by copy, to a mutex-protected queue and wake the
 * loop with uv_async_send; on the loop each interval becomes an interface
 * row of the pseudo interface "pcap-NAME" of the configured device (RRD,
 * same writer as SNMP), feeds the alerts engine (drops), and is
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

#include "config.h"

struct rrd_writer;
struct alerts_engine;
struct capture_bridge;

/* Copies cfg->captures (the bridge keeps its own copy: captures are not
 * changed by a reload) and opens every live capture. A capture that cannot
 * be opened is logged ("file:line: [capture NAME]: reason") and listed in
 * status with its error; that is not fatal. With no [capture] sections
 * *ret_b is NULL and 0 is returned (every function accepts NULL). Returns
 * 0 or -ENOMEM. Loop thread. */
int capture_bridge_open(uv_loop_t *loop, const struct config *cfg,
			struct capture_bridge **ret_b);

/* The sinks of the current generation: where rows and alerts go. w and ae
 * may be NULL (no RRD, faults not tracked). Captures are matched by name
 * with cfg->captures (alerts use that index); a capture added or changed
 * by a reload is logged as needing a restart. Call again after every
 * reload, and with ae = NULL before the alerts engine goes away. */
void capture_bridge_attach(struct capture_bridge *b, const struct config *cfg,
			   struct rrd_writer *w, struct alerts_engine *ae);

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
