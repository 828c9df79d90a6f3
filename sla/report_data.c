/*
 * report_data.c - the report's numbers as JSON (jansson), CSV (UTF-8 with
 * a byte-order mark so spreadsheets read the Chinese text) and XLSX
 * (libxlsxwriter). The numbers are the ones of the HTML report, unrounded.
 * SPDX-License-Identifier: MIT
 */
#include "report_int.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "indicators.h"
#include "report_doc.h"
#include "sla_int.h"
#include "core/words.h"

static json_t *num(double v)
{
	return v == v ? json_real(v) : json_null();
}

static json_t *values_json(const struct sla_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];
		const char *op = cmp_op_name(v->ind.cmp);

		json_array_append_new(
			a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,"
				     "s:s,s:s,s:s}",
				     "id", v->ind.id, "name", v->ind.name_zh,
				     "name_en", v->ind.name_en, "level",
				     v->ind.level, "metric", v->ind.metric,
				     "scope", v->ind.scope, "comparator",
				     op ? op : "", "target", num(v->target),
				     "configured_target", num(v->ind.target),
				     "value", num(v->value), "unit",
				     v->ind.unit, "state",
				     sla_state_name(v->state, "en"),
				     "evidence", v->evidence_zh));
		json_object_set_new(json_array_get(a, i), "evidence_en",
				    json_string(v->evidence_en));
		/* the reason given, and whether the draft flags its absence */
		json_object_set_new(json_array_get(a, i), "reason",
				    json_string(v->reason));
		json_object_set_new(json_array_get(a, i), "reason_missing",
				    json_boolean(v->state != SLA_MET &&
						 v->reason[0] == '\0'));
	}
	return a;
}

json_t *report__result_json(const struct config *cfg,
			    const struct sla_result *r);

static json_t *top_json(const struct sla_top *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++) {
		char key[64];

		sla_top_label(&v[i], key, sizeof(key));
		json_array_append_new(
			a, json_pack("{s:s,s:I,s:I,s:I}",
				     v[i].family ? "addr" : "port", key,
				     "bytes", (json_int_t)v[i].bytes,
				     "packets", (json_int_t)v[i].packets,
				     "intervals", (json_int_t)v[i].intervals));
	}
	return a;
}

static json_t *captures_json(const struct sla_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < r->ncaptures; i++) {
		const struct sla_capture *c = &r->captures[i];
		double seen = (double)c->records + (double)c->drops;

		json_array_append_new(
			a,
			json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,"
				  "s:f,s:f,s:f,s:o,s:s,s:I,s:o,s:o,s:o}",
				  "name", c->name, "device", c->device,
				  "intervals", (json_int_t)c->intervals,
				  "records", (json_int_t)c->records,
				  "packets", (json_int_t)c->packets,
				  "bytes", (json_int_t)c->bytes,
				  "in_bytes", (json_int_t)c->in_bytes,
				  "out_bytes", (json_int_t)c->out_bytes,
				  "drops", (json_int_t)c->drops, "drop_pct",
				  num(seen > 0 ? (double)c->drops / seen * 100
					       : NAN),
				  "expected_s", c->expected_s, "covered_s",
				  c->covered_s, "collected_s", c->collected_s,
				  "completeness_pct",
				  num(sla_capture_completeness(c)),
				  "top_basis",
				  "sum of the per-interval top-N lists",
				  "top_n", (json_int_t)c->top_n, "local",
				  top_json(c->local, c->nlocal), "remote",
				  top_json(c->remote, c->nremote), "ports",
				  top_json(c->ports, c->nports)));
	}
	return a;
}

