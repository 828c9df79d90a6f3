/*
 * cmd_ack.c - `slamon ack ID --by NAME [--note TEXT]`: an operator has
 * taken the fault in hand. The acknowledgement, who made it and when, is
 * what 故障响应率 counts against the fault's response deadline.
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "common.h"
#include "storage/journal.h"

enum { O_BY = CLI_KEY_OWN, O_NOTE };

struct ack_args {
	const char *by, *note;
};

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPT_JOURNAL,
	{ "by", O_BY, "NAME", "who acknowledges (required)" },
	{ "note", O_NOTE, "TEXT", "kept with the acknowledgement" },
	CLI_OPT_END,
};

static int set(void *arg, int key, const char *val)
{
	struct ack_args *a = arg;

	if (key == O_BY)
		a->by = val;
	else if (key == O_NOTE)
		a->note = val;
	return 0;
}

static int ack(struct journal *j, int64_t id, const struct ack_args *a,
	       double now)
{
	char err[256], note[FAULT_TEXT_MAX];

	if (journal_fault_ack(j, id, now, a->by, a->note, err, sizeof(err)) <
	    0) {
		fprintf(stderr, "slamon ack: %s\n", err);
		return 1;
	}
	snprintf(note, sizeof(note), "by %.63s%s%.400s", a->by,
		 a->note ? ": " : "", a->note ? a->note : "");
	cli__audit(j, "ack", id, NULL, note, now);
	printf("fault %lld acknowledged by %s\n", (long long)id, a->by);
	return 0;
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct ack_args a = { 0 };
	struct cli_ctx ctx;
	struct journal *j;
	int64_t id;
	int rc;

	rc = cli_parse(cmd, argc, argv, &ctx, set, &a);
	if (rc != 0)
		return cli_parse_status(rc);
	if (cli__fault_id(&ctx, &id) < 0)
		return 2;
	if (a.by == NULL || a.by[0] == '\0') {
		fprintf(stderr, "slamon ack: --by NAME is required\n");
		return 2;
	}
	if (cli__journal_open(&ctx, &j) < 0)
		return 2;
	rc = ack(j, id, &a, ctx.now);
	journal_close(j);
	return rc;
}

const struct cli_cmd cli_cmd_ack = {
	.name = "ack",
	.synopsis = "ID --by NAME [--note TEXT]",
	.operand = "fault ID",
	.summary = "acknowledge a fault: an operator has taken it in hand",
	.summary_zh = "确认（响应）故障",
	.notes = "exit status: 0 acknowledged, 1 refused (unknown ID, already "
		 "acknowledged or closed: nothing changed), 2 usage, "
		 "configuration or journal error",
	.opts = opts,
	.run = run,
};
