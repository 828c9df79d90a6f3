/*
 * cmd_talkers.c - `slamon talkers NAME`: the top talkers and ports of a
 * captured link over a time range, summed from the per-interval records
 * slamond keeps in the journal; the sums are sla_capture_load's
 * (sla/talkers.c), the same the monthly report shows. Works while slamond
 * runs (SQLite WAL: readers do not block the daemon). See docs/pcap.md.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "core/config.h"
#include "sla/sla.h"

enum { O_FROM = CLI_KEY_OWN, O_TO, O_MONTH, O_TOP };

struct talkers_args {
	const char *from, *to, *month;
	int top;
};

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPT_JOURNAL,
	{ "from", O_FROM, "TIME", "start of the range (default: an hour "
				  "before its end)" },
	{ "to", O_TO, "TIME", "end of the range (default: now)" },
	{ "month", O_MONTH, "YYYY-MM", "the range is that month (not with "
				      "--from or --to)" },
	{ "top", O_TOP, "N", "entries per list, 1.." CLI_STR(SLA_TOP_MAX)
			     " (default: the capture's top, else 10)" },
	CLI_OPT_JSON,
	CLI_OPT_LANG,
	CLI_OPT_END,
};

static int set(void *arg, int key, const char *val)
{
	struct talkers_args *a = arg;
	char *end;

	if (key == O_FROM)
		a->from = val;
	else if (key == O_TO)
		a->to = val;
	else if (key == O_MONTH)
		a->month = val;
	if (key != O_TOP)
		return 0;
	a->top = (int)strtol(val, &end, 10);
	if (*end != '\0' || a->top < 1 || a->top > SLA_TOP_MAX) {
		fprintf(stderr,
			"slamon talkers: --top %s: not a number in 1..%d\n",
			val, SLA_TOP_MAX);
		return -EINVAL;
	}
	return 0;
}

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM" (or with a T) in zone tz, or epoch
 * seconds. */
static int parse_time(const char *tz, const char *s, double *ret)
{
	int y, mo, d, h = 0, mi = 0, used = 0;
	size_t len = strlen(s);
	char *end;

	if (len > 0 && strspn(s, "0123456789") == len) {
		*ret = strtod(s, &end);
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3)
		return -EINVAL;
	if (s[used] == ' ' || s[used] == 'T') {
		int more = 0;

		if (sscanf(s + used + 1, "%2d:%2d%n", &h, &mi, &more) != 2)
			return -EINVAL;
		used += 1 + more;
	}
	if (s[used] != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h < 0 || h > 23 || mi < 0 || mi > 59)
		return -EINVAL;
	return sla_local_mktime(tz, y, mo, d, h, mi, ret);
}

/* The range [*from, *to) the options ask for. */
static int range_of(const struct config *cfg, const struct talkers_args *o,
		    double *from, double *to)
{
	char err[256] = "";

	if (o->month != NULL) {
		struct sla_period p;

		if (sla_period_parse(cfg->timezone, o->month, &p, err,
				     sizeof(err)) < 0) {
			fprintf(stderr, "slamon talkers: %s\n", err);
			return -EINVAL;
		}
		*from = p.from;
		*to = p.to;
		return 0;
	}
	*to = (double)time(NULL);
	if (o->to != NULL && parse_time(cfg->timezone, o->to, to) < 0) {
		fprintf(stderr,
			"slamon talkers: --to '%s': expected YYYY-MM-DD, "
			"\"YYYY-MM-DD HH:MM\" or epoch seconds\n",
			o->to);
		return -EINVAL;
	}
	*from = *to - 3600;
	if (o->from != NULL && parse_time(cfg->timezone, o->from, from) < 0) {
		fprintf(stderr,
			"slamon talkers: --from '%s': expected YYYY-MM-DD, "
			"\"YYYY-MM-DD HH:MM\" or epoch seconds\n",
			o->from);
		return -EINVAL;
	}
	if (*to <= *from) {
		fprintf(stderr, "slamon talkers: the range ends before it "
				"starts\n");
		return -EINVAL;
	}
	return 0;
}

static void human_bytes(double b, char *out, size_t len)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	int u = 0;

	while (b >= 1000 && u < 4) {
		b /= 1000;
		u++;
	}
	snprintf(out, len, u ? "%.2f %s" : "%.0f %s", b, unit[u]);
}

/* s in a column of width w, left- or right-aligned, then one blank. */
static void cell(const char *s, int w, int right)
{
	int pad = w - cli__text_width(s, strlen(s));

	for (int i = 0; right && i < pad; i++)
		fputc(' ', stdout);
	fputs(s, stdout);
	for (int i = 0; !right && i < pad; i++)
		fputc(' ', stdout);
	fputc(' ', stdout);
}

