/*
 * test_service_alerts.c - availability of [service] sections on a fake
 * clock (alerts/service.h): down after down_after failed checks with the
 * check's reason, recovery, slow for slow_for, certificate expiring, no
 * duplicate after a restart; the journal's state rows and the exact
 * availability sla/ computes from them (sla/service_avail.h).
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents.h"
#include "alerts/service.h"
#include "core/config.h"
#include "modules/modules.h"
#include "sla/service_avail.h"
#include "storage/journal.h"

static char dir[4096];
static struct diag d;
static struct config *cfg;
static struct journal *j;
static struct svc_alerts *e;
static int nopen, nresolve;

static void on_event(void *arg, const struct alert_event *ev)
{
	(void)arg;
	nopen += ev->type == AEV_OPEN;
	nresolve += ev->type == AEV_RESOLVE;
}

static void setup(void)
{
	char p[4200], err[256];

	cr_assert_eq(modules_register(), 0);
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-svcal-"), 0);
	memset(&d, 0, sizeof(d));
	snprintf(p, sizeof(p), "%s/inv.csv", dir);
	cr_assert_eq(write_file(p, "unit,name,address,role,parent,profile,"
				   "interfaces,capacity_mbps,tags\n"),
		     0);
	snprintf(p, sizeof(p), "%s/c.conf", dir);
	cr_assert_eq(write_file(p,
		"[general]\ninventory = inv.csv\nstorage_dir = data\n"
		"[service miniprogram]\ntype = https\n"
		"url = https://127.0.0.1:8443/\ndown_after = 3\n"
		"slow_ms = 500\nslow_for = 120\ncert_warn_days = 14\n"
		"severity = critical\n"
		"[service sms]\ntype = tcp\ntarget = 127.0.0.1:2775\n"
		"down_after = 1\nup_after = 2\n"),
		     0);
	cr_assert_eq(config_load(p, &cfg, &d), 0);
	snprintf(p, sizeof(p), "%s/j.db", dir);
	cr_assert_eq(journal_open(p, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(svc_alerts_create(cfg, j, on_event, NULL, &e), 0);
	nopen = nresolve = 0;
}

static void teardown(void)
{
	svc_alerts_destroy(e);
	journal_close(j);
	config_destroy(cfg);
	diag_destroy(&d);
	tmpdir_remove(dir);
}

TestSuite(service_alerts, .init = setup, .fini = teardown, .timeout = 30);

static void check(size_t i, int ok, const char *reason, double ms,
		  double cert, double t)
{
	struct svc_check_result r = { ok, reason, ms, cert, "Dec 17 2026",
				      t };

	svc_alerts_result(e, i, &r);
}

static struct fault *active(size_t *ret_n)
{
	struct fault_query q = { .filter = JQ_ACTIVE };
	struct fault *fs;
	char err[256];

	cr_assert_eq(journal_fault_list(j, &q, &fs, ret_n, err, sizeof(err)),
		     0);
	return fs;
}

Test(service_alerts, down_after_n_failed_checks_with_the_reason_then_up)
{
	struct svc_view v;
	struct fault *fs;
	struct sla_svc_time st;
	size_t n;
	char err[256];

	check(0, 1, "", 80, 30, 1000); /* unknown -> up at 1000 */
	check(0, 0, "HTTP 500", NAN, NAN, 1060);
	check(0, 0, "HTTP 500", NAN, NAN, 1120);
	svc_alerts_view(e, 0, &v);
	cr_assert_eq(v.state, OBJ_UP, "two failures are not an outage");
	cr_assert_eq(nopen, 0);
	check(0, 0, "timeout after 10 s (waiting for the answer)", NAN, NAN,
	      1180);
	svc_alerts_view(e, 0, &v);
	cr_assert_eq(v.state, OBJ_DOWN);
	cr_assert_eq(v.since, 1060, "the outage starts at its first failure");
	cr_assert_gt(v.fault_down, 0);
	fs = active(&n);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(fs[0].object, "miniprogram");
	cr_assert_str_eq(fs[0].object_kind, "service");
	cr_assert_str_eq(fs[0].kind, "down");
	cr_assert_str_eq(fs[0].severity, "critical");
	cr_assert_str_eq(fs[0].detail,
			 "timeout after 10 s (waiting for the answer)");
	cr_assert_eq(fs[0].first_fail_t, 1060);
	cr_assert_eq(fs[0].detect_t, 1180);
	free(fs);
	check(0, 0, "HTTP 500", NAN, NAN, 1240);
	cr_assert_eq(nopen, 1, "one outage, one fault");
	check(0, 1, "", 90, 30, 1300);
	svc_alerts_view(e, 0, &v);
	cr_assert_eq(v.state, OBJ_UP);
	cr_assert_eq(v.fault_down, 0);
	cr_assert_eq(nresolve, 1);
	fs = active(&n);
	cr_assert_eq(n, 0);
	free(fs);
	/* [900, 1400): unknown 100 s, up 60 + 100 s, down 240 s */
	cr_assert_eq(sla_service_time(j, "miniprogram", 900, 1400, &st, err,
				      sizeof(err)),
		     0, "%s", err);
	cr_assert_float_eq(st.unknown_s, 100, 1e-6);
	cr_assert_float_eq(st.up_s, 160, 1e-6);
	cr_assert_float_eq(st.down_s, 240, 1e-6);
	cr_assert_eq(st.outages, 1);
	/* a range inside the outage: all down, none counted as starting */
	cr_assert_eq(sla_service_time(j, "miniprogram", 1100, 1200, &st, err,
				      sizeof(err)),
		     0);
	cr_assert_float_eq(st.down_s, 100, 1e-6);
	cr_assert_eq(st.up_s + st.unknown_s, 0);
	/* another service's rows do not count */
	cr_assert_eq(sla_service_time(j, "sms", 900, 1400, &st, err,
				      sizeof(err)),
		     0);
	cr_assert_float_eq(st.unknown_s, 500, 1e-6);
}

