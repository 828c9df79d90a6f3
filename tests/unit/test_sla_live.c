/*
 * test_sla_live.c - the month's budget (sla/live.c): a synthetic October
 * 2026 (Asia/Shanghai) of three access points with a known outage and a
 * known gap, and faults with known response times, evaluated at a fixed
 * "now" (2026-10-11 00:00 local, 240 of the month's 744 hours): the value
 * so far, the projection, the budget left and what a count still needs
 * must be exactly the hand-computed numbers.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"
#include "core/config.h"
#include "modules/modules.h"
#include "sla/live.h"
#include "storage/journal.h"
#include "storage/rrdstore.h"

/* 2026-10-01 00:00 +08:00 */
#define FROM 1790784000.0
#define H 3600.0
#define D 86400.0
#define NOW (FROM + 10 * D)

static char dir[4096];
static struct config *cfg;

/* ap-1 down 2026-10-03 08:00..14:00 (6 h); ap-2 no rows 2026-10-05
 * 00:00..02:00 (2 h without data); ap-3 always up. */
static int row_of(int dev, double t, double *reach)
{
	if (dev == 1 && t > FROM + 4 * D && t <= FROM + 4 * D + 2 * H)
		return 0;
	*reach = dev == 0 && t > FROM + 2 * D + 8 * H &&
				 t <= FROM + 2 * D + 14 * H
			 ? 0
			 : 1;
	return 1;
}

static void write_rrd(const char *store)
{
	static const char *const devs[] = { "ap-1", "ap-2", "ap-3" };
	size_t cap = (size_t)((NOW + H - (FROM - H)) / 60) + 1;
	time_t *ts = calloc(cap, sizeof(*ts));
	double *v = calloc(cap * 2, sizeof(*v));
	char err[256];

	cr_assert(ts != NULL && v != NULL);
	for (int d = 0; d < 3; d++) {
		struct rrd_batch b = { .layout = STORAGE_LAYOUT_DEVICE,
				       .device = devs[d] };
		size_t n = 0;

		for (double t = FROM - H; t <= NOW + H; t += 60) {
			double reach;

			if (!row_of(d, t, &reach))
				continue;
			ts[n] = (time_t)t;
			v[2 * n] = reach;
			v[2 * n + 1] = reach > 0 ? 2.0 : NAN;
			n++;
		}
		b.t = ts;
		b.v = v;
		b.nrows = n;
		cr_assert_eq(storage_rrd_batch_write(store, &b, 1, err,
						     sizeof(err)),
			     0, "%s", err);
	}
	free(ts);
	free(v);
}

/* A fault detected at FROM + det, acknowledged ack seconds later (0:
 * never); the response window is 30 minutes. */
static void fault(struct journal *j, const char *obj, double det, double ack)
{
	struct fault f;
	char err[256];
	int64_t id;

	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), "%s", obj);
	snprintf(f.object_kind, sizeof(f.object_kind), "device");
	snprintf(f.kind, sizeof(f.kind), "down");
	snprintf(f.severity, sizeof(f.severity), "major");
	f.first_fail_t = FROM + det - 60;
	f.detect_t = FROM + det;
	f.deadline_t = FROM + det + 1800;
	cr_assert_eq(journal_fault_open(j, &f, &id, NULL, err, sizeof(err)),
		     0, "%s", err);
	if (ack > 0)
		cr_assert_eq(journal_fault_ack(j, id, FROM + det + ack, "值班员",
					       NULL, err, sizeof(err)),
			     0, "%s", err);
	if (ack > 0) /* resolved, so the next fault of obj is a new one */
		cr_assert_eq(journal_fault_resolve(j, id, FROM + det + ack + 60,
						   err, sizeof(err)),
			     0, "%s", err);
}

