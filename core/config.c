/*
 * config.c - the configuration engine: the main INI file read with inih and
 * validated against one option table per section (bounds, defaults and
 * reload flags in one place, as Redis' config.c static_configs[]); the
 * sections themselves are registered by the modules that own them
 * (collectd's plugin_register_complex_config). [general] and [intervals]
 * are the ground floor's own; the inventory is read by inventory.c.
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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NELEM(a) CFG_NELEM(a)

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

/* ---- the registry of sections ------------------------------------ */

static const struct cfg_section *registry[CFG_SECTIONS_MAX];
static size_t nregistry;

int config_section_register(const struct cfg_section *s)
{
	for (size_t i = 0; i < nregistry; i++) {
		if (registry[i] == s)
			return 0;
		if (strcasecmp(registry[i]->name, s->name) == 0)
			return -EEXIST;
	}
	if (nregistry == CFG_SECTIONS_MAX)
		return -ENOSPC;
	registry[nregistry++] = s;
	return 0;
}

static int slot_of(const struct cfg_section *s)
{
	for (size_t i = 0; i < nregistry; i++)
		if (registry[i] == s)
			return (int)i;
	return -1;
}

void *config_items(const struct config *cfg, const struct cfg_section *s,
		   size_t *ret_n)
{
	int i = slot_of(s);

	if (i < 0 || cfg->sec[i].n == 0) {
		if (ret_n != NULL)
			*ret_n = 0;
		return NULL;
	}
	if (ret_n != NULL)
		*ret_n = cfg->sec[i].n;
	return cfg->sec[i].v;
}

size_t config_count(const struct config *cfg, const struct cfg_section *s)
{
	size_t n;

	config_items(cfg, s, &n);
	return n;
}

void *config_item(const struct config *cfg, const struct cfg_section *s)
{
	return config_items(cfg, s, NULL);
}

/* ---- option tables -------------------------------------------------- */

/* The loader's own [general] fields, outside struct config. */
struct loader_opts {
	int interval; /* [general] interval, default for [intervals] */
};

#define INTERVAL_MIN 5
#define INTERVAL_MAX 86400

static const struct cfg_keyword kw_log[] = {
	{ "stderr", 0, 0 }, { "syslog", 0, 0 }, { NULL, 0, 0 }
};
static const struct cfg_keyword kw_level[] = {
	{ "debug", 0, 0 }, { "info", 0, 0 }, { "warn", 0, 0 },
	{ "error", 0, 0 }, { NULL, 0, 0 }
};

const struct cfg_keyword cfg_kw_bool[] = {
	{ "yes", 1, 0 },  { "no", 0, 0 }, { "true", 1, 1 }, { "false", 0, 1 },
	{ "on", 1, 1 },   { "off", 0, 1 }, { "1", 1, 1 },   { "0", 0, 1 },
	{ NULL, 0, 0 }
};

