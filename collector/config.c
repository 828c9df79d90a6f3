/*
 * config.c - the main configuration file: INI read with inih, validated
 * against one option table per section (bounds and defaults in one place,
 * as Redis' config.c static_configs[]), then the inventory it names.
 *
 * Debian's inih is built without INI_HANDLER_LINENO, so the handler cannot
 * ask inih for the line. We feed inih through our own reader instead: it
 * counts physical lines, tracks [section] headers itself (inih only reports
 * a section together with a key) and flags the syntax errors inih would only
 * report as "first bad line". Every message is "file:line: text"; parsing
 * goes on after an error and config_load() fails at the end.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "indicators.h"

/* ---- roles ---------------------------------------------------------- */

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_BACKBONE] = "backbone", [ROLE_EXIT] = "exit",
	[ROLE_CORE] = "core",         [ROLE_AGGREGATION] = "aggregation",
	[ROLE_ACCESS] = "access",     [ROLE_SERVER] = "server",
	[ROLE_FIREWALL] = "firewall", [ROLE_WIRELESS] = "wireless",
	[ROLE_IOT] = "iot",           [ROLE_CAMERA] = "camera",
	[ROLE_OTHER] = "other",
};

/* Spreadsheet exports often carry the Chinese role names. */
static const struct {
	const char *name;
	enum role role;
} role_aliases[] = {
	{ "骨干", ROLE_BACKBONE },   { "出口", ROLE_EXIT },
	{ "核心", ROLE_CORE },       { "汇聚", ROLE_AGGREGATION },
	{ "接入", ROLE_ACCESS },     { "服务器", ROLE_SERVER },
	{ "防火墙", ROLE_FIREWALL }, { "无线", ROLE_WIRELESS },
	{ "物联网", ROLE_IOT },      { "摄像头", ROLE_CAMERA },
	{ "其他", ROLE_OTHER },
};

const char *role_name(enum role r)
{
	if ((unsigned)r >= ROLE_COUNT)
		return NULL;
	return role_names[r];
}

int role_parse(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcasecmp(name, role_names[i]) == 0)
			return i;
	for (size_t i = 0; i < sizeof(role_aliases) / sizeof(role_aliases[0]);
	     i++)
		if (strcmp(name, role_aliases[i].name) == 0)
			return (int)role_aliases[i].role;
	return -1;
}

/* ---- option tables -------------------------------------------------- */

enum opt_type {
	OPT_INT,     /* long within [min, max] */
	OPT_DOUBLE,  /* finite number */
	OPT_STR,     /* copied, length checked */
	OPT_PATH,    /* like OPT_STR, relative to the config's folder */
	OPT_WORD,    /* one of kw, stored as the canonical string */
	OPT_ENUM,    /* one of kw, stored as int */
	OPT_CMP,     /* comparator, stored as enum cmp_op */
	OPT_SCOPE,   /* indicator scope */
};

#define OPT_REQUIRED 1u /* must be given (checked at the section's end) */
#define OPT_LOADER 2u   /* field lives in struct loader, not the target */

struct keyword {
	const char *name;
	int value;
	bool alias; /* accepted, but not listed in messages */
};

struct opt {
	const char *name;
	enum opt_type type;
	size_t off;
	size_t size;
	long min, max;       /* OPT_INT bounds */
	long def;            /* OPT_INT / OPT_ENUM default */
	const char *def_str; /* OPT_STR / OPT_PATH / OPT_WORD default */
	const struct keyword *kw; /* NULL-name terminated */
	unsigned flags;
};

#define FIELD(type, f) offsetof(struct type, f), sizeof(((struct type *)0)->f)
#define MAX_OPTS 32

/* Profile timeout_ms/retries: "inherit [general]", resolved at the end
 * because [general] may come after the profiles. */
#define INHERIT (-1)

struct loader; /* forward, for OPT_LOADER fields */

