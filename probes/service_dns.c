/*
 * service_dns.c - the DNS check of the service probe: c-ares
 * (ares_getaddrinfo, A and AAAA, DNS only: no /etc/hosts) on the libuv
 * loop. Each DNS service has its own channel, so that its `server` is
 * asked and nothing else; c-ares reports the sockets it opens through
 * ARES_OPT_SOCK_STATE_CB (each joins the loop with a uv_poll_t) and its
 * retransmissions through ares_timeout(), which re-arms the check's timer.
 * The check's own deadline (timeout) cancels the query.
 * SPDX-License-Identifier: MIT
 */
#include "service_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void arm(struct svc_check *c);

static void on_sock(uv_poll_t *h, int status, int events)
{
	struct svc_sock *s = (struct svc_sock *)h;
	struct svc_check *c = s->c;
	int fd = s->fd;

	if (status < 0)
		events = UV_READABLE | UV_WRITABLE; /* let c-ares see it */
	ares_process_fd(c->chan, events & UV_READABLE ? fd : ARES_SOCKET_BAD,
			events & UV_WRITABLE ? fd : ARES_SOCKET_BAD);
	if (c->busy)
		arm(c);
}

/* ARES_OPT_SOCK_STATE_CB: watch fd for reading/writing, or stop. */
static void sock_state(void *data, ares_socket_t fd, int readable,
		       int writable)
{
	struct svc_check *c = data;
	struct svc_sock **pp = &c->socks, *s;
	int ev = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);

	while (*pp != NULL && (*pp)->fd != fd)
		pp = &(*pp)->next;
	s = *pp;
	if (ev == 0) {
		if (s != NULL) {
			*pp = s->next;
			uv_poll_stop(&s->poll);
			uv_close((uv_handle_t *)&s->poll, svc__closed_free);
		}
		return;
	}
	if (s == NULL) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return; /* the query times out */
		s->fd = fd;
		s->p = c->p;
		s->c = c;
		if (uv_poll_init_socket(c->p->loop, &s->poll, fd) < 0) {
			free(s);
			return;
		}
		svc__handle_opened(c->p);
		s->next = c->socks;
		c->socks = s;
	}
	uv_poll_start(&s->poll, ev, on_sock);
}

static void dns_fail(struct svc_result *r, int status, int timeout_s)
{
	switch (status) {
	case ARES_ENOTFOUND:
		r->fail = SVCF_DNS;
		snprintf(r->reason, sizeof(r->reason), "DNS: name not found");
		break;
	case ARES_ENODATA:
		r->fail = SVCF_DNS;
		snprintf(r->reason, sizeof(r->reason),
			 "DNS: no address for the name");
		break;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED:
		r->fail = SVCF_TIMEOUT;
		snprintf(r->reason, sizeof(r->reason),
			 "timeout after %d s (the DNS server did not answer)",
			 timeout_s);
		break;
	case ARES_ECONNREFUSED:
		r->fail = SVCF_DNS;
		snprintf(r->reason, sizeof(r->reason),
			 "DNS: connection refused");
		break;
	case ARES_ESERVFAIL:
		r->fail = SVCF_DNS;
		snprintf(r->reason, sizeof(r->reason),
			 "DNS: server failure (SERVFAIL)");
		break;
	case ARES_EREFUSED:
		r->fail = SVCF_DNS;
		snprintf(r->reason, sizeof(r->reason), "DNS: query refused");
		break;
	default:
		r->fail = SVCF_DNS;
		snprintf(r->reason, sizeof(r->reason), "DNS: %s",
			 ares_strerror(status));
		break;
	}
}

/* Does the answer hold the address expect? Lists what it holds in got. */
static int has_addr(const struct ares_addrinfo *res, const char *expect,
		    char *got, size_t gotlen)
{
	unsigned char want[16], a[16];
	int fam = strchr(expect, ':') ? AF_INET6 : AF_INET, found = 0;
	size_t off = 0;

	got[0] = '\0';
	if (inet_pton(fam, expect, want) != 1)
		return 0;
	for (const struct ares_addrinfo_node *n = res ? res->nodes : NULL;
	     n != NULL; n = n->ai_next) {
		char txt[INET6_ADDRSTRLEN];
		const void *src;

		if (n->ai_family == AF_INET)
			src = &((const struct sockaddr_in *)n->ai_addr)
				       ->sin_addr;
		else if (n->ai_family == AF_INET6)
			src = &((const struct sockaddr_in6 *)n->ai_addr)
				       ->sin6_addr;
		else
			continue;
		memcpy(a, src, n->ai_family == AF_INET ? 4 : 16);
		if (n->ai_family == fam &&
		    memcmp(a, want, fam == AF_INET ? 4 : 16) == 0)
			found = 1;
		if (inet_ntop(n->ai_family, src, txt, sizeof(txt)) != NULL &&
		    off + strlen(txt) + 3 < gotlen)
			off += (size_t)snprintf(got + off, gotlen - off, "%s%s",
						off ? ", " : "", txt);
	}
	return found;
}

