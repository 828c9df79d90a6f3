/*
 * live.c - the current period's budget (see live.h and docs/sla.md,
 * "Live: the month's budget"). It calls sla_evaluate for the period up to
 * now and derives, from what that gathered (availability per device, the
 * faults of the period), each indicator's projection to the end of the
 * period at the current rate and the budget its target leaves.
 * SPDX-License-Identifier: MIT
 */
#include "live.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "indicators.h"
#include "sla_int.h"

const char *sla_live_kind_name(enum sla_live_kind k)
{
	static const char *const names[] = { "share", "ratio", "count",
					     "level" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* As eval.c: "service:NAME" is the device named or tagged NAME. */
static int in_scope(const struct config *cfg, size_t d, const char *scope)
{
	if (strncmp(scope, "service:", 8) == 0)
		return strcmp(cfg->devices[d].name, scope + 8) == 0 ||
		       sla__has_tag(cfg->devices[d].tags, scope + 8);
	return config_scope_match(cfg, d, scope);
}

static enum sla_live_kind kind_of(const char *metric)
{
	if (strcmp(metric, "time_share_up") == 0 ||
	    strcmp(metric, "service_availability") == 0 ||
	    strcmp(metric, "completeness") == 0)
		return SLA_LIVE_SHARE;
	if (strcmp(metric, "fault_ack_ratio") == 0)
		return SLA_LIVE_RATIO;
	if (strcmp(metric, "online_count") == 0 ||
	    strcmp(metric, "report_count") == 0)
		return SLA_LIVE_COUNT;
	return SLA_LIVE_LEVEL;
}

/* How far x meets target under cmp, in the indicator's unit. */
static double margin_of(enum cmp_op cmp, double x, double target)
{
	if (x != x)
		return NAN;
	switch (cmp) {
	case CMP_GE:
	case CMP_GT:
		return x - target;
	case CMP_LE:
	case CMP_LT:
		return target - x;
	default:
		return -fabs(x - target);
	}
}

/* Share kinds in "items x seconds": total (the whole period, less the
 * maintenance known so far), good and bad so far. */
struct share {
	size_t items;
	double good, bad, total, left; /* left: item-seconds still to come */
};

static void share_avail(const struct config *cfg, const struct sla_live *l,
			const struct indicator *ind, struct share *s)
{
	const struct sla_result *r = l->r;
	double maint = 0;

	for (size_t d = 0; d < cfg->ndevices; d++) {
		const struct sla_avail *a = &r->avail[d];

		if (!in_scope(cfg, d, ind->scope))
			continue;
		s->items++;
		s->good += a->up_s;
		s->bad += a->down_s + a->unknown_s;
		maint += a->maint_s;
	}
	s->total = (double)s->items * l->period_s - maint;
	s->left = (double)s->items * (l->period_s - l->elapsed_s);
}

/* Completeness in 5-minute rows, turned into seconds: devices and
 * captured links in scope, as eval.c counts them. */
static void share_rows(const struct config *cfg, const struct sla_live *l,
		       const struct indicator *ind, struct share *s)
{
	const struct sla_result *r = l->r;
	double exp = 0, got = 0;

	for (size_t d = 0; d < cfg->ndevices; d++) {
		if (!in_scope(cfg, d, ind->scope))
			continue;
		s->items++;
		exp += (double)r->avail[d].buckets;
		got += (double)r->avail[d].known_buckets;
	}
	for (size_t i = 0; i < r->ncaptures; i++) {
		const struct sla_capture *c = &r->captures[i];

		if (c->dev < 0 || !in_scope(cfg, (size_t)c->dev, ind->scope))
			continue;
		s->items++;
		exp += floor(c->expected_s / SLA_STEP + 0.5);
		got += c->collected_s / SLA_STEP;
	}
	s->good = got * SLA_STEP;
	s->bad = (exp - got) * SLA_STEP;
	s->total = (double)s->items * l->period_s;
	s->left = (double)s->items * (l->period_s - l->elapsed_s);
}

static void live_share(const struct config *cfg, const struct sla_live *l,
		       struct sla_live_value *lv)
{
	const struct indicator *ind = &lv->v.ind;
	struct share s;
	double allowed;

	memset(&s, 0, sizeof(s));
	if (strcmp(ind->metric, "completeness") == 0)
		share_rows(cfg, l, ind, &s);
	else
		share_avail(cfg, l, ind, &s);
	lv->items = s.items;
	lv->projected = lv->v.value; /* the rest at the same share */
	lv->best = s.good + s.bad + s.left > 0
			   ? (s.good + s.left) / (s.good + s.bad + s.left) *
				     100
			   : NAN;
	if (s.items == 0)
		return; /* nothing in scope: no budget */
	lv->used_h = s.bad / 3600;
	if (ind->cmp != CMP_GE && ind->cmp != CMP_GT)
		return;
	allowed = (1 - lv->v.target / 100) * s.total;
	lv->budget_h = (allowed > 0 ? allowed : 0) / 3600;
	lv->left_h = lv->budget_h - lv->used_h;
}

/* The response rate as eval.c counts it: faults of the period in scope,
 * those whose window is still open left out as pending. */
static void live_ratio(const struct config *cfg, const struct sla_live *l,
		       struct sla_live_value *lv)
{
	const struct sla_result *r = l->r;
	const struct indicator *ind = &lv->v.ind;
	double t = lv->v.target / 100;

	for (size_t i = 0; i < r->nfaults; i++) {
		const struct sla_fault *f = &r->faults[i];

		if (!sla__fault_in_scope(cfg, f->f.object, ind->scope))
			continue;
		if (!f->acked_in_time && f->f.ack_t == 0 &&
		    f->f.closed_t == 0 && f->f.deadline_t > r->now) {
			lv->pending++;
			continue;
		}
		lv->n++;
		lv->ok += f->acked_in_time;
	}
	lv->projected = lv->v.value; /* the rate so far */
	{
		struct indicator eff = *ind;
		double after = (double)lv->ok / (double)(lv->n + 1) * 100;

		eff.target = lv->v.target;
		lv->one_more_late_breaches = !indicator_met(&eff, after);
		if (ind->cmp == CMP_EQ) { /* "= 100 %": none allowed */
			lv->late_allowed = indicator_met(&eff, lv->v.value)
						   ? 0
						   : -1;
			return;
		}
	}
	if (ind->cmp != CMP_GE && ind->cmp != CMP_GT) {
		lv->late_allowed = -1;
		return;
	}
	/* ok / (n + k) >= t  <=>  k <= ok / t - n (a small epsilon keeps
	 * an exact 95 % of 20 from rounding below) */
	if (t <= 0)
		lv->late_allowed = LONG_MAX;
	else
		lv->late_allowed =
			(long)floor((double)lv->ok / t - (double)lv->n + 1e-9);
	if (lv->late_allowed < 0)
		lv->late_allowed = -1;
}

static void live_one(const struct config *cfg, const struct sla_live *l,
		     struct sla_live_value *lv)
{
	struct indicator eff = lv->v.ind;

	lv->kind = kind_of(lv->v.ind.metric);
	lv->projected = lv->v.value;
	lv->budget_h = lv->used_h = lv->left_h = lv->best = NAN;
	lv->needed = NAN;
	switch (lv->kind) {
	case SLA_LIVE_SHARE:
		live_share(cfg, l, lv);
		break;
	case SLA_LIVE_RATIO:
		live_ratio(cfg, l, lv);
		break;
	case SLA_LIVE_COUNT:
		/* a device seen up, a report made final, stays counted: the
		 * count so far is the least the period ends with */
		if (lv->v.value == lv->v.value)
			lv->needed = lv->v.target > lv->v.value
					     ? lv->v.target - lv->v.value
					     : 0;
		/* the report of the period's last month can only be made
		 * final after the period: at the current rate it will be */
		if (strcmp(lv->v.ind.metric, "report_count") == 0 &&
		    lv->v.value == lv->v.value && l->r->now < l->r->period.to)
			lv->projected = lv->v.value + 1;
		break;
	case SLA_LIVE_LEVEL:
		break;
	}
	eff.target = lv->v.target;
	lv->margin = margin_of(eff.cmp, lv->projected, lv->v.target);
	if (lv->projected != lv->projected)
		lv->projected_state = SLA_NODATA;
	else
		lv->projected_state = indicator_met(&eff, lv->projected)
					      ? SLA_MET
					      : SLA_BREACHED;
}

int sla_live_evaluate(const struct config *cfg, const struct sla_period *p,
		      double now, struct sla_live **ret, char *err,
		      size_t errlen)
{
	struct sla_live *l = calloc(1, sizeof(*l));
	double end = now < p->to ? now : p->to;
	int rc;

	*ret = NULL;
	if (l == NULL)
		return -ENOMEM;
	rc = sla_evaluate(cfg, p, now, &l->r, err, errlen);
	if (rc < 0) {
		free(l);
		return rc;
	}
	l->period_s = p->to - p->from;
	l->elapsed_s = end > p->from
			       ? floor((end - p->from) / SLA_STEP) * SLA_STEP
			       : 0;
	l->v = calloc(l->r->nvalues + 1, sizeof(*l->v));
	if (l->v == NULL) {
		sla_live_destroy(l);
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->r->nvalues; i++) {
		l->v[i].v = l->r->values[i];
		live_one(cfg, l, &l->v[i]);
	}
	l->n = l->r->nvalues;
	*ret = l;
	return 0;
}

void sla_live_destroy(struct sla_live *l)
{
	if (l == NULL)
		return;
	sla_result_destroy(l->r);
	free(l->v);
	free(l);
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *num(double x)
{
	return x == x && !isinf(x) ? json_real(x) : json_null();
}

static json_t *budget_json(const struct sla_live_value *lv)
{
	switch (lv->kind) {
	case SLA_LIVE_SHARE:
		return json_pack("{s:s,s:I,s:o,s:o,s:o,s:b,s:o}", "unit",
				 "item-hours", "items", (json_int_t)lv->items,
				 "allowed_h", num(lv->budget_h), "used_h",
				 num(lv->used_h), "left_h", num(lv->left_h),
				 "exhausted", lv->left_h < 0, "best",
				 num(lv->best));
	case SLA_LIVE_RATIO:
		return json_pack("{s:I,s:I,s:I,s:I,s:b}", "counted",
				 (json_int_t)lv->n, "in_time",
				 (json_int_t)lv->ok, "pending",
				 (json_int_t)lv->pending, "late_allowed",
				 (json_int_t)lv->late_allowed,
				 "one_more_late_breaches",
				 lv->one_more_late_breaches);
	case SLA_LIVE_COUNT:
		return json_pack("{s:o}", "needed", num(lv->needed));
	default:
		return json_null();
	}
}

json_t *sla_live_json(const struct sla_live *l)
{
	const struct sla_result *r = l->r;
	json_t *o, *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct sla_live_value *lv = &l->v[i];
		const struct sla_value *v = &lv->v;
		json_t *e = json_pack(
			"{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:s,s:o,s:s,"
			"s:o,s:o,s:s,s:s}",
			"id", v->ind.id, "name", v->ind.name_zh, "name_en",
			v->ind.name_en, "metric", v->ind.metric, "unit",
			v->ind.unit, "comparator", cmp_op_name(v->ind.cmp),
			"target", num(v->target), "kind",
			sla_live_kind_name(lv->kind), "value", num(v->value),
			"state", sla_state_name(v->state, "en"), "projected",
			num(lv->projected), "projected_state",
			sla_state_name(lv->projected_state, "en"), "margin",
			num(lv->margin), "budget", budget_json(lv),
			"evidence", v->evidence_zh, "evidence_en",
			v->evidence_en);

		if (e == NULL || json_array_append_new(a, e) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	o = json_pack("{s:s,s:s,s:f,s:f,s:f,s:f,s:o}", "period",
		      r->period.label, "timezone", r->period.tz, "from",
		      r->period.from, "to", r->period.to, "now", r->now,
		      "elapsed_share",
		      l->period_s > 0 ? l->elapsed_s / l->period_s : 0,
		      "indicators", a);
	return o;
}
