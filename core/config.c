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
#include <time.h>

#include "sla/indicators.h"
#include "probes/pcap_decode.h"

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
	SEC_ALERTS,   /* issue 3: alerts sections, see alerts_key() */
	SEC_NOTIFIER,
	SEC_MAINT,
	SEC_RULE,
	SEC_CAPTURE,  /* issue 6: [capture NAME] */
};

/* Loader state of the alerts sections (issue 3). */
struct alerts_ld {
	int alerts_line;               /* [alerts] header, 0 = not yet */
	int role_seen[3][ROLE_COUNT];  /* down_after_, up_after_, severity_ */
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
	struct alerts_ld al;
};

static void alerts_section_end(struct loader *ld);
static void capture_end(struct loader *ld);

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
	else if (ld->sec == SEC_CAPTURE)
		capture_end(ld);
	else
		alerts_section_end(ld);
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

/* ---- alerts (issue 3): [alerts], [notifier], [maintenance], [rule] -- */

/* "role:access" with prefix "role:" -> "access"; NULL otherwise. */
static const char *named_value(const char *s, const char *prefix)
{
	size_t pl = strlen(prefix);

	if (strncmp(s, prefix, pl) != 0 || s[pl] == '\0')
		return NULL;
	return s + pl;
}

static const char *const severity_names[SEV_COUNT] = {
	[SEV_CRITICAL] = "critical", [SEV_MAJOR] = "major",
	[SEV_MINOR] = "minor",       [SEV_WARNING] = "warning",
};

const char *severity_name(enum severity s)
{
	return (unsigned)s < SEV_COUNT ? severity_names[s] : NULL;
}

int severity_parse(const char *name)
{
	for (int i = 0; i < SEV_COUNT; i++)
		if (strcasecmp(name, severity_names[i]) == 0)
			return i;
	return -1;
}

void alerts_cfg_defaults(struct config *cfg)
{
	struct alerts_cfg *a = &cfg->alerts;

	for (int s = 0; s < SEV_COUNT; s++)
		a->response_min[s] = 30;
	for (int r = 0; r < ROLE_COUNT; r++) {
		a->down_after[r] = cfg->down_after;
		a->up_after[r] = cfg->up_after;
		a->severity[r] = SEV_MINOR;
	}
	a->severity[ROLE_BACKBONE] = SEV_CRITICAL;
	a->severity[ROLE_EXIT] = SEV_CRITICAL;
	a->severity[ROLE_CORE] = SEV_CRITICAL;
	a->severity[ROLE_AGGREGATION] = SEV_MAJOR;
	a->flap_changes = 5;
	a->flap_window_min = 30;
	a->remind_min = 30;
	a->ping = 1;
	a->nodata_severity = SEV_MINOR;
}

/* Is word in the ';'- or ','-separated list? */
static bool list_has(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; *p != '\0';) {
		size_t n = strcspn(p, ";,");

		while (n > 0 && (*p == ' ')) {
			p++;
			n--;
		}
		if (n == wl && strncmp(p, word, wl) == 0)
			return true;
		p += n;
		if (*p != '\0')
			p++;
	}
	return false;
}

int config_scope_match(const struct config *cfg, size_t dev,
		       const char *scope)
{
	const struct device *dv = &cfg->devices[dev];
	const char *v;

	if (scope[0] == '\0' || strcmp(scope, "all") == 0)
		return 1;
	if ((v = named_value(scope, "role:")) != NULL)
		return role_parse(v) == (int)dv->role;
	if ((v = named_value(scope, "tag:")) != NULL)
		return list_has(dv->tags, v);
	if ((v = named_value(scope, "device:")) != NULL)
		return strcmp(dv->name, v) == 0;
	if ((v = named_value(scope, "group:")) != NULL) {
		/* the device v and everything behind it */
		int i = (int)dev;

		for (size_t hops = 0; i >= 0 && hops <= cfg->ndevices; hops++) {
			if (strcmp(cfg->devices[i].name, v) == 0)
				return 1;
			i = cfg->devices[i].parent_idx;
		}
		return 0;
	}
	return 0;
}

static const struct keyword kw_severity[] = {
	{ "critical", SEV_CRITICAL, false }, { "major", SEV_MAJOR, false },
	{ "minor", SEV_MINOR, false },       { "warning", SEV_WARNING, false },
	{ NULL, 0, false }
};
static const struct keyword kw_notifier[] = {
	{ "command", NOTIFIER_COMMAND, false },
	{ "webhook", NOTIFIER_WEBHOOK, false },
	{ "syslog", NOTIFIER_SYSLOG, false },
	{ NULL, 0, false }
};
static const struct keyword kw_template[] = {
	{ "generic", TPL_GENERIC, false }, { "wecom", TPL_WECOM, false },
	{ "dingtalk", TPL_DINGTALK, false }, { "企业微信", TPL_WECOM, true },
	{ "钉钉", TPL_DINGTALK, true },      { NULL, 0, false }
};
static const struct keyword kw_rule[] = {
	{ "util", RULE_UTIL, false },     { "speed", RULE_SPEED, false },
	{ "errors", RULE_ERRORS, false }, { NULL, 0, false }
};

