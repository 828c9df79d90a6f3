/*
 * test_sla_draft.c - last month's draft on the 1st (sla/draft.h) on a
 * fixed clock, the host in UTC and [general] timezone Asia/Shanghai: the
 * [sla] keys, when a draft is due (from the 1st at draft_at local time for
 * a day, once: not after its manifest exists), the draft written with its
 * manifest and summary, and the notice reaching only the notifiers whose
 * events list "report".
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"
#include "alerts/notify.h"
#include "core/config.h"
#include "modules/modules.h"
#include "sla/draft.h"
#include "sla/sla.h"

/* 2026-12-01 00:00 +08:00 */
#define DEC1 1796054400.0
#define H 3600.0

static char dir[4096];
static struct config *cfg;

static int load(const char *extra, struct config **ret, struct diag *d)
{
	char path[4300], text[12000];

	snprintf(path, sizeof(path), "%s/inventory.csv", dir);
	cr_assert_eq(write_file(path, "unit,name,address,role,parent,profile\n"
				      "区教育局,ap-1,10.1.0.1,access,,p\n"),
		     0);
	snprintf(text, sizeof(text),
		 "[general]\n"
		 "inventory = inventory.csv\n"
		 "storage_dir = data\n"
		 "timezone = Asia/Shanghai\n"
		 "[profile p]\n"
		 "version = 2c\n"
		 "community = public\n"
		 "%s",
		 extra);
	snprintf(path, sizeof(path), "%s/slamon.conf", dir);
	cr_assert_eq(write_file(path, text), 0);
	return config_load(path, ret, d);
}

static void setup(void)
{
	struct diag d = { 0 };

	setenv("TZ", "UTC", 1);
	tzset();
	cr_assert_eq(modules_register(), 0);
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-draft-"), 0);
	cr_assert_eq(load("[sla]\ndraft_at = 08:00\n", &cfg, &d), 0, "%s",
		     d.n ? d.msgs[0] : "?");
	diag_destroy(&d);
}

static void teardown(void)
{
	config_destroy(cfg);
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(dir);
}

TestSuite(sla_draft, .init = setup, .fini = teardown, .timeout = 120);

Test(sla_draft, keys_defaults_and_errors)
{
	struct config *c2 = NULL;
	struct diag d = { 0 };
	char want[4300];

	cr_assert_eq(sla_cfg(cfg)->draft_min, 8 * 60);
	snprintf(want, sizeof(want), "%s/data/reports", dir);
	cr_assert_str_eq(sla_cfg(cfg)->draft_dir, want);
	cr_assert_eq(load("", &c2, &d), 0);
	cr_assert_eq(sla_cfg(c2)->draft_min, -1); /* no draft by default */
	config_destroy(c2);
	diag_destroy(&d);
	memset(&d, 0, sizeof(d));
	cr_assert_neq(load("[sla]\ndraft_at = 24:00\n", &c2, &d), 0);
	cr_assert_eq(d.n, 1);
	cr_assert(strstr(d.msgs[0], "slamon.conf:9: key 'draft_at' in "
				    "[sla]: '24:00' is not HH:MM") != NULL,
		  "%s", d.msgs[0]);
	diag_destroy(&d);
}

Test(sla_draft, due_on_the_first_at_draft_at_local_time)
{
	struct sla_period p;

	/* 07:59 in Shanghai (23:59 UTC on November 30th): not yet */
	cr_assert_eq(sla_draft_due(cfg, DEC1 + 8 * H - 60, &p), 0);
	cr_assert_eq(sla_draft_due(cfg, DEC1 + 8 * H, &p), 1);
	cr_assert_str_eq(p.label, "2026-11");
	cr_assert_eq(p.to, DEC1);
	cr_assert_eq(sla_draft_due(cfg, DEC1 + 31 * H, &p), 1);
	/* the 2nd at 08:00: the day is over */
	cr_assert_eq(sla_draft_due(cfg, DEC1 + 32 * H, &p), 0);
	/* mid-month: nothing */
	cr_assert_eq(sla_draft_due(cfg, DEC1 + 14 * 24 * H, &p), 0);
	/* January 1st: December of the year before */
	cr_assert_eq(sla_draft_due(cfg, DEC1 + 31 * 24 * H + 9 * H, &p), 1);
	cr_assert_str_eq(p.label, "2026-12");
}

