/*
 * test_cli.c - the command line's options and usage (cli/cli.c): every
 * command of cli_commands answers --help with its usage and every option
 * of its table, refuses an unknown option with the usage on stderr and
 * exit status 2, and accepts exactly the options its help lists. The
 * commands run in a forked child (cheap); the global usage runs the built
 * slamon.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "modules/modules.h"

#define SLAMON SLAMON_BIN_DIR "/slamon"
#define OUT_MAX (1 << 16)

struct result {
	int status;
	char out[OUT_MAX], err[OUT_MAX];
};

static struct result res;

static void setup(void)
{
	cr_assert_eq(modules_register(), 0);
}

static void slurp(int fd, char *buf)
{
	ssize_t n = pread(fd, buf, OUT_MAX - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Runs cmd (argv[0] its name) in a child, or exec's slamon with argv when
 * cmd is NULL; stdout and stderr into res. */
static void run(const struct cli_cmd *cmd, char **argv)
{
	char outp[] = "/tmp/slamon-cli-out-XXXXXX";
	char errp[] = "/tmp/slamon-cli-err-XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp), st, argc = 0;
	pid_t pid;

	cr_assert(ofd >= 0 && efd >= 0);
	unlink(outp);
	unlink(errp);
	while (argv[argc] != NULL)
		argc++;
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		if (cmd == NULL) {
			execv(SLAMON, argv);
			_exit(127);
		}
		st = cmd->run(cmd, argc, argv);
		fflush(NULL);
		_exit(st);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	res.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(ofd, res.out);
	slurp(efd, res.err);
}

/* argv of cmd: its name, then up to five arguments (NULL ends them). */
static void run_args(const struct cli_cmd *cmd, const char *a1,
		     const char *a2, const char *a3, const char *a4)
{
	const char *args[] = { a1, a2, a3, a4, NULL };
	char *argv[6] = { (char *)(uintptr_t)cmd->name };

	for (int i = 0; args[i] != NULL; i++)
		argv[i + 1] = (char *)(uintptr_t)args[i];
	run(cmd, argv);
}

/* A value each option accepts; the command stops at the --help after it. */
static const char *value_for(const struct cli_opt *o)
{
	if (strstr(o->arg, "zh|en") != NULL)
		return "en";
	if (strcmp(o->arg, "PREFIX") == 0)
		return "10.0.0.0/8";
	return "1";
}

