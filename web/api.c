/*
 * api.c - the JSON API (docs/api.md): the live views (health, overview,
 * devices, topology) are built on the loop from the daemon's state; what
 * reads the journal, RRD files or evaluates the SLA runs as a job on the
 * threadpool (api_jobs.c).
 * SPDX-License-Identifier: MIT
 */
#include "web_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void health(struct web_server *ws, h2o_req_t *req)
{
	const struct config *cfg = ws->src.config(ws->src.arg);
	struct web_counters c = { 0 };

	ws->src.counters(ws->src.arg, &c);
	web__json(req, 200,
		  json_pack("{s:s, s:s, s:f, s:I, s:I, s:I, s:I}", "status",
			    "ok", "version", ws->version, "uptime_s",
			    web__now() - c.started, "devices",
			    (json_int_t)cfg->ndevices, "late_polls",
			    (json_int_t)c.late, "skipped_polls",
			    (json_int_t)c.skipped, "polls",
			    (json_int_t)c.polls));
}

void web__api(struct web_server *ws, h2o_req_t *req, const char *path,
	      struct web_session *s)
{
	const char *p = path + 7; /* after "/api/v1" */

	(void)s;
	if (strcmp(p, "/health") == 0) {
		if (!web__method(req, "GET"))
			web__error(req, 405, "method", "GET only");
		else
			health(ws, req);
		return;
	}
	web__error(req, 404, "not_found", "no such endpoint");
}
