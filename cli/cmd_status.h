/*
 * cmd_status.h - `slamon status`: prints the snapshot slamond writes.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CMD_STATUS_H
#define SLAMON_CMD_STATUS_H

#include <jansson.h>
#include <stdio.h>

/* Prints the snapshot at path to out, as a table (lang "zh" or "en") or as
 * the raw JSON. Returns 0, or 2 with a message on stderr when the file is
 * missing or unreadable. stale_after > 0 adds a warning when the snapshot
 * is older than that many seconds. */
int status_print(const char *path, int as_json, const char *lang,
		 double stale_after, FILE *out);

#endif