static void setup(void)
{
	char path[4400], store[4300], err[256];
	struct journal *j = NULL;
	struct diag dg = { 0 };

	cr_assert_eq(modules_register(), 0);
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-live-"), 0);
	snprintf(path, sizeof(path), "%s/inventory.csv", dir);
	cr_assert_eq(write_file(path,
				"unit,name,address,role,parent,profile\n"
				"区教育局,ap-1,10.1.0.1,access,,p\n"
				"区民政局,ap-2,10.1.0.2,access,,p\n"
				"区卫生健康局,ap-3,10.1.0.3,access,,p\n"),
		     0);
	snprintf(path, sizeof(path), "%s/slamon.conf", dir);
	cr_assert_eq(write_file(path, "[general]\n"
				      "inventory = inventory.csv\n"
				      "storage_dir = data\n"
				      "timezone = Asia/Shanghai\n"
				      "[profile p]\n"
				      "version = 2c\n"
				      "community = public\n"
				      "[indicator unit_connectivity]\n"
				      "target = 99\n"
				      "[indicator access_points]\n"
				      "target = 4\n"
				      "[indicator fault_response]\n"
				      "comparator = >=\n"
				      "target = 80\n"),
		     0);
	snprintf(store, sizeof(store), "%s/data", dir);
	cr_assert_eq(storage_mkdir_p(store), 0);
	write_rrd(store);
	snprintf(path, sizeof(path), "%s/faults.db", store);
	cr_assert_eq(journal_open(path, &j, err, sizeof(err)), 0, "%s", err);
	/* the same month as state intervals (availability is read from the
	 * journal's state log: docs/sla.md) */
	{
		static const struct {
			const char *obj, *state;
			double t;
		} st[] = {
			{ "ap-1", "up", FROM - H },
			{ "ap-1", "down", FROM + 2 * D + 8 * H },
			{ "ap-1", "up", FROM + 2 * D + 14 * H },
			{ "ap-2", "up", FROM - H },
			{ "ap-2", "unknown", FROM + 4 * D },
			{ "ap-2", "up", FROM + 4 * D + 2 * H },
			{ "ap-3", "up", FROM - H },
		};

		for (size_t k = 0; k < sizeof(st) / sizeof(st[0]); k++)
			cr_assert_eq(journal_state_record(j, st[k].obj,
							  st[k].state, "",
							  st[k].t, err,
							  sizeof(err)),
				     0, "%s", err);
	}
	/* ten faults: nine acknowledged within their window, one late */
	for (int i = 0; i < 9; i++)
		fault(j, "ap-1", 2 * D + i * H, 600);
	fault(j, "ap-2", 5 * D, 3600);
	/* detected 10 minutes before now, not acknowledged: pending */
	fault(j, "ap-3", 10 * D - 600, 0);
	/* an sla_breach warning, never acknowledged: not a fault of the
	 * network, the response rate does not count it */
	{
		struct fault f;
		int64_t id;

		memset(&f, 0, sizeof(f));
		snprintf(f.object, sizeof(f.object), "sla:unit_connectivity");
		snprintf(f.object_kind, sizeof(f.object_kind), "service");
		snprintf(f.kind, sizeof(f.kind), "sla-breach");
		snprintf(f.severity, sizeof(f.severity), "major");
		f.first_fail_t = f.detect_t = FROM + 3 * D;
		f.deadline_t = FROM + 3 * D + 1800;
		cr_assert_eq(journal_fault_open(j, &f, &id, NULL, err,
						sizeof(err)),
			     0, "%s", err);
	}
	journal_close(j);
	snprintf(path, sizeof(path), "%s/slamon.conf", dir);
	cr_assert_eq(config_load(path, &cfg, &dg), 0, "config: %s",
		     dg.n ? dg.msgs[0] : "?");
	diag_destroy(&dg);
}

static void teardown(void)
{
	config_destroy(cfg);
	cfg = NULL;
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(dir);
}

TestSuite(sla_live, .init = setup, .fini = teardown, .timeout = 120);

static const struct sla_live_value *find(const struct sla_live *l,
					 const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].v.ind.id, id) == 0)
			return &l->v[i];
	cr_assert_fail("no indicator %s", id);
	return NULL;
}

#define EXACT(a, b) cr_assert(fabs((a) - (b)) < 1e-9, "%s = %.12g, not %.12g", #a, (double)(a), (double)(b))

