/*
 * pcap_bench.c - the packet-capture benchmark of slamon (issue 6).
 *
 * Offline (default):
 *   pcap_bench [--packets N] [--snaplen S] [--remotes N] [--reps R]
 *              [--file PATH] [--keep] [--reuse] [--no-tcpdump]
 * writes a deterministic capture of N Ethernet/IPv4 TCP+UDP frames (a mix
 * of sizes, some 802.1Q and 802.1ad+802.1Q tagged, snap length S, 0 = whole
 * frames; local 10.0.0.0/20 talks with N remote addresses of
 * 198.18.0.0/15, default 65,536) with pcap_dump, then times over that file, R times each, in turn:
 *   - the floor: a bare pcap_next_ex loop (touches each record's header
 *     and first byte, nothing else);
 *   - slamon: capture_file_account (decode + accounting by direction,
 *     protocol, top ports, top talkers, 60 s intervals), as
 *     `slamon pcap-stats` and the daemon's file source run it (the report
 *     adds the state of the whole-file top-talker summary: evictions and
 *     the largest error bound listed);
 *   - `tcpdump -r FILE -w /dev/null` (fork/exec; wall time from
 *     clock_gettime, CPU from wait4's rusage of the child).
 * The best wall time of each is kept; prints a markdown table with
 * packets/s, CPU and the ratios slamon/floor (target <= 1.5) and
 * slamon/tcpdump. --keep leaves the file; --reuse reads a file of that
 * path already there (written by an earlier --keep run with the same
 * options) instead of writing it; --no-tcpdump leaves tcpdump out
 * (bench/pcap_run.sh --baseline runs two builds in turn this way).
 *
 * Live:
 *   pcap_bench --live IFNAME --peer-ns NS --dst ADDR [--rates LIST]
 *              [--secs S] [--payload B]
 * run inside the capture's network namespace (bench/pcap_run.sh uses
 * `ip netns exec`): opens IFNAME with capture_live_open (TPACKET_V3,
 * snaplen 128, 32 MiB ring, direction in, 1 s intervals) and starts it;
 * then per rate of LIST (packets/s; 0 = as fast as the sender goes) forks
 * a sender that enters namespace NS (/var/run/netns/NS) and sends UDP
 * datagrams of B payload bytes (default 18: 60-byte frames, 64 with FCS)
 * to ADDR port 9 for S seconds, paced, with sendmmsg. Each step is
 * bounded: at most rate x S packets (0: 4,000,000 x S) and S + 1 seconds
 * (alarm() at S + 5 as a backstop; the parent kills the sender by PID
 * after S + 10). After each step it waits for an interval flush and reads
 * capture_live_totals (ps_drop, ps_ifdrop), the veth's rx_packets and
 * rx_dropped, and prints one row of a markdown table.
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probes/pcap.h"

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + tv->tv_usec / 1e6;
}

static double rusage_cpu(const struct rusage *ru)
{
	return tv_s(&ru->ru_utime) + tv_s(&ru->ru_stime);
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- generated capture ------------------------------------------------- */

