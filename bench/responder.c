/*
 * responder.c - a small fast SNMPv2c responder for the benchmark fleet.
 *
 * One process answers for N simulated agents on loopback.  Agent i lives at
 * 127.A.B.C:PORT with A = 100 + i / 62500, B = 1 + (i / 250) % 250,
 * C = 1 + i % 250 (Linux delivers every 127/8 address on lo).  A single
 * UDP socket bound to the wildcard address per thread (SO_REUSEPORT) takes
 * every request; IP_PKTINFO says which agent was asked and the answer goes
 * out from that address.  Datagrams from or to anything outside 127/8 are
 * dropped.
 *
 * Every agent has -i COUNT interfaces (4 by default), the first K agents
 * -B K:COUNT (e.g. -B 34:48 -i 4: the routers and switches of the bureau's
 * mix, then access points): ifIndex 1..COUNT, all up, 1 Gbps, ifDescr
 * GigabitEthernet0/X, ifName Gi0/X, ifAlias "bench agent A port X", whose
 * counters grow with wall time: ifHCInOctets = rate * (now - start), rate
 * in bytes/s depends on the agent and interface (1..50 MB/s, well under the
 * link speed); out = in / 2; errors and discards grow slowly; sysUpTime
 * counts from the responder's start.  GET, GETNEXT and GETBULK are served
 * from one sorted table; unknown OIDs get noSuchObject, a walk past the end
 * endOfMibView.  One table per interface count (the two are shared by all
 * agents: no per-agent memory).  recvmmsg/sendmmsg in batches of 64.
 *
 *   responder -n N [-p PORT] [-c COMMUNITY] [-t THREADS] [-s STATSFILE]
 *             [-d MAX_SECONDS] [-i COUNT] [-B K:COUNT]
 *
 * The stats file is rewritten every second: "requests responses bad".
 * SIGTERM/SIGINT stop it; it always stops after MAX_SECONDS (default 3600).
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ber.h"

#define NIF_MAX 1000
#define BATCH 64
#define PKT_MAX 65536
#define VB_MAX 2048

enum kind {
	K_SYSDESCR, K_SYSOBJID, K_UPTIME, K_SYSNAME, K_IFNUMBER,
	K_IFINDEX, K_IFDESCR, K_IFTYPE, K_IFMTU, K_IFSPEED, K_IFADMIN, K_IFOPER,
	K_IFINOCT, K_IFINDISC, K_IFINERR, K_IFOUTOCT, K_IFOUTDISC, K_IFOUTERR,
	K_IFNAME, K_IFHCIN, K_IFHCOUT, K_IFHIGHSPEED, K_IFALIAS
};

struct entry {
	uint32_t oid[OID_MAX];
	int len;
	enum kind kind;
	int ifx; /* 1..nif, 0 scalar */
};

/* the sorted OID table of agents with nif interfaces */
struct table {
	struct entry *e;
	int n;
	int nif;
};

static struct table tables[2]; /* [0]: -i, [1]: the first nbig agents */
static uint32_t nbig;
static uint32_t nagents = 500;
static char community[128] = "bench";
static size_t community_len = 5;
static double t0;
static volatile sig_atomic_t stop;
static _Atomic uint64_t st_req, st_resp, st_bad;

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add(struct table *t, enum kind k, int ifx, int n,
		const uint32_t *o)
{
	struct entry *e = &t->e[t->n++];

	memcpy(e->oid, o, n * sizeof(uint32_t));
	e->len = n;
	e->kind = k;
	e->ifx = ifx;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return oid_cmp(x->oid, x->len, y->oid, y->len);
}

