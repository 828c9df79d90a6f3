/*
 * cmd_version.c - `slamon version`: the version of the CMake project,
 * passed in as SLAMON_VERSION by cli/CMakeLists.txt.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "cli.h"

#ifndef SLAMON_VERSION
#define SLAMON_VERSION "unknown"
#endif

static const struct cli_opt opts[] = {
	CLI_OPT_END,
};

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cli_ctx ctx;
	int rc = cli_parse(cmd, argc, argv, &ctx, NULL, NULL);

	if (rc != 0)
		return cli_parse_status(rc);
	printf("slamon %s\n", SLAMON_VERSION);
	return 0;
}

const struct cli_cmd cli_cmd_version = {
	.name = "version",
	.synopsis = "",
	.summary = "print the version of slamon",
	.summary_zh = "版本",
	.opts = opts,
	.run = run,
};
