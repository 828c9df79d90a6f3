/*
 * service_avail.h - the availability of a [service] over a period, exact
 * from its state changes in the journal (alerts/service.h writes every
 * one, unknown -> up too): each row starts an interval that lasts to the
 * next row of the same service, the last one to the end of the range.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SLA_SERVICE_AVAIL_H
#define SLAMON_SLA_SERVICE_AVAIL_H

#include <stddef.h>

#include "storage/journal.h"

/* Seconds of [from, to) a service spent in each state. Time before its
 * first recorded state is unknown (not monitored yet). */
struct sla_svc_time {
	double up_s, down_s, unknown_s, other_s;
	size_t outages;      /* changes into down inside the range */
	size_t rows;         /* state rows read */
};

/* Fills *ret for service name in [from, to) from j's state rows. 0 or
 * the journal's negative errno with err. */
int sla_service_time(struct journal *j, const char *name, double from,
		     double to, struct sla_svc_time *ret, char *err,
		     size_t errlen);

#endif
