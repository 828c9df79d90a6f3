/*
 * schedule.c - stable spreading of polls over the interval.
 * SPDX-License-Identifier: MIT
 */
#include "schedule.h"

#include <math.h>
#include <stdint.h>

#include "core/hash.h"

double sched_offset(const char *name, double interval)
{
	uint64_t h = slamon_hash_str(name);

	/* millisecond resolution keeps the grid exact in a double */
	return (double)(h % (uint64_t)(interval * 1000.0)) / 1000.0;
}

double sched_next(double now, double interval, double offset)
{
	double k = floor((now - offset) / interval) + 1.0;

	return offset + k * interval;
}

double sched_late_window(double interval)
{
	double w = interval / 10.0;

	return w < 1.0 ? 1.0 : w > 30.0 ? 30.0 : w;
}

unsigned long long sched_tick_deadline(unsigned long long now_ms,
				       double delay_ms)
{
	unsigned long long at;

	if (!(delay_ms > 0)) /* also NaN */
		delay_ms = 0;
	at = now_ms + (unsigned long long)ceil(delay_ms);
	return (at + SCHED_TICK_MS - 1) / SCHED_TICK_MS * SCHED_TICK_MS;
}