json_t *report__result_json(const struct config *cfg,
			    const struct sla_result *r)
{
	json_t *o = json_object(), *links = json_array(), *units = json_array();
	json_t *faults = json_array();
	size_t *idx = calloc(cfg->ndevices + 1, sizeof(*idx)), n;

	json_object_set_new(o, "period", json_string(r->period.label));
	json_object_set_new(o, "from", json_real(r->period.from));
	json_object_set_new(o, "to", json_real(r->period.to));
	json_object_set_new(o, "timezone", json_string(r->period.tz));
	json_object_set_new(o, "generated", json_real(r->now));
	json_object_set_new(o, "simulated_devices",
			    json_integer((json_int_t)r->simulated));
	json_object_set_new(o, "maintenance_windows",
			    json_integer((json_int_t)r->maint_windows));
	json_object_set_new(o, "indicators", values_json(r));
	for (size_t i = 0; i < r->nlinks; i++) {
		const struct sla_link *l = &r->links[i];

		json_array_append_new(
			links,
			json_pack("{s:s,s:s,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,"
				  "s:o,s:o}",
				  "device", cfg->devices[l->dev].name,
				  "interface", l->ifname, "capacity_mbps",
				  num(l->capacity_mbps), "samples",
				  (json_int_t)l->samples, "avg_max_bps",
				  num(l->avg_max), "peak_max_bps",
				  num(l->peak_max), "p95_max_bps",
				  num(l->p95_max), "avg_sum_bps",
				  num(l->avg_sum), "peak_sum_bps",
				  num(l->peak_sum), "p95_sum_bps",
				  num(l->p95_sum), "avg_in_bps",
				  num(l->avg_in), "avg_out_bps",
				  num(l->avg_out)));
	}
	json_object_set_new(o, "links", links);
	json_object_set_new(o, "captures", captures_json(r));
	n = idx != NULL ? report__units(cfg, r, idx) : 0;
	for (size_t k = 0; k < n; k++) {
		const struct sla_avail *a = &r->avail[idx[k]];

		json_array_append_new(
			units,
			json_pack("{s:s,s:s,s:o,s:f,s:f,s:f,s:f}", "unit",
				  cfg->devices[idx[k]].unit, "device",
				  cfg->devices[idx[k]].name, "share_pct",
				  num(report__share(a)), "up_s", a->up_s,
				  "down_s", a->down_s, "unknown_s",
				  a->unknown_s, "maint_s", a->maint_s));
	}
	free(idx);
	json_object_set_new(o, "units", units);
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct sla_fault *f = &r->faults[i];

		json_array_append_new(
			faults,
			json_pack("{s:I,s:s,s:s,s:s,s:f,s:f,s:f,s:o,s:o,s:b,"
				  "s:s}",
				  "id", (json_int_t)f->f.id, "object",
				  f->f.object, "kind", f->f.kind, "severity",
				  f->f.severity, "first_fail",
				  f->f.first_fail_t, "detected",
				  f->f.detect_t, "deadline", f->f.deadline_t,
				  "response_s", num(f->response_s),
				  "repair_s", num(f->repair_s),
				  "acked_in_time", f->acked_in_time,
				  "satisfaction", f->f.satisfaction));
	}
	json_object_set_new(o, "faults", faults);
	return o;
}

static int dump_json(json_t *o, const struct report_opts *opt,
		     const char *label, char *err, size_t errlen)
{
	char path[4400];
	FILE *f = report__open(opt, label, ".json", path, sizeof(path), err,
			       errlen);
	int rc;

	if (f == NULL) {
		json_decref(o);
		return -EIO;
	}
	rc = json_dumpf(o, f, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	json_decref(o);
	fputc('\n', f);
	if (rc < 0) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot write JSON", path);
		return -EIO;
	}
	return report__close(f, path, err, errlen);
}

int report__json(const struct config *cfg, const struct sla_result *r,
		 const struct report_opts *o, char *err, size_t errlen)
{
	return dump_json(report__result_json(cfg, r), o, r->period.label, err,
			 errlen);
}

/* ---- CSV ------------------------------------------------------------ */

static void csv_str(FILE *f, const char *s, int last)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputs(last ? "\"\r\n" : "\",", f);
}

/* A number with enough fixed digits, never an exponent (1.560241e+10
 * is not what a spreadsheet user can read): integers as such, others
 * with six decimals less trailing zeros; empty for NAN. */
