/*
 * test_capture_daemon.c - [capture NAME] links in slamond (issue 6): a
 * file capture replayed at start shows in status.json and in `slamon
 * status` and writes its RRD file; a live capture on a veth pair of the
 * test's own namespaces counts a known volume to the byte, agrees with
 * SNMP for the same interface, and raises a "divergence" fault (journal
 * and status) when cross-checked with an interface that carries other
 * traffic.
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
static char ns_a[32], ns_b[32], veth_a[16], veth_b[16];
static int made_a, made_b, home_ns = -1;
static pid_t daemon_pid, sender_pid;
static struct agent snmpd;

/* ---- helpers ------------------------------------------------------- */

static void pathf(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
}

/* Runs a command (no shell) with output to /dev/null; its exit status,
 * or -1. */
static int run(const char *const *argv)
{
	char *v[32];
	size_t n = 0;

	while (argv[n] && n < 31) {
		v[n] = (char *)(uintptr_t)argv[n]; /* run_cmd's prototype */
		n++;
	}
	v[n] = NULL;
	return run_cmd(v, NULL, 0, 30);
}

#define RUN(...) run((const char *const[]){__VA_ARGS__, NULL})

static int enter_ns(const char *name)
{
	char path[128];
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd;

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		if (self >= 0)
			close(self);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return self;
}

static void write_proc(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			cr_log_warn("%s: %s", path, strerror(errno));
		close(fd);
	}
}

static void ns_no_ipv6(const char *name)
{
	int self = enter_ns(name);

	cr_assert_geq(self, 0, "enter %s: %s", name, strerror(errno));
	write_proc("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	write_proc("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	cr_assert_eq(setns(self, CLONE_NEWNET), 0);
	close(self);
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

static void setup(void)
{
	pid_t me = getpid();

	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-capd-"), 0);
	snprintf(ns_a, sizeof(ns_a), "slamon-capd-a-%d", (int)me);
	snprintf(ns_b, sizeof(ns_b), "slamon-capd-b-%d", (int)me);
	snprintf(veth_a, sizeof(veth_a), "scd%da", (int)me);
	snprintf(veth_b, sizeof(veth_b), "scd%db", (int)me);
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
	if (made_a)
		RUN("ip", "netns", "del", ns_a);
	if (made_b)
		RUN("ip", "netns", "del", ns_b);
	made_a = made_b = 0;
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
	pathf(rrd, sizeof(rrd), "rrd/exit-rtr-1/if-pcap-sflow.rrd");
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
}

/* ---- live source ----------------------------------------------------- */

static void make_link(void)
{
	if (RUN("ip", "netns", "add", ns_a) != 0)
		cr_skip_test("cannot create network namespaces here (`ip netns "
			     "add` failed); live capture in slamond not "
			     "tested");
	made_a = 1;
	cr_assert_eq(RUN("ip", "netns", "add", ns_b), 0);
	made_b = 1;
	ns_no_ipv6(ns_a);
	ns_no_ipv6(ns_b);
	cr_assert_eq(RUN("ip", "link", "add", veth_a, "netns", ns_a, "address",
			 MAC_A, "type", "veth", "peer", "name", veth_b,
			 "netns", ns_b, "address", MAC_B),
		     0, "veth pair");
	cr_assert_eq(RUN("ip", "-n", ns_a, "addr", "add", ADDR_A "/24", "dev",
			 veth_a),
		     0);
	cr_assert_eq(RUN("ip", "-n", ns_b, "addr", "add", ADDR_B "/24", "dev",
			 veth_b),
		     0);
	cr_assert_eq(RUN("ip", "-n", ns_a, "neigh", "add", ADDR_B, "lladdr",
			 MAC_B, "dev", veth_a, "nud", "permanent"),
		     0);
	cr_assert_eq(RUN("ip", "-n", ns_b, "neigh", "add", ADDR_A, "lladdr",
			 MAC_A, "dev", veth_b, "nud", "permanent"),
		     0);
	cr_assert_eq(RUN("ip", "-n", ns_a, "link", "set", "lo", "up"), 0);
	cr_assert_eq(RUN("ip", "-n", ns_a, "link", "set", veth_a, "up"), 0);
	cr_assert_eq(RUN("ip", "-n", ns_b, "link", "set", veth_b, "up"), 0);
}

/* The sender, in a child: NPKTS datagrams from ns_b to ns_a at a steady
 * ~400 per second (~3.3 Mbit/s for 60 s: two 20 s cross-check windows
 * after slamond's first SNMP rates), bounded by alarm(). */
static void sender(void)
{
	static char buf[PAYLOAD];
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(9)};
	int self, s;

	alarm(150);
	self = enter_ns(ns_b);
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
		 port, veth_a);
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
		 veth_a, veth_a, veth_a);
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
	home_ns = enter_ns(ns_a);
	cr_assert_geq(home_ns, 0, "enter %s: %s", ns_a, strerror(errno));
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
