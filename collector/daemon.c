/*
 * daemon.c - slamond's runtime.
 *
 * A "generation" is one loaded configuration with its probe, metric engine
 * and per-device runtime. A reload (SIGHUP) builds a new generation next to
 * the running one, lets it adopt the state of every unchanged device, then
 * retires the old one; a reload that fails validation changes nothing.
 *
 * Scheduling: each device has a uv_timer_t on its own grid (sched.h). When
 * it fires and fewer than max_inflight devices are being polled, the poll
 * starts; otherwise the device waits in a FIFO. A device still being polled
 * when its next slot comes is counted as skipped, a poll that starts more
 * than the jitter window after its slot as late.
 *
 * A failed poll is followed by one ICMP echo to the device (probes/icmp.h)
 * when [alerts] ping is on; the poll's result goes to the alerts engine
 * after the echo's, so that a device that answers ping gets a "nodata"
 * fault instead of "down" (docs/alerts.md). Polls stay on their schedule.
 * SPDX-License-Identifier: MIT
 */
#include "daemon.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <uv.h>

#include "alerts/avail.h"
#include "alerts/engine.h"
#include "alerts/notify.h"
#include "capture.h"
#include "capture_store.h"
#include "core/config.h"
#include "core/log.h"
#include "metric.h"
#include "probes/icmp.h"
#include "probes/snmp.h"
#include "core/hash.h"
#include "schedule.h"
#include "status.h"
#include "storage/journal.h"
#include "storage/rrdstore.h"

struct link_view {
	double in_bps, out_bps, speed_mbps, t;
};

struct gen;

struct drt {
	struct gen *g;
	uint32_t idx;
	struct drt *wnext;  /* in the wheel slot of due_tick */
	uint64_t due_tick;  /* loop clock / SCHED_TICK_MS */
	double interval, offset, next_due, due;
	int queued, polling;
	struct avail av;
	struct complain cpl;
	int last_status;
	double last_poll;
	uint64_t polls, late, skipped;
	struct link_view *links;
	size_t nlinks;
	int pinging;        /* an echo is out; the poll's result waits */
	double ping_poll_t; /* that poll's sample time */
};

/* Due polls wait in a hashed timing wheel turned by one timer every
 * SCHED_TICK_MS: a libuv timer per device cost a heap insert and removal
 * per poll (a tenth of a poll's CPU at 28,000 devices). 4,096 slots of
 * 250 ms are 1,024 s: longer intervals go round more than once. */
#define WHEEL_SLOTS 4096

struct gen {
	struct daemon *dm;
	struct config *cfg;
	uv_timer_t tick;
	struct drt *wheel[WHEEL_SLOTS];
	uint64_t wheel_pos; /* the next tick to process */
	struct snmp_probe *probe;
	struct metric_engine *me;
	struct alerts_engine *ae;
	struct drt *drts;
	uint32_t *waitq;
	size_t wq_head, wq_len;
	size_t inflight, reached;
	int pumping, closing, open_handles;
};

struct daemon {
	uv_loop_t loop;
	struct daemon_opts opts;
	struct gen *cur;
	struct rrd_writer *writer;
	struct journal *journal;
	struct notifier *notifier;
	struct capture_bridge *cap; /* [capture] links (possibly none) */
	struct capture_store *cap_store; /* their interval records, or NULL */
	struct icmp_probe *icmp;    /* echo after failed polls, or NULL */
	char journal_path[4096];
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t status_timer, stop_timer, alerts_timer;
	int retiring_notifiers; /* old notifiers draining after a reload */
	double started;
	int stopping, exit_code;
	uint64_t polls, late, skipped;
};

