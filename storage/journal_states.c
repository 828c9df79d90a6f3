/*
 * journal_states.c - the state log read as intervals for the SLA engine
 * (issue 15): many state changes in one transaction, and one scan of
 * every object's changes over a period, and the schema 4 index on the
 * change time. See journal.h.
 * SPDX-License-Identifier: MIT
 */
#include "journal.h"
#include "journal_int.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* Schema 4: the scan below reads the changes inside a period by time,
 * every object at once; state_log_t (object, t) serves one object. */
int journal__states_migrate(struct journal *j, char *err, size_t errlen)
{
	return journal__query(j, "state index",
			      "CREATE INDEX IF NOT EXISTS state_log_time"
			      " ON state_log(t)",
			      NULL, NULL, NULL, err, errlen);
}

int journal_state_record_many(struct journal *j,
			      const struct journal_state_rec *v, size_t n,
			      char *err, size_t errlen)
{
	int rc;

	if (n == 0)
		return 0;
	rc = journal__query(j, "begin", "BEGIN IMMEDIATE", NULL, NULL, NULL,
			    err, errlen);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = journal__query(j, "insert state",
				    "INSERT INTO state_log VALUES (?, ?, ?, ?)",
				    JP_ARGS(JP_TEXT(v[i].object),
					    JP_TEXT(v[i].state),
					    JP_TEXT(v[i].reason),
					    JP_REAL(v[i].t)),
				    NULL, NULL, err, errlen);
	if (rc < 0) {
		sqlite3_exec(journal__db(j), "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return journal__query(j, "commit", "COMMIT", NULL, NULL, NULL, err,
			      errlen);
}

struct scan {
	journal_state_fn fn;
	void *arg;
};

static int scan_row(void *arg, sqlite3_stmt *st, char *err, size_t errlen)
{
	const struct scan *s = arg;
	const char *o = (const char *)sqlite3_column_text(st, 0);
	const char *state = (const char *)sqlite3_column_text(st, 1);
	const char *reason = (const char *)sqlite3_column_text(st, 2);

	(void)err;
	(void)errlen;
	return s->fn(s->arg, o ? o : "", state ? state : "",
		     reason ? reason : "", sqlite3_column_double(st, 3));
}

int journal_state_scan(struct journal *j, double from_t, double to_t,
		       journal_state_fn fn, void *arg, char *err,
		       size_t errlen)
{
	struct scan s = { fn, arg };

	/* per object the last change before the period (the state it
	 * entered the period in: the latest time, the last recorded of
	 * equal times), then the changes inside it, in one pass sorted by
	 * object and time. No row per object and query. */
	return journal__query(
		j, "state scan",
		"SELECT object, state, reason, t FROM ("
		" SELECT s.object, s.state, s.reason, s.t, s.rowid AS r"
		"  FROM state_log s WHERE s.rowid IN ("
		"   SELECT (SELECT p.rowid FROM state_log p"
		"     WHERE p.object = o.object AND p.t < ?1"
		"     ORDER BY p.t DESC, p.rowid DESC LIMIT 1)"
		"   FROM (SELECT DISTINCT object FROM state_log"
		"     WHERE t < ?1) o)"
		" UNION ALL"
		" SELECT object, state, reason, t, rowid FROM state_log"
		"  WHERE t >= ?1 AND t < ?2)"
		" ORDER BY object, t, r",
		JP_ARGS(JP_REAL(from_t), JP_REAL(to_t)), scan_row, &s, err,
		errlen);
}
