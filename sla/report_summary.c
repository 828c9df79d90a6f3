/*
 * report_summary.c - the generated 本月运行概况: the key facts of the
 * month in a few paragraphs (indicators met and missed with their
 * numbers, the main faults, the changes against the month before). An
 * operator's text stored with `slamon report summary` replaces it.
 * SPDX-License-Identifier: MIT
 */
#include "report_doc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/words.h"

struct buf {
	char *s;
	size_t n, cap;
	int oom;
};

__attribute__((format(printf, 2, 3)))
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->n;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->n : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			b->n += (size_t)n;
			return;
		}
		{
			size_t cap = (b->cap + (size_t)n + 1) * 2;
			char *s = realloc(b->s, cap);

			if (s == NULL) {
				b->oom = 1;
				return;
			}
			b->s = s;
			b->cap = cap;
		}
	}
}

/* Length of a fault in seconds: first failure to resolution (or to the
 * end of the period when still open). */
static double fault_len(const struct sla_fault *f, const struct sla_result *r)
{
	double end = f->f.resolved_t > 0 ? f->f.resolved_t
					 : fmin(r->now, r->period.to);
	double start = f->f.first_fail_t > 0 ? f->f.first_fail_t
					     : f->f.detect_t;

	return end > start ? end - start : 0;
}

static int sev_rank(const char *s)
{
	static const char *const order[] = { "critical", "major", "minor",
					     "warning" };

	for (int i = 0; i < 4; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 4;
}

static void indicators_par(struct buf *b, const struct sla_result *r, int en)
{
	size_t met = 0, miss = 0, nodata = 0, k = 0;

	for (size_t i = 0; i < r->nvalues; i++) {
		met += r->values[i].state == SLA_MET;
		miss += r->values[i].state == SLA_BREACHED;
		nodata += r->values[i].state == SLA_NODATA;
	}
	if (en)
		put(b, "Of %zu indicators, %zu were met, %zu missed and %zu "
		       "had no data.",
		    r->nvalues, met, miss, nodata);
	else
		put(b, "本月考核指标 %zu 项，达标 %zu 项，未达标 %zu 项，无数据 "
		       "%zu 项。",
		    r->nvalues, met, miss, nodata);
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];
		const char *op = cmp_op_name(v->ind.cmp);
		char act[64], tgt[64];

		if (v->state != SLA_BREACHED)
			continue;
		report__value(v->value, v->ind.unit, act, sizeof(act));
		report__value(v->target, v->ind.unit, tgt, sizeof(tgt));
		if (en)
			put(b, "%s%s %s (target %s %s)", k++ ? "; " : " Missed: ",
			    v->ind.name_en, act, op ? op : "", tgt);
		else
			put(b, "%s%s %s（指标值 %s %s）", k++ ? "；" : "未达标的有：",
			    v->ind.name_zh, act, op ? op : "", tgt);
		if (v->reason[0] != '\0')
			put(b, en ? ", reason: %s" : "，原因：%s", v->reason);
	}
	if (k > 0)
		put(b, "%s", en ? "." : "。");
	put(b, "\n\n");
}

static void faults_par(struct buf *b, const struct config *cfg,
		       const struct sla_result *r, int en)
{
	size_t nsev[5] = { 0 }, late = 0, top[3] = { 0 }, ntop = 0;
	double sa = 0;
	size_t na = 0;

	(void)cfg;
	if (r->nfaults == 0) {
		put(b, "%s\n\n", en ? "No fault was detected this month."
				    : "本月未发现故障。");
		return;
	}
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct sla_fault *f = &r->faults[i];

		nsev[sev_rank(f->f.severity)]++;
		late += !f->acked_in_time;
		if (f->response_s == f->response_s) {
			sa += f->response_s;
			na++;
		}
		/* the three longest, most severe first on a tie */
		for (size_t k = 0; k <= ntop && k < 3; k++) {
			const struct sla_fault *g =
				k < ntop ? &r->faults[top[k]] : NULL;

			if (g == NULL || fault_len(f, r) > fault_len(g, r) ||
			    (fault_len(f, r) == fault_len(g, r) &&
			     sev_rank(f->f.severity) <
				     sev_rank(g->f.severity))) {
				memmove(&top[k + 1], &top[k],
					(2 - k) * sizeof(top[0]));
				top[k] = i;
				if (ntop < 3)
					ntop++;
				break;
			}
		}
	}
	if (en)
		put(b, "%zu faults were detected (critical %zu, major %zu, "
		       "minor %zu, warning %zu); %zu were not acknowledged in "
		       "time; mean time to respond %.1f min.",
		    r->nfaults, nsev[0], nsev[1], nsev[2], nsev[3], late,
		    na ? sa / (double)na / 60 : 0);
	else
		put(b, "本月发现故障 %zu 起（紧急 %zu 起、重要 %zu 起、次要 %zu "
		       "起、提示 %zu 起），未按时响应 %zu 起，平均响应时长 %.1f "
		       "分钟。",
		    r->nfaults, nsev[0], nsev[1], nsev[2], nsev[3], late,
		    na ? sa / (double)na / 60 : 0);
	put(b, "%s", en ? " The longest: " : "持续时间最长的故障：");
	for (size_t k = 0; k < ntop; k++) {
		const struct sla_fault *f = &r->faults[top[k]];
		char t[32];

		sla_local_fmt(r->period.tz,
			      f->f.first_fail_t > 0 ? f->f.first_fail_t
						    : f->f.detect_t,
			      t, sizeof(t));
		if (en)
			put(b, "%s#%lld %s (%s, %s) from %s, %.1f h",
			    k ? "; " : "", (long long)f->f.id, f->f.object,
			    word_fault_kind(f->f.kind, 1),
			    word_severity(f->f.severity, 1), t,
			    fault_len(f, r) / 3600);
		else
			put(b, "%s%lld 号 %s（%s，%s），%s 起，持续 %.1f 小时",
			    k ? "；" : "", (long long)f->f.id, f->f.object,
			    word_fault_kind(f->f.kind, 0),
			    word_severity(f->f.severity, 0), t,
			    fault_len(f, r) / 3600);
	}
	put(b, "%s\n\n", en ? "." : "。");
}

