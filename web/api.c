/*
 * api.c - the JSON API's router (docs/api.md) and its live views: health,
 * overview, devices, one device, topology, built on the loop from the
 * daemon's state (struct web_source). What reads the journal, RRD files
 * or evaluates the SLA runs as a job on the threadpool (api_faults.c,
 * api_sla.c).
 * SPDX-License-Identifier: MIT
 */
#include "web_int.h"
#include "api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *web__role_zh(enum role r)
{
	static const char *const zh[ROLE_COUNT] = {
		"骨干", "出口", "核心", "汇聚", "接入", "服务器",
		"防火墙", "无线", "物联网终端", "视频监控", "其他"
	};

	return (unsigned)r < ROLE_COUNT ? zh[r] : "?";
}

json_t *web__num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *web__time(double t)
{
	return t > 0 ? json_real(t) : json_null();
}

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

static json_t *tags_json(const char *tags)
{
	json_t *a = json_array();
	char buf[INV_TEXT_MAX], *save = NULL, *t;

	snprintf(buf, sizeof(buf), "%s", tags);
	for (t = strtok_r(buf, ";", &save); t != NULL;
	     t = strtok_r(NULL, ";", &save))
		if (t[0] != '\0')
			json_array_append_new(a, json_string(t));
	return a;
}

static int has_tag(const char *tags, const char *tag)
{
	size_t n = strlen(tag);

	for (const char *p = tags; (p = strstr(p, tag)) != NULL; p++)
		if ((p == tags || p[-1] == ';') &&
		    (p[n] == '\0' || p[n] == ';'))
			return 1;
	return 0;
}

json_t *web__device_json(struct web_server *ws, const struct config *cfg,
			 size_t i)
{
	const struct device *d = &cfg->devices[i];
	struct web_device_view v;
	char addr[INV_ADDR_MAX + 16];

	ws->src.device(ws->src.arg, i, &v);
	if (d->port != 161)
		snprintf(addr, sizeof(addr), d->af == AF_INET6 ? "[%s]:%u"
							       : "%s:%u",
			 d->host, d->port);
	else
		snprintf(addr, sizeof(addr), "%s", d->host);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, "
			 "s:I, s:b, s:f}",
			 "name", d->name, "address", addr, "role",
			 role_name(d->role), "role_name", web__role_zh(d->role),
			 "unit", d->unit, "parent", d->parent, "since",
			 web__time(v.since), "state", obj_state_name(v.state),
			 "tags", tags_json(d->tags), "fault",
			 (json_int_t)v.fault, "flapping", v.flapping,
			 "capacity_mbps", d->capacity_mbps);
}

static int device_matches(struct web_server *ws, const struct config *cfg,
			  size_t i, const char *unit, int role,
			  const char *state, const char *tag, const char *q)
{
	const struct device *d = &cfg->devices[i];

	if (unit[0] && strcmp(d->unit, unit) != 0)
		return 0;
	if (role >= 0 && (int)d->role != role)
		return 0;
	if (tag[0] && !has_tag(d->tags, tag))
		return 0;
	if (q[0] && strcasestr(d->name, q) == NULL &&
	    strstr(d->unit, q) == NULL && strstr(d->host, q) == NULL)
		return 0;
	if (state[0]) {
		struct web_device_view v;

		ws->src.device(ws->src.arg, i, &v);
		if (strcmp(obj_state_name(v.state), state) != 0)
			return 0;
	}
	return 1;
}

static int query_long(h2o_req_t *req, const char *name, long def, long min,
		      long max, long *ret)
{
	char v[32], *end;
	long x;

	*ret = def;
	if (!web__query(req, name, v, sizeof(v)) || v[0] == '\0')
		return 0;
	x = strtol(v, &end, 10);
	if (*end != '\0' || x < min || x > max) {
		web__error(req, 400, "bad_request", "%s must be %ld..%ld",
			   name, min, max);
		return -1;
	}
	*ret = x;
	return 0;
}

