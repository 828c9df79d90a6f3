/*
 * registry.c - the tables of probe kinds and sinks. Adding a probe kind or
 * a sink is its file plus one line here (docs/architecture.md).
 * SPDX-License-Identifier: MIT
 */
#include "registry.h"

static const struct probe_ops *const probes[] = {
	&probe_snmp_ops, /* index 0: the default kind */
	&probe_icmp_ops, /* index 1: the inventory's probe "icmp" */
};

static const struct sink_ops *const sinks[] = {
	&sink_links_ops,   /* the status snapshot's live link view */
	&sink_rrd_ops,     /* time series */
	&sink_alerts_ops,  /* availability, faults, rules */
	&sink_capture_ops, /* SNMP side of the capture cross-check */
};

const struct probe_ops *const *probe_kinds(size_t *ret_n)
{
	*ret_n = sizeof(probes) / sizeof(probes[0]);
	return probes;
}

size_t probe_kind_of(const struct device *dev)
{
	return dev->probe == DEV_PROBE_ICMP ? 1 : 0;
}

const struct sink_ops *const *sink_list(size_t *ret_n)
{
	*ret_n = sizeof(sinks) / sizeof(sinks[0]);
	return sinks;
}
