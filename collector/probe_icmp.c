/*
 * probe_icmp.c - the ICMP sweep (probes/icmp_sweep.h) as a struct
 * probe_ops, for the inventory's devices of probe "icmp" (cameras, IoT
 * terminals). A poll hands the device to the sweep; its verdict becomes
 * the samples of an SNMP poll's device row: reachability (POLL_OK when at
 * least [icmp] min_replies echoes were answered, else POLL_TIMEOUT), the
 * average RTT as latency and the echo loss, closed by SAMPLE_END. So the
 * metric engine, the status, the RRD device file and the alerts engine
 * treat them like any other device. An ICMP device has no interfaces.
 *
 * The sweep and its sockets belong to the daemon (opened at start-up
 * while it may still open raw sockets, kept across reloads); each
 * generation's instance cancels its jobs when it closes.
 * SPDX-License-Identifier: MIT
 */
#include "registry.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <uv.h>

#include "probes/icmp_config.h"
#include "probes/icmp_sweep.h"

static struct icmp_sweep *the_sweep; /* probe_icmp_use() */

struct dstate {
	uint8_t busy;
	char err[96];
};

struct picmp {
	const struct config *cfg;
	struct probe_hooks hooks;
	struct dstate *devs;
	size_t ndevs;
	int closed;
};

void probe_icmp_use(struct icmp_sweep *sw)
{
	the_sweep = sw;
}

void probe_icmp_params(const struct config *cfg, struct icmp_sweep_params *ret)
{
	const struct icmp_cfg *ic = icmp_config(cfg);

	ret->count = ic ? ic->count : 3;
	ret->spacing_ms = ic ? ic->spacing_ms : 500;
	ret->timeout_ms = ic ? ic->timeout_ms : 1000;
	ret->rate_pps = ic ? ic->rate_pps : 10000;
	ret->min_replies = ic ? ic->min_replies : 1;
}

static double wall_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* The samples of one verdict, then done. */
static void emit_result(struct picmp *pi, uint32_t device, int ok,
			double rtt_ms, double loss_pct)
{
	struct sample s;
	double t = wall_now();

	memset(&s, 0, sizeof(s));
	s.device = device;
	s.ifslot = -1;
	s.t = t;
	s.kind = SAMPLE_STATUS;
	s.metric = M_DEV_REACH;
	s.status = (int16_t)(ok ? POLL_OK : POLL_TIMEOUT);
	s.value = ok ? 1 : 0;
	pi->hooks.emit(pi->hooks.arg, &s);
	s.kind = SAMPLE_LATENCY;
	s.status = POLL_OK;
	s.value = 0;
	if (ok && !isnan(rtt_ms)) {
		s.metric = M_DEV_LATENCY;
		s.fvalue = rtt_ms;
		pi->hooks.emit(pi->hooks.arg, &s);
	}
	if (!isnan(loss_pct)) {
		s.metric = M_DEV_LOSS;
		s.fvalue = loss_pct;
		pi->hooks.emit(pi->hooks.arg, &s);
	}
	s.kind = SAMPLE_END;
	s.metric = M_DEV_REACH;
	s.fvalue = 0;
	pi->hooks.emit(pi->hooks.arg, &s);
	pi->hooks.done(pi->hooks.arg, device);
}

static void on_verdict(void *arg, uint32_t device,
		       const struct icmp_sweep_result *r)
{
	struct picmp *pi = arg;
	struct dstate *d;

	if (pi->closed || device >= pi->ndevs)
		return;
	d = &pi->devs[device];
	d->busy = 0;
	if (r->up)
		d->err[0] = '\0';
	else if (r->error < 0)
		snprintf(d->err, sizeof(d->err), "echo: %s (%u of %u answered)",
			 strerror(-r->error), r->received, r->sent);
	else
		snprintf(d->err, sizeof(d->err),
			 "%u of %u echo requests answered", r->received,
			 r->sent);
	emit_result(pi, device, r->up, r->rtt_avg_ms, r->loss_pct);
}

