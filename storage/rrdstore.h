/*
 * rrdstore.h - RRD files, the only door to librrd (docs/storage.md): the
 * writer, one thread that creates and updates RRD files (librrd's
 * thread-safe calls, or rrdcached when configured), fed by a bounded queue
 * so the loop thread never blocks on disk; batch writes of many rows per
 * file (history tools); and the reads sla/ builds on: series on a grid,
 * the last update, the interface files of a device, charts as PNG.
 *
 * Files are named by stable device and interface names, never by ifIndex:
 *   <dir>/<device>/device.v4.rrd        latency_ms, loss (0..1: echoes lost, else 1 - reach)
 *   <dir>/<device>/if-<ifname>.v4.rrd   traffic: in, out (bits/s)
 *   <dir>/<device>/st-<ifname>.v4.rrd   status: oper (0..1 share up),
 *                                       inerr, outerr, indisc, outdisc (/s)
 * ".v4" is the layout version (STORAGE_LAYOUT_VERSION): a later layout
 * gets new names, so a migration finds the files of each version by name.
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

/* The layout version every file name carries (docs/storage.md). A file
 * that has the name but not the layout is refused, never written. */
#define STORAGE_LAYOUT_VERSION 4
#define STORAGE_LAYOUT_SUFFIX ".v4.rrd"

/* One interface row; NAN means unknown (written as U). */
struct if_row {
	double in_bps, out_bps;
	double oper;   /* 1 up, 0 not up */
	double in_err, out_err, in_disc, out_disc; /* per second */
	/* 1: a report reads this interface's monthly 95th percentile (a link:
	 * sla_link_device), so its traffic file keeps 5-minute rows for 400
	 * days (STORAGE_LAYOUT_TRAFFIC); 0: for two weeks, graphs only
	 * (STORAGE_LAYOUT_TRAFFIC_GRAPH). A graph-only file is grown in place
	 * the first time a row says 1. */
	int link;
};

/* One device row; NAN means unknown. The device file keeps latency_ms
 * and loss: the share of the poll's echo requests lost when has_loss (an
 * ICMP poll of several echoes), else 1 - reach (availability is in the
 * journal's state log). */
struct dev_row {
	double reach;      /* 1 answered, 0 not */
	double latency_ms;
	double loss;       /* 0..1, used when has_loss */
	int has_loss;
};

struct rrd_writer;

/* Rows, not files: an interface row updates two files and counts as failed
 * when either update fails. submitted: queued; written/failed: done;
 * dropped: refused, queue full; created: files created. last_error names
 * the file. */
