/*
 * registry.h - the probe kinds and the sinks slamond wires together; the
 * one place that names them all (collector/registry.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_COLLECTOR_REGISTRY_H
#define SLAMON_COLLECTOR_REGISTRY_H

#include "collector/probe.h"
#include "collector/sink.h"

extern const struct probe_ops probe_snmp_ops, probe_icmp_ops;

struct icmp_sweep;
struct icmp_sweep_params;
/* The sweep every generation's ICMP probe submits to (the daemon's,
 * opened at start-up; NULL: ICMP devices fail their polls). */
void probe_icmp_use(struct icmp_sweep *sw);
/* The sweep parameters of cfg's [icmp] section. */
void probe_icmp_params(const struct config *cfg,
		       struct icmp_sweep_params *ret);

extern const struct sink_ops sink_rrd_ops, sink_alerts_ops,
	sink_capture_ops, sink_links_ops;

#endif
