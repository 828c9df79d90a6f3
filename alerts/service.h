/*
 * service.h - availability of the [service] sections: alerts/ alone turns
 * check results into a service's state (up, down, unknown) and its faults,
 * as it does for devices (engine.h):
 *
 *   down     after down_after failed checks in a row (severity of the
 *            section); resolved at the first good check of up_after good
 *            ones; the fault's detail and the state's reason are the
 *            check's ("HTTP 500", "timeout after 10 s ...")
 *   slow     total time above slow_ms in every check for slow_for seconds
 *            (warning); resolved at the first check at or below it
 *   cert     the certificate expires in fewer than cert_warn_days days
 *            (warning); resolved when a check sees a later one
 *
 * Every change of state is a journal row (object = the service's name,
 * also unknown -> up), so the availability of a service over any period
 * is exact from its state history (sla/). Faults have object_kind
 * "service". Pure logic on the caller's clock, like engine.h.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_ALERTS_SERVICE_H
#define SLAMON_ALERTS_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "alerts/engine.h"
#include "core/config.h"
#include "storage/journal.h"

/* One check's outcome as the engine needs it. */
struct svc_check_result {
	int ok;
	const char *reason;  /* why it failed ("" when ok) */
	double total_ms;     /* NAN unknown */
	double cert_days;    /* NAN unknown (not https, or no answer) */
	const char *cert_expiry; /* "" unknown */
	double t;            /* when the check started */
};

struct svc_alerts;

/* An engine for cfg's [service] sections (cfg and j outlive it). fn gets
 * AEV_STATE, AEV_OPEN and AEV_RESOLVE events as engine.h's do. 0 or
 * -ENOMEM. */
int svc_alerts_create(const struct config *cfg, struct journal *j,
		      alerts_event_fn fn, void *arg, struct svc_alerts **ret);
void svc_alerts_destroy(struct svc_alerts *e);

/* At start-up: adopts the journal's unresolved service faults (no
 * duplicate opens after a restart) and the last recorded state of each
 * service; resolves at now the faults of services no longer configured.
 * 0 or the journal's error. */
int svc_alerts_reconcile(struct svc_alerts *e, double now, char *err,
			 size_t errlen);

/* After a reload: service i takes over what old knew of its service
 * old_i (same name, same thing checked). */
void svc_alerts_adopt(struct svc_alerts *e, size_t i,
		      const struct svc_alerts *old, size_t old_i);

/* One check result of service i. */
void svc_alerts_result(struct svc_alerts *e, size_t i,
		       const struct svc_check_result *r);

/* What the status shows of service i. */
struct svc_view {
	enum obj_state state;
	double since;           /* last change of state, 0 none */
	int64_t fault_down, fault_slow, fault_cert; /* 0 none */
	char reason[192];       /* the last failed check's reason */
	int fails;              /* failed checks in a row */
};
void svc_alerts_view(const struct svc_alerts *e, size_t i,
		     struct svc_view *ret);

#endif
