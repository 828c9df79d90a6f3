/*
 * journal_trap.c - the SNMP traps slamond received (journal.h): one row
 * per trap or inform in the traps table, written in batches by the
 * daemon (collector/traps.c), read by `slamon traps`. Schema version 4
 * adds the table; the step is its own function so that it composes with
 * the other steps of schema_init.
 * SPDX-License-Identifier: MIT
 */
#include "journal.h"
#include "journal_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int journal__trap_schema(struct journal *j, char *err, size_t errlen)
{
	static const char *const sql[] = {
		"CREATE TABLE IF NOT EXISTS traps("
		" id INTEGER PRIMARY KEY,"
		" t REAL NOT NULL,"
		" source TEXT NOT NULL,"
		" device TEXT NOT NULL DEFAULT '',"
		" trap_oid TEXT NOT NULL,"
		" version TEXT NOT NULL,"
		" inform INTEGER NOT NULL DEFAULT 0,"
		" agent TEXT NOT NULL DEFAULT '',"
		" varbinds TEXT NOT NULL DEFAULT '')",
		"CREATE INDEX IF NOT EXISTS traps_t ON traps(t)",
		"CREATE INDEX IF NOT EXISTS traps_device ON traps(device, t)",
	};

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		int rc = journal__query(j, "traps schema", sql[i], NULL, NULL,
					NULL, err, errlen);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int journal_trap_add(struct journal *j, const struct journal_trap *rows,
		     size_t n, char *err, size_t errlen)
{
	int rc;

	if (n == 0)
		return 0;
	rc = journal__query(j, "traps: begin", "BEGIN IMMEDIATE", NULL, NULL,
			    NULL, err, errlen);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct journal_trap *r = &rows[i];

		rc = journal__query(
			j, "traps: insert",
			"INSERT INTO traps(t, source, device, trap_oid,"
			" version, inform, agent, varbinds)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			JP_ARGS(JP_REAL(r->t), JP_TEXT(r->source),
				JP_TEXT(r->device), JP_TEXT(r->trap_oid),
				JP_TEXT(r->version), JP_INT(r->inform),
				JP_TEXT(r->agent), JP_TEXT(r->varbinds)),
			NULL, NULL, err, errlen);
	}
	if (rc < 0) {
		journal__query(j, "traps: rollback", "ROLLBACK", NULL, NULL,
			       NULL, NULL, 0);
		return rc;
	}
	return journal__query(j, "traps: commit", "COMMIT", NULL, NULL, NULL,
			      err, errlen);
}

int journal_trap_prune(struct journal *j, double before, size_t *ret_n,
		       char *err, size_t errlen)
{
	int rc = journal__query(j, "traps: prune",
				"DELETE FROM traps WHERE t < ?1",
				JP_ARGS(JP_REAL(before)), NULL, NULL, err,
				errlen);

	if (rc == 0 && ret_n != NULL)
		*ret_n = (size_t)sqlite3_changes(journal__db(j));
	return rc;
}

static void fill(sqlite3_stmt *st, void *slot)
{
	struct journal_trap *r = slot;

	r->id = sqlite3_column_int64(st, 0);
	r->t = sqlite3_column_double(st, 1);
	journal__col_text(st, 2, r->source, sizeof(r->source));
	journal__col_text(st, 3, r->device, sizeof(r->device));
	journal__col_text(st, 4, r->trap_oid, sizeof(r->trap_oid));
	journal__col_text(st, 5, r->version, sizeof(r->version));
	r->inform = sqlite3_column_int(st, 6);
	journal__col_text(st, 7, r->agent, sizeof(r->agent));
	journal__col_text(st, 8, r->varbinds, sizeof(r->varbinds));
}

int journal_trap_list(struct journal *j, double since, const char *device,
		      size_t limit, struct journal_trap **ret, size_t *ret_n,
		      char *err, size_t errlen)
{
	const char *dev = device ? device : "";

	if (strcmp(dev, "-") == 0)
		dev = "";
	else if (dev[0] == '\0')
		dev = NULL;
	return journal__list_query(
		j, "traps: list",
		"SELECT id, t, source, device, trap_oid, version, inform,"
		" agent, varbinds FROM traps"
		" WHERE t >= ?1 AND (?2 IS NULL OR device = ?2)"
		" ORDER BY t DESC, id DESC LIMIT ?3",
		JP_ARGS(JP_REAL(since), dev ? JP_TEXT(dev) : JP_NULL,
			JP_INT(limit ? (int64_t)limit : -1)),
		sizeof(struct journal_trap), fill, (void **)ret, ret_n, err,
		errlen);
}
