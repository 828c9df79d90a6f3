/*
 * cmd_report.c - `slamon report`: the monthly operations report
 * (信息系统运维月报表) of a period, or the annual summary of a year, as
 * HTML, XLSX, CSV and JSON in a folder; `slamon report annotate` stores
 * the reason for a missed indicator (偏差原因) in the journal. The writers
 * are sla/report*.c; see docs/sla.md.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "core/config.h"
#include "sla/report.h"
#include "sla/sla.h"
#include "storage/journal.h"

enum { O_OUT = 'o', O_FONT = CLI_KEY_OWN, O_NO_GRAPHS, O_INDICATOR, O_TEXT,
       O_FORMAT, O_FILE };

/* What `slamon report annotate` and `slamon report summary` store. */
struct annotate_args {
	const char *indicator, *text, *file, *format;
};

struct report_args {
	struct report_opts ro;
	struct annotate_args an;
};

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPTS_PERIOD,
	{ "out", O_OUT, "DIR",
	  "write the files into DIR (required; final: the draft's DIR)" },
	CLI_OPT_LANG,
	{ "font", O_FONT, "FONT",
	  "font of the graphs, a fontconfig name (default: "
	  REPORT_FONT_DEFAULT ")" },
	{ "format", O_FORMAT, "LIST",
	  "the files to write, comma-separated: pdf,docx,html,xlsx,csv,json "
	  "(default: all; the JSON is always written)" },
	{ "no-graphs", O_NO_GRAPHS, NULL, "leave the charts out" },
	{ "journal", CLI_KEY_JOURNAL, "PATH",
	  "annotate: the journal (default: the configuration's [alerts] "
	  "journal)" },
	{ "indicator", O_INDICATOR, "ID",
	  "annotate: the indicator (its id in the configuration, e.g. "
	  "unit_connectivity)" },
	{ "text", O_TEXT, "TEXT",
	  "annotate: the reason for its deviation (偏差原因); summary: the "
	  "month's 本月运行概况; \"\" removes it" },
	{ "file", O_FILE, "FILE",
	  "summary: read the 本月运行概况 from FILE (UTF-8; paragraphs "
	  "separated by a blank line)" },
	CLI_OPT_END,
};

static int set(void *arg, int key, const char *val)
{
	struct report_args *a = arg;
	struct report_opts *ro = &a->ro;

	if (key == O_INDICATOR)
		a->an.indicator = val;
	else if (key == O_TEXT)
		a->an.text = val;
	else if (key == O_FILE)
		a->an.file = val;
	else if (key == O_FORMAT)
		a->an.format = val;
	else if (key == O_OUT)
		ro->out_dir = val;
	else if (key == O_FONT)
		ro->font = val;
	else if (key == O_NO_GRAPHS)
		ro->no_graphs = 1;
	return 0;
}

/* The audit trail: who made the report of label (a journal that does not
 * exist yet is not created for it). */
static void report_audit(const struct cli_ctx *ctx, const struct config *cfg,
			 const char *action, const char *label,
			 const char *dir)
{
	const char *path = ctx->journal ? ctx->journal
					: alerts_config(cfg)->journal;
	struct journal *j = NULL;
	char err[512], note[FAULT_TEXT_MAX];

	if (access(path, W_OK) != 0)
		return;
	if (journal_open(path, &j, err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon report: the audit row was not "
				"written: %s\n",
			err);
		return;
	}
	snprintf(note, sizeof(note), "%s in %.400s", action, dir);
	cli__audit(j, "report", 0, label, note, ctx->now);
	journal_close(j);
}

/* Writes the report of ctx's period; 0 or a negative errno. */
static int write_report(const struct cli_ctx *ctx, struct report_opts *ro,
			const struct config *cfg, struct sla_period *p)
{
	char err[512] = "";
	int rc;

	rc = cli__period_of(cfg, ctx, p);
	ro->lang = ctx->lang;
	ro->now = ctx->now;
	if (rc == 0 && p->kind == SLA_YEAR)
		rc = report_year(cfg, p->year, ro, err, sizeof(err));
	else if (rc == 0)
		rc = report_period(cfg, p, ro, NULL, err, sizeof(err));
	if (rc < 0 && err[0])
		fprintf(stderr, "slamon report: %s\n", err);
	if (rc == 0)
		report_audit(ctx, cfg, "draft", p->label, ro->out_dir);
	return rc;
}

