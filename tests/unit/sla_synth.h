/*
 * sla_synth.h - a synthetic October 2026 (Asia/Shanghai) written into the
 * files slamond writes (the RRD writer's names and layouts, batched per
 * file; the fault journal; the capture interval records), shared by
 * tests/unit/test_sla.c and tests/integration/test_report.c. Every outage, maintenance window, fault
 * and traffic pattern is chosen so the indicators can be computed by hand;
 * the expected values are below the data as SYN_* constants.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TESTS_SLA_SYNTH_H
#define SLAMON_TESTS_SLA_SYNTH_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <stdint.h>
#include <unistd.h>

#include "agents.h"
#include "core/config.h"
#include "modules/modules.h"
#include "storage/journal.h"
#include "storage/rrdstore.h"
/* librrd itself, for the batched writes below (tests may compare with the
 * library storage/ wraps) */
#include <rrd.h>

/* 2026-10-01 00:00 +08:00 and 2026-11-01 00:00 +08:00 (timegm checks). */
#define SYN_FROM 1790784000.0
#define SYN_TO (SYN_FROM + 31 * 86400.0)
#define SYN_T (31 * 86400.0)
#define SYN_H 3600.0
/* Data is written from 2026-09-30 12:00 to 2026-11-01 12:00 local. */
#define SYN_DATA_FROM (SYN_FROM - 12 * SYN_H)
#define SYN_DATA_TO (SYN_TO + 12 * SYN_H)

struct synth {
	char dir[4096];
	char conf[4200];
	char store[4200];
	struct config *cfg;
};

/* Outages: [a, b) in local-time offsets from SYN_FROM (seconds). A row
 * stamped t covers (t - 60, t]; it is "down" when that minute lies in an
 * outage. ap-3 has no rows at all in its gap, ap-5 has no file. */
struct syn_outage {
	const char *dev;
	double a, b;
};
static const struct syn_outage syn_down[] = {
	/* ap-1: 2026-10-10 08:00..14:00, 6 h */
	{ "ap-1", 9 * 86400 + 8 * SYN_H, 9 * 86400 + 14 * SYN_H },
	/* ap-2: 2026-10-20 00:00..10-21 00:00, the first 6 h in maintenance */
	{ "ap-2", 19 * 86400, 20 * 86400 },
	/* ap-4: the last minute of September, the first and last minute of
	 * October, the first minute of November */
	{ "ap-4", -60, 60 },
	{ "ap-4", SYN_T - 60, SYN_T + 60 },
	/* svc-mp (the mini-program): 30 h on 2026-10-25/26 */
	{ "svc-mp", 24 * 86400, 24 * 86400 + 30 * SYN_H },
};
/* ap-3: no data 2026-10-05 00:00..02:00 */
#define SYN_GAP_DEV "ap-3"
#define SYN_GAP_A (4 * 86400.0)
#define SYN_GAP_B (4 * 86400.0 + 2 * SYN_H)

static int syn_is_down(const char *dev, double t)
{
	for (size_t i = 0; i < sizeof(syn_down) / sizeof(syn_down[0]); i++)
		if (strcmp(syn_down[i].dev, dev) == 0 &&
		    t - 60 >= SYN_FROM + syn_down[i].a &&
		    t <= SYN_FROM + syn_down[i].b)
			return 1;
	return 0;
}

/* Traffic of link k at row time t, bits/s: a daily wave plus a busy
 * spike for one hour every few days. */
static void syn_traffic(int k, double t, double *in, double *out)
{
	double cap = k == 0 ? 10e9 : 2e9;
	double day = fmod(t - SYN_FROM, 86400) / 86400;
	long min = (long)((t - SYN_FROM) / 60);
	double wave = 0.5 - 0.4 * cos(2 * M_PI * day);

	*in = cap * (0.1 + 0.5 * wave) + (double)(min % 17) * 1e6;
	*out = cap * (0.05 + 0.3 * wave) + (double)(min % 13) * 2e6;
	if ((min / 60) % 71 == 3) /* an hour-long burst */
		*in = cap * 0.97;
}

