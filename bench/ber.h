/*
 * ber.h - the little BER (X.690) that an SNMPv2c responder and a load
 * generator need: a forward decoder and a backward (reverse) encoder, so
 * every length comes out in its minimal form.  Header-only, used by
 * bench/responder.c and bench/loadgen.c.
 * SPDX-License-Identifier: MIT
 */
#ifndef BENCH_BER_H
#define BENCH_BER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BER_INT 0x02
#define BER_OCTETS 0x04
#define BER_NULL 0x05
#define BER_OID 0x06
#define BER_SEQ 0x30
#define BER_IPADDR 0x40
#define BER_COUNTER32 0x41
#define BER_GAUGE32 0x42
#define BER_TIMETICKS 0x43
#define BER_COUNTER64 0x46
#define BER_NOSUCHOBJECT 0x80
#define BER_NOSUCHINSTANCE 0x81
#define BER_ENDOFMIBVIEW 0x82
#define PDU_GET 0xa0
#define PDU_GETNEXT 0xa1
#define PDU_RESPONSE 0xa2
#define PDU_GETBULK 0xa5

#define OID_MAX 32

/* ---- decoding ------------------------------------------------------- */

struct bdec {
	const uint8_t *p, *end;
};

/* Reads one tag and length; on success *val points at the contents. */
static inline int ber_tl(struct bdec *d, uint8_t *tag, size_t *len)
{
	size_t l;

	if (d->end - d->p < 2)
		return -1;
	*tag = *d->p++;
	l = *d->p++;
	if (l & 0x80) {
		int n = (int)(l & 0x7f);

		if (n == 0 || n > 4 || d->end - d->p < n)
			return -1;
		l = 0;
		while (n--)
			l = (l << 8) | *d->p++;
	}
	if ((size_t)(d->end - d->p) < l)
		return -1;
	*len = l;
	return 0;
}

static inline int ber_int(struct bdec *d, int64_t *v)
{
	uint8_t tag;
	size_t len;
	int64_t x;

	if (ber_tl(d, &tag, &len) < 0 || tag != BER_INT || len == 0 || len > 8)
		return -1;
	x = (d->p[0] & 0x80) ? -1 : 0;
	for (size_t i = 0; i < len; i++)
		x = (int64_t)(((uint64_t)x << 8) | d->p[i]);
	d->p += len;
	*v = x;
	return 0;
}

static inline int ber_oid_decode(const uint8_t *p, size_t len, uint32_t *o,
				 int *n)
{
	int k = 0;
	uint32_t v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		v = (v << 7) | (p[i] & 0x7f);
		if (p[i] & 0x80)
			continue;
		if (k == 0) {
			if (k + 2 > OID_MAX)
				return -1;
			o[0] = v < 80 ? v / 40 : 2;
			o[1] = v - o[0] * 40;
			k = 2;
		} else {
			if (k >= OID_MAX)
				return -1;
			o[k++] = v;
		}
		v = 0;
	}
	*n = k;
	return 0;
}

/* ---- encoding (backwards: the buffer fills from its end) ------------- */

struct benc {
	uint8_t *start, *p; /* p moves down towards start */
	int overflow;
};

static inline void ber_put(struct benc *e, const void *b, size_t n)
{
	if ((size_t)(e->p - e->start) < n) {
		e->overflow = 1;
		return;
	}
	e->p -= n;
	memcpy(e->p, b, n);
}

static inline void ber_byte(struct benc *e, uint8_t b)
{
	ber_put(e, &b, 1);
}

static inline void ber_hdr(struct benc *e, uint8_t tag, size_t len)
{
	if (len < 0x80) {
		ber_byte(e, (uint8_t)len);
	} else {
		int n = 0;

		while (len) {
			ber_byte(e, (uint8_t)len);
			len >>= 8;
			n++;
		}
		ber_byte(e, (uint8_t)(0x80 | n));
	}
	ber_byte(e, tag);
}

/* unsigned integer types (Counter32, Gauge32, TimeTicks, Counter64) */
static inline void ber_uint(struct benc *e, uint8_t tag, uint64_t v)
{
	uint8_t *end = e->p;

	do {
		ber_byte(e, (uint8_t)v);
		v >>= 8;
	} while (v);
	if (*e->p & 0x80)
		ber_byte(e, 0);
	ber_hdr(e, tag, (size_t)(end - e->p));
}

static inline void ber_sint(struct benc *e, int64_t v)
{
	uint8_t *end = e->p;

	for (;;) {
		ber_byte(e, (uint8_t)v);
		if ((v >= -128 && v < 128))
			break;
		v >>= 8; /* arithmetic */
	}
	ber_hdr(e, BER_INT, (size_t)(end - e->p));
}

static inline void ber_octets(struct benc *e, uint8_t tag, const void *s,
			      size_t n)
{
	ber_put(e, s, n);
	ber_hdr(e, tag, n);
}

static inline void ber_oid(struct benc *e, const uint32_t *o, int n)
{
	uint8_t *end = e->p;

	for (int i = n - 1; i >= 2; i--) {
		uint32_t v = o[i];

		ber_byte(e, v & 0x7f);
		while (v >>= 7)
			ber_byte(e, 0x80 | (v & 0x7f));
	}
	ber_byte(e, (uint8_t)(o[0] * 40 + (n > 1 ? o[1] : 0)));
	ber_hdr(e, BER_OID, (size_t)(end - e->p));
}

static inline int oid_cmp(const uint32_t *a, int na, const uint32_t *b, int nb)
{
	int n = na < nb ? na : nb;

	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return na < nb ? -1 : na > nb ? 1 : 0;
}

#endif