static int build_table(struct table *t, int nif)
{
	static const struct { enum kind k; uint32_t col; } ift[] = {
		{K_IFINDEX, 1}, {K_IFDESCR, 2}, {K_IFTYPE, 3}, {K_IFMTU, 4},
		{K_IFSPEED, 5}, {K_IFADMIN, 7}, {K_IFOPER, 8},
		{K_IFINOCT, 10}, {K_IFINDISC, 13}, {K_IFINERR, 14},
		{K_IFOUTOCT, 16}, {K_IFOUTDISC, 19}, {K_IFOUTERR, 20}};
	static const struct { enum kind k; uint32_t col; } ifx[] = {
		{K_IFNAME, 1}, {K_IFHCIN, 6}, {K_IFHCOUT, 10},
		{K_IFHIGHSPEED, 15}, {K_IFALIAS, 18}};
	uint32_t o[OID_MAX] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
	size_t cols = sizeof(ift) / sizeof(ift[0]) + sizeof(ifx) / sizeof(ifx[0]);

	t->nif = nif;
	t->n = 0;
	t->e = calloc(5 + cols * (size_t)nif, sizeof(*t->e));
	if (t->e == NULL)
		return -1;
	add(t, K_SYSDESCR, 0, 9, o);
	o[7] = 2, add(t, K_SYSOBJID, 0, 9, o);
	o[7] = 3, add(t, K_UPTIME, 0, 9, o);
	o[7] = 5, add(t, K_SYSNAME, 0, 9, o);
	o[6] = 2, o[7] = 1, add(t, K_IFNUMBER, 0, 9, o);
	for (size_t c = 0; c < sizeof(ift) / sizeof(ift[0]); c++)
		for (int i = 1; i <= nif; i++) {
			uint32_t x[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, ift[c].col,
					(uint32_t)i};
			add(t, ift[c].k, i, 11, x);
		}
	for (size_t c = 0; c < sizeof(ifx) / sizeof(ifx[0]); c++)
		for (int i = 1; i <= nif; i++) {
			uint32_t x[] = {1, 3, 6, 1, 2, 1, 31, 1, 1, 1,
					ifx[c].col, (uint32_t)i};
			add(t, ifx[c].k, i, 12, x);
		}
	qsort(t->e, (size_t)t->n, sizeof(t->e[0]), entry_cmp);
	return 0;
}

