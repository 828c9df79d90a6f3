/*
 * config.h - the ground floor's configuration: the engine that reads the
 * main INI file (inih) against option tables, the registry of sections that
 * modules own, [general], [intervals] and the inventory (CSV, libcsv). See
 * docs/config.md and docs/architecture.md ("How to add ...").
 *
 * A module owns its sections: it describes each with a struct cfg_section
 * (option table with bounds, defaults and reload flags, plus hooks for the
 * checks that need a whole section) and registers it before config_load.
 * The loaded items live in the config; the module reads them back with
 * config_items()/config_item() behind its own typed accessors.
 *
 * Loading never stops at the first error: every problem is appended to a
 * struct diag as "file:line: message" and config_load() fails at the end.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CONFIG_H
#define SLAMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum role {
	ROLE_BACKBONE,
	ROLE_EXIT,
	ROLE_CORE,
	ROLE_AGGREGATION,
	ROLE_ACCESS,
	ROLE_SERVER,
	ROLE_FIREWALL,
	ROLE_WIRELESS,
	ROLE_IOT,
	ROLE_CAMERA,
	ROLE_OTHER,
	ROLE_COUNT
};

/* "backbone" etc.; NULL for an out-of-range value. */
const char *role_name(enum role r);
/* Returns the role or -1 when the name is unknown. Case-insensitive. */
int role_parse(const char *name);

#define CFG_NAME_MAX 64
#define CFG_SECRET_MAX 128

/* How a device is probed (the inventory's probe column). */
enum dev_probe {
	DEV_PROBE_SNMP, /* the default; needs a profile */
	DEV_PROBE_ICMP, /* echo requests only (cameras, IoT terminals) */
};

/* One row of the inventory. Strings are owned by the struct (fixed size). */
#define INV_ADDR_MAX 64
#define INV_TEXT_MAX 256
struct device {
	char unit[INV_TEXT_MAX];   /* government unit, UTF-8 (Chinese) */
	char name[CFG_NAME_MAX];   /* unique device name, used for file names */
	char host[INV_ADDR_MAX];   /* IPv4 or IPv6 literal, no brackets */
	uint16_t port;             /* 161 unless given */
	int af;                    /* AF_INET or AF_INET6 */
	enum role role;
	char parent[CFG_NAME_MAX]; /* empty when none */
	int parent_idx;            /* index into config.devices, -1 if none */
	char profile[CFG_NAME_MAX];
	int profile_idx;           /* index of the [profile] item (probes/
	                              snmp_config.h sets it), -1 if none */
	char ifsel[INV_TEXT_MAX];  /* ';'-separated names or fnmatch globs;
	                              empty = every up interface with a speed */
	double capacity_mbps;      /* contracted capacity, 0 when not given */
	char tags[INV_TEXT_MAX];   /* ';'-separated */
	uint8_t probe;             /* enum dev_probe */
	int line;                  /* inventory line of this row */
};

/* ---- severities, shared by faults, rules, notifiers and reports ---- */

enum severity { SEV_CRITICAL, SEV_MAJOR, SEV_MINOR, SEV_WARNING, SEV_COUNT };

/* "critical" etc.; NULL when out of range. */
const char *severity_name(enum severity s);
/* Returns the severity or -1. Case-insensitive. */
int severity_parse(const char *name);

/* ---- the option-table engine ---------------------------------------- */

enum cfg_type {
	CFG_INT,    /* int within [min, max] */
	CFG_DOUBLE, /* finite number */
	CFG_STR,    /* copied, length checked */
	CFG_PATH,   /* like CFG_STR, relative to the config's folder */
	CFG_WORD,   /* one of kw, stored as the canonical string */
	CFG_ENUM,   /* one of kw, stored as int */
	CFG_SCOPE,  /* all, role:, tag:, group:, service:, device: (string) */
	CFG_FUNC,   /* parsed by the option's own parse function */
};

