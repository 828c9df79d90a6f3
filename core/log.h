/*
 * log.h - levelled logging to stderr or syslog, in the OpenBSD ntpd manner:
 * log_warn appends strerror(errno), log_warnx does not.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_LOG_H
#define SLAMON_LOG_H

#include <stdint.h>

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };

/* Chooses where lines go ("stderr" or "syslog") and the lowest level
 * shown. Unknown values keep the defaults (stderr, info). */
void log_init(const char *target, const char *level, const char *ident);
int log_level_parse(const char *name); /* -1 when unknown */

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Complaint throttling for a target that keeps failing (collectd's
 * c_complain): the first failure is logged, then again after 1, 2, 4 ...
 * minutes (capped at one hour); c_release logs once on recovery. */
struct complain {
	double next;     /* wall time of the next allowed complaint */
	double interval; /* seconds, doubles each complaint */
	int active;
};

void c_complain(struct complain *c, double now, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void c_release(struct complain *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
