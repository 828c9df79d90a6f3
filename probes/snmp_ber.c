/*
 * snmp_ber.c - BER encoding of an SNMPv1/v2c GetRequest and decoding of
 * the Response (see snmp_ber.h). The request is written front to back:
 * every length is computed first, so each is in its shortest form, as
 * X.690's definite form wants and as agents expect.
 * SPDX-License-Identifier: MIT
 */
#include "snmp_ber.h"

#include <string.h>

/* ---- encoding ------------------------------------------------------- */

static size_t len_size(size_t len)
{
	if (len < 0x80)
		return 1;
	if (len < 0x100)
		return 2;
	if (len < 0x10000)
		return 3;
	if (len < 0x1000000)
		return 4;
	return 5;
}

static uint8_t *put_len(uint8_t *p, size_t len)
{
	size_t n = len_size(len) - 1;

	if (n == 0) {
		*p++ = (uint8_t)len;
		return p;
	}
	*p++ = (uint8_t)(0x80 | n);
	while (n--)
		*p++ = (uint8_t)(len >> (8 * n));
	return p;
}

/* Bytes of the shortest two's-complement form of v. */
static size_t int_size(int32_t v)
{
	size_t n = 1;

	while (n < 4) {
		int32_t hi = v >> (8 * n - 1); /* all sign bits above */

		if (hi == 0 || hi == -1)
			break;
		n++;
	}
	return n;
}

static uint8_t *put_int(uint8_t *p, int32_t v)
{
	size_t n = int_size(v);

	*p++ = SNMP_BER_INTEGER;
	*p++ = (uint8_t)n;
	while (n--)
		*p++ = (uint8_t)((uint32_t)v >> (8 * n));
	return p;
}

static size_t arc_size(uint32_t a)
{
	size_t n = 1;

	while (a >>= 7)
		n++;
	return n;
}

size_t snmp_ber_oid_encode(uint8_t *dst, size_t cap, const uint32_t *arcs,
			   size_t n)
{
	size_t need = 0, o = 0;
	uint32_t first;

	if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) ||
	    arcs[1] > UINT32_MAX - 80)
		return 0;
	first = arcs[0] * 40 + arcs[1];
	need = arc_size(first);
	for (size_t i = 2; i < n; i++)
		need += arc_size(arcs[i]);
	if (need > cap)
		return 0;
	for (size_t i = 1; i < n; i++) {
		uint32_t a = i == 1 ? first : arcs[i];
		size_t k = arc_size(a);

		while (k--)
			dst[o++] = (uint8_t)(((a >> (7 * k)) & 0x7f) |
					     (k ? 0x80 : 0));
	}
	return o;
}

size_t snmp_ber_arc_encode(uint8_t *dst, size_t cap, uint32_t arc)
{
	size_t k = arc_size(arc), n = k;

	if (k > cap)
		return 0;
	for (size_t o = 0; k--; o++)
		dst[o] = (uint8_t)(((arc >> (7 * k)) & 0x7f) | (k ? 0x80 : 0));
	return n;
}

size_t snmp_ber_get_request(uint8_t *buf, size_t cap, int version,
			    const char *community, size_t community_len,
			    int32_t reqid, const uint8_t *const *oids,
			    const size_t *oid_lens, size_t n)
{
	size_t vbl = 0, pdu, msg, total;
	uint8_t *p = buf;

	for (size_t i = 0; i < n; i++) {
		size_t vb = 1 + len_size(oid_lens[i]) + oid_lens[i] + 2;

		vbl += 1 + len_size(vb) + vb;
	}
	pdu = 2 + int_size(reqid) + 3 + 3 + 1 + len_size(vbl) + vbl;
	msg = 3 + 1 + len_size(community_len) + community_len + 1 +
	      len_size(pdu) + pdu;
	total = 1 + len_size(msg) + msg;
	if (total > cap)
		return 0;

	*p++ = SNMP_BER_SEQUENCE;
	p = put_len(p, msg);
	p = put_int(p, version);
	*p++ = SNMP_BER_OCTETS;
	p = put_len(p, community_len);
	memcpy(p, community, community_len);
	p += community_len;
	*p++ = SNMP_BER_GET;
	p = put_len(p, pdu);
	p = put_int(p, reqid);
	p = put_int(p, 0); /* error-status */
	p = put_int(p, 0); /* error-index */
	*p++ = SNMP_BER_SEQUENCE;
	p = put_len(p, vbl);
	for (size_t i = 0; i < n; i++) {
		size_t vb = 1 + len_size(oid_lens[i]) + oid_lens[i] + 2;

		*p++ = SNMP_BER_SEQUENCE;
		p = put_len(p, vb);
		*p++ = SNMP_BER_OID;
		p = put_len(p, oid_lens[i]);
		memcpy(p, oids[i], oid_lens[i]);
		p += oid_lens[i];
		*p++ = SNMP_BER_NULL;
		*p++ = 0;
	}
	return (size_t)(p - buf);
}

/* ---- decoding ------------------------------------------------------- */

/* Reads a tag and a definite length at *pos; the contents start at the
 * new *pos and fit below end. */
