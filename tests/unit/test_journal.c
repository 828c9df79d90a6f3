/*
 * test_journal.c - the SQLite fault journal: open/ack/close, the errors an
 * operator can provoke, idempotent open, children, notifications, and a
 * reopen after the process "crashed" with the connection still open.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agents.h"
#include "storage/journal.h"

static char dir[4096];
static char db[4200];
static struct journal *j;
static char err[256];

static void setup(void)
{
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-journal-"), 0);
	snprintf(db, sizeof(db), "%s/faults.db", dir);
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
}

static void teardown(void)
{
	journal_close(j);
	j = NULL;
	tmpdir_remove(dir);
}

TestSuite(journal, .init = setup, .fini = teardown);

static struct fault mk(const char *object, const char *kind, double t)
{
	struct fault f;

	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), "%s", object);
	snprintf(f.object_kind, sizeof(f.object_kind), "device");
	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	snprintf(f.severity, sizeof(f.severity), "major");
	f.first_fail_t = t;
	f.detect_t = t + 60;
	f.deadline_t = t + 60 + 1800;
	return f;
}

static int64_t open_one(const char *object, const char *kind, double t)
{
	struct fault f = mk(object, kind, t);
	int64_t id;
	int created;

	cr_assert_eq(journal_fault_open(j, &f, &id, &created, err,
					sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(created, 1);
	return id;
}

Test(journal, open_ack_resolve_close)
{
	int64_t id = open_one("ap-001", "down", 1000);
	struct fault f;

	cr_assert_gt(id, 0);
	cr_assert_eq(journal_fault_ack(j, id, 1200, "张三", "on my way", err,
				       sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_fault_resolve(j, id, 1500, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(journal_fault_close(j, id, 1600, "fibre repaired",
					 "satisfied", err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_fault_get(j, id, &f, err, sizeof(err)), 0);
	cr_assert_str_eq(f.object, "ap-001");
	cr_assert_eq(f.first_fail_t, 1000);
	cr_assert_eq(f.detect_t, 1060);
	cr_assert_eq(f.deadline_t, 2860);
	cr_assert_eq(f.ack_t, 1200);
	cr_assert_str_eq(f.ack_by, "张三");
	cr_assert_str_eq(f.ack_note, "on my way");
	cr_assert_eq(f.resolved_t, 1500);
	cr_assert_eq(f.closed_t, 1600);
	cr_assert_str_eq(f.close_note, "fibre repaired");
	cr_assert_str_eq(f.satisfaction, "满意");
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

Test(journal, open_is_idempotent)
{
	int64_t id = open_one("agg-1", "down", 1000);
	struct fault f = mk("agg-1", "down", 1100);
	int64_t id2;
	int created = -1;

	cr_assert_eq(journal_fault_open(j, &f, &id2, &created, err,
					sizeof(err)),
		     0);
	cr_assert_eq(id2, id);
	cr_assert_eq(created, 0);
	/* another kind on the same object is another fault */
	cr_assert_neq(open_one("agg-1", "util", 1000), id);
	/* once resolved, a new outage is a new fault */
	cr_assert_eq(journal_fault_resolve(j, id, 1200, err, sizeof(err)), 0);
	f = mk("agg-1", "down", 1300);
	cr_assert_eq(journal_fault_open(j, &f, &id2, &created, err,
					sizeof(err)),
		     0);
	cr_assert_eq(created, 1);
	cr_assert_neq(id2, id);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