static void on_answer(void *arg, int status, int timeouts,
		      struct ares_addrinfo *res)
{
	struct svc_check *c = arg;
	const struct service_cfg *sc;
	struct svc_result r;
	char got[128];

	(void)timeouts;
	if (status == ARES_EDESTRUCTION || !c->busy) {
		ares_freeaddrinfo(res);
		return; /* abandoned */
	}
	sc = &c->p->sc[c->idx];
	uv_timer_stop(&c->timer);
	svc__result_init(&r);
	r.total_ms = r.dns_ms = (double)(uv_now(c->p->loop) - c->t0_ms);
	if (status != ARES_SUCCESS)
		dns_fail(&r, status, sc->timeout_s);
	else if (sc->expect[0] != '\0' &&
		 !has_addr(res, sc->expect, got, sizeof(got))) {
		r.fail = SVCF_CONTENT;
		snprintf(r.reason, sizeof(r.reason),
			 "DNS: answer lacks %.60s (got %.100s)", sc->expect,
			 got[0] ? got : "no address");
	}
	ares_freeaddrinfo(res);
	svc__finish(c, &r);
}

static void on_timer(uv_timer_t *h)
{
	struct svc_check *c = (struct svc_check *)((char *)h -
					offsetof(struct svc_check, timer));
	uint64_t limit = (uint64_t)c->p->sc[c->idx].timeout_s * 1000;

	ares_process_fd(c->chan, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (!c->busy)
		return;
	if (uv_now(c->p->loop) - c->t0_ms >= limit) {
		ares_cancel(c->chan); /* on_answer: ARES_ECANCELLED */
		return;
	}
	arm(c);
}

/* The timer at c-ares' next timeout or the check's deadline. */
static void arm(struct svc_check *c)
{
	uint64_t limit = (uint64_t)c->p->sc[c->idx].timeout_s * 1000;
	uint64_t el = uv_now(c->p->loop) - c->t0_ms;
	uint64_t left = el < limit ? limit - el : 0, ms = left;
	struct timeval tv, *tp = ares_timeout(c->chan, NULL, &tv);

	if (tp != NULL) {
		uint64_t a = (uint64_t)tp->tv_sec * 1000 +
			     (uint64_t)(tp->tv_usec + 999) / 1000;

		if (a < ms)
			ms = a;
	}
	uv_timer_start(&c->timer, on_timer, ms, 0);
}

int svc__dns_init(struct svc_check *c, char *err, size_t errlen)
{
	const struct service_cfg *sc = &c->p->sc[c->idx];
	struct ares_options o;
	char csv[SVC_HOST_MAX + 16];
	int rc;

	memset(&o, 0, sizeof(o));
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = c;
	o.timeout = sc->timeout_s * 1000; /* ms with ARES_OPT_TIMEOUTMS */
	o.tries = 1;
	o.lookups = (char *)"b"; /* DNS only, never /etc/hosts */
	rc = ares_init_options(&c->chan, &o,
			       ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS |
				       ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "service %s: c-ares: %s", sc->name,
			 ares_strerror(rc));
		return rc == ARES_ENOMEM ? -ENOMEM : -EIO;
	}
	c->chan_ok = 1;
	if (sc->server[0] == '\0')
		return 0;
	if (strchr(sc->host, ':') != NULL)
		snprintf(csv, sizeof(csv), "[%s]:%u", sc->host,
			 (unsigned)sc->port);
	else
		snprintf(csv, sizeof(csv), "%s:%u", sc->host,
			 (unsigned)sc->port);
	rc = ares_set_servers_ports_csv(c->chan, csv);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "service %s: DNS server '%s': %s",
			 sc->name, sc->server, ares_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

int svc__dns_start(struct svc_check *c)
{
	struct ares_addrinfo_hints h;

	if (!c->chan_ok)
		return -EIO;
	memset(&h, 0, sizeof(h));
	h.ai_family = AF_UNSPEC;
	h.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(c->chan, c->p->sc[c->idx].query, NULL, &h, on_answer,
			 c);
	if (c->busy)
		arm(c);
	return 0;
}

void svc__dns_abandon(struct svc_check *c)
{
	if (!c->chan_ok)
		return;
	c->busy = 0;
	uv_timer_stop(&c->timer);
	ares_destroy(c->chan); /* sock_state(fd, 0, 0): polls closed */
	c->chan_ok = 0;
}
