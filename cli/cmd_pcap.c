/*
 * cmd_pcap.c - `slamon pcap-stats FILE`: totals, per direction bytes,
 * packets and bits per second, per protocol, top ports, top talkers and
 * malformed records of a capture file, as text or JSON (jansson), for an
 * operator investigating a spike. The accounting is the capture probe's
 * (capture_file_account, probes/pcap.c).
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "probes/pcap.h"

#define MAX_INTERVAL_ROWS 100000 /* text --intervals / JSON cap */

struct pcap_run {
	int json;
	int show_intervals;
	json_t *jintervals;       /* JSON: every interval */
	struct capture_interval *rows; /* text: kept for --intervals */
	size_t nrows, caprows;
	size_t dropped_rows;
};

enum { O_LOCAL = CLI_KEY_OWN, O_INTERVAL, O_TOP, O_INTERVALS };

/* The options: opt.local points to local. */
struct pcap_args {
	struct capture_options opt;
	struct capture_prefixes local; /* ~5 KB */
	int show_intervals;
};

static const struct cli_opt opts[] = {
	{ "local", O_LOCAL, "PREFIX",
	  "local network, CIDR, IPv4 or IPv6; repeat or comma-separate. "
	  "in = to local, out = from local" },
	{ "interval", O_INTERVAL, "S",
	  "bucket length in whole seconds (default 60)" },
	{ "top", O_TOP, "N", "top ports and talkers shown (default 10, max "
			     CLI_STR(CAPTURE_TOP_MAX) ")" },
	{ "intervals", O_INTERVALS, NULL, "also list each interval (text)" },
	CLI_OPT_JSON,
	CLI_OPT_END,
};

static json_t *counts_json(const struct capture_counts *c, double len)
{
	json_t *o = json_object();

	json_object_set_new(o, "packets", json_integer((json_int_t)c->packets));
	json_object_set_new(o, "bytes", json_integer((json_int_t)c->bytes));
	if (len > 0)
		json_object_set_new(o, "bps", json_real(capture_bps(c, len)));
	return o;
}

