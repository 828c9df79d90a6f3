/*
 * rrdlayout.c - the RRD layouts (data sources and archives each kind of file
 * is created with, docs/storage.md "Layouts") and the check that a file
 * about to be written has the layout its name promises.
 *
 * Layout version 4. The version is in every file name (device.v4.rrd,
 * if-NAME.v4.rrd, st-NAME.v4.rrd), so a later layout gets new names and a
 * migration finds the old files by name; the check below compares the
 * file's step, data sources (names, in order) and archives with the table
 * before the first write, so a file that merely carries the name is
 * refused, naming the file, instead of being written with wrong columns.
 * SPDX-License-Identifier: MIT
 */
#include "rrdstore.h"
#include "rrd_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rrd.h>

/* 15 min: a row is written once per poll, and access devices are polled
 * every 300 s (plus jitter); a heartbeat below the poll interval would turn
 * every such minute into unknown. Intervals above ~10 min need more. */
#define HEARTBEAT "900"

/* Traffic of a link (an interface whose monthly 95th percentile a report
 * reads: sla_p95_device): the 95th percentile of any month of the last 13
 * is taken from the 5-min AVERAGE rows (400 days); 1-min rows only for the
 * console's graphs (3 days); hourly averages and peaks for 400 days (a
 * year's graph reads 9,600 rows, not 115,200). 2 DS x 8 bytes a row. */
/* What the two traffic shapes share: the data sources, 1-min rows for 3
 * days, hourly averages and peaks for 400 days; archive 1 (5-min rows)
 * is where they differ. */
#define TRAFFIC_DS "DS:in:GAUGE:" HEARTBEAT ":0:U", "DS:out:GAUGE:" HEARTBEAT ":0:U"
#define TRAFFIC_1MIN "RRA:AVERAGE:0.5:1:4320"          /* 1 min, 3 days */
#define TRAFFIC_HOURS                                                       \
	"RRA:AVERAGE:0.5:60:9600", /* 1 h, 400 days */                      \
		"RRA:MAX:0.5:60:9600" /* 1 h, 400 days */

static const char *traffic_args[] = {
	TRAFFIC_DS,
	TRAFFIC_1MIN,
	"RRA:AVERAGE:0.5:5:115200",  /* 5 min, 400 days */
	TRAFFIC_HOURS,
	NULL,
};

/* Traffic of every other interface (access points, switch ports): no
 * report reads its 95th percentile, so 5-min rows only for two weeks of
 * graphs; the same archives otherwise, so that it becomes a link file by
 * growing one archive in place (TRAFFIC_5MIN_RRA, storage__layout_check). */
static const char *traffic_graph_args[] = {
	TRAFFIC_DS,
	TRAFFIC_1MIN,
	"RRA:AVERAGE:0.5:5:4032",    /* 5 min, 14 days */
	TRAFFIC_HOURS,
	NULL,
};

/* The archive the two traffic shapes differ in (0-based) and its rows in
 * a link file. */
#define TRAFFIC_5MIN_RRA 1
#define TRAFFIC_5MIN_ROWS "115200"

/* Status and error rates: no report reads them (availability comes from
 * the journal's state intervals), the console graphs them: 1-min for 3 days,
 * hourly for 35 days, daily average and peak for 400 days. */
static const char *status_args[] = {
	"DS:oper:GAUGE:" HEARTBEAT ":0:1",
	"DS:inerr:GAUGE:" HEARTBEAT ":0:U",
	"DS:outerr:GAUGE:" HEARTBEAT ":0:U",
	"DS:indisc:GAUGE:" HEARTBEAT ":0:U",
	"DS:outdisc:GAUGE:" HEARTBEAT ":0:U",
	"RRA:AVERAGE:0.5:1:4320",    /* 1 min, 3 days */
	"RRA:AVERAGE:0.5:60:840",    /* 1 h, 35 days */
	"RRA:AVERAGE:0.5:1440:400",  /* 1 day, 400 days */
	"RRA:MAX:0.5:1440:400",      /* 1 day, 400 days: error peaks */
	NULL,
};

