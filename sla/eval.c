/*
 * eval.c - one function per metric kind of an indicator (docs/sla.md):
 * the value, and the evidence in Chinese and English that lets a reader
 * check it by hand.
 * SPDX-License-Identifier: MIT
 */
#include "sla_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alerts/config.h"
#include "indicators.h"
#include "probes/service_config.h"
#include "service_avail.h"

int sla__has_tag(const char *tags, const char *tag)
{
	size_t n = strlen(tag);
	const char *p = tags;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, ';');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

		if (len == n && strncmp(p, tag, n) == 0)
			return 1;
		p = e != NULL ? e + 1 : NULL;
	}
	return 0;
}

/* Devices in scope; "service:NAME" means the device named NAME or tagged
 * NAME (a service is probed as a device of its own). */
static int in_scope(const struct config *cfg, size_t d, const char *scope)
{
	if (strncmp(scope, "service:", 8) == 0)
		return strcmp(cfg->devices[d].name, scope + 8) == 0 ||
		       sla__has_tag(cfg->devices[d].tags, scope + 8);
	return config_scope_match(cfg, d, scope);
}

#define ZH(...) snprintf(v->evidence_zh, sizeof(v->evidence_zh), __VA_ARGS__)
#define EN(...) snprintf(v->evidence_en, sizeof(v->evidence_en), __VA_ARGS__)

static void capacity(const struct config *cfg, const struct sla_result *r,
		     const struct indicator *ind, struct sla_value *v, int sum)
{
	char list[256] = "";
	size_t n = 0, used = 0, nolink = 0;
	double acc = sum ? 0 : NAN;

	for (size_t d = 0; d < cfg->ndevices; d++) {
		double c = cfg->devices[d].capacity_mbps;
		size_t len = strlen(list);
		int seen = 0;

		if (!in_scope(cfg, d, ind->scope))
			continue;
		n++;
		for (size_t l = 0; l < r->nlinks; l++)
			seen |= r->links[l].dev == d && r->links[l].samples > 0;
		nolink += !seen;
		if (c <= 0)
			continue;
		used++;
		if (sum)
			acc += c;
		else if (acc != acc || c < acc)
			acc = c;
		snprintf(list + len, sizeof(list) - len, "%s%s %.0f",
			 len ? ", " : "", cfg->devices[d].name, c);
	}
	v->value = used ? acc : NAN;
	ZH("%s（签约带宽 Mbps，%zu 台中 %zu 台登记了带宽；%zu 台本期无流量数据）",
	   used ? list : "无签约带宽", n, used, nolink);
	EN("%s (contracted capacity, Mbps; %zu of %zu devices have one; %zu "
	   "without traffic data in the period)",
	   used ? list : "no contracted capacity", used, n, nolink);
}

/* Highest utilisation (% of contracted capacity) over the links in scope:
 * which = 0 average, 1 peak, 2 95th percentile, of max(in, out). */
static void utilisation(const struct config *cfg, const struct sla_result *r,
			const struct indicator *ind, struct sla_value *v,
			int which)
{
	double worst = NAN;
	const char *name = "";
	size_t n = 0;

	for (size_t l = 0; l < r->nlinks; l++) {
		const struct sla_link *k = &r->links[l];
		double x = which == 0 ? k->avg_max
			   : which == 1 ? k->peak_max
					: k->p95_max;

		if (!in_scope(cfg, k->dev, ind->scope) ||
		    k->capacity_mbps <= 0 || x != x)
			continue;
		x = x / (k->capacity_mbps * 1e6) * 100;
		n++;
		if (worst != worst || x > worst) {
			worst = x;
			name = cfg->devices[k->dev].name;
		}
	}
	v->value = worst;
	ZH("%zu 条链路中最高为 %s（入出取大/签约带宽，5 分钟样本）", n, name);
	EN("highest of %zu links: %s (max(in,out)/contracted capacity, "
	   "5-minute samples)",
	   n, name);
}

static void online_count(const struct config *cfg,
			 const struct sla_result *r,
			 const struct indicator *ind, struct sla_value *v)
{
	size_t n = 0, up = 0, sim = 0;
	char never[200] = "";

	for (size_t d = 0; d < cfg->ndevices; d++) {
		size_t len = strlen(never);

		if (!in_scope(cfg, d, ind->scope))
			continue;
		n++;
		sim += sla__has_tag(cfg->devices[d].tags, "simulated");
		if (r->avail[d].seen_up) {
			up++;
			continue;
		}
		if (len + 70 < sizeof(never))
			snprintf(never + len, sizeof(never) - len, "%s%s",
				 len ? ", " : "", cfg->devices[d].name);
		else if (len + 4 < sizeof(never) &&
			 strcmp(never + len - 3, "...") != 0)
			snprintf(never + len, sizeof(never) - len, "...");
	}
	v->value = n ? (double)up : NAN;
	ZH("登记 %zu 台，本期在线过 %zu 台；从未在线：%s", n, up,
	   never[0] ? never : "无");
	EN("%zu registered, %zu seen up in the period; never up: %s", n, up,
	   never[0] ? never : "none");
}

