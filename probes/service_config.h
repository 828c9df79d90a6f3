/*
 * service_config.h - [service NAME] sections: one HTTP(S), TCP or DNS
 * service the daemon checks on its own schedule (issue 13, "Services"),
 * owned and checked here and registered with the ground floor's parser.
 * See docs/config.md and docs/services.md.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SERVICE_CONFIG_H
#define SLAMON_SERVICE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

enum svc_type { SVC_HTTP, SVC_HTTPS, SVC_TCP, SVC_DNS };

#define SVC_STATUS_MAX 8   /* ranges in expect_status */
#define SVC_URL_MAX 1024
#define SVC_HOST_MAX 256

/* One accepted range of HTTP status codes ("200" is 200..200, "2xx"
 * 200..299). */
struct svc_status_range {
	int lo, hi;
};

/* [service NAME] */
struct service_cfg {
	char name[CFG_NAME_MAX];
	int type;                    /* enum svc_type (required) */
	char url[SVC_URL_MAX];       /* http/https */
	char target[SVC_HOST_MAX];   /* tcp: host:port, [v6]:port */
	char query[SVC_HOST_MAX];    /* dns: the name to resolve */
	char server[SVC_HOST_MAX];   /* dns: ip[:port] of the resolver, ""
	                                the system's (/etc/resolv.conf) */
	char expect[64];             /* dns: an address the answer must hold */
	char expect_status[128];     /* http: "200", "2xx", "200,301-302" */
	char match[512];             /* http: the body must contain this */
	int match_regex;             /* match is a POSIX extended regex */
	int timeout_s;               /* per check, default 10 */
	int interval_s;              /* between checks, default 60 */
	int tls_verify;              /* https: verify peer and host, def. 1 */
	char ca_file[4096];          /* https: CA bundle, "" the system's */
	int cert_warn_days;          /* https: warn below, default 14, 0 off */
	int slow_ms;                 /* slow above this total time, 0 off */
	int slow_for_s;              /* ... for this long, default 300 */
	int down_after;              /* failed checks before down, default 3 */
	int up_after;                /* good checks before up, default 1 */
	int max_redirects;           /* http: followed, default 5 */
	char unit[INV_TEXT_MAX];     /* who runs it, UTF-8 */
	char tags[INV_TEXT_MAX];     /* ';'-separated */
	int severity;                /* enum severity of "down", def. major */
	char display[128];           /* key "name": shown name (Chinese) */
	char display_en[128];        /* key "name_en" */
	/* derived at the section's end */
	struct svc_status_range status[SVC_STATUS_MAX];
	size_t nstatus;
	char host[SVC_HOST_MAX];     /* tcp target / dns server host */
	uint16_t port;               /* tcp target / dns server port */
	int line;                    /* line of the [service] header */
};

extern const struct cfg_section service_section;

/* Registers [service]. 0 or a negative errno. */
int service_config_register(void);

/* The [service] items of cfg and their count. */
struct service_cfg *service_configs(const struct config *cfg, size_t *ret_n);

/* Index of the service named name, or -1. */
int service_find(const struct config *cfg, const char *name);

/* Does a change from a to b need the service's state restarted (another
 * thing is checked)? Thresholds, names and tags apply in place. */
int service_cfg_changed(const struct service_cfg *a,
			const struct service_cfg *b);

/* Parses an expect_status list into ranges: 0, or -1 with the reason. */
int service_status_parse(const char *s, struct svc_status_range *ret,
			 size_t *ret_n, char *err, size_t errlen);

/* Is HTTP status code accepted by sc? */
int service_status_ok(const struct service_cfg *sc, long code);

/* Splits "host:port", "[v6]:port" (or, with defport > 0, a bare host or
 * v6 literal) into host and port: 0, or -1 with the reason. */
int service_hostport(const char *s, int defport, char *host, size_t hostlen,
		     uint16_t *ret_port, char *err, size_t errlen);

/* "http", "https", "tcp", "dns". */
const char *service_type_name(int type);

#endif
