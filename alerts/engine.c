/*
 * engine.c - availability states, dependencies, flapping, maintenance and
 * alert rules, turned into faults in the journal (see engine.h).
 *
 * One outage, one fault: a device that stops answering while an ancestor
 * is down is "unreachable" and listed under the ancestor's fault (as
 * Nagios' host dependencies and Zabbix' trigger dependencies do). Because
 * the children of a failed aggregation switch may reach their down_after
 * count before the switch does, a child whose parent is failing but not yet
 * down is held for up to (parent's down_after + 1) poll intervals.
 * SPDX-License-Identifier: MIT
 */
#include "engine.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avail.h"

#define FLAP_MAX 64
#define REMIND_CHECK_S 60

struct rule_st {
	double since;  /* condition true since (0: not true) */
	int64_t fault;
};

struct if_st {
	char name[64];
	bool used;
	struct avail av;    /* ifOperStatus hysteresis */
	int64_t down_fault;
	struct rule_st *rs; /* one per configured rule */
};

struct dev_st {
	struct avail av;
	enum obj_state state;
	int64_t fault;       /* own "down" fault */
	int64_t nodata_fault; /* "nodata": SNMP fails, ping answers */
	struct avail ping_av; /* ICMP echo hysteresis, during SNMP failures */
	int64_t cause_fault; /* fault it is listed under while unreachable */
	double last_fail_t;  /* last failed poll */
	double last_ok_t;    /* last good poll */
	double state_t;      /* time of the last state change recorded */
	double flap_t[FLAP_MAX]; /* ring of state change times */
	unsigned nflap;
	bool flapping;
	int64_t flap_fault;
	struct if_st *ifs;
	size_t nifs;
};

/* A journal fault on an interface, adopted at start-up until the interface
 * shows up in a row. */
struct adopted {
	uint32_t dev;
	char ifname[64];
	char kind[FAULT_WORD_MAX];
	int64_t id;
};

/* A [capture]'s faults (issue 6). */
struct cap_st {
	int64_t drop_fault, div_fault;
	int div_bad, div_good; /* consecutive comparisons above / not */
};

/* A state change waiting for the next tick's transaction. */
struct pend_state {
	size_t dev;
	enum obj_state s;
	char reason[160];
	double t;
};

struct alerts_engine {
	const struct config *cfg;
	/* [alerts] of cfg, looked up once: the singleton's item never moves
	 * while cfg lives, and it is read per poll result */
	const struct alerts_cfg *acfg;
	struct journal *j;
	alerts_event_fn fn;
	void *arg;
	struct dev_st *d;
	size_t n;
	int *first_child, *next_sibling; /* children lists, -1 terminated */
	bool *maint_on;     /* per configured window, at the last tick */
	double *maint_start; /* start of the occurrence last recorded */
	struct adopted *adopted;
	size_t nadopted;
	struct cap_st *caps; /* one per capture_configs(cfg, NULL) */
	double last_remind;
	struct alerts_stats st;
	/* state changes recorded at the next tick, in one transaction */
	struct pend_state *pend;
	size_t npend, pend_cap;
	bool stopped; /* alerts_engine_stop: nothing more is recorded */
};

static const char *const rule_kind[] = { "util", "speed", "errors" };

const char *obj_state_name(enum obj_state s)
{
	static const char *const names[OBJ_STATE_COUNT] = {
		"unknown", "up", "down", "unreachable", "maintenance"
	};

	return (unsigned)s < OBJ_STATE_COUNT ? names[s] : "?";
}

/* ---- small helpers ------------------------------------------------- */

static int down_after(const struct alerts_engine *e, size_t dev)
{
	int n = e->acfg->down_after[e->cfg->devices[dev].role];

	return n > 0 ? n : (e->cfg->down_after > 0 ? e->cfg->down_after : 2);
}

static int up_after(const struct alerts_engine *e, size_t dev)
{
	int n = e->acfg->up_after[e->cfg->devices[dev].role];

	return n > 0 ? n : (e->cfg->up_after > 0 ? e->cfg->up_after : 2);
}

int alerts_confirm_polls(const struct alerts_engine *e, uint32_t dev)
{
	int d, u;

	if (e == NULL || dev >= e->cfg->ndevices)
		return 0;
	d = down_after(e, dev);
	u = up_after(e, dev);
	return d > u ? d : u;
}

static double response_s(const struct alerts_engine *e, int sev)
{
	int m = (unsigned)sev < SEV_COUNT ? e->acfg->response_min[sev]
					   : 0;

	return (m > 0 ? m : 30) * 60.0;
}

static void jerr(struct alerts_engine *e, const char *msg)
{
	e->st.journal_errors++;
	snprintf(e->st.last_error, sizeof(e->st.last_error), "%s", msg);
}

static void emit_fault(struct alerts_engine *e, enum alert_event_type type,
		       int64_t id, double t)
{
	struct alert_event ev;
	char err[256];

	memset(&ev, 0, sizeof(ev));
	if (journal_fault_get(e->j, id, &ev.fault, err, sizeof(err)) < 0) {
		jerr(e, err);
		return;
	}
	ev.type = type;
	ev.t = t;
	if (e->fn != NULL)
		e->fn(e->arg, &ev);
}

/* Opens (or finds, after a restart) a fault. Emits AEV_OPEN when emit and
 * the row is new. Returns the id, 0 on a journal error (retried later). */
static int64_t fault_open(struct alerts_engine *e, const char *object,
			  const char *okind, const char *kind, int sev,
			  const char *detail, double first_fail, double t,
			  bool emit, bool *ret_created)
{
	struct fault f;
	char err[256];
	int64_t id;
	int created;

	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), "%s", object);
	snprintf(f.object_kind, sizeof(f.object_kind), "%s", okind);
	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	snprintf(f.severity, sizeof(f.severity), "%s",
		 severity_name((enum severity)sev) ? severity_name(
							     (enum severity)sev)
						   : "major");
	snprintf(f.detail, sizeof(f.detail), "%s", detail);
	f.first_fail_t = first_fail > 0 && first_fail <= t ? first_fail : t;
	f.detect_t = t;
	f.deadline_t = t + response_s(e, sev);
	if (journal_fault_open(e->j, &f, &id, &created, err, sizeof(err)) < 0) {
		jerr(e, err);
		return 0;
	}
	if (created)
		e->st.opened++;
	if (ret_created != NULL)
		*ret_created = created;
	if (created && emit)
		emit_fault(e, AEV_OPEN, id, t);
	return id;
}

