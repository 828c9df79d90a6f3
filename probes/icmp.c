/*
 * icmp.c - ICMP/ICMPv6 echo on the libuv loop (see icmp.h).
 *
 * Raw sockets see every ICMP packet the host receives, so the kernel is
 * asked to pass only echo replies (Linux raw(7) ICMP_FILTER, RFC 3542
 * ICMP6_FILTER) and replies are matched on identifier, sequence and source
 * address. A Linux ping socket (icmp(7), "ping_group_range") rewrites the
 * identifier to its own and delivers only its replies, without the IPv4
 * header a raw socket returns. The kernel fills in the ICMPv6 checksum
 * (RFC 3542 section 3.1); the ICMPv4 one is ours (RFC 792).
 * SPDX-License-Identifier: MIT
 */
#include "icmp.h"
#include "icmp_sock.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ECHO_PAYLOAD 16
#define READS_PER_WAKEUP 64

struct icmp_req {
	bool used;
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint16_t seq;
	uint64_t sent_ns;     /* uv_hrtime() */
	uint64_t deadline_ms; /* uv_now() */
	icmp_probe_cb cb;
	void *arg;
};

struct icmp_sock {
	int fd;     /* -1: not open */
	bool raw;   /* raw socket (else ping socket) */
	bool polling;
	uv_poll_t poll;
};

struct icmp_probe {
	uv_loop_t *loop;
	struct icmp_sock s4, s6;
	uv_timer_t timer;
	uint16_t ident;
	uint16_t seq;
	struct icmp_req reqs[ICMP_PROBE_INFLIGHT];
	size_t pending;
	int open_handles;
	void (*close_cb)(void *arg);
	void *close_arg;
};

/* ---- sockets ------------------------------------------------------- */

/* Raw first (root, CAP_NET_RAW), else a ping socket (icmp_sock.c). */
static int sock_open(struct icmp_sock *s, int family)
{
	s->fd = icmp_sock_open(family, &s->raw);
	return s->fd >= 0 ? 0 : s->fd;
}

/* ---- requests ------------------------------------------------------ */

static void req_done(struct icmp_probe *p, struct icmp_req *r, int status,
		     double rtt_ms)
{
	icmp_probe_cb cb = r->cb;
	void *arg = r->arg;

	r->used = false;
	p->pending--;
	cb(arg, status, rtt_ms);
}

static void on_timer(uv_timer_t *h);

/* One-shot timer at the earliest deadline (ICMP_PROBE_INFLIGHT slots: a
 * scan is cheaper than keeping a heap). */
static void timer_arm(struct icmp_probe *p)
{
	uint64_t first = UINT64_MAX, now = uv_now(p->loop);

	for (size_t i = 0; i < ICMP_PROBE_INFLIGHT; i++)
		if (p->reqs[i].used && p->reqs[i].deadline_ms < first)
			first = p->reqs[i].deadline_ms;
	if (first == UINT64_MAX) {
		uv_timer_stop(&p->timer);
		return;
	}
	uv_timer_start(&p->timer, on_timer, first > now ? first - now : 0, 0);
}

static void on_timer(uv_timer_t *h)
{
	struct icmp_probe *p = h->data;
	uint64_t now = uv_now(p->loop);

	for (size_t i = 0; i < ICMP_PROBE_INFLIGHT; i++)
		if (p->reqs[i].used && p->reqs[i].deadline_ms <= now)
			req_done(p, &p->reqs[i], -ETIMEDOUT, 0);
	timer_arm(p);
}

static struct icmp_req *req_find(struct icmp_probe *p, int family,
				 const void *addr, uint16_t seq)
{
	for (size_t i = 0; i < ICMP_PROBE_INFLIGHT; i++) {
		struct icmp_req *r = &p->reqs[i];

		if (!r->used || r->family != family || r->seq != seq)
			continue;
		if (family == AF_INET && memcmp(&r->addr.v4, addr, 4) == 0)
			return r;
		if (family == AF_INET6 && memcmp(&r->addr.v6, addr, 16) == 0)
			return r;
	}
	return NULL;
}

