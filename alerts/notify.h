/*
 * notify.h - the notifiers: [notifier NAME] sections of type command
 * (argument vector, no shell, fault fields in SLAMON_* environment
 * variables, killed after its timeout), webhook (HTTP POST of JSON with
 * libcurl; templates generic, wecom (企业微信 group robot) and dingtalk
 * (钉钉 robot)) and syslog.
 *
 * Deliveries run on one worker thread fed by a bounded queue: submitting
 * never blocks the loop thread, and a notifier that hangs only delays the
 * worker by its timeout. Failed attempts are retried with exponential
 * back-off (backoff, 2*backoff, ...) up to `retries` times. Every attempt is
 * recorded in the journal (the worker has its own connection); the fault
 * itself was committed before it was submitted, so no failure here loses
 * it.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_NOTIFY_H
#define SLAMON_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "engine.h"

struct notifier;

/* Starts the worker for cfg->notifiers (copied: cfg may be freed after).
 * journal_path is opened by the worker. queue_max bounds pending
 * deliveries (0: 4096). Returns 0 or a negative errno with err. */
int notifier_create(const struct config *cfg, const char *journal_path,
		    size_t queue_max, struct notifier **ret_n, char *err,
		    size_t errlen);

/* Queues one delivery per interested notifier (events, min_severity) for
 * an AEV_OPEN/RESOLVE/REMIND event (copied; other events are ignored).
 * Never blocks: -EAGAIN when the queue is full (counted as dropped). */
int notifier_submit(struct notifier *n, const struct alert_event *ev);

/* Waits until nothing is queued, retried or running, at most timeout_ms.
 * 0 or -ETIMEDOUT. For tests and orderly shutdown. */
int notifier_drain(struct notifier *n, int timeout_ms);

struct notifier_stats {
	uint64_t attempts, delivered, failed, gave_up, dropped;
	size_t queued;
};
void notifier_stats_get(struct notifier *n, struct notifier_stats *ret);

/* Stops the worker after its current attempt (bounded by that notifier's
 * timeout); deliveries still queued are recorded as "abandoned". Accepts
 * NULL. */
void notifier_destroy(struct notifier *n);

/* The message text of an event (Chinese, one paragraph), as the templates
 * send it. */
void notify_format_text(const struct alert_event *ev, char *out, size_t len);

/* The JSON body a webhook with template tmpl posts; malloc'd. */
char *notify_format_body(const struct alert_event *ev, int tmpl);

#endif
