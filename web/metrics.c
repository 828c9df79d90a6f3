/*
 * metrics.c - Prometheus text exposition (format 0.0.4) of slamond's live
 * state, so an existing Prometheus/Grafana scrapes it unchanged: device up,
 * interface rates and utilisation, polls, poll durations, late and
 * skipped polls, open faults by severity, this month's indicators. The
 * live part is written on the loop (it reads the daemon's state); the
 * fault counts are read from the journal in a job. See docs/web.md.
 * SPDX-License-Identifier: MIT
 */
#include "api.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double web_poll_buckets[WEB_POLL_BUCKETS] = { 0.05, 0.1, 0.25, 0.5,
						    1,    2.5, 5,    10 };

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		char *np;

		while (b->n + n + 1 > cap)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* Room for n more bytes in one allocation: a full scrape is 30 MB at
 * 28,000 devices, and growing to it by doubling copied about as much
 * again (a quarter of the formatting time). */
static void sb_reserve(struct sbuf *b, size_t n)
{
	char *np;

	if (b->oom || b->n + n + 1 <= b->cap)
		return;
	np = realloc(b->p, b->n + n + 1);
	if (np == NULL) {
		b->oom = 1;
		return;
	}
	b->p = np;
	b->cap = b->n + n + 1;
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
						       : sizeof(tmp) - 1);
}

/* A label value: backslash, double quote and newline escaped (names
 * without them, nearly all, go in one piece). */
static void sb_label(struct sbuf *b, const char *name, const char *v,
		     int last)
{
	size_t nl = strlen(name), vl = strlen(v);

	sb_add(b, name, nl);
	sb_add(b, "=\"", 2);
	if (strpbrk(v, "\\\"\n") == NULL) {
		sb_add(b, v, vl);
	} else {
		for (const char *p = v; *p; p++) {
			if (*p == '\\' || *p == '"')
				sb_add(b, "\\", 1);
			if (*p == '\n')
				sb_add(b, "\\n", 2);
			else
				sb_add(b, p, 1);
		}
	}
	sb_add(b, last ? "\"}" : "\",", 2);
}

static void family(struct sbuf *b, const char *name, const char *type,
		   const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Digits of u, right to left, ending at end; returns the first. */
static char *utoa_r(char *end, unsigned long long u)
{
	do
		*--end = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	return end;
}

/* At least ten significant digits (a rate of 1.25e9 bytes/s to the
 * byte), integers as integers. printf's %g was a third of a full scrape
 * at 28,000 devices, so the usual ranges are written by hand: |v| scaled
 * to a fixed number of decimals stays below 2^53, rounded once. */
static void value(struct sbuf *b, double v)
{
	static const struct {
		double lo, hi, scale;
		unsigned long long div;
		int dec;
	} r[] = {
		{ 1e9, 1e12, 1e3, 1000ULL, 3 },
		{ 1e6, 1e9, 1e6, 1000000ULL, 6 },
		{ 1, 1e6, 1e9, 1000000000ULL, 9 },
		{ 1e-2, 1, 1e12, 1000000000000ULL, 12 },
	};
	char tmp[48], *e = tmp + sizeof(tmp), *p;
	double a = fabs(v);
	int n;

	if (!isfinite(v)) {
		sb_add(b, " NaN\n", 5);
		return;
	}
	if (v == (double)(long long)v && a < 1e15) {
		*--e = '\n';
		p = utoa_r(e, (unsigned long long)a);
		if (v < 0)
			*--p = '-';
		*--p = ' ';
		sb_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
		return;
	}
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		unsigned long long q, ip, fp;
		char frac[16];
		int d;

		if (a < r[i].lo || a >= r[i].hi)
			continue;
		q = (unsigned long long)llround(a * r[i].scale);
		ip = q / r[i].div;
		fp = q % r[i].div;
		d = r[i].dec;
		*--e = '\n';
		if (fp != 0) {
			char *f = utoa_r(frac + sizeof(frac), fp);
			size_t len = (size_t)(frac + sizeof(frac) - f);

			while (fp % 10 == 0) { /* no trailing zeros */
				fp /= 10;
				len--;
				d--;
			}
			e -= len;
			memcpy(e, f, len);
			while (d-- > (int)len)
				*--e = '0';
			*--e = '.';
		}
		p = utoa_r(e, ip);
		if (v < 0)
			*--p = '-';
		*--p = ' ';
		sb_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
		return;
	}
	n = snprintf(tmp, sizeof(tmp), " %.10g\n", v);
	sb_add(b, tmp, (size_t)n);
}

