/*
 * service_config.c - [service NAME]: one HTTP(S), TCP or DNS service, what
 * a good answer is (status codes, a content pattern, an address), its
 * timing and thresholds. URLs are checked with libcurl's own URL parser
 * (the one that will fetch them), patterns with regcomp(3), so that every
 * error is file:line at load time instead of a failing check later.
 * See docs/services.md.
 * SPDX-License-Identifier: MIT
 */
#include "service_config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) CFG_NELEM(a)

static const struct cfg_keyword kw_type[] = {
	{ "http", SVC_HTTP, 0 }, { "https", SVC_HTTPS, 0 },
	{ "tcp", SVC_TCP, 0 },   { "dns", SVC_DNS, 0 },
	{ NULL, 0, 0 }
};

static const struct cfg_keyword kw_sev[] = {
	{ "critical", SEV_CRITICAL, 0 }, { "major", SEV_MAJOR, 0 },
	{ "minor", SEV_MINOR, 0 },       { "warning", SEV_WARNING, 0 },
	{ NULL, 0, 0 }
};

const char *service_type_name(int type)
{
	return cfg_kw_name(kw_type, type);
}

#define S(f) CFG_FIELD(service_cfg, f)
/* CFG_LIVE: thresholds and labels a reload applies to the running state;
 * the rest changes what is checked, which starts the service afresh. */
static const struct cfg_opt service_opts[] = {
	{ "type", CFG_ENUM, S(type), 0, 0, -1, NULL, kw_type, CFG_REQUIRED,
	  NULL },
	{ "url", CFG_STR, S(url), 0, 0, 0, "", NULL, 0, NULL },
	{ "target", CFG_STR, S(target), 0, 0, 0, "", NULL, 0, NULL },
	{ "query", CFG_STR, S(query), 0, 0, 0, "", NULL, 0, NULL },
	{ "server", CFG_STR, S(server), 0, 0, 0, "", NULL, 0, NULL },
	{ "expect", CFG_STR, S(expect), 0, 0, 0, "", NULL, 0, NULL },
	{ "expect_status", CFG_STR, S(expect_status), 0, 0, 0, "200", NULL,
	  0, NULL },
	{ "match", CFG_STR, S(match), 0, 0, 0, "", NULL, 0, NULL },
	{ "match_regex", CFG_ENUM, S(match_regex), 0, 0, 0, NULL, cfg_kw_bool,
	  0, NULL },
	{ "timeout", CFG_INT, S(timeout_s), 1, 300, 10, NULL, NULL, 0, NULL },
	{ "interval", CFG_INT, S(interval_s), 1, 86400, 60, NULL, NULL, 0,
	  NULL },
	{ "tls_verify", CFG_ENUM, S(tls_verify), 0, 0, 1, NULL, cfg_kw_bool, 0,
	  NULL },
	{ "ca_file", CFG_PATH, S(ca_file), 0, 0, 0, "", NULL, 0, NULL },
	{ "cert_warn_days", CFG_INT, S(cert_warn_days), 0, 3650, 14, NULL,
	  NULL, CFG_LIVE, NULL },
	{ "slow_ms", CFG_INT, S(slow_ms), 0, 600000, 0, NULL, NULL, CFG_LIVE,
	  NULL },
	{ "slow_for", CFG_INT, S(slow_for_s), 0, 86400, 300, NULL, NULL,
	  CFG_LIVE, NULL },
	{ "down_after", CFG_INT, S(down_after), 1, 100, 3, NULL, NULL,
	  CFG_LIVE, NULL },
	{ "up_after", CFG_INT, S(up_after), 1, 100, 1, NULL, NULL, CFG_LIVE,
	  NULL },
	{ "max_redirects", CFG_INT, S(max_redirects), 0, 50, 5, NULL, NULL, 0,
	  NULL },
	{ "unit", CFG_STR, S(unit), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "tags", CFG_STR, S(tags), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "severity", CFG_ENUM, S(severity), 0, 0, SEV_MAJOR, NULL, kw_sev,
	  CFG_LIVE, NULL },
	{ "name", CFG_STR, S(display), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "name_en", CFG_STR, S(display_en), 0, 0, 0, "", NULL, CFG_LIVE,
	  NULL },
};
#undef S

_Static_assert(NELEM(service_opts) <= CFG_OPTS_MAX, "seen[] too small");

