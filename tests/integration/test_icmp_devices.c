/*
 * test_icmp_devices.c - devices of the inventory's probe "icmp" (cameras,
 * IoT terminals; issue 13) polled by slamond's ICMP sweep across a veth
 * pair of the test's own network namespaces:
 *
 *   ns a (slamond, 10.77.0.1)  ──veth──  ns b (the "cameras")
 *
 * In ns b the kernel does not answer echo requests (icmp_echo_ignore_all)
 * and a responder of the test's (a raw socket per address, forked into
 * ns b) answers instead: every echo to 10.77.0.2-.4, one in four to
 * 10.77.0.5 (the lossy camera: a deterministic 75 % loss, so that every
 * poll of 4 echoes gets one answer and a poll of one echo would fail 3
 * times in a row; this kernel has no netem qdisc and no nft/iptables is
 * installed), none to .20, .30 and .31, which ns b does not even own.
 * Asserts: the answering devices up, the lossy one never down (judged on
 * 4 echoes, up on 1) and shown with its 75 % loss, the silent ones down only after down_after polls, the
 * camera behind a silent aggregation switch unreachable, not down; the
 * device RRD file written. Needs root (namespaces, raw sockets).
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "netns.h"
#include "slamond_run.h"

#define IV 5.0
#define DOWN_AFTER 2

static char tmp[4096];
static struct veth_link lk = { .addr_a = "10.77.0.1", .addr_b = "10.77.0.2",
			       .mac_a = "02:77:00:00:00:01",
			       .mac_b = "02:77:00:00:00:02" };
static pid_t daemon_pid, responder_pid;

/* Answered by the responder (the last one one echo in four). */
static const char *const answering[] = { "10.77.0.2", "10.77.0.3",
					 "10.77.0.4", "10.77.0.5" };
#define LOSSY "10.77.0.5"
/* Routed to ns b, which drops them. */
static const char *const silent[] = { "10.77.0.20", "10.77.0.30",
				      "10.77.0.31" };

static void stop_pid(pid_t *p)
{
	if (*p > 0) {
		kill(*p, SIGKILL);
		waitpid(*p, NULL, 0);
		*p = 0;
	}
}

static void setup(void)
{
	daemon_pid = responder_pid = 0;
	veth_link_names(&lk, "icmpd", "icd");
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-icmpd-"), 0);
	cr_assert_eq(chmod(tmp, 0755), 0);
}

