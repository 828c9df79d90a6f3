/*
 * test_alerts.c - the alerts engine on a fake clock against a real journal
 * in a temporary folder: N/M hysteresis, a parent outage as one fault with
 * N unreachable children, flapping, maintenance windows, the utilisation
 * rule's hysteresis, speed below contracted capacity, reminders, and the
 * start-up reconcile after a restart.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agents.h"
#include "alerts/engine.h"
#include "modules/modules.h"

#define T0 1700000000.0

static char dir[4096];
static char db[4200];
static struct journal *j;
static struct config *cfg;
static struct alerts_engine *e;
static char err[256];

#define EV_MAX 512
static struct alert_event evs[EV_MAX];
static size_t nev;

static void on_event(void *arg, const struct alert_event *ev)
{
	(void)arg;
	if (nev < EV_MAX)
		evs[nev++] = *ev;
}

static size_t count_ev(enum alert_event_type type, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < nev; i++)
		if (evs[i].type == type &&
		    (kind == NULL || strcmp(evs[i].fault.kind, kind) == 0))
			n++;
	return n;
}

/* Adds a device; parent "" for none. Returns its index. */
static size_t add_dev(const char *name, enum role role, const char *parent)
{
	struct device *d;

	cfg->devices = realloc(cfg->devices,
			       (cfg->ndevices + 1) * sizeof(*cfg->devices));
	cr_assert_not_null(cfg->devices);
	d = &cfg->devices[cfg->ndevices];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->unit, sizeof(d->unit), "单位 %s", name);
	d->role = role;
	d->parent_idx = parent[0] ? config_find_device(cfg, parent) : -1;
	return cfg->ndevices++;
}

static void setup(void)
{
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-alerts-"), 0);
	snprintf(db, sizeof(db), "%s/faults.db", dir);
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(config_create(&cfg), 0);
	cfg->down_after = 2;
	cfg->up_after = 2;
	for (int r = 0; r < ROLE_COUNT; r++)
		cfg->interval_s[r] = 60;
	alerts_cfg_defaults(cfg);
	nev = 0;
	e = NULL;
}

static void teardown(void)
{
	alerts_engine_destroy(e);
	journal_close(j);
	config_destroy(cfg);
	tmpdir_remove(dir);
}

TestSuite(alerts, .init = setup, .fini = teardown, .timeout = 60);

static void start(void)
{
	cr_assert_eq(alerts_engine_create(cfg, j, on_event, NULL, &e, err,
					  sizeof(err)),
		     0);
}

static size_t all_faults(struct fault **fs)
{
	struct fault_query q = { .filter = JQ_ALL };
	size_t n;

	cr_assert_eq(journal_fault_list(j, &q, fs, &n, err, sizeof(err)), 0);
	return n;
}

Test(alerts, down_after_n_up_after_m)
{
	struct fault *fs;

	add_dev("ap-1", ROLE_ACCESS, "");
	start();
	alerts_device_result(e, 0, 1, T0);
	alerts_device_result(e, 0, 0, T0 + 60);
	cr_assert_eq(alerts_device_state(e, 0, NULL, NULL), OBJ_UP);
	alerts_device_result(e, 0, 0, T0 + 120);
	cr_assert_eq(alerts_device_state(e, 0, NULL, NULL), OBJ_DOWN);
	cr_assert_eq(count_ev(AEV_OPEN, "down"), 1);
	alerts_device_result(e, 0, 0, T0 + 180);
	alerts_device_result(e, 0, 1, T0 + 240);
	cr_assert_eq(alerts_device_state(e, 0, NULL, NULL), OBJ_DOWN);
	alerts_device_result(e, 0, 1, T0 + 300);
	cr_assert_eq(alerts_device_state(e, 0, NULL, NULL), OBJ_UP);
	cr_assert_eq(count_ev(AEV_RESOLVE, "down"), 1);

	cr_assert_eq(all_faults(&fs), 1);
	cr_assert_str_eq(fs[0].object, "ap-1");
	cr_assert_str_eq(fs[0].severity, "minor");
	cr_assert_eq(fs[0].first_fail_t, T0 + 60);
	cr_assert_eq(fs[0].detect_t, T0 + 120);
	cr_assert_eq(fs[0].deadline_t, T0 + 120 + 30 * 60);
	cr_assert_eq(fs[0].resolved_t, T0 + 240); /* first good sample */
	free(fs);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

/* Children polled before their parent in every cycle (the worst order):
 * one fault for the aggregation switch, 50 unreachable access points. */
Test(alerts, parent_outage_is_one_fault)
{
	char name[32];
	struct fault *fs;
	struct fault_child *ch;
	struct alerts_stats st;
	size_t n;

	add_dev("core", ROLE_CORE, "");
	add_dev("agg-1", ROLE_AGGREGATION, "core");
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "ap-%02d", i);
		add_dev(name, ROLE_ACCESS, "agg-1");
	}
	start();
	for (int c = 0; c < 6; c++) {
		double t = T0 + c * 60;
		int ok = c < 2 || c >= 5; /* outage: cycles 2, 3, 4 */

		for (size_t d = cfg->ndevices; d-- > 0;)
			alerts_device_result(e, (uint32_t)d, d == 0 ? 1 : ok,
					     t + (double)(cfg->ndevices - d));
		alerts_tick(e, t + 59);
		if (c == 4) {
			alerts_engine_stats(e, &st);
			cr_assert_eq(st.down, 1);
			cr_assert_eq(st.unreachable, 50);
			cr_assert_eq(alerts_device_state(e, 7, NULL, NULL),
				     OBJ_UNREACHABLE);
		}
	}
	/* children come back on their own polls (up_after = 2) */
	for (size_t d = cfg->ndevices; d-- > 0;)
		alerts_device_result(e, (uint32_t)d, 1, T0 + 400);
	n = all_faults(&fs);
	cr_assert_eq(n, 1, "%zu faults", n);
	cr_assert_str_eq(fs[0].object, "agg-1");
	cr_assert_str_eq(fs[0].severity, "major");
	cr_assert_eq(fs[0].nchildren, 50);
	cr_assert_neq(fs[0].resolved_t, 0);
	cr_assert_eq(journal_fault_children(j, fs[0].id, &ch, &n, err,
					    sizeof(err)),
		     0);
	cr_assert_eq(n, 50);
	free(ch);
	free(fs);
	cr_assert_eq(count_ev(AEV_OPEN, NULL), 1);
	cr_assert_eq(alerts_device_state(e, 7, NULL, NULL), OBJ_UP);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

