/*
 * test_snmp_ber.c - the poller's own SNMPv1/v2c encoding and decoding
 * (probes/snmp_ber.c), checked against net-snmp: the GetRequest we send
 * must be byte for byte what net-snmp would send, and every Response
 * net-snmp builds must decode to the same values. Then truncated and
 * corrupted datagrams: refused or cut short, never read beyond.
 * SPDX-License-Identifier: MIT
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "probes/snmp_ber.h"

static void lib_setup(void)
{
	setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	snmp_disable_log();
	init_snmp("test_snmp_ber");
}

static void lib_teardown(void)
{
	snmp_shutdown("test_snmp_ber");
}

TestSuite(snmp_ber, .init = lib_setup, .fini = lib_teardown);

/* net-snmp's encoding of pdu as a community message, copied to out. */
static size_t netsnmp_encode(netsnmp_pdu *pdu, long version,
			     const char *community, uint8_t *out, size_t cap)
{
	netsnmp_session s;
	size_t len = 70000, off = 0;
	u_char *pkt = malloc(len);

	cr_assert_not_null(pkt);
	snmp_sess_init(&s);
	s.version = version;
	s.community = (u_char *)strdup(community);
	s.community_len = strlen(community);
	pdu->version = version;
	pdu->community = (u_char *)strdup(community);
	pdu->community_len = strlen(community);
	cr_assert_eq(snmp_build(&pkt, &len, &off, &s, pdu), 0,
		     "net-snmp could not build the reference message");
	cr_assert_leq(off, cap);
	memcpy(out, pkt + len - off, off);
	free(pkt);
	free(s.community);
	return off;
}

/* Our GetRequest for the OIDs, compared with net-snmp's. */
static void compare_get(long nversion, int version, const char *community,
			int32_t reqid, const uint32_t (*arcs)[16],
			const size_t *narcs, size_t n)
{
	static uint8_t ours[70000], theirs[70000];
	uint8_t enc[256][48];
	const uint8_t *oids[256];
	size_t lens[256], len_ours, len_theirs;
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

	cr_assert_leq(n, 256);
	for (size_t i = 0; i < n; i++) {
		oid o[16];

		for (size_t k = 0; k < narcs[i]; k++)
			o[k] = arcs[i][k];
		snmp_add_null_var(pdu, o, narcs[i]);
		lens[i] = snmp_ber_oid_encode(enc[i], sizeof(enc[i]), arcs[i],
					      narcs[i]);
		cr_assert_gt(lens[i], 0);
		oids[i] = enc[i];
	}
	pdu->reqid = reqid;
	pdu->msgid = reqid;
	len_theirs = netsnmp_encode(pdu, nversion, community, theirs,
				    sizeof(theirs));
	snmp_free_pdu(pdu);
	len_ours = snmp_ber_get_request(ours, sizeof(ours), version, community,
					strlen(community), reqid, oids, lens,
					n);
	cr_assert_eq(len_ours, len_theirs, "length %zu, net-snmp %zu",
		     len_ours, len_theirs);
	cr_assert_arr_eq(ours, theirs, len_ours);
	/* and it decodes back */
	{
		struct snmp_ber_msg m;
		const uint8_t *pos;
		struct snmp_ber_vb vb;
		size_t k = 0;

		cr_assert_eq(snmp_ber_parse(ours, len_ours, &m), 0);
		cr_assert_eq(m.pdu_type, SNMP_BER_GET);
		cr_assert_eq(m.reqid, reqid);
		cr_assert_eq(m.version, version);
		cr_assert_eq(m.community_len, strlen(community));
		pos = m.vbs;
		while (snmp_ber_next_vb(&pos, m.vbs + m.vbs_len, &vb) == 1) {
			uint32_t back[SNMP_BER_OID_MAX];
			int nb = snmp_ber_oid_decode(vb.oid, vb.oid_len, back,
						     SNMP_BER_OID_MAX);

			cr_assert_eq(nb, (int)narcs[k]);
			cr_assert_arr_eq(back, arcs[k], narcs[k] * sizeof(back[0]));
			cr_assert_eq(vb.type, SNMP_BER_NULL);
			k++;
		}
		cr_assert_eq(k, n);
	}
}

Test(snmp_ber, get_request_matches_netsnmp_v2c)
{
	static const uint32_t arcs[3][16] = {
		{1, 3, 6, 1, 2, 1, 1, 3, 0},
		{1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 2147483647},
		{1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 128},
	};
	static const size_t n[3] = {9, 12, 11};
	static const int32_t ids[] = {1, 127, 128, 255, 256, 65535, 8388608,
				      0x7fffffff, 0x7ff00001};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		compare_get(SNMP_VERSION_2c, SNMP_BER_V2C, "public", ids[i],
			    arcs, n, 3);
}