static json_t *talkers_json(const struct capture_talker *t, size_t n)
{
	json_t *a = json_array();
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		json_t *o = counts_json(&t[i].c, 0);

		json_object_set_new(o, "addr",
				    json_string(capture_addr_str(
					    t[i].family, t[i].addr, buf,
					    sizeof(buf))));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *interval_json(const struct capture_interval *iv)
{
	json_t *o = json_object(), *d = json_object(), *p = json_object();
	json_t *m = json_object(), *ports = json_array();
	double len = iv->length_s;
	uint64_t bad = 0;

	json_object_set_new(o, "start", json_integer(iv->start));
	json_object_set_new(o, "length_s", json_real(len));
	json_object_set_new(o, "first_ts", json_real(iv->first_ts));
	json_object_set_new(o, "last_ts", json_real(iv->last_ts));
	json_object_set_new(o, "complete", json_boolean(iv->complete));
	json_object_set_new(o, "records", json_integer((json_int_t)iv->records));
	json_object_set_new(o, "total", counts_json(&iv->total, len));
	for (int i = 0; i < CAPTURE_DIR_COUNT; i++)
		json_object_set_new(d, capture_dir_name(i),
				    counts_json(&iv->dir[i], len));
	json_object_set_new(o, "direction", d);
	for (int i = 0; i < CAPTURE_PROTO_COUNT; i++)
		json_object_set_new(p, capture_proto_name(i),
				    counts_json(&iv->proto[i], len));
	json_object_set_new(o, "protocol", p);
	for (size_t i = 0; i < iv->nports; i++) {
		json_t *e = counts_json(&iv->ports[i].c, 0);

		json_object_set_new(e, "proto", json_string(capture_proto_name(
							iv->ports[i].proto)));
		json_object_set_new(e, "port", json_integer(iv->ports[i].port));
		json_array_append_new(ports, e);
	}
	json_object_set_new(o, "top_ports", ports);
	json_object_set_new(o, "top_local", talkers_json(iv->local, iv->nlocal));
	json_object_set_new(o, "top_remote",
			    talkers_json(iv->remote, iv->nremote));
	for (int i = 1; i < CAPTURE_BAD_COUNT; i++) {
		json_object_set_new(m, capture_bad_name(i),
				    json_integer((json_int_t)iv->malformed[i]));
		bad += iv->malformed[i];
	}
	json_object_set_new(m, "total", json_integer((json_int_t)bad));
	json_object_set_new(o, "malformed", m);
#define NUM(f) json_object_set_new(o, #f, json_integer((json_int_t)iv->f))
	NUM(snap_truncated);
	NUM(unsupported_link);
	NUM(vlan_tagged);
	NUM(ts_backwards);
	NUM(ts_invalid);
	NUM(talker_overflow);
#undef NUM
	return o;
}

static void on_interval(void *arg, const struct capture_interval *iv)
{
	struct pcap_run *r = arg;

	if (r->nrows >= MAX_INTERVAL_ROWS) {
		r->dropped_rows++;
		return;
	}
	if (r->json) {
		json_array_append_new(r->jintervals, interval_json(iv));
		r->nrows++;
		return;
	}
	if (!r->show_intervals)
		return;
	if (r->nrows == r->caprows) {
		size_t ncap = r->caprows ? r->caprows * 2 : 64;
		void *n = realloc(r->rows, ncap * sizeof(*r->rows));

		if (!n) {
			r->dropped_rows++;
			return;
		}
		r->rows = n;
		r->caprows = ncap;
	}
	r->rows[r->nrows++] = *iv;
}

static void fmt_rate(double bps, char *buf, size_t len)
{
	static const char *const unit[] = {"bit/s", "kbit/s", "Mbit/s",
					   "Gbit/s", "Tbit/s"};
	int u = 0;

	while (bps >= 1000.0 && u < 4) {
		bps /= 1000.0;
		u++;
	}
	snprintf(buf, len, "%.2f %s", bps, unit[u]);
}

static void print_talkers(const char *title, const struct capture_talker *t,
			  size_t n)
{
	char buf[64];

	printf("\n%s\n", title);
	if (n == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-40s %12llu pkts %15llu bytes\n",
		       capture_addr_str(t[i].family, t[i].addr, buf,
					sizeof(buf)),
		       (unsigned long long)t[i].c.packets,
		       (unsigned long long)t[i].c.bytes);
}

static void print_counts_row(const char *name, const struct capture_counts *c,
			     double len)
{
	char rate[32];

	if (len > 0)
		fmt_rate(capture_bps(c, len), rate, sizeof(rate));
	else
		snprintf(rate, sizeof(rate), "-");
	printf("  %-10s %12llu %15llu  %s\n", name,
	       (unsigned long long)c->packets, (unsigned long long)c->bytes,
	       rate);
}

static void print_text(const char *path, const struct capture_file_info *in,
		       const struct capture_interval *t, double interval_s,
		       const struct pcap_run *r)
{
	uint64_t bad = 0;

	printf("file: %s\n", path);
	printf("link type: %s (%d), records: %llu, intervals of %.0f s: %zu\n",
	       in->linktype_name, in->linktype,
	       (unsigned long long)t->records, interval_s, in->nintervals);
	printf("span: %.6f .. %.6f (%.3f s)\n", t->first_ts, t->last_ts,
	       t->length_s);
	printf("\n  %-10s %12s %15s  %s\n", "direction", "packets", "bytes",
	       "rate over span");
	print_counts_row("total", &t->total, t->length_s);
	for (int i = 0; i < CAPTURE_DIR_COUNT; i++)
		print_counts_row(capture_dir_name(i), &t->dir[i], t->length_s);
	printf("\n  %-10s %12s %15s  %s\n", "protocol", "packets", "bytes",
	       "rate over span");
	for (int i = 0; i < CAPTURE_PROTO_COUNT; i++)
		print_counts_row(capture_proto_name(i), &t->proto[i],
				 t->length_s);
	printf("\ntop ports (service port = lower of the two)\n");
	if (t->nports == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < t->nports; i++)
		printf("  %-3s %-5u %12llu pkts %15llu bytes\n",
		       capture_proto_name(t->ports[i].proto), t->ports[i].port,
		       (unsigned long long)t->ports[i].c.packets,
		       (unsigned long long)t->ports[i].c.bytes);
	print_talkers("top local talkers", t->local, t->nlocal);
	print_talkers("top remote talkers", t->remote, t->nremote);
	printf("\nmalformed records (skipped):");
	for (int i = 1; i < CAPTURE_BAD_COUNT; i++) {
		if (t->malformed[i])
			printf(" %s %llu", capture_bad_name(i),
			       (unsigned long long)t->malformed[i]);
		bad += t->malformed[i];
	}
	printf("%s\n", bad ? "" : " none");
	printf("snap-truncated %llu, unsupported link %llu, vlan-tagged %llu, "
	       "time went back %llu, bad timestamps %llu\n",
	       (unsigned long long)t->snap_truncated,
	       (unsigned long long)t->unsupported_link,
	       (unsigned long long)t->vlan_tagged,
	       (unsigned long long)t->ts_backwards,
	       (unsigned long long)t->ts_invalid);
	if (!r->show_intervals)
		return;
	printf("\n  %-20s %10s %14s %16s %16s\n", "interval start", "packets",
	       "bytes", "in", "out");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct capture_interval *iv = &r->rows[i];
		char in_r[32], out_r[32];

		fmt_rate(capture_bps(&iv->dir[CAPTURE_DIR_IN], iv->length_s),
			 in_r, sizeof(in_r));
		fmt_rate(capture_bps(&iv->dir[CAPTURE_DIR_OUT], iv->length_s),
			 out_r, sizeof(out_r));
		printf("  %-20lld %10llu %14llu %16s %16s%s\n",
		       (long long)iv->start,
		       (unsigned long long)iv->total.packets,
		       (unsigned long long)iv->total.bytes, in_r, out_r,
		       iv->complete ? "" : " (partial)");
	}
}

