/*
 * indicators.h - the budget performance table's indicators: the default
 * table shipped with slamon and the comparator helpers. The indicators are
 * configured in [indicator ID] sections (collector/config.c); struct
 * indicator itself is declared in collector/config.h.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_INDICATORS_H
#define SLAMON_INDICATORS_H

#include <stddef.h>

#include "core/config.h"

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