/* What a scrape shows, copied on the loop (a few MB at 28,000 devices)
 * and written out on the threadpool, so the loop only copies. */
struct msnap_dev {
	char name[CFG_NAME_MAX];
	uint8_t role, state;
};

struct msnap_if {
	uint32_t dev;
	char name[96];
	double in, out, base;
};

struct msnap {
	struct web_counters c;
	double now;
	char version[32];
	size_t ndev, nif, capif;
	struct msnap_dev *dev;
	struct msnap_if *ifs;
	json_t *ind; /* a deep copy of this month's indicators, or NULL */
};

static void msnap_free(struct msnap *m)
{
	if (m == NULL)
		return;
	free(m->dev);
	free(m->ifs);
	json_decref(m->ind);
	free(m);
}

static struct msnap *msnap_take(struct web_server *ws)
{
	const struct config *cfg = ws->src.config(ws->src.arg);
	struct msnap *m = calloc(1, sizeof(*m));
	struct web_device_view v;
	struct web_iface_view f;

	if (m == NULL)
		return NULL;
	ws->src.counters(ws->src.arg, &m->c);
	m->now = web__now();
	snprintf(m->version, sizeof(m->version), "%s", ws->version);
	m->dev = calloc(cfg->ndevices + 1, sizeof(*m->dev));
	if (m->dev == NULL)
		goto oom;
	m->ndev = cfg->ndevices;
	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];

		ws->src.device(ws->src.arg, i, &v);
		memcpy(m->dev[i].name, d->name, sizeof(d->name));
		m->dev[i].role = (uint8_t)d->role;
		m->dev[i].state = (uint8_t)v.state;
		for (size_t k = 0; ws->src.iface(ws->src.arg, i, k, &f) == 0;
		     k++) {
			struct msnap_if *x;

			if (m->nif == m->capif) {
				size_t cap = m->capif ? m->capif * 2 : 1024;
				struct msnap_if *n =
					realloc(m->ifs, cap * sizeof(*n));

				if (n == NULL)
					goto oom;
				m->ifs = n;
				m->capif = cap;
			}
			x = &m->ifs[m->nif++];
			x->dev = (uint32_t)i;
			snprintf(x->name, sizeof(x->name), "%s", f.name);
			x->in = f.in_bps;
			x->out = f.out_bps;
			x->base = d->capacity_mbps > 0 ? d->capacity_mbps
						       : f.speed_mbps;
		}
	}
	if (ws->indicators != NULL) {
		m->ind = json_deep_copy(ws->indicators);
		if (m->ind == NULL)
			goto oom;
	}
	return m;
oom:
	msnap_free(m);
	return NULL;
}

