/*
 * icmp_sweep.c - the ICMP sweep (see icmp_sweep.h).
 *
 * Jobs live in one array, linked by index into one of three lists, each
 * ordered by its time: READY (echoes due, waiting for the rate), WAIT
 * (between two echoes of a host) and TAIL (the last echo is out, waiting
 * for its timeout). Hosts of one configuration share spacing and timeout,
 * so a job joins its list at the tail; after a reload changed them, the
 * insertion walks back from the tail to its place. One one-shot timer is
 * armed at the earliest of: the next token (READY not empty), the head of
 * WAIT, the head of TAIL.
 *
 * Sockets as in icmp.c: raw IPPROTO_ICMP/ICMPV6 with the kernel's echo
 * reply filter (raw(7) ICMP_FILTER, RFC 3542 ICMP6_FILTER), else a ping
 * socket (icmp(7)). The ICMPv4 checksum is ours (RFC 792); the kernel
 * fills in ICMPv6's (RFC 3542 section 3.1). Replies are read 64 at a
 * time with recvmmsg(2). The receive buffer is raised (SO_RCVBUFFORCE as
 * root): a sweep of loopback addresses answers as fast as it sends.
 * SPDX-License-Identifier: MIT
 */
#include "icmp_sweep.h"
#include "icmp_sock.h"

#include <errno.h>
#include <math.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#define NONE UINT32_MAX
#define MAGIC 0x736c6d53u /* "slmS" */
#define PKT_LEN (8 + 24)  /* header, then magic, index, token, echo, time */
#define RECV_BATCH 64
#define RECV_PER_WAKEUP 4096
#define RCVBUF (4 << 20)

enum { L_NONE, L_READY, L_WAIT, L_TAIL, L_COUNT };

struct sjob {
	uint32_t prev, next;
	uint32_t token;
	uint8_t list;     /* L_* */
	uint8_t af;       /* AF_INET / AF_INET6, 0 free */
	uint8_t sent, received;
	uint32_t answered; /* bit e: echo e was answered */
	int error;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint64_t at_us;   /* READY: due; WAIT: next echo; TAIL: deadline */
	struct icmp_sweep_params par;
	double rtt_sum, rtt_min, rtt_max;
	icmp_sweep_cb cb;
	void *arg;
	uint32_t tag;
};

struct slist {
	uint32_t head, tail;
	size_t n;
};

struct ssock {
	int fd; /* -1: none */
	bool polling;
	uv_poll_t poll;
};

struct icmp_sweep {
	uv_loop_t *loop; /* NULL: manual */
	icmp_sweep_send_fn send;
	void *send_arg;
	struct ssock s4, s6;
	bool raw;
	uv_timer_t timer;
	uint64_t timer_at; /* armed for (us), UINT64_MAX not armed */
	uint16_t ident, seq;
	struct icmp_sweep_params par;

	struct sjob *jobs;
	size_t njobs, cap;
	uint32_t free_head;
	uint32_t next_token;
	struct slist l[L_COUNT];

	double tokens;
	uint64_t tokens_at; /* us */
	bool running;       /* inside run: no re-entry from callbacks */

	struct icmp_sweep_stats st;
	int open_handles;
	void (*close_cb)(void *arg);
	void *close_arg;
};

static const struct icmp_sweep_params defaults = { 3, 500, 1000, 10000, 1 };

/* ---- lists ----------------------------------------------------------- */

static void list_del(struct icmp_sweep *sw, uint32_t i)
{
	struct sjob *j = &sw->jobs[i];
	struct slist *l = &sw->l[j->list];

	if (j->list == L_NONE)
		return;
	if (j->prev != NONE)
		sw->jobs[j->prev].next = j->next;
	else
		l->head = j->next;
	if (j->next != NONE)
		sw->jobs[j->next].prev = j->prev;
	else
		l->tail = j->prev;
	l->n--;
	j->list = L_NONE;
	j->prev = j->next = NONE;
}

/* Inserts i into list k ordered by at_us: from the tail (one step when
 * every job of the list shares spacing and timeout). */
