/*
 * report_doc.c - the monthly report as one document (report_doc.h): the
 * title block, 本月运行概况, the numbered sections and the appendix, built
 * from the evaluated month (the HTML rendering is in report_html.c).
 * SPDX-License-Identifier: MIT
 */
#include "report_doc.h"

#include "indicators.h"
#include "sla_int.h"
#include "core/words.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- words ----------------------------------------------------------- */

const char *report__role_word(int role, int en)
{
	static const char *const zh[ROLE_COUNT] = {
		[ROLE_BACKBONE] = "骨干", [ROLE_EXIT] = "出口",
		[ROLE_CORE] = "核心", [ROLE_AGGREGATION] = "汇聚",
		[ROLE_ACCESS] = "接入", [ROLE_SERVER] = "服务器",
		[ROLE_FIREWALL] = "防火墙", [ROLE_WIRELESS] = "无线",
		[ROLE_IOT] = "物联网", [ROLE_CAMERA] = "摄像机",
		[ROLE_OTHER] = "其他",
	};
	static const char *const enw[ROLE_COUNT] = {
		[ROLE_BACKBONE] = "Backbone", [ROLE_EXIT] = "Exit",
		[ROLE_CORE] = "Core", [ROLE_AGGREGATION] = "Aggregation",
		[ROLE_ACCESS] = "Access", [ROLE_SERVER] = "Server",
		[ROLE_FIREWALL] = "Firewall", [ROLE_WIRELESS] = "Wireless",
		[ROLE_IOT] = "IoT", [ROLE_CAMERA] = "Camera",
		[ROLE_OTHER] = "Other",
	};

	if (role < 0 || role >= ROLE_COUNT)
		return "";
	return en ? enw[role] : zh[role];
}

/* The budget table's words (levels, satisfaction marks) in English for
 * the English report; other text as it is. */
static const char *en_word(const char *zh, int en)
{
	static const char *const w[][2] = {
		{ "产出指标", "Output" },
		{ "效益指标", "Benefit" },
		{ "满意度指标", "Satisfaction" },
		{ "数量指标", "Quantity" },
		{ "质量指标", "Quality" },
		{ "时效指标", "Timeliness" },
		{ "社会效益指标", "Social benefit" },
		{ "服务对象满意度指标", "Users' satisfaction" },
		{ "满意", "satisfied" },
		{ "基本满意", "fairly satisfied" },
		{ "不满意", "dissatisfied" },
	};

	for (size_t i = 0; en && i < sizeof(w) / sizeof(w[0]); i++)
		if (strcmp(zh, w[i][0]) == 0)
			return w[i][1];
	return zh;
}

/* ---- the model --------------------------------------------------------- */

static struct rdoc_block *push(struct rdoc *d, enum rdoc_kind kind)
{
	struct rdoc_block *b;

	if (d->oom)
		return NULL;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct rdoc_block *nb = realloc(d->b, cap * sizeof(*nb));

