/*
 * config.c - the alerts sections: [alerts] (response windows, per-role
 * down/up thresholds and severities, flapping, reminders, ping), and the
 * named [notifier], [maintenance] and [rule] sections. Bounds and defaults
 * are in the option tables; the checks that need a whole section are in
 * the *_end hooks. See docs/alerts.md.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "core/tz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NELEM(a) CFG_NELEM(a)
#define MINUTES_MAX 10080 /* a week */

static const struct cfg_keyword kw_severity[] = {
	{ "critical", SEV_CRITICAL, 0 }, { "major", SEV_MAJOR, 0 },
	{ "minor", SEV_MINOR, 0 },       { "warning", SEV_WARNING, 0 },
	{ NULL, 0, 0 }
};
static const struct cfg_keyword kw_notifier[] = {
	{ "command", NOTIFIER_COMMAND, 0 },
	{ "webhook", NOTIFIER_WEBHOOK, 0 },
	{ "syslog", NOTIFIER_SYSLOG, 0 },
	{ NULL, 0, 0 }
};
static const struct cfg_keyword kw_template[] = {
	{ "generic", TPL_GENERIC, 0 }, { "wecom", TPL_WECOM, 0 },
	{ "dingtalk", TPL_DINGTALK, 0 }, { "企业微信", TPL_WECOM, 1 },
	{ "钉钉", TPL_DINGTALK, 1 },      { NULL, 0, 0 }
};
static const struct cfg_keyword kw_rule[] = {
	{ "util", RULE_UTIL, 0 },     { "speed", RULE_SPEED, 0 },
	{ "errors", RULE_ERRORS, 0 }, { "sla_breach", RULE_SLA, 0 },
	{ NULL, 0, 0 }
};

_Static_assert(sizeof(enum severity) == sizeof(int), "enum stored as int");

#define A(f) CFG_FIELD(alerts_cfg, f)
/* The alerts engine of each generation reads these: all apply in place. */
static const struct cfg_opt alerts_opts[] = {
	/* "" = <storage_dir>/faults.db, filled in at the end */
	{ "journal", CFG_PATH, A(journal), 0, 0, 0, "", NULL, 0, NULL },
	{ "response_critical", CFG_INT, A(response_min[SEV_CRITICAL]), 1,
	  MINUTES_MAX, 30, NULL, NULL, CFG_LIVE, NULL },
	{ "response_major", CFG_INT, A(response_min[SEV_MAJOR]), 1,
	  MINUTES_MAX, 30, NULL, NULL, CFG_LIVE, NULL },
	{ "response_minor", CFG_INT, A(response_min[SEV_MINOR]), 1,
	  MINUTES_MAX, 30, NULL, NULL, CFG_LIVE, NULL },
	{ "response_warning", CFG_INT, A(response_min[SEV_WARNING]), 1,
	  MINUTES_MAX, 30, NULL, NULL, CFG_LIVE, NULL },
	/* 0 = no flapping detection */
	{ "flap_changes", CFG_INT, A(flap_changes), 0, 1000, 5, NULL, NULL,
	  CFG_LIVE, NULL },
	{ "flap_window", CFG_INT, A(flap_window_min), 1, 1440, 30, NULL, NULL,
	  CFG_LIVE, NULL },
	/* 0 = no reminders */
	{ "remind_every", CFG_INT, A(remind_min), 0, MINUTES_MAX, 30, NULL,
	  NULL, CFG_LIVE, NULL },
	/* ICMP echo after a failed poll: "nodata" instead of "down" */
	{ "ping", CFG_ENUM, A(ping), 0, 0, 1, NULL, cfg_kw_bool, CFG_LIVE,
	  NULL },
	{ "nodata_severity", CFG_ENUM, A(nodata_severity), 0, 0, SEV_MINOR,
	  NULL, kw_severity, CFG_LIVE, NULL },
};
#undef A

/* down_after_<role>, up_after_<role>, severity_<role>: */
static const struct cfg_opt alerts_role_opts[] = {
	{ "down_after_", CFG_INT, 0, sizeof(int), 1, 100, 0, NULL, NULL, 0,
	  NULL },
	{ "up_after_", CFG_INT, 0, sizeof(int), 1, 100, 0, NULL, NULL, 0,
	  NULL },
	{ "severity_", CFG_ENUM, 0, sizeof(int), 0, 0, 0, NULL, kw_severity, 0,
	  NULL },
};

