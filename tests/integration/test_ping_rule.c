/*
 * test_ping_rule.c - "poll data missing for a device that answers ping"
 * (issue 3, docs/alerts.md): slamond polls a device on 127.0.0.1 whose
 * SNMP agent is not running. The address answers ICMP echo, so the device
 * gets a "nodata" fault, not "down", and stays up in status.json; when
 * snmpd starts on that port the fault is resolved. With [alerts] ping = no
 * the same device is down. A SIGHUP that adds a [notifier] makes the
 * resolution reach the new notifier.
 *
 * Network: 127.0.0.1 only. Needs root for the raw ICMP socket (or a ping
 * socket allowed by net.ipv4.ping_group_range); skipped without either.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "slamond_run.h"
#include "storage/journal.h"

#define IV 5.0 /* [general] interval */
#define DOWN_AFTER 2
#define UP_AFTER 2
#define SLACK 3.0

static char tmp[4096];
static char db[4200];
static struct agent agent;
static pid_t daemon_pid;

static void setup(void)
{
	memset(&agent, 0, sizeof(agent));
	daemon_pid = 0;
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-ping-"), 0);
	cr_assert_eq(chmod(tmp, 0755), 0);
	snprintf(db, sizeof(db), "%s/st/faults.db", tmp);
}

static void teardown(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
	agent_stop(&agent);
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(ping_rule, .init = setup, .fini = teardown, .timeout = 240);

static void pathf(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
}

/* ICMP needs CAP_NET_RAW or a ping socket: skip when neither. */
static void need_icmp(void)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0)
		cr_skip_test("no ICMP socket: %s", strerror(errno));
	close(fd);
}

static void write_conf(const char *alerts, const char *extra)
{
	char conf[4200], text[8192];

	pathf(conf, sizeof(conf), "slamon.conf");
	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = st\n"
		 "interval = %d\ntimeout_ms = 500\nretries = 0\n"
		 "down_after = %d\nup_after = %d\nlog_level = info\n"
		 "[profile v2]\nversion = 2c\ncommunity = public\n"
		 "[alerts]\n%s\n%s",
		 (int)IV, DOWN_AFTER, UP_AFTER, alerts, extra);
	cr_assert_eq(write_file(conf, text), 0);
}

static void write_inventory(int port)
{
	char inv[4200], text[1024];

	pathf(inv, sizeof(inv), "inv.csv");
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "区政务服务中心,acc-agentless,127.0.0.1:%d,access,,v2,,,\n",
		 port);
	cr_assert_eq(write_file(inv, text), 0);
}

static void start_daemon(void)
{
	char conf[4200], log[4200];
	const char *const extra[] = { "--duration", "200", NULL };

	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(log, sizeof(log), "slamond.log");
	daemon_pid = slamond_spawn(conf, log, extra);
	cr_assert(daemon_pid > 0, "slamond: %d", (int)daemon_pid);
}

static void assert_alive(void)
{
	int st;

	cr_assert_eq(waitpid(daemon_pid, &st, WNOHANG), 0,
		     "slamond exited (see %s/slamond.log)", tmp);
}

/* The last fault of kind on the device (all faults); 0 = none. */
static size_t faults_of(const char *kind, struct fault *ret)
{
	struct fault_query q = { .filter = JQ_ALL };
	struct journal *j;
	struct fault *fs = NULL;
	char err[256];
	size_t n = 0, k = 0;

	if (access(db, R_OK) != 0)
		return 0;
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0,
		     "%s", err);
	journal_close(j);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fs[i].object, "acc-agentless") != 0 ||
		    strcmp(fs[i].kind, kind) != 0)
			continue;
		k++;
		if (ret != NULL)
			*ret = fs[i];
	}
	free(fs);
	return k;
}

static struct fault wait_fault(const char *kind, double deadline)
{
	struct fault f;

	memset(&f, 0, sizeof(f));
	while (wall_now() < deadline) {
		if (faults_of(kind, &f) > 0)
			return f;
		assert_alive();
		usleep(100000);
	}
	cr_assert_fail("no %s fault by the deadline", kind);
	return f;
}

static json_t *status_load(void)
{
	char path[4200];

	pathf(path, sizeof(path), "st/status.json");
	return json_load_file(path, 0, NULL);
}

/* Waits until status.json lists the device under "nodata" (want 1) or
 * not (want 0); returns the snapshot. */
static json_t *wait_status_nodata(int want, double deadline)
{
	while (wall_now() < deadline) {
		json_t *st = status_load();
		json_t *nd = json_object_get(st, "nodata");

		if (json_is_array(nd) && (json_array_size(nd) > 0) == want)
			return st;
		json_decref(st);
		assert_alive();
		usleep(200000);
	}
	cr_assert_fail("status.json nodata list never became %s",
		       want ? "non-empty" : "empty");
	return NULL;
}

