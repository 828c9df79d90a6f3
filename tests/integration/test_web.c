/*
 * test_web.c - slamond's web server and JSON API (issue 12, docs/api.md,
 * docs/web.md) against a real slamond on 127.0.0.1: one core switch on a
 * real snmpd and two access points with no agent (each gets a "down"
 * fault). Checks what users depend on: nothing without a login, the
 * session cookie's flags, roles (a viewer cannot acknowledge), CSRF
 * refusals, ack and close through the API writing audit rows with the web
 * user (and the CLI with the Unix user), the fault's history, bad input
 * (400/404/405/413, "../" in paths, malformed requests, a client that
 * never finishes its request) answered without a crash or a stall, the
 * login rate limit, /metrics passing promtool, logout; `slamon user`
 * on a users file of its own; a [web] port that cannot be bound stops
 * slamond at start-up naming the address, and a bad listen value is a
 * file:line error.
 *
 * Network: 127.0.0.1 only.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "slamond_run.h"
#include "storage/journal.h"
#include "web/users.h"

#define IV 5 /* [general] interval */

static char tmp[4096];
static struct agent agent;
static pid_t daemon_pid;
static int web_port;
static const char *web_scheme = "http";

static void setup(void)
{
	memset(&agent, 0, sizeof(agent));
	daemon_pid = 0;
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-web-"), 0);
	cr_assert_eq(chmod(tmp, 0755), 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void teardown(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
	agent_stop(&agent);
	curl_global_cleanup();
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(web, .init = setup, .fini = teardown, .timeout = 240);

static void pathf(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
}

/* A reserved port that is also free for TCP on 127.0.0.1. */
static int free_tcp_port(void)
{
	for (int i = 0; i < 50; i++) {
		int p = agent_free_udp_port(), fd, ok;
		struct sockaddr_in sa = { .sin_family = AF_INET };

		cr_assert(p > 0);
		sa.sin_port = htons((uint16_t)p);
		sa.sin_addr.s_addr = htonl(0x7f000001);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return p;
	}
	cr_assert_fail("no free TCP port");
	return -1;
}

/* `sh -c cmd`: its exit status, output in out. */
static int sh(const char *cmd, char *out, size_t len)
{
	char *c = strdup(cmd);
	char sh_[] = "/bin/sh", dash_c[] = "-c";
	char *argv[] = { sh_, dash_c, c, NULL };
	int rc;

	cr_assert_not_null(c);
	rc = run_cmd(argv, out, len, 60);
	free(c);
	return rc;
}

static int user_add(const char *users, const char *name, const char *role,
		    const char *pw)
{
	char cmd[8192], out[2048];

	snprintf(cmd, sizeof(cmd),
		 "echo '%s' | '%s' user add %s --role %s --password-stdin "
		 "--users '%s'",
		 pw, SLAMON, name, role, users);
	return sh(cmd, out, sizeof(out));
}

/* ---- HTTP through libcurl --------------------------------------------- */

struct resp {
	long code;
	char *body;
	size_t n;
	char hdr[8192];
	size_t hn;
	json_t *json;
};

static size_t on_body(char *p, size_t sz, size_t nm, void *arg)
{
	struct resp *r = arg;
	char *nb = realloc(r->body, r->n + sz * nm + 1);

	cr_assert_not_null(nb);
	r->body = nb;
	memcpy(r->body + r->n, p, sz * nm);
	r->n += sz * nm;
	r->body[r->n] = '\0';
	return sz * nm;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *arg)
{
	struct resp *r = arg;
	size_t n = sz * nm;

	if (r->hn + n < sizeof(r->hdr)) {
		memcpy(r->hdr + r->hn, p, n);
		r->hn += n;
		r->hdr[r->hn] = '\0';
	}
	return n;
}

static void resp_free(struct resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

/* method path [cookie] [csrf] [body]: fills r (body parsed as JSON when
 * it is JSON); returns the status. */
static long http(const char *method, const char *path, const char *cookie,
		 const char *csrf, const char *body, size_t blen,
		 struct resp *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[1024], hv[256];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", web_scheme, web_port,
		 path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L); /* self-signed */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (cookie != NULL && cookie[0]) {
		snprintf(hv, sizeof(hv), "slamon_session=%s", cookie);
		curl_easy_setopt(c, CURLOPT_COOKIE, hv);
	}
	if (csrf != NULL) {
		snprintf(hv, sizeof(hv), "X-CSRF-Token: %s", csrf);
		h = curl_slist_append(h, hv);
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)blen);
	}
	rc = curl_easy_perform(c);
	cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path,
		     curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (r->body != NULL)
		r->json = json_loads(r->body, 0, NULL);
	return r->code;
}

static long get(const char *path, const char *cookie, struct resp *r)
{
	return http("GET", path, cookie, NULL, NULL, 0, r);
}

static long post(const char *path, const char *cookie, const char *csrf,
		 const char *body, struct resp *r)
{
	return http("POST", path, cookie, csrf, body, body ? strlen(body) : 0,
		    r);
}

static const char *err_code(const struct resp *r)
{
	const char *s = json_string_value(
		json_object_get(json_object_get(r->json, "error"), "code"));

	return s ? s : "(no JSON error)";
}

struct login {
	char cookie[80];
	char csrf[40];
};

static void login(const char *user, const char *pw, struct login *l)
{
	struct resp r;
	char body[256];
	const char *c;

	snprintf(body, sizeof(body), "{\"user\":\"%s\",\"password\":\"%s\"}",
		 user, pw);
	cr_assert_eq(post("/api/v1/login", NULL, NULL, body, &r), 200,
		     "login %s: %ld %s", user, r.code, r.body);
	c = strstr(r.hdr, "slamon_session=");
	cr_assert_not_null(c, "%s", r.hdr);
	cr_assert_eq(sscanf(c, "slamon_session=%64[0-9a-f]", l->cookie), 1);
	/* the cookie's flags (no Secure without TLS) */
	cr_assert_not_null(strstr(c, "HttpOnly"), "%s", r.hdr);
	cr_assert_not_null(strstr(c, "SameSite=Strict"), "%s", r.hdr);
	cr_assert_not_null(strstr(c, "Path=/"), "%s", r.hdr);
	snprintf(l->csrf, sizeof(l->csrf), "%s",
		 json_string_value(json_object_get(r.json, "csrf")));
	cr_assert_eq(strlen(l->csrf), 32);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "user")),
			 user);
	resp_free(&r);
}

