/*
 * engine.c - evaluates the indicators of the budget performance table over
 * a period: availability of every device from the journal's state
 * intervals (avail.c), link utilisation from if-*.v2.rrd, captured links (top talkers, drops) and
 * faults from the journal, produced reports from
 * <storage_dir>/reports/produced.tsv. Formulas: docs/sla.md.
 * SPDX-License-Identifier: MIT
 */
#include "sla_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "indicators.h"
#include "storage/rrdstore.h"

const char *sla_state_name(enum sla_state s, const char *lang)
{
	int en = lang != NULL && strcmp(lang, "en") == 0;

	switch (s) {
	case SLA_MET:
		return en ? "met" : "达标";
	case SLA_BREACHED:
		return en ? "breached" : "未达标";
	case SLA_NODATA:
		return en ? "no data" : "无数据";
	}
	return "?";
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double sla_p95(double *v, size_t n)
{
	size_t k;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_dbl);
	k = (size_t)ceil(0.95 * (double)n);
	return v[k > 0 ? k - 1 : 0];
}

/* ---- availability --------------------------------------------------- */

/* Buckets of the period that have ended by now: the current month is
 * evaluated up to the last whole 5 minutes. */
static size_t elapsed_buckets(const struct sla_period *p, double now)
{
	double end = now < p->to ? now : p->to;

	if (end <= p->from)
		return 0;
	return (size_t)floor((end - p->from) / SLA_STEP);
}

static int eval_avail(const struct config *cfg, const struct sla_period *p,
		      struct sla_result *r, char *err, size_t errlen)
{
	size_t nb = elapsed_buckets(p, r->now);
	struct sla_windows w;
	int rc;

	memset(&w, 0, sizeof(w));
	rc = sla__windows_load(cfg, p, &w, &r->maint_windows);
	if (rc < 0) {
		snprintf(err, errlen, "maintenance windows: %s", strerror(-rc));
		goto out;
	}
	rc = sla__avail_states(cfg, p, p->from + (double)nb * SLA_STEP, &w, r,
			       err, errlen);
	for (size_t d = 0; d < cfg->ndevices; d++)
		if (sla__has_tag(cfg->devices[d].tags, "simulated"))
			r->simulated++;
out:
	sla__windows_free(&w);
	return rc;
}

/* ---- links ---------------------------------------------------------- */

static int link_stats(struct sla_link *l, const struct sla_period *p,
		      size_t nb, char *err, size_t errlen)
{
	static const char *const ds[] = { "in", "out" };
	double *in = malloc((nb + 1) * sizeof(double));
	double *out = malloc((nb + 1) * sizeof(double));
	double *mx = malloc((nb + 1) * sizeof(double));
	double *sm = malloc((nb + 1) * sizeof(double));
	double *cols[2] = { in, out };
	double smx = 0, ssm = 0, sin = 0, sout = 0;
	size_t n = 0;
	int rc = -ENOMEM;

	if (in == NULL || out == NULL || mx == NULL || sm == NULL)
		goto out;
	rc = sla__fetch(l->file, p->from, nb, 2, ds, cols, err, errlen);
	if (rc == -EIO)
		goto out;
	rc = 0;
	l->peak_max = l->peak_sum = 0;
	for (size_t i = 0; i < nb; i++) {
		if (in[i] != in[i] || out[i] != out[i])
			continue;
		mx[n] = in[i] > out[i] ? in[i] : out[i];
		sm[n] = in[i] + out[i];
		smx += mx[n];
		ssm += sm[n];
		sin += in[i];
		sout += out[i];
		if (mx[n] > l->peak_max)
			l->peak_max = mx[n];
		if (sm[n] > l->peak_sum)
			l->peak_sum = sm[n];
		n++;
	}
	l->samples = n;
	l->avg_max = n ? smx / (double)n : NAN;
	l->avg_sum = n ? ssm / (double)n : NAN;
	l->avg_in = n ? sin / (double)n : NAN;
	l->avg_out = n ? sout / (double)n : NAN;
	if (n == 0)
		l->peak_max = l->peak_sum = NAN;
	l->p95_max = sla_p95(mx, n);
	l->p95_sum = sla_p95(sm, n);
out:
	free(in);
	free(out);
	free(mx);
	free(sm);
	return rc;
}

int sla_link_device(const struct config *cfg, size_t d)
{
	if (cfg->devices[d].role == ROLE_BACKBONE ||
	    cfg->devices[d].role == ROLE_EXIT)
		return 1;
	for (size_t i = 0; i < config_count(cfg, &indicator_section); i++) {
		const struct indicator *ind = &sla_indicators(cfg, NULL)[i];

		if ((strncmp(ind->metric, "capacity_", 9) == 0 ||
		     strncmp(ind->metric, "util_", 5) == 0) &&
		    config_scope_match(cfg, d, ind->scope))
			return 1;
	}
	return 0;
}