static void time_share(const struct config *cfg, const struct sla_result *r,
		       const struct indicator *ind, struct sla_value *v)
{
	double up = 0, down = 0, unk = 0, maint = 0, unr = 0, all;
	size_t n = 0, changes = 0;

	for (size_t d = 0; d < cfg->ndevices; d++) {
		const struct sla_avail *a = &r->avail[d];

		if (!in_scope(cfg, d, ind->scope))
			continue;
		n++;
		up += a->up_s;
		down += a->down_s;
		unk += a->unknown_s;
		maint += a->maint_s;
		unr += a->unreach_s;
		changes += a->changes;
	}
	all = up + down + unk;
	/* registered inventory as denominator: unknown time is not up */
	v->value = n && all > 0 ? up / all * 100 : NAN;
	if (n == 0) {
		ZH("范围 %s 内没有登记的设备或服务", ind->scope);
		EN("no registered device or service in scope %s", ind->scope);
		return;
	}
	ZH("登记 %zu 台，扣除维护 %.1f 设备·小时；在线 %.2f%%，离线 %.2f%%"
	   "（其中因上级设备故障不可达 %.2f%%），未知（无数据）%.2f%%；"
	   "依据故障日志中的 %zu 次状态变化",
	   n, maint / 3600, all > 0 ? up / all * 100 : 0,
	   all > 0 ? down / all * 100 : 0, all > 0 ? unr / all * 100 : 0,
	   all > 0 ? unk / all * 100 : 0, changes);
	EN("%zu registered, %.1f device-hours of maintenance excluded; up %.2f%%, down "
	   "%.2f%% (unreachable behind a parent %.2f%%), unknown (no data) "
	   "%.2f%%; from %zu state changes in the journal",
	   n, maint / 3600, all > 0 ? up / all * 100 : 0,
	   all > 0 ? down / all * 100 : 0, all > 0 ? unr / all * 100 : 0,
	   all > 0 ? unk / all * 100 : 0, changes);
}

/* service:NAME naming a [service] section: its monitored time from the
 * journal's state rows (alerts/service.h); up / (up + down). Time before
 * its first check (unknown) is shown, not counted. */
static int service_share(const struct config *cfg, const struct sla_result *r,
			 const struct indicator *ind, struct sla_value *v)
{
	const char *name = ind->scope + 8;
	double to = r->period.to < r->now ? r->period.to : r->now;
	struct sla_svc_time st;
	struct journal *j = NULL;
	char err[256];
	int rc;

	if (strncmp(ind->scope, "service:", 8) != 0 ||
	    service_find(cfg, name) < 0)
		return 0;
	rc = journal_open_ro(alerts_config(cfg)->journal, &j, err,
			     sizeof(err));
	if (rc == 0)
		rc = sla_service_time(j, name, r->period.from, to, &st, err,
				      sizeof(err));
	journal_close(j);
	if (rc < 0) {
		ZH("服务 %s：无法读取故障日志库（%s）", name, err);
		EN("service %s: cannot read the journal (%s)", name, err);
		return 1;
	}
	if (st.up_s + st.down_s > 0)
		v->value = st.up_s / (st.up_s + st.down_s) * 100;
	ZH("服务 %s：监测 %.2f 小时，正常 %.2f 小时，故障 %.2f 小时（%zu 次），"
	   "未监测 %.1f 小时（按服务状态变化记录计算）",
	   name, (st.up_s + st.down_s) / 3600, st.up_s / 3600,
	   st.down_s / 3600, st.outages, (st.unknown_s + st.other_s) / 3600);
	EN("service %s: monitored %.2f h, up %.2f h, down %.2f h (%zu "
	   "outages), not monitored %.1f h (from its recorded state changes)",
	   name, (st.up_s + st.down_s) / 3600, st.up_s / 3600,
	   st.down_s / 3600, st.outages, (st.unknown_s + st.other_s) / 3600);
	return 1;
}

