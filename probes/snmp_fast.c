/*
 * snmp_fast.c - the SNMP probe's own v1/v2c GETs: encoded by snmp_ber.c,
 * sent on the probe's one shared socket per address family (snmp_udp.c),
 * each answer found by its request-id, which carries the device index (low
 * 20 bits) and a sequence number, and accepted only from the address and
 * port asked. Outstanding GETs wait on one list checked by one timer.
 *
 * Profiles of 28,000 devices showed net-snmp's per-PDU allocation and
 * ASN.1 layers, and a socket per poll, as most of the poll's cost
 * (docs/benchmarks.md); discovery walks and SNMPv3 stay in snmp_session.c.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "snmp_ber.h"
#include "snmp_int.h"
#include "snmp_udp.h"

#define FAST_IDX_BITS 20
#define FAST_IDX_MAX (1u << FAST_IDX_BITS)
#define FAST_SEQ_MAX 0x7ffu
#define FAST_MSG_MAX 65507 /* largest IPv4 UDP payload */
#define FAST_VB_MAX 128 /* varbinds per GET we encode */
#define FAST_SLACK_MS 20 /* timeouts this close together share a wakeup */

static void fast_recv(void *arg, const uint8_t *buf, size_t len,
		      const struct sockaddr *from);
static void fast_send_error(void *arg, uint32_t cookie, int err);
static void fast_timeout(struct sdev *d);
static void on_fast_tick(uv_timer_t *h);

/* The timeout list of own GETs (see struct snmp_probe). */
static void tlist_del(struct sdev *d)
{
	struct snmp_probe *p = d->p;

	if (d->tprev)
		d->tprev->tnext = d->tnext;
	else
		p->thead = d->tnext;
	if (d->tnext)
		d->tnext->tprev = d->tprev;
	else
		p->ttail = d->tprev;
	d->tnext = d->tprev = NULL;
	d->fast_wait = 0;
	/* nothing outstanding: no wakeup for nothing */
	if (p->thead == NULL && p->ttick_state == 2) {
		uv_timer_stop(&p->ttick);
		p->ttick_state = 1;
	}
}

/* Arms the timeout timer for a deadline, unless it fires earlier. */
static void ttick_arm(struct snmp_probe *p, double deadline, double now)
{
	double ms;

	if (p->ttick_state == 0 ||
	    (p->ttick_state == 2 && p->tdue <= deadline))
		return;
	ms = (deadline - now) * 1000.0 + FAST_SLACK_MS;
	if (ms < 1)
		ms = 1;
	p->tdue = now + ms / 1000.0;
	uv_timer_start(&p->ttick, on_fast_tick, (uint64_t)ms, 0);
	p->ttick_state = 2;
}

static void on_fast_tick(uv_timer_t *h)
{
	struct snmp_probe *p = h->data;
	double now = snmp__now(), next_deadline = 0;
	struct sdev *d = p->thead, *next;

	p->ttick_state = 1;
	/* in send order, but timeouts differ per profile: look at all */
	for (; d != NULL; d = next) {
		next = d->tnext;
		if (d->deadline <= now)
			fast_timeout(d); /* may re-add d at the tail */
	}
	for (d = p->thead; d != NULL; d = d->tnext)
		if (next_deadline == 0 || d->deadline < next_deadline)
			next_deadline = d->deadline;
	if (next_deadline > 0)
		ttick_arm(p, next_deadline, now);
}

static int fast_open(struct snmp_probe *p)
{
	struct snmp_udp_hooks h = {fast_recv, fast_send_error, p};

	p->txbuf = malloc(FAST_MSG_MAX);
	if (p->txbuf == NULL)
		return -ENOMEM;
	uv_timer_init(p->loop, &p->ttick);
	p->ttick.data = p;
	p->ttick_state = 1;
	return snmp_udp_create(p->loop, &h, &p->udp);
}

