/*
 * log.c - levelled logging to stderr or syslog.
 * SPDX-License-Identifier: MIT
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static int use_syslog;
static int min_level = LOG_LVL_INFO;

int log_level_parse(const char *name)
{
	static const char *names[] = {"debug", "info", "warn", "error"};

	for (int i = 0; i < 4; i++)
		if (strcasecmp(name, names[i]) == 0)
			return i;
	return -1;
}

void log_init(const char *target, const char *level, const char *ident)
{
	int lvl = level ? log_level_parse(level) : -1;

	if (lvl >= 0)
		min_level = lvl;
	use_syslog = target && strcmp(target, "syslog") == 0;
	if (use_syslog)
		openlog(ident ? ident : "slamond", LOG_PID | LOG_NDELAY,
			LOG_DAEMON);
}

static void vlog(int lvl, int with_errno, const char *fmt, va_list ap)
{
	static const int prio[] = {LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR};
	static const char *tag[] = {"debug", "info", "warn", "error"};
	char msg[1024];
	int saved = errno;
	size_t n;

	if (lvl < min_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	if (with_errno && n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	if (use_syslog) {
		syslog(prio[lvl], "%s", msg);
	} else {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s %s: %s\n", ts, tag[lvl], msg);
	}
	errno = saved;
}

#define LOG_FN(fn, lvl, e)                                                    \
	void fn(const char *fmt, ...)                                         \
	{                                                                     \
		va_list ap;                                                   \
		va_start(ap, fmt);                                            \
		vlog(lvl, e, fmt, ap);                                        \
		va_end(ap);                                                   \
	}
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_errorx, LOG_LVL_ERROR, 0)

void c_complain(struct complain *c, double now, const char *fmt, ...)
{
	va_list ap;

	if (c->active && now < c->next)
		return;
	c->interval = c->active ? c->interval * 2 : 60;
	if (c->interval > 3600)
		c->interval = 3600;
	c->next = now + c->interval;
	c->active = 1;
	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, 0, fmt, ap);
	va_end(ap);
}

void c_release(struct complain *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->active)
		return;
	c->active = 0;
	c->interval = 0;
	c->next = 0;
	va_start(ap, fmt);
	vlog(LOG_LVL_INFO, 0, fmt, ap);
	va_end(ap);
}