#define MINUTES_MAX 10080 /* a week */

static const struct keyword kw_bool[] = {
	{ "yes", 1, false }, { "no", 0, false },  { "true", 1, true },
	{ "false", 0, true }, { "on", 1, true },  { "off", 0, true },
	{ "1", 1, true },     { "0", 0, true },   { NULL, 0, false }
};

static const struct opt alerts_opts[] = {
	/* "" = <storage_dir>/faults.db, filled in at the end */
	{ "journal", OPT_PATH, FIELD(config, alerts.journal), 0, 0, 0, "",
	  NULL, 0 },
	{ "response_critical", OPT_INT,
	  FIELD(config, alerts.response_min[SEV_CRITICAL]), 1, MINUTES_MAX,
	  30, NULL, NULL, 0 },
	{ "response_major", OPT_INT,
	  FIELD(config, alerts.response_min[SEV_MAJOR]), 1, MINUTES_MAX, 30,
	  NULL, NULL, 0 },
	{ "response_minor", OPT_INT,
	  FIELD(config, alerts.response_min[SEV_MINOR]), 1, MINUTES_MAX, 30,
	  NULL, NULL, 0 },
	{ "response_warning", OPT_INT,
	  FIELD(config, alerts.response_min[SEV_WARNING]), 1, MINUTES_MAX, 30,
	  NULL, NULL, 0 },
	/* 0 = no flapping detection */
	{ "flap_changes", OPT_INT, FIELD(config, alerts.flap_changes), 0, 1000,
	  5, NULL, NULL, 0 },
	{ "flap_window", OPT_INT, FIELD(config, alerts.flap_window_min), 1,
	  1440, 30, NULL, NULL, 0 },
	/* 0 = no reminders */
	{ "remind_every", OPT_INT, FIELD(config, alerts.remind_min), 0,
	  MINUTES_MAX, 30, NULL, NULL, 0 },
	/* ICMP echo after a failed poll: "nodata" instead of "down" */
	{ "ping", OPT_ENUM, FIELD(config, alerts.ping), 0, 0, 1, NULL, kw_bool,
	  0 },
	{ "nodata_severity", OPT_ENUM, FIELD(config, alerts.nodata_severity),
	  0, 0, SEV_MINOR, NULL, kw_severity, 0 },
};

/* down_after_<role>, up_after_<role>, severity_<role>: */
static const struct opt alerts_role_opts[] = {
	{ "down_after_", OPT_INT, 0, sizeof(int), 1, 100, 0, NULL, NULL, 0 },
	{ "up_after_", OPT_INT, 0, sizeof(int), 1, 100, 0, NULL, NULL, 0 },
	{ "severity_", OPT_ENUM, 0, sizeof(int), 0, 0, 0, NULL, kw_severity,
	  0 },
};

static const struct opt notifier_opts[] = {
	{ "type", OPT_ENUM, FIELD(notifier_cfg, type), 0, 0, 0, NULL,
	  kw_notifier, OPT_REQUIRED },
	{ "command", OPT_STR, FIELD(notifier_cfg, command), 0, 0, 0, "", NULL,
	  0 },
	{ "url", OPT_STR, FIELD(notifier_cfg, url), 0, 0, 0, "", NULL, 0 },
	{ "template", OPT_ENUM, FIELD(notifier_cfg, tmpl), 0, 0, TPL_GENERIC,
	  NULL, kw_template, 0 },
	{ "timeout", OPT_INT, FIELD(notifier_cfg, timeout_s), 1, 300, 10, NULL,
	  NULL, 0 },
	{ "retries", OPT_INT, FIELD(notifier_cfg, retries), 0, 20, 3, NULL,
	  NULL, 0 },
	{ "backoff", OPT_INT, FIELD(notifier_cfg, backoff_s), 1, 3600, 5, NULL,
	  NULL, 0 },
	{ "events", OPT_STR, FIELD(notifier_cfg, events), 0, 0, 0,
	  "open,resolve,remind", NULL, 0 },
	{ "min_severity", OPT_ENUM, FIELD(notifier_cfg, min_severity), 0, 0,
	  SEV_WARNING, NULL, kw_severity, 0 },
};

