/*
 * snmp_responder.c - a canned SNMPv1/v2c agent on the test's libuv loop
 * (see snmp_responder.h). One sorted table of OIDs serves GET, GETNEXT and
 * GETBULK, as an agent's MIB view would (RFC 3416 section 4.2): unknown
 * names get noSuchObject, a walk past the end endOfMibView; under v1 both
 * are a noSuchName error-status (RFC 1157 section 4.1.2).
 * SPDX-License-Identifier: MIT
 */
#include "snmp_responder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "bench/ber.h"

#define ENTRY_MAX 2048
#define STR_MAX 128
#define VB_MAX 256
#define PKT_MAX 65536
#define DECOY_DELTA 1000003u /* added to a decoy's numbers */
#define REQID_FLIP (1u << 20) /* a request-id that is not the one asked */

struct entry {
	uint32_t oid[OID_MAX];
	int len;
	uint8_t tag;
	uint64_t value;
	char str[STR_MAX];
};

/* One decoded request. */
struct request {
	int64_t version, reqid, nonrep, maxrep;
	uint8_t pdu;
	int nq;
	uint32_t oids[VB_MAX][OID_MAX];
	int lens[VB_MAX];
};

/* One varbind of the answer: a table entry or an exception. */
struct result {
	const uint32_t *oid;
	int len;
	int ent;     /* table index, or -1 */
	uint8_t exc; /* exception tag (or BER_NULL) when ent < 0 */
};

struct snmp_responder {
	uv_udp_t udp;   /* 127.0.0.1: the agent */
	uv_udp_t decoy; /* 127.0.0.2: answers nobody asked for */
	uv_timer_t delay; /* sends the waiting answer */
	int open;       /* handles not yet closed */
	unsigned delay_ms;
	uv_udp_t *wait_h; /* the waiting answer: socket, peer, bytes */
	struct sockaddr_storage wait_to;
	size_t wait_len;
	uint8_t wait[PKT_MAX];
	uint16_t port;
	char community[STR_MAX];
	unsigned mode;
	uint32_t fail_oid[OID_MAX]; /* snmp_responder_fail_prefix */
	int fail_len;
	long fail_errstat;
	struct snmp_responder_stats stats;
	struct entry table[ENTRY_MAX];
	int ntable;
	struct request req;
	struct result res[VB_MAX];
	uint8_t in[PKT_MAX], out[PKT_MAX];
};

static int oid_parse(const char *text, uint32_t *o, int *ret_n)
{
	int n = 0;
	char *end;

	while (*text) {
		unsigned long v = strtoul(text, &end, 10);

		if (end == text || n >= OID_MAX || v > UINT32_MAX)
			return -EINVAL;
		o[n++] = (uint32_t)v;
		text = end;
		if (*text == '.')
			text++;
		else if (*text)
			return -EINVAL;
	}
	if (n < 2)
		return -EINVAL;
	*ret_n = n;
	return 0;
}

