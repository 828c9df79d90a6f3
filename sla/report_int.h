/*
 * report_int.h - shared by the report writers in sla/ only.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_REPORT_INT_H
#define SLAMON_REPORT_INT_H

#include <stdio.h>

#include "report.h"

/* Words of the report in one language. */
struct rpt_words {
	const char *title, *year_title, *period, *zone, *generated, *simulated,
		*s_ind, *s_bw, *s_p95, *s_units, *s_faults, *s_complete,
		*s_notes, *lvl1, *lvl2, *lvl3, *target, *actual, *met,
		*deviation, *evidence, *device, *iface, *capacity, *avg, *peak,
		*p95max, *p95sum, *util95, *samples, *unit, *share, *down_h,
		*unknown_h, *maint_h, *fid, *object, *kind, *severity,
		*detected, *deadline, *resp_min, *repair_min, *in_time,
		*satisf, *role, *ndev, *expected, *collected, *yes, *no,
		*none, *annual, *month, *nographs, *mtta, *mttr, *total,
		*s_cap, *cap_note, *cap_local, *cap_remote, *cap_ports,
		*cap_rank, *cap_addr, *cap_port, *cap_bytes, *cap_packets,
		*cap_ivs, *cap_share, *cap_link, *cap_drops, *cap_none,
		*cap_complete, *no_reason;
};
const struct rpt_words *report__words(const char *lang);

/* The 偏差原因 cell of v: the reason given (`slamon report annotate`);
 * for an indicator not met without one, w->no_reason (the draft flags
 * it); else "". Sets *ret_missing to 1 in the flagged case. */
const char *report__reason(const struct sla_value *v,
			   const struct rpt_words *w, int *ret_missing);

/* The value of indicator id in r (NULL r, or none: NULL). */
const struct sla_value *report__find_value(const struct sla_result *r,
					   const char *id);

/* Writes s to f HTML-escaped (< > & "): report_html.c, and pandoc's
 * input in report_docx.c. */
void report__esc(FILE *f, const char *s);

/* The data completeness table's rows, in order: each role that has
 * devices, each captured link, then the total (w->total). expected and
 * got are 5-minute units; got sums each device's known_buckets when
 * rounded (the monthly document), else known_s / SLA_STEP (the annual
 * HTML, as the indicator counts). */
typedef void (*report__complete_fn)(void *arg, const char *label, size_t n,
				    double expected, double got);
void report__completeness(const struct config *cfg,
			  const struct sla_result *r,
			  const struct rpt_words *w, int en, int rounded,
			  report__complete_fn row, void *arg);

/* The unit of the device a fault is on (its object "device" or
 * "device/interface"); "" when the device is not in the inventory. */
const char *report__fault_unit(const struct config *cfg,
			       const struct sla_fault *sf);

/* base64 of n bytes, malloc'd, NUL-terminated. */
char *report__base64(const unsigned char *p, size_t n);

/* Up share of a device in percent (unknown time counts as not up);
 * NAN without any time. */
double report__share(const struct sla_avail *a);
/* The months that `slamon-simulate-history` wrote (<storage_dir>/
 * SIMULATED: month, from, to, ... tab-separated) overlapping period p, as
 * "2026-10, 2026-11" into out ("" when none): those numbers are not
 * measurements, and the reports say so. */
void report__simulated_months(const struct config *cfg,
			      const struct sla_period *p, char *out,
			      size_t len);
/* Indices of the access devices (one per unit), worst share first; idx
 * must hold cfg->ndevices entries. Returns the count. */
size_t report__units(const struct config *cfg, const struct sla_result *r,
		     size_t *idx);

FILE *report__open(const struct report_opts *o, const char *label,
		   const char *suffix, char *path, size_t pathlen, char *err,
		   size_t errlen);
int report__close(FILE *f, const char *path, char *err, size_t errlen);

/* ---- the set of files (report_files.c) ---- */

/* Empties (what a killed run left) and creates the staging folder of
 * label, <o->out_dir>/.slamon-<label>.partial, into stage; the writers
 * write there. 0 or a negative errno with err. */
int report__stage_begin(const struct report_opts *o, const char *label,
			char *stage, size_t stagelen, char *err,
			size_t errlen);
/* Syncs the files of stage, removes the old manifest, renames each file
 * to <o->out_dir>/<name>, then writes the manifest slamon-<label>.sha256
 * (sha256sum format) under a temporary name, syncs and renames it, and
 * removes stage. 0 or a negative errno with err (stage removed too). */
int report__stage_commit(const struct report_opts *o, const char *label,
			 const char *stage, char *err, size_t errlen);
/* Removes stage and what it holds (a failed report). */
void report__stage_abort(const char *stage);
/* Lowercase hex SHA-256 of the file at path. 0 or a negative errno
 * (-ENOENT: missing) with err. */
int report__sha256_file(const char *path, char hex[65], char *err,
			size_t errlen);
/* The tests' kill -9 during writing: when $SLAMON_TEST_REPORT_KILL is a
 * suffix of path (".json"), the process sends itself SIGKILL. */
void report__test_kill(const char *path);

/* "123.45" or "-" for NAN, with the indicator's unit. */
void report__value(double v, const char *unit, char *out, size_t outlen);
/* "9.87 Gbps" etc. */
void report__bps(double bps, char *out, size_t outlen);
/* "1.23 GB" etc. (powers of 1000) */
void report__bytes(double bytes, char *out, size_t outlen);

int report__json(const struct config *cfg, const struct sla_result *r,
		 const struct report_opts *o, char *err, size_t errlen);
int report__csv(const struct config *cfg, const struct sla_result *r,
		const struct report_opts *o, char *err, size_t errlen);
int report__xlsx(const struct config *cfg, const struct sla_result *r,
		 const struct report_opts *o, char *err, size_t errlen);
int report__year_html(const struct config *cfg, struct sla_result *const *m,
		      const struct sla_result *y, const struct report_opts *o,
		      char *err, size_t errlen);
int report__year_data(const struct config *cfg, struct sla_result *const *m,
		      const struct sla_result *y, const struct report_opts *o,
		      char *err, size_t errlen);

#endif