static double now_wall(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void daemon_stop(struct daemon *dm);
static void start_poll(struct drt *d, double now);
static void on_stop_timer(uv_timer_t *h);

/* ---- hooks from the probe and the metric engine --------------------- */

static void on_sample(void *arg, const struct sample *s)
{
	struct gen *g = arg;

	metric_engine_feed(g->me, s);
}

static void on_discovered(void *arg, uint32_t device,
			  const struct snmp_iface *ifs, size_t n)
{
	struct gen *g = arg;
	struct drt *d = &g->drts[device];
	const struct device *dev = &g->cfg->devices[device];
	double *cap = NULL;
	struct link_view *links = NULL;

	(void)ifs;
	if (n > 0) {
		cap = calloc(n, sizeof(*cap));
		links = calloc(n, sizeof(*links));
		if (cap == NULL || links == NULL) {
			free(cap);
			free(links);
			log_warnx("%s: out of memory after discovery",
				  dev->name);
			n = 0;
			cap = NULL;
			links = NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		cap[i] = dev->capacity_mbps;
		links[i].in_bps = links[i].out_bps = NAN;
	}
	if (metric_engine_device_setup(g->me, device, n, cap) < 0)
		log_warnx("%s: out of memory in the metric engine", dev->name);
	free(cap);
	free(d->links);
	d->links = links;
	d->nlinks = n;
}

/* ---- ICMP echo after a failed poll ---------------------------------- */

#define PING_TIMEOUT_MS 1000 /* below the shortest interval (5 s) */

static void on_ping(void *arg, int status, double rtt_ms)
{
	struct drt *d = arg;
	struct gen *g = d->g;

	(void)rtt_ms;
	d->pinging = 0;
	if (g->closing || g->ae == NULL)
		return;
	alerts_device_ping(g->ae, d->idx, status == 0, now_wall());
	alerts_device_result(g->ae, d->idx, 0, d->ping_poll_t);
}

/* Sends the echo for d's failed poll at t. 0: on_ping will feed the
 * alerts engine; otherwise the caller feeds the result without a ping. */
static int ping_start(struct drt *d, double t)
{
	struct gen *g = d->g;
	const struct device *dev = &g->cfg->devices[d->idx];
	struct sockaddr_storage sa;
	int rc;

	if (!g->cfg->alerts.ping || g->dm->icmp == NULL || d->pinging)
		return -EAGAIN;
	memset(&sa, 0, sizeof(sa));
	if (dev->af == AF_INET6)
		rc = uv_ip6_addr(dev->host, 0, (struct sockaddr_in6 *)&sa);
	else
		rc = uv_ip4_addr(dev->host, 0, (struct sockaddr_in *)&sa);
	if (rc == 0)
		rc = icmp_probe_ping(g->dm->icmp, (struct sockaddr *)&sa,
				     PING_TIMEOUT_MS, on_ping, d);
	if (rc == -EBUSY || rc == -EINVAL || rc == -EAFNOSUPPORT)
		return rc;
	if (rc < 0) {
		/* no route etc.: that is a failed echo, given at once */
		alerts_device_ping(g->ae, d->idx, 0, t);
		return rc;
	}
	d->pinging = 1;
	d->ping_poll_t = t;
	return 0;
}

static void on_row(void *arg, const struct metric_row *row)
{
	struct gen *g = arg;
	struct daemon *dm = g->dm;
	struct drt *d = &g->drts[row->device];
	const struct device *dev = &g->cfg->devices[row->device];

	if (row->ifslot >= 0) {
		size_t n;
		const struct snmp_iface *ifs =
			snmp_probe_ifaces(g->probe, row->device, &n);

		if ((size_t)row->ifslot >= n || (size_t)row->ifslot >= d->nlinks)
			return;
		d->links[row->ifslot].in_bps = row->ifr.in_bps;
		d->links[row->ifslot].out_bps = row->ifr.out_bps;
		d->links[row->ifslot].speed_mbps = row->speed_mbps;
		d->links[row->ifslot].t = row->t;
		if (dm->writer)
			rrd_writer_submit_if(dm->writer, dev->name,
					     ifs[row->ifslot].name,
					     (time_t)row->t, &row->ifr);
		if (g->ae) {
			struct alerts_if a = {
				.name = ifs[row->ifslot].name,
				.t = row->t,
				.in_bps = row->ifr.in_bps,
				.out_bps = row->ifr.out_bps,
				.speed_mbps = row->speed_mbps,
				.capacity_mbps = dev->capacity_mbps,
				.oper = row->ifr.oper,
				.err_rate = row->ifr.in_err + row->ifr.out_err +
					    row->ifr.in_disc +
					    row->ifr.out_disc};

			alerts_iface_row(g->ae, row->device, row->ifslot, &a);
		}
		if (!g->closing)
			capture_bridge_snmp_row(dm->cap, dev->name,
						ifs[row->ifslot].name, row->t,
						row->ifr.in_bps,
						row->ifr.out_bps);
		return;
	}
	d->last_status = row->poll_status;
	d->last_poll = row->t;
	if (avail_update(&d->av, row->poll_status == POLL_OK, row->t,
			 g->cfg->down_after, g->cfg->up_after))
		log_info("%s (%s, %s): %s", dev->name, dev->unit,
			 role_name(dev->role), avail_state_name(d->av.state));
	if (row->poll_status == POLL_OK)
		c_release(&d->cpl, "%s (%s): answering again", dev->name,
			  dev->host);
	else
		c_complain(&d->cpl, row->t, "%s (%s:%u, %s): %s", dev->name,
			   dev->host, dev->port, poll_status_name(row->poll_status),
			   snmp_probe_last_error(g->probe, row->device));
	if (dm->writer)
		rrd_writer_submit_dev(dm->writer, dev->name, (time_t)row->t,
				      &row->dev);
	if (g->ae == NULL)
		return;
	if (row->poll_status != POLL_OK && ping_start(d, row->t) == 0)
		return; /* on_ping hands over the echo, then this result */
	alerts_device_result(g->ae, row->device, row->poll_status == POLL_OK,
			     row->t);
}

/* ---- alerts --------------------------------------------------------- */

/* The fault row is committed when this runs: hand it to the notifier. */
static void on_alert_event(void *arg, const struct alert_event *ev)
{
	struct gen *g = arg;
	char text[512];

	if (ev->type == AEV_STATE) {
		log_info("%s: %s%s%s%s", ev->object, obj_state_name(ev->state),
			 ev->flapping ? " (flapping)" : "",
			 ev->reason[0] ? ": " : "", ev->reason);
		return;
	}
	notify_format_text(ev, text, sizeof(text));
	log_info("fault %lld: %s", (long long)ev->fault.id, text);
	if (g->dm->notifier &&
	    notifier_submit(g->dm->notifier, ev) == -EAGAIN)
		log_warnx("fault %lld: notification queue full",
			  (long long)ev->fault.id);
}

static void on_alerts_timer(uv_timer_t *h)
{
	struct daemon *dm = h->data;

	if (dm->cur && dm->cur->ae)
		alerts_tick(dm->cur->ae, now_wall());
}

static void pump(struct gen *g)
{
	double now = now_wall();

	if (g->pumping)
		return;
	g->pumping = 1;
	while (!g->closing && g->wq_len > 0 &&
	       g->inflight < (size_t)g->cfg->max_inflight) {
		struct drt *d = &g->drts[g->waitq[g->wq_head]];

		g->wq_head = (g->wq_head + 1) % g->cfg->ndevices;
		g->wq_len--;
		d->queued = 0;
		start_poll(d, now);
	}
	g->pumping = 0;
}

static void on_done(void *arg, uint32_t device)
{
	struct gen *g = arg;
	struct daemon *dm = g->dm;
	struct drt *d = &g->drts[device];

	d->polling = 0;
	g->inflight--;
	d->polls++;
	dm->polls++;
	if (dm->opts.cycles > 0 && d->polls == (uint64_t)dm->opts.cycles &&
	    ++g->reached == g->cfg->ndevices) {
		/* we are inside a net-snmp callback: stop from the loop */
		log_info("%d cycles done, stopping", dm->opts.cycles);
		uv_timer_start(&dm->stop_timer, on_stop_timer, 0, 0);
		return;
	}
	pump(g);
}

/* ---- scheduling ----------------------------------------------------- */

static void start_poll(struct drt *d, double now)
{
	struct gen *g = d->g;
	int rc;

	if (now - d->due > sched_late_window(d->interval)) {
		d->late++;
		g->dm->late++;
	}
	d->polling = 1;
	g->inflight++;
	rc = snmp_probe_poll(g->probe, d->idx);
	if (rc == -EBUSY || rc == -EINVAL) {
		d->polling = 0;
		g->inflight--;
	}
	/* other errors: the probe already emitted a failed poll and called
	 * on_done */
}

static void schedule(struct drt *d, double now)
{
	struct gen *g = d->g;
	uint64_t t = uv_now(&g->dm->loop);
	uint64_t at = sched_tick_deadline(t, (d->next_due - now) * 1000.0);
	struct drt **slot;

	d->due_tick = at / SCHED_TICK_MS;
	if (d->due_tick < g->wheel_pos)
		d->due_tick = g->wheel_pos;
	slot = &g->wheel[d->due_tick % WHEEL_SLOTS];
	d->wnext = *slot;
	*slot = d;
}

static void on_due(struct drt *d);

/* Starts what is due in every tick up to the loop's clock. */
static void on_tick(uv_timer_t *h)
{
	struct gen *g = h->data;
	uint64_t cur = uv_now(&g->dm->loop) / SCHED_TICK_MS;

	for (; g->wheel_pos <= cur && !g->closing; g->wheel_pos++) {
		struct drt **slot = &g->wheel[g->wheel_pos % WHEEL_SLOTS];
		struct drt *d = *slot, *next;

		*slot = NULL; /* on_due puts devices back, maybe here */
		for (; d != NULL; d = next) {
			next = d->wnext;
			if (d->due_tick > g->wheel_pos) {
				d->wnext = *slot; /* a later round */
				*slot = d;
				continue;
			}
			on_due(d);
		}
	}
}

static void on_due(struct drt *d)
{
	struct gen *g = d->g;
	double now = now_wall();

	if (g->closing || g->dm->stopping)
		return;
	d->due = d->next_due;
	d->next_due += d->interval;
	if (d->next_due <= now) {
		/* the loop was stalled past whole slots */
		uint64_t missed = (uint64_t)((now - d->next_due) / d->interval) + 1;

		d->skipped += missed;
		g->dm->skipped += missed;
		d->next_due = sched_next(now, d->interval, d->offset);
	}
	schedule(d, now);
	if (d->polling || d->queued) {
		d->skipped++;
		g->dm->skipped++;
		return;
	}
	if (g->inflight >= (size_t)g->cfg->max_inflight) {
		size_t tail = (g->wq_head + g->wq_len) % g->cfg->ndevices;

		g->waitq[tail] = d->idx;
		g->wq_len++;
		d->queued = 1;
		return;
	}
	start_poll(d, now);
}

/* ---- generations ---------------------------------------------------- */

static int same_profile(const struct snmp_profile *a,
			const struct snmp_profile *b)
{
	return a->version == b->version &&
	       strcmp(a->community, b->community) == 0 &&
	       strcmp(a->user, b->user) == 0 && a->auth == b->auth &&
	       a->priv == b->priv && strcmp(a->auth_pass, b->auth_pass) == 0 &&
	       strcmp(a->priv_pass, b->priv_pass) == 0 &&
	       strcmp(a->context, b->context) == 0 &&
	       a->timeout_ms == b->timeout_ms && a->retries == b->retries;
}

static int same_device(const struct config *ca, const struct device *a,
		       const struct config *cb, const struct device *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->host, b->host) == 0 &&
	       a->port == b->port && strcmp(a->ifsel, b->ifsel) == 0 &&
	       a->capacity_mbps == b->capacity_mbps &&
	       same_profile(&ca->profiles[a->profile_idx],
			    &cb->profiles[b->profile_idx]);
}

static void gen_free(struct gen *g)
{
	if (g == NULL)
		return;
	if (g->drts)
		for (size_t i = 0; i < g->cfg->ndevices; i++)
			free(g->drts[i].links);
	free(g->drts);
	free(g->waitq);
	alerts_engine_destroy(g->ae);
	metric_engine_destroy(g->me);
	snmp_probe_destroy(g->probe);
	config_destroy(g->cfg);
	free(g);
}

static void gen_handle_closed(uv_handle_t *h)
{
	struct gen *g = h->data;

	if (--g->open_handles == 0)
		gen_free(g);
}

static void gen_probe_closed(void *arg)
{
	struct gen *g = arg;

	if (--g->open_handles == 0)
		gen_free(g);
}

/* Stops a generation: no hooks run after this; memory goes when the last
 * libuv handle is closed. */
static void gen_retire(struct gen *g)
{
	g->closing = 1;
	g->open_handles = 3; /* the probe, the tick, and a guard */
	for (size_t i = 0; i < g->cfg->ndevices; i++) {
		if (g->drts[i].pinging)
			icmp_probe_cancel(g->dm->icmp, &g->drts[i]);
		g->drts[i].pinging = 0;
	}
	uv_close((uv_handle_t *)&g->tick, gen_handle_closed);
	snmp_probe_close(g->probe, gen_probe_closed, g);
	if (--g->open_handles == 0)
		gen_free(g);
}

/* The old generation's devices by name: a reload of 28,000 devices must
 * not compare every pair. Without memory for the table, every old device
 * is a candidate (the slow way, still right). */
struct old_index {
	const struct config *cfg;
	int32_t *tab;
	size_t mask, pos, scan;
};

static void old_index_build(struct old_index *oi, const struct config *cfg)
{
	size_t cap = 16;

	memset(oi, 0, sizeof(*oi));
	oi->cfg = cfg;
	if (cfg == NULL)
		return;
	while (cap < 2 * cfg->ndevices)
		cap *= 2;
	oi->tab = malloc(cap * sizeof(*oi->tab));
	if (oi->tab == NULL)
		return;
	memset(oi->tab, 0xff, cap * sizeof(*oi->tab)); /* -1: empty */
	oi->mask = cap - 1;
	for (size_t i = 0; i < cfg->ndevices; i++) {
		size_t p = slamon_hash_str(cfg->devices[i].name) & oi->mask;

		while (oi->tab[p] >= 0)
			p = (p + 1) & oi->mask;
		oi->tab[p] = (int32_t)i;
	}
}

/* The next old device that may be called name, from where the last call
 * stopped; SIZE_MAX at the end. */
static size_t old_next(struct old_index *oi, const char *name)
{
	if (oi->tab == NULL)
		return oi->scan < oi->cfg->ndevices ? oi->scan++ : SIZE_MAX;
	for (; oi->tab[oi->pos] >= 0; oi->pos = (oi->pos + 1) & oi->mask) {
		int32_t k = oi->tab[oi->pos];

		if (strcmp(oi->cfg->devices[k].name, name) == 0) {
			oi->pos = (oi->pos + 1) & oi->mask;
			return (size_t)k;
		}
	}
	return SIZE_MAX;
}

static size_t old_first(struct old_index *oi, const char *name)
{
	oi->scan = 0;
	if (oi->tab)
		oi->pos = slamon_hash_str(name) & oi->mask;
	return old_next(oi, name);
}

static void old_index_free(struct old_index *oi)
{
	free(oi->tab);
	oi->tab = NULL;
}

static struct gen *gen_create(struct daemon *dm, struct config *cfg,
			      const struct gen *old)
{
	struct snmp_probe_hooks hooks;
	struct gen *g = calloc(1, sizeof(*g));
	double now = now_wall();
	struct old_index oi;

	if (g == NULL)
		return NULL;
	/* the loop's clock may be stale after reading a large inventory:
	 * due ticks are counted from it */
	uv_update_time(&dm->loop);
	old_index_build(&oi, old ? old->cfg : NULL);
	g->dm = dm;
	g->cfg = cfg;
	g->drts = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*g->drts));
	g->waitq = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*g->waitq));
	g->me = metric_engine_create(cfg->ndevices, on_row, g);
	hooks.emit = on_sample;
	hooks.discovered = on_discovered;
	hooks.done = on_done;
	hooks.arg = g;
	if (g->drts == NULL || g->waitq == NULL || g->me == NULL ||
	    snmp_probe_create(&dm->loop, cfg, &hooks, &g->probe) < 0) {
		old_index_free(&oi);
		g->cfg = NULL; /* the caller still owns cfg */
		free(g->drts);
		g->drts = NULL;
		gen_free(g);
		return NULL;
	}
	for (size_t i = 0; i < cfg->ndevices; i++) {
		struct drt *d = &g->drts[i];
		const struct device *dev = &cfg->devices[i];

		d->g = g;
		d->idx = (uint32_t)i;
		d->interval = cfg->interval_s[dev->role];
		d->offset = sched_offset(dev->name, d->interval);
		d->next_due = sched_next(now, d->interval, d->offset);
		d->last_status = -1;
		if (old == NULL)
			continue;
		for (size_t k = old_first(&oi, dev->name); k != SIZE_MAX;
		     k = old_next(&oi, dev->name)) {
			const struct drt *o = &old->drts[k];

			if (!same_device(cfg, dev, old->cfg,
					 &old->cfg->devices[k]))
				continue;
			snmp_probe_adopt(g->probe, d->idx, old->probe, o->idx);
			if (metric_engine_device_adopt(g->me, d->idx, old->me,
						       o->idx) == 0 &&
			    o->nlinks > 0) {
				d->links = malloc(o->nlinks * sizeof(*d->links));
				if (d->links) {
					memcpy(d->links, o->links,
					       o->nlinks * sizeof(*d->links));
					d->nlinks = o->nlinks;
				}
			}
			d->av = o->av;
			d->cpl = o->cpl;
			d->last_status = o->last_status;
			d->last_poll = o->last_poll;
			break;
		}
	}
	if (dm->journal) {
		char err[256];

		if (alerts_engine_create(cfg, dm->journal, on_alert_event, g,
					 &g->ae, err, sizeof(err)) < 0 ||
		    alerts_engine_reconcile(g->ae, now, err, sizeof(err)) < 0)
			log_errorx("alerts: %s (faults are not tracked)", err);
	}
	old_index_free(&oi);
	uv_timer_init(&dm->loop, &g->tick);
	g->tick.data = g;
	g->wheel_pos = uv_now(&dm->loop) / SCHED_TICK_MS;
	for (size_t i = 0; i < cfg->ndevices; i++)
		schedule(&g->drts[i], now);
	uv_timer_start(&g->tick, on_tick, SCHED_TICK_MS, SCHED_TICK_MS);
	return g;
}

