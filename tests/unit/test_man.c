/*
 * test_man.c - the manual pages (man/NAME.in, configured into the build
 * tree): each renders with `man --warnings` without a warning and within
 * 80 columns; slamon(1) documents every command of cli_commands and every
 * option its `slamon CMD --help` lists; slamond(8) every option of
 * `slamond --help`; slamon.conf(5) every section and key of
 * docs/config.md, slamon-inventory(5) every inventory column and role;
 * both programs print the project version; the install rules put the
 * pages into the man sections. The pages are read as roff source: an
 * option or key counts as documented when it is in the tag (the line after
 * .TP or .TQ) of an entry in its command's or section's block (.SS).
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <wchar.h>

#include "cli/cli.h"

#define OUT_MAX (1 << 20) /* of a command's output or a file */
#define TAGS_MAX 512

static const char *const pages[] = { "slamon.1", "slamon.conf.5",
				     "slamon-inventory.5", "slamond.8" };

/* Output of the shell command cmd (stdout only), NUL-terminated; *status
 * gets its exit status (-1 if it did not exit). The caller frees it. */
static char *run_out(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	char *buf = calloc(OUT_MAX + 1, 1);
	size_t n = 0, got;
	int st;

	cr_assert_not_null(p, "popen %s", cmd);
	cr_assert_not_null(buf);
	while (n < OUT_MAX && (got = fread(buf + n, 1, OUT_MAX - n, p)) > 0)
		n += got;
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(OUT_MAX + 1, 1);

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_not_null(buf);
	if (fread(buf, 1, OUT_MAX, f) == 0)
		cr_assert(!ferror(f), "cannot read %s", path);
	fclose(f);
	return buf;
}

static char *page_source(const char *page)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/man/%s", SLAMON_BIN_DIR, page);
	return slurp(path);
}

/* Appends the text of one roff argument (escapes resolved: font changes
 * and \& dropped; \- \~ \(aq \(dq \e become - space ' " \) to out. */
static size_t plain_arg(const char *p, size_t n, char *out, size_t k,
			size_t len)
{
	for (const char *end = p + n; p < end && k + 1 < len; p++) {
		if (*p != '\\') {
			out[k++] = *p;
			continue;
		}
		if (++p == end)
			break;
		if (*p == 'f') { /* \fB, \fP, \f(CW, \f[B] */
			p++;
			if (p < end && *p == '(')
				p += 2;
			else if (p < end && *p == '[')
				p += strcspn(p, "]");
		} else if (*p == '(') { /* \(aq \(dq ... */
			out[k++] = strncmp(p + 1, "aq", 2) == 0	  ? '\''
				   : strncmp(p + 1, "dq", 2) == 0 ? '"'
								  : '?';
			p += 2;
		} else if (*p == '-' || *p == '~') {
			out[k++] = *p == '-' ? '-' : ' ';
		} else if (*p == 'e') {
			out[k++] = '\\';
		} /* \& and the others: nothing */
	}
	out[k] = '\0';
	return k;
}

/* The text of one roff line as man renders it: a request's arguments
 * (quoted or blank-separated) joined by blanks, or with nothing between
 * them for the alternating-font macros (.BI, .BR, .IB, .IR, .RB, .RI). */
static void plain(const char *line, char *out, size_t len)
{
	const char *p = line;
	size_t k = 0;
	int alt = 0;

	out[0] = '\0';
	if (*p != '.') {
		plain_arg(p, strcspn(p, "\n"), out, 0, len);
		return;
	}
	alt = strchr("BIR", p[1]) != NULL && strchr("BIR", p[2]) != NULL &&
	      p[1] != '\0' && p[2] != '\0' && p[3] == ' ';
	p += strcspn(p, " \n");
	while (*p == ' ') {
		size_t n;

		p += strspn(p, " ");
		if (*p == '\n' || *p == '\0')
			break;
		if (k > 0 && !alt && k + 1 < len)
			out[k++] = ' ';
		if (*p == '"') {
			n = strcspn(p + 1, "\"\n");
			k = plain_arg(p + 1, n, out, k, len);
			p += 1 + n + (p[1 + n] == '"');
		} else {
			n = strcspn(p, " \n");
			k = plain_arg(p, n, out, k, len);
			p += n;
		}
	}
}

/* The lines of src from the heading (a ".SS" or ".SH" line whose plain
 * text is heading, or starts with it and a blank when prefix is set) to
 * the next .SS or .SH (the next .SH for an .SH heading), as pointers into
 * src: [*ret_start, *ret_end). Returns 0, -1 when there is no such
 * heading. */
