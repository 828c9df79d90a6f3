/*
 * web_int.h - shared by the files of web/ only: the server's state, the request
 * helpers (JSON answers, errors), sessions and the off-loop jobs.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_WEB_INT_H
#define SLAMON_WEB_INT_H

#include <h2o.h>
#include <jansson.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "storage/journal.h"
#include "web/users.h"
#include "web/web.h"
#include "web/web_config.h"

#define WEB_BODY_MAX (64 * 1024) /* request bodies; beyond: 413 */
#define WEB_SESSIONS_MAX 4096
#define WEB_RL_SLOTS 512

struct web_conn {
	uv_tcp_t tcp; /* first: h2o's close callback frees the struct */
	struct web_server *ws;
	struct web_conn *prev, *next;
};

struct web_session {
	char id[65];   /* 32 random bytes, hex: the cookie */
	char csrf[33]; /* 16 random bytes, hex */
	char user[WEB_USER_MAX];
	enum web_role role;
	double expires;
};

/* Failed logins per key (an address or a user) within a window. */
struct web_rl {
	char key[80];
	double start;
	int fails;
};

struct web_server {
	uv_loop_t *loop;
	struct web_source src;
	char version[32];
	h2o_globalconf_t gconf;
	h2o_context_t ctx;
	h2o_accept_ctx_t actx;
	int h2o_ready, tls;
	uv_tcp_t listeners[WEB_LISTEN_MAX];
	size_t nlisteners;
	struct web_conn conns; /* list head */
	int stopping;
	size_t jobs; /* in flight on the threadpool */

	char static_dir[4096];
	char users_path[4096];
	char config_path[4096];
	char journal_path[4096];
	char storage_dir[4096];
	char tz[64];
	double session_s;
	int metrics_auth;

	struct web_user *users;
	size_t nusers;
	struct timespec users_mtime; /* of the file read last */
	off_t users_size;
	struct web_session *sessions;
	size_t nsessions;
	struct web_rl rl[WEB_RL_SLOTS];

	/* one read-write journal connection for the jobs (ack, close,
	 * lists), used by one job at a time */
	pthread_mutex_t jmu;
	struct journal *journal;
	/* sla/ cuts periods by switching TZ around mktime (sla/period.c):
	 * one job at a time may call into sla/ (never on the loop, never
	 * while holding jmu) */
	pthread_mutex_t slamu;

	/* this month's indicators (JSON array), refreshed off the loop at
	 * most once a minute, for /overview and /metrics */
	json_t *indicators;
	double indicators_t;
	int indicators_busy;
	/* the last overview, answered again for a second (it is the same
	 * for every user; a NOC wall and many consoles poll it) */
	char *ov_body;
	size_t ov_len;
	double ov_t;
	/* reports being generated (month strings), one at a time */
	int report_busy;
};

/* ---- requests and answers (server.c) -------------------------------- */

/* Sends v (taken) as JSON with status. */
void web__json(h2o_req_t *req, int status, json_t *v);
/* v as the JSON text web__json sends (with the *_text times), malloc'd;
 * NULL when out of memory. v stays the caller's. */
char *web__json_dump(json_t *v, size_t *ret_len);
/* Sends {"error":{"code","message"}} with status and logs one line. */
void web__error(h2o_req_t *req, int status, const char *code,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Sends a text body with status and content type. */
void web__text(h2o_req_t *req, int status, const char *ctype,
	       const char *body, size_t len);
/* The request's method is m? */
int web__method(h2o_req_t *req, const char *m);
/* Query parameter name of req into out (URL-decoded); 1 found, 0 not. */
int web__query(h2o_req_t *req, const char *name, char *out, size_t len);
/* The peer's address as text. */
void web__peer(h2o_req_t *req, char *out, size_t len);
/* Wall clock, seconds. */
double web__now(void);
/* "YYYY-MM" with a month 01..12 (checked without sla/, on the loop)? */
int web__month_ok(const char *m);

/* ---- off-loop jobs (server.c) --------------------------------------- */

struct web_job;
typedef void (*web_job_fn)(struct web_job *j);

struct web_job {
	uv_work_t work;
	struct web_server *ws;
	h2o_req_t *req;       /* NULL once the request went away */
	struct web_job **ref; /* in the request's pool */
	struct web_job *self_ref; /* ref of a job without a request */
	web_job_fn run;       /* on a threadpool thread */
	web_job_fn done;      /* on the loop; NULL: answer status + out */
	/* inputs */
	char user[WEB_USER_MAX];
	enum web_role role;
	char a[256], b[4400], c[256];
	int64_t id;
	double from, to, now;
	json_t *in;           /* parsed body, or NULL */
	void *snap;           /* state copied on the loop, freed by */
	void (*snap_free)(void *);
	struct config *cfg; /* loaded off the loop when a job needs
	                             it; freed by the job */
	/* outputs */
	int status;
	json_t *out;
	char code[32];
	char msg[512];
	char *body; /* raw body (file, text), malloc'd */
	size_t blen;
	char ctype[96];
	char disposition[160];
};

/* A job for req (NULL when out of memory: a 500 was sent). */
struct web_job *web__job_new(struct web_server *ws, h2o_req_t *req);
/* A job that answers no request (refreshes, report generation). */
struct web_job *web__job_detached(struct web_server *ws);
/* Queues j: run off the loop, then done (or the default answer). */
void web__job_start(struct web_job *j, web_job_fn run, web_job_fn done);
/* A job's error answer. */
void web__job_fail(struct web_job *j, int status, const char *code,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Loads the running configuration file for a job (config_load). 0, or -1
 * with a 500 set on j. */
int web__job_config(struct web_job *j);

/* ---- sessions, login (auth.c) --------------------------------------- */

/* The session of req's cookie, or NULL (expired ones are dropped). */
struct web_session *web__session(struct web_server *ws, h2o_req_t *req);
/* The request's X-CSRF-Token matches s? */
int web__csrf_ok(const struct web_session *s, h2o_req_t *req);
/* /api/v1/login, /logout, /session. 1 when path was one of them. */
int web__auth_route(struct web_server *ws, h2o_req_t *req,
		    const char *path);
/* Reads the users file; -1 (logged) when it is bad: the old list stays. */
int web__users_reload(struct web_server *ws);
void web__sessions_free(struct web_server *ws);

/* ---- the API (api.c), /metrics (metrics.c) --------------------------- */

/* Routes /api/v1/... after login and CSRF checks. */
void web__api(struct web_server *ws, h2o_req_t *req, const char *path,
	      struct web_session *s);
void web__metrics(struct web_server *ws, h2o_req_t *req);
/* Starts a refresh of ws->indicators when older than a minute. */
void web__indicators_refresh(struct web_server *ws);

#endif