static const char *const syn_devs[] = { "core-1", "bb-1", "bb-2", "exit-1",
					"exit-2", "ap-1", "ap-2", "ap-3",
					"ap-4", "svc-mp" }; /* ap-5: no file */

static void syn_write_conf(struct synth *s)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/inventory.csv", s->dir);
	cr_assert_eq(
		write_file(path,
			   "unit,name,address,role,parent,profile,interfaces,"
			   "capacity_mbps,tags\n"
			   "区电子政务外网中心,core-1,10.0.0.1,core,,p,,,simulated\n"
			   "区电子政务外网中心,bb-1,10.0.0.2,backbone,core-1,p,"
			   "Eth-Trunk1,10000,骨干;simulated\n"
			   "区电子政务外网中心,bb-2,10.0.0.3,backbone,core-1,p,"
			   "Eth-Trunk1,10000,骨干;simulated\n"
			   "区电子政务外网中心,exit-1,10.0.0.4,exit,core-1,p,"
			   "GE0/0/1,2000,出口;simulated\n"
			   "区电子政务外网中心,exit-2,10.0.0.5,exit,core-1,p,"
			   "GE0/0/1,2000,出口;simulated\n"
			   "区人民政府办公室,ap-1,10.1.0.1,access,core-1,p,,100,"
			   "simulated\n"
			   "区发展和改革委员会,ap-2,10.1.0.2,access,core-1,p,,100,"
			   "simulated\n"
			   "区教育局,ap-3,10.1.0.3,access,core-1,p,,100,simulated\n"
			   "区卫生健康局,ap-4,10.1.0.4,access,core-1,p,,100,"
			   "simulated\n"
			   "区民政局,ap-5,10.1.0.5,access,core-1,p,,100,simulated\n"
			   "区政务服务中心,svc-mp,10.3.0.1,server,core-1,p,,,"
			   "miniprogram;simulated\n"),
		0);
	snprintf(s->conf, sizeof(s->conf), "%s/slamon.conf", s->dir);
	cr_assert_eq(write_file(s->conf,
				"[general]\n"
				"inventory = inventory.csv\n"
				"storage_dir = data\n"
				"timezone = Asia/Shanghai\n"
				"[profile p]\n"
				"version = 2c\n"
				"community = public\n"
				"[indicator access_points]\n"
				"target = 4\n"
				"[maintenance ap2-work]\n"
				"scope = device:ap-2\n"
				"start = 2026-10-20 00:00\n"
				"end = 2026-10-20 06:00\n"
				"[capture exit-mirror]\n"
				"source = file\n"
				"file = exit-mirror.pcap\n"
				"local = 10.0.0.0/8\n"
				"device = exit-1\n"
				"interval = 300\n"
				"top = 3\n"),
		     0);
}

static const char *const syn_links[][2] = { { "bb-1", "Eth-Trunk1" },
					    { "exit-1", "GE0/0/1" } };
#define SYN_NLINKS 2
#define SYN_NDEVS (sizeof(syn_devs) / sizeof(syn_devs[0]))

/* The row device d has at time t; 0 when it has none (ap-3's gap). */
static int syn_dev_row(size_t d, double t, struct dev_row *row)
{
	if (strcmp(syn_devs[d], SYN_GAP_DEV) == 0 &&
	    t > SYN_FROM + SYN_GAP_A && t <= SYN_FROM + SYN_GAP_B)
		return 0;
	row->reach = 1;
	row->latency_ms = 1.5;
	if (syn_is_down(syn_devs[d], t))
		row->reach = 0, row->latency_ms = NAN;
	return 1;
}

static void syn_if_row(int k, double t, struct if_row *row)
{
	memset(row, 0, sizeof(*row));
	syn_traffic(k, t, &row->in_bps, &row->out_bps);
	row->oper = 1;
	row->link = 1; /* backbone and exit: a report reads their 95th pct */
}

