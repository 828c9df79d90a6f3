/*
 * trap_config.c - [traps]: the option table, the listen list (IPv4 and
 * IPv6 literals with a port) and the communities, by default those of the
 * v1/v2c [profile] sections.
 * SPDX-License-Identifier: MIT
 */
#include "trap_config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probes/snmp_config.h"

#define DEFAULT_LISTEN "0.0.0.0:162"

#define T(f) CFG_FIELD(traps_cfg, f)
static const struct cfg_opt traps_opts[] = {
	{ "enabled", CFG_ENUM, T(enabled), 0, 0, 0, NULL, cfg_kw_bool, 0,
	  NULL },
	{ "listen", CFG_STR, T(listen), 0, 0, 0, DEFAULT_LISTEN, NULL, 0,
	  NULL },
	{ "community", CFG_STR, T(community), 0, 0, 0, "", NULL, CFG_LIVE,
	  NULL },
	{ "unknown_log_interval", CFG_INT, T(unknown_log_s), 1, 86400, 60,
	  NULL, NULL, CFG_LIVE, NULL },
	{ "confirm_spacing_ms", CFG_INT, T(confirm_spacing_ms), 100, 60000,
	  1000, NULL, NULL, CFG_LIVE, NULL },
	{ "keep_days", CFG_INT, T(keep_days), 1, 3660, 400, NULL, NULL,
	  CFG_LIVE, NULL },
};
#undef T

int trap_listen_parse(const char *s, struct trap_listen *ret, char *err,
		      size_t errlen)
{
	char host[INV_ADDR_MAX + 2];
	const char *port = NULL;
	unsigned char bin[16];
	size_t hl;
	long pv = 162;
	char *end;

	memset(ret, 0, sizeof(*ret));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL) {
			snprintf(err, errlen, "'%s': no ']'", s);
			return -1;
		}
		hl = (size_t)(close - s - 1);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0') {
			snprintf(err, errlen, "'%s': ':PORT' expected after "
				 "']'", s);
			return -1;
		}
		s++;
		ret->af = AF_INET6;
	} else {
		const char *colon = strchr(s, ':');

		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			snprintf(err, errlen, "'%s': write an IPv6 address "
				 "as [ADDRESS]:PORT", s);
			return -1;
		}
		hl = colon ? (size_t)(colon - s) : strlen(s);
		port = colon ? colon + 1 : NULL;
		ret->af = AF_INET;
	}
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen, "'%s': no address", s);
		return -1;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(ret->af, host, bin) != 1 ||
	    inet_ntop(ret->af, bin, ret->host, sizeof(ret->host)) == NULL) {
		snprintf(err, errlen, "'%s' is not an IPv%d address", host,
			 ret->af == AF_INET6 ? 6 : 4);
		return -1;
	}
	if (port != NULL) {
		pv = strtol(port, &end, 10);
		if (port[0] == '\0' || *end != '\0' || pv < 1 || pv > 65535) {
			snprintf(err, errlen, "'%s': port must be 1-65535",
				 port);
			return -1;
		}
	}
	ret->port = (uint16_t)pv;
	return 0;
}

