/*
 * report_charts.c - the report's charts that are not RRD series, drawn
 * with cairo and labelled with pango (CJK through fontconfig): daily
 * availability of units and equipment, faults by severity with their
 * mean response time, and the indicators of the month against the month
 * before. PNG in memory.
 * SPDX-License-Identifier: MIT
 */
#include "report_doc.h"

#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/words.h"

#define FONT REPORT_FONT_DEFAULT

struct mem {
	unsigned char *p;
	size_t n, cap;
	int oom;
};

static cairo_status_t mem_write(void *arg, const unsigned char *data,
				unsigned int len)
{
	struct mem *m = arg;

	if (m->n + len > m->cap) {
		size_t cap = (m->cap + len) * 2;
		unsigned char *p = realloc(m->p, cap);

		if (p == NULL) {
			m->oom = 1;
			return CAIRO_STATUS_NO_MEMORY;
		}
		m->p = p;
		m->cap = cap;
	}
	memcpy(m->p + m->n, data, len);
	m->n += len;
	return CAIRO_STATUS_SUCCESS;
}

/* Text at (x, y): align 0 left, 1 centre (x is the centre), 2 right
 * (x is the right edge); returns its width. */
static double label(cairo_t *cr, const char *t, double size, int bold,
		    double x, double y, int align)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	int w, h;

	pango_font_description_set_size(fd, (int)(size * PANGO_SCALE));
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_text(l, t, -1);
	pango_layout_get_size(l, &w, &h);
	cairo_move_to(cr, align == 1   ? x - w / 2.0 / PANGO_SCALE
			  : align == 2 ? x - (double)w / PANGO_SCALE
				       : x,
		      y - h / 2.0 / PANGO_SCALE);
	pango_cairo_show_layout(cr, l);
	g_object_unref(l);
	return (double)w / PANGO_SCALE;
}

static cairo_t *canvas(int w, int h, cairo_surface_t **ret)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cairo_t *cr = cairo_create(s);

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	*ret = s;
	return cr;
}

static int finish(cairo_t *cr, cairo_surface_t *s, const char *what,
		  unsigned char **png, size_t *len, char *err, size_t errlen)
{
	struct mem m = { 0 };
	cairo_status_t st;

	cairo_destroy(cr);
	st = cairo_surface_write_to_png_stream(s, mem_write, &m);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS || m.oom) {
		free(m.p);
		snprintf(err, errlen, "chart %s: %s", what,
			 m.oom ? "out of memory" : cairo_status_to_string(st));
		return m.oom ? -ENOMEM : -EIO;
	}
	*png = m.p;
	*len = m.n;
	return 0;
}

static void rgb(cairo_t *cr, unsigned c)
{
	cairo_set_source_rgb(cr, ((c >> 16) & 255) / 255.0,
			     ((c >> 8) & 255) / 255.0, (c & 255) / 255.0);
}

/* A horizontal grid line with its value on the left. */
static void grid(cairo_t *cr, double x0, double x1, double y,
		 const char *text)
{
	rgb(cr, 0xdddddd);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, x0, y + 0.5);
	cairo_line_to(cr, x1, y + 0.5);
	cairo_stroke(cr);
	rgb(cr, 0x333333);
	label(cr, text, 11, 0, x0 - 4, y, 2);
}

