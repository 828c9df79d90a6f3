/*
 * schedule.h - when each device is polled. Devices are spread over their
 * interval by a stable offset derived from their name, so a fleet is never
 * polled all at second 0 and a device keeps its slot across restarts.
 *
 * struct sched is the scheduler itself: plain data fed "now" by its caller
 * (the daemon passes the loop's clock; tests pass a fake one), as ae's
 * time events and ntpd's nextaction are. Due devices wait in a hashed
 * timing wheel of SCHED_TICK_MS slots; at most max_inflight polls run at
 * once, the rest wait in a FIFO. Each device has one state (idle, waiting,
 * polling), changed only here.
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

#include <stddef.h>
#include <stdint.h>

/* 4,096 slots of 250 ms are 1,024 s: longer intervals go round the wheel
 * more than once. A libuv timer per device cost a heap insert and removal
 * per poll (a tenth of a poll's CPU at 28,000 devices). */
#define SCHED_WHEEL_SLOTS 4096
#define SCHED_NONE UINT32_MAX

enum sched_state {
	SCHED_ST_IDLE,    /* waiting for its next due time */
	SCHED_ST_WAITING, /* due, waiting for a free poll slot */
	SCHED_ST_POLLING, /* its poll is running */
};

struct sched_dev {
	uint32_t wnext;    /* next device in the same wheel slot */
	uint8_t state;     /* enum sched_state */
	uint8_t paced;     /* its probe paces itself: no max_inflight slot */
	uint64_t due_tick; /* loop clock / SCHED_TICK_MS */
	double interval, offset;
	double next_due;   /* wall clock of the next poll */
	double due;        /* wall clock the running/waiting poll was due */
	uint64_t polls, late, skipped;
};

/* Starts device i's poll, due at the device's due, at wall time now.
 * Returns 0 when the poll started (sched_done follows, possibly from
 * inside this call), -EBUSY or -EINVAL when it did not start. */
typedef int (*sched_start_fn)(void *arg, uint32_t i, double now);

struct sched {
	struct sched_dev *dev;
	size_t n;
	uint32_t wheel[SCHED_WHEEL_SLOTS];
	uint64_t wheel_pos; /* the next tick to process */
	uint32_t *waitq;    /* FIFO ring of n */
	size_t wq_head, wq_len;
	size_t inflight, max_inflight;
	sched_start_fn start;
	void *arg;
	int pumping, stopped;
	uint64_t polls, late, skipped; /* totals */
};

/* Sets s up for n devices, all idle and unplaced, the wheel starting at
 * the loop clock now_ms. 0 or -ENOMEM; on error s holds nothing. */
int sched_init(struct sched *s, size_t n, size_t max_inflight,
	       uint64_t now_ms, sched_start_fn start, void *arg);

/* Frees what sched_init allocated. Accepts a zeroed s. */
void sched_free(struct sched *s);

/* Gives device i its interval and grid offset and places it at its first
 * due time after now (wall clock; now_ms is the loop clock). */
void sched_device_start(struct sched *s, uint32_t i, double interval,
			double offset, double now, uint64_t now_ms);

/* Device i's probe paces and bounds its own requests (the ICMP sweep's
 * rate): its polls never wait for, nor take, one of max_inflight slots. */
void sched_device_paced(struct sched *s, uint32_t i);

/* Starts every device due in a tick up to now_ms: polls when a slot is
 * free, else the device waits. A device still polling or waiting when its
 * next slot comes counts as skipped; a poll that starts more than the
 * jitter window after its slot as late. */
void sched_run(struct sched *s, uint64_t now_ms, double now);

/* Device i's poll finished: frees its slot and starts waiting devices. */
void sched_done(struct sched *s, uint32_t i, double now);

/* No poll starts after this (reload retires a generation, stop). */
void sched_stop(struct sched *s);

#endif
