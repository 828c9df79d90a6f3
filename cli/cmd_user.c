/*
 * cmd_user.c - `slamon user add|passwd|del|list`: the web console's users
 * file ([web] users_file, web/users.h): names, roles (viewer, operator,
 * admin) and argon2id hashes. There is no default user and no default
 * password. The password comes from a prompt on the terminal (asked
 * twice, not echoed) or, with --password-stdin, from the first line of
 * standard input (scripts, the demo). slamond reads the file again on
 * SIGHUP.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "web/users.h"
#include "web/web_config.h"

enum { O_ROLE = CLI_KEY_OWN, O_STDIN, O_USERS };

struct user_args {
	const char *role, *users;
	int pw_stdin;
};

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	{ "users", O_USERS, "FILE",
	  "the users file (default: the configuration's [web] users_file)" },
	{ "role", O_ROLE, "viewer|operator|admin",
	  "add: the user's role (required); passwd: change it too" },
	{ "password-stdin", O_STDIN, NULL,
	  "read the password from the first line of standard input instead "
	  "of a prompt" },
	CLI_OPT_JSON,
	CLI_OPT_END,
};

static int set(void *arg, int key, const char *val)
{
	struct user_args *a = arg;

	if (key == O_ROLE) {
		a->role = val; /* checked after parsing (--help first) */
	} else if (key == O_STDIN) {
		a->pw_stdin = 1;
	} else if (key == O_USERS) {
		a->users = val;
	}
	return 0;
}

static int read_line(FILE *f, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, f) == NULL)
		return -1;
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

/* Asks on the terminal without echo. */
static int prompt(const char *what, char *buf, size_t len)
{
	FILE *tty = fopen("/dev/tty", "r+");
	struct termios old, quiet;
	int rc;

	if (tty == NULL) {
		fprintf(stderr, "slamon user: no terminal to ask for the "
				"password (use --password-stdin)\n");
		return -1;
	}
	fprintf(tty, "%s", what);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	rc = read_line(tty, buf, len);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fprintf(tty, "\n");
	fclose(tty);
	return rc;
}

static int get_password(const struct user_args *a, char *buf, size_t len)
{
	char again[256];

	if (a->pw_stdin) {
		if (read_line(stdin, buf, len) < 0) {
			fprintf(stderr, "slamon user: no password on standard "
					"input\n");
			return -1;
		}
	} else {
		if (prompt("Password / 密码: ", buf, len) < 0 ||
		    prompt("Again / 再次输入: ", again, sizeof(again)) < 0)
			return -1;
		if (strcmp(buf, again) != 0) {
			fprintf(stderr, "slamon user: the passwords differ\n");
			return -1;
		}
	}
	if (strlen(buf) < 8) {
		fprintf(stderr, "slamon user: a password has at least 8 "
				"characters\n");
		return -1;
	}
	return 0;
}

static int users_path(const struct cli_ctx *ctx, const struct user_args *a,
		      char *out, size_t len)
{
	struct config *cfg = NULL;

	if (a->users != NULL) {
		snprintf(out, len, "%s", a->users);
		return 0;
	}
	if (cli__config_load(ctx->config, &cfg) < 0)
		return -1;
	snprintf(out, len, "%s", web_config(cfg)->users_file);
	config_destroy(cfg);
	return 0;
}