/* Next comma-separated, trimmed word of *p into out; 0 at the end. */
static int next_word(const char **p, char *out, size_t outlen, int *toolong)
{
	const char *s = *p, *e;
	size_t n;

	while (*s == ',' || isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return 0;
	e = strchr(s, ',');
	if (e == NULL)
		e = s + strlen(s);
	*p = e;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	n = (size_t)(e - s);
	*toolong = n >= outlen;
	if (*toolong)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

static void listen_set(struct cfg_ctx *c, struct traps_cfg *t)
{
	const char *p = t->listen;
	char w[128], why[192];
	int toolong, bad = 0, line = c ? cfg_key_line(c, "listen") : 0;

	t->naddrs = 0;
	while (next_word(&p, w, sizeof(w), &toolong)) {
		if (t->naddrs == TRAP_LISTEN_MAX) {
			if (c)
				cfg_error(c, line, "key 'listen' in [traps]: "
					  "at most %d addresses",
					  TRAP_LISTEN_MAX);
			return;
		}
		if (trap_listen_parse(w, &t->addrs[t->naddrs], why,
				      sizeof(why)) < 0) {
			if (c)
				cfg_error(c, line, "key 'listen' in [traps]: "
					  "%s", why);
			bad = 1;
			continue;
		}
		t->naddrs++;
	}
	if (t->naddrs == 0 && c && t->enabled && !bad)
		cfg_error(c, line, "key 'listen' in [traps]: no address");
}

static void community_set(struct cfg_ctx *c, struct traps_cfg *t)
{
	const char *p = t->community;
	char w[CFG_SECRET_MAX];
	int toolong;

	t->ncommunities = 0;
	while (next_word(&p, w, sizeof(w), &toolong)) {
		if (toolong || t->ncommunities == TRAP_COMMUNITY_MAX) {
			/* never quote a secret in a message */
			cfg_error(c, cfg_key_line(c, "community"),
				  "key 'community' in [traps]: %s",
				  toolong ? "a community is too long"
					  : "too many communities (at most "
					    "32)");
			return;
		}
		memcpy(t->communities[t->ncommunities++], w, sizeof(w));
	}
}

static void traps_end(struct cfg_ctx *c, void *item)
{
	struct traps_cfg *t = item;

	listen_set(c, t);
	community_set(c, t);
	if (cfg_seen(c, "community") && t->ncommunities == 0)
		cfg_error(c, cfg_key_line(c, "community"),
			  "key 'community' in [traps]: empty list");
}

/* After the file: a [traps] that was not written gets the default
 * address; without a community list, the profiles' communities. */
static void traps_finish(struct cfg_ctx *c)
{
	struct config *cfg = cfg_config(c);
	struct traps_cfg *t = config_item(cfg, &traps_section);
	size_t n;
	const struct snmp_profile *p = snmp_profiles(cfg, &n);

	if (t == NULL)
		return;
	if (t->line == 0)
		listen_set(NULL, t);
	if (t->community[0] != '\0')
		return;
	t->ncommunities = 0;
	for (size_t i = 0; i < n && t->ncommunities < TRAP_COMMUNITY_MAX;
	     i++) {
		int dup = 0;

		if (p[i].version == SNMP_V3 || p[i].community[0] == '\0')
			continue;
		for (size_t k = 0; k < t->ncommunities; k++)
			dup |= strcmp(t->communities[k], p[i].community) == 0;
		if (!dup)
			memcpy(t->communities[t->ncommunities++],
			       p[i].community, CFG_SECRET_MAX);
	}
}

const struct cfg_section traps_section = {
	.name = "traps",
	.size = sizeof(struct traps_cfg),
	.line_off = offsetof(struct traps_cfg, line),
	.opts = traps_opts,
	.nopts = CFG_NELEM(traps_opts),
	.end = traps_end,
	.finish = traps_finish,
};

int trap_config_register(void)
{
	return config_section_register(&traps_section);
}

const struct traps_cfg *traps_config(const struct config *cfg)
{
	return config_item(cfg, &traps_section);
}

int traps_community_ok(const struct traps_cfg *tc, const char *community)
{
	for (size_t i = 0; i < tc->ncommunities; i++)
		if (strcmp(tc->communities[i], community) == 0)
			return 1;
	return 0;
}

int traps_listen_changed(const struct traps_cfg *a, const struct traps_cfg *b)
{
	if (a->enabled != b->enabled || a->naddrs != b->naddrs)
		return 1;
	for (size_t i = 0; i < a->naddrs; i++)
		if (a->addrs[i].af != b->addrs[i].af ||
		    a->addrs[i].port != b->addrs[i].port ||
		    strcmp(a->addrs[i].host, b->addrs[i].host) != 0)
			return 1;
	return 0;
}
