/*
 * series.c - reading storage for the SLA engine: RRD rows on the 5-minute
 * grid of a period (storage_series_read, AVERAGE), and maintenance windows
 * (configured ones and the occurrences the daemon recorded in the
 * journal, journal_maint_list) as time intervals.
 * SPDX-License-Identifier: MIT
 */
#include "sla_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/journal.h"
#include "storage/rrdstore.h"

int sla__fetch(const char *file, double from, size_t nb, int ncols,
	       const char *const *ds, double **out, char *err, size_t errlen)
{
	struct rrd_series q = {
		.file = file, .cf = "AVERAGE", .from = from, .step = SLA_STEP,
		.nb = nb, .ncols = (size_t)ncols, .ds = ds, .out = out,
	};
	char why[512];
	int rc;

	/* a missing (or unreadable) file is "no data", not an error */
	rc = storage_series_read(&q, why, sizeof(why));
	if (rc == 0 && nb == 0)
		return -ENOENT;
	if (rc == -EIO)
		snprintf(err, errlen, "%s", why);
	else if (rc < 0)
		rc = -ENOENT;
	return rc;
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
 * writing; WAL readers do not block it). A missing journal has none, and
 * so has one that cannot be read (as before storage/ read it). */
static int journal_windows(const char *path, const struct sla_period *p,
			   struct sla_windows *w, size_t *ret_n)
{
	struct journal_maint *m = NULL;
	struct journal *j = NULL;
	size_t n = 0;
	char err[512];
	int rc = 0;

	*ret_n = 0;
	if (journal_open_ro(path, &j, err, sizeof(err)) < 0)
		return 0;
	if (journal_maint_list(j, p->from, p->to, &m, &n, err, sizeof(err)) <
	    0)
		n = 0;
	journal_close(j);
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = win_add(w, m[i].scope, m[i].start_t, m[i].end_t);
		if (rc == 0)
			(*ret_n)++;
	}
	free(m);
	return rc;
}

int sla__windows_load(const struct config *cfg, const struct sla_period *p,
		      struct sla_windows *w, size_t *ret_journal_n)
{
	int rc = 0;

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < config_count(cfg, &maint_section) && rc == 0; i++) {
		const struct maint_cfg *m = &alerts_maints(cfg, NULL)[i];

		if (m->start[0] != '\0')
			rc = oneoff(m, p, w);
		else if (m->duration_min > 0 && m->day_mask != 0)
			rc = weekly(m, p, w);
	}
	if (rc == 0)
		rc = journal_windows(alerts_config(cfg)->journal, p, w, ret_journal_n);
	return rc;
}

void sla__windows_free(struct sla_windows *w)
{
	free(w->v);
	memset(w, 0, sizeof(*w));
}