static void teardown(void)
{
	stop_pid(&daemon_pid);
	stop_pid(&responder_pid);
	veth_link_remove(&lk);
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(icmp_devices, .init = setup, .fini = teardown, .timeout = 180);

static void pathf(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
}

static int sh(const char *cmd)
{
	char *argv[] = { "/bin/sh", "-c", (char *)(uintptr_t)cmd, NULL };

	return run_cmd(argv, NULL, 0, 30);
}

/* ---- the responder, in ns b ------------------------------------------ */

static uint16_t cksum(const uint8_t *b, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* Child: one raw socket bound to each answering address (its replies
 * leave from that address); at most 170 s, gone with the test. */
static void responder(const char *ns)
{
	struct pollfd pf[4];
	unsigned seen[4] = { 0 };
	time_t end = time(NULL) + 170;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (netns_enter(ns) < 0)
		_exit(2);
	for (int k = 0; k < 4; k++) {
		struct sockaddr_in sa = { .sin_family = AF_INET };

		inet_pton(AF_INET, answering[k], &sa.sin_addr);
		pf[k].fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		pf[k].events = POLLIN;
		if (pf[k].fd < 0 ||
		    bind(pf[k].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(3);
	}
	while (time(NULL) < end) {
		if (poll(pf, 4, 1000) <= 0)
			continue;
		for (int k = 0; k < 4; k++) {
			uint8_t buf[1500];
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n;
			size_t off;
			uint16_t ck;

			if (!(pf[k].revents & POLLIN))
				continue;
			n = recvfrom(pf[k].fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);
			if (n < 28)
				continue;
			off = (size_t)(buf[0] & 0x0f) * 4;
			if (off + 8 > (size_t)n || buf[off] != ICMP_ECHO)
				continue;
			/* the lossy camera answers one echo in four */
			if (strcmp(answering[k], LOSSY) == 0 && seen[k]++ % 4)
				continue;
			buf[off] = ICMP_ECHOREPLY;
			buf[off + 2] = buf[off + 3] = 0;
			ck = cksum(buf + off, (size_t)n - off);
			memcpy(buf + off + 2, &ck, 2);
			(void)sendto(pf[k].fd, buf + off, (size_t)n - off, 0,
				     (struct sockaddr *)&from, fl);
		}
	}
	_exit(0);
}

/* ---- the network ------------------------------------------------------ */

static void make_network(void)
{
	char cmd[512];
	int self;

	veth_link_make(&lk, "cannot create network namespaces here (`ip netns "
			    "add` failed)");
	for (size_t k = 1; k < sizeof(answering) / sizeof(answering[0]); k++) {
		snprintf(cmd, sizeof(cmd),
			 "ip -n %s addr add %s/32 dev %s && ip -n %s neigh add "
			 "%s lladdr %s dev %s nud permanent",
			 lk.ns_b, answering[k], lk.veth_b, lk.ns_a,
			 answering[k], lk.mac_b, lk.veth_a);
		cr_assert_eq(sh(cmd), 0, "%s", cmd);
	}
	for (size_t k = 0; k < sizeof(silent) / sizeof(silent[0]); k++) {
		snprintf(cmd, sizeof(cmd),
			 "ip -n %s neigh add %s lladdr %s dev %s nud permanent",
			 lk.ns_a, silent[k], lk.mac_b, lk.veth_a);
		cr_assert_eq(sh(cmd), 0, "%s", cmd);
	}
	/* ns b: the kernel stays silent, the responder answers */
	self = netns_enter(lk.ns_b);
	cr_assert_geq(self, 0);
	{
		int fd = open("/proc/sys/net/ipv4/icmp_echo_ignore_all",
			      O_WRONLY);

		cr_assert_geq(fd, 0);
		cr_assert_eq(write(fd, "1", 1), 1);
		close(fd);
	}
	netns_leave(self);
	responder_pid = fork();
	cr_assert_geq(responder_pid, 0);
	if (responder_pid == 0)
		responder(lk.ns_b);
}

/* ---- slamond ---------------------------------------------------------- */

static void write_files(void)
{
	char path[4200];

	pathf(path, sizeof(path), "slamon.conf");
	cr_assert_eq(write_file(path,
		"[general]\ninventory = inv.csv\nstorage_dir = st\n"
		"interval = 5\ndown_after = 2\nup_after = 2\n"
		"log_level = info\n"
		"[icmp]\ncount = 4\nspacing_ms = 300\ntimeout_ms = 800\n"
		"rate_pps = 1000\nmin_replies = 1\n"), 0);
	pathf(path, sizeof(path), "inv.csv");
	cr_assert_eq(write_file(path,
		"单位,设备名称,地址,角色,上级设备,凭据,标签,探测方式\n"
		"区公安分局,cam-up-1,10.77.0.2,camera,,,视频,icmp\n"
		"区公安分局,agg-up,10.77.0.4,aggregation,,,,icmp\n"
		"区公安分局,cam-up-2,10.77.0.3,camera,agg-up,,视频,icmp\n"
		"区公安分局,cam-lossy,10.77.0.5,camera,agg-up,,视频,icmp\n"
		"区城管局,iot-dead,10.77.0.20,iot,,,,icmp\n"
		"区城管局,agg-dead,10.77.0.30,aggregation,,,,icmp\n"
		"区城管局,cam-behind,10.77.0.31,camera,agg-dead,,视频,icmp\n"),
		     0);
}

static json_t *status_load(void)
{
	char path[4200];

	pathf(path, sizeof(path), "st/status.json");
	return json_load_file(path, 0, NULL);
}

/* The entry of device name in the snapshot's down list, or NULL. */
static json_t *down_entry(json_t *st, const char *name)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(st, "down"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "device")),
			   name) == 0)
			return e;
	return NULL;
}

static const char *state_of(json_t *st, const char *name)
{
	json_t *e = down_entry(st, name);

	return e ? json_string_value(json_object_get(e, "state")) : "up?";
}

