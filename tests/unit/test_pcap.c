/*
 * test_pcap.c - the pcap probe offline: every capture in the shared
 * testdata (real, many malformed on purpose) is read without a crash or a
 * hang; files libpcap refuses give an error naming the file; packet counts
 * equal what tcpdump reads and byte counts equal the sum of the records'
 * wire lengths (read by this test's own classic-pcap parser); link types,
 * VLAN tags, direction, ports, top-talker order and malformed reasons on
 * hand-built frames; the bounded top-talker summary on generated traffic
 * (heavy hosts kept, exact and in order through a flood of addresses,
 * every count bracketing the truth, intervals merged, the table growing,
 * records committed one late); the lean path of the common frame counting
 * exactly like capture_decode (field by field and in whole aggregates, on
 * built, cut and mutated frames); `slamon pcap-stats` output and exit
 * codes.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "probes/pcap.h"

#define PCAPDIR SLAMON_TESTDATA "/pcap"

static char *file_path(const char *name)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s/%s", PCAPDIR, name);
	return buf;
}

/* Whole-file totals with an optional local prefix list. */
static int account(const char *name, const char *local,
		   struct capture_interval *ret, struct capture_file_info *info,
		   char *err, size_t errlen)
{
	static struct capture_prefixes pl;
	struct capture_options o = {.local = &pl, .interval_s = 60,
				    .top_n = 10};
	char e[128];

	memset(&pl, 0, sizeof(pl));
	if (local)
		cr_assert_eq(capture_prefixes_add(&pl, local, e, sizeof(e)), 0,
			     "%s", e);
	return capture_file_account(file_path(name), &o, NULL, NULL, ret, info,
				    err, errlen);
}

/* Files libpcap refuses to open (checked with tcpdump -r). */
static const char *const refused[] = {
	"pcap-invalid-version-1.pcap", "pcap-invalid-version-2.pcap",
	"pcapng-invalid-vers-1.pcapng", "pcapng-invalid-vers-2.pcapng",
	"shb-option-too-long.pcapng",
};

static int is_refused(const char *name)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcmp(name, refused[i]) == 0)
			return 1;
	return 0;
}

static void check_sums(const char *name, const struct capture_interval *t)
{
	struct capture_counts d = {0}, p = {0};
	uint64_t bad = 0;

	for (int i = 0; i < CAPTURE_DIR_COUNT; i++) {
		d.packets += t->dir[i].packets;
		d.bytes += t->dir[i].bytes;
	}
	for (int i = 0; i < CAPTURE_PROTO_COUNT; i++) {
		p.packets += t->proto[i].packets;
		p.bytes += t->proto[i].bytes;
	}
	for (int i = 0; i < CAPTURE_BAD_COUNT; i++)
		bad += t->malformed[i];
	cr_expect_eq(d.packets, t->total.packets, "%s: directions", name);
	cr_expect_eq(d.bytes, t->total.bytes, "%s: direction bytes", name);
	cr_expect_eq(p.packets, t->total.packets, "%s: protocols", name);
	cr_expect_eq(p.bytes, t->total.bytes, "%s: protocol bytes", name);
	cr_expect_eq(t->total.packets + bad, t->records, "%s: records", name);
}

Test(pcap, every_testdata_file_reads_without_crash, .timeout = 120)
{
	DIR *dir = opendir(PCAPDIR);
	struct dirent *de;
	size_t nfiles = 0;

	cr_assert_not_null(dir, "%s", PCAPDIR);
	while ((de = readdir(dir)) != NULL) {
		struct capture_interval *t = malloc(sizeof(*t));
		struct capture_file_info info;
		char err[512] = "";
		int rc;

		if (de->d_name[0] == '.' || !strstr(de->d_name, ".pcap")) {
			free(t);
			continue;
		}
		nfiles++;
		rc = account(de->d_name, "10.0.0.0/8", t, &info, err,
			     sizeof(err));
		if (is_refused(de->d_name)) {
			cr_expect_lt(rc, 0, "%s: libpcap should refuse it",
				     de->d_name);
		} else {
			cr_expect_eq(rc, 0, "%s: %s", de->d_name, err);
			check_sums(de->d_name, t);
		}
		free(t);
	}
	closedir(dir);
	cr_expect_geq(nfiles, 46, "testdata has 46 captures, saw %zu", nfiles);
}

Test(pcap, refused_file_names_the_file_and_libpcap_message)
{
	struct capture_interval *t = malloc(sizeof(*t));
	char err[512];
	static const char *const expect[] = {
		"archaic pcap savefile format",
		"unsupported pcap savefile version 2.5",
		"unsupported pcapng savefile version 0.1",
		"unsupported pcapng savefile version 1.1",
		"block total length in header and trailer don't match",
	};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		err[0] = '\0';
		cr_expect_eq(account(refused[i], NULL, t, NULL, err,
				     sizeof(err)),
			     -EINVAL, "%s", refused[i]);
		cr_expect(strstr(err, file_path(refused[i])) != NULL,
			  "message names the file: %s", err);
		cr_expect(strstr(err, expect[i]) != NULL,
			  "libpcap's message: %s", err);
	}
	cr_expect_eq(account("no-such-file.pcap", NULL, t, NULL, err,
			     sizeof(err)),
		     -ENOENT);
	cr_expect(strstr(err, "no-such-file.pcap") != NULL, "%s", err);
	free(t);
}

/* ---- independent oracles ----------------------------------------------- */

/* Counts tcpdump's packets: with -# each packet line starts with its
 * number. Returns -1 when tcpdump cannot run. */
static long tcpdump_count(const char *path)
{
	int fd[2];
	pid_t pid;
	FILE *in;
	char line[4096];
	long n = 0;
	int st;

	cr_assert_eq(pipe(fd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fd[1], 1);
		dup2(null, 2);
		close(fd[0]);
		execlp("tcpdump", "tcpdump", "-r", path, "-nn", "-#", NULL);
		_exit(127);
	}
	close(fd[1]);
	in = fdopen(fd[0], "r");
	cr_assert_not_null(in);
	while (fgets(line, sizeof(line), in)) {
		char *end;
		long num = strtol(line, &end, 10);

		if (end != line && end[0] == ' ' && end[1] == ' ' && num > n)
			n = num;
	}
	fclose(in);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 127 ? -1 : n;
}

static uint32_t rd32(const unsigned char *p, int swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return swap ? __builtin_bswap32(v) : v;
}

/* Classic pcap, read by hand: number of records and sum of orig_len. */
static void pcap_oracle(const char *path, uint64_t *ret_n,
			uint64_t *ret_bytes)
{
	FILE *f = fopen(path, "rb");
	unsigned char gh[24], rh[16];
	uint32_t magic;
	int swap;

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fread(gh, 1, 24, f), 24u);
	magic = rd32(gh, 0);
	swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	*ret_n = *ret_bytes = 0;
	while (fread(rh, 1, 16, f) == 16) {
		uint32_t incl = rd32(rh + 8, swap);

		(*ret_n)++;
		*ret_bytes += rd32(rh + 12, swap);
		cr_assert_eq(fseek(f, (long)incl, SEEK_CUR), 0);
	}
	fclose(f);
}

Test(pcap, counts_match_tcpdump_and_record_headers, .timeout = 120)
{
	static const char *const files[] = {
		"dns_udp.pcap", "icmpv6.pcap", "ntp.pcap", "syslog_udp.pcap",
		"802.1ad_QinQ.pcap", "LLDP_and_CDP.pcap", "vxlan.pcap",
		"sflow_multiple_counter_30_pdus.pcap", "pptp.pcap",
		"LINKTYPE_RAW_ipv6.pcap", "tcp_rst_diag_payload.pcap",
		"ipv4_tcp_http_xml.pcap", "gso-ipv4.pcap", "bigtcp-ipv4.pcap",
		"ipv6_jumbogram_1.pcap", "tcp-handshake-nano.pcap",
		"nflog.pcap", "OSPFv2_Capture_FINAL.pcapng",
		"dhcp-option-108.pcapng",
	};
	struct capture_interval *t = malloc(sizeof(*t));
	char err[512];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *path = file_path(files[i]);
		long td = tcpdump_count(path);
		uint64_t n, bytes;

		cr_assert_eq(account(files[i], NULL, t, NULL, err, sizeof(err)),
			     0, "%s", err);
		if (td < 0)
			cr_skip_test("tcpdump is not installed");
		cr_expect_eq(t->records, (uint64_t)td, "%s: %llu vs tcpdump %ld",
			     files[i], (unsigned long long)t->records, td);
		cr_expect_eq(t->total.packets, t->records,
			     "%s: no malformed records", files[i]);
		if (strstr(files[i], ".pcapng"))
			continue;
		pcap_oracle(path, &n, &bytes);
		cr_expect_eq(t->records, n, "%s", files[i]);
		cr_expect_eq(t->total.bytes, bytes, "%s: %llu vs %llu",
			     files[i], (unsigned long long)t->total.bytes,
			     (unsigned long long)bytes);
	}
	free(t);
}