static void csv_num(FILE *f, double v, int last)
{
	char b[64];

	if (v == v && v == floor(v) && fabs(v) < 1e15) {
		fprintf(f, "%.0f", v);
	} else if (v == v) {
		size_t n = (size_t)snprintf(b, sizeof(b), "%.6f", v);

		while (n > 1 && b[n - 1] == '0')
			b[--n] = '\0';
		if (n > 0 && b[n - 1] == '.')
			b[--n] = '\0';
		fputs(b, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

/* ISO 8601 local time of the report's zone with its offset
 * (2026-10-10T08:02:00+08:00); empty for an unset time. */
static void csv_time(FILE *f, const char *tz, double t, int last)
{
	struct tm tm;

	if (t > 0 && t == t && sla_local_tm(tz, t, &tm) == 0) {
		long off = tm.tm_gmtoff;

		fprintf(f, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
			labs(off) / 3600, labs(off) % 3600 / 60);
	}
	fputs(last ? "\r\n" : ",", f);
}

static FILE *csv_open(const struct report_opts *o, const char *label,
		      const char *what, char *path, size_t pathlen, char *err,
		      size_t errlen)
{
	char suffix[64];
	FILE *f;

	snprintf(suffix, sizeof(suffix), "-%s.csv", what);
	f = report__open(o, label, suffix, path, pathlen, err, errlen);
	if (f != NULL)
		fputs("\xef\xbb\xbf", f); /* BOM: Excel reads UTF-8 */
	return f;
}

static const char *const top_lists[] = { "local", "remote", "port" };

static const struct sla_top *top_list(const struct sla_capture *c, int k,
				      size_t *ret_n)
{
	*ret_n = k == 0 ? c->nlocal : k == 1 ? c->nremote : c->nports;
	return k == 0 ? c->local : k == 1 ? c->remote : c->ports;
}

/* slamon-LABEL-talkers.csv: one row per entry of each captured link's
 * summed top lists (sums of the per-interval top-N lists). */
static int talkers_csv(const struct sla_result *r,
		       const struct report_opts *o, char *err, size_t errlen)
{
	char path[4400];
	FILE *f = csv_open(o, r->period.label, "talkers", path, sizeof(path),
			   err, errlen);

	if (f == NULL)
		return -EIO;
	fputs("capture,device,list,rank,key,bytes,packets,intervals,"
	      "share_pct\r\n",
	      f);
	for (size_t i = 0; i < r->ncaptures; i++) {
		const struct sla_capture *c = &r->captures[i];

		for (int k = 0; k < 3; k++) {
			size_t n;
			const struct sla_top *v = top_list(c, k, &n);

			for (size_t e = 0; e < n; e++) {
				char key[64];

				csv_str(f, c->name, 0);
				csv_str(f, c->device, 0);
				csv_str(f, top_lists[k], 0);
				fprintf(f, "%zu,", e + 1);
				csv_str(f, sla_top_label(&v[e], key,
							 sizeof(key)),
					0);
				fprintf(f, "%llu,%llu,%zu,",
					(unsigned long long)v[e].bytes,
					(unsigned long long)v[e].packets,
					v[e].intervals);
				csv_num(f,
					c->bytes ? (double)v[e].bytes /
							   (double)c->bytes *
							   100
						 : NAN,
					1);
			}
		}
	}
	return report__close(f, path, err, errlen);
}

int report__csv(const struct config *cfg, const struct sla_result *r,
		const struct report_opts *o, char *err, size_t errlen)
{
	char path[4400];
	size_t *idx, n;
	FILE *f;
	int rc, missing;

	f = csv_open(o, r->period.label, "indicators", path, sizeof(path), err,
		     errlen);
	if (f == NULL)
		return -EIO;
	fputs("id,name,name_en,level,metric,scope,comparator,target,value,unit,"
	      "state,evidence,reason\r\n",
	      f);
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];

		csv_str(f, v->ind.id, 0);
		csv_str(f, v->ind.name_zh, 0);
		csv_str(f, v->ind.name_en, 0);
		csv_str(f, v->ind.level, 0);
		csv_str(f, v->ind.metric, 0);
		csv_str(f, v->ind.scope, 0);
		csv_str(f, cmp_op_name(v->ind.cmp), 0);
		csv_num(f, v->target, 0);
		csv_num(f, v->value, 0);
		csv_str(f, v->ind.unit, 0);
		csv_str(f, sla_state_name(v->state, "en"), 0);
		csv_str(f, v->evidence_zh, 0);
		csv_str(f, report__reason(v, report__words(o->lang), &missing),
			1);
	}
	rc = report__close(f, path, err, errlen);
	if (rc < 0)
		return rc;
	f = csv_open(o, r->period.label, "links", path, sizeof(path), err,
		     errlen);
	if (f == NULL)
		return -EIO;
	fputs("device,interface,capacity_mbps,samples,avg_max_bps,peak_max_bps,"
	      "p95_max_bps,avg_sum_bps,peak_sum_bps,p95_sum_bps,"
	      "p95_util_pct\r\n",
	      f);
	for (size_t i = 0; i < r->nlinks; i++) {
		const struct sla_link *l = &r->links[i];

		csv_str(f, cfg->devices[l->dev].name, 0);
		csv_str(f, l->ifname, 0);
		csv_num(f, l->capacity_mbps, 0);
		csv_num(f, (double)l->samples, 0);
		csv_num(f, l->avg_max, 0);
		csv_num(f, l->peak_max, 0);
		csv_num(f, l->p95_max, 0);
		csv_num(f, l->avg_sum, 0);
		csv_num(f, l->peak_sum, 0);
		csv_num(f, l->p95_sum, 0);
		csv_num(f, l->capacity_mbps > 0
				   ? l->p95_max / (l->capacity_mbps * 1e6) * 100
				   : NAN,
			1);
	}
	rc = report__close(f, path, err, errlen);
	if (rc < 0)
		return rc;
	f = csv_open(o, r->period.label, "units", path, sizeof(path), err,
		     errlen);
	if (f == NULL)
		return -EIO;
	fputs("unit,device,share_pct,up_s,down_s,unknown_s,maint_s\r\n", f);
	idx = calloc(cfg->ndevices + 1, sizeof(*idx));
	n = idx != NULL ? report__units(cfg, r, idx) : 0;
	for (size_t k = 0; k < n; k++) {
		const struct sla_avail *a = &r->avail[idx[k]];

		csv_str(f, cfg->devices[idx[k]].unit, 0);
		csv_str(f, cfg->devices[idx[k]].name, 0);
		csv_num(f, report__share(a), 0);
		csv_num(f, a->up_s, 0);
		csv_num(f, a->down_s, 0);
		csv_num(f, a->unknown_s, 0);
		csv_num(f, a->maint_s, 1);
	}
	free(idx);
	rc = report__close(f, path, err, errlen);
	if (rc < 0)
		return rc;
	f = csv_open(o, r->period.label, "faults", path, sizeof(path), err,
		     errlen);
	if (f == NULL)
		return -EIO;
	fputs("id,object,kind,severity,first_fail,detected,deadline,ack,"
	      "resolved,closed,response_s,repair_s,acked_in_time,"
	      "satisfaction\r\n",
	      f);
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct sla_fault *sf = &r->faults[i];

		fprintf(f, "%lld,", (long long)sf->f.id);
		csv_str(f, sf->f.object, 0);
		csv_str(f, sf->f.kind, 0);
		csv_str(f, sf->f.severity, 0);
		csv_time(f, r->period.tz, sf->f.first_fail_t, 0);
		csv_time(f, r->period.tz, sf->f.detect_t, 0);
		csv_time(f, r->period.tz, sf->f.deadline_t, 0);
		csv_time(f, r->period.tz, sf->f.ack_t, 0);
		csv_time(f, r->period.tz, sf->f.resolved_t, 0);
		csv_time(f, r->period.tz, sf->f.closed_t, 0);
		csv_num(f, sf->response_s, 0);
		csv_num(f, sf->repair_s, 0);
		fprintf(f, "%d,", sf->acked_in_time);
		csv_str(f, sf->f.satisfaction, 1);
	}
	rc = report__close(f, path, err, errlen);
	if (rc < 0)
		return rc;
	return talkers_csv(r, o, err, errlen);
}