static const struct opt maint_opts[] = {
	{ "scope", OPT_SCOPE, FIELD(maint_cfg, scope), 0, 0, 0, NULL, NULL,
	  OPT_REQUIRED },
	{ "start", OPT_STR, FIELD(maint_cfg, start), 0, 0, 0, "", NULL, 0 },
	{ "end", OPT_STR, FIELD(maint_cfg, end), 0, 0, 0, "", NULL, 0 },
	{ "days", OPT_STR, FIELD(maint_cfg, days), 0, 0, 0, "", NULL, 0 },
	{ "at", OPT_STR, FIELD(maint_cfg, at), 0, 0, 0, "", NULL, 0 },
	{ "duration", OPT_INT, FIELD(maint_cfg, duration_min), 1, MINUTES_MAX,
	  0, NULL, NULL, 0 },
};

/* for = -1: the type's default, chosen at the section's end */
static const struct opt rule_opts[] = {
	{ "type", OPT_ENUM, FIELD(rule_cfg, type), 0, 0, 0, NULL, kw_rule,
	  OPT_REQUIRED },
	{ "scope", OPT_SCOPE, FIELD(rule_cfg, scope), 0, 0, 0, "all", NULL,
	  0 },
	{ "above", OPT_DOUBLE, FIELD(rule_cfg, above), 0, 0, 0, NULL, NULL, 0 },
	{ "clear_below", OPT_DOUBLE, FIELD(rule_cfg, clear_below), 0, 0, 0,
	  NULL, NULL, 0 },
	{ "for", OPT_INT, FIELD(rule_cfg, for_s), 0, 86400, -1, NULL, NULL,
	  0 },
	{ "target_mbps", OPT_DOUBLE, FIELD(rule_cfg, target_mbps), 0, 0, 0,
	  NULL, NULL, 0 },
	{ "severity", OPT_ENUM, FIELD(rule_cfg, severity), 0, 0, SEV_MAJOR,
	  NULL, kw_severity, 0 },
};

_Static_assert(sizeof(enum severity) == sizeof(int), "enum stored as int");

/* Index of key in t, for "was it given" checks at the section's end. */
static int opt_index(const struct opt *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return (int)i;
	return 0;
}

/* Line of key name of table t in the current section (header line when
 * the key is absent). */
static int key_line(const struct loader *ld, const struct opt *t, size_t n,
		    const char *name)
{
	int i = opt_index(t, n, name);

	return ld->seen[i] ? ld->seen[i] : ld->sec_line;
}

static void alerts_role_key(struct loader *ld, const char *key,
			    const char *value)
{
	struct alerts_cfg *a = &ld->cfg->alerts;
	int *fields[] = { a->down_after, a->up_after, a->severity };
	char err[DIAG_MSG_MAX / 2];

	for (size_t k = 0; k < NELEM(alerts_role_opts); k++) {
		const struct opt *o = &alerts_role_opts[k];
		size_t pl = strlen(o->name);
		int r;

		if (strncasecmp(key, o->name, pl) != 0)
			continue;
		r = role_parse(key + pl);
		if (r < 0) {
			diag_add(ld->d, ld->file, ld->line,
				 "unknown role '%s' in key '%s' in [alerts]",
				 key + pl, key);
			return;
		}
		if (ld->al.role_seen[k][r] != 0) {
			diag_add(ld->d, ld->file, ld->line,
				 "duplicate key '%s' in [alerts] (first at "
				 "line %d)",
				 key, ld->al.role_seen[k][r]);
			return;
		}
		ld->al.role_seen[k][r] = ld->line;
		if (opt_set(o, ld, &fields[k][r], value, err, sizeof(err)) < 0)
			diag_add(ld->d, ld->file, ld->line,
				 "key '%s' in [alerts]: %s", key, err);
		return;
	}
	set_key(ld, alerts_opts, NELEM(alerts_opts), ld->seen, ld->cfg, key,
		value);
}

/* Splits a command line into at most max-1 words (double quotes group,
 * backslash escapes inside them). Returns the count or -1 on an unbalanced
 * quote or too many words. buf receives the words. */
int config_split_argv(const char *cmd, char *buf, size_t buflen, char **argv,
		      size_t max)
{
	size_t n = 0, o = 0;
	const char *p = cmd;

	while (*p != '\0') {
		bool q = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (n + 1 >= max)
			return -1;
		argv[n++] = buf + o;
		for (; *p != '\0' && (q || (*p != ' ' && *p != '\t')); p++) {
			if (*p == '"') {
				q = !q;
				continue;
			}
			if (q && *p == '\\' && p[1] != '\0')
				p++;
			if (o + 1 >= buflen)
				return -1;
			buf[o++] = *p;
		}
		if (q)
			return -1;
		if (o + 1 >= buflen)
			return -1;
		buf[o++] = '\0';
	}
	argv[n] = NULL;
	return (int)n;
}

