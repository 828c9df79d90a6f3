/*
 * journal_report.c - what the monthly report keeps in the journal: the
 * reasons operators give for a missed indicator (偏差原因), one per month
 * and indicator (`slamon report annotate`). See journal.h and
 * docs/sla.md.
 * SPDX-License-Identifier: MIT
 */
#include "journal.h"
#include "journal_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDICATOR_MAX sizeof(((struct journal_reason *)0)->indicator)

int journal__month_valid(const char *m)
{
	if (m == NULL || strlen(m) != 7 || m[4] != '-')
		return 0;
	for (int i = 0; i < 7; i++)
		if (i != 4 && !isdigit((unsigned char)m[i]))
			return 0;
	return (m[5] == '0' && m[6] >= '1') ||
	       (m[5] == '1' && m[6] >= '0' && m[6] <= '2');
}

int journal_reason_set(struct journal *j, const char *month,
		       const char *indicator, const char *text, double t,
		       char *err, size_t errlen)
{
	if (!journal__month_valid(month)) {
		journal__seterr(err, errlen, "reason: month '%s' is not YYYY-MM",
				month != NULL ? month : "");
		return -EINVAL;
	}
	if (indicator == NULL || indicator[0] == '\0' ||
	    strlen(indicator) >= INDICATOR_MAX) {
		journal__seterr(err, errlen, "reason: bad indicator id");
		return -EINVAL;
	}
	if (text == NULL || text[0] == '\0')
		return journal__query(j, "remove reason",
				      "DELETE FROM report_reasons"
				      " WHERE month = ?1 AND indicator = ?2",
				      JP_ARGS(JP_TEXT(month), JP_TEXT(indicator)),
				      NULL, NULL, err, errlen);
	if (strlen(text) >= JOURNAL_REASON_MAX) {
		journal__seterr(err, errlen,
				"reason: text longer than %d bytes",
				JOURNAL_REASON_MAX - 1);
		return -EINVAL;
	}
	return journal__query(j, "store reason",
			      "INSERT OR REPLACE INTO report_reasons"
			      " VALUES (?1, ?2, ?3, ?4)",
			      JP_ARGS(JP_TEXT(month), JP_TEXT(indicator),
				      JP_TEXT(text), JP_REAL(t)),
			      NULL, NULL, err, errlen);
}

static void fill_reason(sqlite3_stmt *st, void *slot)
{
	struct journal_reason *e = slot;

	journal__col_text(st, 0, e->month, sizeof(e->month));
	journal__col_text(st, 1, e->indicator, sizeof(e->indicator));
	journal__col_text(st, 2, e->text, sizeof(e->text));
	e->t = sqlite3_column_double(st, 3);
}

/* Row callback: the table exists. */
static int row_found(void *arg, sqlite3_stmt *st, char *err, size_t errlen)
{
	(void)st;
	(void)err;
	(void)errlen;
	*(int *)arg = 1;
	return 0;
}

int journal_reason_list(struct journal *j, const char *month,
			struct journal_reason **ret, size_t *ret_n,
			char *err, size_t errlen)
{
	int found = 0, rc;

	*ret = NULL;
	*ret_n = 0;
	/* a read-only connection to a schema 2 file: no table, no reasons */
	rc = journal__query(j, "reasons",
			    "SELECT 1 FROM sqlite_master WHERE type = 'table'"
			    " AND name = 'report_reasons'",
			    NULL, row_found, &found, err, errlen);
	if (rc < 0 || !found)
		return rc;
	return journal__list_query(j, "reasons",
				   "SELECT month, indicator, text, t"
				   " FROM report_reasons WHERE month = ?1"
				   " ORDER BY indicator",
				   JP_ARGS(JP_TEXT(month)), sizeof(**ret),
				   fill_reason, (void **)ret, ret_n, err,
				   errlen);
}
