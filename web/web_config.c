/*
 * web_config.c - the [web] section: listen addresses, TLS, users file,
 * session lifetime, the console's folder. Bounds and defaults are in the
 * option table; the address list and the TLS pair are checked at the
 * section's end, each error at its key's line.
 * SPDX-License-Identifier: MIT
 */
#include "web_config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W(f) CFG_FIELD(web_cfg, f)
/* The server is made once at start-up: none of these apply on reload
 * but users_file, which is read again on SIGHUP. */
static const struct cfg_opt web_opts[] = {
	{ "listen", CFG_STR, W(listen_str), 0, 0, 0, "127.0.0.1:8080", NULL,
	  0, NULL },
	{ "tls_cert", CFG_PATH, W(tls_cert), 0, 0, 0, "", NULL, 0, NULL },
	{ "tls_key", CFG_PATH, W(tls_key), 0, 0, 0, "", NULL, 0, NULL },
	{ "users_file", CFG_PATH, W(users_file), 0, 0, 0, "/etc/slamon/users",
	  NULL, CFG_LIVE, NULL },
	{ "static_dir", CFG_PATH, W(static_dir), 0, 0, 0,
	  "/usr/share/slamon/web", NULL, 0, NULL },
	{ "session_lifetime", CFG_INT, W(session_min), 5, 10080, 480, NULL,
	  NULL, CFG_LIVE, NULL },
	{ "metrics_auth", CFG_ENUM, W(metrics_auth), 0, 0, 0, NULL,
	  cfg_kw_bool, 0, NULL },
};
#undef W

int web_listen_parse(const char *text, struct web_listen *ret, char *err,
		     size_t errlen)
{
	char host[64];
	const char *colon, *h = text;
	size_t hl;
	char *end;
	long port;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->text, sizeof(ret->text), "%s", text);
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':') {
			snprintf(err, errlen, "'%s': expected [IPv6]:PORT",
				 text);
			return -1;
		}
		h = text + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || strchr(text, ':') != colon) {
			snprintf(err, errlen, "'%s': expected ADDRESS:PORT "
					      "(IPv6 as [ADDRESS]:PORT)",
				 text);
			return -1;
		}
		hl = (size_t)(colon - text);
	}
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen, "'%s': no address", text);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
		snprintf(err, errlen, "'%s': port must be 1..65535", text);
		return -1;
	}
	if (text[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ret->ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) {
			snprintf(err, errlen, "'%s': not an IPv6 address",
				 text);
			return -1;
		}
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ret->ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
			snprintf(err, errlen, "'%s': not an IPv4 address "
					      "(names are not resolved)",
				 text);
			return -1;
		}
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
	}
	return 0;
}

static void web_end(struct cfg_ctx *c, void *item)
{
	struct web_cfg *w = item;
	char buf[sizeof(w->listen_str)], err[160];
	char *save = NULL, *tok;
	int line = cfg_key_line(c, "listen");

	w->nlisten = 0;
	snprintf(buf, sizeof(buf), "%s", w->listen_str);
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (w->nlisten == WEB_LISTEN_MAX) {
			cfg_error(c, line, "key 'listen' in [web]: at most %d "
					   "addresses",
				  WEB_LISTEN_MAX);
			break;
		}
		if (web_listen_parse(tok, &w->listen[w->nlisten], err,
				     sizeof(err)) < 0) {
			cfg_error(c, line, "key 'listen' in [web]: %s", err);
			continue;
		}
		w->nlisten++;
	}
	if (w->nlisten == 0 && line > 0 && w->listen_str[0] == '\0')
		cfg_error(c, line, "key 'listen' in [web]: no address");
	if ((w->tls_cert[0] == '\0') != (w->tls_key[0] == '\0'))
		cfg_error(c, w->tls_cert[0] ? cfg_key_line(c, "tls_cert")
					    : cfg_key_line(c, "tls_key"),
			  "[web]: tls_cert and tls_key go together (HTTPS "
			  "needs both)");
}

/* No [web] header: the defaults still parse (for `slamon user`), the
 * server does not run. */
static void web_finish(struct cfg_ctx *c)
{
	struct web_cfg *w = web_config(cfg_config(c));
	char err[160];

	if (w->line == 0 && w->nlisten == 0 &&
	    web_listen_parse("127.0.0.1:8080", &w->listen[0], err,
			     sizeof(err)) == 0)
		w->nlisten = 1;
}

const struct cfg_section web_section = {
	.name = "web",
	.size = sizeof(struct web_cfg),
	.line_off = offsetof(struct web_cfg, line),
	.opts = web_opts,
	.nopts = CFG_NELEM(web_opts),
	.end = web_end,
	.finish = web_finish,
};

int web_config_register(void)
{
	return config_section_register(&web_section);
}

struct web_cfg *web_config(const struct config *cfg)
{
	return config_item(cfg, &web_section);
}
