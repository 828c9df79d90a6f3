/*
 * test_services.c - the service probe (issue 13, "Services") against
 * servers the test starts on 127.0.0.1 (tests/helpers/svc_servers.py):
 * HTTPS with a certificate that expires in 10 days, a page answering 500,
 * a server that accepts and never answers, a redirect loop, a TCP port
 * that refuses, a DNS responder; then slamond end to end: states,
 * reasons and faults in status.json, `slamon status`, the journal and
 * `slamon sla`.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "agents.h"
#include "core/config.h"
#include "modules/modules.h"
#include "probes/service.h"
#include "slamond_run.h"
#include "storage/journal.h"
#include "storage/rrdstore.h"
#include "svc_servers.h"

static char dir[4096];
static struct svc_servers srv;
static int closed_fd = -1, closed_port;
static struct diag d;
static struct config *cfg;

static void setup(void)
{
	cr_assert_eq(modules_register(), 0);
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-svc-"), 0);
	cr_assert_eq(svc_servers_start(&srv, dir), 0,
		     "the test's servers did not start");
	closed_port = svc_closed_tcp_port(&closed_fd);
	cr_assert_gt(closed_port, 0);
	memset(&d, 0, sizeof(d));
	cfg = NULL;
}

static void teardown(void)
{
	config_destroy(cfg);
	diag_destroy(&d);
	svc_servers_stop(&srv);
	if (closed_fd >= 0)
		close(closed_fd);
	closed_fd = -1;
	tmpdir_remove(dir);
}

TestSuite(services, .init = setup, .fini = teardown, .timeout = 120);

/* Loads "[general]... + text" with an empty inventory. */
static void load(const char *text)
{
	char p[4200], conf[16384];

	snprintf(p, sizeof(p), "%s/inv.csv", dir);
	cr_assert_eq(write_file(p, "unit,name,address,role,parent,profile,"
				   "interfaces,capacity_mbps,tags\n"),
		     0);
	snprintf(conf, sizeof(conf),
		 "[general]\ninventory = inv.csv\nstorage_dir = data\n"
		 "[profile p]\nversion = 2c\ncommunity = public\n%s",
		 text);
	snprintf(p, sizeof(p), "%s/c.conf", dir);
	cr_assert_eq(write_file(p, conf), 0);
	if (config_load(p, &cfg, &d) != 0) {
		for (size_t i = 0; i < d.n; i++)
			cr_log_error("%s", d.msgs[i]);
		cr_assert_fail("config refused");
	}
}

/* ---- the probe on a loop of the test's own --------------------------- */

struct run {
	uv_loop_t loop;
	uv_timer_t ticker, limit;
	struct svc_probe *p;
	struct svc_result res[16];
	int got[16];
	size_t n, ndone;
	unsigned ticks;
	uint64_t tick_gap_max, last_tick;
};

static void on_result(void *arg, const struct svc_result *r)
{
	struct run *rn = arg;

	cr_assert_lt(r->svc, rn->n);
	cr_assert_eq(rn->got[r->svc], 0, "two results for one check");
	rn->res[r->svc] = *r;
	rn->got[r->svc] = 1;
	if (++rn->ndone == rn->n)
		uv_stop(&rn->loop);
}

static void on_ticker(uv_timer_t *h)
{
	struct run *rn = h->data;
	uint64_t now = uv_now(&rn->loop);

	if (rn->ticks++ > 0 && now - rn->last_tick > rn->tick_gap_max)
		rn->tick_gap_max = now - rn->last_tick;
	rn->last_tick = now;
}

static void on_limit(uv_timer_t *h)
{
	uv_stop(h->loop);
}

static void closed_cb(void *arg)
{
	*(int *)arg = 1;
}

