/*
 * capture_store.h - slamond's writer of capture interval records (top
 * talkers, top ports, counts and drops of every complete interval of a
 * [capture NAME] link) into the journal database (storage/journal.h,
 * journal_capture_put). The loop thread only copies a record into a
 * bounded queue; the SQLite transaction (synchronous=FULL: one fsync)
 * runs on the libuv threadpool, one batch at a time, on a connection of
 * its own, so a slow disk never stalls the loop.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CAPTURE_STORE_H
#define SLAMON_CAPTURE_STORE_H

#include <stdint.h>
#include <uv.h>

#include "storage/journal.h"

/* Records kept per link: as long as the 5-minute RRD rows. */
#define CAPTURE_STORE_KEEP_S (400 * 86400.0)
/* Records waiting for the threadpool (~2.7 KB each). */
#define CAPTURE_STORE_QUEUE_MAX 4096

struct capture_store;

struct capture_store_stats {
	uint64_t written; /* rows committed (new ones) */
	uint64_t failed;  /* records of batches that failed to commit */
	uint64_t dropped; /* records refused: queue full, or closing */
	uint64_t queued;  /* waiting now */
	char last_error[256];
};

/* Opens a connection of its own to the journal at path. Returns 0, or a
 * negative errno with "journal PATH: reason" in err. Loop thread. */
int capture_store_create(uv_loop_t *loop, const char *path,
			 struct capture_store **ret_s, char *err,
			 size_t errlen);

/* Copies v into the queue and starts a batch when none is running. A full
 * queue drops the record and counts it (the RRD row of that interval is
 * still written). Accepts s == NULL (no journal: nothing kept). */
void capture_store_submit(struct capture_store *s,
			  const struct journal_capiv *v);

void capture_store_stats_get(const struct capture_store *s,
			     struct capture_store_stats *ret);

/* Takes no more records; what is queued is still written, then the
 * connection is closed and the memory freed (uv_run returns only after
 * that, as for every threadpool request). Accepts NULL. */
void capture_store_close(struct capture_store *s);

#endif