/* The open event goes out after the children are listed. */
Test(alerts, open_event_counts_children)
{
	add_dev("agg", ROLE_AGGREGATION, "");
	add_dev("ap-a", ROLE_ACCESS, "agg");
	add_dev("ap-b", ROLE_ACCESS, "agg");
	start();
	for (int c = 0; c < 3; c++) {
		alerts_device_result(e, 1, 0, T0 + c * 60);
		alerts_device_result(e, 2, 0, T0 + c * 60);
		alerts_device_result(e, 0, 0, T0 + c * 60 + 1);
	}
	cr_assert_eq(count_ev(AEV_OPEN, NULL), 1);
	for (size_t i = 0; i < nev; i++)
		if (evs[i].type == AEV_OPEN)
			cr_assert_eq(evs[i].fault.nchildren, 2);
}

/* A child that still fails after its parent recovered gets its own fault;
 * a child that recovers slowly does not. */
Test(alerts, child_down_after_parent_recovers)
{
	struct fault *fs;
	size_t n;

	add_dev("agg", ROLE_AGGREGATION, "");
	add_dev("ap-a", ROLE_ACCESS, "agg");
	add_dev("ap-b", ROLE_ACCESS, "agg");
	start();
	for (int c = 0; c < 3; c++) {
		alerts_device_result(e, 0, 0, T0 + c * 60);
		alerts_device_result(e, 1, 0, T0 + c * 60 + 1);
		alerts_device_result(e, 2, 0, T0 + c * 60 + 1);
	}
	for (int c = 3; c < 6; c++) {
		alerts_device_result(e, 0, 1, T0 + c * 60);
		alerts_device_result(e, 1, 0, T0 + c * 60 + 1); /* broken */
		alerts_device_result(e, 2, 1, T0 + c * 60 + 1);
	}
	n = all_faults(&fs);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(fs[0].object, "agg");
	cr_assert_str_eq(fs[1].object, "ap-a");
	cr_assert_eq(fs[1].resolved_t, 0);
	free(fs);
	cr_assert_eq(alerts_device_state(e, 2, NULL, NULL), OBJ_UP);
}