static void list_put(struct icmp_sweep *sw, int k, uint32_t i)
{
	struct slist *l = &sw->l[k];
	struct sjob *j = &sw->jobs[i];
	uint32_t after = l->tail;

	while (after != NONE && sw->jobs[after].at_us > j->at_us)
		after = sw->jobs[after].prev;
	j->list = (uint8_t)k;
	j->prev = after;
	j->next = after == NONE ? l->head : sw->jobs[after].next;
	if (j->next != NONE)
		sw->jobs[j->next].prev = i;
	else
		l->tail = i;
	if (after != NONE)
		sw->jobs[after].next = i;
	else
		l->head = i;
	l->n++;
}

/* ---- jobs ------------------------------------------------------------ */

static int job_alloc(struct icmp_sweep *sw, uint32_t *ret)
{
	if (sw->free_head == NONE) {
		size_t ncap = sw->cap ? 2 * sw->cap : 1024;
		struct sjob *nj;

		if (ncap >= NONE)
			return -ENOMEM;
		nj = realloc(sw->jobs, ncap * sizeof(*nj));
		if (nj == NULL)
			return -ENOMEM;
		sw->jobs = nj;
		for (size_t i = sw->cap; i < ncap; i++) {
			memset(&nj[i], 0, sizeof(nj[i]));
			nj[i].prev = NONE;
			nj[i].next = i + 1 < ncap ? (uint32_t)(i + 1) : NONE;
		}
		sw->free_head = (uint32_t)sw->cap;
		sw->cap = ncap;
	}
	*ret = sw->free_head;
	sw->free_head = sw->jobs[*ret].next;
	sw->njobs++;
	return 0;
}

static void job_free(struct icmp_sweep *sw, uint32_t i)
{
	struct sjob *j = &sw->jobs[i];

	list_del(sw, i);
	j->af = 0;
	j->cb = NULL;
	j->arg = NULL;
	j->next = sw->free_head;
	sw->free_head = i;
	sw->njobs--;
}

/* The verdict on job i; frees it, then calls its callback. */
static void job_finish(struct icmp_sweep *sw, uint32_t i)
{
	struct sjob *j = &sw->jobs[i];
	struct icmp_sweep_result r;
	icmp_sweep_cb cb = j->cb;
	void *arg = j->arg;
	uint32_t tag = j->tag;
	unsigned count = (unsigned)j->par.count;

	memset(&r, 0, sizeof(r));
	r.sent = j->sent;
	r.received = j->received;
	r.up = j->received >= (unsigned)j->par.min_replies;
	r.loss_pct = 100.0 * (count - j->received) / count;
	r.error = j->error;
	if (j->received > 0) {
		r.rtt_min_ms = j->rtt_min;
		r.rtt_max_ms = j->rtt_max;
		r.rtt_avg_ms = j->rtt_sum / j->received;
	} else {
		r.rtt_min_ms = r.rtt_avg_ms = r.rtt_max_ms = NAN;
	}
	job_free(sw, i);
	sw->st.done++;
	if (cb != NULL)
		cb(arg, tag, &r);
}

/* ---- packets --------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Echo request e of job i, sent at now_us. */
static void echo_build(struct icmp_sweep *sw, uint32_t i, unsigned e,
		       uint64_t now_us, uint8_t *pkt)
{
	const struct sjob *j = &sw->jobs[i];
	uint16_t seq = sw->seq++;

	memset(pkt, 0, PKT_LEN);
	pkt[0] = j->af == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pkt[4] = (uint8_t)(sw->ident >> 8);
	pkt[5] = (uint8_t)sw->ident;
	pkt[6] = (uint8_t)(seq >> 8);
	pkt[7] = (uint8_t)seq;
	put32(pkt + 8, MAGIC);
	put32(pkt + 12, i);
	put32(pkt + 16, j->token);
	pkt[20] = (uint8_t)e;
	memcpy(pkt + 24, &now_us, sizeof(now_us)); /* our own clock */
	if (j->af == AF_INET) {
		uint16_t ck = icmp_cksum(pkt, PKT_LEN);

		memcpy(pkt + 2, &ck, 2);
	}
}

