/*
 * rrdread.c - reading RRD files for sla/ and the tools: a series on a grid
 * (rrd_fetch_r), the last update (rrd_last_r), the interface files of a
 * device folder, names decoded. librrd keeps its error text per thread,
 * so each call reads back its own.
 * SPDX-License-Identifier: MIT
 */
#include "rrdstore.h"
#include "rrd_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void storage__rrd_err(const char *file, char *err, size_t errlen)
{
	const char *msg = rrd_get_error();
	char *p;

	if (err != NULL && errlen > 0) {
		if (msg == NULL || *msg == '\0')
			msg = "unknown librrd error";
		if (strstr(msg, file) != NULL)
			snprintf(err, errlen, "%s", msg);
		else
			snprintf(err, errlen, "%s: %s", file, msg);
		for (p = err; *p != '\0'; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
	}
	rrd_clear_error();
}

/* access(2) of file for reading, as a negative errno naming the file. */
static int readable(const char *file, char *err, size_t errlen)
{
	int rc;

	if (access(file, R_OK) == 0)
		return 0;
	rc = -errno;
	snprintf(err, errlen, "%s: %s", file, strerror(-rc));
	return rc;
}

/* Column of each requested data source among the file's names. */
static int ds_columns(const struct rrd_series *s, char **names,
		      unsigned long cnt, long *col, char *err, size_t errlen)
{
	for (size_t k = 0; k < s->ncols; k++) {
		col[k] = -1;
		for (unsigned long c = 0; c < cnt; c++)
			if (strcmp(names[c], s->ds[k]) == 0)
				col[k] = (long)c;
		if (col[k] < 0) {
			snprintf(err, errlen, "%s: no data source %s", s->file,
				 s->ds[k]);
			return -EINVAL;
		}
	}
	return 0;
}

/* Row j of the answer holds the step ending at start + (j + 1) * res;
 * bucket i ends at from + (i + 1) * step and takes the row covering that
 * end. */
static void grid_fill(struct rrd_series *s, time_t start, time_t end,
		      const rrd_value_t *data, unsigned long cnt,
		      const long *col)
{
	unsigned long rows = s->res > 0 ? (unsigned long)(end - start) / s->res
					: 0;

	for (size_t i = 0; i < s->nb; i++) {
		double te = s->from + (double)(i + 1) * (double)s->step;
		double off = te - (double)start;
		unsigned long j;

		if (off <= 0)
			continue;
		j = (unsigned long)ceil(off / (double)s->res) - 1;
		if (j >= rows)
			continue;
		for (size_t k = 0; k < s->ncols; k++)
			s->out[k][i] = data[j * cnt + (unsigned long)col[k]];
	}
}

int storage_series_read(struct rrd_series *s, char *err, size_t errlen)
{
	time_t start, end;
	unsigned long step, cnt = 0;
	char **names = NULL;
	rrd_value_t *data = NULL;
	long col[RRD_SERIES_COLS_MAX];
	int rc;

	if (s == NULL || s->file == NULL || s->ds == NULL || s->out == NULL ||
	    s->ncols == 0 || s->ncols > RRD_SERIES_COLS_MAX || s->step == 0) {
		snprintf(err, errlen, "%s: bad series request",
			 s != NULL && s->file != NULL ? s->file : "(null)");
		return -EINVAL;
	}
	s->res = 0;
	for (size_t k = 0; k < s->ncols; k++)
		for (size_t i = 0; i < s->nb; i++)
			s->out[k][i] = NAN;
	rc = readable(s->file, err, errlen);
	if (rc < 0 || s->nb == 0)
		return rc;
	start = (time_t)s->from;
	end = (time_t)(s->from + (double)s->nb * (double)s->step);
	step = s->step;
	rrd_clear_error();
	if (rrd_fetch_r(s->file, s->cf != NULL ? s->cf : "AVERAGE", &start,
			&end, &step, &cnt, &names, &data) != 0) {
		storage__rrd_err(s->file, err, errlen);
		return -EIO;
	}
	s->res = step;
	rc = ds_columns(s, names, cnt, col, err, errlen);
	if (rc == 0)
		grid_fill(s, start, end, data, cnt, col);
	for (unsigned long c = 0; c < cnt; c++)
		rrd_freemem(names[c]);
	rrd_freemem(names);
	rrd_freemem(data);
	return rc;
}

int storage_rrd_last(const char *file, time_t *ret_t, char *err,
		     size_t errlen)
{
	time_t last;
	int rc;

	*ret_t = 0;
	rc = readable(file, err, errlen);
	if (rc < 0)
		return rc;
	rrd_clear_error();
	last = rrd_last_r(file);
	if (last == (time_t)-1) {
		storage__rrd_err(file, err, errlen);
		return -EIO;
	}
	*ret_t = last;
	return 0;
}

/* ---- the interface files of a device ----------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int storage_name_decode(const char *enc, char *out, size_t outlen)
{
	size_t o = 0;

	if (enc == NULL || out == NULL || outlen == 0)
		return -EINVAL;
	for (size_t i = 0; enc[i] != '\0'; i++) {
		int hi = enc[i] == '%' ? hexval(enc[i + 1]) : -1;
		int lo = hi >= 0 ? hexval(enc[i + 2]) : -1;

		if (o + 1 >= outlen)
			return -ENAMETOOLONG;
		if (lo >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = enc[i]; /* "%" alone: the empty name */
		}
	}
	out[o] = '\0';
	if (strcmp(enc, "%") == 0)
		out[0] = '\0';
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void storage_if_list_free(char **names, size_t n)
{
	for (size_t i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}

/* The decoded interface name of a traffic file name, or NULL (not one,
 * or out of memory: *ret_oom set). */
static char *if_name_of(const char *file, int *ret_oom)
{
	size_t len = strlen(file), sfx = strlen(STORAGE_LAYOUT_SUFFIX), elen;
	char enc[NAME_MAX + 1], *name;

	/* if-<enc>.v4.rrd: files of another layout version are not listed */
	if (len < 4 + sfx || strncmp(file, "if-", 3) != 0 ||
	    strcmp(file + len - sfx, STORAGE_LAYOUT_SUFFIX) != 0)
		return NULL;
	elen = len - 3 - sfx;
	if (elen >= sizeof(enc))
		return NULL;
	memcpy(enc, file + 3, elen);
	enc[elen] = '\0';
	name = malloc(len);
	if (name == NULL) {
		*ret_oom = 1;
		return NULL;
	}
	if (storage_name_decode(enc, name, len) < 0) {
		free(name);
		return NULL;
	}
	return name;
}

int storage_if_list(const char *dir, const char *device, char ***ret_names,
		    size_t *ret_n)
{
	char path[4096], *slash, **names = NULL, **nn, *name;
	size_t n = 0;
	struct dirent *de;
	int rc = 0, oom = 0;
	DIR *d;

	*ret_names = NULL;
	*ret_n = 0;
	rc = storage_path_dev(dir, device, path, sizeof(path));
	if (rc < 0)
		return rc;
	slash = strrchr(path, '/');
	if (slash != NULL)
		*slash = '\0';
	d = opendir(path);
	if (d == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		name = if_name_of(de->d_name, &oom);
		if (name == NULL) {
			rc = oom ? -ENOMEM : 0;
			continue;
		}
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (nn == NULL) {
			free(name);
			rc = -ENOMEM;
			break;
		}
		names = nn;
		names[n++] = name;
	}
	closedir(d);
	if (rc < 0) {
		storage_if_list_free(names, n);
		return rc;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	*ret_names = names;
	*ret_n = n;
	return 0;
}