/* ---- status snapshot ------------------------------------------------ */

/* The alerts engine's view of a device, or the plain up/down/unknown of
 * the poll results when faults are not tracked. */
static enum obj_state device_state(const struct gen *g, size_t i,
				   int *ret_flapping, int64_t *ret_fault)
{
	static const enum obj_state from_avail[AV_STATE_COUNT] = {
		OBJ_UNKNOWN, OBJ_UP, OBJ_DOWN};

	if (g->ae)
		return alerts_device_state(g->ae, (uint32_t)i, ret_flapping,
					   ret_fault);
	return from_avail[g->drts[i].av.state];
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *snapshot(struct daemon *dm)
{
	struct gen *g = dm->cur;
	json_t *root = json_object(), *roles = json_object();
	json_t *links = json_array(), *down = json_array();
	json_t *nodata = json_array();
	json_t *disc = json_object(), *rrd = json_object();
	uint64_t counts[ROLE_COUNT][OBJ_STATE_COUNT];
	uint64_t discards[DISCARD_COUNT];
	double now = now_wall();

	if (!root || !roles || !links || !down || !nodata || !disc || !rrd) {
		json_decref(nodata);
		json_decref(root);
		json_decref(roles);
		json_decref(links);
		json_decref(down);
		json_decref(disc);
		json_decref(rrd);
		return NULL;
	}
	memset(counts, 0, sizeof(counts));
	for (size_t i = 0; i < g->cfg->ndevices; i++) {
		const struct device *dev = &g->cfg->devices[i];
		const struct drt *d = &g->drts[i];
		size_t n;
		const struct snmp_iface *ifs =
			snmp_probe_ifaces(g->probe, (uint32_t)i, &n);

		int flapping = 0;
		int64_t fault = 0;
		enum obj_state state = device_state(g, i, &flapping, &fault);

		counts[dev->role][state]++;
		if (state == OBJ_DOWN || state == OBJ_UNREACHABLE)
			json_array_append_new(down, json_pack(
				"{s:s, s:s, s:s, s:s, s:i, s:s, s:f, s:s, s:I, "
				"s:b, s:s}",
				"device", dev->name, "unit", dev->unit, "role",
				role_name(dev->role), "address", dev->host,
				"port", (int)dev->port, "state",
				obj_state_name(state), "since", d->av.since,
				"error",
				snmp_probe_last_error(g->probe, (uint32_t)i),
				"fault", (json_int_t)fault, "flapping",
				flapping, "parent", dev->parent));
		if (g->ae && alerts_device_nodata(g->ae, (uint32_t)i) != 0)
			json_array_append_new(nodata, json_pack(
				"{s:s, s:s, s:s, s:s, s:i, s:s, s:f, s:s, s:I}",
				"device", dev->name, "unit", dev->unit, "role",
				role_name(dev->role), "address", dev->host,
				"port", (int)dev->port, "state",
				obj_state_name(state), "since",
				d->av.state == AV_DOWN ? d->av.since : 0.0,
				"error",
				snmp_probe_last_error(g->probe, (uint32_t)i),
				"fault",
				(json_int_t)alerts_device_nodata(g->ae,
								 (uint32_t)i)));
		if (dev->role != ROLE_BACKBONE && dev->role != ROLE_EXIT)
			continue;
		for (size_t k = 0; k < n && k < d->nlinks; k++) {
			const struct link_view *l = &d->links[k];
			double speed = l->speed_mbps > 0 ? l->speed_mbps
				       : ifs[k].speed_mbps > 0
					       ? ifs[k].speed_mbps
					       : dev->capacity_mbps;
			double cap_bps = speed * 1e6;

			json_array_append_new(links, json_pack(
				"{s:s, s:s, s:s, s:s, s:f, s:f, s:o, s:o, s:o, "
				"s:o, s:f}",
				"device", dev->name, "unit", dev->unit, "role",
				role_name(dev->role), "interface", ifs[k].name,
				"speed_mbps", speed, "capacity_mbps",
				dev->capacity_mbps, "in_bps", jnum(l->in_bps),
				"out_bps", jnum(l->out_bps), "util_in",
				jnum(cap_bps > 0 ? l->in_bps / cap_bps : NAN),
				"util_out",
				jnum(cap_bps > 0 ? l->out_bps / cap_bps : NAN),
				"t", l->t));
		}
	}
	for (int r = 0; r < ROLE_COUNT; r++) {
		uint64_t total = 0;

		for (int k = 0; k < OBJ_STATE_COUNT; k++)
			total += counts[r][k];
		if (total == 0)
			continue;
		json_object_set_new(roles, role_name(r), json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I}", "total",
			(json_int_t)total, "up", (json_int_t)counts[r][OBJ_UP],
			"down", (json_int_t)counts[r][OBJ_DOWN], "unreachable",
			(json_int_t)counts[r][OBJ_UNREACHABLE], "maintenance",
			(json_int_t)counts[r][OBJ_MAINT], "unknown",
			(json_int_t)counts[r][OBJ_UNKNOWN]));
	}
	if (g->ae) {
		struct alerts_stats ast;

		alerts_engine_stats(g->ae, &ast);
		json_object_set_new(root, "faults", json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:s}", "opened",
			(json_int_t)ast.opened, "resolved",
			(json_int_t)ast.resolved, "flapping",
			(json_int_t)ast.flapping, "nodata",
			(json_int_t)ast.nodata, "journal_errors",
			(json_int_t)ast.journal_errors, "last_error",
			ast.last_error));
	}
	metric_engine_discards(g->me, discards);
	for (int r = 0; r < DISCARD_COUNT; r++)
		json_object_set_new(disc, discard_reason_name(r),
				    json_integer((json_int_t)discards[r]));
	if (dm->writer) {
		struct rrd_writer_stats st;

		rrd_writer_stats_get(dm->writer, &st);
		json_object_set_new(rrd, "written",
				    json_integer((json_int_t)st.written));
		json_object_set_new(rrd, "failed",
				    json_integer((json_int_t)st.failed));
		json_object_set_new(rrd, "dropped",
				    json_integer((json_int_t)st.dropped));
		json_object_set_new(rrd, "queued",
				    json_integer((json_int_t)st.queued));
		json_object_set_new(rrd, "last_error",
				    json_string(st.last_error));
	}
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "generated", json_real(now));
	json_object_set_new(root, "started", json_real(dm->started));
	json_object_set_new(root, "config", json_string(g->cfg->path));
	json_object_set_new(root, "devices",
			    json_integer((json_int_t)g->cfg->ndevices));
	json_object_set_new(root, "roles", roles);
	json_object_set_new(root, "links", links);
	json_object_set_new(root, "down", down);
	json_object_set_new(root, "nodata", nodata);
	json_object_set_new(root, "polls", json_pack(
		"{s:I, s:I, s:I, s:I}", "done", (json_int_t)dm->polls, "late",
		(json_int_t)dm->late, "skipped", (json_int_t)dm->skipped,
		"inflight", (json_int_t)g->inflight));
	json_object_set_new(root, "discards", disc);
	json_object_set_new(root, "rrd", rrd);
	json_object_set_new(root, "captures",
			    dm->cap ? capture_bridge_status(dm->cap)
				    : json_array());
	{
		struct capture_store_stats cs;

		capture_store_stats_get(dm->cap_store, &cs);
		json_object_set_new(root, "capture_records", json_pack(
			"{s:b, s:I, s:I, s:I, s:I, s:s}", "kept",
			dm->cap_store != NULL, "written",
			(json_int_t)cs.written, "failed",
			(json_int_t)cs.failed, "dropped",
			(json_int_t)cs.dropped, "queued",
			(json_int_t)cs.queued, "last_error", cs.last_error));
	}
	return root;
}