static void notifier_end(struct loader *ld)
{
	struct notifier_cfg *n = &ld->cfg->notifiers[ld->cur];
	const size_t nt = NELEM(notifier_opts);
	char buf[1024], *argv[NOTIFIER_ARGV_MAX];
	const char *ev;

	if (!ld->seen[opt_index(notifier_opts, nt, "type")]) {
		missing(ld, "type", "");
		return;
	}
	if (n->type == NOTIFIER_COMMAND) {
		if (n->command[0] == '\0')
			missing(ld, "command", " (required for type command)");
		else if (config_split_argv(n->command, buf, sizeof(buf), argv,
					   NELEM(argv)) <= 0)
			diag_add(ld->d, ld->file,
				 key_line(ld, notifier_opts, nt, "command"),
				 "key 'command' in [%s]: unbalanced quote or "
				 "more than %d words",
				 ld->sec_title, NOTIFIER_ARGV_MAX - 1);
	}
	if (n->type == NOTIFIER_WEBHOOK) {
		if (n->url[0] == '\0')
			missing(ld, "url", " (required for type webhook)");
		else if (strncmp(n->url, "http://", 7) != 0 &&
			 strncmp(n->url, "https://", 8) != 0)
			diag_add(ld->d, ld->file,
				 key_line(ld, notifier_opts, nt, "url"),
				 "key 'url' in [%s]: '%s' is not an http:// or "
				 "https:// URL",
				 ld->sec_title, n->url);
	}
	for (ev = n->events; *ev != '\0';) {
		size_t l = strcspn(ev, ",;");
		char w[32];

		snprintf(w, sizeof(w), "%.*s", (int)(l < 31 ? l : 31), ev);
		if (strcmp(w, "open") != 0 && strcmp(w, "resolve") != 0 &&
		    strcmp(w, "remind") != 0)
			diag_add(ld->d, ld->file,
				 key_line(ld, notifier_opts, nt, "events"),
				 "key 'events' in [%s]: '%s' is not one of "
				 "open, resolve, remind",
				 ld->sec_title, w);
		ev += l;
		if (*ev != '\0')
			ev++;
	}
}

/* "YYYY-MM-DD HH:MM" in local time -> epoch seconds, or -1. */
static double parse_local_time(const char *s)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d %H:%M", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t == (time_t)-1 ? -1 : (double)t;
}

/* "sat,sun" -> bit mask (bit 0 Sunday); 0 when a day is unknown. */
static unsigned parse_days(const char *s, char *bad, size_t badlen)
{
	static const char *const names[7] = { "sun", "mon", "tue", "wed",
					      "thu", "fri", "sat" };
	unsigned mask = 0;

	while (*s != '\0') {
		size_t l = strcspn(s, ",; ");
		int d = -1;

		for (int i = 0; i < 7 && l > 0; i++)
			if (l >= 3 && strncasecmp(s, names[i], 3) == 0)
				d = i;
		if (l > 0 && d < 0) {
			snprintf(bad, badlen, "%.*s", (int)l, s);
			return 0;
		}
		if (d >= 0)
			mask |= 1u << d;
		s += l;
		if (*s != '\0')
			s++;
	}
	return mask;
}

static void maint_end_oneoff(struct loader *ld, struct maint_cfg *m)
{
	const size_t nt = NELEM(maint_opts);

	if (m->start[0] == '\0' || m->end[0] == '\0') {
		missing(ld, m->start[0] == '\0' ? "start" : "end",
			" (a one-off window needs start and end)");
		return;
	}
	m->start_t = parse_local_time(m->start);
	m->end_t = parse_local_time(m->end);
	if (m->start_t < 0)
		diag_add(ld->d, ld->file, key_line(ld, maint_opts, nt, "start"),
			 "key 'start' in [%s]: '%s' is not YYYY-MM-DD HH:MM",
			 ld->sec_title, m->start);
	if (m->end_t < 0)
		diag_add(ld->d, ld->file, key_line(ld, maint_opts, nt, "end"),
			 "key 'end' in [%s]: '%s' is not YYYY-MM-DD HH:MM",
			 ld->sec_title, m->end);
	if (m->start_t >= 0 && m->end_t >= 0 && m->end_t <= m->start_t)
		diag_add(ld->d, ld->file, key_line(ld, maint_opts, nt, "end"),
			 "key 'end' in [%s]: not after start", ld->sec_title);
}

