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
 * difference in err; -EIO when librrd cannot read it. Of the two traffic
 * shapes, a link file passes as a graph-only one, and a graph-only file
 * asked to be a link file is grown in place (its 5-minute archive to 400
 * days, flushed out of rrdcached at daemon first when daemon is set). */
int storage__layout_check(const char *path, enum storage_layout l,
			  const char *daemon, char *err, size_t errlen);

/* ---- rrdcached BATCH (rrdcached.c) ---- */

/* The writer thread's own connection to rrdcached. */
struct storage_rrdc {
	int fd; /* -1 when not connected */
	char rbuf[4096];
	size_t rlen;
};

/* Called for each failed command of a batch: its index (from 0) and
 * rrdcached's message. */
typedef void (*storage_rrdc_err_fn)(void *arg, size_t cmd, const char *msg);

void storage__rrdc_init(struct storage_rrdc *c);
/* Connects to addr ("unix:/path", "/path", "host:port", "[v6]:port")
 * unless connected: 0 or a negative errno. */
int storage__rrdc_open(struct storage_rrdc *c, const char *addr);
void storage__rrdc_close(struct storage_rrdc *c);
/* Sends the commands cmds (len bytes, "UPDATE file t:v:v\n" lines) as one
 * BATCH and reads its answer: on_err for each failed command. Returns the
 * number of failed commands, or a negative errno with err (the connection
 * is closed then; the next call reconnects); -ENOTCONN when it failed
 * before any command was sent (a stale connection: retry on a new one). */
int storage__rrdc_batch(struct storage_rrdc *c, const char *cmds, size_t len,
			storage_rrdc_err_fn on_err, void *arg, char *err,
			size_t errlen);

#endif
