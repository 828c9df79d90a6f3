/*
 * test_capture_daemon.c - [capture NAME] links in slamond (issue 6): a
 * file capture replayed at start shows in status.json and in `slamon
 * status`, writes its RRD file and its interval record (`slamon
 * talkers`); a live capture on a veth pair of the test's own namespaces
 * counts a known volume to the byte, agrees with SNMP for the same
 * interface, and raises a "divergence" fault (journal and status) when
 * cross-checked with an interface that carries other traffic. SIGHUP
 * applies added, removed and changed captures, keeps unchanged ones
 * running (a live one loses no byte across it) and reports a capture
 * that cannot be opened with its file:line.
 *
 * The live test moves itself into a namespace of its own (setns) before
 * starting snmpd and slamond, so both run there: snmpd serves that
 * namespace's lo and veth on its own 127.0.0.1, and nothing touches the
 * host's interfaces. The sender runs in the peer namespace. IPv6 is off and
 * the neighbour entries are static, so only the test's datagrams (and the
 * ICMP port-unreachable answers to them) cross the veth. .fini stops
 * slamond, snmpd and the sender by PID and deletes both namespaces.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "netns.h"
#include "slamond_run.h"
#include "storage/journal.h"

#define PCAP_FILE SLAMON_TESTDATA "/pcap/sflow_multiple_counter_30_pdus.pcap"

#define NPKTS 24000
#define PAYLOAD 1000
#define FRAME (PAYLOAD + 42) /* Ethernet 14 + IPv4 20 + UDP 8 */
#define ADDR_A "192.0.2.1"   /* TEST-NET-1, only inside our namespaces */
#define ADDR_B "192.0.2.2"
#define MAC_A "02:00:00:00:0a:02"
#define MAC_B "02:00:00:00:0b:02"

static char tmp[4096];
static struct veth_link lk = {.addr_a = ADDR_A, .addr_b = ADDR_B,
			      .mac_a = MAC_A, .mac_b = MAC_B};
static int home_ns = -1;
static pid_t daemon_pid, sender_pid;
static struct agent snmpd;

/* ---- helpers ------------------------------------------------------- */

static void pathf(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static pid_t spawn_daemon(const char *conf, const char *duration)
{
	const char *extra[] = {"--duration", duration, NULL};
	char log[4200];
	pid_t pid;

	pathf(log, sizeof(log), "slamond.log");
	pid = slamond_spawn(conf, log, extra);
	cr_assert_gt(pid, 0);
	return pid;
}

/* status.json, or NULL while it is not there yet. */
static json_t *status_load(void)
{
	char path[4200];

	pathf(path, sizeof(path), "rrd/status.json");
	return json_load_file(path, 0, NULL);
}

/* The captures[] entry named name (borrowed from st), or NULL. */
static json_t *capture_of(json_t *st, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(st, "captures"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")),
			   name) == 0)
			return c;
	return NULL;
}

static long long jint(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	if (b != NULL)
		v = json_object_get(v, b);
	return (long long)json_integer_value(v);
}

static int count_iv(void *arg, const struct journal_capiv *v)
{
	(void)v;
	(*(size_t *)arg)++;
	return 0;
}

static void setup(void)
{
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-capd-"), 0);
	veth_link_names(&lk, "capd", "scd");
}