static void maint_end_weekly(struct loader *ld, struct maint_cfg *m)
{
	const size_t nt = NELEM(maint_opts);
	char bad[32];
	int h, mi, used = 0;

	if (m->days[0] == '\0' || m->at[0] == '\0' || m->duration_min == 0) {
		missing(ld,
			m->days[0] == '\0' ? "days"
			: m->at[0] == '\0' ? "at"
					   : "duration",
			" (a weekly window needs days, at and duration)");
		return;
	}
	m->day_mask = parse_days(m->days, bad, sizeof(bad));
	if (m->day_mask == 0)
		diag_add(ld->d, ld->file, key_line(ld, maint_opts, nt, "days"),
			 "key 'days' in [%s]: '%s' is not a day (mon..sun)",
			 ld->sec_title, bad);
	if (sscanf(m->at, "%d:%d%n", &h, &mi, &used) != 2 ||
	    m->at[used] != '\0' || h < 0 || h > 23 || mi < 0 || mi > 59)
		diag_add(ld->d, ld->file, key_line(ld, maint_opts, nt, "at"),
			 "key 'at' in [%s]: '%s' is not HH:MM", ld->sec_title,
			 m->at);
	else
		m->at_min = h * 60 + mi;
}

static void maint_end(struct loader *ld)
{
	struct maint_cfg *m = &ld->cfg->maints[ld->cur];
	bool oneoff = m->start[0] != '\0' || m->end[0] != '\0';
	bool weekly = m->days[0] != '\0' || m->at[0] != '\0' ||
		      m->duration_min != 0;

	if (!ld->seen[opt_index(maint_opts, NELEM(maint_opts), "scope")])
		missing(ld, "scope", "");
	if (oneoff && weekly)
		diag_add(ld->d, ld->file, ld->sec_line,
			 "[%s]: give either start/end or days/at/duration, "
			 "not both",
			 ld->sec_title);
	else if (weekly)
		maint_end_weekly(ld, m);
	else
		maint_end_oneoff(ld, m);
}

static void rule_end(struct loader *ld)
{
	struct rule_cfg *r = &ld->cfg->rules[ld->cur];
	const size_t nt = NELEM(rule_opts);
	bool has_above = ld->seen[opt_index(rule_opts, nt, "above")] != 0;
	bool has_clear = ld->seen[opt_index(rule_opts, nt, "clear_below")] != 0;

	if (!ld->seen[opt_index(rule_opts, nt, "type")]) {
		missing(ld, "type", "");
		return;
	}
	if (r->for_s < 0)
		r->for_s = r->type == RULE_UTIL ? 300 : 0;
	if (r->type == RULE_SPEED)
		return;
	if (!has_above) {
		missing(ld, "above",
			r->type == RULE_UTIL ? " (required for type util)"
					     : " (required for type errors)");
		return;
	}
	if (r->above < 0 || (r->type == RULE_UTIL && r->above > 100))
		diag_add(ld->d, ld->file, key_line(ld, rule_opts, nt, "above"),
			 "key 'above' in [%s]: %g is out of range %s",
			 ld->sec_title, r->above,
			 r->type == RULE_UTIL ? "0..100 (percent)" : ">= 0");
	if (!has_clear)
		r->clear_below = r->above;
	else if (r->clear_below > r->above)
		diag_add(ld->d, ld->file,
			 key_line(ld, rule_opts, nt, "clear_below"),
			 "key 'clear_below' in [%s]: %g is above 'above' (%g)",
			 ld->sec_title, r->clear_below, r->above);
}

static void alerts_section_end(struct loader *ld)
{
	if (ld->sec == SEC_NOTIFIER)
		notifier_end(ld);
	else if (ld->sec == SEC_MAINT)
		maint_end(ld);
	else if (ld->sec == SEC_RULE)
		rule_end(ld);
}

/* Finds name among n elements of size elem whose name is the first
 * member; returns its line or 0. */
static int named_line(const void *arr, size_t n, size_t elem, size_t line_off,
		      const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = (const char *)arr + i * elem;

		if (strcmp(p, name) == 0)
			return *(const int *)(p + line_off);
	}
	return 0;
}

/* Appends a zeroed element named name; sets ld->cur. */
static void *named_append(struct loader *ld, void **arr, size_t *n,
			  size_t elem, const char *name)
{
	char *p;

	if (grow(arr, *n, elem) < 0) {
		ld->oom = true;
		return NULL;
	}
	p = (char *)*arr + *n * elem;
	memset(p, 0, elem);
	snprintf(p, CFG_NAME_MAX, "%s", name);
	ld->cur = (*n)++;
	return p;
}

/* [alerts], [notifier NAME], [maintenance NAME], [rule NAME]. Returns
 * false when title is none of them. */
