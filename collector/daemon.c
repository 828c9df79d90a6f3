/*
 * daemon.c - slamond's runtime: start-up (captures and raw sockets first,
 * then storage, the fault journal and the first generation), the status
 * snapshot timer, SIGHUP reloads, signals and stop. Generations, the probe
 * hooks and the scheduler's wiring are in gen.c; where rows go, sinks.c.
 *
 * A reload builds a new generation next to the running one (gen.c), lets
 * it adopt the state of every unchanged device, then retires the old one;
 * a reload that fails validation changes nothing.
 * SPDX-License-Identifier: MIT
 */
#include "daemon_int.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alerts/config.h"
#include "alerts/engine.h"
#include "alerts/notify.h"
#include "collector/capture.h"
#include "collector/capture_store.h"
#include "collector/status.h"
#include "modules/modules.h"
#include "probes/capture_config.h"
#include "probes/icmp.h"
#include "probes/icmp_sweep.h"
#include "collector/registry.h"
#include "probes/snmp_config.h"
#include "storage/journal.h"
#include "storage/rrdstore.h"
#include "core/tz.h"
#include "web/web.h"

static void daemon_stop(struct daemon *dm);
static void close_icmp(struct daemon *dm);
static void on_stop_timer(uv_timer_t *h);

void daemon__stop_soon(struct daemon *dm)
{
	uv_timer_start(&dm->stop_timer, on_stop_timer, 0, 0);
}

static void on_alerts_timer(uv_timer_t *h)
{
	struct daemon *dm = h->data;

	if (dm->cur && dm->cur->ae)
		alerts_tick(dm->cur->ae, daemon__now());
	daemon__traps_flush(dm);
}

/* ---- status snapshot ------------------------------------------------ */

static void snap_device(void *arg, size_t i, struct status_device *ret)
{
	const struct gen *g = arg;
	const struct drt *d = &g->drts[i];

	ret->state = alerts_device_state(g->ae, (uint32_t)i, &ret->flapping,
					 &ret->fault);
	ret->since = alerts_device_since(g->ae, (uint32_t)i);
	ret->nodata = alerts_device_nodata(g->ae, (uint32_t)i);
	ret->error = g->pops[d->kind]->last_error(g->probes[d->kind],
						  (uint32_t)i);
	ret->icmp = g->cfg->devices[i].probe == DEV_PROBE_ICMP;
	ret->rtt_ms = d->rtt_ms;
	ret->loss_pct = d->loss_pct;
}

static int snap_link(void *arg, size_t i, size_t k, struct status_link *ret)
{
	const struct gen *g = arg;
	const struct drt *d = &g->drts[i];
	double speed = 0;
	const char *name;

	if (k >= d->nlinks)
		return -1;
	name = g->pops[d->kind]->iface(g->probes[d->kind], (uint32_t)i, k,
				       &speed);
	if (name == NULL)
		return -1;
	ret->ifname = name;
	ret->in_bps = d->links[k].in_bps;
	ret->out_bps = d->links[k].out_bps;
	ret->speed_mbps = d->links[k].speed_mbps > 0 ? d->links[k].speed_mbps
						     : speed;
	ret->t = d->links[k].t;
	return 0;
}

static void write_status(struct daemon *dm)
{
	struct gen *g = dm->cur;
	struct alerts_stats ast;
	struct rrd_writer_stats rst;
	struct capture_store_stats cst;
	struct icmp_sweep_stats sws;
	uint64_t discards[DISCARD_COUNT];
	struct status_source src = {
		.cfg = g->cfg,
		.now = daemon__now(),
		.started = dm->started,
		.polls = dm->polls + g->sched.polls,
		.late = dm->late + g->sched.late,
		.skipped = dm->skipped + g->sched.skipped,
		.inflight = g->sched.inflight,
		.device = snap_device,
		.link = snap_link,
		.arg = g,
		.faults = &ast,
		.discards = discards,
		.captures = dm->cap ? capture_bridge_status(dm->cap) : NULL,
		.services = daemon__svc_status(g),
	};
	json_t *snap;
	char err[256];

	alerts_engine_stats(g->ae, &ast);
	metric_engine_discards(g->me, discards);
	if (dm->writer) {
		rrd_writer_stats_get(dm->writer, &rst);
		src.rrd = &rst;
	}
	if (dm->cap_store) {
		capture_store_stats_get(dm->cap_store, &cst);
		src.records = &cst;
	}
	if (dm->sweep) {
		icmp_sweep_stats_get(dm->sweep, &sws);
		src.sweep = &sws;
	}
	if (g->status_cache == NULL)
		g->status_cache = status_cache_new(); /* NULL: no cache */
	src.cache = g->status_cache;
	snap = status_snapshot(&src);
	if (snap == NULL) {
		log_warnx("status snapshot: out of memory");
		return;
	}
	json_object_set_new(snap, "traps", daemon__traps_json(dm));
	if (status_write_cached(g->cfg->status_file, snap, g->status_cache,
				err, sizeof(err)) < 0)
		log_warnx("%s", err);
	json_decref(snap);
}