		if (nb == NULL) {
			d->oom = 1;
			return NULL;
		}
		d->b = nb;
		d->cap = cap;
	}
	b = &d->b[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

__attribute__((format(printf, 3, 4)))
static void text(struct rdoc *d, enum rdoc_kind kind, const char *fmt, ...)
{
	struct rdoc_block *b = push(d, kind);
	va_list ap;

	if (b == NULL)
		return;
	va_start(ap, fmt);
	b->text = vfmt(fmt, ap);
	va_end(ap);
	if (b->text == NULL)
		d->oom = 1;
}

/* A table of ncols columns, relative widths w (NULL: equal); its rows,
 * the header first, are added with cell(). */
static struct rdoc_block *table(struct rdoc *d, size_t ncols,
				const double *w)
{
	struct rdoc_block *b = push(d, RDOC_TABLE);

	if (b == NULL)
		return NULL;
	b->ncols = ncols;
	b->widths = malloc(ncols * sizeof(*b->widths));
	if (b->widths == NULL) {
		d->oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < ncols; i++)
		b->widths[i] = w != NULL ? w[i] : 1;
	return b;
}

/* Appends one cell (rows fill left to right). */
__attribute__((format(printf, 4, 5)))
static void cell(struct rdoc *d, struct rdoc_block *b, unsigned flags,
		 const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (b == NULL || d->oom)
		return;
	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	if (s == NULL) {
		d->oom = 1;
		return;
	}
	if (b->ncells == b->capcells) {
		size_t nc = b->capcells ? b->capcells * 2 : b->ncols * 16;
		char **c = realloc(b->cells, nc * sizeof(*c));
		unsigned char *f;

		if (c == NULL) {
			free(s);
			d->oom = 1;
			return;
		}
		b->cells = c;
		f = realloc(b->flags, nc);
		if (f == NULL) {
			free(s);
			d->oom = 1;
			return;
		}
		b->flags = f;
		b->capcells = nc;
	}
	b->cells[b->ncells] = s;
	b->flags[b->ncells] = (unsigned char)flags;
	b->ncells++;
	b->nrows = (b->ncells + b->ncols - 1) / b->ncols;
}

/* Closes a table: an incomplete last row is padded. */
static void table_end(struct rdoc *d, struct rdoc_block *b)
{
	while (b != NULL && !d->oom && b->ncells % b->ncols != 0)
		cell(d, b, 0, "%s", "");
}

static void block_free(struct rdoc_block *b)
{
	for (size_t k = 0; k < b->ncells; k++)
		free(b->cells[k]);
	free(b->cells);
	free(b->flags);
	free(b->widths);
	free(b->text);
	free(b->png);
}

static void header_row(struct rdoc *d, struct rdoc_block *b,
		       const char *const *head)
{
	for (size_t i = 0; i < b->ncols; i++)
		cell(d, b, 0, "%s", head[i]);
}

static unsigned be32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 |
	       (unsigned)p[2] << 8 | p[3];
}

/* A copy of a PNG (its size read from the IHDR). */
static void image(struct rdoc *d, const unsigned char *png, size_t len,
		  const char *alt)
{
	struct rdoc_block *b;

	if (png == NULL || len < 24)
		return;
	b = push(d, RDOC_IMAGE);
	if (b == NULL)
		return;
	b->png = malloc(len);
	b->text = strdup(alt);
	if (b->png == NULL || b->text == NULL) {
		d->oom = 1;
		return;
	}
	memcpy(b->png, png, len);
	b->pnglen = len;
	b->pw = be32(png + 16);
	b->ph = be32(png + 20);
}

void report__doc_free(struct rdoc *d)
{
	for (size_t i = 0; i < d->n; i++)
		block_free(&d->b[i]);
	free(d->b);
	free(d->logo);
	memset(d, 0, sizeof(*d));
}

/* ---- the month's content ---------------------------------------------- */

static const char *const cn_num[] = { "一", "二", "三", "四", "五",
				      "六", "七", "八", "九", "十" };

/* "一、title" / "1. title" for the next section. */
static void section(struct rdoc *d, int *k, const char *zh, const char *en)
{
	if (d->en)
		text(d, RDOC_H1, "%d. %s", *k + 1, en);
	else
		text(d, RDOC_H1, "%s、%s", cn_num[*k % 10], zh);
	(*k)++;
}

static void split_level(const char *level, char *l1, char *l2, size_t len)
{
	const char *slash = strchr(level, '/');

	if (slash == NULL) {
		snprintf(l1, len, "%s", level);
		l2[0] = '\0';
		return;
	}
	snprintf(l1, len, "%.*s", (int)(slash - level), level);
	snprintf(l2, len, "%s", slash + 1);
}

