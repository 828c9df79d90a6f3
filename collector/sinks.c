/*
 * sinks.c - the sinks of the metric engine's rows (collector/sink.h): the
 * live view the status snapshot shows, the RRD writer, the alerts engine
 * and the SNMP side of the capture cross-check. Each takes a row on the
 * loop thread and never blocks (the RRD writer queues to its thread).
 * SPDX-License-Identifier: MIT
 */
#include "registry.h"

#include <math.h>
#include <time.h>

#include "alerts/engine.h"
#include "collector/capture.h"
#include "collector/daemon_int.h"
#include "storage/rrdstore.h"

/* ---- the live view: link rates, the last poll, complaints ------------- */

static void links_row(struct gen *g, const struct sink_row *r)
{
	const struct metric_row *row = r->row;
	struct drt *d = &g->drts[row->device];
	const struct probe_ops *po = g->pops[d->kind];

	if (row->ifslot >= 0) {
		struct link_view *l = &d->links[row->ifslot]; /* on_row checked */

		l->in_bps = row->ifr.in_bps;
		l->out_bps = row->ifr.out_bps;
		l->speed_mbps = row->speed_mbps;
		l->t = row->t;
		return;
	}
	d->last_status = row->poll_status;
	d->last_poll = row->t;
	d->rtt_ms = row->dev.latency_ms;
	d->loss_pct = row->dev.loss_pct;
	if (row->poll_status == POLL_OK)
		c_release(&d->cpl, "%s (%s): answering again", r->dev->name,
			  r->dev->host);
	else
		c_complain(&d->cpl, row->t, "%s (%s:%u, %s): %s", r->dev->name,
			   r->dev->host, r->dev->port,
			   poll_status_name(row->poll_status),
			   po->last_error(g->probes[d->kind], row->device));
}

const struct sink_ops sink_links_ops = { "status", links_row };

/* ---- RRD files (storage/) ------------------------------------------- */

static void rrd_row(struct gen *g, const struct sink_row *r)
{
	const struct metric_row *row = r->row;
	struct rrd_writer *w = g->dm->writer;

	if (w == NULL)
		return;
	if (row->ifslot >= 0) {
		struct if_row ir = {
			.in_bps = row->ifr.in_bps,
			.out_bps = row->ifr.out_bps,
			.oper = row->ifr.oper,
			.in_err = row->ifr.in_err,
			.out_err = row->ifr.out_err,
			.in_disc = row->ifr.in_disc,
			.out_disc = row->ifr.out_disc,
			.link = g->drts[r->dev - g->cfg->devices].link,
		};

		rrd_writer_submit_if(w, r->dev->name, r->ifname,
				     (time_t)row->t, &ir);
		return;
	}
	{
		struct dev_row dr = { .reach = row->dev.reach,
				      .latency_ms = row->dev.latency_ms };

		if (!isnan(row->dev.loss_pct)) { /* an ICMP poll's echoes */
			dr.loss = row->dev.loss_pct / 100;
			dr.has_loss = 1;
		}

		rrd_writer_submit_dev(w, r->dev->name, (time_t)row->t, &dr);
	}
}

const struct sink_ops sink_rrd_ops = { "rrd", rrd_row };

/* ---- the alerts engine (alerts/ alone decides availability) ---------- */

static void alerts_row(struct gen *g, const struct sink_row *r)
{
	const struct metric_row *row = r->row;

	if (g->ae == NULL)
		return;
	if (row->ifslot >= 0) {
		struct alerts_if a = {
			.name = r->ifname,
			.t = row->t,
			.in_bps = row->ifr.in_bps,
			.out_bps = row->ifr.out_bps,
			.speed_mbps = row->speed_mbps,
			.capacity_mbps = r->dev->capacity_mbps,
			.oper = row->ifr.oper,
			.err_rate = row->ifr.in_err + row->ifr.out_err +
				    row->ifr.in_disc + row->ifr.out_disc,
		};

		alerts_iface_row(g->ae, row->device, row->ifslot, &a);
		return;
	}
	if (row->poll_status != POLL_OK &&
	    daemon__ping_start(&g->drts[row->device], row->t) == 0)
		return; /* the echo's answer hands over this result */
	alerts_device_result(g->ae, row->device, row->poll_status == POLL_OK,
			     row->t);
}

const struct sink_ops sink_alerts_ops = { "alerts", alerts_row };

/* ---- the SNMP side of the capture cross-check ------------------------ */

static void capture_row(struct gen *g, const struct sink_row *r)
{
	const struct metric_row *row = r->row;

	if (row->ifslot < 0 || g->closing)
		return;
	capture_bridge_snmp_row(g->dm->cap, r->dev->name, r->ifname, row->t,
				row->ifr.in_bps, row->ifr.out_bps);
}

const struct sink_ops sink_capture_ops = { "capture", capture_row };
