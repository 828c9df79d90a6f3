/*
 * gen.c - generations of slamond (daemon_int.h): the probes, metric engine,
 * alerts engine and scheduler of one loaded configuration; the hooks the
 * probes call; the dispatch of the metric engine's rows to the sinks; the
 * ICMP echo after a failed poll; adoption of unchanged devices on reload.
 *
 * Scheduling (schedule.h): one timer turns the scheduler every
 * SCHED_TICK_MS; due devices start when fewer than max_inflight polls run,
 * else wait in its FIFO.
 *
 * A failed poll is followed by one ICMP echo to the device (probes/icmp.h)
 * when [alerts] ping is on; the poll's result goes to the alerts engine
 * after the echo's, so that a device that answers ping gets a "nodata"
 * fault instead of "down" (docs/alerts.md). Polls stay on their schedule.
 * SPDX-License-Identifier: MIT
 */
#include "daemon_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "alerts/config.h"
#include "alerts/engine.h"
#include "alerts/notify.h"
#include "collector/registry.h"
#include "core/hash.h"
#include "probes/icmp.h"
#include "probes/trap_config.h"
#include "sla/sla.h"

double daemon__now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* ---- hooks from the probes ------------------------------------------ */

static void on_sample(void *arg, const struct sample *s)
{
	struct gen *g = arg;

	metric_engine_feed(g->me, s);
}

