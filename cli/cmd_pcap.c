/*
 * cmd_pcap.c - `slamon pcap-stats FILE`: totals, per direction bytes,
 * packets and bits per second, per protocol, top ports, top talkers and
 * malformed records of a capture file, as text or JSON (jansson).
 * SPDX-License-Identifier: MIT
 */
#include "cmd_pcap.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void usage(FILE *out)
{
	fprintf(out,
		"usage: slamon pcap-stats FILE [--local PREFIX ...] "
		"[--interval S] [--top N]\n"
		"                         [--intervals] [--json]\n"
		"  --local PREFIX  local network (CIDR, IPv4 or IPv6; "
		"repeat or comma-separate)\n"
		"                  decides direction: in = to local, out = "
		"from local\n"
		"  --interval S    bucket length in whole seconds (default "
		"60)\n"
		"  --top N         top ports and talkers shown (default 10, "
		"max %d)\n"
		"  --intervals     also list each interval (text output)\n"
		"  --json          JSON on stdout\n",
		CAPTURE_TOP_MAX);
}

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

int cmd_pcap_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"local", required_argument, NULL, 'l'},
		{"interval", required_argument, NULL, 'i'},
		{"top", required_argument, NULL, 't'},
		{"intervals", no_argument, NULL, 'I'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct capture_prefixes local; /* ~5 KB: off the stack */
	struct capture_options opt = {.local = &local};
	struct capture_file_info info;
	struct capture_interval *total = NULL;
	struct pcap_run run = {0};
	char err[512];
	long v;
	int ch, rc = 2;

	memset(&local, 0, sizeof(local));
	opt.interval_s = 60;
	opt.top_n = 10;
	optind = 0; /* GNU: full re-initialisation (argv[0] is the verb) */
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (add_locals(&local, optarg) < 0)
				return 2;
			break;
		case 'i':
			if (parse_num("--interval", optarg, 1, 86400 * 366,
				      &v) < 0)
				return 2;
			opt.interval_s = (double)v;
			break;
		case 't':
			if (parse_num("--top", optarg, 1, CAPTURE_TOP_MAX, &v) <
			    0)
				return 2;
			opt.top_n = (size_t)v;
			break;
		case 'I':
			run.show_intervals = 1;
			break;
		case 'j':
			run.json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "slamon pcap-stats: expected one FILE\n");
		usage(stderr);
		return 2;
	}
	total = malloc(sizeof(*total));
	run.jintervals = run.json ? json_array() : NULL;
	if (!total || (run.json && !run.jintervals)) {
		fprintf(stderr, "slamon pcap-stats: out of memory\n");
		goto out;
	}
	if (capture_file_account(argv[optind], &opt, on_interval, &run, total,
				 &info, err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon pcap-stats: %s\n", err);
		goto out;
	}
	if (info.read_error)
		fprintf(stderr,
			"slamon pcap-stats: warning: %s: reading stopped after "
			"%llu records: %s\n",
			argv[optind], (unsigned long long)total->records,
			info.read_msg);
	if (run.json) {
		rc = print_json(argv[optind], &info, total, opt.interval_s,
				&run) < 0
			     ? 2
			     : 0;
	} else {
		print_text(argv[optind], &info, total, opt.interval_s, &run);
		rc = 0;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "slamon pcap-stats: cannot write output\n");
		rc = 2;
	}
out:
	json_decref(run.jintervals);
	free(run.rows);
	free(total);
	return rc;
}
