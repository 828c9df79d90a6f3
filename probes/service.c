/*
 * service.c - the service probe (service.h): its handles, the end of a
 * check, and HTTP(S) through libcurl's multi-socket API on the libuv loop
 * (as curl's docs/examples/multi-uv.c joins them: curl says which sockets
 * to watch through CURLMOPT_SOCKETFUNCTION and when to call it back
 * through CURLMOPT_TIMERFUNCTION; libuv says which socket is ready and
 * curl_multi_socket_action does the work, never blocking).
 *
 * Every check opens a fresh connection (CURLOPT_FRESH_CONNECT,
 * FORBID_REUSE) and resolves afresh (DNS cache off), so that its DNS,
 * connect and TLS times are a user's, not a kept connection's. Bodies are
 * kept up to SVC_BODY_MAX bytes for the content match; the transfer stops
 * there. Redirects are followed up to max_redirects.
 * SPDX-License-Identifier: MIT
 */
#include "service_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static const char *const fail_names[SVCF_COUNT] = {
	"ok",      "dns",      "connect",  "tls",   "timeout",
	"status",  "content",  "redirect", "error",
};

const char *svc_fail_name(int f)
{
	return f >= 0 && f < SVCF_COUNT ? fail_names[f] : "?";
}

double svc__now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

void svc__result_init(struct svc_result *r)
{
	memset(r, 0, sizeof(*r));
	r->total_ms = r->dns_ms = r->connect_ms = r->tls_ms = r->ttfb_ms = NAN;
	r->cert_days = NAN;
}

/* ---- handles -------------------------------------------------------- */

void svc__handle_opened(struct svc_probe *p)
{
	p->handles++;
}

static void probe_free(struct svc_probe *p)
{
	void (*cb)(void *) = p->close_cb;
	void *arg = p->close_arg;

	for (size_t i = 0; i < p->n; i++) {
		free(p->c[i].body);
		if (p->c[i].has_re)
			regfree(&p->c[i].re);
	}
	free(p->c);
	free(p);
	if (cb != NULL)
		cb(arg);
}

void svc__handle_release(struct svc_probe *p)
{
	if (--p->handles == 0 && p->closing)
		probe_free(p);
}

void svc__closed_free(uv_handle_t *h)
{
	struct svc_probe *p = ((struct svc_sock *)h)->p;

	free(h);
	svc__handle_release(p);
}

void svc__closed_keep(uv_handle_t *h)
{
	svc__handle_release(h->data);
}

/* ---- end of a check ------------------------------------------------- */

void svc__finish(struct svc_check *c, struct svc_result *r)
{
	struct svc_probe *p = c->p;

	r->svc = c->idx;
	r->t = c->t0;
	r->ok = r->fail == SVCF_OK;
	c->busy = 0;
	if (!p->closing && p->fn != NULL)
		p->fn(p->arg, r);
}

/* ---- HTTP: libcurl on the loop ------------------------------------ */

static void check_multi(struct svc_probe *p);

static void on_curl_poll(uv_poll_t *h, int status, int events)
{
	struct svc_sock *s = (struct svc_sock *)h;
	int running, flags = 0;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(s->p->multi, s->fd, flags, &running);
	check_multi(s->p);
}

static void on_curl_timer(uv_timer_t *h)
{
	struct svc_probe *p = h->data;
	int running;

	curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_multi(p);
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what curl wants, or stop. */
static int curl_sock_cb(CURL *e, curl_socket_t fd, int what, void *userp,
			void *sockp)
{
	struct svc_probe *p = userp;
	struct svc_sock *s = sockp;
	int ev = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			uv_poll_stop(&s->poll);
			uv_close((uv_handle_t *)&s->poll, svc__closed_free);
			curl_multi_assign(p->multi, fd, NULL);
		}
		return 0;
	}
	if (s == NULL) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return -1; /* curl fails that transfer */
		s->fd = fd;
		s->p = p;
		if (uv_poll_init_socket(p->loop, &s->poll, fd) < 0) {
			free(s);
			return -1;
		}
		svc__handle_opened(p);
		curl_multi_assign(p->multi, fd, s);
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= UV_READABLE;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= UV_WRITABLE;
	uv_poll_start(&s->poll, ev, on_curl_poll);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: one one-shot timer; -1 stops it. */