static void on_status_timer(uv_timer_t *h)
{
	write_status(h->data);
}

/* ---- the web server's view of the running generation ----------------- */

static const struct config *web_cfg_of(void *arg)
{
	const struct daemon *dm = arg;

	return dm->cur->cfg;
}

static void web_device(void *arg, size_t i, struct web_device_view *ret)
{
	const struct daemon *dm = arg;
	const struct gen *g = dm->cur;

	memset(ret, 0, sizeof(*ret));
	if (i >= g->cfg->ndevices)
		return;
	ret->state = alerts_device_state(g->ae, (uint32_t)i, &ret->flapping,
					 &ret->fault);
	ret->since = alerts_device_since(g->ae, (uint32_t)i);
	if (ret->fault == 0)
		ret->fault = alerts_device_nodata(g->ae, (uint32_t)i);
}

static int web_iface(void *arg, size_t i, size_t k,
		     struct web_iface_view *ret)
{
	const struct daemon *dm = arg;
	struct status_link l;

	if (i >= dm->cur->cfg->ndevices || snap_link(dm->cur, i, k, &l) < 0)
		return -1;
	ret->name = l.ifname;
	ret->in_bps = l.in_bps;
	ret->out_bps = l.out_bps;
	ret->speed_mbps = l.speed_mbps;
	ret->t = l.t;
	return 0;
}

static void web_counters(void *arg, struct web_counters *ret)
{
	const struct daemon *dm = arg;
	const struct gen *g = dm->cur;

	memset(ret, 0, sizeof(*ret));
	ret->started = dm->started;
	ret->polls = dm->polls + g->sched.polls;
	ret->late = dm->late + g->sched.late;
	ret->skipped = dm->skipped + g->sched.skipped;
	ret->inflight = g->sched.inflight;
	memcpy(ret->hist, dm->poll_hist, sizeof(ret->hist));
	ret->poll_seconds = dm->poll_sum;
}

void daemon__poll_time(struct daemon *dm, double s)
{
	size_t k = 0;

	if (!(s >= 0))
		return;
	while (k < WEB_POLL_BUCKETS && s > web_poll_buckets[k])
		k++;
	dm->poll_hist[k]++;
	dm->poll_sum += s;
}

static int start_web(struct daemon *dm)
{
	const struct web_source src = {
		.arg = dm,
		.config = web_cfg_of,
		.device = web_device,
		.iface = web_iface,
		.counters = web_counters,
	};
	char err[512];
	int rc = web_server_start(&dm->loop, dm->cur->cfg, &src,
				  SLAMON_VERSION, &dm->web, err, sizeof(err));

	if (rc < 0)
		log_errorx("%s", err);
	return rc;
}

/* ---- signals, start, stop ------------------------------------------- */

