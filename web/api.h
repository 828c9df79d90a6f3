/*
 * api.h - shared by the files of the JSON API (api*.c): the endpoints the
 * router hands requests to, and JSON helpers.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_WEB_API_H
#define SLAMON_WEB_API_H

#include "web_int.h"

/* Chinese name of a role ("骨干"). */
const char *web__role_zh(enum role r);
/* A finite number, else null. */
json_t *web__num(double v);
/* A time (> 0), else null. */
json_t *web__time(double t);
/* One device of the list. */
json_t *web__device_json(struct web_server *ws, const struct config *cfg,
			 size_t i);
/* One interface with its utilisation. */
json_t *web__iface_json(const struct device *d, size_t k,
			const struct web_iface_view *f);
/* The overview's live half (roles, links). */
json_t *web__overview_live(struct web_server *ws);

/* api_faults.c */
void web__overview(struct web_server *ws, h2o_req_t *req,
		   struct web_session *s);
void web__device_history(struct web_server *ws, h2o_req_t *req,
			 struct web_session *s, const char *name, json_t *v);
void web__faults(struct web_server *ws, h2o_req_t *req,
		 struct web_session *s);
void web__fault_one(struct web_server *ws, h2o_req_t *req,
		    struct web_session *s, const char *id);
void web__fault_write(struct web_server *ws, h2o_req_t *req,
		      struct web_session *s, const char *id,
		      const char *action);
/* The fault objects of the API, with their history (audit rows). */
json_t *web__fault_json(const struct fault *f, const struct journal_audit *a,
			size_t na, double now);
/* Faults of the journal matching q (and device, "" any) as JSON, with
 * their audit rows; the caller holds ws->jmu. NULL with j failed. */
json_t *web__fault_list(struct web_job *j, const struct fault_query *q,
			const char *device);

/* api_sla.c */
void web__series(struct web_server *ws, h2o_req_t *req,
		 struct web_session *s);
void web__sla(struct web_server *ws, h2o_req_t *req, struct web_session *s,
	      const char *evidence_id);
void web__reports(struct web_server *ws, h2o_req_t *req,
		  struct web_session *s);
void web__report_file(struct web_server *ws, h2o_req_t *req,
		      struct web_session *s, const char *month,
		      const char *file);
void web__report_generate(struct web_server *ws, h2o_req_t *req,
			  struct web_session *s);

#endif
