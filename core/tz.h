/*
 * tz.h - [general] timezone as the zone of every time a user reads.
 * glibc has no per-call zone: localtime_r(3) and mktime(3) follow TZ. The
 * programs therefore make the configured zone the process's own once,
 * while they are single-threaded (slamond at start-up, slamon after
 * loading its configuration), and every formatter and parser that uses
 * the C library's local time (fault lists, notifications, maintenance
 * windows) is in that zone. tz_mktime/tz_localtime switch TZ around one
 * call only when the process's zone is another one (the loader before
 * tz_apply, tests).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TZ_H
#define SLAMON_TZ_H

#include <time.h>

/* Can the C library load zone tz ("UTC", "Asia/Shanghai")? A name it
 * cannot load would silently be UTC, so its zoneinfo file is looked for
 * ($TZDIR, else /usr/share/zoneinfo). */
int tz_valid(const char *tz);

/* Makes tz the process's local zone (setenv TZ, tzset). Call while the
 * process has one thread. 0, or -EINVAL for an unknown zone (nothing
 * changed). */
int tz_apply(const char *tz);

/* Is tz the process's local zone now (TZ set to exactly tz)? */
int tz_is_current(const char *tz);

/* mktime(3) / localtime_r(3) in zone tz. (time_t)-1 / NULL on error or
 * an unknown zone. Switches TZ around the call when tz is not the
 * process's zone: only while single-threaded. */
time_t tz_mktime(const char *tz, struct tm *tm);
struct tm *tz_localtime(const char *tz, time_t t, struct tm *ret);

#endif
