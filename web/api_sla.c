/*
 * api_sla.c - the API's slow reads and the report archive: series for
 * graphs (storage_series_read), the SLA of a month and an indicator's
 * evidence (sla_evaluate on a configuration loaded by the job), the
 * report list, downloads and generation (report_period), and the cache
 * of this month's indicators that /overview and /metrics show. All of it
 * runs on the threadpool.
 * SPDX-License-Identifier: MIT
 */
#include "api.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alerts/config.h"
#include "core/log.h"
#include "sla/report.h"
#include "sla/sla.h"
#include "storage/rrdstore.h"

#define INDICATORS_EVERY 300.0 /* seconds between two evaluations */
#define SERIES_POINTS_MAX 2000
#define REPORT_FILE_MAX (64L * 1024 * 1024)

/* Off the loop, holding ws->slamu. */
static int month_of(const char *tz, const char *m, struct sla_period *p)
{
	int y, mo;

	if (!web__month_ok(m) || sscanf(m, "%4d-%2d", &y, &mo) != 2)
		return -1;
	return sla_period_month(tz, y, mo, p);
}

static int this_month(const char *tz, double now, struct sla_period *p)
{
	struct tm tm;

	if (sla_local_tm(tz, now, &tm) < 0)
		return -1;
	return sla_period_month(tz, tm.tm_year + 1900, tm.tm_mon + 1, p);
}

static json_t *indicator_json(const struct sla_value *v)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:f, s:s, s:s, s:o, s:s, s:s, "
			 "s:s, s:s, s:s}",
			 "id", v->ind.id, "name", v->ind.name_zh, "name_en",
			 v->ind.name_en, "value", web__num(v->value), "target",
			 v->target, "op", cmp_op_name(v->ind.cmp), "unit",
			 v->ind.unit, "met",
			 v->state == SLA_NODATA ? json_null()
						: json_boolean(v->state ==
							       SLA_MET),
			 "state",
			 v->state == SLA_MET	   ? "met"
			 : v->state == SLA_BREACHED ? "breached"
						    : "nodata",
			 "reason", v->reason, "evidence", v->evidence_zh,
			 "evidence_en", v->evidence_en, "metric",
			 v->ind.metric);
}

/* ---- this month's indicators, cached ------------------------------------ */

static void ind_run(struct web_job *j)
{
	struct sla_period p;
	struct sla_result *r = NULL;
	char err[512];

	if (web__job_config(j) < 0)
		return;
	pthread_mutex_lock(&j->ws->slamu);
	snprintf(err, sizeof(err), "time zone %s", j->cfg->timezone);
	if (this_month(j->cfg->timezone, j->now, &p) < 0 ||
	    sla_evaluate(j->cfg, &p, j->now, &r, err, sizeof(err)) < 0) {
		pthread_mutex_unlock(&j->ws->slamu);
		web__job_fail(j, 500, "sla", "%s", err);
		return;
	}
	pthread_mutex_unlock(&j->ws->slamu);
	j->out = json_array();
	for (size_t i = 0; i < r->nvalues; i++)
		json_array_append_new(j->out, indicator_json(&r->values[i]));
	sla_result_destroy(r);
}

static void ind_done(struct web_job *j)
{
	struct web_server *ws = j->ws;

	ws->indicators_busy = 0;
	ws->indicators_t = j->now;
	if (j->out == NULL) {
		log_warnx("web: this month's indicators: %s", j->msg);
		return;
	}
	json_decref(ws->indicators);
	ws->indicators = j->out;
	j->out = NULL;
}

void web__indicators_refresh(struct web_server *ws)
{
	struct web_job *j;

	if (ws->indicators_busy || ws->stopping ||
	    web__now() - ws->indicators_t < INDICATORS_EVERY)
		return;
	j = web__job_detached(ws);
	if (j == NULL)
		return;
	ws->indicators_busy = 1;
	web__job_start(j, ind_run, ind_done);
}

/* ---- series ---------------------------------------------------------------- */