/* ---- the daemon ---------------------------------------------------------- */

static void write_setup(int snmp_port, int dead1, int dead2,
			const char *web_extra)
{
	char conf[4200], inv[4200], users[4200], text[8192];

	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(inv, sizeof(inv), "inv.csv");
	pathf(users, sizeof(users), "users");
	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = st\n"
		 "interval = %d\ntimeout_ms = 300\nretries = 0\n"
		 "down_after = 2\nup_after = 2\nlog_level = info\n"
		 "[profile v2]\nversion = 2c\ncommunity = public\n"
		 "[alerts]\nping = no\n"
		 "[web]\nlisten = 127.0.0.1:%d\nusers_file = users\n"
		 "static_dir = static\n%s",
		 IV, web_port, web_extra);
	cr_assert_eq(write_file(conf, text), 0);
	/* a console of the test's own (the real one is web/static) */
	pathf(text, sizeof(text), "static");
	mkdir(text, 0755);
	pathf(text, sizeof(text), "static/index.html");
	cr_assert_eq(write_file(text, "<!DOCTYPE html><title>slamon</title>"
				      "\n"),
		     0);
	pathf(text, sizeof(text), "static/app.css");
	cr_assert_eq(write_file(text, "body { margin: 0 }\n"), 0);
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "区政务外网中心,core-1,127.0.0.1:%d,core,,v2,,1000,\n"
		 "区教育局,ap-1,127.0.0.1:%d,access,core-1,v2,,,school\n"
		 "区卫健委,ap-2,127.0.0.1:%d,access,core-1,v2,,,\n",
		 snmp_port, dead1, dead2);
	cr_assert_eq(write_file(inv, text), 0);
}

static void start_daemon(void)
{
	char conf[4200], log[4200];
	const char *const extra[] = { "--duration", "200", NULL };
	struct resp r;

	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(log, sizeof(log), "slamond.log");
	daemon_pid = slamond_spawn(conf, log, extra);
	cr_assert(daemon_pid > 0, "slamond: %d", (int)daemon_pid);
	for (double t0 = wall_now(); wall_now() - t0 < 20; usleep(100000)) {
		CURL *c = curl_easy_init();
		char url[128];
		CURLcode rc;

		snprintf(url, sizeof(url), "%s://127.0.0.1:%d/metrics",
			 web_scheme, web_port);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 2L);
		rc = curl_easy_perform(c);
		curl_easy_cleanup(c);
		if (rc == CURLE_OK)
			return;
		cr_assert_eq(waitpid(daemon_pid, NULL, WNOHANG), 0,
			     "slamond exited (see %s/slamond.log)", tmp);
	}
	(void)r;
	cr_assert_fail("the web server did not answer within 20 s");
}

static void assert_alive(void)
{
	struct resp r;

	cr_assert_eq(waitpid(daemon_pid, NULL, WNOHANG), 0,
		     "slamond exited (see %s/slamond.log)", tmp);
	cr_assert_eq(get("/api/v1/health", NULL, &r), 401);
	resp_free(&r);
}

/* The open fault of device dev through the API (waits up to 40 s). */
static int64_t wait_fault(const struct login *l, const char *dev)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/faults?device=%s", dev);
	for (double t0 = wall_now(); wall_now() - t0 < 40; sleep(1)) {
		struct resp r;
		json_t *items;

		cr_assert_eq(get(path, l->cookie, &r), 200, "%s", r.body);
		items = json_object_get(r.json, "items");
		if (json_array_size(items) > 0) {
			int64_t id = json_integer_value(json_object_get(
				json_array_get(items, 0), "id"));

			resp_free(&r);
			return id;
		}
		resp_free(&r);
	}
	cr_assert_fail("no fault on %s within 40 s", dev);
	return 0;
}