/* ---- XLSX ----------------------------------------------------------- */

static void xnum(lxw_worksheet *ws, int row, int col, double v)
{
	if (v == v)
		worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, v,
				       NULL);
}

static void xstr(lxw_worksheet *ws, int row, int col, const char *s,
		 lxw_format *fmt)
{
	worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, s, fmt);
}

static void xheader(lxw_worksheet *ws, const char *const *cols, int n,
		    lxw_format *bold)
{
	for (int i = 0; i < n; i++)
		xstr(ws, 0, i, cols[i], bold);
}

static int xlsx_close(lxw_workbook *wb, const char *path, char *err,
		      size_t errlen)
{
	lxw_error e = workbook_close(wb);

	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "%s: %s", path, lxw_strerror(e));
		return -EIO;
	}
	return 0;
}

/* The captured links' summed top lists; the first row says what they
 * are (sums of the per-interval top-N lists). */
static void talkers_sheet(lxw_workbook *wb, const struct sla_result *r,
			  const struct rpt_words *w, int en, lxw_format *bold)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, en ? "talkers"
							  : "抓包通信方");
	const char *cols[] = { w->cap_link, w->device,
			       en ? "List" : "列表", w->cap_rank,
			       en ? "Address / port" : "地址 / 端口",
			       w->cap_bytes, w->cap_packets, w->cap_ivs,
			       w->cap_share };
	const char *lists[] = { w->cap_local, w->cap_remote, w->cap_ports };
	int row = 2;

	xstr(ws, 0, 0, w->cap_note, NULL);
	for (int i = 0; i < 9; i++)
		xstr(ws, 1, i, cols[i], bold);
	for (size_t i = 0; i < r->ncaptures; i++) {
		const struct sla_capture *c = &r->captures[i];

		for (int k = 0; k < 3; k++) {
			size_t n;
			const struct sla_top *v = top_list(c, k, &n);

			for (size_t e = 0; e < n; e++, row++) {
				char key[64];

				xstr(ws, row, 0, c->name, NULL);
				xstr(ws, row, 1, c->device, NULL);
				xstr(ws, row, 2, lists[k], NULL);
				xnum(ws, row, 3, (double)(e + 1));
				xstr(ws, row, 4,
				     sla_top_label(&v[e], key, sizeof(key)),
				     NULL);
				xnum(ws, row, 5, (double)v[e].bytes);
				xnum(ws, row, 6, (double)v[e].packets);
				xnum(ws, row, 7, (double)v[e].intervals);
				xnum(ws, row, 8,
				     c->bytes ? (double)v[e].bytes /
							(double)c->bytes * 100
					      : NAN);
			}
		}
	}
}