static void series_run(struct web_job *j)
{
	static const char *const if_ds[] = { "in", "out" };
	static const char *const dev_ds[] = { "loss", "latency_ms" };
	int is_if = j->c[0] != '\0';
	unsigned long step = (unsigned long)j->id;
	size_t nb = (size_t)ceil((j->to - j->from) / (double)step);
	double *col[2] = { calloc(nb, sizeof(double)),
			   calloc(nb, sizeof(double)) };
	struct rrd_series s = {
		.file = j->b,
		.from = j->from,
		.step = step,
		.nb = nb,
		.ncols = 2,
		.ds = is_if ? if_ds : dev_ds,
		.out = col,
	};
	char err[512];
	json_t *rows;
	int rc;

	if (col[0] == NULL || col[1] == NULL) {
		web__job_fail(j, 500, "internal", "out of memory");
		goto out;
	}
	rc = storage_series_read(&s, err, sizeof(err));
	if (rc == -ENOENT) {
		web__job_fail(j, 404, "not_found", "no series for %s%s%s",
			      j->a, is_if ? "/" : "", j->c);
		goto out;
	}
	if (rc < 0) {
		web__job_fail(j, 500, "storage", "%s", err);
		goto out;
	}
	rows = json_array();
	for (size_t i = 0; i < nb; i++)
		json_array_append_new(rows,
				      json_pack("[o, o]", web__num(col[0][i]),
						web__num(col[1][i])));
	j->out = json_pack("{s:s, s:s, s:I, s:f, s:f, s:[s, s], s:o}",
			   "device", j->a, "if", j->c, "step", (json_int_t)step,
			   "start", j->from, "end", j->to, "columns",
			   is_if ? "in_bps" : "loss",
			   is_if ? "out_bps" : "latency_ms", "rows", rows);
out:
	free(col[0]);
	free(col[1]);
}

static int time_param(h2o_req_t *req, const char *name, double def,
		      double *ret)
{
	char v[40], *end;

	*ret = def;
	if (!web__query(req, name, v, sizeof(v)) || v[0] == '\0')
		return 0;
	*ret = strtod(v, &end);
	if (*end != '\0' || !isfinite(*ret) || *ret < 0) {
		web__error(req, 400, "bad_request",
			   "%s is a time in epoch seconds", name);
		return -1;
	}
	return 0;
}

void web__series(struct web_server *ws, h2o_req_t *req,
		 struct web_session *s)
{
	static const unsigned long steps[] = { 60, 300, 3600, 86400 };
	const struct config *cfg = ws->src.config(ws->src.arg);
	char dev[CFG_NAME_MAX * 2], ifn[256];
	double now = web__now(), from, to;
	unsigned long step = 86400;
	struct web_job *j;
	int rc;

