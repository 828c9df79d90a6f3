/*
 * cmd_pcap.h - `slamon pcap-stats`: the capture probe's accounting over a
 * pcap/pcapng file, for an operator investigating a spike.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CMD_PCAP_H
#define SLAMON_CMD_PCAP_H

/* argv[0] is "pcap-stats"; the rest:
 *   FILE [--local PREFIX ...] [--interval S] [--top N] [--intervals]
 *   [--json]
 * Prints to stdout; errors (one line naming the file) to stderr. Returns
 * the exit status: 0 ok (also when libpcap stopped mid-file: the counts
 * so far are printed with a warning), 2 on a usage error or a file
 * libpcap refuses. */
int cmd_pcap_stats(int argc, char **argv);

#endif
