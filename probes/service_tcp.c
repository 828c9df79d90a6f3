/*
 * service_tcp.c - the TCP check of the service probe: connect to
 * host:port on the loop (uv_tcp_connect) before a deadline (the check's
 * uv_timer_t); a host name is resolved first with uv_getaddrinfo (libuv's
 * threadpool). The connection is closed as soon as it is made.
 * SPDX-License-Identifier: MIT
 */
#include "service_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One attempt; outlives an abandoned check until its last callback. */
struct svc_tcp_try {
	uv_tcp_t tcp;
	uv_connect_t req;
	uv_getaddrinfo_t gai;
	struct svc_check *c; /* NULL once abandoned */
	struct svc_probe *p;
	int tcp_open, resolving;
	double dns_ms;
};

static void try_free_maybe(struct svc_tcp_try *t)
{
	if (!t->tcp_open && !t->resolving)
		free(t);
}

static void tcp_closed(uv_handle_t *h)
{
	struct svc_tcp_try *t = h->data;
	struct svc_probe *p = t->p;

	t->tcp_open = 0;
	try_free_maybe(t);
	svc__handle_release(p);
}

/* Ends the attempt of c with r; closes its socket. */
static void tcp_end(struct svc_check *c, struct svc_result *r)
{
	struct svc_tcp_try *t = c->tcp;

	uv_timer_stop(&c->timer);
	c->tcp = NULL;
	if (t != NULL) {
		t->c = NULL;
		if (t->tcp_open && !uv_is_closing((uv_handle_t *)&t->tcp))
			uv_close((uv_handle_t *)&t->tcp, tcp_closed);
		else
			try_free_maybe(t);
	}
	svc__finish(c, r);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct svc_tcp_try *t = req->data;
	struct svc_check *c = t->c;
	struct svc_result r;

	if (c == NULL)
		return; /* abandoned or timed out */
	svc__result_init(&r);
	r.total_ms = (double)(uv_now(c->p->loop) - c->t0_ms);
	r.dns_ms = t->dns_ms;
	if (status == 0) {
		r.connect_ms = isnan(t->dns_ms) ? r.total_ms
						: r.total_ms - t->dns_ms;
	} else {
		r.fail = SVCF_CONNECT;
		snprintf(r.reason, sizeof(r.reason), "TCP: %s",
			 status == UV_ECONNREFUSED ? "connection refused"
						   : uv_strerror(status));
	}
	tcp_end(c, &r);
}

static int tcp_connect(struct svc_tcp_try *t, const struct sockaddr *sa)
{
	int rc = uv_tcp_init(t->p->loop, &t->tcp);

	if (rc < 0)
		return rc;
	t->tcp.data = t;
	t->tcp_open = 1;
	svc__handle_opened(t->p);
	t->req.data = t;
	return uv_tcp_connect(&t->req, &t->tcp, sa, on_connect);
}

static void fail_now(struct svc_check *c, int status, const char *what)
{
	struct svc_result r;

	svc__result_init(&r);
	r.fail = status == UV_EAI_NONAME ? SVCF_DNS : SVCF_CONNECT;
	snprintf(r.reason, sizeof(r.reason), "%s: %s", what,
		 status == UV_EAI_NONAME ? "name not found"
					 : uv_strerror(status));
	tcp_end(c, &r);
}

static void on_resolved(uv_getaddrinfo_t *req, int status,
			struct addrinfo *ai)
{
	struct svc_tcp_try *t = req->data;
	struct svc_check *c = t->c;
	int rc;

	t->resolving = 0;
	if (c == NULL) {
		uv_freeaddrinfo(ai);
		try_free_maybe(t);
		return;
	}
	t->dns_ms = (double)(uv_now(c->p->loop) - c->t0_ms);
	if (status < 0) {
		fail_now(c, status, "DNS");
		return;
	}
	rc = tcp_connect(t, ai->ai_addr);
	uv_freeaddrinfo(ai);
	if (rc < 0)
		fail_now(c, rc, "TCP");
}

static void on_deadline(uv_timer_t *h)
{
	struct svc_probe *p = h->data;
	struct svc_check *c = (struct svc_check *)((char *)h -
					offsetof(struct svc_check, timer));
	struct svc_result r;

	(void)p;
	svc__result_init(&r);
	r.fail = SVCF_TIMEOUT;
	snprintf(r.reason, sizeof(r.reason), "timeout after %d s (%s)",
		 c->p->sc[c->idx].timeout_s,
		 c->tcp != NULL && c->tcp->resolving ? "resolving the name"
						     : "connecting");
	tcp_end(c, &r);
}

int svc__tcp_start(struct svc_check *c)
{
	const struct service_cfg *sc = &c->p->sc[c->idx];
	struct svc_tcp_try *t = calloc(1, sizeof(*t));
	struct sockaddr_storage ss;
	struct addrinfo hints;
	char port[8];
	int rc;

	if (t == NULL)
		return -ENOMEM;
	t->c = c;
	t->p = c->p;
	t->dns_ms = NAN;
	c->tcp = t;
	uv_timer_start(&c->timer, on_deadline, (uint64_t)sc->timeout_s * 1000,
		       0);
	if (uv_ip4_addr(sc->host, sc->port, (struct sockaddr_in *)&ss) == 0 ||
	    uv_ip6_addr(sc->host, sc->port, (struct sockaddr_in6 *)&ss) == 0) {
		rc = tcp_connect(t, (struct sockaddr *)&ss);
		if (rc < 0)
			fail_now(c, rc, "TCP");
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", (unsigned)sc->port);
	t->gai.data = t;
	rc = uv_getaddrinfo(c->p->loop, &t->gai, on_resolved, sc->host, port,
			    &hints);
	if (rc < 0) {
		fail_now(c, rc, "DNS");
		return 0;
	}
	t->resolving = 1;
	return 0;
}

void svc__tcp_abandon(struct svc_check *c)
{
	struct svc_tcp_try *t = c->tcp;

	if (t == NULL)
		return;
	uv_timer_stop(&c->timer);
	c->tcp = NULL;
	t->c = NULL;
	if (t->resolving)
		uv_cancel((uv_req_t *)&t->gai);
	if (t->tcp_open && !uv_is_closing((uv_handle_t *)&t->tcp))
		uv_close((uv_handle_t *)&t->tcp, tcp_closed);
	else
		try_free_maybe(t);
}
