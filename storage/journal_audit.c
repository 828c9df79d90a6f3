/*
 * journal_audit.c - the audit trail (issue 12): who acknowledged, closed
 * or annotated a fault and who generated a report, from the web console
 * (the web user) or the command line (the Unix user). One row per action
 * in the audit table (schema 4); a fault's history is its rows, oldest
 * first. See journal.h.
 * SPDX-License-Identifier: MIT
 */
#include "journal.h"
#include "journal_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* schema 4 (its own step, run by schema_init after the base schema) */
const char journal__audit_sql[] =
	"CREATE TABLE IF NOT EXISTS audit("
	" id INTEGER PRIMARY KEY,"
	" t REAL NOT NULL,"
	" action TEXT NOT NULL,"
	" who TEXT NOT NULL,"
	" via TEXT NOT NULL,"
	" fault_id INTEGER,"
	" object TEXT NOT NULL DEFAULT '',"
	" note TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS audit_fault ON audit(fault_id);";

int journal_audit_record(struct journal *j, const struct journal_audit *a,
			 char *err, size_t errlen)
{
	if (a->action[0] == '\0' || a->who[0] == '\0' || a->via[0] == '\0') {
		journal__seterr(err, errlen,
				"audit: action, who and via are required");
		return -EINVAL;
	}
	return journal__query(j, "audit",
			      "INSERT INTO audit(t, action, who, via, fault_id,"
			      " object, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
			      " ?7)",
			      JP_ARGS(JP_REAL(a->t), JP_TEXT(a->action),
				      JP_TEXT(a->who), JP_TEXT(a->via),
				      a->fault_id > 0 ? JP_INT(a->fault_id)
						      : JP_NULL,
				      JP_TEXT(a->object), JP_TEXT(a->note)),
			      NULL, NULL, err, errlen);
}

static void fill_audit(sqlite3_stmt *st, void *slot)
{
	struct journal_audit *a = slot;

	a->t = sqlite3_column_double(st, 0);
	journal__col_text(st, 1, a->action, sizeof(a->action));
	journal__col_text(st, 2, a->who, sizeof(a->who));
	journal__col_text(st, 3, a->via, sizeof(a->via));
	a->fault_id = sqlite3_column_int64(st, 4);
	journal__col_text(st, 5, a->object, sizeof(a->object));
	journal__col_text(st, 6, a->note, sizeof(a->note));
}

int journal_audit_list(struct journal *j, int64_t fault_id,
		       struct journal_audit **ret, size_t *ret_n, char *err,
		       size_t errlen)
{
	int has = 0;

	*ret = NULL;
	*ret_n = 0;
	/* a journal opened read-only may predate the table */
	if (sqlite3_table_column_metadata(journal__db(j), NULL, "audit", "id",
					  NULL, NULL, NULL, NULL,
					  NULL) == SQLITE_OK)
		has = 1;
	if (!has)
		return 0;
	if (fault_id > 0)
		return journal__list_query(
			j, "audit list",
			"SELECT t, action, who, via, fault_id, object, note"
			" FROM audit WHERE fault_id = ?1 ORDER BY t, id",
			JP_ARGS(JP_INT(fault_id)), sizeof(**ret), fill_audit,
			(void **)ret, ret_n, err, errlen);
	return journal__list_query(
		j, "audit list",
		"SELECT t, action, who, via, fault_id, object, note"
		" FROM audit ORDER BY t, id",
		NULL, sizeof(**ret), fill_audit, (void **)ret, ret_n, err,
		errlen);
}
