/*
 * test_traps.c - SNMP traps end to end (issue 13): slamond receives traps
 * sent by net-snmp's snmptrap and snmpinform (Debian `snmp`) on a reserved
 * port of 127.0.0.1 (not 162), with a long poll interval (60 s,
 * down_after 3), so only a trap's confirmation polls can open a fault
 * within seconds:
 *   - a linkDown from a device whose agent (snmpd on 127.0.0.1) was
 *     stopped opens its down fault within a few seconds; the same trap
 *     while the agent answers opens nothing (a trap alone never does);
 *     a v2c inform is answered;
 *   - a trap from an address not in the inventory and traps with a wrong
 *     community open nothing and are counted in status.json; the unknown
 *     one is journaled without a device and listed by `slamon traps`;
 *   - a v3 trap and inform with the device profile's user and keys are
 *     accepted (the inform answered), a wrong auth key is refused and
 *     counted, and a v3 linkDown from a dead device opens its fault;
 *   - a linkDown for an interface whose ifOperStatus went down (snmpsim
 *     serving a recording the test edits in place: snmpsim reads values
 *     from the file at each request) opens the interface's fault within
 *     seconds while the device stays up.
 * Senders other than 127.0.0.1 use net-snmp's clientaddr (127.0.0.2,
 * 127.0.0.9: loopback addresses, no agent behind them).
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
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

#define V3USER "trapper"
#define AUTHPASS "trap-auth-pass"
#define PRIVPASS "trap-priv-pass"
#define LINKDOWN "1.3.6.1.6.3.1.1.5.3"
#define COLDSTART "1.3.6.1.6.3.1.1.5.1"

static char tmp[4096];
static char db[4200];
static struct agent agent;
static pid_t daemon_pid;
static int agent_port, trap_port;

static void setup(void)
{
	memset(&agent, 0, sizeof(agent));
	daemon_pid = 0;
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-traps-"), 0);
	cr_assert_eq(chmod(tmp, 0755), 0);
	snprintf(db, sizeof(db), "%s/st/faults.db", tmp);
	agent_port = free_udp_port_range(2);
	cr_assert(agent_port > 0);
	trap_port = agent_port + 1;
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

TestSuite(traps, .init = setup, .fini = teardown, .timeout = 180);

static void pathf(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
}

static void assert_alive(void)
{
	int st;

	cr_assert_eq(waitpid(daemon_pid, &st, WNOHANG), 0,
		     "slamond exited (see %s/slamond.log)", tmp);
}

/* dev1 on the snmpd at 127.0.0.1 (v2c), dev-v3 at 127.0.0.2 (v3, no
 * agent there); polled every 60 s, down after 3 failed polls. */
static void start_daemon_with(const char *rows)
{
	char conf[4200], inv[4200], log[4200], text[4096];
	const char *const extra[] = { "--duration", "150", NULL };
	double deadline;

	pathf(inv, sizeof(inv), "inv.csv");
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n%s",
		 rows);
	cr_assert_eq(write_file(inv, text), 0);
	pathf(conf, sizeof(conf), "slamon.conf");
	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = st\n"
		 "interval = 60\ntimeout_ms = 500\nretries = 0\n"
		 "down_after = 3\nup_after = 2\nlog_level = info\n"
		 "[profile v2]\nversion = 2c\ncommunity = public\n"
		 "[profile sim]\nversion = 2c\ncommunity = ifsw\n"
		 "[profile v3]\nversion = 3\nuser = " V3USER "\n"
		 "auth = SHA\nauth_pass = " AUTHPASS "\npriv = AES\n"
		 "priv_pass = " PRIVPASS "\n"
		 "[alerts]\nping = no\n"
		 "[traps]\nenabled = yes\nlisten = 127.0.0.1:%d\n"
		 "unknown_log_interval = 1\n",
		 trap_port);
	cr_assert_eq(write_file(conf, text), 0);
	cr_assert_eq(slamond_conf_stay_root(conf), 0);
	pathf(log, sizeof(log), "slamond.log");
	daemon_pid = slamond_spawn(conf, log, extra);
	cr_assert(daemon_pid > 0, "slamond: %d", (int)daemon_pid);
	/* listening once the log says so */
	deadline = wall_now() + 20;
	while (wall_now() < deadline) {
		char *l = file_slurp(log);
		int up = l && strstr(l, "receiving SNMP traps on") != NULL;

		free(l);
		if (up)
			return;
		assert_alive();
		usleep(100000);
	}
	cr_assert_fail("slamond never listened for traps (%s)", log);
}