static void teardown(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
	if (sender_pid > 0) {
		kill(sender_pid, SIGKILL);
		waitpid(sender_pid, NULL, 0);
		sender_pid = 0;
	}
	agent_stop(&snmpd);
	if (home_ns >= 0) {
		if (setns(home_ns, CLONE_NEWNET) < 0)
			cr_log_warn("setns back: %s", strerror(errno));
		close(home_ns);
		home_ns = -1;
	}
	veth_link_remove(&lk);
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(capture_daemon, .init = setup, .fini = teardown, .timeout = 300);

/* ---- file source ----------------------------------------------------- */

Test(capture_daemon, file_capture_shows_in_status_and_rrd)
{
	char conf[4200], inv[4200], rrd[4200], text[2048], out[8192];
	char *argv_last[] = {"rrdtool", "lastupdate", rrd, NULL};
	char *argv_status[] = {SLAMON, "status", "-c", conf, "--lang", "en",
			       NULL};
	json_t *st, *c;
	pid_t pid;

	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(inv, sizeof(inv), "inv.csv");
	pathf(rrd, sizeof(rrd), "rrd/exit-rtr-1/if-pcap-sflow.v4.rrd");
	/* the device does not answer (nothing on that port): the capture
	 * does not depend on SNMP */
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "出口,exit-rtr-1,127.0.0.1:%d,exit,,v2,,,\n",
		 agent_free_udp_port());
	cr_assert_eq(write_file(inv, text), 0);
	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = rrd\n"
		 "interval = 5\ntimeout_ms = 200\n"
		 "[profile v2]\nversion = 2c\ncommunity = x\n"
		 "[capture sflow]\nsource = file\nfile = %s\n"
		 "local = 15.184.3.9\ndevice = exit-rtr-1\n",
		 PCAP_FILE);
	cr_assert_eq(write_file(conf, text), 0);
	pid = spawn_daemon(conf, "4");
	cr_assert_eq(slamond_wait_exit(pid, 30), 0, "slamond did not stop cleanly");

	st = status_load();
	cr_assert_not_null(st, "no status.json");
	c = capture_of(st, "sflow");
	cr_assert_not_null(c, "capture missing from status.json");
	cr_expect_str_eq(json_string_value(json_object_get(c, "state")),
			 "done");
	cr_expect_str_eq(json_string_value(json_object_get(c, "device")),
			 "exit-rtr-1");
	cr_expect_str_eq(json_string_value(json_object_get(c, "source")),
			 "file");
	/* what `slamon pcap-stats` and tcpdump count for this file: 30
	 * records, 28 804 bytes, all to the one local address */
	cr_expect_eq(jint(c, "totals", "packets"), 30);
	cr_expect_eq(jint(c, "totals", "bytes"), 28804);
	cr_expect_eq(jint(c, "totals", "in_bytes"), 28804);
	cr_expect_eq(jint(c, "last_interval", "start"), 1301703180);
	cr_expect_float_eq(
		json_number_value(json_object_get(c, "in_bps")),
		28804 * 8 / 60.0, 1e-6);
	json_decref(st);

	cr_assert_eq(access(rrd, R_OK), 0, "%s not written", rrd);
	cr_assert_eq(run_cmd(argv_last, out, sizeof(out), 30), 0, "%s", out);
	cr_expect(strstr(out, "1301703240:") != NULL,
		  "last update at the interval's end: %s", out);

	cr_assert_eq(run_cmd(argv_status, out, sizeof(out), 30), 0, "%s",
		     out);
	cr_expect(strstr(out, "Captured links") != NULL, "%s", out);
	cr_expect(strstr(out, "sflow_multiple_counter_30_pdus.pcap") != NULL,
		  "%s", out);

	/* the interval's record is in the journal: `slamon talkers` over
	 * the file's time shows the one local address with every byte */
	{
		char *argv_t[] = {SLAMON, "talkers", "sflow", "--from",
				  "1301703000", "--to", "1301703600",
				  "--json", "-c", conf, NULL};
		json_t *t, *e;

		cr_assert_eq(run_cmd(argv_t, out, sizeof(out), 30), 0, "%s",
			     out);
		t = json_loads(out, 0, NULL);
		cr_assert_not_null(t, "%s", out);
		cr_expect_eq(jint(t, "intervals", NULL), 1);
		cr_expect_eq(jint(t, "bytes", NULL), 28804);
		cr_expect_eq(jint(t, "records", NULL), 30);
		e = json_array_get(json_object_get(t, "local"), 0);
		cr_expect_str_eq(json_string_value(json_object_get(e, "addr")),
				 "15.184.3.9");
		cr_expect_eq(jint(e, "bytes", NULL), 28804);
		cr_expect_eq(jint(e, "packets", NULL), 30);
		cr_expect_gt(json_array_size(json_object_get(t, "remote")), 0);
		json_decref(t);
	}
	st = status_load();
	cr_assert_not_null(st);
	cr_expect_eq(jint(st, "capture_records", "written"), 1);
	cr_expect_eq(jint(st, "capture_records", "failed"), 0);
	json_decref(st);
}