/* Checks every service of cfg once, all at the same time. */
static void check_all(struct run *rn)
{
	char err[256];
	size_t n;
	const struct service_cfg *sc = service_configs(cfg, &n);
	int closed = 0;

	memset(rn, 0, sizeof(*rn));
	rn->n = n;
	cr_assert_eq(uv_loop_init(&rn->loop), 0);
	cr_assert_eq(svc_probe_create(&rn->loop, sc, n, on_result, rn, &rn->p,
				      err, sizeof(err)),
		     0, "%s", err);
	uv_timer_init(&rn->loop, &rn->ticker);
	rn->ticker.data = rn;
	uv_timer_start(&rn->ticker, on_ticker, 50, 50);
	uv_timer_init(&rn->loop, &rn->limit);
	uv_timer_start(&rn->limit, on_limit, 30000, 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(svc_probe_check(rn->p, i), 0);
	cr_assert_eq(svc_probe_check(rn->p, 0), -EBUSY);
	uv_run(&rn->loop, UV_RUN_DEFAULT);
	cr_assert_eq(rn->ndone, n, "%zu of %zu checks ended", rn->ndone, n);
	svc_probe_close(rn->p, closed_cb, &closed);
	uv_close((uv_handle_t *)&rn->ticker, NULL);
	uv_close((uv_handle_t *)&rn->limit, NULL);
	uv_run(&rn->loop, UV_RUN_DEFAULT);
	cr_assert_eq(closed, 1);
	cr_assert_eq(uv_loop_close(&rn->loop), 0);
}

#define HTTPS(name, path, extra)                                              \
	"[service " name "]\ntype = https\nurl = https://127.0.0.1:%d" path  \
	"\nca_file = cert.pem\ninterval = 60\ntimeout = 5\n" extra

Test(services, https_http_tcp_and_dns_checks_give_states_and_reasons)
{
	char text[8192];
	struct run rn;
	const struct svc_result *r = rn.res;

	snprintf(text, sizeof(text),
		 HTTPS("app", "/ok", "match = mini-program OK\n")
		 HTTPS("err", "/500", "")
		 HTTPS("hang", "/ok", "") /* port: the silent one */
		 HTTPS("loop", "/loop", "max_redirects = 4\n")
		 HTTPS("nomatch", "/ok", "match = ^<html>[0-9]+\nmatch_regex = yes\n")
		 "[service noca]\ntype = https\nurl = https://127.0.0.1:%d/ok\n"
		 "timeout = 5\n"
		 "[service big]\ntype = http\nurl = http://127.0.0.1:%d/big\n"
		 "match = needle\ntimeout = 5\n"
		 "[service tcpok]\ntype = tcp\ntarget = 127.0.0.1:%d\n"
		 "[service tcpclosed]\ntype = tcp\ntarget = 127.0.0.1:%d\n"
		 "[service dnsok]\ntype = dns\nquery = app.slamon.test\n"
		 "server = 127.0.0.1:%d\nexpect = 127.0.0.9\ntimeout = 5\n"
		 "[service dnsnx]\ntype = dns\nquery = nosuch.slamon.test\n"
		 "server = 127.0.0.1:%d\ntimeout = 5\n"
		 "[service dnsexp]\ntype = dns\nquery = app.slamon.test\n"
		 "server = 127.0.0.1:%d\nexpect = 10.1.2.3\ntimeout = 5\n",
		 srv.https, srv.https, srv.hang, srv.https, srv.https, srv.https,
		 srv.http, srv.hang, closed_port, srv.dns, srv.dns, srv.dns);
	load(text);
	check_all(&rn);
	for (size_t i = 0; i < rn.n; i++)
		cr_log_info("%zu: ok %d fail %s: %s (%.1f ms)", i, r[i].ok,
			    svc_fail_name(r[i].fail), r[i].reason,
			    r[i].total_ms);

	/* 0 app: 200, matched, every phase timed, 10 days of certificate */
	cr_assert(r[0].ok, "%s", r[0].reason);
	cr_assert_eq(r[0].http_status, 200);
	cr_assert(!isnan(r[0].dns_ms) && !isnan(r[0].connect_ms) &&
		  !isnan(r[0].tls_ms) && !isnan(r[0].ttfb_ms));
	cr_assert_geq(r[0].total_ms, r[0].tls_ms);
	cr_assert(r[0].cert_days > 9.9 && r[0].cert_days <= 10.01,
		  "cert days %f", r[0].cert_days);
	cr_assert_neq(r[0].cert_expiry[0], '\0');
	/* 1 err: HTTP 500 */
	cr_assert_not(r[1].ok);
	cr_assert_eq(r[1].fail, SVCF_STATUS);
	cr_assert_str_eq(r[1].reason, "HTTP 500");
	/* 2 hang: accepted, never answered: a timeout in the handshake, and
	 * the loop kept turning meanwhile */
	cr_assert_eq(r[2].fail, SVCF_TIMEOUT, "%s", r[2].reason);
	cr_assert_str_eq(r[2].reason, "timeout after 5 s (TLS handshake)");
	/* a blocking wait would hold the loop for the whole 5 s timeout; a
	 * loaded CI box (load 15 on 2 cores) delays a 50 ms timer by a
	 * second at most */
	cr_assert_geq(rn.ticks, 5);
	cr_assert_lt(rn.tick_gap_max, 2500, "the loop stalled %llu ms",
		     (unsigned long long)rn.tick_gap_max);
	/* 3 loop */
	cr_assert_eq(r[3].fail, SVCF_REDIRECT);
	cr_assert_str_eq(r[3].reason, "redirect loop (more than 4 redirects)");
	/* 4 regex not found */
	cr_assert_eq(r[4].fail, SVCF_CONTENT);
	cr_assert(strstr(r[4].reason, "not found") != NULL);
	/* 5 self-signed, no CA given: verification fails */
	cr_assert_eq(r[5].fail, SVCF_TLS, "%s", r[5].reason);
	cr_assert(strncmp(r[5].reason, "TLS: certificate verify failed", 30) ==
		  0);
	/* 6 the body is read up to 64 KiB only: the needle at 1 MiB is not
	 * seen, and the check ends at once */
	cr_assert_eq(r[6].fail, SVCF_CONTENT, "%s", r[6].reason);
	cr_assert_eq(r[6].http_status, 200);
	cr_assert(strstr(r[6].reason, "65536 bytes") != NULL, "%s",
		  r[6].reason);
	/* 7, 8 tcp */
	cr_assert(r[7].ok, "%s", r[7].reason);
	cr_assert_eq(r[8].fail, SVCF_CONNECT);
	cr_assert_str_eq(r[8].reason, "TCP: connection refused");
	/* 9..11 dns */
	cr_assert(r[9].ok, "%s", r[9].reason);
	cr_assert_eq(r[10].fail, SVCF_DNS);
	cr_assert_str_eq(r[10].reason, "DNS: name not found");
	cr_assert_eq(r[11].fail, SVCF_CONTENT);
	cr_assert_str_eq(r[11].reason,
			 "DNS: answer lacks 10.1.2.3 (got 127.0.0.9)");
}

Test(services, http_name_that_does_not_resolve_and_tls_verify_off)
{
	char text[4096];
	struct run rn;

	snprintf(text, sizeof(text),
		 "[service nx]\ntype = http\n"
		 "url = http://nosuch.invalid:%d/ok\ntimeout = 5\n"
		 "[service nover]\ntype = https\n"
		 "url = https://127.0.0.1:%d/ok\ntls_verify = no\n"
		 "[service dnsdead]\ntype = dns\nquery = app.slamon.test\n"
		 "server = 127.0.0.1:%d\ntimeout = 1\n",
		 srv.http, srv.https, srv.hang);
	load(text);
	check_all(&rn);
	cr_assert_eq(rn.res[0].fail, SVCF_DNS, "%s", rn.res[0].reason);
	cr_assert(strncmp(rn.res[0].reason, "DNS: name not found", 19) == 0);
	/* without verification the certificate is still read */
	cr_assert(rn.res[1].ok, "%s", rn.res[1].reason);
	cr_assert(rn.res[1].cert_days > 9.9);
	/* nothing answers UDP on a TCP port: a timeout, not a hang */
	cr_assert_eq(rn.res[2].fail, SVCF_TIMEOUT, "%s", rn.res[2].reason);
	cr_assert(rn.res[2].total_ms < 3000, "%f ms", rn.res[2].total_ms);
}

/* ---- slamond end to end ---------------------------------------------- */

/* The services array of dir/data/status.json, or NULL. */
static json_t *status_services(json_t **ret_root)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/data/status.json", dir);
	*ret_root = json_load_file(p, 0, NULL);
	return json_object_get(*ret_root, "services");
}