Test(ping_rule, agent_down_but_ping_answers_is_nodata_not_down)
{
	int port = free_udp_port_range(1);
	char script[4200], notified[4200], text[4600], notifier[4600];
	char *got;
	double t0, deadline;
	struct fault f, r;
	json_t *st, *e;

	need_icmp();
	cr_assert(port > 0);
	write_inventory(port);
	write_conf("nodata_severity = major\n", "");
	pathf(notified, sizeof(notified), "notified");
	pathf(script, sizeof(script), "notify.sh");
	snprintf(text, sizeof(text),
		 "#!/bin/sh\necho \"$SLAMON_EVENT $SLAMON_KIND\" >> %s\n",
		 notified);
	cr_assert_eq(write_file(script, text), 0);
	cr_assert_eq(chmod(script, 0755), 0);

	t0 = wall_now();
	start_daemon();
	/* down_after failed polls, the first within one interval */
	f = wait_fault("nodata", t0 + (DOWN_AFTER + 1) * IV + SLACK);
	cr_assert_str_eq(f.object_kind, "device");
	cr_assert_str_eq(f.severity, "major");
	cr_assert(strstr(f.detail, "answers ping") != NULL, "%s", f.detail);
	cr_assert_eq(f.resolved_t, 0);
	cr_assert(f.first_fail_t >= t0 - 1 && f.first_fail_t < f.detect_t,
		  "first_fail %.1f detect %.1f", f.first_fail_t, f.detect_t);
	cr_assert_eq(faults_of("down", NULL), 0, "a down fault was opened");

	st = wait_status_nodata(1, wall_now() + 12);
	e = json_array_get(json_object_get(st, "nodata"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(e, "device")),
			 "acc-agentless");
	cr_assert_eq(json_integer_value(json_object_get(e, "fault")), f.id);
	cr_assert_str_eq(json_string_value(json_object_get(e, "state")),
			 "up");
	cr_assert_eq(json_array_size(json_object_get(st, "down")), 0);
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(json_object_get(st, "roles"),
					     "access"),
			     "down")),
		     0);
	json_decref(st);

	/* and `slamon status` lists it as nodata, not as down */
	{
		char conf[4200], out[16384];
		char *const argv[] = {SLAMON_PROGRAM, "status", "-c",
				      conf, NULL};

		pathf(conf, sizeof(conf), "slamon.conf");
		cr_assert_eq(run_cmd(argv, out, sizeof(out), 20), 0, "%s", out);
		cr_assert(strstr(out, "SNMP 无应答的设备 (nodata) (1)") != NULL,
			  "%s", out);
		cr_assert(strstr(strstr(out, "(nodata) (1)"), "acc-agentless") !=
				  NULL,
			  "%s", out);
	}

	/* a reload that adds a notifier: the resolution reaches it */
	snprintf(notifier, sizeof(notifier),
		 "[notifier log]\ntype = command\ncommand = %s\n"
		 "events = open,resolve\n",
		 script);
	write_conf("nodata_severity = major\n", notifier);
	cr_assert_eq(kill(daemon_pid, SIGHUP), 0);
	sleep(1);

	cr_assert_eq(agent_snmpd_start(&agent, port, "public", NULL, NULL,
				       NULL),
		     0, "snmpd on 127.0.0.1:%d (log %s)", port, agent.log);
	deadline = wall_now() + (UP_AFTER + 1) * IV + SLACK;
	memset(&r, 0, sizeof(r));
	while (wall_now() < deadline) {
		faults_of("nodata", &r);
		if (r.resolved_t > 0)
			break;
		assert_alive();
		usleep(100000);
	}
	cr_assert(r.resolved_t > 0, "nodata fault %lld not resolved",
		  (long long)f.id);
	cr_assert_eq(r.id, f.id);
	cr_assert_eq(faults_of("nodata", NULL), 1);
	cr_assert_eq(faults_of("down", NULL), 0);
	json_decref(wait_status_nodata(0, wall_now() + 12));

	deadline = wall_now() + 10;
	got = NULL;
	while (wall_now() < deadline) {
		free(got);
		got = file_slurp(notified);
		if (got != NULL && strstr(got, "resolve nodata") != NULL)
			break;
		usleep(100000);
	}
	cr_assert(got != NULL && strstr(got, "resolve nodata") != NULL,
		  "the reloaded notifier got: %s", got ? got : "(nothing)");
	/* the open happened before the reload, with no notifier */
	cr_assert(strstr(got, "open nodata") == NULL, "%s", got);
	free(got);
	cr_assert_eq(slamond_wait_exit((kill(daemon_pid, SIGTERM), daemon_pid),
				       30),
		     0);
	daemon_pid = 0;
}

Test(ping_rule, ping_off_is_down_as_before)
{
	int port = free_udp_port_range(1);
	double t0;
	struct fault f;

	need_icmp();
	cr_assert(port > 0);
	write_inventory(port);
	write_conf("ping = no\n", "");
	t0 = wall_now();
	start_daemon();
	f = wait_fault("down", t0 + (DOWN_AFTER + 1) * IV + SLACK);
	cr_assert_str_eq(f.severity, "minor");
	cr_assert_eq(faults_of("nodata", NULL), 0);
	cr_assert_eq(slamond_wait_exit((kill(daemon_pid, SIGTERM), daemon_pid),
				       30),
		     0);
	daemon_pid = 0;
}