static int open_writer(const struct config *cfg, struct rrd_writer **ret)
{
	char err[256];
	/* through a remote rrdcached, the folder as it names it */
	const char *dir = cfg->rrdcached[0] != '\0' && cfg->rrdcached_dir[0]
				  ? cfg->rrdcached_dir
				  : cfg->storage_dir;
	int rc = rrd_writer_create(dir, cfg->rrdcached, 0, ret, err,
				   sizeof(err));

	if (rc < 0)
		log_errorx("storage: %s", err);
	else
		rrd_writer_set_batch(*ret, cfg->rrd_hold_s,
				     (unsigned)cfg->rrd_create_rate);
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

/* New [notifier] sections: a new notifier takes the events from now on;
 * the old one drains off the loop. On error the old one stays. */
static void reload_notifiers(struct daemon *dm, const struct config *old,
			     const struct config *cfg)
{
	struct notifier *n = NULL;
	struct notifier_retiree *r;
	char err[256];

	if (dm->journal == NULL ||
	    (dm->notifier != NULL && !alerts_notifiers_changed(old, cfg)))
		return;
	if (notifier_create(cfg, dm->journal_path, 0, &n, err, sizeof(err)) <
	    0) {
		log_errorx("reload: notifier: %s (keeping the running "
			   "notifiers)",
			   err);
		return;
	}
	log_info("reload: %zu notifiers", config_count(cfg, &notifier_section));
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
		if (d.more > 0)
			log_errorx("%s: %zu more not shown",
				   dm->opts.config_path, d.more);
		log_errorx("reload failed (%zu errors): keeping the running "
			   "configuration",
			   diag_count(&d));
		diag_destroy(&d);
		return;
	}
	diag_destroy(&d);
	fill_defaults(cfg);
	if (!tz_is_current(cfg->timezone))
		log_warnx("[general] timezone %s: applies at the next start "
			  "(times stay in %s until then)",
			  cfg->timezone, old->cfg->timezone);
	new_storage = strcmp(cfg->storage_dir, old->cfg->storage_dir) != 0 ||
		      strcmp(cfg->rrdcached, old->cfg->rrdcached) != 0 ||
		      strcmp(cfg->rrdcached_dir, old->cfg->rrdcached_dir) != 0;
	if (new_storage && !dm->opts.no_rrd && open_writer(cfg, &w) < 0) {
		log_errorx("reload failed: keeping the running configuration");
		config_destroy(cfg);
		return;
	}
	g = daemon__gen_create(dm, cfg, old);
	if (g == NULL) {
		log_errorx("reload failed: out of memory");
		rrd_writer_destroy(w);
		config_destroy(cfg);
		return;
	}
	if (new_storage && !dm->opts.no_rrd) {
		rrd_writer_destroy(dm->writer);
		dm->writer = w;
	} else if (dm->writer != NULL) {
		rrd_writer_set_batch(dm->writer, cfg->rrd_hold_s,
				     (unsigned)cfg->rrd_create_rate);
	}
	dm->cur = g;
	/* captures change with the old sinks still attached: the last
	 * intervals of a stopped capture go where its earlier ones went */
	capture_bridge_reload(dm->cap, cfg);
	capture_bridge_attach(dm->cap, cfg, dm->writer, g->ae);
	reload_notifiers(dm, old->cfg, cfg);
	daemon__traps_reload(dm, old->cfg, cfg);
	web_server_reload(dm->web, cfg);
	daemon__gen_retire(old);
	log_info("reloaded: %zu devices, %zu captures", cfg->ndevices,
		 config_count(cfg, &capture_section));
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
	/* the state log's intervals end here (unknown from now on) */
	if (dm->cur != NULL && dm->cur->ae != NULL)
		alerts_engine_stop(dm->cur->ae, daemon__now());
	web_server_stop(dm->web);
	capture_bridge_stop(dm->cap); /* their last intervals, then status */
	write_status(dm);
	capture_bridge_close(dm->cap);
	capture_store_close(dm->cap_store); /* writes what is queued */
	dm->cap_store = NULL;
	uv_close((uv_handle_t *)&dm->status_timer, NULL);
	uv_close((uv_handle_t *)&dm->stop_timer, NULL);
	uv_close((uv_handle_t *)&dm->alerts_timer, NULL);
	daemon__sla_close(dm);
	uv_close((uv_handle_t *)&dm->sigterm, NULL);
	uv_close((uv_handle_t *)&dm->sigint, NULL);
	uv_close((uv_handle_t *)&dm->sighup, NULL);
	daemon__traps_close(dm); /* its last rows, with the journal open */
	daemon__gen_retire(dm->cur);
	dm->cur = NULL;
	close_icmp(dm);
}

/* The fault journal and the notifier outlive reloads: faults are the
 * operators' record, not the configuration's. */
/* The journal is where availability and faults are recorded (alerts/
 * decides them, sla/ reads them back): without it slamond does not start.
 * Returns 0 or -1 (logged). */
