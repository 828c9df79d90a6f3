/*
 * snmp_config.h - the SNMP probe's configuration: [profile NAME] sections
 * (credentials and per-profile timing) and the inventory's `profile`
 * column, which must name one. See docs/config.md.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SNMP_CONFIG_H
#define SLAMON_SNMP_CONFIG_H

#include <stddef.h>

#include "core/config.h"

enum snmp_version { SNMP_V1 = 1, SNMP_V2C = 2, SNMP_V3 = 3 };

enum snmp_auth {
	AUTH_NONE,
	AUTH_MD5,
	AUTH_SHA,
	AUTH_SHA224,
	AUTH_SHA256,
	AUTH_SHA384,
	AUTH_SHA512
};
enum snmp_priv { PRIV_NONE, PRIV_DES, PRIV_AES128, PRIV_AES192, PRIV_AES256 };
enum snmp_seclevel { SEC_NOAUTH, SEC_AUTHNOPRIV, SEC_AUTHPRIV };

/* [profile NAME] section: SNMP credentials and per-profile timing. */
struct snmp_profile {
	char name[CFG_NAME_MAX];
	enum snmp_version version;
	char community[CFG_SECRET_MAX]; /* v1/v2c */
	char user[CFG_NAME_MAX];        /* v3 */
	enum snmp_seclevel level;       /* v3, derived from auth/priv */
	enum snmp_auth auth;
	char auth_pass[CFG_SECRET_MAX];
	enum snmp_priv priv;
	char priv_pass[CFG_SECRET_MAX];
	char context[CFG_NAME_MAX];
	int timeout_ms; /* per request; default [general] timeout_ms */
	int retries;    /* default [general] retries */
	int max_repetitions; /* GETBULK, default 20 */
	int max_varbinds;    /* per GET request, default 60 */
	int line;            /* line of the [profile] header */
};

/* The [profile] section, for config_section_register and config_item_*. */
extern const struct cfg_section snmp_profile_section;

/* Registers the SNMP probe's sections. 0 or a negative errno. */
int snmp_config_register(void);

/* The profiles of cfg and their count. */
struct snmp_profile *snmp_profiles(const struct config *cfg, size_t *ret_n);

/* Index of the profile named name, or -1. */
int snmp_profile_find(const struct config *cfg, const char *name);

/* The profile device dev polls with (its profile_idx); NULL when none. */
const struct snmp_profile *snmp_profile_of(const struct config *cfg,
					   const struct device *dev);

/* Do two profiles differ in a way that needs the device's session
 * rebuilt on reload? NULL (no profile) equals only NULL. */
int snmp_profile_changed(const struct snmp_profile *a,
			 const struct snmp_profile *b);

#endif
