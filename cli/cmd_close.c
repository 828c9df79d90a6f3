/*
 * cmd_close.c - `slamon close ID --note TEXT --satisfaction S`: the fault
 * is repaired and the unit's satisfaction is recorded (电子政务外网故障处理
 * 满意率 counts it).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "common.h"
#include "storage/journal.h"

enum { O_NOTE = CLI_KEY_OWN, O_SATISFACTION };

struct close_args {
	const char *note, *satisfaction;
};

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPT_JOURNAL,
	{ "note", O_NOTE, "TEXT", "what was done (required)" },
	{ "satisfaction", O_SATISFACTION, "满意|基本满意|不满意",
	  "the unit's satisfaction (required; also satisfied|basic|"
	  "unsatisfied)" },
	CLI_OPT_END,
};

static int set(void *arg, int key, const char *val)
{
	struct close_args *a = arg;

	if (key == O_NOTE)
		a->note = val;
	else if (key == O_SATISFACTION)
		a->satisfaction = val;
	return 0;
}

static int close_fault(struct journal *j, int64_t id,
		       const struct close_args *a, double now)
{
	char err[256];

	if (journal_fault_close(j, id, now, a->note, a->satisfaction, err,
				sizeof(err)) < 0) {
		fprintf(stderr, "slamon close: %s\n", err);
		return 1;
	}
	{
		char note[FAULT_TEXT_MAX];

		snprintf(note, sizeof(note), "%.400s (%s)", a->note,
			 satisfaction_parse(a->satisfaction));
		cli__audit(j, "close", id, NULL, note, now);
	}
	printf("fault %lld closed (%s)\n", (long long)id,
	       satisfaction_parse(a->satisfaction));
	return 0;
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct close_args a = { 0 };
	struct cli_ctx ctx;
	struct journal *j;
	int64_t id;
	int rc;

	rc = cli_parse(cmd, argc, argv, &ctx, set, &a);
	if (rc != 0)
		return cli_parse_status(rc);
	if (cli__fault_id(&ctx, &id) < 0)
		return 2;
	if (a.note == NULL || a.satisfaction == NULL) {
		fprintf(stderr, "slamon close: --note TEXT and --satisfaction "
				"满意|基本满意|不满意 are required\n");
		return 2;
	}
	if (cli__journal_open(&ctx, &j) < 0)
		return 2;
	rc = close_fault(j, id, &a, ctx.now);
	journal_close(j);
	return rc;
}

const struct cli_cmd cli_cmd_close = {
	.name = "close",
	.synopsis = "ID --note TEXT --satisfaction 满意|基本满意|不满意",
	.operand = "fault ID",
	.summary = "close a repaired fault with the unit's satisfaction",
	.summary_zh = "关闭故障并记录满意度",
	.notes = "exit status: 0 closed, 1 refused (unknown ID, already "
		 "closed: nothing changed), 2 usage, configuration or journal "
		 "error",
	.opts = opts,
	.run = run,
};
