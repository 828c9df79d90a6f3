/*
 * cmd_report.c - `slamon report`: the monthly operations report
 * (信息系统运维月报表) of a period, or the annual summary of a year, as
 * HTML, XLSX, CSV and JSON in a folder. The writers are sla/report*.c;
 * see docs/sla.md.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "cli.h"
#include "common.h"
#include "core/config.h"
#include "sla/report.h"
#include "sla/sla.h"

enum { O_OUT = 'o', O_FONT = CLI_KEY_OWN, O_NO_GRAPHS };

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPTS_PERIOD,
	{ "out", O_OUT, "DIR", "write the files into DIR (required)" },
	CLI_OPT_LANG,
	{ "font", O_FONT, "FONT",
	  "font of the graphs, a fontconfig name (default: "
	  REPORT_FONT_DEFAULT ")" },
	{ "no-graphs", O_NO_GRAPHS, NULL, "leave the traffic graphs out" },
	CLI_OPT_END,
};

static int set(void *arg, int key, const char *val)
{
	struct report_opts *ro = arg;

	if (key == O_OUT)
		ro->out_dir = val;
	else if (key == O_FONT)
		ro->font = val;
	else if (key == O_NO_GRAPHS)
		ro->no_graphs = 1;
	return 0;
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
	return rc;
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct report_opts ro = { 0 };
	struct cli_ctx ctx;
	struct config *cfg = NULL;
	struct sla_period p;
	int rc;

	rc = cli_parse(cmd, argc, argv, &ctx, set, &ro);
	if (rc != 0)
		return cli_parse_status(rc);
	if (ro.out_dir == NULL) {
		fprintf(stderr, "slamon report: --out DIR is required\n");
		return 2;
	}
	if (cli__config_load(ctx.config, &cfg) < 0)
		return 2;
	rc = write_report(&ctx, &ro, cfg, &p);
	if (rc == 0)
		printf("%s/slamon-%s.html\n", ro.out_dir, p.label);
	config_destroy(cfg);
	return rc < 0 ? 2 : 0;
}

const struct cli_cmd cli_cmd_report = {
	.name = "report",
	.synopsis = "(--month YYYY-MM | --year YYYY) --out DIR [--lang zh|en]",
	.summary = "the monthly operations report (HTML, XLSX, CSV, JSON) or "
		   "annual summary",
	.summary_zh = "信息系统运维月报表",
	.notes = "--month writes slamon-YYYY-MM.{html,json,xlsx} and its CSV "
		 "files into DIR and counts itself in "
		 "<storage_dir>/reports/produced.tsv; --year the 12 months "
		 "and the year.\nexit status: 0, 2 error",
	.opts = opts,
	.run = run,
};