int service_status_parse(const char *s, struct svc_status_range *ret,
			 size_t *ret_n, char *err, size_t errlen)
{
	const char *p = s;

	*ret_n = 0;
	for (;;) {
		char item[32];
		size_t n;
		int lo, hi, k = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0 || n >= sizeof(item)) {
			snprintf(err, errlen, "%s item in the list",
				 n ? "too long an" : "empty");
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (n == 3 && isdigit((unsigned char)item[0]) &&
		    (item[1] == 'x' || item[1] == 'X') &&
		    (item[2] == 'x' || item[2] == 'X')) {
			lo = (item[0] - '0') * 100;
			hi = lo + 99;
		} else if (sscanf(item, "%d-%d%n", &lo, &hi, &k) == 2 &&
			   (size_t)k == n) {
		} else if (sscanf(item, "%d%n", &lo, &k) == 1 &&
			   (size_t)k == n) {
			hi = lo;
		} else {
			snprintf(err, errlen,
				 "'%s' is not a status code, a range "
				 "(301-308) or a class (2xx)",
				 item);
			return -1;
		}
		if (lo < 100 || hi > 599 || lo > hi) {
			snprintf(err, errlen,
				 "'%s' is outside the HTTP status codes "
				 "100..599",
				 item);
			return -1;
		}
		if (*ret_n == SVC_STATUS_MAX) {
			snprintf(err, errlen, "more than %d items",
				 SVC_STATUS_MAX);
			return -1;
		}
		ret[*ret_n].lo = lo;
		ret[*ret_n].hi = hi;
		(*ret_n)++;
		p = strchr(p, ',');
		if (p == NULL)
			return 0;
		p++;
	}
}

int service_status_ok(const struct service_cfg *sc, long code)
{
	for (size_t i = 0; i < sc->nstatus; i++)
		if (code >= sc->status[i].lo && code <= sc->status[i].hi)
			return 1;
	return 0;
}

int service_hostport(const char *s, int defport, char *host, size_t hostlen,
		     uint16_t *ret_port, char *err, size_t errlen)
{
	const char *colon, *h = s;
	size_t hl;
	char *end;
	long port = defport;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL) {
			snprintf(err, errlen, "'%s': unbalanced '['", s);
			return -1;
		}
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] != '\0' && colon == NULL) {
			snprintf(err, errlen,
				 "'%s': expected ':PORT' after ']'", s);
			return -1;
		}
	} else {
		colon = strrchr(s, ':');
		if (colon != NULL && strchr(s, ':') != colon) {
			colon = NULL; /* a bare IPv6 literal */
			if (defport <= 0) {
				snprintf(err, errlen,
					 "'%s': write an IPv6 address as "
					 "[ADDR]:PORT",
					 s);
				return -1;
			}
		}
		hl = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || errno != 0)
			port = -1;
	} else if (defport <= 0) {
		snprintf(err, errlen, "'%s' has no port (HOST:PORT)", s);
		return -1;
	}
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "'%s': the port must be 1..65535", s);
		return -1;
	}
	if (hl == 0 || hl >= hostlen) {
		snprintf(err, errlen, "'%s': %s host", s,
			 hl ? "too long a" : "empty");
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	*ret_port = (uint16_t)port;
	return 0;
}

/* Keys that only some types use: given for another type, an error. */
static const struct {
	const char *key;
	unsigned types; /* bit per enum svc_type */
} type_keys[] = {
	{ "url", 1u << SVC_HTTP | 1u << SVC_HTTPS },
	{ "expect_status", 1u << SVC_HTTP | 1u << SVC_HTTPS },
	{ "match", 1u << SVC_HTTP | 1u << SVC_HTTPS },
	{ "match_regex", 1u << SVC_HTTP | 1u << SVC_HTTPS },
	{ "max_redirects", 1u << SVC_HTTP | 1u << SVC_HTTPS },
	{ "tls_verify", 1u << SVC_HTTPS },
	{ "ca_file", 1u << SVC_HTTPS },
	{ "cert_warn_days", 1u << SVC_HTTPS },
	{ "target", 1u << SVC_TCP },
	{ "query", 1u << SVC_DNS },
	{ "server", 1u << SVC_DNS },
	{ "expect", 1u << SVC_DNS },
};

static void check_url(struct cfg_ctx *c, struct service_cfg *sc)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	const char *want = sc->type == SVC_HTTPS ? "https" : "http";
	int line = cfg_key_line(c, "url");
	CURLUcode uc;

	if (!cfg_seen(c, "url")) {
		cfg_missing(c, "url", " (required for type http and https)");
		return;
	}
	u = curl_url();
	if (u == NULL) {
		cfg_oom(c);
		return;
	}
	uc = curl_url_set(u, CURLUPART_URL, sc->url, 0);
	if (uc != CURLUE_OK) {
		cfg_error(c, line, "key 'url' in [%s]: '%s' is not a URL (%s)",
			  cfg_title(c), sc->url, curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0') {
		cfg_error(c, line, "key 'url' in [%s]: '%s' has no host",
			  cfg_title(c), sc->url);
		goto out;
	}
	if (strcmp(scheme, want) != 0)
		cfg_error(c, line,
			  "key 'url' in [%s]: scheme '%s' does not match type "
			  "%s (write %s://...)",
			  cfg_title(c), scheme, want, want);
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
}