static const struct keyword kw_log[] = {
	{ "stderr", 0, false }, { "syslog", 0, false }, { NULL, 0, false }
};
static const struct keyword kw_level[] = {
	{ "debug", 0, false }, { "info", 0, false }, { "warn", 0, false },
	{ "error", 0, false }, { NULL, 0, false }
};
static const struct keyword kw_version[] = {
	{ "1", SNMP_V1, false },   { "2c", SNMP_V2C, false },
	{ "3", SNMP_V3, false },   { "v1", SNMP_V1, true },
	{ "v2c", SNMP_V2C, true }, { "v3", SNMP_V3, true },
	{ NULL, 0, false }
};
/* Names as net-snmp's snmpcmd(1) -a and -x take them. */
static const struct keyword kw_auth[] = {
	{ "none", AUTH_NONE, false },       { "MD5", AUTH_MD5, false },
	{ "SHA", AUTH_SHA, false },         { "SHA-224", AUTH_SHA224, false },
	{ "SHA-256", AUTH_SHA256, false },  { "SHA-384", AUTH_SHA384, false },
	{ "SHA-512", AUTH_SHA512, false },  { "SHA1", AUTH_SHA, true },
	{ "SHA-1", AUTH_SHA, true },        { "SHA224", AUTH_SHA224, true },
	{ "SHA256", AUTH_SHA256, true },    { "SHA384", AUTH_SHA384, true },
	{ "SHA512", AUTH_SHA512, true },    { NULL, 0, false }
};
static const struct keyword kw_priv[] = {
	{ "none", PRIV_NONE, false },      { "DES", PRIV_DES, false },
	{ "AES", PRIV_AES128, false },     { "AES-128", PRIV_AES128, false },
	{ "AES-192", PRIV_AES192, false }, { "AES-256", PRIV_AES256, false },
	{ "AES128", PRIV_AES128, true },   { "AES192", PRIV_AES192, true },
	{ "AES256", PRIV_AES256, true },   { NULL, 0, false }
};

/* The loader's own fields (OPT_LOADER). */
struct loader_opts {
	int interval; /* [general] interval, default for [intervals] */
};

#define INTERVAL_MIN 5
#define INTERVAL_MAX 86400

static const struct opt general_opts[] = {
	{ "inventory", OPT_PATH, FIELD(config, inventory), 0, 0, 0, "", NULL,
	  0 },
	{ "storage_dir", OPT_PATH, FIELD(config, storage_dir), 0, 0, 0,
	  "/var/lib/slamon", NULL, 0 },
	/* "" = <storage_dir>/status.json, filled in at the end */
	{ "status_file", OPT_PATH, FIELD(config, status_file), 0, 0, 0, "",
	  NULL, 0 },
	{ "rrdcached", OPT_STR, FIELD(config, rrdcached), 0, 0, 0, "", NULL,
	  0 },
	{ "log", OPT_WORD, FIELD(config, log_target), 0, 0, 0, "stderr",
	  kw_log, 0 },
	{ "log_level", OPT_WORD, FIELD(config, log_level), 0, 0, 0, "info",
	  kw_level, 0 },
	{ "timezone", OPT_STR, FIELD(config, timezone), 0, 0, 0,
	  "Asia/Shanghai", NULL, 0 },
	{ "timeout_ms", OPT_INT, FIELD(config, timeout_ms), 10, 60000, 2000,
	  NULL, NULL, 0 },
	{ "retries", OPT_INT, FIELD(config, retries), 0, 10, 1, NULL, NULL,
	  0 },
	{ "max_inflight", OPT_INT, FIELD(config, max_inflight), 1, 100000,
	  1000, NULL, NULL, 0 },
	/* 0 = derived where it is used */
	{ "poll_budget_ms", OPT_INT, FIELD(config, poll_budget_ms), 0, 600000,
	  0, NULL, NULL, 0 },
	{ "down_after", OPT_INT, FIELD(config, down_after), 1, 100, 2, NULL,
	  NULL, 0 },
	{ "up_after", OPT_INT, FIELD(config, up_after), 1, 100, 2, NULL, NULL,
	  0 },
	{ "interval", OPT_INT, FIELD(loader_opts, interval), INTERVAL_MIN,
	  INTERVAL_MAX, 60, NULL, NULL, OPT_LOADER },
};

/* [intervals]: every key is a role; one bound for all of them. */
static const struct opt interval_opt = {
	"interval", OPT_INT, 0, sizeof(int), INTERVAL_MIN, INTERVAL_MAX, 60,
	NULL, NULL, 0
};

