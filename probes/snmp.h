/*
 * snmp.h - the SNMP probe: asynchronous net-snmp sessions inside the libuv
 * loop. It discovers the monitored interfaces of a device (IF-MIB walk) and
 * polls them, handing typed samples to the collector; it knows nothing of
 * rates, storage or availability.
 *
 * Only probes/snmp_session.c includes net-snmp; everything else sees these
 * types. The probe is split in snmp.c, snmp_session.c and snmp_fast.c
 * (see snmp_int.h).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_SNMP_H
#define SLAMON_PROBE_SNMP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/config.h"
#include "probes/snmp_config.h"
#include "core/sample.h"

#define SNMP_IFNAME_MAX 128

/* One monitored interface, as discovered. */
struct snmp_iface {
	char name[SNMP_IFNAME_MAX];  /* ifName, else ifDescr; unique per device */
	char descr[SNMP_IFNAME_MAX];
	char alias[SNMP_IFNAME_MAX];
	char key[SNMP_IFNAME_MAX];   /* raw value re-read each poll to notice
	                                re-numbering (ifName or ifDescr) */
	uint32_t ifindex;
	int key_is_name;             /* key column: 1 ifName, 0 ifDescr */
	int type;
	int oper;
	double speed_mbps;
	int hc;                      /* 64-bit ifHC*Octets present */
};

struct snmp_probe_hooks {
	/* Every sample of a poll, then SAMPLE_END. Copies are the caller's. */
	void (*emit)(void *arg, const struct sample *s);
	/* Discovery (re)defined the device's monitored interfaces, in slot
	 * order; called before the poll's first sample. */
	void (*discovered)(void *arg, uint32_t device,
			   const struct snmp_iface *ifs, size_t n);
	/* The poll is over (after SAMPLE_END); the device may be polled
	 * again. */
	void (*done)(void *arg, uint32_t device);
	void *arg;
};

struct snmp_probe;

/* Creates the probe for cfg's devices (cfg must outlive the probe).
 * Initialises net-snmp once per process. Returns 0 or -ENOMEM. */
int snmp_probe_create(uv_loop_t *loop, const struct config *cfg,
		      const struct snmp_probe_hooks *hooks,
		      struct snmp_probe **ret_p);

/* Starts one poll of device (discovering first when needed). Returns 0,
 * -EBUSY when the device is already being polled, -EINVAL for a bad index,
 * or another negative errno when the session cannot be opened (then a
 * failed poll has already been emitted and done called). */
int snmp_probe_poll(struct snmp_probe *p, uint32_t device);

/* Number of devices currently being polled. */
size_t snmp_probe_busy(const struct snmp_probe *p);

/* The interfaces discovered for device (NULL, 0 before discovery). */
const struct snmp_iface *snmp_probe_ifaces(const struct snmp_probe *p,
					   uint32_t device, size_t *ret_n);

/* Takes over what old knew of old_dev (discovered interfaces, last uptime)
 * for device, after a reload that kept the device unchanged. */
void snmp_probe_adopt(struct snmp_probe *p, uint32_t device,
		      const struct snmp_probe *old, uint32_t old_dev);

/* Per-device one-line description of the last failure ("" when none). */
const char *snmp_probe_last_error(const struct snmp_probe *p, uint32_t device);

/* Closes every session and handle; close_cb runs once all libuv handles
 * are closed, then the probe may be destroyed. Polls in progress end
 * without further hooks. */
void snmp_probe_close(struct snmp_probe *p, void (*close_cb)(void *arg),
		      void *arg);
void snmp_probe_destroy(struct snmp_probe *p);

/* Does name match the inventory interface selector (';'-separated names or
 * fnmatch globs, compared with ifName, ifDescr and ifAlias)? An empty
 * selector selects every interface that is up and has a speed. */
int snmp_iface_selected(const char *selector, const struct snmp_iface *ifc);

#endif