static void ack_ratio(const struct config *cfg, const struct sla_result *r,
		      const struct indicator *ind, struct sla_value *v)
{
	size_t n = 0, ok = 0, pending = 0, nack = 0, nres = 0;
	double sack = 0, sres = 0;

	for (size_t i = 0; i < r->nfaults; i++) {
		const struct sla_fault *f = &r->faults[i];

		if (!sla__fault_in_scope(cfg, f->f.object, ind->scope))
			continue;
		if (f->response_s == f->response_s) {
			nack++;
			sack += f->response_s;
		}
		if (f->repair_s == f->repair_s) {
			nres++;
			sres += f->repair_s;
		}
		if (!f->acked_in_time && f->f.ack_t == 0 &&
		    f->f.closed_t == 0 && f->f.deadline_t > r->now) {
			pending++; /* its window is still open */
			continue;
		}
		n++;
		ok += f->acked_in_time;
	}
	v->value = n ? (double)ok / (double)n * 100 : 100;
	ZH("本期故障 %zu 起，按时响应 %zu 起，响应期内待响应 %zu 起；"
	   "平均响应 %.1f 分钟，平均修复 %.1f 分钟%s",
	   n, ok, pending, nack ? sack / (double)nack / 60 : 0,
	   nres ? sres / (double)nres / 60 : 0, n ? "" : "（本期无故障）");
	EN("%zu faults, %zu acknowledged within their response window, %zu "
	   "still inside it; MTTA %.1f min, MTTR %.1f min%s",
	   n, ok, pending, nack ? sack / (double)nack / 60 : 0,
	   nres ? sres / (double)nres / 60 : 0,
	   n ? "" : " (no faults in the period)");
}

static void satisfaction(const struct config *cfg,
			 const struct sla_result *r, const struct fault *all,
			 size_t nall, const struct indicator *ind,
			 struct sla_value *v)
{
	size_t good = 0, basic = 0, bad = 0, n;

	for (size_t i = 0; i < nall; i++) {
		const struct fault *f = &all[i];

		if (f->closed_t < r->period.from || f->closed_t >= r->period.to ||
		    f->satisfaction[0] == '\0' ||
		    !sla__fault_in_scope(cfg, f->object, ind->scope))
			continue;
		if (strcmp(f->satisfaction, "满意") == 0)
			good++;
		else if (strcmp(f->satisfaction, "基本满意") == 0)
			basic++;
		else
			bad++;
	}
	n = good + basic + bad;
	v->value = n ? (double)(good + basic) / (double)n * 100 : 100;
	ZH("本期关闭并评价 %zu 起：满意 %zu，基本满意 %zu，不满意 %zu"
	   "（满意率 = (满意 + 基本满意) / 评价数）%s",
	   n, good, basic, bad, n ? "" : "；本期无评价");
	EN("%zu closed with a mark: satisfied %zu, basically satisfied %zu, "
	   "unsatisfied %zu (rate = (satisfied + basic) / marked)%s",
	   n, good, basic, bad, n ? "" : "; none in the period");
}

static void report_count(const struct sla_result *r,
			 const struct indicator *ind, struct sla_value *v)
{
	int last = sla__period_last_month(&r->period);

	v->value = (double)r->reports;
	v->target = ind->target * last / 12.0;
	ZH("%d 年 1-%d 月已生成月报 %zu 份（全年目标 %.0f 份，按月折算为 %.0f）",
	   r->period.year, last, r->reports, ind->target, v->target);
	EN("%zu monthly reports produced for %d-01..%d-%02d (annual target "
	   "%.0f, pro-rated to %.0f)",
	   r->reports, r->period.year, r->period.year, last, ind->target,
	   v->target);
}

/* Device time with a recorded state (journal state intervals, in
 * 5-minute units) plus captured links: a captured
 * link is a data item of its own, expected for every 5 minutes of the
 * period like a device, collected for the time its interval records cover
 * less each interval's drop share (drops / (records + drops)). */