	(void)s;
	web__query(req, "device", dev, sizeof(dev));
	web__query(req, "if", ifn, sizeof(ifn));
	if (dev[0] == '\0') {
		web__error(req, 400, "bad_request", "device= is required");
		return;
	}
	if (config_find_device(cfg, dev) < 0) {
		web__error(req, 404, "not_found", "no device '%s'", dev);
		return;
	}
	if (time_param(req, "to", now, &to) < 0 ||
	    time_param(req, "from", to - 86400, &from) < 0)
		return;
	if (from >= to || to - from > 800 * 86400.0) {
		web__error(req, 400, "bad_request",
			   "from must be before to, at most 800 days apart");
		return;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((to - from) / steps[i] <= SERIES_POINTS_MAX) {
			step = steps[i];
			break;
		}
	from = floor(from / step) * step;
	to = ceil(to / step) * step;
	j = web__job_new(ws, req);
	if (j == NULL)
		return;
	snprintf(j->a, sizeof(j->a), "%s", dev);
	snprintf(j->c, sizeof(j->c), "%s", ifn);
	j->from = from;
	j->to = to;
	j->id = (int64_t)step;
	rc = ifn[0] ? storage_path_if(ws->storage_dir, dev, ifn, j->b,
				      sizeof(j->b))
		    : storage_path_dev(ws->storage_dir, dev, j->b,
				       sizeof(j->b));
	if (rc < 0) {
		j->code[0] = '\0';
		web__job_fail(j, 400, "bad_request", "name too long");
		web__job_start(j, NULL, NULL);
		return;
	}
	web__job_start(j, series_run, NULL);
}

/* ---- SLA and evidence ------------------------------------------------------- */

/* One device's value for the indicator's metric, as the indicator sums
 * it over its scope (sla/eval.c); *basis names what it is. Time shares
 * (and the metrics without a per-device figure: fault and report counts)
 * give the device's up share in % of the elapsed period, unknown time not
 * up (the report's per-device share); NAN when the period has no whole
 * 5 minutes yet (the caller then takes the share from the intervals). */
static double device_value(const struct sla_result *r, size_t d,
			   const struct device *dev, const char *metric,
			   const char **basis)
{
	const struct sla_avail *a = &r->avail[d];
	double all = a->up_s + a->down_s + a->unknown_s;

	if (strncmp(metric, "capacity_", 9) == 0) {
		*basis = "capacity_mbps";
		return dev->capacity_mbps > 0 ? dev->capacity_mbps : NAN;
	}
	if (strncmp(metric, "util_", 5) == 0) {
		double worst = NAN;

		*basis = "util_pct";
		for (size_t l = 0; l < r->nlinks; l++) {
			const struct sla_link *k = &r->links[l];
			double x = strcmp(metric, "util_avg") == 0   ? k->avg_max
				   : strcmp(metric, "util_max") == 0 ? k->peak_max
								     : k->p95_max;

			if (k->dev != d || k->capacity_mbps <= 0 || x != x)
				continue;
			x = x / (k->capacity_mbps * 1e6) * 100;
			if (worst != worst || x > worst)
				worst = x;
		}
		return worst;
	}
	if (strcmp(metric, "online_count") == 0) {
		*basis = "seen_up";
		return a->seen_up ? 1 : 0;
	}
	if (strcmp(metric, "completeness") == 0) {
		*basis = "known_pct";
		return a->buckets ? a->known_s / SLA_STEP / (double)a->buckets *
					    100
				  : NAN;
	}
	*basis = "up_pct";
	return all > 0 ? a->up_s / all * 100 : NAN;
}

static json_t *evidence(struct web_job *j, const struct sla_result *r,
			const struct sla_value *v)
{
	/* intervals end at the period's end or now, whichever is first (an
	 * outage still going on does not run to the end of the month) */
	double end = r->period.to < j->now ? r->period.to : j->now;
	const struct config *cfg = j->cfg;
	struct journal_state *st = NULL;
	struct journal_audit *au = NULL;
	size_t nst = 0, nau = 0, k = 0;
	char err[256];
	json_t *devs = json_array(), *faults = json_array();
	unsigned char *in = calloc(cfg->ndevices + 1, 1);

	pthread_mutex_lock(&j->ws->jmu);
	if (journal_state_list(j->ws->journal, NULL, r->period.from,
			       r->period.to, &st, &nst, err,
			       sizeof(err)) < 0 ||
	    journal_audit_list(j->ws->journal, 0, &au, &nau, err,
			       sizeof(err)) < 0)
		log_warnx("web: evidence of %s: %s", v->ind.id, err);
	pthread_mutex_unlock(&j->ws->jmu);
	for (size_t i = 0; in != NULL && i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];
		const struct sla_avail *a = &r->avail[i];
		const char *basis = "up_pct";
		double value, up_t = 0;
		json_t *iv;

		if (!config_scope_match(cfg, i, v->ind.scope))
			continue;
		in[i] = 1;
		iv = json_array();
		value = device_value(r, i, d, v->ind.metric, &basis);
		while (k < nst && strcmp(st[k].object, d->name) < 0)
			k++;
		for (; k < nst && strcmp(st[k].object, d->name) == 0; k++) {
			double t0 = fmax(st[k].t, r->period.from);
			double t1 = end;

			if (k + 1 < nst && strcmp(st[k + 1].object, d->name) == 0)
				t1 = fmin(st[k + 1].t, end);
			if (t1 <= t0)
				continue;
			if (strcmp(st[k].state, "up") == 0) {
				up_t += t1 - t0;
				continue;
			}
			json_array_append_new(
				iv, json_pack("{s:f, s:f, s:s, s:s}", "from", t0,
					      "to", t1, "state", st[k].state,
					      "reason", st[k].reason));
		}
		/* no whole 5 minutes elapsed yet: the up share of the
		 * intervals above, time before the first state not up */
		if (value != value && strcmp(basis, "up_pct") == 0 &&
		    end > r->period.from)
			value = up_t / (end - r->period.from) * 100;
		json_array_append_new(
			devs,
			json_pack("{s:s, s:s, s:s, s:o, s:s, s:f, s:f, s:f, s:f, "
				  "s:o}",
				  "name", d->name, "unit", d->unit, "role",
				  role_name(d->role), "value", web__num(value),
				  "basis", basis, "up_s", a->up_s, "down_s",
				  a->down_s, "unknown_s", a->unknown_s,
				  "maint_s", a->maint_s, "intervals", iv));
	}
	for (size_t i = 0; in != NULL && i < r->nfaults; i++) {
		const struct fault *f = &r->faults[i].f;
		char dev[FAULT_OBJECT_MAX];
		const char *slash = strchr(f->object, '/');
		int di;

		snprintf(dev, sizeof(dev), "%.*s",
			 (int)(slash ? (size_t)(slash - f->object)
				     : strlen(f->object)),
			 f->object);
		di = config_find_device(cfg, dev);
		if (di >= 0 && in[di])
			json_array_append_new(faults,
					      web__fault_json(f, au, nau,
							      j->now));
	}
	free(in);
	free(st);
	free(au);
	return json_pack("{s:o, s:s, s:f, s:f, s:o, s:o}", "indicator",
			 indicator_json(v), "period", r->period.label, "from",
			 r->period.from, "to", r->period.to, "devices", devs,
			 "faults", faults);
}