/* Resolves *id at t and clears it; on a journal error keeps it so that the
 * next sample retries. */
static void fault_resolve(struct alerts_engine *e, int64_t *id, double t)
{
	char err[256];
	int rc;

	if (*id == 0)
		return;
	rc = journal_fault_resolve(e->j, *id, t, err, sizeof(err));
	if (rc < 0 && rc != -EALREADY && rc != -ENOENT) {
		jerr(e, err);
		return;
	}
	if (rc == 0) {
		e->st.resolved++;
		emit_fault(e, AEV_RESOLVE, *id, t);
	}
	*id = 0;
}

/* Writes the queued state changes in one transaction (one sync for a
 * whole start-up's "up" rows). On a journal error they stay queued for
 * the next tick (at most PEND_MAX; beyond, the oldest are dropped and
 * counted as journal errors). */
#define PEND_MAX 200000

static void state_flush(struct alerts_engine *e)
{
	struct journal_state_rec *v;
	char err[256];

	if (e->npend == 0 || e->j == NULL)
		return;
	v = malloc(e->npend * sizeof(*v));
	if (v == NULL) {
		jerr(e, "state log: out of memory");
		return;
	}
	for (size_t i = 0; i < e->npend; i++) {
		v[i].object = e->cfg->devices[e->pend[i].dev].name;
		v[i].state = obj_state_name(e->pend[i].s);
		v[i].reason = e->pend[i].reason;
		v[i].t = e->pend[i].t;
	}
	if (journal_state_record_many(e->j, v, e->npend, err, sizeof(err)) <
	    0)
		jerr(e, err);
	else
		e->npend = 0;
	free(v);
}

static void state_queue(struct alerts_engine *e, size_t dev,
			enum obj_state s, const char *reason, double t)
{
	struct pend_state *p;

	if (e->stopped)
		return;
	if (e->npend == e->pend_cap) {
		size_t cap = e->pend_cap ? e->pend_cap * 2 : 64;

		if (e->npend >= PEND_MAX) {
			memmove(e->pend, e->pend + 1,
				(e->npend - 1) * sizeof(*e->pend));
			e->npend--;
			jerr(e, "state log: queue full, oldest change dropped");
		} else {
			p = realloc(e->pend, cap * sizeof(*p));
			if (p == NULL) {
				jerr(e, "state log: out of memory");
				return;
			}
			e->pend = p;
			e->pend_cap = cap;
		}
	}
	p = &e->pend[e->npend++];
	p->dev = dev;
	p->s = s;
	snprintf(p->reason, sizeof(p->reason), "%s", reason);
	p->t = t;
}

static double back_since(const struct alerts_engine *e, size_t dev);

/* When the device entered s, for the state log (the SLA reads its
 * intervals, docs/sla.md): a failure from the first failed poll of the
 * run, a recovery from the first good one (SNMP, or ping for a device
 * that answers only that), never before the change recorded last nor
 * after t. */
static double state_at(const struct alerts_engine *e, size_t dev,
		       enum obj_state s, double t)
{
	const struct dev_st *ds = &e->d[dev];
	double at = t;

	if (s == OBJ_UP)
		at = back_since(e, dev);
	else if (s == OBJ_DOWN || s == OBJ_UNREACHABLE || s == OBJ_MAINT)
		at = ds->av.fails > 0 ? ds->av.first_fail : t;
	if (!(at > 0) || at > t)
		at = t;
	if (at < ds->state_t)
		at = ds->state_t;
	return at;
}

static void state_set(struct alerts_engine *e, size_t dev,
		      enum obj_state s, const char *reason, double t)
{
	struct dev_st *ds = &e->d[dev];
	enum obj_state old = ds->state;
	struct alert_event ev;

	if (s == old)
		return;
	ds->state_t = state_at(e, dev, s, t);
	ds->state = s;
	/* every change, start-up's unknown -> up too: availability is read
	 * from these intervals; written at the next tick in one transaction */
	state_queue(e, dev, s, reason, ds->state_t);
	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_STATE;
	snprintf(ev.object, sizeof(ev.object), "%s", e->cfg->devices[dev].name);
	ev.state = s;
	ev.flapping = ds->flapping;
	snprintf(ev.reason, sizeof(ev.reason), "%s", reason);
	ev.t = t;
	if (e->fn != NULL)
		e->fn(e->arg, &ev);
}

/* ---- maintenance --------------------------------------------------- */

/* Is t inside an occurrence of m? Fills the occurrence's bounds. */
static bool maint_occurrence(const struct maint_cfg *m, double t,
			     double *ret_start, double *ret_end)
{
	time_t tt = (time_t)t;
	struct tm now;

	if (m->start_t > 0) {
		*ret_start = m->start_t;
		*ret_end = m->end_t;
		return t >= m->start_t && t < m->end_t;
	}
	if (m->duration_min <= 0 || m->day_mask == 0)
		return false;
	localtime_r(&tt, &now);
	/* a window may start up to 7 days back and still be running */
	for (int back = 0; back <= 7; back++) {
		struct tm tm = now, chk;
		time_t start;

		tm.tm_mday -= back;
		tm.tm_hour = m->at_min / 60;
		tm.tm_min = m->at_min % 60;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		start = mktime(&tm);
		if (start == (time_t)-1)
			continue;
		localtime_r(&start, &chk);
		if (!(m->day_mask & (1u << chk.tm_wday)))
			continue;
		if (t >= (double)start &&
		    t < (double)start + m->duration_min * 60.0) {
			*ret_start = (double)start;
			*ret_end = (double)start + m->duration_min * 60.0;
			return true;
		}
	}
	return false;
}

static const struct maint_cfg *maint_find(const struct config *cfg,
					  size_t dev, double t)
{
	double s, en;

	for (size_t i = 0; i < config_count(cfg, &maint_section); i++)
		if (config_scope_match(cfg, dev, alerts_maints(cfg, NULL)[i].scope) &&
		    maint_occurrence(&alerts_maints(cfg, NULL)[i], t, &s, &en))
			return &alerts_maints(cfg, NULL)[i];
	return NULL;
}

