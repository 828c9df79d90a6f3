/*
 * test_pcap_live.c - live capture accuracy: two network namespaces made by
 * this test, joined by a veth pair; a forked sender in one namespace sends
 * a known, bounded volume of UDP to the other, where the capture probe
 * listens (TPACKET_V3, snaplen 128, direction in). The bytes the probe
 * counts must equal the kernel's rx_bytes of that veth end (within 0.5%,
 * the bound; in practice exact), with no drops reported.
 *
 * IPv6 is disabled and the neighbour entry is static in both namespaces,
 * so nothing but the test's own datagrams crosses the link. Every name
 * carries the test's PID; .fini deletes both namespaces (their veth ends go
 * with them) and kills the sender by PID if it is still running.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "probes/pcap.h"

#define NPKTS 20000
#define PAYLOAD 1000
#define ADDR_A "192.0.2.1" /* TEST-NET-1, only inside our namespaces */
#define ADDR_B "192.0.2.2"
#define MAC_A "02:00:00:00:0a:01"
#define MAC_B "02:00:00:00:0b:01"

static struct veth_link lk = {.addr_a = ADDR_A, .addr_b = ADDR_B,
			      .mac_a = MAC_A, .mac_b = MAC_B};
static pid_t sender_pid;
static struct capture_live *cap;

/* Runs a command (no shell); returns its exit status, -1 if it could not
 * run. Output goes to /dev/null unless out is given (first line). */
static int run(char *out, size_t outlen, const char *const *argv)
{
	int fd[2], st;
	pid_t pid;

	if (pipe(fd) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		char *v[32];
		size_t n = 0;

		while (argv[n] && n < 31)
			n++;
		memcpy(v, argv, n * sizeof(*v)); /* execvp's prototype */
		v[n] = NULL;
		dup2(out ? fd[1] : null, 1);
		dup2(null, 2);
		close(fd[0]);
		execvp(v[0], v);
		_exit(127);
	}
	close(fd[1]);
	if (out) {
		FILE *f = fdopen(fd[0], "r");

		if (!f || !fgets(out, (int)outlen, f))
			out[0] = '\0';
		if (f)
			fclose(f);
		else
			close(fd[0]);
	} else {
		close(fd[0]);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define RUN(...) run(NULL, 0, (const char *const[]){__VA_ARGS__, NULL})

static void setup(void)
{
	veth_link_names(&lk, "cap", "slc");
}

static void teardown(void)
{
	capture_live_destroy(cap);
	cap = NULL;
	if (sender_pid > 0) {
		kill(sender_pid, SIGKILL);
		waitpid(sender_pid, NULL, 0);
		sender_pid = 0;
	}
	veth_link_remove(&lk);
}

static void make_link(void)
{
	veth_link_make(&lk, "cannot create network namespaces here (`ip netns "
			    "add` failed: needs root/CAP_SYS_ADMIN); live "
			    "capture accuracy not tested");
}

/* rx_bytes of lk.veth_a, read inside lk.ns_a (ip netns exec mounts its /sys). */
static unsigned long long rx_bytes(void)
{
	char path[128], out[64] = "";

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_bytes",
		 lk.veth_a);
	cr_assert_eq(run(out, sizeof(out),
			 (const char *const[]){"ip", "netns", "exec", lk.ns_a,
					       "cat", path, NULL}),
		     0, "read %s", path);
	return strtoull(out, NULL, 10);
}

/* The sender, in a child: NPKTS datagrams from lk.ns_b to lk.ns_a, paced a
 * little so the capture ring never overflows; bounded by alarm(). */
static void sender(void)
{
	static char buf[PAYLOAD];
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(9)};
	int s;

	alarm(30);
	if (netns_enter(lk.ns_b) < 0)
		_exit(3);
	inet_pton(AF_INET, ADDR_A, &to.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&to, sizeof(to)) < 0)
		_exit(4);
	for (int i = 0; i < NPKTS; i++) {
		/* ICMP port unreachable from lk.ns_a may surface as
		 * ECONNREFUSED on the next send: the datagram still left */
		while (send(s, buf, sizeof(buf), 0) < 0) {
			if (errno != ECONNREFUSED && errno != ENOBUFS)
				_exit(5);
		}
		if (i % 200 == 199)
			usleep(2000);
	}
	_exit(0);
}

struct tally {
	pthread_mutex_t lock;
	struct capture_counts in, total;
	uint64_t drops, ifdrops, intervals, stats_valid, complete;
};

static struct tally tally = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void on_interval(void *arg, const struct capture_interval *iv)
{
	struct tally *t = arg;