static bool alerts_section_begin(struct loader *ld, const char *title)
{
	static const char *const kinds[] = { "notifier", "maintenance",
					     "rule" };
	struct config *cfg = ld->cfg;
	const char *name = NULL;
	size_t k;
	int first;
	void *p;

	if (strcasecmp(title, "alerts") == 0) {
		if (ld->al.alerts_line != 0) {
			diag_add(ld->d, ld->file, ld->line,
				 "duplicate section [%s] (first at line %d)",
				 title, ld->al.alerts_line);
			return true;
		}
		ld->al.alerts_line = ld->line;
		cfg->alerts.line = ld->line;
		ld->sec = SEC_ALERTS;
		return true;
	}
	for (k = 0; k < NELEM(kinds) && name == NULL; k++)
		name = named_section(title, kinds[k]);
	if (name == NULL)
		return false;
	k--;
	if (name[0] == '\0' || strlen(name) >= CFG_NAME_MAX) {
		diag_add(ld->d, ld->file, ld->line,
			 name[0] ? "name too long in [%s] (max %d bytes)"
				 : "missing name in [%s]",
			 title, CFG_NAME_MAX - 1);
		return true;
	}
	if (k == 0)
		first = named_line(cfg->notifiers, cfg->nnotifiers,
				   sizeof(struct notifier_cfg),
				   offsetof(struct notifier_cfg, line), name);
	else if (k == 1)
		first = named_line(cfg->maints, cfg->nmaints,
				   sizeof(struct maint_cfg),
				   offsetof(struct maint_cfg, line), name);
	else
		first = named_line(cfg->rules, cfg->nrules,
				   sizeof(struct rule_cfg),
				   offsetof(struct rule_cfg, line), name);
	if (first != 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "duplicate section [%s] (first at line %d)", title,
			 first);
		return true;
	}
	if (k == 0) {
		p = named_append(ld, (void **)&cfg->notifiers, &cfg->nnotifiers,
				 sizeof(struct notifier_cfg), name);
		if (p != NULL) {
			opt_defaults(notifier_opts, NELEM(notifier_opts), ld, p);
			((struct notifier_cfg *)p)->line = ld->line;
			ld->sec = SEC_NOTIFIER;
		}
	} else if (k == 1) {
		p = named_append(ld, (void **)&cfg->maints, &cfg->nmaints,
				 sizeof(struct maint_cfg), name);
		if (p != NULL) {
			opt_defaults(maint_opts, NELEM(maint_opts), ld, p);
			((struct maint_cfg *)p)->line = ld->line;
			ld->sec = SEC_MAINT;
		}
	} else {
		p = named_append(ld, (void **)&cfg->rules, &cfg->nrules,
				 sizeof(struct rule_cfg), name);
		if (p != NULL) {
			opt_defaults(rule_opts, NELEM(rule_opts), ld, p);
			((struct rule_cfg *)p)->line = ld->line;
			ld->sec = SEC_RULE;
		}
	}
	return true;
}

/* Keys of the alerts sections. */
static void alerts_key(struct loader *ld, const char *key, const char *value)
{
	struct config *cfg = ld->cfg;

	switch (ld->sec) {
	case SEC_ALERTS:
		alerts_role_key(ld, key, value);
		break;
	case SEC_NOTIFIER:
		set_key(ld, notifier_opts, NELEM(notifier_opts), ld->seen,
			&cfg->notifiers[ld->cur], key, value);
		break;
	case SEC_MAINT:
		set_key(ld, maint_opts, NELEM(maint_opts), ld->seen,
			&cfg->maints[ld->cur], key, value);
		break;
	case SEC_RULE:
		set_key(ld, rule_opts, NELEM(rule_opts), ld->seen,
			&cfg->rules[ld->cur], key, value);
		break;
	default:
		break;
	}
}

/* After the file: inherit [general] down/up_after, default journal. */
static void alerts_finish(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	int n;

	for (int r = 0; r < ROLE_COUNT; r++) {
		if (ld->al.role_seen[0][r] == 0)
			cfg->alerts.down_after[r] = cfg->down_after;
		if (ld->al.role_seen[1][r] == 0)
			cfg->alerts.up_after[r] = cfg->up_after;
	}
	if (cfg->alerts.journal[0] == '\0') {
		n = snprintf(cfg->alerts.journal, sizeof(cfg->alerts.journal),
			     "%s/faults.db", cfg->storage_dir);
		if (n < 0 || (size_t)n >= sizeof(cfg->alerts.journal))
			diag_add(ld->d, ld->file, 0,
				 "storage_dir too long for the fault journal");
	}
}

/* ---- packet capture (issue 6): [capture NAME] ----------------------- */

static const struct keyword kw_source[] = {
	{ "live", CAPSRC_LIVE, false }, { "file", CAPSRC_FILE, false },
	{ NULL, 0, false }
};
/* values of enum capture_direction (probes/pcap.h) */
static const struct keyword kw_capdir[] = {
	{ "inout", 0, false }, { "in", 1, false }, { "out", 2, false },
	{ NULL, 0, false }
};