static void check_match(struct cfg_ctx *c, struct service_cfg *sc)
{
	regex_t re;
	char msg[160];
	int rc;

	if (!sc->match_regex)
		return;
	if (sc->match[0] == '\0') {
		cfg_missing(c, "match", " (match_regex = yes needs a pattern)");
		return;
	}
	rc = regcomp(&re, sc->match, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &re, msg, sizeof(msg));
		cfg_error(c, cfg_key_line(c, "match"),
			  "key 'match' in [%s]: not a POSIX extended regular "
			  "expression: %s",
			  cfg_title(c), msg);
		return;
	}
	regfree(&re);
}

static void service_init(struct cfg_ctx *c, void *item)
{
	(void)c;
	((struct service_cfg *)item)->type = -1;
}

static void service_end(struct cfg_ctx *c, void *item)
{
	struct service_cfg *sc = item;
	char err[DIAG_MSG_MAX / 2];

	if (sc->type < 0)
		return; /* missing type: reported by the engine */
	for (size_t i = 0; i < NELEM(type_keys); i++)
		if (cfg_seen(c, type_keys[i].key) &&
		    !(type_keys[i].types & 1u << sc->type))
			cfg_error(c, cfg_key_line(c, type_keys[i].key),
				  "key '%s' in [%s]: not used by type %s",
				  type_keys[i].key, cfg_title(c),
				  service_type_name(sc->type));
	switch (sc->type) {
	case SVC_HTTP:
	case SVC_HTTPS:
		check_url(c, sc);
		if (service_status_parse(sc->expect_status, sc->status,
					 &sc->nstatus, err, sizeof(err)) < 0)
			cfg_error(c, cfg_key_line(c, "expect_status"),
				  "key 'expect_status' in [%s]: %s",
				  cfg_title(c), err);
		check_match(c, sc);
		break;
	case SVC_TCP:
		if (!cfg_seen(c, "target"))
			cfg_missing(c, "target", " (HOST:PORT for type tcp)");
		else if (service_hostport(sc->target, 0, sc->host,
					  sizeof(sc->host), &sc->port, err,
					  sizeof(err)) < 0)
			cfg_error(c, cfg_key_line(c, "target"),
				  "key 'target' in [%s]: %s", cfg_title(c),
				  err);
		break;
	case SVC_DNS:
		if (!cfg_seen(c, "query"))
			cfg_missing(c, "query", " (the name to resolve)");
		if (sc->server[0] != '\0' &&
		    service_hostport(sc->server, 53, sc->host,
				     sizeof(sc->host), &sc->port, err,
				     sizeof(err)) < 0)
			cfg_error(c, cfg_key_line(c, "server"),
				  "key 'server' in [%s]: %s", cfg_title(c),
				  err);
		break;
	}
	if (sc->timeout_s > sc->interval_s)
		cfg_error(c, cfg_key_line(c, "timeout"),
			  "key 'timeout' in [%s]: %d s is longer than the "
			  "interval (%d s)",
			  cfg_title(c), sc->timeout_s, sc->interval_s);
}

/* After the inventory: a service's name is its journal object and its
 * SLA scope (service:NAME), so no device may carry it too. */
static void service_resolve(struct cfg_ctx *c)
{
	struct config *cfg = cfg_config(c);
	size_t n;
	struct service_cfg *sc = service_configs(cfg, &n);

	for (size_t i = 0; i < n; i++)
		if (config_find_device(cfg, sc[i].name) >= 0)
			cfg_error(c, sc[i].line,
				  "[service %s]: the inventory has a device of "
				  "that name (service and device names share "
				  "the journal and SLA scopes)",
				  sc[i].name);
}

const struct cfg_section service_section = {
	.name = "service",
	.flags = CFG_SEC_NAMED,
	.size = sizeof(struct service_cfg),
	.line_off = offsetof(struct service_cfg, line),
	.opts = service_opts,
	.nopts = NELEM(service_opts),
	.init = service_init,
	.end = service_end,
	.resolve = service_resolve,
};

int service_config_register(void)
{
	return config_section_register(&service_section);
}

struct service_cfg *service_configs(const struct config *cfg, size_t *ret_n)
{
	return config_items(cfg, &service_section, ret_n);
}

int service_find(const struct config *cfg, const char *name)
{
	size_t n;
	const struct service_cfg *sc = service_configs(cfg, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(sc[i].name, name) == 0)
			return (int)i;
	return -1;
}

int service_cfg_changed(const struct service_cfg *a,
			const struct service_cfg *b)
{
	return config_item_changed(&service_section, a, b);
}