#define N(f) CFG_FIELD(notifier_cfg, f)
static const struct cfg_opt notifier_opts[] = {
	{ "type", CFG_ENUM, N(type), 0, 0, 0, NULL, kw_notifier, CFG_REQUIRED,
	  NULL },
	{ "command", CFG_STR, N(command), 0, 0, 0, "", NULL, 0, NULL },
	{ "url", CFG_STR, N(url), 0, 0, 0, "", NULL, 0, NULL },
	{ "template", CFG_ENUM, N(tmpl), 0, 0, TPL_GENERIC, NULL, kw_template,
	  0, NULL },
	{ "timeout", CFG_INT, N(timeout_s), 1, 300, 10, NULL, NULL, 0, NULL },
	{ "retries", CFG_INT, N(retries), 0, 20, 3, NULL, NULL, 0, NULL },
	{ "backoff", CFG_INT, N(backoff_s), 1, 3600, 5, NULL, NULL, 0, NULL },
	{ "events", CFG_STR, N(events), 0, 0, 0, "open,resolve,remind", NULL, 0,
	  NULL },
	{ "min_severity", CFG_ENUM, N(min_severity), 0, 0, SEV_WARNING, NULL,
	  kw_severity, 0, NULL },
};
#undef N

#define M(f) CFG_FIELD(maint_cfg, f)
static const struct cfg_opt maint_opts[] = {
	{ "scope", CFG_SCOPE, M(scope), 0, 0, 0, NULL, NULL,
	  CFG_REQUIRED | CFG_LIVE, NULL },
	{ "start", CFG_STR, M(start), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "end", CFG_STR, M(end), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "days", CFG_STR, M(days), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "at", CFG_STR, M(at), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "duration", CFG_INT, M(duration_min), 1, MINUTES_MAX, 0, NULL, NULL,
	  CFG_LIVE, NULL },
};
#undef M

#define R(f) CFG_FIELD(rule_cfg, f)
/* for = -1: the type's default, chosen at the section's end */
static const struct cfg_opt rule_opts[] = {
	{ "type", CFG_ENUM, R(type), 0, 0, 0, NULL, kw_rule, CFG_REQUIRED,
	  NULL },
	{ "scope", CFG_SCOPE, R(scope), 0, 0, 0, "all", NULL, 0, NULL },
	{ "above", CFG_DOUBLE, R(above), 0, 0, 0, NULL, NULL, 0, NULL },
	{ "clear_below", CFG_DOUBLE, R(clear_below), 0, 0, 0, NULL, NULL, 0,
	  NULL },
	{ "for", CFG_INT, R(for_s), 0, 86400, -1, NULL, NULL, 0, NULL },
	{ "target_mbps", CFG_DOUBLE, R(target_mbps), 0, 0, 0, NULL, NULL, 0,
	  NULL },
	{ "severity", CFG_ENUM, R(severity), 0, 0, SEV_MAJOR, NULL,
	  kw_severity, 0, NULL },
	{ "indicator", CFG_STR, R(indicator), 0, 0, 0, "", NULL, 0, NULL },
	{ "margin", CFG_DOUBLE, R(margin), 0, 0, 0, NULL, NULL, 0, NULL },
	{ "every", CFG_INT, R(every_min), 1, 1440, 5, NULL, NULL, 0, NULL },
};
#undef R

/* Loader scratch of [alerts]: the line of each role-keyed key. */
struct alerts_state {
	int role_seen[3][ROLE_COUNT]; /* down_after_, up_after_, severity_ */
};

