/*
 * report_doc.h - the monthly report as a document: a list of blocks
 * (headings, paragraphs, tables, images) built once from the evaluated
 * month (report_doc.c) and written by each writer in its own form: HTML
 * (report_html.c), PDF with cairo and pango (report_pdf.c), DOCX through
 * pandoc (report_docx.c). One content, three renderings.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_REPORT_DOC_H
#define SLAMON_REPORT_DOC_H

#include <stddef.h>

#include "report_int.h"

enum rdoc_kind {
	RDOC_H1,    /* a numbered section: 一、... */
	RDOC_H2,    /* a sub-heading */
	RDOC_P,     /* a paragraph */
	RDOC_NOTE,  /* a paragraph in a box (data notes, flags) */
	RDOC_FLAG,  /* a paragraph in red: something to do before final */
	RDOC_TABLE,
	RDOC_IMAGE, /* a PNG */
	RDOC_BREAK, /* a new page (PDF, DOCX) */
};

/* Cell flags. */
#define RDOC_NUM 1u /* right-aligned number */
#define RDOC_BAD 2u /* red: missed, flagged */
#define RDOC_OK 4u  /* green: met */

struct rdoc_block {
	enum rdoc_kind kind;
	char *text;              /* heading, paragraph, image alt */
	size_t ncols, nrows;     /* table: row 0 is the header */
	char **cells;            /* nrows * ncols */
	size_t ncells, capcells; /* while the table is built */
	unsigned char *flags;    /* nrows * ncols */
	double *widths;          /* ncols relative widths */
	unsigned char *png;      /* image */
	size_t pnglen;
	unsigned pw, ph;         /* image size in pixels */
};

struct rdoc {
	int en;
	char title[256];     /* 电子政务外网信息系统运维月报表 */
	char bureau[128];    /* [report] bureau, or "" */
	char period[128];    /* 2026年10月 / October 2026 */
	char generated[64];  /* local time of writing */
	char label[80];      /* 2026-10 */
	char prepared[64], reviewed[64], approved[64];
	const char *role_words[3]; /* 编制 审核 批准 */
	unsigned char *logo; /* PNG or NULL */
	size_t logolen;
	int draft;           /* a missed indicator has no reason yet: the
				cover says 草稿 */
	struct rdoc_block *b;
	size_t n, cap;
	int oom;             /* an allocation failed: the writers refuse */
};

/* Charts drawn for the document (PNG, owned by the caller). */
struct rdoc_charts {
	unsigned char **util; /* one per link of the result, or NULL */
	size_t *util_len;
	unsigned char *avail, *faults, *compare; /* cairo charts, or NULL */
	size_t avail_len, faults_len, compare_len;
};

/* Builds the document of month r into *d (zeroed by the caller):
 * summary is the 本月运行概况 text (paragraphs split at blank lines),
 * charts may hold NULLs. 0 or -ENOMEM. */
int report__doc_build(const struct config *cfg, const struct sla_result *r,
		      const char *summary, const struct rdoc_charts *ch,
		      const char *lang, struct rdoc *d);
void report__doc_free(struct rdoc *d);

/* The writers: <o->out_dir>/slamon-<label>.{html,pdf,docx}. 0 or a
 * negative errno with err. */
int report__doc_html(const struct rdoc *d, const struct report_opts *o,
		     char *err, size_t errlen);
int report__doc_pdf(const struct rdoc *d, const struct report_opts *o,
		    char *err, size_t errlen);
int report__doc_docx(const struct rdoc *d, const struct report_opts *o,
		     char *err, size_t errlen);

/* The generated 本月运行概况 of r against the month before (prev; NULL
 * when it has too little data, which the text says for a month) as
 * paragraphs separated by blank lines, malloc'd; NULL on
 * ENOMEM. */
char *report__summary(const struct config *cfg, const struct sla_result *r,
		      const struct sla_result *prev, const char *lang);

/* Cairo charts (report_charts.c), PNG in memory: daily availability of
 * units and equipment (days[n] values in percent, NAN unknown), faults
 * of r by severity with their mean response time, and each indicator of
 * r against prev (share of its target). 0 or a negative errno with err. */
int report__chart_avail(const double *units, const double *equip, size_t n,
			int first_mday, int month, const char *lang,
			unsigned char **png, size_t *len, char *err,
			size_t errlen);
int report__chart_faults(const struct sla_result *r, const char *lang,
			 unsigned char **png, size_t *len, char *err,
			 size_t errlen);
int report__chart_compare(const struct sla_result *r,
			  const struct sla_result *prev, const char *lang,
			  unsigned char **png, size_t *len, char *err,
			  size_t errlen);

/* Words for roles in lang (fault kinds and severities: core/words.h):
 * the Chinese report has no English word. */
const char *report__role_word(int role, int en);

#endif