static int block_of(const char *src, const char *req, const char *heading,
		    const char **ret_start, const char **ret_end)
{
	size_t rl = strlen(req), hl = strlen(heading);
	char text[256];

	for (const char *l = src; *l; l = strchr(l, '\n') + 1) {
		const char *e;

		if (strncmp(l, req, rl) != 0 || l[rl] != ' ')
			goto next;
		plain(l, text, sizeof(text));
		if (strncmp(text, heading, hl) != 0 ||
		    (text[hl] != '\0' && text[hl] != ' '))
			goto next;
		*ret_start = l;
		for (e = strchr(l, '\n'); e && e[1]; e = strchr(e + 1, '\n'))
			if (strncmp(e + 1, ".SH", 3) == 0 ||
			    (strcmp(req, ".SS") == 0 &&
			     strncmp(e + 1, ".SS", 3) == 0))
				break;
		*ret_end = e ? e + 1 : l + strlen(l);
		return 0;
next:
		if (strchr(l, '\n') == NULL)
			break;
	}
	return -1;
}

/* The tags of [start, end): the plain text of each line after a .TP or
 * .TQ. Returns their count; the caller frees each. */
static size_t tags_of(const char *start, const char *end, char **tags)
{
	size_t n = 0;
	char text[512];

	for (const char *l = start; l < end && n < TAGS_MAX;
	     l = strchr(l, '\n') + 1) {
		if (strncmp(l, ".TP\n", 4) == 0 ||
		    strncmp(l, ".TQ\n", 4) == 0) {
			plain(strchr(l, '\n') + 1, text, sizeof(text));
			tags[n++] = strdup(text);
		}
		if (strchr(l, '\n') == NULL)
			break;
	}
	return n;
}

static void tags_free(char **tags, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tags[i]);
}

/* Whether option opt ("--name" or "-x") is a word of one of the tags. */
static int tags_have_option(char **tags, size_t n, const char *opt)
{
	size_t len = strlen(opt);

	for (size_t i = 0; i < n; i++)
		for (const char *p = strstr(tags[i], opt); p;
		     p = strstr(p + 1, opt)) {
			char after = p[len];
			int start = p == tags[i] || p[-1] == ' ';

			if (start && after != '-' && after != '_' &&
			    (after < 'a' || after > 'z') &&
			    (after < '0' || after > '9'))
				return 1;
		}
	return 0;
}

/* Whether a tag starts with key and then a blank or its end. */
static const char *tags_key(char **tags, size_t n, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; i < n; i++)
		if (strncmp(tags[i], key, len) == 0 &&
		    (tags[i][len] == ' ' || tags[i][len] == '\0'))
			return tags[i];
	return NULL;
}

/* Calls found(long, short, arg) for each option line of a --help text:
 * "  -c, --config FILE ..." or "      --json ..." (slamon) and
 * "  --cycles N ..." (slamond). short is 0 when there is none. */
static size_t help_options(const char *help,
			   void (*found)(const char *, char, void *),
			   void *arg)
{
	size_t n = 0;

	for (const char *l = help; *l; l = strchr(l, '\n') + 1) {
		const char *p = l + strspn(l, " ");
		char name[64], shrt = 0;
		size_t ind = (size_t)(p - l), k;

		if (ind >= 2 && ind <= 6 && p[0] == '-' && p[1] != '-' &&
		    p[2] == ',') {
			shrt = p[1];
			p += 3 + strspn(p + 3, " ");
		}
		if (ind >= 2 && ind <= 6 && strncmp(p, "--", 2) == 0) {
			k = strspn(p, "-abcdefghijklmnopqrstuvwxyz0123456789");
			cr_assert_lt(k, sizeof(name));
			memcpy(name, p, k);
			name[k] = '\0';
			found(name, shrt, arg);
			n++;
		}
		if (strchr(l, '\n') == NULL)
			break;
	}
	return n;
}

static int have_man(void)
{
	return system("command -v man >/dev/null 2>&1") == 0;
}

/* Display columns of a UTF-8 line (C.UTF-8: CJK takes two). */
static int columns(const char *line, size_t len)
{
	mbstate_t st;
	int w = 0;

	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < len;) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, line + i, len - i, &st);

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			return 9999;
		w += wcwidth(wc) > 0 ? wcwidth(wc) : 0;
		i += k;
	}
	return w;
}

TestSuite(man, .timeout = 120);