/* ---- reload (SIGHUP) -------------------------------------------------- */

#define RELOAD_INV                                                       \
	"unit,name,address,role,parent,profile,interfaces,capacity_mbps,"  \
	"tags\n"                                                           \
	"出口,exit-rtr-1,127.0.0.1:%d,exit,,v2,,,\n"

/* A [capture] section replaying the shared test file. */
static void file_section(char *out, size_t len, const char *name,
			 const char *extra)
{
	snprintf(out, len,
		 "[capture %s]\nsource = file\nfile = %s\n"
		 "local = 15.184.3.9\ndevice = exit-rtr-1\n%s",
		 name, PCAP_FILE, extra);
}

static void write_reload_conf(const char *conf, const char *captures)
{
	char text[16384];

	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = rrd\n"
		 "interval = 5\ntimeout_ms = 200\n"
		 "[profile v2]\nversion = 2c\ncommunity = x\n%s",
		 captures);
	cr_assert_eq(write_file(conf, text), 0);
}

/* Waits (bounded) until every name has a capture in status.json in state
 * want; returns that status (caller frees). */
static json_t *wait_states(const char *const *names, size_t n,
			   const char *want)
{
	for (int i = 0; i < 200; i++) {
		json_t *st = status_load();
		size_t ok = 0;

		for (size_t k = 0; st != NULL && k < n; k++) {
			json_t *c = capture_of(st, names[k]);

			ok += c != NULL &&
			      strcmp(json_string_value(json_object_get(
					     c, "state")),
				     want) == 0;
		}
		if (ok == n)
			return st;
		json_decref(st);
		cr_assert_eq(waitpid(daemon_pid, NULL, WNOHANG), 0,
			     "slamond died (see slamond.log)");
		sleep_ms(150);
	}
	cr_assert_fail("captures not %s within 30 s", want);
	return NULL;
}

static size_t stored_intervals(const char *name)
{
	char db[4200], err[256];
	struct journal *j;
	size_t n = 0;

	pathf(db, sizeof(db), "rrd/faults.db");
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_capture_scan(j, name, 0, 2e9, count_iv, &n, err,
					  sizeof(err)),
		     0, "%s", err);
	journal_close(j);
	return n;
}

/* SIGHUP applies [capture] changes: an unchanged capture keeps its state
 * (not replayed: totals unchanged), a removed one goes, a changed one is
 * started again, a new one starts, and a live capture on an interface
 * that does not exist is reported with its file:line while the others go
 * on. Each file interval is kept once in the journal. */
