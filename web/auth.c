/*
 * auth.c - logins, sessions, CSRF tokens and the login rate limit.
 *
 * A session is 32 random bytes (getrandom) in the slamon_session cookie
 * (HttpOnly, SameSite=Strict, Secure under TLS), kept in memory only: a
 * restart logs everyone out. Each session has its own CSRF token, which
 * every POST/PUT/DELETE must carry in X-CSRF-Token. Passwords are checked
 * off the loop (argon2id). Failed logins are counted per address (20) and
 * per user (5) over 5 minutes; past that, 429 without checking.
 * SPDX-License-Identifier: MIT
 */
#include "web_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/log.h"

#define RL_WINDOW 300.0
#define RL_USER_FAILS 5
#define RL_ADDR_FAILS 20

static int random_hex(char *out, size_t nbytes)
{
	unsigned char b[32];
	static const char hx[] = "0123456789abcdef";

	if (nbytes > sizeof(b) ||
	    getrandom(b, nbytes, 0) != (ssize_t)nbytes)
		return -1;
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * nbytes] = '\0';
	return 0;
}

/* Has the users file changed since it was read (slamon user add without
 * a SIGHUP)? One stat(2) per login attempt. */
static int users_changed(const struct web_server *ws)
{
	struct stat st;

	if (stat(ws->users_path, &st) < 0)
		return ws->users_size != -1;
	return st.st_mtim.tv_sec != ws->users_mtime.tv_sec ||
	       st.st_mtim.tv_nsec != ws->users_mtime.tv_nsec ||
	       st.st_size != ws->users_size;
}

int web__users_reload(struct web_server *ws)
{
	struct web_user *u = NULL;
	size_t n = 0;
	char err[512];
	struct stat st;
	int rc;

	if (stat(ws->users_path, &st) == 0) {
		ws->users_mtime = st.st_mtim;
		ws->users_size = st.st_size;
	} else {
		ws->users_size = -1;
	}
	rc = web_users_load(ws->users_path, &u, &n, err, sizeof(err));

	if (rc == -ENOENT) {
		log_warnx("web: no users file %s: nobody can log in (slamon "
			  "user add NAME --role ROLE)",
			  ws->users_path);
	} else if (rc < 0) {
		log_errorx("web: %s (keeping the %zu users read before)", err,
			   ws->nusers);
		return -1;
	}
	free(ws->users);
	ws->users = u;
	ws->nusers = n;
	/* sessions of users that are gone or changed role end now */
	for (size_t i = 0; i < ws->nsessions;) {
		struct web_session *s = &ws->sessions[i];
		const struct web_user *f = web_users_find(u, n, s->user);

		if (f == NULL || f->role != s->role) {
			ws->sessions[i] = ws->sessions[--ws->nsessions];
			continue;
		}
		i++;
	}
	return 0;
}

void web__sessions_free(struct web_server *ws)
{
	free(ws->sessions);
	ws->sessions = NULL;
	ws->nsessions = 0;
}

static int cookie_value(h2o_req_t *req, char out[65])
{
	ssize_t i = -1;
	static const char name[] = "slamon_session=";

	while ((i = h2o_find_header(&req->headers, H2O_TOKEN_COOKIE, i)) !=
	       -1) {
		const h2o_iovec_t *v = &req->headers.entries[i].value;
		const char *p = v->base, *end = v->base + v->len;

		while (p < end) {
			while (p < end && (*p == ' ' || *p == ';'))
				p++;
			if ((size_t)(end - p) >= sizeof(name) - 1 + 64 &&
			    memcmp(p, name, sizeof(name) - 1) == 0) {
				memcpy(out, p + sizeof(name) - 1, 64);
				out[64] = '\0';
				return 1;
			}
			p = memchr(p, ';', (size_t)(end - p));
			if (p == NULL)
				break;
		}
	}
	return 0;
}

struct web_session *web__session(struct web_server *ws, h2o_req_t *req)
{
	char id[65];
	double now = web__now();

	if (!cookie_value(req, id))
		return NULL;
	for (size_t i = 0; i < ws->nsessions; i++) {
		struct web_session *s = &ws->sessions[i];

		if (strcmp(s->id, id) != 0)
			continue;
		if (s->expires <= now) {
			ws->sessions[i] = ws->sessions[--ws->nsessions];
			return NULL;
		}
		return s;
	}
	return NULL;
}

