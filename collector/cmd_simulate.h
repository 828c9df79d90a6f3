/*
 * cmd_simulate.h - `slamon simulate-history --month YYYY-MM [-c CONFIG]
 * [--seed N]`: writes a clearly labelled simulated month of history for
 * every device of the inventory (RRD rows every 5 minutes, scripted
 * outages, a maintenance window, the matching faults in the journal), so
 * that `slamon sla` and `slamon report` have a whole month to show. Used by
 * the demo (scripts/demo.sh) before slamond starts. See
 * docs/demo-network.md, "Simulated history".
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CMD_SIMULATE_H
#define SLAMON_CMD_SIMULATE_H

/* argv[0] = "simulate-history"; config_path is the default configuration
 * (-c overrides). Refuses (exit 1, nothing written) when a file it would
 * write already holds data inside or after the month, when the journal
 * already has faults or maintenance in the month, or when the month has not
 * ended yet. Exit status 0 done, 1 refused or failed, 2 usage or
 * configuration error. */
int cmd_simulate_main(int argc, char **argv, const char *config_path);

#endif