static double role_count(json_t *st, const char *role, const char *state)
{
	return (double)json_integer_value(json_object_get(
		json_object_get(json_object_get(st, "roles"), role), state));
}

Test(icmp_devices, answering_up_lossy_not_down_silent_down_child_unreachable)
{
	char conf[4200], log[4200], rrd[4200];
	const char *const extra[] = { "--duration", "150", NULL };
	double start, seen_down = 0, lossy_pct = -1;
	json_t *st = NULL;
	int home, settled = 0;

	if (geteuid() != 0)
		cr_skip_test("not root: cannot create namespaces");
	make_network();
	write_files();
	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(log, sizeof(log), "slamond.log");
	cr_assert_eq(slamond_conf_stay_root(conf), 0);
	home = netns_enter(lk.ns_a);
	cr_assert_geq(home, 0);
	start = wall_now();
	daemon_pid = slamond_spawn(conf, log, extra);
	netns_leave(home);
	cr_assert(daemon_pid > 0);

	/* watch for 5 intervals after the outages settle */
	for (int i = 0; i < 600 && settled < 50; i++) {
		json_t *lossy;
		size_t k;

		usleep(200000);
		cr_assert_eq(waitpid(daemon_pid, NULL, WNOHANG), 0,
			     "slamond exited (see %s)", log);
		json_decref(st);
		st = status_load();
		if (st == NULL)
			continue;
		cr_assert_null(down_entry(st, "cam-lossy"),
			       "the lossy camera went down (see %s)", log);
		cr_assert_null(down_entry(st, "cam-up-1"));
		cr_assert_null(down_entry(st, "agg-up"));
		json_array_foreach(json_object_get(json_object_get(st, "icmp"),
						   "lossy"),
				   k, lossy)
			if (strcmp(json_string_value(json_object_get(
					   lossy, "device")),
				   "cam-lossy") == 0)
				lossy_pct = json_number_value(
					json_object_get(lossy, "loss_pct"));
		if (seen_down == 0 && down_entry(st, "iot-dead"))
			seen_down = wall_now();
		if (down_entry(st, "iot-dead") && down_entry(st, "agg-dead") &&
		    down_entry(st, "cam-behind") &&
		    role_count(st, "camera", "up") == 3)
			settled++;
	}
	cr_assert_geq(settled, 50, "outages not settled in time (see %s)", log);
	cr_assert_str_eq(state_of(st, "iot-dead"), "down");
	cr_assert_str_eq(state_of(st, "agg-dead"), "down");
	cr_assert_str_eq(state_of(st, "cam-behind"), "unreachable",
			 "a camera behind a down switch is unreachable");
	cr_assert_str_eq(json_string_value(json_object_get(
				 down_entry(st, "iot-dead"), "probe")),
			 "icmp");
	cr_assert_str_eq(json_string_value(json_object_get(
				 down_entry(st, "cam-behind"), "parent")),
			 "agg-dead");
	/* not down on one failed cycle: down_after of them (its "since"
	 * is the first failure's time; the state changes later) */
	cr_assert_geq(seen_down, start + IV * (DOWN_AFTER - 1),
		      "down %.1f s after start", seen_down - start);
	/* three echoes of four lost: every poll */
	cr_assert_float_eq(lossy_pct, 75, 1e-6, "cam-lossy loss %.1f",
			   lossy_pct);
	cr_assert_eq(role_count(st, "camera", "up"), 3);
	cr_assert_eq(role_count(st, "camera", "unreachable"), 1);
	cr_assert_eq(role_count(st, "aggregation", "up"), 1);
	cr_assert_eq(role_count(st, "aggregation", "down"), 1);
	cr_assert_eq(role_count(st, "iot", "down"), 1);
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(st, "icmp"), "answering")),
		     4);
	cr_assert_gt(json_number_value(json_object_get(
			     json_object_get(st, "icmp"), "rtt_avg_ms")),
		     0);
	json_decref(st);
	/* the device file, as for an SNMP device */
	pathf(rrd, sizeof(rrd), "st/cam-up-1");
	cr_assert_eq(access(rrd, F_OK), 0, "no %s", rrd);
	kill(daemon_pid, SIGTERM);
	cr_assert_eq(slamond_wait_exit(daemon_pid, 20), 0);
	daemon_pid = 0;
}
