/*
 * sla_year.c - `slamon sla --year YYYY`: the twelve months side by side
 * with the year's value, one row per indicator, as a table, JSON or CSV
 * (docs/sla.md, "The year"). Each month and the year are sla_evaluate's;
 * months that have not begun are left empty.
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "sla/indicators.h"
#include "sla/sla.h"

struct year {
	struct sla_result *m[12]; /* NULL: the month has not begun */
	struct sla_result *y;
	char months[12][80];
};

static void year_free(struct year *yr)
{
	for (int i = 0; i < 12; i++)
		sla_result_destroy(yr->m[i]);
	sla_result_destroy(yr->y);
}

static int year_eval(const struct config *cfg, const struct sla_period *p,
		     double now, struct year *yr)
{
	char err[512] = "";
	int rc;

	memset(yr, 0, sizeof(*yr));
	for (int i = 0; i < 12; i++) {
		struct sla_period mp;

		rc = sla_period_month(p->tz, p->year, i + 1, &mp);
		if (rc < 0)
			goto err;
		snprintf(yr->months[i], sizeof(yr->months[i]), "%s", mp.label);
		if (mp.from >= now)
			continue;
		rc = sla_evaluate(cfg, &mp, now, &yr->m[i], err, sizeof(err));
		if (rc < 0)
			goto err;
	}
	rc = sla_evaluate(cfg, p, now, &yr->y, err, sizeof(err));
	if (rc == 0)
		return 0;
err:
	fprintf(stderr, "slamon sla: %s\n", err[0] ? err : "evaluation failed");
	year_free(yr);
	return rc;
}

static void fmt_val(const struct sla_value *v, char *out, size_t len)
{
	if (v == NULL || v->value != v->value)
		snprintf(out, len, "-");
	else if (v->value == floor(v->value))
		snprintf(out, len, "%.0f", v->value);
	else
		snprintf(out, len, "%.2f", v->value);
}

static void pad(const char *s, int width)
{
	fputs(s, stdout);
	for (int i = cli__text_width(s, strlen(s)); i < width; i++)
		fputc(' ', stdout);
	fputc(' ', stdout);
}

/* A month's value, marked "*" when it misses that month's target. */
static void cell(const struct sla_result *r, size_t i, char *out, size_t len)
{
	const struct sla_value *v = r != NULL && i < r->nvalues ? &r->values[i]
							       : NULL;

	fmt_val(v, out, len);
	if (v != NULL && v->state == SLA_BREACHED)
		strncat(out, "*", len - strlen(out) - 1);
}

static void print_text(const struct year *yr, const char *lang)
{
	int en = strcmp(lang, "en") == 0;
	const struct sla_result *y = yr->y;

	printf(en ? "SLA %d by month (%s); * = target missed that month\n"
		  : "SLA %d 年逐月达标情况（%s）；* 表示当月未达标\n",
	       y->period.year, y->period.tz);
	pad(en ? "indicator" : "指标", 32);
	pad(en ? "target" : "指标值", 12);
	for (int m = 0; m < 12; m++) {
		char h[16];

		snprintf(h, sizeof(h), en ? "%02d" : "%d月", m + 1);
		pad(h, 8);
	}
	pad(en ? "year" : "全年", 8);
	printf("%s\n", en ? "result" : "是否达标");
	for (size_t i = 0; i < y->nvalues; i++) {
		const struct sla_value *v = &y->values[i];
		char tgt[64], c[32];

		snprintf(tgt, sizeof(tgt), "%s %g%s", cmp_op_name(v->ind.cmp),
			 v->target, v->ind.unit);
		pad(en ? v->ind.name_en : v->ind.name_zh, 32);
		pad(tgt, 12);
		for (int m = 0; m < 12; m++) {
			cell(yr->m[m], i, c, sizeof(c));
			pad(c, 8);
		}
		fmt_val(v, c, sizeof(c));
		pad(c, 8);
		printf("%s\n", sla_state_name(v->state, lang));
	}
}

static json_t *num(double x)
{
	return x == x ? json_real(x) : json_null();
}

