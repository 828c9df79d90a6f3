/*
 * cli.h - how a slamon subcommand is described: its name, synopsis,
 * summary and one table of options, from which both the getopt_long table
 * and the --help text are generated, so the options a command accepts and
 * the options its help lists cannot drift apart. The options every command
 * shares (-c/--config, --json, --lang, --journal, the period of sla and
 * report) are declared once here and parsed into a struct cli_ctx.
 * The model is glibc's argp: an option's key is its short letter when it
 * has one, else a number of its own (>= CLI_KEY_JSON).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CLI_H
#define SLAMON_CLI_H

#include <stdio.h>

#define CLI_CONFIG_DEFAULT "/etc/slamon/slamon.conf"
#define CLI_OPTS_MAX 32 /* options of one command, --help included */
#define CLI_HELP 1      /* cli_parse: --help was printed */
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x) /* a numeric macro in a help text */

/* Keys of the shared options; a command numbers its own from CLI_KEY_OWN.
 * A key below 256 is also the option's short letter. */
enum cli_key {
	CLI_KEY_CONFIG = 'c',
	CLI_KEY_HELP = 'h',
	CLI_KEY_JSON = 256,
	CLI_KEY_LANG,
	CLI_KEY_JOURNAL,
	CLI_KEY_PERIOD, /* --month/--quarter/--year/--period of sla, report */
	CLI_KEY_NOW,
	CLI_KEY_OWN = 512,
};

/* One option: --name, its key (short letter or own number), the name of
 * its argument in the help (NULL: it takes none, so has_arg cannot
 * disagree with the help) and its help text (wrapped at 79 columns). */
struct cli_opt {
	const char *name;
	int key;
	const char *arg;
	const char *help;
};

#define CLI_OPT_CONFIG                                                      \
	{ "config", CLI_KEY_CONFIG, "CONFIG",                               \
	  "configuration file (default: $SLAMON_CONFIG, "                   \
	  "else " CLI_CONFIG_DEFAULT ")" }
#define CLI_OPT_JSON                                                        \
	{ "json", CLI_KEY_JSON, NULL, "print JSON instead of a table" }
#define CLI_OPT_LANG                                                        \
	{ "lang", CLI_KEY_LANG, "zh|en", "language of the output (default zh)" }
#define CLI_OPT_JOURNAL                                                     \
	{ "journal", CLI_KEY_JOURNAL, "PATH",                               \
	  "fault journal (default: the configuration's [alerts] journal)" }
/* The period of sla and report; the default is the current month in the
 * configured time zone. */
#define CLI_OPTS_PERIOD                                                     \
	{ "month", CLI_KEY_PERIOD, "YYYY-MM",                               \
	  "the period is that month (default: the current month)" },       \
	{ "quarter", CLI_KEY_PERIOD, "YYYY-QN",                             \
	  "the period is that quarter" },                                   \
	{ "year", CLI_KEY_PERIOD, "YYYY", "the period is that year" },      \
	{ "period", CLI_KEY_PERIOD, "YYYY-MM-DD..YYYY-MM-DD",               \
	  "whole local days, both included" },                              \
	{ "now", CLI_KEY_NOW, "EPOCH", "evaluate as of that time (seconds)" }
#define CLI_OPT_END { NULL, 0, NULL, NULL }

/* A subcommand. run gets argv[0] = the command's name and returns the exit
 * status; it parses its options with cli_parse(cmd, ...). */
struct cli_cmd {
	const char *name;
	const char *synopsis;   /* after "slamon NAME", e.g. "ID --by NAME" */
	const char *operand;    /* NULL: none; else the one operand, "FILE" */
	const char *summary;    /* one line, English */
	const char *summary_zh; /* one line, Chinese; may be NULL */
	const char *notes;      /* printed after the options; may be NULL */
	const struct cli_opt *opts; /* ends with CLI_OPT_END; --help is added */
	int (*run)(const struct cli_cmd *cmd, int argc, char **argv);
};

/* What cli_parse found: the shared options and the operands. */
struct cli_ctx {
	const struct cli_cmd *cmd;
	const char *config;  /* -c, else $SLAMON_CONFIG, else the default */
	const char *journal; /* --journal, NULL: the configuration's */
	const char *lang;    /* "zh" (default) or "en" */
	const char *period;  /* --month/--quarter/--year/--period, or NULL */
	double now;          /* --now, else the current time */
	int json;
	int nargs;           /* operands left after the options */
	char **args;
};

/* Parses argv (argv[0] = the command's name) against cmd's table into
 * *ctx. The command's own options (keys not shared) go to set(arg, key,
 * value or NULL), which prints one line on stderr and returns -EINVAL to
 * refuse a value; set may be NULL when the command has none. Returns 0;
 * CLI_HELP after printing the help on stdout (--help); -EINVAL after
 * printing the reason and the help on stderr (unknown option, missing
 * argument, bad --lang, wrong number of operands) or after set refused a
 * value (its line only); -E2BIG when the table is too long (a bug). */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv,
	      struct cli_ctx *ctx,
	      int (*set)(void *arg, int key, const char *val), void *arg);

/* The exit status for cli_parse's return value rc: 0 after --help, 2 on a
 * usage error. */
int cli_parse_status(int rc);

/* Prints cmd's help to out: "usage: slamon NAME SYNOPSIS", the summary,
 * every option of its table with its argument and help, and the notes. */
void cli_usage(const struct cli_cmd *cmd, FILE *out);

/* Prints the global usage to out: each command of cli_commands with its
 * synopsis and summary. */
void cli_usage_all(FILE *out);

/* The command called name in cli_commands, or NULL. */
const struct cli_cmd *cli_find(const char *name);

/* Every command of slamon, in the order of the global usage; ends with
 * NULL (cli/commands.c). */
extern const struct cli_cmd *const cli_commands[];

extern const struct cli_cmd cli_cmd_check_config, cli_cmd_status,
	cli_cmd_faults, cli_cmd_ack, cli_cmd_close, cli_cmd_sla,
	cli_cmd_report, cli_cmd_talkers, cli_cmd_pcap_stats, cli_cmd_version,
	cli_cmd_traps, cli_cmd_user;

#endif
