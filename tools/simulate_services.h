/*
 * simulate_services.h - the [service] sections' part of the demo's
 * simulated month (slamon-simulate-history): state rows and one scripted
 * outage per service in the journal, so that service_availability has a
 * value for the month (docs/demo-network.md).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SIMULATE_SERVICES_H
#define SLAMON_SIMULATE_SERVICES_H

#include <stdio.h>

#include "core/config.h"
#include "storage/journal.h"

/* Writes every [service] of cfg into j for [from, to): up from `from`,
 * service k down for 20 + 25 k minutes on day 3 + 4 k at 10:00 + 2 k h
 * (a fault acknowledged, resolved and closed like the devices' simulated
 * faults), up again after it. Prints one line per service to out.
 * 0, or -EIO with the journal's message on stderr. */
int sim_services_write(const struct config *cfg, struct journal *j,
		       double from, double to, FILE *out);

#endif
