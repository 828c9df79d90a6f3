/*
 * test_storage.c - the RRD writer: name encoding, file layouts, updates
 * read back with storage_series_read, error counting, the bounded queue,
 * reuse of existing files, and writing through a real rrdcached on a unix
 * socket; batch writes, the read APIs, charts, and their errors.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "storage/rrdstore.h"

/* Sample times: a fixed, step-aligned minute well in the past. */
#define T0 ((time_t)1700000000 - (time_t)1700000000 % RRD_STEP)
#define MB4 (4L * 1024 * 1024)

static char tmp[256]; /* short: paths below it fit PATH_MAX */
static pid_t cached_pid;  /* rrdcached started by this test, or 0 */

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/slamon-rrd-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
}

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	/* A failed assertion skips the test's own stop. */
	if (cached_pid > 0) {
		kill(cached_pid, SIGTERM);
		waitpid(cached_pid, NULL, 0);
		cached_pid = 0;
	}
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(storage, .init = setup, .fini = teardown, .timeout = 120);

/* ---- helpers ---------------------------------------------------------- */

static struct rrd_writer *writer_new(const char *cached, size_t qmax)
{
	struct rrd_writer *w = NULL;
	char dir[PATH_MAX], err[256];
	int rc;

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	rc = rrd_writer_create(dir, cached, qmax, &w, err, sizeof(err));
	cr_assert_eq(rc, 0, "rrd_writer_create: %d %s", rc, err);
	cr_assert_not_null(w);
	return w;
}

static struct rrd_writer_stats stats(struct rrd_writer *w)
{
	struct rrd_writer_stats st;

	rrd_writer_stats_get(w, &st);
	return st;
}

static void if_path(const char *dev, const char *ifn, char *out)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	cr_assert_eq(storage_path_if(dir, dev, ifn, out, PATH_MAX), 0);
}

static struct if_row if_row_of(double in, double out)
{
	struct if_row r = { .in_bps = in, .out_bps = out, .oper = 1,
			    .in_err = 0, .out_err = 0, .in_disc = 0,
			    .out_disc = 0 };
	return r;
}

/* The AVERAGE value of data source ds for the step ending at t, read back
 * at 60 s resolution through storage_series_read; NAN when unknown. */
static double fetch_at(const char *file, const char *ds, time_t t)
{
	const char *const dsv[] = { ds };
	double v = NAN, *out[] = { &v };
	struct rrd_series q = { .file = file, .from = (double)(t - RRD_STEP),
				.step = RRD_STEP, .nb = 1, .ncols = 1,
				.ds = dsv, .out = out };
	char err[512];
	int rc;

	rc = storage_series_read(&q, err, sizeof(err));
	cr_assert_eq(rc, 0, "storage_series_read %s: %s", file, err);
	cr_assert_eq(q.res, (unsigned long)RRD_STEP);
	return v;
}

/* `rrdtool info FILE` (only storage/ links librrd): "key = value" lines,
 * strings in double quotes. */
struct info {
	char text[64 * 1024];
};

static struct info *info_read(const char *file)
{
	static struct info in;
	char bin[] = "rrdtool", cmd[] = "info", path[PATH_MAX];
	char *const argv[] = { bin, cmd, path, NULL };
	int rc;

	snprintf(path, sizeof(path), "%s", file);
	rc = run_cmd(argv, in.text, sizeof(in.text), 30);
	cr_assert_eq(rc, 0, "rrdtool info %s: %d %s", file, rc, in.text);
	return &in;
}

/* The value text of key, or NULL. */
static const char *info_get(const struct info *in, const char *key)
{
	size_t klen = strlen(key);

	for (const char *l = in->text; *l != '\0';) {
		const char *nl = strchr(l, '\n');

		if (strncmp(l, key, klen) == 0 && strncmp(l + klen, " = ", 3) == 0)
			return l + klen + 3;
		if (nl == NULL)
			break;
		l = nl + 1;
	}
	return NULL;
}

static const char *info_str(const struct info *in, const char *key)
{
	static char buf[256];
	const char *v = info_get(in, key);
	size_t n;

	if (v == NULL || *v != '"')
		cr_assert_fail("no string key %s", key);
	n = strcspn(v + 1, "\"");
	snprintf(buf, sizeof(buf), "%.*s", (int)n, v + 1);
	return buf;
}

static unsigned long info_cnt(const struct info *in, const char *key)
{
	const char *v = info_get(in, key);

	if (v == NULL || *v < '0' || *v > '9')
		cr_assert_fail("no count key %s", key);
	return strtoul(v, NULL, 10);
}

static double info_val(const struct info *in, const char *key)
{
	const char *v = info_get(in, key);

	if (v == NULL || *v == '"')
		cr_assert_fail("no value key %s", key);
	return strtod(v, NULL);
}

static int info_has(const struct info *in, const char *key)
{
	return info_get(in, key) != NULL;
}

static off_t file_size(const char *path)
{
	struct stat sb;

	cr_assert_eq(stat(path, &sb), 0, "stat %s: %s", path, strerror(errno));
	return sb.st_size;
}

/* ---- names and paths -------------------------------------------------- */

static void enc_is(const char *name, const char *want)
{
	char out[256];

	cr_assert_eq(storage_name_encode(name, out, sizeof(out)), 0);
	cr_assert_str_eq(out, want, "encode(%s)", name);
}

Test(storage, name_encode_ascii)
{
	enc_is("Gi0_1.x-Y9", "Gi0_1.x-Y9");
	enc_is("Gi0/1", "Gi0%2F1");
	enc_is("port:1", "port%3A1");
	enc_is("100%", "100%25");
	enc_is("a b\\c", "a%20b%5Cc");
	enc_is("", "%");
	enc_is("\x7f\x01", "%7F%01");
	/* "." and ".." must not name the folder or its parent. */
	enc_is(".", "%2E");
	enc_is("..", "%2E.");
	enc_is("eth0.100", "eth0.100");
}

