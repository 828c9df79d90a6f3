/*
 * slalive.c - slamond's SLA jobs, off the loop: every few minutes (the
 * smallest `every` of the [rule] sections of type sla_breach) the current
 * month's budget is evaluated (sla/live.h) on the libuv threadpool and its
 * outcome handed, back on the loop, to the sla_breach rule
 * (alerts/slarule.h), which opens and resolves faults and notifies. On the
 * 1st at [sla] draft_at, last month's draft report is written the same way
 * (sla/draft.h) and its readers notified (notifiers whose events list
 * "report").
 *
 * The job reads the configuration file itself rather than the running
 * generation's: a reload may retire that generation (and free its
 * configuration) while the job runs. The rule's thresholds are the
 * running generation's, read on the loop.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "alerts/notify.h"
#include "alerts/slarule.h"
#include "daemon_int.h"
#include "sla/draft.h"
#include "sla/indicators.h"
#include "sla/live.h"
#include "sla/sla.h"

#define SLALIVE_TICK_MS 5000
#define SLALIVE_FIRST_S 5 /* first evaluation this long after start */

#define DRAFT_RETRY_S 600

enum job { JOB_EVAL, JOB_DRAFT };

struct slalive {
	struct daemon *dm;
	uv_timer_t timer;
	uv_work_t work;
	struct alerts_sla *rule;
	int busy, closing, timer_open;
	double next_eval, next_draft;
	double clock_skew; /* SLAMON_TEST_SLA_NOW - start (tests only) */
	/* the job in flight */
	enum job job;
	struct sla_period month; /* JOB_DRAFT */
	struct sla_draft draft;
	double now;
	struct alerts_sla_point *pts;
	size_t npts;
	int rc;
	char err[512];
};

static void on_event(void *arg, const struct alert_event *ev)
{
	struct slalive *s = arg;
	char text[1024];

	notify_format_text(ev, text, sizeof(text));
	log_info("fault %lld: %s", (long long)ev->fault.id, text);
	if (s->dm->notifier && notifier_submit(s->dm->notifier, ev) == -EAGAIN)
		log_warnx("fault %lld: notification queue full",
			  (long long)ev->fault.id);
}

static void fmt_value(const struct sla_value *v, double x, char *out,
		      size_t len)
{
	if (x != x)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.2f%s", x, v->ind.unit);
}

/* The fault's text: what the budget says, in Chinese (as the other
 * faults' texts are read by the NOC). */
static void point_detail(const struct sla_live *l,
			 const struct sla_live_value *lv, char *out,
			 size_t len)
{
	char now[48], proj[48], budget[160] = "";

	fmt_value(&lv->v, lv->v.value, now, sizeof(now));
	fmt_value(&lv->v, lv->projected, proj, sizeof(proj));
	if (lv->kind == SLA_LIVE_SHARE && lv->budget_h == lv->budget_h)
		snprintf(budget, sizeof(budget),
			 lv->left_h >= 0 ? "；还可停机 %.2f 小时（允许 %.2f）"
					 : "；预算已用尽，超出 %.2f 小时（允许 %.2f）",
			 fabs(lv->left_h), lv->budget_h);
	else if (lv->kind == SLA_LIVE_RATIO)
		snprintf(budget, sizeof(budget),
			 "；按时响应 %zu / %zu 起，还可容许超时 %ld 起", lv->ok,
			 lv->n, lv->late_allowed < 0 ? 0 : lv->late_allowed);
	else if (lv->kind == SLA_LIVE_COUNT && lv->needed == lv->needed)
		snprintf(budget, sizeof(budget), "；还差 %g", lv->needed);
	snprintf(out, len, "%s %s：当前 %s，按当前速率期末预计 %s，目标 %s %g%s%s",
		 l->r->period.label, lv->v.ind.name_zh, now, proj,
		 cmp_op_name(lv->v.ind.cmp), lv->v.target, lv->v.ind.unit,
		 budget);
}

/* Threadpool: the month so far from a fresh read of the configuration. */
static void eval_work(uv_work_t *req)
{
	struct slalive *s = req->data;
	struct config *cfg = NULL;
	struct diag d = { 0 };
	struct sla_live *l = NULL;
	struct sla_period p;
	struct tm tm;

	s->rc = config_load(s->dm->opts.config_path, &cfg, &d);
	if (s->rc < 0) {
		snprintf(s->err, sizeof(s->err), "%s",
			 d.n ? d.msgs[0] : "configuration not loaded");
		diag_destroy(&d);
		return;
	}
	diag_destroy(&d);
	s->rc = sla_local_tm(cfg->timezone, s->now, &tm);
	if (s->rc == 0)
		s->rc = sla_period_month(cfg->timezone, tm.tm_year + 1900,
					 tm.tm_mon + 1, &p);
	if (s->rc == 0)
		s->rc = sla_live_evaluate(cfg, &p, s->now, &l, s->err,
					  sizeof(s->err));
	if (s->rc == 0) {
		s->pts = calloc(l->n + 1, sizeof(*s->pts));
		if (s->pts == NULL)
			s->rc = -ENOMEM;
	}
	for (size_t i = 0; s->rc == 0 && i < l->n; i++) {
		const struct sla_live_value *lv = &l->v[i];
		struct alerts_sla_point *pt = &s->pts[s->npts++];

		snprintf(pt->id, sizeof(pt->id), "%s", lv->v.ind.id);
		pt->met = lv->projected_state == SLA_MET;
		pt->margin = lv->projected_state == SLA_NODATA ? NAN
							       : lv->margin;
		if (lv->projected_state != SLA_NODATA && pt->margin != pt->margin)
			pt->margin = pt->met ? 0 : -1;
		/* "= 100 %" has no room to meet it by: met clears */
		if (lv->v.ind.cmp == CMP_EQ && pt->met)
			pt->margin = HUGE_VAL;
		point_detail(l, lv, pt->detail, sizeof(pt->detail));
	}
	sla_live_destroy(l);
	config_destroy(cfg);
}