Test(snmp_ber, get_request_matches_netsnmp_v1_long_forms)
{
	/* 120 varbinds: two-byte lengths; a 200-byte community; arcs that
	 * need up to five bytes; 2.x OIDs whose first byte is >= 80 */
	static uint32_t arcs[120][16];
	static size_t n[120];
	char community[201];

	memset(community, 'c', 200);
	community[200] = '\0';
	for (size_t i = 0; i < 120; i++) {
		const uint32_t base[] = {1, 3, 6, 1, 4, 1, 2011, 5, 25, 31, 1,
					 1, 1, 1};

		memcpy(arcs[i], base, sizeof(base));
		arcs[i][14] = (uint32_t)(i * 35791393u);
		n[i] = 15;
	}
	arcs[7][0] = 2;
	arcs[7][1] = 999;
	arcs[8][1] = 39;
	compare_get(SNMP_VERSION_1, SNMP_BER_V1, community, 4242,
		    (const uint32_t(*)[16])arcs, n, 120);
}

Test(snmp_ber, get_request_refuses_what_does_not_fit)
{
	static const uint32_t a[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
	uint8_t enc[16], buf[64];
	const uint8_t *oids[1] = {enc};
	size_t lens[1];

	lens[0] = snmp_ber_oid_encode(enc, sizeof(enc), a, 9);
	cr_assert_eq(lens[0], 8);
	cr_assert_eq(snmp_ber_get_request(buf, 20, SNMP_BER_V2C, "public", 6,
					  1, oids, lens, 1),
		     0, "a message longer than the buffer must be refused");
	cr_assert_gt(snmp_ber_get_request(buf, sizeof(buf), SNMP_BER_V2C,
					  "public", 6, 1, oids, lens, 1),
		     0);
	/* invalid OIDs: first arc above 2, second >= 40 under 0 or 1 */
	cr_assert_eq(snmp_ber_oid_encode(enc, sizeof(enc),
					 (const uint32_t[]){3, 1}, 2),
		     0);
	cr_assert_eq(snmp_ber_oid_encode(enc, sizeof(enc),
					 (const uint32_t[]){1, 40}, 2),
		     0);
	cr_assert_eq(snmp_ber_oid_encode(enc, 2, a, 9), 0);
}

/* A Response built by net-snmp with every type an agent answers. */
static size_t build_response(uint8_t *out, size_t cap, int32_t reqid,
			     long errstat, long errindex)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_RESPONSE);
	oid o[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1};
	struct counter64 c64 = {0xfedcba98UL, 0x76543210UL};
	long l;
	u_long ul;
	size_t len;

	pdu->reqid = reqid;
	pdu->errstat = errstat;
	pdu->errindex = errindex;
	ul = 4294967295UL;
	snmp_pdu_add_variable(pdu, o, 11, ASN_COUNTER, &ul, sizeof(ul));
	o[10] = 2;
	snmp_pdu_add_variable(pdu, o, 11, ASN_COUNTER64, &c64, sizeof(c64));
	o[10] = 3;
	ul = 1000000000UL;
	snmp_pdu_add_variable(pdu, o, 11, ASN_GAUGE, &ul, sizeof(ul));
	o[10] = 4;
	ul = 123456789UL;
	snmp_pdu_add_variable(pdu, o, 11, ASN_TIMETICKS, &ul, sizeof(ul));
	o[10] = 5;
	l = 1;
	snmp_pdu_add_variable(pdu, o, 11, ASN_INTEGER, &l, sizeof(l));
	o[10] = 6;
	l = -5;
	snmp_pdu_add_variable(pdu, o, 11, ASN_INTEGER, &l, sizeof(l));
	o[10] = 7;
	snmp_pdu_add_variable(pdu, o, 11, ASN_OCTET_STR, "GigabitEthernet0/0/1",
			      20);
	o[10] = 8;
	snmp_pdu_add_variable(pdu, o, 11, SNMP_NOSUCHOBJECT, NULL, 0);
	o[10] = 9;
	snmp_pdu_add_variable(pdu, o, 11, SNMP_NOSUCHINSTANCE, NULL, 0);
	o[10] = 10;
	snmp_pdu_add_variable(pdu, o, 11, SNMP_ENDOFMIBVIEW, NULL, 0);
	o[10] = 11;
	ul = 0;
	snmp_pdu_add_variable(pdu, o, 11, ASN_COUNTER, &ul, sizeof(ul));
	pdu->msgid = reqid;
	len = netsnmp_encode(pdu, SNMP_VERSION_2c, "public", out, cap);
	snmp_free_pdu(pdu);
	return len;
}