static void start_daemon(void)
{
	char rows[512];

	snprintf(rows, sizeof(rows),
		 "区数据局,dev1,127.0.0.1:%d,access,,v2,,,\n"
		 "区数据局,dev-v3,127.0.0.2:%d,server,,v3,,,\n",
		 agent_port, agent_port);
	start_daemon_with(rows);
}

/* run_cmd's argv is not const; it does not write through it. */
static char *uc(const char *s)
{
	char *r;

	memcpy(&r, &s, sizeof(r));
	return r;
}

/* snmptrap/snmpinform with args after the program name; exit status. */
static int sendv(const char *prog, const char *const *args)
{
	char *argv[40], out[2048];
	size_t n = 0;

	argv[n++] = uc(prog);
	for (; *args && n < 38; args++)
		argv[n++] = uc(*args);
	argv[n] = NULL;
	return run_cmd(argv, out, sizeof(out), 20);
}

static int trap_v2c(const char *from, const char *community,
		    const char *oid, int inform)
{
	char dest[64], client[64];
	const char *args[] = { "-v2c", "-c", community, "-t", "1", "-r", "1",
			       client, dest, "", oid,
			       "1.3.6.1.2.1.2.2.1.1.2", "i", "2", NULL };

	snprintf(dest, sizeof(dest), "127.0.0.1:%d", trap_port);
	snprintf(client, sizeof(client), "--clientaddr=%s", from);
	return sendv(inform ? "snmpinform" : "snmptrap", args);
}

static int trap_v3(const char *authpass, const char *oid, int inform)
{
	char dest[64];
	const char *args[] = { "-v3", "-u", V3USER, "-l", "authPriv", "-a",
			       "SHA", "-A", authpass, "-x", "AES", "-X",
			       PRIVPASS, "-t", "1", "-r", "1",
			       "--clientaddr=127.0.0.2", dest, "", oid, NULL };

	snprintf(dest, sizeof(dest), "127.0.0.1:%d", trap_port);
	return sendv(inform ? "snmpinform" : "snmptrap", args);
}

static size_t faults_of(const char *object, struct fault *ret)
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
		if (object != NULL && strcmp(fs[i].object, object) != 0)
			continue;
		k++;
		if (ret != NULL)
			*ret = fs[i];
	}
	free(fs);
	return k;
}

static struct fault wait_fault(const char *object, double deadline)
{
	struct fault f;

	memset(&f, 0, sizeof(f));
	while (wall_now() < deadline) {
		if (faults_of(object, &f) > 0)
			return f;
		assert_alive();
		usleep(100000);
	}
	cr_assert_fail("no fault on %s by the deadline (%s/slamond.log)",
		       object, tmp);
	return f;
}

/* The status snapshot's traps.key, or -1. */
static long long traps_counter(const char *key)
{
	char path[4200];
	json_t *st, *v;
	long long r = -1;

	pathf(path, sizeof(path), "st/status.json");
	st = json_load_file(path, 0, NULL);
	v = json_object_get(json_object_get(st, "traps"), key);
	if (json_is_integer(v))
		r = json_integer_value(v);
	json_decref(st);
	return r;
}

/* Waits (status is written every 5 s) until traps.key is want. */
static void wait_counter(const char *key, long long want)
{
	double deadline = wall_now() + 15;
	long long got = -1;

	while (wall_now() < deadline) {
		got = traps_counter(key);
		if (got == want)
			return;
		assert_alive();
		usleep(250000);
	}
	cr_assert_fail("status.json traps.%s is %lld, not %lld", key, got,
		       want);
}

static long long access_up(void)
{
	char path[4200];
	json_t *st, *v;
	long long r = -1;

	pathf(path, sizeof(path), "st/status.json");
	st = json_load_file(path, 0, NULL);
	v = json_object_get(json_object_get(json_object_get(st, "roles"),
					    "access"),
			    "up");
	if (json_is_integer(v))
		r = json_integer_value(v);
	json_decref(st);
	return r;
}

/* `slamon traps --json` with extra arguments: the parsed array. */
static json_t *slamon_traps(const char *device)
{
	char conf[4200], out[65536];
	char *const argv[] = { SLAMON_PROGRAM, "traps", "-c", conf,
			       "--json", "--device", uc(device), NULL };
	json_t *arr;

	pathf(conf, sizeof(conf), "slamon.conf");
	cr_assert_eq(run_cmd(argv, out, sizeof(out), 20), 0, "%s", out);
	arr = json_loads(out, 0, NULL);
	cr_assert(json_is_array(arr), "%s", out);
	return arr;
}

