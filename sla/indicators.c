/*
 * indicators.c - the default indicator table (部门预算绩效目标 of the design
 * brief) and the comparator helpers. Configuration may override any field of
 * a default or add indicators; see docs/config.md.
 * SPDX-License-Identifier: MIT
 */
#include "indicators.h"
#include "draft.h"

#include <stdio.h>
#include <string.h>

/* Levels follow the three-tier layout of the budget performance table:
 * 一级指标/二级指标. */
#define LVL_QTY "产出指标/数量指标"
#define LVL_QUAL "产出指标/质量指标"
#define LVL_TIME "产出指标/时效指标"
#define LVL_SOCIAL "效益指标/社会效益指标"
#define LVL_SATIS "满意度指标/服务对象满意度指标"

static const struct indicator defaults[] = {
	{ "backbone_bandwidth", "电子政务外网主骨干带宽", "Backbone bandwidth",
	  LVL_QTY, "capacity_min", "role:backbone", CMP_GE, 10000, "Mbps", 0 },
	{ "exit_bandwidth", "电子政务外网互联出口带宽",
	  "Internet exit bandwidth", LVL_QTY, "capacity_sum", "role:exit",
	  CMP_GE, 4000, "Mbps", 0 },
	{ "access_points", "电子政务外网单位接入点位数量",
	  "Unit access points online", LVL_QTY, "online_count", "role:access",
	  CMP_GE, 500, "", 0 },
	{ "unit_connectivity", "单位联网率", "Unit connectivity rate",
	  LVL_QUAL, "time_share_up", "role:access", CMP_GE, 90, "%", 0 },
	{ "fault_response", "故障响应率", "Fault response rate", LVL_TIME,
	  "fault_ack_ratio", "all", CMP_EQ, 100, "%", 0 },
	{ "fault_satisfaction", "电子政务外网故障处理满意率",
	  "Fault handling satisfaction", LVL_SATIS, "satisfaction_ratio", "all",
	  CMP_GE, 90, "%", 0 },
	{ "miniprogram_availability", "对外服务微信小程序无故障运行率",
	  "Mini-program availability", LVL_SOCIAL, "service_availability",
	  "service:miniprogram", CMP_GT, 95, "%", 0 },
	{ "equipment_availability", "设备正常使用率", "Equipment availability",
	  LVL_QUAL, "time_share_up", "all", CMP_GE, 98, "%", 0 },
	{ "monthly_reports", "信息系统运维月报表份数", "Monthly operations reports",
	  LVL_QTY, "report_count", "all", CMP_EQ, 12, "", 0 },
	{ "data_completeness", "数据项完整性", "Data completeness", LVL_QUAL,
	  "completeness", "all", CMP_GE, 98, "%", 0 },
};

const struct indicator *indicator_defaults(size_t *ret_n)
{
	*ret_n = sizeof(defaults) / sizeof(defaults[0]);
	return defaults;
}

static const char *const cmp_names[] = {
	[CMP_GE] = ">=", [CMP_GT] = ">", [CMP_EQ] = "=",
	[CMP_LE] = "<=", [CMP_LT] = "<",
};

