/*
 * snmp_config.c - [profile NAME]: the option table (bounds, defaults),
 * the checks that need the whole section (RFC 3414 passphrases, v3
 * security level), the [general] timing it inherits, and the inventory's
 * `profile` column.
 * SPDX-License-Identifier: MIT
 */
#include "snmp_config.h"

#include <stdio.h>
#include <string.h>

/* Profile timeout_ms/retries: "inherit [general]", resolved at the end
 * because [general] may come after the profiles. */
#define INHERIT (-1)

static const struct cfg_keyword kw_version[] = {
	{ "1", SNMP_V1, 0 },   { "2c", SNMP_V2C, 0 }, { "3", SNMP_V3, 0 },
	{ "v1", SNMP_V1, 1 },  { "v2c", SNMP_V2C, 1 }, { "v3", SNMP_V3, 1 },
	{ NULL, 0, 0 }
};
/* Names as net-snmp's snmpcmd(1) -a and -x take them. */
static const struct cfg_keyword kw_auth[] = {
	{ "none", AUTH_NONE, 0 },      { "MD5", AUTH_MD5, 0 },
	{ "SHA", AUTH_SHA, 0 },        { "SHA-224", AUTH_SHA224, 0 },
	{ "SHA-256", AUTH_SHA256, 0 }, { "SHA-384", AUTH_SHA384, 0 },
	{ "SHA-512", AUTH_SHA512, 0 }, { "SHA1", AUTH_SHA, 1 },
	{ "SHA-1", AUTH_SHA, 1 },      { "SHA224", AUTH_SHA224, 1 },
	{ "SHA256", AUTH_SHA256, 1 },  { "SHA384", AUTH_SHA384, 1 },
	{ "SHA512", AUTH_SHA512, 1 },  { NULL, 0, 0 }
};
static const struct cfg_keyword kw_priv[] = {
	{ "none", PRIV_NONE, 0 },      { "DES", PRIV_DES, 0 },
	{ "AES", PRIV_AES128, 0 },     { "AES-128", PRIV_AES128, 0 },
	{ "AES-192", PRIV_AES192, 0 }, { "AES-256", PRIV_AES256, 0 },
	{ "AES128", PRIV_AES128, 1 },  { "AES192", PRIV_AES192, 1 },
	{ "AES256", PRIV_AES256, 1 },  { NULL, 0, 0 }
};

_Static_assert(sizeof(enum snmp_auth) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(enum snmp_priv) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(enum snmp_version) == sizeof(int), "enum as int");

#define P(f) CFG_FIELD(snmp_profile, f)
/* Every key needs the device's session rebuilt when it changes, but for
 * the GETBULK/GET sizes, which the next poll picks up. */
static const struct cfg_opt profile_opts[] = {
	{ "version", CFG_ENUM, P(version), 0, 0, 0, NULL, kw_version,
	  CFG_REQUIRED, NULL },
	{ "community", CFG_STR, P(community), 0, 0, 0, "", NULL, 0, NULL },
	{ "user", CFG_STR, P(user), 0, 0, 0, "", NULL, 0, NULL },
	{ "auth", CFG_ENUM, P(auth), 0, 0, AUTH_NONE, NULL, kw_auth, 0,
	  NULL },
	{ "auth_pass", CFG_STR, P(auth_pass), 0, 0, 0, "", NULL, 0, NULL },
	{ "priv", CFG_ENUM, P(priv), 0, 0, PRIV_NONE, NULL, kw_priv, 0,
	  NULL },
	{ "priv_pass", CFG_STR, P(priv_pass), 0, 0, 0, "", NULL, 0, NULL },
	{ "context", CFG_STR, P(context), 0, 0, 0, "", NULL, 0, NULL },
	{ "timeout_ms", CFG_INT, P(timeout_ms), 10, 60000, INHERIT, NULL,
	  NULL, 0, NULL },
	{ "retries", CFG_INT, P(retries), 0, 10, INHERIT, NULL, NULL, 0,
	  NULL },
	{ "max_repetitions", CFG_INT, P(max_repetitions), 1, 200, 20, NULL,
	  NULL, CFG_LIVE, NULL },
	{ "max_varbinds", CFG_INT, P(max_varbinds), 1, 500, 60, NULL, NULL,
	  CFG_LIVE, NULL },
};
#undef P

