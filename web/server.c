/*
 * server.c - the HTTP server: H2O (libh2o, the libuv flavour) on slamond's
 * loop, listeners, the connection list (so a stop can close them), the
 * router, static files, JSON answers and the off-loop jobs. See
 * docs/web.md for why H2O and how requests are bounded.
 * SPDX-License-Identifier: MIT
 */
#include "web_int.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "alerts/config.h"
#include "core/log.h"
#include "sla/sla.h"

/* Debian's libjs-chart.js: one of these, whichever the version ships. */
static const char *const chartjs_paths[] = {
	"/usr/share/javascript/chart.js/chart.umd.js",
	"/usr/share/javascript/chart.js/chart.min.js",
	"/usr/share/javascript/chart.js/chart.js",
	"/usr/share/javascript/chart.js/Chart.min.js",
	"/usr/share/javascript/chart.js/Chart.js",
};

double web__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int web__month_ok(const char *m)
{
	if (m == NULL || strlen(m) != 7 || m[4] != '-')
		return 0;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (m[i] < '0' || m[i] > '9'))
			return 0;
	return m[0] != '0' && ((m[5] == '0' && m[6] >= '1') ||
			       (m[5] == '1' && m[6] <= '2'));
}

static const char *reason_of(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

void web__text(h2o_req_t *req, int status, const char *ctype,
	       const char *body, size_t len)
{
	req->res.status = status;
	req->res.reason = reason_of(status);
	req->res.content_length = len;
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE,
		       NULL, ctype, strlen(ctype));
	h2o_add_header(&req->pool, &req->res.headers,
		       H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
	h2o_add_header_by_str(&req->pool, &req->res.headers,
			      H2O_STRLIT("x-content-type-options"), 0, NULL,
			      H2O_STRLIT("nosniff"));
	h2o_send_inline(req, body, len);
}

/* Local time strings in [general] timezone ("*_text" beside each time of
 * the answers). sla/ converts by switching TZ, which only one thread may
 * do; the zone's offset is taken once at start instead, and the texts
 * are given only for a zone without daylight saving (Asia/Shanghai):
 * elsewhere the console formats the epoch seconds itself. */
static int tz_fixed;
static long tz_offset;

static void tz_probe(const char *tz)
{
	double now = web__now();
	struct tm a, b;

	tz_fixed = 0;
	if (sla_local_tm(tz, now, &a) < 0 ||
	    sla_local_tm(tz, now + 182 * 86400.0, &b) < 0)
		return;
	tz_offset = (long)(timegm(&a) - (time_t)now);
	tz_fixed = (long)(timegm(&b) - (time_t)(now + 182 * 86400.0)) ==
		   tz_offset;
}

static int time_key(const char *k)
{
	static const char *const keys[] = {
		"opened", "deadline", "acked", "closed", "resolved",
		"first_fail", "since", "t", "from", "to", "generated",
		"start", "end",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

static void add_texts(json_t *v, int depth)
{
	const char *k;
	json_t *x, *add;
	size_t i;

	if (depth > 8)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			add_texts(x, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	/* keys are added after the walk: not into the table being walked */
	add = json_object();
	json_object_foreach(v, k, x) {
		if (json_is_object(x) || json_is_array(x)) {
			add_texts(x, depth + 1);
		} else if (json_is_number(x) && time_key(k) &&
			   json_number_value(x) > 1e8) {
			char name[32], buf[32];
			time_t t = (time_t)json_number_value(x) + tz_offset;
			struct tm tm;

			snprintf(name, sizeof(name), "%s_text", k);
			if (json_object_get(v, name) != NULL ||
			    gmtime_r(&t, &tm) == NULL)
				continue;
			strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
			json_object_set_new(add, name, json_string(buf));
		}
	}
	json_object_update(v, add);
	json_decref(add);
}

char *web__json_dump(json_t *v, size_t *ret_len)
{
	char *s;

	if (v == NULL)
		return NULL;
	if (tz_fixed)
		add_texts(v, 0);
	s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
	if (s != NULL)
		*ret_len = strlen(s);
	return s;
}

static void body_dispose(void *p)
{
	free(*(char **)p);
}

/* Like web__text, but body (malloc'd) is taken and sent as it is: freed
 * with the request's pool, not copied (a /metrics scrape at 28,000
 * devices is 30 MB). */
static void send_take(h2o_req_t *req, int status, const char *ctype,
		      char *body, size_t len)
{
	static h2o_generator_t gen = { NULL, NULL };
	char **hold = h2o_mem_alloc_shared(&req->pool, sizeof(*hold),
					   body_dispose);
	h2o_iovec_t buf = h2o_iovec_init(body, len);

	*hold = body;
	req->res.status = status;
	req->res.reason = reason_of(status);
	req->res.content_length = len;
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE,
		       NULL, ctype, strlen(ctype));
	h2o_add_header(&req->pool, &req->res.headers,
		       H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
	h2o_start_response(req, &gen);
	if (web__method(req, "HEAD"))
		h2o_send(req, NULL, 0, 1);
	else
		h2o_send(req, &buf, 1, 1);
}

void web__json(h2o_req_t *req, int status, json_t *v)
{
	size_t n = 0;
	char *s = status < 300 ? web__json_dump(v, &n)
			       : json_dumps(v, JSON_COMPACT);

	if (s != NULL && status >= 300)
		n = strlen(s);
	json_decref(v);
	if (s == NULL) {
		static const char oom[] = "{\"error\":{\"code\":\"internal\","
					  "\"message\":\"out of memory\"}}";

		web__text(req, 500, "application/json; charset=utf-8", oom,
			  sizeof(oom) - 1);
		return;
	}
	web__text(req, status, "application/json; charset=utf-8", s, n);
	free(s);
}

void web__peer(h2o_req_t *req, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char host[64] = "?";

	sl = req->conn->callbacks->get_peername(req->conn,
						 (struct sockaddr *)&ss);
	if (sl > 0)
		(void)h2o_socket_getnumerichost((struct sockaddr *)&ss, sl,
						host);
	snprintf(out, len, "%s", host);
}

static void verror(h2o_req_t *req, int status, const char *code,
		   const char *fmt, va_list ap)
{
	char msg[512], peer[64];
	json_t *v;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	web__peer(req, peer, sizeof(peer));
	log_info("web: %.*s %.*s from %s: %d %s: %s",
		 (int)(req->method.len < 16 ? req->method.len : 16),
		 req->method.base,
		 (int)(req->path.len < 200 ? req->path.len : 200),
		 req->path.base, peer, status, code, msg);
	v = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
		      msg);
	web__json(req, status, v);
}

void web__error(h2o_req_t *req, int status, const char *code,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(req, status, code, fmt, ap);
	va_end(ap);
}

int web__method(h2o_req_t *req, const char *m)
{
	return h2o_memis(req->method.base, req->method.len, m, strlen(m));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* URL-decodes n bytes of s into out (at most len - 1); '+' is a space. */
static void url_decode(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '%' && i + 2 < n + 0 && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(hexval(s[i + 1]) * 16 +
					  hexval(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	out[o] = '\0';
}

int web__query(h2o_req_t *req, const char *name, char *out, size_t len)
{
	const char *q, *end;
	size_t nl = strlen(name);

	out[0] = '\0';
	if (req->query_at == SIZE_MAX)
		return 0;
	q = req->path.base + req->query_at + 1;
	end = req->path.base + req->path.len;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;

		if ((size_t)(stop - q) > nl && memcmp(q, name, nl) == 0 &&
		    q[nl] == '=') {
			url_decode(q + nl + 1, (size_t)(stop - q - nl - 1),
				   out, len);
			return 1;
		}
		if ((size_t)(stop - q) == nl && memcmp(q, name, nl) == 0)
			return 1;
		q = stop + 1;
	}
	return 0;
}

/* ---- jobs on the threadpool ------------------------------------------ */

static void ref_dispose(void *p)
{
	struct web_job **ref = p;

	if (*ref != NULL)
		(*ref)->req = NULL; /* the client went away */
}

struct web_job *web__job_new(struct web_server *ws, h2o_req_t *req)
{
	struct web_job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		web__error(req, 500, "internal", "out of memory");
		return NULL;
	}
	j->ref = h2o_mem_alloc_shared(&req->pool, sizeof(*j->ref),
				      ref_dispose);
	*j->ref = j;
	j->ws = ws;
	j->req = req;
	j->now = web__now();
	j->status = 200;
	snprintf(j->ctype, sizeof(j->ctype), "application/json; "
					     "charset=utf-8");
	return j;
}

struct web_job *web__job_detached(struct web_server *ws)
{
	struct web_job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		log_warnx("web: out of memory");
		return NULL;
	}
	j->ref = &j->self_ref;
	j->ws = ws;
	j->now = web__now();
	j->status = 200;
	return j;
}

void web__job_fail(struct web_job *j, int status, const char *code,
		   const char *fmt, ...)
{
	va_list ap;

	j->status = status;
	snprintf(j->code, sizeof(j->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(j->msg, sizeof(j->msg), fmt, ap);
	va_end(ap);
}

int web__job_config(struct web_job *j)
{
	struct diag d = { 0 };
	struct config *cfg = NULL;

	if (config_load(j->ws->config_path, &cfg, &d) < 0) {
		web__job_fail(j, 500, "config", "%s: %s", j->ws->config_path,
			      d.n > 0 ? d.msgs[0] : "cannot be loaded");
		diag_destroy(&d);
		return -1;
	}
	diag_destroy(&d);
	j->cfg = cfg;
	return 0;
}

static void job_work(uv_work_t *w)
{
	struct web_job *j = w->data;

	j->run(j);
}

static void job_free(struct web_job *j)
{
	if (j->snap_free != NULL)
		j->snap_free(j->snap);
	json_decref(j->in);
	json_decref(j->out);
	free(j->body);
	config_destroy(j->cfg);
	free(j);
}

static void job_after(uv_work_t *w, int status)
{
	struct web_job *j = w->data;
	h2o_req_t *req = j->req;

	(void)status;
	j->ws->jobs--;
	if (req == NULL && j->ref == &j->self_ref && j->done != NULL) {
		j->done(j); /* a detached job's own ending */
	} else if (req != NULL) {
		*j->ref = NULL;
		if (j->done != NULL) {
			j->done(j);
		} else if (j->code[0] != '\0') {
			web__error(req, j->status, j->code, "%s", j->msg);
		} else if (j->body != NULL) {
			if (j->disposition[0] != '\0')
				h2o_add_header(&req->pool, &req->res.headers,
					       H2O_TOKEN_CONTENT_DISPOSITION,
					       NULL, j->disposition,
					       strlen(j->disposition));
			send_take(req, j->status, j->ctype, j->body, j->blen);
			j->body = NULL;
		} else {
			web__json(req, j->status, j->out);
			j->out = NULL;
		}
	}
	job_free(j);
}

void web__job_start(struct web_job *j, web_job_fn run, web_job_fn done)
{
	j->run = run;
	j->done = done;
	j->work.data = j;
	if (uv_queue_work(j->ws->loop, &j->work, job_work, job_after) < 0) {
		*j->ref = NULL;
		if (j->req != NULL)
			web__error(j->req, 500, "internal",
				   "cannot queue work");
		job_free(j);
		return;
	}
	j->ws->jobs++;
}

/* ---- routing ---------------------------------------------------------- */

struct web_handler {
	h2o_handler_t super;
	struct web_server *ws;
};

/* "..", or an encoded dot or slash, anywhere in the path: refused, not
 * normalised away (the console never asks for one). */
static int path_suspect(h2o_req_t *req)
{
	size_t n = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
	const char *p = req->path.base;

	for (size_t i = 0; i + 1 < n; i++) {
		if (p[i] == '.' && p[i + 1] == '.')
			return 1;
		if (p[i] == '%' && i + 2 < n &&
		    (p[i + 1] == '2' &&
		     (p[i + 2] == 'e' || p[i + 2] == 'E' || p[i + 2] == 'f' ||
		      p[i + 2] == 'F')))
			return 1;
		if (p[i] == '%' && i + 2 < n && (p[i + 1] == '5') &&
		    (p[i + 2] == 'c' || p[i + 2] == 'C'))
			return 1;
		if (p[i] == '\\')
			return 1;
	}
	return 0;
}

static int on_static(h2o_handler_t *self, h2o_req_t *req)
{
	(void)self;
	if (path_suspect(req)) {
		web__error(req, 400, "bad_path", "'..' or an encoded '.', "
						 "'/' or '\\' in the path");
		return 0;
	}
	return -1; /* on to the file handler */
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
	struct web_server *ws = ((struct web_handler *)self)->ws;
	const char *p = req->path_normalized.base;
	size_t n = req->path_normalized.len;
	char path[512];
	struct web_session *s;

	if (ws->stopping) {
		web__error(req, 503, "stopping", "slamond is stopping");
		return 0;
	}
	if (path_suspect(req)) {
		web__error(req, 400, "bad_path", "'..' or an encoded '.', "
						 "'/' or '\\' in the path");
		return 0;
	}
	if (n >= sizeof(path)) {
		web__error(req, 404, "not_found", "no such path");
		return 0;
	}
	memcpy(path, p, n);
	path[n] = '\0';
	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
		return -1; /* the console's page, from static_dir */
	if (strcmp(path, "/metrics") == 0) {
		if (ws->metrics_auth && web__session(ws, req) == NULL) {
			web__error(req, 401, "unauthorized", "log in first");
			return 0;
		}
		web__metrics(ws, req);
		return 0;
	}
	if (strncmp(path, "/api/v1/", 8) != 0) {
		web__error(req, 404, "not_found", "no such path");
		return 0;
	}
	if (web__auth_route(ws, req, path))
		return 0;
	s = web__session(ws, req);
	if (s == NULL) {
		web__error(req, 401, "unauthorized", "log in first");
		return 0;
	}
	if (!web__method(req, "GET") && !web__method(req, "HEAD") &&
	    !web__csrf_ok(s, req)) {
		web__error(req, 403, "csrf", "missing or wrong X-CSRF-Token");
		return 0;
	}
	web__api(ws, req, path, s);
	return 0;
}

static void add_handler(h2o_pathconf_t *pc, struct web_server *ws,
			int (*fn)(h2o_handler_t *, h2o_req_t *))
{
	struct web_handler *h =
		(void *)h2o_create_handler(pc, sizeof(*h));

	h->super.on_req = fn;
	h->ws = ws;
}

static void setup_paths(struct web_server *ws)
{
	static const char *index_files[] = { "index.html", NULL };
	h2o_hostconf_t *host;
	h2o_pathconf_t *pc;

	host = h2o_config_register_host(
		&ws->gconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
	/* h2o takes the first path that matches, in this order */
	for (size_t i = 0; i < sizeof(chartjs_paths) / sizeof(chartjs_paths[0]);
	     i++) {
		if (access(chartjs_paths[i], R_OK) != 0)
			continue;
		pc = h2o_config_register_path(host, "/static/vendor/chart.js",
					      0);
		h2o_file_register_file(
			pc, chartjs_paths[i],
			h2o_mimemap_get_type_by_extension(
				ws->gconf.mimemap, h2o_iovec_init(H2O_STRLIT("js"))),
			0);
		break;
	}
	pc = h2o_config_register_path(host, "/static", 0);
	add_handler(pc, ws, on_static);
	h2o_file_register(pc, ws->static_dir, NULL, NULL, 0);
	pc = h2o_config_register_path(host, "/", 0);
	add_handler(pc, ws, on_req);
	h2o_file_register(pc, ws->static_dir, index_files, NULL, 0);
}

/* ---- connections ------------------------------------------------------ */

static void conn_closed(uv_handle_t *h)
{
	struct web_conn *c = (struct web_conn *)h;

	c->prev->next = c->next;
	c->next->prev = c->prev;
	free(c);
}

static void conn_refused(uv_handle_t *h)
{
	free(h);
}

static void on_accept(uv_stream_t *l, int status)
{
	struct web_server *ws = l->data;
	struct web_conn *c;
	h2o_socket_t *sock;

	if (status != 0 || ws->stopping) {
		if (status != 0)
			log_warnx("web: accept: %s", uv_strerror(status));
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		log_warnx("web: out of memory accepting a connection");
		return;
	}
	uv_tcp_init(ws->loop, &c->tcp);
	if (uv_accept(l, (uv_stream_t *)&c->tcp) != 0) {
		uv_close((uv_handle_t *)&c->tcp, conn_refused);
		return;
	}
	c->ws = ws;
	c->next = ws->conns.next;
	c->prev = &ws->conns;
	ws->conns.next->prev = c;
	ws->conns.next = c;
	sock = h2o_uv_socket_create((uv_stream_t *)&c->tcp, conn_closed);
	h2o_accept(&ws->actx, sock);
}

static int listen_one(struct web_server *ws, const struct web_listen *l,
		      char *err, size_t errlen)
{
	uv_tcp_t *t = &ws->listeners[ws->nlisteners];
	unsigned flags = l->ss.ss_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;
	int rc;

	uv_tcp_init(ws->loop, t);
	t->data = ws;
	ws->nlisteners++;
	rc = uv_tcp_bind(t, (const struct sockaddr *)&l->ss, flags);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)t, 128, on_accept);
	if (rc < 0) {
		snprintf(err, errlen, "[web] listen %s: %s", l->text,
			 uv_strerror(rc));
		return rc;
	}
	return 0;
}

static int setup_tls(struct web_server *ws, const struct web_cfg *w,
		     char *err, size_t errlen)
{
	SSL_CTX *ssl = SSL_CTX_new(TLS_server_method());

	if (ssl == NULL) {
		snprintf(err, errlen, "[web]: cannot create a TLS context");
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(ssl, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ssl, w->tls_cert) != 1) {
		snprintf(err, errlen, "[web] tls_cert %s: cannot be loaded",
			 w->tls_cert);
		SSL_CTX_free(ssl);
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ssl, w->tls_key, SSL_FILETYPE_PEM) !=
		    1 ||
	    SSL_CTX_check_private_key(ssl) != 1) {
		snprintf(err, errlen, "[web] tls_key %s: cannot be loaded or "
				      "does not match tls_cert",
			 w->tls_key);
		SSL_CTX_free(ssl);
		return -EINVAL;
	}
	ws->actx.ssl_ctx = ssl;
	ws->tls = 1;
	return 0;
}

/* h2o's context owns an uv_async_t (its thread queue) that would keep
 * the loop running after a stop: every handle h2o_context_init adds is
 * unref'd (the walk before and after tells them apart). */
struct handle_set {
	uv_handle_t **v;
	size_t n, cap;
	int oom;
};

static void collect(uv_handle_t *h, void *arg)
{
	struct handle_set *s = arg;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uv_handle_t **nv = realloc(s->v, cap * sizeof(*nv));

		if (nv == NULL) {
			s->oom = 1;
			return;
		}
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = h;
}

static void unref_new(uv_handle_t *h, void *arg)
{
	const struct handle_set *s = arg;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == h)
			return;
	uv_unref(h);
}

int web_server_start(uv_loop_t *loop, const struct config *cfg,
		     const struct web_source *src, const char *version,
		     struct web_server **ret_ws, char *err, size_t errlen)
{
	const struct web_cfg *w = web_config(cfg);
	struct web_server *ws;
	struct handle_set before = { 0 };
	char jerr[256];
	int rc;

	*ret_ws = NULL;
	if (w == NULL || w->line == 0)
		return 0;
	ws = calloc(1, sizeof(*ws));
	if (ws == NULL) {
		snprintf(err, errlen, "web: out of memory");
		return -ENOMEM;
	}
	ws->loop = loop;
	ws->src = *src;
	snprintf(ws->version, sizeof(ws->version), "%s", version);
	snprintf(ws->static_dir, sizeof(ws->static_dir), "%s", w->static_dir);
	snprintf(ws->users_path, sizeof(ws->users_path), "%s", w->users_file);
	snprintf(ws->config_path, sizeof(ws->config_path), "%s", cfg->path);
	snprintf(ws->journal_path, sizeof(ws->journal_path), "%s",
		 alerts_config(cfg)->journal);
	snprintf(ws->storage_dir, sizeof(ws->storage_dir), "%s",
		 cfg->storage_dir);
	snprintf(ws->tz, sizeof(ws->tz), "%s", cfg->timezone);
	ws->session_s = w->session_min * 60.0;
	ws->metrics_auth = w->metrics_auth;
	ws->conns.next = ws->conns.prev = &ws->conns;
	pthread_mutex_init(&ws->jmu, NULL);
	pthread_mutex_init(&ws->slamu, NULL);
	/* sla/ sets and restores TZ around its calls (sla/period.c): with
	 * TZ always present, that swaps one pointer of the environment and
	 * never reallocates it under another thread's getenv */
	if (getenv("TZ") == NULL)
		setenv("TZ", ":/etc/localtime", 1);
	tz_probe(ws->tz);
	rc = journal_open(ws->journal_path, &ws->journal, jerr, sizeof(jerr));
	if (rc < 0) {
		snprintf(err, errlen, "web: %s", jerr);
		goto fail;
	}
	(void)web__users_reload(ws);

	h2o_config_init(&ws->gconf);
	ws->gconf.max_request_entity_size = WEB_BODY_MAX;
	ws->gconf.server_name = h2o_iovec_init(H2O_STRLIT("slamon"));
	ws->gconf.http1.req_timeout = 10000;
	setup_paths(ws);
	if (w->tls_cert[0] != '\0') {
		rc = setup_tls(ws, w, err, errlen);
		if (rc < 0)
			goto fail_conf;
	}
	uv_walk(loop, collect, &before);
	if (before.oom) {
		free(before.v);
		snprintf(err, errlen, "web: out of memory");
		rc = -ENOMEM;
		goto fail_conf;
	}
	h2o_context_init(&ws->ctx, loop, &ws->gconf);
	uv_walk(loop, unref_new, &before);
	free(before.v);
	ws->h2o_ready = 1;
	ws->actx.ctx = &ws->ctx;
	ws->actx.hosts = ws->gconf.hosts;
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < w->nlisten; i++) {
		rc = listen_one(ws, &w->listen[i], err, errlen);
		if (rc < 0) {
			web_server_stop(ws);
			/* the caller runs the loop to close the handles, then
			 * destroys */
			*ret_ws = ws;
			return rc;
		}
	}
	log_info("web: serving %s on %s%s (console %s, users %s: %zu)",
		 ws->tls ? "https" : "http", w->listen_str,
		 ws->tls ? " with TLS" : "", ws->static_dir, ws->users_path,
		 ws->nusers);
	*ret_ws = ws;
	return 0;
fail_conf:
	h2o_config_dispose(&ws->gconf);
	if (ws->actx.ssl_ctx)
		SSL_CTX_free(ws->actx.ssl_ctx);
fail:
	journal_close(ws->journal);
	free(ws->users);
	pthread_mutex_destroy(&ws->jmu);
	pthread_mutex_destroy(&ws->slamu);
	free(ws);
	return rc;
}

void web_server_reload(struct web_server *ws, const struct config *cfg)
{
	const struct web_cfg *w;

	if (ws == NULL)
		return;
	w = web_config(cfg);
	snprintf(ws->users_path, sizeof(ws->users_path), "%s", w->users_file);
	snprintf(ws->config_path, sizeof(ws->config_path), "%s", cfg->path);
	ws->session_s = w->session_min * 60.0;
	if (web__users_reload(ws) == 0)
		log_info("web: %zu users from %s", ws->nusers, ws->users_path);
}

void web_server_stop(struct web_server *ws)
{
	if (ws == NULL || ws->stopping)
		return;
	ws->stopping = 1;
	if (ws->h2o_ready)
		ws->ctx.shutdown_requested = 1;
	for (size_t i = 0; i < ws->nlisteners; i++)
		uv_close((uv_handle_t *)&ws->listeners[i], NULL);
	/* h2o reads the end of each connection (or fails its next write)
	 * and closes it itself */
	for (struct web_conn *c = ws->conns.next; c != &ws->conns;
	     c = c->next) {
		uv_os_fd_t fd;

		if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0)
			shutdown(fd, SHUT_RDWR);
	}
}

void web_server_destroy(struct web_server *ws)
{
	if (ws == NULL)
		return;
	if (ws->h2o_ready)
		h2o_context_dispose(&ws->ctx);
	h2o_config_dispose(&ws->gconf);
	if (ws->actx.ssl_ctx)
		SSL_CTX_free(ws->actx.ssl_ctx);
	journal_close(ws->journal);
	json_decref(ws->indicators);
	free(ws->ov_body);
	web__sessions_free(ws);
	free(ws->users);
	pthread_mutex_destroy(&ws->jmu);
	pthread_mutex_destroy(&ws->slamu);
	free(ws);
}
