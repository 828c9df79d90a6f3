/*
 * rrdbatch.c - many rows per file in one librrd call, for tools that fill
 * history before slamond runs (tools/simulate_history.c).
 *
 * librrd opens, reads and closes the file for every rrd_update_r call, so
 * one call per row (what the writer does, one row per poll) costs ~65 us
 * while one call with a month of rows costs ~1 us a row. Files get the
 * writer's names (storage_path_*) and layouts (storage_layout_args); an
 * existing file of another layout is refused, as the writer does.
 * SPDX-License-Identifier: MIT
 */
#include "rrdstore.h"
#include "rrd_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <rrd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "t" and, per value, ":" and at most 24 characters of %.17g or "U" */
#define LINE_MAX_FOR(ncols) (24 + (size_t)(ncols) * 26)

int storage_layout_ncols(enum storage_layout l)
{
	const char *const *args;
	int argc, n = 0;

	args = storage_layout_args(l, &argc);
	for (int i = 0; i < argc; i++)
		if (strncmp(args[i], "DS:", 3) == 0)
			n++;
	return n;
}

static int batch_path(const char *dir, const struct rrd_batch *b, char *out,
		      size_t outlen)
{
	switch (b->layout) {
	case STORAGE_LAYOUT_DEVICE:
		return storage_path_dev(dir, b->device, out, outlen);
	case STORAGE_LAYOUT_TRAFFIC:
	case STORAGE_LAYOUT_TRAFFIC_GRAPH:
		return storage_path_if(dir, b->device, b->ifname, out, outlen);
	case STORAGE_LAYOUT_STATUS:
		return storage_path_ifstatus(dir, b->device, b->ifname, out,
					     outlen);
	}
	return -EINVAL;
}

/* Creates path (and its folder) with layout l, last updated at t. */
static int batch_create(const char *path, enum storage_layout l, time_t t,
			char *err, size_t errlen)
{
	const char *const *args;
	char dir[PATH_MAX], *slash;
	int argc, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		rc = storage_mkdir_p(dir);
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
			return rc;
		}
	}
	args = storage_layout_args(l, &argc);
	rrd_clear_error();
	if (rrd_create_r2(path, RRD_STEP, t, 1, NULL, NULL, argc,
			  (const char **)(uintptr_t)args) != 0) {
		storage__rrd_err(path, err, errlen);
		return -EIO;
	}
	return 0;
}

/* The update lines "t:v1:v2..." of b into text, pointed at by argv. */
static void batch_lines(const struct rrd_batch *b, size_t ncols,
			size_t linemax, char *text, const char **argv)
{
	int digits = b->digits > 0 && b->digits <= 17 ? b->digits : 17;

	for (size_t k = 0; k < b->nrows; k++) {
		char *line = text + k * linemax;
		size_t o;

		o = (size_t)snprintf(line, linemax, "%lld",
				     (long long)b->t[k]);
		for (size_t c = 0; c < ncols; c++) {
			double v = b->v[k * ncols + c];

			if (isfinite(v))
				o += (size_t)snprintf(line + o, linemax - o,
						      ":%.*g", digits, v);
			else
				o += (size_t)snprintf(line + o, linemax - o,
						      ":U");
		}
		argv[k] = line;
	}
}

static int batch_one(const char *dir, const struct rrd_batch *b, char *err,
		     size_t errlen)
{
	char path[PATH_MAX];
	int ncols = storage_layout_ncols(b->layout);
	size_t linemax = LINE_MAX_FOR(ncols);
	const char **argv = NULL;
	char *text = NULL;
	int rc;

	rc = batch_path(dir, b, path, sizeof(path));
	if (rc < 0) {
		snprintf(err, errlen, "%s%s%s: %s", b->device,
			 b->ifname != NULL ? "/" : "",
			 b->ifname != NULL ? b->ifname : "", strerror(-rc));
		return rc;
	}
	if (b->nrows == 0)
		return 0;
	if (b->t == NULL || b->v == NULL || b->nrows > INT_MAX) {
		snprintf(err, errlen, "%s: bad batch", path);
		return -EINVAL;
	}
	if (access(path, F_OK) != 0) {
		rc = batch_create(path, b->layout,
				  b->create_t != 0 ? b->create_t
						   : b->t[0] - RRD_STEP,
				  err, errlen);
		if (rc < 0)
			return rc;
	} else {
		rc = storage__layout_check(path, b->layout, NULL, err,
					   errlen);
		if (rc < 0)
			return rc;
	}
	text = malloc(b->nrows * linemax);
	argv = malloc(b->nrows * sizeof(*argv));
	if (text == NULL || argv == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -ENOMEM;
		goto out;
	}
	batch_lines(b, (size_t)ncols, linemax, text, argv);
	rrd_clear_error();
	if (rrd_update_r(path, NULL, (int)b->nrows, argv) != 0) {
		storage__rrd_err(path, err, errlen);
		rc = -EIO;
	}
out:
	free(text);
	free(argv);
	return rc;
}

int storage_rrd_batch_write(const char *dir, const struct rrd_batch *b,
			    size_t n, char *err, size_t errlen)
{
	int rc;

	if (dir == NULL || (b == NULL && n > 0)) {
		snprintf(err, errlen, "rrd batch: no storage dir");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		rc = batch_one(dir, &b[i], err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}