int alerts_in_maintenance(const struct config *cfg, size_t dev, double t)
{
	return maint_find(cfg, dev, t) != NULL;
}

/* ---- devices ------------------------------------------------------- */

/* SNMP fails but the device answers ICMP echo (up_after answers in a row
 * after it was down by ping too): its agent is broken, not the device. */
static bool answers_ping(const struct alerts_engine *e, size_t dev)
{
	return e->acfg->ping && e->d[dev].ping_av.state == AV_UP;
}

/* Down as far as dependencies go: answering neither SNMP nor ping. */
static bool dev_down(const struct alerts_engine *e, size_t dev)
{
	return e->d[dev].av.state == AV_DOWN && !answers_ping(e, dev);
}

/* Since when the device answers again (SNMP, else ping). */
static double back_since(const struct alerts_engine *e, size_t dev)
{
	const struct dev_st *ds = &e->d[dev];

	if (ds->av.state == AV_DOWN && answers_ping(e, dev))
		return ds->ping_av.since;
	return ds->av.since;
}

/* The topmost ancestor of a contiguous chain of non-answering ancestors,
 * or -1 when the parent answers. */
static int root_cause(const struct alerts_engine *e, size_t dev)
{
	int p = e->cfg->devices[dev].parent_idx;
	int cause = -1;

	for (size_t hops = 0; p >= 0 && hops < e->n; hops++) {
		if (!dev_down(e, (size_t)p))
			break;
		cause = p;
		p = e->cfg->devices[p].parent_idx;
	}
	return cause;
}

/* The parent is failing but has not decided yet: hold the child. */
static bool held_for_parent(const struct alerts_engine *e, size_t dev,
			    double t)
{
	int p = e->cfg->devices[dev].parent_idx;
	double hold;

	if (p < 0 || e->d[p].av.state == AV_DOWN || answers_ping(e, (size_t)p))
		return false;
	/* the parent answered after the child began failing: the child is
	 * failing on its own. A parent not polled since (it may be polled
	 * less often than its children) holds the child for a while. */
	if (e->d[p].av.fails == 0 &&
	    e->d[p].last_ok_t >= e->d[dev].av.first_fail)
		return false;
	hold = (down_after(e, (size_t)p) + 1) *
	       (double)e->cfg->interval_s[e->cfg->devices[p].role];
	return t - e->d[dev].av.first_fail < hold;
}

/* The child kept failing after its parent came back: its own fault. Polls
 * from before the parent's recovery do not count. */
static bool failing_on_its_own(const struct alerts_engine *e, size_t dev)
{
	const struct dev_st *ds = &e->d[dev];
	int p = e->cfg->devices[dev].parent_idx;

	if (ds->av.fails == 0)
		return false;
	if (p >= 0 && ds->state == OBJ_UNREACHABLE &&
	    ds->last_fail_t < back_since(e, (size_t)p))
		return false;
	return true;
}

static void evaluate(struct alerts_engine *e, size_t dev, double t);

/* Re-evaluates the children that are not answering either. */
static void propagate(struct alerts_engine *e, size_t dev, double t)
{
	for (int c = e->first_child[dev]; c >= 0; c = e->next_sibling[c])
		if (e->d[c].av.state == AV_DOWN)
			evaluate(e, (size_t)c, t);
}

static void open_down(struct alerts_engine *e, size_t dev, double t)
{
	const struct device *dv = &e->cfg->devices[dev];
	struct dev_st *ds = &e->d[dev];
	char detail[FAULT_TEXT_MAX];
	bool created = false;
	double first = ds->av.first_fail;

	/* it answered ping (a nodata fault) until its pings failed too */
	if (ds->nodata_fault != 0 && ds->ping_av.first_fail > first)
		first = ds->ping_av.first_fail;
	snprintf(detail, sizeof(detail), "%s (%s, %s) not answering",
		 dv->name, dv->unit, role_name(dv->role));
	ds->fault = fault_open(e, dv->name, "device", "down",
			       e->acfg->severity[dv->role], detail,
			       first, t, false, &created);
	if (ds->fault == 0)
		return;
	state_set(e, dev, OBJ_DOWN, "", t);
	propagate(e, dev, t); /* children become unreachable, listed */
	if (created)
		emit_fault(e, AEV_OPEN, ds->fault, t);
}

static void eval_down(struct alerts_engine *e, size_t dev, double t)
{
	struct dev_st *ds = &e->d[dev];
	const struct maint_cfg *m;
	char reason[160];
	char err[256];
	int cause;

	m = maint_find(e->cfg, dev, t);
	if (m != NULL) {
		snprintf(reason, sizeof(reason), "maintenance %s", m->name);
		state_set(e, dev, OBJ_MAINT, reason, t);
		propagate(e, dev, t);
		return;
	}
	cause = root_cause(e, dev);
	if (cause >= 0 || (ds->state == OBJ_UNREACHABLE &&
			   !failing_on_its_own(e, dev))) {
		int64_t cf = cause >= 0 ? e->d[cause].fault : 0;

		snprintf(reason, sizeof(reason), "parent %s down",
			 e->cfg->devices[cause >= 0
						 ? (size_t)cause
						 : (size_t)e->cfg->devices[dev]
							   .parent_idx]
				 .name);
		if (cf != 0 && ds->cause_fault != cf) {
			if (journal_fault_child_add(e->j, cf,
						    e->cfg->devices[dev].name,
						    t, err, sizeof(err)) < 0)
				jerr(e, err);
			else
				ds->cause_fault = cf;
		}
		state_set(e, dev, OBJ_UNREACHABLE, reason, t);
		propagate(e, dev, t);
		return;
	}
	if (held_for_parent(e, dev, t) || ds->flapping ||
	    !failing_on_its_own(e, dev)) {
		state_set(e, dev, OBJ_DOWN,
			  ds->flapping ? "flapping" : "waiting for parent", t);
		return;
	}
	open_down(e, dev, t);
}

/* SNMP has failed down_after times but the device answers ping: the
 * agent is down or misconfigured (community, ACL, view), not the device.
 * It stays up (it is reachable: children are not unreachable behind it)
 * and gets a "nodata" fault instead of "down", as Zabbix' "no SNMP data"
 * trigger depending on its ICMP trigger. A down fault it had is resolved
 * at the first good ping: the device came back before its agent (a
 * reboot). Nothing opens inside a maintenance window. */