/* xorshift64*: deterministic, the same file on every machine */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t ip_csum(const uint8_t *h, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

struct gen_stats {
	uint64_t packets, bytes, tcp, udp, vlan, qinq, file_bytes;
};

/* Frame length on the wire without FCS, before VLAN tags: 40% minimum
 * size (ACKs, DNS), 15% 128..575, 10% 576..1399, 35% full 1514. */
static uint32_t pick_len(void)
{
	uint32_t r = rnd() % 100;

	if (r < 40)
		return 60 + rnd() % 7;
	if (r < 55)
		return 128 + rnd() % 448;
	if (r < 65)
		return 576 + rnd() % 824;
	return 1514;
}

/* Writes the capture to path, or with dump 0 only fills *gs as writing
 * it would (the generator is deterministic). */
static int write_capture(const char *path, uint64_t n, int snaplen,
			 uint32_t nremote, int dump, struct gen_stats *gs)
{
	static const uint16_t tcp_svc[] = {443, 443, 443, 80, 80, 22, 25, 993,
					   8080, 3306};
	static const uint16_t udp_svc[] = {53, 53, 443, 123, 161, 514, 4789,
					   9};
	static uint8_t frame[1514 + 8];
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(
		DLT_EN10MB, snaplen > 0 ? snaplen : 65535,
		PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d = NULL;
	uint64_t t_us = 1764000000ULL * 1000000ULL; /* 2025-11-24 16:00 UTC */
	struct stat st;

	if (!dead)
		return -1;
	if (dump)
		d = pcap_dump_open(dead, path);
	if (dump && !d) {
		fprintf(stderr, "pcap_dump_open %s: %s\n", path,
			pcap_geterr(dead));
		pcap_close(dead);
		return -1;
	}
	memset(gs, 0, sizeof(*gs));
	for (uint64_t i = 0; i < n; i++) {
		struct pcap_pkthdr h;
		uint32_t base = pick_len(), r = rnd() % 100, len, off = 12;
		int tcp = rnd() % 100 < 62, out = rnd() & 1;
		uint32_t local = 0x0a000000u | (rnd() % 4096);        /* 10/8 */
		uint32_t remote = 0xc6120000u | (rnd() % nremote); /* 198.18/15 */
		uint16_t svc = tcp ? tcp_svc[rnd() % 10] : udp_svc[rnd() % 8];
		uint16_t eph = (uint16_t)(32768 + rnd() % 28000);
		uint8_t *ip;

		if (rnd() % 50 == 0) /* 2%: some other service port */
			svc = (uint16_t)(1024 + rnd() % 30000);
		/* MACs */
		memcpy(frame, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02",
		       12);
		len = base;
		if (r < 10) { /* 802.1Q */
			put16(frame + off, 0x8100);
			put16(frame + off + 2, (uint16_t)(100 + rnd() % 8));
			off += 4;
			len += 4;
			gs->vlan++;
		} else if (r < 12) { /* QinQ: 802.1ad outer, 802.1Q inner */
			put16(frame + off, 0x88a8);
			put16(frame + off + 2, 2000);
			put16(frame + off + 4, 0x8100);
			put16(frame + off + 6, (uint16_t)(100 + rnd() % 8));
			off += 8;
			len += 8;
			gs->qinq++;
		}
		put16(frame + off, 0x0800);
		off += 2;
		ip = frame + off;
		memset(ip, 0, len - off);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(len - off));
		put16(ip + 4, (uint16_t)i);
		ip[8] = 64;
		ip[9] = tcp ? 6 : 17;
		{
			uint32_t s = htonl(out ? local : remote);
			uint32_t dd = htonl(out ? remote : local);

			memcpy(ip + 12, &s, 4);
			memcpy(ip + 16, &dd, 4);
		}
		put16(ip + 10, ip_csum(ip, 20));
		/* ports: the local side is the server half of the time */
		put16(ip + 20, out ? eph : svc);
		put16(ip + 22, out ? svc : eph);
		if (tcp) {
			ip[32] = 0x50; /* data offset 5 */
			ip[33] = 0x10; /* ACK */
			put16(ip + 34, 65535);
			gs->tcp++;
		} else {
			put16(ip + 24, (uint16_t)(len - off - 20));
			gs->udp++;
		}
		t_us += 50 + rnd() % 100; /* ~10k packets/s: 60 s intervals */
		h.ts.tv_sec = (time_t)(t_us / 1000000);
		h.ts.tv_usec = (suseconds_t)(t_us % 1000000);
		h.len = len;
		h.caplen = snaplen > 0 && len > (uint32_t)snaplen
				   ? (uint32_t)snaplen
				   : len;
		if (d)
			pcap_dump((u_char *)d, &h, frame);
		gs->packets++;
		gs->bytes += len;
	}
	if (d && pcap_dump_flush(d) < 0) {
		fprintf(stderr, "%s: write failed\n", path);
		pcap_dump_close(d);
		pcap_close(dead);
		return -1;
	}
	if (d)
		pcap_dump_close(d);
	pcap_close(dead);
	if (stat(path, &st) == 0)
		gs->file_bytes = (uint64_t)st.st_size;
	return 0;
}

/* ---- the three readers ------------------------------------------------- */

struct run_result {
	double wall, cpu;
	uint64_t packets, bytes;
	int ok;
	/* slamon only: the whole-file top remote talkers' state */
	uint64_t talker_overflow, max_err, top_bytes;
	size_t nremote;
};

static volatile uint64_t sink;

static struct run_result run_floor(const char *path)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct run_result r = {0};
	struct rusage ru0, ru1;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t touch = 0;
	double t0;
	pcap_t *p;

	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_mono();
	/* the same open as capture_file_account (nanosecond precision) */
	p = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		fprintf(stderr, "%s: %s\n", path, ebuf);
		return r;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		r.packets++;
		r.bytes += h->len;
		touch += data[0];
	}
	pcap_close(p);
	r.wall = now_mono() - t0;
	getrusage(RUSAGE_SELF, &ru1);
	r.cpu = rusage_cpu(&ru1) - rusage_cpu(&ru0);
	sink += touch;
	r.ok = 1;
	return r;
}