Test(man, every_page_renders_without_warnings_in_80_columns)
{
	if (!have_man())
		cr_skip_test("man(1) is missing (Debian man-db, installed by "
			     "scripts/install-deps.sh): pages not rendered");
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char cmd[1024];
		char *err, *out;
		int st;

		/* C.UTF-8 as lintian renders (the pages hold Chinese) */
		snprintf(cmd, sizeof(cmd),
			 "cd '%s/man' && LC_ALL=C.UTF-8 MANWIDTH=80 "
			 "man --warnings -l %s 2>&1 >/dev/null",
			 SLAMON_BIN_DIR, pages[i]);
		err = run_out(cmd, &st);
		cr_expect_eq(st, 0, "%s", cmd);
		cr_expect_str_empty(err, "%s: man --warnings said:\n%s",
				    pages[i], err);
		free(err);
		snprintf(cmd, sizeof(cmd),
			 "cd '%s/man' && LC_ALL=C.UTF-8 MANWIDTH=80 "
			 "man -l %s 2>/dev/null",
			 SLAMON_BIN_DIR, pages[i]);
		out = run_out(cmd, &st);
		cr_expect_gt(strlen(out), 1000, "%s rendered to nothing",
			     pages[i]);
		for (const char *l = out; *l; l = strchr(l, '\n') + 1) {
			size_t len = strcspn(l, "\n");

			cr_expect_leq(columns(l, len), 80, "%s: wider than 80 "
				      "columns: %.*s", pages[i], (int)len, l);
			if (l[len] == '\0')
				break;
		}
		free(out);
	}
	setlocale(LC_ALL, "C");
}

struct opt_check {
	char **tags;
	size_t ntags;
	char **common;
	size_t ncommon;
	const char *where;
};

static void check_option(const char *name, char shrt, void *arg)
{
	struct opt_check *c = arg;
	char s[3] = { '-', shrt, '\0' };
	/* --help is documented once, under COMMON OPTIONS */
	int help = strcmp(name, "--help") == 0 && c->common != NULL;
	char **tags = help ? c->common : c->tags;
	size_t n = help ? c->ncommon : c->ntags;

	cr_expect(tags_have_option(tags, n, name),
		  "%s: option %s of --help has no .TP entry", c->where, name);
	if (shrt != 0)
		cr_expect(tags_have_option(tags, n, s),
			  "%s: short option %s of --help has no .TP entry",
			  c->where, s);
}

Test(man, slamon_1_documents_every_command_and_option_of_its_help)
{
	char *src = page_source("slamon.1");
	char *common[TAGS_MAX], *tags[TAGS_MAX];
	const char *s, *e;
	size_t ncommon;

	cr_assert_eq(block_of(src, ".SH", "COMMON OPTIONS", &s, &e), 0);
	ncommon = tags_of(s, e, common);
	for (size_t i = 0; cli_commands[i] != NULL; i++) {
		const struct cli_cmd *cmd = cli_commands[i];
		struct opt_check c = { tags, 0, common, ncommon, NULL };
		char shell[1024], where[128];
		char *help;
		int st;

		snprintf(where, sizeof(where), "slamon.1, %s", cmd->name);
		c.where = where;
		if (block_of(src, ".SS", cmd->name, &s, &e) < 0) {
			cr_expect_fail("slamon.1 has no \".SS %s\" block",
				       cmd->name);
			continue;
		}
		c.ntags = tags_of(s, e, tags);
		snprintf(shell, sizeof(shell), "'%s' %s --help",
			 SLAMON_PROGRAM, cmd->name);
		help = run_out(shell, &st);
		cr_expect_eq(st, 0, "%s", shell);
		/* at least --help: the parser still reads the help */
		cr_expect_geq(help_options(help, check_option, &c), 1,
			      "%s: no option read from:\n%s", shell, help);
		/* the exit status is part of every command's entry */
		cr_expect(memmem(s, (size_t)(e - s), "Exit status", 11) != NULL,
			  "%s: no exit status", where);
		free(help);
		tags_free(tags, c.ntags);
	}
	tags_free(common, ncommon);
	free(src);
}

Test(man, slamond_8_documents_every_option_of_its_help)
{
	char *src = page_source("slamond.8");
	char *tags[TAGS_MAX];
	struct opt_check c = { tags, 0, NULL, 0, "slamond.8, OPTIONS" };
	char shell[1024];
	const char *s, *e;
	char *help;
	int st;

	cr_assert_eq(block_of(src, ".SH", "OPTIONS", &s, &e), 0);
	c.ntags = tags_of(s, e, tags);
	snprintf(shell, sizeof(shell), "'%s' --help", SLAMOND_PROGRAM);
	help = run_out(shell, &st);
	cr_expect_eq(st, 0);
	cr_expect_geq(help_options(help, check_option, &c), 6,
		      "no options read from:\n%s", help);
	free(help);
	tags_free(tags, c.ntags);
	free(src);
}