Test(storage, name_encode_utf8)
{
	/* Chinese unit names (UTF-8) pass unchanged. */
	enc_is("接入交换机-1/0", "接入交换机-1%2F0");
	enc_is("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"); /* été */
	enc_is("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");   /* U+1F600 */
	/* Invalid UTF-8 is escaped byte by byte. */
	enc_is("a\xff\xfe", "a%FF%FE");
	enc_is("\xe6\x8e", "%E6%8E");             /* truncated */
	enc_is("\xe6\x8e" "A", "%E6%8EA");         /* bad continuation */
	enc_is("\xc0\xaf", "%C0%AF");             /* overlong '/' */
	enc_is("\xe0\x80\xaf", "%E0%80%AF");       /* overlong */
	enc_is("\xed\xa0\x80", "%ED%A0%80");       /* surrogate */
	enc_is("\xf4\x90\x80\x80", "%F4%90%80%80"); /* above U+10FFFF */
	enc_is("\x80", "%80");                   /* lone continuation */
}

Test(storage, name_encode_one_to_one)
{
	char a[64], b[64];

	cr_assert_eq(storage_name_encode("Gi0/1", a, sizeof(a)), 0);
	cr_assert_eq(storage_name_encode("Gi0%2F1", b, sizeof(b)), 0);
	cr_assert_str_neq(a, b);
	cr_assert_str_eq(b, "Gi0%252F1");
	/* An escaped invalid byte differs from the literal "%FF". */
	cr_assert_eq(storage_name_encode("\xff", a, sizeof(a)), 0);
	cr_assert_eq(storage_name_encode("%FF", b, sizeof(b)), 0);
	cr_assert_str_neq(a, b);
}

Test(storage, name_encode_too_long)
{
	char out[8];

	cr_assert_eq(storage_name_encode("abcdefg", out, sizeof(out)), 0);
	cr_assert_eq(storage_name_encode("abcdefgh", out, sizeof(out)),
		     -ENAMETOOLONG);
	cr_assert_eq(storage_name_encode("abcde/", out, sizeof(out)),
		     -ENAMETOOLONG);
	cr_assert_eq(storage_name_encode("", out, 1), -ENAMETOOLONG);
}

Test(storage, paths)
{
	char p[PATH_MAX], longname[300];

	cr_assert_eq(storage_path_dev("/d", "sw 1", p, sizeof(p)), 0);
	cr_assert_str_eq(p, "/d/sw%201/device.v4.rrd");
	cr_assert_eq(storage_path_if("/d", "sw1", "Gi0/1", p, sizeof(p)), 0);
	cr_assert_str_eq(p, "/d/sw1/if-Gi0%2F1.v4.rrd");
	cr_assert_eq(storage_path_ifstatus("/d", "sw1", "Gi0/1", p, sizeof(p)),
		     0);
	cr_assert_str_eq(p, "/d/sw1/st-Gi0%2F1.v4.rrd");
	cr_assert_eq(storage_path_if("/d", "sw1", "Gi0/1", p, 10),
		     -ENAMETOOLONG);
	/* A component over NAME_MAX would fail at open(); refuse it here. */
	memset(longname, '/', 100);
	longname[100] = '\0';
	cr_assert_eq(storage_path_if("/d", "sw1", longname, p, sizeof(p)),
		     -ENAMETOOLONG);
}

/* ---- layouts ---------------------------------------------------------- */

struct rra_want {
	const char *cf;
	unsigned long pdp, rows;
};

static void check_layout(const char *file, const char *const *ds,
			 const double *ds_max, const struct rra_want *rra,
			 size_t nrra)
{
	const struct info *info = info_read(file);
	char key[128];
	size_t i;

	cr_assert_eq(info_cnt(info, "step"), 60);
	for (i = 0; ds[i] != NULL; i++) {
		snprintf(key, sizeof(key), "ds[%s].type", ds[i]);
		cr_assert_str_eq(info_str(info, key), "GAUGE");
		snprintf(key, sizeof(key), "ds[%s].minimal_heartbeat", ds[i]);
		cr_assert_eq(info_cnt(info, key), 900);
		snprintf(key, sizeof(key), "ds[%s].min", ds[i]);
		cr_assert_eq(info_val(info, key), 0.0);
		snprintf(key, sizeof(key), "ds[%s].max", ds[i]);
		if (isnan(ds_max[i]))
			cr_assert(isnan(info_val(info, key)), "%s", key);
		else
			cr_assert_eq(info_val(info, key), ds_max[i], "%s", key);
	}
	for (i = 0; i < nrra; i++) {
		snprintf(key, sizeof(key), "rra[%zu].cf", i);
		cr_assert_str_eq(info_str(info, key), rra[i].cf, "%s", key);
		snprintf(key, sizeof(key), "rra[%zu].pdp_per_row", i);
		cr_assert_eq(info_cnt(info, key), rra[i].pdp, "%s", key);
		snprintf(key, sizeof(key), "rra[%zu].rows", i);
		cr_assert_eq(info_cnt(info, key), rra[i].rows, "%s", key);
		snprintf(key, sizeof(key), "rra[%zu].xff", i);
		cr_assert_eq(info_val(info, key), 0.5, "%s", key);
	}
	snprintf(key, sizeof(key), "rra[%zu].cf", nrra);
	cr_assert_not(info_has(info, key), "extra RRA in %s", file);
}