static int picmp_create(uv_loop_t *loop, const struct config *cfg,
			const struct probe_hooks *hooks, void **ret_p)
{
	struct picmp *pi = calloc(1, sizeof(*pi));
	struct icmp_sweep_params par;

	(void)loop;
	if (pi == NULL)
		return -ENOMEM;
	pi->devs = calloc(cfg->ndevices ? cfg->ndevices : 1,
			  sizeof(*pi->devs));
	if (pi->devs == NULL) {
		free(pi);
		return -ENOMEM;
	}
	pi->cfg = cfg;
	pi->hooks = *hooks;
	pi->ndevs = cfg->ndevices;
	if (the_sweep != NULL) {
		probe_icmp_params(cfg, &par);
		icmp_sweep_set_params(the_sweep, &par);
	}
	*ret_p = pi;
	return 0;
}

static int picmp_poll(void *p, uint32_t device)
{
	struct picmp *pi = p;
	const struct device *dev;
	struct sockaddr_storage sa;
	struct dstate *d;
	int rc;

	if (device >= pi->ndevs || pi->closed)
		return -EINVAL;
	d = &pi->devs[device];
	dev = &pi->cfg->devices[device];
	if (d->busy)
		return -EBUSY;
	memset(&sa, 0, sizeof(sa));
	if (dev->af == AF_INET6)
		rc = uv_ip6_addr(dev->host, 0, (struct sockaddr_in6 *)&sa);
	else
		rc = uv_ip4_addr(dev->host, 0, (struct sockaddr_in *)&sa);
	if (rc == 0 && the_sweep == NULL)
		rc = -EPERM;
	if (rc == 0)
		rc = icmp_sweep_submit(the_sweep, (struct sockaddr *)&sa,
				       on_verdict, pi, device);
	if (rc < 0) {
		/* a failed poll is a sample too; the scheduler sees done */
		snprintf(d->err, sizeof(d->err), "%s",
			 rc == -EPERM ? "no ICMP socket (see the log)"
				      : strerror(-rc));
		emit_result(pi, device, 0, NAN, NAN);
		return rc == -EINVAL ? -EIO : rc;
	}
	d->busy = 1;
	return 0;
}

static int picmp_same(const struct config *ca, const struct device *a,
		      const struct config *cb, const struct device *b)
{
	(void)ca;
	(void)cb;
	return strcmp(a->name, b->name) == 0 && strcmp(a->host, b->host) == 0 &&
	       a->probe == b->probe;
}

static void picmp_adopt(void *p, uint32_t device, const void *old,
			uint32_t old_dev)
{
	struct picmp *pi = p;
	const struct picmp *o = old;

	if (device < pi->ndevs && old_dev < o->ndevs)
		memcpy(pi->devs[device].err, o->devs[old_dev].err,
		       sizeof(pi->devs[device].err));
}

static const char *picmp_iface(const void *p, uint32_t device, size_t k,
			       double *ret_speed_mbps)
{
	(void)p;
	(void)device;
	(void)k;
	(void)ret_speed_mbps;
	return NULL; /* no interfaces */
}

static const char *picmp_last_error(const void *p, uint32_t device)
{
	const struct picmp *pi = p;

	return device < pi->ndevs ? pi->devs[device].err : "";
}

static void picmp_close(void *p, void (*cb)(void *arg), void *arg)
{
	struct picmp *pi = p;

	pi->closed = 1;
	icmp_sweep_cancel(the_sweep, pi);
	cb(arg);
}

static void picmp_destroy(void *p)
{
	struct picmp *pi = p;

	if (pi == NULL)
		return;
	icmp_sweep_cancel(the_sweep, pi);
	free(pi->devs);
	free(pi);
}

const struct probe_ops probe_icmp_ops = {
	.name = "icmp",
	.create = picmp_create,
	.poll = picmp_poll,
	.same = picmp_same,
	.adopt = picmp_adopt,
	.iface = picmp_iface,
	.last_error = picmp_last_error,
	.close = picmp_close,
	.destroy = picmp_destroy,
};
