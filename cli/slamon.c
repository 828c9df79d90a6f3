/*
 * slamon.c - the command line tool: check-config, status, faults, sla,
 * report, talkers, pcap-stats (each command's work is in its cmd_*.c).
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_faults.h"
#include "cmd_pcap.h"
#include "cmd_sla.h"
#include "cmd_talkers.h"
#include "cmd_status.h"
#include "core/config.h"
#include "modules/modules.h"

static const char *default_config(void)
{
	const char *env = getenv("SLAMON_CONFIG");

	return env && *env ? env : "/etc/slamon/slamon.conf";
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: slamon COMMAND [options]\n"
		"  check-config [-c CONFIG]      validate config and inventory; "
		"print counts per role\n"
		"  status [-c CONFIG] [--json] [--lang zh|en]\n"
		"                                live status from slamond's "
		"snapshot\n"
		"  faults [--month YYYY-MM] [--all] [--json]\n"
		"                                faults from the journal (open "
		"ones by default)\n"
		"  ack ID --by NAME [--note TEXT]\n"
		"  close ID --note TEXT --satisfaction 满意|基本满意|不满意\n"
		"  sla --month YYYY-MM|--quarter YYYY-QN|--year YYYY [--json] "
		"[--nagios] [--lang zh|en]\n"
		"                                compliance with the budget "
		"performance targets\n"
		"  report --month YYYY-MM|--year YYYY --out DIR [--lang zh|en]\n"
		"                                monthly operations report "
		"(HTML, XLSX, CSV, JSON)\n"
		"  talkers NAME [--from TIME] [--to TIME | --month YYYY-MM] "
		"[--top N] [--json]\n"
		"                                top talkers and ports of a "
		"captured link (last hour)\n"
		"  pcap-stats FILE [--local PREFIX ...] [--interval S] [--top N] "
		"[--json]\n"
		"                                traffic accounting over a "
		"capture file\n"
		"  version\n"
		"CONFIG defaults to $SLAMON_CONFIG or /etc/slamon/slamon.conf\n");
}

static int cmd_check_config(const char *path)
{
	struct diag d = {0};
	struct config *cfg = NULL;
	size_t per_role[ROLE_COUNT] = {0};
	int rc = config_load(path, &cfg, &d);

	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msgs[i]);
	if (rc < 0) {
		fprintf(stderr, "%s: %zu error%s\n", path, d.n,
			d.n == 1 ? "" : "s");
		diag_destroy(&d);
		return 1;
	}
	diag_destroy(&d);
	for (size_t i = 0; i < cfg->ndevices; i++)
		per_role[cfg->devices[i].role]++;
	printf("%s: OK\n", path);
	printf("inventory %s: %zu devices\n", cfg->inventory, cfg->ndevices);
	for (int r = 0; r < ROLE_COUNT; r++)
		if (per_role[r])
			printf("  %-12s %zu\n", role_name(r), per_role[r]);
	printf("profiles: %zu, indicators: %zu\n", config_count(cfg, &snmp_profile_section),
	       config_count(cfg, &indicator_section));
	config_destroy(cfg);
	return 0;
}

static int cmd_status(const char *path, int as_json, const char *lang)
{
	struct diag d = {0};
	struct config *cfg = NULL;
	double stale = 0;
	int rc;

	if (config_load(path, &cfg, &d) < 0) {
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.msgs[i]);
		diag_destroy(&d);
		return 2;
	}
	diag_destroy(&d);
	for (int r = 0; r < ROLE_COUNT; r++)
		if (cfg->interval_s[r] * 3.0 > stale)
			stale = cfg->interval_s[r] * 3.0;
	rc = status_print(cfg->status_file, as_json, lang, stale, stdout);
	config_destroy(cfg);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"lang", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *cmd, *path = default_config(), *lang = "zh";
	int as_json = 0, ch;

	if (modules_register() < 0) {
		fprintf(stderr, "slamon: cannot register the configuration "
				"sections\n");
		return 2;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "pcap-stats") == 0)
		return cmd_pcap_stats(argc - 1, argv + 1);
	if (strcmp(cmd, "faults") == 0 || strcmp(cmd, "ack") == 0 ||
	    strcmp(cmd, "close") == 0)
		return cmd_faults_main(argc - 1, argv + 1, path);
	if (strcmp(cmd, "sla") == 0)
		return cmd_sla_main(argc - 1, argv + 1, path);
	if (strcmp(cmd, "report") == 0)
		return cmd_report_main(argc - 1, argv + 1, path);
	if (strcmp(cmd, "talkers") == 0)
		return cmd_talkers_main(argc - 1, argv + 1, path);
	optind = 2;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'j':
			as_json = 1;
			break;
		case 'l':
			lang = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(cmd, "check-config") == 0)
		return cmd_check_config(path);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(path, as_json, lang);
	if (strcmp(cmd, "version") == 0) {
		printf("slamon 0.1.0\n");
		return 0;
	}
	fprintf(stderr, "slamon: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