static void devices(struct web_server *ws, h2o_req_t *req)
{
	const struct config *cfg = ws->src.config(ws->src.arg);
	char unit[INV_TEXT_MAX], rolev[32], state[32], tag[INV_TEXT_MAX],
		q[128];
	long offset, limit;
	int role = -1;
	size_t total = 0;
	json_t *items = json_array();

	web__query(req, "unit", unit, sizeof(unit));
	web__query(req, "role", rolev, sizeof(rolev));
	web__query(req, "state", state, sizeof(state));
	web__query(req, "tag", tag, sizeof(tag));
	web__query(req, "q", q, sizeof(q));
	if (query_long(req, "offset", 0, 0, 10000000, &offset) < 0 ||
	    query_long(req, "limit", 50, 1, 1000, &limit) < 0) {
		json_decref(items);
		return;
	}
	if (rolev[0] && (role = role_parse(rolev)) < 0) {
		json_decref(items);
		web__error(req, 400, "bad_request", "unknown role '%s'", rolev);
		return;
	}
	if (state[0] && strcmp(state, "up") && strcmp(state, "down") &&
	    strcmp(state, "unreachable") && strcmp(state, "maintenance") &&
	    strcmp(state, "unknown")) {
		json_decref(items);
		web__error(req, 400, "bad_request",
			   "state is up, down, unreachable, maintenance or "
			   "unknown");
		return;
	}
	for (size_t i = 0; i < cfg->ndevices; i++) {
		if (!device_matches(ws, cfg, i, unit, role, state, tag, q))
			continue;
		if (total >= (size_t)offset &&
		    total < (size_t)offset + (size_t)limit)
			json_array_append_new(items,
					      web__device_json(ws, cfg, i));
		total++;
	}
	web__json(req, 200, json_pack("{s:I, s:I, s:I, s:o}", "total",
				      (json_int_t)total, "offset",
				      (json_int_t)offset, "limit",
				      (json_int_t)limit, "items", items));
}

/* Utilisation of a link as status.json and the util rule measure it:
 * against the contracted capacity first, else the interface speed. */
json_t *web__iface_json(const struct device *d, size_t k,
			const struct web_iface_view *f)
{
	double base = d->capacity_mbps > 0 ? d->capacity_mbps : f->speed_mbps;
	double util = NAN;

	if (base > 0 && isfinite(f->in_bps) && isfinite(f->out_bps))
		util = 100.0 * fmax(f->in_bps, f->out_bps) / (base * 1e6);
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, "
			 "s:o}",
			 "ifindex", (json_int_t)k, "name", f->name, "oper",
			 f->t > 0 ? "up" : "unknown", "speed_mbps",
			 web__num(f->speed_mbps > 0 ? f->speed_mbps : NAN),
			 "capacity_mbps",
			 web__num(d->capacity_mbps > 0 ? d->capacity_mbps
						       : NAN),
			 "in_bps", web__num(f->in_bps), "out_bps",
			 web__num(f->out_bps), "util_pct", web__num(util),
			 "util_basis",
			 d->capacity_mbps > 0 ? "capacity" : "speed", "t",
			 web__time(f->t));
}

static json_t *ifaces_json(struct web_server *ws, const struct config *cfg,
			   size_t i)
{
	json_t *a = json_array();
	struct web_iface_view f;

	for (size_t k = 0; ws->src.iface(ws->src.arg, i, k, &f) == 0; k++)
		json_array_append_new(a,
				      web__iface_json(&cfg->devices[i], k, &f));
	return a;
}

static void device_one(struct web_server *ws, h2o_req_t *req,
		       const char *name, struct web_session *s)
{
	const struct config *cfg = ws->src.config(ws->src.arg);
	int i = config_find_device(cfg, name);
	json_t *v;

	if (i < 0) {
		web__error(req, 404, "not_found", "no device '%s'", name);
		return;
	}
	v = web__device_json(ws, cfg, (size_t)i);
	json_object_set_new(v, "probe", json_string("snmp"));
	json_object_set_new(v, "interfaces", ifaces_json(ws, cfg, (size_t)i));
	web__device_history(ws, req, s, name, v);
}

static void topology(struct web_server *ws, h2o_req_t *req)
{
	const struct config *cfg = ws->src.config(ws->src.arg);
	json_t *nodes = json_array();

	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];
		struct web_device_view v;

		ws->src.device(ws->src.arg, i, &v);
		json_array_append_new(
			nodes, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}",
					 "name", d->name, "role",
					 role_name(d->role), "state",
					 obj_state_name(v.state), "parent",
					 d->parent, "unit", d->unit, "fault",
					 (json_int_t)v.fault));
	}
	web__json(req, 200, json_pack("{s:o}", "nodes", nodes));
}

/* Counts per role and state, and the backbone, exit and contracted
 * links: the live half of the overview (the faults half is a job). */
