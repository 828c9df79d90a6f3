/*
 * report_html.c - the HTML reports: one self-contained file (no external
 * fonts, CSS, scripts or images; graphs are data: URIs) that prints on
 * A4: the month's document (report_doc.h) and the annual summary.
 * SPDX-License-Identifier: MIT
 */
#include "report_int.h"
#include "report_doc.h"

#include "indicators.h"
#include "sla_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/words.h"

static const struct rpt_words ZH = {
	.title = "电子政务外网信息系统运维月报表",
	.year_title = "电子政务外网运维年度汇总",
	.period = "统计周期", .zone = "时区", .generated = "生成时间",
	.simulated = "数据说明：以下设备的数据为模拟数据（清单标签 simulated）",
	.s_ind = "一、绩效指标完成情况", .s_bw = "二、骨干与出口链路带宽",
	.s_p95 = "三、链路利用率 95 百分位", .s_cap = "四、抓包链路流量构成",
	.s_units = "五、单位联网情况",
	.s_faults = "六、故障与响应", .s_complete = "七、数据完整性",
	.s_notes = "八、计算方法说明", .lvl1 = "一级指标", .lvl2 = "二级指标",
	.lvl3 = "三级指标", .target = "指标值", .actual = "实际完成值",
	.met = "是否达标", .deviation = "偏差原因", .evidence = "计算依据",
	.device = "设备", .iface = "接口", .capacity = "签约带宽(Mbps)",
	.avg = "平均", .peak = "峰值", .p95max = "95百分位（入出取大）",
	.p95sum = "95百分位 入+出", .util95 = "95百分位利用率",
	.samples = "样本数", .unit = "单位", .share = "联网率",
	.down_h = "离线(小时)", .unknown_h = "未知(小时)",
	.maint_h = "维护(小时)", .fid = "编号", .object = "对象",
	.kind = "类型", .severity = "级别", .detected = "发现时间",
	.deadline = "响应期限", .resp_min = "响应用时(分钟)",
	.repair_min = "修复用时(分钟)", .in_time = "按时响应",
	.satisf = "满意度", .role = "角色", .ndev = "设备数",
	.expected = "应采样本", .collected = "实采样本", .yes = "是",
	.no = "否", .none = "无", .annual = "全年", .month = "月份",
	.nographs = "（未生成图形）", .mtta = "平均响应时长",
	.mttr = "平均修复时长", .total = "合计",
	.cap_note = "以下排名为本期每个采集间隔前 N 名列表之和：某地址或端口"
		    "不在某一间隔的前 N 名之内时，该间隔不计入，因此各项为下限，"
		    "并非全量精确排名。",
	.cap_local = "本地通信方", .cap_remote = "外部通信方",
	.cap_ports = "服务端口", .cap_rank = "排名", .cap_addr = "地址",
	.cap_port = "协议/端口", .cap_bytes = "字节数", .cap_packets = "包数",
	.cap_ivs = "上榜间隔数", .cap_share = "占链路流量(%)",
	.cap_link = "抓包链路", .cap_drops = "丢包率",
	.cap_none = "本期无抓包记录", .cap_complete = "抓包",
	.no_reason = "【待填写】未达标，尚未说明偏差原因",
};