/* Latency and loss of every device, ICMP-only ones included: graphs only
 * (availability, "seen online" and completeness come from the journal's
 * state intervals, sla/avail.c), so 5-min rows for 14 days and hourly
 * ones for 400: 0.27 MB a device (docs/storage.md). loss is the share of
 * the poll's requests left unanswered (ICMP: echoes lost; else 1 - reach). */
static const char *device_args[] = {
	"DS:latency_ms:GAUGE:" HEARTBEAT ":0:U",
	"DS:loss:GAUGE:" HEARTBEAT ":0:1",
	"RRA:AVERAGE:0.5:1:2880",    /* 1 min, 2 days */
	"RRA:AVERAGE:0.5:5:4032",    /* 5 min, 14 days */
	"RRA:AVERAGE:0.5:60:9600",   /* 1 h, 400 days */
	"RRA:MAX:0.5:1440:400",      /* 1 day, 400 days: latency peaks */
	NULL,
};

static const char **layout_table(enum storage_layout l)
{
	switch (l) {
	case STORAGE_LAYOUT_TRAFFIC:
		return traffic_args;
	case STORAGE_LAYOUT_TRAFFIC_GRAPH:
		return traffic_graph_args;
	case STORAGE_LAYOUT_STATUS:
		return status_args;
	case STORAGE_LAYOUT_DEVICE:
		return device_args;
	}
	return NULL;
}

const char *const *storage_layout_args(enum storage_layout l, int *ret_argc)
{
	const char **args = layout_table(l);
	int n = 0;

	while (args != NULL && args[n] != NULL)
		n++;
	if (ret_argc != NULL)
		*ret_argc = n;
	return args;
}

/* What a file must have: step, DS names in order, RRAs in order. */
struct shape {
	unsigned long step;
	int nds, nrra;
	char ds[RRD_SERIES_COLS_MAX][64];
	char cf[12][12];
	unsigned long pdp[12], rows[12];
};

static void shape_of_layout(enum storage_layout l, struct shape *s)
{
	const char *const *args;
	int argc;

	memset(s, 0, sizeof(*s));
	s->step = RRD_STEP;
	args = storage_layout_args(l, &argc);
	for (int i = 0; i < argc; i++) {
		if (sscanf(args[i], "DS:%63[^:]:", s->ds[s->nds]) == 1)
			s->nds++;
		else if (sscanf(args[i], "RRA:%11[A-Z]:%*[0-9.]:%lu:%lu",
				s->cf[s->nrra], &s->pdp[s->nrra],
				&s->rows[s->nrra]) == 3)
			s->nrra++;
	}
}

/* Whether key is "ds[NAME].index", NAME into name. */
static bool ds_index_key(const char *key, char *name, size_t len)
{
	size_t klen = strlen(key), sfx = strlen("].index");

	if (strncmp(key, "ds[", 3) != 0 || klen <= 3 + sfx ||
	    strcmp(key + klen - sfx, "].index") != 0 ||
	    klen - 3 - sfx >= len)
		return false;
	memcpy(name, key + 3, klen - 3 - sfx);
	name[klen - 3 - sfx] = '\0';
	return true;
}

/* Fills s from rrd_info; fields beyond the arrays make the shape differ. */
static void shape_of_info(const rrd_info_t *info, struct shape *s)
{
	char name[64];
	unsigned long n;
	int idx;

	memset(s, 0, sizeof(*s));
	for (const rrd_info_t *p = info; p != NULL; p = p->next) {
		if (strcmp(p->key, "step") == 0) {
			s->step = p->value.u_cnt;
		} else if (ds_index_key(p->key, name, sizeof(name))) {
			n = p->value.u_cnt;
			if (n < RRD_SERIES_COLS_MAX)
				snprintf(s->ds[n], sizeof(s->ds[n]), "%s",
					 name);
			if ((int)n + 1 > s->nds)
				s->nds = (int)n + 1;
		} else if (sscanf(p->key, "rra[%d].%63s", &idx, name) == 2 &&
			   idx >= 0) {
			if (idx + 1 > s->nrra)
				s->nrra = idx + 1;
			if (idx >= 12)
				continue;
			if (strcmp(name, "cf") == 0)
				snprintf(s->cf[idx], sizeof(s->cf[idx]), "%s",
					 p->value.u_str);
			else if (strcmp(name, "pdp_per_row") == 0)
				s->pdp[idx] = p->value.u_cnt;
			else if (strcmp(name, "rows") == 0)
				s->rows[idx] = p->value.u_cnt;
		}
	}
}

