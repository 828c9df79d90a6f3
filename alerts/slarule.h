/*
 * slarule.h - the sla_breach alert rule: a fault while an indicator of the
 * budget performance table is projected to miss its target at the end of
 * the period, with hysteresis. alerts/ stands below sla/ and cannot
 * compute a projection: slamond evaluates sla/live.h off its loop every
 * few minutes and hands each indicator's outcome here, on the loop
 * thread, as a struct alerts_sla_point. The fault is written to the
 * journal first and then handed to the callback (the notifiers), as the
 * engine's faults are (engine.h). docs/alerts.md, "SLA breach rule".
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_ALERTS_SLARULE_H
#define SLAMON_ALERTS_SLARULE_H

#include <stddef.h>
#include <stdint.h>

#include "alerts/config.h"
#include "alerts/engine.h"
#include "core/config.h"
#include "storage/journal.h"

/* One indicator's projection, as sla/live.h computed it. */
struct alerts_sla_point {
	char id[CFG_NAME_MAX];  /* indicator id */
	int met;                /* the projection meets the target */
	double margin;          /* how far it meets it (indicator unit):
	                           > 0 with room, < 0 missed; NAN = no data,
	                           which changes nothing */
	char detail[FAULT_TEXT_MAX]; /* the fault's text: period, value,
	                                projection, target, budget left */
};

struct alerts_sla;

/* A rule state on journal j (which must outlive it); fn gets AEV_OPEN and
 * AEV_RESOLVE of its faults, from within alerts_sla_update. Returns 0 or
 * -ENOMEM. */
int alerts_sla_create(struct journal *j, alerts_event_fn fn, void *arg,
		      struct alerts_sla **ret);

void alerts_sla_destroy(struct alerts_sla *s);

/* At start-up: takes over the journal's unresolved sla-breach faults
 * (kind "sla-breach", object "sla:ID", object_kind "service") so that a restart opens no
 * duplicate and a later good projection resolves them. 0 or the
 * journal's error. */
int alerts_sla_reconcile(struct alerts_sla *s, char *err, size_t errlen);

/* The outcomes of one evaluation at t, under the sla_breach rules of cfg
 * (the first rule whose `indicator` is the point's id or empty applies;
 * indicators no rule covers are ignored and a fault of theirs is
 * resolved). A fault "sla-breach" on "sla:ID" opens when the projection
 * has missed the target for the rule's `for` seconds (0: at once) and
 * resolves when the projection meets the target by the rule's `margin`;
 * in between nothing changes (hysteresis). */
void alerts_sla_update(struct alerts_sla *s, const struct config *cfg,
		       const struct alerts_sla_point *pts, size_t n, double t);

/* Seconds between evaluations: the smallest `every` of cfg's sla_breach
 * rules; 0 when there is none. */
int alerts_sla_interval(const struct config *cfg);

/* Active fault of indicator id, or 0. */
int64_t alerts_sla_fault(const struct alerts_sla *s, const char *id);

#endif