static int list(const struct cli_ctx *ctx, const struct web_user *u,
		size_t n)
{
	if (ctx->json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s{\"user\":\"%s\",\"role\":\"%s\"}",
			       i ? "," : "", u[i].name,
			       web_role_name(u[i].role));
		printf("]\n");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		printf("%-24s %s\n", u[i].name, web_role_name(u[i].role));
	return 0;
}

static int change(const char *action, const char *path, const char *name,
		  const struct user_args *a, struct web_user *u, size_t n)
{
	struct web_user *v = NULL;
	char pw[256], err[512];

	for (size_t i = 0; i < n; i++)
		if (strcmp(u[i].name, name) == 0)
			v = &u[i];

	if (strcmp(action, "add") == 0 && v != NULL) {
		fprintf(stderr, "slamon user: %s already exists (passwd "
				"changes the password)\n",
			name);
		return 1;
	}
	if (strcmp(action, "add") != 0 && v == NULL) {
		fprintf(stderr, "slamon user: no user %s in %s\n", name, path);
		return 1;
	}
	if (strcmp(action, "del") == 0) {
		*v = u[--n];
	} else {
		if (strcmp(action, "add") == 0) {
			if (a->role == NULL) {
				fprintf(stderr, "slamon user add: --role "
						"viewer|operator|admin is "
						"required\n");
				return 2;
			}
			v = &u[n++];
			memset(v, 0, sizeof(*v));
			snprintf(v->name, sizeof(v->name), "%s", name);
		}
		if (a->role != NULL)
			v->role = (enum web_role)web_role_parse(a->role);
		if (get_password(a, pw, sizeof(pw)) < 0)
			return 2;
		if (web_password_hash(pw, v->hash, sizeof(v->hash)) < 0) {
			memset(pw, 0, sizeof(pw));
			fprintf(stderr, "slamon user: cannot hash the "
					"password\n");
			return 2;
		}
		memset(pw, 0, sizeof(pw));
	}
	if (web_users_save(path, u, n, err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon user: %s\n", err);
		return 2;
	}
	printf("%s: %s %s\n", path, action, name);
	return 0;
}

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct user_args a = { 0 };
	struct cli_cmd c = *cmd;
	struct cli_ctx ctx;
	struct web_user *u = NULL, *nu;
	const char *action = argc > 1 ? argv[1] : "";
	char path[4096], err[512];
	size_t n = 0;
	int rc;

	if (strcmp(action, "add") != 0 && strcmp(action, "passwd") != 0 &&
	    strcmp(action, "del") != 0 && strcmp(action, "list") != 0) {
		/* no action: --help (or an option error) still works */
		c.operand = NULL;
		rc = cli_parse(&c, argc, argv, &ctx, set, &a);
		if (rc != 0)
			return cli_parse_status(rc);
		fprintf(stderr, "slamon user: expected add, passwd, del or "
				"list\n");
		return 2;
	}
	argc--;
	argv++;
	if (strcmp(action, "list") == 0)
		c.operand = NULL;
	rc = cli_parse(&c, argc, argv, &ctx, set, &a);
	if (rc != 0)
		return cli_parse_status(rc);
	if (a.role != NULL && web_role_parse(a.role) < 0) {
		fprintf(stderr, "slamon user: --role '%s': viewer, operator "
				"or admin\n",
			a.role);
		return 2;
	}
	if (c.operand != NULL && !web_user_name_ok(ctx.args[0])) {
		fprintf(stderr, "slamon user: bad user name '%s' (1-63 of "
				"A-Z a-z 0-9 . _ -)\n",
			ctx.args[0]);
		return 2;
	}
	if (users_path(&ctx, &a, path, sizeof(path)) < 0)
		return 2;
	rc = web_users_load(path, &u, &n, err, sizeof(err));
	if (rc == -ENOENT && strcmp(action, "add") == 0) {
		rc = 0;
	} else if (rc < 0) {
		fprintf(stderr, "slamon user: %s\n", err);
		return 2;
	}
	if (c.operand == NULL) {
		rc = list(&ctx, u, n);
		free(u);
		return rc;
	}
	nu = realloc(u, (n + 1) * sizeof(*u));
	if (nu == NULL) {
		free(u);
		fprintf(stderr, "slamon user: out of memory\n");
		return 2;
	}
	rc = change(action, path, ctx.args[0], &a, nu, n);
	free(nu);
	return rc;
}

const struct cli_cmd cli_cmd_user = {
	.name = "user",
	.synopsis = "add NAME --role ROLE | passwd NAME [--role ROLE] | "
		    "del NAME | list  [--users FILE] [--password-stdin]",
	.operand = "user NAME",
	.summary = "manage the web console's users (argon2id hashes, roles)",
	.summary_zh = "管理 Web 控制台用户",
	.notes = "roles: viewer (read), operator (+ acknowledge and close "
		 "faults), admin (+ generate reports). No default user, no "
		 "default password; slamond re-reads the file on SIGHUP.\n"
		 "exit status: 0 done; 1 refused (user exists, no such "
		 "user); 2 usage, password or file error",
	.opts = opts,
	.run = run,
};
