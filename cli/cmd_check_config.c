/*
 * cmd_check_config.c - `slamon check-config`: loads the configuration and
 * the inventory it names, prints every error as file:line: message, or the
 * devices per role and the counts of profiles and indicators.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "cli.h"
#include "core/config.h"
#include "modules/modules.h"

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPT_END,
};

static void print_counts(const char *path, const struct config *cfg)
{
	size_t per_role[ROLE_COUNT] = { 0 }, icmp = 0;

	for (size_t i = 0; i < cfg->ndevices; i++) {
		per_role[cfg->devices[i].role]++;
		icmp += cfg->devices[i].probe == DEV_PROBE_ICMP;
	}
	printf("%s: OK\n", path);
	printf("inventory %s: %zu devices\n", cfg->inventory, cfg->ndevices);
	for (int r = 0; r < ROLE_COUNT; r++)
		if (per_role[r])
			printf("  %-12s %zu\n", role_name(r), per_role[r]);
	if (icmp > 0)
		printf("probe icmp: %zu devices, snmp: %zu\n", icmp,
		       cfg->ndevices - icmp);
	printf("profiles: %zu, indicators: %zu\n",
	       config_count(cfg, &snmp_profile_section),
	       config_count(cfg, &indicator_section));
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cli_ctx ctx;
	struct diag d = { 0 };
	struct config *cfg = NULL;
	int rc;

	rc = cli_parse(cmd, argc, argv, &ctx, NULL, NULL);
	if (rc != 0)
		return cli_parse_status(rc);
	rc = config_load(ctx.config, &cfg, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msgs[i]);
	if (d.more > 0)
		fprintf(stderr, "%s: %zu more not shown\n", ctx.config,
			d.more);
	if (rc < 0) {
		fprintf(stderr, "%s: %zu error%s\n", ctx.config,
			diag_count(&d), diag_count(&d) == 1 ? "" : "s");
		diag_destroy(&d);
		return 1;
	}
	diag_destroy(&d);
	print_counts(ctx.config, cfg);
	config_destroy(cfg);
	return 0;
}

const struct cli_cmd cli_cmd_check_config = {
	.name = "check-config",
	.synopsis = "[-c CONFIG]",
	.summary = "validate the configuration and the inventory; print the "
		   "devices per role",
	.summary_zh = "检查配置与资产清单",
	.notes = "exit status: 0 valid, 1 errors (each as file:line: "
		 "message), 2 usage error",
	.opts = opts,
	.run = run,
};