json_t *web__overview_live(struct web_server *ws)
{
	const struct config *cfg = ws->src.config(ws->src.arg);
	size_t cnt[ROLE_COUNT][OBJ_STATE_COUNT] = { { 0 } };
	int present[ROLE_COUNT] = { 0 };
	json_t *roles = json_array(), *links = json_array();

	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];
		struct web_device_view v;
		struct web_iface_view f;

		ws->src.device(ws->src.arg, i, &v);
		cnt[d->role][v.state]++;
		present[d->role] = 1;
		if (d->role != ROLE_BACKBONE && d->role != ROLE_EXIT &&
		    d->capacity_mbps <= 0)
			continue;
		for (size_t k = 0; ws->src.iface(ws->src.arg, i, k, &f) == 0;
		     k++) {
			json_t *l = web__iface_json(d, k, &f);

			json_object_set_new(l, "device", json_string(d->name));
			json_object_set_new(l, "ifname", json_string(f.name));
			json_object_set_new(l, "role",
					    json_string(role_name(d->role)));
			json_array_append_new(links, l);
		}
	}
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!present[r])
			continue;
		json_array_append_new(
			roles,
			json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "role",
				  role_name((enum role)r), "name",
				  web__role_zh((enum role)r), "up",
				  (json_int_t)cnt[r][OBJ_UP], "down",
				  (json_int_t)cnt[r][OBJ_DOWN], "unreachable",
				  (json_int_t)cnt[r][OBJ_UNREACHABLE],
				  "maintenance", (json_int_t)cnt[r][OBJ_MAINT],
				  "unknown", (json_int_t)cnt[r][OBJ_UNKNOWN]));
	}
	return json_pack("{s:f, s:o, s:o}", "generated", web__now(), "roles",
			 roles, "links", links);
}

static int segs(const char *p, char seg[4][256])
{
	int n = 0;

	while (*p == '/' && n < 4) {
		const char *e = strchr(p + 1, '/');
		size_t l = e ? (size_t)(e - p - 1) : strlen(p + 1);

		if (l >= 256)
			return -1;
		memcpy(seg[n], p + 1, l);
		seg[n][l] = '\0';
		n++;
		if (e == NULL)
			return n;
		p = e;
	}
	return *p == '\0' ? n : -1;
}

void web__api(struct web_server *ws, h2o_req_t *req, const char *path,
	      struct web_session *s)
{
	char seg[4][256];
	int n = segs(path + 7, seg); /* after "/api/v1" */
	int get = web__method(req, "GET") || web__method(req, "HEAD");
	int post = web__method(req, "POST");

	if (n < 1) {
		web__error(req, 404, "not_found", "no such endpoint");
		return;
	}
	/* GET endpoints */
	if (get || !post) {
		if (!get) {
			web__error(req, 405, "method", "%.*s not allowed",
				   (int)req->method.len, req->method.base);
			return;
		}
		if (n == 1 && strcmp(seg[0], "health") == 0)
			health(ws, req);
		else if (n == 1 && strcmp(seg[0], "overview") == 0)
			web__overview(ws, req, s);
		else if (n == 1 && strcmp(seg[0], "devices") == 0)
			devices(ws, req);
		else if (n == 2 && strcmp(seg[0], "devices") == 0)
			device_one(ws, req, seg[1], s);
		else if (n == 1 && strcmp(seg[0], "topology") == 0)
			topology(ws, req);
		else if (n == 1 && strcmp(seg[0], "series") == 0)
			web__series(ws, req, s);
		else if (n == 1 && strcmp(seg[0], "faults") == 0)
			web__faults(ws, req, s);
		else if (n == 2 && strcmp(seg[0], "faults") == 0)
			web__fault_one(ws, req, s, seg[1]);
		else if (n == 1 && strcmp(seg[0], "sla") == 0)
			web__sla(ws, req, s, NULL);
		else if (n == 3 && strcmp(seg[0], "sla") == 0 &&
			 strcmp(seg[2], "evidence") == 0)
			web__sla(ws, req, s, seg[1]);
		else if (n == 1 && strcmp(seg[0], "reports") == 0)
			web__reports(ws, req, s);
		else if (n == 3 && strcmp(seg[0], "reports") == 0)
			web__report_file(ws, req, s, seg[1], seg[2]);
		else if ((n == 3 && strcmp(seg[0], "faults") == 0) ||
			 strcmp(seg[0], "login") == 0)
			web__error(req, 405, "method", "POST only");
		else
			web__error(req, 404, "not_found", "no such endpoint");
		return;
	}
	if (n == 3 && strcmp(seg[0], "faults") == 0 &&
	    (strcmp(seg[2], "ack") == 0 || strcmp(seg[2], "close") == 0))
		web__fault_write(ws, req, s, seg[1], seg[2]);
	else if (n == 1 && strcmp(seg[0], "reports") == 0)
		web__report_generate(ws, req, s);
	else if (n >= 1 && (strcmp(seg[0], "faults") == 0 ||
			    strcmp(seg[0], "devices") == 0 ||
			    strcmp(seg[0], "overview") == 0 ||
			    strcmp(seg[0], "sla") == 0 ||
			    strcmp(seg[0], "topology") == 0 ||
			    strcmp(seg[0], "series") == 0 ||
			    strcmp(seg[0], "health") == 0))
		web__error(req, 405, "method", "GET only");
	else
		web__error(req, 404, "not_found", "no such endpoint");
}