Test(alerts, flapping_opens_one_fault_not_one_per_change)
{
	struct fault *fs;
	int flapping = 0;
	size_t n, downs = 0, flaps = 0;

	alerts_config(cfg)->down_after[ROLE_ACCESS] = 1;
	alerts_config(cfg)->up_after[ROLE_ACCESS] = 1;
	add_dev("ap-f", ROLE_ACCESS, "");
	start();
	alerts_device_result(e, 0, 1, T0);
	for (int i = 1; i <= 20; i++) /* 20 changes in 20 minutes */
		alerts_device_result(e, 0, i % 2 == 0, T0 + i * 60);
	alerts_device_state(e, 0, &flapping, NULL);
	cr_assert(flapping);
	n = all_faults(&fs);
	for (size_t i = 0; i < n; i++) {
		downs += strcmp(fs[i].kind, "down") == 0;
		flaps += strcmp(fs[i].kind, "flapping") == 0;
	}
	free(fs);
	cr_assert_eq(flaps, 1);
	cr_assert_leq(downs, 2, "%zu down faults", downs);
	/* quiet (up) for a whole window: flapping ends and is resolved */
	alerts_device_result(e, 0, 1, T0 + 21 * 60);
	alerts_tick(e, T0 + 21 * 60 + 31 * 60);
	alerts_device_state(e, 0, &flapping, NULL);
	cr_assert(!flapping);
	cr_assert_eq(count_ev(AEV_RESOLVE, "flapping"), 1);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

Test(alerts, maintenance_opens_no_fault_and_is_recorded)
{
	struct maint_cfg *m;
	struct fault *fs;
	size_t n;

	add_dev("agg", ROLE_AGGREGATION, "");
	add_dev("ap-m", ROLE_ACCESS, "agg");
	m = config_item_add(cfg, &maint_section, "swap-agg");
	cr_assert_not_null(m);
	snprintf(m->scope, sizeof(m->scope), "group:agg");
	m->start_t = T0;
	m->end_t = T0 + 600;
	start();
	alerts_tick(e, T0 + 1);
	cr_assert_eq(journal_maint_count(j, T0, T0 + 1, &n, err, sizeof(err)),
		     0);
	cr_assert_eq(n, 1);
	for (int c = 0; c < 5; c++) {
		alerts_device_result(e, 0, 0, T0 + c * 60);
		alerts_device_result(e, 1, 0, T0 + c * 60);
	}
	cr_assert_eq(alerts_device_state(e, 0, NULL, NULL), OBJ_MAINT);
	cr_assert_eq(all_faults(&fs), 0);
	/* the window ends with the switch still down: now it is a fault */
	alerts_tick(e, T0 + 601);
	n = all_faults(&fs);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(fs[0].object, "agg");
	cr_assert_eq(fs[0].nchildren, 1);
	free(fs);
	cr_assert_eq(alerts_device_state(e, 1, NULL, NULL), OBJ_UNREACHABLE);
}

Test(alerts, weekly_maintenance_window)
{
	struct maint_cfg m;
	struct tm tm;
	time_t t = (time_t)T0;

	add_dev("ap", ROLE_ACCESS, "");
	memset(&m, 0, sizeof(m));
	snprintf(m.scope, sizeof(m.scope), "all");
	localtime_r(&t, &tm);
	m.day_mask = 1u << tm.tm_wday;
	m.at_min = tm.tm_hour * 60 + tm.tm_min;
	m.duration_min = 60;
	cr_assert_not_null(config_item_add(cfg, &maint_section, "weekly"));
	alerts_maints(cfg, NULL)[0] = m;
	cr_assert(alerts_in_maintenance(cfg, 0, T0 + 30));
	cr_assert(alerts_in_maintenance(cfg, 0, T0 + 7 * 86400 + 30));
	cr_assert(!alerts_in_maintenance(cfg, 0, T0 + 3700));
	cr_assert(!alerts_in_maintenance(cfg, 0, T0 + 86400 + 30));
}

static struct rule_cfg *add_rule(enum rule_type type, const char *scope)
{
	struct rule_cfg *r;

	r = config_item_add(cfg, &rule_section, NULL);
	cr_assert_not_null(r);
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "r%zu", config_count(cfg, &rule_section));
	r->type = type;
	snprintf(r->scope, sizeof(r->scope), "%s", scope);
	r->severity = SEV_MAJOR;
	return r;
}

static void row(size_t dev, const char *ifn, double t, double util_pct,
		double speed, double cap)
{
	struct alerts_if r = {
		.name = ifn, .t = t, .in_bps = util_pct / 100 * cap * 1e6,
		.out_bps = 0, .speed_mbps = speed, .capacity_mbps = cap,
		.oper = 1, .err_rate = 0,
	};

	alerts_iface_row(e, (uint32_t)dev, 0, &r);
}

Test(alerts, util_rule_with_hysteresis)
{
	struct rule_cfg *r;
	struct fault *fs;

	add_dev("bb-1", ROLE_BACKBONE, "");
	r = add_rule(RULE_UTIL, "role:backbone");
	r->above = 80;
	r->clear_below = 60;
	r->for_s = 300;
	start();
	alerts_device_result(e, 0, 1, T0);
	row(0, "xe-0/0/0", T0, 50, 10000, 10000);
	for (int i = 1; i <= 5; i++) /* above 80% from T0+60 */
		row(0, "xe-0/0/0", T0 + i * 60, 90, 10000, 10000);
	cr_assert_eq(count_ev(AEV_OPEN, "util"), 0);
	row(0, "xe-0/0/0", T0 + 360, 85, 10000, 10000);
	cr_assert_eq(count_ev(AEV_OPEN, "util"), 1);
	row(0, "xe-0/0/0", T0 + 420, 70, 10000, 10000); /* between */
	row(0, "xe-0/0/0", T0 + 480, 95, 10000, 10000);
	cr_assert_eq(count_ev(AEV_OPEN, "util"), 1);
	cr_assert_eq(count_ev(AEV_RESOLVE, "util"), 0);
	row(0, "xe-0/0/0", T0 + 540, 55, 10000, 10000);
	cr_assert_eq(count_ev(AEV_RESOLVE, "util"), 1);
	cr_assert_eq(all_faults(&fs), 1);
	cr_assert_str_eq(fs[0].object, "bb-1/xe-0/0/0");
	cr_assert_str_eq(fs[0].object_kind, "interface");
	cr_assert_eq(fs[0].first_fail_t, T0 + 60);
	cr_assert_eq(fs[0].resolved_t, T0 + 540);
	free(fs);
	/* a short burst does not open a fault */
	row(0, "xe-0/0/0", T0 + 600, 99, 10000, 10000);
	row(0, "xe-0/0/0", T0 + 660, 40, 10000, 10000);
	cr_assert_eq(count_ev(AEV_OPEN, "util"), 1);
}