#define G(f) CFG_FIELD(config, f)
static const struct cfg_opt general_opts[] = {
	{ "inventory", CFG_PATH, G(inventory), 0, 0, 0, "", NULL, 0, NULL },
	{ "storage_dir", CFG_PATH, G(storage_dir), 0, 0, 0, "/var/lib/slamon",
	  NULL, 0, NULL },
	/* "" = <storage_dir>/status.json, filled in at the end */
	{ "status_file", CFG_PATH, G(status_file), 0, 0, 0, "", NULL, 0,
	  NULL },
	{ "rrdcached", CFG_STR, G(rrdcached), 0, 0, 0, "", NULL, 0, NULL },
	{ "rrdcached_dir", CFG_STR, G(rrdcached_dir), 0, 0, 0, "", NULL, 0,
	  NULL },
	{ "rrd_hold", CFG_INT, G(rrd_hold_s), 0, 3600, 0, NULL, NULL, 0,
	  NULL },
	{ "rrd_create_rate", CFG_INT, G(rrd_create_rate), 0, 100000, 100,
	  NULL, NULL, 0, NULL },
	{ "log", CFG_WORD, G(log_target), 0, 0, 0, "stderr", kw_log, 0,
	  NULL },
	{ "log_level", CFG_WORD, G(log_level), 0, 0, 0, "info", kw_level, 0,
	  NULL },
	{ "timezone", CFG_STR, G(timezone), 0, 0, 0, "Asia/Shanghai", NULL, 0,
	  NULL },
	{ "timeout_ms", CFG_INT, G(timeout_ms), 10, 60000, 2000, NULL, NULL, 0,
	  NULL },
	{ "retries", CFG_INT, G(retries), 0, 10, 1, NULL, NULL, 0, NULL },
	{ "max_inflight", CFG_INT, G(max_inflight), 1, 100000, 1000, NULL,
	  NULL, 0, NULL },
	/* 0 = derived where it is used */
	{ "poll_budget_ms", CFG_INT, G(poll_budget_ms), 0, 600000, 0, NULL,
	  NULL, 0, NULL },
	{ "down_after", CFG_INT, G(down_after), 1, 100, 2, NULL, NULL, 0,
	  NULL },
	{ "up_after", CFG_INT, G(up_after), 1, 100, 2, NULL, NULL, 0, NULL },
	/* read once at start-up (the drop cannot be undone by a reload) */
	{ "user", CFG_STR, G(user), 0, 0, 0, "slamon", NULL, 0, NULL },
};
#undef G

/* [general] interval lives in the loader (it only feeds [intervals]). */
static const struct cfg_opt interval_opt = {
	"interval", CFG_INT, 0, sizeof(int), INTERVAL_MIN, INTERVAL_MAX, 60,
	NULL, NULL, 0, NULL
};

_Static_assert(NELEM(general_opts) < CFG_OPTS_MAX, "seen[] too small");

/* ---- the loader ----------------------------------------------------- */

enum section_kind {
	SEC_NONE,      /* before the first header */
	SEC_SKIP,      /* bad or duplicate header: keys are ignored */
	SEC_GENERAL,
	SEC_INTERVALS,
	SEC_MODULE,    /* a registered section: ld->rs, ld->item */
};

struct cfg_ctx {
	struct config *cfg;
	struct diag *d;
	const char *file;
	char dir[4096]; /* folder of the config file, "" = current */
	FILE *fp;
	char *buf;
	size_t bufcap;
	int line;
	bool oom;

	enum section_kind sec;
	char sec_title[160]; /* "general", "profile core", ... for messages */
	int sec_line;
	size_t rs;         /* registry slot of SEC_MODULE */
	size_t item;       /* item index in cfg->sec[rs] */
	bool overriding;   /* the item existed before its header */
	int seen[CFG_OPTS_MAX]; /* line each key of the section was set on */

	int general_seen[CFG_OPTS_MAX]; /* [general] may come more than once */
	int interval_line; /* [general] interval */
	int interval_seen[ROLE_COUNT];
	struct loader_opts lo;
	int single_line[CFG_SECTIONS_MAX]; /* singleton headers seen */
	void *state[CFG_SECTIONS_MAX];     /* hooks' scratch */
};

struct config *cfg_config(struct cfg_ctx *c)
{
	return c->cfg;
}

void *cfg_state(struct cfg_ctx *c)
{
	return c->state[c->rs];
}

int cfg_line(struct cfg_ctx *c)
{
	return c->line;
}

const char *cfg_title(struct cfg_ctx *c)
{
	return c->sec_title;
}

void cfg_oom(struct cfg_ctx *c)
{
	c->oom = true;
}

