/*
 * diag.h - collected diagnostics ("file:line: message"), for the config and
 * inventory loaders, which report every error rather than only the first.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_DIAG_H
#define SLAMON_DIAG_H

#include <stddef.h>

#define DIAG_MSG_MAX 512
#define DIAG_KEEP_MAX 100 /* messages kept; a binary file makes thousands */
#define DIAG_VALUE_MAX 64 /* bytes of a quoted value (diag_value) */

/* A growing list of messages. Each message is one line, no newline. */
struct diag {
	char **msgs;
	size_t n;
	size_t cap;
	size_t more; /* messages added past DIAG_KEEP_MAX, counted only */
	int oom; /* set when a message could not be stored */
};

/* Appends "file:line: <fmt...>" (line 0 omits the line). The message is
 * made safe for a terminal: control characters (C0, DEL, C1) and bytes
 * that are not valid UTF-8 become \xNN, and the whole is cut to
 * DIAG_MSG_MAX with "...". Past DIAG_KEEP_MAX messages they are only
 * counted in d->more. Never fails loudly: on allocation failure sets
 * d->oom and drops the message. */
void diag_add(struct diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Messages added so far, kept or not: how a loader tells it found errors. */
size_t diag_count(const struct diag *d);

/* A value from the file for a message: at most DIAG_VALUE_MAX bytes of s
 * (cut at a character boundary, then "..."), in buf of len bytes (at least
 * DIAG_VALUE_MAX + 4 to show that much). diag_add escapes it. */
const char *diag_value(const char *s, char *buf, size_t len);

/* Frees every message; the struct itself is the caller's. Accepts NULL. */
void diag_destroy(struct diag *d);

#endif