struct rrd_writer_stats {
	uint64_t submitted, written, failed, dropped, created;
	uint64_t batches;  /* rrd_update_r rounds / rrdcached BATCHes */
	uint64_t deferred; /* rows that waited for their file's creation */
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

/* Batching (docs/storage.md, "Writing"): rows wait up to hold_s seconds in
 * the queue so that the rows of one file go in one rrd_update_r call
 * (direct writes; through rrdcached they go out every 0.2 s at least, as
 * one BATCH); 0 writes them at once. At most create_per_s files are
 * created a second (0: no limit); a row whose file must wait keeps its
 * place (rows of one file stay in order) and is written once the file
 * exists. Flush and destroy write everything (destroy creates without
 * limit). Defaults: 0 and 0. */
void rrd_writer_set_batch(struct rrd_writer *w, double hold_s,
			  unsigned create_per_s);

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

/* mkdir -p: creates each missing folder of path with mode 0755 (the
 * storage folder, device folders). 0, or a negative errno (-ENOTDIR when
 * path is not a folder). */
int storage_mkdir_p(const char *path);

/* The DS and RRA definitions (rrdcreate(1) syntax) each kind of file is
 * created with: static, NULL-terminated, *ret_argc gets the count. The
 * writer uses these tables; docs and tests read them. */
enum storage_layout {
	STORAGE_LAYOUT_TRAFFIC, /* if-*.v4.rrd of a link: 5 min for 400 days */
	STORAGE_LAYOUT_STATUS,  /* st-*.v4.rrd */
	STORAGE_LAYOUT_DEVICE,  /* device.v4.rrd */
	STORAGE_LAYOUT_TRAFFIC_GRAPH, /* if-*.v4.rrd, graphs only: 5 min for
					 14 days */
};
const char *const *storage_layout_args(enum storage_layout l, int *ret_argc);

/* ---- batch writes (rrdbatch.c) ---------------------------------------- */

/* The rows of one file for storage_rrd_batch_write: nrows rows of the
 * layout's data sources in their storage_layout_args order (device:
 * latency_ms, loss; traffic: in, out; status: oper, inerr, outerr, indisc,
 * outdisc), row-major, NAN for unknown. Borrowed for the call only. */
struct rrd_batch {
	enum storage_layout layout; /* which file of the device */
	const char *device;
	const char *ifname;  /* interface (NULL for STORAGE_LAYOUT_DEVICE) */
	const time_t *t;     /* nrows sample times, ascending */
	const double *v;     /* nrows * storage_layout_ncols(layout) */
	size_t nrows;
	time_t create_t;     /* a missing file is created as last updated at
				create_t (0: one RRD_STEP before t[0], as the
				writer does) */
	int digits;          /* significant digits written, 1..17 (0: 17,
				every double exactly) */
};

/* Number of data sources in a file of layout l. */
int storage_layout_ncols(enum storage_layout l);

/* Writes each of the n batches into its file under dir (storage_path_*
 * names) with one librrd update call per file, creating a missing file
 * (and its device folder) with the layout's definitions first. Direct
 * librrd writes, no rrdcached: for tools that fill files before slamond
 * runs. Several threads may call it at once for different files. Returns
 * 0, or a negative errno with one line naming the file in err; the
 * batches before the failing one are written. */
int storage_rrd_batch_write(const char *dir, const struct rrd_batch *b,
			    size_t n, char *err, size_t errlen);

/* ---- reads (rrdread.c) ------------------------------------------------ */

#define RRD_SERIES_COLS_MAX 8

/* A read of data sources of one file onto a grid of nb buckets of step
 * seconds starting at from: out[k][i] is ds[k] consolidated by cf over
 * the step ending at from + (i + 1) * step, NAN when unknown. When the
 * file holds only coarser rows (5-minute rows expired, 1-hour rows left)
 * one row fills every bucket it covers. The caller owns every pointer;
 * storage_series_read fills out and res. */
struct rrd_series {
	const char *file;
	const char *cf;          /* "AVERAGE" (NULL) or "MAX" */
	double from;
	unsigned long step;      /* 300: the SLA grid of 5-min samples */
	size_t nb;
	size_t ncols;            /* 1..RRD_SERIES_COLS_MAX */
	const char *const *ds;   /* ncols data source names */
	double *const *out;      /* ncols arrays of nb values */
	unsigned long res;       /* set: the row length librrd answered with */
};

/* Reads s (the 5-minute AVERAGE samples a 95th percentile is taken from
 * are one such read). out is first filled with NAN. Returns 0; -ENOENT
 * (or the access(2) error) when the file is missing or unreadable,
 * -EINVAL for a bad request or a data source the file lacks, -EIO when
 * librrd fails; err names the file. */
int storage_series_read(struct rrd_series *s, char *err, size_t errlen);

/* The time of the last update of file into *ret_t. -ENOENT when the file
 * is missing, -EIO when librrd cannot read it; err names the file. */
int storage_rrd_last(const char *file, time_t *ret_t, char *err,
		     size_t errlen);

/* The interfaces of device that have a traffic file (if-*.v4.rrd) under
 * dir, names decoded, sorted: a malloc'd array of malloc'd strings, freed
 * with storage_if_list_free. A device without a folder has none (0).
 * -ENOMEM (nothing returned) or -ENAMETOOLONG. */
int storage_if_list(const char *dir, const char *device, char ***ret_names,
		    size_t *ret_n);

/* Frees what storage_if_list returned. Accepts NULL. */
void storage_if_list_free(char **names, size_t n);

/* storage_name_encode's inverse: %XX back to the byte. Returns 0, or
 * -ENAMETOOLONG when out is too small. */
int storage_name_decode(const char *enc, char *out, size_t outlen);

/* ---- charts (rrdchart.c) ---------------------------------------------- */

enum storage_chart_kind {
	STORAGE_CHART_AREA,
	STORAGE_CHART_LINE, /* 1 px */
};

/* One data source of the chart's file, drawn as an area or a line. */
struct storage_chart_item {
	enum storage_chart_kind kind;
	const char *ds;      /* data source name, also its graph name */
	uint32_t rgb;        /* 0xRRGGBB */
	const char *legend;  /* no ':' */
};

/* A chart of one RRD file's AVERAGE rows over [start, end). Every
 * pointer is borrowed for the call. */
struct storage_chart {
	const char *file;
	double start, end;
	unsigned width, height;      /* plot area, pixels */
	const char *font;            /* fontconfig name of the DEFAULT font */
	unsigned font_size;          /* points */
	const char *title;
	const char *vlabel;          /* vertical axis label */
	const char *tz;              /* time axis in this zone (NULL: TZ) */
	double lower_limit;          /* NAN: none */
	unsigned base;               /* 1000 or 1024 (0: 1000) */
	const struct storage_chart_item *items;
	size_t nitems;               /* at most 8 */
	double hrule;                /* a horizontal rule here, NAN: none */
	uint32_t hrule_rgb;
	const char *hrule_legend;    /* no ':' */
	const char *comment;         /* a legend line when hrule is NAN, or
					NULL */
	/* additions of issue 14 (zero: as before) */
	double scale;                /* each item drawn as value * scale
					(a CDEF), 0: as stored */
	const char *hrule2_legend;   /* a second rule at hrule2 when not
					NULL (no ':') */
	double hrule2;
	uint32_t hrule2_rgb;
	const char *x_grid;          /* rrdgraph --x-grid (strftime labels,
					e.g. "%m月%d日"), NULL: rrdtool's */
	double upper_limit;          /* 0: none */
	int no_tag;                  /* --disable-rrdtool-tag */
};

/* Renders c with librrd's rrd_graph into a malloc'd PNG the caller
 * frees (*ret_png, *ret_len). Not thread-safe: it sets TZ for the call
 * when tz is given. Returns 0, or -EINVAL, -ENOMEM, -EIO with one line
 * naming the file in err. */
int storage_chart_png(const struct storage_chart *c, unsigned char **ret_png,
		      size_t *ret_len, char *err, size_t errlen);

#endif
