/*
 * report.c - building a report: evaluate the period, draw the link graphs
 * (storage_chart_png: PNG in memory, CJK font through fontconfig and
 * pango), then hand everything to the HTML and data writers.
 * SPDX-License-Identifier: MIT
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report_config.h"
#include "report_doc.h"
#include "report_int.h"
#include "storage/journal.h"
#include "storage/rrdstore.h"

char *report__base64(const unsigned char *p, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*o++ = tbl[(v >> 18) & 63];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? tbl[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

int report_graph_png(const struct config *cfg, const struct sla_period *p,
		     const struct sla_link *l, const char *lang,
		     const char *font, unsigned char **ret_png,
		     size_t *ret_len, char *err, size_t errlen)
{
	int en = lang != NULL && strcmp(lang, "en") == 0;
	double cap = l->capacity_mbps * 1e6;
	const struct storage_chart_item items[] = {
		/* a blank first: rrd_graph draws the colour box over the
		 * first CJK glyph */
		{ STORAGE_CHART_AREA, "in", 0x66bb6a, en ? " in" : " 入方向" },
		{ STORAGE_CHART_LINE, "out", 0x1565c0, en ? " out" : " 出方向" },
	};
	char p95[128];
	struct storage_chart c = {
		.file = l->file, .start = p->from, .end = p->to,
		.width = 720, .height = 180,
		.font = font != NULL ? font : REPORT_FONT_DEFAULT,
		.font_size = 9, .tz = p->tz,
		.lower_limit = 0, .base = 1000,
		.items = items, .nitems = 2,
		.hrule_rgb = 0xd32f2f,
		.comment = en ? "no data" : "无数据",
		.no_tag = 1,
		/* a label a day at midnight, a grid line every 6 hours */
		.x_grid = en ? "HOUR:6:DAY:1:DAY:3:86400:%b %-d"
			     : "HOUR:6:DAY:1:DAY:3:86400:%-m月%-d日",
	};
	char title[512];

	if (cap > 0) { /* in % of the contracted capacity */
		c.scale = 100 / cap;
		c.vlabel = en ? "% of capacity" : "占签约带宽 %";
		c.hrule = l->p95_max * 100 / cap;
		snprintf(p95, sizeof(p95),
			 en ? " 95th percentile %.1f %%" : " 95 百分位 %.1f%%",
			 c.hrule);
		c.hrule_legend = p95;
		c.hrule2 = 100;
		c.hrule2_rgb = 0x000000;
		c.hrule2_legend = en ? " capacity" : " 签约带宽";
		c.upper_limit = 100;
	} else {
		c.vlabel = "bit/s";
		c.hrule = l->p95_max;
		c.hrule_legend = en ? " 95th percentile" : " 95 百分位";
	}
	snprintf(title, sizeof(title),
		 en ? "%s %s utilisation, %s (capacity %.0f Mbps)"
		    : "%s %s 利用率 %s（签约带宽 %.0f Mbps）",
		 cfg->devices[l->dev].name, l->ifname, p->label,
		 l->capacity_mbps);
	c.title = title;
	/* axis labels in the report's zone */
	return storage_chart_png(&c, ret_png, ret_len, err, errlen);
}

int report_formats_parse(const char *text, unsigned *ret, char *err,
			 size_t errlen)
{
	static const char *const names[] = { "html", "pdf", "docx", "xlsx",
					     "csv", "json" };
	const char *s = text;
	unsigned f = 0;

	while (s != NULL && *s != '\0') {
		size_t n = strcspn(s, ",");
		size_t i;

		for (i = 0; i < 6; i++)
			if (strlen(names[i]) == n && strncmp(s, names[i], n) == 0)
				break;
		if (i == 6) {
			snprintf(err, errlen,
				 "--format: '%.*s' is not one of pdf, docx, "
				 "html, xlsx, csv, json", (int)n, s);
			return -EINVAL;
		}
		f |= 1u << i;
		s += n;
		if (*s == ',')
			s++;
	}
	*ret = f | REPORT_FMT_JSON;
	return 0;
}

