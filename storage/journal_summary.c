/*
 * journal_summary.c - the operator's text of a month's 本月运行概况 (the
 * report's summary), one per month (`slamon report summary`): when there
 * is one it replaces the generated summary in the report. Schema 4 adds
 * its table (journal__summary_schema). See journal.h and docs/sla.md.
 * SPDX-License-Identifier: MIT
 */
#include "journal.h"
#include "journal_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int journal__summary_schema(struct journal *j, char *err, size_t errlen)
{
	return journal__query(j, "schema 4 (report_summaries)",
			      "CREATE TABLE IF NOT EXISTS report_summaries("
			      " month TEXT PRIMARY KEY,"
			      " text TEXT NOT NULL,"
			      " t REAL NOT NULL)",
			      NULL, NULL, NULL, err, errlen);
}

int journal_summary_set(struct journal *j, const char *month,
			const char *text, double t, char *err, size_t errlen)
{
	if (!journal__month_valid(month)) {
		journal__seterr(err, errlen,
				"summary: month '%s' is not YYYY-MM",
				month != NULL ? month : "");
		return -EINVAL;
	}
	if (text == NULL || text[0] == '\0')
		return journal__query(j, "remove summary",
				      "DELETE FROM report_summaries"
				      " WHERE month = ?1",
				      JP_ARGS(JP_TEXT(month)), NULL, NULL, err,
				      errlen);
	if (strlen(text) >= JOURNAL_SUMMARY_MAX) {
		journal__seterr(err, errlen,
				"summary: text longer than %d bytes",
				JOURNAL_SUMMARY_MAX - 1);
		return -EINVAL;
	}
	return journal__query(j, "store summary",
			      "INSERT OR REPLACE INTO report_summaries"
			      " VALUES (?1, ?2, ?3)",
			      JP_ARGS(JP_TEXT(month), JP_TEXT(text),
				      JP_REAL(t)),
			      NULL, NULL, err, errlen);
}

struct found {
	int table;
	char *buf;
	size_t len;
	int got;
};

static int table_row(void *arg, sqlite3_stmt *st, char *err, size_t errlen)
{
	(void)st;
	(void)err;
	(void)errlen;
	((struct found *)arg)->table = 1;
	return 0;
}

static int text_row(void *arg, sqlite3_stmt *st, char *err, size_t errlen)
{
	struct found *f = arg;

	(void)err;
	(void)errlen;
	journal__col_text(st, 0, f->buf, f->len);
	f->got = 1;
	return 0;
}

int journal_summary_get(struct journal *j, const char *month, char *buf,
			size_t len, int *ret_found, char *err, size_t errlen)
{
	struct found f = { 0, buf, len, 0 };
	int rc;

	*ret_found = 0;
	if (len > 0)
		buf[0] = '\0';
	/* a read-only connection to an older file: no table, no text */
	rc = journal__query(j, "summary",
			    "SELECT 1 FROM sqlite_master WHERE type = 'table'"
			    " AND name = 'report_summaries'",
			    NULL, table_row, &f, err, errlen);
	if (rc < 0 || !f.table)
		return rc;
	rc = journal__query(j, "summary",
			    "SELECT text FROM report_summaries"
			    " WHERE month = ?1",
			    JP_ARGS(JP_TEXT(month)), text_row, &f, err,
			    errlen);
	*ret_found = f.got;
	return rc;
}