static const json_t *svc_get(const json_t *a, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach((json_t *)(uintptr_t)a, i, v)
		if (strcmp(json_string_value(json_object_get(v, "name")),
			   name) == 0)
			return v;
	return NULL;
}

static int is_state(const json_t *a, const char *name, const char *state)
{
	const json_t *v = svc_get(a, name);

	return v != NULL && strcmp(json_string_value(json_object_get(
					   v, "state")),
				   state) == 0;
}

Test(services, slamond_states_faults_status_journal_and_sla)
{
	char text[8192], conf[4200], log[4200], jp[4200], out[16384];
	const char *extra[] = { "--duration", "90", NULL };
	json_t *root = NULL, *a = NULL;
	struct journal *j;
	struct fault_query q = { .filter = JQ_ACTIVE };
	struct fault *fs;
	size_t n;
	int ok = 0, kinds = 0;
	pid_t pid;

	snprintf(text, sizeof(text),
		 "[alerts]\nping = no\n"
		 "[service miniprogram]\ntype = https\n"
		 "url = https://127.0.0.1:%d/ok\nca_file = cert.pem\n"
		 "interval = 5\ntimeout = 5\ndown_after = 2\n"
		 "name = 对外服务微信小程序\n"
		 "[service portal]\ntype = http\n"
		 "url = http://127.0.0.1:%d/500\ninterval = 5\ntimeout = 5\n"
		 "down_after = 2\n"
		 "[service video]\ntype = https\n"
		 "url = https://127.0.0.1:%d/\ninterval = 2\ntimeout = 1\n"
		 "down_after = 2\n"
		 "[service sms]\ntype = tcp\ntarget = 127.0.0.1:%d\n"
		 "interval = 1\ntimeout = 1\ndown_after = 2\n"
		 "[indicator sms_availability]\nname = 短信平台可用率\n"
		 "metric = service_availability\nscope = service:sms\n"
		 "comparator = >=\ntarget = 99\nunit = %%\n",
		 srv.https, srv.http, srv.hang, closed_port);
	load(text); /* the configuration is valid */
	snprintf(conf, sizeof(conf), "%s/c.conf", dir);
	snprintf(log, sizeof(log), "%s/slamond.log", dir);
	pid = slamond_spawn(conf, log, extra);
	cr_assert_gt(pid, 0);
	/* checks every 1-5 s, status snapshots every 5 s: the states within
	 * 20 s, 60 s on a loaded box */
	for (int i = 0; i < 600 && !ok; i++) {
		usleep(100 * 1000);
		json_decref(root);
		a = status_services(&root);
		ok = is_state(a, "miniprogram", "up") &&
		     is_state(a, "portal", "down") &&
		     is_state(a, "video", "down") &&
		     is_state(a, "sms", "down");
	}
	if (!ok) {
		char *l = file_slurp(log);

		cr_log_error("slamond log:\n%s", l ? l : "");
		free(l);
	}
	cr_assert(ok, "services never reached their states");
	cr_assert_str_eq(json_string_value(json_object_get(
				 svc_get(a, "portal"), "reason")),
			 "HTTP 500");
	cr_assert_str_eq(json_string_value(json_object_get(
				 svc_get(a, "video"), "reason")),
			 "timeout after 1 s (TLS handshake)");
	cr_assert_str_eq(json_string_value(json_object_get(
				 svc_get(a, "sms"), "reason")),
			 "TCP: connection refused");
	cr_assert_gt(json_integer_value(json_object_get(
			     json_object_get(svc_get(a, "miniprogram"),
					     "faults"),
			     "cert")),
		     0, "a certificate of 10 days is below cert_warn_days 14");
	json_decref(root);
	{
		char *argv[] = { SLAMON_PROGRAM, "status", "-c", conf, NULL };

		cr_assert_eq(run_cmd(argv, out, sizeof(out), 20), 0, "%s", out);
		cr_assert(strstr(out, "对外服务微信小程序") != NULL, "%s", out);
		cr_assert(strstr(out, "HTTP 500") != NULL, "%s", out);
	}
	{
		char *argv[] = { SLAMON_PROGRAM, "sla", "-c", conf, NULL };

		run_cmd(argv, out, sizeof(out), 30);
		cr_log_info("%s", out);
		cr_assert(strstr(out, "短信平台可用率") != NULL);
		cr_assert(strstr(out, "服务 sms：监测") != NULL, "%s", out);
	}
	cr_assert_eq(slamond_wait_exit((kill(pid, SIGTERM), pid), 15), 0);
	snprintf(jp, sizeof(jp), "%s/data/faults.db", dir);
	cr_assert_eq(journal_open(jp, &j, NULL, 0), 0);
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, NULL, 0), 0);
	for (size_t i = 0; i < n; i++) {
		cr_log_info("fault %s %s %s: %s", fs[i].object, fs[i].kind,
			    fs[i].severity, fs[i].detail);
		cr_assert_str_eq(fs[i].object_kind, "service");
		if (strcmp(fs[i].object, "portal") == 0) {
			kinds |= 1;
			cr_assert_str_eq(fs[i].detail, "HTTP 500");
		}
		if (strcmp(fs[i].object, "miniprogram") == 0 &&
		    strcmp(fs[i].kind, "cert") == 0)
			kinds |= 2;
		if (strcmp(fs[i].object, "miniprogram") == 0)
			cr_assert_str_neq(fs[i].kind, "down");
	}
	cr_assert_eq(kinds, 3);
	free(fs);
	journal_close(j);
	/* reach and latency in the device layout under the service's name */
	snprintf(jp, sizeof(jp), "%s/data", dir);
	cr_assert_eq(storage_path_dev(jp, "miniprogram", out, sizeof(out)),
		     0);
	cr_assert_eq(access(out, R_OK), 0, "no RRD file %s", out);
}

