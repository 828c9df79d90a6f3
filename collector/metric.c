/*
 * metric.c - counter semantics and rates.
 *
 * RFC 2578 section 7.1.6: a Counter32 wraps to zero after 2^32-1; a
 * Counter64 "wraps" only after 2^64-1, which no real interface reaches, so a
 * Counter64 that goes back was reset (agent restart, counter clear) and its
 * delta is discarded. sysUpTime (TimeTicks, 1/100 s) going back means the
 * agent restarted and every counter delta of that poll is void (RFC 2863
 * section 3.1.5, ifCounterDiscontinuityTime) -- unless TimeTicks itself
 * wrapped at 2^32 (497 days), which we tell apart by the elapsed wall time.
 * A Counter32 of octets read after a gap long enough to wrap it twice at
 * the interface's speed gives no rate: its low 32 bits cannot tell how
 * many times it wrapped (RFC 2863 section 3.1.6 asks for the 64-bit
 * counters above 20 Mbps for this reason).
 * SPDX-License-Identifier: MIT
 */
#include "metric.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NCTR 6 /* in/out octets, in/out errors, in/out discards */
#define TICKS_WRAP 4294967296.0

struct ctr {
	uint64_t value;
	double t;
	uint8_t width;
	uint8_t valid;
};

struct ifstate {
	struct ctr prev[NCTR];
	struct ctr cur[NCTR];
	uint8_t cur_status[NCTR]; /* 1 when this poll reported a bad value */
	double speed_mbps;
	double capacity_mbps;
	int oper; /* this poll's ifOperStatus, 0 when absent */
};

struct devstate {
	struct ifstate *ifs;
	size_t nifs;
	double uptime_prev, uptime_cur; /* ticks */
	double uptime_t_prev, uptime_t_cur;
	int uptime_prev_valid, uptime_cur_valid;
	int reach_status; /* enum poll_status of M_DEV_REACH, -1 absent */
	double latency_ms;
	double loss_pct;  /* M_DEV_LOSS of the poll, NAN absent */
};

struct metric_engine {
	struct devstate *devs;
	size_t ndevs;
	metric_sink_fn sink;
	void *arg;
	uint64_t discards[DISCARD_COUNT];
};

const char *discard_reason_name(enum discard_reason r)
{
	static const char *names[DISCARD_COUNT] = {
		"first", "reboot",  "reset",    "overspeed",
		"time",  "missing", "multiwrap"};

	return (unsigned)r < DISCARD_COUNT ? names[r] : "?";
}

struct metric_engine *metric_engine_create(size_t ndevices, metric_sink_fn sink,
					   void *arg)
{
	struct metric_engine *me = calloc(1, sizeof(*me));

	if (me == NULL)
		return NULL;
	me->devs = calloc(ndevices ? ndevices : 1, sizeof(*me->devs));
	if (me->devs == NULL) {
		free(me);
		return NULL;
	}
	me->ndevs = ndevices;
	me->sink = sink;
	me->arg = arg;
	for (size_t i = 0; i < ndevices; i++) {
		me->devs[i].reach_status = -1;
		me->devs[i].loss_pct = NAN;
	}
	return me;
}

void metric_engine_destroy(struct metric_engine *me)
{
	if (me == NULL)
		return;
	for (size_t i = 0; i < me->ndevs; i++)
		free(me->devs[i].ifs);
	free(me->devs);
	free(me);
}

int metric_engine_device_setup(struct metric_engine *me, uint32_t device,
			       size_t nifs, const double *capacity_mbps)
{
	struct devstate *d;
	struct ifstate *ifs = NULL;

	if (device >= me->ndevs)
		return -EINVAL;
	if (nifs > 0) {
		ifs = calloc(nifs, sizeof(*ifs));
		if (ifs == NULL)
			return -ENOMEM;
	}
	d = &me->devs[device];
	free(d->ifs);
	d->ifs = ifs;
	d->nifs = nifs;
	for (size_t i = 0; i < nifs; i++)
		ifs[i].capacity_mbps = capacity_mbps ? capacity_mbps[i] : 0;
	metric_engine_device_reset(me, device);
	return 0;
}

void metric_engine_device_reset(struct metric_engine *me, uint32_t device)
{
	struct devstate *d;

	if (device >= me->ndevs)
		return;
	d = &me->devs[device];
	d->uptime_prev_valid = d->uptime_cur_valid = 0;
	d->reach_status = -1;
	for (size_t i = 0; i < d->nifs; i++) {
		memset(d->ifs[i].prev, 0, sizeof(d->ifs[i].prev));
		memset(d->ifs[i].cur, 0, sizeof(d->ifs[i].cur));
		memset(d->ifs[i].cur_status, 0, sizeof(d->ifs[i].cur_status));
		d->ifs[i].oper = 0;
	}
}

