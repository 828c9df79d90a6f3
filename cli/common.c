/*
 * common.c - the configuration, the fault journal and the period as the
 * subcommands of slamon open them (see common.h). The fault commands work
 * on the journal directly; SQLite's WAL handles the concurrency with
 * slamond, so they work whether slamond runs or not.
 * SPDX-License-Identifier: MIT
 */
#include "common.h"
#include "core/tz.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "alerts/config.h"
#include "core/config.h"
#include "sla/sla.h"
#include "storage/journal.h"

int cli__config_load(const char *path, struct config **ret)
{
	struct diag d = { 0 };
	int rc;

	*ret = NULL;
	rc = config_load(path, ret, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msgs[i]);
	diag_destroy(&d);
	/* every time printed or parsed from here on is in [general]
	 * timezone (core/tz.h) */
	if (rc == 0)
		tz_apply((*ret)->timezone);
	return rc;
}

int cli__journal_open(const struct cli_ctx *ctx, struct journal **ret)
{
	struct config *cfg = NULL;
	char err[512];
	int rc;

	if (ctx->journal == NULL) {
		rc = cli__config_load(ctx->config, &cfg);
		if (rc < 0)
			return rc;
	} else {
		/* the journal named on the command line, the times still in
		 * the configuration's zone when there is one to read */
		struct diag d = { 0 };

		if (config_load(ctx->config, &cfg, &d) == 0)
			tz_apply(cfg->timezone);
		diag_destroy(&d);
	}
	rc = journal_open(ctx->journal ? ctx->journal
				       : alerts_config(cfg)->journal,
			  ret, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "slamon %s: %s\n", ctx->cmd->name, err);
	config_destroy(cfg);
	return rc;
}

void cli__audit(struct journal *j, const char *action, int64_t fault_id,
		const char *object, const char *note, double now)
{
	struct journal_audit a = { .t = now, .fault_id = fault_id };
	struct passwd *pw = getpwuid(getuid());
	char err[256];

	snprintf(a.action, sizeof(a.action), "%s", action);
	if (pw != NULL)
		snprintf(a.who, sizeof(a.who), "%s", pw->pw_name);
	else
		snprintf(a.who, sizeof(a.who), "uid %ld", (long)getuid());
	snprintf(a.via, sizeof(a.via), "cli");
	snprintf(a.object, sizeof(a.object), "%s", object ? object : "");
	snprintf(a.note, sizeof(a.note), "%s", note ? note : "");
	if (journal_audit_record(j, &a, err, sizeof(err)) < 0)
		fprintf(stderr, "slamon %s: the audit row was not written: %s\n",
			action, err);
}

int cli__fault_id(const struct cli_ctx *ctx, int64_t *ret)
{
	char *end;

	*ret = strtoll(ctx->args[0], &end, 10);
	if (*end != '\0' || *ret <= 0) {
		fprintf(stderr, "slamon %s: '%s' is not a fault ID\n",
			ctx->cmd->name, ctx->args[0]);
		return -EINVAL;
	}
	return 0;
}

int cli__period_of(const struct config *cfg, const struct cli_ctx *ctx,
		   struct sla_period *p)
{
	char err[256] = "", cur[32];
	struct tm tm;

	if (ctx->period == NULL) {
		if (sla_local_tm(cfg->timezone, ctx->now, &tm) < 0) {
			fprintf(stderr, "slamon: unknown time zone '%s'\n",
				cfg->timezone);
			return -EINVAL;
		}
		snprintf(cur, sizeof(cur), "%04d-%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1);
	}
	if (sla_period_parse(cfg->timezone, ctx->period ? ctx->period : cur,
			     p, err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

int cli__text_width(const char *s, size_t n)
{
	int w = 0;

	for (const unsigned char *p = (const unsigned char *)s;
	     p < (const unsigned char *)s + n; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		w += *p >= 0xe1 ? 2 : 1;
	}
	return w;
}
