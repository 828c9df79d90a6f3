/*
 * cmd_talkers.h - `slamon talkers`: the top talkers and ports of a
 * captured link over a time range, summed from the per-interval records
 * slamond keeps in the journal. See docs/pcap.md.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CMD_TALKERS_H
#define SLAMON_CMD_TALKERS_H

/* argv[0] = "talkers"; the rest:
 *   NAME [--from TIME] [--to TIME | --month YYYY-MM] [--top N] [--json]
 *   [--lang zh|en] [-c CONFIG] [--journal PATH]
 * TIME is "YYYY-MM-DD", "YYYY-MM-DD HH:MM" (the configured time zone) or
 * epoch seconds; the default range is the last hour. Exit status 0, 1
 * when the range holds no record of the link, 2 on a usage, config or
 * journal error (one line on stderr). config_path is the default
 * configuration (-c overrides). */
int cmd_talkers_main(int argc, char **argv, const char *config_path);

#endif
