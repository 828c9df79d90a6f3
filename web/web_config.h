/*
 * web_config.h - the [web] section: where slamond serves the console, the
 * JSON API and /metrics (docs/web.md, docs/config.md). The server runs
 * only when the configuration has a [web] section; its keys all have
 * defaults, so "[web]" alone serves http://127.0.0.1:8080/.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_WEB_CONFIG_H
#define SLAMON_WEB_CONFIG_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/config.h"

#define WEB_LISTEN_MAX 8

/* One listen address, parsed from "127.0.0.1:8080" or "[::1]:8080". */
struct web_listen {
	struct sockaddr_storage ss;
	char text[80]; /* as given, for messages */
};

struct web_cfg {
	char listen_str[512];  /* comma- or space-separated addresses */
	char tls_cert[4096];   /* PEM; with tls_key: HTTPS */
	char tls_key[4096];
	char users_file[4096]; /* default /etc/slamon/users */
	char static_dir[4096]; /* default /usr/share/slamon/web */
	int session_min;       /* session lifetime, minutes (default 480) */
	int metrics_auth;      /* 1: /metrics needs a session too */
	struct web_listen listen[WEB_LISTEN_MAX];
	size_t nlisten;
	int line; /* line of the [web] header, 0 = absent: no server */
};

extern const struct cfg_section web_section;

/* Registers [web]. 0 or a negative errno. */
int web_config_register(void);

/* The [web] item of cfg (defaults when the file has none). */
struct web_cfg *web_config(const struct config *cfg);

/* Parses one "host:port" / "[v6]:port" into *ret. 0, or -1 with a
 * reason in err. */
int web_listen_parse(const char *text, struct web_listen *ret, char *err,
		     size_t errlen);

#endif