Test(storage, layouts_match_rrd_info)
{
	static const char *const tds[] = { "in", "out", NULL };
	static const char *const sds[] = { "oper",   "inerr",   "outerr",
					   "indisc", "outdisc", NULL };
	static const char *const dds[] = { "latency_ms", "loss", NULL };
	static const struct rra_want trra[] = {
		{ "AVERAGE", 1, 4320 },
		{ "AVERAGE", 5, 115200 },
		{ "AVERAGE", 60, 9600 },
		{ "MAX", 60, 9600 },
	};
	static const struct rra_want grra[] = { /* graphs only */
		{ "AVERAGE", 1, 4320 },
		{ "AVERAGE", 5, 4032 },
		{ "AVERAGE", 60, 9600 },
		{ "MAX", 60, 9600 },
	};
	static const struct rra_want srra[] = {
		{ "AVERAGE", 1, 4320 },
		{ "AVERAGE", 60, 840 },
		{ "AVERAGE", 1440, 400 },
		{ "MAX", 1440, 400 },
	};
	static const struct rra_want drra[] = {
		{ "AVERAGE", 1, 2880 },
		{ "AVERAGE", 5, 4032 },
		{ "AVERAGE", 60, 9600 },
		{ "MAX", 1440, 400 },
	};
	const double tmax[] = { NAN, NAN };
	const double smax[] = { 1, NAN, NAN, NAN, NAN };
	const double dmax[] = { NAN, 1 };
	struct rrd_writer *w = writer_new(NULL, 0);
	struct if_row r = if_row_of(1, 2), ra = if_row_of(3, 4);
	struct dev_row d = { .reach = 1, .latency_ms = 0.5 };
	char dir[PATH_MAX], p[PATH_MAX];
	off_t ifbytes, stbytes;
	int argc;

	r.link = 1; /* a link: the 95th percentile of 13 months */
	cr_assert_eq(rrd_writer_submit_if(w, "sw1", "Gi0/1", T0, &r), 0);
	cr_assert_eq(rrd_writer_submit_if(w, "sw1", "Gi0/2", T0, &ra), 0);
	cr_assert_eq(rrd_writer_submit_dev(w, "sw1", T0, &d), 0);
	rrd_writer_flush(w);
	cr_assert_eq(stats(w).created, 5);
	cr_assert_eq(stats(w).written, 3);
	rrd_writer_destroy(w);

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	storage_path_if(dir, "sw1", "Gi0/1", p, sizeof(p));
	check_layout(p, tds, tmax, trra, 4);
	ifbytes = file_size(p);
	cr_log_info("link traffic file %ld bytes", (long)file_size(p));
	storage_path_ifstatus(dir, "sw1", "Gi0/1", p, sizeof(p));
	check_layout(p, sds, smax, srra, 4);
	stbytes = file_size(p);
	cr_log_info("status file %ld bytes", (long)file_size(p));
	/* issue 15's targets: 2.5 MB per interface, 0.3 MB per device
	 * (an ICMP-only device has only this file; docs/storage.md) */
	cr_assert_leq(ifbytes + stbytes, 2500000L, "%ld bytes",
		      (long)(ifbytes + stbytes));
	/* any other interface: two weeks of 5-minute rows, under 0.7 MB */
	storage_path_if(dir, "sw1", "Gi0/2", p, sizeof(p));
	check_layout(p, tds, tmax, grra, 4);
	cr_log_info("graph traffic file %ld bytes", (long)file_size(p));
	cr_assert_leq(file_size(p) + stbytes, 700000L, "%ld bytes",
		      (long)(file_size(p) + stbytes));
	storage_path_dev(dir, "sw1", p, sizeof(p));
	check_layout(p, dds, dmax, drra, 4);
	cr_assert_leq(file_size(p), 300000L, "%ld", (long)file_size(p));
	cr_log_info("device file %ld bytes", (long)file_size(p));

	/* The exported tables are what the files were made from. */
	cr_assert_not_null(storage_layout_args(STORAGE_LAYOUT_TRAFFIC, &argc));
	cr_assert_eq(argc, 6);
	cr_assert_not_null(
		storage_layout_args(STORAGE_LAYOUT_TRAFFIC_GRAPH, &argc));
	cr_assert_eq(argc, 6);
	cr_assert_str_eq(storage_layout_args(STORAGE_LAYOUT_STATUS, &argc)[0],
			 "DS:oper:GAUGE:900:0:1");
	cr_assert_eq(argc, 9);
	storage_layout_args(STORAGE_LAYOUT_DEVICE, &argc);
	cr_assert_eq(argc, 6);
}

/* ---- direct writes ---------------------------------------------------- */

Test(storage, traffic_values_read_back)
{
	struct rrd_writer *w = writer_new(NULL, 0);
	struct rrd_writer_stats st;
	char p[PATH_MAX];
	struct if_row r;
	int i;

	for (i = 0; i < 10; i++) {
		r = if_row_of(1e9 + i, 125000.25 * i);
		if (i == 3)
			r.in_bps = NAN; /* unknown */
		if (i == 4)
			r.out_bps = 1e11; /* 100 Gbit/s */
		if (i == 5)
			r.in_bps = 98765432109.5;
		/* whole numbers below 1e15 are written without printf, the
		 * others with %.17g (librrd's own rate arithmetic keeps
		 * these two exact) */
		if (i == 6)
			r.out_bps = 99999999999999.0;
		if (i == 7)
			r.out_bps = 1e15 + 2;
		cr_assert_eq(rrd_writer_submit_if(w, "core-1", "Te1/0/1",
						  T0 + i * RRD_STEP, &r),
			     0);
	}
	rrd_writer_flush(w);
	st = stats(w);
	cr_assert_eq(st.submitted, 10);
	cr_assert_eq(st.written, 10, "failed %lu: %s",
		     (unsigned long)st.failed, st.last_error);
	cr_assert_eq(st.failed, 0);
	cr_assert_eq(st.created, 2);
	cr_assert_eq(st.queued, 0);

	if_path("core-1", "Te1/0/1", p);
	for (i = 0; i < 10; i++) {
		double in = fetch_at(p, "in", T0 + i * RRD_STEP);
		double out = fetch_at(p, "out", T0 + i * RRD_STEP);

		if (i == 3)
			cr_assert(isnan(in), "NAN came back as %g", in);
		else if (i == 5)
			cr_assert_eq(in, 98765432109.5);
		else
			cr_assert_eq(in, 1e9 + i, "minute %d: %.17g", i, in);
		if (i == 4)
			cr_assert_eq(out, 1e11);
		else if (i == 6)
			cr_assert_eq(out, 99999999999999.0);
		else if (i == 7)
			cr_assert_eq(out, 1e15 + 2);
		else
			cr_assert_eq(out, 125000.25 * i, "minute %d", i);
	}
	/* Nothing before the first row. */
	cr_assert(isnan(fetch_at(p, "in", T0 - RRD_STEP)));
	cr_assert_lt(file_size(p), MB4);
	rrd_writer_destroy(w);
}

