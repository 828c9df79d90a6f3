/*
 * web.h - slamond's front door: an HTTP server (H2O, on slamond's one
 * libuv loop) serving the console's static files, the JSON API
 * (/api/v1/..., docs/api.md) and Prometheus /metrics, with logins from the
 * users file, sessions, CSRF tokens and an audit trail in the journal.
 * See docs/web.md.
 *
 * The daemon hands the server a struct web_source: callbacks that read the
 * running generation's live state (availability as alerts/ decided it, the
 * interfaces' last rates, the poll counters). They run on the loop thread
 * only. Slow work (journal queries, SLA evaluation, series reads, reports,
 * password hashing) runs on the libuv threadpool.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_WEB_H
#define SLAMON_WEB_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "alerts/engine.h"
#include "core/config.h"

/* One device as the alerts engine sees it now. */
struct web_device_view {
	enum obj_state state;
	double since;  /* last availability change, 0 never */
	int64_t fault; /* active down (or nodata) fault, 0 none */
	int flapping;
};

/* One discovered interface of a device and its last rates. */
struct web_iface_view {
	const char *name;       /* valid until the callback's caller returns */
	double in_bps, out_bps; /* NAN unknown */
	double speed_mbps;      /* 0 unknown */
	double t;               /* time of the rates, 0 none */
};

/* Upper bounds (seconds) of the poll duration histogram's buckets. */
#define WEB_POLL_BUCKETS 8
extern const double web_poll_buckets[WEB_POLL_BUCKETS];

/* The daemon's counters. */
struct web_counters {
	uint64_t polls, late, skipped, inflight;
	double started;
	/* poll durations: hist[k] polls that took at most
	 * web_poll_buckets[k] (not cumulative), hist[WEB_POLL_BUCKETS]
	 * the longer ones; poll_seconds their sum */
	uint64_t hist[WEB_POLL_BUCKETS + 1];
	double poll_seconds;
};

struct web_source {
	void *arg;
	/* The running configuration (changes on reload). */
	const struct config *(*config)(void *arg);
	void (*device)(void *arg, size_t i, struct web_device_view *ret);
	/* Interface slot k of device i: 0, or -1 past the last slot. */
	int (*iface)(void *arg, size_t i, size_t k, struct web_iface_view *ret);
	void (*counters)(void *arg, struct web_counters *ret);
};

struct web_server;

/* Starts serving cfg's [web] listen addresses on loop. Returns 0 and
 * *ret_ws; 0 with *ret_ws NULL when cfg has no [web] section; or a
 * negative errno with one line in err (an address that cannot be bound is
 * named, a TLS file that cannot be loaded, out of memory). src is copied. */
int web_server_start(uv_loop_t *loop, const struct config *cfg,
		     const struct web_source *src, const char *version,
		     struct web_server **ret_ws, char *err, size_t errlen);

/* After a reload: reads the users file again (the running users stay when
 * the new file is bad: logged), takes the new session lifetime. */
void web_server_reload(struct web_server *ws, const struct config *cfg);

/* On the loop, when the daemon stops: closes the listeners and every
 * connection (in-flight jobs finish; their answers go nowhere). Accepts
 * NULL. */
void web_server_stop(struct web_server *ws);

/* After uv_run() returned: frees everything. Accepts NULL. */
void web_server_destroy(struct web_server *ws);

#endif