static int curl_timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct svc_probe *p = userp;

	(void)m;
	if (timeout_ms < 0)
		uv_timer_stop(&p->curl_timer);
	else
		uv_timer_start(&p->curl_timer, on_curl_timer,
			       (uint64_t)timeout_ms, 0);
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct svc_check *c = arg;
	size_t n = size * nmemb, room = SVC_BODY_MAX - c->body_len;

	if (n > room) {
		memcpy(c->body + c->body_len, data, room);
		c->body_len += room;
		c->body_full = 1;
		return 0; /* enough: curl stops with CURLE_WRITE_ERROR */
	}
	memcpy(c->body + c->body_len, data, n);
	c->body_len += n;
	return n;
}

/* Days left and notAfter of the server's certificate (OpenSSL backend:
 * "Expire date:Dec 17 10:00:00 2026 GMT"). */
static void cert_days(CURL *e, struct svc_result *r, double now)
{
	struct curl_certinfo *ci = NULL;
	struct tm tm;

	if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return;
	for (struct curl_slist *s = ci->certinfo[0]; s != NULL; s = s->next) {
		const char *v;
		char *end;

		if (strncmp(s->data, "Expire date:", 12) != 0)
			continue;
		v = s->data + 12;
		memset(&tm, 0, sizeof(tm));
		end = strptime(v, "%b %d %H:%M:%S %Y", &tm);
		if (end == NULL)
			return;
		snprintf(r->cert_expiry, sizeof(r->cert_expiry), "%s", v);
		r->cert_days = ((double)timegm(&tm) - now) / 86400.0;
		return;
	}
}

static double us_ms(curl_off_t us)
{
	return (double)us / 1000.0;
}

/* The phases from curl's cumulative times (CURLINFO_*_TIME_T). */
static void http_times(CURL *e, struct svc_result *r, int tls)
{
	curl_off_t dns = 0, conn = 0, app = 0, start = 0, total = 0;

	curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &dns);
	curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &conn);
	curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &app);
	curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &start);
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
	r->total_ms = us_ms(total);
	if (dns > 0)
		r->dns_ms = us_ms(dns);
	if (conn > 0)
		r->connect_ms = us_ms(conn - dns);
	if (tls && app > 0)
		r->tls_ms = us_ms(app - conn);
	if (start > 0)
		r->ttfb_ms = us_ms(start - (tls && app > 0 ? app : conn));
}

/* Where a timed-out transfer was: curl 7.88 leaves CONNECT_TIME at 0 when
 * a transfer fails, so the phase comes from what did happen (a response
 * code, bytes received) and from curl's message ("SSL connection
 * timeout", "Connection timed out after ...", "Operation timed out after
 * ... with N bytes received"). */
static const char *timeout_phase(struct svc_check *c,
				 const struct svc_result *r, const char *eb)
{
	curl_off_t got = 0;
	long lport = 0;

	curl_easy_getinfo(c->easy, CURLINFO_SIZE_DOWNLOAD_T, &got);
	curl_easy_getinfo(c->easy, CURLINFO_LOCAL_PORT, &lport);
	if (r->http_status > 0 || got > 0)
		return "reading the answer";
	if (strstr(eb, "SSL") != NULL ||
	    (lport > 0 && c->p->sc[c->idx].type == SVC_HTTPS &&
	     isnan(r->ttfb_ms)))
		return "TLS handshake";
	if (lport > 0)
		return "waiting for the answer";
	if (strstr(eb, "Connection timed out") != NULL ||
	    strstr(eb, "Resolving timed out") != NULL)
		return strstr(eb, "Resolving") ? "resolving the name"
					       : "connecting";
	return "waiting for the answer";
}

static void http_reason(struct svc_check *c, CURLcode rc,
			struct svc_result *r)
{
	const struct service_cfg *sc = &c->p->sc[c->idx];
	char eb[128];

