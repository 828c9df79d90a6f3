/*
 * cmd_faults.c - `slamon faults`: the faults of the journal, open ones by
 * default, every one with --all or of a month with --month, as a table or
 * JSON. ack and close, the two fault actions, are cmd_ack.c, cmd_close.c.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "storage/journal.h"

enum { O_MONTH = CLI_KEY_OWN, O_ALL, O_ID };

struct faults_args {
	const char *month;
	int all;
	long long id;
};

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPT_JOURNAL,
	{ "month", O_MONTH, "YYYY-MM",
	  "every fault detected in that month (local time), closed or not" },
	{ "all", O_ALL, NULL, "closed faults too" },
	{ "id", O_ID, "ID",
	  "one fault and its history: who acknowledged and closed it, from "
	  "the web console or the command line (the audit trail)" },
	CLI_OPT_JSON,
	CLI_OPT_END,
};

static int set(void *arg, int key, const char *val)
{
	struct faults_args *a = arg;

	if (key == O_MONTH)
		a->month = val;
	else if (key == O_ALL)
		a->all = 1;
	else if (key == O_ID) {
		char *end;

		a->id = strtoll(val, &end, 10);
		if (*end != '\0' || a->id <= 0) {
			fprintf(stderr, "slamon faults: --id '%s': a fault "
					"ID is a positive integer\n",
				val);
			return -EINVAL;
		}
	}
	return 0;
}

/* "2025-03" -> [first second of March, of April) in local time. */
static int month_range(const char *m, double *from, double *to)
{
	struct tm tm;
	int y, mo, used = 0;

	if (sscanf(m, "%4d-%2d%n", &y, &mo, &used) != 2 || m[used] != '\0' ||
	    mo < 1 || mo > 12)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	*from = (double)mktime(&tm);
	tm.tm_mon++;
	tm.tm_isdst = -1;
	*to = (double)mktime(&tm);
	return 0;
}

static const char *fmt_time(double t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0)
		return "-";
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
	return buf;
}

static void json_time(json_t *o, const char *key, double t)
{
	json_object_set_new(o, key, t == 0 ? json_null() : json_real(t));
}

static json_t *fault_json(const struct fault *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(f->id));
	json_object_set_new(o, "object", json_string(f->object));
	json_object_set_new(o, "object_kind", json_string(f->object_kind));
	json_object_set_new(o, "kind", json_string(f->kind));
	json_object_set_new(o, "severity", json_string(f->severity));
	json_object_set_new(o, "detail", json_string(f->detail));
	json_time(o, "first_fail_t", f->first_fail_t);
	json_time(o, "detect_t", f->detect_t);
	json_time(o, "deadline_t", f->deadline_t);
	json_time(o, "ack_t", f->ack_t);
	json_object_set_new(o, "ack_by", f->ack_t ? json_string(f->ack_by)
						 : json_null());
	json_object_set_new(o, "ack_note", json_string(f->ack_note));
	json_time(o, "resolved_t", f->resolved_t);
	json_time(o, "closed_t", f->closed_t);
	json_object_set_new(o, "close_note", json_string(f->close_note));
	json_object_set_new(o, "satisfaction",
			    f->closed_t ? json_string(f->satisfaction)
					: json_null());
	json_object_set_new(o, "unreachable_children",
			    json_integer(f->nchildren));
	json_object_set_new(o, "reminders", json_integer(f->reminders));
	json_object_set_new(o, "acked_in_time",
			    json_boolean(f->ack_t != 0 &&
					 f->ack_t <= f->deadline_t));
	return o;
}