Test(capture_daemon, sighup_applies_capture_changes)
{
	static const char *const v1[] = {"keep", "gone", "chg"};
	static const char *const v2[] = {"keep", "chg", "fresh"};
	char conf[4200], inv[4200], log[4200], text[8192], sec[4][1200];
	json_t *st, *c;
	char *logtext;

	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(inv, sizeof(inv), "inv.csv");
	pathf(log, sizeof(log), "slamond.log");
	snprintf(text, sizeof(text), RELOAD_INV, agent_free_udp_port());
	cr_assert_eq(write_file(inv, text), 0);
	file_section(sec[0], sizeof(sec[0]), "keep", "");
	file_section(sec[1], sizeof(sec[1]), "gone", "");
	file_section(sec[2], sizeof(sec[2]), "chg", "top = 10\n");
	snprintf(text, sizeof(text), "%s%s%s", sec[0], sec[1], sec[2]);
	write_reload_conf(conf, text);
	daemon_pid = spawn_daemon(conf, "120");
	json_decref(wait_states(v1, 3, "done"));

	file_section(sec[2], sizeof(sec[2]), "chg", "top = 5\n");
	file_section(sec[1], sizeof(sec[1]), "fresh", "");
	snprintf(sec[3], sizeof(sec[3]),
		 "[capture ghost]\nifname = nosuchif0\nlocal = 10.0.0.0/8\n"
		 "device = exit-rtr-1\n");
	snprintf(text, sizeof(text), "%s%s%s%s", sec[0], sec[2], sec[1],
		 sec[3]);
	write_reload_conf(conf, text);
	cr_assert_eq(kill(daemon_pid, SIGHUP), 0);
	st = wait_states(v2, 3, "done");
	cr_expect_null(capture_of(st, "gone"), "removed capture still listed");
	/* keep was not replayed again: its totals are those of one pass */
	cr_expect_eq(jint(capture_of(st, "keep"), "totals", "packets"), 30);
	cr_expect_eq(jint(capture_of(st, "chg"), "totals", "packets"), 30);
	cr_expect_eq(jint(capture_of(st, "fresh"), "totals", "bytes"), 28804);
	c = capture_of(st, "ghost");
	cr_assert_not_null(c, "the failed capture is not in status");
	cr_expect_str_eq(json_string_value(json_object_get(c, "state")),
			 "error");
	cr_expect(strstr(json_string_value(json_object_get(c, "error")),
			 "nosuchif0") != NULL,
		  "%s", json_string_value(json_object_get(c, "error")));
	json_decref(st);

	/* the daemon goes on and stops cleanly */
	cr_assert_eq(kill(daemon_pid, SIGTERM), 0);
	cr_expect_eq(slamond_wait_exit(daemon_pid, 30), 0, "no clean stop");
	daemon_pid = 0;
	logtext = file_slurp(log);
	cr_assert_not_null(logtext);
	/* [general] 5 lines, [profile] 3, keep 5, chg 6, fresh 5: line 25 */
	cr_expect(strstr(logtext, "slamon.conf:25: [capture ghost]: "
				  "nosuchif0") != NULL,
		  "no file:line error for the capture that failed:\n%s",
		  logtext);
	cr_expect(strstr(logtext, "capture gone removed") != NULL, "%s",
		  logtext);
	cr_expect(strstr(logtext, "capture chg changed") != NULL, "%s",
		  logtext);
	free(logtext);
	/* every file's one interval, kept once (a changed capture's replay
	 * stores nothing twice) */
	cr_expect_eq(stored_intervals("keep"), 1);
	cr_expect_eq(stored_intervals("chg"), 1);
	cr_expect_eq(stored_intervals("fresh"), 1);
	cr_expect_eq(stored_intervals("gone"), 1);
}

/* ---- live source ----------------------------------------------------- */

static void make_link(void)
{
	veth_link_make(&lk, "cannot create network namespaces here (`ip netns "
			    "add` failed); live capture in slamond not "
			    "tested");
}

/* The sender, in a child: NPKTS datagrams from lk.ns_b to lk.ns_a at a steady
 * ~400 per second (~3.3 Mbit/s for 60 s: two 20 s cross-check windows
 * after slamond's first SNMP rates), bounded by alarm(). */
static void sender(void)
{
	static char buf[PAYLOAD];
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(9)};
	int self, s;

	alarm(150);
	self = netns_enter(lk.ns_b);
	if (self < 0)
		_exit(3);
	inet_pton(AF_INET, ADDR_A, &to.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&to, sizeof(to)) < 0)
		_exit(4);
	for (int i = 0; i < NPKTS; i++) {
		/* ICMP port unreachable may surface as ECONNREFUSED on the
		 * next send: the datagram still left */
		while (send(s, buf, sizeof(buf), 0) < 0)
			if (errno != ECONNREFUSED && errno != ENOBUFS)
				_exit(5);
		if (i % 20 == 19)
			sleep_ms(50);
	}
	_exit(0);
}

