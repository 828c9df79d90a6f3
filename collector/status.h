/*
 * status.h - the live status snapshot: slamond replaces a JSON file
 * atomically (write to a temporary file, fsync, rename) every few seconds;
 * `slamon status` reads it. Readers never see a half-written file.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_STATUS_H
#define SLAMON_STATUS_H

#include <jansson.h>
#include <stdio.h>

/* Writes snap to path atomically. Returns 0, or a negative errno with a
 * one-line reason naming the file in err. */
int status_write(const char *path, const json_t *snap, char *err,
		 size_t errlen);

/* Prints the snapshot at path to out, as a table (lang "zh" or "en") or as
 * the raw JSON. Returns 0, or 2 with a message on stderr when the file is
 * missing or unreadable. stale_after > 0 adds a warning when the snapshot
 * is older than that many seconds. */
int status_print(const char *path, int as_json, const char *lang,
		 double stale_after, FILE *out);

#endif
