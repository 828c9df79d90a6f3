/*
 * rrd_int.h - shared by storage/rrd*.c only.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_RRD_INT_H
#define SLAMON_RRD_INT_H

#include <stddef.h>

#include "rrdstore.h"

/* Copies librrd's error of this thread (its context is per thread) into
 * err as "file: message" (unless the message names file already), one
 * line, and clears it. */
void storage__rrd_err(const char *file, char *err, size_t errlen);

/* Checks that the existing file path has layout l (step, data sources in
 * order, archives): 0; -EPROTO with one line naming the file and the first
 * difference in err; -EIO when librrd cannot read it. */
int storage__layout_check(const char *path, enum storage_layout l, char *err,
			  size_t errlen);

#endif
