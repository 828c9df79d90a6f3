/*
 * probe_snmp.c - the SNMP probe (probes/snmp.h) as a struct probe_ops:
 * the daemon sees interface slots and samples, not SNMP.
 * SPDX-License-Identifier: MIT
 */
#include "registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probes/snmp.h"
#include "probes/snmp_config.h"

struct psnmp {
	struct snmp_probe *p;
	struct probe_hooks hooks;
};

static void on_emit(void *arg, const struct sample *s)
{
	struct psnmp *ps = arg;

	ps->hooks.emit(ps->hooks.arg, s);
}

static void on_done(void *arg, uint32_t device)
{
	struct psnmp *ps = arg;

	ps->hooks.done(ps->hooks.arg, device);
}

static void on_discovered(void *arg, uint32_t device,
			  const struct snmp_iface *ifs, size_t n)
{
	struct psnmp *ps = arg;

	(void)ifs;
	ps->hooks.discovered(ps->hooks.arg, device, n);
}

static int psnmp_create(uv_loop_t *loop, const struct config *cfg,
			const struct probe_hooks *hooks, void **ret_p)
{
	struct psnmp *ps = calloc(1, sizeof(*ps));
	struct snmp_probe_hooks h;
	int rc;

	if (ps == NULL)
		return -ENOMEM;
	ps->hooks = *hooks;
	h.emit = on_emit;
	h.discovered = on_discovered;
	h.done = on_done;
	h.arg = ps;
	rc = snmp_probe_create(loop, cfg, &h, &ps->p);
	if (rc < 0) {
		free(ps);
		return rc;
	}
	*ret_p = ps;
	return 0;
}

static int psnmp_poll(void *p, uint32_t device)
{
	return snmp_probe_poll(((struct psnmp *)p)->p, device);
}

static int psnmp_same(const struct config *ca, const struct device *a,
		      const struct config *cb, const struct device *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->host, b->host) == 0 &&
	       a->port == b->port && strcmp(a->ifsel, b->ifsel) == 0 &&
	       a->capacity_mbps == b->capacity_mbps &&
	       !snmp_profile_changed(snmp_profile_of(ca, a),
				     snmp_profile_of(cb, b));
}

static void psnmp_adopt(void *p, uint32_t device, const void *old,
			uint32_t old_dev)
{
	snmp_probe_adopt(((struct psnmp *)p)->p, device,
			 ((const struct psnmp *)old)->p, old_dev);
}

static const char *psnmp_iface(const void *p, uint32_t device, size_t k,
			       double *ret_speed_mbps)
{
	size_t n;
	const struct snmp_iface *ifs =
		snmp_probe_ifaces(((const struct psnmp *)p)->p, device, &n);

	if (k >= n)
		return NULL;
	if (ret_speed_mbps != NULL)
		*ret_speed_mbps = ifs[k].speed_mbps;
	return ifs[k].name;
}

static const char *psnmp_last_error(const void *p, uint32_t device)
{
	return snmp_probe_last_error(((const struct psnmp *)p)->p, device);
}

static void psnmp_close(void *p, void (*cb)(void *arg), void *arg)
{
	snmp_probe_close(((struct psnmp *)p)->p, cb, arg);
}

static void psnmp_destroy(void *p)
{
	struct psnmp *ps = p;

	if (ps == NULL)
		return;
	snmp_probe_destroy(ps->p);
	free(ps);
}

const struct probe_ops probe_snmp_ops = {
	.name = "snmp",
	.create = psnmp_create,
	.poll = psnmp_poll,
	.same = psnmp_same,
	.adopt = psnmp_adopt,
	.iface = psnmp_iface,
	.last_error = psnmp_last_error,
	.close = psnmp_close,
	.destroy = psnmp_destroy,
};
