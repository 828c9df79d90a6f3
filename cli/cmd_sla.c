/*
 * cmd_sla.c - `slamon sla`: compliance with the targets of the budget
 * performance table over a period, as a table, JSON or one Nagios plugin
 * line. The evaluation is sla/'s (sla_evaluate); see docs/sla.md.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "core/config.h"
#include "sla/indicators.h"
#include "sla/sla.h"

enum { O_NAGIOS = CLI_KEY_OWN, O_WARN_MARGIN, O_LIVE, O_CSV };

struct sla_args {
	int nagios;
	int live;
	int csv;
	double warn_margin;
};

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPTS_PERIOD,
	CLI_OPT_JSON,
	{ "nagios", O_NAGIOS, NULL,
	  "one Nagios plugin line; exit 0 OK, 1 WARNING, 2 CRITICAL, "
	  "3 UNKNOWN" },
	{ "warn-margin", O_WARN_MARGIN, "N",
	  "--nagios: WARNING when a % indicator is met by less than N "
	  "points (default 1)" },
	{ "live", O_LIVE, NULL,
	  "the period so far: value, projection to its end and the budget "
	  "left per indicator; exit 1 when one is projected to miss" },
	{ "csv", O_CSV, NULL,
	  "with --year: the months side by side as CSV (UTF-8 with BOM)" },
	CLI_OPT_LANG,
	CLI_OPT_END,
};

static int set(void *arg, int key, const char *val)
{
	struct sla_args *a = arg;
	char *end;

	if (key == O_NAGIOS) {
		a->nagios = 1;
	} else if (key == O_LIVE) {
		a->live = 1;
	} else if (key == O_CSV) {
		a->csv = 1;
	} else if (key == O_WARN_MARGIN) {
		a->warn_margin = strtod(val, &end);
		if (end == val || *end != '\0') {
			fprintf(stderr, "slamon sla: --warn-margin '%s': not "
					"a number\n",
				val);
			return -EINVAL;
		}
	}
	return 0;
}

static void pad(const char *s, int width)
{
	fputs(s, stdout);
	for (int i = cli__text_width(s, strlen(s)); i < width; i++)
		fputc(' ', stdout);
	fputc(' ', stdout);
}

static void print_table(const struct sla_result *r, const char *lang)
{
	int en = strcmp(lang, "en") == 0;
	size_t met = 0;

	printf(en ? "SLA compliance %s (%s)\n" : "SLA 达标情况 %s（%s）\n",
	       r->period.label, r->period.tz);
	pad(en ? "indicator" : "指标", 32);
	pad(en ? "target" : "指标值", 14);
	pad(en ? "actual" : "实际完成值", 14);
	pad(en ? "result" : "是否达标", 10);
	printf("%s\n", en ? "evidence" : "依据");
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];
		char tgt[64], val[64];

		snprintf(tgt, sizeof(tgt), "%s %g%s%s", cmp_op_name(v->ind.cmp),
			 v->target, strcmp(v->ind.unit, "%") ? " " : "",
			 v->ind.unit);
		if (v->value != v->value)
			snprintf(val, sizeof(val), "-");
		else if (v->value == floor(v->value))
			snprintf(val, sizeof(val), "%.0f%s%s", v->value,
				 strcmp(v->ind.unit, "%") ? " " : "",
				 v->ind.unit);
		else
			snprintf(val, sizeof(val), "%.2f%s", v->value,
				 v->ind.unit);
		pad(en ? v->ind.name_en : v->ind.name_zh, 32);
		pad(tgt, 14);
		pad(val, 14);
		pad(sla_state_name(v->state, lang), 10);
		printf("%s\n", en ? v->evidence_en : v->evidence_zh);
		met += v->state == SLA_MET;
	}
	printf(en ? "%zu of %zu indicators met\n" : "%zu / %zu 项达标\n", met,
	       r->nvalues);
}

static void print_json(const struct sla_result *r)
{
	json_t *o = json_object(), *a = json_array();
	size_t met = 0;

	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];

		met += v->state == SLA_MET;
		json_array_append_new(
			a,
			json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,"
				  "s:s,s:s}",
				  "id", v->ind.id, "name", v->ind.name_zh,
				  "name_en", v->ind.name_en, "level",
				  v->ind.level, "metric", v->ind.metric,
				  "comparator", cmp_op_name(v->ind.cmp),
				  "target", json_real(v->target), "value",
				  v->value == v->value ? json_real(v->value)
						       : json_null(),
				  "unit", v->ind.unit, "state",
				  sla_state_name(v->state, "en"), "evidence",
				  v->evidence_zh, "evidence_en",
				  v->evidence_en));
	}
	json_object_set_new(o, "period", json_string(r->period.label));
	json_object_set_new(o, "from", json_real(r->period.from));
	json_object_set_new(o, "to", json_real(r->period.to));
	json_object_set_new(o, "timezone", json_string(r->period.tz));
	json_object_set_new(o, "all_met", json_boolean(met == r->nvalues));
	json_object_set_new(o, "indicators", a);
	json_dumpf(o, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
	fputc('\n', stdout);
	json_decref(o);
}

/* Met, but within margin of the target on the comparator's side. */
static int near_target(const struct sla_value *v, double margin)
{
	if (v->state != SLA_MET || margin <= 0 || strcmp(v->ind.unit, "%") != 0)
		return 0;
	if (v->ind.cmp == CMP_GE || v->ind.cmp == CMP_GT)
		return v->value - v->target < margin;
	if (v->ind.cmp == CMP_LE || v->ind.cmp == CMP_LT)
		return v->target - v->value < margin;
	return 0;
}