int web__csrf_ok(const struct web_session *s, h2o_req_t *req)
{
	ssize_t i = h2o_find_header_by_str(&req->headers,
					   H2O_STRLIT("x-csrf-token"), -1);
	const h2o_iovec_t *v;

	if (i == -1)
		return 0;
	v = &req->headers.entries[i].value;
	if (v->len != 32)
		return 0;
	{
		unsigned char d = 0; /* the same time for every wrong token */

		for (size_t k = 0; k < 32; k++)
			d |= (unsigned char)(v->base[k] ^ s->csrf[k]);
		return d == 0;
	}
}

/* ---- rate limit ------------------------------------------------------- */

static struct web_rl *rl_slot(struct web_server *ws, const char *key,
			      double now, int create)
{
	struct web_rl *oldest = &ws->rl[0];

	for (size_t i = 0; i < WEB_RL_SLOTS; i++) {
		struct web_rl *r = &ws->rl[i];

		if (r->key[0] != '\0' && strcmp(r->key, key) == 0) {
			if (now - r->start > RL_WINDOW) {
				r->start = now;
				r->fails = 0;
			}
			return r;
		}
		if (r->start < oldest->start)
			oldest = r;
	}
	if (!create)
		return NULL;
	snprintf(oldest->key, sizeof(oldest->key), "%s", key);
	oldest->start = now;
	oldest->fails = 0;
	return oldest;
}

static int rl_blocked(struct web_server *ws, const char *key, int limit,
		      double now)
{
	struct web_rl *r = rl_slot(ws, key, now, 0);

	return r != NULL && r->fails >= limit;
}

static void rl_fail(struct web_server *ws, const char *key, double now)
{
	struct web_rl *r = rl_slot(ws, key, now, 1);

	r->fails++;
}

/* ---- login, logout, session ------------------------------------------ */

static void session_cookie(struct web_server *ws, h2o_req_t *req,
			   const char *id, long max_age)
{
	char c[200];
	int n = snprintf(c, sizeof(c),
			 "slamon_session=%s; Path=/; HttpOnly; "
			 "SameSite=Strict; Max-Age=%ld%s",
			 id, max_age, ws->tls ? "; Secure" : "");
	char *v = h2o_mem_alloc_pool(&req->pool, (size_t)n + 1);

	memcpy(v, c, (size_t)n + 1);
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_SET_COOKIE,
		       NULL, v, (size_t)n);
}

static json_t *session_json(const struct web_session *s)
{
	return json_pack("{s:s, s:s, s:s}", "user", s->user, "role",
			 web_role_name(s->role), "csrf", s->csrf);
}

static void login_run(struct web_job *j)
{
	/* j->b: the hash ("" unknown user), j->c: the password */
	j->status = web_password_verify(j->b[0] ? j->b : NULL, j->c) ? 200
								     : 401;
	memset(j->c, 0, sizeof(j->c));
}

static void login_done(struct web_job *j)
{
	struct web_server *ws = j->ws;
	h2o_req_t *req = j->req;
	char peer[64], key[80];
	struct web_session *s;
	double now = web__now();

	web__peer(req, peer, sizeof(peer));
	if (j->status != 200) {
		snprintf(key, sizeof(key), "a:%s", peer);
		rl_fail(ws, key, now);
		snprintf(key, sizeof(key), "u:%s", j->user);
		rl_fail(ws, key, now);
		web__error(req, 401, "bad_credentials",
			   "wrong user name or password (user '%s')", j->user);
		return;
	}
	/* the users file may have changed while the hash was checked */
	if (web_users_find(ws->users, ws->nusers, j->user) == NULL) {
		web__error(req, 401, "bad_credentials", "no such user");
		return;
	}
	if (ws->nsessions == WEB_SESSIONS_MAX) {
		/* the oldest goes */
		size_t o = 0;

		for (size_t i = 1; i < ws->nsessions; i++)
			if (ws->sessions[i].expires < ws->sessions[o].expires)
				o = i;
		ws->sessions[o] = ws->sessions[--ws->nsessions];
	}
	if (ws->sessions == NULL) {
		ws->sessions = calloc(WEB_SESSIONS_MAX, sizeof(*ws->sessions));
		if (ws->sessions == NULL) {
			web__error(req, 500, "internal", "out of memory");
			return;
		}
	}
	s = &ws->sessions[ws->nsessions];
	if (random_hex(s->id, 32) < 0 || random_hex(s->csrf, 16) < 0) {
		web__error(req, 500, "internal", "no randomness");
		return;
	}
	ws->nsessions++;
	snprintf(s->user, sizeof(s->user), "%s", j->user);
	s->role = j->role;
	s->expires = now + ws->session_s;
	snprintf(key, sizeof(key), "u:%s", j->user);
	rl_slot(ws, key, now, 1)->fails = 0;
	log_info("web: %s (%s) logged in from %s", s->user,
		 web_role_name(s->role), peer);
	session_cookie(ws, req, s->id, (long)ws->session_s);
	web__json(req, 200, session_json(s));
}

