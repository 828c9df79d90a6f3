/*
 * test_sla_rule.c - the sla_breach alert rule at the alerts seam
 * (alerts/slarule.h): the projections slamond hands over open a fault
 * (journal first, then the callback) when an indicator is projected to
 * miss its target for the rule's `for`, keep it while the projection is
 * back but within `margin` (hysteresis) or without data, resolve it once
 * the margin is reached; a restart adopts the open fault (no duplicate)
 * and the alerts engine's reconcile leaves it alone; the [rule] keys and
 * their errors.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents.h"
#include "alerts/config.h"
#include "alerts/engine.h"
#include "alerts/slarule.h"
#include "core/config.h"
#include "modules/modules.h"
#include "storage/journal.h"

#define T0 1790784000.0
#define EV_MAX 16

static char dir[4096], db[4200];
static struct journal *j;
static struct config *cfg;
static struct alert_event evs[EV_MAX];
static size_t nev;

static void on_event(void *arg, const struct alert_event *ev)
{
	(void)arg;
	/* the row is committed before the callback runs */
	cr_assert_gt(ev->fault.id, 0);
	if (nev < EV_MAX)
		evs[nev++] = *ev;
}

static int load(const char *text, struct config **ret, struct diag *d)
{
	char path[4300], inv[4300];

	snprintf(inv, sizeof(inv), "%s/inventory.csv", dir);
	cr_assert_eq(write_file(inv, "unit,name,address,role,parent,profile\n"
				     "区教育局,ap-1,10.1.0.1,access,,p\n"),
		     0);
	snprintf(path, sizeof(path), "%s/slamon.conf", dir);
	cr_assert_eq(write_file(path, text), 0);
	return config_load(path, ret, d);
}

static void setup(void)
{
	struct diag d = { 0 };
	char err[256];

	cr_assert_eq(modules_register(), 0);
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-slarule-"), 0);
	snprintf(db, sizeof(db), "%s/faults.db", dir);
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(load("[general]\n"
			  "inventory = inventory.csv\n"
			  "storage_dir = .\n"
			  "[profile p]\n"
			  "version = 2c\n"
			  "community = public\n"
			  "[rule budget]\n"
			  "type = sla_breach\n"
			  "indicator = unit_connectivity\n"
			  "margin = 0.5\n"
			  "for = 600\n"
			  "severity = minor\n"
			  "every = 2\n",
			  &cfg, &d),
		     0, "%s", d.n ? d.msgs[0] : "?");
	diag_destroy(&d);
	nev = 0;
}

static void teardown(void)
{
	config_destroy(cfg);
	journal_close(j);
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(dir);
}

TestSuite(sla_rule, .init = setup, .fini = teardown, .timeout = 60);

static struct alerts_sla_point pt(const char *id, int met, double margin)
{
	struct alerts_sla_point p;

	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", id);
	p.met = met;
	p.margin = margin;
	snprintf(p.detail, sizeof(p.detail), "2026-10 单位联网率：预计 %.2f",
		 99 + margin);
	return p;
}

static void feed(struct alerts_sla *s, int met, double margin, double t)
{
	struct alerts_sla_point p = pt("unit_connectivity", met, margin);

	alerts_sla_update(s, cfg, &p, 1, t);
}

static size_t unresolved(struct fault **ret)
{
	struct fault_query q = { .filter = JQ_UNRESOLVED };
	char err[256];
	size_t n;

	cr_assert_eq(journal_fault_list(j, &q, ret, &n, err, sizeof(err)), 0,
		     "%s", err);
	return n;
}

Test(sla_rule, opens_after_for_and_clears_only_past_the_margin)
{
	struct alerts_sla *s = NULL;
	struct fault *fs;

	cr_assert_eq(alerts_sla_create(j, on_event, NULL, &s), 0);
	feed(s, 0, -0.2, T0);
	feed(s, 0, -0.2, T0 + 300); /* 300 s < for = 600 */
	cr_assert_eq(nev, 0);
	cr_assert_eq(alerts_sla_fault(s, "unit_connectivity"), 0);
	feed(s, 0, -0.3, T0 + 600);
	cr_assert_eq(nev, 1);
	cr_assert_eq(evs[0].type, AEV_OPEN);
	cr_assert_str_eq(evs[0].fault.object, "sla:unit_connectivity");
	cr_assert_str_eq(evs[0].fault.object_kind, "service");
	cr_assert_str_eq(evs[0].fault.kind, "sla-breach");
	cr_assert_str_eq(evs[0].fault.severity, "minor");
	cr_assert_eq(evs[0].fault.first_fail_t, T0);
	cr_assert_eq(evs[0].fault.detect_t, T0 + 600);
	cr_assert(strstr(evs[0].fault.detail, "单位联网率") != NULL);
	cr_assert_eq(unresolved(&fs), 1);
	free(fs);
	/* still missing: no second fault */
	feed(s, 0, -0.4, T0 + 900);
	cr_assert_eq(nev, 1);
	/* met again but by less than the margin: kept */
	feed(s, 1, 0.2, T0 + 1200);
	/* no data: kept */
	feed(s, 0, NAN, T0 + 1500);
	cr_assert_eq(nev, 1);
	cr_assert_neq(alerts_sla_fault(s, "unit_connectivity"), 0);
	/* met by the margin: resolved */
	feed(s, 1, 0.5, T0 + 1800);
	cr_assert_eq(nev, 2);
	cr_assert_eq(evs[1].type, AEV_RESOLVE);
	cr_assert_eq(evs[1].fault.resolved_t, T0 + 1800);
	cr_assert_eq(unresolved(&fs), 0);
	free(fs);
	alerts_sla_destroy(s);
}