/* docs/config.md, as the reference the pages follow. */
static char *config_md(void)
{
	return slurp(SLAMON_SOURCE_DIR "/docs/config.md");
}

/* The backticked words of line: calls found(word, arg) for each, up to
 * the end of the line, or up to the first ')' (over line ends) when
 * stop_paren is set. */
static void backticked(const char *line, int stop_paren,
		       void (*found)(const char *, void *), void *arg)
{
	char word[128];

	for (const char *p = line; *p && (stop_paren || *p != '\n'); p++) {
		const char *q;

		if (stop_paren && *p == ')')
			break;
		if (*p != '`')
			continue;
		q = strchr(p + 1, '`');
		if (q == NULL || (size_t)(q - p - 1) >= sizeof(word))
			break;
		memcpy(word, p + 1, (size_t)(q - p - 1));
		word[q - p - 1] = '\0';
		found(word, arg);
		p = q;
	}
}

struct key_check {
	char **tags;
	size_t ntags;
	const char *section;
	size_t nkeys;
};

static void check_key(const char *key, void *arg)
{
	struct key_check *c = arg;

	c->nkeys++;
	cr_expect(tags_key(c->tags, c->ntags, key) != NULL,
		  "slamon.conf.5, %s: key '%s' of docs/config.md has no .TP "
		  "entry \"%s = ...\"",
		  c->section, key, key);
}

/* For one "### `[section]`" of docs/config.md at md (up to the next
 * heading): its keys, from the rows of tables whose first column is "key"
 * and from a "Keys (`a`, `b`, ...)" sentence, checked against c->tags. */
static void md_section_keys(const char *md, struct key_check *c)
{
	int in_key_table = 0;

	for (const char *l = strchr(md, '\n') + 1; *l && strncmp(l, "#", 1);
	     l = strchr(l, '\n') + 1) {
		char cell[64];
		const char *keys = strstr(l, "Keys (");

		if (strncmp(l, "| key |", 7) == 0)
			in_key_table = 1;
		else if (l[0] != '|')
			in_key_table = 0;
		else if (in_key_table && strncmp(l, "| `", 3) == 0 &&
			 sscanf(l, "| `%63[^`]`", cell) == 1)
			check_key(cell, c);
		/* the list may wrap: read up to its ')' */
		if (keys != NULL && keys < strchr(l, '\n'))
			backticked(keys, 1, check_key, c);
		if (strchr(l, '\n') == NULL)
			break;
	}
}

Test(man, slamon_conf_5_documents_every_section_and_key_of_config_md)
{
	char *md = config_md(), *src = page_source("slamon.conf.5");
	size_t nsections = 0, nkeys = 0;

	for (const char *l = md; *l; l = strchr(l, '\n') + 1) {
		char section[64], *tags[TAGS_MAX];
		struct key_check c = { tags, 0, section, 0 };
		const char *s, *e;

		if (sscanf(l, "### `%63[^`]`", section) != 1 ||
		    section[0] != '[')
			goto next;
		nsections++;
		if (block_of(src, ".SS", section, &s, &e) < 0) {
			cr_expect_fail("slamon.conf.5 has no \".SS %s\" block "
				       "(docs/config.md has one)",
				       section);
			goto next;
		}
		c.ntags = tags_of(s, e, tags);
		md_section_keys(l, &c);
		nkeys += c.nkeys;
		tags_free(tags, c.ntags);
next:
		if (strchr(l, '\n') == NULL)
			break;
	}
	/* a docs/config.md the parser no longer reads must not pass */
	cr_expect_geq(nsections, 9, "sections read from docs/config.md: %zu",
		      nsections);
	cr_expect_geq(nkeys, 85, "keys read from docs/config.md: %zu", nkeys);
	free(src);
	free(md);
}

struct word_check {
	char *text;
	size_t n;
};

static void check_role(const char *role, void *arg)
{
	struct word_check *c = arg;

	if (role[0] == '[') /* `[intervals]` */
		return;
	c->n++;
	cr_expect(strstr(c->text, role) != NULL,
		  "slamon-inventory.5, ROLES: role %s is missing", role);
}