/* The indicator called id in cfg, or NULL. */
static const struct indicator *indicator_of(const struct config *cfg,
					    const char *id)
{
	size_t n;
	const struct indicator *ind = sla_indicators(cfg, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(ind[i].id, id) == 0)
			return &ind[i];
	return NULL;
}

/* `slamon report annotate`: stores the reason for indicator's deviation
 * in the month of ctx (--month required). Returns the exit status. */
static int annotate(const struct cli_ctx *ctx, const struct annotate_args *a,
		    const struct config *cfg)
{
	struct journal *j = NULL;
	struct sla_period p;
	char err[512] = "";
	int rc;

	if (ctx->period == NULL || a->indicator == NULL || a->text == NULL) {
		fprintf(stderr, "slamon report annotate: --month, --indicator "
				"and --text are required\n");
		return 2;
	}
	if (cli__period_of(cfg, ctx, &p) < 0)
		return 2;
	if (p.kind != SLA_MONTH) {
		fprintf(stderr, "slamon report annotate: a reason is given "
				"for a month (--month YYYY-MM)\n");
		return 2;
	}
	if (indicator_of(cfg, a->indicator) == NULL) {
		fprintf(stderr, "slamon report annotate: no indicator '%s' "
				"in the configuration\n", a->indicator);
		return 2;
	}
	rc = journal_open(ctx->journal ? ctx->journal
				       : alerts_config(cfg)->journal,
			  &j, err, sizeof(err));
	if (rc == 0)
		rc = journal_reason_set(j, p.label, a->indicator, a->text,
					ctx->now, err, sizeof(err));
	journal_close(j);
	if (rc < 0) {
		fprintf(stderr, "slamon report annotate: %s\n", err);
		return 2;
	}
	printf("%s %s: %s\n", p.label, a->indicator,
	       a->text[0] ? "reason stored" : "reason removed");
	return 0;
}

/* `slamon report summary`: stores the operator's 本月运行概况 of the
 * month of ctx (--text or --file; "" removes it, and the report
 * generates its summary again). Returns the exit status. */
static int summary(const struct cli_ctx *ctx, const struct annotate_args *a,
		   const struct config *cfg)
{
	static char text[JOURNAL_SUMMARY_MAX + 1];
	struct journal *j = NULL;
	struct sla_period p;
	char err[512] = "";
	int rc;

	if (ctx->period == NULL || (a->text == NULL) == (a->file == NULL)) {
		fprintf(stderr, "slamon report summary: --month and one of "
				"--text or --file are required\n");
		return 2;
	}
	if (cli__period_of(cfg, ctx, &p) < 0)
		return 2;
	if (p.kind != SLA_MONTH) {
		fprintf(stderr, "slamon report summary: a summary is given "
				"for a month (--month YYYY-MM)\n");
		return 2;
	}
	if (a->file != NULL) {
		FILE *f = fopen(a->file, "r");
		size_t n;

		if (f == NULL) {
			fprintf(stderr, "slamon report summary: %s: %s\n",
				a->file, strerror(errno));
			return 2;
		}
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		if (n >= JOURNAL_SUMMARY_MAX) {
			fprintf(stderr, "slamon report summary: %s: longer "
					"than %d bytes\n",
				a->file, JOURNAL_SUMMARY_MAX - 1);
			return 2;
		}
	} else {
		snprintf(text, sizeof(text), "%s", a->text);
	}
	rc = journal_open(ctx->journal ? ctx->journal
				       : alerts_config(cfg)->journal,
			  &j, err, sizeof(err));
	if (rc == 0)
		rc = journal_summary_set(j, p.label, text, ctx->now, err,
					 sizeof(err));
	journal_close(j);
	if (rc < 0) {
		fprintf(stderr, "slamon report summary: %s\n", err);
		return 2;
	}
	printf("%s: %s\n", p.label,
	       text[0] ? "summary stored (it replaces the generated one)"
		       : "summary removed (the report generates one)");
	return 0;
}

/* `slamon report final`: checks the draft of the month of ctx in
 * ro->out_dir against its manifest and counts it. Returns the exit
 * status: 1 when the draft is incomplete or changed. */