static void indicators(struct rdoc *d, const struct sla_result *r,
		       const struct rpt_words *w)
{
	const char *head[] = { w->lvl1, w->lvl2, w->lvl3, w->target,
			       w->actual, w->met, w->deviation, w->evidence };
	/* English words break worse than Chinese: wider level and state
	 * columns */
	const double wd[] = { 1.1, 1.1, 2.0, 1.1, 1.1, 0.8, 2.0, 2.8 };
	const double wd_en[] = { 1.3, 1.5, 2.0, 1.1, 1.1, 1.3, 1.8, 2.6 };
	struct rdoc_block *t = table(d, 8, d->en ? wd_en : wd);

	header_row(d, t, head);
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];
		char l1[64], l2[64], tgt[64], act[64];
		const char *op = cmp_op_name(v->ind.cmp);
		int missing;
		const char *reason = report__reason(v, w, &missing);

		split_level(v->ind.level, l1, l2, sizeof(l1));
		report__value(v->target, v->ind.unit, tgt, sizeof(tgt));
		report__value(v->value, v->ind.unit, act, sizeof(act));
		cell(d, t, 0, "%s", en_word(l1, d->en));
		cell(d, t, 0, "%s", en_word(l2, d->en));
		cell(d, t, 0, "%s", d->en ? v->ind.name_en : v->ind.name_zh);
		cell(d, t, RDOC_NUM, "%s %s", op ? op : "", tgt);
		cell(d, t, RDOC_NUM, "%s", act);
		cell(d, t, v->state == SLA_MET ? RDOC_OK : RDOC_BAD, "%s",
		     sla_state_name(v->state, d->en ? "en" : "zh"));
		cell(d, t, missing ? RDOC_BAD : 0, "%s", reason);
		cell(d, t, 0, "%s", d->en ? v->evidence_en : v->evidence_zh);
	}
	table_end(d, t);
}

static void links(struct rdoc *d, const struct config *cfg,
		  const struct sla_result *r, const struct rdoc_charts *ch,
		  const struct rpt_words *w, int *k)
{
	const char *head[] = { w->device, w->iface, w->capacity, w->avg,
			       w->peak, w->p95max, w->p95sum, w->util95,
			       w->samples };
	const double wd[] = { 1.6, 1.2, 1.0, 1.0, 1.0, 1.2, 1.2, 1.0, 0.8 };
	struct rdoc_block *t;

	section(d, k, "骨干与出口链路带宽", "Backbone and exit bandwidth");
	if (r->nlinks == 0)
		text(d, RDOC_P, "%s",
		     d->en ? "No backbone or exit link with a contracted "
			     "capacity in the inventory."
			   : "设备清单中没有登记签约带宽的骨干或出口链路。");
	text(d, RDOC_P, "%s",
	     d->en ? "Utilisation in % of the contracted capacity (5-minute "
		     "averages); the red line is the month's 95th "
		     "percentile, the black line the capacity (100 %)."
		   : "图中为占签约带宽的利用率（5 分钟平均值），红线为本月 95 "
		     "百分位，黑线为签约带宽（100%）。");
	for (size_t i = 0; i < r->nlinks; i++) {
		if (ch != NULL && ch->util != NULL && ch->util[i] != NULL)
			image(d, ch->util[i], ch->util_len[i],
			      cfg->devices[r->links[i].dev].name);
		else
			text(d, RDOC_P, "%s %s: %s",
			     cfg->devices[r->links[i].dev].name,
			     r->links[i].ifname, w->nographs);
	}
	section(d, k, "链路利用率 95 百分位",
		"Link utilisation, 95th percentile");
	t = table(d, 9, wd);
	header_row(d, t, head);
	for (size_t i = 0; i < r->nlinks; i++) {
		const struct sla_link *l = &r->links[i];
		char a[32], b[32], c[32], e[32];
		double u = l->capacity_mbps > 0
				   ? l->p95_max / (l->capacity_mbps * 1e6) * 100
				   : NAN;

		report__bps(l->avg_max, a, sizeof(a));
		report__bps(l->peak_max, b, sizeof(b));
		report__bps(l->p95_max, c, sizeof(c));
		report__bps(l->p95_sum, e, sizeof(e));
		cell(d, t, 0, "%s", cfg->devices[l->dev].name);
		cell(d, t, 0, "%s", l->ifname);
		cell(d, t, RDOC_NUM, "%.0f", l->capacity_mbps);
		cell(d, t, RDOC_NUM, "%s", a);
		cell(d, t, RDOC_NUM, "%s", b);
		cell(d, t, RDOC_NUM, "%s", c);
		cell(d, t, RDOC_NUM, "%s", e);
		if (u == u)
			cell(d, t, RDOC_NUM | (u >= 80 ? RDOC_BAD : 0),
			     "%.2f%%", u);
		else
			cell(d, t, RDOC_NUM, "-");
		cell(d, t, RDOC_NUM, "%zu", l->samples);
	}
	table_end(d, t);
}