/* (Re)sends the current chunk with d->reqid and arms its timeout. */
static void fast_transmit(struct sdev *d)
{
	struct snmp_probe *p = d->p;
	const uint8_t *oids[FAST_VB_MAX];
	size_t lens[FAST_VB_MAX], n = 0, max = (size_t)d->max_vb, len;
	double now;
	int rc;

	if (max > FAST_VB_MAX)
		max = FAST_VB_MAX;
	if (!uv_is_active((uv_handle_t *)&d->budget) &&
	    (snmp__now() - d->t_start) * 1000.0 > (double)d->budget_ms) {
		snmp__poll_over_budget(d);
		return;
	}
	for (size_t i = d->next; i < d->nreqs && n < max; i++, n++) {
		oids[n] = d->reqs[i].enc;
		lens[n] = d->reqs[i].len;
	}
	d->chunk_len = n;
	len = snmp_ber_get_request(p->txbuf, FAST_MSG_MAX,
				   d->prof->version == SNMP_V1 ? SNMP_BER_V1
							       : SNMP_BER_V2C,
				   d->prof->community,
				   strlen(d->prof->community), d->reqid, oids,
				   lens, n);
	if (len == 0) {
		snmp__poll_fail(d, POLL_ERROR,
				"request does not fit a datagram");
		return;
	}
	rc = snmp_udp_send(p->udp, &d->addr.sa, p->txbuf, len, d->idx);
	if (rc < 0) {
		snmp__poll_fail(d, POLL_ERROR, "cannot send to %s: %s",
				d->dev->host, strerror(-rc));
		return;
	}
	d->tries++;
	if (d->fast_wait)
		tlist_del(d);
	now = snmp__now();
	d->deadline = now + d->prof->timeout_ms / 1000.0;
	d->tprev = p->ttail;
	d->tnext = NULL;
	if (p->ttail)
		p->ttail->tnext = d;
	else
		p->thead = d;
	p->ttail = d;
	d->fast_wait = 1;
	ttick_arm(p, d->deadline, now);
}

void snmp__fast_send(struct sdev *d)
{
	if (d->p->udp == NULL && fast_open(d->p) < 0) {
		snmp__poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	d->seq = (uint16_t)(d->seq % FAST_SEQ_MAX + 1);
	d->reqid = (int)(((uint32_t)d->seq << FAST_IDX_BITS) | d->idx);
	d->tries = 0;
	fast_transmit(d);
}

static void fast_timeout(struct sdev *d)
{
	if (d->tries <= d->prof->retries) {
		fast_transmit(d); /* same request-id: a late answer counts */
		return;
	}
	snmp__poll_no_answer(d);
	snmp__session_release(d);
}

static int same_peer(const struct sdev *d, const struct sockaddr *from)
{
	if (from->sa_family != d->addr.sa.sa_family)
		return 0;
	if (from->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)from;

		return a->sin_port == d->addr.in4.sin_port &&
		       a->sin_addr.s_addr == d->addr.in4.sin_addr.s_addr;
	}
	{
		const struct sockaddr_in6 *a = (const void *)from;

		return a->sin6_port == d->addr.in6.sin6_port &&
		       memcmp(&a->sin6_addr, &d->addr.in6.sin6_addr,
			      sizeof(a->sin6_addr)) == 0;
	}
}

/* Does the answered name equal the one asked for? */
static int same_name(const struct snmp__req *r, const struct snmp_ber_vb *vb)
{
	return vb->oid_len == r->len && memcmp(vb->oid, r->enc, r->len) == 0;
}

static void fast_response(struct sdev *d, const struct snmp_ber_msg *m)
{
	const uint8_t *pos = m->vbs, *end = m->vbs + m->vbs_len;
	double t = snmp__now();

	for (size_t k = 0; k < d->chunk_len; k++) {
		struct snmp__req *r = &d->reqs[d->next + k];
		struct snmp_ber_vb vb;
		struct snmp__answer a;

		if (snmp_ber_next_vb(&pos, end, &vb) != 1)
			break; /* fewer or malformed: the rest unanswered */
		if (!same_name(r, &vb)) {
			r->answered = 1;
			r->t = t;
			r->status = POLL_BADTYPE;
			continue;
		}
		a.type = vb.type;
		a.has_uint = snmp_ber_uint(&vb, &a.uint) == 0;
		a.text = vb.val;
		a.text_len = vb.type == SNMP_BER_OCTETS ? vb.val_len : 0;
		snmp__req_store(r, &a, t);
	}
	snmp__gets_advance(d);
}

static int ber_version(const struct sdev *d)
{
	return d->prof->version == SNMP_V1 ? SNMP_BER_V1 : SNMP_BER_V2C;
}

void snmp__fast_stray(struct sdev *d, const uint8_t *buf, size_t len,
		      const struct sockaddr *from)
{
	struct snmp_ber_msg m;
	char peer[INET6_ADDRSTRLEN + 8];

	snmp__addr_string(from, peer, sizeof(peer));
	if (snmp_ber_parse(buf, len, &m) < 0)
		snmp__stray_note(d, "a malformed answer (%zu bytes, not "
				 "SNMPv1/v2c BER) from %s", len, peer);
	else if (m.pdu_type != SNMP_BER_RESPONSE)
		snmp__stray_note(d, "a PDU of type 0x%02x, not a Response, "
				 "from %s", m.pdu_type, peer);
	else if (d->fast && !same_peer(d, from))
		snmp__stray_note(d, "an answer from %s, not from the "
				 "device's address", peer);
	else if (m.reqid != d->reqid)
		snmp__stray_note(d, "an answer from %s with request-id %ld, "
				 "not %ld", peer, (long)m.reqid,
				 (long)d->reqid);
	else if (m.version != ber_version(d))
		snmp__stray_note(d, "an SNMPv%s answer from %s to an "
				 "SNMPv%s request",
				 m.version == SNMP_BER_V1 ? "1" : "2c", peer,
				 ber_version(d) == SNMP_BER_V1 ? "1" : "2c");
}