void cfg_error(struct cfg_ctx *c, int line, const char *fmt, ...)
{
	char msg[DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(c->d, c->file, line ? line : c->sec_line, "%s", msg);
}

void cfg_missing(struct cfg_ctx *c, const char *key, const char *why)
{
	diag_add(c->d, c->file, c->sec_line, "missing key '%s' in [%s]%s", key,
		 c->sec_title, why);
}

static int opt_index(const struct cfg_opt *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return (int)i;
	return -1;
}

int cfg_seen(struct cfg_ctx *c, const char *key)
{
	const struct cfg_section *s = registry[c->rs];
	int i;

	if (c->sec != SEC_MODULE)
		return 0;
	i = opt_index(s->opts, s->nopts, key);
	return i < 0 ? 0 : c->seen[i];
}

int cfg_key_line(struct cfg_ctx *c, const char *key)
{
	int l = cfg_seen(c, key);

	return l ? l : c->sec_line;
}

const char *cfg_kw_name(const struct cfg_keyword *kw, int value)
{
	for (; kw->name != NULL; kw++)
		if (kw->value == value && !kw->alias)
			return kw->name;
	return "?";
}

static void opt_defaults(const struct cfg_opt *t, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		void *f = (char *)base + t[i].off;

		switch (t[i].type) {
		case CFG_INT:
		case CFG_ENUM:
			*(int *)f = (int)t[i].def;
			break;
		case CFG_STR:
		case CFG_PATH:
		case CFG_WORD:
		case CFG_SCOPE:
			if (t[i].def_str != NULL)
				snprintf(f, t[i].size, "%s", t[i].def_str);
			break;
		default:
			break;
		}
	}
}

static void kw_list(const struct cfg_keyword *kw, char *out, size_t len)
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

/* Validates a scope: all, role:NAME, tag:NAME, group:NAME, service:NAME
 * or device:NAME. */
static int scope_check(const char *v, char *err, size_t errlen)
{
	static const char *const kinds[] = { "role:", "tag:", "group:",
					     "service:", "device:" };
	char vb[DIAG_VALUE_MAX + 4];

	if (v[0] == '\0' || strcmp(v, "all") == 0)
		return 0;
	for (size_t i = 0; i < NELEM(kinds); i++) {
		size_t kl = strlen(kinds[i]);

		if (strncmp(v, kinds[i], kl) != 0 || v[kl] == '\0')
			continue;
		if (i == 0 && role_parse(v + kl) < 0) {
			snprintf(err, errlen, "'%s' names an unknown role",
				 diag_value(v, vb, sizeof(vb)));
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen,
		 "'%s' is not all, role:NAME, tag:NAME, group:NAME, "
		 "service:NAME or device:NAME",
		 diag_value(v, vb, sizeof(vb)));
	return -1;
}

static int set_string(const struct cfg_opt *o, void *f, const char *v,
		      const char *dir, char *err, size_t errlen)
{
	int n;

	if (o->type == CFG_PATH && v[0] != '\0' && v[0] != '/' &&
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

static int set_int(const struct cfg_opt *o, void *f, const char *v, char *err,
		   size_t errlen)
{
	char *end, vb[DIAG_VALUE_MAX + 4];
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0') {
		snprintf(err, errlen, "'%s' is not a number",
			 diag_value(v, vb, sizeof(vb)));
		return -1;
	}
	if (errno == ERANGE || n < o->min || n > o->max) {
		snprintf(err, errlen, "'%s' is out of range %ld..%ld",
			 diag_value(v, vb, sizeof(vb)), o->min, o->max);
		return -1;
	}
	*(int *)f = (int)n;
	return 0;
}

static int set_double(void *f, const char *v, char *err, size_t errlen)
{
	char *end, vb[DIAG_VALUE_MAX + 4];
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (end == v || *end != '\0' || errno == ERANGE || !isfinite(x)) {
		snprintf(err, errlen, "'%s' is not a number",
			 diag_value(v, vb, sizeof(vb)));
		return -1;
	}
	*(double *)f = x;
	return 0;
}

static int set_keyword(const struct cfg_opt *o, void *f, const char *v,
		       char *err, size_t errlen)
{
	char list[256], vb[DIAG_VALUE_MAX + 4];

	for (const struct cfg_keyword *kw = o->kw; kw->name != NULL; kw++) {
		if (strcasecmp(v, kw->name) != 0)
			continue;
		if (o->type == CFG_ENUM)
			*(int *)f = kw->value;
		else
			snprintf(f, o->size, "%s", kw->name);
		return 0;
	}
	kw_list(o->kw, list, sizeof(list));
	snprintf(err, errlen, "'%s' is not one of %s",
		 diag_value(v, vb, sizeof(vb)), list);
	return -1;
}

/* Stores value into field as o describes. Returns 0, or -1 with a reason
 * in err (the caller adds file, line, key and section). The one place
 * where bounds are enforced. */
static int opt_store(const struct cfg_opt *o, void *f, const char *dir,
		     const char *v, char *err, size_t errlen)
{
	switch (o->type) {
	case CFG_INT:
		return set_int(o, f, v, err, errlen);
	case CFG_DOUBLE:
		return set_double(f, v, err, errlen);
	case CFG_STR:
	case CFG_PATH:
		return set_string(o, f, v, dir, err, errlen);
	case CFG_WORD:
	case CFG_ENUM:
		return set_keyword(o, f, v, err, errlen);
	case CFG_SCOPE:
		if (scope_check(v, err, errlen) < 0)
			return -1;
		return set_string(o, f, v, "", err, errlen);
	case CFG_FUNC:
		return o->parse(f, v, err, errlen);
	}
	return -1;
}

int cfg_opt_set(struct cfg_ctx *c, const struct cfg_opt *o, void *field,
		const char *v, char *err, size_t errlen)
{
	return opt_store(o, field, c->dir, v, err, errlen);
}

/* Looks key up in table t and sets it in base; seen[] remembers the line
 * of each key so that duplicates and missing keys can be reported.
 * Returns 0 when the key is not in t. */
static int set_key(struct cfg_ctx *ld, const struct cfg_opt *t, size_t n,
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
			return 1;
		}
		seen[i] = ld->line;
		if (opt_store(&t[i], (char *)base + t[i].off, ld->dir, value,
			      err, sizeof(err)) < 0)
			diag_add(ld->d, ld->file, ld->line,
				 "key '%s' in [%s]: %s", t[i].name,
				 ld->sec_title, err);
		return 1;
	}
	return 0;
}