static void top_table(struct rdoc *d, const char *title, const char *keycol,
		      const struct sla_top *v, size_t n, double total,
		      const struct rpt_words *w)
{
	const char *head[] = { w->cap_rank, keycol, w->cap_bytes,
			       w->cap_packets, w->cap_share, w->cap_ivs };
	const double wd[] = { 0.5, 2, 1.2, 1.2, 1.2, 1.2 };
	struct rdoc_block *t;

	text(d, RDOC_H2, "%s", title);
	t = table(d, 6, wd);
	header_row(d, t, head);
	for (size_t i = 0; i < n; i++) {
		char key[64], b[32];

		report__bytes((double)v[i].bytes, b, sizeof(b));
		cell(d, t, RDOC_NUM, "%zu", i + 1);
		cell(d, t, 0, "%s", sla_top_label(&v[i], key, sizeof(key)));
		cell(d, t, RDOC_NUM, "%s", b);
		cell(d, t, RDOC_NUM, "%llu", (unsigned long long)v[i].packets);
		if (total > 0)
			cell(d, t, RDOC_NUM, "%.2f",
			     (double)v[i].bytes / total * 100);
		else
			cell(d, t, RDOC_NUM, "-");
		cell(d, t, RDOC_NUM, "%zu", v[i].intervals);
	}
	if (n == 0)
		cell(d, t, 0, "%s", w->none);
	table_end(d, t);
}

/* The captured links: only when [capture] sections exist (no empty
 * section). */
static void captures(struct rdoc *d, const struct sla_result *r,
		     const struct rpt_words *w, int *k)
{
	if (r->ncaptures == 0)
		return;
	section(d, k, "抓包链路流量构成",
		"Captured links: top talkers and ports");
	text(d, RDOC_NOTE, "%s", w->cap_note);
	for (size_t i = 0; i < r->ncaptures; i++) {
		const struct sla_capture *c = &r->captures[i];
		double seen = (double)c->records + (double)c->drops;
		char tot[32], in[32], out[32], title[256];

		report__bytes((double)c->bytes, tot, sizeof(tot));
		report__bytes((double)c->in_bytes, in, sizeof(in));
		report__bytes((double)c->out_bytes, out, sizeof(out));
		if (d->en)
			text(d, RDOC_H2, "%s %s (device %s)", w->cap_link,
			     c->name, c->device);
		else
			text(d, RDOC_H2, "%s %s（设备 %s）", w->cap_link,
			     c->name, c->device);
		if (c->intervals == 0) {
			text(d, RDOC_P, "%s", w->cap_none);
			continue;
		}
		text(d, RDOC_P,
		     d->en ? "%zu intervals, %s (in %s, out %s), top %zu per "
			     "interval; %s %.3f%%; completeness %.2f%%"
			   : "采集间隔 %zu 个，总流量 %s（入 %s，出 %s），每间隔"
			     "保留前 %zu 名；%s %.3f%%；完整性 %.2f%%",
		     c->intervals, tot, in, out, c->top_n, w->cap_drops,
		     seen > 0 ? (double)c->drops / seen * 100 : 0,
		     sla_capture_completeness(c));
		snprintf(title, sizeof(title),
			 d->en ? "%s (top %zu)" : "%s（前 %zu 名）",
			 w->cap_local, c->top_n);
		top_table(d, title, w->cap_addr, c->local, c->nlocal,
			  (double)c->bytes, w);
		snprintf(title, sizeof(title),
			 d->en ? "%s (top %zu)" : "%s（前 %zu 名）",
			 w->cap_remote, c->top_n);
		top_table(d, title, w->cap_addr, c->remote, c->nremote,
			  (double)c->bytes, w);
		snprintf(title, sizeof(title),
			 d->en ? "%s (top %zu)" : "%s（前 %zu 名）",
			 w->cap_ports, c->top_n);
		top_table(d, title, w->cap_port, c->ports, c->nports,
			  (double)c->bytes, w);
	}
}

