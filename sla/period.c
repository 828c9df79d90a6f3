/*
 * period.c - reporting periods cut in the configured time zone. The zone
 * is applied by switching TZ around mktime(3)/localtime_r(3) (tzset(3)),
 * so DST zones and zones whose offset changed in history come out right;
 * the slamon CLI is single-threaded, which this relies on.
 * SPDX-License-Identifier: MIT
 */
#include "sla.h"

#include "core/tz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tz_save {
	char old[256];
	int had, same;
};

/* Nothing to switch when tz is the process's zone already (slamond
 * applies [general] timezone at start-up, core/tz.h): then the daemon's
 * threads that evaluate indicators never touch the environment. */
static void tz_enter(const char *tz, struct tz_save *s)
{
	const char *old = getenv("TZ");

	s->same = old != NULL && strcmp(old, tz) == 0;
	if (s->same) {
		tzset(); /* reads TZ, changes nothing: localtime_r does not */
		return;
	}
	s->had = old != NULL;
	snprintf(s->old, sizeof(s->old), "%s", old != NULL ? old : "");
	setenv("TZ", tz, 1);
	tzset();
}

static void tz_leave(const struct tz_save *s)
{
	if (s->same)
		return;
	if (s->had)
		setenv("TZ", s->old, 1);
	else
		unsetenv("TZ");
	tzset();
}

int sla_local_mktime(const char *tz, int year, int month, int day, int hour,
		     int min, double *ret_t)
{
	struct tz_save s;
	struct tm tm;
	time_t t;

	if (!tz_valid(tz))
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_isdst = -1;
	tz_enter(tz, &s);
	t = mktime(&tm);
	tz_leave(&s);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret_t = (double)t;
	return 0;
}

int sla_local_tm(const char *tz, double t, struct tm *ret)
{
	struct tz_save s;
	time_t tt = (time_t)t;
	struct tm *r;

	if (!tz_valid(tz))
		return -EINVAL;
	tz_enter(tz, &s);
	r = localtime_r(&tt, ret);
	tz_leave(&s);
	return r != NULL ? 0 : -EINVAL;
}

void sla_local_fmt(const char *tz, double t, char *out, size_t outlen)
{
	struct tm tm;

	if (t == 0 || t != t || sla_local_tm(tz, t, &tm) < 0) {
		snprintf(out, outlen, "-");
		return;
	}
	snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* [first day of month m1, first day of month m2) of year y (m2 may be 13). */
static int months(const char *tz, int y, int m1, int m2, struct sla_period *p)
{
	int rc;

	snprintf(p->tz, sizeof(p->tz), "%s", tz);
	p->year = y;
	rc = sla_local_mktime(tz, y, m1, 1, 0, 0, &p->from);
	if (rc < 0)
		return rc;
	if (m2 > 12)
		return sla_local_mktime(tz, y + 1, m2 - 12, 1, 0, 0, &p->to);
	return sla_local_mktime(tz, y, m2, 1, 0, 0, &p->to);
}

int sla_period_month(const char *tz, int year, int month,
		     struct sla_period *p)
{
	if (month < 1 || month > 12 || year < 1970 || year > 9999)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->kind = SLA_MONTH;
	p->month = month;
	snprintf(p->label, sizeof(p->label), "%04d-%02d", year, month);
	return months(tz, year, month, month + 1, p);
}

int sla_period_quarter(const char *tz, int year, int quarter,
		       struct sla_period *p)
{
	if (quarter < 1 || quarter > 4 || year < 1970 || year > 9999)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->kind = SLA_QUARTER;
	p->quarter = quarter;
	snprintf(p->label, sizeof(p->label), "%04d-Q%d", year, quarter);
	return months(tz, year, quarter * 3 - 2, quarter * 3 + 1, p);
}

int sla_period_year(const char *tz, int year, struct sla_period *p)
{
	if (year < 1970 || year > 9999)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->kind = SLA_YEAR;
	snprintf(p->label, sizeof(p->label), "%04d", year);
	return months(tz, year, 1, 13, p);
}

static int parse_day(const char *s, int *y, int *m, int *d)
{
	char tail;

	return sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) == 3 && *m >= 1 &&
	       *m <= 12 && *d >= 1 && *d <= 31;
}

static int parse_range(const char *tz, const char *text, struct sla_period *p)
{
	char a[32], b[32];
	const char *dots = strstr(text, "..");
	int y1, m1, d1, y2, m2, d2, rc;

	if (dots == NULL || (size_t)(dots - text) >= sizeof(a) ||
	    strlen(dots + 2) >= sizeof(b))
		return -EINVAL;
	memcpy(a, text, (size_t)(dots - text));
	a[dots - text] = '\0';
	snprintf(b, sizeof(b), "%s", dots + 2);
	if (!parse_day(a, &y1, &m1, &d1) || !parse_day(b, &y2, &m2, &d2))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->kind = SLA_RANGE;
	p->year = y1;
	snprintf(p->tz, sizeof(p->tz), "%s", tz);
	snprintf(p->label, sizeof(p->label), "%s..%s", a, b);
	rc = sla_local_mktime(tz, y1, m1, d1, 0, 0, &p->from);
	if (rc == 0) /* mktime normalises day 32 into the next month */
		rc = sla_local_mktime(tz, y2, m2, d2 + 1, 0, 0, &p->to);
	if (rc == 0 && p->to <= p->from)
		rc = -EINVAL;
	return rc;
}

int sla_period_parse(const char *tz, const char *text, struct sla_period *p,
		     char *err, size_t errlen)
{
	int y, n, rc = -EINVAL;
	char c, tail;

	if (!tz_valid(tz)) {
		snprintf(err, errlen, "unknown time zone '%s'", tz);
		return -EINVAL;
	}
	if (strstr(text, "..") != NULL)
		rc = parse_range(tz, text, p);
	else if (sscanf(text, "%4d-Q%1d%c", &y, &n, &tail) == 2 ||
		 sscanf(text, "%4d-q%1d%c", &y, &n, &tail) == 2)
		rc = sla_period_quarter(tz, y, n, p);
	else if (sscanf(text, "%4d-%2d%c", &y, &n, &tail) == 2)
		rc = sla_period_month(tz, y, n, p);
	else if (sscanf(text, "%4d%c", &y, &c) == 1 && strlen(text) == 4)
		rc = sla_period_year(tz, y, p);
	if (rc < 0)
		snprintf(err, errlen,
			 "bad period '%s' (YYYY-MM, YYYY-Qn, YYYY or "
			 "YYYY-MM-DD..YYYY-MM-DD)",
			 text);
	return rc;
}