/* One Nagios plugin line (Nagios plugin guidelines: "STATUS - text |
 * perfdata", label=value[UOM];warn;crit;min;max). */
static int print_nagios(const struct sla_result *r, double margin)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
					     "UNKNOWN" };
	size_t bad = 0, nodata = 0, warn = 0;
	int st;

	for (size_t i = 0; i < r->nvalues; i++) {
		bad += r->values[i].state == SLA_BREACHED;
		nodata += r->values[i].state == SLA_NODATA;
		warn += near_target(&r->values[i], margin);
	}
	st = bad ? 2 : nodata ? 3 : warn ? 1 : 0;
	printf("SLA %s - %s: %zu/%zu met", names[st], r->period.label,
	       r->nvalues - bad - nodata, r->nvalues);
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];

		if (v->state == SLA_BREACHED)
			printf(", %s %.2f%s breached (%s %g)", v->ind.id,
			       v->value, v->ind.unit, cmp_op_name(v->ind.cmp),
			       v->target);
		else if (v->state == SLA_NODATA)
			printf(", %s no data", v->ind.id);
		else if (near_target(v, margin))
			printf(", %s %.2f%s near target %g", v->ind.id,
			       v->value, v->ind.unit, v->target);
	}
	printf(" |");
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];
		const char *uom = strcmp(v->ind.unit, "%") == 0 ? "%" : "";

		char crit[64];

		/* threshold ranges of the plugin guidelines: "T:" alerts
		 * below T, "T" above T, "T:T" anywhere but T */
		if (v->ind.cmp == CMP_GE || v->ind.cmp == CMP_GT)
			snprintf(crit, sizeof(crit), "%g:", v->target);
		else if (v->ind.cmp == CMP_EQ)
			snprintf(crit, sizeof(crit), "%g:%g", v->target,
				 v->target);
		else
			snprintf(crit, sizeof(crit), "%g", v->target);
		if (v->value == v->value)
			printf(" %s=%.4f%s;;%s", v->ind.id, v->value, uom, crit);
		else
			printf(" %s=U%s;;%s", v->ind.id, uom, crit);
	}
	printf("\n");
	return st;
}

/* Evaluates and prints; the exit status. */
static int evaluate(const struct cli_ctx *ctx, const struct sla_args *a,
		    const struct config *cfg)
{
	struct sla_result *r = NULL;
	struct sla_period p;
	char err[512] = "";
	int rc, bad = 0;

	rc = cli__period_of(cfg, ctx, &p);
	if (rc == 0 && p.kind == SLA_YEAR && !a->nagios)
		return cli__sla_year(ctx, cfg, &p, a->csv); /* by month */
	if (rc == 0 && a->csv) {
		fprintf(stderr, "slamon sla: --csv goes with --year\n");
		return 2;
	}
	if (rc == 0)
		rc = sla_evaluate(cfg, &p, ctx->now, &r, err, sizeof(err));
	if (rc < 0) {
		if (a->nagios)
			printf("SLA UNKNOWN - %s\n", err[0] ? err : "error");
		else if (err[0])
			fprintf(stderr, "slamon sla: %s\n", err);
		return a->nagios ? 3 : 2;
	}
	if (a->nagios) {
		rc = print_nagios(r, a->warn_margin);
	} else {
		if (ctx->json)
			print_json(r);
		else
			print_table(r, ctx->lang);
		for (size_t i = 0; i < r->nvalues; i++)
			bad |= r->values[i].state != SLA_MET;
		rc = bad ? 1 : 0;
	}
	sla_result_destroy(r);
	return rc;
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct sla_args a = { .warn_margin = 1 };
	struct cli_ctx ctx;
	struct config *cfg = NULL;
	int rc;

	rc = cli_parse(cmd, argc, argv, &ctx, set, &a);
	if (rc != 0)
		return rc == CLI_HELP ? 0 : a.nagios ? 3 : 2;
	if (cli__config_load(ctx.config, &cfg) < 0)
		return a.nagios ? 3 : 2;
	if (a.live && a.nagios) {
		fprintf(stderr, "slamon sla: --live and --nagios exclude each "
				"other\n");
		rc = 2;
	} else if (a.live) {
		rc = cli__sla_live(&ctx, cfg);
	} else {
		rc = evaluate(&ctx, &a, cfg);
	}
	config_destroy(cfg);
	return rc;
}

const struct cli_cmd cli_cmd_sla = {
	.name = "sla",
	.synopsis = "[--month YYYY-MM|--quarter YYYY-QN|--year YYYY] "
		    "[--json|--nagios|--live|--csv]",
	.summary = "compliance with the budget performance targets",
	.summary_zh = "预算绩效目标达标情况",
	.notes = "exit status: 0 every indicator met, 1 one breached or "
		 "without data, 2 error; with --live 1 when one is projected "
		 "to miss its target; with --nagios 0 OK, 1 WARNING, "
		 "2 CRITICAL, 3 UNKNOWN",
	.opts = opts,
	.run = run,
};