Test(man, slamon_inventory_5_documents_every_column_and_role)
{
	char *md = config_md(), *src = page_source("slamon-inventory.5");
	const char *inv = strstr(md, "\n## Inventory"), *s, *e;
	const char *roles = strstr(md, "\n### Roles");
	struct word_check rc = { NULL, 0 };
	char *tags[TAGS_MAX];
	size_t ntags, ncols = 0;

	cr_assert_not_null(inv);
	cr_assert_not_null(roles);
	cr_assert_eq(block_of(src, ".SH", "COLUMNS", &s, &e), 0);
	ntags = tags_of(s, e, tags);
	for (const char *l = strstr(inv, "\n| column |"); l && l[1] == '|';
	     l = strchr(l + 1, '\n')) {
		char col[64], zh[64];
		const char *tag;

		if (sscanf(l + 1, "| `%63[^`]` | %63[^ |]", col, zh) != 2)
			continue;
		ncols++;
		tag = tags_key(tags, ntags, col);
		cr_expect_not_null(tag, "slamon-inventory.5: column %s has no "
			       ".TP entry", col);
		if (tag != NULL)
			cr_expect(strstr(tag, zh) != NULL, "slamon-inventory.5:"
				  " column %s without its header %s", col, zh);
	}
	cr_expect_eq(ncols, 10, "columns read from docs/config.md: %zu", ncols);
	tags_free(tags, ntags);
	/* the roles paragraph: `backbone` (骨干), ... up to the blank line */
	cr_assert_eq(block_of(src, ".SH", "ROLES", &s, &e), 0);
	rc.text = strndup(s, (size_t)(e - s));
	roles = strchr(roles + 1, '\n') + 1;
	roles += strspn(roles, "\n");
	for (const char *l = roles; *l && *l != '\n';
	     l = strchr(l, '\n') + 1) {
		if (*l != '\n')
			backticked(l, 0, check_role, &rc);
		if (strchr(l, '\n') == NULL)
			break;
	}
	cr_expect_eq(rc.n, 11, "roles read from docs/config.md: %zu", rc.n);
	free(rc.text);
	free(src);
	free(md);
}

/* The version of project() in the top CMakeLists.txt. */
static void project_version(char *buf, size_t len)
{
	char *top = slurp(SLAMON_SOURCE_DIR "/CMakeLists.txt");
	const char *p = strstr(top, "project(slamon VERSION ");
	int n;

	cr_assert_not_null(p);
	p += strlen("project(slamon VERSION ");
	n = (int)strcspn(p, " )");
	snprintf(buf, len, "%.*s", n, p);
	free(top);
}

Test(man, version_options_print_the_project_version)
{
	static const struct {
		const char *prog, *args, *name;
	} runs[] = {
		{ SLAMOND_PROGRAM, "--version", "slamond" },
		{ SLAMOND_PROGRAM, "-V", "slamond" },
		{ SLAMON_PROGRAM, "--version", "slamon" },
		{ SLAMON_PROGRAM, "-V", "slamon" },
		{ SLAMON_PROGRAM, "version", "slamon" },
	};
	char version[32], want[64];

	project_version(version, sizeof(version));
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		char shell[1024];
		char *out;
		int st;

		snprintf(shell, sizeof(shell), "'%s' %s", runs[i].prog,
			 runs[i].args);
		snprintf(want, sizeof(want), "%s %s\n", runs[i].name, version);
		out = run_out(shell, &st);
		cr_expect_eq(st, 0, "%s", shell);
		cr_expect_str_eq(out, want, "%s", shell);
		free(out);
	}
	/* and the pages' headers */
	snprintf(want, sizeof(want), "\"slamon %s\"", version);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char *src = page_source(pages[i]);
		const char *th = strstr(src, "\n.TH ");

		cr_expect(th != NULL && strstr(th, want) != NULL &&
				  strstr(th, want) < strchr(th + 1, '\n'),
			  "%s: .TH without %s", pages[i], want);
		free(src);
	}
}

Test(man, install_puts_the_pages_into_their_sections)
{
	char dir[] = "/tmp/slamon-man-XXXXXX", cmd[2048], path[1024];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "DESTDIR='%s' '%s' --install '%s' --component man "
		 "--prefix /usr >/dev/null",
		 dir, CMAKE_PROGRAM, SLAMON_BIN_DIR);
	cr_expect_eq(system(cmd), 0, "%s", cmd);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct stat sb;
		const char *sect = strrchr(pages[i], '.') + 1;
		char *inst, *built;

		snprintf(path, sizeof(path), "%s/usr/share/man/man%s/%s", dir,
			 sect, pages[i]);
		if (stat(path, &sb) != 0) {
			cr_expect_fail("not installed: %s", path);
			continue;
		}
		inst = slurp(path);
		built = page_source(pages[i]);
		cr_expect_str_eq(inst, built, "%s", path);
		cr_expect_null(strstr(inst, "@PROJECT_VERSION@"), "%s", path);
		free(inst);
		free(built);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}
