/*
 * probe.h - what slamond needs of one kind of probe, as a table of
 * operations (collectd's plugin_register_*): a new kind is one file
 * (collector/probe_<kind>.c wrapping probes/<kind>.h) plus one line in
 * collector/registry.c. The probe asks; the samples it emits go to the
 * metric engine; it knows nothing of rates, storage or availability.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_COLLECTOR_PROBE_H
#define SLAMON_COLLECTOR_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/config.h"
#include "core/sample.h"

/* What a probe calls back, on the loop thread. */
struct probe_hooks {
	/* Every sample of a poll, then SAMPLE_END. Copies are the caller's. */
	void (*emit)(void *arg, const struct sample *s);
	/* The device's monitored interfaces were (re)defined: nifs slots,
	 * before the poll's first sample. */
	void (*discovered)(void *arg, uint32_t device, size_t nifs);
	/* The poll is over (after SAMPLE_END). */
	void (*done)(void *arg, uint32_t device);
	void *arg;
};

struct probe_ops {
	const char *name; /* "snmp" */
	/* An instance for cfg's devices of this kind (cfg outlives it).
	 * 0 or a negative errno. */
	int (*create)(uv_loop_t *loop, const struct config *cfg,
		      const struct probe_hooks *hooks, void **ret_p);
	/* Starts one poll: 0, -EBUSY (already polling), -EINVAL (bad
	 * index), or another negative errno after a failed poll was
	 * emitted and done called. */
	int (*poll)(void *p, uint32_t device);
	/* Is device a in ca the same to this probe as b in cb (a reload
	 * keeps what was learnt of it)? */
	int (*same)(const struct config *ca, const struct device *a,
		    const struct config *cb, const struct device *b);
	/* Takes over what old knew of old_dev for device. */
	void (*adopt)(void *p, uint32_t device, const void *old,
		      uint32_t old_dev);
	/* Name and speed (Mbps, 0 unknown) of interface slot k; NULL when
	 * the device has no such slot. */
	const char *(*iface)(const void *p, uint32_t device, size_t k,
			     double *ret_speed_mbps);
	/* One line on the device's last failure ("" when none). */
	const char *(*last_error)(const void *p, uint32_t device);
	/* Closes every handle; cb(arg) runs when they are closed. */
	void (*close)(void *p, void (*cb)(void *arg), void *arg);
	void (*destroy)(void *p);
};

/* The probe kinds slamond knows (collector/registry.c) and their count. */
const struct probe_ops *const *probe_kinds(size_t *ret_n);

/* The kind that polls dev: an index into probe_kinds(). */
size_t probe_kind_of(const struct device *dev);

#endif