static int open_alerts(struct daemon *dm, const struct config *cfg)
{
	char err[256];

	snprintf(dm->journal_path, sizeof(dm->journal_path), "%s",
		 alerts_config(cfg)->journal);
	if (journal_open(dm->journal_path, &dm->journal, err, sizeof(err)) <
	    0) {
		log_errorx("fault journal: %s", err);
		dm->journal = NULL;
		return -1;
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
	return 0;
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

/* The echo after a failed SNMP poll and the sweep of ICMP devices. */
static void open_icmp(struct daemon *dm, const struct config *cfg)
{
	struct icmp_sweep_params par;
	char err[256];
	size_t nicmp = 0;

	for (size_t i = 0; i < cfg->ndevices; i++)
		nicmp += cfg->devices[i].probe == DEV_PROBE_ICMP;
	probe_icmp_params(cfg, &par);
	if (icmp_sweep_create(&dm->loop, &par, &dm->sweep, err,
			      sizeof(err)) == 0)
		probe_icmp_use(dm->sweep);
	else if (nicmp > 0)
		log_warnx("%s: the %zu ICMP devices are taken as down", err,
			  nicmp);
	if (icmp_probe_create(&dm->loop, &dm->icmp, err, sizeof(err)) == 0)
		return;
	dm->icmp = NULL;
	if (alerts_config(cfg)->ping)
		log_warnx("%s: a device that stops answering SNMP is taken as "
			  "down (no nodata faults)",
			  err);
}

static void close_icmp(struct daemon *dm)
{
	icmp_probe_close(dm->icmp, NULL, NULL);
	dm->icmp = NULL;
	probe_icmp_use(NULL);
	icmp_sweep_close(dm->sweep, NULL, NULL);
	dm->sweep = NULL;
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
		if (d.more > 0)
			fprintf(stderr, "%s: %zu more not shown\n",
				opts->config_path, d.more);
		fprintf(stderr, "slamond: %zu configuration errors, not "
				"starting\n",
			diag_count(&d));
		diag_destroy(&d);
		return 1;
	}
	diag_destroy(&d);
	fill_defaults(cfg);
	/* one thread so far: every time a user reads (notifications, the
	 * maintenance windows) is in [general] timezone from here on */
	tz_apply(cfg->timezone);
	log_init(cfg->log_target, cfg->log_level, "slamond");
	dm = calloc(1, sizeof(*dm));
	if (dm == NULL) {
		config_destroy(cfg);
		return 2;
	}
	dm->opts = *opts;
	dm->started = daemon__now();
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
	/* and the trap sockets: 162 needs CAP_NET_BIND_SERVICE */
	daemon__traps_open(dm, cfg);
	/* now root is no longer needed: everything after this (storage,
	 * the journal, threads) is made by the unprivileged user */
	{
		char perr[256];
		int dr = daemon__drop_privileges(cfg->user, perr, sizeof(perr));

		if (dr < 0) {
			log_errorx("%s", perr);
			capture_bridge_close(dm->cap);
			close_icmp(dm);
			daemon__traps_close(dm);
			uv_run(&dm->loop, UV_RUN_DEFAULT);
			uv_loop_close(&dm->loop);
			free(dm);
			config_destroy(cfg);
			return 2;
		}
		if (perr[0] != '\0')
			log_warnx("%s", perr);
		else if (dr > 0)
			log_info("running as user %s (CAP_NET_RAW, "
				 "CAP_NET_BIND_SERVICE kept)", cfg->user);
	}
	if (mkdir(cfg->storage_dir, 0750) < 0 && errno != EEXIST)
		log_warn("storage folder %s", cfg->storage_dir);
	if (!opts->no_rrd && open_writer(cfg, &dm->writer) < 0) {
		capture_bridge_close(dm->cap);
		close_icmp(dm);
		daemon__traps_close(dm);
		uv_run(&dm->loop, UV_RUN_DEFAULT);
		uv_loop_close(&dm->loop);
		free(dm);
		config_destroy(cfg);
		return 2;
	}
	if (open_alerts(dm, cfg) < 0)
		dm->cur = NULL;
	else
		dm->cur = daemon__gen_create(dm, cfg, NULL);
	if (dm->cur == NULL) {
		if (dm->journal != NULL)
			log_errorx("out of memory");
		close_alerts(dm);
		capture_bridge_close(dm->cap);
		capture_store_close(dm->cap_store);
		close_icmp(dm);
		daemon__traps_close(dm);
		rrd_writer_destroy(dm->writer);
		config_destroy(cfg);
		uv_run(&dm->loop, UV_RUN_DEFAULT);
		uv_loop_close(&dm->loop);
		free(dm);
		return 2;
	}
	log_info("slamond started: %zu devices, %zu profiles, %zu captures, "
		 "storage %s%s%s",
		 cfg->ndevices, config_count(cfg, &snmp_profile_section), config_count(cfg, &capture_section),
		 cfg->storage_dir, cfg->rrdcached[0] ? " via rrdcached " : "",
		 cfg->rrdcached);
	if (daemon__sla_start(dm) < 0)
		log_errorx("sla_breach rules: out of memory (not evaluated)");
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
	/* a [web] address that cannot be bound stops slamond at start-up */
	if (start_web(dm) < 0) {
		dm->exit_code = 2;
		daemon_stop(dm);
	}

	uv_run(&dm->loop, UV_RUN_DEFAULT);

	web_server_destroy(dm->web);
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
