/*
 * report_pdf.c - the monthly report as PDF, written by slamon itself with
 * cairo (pages, images) and pango (text shaping, CJK through fontconfig):
 * a cover with the 编制 / 审核 / 批准 block, then the document's blocks
 * on A4 pages with a header (bureau, title, period) and a footer
 * (第 N 页 / 共 M 页). The pages are laid out twice: the first pass only
 * counts them, so every footer knows the total.
 * SPDX-License-Identifier: MIT
 */
#include "report_doc.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 595.276 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN_X 48.0
#define TOP 64.0
#define BOTTOM (PAGE_H - 56.0)
#define CONTENT_W (PAGE_W - 2 * MARGIN_X)

struct pdf {
	cairo_t *cr;
	const struct rdoc *d;
	const char *font;
	double y;
	int page, total;
	int cover; /* drawing the cover: no header */
};

static PangoLayout *layout(struct pdf *p, const char *text, double size,
			   int bold, double width)
{
	PangoLayout *l = pango_cairo_create_layout(p->cr);
	PangoFontDescription *fd = pango_font_description_from_string(p->font);

	pango_font_description_set_size(fd, (int)(size * PANGO_SCALE));
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(l, text, -1);
	return l;
}

static double layout_h(PangoLayout *l)
{
	int w, h;

	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static void show(struct pdf *p, PangoLayout *l, double x, double y)
{
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
}

/* One line of text at (x, y), aligned 0 left, 1 centre, 2 right. */
static void line_at(struct pdf *p, const char *text, double size, int bold,
		    double x, double y, double w, int align)
{
	PangoLayout *l = layout(p, text, size, bold, w);

	pango_layout_set_alignment(l, align == 1   ? PANGO_ALIGN_CENTER
				      : align == 2 ? PANGO_ALIGN_RIGHT
						   : PANGO_ALIGN_LEFT);
	show(p, l, x, y);
	g_object_unref(l);
}

static void page_new(struct pdf *p)
{
	char foot[128];
	const struct rdoc *d = p->d;

	if (p->page > 0)
		cairo_show_page(p->cr);
	p->page++;
	p->y = TOP;
	cairo_set_source_rgb(p->cr, 0.25, 0.25, 0.25);
	if (!p->cover) {
		char head[512];

		PangoLayout *l;

		snprintf(head, sizeof(head), "%s%s%s", d->bureau,
			 d->bureau[0] ? "　" : "", d->title);
		/* one line, cut with … before the period on the right */
		l = layout(p, head, 8, 0, CONTENT_W - 80);
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
		show(p, l, MARGIN_X, 30);
		g_object_unref(l);
		line_at(p, d->period, 8, 0, MARGIN_X, 30, CONTENT_W, 2);
		cairo_set_line_width(p->cr, 0.6);
		cairo_move_to(p->cr, MARGIN_X, 44);
		cairo_line_to(p->cr, PAGE_W - MARGIN_X, 44);
		cairo_stroke(p->cr);
	}
	if (d->en)
		snprintf(foot, sizeof(foot), "Page %d of %d", p->page,
			 p->total);
	else
		snprintf(foot, sizeof(foot), "第 %d 页 / 共 %d 页", p->page,
			 p->total);
	line_at(p, foot, 8, 0, MARGIN_X, PAGE_H - 40, CONTENT_W, 1);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void need(struct pdf *p, double h)
{
	if (p->y + h > BOTTOM && p->y > TOP)
		page_new(p);
}

static void paragraph(struct pdf *p, const char *text, double size,
		      int bold, double before, double after, int kind)
{
	double pad = kind == RDOC_NOTE ? 5 : 0;
	PangoLayout *l = layout(p, text, size, bold, CONTENT_W - 2 * pad);
	double h = layout_h(l) + 2 * pad;

	p->y += before;
	need(p, h + (kind == RDOC_H1 ? 60 : 0)); /* a heading keeps company */
	if (kind == RDOC_NOTE) {
		cairo_set_source_rgb(p->cr, 1, 0.973, 0.882);
		cairo_rectangle(p->cr, MARGIN_X, p->y, CONTENT_W, h);
		cairo_fill_preserve(p->cr);
		cairo_set_source_rgb(p->cr, 1, 0.70, 0);
		cairo_set_line_width(p->cr, 0.6);
		cairo_stroke(p->cr);
	}
	if (kind == RDOC_FLAG)
		cairo_set_source_rgb(p->cr, 0.72, 0.11, 0.11);
	else
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	show(p, l, MARGIN_X + pad, p->y + pad);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	if (kind == RDOC_H1) {
		cairo_set_line_width(p->cr, 0.6);
		cairo_move_to(p->cr, MARGIN_X, p->y + h + 2);
		cairo_line_to(p->cr, PAGE_W - MARGIN_X, p->y + h + 2);
		cairo_stroke(p->cr);
	}
	p->y += h + after;
	g_object_unref(l);
}

/* One row of a table at p->y; returns its height (drawn when draw). */
static double row(struct pdf *p, const struct rdoc_block *b, size_t r,
		  const double *cw, double size, int draw)
{
	PangoLayout *l[32];
	double h = 0, x = MARGIN_X, pad = 2.5;
	size_t n = b->ncols < 32 ? b->ncols : 32;

	for (size_t c = 0; c < n; c++) {
		const char *t = b->cells[r * b->ncols + c];

		l[c] = layout(p, t, size, r == 0, cw[c] - 2 * pad);
		if (b->flags[r * b->ncols + c] & RDOC_NUM)
			pango_layout_set_alignment(l[c], PANGO_ALIGN_RIGHT);
		if (layout_h(l[c]) > h)
			h = layout_h(l[c]);
	}
	h += 2 * pad;
	for (size_t c = 0; c < n && draw; c++) {
		unsigned fl = b->flags[r * b->ncols + c];

		if (r == 0) {
			cairo_set_source_rgb(p->cr, 0.91, 0.93, 0.95);
			cairo_rectangle(p->cr, x, p->y, cw[c], h);
			cairo_fill(p->cr);
		}
		cairo_set_source_rgb(p->cr, 0.53, 0.53, 0.53);
		cairo_set_line_width(p->cr, 0.5);
		cairo_rectangle(p->cr, x, p->y, cw[c], h);
		cairo_stroke(p->cr);
		if (fl & RDOC_BAD)
			cairo_set_source_rgb(p->cr, 0.72, 0.11, 0.11);
		else if (fl & RDOC_OK)
			cairo_set_source_rgb(p->cr, 0.11, 0.37, 0.13);
		else
			cairo_set_source_rgb(p->cr, 0, 0, 0);
		show(p, l[c], x + pad, p->y + pad);
		x += cw[c];
	}
	for (size_t c = 0; c < n; c++)
		g_object_unref(l[c]);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	return h;
}

static void table(struct pdf *p, const struct rdoc_block *b)
{
	double cw[32], sum = 0, size = b->ncols >= 9 ? 6.5 : 7.5;
	size_t n = b->ncols < 32 ? b->ncols : 32;

	for (size_t c = 0; c < n; c++)
		sum += b->widths[c];
	for (size_t c = 0; c < n; c++)
		cw[c] = CONTENT_W * b->widths[c] / sum;
	p->y += 3;
	for (size_t r = 0; r < b->nrows; r++) {
		double h = row(p, b, r, cw, size, 0);
		double hh = r == 0 && b->nrows > 1 ? row(p, b, 1, cw, size, 0)
						   : 0;

		if (p->y + h + hh > BOTTOM && p->y > TOP) {
			page_new(p);
			if (r > 0) /* the header again on the new page */
				p->y += row(p, b, 0, cw, size, 1);
		}
		p->y += row(p, b, r, cw, size, 1);
	}
	p->y += 6;
}

struct png_read {
	const unsigned char *p;
	size_t n, off;
};

static cairo_status_t png_read(void *arg, unsigned char *data,
			       unsigned int len)
{
	struct png_read *r = arg;

	if (r->off + len > r->n)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->p + r->off, len);
	r->off += len;
	return CAIRO_STATUS_SUCCESS;
}

/* A PNG at width w (points), centred; nothing for a bad image. */
static void picture(struct pdf *p, const unsigned char *png, size_t len,
		    double w)
{
	struct png_read rd = { png, len, 0 };
	cairo_surface_t *img =
		cairo_image_surface_create_from_png_stream(png_read, &rd);
	double iw, ih, s, h;

	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(img);
		return;
	}
	iw = cairo_image_surface_get_width(img);
	ih = cairo_image_surface_get_height(img);
	s = w / iw;
	h = ih * s;
	need(p, h + 4);
	cairo_save(p->cr);
	cairo_translate(p->cr, MARGIN_X + (CONTENT_W - w) / 2, p->y + 2);
	cairo_scale(p->cr, s, s);
	cairo_set_source_surface(p->cr, img, 0, 0);
	cairo_paint(p->cr);
	cairo_restore(p->cr);
	cairo_surface_destroy(img);
	p->y += h + 8;
}

