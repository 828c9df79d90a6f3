/*
 * diag.h - collected diagnostics ("file:line: message"), for the config and
 * inventory loaders, which report every error rather than only the first.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_DIAG_H
#define SLAMON_DIAG_H

#include <stddef.h>

#define DIAG_MSG_MAX 512

/* A growing list of messages. Each message is one line, no newline. */
struct diag {
	char **msgs;
	size_t n;
	size_t cap;
	int oom; /* set when a message could not be stored */
};

/* Appends "file:line: <fmt...>" (line 0 omits the line). Never fails
 * loudly: on allocation failure sets d->oom and drops the message. */
void diag_add(struct diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Frees every message; the struct itself is the caller's. Accepts NULL. */
void diag_destroy(struct diag *d);

#endif