static void live(const struct msnap *m, struct sbuf *b)
{
	size_t cnt[ROLE_COUNT][OBJ_STATE_COUNT] = { { 0 } };
	uint64_t cum = 0;
	size_t need = 65536;

	/* the size of what follows, a little over: names, labels and values
	 * of the device lines and the three interface families */
	for (size_t i = 0; i < m->ndev; i++)
		need += strlen(m->dev[i].name) + 64;
	for (size_t i = 0; i < m->nif; i++)
		need += 3 * (strlen(m->dev[m->ifs[i].dev].name) +
			     strlen(m->ifs[i].name) + 80);
	sb_reserve(b, need);

	family(b, "slamon_build_info", "gauge", "slamond's version.");
	sb_add(b, "slamon_build_info{", 18);
	sb_label(b, "version", m->version, 1);
	value(b, 1);
	family(b, "slamon_uptime_seconds", "gauge",
	       "Seconds since slamond started.");
	sb_printf(b, "slamon_uptime_seconds %.3f\n", m->now - m->c.started);
	family(b, "slamon_devices", "gauge", "Devices in the inventory.");
	sb_printf(b, "slamon_devices %zu\n", m->ndev);
	family(b, "slamon_polls_total", "counter", "Device polls done.");
	sb_printf(b, "slamon_polls_total %llu\n",
		  (unsigned long long)m->c.polls);
	family(b, "slamon_polls_late_total", "counter",
	       "Polls that started later than a tenth of the interval.");
	sb_printf(b, "slamon_polls_late_total %llu\n",
		  (unsigned long long)m->c.late);
	family(b, "slamon_polls_skipped_total", "counter",
	       "Polls skipped: the previous poll was still running.");
	sb_printf(b, "slamon_polls_skipped_total %llu\n",
		  (unsigned long long)m->c.skipped);
	family(b, "slamon_polls_in_flight", "gauge", "Polls running now.");
	sb_printf(b, "slamon_polls_in_flight %llu\n",
		  (unsigned long long)m->c.inflight);
	family(b, "slamon_poll_duration_seconds", "histogram",
	       "Wall time of one device poll.");
	for (size_t k = 0; k < WEB_POLL_BUCKETS; k++) {
		cum += m->c.hist[k];
		sb_printf(b, "slamon_poll_duration_seconds_bucket{le=\"%g\"} "
			     "%llu\n",
			  web_poll_buckets[k], (unsigned long long)cum);
	}
	cum += m->c.hist[WEB_POLL_BUCKETS];
	sb_printf(b, "slamon_poll_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		     "slamon_poll_duration_seconds_sum %.6f\n"
		     "slamon_poll_duration_seconds_count %llu\n",
		  (unsigned long long)cum, m->c.poll_seconds,
		  (unsigned long long)cum);

	family(b, "slamon_device_up", "gauge",
	       "1 when the device is up, 0 when down, unreachable or in "
	       "maintenance; NaN before its first answer.");
	for (size_t i = 0; i < m->ndev; i++) {
		const struct msnap_dev *d = &m->dev[i];

		sb_add(b, "slamon_device_up{", 17);
		sb_label(b, "device", d->name, 0);
		sb_label(b, "role", role_name((enum role)d->role), 1);
		value(b, d->state == OBJ_UNKNOWN ? NAN : d->state == OBJ_UP);
		if (d->role < ROLE_COUNT && d->state < OBJ_STATE_COUNT)
			cnt[d->role][d->state]++;
	}
	family(b, "slamon_devices_state", "gauge",
	       "Devices per role and state (as the alerts engine decided).");
	for (int r = 0; r < ROLE_COUNT; r++)
		for (int s = 0; s < OBJ_STATE_COUNT; s++) {
			if (cnt[r][s] == 0)
				continue;
			sb_add(b, "slamon_devices_state{", 21);
			sb_label(b, "role", role_name((enum role)r), 0);
			sb_label(b, "state", obj_state_name((enum obj_state)s),
				 1);
			value(b, (double)cnt[r][s]);
		}
	/* one family at a time: rates in, out, then utilisation */
	for (int k = 0; k < 3; k++) {
		static const char *const names[] = {
			"slamon_interface_in_bytes_per_second",
			"slamon_interface_out_bytes_per_second",
			"slamon_interface_utilization_ratio",
		};
		static const char *const helps[] = {
			"Inbound rate of the last poll (bits/s over 8).",
			"Outbound rate of the last poll (bits/s over 8).",
			"max(in, out) over the contracted capacity, else the "
			"interface speed (as the util rule and the SLA).",
		};

		family(b, names[k], "gauge", helps[k]);
		for (size_t i = 0; i < m->nif; i++) {
			const struct msnap_if *f = &m->ifs[i];
			double x = k == 0   ? f->in / 8
				   : k == 1 ? f->out / 8
				   : f->base > 0
					   ? fmax(f->in, f->out) / (f->base * 1e6)
					   : NAN;

			if (!isfinite(x))
				continue;
			sb_add(b, names[k], strlen(names[k]));
			sb_add(b, "{", 1);
			sb_label(b, "device", m->dev[f->dev].name, 0);
			sb_label(b, "ifname", f->name, 1);
			value(b, x);
		}
	}
}