static void login(struct web_server *ws, h2o_req_t *req)
{
	char peer[64], key[80];
	json_error_t jerr;
	json_t *body, *u, *p;
	const struct web_user *wu;
	struct web_job *j;
	double now = web__now();

	if (!web__method(req, "POST")) {
		web__error(req, 405, "method", "POST only");
		return;
	}
	web__peer(req, peer, sizeof(peer));
	body = json_loadb(req->entity.base, req->entity.len, 0, &jerr);
	if (body == NULL) {
		web__error(req, 400, "bad_json", "body: %s", jerr.text);
		return;
	}
	u = json_object_get(body, "user");
	p = json_object_get(body, "password");
	if (!json_is_string(u) || !json_is_string(p) ||
	    !web_user_name_ok(json_string_value(u)) ||
	    json_string_length(p) >= 256) {
		json_decref(body);
		web__error(req, 400, "bad_request",
			   "expected {\"user\": NAME, \"password\": TEXT}");
		return;
	}
	if (users_changed(ws) && web__users_reload(ws) == 0)
		log_info("web: %s changed: %zu users", ws->users_path,
			 ws->nusers);
	snprintf(key, sizeof(key), "a:%s", peer);
	if (rl_blocked(ws, key, RL_ADDR_FAILS, now)) {
		json_decref(body);
		web__error(req, 429, "rate_limited",
			   "too many failed logins from %s; wait 5 minutes",
			   peer);
		return;
	}
	snprintf(key, sizeof(key), "u:%s", json_string_value(u));
	if (rl_blocked(ws, key, RL_USER_FAILS, now)) {
		json_decref(body);
		web__error(req, 429, "rate_limited",
			   "too many failed logins for this user; wait 5 "
			   "minutes");
		return;
	}
	j = web__job_new(ws, req);
	if (j == NULL) {
		json_decref(body);
		return;
	}
	snprintf(j->user, sizeof(j->user), "%s", json_string_value(u));
	snprintf(j->c, sizeof(j->c), "%s", json_string_value(p));
	json_decref(body);
	wu = web_users_find(ws->users, ws->nusers, j->user);
	if (wu != NULL) {
		snprintf(j->b, sizeof(j->b), "%s", wu->hash);
		j->role = wu->role;
	}
	web__job_start(j, login_run, login_done);
}

int web__auth_route(struct web_server *ws, h2o_req_t *req, const char *path)
{
	struct web_session *s;

	if (strcmp(path, "/api/v1/login") == 0) {
		login(ws, req);
		return 1;
	}
	if (strcmp(path, "/api/v1/session") == 0) {
		s = web__session(ws, req);
		if (!web__method(req, "GET"))
			web__error(req, 405, "method", "GET only");
		else if (s == NULL)
			web__error(req, 401, "unauthorized", "log in first");
		else
			web__json(req, 200, session_json(s));
		return 1;
	}
	if (strcmp(path, "/api/v1/logout") == 0) {
		s = web__session(ws, req);
		if (!web__method(req, "POST")) {
			web__error(req, 405, "method", "POST only");
		} else if (s == NULL) {
			web__error(req, 401, "unauthorized", "log in first");
		} else if (!web__csrf_ok(s, req)) {
			web__error(req, 403, "csrf",
				   "missing or wrong X-CSRF-Token");
		} else {
			log_info("web: %s logged out", s->user);
			*s = ws->sessions[--ws->nsessions];
			session_cookie(ws, req, "", 0);
			req->res.status = 204;
			req->res.reason = "No Content";
			h2o_send_inline(req, "", 0);
		}
		return 1;
	}
	return 0;
}