static const struct opt profile_opts[] = {
	{ "version", OPT_ENUM, FIELD(snmp_profile, version), 0, 0, 0, NULL,
	  kw_version, OPT_REQUIRED },
	{ "community", OPT_STR, FIELD(snmp_profile, community), 0, 0, 0, "",
	  NULL, 0 },
	{ "user", OPT_STR, FIELD(snmp_profile, user), 0, 0, 0, "", NULL, 0 },
	{ "auth", OPT_ENUM, FIELD(snmp_profile, auth), 0, 0, AUTH_NONE, NULL,
	  kw_auth, 0 },
	{ "auth_pass", OPT_STR, FIELD(snmp_profile, auth_pass), 0, 0, 0, "",
	  NULL, 0 },
	{ "priv", OPT_ENUM, FIELD(snmp_profile, priv), 0, 0, PRIV_NONE, NULL,
	  kw_priv, 0 },
	{ "priv_pass", OPT_STR, FIELD(snmp_profile, priv_pass), 0, 0, 0, "",
	  NULL, 0 },
	{ "context", OPT_STR, FIELD(snmp_profile, context), 0, 0, 0, "", NULL,
	  0 },
	{ "timeout_ms", OPT_INT, FIELD(snmp_profile, timeout_ms), 10, 60000,
	  INHERIT, NULL, NULL, 0 },
	{ "retries", OPT_INT, FIELD(snmp_profile, retries), 0, 10, INHERIT,
	  NULL, NULL, 0 },
	{ "max_repetitions", OPT_INT, FIELD(snmp_profile, max_repetitions), 1,
	  200, 20, NULL, NULL, 0 },
	{ "max_varbinds", OPT_INT, FIELD(snmp_profile, max_varbinds), 1, 500,
	  60, NULL, NULL, 0 },
};

/* No defaults here: a new indicator starts empty, an override starts from
 * the default table in sla/indicators.c. REQUIRED applies to new IDs. */
