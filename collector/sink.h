/*
 * sink.h - where the metric engine's rows go, as a table of operations: RRD
 * files (storage/), the alerts engine (alerts/), the capture cross-check
 * and the live link view of the status snapshot. A new sink is one file
 * (or function) plus one line in collector/registry.c; the engine itself
 * knows none of them (collectd's plugin_register_write).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_COLLECTOR_SINK_H
#define SLAMON_COLLECTOR_SINK_H

#include <stddef.h>

#include "collector/metric.h"
#include "core/config.h"

struct gen; /* collector/daemon_int.h */

/* One row as the sinks see it: the engine's row, the inventory device,
 * and for an interface row its name from the probe. */
struct sink_row {
	const struct metric_row *row;
	const struct device *dev;
	const char *ifname; /* NULL on the device row */
};

struct sink_ops {
	const char *name;
	/* Takes one row on the loop thread; must not block. */
	void (*row)(struct gen *g, const struct sink_row *r);
};

/* The sinks, in the order rows reach them, and their count. */
const struct sink_ops *const *sink_list(size_t *ret_n);

#endif