static void syn_submit_dev(struct rrd_writer *w, const char *dev, double t,
			   const struct dev_row *row)
{
	while (rrd_writer_submit_dev(w, dev, (time_t)t, row) == -EAGAIN)
		rrd_writer_flush(w);
}

static void syn_submit_if(struct rrd_writer *w, const char *dev,
			  const char *ifn, double t, const struct if_row *row)
{
	while (rrd_writer_submit_if(w, dev, ifn, (time_t)t, row) == -EAGAIN)
		rrd_writer_flush(w);
}

/* The rows of [from, to] (one a minute) through the daemon's RRD writer,
 * one update call per row. Used on a few hours only: see
 * syn_write_rrd_batch. (inline: test_report.c does not use it) */
static inline void syn_write_rrd_writer(const char *store, double from,
					double to)
{
	struct rrd_writer *w = NULL;
	struct rrd_writer_stats st;
	char err[256];

	cr_assert_eq(rrd_writer_create(store, NULL, 0, &w, err, sizeof(err)),
		     0, "%s", err);
	for (double t = from; t <= to; t += 60) {
		for (size_t d = 0; d < SYN_NDEVS; d++) {
			struct dev_row row;

			if (syn_dev_row(d, t, &row))
				syn_submit_dev(w, syn_devs[d], t, &row);
		}
		for (int k = 0; k < SYN_NLINKS; k++) {
			struct if_row r;

			syn_if_row(k, t, &r);
			syn_submit_if(w, syn_links[k][0], syn_links[k][1], t,
				      &r);
		}
	}
	rrd_writer_flush(w);
	rrd_writer_stats_get(w, &st);
	cr_assert_eq(st.failed, 0, "%s", st.last_error);
	rrd_writer_destroy(w);
}

/* One file's rows as rrd_update arguments "t:v1:v2..." in the writer's
 * spelling (storage/rrdstore.c: %lld, then %.17g or U per value, in the order
 * of its layout's data sources). */
struct syn_lines {
	char *text;
	const char **argv;
	size_t n, cap;
};

#define SYN_LINE 160

static void syn_line_add(struct syn_lines *b, double t, const double *v,
			 size_t nv)
{
	char *line;
	size_t o;

	cr_assert_lt(b->n, b->cap);
	line = b->text + b->n * SYN_LINE;
	o = (size_t)snprintf(line, SYN_LINE, "%lld", (long long)t);
	for (size_t i = 0; i < nv; i++) {
		if (isfinite(v[i]))
			o += (size_t)snprintf(line + o, SYN_LINE - o,
					      ":%.17g", v[i]);
		else
			o += (size_t)snprintf(line + o, SYN_LINE - o, ":U");
	}
	cr_assert_lt(o, SYN_LINE);
	b->argv[b->n++] = line;
}

/* Creates path as the writer does (storage/rrdstore.c writer_ensure: its
 * layout, the first step ending at the first row, folders on demand) and
 * applies every line in one rrd_update_r call. */
static void syn_file_write(const char *path, enum storage_layout l,
			   struct syn_lines *b)
{
	const char *const *args;
	char dir[4400], *slash;
	int argc;

	if (b->n == 0)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	cr_assert_not_null(slash);
	*slash = '\0';
	cr_assert(mkdir(dir, 0755) == 0 || errno == EEXIST, "%s: %s", dir,
		  strerror(errno));
	args = storage_layout_args(l, &argc);
	rrd_clear_error();
	cr_assert_eq(rrd_create_r2(path, RRD_STEP,
				   (time_t)strtoll(b->argv[0], NULL, 10) -
					   RRD_STEP,
				   1, NULL, NULL, argc,
				   (const char **)(uintptr_t)args),
		     0, "%s: %s", path, rrd_get_error());
	rrd_clear_error();
	cr_assert_eq(rrd_update_r(path, NULL, (int)b->n, b->argv), 0,
		     "%s: %s", path, rrd_get_error());
	b->n = 0;
}