static const struct rpt_words EN = {
	.title = "Extranet operations monthly report",
	.year_title = "Extranet operations annual summary",
	.period = "Period", .zone = "Time zone", .generated = "Generated",
	.simulated = "Data note: the data of these devices is simulated "
		     "(inventory tag simulated)",
	.s_ind = "1. Performance indicators", .s_bw = "2. Backbone and exit bandwidth",
	.s_p95 = "3. Link utilisation, 95th percentile",
	.s_cap = "4. Captured links: top talkers and ports",
	.s_units = "5. Unit connectivity", .s_faults = "6. Faults and response",
	.s_complete = "7. Data completeness", .s_notes = "8. Methods",
	.lvl1 = "Level 1", .lvl2 = "Level 2", .lvl3 = "Indicator",
	.target = "Target", .actual = "Actual", .met = "Met",
	.deviation = "Reason for deviation", .evidence = "Evidence",
	.device = "Device", .iface = "Interface",
	.capacity = "Capacity (Mbps)", .avg = "Average", .peak = "Peak",
	.p95max = "95th max(in,out)", .p95sum = "95th in+out",
	.util95 = "95th utilisation", .samples = "Samples", .unit = "Unit",
	.share = "Connectivity", .down_h = "Down (h)",
	.unknown_h = "Unknown (h)", .maint_h = "Maintenance (h)",
	.fid = "ID", .object = "Object", .kind = "Kind",
	.severity = "Severity", .detected = "Detected",
	.deadline = "Deadline", .resp_min = "Response (min)",
	.repair_min = "Repair (min)", .in_time = "In time",
	.satisf = "Satisfaction", .role = "Role", .ndev = "Devices",
	.expected = "Expected", .collected = "Collected", .yes = "yes",
	.no = "no", .none = "none", .annual = "Year", .month = "Month",
	.nographs = "(graphs not drawn)", .mtta = "Mean time to respond",
	.mttr = "Mean time to repair", .total = "all",
	.cap_note = "The rankings below are the sums of the per-interval "
		    "top-N lists of the period: an address or port outside an "
		    "interval's top N adds nothing for that interval, so each "
		    "figure is a lower bound, not an exact ranking of all "
		    "traffic.",
	.cap_local = "Local talkers", .cap_remote = "Remote talkers",
	.cap_ports = "Service ports", .cap_rank = "#", .cap_addr = "Address",
	.cap_port = "Proto/port", .cap_bytes = "Bytes",
	.cap_packets = "Packets", .cap_ivs = "Intervals listed",
	.cap_share = "Share of link (%)", .cap_link = "Captured link",
	.cap_drops = "Drops", .cap_none = "no capture records in the period",
	.cap_complete = "capture",
	.no_reason = "[TO FILL IN] not met, no reason given yet",
};

const struct rpt_words *report__words(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0 ? &EN : &ZH;
}

void report__value(double v, const char *unit, char *out, size_t outlen)
{
	if (v != v)
		snprintf(out, outlen, "-");
	else if (v == floor(v) && fabs(v) < 1e12)
		snprintf(out, outlen, "%.0f%s%s", v,
			 unit[0] && strcmp(unit, "%") ? " " : "", unit);
	else
		snprintf(out, outlen, "%.2f%s%s", v,
			 unit[0] && strcmp(unit, "%") ? " " : "", unit);
}

void report__bps(double bps, char *out, size_t outlen)
{
	if (bps != bps)
		snprintf(out, outlen, "-");
	else if (bps >= 1e9)
		snprintf(out, outlen, "%.2f Gbps", bps / 1e9);
	else if (bps >= 1e6)
		snprintf(out, outlen, "%.2f Mbps", bps / 1e6);
	else
		snprintf(out, outlen, "%.1f kbps", bps / 1e3);
}

void report__bytes(double bytes, char *out, size_t outlen)
{
	if (bytes != bytes)
		snprintf(out, outlen, "-");
	else if (bytes >= 1e12)
		snprintf(out, outlen, "%.2f TB", bytes / 1e12);
	else if (bytes >= 1e9)
		snprintf(out, outlen, "%.2f GB", bytes / 1e9);
	else if (bytes >= 1e6)
		snprintf(out, outlen, "%.2f MB", bytes / 1e6);
	else if (bytes >= 1e3)
		snprintf(out, outlen, "%.1f kB", bytes / 1e3);
	else
		snprintf(out, outlen, "%.0f B", bytes);
}

