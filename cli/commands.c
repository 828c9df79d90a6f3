/*
 * commands.c - the one list of slamon's subcommands: slamon.c looks a
 * command up here and prints the global usage from it, tests walk it. A
 * new command is its cmd_*.c file plus one line here.
 * SPDX-License-Identifier: MIT
 */
#include "cli.h"

const struct cli_cmd *const cli_commands[] = {
	&cli_cmd_check_config,
	&cli_cmd_status,
	&cli_cmd_faults,
	&cli_cmd_ack,
	&cli_cmd_close,
	&cli_cmd_traps,
	&cli_cmd_sla,
	&cli_cmd_report,
	&cli_cmd_talkers,
	&cli_cmd_pcap_stats,
	&cli_cmd_user,
	&cli_cmd_version,
	NULL,
};