struct xfmt {
	lxw_format *bold, *pct, *mbps, *num1, *num2, *date, *wrap;
};

/* A Excel date-time cell of t in zone tz (nothing for an unset time). */
static void xtime(lxw_worksheet *ws, int row, int col, const char *tz,
		  double t, lxw_format *fmt)
{
	struct tm tm;
	lxw_datetime dt;

	if (!(t > 0) || sla_local_tm(tz, t, &tm) < 0)
		return;
	dt.year = tm.tm_year + 1900;
	dt.month = tm.tm_mon + 1;
	dt.day = tm.tm_mday;
	dt.hour = tm.tm_hour;
	dt.min = tm.tm_min;
	dt.sec = tm.tm_sec;
	worksheet_write_datetime(ws, (lxw_row_t)row, (lxw_col_t)col, &dt, fmt);
}

static void xnumf(lxw_worksheet *ws, int row, int col, double v,
		  lxw_format *fmt)
{
	if (v == v)
		worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, v,
				       fmt);
}

/* Per link, per day: mean and peak of max(in, out) in % of the
 * contracted capacity (the 5-minute rows), into sheet ws from row 1 at
 * column col; returns the days written. */
static int link_days(const struct sla_result *r, const struct sla_link *l,
		     lxw_worksheet *ws, int col, const struct xfmt *x)
{
	static const char *const ds[] = { "in", "out" };
	size_t nb = (size_t)((r->period.to - r->period.from) / SLA_STEP);
	double *v[2] = { calloc(nb + 1, sizeof(double)),
			 calloc(nb + 1, sizeof(double)) };
	double cap = l->capacity_mbps * 1e6;
	char err[256];
	int days = 0;

	if (v[0] == NULL || v[1] == NULL || cap <= 0 ||
	    sla__fetch(l->file, r->period.from, nb, 2, ds, v, err,
		       sizeof(err)) < 0) {
		free(v[0]);
		free(v[1]);
		return 0;
	}
	for (size_t i = 0; i < nb; days++) {
		double sum = 0, peak = NAN, t0 = r->period.from +
						 (double)i * SLA_STEP;
		size_t n = 0;

		for (; i < nb && r->period.from + (double)i * SLA_STEP <
					 t0 + 86400; i++) {
			double m = fmax(v[0][i], v[1][i]);

			if (m != m)
				continue;
			sum += m;
			n++;
			if (!(peak >= m))
				peak = m;
		}
		xtime(ws, days + 1, col, r->period.tz, t0 + 1, x->date);
		xnumf(ws, days + 1, col + 1, n ? sum / (double)n / cap * 100 : NAN,
		      x->pct);
		xnumf(ws, days + 1, col + 2, peak / cap * 100, x->pct);
	}
	free(v[0]);
	free(v[1]);
	return days;
}