/* The same rows into the same files as syn_write_rrd_writer, one
 * rrd_update_r call per file. librrd opens, maps and unmaps the file on
 * every call: row by row, a month of 14 files takes minutes under ASan;
 * batched, a second (tools/simulate_history.c does the same). The test
 * sla_synth/batch_files_equal_the_writers checks that both make the same
 * bytes. */
static void syn_write_rrd_batch(const char *store, double from, double to)
{
	struct syn_lines b;
	char path[4400];

	b.cap = (size_t)((to - from) / 60) + 1;
	b.n = 0;
	b.text = malloc(b.cap * SYN_LINE);
	b.argv = malloc(b.cap * sizeof(*b.argv));
	cr_assert(b.text != NULL && b.argv != NULL);
	for (size_t d = 0; d < SYN_NDEVS; d++) {
		for (double t = from; t <= to; t += 60) {
			struct dev_row row;
			double v[2];

			if (!syn_dev_row(d, t, &row))
				continue;
			v[0] = row.latency_ms;
			v[1] = 1 - row.reach;
			syn_line_add(&b, t, v, 2);
		}
		cr_assert_eq(storage_path_dev(store, syn_devs[d], path,
					      sizeof(path)),
			     0);
		syn_file_write(path, STORAGE_LAYOUT_DEVICE, &b);
	}
	for (int k = 0; k < SYN_NLINKS; k++) {
		const char *dev = syn_links[k][0], *ifn = syn_links[k][1];

		for (double t = from; t <= to; t += 60) {
			struct if_row r;
			double v[2];

			syn_if_row(k, t, &r);
			v[0] = r.in_bps;
			v[1] = r.out_bps;
			syn_line_add(&b, t, v, 2);
		}
		cr_assert_eq(storage_path_if(store, dev, ifn, path,
					     sizeof(path)),
			     0);
		syn_file_write(path, STORAGE_LAYOUT_TRAFFIC, &b);
		for (double t = from; t <= to; t += 60) {
			struct if_row r;
			double v[5];

			syn_if_row(k, t, &r);
			v[0] = r.oper;
			v[1] = r.in_err;
			v[2] = r.out_err;
			v[3] = r.in_disc;
			v[4] = r.out_disc;
			syn_line_add(&b, t, v, 5);
		}
		cr_assert_eq(storage_path_ifstatus(store, dev, ifn, path,
						   sizeof(path)),
			     0);
		syn_file_write(path, STORAGE_LAYOUT_STATUS, &b);
	}
	free(b.text);
	free(b.argv);
}

static void syn_write_rrd(struct synth *s)
{
	cr_assert(mkdir(s->store, 0755) == 0 || errno == EEXIST);
	syn_write_rrd_batch(s->store, SYN_DATA_FROM, SYN_DATA_TO);
}

/* Faults of the synthetic month; times relative to SYN_FROM. */
static void syn_fault(struct journal *j, const char *obj, double ff,
		      double det, double ack, double res, double closed,
		      const char *sat)
{
	struct fault f;
	char err[256];
	int64_t id;

	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), "%s", obj);
	snprintf(f.object_kind, sizeof(f.object_kind), "device");
	snprintf(f.kind, sizeof(f.kind), "down");
	snprintf(f.severity, sizeof(f.severity), "minor");
	f.first_fail_t = SYN_FROM + ff;
	f.detect_t = SYN_FROM + det;
	f.deadline_t = SYN_FROM + det + 1800;
	cr_assert_eq(journal_fault_open(j, &f, &id, NULL, err, sizeof(err)),
		     0, "%s", err);
	if (ack != 0)
		cr_assert_eq(journal_fault_ack(j, id, SYN_FROM + ack, "值班员",
					       NULL, err, sizeof(err)),
			     0, "%s", err);
	if (res != 0)
		cr_assert_eq(journal_fault_resolve(j, id, SYN_FROM + res, err,
						   sizeof(err)),
			     0, "%s", err);
	if (closed != 0)
		cr_assert_eq(journal_fault_close(j, id, SYN_FROM + closed,
						 "已处理", sat, err,
						 sizeof(err)),
			     0, "%s", err);
}

