/*
 * cmd_faults.c - `slamon faults`, `slamon ack`, `slamon close` (see
 * cmd_faults.h). They work on the fault journal directly (SQLite handles
 * the concurrency with slamond), so they work while slamond runs or not.
 * SPDX-License-Identifier: MIT
 */
#include "cmd_faults.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/config.h"
#include "core/config.h"
#include "storage/journal.h"

struct faults_opts {
	const char *journal;
	const char *config; /* -c/--config, overrides the caller's path */
	const char *month;
	const char *by, *note, *satisfaction;
	int all, json;
	int64_t id;
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
		"usage: slamon faults [--month YYYY-MM] [--all] [--json]\n"
		"       slamon ack ID --by NAME [--note TEXT]\n"
		"       slamon close ID --note TEXT --satisfaction "
		"满意|基本满意|不满意\n"
		"  (also satisfied|basic|unsatisfied; every command takes "
		"--journal PATH)\n");
}

/* The journal path: --journal, else the configuration's. */
static int journal_path(const struct faults_opts *o, const char *config_path,
			char *out, size_t len)
{
	struct diag d = { 0 };
	struct config *cfg = NULL;

	if (o->journal != NULL) {
		snprintf(out, len, "%s", o->journal);
		return 0;
	}
	if (config_load(config_path, &cfg, &d) < 0) {
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.msgs[i]);
		diag_destroy(&d);
		return -EINVAL;
	}
	diag_destroy(&d);
	snprintf(out, len, "%s", alerts_config(cfg)->journal);
	config_destroy(cfg);
	return 0;
}

static int parse_args(int argc, char **argv, struct faults_opts *o)
{
	static const struct option longopts[] = {
		{ "month", required_argument, NULL, 'm' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "by", required_argument, NULL, 'b' },
		{ "note", required_argument, NULL, 'n' },
		{ "satisfaction", required_argument, NULL, 's' },
		{ "journal", required_argument, NULL, 'J' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0; /* GNU: full re-initialisation; argv[0] is skipped */
	while ((c = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->month = optarg; break;
		case 'a': o->all = 1; break;
		case 'j': o->json = 1; break;
		case 'b': o->by = optarg; break;
		case 'n': o->note = optarg; break;
		case 's': o->satisfaction = optarg; break;
		case 'J': o->journal = optarg; break;
		case 'c': o->config = optarg; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (strcmp(argv[0], "faults") != 0) {
		char *end;

		if (optind != argc - 1) {
			fprintf(stderr, "slamon %s: expected one fault ID\n",
				argv[0]);
			return -1;
		}
		o->id = strtoll(argv[optind], &end, 10);
		if (*end != '\0' || o->id <= 0) {
			fprintf(stderr, "slamon %s: '%s' is not a fault ID\n",
				argv[0], argv[optind]);
			return -1;
		}
	} else if (optind != argc) {
		usage(stderr);
		return -1;
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

static int cmd_list(struct journal *j, const struct faults_opts *o)
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
	if (o->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, fault_json(&fs[i]));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(arr);
	} else {
		print_table(fs, n, now_s());
	}
	free(fs);
	return 0;
}

static int cmd_ack(struct journal *j, const struct faults_opts *o)
{
	char err[256];

	if (o->by == NULL || o->by[0] == '\0') {
		fprintf(stderr, "slamon ack: --by NAME is required\n");
		return 2;
	}
	if (journal_fault_ack(j, o->id, now_s(), o->by, o->note, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "slamon ack: %s\n", err);
		return 1;
	}
	printf("fault %lld acknowledged by %s\n", (long long)o->id, o->by);
	return 0;
}

static int cmd_close(struct journal *j, const struct faults_opts *o)
{
	char err[256];

	if (o->note == NULL || o->satisfaction == NULL) {
		fprintf(stderr, "slamon close: --note TEXT and --satisfaction "
				"满意|基本满意|不满意 are required\n");
		return 2;
	}
	if (journal_fault_close(j, o->id, now_s(), o->note, o->satisfaction,
				err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon close: %s\n", err);
		return 1;
	}
	printf("fault %lld closed (%s)\n", (long long)o->id,
	       satisfaction_parse(o->satisfaction));
	return 0;
}

int cmd_faults_main(int argc, char **argv, const char *config_path)
{
	struct faults_opts o = { 0 };
	struct journal *j;
	char path[4096], err[512];
	int rc;

	if (argc < 1)
		return 2;
	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (journal_path(&o, o.config ? o.config : config_path, path,
			 sizeof(path)) < 0)
		return 2;
	if (journal_open(path, &j, err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon %s: %s\n", argv[0], err);
		return 2;
	}
	if (strcmp(argv[0], "ack") == 0)
		rc = cmd_ack(j, &o);
	else if (strcmp(argv[0], "close") == 0)
		rc = cmd_close(j, &o);
	else
		rc = cmd_list(j, &o);
	journal_close(j);
	return rc;
}
