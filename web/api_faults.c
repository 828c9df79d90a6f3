/*
 * api_faults.c - the API's journal side: faults (lists, one, ack and
 * close with the web user recorded in the audit trail), the overview's
 * fault summary and a device's state and fault history. Every journal
 * call runs in a job on the threadpool, on the server's own connection
 * (ws->journal, one job at a time).
 * SPDX-License-Identifier: MIT
 */
#include "api.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sla/sla.h"

static void device_of(const char *object, char *out, size_t len)
{
	const char *slash = strchr(object, '/');
	size_t n = slash ? (size_t)(slash - object) : strlen(object);

	if (n >= len)
		n = len - 1;
	memcpy(out, object, n);
	out[n] = '\0';
}

static const char *fault_state(const struct fault *f)
{
	return f->closed_t > 0 ? "closed" : f->ack_t > 0 ? "acked" : "open";
}

static void summary_of(const struct fault *f, char *out, size_t len)
{
	if (f->detail[0] != '\0')
		snprintf(out, len, "%s %s: %s", f->object, f->kind, f->detail);
	else
		snprintf(out, len, "%s %s", f->object, f->kind);
}

static json_t *hist(double t, const char *action, const char *who,
		    const char *via, const char *note)
{
	return json_pack("{s:f, s:s, s:s, s:s, s:s}", "t", t, "action", action,
			 "who", who, "via", via, "note", note);
}

static int by_t(const void *a, const void *b)
{
	double x = json_real_value(json_object_get(*(json_t *const *)a, "t"));
	double y = json_real_value(json_object_get(*(json_t *const *)b, "t"));

	return x < y ? -1 : x > y;
}

/* opened, acknowledged, resolved, closed: from the fault row, with who
 * did it from the audit rows (web user or Unix user, and how); an ack or
 * close from before the audit trail shows what the row holds. */
static json_t *history(const struct fault *f, const struct journal_audit *a,
		       size_t na, char *closed_by, size_t cblen)
{
	json_t *h = json_array(), *v[64];
	size_t n = 0, k;
	int ack_seen = 0, close_seen = 0;

	closed_by[0] = '\0';
	v[n++] = hist(f->detect_t, "open", "slamond", "daemon", f->detail);
	for (size_t i = 0; i < na && n < 60; i++) {
		if (a[i].fault_id != f->id)
			continue;
		v[n++] = hist(a[i].t, a[i].action, a[i].who, a[i].via,
			      a[i].note);
		if (strcmp(a[i].action, "ack") == 0)
			ack_seen = 1;
		if (strcmp(a[i].action, "close") == 0) {
			close_seen = 1;
			snprintf(closed_by, cblen, "%s", a[i].who);
		}
	}
	if (f->ack_t > 0 && !ack_seen)
		v[n++] = hist(f->ack_t, "ack", f->ack_by, "", f->ack_note);
	if (f->resolved_t > 0)
		v[n++] = hist(f->resolved_t, "resolve", "slamond", "daemon",
			      "");
	if (f->closed_t > 0 && !close_seen)
		v[n++] = hist(f->closed_t, "close", "", "", f->close_note);
	qsort(v, n, sizeof(v[0]), by_t);
	for (k = 0; k < n; k++)
		json_array_append_new(h, v[k]);
	return h;
}

json_t *web__fault_json(const struct fault *f, const struct journal_audit *a,
			size_t na, double now)
{
	char dev[FAULT_OBJECT_MAX], sum[FAULT_OBJECT_MAX + FAULT_TEXT_MAX + 64];
	char closed_by[64];
	json_t *h = history(f, a, na, closed_by, sizeof(closed_by));
	double waited = (f->ack_t > 0 ? f->ack_t : now) - f->detect_t;

	device_of(f->object, dev, sizeof(dev));
	summary_of(f, sum, sizeof(sum));
	return json_pack(
		"{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:f, s:f, s:o, s:o, s:s,"
		" s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:f, s:b, s:I, s:o}",
		"id", (json_int_t)f->id, "device", dev, "object", f->object,
		"kind", f->kind, "severity", f->severity, "state",
		fault_state(f), "first_fail", web__time(f->first_fail_t),
		"opened", f->detect_t, "deadline", f->deadline_t, "acked",
		web__time(f->ack_t), "resolved", web__time(f->resolved_t),
		"acked_by", f->ack_by, "closed_by", closed_by, "closed",
		web__time(f->closed_t), "history", h, "note",
		f->closed_t > 0 ? f->close_note : f->ack_note, "ack_note",
		f->ack_note, "close_note", f->close_note, "satisfaction",
		f->satisfaction, "summary", sum, "waited_s", waited > 0 ? waited
									: 0,
		"overdue", f->ack_t == 0 && f->closed_t == 0 &&
				   now > f->deadline_t,
		"children", (json_int_t)f->nchildren, "parent_id",
		f->parent_id > 0 ? json_integer(f->parent_id) : json_null());
}