static int sock_send(void *arg, int af, const void *addr, const uint8_t *pkt,
		     size_t len)
{
	struct icmp_sweep *sw = arg;
	struct sockaddr_storage to;
	socklen_t tl;
	int fd;

	memset(&to, 0, sizeof(to));
	if (af == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&to;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, addr, 4);
		tl = sizeof(*s);
		fd = sw->s4.fd;
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&to;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, addr, 16);
		tl = sizeof(*s);
		fd = sw->s6.fd;
	}
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, tl) < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

/* ---- the state machine ------------------------------------------------ */

/* Sends the next echo of job i (head of READY); false to stop sending
 * now (the kernel's buffer is full). */
static bool send_one(struct icmp_sweep *sw, uint32_t i, uint64_t now_us)
{
	struct sjob *j = &sw->jobs[i];
	uint8_t pkt[PKT_LEN];
	int rc;

	echo_build(sw, i, j->sent, now_us, pkt);
	rc = sw->send(sw->send_arg, j->af, &j->addr, pkt, sizeof(pkt));
	if (rc == -EAGAIN || rc == -ENOBUFS)
		return false;
	list_del(sw, i);
	if (rc < 0) {
		j->error = rc;
		sw->st.send_errors++;
	} else {
		sw->st.sent++;
	}
	j->sent++;
	if (j->sent < j->par.count) {
		j->at_us = now_us + (uint64_t)j->par.spacing_ms * 1000;
		list_put(sw, L_WAIT, i);
	} else {
		j->at_us = now_us + (uint64_t)j->par.timeout_ms * 1000;
		list_put(sw, L_TAIL, i);
	}
	return true;
}

/* Token bucket: rate_pps a second, bursts of at most 10 ms of it (at
 * least one echo). */
static void tokens_fill(struct icmp_sweep *sw, uint64_t now_us)
{
	double burst = sw->par.rate_pps / 100.0;

	if (burst < 1)
		burst = 1;
	if (now_us > sw->tokens_at)
		sw->tokens += (double)(now_us - sw->tokens_at) *
			      sw->par.rate_pps / 1e6;
	sw->tokens_at = now_us;
	if (sw->tokens > burst)
		sw->tokens = burst;
}

uint64_t icmp_sweep_run(struct icmp_sweep *sw, uint64_t now_us)
{
	uint64_t next = UINT64_MAX;
	uint32_t i;

	if (sw->running)
		return now_us;
	sw->running = true;
	/* hosts between two echoes whose next one is due */
	while ((i = sw->l[L_WAIT].head) != NONE &&
	       sw->jobs[i].at_us <= now_us) {
		list_del(sw, i);
		list_put(sw, L_READY, i);
	}
	tokens_fill(sw, now_us);
	while ((i = sw->l[L_READY].head) != NONE && sw->tokens >= 1) {
		if (!send_one(sw, i, now_us)) {
			next = now_us + 1000; /* full: try again in 1 ms */
			break;
		}
		sw->tokens -= 1;
	}
	/* hosts whose last echo timed out */
	while ((i = sw->l[L_TAIL].head) != NONE &&
	       sw->jobs[i].at_us <= now_us)
		job_finish(sw, i);
	sw->running = false;
	if (sw->l[L_READY].head != NONE && next == UINT64_MAX) {
		double need = (1 - sw->tokens) * 1e6 / sw->par.rate_pps;

		next = now_us + (need > 0 ? (uint64_t)need + 1 : 1);
	}
	if ((i = sw->l[L_WAIT].head) != NONE && sw->jobs[i].at_us < next)
		next = sw->jobs[i].at_us;
	if ((i = sw->l[L_TAIL].head) != NONE && sw->jobs[i].at_us < next)
		next = sw->jobs[i].at_us;
	return next;
}

static bool addr_is(const struct sjob *j, int af, const void *addr)
{
	if (af != j->af)
		return false;
	return memcmp(&j->addr, addr, af == AF_INET ? 4 : 16) == 0;
}

