/*
 * daemon.h - slamond's runtime: the libuv loop, the scheduler, the wiring
 * probe -> metric engine -> storage / availability, status snapshots,
 * signals (SIGTERM/SIGINT stop, SIGHUP reload).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_DAEMON_H
#define SLAMON_DAEMON_H

struct daemon_opts {
	const char *config_path;
	int cycles;      /* > 0: stop once every device was polled this often */
	double duration; /* > 0: stop after this many seconds */
	int no_rrd;      /* 1: compute everything, write no RRD files */
};

/* Loads the configuration (refusing to start on any error, each printed to
 * stderr as file:line: message) and runs until a signal or the cycle /
 * duration limit. Returns 0 on a clean stop, 1 on a bad config, 2 on a
 * runtime failure (storage, loop). */
int daemon_run(const struct daemon_opts *opts);

#endif