/* The target of the unit connectivity indicator (percent), else 90. */
static double unit_target(const struct sla_result *r)
{
	for (size_t i = 0; i < r->nvalues; i++)
		if (strcmp(r->values[i].ind.id, "unit_connectivity") == 0 &&
		    strcmp(r->values[i].ind.unit, "%") == 0)
			return r->values[i].ind.target;
	return 90;
}

/* Unit rows: all (appendix) or only those below target (body). */
static size_t unit_rows(struct rdoc *d, const struct config *cfg,
			const struct sla_result *r,
			const struct rpt_words *w, int below_only)
{
	const char *head[] = { w->unit, w->device, w->share, w->down_h,
			       w->unknown_h, w->maint_h };
	const double wd[] = { 3.4, 1.4, 1, 1, 1, 1 };
	size_t *idx = calloc(cfg->ndevices + 1, sizeof(*idx)), n, rows = 0;
	double tgt = unit_target(r);
	struct rdoc_block *t;

	if (idx == NULL) {
		d->oom = 1;
		return 0;
	}
	n = report__units(cfg, r, idx);
	t = table(d, 6, wd);
	header_row(d, t, head);
	for (size_t k = 0; k < n; k++) {
		const struct sla_avail *a = &r->avail[idx[k]];
		double s = report__share(a);

		if (below_only && !(s != s || s < tgt))
			continue;
		rows++;
		cell(d, t, 0, "%s", cfg->devices[idx[k]].unit);
		cell(d, t, 0, "%s", cfg->devices[idx[k]].name);
		if (s == s)
			cell(d, t, RDOC_NUM | (s < tgt ? RDOC_BAD : 0),
			     "%.2f%%", s);
		else
			cell(d, t, RDOC_NUM, "-");
		cell(d, t, RDOC_NUM, "%.2f", a->down_s / 3600);
		cell(d, t, RDOC_NUM, "%.2f", a->unknown_s / 3600);
		cell(d, t, RDOC_NUM, "%.2f", a->maint_s / 3600);
	}
	table_end(d, t);
	if (rows == 0 && t != NULL && !d->oom) { /* header only: drop it */
		block_free(t);
		d->n--;
	}
	free(idx);
	return rows;
}

static void units(struct rdoc *d, const struct config *cfg,
		  const struct sla_result *r, const struct rdoc_charts *ch,
		  const struct rpt_words *w, int *k)
{
	size_t n = 0, below;
	double tgt = unit_target(r);

	for (size_t i = 0; i < cfg->ndevices; i++)
		n += cfg->devices[i].role == ROLE_ACCESS;
	section(d, k, "单位联网情况", "Unit connectivity");
	if (ch != NULL && ch->avail != NULL)
		image(d, ch->avail, ch->avail_len,
		      d->en ? "daily availability" : "每日可用率");
	if (d->en)
		text(d, RDOC_P,
		     "%zu units. Units below the target (%.2f %%) are listed "
		     "here; every unit is in the appendix.", n, tgt);
	else
		text(d, RDOC_P,
		     "共 %zu 个单位。下表列出联网率低于目标值（%.2f%%）的单位，"
		     "全部单位见附录。", n, tgt);
	below = unit_rows(d, cfg, r, w, 1);
	if (below == 0)
		text(d, RDOC_P, "%s",
		     d->en ? "Every unit met the target."
			   : "本月所有单位的联网率均达到目标值。");
}

