/*
 * slarule.c - the sla_breach alert rule's states and faults (see
 * slarule.h).
 * SPDX-License-Identifier: MIT
 */
#include "slarule.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLA_OBJECT_PREFIX "sla:"
#define SLA_KIND "sla-breach"

struct sla_st {
	char id[CFG_NAME_MAX];
	double since;  /* projection missing since (0: not missing) */
	int64_t fault;
};

struct alerts_sla {
	struct journal *j;
	alerts_event_fn fn;
	void *arg;
	struct sla_st *v;
	size_t n, cap;
};

int alerts_sla_create(struct journal *j, alerts_event_fn fn, void *arg,
		      struct alerts_sla **ret)
{
	struct alerts_sla *s = calloc(1, sizeof(*s));

	*ret = NULL;
	if (s == NULL)
		return -ENOMEM;
	s->j = j;
	s->fn = fn;
	s->arg = arg;
	*ret = s;
	return 0;
}

void alerts_sla_destroy(struct alerts_sla *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s);
}

/* The state of indicator id, added when missing; NULL out of memory. */
static struct sla_st *state_of(struct alerts_sla *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].id, id) == 0)
			return &s->v[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct sla_st *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	snprintf(s->v[s->n].id, sizeof(s->v[s->n].id), "%s", id);
	return &s->v[s->n++];
}

int64_t alerts_sla_fault(const struct alerts_sla *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].id, id) == 0)
			return s->v[i].fault;
	return 0;
}

int alerts_sla_reconcile(struct alerts_sla *s, char *err, size_t errlen)
{
	struct fault_query q = { .filter = JQ_UNRESOLVED };
	struct fault *fs;
	size_t n;
	int rc;

	rc = journal_fault_list(s->j, &q, &fs, &n, err, errlen);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct sla_st *st;
		size_t pl = strlen(SLA_OBJECT_PREFIX);

		if (strcmp(fs[i].kind, SLA_KIND) != 0 ||
		    strncmp(fs[i].object, SLA_OBJECT_PREFIX, pl) != 0)
			continue;
		st = state_of(s, fs[i].object + pl);
		if (st == NULL) {
			rc = -ENOMEM;
			snprintf(err, errlen, "sla_breach: out of memory");
			break;
		}
		st->fault = fs[i].id;
		st->since = fs[i].first_fail_t;
	}
	free(fs);
	return rc;
}

static void emit(struct alerts_sla *s, enum alert_event_type type,
		 int64_t id, double t)
{
	struct alert_event ev;
	char err[256];

	memset(&ev, 0, sizeof(ev));
	if (journal_fault_get(s->j, id, &ev.fault, err, sizeof(err)) < 0)
		return;
	ev.type = type;
	ev.t = t;
	if (s->fn != NULL)
		s->fn(s->arg, &ev);
}

/* Opens (or finds, after a restart) the fault of st, with the response
 * window of [alerts] response_<severity>. */
static void open_fault(struct alerts_sla *s, const struct config *cfg,
		       struct sla_st *st, const struct rule_cfg *r,
		       const struct alerts_sla_point *p, double t)
{
	const struct alerts_cfg *a = alerts_config(cfg);
	struct fault f;
	char err[256];
	int64_t id;
	int created = 0;
	int m = a != NULL && (unsigned)r->severity < SEV_COUNT
			? a->response_min[r->severity]
			: 0;

	if (m <= 0)
		m = 30;
	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), SLA_OBJECT_PREFIX "%s", p->id);
	/* the journal knows device, interface and service objects: an
	 * indicator of the service level is the nearest */
	snprintf(f.object_kind, sizeof(f.object_kind), "service");
	snprintf(f.kind, sizeof(f.kind), SLA_KIND);
	snprintf(f.severity, sizeof(f.severity), "%s",
		 severity_name((enum severity)r->severity)
			 ? severity_name((enum severity)r->severity)
			 : "major");
	snprintf(f.detail, sizeof(f.detail), "%s", p->detail);
	f.first_fail_t = st->since > 0 && st->since <= t ? st->since : t;
	f.detect_t = t;
	f.deadline_t = t + m * 60.0;
	if (journal_fault_open(s->j, &f, &id, &created, err, sizeof(err)) < 0)
		return; /* retried at the next evaluation */
	st->fault = id;
	if (created)
		emit(s, AEV_OPEN, id, t);
}

static void resolve_fault(struct alerts_sla *s, struct sla_st *st, double t)
{
	char err[256];
	int rc;

	if (st->fault == 0)
		return;
	rc = journal_fault_resolve(s->j, st->fault, t, err, sizeof(err));
	if (rc < 0 && rc != -EALREADY && rc != -ENOENT)
		return; /* retried at the next evaluation */
	if (rc == 0)
		emit(s, AEV_RESOLVE, st->fault, t);
	st->fault = 0;
}

/* The first sla_breach rule covering indicator id, or NULL. */
static const struct rule_cfg *rule_for(const struct config *cfg,
				       const char *id)
{
	size_t n;
	const struct rule_cfg *r = alerts_rules(cfg, &n);

	for (size_t i = 0; i < n; i++)
		if (r[i].type == RULE_SLA &&
		    (r[i].indicator[0] == '\0' ||
		     strcmp(r[i].indicator, id) == 0))
			return &r[i];
	return NULL;
}

void alerts_sla_update(struct alerts_sla *s, const struct config *cfg,
		       const struct alerts_sla_point *pts, size_t n, double t)
{
	for (size_t i = 0; i < n; i++) {
		const struct alerts_sla_point *p = &pts[i];
		const struct rule_cfg *r = rule_for(cfg, p->id);
		struct sla_st *st = state_of(s, p->id);

		if (st == NULL)
			return;
		if (r == NULL) { /* no rule (any more) */
			st->since = 0;
			resolve_fault(s, st, t);
			continue;
		}
		if (isnan(p->margin))
			continue; /* no data: nothing changes */
		if (!p->met) {
			if (st->since == 0)
				st->since = t;
			if (st->fault == 0 && t - st->since >= r->for_s)
				open_fault(s, cfg, st, r, p, t);
			continue;
		}
		st->since = 0;
		if (p->margin >= r->margin)
			resolve_fault(s, st, t);
	}
}

int alerts_sla_interval(const struct config *cfg)
{
	size_t n;
	const struct rule_cfg *r = alerts_rules(cfg, &n);
	int best = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].type == RULE_SLA &&
		    (best == 0 || r[i].every_min * 60 < best))
			best = r[i].every_min * 60;
	return best;
}