static void indicators(const json_t *ind, struct sbuf *b)
{
	size_t i;
	json_t *v;

	family(b, "slamon_indicator_value", "gauge",
	       "This month's value of each SLA indicator (its unit in the "
	       "label).");
	json_array_foreach(ind, i, v) {
		sb_add(b, "slamon_indicator_value{", 23);
		sb_label(b, "id", json_string_value(json_object_get(v, "id")),
			 0);
		sb_label(b, "unit",
			 json_string_value(json_object_get(v, "unit")), 1);
		value(b, json_is_number(json_object_get(v, "value"))
				 ? json_number_value(json_object_get(v, "value"))
				 : NAN);
	}
	family(b, "slamon_indicator_target", "gauge",
	       "The target of each SLA indicator.");
	json_array_foreach(ind, i, v) {
		sb_add(b, "slamon_indicator_target{", 24);
		sb_label(b, "id", json_string_value(json_object_get(v, "id")),
			 1);
		value(b, json_number_value(json_object_get(v, "target")));
	}
	family(b, "slamon_indicator_met", "gauge",
	       "1 when this month's indicator meets its target, 0 when not, "
	       "NaN without data.");
	json_array_foreach(ind, i, v) {
		json_t *met = json_object_get(v, "met");

		sb_add(b, "slamon_indicator_met{", 21);
		sb_label(b, "id", json_string_value(json_object_get(v, "id")),
			 1);
		value(b, json_is_boolean(met) ? json_is_true(met) : NAN);
	}
}

static void faults_run(struct web_job *j)
{
	static const char *const sev[] = { "critical", "major", "minor",
					   "warning" };
	struct fault_query q = { .filter = JQ_OPEN };
	struct fault *f = NULL;
	size_t n = 0, cnt[4] = { 0 };
	char err[256];
	struct sbuf b = { 0 };
	struct msnap *m = j->snap;

	live(m, &b);
	if (m->ind != NULL)
		indicators(m->ind, &b);
	pthread_mutex_lock(&j->ws->jmu);
	if (journal_fault_list(j->ws->journal, &q, &f, &n, err, sizeof(err)) <
	    0) {
		pthread_mutex_unlock(&j->ws->jmu);
		free(b.p);
		web__job_fail(j, 500, "journal", "%s", err);
		return;
	}
	pthread_mutex_unlock(&j->ws->jmu);
	for (size_t i = 0; i < n; i++) {
		int s = severity_parse(f[i].severity);

		if (s >= 0 && s < 4)
			cnt[s]++;
	}
	free(f);
	family(&b, "slamon_faults_open", "gauge",
	       "Faults not closed yet, by severity.");
	for (int s = 0; s < 4; s++)
		sb_printf(&b, "slamon_faults_open{severity=\"%s\"} %zu\n",
			  sev[s], cnt[s]);
	j->body = b.p;
	j->blen = b.n;
	if (b.oom)
		web__job_fail(j, 500, "internal", "out of memory");
}

static void metrics_free(void *p)
{
	msnap_free(p);
}

void web__metrics(struct web_server *ws, h2o_req_t *req)
{
	struct msnap *m;
	struct web_job *j;

	if (!web__method(req, "GET") && !web__method(req, "HEAD")) {
		web__error(req, 405, "method", "GET only");
		return;
	}
	web__indicators_refresh(ws);
	m = msnap_take(ws);
	if (m == NULL) {
		web__error(req, 500, "internal", "out of memory");
		return;
	}
	j = web__job_new(ws, req);
	if (j == NULL) {
		msnap_free(m);
		return;
	}
	j->snap = m;
	j->snap_free = metrics_free;
	snprintf(j->ctype, sizeof(j->ctype),
		 "text/plain; version=0.0.4; charset=utf-8");
	web__job_start(j, faults_run, NULL);
}