static void unknown_key(struct cfg_ctx *ld, const char *key)
{
	char kb[DIAG_VALUE_MAX + 4];

	diag_add(ld->d, ld->file, ld->line, "unknown key '%s' in [%s]",
		 diag_value(key, kb, sizeof(kb)), ld->sec_title);
}

static void general_key(struct cfg_ctx *ld, const char *key, const char *v)
{
	char err[DIAG_MSG_MAX / 2];

	if (set_key(ld, general_opts, NELEM(general_opts), ld->general_seen,
		    ld->cfg, key, v))
		return;
	if (strcasecmp(key, "interval") != 0) {
		unknown_key(ld, key);
		return;
	}
	if (ld->interval_line != 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "duplicate key 'interval' in [general] (first at line "
			 "%d)",
			 ld->interval_line);
		return;
	}
	ld->interval_line = ld->line;
	if (opt_store(&interval_opt, &ld->lo.interval, "", v, err,
		      sizeof(err)) < 0)
		diag_add(ld->d, ld->file, ld->line,
			 "key 'interval' in [general]: %s", err);
}

static void set_interval(struct cfg_ctx *ld, const char *key, const char *v)
{
	char err[DIAG_MSG_MAX / 2], kb[DIAG_VALUE_MAX + 4];
	int r = role_parse(key);

	if (r < 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "unknown role '%s' in [intervals]",
			 diag_value(key, kb, sizeof(kb)));
		return;
	}
	if (ld->interval_seen[r] != 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "duplicate key '%s' in [intervals] (first at line %d)",
			 key, ld->interval_seen[r]);
		return;
	}
	ld->interval_seen[r] = ld->line;
	if (opt_store(&interval_opt, &ld->cfg->interval_s[r], "", v, err,
		      sizeof(err)) < 0)
		diag_add(ld->d, ld->file, ld->line,
			 "key '%s' in [intervals]: %s", key, err);
}

