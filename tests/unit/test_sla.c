/*
 * test_sla.c - the SLA engine against a synthetic October 2026 written
 * through the project's own storage code (tests/unit/sla_synth.h): every
 * indicator against its hand-computed value to 0.01 percentage point, the
 * 95th percentile against a direct computation over the same 5-minute
 * samples, the time-zone edges of a month, and a captured link: its
 * month's top talkers summed from the per-interval records, and its
 * capture drops counted against data completeness.
 * SPDX-License-Identifier: MIT
 */
#include "sla_synth.h"

#include "sla/indicators.h"
#include "sla/sla.h"

static const struct sla_value *val(const struct sla_result *r,
				   const char *id)
{
	for (size_t i = 0; i < r->nvalues; i++)
		if (strcmp(r->values[i].ind.id, id) == 0)
			return &r->values[i];
	cr_assert_fail("no indicator %s", id);
	return NULL;
}

static double utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (double)timegm(&tm);
}

Test(sla_period, month_quarter_year_in_shanghai)
{
	struct sla_period p;
	char err[256];

	cr_assert_eq(sla_period_parse("Asia/Shanghai", "2026-10", &p, err,
				      sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(p.kind, SLA_MONTH);
	cr_assert_eq(p.from, utc(2026, 9, 30, 16, 0));
	cr_assert_eq(p.to, utc(2026, 10, 31, 16, 0));
	cr_assert_eq(p.from, SYN_FROM);
	cr_assert_str_eq(p.label, "2026-10");
	cr_assert_eq(sla_period_parse("Asia/Shanghai", "2026-Q4", &p, err,
				      sizeof(err)),
		     0);
	cr_assert_eq(p.from, SYN_FROM);
	cr_assert_eq(p.to, utc(2026, 12, 31, 16, 0));
	cr_assert_eq(sla_period_parse("Asia/Shanghai", "2026", &p, err,
				      sizeof(err)),
		     0);
	cr_assert_eq(p.from, utc(2025, 12, 31, 16, 0));
	cr_assert_eq(p.to, utc(2026, 12, 31, 16, 0));
	cr_assert_eq(sla_period_parse("Asia/Shanghai", "2026-10-01..2026-10-15",
				      &p, err, sizeof(err)),
		     0);
	cr_assert_eq(p.to - p.from, 15 * 86400.0);
	/* a DST zone: March 2026 in Berlin is 31 days minus one hour */
	cr_assert_eq(sla_period_parse("Europe/Berlin", "2026-03", &p, err,
				      sizeof(err)),
		     0);
	cr_assert_eq(p.to - p.from, 31 * 86400.0 - 3600);
	cr_assert_lt(sla_period_parse("Asia/Shanghai", "2026-13", &p, err,
				      sizeof(err)),
		     0);
	cr_assert_lt(sla_period_parse("Mars/Olympus", "2026-10", &p, err,
				      sizeof(err)),
		     0);
	cr_assert_lt(sla_period_parse("Asia/Shanghai", "26-10-x", &p, err,
				      sizeof(err)),
		     0);
}

Test(sla_period, p95_definition)
{
	double v[100], w[1] = { 7 };

	for (int i = 0; i < 100; i++)
		v[i] = 100 - i; /* 100..1, shuffled order is irrelevant */
	/* 100 samples: drop the top 5 (100..96), the 95th is 95 */
	cr_assert_eq(sla_p95(v, 100), 95);
	cr_assert_eq(sla_p95(w, 1), 7);
	cr_assert(isnan(sla_p95(v, 0)));
}

/* The synthetic month is written with one librrd call per file
 * (sla_synth.h, syn_write_rrd_batch) where slamond's writer makes one
 * call per row. Both must make the same files, so the month the tests
 * below read is the month the daemon would have written: five hours
 * around the start of October (ap-4's first minute down, a NAN latency,
 * every device and link) written both ways, then compared by everything
 * rrd_info reports (header, data sources' and consolidation state) and
 * every row of every archive. Not byte for byte: rrd_create starts each
 * archive at a random row (cur_row), which only rotates its storage. */
static int same_value(double x, double y)
{
	return (isnan(x) && isnan(y)) || x == y;
}

static void expect_same_info(const char *pa, const char *pb)
{
	rrd_info_t *ia = rrd_info_r(pa), *ib = rrd_info_r(pb);
	rrd_info_t *x = ia, *y = ib;

	cr_assert(ia != NULL && ib != NULL, "rrd_info %s: %s", pa,
		  rrd_get_error());
	for (; x != NULL && y != NULL; x = x->next, y = y->next) {
		cr_assert_str_eq(x->key, y->key);
		cr_assert_eq(x->type, y->type, "%s", x->key);
		if (strcmp(x->key, "filename") == 0 ||
		    strstr(x->key, ".cur_row") != NULL)
			continue;
		switch (x->type) {
		case RD_I_VAL:
			cr_expect(same_value(x->value.u_val, y->value.u_val),
				  "%s %s: %.17g vs %.17g", pb, x->key,
				  x->value.u_val, y->value.u_val);
			break;
		case RD_I_CNT:
			cr_expect_eq(x->value.u_cnt, y->value.u_cnt, "%s %s",
				     pb, x->key);
			break;
		case RD_I_INT:
			cr_expect_eq(x->value.u_int, y->value.u_int, "%s %s",
				     pb, x->key);
			break;
		case RD_I_STR:
			cr_expect_str_eq(x->value.u_str, y->value.u_str,
					 "%s %s", pb, x->key);
			break;
		default:
			break;
		}
	}
	cr_expect(x == NULL && y == NULL, "%s: rrd_info lengths differ", pb);
	rrd_info_free(ia);
	rrd_info_free(ib);
}

/* Every row of archive cf/pdp of both files around [from, to]. */
static size_t expect_same_rows(const char *pa, const char *pb,
			       const char *cf, unsigned long pdp, double from,
			       double to)
{
	time_t s[2], e[2];
	unsigned long step[2], nds[2];
	char **names[2];
	rrd_value_t *data[2];
	const char *path[2] = { pa, pb };
	size_t rows;

	for (int i = 0; i < 2; i++) {
		step[i] = RRD_STEP * pdp;
		s[i] = (time_t)from - 2 * (time_t)step[i];
		e[i] = (time_t)to + 2 * (time_t)step[i];
		rrd_clear_error();
		cr_assert_eq(rrd_fetch_r(path[i], cf, &s[i], &e[i], &step[i],
					 &nds[i], &names[i], &data[i]),
			     0, "%s: %s", path[i], rrd_get_error());
	}
	cr_assert(s[0] == s[1] && e[0] == e[1] && step[0] == step[1] &&
			  nds[0] == nds[1],
		  "%s %s/%lu: another shape", pb, cf, pdp);
	rows = (size_t)((e[0] - s[0]) / (time_t)step[0]);
	for (size_t r = 0; r < rows * nds[0]; r++)
		cr_expect(same_value(data[0][r], data[1][r]),
			  "%s %s/%lu row %zu: %.17g vs %.17g", pb, cf, pdp,
			  r / nds[0], data[0][r], data[1][r]);
	for (int i = 0; i < 2; i++) {
		for (unsigned long k = 0; k < nds[i]; k++)
			rrd_freemem(names[i][k]);
		rrd_freemem(names[i]);
		rrd_freemem(data[i]);
	}
	return rows;
}

static void expect_same_rrd(const char *pa, const char *pb,
			    enum storage_layout l, double from, double to)
{
	int argc;
	const char *const *args = storage_layout_args(l, &argc);

	expect_same_info(pa, pb);
	/* RRA:CF:xff:pdp_per_row:rows */
	for (int i = 0; i < argc; i++) {
		char cf[16];
		unsigned long pdp;

		if (sscanf(args[i], "RRA:%15[A-Z]:%*[0-9.]:%lu:", cf, &pdp) !=
		    2)
			continue;
		cr_expect_gt(expect_same_rows(pa, pb, cf, pdp, from, to), 0);
	}
}

Test(sla_synth, batch_files_equal_the_writers)
{
	char dir[4096], one[4200], batch[4200], pa[4400], pb[4400];
	double from = SYN_FROM - SYN_H, to = SYN_FROM + 4 * SYN_H;
	size_t files = 0;

	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-synth-eq-"), 0);
	snprintf(one, sizeof(one), "%s/writer", dir);
	snprintf(batch, sizeof(batch), "%s/batch", dir);
	cr_assert_eq(mkdir(batch, 0755), 0);
	syn_write_rrd_writer(one, from, to);
	syn_write_rrd_batch(batch, from, to);
	for (size_t d = 0; d < SYN_NDEVS; d++) {
		cr_assert_eq(storage_path_dev(one, syn_devs[d], pa, sizeof(pa)),
			     0);
		cr_assert_eq(storage_path_dev(batch, syn_devs[d], pb,
					      sizeof(pb)),
			     0);
		expect_same_rrd(pa, pb, STORAGE_LAYOUT_DEVICE, from, to);
		files++;
	}
	for (int k = 0; k < SYN_NLINKS; k++) {
		const char *dev = syn_links[k][0], *ifn = syn_links[k][1];

		cr_assert_eq(storage_path_if(one, dev, ifn, pa, sizeof(pa)), 0);
		cr_assert_eq(storage_path_if(batch, dev, ifn, pb, sizeof(pb)),
			     0);
		expect_same_rrd(pa, pb, STORAGE_LAYOUT_TRAFFIC, from, to);
		cr_assert_eq(storage_path_ifstatus(one, dev, ifn, pa,
						   sizeof(pa)),
			     0);
		cr_assert_eq(storage_path_ifstatus(batch, dev, ifn, pb,
						   sizeof(pb)),
			     0);
		expect_same_rrd(pa, pb, STORAGE_LAYOUT_STATUS, from, to);
		files += 2;
	}
	cr_assert_eq(files, 14);
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(dir);
}

static struct synth S;

static void setup(void)
{
	synth_build(&S);
}

static void teardown(void)
{
	synth_destroy(&S);
}

TestSuite(sla, .init = setup, .fini = teardown, .timeout = 600);

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	synth_cleanup();
}

/* 5-minute averages of link k computed from the rows the test wrote. */
static size_t direct_5min(int k, double *mx, double *sm)
{
	size_t n = 0;

	for (double b = SYN_FROM; b < SYN_TO; b += 300) {
		double si = 0, so = 0;

		for (int m = 1; m <= 5; m++) {
			double in, out;

			syn_traffic(k, b + 60 * m, &in, &out);
			si += in;
			so += out;
		}
		si /= 5;
		so /= 5;
		mx[n] = si > so ? si : so;
		sm[n] = si + so;
		n++;
	}
	return n;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The 95th percentile, computed here independently: sorted ascending, the
 * sample at rank ceil(0.95 n) (1-based). */
static double direct_p95(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return v[(size_t)ceil(0.95 * (double)n) - 1];
}

Test(sla, synthetic_october)
{
	struct sla_period p;
	struct sla_result *r = NULL;
	char err[512] = "";
	double now = SYN_TO + 10 * 86400.0;
	const struct sla_value *v;

	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, now, &r, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(r->nvalues, 10);

	v = val(r, "backbone_bandwidth");
	cr_assert_eq(v->value, 10000);
	cr_assert_eq(v->state, SLA_MET);
	v = val(r, "exit_bandwidth");
	cr_assert_eq(v->value, 4000);
	cr_assert_eq(v->state, SLA_MET);
	v = val(r, "access_points");
	cr_assert_eq(v->value, 4, "ap-5 never seen: %f", v->value);
	cr_assert_eq(v->state, SLA_MET);

	v = val(r, "unit_connectivity");
	cr_assert(fabs(v->value - SYN_UNIT_CONN) < 0.01, "%.6f vs %.6f",
		  v->value, SYN_UNIT_CONN);
	cr_assert_eq(v->state, SLA_BREACHED); /* 78.85% < 90% */
	v = val(r, "equipment_availability");
	cr_assert(fabs(v->value - SYN_EQUIP) < 0.01, "%.6f vs %.6f", v->value,
		  SYN_EQUIP);
	v = val(r, "miniprogram_availability");
	cr_assert(fabs(v->value - SYN_MINIPROGRAM) < 0.01, "%.6f vs %.6f",
		  v->value, SYN_MINIPROGRAM);
	cr_assert_eq(v->state, SLA_MET); /* 95.97% > 95% */
	v = val(r, "data_completeness");
	cr_assert(fabs(v->value - SYN_COMPLETE) < 0.01, "%.6f vs %.6f",
		  v->value, SYN_COMPLETE);
	v = val(r, "fault_response");
	cr_assert(fabs(v->value - SYN_ACK) < 0.01, "%.6f", v->value);
	cr_assert_eq(v->state, SLA_BREACHED);
	v = val(r, "fault_satisfaction");
	cr_assert(fabs(v->value - SYN_SATISF) < 0.01, "%.6f", v->value);
	cr_assert_eq(v->state, SLA_BREACHED);
	v = val(r, "monthly_reports");
	cr_assert_eq(v->value, 0);
	cr_assert_eq(v->target, 10); /* 12 pro-rated to January..October */
	cr_assert_eq(v->state, SLA_BREACHED);

	/* per-device availability, seconds */
	{
		int ap2 = config_find_device(S.cfg, "ap-2");
		int ap3 = config_find_device(S.cfg, "ap-3");
		int ap4 = config_find_device(S.cfg, "ap-4");

		cr_assert_eq(r->avail[ap2].maint_s, 6 * SYN_H);
		cr_assert(fabs(r->avail[ap2].down_s - 18 * SYN_H) < 1e-6);
		cr_assert(fabs(r->avail[ap3].unknown_s - 2 * SYN_H) < 1e-6);
		/* the first and last minute of October, not September's last
		 * nor November's first */
		cr_assert(fabs(r->avail[ap4].down_s - 120) < 1e-6, "%f",
			  r->avail[ap4].down_s);
	}

	/* faults detected in October: F1, F2, F3, F4, F6 */
	cr_assert_eq(r->nfaults, 5);
	{
		double s = 0;
		size_t n = 0;

		for (size_t i = 0; i < r->nfaults; i++)
			if (!isnan(r->faults[i].response_s)) {
				s += r->faults[i].response_s;
				n++;
			}
		cr_assert_eq(n, 4);
		cr_assert(fabs(s / (double)n - SYN_MTTA) < 1e-6);
	}
	cr_assert_eq(r->maint_windows, 1);
	cr_assert_eq(r->simulated, 11);

	/* links: 95th percentile against the direct computation */
	cr_assert_eq(r->nlinks, 2);
	for (size_t i = 0; i < r->nlinks; i++) {
		const struct sla_link *l = &r->links[i];
		int k = strcmp(S.cfg->devices[l->dev].name, "bb-1") == 0 ? 0 : 1;
		static double mx[8928], sm[8928];
		size_t n = direct_5min(k, mx, sm);
		double p95m, p95s, avg = 0;

		for (size_t j = 0; j < n; j++)
			avg += mx[j];
		avg /= (double)n;
		p95m = direct_p95(mx, n);
		p95s = direct_p95(sm, n);
		cr_assert_eq(l->samples, n);
		cr_assert(fabs(l->p95_max - p95m) <= 1e-9 * p95m, "%s %.17g %.17g",
			  l->ifname, l->p95_max, p95m);
		cr_assert(fabs(l->p95_sum - p95s) <= 1e-9 * p95s);
		cr_assert(fabs(l->avg_max - avg) <= 1e-9 * avg);
		cr_assert(fabs(l->peak_max - mx[n - 1]) <= 1e-9 * mx[n - 1]);
	}
	sla_result_destroy(r);
}

Test(sla, month_edges)
{
	struct sla_period p;
	struct sla_result *r = NULL;
	char err[512] = "";
	int ap4 = config_find_device(S.cfg, "ap-4");

	/* September: only its last minute of ap-4 is down */
	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 9, &p), 0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400 * 40, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	cr_assert(fabs(r->avail[ap4].down_s - 60) < 1e-6, "%f",
		  r->avail[ap4].down_s);
	cr_assert_eq(r->nfaults, 1); /* F5 */
	sla_result_destroy(r);
	/* November: only its first minute */
	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 11, &p), 0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400 * 40, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	cr_assert(fabs(r->avail[ap4].down_s - 60) < 1e-6, "%f",
		  r->avail[ap4].down_s);
	cr_assert_eq(r->nfaults, 0);
	sla_result_destroy(r);
	/* the same October seen from UTC starts 8 hours later: ap-4's first
	 * minute of local October is not in UTC October */
	cr_assert_eq(sla_period_month("UTC", 2026, 10, &p), 0);
	cr_assert_eq(p.from, SYN_FROM + 8 * SYN_H);
}