Test(snmp_ber, response_from_netsnmp_decodes)
{
	static uint8_t buf[4096];
	size_t len = build_response(buf, sizeof(buf), 1048577, 0, 0);
	struct snmp_ber_msg m;
	struct snmp_ber_vb vb[16];
	const uint8_t *pos;
	uint64_t v;
	size_t n = 0;
	int rc;

	cr_assert_eq(snmp_ber_parse(buf, len, &m), 0);
	cr_assert_eq(m.version, SNMP_BER_V2C);
	cr_assert_eq(m.pdu_type, SNMP_BER_RESPONSE);
	cr_assert_eq(m.reqid, 1048577);
	cr_assert_eq(m.errstat, 0);
	cr_assert_eq(m.community_len, 6);
	cr_assert_arr_eq(m.community, "public", 6);
	pos = m.vbs;
	while ((rc = snmp_ber_next_vb(&pos, m.vbs + m.vbs_len, &vb[n])) == 1)
		n++;
	cr_assert_eq(rc, 0);
	cr_assert_eq(n, 11);

	cr_assert_eq(vb[0].type, SNMP_BER_COUNTER32);
	cr_assert_eq(snmp_ber_uint(&vb[0], &v), 0);
	cr_assert_eq(v, 4294967295ULL, "Counter32 max (encoded 00 ff ff ff ff)");
	cr_assert_eq(vb[1].type, SNMP_BER_COUNTER64);
	cr_assert_eq(snmp_ber_uint(&vb[1], &v), 0);
	cr_assert_eq(v, 0xfedcba9876543210ULL);
	cr_assert_eq(snmp_ber_uint(&vb[2], &v), 0);
	cr_assert_eq(v, 1000000000ULL);
	cr_assert_eq(vb[3].type, SNMP_BER_TIMETICKS);
	cr_assert_eq(snmp_ber_uint(&vb[3], &v), 0);
	cr_assert_eq(v, 123456789ULL);
	cr_assert_eq(snmp_ber_uint(&vb[4], &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(snmp_ber_uint(&vb[5], &v), -1, "negative INTEGER");
	cr_assert_eq(vb[6].type, SNMP_BER_OCTETS);
	cr_assert_eq(vb[6].val_len, 20);
	cr_assert_arr_eq(vb[6].val, "GigabitEthernet0/0/1", 20);
	cr_assert_eq(snmp_ber_uint(&vb[6], &v), -1, "a string is no number");
	cr_assert_eq(vb[7].type, SNMP_BER_NOSUCHOBJECT);
	cr_assert_eq(vb[8].type, SNMP_BER_NOSUCHINSTANCE);
	cr_assert_eq(vb[9].type, SNMP_BER_ENDOFMIBVIEW);
	cr_assert_eq(snmp_ber_uint(&vb[10], &v), 0);
	cr_assert_eq(v, 0);
	for (size_t i = 0; i < n; i++) {
		uint32_t arcs[SNMP_BER_OID_MAX];

		cr_assert_eq(snmp_ber_oid_decode(vb[i].oid, vb[i].oid_len,
						 arcs, SNMP_BER_OID_MAX),
			     11);
		cr_assert_eq(arcs[10], i + 1);
		cr_assert_eq(arcs[9], 10);
	}
}

Test(snmp_ber, error_status_decodes)
{
	static uint8_t buf[4096];
	size_t len = build_response(buf, sizeof(buf), 77, SNMP_ERR_TOOBIG, 3);
	struct snmp_ber_msg m;

	cr_assert_eq(snmp_ber_parse(buf, len, &m), 0);
	cr_assert_eq(m.errstat, SNMP_ERR_TOOBIG);
	cr_assert_eq(m.errindex, 3);
}

/* Every prefix of a valid answer is refused or yields fewer varbinds, and
 * a flipped byte anywhere never makes the decoder read out of bounds
 * (ASan checks the reads: each copy is exactly sized on the heap). */
Test(snmp_ber, truncated_and_corrupted_answers)
{
	static uint8_t good[4096];
	size_t len = build_response(good, sizeof(good), 99, 0, 0);

	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);
		struct snmp_ber_msg m;

		cr_assert_not_null(b);
		memcpy(b, good, cut);
		cr_assert_eq(snmp_ber_parse(b, cut, &m), -1,
			     "a datagram cut at %zu of %zu was accepted", cut,
			     len);
		free(b);
	}
	for (size_t at = 0; at < len; at++) {
		for (int bit = 0; bit < 8; bit++) {
			uint8_t *b = malloc(len);
			struct snmp_ber_msg m;
			struct snmp_ber_vb vb;
			const uint8_t *pos;
			uint64_t v;
			int guard = 0;

			cr_assert_not_null(b);
			memcpy(b, good, len);
			b[at] ^= (uint8_t)(1u << bit);
			if (snmp_ber_parse(b, len, &m) == 0) {
				cr_assert_leq(m.vbs + m.vbs_len, b + len);
				pos = m.vbs;
				while (snmp_ber_next_vb(&pos, m.vbs + m.vbs_len,
							&vb) == 1) {
					uint32_t arcs[SNMP_BER_OID_MAX];

					cr_assert_leq(vb.val + vb.val_len,
						      b + len);
					(void)snmp_ber_uint(&vb, &v);
					(void)snmp_ber_oid_decode(
						vb.oid, vb.oid_len, arcs,
						SNMP_BER_OID_MAX);
					cr_assert_lt(++guard, 64);
				}
			}
			free(b);
		}
	}
}