json_t *web__fault_list(struct web_job *j, const struct fault_query *q,
			const char *device)
{
	struct fault *f = NULL;
	struct journal_audit *a = NULL;
	size_t n = 0, na = 0;
	char err[256], dev[FAULT_OBJECT_MAX];
	json_t *items;

	if (journal_fault_list(j->ws->journal, q, &f, &n, err, sizeof(err)) <
		    0 ||
	    journal_audit_list(j->ws->journal, 0, &a, &na, err, sizeof(err)) <
		    0) {
		free(f);
		web__job_fail(j, 500, "journal", "%s", err);
		return NULL;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		device_of(f[i].object, dev, sizeof(dev));
		if (device != NULL && device[0] && strcmp(dev, device) != 0)
			continue;
		json_array_append_new(items,
				      web__fault_json(&f[i], a, na, j->now));
	}
	free(f);
	free(a);
	return items;
}

/* ---- overview ---------------------------------------------------------- */

static void overview_run(struct web_job *j)
{
	struct fault_query q = { .filter = JQ_OPEN };
	json_t *list, *open = json_array(), *v;
	size_t i;
	json_int_t sev[SEV_COUNT] = { 0 };

	pthread_mutex_lock(&j->ws->jmu);
	list = web__fault_list(j, &q, NULL);
	pthread_mutex_unlock(&j->ws->jmu);
	if (list == NULL) {
		json_decref(open);
		return;
	}
	json_array_foreach(list, i, v) {
		int s = severity_parse(
			json_string_value(json_object_get(v, "severity")));

		if (s >= 0)
			sev[s]++;
		json_array_append_new(
			open,
			json_pack("{s:O, s:O, s:O, s:O, s:b, s:O, s:O, s:O, "
				  "s:O, s:O}",
				  "id", json_object_get(v, "id"), "device",
				  json_object_get(v, "device"), "severity",
				  json_object_get(v, "severity"), "opened",
				  json_object_get(v, "opened"), "acked",
				  json_object_get(v, "acked") != NULL &&
					  !json_is_null(json_object_get(
						  v, "acked")),
				  "deadline", json_object_get(v, "deadline"),
				  "waited_s", json_object_get(v, "waited_s"),
				  "summary", json_object_get(v, "summary"),
				  "overdue", json_object_get(v, "overdue"),
				  "state", json_object_get(v, "state")));
	}
	json_decref(list);
	json_object_set_new(
		j->out, "faults",
		json_pack("{s:{s:I, s:I, s:I, s:I}, s:o}", "by_severity",
			  "critical", sev[SEV_CRITICAL], "major",
			  sev[SEV_MAJOR], "minor", sev[SEV_MINOR], "warning",
			  sev[SEV_WARNING], "open", open));
}

static void overview_done(struct web_job *j)
{
	struct web_server *ws = j->ws;
	size_t n = 0;
	char *body;

	if (j->code[0] != '\0') {
		web__error(j->req, j->status, j->code, "%s", j->msg);
		return;
	}
	json_object_set_new(j->out, "indicators",
			    ws->indicators ? json_incref(ws->indicators)
					   : json_array());
	body = web__json_dump(j->out, &n);
	if (body == NULL) {
		web__error(j->req, 500, "internal", "out of memory");
		return;
	}
	web__text(j->req, 200, "application/json; charset=utf-8", body, n);
	free(ws->ov_body);
	ws->ov_body = body;
	ws->ov_len = n;
	ws->ov_t = j->now;
	web__indicators_refresh(ws);
}

#define OVERVIEW_CACHE_S 1.0

void web__overview(struct web_server *ws, h2o_req_t *req,
		   struct web_session *s)
{
	struct web_job *j;
	double now = web__now();

	(void)s;
	if (ws->ov_body != NULL && now - ws->ov_t >= 0 &&
	    now - ws->ov_t < OVERVIEW_CACHE_S) {
		web__text(req, 200, "application/json; charset=utf-8",
			  ws->ov_body, ws->ov_len);
		return;
	}
	j = web__job_new(ws, req);
	if (j == NULL)
		return;
	j->out = web__overview_live(ws);
	web__job_start(j, overview_run, overview_done);
}

/* ---- one device's history ------------------------------------------------ */

#define HISTORY_DAYS 31