static const struct opt indicator_opts[] = {
	{ "name", OPT_STR, FIELD(indicator, name_zh), 0, 0, 0, NULL, NULL,
	  OPT_REQUIRED },
	{ "name_en", OPT_STR, FIELD(indicator, name_en), 0, 0, 0, NULL, NULL,
	  0 },
	{ "level", OPT_STR, FIELD(indicator, level), 0, 0, 0, NULL, NULL, 0 },
	{ "metric", OPT_STR, FIELD(indicator, metric), 0, 0, 0, NULL, NULL,
	  OPT_REQUIRED },
	{ "scope", OPT_SCOPE, FIELD(indicator, scope), 0, 0, 0, NULL, NULL, 0 },
	{ "comparator", OPT_CMP, FIELD(indicator, cmp), 0, 0, 0, NULL, NULL,
	  OPT_REQUIRED },
	{ "target", OPT_DOUBLE, FIELD(indicator, target), 0, 0, 0, NULL, NULL,
	  OPT_REQUIRED },
	{ "unit", OPT_STR, FIELD(indicator, unit), 0, 0, 0, NULL, NULL, 0 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(sizeof(enum snmp_auth) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(enum snmp_priv) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(enum snmp_version) == sizeof(int), "enum as int");
_Static_assert(sizeof(enum cmp_op) == sizeof(int), "enum stored as int");
_Static_assert(NELEM(general_opts) <= MAX_OPTS, "seen[] too small");

/* ---- the loader ----------------------------------------------------- */

enum section {
	SEC_NONE,     /* before the first header */
	SEC_SKIP,     /* bad or duplicate header: keys are ignored */
	SEC_GENERAL,
	SEC_INTERVALS,
	SEC_PROFILE,
	SEC_INDICATOR,
};

struct loader {
	struct config *cfg;
	struct diag *d;
	const char *file;
	char dir[4096]; /* folder of the config file, "" = current */
	FILE *fp;
	char *buf;
	size_t bufcap;
	int line;
	bool oom;

	enum section sec;
	char sec_title[160]; /* "general", "profile core", ... for messages */
	int sec_line;
	size_t cur; /* profile or indicator index of the section */
	int seen[MAX_OPTS]; /* line each key of the section was set on */

	int general_seen[MAX_OPTS]; /* [general] may appear more than once */
	int interval_seen[ROLE_COUNT];
	size_t ndefault_ind;
	struct loader_opts lo;
};

static void *opt_field(const struct opt *o, struct loader *ld, void *base)
{
	return (char *)((o->flags & OPT_LOADER) ? (void *)&ld->lo : base) +
	       o->off;
}

static void opt_defaults(const struct opt *t, size_t n, struct loader *ld,
			 void *base)
{
	for (size_t i = 0; i < n; i++) {
		void *f = opt_field(&t[i], ld, base);

		switch (t[i].type) {
		case OPT_INT:
		case OPT_ENUM:
			*(int *)f = (int)t[i].def;
			break;
		case OPT_STR:
		case OPT_PATH:
		case OPT_WORD:
			if (t[i].def_str != NULL)
				snprintf(f, t[i].size, "%s", t[i].def_str);
			break;
		default:
			break;
		}
	}
}

static void kw_list(const struct keyword *kw, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (; kw->name != NULL; kw++) {
		int n;

		if (kw->alias)
			continue;
		n = snprintf(out + off, len - off, "%s%s", off ? ", " : "",
			     kw->name);
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
}

/* Validates an indicator scope: all, role:NAME, tag:NAME, group:NAME,
 * service:NAME or device:NAME. */
static int scope_check(const char *v, char *err, size_t errlen)
{
	static const char *const kinds[] = { "role:", "tag:", "group:",
					     "service:", "device:" };

	if (v[0] == '\0' || strcmp(v, "all") == 0)
		return 0;
	for (size_t i = 0; i < NELEM(kinds); i++) {
		size_t kl = strlen(kinds[i]);

		if (strncmp(v, kinds[i], kl) != 0 || v[kl] == '\0')
			continue;
		if (i == 0 && role_parse(v + kl) < 0) {
			snprintf(err, errlen, "'%s' names an unknown role", v);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen,
		 "'%s' is not all, role:NAME, tag:NAME, group:NAME, "
		 "service:NAME or device:NAME",
		 v);
	return -1;
}

static int set_string(const struct opt *o, void *f, const char *v,
		      const char *dir, char *err, size_t errlen)
{
	int n;

	if (o->type == OPT_PATH && v[0] != '\0' && v[0] != '/' &&
	    dir[0] != '\0')
		n = snprintf(f, o->size, "%s/%s", dir, v);
	else
		n = snprintf(f, o->size, "%s", v);
	if (n < 0 || (size_t)n >= o->size) {
		((char *)f)[0] = '\0';
		snprintf(err, errlen, "value too long (max %zu bytes)",
			 o->size - 1);
		return -1;
	}
	return 0;
}

static int set_int(const struct opt *o, void *f, const char *v, char *err,
		   size_t errlen)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0') {
		snprintf(err, errlen, "'%s' is not a number", v);
		return -1;
	}
	if (errno == ERANGE || n < o->min || n > o->max) {
		snprintf(err, errlen, "'%s' is out of range %ld..%ld", v,
			 o->min, o->max);
		return -1;
	}
	*(int *)f = (int)n;
	return 0;
}

static int set_double(void *f, const char *v, char *err, size_t errlen)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (end == v || *end != '\0' || errno == ERANGE || !isfinite(x)) {
		snprintf(err, errlen, "'%s' is not a number", v);
		return -1;
	}
	*(double *)f = x;
	return 0;
}

static int set_keyword(const struct opt *o, void *f, const char *v,
		       char *err, size_t errlen)
{
	char list[256];

	for (const struct keyword *kw = o->kw; kw->name != NULL; kw++) {
		if (strcasecmp(v, kw->name) != 0)
			continue;
		if (o->type == OPT_ENUM)
			*(int *)f = kw->value;
		else
			snprintf(f, o->size, "%s", kw->name);
		return 0;
	}
	kw_list(o->kw, list, sizeof(list));
	snprintf(err, errlen, "'%s' is not one of %s", v, list);
	return -1;
}

/* Stores value into the field o describes. Returns 0, or -1 with a reason
 * in err (the caller adds file, line, key and section). The one place
 * where bounds are enforced. */
static int opt_set(const struct opt *o, struct loader *ld, void *base,
		   const char *v, char *err, size_t errlen)
{
	void *f = opt_field(o, ld, base);
	int c;

	switch (o->type) {
	case OPT_INT:
		return set_int(o, f, v, err, errlen);
	case OPT_DOUBLE:
		return set_double(f, v, err, errlen);
	case OPT_STR:
	case OPT_PATH:
		return set_string(o, f, v, ld->dir, err, errlen);
	case OPT_WORD:
	case OPT_ENUM:
		return set_keyword(o, f, v, err, errlen);
	case OPT_CMP:
		c = cmp_op_parse(v);
		if (c < 0) {
			snprintf(err, errlen,
				 "'%s' is not one of >=, >, =, <=, <", v);
			return -1;
		}
		*(int *)f = c;
		return 0;
	case OPT_SCOPE:
		if (scope_check(v, err, errlen) < 0)
			return -1;
		return set_string(o, f, v, "", err, errlen);
	}
	return -1;
}

/* Looks key up in table t and sets it; seen[] remembers the line of each
 * key so that duplicates and missing keys can be reported. */
static void set_key(struct loader *ld, const struct opt *t, size_t n,
		    int *seen, void *base, const char *key, const char *value)
{
	char err[DIAG_MSG_MAX / 2];

	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(key, t[i].name) != 0)
			continue;
		if (seen[i] != 0) {
			diag_add(ld->d, ld->file, ld->line,
				 "duplicate key '%s' in [%s] (first at line %d)",
				 t[i].name, ld->sec_title, seen[i]);
			return;
		}
		seen[i] = ld->line;
		if (opt_set(&t[i], ld, base, value, err, sizeof(err)) < 0)
			diag_add(ld->d, ld->file, ld->line,
				 "key '%s' in [%s]: %s", t[i].name,
				 ld->sec_title, err);
		return;
	}
	diag_add(ld->d, ld->file, ld->line, "unknown key '%s' in [%s]", key,
		 ld->sec_title);
}

