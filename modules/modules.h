/*
 * modules.h - the one list of the modules whose configuration sections
 * slamond, slamon, the tools and the tests read (collectd's
 * module_register). A new module with a section adds its register call
 * here; nothing else names every module. Header only: whoever includes it
 * links the modules anyway.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_MODULES_H
#define SLAMON_MODULES_H

#include "alerts/config.h"
#include "probes/capture_config.h"
#include "probes/icmp_config.h"
#include "probes/snmp_config.h"
#include "sla/indicators.h"

/* Registers every module's sections with core/config.c. Returns 0 or the
 * first negative errno (a clash of section names is a bug: -EEXIST). */
static inline int modules_register(void)
{
	int (*const reg[])(void) = {
		snmp_config_register,
		capture_config_register,
		icmp_config_register,
		alerts_config_register,
		sla_config_register,
	};

	for (size_t i = 0; i < sizeof(reg) / sizeof(reg[0]); i++) {
		int rc = reg[i]();

		if (rc < 0)
			return rc;
	}
	return 0;
}

#endif
