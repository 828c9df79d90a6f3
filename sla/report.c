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

#include "report_int.h"
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
	const struct storage_chart_item items[] = {
		{ STORAGE_CHART_AREA, "in", 0x66bb6a, en ? "in" : "入方向" },
		{ STORAGE_CHART_LINE, "out", 0x1565c0, en ? "out" : "出方向" },
	};
	struct storage_chart c = {
		.file = l->file, .start = p->from, .end = p->to,
		.width = 720, .height = 180,
		.font = font != NULL ? font : REPORT_FONT_DEFAULT,
		.font_size = 9, .vlabel = "bit/s", .tz = p->tz,
		.lower_limit = 0, .base = 1000,
		.items = items, .nitems = 2,
		.hrule = l->p95_max, .hrule_rgb = 0xd32f2f,
		.hrule_legend = en ? "95th percentile of max(in,out)"
				   : "95 百分位 max(入,出)",
		.comment = en ? "no data" : "无数据",
	};
	char title[512];

	snprintf(title, sizeof(title),
		 en ? "%s %s traffic, %s (capacity %.0f Mbps)"
		    : "%s %s 流量 %s（签约带宽 %.0f Mbps）",
		 cfg->devices[l->dev].name, l->ifname, p->label,
		 l->capacity_mbps);
	c.title = title;
	/* axis labels in the report's zone */
	return storage_chart_png(&c, ret_png, ret_len, err, errlen);
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

int report_period(const struct config *cfg, const struct sla_period *p,
		  const struct report_opts *o, struct sla_result **ret,
		  char *err, size_t errlen)
{
	struct sla_result *r = NULL;
	struct report_opts so = *o; /* the writers write into the stage */
	char **png = NULL;
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
	png = calloc(r->nlinks + 1, sizeof(*png));
	if (png == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < r->nlinks && !o->no_graphs; i++) {
		unsigned char *img = NULL;
		size_t len = 0;

		rc = report_graph_png(cfg, p, &r->links[i], o->lang, o->font,
				      &img, &len, err, errlen);
		if (rc < 0)
			goto out;
		png[i] = report__base64(img, len);
		free(img);
	}
	rc = report__html(cfg, r, (const char *const *)png, &so, err, errlen);
	if (rc == 0)
		rc = report__json(cfg, r, &so, err, errlen);
	if (rc == 0)
		rc = report__csv(cfg, r, &so, err, errlen);
	if (rc == 0)
		rc = report__xlsx(cfg, r, &so, err, errlen);
	if (rc == 0)
		rc = report__stage_commit(o, p->label, stage, err, errlen);
out:
	if (rc < 0)
		report__stage_abort(stage);
	for (size_t i = 0; png != NULL && i < r->nlinks; i++)
		free(png[i]);
	free(png);
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
