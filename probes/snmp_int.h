/*
 * snmp_int.h - what the three files of the SNMP probe share, and nothing
 * outside probes/snmp*.c may include:
 *
 *   snmp.c          the probe object, the device table, a poll from start
 *                   to end (request list, answers, samples, hooks);
 *   snmp_session.c  net-snmp sessions: the IF-MIB discovery walk, SNMPv3
 *                   (engine discovery, USM) and the GETs of devices that
 *                   do not take the fast path (SLAMON_SNMP_NETSNMP_ONLY=1);
 *   snmp_fast.c     v1/v2c GETs of our own (snmp_ber.c) on the probe's one
 *                   shared socket (snmp_udp.c).
 *
 * The two transports hand answers back to snmp.c through snmp__req_store()
 * and snmp__gets_advance(), failures through snmp__poll_fail(). This header
 * includes no net-snmp header: snmp.c and snmp_fast.c never see its types.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_SNMP_INT_H
#define SLAMON_PROBE_SNMP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include "snmp.h"

/* IF-MIB (RFC 2863) table prefixes: ifEntry and ifXEntry. */
#define SNMP__IFT 1, 3, 6, 1, 2, 1, 2, 2, 1
#define SNMP__IFX 1, 3, 6, 1, 2, 1, 31, 1, 1, 1

/* Error-status values of a Response PDU (RFC 3416 section 3). */
#define SNMP__ERR_NOERROR 0
#define SNMP__ERR_TOOBIG 1
#define SNMP__ERR_NOSUCHNAME 2

#define SNMP__M_KEY 1000       /* pseudo metric: the interface's key column */
#define SNMP__M_HIGHSPEED 1001 /* pseudo metric: ifHighSpeed (Mbps) */

enum snmp__dstate { DS_IDLE, DS_ENGINE, DS_DISCOVER, DS_POLL };

/* One varbind of a poll and what came back. Its name is kept in BER, as
 * it goes on the wire: an IF-MIB column (10 bytes) and an ifIndex (<= 5). */
#define SNMP__REQ_ENC_MAX 16
#define SNMP__REQ_OID_MAX 16 /* sub-identifiers, when net-snmp needs them */

/* Kept small: a device holds 1 + 10 per monitored interface of these, and
 * a fleet of 28,000 devices must fit in a few hundred MB. */
struct snmp__req {
	uint8_t enc[SNMP__REQ_ENC_MAX]; /* BER contents of the name */
	double t;
	uint64_t value;  /* counters, gauges; for M_KEY a hash of the text */
	int32_t slot;    /* -1 device level */
	uint16_t metric; /* enum metric_id or SNMP__M_KEY / M_HIGHSPEED */
	uint8_t len;     /* of enc */
	uint8_t kind;
	uint8_t width;
	uint8_t answered;
	int16_t status;
};

/* One answered varbind, whoever decoded it. type is the BER tag (net-snmp's
 * ASN_* and SNMP_NOSUCH* values are the same tags as snmp_ber.h's). */
struct snmp__answer {
	int type;
	int has_uint;        /* uint is the value */
	uint64_t uint;
	const uint8_t *text; /* OCTET STRING contents */
	size_t text_len;
};

struct snmp__row;     /* snmp_session.c: one ifTable row while walking */
struct snmp__walkcol; /* snmp_session.c: one column's walk position */
struct snmp__fdset;   /* snmp_session.c: net-snmp's select scratch */
struct snmp__usm;     /* snmp_session.c: a v3 device's own USM keys */

struct sdev {
	struct snmp_probe *p;
	uint32_t idx;
	const struct device *dev;
	const struct snmp_profile *prof;
	void *ss;          /* net-snmp single session, NULL when closed */
	struct snmp__usm *usm; /* v3, once the engineID is known */
	int fd;
	uv_poll_t poll;
	uv_timer_t timer;  /* net-snmp retransmission/timeout */
	uv_timer_t budget; /* whole-poll wall time */
	int handles;       /* libuv handles initialised (for close) */
	enum snmp__dstate state;
	int reqid;
	double t_start, latency_ms;
	int need_discovery;
	uint64_t budget_ms; /* wall time allowed for this poll */
	int poll_closing;   /* uv_close of .poll not yet called back */
	int sec_retried; /* one retry after a v3 security error */
	int resend_pending;
	char err[160];
	/* the last datagram of this poll that did not count as its answer
	 * (malformed, from elsewhere, another request-id): said when the
	 * poll fails for want of an answer */
	char stray[112];