static void cover(struct pdf *p)
{
	const struct rdoc *d = p->d;
	char t[512];

	p->cover = 1;
	page_new(p);
	p->cover = 0;
	p->y = 150;
	if (d->logo != NULL) {
		picture(p, d->logo, d->logolen, 90);
		p->y += 10;
	}
	if (d->bureau[0] != '\0') {
		line_at(p, d->bureau, 18, 0, MARGIN_X, p->y, CONTENT_W, 1);
		p->y += 40;
	}
	snprintf(t, sizeof(t), "%s", d->title);
	line_at(p, t, 24, 1, MARGIN_X, p->y, CONTENT_W, 1);
	p->y += 60;
	line_at(p, d->period, 16, 0, MARGIN_X, p->y, CONTENT_W, 1);
	p->y += 36;
	snprintf(t, sizeof(t), "%s %s%s", d->en ? "Generated" : "生成时间",
		 d->generated,
		 d->draft ? (d->en ? " (draft: reasons to give)"
				  : "（草稿：尚有偏差原因未说明）")
			 : "");
	cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	line_at(p, t, 10, 0, MARGIN_X, p->y, CONTENT_W, 1);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	/* the sign block */
	for (int i = 0; i < 3; i++) {
		const char *who = i == 0 ? d->prepared
				  : i == 1 ? d->reviewed : d->approved;
		double y = 560 + i * 44;

		snprintf(t, sizeof(t), "%s：%s", d->role_words[i], who);
		line_at(p, t, 13, 0, MARGIN_X + 60, y, 260, 0);
		snprintf(t, sizeof(t), "%s：", d->en ? "Date" : "日期");
		line_at(p, t, 13, 0, MARGIN_X + 300, y, 150, 0);
		cairo_set_line_width(p->cr, 0.6);
		cairo_move_to(p->cr, MARGIN_X + 60 + (d->en ? 80 : 45),
			      y + 19);
		cairo_line_to(p->cr, MARGIN_X + 280, y + 19);
		cairo_move_to(p->cr, MARGIN_X + 300 + (d->en ? 38 : 45),
			      y + 19);
		cairo_line_to(p->cr, MARGIN_X + 440, y + 19);
		cairo_stroke(p->cr);
	}
	page_new(p);
}

