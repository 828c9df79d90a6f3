/*
 * series.c - reading storage for the SLA engine: RRD rows on the 5-minute
 * grid of a period (rrd_fetch_r, AVERAGE), the traffic files of a device,
 * and maintenance windows (configured ones and the occurrences the daemon
 * recorded in the journal's maintenance table) as time intervals.
 * SPDX-License-Identifier: MIT
 */
#include "sla_int.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <rrd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/rrdstore.h"

int sla__fetch(const char *file, double from, size_t nb, int ncols,
	       const char *const *ds, double **out, char *err, size_t errlen)
{
	time_t start = (time_t)from, end = (time_t)(from + (double)nb * SLA_STEP);
	unsigned long step = SLA_STEP, cnt = 0, rows;
	char **names = NULL;
	rrd_value_t *data = NULL;
	long col[8];

	for (int k = 0; k < ncols; k++)
		for (size_t i = 0; i < nb; i++)
			out[k][i] = NAN;
	if (nb == 0 || access(file, R_OK) != 0)
		return -ENOENT;
	rrd_clear_error();
	if (rrd_fetch_r(file, "AVERAGE", &start, &end, &step, &cnt, &names,
			&data) != 0) {
		snprintf(err, errlen, "%s: %s", file, rrd_get_error());
		rrd_clear_error();
		return -EIO;
	}
	for (int k = 0; k < ncols && k < 8; k++) {
		col[k] = -1;
		for (unsigned long c = 0; c < cnt; c++)
			if (strcmp(names[c], ds[k]) == 0)
				col[k] = (long)c;
	}
	for (unsigned long c = 0; c < cnt; c++)
		rrd_freemem(names[c]);
	rrd_freemem(names);
	/* Row j holds the step ending at start + (j + 1) * step; our bucket
	 * i ends at from + (i + 1) * SLA_STEP. A coarser step (an RRA of
	 * 1-hour rows when 5-minute ones are gone) fills every bucket it
	 * covers. */
	rows = step > 0 ? (unsigned long)(end - start) / step : 0;
	for (size_t i = 0; i < nb; i++) {
		double te = from + (double)(i + 1) * SLA_STEP;
		double off = te - (double)start;
		unsigned long j;

		if (off <= 0)
			continue;
		j = (unsigned long)ceil(off / (double)step) - 1;
		if (j >= rows)
			continue;
		for (int k = 0; k < ncols && k < 8; k++)
			if (col[k] >= 0)
				out[k][i] = data[j * cnt + (unsigned long)col[k]];
	}
	rrd_freemem(data);
	return 0;
}

