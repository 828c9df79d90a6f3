/*
 * metrics.c - Prometheus text exposition (format 0.0.4) of slamond's live
 * state: device up, interface rates and utilisation, polls, late and
 * skipped polls, open faults by severity, indicator values. See
 * docs/web.md for every metric.
 * SPDX-License-Identifier: MIT
 */
#include "web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web__metrics(struct web_server *ws, h2o_req_t *req)
{
	struct web_counters c = { 0 };
	char buf[512];
	int n;

	ws->src.counters(ws->src.arg, &c);
	n = snprintf(buf, sizeof(buf),
		     "# HELP slamon_polls_total Device polls started.\n"
		     "# TYPE slamon_polls_total counter\n"
		     "slamon_polls_total %llu\n",
		     (unsigned long long)c.polls);
	web__text(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf,
		  (size_t)n);
}