static void write_status(struct daemon *dm)
{
	json_t *snap = snapshot(dm);
	char err[256];

	if (snap == NULL) {
		log_warnx("status snapshot: out of memory");
		return;
	}
	if (status_write(dm->cur->cfg->status_file, snap, err,
			 sizeof(err)) < 0)
		log_warnx("%s", err);
	json_decref(snap);
}

static void on_status_timer(uv_timer_t *h)
{
	write_status(h->data);
}

/* ---- signals, start, stop ------------------------------------------- */

static int open_writer(const struct config *cfg, struct rrd_writer **ret)
{
	char err[256];
	int rc = rrd_writer_create(cfg->storage_dir, cfg->rrdcached, 0, ret,
				   err, sizeof(err));

	if (rc < 0)
		log_errorx("storage: %s", err);
	return rc;
}

static void fill_defaults(struct config *cfg);

/* ---- notifiers on reload -------------------------------------------- */

/* A retired notifier finishes what it has queued (deliveries of faults
 * opened before the reload are owed to the old [notifier] sections) for
 * at most NOTIFIER_RETIRE_MS, then notifier_destroy() joins its worker,
 * which may still wait out one attempt (up to that notifier's timeout,
 * 300 s at most). Neither may run on the loop thread, so both run on the
 * libuv threadpool; the loop only frees the request afterwards, and
 * uv_run() does not return before it is done, so a stop waits for it as
 * it waits for the notifier's own drain (close_alerts). */