static void eval_nodata(struct alerts_engine *e, size_t dev, double t)
{
	struct dev_st *ds = &e->d[dev];
	const struct device *dv = &e->cfg->devices[dev];
	const struct maint_cfg *m;
	enum obj_state old = ds->state;
	double first = ds->av.first_fail;
	char detail[FAULT_TEXT_MAX];

	if (ds->fault != 0) {
		first = ds->ping_av.since;
		fault_resolve(e, &ds->fault, first);
		ds->cause_fault = 0;
	}
	m = maint_find(e->cfg, dev, t);
	if (m != NULL) {
		snprintf(detail, sizeof(detail), "maintenance %s", m->name);
		state_set(e, dev, OBJ_MAINT, detail, t);
	} else {
		state_set(e, dev, OBJ_UP, "answers ping, no SNMP data", t);
	}
	if (old != ds->state)
		propagate(e, dev, t);
	if (m != NULL || ds->nodata_fault != 0 || ds->flapping)
		return;
	snprintf(detail, sizeof(detail),
		 "%s (%s, %s) answers ping but not SNMP: agent down or "
		 "misconfigured",
		 dv->name, dv->unit, role_name(dv->role));
	ds->nodata_fault = fault_open(e, dv->name, "device", "nodata",
				      e->acfg->nodata_severity, detail,
				      first, t, true, NULL);
}

static void evaluate(struct alerts_engine *e, size_t dev, double t)
{
	struct dev_st *ds = &e->d[dev];

	if (ds->av.state != AV_DOWN) {
		double back = ds->av.first_good > 0 ? ds->av.first_good : t;

		fault_resolve(e, &ds->fault, back);
		fault_resolve(e, &ds->nodata_fault, back);
		ds->cause_fault = 0;
		if (ds->av.fails == 0) /* pings only count in a failing run */
			memset(&ds->ping_av, 0, sizeof(ds->ping_av));
		state_set(e, dev, ds->av.state == AV_UP ? OBJ_UP : OBJ_UNKNOWN,
			  "", t);
		return;
	}
	if (answers_ping(e, dev)) {
		eval_nodata(e, dev, t);
		return;
	}
	if (ds->fault != 0) {
		state_set(e, dev, OBJ_DOWN, "", t);
		return;
	}
	eval_down(e, dev, t);
}

static unsigned flap_count(const struct dev_st *ds, double t, double win)
{
	unsigned n = 0, have = ds->nflap < FLAP_MAX ? ds->nflap : FLAP_MAX;

	for (unsigned i = 0; i < have; i++)
		if (t - ds->flap_t[i] < win)
			n++;
	return n;
}

static void flap_note(struct alerts_engine *e, size_t dev, double t)
{
	struct dev_st *ds = &e->d[dev];
	double win = e->acfg->flap_window_min * 60.0;
	int thr = e->acfg->flap_changes;
	char detail[FAULT_TEXT_MAX];
	unsigned n;

	ds->flap_t[ds->nflap++ % FLAP_MAX] = t;
	if (thr <= 0 || win <= 0 || ds->flapping)
		return;
	n = flap_count(ds, t, win);
	if (n < (unsigned)thr)
		return;
	ds->flapping = true;
	e->st.flapping++;
	snprintf(detail, sizeof(detail),
		 "%s changed state %u times in %d min",
		 e->cfg->devices[dev].name, n, e->acfg->flap_window_min);
	ds->flap_fault = fault_open(e, e->cfg->devices[dev].name, "device",
				    "flapping", SEV_WARNING, detail, t - win,
				    t, true, NULL);
}

void alerts_device_result(struct alerts_engine *e, uint32_t dev, int ok,
			  double t)
{
	struct dev_st *ds;
	uint8_t before;

	if (dev >= e->n)
		return;
	ds = &e->d[dev];
	before = ds->av.state;
	if (!ok)
		ds->last_fail_t = t;
	else
		ds->last_ok_t = t;
	if (avail_update(&ds->av, ok, t, down_after(e, dev), up_after(e, dev)) &&
	    before != AV_UNKNOWN)
		flap_note(e, dev, t);
	evaluate(e, dev, t);
}

void alerts_device_ping(struct alerts_engine *e, uint32_t dev, int ok,
			double t)
{
	struct dev_st *ds;

	if (dev >= e->n || !e->acfg->ping)
		return;
	ds = &e->d[dev];
	avail_update(&ds->ping_av, ok, t, down_after(e, dev), up_after(e, dev));
	if (ds->av.state == AV_DOWN)
		evaluate(e, dev, t);
}

/* ---- interfaces ---------------------------------------------------- */

/* Does interface state s already hold fault id? */
static bool iface_holds(const struct alerts_engine *e, const struct if_st *s,
			int64_t id)
{
	if (s->down_fault == id)
		return true;
	for (size_t r = 0; r < config_count(e->cfg, &rule_section); r++)
		if (s->rs[r].fault == id)
			return true;
	return false;
}

/* Hands the journal's faults on interface s of dev, adopted at start-up,
 * to s: "down" to its oper status, a rule's kind to the first rule of that
 * kind without a fault. A fault s already holds (taken over on reload) is
 * only marked taken. */
static void iface_take_adopted(struct alerts_engine *e, uint32_t dev,
			       struct if_st *s)
{
	for (size_t i = 0; i < e->nadopted; i++) {
		struct adopted *a = &e->adopted[i];

		if (a->id == 0 || a->dev != dev ||
		    strcmp(a->ifname, s->name) != 0)
			continue;
		if (iface_holds(e, s, a->id)) {
			a->id = 0;
			continue;
		}
		if (strcmp(a->kind, "down") == 0) {
			s->down_fault = a->id;
			s->av.state = AV_DOWN;
		}
		for (size_t r = 0; r < config_count(e->cfg, &rule_section); r++)
			if (s->rs[r].fault == 0 &&
			    strcmp(a->kind, rule_kind[alerts_rules(e->cfg, NULL)[r].type]) ==
				    0) {
				s->rs[r].fault = a->id;
				break;
			}
		a->id = 0;
	}
}