Test(sla_rule, a_dip_shorter_than_for_opens_nothing)
{
	struct alerts_sla *s = NULL;

	cr_assert_eq(alerts_sla_create(j, on_event, NULL, &s), 0);
	feed(s, 0, -0.1, T0);
	feed(s, 1, 0.1, T0 + 300); /* back: the clock restarts */
	feed(s, 0, -0.1, T0 + 600);
	feed(s, 0, -0.1, T0 + 900);
	cr_assert_eq(nev, 0);
	feed(s, 0, -0.1, T0 + 1200);
	cr_assert_eq(nev, 1);
	alerts_sla_destroy(s);
}

Test(sla_rule, indicators_without_a_rule_are_ignored)
{
	struct alerts_sla *s = NULL;
	struct alerts_sla_point p = pt("fault_response", 0, -50);

	cr_assert_eq(alerts_sla_create(j, on_event, NULL, &s), 0);
	for (int i = 0; i < 5; i++)
		alerts_sla_update(s, cfg, &p, 1, T0 + i * 600);
	cr_assert_eq(nev, 0);
	alerts_sla_destroy(s);
}

Test(sla_rule, restart_adopts_the_open_fault)
{
	struct alerts_sla *s = NULL;
	struct alerts_engine *e = NULL;
	struct fault *fs;
	char err[256];

	cr_assert_eq(alerts_sla_create(j, on_event, NULL, &s), 0);
	feed(s, 0, -1, T0);
	feed(s, 0, -1, T0 + 600);
	cr_assert_eq(nev, 1);
	alerts_sla_destroy(s);
	/* slamond restarts: the engine's reconcile must not resolve a
	 * fault whose object is not a device */
	cr_assert_eq(alerts_engine_create(cfg, j, on_event, NULL, &e, err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(alerts_engine_reconcile(e, T0 + 700, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(unresolved(&fs), 1);
	free(fs);
	cr_assert_eq(alerts_sla_create(j, on_event, NULL, &s), 0);
	cr_assert_eq(alerts_sla_reconcile(s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(alerts_sla_fault(s, "unit_connectivity"), evs[0].fault.id);
	feed(s, 0, -1, T0 + 900);
	cr_assert_eq(nev, 1); /* no duplicate, no second notification */
	feed(s, 1, 2, T0 + 1200);
	cr_assert_eq(nev, 2);
	cr_assert_eq(evs[1].type, AEV_RESOLVE);
	cr_assert_eq(evs[1].fault.id, evs[0].fault.id);
	alerts_sla_destroy(s);
	alerts_engine_destroy(e);
}

Test(sla_rule, rule_keys_defaults_and_errors)
{
	struct config *c2 = NULL;
	struct diag d = { 0 };
	size_t n;
	const struct rule_cfg *r = alerts_rules(cfg, &n);

	cr_assert_eq(n, 1);
	cr_assert_eq(r->type, RULE_SLA);
	cr_assert_str_eq(r->indicator, "unit_connectivity");
	cr_assert_eq(r->margin, 0.5);
	cr_assert_eq(r->for_s, 600);
	cr_assert_eq(alerts_sla_interval(cfg), 120);
	cr_assert_eq(load("[general]\n"
			  "inventory = inventory.csv\n"
			  "[profile p]\n"
			  "version = 2c\n"
			  "community = public\n"
			  "[rule any]\n"
			  "type = sla_breach\n",
			  &c2, &d),
		     0, "%s", d.n ? d.msgs[0] : "?");
	r = alerts_rules(c2, &n);
	cr_assert_eq(r->margin, 0.5);
	cr_assert_eq(r->for_s, 0);
	cr_assert_str_eq(r->indicator, "");
	cr_assert_eq(alerts_sla_interval(c2), 300);
	config_destroy(c2);
	diag_destroy(&d);
	memset(&d, 0, sizeof(d));
	cr_assert_neq(load("[general]\n"
			   "inventory = inventory.csv\n"
			   "[profile p]\n"
			   "version = 2c\n"
			   "community = public\n"
			   "[rule bad]\n"
			   "type = sla_breach\n"
			   "margin = -1\n",
			   &c2, &d),
		      0);
	cr_assert_eq(d.n, 1);
	cr_assert(strstr(d.msgs[0], "slamon.conf:8: key 'margin' in [rule "
				    "bad]: -1 is below 0") != NULL,
		  "%s", d.msgs[0]);
	diag_destroy(&d);
	/* the indicator must be one (sla/ checks: alerts/ cannot) */
	memset(&d, 0, sizeof(d));
	cr_assert_neq(load("[general]\n"
			   "inventory = inventory.csv\n"
			   "[profile p]\n"
			   "version = 2c\n"
			   "community = public\n"
			   "[rule typo]\n"
			   "type = sla_breach\n"
			   "indicator = unit_conectivity\n",
			   &c2, &d),
		      0);
	cr_assert_eq(d.n, 1);
	cr_assert(strstr(d.msgs[0], "slamon.conf:6: key 'indicator' in [rule "
				    "typo]: 'unit_conectivity' is not an "
				    "[indicator]") != NULL,
		  "%s", d.msgs[0]);
	diag_destroy(&d);
}