Test(storage, status_and_device_read_back)
{
	struct rrd_writer *w = writer_new(NULL, 0);
	struct dev_row d = { 0 };
	struct if_row r;
	char dir[PATH_MAX], p[PATH_MAX];
	int i;

	for (i = 0; i < 4; i++) {
		r = if_row_of(0, 0);
		r.oper = i % 2;
		r.in_err = 0.25 * i;
		r.out_disc = 3;
		d.reach = i == 2 ? 0 : 1;
		d.latency_ms = i == 2 ? NAN : 1.5 + i;
		/* the last: an ICMP poll that lost one echo of four */
		d.has_loss = i == 3;
		d.loss = i == 3 ? 0.25 : 0;
		cr_assert_eq(rrd_writer_submit_if(w, "ap-东楼-3", "wlan0",
						  T0 + i * RRD_STEP, &r),
			     0);
		cr_assert_eq(rrd_writer_submit_dev(w, "ap-东楼-3",
						   T0 + i * RRD_STEP, &d),
			     0);
	}
	rrd_writer_flush(w);
	cr_assert_eq(stats(w).written, 8, "%s", stats(w).last_error);
	rrd_writer_destroy(w);

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	storage_path_ifstatus(dir, "ap-东楼-3", "wlan0", p, sizeof(p));
	cr_assert(strstr(p, "/ap-东楼-3/st-wlan0.v4.rrd") != NULL, "%s", p);
	for (i = 0; i < 4; i++) {
		cr_assert_eq(fetch_at(p, "oper", T0 + i * RRD_STEP), i % 2);
		cr_assert_eq(fetch_at(p, "inerr", T0 + i * RRD_STEP), 0.25 * i);
		cr_assert_eq(fetch_at(p, "outdisc", T0 + i * RRD_STEP), 3);
	}
	storage_path_dev(dir, "ap-东楼-3", p, sizeof(p));
	for (i = 0; i < 4; i++) {
		double lat = fetch_at(p, "latency_ms", T0 + i * RRD_STEP);

		/* loss = 1 - reach, or the echoes lost */
		cr_assert_eq(fetch_at(p, "loss", T0 + i * RRD_STEP),
			     i == 2 ? 1 : i == 3 ? 0.25 : 0);
		if (i == 2)
			cr_assert(isnan(lat));
		else
			cr_assert_eq(lat, 1.5 + i);
	}
}

Test(storage, out_of_order_counts_failed_and_continues)
{
	struct rrd_writer *w = writer_new(NULL, 0);
	struct rrd_writer_stats st;
	struct if_row r = if_row_of(10, 20);
	char p[PATH_MAX];

	cr_assert_eq(rrd_writer_submit_if(w, "sw", "ge-0/0/1", T0 + 60, &r), 0);
	r = if_row_of(11, 21); /* same time again */
	cr_assert_eq(rrd_writer_submit_if(w, "sw", "ge-0/0/1", T0 + 60, &r), 0);
	r = if_row_of(12, 22); /* older */
	cr_assert_eq(rrd_writer_submit_if(w, "sw", "ge-0/0/1", T0, &r), 0);
	r = if_row_of(13, 23);
	cr_assert_eq(rrd_writer_submit_if(w, "sw", "ge-0/0/1", T0 + 120, &r),
		     0);
	rrd_writer_flush(w);
	st = stats(w);
	cr_assert_eq(st.written, 2);
	cr_assert_eq(st.failed, 2);
	cr_assert(strstr(st.last_error, "-ge-0%2F0%2F1.v4.rrd") != NULL,
		  "last_error names the file: %s", st.last_error);
	cr_assert_null(strchr(st.last_error, '\n'));

	if_path("sw", "ge-0/0/1", p);
	cr_assert_eq(fetch_at(p, "in", T0 + 60), 10);
	cr_assert_eq(fetch_at(p, "in", T0 + 120), 13);
	cr_assert_eq(fetch_at(p, "out", T0 + 120), 23);
	rrd_writer_destroy(w);
}

Test(storage, existing_file_is_not_recreated)
{
	struct rrd_writer *w = writer_new(NULL, 0);
	struct if_row r;
	struct stat before, after;
	char p[PATH_MAX];
	int i;

	for (i = 0; i < 5; i++) {
		r = if_row_of(100 + i, 0);
		rrd_writer_submit_if(w, "sw", "Gi0/1", T0 + i * RRD_STEP, &r);
	}
	rrd_writer_destroy(w); /* drains */
	if_path("sw", "Gi0/1", p);
	cr_assert_eq(stat(p, &before), 0);

	w = writer_new(NULL, 0);
	for (i = 5; i < 10; i++) {
		r = if_row_of(100 + i, 0);
		rrd_writer_submit_if(w, "sw", "Gi0/1", T0 + i * RRD_STEP, &r);
	}
	rrd_writer_flush(w);
	cr_assert_eq(stats(w).created, 0);
	cr_assert_eq(stats(w).written, 5, "%s", stats(w).last_error);
	rrd_writer_destroy(w);

	cr_assert_eq(stat(p, &after), 0);
	cr_assert_eq(before.st_ino, after.st_ino);
	for (i = 0; i < 10; i++)
		cr_assert_eq(fetch_at(p, "in", T0 + i * RRD_STEP), 100 + i,
			     "minute %d", i);
}

/* A file that has a v2 name but another layout (here a device file made
 * with the traffic data sources) is refused naming the file, by the writer
 * and by batch writes, and left as it was; files of the old layout (no
 * version in the name) are not listed. */
