/*
 * test_journal.c - the SQLite fault journal: open/ack/close, the errors an
 * operator can provoke, idempotent open, children, notifications, and a
 * reopen after the process "crashed" with the connection still open; the
 * capture interval records (round trip, stored once, retention, refusals,
 * a damaged blob) and the upgrade of a version 1 journal.
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

/* Runs sql on the journal file with the sqlite3 command-line program
 * (only storage/ links SQLite); its output goes to out. */
static int sql_cli(const char *sql, char *out, size_t outlen)
{
	char bin[] = "sqlite3", dbarg[4200], sqlarg[1024];
	char *const argv[] = { bin, dbarg, sqlarg, NULL };

	snprintf(dbarg, sizeof(dbarg), "%s", db);
	snprintf(sqlarg, sizeof(sqlarg), "%s", sql);
	return run_cmd(argv, out, outlen, 30);
}

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

/* ---- capture intervals (issue 6) ------------------------------------ */

static struct journal_capiv civ(const char *link, int64_t start,
				uint64_t scale)
{
	struct journal_capiv v;

	memset(&v, 0, sizeof(v));
	snprintf(v.link, sizeof(v.link), "%s", link);
	snprintf(v.device, sizeof(v.device), "exit-rtr-1");
	v.start = start;
	v.length_s = 60;
	v.records = 1000 * scale;
	v.packets = 990 * scale;
	v.bytes = 900000 * scale;
	v.in_bytes = 600000 * scale;
	v.out_bytes = 300000 * scale;
	v.stats_valid = 1;
	v.drops = 7;
	v.ifdrops = 3;
	v.nports = 2;
	v.ports[0] = (struct journal_cap_port){ 6, 443, 500000 * scale,
						400 * scale };
	v.ports[1] = (struct journal_cap_port){ 17, 53, 1234, 20 };
	v.nlocal = 2;
	v.local[0].family = 4;
	memcpy(v.local[0].addr, "\x0a\x01\x00\x01", 4);
	v.local[0].bytes = 700000 * scale;
	v.local[0].packets = 600;
	v.local[1].family = 6;
	memcpy(v.local[1].addr,
	       "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	       "\x01",
	       16);
	v.local[1].bytes = (uint64_t)1 << 40; /* a 6-byte varint */
	v.local[1].packets = 1;
	v.nremote = 1;
	v.remote[0].family = 4;
	memcpy(v.remote[0].addr, "\xcb\x00\x71\x05", 4);
	v.remote[0].bytes = 800000 * scale;
	v.remote[0].packets = 700;
	return v;
}

struct scanned {
	struct journal_capiv v[16];
	size_t n;
};

static int collect(void *arg, const struct journal_capiv *v)
{
	struct scanned *s = arg;

	if (s->n == 16)
		return -ENOSPC;
	s->v[s->n++] = *v;
	return 0;
}

static void same_iv(const struct journal_capiv *a,
		    const struct journal_capiv *b)
{
	cr_assert_str_eq(a->link, b->link);
	cr_assert_str_eq(a->device, b->device);
	cr_assert_eq(a->start, b->start);
	cr_assert_eq(a->length_s, b->length_s);
	cr_assert_eq(a->records, b->records);
	cr_assert_eq(a->packets, b->packets);
	cr_assert_eq(a->bytes, b->bytes);
	cr_assert_eq(a->in_bytes, b->in_bytes);
	cr_assert_eq(a->out_bytes, b->out_bytes);
	cr_assert_eq(a->stats_valid, b->stats_valid);
	if (a->stats_valid) {
		cr_assert_eq(a->drops, b->drops);
		cr_assert_eq(a->ifdrops, b->ifdrops);
	}
	cr_assert_eq(a->nports, b->nports);
	cr_assert_eq(a->nlocal, b->nlocal);
	cr_assert_eq(a->nremote, b->nremote);
	cr_assert_eq(memcmp(a->ports, b->ports, a->nports * sizeof(a->ports[0])),
		     0);
	cr_assert_eq(memcmp(a->local, b->local, a->nlocal * sizeof(a->local[0])),
		     0);
	cr_assert_eq(memcmp(a->remote, b->remote,
			    a->nremote * sizeof(a->remote[0])),
		     0);
}

