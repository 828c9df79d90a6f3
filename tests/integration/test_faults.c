/*
 * test_faults.c - the fault journal survives kill -9 at any moment: a child
 * process runs open/ack/resolve/close loops and reports each committed step
 * on a pipe; the test kills it at a random moment, 30 times, and then
 * checks that the journal passes journal_check() and holds everything that
 * was reported (nothing lost, nothing duplicated). Also the CLI commands
 * faults/ack/close on that journal.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "cli/cli.h"
#include "storage/journal.h"

#define ROUNDS 30
#define OBJECTS 8
#define MAX_IDS 20000

static char dir[4096];
static char db[4200];

static void setup(void)
{
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-faults-"), 0);
	snprintf(db, sizeof(db), "%s/faults.db", dir);
}

static void teardown(void)
{
	tmpdir_remove(dir);
}

TestSuite(faults, .init = setup, .fini = teardown, .timeout = 300);

static void say(int fd, char what, long long id)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%c %lld\n", what, id);

	if (write(fd, line, (size_t)n) != n)
		_exit(5);
}

/* The child: endless open/ack/resolve/close over OBJECTS objects; each
 * step is reported only after the journal call returned 0. */
static void child_loop(int fd, int round)
{
	struct journal *j;
	char err[256];
	double t = 1700000000.0 + round * 100000.0;

	if (journal_open(db, &j, err, sizeof(err)) < 0)
		_exit(2);
	for (long i = 0;; i++) {
		struct fault f;
		int64_t id;
		int created;

		memset(&f, 0, sizeof(f));
		snprintf(f.object, sizeof(f.object), "ap-%ld", i % OBJECTS);
		snprintf(f.object_kind, sizeof(f.object_kind), "device");
		snprintf(f.kind, sizeof(f.kind), "down");
		snprintf(f.severity, sizeof(f.severity), "minor");
		t += 1;
		f.first_fail_t = t;
		f.detect_t = t + 1;
		f.deadline_t = t + 1800;
		if (journal_fault_open(j, &f, &id, &created, err,
				       sizeof(err)) < 0)
			_exit(3);
		say(fd, created ? 'O' : 'E', id);
		if (journal_fault_ack(j, id, t + 2, "op", NULL, err,
				      sizeof(err)) == 0)
			say(fd, 'A', id);
		if (i % 3 == 0)
			continue; /* leave some active across the kill */
		if (journal_fault_resolve(j, id, t + 3, err, sizeof(err)) == 0)
			say(fd, 'R', id);
		if (i % 2 == 0 &&
		    journal_fault_close(j, id, t + 4, "fixed", "满意", err,
					sizeof(err)) == 0)
			say(fd, 'C', id);
	}
}

/* What the children reported, per fault id: bit 1 opened, 2 acked,
 * 4 resolved, 8 closed. */
static unsigned char seen[MAX_IDS];

static void parse_reports(const char *buf)
{
	const char *p = buf;
	char what;
	long long id;
	int used;

	while (sscanf(p, "%c %lld\n%n", &what, &id, &used) == 2) {
		p += used;
		if (id <= 0 || id >= MAX_IDS)
			continue;
		if (what == 'O' || what == 'E')
			seen[id] |= 1;
		else if (what == 'A')
			seen[id] |= 2;
		else if (what == 'R')
			seen[id] |= 4;
		else if (what == 'C')
			seen[id] |= 8;
	}
}

/* One round: start the child, let it run a random 5..80 ms, kill -9,
 * collect its reports. */
static void one_round(int round)
{
	static char buf[1 << 20];
	size_t have = 0;
	int pfd[2], st;
	pid_t pid;
	struct timespec ts;

	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		child_loop(pfd[1], round);
		_exit(0);
	}
	close(pfd[1]);
	ts.tv_sec = 0;
	ts.tv_nsec = (5 + rand() % 76) * 1000000L;
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		  "child exited early (status %d)", st);
	for (;;) {
		ssize_t n = read(pfd[0], buf + have, sizeof(buf) - 1 - have);

		if (n <= 0)
			break;
		have += (size_t)n;
	}
	buf[have] = '\0';
	close(pfd[0]);
	/* a report cut by the kill is incomplete: drop the last line */
	if (have > 0 && buf[have - 1] != '\n') {
		char *nl = strrchr(buf, '\n');

		if (nl != NULL)
			nl[1] = '\0';
		else
			buf[0] = '\0';
	}
	parse_reports(buf);
}

