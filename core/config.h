/*
 * config.h - slamon's configuration: the main INI file (read with inih) and
 * the access-point inventory (CSV, read with libcsv). See docs/config.md.
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

#define CFG_NAME_MAX 64
#define CFG_SECRET_MAX 128

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

enum cmp_op { CMP_GE, CMP_GT, CMP_EQ, CMP_LE, CMP_LT };

/* One indicator of the budget performance table. Issue 4 evaluates them;
 * here they are only configured, validated and listed. */
struct indicator {
	char id[CFG_NAME_MAX];
	char name_zh[128];
	char name_en[128];
	char level[64];  /* e.g. "产出指标/数量指标" */
	char metric[64]; /* e.g. "capacity_min", "online_count", ... */
	char scope[64];  /* role, group, tag or service the metric covers */
	enum cmp_op cmp;
	double target;
	char unit[16];
	int line;
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
	int profile_idx;           /* index into config.profiles */
	char ifsel[INV_TEXT_MAX];  /* ';'-separated names or fnmatch globs;
	                              empty = every up interface with a speed */
	double capacity_mbps;      /* contracted capacity, 0 when not given */
	char tags[INV_TEXT_MAX];   /* ';'-separated */
	int line;                  /* inventory line of this row */
};

struct config;

/* ---- alerts (issue 3): [alerts], [notifier NAME], [maintenance NAME],
 * [rule NAME]. See docs/alerts.md. ---------------------------------- */

enum severity { SEV_CRITICAL, SEV_MAJOR, SEV_MINOR, SEV_WARNING, SEV_COUNT };

/* "critical" etc.; NULL when out of range. */
const char *severity_name(enum severity s);
/* Returns the severity or -1. Case-insensitive. */
int severity_parse(const char *name);

struct alerts_cfg {
	char journal[4096];      /* default <storage_dir>/faults.db */
	int response_min[SEV_COUNT]; /* response window, default 30 min */
	int down_after[ROLE_COUNT];  /* default [general] down_after */
	int up_after[ROLE_COUNT];    /* default [general] up_after */
	int severity[ROLE_COUNT];    /* enum severity of a down fault */
	int flap_changes;        /* state changes that make flapping, def. 5 */
	int flap_window_min;     /* ... within this window, default 30 */
	int remind_min;          /* reminder for unacked faults past their
	                            deadline every N min, 0 = never; def. 30 */
	int ping;                /* ICMP echo after a failed poll: a device
	                            that answers gets a "nodata" fault, not
	                            "down"; 1 (default) or 0 */
	int nodata_severity;     /* enum severity of "nodata", default minor */
	int line;                /* line of the [alerts] header, 0 = absent */
};

enum notifier_type { NOTIFIER_COMMAND, NOTIFIER_WEBHOOK, NOTIFIER_SYSLOG };
enum webhook_template { TPL_GENERIC, TPL_WECOM, TPL_DINGTALK };

#define NOTIFIER_ARGV_MAX 32
/* [notifier NAME] */
struct notifier_cfg {
	char name[CFG_NAME_MAX];
	int type;             /* enum notifier_type */
	char command[1024];   /* command line, split into argv (no shell) */
	char url[1024];       /* webhook */
	int tmpl;             /* enum webhook_template */
	int timeout_s;        /* per attempt, default 10 */
	int retries;          /* attempts after the first, default 3 */
	int backoff_s;        /* first retry delay, doubling; default 5 */
	char events[64];      /* "open,resolve,remind" (default all) */
	int min_severity;     /* enum severity: notify this or worse */
	int line;
};

/* [maintenance NAME]: one-off (start/end) or weekly (days/at/duration). */
struct maint_cfg {
	char name[CFG_NAME_MAX];
	char scope[64];       /* all, role:, tag:, group:, device: */
	char start[32], end[32]; /* "YYYY-MM-DD HH:MM", local time */
	double start_t, end_t;   /* one-off, epoch s (0 = weekly) */
	char days[64];        /* weekly: "sat,sun" */
	unsigned day_mask;    /* bit 0 = Sunday (struct tm tm_wday) */
	char at[8];           /* weekly: "22:00" local time */
	int at_min;           /* minutes after midnight */
	int duration_min;     /* weekly: length */
	int line;
};

enum rule_type { RULE_UTIL, RULE_SPEED, RULE_ERRORS };
/* [rule NAME] */
struct rule_cfg {
	char name[CFG_NAME_MAX];
	int type;             /* enum rule_type */
	char scope[64];       /* which devices' interfaces, default all */
	double above;         /* util: percent; errors: per second */
	double clear_below;   /* util/errors: clears below; default above */
	int for_s;            /* condition must hold this long, default 300
	                         (util), 0 (speed, errors) */
	double target_mbps;   /* speed: below this; 0 = contracted capacity */
	int severity;         /* enum severity, default major */
	int line;
};

/* Fills cfg->alerts with the defaults (down/up_after from cfg->down_after
 * and up_after). config_load calls it; tests building a config by hand may
 * too. */
void alerts_cfg_defaults(struct config *cfg);

/* Does device dev match scope ("", all, role:NAME, tag:NAME, device:NAME,
 * group:NAME = the device NAME and everything behind it)? */
int config_scope_match(const struct config *cfg, size_t dev,
		       const char *scope);