void icmp_sweep_input(struct icmp_sweep *sw, int af, const void *addr,
		      const uint8_t *msg, size_t len, uint64_t now_us)
{
	uint8_t want = af == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
	uint32_t i, token;
	uint64_t sent_us;
	unsigned e;
	struct sjob *j;
	double rtt;

	if (len < PKT_LEN || msg[0] != want || get32(msg + 8) != MAGIC)
		return; /* not ours (icmp.c's echoes, other programs) */
	if (sw->raw && (uint16_t)(msg[4] << 8 | msg[5]) != sw->ident)
		return; /* another slamon's */
	i = get32(msg + 12);
	token = get32(msg + 16);
	e = msg[20];
	memcpy(&sent_us, msg + 24, sizeof(sent_us));
	if (i >= sw->cap || (j = &sw->jobs[i])->af == 0 || j->token != token ||
	    !addr_is(j, af, addr) || e >= j->sent ||
	    (j->answered & (1u << e)) || sent_us > now_us) {
		sw->st.stray++;
		return;
	}
	rtt = (double)(now_us - sent_us) / 1000.0;
	if (rtt > j->par.timeout_ms) {
		sw->st.late++;
		return;
	}
	j->answered |= 1u << e;
	j->received++;
	sw->st.received++;
	j->rtt_sum += rtt;
	if (j->received == 1 || rtt < j->rtt_min)
		j->rtt_min = rtt;
	if (rtt > j->rtt_max)
		j->rtt_max = rtt;
	/* every echo out and answered: no need to wait for the timeout */
	if (j->sent == j->par.count && j->received == j->sent)
		job_finish(sw, i);
}

/* ---- the loop side ---------------------------------------------------- */

static uint64_t now_us_of(void)
{
	return uv_hrtime() / 1000;
}

static void on_timer(uv_timer_t *h);

/* Runs the sweep and arms the timer at what it asks for. */
static void pump(struct icmp_sweep *sw)
{
	uint64_t now = now_us_of(), next;

	if (sw->loop == NULL || sw->s4.fd < 0)
		return;
	next = icmp_sweep_run(sw, now);
	if (next == UINT64_MAX) {
		uv_timer_stop(&sw->timer);
		sw->timer_at = UINT64_MAX;
		return;
	}
	sw->timer_at = next;
	uv_timer_start(&sw->timer, on_timer,
		       next > now ? (next - now + 999) / 1000 : 0, 0);
}

static void on_timer(uv_timer_t *h)
{
	pump(h->data);
}

/* Arms the timer to run at once (next turn of the loop) unless it is
 * already due sooner: submits of one turn leave together. */
