/*
 * capture_store.c - capture interval records to the journal, off the loop
 * (see capture_store.h).
 *
 * One uv_work_t at a time: the loop moves the whole queue into the batch,
 * the worker commits it in one transaction (journal_capture_put), and the
 * after-work callback on the loop counts the result and starts the next
 * batch if records arrived meanwhile. Only the worker touches the
 * connection while a batch runs, and only one batch runs, so the
 * connection is never used by two threads at once.
 * SPDX-License-Identifier: MIT
 */
#include "capture_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

struct capture_store {
	uv_loop_t *loop;
	struct journal *j;
	uv_work_t work;
	int busy, closing;

	struct journal_capiv *queue; /* loop thread */
	size_t nqueue, capq;
	struct journal_capiv *batch; /* the worker's, while busy */
	size_t nbatch;

	/* worker result, read by the loop after the work is done */
	int rc;
	size_t added;
	char err[256];

	struct capture_store_stats st;
	struct complain cpl;
};

int capture_store_create(uv_loop_t *loop, const char *path,
			 struct capture_store **ret_s, char *err,
			 size_t errlen)
{
	struct capture_store *s = calloc(1, sizeof(*s));
	int rc;

	*ret_s = NULL;
	if (s == NULL) {
		snprintf(err, errlen, "capture records: out of memory");
		return -ENOMEM;
	}
	rc = journal_open(path, &s->j, err, errlen);
	if (rc < 0) {
		free(s);
		return rc;
	}
	s->loop = loop;
	s->work.data = s;
	*ret_s = s;
	return 0;
}

static void store_free(struct capture_store *s)
{
	journal_close(s->j);
	free(s->queue);
	free(s->batch);
	free(s);
}

static void batch_work(uv_work_t *req)
{
	struct capture_store *s = req->data;

	s->err[0] = '\0';
	s->rc = journal_capture_put(s->j, s->batch, s->nbatch,
				    CAPTURE_STORE_KEEP_S, &s->added, s->err,
				    sizeof(s->err));
}

static void batch_start(struct capture_store *s);

static void batch_done(uv_work_t *req, int status)
{
	struct capture_store *s = req->data;
	double now = (double)uv_now(s->loop) / 1000.0;

	s->busy = 0;
	if (status < 0 && s->rc == 0) { /* cancelled: never ran */
		s->rc = -ECANCELED;
		snprintf(s->err, sizeof(s->err), "%s", uv_strerror(status));
	}
	if (s->rc < 0) {
		s->st.failed += s->nbatch;
		snprintf(s->st.last_error, sizeof(s->st.last_error), "%s",
			 s->err);
		c_complain(&s->cpl, now,
			   "capture records: %zu intervals not kept (first: "
			   "capture %s at %lld): %s",
			   s->nbatch, s->batch[0].link,
			   (long long)s->batch[0].start, s->err);
	} else {
		s->st.written += s->added;
		c_release(&s->cpl, "capture records: written again");
	}
	free(s->batch);
	s->batch = NULL;
	s->nbatch = 0;
	batch_start(s);
	if (!s->busy && s->closing)
		store_free(s);
}

/* Hands the whole queue to a new batch: the batch takes the array, the
 * queue starts a new one. */
static void batch_start(struct capture_store *s)
{
	int rc;

	if (s->busy || s->nqueue == 0)
		return;
	s->batch = s->queue;
	s->nbatch = s->nqueue;
	s->queue = NULL;
	s->nqueue = s->capq = 0;
	rc = uv_queue_work(s->loop, &s->work, batch_work, batch_done);
	if (rc < 0) {
		/* cannot happen with a valid loop and callbacks */
		s->st.failed += s->nbatch;
		snprintf(s->st.last_error, sizeof(s->st.last_error),
			 "capture records: %s", uv_strerror(rc));
		free(s->batch);
		s->batch = NULL;
		s->nbatch = 0;
		return;
	}
	s->busy = 1;
}

static int grow(struct capture_store *s)
{
	size_t cap = s->capq ? s->capq * 2 : 16;
	struct journal_capiv *q;

	if (cap > CAPTURE_STORE_QUEUE_MAX)
		cap = CAPTURE_STORE_QUEUE_MAX;
	if (cap <= s->capq)
		return -ENOSPC;
	q = realloc(s->queue, cap * sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	s->queue = q;
	s->capq = cap;
	return 0;
}

void capture_store_submit(struct capture_store *s,
			  const struct journal_capiv *v)
{
	if (s == NULL)
		return;
	if (s->closing || (s->nqueue == s->capq && grow(s) < 0)) {
		s->st.dropped++;
		return;
	}
	s->queue[s->nqueue++] = *v;
	batch_start(s);
}

void capture_store_stats_get(const struct capture_store *s,
			     struct capture_store_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (s == NULL)
		return;
	*ret = s->st;
	ret->queued = s->nqueue + s->nbatch;
}

void capture_store_close(struct capture_store *s)
{
	if (s == NULL)
		return;
	s->closing = 1;
	if (!s->busy)
		store_free(s); /* batch_start never leaves a queue behind */
}