/* An echo reply in buf (ICMP header first) from addr: complete its
 * request. Replies nobody waits for (late, duplicated, another
 * process's) are ignored. */
static void reply(struct icmp_probe *p, const struct icmp_sock *s,
		  int family, const void *addr, const uint8_t *buf, size_t len)
{
	uint8_t type, want = family == AF_INET ? ICMP_ECHOREPLY
					       : ICMP6_ECHO_REPLY;
	uint16_t id, seq;
	struct icmp_req *r;

	if (len < 8)
		return;
	type = buf[0];
	id = (uint16_t)(buf[4] << 8 | buf[5]);
	seq = (uint16_t)(buf[6] << 8 | buf[7]);
	if (type != want || (s->raw && id != p->ident))
		return;
	r = req_find(p, family, addr, seq);
	if (r == NULL)
		return;
	req_done(p, r, 0, (double)(uv_hrtime() - r->sent_ns) / 1e6);
	timer_arm(p);
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	struct icmp_probe *p = h->data;
	struct icmp_sock *s = h == &p->s4.poll ? &p->s4 : &p->s6;
	int family = s == &p->s4 ? AF_INET : AF_INET6;
	uint8_t buf[1500];

	if (status < 0 || !(events & UV_READABLE))
		return;
	for (int k = 0; k < READS_PER_WAKEUP; k++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s->fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);
		size_t off = 0;

		if (n < 0)
			return; /* EAGAIN: nothing more; errors: next time */
		if (family == AF_INET && s->raw) {
			/* raw IPv4 sockets return the IP header (raw(7)) */
			if (n < 20)
				continue;
			off = (size_t)(buf[0] & 0x0f) * 4;
			if (off > (size_t)n)
				continue;
		}
		if (family == AF_INET)
			reply(p, s, family,
			      &((struct sockaddr_in *)&from)->sin_addr,
			      buf + off, (size_t)n - off);
		else
			reply(p, s, family,
			      &((struct sockaddr_in6 *)&from)->sin6_addr,
			      buf + off, (size_t)n - off);
		if (p->s4.fd < 0 && p->s6.fd < 0)
			return; /* closed from a callback */
	}
}

/* ---- API ----------------------------------------------------------- */

static int sock_start(struct icmp_probe *p, struct icmp_sock *s)
{
	int rc = uv_poll_init(p->loop, &s->poll, s->fd);

	if (rc < 0)
		return rc;
	s->poll.data = p;
	s->polling = true;
	p->open_handles++;
	return uv_poll_start(&s->poll, UV_READABLE, on_readable);
}

int icmp_probe_create(uv_loop_t *loop, struct icmp_probe **ret_p, char *err,
		      size_t errlen)
{
	struct icmp_probe *p;
	int rc;

	*ret_p = NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, errlen, "icmp probe: out of memory");
		return -ENOMEM;
	}
	p->loop = loop;
	p->ident = (uint16_t)(getpid() & 0xffff);
	p->seq = (uint16_t)(uv_hrtime() & 0xffff);
	rc = sock_open(&p->s4, AF_INET);
	if (rc < 0) {
		snprintf(err, errlen,
			 "icmp probe: no raw or ping socket for IPv4: %s "
			 "(needs CAP_NET_RAW or net.ipv4.ping_group_range)",
			 strerror(-rc));
		free(p);
		return rc;
	}
	if (sock_open(&p->s6, AF_INET6) < 0)
		p->s6.fd = -1;
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	p->open_handles = 1;
	rc = sock_start(p, &p->s4);
	if (rc == 0 && p->s6.fd >= 0)
		rc = sock_start(p, &p->s6);
	if (rc < 0) {
		snprintf(err, errlen, "icmp probe: %s", uv_strerror(rc));
		icmp_probe_close(p, NULL, NULL);
		return rc;
	}
	*ret_p = p;
	return 0;
}

/* An echo request: type, code, checksum, identifier, sequence, then a
 * payload (its send time, for a human looking at a capture). */
