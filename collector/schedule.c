/*
 * schedule.c - stable spreading of polls over the interval.
 * SPDX-License-Identifier: MIT
 */
#include "schedule.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the scheduler -------------------------------------------------- */

int sched_init(struct sched *s, size_t n, size_t max_inflight,
	       uint64_t now_ms, sched_start_fn start, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->dev = calloc(n ? n : 1, sizeof(*s->dev));
	s->waitq = calloc(n ? n : 1, sizeof(*s->waitq));
	if (s->dev == NULL || s->waitq == NULL) {
		sched_free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < SCHED_WHEEL_SLOTS; i++)
		s->wheel[i] = SCHED_NONE;
	for (size_t i = 0; i < n; i++)
		s->dev[i].wnext = SCHED_NONE;
	s->n = n;
	s->max_inflight = max_inflight ? max_inflight : 1;
	s->wheel_pos = now_ms / SCHED_TICK_MS;
	s->start = start;
	s->arg = arg;
	return 0;
}

void sched_free(struct sched *s)
{
	free(s->dev);
	free(s->waitq);
	s->dev = NULL;
	s->waitq = NULL;
	s->n = 0;
}

/* Puts device i into the wheel slot of its next due time. */
static void place(struct sched *s, uint32_t i, double now, uint64_t now_ms)
{
	struct sched_dev *d = &s->dev[i];
	uint64_t at = sched_tick_deadline(now_ms, (d->next_due - now) * 1000.0);
	uint32_t *slot;

	d->due_tick = at / SCHED_TICK_MS;
	if (d->due_tick < s->wheel_pos)
		d->due_tick = s->wheel_pos;
	slot = &s->wheel[d->due_tick % SCHED_WHEEL_SLOTS];
	d->wnext = *slot;
	*slot = i;
}

void sched_device_start(struct sched *s, uint32_t i, double interval,
			double offset, double now, uint64_t now_ms)
{
	struct sched_dev *d = &s->dev[i];

	d->interval = interval;
	d->offset = offset;
	d->next_due = sched_next(now, interval, offset);
	place(s, i, now, now_ms);
}

static void start_poll(struct sched *s, uint32_t i, double now)
{
	struct sched_dev *d = &s->dev[i];
	int rc;

	if (now - d->due > sched_late_window(d->interval)) {
		d->late++;
		s->late++;
	}
	d->state = SCHED_ST_POLLING;
	s->inflight += !d->paced;
	rc = s->start(s->arg, i, now);
	if ((rc == -EBUSY || rc == -EINVAL) && d->state == SCHED_ST_POLLING) {
		d->state = SCHED_ST_IDLE;
		s->inflight -= !d->paced;
	}
}

/* Starts waiting devices while slots are free. Not re-entered: a poll
 * that finishes inside its start call lands here again. */
static void pump(struct sched *s, double now)
{
	if (s->pumping)
		return;
	s->pumping = 1;
	while (!s->stopped && s->wq_len > 0 && s->inflight < s->max_inflight) {
		uint32_t i = s->waitq[s->wq_head];

		s->wq_head = (s->wq_head + 1) % s->n;
		s->wq_len--;
		start_poll(s, i, now);
	}
	s->pumping = 0;
}

static void due(struct sched *s, uint32_t i, double now, uint64_t now_ms)
{
	struct sched_dev *d = &s->dev[i];

	d->due = d->next_due;
	d->next_due += d->interval;
	if (d->next_due <= now) {
		/* the loop was stalled past whole slots */
		uint64_t missed =
			(uint64_t)((now - d->next_due) / d->interval) + 1;

		d->skipped += missed;
		s->skipped += missed;
		d->next_due = sched_next(now, d->interval, d->offset);
	}
	place(s, i, now, now_ms);
	if (d->state != SCHED_ST_IDLE) {
		d->skipped++;
		s->skipped++;
		return;
	}
	if (!d->paced && s->inflight >= s->max_inflight) {
		s->waitq[(s->wq_head + s->wq_len) % s->n] = i;
		s->wq_len++;
		d->state = SCHED_ST_WAITING;
		return;
	}
	start_poll(s, i, now);
}

void sched_run(struct sched *s, uint64_t now_ms, double now)
{
	uint64_t cur = now_ms / SCHED_TICK_MS;

	for (; s->wheel_pos <= cur && !s->stopped; s->wheel_pos++) {
		uint32_t *slot = &s->wheel[s->wheel_pos % SCHED_WHEEL_SLOTS];
		uint32_t i = *slot, next;

		*slot = SCHED_NONE; /* due() puts devices back, maybe here */
		for (; i != SCHED_NONE && !s->stopped; i = next) {
			next = s->dev[i].wnext;
			if (s->dev[i].due_tick > s->wheel_pos) {
				s->dev[i].wnext = *slot; /* a later round */
				*slot = i;
				continue;
			}
			due(s, i, now, now_ms);
		}
	}
}

void sched_done(struct sched *s, uint32_t i, double now)
{
	struct sched_dev *d = &s->dev[i];

	if (d->state != SCHED_ST_POLLING)
		return;
	d->state = SCHED_ST_IDLE;
	s->inflight -= !d->paced;
	d->polls++;
	s->polls++;
	pump(s, now);
}

void sched_device_paced(struct sched *s, uint32_t i)
{
	s->dev[i].paced = 1;
}

void sched_stop(struct sched *s)
{
	s->stopped = 1;
}