/* ---- items ---------------------------------------------------------- */

static void *item_at(struct config *cfg, size_t rs, size_t i)
{
	return (char *)cfg->sec[rs].v + i * registry[rs]->size;
}

static int *item_line(struct config *cfg, size_t rs, size_t i)
{
	return (int *)((char *)item_at(cfg, rs, i) + registry[rs]->line_off);
}

/* Appends a zeroed item at the table's defaults (init runs later, with a
 * loader). NULL when out of memory. */
static void *item_append(struct config *cfg, size_t rs, const char *name)
{
	const struct cfg_section *s = registry[rs];
	struct cfg_items *it = &cfg->sec[rs];
	char *p;

	if (it->n == it->cap) {
		size_t ncap = it->cap ? 2 * it->cap : 4;
		void *nv = realloc(it->v, ncap * s->size);

		if (nv == NULL)
			return NULL;
		it->v = nv;
		it->cap = ncap;
	}
	p = (char *)it->v + it->n * s->size;
	memset(p, 0, s->size);
	opt_defaults(s->opts, s->nopts, p);
	if (name != NULL)
		snprintf(p, CFG_NAME_MAX, "%s", name);
	it->n++;
	return p;
}

void *config_item_add(struct config *cfg, const struct cfg_section *s,
		      const char *name)
{
	struct cfg_ctx c;
	int rs = slot_of(s);
	void *p;

	if (rs < 0)
		return NULL;
	p = item_append(cfg, (size_t)rs, name);
	if (p != NULL && s->init != NULL) {
		memset(&c, 0, sizeof(c));
		c.cfg = cfg;
		c.rs = (size_t)rs;
		s->init(&c, p);
	}
	return p;
}

int config_item_changed(const struct cfg_section *s, const void *a,
			const void *b)
{
	for (size_t i = 0; i < s->nopts; i++) {
		const struct cfg_opt *o = &s->opts[i];
		const char *x = (const char *)a + o->off;
		const char *y = (const char *)b + o->off;

		if (o->flags & CFG_LIVE)
			continue;
		switch (o->type) {
		case CFG_STR:
		case CFG_PATH:
		case CFG_WORD:
		case CFG_SCOPE:
			if (strncmp(x, y, o->size) != 0)
				return 1;
			break;
		default:
			if (memcmp(x, y, o->size) != 0)
				return 1;
			break;
		}
	}
	return 0;
}

/* ---- section ends and starts ---------------------------------------- */