static void faults(struct rdoc *d, const struct config *cfg,
		   const struct sla_result *r, const struct rdoc_charts *ch,
		   const struct rpt_words *w, int *k)
{
	const char *head[] = { w->fid, w->object, w->unit, w->kind,
			       w->severity, w->detected, w->deadline,
			       w->resp_min, w->repair_min, w->in_time,
			       w->satisf };
	const double wd[] = { 0.5, 1.6, 1.6, 1, 0.7, 1.4, 1.4, 0.8, 0.8,
			      0.6, 0.7 };
	double sa = 0, sr = 0;
	size_t na = 0, nr = 0;
	struct rdoc_block *t;

	section(d, k, "故障与响应", "Faults and response");
	if (ch != NULL && ch->faults != NULL)
		image(d, ch->faults, ch->faults_len,
		      d->en ? "faults by severity" : "按级别统计的故障");
	if (r->nfaults == 0) {
		text(d, RDOC_P, "%s",
		     d->en ? "No fault was detected in the period."
			   : "本期未发现故障。");
		return;
	}
	t = table(d, 11, wd);
	header_row(d, t, head);
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct sla_fault *sf = &r->faults[i];
		char t1[32], t2[32];

		sla_local_fmt(r->period.tz, sf->f.detect_t, t1, sizeof(t1));
		sla_local_fmt(r->period.tz, sf->f.deadline_t, t2, sizeof(t2));
		cell(d, t, RDOC_NUM, "%lld", (long long)sf->f.id);
		cell(d, t, 0, "%s", sf->f.object);
		cell(d, t, 0, "%s", report__fault_unit(cfg, sf));
		cell(d, t, 0, "%s", word_fault_kind(sf->f.kind, d->en));
		cell(d, t, 0, "%s",
		     word_severity(sf->f.severity, d->en));
		cell(d, t, 0, "%s", t1);
		cell(d, t, 0, "%s", t2);
		if (sf->response_s == sf->response_s)
			cell(d, t, RDOC_NUM, "%.1f", sf->response_s / 60);
		else
			cell(d, t, RDOC_NUM, "-");
		if (sf->repair_s == sf->repair_s)
			cell(d, t, RDOC_NUM, "%.1f", sf->repair_s / 60);
		else
			cell(d, t, RDOC_NUM, "-");
		cell(d, t, sf->acked_in_time ? RDOC_OK : RDOC_BAD, "%s",
		     sf->acked_in_time ? w->yes : w->no);
		cell(d, t, 0, "%s",
		     sf->f.satisfaction[0] ? en_word(sf->f.satisfaction, d->en)
					   : "-");
		if (sf->response_s == sf->response_s) {
			sa += sf->response_s;
			na++;
		}
		if (sf->repair_s == sf->repair_s) {
			sr += sf->repair_s;
			nr++;
		}
	}
	table_end(d, t);
	text(d, RDOC_P,
	     d->en ? "Mean time to respond: %.1f min · mean time to "
		     "repair: %.1f min"
		   : "平均响应时长：%.1f 分钟 · 平均修复时长：%.1f 分钟",
	     na ? sa / (double)na / 60 : 0, nr ? sr / (double)nr / 60 : 0);
}

struct complete_table {
	struct rdoc *d;
	struct rdoc_block *t;
};

static void complete_row(void *arg, const char *label, size_t n, double exp,
			 double got)
{
	struct complete_table *c = arg;

	cell(c->d, c->t, 0, "%s", label);
	cell(c->d, c->t, RDOC_NUM, "%zu", n);
	cell(c->d, c->t, RDOC_NUM, "%.0f", exp);
	cell(c->d, c->t, RDOC_NUM, got == floor(got) ? "%.0f" : "%.1f", got);
	if (exp > 0)
		cell(c->d, c->t, RDOC_NUM, "%.2f", got / exp * 100);
	else
		cell(c->d, c->t, RDOC_NUM, "-");
}

