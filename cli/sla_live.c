/*
 * sla_live.c - `slamon sla --live`: the current period's budget per
 * indicator (sla/live.h), as a table or the JSON the web console's
 * overview reads (docs/sla.md, "Live: the month's budget").
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "sla/indicators.h"
#include "sla/live.h"

static void pad(const char *s, int width)
{
	fputs(s, stdout);
	for (int i = cli__text_width(s, strlen(s)); i < width; i++)
		fputc(' ', stdout);
	fputc(' ', stdout);
}

static void fmt_val(const struct sla_value *v, double x, char *out,
		    size_t len)
{
	const char *sp = strcmp(v->ind.unit, "%") ? " " : "";

	if (x != x)
		snprintf(out, len, "-");
	else if (x == floor(x))
		snprintf(out, len, "%.0f%s%s", x, sp, v->ind.unit);
	else
		snprintf(out, len, "%.2f%s%s", x, sp, v->ind.unit);
}

/* "device-hours" for devices, "service-hours" for services. */
static const char *hours_word(const struct sla_live_value *lv, int en)
{
	if (strcmp(lv->v.ind.metric, "service_availability") == 0 ||
	    strncmp(lv->v.ind.scope, "service:", 8) == 0)
		return en ? "service-hours" : "服务小时";
	if (strcmp(lv->v.ind.metric, "completeness") == 0)
		return en ? "device-hours without data" : "设备小时（缺数据）";
	return en ? "device-hours" : "设备小时";
}

static void fmt_budget(const struct sla_live_value *lv, int en, char *out,
		       size_t len)
{
	const char *w = hours_word(lv, en);

	switch (lv->kind) {
	case SLA_LIVE_SHARE:
		if (lv->budget_h != lv->budget_h)
			snprintf(out, len, "-");
		else if (lv->left_h >= 0)
			snprintf(out, len,
				 en ? "%.2f %s of outage left (allowed %.2f, "
				      "used %.2f)"
				    : "还可停机 %.2f %s（允许 %.2f，已用 %.2f）",
				 lv->left_h, w, lv->budget_h, lv->used_h);
		else
			snprintf(out, len,
				 en ? "budget exhausted: %.2f %s over "
				      "(allowed %.2f, used %.2f)"
				    : "预算已用尽：超出 %.2f %s（允许 %.2f，"
				      "已用 %.2f）",
				 -lv->left_h, w, lv->budget_h, lv->used_h);
		break;
	case SLA_LIVE_RATIO:
		if (lv->late_allowed < 0 && !lv->one_more_late_breaches)
			snprintf(out, len, "-");
		else if (lv->v.state == SLA_BREACHED)
			snprintf(out, len,
				 en ? "already missed (%zu of %zu in time, "
				      "%zu pending)"
				    : "已不达标（按时 %zu / %zu 起，待响应 %zu 起）",
				 lv->ok, lv->n, lv->pending);
		else if (lv->one_more_late_breaches)
			snprintf(out, len,
				 en ? "one more late response breaches it "
				      "(%zu of %zu in time, %zu pending)"
				    : "再有 1 起超时响应即不达标（按时 %zu / "
				      "%zu 起，待响应 %zu 起）",
				 lv->ok, lv->n, lv->pending);
		else
			snprintf(out, len,
				 en ? "%ld more late responses allowed (%zu "
				      "of %zu in time, %zu pending)"
				    : "还可容许 %ld 起超时响应（按时 %zu / %zu "
				      "起，待响应 %zu 起）",
				 lv->late_allowed, lv->ok, lv->n, lv->pending);
		break;
	case SLA_LIVE_COUNT:
		if (lv->needed != lv->needed)
			snprintf(out, len, "-");
		else if (lv->needed <= 0)
			snprintf(out, len, en ? "reached" : "已达到");
		else
			snprintf(out, len, en ? "%g still needed" : "还差 %g",
				 lv->needed);
		break;
	default:
		snprintf(out, len, "-");
	}
}

static void print_live(const struct sla_live *l, const char *lang)
{
	int en = strcmp(lang, "en") == 0;
	size_t risk = 0;

	printf(en ? "SLA budget %s (%s), %.1f%% of the period elapsed\n"
		  : "SLA 预算 %s（%s），本期已过 %.1f%%\n",
	       l->r->period.label, l->r->period.tz,
	       l->period_s > 0 ? l->elapsed_s / l->period_s * 100 : 0);
	pad(en ? "indicator" : "指标", 32);
	pad(en ? "target" : "指标值", 12);
	pad(en ? "so far" : "当前值", 12);
	pad(en ? "projected" : "期末预计", 12);
	pad(en ? "outlook" : "预计结果", 10);
	printf("%s\n", en ? "budget" : "预算");
	for (size_t i = 0; i < l->n; i++) {
		const struct sla_live_value *lv = &l->v[i];
		char tgt[64], now[64], proj[64], bud[256];

		snprintf(tgt, sizeof(tgt), "%s %g%s%s",
			 cmp_op_name(lv->v.ind.cmp), lv->v.target,
			 strcmp(lv->v.ind.unit, "%") ? " " : "",
			 lv->v.ind.unit);
		fmt_val(&lv->v, lv->v.value, now, sizeof(now));
		fmt_val(&lv->v, lv->projected, proj, sizeof(proj));
		fmt_budget(lv, en, bud, sizeof(bud));
		pad(en ? lv->v.ind.name_en : lv->v.ind.name_zh, 32);
		pad(tgt, 12);
		pad(now, 12);
		pad(proj, 12);
		pad(sla_state_name(lv->projected_state, lang), 10);
		printf("%s\n", bud);
		risk += lv->projected_state != SLA_MET;
	}
	printf(en ? "%zu of %zu indicators projected to miss their target\n"
		  : "预计 %zu / %zu 项不达标\n",
	       risk, l->n);
}

int cli__sla_live(const struct cli_ctx *ctx, const struct config *cfg)
{
	struct sla_live *l = NULL;
	struct sla_period p;
	char err[512] = "";
	int rc, risk = 0;

	rc = cli__period_of(cfg, ctx, &p);
	if (rc == 0)
		rc = sla_live_evaluate(cfg, &p, ctx->now, &l, err, sizeof(err));
	if (rc < 0) {
		if (err[0])
			fprintf(stderr, "slamon sla: %s\n", err);
		return 2;
	}
	if (ctx->json) {
		json_t *o = sla_live_json(l);

		if (o == NULL) {
			fprintf(stderr, "slamon sla: out of memory\n");
			sla_live_destroy(l);
			return 2;
		}
		json_dumpf(o, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		print_live(l, ctx->lang);
	}
	for (size_t i = 0; i < l->n; i++)
		risk |= l->v[i].projected_state != SLA_MET;
	sla_live_destroy(l);
	return risk ? 1 : 0;
}