static int make_final(const struct cli_ctx *ctx, struct report_opts *ro,
		      const struct config *cfg)
{
	struct sla_period p;
	char err[1024] = "";
	int rc;

	if (ctx->period == NULL) {
		fprintf(stderr, "slamon report final: --month is required\n");
		return 2;
	}
	if (cli__period_of(cfg, ctx, &p) < 0)
		return 2;
	ro->now = ctx->now;
	rc = report_final(cfg, &p, ro, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "slamon report final: %s\n", err);
		return rc == -EBADMSG || rc == -ENOENT ? 1 : 2;
	}
	report_audit(ctx, cfg, "final", p.label, ro->out_dir);
	printf("%s/slamon-%s.sha256: final, counted for 信息系统运维月报表份数\n",
	       ro->out_dir, p.label);
	return 0;
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct report_args args = { 0 };
	struct report_opts *ro = &args.ro;
	struct cli_ctx ctx;
	struct config *cfg = NULL;
	struct sla_period p;
	const char *action = NULL;
	int rc;

	/* `slamon report annotate|final ...`: the action, then the same
	 * option table (so `slamon report --help` lists every option) */
	if (argc > 1 && (strcmp(argv[1], "annotate") == 0 ||
			 strcmp(argv[1], "summary") == 0 ||
			 strcmp(argv[1], "final") == 0)) {
		action = argv[1];
		argc--;
		argv++;
	}
	rc = cli_parse(cmd, argc, argv, &ctx, set, &args);
	if (rc != 0)
		return cli_parse_status(rc);
	if (action != NULL && strcmp(action, "annotate") == 0) {
		if (cli__config_load(ctx.config, &cfg) < 0)
			return 2;
		rc = annotate(&ctx, &args.an, cfg);
		config_destroy(cfg);
		return rc;
	}
	if (action != NULL && strcmp(action, "summary") == 0) {
		if (cli__config_load(ctx.config, &cfg) < 0)
			return 2;
		rc = summary(&ctx, &args.an, cfg);
		config_destroy(cfg);
		return rc;
	}
	if (args.an.format != NULL) {
		char err[256];

		if (report_formats_parse(args.an.format, &ro->formats, err,
					 sizeof(err)) < 0) {
			fprintf(stderr, "slamon report: %s\n", err);
			return 2;
		}
	}
	if (ro->out_dir == NULL) {
		fprintf(stderr, "slamon report: --out DIR is required\n");
		return 2;
	}
	if (cli__config_load(ctx.config, &cfg) < 0)
		return 2;
	if (action != NULL) { /* final */
		rc = make_final(&ctx, ro, cfg);
		config_destroy(cfg);
		return rc;
	}
	rc = write_report(&ctx, ro, cfg, &p);
	if (rc == 0 && p.kind != SLA_YEAR) {
		static const char *const ext[] = { "pdf", "docx", "html",
						   "xlsx" };
		static const unsigned bit[] = { REPORT_FMT_PDF,
						REPORT_FMT_DOCX,
						REPORT_FMT_HTML,
						REPORT_FMT_XLSX };

		for (int i = 0; i < 4; i++)
			if (ro->formats == 0 || (ro->formats & bit[i]))
				printf("%s/slamon-%s.%s\n", ro->out_dir,
				       p.label, ext[i]);
	} else if (rc == 0) {
		printf("%s/slamon-%s.html\n", ro->out_dir, p.label);
	}
	config_destroy(cfg);
	return rc < 0 ? 2 : 0;
}

const struct cli_cmd cli_cmd_report = {
	.name = "report",
	.synopsis = "(--month YYYY-MM | --year YYYY) --out DIR [--lang zh|en] "
		    "[--format LIST] "
		    "| annotate --month YYYY-MM --indicator ID --text TEXT "
		    "| summary --month YYYY-MM (--text TEXT | --file FILE) "
		    "| final --month YYYY-MM --out DIR",
	.summary = "the monthly report (PDF, DOCX, HTML, XLSX, CSV, JSON)",
	.summary_zh = "信息系统运维月报表",
	.notes = "--month writes the draft slamon-YYYY-MM.{pdf,docx,html,json,"
		 "xlsx} and its CSV files into DIR (complete files only, renamed into "
		 "place) and last their manifest slamon-YYYY-MM.sha256 "
		 "(sha256sum -c checks it); --year the 12 months and the "
		 "year.\n"
		 "annotate stores the reason for a missed indicator "
		 "(偏差原因) in the journal; the report prints it, and flags "
		 "a missed indicator without one.\n"
		 "summary stores the month's 本月运行概况 in the journal; it "
		 "replaces the generated one in the PDF, DOCX and HTML.\n"
		 "final checks the draft in DIR against its manifest and "
		 "counts the month in <storage_dir>/reports/produced.tsv "
		 "(信息系统运维月报表份数); a draft does not count.\n"
		 "exit status: 0; 1 final refused (a file missing or not "
		 "matching the manifest, named); 2 error",
	.opts = opts,
	.run = run,
};