/* Splits a [notifier] command line into words (no shell: double quotes
 * group words, backslash escapes inside quotes). The words are written to
 * buf; argv gets at most max-1 pointers and a NULL. Returns the number of
 * words, or -1 on an unbalanced quote or when buf/argv are too small. */
int config_split_argv(const char *cmd, char *buf, size_t buflen, char **argv,
		      size_t max);

/* ---- packet capture (issue 6): [capture NAME]. See docs/pcap.md. --- */

enum capture_source { CAPSRC_LIVE, CAPSRC_FILE };

#define CAPTURE_IFNAME_MAX 16 /* IFNAMSIZ */

/* [capture NAME]: one captured link. */
struct capture_cfg {
	char name[CFG_NAME_MAX];
	int source;                  /* enum capture_source, default live */
	char ifname[CAPTURE_IFNAME_MAX]; /* live: the capture interface */
	char file[4096];             /* file: pcap/pcapng, relative to the
	                                config's folder */
	char filter[1024];           /* live: BPF expression, "" everything */
	char local[2048];            /* ','-separated CIDR list (required,
	                                checked: config_capture_local) */
	char device[CFG_NAME_MAX];   /* inventory device the link belongs to
	                                (required); RRD "pcap-NAME" under it */
	int device_idx;              /* index into config.devices */
	char interface[INV_TEXT_MAX]; /* live: that device's SNMP interface
	                                 to cross-check, "" none */
	int snaplen;                 /* live: 64..65535, default 128 */
	int buffer_mb;               /* live: TPACKET_V3 ring, default 32 */
	int promisc;                 /* live: 1 (default) or 0 */
	int direction;               /* live: 0 inout, 1 in, 2 out (values of
	                                enum capture_direction, probes/pcap.h) */
	int timeout_ms;              /* live: ring block timeout, default 100 */
	int interval_s;              /* bucket length, default 60 */
	int top;                     /* top ports/talkers kept, default 10 */
	int max_talkers;             /* talker slots per side, default 262144 */
	int fcs;                     /* the SNMP octets of `interface` include
	                                the 4-byte FCS per frame (routers: 1,
	                                the default; Linux hosts: 0) */
	double drop_alert;           /* percent, default 0.1 */
	double crosscheck_share;     /* percent, default 5 */
	int crosscheck_window_s;     /* compare over at least this many
	                                seconds of SNMP polls, default 300 */
	int line;                    /* line of the [capture] header */
	int device_line;             /* line of the device key */
};

struct capture_prefixes; /* probes/pcap_decode.h */

/* Parses a ','-separated CIDR list (blanks around items allowed) into
 * *ret (zeroed first). Returns 0, or -EINVAL / -ENOSPC with the reason in
 * err (the decoder's message, or "empty prefix in the list"). */
int config_capture_local(const char *list, struct capture_prefixes *ret,
			 char *err, size_t errlen);

struct config {
	char path[4096];       /* the main config file as given */
	char inventory[4096];  /* resolved relative to the config's folder */
	char storage_dir[4096];
	char status_file[4096];  /* default <storage_dir>/status.json */
	char rrdcached[512];     /* "" = write RRD files directly */
	char log_target[16];     /* "stderr" or "syslog" */
	char log_level[16];      /* "debug", "info", "warn", "error" */
	char timezone[64];       /* default "Asia/Shanghai" */
	int interval_s[ROLE_COUNT]; /* [intervals], default 60 each */
	int timeout_ms;          /* default 2000 */
	int retries;             /* default 1 */
	int max_inflight;        /* requests in flight, default 1000 */
	int poll_budget_ms;      /* wall time for one device poll; default
	                            derived: (retries+1)*timeout*3, capped */
	int down_after;          /* failed polls before down, default 2 */
	int up_after;            /* good polls before up, default 2 */

	struct snmp_profile *profiles;
	size_t nprofiles;
	struct indicator *indicators;
	size_t nindicators;
	struct device *devices;
	size_t ndevices;

	struct alerts_cfg alerts;      /* issue 3 */
	struct notifier_cfg *notifiers;
	size_t nnotifiers;
	struct maint_cfg *maints;
	size_t nmaints;
	struct rule_cfg *rules;
	size_t nrules;

	struct capture_cfg *captures;  /* issue 6 */
	size_t ncaptures;
};

/* Loads the main config at path and the inventory it names, validating
 * everything. Returns 0 and fills *ret_cfg (caller frees with
 * config_destroy), or -EINVAL with every problem appended to d (and *ret_cfg
 * NULL). -ENOMEM when memory runs out. */
int config_load(const char *path, struct config **ret_cfg, struct diag *d);

/* Parses only an inventory file against an already loaded config's
 * profiles (used by config_load and the tests). Appends to d; returns 0 or
 * -EINVAL / -ENOMEM. Devices are appended to cfg->devices. */
int inventory_load(struct config *cfg, const char *path, struct diag *d);

void config_destroy(struct config *cfg);

/* Index of the device named name, or -1. */
int config_find_device(const struct config *cfg, const char *name);
/* Index of the profile named name, or -1. */
int config_find_profile(const struct config *cfg, const char *name);

/* The default indicator table of the design brief (for docs and tests). */
const struct indicator *indicator_defaults(size_t *ret_n);

#endif