Test(journal, operator_errors_change_nothing)
{
	int64_t id = open_one("ap-002", "down", 1000);
	struct fault before, after;

	cr_assert_eq(journal_fault_ack(j, id, 1100, "li", NULL, err,
				       sizeof(err)),
		     0);
	cr_assert_eq(journal_fault_get(j, id, &before, err, sizeof(err)), 0);

	cr_assert_eq(journal_fault_ack(j, id, 1200, "wang", "again", err,
				       sizeof(err)),
		     -EALREADY);
	cr_assert_str_eq(err, "fault 1 already acknowledged by li");
	cr_assert_eq(journal_fault_ack(j, 999, 1200, "wang", NULL, err,
				       sizeof(err)),
		     -ENOENT);
	cr_assert_str_eq(err, "no fault with id 999");
	cr_assert_eq(journal_fault_close(j, 999, 1200, "x", "满意", err,
					 sizeof(err)),
		     -ENOENT);
	cr_assert_eq(journal_fault_close(j, id, 1200, "x", "great", err,
					 sizeof(err)),
		     -EINVAL);
	cr_assert_eq(journal_fault_close(j, id, 1200, "", "满意", err,
					 sizeof(err)),
		     -EINVAL);
	cr_assert_eq(journal_fault_ack(j, id, 1200, "", NULL, err,
				       sizeof(err)),
		     -EINVAL);
	cr_assert_eq(journal_fault_get(j, id, &after, err, sizeof(err)), 0);
	cr_assert_eq(memcmp(&before, &after, sizeof(before)), 0);

	cr_assert_eq(journal_fault_close(j, id, 1300, "recovered by itself",
					 "basic", err, sizeof(err)),
		     0);
	cr_assert_eq(journal_fault_close(j, id, 1400, "again", "满意", err,
					 sizeof(err)),
		     -EALREADY);
	cr_assert_str_eq(err, "fault 1 already closed");

	/* ack of a closed, unacknowledged fault */
	id = open_one("ap-003", "down", 1000);
	cr_assert_eq(journal_fault_close(j, id, 1300, "n", "不满意", err,
					 sizeof(err)),
		     0);
	cr_assert_eq(journal_fault_ack(j, id, 1400, "li", NULL, err,
				       sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "fault 2 is closed; nothing to acknowledge");
	cr_assert_eq(journal_fault_get(j, id, &after, err, sizeof(err)), 0);
	cr_assert_eq(after.ack_t, 0);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

Test(journal, bad_fault_refused)
{
	struct fault f = mk("x", "down", 1000);
	int64_t id;

	f.detect_t = 900;
	cr_assert_eq(journal_fault_open(j, &f, &id, NULL, err, sizeof(err)),
		     -EINVAL);
	f = mk("x", "down", 1000);
	snprintf(f.object_kind, sizeof(f.object_kind), "planet");
	cr_assert_eq(journal_fault_open(j, &f, &id, NULL, err, sizeof(err)),
		     -EINVAL);
}

Test(journal, children_and_notifications)
{
	int64_t id = open_one("agg-2", "down", 1000);
	struct fault_child *c;
	struct notify_rec r, *rs;
	struct fault f;
	size_t n;

	cr_assert_eq(journal_fault_child_add(j, id, "ap-1", 1060, err,
					     sizeof(err)),
		     0);
	cr_assert_eq(journal_fault_child_add(j, id, "ap-2", 1060, err,
					     sizeof(err)),
		     0);
	cr_assert_eq(journal_fault_child_add(j, id, "ap-1", 1070, err,
					     sizeof(err)),
		     0);
	cr_assert_eq(journal_fault_get(j, id, &f, err, sizeof(err)), 0);
	cr_assert_eq(f.nchildren, 2);
	cr_assert_eq(journal_fault_children(j, id, &c, &n, err, sizeof(err)),
		     0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(c[0].object, "ap-1");
	free(c);

	memset(&r, 0, sizeof(r));
	r.fault_id = id;
	snprintf(r.event, sizeof(r.event), "open");
	snprintf(r.notifier, sizeof(r.notifier), "noc");
	r.attempt = 1;
	r.t = 1061;
	snprintf(r.result, sizeof(r.result), "fail");
	snprintf(r.detail, sizeof(r.detail), "HTTP 500");
	cr_assert_eq(journal_notify_record(j, &r, err, sizeof(err)), 0);
	r.attempt = 2;
	snprintf(r.result, sizeof(r.result), "ok");
	cr_assert_eq(journal_notify_record(j, &r, err, sizeof(err)), 0);
	cr_assert_eq(journal_notify_list(j, id, &rs, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(rs[0].detail, "HTTP 500");
	cr_assert_str_eq(rs[1].result, "ok");
	free(rs);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

Test(journal, lists_and_reminders)
{
	int64_t a = open_one("a", "down", 1000); /* deadline 2860 */
	int64_t b = open_one("b", "down", 5000);
	struct fault_query q = { .filter = JQ_REMIND, .now = 3000,
				 .remind_s = 600 };
	struct fault *fs;
	size_t n;

	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(fs[0].id, a);
	free(fs);
	cr_assert_eq(journal_fault_reminded(j, a, 3000, err, sizeof(err)), 0);
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 0);
	q.now = 3700;
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 1);
	free(fs);

	cr_assert_eq(journal_fault_resolve(j, b, 5200, err, sizeof(err)), 0);
	q = (struct fault_query){ .filter = JQ_ACTIVE };
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 1);
	free(fs);
	q = (struct fault_query){ .filter = JQ_OPEN };
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 2);
	free(fs);
	q = (struct fault_query){ .filter = JQ_ALL, .from_t = 4000,
				  .to_t = 6000 };
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(fs[0].id, b);
	free(fs);
}

Test(journal, maintenance_and_states)
{
	size_t n;

	cr_assert_eq(journal_maint_record(j, "night", "role:access", 100, 200,
					  err, sizeof(err)),
		     0);
	cr_assert_eq(journal_maint_record(j, "night", "role:access", 100, 200,
					  err, sizeof(err)),
		     0);
	cr_assert_eq(journal_maint_count(j, 0, 1000, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(journal_maint_record(j, "bad", "all", 300, 200, err,
					  sizeof(err)),
		     -EINVAL);
	cr_assert_eq(journal_state_record(j, "ap-1", "unreachable",
					  "parent agg-1 down", 100, err,
					  sizeof(err)),
		     0);
}

/* A child opens faults and exits without closing the connection (as a
 * crash would); the parent reopens and finds everything. */
Test(journal, reopen_after_crash)
{
	pid_t pid;
	int st;
	struct fault_query q = { .filter = JQ_ALL };
	struct fault *fs;
	size_t n;

	journal_close(j);
	j = NULL;
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct journal *cj;
		char e[256];

		if (journal_open(db, &cj, e, sizeof(e)) < 0)
			_exit(2);
		for (int i = 0; i < 20; i++) {
			char obj[32];
			struct fault f;
			int64_t id;

			snprintf(obj, sizeof(obj), "ap-%03d", i);
			f = mk(obj, "down", 1000 + i);
			if (journal_fault_open(cj, &f, &id, NULL, e,
					       sizeof(e)) < 0)
				_exit(3);
			if (i % 2 == 0 &&
			    journal_fault_ack(cj, id, 2000, "op", NULL, e,
					      sizeof(e)) < 0)
				_exit(4);
		}
		_exit(0); /* no journal_close: WAL left behind */
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child failed");
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_fault_list(j, &q, &fs, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 20);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(fs[i].ack_t != 0, i % 2 == 0);
	free(fs);
}

Test(journal, satisfaction_spellings)
{
	cr_assert_str_eq(satisfaction_parse("满意"), "满意");
	cr_assert_str_eq(satisfaction_parse("Satisfied"), "满意");
	cr_assert_str_eq(satisfaction_parse("basic"), "基本满意");
	cr_assert_str_eq(satisfaction_parse("基本满意"), "基本满意");
	cr_assert_str_eq(satisfaction_parse("unsatisfied"), "不满意");
	cr_assert_null(satisfaction_parse("meh"));
}
