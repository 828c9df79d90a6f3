/*
 * test_sla_daemon.c - slamond's SLA jobs (collector/slalive.c) end to
 * end, on a clock started at 2026-12-01 08:01 Asia/Shanghai
 * (SLAMON_TEST_SLA_NOW, tests only): with [sla] draft_at = 08:00 the
 * draft of November is written at once and its readers (a notifier whose
 * events list "report") notified, the other notifier not; with an
 * sla_breach rule, a device that never answers has December's
 * unit_connectivity projected at 0 % and an sla-breach fault opens in the
 * journal and reaches the fault notifier.
 *
 * Network: 127.0.0.1 only (a reserved port where nothing listens).
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "slamond_run.h"
#include "storage/journal.h"

static char tmp[4096];
static pid_t daemon_pid;

static void setup(void)
{
	daemon_pid = 0;
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-sladm-"), 0);
}

static void teardown(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
	}
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(sla_daemon, .init = setup, .fini = teardown, .timeout = 120);

static int has(const char *path, const char *what)
{
	char *s = file_slurp(path);
	int r = s != NULL && strstr(s, what) != NULL;

	free(s);
	return r;
}

Test(sla_daemon, draft_on_the_first_and_sla_breach_fault)
{
	char conf[4300], inv[4300], log[4300], readers[4300], noc[4300];
	char manifest[4400], db[4300], text[16384], err[256];
	struct fault_query q = { .filter = JQ_ALL };
	struct journal *j = NULL;
	struct fault *fs = NULL;
	size_t n = 0, breach = 0;
	int port = free_udp_port_range(1);
	time_t until;

	cr_assert_gt(port, 0);
	snprintf(inv, sizeof(inv), "%s/inventory.csv", tmp);
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile\n"
		 "区教育局,ap-1,127.0.0.1:%d,access,,p\n",
		 port);
	cr_assert_eq(write_file(inv, text), 0);
	snprintf(readers, sizeof(readers), "%s/readers.txt", tmp);
	snprintf(noc, sizeof(noc), "%s/noc.txt", tmp);
	snprintf(conf, sizeof(conf), "%s/slamon.conf", tmp);
	snprintf(text, sizeof(text),
		 "[general]\n"
		 "inventory = inventory.csv\n"
		 "storage_dir = st\n"
		 "timezone = Asia/Shanghai\n"
		 "[intervals]\n"
		 "access = 5\n"
		 "[alerts]\n"
		 "ping = no\n"
		 "[profile p]\n"
		 "version = 2c\n"
		 "community = public\n"
		 "[sla]\n"
		 "draft_at = 08:00\n"
		 "[rule budget]\n"
		 "type = sla_breach\n"
		 "indicator = unit_connectivity\n"
		 "every = 1\n"
		 "[notifier readers]\n"
		 "type = command\n"
		 "events = report\n"
		 "command = /bin/sh -c \"echo $SLAMON_EVENT $SLAMON_OBJECT "
		 ">> %s\"\n"
		 "[notifier noc]\n"
		 "type = command\n"
		 "command = /bin/sh -c \"echo $SLAMON_EVENT $SLAMON_OBJECT "
		 "$SLAMON_KIND >> %s\"\n",
		 readers, noc);
	cr_assert_eq(write_file(conf, text), 0);
	cr_assert_eq(slamond_conf_stay_root(conf), 0);
	snprintf(log, sizeof(log), "%s/slamond.log", tmp);
	/* 2026-12-01 08:01 +08:00 */
	setenv("SLAMON_TEST_SLA_NOW", "1796083260", 1);
	daemon_pid = slamond_spawn(conf, log, NULL);
	unsetenv("SLAMON_TEST_SLA_NOW");
	cr_assert_gt(daemon_pid, 0);
	snprintf(manifest, sizeof(manifest), "%s/st/reports/slamon-2026-11.sha256",
		 tmp);
	until = time(NULL) + 60;
	while (time(NULL) < until &&
	       !(has(readers, "report report:2026-11") &&
		 has(noc, "open sla:unit_connectivity sla-breach")))
		usleep(200000);
	kill(daemon_pid, SIGTERM);
	cr_assert_eq(slamond_wait_exit(daemon_pid, 20), 0);
	daemon_pid = 0;
	{
		char *l = file_slurp(log);

		cr_assert(has(readers, "report report:2026-11"), "log:\n%s",
			  l ? l : "");
		cr_assert(has(noc, "open sla:unit_connectivity sla-breach"),
			  "log:\n%s", l ? l : "");
		free(l);
	}
	cr_assert_eq(access(manifest, R_OK), 0, "%s", manifest);
	/* the readers got the draft only, the NOC no draft notice */
	cr_assert(!has(readers, "sla-breach"));
	cr_assert(!has(noc, "report"));
	snprintf(db, sizeof(db), "%s/st/faults.db", tmp);
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		breach += strcmp(fs[i].kind, "sla-breach") == 0 &&
			  strcmp(fs[i].object, "sla:unit_connectivity") == 0;
	cr_assert_eq(breach, 1);
	free(fs);
	journal_close(j);
}