/* index of the exact entry, or -1 */
static int lookup(const struct table *t, const uint32_t *o, int n)
{
	int lo = 0, hi = t->n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int c = oid_cmp(t->e[mid].oid, t->e[mid].len, o, n);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* index of the first entry after o, or t->n */
static int next_of(const struct table *t, const uint32_t *o, int n)
{
	int lo = 0, hi = t->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (oid_cmp(t->e[mid].oid, t->e[mid].len, o, n) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* bytes per second of interface ifx of agent a */
static double rate_in(uint32_t a, int ifx)
{
	return 1e6 * (double)(1 + (a * 4 + (uint32_t)ifx) % 50);
}

static void encode_value(struct benc *e, uint32_t a, const struct entry *en,
			 int nif, double el)
{
	char s[96];
	int n;
	uint64_t hc;

	switch (en->kind) {
	case K_SYSDESCR:
		n = snprintf(s, sizeof(s), "slamon bench agent %u", a);
		ber_octets(e, BER_OCTETS, s, (size_t)n);
		return;
	case K_SYSOBJID: {
		static const uint32_t o[] = {1, 3, 6, 1, 4, 1, 8072, 3, 2, 10};
		ber_oid(e, o, 10);
		return;
	}
	case K_UPTIME:
		ber_uint(e, BER_TIMETICKS,
			 (uint32_t)(el * 100.0) + 100000u + a % 1000);
		return;
	case K_SYSNAME:
		n = snprintf(s, sizeof(s), "bench-%u", a);
		ber_octets(e, BER_OCTETS, s, (size_t)n);
		return;
	case K_IFNUMBER:
		ber_sint(e, nif);
		return;
	case K_IFINDEX:
		ber_sint(e, en->ifx);
		return;
	case K_IFDESCR:
		n = snprintf(s, sizeof(s), "GigabitEthernet0/%d", en->ifx);
		ber_octets(e, BER_OCTETS, s, (size_t)n);
		return;
	case K_IFTYPE:
		ber_sint(e, 6);
		return;
	case K_IFMTU:
		ber_sint(e, 1500);
		return;
	case K_IFSPEED:
		ber_uint(e, BER_GAUGE32, 1000000000u);
		return;
	case K_IFADMIN:
	case K_IFOPER:
		ber_sint(e, 1);
		return;
	case K_IFNAME:
		n = snprintf(s, sizeof(s), "Gi0/%d", en->ifx);
		ber_octets(e, BER_OCTETS, s, (size_t)n);
		return;
	case K_IFALIAS:
		n = snprintf(s, sizeof(s), "bench agent %u port %d", a, en->ifx);
		ber_octets(e, BER_OCTETS, s, (size_t)n);
		return;
	case K_IFHIGHSPEED:
		ber_uint(e, BER_GAUGE32, 1000);
		return;
	case K_IFINDISC:
	case K_IFOUTDISC:
		ber_uint(e, BER_COUNTER32, (uint32_t)(el * 0.01 * en->ifx));
		return;
	case K_IFINERR:
	case K_IFOUTERR:
		ber_uint(e, BER_COUNTER32, (uint32_t)(el * 0.02 * en->ifx));
		return;
	case K_IFINOCT:
	case K_IFHCIN:
	case K_IFOUTOCT:
	case K_IFHCOUT:
		hc = (uint64_t)(rate_in(a, en->ifx) * el);
		if (en->kind == K_IFOUTOCT || en->kind == K_IFHCOUT)
			hc /= 2;
		if (en->kind == K_IFHCIN || en->kind == K_IFHCOUT)
			ber_uint(e, BER_COUNTER64, hc);
		else
			ber_uint(e, BER_COUNTER32, (uint32_t)hc);
		return;
	}
}

struct vbres {
	const uint32_t *oid; /* the OID to answer with */
	int len;
	int ent;     /* table index, or -1 */
	uint8_t exc; /* exception tag when ent < 0 */
};

/* Builds the answer to one request in out; returns its length or 0. */
static size_t answer(uint32_t agent, const uint8_t *pkt, size_t n,
		     uint8_t *out, size_t outmax, double el)
{
	static __thread uint32_t qoids[VB_MAX][OID_MAX];
	static __thread int qlens[VB_MAX];
	static __thread struct vbres res[VB_MAX];
	struct bdec d = {pkt, pkt + n}, vbl;
	uint8_t tag, pdutype;
	size_t len;
	int64_t version, reqid, a, b;
	const uint8_t *comm;
	size_t comm_len;
	int nq = 0, nres = 0;
	long errstat = 0, errindex = 0;
	const struct table *t = &tables[agent < nbig ? 1 : 0];
	const struct entry *table = t->e;
	const int ntable = t->n;

	if (ber_tl(&d, &tag, &len) < 0 || tag != BER_SEQ)
		return 0;
	d.end = d.p + len;
	if (ber_int(&d, &version) < 0 || version != 1)
		return 0;
	if (ber_tl(&d, &tag, &len) < 0 || tag != BER_OCTETS)
		return 0;
	comm = d.p, comm_len = len;
	d.p += len;
	if (comm_len != community_len || memcmp(comm, community, len) != 0)
		return 0;
	if (ber_tl(&d, &pdutype, &len) < 0)
		return 0;
	if (pdutype != PDU_GET && pdutype != PDU_GETNEXT &&
	    pdutype != PDU_GETBULK)
		return 0;
	d.end = d.p + len;
	if (ber_int(&d, &reqid) < 0 || ber_int(&d, &a) < 0 ||
	    ber_int(&d, &b) < 0)
		return 0;
	if (ber_tl(&d, &tag, &len) < 0 || tag != BER_SEQ)
		return 0;
	vbl.p = d.p, vbl.end = d.p + len;
	while (vbl.p < vbl.end) {
		struct bdec vb;

		if (nq >= VB_MAX || ber_tl(&vbl, &tag, &len) < 0 ||
		    tag != BER_SEQ)
			return 0;
		vb.p = vbl.p, vb.end = vbl.p + len;
		vbl.p += len;
		if (ber_tl(&vb, &tag, &len) < 0 || tag != BER_OID ||
		    ber_oid_decode(vb.p, len, qoids[nq], &qlens[nq]) < 0)
			return 0;
		nq++;
	}

	if (pdutype == PDU_GET) {
		for (int i = 0; i < nq; i++) {
			int k = lookup(t, qoids[i], qlens[i]);

			res[nres++] = (struct vbres){qoids[i], qlens[i], k,
						     BER_NOSUCHOBJECT};
		}
	} else if (pdutype == PDU_GETNEXT) {
		for (int i = 0; i < nq; i++) {
			int k = next_of(t, qoids[i], qlens[i]);

			if (k < ntable)
				res[nres++] = (struct vbres){table[k].oid,
							     table[k].len, k, 0};
			else
				res[nres++] = (struct vbres){
					qoids[i], qlens[i], -1,
					BER_ENDOFMIBVIEW};
		}
	} else {
		int64_t nonrep = a < 0 ? 0 : a > nq ? nq : a;
		int64_t maxrep = b < 0 ? 0 : b;
		int nrep = nq - (int)nonrep;
		static __thread int cur[VB_MAX];
		/* keep the answer well inside one datagram */
		int budget = (int)(outmax / 64);

		for (int i = 0; i < nonrep; i++) {
			int k = next_of(t, qoids[i], qlens[i]);

			res[nres++] = k < ntable
				? (struct vbres){table[k].oid, table[k].len, k, 0}
				: (struct vbres){qoids[i], qlens[i], -1,
						 BER_ENDOFMIBVIEW};
		}
		for (int j = 0; j < nrep; j++)
			cur[j] = -2; /* not started */
		for (int64_t r = 0; r < maxrep && nrep > 0; r++) {
			int ended = 0;

			if (nres + nrep > budget || nres + nrep > VB_MAX)
				break;
			for (int j = 0; j < nrep; j++) {
				int q = (int)nonrep + j, k;

				if (cur[j] == -2)
					k = next_of(t, qoids[q], qlens[q]);
				else if (cur[j] >= ntable)
					k = ntable;
				else
					k = cur[j] + 1;
				cur[j] = k;
				if (k < ntable) {
					res[nres++] = (struct vbres){
						table[k].oid, table[k].len, k, 0};
				} else {
					res[nres++] = (struct vbres){
						qoids[q], qlens[q], -1,
						BER_ENDOFMIBVIEW};
					ended++;
				}
			}
			if (ended == nrep)
				break;
		}
	}

	{
		struct benc e = {out, out + outmax, 0};
		uint8_t *end = e.p, *vend;

		for (int i = nres - 1; i >= 0; i--) {
			uint8_t *vbend = e.p;

			if (res[i].ent >= 0)
				encode_value(&e, agent, &table[res[i].ent], t->nif,
					     el);
			else
				ber_hdr(&e, res[i].exc, 0);
			ber_oid(&e, res[i].oid, res[i].len);
			ber_hdr(&e, BER_SEQ, (size_t)(vbend - e.p));
		}
		vend = e.p;
		ber_hdr(&e, BER_SEQ, (size_t)(end - vend));
		ber_sint(&e, errindex);
		ber_sint(&e, errstat);
		ber_sint(&e, reqid);
		ber_hdr(&e, PDU_RESPONSE, (size_t)(end - e.p));
		ber_octets(&e, BER_OCTETS, comm, comm_len);
		ber_sint(&e, 1);
		ber_hdr(&e, BER_SEQ, (size_t)(end - e.p));
		if (e.overflow)
			return 0; /* a GET too big for a datagram: drop */
		memmove(out, e.p, (size_t)(end - e.p));
		return (size_t)(end - e.p);
	}
}

static int agent_of(struct in_addr dst, uint32_t *ret)
{
	uint32_t h = ntohl(dst.s_addr);
	uint32_t A = (h >> 16) & 255, B = (h >> 8) & 255, C = h & 255;
	uint32_t i;

	if ((h >> 24) != 127 || A < 100 || B < 1 || B > 250 || C < 1 ||
	    C > 250)
		return -1;
	i = (A - 100) * 62500 + (B - 1) * 250 + (C - 1);
	if (i >= nagents)
		return -1;
	*ret = i;
	return 0;
}

struct worker {
	pthread_t th;
	int fd;
};

static void *serve(void *arg)
{
	struct worker *w = arg;
	uint8_t (*in)[PKT_MAX] = malloc(sizeof(uint8_t[BATCH][PKT_MAX]));
	uint8_t (*out)[PKT_MAX] = malloc(sizeof(uint8_t[BATCH][PKT_MAX]));
	struct mmsghdr rm[BATCH], sm[BATCH];
	struct iovec riov[BATCH], siov[BATCH];
	struct sockaddr_in from[BATCH], to[BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} rc[BATCH], sc[BATCH];

	while (!stop) {
		struct pollfd pfd = {w->fd, POLLIN, 0};
		int got, ns = 0;
		double el;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		for (int i = 0; i < BATCH; i++) {
			riov[i] = (struct iovec){in[i], PKT_MAX};
			memset(&rm[i], 0, sizeof(rm[i]));
			rm[i].msg_hdr.msg_name = &from[i];
			rm[i].msg_hdr.msg_namelen = sizeof(from[i]);
			rm[i].msg_hdr.msg_iov = &riov[i];
			rm[i].msg_hdr.msg_iovlen = 1;
			rm[i].msg_hdr.msg_control = rc[i].buf;
			rm[i].msg_hdr.msg_controllen = sizeof(rc[i].buf);
		}
		got = recvmmsg(w->fd, rm, BATCH, MSG_DONTWAIT, NULL);
		if (got <= 0)
			continue;
		el = now_wall() - t0;
		for (int i = 0; i < got; i++) {
			struct in_pktinfo *pi = NULL;
			struct cmsghdr *cm;
			uint32_t agent;
			size_t olen;

			atomic_fetch_add_explicit(&st_req, 1,
						  memory_order_relaxed);
			for (cm = CMSG_FIRSTHDR(&rm[i].msg_hdr); cm;
			     cm = CMSG_NXTHDR(&rm[i].msg_hdr, cm))
				if (cm->cmsg_level == IPPROTO_IP &&
				    cm->cmsg_type == IP_PKTINFO)
					pi = (struct in_pktinfo *)CMSG_DATA(cm);
			if (pi == NULL ||
			    (ntohl(from[i].sin_addr.s_addr) >> 24) != 127 ||
			    agent_of(pi->ipi_addr, &agent) < 0) {
				atomic_fetch_add_explicit(
					&st_bad, 1, memory_order_relaxed);
				continue;
			}
			olen = answer(agent, in[i], rm[i].msg_len, out[ns],
				      PKT_MAX - 512, el);
			if (olen == 0) {
				atomic_fetch_add_explicit(
					&st_bad, 1, memory_order_relaxed);
				continue;
			}
			{
				struct cmsghdr *c;
				struct in_pktinfo *sp;

				to[ns] = from[i];
				siov[ns] = (struct iovec){out[ns], olen};
				memset(&sm[ns], 0, sizeof(sm[ns]));
				memset(sc[ns].buf, 0, sizeof(sc[ns].buf));
				sm[ns].msg_hdr.msg_name = &to[ns];
				sm[ns].msg_hdr.msg_namelen = sizeof(to[ns]);
				sm[ns].msg_hdr.msg_iov = &siov[ns];
				sm[ns].msg_hdr.msg_iovlen = 1;
				sm[ns].msg_hdr.msg_control = sc[ns].buf;
				sm[ns].msg_hdr.msg_controllen =
					sizeof(sc[ns].buf);
				c = CMSG_FIRSTHDR(&sm[ns].msg_hdr);
				c->cmsg_level = IPPROTO_IP;
				c->cmsg_type = IP_PKTINFO;
				c->cmsg_len = CMSG_LEN(sizeof(*sp));
				sp = (struct in_pktinfo *)CMSG_DATA(c);
				sp->ipi_spec_dst = pi->ipi_addr;
				ns++;
			}
		}
		for (int off = 0; off < ns;) {
			int s = sendmmsg(w->fd, sm + off, ns - off, 0);

			if (s <= 0) {
				if (s < 0 && errno == EINTR)
					continue;
				break; /* a full socket buffer: drop */
			}
			atomic_fetch_add_explicit(&st_resp, (uint64_t)s,
						  memory_order_relaxed);
			off += s;
		}
	}
	free(in);
	free(out);
	return NULL;
}

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static void write_stats(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (path == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "%llu %llu %llu\n",
		(unsigned long long)atomic_load(&st_req),
		(unsigned long long)atomic_load(&st_resp),
		(unsigned long long)atomic_load(&st_bad));
	fclose(f);
	rename(tmp, path);
}

int main(int argc, char **argv)
{
	int port = 16100, nthreads = 1, opt, nif = 4, bigif = 0;
	char *colon;
	double maxsec = 3600;
	const char *stats = NULL;
	struct worker *ws;
	struct sigaction sa;

	while ((opt = getopt(argc, argv, "n:p:c:t:s:d:i:B:")) != -1) {
		switch (opt) {
		case 'n': nagents = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'p': port = atoi(optarg); break;
		case 'c':
			snprintf(community, sizeof(community), "%s", optarg);
			community_len = strlen(community);
			break;
		case 't': nthreads = atoi(optarg); break;
		case 's': stats = optarg; break;
		case 'd': maxsec = atof(optarg); break;
		case 'i': nif = atoi(optarg); break;
		case 'B':
			colon = strchr(optarg, ':');
			nbig = (uint32_t)strtoul(optarg, NULL, 10);
			bigif = colon ? atoi(colon + 1) : 0;
			if (colon == NULL || bigif < 1 || bigif > NIF_MAX) {
				fprintf(stderr, "responder: -B K:COUNT, COUNT "
						"1..%d\n", NIF_MAX);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: responder -n N [-p PORT] [-c "
					"COMMUNITY] [-t THREADS] [-s STATSFILE] "
					"[-d MAX_SECONDS] [-i COUNT] "
					"[-B K:COUNT]\n");
			return 2;
		}
	}
	if (nagents == 0 || nagents > 156 * 62500 || nthreads < 1 ||
	    nthreads > 16 || nif < 1 || nif > NIF_MAX) {
		fprintf(stderr, "responder: bad -n, -t or -i (1..%d)\n",
			NIF_MAX);
		return 2;
	}
	if (build_table(&tables[0], nif) < 0 ||
	    (nbig > 0 && build_table(&tables[1], bigif) < 0)) {
		fprintf(stderr, "responder: out of memory\n");
		return 1;
	}
	t0 = now_wall();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ws = calloc((size_t)nthreads, sizeof(*ws));
	for (int i = 0; i < nthreads; i++) {
		struct sockaddr_in sin = {0};
		int one = 1, buf = 8 << 20;

		ws[i].fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (ws[i].fd < 0) {
			perror("socket");
			return 1;
		}
		setsockopt(ws[i].fd, SOL_SOCKET, SO_REUSEPORT, &one,
			   sizeof(one));
		setsockopt(ws[i].fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		setsockopt(ws[i].fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		setsockopt(ws[i].fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		if (bind(ws[i].fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			perror("responder: bind");
			return 1;
		}
	}
	for (int i = 0; i < nthreads; i++)
		pthread_create(&ws[i].th, NULL, serve, &ws[i]);
	fprintf(stderr,
		"responder: %u agents at 127.100.1.1.. port %d, community "
		"'%s', %d thread(s), %d interfaces (the first %u: %d), "
		"pid %d\n",
		nagents, port, community, nthreads, nif, nbig, bigif,
		(int)getpid());
	while (!stop && now_wall() - t0 < maxsec) {
		write_stats(stats);
		usleep(1000 * 1000);
	}
	stop = 1;
	for (int i = 0; i < nthreads; i++)
		pthread_join(ws[i].th, NULL);
	write_stats(stats);
	fprintf(stderr, "responder: %llu requests, %llu responses, %llu bad\n",
		(unsigned long long)st_req, (unsigned long long)st_resp,
		(unsigned long long)st_bad);
	return 0;
}