Test(traps, linkdown_from_a_device_whose_agent_stopped_opens_the_fault_within_seconds)
{
	struct fault f;
	double t0, deadline;
	json_t *rows;

	cr_assert_eq(agent_snmpd_start(&agent, agent_port, "public", NULL,
				       NULL, NULL),
		     0);
	start_daemon();
	/* a coldStart inform: answered, and its confirmation polls find
	 * the device up long before its first poll of the grid could */
	cr_assert_eq(trap_v2c("127.0.0.1", "public", COLDSTART, 1), 0,
		     "the inform got no response");
	deadline = wall_now() + 12;
	while (access_up() != 1 && wall_now() < deadline)
		usleep(250000);
	cr_assert_eq(access_up(), 1, "dev1 never came up");

	/* the agent answers: a linkDown alone opens nothing */
	cr_assert_eq(trap_v2c("127.0.0.1", "public", LINKDOWN, 0), 0);
	sleep(6);
	cr_assert_eq(faults_of(NULL, NULL), 0,
		     "a trap from a device that answers opened a fault");

	/* the agent stops: the linkDown's confirmation polls take the
	 * device down within seconds, not 3 x 60 s */
	agent_stop(&agent);
	t0 = wall_now();
	cr_assert_eq(trap_v2c("127.0.0.1", "public", LINKDOWN, 0), 0);
	f = wait_fault("dev1", t0 + 12);
	cr_assert_str_eq(f.kind, "down");
	cr_assert(f.detect_t - t0 < 8, "detected %.1f s after the trap",
		  f.detect_t - t0);
	cr_assert(f.first_fail_t >= t0 - 0.5, "first failed sample %.1f s "
		  "before the trap", t0 - f.first_fail_t);
	cr_assert_eq(faults_of(NULL, NULL), 1);

	wait_counter("known", 3);
	cr_assert_eq(traps_counter("informs"), 1);
	rows = slamon_traps("dev1");
	cr_assert_eq(json_array_size(rows), 3);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(rows, 0), "trap_oid")),
			 LINKDOWN);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(rows, 0), "varbinds")),
			 "1.3.6.1.2.1.2.2.1.1.2=2");
	cr_assert(json_is_true(json_object_get(json_array_get(rows, 2),
					       "inform")));
	json_decref(rows);
}

Test(traps, unknown_source_and_wrong_community_open_nothing_and_are_counted)
{
	json_t *rows, *r;

	start_daemon();
	/* from an address that is not in the inventory */
	cr_assert_eq(trap_v2c("127.0.0.9", "public", LINKDOWN, 0), 0);
	/* from dev1's address with a community [traps] does not accept:
	 * a trap, and an inform that must get no response */
	cr_assert_eq(trap_v2c("127.0.0.1", "wrong", LINKDOWN, 0), 0);
	cr_assert_neq(trap_v2c("127.0.0.1", "wrong", LINKDOWN, 1), 0,
		      "an inform with a wrong community was answered");
	wait_counter("unknown_source", 1);
	wait_counter("refused_community", 3); /* the inform is sent twice */
	cr_assert_eq(traps_counter("known"), 0);
	cr_assert_eq(traps_counter("confirmations"), 0);
	/* had either been taken for dev1, its confirmation polls (no agent
	 * runs) would have opened a fault by now */
	sleep(5);
	cr_assert_eq(faults_of(NULL, NULL), 0, "a refused trap opened a fault");
	rows = slamon_traps("-");
	cr_assert_eq(json_array_size(rows), 1);
	r = json_array_get(rows, 0);
	cr_assert_str_eq(json_string_value(json_object_get(r, "source")),
			 "127.0.0.9");
	cr_assert(json_is_null(json_object_get(r, "device")));
	json_decref(rows);
	rows = slamon_traps("dev1");
	cr_assert_eq(json_array_size(rows), 0, "refused traps were journaled");
	json_decref(rows);
}

