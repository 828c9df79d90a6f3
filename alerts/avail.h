/*
 * avail.h - availability state of a monitored object from its poll results:
 * down after N consecutive failures, up after M consecutive successes
 * (defaults 2 and 2, as Nagios/Zabbix operators expect). Issue 3 builds the
 * fault lifecycle on these transitions.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_AVAIL_H
#define SLAMON_AVAIL_H

#include <stdint.h>

enum avail_state { AV_UNKNOWN, AV_UP, AV_DOWN, AV_STATE_COUNT };

struct avail {
	uint8_t state;   /* enum avail_state */
	uint16_t fails;  /* consecutive failed polls */
	uint16_t goods;  /* consecutive good polls */
	double since;    /* time of the last state change (0: never) */
	double first_fail; /* time of the first failure of the current run */
	double first_good; /* time of the first success of the current run:
	                      when a down object recovered */
};

/* Records one poll result at time t. The first result decides an unknown
 * object at once when it is good; an unknown object goes down after
 * down_after failures like an up one. Returns 1 when the state changed.
 * A recovery's since is the first good poll of the run (first_good). */
int avail_update(struct avail *a, int ok, double t, int down_after,
		 int up_after);

const char *avail_state_name(enum avail_state s);

#endif
