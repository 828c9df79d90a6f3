/*
 * capture_config.h - the packet capture probe's configuration: [capture
 * NAME] sections, one captured link each, owned and checked here and
 * registered with the ground floor's parser. See docs/pcap.md.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CAPTURE_CONFIG_H
#define SLAMON_CAPTURE_CONFIG_H

#include <stddef.h>

#include "core/config.h"

enum capture_source { CAPSRC_LIVE, CAPSRC_FILE };

#define CAPTURE_IFNAME_MAX 16 /* IFNAMSIZ */

/* [capture NAME]: one captured link. */
struct capture_cfg {
	char name[CFG_NAME_MAX];
	int source;                  /* enum capture_source, default live */
	char ifname[CAPTURE_IFNAME_MAX]; /* live: the capture interface */
	char file[4096];             /* file: pcap/pcapng, relative to the
	                                config's folder */
	char filter[1024];           /* live: BPF expression, "" everything */
	char local[2048];            /* ','-separated CIDR list (required,
	                                checked: config_capture_local) */
	char device[CFG_NAME_MAX];   /* inventory device the link belongs to
	                                (required); RRD "pcap-NAME" under it */
	int device_idx;              /* index into config.devices */
	char interface[INV_TEXT_MAX]; /* live: that device's SNMP interface
	                                 to cross-check, "" none */
	int snaplen;                 /* live: 64..65535, default 128 */
	int buffer_mb;               /* live: TPACKET_V3 ring, default 32 */
	int promisc;                 /* live: 1 (default) or 0 */
	int direction;               /* live: 0 inout, 1 in, 2 out (values of
	                                enum capture_direction, probes/pcap.h) */
	int timeout_ms;              /* live: ring block timeout, default 100 */
	int interval_s;              /* bucket length, default 60 */
	int top;                     /* top ports/talkers kept, default 10 */
	int max_talkers;             /* talker slots per side, default 262144 */
	int fcs;                     /* the SNMP octets of `interface` include
	                                the 4-byte FCS per frame (routers: 1,
	                                the default; Linux hosts: 0) */
	double drop_alert;           /* percent, default 0.1 */
	double crosscheck_share;     /* percent, default 5 */
	int crosscheck_window_s;     /* compare over at least this many
	                                seconds of SNMP polls, default 300 */
	int line;                    /* line of the [capture] header */
	int device_line;             /* line of the device key */
};

struct capture_prefixes; /* probes/pcap_decode.h */

/* Parses a ','-separated CIDR list (blanks around items allowed) into
 * *ret (zeroed first). Returns 0, or -EINVAL / -ENOSPC with the reason in
 * err (the decoder's message, or "empty prefix in the list"). */
int config_capture_local(const char *list, struct capture_prefixes *ret,
			 char *err, size_t errlen);

extern const struct cfg_section capture_section;

/* Registers [capture]. 0 or a negative errno. */
int capture_config_register(void);

/* The [capture] items of cfg and their count. */
struct capture_cfg *capture_configs(const struct config *cfg, size_t *ret_n);

/* Does a change from a to b need the capture restarted (its handle,
 * accounting, RRD file or cross-check)? drop_alert and crosscheck_share
 * apply in place. */
int capture_cfg_changed(const struct capture_cfg *a,
			const struct capture_cfg *b);

#endif
