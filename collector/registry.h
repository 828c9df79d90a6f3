/*
 * registry.h - the probe kinds and the sinks slamond wires together; the
 * one place that names them all (collector/registry.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_COLLECTOR_REGISTRY_H
#define SLAMON_COLLECTOR_REGISTRY_H

#include "collector/probe.h"
#include "collector/sink.h"

extern const struct probe_ops probe_snmp_ops;

extern const struct sink_ops sink_rrd_ops, sink_alerts_ops,
	sink_capture_ops, sink_links_ops;

#endif
