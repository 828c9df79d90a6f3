/*
 * avail.c - up/down hysteresis over consecutive poll results.
 * SPDX-License-Identifier: MIT
 */
#include "avail.h"

const char *avail_state_name(enum avail_state s)
{
	static const char *names[AV_STATE_COUNT] = {"unknown", "up", "down"};

	return (unsigned)s < AV_STATE_COUNT ? names[s] : "?";
}

int avail_update(struct avail *a, int ok, double t, int down_after,
		 int up_after)
{
	uint8_t next = a->state;

	if (ok) {
		a->fails = 0;
		if (a->goods == 0)
			a->first_good = t;
		if (a->goods < UINT16_MAX)
			a->goods++;
		if (a->state == AV_UNKNOWN ||
		    (a->state == AV_DOWN && a->goods >= up_after))
			next = AV_UP;
	} else {
		if (a->fails == 0)
			a->first_fail = t;
		a->goods = 0;
		if (a->fails < UINT16_MAX)
			a->fails++;
		if (a->state != AV_DOWN && a->fails >= down_after)
			next = AV_DOWN;
	}
	if (next == a->state)
		return 0;
	a->state = next;
	a->since = next == AV_DOWN ? a->first_fail : a->first_good;
	return 1;
}
