/*
 * config.h - the alerts module's configuration: [alerts], [notifier NAME],
 * [maintenance NAME] and [rule NAME], owned and checked here, registered
 * with the ground floor's parser. See docs/alerts.md and docs/config.md.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_ALERTS_CONFIG_H
#define SLAMON_ALERTS_CONFIG_H

#include <stddef.h>

#include "core/config.h"

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

enum rule_type { RULE_UTIL, RULE_SPEED, RULE_ERRORS, RULE_SLA };
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
	/* sla_breach (alerts/slarule.h): */
	char indicator[64];   /* indicator id, "" = every indicator */
	double margin;        /* clears when the projection meets the target
	                         by this much (indicator unit), default 0.5 */
	int every_min;        /* evaluate every N minutes, default 5 */
	int line;
};

extern const struct cfg_section alerts_section, notifier_section,
	maint_section, rule_section;

/* Registers the alerts sections. 0 or a negative errno. */
int alerts_config_register(void);

/* [alerts] of cfg (defaults when the file has none). */
struct alerts_cfg *alerts_config(const struct config *cfg);
/* The [notifier], [maintenance] and [rule] items and their counts. */
struct notifier_cfg *alerts_notifiers(const struct config *cfg, size_t *ret_n);
struct maint_cfg *alerts_maints(const struct config *cfg, size_t *ret_n);
struct rule_cfg *alerts_rules(const struct config *cfg, size_t *ret_n);

/* Resets [alerts] to its defaults (down/up_after from cfg->down_after and
 * up_after), for tests that build a config by hand. */
void alerts_cfg_defaults(struct config *cfg);

/* Do the [notifier] sections of a and b differ (names, order or any key)?
 * A reload starts new notifiers only then. */
int alerts_notifiers_changed(const struct config *a, const struct config *b);

#endif