	snprintf(eb, sizeof(eb), "%.120s",
		 c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		r->fail = SVCF_DNS;
		snprintf(r->reason, sizeof(r->reason), "DNS: name not found "
			 "(%s)", eb);
		break;
	case CURLE_COULDNT_CONNECT:
		r->fail = SVCF_CONNECT;
		snprintf(r->reason, sizeof(r->reason), "connect: %s", eb);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		r->fail = SVCF_TIMEOUT;
		snprintf(r->reason, sizeof(r->reason),
			 "timeout after %d s (%s)", sc->timeout_s,
			 timeout_phase(c, r, eb));
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		r->fail = SVCF_TLS;
		snprintf(r->reason, sizeof(r->reason),
			 "TLS: certificate verify failed (%s)", eb);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
		r->fail = SVCF_TLS;
		snprintf(r->reason, sizeof(r->reason), "TLS: %s", eb);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		r->fail = SVCF_REDIRECT;
		snprintf(r->reason, sizeof(r->reason),
			 "redirect loop (more than %d redirects)",
			 sc->max_redirects);
		break;
	default:
		r->fail = SVCF_ERROR;
		snprintf(r->reason, sizeof(r->reason), "HTTP: %s", eb);
		break;
	}
}

static void http_content(struct svc_check *c, struct svc_result *r)
{
	const struct service_cfg *sc = &c->p->sc[c->idx];
	int found;

	if (sc->match[0] == '\0')
		return;
	c->body[c->body_len] = '\0';
	if (c->has_re)
		found = regexec(&c->re, c->body, 0, NULL, 0) == 0;
	else
		found = memmem(c->body, c->body_len, sc->match,
			       strlen(sc->match)) != NULL;
	if (found)
		return;
	r->fail = SVCF_CONTENT;
	snprintf(r->reason, sizeof(r->reason),
		 "content: '%.80s' not found in the first %zu bytes",
		 sc->match, c->body_len);
}

static void http_done(struct svc_check *c, CURLcode rc)
{
	const struct service_cfg *sc = &c->p->sc[c->idx];
	struct svc_result r;
	long code = 0;

	svc__result_init(&r);
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
	r.http_status = code;
	http_times(c->easy, &r, sc->type == SVC_HTTPS);
	if (sc->type == SVC_HTTPS)
		cert_days(c->easy, &r, svc__now());
	if (rc == CURLE_WRITE_ERROR && c->body_full)
		rc = CURLE_OK; /* we stopped reading: the answer is there */
	if (rc != CURLE_OK)
		http_reason(c, rc, &r);
	else if (!service_status_ok(sc, code)) {
		r.fail = SVCF_STATUS;
		snprintf(r.reason, sizeof(r.reason), "HTTP %ld", code);
	} else
		http_content(c, &r);
	curl_multi_remove_handle(c->p->multi, c->easy);
	curl_easy_cleanup(c->easy);
	c->easy = NULL;
	svc__finish(c, &r);
}

static void check_multi(struct svc_probe *p)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(p->multi, &left)) != NULL) {
		struct svc_check *c = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &c);
		if (c != NULL)
			http_done(c, m->data.result);
	}
}

static int http_setup(struct svc_check *c)
{
	const struct service_cfg *sc = &c->p->sc[c->idx];
	CURL *e = curl_easy_init();
	long to = (long)sc->timeout_s * 1000;

	if (e == NULL)
		return -ENOMEM;
	c->easy = e;
	c->errbuf[0] = '\0';
	c->body_len = 0;
	c->body_full = 0;
	if (curl_easy_setopt(e, CURLOPT_URL, sc->url) != CURLE_OK)
		return -ENOMEM;
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, to);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, to);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "slamon/" "service-probe");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (sc->max_redirects > 0) {
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS,
				 (long)sc->max_redirects);
	}
	if (sc->type == SVC_HTTPS) {
		curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER,
				 sc->tls_verify ? 1L : 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST,
				 sc->tls_verify ? 2L : 0L);
		if (sc->ca_file[0] != '\0')
			curl_easy_setopt(e, CURLOPT_CAINFO, sc->ca_file);
	}
	return 0;
}

int svc__http_start(struct svc_check *c)
{
	int rc = http_setup(c);

	if (rc == 0 && curl_multi_add_handle(c->p->multi, c->easy) != CURLM_OK)
		rc = -ENOMEM;
	if (rc < 0) {
		curl_easy_cleanup(c->easy);
		c->easy = NULL;
	}
	return rc;
}

