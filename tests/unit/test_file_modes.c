/*
 * test_file_modes.c - files that hold operators' notes or could hold
 * secrets are never readable by others (issue 16, docs/packaging.md): the
 * fault journal and its -wal and -shm files are created 0640 whatever the
 * umask, a journal an older version left 0644 is tightened on open, and
 * the status snapshot is written 0640.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agents.h"
#include "collector/status.h"
#include "storage/journal.h"

static char tmp[4096];
static mode_t old_umask;

static void setup(void)
{
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-modes-"), 0);
	old_umask = umask(0); /* what a careless parent process might give */
}

static void teardown(void)
{
	umask(old_umask);
	tmpdir_remove(tmp);
}

TestSuite(file_modes, .init = setup, .fini = teardown, .timeout = 30);

static unsigned mode_of(const char *dir, const char *name)
{
	char p[4200];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	cr_assert_eq(stat(p, &st), 0, "%s: %s", p, strerror(errno));
	return (unsigned)(st.st_mode & 0777);
}

static void open_journal(const char *path)
{
	struct journal *j = NULL;
	char err[256];

	cr_assert_eq(journal_open(path, &j, err, sizeof(err)), 0, "%s", err);
	/* -wal and -shm exist while the connection is open */
	cr_expect_eq(mode_of(tmp, "faults.db") & 0137, 0, "faults.db %o",
		     mode_of(tmp, "faults.db"));
	cr_expect_eq(mode_of(tmp, "faults.db-wal") & 0137, 0,
		     "faults.db-wal %o", mode_of(tmp, "faults.db-wal"));
	cr_expect_eq(mode_of(tmp, "faults.db-shm") & 0137, 0,
		     "faults.db-shm %o", mode_of(tmp, "faults.db-shm"));
	journal_close(j);
}

Test(file_modes, journal_is_created_0640_with_its_wal_and_shm)
{
	char db[4200];

	snprintf(db, sizeof(db), "%s/faults.db", tmp);
	open_journal(db);
	cr_expect_eq(mode_of(tmp, "faults.db"), 0640u);
}

Test(file_modes, world_readable_journal_is_tightened_on_open)
{
	char db[4200];
	int fd;

	snprintf(db, sizeof(db), "%s/faults.db", tmp);
	fd = open(db, O_WRONLY | O_CREAT, 0666);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(mode_of(tmp, "faults.db"), 0666u);
	open_journal(db);
	cr_expect_eq(mode_of(tmp, "faults.db"), 0640u);
}

Test(file_modes, status_file_is_written_0640)
{
	char p[4200], err[256];
	json_t *snap = json_pack("{s:i}", "version", 1);

	snprintf(p, sizeof(p), "%s/status.json", tmp);
	cr_assert_eq(status_write(p, snap, err, sizeof(err)), 0, "%s", err);
	json_decref(snap);
	cr_expect_eq(mode_of(tmp, "status.json"), 0640u);
}

/* Setting the mode must not disturb the connections already open in the
 * process: a descriptor of the database opened and closed beside them
 * drops their POSIX locks, and then a connection of another process that
 * closes takes itself for the last one and deletes the WAL they use (the
 * daemon opens the journal three times: engine, notifier, capture store;
 * the CLI and the tests read it beside). */
Test(file_modes, second_connection_keeps_the_locks_of_the_first)
{
	struct journal *j1 = NULL, *j2 = NULL, *j3 = NULL;
	char db[4200], wal[4300], err[256], c;
	int ready[2], done[2], st;
	pid_t pid;

	snprintf(db, sizeof(db), "%s/faults.db", tmp);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(done), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) { /* the daemon: two connections, kept open */
		if (journal_open(db, &j1, err, sizeof(err)) < 0 ||
		    journal_open(db, &j2, err, sizeof(err)) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		_exit(access(wal, F_OK) == 0 ? 0 : 2);
	}
	cr_assert_eq(read(ready[0], &c, 1), 1, "child could not open");
	/* a reader comes and goes */
	cr_assert_eq(journal_open(db, &j3, err, sizeof(err)), 0, "%s", err);
	journal_close(j3);
	cr_expect_eq(access(wal, F_OK), 0,
		     "the WAL of the other process' connections was deleted");
	cr_assert_eq(write(done[1], "d", 1), 1);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %d", st);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}