static void completeness(struct rdoc *d, const struct config *cfg,
			 const struct sla_result *r,
			 const struct rpt_words *w, int *k)
{
	const char *head[] = { w->role, w->ndev, w->expected, w->collected,
			       "%" };
	struct complete_table c = { d, NULL };

	section(d, k, "数据完整性", "Data completeness");
	c.t = table(d, 5, NULL);
	header_row(d, c.t, head);
	/* each device's known 5-minute units, rounded */
	report__completeness(cfg, r, w, d->en, 1, complete_row, &c);
	table_end(d, c.t);
}

static void methods(struct rdoc *d, const struct rpt_words *w, int *k)
{
	static const char *const zh[] = {
		"所有数值均由 RRD 文件的 5 分钟数据（rrdtool fetch -r 300）和故障"
		"日志计算，可逐项手工核对。",
		"联网率与设备正常使用率：在线时间 / (登记设备数 × 统计时长 − "
		"维护时间)；无数据的时间不计为在线，并单独列出。维护时间以"
		"“设备·小时”计（每台设备每小时计 1）。",
		"95 百分位：将 5 分钟样本排序，去掉最高的 5%，取剩余最大值。",
		"带宽：取设备清单中的签约带宽（接口速率未存入 RRD）。",
		"故障响应率：在响应期限内确认（或关闭）的故障 / 本期发现的故障。"
		"平均响应时长为发现到确认的平均用时，平均修复时长为首次失败到"
		"恢复的平均用时。",
		"抓包链路：流量构成为故障日志库中每个采集间隔前 N 名列表之和；"
		"抓包丢包按 丢包 / (记录 + 丢包) 从该间隔的采集时间中扣除，计入"
		"数据完整性。",
	};
	static const char *const en[] = {
		"All values are computed from the 5-minute rows of the RRD "
		"files (rrdtool fetch -r 300) and the fault journal; any "
		"figure can be checked by hand.",
		"Availability: up time / (registered devices × period − "
		"maintenance); time without data counts as not up and is shown "
		"separately. Maintenance is counted in device-hours.",
		"95th percentile: the 5-minute samples sorted, the top 5 % "
		"discarded, the highest remaining sample.",
		"Capacity: the contracted capacity of the inventory.",
		"Fault response: acknowledged (or closed) before the response "
		"deadline / faults detected in the period. Mean time to "
		"respond: detection to acknowledgement; mean time to repair: "
		"first failure to recovery.",
		"Captured links: the traffic composition is the sum of the "
		"per-interval top-N lists kept in the journal; capture drops "
		"take their share off the time each interval covers.",
	};

	(void)w;
	section(d, k, "计算方法说明", "Methods");
	for (size_t i = 0; i < sizeof(zh) / sizeof(zh[0]); i++)
		text(d, RDOC_P, "%s", d->en ? en[i] : zh[i]);
}

/* Devices tagged simulated, and months that slamon simulate-history
 * wrote (<storage_dir>/SIMULATED): not measurements, said so. */
static void data_notes(struct rdoc *d, const struct config *cfg,
		       const struct sla_result *r, const struct rpt_words *w)
{
	char months[256], names[1024] = "";
	size_t used = 0, k = 0;

	report__simulated_months(cfg, &r->period, months, sizeof(months));
	if (months[0] != '\0')
		text(d, RDOC_NOTE,
		     d->en ? "Simulated history: %s written by slamon "
			     "simulate-history (demo): not measurements."
			   : "模拟历史数据：%s 的数据由 slamon simulate-history "
			     "生成（演示用），不是实测数据。",
		     months);
	if (r->simulated == 0)
		return;
	used = 0;
	for (size_t i = 0; i < cfg->ndevices && k < 40; i++) {
		if (!sla__has_tag(cfg->devices[i].tags, "simulated"))
			continue;
		used += (size_t)snprintf(names + used,
					 used < sizeof(names)
						 ? sizeof(names) - used
						 : 0,
					 "%s%s", k++ ? ", " : "",
					 cfg->devices[i].name);
		if (used >= sizeof(names))
			break;
	}
	text(d, RDOC_NOTE, "%s (%zu): %s%s", w->simulated, r->simulated,
	     names, r->simulated > k ? " …" : "");
}

