/*
 * test_timezone.c - every time a user reads is in [general] timezone, not
 * the host's: the host here is UTC (TZ=UTC), the configuration says
 * Asia/Shanghai (+08:00). One-off maintenance windows are read in the
 * configured zone, weekly windows open on the configured zone's day and
 * hour once slamond applied it, notifications print its times, and
 * `slamon faults` prints and cuts months in it.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>

#include "agents.h"
#include "alerts/config.h"
#include "alerts/engine.h"
#include "alerts/notify.h"
#include "core/config.h"
#include "core/tz.h"
#include "modules/modules.h"
#include "storage/journal.h"

/* 2026-10-20 00:00 +08:00 = 2026-10-19 16:00 UTC (a Tuesday in
 * Shanghai, a Monday in UTC) */
#define T_LOCAL_MIDNIGHT 1792425600.0

static char dir[4096], conf[4200];
static struct config *cfg;

static void setup(void)
{
	char path[4300];
	struct diag d = { 0 };

	setenv("TZ", "UTC", 1);
	tzset();
	cr_assert_eq(modules_register(), 0);
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-tz-"), 0);
	snprintf(path, sizeof(path), "%s/inventory.csv", dir);
	cr_assert_eq(write_file(path, "unit,name,address,role,parent,profile\n"
				      "区教育局,ap-1,10.1.0.1,access,,p\n"),
		     0);
	snprintf(conf, sizeof(conf), "%s/slamon.conf", dir);
	cr_assert_eq(write_file(conf, "[general]\n"
				      "inventory = inventory.csv\n"
				      "storage_dir = data\n"
				      "[profile p]\n"
				      "version = 2c\n"
				      "community = public\n"
				      "[maintenance once]\n"
				      "scope = device:ap-1\n"
				      "start = 2026-10-20 00:00\n"
				      "end = 2026-10-20 06:00\n"
				      "[maintenance weekly]\n"
				      "scope = device:ap-1\n"
				      "days = tue\n"
				      "at = 22:00\n"
				      "duration = 60\n"
				      /* after the windows: read at the end */
				      "[general]\n"
				      "timezone = Asia/Shanghai\n"),
		     0);
	cr_assert_eq(config_load(conf, &cfg, &d), 0, "%s",
		     d.n ? d.msgs[0] : "?");
	diag_destroy(&d);
	/* loading does not change the process's zone */
	cr_assert_str_eq(getenv("TZ"), "UTC");
}

static void teardown(void)
{
	config_destroy(cfg);
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(dir);
}

TestSuite(timezone, .init = setup, .fini = teardown, .timeout = 60);

Test(timezone, one_off_window_is_read_in_the_configured_zone)
{
	size_t n;
	struct maint_cfg *m = alerts_maints(cfg, &n);

	cr_assert_eq(n, 2);
	cr_assert_str_eq(m[0].name, "once");
	cr_assert_eq(m[0].start_t, T_LOCAL_MIDNIGHT, "start %.0f",
		     m[0].start_t);
	cr_assert_eq(m[0].end_t, T_LOCAL_MIDNIGHT + 6 * 3600);
	cr_assert(alerts_in_maintenance(cfg, 0, T_LOCAL_MIDNIGHT + 60));
	cr_assert(!alerts_in_maintenance(cfg, 0, T_LOCAL_MIDNIGHT - 60));
}

Test(timezone, weekly_window_follows_the_applied_zone)
{
	/* Tuesday 22:30 in Shanghai = Tuesday 14:30 UTC */
	double tue_2230 = T_LOCAL_MIDNIGHT + 22.5 * 3600;

	cr_assert_eq(tz_apply(cfg->timezone), 0);
	cr_assert(alerts_in_maintenance(cfg, 0, tue_2230));
	/* Tuesday 22:30 UTC is Wednesday 06:30 in Shanghai */
	cr_assert(!alerts_in_maintenance(cfg, 0, tue_2230 + 8 * 3600));
	cr_assert_eq(tz_apply("No/Such_Zone"), -EINVAL);
	cr_assert_str_eq(getenv("TZ"), "Asia/Shanghai");
}

Test(timezone, notification_prints_the_configured_zone)
{
	struct alert_event ev;
	char text[1024];

	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_OPEN;
	ev.fault.id = 7;
	snprintf(ev.fault.object, sizeof(ev.fault.object), "ap-1");
	snprintf(ev.fault.kind, sizeof(ev.fault.kind), "down");
	snprintf(ev.fault.severity, sizeof(ev.fault.severity), "major");
	ev.fault.first_fail_t = T_LOCAL_MIDNIGHT - 120;
	ev.fault.detect_t = T_LOCAL_MIDNIGHT;
	ev.fault.deadline_t = T_LOCAL_MIDNIGHT + 1800;
	cr_assert_eq(tz_apply(cfg->timezone), 0); /* as slamond does */
	notify_format_text(&ev, text, sizeof(text));
	cr_assert(strstr(text, "检测 2026-10-20 00:00:00") != NULL, "%s",
		  text);
	cr_assert(strstr(text, "响应期限 2026-10-20 00:30:00") != NULL, "%s",
		  text);
}

/* A fault opened at FROM_LOCAL + off, so that its month differs between
 * UTC and Shanghai. */
static void open_fault(struct journal *j, const char *obj, double t)
{
	struct fault f;
	char err[256];
	int64_t id;

	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), "%s", obj);
	snprintf(f.object_kind, sizeof(f.object_kind), "device");
	snprintf(f.kind, sizeof(f.kind), "down");
	snprintf(f.severity, sizeof(f.severity), "major");
	f.first_fail_t = f.detect_t = t;
	f.deadline_t = t + 1800;
	cr_assert_eq(journal_fault_open(j, &f, &id, NULL, err, sizeof(err)),
		     0, "%s", err);
}

Test(timezone, slamon_faults_prints_and_cuts_months_in_the_configured_zone)
{
	char path[4400], store[4300], err[256], out[8192];
	struct journal *j = NULL;
	/* 2026-10-01 01:00 in Shanghai, still September 30th in UTC */
	double oct1 = 1790784000.0 + 3600;
	char *argv[] = { SLAMON_PROGRAM, "faults", "-c", conf, "--month",
			 "2026-10", NULL };
	char *argv_j[] = { SLAMON_PROGRAM, "faults", "-c", conf, "--journal",
			   path, NULL };

	snprintf(store, sizeof(store), "%s/data", dir);
	cr_assert_eq(mkdir(store, 0755), 0);
	snprintf(path, sizeof(path), "%s/faults.db", store);
	cr_assert_eq(journal_open(path, &j, err, sizeof(err)), 0, "%s", err);
	open_fault(j, "ap-1", oct1);
	journal_close(j);
	cr_assert_eq(run_cmd(argv, out, sizeof(out), 30), 0, "%s", out);
	cr_assert(strstr(out, "2026-10-01 01:00") != NULL, "%s", out);
	cr_assert(strstr(out, "ap-1") != NULL, "%s", out);
	/* --journal given: the configuration still gives the zone */
	cr_assert_eq(run_cmd(argv_j, out, sizeof(out), 30), 0, "%s", out);
	cr_assert(strstr(out, "2026-10-01 01:00") != NULL, "%s", out);
	cr_assert(strstr(out, "2026-09-30 17:00") == NULL, "%s", out);
}