#define NOTIFIER_RETIRE_MS 5000

struct notifier_retiree {
	uv_work_t req;
	struct daemon *dm;
	struct notifier *n;
};

static void retire_work(uv_work_t *req)
{
	struct notifier_retiree *r = req->data;

	if (notifier_drain(r->n, NOTIFIER_RETIRE_MS) < 0)
		log_warnx("reload: previous notifiers still busy after %d s, "
			  "their pending deliveries are abandoned",
			  NOTIFIER_RETIRE_MS / 1000);
	notifier_destroy(r->n);
}

static void retire_done(uv_work_t *req, int status)
{
	struct notifier_retiree *r = req->data;

	(void)status;
	r->dm->retiring_notifiers--;
	free(r);
}

static int same_notifiers(const struct config *a, const struct config *b)
{
	if (a->nnotifiers != b->nnotifiers)
		return 0;
	for (size_t i = 0; i < a->nnotifiers; i++) {
		const struct notifier_cfg *x = &a->notifiers[i];
		const struct notifier_cfg *y = &b->notifiers[i];

		if (strcmp(x->name, y->name) != 0 || x->type != y->type ||
		    strcmp(x->command, y->command) != 0 ||
		    strcmp(x->url, y->url) != 0 || x->tmpl != y->tmpl ||
		    x->timeout_s != y->timeout_s || x->retries != y->retries ||
		    x->backoff_s != y->backoff_s ||
		    strcmp(x->events, y->events) != 0 ||
		    x->min_severity != y->min_severity)
			return 0;
	}
	return 1;
}