Test(faults, kill_9_loses_and_duplicates_nothing)
{
	struct fault_query q = { .filter = JQ_ALL };
	struct journal *j;
	struct fault *fs;
	char err[256];
	size_t n, checked = 0;

	srand((unsigned)time(NULL));
	memset(seen, 0, sizeof(seen));
	for (int r = 0; r < ROUNDS; r++) {
		one_round(r);
		/* the daemon's restart: open, check */
		cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s",
			     err);
		cr_assert_eq(journal_check(j, err, sizeof(err)), 0,
			     "round %d: %s", r, err);
		journal_close(j);
	}
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		int64_t id = fs[i].id;

		if (id >= MAX_IDS)
			continue;
		if (seen[id] & 2)
			cr_assert_neq(fs[i].ack_t, 0, "fault %lld lost its ack",
				      (long long)id);
		if (seen[id] & 4)
			cr_assert_neq(fs[i].resolved_t, 0,
				      "fault %lld lost its resolution",
				      (long long)id);
		if (seen[id] & 8) {
			cr_assert_neq(fs[i].closed_t, 0,
				      "fault %lld lost its closing",
				      (long long)id);
			cr_assert_str_eq(fs[i].satisfaction, "满意");
		}
		seen[id] = 0;
		checked++;
	}
	for (size_t id = 0; id < MAX_IDS; id++)
		cr_assert_eq(seen[id], 0, "reported fault %zu is missing", id);
	cr_log_info("%zu faults after %d kills", checked, ROUNDS);
	free(fs);
	journal_close(j);
}

/* ---- CLI ----------------------------------------------------------- */

/* Runs the command a0 (faults, ack or close) with stdout captured into
 * out. */
static int run_cli(char *out, size_t len, const char *a0, ...)
{
	char *argv[16];
	int argc = 0, rc, saved, fd;
	char path[4400];
	va_list ap;
	const char *s;
	ssize_t n;

	argv[argc++] = (char *)(uintptr_t)a0;
	va_start(ap, a0);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 13)
		argv[argc++] = (char *)(uintptr_t)s;
	va_end(ap);
	argv[argc++] = "--journal";
	argv[argc++] = db;
	argv[argc] = NULL;
	snprintf(path, sizeof(path), "%s/stdout", dir);
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	rc = cli_find(a0)->run(cli_find(a0), argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	fd = open(path, O_RDONLY);
	n = read(fd, out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	return rc;
}

Test(faults, cli_ack_close_list)
{
	struct journal *j;
	struct fault f;
	char err[256], out[16384];
	int64_t id;
	time_t now = time(NULL);
	struct tm tm;
	char month[16];

	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0);
	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), "agg-3");
	snprintf(f.object_kind, sizeof(f.object_kind), "device");
	snprintf(f.kind, sizeof(f.kind), "down");
	snprintf(f.severity, sizeof(f.severity), "major");
	f.first_fail_t = (double)now - 120;
	f.detect_t = (double)now - 60;
	f.deadline_t = (double)now + 1740;
	cr_assert_eq(journal_fault_open(j, &f, &id, NULL, err, sizeof(err)),
		     0);
	cr_assert_eq(journal_fault_child_add(j, id, "ap-9", f.detect_t, err,
					     sizeof(err)),
		     0);
	journal_close(j);

	cr_assert_eq(run_cli(out, sizeof(out), "faults", NULL), 0);
	cr_assert(strstr(out, "agg-3") && strstr(out, "+1 unreachable"), "%s",
		  out);
	cr_assert_eq(run_cli(out, sizeof(out), "ack", "1", "--by", "张三",
			     "--note", "派人处理", NULL),
		     0);
	cr_assert_str_eq(out, "fault 1 acknowledged by 张三\n");
	cr_assert_eq(run_cli(out, sizeof(out), "ack", "1", "--by", "李四",
			     NULL),
		     1);
	cr_assert_eq(run_cli(out, sizeof(out), "close", "99", "--note", "x",
			     "--satisfaction", "满意", NULL),
		     1);
	cr_assert_eq(run_cli(out, sizeof(out), "close", "1", "--note", "x",
			     "--satisfaction", "so-so", NULL),
		     1);
	cr_assert_eq(run_cli(out, sizeof(out), "close", "1", "--note",
			     "光纤熔接完成", "--satisfaction", "basic", NULL),
		     0);
	cr_assert_str_eq(out, "fault 1 closed (基本满意)\n");
	cr_assert_eq(run_cli(out, sizeof(out), "ack", "1", "--by", "王五",
			     NULL),
		     1);
	cr_assert_eq(run_cli(out, sizeof(out), "faults", NULL), 0);
	cr_assert(strstr(out, "0 faults") != NULL, "%s", out);
	cr_assert_eq(run_cli(out, sizeof(out), "faults", "--all", "--json",
			     NULL),
		     0);
	cr_assert(strstr(out, "\"satisfaction\": \"基本满意\"") != NULL, "%s",
		  out);
	cr_assert(strstr(out, "\"acked_in_time\": true") != NULL, "%s", out);
	localtime_r(&now, &tm);
	strftime(month, sizeof(month), "%Y-%m", &tm);
	cr_assert_eq(run_cli(out, sizeof(out), "faults", "--month", month,
			     NULL),
		     0);
	cr_assert(strstr(out, "1 fault\n") != NULL, "%s", out);
	cr_assert_eq(run_cli(out, sizeof(out), "faults", "--month", "2020-13",
			     NULL),
		     2);
	cr_assert_eq(run_cli(out, sizeof(out), "ack", "x", "--by", "a", NULL),
		     2);
}