/* Lays out every page; returns the page count. */
static int render(cairo_surface_t *s, const struct rdoc *d, const char *font,
		  int total)
{
	struct pdf p = { 0 };

	p.cr = cairo_create(s);
	p.d = d;
	p.font = font;
	p.total = total;
	cover(&p);
	for (size_t i = 0; i < d->n; i++) {
		const struct rdoc_block *b = &d->b[i];

		switch (b->kind) {
		case RDOC_H1:
			paragraph(&p, b->text, 13, 1, 10, 6, RDOC_H1);
			break;
		case RDOC_H2:
			paragraph(&p, b->text, 10.5, 1, 6, 3, RDOC_H2);
			break;
		case RDOC_P:
		case RDOC_FLAG:
			paragraph(&p, b->text, 9.5, b->kind == RDOC_FLAG, 2, 4,
				  b->kind);
			break;
		case RDOC_NOTE:
			paragraph(&p, b->text, 8.5, 0, 2, 6, RDOC_NOTE);
			break;
		case RDOC_TABLE:
			table(&p, b);
			break;
		case RDOC_IMAGE:
			picture(&p, b->png, b->pnglen,
				b->pw > 0 && b->pw < CONTENT_W ? b->pw
							       : CONTENT_W);
			break;
		case RDOC_BREAK:
			page_new(&p);
			break;
		}
	}
	cairo_show_page(p.cr);
	cairo_destroy(p.cr);
	return p.page;
}

static cairo_status_t discard(void *arg, const unsigned char *data,
			      unsigned int len)
{
	(void)arg;
	(void)data;
	(void)len;
	return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t to_file(void *arg, const unsigned char *data,
			      unsigned int len)
{
	return fwrite(data, 1, len, arg) == len ? CAIRO_STATUS_SUCCESS
						: CAIRO_STATUS_WRITE_ERROR;
}

int report__doc_pdf(const struct rdoc *d, const struct report_opts *o,
		    char *err, size_t errlen)
{
	const char *font = o->font != NULL ? o->font : REPORT_FONT_DEFAULT;
	cairo_surface_t *s;
	char path[4400], title[512];
	int total;
	FILE *f;

	if (d->oom) {
		snprintf(err, errlen, "report %s: out of memory", d->label);
		return -ENOMEM;
	}
	s = cairo_pdf_surface_create_for_stream(discard, NULL, PAGE_W, PAGE_H);
	total = render(s, d, font, 0);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);

	f = report__open(o, d->label, ".pdf", path, sizeof(path), err, errlen);
	if (f == NULL)
		return -EIO;
	s = cairo_pdf_surface_create_for_stream(to_file, f, PAGE_W, PAGE_H);
	snprintf(title, sizeof(title), "%s %s", d->title, d->period);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR,
				       "slamon");
	render(s, d, font, total);
	cairo_surface_finish(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: %s", path,
			 cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
		fclose(f);
		return -EIO;
	}
	cairo_surface_destroy(s);
	return report__close(f, path, err, errlen);
}
