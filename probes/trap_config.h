/*
 * trap_config.h - the SNMP trap receiver's configuration: the [traps]
 * section (docs/config.md). Where it listens, which v1/v2c communities it
 * accepts (default: those of the [profile] sections), how often it logs
 * traps from unknown sources, and the spacing of the confirmation polls a
 * trap triggers (docs/alerts.md).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TRAP_CONFIG_H
#define SLAMON_TRAP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

#define TRAP_LISTEN_MAX 8
#define TRAP_COMMUNITY_MAX 32

/* One address the receiver binds. */
struct trap_listen {
	int af;                  /* AF_INET or AF_INET6 */
	char host[INV_ADDR_MAX]; /* canonical literal, no brackets */
	uint16_t port;
};

/* [traps]: one item that always exists. */
struct traps_cfg {
	int enabled;           /* default no */
	char listen[1024];     /* as written: "0.0.0.0:162, [::]:162" */
	struct trap_listen addrs[TRAP_LISTEN_MAX];
	size_t naddrs;
	char community[2048];  /* as written; "" = from the profiles */
	/* accepted v1/v2c communities: the list, else every v1/v2c
	 * profile's community */
	char communities[TRAP_COMMUNITY_MAX][CFG_SECRET_MAX];
	size_t ncommunities;
	int unknown_log_s;     /* seconds between log lines about traps
	                          from unknown sources or refused ones */
	int confirm_spacing_ms; /* between the confirmation polls */
	int keep_days;         /* journal rows older than this are deleted */
	int line;
};

/* The [traps] section, for config_section_register and config_item_*. */
extern const struct cfg_section traps_section;

/* Registers [traps]. 0 or a negative errno. */
int trap_config_register(void);

/* The [traps] item of cfg (defaults when the file has none). */
const struct traps_cfg *traps_config(const struct config *cfg);

/* Parses one listen address "A.B.C.D:PORT", "[V6]:PORT" or "A.B.C.D"
 * (port 162) into *ret. 0, or -1 with a reason in err. */
int trap_listen_parse(const char *s, struct trap_listen *ret, char *err,
		      size_t errlen);

/* Is community one of tc's accepted ones? */
int traps_community_ok(const struct traps_cfg *tc, const char *community);

/* Did the addresses change between a and b (a reload cannot rebind
 * them: the receiver keeps its sockets)? */
int traps_listen_changed(const struct traps_cfg *a, const struct traps_cfg *b);

#endif
