/*
 * rrd_int.h - shared by storage/rrd*.c only.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_RRD_INT_H
#define SLAMON_RRD_INT_H

/* mkdir -p: creates each missing folder of path with mode 0755. 0, or a
 * negative errno (-ENOTDIR when path is not a folder). */
int storage__mkdir_p(const char *path);

/* Copies librrd's error of this thread (its context is per thread) into
 * err as "file: message" (unless the message names file already), one
 * line, and clears it. */
void storage__rrd_err(const char *file, char *err, size_t errlen);

#endif