static void write_live_config(int port)
{
	char conf[4200], inv[4200], text[4096];

	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(inv, sizeof(inv), "inv.csv");
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "出口,exit-rtr-1,127.0.0.1:%d,exit,,v2,lo;%s,,\n",
		 port, lk.veth_a);
	cr_assert_eq(write_file(inv, text), 0);
	/* "mirror": the veth, checked against SNMP's veth counters (Linux:
	 * no FCS in them). "wrong": only the test's UDP, checked against lo,
	 * which carries SNMP instead: they must disagree. */
	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = rrd\n"
		 "interval = 5\ntimeout_ms = 1000\nlog_level = debug\n"
		 "[profile v2]\nversion = 2c\ncommunity = capcomm\n"
		 "[capture mirror]\nifname = %s\nlocal = " ADDR_A "\n"
		 "device = exit-rtr-1\ninterface = %s\nfcs = no\n"
		 "interval = 1\nbuffer_mb = 8\ncrosscheck_share = 25\n"
		 "crosscheck_window = 20\n"
		 "[capture wrong]\nifname = %s\nfilter = udp port 9\n"
		 "local = " ADDR_A "\ndevice = exit-rtr-1\ninterface = lo\n"
		 "fcs = no\ninterval = 1\nbuffer_mb = 8\n"
		 "crosscheck_share = 25\ncrosscheck_window = 20\n",
		 lk.veth_a, lk.veth_a, lk.veth_a);
	cr_assert_eq(write_file(conf, text), 0);
}

/* Waits (bounded) until both captures run in slamond's status. */
static void wait_running(void)
{
	for (int i = 0; i < 150; i++) {
		json_t *st = status_load();
		json_t *m = st ? capture_of(st, "mirror") : NULL;
		json_t *w = st ? capture_of(st, "wrong") : NULL;
		int ok = m && w &&
			 strcmp(json_string_value(json_object_get(m, "state")),
				"running") == 0 &&
			 strcmp(json_string_value(json_object_get(w, "state")),
				"running") == 0;

		json_decref(st);
		if (ok)
			return;
		cr_assert_eq(waitpid(daemon_pid, NULL, WNOHANG), 0,
			     "slamond died (see slamond.log)");
		sleep_ms(200);
	}
	cr_assert_fail("captures not running within 30 s");
}