/* The summary's paragraphs, split at blank lines. */
static void summary(struct rdoc *d, const char *s)
{
	while (s != NULL && *s != '\0') {
		const char *e = strstr(s, "\n\n");
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);

		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
			n--;
		if (n > 0)
			text(d, RDOC_P, "%.*s", (int)n, s);
		if (e == NULL)
			break;
		s = e + 2;
		while (*s == '\n')
			s++;
	}
}

int report__doc_build(const struct config *cfg, const struct sla_result *r,
		      const char *sum, const struct rdoc_charts *ch,
		      const char *lang, struct rdoc *d)
{
	const struct rpt_words *w = report__words(lang);
	int k = 0;

	d->en = lang != NULL && strcmp(lang, "en") == 0;
	snprintf(d->label, sizeof(d->label), "%s", r->period.label);
	if (r->period.kind == SLA_MONTH && d->en) {
		static const char *const mn[] = {
			"January", "February", "March", "April", "May",
			"June", "July", "August", "September", "October",
			"November", "December"
		};

		snprintf(d->period, sizeof(d->period), "%s %d",
			 mn[(r->period.month + 11) % 12], r->period.year);
	} else if (r->period.kind == SLA_MONTH) {
		snprintf(d->period, sizeof(d->period), "%d年%d月",
			 r->period.year, r->period.month);
	} else {
		snprintf(d->period, sizeof(d->period), "%s", r->period.label);
	}
	sla_local_fmt(r->period.tz, r->now, d->generated, sizeof(d->generated));
	d->role_words[0] = d->en ? "Prepared by" : "编制";
	d->role_words[1] = d->en ? "Reviewed by" : "审核";
	d->role_words[2] = d->en ? "Approved by" : "批准";
	/* a draft while a missed indicator has no reason: with every reason
	 * given, the cover is ready to sign */
	for (size_t i = 0; i < r->nvalues; i++)
		if (r->values[i].state != SLA_MET &&
		    r->values[i].reason[0] == '\0')
			d->draft = 1;

	text(d, RDOC_H1, "%s", d->en ? "Summary of the month" : "本月运行概况");
	data_notes(d, cfg, r, w);
	summary(d, sum);
	/* a missed indicator without a reason, whoever wrote the summary */
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];
		char act[64];

		if (v->state == SLA_MET || v->reason[0] != '\0')
			continue;
		report__value(v->value, v->ind.unit, act, sizeof(act));
		/* (slamon report annotate: docs/sla.md says how) */
		if (v->value != v->value)
			text(d, RDOC_FLAG,
			     d->en ? "[TO FILL IN] %s has no data: no reason "
				     "given yet."
				   : "【待填写】%s 本期无数据，尚未说明原因。",
			     d->en ? v->ind.name_en : v->ind.name_zh);
		else
			text(d, RDOC_FLAG,
			     d->en ? "[TO FILL IN] %s is %s (%s): no reason "
				     "given yet."
				   : "【待填写】%s 为 %s（%s），尚未说明偏差原因。",
			     d->en ? v->ind.name_en : v->ind.name_zh, act,
			     sla_state_name(v->state, d->en ? "en" : "zh"));
	}
	section(d, &k, "绩效指标完成情况", "Performance indicators");
	indicators(d, r, w);
	if (ch != NULL && ch->compare != NULL)
		image(d, ch->compare, ch->compare_len,
		      d->en ? "this month against last month"
			    : "本月与上月对比");
	links(d, cfg, r, ch, w, &k);
	captures(d, r, w, &k);
	units(d, cfg, r, ch, w, &k);
	faults(d, cfg, r, ch, w, &k);
	completeness(d, cfg, r, w, &k);
	methods(d, w, &k);
	push(d, RDOC_BREAK);
	text(d, RDOC_H1, "%s",
	     d->en ? "Appendix: connectivity of every unit"
		   : "附录：各单位联网情况明细");
	unit_rows(d, cfg, r, w, 0);
	return d->oom ? -ENOMEM : 0;
}