/* Counts rows of the journal: active faults of object (any kind) and
 * state rows of object. */
static void journal_counts(const char *object, size_t *ret_active,
			   size_t *ret_states, size_t *ret_all)
{
	char jp[4200];
	struct journal *j;
	struct fault_query q = { .filter = JQ_ACTIVE };
	struct fault_query qa = { .filter = JQ_ALL };
	struct fault *fs;
	struct journal_state *st;
	size_t n;

	snprintf(jp, sizeof(jp), "%s/data/faults.db", dir);
	cr_assert_eq(journal_open_ro(jp, &j, NULL, 0), 0);
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, NULL, 0), 0);
	*ret_active = 0;
	for (size_t i = 0; i < n; i++)
		*ret_active += strcmp(fs[i].object, object) == 0;
	free(fs);
	cr_assert_eq(journal_fault_list(j, &qa, &fs, &n, NULL, 0), 0);
	*ret_all = 0;
	for (size_t i = 0; i < n; i++)
		*ret_all += strcmp(fs[i].object, object) == 0;
	free(fs);
	cr_assert_eq(journal_state_list(j, object, 0, 4e9, &st, ret_states,
					NULL, 0),
		     0);
	free(st);
	journal_close(j);
}

static void write_portal_conf(const char *path, const char *page,
			      int down_after)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = data\n"
		 "[profile p]\nversion = 2c\ncommunity = public\n"
		 "[alerts]\nping = no\n"
		 "[service portal]\ntype = http\n"
		 "url = http://127.0.0.1:%d%s\ninterval = 2\ntimeout = 2\n"
		 "down_after = %d\n",
		 srv.http, page, down_after);
	cr_assert_eq(write_file(path, text), 0);
	if (getuid() == 0)
		cr_assert_eq(slamond_conf_stay_root(path), 0);
}