/* %XX back to bytes (storage_name_encode's inverse). */
static void name_decode(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; in[i] != '\0' && o + 1 < outlen; i++) {
		unsigned v;

		if (in[i] == '%' && in[i + 1] != '\0' && in[i + 2] != '\0' &&
		    sscanf(in + i + 1, "%2x", &v) == 1) {
			out[o++] = (char)v;
			i += 2;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sla__if_files(const char *dir, const char *device, char ***ret_names,
		  size_t *ret_n)
{
	char path[4096], *slash;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	*ret_names = NULL;
	*ret_n = 0;
	if (storage_path_dev(dir, device, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	slash = strrchr(path, '/');
	if (slash != NULL)
		*slash = '\0';
	d = opendir(path);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char name[256], **nn;

		if (len < 8 || strncmp(de->d_name, "if-", 3) != 0 ||
		    strcmp(de->d_name + len - 4, ".rrd") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 7),
			 de->d_name + 3);
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (nn == NULL)
			break;
		names = nn;
		names[n] = malloc(256);
		if (names[n] == NULL)
			break;
		name_decode(name, names[n], 256);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	*ret_names = names;
	*ret_n = n;
	return 0;
}

/* ---- maintenance ---------------------------------------------------- */

static int win_add(struct sla_windows *w, const char *scope, double a,
		   double b)
{
	struct sla_window *nw;

	if (b <= a)
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;

		nw = realloc(w->v, cap * sizeof(*nw));
		if (nw == NULL)
			return -ENOMEM;
		w->v = nw;
		w->cap = cap;
	}
	snprintf(w->v[w->n].scope, sizeof(w->v[w->n].scope), "%s", scope);
	w->v[w->n].a = a;
	w->v[w->n].b = b;
	w->n++;
	return 0;
}

/* Weekly windows: one occurrence per matching local day, starting a day
 * before the period so a window crossing midnight into it counts. */
static int weekly(const struct maint_cfg *m, const struct sla_period *p,
		  struct sla_windows *w)
{
	struct tm tm;
	int rc;

	if (sla_local_tm(p->tz, p->from - 86400, &tm) < 0)
		return -EINVAL;
	for (int k = 0;; k++) {
		double mid, a;
		struct tm dt;

		rc = sla_local_mktime(p->tz, tm.tm_year + 1900, tm.tm_mon + 1,
				      tm.tm_mday + k, 0, 0, &mid);
		if (rc < 0 || mid >= p->to)
			return rc;
		if (sla_local_tm(p->tz, mid, &dt) < 0)
			return -EINVAL;
		if (!(m->day_mask & (1u << dt.tm_wday)))
			continue;
		a = mid + m->at_min * 60.0;
		rc = win_add(w, m->scope, a, a + m->duration_min * 60.0);
		if (rc < 0)
			return rc;
	}
}

/* One-off windows are "YYYY-MM-DD HH:MM" in the configured zone; parsed
 * here again because config.c's start_t/end_t use the process's TZ. */
static int oneoff(const struct maint_cfg *m, const struct sla_period *p,
		  struct sla_windows *w)
{
	int y, mo, d, h, mi;
	double a, b;

	if (sscanf(m->start, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) != 5 ||
	    sla_local_mktime(p->tz, y, mo, d, h, mi, &a) < 0)
		return win_add(w, m->scope, m->start_t, m->end_t);
	if (sscanf(m->end, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) != 5 ||
	    sla_local_mktime(p->tz, y, mo, d, h, mi, &b) < 0)
		return win_add(w, m->scope, m->start_t, m->end_t);
	return win_add(w, m->scope, a, b);
}

/* The journal's recorded occurrences, read-only (the daemon may be
 * writing; WAL readers do not block it). A missing journal has none. */
static int journal_windows(const char *path, const struct sla_period *p,
			   struct sla_windows *w, size_t *ret_n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 0;

	*ret_n = 0;
	if (access(path, R_OK) != 0)
		return 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db,
			       "SELECT scope, start_t, end_t FROM maintenance"
			       " WHERE end_t > ?1 AND start_t < ?2",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_double(st, 1, p->from);
	sqlite3_bind_double(st, 2, p->to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *scope = sqlite3_column_text(st, 0);

		rc = win_add(w, scope != NULL ? (const char *)scope : "all",
			     sqlite3_column_double(st, 1),
			     sqlite3_column_double(st, 2));
		if (rc < 0)
			break;
		(*ret_n)++;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int sla__windows_load(const struct config *cfg, const struct sla_period *p,
		      struct sla_windows *w, size_t *ret_journal_n)
{
	int rc = 0;

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < cfg->nmaints && rc == 0; i++) {
		const struct maint_cfg *m = &cfg->maints[i];

		if (m->start[0] != '\0')
			rc = oneoff(m, p, w);
		else if (m->duration_min > 0 && m->day_mask != 0)
			rc = weekly(m, p, w);
	}
	if (rc == 0)
		rc = journal_windows(cfg->alerts.journal, p, w, ret_journal_n);
	return rc;
}

static int cmp_win(const void *a, const void *b)
{
	const struct sla_window *x = a, *y = b;

	return (x->a > y->a) - (x->a < y->a);
}

int sla__maint_overlap(const struct config *cfg, size_t dev,
		       const struct sla_windows *w, double from, size_t nb,
		       double *ret)
{
	struct sla_window *mine = NULL;
	size_t n = 0, k = 0;

	for (size_t i = 0; i < nb; i++)
		ret[i] = 0;
	if (w->n == 0)
		return 0;
	mine = malloc(w->n * sizeof(*mine));
	if (mine == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < w->n; i++)
		if (config_scope_match(cfg, dev, w->v[i].scope))
			mine[n++] = w->v[i];
	qsort(mine, n, sizeof(*mine), cmp_win);
	/* merge overlapping windows (a configured one-off window and its
	 * journal record are the same time) */
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && mine[i].a <= mine[k - 1].b) {
			if (mine[i].b > mine[k - 1].b)
				mine[k - 1].b = mine[i].b;
		} else {
			mine[k++] = mine[i];
		}
	}
	for (size_t j = 0; j < k; j++) {
		double a = mine[j].a, b = mine[j].b;
		long i0 = (long)floor((a - from) / SLA_STEP);

		for (long i = i0 < 0 ? 0 : i0; i < (long)nb; i++) {
			double s = from + (double)i * SLA_STEP;
			double e = s + SLA_STEP;
			double lo = a > s ? a : s, hi = b < e ? b : e;

			if (s >= b)
				break;
			if (hi > lo)
				ret[i] += hi - lo;
		}
	}
	free(mine);
	return 0;
}

void sla__windows_free(struct sla_windows *w)
{
	free(w->v);
	memset(w, 0, sizeof(*w));
}