int metric_engine_device_adopt(struct metric_engine *me, uint32_t device,
			       const struct metric_engine *old, uint32_t old_dev)
{
	const struct devstate *o;
	struct devstate *d;
	struct ifstate *ifs = NULL;

	if (device >= me->ndevs || old_dev >= old->ndevs)
		return -EINVAL;
	o = &old->devs[old_dev];
	if (o->nifs > 0) {
		ifs = malloc(o->nifs * sizeof(*ifs));
		if (ifs == NULL)
			return -ENOMEM;
		memcpy(ifs, o->ifs, o->nifs * sizeof(*ifs));
	}
	d = &me->devs[device];
	free(d->ifs);
	*d = *o;
	d->ifs = ifs;
	return 0;
}

static int ctr_index(uint16_t metric)
{
	if (metric >= M_IF_IN_OCTETS && metric <= M_IF_OUT_DISCARDS)
		return metric - M_IF_IN_OCTETS;
	return -1;
}

static void feed_if(struct devstate *d, const struct sample *s)
{
	struct ifstate *ifs;
	int ci;

	if (s->ifslot < 0 || (size_t)s->ifslot >= d->nifs)
		return;
	ifs = &d->ifs[s->ifslot];
	if (s->metric == M_IF_OPER) {
		ifs->oper = s->status == POLL_OK ? (int)s->value : 0;
		return;
	}
	if (s->metric == M_IF_SPEED) {
		if (s->status == POLL_OK && s->value > 0)
			ifs->speed_mbps = (double)s->value / 1e6;
		return;
	}
	ci = ctr_index(s->metric);
	if (ci < 0)
		return;
	if (s->status != POLL_OK || (s->width != 32 && s->width != 64)) {
		ifs->cur_status[ci] = 1;
		return;
	}
	ifs->cur[ci].value = s->value;
	ifs->cur[ci].width = s->width;
	ifs->cur[ci].t = s->t;
	ifs->cur[ci].valid = 1;
}

/* Did the agent restart between the two uptime readings? A TimeTicks wrap
 * (2^32 ticks, 497 days) is told apart from a restart by the wall time. */
static int uptime_went_back(const struct devstate *d)
{
	double elapsed_ticks, expected;

	if (!d->uptime_prev_valid || !d->uptime_cur_valid)
		return 0;
	if (d->uptime_cur >= d->uptime_prev)
		return 0;
	elapsed_ticks = (d->uptime_t_cur - d->uptime_t_prev) * 100.0;
	expected = d->uptime_prev + elapsed_ticks;
	if (expected >= TICKS_WRAP &&
	    fabs((expected - TICKS_WRAP) - d->uptime_cur) <
		    0.1 * elapsed_ticks + 6000)
		return 0;
	return 1;
}

/* One counter's delta over the interval, or a discard reason (>= 0). */
static int ctr_delta(const struct ctr *prev, const struct ctr *cur,
		     double *ret_delta, double *ret_dt)
{
	if (!prev->valid)
		return DISCARD_FIRST;
	if (cur->width != prev->width)
		return DISCARD_RESET;
	*ret_dt = cur->t - prev->t;
	if (!(*ret_dt > 0))
		return DISCARD_TIME;
	if (cur->value >= prev->value) {
		*ret_delta = (double)(cur->value - prev->value);
		return -1;
	}
	if (cur->width == 64)
		return DISCARD_RESET;
	/* Counter32 wrapped: modular difference (finish_if discards it when
	 * the speed allows another wrap). */
	*ret_delta = (double)(uint32_t)((uint32_t)cur->value -
					(uint32_t)prev->value);
	return -1;
}

static double if_cap_bps(const struct ifstate *ifs)
{
	if (ifs->speed_mbps > 0)
		return ifs->speed_mbps * 1e6;
	if (ifs->capacity_mbps > 0)
		return ifs->capacity_mbps * 1e6;
	return INFINITY;
}

/* Could this Counter32 of octets have wrapped once more than its low 32
 * bits show? The delta read is the true one modulo 2^32, so delta + 2^32
 * bytes is as plausible as delta unless the interface cannot carry that
 * much in dt (a 1 Gbps port wraps every 34 s at full rate; one lost poll
 * at a 60 s interval is enough). Unknown speed: nothing to tell by. */
static int ctr_ambiguous(const struct ifstate *ifs, const struct ctr *cur,
			 double delta, double dt)
{
	double cap = if_cap_bps(ifs);

	if (cur->width != 32 || isinf(cap))
		return 0;
	return delta + 4294967296.0 <= cap / 8.0 * dt;
}

