/*
 * indicators.h - the budget performance table's indicators: the
 * [indicator ID] section sla/ owns, the default table shipped with slamon
 * (preloaded: a section overrides a default or adds an indicator) and the
 * comparator helpers.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_INDICATORS_H
#define SLAMON_INDICATORS_H

#include <stddef.h>

#include "core/config.h"

enum cmp_op { CMP_GE, CMP_GT, CMP_EQ, CMP_LE, CMP_LT };

/* One indicator of the budget performance table. Issue 4 evaluates them;
 * here they are only configured, validated and listed. */
struct indicator {
	char id[CFG_NAME_MAX];
	char name_zh[128];
	char name_en[128];
	char level[64];  /* e.g. "产出指标/数量指标" */
	char metric[64]; /* e.g. "capacity_min", "online_count", ... */
	char scope[64];  /* role, group, tag or service the metric covers */
	enum cmp_op cmp;
	double target;
	char unit[16];
	int line;
};

/* The [indicator] section, for config_section_register. */
extern const struct cfg_section indicator_section;

/* Registers sla/'s sections. 0 or a negative errno. */
int sla_config_register(void);

/* The configured indicators (defaults, overridden and added) and their
 * count. */
struct indicator *sla_indicators(const struct config *cfg, size_t *ret_n);

/* Is name one of the indicator metrics sla/eval.c computes? */
int sla_metric_known(const char *name);
/* The metric names, ", "-separated, for messages (truncated to len). */
void sla_metric_names(char *out, size_t len);

/* The default indicator table of the design brief (for docs and tests). */
const struct indicator *indicator_defaults(size_t *ret_n);

/* Parses ">=", ">", "=", "<=", "<" ("==" is taken as "="). Returns the
 * enum cmp_op value or -1 when the text is none of them. */
int cmp_op_parse(const char *s);

/* ">=" etc.; NULL for an out-of-range value. */
const char *cmp_op_name(enum cmp_op op);

/* Nonzero when value satisfies "value <cmp> target". Equality allows a
 * relative error of 1e-9 so ratios computed in floating point (100 %)
 * still match. A NaN value never meets a target. */
int indicator_met(const struct indicator *ind, double value);

#endif