	struct snmp_iface *ifs;
	size_t nifs;

	struct snmp__row *rows;
	size_t nrows, caprows;
	struct snmp__walkcol *cols; /* only during discovery; kept between
	                               polls until the walk is over */
	int max_rep;
	int walk_progress; /* this poll's walk got rows or ended a column */

	struct snmp__req *reqs;
	size_t nreqs, next, chunk_len;
	int max_vb;

	double uptime_last; /* ticks, for rediscovery after restarts */
	double uptime_t;
	int uptime_valid;

	/* own v1/v2c GETs (snmp_fast.c) */
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} addr;
	uint8_t fast;      /* GETs go through snmp_ber/snmp_udp */
	uint8_t fast_wait; /* a GET of ours is outstanding: on the probe's
	                      timeout list */
	struct sdev *tnext, *tprev;
	double deadline;   /* of the outstanding GET, wall clock */
	uint8_t tries;     /* sends of the outstanding GET */
	uint16_t seq;      /* request-id sequence, 1..FAST_SEQ_MAX */
};

struct snmp_probe {
	uv_loop_t *loop;
	const struct config *cfg;
	struct snmp_probe_hooks hooks;
	struct sdev *devs;
	size_t ndevs;
	size_t busy;
	struct snmp__fdset *fds; /* snmp_session.c */
	struct snmp_udp *udp; /* opened with the first fast GET */
	uint8_t *txbuf;       /* FAST_MSG_MAX, encoding scratch */
	/* outstanding own GETs, in send order, checked by one timer: a
	 * timer per request was a tenth of a poll's CPU */
	struct sdev *thead, *ttail;
	uv_timer_t ttick;     /* one-shot at the earliest deadline */
	int ttick_state;      /* 0 none, 1 initialised, 2 running */
	double tdue;          /* when ttick fires (wall clock) */
	int closing, open_handles;
	void (*close_cb)(void *);
	void *close_arg;
};

/* ---- snmp.c: the poll ------------------------------------------------ */

/* Wall clock in seconds since the epoch. */
double snmp__now(void);

/* Copies an OCTET STRING into a printable, valid UTF-8 C string of at most
 * dstlen bytes (NUL included). */
void snmp__text_copy(char *dst, size_t dstlen, const uint8_t *src, size_t n);

/* Ends d's poll with status (not POLL_OK), keeping the formatted reason as
 * the device's last error; emits the failed poll and calls done. */