/* One sheet of daily utilisation per link, each with its line chart. */
static void link_charts(lxw_workbook *wb, const struct config *cfg,
			const struct sla_result *r, int en,
			const struct xfmt *x)
{
	lxw_worksheet *ws;

	if (r->nlinks == 0)
		return;
	ws = workbook_add_worksheet(wb, en ? "daily utilisation" : "每日利用率");
	for (size_t i = 0; i < r->nlinks; i++) {
		const struct sla_link *l = &r->links[i];
		int col = (int)i * 4, days;
		char name[320];
		lxw_chart *ch;
		lxw_chart_series *se;

		snprintf(name, sizeof(name), "%s %s", cfg->devices[l->dev].name,
			 l->ifname);
		xstr(ws, 0, col, name, x->bold);
		xstr(ws, 0, col + 1, en ? "mean (%)" : "日均(%)", x->bold);
		xstr(ws, 0, col + 2, en ? "peak (%)" : "峰值(%)", x->bold);
		worksheet_set_column(ws, (lxw_col_t)col, (lxw_col_t)col, 12,
				     NULL);
		days = link_days(r, l, ws, col, x);
		if (days == 0)
			continue;
		ch = workbook_add_chart(wb, LXW_CHART_LINE);
		if (ch == NULL)
			continue;
		for (int k = 1; k <= 2; k++) {
			se = chart_add_series(ch, NULL, NULL);
			chart_series_set_categories(se, en ? "daily utilisation"
							   : "每日利用率",
						    1, (lxw_col_t)col,
						    (lxw_row_t)days,
						    (lxw_col_t)col);
			chart_series_set_values(se, en ? "daily utilisation"
						       : "每日利用率",
						1, (lxw_col_t)(col + k),
						(lxw_row_t)days,
						(lxw_col_t)(col + k));
			chart_series_set_name(se, k == 1 ? (en ? "mean" : "日均")
							 : (en ? "peak" : "峰值"));
		}
		chart_title_set_name(ch, name);
		chart_axis_set_name(ch->y_axis, en ? "% of capacity"
						   : "占签约带宽 %");
		chart_axis_set_num_format(ch->x_axis, "m/d");
		worksheet_insert_chart(ws, (lxw_row_t)(40 + (int)i * 18), 0, ch);
	}
}