	pthread_mutex_lock(&t->lock);
	t->in.packets += iv->dir[CAPTURE_DIR_IN].packets;
	t->in.bytes += iv->dir[CAPTURE_DIR_IN].bytes;
	t->total.packets += iv->total.packets;
	t->total.bytes += iv->total.bytes;
	t->drops += iv->drops;
	t->ifdrops += iv->ifdrops;
	t->intervals++;
	t->stats_valid += (uint64_t)iv->stats_valid;
	t->complete += (uint64_t)iv->complete;
	pthread_mutex_unlock(&t->lock);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

Test(pcap_live, veth_bytes_match_kernel_counters, .init = setup,
     .fini = teardown, .timeout = 120)
{
	static struct capture_prefixes local;
	struct capture_live_config cfg = {
		.snaplen = 128,
		.buffer_bytes = 16 * 1024 * 1024,
		.direction = CAPTURE_CAPDIR_IN,
		.filter = "",
		.opt = {.local = &local, .interval_s = 1, .top_n = 5},
	};
	unsigned long long rx0, rx1, kernel;
	char err[256];
	int self, st = 0, waited = 0;
	double diff;

	if (geteuid() != 0)
		cr_skip_test("not root: cannot create network namespaces; "
			     "live capture accuracy not tested");
	make_link();
	cr_assert_eq(capture_prefixes_add(&local, ADDR_A "/32", err,
					  sizeof(err)),
		     0);
	cfg.ifname = lk.veth_a;

	/* open inside lk.ns_a (the handle stays bound to that interface) */
	self = netns_enter(lk.ns_a);
	cr_assert_geq(self, 0, "enter %s: %s", lk.ns_a, strerror(errno));
	st = capture_live_open(&cfg, &cap, err, sizeof(err));
	netns_leave(self);
	cr_assert_eq(st, 0, "capture_live_open: %s", err);
	cr_assert_eq(capture_live_start(cap, on_interval, &tally), 0);
	cr_assert_eq(capture_live_start(cap, on_interval, &tally), -EALREADY);

	rx0 = rx_bytes();
	sender_pid = fork();
	cr_assert_geq(sender_pid, 0);
	if (sender_pid == 0)
		sender();
	while (waitpid(sender_pid, &st, WNOHANG) == 0 && waited < 30000) {
		sleep_ms(50);
		waited += 50;
	}
	cr_assert(waited < 30000, "sender did not finish in 30 s");
	sender_pid = 0;
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "sender failed (status %d)", st);
	sleep_ms(500); /* > 2 ring block timeouts: everything delivered */
	rx1 = rx_bytes();
	capture_live_stop(cap);
	cr_expect_str_eq(capture_live_error(cap), "");

	kernel = rx1 - rx0;
	diff = kernel ? ((double)tally.total.bytes - (double)kernel) /
				(double)kernel
		      : 1.0;
	cr_log_info("kernel rx_bytes %llu, captured %llu bytes in %llu "
		    "packets over %llu intervals, drops %llu/%llu",
		    kernel, (unsigned long long)tally.total.bytes,
		    (unsigned long long)tally.total.packets,
		    (unsigned long long)tally.intervals,
		    (unsigned long long)tally.drops,
		    (unsigned long long)tally.ifdrops);
	cr_expect_geq(kernel, (unsigned long long)NPKTS * (PAYLOAD + 42));
	cr_expect_lt(diff < 0 ? -diff : diff, 0.005,
		     "captured %llu vs kernel %llu bytes",
		     (unsigned long long)tally.total.bytes, kernel);
	cr_expect_eq(tally.total.packets, NPKTS);
	cr_expect_eq(tally.in.packets, NPKTS, "all to the local /32: in");
	cr_expect_eq(tally.in.bytes, (uint64_t)NPKTS * (PAYLOAD + 42));
	cr_expect_eq(tally.drops, 0, "kernel ring drops");
	cr_expect_eq(tally.stats_valid, tally.intervals);
	cr_expect_eq(tally.intervals, tally.complete + 1,
		     "only the last interval is partial");
}

Test(pcap_live, open_errors_are_clear, .init = setup, .fini = teardown,
     .timeout = 30)
{
	struct capture_live_config cfg = {.ifname = "slamon-nonexist0"};
	char err[256];
	int rc;

	if (geteuid() != 0)
		cr_skip_test("not root: live capture needs CAP_NET_RAW");
	rc = capture_live_open(&cfg, &cap, err, sizeof(err));
	cr_expect_lt(rc, 0);
	cr_expect_null(cap);
	cr_expect(strstr(err, "slamon-nonexist0") != NULL, "%s", err);

	cfg.ifname = "lo";
	cfg.filter = "this is not bpf";
	rc = capture_live_open(&cfg, &cap, err, sizeof(err));
	cr_expect_eq(rc, -EINVAL);
	cr_expect(strstr(err, "filter") != NULL, "%s", err);

	/* a good handle on loopback starts and stops promptly with no
	 * traffic at all: the final partial interval is still delivered */
	cfg.filter = "udp port 9";
	cfg.opt.interval_s = 1;
	cr_assert_eq(capture_live_open(&cfg, &cap, err, sizeof(err)), 0, "%s",
		     err);
	memset(&tally.in, 0, sizeof(tally.in));
	tally.intervals = tally.complete = 0;
	cr_assert_eq(capture_live_start(cap, on_interval, &tally), 0);
	sleep_ms(1300);
	capture_live_stop(cap);
	cr_expect_geq(tally.intervals, 1);
	cr_expect_eq(tally.intervals, tally.complete + 1);
}