static int in_table(const struct cli_cmd *cmd, const char *name, size_t len)
{
	if (len == 4 && strncmp(name, "help", 4) == 0)
		return 1;
	for (const struct cli_opt *o = cmd->opts; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return 1;
	return 0;
}

TestSuite(cli, .init = setup, .timeout = 120);

Test(cli, tables_are_sane)
{
	for (size_t i = 0; cli_commands[i] != NULL; i++) {
		const struct cli_cmd *c = cli_commands[i];
		size_t n = 0;

		cr_assert(c->name && c->synopsis && c->summary && c->opts &&
			  c->run, "%s", c->name);
		cr_expect_eq(cli_find(c->name), c);
		for (const struct cli_opt *o = c->opts; o->name; o++, n++) {
			cr_expect(o->help != NULL && o->help[0] != '\0');
			cr_expect(o->key >= 256 || (o->key > ' ' && o->key < 127),
				  "%s --%s: key %d", c->name, o->name, o->key);
			cr_expect(o->key != CLI_KEY_HELP &&
					  strcmp(o->name, "help") != 0,
				  "%s: --help is added, not listed", c->name);
			for (const struct cli_opt *p = c->opts; p != o; p++) {
				cr_expect(strcmp(p->name, o->name) != 0,
					  "%s: --%s twice", c->name, o->name);
				cr_expect(o->key < 256 || o->key != p->key ||
						  o->key == CLI_KEY_PERIOD,
					  "%s: --%s and --%s share a key",
					  c->name, p->name, o->name);
			}
		}
		cr_expect_lt(n, CLI_OPTS_MAX, "%s: too many options", c->name);
	}
	cr_expect_null(cli_find("nosuch"));
}

/* Every --option the synopsis (hand-written) names is in the table. */
Test(cli, synopsis_names_only_table_options)
{
	for (size_t i = 0; cli_commands[i] != NULL; i++) {
		const struct cli_cmd *c = cli_commands[i];

		for (const char *p = strstr(c->synopsis, "--"); p != NULL;
		     p = strstr(p + 2, "--")) {
			size_t len = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");

			cr_expect(in_table(c, p + 2, len),
				  "%s: synopsis names --%.*s", c->name,
				  (int)len, p + 2);
		}
	}
}

/* The option in a help line "  -c, --config CONFIG   text": its name. */
static int help_line_option(const char *line, const char **ret, size_t *len)
{
	const char *p;

	if (strncmp(line, "  -", 3) != 0 && strncmp(line, "      --", 8) != 0)
		return 0;
	p = strstr(line, "--");
	*ret = p + 2;
	*len = strcspn(p + 2, " \n");
	return 1;
}

Test(cli, help_lists_every_option_and_only_those)
{
	for (size_t i = 0; cli_commands[i] != NULL; i++) {
		const struct cli_cmd *c = cli_commands[i];
		char head[64], *line, *save = NULL;
		size_t listed = 0, n = 0, len;
		const char *name;

		run_args(c, "--help", NULL, NULL, NULL);
		cr_assert_eq(res.status, 0, "%s --help: %d", c->name,
			     res.status);
		cr_expect_str_empty(res.err, "%s", c->name);
		snprintf(head, sizeof(head), "usage: slamon %s", c->name);
		cr_expect(strncmp(res.out, head, strlen(head)) == 0, "%s",
			  res.out);
		cr_expect(strstr(res.out, c->summary) != NULL, "%s", res.out);
		for (const struct cli_opt *o = c->opts; o->name; o++, n++) {
			char want[128];

			if (o->key < 256)
				snprintf(want, sizeof(want), "-%c, --%s%s%s",
					 o->key, o->name, o->arg ? " " : "",
					 o->arg ? o->arg : "");
			else
				snprintf(want, sizeof(want), "    --%s%s%s",
					 o->name, o->arg ? " " : "",
					 o->arg ? o->arg : "");
			cr_expect(strstr(res.out, want) != NULL,
				  "%s --help lacks '%s':\n%s", c->name, want,
				  res.out);
		}
		cr_expect(strstr(res.out, "-h, --help") != NULL);
		for (line = strtok_r(res.out, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			if (!help_line_option(line, &name, &len))
				continue;
			listed++;
			cr_expect(in_table(c, name, len),
				  "%s --help lists --%.*s", c->name, (int)len,
				  name);
		}
		cr_expect_eq(listed, n + 1, "%s: %zu listed, %zu in the table",
			     c->name, listed, n);
	}
}

/* The generated getopt table takes each listed option (long and short
 * forms, with its argument), then stops at --help. */
Test(cli, accepts_every_listed_option)
{
	for (size_t i = 0; cli_commands[i] != NULL; i++) {
		const struct cli_cmd *c = cli_commands[i];

		for (const struct cli_opt *o = c->opts; o->name; o++) {
			char lng[64], shrt[3] = { '-', (char)o->key, '\0' };
			const char *v = o->arg ? value_for(o) : "--help";

			snprintf(lng, sizeof(lng), "--%s", o->name);
			run_args(c, lng, v, "--help", NULL);
			cr_expect_eq(res.status, 0, "%s %s %s --help: %d\n%s",
				     c->name, lng, v, res.status, res.err);
			if (o->key >= 256)
				continue;
			run_args(c, shrt, v, "--help", NULL);
			cr_expect_eq(res.status, 0, "%s %s %s --help: %d\n%s",
				     c->name, shrt, v, res.status, res.err);
		}
	}
}

/* Is name a prefix of an option of c? (getopt_long takes abbreviations.) */
static int abbreviates(const struct cli_cmd *c, const char *name)
{
	for (const struct cli_opt *o = c->opts; o->name != NULL; o++)
		if (strncmp(o->name, name, strlen(name)) == 0)
			return 1;
	return strncmp("help", name, strlen(name)) == 0;
}

/* An option of another command, or none at all: exit 2, the usage on
 * stderr, nothing on stdout. */
Test(cli, refuses_options_it_does_not_list)
{
	for (size_t i = 0; cli_commands[i] != NULL; i++) {
		const struct cli_cmd *c = cli_commands[i];
		char head[64];

		snprintf(head, sizeof(head), "usage: slamon %s", c->name);
		run_args(c, "--no-such-option", NULL, NULL, NULL);
		cr_expect_eq(res.status, 2, "%s: %d", c->name, res.status);
		cr_expect_str_empty(res.out, "%s", c->name);
		cr_expect(strstr(res.err, "--no-such-option") != NULL, "%s",
			  res.err);
		cr_expect(strstr(res.err, head) != NULL, "%s", res.err);
		for (size_t j = 0; cli_commands[j] != NULL; j++) {
			for (const struct cli_opt *o = cli_commands[j]->opts;
			     o->name != NULL; o++) {
				char lng[64];

				if (abbreviates(c, o->name))
					continue;
				snprintf(lng, sizeof(lng), "--%s", o->name);
				run_args(c, lng, "--help", NULL, NULL);
				cr_expect_eq(res.status, 2, "%s %s: %d",
					     c->name, lng, res.status);
			}
		}
	}
}

Test(cli, operands_and_shared_checks)
{
	run_args(&cli_cmd_ack, "--by", "x", NULL, NULL);
	cr_expect_eq(res.status, 2);
	cr_expect(strstr(res.err, "slamon ack: expected one fault ID") ==
			  res.err,
		  "%s", res.err);
	run_args(&cli_cmd_ack, "abc", "--by", "x", NULL);
	cr_expect_eq(res.status, 2);
	cr_expect(strstr(res.err, "'abc' is not a fault ID") != NULL, "%s",
		  res.err);
	run_args(&cli_cmd_faults, "extra", NULL, NULL, NULL);
	cr_expect_eq(res.status, 2);
	cr_expect(strstr(res.err, "unexpected operand 'extra'") != NULL);
	run_args(&cli_cmd_status, "--lang", "fr", NULL, NULL);
	cr_expect_eq(res.status, 2);
	cr_expect(strstr(res.err, "'fr'") != NULL, "%s", res.err);
	run_args(&cli_cmd_sla, "--nagios", "--bogus", NULL, NULL);
	cr_expect_eq(res.status, 3, "sla --nagios usage error is UNKNOWN");
	run_args(&cli_cmd_report, "--month", "2026-10", NULL, NULL);
	cr_expect_eq(res.status, 2);
	cr_expect(strstr(res.err, "--out DIR is required") != NULL);
}

Test(cli, global_usage_lists_every_command)
{
	char *help[] = { SLAMON, "--help", NULL };
	char *word[] = { SLAMON, "help", NULL };
	char *none[] = { SLAMON, NULL };
	char *bad[] = { SLAMON, "nosuch", NULL };
	char *one[] = { SLAMON, "help", "sla", NULL };
	char *ver[] = { SLAMON, "version", NULL };

	run(NULL, help);
	cr_assert_eq(res.status, 0, "%s", res.err);
	cr_expect(strncmp(res.out, "usage: slamon COMMAND", 21) == 0);
	for (size_t i = 0; cli_commands[i] != NULL; i++) {
		char line[64];

		snprintf(line, sizeof(line), "\n  %s", cli_commands[i]->name);
		cr_expect(strstr(res.out, line) != NULL, "%s", line);
		cr_expect(strstr(res.out, cli_commands[i]->summary) != NULL);
	}
	run(NULL, word);
	cr_expect_eq(res.status, 0);
	run(NULL, none);
	cr_expect_eq(res.status, 2);
	cr_expect(strncmp(res.err, "usage: slamon COMMAND", 21) == 0);
	run(NULL, bad);
	cr_expect_eq(res.status, 2);
	cr_expect(strstr(res.err, "unknown command 'nosuch'") != NULL);
	run(NULL, one);
	cr_expect_eq(res.status, 0);
	cr_expect(strncmp(res.out, "usage: slamon sla", 17) == 0);
	run(NULL, ver);
	cr_expect_eq(res.status, 0);
	cr_expect(strncmp(res.out, "slamon ", 7) == 0 &&
			  res.out[7] >= '0' && res.out[7] <= '9',
		  "%s", res.out);
}