int report__xlsx(const struct config *cfg, const struct sla_result *r,
		 const struct report_opts *o, char *err, size_t errlen)
{
	const struct rpt_words *w = report__words(o->lang);
	int en = o->lang != NULL && strcmp(o->lang, "en") == 0;
	char path[4400], unitcol[96];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	struct xfmt x;
	size_t *idx, n;
	int missing;

	snprintf(path, sizeof(path), "%s/slamon-%s.xlsx", o->out_dir,
		 r->period.label);
	wb = workbook_new(path);
	if (wb == NULL) {
		snprintf(err, errlen, "%s: cannot create workbook", path);
		return -EIO;
	}
	x.bold = workbook_add_format(wb);
	format_set_bold(x.bold);
	format_set_text_wrap(x.bold);
	x.pct = workbook_add_format(wb);
	format_set_num_format(x.pct, "0.00");
	x.mbps = workbook_add_format(wb);
	format_set_num_format(x.mbps, "#,##0.00");
	x.num1 = workbook_add_format(wb);
	format_set_num_format(x.num1, "#,##0.0");
	x.num2 = workbook_add_format(wb);
	format_set_num_format(x.num2, "#,##0.00");
	x.date = workbook_add_format(wb);
	format_set_num_format(x.date, "yyyy-mm-dd hh:mm");
	x.wrap = workbook_add_format(wb);
	format_set_text_wrap(x.wrap);

	ws = workbook_add_worksheet(wb, en ? "indicators" : "绩效指标");
	{
		const char *cols[] = { w->lvl1, w->lvl3, w->target, w->actual,
				       en ? "Unit" : "单位", w->met,
				       w->deviation, w->evidence };

		xheader(ws, cols, 8, x.bold);
		worksheet_set_column(ws, 0, 0, 22, NULL);
		worksheet_set_column(ws, 1, 1, 30, NULL);
		worksheet_set_column(ws, 2, 3, 12, NULL);
		worksheet_set_column(ws, 6, 7, 40, x.wrap);
	}
	for (size_t i = 0; i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];
		int row = (int)i + 1;

		xstr(ws, row, 0, v->ind.level, NULL);
		xstr(ws, row, 1, en ? v->ind.name_en : v->ind.name_zh, NULL);
		xnumf(ws, row, 2, v->target, x.num2);
		xnumf(ws, row, 3, v->value, x.num2);
		xstr(ws, row, 4, v->ind.unit, NULL);
		xstr(ws, row, 5, sla_state_name(v->state, o->lang), NULL);
		xstr(ws, row, 6, report__reason(v, w, &missing), NULL);
		xstr(ws, row, 7, en ? v->evidence_en : v->evidence_zh, NULL);
	}
	ws = workbook_add_worksheet(wb, en ? "links" : "链路带宽");
	{
		const char *cols[] = {
			w->device, w->iface, w->capacity,
			en ? "Average (Mbps)" : "平均(Mbps)",
			en ? "Peak (Mbps)" : "峰值(Mbps)",
			en ? "95th max(in,out) (Mbps)" : "95百分位 入出取大(Mbps)",
			en ? "95th in+out (Mbps)" : "95百分位 入+出(Mbps)",
			en ? "95th utilisation (%)" : "95百分位利用率(%)",
			w->samples
		};

		xheader(ws, cols, 9, x.bold);
		worksheet_set_column(ws, 0, 8, 14, NULL);
	}
	for (size_t i = 0; i < r->nlinks; i++) {
		const struct sla_link *l = &r->links[i];
		int row = (int)i + 1;

		xstr(ws, row, 0, cfg->devices[l->dev].name, NULL);
		xstr(ws, row, 1, l->ifname, NULL);
		xnumf(ws, row, 2, l->capacity_mbps, x.mbps);
		xnumf(ws, row, 3, l->avg_max / 1e6, x.mbps);
		xnumf(ws, row, 4, l->peak_max / 1e6, x.mbps);
		xnumf(ws, row, 5, l->p95_max / 1e6, x.mbps);
		xnumf(ws, row, 6, l->p95_sum / 1e6, x.mbps);
		xnumf(ws, row, 7,
		      l->capacity_mbps > 0
			      ? l->p95_max / (l->capacity_mbps * 1e6) * 100
			      : NAN,
		      x.pct);
		xnum(ws, row, 8, (double)l->samples);
	}
	ws = workbook_add_worksheet(wb, en ? "units" : "单位联网");
	snprintf(unitcol, sizeof(unitcol), "%s(%%)", w->share);
	{
		const char *cols[] = { w->unit, w->device, unitcol,
				       w->down_h, w->unknown_h, w->maint_h };

		xheader(ws, cols, 6, x.bold);
		worksheet_set_column(ws, 0, 0, 28, NULL);
		worksheet_set_column(ws, 1, 5, 13, NULL);
	}
	idx = calloc(cfg->ndevices + 1, sizeof(*idx));
	n = idx != NULL ? report__units(cfg, r, idx) : 0;
	for (size_t k = 0; k < n; k++) {
		const struct sla_avail *a = &r->avail[idx[k]];
		int row = (int)k + 1;

		xstr(ws, row, 0, cfg->devices[idx[k]].unit, NULL);
		xstr(ws, row, 1, cfg->devices[idx[k]].name, NULL);
		xnumf(ws, row, 2, report__share(a), x.pct);
		xnumf(ws, row, 3, a->down_s / 3600, x.num2);
		xnumf(ws, row, 4, a->unknown_s / 3600, x.num2);
		xnumf(ws, row, 5, a->maint_s / 3600, x.num2);
	}
	free(idx);
	ws = workbook_add_worksheet(wb, en ? "faults" : "故障");
	{
		const char *cols[] = {
			w->fid, w->object, w->kind, w->severity,
			en ? "First failure" : "首次失败时间", w->detected,
			w->deadline, en ? "Acknowledged" : "确认时间",
			en ? "Resolved" : "恢复时间", w->resp_min,
			w->repair_min, w->in_time, w->satisf
		};

		xheader(ws, cols, 13, x.bold);
		worksheet_set_column(ws, 1, 1, 18, NULL);
		worksheet_set_column(ws, 4, 8, 17, NULL);
	}
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct sla_fault *sf = &r->faults[i];
		int row = (int)i + 1;

		xnum(ws, row, 0, (double)sf->f.id);
		xstr(ws, row, 1, sf->f.object, NULL);
		xstr(ws, row, 2, word_fault_kind(sf->f.kind, en), NULL);
		xstr(ws, row, 3, word_severity(sf->f.severity, en),
		     NULL);
		xtime(ws, row, 4, r->period.tz, sf->f.first_fail_t, x.date);
		xtime(ws, row, 5, r->period.tz, sf->f.detect_t, x.date);
		xtime(ws, row, 6, r->period.tz, sf->f.deadline_t, x.date);
		xtime(ws, row, 7, r->period.tz, sf->f.ack_t, x.date);
		xtime(ws, row, 8, r->period.tz, sf->f.resolved_t, x.date);
		xnumf(ws, row, 9, sf->response_s / 60, x.num1);
		xnumf(ws, row, 10, sf->repair_s / 60, x.num1);
		xstr(ws, row, 11, sf->acked_in_time ? w->yes : w->no, NULL);
		xstr(ws, row, 12, sf->f.satisfaction, NULL);
	}
	talkers_sheet(wb, r, w, en, x.bold);
	link_charts(wb, cfg, r, en, &x);
	return xlsx_close(wb, path, err, errlen);
}