/* ---- specific files ---------------------------------------------------- */

static struct capture_interval tot; /* ~4 KB: not on the stack */

Test(pcap, dns_direction_ports_and_talkers)
{
	char err[512], buf[64];

	cr_assert_eq(account("dns_udp.pcap", "192.168.1.0/24", &tot, NULL, err,
			     sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(tot.dir[CAPTURE_DIR_OUT].packets, 1);
	cr_expect_eq(tot.dir[CAPTURE_DIR_OUT].bytes, 98);
	cr_expect_eq(tot.dir[CAPTURE_DIR_IN].packets, 1);
	cr_expect_eq(tot.dir[CAPTURE_DIR_IN].bytes, 266);
	cr_expect_eq(tot.proto[CAPTURE_PROTO_UDP].bytes, 364);
	cr_assert_eq(tot.nports, 1);
	cr_expect_eq(tot.ports[0].proto, CAPTURE_PROTO_UDP);
	cr_expect_eq(tot.ports[0].port, 53);
	cr_expect_eq(tot.ports[0].c.packets, 2);
	cr_assert_eq(tot.nlocal, 1);
	cr_expect_str_eq(capture_addr_str(4, tot.local[0].addr, buf,
					  sizeof(buf)),
			 "192.168.1.11");
	cr_expect_eq(tot.local[0].c.bytes, 364);
	cr_assert_eq(tot.nremote, 1);
	cr_expect_str_eq(capture_addr_str(4, tot.remote[0].addr, buf,
					  sizeof(buf)),
			 "209.87.249.18");
	/* no prefixes: both ends are remote, traffic is "external" */
	cr_assert_eq(account("dns_udp.pcap", NULL, &tot, NULL, err,
			     sizeof(err)),
		     0);
	cr_expect_eq(tot.dir[CAPTURE_DIR_EXTERNAL].bytes, 364);
	cr_expect_eq(tot.nremote, 2);
	cr_expect_eq(tot.nlocal, 0);
}

Test(pcap, qinq_file_decodes_through_both_tags)
{
	char err[512];

	/* 0x88a8 vlan 200, 0x8100 vlan 2001, then ARP (tcpdump -e) */
	cr_assert_eq(account("802.1ad_QinQ.pcap", NULL, &tot, NULL, err,
			     sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(tot.total.packets, 2);
	cr_expect_eq(tot.vlan_tagged, 2);
	cr_expect_eq(tot.dir[CAPTURE_DIR_NONIP].packets, 2);
	cr_expect_eq(tot.malformed[CAPTURE_BAD_VLAN], 0);
}

Test(pcap, linktype_raw_ipv6_decodes)
{
	char err[512], buf[64];

	/* 2001:db8::1.12345 > 2620:fe::9.53 (tcpdump) */
	cr_assert_eq(account("LINKTYPE_RAW_ipv6.pcap", "2001:db8::/32", &tot,
			     NULL, err, sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(tot.total.packets, 1);
	cr_expect_eq(tot.proto[CAPTURE_PROTO_UDP].packets, 1);
	cr_expect_eq(tot.dir[CAPTURE_DIR_OUT].packets, 1);
	cr_assert_eq(tot.nports, 1);
	cr_expect_eq(tot.ports[0].port, 53);
	cr_assert_eq(tot.nlocal, 1);
	cr_expect_str_eq(capture_addr_str(6, tot.local[0].addr, buf,
					  sizeof(buf)),
			 "2001:db8::1");
	cr_assert_eq(tot.nremote, 1);
	cr_expect_str_eq(capture_addr_str(6, tot.remote[0].addr, buf,
					  sizeof(buf)),
			 "2620:fe::9");
}

Test(pcap, linux_cooked_nanosecond_and_null_loopback)
{
	char err[512];

	/* SLL: 131.155.215.69:46656 <-> 137.116.81.94:80, 76+76+68 bytes */
	cr_assert_eq(account("tcp-handshake-nano.pcap", "131.155.0.0/16", &tot,
			     NULL, err, sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(tot.proto[CAPTURE_PROTO_TCP].packets, 3);
	cr_expect_eq(tot.dir[CAPTURE_DIR_OUT].bytes, 144);
	cr_expect_eq(tot.dir[CAPTURE_DIR_IN].bytes, 76);
	cr_expect_eq(tot.ports[0].port, 80);
	cr_expect_gt(tot.last_ts - tot.first_ts, 0.127);
	cr_expect_lt(tot.last_ts - tot.first_ts, 0.128);
	cr_assert_eq(account("tcp_rst_diag_payload.pcap", NULL, &tot, NULL,
			     err, sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(tot.proto[CAPTURE_PROTO_TCP].packets, 1);
	cr_assert_eq(account("nflog.pcap", NULL, &tot, NULL, err, sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(tot.proto[CAPTURE_PROTO_UDP].packets, 4);
}

Test(pcap, malformed_files_are_counted_not_accounted)
{
	char err[512];

	/* IP total length 34817 in a short frame */
	cr_assert_eq(account("ip-snmp-leftshift-unsigned.pcap", NULL, &tot,
			     NULL, err, sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(tot.records, 1);
	cr_expect_eq(tot.total.packets, 0);
	cr_expect_eq(tot.malformed[CAPTURE_BAD_IP_LENGTH], 1);
	/* 37 zero-length records, time going backwards */
	cr_assert_eq(account("bgp_vpn_rt-oobr.pcap", NULL, &tot, NULL, err,
			     sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(tot.records, 38);
	cr_expect_geq(tot.malformed[CAPTURE_BAD_RECORD], 30);
	cr_expect_gt(tot.ts_backwards, 0);
	/* microsecond field >= 1e6 */
	cr_assert_eq(account("timestamp_invalid_micro.pcap", NULL, &tot, NULL,
			     err, sizeof(err)),
		     0, "%s", err);
	cr_expect_gt(tot.ts_invalid, 0);
}

struct iv_log {
	size_t n;
	struct capture_interval iv[16];
};

static void log_iv(void *arg, const struct capture_interval *iv)
{
	struct iv_log *l = arg;

	if (l->n < 16)
		l->iv[l->n] = *iv;
	l->n++;
}

Test(pcap, intervals_are_aligned_and_add_up)
{
	static struct iv_log log;
	struct capture_options o = {.interval_s = 60};
	struct capture_file_info info;
	char err[512];
	uint64_t bytes = 0;

	memset(&log, 0, sizeof(log));
	cr_assert_eq(capture_file_account(file_path("ntp.pcap"), &o, log_iv,
					  &log, &tot, &info, err, sizeof(err)),
		     0, "%s", err);
	/* 14:12, 14:19, 14:22, 14:47 (+ the rest in the last minute) */
	cr_assert_eq(log.n, 4);
	cr_expect_eq(info.nintervals, 4);
	for (size_t i = 0; i < log.n; i++) {
		cr_expect_eq(log.iv[i].start % 60, 0);
		cr_expect_eq(log.iv[i].complete, i + 1 < log.n);
		if (i)
			cr_expect_gt(log.iv[i].start, log.iv[i - 1].start);
		bytes += log.iv[i].total.bytes;
	}
	cr_expect_eq(bytes, tot.total.bytes);
	cr_expect_eq(bytes, 836);
	cr_expect_str_eq(info.linktype_name, "EN10MB");
}

/* ---- hand-built frames ------------------------------------------------- */

static size_t eth(uint8_t *f, const uint16_t *tpids, int ntags, uint16_t et)
{
	size_t off = 12;

	memset(f, 0x02, 12);
	for (int i = 0; i < ntags; i++) {
		f[off] = (uint8_t)(tpids[i] >> 8);
		f[off + 1] = (uint8_t)tpids[i];
		f[off + 2] = 0;
		f[off + 3] = (uint8_t)(10 + i);
		off += 4;
	}
	f[off] = (uint8_t)(et >> 8);
	f[off + 1] = (uint8_t)et;
	return off + 2;
}

/* IPv4 + UDP (8 bytes) + payload; returns bytes written. */
static size_t ipv4_udp(uint8_t *p, const char *src, const char *dst,
		       uint16_t sport, uint16_t dport, size_t payload)
{
	char e[64];
	struct capture_prefixes tmp = {0};
	uint16_t iplen = (uint16_t)(20 + 8 + payload);

	memset(p, 0, iplen);
	p[0] = 0x45;
	p[2] = (uint8_t)(iplen >> 8);
	p[3] = (uint8_t)iplen;
	p[8] = 64;
	p[9] = 17;
	cr_assert_eq(capture_prefixes_add(&tmp, src, e, sizeof(e)), 0);
	cr_assert_eq(capture_prefixes_add(&tmp, dst, e, sizeof(e)), 0);
	memcpy(p + 12, tmp.p[0].addr, 4);
	memcpy(p + 16, tmp.p[1].addr, 4);
	p[20] = (uint8_t)(sport >> 8);
	p[21] = (uint8_t)sport;
	p[22] = (uint8_t)(dport >> 8);
	p[23] = (uint8_t)dport;
	return iplen;
}

Test(pcap, vlan_tags_and_link_types)
{
	static const uint16_t qinq[] = {0x88a8, 0x8100};
	static const uint16_t old[] = {0x9100, 0x8100, 0x8100};
	uint8_t f[256];
	struct capture_pkt p;
	size_t n;

	n = eth(f, qinq, 2, 0x0800);
	n += ipv4_udp(f + n, "10.1.1.1", "8.8.8.8", 40000, 53, 20);
	capture_decode(CAPTURE_LINK_EN10MB, f, (uint32_t)n, (uint32_t)n, &p);
	cr_expect_eq(p.bad, CAPTURE_OK);
	cr_expect_eq(p.vlan_tags, 2);
	cr_expect_eq(p.family, 4);
	cr_expect_eq(p.proto, CAPTURE_PROTO_UDP);
	cr_expect_eq(p.dport, 53);

	n = eth(f, old, 3, 0x0800);
	n += ipv4_udp(f + n, "10.1.1.1", "8.8.8.8", 40000, 123, 0);
	capture_decode(CAPTURE_LINK_EN10MB, f, (uint32_t)n, (uint32_t)n, &p);
	cr_expect_eq(p.vlan_tags, 3);
	cr_expect_eq(p.dport, 123);

	/* Linux cooked v2: protocol first, 20-byte header */
	memset(f, 0, 20);
	f[0] = 0x08;
	n = 20 + ipv4_udp(f + 20, "10.1.1.1", "8.8.8.8", 5000, 514, 4);
	capture_decode(CAPTURE_LINK_LINUX_SLL2, f, (uint32_t)n, (uint32_t)n,
		       &p);
	cr_expect_eq(p.proto, CAPTURE_PROTO_UDP);
	cr_expect_eq(p.dport, 514);

	/* DLT_NULL written big-endian, and DLT_RAW (12) */
	memset(f, 0, 4);
	f[3] = 2;
	n = 4 + ipv4_udp(f + 4, "10.1.1.1", "8.8.8.8", 5000, 161, 4);
	capture_decode(CAPTURE_LINK_NULL, f, (uint32_t)n, (uint32_t)n, &p);
	cr_expect_eq(p.dport, 161);
	n = ipv4_udp(f, "10.1.1.1", "8.8.8.8", 5000, 162, 4);
	capture_decode(CAPTURE_LINK_RAW12, f, (uint32_t)n, (uint32_t)n, &p);
	cr_expect_eq(p.dport, 162);

	/* unsupported link type: accounted as non-IP, not malformed */
	capture_decode(138, f, (uint32_t)n, (uint32_t)n, &p);
	cr_expect_eq(p.bad, CAPTURE_OK);
	cr_expect_eq(p.unsupported_link, 1);
	cr_expect_eq(p.family, 0);
}

Test(pcap, ipv6_extension_headers_lead_to_ports)
{
	uint8_t f[256] = {0};
	struct capture_pkt p;
	uint8_t *ip = f + 14;
	size_t plen = 8 + 8 + 8 + 8; /* HBH, frag (first), dest opts, UDP */

	eth(f, NULL, 0, 0x86dd);
	ip[0] = 0x60;
	ip[4] = 0;
	ip[5] = (uint8_t)plen;
	ip[6] = 0; /* hop-by-hop */
	ip[8] = 0x20;
	ip[8 + 15] = 1;
	ip[24] = 0x20;
	ip[24 + 15] = 2;
	ip[40] = 44; /* HBH -> fragment */
	ip[48] = 60; /* fragment (offset 0) -> dest opts */
	ip[56] = 17; /* dest opts -> UDP */
	ip[64] = 0x30;
	ip[65] = 0x39;
	ip[66] = 0x02;
	ip[67] = 0x02; /* dport 514 */
	capture_decode(CAPTURE_LINK_EN10MB, f, (uint32_t)(54 + plen),
		       (uint32_t)(54 + plen), &p);
	cr_expect_eq(p.bad, CAPTURE_OK);
	cr_expect_eq(p.family, 6);
	cr_expect_eq(p.ipproto, 17);
	cr_expect_eq(p.sport, 12345);
	cr_expect_eq(p.dport, 514);

	/* a later fragment: protocol known, no ports */
	ip[50] = 0x01;
	capture_decode(CAPTURE_LINK_EN10MB, f, (uint32_t)(54 + plen),
		       (uint32_t)(54 + plen), &p);
	cr_expect_eq(p.bad, CAPTURE_OK);
	cr_expect_eq(p.ipproto, 60);
	cr_expect_eq(p.has_ports, 0);
	ip[50] = 0;

	/* HBH length running past the payload */
	ip[41] = 200;
	capture_decode(CAPTURE_LINK_EN10MB, f, (uint32_t)(54 + plen),
		       (uint32_t)(54 + plen), &p);
	cr_expect_eq(p.bad, CAPTURE_BAD_IP_HEADER);
}

Test(pcap, malformed_and_snap_truncated_frames)
{
	uint8_t f[256];
	struct capture_pkt p;
	size_t n = eth(f, NULL, 0, 0x0800);

	n += ipv4_udp(f + n, "10.1.1.1", "8.8.8.8", 40000, 53, 100);
	/* caplen > wire length */
	capture_decode(CAPTURE_LINK_EN10MB, f, (uint32_t)n, (uint32_t)n - 1,
		       &p);
	cr_expect_eq(p.bad, CAPTURE_BAD_RECORD);
	capture_decode(CAPTURE_LINK_EN10MB, f, 0, 0, &p);
	cr_expect_eq(p.bad, CAPTURE_BAD_RECORD);
	/* a frame shorter than the Ethernet header */
	capture_decode(CAPTURE_LINK_EN10MB, f, 10, 10, &p);
	cr_expect_eq(p.bad, CAPTURE_BAD_LINK);
	/* snap length 36 of the 142-byte frame: IP known, ports not */
	capture_decode(CAPTURE_LINK_EN10MB, f, 36, (uint32_t)n, &p);
	cr_expect_eq(p.bad, CAPTURE_OK);
	cr_expect_eq(p.family, 4);
	cr_expect_eq(p.snap_truncated, 1);
	cr_expect_eq(p.has_ports, 0);
	/* the same cut on the wire: the IP length lies */
	capture_decode(CAPTURE_LINK_EN10MB, f, 36, 36, &p);
	cr_expect_eq(p.bad, CAPTURE_BAD_IP_LENGTH);
	/* IHL 4 */
	f[14] = 0x44;
	capture_decode(CAPTURE_LINK_EN10MB, f, (uint32_t)n, (uint32_t)n, &p);
	cr_expect_eq(p.bad, CAPTURE_BAD_IP_HEADER);
	f[14] = 0x45;
	/* UDP header beyond the IP total length */
	f[16] = 0;
	f[17] = 24;
	capture_decode(CAPTURE_LINK_EN10MB, f, (uint32_t)n, (uint32_t)n, &p);
	cr_expect_eq(p.bad, CAPTURE_BAD_L4);
	/* 9 stacked tags */
	for (int i = 0; i < 10; i++) {
		f[12 + 4 * i] = 0x81;
		f[13 + 4 * i] = 0x00;
	}
	capture_decode(CAPTURE_LINK_EN10MB, f, (uint32_t)n, (uint32_t)n, &p);
	cr_expect_eq(p.bad, CAPTURE_BAD_VLAN);
}

Test(pcap, top_talkers_ordered_by_bytes_then_packets)
{
	static struct capture_prefixes pl;
	struct capture_agg_config ac = {.local = &pl};
	struct capture_agg *a;
	uint8_t f[1600];
	char e[64], buf[64];
	/* remote host, packets, payload: C has most bytes, A and B tie on
	 * bytes but B has more packets */
	static const struct {
		const char *remote;
		int npkts;
		size_t payload;
	} plan[] = {
		{"198.51.100.1", 1, 972},  /* A: 1 x 1000 */
		{"198.51.100.2", 2, 472},  /* B: 2 x 500 */
		{"198.51.100.3", 3, 972},  /* C: 3 x 1000 */
		{"198.51.100.4", 1, 72},   /* D: 1 x 100 */
	};

	memset(&pl, 0, sizeof(pl));
	cr_assert_eq(capture_prefixes_add(&pl, "192.0.2.0/24", e, sizeof(e)),
		     0);
	cr_assert_eq(capture_agg_create(&ac, &a), 0);
	for (size_t i = 0; i < 4; i++)
		for (int k = 0; k < plan[i].npkts; k++) {
			size_t n = ipv4_udp(f, "192.0.2.7", plan[i].remote,
					    33000, (uint16_t)(1000 + i),
					    plan[i].payload);

			cr_assert_eq(capture_agg_add(a, CAPTURE_LINK_RAW, f,
						     (uint32_t)n, (uint32_t)n,
						     1700000000, 0, NULL),
				     CAPTURE_OK);
		}
	capture_agg_summarize(a, 3, &tot);
	cr_assert_eq(tot.nremote, 3);
	cr_expect_str_eq(capture_addr_str(4, tot.remote[0].addr, buf, 64),
			 "198.51.100.3");
	cr_expect_str_eq(capture_addr_str(4, tot.remote[1].addr, buf, 64),
			 "198.51.100.2");
	cr_expect_str_eq(capture_addr_str(4, tot.remote[2].addr, buf, 64),
			 "198.51.100.1");
	cr_expect_eq(tot.remote[0].c.bytes, 3000);
	cr_assert_eq(tot.nlocal, 1);
	cr_expect_eq(tot.local[0].c.bytes, 3000 + 1000 + 1000 + 100);
	cr_expect_eq(tot.dir[CAPTURE_DIR_OUT].packets, 7);
	cr_expect_eq(tot.nports, 3);
	cr_expect_eq(tot.ports[0].port, 1002);
	/* reset empties everything, the next interval starts clean */
	capture_agg_reset(a);
	capture_agg_summarize(a, 3, &tot);
	cr_expect_eq(tot.nremote, 0);
	cr_expect_eq(tot.nports, 0);
	cr_expect_eq(tot.total.bytes, 0);
	capture_agg_destroy(a);
}

/* ---- top talkers: bounded summary ------------------------------------- */

#define LOCAL_HOST 0xc0000207u /* 192.0.2.7, the only local address */
#define HEAVY(x) (0xcb007100u | (x)) /* 203.0.113.x */
#define FLOOD(i) (0xc6120000u + (i)) /* 198.18.0.0/15 */

/* What each remote address really sent and received, to check the
 * summary's bounds against. */
static struct {
	uint64_t heavy[256];
	uint64_t flood[131072];
} truth;

static uint64_t true_bytes(const struct capture_talker *t)
{
	uint32_t a = (uint32_t)t->addr[0] << 24 | (uint32_t)t->addr[1] << 16 |
		     (uint32_t)t->addr[2] << 8 | t->addr[3];

	cr_assert_eq(t->family, 4);
	if ((a & 0xffffff00u) == HEAVY(0))
		return truth.heavy[a & 255];
	cr_assert_eq(a & 0xfffe0000u, FLOOD(0), "unexpected talker %08x", a);
	return truth.flood[a - FLOOD(0)];
}

/* One LINKTYPE_RAW IPv4/UDP packet of len bytes between the local host
 * and remote (direction alternating with the count), into a. */
static void feed(struct capture_agg *a, uint32_t remote, size_t len)
{
	static uint8_t f[1500];
	static unsigned n;
	uint32_t src = n & 1 ? remote : LOCAL_HOST;
	uint32_t dst = n & 1 ? LOCAL_HOST : remote;

	n++;
	memset(f, 0, len);
	f[0] = 0x45;
	f[2] = (uint8_t)(len >> 8);
	f[3] = (uint8_t)len;
	f[8] = 64;
	f[9] = 17;
	for (int i = 0; i < 4; i++) {
		f[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		f[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	f[20] = 0x9c; /* 40000 -> 53 */
	f[21] = 0x40;
	f[23] = 53;
	cr_assert_eq(capture_agg_add(a, CAPTURE_LINK_RAW, f, (uint32_t)len,
				     (uint32_t)len, 1700000000, 0, NULL),
		     CAPTURE_OK);
	if ((remote & 0xffffff00u) == HEAVY(0))
		truth.heavy[remote & 255] += len;
	else
		truth.flood[remote - FLOOD(0)] += len;
}

/* Every listed talker's true bytes lie in [bytes, bytes + bytes_err]. */
static void check_bounds(const struct capture_interval *iv)
{
	for (size_t i = 0; i < iv->nremote; i++) {
		const struct capture_talker *t = &iv->remote[i];
		uint64_t real = true_bytes(t);

		cr_expect_leq(t->c.bytes, real, "talker %zu: %llu > true %llu",
			      i, (unsigned long long)t->c.bytes,
			      (unsigned long long)real);
		cr_expect_geq(t->c.bytes + t->bytes_err, real,
			      "talker %zu: %llu + %llu < true %llu", i,
			      (unsigned long long)t->c.bytes,
			      (unsigned long long)t->bytes_err,
			      (unsigned long long)real);
	}
}

/* An aggregate with 192.0.2.0/24 local. */
static struct capture_agg *agg_for_talkers(size_t max_talkers)
{
	static struct capture_prefixes pl;
	struct capture_agg_config ac = {.local = &pl,
					.max_talkers = max_talkers};
	struct capture_agg *a;
	char e[64];

	memset(&pl, 0, sizeof(pl));
	cr_assert_eq(capture_prefixes_add(&pl, "192.0.2.0/24", e, sizeof(e)),
		     0);
	cr_assert_eq(capture_agg_create(&ac, &a), 0);
	return a;
}

/* 20 heavy remote hosts (host j: (21 - j) x 50 packets of 1000 bytes)
 * talk through a flood of 60,000 one-packet addresses in a table of 1024
 * slots; a 21st heavy host (203.0.113.100, 125 x 1000 bytes) only starts
 * halfway through the flood; 64 medium hosts (about 59 x 200 bytes each,
 * spread out) rank next. */
Test(pcap, heavy_hitters_survive_a_flood_in_order_with_bounded_bytes)
{
	struct capture_agg *a = agg_for_talkers(1024);
	int left[21];

	memset(&truth, 0, sizeof(truth));
	int late = 125, next = 1;

	for (int j = 1; j <= 20; j++) { /* tracked before the flood */
		left[j] = (21 - j) * 50 - 1;
		feed(a, HEAVY((uint32_t)j), 1000);
	}
	for (uint32_t f = 0; f < 60000; f++) {
		feed(a, FLOOD(f), 64);
		if (f % 16 == 0) /* medium hosts: FLOOD(100000 + 0..63) */
			feed(a, FLOOD(100000 + (f / 16) % 64), 200);
		if (f % 5 == 0) { /* a heavy packet every fifth: round-robin */
			for (int k = 0; k < 20 && left[next] == 0; k++)
				next = next % 20 + 1;
			if (left[next] > 0) {
				feed(a, HEAVY((uint32_t)next), 1000);
				left[next]--;
				next = next % 20 + 1;
			}
		}
		if (f >= 30000 && f % 100 == 0 && late > 0) {
			feed(a, HEAVY(100), 1000);
			late--;
		}
	}
	for (int j = 1; j <= 20; j++)
		while (left[j]-- > 0)
			feed(a, HEAVY((uint32_t)j), 1000);
	capture_agg_summarize(a, 32, &tot);

	cr_expect_gt(tot.talker_overflow, 0, "the flood did not overflow");
	cr_assert_eq(tot.nremote, 32);
	for (int j = 1, i = 0; j <= 20; j++, i++) {
		const struct capture_talker *t = &tot.remote[i];

		if (j == 19) { /* the late one: 125,000 between 150k and 100k */
			cr_expect_eq(t->addr[3], 100, "position %d", i);
			cr_expect_lt(t->bytes_err, 25000);
			t = &tot.remote[++i];
		}
		cr_expect_eq(t->addr[3], j, "position %d: 203.0.113.%d", i,
			     t->addr[3]);
		cr_expect_eq(t->c.bytes, (uint64_t)(21 - j) * 50 * 1000,
			     "heavy host %d", j);
		cr_expect_eq(t->c.packets, (uint64_t)(21 - j) * 50);
		cr_expect_eq(t->bytes_err, 0, "heavy host %d", j);
	}
	check_bounds(&tot);
	for (size_t i = 21; i < tot.nremote; i++) { /* then medium ones */
		uint32_t m = (uint32_t)tot.remote[i].addr[2] << 8 |
			     tot.remote[i].addr[3];

		cr_expect_geq(m, 100000 % 65536, "position %zu", i);
		cr_expect_lt(m, 100000 % 65536 + 64, "position %zu", i);
	}
	cr_assert_eq(tot.nlocal, 1);
	cr_expect_eq(tot.local[0].c.bytes, tot.total.bytes);
	cr_expect_eq(tot.local[0].bytes_err, 0);
	capture_agg_destroy(a);
}

/* Zipf-like traffic (address k of 500 picked with weight 1 / (k + 1),
 * 64..1500 bytes) through 64 slots, four intervals merged into a total:
 * addresses are evicted and come back all the time, and every listed
 * count still brackets the truth, in each interval and in the total; the
 * three heaviest lead in their true order. */
Test(pcap, evicted_addresses_keep_true_bytes_within_bounds)
{
	static uint64_t all[500];
	static double cdf[500];
	struct capture_agg *iv = agg_for_talkers(64);
	struct capture_agg *total = agg_for_talkers(64);
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	double sum = 0;
	int with_err = 0;

	for (int k = 0; k < 500; k++)
		cdf[k] = sum += 1.0 / (k + 1);
	memset(all, 0, sizeof(all));
	for (int round = 0; round < 4; round++) {
		memset(&truth, 0, sizeof(truth));
		for (int n = 0; n < 20000; n++) {
			double x;
			int k = 0;

			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			x = (double)(rng >> 11) / 9007199254740992.0 * sum;
			while (cdf[k] < x)
				k++;
			feed(iv, FLOOD((uint32_t)k), 64 + (rng >> 20) % 1437);
		}
		capture_agg_summarize(iv, 32, &tot);
		check_bounds(&tot);
		for (size_t i = 0; i < tot.nremote; i++)
			with_err += tot.remote[i].bytes_err > 0;
		for (int k = 0; k < 500; k++)
			all[k] += truth.flood[k];
		capture_agg_merge(total, iv);
		capture_agg_reset(iv);
	}
	cr_expect_gt(with_err, 0, "no listed address was ever evicted");
	memset(&truth, 0, sizeof(truth));
	memcpy(truth.flood, all, sizeof(all));
	capture_agg_summarize(total, 32, &tot);
	cr_expect_gt(tot.talker_overflow, 0);
	check_bounds(&tot);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(tot.remote[i].addr[3], i, "position %d", i);
	capture_agg_destroy(iv);
	capture_agg_destroy(total);
}

/* 1,000 addresses with the default table: it starts at 1,024 slots and
 * grows (a bucket of four splitting in two) rather than evict, so every
 * count stays exact. */
Test(pcap, talker_table_grows_and_stays_exact)
{
	struct capture_agg *a = agg_for_talkers(0);

	memset(&truth, 0, sizeof(truth));
	for (int round = 0; round < 3; round++)
		for (uint32_t k = 0; k < 1000; k++)
			feed(a, FLOOD(k * 97), 60 + (k * 7 + round) % 1400);
	capture_agg_summarize(a, 32, &tot);
	cr_expect_eq(tot.talker_overflow, 0);
	cr_assert_eq(tot.nremote, 32);
	for (size_t i = 0; i < tot.nremote; i++) {
		cr_expect_eq(tot.remote[i].bytes_err, 0);
		cr_expect_eq(tot.remote[i].c.packets, 3);
		cr_expect_eq(tot.remote[i].c.bytes, true_bytes(&tot.remote[i]));
		if (i)
			cr_expect_leq(tot.remote[i].c.bytes,
				      tot.remote[i - 1].c.bytes);
	}
	capture_agg_destroy(a);
}

Test(pcap, talker_flood_evicts_but_keeps_the_heavy_destination)
{
	struct capture_agg_config ac = {.max_talkers = 100}; /* 128 slots */
	struct capture_agg *a;
	uint8_t f[128];
	char addr[32];

	cr_assert_eq(capture_agg_create(&ac, &a), 0);
	for (int i = 0; i < 5000; i++) {
		size_t n;

		snprintf(addr, sizeof(addr), "10.%d.%d.1", i / 256, i % 256);
		n = ipv4_udp(f, addr, "10.255.255.255", 1, 2, 0);
		capture_agg_add(a, CAPTURE_LINK_RAW, f, (uint32_t)n,
				(uint32_t)n, 1, 0, NULL);
	}
	capture_agg_summarize(a, 32, &tot);
	cr_expect_eq(tot.total.packets, 5000);
	cr_expect_eq(tot.nremote, 32);
	/* the destination of every packet is never evicted, and exact */
	cr_expect_eq(tot.remote[0].addr[1], 255);
	cr_expect_eq(tot.remote[0].c.packets, 5000);
	cr_expect_eq(tot.remote[0].c.bytes, 5000 * 28);
	cr_expect_eq(tot.remote[0].bytes_err, 0);
	/* the sources: at most 127 still hold a slot, the rest evicted */
	cr_expect_geq(tot.talker_overflow, 5000 - 127);
	cr_expect_leq(tot.talker_overflow, 5000);
	capture_agg_destroy(a);
}

/* Two intervals merged into a total: counters add, a host heavy in both
 * stays exact, one heavy only in the second interval is counted exactly
 * there and bounded for the first; a few addresses merge exactly. */
Test(pcap, merge_adds_intervals_and_bounds_talkers)
{
	struct capture_agg *iv1 = agg_for_talkers(256);
	struct capture_agg *iv2 = agg_for_talkers(256);
	struct capture_agg *total = agg_for_talkers(256);
	static struct capture_interval s1, s2;

	memset(&truth, 0, sizeof(truth));
	feed(iv1, HEAVY(1), 1000);
	for (uint32_t f = 0; f < 2000; f++) {
		feed(iv1, FLOOD(f), 64);
		if (f % 20 == 0)
			feed(iv1, HEAVY(1), 1000); /* 101 in all */
		if (f % 4 == 0) /* medium hosts, in both intervals */
			feed(iv1, FLOOD(100000 + (f / 4) % 32), 200);
	}
	feed(iv2, HEAVY(1), 1000);
	feed(iv2, HEAVY(2), 1000);
	for (uint32_t f = 2000; f < 4000; f++) {
		feed(iv2, FLOOD(f), 64);
		if (f % 40 == 0)
			feed(iv2, HEAVY(1), 1000); /* 51 in all */
		if (f % 25 == 0)
			feed(iv2, HEAVY(2), 1000); /* 81 in all */
		if (f % 4 == 0)
			feed(iv2, FLOOD(100000 + (f / 4) % 32), 200);
	}
	capture_agg_summarize(iv1, 32, &s1);
	capture_agg_summarize(iv2, 32, &s2);
	capture_agg_merge(total, iv1);
	capture_agg_merge(total, iv2);
	capture_agg_summarize(total, 32, &tot);

	cr_expect_eq(tot.records, s1.records + s2.records);
	cr_expect_eq(tot.total.bytes, s1.total.bytes + s2.total.bytes);
	cr_expect_eq(tot.dir[CAPTURE_DIR_IN].bytes,
		     s1.dir[CAPTURE_DIR_IN].bytes +
			     s2.dir[CAPTURE_DIR_IN].bytes);
	cr_expect_eq(tot.ports[0].c.packets, tot.total.packets);
	cr_expect_geq(tot.talker_overflow,
		      s1.talker_overflow + s2.talker_overflow);
	cr_expect_gt(s1.talker_overflow, 0);
	cr_assert_geq(tot.nremote, 2);
	cr_expect_eq(tot.remote[0].addr[3], 1);
	cr_expect_eq(tot.remote[0].c.bytes, 152000);
	cr_expect_eq(tot.remote[0].bytes_err, 0);
	cr_expect_eq(tot.remote[1].addr[3], 2);
	cr_expect_eq(tot.remote[1].c.bytes, 81000);
	check_bounds(&tot);
	cr_expect_eq(tot.local[0].c.bytes, tot.total.bytes);

	/* a few addresses per interval: the total is exact */
	capture_agg_reset(iv1);
	capture_agg_reset(iv2);
	capture_agg_reset(total);
	memset(&truth, 0, sizeof(truth));
	for (uint32_t f = 0; f < 40; f++) {
		feed(iv1, FLOOD(f), 100 + f);
		feed(iv2, FLOOD(f + 20), 200);
	}
	capture_agg_merge(total, iv1);
	capture_agg_merge(total, iv2);
	capture_agg_summarize(total, 32, &tot);
	cr_expect_eq(tot.talker_overflow, 0);
	cr_expect_eq(tot.nremote, 32);
	for (size_t i = 0; i < tot.nremote; i++) {
		cr_expect_eq(tot.remote[i].bytes_err, 0);
		cr_expect_eq(tot.remote[i].c.bytes, true_bytes(&tot.remote[i]));
	}
	cr_expect_eq(tot.remote[0].c.bytes, 139 + 200); /* FLOOD(39) */
	capture_agg_destroy(iv1);
	capture_agg_destroy(iv2);
	capture_agg_destroy(total);
}

/* The capture drivers prepare a record and commit it when the next one is
 * prepared, or at the interval's end: the counts are capture_agg_account's
 * (source = destination included). */
Test(pcap, prepare_commit_one_late_counts_like_account)
{
	struct capture_agg_config ac = {.max_talkers = 64};
	struct capture_agg *direct, *late;
	static struct capture_rec rec[2];
	static struct capture_interval d, l;
	static uint8_t f[1024];
	char addr[32];
	int pend = 0;

	cr_assert_eq(capture_agg_create(&ac, &direct), 0);
	cr_assert_eq(capture_agg_create(&ac, &late), 0);
	for (int i = 0; i < 3000; i++) {
		struct capture_rec *r = &rec[i & 1];
		size_t n;

		snprintf(addr, sizeof(addr), "10.1.%d.%d", i % 7, i % 250);
		n = ipv4_udp(f, addr, i % 3 ? "10.9.9.9" : addr, 1,
			     (uint16_t)(i % 50), (size_t)(i % 900));
		capture_agg_add(direct, CAPTURE_LINK_RAW, f, (uint32_t)n,
				(uint32_t)n, i, 0, NULL);
		capture_decode(CAPTURE_LINK_RAW, f, (uint32_t)n, (uint32_t)n,
			       &r->pkt);
		r->wirelen = (uint32_t)n;
		r->ts_sec = i;
		r->ts_nsec = 0;
		capture_agg_prepare(late, r);
		if (pend)
			capture_agg_commit(late, &rec[(i - 1) & 1]);
		pend = 1;
		if (i % 1000 != 999)
			continue;
		capture_agg_commit(late, r); /* the interval ends */
		pend = 0;
		capture_agg_summarize(direct, 32, &d);
		capture_agg_summarize(late, 32, &l);
		cr_expect_eq(d.records, 1000);
		cr_expect_eq(l.records, 1000);
		cr_expect_eq(d.total.bytes, l.total.bytes);
		cr_expect_eq(d.last_ts, l.last_ts);
		cr_expect_gt(d.talker_overflow, 0);
		cr_expect_eq(d.talker_overflow, l.talker_overflow);
		cr_assert_eq(d.nremote, l.nremote);
		for (size_t k = 0; k < d.nremote; k++) {
			cr_expect_eq(memcmp(d.remote[k].addr, l.remote[k].addr,
					    16),
				     0);
			cr_expect_eq(d.remote[k].c.bytes, l.remote[k].c.bytes);
			cr_expect_eq(d.remote[k].c.packets,
				     l.remote[k].c.packets);
			cr_expect_eq(d.remote[k].bytes_err,
				     l.remote[k].bytes_err);
		}
		capture_agg_reset(direct);
		capture_agg_reset(late);
	}
	capture_agg_destroy(direct);
	capture_agg_destroy(late);
}

/* ---- the lean path ------------------------------------------------------
 *
 * capture_pipe_submit takes the common frame through
 * capture_agg_prepare_lean instead of capture_decode: the two must count
 * every frame the same way. Frames are built from a template and cut,
 * lengthened, tagged and mutated; each is checked field by field against
 * capture_decode + capture_agg_prepare, then counted both ways into two
 * aggregates whose summaries must be equal. */

struct lean_check {
	struct capture_agg *a;     /* lean path, through a pipe */
	struct capture_agg *g;     /* capture_agg_add */
	struct capture_pipe *pipe; /* of a */
	unsigned long checked, taken;
	int64_t t;
};

static struct capture_agg *lean_agg(size_t max_talkers)
{
	static struct capture_prefixes pl;
	struct capture_agg_config ac = {.local = &pl,
					.max_talkers = max_talkers};
	struct capture_agg *a;
	char e[64];

	if (pl.n == 0) {
		cr_assert_eq(capture_prefixes_add(&pl, "10.0.0.0/8", e, 64), 0);
		cr_assert_eq(capture_prefixes_add(&pl, "2001:db8::/32", e, 64),
			     0);
	}
	cr_assert_eq(capture_agg_create(&ac, &a), 0);
	return a;
}

/* A frame: link header, VLAN tags, IPv4 or IPv6 header, TCP (20 bytes),
 * UDP (8) or 8 other bytes, payload. Host x < 128 is local (10.0.0.x,
 * 2001:db8::x), else remote (198.51.100.x, 3fff::1200:0:0:x); -1 is
 * 0.0.0.0 or ::. */
struct lean_spec {
	int link;     /* CAPTURE_LINK_EN10MB, _LINUX_SLL, _LINUX_SLL2 */
	int tags;     /* VLAN tags, TPIDs 0x88a8, 0x8100, 0x9100, 0x9200 */
	int v;        /* 4 or 6 */
	int proto;    /* IP protocol (IPv6: next header) */
	int src, dst; /* hosts */
	uint16_t sport, dport;
	size_t payload;
};

static void lean_addr(uint8_t *p, int v, int host)
{
	static const uint8_t loc6[16] = {0x20, 0x01, 0x0d, 0xb8};
	static const uint8_t rem6[16] = {0x3f, 0xff, 0, 0, 0, 0, 0, 0, 0x12};

	if (host < 0) { /* 0.0.0.0, :: */
		memset(p, 0, v == 4 ? 4 : 16);
	} else if (v == 4) {
		p[0] = host < 128 ? 10 : 198;
		p[1] = host < 128 ? 0 : 51;
		p[2] = host < 128 ? 0 : 100;
		p[3] = (uint8_t)host;
	} else {
		memcpy(p, host < 128 ? loc6 : rem6, 16);
		p[15] = (uint8_t)host;
	}
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Returns the frame's length; *ret_ip: the IP header's offset. */
static size_t lean_frame(uint8_t *f, const struct lean_spec *s,
			 size_t *ret_ip)
{
	static const uint16_t tpid[] = {0x88a8, 0x8100, 0x9100, 0x9200};
	size_t type, ip, l4len = s->proto == 6 ? 20 : 8, iplen;
	uint8_t *h, *l4;

	switch (s->link) { /* where the (first) ethertype goes, the next */
	case CAPTURE_LINK_LINUX_SLL:
		memset(f, 0, 16);
		type = 14;
		ip = 16;
		break;
	case CAPTURE_LINK_LINUX_SLL2:
		memset(f, 0, 20);
		type = 0;
		ip = 20;
		break;
	default:
		memset(f, 0x02, 12);
		type = 12;
		ip = 14;
	}
	for (int i = 0; i < s->tags; i++) { /* TPID, then the tag's TCI */
		put16(f + type, tpid[i % 4]);
		put16(f + ip, (unsigned)i + 1);
		type = ip + 2;
		ip += 4;
	}
	put16(f + type, s->v == 4 ? 0x0800 : 0x86dd);
	h = f + ip;
	iplen = (s->v == 4 ? 20 : 40) + l4len + s->payload;
	memset(h, 0, iplen);
	if (s->v == 4) {
		h[0] = 0x45;
		put16(h + 2, (unsigned)iplen);
		h[8] = 64;
		h[9] = (uint8_t)s->proto;
		lean_addr(h + 12, 4, s->src);
		lean_addr(h + 16, 4, s->dst);
		l4 = h + 20;
	} else {
		h[0] = 0x60;
		put16(h + 4, (unsigned)iplen - 40);
		h[6] = (uint8_t)s->proto;
		h[7] = 64;
		lean_addr(h + 8, 6, s->src);
		lean_addr(h + 24, 6, s->dst);
		l4 = h + 40;
	}
	put16(l4, s->sport);
	put16(l4 + 2, s->dport);
	if (s->proto == 6)
		l4[12] = 0x50;
	*ret_ip = ip;
	return ip + iplen;
}

/* Checks one record both ways and counts it into both aggregates. The
 * frame is copied into a buffer of exactly caplen bytes, so a read past
 * it is an ASan report. */
static void lean_one(struct lean_check *c, int link, const uint8_t *frame,
		     uint32_t caplen, uint32_t wirelen)
{
	static struct capture_rec lean, gen;
	uint8_t *buf = malloc(caplen ? caplen : 1);
	int rc;

	cr_assert(buf);
	memcpy(buf, frame, caplen);
	memset(&lean, 0xa5, sizeof(lean));
	memset(&gen, 0x5a, sizeof(gen));
	rc = capture_agg_prepare_lean(c->a, link, buf, caplen, wirelen, &lean);
	capture_decode(link, buf, caplen, wirelen, &gen.pkt);
	capture_agg_prepare(c->a, &gen);
	c->checked++;
	if (rc == 0) {
		c->taken++;
		cr_assert_eq(gen.pkt.bad, CAPTURE_OK);
		cr_assert_eq(lean.bad, gen.bad);
		cr_assert_eq(lean.proto, gen.proto);
		cr_assert_eq(lean.family, gen.family);
		cr_assert_eq(lean.flags, gen.flags, "flags %x != %x",
			     lean.flags, gen.flags);
		cr_assert_eq(lean.port, gen.port);
		cr_assert_eq(lean.local[0], gen.local[0]);
		cr_assert_eq(lean.local[1], gen.local[1]);
		cr_assert_eq(memcmp(lean.addr, gen.addr, sizeof(lean.addr)), 0);
		cr_assert_eq(lean.hash[0], gen.hash[0]);
		cr_assert_eq(lean.hash[1], gen.hash[1]);
	}
	c->t += 7;
	capture_pipe_submit(c->pipe, c->a, link, buf, caplen, wirelen,
			    1700000000 + c->t / 1000, (uint32_t)(c->t % 1000));
	capture_agg_add(c->g, link, buf, caplen, wirelen,
			1700000000 + c->t / 1000, (uint32_t)(c->t % 1000),
			NULL);
	free(buf);
}

static void expect_same_counts(const struct capture_counts *x,
			       const struct capture_counts *y, const char *what)
{
	cr_expect_eq(x->packets, y->packets, "%s packets", what);
	cr_expect_eq(x->bytes, y->bytes, "%s bytes", what);
}

static void expect_same_interval(const struct capture_interval *x,
				 const struct capture_interval *y)
{
	cr_expect_eq(x->records, y->records);
	expect_same_counts(&x->total, &y->total, "total");
	for (int i = 0; i < CAPTURE_DIR_COUNT; i++)
		expect_same_counts(&x->dir[i], &y->dir[i], "dir");
	for (int i = 0; i < CAPTURE_PROTO_COUNT; i++)
		expect_same_counts(&x->proto[i], &y->proto[i], "proto");
	for (int i = 0; i < CAPTURE_BAD_COUNT; i++)
		cr_expect_eq(x->malformed[i], y->malformed[i], "malformed %s",
			     capture_bad_name((enum capture_bad)i));
	cr_expect_eq(x->snap_truncated, y->snap_truncated);
	cr_expect_eq(x->unsupported_link, y->unsupported_link);
	cr_expect_eq(x->vlan_tagged, y->vlan_tagged);
	cr_expect_eq(x->ts_backwards, y->ts_backwards);
	cr_expect_eq(x->ts_invalid, y->ts_invalid);
	cr_expect_eq(x->talker_overflow, y->talker_overflow);
	cr_expect_eq(x->first_ts, y->first_ts);
	cr_expect_eq(x->last_ts, y->last_ts);
	cr_assert_eq(x->nports, y->nports);
	for (size_t i = 0; i < x->nports; i++) {
		cr_expect_eq(x->ports[i].proto, y->ports[i].proto);
		cr_expect_eq(x->ports[i].port, y->ports[i].port);
		expect_same_counts(&x->ports[i].c, &y->ports[i].c, "port");
	}
	cr_assert_eq(x->nlocal, y->nlocal);
	cr_assert_eq(x->nremote, y->nremote);
	for (size_t i = 0; i < x->nlocal + x->nremote; i++) {
		size_t r = i - x->nlocal; /* when i >= nlocal */
		const struct capture_talker *p =
			i < x->nlocal ? &x->local[i] : &x->remote[r];
		const struct capture_talker *q =
			i < x->nlocal ? &y->local[i] : &y->remote[r];

		cr_expect_eq(p->family, q->family);
		cr_expect_eq(memcmp(p->addr, q->addr, 16), 0);
		expect_same_counts(&p->c, &q->c, "talker");
		cr_expect_eq(p->bytes_err, q->bytes_err);
	}
}

/* Summarizes both aggregates (the pipe flushed first), compares, resets. */
static void lean_compare(struct lean_check *c)
{
	static struct capture_interval x, y;

	capture_pipe_flush(c->pipe, c->a);
	capture_agg_summarize(c->a, CAPTURE_TOP_MAX, &x);
	capture_agg_summarize(c->g, CAPTURE_TOP_MAX, &y);
	expect_same_interval(&x, &y);
	cr_expect_eq(x.records, c->checked);
	capture_agg_reset(c->a);
	capture_agg_reset(c->g);
	c->checked = 0;
}

/* Every cut of a frame by the snap length, and wire lengths around the
 * frame's (shorter: the IP length lies; longer: Ethernet padding). */
static void lean_cuts(struct lean_check *c, int link, const uint8_t *f,
		      size_t n)
{
	for (size_t cap = 0; cap <= n; cap++)
		lean_one(c, link, f, (uint32_t)cap, (uint32_t)n);
	for (size_t w = n > 8 ? n - 8 : 0; w < n + 8; w++)
		lean_one(c, link, f, (uint32_t)(w < n ? w : n), (uint32_t)w);
}

/* One frame of s as it is, with a later IPv4 fragment, the first one
 * (MF), options, length 0, version 6 in an IPv4 header, or an IPv6
 * payload length of 0 (a jumbogram), each cut at every length. */
static void lean_variants(struct lean_check *c, const struct lean_spec *s)
{
	static const uint8_t v4[][4] = {
		/* offset [6], [7], byte [0], length [2] */
		{0x00, 0x10, 0x45, 1}, {0x20, 0x00, 0x45, 1},
		{0x00, 0x00, 0x46, 1}, {0x00, 0x00, 0x45, 0},
		{0x00, 0x00, 0x65, 1},
	};
	uint8_t f[512];
	size_t ip, n = lean_frame(f, s, &ip);

	lean_cuts(c, s->link, f, n);
	if (s->v == 6) {
		f[ip + 4] = f[ip + 5] = 0;
		lean_cuts(c, s->link, f, n);
		return;
	}
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		n = lean_frame(f, s, &ip);
		f[ip + 6] = v4[i][0];
		f[ip + 7] = v4[i][1];
		f[ip] = v4[i][2];
		if (!v4[i][3])
			f[ip + 2] = f[ip + 3] = 0;
		lean_cuts(c, s->link, f, n);
	}
}

Test(pcap, lean_path_counts_like_the_decoder, .timeout = 300)
{
	static const int links[] = {CAPTURE_LINK_EN10MB, CAPTURE_LINK_LINUX_SLL,
				    CAPTURE_LINK_LINUX_SLL2};
	static const int ntags[] = {0, 1, 2, 3, 8, 9};
	static const int protos[] = {6, 17, 1, 58, 47, 0, 44, 43};
	static const int hosts[][2] = {{1, 200}, {200, 1}, {1, 2},
				       {200, 201}, {3, 3}, {-1, -1},
				       {-1, 200}};
	static struct capture_pipe pipe;
	struct lean_check c = {.a = lean_agg(64), .g = lean_agg(64),
			       .pipe = &pipe};
	uint8_t f[512];
	uint64_t rng = 42;
	unsigned long nfull = 0, taken = 0;

	for (size_t i = 0; i < 3 * 6 * 2 * 8 * 7; i++) {
		size_t h = i % 7, p = i / 7 % 8, ip, n;
		struct lean_spec s = {
			.link = links[i / 7 / 8 / 2 / 6],
			.tags = ntags[i / 7 / 8 / 2 % 6],
			.v = i / 7 / 8 % 2 ? 6 : 4,
			.proto = protos[p],
			.src = hosts[h][0],
			.dst = hosts[h][1],
			.sport = (uint16_t)(40000 + h),
			.dport = (uint16_t)(h * 100),
			.payload = h * 7,
		};
		/* what the lean path must take: all but 9 tags and IPv6
		 * extension headers (0, 44, 43 are other protocols in v4) */
		int common = s.tags <= 8 &&
			     (s.v == 4 || (s.proto != 0 && s.proto != 44 &&
					   s.proto != 43));

		n = lean_frame(f, &s, &ip);
		c.taken = 0;
		lean_one(&c, s.link, f, (uint32_t)n, (uint32_t)n);
		cr_expect_eq(c.taken, (unsigned long)common,
			     "link %d, %d tags, IPv%d, protocol %d", s.link,
			     s.tags, s.v, s.proto);
		nfull++;
		taken += c.taken;
		lean_variants(&c, &s);
	}
	lean_compare(&c);
	cr_expect_gt(taken, nfull / 2);

	/* random frames with random header bytes changed, random cuts */
	for (int i = 0; i < 60000; i++) {
		struct lean_spec s;
		size_t n, ip;
		uint32_t cap, wire;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		s = (struct lean_spec){
			.link = links[(rng >> 33) % 3],
			.tags = (int)((rng >> 40) % 4),
			.v = (rng >> 45) & 1 ? 6 : 4,
			.proto = protos[(rng >> 47) % 8],
			.src = (int)((rng >> 50) % 256),
			.dst = (int)((rng >> 20) % 256),
			.sport = (uint16_t)(rng >> 8),
			.dport = (uint16_t)(rng >> 24),
			.payload = (size_t)((rng >> 56) % 40),
		};
		n = lean_frame(f, &s, &ip);
		for (int k = 0; k < (int)((rng >> 30) % 4); k++) {
			rng = rng * 6364136223846793005ull + 1;
			f[(rng >> 33) % (n < 80 ? n : 80)] =
				(uint8_t)(rng >> 50);
		}
		rng = rng * 6364136223846793005ull + 1;
		cap = (rng >> 60) ? (uint32_t)n
				  : (uint32_t)((rng >> 33) % (n + 1));
		wire = (rng >> 58) & 1 ? (uint32_t)n
				       : cap + (uint32_t)((rng >> 40) % 64);
		lean_one(&c, s.link, f, cap, wire);
		if (i % 5000 == 4999)
			lean_compare(&c);
	}
	lean_compare(&c);
	capture_agg_destroy(c.a);
	capture_agg_destroy(c.g);
}

/* The pipe against capture_agg_add on traffic that overflows a small
 * talker table, across intervals, with a record pending at each flush:
 * the same counts, talkers, error bounds and evictions. */
Test(pcap, pipe_counts_like_add_through_evictions)
{
	static struct capture_pipe pipe;
	struct lean_check c = {.a = lean_agg(64), .g = lean_agg(64),
			       .pipe = &pipe};
	static uint8_t f[2048];
	uint64_t rng = 7;

	for (int i = 0; i < 40000; i++) {
		struct lean_spec s;
		size_t n, ip;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		s = (struct lean_spec){
			.link = CAPTURE_LINK_EN10MB,
			.tags = (rng >> 60) == 0,
			.v = (rng >> 40) % 8 ? 4 : 6,
			.proto = (rng >> 41) % 3 ? 6 : 17,
			.src = (int)((rng >> 44) % 256),
			.dst = (int)((rng >> 52) % 256),
			.sport = (uint16_t)(rng >> 8),
			.dport = (uint16_t)((rng >> 24) % 1024),
			.payload = (size_t)((rng >> 30) % 1400),
		};
		n = lean_frame(f, &s, &ip);
		lean_one(&c, s.link, f, (uint32_t)(n < 128 ? n : 128),
			 (uint32_t)n);
		if (i % 3001 == 3000)
			lean_compare(&c);
	}
	lean_compare(&c);
	capture_agg_destroy(c.a);
	capture_agg_destroy(c.g);
}

Test(pcap, prefixes_parse_and_match)
{
	struct capture_prefixes pl = {0};
	char e[128];
	uint8_t a[16] = {0};

	cr_expect_eq(capture_prefixes_add(&pl, "10.20.0.0/14", e, sizeof(e)), 0);
	cr_expect_eq(capture_prefixes_add(&pl, "2001:db8:80::/41", e,
					  sizeof(e)),
		     0);
	cr_expect_eq(capture_prefixes_add(&pl, "192.0.2.9", e, sizeof(e)), 0);
	cr_expect_eq(capture_prefixes_add(&pl, "10.0.0.0/33", e, sizeof(e)),
		     -EINVAL);
	cr_expect(strstr(e, "10.0.0.0/33") != NULL, "%s", e);
	cr_expect_eq(capture_prefixes_add(&pl, "nonsense", e, sizeof(e)),
		     -EINVAL);
	cr_expect_eq(capture_prefixes_add(&pl, "/8", e, sizeof(e)), -EINVAL);
	cr_expect_eq(pl.n, 3);
	a[0] = 10;
	a[1] = 23;
	cr_expect(capture_prefixes_match(&pl, 4, a));
	a[1] = 24;
	cr_expect_not(capture_prefixes_match(&pl, 4, a));
	cr_expect_not(capture_prefixes_match(&pl, 6, a));
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = 0xff;
	cr_expect(capture_prefixes_match(&pl, 6, a));
	a[5] = 0x7f;
	cr_expect_not(capture_prefixes_match(&pl, 6, a));
}

/* ---- the command ------------------------------------------------------- */

/* Runs slamon pcap-stats (its run function) in a child with stdout/stderr to files; returns the
 * exit status and the outputs (malloc'd). */
static int run_cmd(char **argv, char **ret_out, char **ret_err)
{
	char outp[] = "/tmp/slamon-pcap-out-XXXXXX";
	char errp[] = "/tmp/slamon-pcap-err-XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp), st, argc = 0;
	pid_t pid;
	char **files[2] = {ret_out, ret_err};
	const char *paths[2] = {outp, errp};

	cr_assert_geq(ofd, 0);
	cr_assert_geq(efd, 0);
	while (argv[argc])
		argc++;
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		_exit(cli_cmd_pcap_stats.run(&cli_cmd_pcap_stats, argc,
					       argv));
	}
	waitpid(pid, &st, 0);
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(paths[i], "r");
		size_t len;

		*files[i] = calloc(1, 1 << 20);
		len = fread(*files[i], 1, (1 << 20) - 1, f);
		(*files[i])[len] = '\0';
		fclose(f);
		unlink(paths[i]);
	}
	close(ofd);
	close(efd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(pcap_stats_cmd, json_totals_direction_and_talkers, .timeout = 60)
{
	char *argv[] = {"pcap-stats", file_path("dns_udp.pcap"), "--local",
			"192.168.1.0/24,2001:db8::/32", "--json", "--top", "3",
			NULL};
	char *out, *err;
	json_error_t je;
	json_t *o;

	argv[1] = strdup(argv[1]);
	cr_assert_eq(run_cmd(argv, &out, &err), 0, "stderr: %s", err);
	o = json_loads(out, 0, &je);
	cr_assert_not_null(o, "%s: %s", je.text, out);
	cr_expect_eq(json_integer_value(json_object_get(
			     json_object_get(json_object_get(o, "total"),
					     "total"),
			     "packets")),
		     2);
	cr_expect_eq(json_integer_value(json_object_get(
			     json_object_get(json_object_get(json_object_get(
						     o, "total"),
						     "direction"),
					     "in"),
			     "bytes")),
		     266);
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(
							json_object_get(o, "total"),
							"top_local"),
						0),
				 "addr")),
			 "192.168.1.11");
	cr_expect_eq(json_array_size(json_object_get(o, "intervals")), 1);
	cr_expect_str_eq(json_string_value(json_object_get(o, "linktype")),
			 "EN10MB");
	json_decref(o);
	free(argv[1]);
	free(out);
	free(err);
}

Test(pcap_stats_cmd, text_output_and_errors, .timeout = 60)
{
	char path[1024];
	char *ok[] = {"pcap-stats", path, "--intervals", NULL};
	char *refused_argv[] = {"pcap-stats", path, NULL};
	char *bad_prefix[] = {"pcap-stats", path, "--local", "10.0.0.0/40",
			      NULL};
	char *no_file[] = {"pcap-stats", NULL};
	char *bad_top[] = {"pcap-stats", path, "--top", "0", NULL};
	char *out, *err;

	snprintf(path, sizeof(path), "%s", file_path("ntp.pcap"));
	cr_expect_eq(run_cmd(ok, &out, &err), 0, "%s", err);
	cr_expect(strstr(out, "records: 8") != NULL, "%s", out);
	cr_expect(strstr(out, "udp 123") != NULL, "%s", out);
	cr_expect(strstr(out, "(partial)") != NULL, "%s", out);
	free(out);
	free(err);

	snprintf(path, sizeof(path), "%s",
		 file_path("pcap-invalid-version-2.pcap"));
	cr_expect_eq(run_cmd(refused_argv, &out, &err), 2);
	cr_expect(strstr(err, path) != NULL, "%s", err);
	cr_expect(strstr(err, "unsupported pcap savefile version") != NULL,
		  "%s", err);
	free(out);
	free(err);

	cr_expect_eq(run_cmd(bad_prefix, &out, &err), 2);
	cr_expect(strstr(err, "10.0.0.0/40") != NULL, "%s", err);
	free(out);
	free(err);
	cr_expect_eq(run_cmd(no_file, &out, &err), 2);
	cr_expect(strstr(err, "expected one FILE") != NULL, "%s", err);
	free(out);
	free(err);
	cr_expect_eq(run_cmd(bad_top, &out, &err), 2);
	free(out);
	free(err);
}