void report__esc(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void head(FILE *f, const char *title, const char *lang)
{
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		"<title>",
		strcmp(lang, "en") == 0 ? "en" : "zh-CN");
	report__esc(f, title);
	fputs("</title><style>\n"
	      "@page { size: A4; margin: 14mm 12mm; }\n"
	      /* a TrueType CJK font first: Chromium's PDF backend embeds
	       * CFF-based OpenType (Noto CJK) as nameless Type 3 fonts,
	       * TrueType as CID TrueType that pdffonts can name */
	      "body { font-family: \"WenQuanYi Micro Hei\", "
	      "\"Noto Sans CJK SC\", \"Noto Sans SC\", sans-serif; "
	      "font-size: 10pt; "
	      "color: #111; margin: 0 auto; max-width: 190mm; }\n"
	      "h1 { font-size: 17pt; text-align: center; margin: 4mm 0; }\n"
	      "h2 { font-size: 12.5pt; border-bottom: 1px solid #555; "
	      "margin-top: 7mm; page-break-after: avoid; }\n"
	      "table { border-collapse: collapse; width: 100%; "
	      "margin: 2mm 0; }\n"
	      "th, td { border: 1px solid #888; padding: 1.2mm 1.5mm; "
	      "vertical-align: top; font-size: 8.5pt; }\n"
	      "th { background: #e8edf3; } tr { page-break-inside: avoid; }\n"
	      "thead { display: table-header-group; }\n"
	      "td.n { text-align: right; white-space: nowrap; }\n"
	      "td.k { white-space: nowrap; }\n"
	      ".bad { color: #b71c1c; font-weight: bold; } "
	      ".ok { color: #1b5e20; } .meta { color: #444; }\n"
	      ".note { background: #fff8e1; border: 1px solid #ffb300; "
	      "padding: 2mm; }\n"
	      "img { width: 100%; page-break-inside: avoid; }\n"
	      "figure { margin: 2mm 0; page-break-inside: avoid; }\n"
	      "</style></head><body>\n",
	      f);
}