Test(services, reload_keeps_an_unchanged_service_and_restarts_a_changed_one)
{
	char conf[4200], log[4200];
	const char *extra[] = { "--duration", "90", NULL };
	size_t act, states, all, act2, states2, all2;
	json_t *root = NULL, *a;
	int ok = 0;
	pid_t pid;

	load(""); /* writes the inventory */
	snprintf(conf, sizeof(conf), "%s/c.conf", dir);
	snprintf(log, sizeof(log), "%s/slamond.log", dir);
	write_portal_conf(conf, "/500", 2);
	pid = slamond_spawn(conf, log, extra);
	cr_assert_gt(pid, 0);
	for (int i = 0; i < 600 && !ok; i++) {
		usleep(100 * 1000);
		json_decref(root);
		a = status_services(&root);
		ok = is_state(a, "portal", "down");
	}
	json_decref(root);
	root = NULL;
	if (!ok) {
		char *l = file_slurp(log);

		cr_log_error("slamond log:\n%s", l ? l : "");
		free(l);
	}
	cr_assert(ok, "portal never went down");
	journal_counts("portal", &act, &states, &all);
	cr_assert_eq(act, 1);
	/* a threshold only: the state and its fault are kept as they are */
	write_portal_conf(conf, "/500", 3);
	kill(pid, SIGHUP);
	sleep(4);
	journal_counts("portal", &act2, &states2, &all2);
	cr_assert_eq(all2, all, "no new fault after the reload");
	cr_assert_eq(act2, 1);
	cr_assert_eq(states2, states, "no state change recorded");
	/* another page: checked afresh, it answers, the fault resolves */
	write_portal_conf(conf, "/ok", 3);
	kill(pid, SIGHUP);
	ok = 0;
	for (int i = 0; i < 600 && !ok; i++) {
		usleep(100 * 1000);
		journal_counts("portal", &act2, &states2, &all2);
		ok = act2 == 0;
	}
	cr_assert(ok, "the fault of the changed service was not resolved");
	cr_assert_eq(all2, all, "still the one fault");
	cr_assert_eq(slamond_wait_exit((kill(pid, SIGTERM), pid), 15), 0);
}