/* The device of ours waiting for an answer from `from` (for a datagram
 * whose request-id names none): outstanding GETs only, so the scan is
 * bounded by the polls in flight. */
static struct sdev *peer_waiting(struct snmp_probe *p,
				 const struct sockaddr *from)
{
	for (struct sdev *d = p->thead; d != NULL; d = d->tnext)
		if (same_peer(d, from))
			return d;
	return NULL;
}

/* An answer on the shared socket: found by its request-id, accepted only
 * from the address and port asked, as a connected socket would. What
 * does not count is noted on the poll it disturbed, so a poll that then
 * times out says what arrived instead. */
static void fast_recv(void *arg, const uint8_t *buf, size_t len,
		      const struct sockaddr *from)
{
	struct snmp_probe *p = arg;
	struct snmp_ber_msg m;
	struct sdev *d = NULL;
	uint32_t idx;

	if (snmp_ber_parse(buf, len, &m) == 0 &&
	    m.pdu_type == SNMP_BER_RESPONSE && m.reqid > 0) {
		idx = (uint32_t)m.reqid & (FAST_IDX_MAX - 1);
		if (idx < p->ndevs && p->devs[idx].fast_wait &&
		    p->devs[idx].reqid == m.reqid)
			d = &p->devs[idx];
	}
	if (d == NULL || !same_peer(d, from) || m.version != ber_version(d)) {
		/* late, stray or foreign */
		if (d == NULL)
			d = peer_waiting(p, from);
		if (d != NULL)
			snmp__fast_stray(d, buf, len, from);
		return;
	}
	tlist_del(d);
	d->reqid = 0;
	if (d->latency_ms < 0)
		d->latency_ms = (snmp__now() - d->t_start) * 1000.0;
	if (m.errstat != SNMP__ERR_NOERROR)
		snmp__gets_error(d, m.errstat, m.errindex);
	else
		fast_response(d, &m);
	snmp__session_release(d);
}

static void fast_send_error(void *arg, uint32_t cookie, int err)
{
	struct snmp_probe *p = arg;
	struct sdev *d;

	if (cookie >= p->ndevs)
		return;
	d = &p->devs[cookie];
	if (!d->fast_wait)
		return;
	snmp__poll_fail(d, POLL_ERROR, "cannot send to %s: %s", d->dev->host,
			strerror(err));
	snmp__session_release(d);
}

/* Is the device's address a literal we can send to ourselves? */
void snmp__fast_setup(struct sdev *d)
{
	const struct device *dev = d->dev;

	d->fast = 0;
	if (d->prof->version == SNMP_V3 || d->idx >= FAST_IDX_MAX ||
	    getenv("SLAMON_SNMP_NETSNMP_ONLY"))
		return;
	memset(&d->addr, 0, sizeof(d->addr));
	if (dev->af == AF_INET6) {
		d->addr.in6.sin6_family = AF_INET6;
		d->addr.in6.sin6_port = htons(dev->port);
		if (inet_pton(AF_INET6, dev->host, &d->addr.in6.sin6_addr) != 1)
			return;
	} else {
		d->addr.in4.sin_family = AF_INET;
		d->addr.in4.sin_port = htons(dev->port);
		if (inet_pton(AF_INET, dev->host, &d->addr.in4.sin_addr) != 1)
			return;
	}
	d->fast = 1;
}


void snmp__fast_forget(struct sdev *d)
{
	if (d->fast_wait)
		tlist_del(d);
}

static void on_udp_closed(void *arg)
{
	snmp__probe_unref(arg);
}

static void on_tick_closed(uv_handle_t *h)
{
	snmp__probe_unref(h->data);
}

int snmp__fast_close(struct snmp_probe *p)
{
	int n = 0;

	if (p->udp) {
		n++;
		snmp_udp_close(p->udp, on_udp_closed, p);
	}
	if (p->ttick_state) {
		n++;
		p->ttick_state = 0;
		uv_close((uv_handle_t *)&p->ttick, on_tick_closed);
	}
	return n;
}

void snmp__fast_destroy(struct snmp_probe *p)
{
	snmp_udp_destroy(p->udp);
	p->udp = NULL;
	free(p->txbuf);
	p->txbuf = NULL;
}