/* New [notifier] sections: a new notifier takes the events from now on;
 * the old one drains off the loop. On error the old one stays. */
static void reload_notifiers(struct daemon *dm, const struct config *old,
			     const struct config *cfg)
{
	struct notifier *n = NULL;
	struct notifier_retiree *r;
	char err[256];

	if (dm->journal == NULL ||
	    (dm->notifier != NULL && same_notifiers(old, cfg)))
		return;
	if (notifier_create(cfg, dm->journal_path, 0, &n, err, sizeof(err)) <
	    0) {
		log_errorx("reload: notifier: %s (keeping the running "
			   "notifiers)",
			   err);
		return;
	}
	log_info("reload: %zu notifiers", cfg->nnotifiers);
	r = calloc(1, sizeof(*r));
	if (r == NULL && dm->notifier != NULL) {
		log_errorx("reload: out of memory (keeping the running "
			   "notifiers)");
		notifier_destroy(n);
		return;
	}
	if (dm->notifier == NULL) {
		free(r);
		dm->notifier = n;
		return;
	}
	r->dm = dm;
	r->n = dm->notifier;
	r->req.data = r;
	dm->notifier = n;
	if (uv_queue_work(&dm->loop, &r->req, retire_work, retire_done) < 0) {
		/* cannot happen with a valid loop and callback */
		notifier_destroy(r->n);
		free(r);
		return;
	}
	dm->retiring_notifiers++;
}

