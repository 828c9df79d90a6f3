/*
 * journal_int.h - shared by storage/journal*.c only: the connection and
 * the SQLite error mapping of journal.c.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_JOURNAL_INT_H
#define SLAMON_JOURNAL_INT_H

#include <sqlite3.h>
#include <stddef.h>

struct journal;

/* The journal's connection (owned by it). */
sqlite3 *journal__db(struct journal *j);

/* SQLite result code rc -> negative errno, with "journal: what: message"
 * in err. */
int journal__dberr(struct journal *j, int rc, const char *what, char *err,
		   size_t errlen);

#endif
