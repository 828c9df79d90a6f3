/*
 * cmd_faults.h - the fault commands of the slamon CLI:
 *   slamon faults [--month YYYY-MM] [--all] [--json]
 *   slamon ack ID --by NAME [--note TEXT]
 *   slamon close ID --note TEXT --satisfaction 满意|基本满意|不满意
 * (satisfied|basic|unsatisfied are accepted too). Every command also takes
 * -c/--config CONFIG (overrides config_path) and --journal PATH (bypasses
 * the configuration's [alerts] journal).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CMD_FAULTS_H
#define SLAMON_CMD_FAULTS_H

/* argv[0] is the subcommand ("faults", "ack" or "close"); config_path the
 * main configuration (its [alerts] journal, default
 * <storage_dir>/faults.db). Prints to stdout, errors to stderr. Returns
 * the process exit status: 0 done, 1 refused (unknown id, already
 * acknowledged/closed, ...: nothing changed), 2 usage or configuration
 * error. */
int cmd_faults_main(int argc, char **argv, const char *config_path);

#endif
