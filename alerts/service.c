/*
 * service.c - availability and faults of the [service] sections
 * (service.h): down after N failed checks, slow, certificate expiring.
 * Every state change goes to the journal first, then to the callback.
 * SPDX-License-Identifier: MIT
 */
#include "service.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/config.h"
#include "probes/service_config.h"

struct svc_st {
	enum obj_state state;
	double since;
	int fails, goods;
	double first_fail;      /* first failed check of the run */
	double first_good;      /* first good check of a recovery */
	double slow_since;      /* first slow check of the run */
	int slow_run;           /* checks are slow since slow_since */
	int64_t f_down, f_slow, f_cert;
	char reason[192];
};

struct svc_alerts {
	const struct config *cfg;
	struct journal *j;
	alerts_event_fn fn;
	void *arg;
	const struct service_cfg *sc;
	size_t n;
	struct svc_st *s;
};

static double response_s(const struct svc_alerts *e, int sev)
{
	int m = (unsigned)sev < SEV_COUNT
			? alerts_config(e->cfg)->response_min[sev]
			: 0;

	return (m > 0 ? m : 30) * 60.0;
}

static void emit(struct svc_alerts *e, enum alert_event_type type,
		 int64_t id, double t)
{
	struct alert_event ev;
	char err[256];

	memset(&ev, 0, sizeof(ev));
	if (journal_fault_get(e->j, id, &ev.fault, err, sizeof(err)) < 0)
		return;
	ev.type = type;
	ev.t = t;
	if (e->fn != NULL)
		e->fn(e->arg, &ev);
}

static int64_t fault_open(struct svc_alerts *e, size_t i, const char *kind,
			  int sev, const char *detail, double first,
			  double t)
{
	struct fault f;
	char err[256];
	int64_t id;
	int created;
	const char *sn = severity_name((enum severity)sev);

	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), "%s", e->sc[i].name);
	snprintf(f.object_kind, sizeof(f.object_kind), "service");
	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	snprintf(f.severity, sizeof(f.severity), "%s", sn ? sn : "major");
	snprintf(f.detail, sizeof(f.detail), "%s", detail);
	f.first_fail_t = first > 0 && first <= t ? first : t;
	f.detect_t = t;
	f.deadline_t = t + response_s(e, sev);
	if (journal_fault_open(e->j, &f, &id, &created, err, sizeof(err)) < 0)
		return 0; /* retried at the next check */
	if (created)
		emit(e, AEV_OPEN, id, t);
	return id;
}

static void fault_resolve(struct svc_alerts *e, int64_t *id, double t)
{
	char err[256];
	int rc;

	if (*id == 0)
		return;
	rc = journal_fault_resolve(e->j, *id, t, err, sizeof(err));
	if (rc < 0 && rc != -EALREADY && rc != -ENOENT)
		return; /* retried at the next check */
	if (rc == 0)
		emit(e, AEV_RESOLVE, *id, t);
	*id = 0;
}

static void state_set(struct svc_alerts *e, size_t i, enum obj_state s,
		      const char *reason, double t)
{
	struct svc_st *st = &e->s[i];
	struct alert_event ev;
	char err[256];

	if (st->state == s)
		return;
	st->state = s;
	st->since = t;
	/* every change, unknown -> up too: availability is read from these
	 * rows (sla/service_avail.c) */
	journal_state_record(e->j, e->sc[i].name, obj_state_name(s), reason,
			     t, err, sizeof(err));
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_STATE;
	snprintf(ev.object, sizeof(ev.object), "%s", e->sc[i].name);
	ev.state = s;
	snprintf(ev.reason, sizeof(ev.reason), "%s", reason);
	ev.t = t;
	if (e->fn != NULL)
		e->fn(e->arg, &ev);
}

int svc_alerts_create(const struct config *cfg, struct journal *j,
		      alerts_event_fn fn, void *arg, struct svc_alerts **ret)
{
	struct svc_alerts *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return -ENOMEM;
	e->cfg = cfg;
	e->j = j;
	e->fn = fn;
	e->arg = arg;
	e->sc = service_configs(cfg, &e->n);
	e->s = calloc(e->n ? e->n : 1, sizeof(*e->s));
	if (e->s == NULL) {
		free(e);
		return -ENOMEM;
	}
	*ret = e;
	return 0;
}

void svc_alerts_destroy(struct svc_alerts *e)
{
	if (e == NULL)
		return;
	free(e->s);
	free(e);
}

static int64_t *fault_slot(struct svc_st *st, const char *kind)
{
	if (strcmp(kind, "down") == 0)
		return &st->f_down;
	if (strcmp(kind, "slow") == 0)
		return &st->f_slow;
	if (strcmp(kind, "cert") == 0)
		return &st->f_cert;
	return NULL;
}