static void print_list(const char *title, const char *keycol,
		       const struct sla_top *v, size_t n, uint64_t total,
		       int en)
{
	const char *head[] = { en ? "bytes" : "字节", en ? "packets" : "包数",
			       en ? "share" : "占比",
			       en ? "intervals" : "上榜间隔" };
	int kw = cli__text_width(keycol, strlen(keycol));
	char key[64];

	for (size_t i = 0; i < n; i++) {
		int w = (int)strlen(sla_top_label(&v[i], key, sizeof(key)));

		kw = w > kw ? w : kw;
	}
	printf("%s\n  ", title);
	cell("#", 3, 1);
	cell(keycol, kw, 0);
	cell(head[0], 22, 1);
	cell(head[1], 12, 1);
	cell(head[2], 8, 1);
	cell(head[3], 9, 1);
	fputc('\n', stdout);
	for (size_t i = 0; i < n; i++) {
		char num[64], hb[32];

		fputs("  ", stdout);
		snprintf(num, sizeof(num), "%zu", i + 1);
		cell(num, 3, 1);
		cell(sla_top_label(&v[i], key, sizeof(key)), kw, 0);
		human_bytes((double)v[i].bytes, hb, sizeof(hb));
		snprintf(num, sizeof(num), "%llu (%s)",
			 (unsigned long long)v[i].bytes, hb);
		cell(num, 22, 1);
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)v[i].packets);
		cell(num, 12, 1);
		snprintf(num, sizeof(num), "%.2f%%",
			 total ? (double)v[i].bytes / (double)total * 100
			       : 0.0);
		cell(num, 8, 1);
		snprintf(num, sizeof(num), "%zu", v[i].intervals);
		cell(num, 9, 1);
		fputc('\n', stdout);
	}
	if (n == 0)
		printf("  %s\n", en ? "(none)" : "（无）");
}

static void print_text(const struct sla_capture *c, const char *tz,
		       double from, double to, int en)
{
	char a[32], b[32], tot[32], in[32], out[32];
	double seen = (double)c->records + (double)c->drops;

	sla_local_fmt(tz, from, a, sizeof(a));
	sla_local_fmt(tz, to, b, sizeof(b));
	human_bytes((double)c->bytes, tot, sizeof(tot));
	human_bytes((double)c->in_bytes, in, sizeof(in));
	human_bytes((double)c->out_bytes, out, sizeof(out));
	if (en) {
		printf("Captured link %s (device %s), %s .. %s (%s)\n", c->name,
		       c->device, a, b, tz);
		printf("%zu intervals, %llu records, %s (in %s, out %s), "
		       "drops %.3f%%, completeness %.2f%%\n",
		       c->intervals, (unsigned long long)c->records, tot, in,
		       out, seen > 0 ? (double)c->drops / seen * 100 : 0.0,
		       sla_capture_completeness(c));
		printf("Each list is the sum of the per-interval top-%zu "
		       "lists (a lower bound for each entry).\n",
		       c->top_n);
	} else {
		printf("抓包链路 %s（设备 %s），%s — %s（%s）\n", c->name,
		       c->device, a, b, tz);
		printf("采集间隔 %zu 个，记录 %llu 条，总流量 %s（入 %s，出 %s），"
		       "丢包 %.3f%%，完整性 %.2f%%\n",
		       c->intervals, (unsigned long long)c->records, tot, in,
		       out, seen > 0 ? (double)c->drops / seen * 100 : 0.0,
		       sla_capture_completeness(c));
		printf("以下各表为每个采集间隔 Top-%zu 列表之和（各项为下限）。\n",
		       c->top_n);
	}
	print_list(en ? "Local talkers" : "本地通信方",
		   en ? "address" : "地址", c->local, c->nlocal, c->bytes,
		   en);
	print_list(en ? "Remote talkers" : "外部通信方",
		   en ? "address" : "地址", c->remote, c->nremote, c->bytes,
		   en);
	print_list(en ? "Service ports" : "服务端口",
		   en ? "proto/port" : "协议/端口", c->ports, c->nports,
		   c->bytes, en);
}

static json_t *list_json(const struct sla_top *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++) {
		char key[64];

		json_array_append_new(
			a, json_pack("{s:s,s:I,s:I,s:I}",
				     v[i].family ? "addr" : "port",
				     sla_top_label(&v[i], key, sizeof(key)),
				     "bytes", (json_int_t)v[i].bytes,
				     "packets", (json_int_t)v[i].packets,
				     "intervals", (json_int_t)v[i].intervals));
	}
	return a;
}