Test(storage, file_of_another_layout_is_refused)
{
	char bin[] = "rrdtool", cmd[] = "create", step[] = "--step=60";
	char ds1[] = "DS:in:GAUGE:900:0:U", ds2[] = "DS:out:GAUGE:900:0:U";
	char rra[] = "RRA:AVERAGE:0.5:1:10", start[] = "--start=1700000000";
	char dir[PATH_MAX], p[PATH_MAX], old[PATH_MAX + 16], out[512];
	char err[512] = "", **names = NULL;
	char *const argv[] = { bin, cmd, p, start, step, ds1, ds2, rra, NULL };
	struct dev_row d = { .reach = 1, .latency_ms = 0.5 };
	struct rrd_writer *w;
	struct stat before, after;
	time_t t[1] = { T0 };
	double v[2] = { 1, 1 };
	struct rrd_batch b = { .layout = STORAGE_LAYOUT_DEVICE,
			       .device = "odd", .t = t, .v = v, .nrows = 1 };
	size_t n = 0;
	int fd;

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	cr_assert_eq(storage_path_dev(dir, "odd", p, sizeof(p)), 0);
	snprintf(old, sizeof(old), "%s/odd", dir);
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(mkdir(old, 0755), 0);
	cr_assert_eq(run_cmd(argv, out, sizeof(out), 30), 0, "%s", out);
	cr_assert_eq(stat(p, &before), 0);

	w = writer_new(NULL, 0);
	cr_assert_eq(rrd_writer_submit_dev(w, "odd", T0, &d), 0);
	rrd_writer_flush(w);
	cr_assert_eq(stats(w).failed, 1);
	cr_assert_eq(stats(w).created, 0);
	cr_assert(strstr(stats(w).last_error, p) != NULL, "%s",
		  stats(w).last_error);
	cr_assert(strstr(stats(w).last_error, "not a layout v4 file") != NULL,
		  "%s", stats(w).last_error);
	rrd_writer_destroy(w);

	cr_assert_eq(storage_rrd_batch_write(dir, &b, 1, err, sizeof(err)),
		     -EPROTO);
	cr_assert(strstr(err, p) != NULL, "%s", err);
	cr_assert(strstr(err, "data source 1 is 'in', expected 'latency_ms'") !=
			  NULL,
		  "%s", err);
	cr_assert_eq(stat(p, &after), 0);
	cr_assert_eq(before.st_mtime, after.st_mtime);
	cr_assert_eq(before.st_size, after.st_size);

	snprintf(old, sizeof(old), "%s/odd/if-Gi0.rrd", dir);
	fd = open(old, O_WRONLY | O_CREAT, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(storage_if_list(dir, "odd", &names, &n), 0);
	cr_assert_eq(n, 0);
	storage_if_list_free(names, n);
}

Test(storage, full_queue_returns_eagain)
{
	/* The first row creates two files (MBs written), so the writer is
	 * busy while the loop below fills a queue of 4. */
	struct rrd_writer *w = writer_new(NULL, 4);
	struct rrd_writer_stats st;
	struct if_row r = if_row_of(1, 1);
	int i, rc, ok = 0, again = 0;

	for (i = 0; i < 200; i++) {
		rc = rrd_writer_submit_if(w, "sw", "Gi0/2", T0 + i * RRD_STEP,
					  &r);
		if (rc == 0)
			ok++;
		else if (rc == -EAGAIN)
			again++;
		else
			cr_assert_fail("submit returned %d", rc);
	}
	cr_assert_gt(again, 0);
	st = stats(w);
	cr_assert_leq(st.queued, 4);
	rrd_writer_flush(w);
	st = stats(w);
	cr_assert_eq(st.dropped, (uint64_t)again);
	cr_assert_eq(st.submitted, (uint64_t)ok);
	cr_assert_eq(st.written + st.failed, (uint64_t)ok);
	cr_assert_eq(st.failed, 0, "%s", st.last_error);
	cr_assert_eq(st.queued, 0);
	rrd_writer_destroy(w);
}

Test(storage, bad_arguments)
{
	struct rrd_writer *w = writer_new(NULL, 0);
	struct rrd_writer *w2 = NULL;
	struct if_row r = if_row_of(1, 1);
	char longname[300], err[512];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_assert_eq(rrd_writer_submit_if(w, NULL, "x", T0, &r), -EINVAL);
	cr_assert_eq(rrd_writer_submit_if(w, "sw", NULL, T0, &r), -EINVAL);
	cr_assert_eq(rrd_writer_submit_if(w, "sw", "x", T0, NULL), -EINVAL);
	cr_assert_eq(rrd_writer_submit_if(w, "sw", longname, T0, &r),
		     -ENAMETOOLONG);
	cr_assert_eq(stats(w).submitted, 0);
	rrd_writer_flush(w); /* nothing queued: returns */
	rrd_writer_destroy(w);
	rrd_writer_destroy(NULL);

	/* A storage dir below a regular file cannot be made. */
	snprintf(longname, sizeof(longname), "%s/file", tmp);
	fclose(fopen(longname, "w"));
	strcat(longname, "/rrd");
	cr_assert_lt(rrd_writer_create(longname, NULL, 0, &w2, err,
				       sizeof(err)),
		     0);
	cr_assert_null(w2);
	cr_assert(strstr(err, longname) != NULL, "%s", err);
}

struct feeder {
	struct rrd_writer *w;
	char dev[32];
	int n, fails;
};

static int feed(void *arg)
{
	struct feeder *f = arg;
	struct dev_row d;
	int i;

	for (i = 0; i < f->n; i++) {
		d.reach = 1;
		d.latency_ms = i;
		if (rrd_writer_submit_dev(f->w, f->dev, T0 + i * RRD_STEP,
					  &d) != 0)
			f->fails++;
	}
	return 0;
}

Test(storage, concurrent_submitters)
{
	struct rrd_writer *w = writer_new(NULL, 0);
	struct feeder f[4];
	thrd_t th[4];
	char dir[PATH_MAX], p[PATH_MAX];
	int i;

	for (i = 0; i < 4; i++) {
		f[i].w = w;
		f[i].n = 300;
		f[i].fails = 0;
		snprintf(f[i].dev, sizeof(f[i].dev), "dev%d", i);
		cr_assert_eq(thrd_create(&th[i], feed, &f[i]), thrd_success);
	}
	for (i = 0; i < 4; i++) {
		thrd_join(th[i], NULL);
		cr_assert_eq(f[i].fails, 0);
	}
	rrd_writer_flush(w);
	cr_assert_eq(stats(w).written, 1200, "%s", stats(w).last_error);
	rrd_writer_destroy(w);
	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	storage_path_dev(dir, "dev2", p, sizeof(p));
	cr_assert_eq(fetch_at(p, "latency_ms", T0 + 299 * RRD_STEP), 299);
}

/* ---- rrdcached -------------------------------------------------------- */

static pid_t cached_start(const char *sock)
{
	char base[PATH_MAX], pidf[PATH_MAX], jdir[PATH_MAX],
		addr[PATH_MAX + 8], logf[PATH_MAX];
	struct sockaddr_un sa;
	pid_t pid;
	int i, fd, ok = 0;

	snprintf(base, sizeof(base), "%s", tmp);
	snprintf(pidf, sizeof(pidf), "%s/rrdcached.pid", tmp);
	snprintf(jdir, sizeof(jdir), "%s/journal", tmp);
	snprintf(addr, sizeof(addr), "unix:%s", sock);
	snprintf(logf, sizeof(logf), "%s/rrdcached.log", tmp);
	mkdir(jdir, 0755);
	unlink(sock);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* Dies with the test process, even if that one crashes. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(logf, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("rrdcached", "rrdcached", "-g", "-l", addr, "-b", base,
		       "-B", "-p", pidf, "-j", jdir, (char *)NULL);
		_exit(127);
	}
	cached_pid = pid;
	/* Ready once the socket accepts a connection. */
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	for (i = 0; i < 500 && !ok; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		cr_assert_geq(fd, 0);
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (!ok)
			usleep(10000);
	}
	cr_assert(ok, "rrdcached did not come up on %s", sock);
	return pid;
}

static void cached_stop(pid_t pid)
{
	int status;

	cr_assert_eq(kill(pid, SIGTERM), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cached_pid = 0;
}

/* rrdcached on sock (PATH_MAX) in the test folder, its address "unix:sock"
 * into addr (PATH_MAX + 8). rrdcached -B compares against its resolved
 * base dir, so tmp becomes its real path first. */
static pid_t cached_in_tmp(char *sock, char *addr)
{
	char *real = realpath(tmp, NULL);

	cr_assert(real != NULL && strlen(real) < sizeof(tmp));
	memcpy(tmp, real, strlen(real) + 1);
	free(real);
	snprintf(sock, PATH_MAX, "%s/rrdcached.sock", tmp);
	snprintf(addr, PATH_MAX + 8, "unix:%s", sock);
	return cached_start(sock);
}

Test(storage, rrdcached_write_flush_reconnect, .timeout = 60)
{
	char sock[PATH_MAX], addr[PATH_MAX + 8], p[PATH_MAX];
	struct rrd_writer *w;
	struct rrd_writer_stats st;
	struct if_row r;
	pid_t pid;
	int i;

	pid = cached_in_tmp(sock, addr);

	w = writer_new(addr, 0);
	for (i = 0; i < 5; i++) {
		r = if_row_of(5e8 + i, i == 2 ? NAN : 7.5 * i);
		cr_assert_eq(rrd_writer_submit_if(w, "edge/1", "xe-1/0/0",
						  T0 + i * RRD_STEP, &r),
			     0);
	}
	/* A duplicate time is rrdcached's error too: failed, not fatal. */
	cr_assert_eq(rrd_writer_submit_if(w, "edge/1", "xe-1/0/0",
					  T0 + 4 * RRD_STEP, &r),
		     0);
	rrd_writer_flush(w);
	st = stats(w);
	cr_assert_eq(st.written, 5, "%s", st.last_error);
	cr_assert_eq(st.failed, 1);
	cr_assert_eq(st.created, 2);
	cr_assert(strstr(st.last_error, "-xe-1%2F0%2F0.v4.rrd") != NULL, "%s",
		  st.last_error);

	/* After the flush the data is in the file itself. */
	if_path("edge/1", "xe-1/0/0", p);
	for (i = 0; i < 5; i++) {
		double in = fetch_at(p, "in", T0 + i * RRD_STEP);
		double out = fetch_at(p, "out", T0 + i * RRD_STEP);

		cr_assert_eq(in, 5e8 + i, "minute %d: %g", i, in);
		if (i == 2)
			cr_assert(isnan(out));
		else
			cr_assert_eq(out, 7.5 * i);
	}

	/* rrdcached goes away: rows fail (no SIGPIPE death, no spin)... */
	cached_stop(pid);
	r = if_row_of(1, 1);
	cr_assert_eq(rrd_writer_submit_if(w, "edge/1", "xe-1/0/0",
					  T0 + 5 * RRD_STEP, &r),
		     0);
	rrd_writer_flush(w);
	st = stats(w);
	cr_assert_eq(st.failed, 2, "%s", st.last_error);
	cr_assert_neq(st.last_error[0], '\0');

	/* ...and the next row after it is back reconnects. */
	pid = cached_start(sock);
	r = if_row_of(42, 43);
	cr_assert_eq(rrd_writer_submit_if(w, "edge/1", "xe-1/0/0",
					  T0 + 6 * RRD_STEP, &r),
		     0);
	rrd_writer_flush(w);
	st = stats(w);
	cr_assert_eq(st.written, 6, "%s", st.last_error);
	cr_assert_eq(st.created, 2);
	cr_assert_eq(fetch_at(p, "in", T0 + 6 * RRD_STEP), 42);
	cr_assert_eq(fetch_at(p, "in", T0 + 4 * RRD_STEP), 5e8 + 4);

	rrd_writer_destroy(w);
	cached_stop(pid);
}

/* An access interface's traffic file keeps two weeks of 5-minute rows; when
 * a reload makes its device a link (a new role, an indicator's scope), the
 * next row grows the file in place to 400 days, through rrdcached, with the
 * rows rrdcached still held written first and none lost. */
Test(storage, graph_file_grows_into_link, .timeout = 60)
{
	char sock[PATH_MAX], addr[PATH_MAX + 8], p[PATH_MAX];
	struct rrd_writer *w;
	struct rrd_writer_stats st;
	const struct info *info;
	struct if_row r;
	pid_t pid;
	int i;

	pid = cached_in_tmp(sock, addr);
	if_path("ap-1", "wlan0", p);

	w = writer_new(addr, 0);
	for (i = 0; i < 5; i++) {
		r = if_row_of(100 + i, 200 + i);
		cr_assert_eq(rrd_writer_submit_if(w, "ap-1", "wlan0",
						  T0 + i * RRD_STEP, &r),
			     0);
	}
	/* the rows reach rrdcached, which holds them (no FLUSH yet) */
	for (i = 0; i < 100 && stats(w).written < 5; i++)
		usleep(20000);
	cr_assert_eq(stats(w).written, 5, "%s", stats(w).last_error);
	info = info_read(p);
	cr_assert_eq(info_cnt(info, "rra[1].rows"), 4032);

	for (i = 5; i < 8; i++) {
		r = if_row_of(100 + i, 200 + i);
		r.link = 1;
		cr_assert_eq(rrd_writer_submit_if(w, "ap-1", "wlan0",
						  T0 + i * RRD_STEP, &r),
			     0);
	}
	rrd_writer_flush(w);
	st = stats(w);
	cr_assert_eq(st.written, 8, "%s", st.last_error);
	cr_assert_eq(st.failed, 0, "%s", st.last_error);
	cr_assert_eq(st.created, 2);
	rrd_writer_destroy(w);
	cached_stop(pid);

	info = info_read(p);
	cr_assert_eq(info_cnt(info, "rra[1].rows"), 115200);
	cr_assert_eq(info_cnt(info, "rra[1].pdp_per_row"), 5);
	for (i = 0; i < 8; i++)
		cr_assert_eq(fetch_at(p, "in", T0 + i * RRD_STEP), 100 + i,
			     "minute %d", i);
}

Test(storage, rrdcached_down_counts_failed)
{
	char addr[PATH_MAX + 8];
	struct rrd_writer *w;
	struct rrd_writer_stats st;
	struct dev_row d = { .reach = 1, .latency_ms = 2 };
	int i;

	snprintf(addr, sizeof(addr), "unix:%s/nobody.sock", tmp);
	w = writer_new(addr, 0);
	for (i = 0; i < 3; i++)
		rrd_writer_submit_dev(w, "sw", T0 + i * RRD_STEP, &d);
	rrd_writer_flush(w);
	st = stats(w);
	cr_assert_eq(st.failed, 3);
	cr_assert_eq(st.written, 0);
	cr_assert(strstr(st.last_error, "rrdcached") != NULL, "%s",
		  st.last_error);
	rrd_writer_destroy(w);
}

/* ---- batch writes and reads ------------------------------------------ */

/* T0 on the 5-minute grid of the 5-minute RRA rows */
#define T5 (T0 - T0 % 300)

/* Rows written in one batch read back on the 5-minute grid; the file is
 * created ending at create_t, so the first 5 minutes are whole. */
Test(storage, batch_write_reads_back)
{
	char dir[PATH_MAX], p[PATH_MAX], err[512];
	time_t t[12], last = 0;
	double v[12 * 2], in[12], out[12], *cols[] = { in, out };
	const char *const ds[] = { "in", "out" };
	struct rrd_batch b = { .layout = STORAGE_LAYOUT_TRAFFIC,
			       .device = "sw 1", .ifname = "Gi0/1", .t = t,
			       .v = v, .nrows = 12, .create_t = T5,
			       .digits = 0 };
	struct rrd_series q = { .file = p, .from = (double)T5, .step = 300,
				.nb = 12, .ncols = 2, .ds = ds, .out = cols };

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	for (int k = 0; k < 12; k++) {
		t[k] = T5 + (k + 1) * 300;
		v[k * 2] = 1e9 / 3 + k;
		v[k * 2 + 1] = k == 5 ? NAN : 2.5 * k;
	}
	cr_assert_eq(storage_rrd_batch_write(dir, &b, 1, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(storage_path_if(dir, "sw 1", "Gi0/1", p, sizeof(p)), 0);
	cr_assert_eq(storage_series_read(&q, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(q.res, 300);
	for (int k = 0; k < 12; k++) {
		cr_assert_float_eq(in[k], 1e9 / 3 + k, 1e-6, "row %d", k);
		if (k == 5)
			cr_assert(isnan(out[k]));
		else
			cr_assert_float_eq(out[k], 2.5 * k, 1e-9, "row %d", k);
	}
	cr_assert_eq(storage_rrd_last(p, &last, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(last, t[11]);
	cr_assert_eq(storage_layout_ncols(STORAGE_LAYOUT_STATUS), 5);
	cr_assert_eq(storage_layout_ncols(STORAGE_LAYOUT_DEVICE), 2);
}

/* Rows older than the file's last update are refused, naming the file. */
Test(storage, batch_write_error_names_file)
{
	char dir[PATH_MAX], p[PATH_MAX], err[512] = "";
	time_t t[1] = { T0 + 60 };
	double v[2] = { 1, 1 };
	struct rrd_batch b = { .layout = STORAGE_LAYOUT_DEVICE,
			       .device = "r1", .t = t, .v = v, .nrows = 1 };

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	cr_assert_eq(storage_rrd_batch_write(dir, &b, 1, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(storage_rrd_batch_write(dir, &b, 1, err, sizeof(err)),
		     -EIO);
	cr_assert_eq(storage_path_dev(dir, "r1", p, sizeof(p)), 0);
	cr_assert(strstr(err, p) != NULL, "%s", err);
	cr_assert_null(strchr(err, '\n'));
}

/* A missing file: -ENOENT naming it, and the output all unknown. */
Test(storage, reads_of_missing_file_name_it)
{
	char p[PATH_MAX], err[512] = "";
	const char *const ds[] = { "loss" };
	double r[3] = { 1, 2, 3 }, *cols[] = { r };
	struct rrd_series q = { .file = p, .from = (double)T0, .step = 300,
				.nb = 3, .ncols = 1, .ds = ds, .out = cols };
	time_t last = 1;
	unsigned char *png = (unsigned char *)1;
	size_t len = 1;
	const struct storage_chart_item it[] = {
		{ STORAGE_CHART_LINE, "in", 0xff0000, "in" },
	};
	struct storage_chart c = { .file = p, .start = (double)T0,
				   .end = (double)T0 + 3600, .width = 100,
				   .height = 50, .lower_limit = NAN,
				   .items = it, .nitems = 1, .hrule = NAN };

	snprintf(p, sizeof(p), "%s/nosuch/device.rrd", tmp);
	cr_assert_eq(storage_series_read(&q, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, p) != NULL, "%s", err);
	for (int i = 0; i < 3; i++)
		cr_assert(isnan(r[i]));
	err[0] = '\0';
	cr_assert_eq(storage_rrd_last(p, &last, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, p) != NULL, "%s", err);
	err[0] = '\0';
	cr_assert_eq(storage_chart_png(&c, &png, &len, err, sizeof(err)),
		     -EIO);
	cr_assert_null(png);
	cr_assert_eq(len, 0);
	cr_assert(strstr(err, p) != NULL, "%s", err);
}

/* A data source the file lacks is -EINVAL naming file and source. */
Test(storage, series_unknown_ds)
{
	char dir[PATH_MAX], p[PATH_MAX], err[512];
	time_t t[1] = { T0 + 60 };
	double v[2] = { 1, 5 }, x, *cols[] = { &x };
	const char *const ds[] = { "nosuch" };
	struct rrd_batch b = { .layout = STORAGE_LAYOUT_DEVICE,
			       .device = "r1", .t = t, .v = v, .nrows = 1 };
	struct rrd_series q = { .file = p, .from = (double)T0, .step = 60,
				.nb = 1, .ncols = 1, .ds = ds, .out = cols };

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	cr_assert_eq(storage_rrd_batch_write(dir, &b, 1, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(storage_path_dev(dir, "r1", p, sizeof(p)), 0);
	cr_assert_eq(storage_series_read(&q, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, p) != NULL && strstr(err, "nosuch") != NULL,
		  "%s", err);
	q.ncols = RRD_SERIES_COLS_MAX + 1;
	cr_assert_eq(storage_series_read(&q, err, sizeof(err)), -EINVAL);
}

/* The interfaces of a device come back decoded and sorted. */
Test(storage, if_list_decoded_sorted)
{
	static const char *const ifs[] = { "Gi0/2", "Gi0/1", "接口:1", "" };
	char dir[PATH_MAX], err[512], **names = NULL;
	time_t t[1] = { T0 + 60 };
	double v[2] = { 1, 2 };
	struct rrd_batch b[4];
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	for (int i = 0; i < 4; i++)
		b[i] = (struct rrd_batch){ .layout = STORAGE_LAYOUT_TRAFFIC,
					   .device = "sw1", .ifname = ifs[i],
					   .t = t, .v = v, .nrows = 1 };
	cr_assert_eq(storage_rrd_batch_write(dir, b, 4, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(storage_if_list(dir, "sw1", &names, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(names[0], "");
	cr_assert_str_eq(names[1], "Gi0/1");
	cr_assert_str_eq(names[2], "Gi0/2");
	cr_assert_str_eq(names[3], "接口:1");
	storage_if_list_free(names, n);
	cr_assert_eq(storage_if_list(dir, "nosuch", &names, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(names);
}

/* A chart of a written file is a PNG. */
Test(storage, chart_png)
{
	char dir[PATH_MAX], p[PATH_MAX], err[512];
	time_t t[24];
	double v[48];
	struct rrd_batch b = { .layout = STORAGE_LAYOUT_TRAFFIC,
			       .device = "sw1", .ifname = "Gi0/1", .t = t,
			       .v = v, .nrows = 24, .create_t = T0 };
	const struct storage_chart_item it[] = {
		{ STORAGE_CHART_AREA, "in", 0x66bb6a, "in" },
		{ STORAGE_CHART_LINE, "out", 0x1565c0, "out" },
	};
	struct storage_chart c = { .file = p, .start = (double)T0,
				   .end = (double)T0 + 24 * 300, .width = 200,
				   .height = 80, .title = "t", .tz = "UTC",
				   .lower_limit = 0, .items = it, .nitems = 2,
				   .hrule = 5, .hrule_rgb = 0xd32f2f,
				   .hrule_legend = "p95" };
	unsigned char *png = NULL;
	size_t len = 0;

	snprintf(dir, sizeof(dir), "%s/rrd", tmp);
	for (int k = 0; k < 24; k++) {
		t[k] = T0 + (k + 1) * 300;
		v[2 * k] = k;
		v[2 * k + 1] = 24 - k;
	}
	cr_assert_eq(storage_rrd_batch_write(dir, &b, 1, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(storage_path_if(dir, "sw1", "Gi0/1", p, sizeof(p)), 0);
	cr_assert_eq(storage_chart_png(&c, &png, &len, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_gt(len, 8);
	cr_assert_eq(memcmp(png, "\x89PNG", 4), 0);
	free(png);
}

/* ---- batching (issue 15) ---------------------------------------------- */

/* Direct writes with a hold window: the rows of one file go out in one
 * rrd_update_r round (rrd_writer_stats.batches), in order, and one row at
 * or before the file's last update fails alone, naming the file, while
 * the rows after it in the same round are written. */
Test(storage, held_rows_go_out_together)
{
	struct rrd_writer *w = writer_new(NULL, 0);
	struct rrd_writer_stats st;
	char p[PATH_MAX];
	struct if_row r;

	rrd_writer_set_batch(w, 300, 0);
	for (int i = 0; i < 6; i++) {
		time_t t = T0 + (i == 3 ? 1 : i) * RRD_STEP; /* 3: too old */

		r = if_row_of(1000 + i, 2000 + i);
		cr_assert_eq(rrd_writer_submit_if(w, "sw9", "Gi0/9", t, &r),
			     0);
	}
	usleep(200 * 1000);
	st = stats(w);
	cr_assert_eq(st.written + st.failed, 0, "held, not written yet");
	cr_assert_eq(st.queued, 6);
	rrd_writer_flush(w); /* a flush does not wait for the window */
	st = stats(w);
	cr_assert_eq(st.written, 5, "%s", st.last_error);
	cr_assert_eq(st.failed, 1);
	cr_assert_eq(st.batches, 1);
	cr_assert(strstr(st.last_error, "-Gi0%2F9.v4.rrd: illegal") != NULL, "%s",
		  st.last_error);
	if_path("sw9", "Gi0/9", p);
	cr_assert_eq(fetch_at(p, "in", T0 + 2 * RRD_STEP), 1002);
	cr_assert_eq(fetch_at(p, "in", T0 + 5 * RRD_STEP), 1005);
	rrd_writer_destroy(w);
}

/* At most create_per_s files a second: rows of devices whose file waits
 * are written later, none lost, rows of one device in order; the wait
 * is spread over seconds, not spent at once. */
Test(storage, file_creation_is_spread_over_time)
{
	struct rrd_writer *w = writer_new(NULL, 0);
	struct rrd_writer_stats st;
	struct dev_row d = { .reach = 1, .latency_ms = 2.5 };
	struct timespec a, b;
	char name[32];

	rrd_writer_set_batch(w, 0, 2);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 6; i++) {
			snprintf(name, sizeof(name), "cam-%d", i);
			d.latency_ms = 10 * i + k;
			cr_assert_eq(rrd_writer_submit_dev(w, name,
							   T0 + k * RRD_STEP,
							   &d),
				     0);
		}
	rrd_writer_flush(w);
	clock_gettime(CLOCK_MONOTONIC, &b);
	st = stats(w);
	cr_assert_eq(st.created, 6);
	cr_assert_eq(st.written, 12, "%s", st.last_error);
	cr_assert_eq(st.failed, 0, "%s", st.last_error);
	cr_assert_geq(st.deferred, 4);
	/* 6 files at 2 a second: the third second at least */
	cr_assert_geq((double)(b.tv_sec - a.tv_sec) +
			      (double)(b.tv_nsec - a.tv_nsec) / 1e9,
		      1.9);
	{
		char dir[PATH_MAX], p[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/rrd", tmp);
		cr_assert_eq(storage_path_dev(dir, "cam-5", p, sizeof(p)), 0);
		cr_assert_eq(fetch_at(p, "latency_ms", T0), 50);
		cr_assert_eq(fetch_at(p, "latency_ms", T0 + RRD_STEP), 51);
	}
	rrd_writer_destroy(w);
}
