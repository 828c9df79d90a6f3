/*
 * snmp_ber.h - the part of SNMPv1/v2c (RFC 1157, RFC 3416) a poller needs
 * on its hot path, in BER (X.690): encoding a GetRequest and decoding the
 * Response. Pure functions over byte buffers: no sockets, no allocation,
 * no net-snmp. probes/snmp_fast.c uses it for v1/v2c polls of discovered
 * devices, where net-snmp's per-PDU mallocs and ASN.1 layers were most of
 * a poll's CPU (docs/benchmarks.md); discovery walks and SNMPv3 stay with
 * net-snmp.
 *
 * Decoding never trusts a length: every read is bounded by the datagram.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_SNMP_BER_H
#define SLAMON_PROBE_SNMP_BER_H

#include <stddef.h>
#include <stdint.h>

/* BER tags of the types an agent answers with (RFC 2578, RFC 3416). */
enum {
	SNMP_BER_INTEGER = 0x02,
	SNMP_BER_OCTETS = 0x04,
	SNMP_BER_NULL = 0x05,
	SNMP_BER_OID = 0x06,
	SNMP_BER_SEQUENCE = 0x30,
	SNMP_BER_IPADDRESS = 0x40,
	SNMP_BER_COUNTER32 = 0x41,
	SNMP_BER_GAUGE32 = 0x42,
	SNMP_BER_TIMETICKS = 0x43,
	SNMP_BER_OPAQUE = 0x44,
	SNMP_BER_COUNTER64 = 0x46,
	SNMP_BER_UINTEGER32 = 0x47,
	SNMP_BER_NOSUCHOBJECT = 0x80,
	SNMP_BER_NOSUCHINSTANCE = 0x81,
	SNMP_BER_ENDOFMIBVIEW = 0x82,
	SNMP_BER_GET = 0xa0,
	SNMP_BER_RESPONSE = 0xa2,
};

/* Wire version numbers: v1 is 0, v2c is 1. */
#define SNMP_BER_V1 0
#define SNMP_BER_V2C 1

/* Longest OID, in sub-identifiers, that the decoder hands back. */
#define SNMP_BER_OID_MAX 128

/* Writes the BER form of the OID arcs[0..n) (n >= 2, arcs[0] <= 2,
 * arcs[1] < 40 unless arcs[0] == 2) at dst. Returns its length, or 0 when
 * cap is too small or the OID is invalid. */
size_t snmp_ber_oid_encode(uint8_t *dst, size_t cap, const uint32_t *arcs,
			   size_t n);

/* Writes one sub-identifier (not the first two) in base 128 at dst.
 * Returns its length (1..5), or 0 when cap is too small. */
size_t snmp_ber_arc_encode(uint8_t *dst, size_t cap, uint32_t arc);

/* Encodes a whole GetRequest message: version (SNMP_BER_V1/V2C),
 * community, request-id and one NULL-valued varbind per OID. oids[i]
 * points at the BER contents of an OID (snmp_ber_oid_encode) of
 * oid_lens[i] bytes. Returns the message length, or 0 when it does not fit
 * in cap. */
size_t snmp_ber_get_request(uint8_t *buf, size_t cap, int version,
			    const char *community, size_t community_len,
			    int32_t reqid, const uint8_t *const *oids,
			    const size_t *oid_lens, size_t n);

/* A decoded message header and where its varbinds are. */
struct snmp_ber_msg {
	int32_t version;
	const uint8_t *community;
	size_t community_len;
	uint8_t pdu_type;   /* SNMP_BER_RESPONSE for an answer */
	int32_t reqid;
	int32_t errstat;
	int32_t errindex;
	const uint8_t *vbs; /* contents of the varbind list */
	size_t vbs_len;
};

/* Decodes an SNMPv1/v2c message. Returns 0, or -1 when it is not one
 * (malformed, truncated, SNMPv3, a trap). */
int snmp_ber_parse(const uint8_t *buf, size_t len, struct snmp_ber_msg *ret);

/* One varbind, pointing into the datagram. */
struct snmp_ber_vb {
	const uint8_t *oid; /* BER contents of the name */
	size_t oid_len;
	uint8_t type;       /* the value's tag */
	const uint8_t *val; /* the value's contents */
	size_t val_len;
};

/* Reads the next varbind of *pos (below end). Returns 1 and advances *pos,
 * 0 at the end of the list, -1 when the list is malformed. */
int snmp_ber_next_vb(const uint8_t **pos, const uint8_t *end,
		     struct snmp_ber_vb *ret);

/* The value of an INTEGER (not negative), Counter32, Gauge32, TimeTicks,
 * UInteger32 or Counter64 varbind. Returns 0, or -1 for another type, a
 * negative INTEGER or a value that does not fit its type. */
int snmp_ber_uint(const struct snmp_ber_vb *vb, uint64_t *ret);

/* Decodes the varbind's name into arcs (at most max). Returns the number
 * of arcs, or -1 when malformed or longer than max. */
int snmp_ber_oid_decode(const uint8_t *oid, size_t len, uint32_t *arcs,
			size_t max);

#endif