/* What the daemon stores comes back field for field (IPv4 and IPv6
 * talkers, ports, drops measured or not), in time order, and a scan
 * returns exactly the intervals overlapping its range. */
Test(journal, capture_intervals_round_trip)
{
	struct journal_capiv v[3] = { civ("exit-1", 1800000000, 1),
				      civ("exit-1", 1800000060, 2),
				      civ("exit-1", 1800000120, 3) };
	static struct scanned s;
	size_t added;

	v[1].stats_valid = 0; /* a file replay: drops not measured */
	v[1].drops = v[1].ifdrops = 0;
	v[2].nports = v[2].nlocal = v[2].nremote = 0; /* an idle minute */
	cr_assert_eq(journal_capture_put(j, v, 3, 0, &added, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(added, 3);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(journal_capture_scan(j, "exit-1", 0, 2e9, collect, &s,
					  err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(s.n, 3);
	for (size_t i = 0; i < 3; i++)
		same_iv(&s.v[i], &v[i]);
	/* [start of the 2nd + 30 s, start of the 3rd): only the 2nd; an
	 * interval ending at from is not in it */
	memset(&s, 0, sizeof(s));
	cr_assert_eq(journal_capture_scan(j, "exit-1", 1800000090, 1800000120,
					  collect, &s, err, sizeof(err)),
		     0);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.v[0].start, 1800000060);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(journal_capture_scan(j, "exit-1", 1800000060, 1800000120,
					  collect, &s, err, sizeof(err)),
		     0);
	cr_assert_eq(s.n, 1);
	/* another name has nothing */
	memset(&s, 0, sizeof(s));
	cr_assert_eq(journal_capture_scan(j, "exit-2", 0, 2e9, collect, &s,
					  err, sizeof(err)),
		     0);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

/* A file replayed again at the next start offers the same intervals: the
 * stored ones stay as they are, nothing is counted twice. */
Test(journal, capture_interval_stored_once)
{
	struct journal_capiv a = civ("exit-1", 1800000000, 1);
	struct journal_capiv b = civ("exit-1", 1800000000, 5);
	static struct scanned s;
	size_t added;

	cr_assert_eq(journal_capture_put(j, &a, 1, 0, &added, err,
					 sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(added, 1);
	cr_assert_eq(journal_capture_put(j, &b, 1, 0, &added, err,
					 sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(added, 0);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(journal_capture_scan(j, "exit-1", 0, 2e9, collect, &s,
					  err, sizeof(err)),
		     0);
	cr_assert_eq(s.n, 1);
	same_iv(&s.v[0], &a);
}

/* Retention: rows more than keep_s older than the link's newest row go;
 * another link's rows are not touched. */
Test(journal, capture_retention_follows_newest_row)
{
	const double day = 86400, keep = 400 * day;
	struct journal_capiv v[4] = { civ("exit-1", 1700000000, 1),
				      civ("exit-1", 1700000000 + 10 * 86400, 1),
				      civ("exit-2", 1700000000, 1),
				      civ("exit-1", 1700000000 + 405 * 86400,
					  1) };
	static struct scanned s;

	cr_assert_eq(journal_capture_put(j, v, 3, keep, NULL, err,
					 sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_capture_put(j, v + 3, 1, keep, NULL, err,
					 sizeof(err)),
		     0, "%s", err);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(journal_capture_scan(j, "exit-1", 0, 2e9, collect, &s,
					  err, sizeof(err)),
		     0);
	cr_assert_eq(s.n, 2, "the row 405 days old is pruned");
	cr_assert_eq(s.v[0].start, 1700000000 + 10 * 86400);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(journal_capture_scan(j, "exit-2", 0, 2e9, collect, &s,
					  err, sizeof(err)),
		     0);
	cr_assert_eq(s.n, 1, "exit-2's own newest row is that one");
}

/* A malformed interval is refused with a message naming it, and the
 * valid intervals of the same call are not written either. */
Test(journal, capture_bad_interval_refused)
{
	struct journal_capiv v[2] = { civ("exit-1", 1800000000, 1),
				      civ("exit-1", 1800000060, 1) };
	static struct scanned s;

	v[1].local[0].family = 5;
	cr_assert_eq(journal_capture_put(j, v, 2, 0, NULL, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "capture exit-1 interval 1800000060") != NULL,
		  "%s", err);
	v[1] = civ("exit-1", 1800000060, 1);
	v[1].length_s = 0;
	cr_assert_eq(journal_capture_put(j, v, 2, 0, NULL, err, sizeof(err)),
		     -EINVAL);
	v[1] = civ("", 1800000060, 1);
	cr_assert_eq(journal_capture_put(j, v, 2, 0, NULL, err, sizeof(err)),
		     -EINVAL);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(journal_capture_scan(j, "exit-1", 0, 2e9, collect, &s,
					  err, sizeof(err)),
		     0);
	cr_assert_eq(s.n, 0);
}

/* A damaged top-list blob is an error naming the link and the interval,
 * not a silent zero. */
Test(journal, capture_damaged_blob_named)
{
	struct journal_capiv v = civ("exit-1", 1800000000, 1);
	static struct scanned s;
	char out[1024];

	cr_assert_eq(journal_capture_put(j, &v, 1, 0, NULL, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(sql_cli("UPDATE capture_intervals SET top = x'0102ff'",
			     out, sizeof(out)),
		     0, "%s", out);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(journal_capture_scan(j, "exit-1", 0, 2e9, collect, &s,
					  err, sizeof(err)),
		     -EBADMSG);
	cr_assert(strstr(err, "capture exit-1 interval 1800000000") != NULL,
		  "%s", err);
}

/* A journal written by the previous schema (version 1: no capture
 * tables) is upgraded in place when opened: its faults stay, capture
 * intervals can be stored, and the version is 2. */
Test(journal, version1_journal_upgraded_in_place)
{
	struct journal_capiv v = civ("exit-1", 1800000000, 1);
	int64_t id = open_one("ap-001", "down", 1000);
	struct fault f;
	char out[1024];

	journal_close(j);
	j = NULL;
	cr_assert_eq(sql_cli("DROP TABLE capture_intervals;"
			     "DROP TABLE capture_links;"
			     "UPDATE meta SET value = '1'"
			     " WHERE key = 'schema_version';"
			     "PRAGMA user_version = 1",
			     out, sizeof(out)),
		     0, "%s", out);
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_fault_get(j, id, &f, err, sizeof(err)), 0);
	cr_assert_str_eq(f.object, "ap-001");
	cr_assert_eq(journal_capture_put(j, &v, 1, 0, NULL, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(sql_cli("PRAGMA user_version", out, sizeof(out)), 0,
		     "%s", out);
	cr_assert_eq(atoi(out), JOURNAL_SCHEMA_VERSION, "%s", out);
}

/* ---- reasons for a missed indicator (schema 3) ------------------------ */

/* A reason is stored per month and indicator, replaced by a later one,
 * removed by an empty text; bad months and ids are refused. */
Test(journal, reason_set_replace_remove)
{
	struct journal_reason *r = NULL;
	size_t n = 9;

	cr_assert_eq(journal_reason_set(j, "2026-10", "fault_response",
					"交接延误", 1000, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_reason_set(j, "2026-10", "unit_connectivity",
					"光缆被挖断", 1001, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_reason_set(j, "2026-11", "fault_response",
					"other month", 1002, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_reason_set(j, "2026-10", "fault_response",
					"夜班交接延误", 1003, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_reason_list(j, "2026-10", &r, &n, err,
					 sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(r[0].indicator, "fault_response");
	cr_assert_str_eq(r[0].text, "夜班交接延误");
	cr_assert_eq(r[0].t, 1003);
	cr_assert_str_eq(r[1].indicator, "unit_connectivity");
	free(r);
	cr_assert_eq(journal_reason_set(j, "2026-10", "fault_response", "",
					1004, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_reason_list(j, "2026-10", &r, &n, err,
					 sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(r[0].indicator, "unit_connectivity");
	free(r);
	cr_assert_eq(journal_reason_set(j, "2026-13", "x", "t", 1, err,
					sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "2026-13") != NULL, "%s", err);
	cr_assert_eq(journal_reason_set(j, "2026-10", "", "t", 1, err,
					sizeof(err)),
		     -EINVAL);
}

/* A version 2 journal (no report_reasons) reads as "no reasons" through
 * a read-only connection, and is upgraded in place to 3 by a read-write
 * open, keeping its faults. */
Test(journal, version2_journal_upgraded_for_reasons)
{
	int64_t id = open_one("ap-001", "down", 1000);
	struct journal_reason *r = NULL;
	struct journal *ro = NULL;
	size_t n = 9;
	struct fault f;
	char out[1024];

	journal_close(j);
	j = NULL;
	cr_assert_eq(sql_cli("DROP TABLE report_reasons;"
			     "UPDATE meta SET value = '2'"
			     " WHERE key = 'schema_version';"
			     "PRAGMA user_version = 2",
			     out, sizeof(out)),
		     0, "%s", out);
	cr_assert_eq(journal_open_ro(db, &ro, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_reason_list(ro, "2026-10", &r, &n, err,
					 sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 0);
	cr_assert_null(r);
	journal_close(ro);
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_fault_get(j, id, &f, err, sizeof(err)), 0);
	cr_assert_eq(journal_reason_set(j, "2026-10", "fault_response", "x",
					1, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(sql_cli("SELECT value FROM meta"
			     " WHERE key = 'schema_version'",
			     out, sizeof(out)),
		     0, "%s", out);
	cr_assert_eq(atoi(out), JOURNAL_SCHEMA_VERSION, "%s", out);
	cr_assert_eq(sql_cli("PRAGMA user_version", out, sizeof(out)), 0,
		     "%s", out);
	cr_assert_eq(atoi(out), JOURNAL_SCHEMA_VERSION, "%s", out);
	/* schema 4: the state log's index by time */
	cr_assert_eq(sql_cli("SELECT count(*) FROM sqlite_master WHERE"
			     " name = 'state_log_time'",
			     out, sizeof(out)),
		     0, "%s", out);
	cr_assert_eq(atoi(out), 1, "%s", out);
}

/* ---- received SNMP traps (schema 5) ------------------------------------ */

/* Rows come back newest first, filtered by time and device ("-": the
 * unknown sources), limited; a version 4 journal gains the table. */
Test(journal, traps_round_trip_and_filters)
{
	struct journal_trap rows[3], *r = NULL;
	char out[512];
	size_t n = 0;

	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < 3; i++) {
		rows[i].t = 1000 + i;
		snprintf(rows[i].source, sizeof(rows[i].source), "10.0.0.%d",
			 i + 1);
		snprintf(rows[i].device, sizeof(rows[i].device), "%s",
			 i == 2 ? "" : "ap-001");
		snprintf(rows[i].trap_oid, sizeof(rows[i].trap_oid),
			 "1.3.6.1.6.3.1.1.5.%d", i + 3);
		snprintf(rows[i].version, sizeof(rows[i].version), "v2c");
	}
	rows[1].inform = 1;
	snprintf(rows[0].varbinds, sizeof(rows[0].varbinds), "1.3.6.1.2.1.2.2.1.1.3=3");
	cr_assert_eq(journal_trap_add(j, rows, 3, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(journal_trap_list(j, 0, NULL, 0, &r, &n, err,
				       sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 3);
	cr_assert_eq(r[0].t, 1002);
	cr_assert_str_eq(r[2].varbinds, "1.3.6.1.2.1.2.2.1.1.3=3");
	cr_assert_eq(r[1].inform, 1);
	free(r);
	cr_assert_eq(journal_trap_list(j, 1001, "ap-001", 0, &r, &n, err,
				       sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(r[0].source, "10.0.0.2");
	free(r);
	cr_assert_eq(journal_trap_list(j, 0, "-", 0, &r, &n, err,
				       sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(r[0].device, "");
	free(r);
	cr_assert_eq(journal_trap_list(j, 0, NULL, 2, &r, &n, err,
				       sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 2);
	free(r);
	/* retention: rows before 1001 go */
	cr_assert_eq(journal_trap_prune(j, 1001, &n, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_eq(journal_trap_list(j, 0, NULL, 0, &r, &n, err,
				       sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_eq(r[1].t, 1001);
	free(r);
	/* a version 3 journal without the table gets it when opened */
	journal_close(j);
	j = NULL;
	cr_assert_eq(sql_cli("DROP TABLE traps; PRAGMA user_version = 3",
			     out, sizeof(out)),
		     0, "%s", out);
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_trap_list(j, 0, NULL, 0, &r, &n, err,
				       sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 0);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "%s", err);
}

/* ---- the operator's 本月运行概况 (schema 7) ---------------------------- */

/* One summary per month, replaced by a later one and removed by an
 * empty text; a version 3 journal (no report_summaries) reads as "none"
 * read-only and is upgraded in place by a read-write open. */
Test(journal, summary_set_get_and_version3_upgraded)
{
	struct journal *ro = NULL;
	char text[JOURNAL_SUMMARY_MAX], out[1024];
	int found = 9;

	cr_assert_eq(journal_summary_set(j, "2026-10", "十月运行平稳。", 1,
					 err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_summary_set(j, "2026-10", "十月运行总体平稳。", 2,
					 err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_summary_get(j, "2026-10", text, sizeof(text),
					 &found, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(found, 1);
	cr_assert_str_eq(text, "十月运行总体平稳。");
	cr_assert_eq(journal_summary_get(j, "2026-11", text, sizeof(text),
					 &found, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(found, 0);
	cr_assert_str_eq(text, "");
	cr_assert_eq(journal_summary_set(j, "2026-10", "", 3, err,
					 sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_summary_get(j, "2026-10", text, sizeof(text),
					 &found, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(found, 0);
	cr_assert_eq(journal_summary_set(j, "26-10", "x", 1, err,
					 sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "26-10") != NULL, "%s", err);

	journal_close(j);
	j = NULL;
	cr_assert_eq(sql_cli("DROP TABLE report_summaries;"
			     "UPDATE meta SET value = '3'"
			     " WHERE key = 'schema_version';"
			     "PRAGMA user_version = 3",
			     out, sizeof(out)),
		     0, "%s", out);
	cr_assert_eq(journal_open_ro(db, &ro, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_summary_get(ro, "2026-10", text, sizeof(text),
					 &found, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(found, 0);
	journal_close(ro);
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_summary_set(j, "2026-10", "x", 4, err,
					 sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(sql_cli("PRAGMA user_version", out, sizeof(out)), 0,
		     "%s", out);
	cr_assert_eq(atoi(out), JOURNAL_SCHEMA_VERSION, "%s", out);
}

/* ---- read APIs for sla/ ------------------------------------------------ */

/* Maintenance occurrences overlapping a range, by start; the read-only
 * connection sees what the writer committed. */
Test(journal, maint_list_overlapping)
{
	struct journal_maint *m = NULL;
	struct journal *ro = NULL;
	size_t n = 9;

	cr_assert_eq(journal_maint_record(j, "b", "tag:core", 5000, 6000, err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_maint_record(j, "a", "all", 1000, 2000, err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_maint_record(j, "c", "all", 9000, 9500, err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_open_ro(db, &ro, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_maint_list(ro, 1500, 5001, &m, &n, err,
					sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(m[0].name, "a");
	cr_assert_str_eq(m[0].scope, "all");
	cr_assert_eq(m[0].start_t, 1000);
	cr_assert_eq(m[0].end_t, 2000);
	cr_assert_str_eq(m[1].scope, "tag:core");
	free(m);
	/* [2000, 5000) touches neither: end and start are exclusive */
	cr_assert_eq(journal_maint_list(ro, 2000, 5000, &m, &n, err,
					sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 0);
	cr_assert_null(m);
	/* read-only means read-only */
	cr_assert_lt(journal_maint_record(ro, "d", "all", 1, 2, err,
					  sizeof(err)),
		     0);
	journal_close(ro);
}

/* A missing journal is -ENOENT naming the file, and nothing is created. */
Test(journal, open_ro_missing_names_file)
{
	struct journal *ro = (struct journal *)1;
	char path[4300];

	snprintf(path, sizeof(path), "%s/nosuch.db", dir);
	cr_assert_eq(journal_open_ro(path, &ro, err, sizeof(err)), -ENOENT);
	cr_assert_null(ro);
	cr_assert(strstr(err, path) != NULL, "%s", err);
	cr_assert_neq(access(path, F_OK), 0);
}

/* A journal from a newer slamon is refused read-only too. */
Test(journal, open_ro_newer_schema_refused)
{
	struct journal *ro = NULL;
	char out[256];

	cr_assert_eq(sql_cli("PRAGMA user_version = 99", out, sizeof(out)), 0,
		     "%s", out);
	cr_assert_eq(journal_open_ro(db, &ro, err, sizeof(err)), -EPROTO);
	cr_assert_null(ro);
	cr_assert(strstr(err, db) != NULL, "%s", err);
}

/* State changes in a range start with the state each object was in. */
Test(journal, state_list_intervals)
{
	struct journal_state *s = NULL;
	size_t n = 0;

	cr_assert_eq(journal_state_record(j, "ap-1", "up", "", 100, err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_state_record(j, "ap-1", "down", "no answer", 200,
					  err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_state_record(j, "ap-1", "up", "", 400, err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_state_record(j, "ap-2", "unreachable",
					  "parent agg-1 down", 350, err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_state_record(j, "ap-1", "down", "", 900, err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_state_list(j, NULL, 300, 800, &s, &n, err,
					sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(s[0].object, "ap-1");
	cr_assert_str_eq(s[0].state, "down"); /* since 200 */
	cr_assert_str_eq(s[0].reason, "no answer");
	cr_assert_eq(s[0].t, 200);
	cr_assert_eq(s[1].t, 400);
	cr_assert_str_eq(s[2].object, "ap-2");
	cr_assert_str_eq(s[2].reason, "parent agg-1 down");
	free(s);
	cr_assert_eq(journal_state_list(j, "ap-2", 0, 300, &s, &n, err,
					sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(n, 0);
	free(s);
}

struct scan_rows {
	char text[1024];
	size_t n;
};

static int scan_cb(void *arg, const char *object, const char *state,
		   const char *reason, double t)
{
	struct scan_rows *r = arg;
	size_t len = strlen(r->text);

	snprintf(r->text + len, sizeof(r->text) - len, "%s %s %s %.0f;",
		 object, state, reason, t);
	r->n++;
	return 0;
}

/* The SLA's one scan for every object: per object the last change before
 * the range (the last recorded of equal times), then the changes inside
 * it by time; many changes recorded in one call, all or none. */
Test(journal, state_scan_every_object)
{
	const struct journal_state_rec v[] = {
		{ "cam-2", "up", "", 50 },
		{ "cam-1", "up", "", 100 },
		{ "cam-1", "down", "", 250 },
		{ "cam-1", "unreachable", "parent sw-1 down", 250 },
		{ "cam-1", "up", "", 400 },
		{ "cam-3", "up", "", 700 },
		{ "cam-2", "unknown", "slamond stopped", 800 },
	};
	const struct journal_state_rec bad[] = {
		{ "cam-9", "up", "", 10 },
		{ NULL, "up", "", 20 }, /* binds "": accepted */
	};
	struct scan_rows r = { "", 0 };

	cr_assert_eq(journal_state_record_many(j, v, 7, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(journal_state_scan(j, 300, 800, scan_cb, &r, err,
					sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(r.text,
			 "cam-1 unreachable parent sw-1 down 250;"
			 "cam-1 up  400;"
			 "cam-2 up  50;"
			 "cam-3 up  700;");
	cr_assert_eq(journal_state_record_many(j, bad, 2, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(journal_state_record_many(j, v, 0, err, sizeof(err)), 0);
}