Test(traps, v3_trap_with_the_profile_keys_is_accepted_and_a_wrong_key_refused)
{
	struct fault f;
	json_t *rows;
	double t0;

	start_daemon();
	cr_assert_eq(trap_v3(AUTHPASS, "1.3.6.1.4.1.8072.2.3.0.1", 0), 0);
	cr_assert_eq(trap_v3("wrong-auth-pass", "1.3.6.1.4.1.8072.2.3.0.1",
			     0),
		     0);
	cr_assert_eq(trap_v3(AUTHPASS, "1.3.6.1.4.1.8072.2.3.0.1", 1), 0,
		     "the v3 inform got no response");
	wait_counter("known", 2);
	wait_counter("refused_auth", 1);
	rows = slamon_traps("dev-v3");
	cr_assert_eq(json_array_size(rows), 2);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(rows, 1), "version")),
			 "v3");
	json_decref(rows);
	cr_assert_eq(faults_of(NULL, NULL), 0,
		     "a trap that is not a link or restart event polled");
	/* a v3 linkDown from it (nothing answers at 127.0.0.2) */
	t0 = wall_now();
	cr_assert_eq(trap_v3(AUTHPASS, LINKDOWN, 0), 0);
	f = wait_fault("dev-v3", t0 + 12);
	cr_assert_str_eq(f.kind, "down");
	cr_assert(f.detect_t - t0 < 8, "detected %.1f s after the trap",
		  f.detect_t - t0);
}

/* One interface, up; its ifOperStatus line is rewritten to down later. */
static const char ifsw_rec[] =
	"1.3.6.1.2.1.1.1.0|4|trap test switch\n"
	"1.3.6.1.2.1.1.3.0|67|12345\n"
	"1.3.6.1.2.1.2.2.1.1.1|2|1\n"
	"1.3.6.1.2.1.2.2.1.2.1|4|ge-0/0/1\n"
	"1.3.6.1.2.1.2.2.1.3.1|2|6\n"
	"1.3.6.1.2.1.2.2.1.5.1|66|1000000000\n"
	"1.3.6.1.2.1.2.2.1.8.1|2|1\n"
	"1.3.6.1.2.1.2.2.1.10.1|65|1000\n"
	"1.3.6.1.2.1.2.2.1.13.1|65|0\n"
	"1.3.6.1.2.1.2.2.1.14.1|65|0\n"
	"1.3.6.1.2.1.2.2.1.16.1|65|1000\n"
	"1.3.6.1.2.1.2.2.1.19.1|65|0\n"
	"1.3.6.1.2.1.2.2.1.20.1|65|0\n"
	"1.3.6.1.2.1.31.1.1.1.1.1|4|ge-0/0/1\n"
	"1.3.6.1.2.1.31.1.1.1.6.1|70|1000\n"
	"1.3.6.1.2.1.31.1.1.1.10.1|70|1000\n"
	"1.3.6.1.2.1.31.1.1.1.15.1|66|1000\n";

Test(traps, linkdown_of_an_interface_that_went_down_opens_its_fault_within_seconds)
{
	char simdir[4200], rec[4300], rows[512], *text, *p;
	struct fault f;
	double t0, deadline;

	pathf(simdir, sizeof(simdir), "sim");
	cr_assert_eq(mkdir(simdir, 0755), 0);
	snprintf(rec, sizeof(rec), "%s/ifsw.snmprec", simdir);
	cr_assert_eq(write_file(rec, ifsw_rec), 0);
	cr_assert_eq(chmod(rec, 0644), 0);
	cr_assert_eq(agent_snmpsim_start(&agent, simdir, agent_port, "ifsw"),
		     0, "snmpsimd: see %s", agent.log);
	snprintf(rows, sizeof(rows),
		 "区数据局,sw1,127.0.0.1:%d,access,,sim,,,\n", agent_port);
	start_daemon_with(rows);
	/* a coldStart: discovery and the device up within seconds */
	cr_assert_eq(trap_v2c("127.0.0.1", "public", COLDSTART, 0), 0);
	deadline = wall_now() + 15;
	while (access_up() != 1 && wall_now() < deadline)
		usleep(250000);
	cr_assert_eq(access_up(), 1, "sw1 never came up");
	/* the port goes down (same length: snmpsim's index stays valid) */
	text = file_slurp(rec);
	cr_assert_not_null(text);
	p = strstr(text, "1.3.6.1.2.1.2.2.1.8.1|2|1\n");
	cr_assert_not_null(p);
	p[strlen("1.3.6.1.2.1.2.2.1.8.1|2|")] = '2';
	cr_assert_eq(write_file(rec, text), 0);
	free(text);
	t0 = wall_now();
	cr_assert_eq(trap_v2c("127.0.0.1", "public", LINKDOWN, 0), 0);
	f = wait_fault("sw1/ge-0/0/1", t0 + 12);
	cr_assert_str_eq(f.kind, "down");
	cr_assert_str_eq(f.object_kind, "interface");
	cr_assert(f.detect_t - t0 < 8, "detected %.1f s after the trap",
		  f.detect_t - t0);
	cr_assert_eq(faults_of("sw1", NULL), 0, "the device itself is up");
}
