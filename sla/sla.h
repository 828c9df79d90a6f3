/*
 * sla.h - the SLA engine: evaluates every configured indicator of the
 * budget performance table over a period (month, quarter, year or any
 * range, cut in the configured time zone) from what storage holds (RRD
 * files, 5-minute AVERAGE rows of traffic) and the fault journal (state
 * intervals for availability, faults). It never polls, so
 * any past period can be rebuilt and checked by hand with `rrdtool fetch`.
 * See docs/sla.md for every metric kind and its formula.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SLA_H
#define SLAMON_SLA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "alerts/config.h"
#include "core/config.h"
#include "probes/capture_config.h"
#include "sla/indicators.h"
#include "storage/journal.h"

/* Every series is read on this grid: the 5-minute AVERAGE rows that the
 * device and traffic files keep for 400 days. */
#define SLA_STEP 300

enum sla_period_kind { SLA_MONTH, SLA_QUARTER, SLA_YEAR, SLA_RANGE };

/* [from, to) in epoch seconds; label "2026-10", "2026-Q4", "2026" or
 * "2026-10-01..2026-10-15". */
struct sla_period {
	enum sla_period_kind kind;
	int year, month, quarter; /* month 1..12, quarter 1..4 when used */
	double from, to;
	char label[80];
	char tz[64];
};

/* Local calendar time in zone tz (an IANA name such as "Asia/Shanghai")
 * to epoch seconds; month 1..12. Returns 0 or -EINVAL (unknown zone). */
int sla_local_mktime(const char *tz, int year, int month, int day, int hour,
		     int min, double *ret_t);
/* Epoch seconds to local calendar time in zone tz. */
int sla_local_tm(const char *tz, double t, struct tm *ret);
/* "YYYY-MM-DD HH:MM" in zone tz; "-" for t == 0. */
void sla_local_fmt(const char *tz, double t, char *out, size_t outlen);

/* Fills *p for a calendar month / quarter / year in tz. -EINVAL on a bad
 * month or quarter or an unknown zone. */
int sla_period_month(const char *tz, int year, int month,
		     struct sla_period *p);
int sla_period_quarter(const char *tz, int year, int quarter,
		       struct sla_period *p);
int sla_period_year(const char *tz, int year, struct sla_period *p);
/* Parses "2026-10" (month), "2026-Q4" (quarter), "2026" (year) or
 * "2026-10-01..2026-10-15" (range of whole local days, both included).
 * Returns 0 or -EINVAL with a one-line reason in err. */
int sla_period_parse(const char *tz, const char *text, struct sla_period *p,
		     char *err, size_t errlen);

/* Outcome of one indicator. */
enum sla_state { SLA_MET, SLA_BREACHED, SLA_NODATA };

struct sla_value {
	struct indicator ind; /* copy of the configured indicator */
	double value;         /* NAN when there is no data */
	double target;        /* the target applied (pro-rated for
	                         report_count over less than a year) */
	enum sla_state state;
	char evidence_zh[512];
	char evidence_en[512];
	char reason[JOURNAL_REASON_MAX]; /* 偏差原因 given for a month
	                                    (`slamon report annotate`), or "" */
};

/* Availability of one device over the elapsed period, seconds, from the
 * journal's state intervals (sla/avail.c). up + down + unknown + maint =
 * the elapsed period's length; unreach_s is the part of down_s the device
 * was unreachable behind a parent. */
struct sla_avail {
	double up_s, down_s, unknown_s, maint_s;
	double unreach_s;
	double known_s;                /* with a recorded state, maintenance
	                                  included (completeness) */
	size_t buckets, known_buckets; /* 5-minute units expected / known
	                                  (known_s / 300, rounded) */
	size_t changes;                /* state changes in the period */
	int seen_up;                   /* some time up */
	int has_states;                /* some state ever recorded */
};

/* One backbone or exit interface: utilisation from its 5-minute rows.
 * "max" = max(in, out) per row, "sum" = in + out per row; bits/s. */
struct sla_link {
	size_t dev;
	char ifname[256];
	char file[4096];
	double capacity_mbps; /* contracted capacity of the device */
	size_t samples;       /* rows with both directions known */
	double avg_max, peak_max, p95_max;
	double avg_sum, peak_sum, p95_sum;
	double avg_in, avg_out;
};

/* A fault of the period with its derived times (seconds, NAN when the
 * step did not happen). */
struct sla_fault {
	struct fault f;
	double response_s; /* ack - detect */
	double repair_s;   /* resolved - first failed sample */
	int acked_in_time;
};

/* ---- captured links (issue 6) ---- */

#define SLA_TOP_MAX 32