static struct run_result run_slamon(const char *path)
{
	static struct capture_prefixes local;
	static struct capture_interval total;
	struct capture_options opt = {.local = &local, .interval_s = 60,
				      .top_n = 10};
	struct capture_file_info info;
	struct run_result r = {0};
	struct rusage ru0, ru1;
	char err[512];
	double t0;
	int rc;

	if (local.n == 0 &&
	    capture_prefixes_add(&local, "10.0.0.0/8", err, sizeof(err)) < 0) {
		fprintf(stderr, "prefix: %s\n", err);
		return r;
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_mono();
	rc = capture_file_account(path, &opt, NULL, NULL, &total, &info, err,
				  sizeof(err));
	r.wall = now_mono() - t0;
	getrusage(RUSAGE_SELF, &ru1);
	r.cpu = rusage_cpu(&ru1) - rusage_cpu(&ru0);
	if (rc < 0 || info.read_error) {
		fprintf(stderr, "capture_file_account: %s%s\n",
			rc < 0 ? err : "read error: ", rc < 0 ? "" : info.read_msg);
		return r;
	}
	r.packets = total.total.packets;
	r.bytes = total.total.bytes;
	r.talker_overflow = total.talker_overflow;
	r.nremote = total.nremote;
	r.top_bytes = total.nremote ? total.remote[0].c.bytes : 0;
	for (size_t i = 0; i < total.nremote; i++)
		if (total.remote[i].bytes_err > r.max_err)
			r.max_err = total.remote[i].bytes_err;
	r.ok = 1;
	return r;
}

static struct run_result run_tcpdump(const char *path)
{
	struct run_result r = {0};
	struct rusage ru;
	double t0 = now_mono();
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return r;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		/* as root, -Z root: no switch to user tcpdump (a cost
		 * outside the read loop, and the temp file is ours) */
		if (geteuid() == 0)
			execlp("tcpdump", "tcpdump", "-Z", "root", "-r", path,
			       "-w", "/dev/null", (char *)NULL);
		else
			execlp("tcpdump", "tcpdump", "-r", path, "-w",
			       "/dev/null", (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		return r;
	r.wall = now_mono() - t0;
	r.cpu = rusage_cpu(&ru);
	r.ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (!r.ok)
		fprintf(stderr, "tcpdump exited with status %d\n", st);
	return r;
}

static void keep_best(struct run_result *best, const struct run_result *r)
{
	if (r->ok && (!best->ok || r->wall < best->wall))
		*best = *r;
}

static int offline(uint64_t n, int snaplen, uint32_t nremote, int reps,
		   const char *path, int keep, int reuse, int tcpdump)
{
	struct run_result best[3] = {{0}}, r;
	static const char *const names[3] = {
		"bare `pcap_next_ex` loop (floor)",
		"slamon `capture_file_account`",
		"`tcpdump -r FILE -w /dev/null`"};
	struct gen_stats gs;
	double t0, ratio, vs_td;
	int have_td = tcpdump;
	char snapdesc[32];
	struct stat st;

	if (snaplen > 0)
		snprintf(snapdesc, sizeof(snapdesc), "%d bytes", snaplen);
	else
		snprintf(snapdesc, sizeof(snapdesc), "whole frames");

	reuse = reuse && stat(path, &st) == 0;
	fprintf(stderr, "pcap_bench: %s %" PRIu64 " packets %s %s\n",
		reuse ? "reading" : "writing", n, reuse ? "from" : "to", path);
	t0 = now_mono();
	if (write_capture(path, n, snaplen, nremote, !reuse, &gs) < 0)
		return 1;
	if (reuse)
		gs.file_bytes = (uint64_t)st.st_size;
	else
		fprintf(stderr, "pcap_bench: written in %.1f s (%.0f MB)\n",
			now_mono() - t0, gs.file_bytes / 1e6);
	(void)run_floor(path); /* untimed: the file is in the page cache */
	for (int i = 0; i < reps; i++) {
		r = run_floor(path);
		keep_best(&best[0], &r);
		fprintf(stderr, "  rep %d floor   %.3f s\n", i + 1, r.wall);
		r = run_slamon(path);
		keep_best(&best[1], &r);
		fprintf(stderr, "  rep %d slamon  %.3f s\n", i + 1, r.wall);
		if (have_td) {
			r = run_tcpdump(path);
			if (!r.ok)
				have_td = 0;
			keep_best(&best[2], &r);
			fprintf(stderr, "  rep %d tcpdump %.3f s\n", i + 1,
				r.wall);
		}
	}
	if (!keep)
		unlink(path);
	if (!best[0].ok || !best[1].ok) {
		fprintf(stderr, "pcap_bench: a reader failed\n");
		return 1;
	}

	printf("### Offline: reading a capture file\n\n");
	printf("Generated capture: %" PRIu64 " Ethernet/IPv4 frames "
	       "(%" PRIu64 " TCP, %" PRIu64 " UDP; %" PRIu64 " 802.1Q, "
	       "%" PRIu64 " QinQ; 4,096 local and %u remote addresses), "
	       "%.1f MB on the wire, snap length %s, "
	       "file %.1f MB (in the page cache). Best of %d runs each, "
	       "interleaved.\n\n",
	       gs.packets, gs.tcp, gs.udp, gs.vlan, gs.qinq, nremote,
	       gs.bytes / 1e6, snapdesc, gs.file_bytes / 1e6, reps);
	printf("| reader | wall s | CPU s | packets/s | time vs floor |\n");
	printf("|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < 3; i++) {
		if (!best[i].ok) {
			printf("| %s | - | - | - | (not run) |\n", names[i]);
			continue;
		}
		printf("| %s | %.3f | %.3f | %.2f M | %.2fx |\n", names[i],
		       best[i].wall, best[i].cpu, gs.packets / best[i].wall / 1e6,
		       best[i].wall / best[0].wall);
	}
	ratio = best[1].wall / best[0].wall;
	printf("\nslamon / floor: **%.2fx** the bare loop's time (target "
	       "<= 1.5x): %s", ratio, ratio <= 1.5 ? "**met**" : "**missed**");
	if (ratio <= 1.5)
		printf(", %.0f%% under the limit.\n", (1.5 - ratio) / 1.5 * 100);
	else
		printf(", %.0f%% over the limit.\n", (ratio - 1.5) / 1.5 * 100);
	printf("Decode + accounting cost per packet: %.0f ns (slamon) - "
	       "%.0f ns (floor) = %.0f ns.\n",
	       best[1].wall / gs.packets * 1e9, best[0].wall / gs.packets * 1e9,
	       (best[1].wall - best[0].wall) / gs.packets * 1e9);
	if (best[2].ok) {
		vs_td = best[1].wall / best[2].wall;
		printf("slamon / tcpdump: %.2fx tcpdump's time (%s).\n", vs_td,
		       vs_td <= 1 ? "faster" : "slower");
	}
	if (best[1].packets != gs.packets || best[1].bytes != gs.bytes ||
	    best[0].packets != gs.packets) {
		printf("\n**Count mismatch**: written %" PRIu64 "/%" PRIu64
		       ", floor %" PRIu64 ", slamon %" PRIu64 "/%" PRIu64
		       " packets/bytes.\n",
		       gs.packets, gs.bytes, best[0].packets, best[1].packets,
		       best[1].bytes);
		return 1;
	}
	printf("Counts check: slamon accounted all %" PRIu64 " packets and "
	       "%" PRIu64 " bytes written.\n",
	       best[1].packets, best[1].bytes);
	printf("Top talkers (whole file, default table of 16,384 slots per "
	       "side): %" PRIu64 " packets' talker counts evicted "
	       "(talker_overflow); the %zu remote addresses listed carry "
	       "bytes_err up to %" PRIu64 " (the first: %" PRIu64 " bytes "
	       "counted). This mix has no heavy hitters: %u remote addresses "
	       "of about %.0f bytes each.\n\n",
	       best[1].talker_overflow, best[1].nremote, best[1].max_err,
	       best[1].top_bytes, nremote, (double)gs.bytes / nremote);
	return 0;
}

/* ---- live -------------------------------------------------------------- */

struct tally {
	pthread_mutex_t lock;
	uint64_t packets, bytes, drops, ifdrops, intervals;
};

static struct tally tally = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void on_interval(void *arg, const struct capture_interval *iv)
{
	struct tally *t = arg;

	pthread_mutex_lock(&t->lock);
	t->packets += iv->total.packets;
	t->bytes += iv->total.bytes;
	t->drops += iv->drops;
	t->ifdrops += iv->ifdrops;
	t->intervals++;
	pthread_mutex_unlock(&t->lock);
}

static unsigned long long if_stat(const char *ifname, const char *what)
{
	char path[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname,
		 what);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

struct send_report {
	uint64_t sent;
	double elapsed;
	int err;
};

#define BATCH 32

/* The sender, in a forked child: enters peer_ns, sends for secs seconds
 * at rate packets/s (0: as fast as it goes), reports on fd. */
static void sender(const char *peer_ns, const char *dst, uint64_t rate,
		   double secs, size_t payload, int fd)
{
	static char buf[1500];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
	struct send_report rep = {0};
	char path[256];
	uint64_t limit = (rate ? rate : 4000000) * (uint64_t)secs;
	double t0, now;
	int nsfd, s;

	alarm((unsigned)secs + 5);
	snprintf(path, sizeof(path), "/var/run/netns/%s", peer_ns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		rep.err = errno;
		goto out;
	}
	inet_pton(AF_INET, dst, &to.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&to, sizeof(to)) < 0) {
		rep.err = errno;
		goto out;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = payload;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_mono();
	now = t0;
	while (rep.sent < limit && now - t0 < secs) {
		uint64_t due = rate ? (uint64_t)((now - t0) * (double)rate) + 1
				    : limit;
		unsigned int k;
		int n;

		if (due > limit)
			due = limit;
		if (due <= rep.sent) {
			/* ahead of schedule: wait for the next packet's
			 * time (short waits spin: usleep's slack) */
			double wait = (double)(rep.sent + 1) / (double)rate -
				      (now - t0);

			if (wait > 200e-6)
				sleep_s(wait - 100e-6);
			now = now_mono();
			continue;
		}
		k = due - rep.sent > BATCH ? BATCH
					   : (unsigned int)(due - rep.sent);
		n = sendmmsg(s, msgs, k, 0);
		if (n > 0)
			rep.sent += (uint64_t)n;
		else if (n < 0 && errno != ENOBUFS && errno != ECONNREFUSED &&
			 errno != EINTR) {
			rep.err = errno;
			break;
		}
		now = now_mono();
	}
	rep.elapsed = now_mono() - t0;
out:
	if (write(fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		_exit(6);
	_exit(0);
}

struct step {
	uint64_t rate;
	struct send_report rep;
	uint64_t captured, drops, ifdrops, rx, rx_dropped;
};

static int live(const char *ifname, const char *peer_ns, const char *dst,
		const char *rates, double secs, size_t payload)
{
	static struct capture_prefixes local;
	struct capture_live_config cfg = {
		.ifname = ifname,
		.filter = "",
		.snaplen = 128,
		.buffer_bytes = 32 * 1024 * 1024,
		.timeout_ms = 100,
		.direction = CAPTURE_CAPDIR_IN,
		.opt = {.local = &local, .interval_s = 1, .top_n = 10},
	};
	struct step steps[32];
	struct capture_live *c = NULL;
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(9)};
	char err[512], prefix[64], *list, *tok, *save = NULL;
	size_t nsteps = 0;
	int sink_fd, best = -1;
	double max_rate = 0;

	snprintf(prefix, sizeof(prefix), "%s/32", dst);
	if (capture_prefixes_add(&local, prefix, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* a socket on port 9 that is never read: datagrams end in its full
	 * receive buffer (no ICMP port unreachable back across the link) */
	sink_fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (sink_fd < 0 ||
	    bind(sink_fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("bind udp/9");
		return 1;
	}
	if (capture_live_open(&cfg, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "capture_live_open: %s\n", err);
		return 1;
	}
	if (*capture_live_warning(c))
		fprintf(stderr, "capture warning: %s\n",
			capture_live_warning(c));
	if (capture_live_start(c, on_interval, &tally) < 0) {
		fprintf(stderr, "capture_live_start failed\n");
		capture_live_destroy(c);
		return 1;
	}
	sleep_s(0.5);

	list = strdup(rates);
	for (tok = strtok_r(list, ",", &save); tok && nsteps < 32;
	     tok = strtok_r(NULL, ",", &save)) {
		struct step *sp = &steps[nsteps];
		uint64_t p0, b0, d0, i0, p1, b1, d1, i1;
		unsigned long long rx0, rxd0;
		int fd[2], st;
		double t0;
		pid_t pid;

		memset(sp, 0, sizeof(*sp));
		sp->rate = strtoull(tok, NULL, 10);
		fprintf(stderr, "pcap_bench: step %s pps for %.0f s\n",
			sp->rate ? tok : "max", secs);
		capture_live_totals(c, &p0, &b0, &d0, &i0);
		rx0 = if_stat(ifname, "rx_packets");
		rxd0 = if_stat(ifname, "rx_dropped");
		if (pipe(fd) < 0)
			break;
		pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			close(fd[0]);
			sender(peer_ns, dst, sp->rate, secs, payload, fd[1]);
		}
		close(fd[1]);
		t0 = now_mono();
		while (waitpid(pid, &st, WNOHANG) == 0) {
			if (now_mono() - t0 > secs + 10) {
				kill(pid, SIGKILL); /* our own child, by PID */
				waitpid(pid, &st, 0);
				break;
			}
			sleep_s(0.05);
		}
		if (read(fd[0], &sp->rep, sizeof(sp->rep)) !=
		    (ssize_t)sizeof(sp->rep))
			sp->rep.err = -1;
		close(fd[0]);
		/* > one 1 s interval + 2 block timeouts: the ring is drained
		 * and pcap_stats of this step have been flushed */
		sleep_s(2.5);
		capture_live_totals(c, &p1, &b1, &d1, &i1);
		sp->captured = p1 - p0;
		sp->drops = d1 - d0;
		sp->ifdrops = i1 - i0;
		sp->rx = if_stat(ifname, "rx_packets") - rx0;
		sp->rx_dropped = if_stat(ifname, "rx_dropped") - rxd0;
		(void)b0;
		(void)b1;
		nsteps++;
		if (sp->rep.err) {
			fprintf(stderr, "sender error: %s\n",
				sp->rep.err > 0 ? strerror(sp->rep.err)
						: "no report");
			break;
		}
	}
	free(list);
	capture_live_stop(c);
	if (*capture_live_error(c))
		fprintf(stderr, "capture error: %s\n", capture_live_error(c));
	capture_live_destroy(c);
	close(sink_fd);

	printf("### Live: veth pair between two network namespaces\n\n");
	printf("Capture: `capture_live_open` on %s (TPACKET_V3, snaplen 128, "
	       "32 MiB ring, direction in, no filter, 1 s intervals); sender: "
	       "one process in the peer namespace, UDP to port 9, %zu-byte "
	       "payload (%zu-byte frames, %zu with FCS), sendmmsg x %d, "
	       "%.0f s per step.\n\n",
	       ifname, payload, payload + 42, payload + 46, BATCH, secs);
	printf("| target pps | sent | sender pps | veth rx_packets | "
	       "veth rx_dropped | captured | ps_drop | ps_ifdrop |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < nsteps; i++) {
		struct step *sp = &steps[i];
		double pps = sp->rep.elapsed > 0
				     ? (double)sp->rep.sent / sp->rep.elapsed
				     : 0;
		char target[32];

		if (sp->rate)
			snprintf(target, sizeof(target), "%" PRIu64, sp->rate);
		else
			snprintf(target, sizeof(target), "max");
		printf("| %s | %" PRIu64 " | %.0f | %" PRIu64 " | %" PRIu64
		       " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " |\n",
		       target, sp->rep.sent, pps, sp->rx, sp->rx_dropped,
		       sp->captured, sp->drops, sp->ifdrops);
		if (pps > max_rate)
			max_rate = pps;
		if (sp->drops == 0 && sp->ifdrops == 0 && sp->rep.err == 0 &&
		    sp->captured == sp->rx &&
		    (best < 0 ||
		     pps > (double)steps[best].rep.sent / steps[best].rep.elapsed))
			best = (int)i;
	}
	printf("\n");
	if (best >= 0)
		printf("Highest rate with no drops (ps_drop = ps_ifdrop = 0, "
		       "captured = veth rx_packets): **%.0f packets/s** "
		       "(step %s).\n",
		       (double)steps[best].rep.sent / steps[best].rep.elapsed,
		       steps[best].rate ? "paced" : "max");
	else
		printf("No step without drops.\n");
	printf("Highest rate the sender achieved: **%.0f packets/s**.\n\n",
	       max_rate);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: pcap_bench [--packets N] [--snaplen S] [--remotes N] [--reps R] "
		"[--file PATH] [--keep] [--reuse] [--no-tcpdump]\n"
		"       pcap_bench --live IFNAME --peer-ns NS --dst ADDR "
		"[--rates LIST] [--secs S] [--payload B]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t n = 2000000;
	int snaplen = 128, reps = 3, keep = 0, reuse = 0, tcpdump = 1;
	uint32_t nremote = 65536;
	char path[256] = "";
	const char *ifname = NULL, *peer_ns = NULL, *dst = NULL;
	const char *rates = "50000,100000,200000,400000,800000,0";
	double secs = 3;
	size_t payload = 18;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--keep") || !strcmp(a, "--reuse") ||
		    !strcmp(a, "--no-tcpdump")) {
			keep |= !strcmp(a, "--keep");
			reuse |= !strcmp(a, "--reuse");
			tcpdump &= !!strcmp(a, "--no-tcpdump");
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--packets"))
			n = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--snaplen"))
			snaplen = atoi(v);
		else if (!strcmp(a, "--remotes"))
			nremote = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--reps"))
			reps = atoi(v);
		else if (!strcmp(a, "--file"))
			snprintf(path, sizeof(path), "%s", v);
		else if (!strcmp(a, "--live"))
			ifname = v;
		else if (!strcmp(a, "--peer-ns"))
			peer_ns = v;
		else if (!strcmp(a, "--dst"))
			dst = v;
		else if (!strcmp(a, "--rates"))
			rates = v;
		else if (!strcmp(a, "--secs"))
			secs = atof(v);
		else if (!strcmp(a, "--payload"))
			payload = (size_t)atol(v);
		else
			usage();
	}
	if (ifname) {
		if (!peer_ns || !dst || secs <= 0 || secs > 30 || payload < 1 ||
		    payload > 1472)
			usage();
		return live(ifname, peer_ns, dst, rates, secs, payload);
	}
	if (n == 0 || reps < 1 || snaplen < 0 || (snaplen && snaplen < 64) ||
	    nremote < 1 || nremote > 131072)
		usage();
	if (!*path)
		snprintf(path, sizeof(path), "/tmp/slamon-pcapbench-%d.pcap",
			 (int)getpid());
	return offline(n, snaplen, nremote, reps, path, keep || reuse, reuse,
		       tcpdump);
}