static struct if_st *iface_get(struct alerts_engine *e, uint32_t dev,
			       int32_t slot, const char *name)
{
	struct dev_st *ds = &e->d[dev];
	struct if_st *s;

	if ((size_t)slot >= ds->nifs) {
		size_t nn = (size_t)slot + 1;
		struct if_st *na = realloc(ds->ifs, nn * sizeof(*na));

		if (na == NULL)
			return NULL;
		memset(na + ds->nifs, 0, (nn - ds->nifs) * sizeof(*na));
		ds->ifs = na;
		ds->nifs = nn;
	}
	s = &ds->ifs[slot];
	if (s->used && strcmp(s->name, name) == 0)
		return s;
	/* new interface in this slot (first row, or rediscovery) */
	free(s->rs);
	memset(s, 0, sizeof(*s));
	s->rs = calloc(config_count(e->cfg, &rule_section) ? config_count(e->cfg, &rule_section) : 1, sizeof(*s->rs));
	if (s->rs == NULL)
		return NULL;
	s->used = true;
	snprintf(s->name, sizeof(s->name), "%s", name);
	iface_take_adopted(e, dev, s);
	return s;
}

/* Condition of rule r on row: 1 bad, 0 clear, -1 in between or unknown
 * (keep the current state). */
static int rule_cond(const struct rule_cfg *r, const struct alerts_if *row)
{
	double cap, util, thr;

	switch (r->type) {
	case RULE_UTIL:
		cap = row->capacity_mbps > 0 ? row->capacity_mbps
					     : row->speed_mbps;
		if (!(cap > 0) || isnan(row->in_bps) || isnan(row->out_bps))
			return -1;
		util = 100.0 * fmax(row->in_bps, row->out_bps) / (cap * 1e6);
		if (util >= r->above)
			return 1;
		return util < r->clear_below ? 0 : -1;
	case RULE_SPEED:
		thr = r->target_mbps > 0 ? r->target_mbps : row->capacity_mbps;
		if (!(thr > 0) || !(row->speed_mbps > 0))
			return -1;
		return row->speed_mbps < thr ? 1 : 0;
	case RULE_ERRORS:
		if (isnan(row->err_rate))
			return -1;
		if (row->err_rate > r->above)
			return 1;
		return row->err_rate < r->clear_below ? 0 : -1;
	}
	return -1;
}

static void rule_detail(const struct rule_cfg *r, const struct alerts_if *row,
			char *out, size_t len)
{
	double cap = row->capacity_mbps > 0 ? row->capacity_mbps
					    : row->speed_mbps;

	switch (r->type) {
	case RULE_UTIL:
		snprintf(out, len, "rule %s: utilisation %.1f%% >= %g%%",
			 r->name,
			 100.0 * fmax(row->in_bps, row->out_bps) / (cap * 1e6),
			 r->above);
		break;
	case RULE_SPEED:
		snprintf(out, len, "rule %s: speed %g Mbps below %g Mbps",
			 r->name, row->speed_mbps,
			 r->target_mbps > 0 ? r->target_mbps
					    : row->capacity_mbps);
		break;
	default:
		snprintf(out, len, "rule %s: errors %.2f/s > %g/s", r->name,
			 row->err_rate, r->above);
		break;
	}
}

/* "device/interface", formatted only when a fault needs it: rows come
 * every poll for every interface, faults rarely. */
struct lazy_obj {
	char name[FAULT_OBJECT_MAX];
	const char *dev, *ifname;
};

static const char *lazy_name(struct lazy_obj *o)
{
	if (o->name[0] == '\0')
		snprintf(o->name, sizeof(o->name), "%s/%s", o->dev, o->ifname);
	return o->name;
}

static void rule_eval(struct alerts_engine *e, uint32_t dev, size_t ri,
		      struct rule_st *rs, const struct alerts_if *row,
		      struct lazy_obj *object)
{
	const struct rule_cfg *r = &alerts_rules(e->cfg, NULL)[ri];
	int c = rule_cond(r, row);
	char detail[FAULT_TEXT_MAX];

	if (c == 0) {
		rs->since = 0;
		fault_resolve(e, &rs->fault, row->t);
		return;
	}
	if (c < 0) {
		if (rs->fault == 0)
			rs->since = 0; /* must hold without a break */
		return;
	}
	if (rs->since == 0)
		rs->since = row->t;
	if (rs->fault != 0 || row->t - rs->since < r->for_s)
		return;
	if (maint_find(e->cfg, dev, row->t) != NULL)
		return;
	rule_detail(r, row, detail, sizeof(detail));
	rs->fault = fault_open(e, lazy_name(object), "interface",
			       rule_kind[r->type],
			       r->severity, detail, rs->since, row->t, true,
			       NULL);
}

static void iface_oper(struct alerts_engine *e, uint32_t dev,
		       struct if_st *s, const struct alerts_if *row,
		       struct lazy_obj *object)
{
	char detail[FAULT_TEXT_MAX];

	if (isnan(row->oper) || e->d[dev].av.state != AV_UP)
		return;
	avail_update(&s->av, row->oper > 0.5, row->t, down_after(e, dev),
		     up_after(e, dev));
	if (s->av.state == AV_UP) {
		fault_resolve(e, &s->down_fault, s->av.first_good);
		return;
	}
	if (s->av.state != AV_DOWN || s->down_fault != 0 ||
	    maint_find(e->cfg, dev, row->t) != NULL)
		return;
	snprintf(detail, sizeof(detail), "interface %s oper status down",
		 lazy_name(object));
	s->down_fault = fault_open(
		e, lazy_name(object), "interface", "down",
		e->acfg->severity[e->cfg->devices[dev].role], detail,
		s->av.first_fail, row->t, true, NULL);
}

void alerts_iface_row(struct alerts_engine *e, uint32_t dev, int32_t ifslot,
		      const struct alerts_if *row)
{
	struct lazy_obj object;
	struct if_st *s;

	if (dev >= e->n || ifslot < 0 || row->name == NULL)
		return;
	s = iface_get(e, dev, ifslot, row->name);
	if (s == NULL)
		return;
	object.name[0] = '\0';
	object.dev = e->cfg->devices[dev].name;
	object.ifname = row->name;
	iface_oper(e, dev, s, row, &object);
	for (size_t r = 0; r < config_count(e->cfg, &rule_section); r++)
		if (config_scope_match(e->cfg, dev, alerts_rules(e->cfg, NULL)[r].scope))
			rule_eval(e, dev, r, &s->rs[r], row, &object);
}

