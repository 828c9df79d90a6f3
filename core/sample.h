/*
 * sample.h - the typed sample every probe hands to the metric engine.
 *
 * Fixed size and pointer free: crossing a module boundary copies it.
 * A device poll is a run of samples for one device closed by SAMPLE_END;
 * failures are samples too (status != POLL_OK), so availability and data
 * completeness can be computed from what was collected.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SAMPLE_H
#define SLAMON_SAMPLE_H

#include <stdint.h>

enum sample_kind {
	SAMPLE_COUNTER, /* monotonically growing, width 32 or 64 */
	SAMPLE_GAUGE,   /* instantaneous value */
	SAMPLE_STATUS,  /* enumerated state (ifOperStatus, reachability) */
	SAMPLE_LATENCY, /* milliseconds, value in fvalue (M_DEV_LOSS: the
	                   echo loss in percent) */
	SAMPLE_END      /* closes one device poll */
};

enum poll_status {
	POLL_OK = 0,
	POLL_TIMEOUT,  /* no answer within timeout x retries or the budget */
	POLL_AUTH,     /* authentication / wrong community (v3 report) */
	POLL_NOSUCH,   /* noSuchObject / noSuchInstance / noSuchName */
	POLL_BADTYPE,  /* value of an unexpected ASN.1 type */
	POLL_ERROR,    /* any other SNMP or transport error */
	POLL_STATUS_COUNT
};

const char *poll_status_name(enum poll_status s);

enum metric_id {
	M_DEV_REACH,    /* status: 1 answered, 0 not; status tells why */
	M_DEV_LATENCY,  /* latency of the poll's first answer, ms */
	M_DEV_UPTIME,   /* sysUpTime in ticks (1/100 s), gauge */
	M_IF_OPER,      /* ifOperStatus (1 up, 2 down, ...) */
	M_IF_SPEED,     /* interface speed in bits/s (ifHighSpeed or ifSpeed) */
	M_IF_IN_OCTETS,
	M_IF_OUT_OCTETS,
	M_IF_IN_ERRORS,
	M_IF_OUT_ERRORS,
	M_IF_IN_DISCARDS,
	M_IF_OUT_DISCARDS,
	M_DEV_LOSS,     /* echo loss of an ICMP poll, percent, in fvalue */
	M_COUNT
};

struct sample {
	uint32_t device;   /* index into config.devices */
	int32_t ifslot;    /* monitored-interface slot, -1 for device level */
	uint16_t metric;   /* enum metric_id */
	uint8_t kind;      /* enum sample_kind */
	uint8_t width;     /* counters: 32 or 64 */
	int16_t status;    /* enum poll_status */
	uint64_t value;    /* counters, gauges, status */
	double fvalue;     /* latency */
	double t;          /* wall clock, seconds since the epoch */
};

#endif