static void kick(struct icmp_sweep *sw)
{
	uint64_t now = now_us_of();

	if (sw->loop == NULL || sw->timer_at <= now)
		return;
	sw->timer_at = now;
	uv_timer_start(&sw->timer, on_timer, 0, 0);
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	struct icmp_sweep *sw = h->data;
	struct ssock *s = h == &sw->s4.poll ? &sw->s4 : &sw->s6;
	int af = s == &sw->s4 ? AF_INET : AF_INET6;
	static uint8_t buf[RECV_BATCH][256];
	struct sockaddr_storage from[RECV_BATCH];
	struct mmsghdr mm[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	int total = 0;

	if (status < 0 || !(events & UV_READABLE))
		return;
	while (total < RECV_PER_WAKEUP && s->fd >= 0) {
		uint64_t now;
		int n;

		for (int k = 0; k < RECV_BATCH; k++) {
			iov[k].iov_base = buf[k];
			iov[k].iov_len = sizeof(buf[k]);
			memset(&mm[k], 0, sizeof(mm[k]));
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
			mm[k].msg_hdr.msg_name = &from[k];
			mm[k].msg_hdr.msg_namelen = sizeof(from[k]);
		}
		n = recvmmsg(s->fd, mm, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break; /* EAGAIN: nothing more; errors: next time */
		now = now_us_of();
		total += n;
		for (int k = 0; k < n; k++) {
			const uint8_t *p = buf[k];
			size_t len = mm[k].msg_len, off = 0;

			if (af == AF_INET && sw->raw) {
				/* raw IPv4 sockets return the IP header */
				if (len < 20)
					continue;
				off = (size_t)(p[0] & 0x0f) * 4;
				if (off > len)
					continue;
			}
			if (af == AF_INET)
				icmp_sweep_input(
					sw, af,
					&((struct sockaddr_in *)&from[k])
						 ->sin_addr,
					p + off, len - off, now);
			else
				icmp_sweep_input(
					sw, af,
					&((struct sockaddr_in6 *)&from[k])
						 ->sin6_addr,
					p + off, len - off, now);
		}
		if (n < RECV_BATCH)
			break;
	}
}

static int sock_open(struct ssock *s, int af, bool *raw)
{
	int fd = icmp_sock_open(af, raw), sz = RCVBUF;

	if (fd < 0)
		return fd;
	s->fd = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return 0;
}

static int sock_start(struct icmp_sweep *sw, struct ssock *s)
{
	int rc = uv_poll_init(sw->loop, &s->poll, s->fd);

	if (rc < 0)
		return rc;
	s->poll.data = sw;
	s->polling = true;
	sw->open_handles++;
	return uv_poll_start(&s->poll, UV_READABLE, on_readable);
}

static struct icmp_sweep *sweep_new(const struct icmp_sweep_params *par)
{
	struct icmp_sweep *sw = calloc(1, sizeof(*sw));

	if (sw == NULL)
		return NULL;
	sw->s4.fd = sw->s6.fd = -1;
	sw->free_head = NONE;
	for (int k = 0; k < L_COUNT; k++)
		sw->l[k].head = sw->l[k].tail = NONE;
	sw->ident = (uint16_t)((getpid() & 0xffff) ^ 0x8000); /* not icmp.c's */
	sw->seq = (uint16_t)(uv_hrtime() & 0xffff);
	sw->next_token = (uint32_t)uv_hrtime();
	sw->timer_at = UINT64_MAX;
	icmp_sweep_set_params(sw, par);
	return sw;
}

int icmp_sweep_create(uv_loop_t *loop, const struct icmp_sweep_params *par,
		      struct icmp_sweep **ret, char *err, size_t errlen)
{
	struct icmp_sweep *sw = sweep_new(par);
	bool raw6 = false;
	int rc;

	*ret = NULL;
	if (sw == NULL) {
		snprintf(err, errlen, "icmp sweep: out of memory");
		return -ENOMEM;
	}
	sw->loop = loop;
	sw->send = sock_send;
	sw->send_arg = sw;
	rc = sock_open(&sw->s4, AF_INET, &sw->raw);
	if (rc < 0) {
		snprintf(err, errlen,
			 "icmp sweep: no raw or ping socket for IPv4: %s "
			 "(needs CAP_NET_RAW or net.ipv4.ping_group_range)",
			 strerror(-rc));
		free(sw);
		return rc;
	}
	/* both families the same kind, so that the identifier check holds */
	if (sock_open(&sw->s6, AF_INET6, &raw6) == 0 && raw6 != sw->raw) {
		close(sw->s6.fd);
		sw->s6.fd = -1;
	}
	uv_timer_init(loop, &sw->timer);
	sw->timer.data = sw;
	sw->open_handles = 1;
	rc = sock_start(sw, &sw->s4);
	if (rc == 0 && sw->s6.fd >= 0)
		rc = sock_start(sw, &sw->s6);
	if (rc < 0) {
		snprintf(err, errlen, "icmp sweep: %s", uv_strerror(rc));
		icmp_sweep_close(sw, NULL, NULL);
		return rc;
	}
	*ret = sw;
	return 0;
}

struct icmp_sweep *icmp_sweep_create_manual(
	const struct icmp_sweep_params *par, icmp_sweep_send_fn send,
	void *send_arg)
{
	struct icmp_sweep *sw = sweep_new(par);

	if (sw == NULL)
		return NULL;
	sw->send = send;
	sw->send_arg = send_arg;
	sw->raw = true;
	sw->s4.fd = sw->s6.fd = -1;
	return sw;
}

void icmp_sweep_set_params(struct icmp_sweep *sw,
			   const struct icmp_sweep_params *par)
{
	sw->par = par != NULL ? *par : defaults;
	if (sw->par.count < 1)
		sw->par.count = 1;
	if (sw->par.count > ICMP_SWEEP_COUNT_MAX)
		sw->par.count = ICMP_SWEEP_COUNT_MAX;
	if (sw->par.min_replies < 1)
		sw->par.min_replies = 1;
	if (sw->par.min_replies > sw->par.count)
		sw->par.min_replies = sw->par.count;
	if (sw->par.rate_pps < 1)
		sw->par.rate_pps = 1;
	if (sw->par.spacing_ms < 0)
		sw->par.spacing_ms = 0;
	if (sw->par.timeout_ms < 1)
		sw->par.timeout_ms = 1;
}

int icmp_sweep_submit(struct icmp_sweep *sw, const struct sockaddr *sa,
		      icmp_sweep_cb cb, void *arg, uint32_t tag)
{
	struct sjob *j;
	uint32_t i;
	int rc;

	if (sw == NULL || sa == NULL || cb == NULL ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return -EINVAL;
	if (sw->loop != NULL &&
	    (sa->sa_family == AF_INET ? sw->s4.fd : sw->s6.fd) < 0)
		return -EAFNOSUPPORT;
	rc = job_alloc(sw, &i);
	if (rc < 0)
		return rc;
	j = &sw->jobs[i];
	memset(j, 0, sizeof(*j));
	j->prev = j->next = NONE;
	j->token = sw->next_token++;
	j->af = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET)
		j->addr.v4 = ((const struct sockaddr_in *)sa)->sin_addr;
	else
		j->addr.v6 = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	j->par = sw->par;
	j->cb = cb;
	j->arg = arg;
	j->tag = tag;
	j->at_us = sw->loop != NULL ? now_us_of() : 0;
	list_put(sw, L_READY, i);
	sw->st.submitted++;
	kick(sw);
	return 0;
}

void icmp_sweep_cancel(struct icmp_sweep *sw, void *arg)
{
	if (sw == NULL)
		return;
	for (size_t i = 0; i < sw->cap; i++)
		if (sw->jobs[i].af != 0 && sw->jobs[i].arg == arg)
			job_free(sw, (uint32_t)i);
}

void icmp_sweep_stats_get(const struct icmp_sweep *sw,
			  struct icmp_sweep_stats *ret)
{
	*ret = sw->st;
	ret->active = sw->njobs;
	ret->ready = sw->l[L_READY].n;
	ret->raw = sw->raw;
}

static void on_closed(uv_handle_t *h)
{
	struct icmp_sweep *sw = h->data;
	void (*cb)(void *arg) = sw->close_cb;
	void *arg = sw->close_arg;

	if (--sw->open_handles > 0)
		return;
	free(sw->jobs);
	free(sw);
	if (cb != NULL)
		cb(arg);
}

static void sock_close(struct ssock *s)
{
	if (s->polling) {
		uv_poll_stop(&s->poll); /* before the fd goes (uv_poll_t) */
		uv_close((uv_handle_t *)&s->poll, on_closed);
		s->polling = false;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void icmp_sweep_close(struct icmp_sweep *sw, void (*cb)(void *arg), void *arg)
{
	if (sw == NULL)
		return;
	if (sw->loop == NULL) {
		free(sw->jobs);
		free(sw);
		if (cb != NULL)
			cb(arg);
		return;
	}
	for (size_t i = 0; i < sw->cap; i++)
		if (sw->jobs[i].af != 0)
			job_free(sw, (uint32_t)i);
	sw->close_cb = cb;
	sw->close_arg = arg;
	sock_close(&sw->s4);
	sock_close(&sw->s6);
	uv_close((uv_handle_t *)&sw->timer, on_closed);
}