static void reload(struct daemon *dm)
{
	struct diag d = {0};
	struct config *cfg = NULL;
	struct gen *g, *old = dm->cur;
	struct rrd_writer *w = NULL;
	int new_storage;

	log_info("SIGHUP: reloading %s", dm->opts.config_path);
	if (config_load(dm->opts.config_path, &cfg, &d) < 0) {
		for (size_t i = 0; i < d.n; i++)
			log_errorx("%s", d.msgs[i]);
		log_errorx("reload failed (%zu errors): keeping the running "
			   "configuration",
			   d.n);
		diag_destroy(&d);
		return;
	}
	diag_destroy(&d);
	fill_defaults(cfg);
	new_storage = strcmp(cfg->storage_dir, old->cfg->storage_dir) != 0 ||
		      strcmp(cfg->rrdcached, old->cfg->rrdcached) != 0;
	if (new_storage && !dm->opts.no_rrd && open_writer(cfg, &w) < 0) {
		log_errorx("reload failed: keeping the running configuration");
		config_destroy(cfg);
		return;
	}
	g = gen_create(dm, cfg, old);
	if (g == NULL) {
		log_errorx("reload failed: out of memory");
		rrd_writer_destroy(w);
		config_destroy(cfg);
		return;
	}
	if (new_storage && !dm->opts.no_rrd) {
		rrd_writer_destroy(dm->writer);
		dm->writer = w;
	}
	dm->cur = g;
	/* captures change with the old sinks still attached: the last
	 * intervals of a stopped capture go where its earlier ones went */
	capture_bridge_reload(dm->cap, cfg);
	capture_bridge_attach(dm->cap, cfg, dm->writer, g->ae);
	reload_notifiers(dm, old->cfg, cfg);
	gen_retire(old);
	log_info("reloaded: %zu devices, %zu captures", cfg->ndevices,
		 cfg->ncaptures);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct daemon *dm = h->data;

	if (signum == SIGHUP) {
		reload(dm);
		return;
	}
	log_info("signal %d: stopping", signum);
	daemon_stop(dm);
}

static void on_stop_timer(uv_timer_t *h)
{
	struct daemon *dm = h->data;

	if (dm->opts.duration > 0 && !dm->stopping)
		log_info("stopping");
	daemon_stop(dm);
}

static void daemon_stop(struct daemon *dm)
{
	if (dm->stopping)
		return;
	dm->stopping = 1;
	capture_bridge_stop(dm->cap); /* their last intervals, then status */
	write_status(dm);
	capture_bridge_close(dm->cap);
	capture_store_close(dm->cap_store); /* writes what is queued */
	dm->cap_store = NULL;
	uv_close((uv_handle_t *)&dm->status_timer, NULL);
	uv_close((uv_handle_t *)&dm->stop_timer, NULL);
	uv_close((uv_handle_t *)&dm->alerts_timer, NULL);
	uv_close((uv_handle_t *)&dm->sigterm, NULL);
	uv_close((uv_handle_t *)&dm->sigint, NULL);
	uv_close((uv_handle_t *)&dm->sighup, NULL);
	gen_retire(dm->cur);
	dm->cur = NULL;
	icmp_probe_close(dm->icmp, NULL, NULL);
	dm->icmp = NULL;
}

/* The fault journal and the notifier outlive reloads: faults are the
 * operators' record, not the configuration's. */
static void open_alerts(struct daemon *dm, const struct config *cfg)
{
	char err[256];

	snprintf(dm->journal_path, sizeof(dm->journal_path), "%s",
		 cfg->alerts.journal);
	if (journal_open(dm->journal_path, &dm->journal, err, sizeof(err)) <
	    0) {
		log_errorx("fault journal: %s (faults are not tracked%s)", err,
			   cfg->ncaptures > 0 ? ", captures' top talkers are "
						"not kept"
					      : "");
		dm->journal = NULL;
		return;
	}
	if (notifier_create(cfg, dm->journal_path, 0, &dm->notifier, err,
			    sizeof(err)) < 0) {
		log_errorx("notifier: %s (no notifications)", err);
		dm->notifier = NULL;
	}
	/* capture interval records (top talkers) go to the same database,
	 * on a connection of their own used off the loop */
	if (capture_store_create(&dm->loop, dm->journal_path, &dm->cap_store,
				 err, sizeof(err)) < 0) {
		log_errorx("capture records: %s (top talkers are not kept)",
			   err);
		dm->cap_store = NULL;
	}
}

static void close_alerts(struct daemon *dm)
{
	if (dm->notifier) {
		if (notifier_drain(dm->notifier, 5000) < 0)
			log_warnx("notifications still pending at exit");
		notifier_destroy(dm->notifier);
	}
	journal_close(dm->journal);
}

