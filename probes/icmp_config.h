/*
 * icmp_config.h - the [icmp] section: how the ICMP sweep judges a device of
 * the inventory's probe column "icmp" (cameras, IoT terminals): echoes per
 * cycle, their spacing, the reply timeout, the send rate and the replies
 * that make a host up (docs/config.md). Only the probes' *_config.h may be
 * read by alerts/ and sla/ (docs/architecture.md).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_ICMP_CONFIG_H
#define SLAMON_ICMP_CONFIG_H

#include "core/config.h"

struct icmp_cfg {
	int count;       /* echo requests per host and cycle, default 3 */
	int spacing_ms;  /* between two echoes to one host, default 500 */
	int timeout_ms;  /* wait for a reply, default 1000 */
	int rate_pps;    /* echo requests per second, all hosts, 10000 */
	int min_replies; /* replies that make a host up, default 1 */
	int line;        /* header line, 0 when not in the file */
};

extern const struct cfg_section icmp_section;

/* Registers [icmp] (modules/modules.h). 0 or a negative errno. */
int icmp_config_register(void);

/* The [icmp] values of cfg (defaults when the file has none). */
const struct icmp_cfg *icmp_config(const struct config *cfg);

#endif