/* Option flags. */
#define CFG_REQUIRED 1u /* must be given in a new item (checked at its end) */
#define CFG_LIVE 2u     /* a change on reload applies in place: the item
                           need not be restarted (redis' MODIFIABLE) */

struct cfg_keyword {
	const char *name;
	int value;
	int alias; /* accepted, but not listed in messages */
};

struct cfg_opt {
	const char *name;
	enum cfg_type type;
	size_t off, size;        /* the field in the section's item */
	long min, max;           /* CFG_INT bounds */
	long def;                /* CFG_INT / CFG_ENUM default */
	const char *def_str;     /* CFG_STR / CFG_PATH / CFG_WORD default */
	const struct cfg_keyword *kw; /* CFG_WORD / CFG_ENUM, NULL-ended */
	unsigned flags;
	/* CFG_FUNC: stores v into field; 0, or -1 with a reason in err */
	int (*parse)(void *field, const char *v, char *err, size_t errlen);
};

#define CFG_FIELD(type, f) \
	offsetof(struct type, f), sizeof(((struct type *)0)->f)
#define CFG_NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CFG_OPTS_MAX 32 /* keys of one section's table */

/* The boolean words every yes/no key accepts. */
extern const struct cfg_keyword cfg_kw_bool[];

struct config;
struct cfg_ctx; /* the loader, as a section hook sees it */

/* Section flags. */
#define CFG_SEC_NAMED 1u /* "[name NAME]", any number of items, each
                            starting with char name[CFG_NAME_MAX]; else
                            "[name]", one item that always exists */

/* One kind of section, owned by a module. Items are size bytes, kept in
 * one array per section in the config; every hook is optional. */
struct cfg_section {
	const char *name;  /* header word, e.g. "notifier" */
	unsigned flags;
	size_t size;       /* one item */
	size_t line_off;   /* offsetof its "int line" (header line, 0 when
	                      the item was not in the file) */
	const struct cfg_opt *opts;
	size_t nopts;
	/* The item at its defaults, after the table's: fills what the table
	 * cannot (doubles, derived fields). Singletons: at load start. */
	void (*init)(struct cfg_ctx *c, void *item);
	/* Before the file: may add default items (config_item_add). */
	int (*preload)(struct config *cfg);
	/* A key that is not in opts: return 1 when taken (errors reported
	 * through cfg_error), 0 when unknown. */
	int (*key)(struct cfg_ctx *c, void *item, const char *key,
		   const char *value);
	/* The item's section ended: whole-section checks. */
	void (*end)(struct cfg_ctx *c, void *item);
	/* The file ended ([general] known): inherited values, defaults. */
	void (*finish)(struct cfg_ctx *c);
	/* One inventory row, after the ground checks: 0, or -1 with the
	 * reason in err (reported at the row's line). */
	int (*device)(const struct config *cfg, struct device *dv, char *err,
		      size_t errlen);
	/* The inventory is loaded: names of devices can be resolved. */
	void (*resolve)(struct cfg_ctx *c);
	size_t state_size; /* per-load scratch for the hooks (cfg_state) */
};

#define CFG_SECTIONS_MAX 32

/* Adds s to the registry config_load reads with. Registering the same s
 * again does nothing. -EEXIST when another section has s's name, -ENOSPC
 * past CFG_SECTIONS_MAX. Call before the first load (not thread-safe). */
int config_section_register(const struct cfg_section *s);

/* The items of section s in cfg and their count (NULL, 0 when none or s
 * is not registered). Singletons: one item. */
void *config_items(const struct config *cfg, const struct cfg_section *s,
		   size_t *ret_n);
/* The number of items of section s in cfg. */
size_t config_count(const struct config *cfg, const struct cfg_section *s);
/* A singleton's item, or NULL when s is not registered. */
void *config_item(const struct config *cfg, const struct cfg_section *s);
/* Appends an item named name at its defaults (for preload hooks and tests
 * that build a config by hand); NULL when out of memory. */
void *config_item_add(struct config *cfg, const struct cfg_section *s,
		      const char *name);

/* Does item a differ from b in a key of s without CFG_LIVE (a change
 * that needs the item restarted on reload)? */
int config_item_changed(const struct cfg_section *s, const void *a,
			const void *b);

/* For hooks: the config being loaded and the scratch of the current
 * section (state_size bytes, zeroed per load). */
struct config *cfg_config(struct cfg_ctx *c);
void *cfg_state(struct cfg_ctx *c);
/* Appends "file:line: ..." (line 0 = the current section's header). */
void cfg_error(struct cfg_ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The line being read. */
int cfg_line(struct cfg_ctx *c);
/* "missing key 'key' in [section]<why>" at the section's header. */
void cfg_missing(struct cfg_ctx *c, const char *key, const char *why);
/* Line the key was given on in the current section, 0 when not given. */
int cfg_seen(struct cfg_ctx *c, const char *key);
/* Like cfg_seen, but the header's line when the key was not given. */
int cfg_key_line(struct cfg_ctx *c, const char *key);
/* "[notifier wecom]" of the current section, for messages. */
const char *cfg_title(struct cfg_ctx *c);
/* Marks the load out of memory (config_load fails with -ENOMEM). */
void cfg_oom(struct cfg_ctx *c);
/* Sets one table option on item outside the normal key path (role-keyed
 * keys and the like); 0, or -1 with the reason in err. */
int cfg_opt_set(struct cfg_ctx *c, const struct cfg_opt *o, void *field,
		const char *v, char *err, size_t errlen);
/* Canonical (non-alias) name of value in kw, "?" when none. */
const char *cfg_kw_name(const struct cfg_keyword *kw, int value);

/* ---- the configuration ---------------------------------------------- */

struct cfg_items {
	void *v;
	size_t n, cap;
};

struct config {
	char path[4096];       /* the main config file as given */
	char inventory[4096];  /* resolved relative to the config's folder */
	char storage_dir[4096];
	char status_file[4096];  /* default <storage_dir>/status.json */
	char rrdcached[512];     /* "" = write RRD files directly */
	char rrdcached_dir[512]; /* RRD folder as rrdcached names it (relative
	                            to its -b); "" = storage_dir */
	int rrd_hold_s;          /* rows held to be written together, s */
	int rrd_create_rate;     /* RRD files created per second, 0 = no
	                            limit */
	char log_target[16];     /* "stderr" or "syslog" */
	char log_level[16];      /* "debug", "info", "warn", "error" */
	char timezone[64];       /* default "Asia/Shanghai" */
	char user[64];           /* slamond started as root runs as this
	                            user; default "slamon", "root" = stay */
	int interval_s[ROLE_COUNT]; /* [intervals], default 60 each */
	int timeout_ms;          /* default 2000 */
	int retries;             /* default 1 */
	int max_inflight;        /* requests in flight, default 1000 */
	int poll_budget_ms;      /* wall time for one device poll; default
	                            derived: (retries+1)*timeout*3, capped */
	int down_after;          /* failed polls before down, default 2 */
	int up_after;            /* good polls before up, default 2 */

	struct device *devices;
	size_t ndevices;

	/* items of the registered sections, by registry slot */
	struct cfg_items sec[CFG_SECTIONS_MAX];
};

/* Loads the main config at path and the inventory it names, validating
 * everything against the registered sections. Returns 0 and fills *ret_cfg
 * (caller frees with config_destroy), or -EINVAL with every problem
 * appended to d (and *ret_cfg NULL). -ENOMEM when memory runs out. */
int config_load(const char *path, struct config **ret_cfg, struct diag *d);

/* A config at its defaults without reading a file: [general] defaults,
 * every registered singleton at its defaults, preloaded items, no devices
 * (tests build configurations this way). 0 or -ENOMEM. */
int config_create(struct config **ret_cfg);

/* Parses only an inventory file against an already loaded config (used by
 * config_load and the tests). Appends to d; returns 0 or -EINVAL /
 * -ENOMEM. Devices are appended to cfg->devices. */
int inventory_load(struct config *cfg, const char *path, struct diag *d);

/* Runs the registered device hooks on one inventory row: 0, or -1 with
 * the first reason in err. */
int config_device_check(const struct config *cfg, struct device *dv,
			char *err, size_t errlen);

/* Frees cfg and every section's items. Accepts NULL. */
void config_destroy(struct config *cfg);

/* Index of the device named name, or -1. */
int config_find_device(const struct config *cfg, const char *name);

/* Does device dev match scope ("", all, role:NAME, tag:NAME, device:NAME,
 * group:NAME = the device NAME and everything behind it)? */
int config_scope_match(const struct config *cfg, size_t dev,
		       const char *scope);

/* Splits a command line into words (no shell: double quotes group words,
 * backslash escapes inside quotes). The words are written to buf; argv
 * gets at most max-1 pointers and a NULL. Returns the number of words, or
 * -1 on an unbalanced quote or when buf/argv are too small. */
int config_split_argv(const char *cmd, char *buf, size_t buflen, char **argv,
		      size_t max);

#endif