void svc__http_abandon(struct svc_check *c)
{
	if (c->easy == NULL)
		return;
	curl_multi_remove_handle(c->p->multi, c->easy);
	curl_easy_cleanup(c->easy);
	c->easy = NULL;
}

/* ---- the probe ------------------------------------------------------ */

static int check_init(struct svc_probe *p, size_t i, char *err,
		      size_t errlen)
{
	struct svc_check *c = &p->c[i];
	const struct service_cfg *sc = &p->sc[i];

	c->p = p;
	c->idx = (uint32_t)i;
	uv_timer_init(p->loop, &c->timer);
	c->timer.data = p;
	svc__handle_opened(p);
	switch (sc->type) {
	case SVC_HTTP:
	case SVC_HTTPS:
		c->body = malloc(SVC_BODY_MAX + 1);
		if (c->body == NULL)
			return -ENOMEM;
		if (sc->match_regex) {
			if (regcomp(&c->re, sc->match,
				    REG_EXTENDED | REG_NOSUB) != 0) {
				snprintf(err, errlen, "service %s: bad match "
					 "pattern", sc->name);
				return -EINVAL;
			}
			c->has_re = 1;
		}
		return 0;
	case SVC_DNS:
		return svc__dns_init(c, err, errlen);
	default:
		return 0;
	}
}

int svc_probe_create(uv_loop_t *loop, const struct service_cfg *sc, size_t n,
		     svc_result_fn fn, void *arg, struct svc_probe **ret_p,
		     char *err, size_t errlen)
{
	struct svc_probe *p = calloc(1, sizeof(*p));
	int rc = 0;

	if (p == NULL)
		return -ENOMEM;
	p->loop = loop;
	p->sc = sc;
	p->n = n;
	p->fn = fn;
	p->arg = arg;
	p->c = calloc(n ? n : 1, sizeof(*p->c));
	p->multi = curl_multi_init();
	if (p->c == NULL || p->multi == NULL) {
		snprintf(err, errlen, "service probe: out of memory");
		curl_multi_cleanup(p->multi);
		free(p->c);
		free(p);
		return -ENOMEM;
	}
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, curl_sock_cb);
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p);
	uv_timer_init(loop, &p->curl_timer);
	p->curl_timer.data = p;
	svc__handle_opened(p);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = check_init(p, i, err, errlen);
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "service probe: out of memory");
		svc_probe_close(p, NULL, NULL);
		return rc;
	}
	*ret_p = p;
	return 0;
}

int svc_probe_busy(const struct svc_probe *p, size_t i)
{
	return i < p->n && p->c[i].busy;
}

int svc_probe_check(struct svc_probe *p, size_t i)
{
	struct svc_check *c;
	int rc;

	if (p->closing)
		return -ECANCELED;
	if (i >= p->n)
		return -EINVAL;
	c = &p->c[i];
	if (c->busy)
		return -EBUSY;
	c->busy = 1;
	c->t0 = svc__now();
	c->t0_ms = uv_now(p->loop);
	switch (p->sc[i].type) {
	case SVC_HTTP:
	case SVC_HTTPS:
		rc = svc__http_start(c);
		break;
	case SVC_TCP:
		rc = svc__tcp_start(c);
		break;
	default:
		rc = svc__dns_start(c);
		break;
	}
	if (rc < 0) {
		struct svc_result r;

		svc__result_init(&r);
		r.fail = SVCF_ERROR;
		snprintf(r.reason, sizeof(r.reason), "check not started: %s",
			 strerror(-rc));
		svc__finish(c, &r);
	}
	return 0;
}

void svc_probe_close(struct svc_probe *p, void (*cb)(void *arg), void *arg)
{
	if (p == NULL)
		return;
	p->closing = 1;
	p->close_cb = cb;
	p->close_arg = arg;
	for (size_t i = 0; i < p->n; i++) {
		struct svc_check *c = &p->c[i];

		if (c->p == NULL)
			continue; /* create failed before it */
		svc__http_abandon(c);
		svc__tcp_abandon(c);
		svc__dns_abandon(c);
		c->busy = 0;
		uv_close((uv_handle_t *)&c->timer, svc__closed_keep);
	}
	curl_multi_cleanup(p->multi); /* removes its sockets' polls */
	p->multi = NULL;
	uv_close((uv_handle_t *)&p->curl_timer, svc__closed_keep);
}