static void sla_run(struct web_job *j)
{
	struct sla_period p;
	struct sla_result *r = NULL;
	char err[512];
	json_t *inds;

	if (web__job_config(j) < 0)
		return;
	pthread_mutex_lock(&j->ws->slamu);
	if ((j->a[0] ? month_of(j->cfg->timezone, j->a, &p)
		     : this_month(j->cfg->timezone, j->now, &p)) < 0) {
		pthread_mutex_unlock(&j->ws->slamu);
		web__job_fail(j, 400, "bad_request", "period is YYYY-MM");
		return;
	}
	if (sla_evaluate(j->cfg, &p, j->now, &r, err, sizeof(err)) < 0) {
		pthread_mutex_unlock(&j->ws->slamu);
		web__job_fail(j, 500, "sla", "%s", err);
		return;
	}
	pthread_mutex_unlock(&j->ws->slamu);
	if (j->c[0] != '\0') {
		for (size_t i = 0; i < r->nvalues; i++)
			if (strcmp(r->values[i].ind.id, j->c) == 0)
				j->out = evidence(j, r, &r->values[i]);
		if (j->out == NULL)
			web__job_fail(j, 404, "not_found",
				      "no indicator '%s'", j->c);
		sla_result_destroy(r);
		return;
	}
	inds = json_array();
	for (size_t i = 0; i < r->nvalues; i++)
		json_array_append_new(inds, indicator_json(&r->values[i]));
	j->out = json_pack("{s:s, s:f, s:f, s:s, s:o}", "period",
			   r->period.label, "from", r->period.from, "to",
			   r->period.to, "timezone", r->period.tz,
			   "indicators", inds);
	sla_result_destroy(r);
}

void web__sla(struct web_server *ws, h2o_req_t *req, struct web_session *s,
	      const char *evidence_id)
{
	char period[16];
	struct web_job *j;

	(void)s;
	web__query(req, "period", period, sizeof(period));
	if (period[0] && !web__month_ok(period)) {
		web__error(req, 400, "bad_request", "period is YYYY-MM");
		return;
	}
	j = web__job_new(ws, req);
	if (j == NULL)
		return;
	snprintf(j->a, sizeof(j->a), "%s", period);
	snprintf(j->c, sizeof(j->c), "%s", evidence_id ? evidence_id : "");
	web__job_start(j, sla_run, NULL);
}

/* ---- reports ------------------------------------------------------------------ */

/* <storage_dir>/reports/<YYYY-MM>/ holds what the console generated. */
static void reports_dir(const struct web_server *ws, const char *month,
			char *out, size_t len)
{
	snprintf(out, len, "%s/reports%s%.16s", ws->storage_dir,
		 month ? "/" : "", month ? month : "");
}