Test(alerts, speed_below_contracted_capacity)
{
	struct rule_cfg *r;
	struct fault *fs;

	add_dev("bb-1", ROLE_BACKBONE, "");
	add_dev("ap-1", ROLE_ACCESS, "");
	r = add_rule(RULE_SPEED, "role:backbone");
	r->severity = SEV_CRITICAL;
	start();
	alerts_device_result(e, 0, 1, T0);
	alerts_device_result(e, 1, 1, T0);
	row(0, "xe-1", T0, 10, 10000, 10000);
	row(1, "ge-1", T0, 10, 100, 1000); /* not in scope */
	cr_assert_eq(count_ev(AEV_OPEN, NULL), 0);
	row(0, "xe-1", T0 + 60, 10, 1000, 10000); /* renegotiated at 1G */
	cr_assert_eq(count_ev(AEV_OPEN, "speed"), 1);
	row(0, "xe-1", T0 + 120, 10, 1000, 10000);
	cr_assert_eq(count_ev(AEV_OPEN, "speed"), 1);
	row(0, "xe-1", T0 + 180, 10, 10000, 10000);
	cr_assert_eq(count_ev(AEV_RESOLVE, "speed"), 1);
	cr_assert_eq(all_faults(&fs), 1);
	cr_assert_str_eq(fs[0].severity, "critical");
	cr_assert(strstr(fs[0].detail, "1000 Mbps below 10000") != NULL,
		  "%s", fs[0].detail);
	free(fs);
}

Test(alerts, errors_rule)
{
	struct rule_cfg *r;
	struct alerts_if in = { .name = "ge-0", .oper = 1, .speed_mbps = 1000,
				.in_bps = 0, .out_bps = 0 };

	add_dev("agg", ROLE_AGGREGATION, "");
	r = add_rule(RULE_ERRORS, "all");
	r->above = 10;
	r->clear_below = 1;
	start();
	alerts_device_result(e, 0, 1, T0);
	in.t = T0;
	in.err_rate = 50;
	alerts_iface_row(e, 0, 0, &in);
	cr_assert_eq(count_ev(AEV_OPEN, "errors"), 1);
	in.t = T0 + 60;
	in.err_rate = 5; /* between: stays */
	alerts_iface_row(e, 0, 0, &in);
	cr_assert_eq(count_ev(AEV_RESOLVE, "errors"), 0);
	in.t = T0 + 120;
	in.err_rate = 0;
	alerts_iface_row(e, 0, 0, &in);
	cr_assert_eq(count_ev(AEV_RESOLVE, "errors"), 1);
}

Test(alerts, reminders_until_acknowledged)
{
	struct fault *fs;

	alerts_config(cfg)->remind_min = 10;
	add_dev("ap-r", ROLE_ACCESS, "");
	start();
	alerts_device_result(e, 0, 0, T0);
	alerts_device_result(e, 0, 0, T0 + 60);
	cr_assert_eq(all_faults(&fs), 1);
	alerts_tick(e, T0 + 60 + 29 * 60); /* before the deadline */
	cr_assert_eq(count_ev(AEV_REMIND, NULL), 0);
	alerts_tick(e, T0 + 60 + 31 * 60);
	cr_assert_eq(count_ev(AEV_REMIND, NULL), 1);
	alerts_tick(e, T0 + 60 + 35 * 60);
	cr_assert_eq(count_ev(AEV_REMIND, NULL), 1);
	alerts_tick(e, T0 + 60 + 42 * 60);
	cr_assert_eq(count_ev(AEV_REMIND, NULL), 2);
	cr_assert_eq(journal_fault_ack(j, fs[0].id, T0 + 60 + 43 * 60, "op",
				       NULL, err, sizeof(err)),
		     0);
	alerts_tick(e, T0 + 60 + 60 * 60);
	cr_assert_eq(count_ev(AEV_REMIND, NULL), 2);
	free(fs);
}

/* Restart: the journal's active faults are adopted, no duplicates while
 * the outage goes on, resolved at the first good sample afterwards;
 * objects gone from the inventory are resolved at once. */