/* The state changes alerts/engine.c would record (sla/ reads
 * availability from their intervals): every device with data up from
 * SYN_DATA_FROM, down over its outages, unknown over ap-3's gap; ap-5
 * has none (never polled: unknown all month). */
static void syn_write_states(struct journal *j)
{
	struct journal_state_rec v[64];
	size_t n = 0;
	char err[256];

	for (size_t d = 0; d < SYN_NDEVS; d++) {
		v[n++] = (struct journal_state_rec){ syn_devs[d], "up", "",
						     SYN_DATA_FROM };
		for (size_t i = 0; i < sizeof(syn_down) / sizeof(syn_down[0]);
		     i++) {
			if (strcmp(syn_down[i].dev, syn_devs[d]) != 0)
				continue;
			v[n++] = (struct journal_state_rec){
				syn_devs[d], "down", "", SYN_FROM + syn_down[i].a
			};
			v[n++] = (struct journal_state_rec){
				syn_devs[d], "up", "", SYN_FROM + syn_down[i].b
			};
		}
		if (strcmp(syn_devs[d], SYN_GAP_DEV) == 0) {
			v[n++] = (struct journal_state_rec){
				syn_devs[d], "unknown", "slamond stopped",
				SYN_FROM + SYN_GAP_A
			};
			v[n++] = (struct journal_state_rec){
				syn_devs[d], "up", "", SYN_FROM + SYN_GAP_B
			};
		}
		v[n++] = (struct journal_state_rec){
			syn_devs[d], "unknown", "slamond stopped", SYN_DATA_TO
		};
	}
	cr_assert_eq(journal_state_record_many(j, v, n, err, sizeof(err)), 0,
		     "%s", err);
}

#define D(n) ((n) * 86400.0)
static void syn_write_journal(struct synth *s)
{
	struct journal *j = NULL;
	char path[4300], err[256];

	snprintf(path, sizeof(path), "%s/faults.db", s->store);
	cr_assert_eq(journal_open(path, &j, err, sizeof(err)), 0, "%s", err);
	/* F1 ap-1: acked after 8 min, repaired in 6 h, 满意 */
	syn_fault(j, "ap-1", D(9) + 8 * SYN_H, D(9) + 8 * SYN_H + 120,
		  D(9) + 8 * SYN_H + 600, D(9) + 14 * SYN_H,
		  D(9) + 14.5 * SYN_H, "满意");
	/* F2 ap-2: detected after the maintenance window, acked late
	 * (58 min), repaired 18 h after the window, 基本满意 */
	syn_fault(j, "ap-2", D(19) + 6 * SYN_H, D(19) + 6 * SYN_H + 120,
		  D(19) + 7 * SYN_H, D(20), D(20) + SYN_H, "基本满意");
	/* F3 svc-mp: acked after 20 min, 30 h outage, 不满意 */
	syn_fault(j, "svc-mp", D(24), D(24) + 120, D(24) + 1320,
		  D(24) + 30 * SYN_H, D(24) + 31 * SYN_H, "不满意");
	/* F4 core-1: never acknowledged, never closed */
	syn_fault(j, "core-1", D(14), D(14) + 60, 0, D(14) + 600, 0, NULL);
	/* F5: detected in September, closed on October 1st: counts for
	 * October's satisfaction only */
	syn_fault(j, "ap-3", -2 * SYN_H, -SYN_H, -SYN_H + 300, -SYN_H + 900,
		  SYN_H, "满意");
	/* F6: detected in the last second of October, acked 10 min later
	 * (in November), within its window */
	syn_fault(j, "ap-4", SYN_T - 60, SYN_T - 1, SYN_T + 599, SYN_T + 60,
		  0, NULL);
	syn_write_states(j);
	/* the maintenance occurrence as the daemon records it */
	cr_assert_eq(journal_maint_record(j, "ap2-work", "device:ap-2",
					  SYN_FROM + D(19),
					  SYN_FROM + D(19) + 6 * SYN_H, err,
					  sizeof(err)),
		     0, "%s", err);
	journal_close(j);
}