static int is_final(const char *storage_dir, const char *month)
{
	char path[4200], line[512];
	FILE *f;
	int yes = 0;

	snprintf(path, sizeof(path), "%s/reports/produced.tsv", storage_dir);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (!yes && fgets(line, sizeof(line), f) != NULL)
		yes = strncmp(line, month, 7) == 0;
	fclose(f);
	return yes;
}

static int name_ok(const char *n)
{
	if (n[0] == '\0' || n[0] == '.')
		return 0;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		      *p == '-'))
			return 0;
	return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void reports_run(struct web_job *j)
{
	char dir[4200], sub[4500], file[4800];
	struct dirent **m = NULL;
	json_t *items = json_array();
	int n;

	reports_dir(j->ws, NULL, dir, sizeof(dir));
	n = scandir(dir, &m, NULL, by_name);
	for (int i = n - 1; i >= 0; i--) {
		struct dirent **f = NULL;
		json_t *files;
		int nf;

		if (!web__month_ok(m[i]->d_name))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, m[i]->d_name);
		nf = scandir(sub, &f, NULL, by_name);
		files = json_array();
		for (int k = 0; k < nf; k++) {
			struct stat st;
			char url[600];

			snprintf(file, sizeof(file), "%s/%s", sub,
				 f[k]->d_name);
			if (name_ok(f[k]->d_name) && stat(file, &st) == 0 &&
			    S_ISREG(st.st_mode)) {
				snprintf(url, sizeof(url),
					 "/api/v1/reports/%s/%s",
					 m[i]->d_name, f[k]->d_name);
				json_array_append_new(
					files,
					json_pack("{s:s, s:s, s:I}", "name",
						  f[k]->d_name, "url", url,
						  "bytes",
						  (json_int_t)st.st_size));
			}
			free(f[k]);
		}
		free(f);
		json_array_append_new(
			items, json_pack("{s:s, s:s, s:o}", "month",
					 m[i]->d_name, "status",
					 is_final(j->ws->storage_dir,
						  m[i]->d_name)
						 ? "final"
						 : "draft",
					 "files", files));
	}
	for (int i = 0; i < n; i++)
		free(m[i]);
	free(m);
	j->out = json_pack("{s:o, s:b}", "items", items, "generating",
			   j->id != 0);
}

void web__reports(struct web_server *ws, h2o_req_t *req,
		  struct web_session *s)
{
	struct web_job *j = web__job_new(ws, req);

	(void)s;
	if (j == NULL)
		return;
	j->id = ws->report_busy;
	web__job_start(j, reports_run, NULL);
}

static const char *ctype_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return "application/octet-stream";
	if (strcmp(dot, ".html") == 0)
		return "text/html; charset=utf-8";
	if (strcmp(dot, ".json") == 0)
		return "application/json; charset=utf-8";
	if (strcmp(dot, ".csv") == 0)
		return "text/csv; charset=utf-8";
	if (strcmp(dot, ".pdf") == 0)
		return "application/pdf";
	if (strcmp(dot, ".xlsx") == 0)
		return "application/vnd.openxmlformats-officedocument."
		       "spreadsheetml.sheet";
	if (strcmp(dot, ".sha256") == 0)
		return "text/plain; charset=utf-8";
	return "application/octet-stream";
}