static void on_discovered(void *arg, uint32_t device, size_t n)
{
	struct gen *g = arg;
	struct drt *d = &g->drts[device];
	const struct device *dev = &g->cfg->devices[device];
	double *cap = NULL;
	struct link_view *links = NULL;

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

static void confirm_done(struct gen *g, struct drt *d, double now);

static void on_done(void *arg, uint32_t device)
{
	struct gen *g = arg;
	struct daemon *dm = g->dm;
	const struct sched_dev *sd = &g->sched.dev[device];
	double now = daemon__now();

	if (sd->state != SCHED_ST_POLLING)
		return;
	sched_done(&g->sched, device, now);
	daemon__poll_time(dm, now - g->drts[device].poll_start);
	if (g->drts[device].confirm_polling)
		confirm_done(g, &g->drts[device], now);
	if (dm->opts.cycles > 0 && sd->polls == (uint64_t)dm->opts.cycles &&
	    ++g->reached == g->cfg->ndevices) {
		/* inside a probe callback: stop from the loop */
		log_info("%d cycles done, stopping", dm->opts.cycles);
		daemon__stop_soon(dm);
	}
}

/* ---- rows of the metric engine, to every sink ------------------------ */

static void on_row(void *arg, const struct metric_row *row)
{
	struct gen *g = arg;
	struct drt *d = &g->drts[row->device];
	struct sink_row r = { .row = row, .dev = &g->cfg->devices[row->device] };
	size_t n;
	const struct sink_ops *const *sinks = sink_list(&n);

	if (row->ifslot >= 0) {
		r.ifname = g->pops[d->kind]->iface(g->probes[d->kind],
						   row->device,
						   (size_t)row->ifslot, NULL);
		if (r.ifname == NULL || (size_t)row->ifslot >= d->nlinks)
			return;
	}
	for (size_t i = 0; i < n; i++)
		sinks[i]->row(g, &r);
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
	alerts_device_ping(g->ae, d->idx, status == 0, daemon__now());
	alerts_device_result(g->ae, d->idx, 0, d->ping_poll_t);
}

int daemon__ping_start(struct drt *d, double t)
{
	struct gen *g = d->g;
	const struct device *dev = &g->cfg->devices[d->idx];
	struct sockaddr_storage sa;
	int rc;

	if (!alerts_config(g->cfg)->ping || g->dm->icmp == NULL ||
	    d->pinging || dev->probe == DEV_PROBE_ICMP)
		return -EAGAIN; /* an ICMP device's poll was the echo */
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

/* ---- alerts events: log, then the notifier --------------------------- */

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

/* ---- scheduling ----------------------------------------------------- */

static int start_poll(void *arg, uint32_t i, double now)
{
	struct gen *g = arg;
	struct drt *d = &g->drts[i];

	if (g->closing || g->dm->stopping)
		return -EINVAL;
	d->poll_start = now;
	return g->pops[d->kind]->poll(g->probes[d->kind], i);
}

/* ---- a trap's confirmation polls ------------------------------------ */

/* Why several polls, quickly: alerts/ decides "down" after down_after
 * consecutive failed polls (and "up" after up_after good ones), which at a
 * 60 s interval is minutes. The trap says "look now"; polling now and then
 * every confirm_spacing_ms until the results agree with the state (or
 * down_after/up_after polls were made) lets the same rule decide within
 * seconds, on real answers. A trap from a device that is fine costs one
 * poll. */

/* Starts the confirmation polls that are due; a device busy with a poll
 * of its grid is asked again at the next tick. */
static void confirm_run(struct gen *g, double now)
{
	for (size_t k = 0; k < g->nconfirm;) {
		struct drt *d = &g->drts[g->confirm[k]];
		int rc;

		if (d->confirm_left == 0) {
			g->confirm[k] = g->confirm[--g->nconfirm];
			continue;
		}
		k++;
		if (d->confirm_polling || now < d->confirm_at)
			continue;
		d->confirm_polling = 1; /* the poll may end inside the call */
		rc = sched_poll_now(&g->sched, d->idx, now);
		if (rc == -EBUSY) {
			d->confirm_polling = 0;
		} else if (rc < 0) {
			d->confirm_polling = 0;
			d->confirm_left = 0;
		}
	}
}

static void confirm_done(struct gen *g, struct drt *d, double now)
{
	enum obj_state st = alerts_device_state(g->ae, d->idx, NULL, NULL);
	int ok = d->last_status == POLL_OK;

	d->confirm_polling = 0;
	if (d->confirm_left > 0)
		d->confirm_left--;
	/* the result agrees with the state: nothing left to confirm (but
	 * for a link trap: its interface may still be on its way down) */
	if (!d->confirm_all &&
	    ((ok && st == OBJ_UP) ||
	     (!ok && (st == OBJ_DOWN || st == OBJ_UNREACHABLE))))
		d->confirm_left = 0;
	if (d->confirm_left == 0)
		d->confirm_all = 0;
	d->confirm_at = now + traps_config(g->cfg)->confirm_spacing_ms / 1e3;
}

void daemon__confirm_start(struct gen *g, uint32_t i, double now, int all)
{
	struct drt *d;
	int n;

	if (g == NULL || g->closing || i >= g->cfg->ndevices)
		return;
	d = &g->drts[i];
	n = alerts_confirm_polls(g->ae, i);
	if (n < 1)
		n = 1;
	if (n > 255)
		n = 255;
	if (d->confirm_left == 0 && !d->confirm_polling) {
		if (g->nconfirm == g->confirm_cap) {
			size_t cap = g->confirm_cap ? 2 * g->confirm_cap : 64;
			uint32_t *c;

			if (cap > g->cfg->ndevices)
				cap = g->cfg->ndevices;
			c = realloc(g->confirm, cap * sizeof(*c));
			if (c == NULL || cap <= g->nconfirm) {
				if (c != NULL)
					g->confirm = c;
				log_warnx("%s: trap: out of memory, no "
					  "confirmation poll",
					  g->cfg->devices[i].name);
				return;
			}
			g->confirm = c;
			g->confirm_cap = cap;
		}
		g->confirm[g->nconfirm++] = i;
	}
	d->confirm_left = (uint8_t)n;
	d->confirm_all |= all != 0;
	d->confirm_at = now;
	confirm_run(g, now);
}

static void on_tick(uv_timer_t *h)
{
	struct gen *g = h->data;
	double now;

	if (g->closing || g->dm->stopping)
		return;
	now = daemon__now();
	sched_run(&g->sched, uv_now(&g->dm->loop), now);
	if (g->nconfirm > 0)
		confirm_run(g, now);
}

/* ---- adoption on reload --------------------------------------------- */

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

/* Device i of g takes over what old knew of the same device. */
static void adopt(struct gen *g, struct drt *d, const struct gen *old,
		  struct old_index *oi)
{
	const struct device *dev = &g->cfg->devices[d->idx];
	const struct probe_ops *po = g->pops[d->kind];

	for (size_t k = old_first(oi, dev->name); k != SIZE_MAX;
	     k = old_next(oi, dev->name)) {
		const struct drt *o = &old->drts[k];

		if (o->kind != d->kind ||
		    !po->same(g->cfg, dev, old->cfg, &old->cfg->devices[k]))
			continue;
		po->adopt(g->probes[d->kind], d->idx, old->probes[o->kind],
			  o->idx);
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
		/* its availability too: the reload logs no change for it */
		if (alerts_engine_adopt_device(g->ae, d->idx, old->ae,
					       o->idx) == -ENOMEM)
			log_warnx("%s: reload: interface alert states start "
				  "afresh (out of memory)",
				  dev->name);
		d->cpl = o->cpl;
		d->last_status = o->last_status;
		d->last_poll = o->last_poll;
		d->rtt_ms = o->rtt_ms;
		d->loss_pct = o->loss_pct;
		return;
	}
}

/* ---- life of a generation -------------------------------------------- */

static void gen_free(struct gen *g)
{
	if (g == NULL)
		return;
	if (g->drts)
		for (size_t i = 0; i < g->cfg->ndevices; i++)
			free(g->drts[i].links);
	free(g->drts);
	status_cache_free(g->status_cache);
	daemon__svc_free(g);
	free(g->confirm);
	sched_free(&g->sched);
	alerts_engine_destroy(g->ae);
	metric_engine_destroy(g->me);
	for (size_t k = 0; k < g->nkinds; k++)
		if (g->probes[k] != NULL)
			g->pops[k]->destroy(g->probes[k]);
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

/* The probes and engines of g; 0 or -ENOMEM (g->cfg is still the
 * caller's then). */
static int gen_open(struct gen *g)
{
	struct probe_hooks hooks = { on_sample, on_discovered, on_done, g };
	struct daemon *dm = g->dm;
	const struct config *cfg = g->cfg;
	char err[256];

	g->pops = probe_kinds(&g->nkinds);
	if (g->nkinds > PROBE_KINDS_MAX)
		return -ENOMEM;
	g->drts = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*g->drts));
	g->me = metric_engine_create(cfg->ndevices, on_row, g);
	if (g->drts == NULL || g->me == NULL ||
	    sched_init(&g->sched, cfg->ndevices, (size_t)cfg->max_inflight,
		       uv_now(&dm->loop), start_poll, g) < 0)
		return -ENOMEM;
	for (size_t k = 0; k < g->nkinds; k++)
		if (g->pops[k]->create(&dm->loop, cfg, &hooks,
				       &g->probes[k]) < 0)
			return -ENOMEM;
	if (alerts_engine_create(cfg, dm->journal, on_alert_event, g, &g->ae,
				 err, sizeof(err)) < 0) {
		log_errorx("alerts: %s", err);
		return -ENOMEM;
	}
	if (alerts_engine_reconcile(g->ae, daemon__now(), err, sizeof(err)) <
	    0)
		log_errorx("alerts: %s (open faults of the journal are not "
			   "adopted)",
			   err);
	return daemon__svc_open(g, on_alert_event) < 0 ? -ENOMEM : 0;
}

struct gen *daemon__gen_create(struct daemon *dm, struct config *cfg,
			       const struct gen *old)
{
	struct gen *g = calloc(1, sizeof(*g));
	struct old_index oi;
	double now = daemon__now();

	if (g == NULL)
		return NULL;
	/* the loop's clock may be stale after reading a large inventory:
	 * due ticks are counted from it */
	uv_update_time(&dm->loop);
	g->dm = dm;
	g->cfg = cfg;
	if (gen_open(g) < 0) {
		g->cfg = NULL; /* the caller still owns cfg */
		free(g->drts);
		g->drts = NULL;
		gen_free(g);
		return NULL;
	}
	old_index_build(&oi, old ? old->cfg : NULL);
	for (size_t i = 0; i < cfg->ndevices; i++) {
		struct drt *d = &g->drts[i];
		const struct device *dev = &cfg->devices[i];
		double iv = cfg->interval_s[dev->role];

		d->g = g;
		d->idx = (uint32_t)i;
		d->link = sla_link_device(cfg, i) != 0;
		d->kind = (uint8_t)probe_kind_of(dev);
		d->last_status = -1;
		d->rtt_ms = d->loss_pct = NAN;
		if (old != NULL)
			adopt(g, d, old, &oi);
		if (dev->probe == DEV_PROBE_ICMP)
			sched_device_paced(&g->sched, (uint32_t)i);
		sched_device_start(&g->sched, (uint32_t)i, iv,
				   sched_offset(dev->name, iv), now,
				   uv_now(&dm->loop));
	}
	free(oi.tab);
	daemon__svc_adopt(g, old);
	uv_timer_init(&dm->loop, &g->tick);
	g->tick.data = g;
	uv_timer_start(&g->tick, on_tick, SCHED_TICK_MS, SCHED_TICK_MS);
	return g;
}

void daemon__gen_retire(struct gen *g)
{
	struct daemon *dm = g->dm;

	g->closing = 1;
	sched_stop(&g->sched);
	dm->polls += g->sched.polls;
	dm->late += g->sched.late;
	dm->skipped += g->sched.skipped;
	g->open_handles = 2 + (int)g->nkinds; /* probes, the tick, a guard */
	for (size_t i = 0; i < g->cfg->ndevices; i++) {
		if (g->drts[i].pinging)
			icmp_probe_cancel(dm->icmp, &g->drts[i]);
		g->drts[i].pinging = 0;
	}
	uv_close((uv_handle_t *)&g->tick, gen_handle_closed);
	g->open_handles += daemon__svc_close(g, gen_handle_closed,
					     gen_probe_closed);
	for (size_t k = 0; k < g->nkinds; k++)
		g->pops[k]->close(g->probes[k], gen_probe_closed, g);
	if (--g->open_handles == 0)
		gen_free(g);
}