static void completeness(const struct config *cfg,
			 const struct sla_result *r,
			 const struct indicator *ind, struct sla_value *v)
{
	size_t exp = 0, n = 0, nofile = 0, ncap = 0, cexp = 0;
	double got = 0, cgot = 0, crec = 0, cdrop = 0;

	for (size_t d = 0; d < cfg->ndevices; d++) {
		if (!in_scope(cfg, d, ind->scope))
			continue;
		n++;
		exp += r->avail[d].buckets;
		got += r->avail[d].known_s / SLA_STEP;
		nofile += !r->avail[d].has_states;
	}
	for (size_t i = 0; i < r->ncaptures; i++) {
		const struct sla_capture *c = &r->captures[i];

		if (c->dev < 0 || !in_scope(cfg, (size_t)c->dev, ind->scope))
			continue;
		ncap++;
		cexp += (size_t)(c->expected_s / SLA_STEP + 0.5);
		cgot += c->collected_s / SLA_STEP;
		crec += (double)c->records;
		cdrop += (double)c->drops;
	}
	v->value = exp + cexp ? (got + cgot) / (double)(exp + cexp) * 100
			      : NAN;
	if (ncap == 0) {
		ZH("%zu 台设备应有 %zu 个 5 分钟时段的状态，实有 %.1f 个；%zu 台"
		   "从无状态记录",
		   n, exp, got, nofile);
		EN("%zu devices: state known for %.1f of %zu 5-minute "
		   "periods; %zu without any recorded state",
		   n, got, exp, nofile);
		return;
	}
	ZH("%zu 台设备应有 %zu 个 5 分钟时段的状态，实有 %.1f 个；%zu 台从无状态"
	   "记录；抓包链路 %zu 条应有 %zu 个，扣除丢包（%.3f%%）后实有 %.1f 个",
	   n, exp, got, nofile, ncap, cexp,
	   crec + cdrop > 0 ? cdrop / (crec + cdrop) * 100 : 0, cgot);
	EN("%zu devices: %zu 5-minute periods expected, %.1f with a known "
	   "state; %zu without any recorded state; %zu captured links: %zu expected, %.1f "
	   "collected after capture drops (%.3f%%)",
	   n, exp, got, nofile, ncap, cexp, cgot,
	   crec + cdrop > 0 ? cdrop / (crec + cdrop) * 100 : 0);
}

/* What one metric function sees. */
struct eval_ctx {
	const struct config *cfg;
	const struct sla_result *r;
	const struct fault *all;
	size_t nall;
	const struct indicator *ind;
	struct sla_value *v;
};

#define C const struct eval_ctx *c
static void m_cap_min(C) { capacity(c->cfg, c->r, c->ind, c->v, 0); }
static void m_cap_sum(C) { capacity(c->cfg, c->r, c->ind, c->v, 1); }
static void m_util_avg(C) { utilisation(c->cfg, c->r, c->ind, c->v, 0); }
static void m_util_max(C) { utilisation(c->cfg, c->r, c->ind, c->v, 1); }
static void m_util_p95(C) { utilisation(c->cfg, c->r, c->ind, c->v, 2); }
static void m_online(C) { online_count(c->cfg, c->r, c->ind, c->v); }
static void m_share(C) { time_share(c->cfg, c->r, c->ind, c->v); }
static void m_service(C)
{
	if (!service_share(c->cfg, c->r, c->ind, c->v))
		time_share(c->cfg, c->r, c->ind, c->v);
}
static void m_ack(C) { ack_ratio(c->cfg, c->r, c->ind, c->v); }
static void m_reports(C) { report_count(c->r, c->ind, c->v); }
static void m_complete(C) { completeness(c->cfg, c->r, c->ind, c->v); }
static void m_satisfaction(C)
{
	satisfaction(c->cfg, c->r, c->all, c->nall, c->ind, c->v);
}
#undef C

/* The indicator metrics: an [indicator]'s `metric` names one. Adding a
 * metric is its function above plus one line here (docs/sla.md). */
static const struct {
	const char *name;
	void (*fn)(const struct eval_ctx *c);
} metrics[] = {
	{ "capacity_min", m_cap_min },
	{ "capacity_sum", m_cap_sum },
	{ "util_avg", m_util_avg },
	{ "util_max", m_util_max },
	{ "util_p95", m_util_p95 },
	{ "online_count", m_online },
	{ "time_share_up", m_share },
	{ "service_availability", m_service },
	{ "fault_ack_ratio", m_ack },
	{ "satisfaction_ratio", m_satisfaction },
	{ "report_count", m_reports },
	{ "completeness", m_complete },
};

int sla_metric_known(const char *name)
{
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (strcmp(metrics[i].name, name) == 0)
			return 1;
	return 0;
}

void sla_metric_names(char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++) {
		int n = snprintf(out + off, len - off, "%s%s", i ? ", " : "",
				 metrics[i].name);

		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
}

void sla__eval_one(const struct config *cfg, const struct sla_result *r,
		   const struct fault *all, size_t nall,
		   const struct indicator *ind, struct sla_value *v)
{
	const struct eval_ctx c = { cfg, r, all, nall, ind, v };
	const char *m = ind->metric;
	struct indicator eff;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->ind = *ind;
	v->target = ind->target;
	v->value = NAN;
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (strcmp(m, metrics[i].name) == 0)
			break;
	if (i < sizeof(metrics) / sizeof(metrics[0])) {
		metrics[i].fn(&c);
	} else {
		ZH("未知的指标类型 '%s'", m);
		EN("unknown metric '%s'", m);
	}
	eff = *ind;
	eff.target = v->target;
	if (v->value != v->value)
		v->state = SLA_NODATA;
	else
		v->state = indicator_met(&eff, v->value) ? SLA_MET
							 : SLA_BREACHED;
}