/* ---- annual --------------------------------------------------------- */

int report__year_data(const struct config *cfg, struct sla_result *const *m,
		      const struct sla_result *y, const struct report_opts *o,
		      char *err, size_t errlen)
{
	const struct rpt_words *w = report__words(o->lang);
	int en = o->lang != NULL && strcmp(o->lang, "en") == 0;
	json_t *root = report__result_json(cfg, y), *months = json_array();
	char path[4400];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold;
	FILE *f;
	int rc;

	for (int i = 0; i < 12; i++)
		json_array_append_new(months, m[i] != NULL
						      ? json_pack("{s:s,s:o}",
								  "period",
								  m[i]->period.label,
								  "indicators",
								  values_json(m[i]))
						      : json_null());
	json_object_set_new(root, "months", months);
	rc = dump_json(root, o, y->period.label, err, errlen);
	if (rc < 0)
		return rc;
	f = csv_open(o, y->period.label, "indicators", path, sizeof(path),
		     err, errlen);
	if (f == NULL)
		return -EIO;
	fputs("id,name,comparator,target", f);
	for (int i = 0; i < 12; i++)
		fprintf(f, ",%04d-%02d", y->period.year, i + 1);
	fputs(",year,state\r\n", f);
	for (size_t k = 0; k < y->nvalues; k++) {
		const struct sla_value *v = &y->values[k];

		csv_str(f, v->ind.id, 0);
		csv_str(f, v->ind.name_zh, 0);
		csv_str(f, cmp_op_name(v->ind.cmp), 0);
		csv_num(f, v->ind.target, 0);
		for (int i = 0; i < 12; i++)
			csv_num(f,
				m[i] != NULL && k < m[i]->nvalues
					? m[i]->values[k].value
					: NAN,
				0);
		csv_num(f, v->value, 0);
		csv_str(f, sla_state_name(v->state, "en"), 1);
	}
	rc = report__close(f, path, err, errlen);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/slamon-%s.xlsx", o->out_dir,
		 y->period.label);
	wb = workbook_new(path);
	if (wb == NULL) {
		snprintf(err, errlen, "%s: cannot create workbook", path);
		return -EIO;
	}
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	ws = workbook_add_worksheet(wb, en ? "indicators" : "绩效指标");
	xstr(ws, 0, 0, w->lvl3, bold);
	xstr(ws, 0, 1, w->target, bold);
	for (int i = 0; i < 12; i++) {
		char h[16];

		snprintf(h, sizeof(h), "%d", i + 1);
		xstr(ws, 0, 2 + i, h, bold);
	}
	xstr(ws, 0, 14, w->annual, bold);
	xstr(ws, 0, 15, w->met, bold);
	for (size_t k = 0; k < y->nvalues; k++) {
		const struct sla_value *v = &y->values[k];
		int row = (int)k + 1;

		xstr(ws, row, 0, en ? v->ind.name_en : v->ind.name_zh, NULL);
		xnum(ws, row, 1, v->ind.target);
		for (int i = 0; i < 12; i++)
			if (m[i] != NULL && k < m[i]->nvalues)
				xnum(ws, row, 2 + i, m[i]->values[k].value);
		xnum(ws, row, 14, v->value);
		xstr(ws, row, 15, sla_state_name(v->state, o->lang), NULL);
	}
	return xlsx_close(wb, path, err, errlen);
}
