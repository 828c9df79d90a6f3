/*
 * common.h - what several subcommands of slamon share, internal to cli/:
 * loading the configuration with its diagnostics on stderr, opening the
 * fault journal (faults, ack, close), the period of sla and report.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CLI_COMMON_H
#define SLAMON_CLI_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

struct config;
struct journal;
struct sla_period;

/* Loads the configuration at path into *ret (the caller destroys it),
 * printing every diagnostic as one line on stderr. Returns 0 or the
 * negative errno of config_load (*ret is then NULL). */
int cli__config_load(const char *path, struct config **ret);

/* Opens the fault journal: ctx->journal, else the [alerts] journal of the
 * configuration ctx->config. On error prints why on stderr ("slamon CMD:
 * ...") and returns a negative errno; *ret is the caller's to close. */
int cli__journal_open(const struct cli_ctx *ctx, struct journal **ret);

/* Records in the audit trail of journal j that the Unix user running
 * slamon (getpwuid(getuid())) did action (ack, close, report) on fault
 * fault_id (0: none) or object, at now, with note. A failure is printed
 * on stderr (the action itself stands). */
void cli__audit(struct journal *j, const char *action, int64_t fault_id,
		const char *object, const char *note, double now);

/* The fault ID operand of ack and close into *ret. Returns 0, or -EINVAL
 * with one line on stderr when it is not a positive integer. */
int cli__fault_id(const struct cli_ctx *ctx, int64_t *ret);

/* The period ctx->period asks for in cfg's time zone, else the month of
 * ctx->now. Returns 0, or -EINVAL with one line on stderr. */
int cli__period_of(const struct config *cfg, const struct cli_ctx *ctx,
		   struct sla_period *p);

/* Display columns of the n bytes of UTF-8 text at s, for padding tables
 * and help: every character from U+1000 up (CJK, full-width forms) counts
 * as 2, the others as 1. */
int cli__text_width(const char *s, size_t n);

/* `slamon sla --live` (cli/sla_live.c): prints the budget of the period
 * of ctx (default: the current month) as of ctx->now; the exit status (0
 * every indicator projected to meet its target, 1 one not, 2 error). */
int cli__sla_live(const struct cli_ctx *ctx, const struct config *cfg);

/* `slamon sla --year` (cli/sla_year.c): the twelve months of year period
 * p and the year, as a table, JSON (ctx->json) or CSV (csv); the exit
 * status of the year's evaluation (0 met, 1 not, 2 error). */
int cli__sla_year(const struct cli_ctx *ctx, const struct config *cfg,
		  const struct sla_period *p, int csv);

#endif