int cmp_op_parse(const char *s)
{
	if (strcmp(s, "==") == 0)
		return CMP_EQ;
	for (size_t i = 0; i < sizeof(cmp_names) / sizeof(cmp_names[0]); i++)
		if (strcmp(s, cmp_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *cmp_op_name(enum cmp_op op)
{
	if ((unsigned)op >= sizeof(cmp_names) / sizeof(cmp_names[0]))
		return NULL;
	return cmp_names[op];
}

static int nearly_equal(double a, double b)
{
	double diff = a > b ? a - b : b - a;
	double mag = b < 0 ? -b : b;

	return diff <= 1e-9 * (mag > 1 ? mag : 1);
}

int indicator_met(const struct indicator *ind, double value)
{
	if (value != value) /* NaN: no data is never a pass */
		return 0;
	switch (ind->cmp) {
	case CMP_GE:
		return value >= ind->target || nearly_equal(value, ind->target);
	case CMP_GT:
		return value > ind->target && !nearly_equal(value, ind->target);
	case CMP_EQ:
		return nearly_equal(value, ind->target);
	case CMP_LE:
		return value <= ind->target || nearly_equal(value, ind->target);
	case CMP_LT:
		return value < ind->target && !nearly_equal(value, ind->target);
	}
	return 0;
}

/* ---- [indicator ID] -------------------------------------------------- */

static int cmp_parse(void *field, const char *v, char *err, size_t errlen)
{
	int c = cmp_op_parse(v);

	if (c < 0) {
		snprintf(err, errlen, "'%s' is not one of >=, >, =, <=, <", v);
		return -1;
	}
	*(int *)field = c;
	return 0;
}

_Static_assert(sizeof(enum cmp_op) == sizeof(int), "enum stored as int");

#define I(f) CFG_FIELD(indicator, f)
/* No defaults but the scope: a new indicator starts empty, an override
 * starts from the default table. REQUIRED applies to new IDs. Indicators
 * are read when a period is evaluated: every key applies in place. */
static const struct cfg_opt indicator_opts[] = {
	{ "name", CFG_STR, I(name_zh), 0, 0, 0, NULL, NULL,
	  CFG_REQUIRED | CFG_LIVE, NULL },
	{ "name_en", CFG_STR, I(name_en), 0, 0, 0, NULL, NULL, CFG_LIVE,
	  NULL },
	{ "level", CFG_STR, I(level), 0, 0, 0, NULL, NULL, CFG_LIVE, NULL },
	{ "metric", CFG_STR, I(metric), 0, 0, 0, NULL, NULL,
	  CFG_REQUIRED | CFG_LIVE, NULL },
	{ "scope", CFG_SCOPE, I(scope), 0, 0, 0, "all", NULL, CFG_LIVE, NULL },
	{ "comparator", CFG_FUNC, I(cmp), 0, 0, 0, NULL, NULL,
	  CFG_REQUIRED | CFG_LIVE, cmp_parse },
	{ "target", CFG_DOUBLE, I(target), 0, 0, 0, NULL, NULL,
	  CFG_REQUIRED | CFG_LIVE, NULL },
	{ "unit", CFG_STR, I(unit), 0, 0, 0, NULL, NULL, CFG_LIVE, NULL },
};
#undef I

/* A metric sla/ cannot compute is a configuration error, not a report
 * that says "unknown metric" a month later. */
static void indicator_end(struct cfg_ctx *c, void *item)
{
	const struct indicator *ind = item;
	char names[512];

	if (!cfg_seen(c, "metric") || sla_metric_known(ind->metric))
		return;
	sla_metric_names(names, sizeof(names));
	cfg_error(c, cfg_key_line(c, "metric"),
		  "key 'metric' in [%s]: '%s' is not one of %s", cfg_title(c),
		  ind->metric, names);
}

/* Before the file: the default table, each item without a line (a
 * section of the same ID overrides it). */
static int indicator_preload(struct config *cfg)
{
	for (size_t i = 0; i < CFG_NELEM(defaults); i++) {
		struct indicator *ind =
			config_item_add(cfg, &indicator_section, defaults[i].id);

		if (ind == NULL)
			return -1;
		*ind = defaults[i];
	}
	return 0;
}

const struct cfg_section indicator_section = {
	.name = "indicator",
	.flags = CFG_SEC_NAMED,
	.size = sizeof(struct indicator),
	.line_off = offsetof(struct indicator, line),
	.opts = indicator_opts,
	.nopts = CFG_NELEM(indicator_opts),
	.preload = indicator_preload,
	.end = indicator_end,
};

int sla_config_register(void)
{
	int rc = config_section_register(&indicator_section);

	/* [sla] (draft.h): the draft report on the 1st */
	return rc < 0 ? rc : config_section_register(&sla_cfg_section);
}

struct indicator *sla_indicators(const struct config *cfg, size_t *ret_n)
{
	return config_items(cfg, &indicator_section, ret_n);
}
