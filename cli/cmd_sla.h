/*
 * cmd_sla.h - `slamon sla` (compliance check of the budget indicators) and
 * `slamon report` (monthly operations report, annual summary). See
 * docs/sla.md.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CMD_SLA_H
#define SLAMON_CMD_SLA_H

/* argv[0] = "sla". Prints the compliance table (or --json, or one
 * --nagios line). Exit status: 0 every indicator met, 1 one breached or
 * without data, 2 error; with --nagios 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN. config_path is the default configuration (-c overrides). */
int cmd_sla_main(int argc, char **argv, const char *config_path);

/* argv[0] = "report". Writes the HTML/XLSX/CSV/JSON report of a month
 * (--month) or the annual summary (--year) into --out. Exit status 0, or
 * 2 on error. */
int cmd_report_main(int argc, char **argv, const char *config_path);

#endif
