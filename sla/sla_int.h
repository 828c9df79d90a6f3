/*
 * sla_int.h - shared inside sla/ only: storage readers for the engine and
 * the report writers.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SLA_INT_H
#define SLAMON_SLA_INT_H

#include <stddef.h>

#include "sla.h"

/* Reads data sources ds[0..ncols) (at most 8) of an RRD file on the grid
 * of nb 5-minute buckets starting at from: out[k][i] is the AVERAGE of the
 * step ending at from + (i + 1) * SLA_STEP, NAN when unknown. A missing
 * file fills NAN and returns -ENOENT; a librrd error -EIO with err. */
int sla__fetch(const char *file, double from, size_t nb, int ncols,
	       const char *const *ds, double **out, char *err, size_t errlen);

struct sla_window {
	char scope[64];
	double a, b; /* [a, b) */
};
struct sla_windows {
	struct sla_window *v;
	size_t n, cap;
};

/* Every maintenance window overlapping p: configured one-off and weekly
 * windows plus the occurrences recorded in the journal. */
int sla__windows_load(const struct config *cfg, const struct sla_period *p,
		      struct sla_windows *w, size_t *ret_journal_n);
void sla__windows_free(struct sla_windows *w);

/* Availability of every device (r->avail, one per cfg->devices entry)
 * over [p->from, end) from the journal's state intervals, less the
 * maintenance windows w. A missing journal: every device unknown. */
int sla__avail_states(const struct config *cfg, const struct sla_period *p,
		      double end, const struct sla_windows *w,
		      struct sla_result *r, char *err, size_t errlen);

/* Is tag in the ';'-separated list tags? */
int sla__has_tag(const char *tags, const char *tag);

/* Does fault object "dev" or "dev/if" fall in scope? */
int sla__fault_in_scope(const struct config *cfg, const char *object,
			const char *scope);

/* Last month of the period within its year (1..12). */
int sla__period_last_month(const struct sla_period *p);

/* Evaluates one indicator into *v from what sla_evaluate gathered in r
 * (availability, links, faults of the period, reports); all = every fault
 * detected before the period's end (satisfaction counts closings in the
 * period). */
void sla__eval_one(const struct config *cfg, const struct sla_result *r,
		   const struct fault *all, size_t nall,
		   const struct indicator *ind, struct sla_value *v);

#endif