int report__chart_avail(const double *units, const double *equip, size_t n,
			int first_mday, int month, const char *lang,
			unsigned char **png, size_t *len, char *err,
			size_t errlen)
{
	int en = lang != NULL && strcmp(lang, "en") == 0;
	const int W = 900, H = 300;
	const double x0 = 70, x1 = W - 20, y0 = 40, y1 = H - 60;
	cairo_surface_t *s;
	cairo_t *cr = canvas(W, H, &s);
	double lo = 100;
	const double *ser[2] = { units, equip };
	const unsigned col[2] = { 0x1565c0, 0x2e7d32 };
	const char *names[2] = { en ? "units" : "单位联网率",
				 en ? "equipment" : "设备正常使用率" };

	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 2; k++)
			if (ser[k][i] == ser[k][i] && ser[k][i] < lo)
				lo = ser[k][i];
	lo = floor(lo / 5) * 5;
	if (lo > 95)
		lo = 95;
	label(cr, en ? "Daily availability (%)" : "每日可用率（%）", 14, 1,
	      W / 2.0, 18, 1);
	for (int g = 0; g <= 5; g++) {
		double v = lo + (100 - lo) * g / 5;
		char t[16];

		snprintf(t, sizeof(t), "%.0f", v);
		grid(cr, x0, x1, y1 - (y1 - y0) * g / 5, t);
	}
	for (size_t i = 0; i < n; i++) {
		double x = x0 + (x1 - x0) * ((double)i + 0.5) / (double)n;
		char t[32];

		if (n > 16 && i % 3 != 0)
			continue;
		if (en)
			snprintf(t, sizeof(t), "%d/%zu", month,
				 (size_t)first_mday + i);
		else
			snprintf(t, sizeof(t), "%d月%zu日", month,
				 (size_t)first_mday + i);
		rgb(cr, 0x333333);
		label(cr, t, 11, 0, x, y1 + 14, 1);
	}
	for (int k = 0; k < 2; k++) {
		int pen = 0;

		rgb(cr, col[k]);
		cairo_set_line_width(cr, 2);
		for (size_t i = 0; i < n; i++) {
			double v = ser[k][i];
			double x = x0 + (x1 - x0) * ((double)i + 0.5) /
						(double)n;
			double y = y1 - (y1 - y0) * (v - lo) / (100 - lo);

			if (v != v) {
				pen = 0;
				continue;
			}
			if (pen)
				cairo_line_to(cr, x, y);
			else
				cairo_move_to(cr, x, y);
			pen = 1;
		}
		cairo_stroke(cr);
		cairo_rectangle(cr, x0 + 10 + k * 200, H - 26, 16, 10);
		cairo_fill(cr);
		rgb(cr, 0x111111);
		label(cr, names[k], 12, 0, x0 + 32 + k * 200, H - 21, 0);
	}
	return finish(cr, s, "availability", png, len, err, errlen);
}

int report__chart_faults(const struct sla_result *r, const char *lang,
			 unsigned char **png, size_t *len, char *err,
			 size_t errlen)
{
	static const char *const sev[] = { "critical", "major", "minor",
					   "warning" };
	static const unsigned col[] = { 0xc62828, 0xef6c00, 0xf9a825,
					0x607d8b };
	int en = lang != NULL && strcmp(lang, "en") == 0;
	const int W = 900, H = 260;
	const double x0 = 60, x1 = W - 20, y0 = 50, y1 = H - 40;
	size_t cnt[4] = { 0 }, na[4] = { 0 }, top = 1;
	double resp[4] = { 0 };
	cairo_surface_t *s;
	cairo_t *cr = canvas(W, H, &s);

	for (size_t i = 0; i < r->nfaults; i++)
		for (int k = 0; k < 4; k++)
			if (strcmp(r->faults[i].f.severity, sev[k]) == 0) {
				cnt[k]++;
				if (r->faults[i].response_s ==
				    r->faults[i].response_s) {
					resp[k] += r->faults[i].response_s;
					na[k]++;
				}
			}
	for (int k = 0; k < 4; k++)
		if (cnt[k] > top)
			top = cnt[k];
	top = (top + 3) / 4 * 4; /* whole numbers on the four grid lines */
	label(cr, en ? "Faults by severity, with the mean time to respond"
		     : "按级别统计的故障数量与平均响应时长",
	      14, 1, W / 2.0, 18, 1);
	for (int g = 0; g <= 4; g++) {
		char t[32];

		snprintf(t, sizeof(t), "%zu", top * (size_t)g / 4);
		grid(cr, x0, x1, y1 - (y1 - y0) * g / 4, t);
	}
	for (int k = 0; k < 4; k++) {
		double slot = (x1 - x0) / 4, bw = slot * 0.45;
		double cx = x0 + slot * (k + 0.5);
		double h = (y1 - y0) * (double)cnt[k] / (double)top;
		char t[96];

		rgb(cr, col[k]);
		cairo_rectangle(cr, cx - bw / 2, y1 - h, bw, h);
		cairo_fill(cr);
		rgb(cr, 0x111111);
		snprintf(t, sizeof(t), en ? "%s: %zu" : "%s：%zu 起",
			 word_severity(sev[k], en), cnt[k]);
		label(cr, t, 12, 1, cx, y1 + 16, 1);
		if (na[k] > 0) {
			snprintf(t, sizeof(t),
				 en ? "respond %.1f min" : "平均响应 %.1f 分钟",
				 resp[k] / (double)na[k] / 60);
			label(cr, t, 11, 0, cx, y1 - h - 12, 1);
		}
	}
	return finish(cr, s, "faults", png, len, err, errlen);
}

