/*
 * cmd_sla.c - `slamon sla` and `slamon report` (see cmd_sla.h): option
 * parsing and printing; the work is in sla/ (engine and report writers).
 * SPDX-License-Identifier: MIT
 */
#include "cmd_sla.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "sla/indicators.h"
#include "sla/report.h"
#include "sla/sla.h"

struct sla_opts {
	const char *config;
	const char *period; /* --month/--quarter/--year/--period text */
	const char *lang, *out, *font;
	int json, nagios, no_graphs;
	double warn_margin;
	double now;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: slamon sla [--month YYYY-MM | --quarter YYYY-Qn | --year "
		"YYYY |\n"
		"                   --period YYYY-MM-DD..YYYY-MM-DD] [--json | "
		"--nagios\n"
		"                   [--warn-margin N]] [--lang zh|en] [-c "
		"CONFIG]\n"
		"       slamon report (--month YYYY-MM | --year YYYY) --out DIR "
		"[--lang zh|en]\n"
		"                   [--font FONT] [--no-graphs] [-c CONFIG]\n"
		"  default period: the current month; --now EPOCH evaluates as "
		"of that time\n");
}

static int parse_args(int argc, char **argv, struct sla_opts *o)
{
	static const struct option longopts[] = {
		{ "month", required_argument, NULL, 'm' },
		{ "quarter", required_argument, NULL, 'q' },
		{ "year", required_argument, NULL, 'y' },
		{ "period", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "nagios", no_argument, NULL, 'n' },
		{ "warn-margin", required_argument, NULL, 'w' },
		{ "lang", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "font", required_argument, NULL, 'f' },
		{ "no-graphs", no_argument, NULL, 'G' },
		{ "now", required_argument, NULL, 'N' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->lang = "zh";
	o->warn_margin = 1;
	o->now = now_s();
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm': case 'q': case 'y': case 'p':
			o->period = optarg;
			break;
		case 'j': o->json = 1; break;
		case 'n': o->nagios = 1; break;
		case 'w': o->warn_margin = atof(optarg); break;
		case 'l': o->lang = optarg; break;
		case 'o': o->out = optarg; break;
		case 'f': o->font = optarg; break;
		case 'G': o->no_graphs = 1; break;
		case 'N': o->now = atof(optarg); break;
		case 'c': o->config = optarg; break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc || (strcmp(o->lang, "zh") != 0 &&
			      strcmp(o->lang, "en") != 0)) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int load(const char *path, struct config **ret)
{
	struct diag d = { 0 };
	int rc = config_load(path, ret, &d);

	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msgs[i]);
	diag_destroy(&d);
	return rc;
}

/* The period: as given, else the current month in the configured zone. */
static int period_of(const struct config *cfg, const struct sla_opts *o,
		     struct sla_period *p)
{
	char err[256] = "", cur[32];
	struct tm tm;

	if (o->period == NULL) {
		if (sla_local_tm(cfg->timezone, o->now, &tm) < 0) {
			fprintf(stderr, "slamon: unknown time zone '%s'\n",
				cfg->timezone);
			return -EINVAL;
		}
		snprintf(cur, sizeof(cur), "%04d-%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1);
	}
	if (sla_period_parse(cfg->timezone, o->period ? o->period : cur, p,
			     err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

/* Display width: CJK and full-width characters take two columns. */
static int text_width(const char *s)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		w += *p >= 0xe1 ? 2 : 1;
	}
	return w;
}

static void pad(const char *s, int width)
{
	fputs(s, stdout);
	for (int i = text_width(s); i < width; i++)
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

int cmd_sla_main(int argc, char **argv, const char *config_path)
{
	struct sla_opts o = { 0 };
	struct config *cfg = NULL;
	struct sla_result *r = NULL;
	struct sla_period p;
	char err[512] = "";
	int rc, bad = 0;

	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : (o.nagios ? 3 : 2);
	if (load(o.config ? o.config : config_path, &cfg) < 0)
		return o.nagios ? 3 : 2;
	rc = period_of(cfg, &o, &p);
	if (rc == 0)
		rc = sla_evaluate(cfg, &p, o.now, &r, err, sizeof(err));
	if (rc < 0) {
		if (o.nagios)
			printf("SLA UNKNOWN - %s\n", err[0] ? err : "error");
		else if (err[0])
			fprintf(stderr, "slamon sla: %s\n", err);
		config_destroy(cfg);
		return o.nagios ? 3 : 2;
	}
	if (o.nagios) {
		rc = print_nagios(r, o.warn_margin);
	} else {
		if (o.json)
			print_json(r);
		else
			print_table(r, o.lang);
		for (size_t i = 0; i < r->nvalues; i++)
			bad |= r->values[i].state != SLA_MET;
		rc = bad ? 1 : 0;
	}
	sla_result_destroy(r);
	config_destroy(cfg);
	return rc;
}

int cmd_report_main(int argc, char **argv, const char *config_path)
{
	struct sla_opts o = { 0 };
	struct report_opts ro = { 0 };
	struct config *cfg = NULL;
	struct sla_period p;
	char err[512] = "";
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (o.out == NULL) {
		fprintf(stderr, "slamon report: --out DIR is required\n");
		return 2;
	}
	if (load(o.config ? o.config : config_path, &cfg) < 0)
		return 2;
	rc = period_of(cfg, &o, &p);
	ro.out_dir = o.out;
	ro.lang = o.lang;
	ro.font = o.font;
	ro.now = o.now;
	ro.no_graphs = o.no_graphs;
	if (rc == 0 && p.kind == SLA_YEAR)
		rc = report_year(cfg, p.year, &ro, err, sizeof(err));
	else if (rc == 0)
		rc = report_period(cfg, &p, &ro, NULL, err, sizeof(err));
	if (rc < 0) {
		if (err[0])
			fprintf(stderr, "slamon report: %s\n", err);
		config_destroy(cfg);
		return 2;
	}
	printf("%s/slamon-%s.html\n", o.out, p.label);
	config_destroy(cfg);
	return 0;
}
