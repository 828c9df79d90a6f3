/*
 * tz.c - the configured zone as the process's local zone (see tz.h).
 * SPDX-License-Identifier: MIT
 */
#include "tz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tz_valid(const char *tz)
{
	char path[512];
	const char *dir = getenv("TZDIR");

	if (tz == NULL || tz[0] == '\0' || strstr(tz, "..") != NULL)
		return 0;
	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "GMT") == 0)
		return 1;
	snprintf(path, sizeof(path), "%s/%s",
		 dir != NULL ? dir : "/usr/share/zoneinfo", tz);
	return access(path, R_OK) == 0;
}

int tz_apply(const char *tz)
{
	if (!tz_valid(tz))
		return -EINVAL;
	if (setenv("TZ", tz, 1) < 0)
		return -errno;
	tzset();
	return 0;
}

int tz_is_current(const char *tz)
{
	const char *cur = getenv("TZ");

	return cur != NULL && tz != NULL && strcmp(cur, tz) == 0;
}

struct tz_save {
	char old[256];
	int had, switched;
};

static int enter(const char *tz, struct tz_save *s)
{
	const char *old = getenv("TZ");

	s->switched = 0;
	if (tz_is_current(tz)) {
		tzset(); /* reads TZ, changes nothing: localtime_r does not */
		return 0;
	}
	if (!tz_valid(tz))
		return -EINVAL;
	s->had = old != NULL;
	snprintf(s->old, sizeof(s->old), "%s", old != NULL ? old : "");
	setenv("TZ", tz, 1);
	tzset();
	s->switched = 1;
	return 0;
}

static void leave(const struct tz_save *s)
{
	if (!s->switched)
		return;
	if (s->had)
		setenv("TZ", s->old, 1);
	else
		unsetenv("TZ");
	tzset();
}

time_t tz_mktime(const char *tz, struct tm *tm)
{
	struct tz_save s;
	time_t t;

	if (enter(tz, &s) < 0)
		return (time_t)-1;
	t = mktime(tm);
	leave(&s);
	return t;
}

struct tm *tz_localtime(const char *tz, time_t t, struct tm *ret)
{
	struct tz_save s;
	struct tm *r;

	if (enter(tz, &s) < 0)
		return NULL;
	r = localtime_r(&t, ret);
	leave(&s);
	return r;
}