static void print_json(const struct year *yr)
{
	const struct sla_result *y = yr->y;
	json_t *o = json_object(), *inds = json_array(), *ms = json_array();

	for (int m = 0; m < 12; m++)
		json_array_append_new(ms, json_string(yr->months[m]));
	for (size_t i = 0; i < y->nvalues; i++) {
		const struct sla_value *v = &y->values[i];
		json_t *row = json_array();

		for (int m = 0; m < 12; m++) {
			const struct sla_result *r = yr->m[m];
			const struct sla_value *mv =
				r != NULL && i < r->nvalues ? &r->values[i]
							    : NULL;

			json_array_append_new(
				row, mv == NULL
					     ? json_null()
					     : json_pack("{s:s,s:o,s:o,s:s}",
							 "period",
							 yr->months[m], "value",
							 num(mv->value),
							 "target",
							 num(mv->target),
							 "state",
							 sla_state_name(
								 mv->state,
								 "en")));
		}
		json_array_append_new(
			inds,
			json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:{s:o,s:o,"
				  "s:s}}",
				  "id", v->ind.id, "name", v->ind.name_zh,
				  "name_en", v->ind.name_en, "metric",
				  v->ind.metric, "unit", v->ind.unit,
				  "comparator", cmp_op_name(v->ind.cmp),
				  "target", num(v->ind.target), "months", row,
				  "year", "value", num(v->value), "target",
				  num(v->target), "state",
				  sla_state_name(v->state, "en")));
	}
	json_object_set_new(o, "year", json_integer(y->period.year));
	json_object_set_new(o, "timezone", json_string(y->period.tz));
	json_object_set_new(o, "months", ms);
	json_object_set_new(o, "indicators", inds);
	json_dumpf(o, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
	fputc('\n', stdout);
	json_decref(o);
}

/* RFC 4180 field: quoted when it holds a comma, quote or line break. */
static void csv_field(const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', stdout);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', stdout);
			fputc(*s, stdout);
		}
		fputc('"', stdout);
	} else {
		fputs(s, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static void print_csv(const struct year *yr, const char *lang)
{
	int en = strcmp(lang, "en") == 0;
	const struct sla_result *y = yr->y;

	fputs("\xEF\xBB\xBF", stdout); /* UTF-8 BOM: spreadsheets read it so */
	csv_field("id", 0);
	csv_field(en ? "indicator" : "指标", 0);
	csv_field(en ? "comparator" : "比较", 0);
	csv_field(en ? "target" : "指标值", 0);
	csv_field(en ? "unit" : "单位", 0);
	for (int m = 0; m < 12; m++)
		csv_field(yr->months[m], 0);
	csv_field(en ? "year" : "全年", 0);
	csv_field(en ? "result" : "是否达标", 1);
	for (size_t i = 0; i < y->nvalues; i++) {
		const struct sla_value *v = &y->values[i];
		char c[64];

		csv_field(v->ind.id, 0);
		csv_field(en ? v->ind.name_en : v->ind.name_zh, 0);
		csv_field(cmp_op_name(v->ind.cmp), 0);
		snprintf(c, sizeof(c), "%g", v->target);
		csv_field(c, 0);
		csv_field(v->ind.unit, 0);
		for (int m = 0; m < 12; m++) {
			const struct sla_result *r = yr->m[m];

			fmt_val(r != NULL && i < r->nvalues ? &r->values[i]
							    : NULL,
				c, sizeof(c));
			csv_field(strcmp(c, "-") == 0 ? "" : c, 0);
		}
		fmt_val(v, c, sizeof(c));
		csv_field(strcmp(c, "-") == 0 ? "" : c, 0);
		csv_field(sla_state_name(v->state, lang), 1);
	}
}

int cli__sla_year(const struct cli_ctx *ctx, const struct config *cfg,
		  const struct sla_period *p, int csv)
{
	struct year yr;
	int bad = 0;

	if (year_eval(cfg, p, ctx->now, &yr) < 0)
		return 2;
	if (csv)
		print_csv(&yr, ctx->lang);
	else if (ctx->json)
		print_json(&yr);
	else
		print_text(&yr, ctx->lang);
	for (size_t i = 0; i < yr.y->nvalues; i++)
		bad |= yr.y->values[i].state != SLA_MET;
	year_free(&yr);
	return bad ? 1 : 0;
}