Test(capture_daemon, live_capture_counts_bytes_and_flags_divergence)
{
	char conf[4200], db[4200], err[256];
	struct fault_query q = {.filter = JQ_ALL};
	struct journal *j;
	struct fault *fs;
	size_t n;
	long long bytes = -1, drops = -1, wrong_fault = 0, mirror_fault = 0;
	double mirror_best = INFINITY, wrong_pct = NAN;
	int st = 0, found = 0;

	if (geteuid() != 0)
		cr_skip_test("not root: cannot create namespaces or capture");
	make_link();
	home_ns = netns_enter(lk.ns_a);
	cr_assert_geq(home_ns, 0, "enter %s: %s", lk.ns_a, strerror(errno));
	cr_assert_eq(agent_snmpd_start(&snmpd, agent_free_udp_port(),
				       "capcomm", NULL, NULL, NULL),
		     0, "snmpd in the namespace");
	write_live_config(snmpd.port);
	pathf(conf, sizeof(conf), "slamon.conf");
	daemon_pid = spawn_daemon(conf, "150");
	wait_running();

	sender_pid = fork();
	cr_assert_geq(sender_pid, 0);
	if (sender_pid == 0)
		sender();
	/* while it sends: the comparisons of both captures */
	for (int i = 0; i < 900 && waitpid(sender_pid, &st, WNOHANG) == 0;
	     i++) {
		json_t *s = status_load();
		json_t *m = s ? capture_of(s, "mirror") : NULL;
		json_t *x = m ? json_object_get(json_object_get(m, "crosscheck"),
						"divergence_pct")
			      : NULL;

		if (json_is_number(x) &&
		    json_number_value(json_object_get(
			    json_object_get(m, "crosscheck"), "snmp_bps")) >
			    1e6)
			mirror_best = fmin(mirror_best, json_number_value(x));
		json_decref(s);
		sleep_ms(100);
	}
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "sender failed or hung (status %d)", st);
	sender_pid = 0;

	/* the divergence fault shows in a status snapshot (every 5 s) */
	for (int i = 0; i < 150 && wrong_fault == 0; i++) {
		json_t *s = status_load();
		json_t *w = s ? capture_of(s, "wrong") : NULL;

		if (w != NULL) {
			wrong_fault = jint(w, "faults", "divergence");
			wrong_pct = json_number_value(json_object_get(
				json_object_get(w, "crosscheck"),
				"divergence_pct"));
			mirror_fault = jint(capture_of(s, "mirror"), "faults",
					    "divergence");
		}
		json_decref(s);
		sleep_ms(200);
	}
	/* at SIGTERM the capture threads hand over their last, partial
	 * intervals before the final snapshot: every datagram, to the byte
	 * (an idle link delivers no interval before that: libpcap's
	 * TPACKET_V3 read timeout only runs once a packet arrived) */
	cr_assert_eq(kill(daemon_pid, SIGTERM), 0);
	cr_expect_eq(slamond_wait_exit(daemon_pid, 30), 0, "no clean stop");
	daemon_pid = 0;
	{
		json_t *s = status_load();
		json_t *w = s ? capture_of(s, "wrong") : NULL;

		cr_assert_not_null(w, "no final status");
		bytes = jint(w, "totals", "bytes");
		drops = jint(w, "totals", "drops");
		json_decref(s);
	}
	cr_log_info("wrong: %lld bytes, %lld drops, divergence %.1f%% "
		    "(fault %lld); mirror: best agreement %.2f%% (fault %lld)",
		    bytes, drops, wrong_pct, wrong_fault, mirror_best,
		    mirror_fault);
	cr_expect_eq(bytes, (long long)NPKTS * FRAME,
		     "captured %lld bytes, sent %lld", bytes,
		     (long long)NPKTS * FRAME);
	cr_expect_eq(drops, 0);
	cr_expect_gt(wrong_fault, 0, "no divergence fault in status");
	cr_expect_gt(wrong_pct, 50);
	cr_expect_lt(mirror_best, 15.0,
		     "capture and SNMP of the same veth never agreed");

	pathf(db, sizeof(db), "rrd/faults.db");
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0,
		     "%s", err);
	for (size_t i = 0; i < n; i++) {
		cr_log_info("fault %lld %s %s: %s", (long long)fs[i].id,
			    fs[i].object, fs[i].kind, fs[i].detail);
		if (strcmp(fs[i].object, "exit-rtr-1/pcap-wrong") == 0 &&
		    strcmp(fs[i].kind, "divergence") == 0) {
			found = 1;
			cr_expect_str_eq(fs[i].object_kind, "interface");
			cr_expect_str_eq(fs[i].severity, "major");
			cr_expect(strstr(fs[i].detail, "/lo") != NULL, "%s",
				  fs[i].detail);
		}
	}
	free(fs);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
	journal_close(j);
	cr_expect(found, "no divergence fault in the journal");
}

/* ---- live captures across a reload ------------------------------------ */

#define NPKTS_RELOAD 4000 /* ~10 s at the sender's pace */

static void sender_n(int npkts)
{
	static char buf[PAYLOAD];
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(9)};
	int self, s;

	alarm(60);
	self = netns_enter(lk.ns_b);
	if (self < 0)
		_exit(3);
	inet_pton(AF_INET, ADDR_A, &to.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&to, sizeof(to)) < 0)
		_exit(4);
	for (int i = 0; i < npkts; i++) {
		while (send(s, buf, sizeof(buf), 0) < 0)
			if (errno != ECONNREFUSED && errno != ENOBUFS)
				_exit(5);
		if (i % 20 == 19)
			sleep_ms(50);
	}
	_exit(0);
}

static void live_section(char *out, size_t len, const char *name,
			 const char *ifname)
{
	snprintf(out, len,
		 "[capture %s]\nifname = %s\nfilter = udp port 9\n"
		 "local = " ADDR_A "\ndevice = exit-rtr-1\ninterval = 1\n"
		 "buffer_mb = 8\n",
		 name, ifname);
}

