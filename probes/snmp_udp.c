/*
 * snmp_udp.c - the shared UDP transport of v1/v2c polls (see snmp_udp.h).
 * SPDX-License-Identifier: MIT
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sendmmsg, recvmmsg */
#endif
#include "snmp_udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TXQ_MAX 64            /* datagrams per sendmmsg */
#define TXQ_BYTES (64 * 1024) /* their bytes */
#define RX_BATCH 16           /* datagrams per recvmmsg */
#define RX_ROUNDS 8           /* recvmmsg calls per readable event */
#define RX_SIZE 65536         /* any UDP datagram fits */
#define SOCK_BUF (4 << 20)    /* asked for; the kernel may cap it */
#define ERRQ_MAX 256          /* send errors awaiting their callback */
#define PREP_ROUNDS 16        /* flush / report rounds per loop turn */

enum { FAM_V4, FAM_V6, NFAM };

struct txmsg {
	struct sockaddr_in6 to; /* or a sockaddr_in in its first bytes */
	socklen_t tolen;
	uint32_t cookie;
	size_t off, len;
};

struct fam {
	struct snmp_udp *u;
	int fd;
	int polling;
	uv_poll_t poll;
	struct txmsg q[TXQ_MAX];
	size_t nq, qbytes;
	uint8_t qbuf[TXQ_BYTES];
};

struct snmp_udp {
	uv_loop_t *loop;
	struct snmp_udp_hooks hooks;
	uv_prepare_t prep;
	int prep_active;
	struct fam fam[NFAM];
	uint8_t *rx;                 /* RX_BATCH x RX_SIZE, with the first
	                                socket */
	/* send errors are reported from the prepare callback, never from
	 * inside snmp_udp_send(): the caller's buffer is still in use */
	struct {
		uint32_t cookie;
		int err;
	} errq[ERRQ_MAX];
	size_t nerr;
	int closing, open_handles;
	void (*close_cb)(void *);
	void *close_arg;
};

static void fam_flush(struct fam *f);

static int queued(const struct snmp_udp *u)
{
	return u->fam[FAM_V4].nq > 0 || u->fam[FAM_V6].nq > 0;
}

/* Sends, then reports the errors; a report may queue new datagrams (the
 * caller starts another poll), which go out in the next round. */
static void on_prepare(uv_prepare_t *h)
{
	struct snmp_udp *u = h->data;

	for (int round = 0; round < PREP_ROUNDS && !u->closing; round++) {
		size_t n;

		for (int i = 0; i < NFAM; i++)
			fam_flush(&u->fam[i]);
		n = u->nerr;
		if (n == 0)
			break;
		for (size_t i = 0; i < n && !u->closing; i++)
			u->hooks.send_error(u->hooks.arg, u->errq[i].cookie,
					    u->errq[i].err);
		/* reports made while reporting stay for the next round */
		memmove(u->errq, u->errq + n, (u->nerr - n) * sizeof(u->errq[0]));
		u->nerr -= n;
	}
	if (!queued(u) && u->nerr == 0 && u->prep_active) {
		uv_prepare_stop(&u->prep);
		u->prep_active = 0;
	}
}