/* One entry of a summed top list: a talker (family 4/6 and addr) or a
 * port (ipproto 6/17 and port). */
struct sla_top {
	uint8_t family;
	uint8_t addr[16];
	uint8_t ipproto;
	uint16_t port;
	uint64_t bytes, packets;
	size_t intervals; /* intervals whose top list held it */
};

/* A [capture NAME] link over a range, from the interval records in the
 * journal. The top lists are the sums of the per-interval top-N lists
 * (an address or port outside an interval's top N adds nothing for that
 * interval), largest first. */
struct sla_capture {
	char name[64], device[64];
	int dev;              /* index in cfg->devices, -1 when unknown */
	size_t top_n;         /* entries kept per list */
	size_t intervals;     /* records starting in [from, to) */
	uint64_t records, packets, bytes, in_bytes, out_bytes;
	uint64_t drops;       /* ring + interface drops, measured ones */
	double expected_s;    /* to - from */
	double covered_s;     /* seconds covered by a record */
	double collected_s;   /* covered, less each interval's drop share
	                         drops / (records + drops) */
	size_t nlocal, nremote, nports;
	struct sla_top local[SLA_TOP_MAX];
	struct sla_top remote[SLA_TOP_MAX];
	struct sla_top ports[SLA_TOP_MAX];
};

/* Sums the records of capture link over [from, to) from the journal at
 * path into *ret (name and device set, dev = -1, top lists cut at top_n
 * <= SLA_TOP_MAX). Intervals count in the range they start in; coverage
 * prorates intervals at the edges. A missing journal or an unknown link
 * gives zero intervals. Returns 0 or a negative errno with err (a journal
 * that cannot be read, a damaged record named by link and time). */
int sla_capture_load(const char *path, const char *link, double from,
		     double to, size_t top_n, struct sla_capture *ret,
		     char *err, size_t errlen);

/* An entry's text: the address ("10.1.0.1", "2001:db8::1") of a talker,
 * "tcp/443" or "udp/53" of a port. Returns buf. */
const char *sla_top_label(const struct sla_top *e, char *buf, size_t len);

/* Completeness of a captured link in percent: collected_s / expected_s;
 * NAN when nothing was expected. */
double sla_capture_completeness(const struct sla_capture *c);

struct sla_result {
	struct sla_period period;
	double now;            /* evaluation time */
	struct sla_value *values;
	size_t nvalues;
	struct sla_avail *avail; /* one per cfg->devices entry */
	size_t ndevices;
	struct sla_link *links;
	size_t nlinks;
	struct sla_fault *faults; /* detected in the period, by id */
	size_t nfaults;
	struct sla_capture *captures; /* one per cfg->captures entry */
	size_t ncaptures;
	size_t maint_windows;  /* journal maintenance rows in the period */
	size_t simulated;      /* devices tagged "simulated" */
	size_t reports;        /* distinct months with a produced report */
};

/* Evaluates every indicator of cfg over p at time now (the journal is
 * cfg->alerts.journal, opened read-only; a missing journal means no
 * faults). Returns 0 and *ret (free with sla_result_destroy), or a
 * negative errno with one line in err. An indicator without data is not an
 * error: its state is SLA_NODATA. */
int sla_evaluate(const struct config *cfg, const struct sla_period *p,
		 double now, struct sla_result **ret, char *err,
		 size_t errlen);

void sla_result_destroy(struct sla_result *r);

/* Whether a report reads the monthly 95th percentile of device d's
 * interfaces (a link endpoint): role backbone or exit, or in the scope of
 * a capacity_* or util_* indicator. Their traffic files keep 5-minute rows
 * for 400 days (struct if_row's link, docs/storage.md). */
int sla_link_device(const struct config *cfg, size_t d);

/* 95th percentile as burstable billing computes it: sort the n known
 * samples, discard the top 5 %, take the highest remaining (index
 * ceil(0.95 n) - 1). NAN when n == 0. Sorts v in place. */
double sla_p95(double *v, size_t n);

/* Records that the report of month YYYY-MM was made final (at t; path: its
 * manifest): one line appended to <storage_dir>/reports/produced.tsv.
 * Called by report_final only, after the files were checked. */
int sla_report_record(const struct config *cfg, const char *month, double t,
		      const char *path, char *err, size_t errlen);
/* Distinct months of year (1..up_to_month) with a produced report. */
int sla_report_count(const struct config *cfg, int year, int up_to_month,
		     size_t *ret_n);

/* "达标"/"met" etc. for state in lang ("zh" or "en"). */
const char *sla_state_name(enum sla_state s, const char *lang);

#endif
