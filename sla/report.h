/*
 * report.h - the monthly operations report (信息系统运维月报表) and the
 * annual summary: one self-contained HTML file (graphs embedded as data:
 * URIs, print CSS for A4), and the same numbers as XLSX, CSV and JSON.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_REPORT_H
#define SLAMON_REPORT_H

#include <stddef.h>

#include "sla.h"

/* The font rrd_graph draws with unless told otherwise (fontconfig name;
 * Debian fonts-noto-cjk). */
#define REPORT_FONT_DEFAULT "Noto Sans CJK SC"

/* The files of a month's set (--format); the JSON is always written: it
 * is the record `report final` checks besides the documents. */
#define REPORT_FMT_HTML 1u
#define REPORT_FMT_PDF 2u
#define REPORT_FMT_DOCX 4u
#define REPORT_FMT_XLSX 8u
#define REPORT_FMT_CSV 16u
#define REPORT_FMT_JSON 32u
#define REPORT_FMT_ALL 63u

struct report_opts {
	const char *out_dir; /* created when missing */
	const char *lang;    /* "zh" (default) or "en" */
	const char *font;    /* NULL: REPORT_FONT_DEFAULT */
	double now;          /* evaluation time */
	int no_graphs;       /* skip every chart (tests of the tables only) */
	unsigned formats;    /* REPORT_FMT_*; 0: all */
};

/* "pdf,docx,html,xlsx,csv,json" (any of them, comma-separated) into
 * *ret (JSON added). 0, or -EINVAL naming the word in err. */
int report_formats_parse(const char *text, unsigned *ret, char *err,
			 size_t errlen);

/* Writes the draft <out_dir>/slamon-<YYYY-MM>.{html,pdf,docx,xlsx,json}
 * (the documents open with 本月运行概况: the operator's text stored with
 * journal_summary_set, else a generated one) and
 * slamon-<YYYY-MM>-{indicators,links,units,faults,talkers}.csv for month p
 * (any period works; the label names the files) as one set: written in a
 * staging folder, renamed to their names when all are complete, then the
 * manifest slamon-<label>.sha256 (report_files.c). A draft does not count
 * for report_count: report_final does. On success *ret (may be NULL) gets
 * the evaluated result, which the caller frees. Returns 0 or a negative
 * errno with err. */
int report_period(const struct config *cfg, const struct sla_period *p,
		  const struct report_opts *o, struct sla_result **ret,
		  char *err, size_t errlen);

/* The annual summary: the 12 months side by side and the whole year, as
 * <out_dir>/slamon-<YYYY>.{html,xlsx,json} and slamon-<YYYY>.csv, written
 * as one set with its manifest like report_period. */
int report_year(const struct config *cfg, int year,
		const struct report_opts *o, char *err, size_t errlen);

/* Makes the draft of month p in o->out_dir final: checks every file the
 * manifest slamon-<YYYY-MM>.sha256 lists against its SHA-256 (and that
 * it lists the JSON and a document: PDF, DOCX or HTML), then records the month in
 * <storage_dir>/reports/produced.tsv, so it counts for report_count.
 * Returns 0; -EBADMSG when a file is missing or does not match (named in
 * err) or the manifest is damaged; -ENOENT without a manifest; -EINVAL
 * for a period that is not a month; else a negative errno with err. */
int report_final(const struct config *cfg, const struct sla_period *p,
		 const struct report_opts *o, char *err, size_t errlen);

/* Draws the utilisation graph of link l over p (storage_chart_png: in
 * and out in % of the contracted capacity, its 95th percentile and the
 * capacity line, days labelled 11月3日) into a PNG held in memory (*ret_png, malloc'd, *ret_len bytes), title and
 * legend in lang, with font (fontconfig name). Returns 0 or a negative
 * errno (-EIO: librrd's error) with the file named in err. */
int report_graph_png(const struct config *cfg, const struct sla_period *p,
		     const struct sla_link *l, const char *lang,
		     const char *font, unsigned char **ret_png,
		     size_t *ret_len, char *err, size_t errlen);

#endif
