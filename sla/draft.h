/*
 * draft.h - last month's draft report, written by slamond on the 1st at
 * [sla] draft_at (docs/sla.md, "The draft on the 1st"): the [sla] section,
 * when a draft is due, and the writing with a one-paragraph summary for
 * the notifiers.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SLA_DRAFT_H
#define SLAMON_SLA_DRAFT_H

#include <stddef.h>

#include "core/config.h"
#include "sla.h"

/* [sla] */
struct sla_cfg {
	char draft_at[8];     /* "HH:MM" local time of the 1st, "" = none */
	int draft_min;        /* minutes after midnight, -1 = none */
	char draft_dir[4096]; /* default <storage_dir>/reports */
	int line;
};

extern const struct cfg_section sla_cfg_section;

/* [sla] of cfg (defaults when the file has none). */
const struct sla_cfg *sla_cfg(const struct config *cfg);

/* Is the draft of the month before now's due at now? It is from the 1st
 * at draft_at ([general] timezone) for 24 hours, while draft_dir has no
 * manifest slamon-YYYY-MM.sha256 of that month. 1 and *ret_p (the
 * previous month), 0 when not, -EINVAL for an unknown zone. */
int sla_draft_due(const struct config *cfg, double now,
		  struct sla_period *ret_p);

/* What a written draft says, for the notifiers. */
struct sla_draft {
	char month[80];
	char dir[4096];
	size_t met, missed, nodata, reasons_missing;
	char text[FAULT_TEXT_MAX]; /* Chinese, one paragraph */
};

/* Writes the draft of month p into draft_dir (report_period, tables
 * without graphs: librrd's graph code is not for threads) as of now.
 * Returns 0 and *ret, or a negative errno with err. */
int sla_draft_write(const struct config *cfg, const struct sla_period *p,
		    double now, struct sla_draft *ret, char *err,
		    size_t errlen);

#endif
