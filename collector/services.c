/*
 * services.c - the [service] sections in slamond: a small scheduler of
 * its own beside the devices' (collector/schedule.c), the service probe
 * (probes/service.h) and alerts/service.h for states and faults.
 *
 * Why not a probe kind of probe.h: a service is not an inventory device
 * (no address, role or parent; its own interval) and its result is more
 * than a run of samples (a reason a NOC reads, the phases of an HTTP
 * answer, the certificate's days left). Tens of services, not tens of
 * thousands: one timer every SCHED_TICK_MS walks them all.
 *
 * Checks keep an absolute schedule: service i is checked at
 * start + offset_i + k * interval (offset from its name, as devices' slots,
 * but within the first 5 s so that a new service is seen at once); a check
 * still running at its next slot skips that slot.
 * SPDX-License-Identifier: MIT
 */
#include "daemon_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/service.h"
#include "core/hash.h"
#include "probes/service.h"
#include "storage/rrdstore.h"

struct svc_run {
	struct gen *g;
	const struct service_cfg *sc;
	size_t n;
	struct svc_probe *probe;
	struct svc_alerts *ae;
	uv_timer_t tick;
	double *next;             /* next slot, wall clock */
	struct svc_result *last;  /* last result (svc == UINT32_MAX none) */
	uint64_t checks, skipped;
};

static void on_result(void *arg, const struct svc_result *r)
{
	struct svc_run *s = arg;
	const struct service_cfg *sc = &s->sc[r->svc];
	struct svc_check_result cr = {
		.ok = r->ok,
		.reason = r->reason,
		.total_ms = r->total_ms,
		.cert_days = r->cert_days,
		.cert_expiry = r->cert_expiry,
		.t = r->t,
	};

	s->last[r->svc] = *r;
	s->checks++;
	if (!r->ok)
		log_debug("service %s: %s", sc->name, r->reason);
	if (s->g->closing)
		return;
	svc_alerts_result(s->ae, r->svc, &cr);
	if (s->g->dm->writer != NULL) {
		/* the device layout: reach and latency under the service's
		 * name (no device has it: probes/service_config.c) */
		struct dev_row row = { .reach = r->ok ? 1 : 0,
				       .latency_ms = r->ok ? r->total_ms
							   : NAN };

		rrd_writer_submit_dev(s->g->dm->writer, sc->name,
				      (time_t)r->t, &row);
	}
}

static void on_tick(uv_timer_t *h)
{
	struct svc_run *s = h->data;
	double now = daemon__now();

	if (s->g->closing || s->g->dm->stopping)
		return;
	for (size_t i = 0; i < s->n; i++) {
		double iv = s->sc[i].interval_s;

		if (now < s->next[i])
			continue;
		if (svc_probe_busy(s->probe, i))
			s->skipped++;
		else
			svc_probe_check(s->probe, i);
		/* the next slot after now: a stalled loop checks once */
		s->next[i] += iv * (floor((now - s->next[i]) / iv) + 1);
	}
}

static void run_free(struct svc_run *s)
{
	if (s == NULL)
		return;
	svc_alerts_destroy(s->ae);
	free(s->next);
	free(s->last);
	free(s);
}

int daemon__svc_open(struct gen *g, alerts_event_fn fn)
{
	struct svc_run *s = calloc(1, sizeof(*s));
	char err[256];
	int rc;

	if (s == NULL)
		return -ENOMEM;
	s->g = g;
	s->sc = service_configs(g->cfg, &s->n);
	s->next = calloc(s->n ? s->n : 1, sizeof(*s->next));
	s->last = calloc(s->n ? s->n : 1, sizeof(*s->last));
	if (s->next == NULL || s->last == NULL ||
	    svc_alerts_create(g->cfg, g->dm->journal, fn, g, &s->ae) < 0) {
		run_free(s);
		return -ENOMEM;
	}
	rc = svc_probe_create(&g->dm->loop, s->sc, s->n, on_result, s,
			      &s->probe, err, sizeof(err));
	if (rc < 0) {
		log_errorx("%s", err);
		run_free(s);
		return rc;
	}
	if (svc_alerts_reconcile(s->ae, daemon__now(), err, sizeof(err)) < 0)
		log_errorx("services: %s (open service faults of the journal "
			   "are not adopted)",
			   err);
	for (size_t i = 0; i < s->n; i++) {
		s->last[i].svc = UINT32_MAX;
		s->next[i] = daemon__now() +
			     (double)(slamon_hash_str(s->sc[i].name) % 5000) /
				     1000.0 * (s->sc[i].interval_s > 5 ? 1 : 0);
	}
	uv_timer_init(&g->dm->loop, &s->tick);
	s->tick.data = s;
	uv_timer_start(&s->tick, on_tick, SCHED_TICK_MS, SCHED_TICK_MS);
	g->svc = s;
	return 0;
}