static int get_tl(const uint8_t **pos, const uint8_t *end, uint8_t *tag,
		  size_t *len)
{
	const uint8_t *p = *pos;
	size_t l;

	if (end - p < 2)
		return -1;
	*tag = *p++;
	l = *p++;
	if (l & 0x80) {
		size_t n = l & 0x7f;

		/* 0x80 is the indefinite form, which SNMP does not use */
		if (n == 0 || n > 4 || (size_t)(end - p) < n)
			return -1;
		l = 0;
		while (n--)
			l = (l << 8) | *p++;
	}
	if ((size_t)(end - p) < l)
		return -1;
	*pos = p;
	*len = l;
	return 0;
}

static int get_int(const uint8_t **pos, const uint8_t *end, int32_t *ret)
{
	uint8_t tag;
	size_t len;
	uint32_t v;

	if (get_tl(pos, end, &tag, &len) < 0 || tag != SNMP_BER_INTEGER ||
	    len == 0 || len > 4)
		return -1;
	v = ((*pos)[0] & 0x80) ? UINT32_MAX : 0;
	for (size_t i = 0; i < len; i++)
		v = (v << 8) | (*pos)[i];
	*pos += len;
	*ret = (int32_t)v;
	return 0;
}

int snmp_ber_parse(const uint8_t *buf, size_t len, struct snmp_ber_msg *ret)
{
	const uint8_t *p = buf, *end = buf + len;
	uint8_t tag;
	size_t l;

	memset(ret, 0, sizeof(*ret));
	if (get_tl(&p, end, &tag, &l) < 0 || tag != SNMP_BER_SEQUENCE)
		return -1;
	end = p + l;
	if (get_int(&p, end, &ret->version) < 0 ||
	    (ret->version != SNMP_BER_V1 && ret->version != SNMP_BER_V2C))
		return -1;
	if (get_tl(&p, end, &tag, &l) < 0 || tag != SNMP_BER_OCTETS)
		return -1;
	ret->community = p;
	ret->community_len = l;
	p += l;
	if (get_tl(&p, end, &tag, &l) < 0 || (tag & 0xe0) != 0xa0)
		return -1;
	ret->pdu_type = tag;
	end = p + l;
	/* a v1 Trap-PDU (0xa4) has another layout */
	if (tag == 0xa4)
		return -1;
	if (get_int(&p, end, &ret->reqid) < 0 ||
	    get_int(&p, end, &ret->errstat) < 0 ||
	    get_int(&p, end, &ret->errindex) < 0)
		return -1;
	if (get_tl(&p, end, &tag, &l) < 0 || tag != SNMP_BER_SEQUENCE)
		return -1;
	ret->vbs = p;
	ret->vbs_len = l;
	return 0;
}

int snmp_ber_next_vb(const uint8_t **pos, const uint8_t *end,
		     struct snmp_ber_vb *ret)
{
	const uint8_t *p = *pos, *vend;
	uint8_t tag;
	size_t l;

	if (p >= end)
		return 0;
	if (get_tl(&p, end, &tag, &l) < 0 || tag != SNMP_BER_SEQUENCE)
		return -1;
	vend = p + l;
	if (get_tl(&p, vend, &tag, &l) < 0 || tag != SNMP_BER_OID || l == 0)
		return -1;
	ret->oid = p;
	ret->oid_len = l;
	p += l;
	if (get_tl(&p, vend, &tag, &l) < 0 || p + l != vend)
		return -1;
	ret->type = tag;
	ret->val = p;
	ret->val_len = l;
	*pos = vend;
	return 1;
}

int snmp_ber_uint(const struct snmp_ber_vb *vb, uint64_t *ret)
{
	const uint8_t *v = vb->val;
	size_t n = vb->val_len, max;
	uint64_t x = 0;

	switch (vb->type) {
	case SNMP_BER_INTEGER:
		if (n == 0 || n > 4 || (v[0] & 0x80))
			return -1; /* negative, or wider than Integer32 */
		max = 4;
		break;
	case SNMP_BER_COUNTER32:
	case SNMP_BER_GAUGE32:
	case SNMP_BER_TIMETICKS:
	case SNMP_BER_UINTEGER32:
		max = 4;
		break;
	case SNMP_BER_COUNTER64:
		max = 8;
		break;
	default:
		return -1;
	}
	if (n == 0)
		return -1;
	/* unsigned types carry a leading 0 when the top bit is set */
	while (n > 1 && v[0] == 0) {
		v++;
		n--;
	}
	if (n > max)
		return -1;
	for (size_t i = 0; i < n; i++)
		x = (x << 8) | v[i];
	*ret = x;
	return 0;
}

int snmp_ber_oid_decode(const uint8_t *oid, size_t len, uint32_t *arcs,
			size_t max)
{
	size_t n = 0;
	uint64_t a = 0;
	int in_arc = 0;

	if (len == 0 || max < 2)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!in_arc && oid[i] == 0x80)
			return -1; /* a non-minimal arc */
		a = (a << 7) | (oid[i] & 0x7f);
		if (a > UINT32_MAX + 80ULL)
			return -1;
		in_arc = 1;
		if (oid[i] & 0x80)
			continue;
		in_arc = 0;
		if (n == 0) {
			arcs[0] = a < 40 ? 0 : a < 80 ? 1 : 2;
			arcs[1] = (uint32_t)(a - 40ULL * arcs[0]);
			n = 2;
		} else {
			if (n >= max || a > UINT32_MAX)
				return -1;
			arcs[n++] = (uint32_t)a;
		}
		a = 0;
	}
	return in_arc ? -1 : (int)n;
}
