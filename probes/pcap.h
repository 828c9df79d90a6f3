/*
 * pcap.h - the pcap probe: traffic accounting of a capture file (offline)
 * or of a live interface (typically a mirror/SPAN port), per interval and
 * direction, through the pure decoder in pcap_decode.h.
 *
 * Only probes/pcap.c includes <pcap.h>; callers see our types. Live capture
 * runs on a thread of its own (decoding at line rate must not stall the
 * libuv loop) and hands each finished interval, by copy, to a callback on
 * that thread; the daemon bridges it to the loop with uv_async_send.
 *
 * Order for the daemon (OpenBSD ntpd style): capture_live_open() for every
 * configured capture while still root (it activates the handle and installs
 * the BPF filter), then drop privileges, then capture_live_start().
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_PCAP_H
#define SLAMON_PROBE_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include "pcap_decode.h"

/* Called with each finished interval (and, with complete = 0, the last
 * partial one). The struct is only valid during the call: copy it. */
typedef void (*capture_interval_cb)(void *arg,
				    const struct capture_interval *iv);

/* Accounting options common to files and live capture. */
struct capture_options {
	const struct capture_prefixes *local; /* copied; NULL: none local */
	double interval_s;  /* bucket length; 0: 60. Buckets are aligned to
	                       multiples of interval_s since the epoch */
	size_t top_n;       /* top ports/talkers kept; 0: 10, max 32 */
	size_t max_talkers; /* talker slots per side; 0: 16384 (see
	                       capture_agg_config) */
};

/* What capture_file_account learnt of the file besides the counts. */
struct capture_file_info {
	int linktype;           /* pcap_datalink() value */
	char linktype_name[32]; /* "EN10MB", "LINUX_SLL", ... */
	size_t nintervals;      /* intervals handed to the callback */
	int read_error;         /* 1: libpcap stopped mid-file (bad record
	                           header, truncated file); counts hold what
	                           was read before */
	char read_msg[256];     /* libpcap's message when read_error */
};

/* Accounts every record of the pcap/pcapng file at path. cb (may be NULL)
 * receives each interval in time order (a record whose time goes back is
 * kept in the current interval and counted as ts_backwards; the last one
 * has complete = 0); *ret_total gets the whole file (start = first
 * interval, length_s = span of packet times). Returns 0 (also when
 * read_error is set in *ret_info), -ENOENT/-EINVAL/-ENOMEM with
 * "PATH: libpcap's message" in err when the file cannot be opened; then
 * cb is never called. ret_info may be NULL. */
int capture_file_account(const char *path, const struct capture_options *opt,
			 capture_interval_cb cb, void *arg,
			 struct capture_interval *ret_total,
			 struct capture_file_info *ret_info, char *err,
			 size_t errlen);

enum capture_direction {
	CAPTURE_CAPDIR_INOUT, /* pcap_setdirection: both (default) */
	CAPTURE_CAPDIR_IN,
	CAPTURE_CAPDIR_OUT,
};

struct capture_live_config {
	const char *ifname;     /* interface to open (required) */
	const char *filter;     /* BPF expression; NULL or "": everything */
	int snaplen;            /* 0: 128 (headers only) */
	int buffer_bytes;       /* TPACKET_V3 ring size; 0: 32 MiB */
	int promisc;            /* 1 for a mirror port */
	int timeout_ms;         /* ring block timeout; 0: 100 */
	enum capture_direction direction;
	struct capture_options opt;
};

struct capture_live;

/* Opens and activates the capture handle (needs CAP_NET_RAW: call before
 * dropping privileges), in the calling thread's network namespace. Uses
 * TPACKET_V3 (immediate mode off), the configured buffer, snaplen and BPF
 * filter. Returns 0, or a negative errno with "IFNAME: reason" in err
 * (-EPERM without privileges, -ENODEV for an unknown interface, -EINVAL
 * for a filter that does not compile). A PCAP_WARNING from activation is
 * not an error; capture_live_warning() returns it. */
int capture_live_open(const struct capture_live_config *cfg,
		      struct capture_live **ret_c, char *err, size_t errlen);

/* "" or the warning pcap_activate gave (e.g. promiscuous mode refused). */
const char *capture_live_warning(const struct capture_live *c);

/* Starts the capture thread. cb runs on that thread once per interval
 * (aligned to wall-clock multiples of interval_s, flushed at most
 * 2 x timeout_ms after the boundary) with pcap_stats drop deltas filled in
 * (stats_valid = 1). Returns 0, -EALREADY, or -errno from pthread_create
 * (then cb is never called). */
int capture_live_start(struct capture_live *c, capture_interval_cb cb,
		       void *arg);

/* Stops the thread (pcap_breakloop, then join); the partial interval is
 * handed to cb first, with complete = 0. Safe when not started. Must not
 * be called from cb. */
void capture_live_stop(struct capture_live *c);

/* After capture_live_stop: "" or why the thread ended early (libpcap's
 * message, e.g. the interface went away). */
const char *capture_live_error(const struct capture_live *c);

/* Cumulative kernel counters since open (pcap_stats). Thread-safe. */
void capture_live_totals(struct capture_live *c, uint64_t *ret_packets,
			 uint64_t *ret_bytes, uint64_t *ret_drops,
			 uint64_t *ret_ifdrops);

/* Stops if needed, closes the handle, frees. Accepts NULL. */
void capture_live_destroy(struct capture_live *c);

#endif