/* One line on the first difference of got from want, or 0 when none. */
static int shape_diff(const struct shape *want, const struct shape *got,
		      char *msg, size_t len)
{
	if (got->step != want->step)
		return snprintf(msg, len, "step %lu s, expected %lu s",
				got->step, want->step);
	if (got->nds != want->nds)
		return snprintf(msg, len, "%d data sources, expected %d",
				got->nds, want->nds);
	for (int i = 0; i < want->nds; i++)
		if (strcmp(got->ds[i], want->ds[i]) != 0)
			return snprintf(msg, len,
					"data source %d is '%s', expected '%s'",
					i + 1, got->ds[i], want->ds[i]);
	if (got->nrra != want->nrra)
		return snprintf(msg, len, "%d archives, expected %d",
				got->nrra, want->nrra);
	for (int i = 0; i < want->nrra; i++)
		if (strcmp(got->cf[i], want->cf[i]) != 0 ||
		    got->pdp[i] != want->pdp[i] || got->rows[i] != want->rows[i])
			return snprintf(msg, len,
					"archive %d is %s %lu x %lu rows, "
					"expected %s %lu x %lu rows",
					i + 1, got->cf[i], got->pdp[i],
					got->rows[i], want->cf[i], want->pdp[i],
					want->rows[i]);
	return 0;
}

/* Grows a graph-only traffic file into a link file in place: its 5-min
 * archive from two weeks to 400 days, rows kept (rrdtool tune RRA#1:=N,
 * which flushes the file out of rrdcached first when daemon is set). */
static int traffic_grow(const char *path, const char *daemon, char *err,
			size_t errlen)
{
	char *argv[6];
	int argc = 0;

	argv[argc++] = (char *)"tune";
	if (daemon != NULL && daemon[0] != '\0') {
		argv[argc++] = (char *)"--daemon";
		argv[argc++] = (char *)(uintptr_t)daemon;
	}
	argv[argc++] = (char *)(uintptr_t)path;
	argv[argc++] = (char *)"RRA#1:=" TRAFFIC_5MIN_ROWS;
	argv[argc] = NULL;
	rrd_clear_error();
	if (rrd_tune(argc, argv) != 0) {
		storage__rrd_err(path, err, errlen);
		return -EIO;
	}
	return 0;
}

int storage__layout_check(const char *path, enum storage_layout l,
			  const char *daemon, char *err, size_t errlen)
{
	struct shape want, got, other;
	rrd_info_t *info;
	char msg[160];

	rrd_clear_error();
	info = rrd_info_r(path);
	if (info == NULL) {
		storage__rrd_err(path, err, errlen);
		return -EIO;
	}
	shape_of_layout(l, &want);
	shape_of_info(info, &got);
	rrd_info_free(info);
	if (shape_diff(&want, &got, msg, sizeof(msg)) == 0)
		return 0;
	/* The two traffic shapes: a link file keeps serving as a graph-only
	 * one (more rows than needed), a graph-only file whose interface
	 * became a link (a new role, an indicator's scope) grows. */
	if (l == STORAGE_LAYOUT_TRAFFIC || l == STORAGE_LAYOUT_TRAFFIC_GRAPH) {
		shape_of_layout(l == STORAGE_LAYOUT_TRAFFIC
					? STORAGE_LAYOUT_TRAFFIC_GRAPH
					: STORAGE_LAYOUT_TRAFFIC,
				&other);
		if (shape_diff(&other, &got, NULL, 0) == 0)
			return l == STORAGE_LAYOUT_TRAFFIC
				       ? traffic_grow(path, daemon, err, errlen)
				       : 0;
	}
	snprintf(err, errlen,
		 "%s: not a layout v%d file (%s); move it away or migrate it",
		 path, STORAGE_LAYOUT_VERSION, msg);
	return -EPROTO;
}
