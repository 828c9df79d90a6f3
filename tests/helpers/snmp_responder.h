/*
 * snmp_responder.h - a canned SNMPv1/v2c agent on 127.0.0.1 for unit
 * tests, running on the test's own libuv loop: GET, GETNEXT and GETBULK
 * answered from a table of OIDs the test fills. Faults on demand: silence
 * (timeouts), decoy answers from another address or with another
 * request-id, sent before the true answer to a GET, or only a malformed,
 * foreign or mismatched answer, or an error-status.
 *
 * The BER comes from bench/ber.h, which the benchmark responder uses too.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TEST_SNMP_RESPONDER_H
#define SLAMON_TEST_SNMP_RESPONDER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct snmp_responder;

/* Fault modes (snmp_responder_set_mode). */
enum {
	SNMP_RESP_MUTE = 1,   /* answer nothing */
	SNMP_RESP_DECOYS = 2, /* before each GET's answer, send the same
	                         answer with other values from 127.0.0.2, and
	                         from our address with another request-id */
	/* instead of the answer to any request: */
	SNMP_RESP_MALFORMED = 4, /* the answer cut short (bad BER) */
	SNMP_RESP_FOREIGN = 8,   /* the answer, from 127.0.0.2 */
	SNMP_RESP_WRONGID = 16,  /* the answer with another request-id */
	SNMP_RESP_GENERR = 32,   /* error-status genErr (5), index 1 */
};

/* What the responder received (counted before any fault is applied). */
struct snmp_responder_stats {
	unsigned gets, nexts, bulks; /* requests by PDU type */
	unsigned bad_community;      /* dropped for their community */
	unsigned decoys;             /* decoy datagrams sent */
	unsigned failed;             /* requests answered with the error of
	                                snmp_responder_fail_prefix */
};

/* Starts a responder on 127.0.0.1 (an ephemeral port) on loop, answering
 * the community given. Returns 0 or a negative errno (then nothing is left
 * open). */
int snmp_responder_start(uv_loop_t *loop, const char *community,
			 struct snmp_responder **ret_r);

/* The UDP port the responder listens on. */
uint16_t snmp_responder_port(const struct snmp_responder *r);

/* Sets oid (dotted numbers, e.g. "1.3.6.1.2.1.1.3.0") to an unsigned value
 * of BER type tag (0x02 INTEGER, 0x41 Counter32, 0x42 Gauge32, 0x43
 * TimeTicks, 0x46 Counter64), adding the OID when new. Returns 0, -EINVAL
 * for a bad OID or -ENOSPC when the table is full. */
int snmp_responder_set_uint(struct snmp_responder *r, const char *oid,
			    uint8_t tag, uint64_t value);

/* Sets oid to an OCTET STRING. Returns as snmp_responder_set_uint. */
int snmp_responder_set_str(struct snmp_responder *r, const char *oid,
			   const char *value);

/* Removes oid from the table (no-op when absent). */
void snmp_responder_unset(struct snmp_responder *r, const char *oid);

/* Answers every GETNEXT/GETBULK whose first name lies under prefix
 * (dotted, e.g. the ifXTable "1.3.6.1.2.1.31.1.1") with error-status
 * errstat (5 genErr, RFC 3416), error-index 1, as some agents do where a
 * table is not implemented. NULL prefix or errstat 0 turns it off.
 * Returns 0 or -EINVAL. */
int snmp_responder_fail_prefix(struct snmp_responder *r, const char *prefix,
			       long errstat);

/* Delays every answer by ms (0: at once), as a slow agent or link would.
 * One answer waits at a time: a request arriving meanwhile replaces it. */
void snmp_responder_set_delay(struct snmp_responder *r, unsigned ms);

/* Sets the fault modes (SNMP_RESP_* bits, 0 for none). */
void snmp_responder_set_mode(struct snmp_responder *r, unsigned mode);

/* Counts so far. */
struct snmp_responder_stats snmp_responder_stats(
	const struct snmp_responder *r);

/* Closes the sockets; the responder frees itself once libuv let go of
 * them (run the loop). Accepts NULL. */
void snmp_responder_close(struct snmp_responder *r);

#endif