static void finish_if(struct metric_engine *me, uint32_t device, int slot,
		      int rebooted, double t)
{
	struct ifstate *ifs = &me->devs[device].ifs[slot];
	double out[NCTR];
	struct metric_row row;

	for (int i = 0; i < NCTR; i++) {
		double delta = 0, dt = 0;
		int why;

		out[i] = NAN;
		if (!ifs->cur[i].valid) {
			if (ifs->cur_status[i])
				me->discards[DISCARD_MISSING]++;
			continue;
		}
		why = rebooted ? DISCARD_REBOOT
			       : ctr_delta(&ifs->prev[i], &ifs->cur[i], &delta,
					   &dt);
		if (why < 0 && i < 2 &&
		    ctr_ambiguous(ifs, &ifs->cur[i], delta, dt))
			why = DISCARD_MULTIWRAP;
		if (why < 0) {
			double rate = delta / dt;

			if (i < 2) { /* octets: bits per second, capped */
				rate *= 8.0;
				if (rate > if_cap_bps(ifs))
					why = DISCARD_OVERSPEED;
			}
			if (why < 0)
				out[i] = rate;
		}
		if (why >= 0)
			me->discards[why]++;
		ifs->prev[i] = ifs->cur[i];
	}
	memset(&row, 0, sizeof(row));
	row.device = device;
	row.ifslot = slot;
	row.t = t;
	row.speed_mbps = ifs->speed_mbps;
	row.ifr.in_bps = out[0];
	row.ifr.out_bps = out[1];
	row.ifr.in_err = out[2];
	row.ifr.out_err = out[3];
	row.ifr.in_disc = out[4];
	row.ifr.out_disc = out[5];
	row.ifr.oper = ifs->oper == 0 ? NAN : (ifs->oper == 1 ? 1.0 : 0.0);
	row.dev.reach = row.dev.latency_ms = row.dev.loss_pct = NAN;
	me->sink(me->arg, &row);

	memset(ifs->cur, 0, sizeof(ifs->cur));
	memset(ifs->cur_status, 0, sizeof(ifs->cur_status));
	ifs->oper = 0;
}

static void finish_poll(struct metric_engine *me, const struct sample *end)
{
	struct devstate *d = &me->devs[end->device];
	int ok = d->reach_status == POLL_OK;
	int rebooted = uptime_went_back(d);
	struct metric_row row;

	for (size_t i = 0; i < d->nifs; i++) {
		struct ifstate *ifs = &d->ifs[i];

		if (ok) {
			finish_if(me, end->device, (int)i, rebooted, end->t);
			continue;
		}
		/* A failed poll keeps the previous counters: the next good
		 * poll computes the average rate over the whole gap. */
		memset(ifs->cur, 0, sizeof(ifs->cur));
		memset(ifs->cur_status, 0, sizeof(ifs->cur_status));
		ifs->oper = 0;
	}
	if (d->uptime_cur_valid) {
		d->uptime_prev = d->uptime_cur;
		d->uptime_t_prev = d->uptime_t_cur;
		d->uptime_prev_valid = 1;
		d->uptime_cur_valid = 0;
	}
	memset(&row, 0, sizeof(row));
	row.device = end->device;
	row.ifslot = -1;
	row.t = end->t;
	row.poll_status = d->reach_status < 0 ? POLL_ERROR : d->reach_status;
	row.dev.reach = ok ? 1.0 : 0.0;
	row.dev.latency_ms = ok ? d->latency_ms : NAN;
	row.dev.loss_pct = d->loss_pct;
	memset(&row.ifr, 0, sizeof(row.ifr));
	me->sink(me->arg, &row);
	d->reach_status = -1;
	d->latency_ms = NAN;
	d->loss_pct = NAN;
}

void metric_engine_feed(struct metric_engine *me, const struct sample *s)
{
	struct devstate *d;

	if (s->device >= me->ndevs)
		return;
	d = &me->devs[s->device];
	switch (s->kind) {
	case SAMPLE_END:
		finish_poll(me, s);
		return;
	case SAMPLE_LATENCY:
		if (s->metric == M_DEV_LATENCY)
			d->latency_ms = s->fvalue;
		else if (s->metric == M_DEV_LOSS)
			d->loss_pct = s->fvalue;
		return;
	default:
		break;
	}
	if (s->metric == M_DEV_REACH) {
		d->reach_status = s->status;
	} else if (s->metric == M_DEV_UPTIME) {
		if (s->status == POLL_OK) {
			d->uptime_cur = (double)s->value;
			d->uptime_t_cur = s->t;
			d->uptime_cur_valid = 1;
		}
	} else {
		feed_if(d, s);
	}
}

void metric_engine_discards(const struct metric_engine *me, uint64_t *ret)
{
	memcpy(ret, me->discards, sizeof(me->discards));
}