/* Doubles have no default column: drop_alert and crosscheck_share are
 * set in capture_section_begin (0.1 and 5 percent). */
static const struct opt capture_opts[] = {
	{ "source", OPT_ENUM, FIELD(capture_cfg, source), 0, 0, CAPSRC_LIVE,
	  NULL, kw_source, 0 },
	{ "ifname", OPT_STR, FIELD(capture_cfg, ifname), 0, 0, 0, "", NULL,
	  0 },
	{ "file", OPT_PATH, FIELD(capture_cfg, file), 0, 0, 0, "", NULL, 0 },
	{ "filter", OPT_STR, FIELD(capture_cfg, filter), 0, 0, 0, "", NULL,
	  0 },
	{ "local", OPT_STR, FIELD(capture_cfg, local), 0, 0, 0, "", NULL,
	  OPT_REQUIRED },
	{ "device", OPT_STR, FIELD(capture_cfg, device), 0, 0, 0, "", NULL,
	  OPT_REQUIRED },
	{ "interface", OPT_STR, FIELD(capture_cfg, interface), 0, 0, 0, "",
	  NULL, 0 },
	{ "snaplen", OPT_INT, FIELD(capture_cfg, snaplen), 64, 65535, 128,
	  NULL, NULL, 0 },
	{ "buffer_mb", OPT_INT, FIELD(capture_cfg, buffer_mb), 1, 2048, 32,
	  NULL, NULL, 0 },
	{ "promisc", OPT_ENUM, FIELD(capture_cfg, promisc), 0, 0, 1, NULL,
	  kw_bool, 0 },
	{ "direction", OPT_ENUM, FIELD(capture_cfg, direction), 0, 0, 0, NULL,
	  kw_capdir, 0 },
	{ "timeout_ms", OPT_INT, FIELD(capture_cfg, timeout_ms), 10, 1000, 100,
	  NULL, NULL, 0 },
	{ "interval", OPT_INT, FIELD(capture_cfg, interval_s), 1, 3600, 60,
	  NULL, NULL, 0 },
	{ "top", OPT_INT, FIELD(capture_cfg, top), 1, 32, 10, NULL, NULL, 0 },
	{ "max_talkers", OPT_INT, FIELD(capture_cfg, max_talkers), 1024,
	  4194304, 262144, NULL, NULL, 0 },
	{ "fcs", OPT_ENUM, FIELD(capture_cfg, fcs), 0, 0, 1, NULL, kw_bool,
	  0 },
	{ "drop_alert", OPT_DOUBLE, FIELD(capture_cfg, drop_alert), 0, 0, 0,
	  NULL, NULL, 0 },
	{ "crosscheck_share", OPT_DOUBLE, FIELD(capture_cfg, crosscheck_share),
	  0, 0, 0, NULL, NULL, 0 },
	/* agents refresh counters every few seconds (net-snmp on Linux:
	 * about 3 s, some routers 10 s): short windows compare staleness */
	{ "crosscheck_window", OPT_INT, FIELD(capture_cfg, crosscheck_window_s),
	  10, 3600, 300, NULL, NULL, 0 },
};

_Static_assert(NELEM(capture_opts) <= MAX_OPTS, "seen[] too small");

/* Keys that only a live capture uses. */
static const char *const capture_live_keys[] = {
	"ifname", "filter", "interface", "snaplen", "buffer_mb", "promisc",
	"direction", "timeout_ms", "fcs", "crosscheck_share",
	"crosscheck_window",
};

int config_capture_local(const char *list, struct capture_prefixes *ret,
			 char *err, size_t errlen)
{
	const char *p = list;

	memset(ret, 0, sizeof(*ret));
	for (;;) {
		char item[128];
		size_t n;
		int rc;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0) {
			snprintf(err, errlen, "empty prefix in the list");
			return -EINVAL;
		}
		snprintf(item, sizeof(item), "%.*s",
			 (int)(n < sizeof(item) ? n : sizeof(item) - 1), p);
		rc = capture_prefixes_add(ret, item, err, errlen);
		if (rc < 0)
			return rc;
		p = strchr(p, ',');
		if (p == NULL)
			return 0;
		p++;
	}
}