Test(sla, current_month_and_reports)
{
	struct sla_period p;
	struct sla_result *r = NULL;
	char err[512] = "";
	const struct sla_value *v;

	/* evaluated on October 11th 00:00: only 10 days have elapsed */
	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_FROM + 10 * 86400.0, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(r->avail[0].buckets, 10 * 288);
	v = val(r, "unit_connectivity");
	/* ap-1 6 h down, ap-3 2 h unknown, ap-5 10 days unknown, ap-4 1 min */
	{
		double t = 10 * 86400.0;
		double want = (5 * t - 6 * SYN_H - 2 * SYN_H - t - 60) /
			      (5 * t) * 100;

		cr_assert(fabs(v->value - want) < 0.01, "%f vs %f", v->value,
			  want);
	}
	sla_result_destroy(r);
	/* reports for January..September, then October's */
	for (int m = 1; m <= 10; m++) {
		char month[16];

		snprintf(month, sizeof(month), "2026-%02d", m);
		cr_assert_eq(sla_report_record(S.cfg, month, SYN_TO, "x", err,
					       sizeof(err)),
			     0, "%s", err);
	}
	cr_assert_eq(sla_report_record(S.cfg, "2026-10", SYN_TO, "again",
				       err, sizeof(err)),
		     0); /* a rebuilt report counts once */
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	v = val(r, "monthly_reports");
	cr_assert_eq(v->value, 10);
	cr_assert_eq(v->state, SLA_MET);
	sla_result_destroy(r);
	cr_assert_eq(sla_period_year("Asia/Shanghai", 2026, &p), 0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400 * 90, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	v = val(r, "monthly_reports");
	cr_assert_eq(v->target, 12);
	cr_assert_eq(v->state, SLA_BREACHED);
	sla_result_destroy(r);
	/* the other tests expect no report records */
	{
		char rep[4300];

		snprintf(rep, sizeof(rep), "%s/reports", S.store);
		tmpdir_remove(rep);
	}
}

/* ---- captured links (issue 6) ---------------------------------------- */

static const struct sla_capture *cap_of(const struct sla_result *r)
{
	cr_assert_eq(r->ncaptures, 1);
	cr_assert_str_eq(r->captures[0].name, "exit-mirror");
	return &r->captures[0];
}

/* The month's top lists of a captured link are the sums of the
 * per-interval lists the daemon recorded, largest first: 10.1.0.3 led
 * every interval of October 1-3 but sums to less than 10.1.0.2 over the
 * month. Counts, drops and coverage come from the same records. */
Test(sla, captured_link_month_sums)
{
	struct sla_period p;
	struct sla_result *r = NULL;
	char err[512] = "", key[64];
	const struct sla_capture *c;

	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	c = cap_of(r);
	cr_assert_str_eq(c->device, "exit-1");
	cr_assert_eq(c->dev, config_find_device(S.cfg, "exit-1"));
	cr_assert_eq(c->top_n, 3);
	cr_assert_eq(c->intervals, SYN_CAP_IVS);
	cr_assert_eq(c->bytes, 8000000ULL * SYN_CAP_IVS);
	cr_assert_eq(c->in_bytes, 6000000ULL * SYN_CAP_IVS);
	cr_assert_eq(c->records, 10000ULL * (SYN_CAP_IVS - 288) + 9000 * 288);
	cr_assert_eq(c->drops, 1000ULL * 288);
	cr_assert_eq(c->nlocal, 3);
	cr_assert_str_eq(sla_top_label(&c->local[0], key, sizeof(key)),
			 "10.1.0.1");
	cr_assert_eq(c->local[0].bytes, 3000000ULL * SYN_CAP_IVS);
	cr_assert_eq(c->local[0].intervals, SYN_CAP_IVS);
	cr_assert_str_eq(sla_top_label(&c->local[1], key, sizeof(key)),
			 "10.1.0.2");
	cr_assert_eq(c->local[1].bytes, 1000000ULL * SYN_CAP_IVS);
	cr_assert_str_eq(sla_top_label(&c->local[2], key, sizeof(key)),
			 "10.1.0.3");
	cr_assert_eq(c->local[2].bytes, 5000000ULL * 3 * 288);
	cr_assert_eq(c->local[2].intervals, 3 * 288);
	cr_assert_eq(c->nremote, 2);
	cr_assert_str_eq(sla_top_label(&c->remote[1], key, sizeof(key)),
			 "2001:db8::1");
	cr_assert_eq(c->remote[1].bytes, 1500000ULL * SYN_CAP_IVS);
	cr_assert_eq(c->nports, 2);
	cr_assert_str_eq(sla_top_label(&c->ports[0], key, sizeof(key)),
			 "tcp/443");
	cr_assert_str_eq(sla_top_label(&c->ports[1], key, sizeof(key)),
			 "udp/53");
	cr_assert_eq(c->ports[1].packets, 400ULL * SYN_CAP_IVS);
	/* September 30th's and November 1st's intervals are not October's */
	cr_assert_eq(c->expected_s, SYN_T);
	cr_assert(fabs(c->covered_s - SYN_CAP_IVS * 300.0) < 1e-6);
	sla_result_destroy(r);
}

/* Capture drops count against data completeness: the day the capture
 * lost 10 % of the packets it saw collects 90 % of that day for the link,
 * and the completeness indicator (devices plus captured links) says so,
 * to 0.01 point, for the day and for the month. */
Test(sla, capture_drops_count_against_completeness)
{
	struct sla_period p;
	struct sla_result *r = NULL;
	char err[512] = "";
	const struct sla_value *v;
	const struct sla_capture *c;

	/* 2026-10-15: 10 devices with rows all day (ap-5 has no file), and
	 * the link at 0.9 */
	cr_assert_eq(sla_period_parse("Asia/Shanghai", "2026-10-15..2026-10-15",
				      &p, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	c = cap_of(r);
	cr_assert_eq(c->intervals, 288);
	cr_assert(fabs(sla_capture_completeness(c) - 90.0) < 1e-9, "%.9f",
		  sla_capture_completeness(c));
	v = val(r, "data_completeness");
	cr_assert(fabs(v->value - (10 * 288 + 288 * 0.9) / (12 * 288.0) * 100) <
			  0.01,
		  "%.6f", v->value);
	cr_assert(strstr(v->evidence_zh, "抓包链路 1 条") != NULL, "%s",
		  v->evidence_zh);
	cr_assert(strstr(v->evidence_en, "after capture drops") != NULL, "%s",
		  v->evidence_en);
	sla_result_destroy(r);
	/* the day before: no drops, the link collects all of it */
	cr_assert_eq(sla_period_parse("Asia/Shanghai", "2026-10-14..2026-10-14",
				      &p, err, sizeof(err)),
		     0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	cr_assert(fabs(sla_capture_completeness(cap_of(r)) - 100.0) < 1e-9);
	sla_result_destroy(r);
	/* the month: the gap and the drops, with the devices */
	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	c = cap_of(r);
	cr_assert(fabs(c->collected_s / 300 - SYN_CAP_COLLECTED) < 1e-6, "%f",
		  c->collected_s / 300);
	v = val(r, "data_completeness");
	cr_assert(fabs(v->value - SYN_COMPLETE) < 0.01, "%.6f vs %.6f",
		  v->value, SYN_COMPLETE);
	sla_result_destroy(r);
}

/* Availability from the journal's state intervals, exact to the second:
 * a state entered before the period carries in, unreachable counts as
 * down and is shown apart, a recorded "maintenance" state and a
 * configured window are both excluded (overlapping, counted once),
 * "unknown" (slamond stopped) and the time before a device's first state
 * are no data, an object not in the inventory is ignored, and the last
 * state lasts to the end of the evaluated range. */
Test(sla_states, intervals_to_the_second)
{
	char dir[4096], path[4400], err[512] = "";
	struct config *cfg = NULL;
	struct diag d = { 0 };
	struct journal *j = NULL;
	struct sla_period p;
	struct sla_result *r = NULL;
	const double F = SYN_FROM;
	const struct journal_state_rec v[] = {
		{ "a", "up", "", F - 86400 },       /* carried into October */
		{ "a", "down", "", F + 1000 },
		{ "a", "up", "", F + 1037 },         /* 37 s down */
		{ "a", "unreachable", "parent a0 down", F + 7200 },
		{ "a", "up", "", F + 7200 + 600 },   /* 600 s unreachable */
		{ "a", "maintenance", "maintenance m", F + 86400 },
		{ "a", "up", "", F + 86400 + 1800 }, /* 30 min state maint */
		{ "a", "unknown", "slamond stopped", F + 2 * 86400 },
		{ "a", "up", "", F + 2 * 86400 + 90 }, /* 90 s unknown */
		{ "b", "up", "", F + 3600 },         /* unknown for 1 h */
		{ "b", "down", "", F + 10 * 86400 }, /* down to the end */
		{ "gone", "down", "", F },
	};

	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-sla-states"), 0);
	snprintf(path, sizeof(path), "%s/inventory.csv", dir);
	cr_assert_eq(write_file(path, "unit,name,address,role,parent,profile\n"
				      "u,a,10.0.0.1,access,,p\n"
				      "u,b,10.0.0.2,access,,p\n"
				      "u,c,10.0.0.3,access,,p\n"),
		     0);
	snprintf(path, sizeof(path), "%s/slamon.conf", dir);
	cr_assert_eq(write_file(path, "[general]\n"
				      "inventory = inventory.csv\n"
				      "storage_dir = data\n"
				      "timezone = Asia/Shanghai\n"
				      "[profile p]\n"
				      "version = 2c\n"
				      "community = public\n"
				      "[maintenance m]\n"
				      "scope = device:a\n"
				      "start = 2026-10-02 00:15\n"
				      "end = 2026-10-02 01:00\n"),
		     0);
	cr_assert_eq(config_load(path, &cfg, &d), 0, "config: %s",
		     d.n ? d.msgs[0] : "?");
	diag_destroy(&d);
	cr_assert_eq(storage_mkdir_p(cfg->storage_dir), 0);
	cr_assert_eq(journal_open(alerts_config(cfg)->journal, &j, err,
				  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_state_record_many(j, v, sizeof(v) / sizeof(v[0]),
					       err, sizeof(err)),
		     0, "%s", err);
	journal_close(j);

	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_evaluate(cfg, &p, SYN_TO + 3600, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	{
		const struct sla_avail *a = &r->avail[0], *b = &r->avail[1],
				       *c = &r->avail[2];

		/* maintenance: 00:00-00:30 as state, the window 00:15-01:00:
		 * one hour */
		cr_assert_eq(a->maint_s, 3600, "%f", a->maint_s);
		cr_assert_eq(a->down_s, 637, "%f", a->down_s);
		cr_assert_eq(a->unreach_s, 600);
		cr_assert_eq(a->unknown_s, 90);
		cr_assert_eq(a->up_s, SYN_T - 3600 - 637 - 90);
		cr_assert_eq(a->known_s, SYN_T - 90);
		cr_assert_eq(a->changes, 8);
		cr_assert(a->seen_up && a->has_states);
		cr_assert_eq(b->unknown_s, 3600);
		cr_assert_eq(b->up_s, 10 * 86400.0 - 3600);
		cr_assert_eq(b->down_s, SYN_T - 10 * 86400.0);
		cr_assert_eq(c->unknown_s, SYN_T);
		cr_assert(!c->seen_up && !c->has_states);
	}
	sla_result_destroy(r);
	/* evaluated mid-month: the last state lasts to the last whole 5
	 * minutes, not beyond */
	cr_assert_eq(sla_evaluate(cfg, &p, F + 11 * 86400.0 + 299, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(r->avail[1].down_s, 86400.0);
	cr_assert_eq(r->avail[1].buckets, 11 * 288);
	sla_result_destroy(r);
	config_destroy(cfg);
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(dir);
}