/* ---- packet capture (issue 6) ------------------------------------- */

#define CAPTURE_KIND_DROPS "capture-drops"
#define CAPTURE_KIND_DIVERGE "divergence"

static void capture_object(const struct capture_cfg *c, char *out,
			   size_t len)
{
	snprintf(out, len, "%s/pcap-%s", c->device, c->name);
}

static void capture_drops(struct alerts_engine *e, size_t cap,
			  const struct capture_cfg *c, const char *object,
			  const struct alerts_capture *row)
{
	struct cap_st *cs = &e->caps[cap];
	char detail[FAULT_TEXT_MAX];

	if (isnan(row->drop_pct))
		return;
	if (row->drop_pct <= c->drop_alert) {
		fault_resolve(e, &cs->drop_fault, row->t);
		return;
	}
	if (cs->drop_fault != 0 || c->device_idx < 0 ||
	    maint_find(e->cfg, (size_t)c->device_idx, row->t) != NULL)
		return;
	snprintf(detail, sizeof(detail),
		 "capture %s: %.2f%% of packets dropped (above %g%%): "
		 "capture ring too small or reader too slow",
		 c->name, row->drop_pct, c->drop_alert);
	cs->drop_fault = fault_open(e, object, "interface", CAPTURE_KIND_DROPS,
				    SEV_MINOR, detail, row->t, row->t, true,
				    NULL);
}

static void capture_diverge(struct alerts_engine *e, size_t cap,
			    const struct capture_cfg *c, const char *object,
			    const struct alerts_capture *row)
{
	struct cap_st *cs = &e->caps[cap];
	char detail[FAULT_TEXT_MAX];

	if (isnan(row->diverge_pct))
		return;
	if (row->diverge_pct <= c->crosscheck_share) {
		cs->div_bad = 0;
		if (++cs->div_good >= 2)
			fault_resolve(e, &cs->div_fault, row->t);
		return;
	}
	cs->div_good = 0;
	if (++cs->div_bad < 2 || cs->div_fault != 0 || c->device_idx < 0 ||
	    maint_find(e->cfg, (size_t)c->device_idx, row->t) != NULL)
		return;
	snprintf(detail, sizeof(detail),
		 "capture %s: %.0f bit/s captured, %.0f bit/s by SNMP on %s/%s "
		 "(%.1f%% apart, above %g%%): mirror port or counter broken?",
		 c->name, row->capture_bps, row->snmp_bps, c->device,
		 c->interface, row->diverge_pct, c->crosscheck_share);
	cs->div_fault = fault_open(e, object, "interface",
				   CAPTURE_KIND_DIVERGE, SEV_MAJOR, detail,
				   row->t, row->t, true, NULL);
}

void alerts_capture_row(struct alerts_engine *e, size_t cap,
			const struct alerts_capture *row)
{
	const struct capture_cfg *c;
	char object[FAULT_OBJECT_MAX];

	if (cap >= config_count(e->cfg, &capture_section))
		return;
	c = &capture_configs(e->cfg, NULL)[cap];
	capture_object(c, object, sizeof(object));
	capture_drops(e, cap, c, object, row);
	capture_diverge(e, cap, c, object, row);
}

void alerts_capture_faults(const struct alerts_engine *e, size_t cap,
			   int64_t *ret_drops, int64_t *ret_divergence)
{
	int in = cap < config_count(e->cfg, &capture_section);

	*ret_drops = in ? e->caps[cap].drop_fault : 0;
	*ret_divergence = in ? e->caps[cap].div_fault : 0;
}

/* At reconcile: an active capture fault goes back to its capture (the
 * next interval resolves or keeps it); one whose capture is gone is
 * resolved. Returns false when f is not a capture fault. */
static bool capture_adopt(struct alerts_engine *e, const struct fault *f,
			  double now, int *rc, char *err, size_t errlen)
{
	char object[FAULT_OBJECT_MAX];
	bool drops = strcmp(f->kind, CAPTURE_KIND_DROPS) == 0;

	if (!drops && strcmp(f->kind, CAPTURE_KIND_DIVERGE) != 0)
		return false;
	for (size_t i = 0; i < config_count(e->cfg, &capture_section); i++) {
		capture_object(&capture_configs(e->cfg, NULL)[i], object, sizeof(object));
		if (strcmp(object, f->object) != 0)
			continue;
		if (drops)
			e->caps[i].drop_fault = f->id;
		else
			e->caps[i].div_fault = f->id;
		return true;
	}
	*rc = journal_fault_resolve(e->j, f->id, now, err, errlen);
	return true;
}

/* ---- tick ---------------------------------------------------------- */

/* Records window occurrences as they start; re-evaluates the devices that
 * are not answering when any window starts or ends. */
static void tick_maint(struct alerts_engine *e, double now)
{
	bool changed = false;
	char err[256];

	for (size_t i = 0; i < config_count(e->cfg, &maint_section); i++) {
		const struct maint_cfg *m = &alerts_maints(e->cfg, NULL)[i];
		double s = 0, en = 0;
		bool on = maint_occurrence(m, now, &s, &en);

		if (on && s != e->maint_start[i]) {
			if (journal_maint_record(e->j, m->name, m->scope, s, en,
						 err, sizeof(err)) < 0)
				jerr(e, err);
			else
				e->maint_start[i] = s;
		}
		if (on != e->maint_on[i])
			changed = true;
		e->maint_on[i] = on;
	}
	if (!changed)
		return;
	for (size_t d = 0; d < e->n; d++)
		if (e->d[d].av.state == AV_DOWN && e->d[d].fault == 0)
			evaluate(e, d, now);
}

static void tick_flapping(struct alerts_engine *e, size_t dev, double now)
{
	struct dev_st *ds = &e->d[dev];
	double win = e->acfg->flap_window_min * 60.0;

	if (!ds->flapping || flap_count(ds, now, win) > 0)
		return;
	ds->flapping = false;
	e->st.flapping--;
	fault_resolve(e, &ds->flap_fault, now);
	if (ds->av.state == AV_DOWN && ds->fault == 0)
		evaluate(e, dev, now);
}