static void set_interval(struct loader *ld, const char *key, const char *v)
{
	char err[DIAG_MSG_MAX / 2];
	int r = role_parse(key);

	if (r < 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "unknown role '%s' in [intervals]", key);
		return;
	}
	if (ld->interval_seen[r] != 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "duplicate key '%s' in [intervals] (first at line %d)",
			 key, ld->interval_seen[r]);
		return;
	}
	ld->interval_seen[r] = ld->line;
	if (opt_set(&interval_opt, ld, &ld->cfg->interval_s[r], v, err,
		    sizeof(err)) < 0)
		diag_add(ld->d, ld->file, ld->line,
			 "key '%s' in [intervals]: %s", key, err);
}

/* ---- section ends: checks that need the whole section ----------------- */

/* Line of a [profile] key, or of the header when the key is absent. */
static int seen_line(const struct loader *ld, const char *name)
{
	for (size_t i = 0; i < NELEM(profile_opts); i++)
		if (strcmp(profile_opts[i].name, name) == 0)
			return ld->seen[i] ? ld->seen[i] : ld->sec_line;
	return ld->sec_line;
}

static void missing(struct loader *ld, const char *key, const char *why)
{
	diag_add(ld->d, ld->file, ld->sec_line, "missing key '%s' in [%s]%s",
		 key, ld->sec_title, why);
}

/* RFC 3414 section 11.2: passphrases shorter than 8 octets are refused. */
static void pass_check(struct loader *ld, const char *key, const char *pass,
		       const char *algo)
{
	char why[96];

	if (pass[0] == '\0') {
		snprintf(why, sizeof(why), " (required when %s is %s)",
			 key[0] == 'a' ? "auth" : "priv", algo);
		missing(ld, key, why);
	} else if (strlen(pass) < 8) {
		diag_add(ld->d, ld->file, seen_line(ld, key),
			 "key '%s' in [%s]: too short (RFC 3414 requires at "
			 "least 8 characters)",
			 key, ld->sec_title);
	}
}

static const char *kw_name(const struct keyword *kw, int value)
{
	for (; kw->name != NULL; kw++)
		if (kw->value == value && !kw->alias)
			return kw->name;
	return "?";
}

