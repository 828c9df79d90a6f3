/*
 * rrdstore.h - the RRD writer: one writer thread that creates and updates RRD
 * files (librrd's thread-safe calls, or rrdcached when configured), fed by a
 * bounded queue so the loop thread never blocks on disk.
 *
 * Files are named by stable device and interface names, never by ifIndex:
 *   <dir>/<device>/device.rrd        reach (0..1), latency_ms
 *   <dir>/<device>/if-<ifname>.rrd   traffic: in, out (bits/s)
 *   <dir>/<device>/st-<ifname>.rrd   status: oper (0..1 share up),
 *                                    inerr, outerr, indisc, outdisc (/s)
 * Names are percent-encoded (storage_name_encode) so any interface name
 * maps to exactly one file and no file name holds '/' or ':'.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_RRDSTORE_H
#define SLAMON_RRDSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define RRD_STEP 60

/* One interface row; NAN means unknown (written as U). */
struct if_row {
	double in_bps, out_bps;
	double oper;   /* 1 up, 0 not up */
	double in_err, out_err, in_disc, out_disc; /* per second */
};

/* One device row; NAN means unknown. */
struct dev_row {
	double reach;      /* 1 answered, 0 not */
	double latency_ms;
};

struct rrd_writer;

/* Rows, not files: an interface row updates two files and counts as failed
 * when either update fails. submitted: queued; written/failed: done;
 * dropped: refused, queue full; created: files created. last_error names
 * the file. */
struct rrd_writer_stats {
	uint64_t submitted, written, failed, dropped, created;
	size_t queued;
	char last_error[256];
};

/* Starts the writer thread. dir must exist or be creatable; rrdcached is
 * NULL/"" for direct writes, else an address librrd accepts
 * ("unix:/path" or "host:port"). queue_max bounds queued rows (0: 65536).
 * Returns 0, or a negative errno with a one-line reason in err. */
int rrd_writer_create(const char *dir, const char *rrdcached, size_t queue_max,
		      struct rrd_writer **ret_w, char *err, size_t errlen);

/* Queue one row (copied). Never blocks: returns -EAGAIN when the queue is
 * full (the row is counted as dropped). t is the sample time (epoch s). */
int rrd_writer_submit_if(struct rrd_writer *w, const char *device,
			 const char *ifname, time_t t, const struct if_row *row);
int rrd_writer_submit_dev(struct rrd_writer *w, const char *device, time_t t,
			  const struct dev_row *row);

/* Blocks until every row queued before the call is written. */
void rrd_writer_flush(struct rrd_writer *w);

void rrd_writer_stats_get(struct rrd_writer *w, struct rrd_writer_stats *ret);

/* Flushes pending rows, stops the thread, frees. Accepts NULL. */
void rrd_writer_destroy(struct rrd_writer *w);

/* Percent-encodes name into out: ASCII bytes outside [A-Za-z0-9._-] and
 * bytes of invalid UTF-8 are written as %XX; valid UTF-8 multi-byte
 * sequences (Chinese names) pass unchanged, so the mapping is one-to-one.
 * A leading '.' is escaped too, so no name makes a "." or ".." folder or a
 * hidden file. An empty name encodes as "%". Returns 0, or -ENAMETOOLONG when out is
 * too small. */
int storage_name_encode(const char *name, char *out, size_t outlen);

/* Path helpers: fill out with the file path for a device / interface. */
int storage_path_dev(const char *dir, const char *device, char *out,
		     size_t outlen);
int storage_path_if(const char *dir, const char *device, const char *ifname,
		    char *out, size_t outlen);
int storage_path_ifstatus(const char *dir, const char *device,
			  const char *ifname, char *out, size_t outlen);

/* The DS and RRA definitions (rrdcreate(1) syntax) each kind of file is
 * created with: static, NULL-terminated, *ret_argc gets the count. The
 * writer uses these tables; docs and tests read them. */
enum storage_layout {
	STORAGE_LAYOUT_TRAFFIC, /* if-*.rrd */
	STORAGE_LAYOUT_STATUS,  /* st-*.rrd */
	STORAGE_LAYOUT_DEVICE,  /* device.rrd */
};
const char *const *storage_layout_args(enum storage_layout l, int *ret_argc);

#endif