static void section_end(struct cfg_ctx *ld)
{
	const struct cfg_section *s;
	void *item;

	if (ld->sec != SEC_MODULE) {
		ld->sec = SEC_SKIP;
		return;
	}
	s = registry[ld->rs];
	item = item_at(ld->cfg, ld->rs, ld->item);
	/* REQUIRED applies to new items: an override of a preloaded
	 * default starts from the default. */
	for (size_t i = 0; i < s->nopts && !ld->overriding; i++)
		if ((s->opts[i].flags & CFG_REQUIRED) && !ld->seen[i])
			cfg_missing(ld, s->opts[i].name, "");
	if (s->end != NULL)
		s->end(ld, item);
	ld->sec = SEC_SKIP;
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

/* A registered section's header. Returns false when title is none. */
static bool module_begin(struct cfg_ctx *ld, const char *title)
{
	const struct cfg_section *s = NULL;
	const char *name = NULL;
	size_t rs, n;

	for (rs = 0; rs < nregistry; rs++) {
		s = registry[rs];
		if (s->flags & CFG_SEC_NAMED)
			name = named_section(title, s->name);
		else if (strcasecmp(title, s->name) == 0)
			name = "";
		if (name != NULL)
			break;
	}
	if (name == NULL)
		return false;
	if (!(s->flags & CFG_SEC_NAMED)) {
		if (ld->single_line[rs] != 0) {
			diag_add(ld->d, ld->file, ld->line,
				 "duplicate section [%s] (first at line %d)",
				 title, ld->single_line[rs]);
			return true;
		}
		ld->single_line[rs] = ld->line;
		*item_line(ld->cfg, rs, 0) = ld->line;
		ld->rs = rs;
		ld->item = 0;
		ld->overriding = false;
		ld->sec = SEC_MODULE;
		return true;
	}
	if (name[0] == '\0' || strlen(name) >= CFG_NAME_MAX) {
		diag_add(ld->d, ld->file, ld->line,
			 name[0] ? "name too long in [%s] (max %d bytes)"
				 : "missing name in [%s]",
			 title, CFG_NAME_MAX - 1);
		return true;
	}
	n = ld->cfg->sec[rs].n;
	for (ld->item = 0; ld->item < n; ld->item++)
		if (strcmp(item_at(ld->cfg, rs, ld->item), name) == 0)
			break;
	ld->overriding = ld->item < n;
	if (ld->overriding && *item_line(ld->cfg, rs, ld->item) != 0) {
		diag_add(ld->d, ld->file, ld->line,
			 "duplicate section [%s] (first at line %d)", title,
			 *item_line(ld->cfg, rs, ld->item));
		return true;
	}
	if (!ld->overriding) {
		void *p = item_append(ld->cfg, rs, name);

		if (p == NULL) {
			ld->oom = true;
			return true;
		}
		ld->rs = rs;
		if (s->init != NULL)
			s->init(ld, p);
	}
	*item_line(ld->cfg, rs, ld->item) = ld->line;
	ld->rs = rs;
	ld->sec = SEC_MODULE;
	return true;
}

static void section_begin(struct cfg_ctx *ld, const char *title)
{
	char tb[DIAG_VALUE_MAX + 4];

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
	if (!module_begin(ld, title))
		diag_add(ld->d, ld->file, ld->line, "unknown section [%s]",
			 diag_value(title, tb, sizeof(tb)));
}

/* ---- inih glue ------------------------------------------------------ */

static void module_key(struct cfg_ctx *ld, const char *key, const char *value)
{
	const struct cfg_section *s = registry[ld->rs];
	void *item = item_at(ld->cfg, ld->rs, ld->item);

	if (set_key(ld, s->opts, s->nopts, ld->seen, item, key, value))
		return;
	if (s->key != NULL && s->key(ld, item, key, value))
		return;
	unknown_key(ld, key);
}

static int ini_handler_cb(void *user, const char *section, const char *key,
			  const char *value)
{
	struct cfg_ctx *ld = user;
	char kb[DIAG_VALUE_MAX + 4];

	(void)section; /* tracked by the reader, with its line */
	switch (ld->sec) {
	case SEC_NONE:
		diag_add(ld->d, ld->file, ld->line,
			 "key '%s' outside of any section",
			 diag_value(key, kb, sizeof(kb)));
		break;
	case SEC_SKIP:
		break;
	case SEC_GENERAL:
		general_key(ld, key, value);
		break;
	case SEC_INTERVALS:
		set_interval(ld, key, value);
		break;
	case SEC_MODULE:
		module_key(ld, key, value);
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
static const char *reader_line(struct cfg_ctx *ld, char *s, int num)
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
	struct cfg_ctx *ld = stream;
	const char *s;

	if (getline(&ld->buf, &ld->bufcap, ld->fp) < 0)
		return NULL;
	ld->line++;
	s = reader_line(ld, ld->buf, num);
	snprintf(str, (size_t)num, "%s\n", s);
	return str;
}

/* ---- after the file ------------------------------------------------- */

/* Runs one hook of every registered section with its scratch. */
static void each_section(struct cfg_ctx *ld, int which)
{
	for (ld->rs = 0; ld->rs < nregistry; ld->rs++) {
		const struct cfg_section *s = registry[ld->rs];
		void (*fn)(struct cfg_ctx *) = which ? s->resolve : s->finish;

		snprintf(ld->sec_title, sizeof(ld->sec_title), "%s", s->name);
		ld->sec_line = 0;
		if (fn != NULL)
			fn(ld);
	}
}

static void finish(struct cfg_ctx *ld)
{
	struct config *cfg = ld->cfg;
	int n;

	section_end(ld);
	for (int r = 0; r < ROLE_COUNT; r++)
		if (ld->interval_seen[r] == 0)
			cfg->interval_s[r] = ld->lo.interval;
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
	each_section(ld, 0);
}

/* [general] defaults, the singletons, preloaded items. */
static int defaults(struct cfg_ctx *ld)
{
	struct config *cfg = ld->cfg;

	opt_defaults(general_opts, NELEM(general_opts), cfg);
	ld->lo.interval = (int)interval_opt.def;
	for (int r = 0; r < ROLE_COUNT; r++)
		cfg->interval_s[r] = (int)interval_opt.def;
	for (ld->rs = 0; ld->rs < nregistry; ld->rs++) {
		const struct cfg_section *s = registry[ld->rs];

		if (s->state_size != 0) {
			ld->state[ld->rs] = calloc(1, s->state_size);
			if (ld->state[ld->rs] == NULL)
				return -ENOMEM;
		}
		if (!(s->flags & CFG_SEC_NAMED)) {
			void *p = item_append(cfg, ld->rs, NULL);

			if (p == NULL)
				return -ENOMEM;
			if (s->init != NULL)
				s->init(ld, p);
		}
		if (s->preload != NULL && s->preload(cfg) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void loader_free(struct cfg_ctx *ld)
{
	if (ld == NULL)
		return;
	for (size_t i = 0; i < CFG_SECTIONS_MAX; i++)
		free(ld->state[i]);
	free(ld);
}

int config_create(struct config **ret_cfg)
{
	struct cfg_ctx *ld = calloc(1, sizeof(*ld));
	struct config *cfg = calloc(1, sizeof(*cfg));
	int rc = -ENOMEM;

	*ret_cfg = NULL;
	if (ld == NULL || cfg == NULL)
		goto out;
	ld->cfg = cfg;
	rc = defaults(ld);
	if (rc < 0)
		goto out;
	/* what finish() derives, for a config without a file */
	if (snprintf(cfg->status_file, sizeof(cfg->status_file),
		     "%.4000s/status.json", cfg->storage_dir) < 0)
		goto out;
	*ret_cfg = cfg;
	cfg = NULL;
out:
	loader_free(ld);
	config_destroy(cfg);
	return rc;
}

static void config_dir(struct cfg_ctx *ld, const char *path)
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
static int parse_main(struct cfg_ctx *ld, const char *path)
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
	struct cfg_ctx *ld;
	struct config *cfg;
	size_t nerr = diag_count(d);
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
	rc = defaults(ld);
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
		each_section(ld, 1);
	}
	if (d->oom || ld->oom) {
		rc = -ENOMEM;
		goto err;
	}
	if (diag_count(d) != nerr) {
		rc = -EINVAL;
		goto err;
	}
	loader_free(ld);
	*ret_cfg = cfg;
	return 0;
err:
	loader_free(ld);
	config_destroy(cfg);
	return rc;
}

int config_device_check(const struct config *cfg, struct device *dv,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < nregistry; i++)
		if (registry[i]->device != NULL &&
		    registry[i]->device(cfg, dv, err, errlen) < 0)
			return -1;
	return 0;
}

void config_destroy(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < CFG_SECTIONS_MAX; i++)
		free(cfg->sec[i].v);
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

/* ---- helpers for every module ------------------------------------ */

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

/* "role:access" with prefix "role:" -> "access"; NULL otherwise. */
static const char *named_value(const char *s, const char *prefix)
{
	size_t pl = strlen(prefix);

	if (strncmp(s, prefix, pl) != 0 || s[pl] == '\0')
		return NULL;
	return s + pl;
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

