/*
 * journal_int.h - shared by storage/journal*.c only: the connection, the
 * SQLite error mapping, the error buffer and the one statement runner of
 * journal.c.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_JOURNAL_INT_H
#define SLAMON_JOURNAL_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct journal;

#define JOURNAL_STR_(x) #x
#define JOURNAL_STR(x) JOURNAL_STR_(x) /* a numeric macro in SQL text */

/* The journal's connection (owned by it). */
sqlite3 *journal__db(struct journal *j);

/* SQLite result code rc -> negative errno, with "journal: what: message"
 * in err. */
int journal__dberr(struct journal *j, int rc, const char *what, char *err,
		   size_t errlen);

/* Formats one line into the caller's err (nothing when err is NULL or
 * errlen is 0). */
void journal__seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One bound parameter of journal__query, made with the JP_* helpers; a
 * list of them ends with JP_END. */
struct journal__param {
	char type; /* 't' text, 'd' real, 'i' integer, 'n' NULL, 0 end */
	const char *s;
	double d;
	int64_t i;
};

static inline struct journal__param journal__param_make(char type,
							const char *s,
							double d, int64_t i)
{
	struct journal__param p = { type, s, d, i };

	return p;
}

#define JP_TEXT(x) journal__param_make('t', (x), 0, 0) /* NULL binds "" */
#define JP_REAL(x) journal__param_make('d', NULL, (x), 0)
#define JP_INT(x) journal__param_make('i', NULL, 0, (x))
#define JP_NULL journal__param_make('n', NULL, 0, 0)
#define JP_END journal__param_make(0, NULL, 0, 0)
/* JP_ARGS(JP_TEXT(a), JP_REAL(t)): a parameter list, JP_END added. */
#define JP_ARGS(...) ((const struct journal__param[]){ __VA_ARGS__, JP_END })

/* Called with each result row; 0 goes on, anything else stops the loop
 * and is what journal__query returns (a negative errno puts its one line
 * in err itself). */
typedef int (*journal__row_fn)(void *arg, sqlite3_stmt *st, char *err,
			       size_t errlen);

/* The one prepare/bind/step/finalize loop: prepares sql, binds params
 * (?1, ?2, ... in order; NULL for none), steps through every row calling
 * row (NULL: rows are stepped over) and finalizes. Returns 0, row's
 * non-zero value, or a negative errno with "journal: what: message" in
 * err. sqlite3_changes() and sqlite3_last_insert_rowid() of the statement
 * are still readable afterwards. */
int journal__query(struct journal *j, const char *what, const char *sql,
		   const struct journal__param *params, journal__row_fn row,
		   void *arg, char *err, size_t errlen);

/* Copies text column i of the current row into out ("" for NULL),
 * truncated to len - 1 bytes. */
void journal__col_text(sqlite3_stmt *st, int i, char *out, size_t len);

/* Fills one zeroed elem-sized slot from the current row. */
typedef void (*journal__fill_fn)(sqlite3_stmt *st, void *slot);

/* Runs sql through journal__query and hands its rows over, each filled by
 * fill, as a malloc'd array of elem-sized slots the caller frees (NULL
 * with *ret_n = 0 when none; nothing on error, with err). */
int journal__list_query(struct journal *j, const char *what, const char *sql,
			const struct journal__param *params, size_t elem,
			journal__fill_fn fill, void **ret, size_t *ret_n,
			char *err, size_t errlen);

/* Schema 4 (journal_states.c): the index on state_log(t). */
int journal__states_migrate(struct journal *j, char *err, size_t errlen);
/* Schema step of the traps table (journal_trap.c): CREATE ... IF NOT
 * EXISTS, run inside schema_init's transaction. */
int journal__trap_schema(struct journal *j, char *err, size_t errlen);
/* Schema 6's statements (journal_audit.c), run after the base schema. */
extern const char journal__audit_sql[];
/* Whether m is "YYYY-MM" with a month 01..12 (journal_report.c): the
 * key of the per-month rows (reasons, summaries). */
int journal__month_valid(const char *m);

/* Schema 7's step (journal_summary.c): the report_summaries table, if it
 * does not exist. Run inside schema_init's transaction. */
int journal__summary_schema(struct journal *j, char *err, size_t errlen);

#endif