static void profile_end(struct loader *ld)
{
	struct snmp_profile *p = &ld->cfg->profiles[ld->cur];

	if (p->version == 0) { /* absent, or bad and already reported */
		if (ld->seen[0] == 0)
			missing(ld, "version", "");
		return;
	}
	if (p->version != SNMP_V3) {
		if (p->community[0] == '\0')
			missing(ld, "community",
				p->version == SNMP_V1
					? " (required for version 1)"
					: " (required for version 2c)");
		return;
	}
	if (p->user[0] == '\0')
		missing(ld, "user", " (required for version 3)");
	if (p->priv != PRIV_NONE && p->auth == AUTH_NONE)
		diag_add(ld->d, ld->file, seen_line(ld, "priv"),
			 "key 'priv' in [%s]: privacy needs auth (there is no "
			 "noAuthPriv level)",
			 ld->sec_title);
	if (p->auth != AUTH_NONE)
		pass_check(ld, "auth_pass", p->auth_pass,
			   kw_name(kw_auth, (int)p->auth));
	if (p->priv != PRIV_NONE)
		pass_check(ld, "priv_pass", p->priv_pass,
			   kw_name(kw_priv, (int)p->priv));
	if (p->auth == AUTH_NONE)
		p->level = SEC_NOAUTH;
	else if (p->priv == PRIV_NONE)
		p->level = SEC_AUTHNOPRIV;
	else
		p->level = SEC_AUTHPRIV;
}

static void indicator_end(struct loader *ld)
{
	if (ld->cur < ld->ndefault_ind) /* an override: defaults fill in */
		return;
	for (size_t i = 0; i < NELEM(indicator_opts); i++)
		if ((indicator_opts[i].flags & OPT_REQUIRED) && !ld->seen[i])
			missing(ld, indicator_opts[i].name, "");
}

static void section_end(struct loader *ld)
{
	if (ld->sec == SEC_PROFILE)
		profile_end(ld);
	else if (ld->sec == SEC_INDICATOR)
		indicator_end(ld);
	ld->sec = SEC_SKIP;
}

/* ---- section starts ------------------------------------------------- */

static int grow(void **arr, size_t n, size_t elem)
{
	void *na = realloc(*arr, (n + 1) * elem);

	if (na == NULL)
		return -1;
	*arr = na;
	return 0;
}

static void profile_begin(struct loader *ld, const char *name)
{
	struct config *cfg = ld->cfg;
	struct snmp_profile *p;
	int i = config_find_profile(cfg, name);

	if (i >= 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "duplicate section [%s] (first at line %d)",
			 ld->sec_title, cfg->profiles[i].line);
		return;
	}
	if (grow((void **)&cfg->profiles, cfg->nprofiles, sizeof(*p)) < 0) {
		ld->oom = true;
		return;
	}
	p = &cfg->profiles[cfg->nprofiles];
	memset(p, 0, sizeof(*p));
	opt_defaults(profile_opts, NELEM(profile_opts), ld, p);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->line = ld->line;
	ld->cur = cfg->nprofiles++;
	ld->sec = SEC_PROFILE;
}

static void indicator_begin(struct loader *ld, const char *id)
{
	struct config *cfg = ld->cfg;
	struct indicator *ind;
	size_t i;

	for (i = 0; i < cfg->nindicators; i++)
		if (strcmp(cfg->indicators[i].id, id) == 0)
			break;
	if (i < cfg->nindicators && cfg->indicators[i].line != 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "duplicate section [%s] (first at line %d)",
			 ld->sec_title, cfg->indicators[i].line);
		return;
	}
	if (i == cfg->nindicators) {
		if (grow((void **)&cfg->indicators, cfg->nindicators,
			 sizeof(*ind)) < 0) {
			ld->oom = true;
			return;
		}
		ind = &cfg->indicators[cfg->nindicators++];
		memset(ind, 0, sizeof(*ind));
		snprintf(ind->id, sizeof(ind->id), "%s", id);
		snprintf(ind->scope, sizeof(ind->scope), "all");
	}
	cfg->indicators[i].line = ld->line;
	ld->cur = i;
	ld->sec = SEC_INDICATOR;
}

/* "profile core" -> kind "profile", name "core". */
static const char *named_section(const char *title, const char *kind)
{
	size_t kl = strlen(kind);

	if (strncasecmp(title, kind, kl) != 0)
		return NULL;
	if (title[kl] == '\0')
		return "";
	if (title[kl] != ' ' && title[kl] != '\t')
		return NULL;
	title += kl;
	while (*title == ' ' || *title == '\t')
		title++;
	return title;
}

