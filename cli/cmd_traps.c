/*
 * cmd_traps.c - `slamon traps`: the SNMP traps slamond received, from the
 * journal's traps table (storage/journal_trap.c), newest first, as a
 * table or JSON: of the last 24 hours by default, since a time with
 * --since, of one device with --device ("-": those of unknown sources).
 * SPDX-License-Identifier: MIT
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "storage/journal.h"

enum { O_SINCE = CLI_KEY_OWN, O_DEVICE, O_LIMIT };

struct traps_args {
	const char *since, *device;
	long limit;
};

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPT_JOURNAL,
	{ "since", O_SINCE, "WHEN",
	  "traps since WHEN: a duration back from now (30m, 2h, 7d), a local "
	  "date or time (YYYY-MM-DD, \"YYYY-MM-DD HH:MM\") or epoch seconds "
	  "(default: 24h)" },
	{ "device", O_DEVICE, "NAME",
	  "only the traps of that device; \"-\": those from unknown sources" },
	{ "limit", O_LIMIT, "N", "at most N traps, newest first (default 200, "
				 "0: all)" },
	CLI_OPT_JSON,
	CLI_OPT_END,
};

static int set(void *arg, int key, const char *val)
{
	struct traps_args *a = arg;
	char *end;

	if (key == O_SINCE) {
		a->since = val;
	} else if (key == O_DEVICE) {
		a->device = val;
	} else if (key == O_LIMIT) {
		a->limit = strtol(val, &end, 10);
		if (val[0] == '\0' || *end != '\0' || a->limit < 0) {
			fprintf(stderr, "slamon traps: --limit '%s' is not a "
					"count\n",
				val);
			return -22; /* -EINVAL */
		}
	}
	return 0;
}

/* WHEN of --since as epoch seconds; -1 when it is none of the forms. */
static double since_parse(const char *s, double now)
{
	struct tm tm;
	char *end;
	double v;
	const char *rest;

	v = strtod(s, &end);
	if (end != s && v >= 0) {
		if (end[0] == '\0')
			return v > 1e9 ? v : -1; /* epoch seconds */
		if (end[1] == '\0') {
			switch (end[0]) {
			case 's': return now - v;
			case 'm': return now - v * 60;
			case 'h': return now - v * 3600;
			case 'd': return now - v * 86400;
			}
		}
	}
	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%d", &tm);
	if (rest == NULL)
		return -1;
	if (*rest == ' ' || *rest == 'T')
		rest = strptime(rest + 1, "%H:%M", &tm);
	if (rest == NULL || *rest != '\0')
		return -1;
	tm.tm_isdst = -1;
	return (double)mktime(&tm);
}

static json_t *trap_json(const struct journal_trap *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "t", json_real(r->t));
	json_object_set_new(o, "source", json_string(r->source));
	json_object_set_new(o, "device", r->device[0]
						 ? json_string(r->device)
						 : json_null());
	json_object_set_new(o, "trap_oid", json_string(r->trap_oid));
	json_object_set_new(o, "version", json_string(r->version));
	json_object_set_new(o, "inform", json_boolean(r->inform));
	json_object_set_new(o, "agent", json_string(r->agent));
	json_object_set_new(o, "varbinds", json_string(r->varbinds));
	return o;
}

/* The trap names of SNMPv2-MIB snmpTraps, for the table. */
static const char *trap_name(const char *oid)
{
	static const char *const names[] = { "coldStart", "warmStart",
					     "linkDown", "linkUp",
					     "authenticationFailure" };
	const char *pfx = "1.3.6.1.6.3.1.1.5.";
	size_t n = strlen(pfx);

	if (strncmp(oid, pfx, n) == 0 && oid[n] >= '1' && oid[n] <= '5' &&
	    oid[n + 1] == '\0')
		return names[oid[n] - '1'];
	return oid;
}

/* s, then spaces to width display columns (CJK counts 2) and one more. */
static void cell(const char *s, int width)
{
	int w = cli__text_width(s, strlen(s));

	fputs(s, stdout);
	for (; w < width; w++)
		putchar(' ');
	putchar(' ');
}

static void print_table(const struct journal_trap *rs, size_t n)
{
	cell("时间 time", 19);
	cell("设备 device", 20);
	cell("来源 source", 16);
	cell("版本", 4);
	cell("陷阱 trap", 22);
	printf("变量 varbinds\n");
	for (size_t i = 0; i < n; i++) {
		const struct journal_trap *r = &rs[i];
		time_t tt = (time_t)r->t;
		struct tm tm;
		char when[32];

		localtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		cell(when, 19);
		cell(r->device[0] ? r->device : "(未知 unknown)", 20);
		cell(r->source, 16);
		cell(r->version, 4);
		cell(trap_name(r->trap_oid), 22);
		printf("%s%s\n", r->inform ? "(inform) " : "", r->varbinds);
	}
	printf("%zu trap%s\n", n, n == 1 ? "" : "s");
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct traps_args a = { NULL, NULL, 200 };
	struct cli_ctx ctx;
	struct journal *j;
	struct journal_trap *rs = NULL;
	size_t n = 0;
	char err[256];
	double since;
	int rc;

	rc = cli_parse(cmd, argc, argv, &ctx, set, &a);
	if (rc != 0)
		return cli_parse_status(rc);
	since = a.since ? since_parse(a.since, ctx.now) : ctx.now - 86400;
	if (since < 0) {
		fprintf(stderr, "slamon traps: --since '%s': give 30m, 2h, 7d, "
				"YYYY-MM-DD, \"YYYY-MM-DD HH:MM\" or epoch "
				"seconds\n",
			a.since);
		return 2;
	}
	if (cli__journal_open(&ctx, &j) < 0)
		return 2;
	rc = journal_trap_list(j, since, a.device, (size_t)a.limit, &rs, &n,
			       err, sizeof(err));
	journal_close(j);
	if (rc < 0) {
		fprintf(stderr, "slamon traps: %s\n", err);
		return 1;
	}
	if (ctx.json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, trap_json(&rs[i]));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(arr);
	} else {
		print_table(rs, n);
	}
	free(rs);
	return 0;
}

const struct cli_cmd cli_cmd_traps = {
	.name = "traps",
	.synopsis = "[--since WHEN] [--device NAME] [--limit N] [--json]",
	.summary = "SNMP traps received by slamond (newest first)",
	.summary_zh = "收到的 SNMP 陷阱",
	.notes = "exit status: 0, 1 the journal could not list them, 2 usage, "
		 "configuration or journal error",
	.opts = opts,
	.run = run,
};