Test(service_alerts, up_after_two_good_checks_resolves_at_the_first)
{
	struct fault_query q = { .filter = JQ_ALL };
	struct fault *fs;
	size_t n;
	char err[256];

	check(1, 0, "TCP: connection refused", NAN, NAN, 100);
	cr_assert_eq(nopen, 1, "down_after = 1");
	check(1, 1, "", 1, NAN, 160);
	cr_assert_eq(nresolve, 0, "up_after = 2");
	check(1, 1, "", 1, NAN, 220);
	cr_assert_eq(nresolve, 1);
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(fs[0].resolved_t, 160);
	free(fs);
}

Test(service_alerts, slow_for_a_while_and_certificate_expiring)
{
	struct fault *fs;
	struct svc_view v;
	size_t n;

	check(0, 1, "", 600, 30, 1000);
	check(0, 1, "", 700, 30, 1060);
	cr_assert_eq(nopen, 0, "slow for 60 s of 120");
	check(0, 1, "", 650, 30, 1120);
	cr_assert_eq(nopen, 1);
	check(0, 1, "", 650, 9.5, 1180);
	cr_assert_eq(nopen, 2);
	fs = active(&n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(fs[0].kind, "slow");
	cr_assert_str_eq(fs[0].severity, "warning");
	cr_assert_eq(fs[0].first_fail_t, 1000, "slow since its first slow check");
	cr_assert_str_eq(fs[1].kind, "cert");
	cr_assert(strstr(fs[1].detail, "certificate expires in 9.5 days") !=
		  NULL, "%s", fs[1].detail);
	free(fs);
	svc_alerts_view(e, 0, &v);
	cr_assert_eq(v.state, OBJ_UP, "slow and expiring is still up");
	check(0, 1, "", 100, 9.4, 1240);
	cr_assert_eq(nresolve, 1, "fast again: slow resolved");
	cr_assert_eq(nopen, 2, "the certificate fault is not opened twice");
	check(0, 1, "", 100, 365, 1300);
	cr_assert_eq(nresolve, 2, "a renewed certificate resolves it");
	/* slow again, but the check fails: no slow fault from failures */
	check(0, 0, "HTTP 502", NAN, NAN, 1360);
	fs = active(&n);
	cr_assert_eq(n, 0);
	free(fs);
}

Test(service_alerts, restart_adopts_the_open_fault_and_drops_gone_services)
{
	struct svc_alerts *e2;
	struct fault *fs;
	size_t n;
	char err[256];
	struct fault f = { 0 };
	int64_t id;
	int created;

	check(1, 0, "TCP: connection refused", NAN, NAN, 100);
	/* a fault of a service no longer configured */
	snprintf(f.object, sizeof(f.object), "oldsvc");
	snprintf(f.object_kind, sizeof(f.object_kind), "service");
	snprintf(f.kind, sizeof(f.kind), "down");
	snprintf(f.severity, sizeof(f.severity), "major");
	f.first_fail_t = f.detect_t = 50;
	f.deadline_t = 500;
	cr_assert_eq(journal_fault_open(j, &f, &id, &created, err,
					sizeof(err)),
		     0);
	cr_assert_eq(svc_alerts_create(cfg, j, on_event, NULL, &e2), 0);
	cr_assert_eq(svc_alerts_reconcile(e2, 150, err, sizeof(err)), 0, "%s",
		     err);
	fs = active(&n);
	cr_assert_eq(n, 1, "oldsvc resolved, sms kept");
	cr_assert_str_eq(fs[0].object, "sms");
	free(fs);
	{
		struct svc_check_result r = { 0, "TCP: connection refused",
					      NAN, NAN, "", 160 };

		svc_alerts_result(e2, 1, &r);
	}
	fs = active(&n);
	cr_assert_eq(n, 1, "no duplicate after the restart");
	free(fs);
	{
		struct svc_check_result r = { 1, "", 1, NAN, "", 220 };

		svc_alerts_result(e2, 1, &r);
		r.t = 280;
		svc_alerts_result(e2, 1, &r);
	}
	fs = active(&n);
	cr_assert_eq(n, 0, "resolved by the new engine");
	free(fs);
	svc_alerts_destroy(e2);
}