/* A reload while traffic flows: the unchanged live capture loses nothing
 * (every datagram, to the byte, in status and in its interval records),
 * the removed one stops, the added one starts counting at once, and an
 * added capture on an interface that does not exist is an error of its
 * own. */
Test(capture_daemon, live_capture_survives_reload)
{
	static const char *const run1[] = {"steady", "old"};
	static const char *const run2[] = {"steady", "fresh"};
	const long long total = (long long)NPKTS_RELOAD * FRAME;
	char conf[4200], inv[4200], text[8192], sec[3][600], out[1 << 15],
		from[32];
	json_t *st, *t;
	long long fresh;
	int rc = 0;

	if (geteuid() != 0)
		cr_skip_test("not root: cannot create namespaces or capture");
	make_link();
	home_ns = netns_enter(lk.ns_a);
	cr_assert_geq(home_ns, 0, "enter %s: %s", lk.ns_a, strerror(errno));
	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(inv, sizeof(inv), "inv.csv");
	snprintf(text, sizeof(text), RELOAD_INV, agent_free_udp_port());
	cr_assert_eq(write_file(inv, text), 0);
	live_section(sec[0], sizeof(sec[0]), "steady", lk.veth_a);
	live_section(sec[1], sizeof(sec[1]), "old", lk.veth_a);
	snprintf(text, sizeof(text), "%s%s", sec[0], sec[1]);
	write_reload_conf(conf, text);
	snprintf(from, sizeof(from), "%lld", (long long)time(NULL) - 5);
	daemon_pid = spawn_daemon(conf, "120");
	json_decref(wait_states(run1, 2, "running"));

	sender_pid = fork();
	cr_assert_geq(sender_pid, 0);
	if (sender_pid == 0)
		sender_n(NPKTS_RELOAD);
	sleep_ms(3000);
	live_section(sec[1], sizeof(sec[1]), "fresh", lk.veth_a);
	live_section(sec[2], sizeof(sec[2]), "ghost", "nosuchif1");
	snprintf(text, sizeof(text), "%s%s%s", sec[0], sec[1], sec[2]);
	write_reload_conf(conf, text);
	cr_assert_eq(kill(daemon_pid, SIGHUP), 0);
	json_decref(wait_states(run2, 2, "running"));
	cr_assert_eq(waitpid(sender_pid, &rc, 0), sender_pid);
	sender_pid = 0;
	cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 0,
		  "sender failed (status %d)", rc);
	sleep_ms(3000); /* the last busy 1 s interval closes */
	cr_assert_eq(kill(daemon_pid, SIGTERM), 0);
	cr_expect_eq(slamond_wait_exit(daemon_pid, 30), 0, "no clean stop");
	daemon_pid = 0;

	st = status_load();
	cr_assert_not_null(st);
	cr_expect_eq(jint(capture_of(st, "steady"), "totals", "bytes"), total,
		     "the unchanged capture lost traffic across the reload");
	cr_expect_eq(jint(capture_of(st, "steady"), "totals", "drops"), 0);
	fresh = jint(capture_of(st, "fresh"), "totals", "bytes");
	cr_expect(fresh > 0 && fresh < total,
		  "the added capture counted %lld of %lld bytes", fresh,
		  total);
	cr_expect_null(capture_of(st, "old"));
	cr_expect_str_eq(json_string_value(json_object_get(
				 capture_of(st, "ghost"), "state")),
			 "error");
	json_decref(st);

	/* the records of steady's complete intervals hold every byte too */
	{
		char to[32];
		char *argv_t[] = {SLAMON, "talkers", "steady", "--from", from,
				  "--to", to, "--json", "-c", conf, NULL};
		json_t *e;

		snprintf(to, sizeof(to), "%lld", (long long)time(NULL) + 5);
		cr_assert_eq(run_cmd(argv_t, out, sizeof(out), 30), 0, "%s",
			     out);
		t = json_loads(out, 0, NULL);
		cr_assert_not_null(t, "%s", out);
		cr_expect_eq(jint(t, "bytes", NULL), total);
		cr_expect_eq(jint(t, "drops", NULL), 0);
		e = json_array_get(json_object_get(t, "local"), 0);
		cr_expect_str_eq(json_string_value(json_object_get(e, "addr")),
				 ADDR_A);
		cr_expect_eq(jint(e, "bytes", NULL), total);
		e = json_array_get(json_object_get(t, "ports"), 0);
		cr_expect_str_eq(json_string_value(json_object_get(e, "port")),
				 "udp/9");
		json_decref(t);
	}
}