int report__chart_compare(const struct sla_result *r,
			  const struct sla_result *prev, const char *lang,
			  unsigned char **png, size_t *len, char *err,
			  size_t errlen)
{
	int en = lang != NULL && strcmp(lang, "en") == 0;
	const struct sla_value *now[32], *was[32];
	size_t n = 0;
	double lo = 100;
	int W = 900, H;
	double x0 = 330, x1, y;
	cairo_surface_t *s;
	cairo_t *cr;

	for (size_t i = 0; i < r->nvalues && n < 32; i++) {
		const struct sla_value *v = &r->values[i];

		if (strcmp(v->ind.unit, "%") != 0 || v->value != v->value)
			continue;
		now[n] = v;
		was[n] = report__find_value(prev, v->ind.id);
		if (v->value < lo)
			lo = v->value;
		if (was[n] != NULL && was[n]->value == was[n]->value &&
		    was[n]->value < lo)
			lo = was[n]->value;
		n++;
	}
	lo = fmax(0, floor(lo / 5) * 5);
	if (lo > 90)
		lo = 90;
	H = 80 + (int)n * 38;
	x1 = W - 70;
	cr = canvas(W, H, &s);
	label(cr, en ? "Indicators in %: this month against last month"
		     : "百分比指标：本月与上月对比",
	      14, 1, W / 2.0, 16, 1);
	y = 40;
	for (size_t i = 0; i < n; i++, y += 38) {
		const struct sla_value *pv[2] = { now[i], was[i] };
		const unsigned col[2] = { 0x1565c0, 0x90a4ae };

		rgb(cr, 0x111111);
		label(cr, en ? now[i]->ind.name_en : now[i]->ind.name_zh, 12,
		      0, x0 - 8, y + 15, 2);
		for (int k = 0; k < 2; k++) {
			double v = pv[k] != NULL ? pv[k]->value : NAN;
			double w;
			char t[32];

			if (v != v)
				continue;
			w = (x1 - x0) * (v - lo) / (100 - lo);
			rgb(cr, col[k]);
			cairo_rectangle(cr, x0, y + 2 + k * 15, fmax(w, 1), 13);
			cairo_fill(cr);
			rgb(cr, 0x333333);
			snprintf(t, sizeof(t), "%.2f%%", v);
			label(cr, t, 10, 0, x0 + fmax(w, 1) + 4,
			      y + 9 + k * 15, 0);
		}
		/* the target */
		if (now[i]->target >= lo && now[i]->target <= 100) {
			double x = x0 + (x1 - x0) * (now[i]->target - lo) /
						(100 - lo);

			rgb(cr, 0xd32f2f);
			cairo_set_line_width(cr, 1.5);
			cairo_move_to(cr, x, y);
			cairo_line_to(cr, x, y + 32);
			cairo_stroke(cr);
		}
	}
	rgb(cr, 0x1565c0);
	cairo_rectangle(cr, x0, H - 20, 14, 8);
	cairo_fill(cr);
	rgb(cr, 0x111111);
	label(cr, en ? "this month" : "本月", 12, 0, x0 + 18, H - 16, 0);
	rgb(cr, 0x90a4ae);
	cairo_rectangle(cr, x0 + 100, H - 20, 14, 8);
	cairo_fill(cr);
	rgb(cr, 0x111111);
	label(cr, en ? "last month" : "上月", 12, 0, x0 + 118, H - 16, 0);
	rgb(cr, 0xd32f2f);
	cairo_rectangle(cr, x0 + 200, H - 22, 2, 12);
	cairo_fill(cr);
	rgb(cr, 0x111111);
	{
		char t[64];

		snprintf(t, sizeof(t), en ? "target (axis from %.0f %%)"
					  : "指标值（横轴起点 %.0f%%）",
			 lo);
		label(cr, t, 12, 0, x0 + 208, H - 16, 0);
	}
	return finish(cr, s, "comparison", png, len, err, errlen);
}