Test(sla_live, projection_of_a_month_with_a_known_outage_is_exact)
{
	struct sla_period p;
	struct sla_live *l = NULL;
	const struct sla_live_value *v;
	char err[256] = "";

	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_live_evaluate(cfg, &p, NOW, &l, err, sizeof(err)),
		     0, "%s", err);
	EXACT(l->elapsed_s, 240 * H);
	EXACT(l->period_s, 744 * H);

	/* 3 x 240 h elapsed, 6 h down (ap-1) and 2 h without data (ap-2):
	 * 712 / 720; at that rate the month ends at the same share */
	v = find(l, "unit_connectivity");
	cr_assert_eq(v->kind, SLA_LIVE_SHARE);
	EXACT(v->v.value, 712.0 / 720 * 100);
	EXACT(v->projected, 712.0 / 720 * 100);
	cr_assert_eq(v->projected_state, SLA_BREACHED);
	EXACT(v->margin, 712.0 / 720 * 100 - 99);
	/* 1 % of 3 x 744 device-hours may be lost: 22.32; 8 are */
	EXACT(v->budget_h, 22.32);
	EXACT(v->used_h, 8);
	EXACT(v->left_h, 14.32);
	/* no further outage: (712 + 3 x 504) / 2232 */
	EXACT(v->best, 2224.0 / 2232 * 100);
	cr_assert_eq(v->items, 3);

	/* 9 of 10 in time, one pending; >= 80 %: 9 / 11 still meets it,
	 * 9 / 12 does not */
	v = find(l, "fault_response");
	cr_assert_eq(v->kind, SLA_LIVE_RATIO);
	EXACT(v->v.value, 90);
	cr_assert_eq(v->n, 10);
	cr_assert_eq(v->ok, 9);
	cr_assert_eq(v->pending, 1);
	cr_assert_eq(v->late_allowed, 1);
	cr_assert_eq(v->one_more_late_breaches, 0);
	cr_assert_eq(v->projected_state, SLA_MET);

	/* three access points seen up, four wanted */
	v = find(l, "access_points");
	cr_assert_eq(v->kind, SLA_LIVE_COUNT);
	EXACT(v->v.value, 3);
	EXACT(v->needed, 1);
	cr_assert_eq(v->projected_state, SLA_BREACHED);
	sla_live_destroy(l);
}

Test(sla_live, a_stricter_target_exhausts_the_budget_and_one_late_breaches)
{
	struct sla_period p;
	struct sla_live *l = NULL;
	const struct sla_live_value *v;
	struct indicator *ind;
	size_t n;
	char err[256] = "";

	ind = sla_indicators(cfg, &n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ind[i].id, "unit_connectivity") == 0)
			ind[i].target = 99.9; /* 2.232 device-hours */
		if (strcmp(ind[i].id, "fault_response") == 0)
			ind[i].target = 90; /* 9 / 11 < 90 % */
	}
	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_live_evaluate(cfg, &p, NOW, &l, err, sizeof(err)),
		     0, "%s", err);
	v = find(l, "unit_connectivity");
	EXACT(v->budget_h, 2.232);
	EXACT(v->left_h, 2.232 - 8);
	v = find(l, "fault_response");
	cr_assert_eq(v->late_allowed, 0);
	cr_assert_eq(v->one_more_late_breaches, 1);
	cr_assert_eq(v->projected_state, SLA_MET);
	sla_live_destroy(l);
}

/* Reports made final for January to September: on October 11th the
 * October report cannot exist yet, so the projection counts it and the
 * pro-rated target (10) is met; one is still needed. */
Test(sla_live, report_count_counts_the_report_of_the_running_month)
{
	struct sla_period p;
	struct sla_live *l = NULL;
	const struct sla_live_value *v;
	char err[256] = "", month[16];

	for (int m = 1; m <= 9; m++) {
		snprintf(month, sizeof(month), "2026-%02d", m);
		cr_assert_eq(sla_report_record(cfg, month, FROM, "x.sha256",
					       err, sizeof(err)),
			     0, "%s", err);
	}
	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_live_evaluate(cfg, &p, NOW, &l, err, sizeof(err)),
		     0, "%s", err);
	v = find(l, "monthly_reports");
	cr_assert_eq(v->kind, SLA_LIVE_COUNT);
	EXACT(v->v.value, 9);
	EXACT(v->v.target, 10);
	cr_assert_eq(v->v.state, SLA_BREACHED);
	EXACT(v->projected, 10);
	cr_assert_eq(v->projected_state, SLA_MET);
	EXACT(v->needed, 1);
	sla_live_destroy(l);
}