static void tick_remind(struct alerts_engine *e, double now)
{
	struct fault_query q = { .filter = JQ_REMIND, .now = now };
	struct fault *fs;
	char err[256];
	size_t n;

	if (e->acfg->remind_min <= 0 ||
	    now - e->last_remind < REMIND_CHECK_S)
		return;
	e->last_remind = now;
	q.remind_s = e->acfg->remind_min * 60.0;
	if (journal_fault_list(e->j, &q, &fs, &n, err, sizeof(err)) < 0) {
		jerr(e, err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (journal_fault_reminded(e->j, fs[i].id, now, err,
					   sizeof(err)) < 0) {
			jerr(e, err);
			continue;
		}
		e->st.reminders++;
		emit_fault(e, AEV_REMIND, fs[i].id, now);
	}
	free(fs);
}

void alerts_tick(struct alerts_engine *e, double now)
{
	tick_maint(e, now);
	for (size_t d = 0; d < e->n; d++) {
		struct dev_st *ds = &e->d[d];

		tick_flapping(e, d, now);
		/* held children, and opens a journal error made us retry */
		if (ds->av.state == AV_DOWN && ds->fault == 0 &&
		    ds->state == OBJ_DOWN && !ds->flapping)
			evaluate(e, d, now);
	}
	tick_remind(e, now);
	state_flush(e);
}

void alerts_engine_stop(struct alerts_engine *e, double now)
{
	if (e == NULL || e->stopped)
		return;
	for (size_t d = 0; d < e->n; d++) {
		if (e->d[d].state == OBJ_UNKNOWN)
			continue;
		/* the log only: the last status snapshot keeps the states */
		state_queue(e, d, OBJ_UNKNOWN, "slamond stopped",
			    now > e->d[d].state_t ? now : e->d[d].state_t);
	}
	state_flush(e);
	e->stopped = true;
}

/* ---- life cycle ---------------------------------------------------- */

int alerts_engine_create(const struct config *cfg, struct journal *j,
			 alerts_event_fn fn, void *arg,
			 struct alerts_engine **ret_e, char *err,
			 size_t errlen)
{
	struct alerts_engine *e;
	size_t n = cfg->ndevices;

	*ret_e = NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		goto err;
	e->cfg = cfg;
	e->acfg = alerts_config(cfg);
	e->j = j;
	e->fn = fn;
	e->arg = arg;
	e->n = n;
	e->d = calloc(n ? n : 1, sizeof(*e->d));
	e->first_child = malloc((n ? n : 1) * sizeof(int));
	e->next_sibling = malloc((n ? n : 1) * sizeof(int));
	e->maint_on = calloc(config_count(cfg, &maint_section) + 1, sizeof(bool));
	e->maint_start = calloc(config_count(cfg, &maint_section) + 1, sizeof(double));
	e->caps = calloc(config_count(cfg, &capture_section) + 1, sizeof(*e->caps));
	if (e->d == NULL || e->first_child == NULL ||
	    e->next_sibling == NULL || e->maint_on == NULL ||
	    e->maint_start == NULL || e->caps == NULL)
		goto err;
	for (size_t i = 0; i < n; i++)
		e->first_child[i] = e->next_sibling[i] = -1;
	for (size_t i = n; i-- > 0;) {
		int p = cfg->devices[i].parent_idx;

		if (p >= 0 && (size_t)p < n && (size_t)p != i) {
			e->next_sibling[i] = e->first_child[p];
			e->first_child[p] = (int)i;
		}
	}
	*ret_e = e;
	return 0;
err:
	snprintf(err, errlen, "alerts engine: out of memory");
	alerts_engine_destroy(e);
	return -ENOMEM;
}

void alerts_engine_destroy(struct alerts_engine *e)
{
	if (e == NULL)
		return;
	state_flush(e);
	free(e->pend);
	for (size_t i = 0; e->d != NULL && i < e->n; i++) {
		for (size_t k = 0; k < e->d[i].nifs; k++)
			free(e->d[i].ifs[k].rs);
		free(e->d[i].ifs);
	}
	free(e->d);
	free(e->first_child);
	free(e->next_sibling);
	free(e->maint_on);
	free(e->maint_start);
	free(e->adopted);
	free(e->caps);
	free(e);
}

static void adopt_device(struct alerts_engine *e, size_t dev,
			 const struct fault *f)
{
	struct dev_st *ds = &e->d[dev];

	if (strcmp(f->kind, "flapping") == 0) {
		ds->flapping = true;
		e->st.flapping++;
		ds->flap_fault = f->id;
		ds->flap_t[ds->nflap++ % FLAP_MAX] = f->detect_t;
		return;
	}
	if (strcmp(f->kind, "nodata") == 0) {
		/* reachable when it was adopted, unless also down */
		ds->nodata_fault = f->id;
		ds->av.state = AV_DOWN;
		ds->av.fails = (uint16_t)down_after(e, dev);
		ds->av.first_fail = f->first_fail_t;
		ds->av.since = f->first_fail_t;
		if (ds->fault == 0) {
			ds->ping_av.state = AV_UP;
			ds->state = OBJ_UP;
		}
		return;
	}
	if (strcmp(f->kind, "down") != 0)
		return;
	/* pings must answer up_after times to count as reachable again */
	ds->ping_av.state = AV_DOWN;
	ds->fault = f->id;
	ds->av.state = AV_DOWN;
	ds->av.fails = (uint16_t)down_after(e, dev);
	ds->av.first_fail = f->first_fail_t;
	ds->av.since = f->first_fail_t;
	ds->last_fail_t = f->detect_t;
	ds->state = OBJ_DOWN;
}

static int adopt_iface(struct alerts_engine *e, size_t dev, const char *ifn,
		       const struct fault *f)
{
	struct adopted *na, *a;

	na = realloc(e->adopted, (e->nadopted + 1) * sizeof(*na));
	if (na == NULL)
		return -ENOMEM;
	e->adopted = na;
	a = &na[e->nadopted++];
	memset(a, 0, sizeof(*a));
	a->dev = (uint32_t)dev;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifn);
	snprintf(a->kind, sizeof(a->kind), "%s", f->kind);
	a->id = f->id;
	return 0;
}