static int out_dir_make(const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Opens <out_dir>/slamon-<label><suffix> for writing. */
FILE *report__open(const struct report_opts *o, const char *label,
		   const char *suffix, char *path, size_t pathlen, char *err,
		   size_t errlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/slamon-%s%s", o->out_dir, label, suffix);
	f = fopen(path, "w");
	if (f == NULL)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return f;
}

int report__close(FILE *f, const char *path, char *err, size_t errlen)
{
	report__test_kill(path);
	if (ferror(f) | (fclose(f) != 0)) {
		snprintf(err, errlen, "%s: write failed", path);
		return -EIO;
	}
	return 0;
}

static int cmp_share(const void *a, const void *b, void *arg)
{
	const struct sla_result *r = arg;
	double x = report__share(&r->avail[*(const size_t *)a]);
	double y = report__share(&r->avail[*(const size_t *)b]);

	if (x != x)
		x = -1;
	if (y != y)
		y = -1;
	if (x != y)
		return (x > y) - (x < y);
	return (*(const size_t *)a > *(const size_t *)b) -
	       (*(const size_t *)a < *(const size_t *)b);
}

const char *report__reason(const struct sla_value *v,
			   const struct rpt_words *w, int *ret_missing)
{
	*ret_missing = v->state != SLA_MET && v->reason[0] == '\0';
	if (*ret_missing)
		return w->no_reason;
	return v->reason;
}

const struct sla_value *report__find_value(const struct sla_result *r,
					   const char *id)
{
	for (size_t i = 0; r != NULL && i < r->nvalues; i++)
		if (strcmp(r->values[i].ind.id, id) == 0)
			return &r->values[i];
	return NULL;
}

void report__completeness(const struct config *cfg,
			  const struct sla_result *r,
			  const struct rpt_words *w, int en, int rounded,
			  report__complete_fn row, void *arg)
{
	double exp_all = 0, got_all = 0;
	size_t n_all = 0;

	for (int role = 0; role < ROLE_COUNT; role++) {
		double exp = 0, got = 0;
		size_t n = 0;

		for (size_t i = 0; i < cfg->ndevices; i++) {
			if ((int)cfg->devices[i].role != role)
				continue;
			n++;
			exp += (double)r->avail[i].buckets;
			got += rounded ? (double)r->avail[i].known_buckets
				       : r->avail[i].known_s / SLA_STEP;
		}
		if (n == 0)
			continue;
		n_all += n;
		exp_all += exp;
		got_all += got;
		row(arg, report__role_word(role, en), n, exp, got);
	}
	for (size_t i = 0; i < r->ncaptures; i++) {
		const struct sla_capture *c = &r->captures[i];
		double exp = floor(c->expected_s / SLA_STEP + 0.5);
		double got = c->collected_s / SLA_STEP;
		char label[128];

		snprintf(label, sizeof(label), "%s %s", w->cap_complete,
			 c->name);
		n_all++;
		exp_all += exp;
		got_all += got;
		row(arg, label, 1, exp, got);
	}
	row(arg, w->total, n_all, exp_all, got_all);
}

const char *report__fault_unit(const struct config *cfg,
			       const struct sla_fault *sf)
{
	char dev[FAULT_OBJECT_MAX], *slash;
	int d;

	snprintf(dev, sizeof(dev), "%s", sf->f.object);
	slash = strchr(dev, '/'); /* "device/interface" */
	if (slash != NULL)
		*slash = '\0';
	d = config_find_device(cfg, dev);
	return d >= 0 ? cfg->devices[d].unit : "";
}

double report__share(const struct sla_avail *a)
{
	double all = a->up_s + a->down_s + a->unknown_s;

	return all > 0 ? a->up_s / all * 100 : NAN;
}

size_t report__units(const struct config *cfg, const struct sla_result *r,
		     size_t *idx)
{
	size_t n = 0;

	for (size_t d = 0; d < cfg->ndevices; d++)
		if (cfg->devices[d].role == ROLE_ACCESS)
			idx[n++] = d;
	qsort_r(idx, n, sizeof(*idx), cmp_share, (void *)(uintptr_t)r);
	return n;
}

/* The month before p, evaluated; NULL when p is not a month, it cannot
 * be evaluated, or slamon collected too little of it to compare (its
 * data completeness below REPORT_PREV_MIN_PCT): the comparison is then
 * left out. */
#define REPORT_PREV_MIN_PCT 50.0
static struct sla_result *previous(const struct config *cfg,
				   const struct sla_period *p, double now)
{
	struct sla_period q;
	struct sla_result *r = NULL;
	char err[256];

	if (p->kind != SLA_MONTH ||
	    sla_period_month(p->tz, p->month == 1 ? p->year - 1 : p->year,
			     p->month == 1 ? 12 : p->month - 1, &q) < 0 ||
	    sla_evaluate(cfg, &q, now, &r, err, sizeof(err)) < 0)
		return NULL;
	for (size_t i = 0; i < r->nvalues; i++)
		if (strcmp(r->values[i].ind.metric, "completeness") == 0 &&
		    !(r->values[i].value >= REPORT_PREV_MIN_PCT)) {
			sla_result_destroy(r);
			return NULL;
		}
	return r;
}

/* The operator's 本月运行概况 of p from the journal into buf; 0 when
 * there is none (or no journal). */
static int stored_summary(const struct config *cfg,
			  const struct sla_period *p, char *buf, size_t len)
{
	struct journal *j = NULL;
	char err[256];
	int found = 0;

	if (p->kind != SLA_MONTH ||
	    journal_open_ro(alerts_config(cfg)->journal, &j, err,
			    sizeof(err)) < 0)
		return 0;
	if (journal_summary_get(j, p->label, buf, len, &found, err,
				sizeof(err)) < 0)
		found = 0;
	journal_close(j);
	return found;
}

/* Daily availability of the units (access devices) and of the other
 * equipment in percent, one sla_evaluate per day of month p up to now. */
static int daily_avail(const struct config *cfg, const struct sla_period *p,
		       double now, double *units, double *equip,
		       size_t *ret_n, char *err, size_t errlen)
{
	size_t n = 0;
	int rc = 0;

	for (int day = 1; day <= 31; day++) {
		struct sla_period q = *p;
		struct sla_result *r = NULL;
		double uu = 0, ua = 0, eu = 0, ea = 0;

		if (sla_local_mktime(p->tz, p->year, p->month, day, 0, 0,
				     &q.from) < 0 ||
		    q.from >= p->to || q.from >= now)
			break;
		q.kind = SLA_RANGE;
		if (sla_local_mktime(p->tz, p->year, p->month, day + 1, 0, 0,
				     &q.to) < 0 || q.to > p->to)
			q.to = p->to;
		snprintf(q.label, sizeof(q.label), "%.70s-%02d", p->label,
			 day);
		rc = sla_evaluate(cfg, &q, now, &r, err, errlen);
		if (rc < 0)
			return rc;
		for (size_t d = 0; d < cfg->ndevices; d++) {
			const struct sla_avail *a = &r->avail[d];
			double all = a->up_s + a->down_s + a->unknown_s;

			if (cfg->devices[d].role == ROLE_ACCESS) {
				uu += a->up_s;
				ua += all;
			} else {
				eu += a->up_s;
				ea += all;
			}
		}
		units[n] = ua > 0 ? uu / ua * 100 : NAN;
		equip[n] = ea > 0 ? eu / ea * 100 : NAN;
		n++;
		sla_result_destroy(r);
	}
	*ret_n = n;
	return 0;
}

static void charts_free(struct rdoc_charts *c, size_t nlinks)
{
	for (size_t i = 0; c->util != NULL && i < nlinks; i++)
		free(c->util[i]);
	free(c->util);
	free(c->util_len);
	free(c->avail);
	free(c->faults);
	free(c->compare);
}

static int charts_draw(const struct config *cfg, const struct sla_period *p,
		       const struct sla_result *r,
		       const struct sla_result *prev,
		       const struct report_opts *o, struct rdoc_charts *c,
		       char *err, size_t errlen)
{
	double units[31], equip[31];
	size_t n = 0;
	int rc;

	c->util = calloc(r->nlinks + 1, sizeof(*c->util));
	c->util_len = calloc(r->nlinks + 1, sizeof(*c->util_len));
	if (c->util == NULL || c->util_len == NULL) {
		snprintf(err, errlen, "report %s: out of memory", p->label);
		return -ENOMEM;
	}
	if (o->no_graphs)
		return 0;
	for (size_t i = 0; i < r->nlinks; i++) {
		rc = report_graph_png(cfg, p, &r->links[i], o->lang, o->font,
				      &c->util[i], &c->util_len[i], err,
				      errlen);
		if (rc < 0)
			return rc;
	}
	if (p->kind == SLA_MONTH) {
		rc = daily_avail(cfg, p, o->now, units, equip, &n, err,
				 errlen);
		if (rc == 0 && n > 0)
			rc = report__chart_avail(units, equip, n, 1, p->month,
						 o->lang, &c->avail,
						 &c->avail_len, err, errlen);
		if (rc < 0)
			return rc;
	}
	rc = report__chart_faults(r, o->lang, &c->faults, &c->faults_len, err,
				  errlen);
	if (rc == 0 && prev != NULL)
		rc = report__chart_compare(r, prev, o->lang, &c->compare,
					   &c->compare_len, err, errlen);
	return rc;
}

/* The [report] section into the document; the logo read. */
static int doc_frame(const struct config *cfg, struct rdoc *d, char *err,
		     size_t errlen)
{
	const struct report_cfg *rc = report_config(cfg);
	const struct rpt_words *w = report__words(d->en ? "en" : "zh");
	FILE *f;
	long n;

	snprintf(d->title, sizeof(d->title), "%s",
		 rc != NULL && rc->title[0] ? rc->title : w->title);
	if (rc == NULL)
		return 0;
	snprintf(d->bureau, sizeof(d->bureau), "%s", rc->bureau);
	snprintf(d->prepared, sizeof(d->prepared), "%s", rc->prepared_by);
	snprintf(d->reviewed, sizeof(d->reviewed), "%s", rc->reviewed_by);
	snprintf(d->approved, sizeof(d->approved), "%s", rc->approved_by);
	if (rc->logo[0] == '\0')
		return 0;
	f = fopen(rc->logo, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		snprintf(err, errlen, "[report] logo %s: %s", rc->logo,
			 strerror(errno ? errno : EIO));
		if (f != NULL)
			fclose(f);
		return -EIO;
	}
	d->logo = malloc((size_t)n);
	if (d->logo == NULL || fread(d->logo, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, errlen, "[report] logo %s: cannot read",
			 rc->logo);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	d->logolen = (size_t)n;
	if (n < 8 || memcmp(d->logo, "\x89PNG", 4) != 0) {
		snprintf(err, errlen, "[report] logo %s: not a PNG file",
			 rc->logo);
		return -EINVAL;
	}
	return 0;
}

int report_period(const struct config *cfg, const struct sla_period *p,
		  const struct report_opts *o, struct sla_result **ret,
		  char *err, size_t errlen)
{
	struct sla_result *r = NULL, *prev = NULL;
	struct report_opts so = *o; /* the writers write into the stage */
	struct rdoc_charts ch = { 0 };
	struct rdoc doc = { 0 };
	unsigned fmt = o->formats ? o->formats | REPORT_FMT_JSON
				  : REPORT_FMT_ALL;
	static char stored[JOURNAL_SUMMARY_MAX];
	char *gen = NULL;
	char stage[4400];
	int rc;

	if (ret != NULL)
		*ret = NULL;
	rc = out_dir_make(o->out_dir, err, errlen);
	if (rc < 0)
		return rc;
	rc = sla_evaluate(cfg, p, o->now, &r, err, errlen);
	if (rc < 0)
		return rc;
	rc = report__stage_begin(o, p->label, stage, sizeof(stage), err,
				 errlen);
	if (rc < 0) {
		sla_result_destroy(r);
		return rc;
	}
	so.out_dir = stage;
	if (fmt & (REPORT_FMT_HTML | REPORT_FMT_PDF | REPORT_FMT_DOCX)) {
		prev = previous(cfg, p, o->now);
		rc = charts_draw(cfg, p, r, prev, o, &ch, err, errlen);
		if (rc == 0 && !stored_summary(cfg, p, stored, sizeof(stored))) {
			gen = report__summary(cfg, r, prev, o->lang);
			if (gen == NULL)
				rc = -ENOMEM;
		}
		doc.en = o->lang != NULL && strcmp(o->lang, "en") == 0;
		if (rc == 0)
			rc = doc_frame(cfg, &doc, err, errlen);
		if (rc == 0)
			rc = report__doc_build(cfg, r,
					       gen != NULL ? gen : stored,
					       &ch, o->lang, &doc);
		if (rc == -ENOMEM && err[0] == '\0')
			snprintf(err, errlen, "report %s: out of memory",
				 p->label);
	}
	if (rc == 0 && (fmt & REPORT_FMT_HTML))
		rc = report__doc_html(&doc, &so, err, errlen);
	if (rc == 0 && (fmt & REPORT_FMT_PDF))
		rc = report__doc_pdf(&doc, &so, err, errlen);
	if (rc == 0 && (fmt & REPORT_FMT_DOCX))
		rc = report__doc_docx(&doc, &so, err, errlen);
	if (rc == 0)
		rc = report__json(cfg, r, &so, err, errlen);
	if (rc == 0 && (fmt & REPORT_FMT_CSV))
		rc = report__csv(cfg, r, &so, err, errlen);
	if (rc == 0 && (fmt & REPORT_FMT_XLSX))
		rc = report__xlsx(cfg, r, &so, err, errlen);
	if (rc == 0)
		rc = report__stage_commit(o, p->label, stage, err, errlen);
	if (rc < 0)
		report__stage_abort(stage);
	charts_free(&ch, r->nlinks);
	report__doc_free(&doc);
	free(gen);
	sla_result_destroy(prev);
	if (rc == 0 && ret != NULL)
		*ret = r;
	else
		sla_result_destroy(r);
	return rc;
}

int report_year(const struct config *cfg, int year,
		const struct report_opts *o, char *err, size_t errlen)
{
	struct sla_result *m[12] = { 0 }, *y = NULL;
	struct report_opts so = *o; /* the writers write into the stage */
	struct sla_period p;
	char stage[4400] = "";
	int rc;

	rc = out_dir_make(o->out_dir, err, errlen);
	if (rc < 0)
		return rc;
	for (int i = 0; i < 12 && rc == 0; i++) {
		rc = sla_period_month(cfg->timezone, year, i + 1, &p);
		if (rc == 0 && p.from < o->now)
			rc = sla_evaluate(cfg, &p, o->now, &m[i], err, errlen);
	}
	if (rc == 0)
		rc = sla_period_year(cfg->timezone, year, &p);
	if (rc == 0)
		rc = sla_evaluate(cfg, &p, o->now, &y, err, errlen);
	if (rc == 0)
		rc = report__stage_begin(o, p.label, stage, sizeof(stage), err,
					 errlen);
	so.out_dir = stage;
	if (rc == 0)
		rc = report__year_html(cfg, m, y, &so, err, errlen);
	if (rc == 0)
		rc = report__year_data(cfg, m, y, &so, err, errlen);
	if (rc == 0)
		rc = report__stage_commit(o, p.label, stage, err, errlen);
	else if (stage[0] != '\0')
		report__stage_abort(stage);
	for (int i = 0; i < 12; i++)
		sla_result_destroy(m[i]);
	sla_result_destroy(y);
	if (rc < 0 && err[0] == '\0')
		snprintf(err, errlen, "annual report %d: %s", year,
			 strerror(-rc));
	return rc;
}

void report__simulated_months(const struct config *cfg,
			      const struct sla_period *p, char *out,
			      size_t len)
{
	char path[4200], line[512];
	size_t used = 0;
	FILE *in;

	if (len == 0)
		return;
	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/SIMULATED", cfg->storage_dir);
	in = fopen(path, "r");
	if (in == NULL)
		return;
	while (fgets(line, sizeof(line), in) != NULL) {
		char month[32];
		double from, to;

		if (line[0] == '#' ||
		    sscanf(line, "%31[^\t]\t%lf\t%lf", month, &from, &to) != 3)
			continue;
		if (to <= p->from || from >= p->to)
			continue;
		used += (size_t)snprintf(out + used,
					 used < len ? len - used : 0, "%s%s",
					 used ? ", " : "", month);
		if (used >= len)
			break;
	}
	fclose(in);
}
