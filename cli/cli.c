/*
 * cli.c - the options and usage of every slamon subcommand (see cli.h):
 * the getopt_long table and the --help text are both generated from the
 * command's struct cli_opt table. getopt_long(3) is GNU's: optind = 0
 * re-initialises it, and operands may come between options (permutation).
 * SPDX-License-Identifier: MIT
 */
#include "cli.h"
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HELP_COL 30 /* where the help of an option starts */
#define WIDTH 79    /* of a line of help */

static const struct cli_opt help_opt = { "help", CLI_KEY_HELP, NULL,
					 "print this help and exit" };

/* Prints text, the cursor being at column x, wrapped at blanks before
 * WIDTH with the next lines indented to column col; '\n' breaks a line
 * too. Ends the line. */
static void print_wrapped(const char *text, int x, int col, FILE *out)
{
	const char *p = text;
	int start = 1;

	while (*p != '\0') {
		size_t n = strcspn(p, " \n");
		int w = cli__text_width(p, n);

		if (!start && x + 1 + w > WIDTH) {
			fprintf(out, "\n%*s", col, "");
			x = col;
		} else if (!start) {
			fputc(' ', out);
			x++;
		}
		fwrite(p, 1, n, out);
		x += w;
		p += n;
		start = 0;
		if (*p == '\n') {
			fprintf(out, "\n%*s", col, "");
			x = col;
			start = 1;
		}
		p += strspn(p, " \n");
	}
	fputc('\n', out);
}