static void print_table(const struct fault *fs, size_t n, double now)
{
	char b1[32], b2[32], b3[32], b4[32];

	printf("%-5s %-28s %-8s %-8s %-16s %-16s %-16s %-16s %s\n", "ID",
	       "对象 object", "类型", "级别", "检测 detected", "期限 deadline",
	       "确认 acked", "恢复 resolved", "关闭 closed");
	for (size_t i = 0; i < n; i++) {
		const struct fault *f = &fs[i];
		const char *flag = f->ack_t == 0 && f->closed_t == 0 &&
						   now > f->deadline_t
					   ? "  OVERDUE 超时未响应"
					   : "";

		printf("%-5lld %-28s %-8s %-8s %-16s %-16s %-16s %-16s %s",
		       (long long)f->id, f->object, f->kind, f->severity,
		       fmt_time(f->detect_t, b1, sizeof(b1)),
		       fmt_time(f->deadline_t, b2, sizeof(b2)),
		       fmt_time(f->ack_t, b3, sizeof(b3)),
		       fmt_time(f->resolved_t, b4, sizeof(b4)),
		       f->closed_t ? f->satisfaction : "-");
		if (f->nchildren > 0)
			printf("  (+%d unreachable 不可达)", f->nchildren);
		if (f->ack_t != 0)
			printf("  [%s]", f->ack_by);
		printf("%s\n", flag);
	}
	printf("%zu fault%s\n", n, n == 1 ? "" : "s");
}

static int list(struct journal *j, const struct faults_args *o,
		const struct cli_ctx *ctx)
{
	struct fault_query q = { .filter = o->all ? JQ_ALL : JQ_OPEN };
	struct fault *fs;
	char err[256];
	size_t n;

	if (o->month != NULL) {
		if (month_range(o->month, &q.from_t, &q.to_t) < 0) {
			fprintf(stderr,
				"slamon faults: --month '%s' is not YYYY-MM\n",
				o->month);
			return 2;
		}
		q.filter = JQ_ALL; /* a month's report lists every fault */
	}
	if (journal_fault_list(j, &q, &fs, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon faults: %s\n", err);
		return 1;
	}
	if (ctx->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, fault_json(&fs[i]));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(arr);
	} else {
		print_table(fs, n, ctx->now);
	}
	free(fs);
	return 0;
}

/* --id: the fault and its audit rows. */
static int show_one(struct journal *j, int64_t id, const struct cli_ctx *ctx)
{
	struct fault f;
	struct journal_audit *a = NULL;
	size_t n = 0;
	char err[256], b1[32];
	int rc = journal_fault_get(j, id, &f, err, sizeof(err));

	if (rc == 0)
		rc = journal_audit_list(j, id, &a, &n, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "slamon faults: %s\n", err);
		return 1;
	}
	if (ctx->json) {
		json_t *o = fault_json(&f), *h = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(
				h, json_pack("{s:f, s:s, s:s, s:s, s:s}", "t",
					     a[i].t, "action", a[i].action,
					     "who", a[i].who, "via", a[i].via,
					     "note", a[i].note));
		json_object_set_new(o, "history", h);
		json_dumpf(o, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(o);
	} else {
		print_table(&f, 1, ctx->now);
		printf("history 历史:\n");
		for (size_t i = 0; i < n; i++)
			printf("  %s  %-6s %-16s (%s)  %s\n",
			       fmt_time(a[i].t, b1, sizeof(b1)), a[i].action,
			       a[i].who, a[i].via, a[i].note);
	}
	free(a);
	return 0;
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct faults_args a = { 0 };
	struct cli_ctx ctx;
	struct journal *j;
	int rc;

	rc = cli_parse(cmd, argc, argv, &ctx, set, &a);
	if (rc != 0)
		return cli_parse_status(rc);
	if (cli__journal_open(&ctx, &j) < 0)
		return 2;
	rc = a.id > 0 ? show_one(j, a.id, &ctx) : list(j, &a, &ctx);
	journal_close(j);
	return rc;
}

const struct cli_cmd cli_cmd_faults = {
	.name = "faults",
	.synopsis = "[--month YYYY-MM] [--all] [--id ID] [--json]",
	.summary = "faults from the journal (open ones by default)",
	.summary_zh = "故障列表",
	.notes = "exit status: 0, 1 the journal could not list them, 2 usage, "
		 "configuration or journal error",
	.opts = opts,
	.run = run,
};