static void section_begin(struct loader *ld, const char *title)
{
	const char *name;
	bool is_profile;

	section_end(ld);
	memset(ld->seen, 0, sizeof(ld->seen));
	snprintf(ld->sec_title, sizeof(ld->sec_title), "%s", title);
	ld->sec_line = ld->line;
	ld->sec = SEC_SKIP;

	if (strcasecmp(title, "general") == 0) {
		ld->sec = SEC_GENERAL;
		return;
	}
	if (strcasecmp(title, "intervals") == 0) {
		ld->sec = SEC_INTERVALS;
		return;
	}
	name = named_section(title, "profile");
	is_profile = name != NULL;
	if (name == NULL)
		name = named_section(title, "indicator");
	if (name == NULL) {
		diag_add(ld->d, ld->file, ld->line, "unknown section [%s]",
			 title);
		return;
	}
	if (name[0] == '\0' || strlen(name) >= CFG_NAME_MAX) {
		diag_add(ld->d, ld->file, ld->line,
			 name[0] ? "name too long in [%s] (max %d bytes)"
				 : "missing name in [%s]",
			 title, CFG_NAME_MAX - 1);
		return;
	}
	if (is_profile)
		profile_begin(ld, name);
	else
		indicator_begin(ld, name);
}

/* ---- inih glue ------------------------------------------------------ */

static int ini_handler_cb(void *user, const char *section, const char *key,
			  const char *value)
{
	struct loader *ld = user;
	struct config *cfg = ld->cfg;

	(void)section; /* tracked by the reader, with its line */
	switch (ld->sec) {
	case SEC_NONE:
		diag_add(ld->d, ld->file, ld->line,
			 "key '%s' outside of any section", key);
		break;
	case SEC_SKIP:
		break;
	case SEC_GENERAL:
		set_key(ld, general_opts, NELEM(general_opts),
			ld->general_seen, cfg, key, value);
		break;
	case SEC_INTERVALS:
		set_interval(ld, key, value);
		break;
	case SEC_PROFILE:
		set_key(ld, profile_opts, NELEM(profile_opts), ld->seen,
			&cfg->profiles[ld->cur], key, value);
		break;
	case SEC_INDICATOR:
		set_key(ld, indicator_opts, NELEM(indicator_opts), ld->seen,
			&cfg->indicators[ld->cur], key, value);
		break;
	}
	return 1;
}

/* Where inih would see the key/value separator: the first '=' or ':'
 * before an inline comment (';' at the start or after whitespace). */
static bool has_separator(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '=' || *p == ':')
			return true;
		if (*p == ';' && (p == s || p[-1] == ' ' || p[-1] == '\t'))
			return false;
	}
	return false;
}

/* Handles one physical line; returns what inih should see ("" for lines
 * we consumed: headers, comments, errors). */
static const char *reader_line(struct loader *ld, char *s, int num)
{
	size_t len;
	char *end;

	if (ld->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3; /* UTF-8 BOM */
	/* Leading blanks are dropped so that inih never takes a line for a
	 * multi-line continuation of the previous value. */
	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
			   s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	if (len == 0 || s[0] == ';' || s[0] == '#')
		return "";
	if (len + 3 > (size_t)num) { /* inih needs room for \r\n\0 */
		diag_add(ld->d, ld->file, ld->line,
			 "line too long (max %d bytes)", num - 3);
		return "";
	}
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (end == NULL) {
			diag_add(ld->d, ld->file, ld->line,
				 "syntax error: missing ']'");
			ld->sec = SEC_SKIP;
			return "";
		}
		*end = '\0';
		s++;
		while (*s == ' ' || *s == '\t')
			s++;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		section_begin(ld, s);
		return "";
	}
	if (!has_separator(s)) {
		diag_add(ld->d, ld->file, ld->line,
			 "syntax error: expected 'key = value'");
		return "";
	}
	return s;
}

/* fgets-like reader for ini_parse_stream: reads whole physical lines with
 * getline so that the line count stays exact even for over-long lines. */
static char *ini_reader_cb(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	const char *s;

	if (getline(&ld->buf, &ld->bufcap, ld->fp) < 0)
		return NULL;
	ld->line++;
	s = reader_line(ld, ld->buf, num);
	snprintf(str, (size_t)num, "%s\n", s);
	return str;
}

/* ---- after the file ------------------------------------------------- */