/* RFC 3414 section 11.2: passphrases shorter than 8 octets are refused. */
static void pass_check(struct cfg_ctx *c, const char *key, const char *pass,
		       const char *algo)
{
	char why[96];

	if (pass[0] == '\0') {
		snprintf(why, sizeof(why), " (required when %s is %s)",
			 key[0] == 'a' ? "auth" : "priv", algo);
		cfg_missing(c, key, why);
	} else if (strlen(pass) < 8) {
		cfg_error(c, cfg_key_line(c, key),
			  "key '%s' in [%s]: too short (RFC 3414 requires at "
			  "least 8 characters)",
			  key, cfg_title(c));
	}
}

static void profile_end(struct cfg_ctx *c, void *item)
{
	struct snmp_profile *p = item;

	if (p->version == 0) /* absent (reported) or bad (reported) */
		return;
	if (p->version != SNMP_V3) {
		if (p->community[0] == '\0')
			cfg_missing(c, "community",
				    p->version == SNMP_V1
					    ? " (required for version 1)"
					    : " (required for version 2c)");
		return;
	}
	if (p->user[0] == '\0')
		cfg_missing(c, "user", " (required for version 3)");
	if (p->priv != PRIV_NONE && p->auth == AUTH_NONE)
		cfg_error(c, cfg_key_line(c, "priv"),
			  "key 'priv' in [%s]: privacy needs auth (there is "
			  "no noAuthPriv level)",
			  cfg_title(c));
	if (p->auth != AUTH_NONE)
		pass_check(c, "auth_pass", p->auth_pass,
			   cfg_kw_name(kw_auth, (int)p->auth));
	if (p->priv != PRIV_NONE)
		pass_check(c, "priv_pass", p->priv_pass,
			   cfg_kw_name(kw_priv, (int)p->priv));
	if (p->auth == AUTH_NONE)
		p->level = SEC_NOAUTH;
	else if (p->priv == PRIV_NONE)
		p->level = SEC_AUTHNOPRIV;
	else
		p->level = SEC_AUTHPRIV;
}

/* After the file: timing not given inherits [general]. */
static void profile_finish(struct cfg_ctx *c)
{
	struct config *cfg = cfg_config(c);
	size_t n;
	struct snmp_profile *p = snmp_profiles(cfg, &n);

	for (size_t i = 0; i < n; i++) {
		if (p[i].timeout_ms == INHERIT)
			p[i].timeout_ms = cfg->timeout_ms;
		if (p[i].retries == INHERIT)
			p[i].retries = cfg->retries;
	}
}

/* The inventory's profile column names a [profile]. */
static int profile_device(const struct config *cfg, struct device *dv,
			  char *err, size_t errlen)
{
	dv->profile_idx = snmp_profile_find(cfg, dv->profile);
	if (dv->profile[0] != '\0' && dv->profile_idx < 0) {
		snprintf(err, errlen, "unknown profile '%.*s'",
			 CFG_NAME_MAX - 1, dv->profile);
		return -1;
	}
	return 0;
}

const struct cfg_section snmp_profile_section = {
	.name = "profile",
	.flags = CFG_SEC_NAMED,
	.size = sizeof(struct snmp_profile),
	.line_off = offsetof(struct snmp_profile, line),
	.opts = profile_opts,
	.nopts = CFG_NELEM(profile_opts),
	.end = profile_end,
	.finish = profile_finish,
	.device = profile_device,
};

int snmp_config_register(void)
{
	return config_section_register(&snmp_profile_section);
}

struct snmp_profile *snmp_profiles(const struct config *cfg, size_t *ret_n)
{
	return config_items(cfg, &snmp_profile_section, ret_n);
}

int snmp_profile_find(const struct config *cfg, const char *name)
{
	size_t n;
	const struct snmp_profile *p = snmp_profiles(cfg, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return (int)i;
	return -1;
}

const struct snmp_profile *snmp_profile_of(const struct config *cfg,
					   const struct device *dev)
{
	size_t n;
	const struct snmp_profile *p = snmp_profiles(cfg, &n);

	if (dev->profile_idx < 0 || (size_t)dev->profile_idx >= n)
		return NULL;
	return &p[dev->profile_idx];
}

int snmp_profile_changed(const struct snmp_profile *a,
			 const struct snmp_profile *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return config_item_changed(&snmp_profile_section, a, b);
}