/* Index of the first entry not below o; *found says whether it equals o. */
static int table_find(const struct snmp_responder *r, const uint32_t *o,
		      int n, int *found)
{
	int lo = 0, hi = r->ntable;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (oid_cmp(r->table[mid].oid, r->table[mid].len, o, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < r->ntable &&
		 oid_cmp(r->table[lo].oid, r->table[lo].len, o, n) == 0;
	return lo;
}

/* The entry for oid, added when new; NULL when full or malformed. */
static struct entry *table_slot(struct snmp_responder *r, const char *oid,
				int *rc)
{
	uint32_t o[OID_MAX];
	int n, at, found;

	*rc = oid_parse(oid, o, &n);
	if (*rc < 0)
		return NULL;
	at = table_find(r, o, n, &found);
	if (!found) {
		if (r->ntable == ENTRY_MAX) {
			*rc = -ENOSPC;
			return NULL;
		}
		memmove(&r->table[at + 1], &r->table[at],
			(size_t)(r->ntable - at) * sizeof(r->table[0]));
		r->ntable++;
		memset(&r->table[at], 0, sizeof(r->table[0]));
		memcpy(r->table[at].oid, o, (size_t)n * sizeof(o[0]));
		r->table[at].len = n;
	}
	return &r->table[at];
}

int snmp_responder_set_uint(struct snmp_responder *r, const char *oid,
			    uint8_t tag, uint64_t value)
{
	int rc;
	struct entry *e = table_slot(r, oid, &rc);

	if (e == NULL)
		return rc;
	e->tag = tag;
	e->value = value;
	return 0;
}

int snmp_responder_set_str(struct snmp_responder *r, const char *oid,
			   const char *value)
{
	int rc;
	struct entry *e = table_slot(r, oid, &rc);

	if (e == NULL)
		return rc;
	e->tag = BER_OCTETS;
	snprintf(e->str, sizeof(e->str), "%s", value);
	return 0;
}

void snmp_responder_unset(struct snmp_responder *r, const char *oid)
{
	uint32_t o[OID_MAX];
	int n, at, found;

	if (oid_parse(oid, o, &n) < 0)
		return;
	at = table_find(r, o, n, &found);
	if (!found)
		return;
	memmove(&r->table[at], &r->table[at + 1],
		(size_t)(r->ntable - at - 1) * sizeof(r->table[0]));
	r->ntable--;
}

int snmp_responder_fail_prefix(struct snmp_responder *r, const char *prefix,
			       long errstat)
{
	r->fail_len = 0;
	r->fail_errstat = 0;
	if (prefix == NULL || errstat == 0)
		return 0;
	if (oid_parse(prefix, r->fail_oid, &r->fail_len) < 0) {
		r->fail_len = 0;
		return -EINVAL;
	}
	r->fail_errstat = errstat;
	return 0;
}

/* Does the request's first name lie under the failing prefix? */
static int fail_applies(const struct snmp_responder *r)
{
	const struct request *q = &r->req;

	return r->fail_len > 0 && q->pdu != PDU_GET && q->nq > 0 &&
	       q->lens[0] >= r->fail_len &&
	       memcmp(q->oids[0], r->fail_oid,
		      (size_t)r->fail_len * sizeof(uint32_t)) == 0;
}

void snmp_responder_set_mode(struct snmp_responder *r, unsigned mode)
{
	r->mode = mode;
}

struct snmp_responder_stats snmp_responder_stats(
	const struct snmp_responder *r)
{
	return r->stats;
}

uint16_t snmp_responder_port(const struct snmp_responder *r)
{
	return r->port;
}

/* ---- decoding ------------------------------------------------------- */

/* Decodes a GET/GETNEXT/GETBULK into r->req. Returns 0, -1 when it is not
 * one, -2 when it carries another community. */
static int request_parse(struct snmp_responder *r, const uint8_t *pkt,
			 size_t n)
{
	struct request *q = &r->req;
	struct bdec d = {pkt, pkt + n}, vbl;
	uint8_t tag;
	size_t len;

	if (ber_tl(&d, &tag, &len) < 0 || tag != BER_SEQ)
		return -1;
	d.end = d.p + len;
	if (ber_int(&d, &q->version) < 0 ||
	    (q->version != 0 && q->version != 1))
		return -1;
	if (ber_tl(&d, &tag, &len) < 0 || tag != BER_OCTETS)
		return -1;
	if (len != strlen(r->community) || memcmp(d.p, r->community, len))
		return -2;
	d.p += len;
	if (ber_tl(&d, &q->pdu, &len) < 0 ||
	    (q->pdu != PDU_GET && q->pdu != PDU_GETNEXT &&
	     q->pdu != PDU_GETBULK))
		return -1;
	d.end = d.p + len;
	if (ber_int(&d, &q->reqid) < 0 || ber_int(&d, &q->nonrep) < 0 ||
	    ber_int(&d, &q->maxrep) < 0)
		return -1;
	if (ber_tl(&d, &tag, &len) < 0 || tag != BER_SEQ)
		return -1;
	vbl.p = d.p;
	vbl.end = d.p + len;
	for (q->nq = 0; vbl.p < vbl.end; q->nq++) {
		struct bdec vb;

		if (q->nq == VB_MAX || ber_tl(&vbl, &tag, &len) < 0 ||
		    tag != BER_SEQ)
			return -1;
		vb.p = vbl.p;
		vb.end = vbl.p + len;
		vbl.p += len;
		if (ber_tl(&vb, &tag, &len) < 0 || tag != BER_OID ||
		    ber_oid_decode(vb.p, len, q->oids[q->nq],
				   &q->lens[q->nq]) < 0)
			return -1;
	}
	return 0;
}

/* ---- answering ------------------------------------------------------ */

static struct result res_entry(const struct snmp_responder *r, int k)
{
	return (struct result){r->table[k].oid, r->table[k].len, k, 0};
}

static struct result res_exc(const struct request *q, int i, uint8_t exc)
{
	return (struct result){q->oids[i], q->lens[i], -1, exc};
}

/* The successor of query i, or endOfMibView. */
static struct result res_next(const struct snmp_responder *r, int i,
			      int from)
{
	const struct request *q = &r->req;
	int found, k = from;

	if (k < 0) {
		k = table_find(r, q->oids[i], q->lens[i], &found);
		if (found)
			k++;
	}
	return k < r->ntable ? res_entry(r, k)
			     : res_exc(q, i, BER_ENDOFMIBVIEW);
}

/* Fills r->res for the request; returns how many, and the v1 error. */
static int resolve(struct snmp_responder *r, long *errstat, long *errindex)
{
	const struct request *q = &r->req;
	int n = 0, found;

	if (q->pdu == PDU_GET) {
		for (int i = 0; i < q->nq; i++) {
			int k = table_find(r, q->oids[i], q->lens[i], &found);

			r->res[n++] = found ? res_entry(r, k)
					    : res_exc(q, i, BER_NOSUCHOBJECT);
		}
	} else if (q->pdu == PDU_GETNEXT) {
		for (int i = 0; i < q->nq; i++)
			r->res[n++] = res_next(r, i, -1);
	} else {
		int nonrep = q->nonrep < 0 ? 0
			     : q->nonrep > q->nq ? q->nq : (int)q->nonrep;

		for (int i = 0; i < nonrep; i++)
			r->res[n++] = res_next(r, i, -1);
		for (int64_t rep = 0; rep < q->maxrep && nonrep < q->nq;
		     rep++) {
			if (n + q->nq - nonrep > VB_MAX)
				break;
			for (int i = nonrep; i < q->nq; i++) {
				const struct result *prev =
					rep ? &r->res[n - (q->nq - nonrep)]
					    : NULL;
				int from = prev == NULL ? -1
					   : prev->ent < 0 ? r->ntable
							   : prev->ent + 1;

				r->res[n++] = res_next(r, i, from);
			}
		}
	}
	if (q->version == 0) /* v1: exceptions are noSuchName errors */
		for (int i = 0; i < n; i++)
			if (r->res[i].ent < 0) {
				*errstat = 2;
				*errindex = i + 1;
				for (int k = 0; k < q->nq; k++)
					r->res[k] = res_exc(q, k, BER_NULL);
				return q->nq;
			}
	return n;
}

static void encode_value(struct benc *e, const struct entry *en, int decoy)
{
	uint64_t v = en->value + (decoy ? DECOY_DELTA : 0);

	switch (en->tag) {
	case BER_OCTETS:
		if (decoy)
			ber_octets(e, BER_OCTETS, "decoy", 5);
		else
			ber_octets(e, BER_OCTETS, en->str, strlen(en->str));
		return;
	case BER_INT:
		ber_sint(e, (int64_t)v);
		return;
	case BER_COUNTER64:
		ber_uint(e, BER_COUNTER64, v);
		return;
	default:
		ber_uint(e, en->tag, v & 0xffffffffu);
		return;
	}
}

/* Encodes the Response to r->req with n results in r->out. Returns its
 * length, or 0 when it does not fit. */
static size_t encode(struct snmp_responder *r, int n, int64_t reqid,
		     long errstat, long errindex, int decoy)
{
	struct benc e = {r->out, r->out + sizeof(r->out), 0};
	uint8_t *end = e.p;
	size_t clen = strlen(r->community);

	for (int i = n - 1; i >= 0; i--) {
		uint8_t *vbend = e.p;

		if (r->res[i].ent >= 0)
			encode_value(&e, &r->table[r->res[i].ent], decoy);
		else
			ber_hdr(&e, r->res[i].exc, 0);
		ber_oid(&e, r->res[i].oid, r->res[i].len);
		ber_hdr(&e, BER_SEQ, (size_t)(vbend - e.p));
	}
	ber_hdr(&e, BER_SEQ, (size_t)(end - e.p));
	ber_sint(&e, errindex);
	ber_sint(&e, errstat);
	ber_sint(&e, reqid);
	ber_hdr(&e, PDU_RESPONSE, (size_t)(end - e.p));
	ber_octets(&e, BER_OCTETS, r->community, clen);
	ber_sint(&e, r->req.version);
	ber_hdr(&e, BER_SEQ, (size_t)(end - e.p));
	if (e.overflow)
		return 0;
	memmove(r->out, e.p, (size_t)(end - e.p));
	return (size_t)(end - e.p);
}

static void send_to(uv_udp_t *h, const uint8_t *buf, size_t len,
		    const struct sockaddr *to)
{
	uv_buf_t b = uv_buf_init((char *)(uintptr_t)buf, (unsigned)len);

	/* loopback takes a datagram at once or drops it: like a network */
	(void)uv_udp_try_send(h, &b, 1, to);
}

static void on_delay(uv_timer_t *h)
{
	struct snmp_responder *r = h->data;

	send_to(r->wait_h, r->wait, r->wait_len,
		(const struct sockaddr *)&r->wait_to);
}

/* Sends the answer in r->out now, or after the delay. */
static void send_answer(struct snmp_responder *r, uv_udp_t *h, size_t len,
			const struct sockaddr *to)
{
	if (r->delay_ms == 0) {
		send_to(h, r->out, len, to);
		return;
	}
	memcpy(r->wait, r->out, len);
	r->wait_len = len;
	r->wait_h = h;
	memcpy(&r->wait_to, to,
	       to->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					 : sizeof(struct sockaddr_in));
	uv_timer_start(&r->delay, on_delay, r->delay_ms, 0);
}

void snmp_responder_set_delay(struct snmp_responder *r, unsigned ms)
{
	r->delay_ms = ms;
}

static void answer(struct snmp_responder *r, size_t n,
		   const struct sockaddr *from)
{
	long errstat = 0, errindex = 0;
	int rc = request_parse(r, r->in, n), nres;
	size_t len;

	if (rc == -2)
		r->stats.bad_community++;
	if (rc < 0)
		return;
	if (r->req.pdu == PDU_GET)
		r->stats.gets++;
	else if (r->req.pdu == PDU_GETNEXT)
		r->stats.nexts++;
	else
		r->stats.bulks++;
	if (r->mode & SNMP_RESP_MUTE)
		return;
	nres = resolve(r, &errstat, &errindex);
	if (fail_applies(r)) {
		for (int k = 0; k < r->req.nq; k++)
			r->res[k] = res_exc(&r->req, k, BER_NULL);
		nres = r->req.nq;
		errstat = r->fail_errstat;
		errindex = 1;
		r->stats.failed++;
	}
	if ((r->mode & SNMP_RESP_DECOYS) && r->req.pdu == PDU_GET) {
		len = encode(r, nres, r->req.reqid, errstat, errindex, 1);
		if (len > 0) {
			send_to(&r->decoy, r->out, len, from);
			r->stats.decoys++;
		}
		len = encode(r, nres, r->req.reqid ^ REQID_FLIP, errstat,
			     errindex, 1);
		if (len > 0) {
			send_to(&r->udp, r->out, len, from);
			r->stats.decoys++;
		}
	}
	if (r->mode & SNMP_RESP_GENERR) {
		for (int k = 0; k < r->req.nq; k++)
			r->res[k] = res_exc(&r->req, k, BER_NULL);
		nres = r->req.nq;
		errstat = 5;
		errindex = 1;
	}
	len = encode(r, nres,
		     (r->mode & SNMP_RESP_WRONGID) ? r->req.reqid ^ REQID_FLIP
						   : r->req.reqid,
		     errstat, errindex, 0);
	if (len == 0)
		return;
	if (r->mode & SNMP_RESP_MALFORMED)
		len = len > 8 ? len - 7 : 1; /* outer length now overruns */
	send_answer(r, (r->mode & SNMP_RESP_FOREIGN) ? &r->decoy : &r->udp,
		    len, from);
}

/* ---- libuv glue ----------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct snmp_responder *r = h->data;

	(void)hint;
	*buf = uv_buf_init((char *)r->in, sizeof(r->in));
}

static void on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
		    const struct sockaddr *from, unsigned flags)
{
	(void)buf;
	(void)flags;
	if (nread <= 0 || from == NULL)
		return;
	answer(h->data, (size_t)nread, from);
}

static void on_closed(uv_handle_t *h)
{
	struct snmp_responder *r = h->data;

	if (--r->open == 0)
		free(r);
}

static int bind_to(uv_udp_t *h, const char *ip)
{
	struct sockaddr_in sin;
	int rc = uv_ip4_addr(ip, 0, &sin);

	if (rc < 0)
		return rc;
	return uv_udp_bind(h, (const struct sockaddr *)&sin, 0);
}

int snmp_responder_start(uv_loop_t *loop, const char *community,
			 struct snmp_responder **ret_r)
{
	struct snmp_responder *r = calloc(1, sizeof(*r));
	struct sockaddr_in sin;
	int len = sizeof(sin), rc;

	if (r == NULL)
		return -ENOMEM;
	snprintf(r->community, sizeof(r->community), "%s", community);
	rc = uv_udp_init(loop, &r->udp);
	if (rc < 0) {
		free(r);
		return rc;
	}
	r->udp.data = r;
	r->open = 1;
	rc = uv_udp_init(loop, &r->decoy);
	if (rc < 0)
		goto err;
	r->decoy.data = r;
	r->open = 2;
	rc = uv_timer_init(loop, &r->delay);
	if (rc < 0)
		goto err;
	r->delay.data = r;
	r->open = 3;
	rc = bind_to(&r->udp, "127.0.0.1");
	if (rc < 0)
		goto err;
	/* another address on lo; another port when 127.0.0.2 is refused */
	if (bind_to(&r->decoy, "127.0.0.2") < 0) {
		rc = bind_to(&r->decoy, "127.0.0.1");
		if (rc < 0)
			goto err;
	}
	rc = uv_udp_getsockname(&r->udp, (struct sockaddr *)&sin, &len);
	if (rc < 0)
		goto err;
	r->port = ntohs(sin.sin_port);
	rc = uv_udp_recv_start(&r->udp, on_alloc, on_recv);
	if (rc < 0)
		goto err;
	*ret_r = r;
	return 0;
err:
	snmp_responder_close(r); /* freed once the loop runs */
	return rc;
}

void snmp_responder_close(struct snmp_responder *r)
{
	if (r == NULL)
		return;
	uv_close((uv_handle_t *)&r->udp, on_closed);
	if (r->open >= 2)
		uv_close((uv_handle_t *)&r->decoy, on_closed);
	if (r->open >= 3)
		uv_close((uv_handle_t *)&r->delay, on_closed);
}