static void finish(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	int n;

	section_end(ld);
	for (int r = 0; r < ROLE_COUNT; r++)
		if (ld->interval_seen[r] == 0)
			cfg->interval_s[r] = ld->lo.interval;
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		struct snmp_profile *p = &cfg->profiles[i];

		if (p->timeout_ms == INHERIT)
			p->timeout_ms = cfg->timeout_ms;
		if (p->retries == INHERIT)
			p->retries = cfg->retries;
	}
	if (cfg->status_file[0] == '\0') {
		n = snprintf(cfg->status_file, sizeof(cfg->status_file),
			     "%s/status.json", cfg->storage_dir);
		if (n < 0 || (size_t)n >= sizeof(cfg->status_file))
			diag_add(ld->d, ld->file, 0,
				 "storage_dir too long for status_file");
	}
	if (cfg->inventory[0] == '\0')
		diag_add(ld->d, ld->file, 0,
			 "missing key 'inventory' in [general]");
}

static int config_defaults(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	const struct indicator *def;
	size_t n;

	opt_defaults(general_opts, NELEM(general_opts), ld, cfg);
	def = indicator_defaults(&n);
	cfg->indicators = malloc(n * sizeof(*def));
	if (cfg->indicators == NULL)
		return -ENOMEM;
	memcpy(cfg->indicators, def, n * sizeof(*def));
	cfg->nindicators = n;
	ld->ndefault_ind = n;
	return 0;
}

static void config_dir(struct loader *ld, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		ld->dir[0] = '\0';
	else if (slash == path)
		snprintf(ld->dir, sizeof(ld->dir), "/");
	else
		snprintf(ld->dir, sizeof(ld->dir), "%.*s",
			 (int)(slash - path), path);
}

/* Parses the INI file into ld->cfg. -ENOMEM, or 0 (errors are in ld->d). */
static int parse_main(struct loader *ld, const char *path)
{
	int rc;

	ld->fp = fopen(path, "r");
	if (ld->fp == NULL) {
		diag_add(ld->d, path, 0, "cannot open: %s", strerror(errno));
		return 0;
	}
	rc = ini_parse_stream(ini_reader_cb, ld, ini_handler_cb, ld);
	if (ferror(ld->fp))
		diag_add(ld->d, path, 0, "read error: %s", strerror(errno));
	fclose(ld->fp);
	ld->fp = NULL;
	free(ld->buf);
	ld->buf = NULL;
	if (rc == -2)
		return -ENOMEM;
	/* Lines inih would reject never reach it (see reader_line), so any
	 * other rc means a bug here rather than in the file. */
	if (rc != 0)
		diag_add(ld->d, path, rc, "syntax error");
	finish(ld);
	return 0;
}

int config_load(const char *path, struct config **ret_cfg, struct diag *d)
{
	struct loader *ld;
	struct config *cfg;
	size_t nerr = d->n;
	int rc;

	*ret_cfg = NULL;
	ld = calloc(1, sizeof(*ld));
	cfg = calloc(1, sizeof(*cfg));
	if (ld == NULL || cfg == NULL) {
		rc = -ENOMEM;
		goto err;
	}
	ld->cfg = cfg;
	ld->d = d;
	ld->file = path;
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	config_dir(ld, path);
	rc = config_defaults(ld);
	if (rc < 0)
		goto err;
	rc = parse_main(ld, path);
	if (rc < 0)
		goto err;
	if (ld->oom) {
		rc = -ENOMEM;
		goto err;
	}
	if (cfg->inventory[0] != '\0') {
		rc = inventory_load(cfg, cfg->inventory, d);
		if (rc == -ENOMEM)
			goto err;
	}
	if (d->oom) {
		rc = -ENOMEM;
		goto err;
	}
	if (d->n != nerr) {
		rc = -EINVAL;
		goto err;
	}
	free(ld);
	*ret_cfg = cfg;
	return 0;
err:
	free(ld);
	config_destroy(cfg);
	return rc;
}

void config_destroy(struct config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->profiles);
	free(cfg->indicators);
	free(cfg->devices);
	free(cfg);
}

int config_find_device(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ndevices; i++)
		if (strcmp(cfg->devices[i].name, name) == 0)
			return (int)i;
	return -1;
}

int config_find_profile(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (strcmp(cfg->profiles[i].name, name) == 0)
			return (int)i;
	return -1;
}