Test(alerts, reconcile_after_restart)
{
	struct fault *fs;
	struct fault ghost;
	int64_t gid;
	size_t n;

	add_dev("ap-1", ROLE_ACCESS, "");
	add_dev("ap-2", ROLE_ACCESS, "");
	start();
	for (int c = 0; c < 2; c++) {
		alerts_device_result(e, 0, 0, T0 + c * 60);
		alerts_device_result(e, 1, 0, T0 + c * 60);
	}
	memset(&ghost, 0, sizeof(ghost));
	snprintf(ghost.object, sizeof(ghost.object), "removed-ap");
	snprintf(ghost.object_kind, sizeof(ghost.object_kind), "device");
	snprintf(ghost.kind, sizeof(ghost.kind), "down");
	snprintf(ghost.severity, sizeof(ghost.severity), "minor");
	ghost.first_fail_t = ghost.detect_t = ghost.deadline_t = T0;
	cr_assert_eq(journal_fault_open(j, &ghost, &gid, NULL, err,
					sizeof(err)),
		     0);
	/* "crash": the engine's memory is gone */
	alerts_engine_destroy(e);
	e = NULL;
	nev = 0;
	start();
	cr_assert_eq(alerts_engine_reconcile(e, T0 + 600, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(alerts_device_state(e, 0, NULL, NULL), OBJ_DOWN);
	alerts_device_result(e, 0, 0, T0 + 660); /* still down */
	alerts_device_result(e, 1, 1, T0 + 660); /* recovered meanwhile */
	alerts_device_result(e, 0, 0, T0 + 720);
	alerts_device_result(e, 1, 1, T0 + 720);
	cr_assert_eq(count_ev(AEV_OPEN, NULL), 0);
	n = all_faults(&fs);
	cr_assert_eq(n, 3);
	cr_assert_eq(fs[0].resolved_t, 0);        /* ap-1 still down */
	cr_assert_eq(fs[1].resolved_t, T0 + 660); /* ap-2: first good */
	cr_assert_eq(fs[2].resolved_t, T0 + 600); /* gone */
	free(fs);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

Test(alerts, interface_fault_adopted_after_restart)
{
	struct rule_cfg *r;
	struct fault *fs;

	add_dev("bb", ROLE_BACKBONE, "");
	r = add_rule(RULE_SPEED, "all");
	(void)r;
	start();
	alerts_device_result(e, 0, 1, T0);
	row(0, "xe-9", T0, 10, 1000, 10000);
	cr_assert_eq(count_ev(AEV_OPEN, "speed"), 1);
	alerts_engine_destroy(e);
	e = NULL;
	nev = 0;
	start();
	cr_assert_eq(alerts_engine_reconcile(e, T0 + 60, err, sizeof(err)), 0);
	alerts_device_result(e, 0, 1, T0 + 120);
	row(0, "xe-9", T0 + 120, 10, 10000, 10000);
	cr_assert_eq(count_ev(AEV_RESOLVE, "speed"), 1);
	cr_assert_eq(all_faults(&fs), 1);
	free(fs);
}

/* ---- notifiers ----------------------------------------------------- */

#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "alerts/notify.h"
#include "http_receiver.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct notifier_cfg *add_notifier(const char *name, int type)
{
	struct notifier_cfg *n;

	n = config_item_add(cfg, &notifier_section, NULL);
	cr_assert_not_null(n);
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->type = type;
	n->timeout_s = 5;
	n->retries = 0;
	n->backoff_s = 1;
	snprintf(n->events, sizeof(n->events), "open,resolve,remind");
	n->min_severity = SEV_WARNING;
	return n;
}

/* Opens a fault in the journal the way the engine does and returns its
 * open event. */
static struct alert_event open_fault(const char *object)
{
	struct alert_event ev;
	int64_t id;

	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_OPEN;
	snprintf(ev.fault.object, sizeof(ev.fault.object), "%s", object);
	snprintf(ev.fault.object_kind, sizeof(ev.fault.object_kind), "device");
	snprintf(ev.fault.kind, sizeof(ev.fault.kind), "down");
	snprintf(ev.fault.severity, sizeof(ev.fault.severity), "major");
	snprintf(ev.fault.detail, sizeof(ev.fault.detail), "汇聚交换机不可达");
	ev.fault.first_fail_t = T0;
	ev.fault.detect_t = T0 + 60;
	ev.fault.deadline_t = T0 + 1860;
	cr_assert_eq(journal_fault_open(j, &ev.fault, &id, NULL, err,
					sizeof(err)),
		     0);
	ev.fault.id = id;
	return ev;
}

static size_t results(int64_t id, const char *result)
{
	struct notify_rec *rs;
	size_t n, k = 0;

	cr_assert_eq(journal_notify_list(j, id, &rs, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		k += strcmp(rs[i].result, result) == 0;
	free(rs);
	return k;
}

TestSuite(notify, .init = setup, .fini = teardown, .timeout = 60);

Test(notify, wecom_webhook_delivered)
{
	struct http_receiver *rcv;
	struct notifier *nt;
	struct notifier_cfg *nc;
	struct alert_event ev;
	char body[8192];
	json_error_t je;
	json_t *o;

	cr_assert_eq(http_receiver_start(&rcv, 200,
					 "{\"errcode\":0,\"errmsg\":\"ok\"}", 0),
		     0);
	nc = add_notifier("wecom", NOTIFIER_WEBHOOK);
	nc->tmpl = TPL_WECOM;
	snprintf(nc->url, sizeof(nc->url), "http://127.0.0.1:%d/cgi-bin/webhook/send?key=x",
		 http_receiver_port(rcv));
	cr_assert_eq(notifier_create(cfg, db, 0, &nt, err, sizeof(err)), 0);
	ev = open_fault("agg-1");
	cr_assert_eq(notifier_submit(nt, &ev), 0);
	cr_assert_eq(notifier_drain(nt, 10000), 0);
	cr_assert_eq(http_receiver_count(rcv), 1);
	http_receiver_last_body(rcv, body, sizeof(body));
	o = json_loads(body, 0, &je);
	cr_assert_not_null(o, "%s: %s", je.text, body);
	cr_assert_str_eq(json_string_value(json_object_get(o, "msgtype")),
			 "text");
	cr_assert(strstr(json_string_value(json_object_get(
				 json_object_get(o, "text"), "content")),
			 "agg-1") != NULL);
	json_decref(o);
	notifier_destroy(nt);
	http_receiver_stop(rcv);
	cr_assert_eq(results(ev.fault.id, "ok"), 1);
}

Test(notify, robot_errcode_is_a_failure)
{
	struct http_receiver *rcv;
	struct notifier *nt;
	struct notifier_cfg *nc;
	struct alert_event ev;

	cr_assert_eq(http_receiver_start(&rcv, 200,
					 "{\"errcode\":310000,\"errmsg\":"
					 "\"keywords not in content\"}",
					 0),
		     0);
	nc = add_notifier("ding", NOTIFIER_WEBHOOK);
	nc->tmpl = TPL_DINGTALK;
	snprintf(nc->url, sizeof(nc->url), "http://127.0.0.1:%d/robot/send",
		 http_receiver_port(rcv));
	cr_assert_eq(notifier_create(cfg, db, 0, &nt, err, sizeof(err)), 0);
	ev = open_fault("agg-2");
	notifier_submit(nt, &ev);
	cr_assert_eq(notifier_drain(nt, 10000), 0);
	notifier_destroy(nt);
	http_receiver_stop(rcv);
	cr_assert_eq(results(ev.fault.id, "fail"), 1);
}

/* 500 every time: the submit returns at once, every attempt is recorded,
 * the fault stays in the journal. */
Test(notify, webhook_500_retried_and_recorded)
{
	struct http_receiver *rcv;
	struct notifier *nt;
	struct notifier_cfg *nc;
	struct alert_event ev;
	struct fault f;
	double t;

	cr_assert_eq(http_receiver_start(&rcv, 500, NULL, 0), 0);
	nc = add_notifier("noc", NOTIFIER_WEBHOOK);
	nc->retries = 2;
	nc->backoff_s = 1;
	snprintf(nc->url, sizeof(nc->url), "http://127.0.0.1:%d/hook",
		 http_receiver_port(rcv));
	cr_assert_eq(notifier_create(cfg, db, 0, &nt, err, sizeof(err)), 0);
	ev = open_fault("ap-500");
	t = mono();
	cr_assert_eq(notifier_submit(nt, &ev), 0);
	cr_assert_lt(mono() - t, 0.1);
	cr_assert_eq(notifier_drain(nt, 20000), 0);
	t = mono() - t;
	cr_assert_geq(t, 3.0, "back-off 1 s + 2 s, took %.2f s", t);
	notifier_destroy(nt);
	cr_assert_eq(http_receiver_count(rcv), 3);
	http_receiver_stop(rcv);
	cr_assert_eq(results(ev.fault.id, "fail"), 3);
	cr_assert_eq(results(ev.fault.id, "gave-up"), 1);
	cr_assert_eq(journal_fault_get(j, ev.fault.id, &f, err, sizeof(err)),
		     0);
	cr_assert_eq(f.closed_t, 0);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

/* A receiver that never answers in time: each attempt times out after 1 s,
 * submit never blocks, and a second notifier still gets its delivery. */
Test(notify, hanging_webhook_times_out)
{
	struct http_receiver *hang, *ok;
	struct notifier *nt;
	struct notifier_cfg *nc;
	struct alert_event ev;
	double t;

	cr_assert_eq(http_receiver_start(&hang, 200, NULL, 30000), 0);
	cr_assert_eq(http_receiver_start(&ok, 200, NULL, 0), 0);
	nc = add_notifier("hang", NOTIFIER_WEBHOOK);
	nc->timeout_s = 1;
	nc->retries = 1;
	snprintf(nc->url, sizeof(nc->url), "http://127.0.0.1:%d/",
		 http_receiver_port(hang));
	nc = add_notifier("ok", NOTIFIER_WEBHOOK);
	snprintf(nc->url, sizeof(nc->url), "http://127.0.0.1:%d/",
		 http_receiver_port(ok));
	cr_assert_eq(notifier_create(cfg, db, 0, &nt, err, sizeof(err)), 0);
	ev = open_fault("ap-hang");
	t = mono();
	for (int i = 0; i < 100; i++) /* the loop thread keeps going */
		cr_assert_geq(notifier_submit(nt, &(struct alert_event){
							  .type = AEV_STATE }),
			      0);
	cr_assert_eq(notifier_submit(nt, &ev), 0);
	cr_assert_lt(mono() - t, 0.1);
	cr_assert_eq(notifier_drain(nt, 20000), 0);
	notifier_destroy(nt);
	http_receiver_stop(hang);
	http_receiver_stop(ok);
	cr_assert_eq(results(ev.fault.id, "timeout"), 2);
	cr_assert_eq(results(ev.fault.id, "ok"), 1);
}

Test(notify, command_gets_fault_in_environment)
{
	struct notifier *nt;
	struct notifier_cfg *nc;
	struct alert_event ev;
	char out[600], line[512] = "";
	FILE *fp;

	snprintf(out, sizeof(out), "%.500s/cmd.out", dir);
	nc = add_notifier("script", NOTIFIER_COMMAND);
	snprintf(nc->command, sizeof(nc->command),
		 "/bin/sh -c \"echo $SLAMON_EVENT $SLAMON_FAULT_ID "
		 "$SLAMON_OBJECT $SLAMON_SEVERITY > %s\"",
		 out);
	nc = add_notifier("slow", NOTIFIER_COMMAND);
	nc->timeout_s = 1;
	snprintf(nc->command, sizeof(nc->command), "sleep 30");
	cr_assert_eq(notifier_create(cfg, db, 0, &nt, err, sizeof(err)), 0);
	ev = open_fault("ap-cmd");
	notifier_submit(nt, &ev);
	cr_assert_eq(notifier_drain(nt, 10000), 0);
	notifier_destroy(nt);
	fp = fopen(out, "r");
	cr_assert_not_null(fp);
	cr_assert_not_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	cr_assert_str_eq(line, "open 1 ap-cmd major\n");
	cr_assert_eq(results(ev.fault.id, "ok"), 1);
	cr_assert_eq(results(ev.fault.id, "timeout"), 1);
}

Test(notify, generic_body_and_filters)
{
	struct alert_event ev;
	char *body;
	json_t *o;

	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_RESOLVE;
	ev.fault.id = 7;
	snprintf(ev.fault.object, sizeof(ev.fault.object), "bb-1/xe-0");
	snprintf(ev.fault.kind, sizeof(ev.fault.kind), "speed");
	ev.fault.nchildren = 3;
	body = notify_format_body(&ev, TPL_GENERIC);
	o = json_loads(body, 0, NULL);
	cr_assert_not_null(o);
	cr_assert_str_eq(json_string_value(json_object_get(o, "event")),
			 "resolve");
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(o, "fault"), "id")),
		     7);
	cr_assert(strstr(json_string_value(json_object_get(o, "text")),
			 "恢复") != NULL);
	json_decref(o);
	free(body);
}

/* A recovery message shows the first failure and the recovery at their own
 * times (each formatted into its own buffer), for the robots' text and the
 * generic body alike. */
Test(notify, recovery_text_shows_both_times)
{
	struct alert_event ev;
	char text[2048], ts[32], want_first[64], want_rec[64];
	time_t t1 = (time_t)T0, t2 = (time_t)(T0 + 3 * 3600 + 17 * 60);
	struct tm tm;

	memset(&ev, 0, sizeof(ev));
	ev.type = AEV_RESOLVE;
	ev.fault.id = 9;
	snprintf(ev.fault.object, sizeof(ev.fault.object), "ap-1");
	snprintf(ev.fault.kind, sizeof(ev.fault.kind), "down");
	snprintf(ev.fault.severity, sizeof(ev.fault.severity), "minor");
	ev.fault.first_fail_t = (double)t1;
	ev.fault.detect_t = (double)t1 + 120;
	ev.fault.resolved_t = (double)t2;
	localtime_r(&t1, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(want_first, sizeof(want_first), "首次失败 %s", ts);
	localtime_r(&t2, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(want_rec, sizeof(want_rec), "恢复 %s", ts);
	notify_format_text(&ev, text, sizeof(text));
	cr_assert(strstr(text, want_first) != NULL, "%s", text);
	cr_assert(strstr(text, want_rec) != NULL, "%s", text);
	/* the fault's kind and severity in Chinese, as the duty team reads
	 * them, not the journal's English words */
	cr_assert(strstr(text, "#9 ap-1 设备中断（次要）") != NULL, "%s", text);
	cr_assert(strstr(text, "minor") == NULL, "%s", text);
}

#include <errno.h>

/* A reload (SIGHUP) builds a new engine; a device it keeps unchanged takes
 * over the old engine's state: no second "up" (or "down") logged for it,
 * its open fault kept, the rule's clock kept running. */
Test(alerts, reload_adopts_unchanged_device_state)
{
	struct alerts_engine *old;
	struct rule_cfg *r;
	struct fault *fs;

	add_dev("bb", ROLE_BACKBONE, "");
	add_dev("ap-1", ROLE_ACCESS, "");
	r = add_rule(RULE_UTIL, "all");
	r->above = 80;
	r->clear_below = 60;
	r->for_s = 300;
	start();
	alerts_device_result(e, 0, 1, T0);
	alerts_device_result(e, 1, 0, T0);
	alerts_device_result(e, 1, 0, T0 + 60);
	row(0, "xe-0", T0, 90, 10000, 10000);
	row(0, "xe-0", T0 + 60, 90, 10000, 10000);
	cr_assert_eq(count_ev(AEV_OPEN, "down"), 1);
	cr_assert_eq(count_ev(AEV_STATE, NULL), 2);

	old = e;
	e = NULL;
	start();
	cr_assert_eq(alerts_engine_reconcile(e, T0 + 90, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(alerts_engine_adopt_device(e, 0, old, 0), 0);
	cr_assert_eq(alerts_engine_adopt_device(e, 1, old, 1), 0);
	cr_assert_eq(alerts_engine_adopt_device(e, 2, old, 0), -EINVAL);
	alerts_engine_destroy(old);
	nev = 0;
	cr_assert_eq(alerts_device_state(e, 0, NULL, NULL), OBJ_UP);
	cr_assert_eq(alerts_device_state(e, 1, NULL, NULL), OBJ_DOWN);
	cr_assert_eq(alerts_device_since(e, 1), T0);
	alerts_device_result(e, 0, 1, T0 + 120);
	alerts_device_result(e, 1, 0, T0 + 120);
	cr_assert_eq(count_ev(AEV_STATE, NULL), 0);
	cr_assert_eq(count_ev(AEV_OPEN, NULL), 0);
	/* above 80 % since T0, for 300 s: opens at T0 + 300, not later */
	for (int i = 2; i <= 5; i++)
		row(0, "xe-0", T0 + i * 60, 90, 10000, 10000);
	cr_assert_eq(count_ev(AEV_OPEN, "util"), 1);
	/* ap-1 recovers: one state change, one resolution */
	alerts_device_result(e, 1, 1, T0 + 180);
	alerts_device_result(e, 1, 1, T0 + 240);
	cr_assert_eq(count_ev(AEV_STATE, NULL), 1);
	cr_assert_eq(count_ev(AEV_RESOLVE, "down"), 1);
	cr_assert_eq(all_faults(&fs), 2);
	free(fs);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

/* The state log the SLA reads availability from: the start-up's first
 * result, a failure from its first failed poll and a recovery from its
 * first good one (not when they were decided), a parent outage as
 * "unreachable" with its reason, all written at the tick in one go, and
 * "unknown" for every device when slamond stops (nothing after). */
static char states[2048];

static int state_row(void *arg, const char *object, const char *state,
		     const char *reason, double t)
{
	size_t len = strlen(states);

	(void)arg;
	snprintf(states + len, sizeof(states) - len, "%s %s %.0f %s;", object,
		 state, t - T0, reason);
	return 0;
}

Test(alerts, state_log_for_availability)
{
	add_dev("agg", ROLE_AGGREGATION, "");
	add_dev("ap", ROLE_ACCESS, "agg");
	start();
	cr_assert_eq(alerts_engine_reconcile(e, T0, err, sizeof(err)), 0);
	alerts_device_result(e, 0, 1, T0 + 1);
	alerts_device_result(e, 1, 1, T0 + 2);
	states[0] = '\0';
	cr_assert_eq(journal_state_scan(j, 0, T0 * 2, state_row, NULL, err,
					sizeof(err)),
		     0);
	cr_assert_str_eq(states, "", "queued until the tick: %s", states);
	alerts_tick(e, T0 + 3);
	/* both fail from 61; decided at 121 (down_after 2) */
	for (int c = 1; c <= 4; c++) {
		int ok = c >= 3;

		alerts_device_result(e, 0, ok, T0 + c * 60 + 1);
		alerts_device_result(e, 1, ok, T0 + c * 60 + 2);
		alerts_tick(e, T0 + c * 60 + 3);
	}
	alerts_engine_stop(e, T0 + 300);
	alerts_device_result(e, 1, 0, T0 + 301); /* after the stop */
	alerts_tick(e, T0 + 302);
	states[0] = '\0';
	cr_assert_eq(journal_state_scan(j, 0, T0 * 2, state_row, NULL, err,
					sizeof(err)),
		     0);
	/* up again at the first good poll (181 / 182), confirmed at 241 */
	cr_assert_str_eq(states,
			 "agg up 1 ;agg down 61 ;agg up 181 ;"
			 "agg unknown 300 slamond stopped;"
			 "ap up 2 ;ap unreachable 62 parent agg down;"
			 "ap up 182 ;"
			 "ap unknown 300 slamond stopped;",
			 "%s", states);
}
