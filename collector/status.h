/*
 * status.h - the live status snapshot: slamond replaces a JSON file
 * atomically (write to a temporary file, fsync, rename) every few seconds;
 * `slamon status` (cli/cmd_status.c) reads it. Readers never see a
 * half-written file.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_STATUS_H
#define SLAMON_STATUS_H

#include <jansson.h>

/* Writes snap to path atomically. Returns 0, or a negative errno with a
 * one-line reason naming the file in err. */
int status_write(const char *path, const json_t *snap, char *err,
		 size_t errlen);

#endif
