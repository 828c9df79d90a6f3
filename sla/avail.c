/*
 * avail.c - availability of every device over a period from the
 * journal's state intervals (issue 15): the changes alerts/engine.c
 * records (up, down, unreachable behind a parent, maintenance, unknown
 * when slamond stops), read for every device in one scan
 * (journal_state_scan), exact to the second. Maintenance windows
 * (configured and recorded) subtract as they did from the RRD rows; time
 * before a device's first recorded state is unknown ("no data").
 * Formulas: docs/sla.md.
 * SPDX-License-Identifier: MIT
 */
#include "sla_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/journal.h"

enum ist { IST_UNKNOWN, IST_UP, IST_DOWN, IST_UNREACH, IST_MAINT };

static enum ist ist_parse(const char *s)
{
	if (strcmp(s, "up") == 0)
		return IST_UP;
	if (strcmp(s, "down") == 0)
		return IST_DOWN;
	if (strcmp(s, "unreachable") == 0)
		return IST_UNREACH;
	if (strcmp(s, "maintenance") == 0)
		return IST_MAINT;
	return IST_UNKNOWN; /* "unknown", and anything newer */
}

struct acc {
	const struct config *cfg;
	const struct sla_windows *w;
	struct sla_result *r;
	double from, end;
	size_t *order; /* device indices sorted by name */
	unsigned char *seen;
	/* the object being read */
	char obj[FAULT_OBJECT_MAX];
	int started, cur; /* cur: device index, -1 not in the inventory */
	enum ist st;
	double t;
	struct sla_window *mine; /* cur's merged maintenance windows */
	size_t nmine;
	int rc;
};

static int cmp_win(const void *a, const void *b)
{
	const struct sla_window *x = a, *y = b;

	return (x->a > y->a) - (x->a < y->a);
}

/* The maintenance windows of dev, sorted and merged, into a->mine. */
static int dev_windows(struct acc *a, size_t dev)
{
	size_t n = 0, k = 0;

	a->nmine = 0;
	for (size_t i = 0; i < a->w->n; i++)
		if (config_scope_match(a->cfg, dev, a->w->v[i].scope))
			a->mine[n++] = a->w->v[i];
	if (n == 0)
		return 0;
	qsort(a->mine, n, sizeof(*a->mine), cmp_win);
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && a->mine[i].a <= a->mine[k - 1].b) {
			if (a->mine[i].b > a->mine[k - 1].b)
				a->mine[k - 1].b = a->mine[i].b;
		} else {
			a->mine[k++] = a->mine[i];
		}
	}
	a->nmine = k;
	return 0;
}

/* Seconds of [x, y) inside dev's maintenance windows. */
static double maint_in(const struct acc *a, double x, double y)
{
	double s = 0;

	for (size_t i = 0; i < a->nmine; i++) {
		double lo = a->mine[i].a > x ? a->mine[i].a : x;
		double hi = a->mine[i].b < y ? a->mine[i].b : y;

		if (hi > lo)
			s += hi - lo;
	}
	return s;
}

/* Device dev was in state st during [x, y) (clipped to the period). */
static void interval(struct acc *a, size_t dev, enum ist st, double x,
		     double y)
{
	struct sla_avail *v = &a->r->avail[dev];
	double m, open;

	if (x < a->from)
		x = a->from;
	if (y > a->end)
		y = a->end;
	if (y <= x)
		return;
	m = maint_in(a, x, y);
	open = (y - x) - m;
	v->maint_s += m;
	if (st != IST_UNKNOWN)
		v->known_s += y - x;
	switch (st) {
	case IST_UP:
		v->up_s += open;
		v->seen_up = 1;
		break;
	case IST_UNREACH: /* not up, as a device down */
		v->unreach_s += open;
		v->down_s += open;
		break;
	case IST_DOWN:
		v->down_s += open;
		break;
	case IST_MAINT:
		v->maint_s += open;
		break;
	case IST_UNKNOWN:
		v->unknown_s += open;
		break;
	}
}

static const struct config *cmp_cfg; /* for the sorts below only */

static int cmp_dev(const void *x, const void *y)
{
	return strcmp(cmp_cfg->devices[*(const size_t *)x].name,
		      cmp_cfg->devices[*(const size_t *)y].name);
}

static int find_dev(const struct acc *a, const char *name)
{
	size_t lo = 0, hi = a->cfg->ndevices;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(a->cfg->devices[a->order[mid]].name, name);

		if (c == 0)
			return (int)a->order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The object read last lasts in its last state to the end. */
static void finish(struct acc *a)
{
	if (a->started && a->cur >= 0)
		interval(a, (size_t)a->cur, a->st, a->t, a->end);
	a->started = 0;
}

static int on_row(void *arg, const char *object, const char *state,
		  const char *reason, double t)
{
	struct acc *a = arg;

	(void)reason;
	if (!a->started || strcmp(object, a->obj) != 0) {
		finish(a);
		snprintf(a->obj, sizeof(a->obj), "%s", object);
		a->started = 1;
		a->cur = find_dev(a, object);
		a->st = IST_UNKNOWN; /* before its first recorded state */
		a->t = a->from;
		if (a->cur >= 0) {
			a->seen[a->cur] = 1;
			a->r->avail[a->cur].has_states = 1;
			dev_windows(a, (size_t)a->cur);
		}
	}
	if (a->cur < 0)
		return 0;
	if (t >= a->from)
		a->r->avail[a->cur].changes++;
	interval(a, (size_t)a->cur, a->st, a->t, t);
	a->st = ist_parse(state);
	if (t > a->t)
		a->t = t;
	return 0;
}

int sla__avail_states(const struct config *cfg, const struct sla_period *p,
		      double end, const struct sla_windows *w,
		      struct sla_result *r, char *err, size_t errlen)
{
	const char *path = alerts_config(cfg)->journal;
	struct journal *j = NULL;
	struct acc a;
	int rc = 0;

	memset(&a, 0, sizeof(a));
	a.cfg = cfg;
	a.w = w;
	a.r = r;
	a.from = p->from;
	a.end = end > p->from ? end : p->from;
	a.order = malloc((cfg->ndevices + 1) * sizeof(*a.order));
	a.seen = calloc(cfg->ndevices + 1, 1);
	a.mine = malloc((w->n + 1) * sizeof(*a.mine));
	if (a.order == NULL || a.seen == NULL || a.mine == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t d = 0; d < cfg->ndevices; d++) {
		struct sla_avail *v = &r->avail[d];

		memset(v, 0, sizeof(*v));
		v->buckets = (size_t)((a.end - a.from) / SLA_STEP + 0.5);
		a.order[d] = d;
	}
	cmp_cfg = cfg;
	qsort(a.order, cfg->ndevices, sizeof(*a.order), cmp_dev);
	/* a missing journal: nothing recorded yet, every device unknown */
	if (a.end > a.from && access(path, F_OK) == 0) {
		rc = journal_open_ro(path, &j, err, errlen);
		if (rc == 0)
			rc = journal_state_scan(j, a.from, a.end, on_row, &a,
						err, errlen);
		journal_close(j);
		if (rc < 0)
			goto out;
		finish(&a);
	}
	for (size_t d = 0; d < cfg->ndevices; d++) {
		struct sla_avail *v = &r->avail[d];

		if (!a.seen[d]) {
			dev_windows(&a, d);
			interval(&a, d, IST_UNKNOWN, a.from, a.end);
		}
		v->known_buckets = (size_t)(v->known_s / SLA_STEP + 0.5);
	}
out:
	free(a.order);
	free(a.seen);
	free(a.mine);
	return rc;
}