static int eval_links(const struct config *cfg, const struct sla_period *p,
		      struct sla_result *r, char *err, size_t errlen)
{
	size_t nb = elapsed_buckets(p, r->now);
	int rc = 0;

	for (size_t d = 0; d < cfg->ndevices && rc == 0; d++) {
		char **names = NULL;
		size_t n = 0;

		if (!sla_link_device(cfg, d))
			continue;
		rc = storage_if_list(cfg->storage_dir, cfg->devices[d].name,
				     &names, &n);
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct sla_link *l, *nl;

			nl = realloc(r->links, (r->nlinks + 1) * sizeof(*nl));
			if (nl == NULL) {
				rc = -ENOMEM;
				break;
			}
			r->links = nl;
			l = &r->links[r->nlinks++];
			memset(l, 0, sizeof(*l));
			l->dev = d;
			l->capacity_mbps = cfg->devices[d].capacity_mbps;
			snprintf(l->ifname, sizeof(l->ifname), "%s", names[i]);
			storage_path_if(cfg->storage_dir, cfg->devices[d].name,
					names[i], l->file, sizeof(l->file));
			rc = link_stats(l, p, nb, err, errlen);
		}
		storage_if_list_free(names, n);
	}
	return rc;
}

/* ---- captured links -------------------------------------------------- */

/* Every configured capture over the elapsed part of the period, from the
 * interval records in the journal. */
static int eval_captures(const struct config *cfg, const struct sla_period *p,
			 struct sla_result *r, char *err, size_t errlen)
{
	double to = p->from + (double)elapsed_buckets(p, r->now) * SLA_STEP;
	int rc = 0;

	r->captures = calloc(config_count(cfg, &capture_section) + 1, sizeof(*r->captures));
	if (r->captures == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < config_count(cfg, &capture_section) && rc == 0; i++) {
		const struct capture_cfg *c = &capture_configs(cfg, NULL)[i];
		struct sla_capture *sc = &r->captures[i];

		rc = sla_capture_load(alerts_config(cfg)->journal, c->name, p->from,
				      to, (size_t)c->top, sc, err, errlen);
		snprintf(sc->device, sizeof(sc->device), "%s", c->device);
		sc->dev = config_find_device(cfg, c->device);
		r->ncaptures++;
	}
	return rc;
}

/* ---- faults --------------------------------------------------------- */

static int load_faults(const struct config *cfg, const struct sla_period *p,
		       struct sla_result *r, struct fault **ret_all,
		       size_t *ret_nall, char *err, size_t errlen)
{
	struct journal *j = NULL;
	struct fault_query q = { .filter = JQ_ALL, .from_t = 0, .to_t = p->to };
	int rc;

	*ret_all = NULL;
	*ret_nall = 0;
	if (access(alerts_config(cfg)->journal, R_OK) != 0)
		return 0; /* no journal yet: no faults */
	rc = journal_open(alerts_config(cfg)->journal, &j, err, errlen);
	if (rc < 0)
		return rc;
	rc = journal_fault_list(j, &q, ret_all, ret_nall, err, errlen);
	journal_close(j);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < *ret_nall; i++) {
		const struct fault *f = &(*ret_all)[i];
		struct sla_fault *sf, *nf;

		if (f->detect_t < p->from || f->detect_t >= p->to)
			continue;
		/* the sla_breach rule's warnings are about the indicators,
		 * not faults of the network they count */
		if (strcmp(f->kind, "sla-breach") == 0)
			continue;
		nf = realloc(r->faults, (r->nfaults + 1) * sizeof(*nf));
		if (nf == NULL)
			return -ENOMEM;
		r->faults = nf;
		sf = &r->faults[r->nfaults++];
		sf->f = *f;
		sf->response_s = f->ack_t != 0 ? f->ack_t - f->detect_t : NAN;
		sf->repair_s = f->resolved_t != 0
				       ? f->resolved_t - f->first_fail_t
				       : NAN;
		/* an operator who closes an unacknowledged fault responded */
		sf->acked_in_time =
			(f->ack_t != 0 && f->ack_t <= f->deadline_t) ||
			(f->ack_t == 0 && f->closed_t != 0 &&
			 f->closed_t <= f->deadline_t);
	}
	return 0;
}

/* Does fault object "dev" or "dev/if" fall in scope? Objects no longer in
 * the inventory count only for "all". */
int sla__fault_in_scope(const struct config *cfg, const char *object,
			const char *scope)
{
	char dev[FAULT_OBJECT_MAX];
	char *slash;
	int i;

	if (strncmp(object, "sla:", 4) == 0)
		return 0; /* an sla_breach warning (alerts/slarule.h) */
	if (scope[0] == '\0' || strcmp(scope, "all") == 0)
		return 1;
	snprintf(dev, sizeof(dev), "%s", object);
	slash = strchr(dev, '/');
	if (slash != NULL)
		*slash = '\0';
	i = config_find_device(cfg, dev);
	return i >= 0 && config_scope_match(cfg, (size_t)i, scope);
}