/* ---- a reload without CAP_NET_RAW ------------------------------------- */

/* slamond as nobody: what a daemon that dropped its privileges sees. */
static pid_t spawn_unprivileged(const char *conf, const char *log)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	{
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
		    setuid(65534) < 0)
			_exit(126);
		execl(SLAMOND, "slamond", "-c", conf, "--duration", "60",
		      (char *)NULL);
		_exit(127);
	}
}

/* A live capture added by a reload when slamond has no CAP_NET_RAW (as
 * after a privilege drop): the error names the capture, its file:line and
 * the reason, the capture is listed as "error", the running file capture
 * and the daemon go on. */
Test(capture_daemon, reload_without_cap_net_raw_names_the_capture)
{
	static const char *const file_only[] = {"sflow"};
	char conf[4200], inv[4200], log[4200], text[4096], sec[2][1200];
	json_t *st, *c;
	char *logtext = NULL;

	if (geteuid() != 0)
		cr_skip_test("not root: cannot start slamond as another user");
	cr_assert_eq(chmod(tmp, 0777), 0);
	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(inv, sizeof(inv), "inv.csv");
	pathf(log, sizeof(log), "slamond.log");
	snprintf(text, sizeof(text), RELOAD_INV, agent_free_udp_port());
	cr_assert_eq(write_file(inv, text), 0);
	file_section(sec[0], sizeof(sec[0]), "sflow", "");
	write_reload_conf(conf, sec[0]);
	daemon_pid = spawn_unprivileged(conf, log);
	cr_assert_gt(daemon_pid, 0);
	json_decref(wait_states(file_only, 1, "done"));

	snprintf(sec[1], sizeof(sec[1]),
		 "[capture late]\nifname = nosuchif2\nlocal = 10.0.0.0/8\n"
		 "device = exit-rtr-1\n");
	snprintf(text, sizeof(text), "%s%s", sec[0], sec[1]);
	write_reload_conf(conf, text);
	cr_assert_eq(kill(daemon_pid, SIGHUP), 0);
	for (int i = 0; i < 100; i++) {
		st = status_load();
		c = st ? capture_of(st, "late") : NULL;
		if (c != NULL)
			break;
		json_decref(st);
		st = NULL;
		sleep_ms(150);
	}
	cr_assert_not_null(st, "the added capture never showed in status");
	cr_expect_str_eq(json_string_value(json_object_get(c, "state")),
			 "error");
	cr_expect_str_eq(json_string_value(json_object_get(
				 capture_of(st, "sflow"), "state")),
			 "done");
	json_decref(st);
	cr_assert_eq(waitpid(daemon_pid, NULL, WNOHANG), 0,
		     "slamond died after the reload");
	cr_assert_eq(kill(daemon_pid, SIGTERM), 0);
	cr_expect_eq(slamond_wait_exit(daemon_pid, 30), 0, "no clean stop");
	daemon_pid = 0;
	logtext = file_slurp(log);
	cr_assert_not_null(logtext);
	/* [general] 5 lines, [profile] 3, sflow 5: line 14 */
	cr_expect(strstr(logtext, "slamon.conf:14: [capture late]: ") != NULL,
		  "%s", logtext);
	cr_expect(strstr(logtext, "lack CAP_NET_RAW: restart slamond to open "
				  "it; the other captures keep running") !=
			  NULL,
		  "%s", logtext);
	free(logtext);
}
