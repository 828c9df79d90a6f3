/*
 * draft.c - last month's draft report on the 1st (see draft.h).
 * SPDX-License-Identifier: MIT
 */
#include "draft.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alerts/config.h"
#include "indicators.h"
#include "report.h"
#include "storage/rrdstore.h"

#define S(f) CFG_FIELD(sla_cfg, f)
static const struct cfg_opt sla_opts[] = {
	{ "draft_at", CFG_STR, S(draft_at), 0, 0, 0, "", NULL, CFG_LIVE,
	  NULL },
	/* "" = <storage_dir>/reports, filled in at the end */
	{ "draft_dir", CFG_PATH, S(draft_dir), 0, 0, 0, "", NULL, CFG_LIVE,
	  NULL },
};
#undef S

static void sla_init(struct cfg_ctx *c, void *item)
{
	struct sla_cfg *s = item;

	(void)c;
	s->draft_min = -1;
}

static void sla_end(struct cfg_ctx *c, void *item)
{
	struct sla_cfg *s = item;
	int h, m, used = 0;

	s->draft_min = -1;
	if (s->draft_at[0] == '\0')
		return;
	if (sscanf(s->draft_at, "%d:%d%n", &h, &m, &used) != 2 ||
	    s->draft_at[used] != '\0' || h < 0 || h > 23 || m < 0 || m > 59)
		cfg_error(c, cfg_key_line(c, "draft_at"),
			  "key 'draft_at' in [sla]: '%s' is not HH:MM",
			  s->draft_at);
	else
		s->draft_min = h * 60 + m;
}

/* The indicator an sla_breach rule names must be one (alerts/ cannot
 * know the indicators: sla/ stands above it). */
static void check_rules(struct cfg_ctx *c, const struct config *cfg)
{
	size_t nr, ni;
	const struct rule_cfg *r = alerts_rules(cfg, &nr);
	const struct indicator *ind = sla_indicators(cfg, &ni);

	for (size_t i = 0; i < nr; i++) {
		size_t k;

		if (r[i].type != RULE_SLA || r[i].indicator[0] == '\0')
			continue;
		for (k = 0; k < ni; k++)
			if (strcmp(ind[k].id, r[i].indicator) == 0)
				break;
		if (k == ni)
			cfg_error(c, r[i].line,
				  "key 'indicator' in [rule %s]: '%s' is not "
				  "an [indicator]",
				  r[i].name, r[i].indicator);
	}
}

static void sla_finish(struct cfg_ctx *c)
{
	struct config *cfg = cfg_config(c);
	struct sla_cfg *s = config_item(cfg, &sla_cfg_section);
	int n;

	check_rules(c, cfg);

	if (s == NULL || s->draft_dir[0] != '\0')
		return;
	n = snprintf(s->draft_dir, sizeof(s->draft_dir), "%s/reports",
		     cfg->storage_dir);
	if (n < 0 || (size_t)n >= sizeof(s->draft_dir))
		cfg_error(c, 0, "storage_dir too long for the draft reports");
}

const struct cfg_section sla_cfg_section = {
	.name = "sla",
	.size = sizeof(struct sla_cfg),
	.line_off = offsetof(struct sla_cfg, line),
	.opts = sla_opts,
	.nopts = CFG_NELEM(sla_opts),
	.init = sla_init,
	.end = sla_end,
	.finish = sla_finish,
};

const struct sla_cfg *sla_cfg(const struct config *cfg)
{
	return config_item(cfg, &sla_cfg_section);
}

int sla_draft_due(const struct config *cfg, double now,
		  struct sla_period *ret_p)
{
	const struct sla_cfg *s = sla_cfg(cfg);
	char path[4200];
	struct tm tm;
	double at;
	int rc, y, m;

	if (s == NULL || s->draft_min < 0)
		return 0;
	rc = sla_local_tm(cfg->timezone, now, &tm);
	if (rc < 0)
		return rc;
	y = tm.tm_year + 1900;
	m = tm.tm_mon + 1;
	rc = sla_local_mktime(cfg->timezone, y, m, 1, s->draft_min / 60,
			      s->draft_min % 60, &at);
	if (rc < 0)
		return rc;
	if (now < at || now >= at + 86400)
		return 0;
	rc = m == 1 ? sla_period_month(cfg->timezone, y - 1, 12, ret_p)
		    : sla_period_month(cfg->timezone, y, m - 1, ret_p);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/slamon-%s.sha256", s->draft_dir,
		 ret_p->label);
	return access(path, F_OK) != 0;
}

int sla_draft_write(const struct config *cfg, const struct sla_period *p,
		    double now, struct sla_draft *ret, char *err,
		    size_t errlen)
{
	const struct sla_cfg *s = sla_cfg(cfg);
	struct report_opts o = { .out_dir = s->draft_dir, .lang = "zh",
				 .now = now, .no_graphs = 1 };
	struct sla_result *r = NULL;
	int rc;

	memset(ret, 0, sizeof(*ret));
	rc = storage_mkdir_p(s->draft_dir);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", s->draft_dir, strerror(-rc));
		return rc;
	}
	rc = report_period(cfg, p, &o, &r, err, errlen);
	if (rc < 0)
		return rc;
	snprintf(ret->month, sizeof(ret->month), "%s", p->label);
	snprintf(ret->dir, sizeof(ret->dir), "%s", s->draft_dir);
	for (size_t i = 0; r != NULL && i < r->nvalues; i++) {
		const struct sla_value *v = &r->values[i];

		ret->met += v->state == SLA_MET;
		ret->missed += v->state == SLA_BREACHED;
		ret->nodata += v->state == SLA_NODATA;
		ret->reasons_missing +=
			v->state != SLA_MET && v->reason[0] == '\0';
	}
	sla_result_destroy(r);
	snprintf(ret->text, sizeof(ret->text),
		 "%s 月报草稿已生成：%.120s/slamon-%s.html。%zu 项达标，%zu 项未达标，"
		 "%zu 项无数据；%zu 项未达标指标尚未说明偏差原因（slamon "
		 "report annotate）。审阅后用 slamon report final 定稿。",
		 ret->month, ret->dir, ret->month, ret->met, ret->missed,
		 ret->nodata, ret->reasons_missing);
	return 0;
}
