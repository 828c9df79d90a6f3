/*
 * slamond.c - the slamon daemon: polls the inventory and stores rates.
 * Runs in the foreground (systemd Type=simple); see docs/running.md.
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "modules/modules.h"
#include "daemon.h"

#ifndef SLAMON_VERSION /* the CMake project version, collector/CMakeLists */
#define SLAMON_VERSION "unknown"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"usage: slamond [-c CONFIG] [-n] [--cycles N] [--duration SEC] "
		"[--no-rrd]\n"
		"  -c, --config FILE   configuration (default $SLAMON_CONFIG or "
		"/etc/slamon/slamon.conf)\n"
		"  -n, --check         check the configuration and exit\n"
		"  --cycles N          stop once every device was polled N "
		"times\n"
		"  --duration SEC      stop after SEC seconds\n"
		"  --no-rrd            poll and compute, write no RRD files\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'n'},
		{"cycles", required_argument, NULL, 'C'},
		{"duration", required_argument, NULL, 'D'},
		{"no-rrd", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	struct daemon_opts opts;
	const char *env = getenv("SLAMON_CONFIG");
	int check = 0, ch;

	if (modules_register() < 0) {
		fprintf(stderr, "slamond: cannot register the configuration "
				"sections\n");
		return 2;
	}

	memset(&opts, 0, sizeof(opts));
	opts.config_path = env && *env ? env : "/etc/slamon/slamon.conf";
	while ((ch = getopt_long(argc, argv, "c:nhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			opts.config_path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'C':
			opts.cycles = atoi(optarg);
			break;
		case 'D':
			opts.duration = atof(optarg);
			break;
		case 'R':
			opts.no_rrd = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("slamond %s\n", SLAMON_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (check) {
		struct diag d = {0};
		struct config *cfg = NULL;
		int rc = config_load(opts.config_path, &cfg, &d);

		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.msgs[i]);
		if (d.more > 0)
			fprintf(stderr, "%s: %zu more not shown\n",
				opts.config_path, d.more);
		diag_destroy(&d);
		config_destroy(cfg);
		return rc < 0 ? 1 : 0;
	}
	return daemon_run(&opts);
}