Test(sla_live, json_has_the_overview_shape)
{
	struct sla_period p;
	struct sla_live *l = NULL;
	json_t *o, *a, *e = NULL, *b;
	char err[256] = "";
	size_t i;

	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_live_evaluate(cfg, &p, NOW, &l, err, sizeof(err)),
		     0, "%s", err);
	o = sla_live_json(l);
	cr_assert_not_null(o);
	cr_assert_str_eq(json_string_value(json_object_get(o, "period")),
			 "2026-10");
	EXACT(json_real_value(json_object_get(o, "elapsed_share")),
	      240.0 / 744);
	a = json_object_get(o, "indicators");
	json_array_foreach(a, i, e)
		if (strcmp(json_string_value(json_object_get(e, "id")),
			   "unit_connectivity") == 0)
			break;
	cr_assert_lt(i, json_array_size(a));
	cr_assert_str_eq(json_string_value(json_object_get(e, "kind")),
			 "share");
	cr_assert_str_eq(
		json_string_value(json_object_get(e, "projected_state")),
		"breached");
	b = json_object_get(e, "budget");
	EXACT(json_real_value(json_object_get(b, "left_h")), 14.32);
	cr_assert(json_is_false(json_object_get(b, "exhausted")));
	json_decref(o);
	sla_live_destroy(l);
}

/* The commands on the same month: `slamon sla --live --json` and
 * `slamon sla --year` (JSON, CSV) with --now. */
static json_t *run_json(char **argv)
{
	static char out[1 << 20];
	json_error_t je;
	json_t *o;
	int rc = run_cmd(argv, out, sizeof(out), 120);

	cr_assert(rc == 0 || rc == 1, "exit %d: %s", rc, out);
	o = json_loads(out, 0, &je);
	cr_assert_not_null(o, "%s: %s", je.text, out);
	return o;
}

static json_t *indicator(json_t *inds, const char *id)
{
	size_t i;
	json_t *e;

	json_array_foreach(inds, i, e)
		if (strcmp(json_string_value(json_object_get(e, "id")), id) ==
		    0)
			return e;
	cr_assert_fail("no %s", id);
	return NULL;
}

Test(sla_live, commands_live_and_year)
{
	char conf[4300], now[32], out[1 << 16];
	json_t *o, *e, *m;

	snprintf(conf, sizeof(conf), "%s/slamon.conf", dir);
	snprintf(now, sizeof(now), "%.0f", NOW);
	{
		char *argv[] = { SLAMON_PROGRAM, "sla", "-c", conf, "--live",
				 "--json", "--now", now, NULL };

		o = run_json(argv);
		e = indicator(json_object_get(o, "indicators"),
			      "unit_connectivity");
		EXACT(json_real_value(json_object_get(
			      json_object_get(e, "budget"), "left_h")),
		      14.32);
		json_decref(o);
	}
	{
		char *argv[] = { SLAMON_PROGRAM, "sla", "-c", conf, "--year",
				 "2026", "--json", "--now", now, NULL };

		o = run_json(argv);
		cr_assert_eq(json_array_size(json_object_get(o, "months")), 12);
		e = indicator(json_object_get(o, "indicators"),
			      "unit_connectivity");
		m = json_object_get(e, "months");
		/* October as `slamon sla --month 2026-10` has it; November
		 * has not begun */
		EXACT(json_real_value(json_object_get(json_array_get(m, 9),
						      "value")),
		      712.0 / 720 * 100);
		cr_assert_str_eq(json_string_value(json_object_get(
					 json_array_get(m, 9), "state")),
				 "breached");
		cr_assert(json_is_null(json_array_get(m, 10)));
		cr_assert(json_is_object(json_object_get(e, "year")));
		json_decref(o);
	}
	{
		char *argv[] = { SLAMON_PROGRAM, "sla", "-c", conf, "--year",
				 "2026", "--csv", "--now", now, NULL };
		int rc = run_cmd(argv, out, sizeof(out), 120);

		cr_assert(rc == 0 || rc == 1, "exit %d: %s", rc, out);
		cr_assert(strncmp(out, "\xEF\xBB\xBF" "id,", 6) == 0, "%s", out);
		cr_assert(strstr(out, "2026-09,2026-10,2026-11,2026-12,") !=
				  NULL,
			  "%s", out);
		/* 98.89 in October, nothing in November and December */
		cr_assert(strstr(out, ",98.89,,,") != NULL, "%s", out);
	}
}