/* ---- reasons for deviations ------------------------------------------ */

/* Copies the reasons stored for month p into the values of r (a month
 * only: a reason is given for a month's report). */
static int load_reasons(const struct config *cfg, const struct sla_period *p,
			struct sla_result *r, char *err, size_t errlen)
{
	struct journal_reason *v = NULL;
	struct journal *j = NULL;
	size_t n = 0;
	int rc;

	if (p->kind != SLA_MONTH ||
	    access(alerts_config(cfg)->journal, R_OK) != 0)
		return 0;
	rc = journal_open_ro(alerts_config(cfg)->journal, &j, err, errlen);
	if (rc == 0)
		rc = journal_reason_list(j, p->label, &v, &n, err, errlen);
	journal_close(j);
	for (size_t i = 0; rc == 0 && i < n; i++)
		for (size_t k = 0; k < r->nvalues; k++)
			if (strcmp(r->values[k].ind.id, v[i].indicator) == 0)
				snprintf(r->values[k].reason,
					 sizeof(r->values[k].reason), "%s",
					 v[i].text);
	free(v);
	return rc;
}

/* ---- reports produced ----------------------------------------------- */

int sla_report_record(const struct config *cfg, const char *month, double t,
		      const char *path, char *err, size_t errlen)
{
	char dir[4200], file[4300];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/reports", cfg->storage_dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	snprintf(file, sizeof(file), "%s/produced.tsv", dir);
	f = fopen(file, "a");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -errno;
	}
	fprintf(f, "%s\t%.0f\t%s\n", month, t, path);
	if (fclose(f) != 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -EIO;
	}
	return 0;
}

int sla_report_count(const struct config *cfg, int year, int up_to_month,
		     size_t *ret_n)
{
	char file[4300], line[4400];
	unsigned seen = 0; /* bit m: month m has a report */
	FILE *f;

	*ret_n = 0;
	snprintf(file, sizeof(file), "%s/reports/produced.tsv",
		 cfg->storage_dir);
	f = fopen(file, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		int y, m;

		if (sscanf(line, "%4d-%2d\t", &y, &m) == 2 && y == year &&
		    m >= 1 && m <= up_to_month)
			seen |= 1u << m;
	}
	fclose(f);
	for (int m = 1; m <= 12; m++)
		*ret_n += (seen >> m) & 1u;
	return 0;
}

/* Last month of the period within its year (report_count is pro-rated). */
int sla__period_last_month(const struct sla_period *p)
{
	struct tm tm;

	if (p->kind == SLA_YEAR)
		return 12;
	if (p->kind == SLA_MONTH)
		return p->month;
	if (p->kind == SLA_QUARTER)
		return p->quarter * 3;
	if (sla_local_tm(p->tz, p->to - 1, &tm) < 0)
		return 12;
	return tm.tm_year + 1900 > p->year ? 12 : tm.tm_mon + 1;
}

/* ---- indicators ----------------------------------------------------- */

int sla_evaluate(const struct config *cfg, const struct sla_period *p,
		 double now, struct sla_result **ret, char *err,
		 size_t errlen)
{
	struct fault *all = NULL;
	size_t nall = 0;
	struct sla_result *r = calloc(1, sizeof(*r));
	int rc = -ENOMEM;

	*ret = NULL;
	if (r == NULL)
		return -ENOMEM;
	r->period = *p;
	r->now = now;
	r->ndevices = cfg->ndevices;
	r->avail = calloc(cfg->ndevices + 1, sizeof(*r->avail));
	r->values = calloc(config_count(cfg, &indicator_section) + 1, sizeof(*r->values));
	if (r->avail == NULL || r->values == NULL)
		goto err;
	rc = eval_avail(cfg, p, r, err, errlen);
	if (rc == 0)
		rc = eval_links(cfg, p, r, err, errlen);
	if (rc == 0)
		rc = eval_captures(cfg, p, r, err, errlen);
	if (rc == 0)
		rc = load_faults(cfg, p, r, &all, &nall, err, errlen);
	if (rc == 0)
		rc = sla_report_count(cfg, p->year, sla__period_last_month(p),
				      &r->reports);
	if (rc < 0)
		goto err;
	for (size_t i = 0; i < config_count(cfg, &indicator_section); i++)
		sla__eval_one(cfg, r, all, nall, &sla_indicators(cfg, NULL)[i],
			 &r->values[r->nvalues++]);
	rc = load_reasons(cfg, p, r, err, errlen);
	if (rc < 0)
		goto err;
	free(all);
	*ret = r;
	return 0;
err:
	if (err != NULL && errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "%s", strerror(-rc));
	free(all);
	sla_result_destroy(r);
	return rc;
}

void sla_result_destroy(struct sla_result *r)
{
	if (r == NULL)
		return;
	free(r->values);
	free(r->avail);
	free(r->links);
	free(r->captures);
	free(r->faults);
	free(r);
}
