/*
 * live.h - the current period's budget: for every indicator, its value so
 * far, the projection to the end of the period at the current rate and
 * the budget left (outage hours a time share still allows, late responses
 * a response rate still allows, what a count still needs). Read by
 * `slamon sla --live` and by slamond's sla_breach alert rule; the JSON
 * (sla_live_json) is what the web console's overview reads. docs/sla.md,
 * "Live: the month's budget".
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SLA_LIVE_H
#define SLAMON_SLA_LIVE_H

#include <jansson.h>
#include <stddef.h>

#include "sla.h"

enum sla_live_kind {
	SLA_LIVE_SHARE, /* time share / completeness: hours of outage */
	SLA_LIVE_RATIO, /* response rate: late responses */
	SLA_LIVE_COUNT, /* online_count, report_count: what is still needed */
	SLA_LIVE_LEVEL, /* capacity, utilisation, satisfaction: no budget */
};

struct sla_live_value {
	struct sla_value v;        /* value so far (v.value), target, state */
	enum sla_live_kind kind;
	double projected;          /* at the end of the period, current rate;
	                              NAN without data */
	enum sla_state projected_state;
	double margin;             /* how far projected meets the target, in
	                              the indicator's unit: > 0 met with room,
	                              < 0 breached; NAN without data */
	/* SLA_LIVE_SHARE: device-hours (service-hours, unit-hours) of the
	 * whole period; NAN when the comparator is not >= / > */
	double budget_h;           /* outage the target allows */
	double used_h;             /* down + without data so far */
	double left_h;             /* budget_h - used_h (< 0: exhausted) */
	double best;               /* the value if nothing else goes wrong */
	size_t items;              /* devices (or data items) in scope */
	/* SLA_LIVE_RATIO */
	size_t n, ok, pending;     /* counted, in time, window still open */
	long late_allowed;         /* more late responses the target allows
	                              (-1: already below it) */
	int one_more_late_breaches;
	/* SLA_LIVE_COUNT */
	double needed;             /* target - value, at least 0 */
};

struct sla_live {
	struct sla_result *r;  /* the evaluation up to now (owned) */
	double elapsed_s;      /* whole 5-minute rows of the period by now */
	double period_s;       /* to - from */
	struct sla_live_value *v;
	size_t n;
};

/* Evaluates p (normally the current month) at now and derives each
 * indicator's projection and budget. Returns 0 and *ret (free with
 * sla_live_destroy) or a negative errno with err, as sla_evaluate. */
int sla_live_evaluate(const struct config *cfg, const struct sla_period *p,
		      double now, struct sla_live **ret, char *err,
		      size_t errlen);

void sla_live_destroy(struct sla_live *l);

/* The JSON of docs/sla.md ("slamon sla --live --json"); new reference or
 * NULL when out of memory. */
json_t *sla_live_json(const struct sla_live *l);

const char *sla_live_kind_name(enum sla_live_kind k);

#endif