int alerts_engine_reconcile(struct alerts_engine *e, double now, char *err,
			    size_t errlen)
{
	/* closed-but-unresolved faults too: the outage is still going on, so
	 * a restart must neither open a duplicate nor lose the resolution
	 * time of the fault the operator closed early */
	struct fault_query q = { .filter = JQ_UNRESOLVED };
	struct fault *fs;
	size_t n;
	int rc;

	rc = journal_fault_list(e->j, &q, &fs, &n, err, errlen);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char name[FAULT_OBJECT_MAX];
		char *slash;
		int dev;

		if (capture_adopt(e, &fs[i], now, &rc, err, errlen))
			continue;
		if (strcmp(fs[i].object_kind, "service") == 0)
			continue; /* alerts/service.c adopts its own */
		if (strcmp(fs[i].kind, "sla-breach") == 0)
			continue; /* the sla_breach rule's (slarule.c) */
		snprintf(name, sizeof(name), "%s", fs[i].object);
		slash = strchr(name, '/');
		if (slash != NULL)
			*slash = '\0';
		dev = config_find_device(e->cfg, name);
		if (dev < 0) {
			/* gone from the inventory: nothing will resolve it */
			rc = journal_fault_resolve(e->j, fs[i].id, now, err,
						   errlen);
			continue;
		}
		if (slash == NULL)
			adopt_device(e, (size_t)dev, &fs[i]);
		else
			rc = adopt_iface(e, (size_t)dev, slash + 1, &fs[i]);
	}
	free(fs);
	/* a device adopted as down (or answering only ping) is in that state
	 * from now on: the state log had it unknown since slamond stopped */
	for (size_t d = 0; d < e->n; d++)
		if (e->d[d].state != OBJ_UNKNOWN) {
			e->d[d].state_t = now;
			state_queue(e, d, e->d[d].state,
				    "open fault adopted at start", now);
		}
	state_flush(e);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "alerts engine: out of memory");
	return rc;
}

/* Rule ri of e's configuration in old's (same name and type), or
 * SIZE_MAX. */
static size_t rule_in(const struct alerts_engine *old,
		      const struct alerts_engine *e, size_t ri)
{
	const struct rule_cfg *r = &alerts_rules(e->cfg, NULL)[ri];
	size_t n = config_count(old->cfg, &rule_section);

	for (size_t k = 0; k < n; k++) {
		const struct rule_cfg *o = &alerts_rules(old->cfg, NULL)[k];

		if (o->type == r->type && strcmp(o->name, r->name) == 0)
			return k;
	}
	return SIZE_MAX;
}

static void ifaces_free(struct dev_st *ds)
{
	for (size_t k = 0; k < ds->nifs; k++)
		free(ds->ifs[k].rs);
	free(ds->ifs);
	ds->ifs = NULL;
	ds->nifs = 0;
}

/* Copies old's interfaces of a device into ds (which has none yet); then
 * the journal's faults on them are theirs. 0 or -ENOMEM (none copied). */
static int adopt_ifaces(struct alerts_engine *e, uint32_t dev,
			const struct alerts_engine *old,
			const struct dev_st *o)
{
	struct dev_st *ds = &e->d[dev];
	size_t nr = config_count(e->cfg, &rule_section);

	if (o->nifs == 0)
		return 0;
	ds->ifs = calloc(o->nifs, sizeof(*ds->ifs));
	if (ds->ifs == NULL)
		return -ENOMEM;
	ds->nifs = o->nifs;
	for (size_t k = 0; k < o->nifs; k++) {
		struct if_st *s = &ds->ifs[k];

		if (!o->ifs[k].used)
			continue;
		s->rs = calloc(nr ? nr : 1, sizeof(*s->rs));
		if (s->rs == NULL) {
			ifaces_free(ds);
			return -ENOMEM;
		}
		s->used = true;
		memcpy(s->name, o->ifs[k].name, sizeof(s->name));
		s->av = o->ifs[k].av;
		s->down_fault = o->ifs[k].down_fault;
		for (size_t r = 0; r < nr; r++) {
			size_t ori = rule_in(old, e, r);

			if (ori != SIZE_MAX)
				s->rs[r] = o->ifs[k].rs[ori];
		}
	}
	for (size_t k = 0; k < ds->nifs; k++)
		if (ds->ifs[k].used)
			iface_take_adopted(e, dev, &ds->ifs[k]);
	return 0;
}

int alerts_engine_adopt_device(struct alerts_engine *e, uint32_t dev,
			       const struct alerts_engine *old,
			       uint32_t old_dev)
{
	struct dev_st *ds;
	bool was_flapping;

	if (dev >= e->n || old_dev >= old->n)
		return -EINVAL;
	ds = &e->d[dev];
	/* the journal's faults reconcile found on the device are old's
	 * too: old also knows the hysteresis around them */
	was_flapping = ds->flapping;
	ifaces_free(ds);
	*ds = old->d[old_dev];
	ds->ifs = NULL;
	ds->nifs = 0;
	if (ds->flapping && !was_flapping)
		e->st.flapping++;
	else if (!ds->flapping && was_flapping)
		e->st.flapping--;
	/* on -ENOMEM the interfaces start afresh at their next row */
	return adopt_ifaces(e, dev, old, &old->d[old_dev]);
}

enum obj_state alerts_device_state(const struct alerts_engine *e,
				   uint32_t dev, int *ret_flapping,
				   int64_t *ret_fault)
{
	if (dev >= e->n)
		return OBJ_UNKNOWN;
	if (ret_flapping != NULL)
		*ret_flapping = e->d[dev].flapping;
	if (ret_fault != NULL)
		*ret_fault = e->d[dev].fault;
	return e->d[dev].state;
}

double alerts_device_since(const struct alerts_engine *e, uint32_t dev)
{
	return dev < e->n ? e->d[dev].av.since : 0;
}

int64_t alerts_device_nodata(const struct alerts_engine *e, uint32_t dev)
{
	return dev < e->n ? e->d[dev].nodata_fault : 0;
}

void alerts_engine_stats(const struct alerts_engine *e,
			 struct alerts_stats *ret)
{
	*ret = e->st;
	ret->down = ret->unreachable = ret->maint = ret->nodata = 0;
	for (size_t i = 0; i < e->n; i++) {
		if (e->d[i].nodata_fault != 0)
			ret->nodata++;
		if (e->d[i].state == OBJ_DOWN)
			ret->down++;
		else if (e->d[i].state == OBJ_UNREACHABLE)
			ret->unreachable++;
		else if (e->d[i].state == OBJ_MAINT)
			ret->maint++;
	}
}