/* [capture NAME]. Returns false when title is not one. */
static bool capture_section_begin(struct loader *ld, const char *title)
{
	struct config *cfg = ld->cfg;
	const char *name = named_section(title, "capture");
	struct capture_cfg *c;
	int first;

	if (name == NULL)
		return false;
	if (name[0] == '\0' || strlen(name) >= CFG_NAME_MAX) {
		diag_add(ld->d, ld->file, ld->line,
			 name[0] ? "name too long in [%s] (max %d bytes)"
				 : "missing name in [%s]",
			 title, CFG_NAME_MAX - 1);
		return true;
	}
	first = named_line(cfg->captures, cfg->ncaptures,
			   sizeof(struct capture_cfg),
			   offsetof(struct capture_cfg, line), name);
	if (first != 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "duplicate section [%s] (first at line %d)", title,
			 first);
		return true;
	}
	c = named_append(ld, (void **)&cfg->captures, &cfg->ncaptures,
			 sizeof(*c), name);
	if (c == NULL)
		return true;
	opt_defaults(capture_opts, NELEM(capture_opts), ld, c);
	c->drop_alert = 0.1;
	c->crosscheck_share = 5;
	c->device_idx = -1;
	c->line = ld->line;
	ld->sec = SEC_CAPTURE;
	return true;
}

static void capture_percent(struct loader *ld, const char *key, double v)
{
	if (v >= 0 && v <= 100)
		return;
	diag_add(ld->d, ld->file,
		 key_line(ld, capture_opts, NELEM(capture_opts), key),
		 "key '%s' in [%s]: %g is out of range 0..100 (percent)", key,
		 ld->sec_title, v);
}

static void capture_end(struct loader *ld)
{
	struct capture_cfg *c = &ld->cfg->captures[ld->cur];
	const size_t nt = NELEM(capture_opts);
	struct capture_prefixes *pl;
	char err[DIAG_MSG_MAX / 2];

	if (c->source == CAPSRC_LIVE) {
		/* seen but empty: too long (reported) or given empty */
		if (!ld->seen[opt_index(capture_opts, nt, "ifname")])
			missing(ld, "ifname", " (required for source live)");
		if (ld->seen[opt_index(capture_opts, nt, "file")])
			diag_add(ld->d, ld->file,
				 key_line(ld, capture_opts, nt, "file"),
				 "key 'file' in [%s]: only used with source "
				 "file",
				 ld->sec_title);
	} else {
		if (!ld->seen[opt_index(capture_opts, nt, "file")])
			missing(ld, "file", " (required for source file)");
		for (size_t i = 0; i < NELEM(capture_live_keys); i++)
			if (ld->seen[opt_index(capture_opts, nt,
					       capture_live_keys[i])])
				diag_add(ld->d, ld->file,
					 key_line(ld, capture_opts, nt,
						  capture_live_keys[i]),
					 "key '%s' in [%s]: only used with "
					 "source live",
					 capture_live_keys[i], ld->sec_title);
	}
	pl = malloc(sizeof(*pl)); /* 6 KB */
	if (pl == NULL) {
		ld->oom = true;
		return;
	}
	if (!ld->seen[opt_index(capture_opts, nt, "local")])
		missing(ld, "local", " (the local prefixes decide in and out)");
	else if (config_capture_local(c->local, pl, err, sizeof(err)) < 0)
		diag_add(ld->d, ld->file,
			 key_line(ld, capture_opts, nt, "local"),
			 "key 'local' in [%s]: %s", ld->sec_title, err);
	free(pl);
	if (!ld->seen[opt_index(capture_opts, nt, "device")])
		missing(ld, "device",
			" (the inventory device the link belongs to)");
	c->device_line = key_line(ld, capture_opts, nt, "device");
	capture_percent(ld, "drop_alert", c->drop_alert);
	capture_percent(ld, "crosscheck_share", c->crosscheck_share);
}

/* After the inventory: every capture's device must be in it. */
static void captures_resolve(struct config *cfg, struct diag *d)
{
	for (size_t i = 0; i < cfg->ncaptures; i++) {
		struct capture_cfg *c = &cfg->captures[i];

		if (c->device[0] == '\0')
			continue; /* missing: reported with the section */
		c->device_idx = config_find_device(cfg, c->device);
		if (c->device_idx < 0)
			diag_add(d, cfg->path, c->device_line,
				 "key 'device' in [capture %s]: no device "
				 "'%s' in the inventory",
				 c->name, c->device);
	}
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
	if (alerts_section_begin(ld, title))
		return;
	if (capture_section_begin(ld, title))
		return;
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
	case SEC_ALERTS:
	case SEC_NOTIFIER:
	case SEC_MAINT:
	case SEC_RULE:
		alerts_key(ld, key, value);
		break;
	case SEC_CAPTURE:
		set_key(ld, capture_opts, NELEM(capture_opts), ld->seen,
			&cfg->captures[ld->cur], key, value);
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
	alerts_finish(ld);
}

static int config_defaults(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	const struct indicator *def;
	size_t n;

	opt_defaults(general_opts, NELEM(general_opts), ld, cfg);
	alerts_cfg_defaults(cfg);
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
		captures_resolve(cfg, d);
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
	free(cfg->notifiers);
	free(cfg->maints);
	free(cfg->rules);
	free(cfg->captures);
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