/* Raw bytes to the server; what it answered (up to len), "" when it
 * closed without a word. */
static void raw(const char *req, size_t n, char *out, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { 10, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t got = 0;
	ssize_t k;

	sa.sin_port = htons((uint16_t)web_port);
	sa.sin_addr.s_addr = htonl(0x7f000001);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (size_t off = 0; off < n;) {
		k = send(fd, req + off, n - off, MSG_NOSIGNAL);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	shutdown(fd, SHUT_WR);
	while (got + 1 < len && (k = recv(fd, out + got, len - 1 - got, 0)) > 0)
		got += (size_t)k;
	out[got] = '\0';
	close(fd);
}

static int audit_rows(int64_t id, struct journal_audit **ret, size_t *n)
{
	char db[4200], err[256];
	struct journal *j;
	int rc;

	pathf(db, sizeof(db), "st/faults.db");
	cr_assert_eq(journal_open_ro(db, &j, err, sizeof(err)), 0, "%s", err);
	rc = journal_audit_list(j, id, ret, n, err, sizeof(err));
	journal_close(j);
	cr_assert_eq(rc, 0, "%s", err);
	return 0;
}

/* The whole API story on one daemon. */
Test(web, api_needs_login_roles_csrf_and_records_who_acked_and_closed)
{
	char users[4200], out[65536], cmd[8192], path[256];
	int snmp_port = agent_free_udp_port();
	int dead1 = agent_free_udp_port(), dead2 = agent_free_udp_port();
	struct login op, vw, op2;
	struct resp r;
	struct journal_audit *au = NULL;
	size_t nau = 0;
	int64_t f1, f2;
	struct passwd *pw = getpwuid(getuid());
	char *big;

	web_port = free_tcp_port();
	cr_assert_eq(agent_snmpd_start(&agent, snmp_port, "public", NULL, NULL,
				       NULL),
		     0);
	write_setup(snmp_port, dead1, dead2, "");
	pathf(users, sizeof(users), "users");
	cr_assert_eq(user_add(users, "alice", "operator", "alice-secret-1"), 0);
	cr_assert_eq(user_add(users, "victor", "viewer", "victor-secret-1"), 0);
	start_daemon();

	/* nothing without a login; the console's page and /metrics are
	 * public */
	cr_assert_eq(get("/api/v1/overview", NULL, &r), 401);
	cr_assert_str_eq(err_code(&r), "unauthorized");
	resp_free(&r);
	cr_assert_eq(get("/api/v1/session", NULL, &r), 401);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/overview", "00112233", &r), 401);
	resp_free(&r);
	cr_assert_eq(get("/", NULL, &r), 200);
	cr_assert_not_null(strstr(r.hdr, "text/html"), "%s", r.hdr);
	cr_assert_not_null(strstr(r.body, "<title>slamon"), "%s", r.body);
	resp_free(&r);
	cr_assert_eq(get("/static/app.css", NULL, &r), 200);
	cr_assert_not_null(strstr(r.hdr, "text/css"), "%s", r.hdr);
	resp_free(&r);
	cr_assert_eq(get("/static/missing.js", NULL, &r), 404);
	resp_free(&r);
	cr_assert_eq(get("/static/vendor/chart.js", NULL, &r), 200,
		     "Chart.js from libjs-chart.js");
	resp_free(&r);
	cr_assert_eq(post("/api/v1/login", NULL, NULL,
			  "{\"user\":\"alice\",\"password\":\"wrong-pass\"}",
			  &r),
		     401);
	cr_assert_str_eq(err_code(&r), "bad_credentials");
	resp_free(&r);
	cr_assert_eq(post("/api/v1/login", NULL, NULL,
			  "{\"user\":\"nobody\",\"password\":\"x-x-x-x-x\"}",
			  &r),
		     401);
	resp_free(&r);

	login("alice", "alice-secret-1", &op);
	login("victor", "victor-secret-1", &vw);
	cr_assert_eq(get("/api/v1/session", op.cookie, &r), 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "role")),
			 "operator");
	resp_free(&r);

	/* live views */
	cr_assert_eq(get("/api/v1/health", vw.cookie, &r), 200);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "devices")), 3);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/topology", vw.cookie, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "nodes")), 3);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/devices?tag=school", vw.cookie, &r), 200);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "total")), 1);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/devices/no-such-device", vw.cookie, &r),
		     404);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/devices?role=nonsense", vw.cookie, &r), 400);
	resp_free(&r);

	f1 = wait_fault(&op, "ap-1");
	f2 = wait_fault(&op, "ap-2");
	cr_assert_neq(f1, f2);
	cr_assert_eq(get("/api/v1/devices?state=down", vw.cookie, &r), 200);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "total")), 2,
		     "%s", r.body);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/overview", vw.cookie, &r), 200);
	cr_assert(json_integer_value(json_object_get(
			  json_object_get(json_object_get(r.json, "faults"),
					  "by_severity"),
			  "minor")) +
				  json_integer_value(json_object_get(
					  json_object_get(json_object_get(
								  r.json,
								  "faults"),
							  "by_severity"),
					  "major")) +
				  json_integer_value(json_object_get(
					  json_object_get(json_object_get(
								  r.json,
								  "faults"),
							  "by_severity"),
					  "critical")) +
				  json_integer_value(json_object_get(
					  json_object_get(json_object_get(
								  r.json,
								  "faults"),
							  "by_severity"),
					  "warning")) ==
			  2,
		  "%s", r.body);
	resp_free(&r);

	/* a viewer reads but may not acknowledge */
	snprintf(path, sizeof(path), "/api/v1/faults/%lld/ack",
		 (long long)f1);
	cr_assert_eq(post(path, vw.cookie, vw.csrf, "{\"note\":\"x\"}", &r),
		     403);
	cr_assert_str_eq(err_code(&r), "forbidden");
	resp_free(&r);
	/* CSRF: missing, wrong, another session's */
	cr_assert_eq(post(path, op.cookie, NULL, "{\"note\":\"x\"}", &r), 403);
	cr_assert_str_eq(err_code(&r), "csrf");
	resp_free(&r);
	cr_assert_eq(post(path, op.cookie, "0123456789abcdef0123456789abcdef",
			  "{\"note\":\"x\"}", &r),
		     403);
	cr_assert_str_eq(err_code(&r), "csrf");
	resp_free(&r);
	cr_assert_eq(post(path, op.cookie, vw.csrf, "{\"note\":\"x\"}", &r),
		     403);
	resp_free(&r);
	/* bad input */
	cr_assert_eq(post(path, op.cookie, op.csrf, "{\"note\": [1, 2", &r),
		     400);
	cr_assert_str_eq(err_code(&r), "bad_json");
	resp_free(&r);
	cr_assert_eq(post("/api/v1/faults/abc/ack", op.cookie, op.csrf, "{}",
			  &r),
		     400);
	resp_free(&r);
	cr_assert_eq(post("/api/v1/faults/999999/ack", op.cookie, op.csrf,
			  "{}", &r),
		     404);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/faults/999999", op.cookie, &r), 404);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/nothing-here", op.cookie, &r), 404);
	resp_free(&r);
	cr_assert_eq(http("DELETE", "/api/v1/faults", op.cookie, op.csrf, NULL,
			  0, &r),
		     405);
	resp_free(&r);
	big = malloc(200000);
	cr_assert_not_null(big);
	memset(big, 'a', 200000);
	cr_assert_eq(http("POST", path, op.cookie, op.csrf, big, 200000, &r),
		     413);
	resp_free(&r);
	free(big);

	/* the operator acknowledges through the API */
	cr_assert_eq(post(path, op.cookie, op.csrf,
			  "{\"note\":\"技术员已出发\"}", &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "state")),
			 "acked");
	cr_assert_str_eq(json_string_value(
				 json_object_get(r.json, "acked_by")),
			 "alice");
	resp_free(&r);
	cr_assert_eq(post(path, op.cookie, op.csrf, "{\"note\":\"x\"}", &r),
		     409);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/faults/%lld/close",
		 (long long)f1);
	cr_assert_eq(post(path, op.cookie, op.csrf,
			  "{\"note\":\"换了光模块\",\"satisfaction\":\"很好\"}",
			  &r),
		     400);
	resp_free(&r);
	cr_assert_eq(post(path, op.cookie, op.csrf,
			  "{\"note\":\"换了光模块\",\"satisfaction\":\"满意\"}",
			  &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "state")),
			 "closed");
	cr_assert_str_eq(json_string_value(
				 json_object_get(r.json, "closed_by")),
			 "alice");
	cr_assert_str_eq(json_string_value(
				 json_object_get(r.json, "satisfaction")),
			 "满意");
	resp_free(&r);
	cr_assert_eq(post(path, op.cookie, op.csrf,
			  "{\"note\":\"again\",\"satisfaction\":\"满意\"}", &r),
		     409);
	resp_free(&r);

	/* the journal's audit rows name the web user */
	audit_rows(f1, &au, &nau);
	cr_assert_eq(nau, 2);
	cr_assert_str_eq(au[0].action, "ack");
	cr_assert_str_eq(au[0].who, "alice");
	cr_assert_str_eq(au[0].via, "web");
	cr_assert_str_eq(au[0].note, "技术员已出发");
	cr_assert_str_eq(au[1].action, "close");
	cr_assert_str_eq(au[1].who, "alice");
	cr_assert_str_eq(au[1].via, "web");
	free(au);
	/* the fault's history shows them */
	snprintf(path, sizeof(path), "/api/v1/faults/%lld", (long long)f1);
	cr_assert_eq(get(path, vw.cookie, &r), 200);
	{
		/* times also as text in [general] timezone (Asia/Shanghai,
		 * UTC+8) */
		double t = json_number_value(json_object_get(r.json, "opened"));
		time_t lt = (time_t)t + 8 * 3600;
		struct tm tm;
		char want[32];

		gmtime_r(&lt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%d %H:%M:%S", &tm);
		cr_assert_str_eq(json_string_value(json_object_get(
					 r.json, "opened_text")),
				 want);
	}
	{
		json_t *h = json_object_get(r.json, "history"), *e;
		size_t i;
		int ack = 0, closed = 0;

		json_array_foreach(h, i, e) {
			const char *a = json_string_value(
				json_object_get(e, "action"));
			const char *w = json_string_value(
				json_object_get(e, "who"));

			ack += strcmp(a, "ack") == 0 && strcmp(w, "alice") == 0;
			closed += strcmp(a, "close") == 0 &&
				  strcmp(w, "alice") == 0;
		}
		cr_assert(ack == 1 && closed == 1, "%s", r.body);
	}
	resp_free(&r);

	/* the CLI records the Unix user in the same trail */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' ack %lld -c slamon.conf --by 值班员 "
		 "--note 电话确认 && '%s' faults -c slamon.conf --id %lld",
		 tmp, SLAMON, (long long)f2, SLAMON, (long long)f2);
	cr_assert_eq(sh(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert_not_null(strstr(out, pw->pw_name), "%s", out);
	audit_rows(f2, &au, &nau);
	cr_assert_eq(nau, 1);
	cr_assert_str_eq(au[0].who, pw->pw_name);
	cr_assert_str_eq(au[0].via, "cli");
	free(au);
	snprintf(path, sizeof(path), "/api/v1/faults/%lld", (long long)f2);
	cr_assert_eq(get(path, vw.cookie, &r), 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "state")),
			 "acked");
	resp_free(&r);

	/* SLA, evidence, series, reports (read off the loop) */
	cr_assert_eq(get("/api/v1/sla", vw.cookie, &r), 200, "%s", r.body);
	cr_assert(json_array_size(json_object_get(r.json, "indicators")) >= 10,
		  "%s", r.body);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/sla?period=2026-13", vw.cookie, &r), 400);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/sla/unit_connectivity/evidence", vw.cookie,
			 &r),
		     200, "%s", r.body);
	/* its scope: the two access points, each with its outage interval
	 * (the state change the alerts engine recorded) */
	cr_assert_eq(json_array_size(json_object_get(r.json, "devices")), 2,
		     "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(
							json_array_get(
								json_object_get(
									r.json,
									"devices"),
								0),
							"intervals"),
						0),
				 "state")),
			 "down");
	/* each device's value is its up share in %, a number; the outage
	 * still going on ends now, not at the end of the month */
	for (size_t i = 0;
	     i < json_array_size(json_object_get(r.json, "devices")); i++) {
		json_t *dv = json_array_get(json_object_get(r.json, "devices"),
					    i);
		json_t *ivs = json_object_get(dv, "intervals");
		double now = (double)time(NULL);

		cr_assert(json_is_number(json_object_get(dv, "value")), "%s",
			  r.body);
		cr_assert(json_number_value(json_object_get(dv, "value")) >= 0 &&
				  json_number_value(json_object_get(dv, "value")) <
					  100,
			  "%s", r.body);
		cr_assert_str_eq(json_string_value(json_object_get(dv, "basis")),
				 "up_pct");
		cr_assert(json_array_size(ivs) > 0, "%s", r.body);
		for (size_t k = 0; k < json_array_size(ivs); k++) {
			json_t *iv = json_array_get(ivs, k);

			cr_assert(json_number_value(json_object_get(iv, "to")) <=
					  now + 1,
				  "%s", r.body);
			cr_assert(json_number_value(json_object_get(iv, "to")) >
					  json_number_value(
						  json_object_get(iv, "from")),
				  "%s", r.body);
		}
	}
	cr_assert(json_array_size(json_object_get(r.json, "faults")) >= 2,
		  "%s", r.body);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/sla/no_such_indicator/evidence", vw.cookie,
			 &r),
		     404);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/series?device=core-1", vw.cookie, &r), 200,
		     "%s", r.body);
	cr_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(r.json, "columns"), 0)),
			 "loss");
	cr_assert(json_array_size(json_object_get(r.json, "rows")) > 0);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/series?device=nope", vw.cookie, &r), 404);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/series?device=core-1&from=x", vw.cookie, &r),
		     400);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/reports", vw.cookie, &r), 200, "%s", r.body);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/reports/2026-11/nothing.html", vw.cookie, &r),
		     404);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/reports/2026-11/a%2fb", vw.cookie, &r), 400);
	resp_free(&r);
	cr_assert_eq(post("/api/v1/reports", op.cookie, op.csrf,
			  "{\"month\":\"2026-11\"}", &r),
		     403, "an operator may not generate reports");
	resp_free(&r);

	/* an admin generates a month's report: 202, generated off the loop,
	 * listed, downloadable, and the audit trail names the admin */
	{
		struct login ad;
		double t0 = wall_now();
		int generating = 1;

		cr_assert_eq(user_add(users, "boss", "admin", "boss-secret-1"),
			     0);
		login("boss", "boss-secret-1", &ad);
		cr_assert_eq(post("/api/v1/reports", ad.cookie, ad.csrf,
				  "{\"month\":\"2026-11\"}", &r),
			     202, "%s", r.body);
		resp_free(&r);
		while (generating) {
			cr_assert(wall_now() - t0 < 120, "report not done");
			usleep(300000);
			cr_assert_eq(get("/api/v1/reports", ad.cookie, &r),
				     200);
			generating = json_is_true(
				json_object_get(r.json, "generating"));
			if (!generating) {
				json_t *it = json_array_get(
					json_object_get(r.json, "items"), 0);

				cr_assert_str_eq(json_string_value(
							 json_object_get(
								 it, "month")),
						 "2026-11", "%s", r.body);
				cr_assert(json_array_size(json_object_get(
						  it, "files")) >= 5,
					  "%s", r.body);
			}
			resp_free(&r);
		}
		cr_assert_eq(get("/api/v1/reports/2026-11/slamon-2026-11.html",
				 vw.cookie, &r),
			     200);
		cr_assert_not_null(strstr(r.hdr, "attachment; filename="),
				   "%s", r.hdr);
		resp_free(&r);
		audit_rows(0, &au, &nau);
		{
			int found = 0;

			for (size_t i = 0; i < nau; i++)
				found += strcmp(au[i].action, "report") == 0 &&
					 strcmp(au[i].who, "boss") == 0 &&
					 strcmp(au[i].via, "web") == 0 &&
					 strcmp(au[i].object, "2026-11") == 0;
			cr_assert_eq(found, 1);
		}
		free(au);
	}

	/* paths that climb out of the console's folder are refused */
	cr_assert_eq(get("/static/../../../../etc/passwd", NULL, &r), 400);
	cr_assert_str_eq(err_code(&r), "bad_path");
	resp_free(&r);
	cr_assert_eq(get("/static/%2e%2e/%2e%2e/etc/passwd", NULL, &r), 400);
	resp_free(&r);
	cr_assert_eq(get("/../slamon.conf", NULL, &r), 400);
	resp_free(&r);
	/* malformed requests, a header past h2o's limit */
	raw("GARBAGE\r\n\r\n", 11, out, sizeof(out));
	cr_assert(strncmp(out, "HTTP/1.1 400", 12) == 0, "%s", out);
	big = malloc(600000);
	cr_assert_not_null(big);
	memset(big, 'a', 600000);
	memcpy(big, "GET / HTTP/1.1\r\nX-Big: ", 23);
	raw(big, 600000, out, sizeof(out));
	cr_assert(out[0] == '\0' || strncmp(out, "HTTP/1.1 4", 10) == 0, "%s",
		  out);
	free(big);
	/* a client that never finishes its request does not hold others */
	{
		struct sockaddr_in sa = { .sin_family = AF_INET };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		double t0;

		sa.sin_port = htons((uint16_t)web_port);
		sa.sin_addr.s_addr = htonl(0x7f000001);
		cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		cr_assert(send(fd, "GET /api/v1/health HTTP/1.1\r\nHo", 32,
			       MSG_NOSIGNAL) == 32);
		t0 = wall_now();
		cr_assert_eq(get("/api/v1/health", op.cookie, &r), 200);
		resp_free(&r);
		cr_assert(wall_now() - t0 < 2, "health took %.1f s",
			  wall_now() - t0);
		close(fd);
	}
	assert_alive();
	/* the bad requests were logged */
	{
		char log[4200];
		char *text;

		pathf(log, sizeof(log), "slamond.log");
		text = file_slurp(log);
		cr_assert_not_null(text);
		cr_assert_not_null(strstr(text, "400 bad_path"), "%s", text);
		cr_assert_not_null(strstr(text, "403 csrf"), "%s", text);
		cr_assert_not_null(strstr(text, "403 forbidden"), "%s", text);
		free(text);
	}

	/* /metrics is a valid exposition */
	{
		char mf[4200];
		FILE *f;

		cr_assert_eq(get("/metrics", NULL, &r), 200);
		cr_assert_not_null(strstr(r.body, "slamon_device_up{device="
						  "\"ap-1\",role=\"access\"} 0"),
				   "%s", r.body);
		cr_assert_not_null(strstr(r.body, "slamon_faults_open{"),
				   "%s", r.body);
		pathf(mf, sizeof(mf), "metrics.txt");
		f = fopen(mf, "w");
		cr_assert_not_null(f);
		fwrite(r.body, 1, r.n, f);
		fclose(f);
		resp_free(&r);
		if (access("/usr/bin/promtool", X_OK) == 0) {
			snprintf(cmd, sizeof(cmd),
				 "/usr/bin/promtool check metrics < '%s'", mf);
			cr_assert_eq(sh(cmd, out, sizeof(out)), 0, "%s", out);
		} else {
			cr_log_warn("promtool missing: the exposition was "
				    "not linted");
		}
	}

	/* the login rate limit: five failures for a user, then 429 even
	 * with the right password */
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(post("/api/v1/login", NULL, NULL,
				  "{\"user\":\"victor\",\"password\":\"nope-"
				  "nope\"}",
				  &r),
			     401);
		resp_free(&r);
	}
	cr_assert_eq(post("/api/v1/login", NULL, NULL,
			  "{\"user\":\"victor\",\"password\":\"victor-secret-"
			  "1\"}",
			  &r),
		     429);
	resp_free(&r);

	/* logout ends the session (and needs its CSRF token) */
	login("alice", "alice-secret-1", &op2);
	cr_assert_eq(post("/api/v1/logout", op.cookie, NULL, NULL, &r), 403);
	resp_free(&r);
	cr_assert_eq(post("/api/v1/logout", op.cookie, op.csrf, NULL, &r), 204);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/session", op.cookie, &r), 401);
	resp_free(&r);
	cr_assert_eq(get("/api/v1/session", op2.cookie, &r), 200);
	resp_free(&r);

	/* a user added while slamond runs can log in at once (the file is
	 * read again when it changed); one deleted loses their session on
	 * SIGHUP */
	{
		struct login ca;
		char del[8192], o2[1024];

		cr_assert_eq(user_add(users, "carol", "viewer",
				      "carol-secret-1"),
			     0);
		login("carol", "carol-secret-1", &ca);
		snprintf(del, sizeof(del), "'%s' user del carol --users '%s'",
			 SLAMON, users);
		cr_assert_eq(sh(del, o2, sizeof(o2)), 0, "%s", o2);
		kill(daemon_pid, SIGHUP);
		for (double t0 = wall_now();; usleep(200000)) {
			long code = get("/api/v1/session", ca.cookie, &r);

			resp_free(&r);
			if (code == 401)
				break;
			cr_assert(wall_now() - t0 < 10, "carol's session "
						     "outlived her deletion");
		}
		cr_assert_eq(post("/api/v1/login", NULL, NULL,
				  "{\"user\":\"carol\",\"password\":"
				  "\"carol-secret-1\"}",
				  &r),
			     401);
		resp_free(&r);
	}

	/* SIGTERM stops it promptly with a keep-alive client connected */
	kill(daemon_pid, SIGTERM);
	cr_assert_eq(slamond_wait_exit(daemon_pid, 15), 0);
	daemon_pid = 0;
}

