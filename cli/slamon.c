/*
 * slamon.c - the command line tool: registers the modules' configuration
 * sections, then runs the subcommand named by argv[1] from the one table
 * cli_commands (cli/commands.c). Each command's work and options are in
 * its cmd_*.c; `slamon COMMAND --help` lists them.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "modules/modules.h"

static int is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0 ||
	       strcmp(arg, "help") == 0;
}

/* Prints the usage of the command name, or the global one to stderr when
 * there is none; the exit status. */
static int usage_of(const char *name, FILE *out)
{
	const struct cli_cmd *cmd = name ? cli_find(name) : NULL;

	if (name != NULL && cmd == NULL) {
		fprintf(stderr, "slamon: unknown command '%s'\n", name);
		cli_usage_all(stderr);
		return 2;
	}
	if (cmd != NULL)
		cli_usage(cmd, out);
	else
		cli_usage_all(out);
	return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (modules_register() < 0) {
		fprintf(stderr, "slamon: cannot register the configuration "
				"sections\n");
		return 2;
	}
	if (argc < 2) /* slamon alone: the usage, as an error */
		return usage_of(NULL, stderr);
	if (strcmp(argv[1], "help") == 0 && argc > 2) /* slamon help CMD */
		return usage_of(argv[2], stdout);
	if (is_help(argv[1])) /* slamon help, -h, --help */
		return usage_of(NULL, stdout);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		argv[1] = (char *)"version"; /* the same as slamon version */
	cmd = cli_find(argv[1]);
	if (cmd == NULL)
		return usage_of(argv[1], stderr);
	return cmd->run(cmd, argc - 1, argv + 1);
}