static void th_row(FILE *f, const char *const *cols, size_t n)
{
	fputs("<thead><tr>", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<th>", f);
		report__esc(f, cols[i]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n", f);
}

static void td(FILE *f, const char *cls, const char *text)
{
	if (cls != NULL)
		fprintf(f, "<td class=\"%s\">", cls);
	else
		fputs("<td>", f);
	report__esc(f, text);
	fputs("</td>", f);
}

static void tdf(FILE *f, double v, int prec)
{
	if (v != v)
		fputs("<td class=\"n\">-</td>", f);
	else
		fprintf(f, "<td class=\"n\">%.*f</td>", prec, v);
}

static void simulated_history_note(FILE *f, const struct config *cfg,
				   const struct sla_result *r, int zh);

static void meta(FILE *f, const struct config *cfg,
		 const struct sla_result *r, const struct rpt_words *w)
{
	char a[32], b[32], g[32];

	sla_local_fmt(r->period.tz, r->period.from, a, sizeof(a));
	sla_local_fmt(r->period.tz, r->period.to, b, sizeof(b));
	sla_local_fmt(r->period.tz, r->now, g, sizeof(g));
	fprintf(f, "<p class=\"meta\">%s: %s (%s — %s) · %s: %s · %s: %s</p>\n",
		w->period, r->period.label, a, b, w->zone, r->period.tz,
		w->generated, g);
	simulated_history_note(f, cfg, r, w == &ZH);
	if (r->simulated == 0)
		return;
	fprintf(f, "<p class=\"note\">%s (%zu): ", w->simulated, r->simulated);
	for (size_t d = 0, k = 0; d < cfg->ndevices; d++) {
		if (!sla__has_tag(cfg->devices[d].tags, "simulated"))
			continue;
		if (k++ == 40) {
			fputs(" …", f);
			break;
		}
		fputs(k > 1 ? ", " : "", f);
		report__esc(f, cfg->devices[d].name);
	}
	fputs("</p>\n", f);
}

/* Months that `slamon simulate-history` wrote (<storage_dir>/SIMULATED:
 * month, from, to, ... tab-separated) and that overlap the report's period
 * are named in a note: those numbers are not measurements. */
static void simulated_history_note(FILE *f, const struct config *cfg,
				   const struct sla_result *r, int zh)
{
	char months[256];

	report__simulated_months(cfg, &r->period, months, sizeof(months));
	if (months[0] == '\0')
		return;
	fputs("<p class=\"note\"><strong>", f);
	fputs(zh ? "模拟历史数据" : "Simulated history", f);
	fputs("</strong>: ", f);
	report__esc(f, months);
	fputs(zh ? " 的数据由 slamon simulate-history 生成（演示用），"
		   "不是实测数据。"
		 : " written by slamon simulate-history (demo): not "
		   "measurements.",
	      f);
	fputs("</p>\n", f);
}

static void fault_section(FILE *f, const struct config *cfg,
			  const struct sla_result *r,
			  const struct rpt_words *w)
{
	const char *cols[] = { w->fid, w->object, w->unit, w->kind,
			       w->severity, w->detected, w->deadline,
			       w->resp_min, w->repair_min, w->in_time,
			       w->satisf };
	double sa = 0, sr = 0;
	size_t na = 0, nr = 0;

	fprintf(f, "<h2>%s</h2>\n<table>", w->s_faults);
	th_row(f, cols, 11);
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct sla_fault *sf = &r->faults[i];
		char t1[32], t2[32];

		sla_local_fmt(r->period.tz, sf->f.detect_t, t1, sizeof(t1));
		sla_local_fmt(r->period.tz, sf->f.deadline_t, t2, sizeof(t2));
		fprintf(f, "<tr><td class=\"n\">%lld</td>",
			(long long)sf->f.id);
		td(f, NULL, sf->f.object);
		td(f, NULL, report__fault_unit(cfg, sf));
		td(f, NULL, word_fault_kind(sf->f.kind, w == &EN));
		td(f, NULL, word_severity(sf->f.severity, w == &EN));
		td(f, NULL, t1);
		td(f, NULL, t2);
		tdf(f, sf->response_s / 60, 1);
		tdf(f, sf->repair_s / 60, 1);
		td(f, sf->acked_in_time ? "ok" : "bad",
		   sf->acked_in_time ? w->yes : w->no);
		td(f, NULL, sf->f.satisfaction[0] ? sf->f.satisfaction : "-");
		fputs("</tr>\n", f);
		if (sf->response_s == sf->response_s) {
			sa += sf->response_s;
			na++;
		}
		if (sf->repair_s == sf->repair_s) {
			sr += sf->repair_s;
			nr++;
		}
	}
	fputs("</table>\n", f);
	fprintf(f, w == &EN ? "<p>%s: %.1f min · %s: %.1f min</p>\n"
			    : "<p>%s：%.1f 分钟 · %s：%.1f 分钟</p>\n",
		w->mtta, na ? sa / (double)na / 60 : 0, w->mttr,
		nr ? sr / (double)nr / 60 : 0);
}

static void complete_row(void *arg, const char *label, size_t n, double exp,
			 double got)
{
	FILE *f = arg;

	fputs("<tr>", f);
	td(f, NULL, label);
	fprintf(f, "<td class=\"n\">%zu</td><td class=\"n\">%.0f</td>", n,
		exp);
	tdf(f, got, got == floor(got) ? 0 : 1);
	tdf(f, exp > 0 ? got / exp * 100 : NAN, 2);
	fputs("</tr>\n", f);
}

/* Per role, per captured link (5-minute samples less the drop share),
 * and the total the completeness indicator uses for scope "all". */
static void complete_section(FILE *f, const struct config *cfg,
			     const struct sla_result *r,
			     const struct rpt_words *w)
{
	const char *cols[] = { w->role, w->ndev, w->expected, w->collected,
			       "%" };

	fprintf(f, "<h2>%s</h2>\n<table>", w->s_complete);
	th_row(f, cols, 5);
	/* the known seconds / 300, as the indicator counts them */
	report__completeness(cfg, r, w, w == &EN, 0, complete_row, f);
	fputs("</table>\n", f);
}

static void notes(FILE *f, const struct rpt_words *w, int en)
{
	fprintf(f, "<h2>%s</h2>\n<ul>\n", w->s_notes);
	if (en)
		fputs("<li>All values are computed from the 5-minute rows of the "
		      "RRD files (rrdtool fetch -r 300) and the fault journal; "
		      "any figure can be checked by hand.</li>\n"
		      "<li>Availability: up time / (registered devices × period "
		      "− maintenance); time without data counts as not up and is "
		      "shown separately.</li>\n"
		      "<li>95th percentile: the 5-minute samples sorted, the top "
		      "5% discarded, the highest remaining sample.</li>\n"
		      "<li>Capacity: contracted capacity of the inventory "
		      "(the interface speed is not stored in RRD).</li>\n"
		      "<li>Fault response: acknowledged (or closed) before the "
		      "response deadline / faults detected in the period.</li>\n"
		      "<li>Captured links: the traffic composition is the sum "
		      "of the per-interval top-N lists kept in the journal. "
		      "Capture drops (kernel ring and interface, pcap_stats) "
		      "take their share drops / (records + drops) off the time "
		      "each interval covers, and so count against data "
		      "completeness.</li>\n",
		      f);
	else
		fputs("<li>所有数值均由 RRD 文件的 5 分钟数据（rrdtool fetch -r 300）"
		      "和故障日志计算，可逐项手工核对。</li>\n"
		      "<li>联网率与设备正常使用率：在线时间 / (登记设备数 × 统计时长 − "
		      "维护时间)；无数据的时间不计为在线，并单独列出。</li>\n"
		      "<li>95 百分位：将 5 分钟样本排序，去掉最高的 5%，取剩余最大值。</li>\n"
		      "<li>带宽：取设备清单中的签约带宽（接口速率未存入 RRD）。</li>\n"
		      "<li>故障响应率：在响应期限内确认（或关闭）的故障 / 本期发现的故障。</li>\n"
		      "<li>抓包链路：流量构成为故障日志库中每个采集间隔 Top-N 列表之和；"
		      "抓包丢包（内核缓冲区与网卡，pcap_stats）按 丢包 / (记录 + 丢包) "
		      "从该间隔的采集时间中扣除，计入数据完整性。</li>\n",
		      f);
	fputs("</ul>\n", f);
}

int report__year_html(const struct config *cfg, struct sla_result *const *m,
		      const struct sla_result *y, const struct report_opts *o,
		      char *err, size_t errlen)
{
	const struct rpt_words *w = report__words(o->lang);
	int en = o->lang != NULL && strcmp(o->lang, "en") == 0;
	char path[4400], title[256], v[64];
	FILE *f = report__open(o, y->period.label, ".html", path,
			       sizeof(path), err, errlen);

	if (f == NULL)
		return -EIO;
	snprintf(title, sizeof(title), "%s %s", w->year_title, y->period.label);
	head(f, title, en ? "en" : "zh");
	fputs("<h1>", f);
	report__esc(f, title);
	fputs("</h1>\n", f);
	meta(f, cfg, y, w);
	fprintf(f, "<h2>%s</h2>\n<table><thead><tr><th>%s</th><th>%s</th>",
		w->s_ind, w->lvl3, w->target);
	for (int i = 0; i < 12; i++)
		fprintf(f, "<th>%d</th>", i + 1);
	fprintf(f, "<th>%s</th><th>%s</th></tr></thead>\n", w->annual, w->met);
	for (size_t k = 0; k < y->nvalues; k++) {
		const struct sla_value *yv = &y->values[k];

		fputs("<tr>", f);
		td(f, NULL, en ? yv->ind.name_en : yv->ind.name_zh);
		report__value(yv->ind.target, yv->ind.unit, v, sizeof(v));
		fprintf(f, "<td class=\"n\">%s ",
			cmp_op_name(yv->ind.cmp) ? cmp_op_name(yv->ind.cmp)
						 : "");
		report__esc(f, v);
		fputs("</td>", f);
		for (int i = 0; i < 12; i++) {
			const struct sla_value *mv =
				m[i] != NULL && k < m[i]->nvalues
					? &m[i]->values[k]
					: NULL;

			report__value(mv ? mv->value : NAN, "", v, sizeof(v));
			td(f, mv && mv->state == SLA_BREACHED ? "n bad" : "n",
			   v);
		}
		report__value(yv->value, yv->ind.unit, v, sizeof(v));
		td(f, "n", v);
		td(f, yv->state == SLA_MET ? "ok" : "bad",
		   sla_state_name(yv->state, en ? "en" : "zh"));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	fault_section(f, cfg, y, w);
	complete_section(f, cfg, y, w);
	notes(f, w, en);
	fputs("</body></html>\n", f);
	return report__close(f, path, err, errlen);
}

/* ---- the month's document (report_doc.h) as HTML -------------------------------------------------------------- */

static const char doc_css[] =
	"@page { size: A4; margin: 16mm 12mm; }\n"
	"body { font-family: \"WenQuanYi Micro Hei\", \"Noto Sans CJK SC\", "
	"\"Noto Sans SC\", sans-serif; font-size: 10pt; color: #111; "
	"margin: 0 auto; max-width: 190mm; }\n"
	"h1 { font-size: 13pt; border-bottom: 1px solid #555; "
	"margin-top: 7mm; page-break-after: avoid; }\n"
	"h1.title { font-size: 18pt; text-align: center; border: 0; }\n"
	"h2 { font-size: 11pt; margin: 4mm 0 1mm; }\n"
	"table { border-collapse: collapse; width: 100%; margin: 2mm 0; }\n"
	"th, td { border: 1px solid #888; padding: 1.2mm 1.5mm; "
	"vertical-align: top; font-size: 8.5pt; }\n"
	"th { background: #e8edf3; } tr { page-break-inside: avoid; }\n"
	"thead { display: table-header-group; }\n"
	"td.n { text-align: right; white-space: nowrap; }\n"
	".bad { color: #b71c1c; font-weight: bold; } .ok { color: #1b5e20; }\n"
	".meta { color: #444; text-align: center; }\n"
	".note { background: #fff8e1; border: 1px solid #ffb300; "
	"padding: 2mm; }\n"
	".flag { color: #b71c1c; font-weight: bold; }\n"
	"table.sign td { border: 0; font-size: 10pt; padding: 3mm; }\n"
	"img { width: 100%; page-break-inside: avoid; }\n"
	".appendix { page-break-before: always; }\n";

static void html_table(FILE *f, const struct rdoc_block *b)
{
	fputs("<table>", f);
	for (size_t r = 0; r < b->nrows; r++) {
		fputs(r == 0 ? "<thead><tr>" : "<tr>", f);
		for (size_t c = 0; c < b->ncols; c++) {
			size_t i = r * b->ncols + c;
			unsigned fl = b->flags[i];

			if (r == 0)
				fputs("<th>", f);
			else
				fprintf(f, "<td class=\"%s%s%s\">",
					fl & RDOC_NUM ? "n " : "",
					fl & RDOC_BAD ? "bad" : "",
					fl & RDOC_OK ? "ok" : "");
			report__esc(f, b->cells[i]);
			fputs(r == 0 ? "</th>" : "</td>", f);
		}
		fputs(r == 0 ? "</tr></thead>\n" : "</tr>\n", f);
	}
	fputs("</table>\n", f);
}

int report__doc_html(const struct rdoc *d, const struct report_opts *o,
		     char *err, size_t errlen)
{
	char path[4400];
	FILE *f;
	int appendix = 0;

	if (d->oom) {
		snprintf(err, errlen, "report %s: out of memory", d->label);
		return -ENOMEM;
	}
	f = report__open(o, d->label, ".html", path, sizeof(path), err,
			 errlen);
	if (f == NULL)
		return -EIO;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\"><head>"
		   "<meta charset=\"utf-8\"><title>",
		d->en ? "en" : "zh-CN");
	report__esc(f, d->title);
	fprintf(f, " %s</title><style>\n%s</style></head><body>\n", d->label,
		doc_css);
	if (d->logo != NULL) {
		char *b64 = report__base64(d->logo, d->logolen);

		if (b64 != NULL)
			fprintf(f, "<p style=\"text-align:center\"><img "
				   "style=\"width:30mm\" alt=\"logo\" "
				   "src=\"data:image/png;base64,%s\"></p>\n",
				b64);
		free(b64);
	}
	if (d->bureau[0] != '\0') {
		fputs("<p class=\"meta\" style=\"font-size:13pt\">", f);
		report__esc(f, d->bureau);
		fputs("</p>\n", f);
	}
	fputs("<h1 class=\"title\">", f);
	report__esc(f, d->title);
	fprintf(f, " %s</h1>\n<p class=\"meta\">", d->label);
	report__esc(f, d->period);
	fprintf(f, " · %s %s%s</p>\n", d->en ? "generated" : "生成时间",
		d->generated,
		d->draft ? (d->en ? " · draft: reasons to give"
				  : " · 草稿：尚有偏差原因未说明")
			 : "");
	fputs("<table class=\"sign\"><tr>", f);
	for (int i = 0; i < 3; i++) {
		const char *who = i == 0 ? d->prepared
				  : i == 1 ? d->reviewed : d->approved;

		fprintf(f, "<td>%s：", d->role_words[i]);
		report__esc(f, who[0] ? who : "________");
		fprintf(f, "　%s：________</td>", d->en ? "date" : "日期");
	}
	fputs("</tr></table>\n", f);
	for (size_t i = 0; i < d->n; i++) {
		const struct rdoc_block *b = &d->b[i];

		switch (b->kind) {
		case RDOC_H1:
			fputs(appendix ? "<h1 class=\"appendix\">" : "<h1>", f);
			appendix = 0;
			report__esc(f, b->text);
			fputs("</h1>\n", f);
			break;
		case RDOC_H2:
			fputs("<h2>", f);
			report__esc(f, b->text);
			fputs("</h2>\n", f);
			break;
		case RDOC_P:
		case RDOC_NOTE:
		case RDOC_FLAG:
			fprintf(f, "<p%s>",
				b->kind == RDOC_NOTE   ? " class=\"note\""
				: b->kind == RDOC_FLAG ? " class=\"flag\""
						       : "");
			report__esc(f, b->text);
			fputs("</p>\n", f);
			break;
		case RDOC_TABLE:
			html_table(f, b);
			break;
		case RDOC_IMAGE: {
			char *b64 = report__base64(b->png, b->pnglen);

			if (b64 == NULL) {
				fclose(f);
				snprintf(err, errlen, "%s: out of memory",
					 path);
				return -ENOMEM;
			}
			fputs("<figure><img alt=\"", f);
			report__esc(f, b->text);
			fprintf(f, "\" src=\"data:image/png;base64,%s\">"
				   "</figure>\n", b64);
			free(b64);
			break;
		}
		case RDOC_BREAK:
			appendix = 1;
			break;
		}
	}
	fputs("</body></html>\n", f);
	return report__close(f, path, err, errlen);
}