static void file_run(struct web_job *j)
{
	FILE *f = fopen(j->b, "rb");
	long n;

	if (f == NULL) {
		web__job_fail(j, 404, "not_found", "no report file %s/%s",
			      j->a, j->c);
		return;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    n > REPORT_FILE_MAX || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		web__job_fail(j, 500, "internal", "cannot read %s", j->c);
		return;
	}
	j->body = malloc((size_t)n + 1);
	if (j->body == NULL || fread(j->body, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(j->body);
		j->body = NULL;
		web__job_fail(j, 500, "internal", "cannot read %s", j->c);
		return;
	}
	fclose(f);
	j->blen = (size_t)n;
	snprintf(j->ctype, sizeof(j->ctype), "%s", ctype_of(j->c));
	snprintf(j->disposition, sizeof(j->disposition),
		 "attachment; filename=\"%.120s\"", j->c);
}

void web__report_file(struct web_server *ws, h2o_req_t *req,
		      struct web_session *s, const char *month,
		      const char *file)
{
	char dir[4200];
	struct web_job *j;

	(void)s;
	if (!web__month_ok(month) || !name_ok(file) ||
	    strlen(file) > 120) {
		web__error(req, 400, "bad_request",
			   "reports/YYYY-MM/FILE (letters, digits, . _ -)");
		return;
	}
	j = web__job_new(ws, req);
	if (j == NULL)
		return;
	reports_dir(ws, month, dir, sizeof(dir));
	snprintf(j->a, sizeof(j->a), "%s", month);
	snprintf(j->c, sizeof(j->c), "%s", file);
	snprintf(j->b, sizeof(j->b), "%s/%s", dir, file);
	web__job_start(j, file_run, NULL);
}

static void gen_run(struct web_job *j)
{
	struct sla_period p;
	struct report_opts o = { .lang = "zh", .now = j->now };
	struct journal_audit au = { .t = j->now };
	char dir[4200], err[512];

	if (web__job_config(j) < 0)
		return;
	reports_dir(j->ws, j->a, dir, sizeof(dir));
	if (storage_mkdir_p(dir) < 0) {
		web__job_fail(j, 500, "storage", "cannot create %s", dir);
		return;
	}
	o.out_dir = dir;
	pthread_mutex_lock(&j->ws->slamu);
	if (month_of(j->cfg->timezone, j->a, &p) < 0) {
		pthread_mutex_unlock(&j->ws->slamu);
		web__job_fail(j, 400, "bad_request", "month is YYYY-MM");
		return;
	}
	if (report_period(j->cfg, &p, &o, NULL, err, sizeof(err)) < 0) {
		pthread_mutex_unlock(&j->ws->slamu);
		web__job_fail(j, 500, "report", "%s", err);
		return;
	}
	pthread_mutex_unlock(&j->ws->slamu);
	snprintf(au.action, sizeof(au.action), "report");
	snprintf(au.who, sizeof(au.who), "%s", j->user);
	snprintf(au.via, sizeof(au.via), "web");
	snprintf(au.object, sizeof(au.object), "%.15s", j->a);
	snprintf(au.note, sizeof(au.note), "draft in %.400s", dir);
	pthread_mutex_lock(&j->ws->jmu);
	if (journal_audit_record(j->ws->journal, &au, err, sizeof(err)) < 0)
		log_errorx("web: report %s by %s: the audit row was not "
			   "written: %s",
			   j->a, j->user, err);
	pthread_mutex_unlock(&j->ws->jmu);
}

static void gen_done(struct web_job *j)
{
	j->ws->report_busy = 0;
	if (j->code[0] != '\0')
		log_errorx("web: report %s (asked by %s) failed: %s", j->a,
			   j->user, j->msg);
	else
		log_info("web: report %s generated (asked by %s)", j->a,
			 j->user);
}

void web__report_generate(struct web_server *ws, h2o_req_t *req,
			  struct web_session *s)
{
	json_error_t jerr;
	json_t *body, *m;
	struct web_job *j;

	if (s->role < ROLE_ADMIN) {
		web__error(req, 403, "forbidden",
			   "%s may not generate reports (admin)", s->user);
		return;
	}
	body = json_loadb(req->entity.base, req->entity.len, 0, &jerr);
	if (body == NULL) {
		web__error(req, 400, "bad_json", "body: %s", jerr.text);
		return;
	}
	m = json_object_get(body, "month");
	if (!json_is_string(m) || !web__month_ok(json_string_value(m))) {
		json_decref(body);
		web__error(req, 400, "bad_request",
			   "expected {\"month\": \"YYYY-MM\"}");
		return;
	}
	if (ws->report_busy) {
		json_decref(body);
		web__error(req, 409, "busy", "a report is being generated");
		return;
	}
	j = web__job_detached(ws);
	if (j == NULL) {
		json_decref(body);
		web__error(req, 500, "internal", "out of memory");
		return;
	}
	snprintf(j->a, sizeof(j->a), "%s", json_string_value(m));
	snprintf(j->user, sizeof(j->user), "%s", s->user);
	json_decref(body);
	ws->report_busy = 1;
	log_info("web: report %s asked by %s", j->a, j->user);
	web__json(req, 202, json_pack("{s:s, s:s}", "month", j->a, "status",
				      "generating"));
	web__job_start(j, gen_run, gen_done);
}