static size_t echo_build(struct icmp_probe *p, int family, uint16_t seq,
			 uint8_t *pkt)
{
	uint64_t ns = uv_hrtime();
	size_t len = 8 + ECHO_PAYLOAD;
	uint16_t ck;

	memset(pkt, 0, len);
	pkt[0] = family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pkt[4] = (uint8_t)(p->ident >> 8);
	pkt[5] = (uint8_t)p->ident;
	pkt[6] = (uint8_t)(seq >> 8);
	pkt[7] = (uint8_t)seq;
	memcpy(pkt + 8, &ns, sizeof(ns));
	memcpy(pkt + 16, "slamon\0\0", 8);
	if (family == AF_INET) {
		ck = icmp_cksum(pkt, len);
		memcpy(pkt + 2, &ck, 2);
	}
	return len;
}

static struct icmp_req *req_slot(struct icmp_probe *p)
{
	for (size_t i = 0; i < ICMP_PROBE_INFLIGHT; i++)
		if (!p->reqs[i].used)
			return &p->reqs[i];
	return NULL;
}

int icmp_probe_ping(struct icmp_probe *p, const struct sockaddr *sa,
		    int timeout_ms, icmp_probe_cb cb, void *arg)
{
	struct icmp_sock *s;
	struct icmp_req *r;
	struct sockaddr_storage to;
	socklen_t tl;
	uint8_t pkt[8 + ECHO_PAYLOAD];
	size_t len;
	uint16_t seq;

	if (p == NULL || sa == NULL || cb == NULL || timeout_ms <= 0 ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return -EINVAL;
	s = sa->sa_family == AF_INET ? &p->s4 : &p->s6;
	if (s->fd < 0)
		return -EAFNOSUPPORT;
	r = req_slot(p);
	if (r == NULL)
		return -EBUSY;
	tl = sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
				      : sizeof(struct sockaddr_in6);
	memset(&to, 0, sizeof(to));
	memcpy(&to, sa, tl);
	/* a raw socket's "port" is the protocol; a ping socket's is the
	 * identifier the kernel fills in: 0 either way */
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)&to)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&to)->sin6_port = 0;
	seq = p->seq++;
	len = echo_build(p, sa->sa_family, seq, pkt);
	if (sendto(s->fd, pkt, len, 0, (struct sockaddr *)&to, tl) < 0)
		return errno == EAGAIN ? -EBUSY : -errno;
	memset(r, 0, sizeof(*r));
	r->used = true;
	r->family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		r->addr.v4 = ((const struct sockaddr_in *)&to)->sin_addr;
	else
		r->addr.v6 = ((const struct sockaddr_in6 *)&to)->sin6_addr;
	r->seq = seq;
	r->sent_ns = uv_hrtime();
	r->deadline_ms = uv_now(p->loop) + (uint64_t)timeout_ms;
	r->cb = cb;
	r->arg = arg;
	p->pending++;
	timer_arm(p);
	return 0;
}

void icmp_probe_cancel(struct icmp_probe *p, void *arg)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < ICMP_PROBE_INFLIGHT; i++)
		if (p->reqs[i].used && p->reqs[i].arg == arg) {
			p->reqs[i].used = false;
			p->pending--;
		}
	timer_arm(p);
}

size_t icmp_probe_pending(const struct icmp_probe *p)
{
	return p != NULL ? p->pending : 0;
}

static void on_closed(uv_handle_t *h)
{
	struct icmp_probe *p = h->data;
	void (*cb)(void *arg) = p->close_cb;
	void *arg = p->close_arg;

	if (--p->open_handles > 0)
		return;
	free(p);
	if (cb != NULL)
		cb(arg);
}

static void sock_close(struct icmp_probe *p, struct icmp_sock *s)
{
	if (s->polling) {
		uv_poll_stop(&s->poll); /* before the fd goes (uv_poll_t) */
		uv_close((uv_handle_t *)&s->poll, on_closed);
		s->polling = false;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	(void)p;
}

void icmp_probe_close(struct icmp_probe *p, void (*cb)(void *arg), void *arg)
{
	if (p == NULL)
		return;
	memset(p->reqs, 0, sizeof(p->reqs));
	p->pending = 0;
	p->close_cb = cb;
	p->close_arg = arg;
	sock_close(p, &p->s4);
	sock_close(p, &p->s6);
	uv_close((uv_handle_t *)&p->timer, on_closed);
}