/* "  -c, --config CONFIG" or "      --json": the left column of o. */
static void opt_label(const struct cli_opt *o, char *buf, size_t len)
{
	if (o->key < 256)
		snprintf(buf, len, "  -%c, --%s%s%s", o->key, o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(buf, len, "      --%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
}

static void print_opt(const struct cli_opt *o, FILE *out)
{
	char label[160];
	int w;

	opt_label(o, label, sizeof(label));
	w = cli__text_width(label, strlen(label));
	fputs(label, out);
	if (w >= HELP_COL - 1) {
		fputc('\n', out);
		w = 0;
	}
	fprintf(out, "%*s", HELP_COL - w, "");
	print_wrapped(o->help, HELP_COL, HELP_COL, out);
}

void cli_usage(const struct cli_cmd *cmd, FILE *out)
{
	int x = fprintf(out, "usage: slamon %s%s", cmd->name,
			cmd->synopsis[0] ? " " : "");

	print_wrapped(cmd->synopsis, x, x, out);
	print_wrapped(cmd->summary, 0, 0, out);
	if (cmd->summary_zh != NULL)
		fprintf(out, "%s\n", cmd->summary_zh);
	fprintf(out, "\noptions:\n");
	for (const struct cli_opt *o = cmd->opts; o->name != NULL; o++)
		print_opt(o, out);
	print_opt(&help_opt, out);
	if (cmd->notes != NULL) {
		fputc('\n', out);
		print_wrapped(cmd->notes, 0, 0, out);
	}
}

void cli_usage_all(FILE *out)
{
	fprintf(out, "usage: slamon COMMAND [options]\n");
	for (size_t i = 0; cli_commands[i] != NULL; i++) {
		const struct cli_cmd *c = cli_commands[i];
		int x = fprintf(out, "  %s%s", c->name,
				c->synopsis[0] ? " " : "");

		print_wrapped(c->synopsis, x, x, out);
		fprintf(out, "      ");
		print_wrapped(c->summary, 6, 6, out);
	}
	fprintf(out, "CONFIG defaults to $SLAMON_CONFIG or " CLI_CONFIG_DEFAULT
		     "\n'slamon COMMAND --help' lists every option of a "
		     "command\n'slamon --version' prints the version\n");
}

const struct cli_cmd *cli_find(const char *name)
{
	for (size_t i = 0; cli_commands[i] != NULL; i++)
		if (strcmp(cli_commands[i]->name, name) == 0)
			return cli_commands[i];
	return NULL;
}

int cli_parse_status(int rc)
{
	return rc == CLI_HELP ? 0 : 2;
}

/* The getopt_long table and short option string of cmd, --help added. A
 * leading ':' makes getopt_long return ':' for a missing argument. */
static int getopt_table(const struct cli_cmd *cmd, struct option *lo,
			char *so)
{
	size_t n = 0, k = 0;

	so[k++] = ':';
	for (const struct cli_opt *o = cmd->opts;; o++) {
		if (o->name == NULL)
			o = &help_opt;
		if (n == CLI_OPTS_MAX)
			return -E2BIG;
		lo[n++] = (struct option){ o->name,
					   o->arg ? required_argument
						  : no_argument,
					   NULL, o->key };
		if (o->key < 256) {
			so[k++] = (char)o->key;
			if (o->arg != NULL)
				so[k++] = ':';
		}
		if (o == &help_opt)
			break;
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	so[k] = '\0';
	return 0;
}

/* Prints "slamon CMD: <what> '<text>'" and the usage on stderr. */
static int usage_error(const struct cli_cmd *cmd, const char *what,
		       const char *text)
{
	fprintf(stderr, "slamon %s: %s%s%s%s\n", cmd->name, what,
		text ? " '" : "", text ? text : "", text ? "'" : "");
	cli_usage(cmd, stderr);
	return -EINVAL;
}

static int take_now(struct cli_ctx *ctx, const char *val)
{
	char *end;

	ctx->now = strtod(val, &end);
	if (end == val || *end != '\0' || ctx->now < 0) {
		fprintf(stderr, "slamon %s: --now '%s': expected seconds "
				"since the epoch\n",
			ctx->cmd->name, val);
		return -EINVAL;
	}
	return 0;
}

/* One option getopt_long returned: a shared one into ctx, the command's
 * own to set. */
static int take(struct cli_ctx *ctx, int key, const char *val,
		int (*set)(void *, int, const char *), void *arg)
{
	switch (key) {
	case CLI_KEY_HELP:
		cli_usage(ctx->cmd, stdout);
		return CLI_HELP;
	case CLI_KEY_CONFIG:
		ctx->config = val;
		return 0;
	case CLI_KEY_JSON:
		ctx->json = 1;
		return 0;
	case CLI_KEY_JOURNAL:
		ctx->journal = val;
		return 0;
	case CLI_KEY_PERIOD:
		ctx->period = val;
		return 0;
	case CLI_KEY_NOW:
		return take_now(ctx, val);
	case CLI_KEY_LANG:
		ctx->lang = val;
		if (strcmp(val, "zh") == 0 || strcmp(val, "en") == 0)
			return 0;
		return usage_error(ctx->cmd, "--lang is zh or en, not", val);
	default:
		return set != NULL ? set(arg, key, val) : -EINVAL;
	}
}

static void ctx_init(struct cli_ctx *ctx, const struct cli_cmd *cmd)
{
	const char *env = getenv("SLAMON_CONFIG");
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	memset(ctx, 0, sizeof(*ctx));
	ctx->cmd = cmd;
	ctx->config = env != NULL && *env ? env : CLI_CONFIG_DEFAULT;
	ctx->lang = "zh";
	ctx->now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The operands: exactly one when the command names one, else none. */
static int check_operands(const struct cli_ctx *ctx)
{
	const struct cli_cmd *cmd = ctx->cmd;
	char what[64];

	if (cmd->operand == NULL && ctx->nargs > 0)
		return usage_error(cmd, "unexpected operand", ctx->args[0]);
	if (cmd->operand != NULL && ctx->nargs != 1) {
		snprintf(what, sizeof(what), "expected one %s", cmd->operand);
		return usage_error(cmd, what, NULL);
	}
	return 0;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv,
	      struct cli_ctx *ctx,
	      int (*set)(void *arg, int key, const char *val), void *arg)
{
	struct option lo[CLI_OPTS_MAX + 1];
	char so[2 * CLI_OPTS_MAX + 2];
	int ch, rc;

	ctx_init(ctx, cmd);
	if (getopt_table(cmd, lo, so) < 0) {
		fprintf(stderr, "slamon %s: more than %d options\n", cmd->name,
			CLI_OPTS_MAX);
		return -E2BIG;
	}
	optind = 0; /* GNU: full re-initialisation; argv[0] is skipped */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (ch == '?' && optopt != 0 && optopt < 256) {
			char text[3] = { '-', (char)optopt, '\0' };

			return usage_error(cmd, "unknown option", text);
		}
		if (ch == '?')
			return usage_error(cmd, "unknown or ambiguous option",
					   argv[optind - 1]);
		if (ch == ':')
			return usage_error(cmd, "missing the argument of",
					   argv[optind - 1]);
		rc = take(ctx, ch, optarg, set, arg);
		if (rc != 0)
			return rc;
	}
	ctx->args = argv + optind;
	ctx->nargs = argc - optind;
	return check_operands(ctx);
}