static void history_run(struct web_job *j)
{
	struct journal_state *st = NULL;
	size_t n = 0;
	char err[256];
	struct fault_query q = { .filter = JQ_ALL,
				 .from_t = j->now - 90 * 86400.0 };
	json_t *states, *faults;

	pthread_mutex_lock(&j->ws->jmu);
	if (journal_state_list(j->ws->journal, j->a,
			       j->now - HISTORY_DAYS * 86400.0, j->now + 1,
			       &st, &n, err, sizeof(err)) < 0) {
		pthread_mutex_unlock(&j->ws->jmu);
		web__job_fail(j, 500, "journal", "%s", err);
		return;
	}
	faults = web__fault_list(j, &q, j->a);
	pthread_mutex_unlock(&j->ws->jmu);
	states = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(states,
				      json_pack("{s:f, s:s, s:s}", "t", st[i].t,
						"state", st[i].state, "reason",
						st[i].reason));
	free(st);
	json_object_set_new(j->out, "states", states);
	json_object_set_new(j->out, "faults", faults ? faults : json_array());
}

void web__device_history(struct web_server *ws, h2o_req_t *req,
			 struct web_session *s, const char *name, json_t *v)
{
	struct web_job *j = web__job_new(ws, req);

	(void)s;
	if (j == NULL) {
		json_decref(v);
		return;
	}
	j->out = v;
	snprintf(j->a, sizeof(j->a), "%s", name);
	web__job_start(j, history_run, NULL);
}

/* ---- fault lists ----------------------------------------------------------- */

static void faults_run(struct web_job *j)
{
	struct fault_query q = { .filter = j->id ? JQ_ALL : JQ_OPEN };
	struct sla_period p;
	json_t *items;
	int y, mo, rc = 0;

	if (j->c[0] != '\0') { /* the month, in the configured zone */
		sscanf(j->c, "%4d-%2d", &y, &mo);
		pthread_mutex_lock(&j->ws->slamu);
		rc = sla_period_month(j->ws->tz, y, mo, &p);
		pthread_mutex_unlock(&j->ws->slamu);
		if (rc < 0) {
			web__job_fail(j, 500, "config", "time zone %s",
				      j->ws->tz);
			return;
		}
		q.from_t = p.from;
		q.to_t = p.to;
	}
	pthread_mutex_lock(&j->ws->jmu);
	items = web__fault_list(j, &q, j->a);
	pthread_mutex_unlock(&j->ws->jmu);
	if (items != NULL)
		j->out = json_pack("{s:o}", "items", items);
}

void web__faults(struct web_server *ws, h2o_req_t *req,
		 struct web_session *s)
{
	char status[16], month[16], device[CFG_NAME_MAX];
	struct web_job *j;

	(void)s;
	web__query(req, "status", status, sizeof(status));
	web__query(req, "month", month, sizeof(month));
	web__query(req, "device", device, sizeof(device));
	if (status[0] && strcmp(status, "open") && strcmp(status, "all")) {
		web__error(req, 400, "bad_request", "status is open or all");
		return;
	}
	if (month[0] && !web__month_ok(month)) {
		web__error(req, 400, "bad_request", "month is YYYY-MM");
		return;
	}
	j = web__job_new(ws, req);
	if (j == NULL)
		return;
	j->id = strcmp(status, "all") == 0; /* else open ones only */
	snprintf(j->c, sizeof(j->c), "%s", month);
	snprintf(j->a, sizeof(j->a), "%s", device);
	web__job_start(j, faults_run, NULL);
}

static int parse_id(const char *s, int64_t *ret)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (s[0] == '\0' || *end != '\0' || v <= 0)
		return -1;
	*ret = v;
	return 0;
}

static void one_fault(struct web_job *j)
{
	struct fault f;
	struct journal_audit *a = NULL;
	size_t na = 0;
	char err[256];
	int rc = journal_fault_get(j->ws->journal, j->id, &f, err,
				   sizeof(err));

	if (rc == -ENOENT) {
		web__job_fail(j, 404, "not_found", "no fault %lld",
			      (long long)j->id);
		return;
	}
	if (rc == 0)
		rc = journal_audit_list(j->ws->journal, j->id, &a, &na, err,
					sizeof(err));
	if (rc < 0) {
		web__job_fail(j, 500, "journal", "%s", err);
		return;
	}
	j->out = web__fault_json(&f, a, na, j->now);
	free(a);
}

static void fault_one_run(struct web_job *j)
{
	pthread_mutex_lock(&j->ws->jmu);
	one_fault(j);
	pthread_mutex_unlock(&j->ws->jmu);
}

void web__fault_one(struct web_server *ws, h2o_req_t *req,
		    struct web_session *s, const char *id)
{
	struct web_job *j;
	int64_t v;

