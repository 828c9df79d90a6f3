/*
 * snmp.c - the SNMP probe: the probe object, its device table and a poll
 * from start to end.
 *
 * Each device has one uv_timer_t for the poll's wall-time budget; what
 * carries its requests is the business of snmp_session.c (a net-snmp
 * session with its own socket, uv_poll_t and retransmission timer) and
 * snmp_fast.c (our own v1/v2c GETs on the probe's one shared socket). A
 * device has at most one request outstanding, so the collector bounds
 * requests in flight by bounding the devices it polls at once.
 *
 * A poll is: [v3 engine discovery] -> [IF-MIB discovery walk] -> GETs of
 * sysUpTime and the monitored interfaces' columns, split into as few PDUs as
 * the agent accepts (halved on tooBig). Values are buffered and emitted as
 * samples when the poll ends, success or failure.
 *
 * The GETs of a v1/v2c device do not go through net-snmp: they are
 * encoded by snmp_ber.c and sent on the probe's one shared socket
 * (snmp_udp.c), the answer found by its request-id, which carries the
 * device index (low 20 bits) and a sequence number. Profiles of 28,000
 * devices showed net-snmp's per-PDU allocation and ASN.1 layers, and a
 * socket per poll, as most of the poll's cost (docs/benchmarks.md). The
 * discovery walk, SNMPv3 and devices beyond 2^20 keep net-snmp sessions.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <arpa/inet.h>

#include "core/hash.h"
#include "core/log.h"
#include "snmp.h"
#include "snmp_ber.h"
#include "snmp_int.h"

/* SNMPv2-MIB sysUpTime.0 and the polled IF-MIB columns. */
static const uint32_t OID_SYSUPTIME[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static const uint32_t O_IN32[] = {SNMP__IFT, 10}, O_OUT32[] = {SNMP__IFT, 16};
static const uint32_t O_INHC[] = {SNMP__IFX, 6}, O_OUTHC[] = {SNMP__IFX, 10};
static const uint32_t O_OPER[] = {SNMP__IFT, 8}, O_SPEED[] = {SNMP__IFT, 5};
static const uint32_t O_HIGHSPEED[] = {SNMP__IFX, 15};
static const uint32_t O_INERR[] = {SNMP__IFT, 14}, O_OUTERR[] = {SNMP__IFT, 20};
static const uint32_t O_INDISC[] = {SNMP__IFT, 13};
static const uint32_t O_OUTDISC[] = {SNMP__IFT, 19};
static const uint32_t O_NAME[] = {SNMP__IFX, 1}, O_DESCR[] = {SNMP__IFT, 2};

/* The polled columns' names in BER, without the ifIndex (pfx_init). */
enum pfx_id {
	P_UPTIME, P_IN32, P_OUT32, P_INHC, P_OUTHC, P_OPER, P_SPEED,
	P_HIGHSPEED, P_INERR, P_OUTERR, P_INDISC, P_OUTDISC, P_NAME, P_DESCR,
	NPFX
};
static struct pfx {
	const uint32_t *name;
	size_t len;
	uint8_t enc[SNMP__REQ_ENC_MAX];
	size_t enclen;
} PFX[NPFX] = {
	{.name = OID_SYSUPTIME, .len = 8},
	{.name = O_IN32, .len = 10},
	{.name = O_OUT32, .len = 10},
	{.name = O_INHC, .len = 11},
	{.name = O_OUTHC, .len = 11},
	{.name = O_OPER, .len = 10},
	{.name = O_SPEED, .len = 10},
	{.name = O_HIGHSPEED, .len = 11},
	{.name = O_INERR, .len = 10},
	{.name = O_OUTERR, .len = 10},
	{.name = O_INDISC, .len = 10},
	{.name = O_OUTDISC, .len = 10},
	{.name = O_NAME, .len = 11},
	{.name = O_DESCR, .len = 10},
};

/* Encodes the PFX names once per process. */
static void pfx_init(void)
{
	static int ready;

	if (ready)
		return;
	for (int i = 0; i < NPFX; i++)
		PFX[i].enclen = snmp_ber_oid_encode(PFX[i].enc,
						    sizeof(PFX[i].enc),
						    PFX[i].name, PFX[i].len);
	ready = 1;
}

double snmp__now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* ---- text helpers --------------------------------------------------- */

/* Copies an OCTET STRING into a printable, valid UTF-8 C string: NULs and
 * trailing padding dropped, control bytes and invalid UTF-8 become '?'. */
void snmp__text_copy(char *dst, size_t dstlen, const uint8_t *src, size_t n)
{
	size_t o = 0, i = 0;

	while (n > 0 && (src[n - 1] == 0 || src[n - 1] == ' '))
		n--;
	while (i < n && o + 5 < dstlen) {
		uint8_t c = src[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2
				: (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		size_t k;

		if (c == 0) {
			i++;
			continue;
		}
		if (len == 1) {
			dst[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
			i++;
			continue;
		}
		for (k = 1; len > 1 && k < len; k++)
			if (i + k >= n || (src[i + k] & 0xc0) != 0x80)
				break;
		if (len == 0 || k != len) {
			dst[o++] = '?';
			i++;
			continue;
		}
		memcpy(dst + o, src + i, len);
		o += len;
		i += len;
	}
	dst[o] = '\0';
}

/* The key column is compared by hash, not kept as text. */
static uint64_t text_hash(const char *t)
{
	return slamon_hash_str(t);
}

int snmp_iface_selected(const char *selector, const struct snmp_iface *ifc)
{
	char buf[INV_TEXT_MAX];
	char *save = NULL, *tok;

	if (selector == NULL || selector[0] == '\0')
		return ifc->oper == 1 && ifc->speed_mbps > 0;
	snprintf(buf, sizeof(buf), "%s", selector);
	for (tok = strtok_r(buf, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save)) {
		while (*tok == ' ')
			tok++;
		if (*tok == '\0')
			continue;
		if (fnmatch(tok, ifc->name, 0) == 0 ||
		    fnmatch(tok, ifc->descr, 0) == 0 ||
		    (ifc->alias[0] && fnmatch(tok, ifc->alias, 0) == 0))
			return 1;
	}
	return 0;
}

/* ---- emitting ------------------------------------------------------- */

static void emit(struct sdev *d, uint16_t metric, int slot, uint8_t kind,
		 uint8_t width, int status, uint64_t value, double t)
{
	struct sample s;

	memset(&s, 0, sizeof(s));
	s.device = d->idx;
	s.ifslot = slot;
	s.metric = metric;
	s.kind = kind;
	s.width = width;
	s.status = (int16_t)status;
	s.value = value;
	s.t = t;
	d->p->hooks.emit(d->p->hooks.arg, &s);
}

static void poll_end(struct sdev *d, int status)
{
	struct snmp_probe *p = d->p;
	double t = snmp__now();
	int renumbered = 0;

	uv_timer_stop(&d->budget);
	snmp__fast_forget(d);
	d->reqid = 0;
	d->state = DS_IDLE;
	if (p->closing) {
		p->busy--;
		return;
	}
	if (status == POLL_OK) {
		/* an ifIndex that no longer carries its name: re-discover
		 * before trusting any counter of this device again */
		for (size_t i = 0; i < d->nreqs; i++) {
			struct snmp__req *r = &d->reqs[i];
			if (r->metric == SNMP__M_KEY && r->answered &&
			    r->status == POLL_OK &&
			    r->value != text_hash(d->ifs[r->slot].key))
				renumbered = 1;
		}
		if (renumbered) {
			log_info("%s: interfaces re-numbered, re-discovering",
				 d->dev->name);
			d->need_discovery = 1;
		}
	}
	emit(d, M_DEV_REACH, -1, SAMPLE_STATUS, 0, status,
	     status == POLL_OK, t);
	if (status == POLL_OK) {
		struct sample s;

		memset(&s, 0, sizeof(s));
		s.device = d->idx;
		s.ifslot = -1;
		s.metric = M_DEV_LATENCY;
		s.kind = SAMPLE_LATENCY;
		s.fvalue = d->latency_ms;
		s.t = t;
		p->hooks.emit(p->hooks.arg, &s);
		for (size_t i = 0; i < d->nreqs; i++) {
			struct snmp__req *r = &d->reqs[i];
			if (r->metric >= M_COUNT || !r->answered)
				continue;
			if (renumbered && r->slot >= 0)
				continue;
			emit(d, r->metric, r->slot, r->kind, r->width,
			     r->status, r->value, r->t);
		}
	}
	emit(d, 0, -1, SAMPLE_END, 0, status, 0, t);
	/* only devices being polled hold their request list: at 28,000
	 * devices that is the difference of ~180 MB */
	free(d->reqs);
	d->reqs = NULL;
	d->nreqs = 0;
	p->busy--;
	p->hooks.done(p->hooks.arg, d->idx);
}

void snmp__poll_fail(struct sdev *d, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	poll_end(d, status);
}

/* ---- failures that say what arrived -------------------------------- */

void snmp__stray_note(struct sdev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->stray, sizeof(d->stray), fmt, ap);
	va_end(ap);
}

void snmp__addr_string(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;

		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(a->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;

		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(a->sin_port));
	} else {
		snprintf(buf, len, "address family %d", sa->sa_family);
	}
}

/* Without a stray datagram, silence has the usual three causes; with one,
 * the agent (or someone) did answer, and that is what to look at. */
void snmp__poll_no_answer(struct sdev *d)
{
	if (d->stray[0])
		snmp__poll_fail(d, POLL_TIMEOUT,
				"no valid answer after %d tries of %d ms; "
				"ignored %s",
				d->prof->retries + 1, d->prof->timeout_ms,
				d->stray);
	else
		snmp__poll_fail(d, POLL_TIMEOUT,
				"no answer after %d tries of %d ms (agent "
				"down, unreachable, or wrong community)",
				d->prof->retries + 1, d->prof->timeout_ms);
}

void snmp__poll_walk_pending(struct sdev *d)
{
	log_info("%s: interface discovery not over after %lu ms, continuing "
		 "at the next poll",
		 d->dev->name, (unsigned long)d->budget_ms);
	d->err[0] = '\0';
	poll_end(d, POLL_OK);
}

void snmp__poll_over_budget(struct sdev *d)
{
	snmp__poll_fail(d, POLL_TIMEOUT,
			"poll exceeded its budget of %lu ms%s%s",
			(unsigned long)d->budget_ms,
			d->stray[0] ? "; ignored " : "", d->stray);
}

const char *snmp__errstat_string(long errstat)
{
	/* RFC 3416 section 3, PDUs error-status */
	static const char *const names[] = {
		"noError", "tooBig", "noSuchName", "badValue", "readOnly",
		"genErr", "noAccess", "wrongType", "wrongLength",
		"wrongEncoding", "wrongValue", "noCreation",
		"inconsistentValue", "resourceUnavailable", "commitFailed",
		"undoFailed", "authorizationError", "notWritable",
		"inconsistentName",
	};

	if (errstat < 0 || (size_t)errstat >= sizeof(names) / sizeof(*names))
		return "unknown error-status";
	return names[errstat];
}

/* ---- polling GETs --------------------------------------------------- */

static void on_budget(uv_timer_t *h);

static void req_add(struct snmp__req *r, enum pfx_id id, uint32_t idx, int slot,
		    uint16_t metric, uint8_t kind)
{
	const struct pfx *x = &PFX[id];

	memcpy(r->enc, x->enc, x->enclen);
	r->len = (uint8_t)(x->enclen +
			   snmp_ber_arc_encode(r->enc + x->enclen,
					       sizeof(r->enc) - x->enclen, idx));
	r->t = 0;
	r->value = 0;
	r->slot = slot;
	r->metric = metric;
	r->kind = kind;
	r->width = 0;
	r->answered = 0;
	r->status = 0;
}

static int build_reqs(struct sdev *d)
{
	size_t need = 1 + d->nifs * 10, n = 0;
	struct snmp__req *reqs = realloc(d->reqs, need * sizeof(*reqs));

	if (reqs == NULL)
		return -ENOMEM;
	d->reqs = reqs;
	req_add(&reqs[n++], P_UPTIME, 0, -1, M_DEV_UPTIME, SAMPLE_GAUGE);
	for (size_t i = 0; i < d->nifs; i++) {
		const struct snmp_iface *f = &d->ifs[i];
		uint32_t x = f->ifindex;
		int s = (int)i;

		req_add(&reqs[n++], f->hc ? P_INHC : P_IN32, x, s,
			M_IF_IN_OCTETS, SAMPLE_COUNTER);
		req_add(&reqs[n++], f->hc ? P_OUTHC : P_OUT32, x, s,
			M_IF_OUT_OCTETS, SAMPLE_COUNTER);
		req_add(&reqs[n++], P_OPER, x, s, M_IF_OPER, SAMPLE_STATUS);
		req_add(&reqs[n++], P_SPEED, x, s, M_IF_SPEED, SAMPLE_GAUGE);
		if (f->hc)
			req_add(&reqs[n++], P_HIGHSPEED, x, s,
				SNMP__M_HIGHSPEED, SAMPLE_GAUGE);
		req_add(&reqs[n++], P_INERR, x, s, M_IF_IN_ERRORS,
			SAMPLE_COUNTER);
		req_add(&reqs[n++], P_OUTERR, x, s, M_IF_OUT_ERRORS,
			SAMPLE_COUNTER);
		req_add(&reqs[n++], P_INDISC, x, s, M_IF_IN_DISCARDS,
			SAMPLE_COUNTER);
		req_add(&reqs[n++], P_OUTDISC, x, s, M_IF_OUT_DISCARDS,
			SAMPLE_COUNTER);
		req_add(&reqs[n++], f->key_is_name ? P_NAME : P_DESCR, x, s,
			SNMP__M_KEY, SAMPLE_GAUGE);
	}
	d->nreqs = n;
	return 0;
}

void snmp__gets_send(struct sdev *d)
{
	if (d->fast)
		snmp__fast_send(d);
	else
		snmp__session_gets_send(d);
}

void snmp__gets_start(struct sdev *d)
{
	struct snmp_probe *p = d->p;

	/* after a discovery walk the GETs get a poll's own budget: a walk
	 * that used up most of its allowance must not fail the poll of a
	 * device that answers */
	if (uv_is_active((uv_handle_t *)&d->budget) &&
	    d->state == DS_DISCOVER) {
		uint64_t used = (uint64_t)((snmp__now() - d->t_start) * 1000.0);

		d->budget_ms = used + (uint64_t)p->cfg->poll_budget_ms;
		uv_timer_start(&d->budget, on_budget,
			       (uint64_t)p->cfg->poll_budget_ms, 0);
	}
	if (build_reqs(d) < 0) {
		snmp__poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	d->state = DS_POLL;
	d->next = 0;
	if (d->max_vb <= 0)
		d->max_vb = d->prof->max_varbinds > 0 ? d->prof->max_varbinds
						      : 60;
	snmp__gets_send(d);
}

/* Speed in bits per second from ifSpeed / ifHighSpeed answers. */
static void fix_speeds(struct sdev *d)
{
	for (size_t i = 0; i < d->nreqs; i++) {
		struct snmp__req *r = &d->reqs[i];
		struct snmp__req *hs = NULL;

		if (r->metric != M_IF_SPEED)
			continue;
		if (i + 1 < d->nreqs &&
		    d->reqs[i + 1].metric == SNMP__M_HIGHSPEED)
			hs = &d->reqs[i + 1];
		if (hs && hs->answered && hs->status == POLL_OK &&
		    hs->value > 0) {
			r->value = hs->value * 1000000ULL;
			r->status = POLL_OK;
			r->answered = 1;
		} else if (r->answered && r->status == POLL_OK &&
			   (r->value == 0 || r->value >= 4294967295ULL)) {
			/* 0 or saturated Gauge32: fall back to discovery */
			double mbps = d->ifs[r->slot].speed_mbps;
			r->value = (uint64_t)(mbps * 1e6);
		}
	}
}

static void gets_finish(struct sdev *d);

void snmp__req_store(struct snmp__req *r, const struct snmp__answer *a,
		     double t)
{
	r->answered = 1;
	r->t = t;
	if (a->type == SNMP_BER_NOSUCHOBJECT ||
	    a->type == SNMP_BER_NOSUCHINSTANCE ||
	    a->type == SNMP_BER_ENDOFMIBVIEW) {
		r->status = POLL_NOSUCH;
		return;
	}
	if (r->metric == SNMP__M_KEY) {
		if (a->type == SNMP_BER_OCTETS) {
			char text[SNMP_IFNAME_MAX];

			snmp__text_copy(text, sizeof(text), a->text,
					a->text_len);
			r->value = text_hash(text);
		} else {
			r->status = POLL_BADTYPE;
		}
		return;
	}
	if (!a->has_uint) {
		r->status = POLL_BADTYPE;
		return;
	}
	if (r->kind == SAMPLE_COUNTER) {
		if (a->type == SNMP_BER_COUNTER32)
			r->width = 32;
		else if (a->type == SNMP_BER_COUNTER64)
			r->width = 64;
		else
			r->status = POLL_BADTYPE;
	}
	r->value = a->uint;
}

/* The chunk is answered: the next one, or the end of the poll. */
void snmp__gets_advance(struct sdev *d)
{
	d->next += d->chunk_len;
	if (d->next < d->nreqs)
		snmp__gets_send(d);
	else
		gets_finish(d);
}

static void gets_finish(struct sdev *d)
{
	/* remember uptime to notice restarts */
	if (d->reqs[0].answered && d->reqs[0].status == POLL_OK) {
		double up = (double)d->reqs[0].value;
		double t0 = d->reqs[0].t;

		if (d->uptime_valid && up < d->uptime_last &&
		    d->uptime_last + (t0 - d->uptime_t) * 100 < 4294967296.0) {
			log_info("%s: sysUpTime went back (agent restarted), "
				 "re-discovering interfaces",
				 d->dev->name);
			d->need_discovery = 1;
		}
		d->uptime_last = up;
		d->uptime_t = t0;
		d->uptime_valid = 1;
	}
	fix_speeds(d);
	d->err[0] = '\0';
	poll_end(d, POLL_OK);
}

/* v1 answers noSuchName for the whole PDU: drop that varbind and resend.
 * (In a discovery walk it ends a column: snmp_session.c.) */
static void v1_nosuchname(struct sdev *d, long ei)
{
	if (ei < 1 || (size_t)ei > d->chunk_len) {
		snmp__poll_fail(d, POLL_NOSUCH, "noSuchName without index");
		return;
	}
	/* move the failing varbind to the front of the chunk, answered */
	{
		size_t at = d->next + (size_t)ei - 1;
		struct snmp__req tmp = d->reqs[at];

		memmove(&d->reqs[d->next + 1], &d->reqs[d->next],
			((size_t)ei - 1) * sizeof(tmp));
		tmp.answered = 1;
		tmp.status = POLL_NOSUCH;
		d->reqs[d->next] = tmp;
		d->next++;
	}
	if (d->next < d->nreqs)
		snmp__gets_send(d);
	else
		gets_finish(d);
}

void snmp__gets_error(struct sdev *d, long errstat, long errindex)
{
	if (errstat == SNMP__ERR_TOOBIG && d->state == DS_POLL &&
	    d->max_vb > 1) {
		d->max_vb /= 2;
		log_debug("%s: tooBig, %d varbinds per request now",
			  d->dev->name, d->max_vb);
		snmp__gets_send(d);
		return;
	}
	if (errstat == SNMP__ERR_NOSUCHNAME) {
		v1_nosuchname(d, errindex);
		return;
	}
	snmp__poll_fail(d, POLL_ERROR,
			"the agent answered error-status %s (%ld, varbind "
			"%ld)",
			snmp__errstat_string(errstat), errstat, errindex);
}

static void on_budget(uv_timer_t *h)
{
	struct sdev *d = h->data;

	if (d->state == DS_IDLE)
		return;
	/* a walk that advanced is an agent that answers, only slowly or
	 * with many rows: it resumes at the next poll (snmp_session.c) */
	if (d->state == DS_DISCOVER && d->walk_progress)
		snmp__poll_walk_pending(d);
	else
		snmp__poll_over_budget(d);
	snmp__session_release(d);
}

int snmp_probe_poll(struct snmp_probe *p, uint32_t device)
{
	struct sdev *d;
	int rc;

	if (device >= p->ndevs || p->closing)
		return -EINVAL;
	d = &p->devs[device];
	if (d->prof == NULL)
		return -EINVAL; /* no profile: another probe's device */
	if (d->state != DS_IDLE || d->poll_closing)
		return -EBUSY;
	p->busy++;
	d->t_start = snmp__now();
	d->latency_ms = -1;
	d->sec_retried = 0;
	d->stray[0] = '\0';
	d->state = DS_POLL; /* not idle while starting */
	if (d->ss == NULL && !(d->fast && !d->need_discovery)) {
		rc = snmp__session_open(d);
		if (rc < 0) {
			poll_end(d, POLL_ERROR);
			return rc;
		}
	}
	/* A discovery walks 8 columns: give it four budgets, within 80% of
	 * the interval, so a big chassis is not cut short every cycle. */
	d->budget_ms = (uint64_t)p->cfg->poll_budget_ms;
	if (d->need_discovery) {
		uint64_t cap = (uint64_t)p->cfg->interval_s[d->dev->role] * 800;

		d->budget_ms *= 4;
		if (d->budget_ms > cap)
			d->budget_ms = cap;
		if (d->budget_ms < (uint64_t)p->cfg->poll_budget_ms)
			d->budget_ms = (uint64_t)p->cfg->poll_budget_ms;
	}
	/* our own GETs check the budget at each send (fast_transmit): a
	 * timer per poll was a tenth of the poll's CPU at 28,000 devices */
	if (!(d->fast && !d->need_discovery))
		uv_timer_start(&d->budget, on_budget, d->budget_ms, 0);
	if (d->prof->version == SNMP_V3 && snmp__session_needs_engine(d))
		snmp__engine_probe(d);
	else if (d->need_discovery)
		snmp__discovery_start(d);
	else
		snmp__gets_start(d);
	snmp__session_release(d); /* when the poll already failed to send */
	return 0;
}

/* ---- lifecycle ------------------------------------------------------ */

int snmp_probe_create(uv_loop_t *loop, const struct config *cfg,
		      const struct snmp_probe_hooks *hooks,
		      struct snmp_probe **ret_p)
{
	struct snmp_probe *p;

	snmp__session_lib_init();
	pfx_init();
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->devs = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*p->devs));
	if (p->devs == NULL)
		goto err;
	if (snmp__session_probe_init(p) < 0)
		goto err;
	p->loop = loop;
	p->cfg = cfg;
	p->hooks = *hooks;
	p->ndevs = cfg->ndevices;
	for (size_t i = 0; i < p->ndevs; i++) {
		struct sdev *d = &p->devs[i];

		d->p = p;
		d->idx = (uint32_t)i;
		d->dev = &cfg->devices[i];
		d->prof = snmp_profile_of(cfg, d->dev);
		d->need_discovery = 1;
		if (d->prof == NULL)
			continue; /* not an SNMP device (an icmp row) */
		snmp__fast_setup(d);
		snmp__session_dev_init(d);
		uv_timer_init(loop, &d->budget);
		d->budget.data = d;
		d->handles |= 4;
	}
	*ret_p = p;
	return 0;
err:
	free(p->devs);
	free(p);
	return -ENOMEM;
}

size_t snmp_probe_busy(const struct snmp_probe *p)
{
	return p->busy;
}

const struct snmp_iface *snmp_probe_ifaces(const struct snmp_probe *p,
					   uint32_t device, size_t *ret_n)
{
	if (device >= p->ndevs || p->devs[device].need_discovery) {
		*ret_n = 0;
		return NULL;
	}
	*ret_n = p->devs[device].nifs;
	return p->devs[device].ifs;
}

const char *snmp_probe_last_error(const struct snmp_probe *p, uint32_t device)
{
	return device < p->ndevs ? p->devs[device].err : "";
}

void snmp_probe_adopt(struct snmp_probe *p, uint32_t device,
		      const struct snmp_probe *old, uint32_t old_dev)
{
	struct sdev *d;
	const struct sdev *o;

	if (device >= p->ndevs || old_dev >= old->ndevs)
		return;
	d = &p->devs[device];
	o = &old->devs[old_dev];
	if (o->need_discovery)
		return;
	free(d->ifs);
	d->ifs = calloc(o->nifs ? o->nifs : 1, sizeof(*d->ifs));
	if (d->ifs == NULL)
		return;
	memcpy(d->ifs, o->ifs, o->nifs * sizeof(*d->ifs));
	d->nifs = o->nifs;
	d->need_discovery = 0;
	d->uptime_last = o->uptime_last;
	d->uptime_t = o->uptime_t;
	d->uptime_valid = o->uptime_valid;
}

void snmp__probe_unref(struct snmp_probe *p)
{
	if (--p->open_handles == 0 && p->close_cb)
		p->close_cb(p->close_arg);
}

static void on_budget_closed(uv_handle_t *h)
{
	snmp__probe_unref(((struct sdev *)h->data)->p);
}

void snmp_probe_close(struct snmp_probe *p, void (*close_cb)(void *arg),
		      void *arg)
{
	p->closing = 1;
	p->close_cb = close_cb;
	p->close_arg = arg;
	p->open_handles = 1; /* guard until every close is requested */
	for (size_t i = 0; i < p->ndevs; i++) {
		struct sdev *d = &p->devs[i];

		if (d->state != DS_IDLE)
			poll_end(d, POLL_ERROR);
		p->open_handles += snmp__session_close(d);
		if (d->handles & 4) {
			p->open_handles++;
			uv_close((uv_handle_t *)&d->budget, on_budget_closed);
		}
		d->handles = 0;
	}
	p->open_handles += snmp__fast_close(p);
	snmp__probe_unref(p);
}

void snmp_probe_destroy(struct snmp_probe *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->ndevs; i++) {
		free(p->devs[i].ifs);
		free(p->devs[i].rows);
		free(p->devs[i].reqs);
		free(p->devs[i].cols);
	}
	snmp__session_probe_cleanup(p);
	snmp__fast_destroy(p);
	free(p->devs);
	free(p);
}