static void open_icmp(struct daemon *dm, const struct config *cfg)
{
	char err[256];

	if (icmp_probe_create(&dm->loop, &dm->icmp, err, sizeof(err)) == 0)
		return;
	dm->icmp = NULL;
	if (cfg->alerts.ping)
		log_warnx("%s: a device that stops answering SNMP is taken as "
			  "down (no nodata faults)",
			  err);
}

static void fill_defaults(struct config *cfg)
{
	/* a device poll may take a few requests, each with retries; but one
	 * dead agent must not hold a slot longer than part of a cycle */
	if (cfg->poll_budget_ms <= 0) {
		int min_iv = 86400;
		long b = 3L * (cfg->retries + 1) * cfg->timeout_ms;

		for (int r = 0; r < ROLE_COUNT; r++)
			if (cfg->interval_s[r] < min_iv)
				min_iv = cfg->interval_s[r];
		if (b > min_iv * 800L)
			b = min_iv * 800L;
		cfg->poll_budget_ms = (int)b;
	}
}

int daemon_run(const struct daemon_opts *opts)
{
	struct daemon *dm;
	struct diag d = {0};
	struct config *cfg = NULL;
	int rc;

	if (config_load(opts->config_path, &cfg, &d) < 0) {
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.msgs[i]);
		fprintf(stderr, "slamond: %zu configuration errors, not "
				"starting\n",
			d.n);
		diag_destroy(&d);
		return 1;
	}
	diag_destroy(&d);
	fill_defaults(cfg);
	log_init(cfg->log_target, cfg->log_level, "slamond");
	dm = calloc(1, sizeof(*dm));
	if (dm == NULL) {
		config_destroy(cfg);
		return 2;
	}
	dm->opts = *opts;
	dm->started = now_wall();
	if (uv_loop_init(&dm->loop) != 0) {
		free(dm);
		config_destroy(cfg);
		return 2;
	}
	/* Live captures first, while we still have CAP_NET_RAW and before
	 * any file, socket or thread exists: a privilege drop belongs right
	 * after this (docs/pcap.md). */
	if (capture_bridge_open(&dm->loop, cfg, &dm->cap) < 0) {
		log_errorx("captures: out of memory");
		uv_loop_close(&dm->loop);
		free(dm);
		config_destroy(cfg);
		return 2;
	}
	/* the ICMP socket too (raw as root), even with ping = no: a reload
	 * may turn it on when the privileges are gone */
	open_icmp(dm, cfg);
	if (mkdir(cfg->storage_dir, 0755) < 0 && errno != EEXIST)
		log_warn("storage folder %s", cfg->storage_dir);
	if (!opts->no_rrd && open_writer(cfg, &dm->writer) < 0) {
		capture_bridge_close(dm->cap);
		icmp_probe_close(dm->icmp, NULL, NULL);
		uv_run(&dm->loop, UV_RUN_DEFAULT);
		uv_loop_close(&dm->loop);
		free(dm);
		config_destroy(cfg);
		return 2;
	}
	open_alerts(dm, cfg);
	dm->cur = gen_create(dm, cfg, NULL);
	if (dm->cur == NULL) {
		log_errorx("out of memory");
		capture_bridge_close(dm->cap);
		capture_store_close(dm->cap_store);
		icmp_probe_close(dm->icmp, NULL, NULL);
		rrd_writer_destroy(dm->writer);
		config_destroy(cfg);
		uv_run(&dm->loop, UV_RUN_DEFAULT);
		uv_loop_close(&dm->loop);
		free(dm);
		return 2;
	}
	log_info("slamond started: %zu devices, %zu profiles, %zu captures, "
		 "storage %s%s%s",
		 cfg->ndevices, cfg->nprofiles, cfg->ncaptures,
		 cfg->storage_dir, cfg->rrdcached[0] ? " via rrdcached " : "",
		 cfg->rrdcached);
	capture_bridge_attach(dm->cap, cfg, dm->writer, dm->cur->ae);
	capture_bridge_set_store(dm->cap, dm->cap_store);
	capture_bridge_start(dm->cap);
	uv_signal_init(&dm->loop, &dm->sigterm);
	uv_signal_init(&dm->loop, &dm->sigint);
	uv_signal_init(&dm->loop, &dm->sighup);
	dm->sigterm.data = dm->sigint.data = dm->sighup.data = dm;
	uv_signal_start(&dm->sigterm, on_signal, SIGTERM);
	uv_signal_start(&dm->sigint, on_signal, SIGINT);
	uv_signal_start(&dm->sighup, on_signal, SIGHUP);
	uv_timer_init(&dm->loop, &dm->status_timer);
	uv_timer_init(&dm->loop, &dm->stop_timer);
	dm->status_timer.data = dm->stop_timer.data = dm;
	uv_timer_start(&dm->status_timer, on_status_timer, 1000, 5000);
	uv_timer_init(&dm->loop, &dm->alerts_timer);
	dm->alerts_timer.data = dm;
	uv_timer_start(&dm->alerts_timer, on_alerts_timer, 1000, 1000);
	if (opts->duration > 0)
		uv_timer_start(&dm->stop_timer, on_stop_timer,
			       (uint64_t)(opts->duration * 1000), 0);
	write_status(dm);

	uv_run(&dm->loop, UV_RUN_DEFAULT);

	rrd_writer_destroy(dm->writer); /* flushes pending rows */
	close_alerts(dm);
	rc = uv_loop_close(&dm->loop);
	if (rc != 0)
		log_warnx("event loop closed with handles open: %s",
			  uv_strerror(rc));
	log_info("slamond stopped");
	rc = dm->exit_code;
	free(dm);
	return rc;
}