int snmp_udp_create(uv_loop_t *loop, const struct snmp_udp_hooks *hooks,
		    struct snmp_udp **ret_u)
{
	struct snmp_udp *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return -ENOMEM;
	u->loop = loop;
	u->hooks = *hooks;
	for (int i = 0; i < NFAM; i++) {
		u->fam[i].u = u;
		u->fam[i].fd = -1;
	}
	uv_prepare_init(loop, &u->prep);
	u->prep.data = u;
	uv_unref((uv_handle_t *)&u->prep);
	*ret_u = u;
	return 0;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	struct fam *f = h->data;
	struct snmp_udp *u = f->u;
	struct mmsghdr m[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_in6 from[RX_BATCH];

	(void)events;
	if (status < 0)
		return;
	for (int round = 0; round < RX_ROUNDS && !u->closing; round++) {
		int n;

		memset(m, 0, sizeof(m));
		for (int i = 0; i < RX_BATCH; i++) {
			iov[i].iov_base = u->rx + (size_t)i * RX_SIZE;
			iov[i].iov_len = RX_SIZE;
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_name = &from[i];
			m[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(f->fd, m, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break; /* EAGAIN, or an ICMP error we learn nothing
			          from: the poll's timer decides */
		for (int i = 0; i < n && !u->closing; i++) {
			u->hooks.recv(u->hooks.arg, iov[i].iov_base,
				      m[i].msg_len,
				      (const struct sockaddr *)&from[i]);
		}
		if (n < RX_BATCH)
			break;
	}
}

/* Opens the family's socket and watches it. */
static int fam_open(struct snmp_udp *u, struct fam *f, int af)
{
	int fd, size = SOCK_BUF;

	if (u->rx == NULL) {
		u->rx = malloc((size_t)RX_BATCH * RX_SIZE);
		if (u->rx == NULL)
			return -ENOMEM;
	}
	fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a burst of answers must not overflow the default 208 kB; the
	 * FORCE variant works as root, the plain one up to rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) <
	    0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
				 sizeof(size));
	if (uv_poll_init(u->loop, &f->poll, fd) != 0) {
		close(fd);
		return -EIO;
	}
	f->poll.data = f;
	f->fd = fd;
	f->polling = 1;
	uv_poll_start(&f->poll, UV_READABLE, on_readable);
	return 0;
}

int snmp_udp_send(struct snmp_udp *u, const struct sockaddr *to,
		  const uint8_t *buf, size_t len, uint32_t cookie)
{
	int af = to->sa_family;
	struct fam *f = &u->fam[af == AF_INET6 ? FAM_V6 : FAM_V4];
	struct txmsg *m;
	int rc;

	if (u->closing)
		return -ECANCELED;
	if (len > TXQ_BYTES)
		return -EMSGSIZE;
	if (af != AF_INET && af != AF_INET6)
		return -EAFNOSUPPORT;
	if (f->fd < 0 && (rc = fam_open(u, f, af)) < 0)
		return rc;
	if (f->nq == TXQ_MAX || f->qbytes + len > TXQ_BYTES)
		fam_flush(f); /* reports nothing now: see errq */
	m = &f->q[f->nq++];
	m->tolen = af == AF_INET6 ? sizeof(struct sockaddr_in6)
				  : sizeof(struct sockaddr_in);
	memcpy(&m->to, to, m->tolen);
	m->cookie = cookie;
	m->off = f->qbytes;
	m->len = len;
	memcpy(f->qbuf + f->qbytes, buf, len);
	f->qbytes += len;
	if (!u->prep_active) {
		uv_prepare_start(&u->prep, on_prepare);
		u->prep_active = 1;
	}
	return 0;
}

static void fam_flush(struct fam *f)
{
	struct snmp_udp *u = f->u;
	struct mmsghdr m[TXQ_MAX];
	struct iovec iov[TXQ_MAX];
	size_t n = f->nq, i = 0;

	if (n == 0)
		return;
	memset(m, 0, n * sizeof(m[0]));
	for (size_t k = 0; k < n; k++) {
		iov[k].iov_base = f->qbuf + f->q[k].off;
		iov[k].iov_len = f->q[k].len;
		m[k].msg_hdr.msg_iov = &iov[k];
		m[k].msg_hdr.msg_iovlen = 1;
		m[k].msg_hdr.msg_name = &f->q[k].to;
		m[k].msg_hdr.msg_namelen = f->q[k].tolen;
	}
	while (i < n) {
		int r = sendmmsg(f->fd, m + i, (unsigned)(n - i), MSG_DONTWAIT);
		int err;

		if (r > 0) {
			i += (size_t)r;
			continue;
		}
		err = r < 0 ? errno : EIO;
		if (err == EINTR)
			continue;
		/* the datagram at i failed; those after it are retried.
		 * EAGAIN / ENOBUFS: dropped, the poll's retry resends */
		if (err != EAGAIN && err != ENOBUFS &&
		    u->hooks.send_error && u->nerr < ERRQ_MAX) {
			u->errq[u->nerr].cookie = f->q[i].cookie;
			u->errq[u->nerr].err = err;
			u->nerr++;
			if (!u->prep_active) {
				uv_prepare_start(&u->prep, on_prepare);
				u->prep_active = 1;
			}
		}
		i++;
	}
	f->nq = 0;
	f->qbytes = 0;
}

static void on_closed(uv_handle_t *h)
{
	struct snmp_udp *u = h->data;

	if (h->type == UV_POLL) {
		struct fam *f = h->data;

		u = f->u;
		close(f->fd);
		f->fd = -1;
	}
	if (--u->open_handles == 0 && u->close_cb)
		u->close_cb(u->close_arg);
}

void snmp_udp_close(struct snmp_udp *u, void (*close_cb)(void *arg),
		    void *arg)
{
	u->closing = 1;
	u->close_cb = close_cb;
	u->close_arg = arg;
	u->open_handles = 1; /* the prepare handle */
	for (int i = 0; i < NFAM; i++) {
		struct fam *f = &u->fam[i];

		f->nq = 0;
		f->qbytes = 0;
		if (f->polling) {
			uv_poll_stop(&f->poll);
			u->open_handles++;
			uv_close((uv_handle_t *)&f->poll, on_closed);
			f->polling = 0;
		}
	}
	uv_prepare_stop(&u->prep);
	u->prep_active = 0;
	uv_close((uv_handle_t *)&u->prep, on_closed);
}

void snmp_udp_destroy(struct snmp_udp *u)
{
	if (u == NULL)
		return;
	for (int i = 0; i < NFAM; i++)
		if (u->fam[i].fd >= 0)
			close(u->fam[i].fd);
	free(u->rx);
	free(u);
}