/* The captured link exit-mirror (interval 300 s, top 3): every interval
 * from SYN_DATA_FROM to SYN_DATA_TO is recorded in the journal as the
 * daemon would, except 2026-10-20 10:00..12:00 (24 intervals missing).
 * On 2026-10-15 (day offset 14) the capture drops 1 000 of every 10 000
 * packets it sees (share 0.9 collected). The first 3 days of October a
 * third local talker, 10.1.0.3, tops every interval's list. */
#define SYN_CAP_GAP_A (19 * 86400.0 + 10 * SYN_H)
#define SYN_CAP_GAP_B (19 * 86400.0 + 12 * SYN_H)
#define SYN_CAP_DROP_DAY 14

static void syn_cap_talker(struct journal_cap_talker *t, int family,
			   const char *addr, uint64_t bytes)
{
	memset(t, 0, sizeof(*t));
	t->family = (uint8_t)family;
	cr_assert_eq(inet_pton(family == 4 ? AF_INET : AF_INET6, addr,
			       t->addr),
		     1);
	t->bytes = bytes;
	t->packets = bytes / 1000;
}

static void syn_cap_interval(struct journal_capiv *v, double start)
{
	double off = start - SYN_FROM;
	int drop_day = off >= SYN_CAP_DROP_DAY * 86400.0 &&
		       off < (SYN_CAP_DROP_DAY + 1) * 86400.0;
	size_t k = 0;

	memset(v, 0, sizeof(*v));
	snprintf(v->link, sizeof(v->link), "exit-mirror");
	snprintf(v->device, sizeof(v->device), "exit-1");
	v->start = (int64_t)start;
	v->length_s = 300;
	v->records = drop_day ? 9000 : 10000;
	v->packets = v->records;
	v->bytes = 8000000;
	v->in_bytes = 6000000;
	v->out_bytes = 2000000;
	v->stats_valid = 1;
	v->drops = drop_day ? 1000 : 0;
	if (off >= 0 && off < 3 * 86400.0)
		syn_cap_talker(&v->local[k++], 4, "10.1.0.3", 5000000);
	syn_cap_talker(&v->local[k++], 4, "10.1.0.1", 3000000);
	syn_cap_talker(&v->local[k++], 4, "10.1.0.2", 1000000);
	v->nlocal = k < 3 ? k : 3;
	syn_cap_talker(&v->remote[0], 4, "203.0.113.5", 2000000);
	syn_cap_talker(&v->remote[1], 6, "2001:db8::1", 1500000);
	v->nremote = 2;
	v->ports[0] = (struct journal_cap_port){ 6, 443, 4000000, 4000 };
	v->ports[1] = (struct journal_cap_port){ 17, 53, 100000, 400 };
	v->nports = 2;
}

static void syn_write_captures(struct synth *s)
{
	static struct journal_capiv batch[512];
	struct journal *j = NULL;
	char path[4300], err[256];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/faults.db", s->store);
	cr_assert_eq(journal_open(path, &j, err, sizeof(err)), 0, "%s", err);
	for (double t = SYN_DATA_FROM; t < SYN_DATA_TO; t += 300) {
		if (t >= SYN_FROM + SYN_CAP_GAP_A &&
		    t < SYN_FROM + SYN_CAP_GAP_B)
			continue;
		syn_cap_interval(&batch[n++], t);
		if (n == 512 || t + 300 >= SYN_DATA_TO) {
			cr_assert_eq(journal_capture_put(j, batch, n, 0, NULL,
							 err, sizeof(err)),
				     0, "%s", err);
			n = 0;
		}
	}
	journal_close(j);
}

/* Criterion runs each test in a child of the runner: the month is built
 * once per runner (a few seconds under ASan) in a folder named after the
 * runner's pid, reused by the following tests and removed by
 * synth_cleanup() from a ReportHook(POST_ALL) in the runner. Tests that
 * change the data must work on copies of what they change. The runner
 * must run one test at a time (--jobs 1, tests/CMakeLists.txt): two tests
 * started together would both build the month in the same folder. */