static int print_json(const char *path, const struct capture_file_info *in,
		      const struct capture_interval *t, double interval_s,
		      struct pcap_run *r)
{
	json_t *o = json_object();
	int rc;

	json_object_set_new(o, "file", json_string(path));
	json_object_set_new(o, "linktype", json_string(in->linktype_name));
	json_object_set_new(o, "interval_s", json_real(interval_s));
	json_object_set_new(o, "read_error", in->read_error
						      ? json_string(in->read_msg)
						      : json_null());
	json_object_set_new(o, "total", interval_json(t));
	json_object_set_new(o, "intervals", r->jintervals);
	json_object_set_new(o, "intervals_omitted",
			    json_integer((json_int_t)r->dropped_rows));
	r->jintervals = NULL;
	rc = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(o);
	return rc < 0 ? -EIO : 0;
}

/* --local accepts a comma-separated list too. */
static int add_locals(struct capture_prefixes *pl, const char *arg)
{
	char buf[1024], err[160];
	char *save = NULL, *tok;

	if (strlen(arg) >= sizeof(buf)) {
		fprintf(stderr, "slamon pcap-stats: --local list too long\n");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (capture_prefixes_add(pl, tok, err, sizeof(err)) < 0) {
			fprintf(stderr, "slamon pcap-stats: --local: %s\n", err);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_num(const char *opt, const char *arg, long lo, long hi,
		     long *ret)
{
	char *end;

	errno = 0;
	*ret = strtol(arg, &end, 10);
	if (errno || end == arg || *end || *ret < lo || *ret > hi) {
		fprintf(stderr,
			"slamon pcap-stats: %s: expected a number %ld..%ld, "
			"got '%s'\n",
			opt, lo, hi, arg);
		return -EINVAL;
	}
	return 0;
}

static int set(void *arg, int key, const char *val)
{
	struct pcap_args *a = arg;
	long v;

	switch (key) {
	case O_LOCAL:
		return add_locals(&a->local, val);
	case O_INTERVAL:
		if (parse_num("--interval", val, 1, 86400 * 366, &v) < 0)
			return -EINVAL;
		a->opt.interval_s = (double)v;
		return 0;
	case O_TOP:
		if (parse_num("--top", val, 1, CAPTURE_TOP_MAX, &v) < 0)
			return -EINVAL;
		a->opt.top_n = (size_t)v;
		return 0;
	case O_INTERVALS:
		a->show_intervals = 1;
		return 0;
	}
	return 0;
}

/* Accounts the file and prints it; the exit status. */
static int account(const char *path, const struct pcap_args *a,
		   struct pcap_run *run, struct capture_interval *total)
{
	struct capture_file_info info;
	char err[512];
	int rc = 0;

	if (capture_file_account(path, &a->opt, on_interval, run, total,
				 &info, err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon pcap-stats: %s\n", err);
		return 2;
	}
	if (info.read_error)
		fprintf(stderr,
			"slamon pcap-stats: warning: %s: reading stopped after "
			"%llu records: %s\n",
			path, (unsigned long long)total->records,
			info.read_msg);
	if (run->json)
		rc = print_json(path, &info, total, a->opt.interval_s, run) <
				     0
			     ? 2
			     : 0;
	else
		print_text(path, &info, total, a->opt.interval_s, run);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "slamon pcap-stats: cannot write output\n");
		rc = 2;
	}
	return rc;
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct pcap_args *a = calloc(1, sizeof(*a));
	struct capture_interval *total = malloc(sizeof(*total));
	struct pcap_run r = { 0 };
	struct cli_ctx ctx;
	int rc = 2;

	if (a == NULL || total == NULL) {
		fprintf(stderr, "slamon pcap-stats: out of memory\n");
		goto out;
	}
	a->opt.local = &a->local;
	a->opt.interval_s = 60;
	a->opt.top_n = 10;
	rc = cli_parse(cmd, argc, argv, &ctx, set, a);
	if (rc != 0) {
		rc = cli_parse_status(rc);
		goto out;
	}
	r.json = ctx.json;
	r.show_intervals = a->show_intervals;
	r.jintervals = r.json ? json_array() : NULL;
	rc = 2;
	if (r.json && r.jintervals == NULL)
		fprintf(stderr, "slamon pcap-stats: out of memory\n");
	else
		rc = account(ctx.args[0], a, &r, total);
out:
	json_decref(r.jintervals);
	free(r.rows);
	free(total);
	free(a);
	return rc;
}

const struct cli_cmd cli_cmd_pcap_stats = {
	.name = "pcap-stats",
	.synopsis = "FILE [--local PREFIX ...] [--interval S] [--top N] "
		    "[--json]",
	.operand = "FILE",
	.summary = "traffic accounting over a pcap or pcapng file",
	.summary_zh = "抓包文件流量统计",
	.notes = "exit status: 0 (also when libpcap stopped mid-file: the "
		 "counts so far, with a warning), 2 usage error or a file "
		 "libpcap refuses",
	.opts = opts,
	.run = run,
};