Test(web, user_command_adds_lists_changes_and_deletes_users)
{
	char users[4200], cmd[16384], out[4096];
	struct web_user *u = NULL;
	size_t n = 0;
	char err[256], before[WEB_HASH_MAX];
	struct stat st;

	pathf(users, sizeof(users), "users");
	cr_assert_eq(user_add(users, "alice", "operator", "alice-secret-1"), 0);
	cr_assert_eq(user_add(users, "root-admin", "admin", "admin-secret-1"),
		     0);
	cr_assert_eq(stat(users, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640, "mode %o", st.st_mode & 0777);
	/* refused: a second alice, a bad role, a short password, a bad
	 * name */
	cr_assert_eq(user_add(users, "alice", "operator", "alice-secret-2"), 1);
	cr_assert_eq(user_add(users, "bob", "superuser", "bob-secret-1"), 2);
	cr_assert_eq(user_add(users, "bob", "viewer", "short"), 2);
	cr_assert_eq(user_add(users, "bad:name", "viewer", "bob-secret-1"), 2);
	snprintf(cmd, sizeof(cmd), "'%s' user list --users '%s'", SLAMON,
		 users);
	cr_assert_eq(sh(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert_not_null(strstr(out, "alice"), "%s", out);
	cr_assert_not_null(strstr(out, "operator"), "%s", out);
	cr_assert_not_null(strstr(out, "root-admin"), "%s", out);
	cr_assert_null(strstr(out, "bob"), "%s", out);
	cr_assert_null(strstr(out, "argon2"), "%s", out);

	/* hashes are argon2id and check the password */
	cr_assert_eq(web_users_load(users, &u, &n, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(n, 2);
	cr_assert_eq(strncmp(u[0].hash, "$argon2id$", 10), 0);
	cr_assert(web_password_verify(u[0].hash, "alice-secret-1"));
	cr_assert_not(web_password_verify(u[0].hash, "alice-secret-2"));
	snprintf(before, sizeof(before), "%s", u[0].hash);
	free(u);

	/* passwd: a new password (and role) */
	snprintf(cmd, sizeof(cmd),
		 "echo 'alice-secret-3' | '%s' user passwd alice --role admin "
		 "--password-stdin --users '%s'",
		 SLAMON, users);
	cr_assert_eq(sh(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert_eq(web_users_load(users, &u, &n, err, sizeof(err)), 0);
	cr_assert_str_neq(u[0].hash, before);
	cr_assert(web_password_verify(u[0].hash, "alice-secret-3"));
	cr_assert_not(web_password_verify(u[0].hash, "alice-secret-1"));
	cr_assert_eq(u[0].role, ROLE_ADMIN);
	free(u);
	snprintf(cmd, sizeof(cmd),
		 "echo 'xxxxxxxxxx' | '%s' user passwd nobody "
		 "--password-stdin --users '%s'",
		 SLAMON, users);
	cr_assert_eq(sh(cmd, out, sizeof(out)), 1, "%s", out);

	/* del */
	snprintf(cmd, sizeof(cmd), "'%s' user del alice --users '%s' && '%s' "
				   "user list --json --users '%s'",
		 SLAMON, users, SLAMON, users);
	cr_assert_eq(sh(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert_null(strstr(out, "\"alice\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"root-admin\""), "%s", out);
	snprintf(cmd, sizeof(cmd), "'%s' user del alice --users '%s'", SLAMON,
		 users);
	cr_assert_eq(sh(cmd, out, sizeof(out)), 1, "%s", out);
	/* a damaged file is named with its line */
	cr_assert_eq(write_file(users, "# users\nalice:operator:plaintext\n"),
		     0);
	snprintf(cmd, sizeof(cmd), "'%s' user list --users '%s'", SLAMON,
		 users);
	cr_assert_eq(sh(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert_not_null(strstr(out, "users:2: user alice: not an argon2id"),
			   "%s", out);
}

Test(web, a_port_in_use_stops_slamond_at_start_and_bad_listen_is_file_line)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char conf[4200], log[4200], cmd[8192], out[4096], want[128];
	const char *const extra[] = { "--duration", "30", NULL };
	int fd, st, line;
	char *text;

	web_port = free_tcp_port();
	write_setup(agent_free_udp_port(), agent_free_udp_port(),
		    agent_free_udp_port(), "");
	sa.sin_port = htons((uint16_t)web_port);
	sa.sin_addr.s_addr = htonl(0x7f000001);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(log, sizeof(log), "slamond.log");
	daemon_pid = slamond_spawn(conf, log, extra);
	cr_assert(daemon_pid > 0);
	st = slamond_wait_exit(daemon_pid, 20);
	daemon_pid = 0;
	close(fd);
	cr_assert_eq(st, 2, "exit status %d", st);
	text = file_slurp(log);
	snprintf(want, sizeof(want), "[web] listen 127.0.0.1:%d: address "
				     "already in use",
		 web_port);
	cr_assert_not_null(strstr(text, want), "%s", text);
	free(text);

	/* a bad address is an error at its line */
	write_setup(1, 2, 3, "");
	text = file_slurp(conf);
	{
		char *p = strstr(text, "listen = ");
		char fixed[16384];

		cr_assert_not_null(p);
		line = 1;
		for (const char *q = text; q < p; q++)
			line += *q == '\n';
		snprintf(fixed, sizeof(fixed), "%.*slisten = 127.0.0.1:99999, "
					       "localhost:80%s",
			 (int)(p - text), text, strchr(p, '\n'));
		cr_assert_eq(write_file(conf, fixed), 0);
	}
	free(text);
	snprintf(cmd, sizeof(cmd), "'%s' check-config -c '%s'", SLAMON, conf);
	cr_assert_neq(sh(cmd, out, sizeof(out)), 0, "%s", out);
	snprintf(want, sizeof(want), "slamon.conf:%d: key 'listen' in [web]: "
				     "'127.0.0.1:99999': port must be 1..65535",
		 line);
	cr_assert_not_null(strstr(out, want), "%s", out);
	snprintf(want, sizeof(want), "slamon.conf:%d: key 'listen' in [web]: "
				     "'localhost:80': not an IPv4 address",
		 line);
	cr_assert_not_null(strstr(out, want), "%s", out);
}

/* Under TLS the session cookie is Secure too; plain HTTP gets nothing. */
Test(web, tls_serves_https_with_a_secure_cookie)
{
	char cmd[8192], out[4096], users[4200];
	struct resp r;
	const char *c;

	web_port = free_tcp_port();
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes "
		 "-keyout key.pem -out cert.pem -days 2 -subj /CN=localhost",
		 tmp);
	if (sh(cmd, out, sizeof(out)) != 0)
		cr_skip_test("openssl cannot make a certificate: %s", out);
	write_setup(agent_free_udp_port(), agent_free_udp_port(),
		    agent_free_udp_port(),
		    "tls_cert = cert.pem\ntls_key = key.pem\n");
	pathf(users, sizeof(users), "users");
	cr_assert_eq(user_add(users, "alice", "operator", "alice-secret-1"), 0);
	web_scheme = "https";
	start_daemon();
	cr_assert_eq(post("/api/v1/login", NULL, NULL,
			  "{\"user\":\"alice\",\"password\":\"alice-secret-"
			  "1\"}",
			  &r),
		     200);
	c = strstr(r.hdr, "slamon_session=");
	cr_assert_not_null(c, "%s", r.hdr);
	cr_assert_not_null(strstr(c, "; Secure"), "%s", r.hdr);
	resp_free(&r);
	web_scheme = "http";
	{
		CURL *h = curl_easy_init();
		char url[128];

		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", web_port);
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		cr_assert_neq(curl_easy_perform(h), CURLE_OK,
			      "plain HTTP answered on the TLS port");
		curl_easy_cleanup(h);
	}
	kill(daemon_pid, SIGTERM);
	cr_assert_eq(slamond_wait_exit(daemon_pid, 15), 0);
	daemon_pid = 0;
}