static int print_json(const struct sla_capture *c, const char *tz,
		      double from, double to)
{
	double seen = (double)c->records + (double)c->drops;
	double comp = sla_capture_completeness(c);
	json_t *o = json_pack(
		"{s:s,s:s,s:f,s:f,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,"
		"s:f,s:o,s:s,s:I,s:o,s:o,s:o}",
		"capture", c->name, "device", c->device, "from", from, "to",
		to, "timezone", tz, "intervals", (json_int_t)c->intervals,
		"records", (json_int_t)c->records, "packets",
		(json_int_t)c->packets, "bytes", (json_int_t)c->bytes,
		"in_bytes", (json_int_t)c->in_bytes, "out_bytes",
		(json_int_t)c->out_bytes, "drops", (json_int_t)c->drops,
		"drop_pct", seen > 0 ? (double)c->drops / seen * 100 : 0.0,
		"expected_s", c->expected_s, "covered_s", c->covered_s,
		"completeness_pct", isnan(comp) ? json_null() : json_real(comp),
		"top_basis", "sum of the per-interval top-N lists", "top_n",
		(json_int_t)c->top_n, "local", list_json(c->local, c->nlocal),
		"remote", list_json(c->remote, c->nremote), "ports",
		list_json(c->ports, c->nports));

	if (o == NULL) {
		fprintf(stderr, "slamon talkers: out of memory\n");
		return -ENOMEM;
	}
	json_dumpf(o, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	fputc('\n', stdout);
	json_decref(o);
	return 0;
}

static const struct capture_cfg *find_capture(const struct config *cfg,
					      const char *name)
{
	for (size_t i = 0; i < config_count(cfg, &capture_section); i++)
		if (strcmp(capture_configs(cfg, NULL)[i].name, name) == 0)
			return &capture_configs(cfg, NULL)[i];
	return NULL;
}

/* Sums the records of the link ctx->args[0] over the range the options
 * ask for ([*from, *to)) into c, with the device of its [capture] section
 * when there is one. Returns 0, or 2 after one line on stderr. */
static int load(const struct cli_ctx *ctx, const struct talkers_args *a,
		const struct config *cfg, struct sla_capture *c,
		double *from, double *to)
{
	const char *name = ctx->args[0];
	const struct capture_cfg *cc = find_capture(cfg, name);
	const char *journal = ctx->journal ? ctx->journal
					   : alerts_config(cfg)->journal;
	char err[512] = "";

	if (range_of(cfg, a, from, to) < 0)
		return 2;
	if (sla_capture_load(journal, name, *from, *to,
			     a->top ? (size_t)a->top
			     : cc ? (size_t)cc->top
				  : 10,
			     c, err, sizeof(err)) < 0) {
		if (err[0] != '\0')
			fprintf(stderr, "slamon talkers: %s\n", err);
		return 2;
	}
	if (cc != NULL)
		snprintf(c->device, sizeof(c->device), "%s", cc->device);
	if (cc == NULL && c->intervals == 0) {
		fprintf(stderr,
			"slamon talkers: %s has no [capture %s] section and "
			"the journal %s holds no record of it in that range\n",
			ctx->config, name, journal);
		return 2;
	}
	return 0;
}

/* Prints c; the exit status (1: no record in the range). */
static int print(const struct cli_ctx *ctx, const struct sla_capture *c,
		 const char *tz, double from, double to)
{
	int en = strcmp(ctx->lang, "en") == 0;

	if (ctx->json && print_json(c, tz, from, to) < 0)
		return 2;
	if (!ctx->json)
		print_text(c, tz, from, to, en);
	if (c->intervals > 0)
		return 0;
	if (!ctx->json && en)
		printf("no capture record of %s in the range\n", ctx->args[0]);
	else if (!ctx->json)
		printf("该时间段内没有 %s 的抓包记录\n", ctx->args[0]);
	return 1;
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct talkers_args a = { 0 };
	struct cli_ctx ctx;
	struct config *cfg = NULL;
	struct sla_capture *c = NULL;
	double from, to;
	int rc;

	rc = cli_parse(cmd, argc, argv, &ctx, set, &a);
	if (rc == 0 && a.month != NULL && (a.from != NULL || a.to != NULL)) {
		fprintf(stderr, "slamon talkers: --month or --from/--to, not "
				"both\n");
		cli_usage(cmd, stderr);
		rc = -EINVAL;
	}
	if (rc != 0)
		return cli_parse_status(rc);
	if (cli__config_load(ctx.config, &cfg) < 0)
		return 2;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		fprintf(stderr, "slamon talkers: out of memory\n");
		rc = 2;
	}
	if (c != NULL)
		rc = load(&ctx, &a, cfg, c, &from, &to);
	if (rc == 0)
		rc = print(&ctx, c, cfg->timezone, from, to);
	free(c);
	config_destroy(cfg);
	return rc;
}

const struct cli_cmd cli_cmd_talkers = {
	.name = "talkers",
	.synopsis = "NAME [--from TIME] [--to TIME | --month YYYY-MM] "
		    "[--top N] [--json]",
	.operand = "NAME",
	.summary = "top talkers and ports of a captured link (default: the "
		   "last hour)",
	.summary_zh = "抓包链路的主要通信方与端口",
	.notes = "NAME: a [capture NAME] section; TIME: YYYY-MM-DD, "
		 "\"YYYY-MM-DD HH:MM\" (the configured time zone) or epoch "
		 "seconds.\nexit status: 0, 1 no record of the link in the "
		 "range, 2 error",
	.opts = opts,
	.run = run,
};
