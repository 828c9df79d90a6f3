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

struct report_opts {
	const char *out_dir; /* created when missing */
	const char *lang;    /* "zh" (default) or "en" */
	const char *font;    /* NULL: REPORT_FONT_DEFAULT */
	double now;          /* evaluation time */
	int no_graphs;       /* skip rrd_graph (tests of the tables only) */
	int no_record;       /* do not add to reports/produced.tsv */
};

/* Writes <out_dir>/slamon-<YYYY-MM>.{html,xlsx,json} and
 * slamon-<YYYY-MM>-{indicators,links,units,faults}.csv for month p (any
 * period works; the label names the files). Records the report in
 * <storage_dir>/reports/produced.tsv first (so it counts itself), unless
 * o->no_record. On success *ret (may be NULL) gets the evaluated result,
 * which the caller frees. Returns 0 or a negative errno with err. */
int report_period(const struct config *cfg, const struct sla_period *p,
		  const struct report_opts *o, struct sla_result **ret,
		  char *err, size_t errlen);

/* The annual summary: the 12 months side by side and the whole year, as
 * <out_dir>/slamon-<YYYY>.{html,xlsx,json} and slamon-<YYYY>.csv. */
int report_year(const struct config *cfg, int year,
		const struct report_opts *o, char *err, size_t errlen);

/* Draws the traffic graph of link l over p (storage_chart_png) into a
 * PNG held in memory (*ret_png, malloc'd, *ret_len bytes), title and
 * legend in lang, with font (fontconfig name). Returns 0 or a negative
 * errno (-EIO: librrd's error) with the file named in err. */
int report_graph_png(const struct config *cfg, const struct sla_period *p,
		     const struct sla_link *l, const char *lang,
		     const char *font, unsigned char **ret_png,
		     size_t *ret_len, char *err, size_t errlen);

#endif