int svc_alerts_reconcile(struct svc_alerts *e, double now, char *err,
			 size_t errlen)
{
	struct fault_query q = { .filter = JQ_UNRESOLVED };
	struct fault *fs;
	size_t n;
	int rc;

	rc = journal_fault_list(e->j, &q, &fs, &n, err, errlen);
	if (rc < 0)
		return rc;
	for (size_t k = 0; k < n && rc == 0; k++) {
		int i;
		int64_t *slot;

		if (strcmp(fs[k].object_kind, "service") != 0 ||
		    strcmp(fs[k].kind, "sla-breach") == 0)
			continue; /* sla-breach: the sla_breach rule's own */
		i = service_find(e->cfg, fs[k].object);
		slot = i >= 0 ? fault_slot(&e->s[i], fs[k].kind) : NULL;
		if (slot == NULL) {
			/* gone from the configuration: nothing resolves it */
			rc = journal_fault_resolve(e->j, fs[k].id, now, err,
						   errlen);
			continue;
		}
		*slot = fs[k].id;
		if (slot == &e->s[i].f_down) {
			/* still down until a check says otherwise; the
			 * journal already holds that state */
			e->s[i].state = OBJ_DOWN;
			e->s[i].since = fs[k].first_fail_t;
			e->s[i].first_fail = fs[k].first_fail_t;
			e->s[i].fails = e->sc[i].down_after;
			snprintf(e->s[i].reason, sizeof(e->s[i].reason),
				 "%.190s", fs[k].detail);
		}
	}
	free(fs);
	return rc;
}

void svc_alerts_adopt(struct svc_alerts *e, size_t i,
		      const struct svc_alerts *old, size_t old_i)
{
	if (i < e->n && old_i < old->n)
		e->s[i] = old->s[old_i];
}

static void eval_down(struct svc_alerts *e, size_t i,
		      const struct svc_check_result *r)
{
	const struct service_cfg *sc = &e->sc[i];
	struct svc_st *st = &e->s[i];

	if (!r->ok) {
		st->goods = 0;
		if (st->fails++ == 0)
			st->first_fail = r->t;
		snprintf(st->reason, sizeof(st->reason), "%s", r->reason);
		if (st->fails < sc->down_after)
			return;
		if (st->f_down == 0)
			st->f_down = fault_open(e, i, "down", sc->severity,
						r->reason, st->first_fail,
						r->t);
		/* the outage began at its first failed check */
		state_set(e, i, OBJ_DOWN, r->reason, st->first_fail);
		return;
	}
	st->fails = 0;
	if (st->state != OBJ_DOWN) {
		state_set(e, i, OBJ_UP, "", r->t);
		return;
	}
	if (st->goods++ == 0)
		st->first_good = r->t;
	if (st->goods < sc->up_after)
		return;
	/* back at its first good check of the run */
	fault_resolve(e, &st->f_down, st->first_good);
	state_set(e, i, OBJ_UP, "", st->first_good);
	st->goods = 0;
}

static void eval_slow(struct svc_alerts *e, size_t i,
		      const struct svc_check_result *r)
{
	const struct service_cfg *sc = &e->sc[i];
	struct svc_st *st = &e->s[i];
	char d[200];

	if (sc->slow_ms <= 0 || !r->ok || isnan(r->total_ms)) {
		if (sc->slow_ms <= 0)
			fault_resolve(e, &st->f_slow, r->t);
		return; /* a failed check is the down rule's */
	}
	if (r->total_ms <= sc->slow_ms) {
		st->slow_run = 0;
		fault_resolve(e, &st->f_slow, r->t);
		return;
	}
	if (!st->slow_run) {
		st->slow_run = 1;
		st->slow_since = r->t;
	}
	if (st->f_slow != 0 || r->t - st->slow_since < sc->slow_for_s)
		return;
	snprintf(d, sizeof(d), "slow: %.0f ms > %d ms for %.0f s",
		 r->total_ms, sc->slow_ms, r->t - st->slow_since);
	st->f_slow = fault_open(e, i, "slow", SEV_WARNING, d, st->slow_since,
				r->t);
}

static void eval_cert(struct svc_alerts *e, size_t i,
		      const struct svc_check_result *r)
{
	const struct service_cfg *sc = &e->sc[i];
	struct svc_st *st = &e->s[i];
	char d[200];

	if (sc->cert_warn_days <= 0) {
		fault_resolve(e, &st->f_cert, r->t);
		return;
	}
	if (isnan(r->cert_days))
		return; /* not seen this time: keep what we know */
	if (r->cert_days >= sc->cert_warn_days) {
		fault_resolve(e, &st->f_cert, r->t);
		return;
	}
	if (st->f_cert != 0)
		return;
	if (r->cert_days < 0)
		snprintf(d, sizeof(d), "certificate expired %.1f days ago (%s)",
			 -r->cert_days, r->cert_expiry ? r->cert_expiry : "");
	else
		snprintf(d, sizeof(d),
			 "certificate expires in %.1f days (%s), below %d",
			 r->cert_days, r->cert_expiry ? r->cert_expiry : "",
			 sc->cert_warn_days);
	st->f_cert = fault_open(e, i, "cert", SEV_WARNING, d, r->t, r->t);
}

void svc_alerts_result(struct svc_alerts *e, size_t i,
		       const struct svc_check_result *r)
{
	if (i >= e->n)
		return;
	eval_down(e, i, r);
	eval_slow(e, i, r);
	eval_cert(e, i, r);
}

void svc_alerts_view(const struct svc_alerts *e, size_t i,
		     struct svc_view *ret)
{
	const struct svc_st *st;

	memset(ret, 0, sizeof(*ret));
	if (i >= e->n)
		return;
	st = &e->s[i];
	ret->state = st->state;
	ret->since = st->since;
	ret->fault_down = st->f_down;
	ret->fault_slow = st->f_slow;
	ret->fault_cert = st->f_cert;
	ret->fails = st->fails;
	snprintf(ret->reason, sizeof(ret->reason), "%s", st->reason);
}