	(void)s;
	if (parse_id(id, &v) < 0) {
		web__error(req, 400, "bad_request",
			   "a fault id is a positive integer");
		return;
	}
	j = web__job_new(ws, req);
	if (j == NULL)
		return;
	j->id = v;
	web__job_start(j, fault_one_run, NULL);
}

/* ---- ack and close ----------------------------------------------------------- */

static void write_run(struct web_job *j)
{
	struct journal_audit au = { .t = j->now, .fault_id = j->id };
	struct journal *jn = j->ws->journal;
	int ack = strcmp(j->c, "ack") == 0;
	char err[256];
	int rc;

	pthread_mutex_lock(&j->ws->jmu);
	if (ack)
		rc = journal_fault_ack(jn, j->id, j->now, j->user, j->b, err,
				       sizeof(err));
	else
		rc = journal_fault_close(jn, j->id, j->now, j->b, j->a, err,
					 sizeof(err));
	if (rc == 0) {
		snprintf(au.action, sizeof(au.action), "%.31s", j->c);
		snprintf(au.who, sizeof(au.who), "%s", j->user);
		snprintf(au.via, sizeof(au.via), "web");
		snprintf(au.note, sizeof(au.note), "%.400s", j->b);
		if (!ack)
			snprintf(au.note, sizeof(au.note), "%.400s (%s)", j->b,
				 satisfaction_parse(j->a));
		rc = journal_audit_record(jn, &au, err, sizeof(err));
		if (rc < 0)
			log_errorx("web: fault %lld %s by %s: the audit row "
				   "was not written: %s",
				   (long long)j->id, j->c, j->user, err);
		one_fault(j);
	} else if (rc == -ENOENT) {
		web__job_fail(j, 404, "not_found", "%s", err);
	} else if (rc == -EALREADY || (rc == -EINVAL && ack)) {
		web__job_fail(j, 409, "conflict", "%s", err);
	} else if (rc == -EINVAL) {
		web__job_fail(j, 400, "bad_request", "%s", err);
	} else {
		web__job_fail(j, 500, "journal", "%s", err);
	}
	pthread_mutex_unlock(&j->ws->jmu);
	if (rc == 0)
		log_info("web: fault %lld %s by %s", (long long)j->id,
			 ack ? "acknowledged" : "closed", j->user);
}

void web__fault_write(struct web_server *ws, h2o_req_t *req,
		      struct web_session *s, const char *id,
		      const char *action)
{
	json_error_t jerr;
	json_t *body, *note, *sat;
	struct web_job *j;
	int64_t v;
	int ack = strcmp(action, "ack") == 0;

	if (s->role < ROLE_OPERATOR) {
		web__error(req, 403, "forbidden",
			   "%s may not %s faults (operator or admin)", s->user,
			   action);
		return;
	}
	if (parse_id(id, &v) < 0) {
		web__error(req, 400, "bad_request",
			   "a fault id is a positive integer");
		return;
	}
	body = req->entity.len == 0 && ack
		       ? json_object()
		       : json_loadb(req->entity.base, req->entity.len, 0,
				    &jerr);
	if (body == NULL) {
		web__error(req, 400, "bad_json", "body: %s", jerr.text);
		return;
	}
	note = json_object_get(body, "note");
	sat = json_object_get(body, "satisfaction");
	if (!json_is_object(body) || (note && !json_is_string(note)) ||
	    (sat && !json_is_string(sat)) ||
	    (note && json_string_length(note) >= FAULT_TEXT_MAX - 32)) {
		json_decref(body);
		web__error(req, 400, "bad_request",
			   "expected {\"note\": TEXT%s} (note below %d bytes)",
			   ack ? "" : ", \"satisfaction\": 满意|基本满意|不满意",
			   FAULT_TEXT_MAX - 32);
		return;
	}
	if (!ack && (note == NULL || json_string_length(note) == 0)) {
		json_decref(body);
		web__error(req, 400, "bad_request", "closing needs a note");
		return;
	}
	if (!ack && satisfaction_parse(sat ? json_string_value(sat) : NULL) ==
			    NULL) {
		json_decref(body);
		web__error(req, 400, "bad_satisfaction",
			   "satisfaction is 满意, 基本满意 or 不满意");
		return;
	}
	j = web__job_new(ws, req);
	if (j == NULL) {
		json_decref(body);
		return;
	}
	j->id = v;
	ws->ov_t = 0; /* the next overview shows the change */
	snprintf(j->user, sizeof(j->user), "%s", s->user);
	snprintf(j->c, sizeof(j->c), "%s", action);
	snprintf(j->b, sizeof(j->b), "%s", note ? json_string_value(note) : "");
	snprintf(j->a, sizeof(j->a), "%s", sat ? json_string_value(sat) : "");
	json_decref(body);
	web__job_start(j, write_run, NULL);
}