void daemon__svc_adopt(struct gen *g, const struct gen *old)
{
	struct svc_run *s = g->svc, *o = old ? old->svc : NULL;

	if (s == NULL || o == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		int k = service_find(old->cfg, s->sc[i].name);

		if (k < 0 || service_cfg_changed(&o->sc[k], &s->sc[i]))
			continue;
		svc_alerts_adopt(s->ae, i, o->ae, (size_t)k);
		s->last[i] = o->last[k];
		s->last[i].svc = o->last[k].svc == UINT32_MAX ? UINT32_MAX
							       : (uint32_t)i;
		if (o->sc[k].interval_s == s->sc[i].interval_s)
			s->next[i] = o->next[k]; /* keep its slot */
	}
}

/* Handles the retired generation waits for: the tick and the probe. */
int daemon__svc_close(struct gen *g, uv_close_cb tick_cb,
		      void (*probe_cb)(void *arg))
{
	struct svc_run *s = g->svc;

	if (s == NULL)
		return 0;
	uv_timer_stop(&s->tick);
	s->tick.data = g;
	uv_close((uv_handle_t *)&s->tick, tick_cb);
	svc_probe_close(s->probe, probe_cb, g);
	s->probe = NULL;
	return 2;
}

void daemon__svc_free(struct gen *g)
{
	run_free(g->svc);
	g->svc = NULL;
}

static json_t *ms(double v)
{
	return isnan(v) ? json_null()
				     : json_real(round(v * 10) / 10);
}

json_t *daemon__svc_status(const struct gen *g)
{
	const struct svc_run *s = g->svc;
	json_t *a = json_array();

	if (a == NULL || s == NULL)
		return a;
	for (size_t i = 0; i < s->n; i++) {
		const struct service_cfg *sc = &s->sc[i];
		const struct svc_result *r = &s->last[i];
		struct svc_view v;
		int has = r->svc != UINT32_MAX;
		json_t *o;

		svc_alerts_view(s->ae, i, &v);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:I, "
			      "s:{s:I, s:I, s:I}}",
			      "name", sc->name, "display", sc->display,
			      "display_en", sc->display_en, "type",
			      service_type_name(sc->type), "unit", sc->unit,
			      "state", obj_state_name(v.state), "since",
			      v.since, "reason", v.reason, "fails",
			      (json_int_t)v.fails, "faults", "down",
			      (json_int_t)v.fault_down, "slow",
			      (json_int_t)v.fault_slow, "cert",
			      (json_int_t)v.fault_cert);
		if (o == NULL)
			continue;
		if (has) {
			json_object_set_new(o, "last", json_pack(
				"{s:f, s:b, s:s, s:s, s:I, s:o, s:o, s:o, s:o, "
				"s:o, s:o}",
				"t", r->t, "ok", r->ok, "fail",
				svc_fail_name(r->fail), "reason", r->reason,
				"http_status", (json_int_t)r->http_status,
				"total_ms", ms(r->total_ms), "dns_ms",
				ms(r->dns_ms), "connect_ms", ms(r->connect_ms),
				"tls_ms", ms(r->tls_ms), "ttfb_ms",
				ms(r->ttfb_ms), "cert_days",
				isnan(r->cert_days)
					? json_null()
					: json_real(round(r->cert_days * 10) /
						    10)));
		}
		json_array_append_new(a, o);
	}
	return a;
}