static void links_par(struct buf *b, const struct config *cfg,
		      const struct sla_result *r, int en)
{
	const struct sla_link *hi = NULL;
	double hu = -1;

	for (size_t i = 0; i < r->nlinks; i++) {
		const struct sla_link *l = &r->links[i];
		double u = l->capacity_mbps > 0
				   ? l->p95_max / (l->capacity_mbps * 1e6) * 100
				   : NAN;

		if (u == u && u > hu) {
			hu = u;
			hi = l;
		}
	}
	if (hi == NULL)
		return;
	if (en)
		put(b, "The busiest backbone or exit link was %s %s: 95th "
		       "percentile %.2f %% of its %.0f Mbps contracted "
		       "capacity.\n\n",
		    cfg->devices[hi->dev].name, hi->ifname, hu,
		    hi->capacity_mbps);
	else
		put(b, "骨干与出口链路中利用率最高的是 %s %s：95 百分位利用率 "
		       "%.2f%%（签约带宽 %.0f Mbps）。\n\n",
		    cfg->devices[hi->dev].name, hi->ifname, hu,
		    hi->capacity_mbps);
}

static void change_par(struct buf *b, const struct sla_result *r,
		       const struct sla_result *prev, int en)
{
	size_t k = 0;

	if (prev == NULL && r->period.kind != SLA_MONTH)
		return;
	if (prev == NULL) {
		put(b, "%s\n\n",
		    en ? "Last month has too little data for a comparison."
		       : "上月数据不足，不作对比。");
		return;
	}
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];
		const struct sla_value *p = report__find_value(prev, v->ind.id);
		char now[64], was[64];
		double dlt;

		if (p == NULL || v->value != v->value ||
		    p->value != p->value)
			continue;
		dlt = v->value - p->value;
		if (fabs(dlt) < 0.005)
			continue;
		report__value(v->value, v->ind.unit, now, sizeof(now));
		report__value(p->value, p->ind.unit, was, sizeof(was));
		if (k++ == 0)
			put(b, "%s", en ? "Against last month: "
					: "与上月相比：");
		if (en)
			put(b, "%s%s %s (last month %s)", k > 1 ? "; " : "",
			    v->ind.name_en, now, was);
		else
			put(b, "%s%s %s（上月 %s，%s）", k > 1 ? "；" : "",
			    v->ind.name_zh, now, was,
			    dlt > 0 ? "上升" : "下降");
		if (p->state != v->state)
			put(b, en ? ", now %s" : "，由%s变为%s",
			    en ? sla_state_name(v->state, "en")
			       : sla_state_name(p->state, "zh"),
			    sla_state_name(v->state, "zh"));
	}
	if (k == 0)
		put(b, "%s", en ? "No indicator changed against last month."
				: "各项指标与上月相比无变化。");
	else
		put(b, "%s", en ? "." : "。");
	put(b, "\n\n");
}

char *report__summary(const struct config *cfg, const struct sla_result *r,
		      const struct sla_result *prev, const char *lang)
{
	int en = lang != NULL && strcmp(lang, "en") == 0;
	struct buf b = { 0 };

	put(&b, "%s", "");
	indicators_par(&b, r, en);
	faults_par(&b, cfg, r, en);
	links_par(&b, cfg, r, en);
	change_par(&b, r, prev, en);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