Test(snmp_ber, not_a_v1_v2c_response)
{
	/* SNMPv3 (version 3) and a v1 Trap are refused, not misread */
	static uint8_t buf[4096];
	size_t len = build_response(buf, sizeof(buf), 5, 0, 0);
	struct snmp_ber_msg m;
	size_t h = 2 + ((buf[1] & 0x80) ? (buf[1] & 0x7f) : 0);

	cr_assert_eq(buf[h], 0x02);
	cr_assert_eq(buf[h + 2], 0x01); /* version 1 = v2c */
	buf[h + 2] = 3;
	cr_assert_eq(snmp_ber_parse(buf, len, &m), -1);
	buf[h + 2] = 1;
	cr_assert_eq(buf[h + 11], 0xa2);
	buf[h + 11] = 0xa4;
	cr_assert_eq(snmp_ber_parse(buf, len, &m), -1);
	buf[h + 11] = 0xa2;
	cr_assert_eq(snmp_ber_parse(buf, len, &m), 0);
	/* the indefinite length form */
	buf[1] = 0x80;
	cr_assert_eq(snmp_ber_parse(buf, len, &m), -1);
}

Test(snmp_ber, oid_decode_edges)
{
	uint32_t arcs[4];
	/* 0x80 leading an arc is not minimal; a last byte with its high bit
	 * set leaves the arc open */
	static const uint8_t bad1[] = {0x2b, 0x80, 0x01};
	static const uint8_t bad2[] = {0x2b, 0x86};
	static const uint8_t big[] = {0x2b, 0x8f, 0xff, 0xff, 0xff, 0x7f};
	static const uint8_t huge[] = {0x2b, 0x9f, 0xff, 0xff, 0xff, 0x7f};
	static const uint8_t longer[] = {0x2b, 1, 2, 3};

	cr_assert_eq(snmp_ber_oid_decode(bad1, sizeof(bad1), arcs, 4), -1);
	cr_assert_eq(snmp_ber_oid_decode(bad2, sizeof(bad2), arcs, 4), -1);
	cr_assert_eq(snmp_ber_oid_decode(big, sizeof(big), arcs, 4), 3);
	cr_assert_eq(arcs[2], 4294967295u);
	cr_assert_eq(snmp_ber_oid_decode(huge, sizeof(huge), arcs, 4), -1);
	cr_assert_eq(snmp_ber_oid_decode(longer, sizeof(longer), arcs, 4), -1,
		     "five arcs do not fit in four");
}

Test(snmp_ber, arc_encoding_appends_an_index)
{
	/* a column prefix plus an ifIndex is the whole OID's encoding */
	static const uint32_t col[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 10};
	static const uint32_t idx[] = {0, 1, 127, 128, 16383, 16384,
				       2097151, 2097152, 268435455,
				       268435456, 4294967295u};

	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		uint32_t whole[11];
		uint8_t a[32], b[32];
		size_t la, lb;

		memcpy(whole, col, sizeof(col));
		whole[10] = idx[i];
		la = snmp_ber_oid_encode(a, sizeof(a), col, 10);
		la += snmp_ber_arc_encode(a + la, sizeof(a) - la, idx[i]);
		lb = snmp_ber_oid_encode(b, sizeof(b), whole, 11);
		cr_assert_eq(la, lb, "index %u", idx[i]);
		cr_assert_arr_eq(a, b, la);
	}
	{
		uint8_t small[4];

		cr_assert_eq(snmp_ber_arc_encode(small, sizeof(small),
						 4294967295u),
			     0, "five bytes do not fit in four");
	}
}