Test(sla_draft, written_once_with_its_manifest_and_summary)
{
	struct sla_period p;
	struct sla_draft dr;
	char path[4400], err[512] = "";

	cr_assert_eq(sla_draft_due(cfg, DEC1 + 8 * H, &p), 1);
	cr_assert_eq(sla_draft_write(cfg, &p, DEC1 + 8 * H, &dr, err,
				     sizeof(err)),
		     0, "%s", err);
	snprintf(path, sizeof(path), "%s/slamon-2026-11.html",
		 sla_cfg(cfg)->draft_dir);
	cr_assert_eq(access(path, R_OK), 0, "%s", path);
	snprintf(path, sizeof(path), "%s/slamon-2026-11.sha256",
		 sla_cfg(cfg)->draft_dir);
	cr_assert_eq(access(path, R_OK), 0, "%s", path);
	cr_assert_str_eq(dr.month, "2026-11");
	/* every indicator is one of the three */
	cr_assert_eq(dr.met + dr.missed + dr.nodata, 10);
	cr_assert_eq(dr.reasons_missing, dr.missed + dr.nodata);
	cr_assert(strstr(dr.text, "2026-11 月报草稿已生成") != NULL, "%s",
		  dr.text);
	cr_assert(strstr(dr.text, "slamon-2026-11.html") != NULL);
	/* written: no longer due (a restart on the 1st writes nothing) */
	cr_assert_eq(sla_draft_due(cfg, DEC1 + 9 * H, &p), 0);
	/* a draft does not count as a produced report */
	{
		size_t n = 99;

		cr_assert_eq(sla_report_count(cfg, 2026, 11, &n), 0);
		cr_assert_eq(n, 0);
	}
}

/* A notice goes to the notifiers whose events list "report" only. */
Test(sla_draft, notice_reaches_the_report_readers_only)
{
	struct config *c2 = NULL;
	struct diag d = { 0 };
	struct notifier *n = NULL;
	struct alert_event ev;
	char conf[10000], out[4400], err[256], buf[2048] = "";
	FILE *f;

	snprintf(out, sizeof(out), "%s/notices.txt", dir);
	snprintf(conf, sizeof(conf),
		 "[notifier readers]\n"
		 "type = command\n"
		 "events = report\n"
		 "command = /bin/sh -c \"echo $SLAMON_EVENT $SLAMON_OBJECT "
		 "$SLAMON_MESSAGE >> %s\"\n"
		 "[notifier noc]\n"
		 "type = command\n"
		 "command = /bin/sh -c \"echo noc $SLAMON_EVENT >> %s\"\n",
		 out, out);
	cr_assert_eq(load(conf, &c2, &d), 0, "%s", d.n ? d.msgs[0] : "?");
	diag_destroy(&d);
	cr_assert_eq(notifier_create(c2, "", 0, &n, err, sizeof(err)), 0,
		     "%s", err);
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_REPORT;
	snprintf(ev.fault.object, sizeof(ev.fault.object), "report:2026-11");
	snprintf(ev.fault.kind, sizeof(ev.fault.kind), "report-draft");
	snprintf(ev.fault.severity, sizeof(ev.fault.severity), "warning");
	snprintf(ev.fault.detail, sizeof(ev.fault.detail),
		 "2026-11 月报草稿已生成");
	cr_assert_eq(notifier_submit(n, &ev), 0);
	cr_assert_eq(notifier_drain(n, 20000), 0);
	notifier_destroy(n);
	config_destroy(c2);
	f = fopen(out, "r");
	cr_assert_not_null(f, "%s: nothing delivered", out);
	cr_assert_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
	fclose(f);
	cr_assert(strstr(buf, "report report:2026-11 【slamon 月报草稿】2026-11 "
			      "月报草稿已生成") != NULL,
		  "%s", buf);
	cr_assert(strstr(buf, "noc") == NULL, "%s", buf);
}
