/*
 * http_receiver.h - a tiny HTTP/1.1 receiver on 127.0.0.1 for webhook
 * tests: one thread, one connection at a time, answers every POST with a
 * fixed status and body after an optional delay (a "hanging" receiver),
 * and remembers how many requests came and the last body.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TESTS_HTTP_RECEIVER_H
#define SLAMON_TESTS_HTTP_RECEIVER_H

#include <stddef.h>

struct http_receiver;

/* Listens on 127.0.0.1 (a free port). Every request gets status with
 * body (NULL: "{}") after delay_ms (0: at once). Returns 0 or -errno. */
int http_receiver_start(struct http_receiver **ret, int status,
			const char *body, int delay_ms);
int http_receiver_port(const struct http_receiver *r);
/* Requests fully read so far. */
int http_receiver_count(struct http_receiver *r);
/* Copies the last request body (NUL-terminated, truncated). */
void http_receiver_last_body(struct http_receiver *r, char *out, size_t len);
/* Stops the thread (a pending delay is cut short), closes, frees. */
void http_receiver_stop(struct http_receiver *r);

#endif