static void synth_dir(char *out, size_t len, pid_t runner)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(out, len, "%s/slamon-sla-synth-%ld",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", (long)runner);
}

static void synth_build(struct synth *s)
{
	struct diag d = { 0 };
	char ready[4300];
	int rc;

	memset(s, 0, sizeof(*s));
	synth_dir(s->dir, sizeof(s->dir), getppid());
	snprintf(s->store, sizeof(s->store), "%s/data", s->dir);
	snprintf(s->conf, sizeof(s->conf), "%s/slamon.conf", s->dir);
	snprintf(ready, sizeof(ready), "%s/ready", s->dir);
	if (access(ready, F_OK) != 0) {
		tmpdir_remove(s->dir);
		cr_assert_eq(mkdir(s->dir, 0700), 0, "%s: %s", s->dir,
			     strerror(errno));
		syn_write_conf(s);
		syn_write_rrd(s);
		syn_write_journal(s);
		syn_write_captures(s);
		cr_assert_eq(write_file(ready, "ok\n"), 0);
	}
	rc = config_load(s->conf, &s->cfg, &d);
	cr_assert_eq(rc, 0, "config: %s", d.n ? d.msgs[0] : "?");
	diag_destroy(&d);
}

static void synth_destroy(struct synth *s)
{
	config_destroy(s->cfg);
	s->cfg = NULL;
}

/* In the runner, after every test. */
static void synth_cleanup(void)
{
	char dir[4096];

	synth_dir(dir, sizeof(dir), getpid());
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(dir);
}

/* ---- expected values, by hand ---------------------------------------- */
/* access points ap-1..ap-5 over October (seconds) */
#define SYN_AP_MAINT (6 * SYN_H)                     /* ap-2 */
#define SYN_AP_DOWN (6 * SYN_H + 18 * SYN_H + 120.0) /* ap-1, ap-2, ap-4 */
#define SYN_AP_UNKNOWN (2 * SYN_H + SYN_T)           /* ap-3 gap, ap-5 */
#define SYN_UNIT_CONN                                                    \
	((5 * SYN_T - SYN_AP_MAINT - SYN_AP_DOWN - SYN_AP_UNKNOWN) /        \
	 (5 * SYN_T - SYN_AP_MAINT) * 100)
/* all 11 devices: the access points plus svc-mp's 30 h */
#define SYN_EQUIP                                                        \
	((11 * SYN_T - SYN_AP_MAINT - SYN_AP_DOWN - 30 * SYN_H -            \
	  SYN_AP_UNKNOWN) /                                                 \
	 (11 * SYN_T - SYN_AP_MAINT) * 100)
#define SYN_MINIPROGRAM ((SYN_T - 30 * SYN_H) / SYN_T * 100)
/* October's intervals of exit-mirror: 8928 less the 24 of the gap; the
 * drop day collects 288 x 0.9 */
#define SYN_CAP_IVS (8928 - 24)
#define SYN_CAP_COLLECTED (SYN_CAP_IVS - 288 * 0.1) /* 5-minute samples */
/* 8928 5-minute rows a device; ap-3 misses 24, ap-5 all; plus the
 * captured link as a 12th data item, less its gap and drops */
#define SYN_COMPLETE                                                     \
	((11 * 8928.0 - 24 - 8928 + SYN_CAP_COLLECTED) / (12 * 8928.0) * 100)
/* F1, F3, F6 in time; F2 late; F4 never: 3 of 5 */
#define SYN_ACK 60.0
/* closed in October: F1 满意, F2 基本满意, F3 不满意, F5 满意 */
#define SYN_SATISF 75.0
/* MTTA over F1 (480), F2 (3480), F3 (1200), F6 (600): seconds */
#define SYN_MTTA ((480.0 + 3480 + 1200 + 600) / 4)

#endif