/* Defaults the option table cannot give: per severity and per role. */
static void defaults_from(struct alerts_cfg *a, const struct config *cfg)
{
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

static void alerts_init(struct cfg_ctx *c, void *item)
{
	defaults_from(item, cfg_config(c));
}

/* down_after_<role>, up_after_<role>, severity_<role>. */
static int alerts_key(struct cfg_ctx *c, void *item, const char *key,
		      const char *value)
{
	struct alerts_cfg *a = item;
	struct alerts_state *st = cfg_state(c);
	int *fields[] = { a->down_after, a->up_after, a->severity };
	char err[DIAG_MSG_MAX / 2];

	for (size_t k = 0; k < NELEM(alerts_role_opts); k++) {
		const struct cfg_opt *o = &alerts_role_opts[k];
		size_t pl = strlen(o->name);
		int r;

		if (strncasecmp(key, o->name, pl) != 0)
			continue;
		r = role_parse(key + pl);
		if (r < 0) {
			cfg_error(c, cfg_line(c),
				  "unknown role '%s' in key '%s' in [alerts]",
				  key + pl, key);
			return 1;
		}
		if (st->role_seen[k][r] != 0) {
			cfg_error(c, cfg_line(c),
				  "duplicate key '%s' in [alerts] (first at "
				  "line %d)",
				  key, st->role_seen[k][r]);
			return 1;
		}
		st->role_seen[k][r] = cfg_line(c);
		if (cfg_opt_set(c, o, &fields[k][r], value, err, sizeof(err)) <
		    0)
			cfg_error(c, cfg_line(c), "key '%s' in [alerts]: %s", key, err);
		return 1;
	}
	return 0;
}

/* After the file: inherit [general] down/up_after, default journal. */
static void alerts_finish(struct cfg_ctx *c)
{
	struct config *cfg = cfg_config(c);
	struct alerts_cfg *a = alerts_config(cfg);
	struct alerts_state *st = cfg_state(c);
	int n;

	for (int r = 0; r < ROLE_COUNT; r++) {
		if (st->role_seen[0][r] == 0)
			a->down_after[r] = cfg->down_after;
		if (st->role_seen[1][r] == 0)
			a->up_after[r] = cfg->up_after;
	}
	if (a->journal[0] == '\0') {
		n = snprintf(a->journal, sizeof(a->journal), "%s/faults.db",
			     cfg->storage_dir);
		if (n < 0 || (size_t)n >= sizeof(a->journal))
			cfg_error(c, 0, "storage_dir too long for the fault "
					"journal");
	}
}

/* A URL for a message: its scheme and host only. Robot URLs carry their
 * key in the query (WeCom ?key=, DingTalk ?access_token=) or the path,
 * others a user:password@; secrets never appear in messages. */
static const char *url_shown(const char *url, char *buf, size_t len)
{
	const char *host = strstr(url, "://");
	size_t scheme = host != NULL ? (size_t)(host - url) + 3 : 0;
	size_t hl, at;

	if (scheme > 16) /* not a scheme: no "://" in the host part */
		scheme = 0;
	host = url + scheme;
	hl = strcspn(host, "/?#");
	for (at = hl; at > 0 && host[at - 1] != '@'; at--)
		;
	snprintf(buf, len, "%.*s%.*s%s", (int)scheme, url, (int)(hl - at),
		 host + at,
		 host[hl] == '\0' || strcmp(host + hl, "/") == 0 ? host + hl
								 : "/...");
	return buf;
}

static void notifier_end(struct cfg_ctx *c, void *item)
{
	struct notifier_cfg *n = item;
	char buf[1024], *argv[NOTIFIER_ARGV_MAX], shown[96];
	const char *ev;

	if (!cfg_seen(c, "type"))
		return; /* reported */
	if (n->type == NOTIFIER_COMMAND) {
		if (n->command[0] == '\0')
			cfg_missing(c, "command", " (required for type command)");
		else if (config_split_argv(n->command, buf, sizeof(buf), argv,
					   NELEM(argv)) <= 0)
			cfg_error(c, cfg_key_line(c, "command"),
				 "key 'command' in [%s]: unbalanced quote or "
				 "more than %d words",
				 cfg_title(c), NOTIFIER_ARGV_MAX - 1);
	}
	if (n->type == NOTIFIER_WEBHOOK) {
		if (n->url[0] == '\0')
			cfg_missing(c, "url", " (required for type webhook)");
		else if (strncmp(n->url, "http://", 7) != 0 &&
			 strncmp(n->url, "https://", 8) != 0)
			cfg_error(c, cfg_key_line(c, "url"),
				 "key 'url' in [%s]: '%s' is not an http:// or "
				 "https:// URL",
				 cfg_title(c),
				 url_shown(n->url, shown, sizeof(shown)));
	}
	for (ev = n->events; *ev != '\0';) {
		size_t l = strcspn(ev, ",;");
		char w[32];

		snprintf(w, sizeof(w), "%.*s", (int)(l < 31 ? l : 31), ev);
		if (strcmp(w, "open") != 0 && strcmp(w, "resolve") != 0 &&
		    strcmp(w, "remind") != 0 && strcmp(w, "report") != 0)
			cfg_error(c, cfg_key_line(c, "events"),
				 "key 'events' in [%s]: '%s' is not one of "
				 "open, resolve, remind, report",
				 cfg_title(c), w);
		ev += l;
		if (*ev != '\0')
			ev++;
	}
}

/* "YYYY-MM-DD HH:MM" in zone tz (NULL: the process's) -> epoch seconds,
 * or -1. */
static double parse_local_time(const char *s, const char *tz)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d %H:%M", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	tm.tm_isdst = -1;
	t = tz != NULL ? tz_mktime(tz, &tm) : mktime(&tm);
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

static void maint_end_oneoff(struct cfg_ctx *c, struct maint_cfg *m)
{

	if (m->start[0] == '\0' || m->end[0] == '\0') {
		cfg_missing(c, m->start[0] == '\0' ? "start" : "end",
			" (a one-off window needs start and end)");
		return;
	}
	/* checked here, computed again in [general] timezone once the file
	 * is read (maint_finish) */
	m->start_t = parse_local_time(m->start, NULL);
	m->end_t = parse_local_time(m->end, NULL);
	if (m->start_t < 0)
		cfg_error(c, cfg_key_line(c, "start"),
			 "key 'start' in [%s]: '%s' is not YYYY-MM-DD HH:MM",
			 cfg_title(c), m->start);
	if (m->end_t < 0)
		cfg_error(c, cfg_key_line(c, "end"),
			 "key 'end' in [%s]: '%s' is not YYYY-MM-DD HH:MM",
			 cfg_title(c), m->end);
	if (m->start_t >= 0 && m->end_t >= 0 && m->end_t <= m->start_t)
		cfg_error(c, cfg_key_line(c, "end"),
			 "key 'end' in [%s]: not after start", cfg_title(c));
}

static void maint_end_weekly(struct cfg_ctx *c, struct maint_cfg *m)
{
	char bad[32];
	int h, mi, used = 0;

	if (m->days[0] == '\0' || m->at[0] == '\0' || m->duration_min == 0) {
		cfg_missing(c,
			m->days[0] == '\0' ? "days"
			: m->at[0] == '\0' ? "at"
					   : "duration",
			" (a weekly window needs days, at and duration)");
		return;
	}
	m->day_mask = parse_days(m->days, bad, sizeof(bad));
	if (m->day_mask == 0)
		cfg_error(c, cfg_key_line(c, "days"),
			 "key 'days' in [%s]: '%s' is not a day (mon..sun)",
			 cfg_title(c), bad);
	if (sscanf(m->at, "%d:%d%n", &h, &mi, &used) != 2 ||
	    m->at[used] != '\0' || h < 0 || h > 23 || mi < 0 || mi > 59)
		cfg_error(c, cfg_key_line(c, "at"),
			 "key 'at' in [%s]: '%s' is not HH:MM", cfg_title(c),
			 m->at);
	else
		m->at_min = h * 60 + mi;
}

static void maint_end(struct cfg_ctx *c, void *item)
{
	struct maint_cfg *m = item;
	bool oneoff = m->start[0] != '\0' || m->end[0] != '\0';
	bool weekly = m->days[0] != '\0' || m->at[0] != '\0' ||
		      m->duration_min != 0;

	if (oneoff && weekly)
		cfg_error(c, 0,
			 "[%s]: give either start/end or days/at/duration, "
			 "not both",
			 cfg_title(c));
	else if (weekly)
		maint_end_weekly(c, m);
	else
		maint_end_oneoff(c, m);
}

/* One-off windows are local times of [general] timezone, which is known
 * only when the file has been read. */
static void maint_finish(struct cfg_ctx *c)
{
	const struct config *cfg = cfg_config(c);
	size_t n;
	struct maint_cfg *m = alerts_maints(cfg, &n);

	for (size_t i = 0; i < n; i++) {
		double a, b;

		if (m[i].start_t <= 0 || m[i].end_t <= 0)
			continue; /* weekly, or reported */
		a = parse_local_time(m[i].start, cfg->timezone);
		b = parse_local_time(m[i].end, cfg->timezone);
		if (a >= 0 && b > a) {
			m[i].start_t = a;
			m[i].end_t = b;
		}
	}
}

static void rule_end(struct cfg_ctx *c, void *item)
{
	struct rule_cfg *r = item;
	bool has_above = cfg_seen(c, "above") != 0;
	bool has_clear = cfg_seen(c, "clear_below") != 0;

	if (!cfg_seen(c, "type"))
		return; /* reported */
	if (r->for_s < 0)
		r->for_s = r->type == RULE_UTIL ? 300 : 0;
	if (r->type == RULE_SLA) {
		if (!cfg_seen(c, "margin"))
			r->margin = 0.5;
		else if (r->margin < 0)
			cfg_error(c, cfg_key_line(c, "margin"),
				  "key 'margin' in [%s]: %g is below 0",
				  cfg_title(c), r->margin);
		return;
	}
	if (r->type == RULE_SPEED)
		return;
	if (!has_above) {
		cfg_missing(c, "above",
			r->type == RULE_UTIL ? " (required for type util)"
					     : " (required for type errors)");
		return;
	}
	if (r->above < 0 || (r->type == RULE_UTIL && r->above > 100))
		cfg_error(c, cfg_key_line(c, "above"),
			 "key 'above' in [%s]: %g is out of range %s",
			 cfg_title(c), r->above,
			 r->type == RULE_UTIL ? "0..100 (percent)" : ">= 0");
	if (!has_clear)
		r->clear_below = r->above;
	else if (r->clear_below > r->above)
		cfg_error(c, cfg_key_line(c, "clear_below"),
			 "key 'clear_below' in [%s]: %g is above 'above' (%g)",
			 cfg_title(c), r->clear_below, r->above);
}

const struct cfg_section alerts_section = {
	.name = "alerts",
	.size = sizeof(struct alerts_cfg),
	.line_off = offsetof(struct alerts_cfg, line),
	.opts = alerts_opts,
	.nopts = NELEM(alerts_opts),
	.init = alerts_init,
	.key = alerts_key,
	.finish = alerts_finish,
	.state_size = sizeof(struct alerts_state),
};

const struct cfg_section notifier_section = {
	.name = "notifier",
	.flags = CFG_SEC_NAMED,
	.size = sizeof(struct notifier_cfg),
	.line_off = offsetof(struct notifier_cfg, line),
	.opts = notifier_opts,
	.nopts = NELEM(notifier_opts),
	.end = notifier_end,
};

const struct cfg_section maint_section = {
	.name = "maintenance",
	.flags = CFG_SEC_NAMED,
	.size = sizeof(struct maint_cfg),
	.line_off = offsetof(struct maint_cfg, line),
	.opts = maint_opts,
	.nopts = NELEM(maint_opts),
	.end = maint_end,
	.finish = maint_finish,
};

const struct cfg_section rule_section = {
	.name = "rule",
	.flags = CFG_SEC_NAMED,
	.size = sizeof(struct rule_cfg),
	.line_off = offsetof(struct rule_cfg, line),
	.opts = rule_opts,
	.nopts = NELEM(rule_opts),
	.end = rule_end,
};

int alerts_config_register(void)
{
	const struct cfg_section *s[] = { &alerts_section, &notifier_section,
					  &maint_section, &rule_section };
	int rc;

	for (size_t i = 0; i < NELEM(s); i++) {
		rc = config_section_register(s[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct alerts_cfg *alerts_config(const struct config *cfg)
{
	return config_item(cfg, &alerts_section);
}

struct notifier_cfg *alerts_notifiers(const struct config *cfg, size_t *ret_n)
{
	return config_items(cfg, &notifier_section, ret_n);
}

struct maint_cfg *alerts_maints(const struct config *cfg, size_t *ret_n)
{
	return config_items(cfg, &maint_section, ret_n);
}

struct rule_cfg *alerts_rules(const struct config *cfg, size_t *ret_n)
{
	return config_items(cfg, &rule_section, ret_n);
}

void alerts_cfg_defaults(struct config *cfg)
{
	struct alerts_cfg *a = alerts_config(cfg);

	if (a == NULL)
		return;
	memset(a, 0, sizeof(*a));
	defaults_from(a, cfg);
}

int alerts_notifiers_changed(const struct config *a, const struct config *b)
{
	size_t na, nb;
	const struct notifier_cfg *x = alerts_notifiers(a, &na);
	const struct notifier_cfg *y = alerts_notifiers(b, &nb);

	if (na != nb)
		return 1;
	for (size_t i = 0; i < na; i++)
		if (strcmp(x[i].name, y[i].name) != 0 ||
		    config_item_changed(&notifier_section, &x[i], &y[i]))
			return 1;
	return 0;
}