void snmp__poll_fail(struct sdev *d, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Ends d's poll as a timeout after its retries: "no answer", or what
 * arrived instead (d->stray). */
void snmp__poll_no_answer(struct sdev *d);

/* Ends d's poll as a timeout at the end of its wall-time budget. */
void snmp__poll_over_budget(struct sdev *d);

/* Keeps the formatted description of a datagram that reached d's poll but
 * did not count (shown if the poll then fails). */
void snmp__stray_note(struct sdev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes "address:port" of sa (IPv4 or IPv6) to buf. */
void snmp__addr_string(const struct sockaddr *sa, char *buf, size_t len);

/* Ends d's poll, whose discovery walk made progress but is not over, as
 * a poll of a device that answers: reach POLL_OK, no values. The walk
 * resumes where it stopped at the next poll. */
void snmp__poll_walk_pending(struct sdev *d);

/* Builds the request list of d's monitored interfaces and sends its first
 * chunk; a failure ends the poll. */
void snmp__gets_start(struct sdev *d);

/* Sends the chunk of requests at d->next by d's transport. */
void snmp__gets_send(struct sdev *d);

/* Stores one answered varbind in r, answered at t. */
void snmp__req_store(struct snmp__req *r, const struct snmp__answer *a,
		     double t);

/* The chunk is answered: sends the next one, or ends the poll. */
void snmp__gets_advance(struct sdev *d);

/* A Response to a GET carried error-status errstat: halves the chunk on
 * tooBig, skips a v1 noSuchName, or ends the poll. */
void snmp__gets_error(struct sdev *d, long errstat, long errindex);

/* Counts down one closed handle of a closing probe; the last one calls the
 * probe's close_cb. */
void snmp__probe_unref(struct snmp_probe *p);

/* ---- snmp_session.c: net-snmp ---------------------------------------- */

/* Initialises net-snmp once per process (numeric OIDs, no config files,
 * no persistent state). */
void snmp__session_lib_init(void);

/* The trap receiver (snmp_trap.c): makes net-snmp's USM user entry for
 * (engine_id, pr->user) hold pr's keys localized for engine_id, so that a
 * v3 trap (the sender's engine) or inform (ours) of that user is checked
 * against the profile. An entry the poller made is replaced; the poller
 * puts its own keys back before each of its calls (usm_keys_put). Returns
 * 0, -EINVAL (no user, or key derivation failed) or -ENOMEM. */
int snmp__usm_install(const struct snmp_profile *pr,
		      const unsigned char *engine_id, size_t engine_len);

/* Allocates the probe's select scratch. Returns 0 or -ENOMEM. */
int snmp__session_probe_init(struct snmp_probe *p);

/* Frees what snmp__session_probe_init allocated; accepts NULL p->fds. */
void snmp__session_probe_cleanup(struct snmp_probe *p);

/* Initialises d's retransmission timer (no session is opened yet). */
void snmp__session_dev_init(struct sdev *d);

/* Opens d's net-snmp session and watches its socket. Returns 0, or a
 * negative errno with the reason in d->err. */
int snmp__session_open(struct sdev *d);

/* Closes d's session between polls of a v1/v2c device when nothing of
 * net-snmp is on the stack; a no-op otherwise. */
void snmp__session_release(struct sdev *d);

/* Closes d's session and its handles for good (probe close). Returns the
 * number of handles whose close_cb will call snmp__probe_unref(). */
int snmp__session_close(struct sdev *d);

/* Does d's open v3 session still need the agent's engineID? */
int snmp__session_needs_engine(const struct sdev *d);

/* Starts SNMPv3 engine discovery (RFC 3414 section 4) for d's poll. */
void snmp__engine_probe(struct sdev *d);

/* Starts the IF-MIB discovery walk of d, or resumes the one an earlier
 * poll left unfinished; at its end the discovered hook runs and the
 * poll's GETs start. */
void snmp__discovery_start(struct sdev *d);

/* Sends the chunk of GETs at d->next through d's net-snmp session. */
void snmp__session_gets_send(struct sdev *d);

/* The RFC 3416 name of an error-status value ("genErr"). */
const char *snmp__errstat_string(long errstat);

/* ---- snmp_fast.c: own v1/v2c GETs ------------------------------------ */

/* Decides whether d's GETs take the fast path (v1/v2c, address literal,
 * index below 2^20, SLAMON_SNMP_NETSNMP_ONLY unset). */
void snmp__fast_setup(struct sdev *d);

/* Sends the chunk at d->next under a new request-id; a failure ends the
 * poll. */
void snmp__fast_send(struct sdev *d);

/* Takes d off the timeout list when a GET of ours is outstanding. */
void snmp__fast_forget(struct sdev *d);

/* Closes the shared socket and the timeout timer. Returns the number of
 * closes whose callbacks will call snmp__probe_unref(). */
int snmp__fast_close(struct snmp_probe *p);

/* A v1/v2c datagram from `from` reached d while it waited for an answer
 * and did not count as one: notes what it was (malformed, not a Response,
 * from another address, another request-id or version). Also used for
 * the datagrams of d's net-snmp session, peeked before net-snmp reads. */
void snmp__fast_stray(struct sdev *d, const uint8_t *buf, size_t len,
		      const struct sockaddr *from);

/* Frees the shared socket and scratch buffer (after snmp__fast_close). */
void snmp__fast_destroy(struct snmp_probe *p);

#endif
