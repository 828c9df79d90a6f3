/*
 * schedule.h - when each device is polled. Devices are spread over their
 * interval by a stable offset derived from their name, so a fleet is never
 * polled all at second 0 and a device keeps its slot across restarts.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SCHEDULE_H
#define SLAMON_SCHEDULE_H

/* Offset in [0, interval) seconds for the device called name. */
double sched_offset(const char *name, double interval);

/* The first due time strictly after now on the grid offset + k*interval. */
double sched_next(double now, double interval, double offset);

/* How late a poll may start before it counts as late: the jitter window,
 * a tenth of the interval, at least 1 s and at most 30 s. */
double sched_late_window(double interval);

/* Polls start on a grid of SCHED_TICK_MS of the loop's clock: the devices
 * due within one tick start in the same turn of the loop, so their
 * requests leave in one sendmmsg() and the answers are read in batches.
 * One wakeup per tick, not one per device, was most of the CPU at 28,000
 * devices (docs/benchmarks.md). Measured at 500 devices every 10 s: 57,
 * 37 and 32 us of CPU per poll with ticks of 100, 250 and 500 ms. A poll
 * starts at most one tick after its slot, well inside the jitter window
 * (at least 1 s); rates use the answers' own times. */
#ifndef SCHED_TICK_MS
#define SCHED_TICK_MS 250
#endif

/* The loop-clock deadline (ms) of a timer due in delay_ms from now_ms,
 * rounded up to the tick grid. */
unsigned long long sched_tick_deadline(unsigned long long now_ms,
				       double delay_ms);

#endif