/* Threadpool: last month's draft, from a fresh read of the
 * configuration. */
static void draft_work(uv_work_t *req)
{
	struct slalive *s = req->data;
	struct config *cfg = NULL;
	struct diag d = { 0 };

	s->rc = config_load(s->dm->opts.config_path, &cfg, &d);
	if (s->rc < 0)
		snprintf(s->err, sizeof(s->err), "%s",
			 d.n ? d.msgs[0] : "configuration not loaded");
	diag_destroy(&d);
	if (s->rc == 0)
		s->rc = sla_draft_write(cfg, &s->month, s->now, &s->draft,
					s->err, sizeof(s->err));
	config_destroy(cfg);
}

/* The draft's notice to the notifiers whose events list "report". */
static void draft_notify(struct slalive *s)
{
	struct alert_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_REPORT;
	ev.t = s->now;
	snprintf(ev.fault.object, sizeof(ev.fault.object), "report:%s",
		 s->draft.month);
	snprintf(ev.fault.object_kind, sizeof(ev.fault.object_kind),
		 "report");
	snprintf(ev.fault.kind, sizeof(ev.fault.kind), "report-draft");
	snprintf(ev.fault.severity, sizeof(ev.fault.severity), "warning");
	snprintf(ev.fault.detail, sizeof(ev.fault.detail), "%s",
		 s->draft.text);
	ev.fault.detect_t = s->now;
	log_info("report %s: draft written to %s", s->draft.month,
		 s->draft.dir);
	if (s->dm->notifier && notifier_submit(s->dm->notifier, &ev) == -EAGAIN)
		log_warnx("report %s: notification queue full",
			  s->draft.month);
}

static void slalive_free(struct slalive *s)
{
	alerts_sla_destroy(s->rule);
	free(s->pts);
	free(s);
}

static void eval_done(uv_work_t *req, int status)
{
	struct slalive *s = req->data;
	struct daemon *dm = s->dm;

	s->busy = 0;
	if (s->closing) {
		if (!s->timer_open)
			slalive_free(s);
		return;
	}
	if (status == 0 && s->rc < 0)
		log_warnx("%s: %s",
			  s->job == JOB_DRAFT ? "draft report" : "sla_breach",
			  s->err[0] ? s->err : strerror(-s->rc));
	else if (status == 0 && s->job == JOB_DRAFT)
		draft_notify(s);
	else if (status == 0 && dm->cur != NULL)
		alerts_sla_update(s->rule, dm->cur->cfg, s->pts, s->npts,
				  s->now);
	free(s->pts);
	s->pts = NULL;
	s->npts = 0;
}

static void queue(struct slalive *s, enum job job, double now)
{
	s->job = job;
	s->now = now;
	s->rc = 0;
	s->err[0] = '\0';
	s->work.data = s;
	if (uv_queue_work(&s->dm->loop, &s->work,
			  job == JOB_DRAFT ? draft_work : eval_work,
			  eval_done) == 0)
		s->busy = 1;
}

static void on_timer(uv_timer_t *h)
{
	struct slalive *s = h->data;
	struct daemon *dm = s->dm;
	double now = daemon__now() + s->clock_skew;
	int every;

	if (s->busy || s->closing || dm->stopping || dm->cur == NULL)
		return;
	if (now >= s->next_draft &&
	    sla_draft_due(dm->cur->cfg, now, &s->month) == 1) {
		s->next_draft = now + DRAFT_RETRY_S; /* when it fails */
		queue(s, JOB_DRAFT, now);
		return;
	}
	every = alerts_sla_interval(dm->cur->cfg);
	if (every <= 0 || now < s->next_eval)
		return;
	s->next_eval = now + every;
	queue(s, JOB_EVAL, now);
}

int daemon__sla_start(struct daemon *dm)
{
	struct slalive *s = calloc(1, sizeof(*s));
	char err[256];

	if (s == NULL)
		return -ENOMEM;
	s->dm = dm;
	if (alerts_sla_create(dm->journal, on_event, s, &s->rule) < 0) {
		free(s);
		return -ENOMEM;
	}
	if (alerts_sla_reconcile(s->rule, err, sizeof(err)) < 0)
		log_errorx("sla_breach: %s (its open faults are not adopted)",
			   err);
	/* tests only: the SLA jobs' clock starts at this epoch (the draft
	 * of the 1st without waiting for the 1st) */
	{
		const char *t = getenv("SLAMON_TEST_SLA_NOW");

		if (t != NULL && t[0] != '\0')
			s->clock_skew = strtod(t, NULL) - daemon__now();
	}
	s->next_eval = daemon__now() + s->clock_skew + SLALIVE_FIRST_S;
	uv_timer_init(&dm->loop, &s->timer);
	s->timer.data = s;
	s->timer_open = 1;
	uv_timer_start(&s->timer, on_timer, 1000, SLALIVE_TICK_MS);
	dm->sla = s;
	return 0;
}

static void timer_closed(uv_handle_t *h)
{
	struct slalive *s = h->data;

	s->timer_open = 0;
	if (!s->busy)
		slalive_free(s);
}

void daemon__sla_close(struct daemon *dm)
{
	struct slalive *s = dm->sla;

	if (s == NULL)
		return;
	dm->sla = NULL;
	s->closing = 1;
	uv_close((uv_handle_t *)&s->timer, timer_closed);
}
