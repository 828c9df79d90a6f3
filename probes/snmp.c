/*
 * snmp.c - the SNMP probe: net-snmp single-session API driven by libuv.
 *
 * Each device owns one net-snmp session (its own UDP socket), one uv_poll_t
 * on that socket, one uv_timer_t for net-snmp's retransmissions/timeouts
 * and one uv_timer_t for the poll's wall-time budget. A device has at most
 * one request outstanding, so the collector bounds requests in flight by
 * bounding the devices it polls at once.
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
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "snmp.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/hash.h"
#include "core/log.h"
#include "snmp_ber.h"
#include "snmp_udp.h"

/* IF-MIB (RFC 2863) and SNMPv2-MIB objects. */
static const oid OID_SYSUPTIME[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
#define IFT 1, 3, 6, 1, 2, 1, 2, 2, 1
#define IFX 1, 3, 6, 1, 2, 1, 31, 1, 1, 1

enum col {
	COL_DESCR,
	COL_TYPE,
	COL_SPEED,
	COL_OPER,
	COL_NAME,
	COL_HCIN,
	COL_HIGHSPEED,
	COL_ALIAS,
	NCOLS
};

static const oid COL_OIDS[NCOLS][11] = {
	{IFT, 2}, {IFT, 3}, {IFT, 5}, {IFT, 8},
	{IFX, 1}, {IFX, 6}, {IFX, 15}, {IFX, 18},
};
static const size_t COL_LENS[NCOLS] = {10, 10, 10, 10, 11, 11, 11, 11};

/* Poll columns, per interface. */
static const oid O_IN32[] = {IFT, 10}, O_OUT32[] = {IFT, 16};
static const oid O_INHC[] = {IFX, 6}, O_OUTHC[] = {IFX, 10};
static const oid O_OPER[] = {IFT, 8}, O_SPEED[] = {IFT, 5};
static const oid O_HIGHSPEED[] = {IFX, 15};
static const oid O_INERR[] = {IFT, 14}, O_OUTERR[] = {IFT, 20};
static const oid O_INDISC[] = {IFT, 13}, O_OUTDISC[] = {IFT, 19};
static const oid O_NAME[] = {IFX, 1}, O_DESCR[] = {IFT, 2};

#define MAX_ROWS 100000
#define M_KEY 1000       /* pseudo metric: the interface's key column */
#define M_HIGHSPEED 1001 /* pseudo metric: ifHighSpeed (Mbps) */

enum dstate { DS_IDLE, DS_ENGINE, DS_DISCOVER, DS_POLL };

struct row {
	uint32_t ifindex;
	char descr[SNMP_IFNAME_MAX], name[SNMP_IFNAME_MAX];
	char alias[SNMP_IFNAME_MAX];
	int type, oper;
	uint64_t speed, highspeed;
	int has_speed, has_highspeed, has_hc;
};

struct walkcol {
	oid last[MAX_OID_LEN];
	size_t lastlen;
	int done;
	size_t nrows;
};

/* One varbind of a poll and what came back. Its name is kept in BER, as
 * it goes on the wire: an IF-MIB column (10 bytes) and an ifIndex (<= 5). */
#define REQ_ENC_MAX 16
#define REQ_OID_MAX 16 /* sub-identifiers, when net-snmp needs them */

/* Kept small: a device holds 1 + 10 per monitored interface of these, and
 * a fleet of 28,000 devices must fit in a few hundred MB. */
struct req {
	uint8_t enc[REQ_ENC_MAX]; /* BER contents of the name */
	double t;
	uint64_t value;  /* counters, gauges; for M_KEY a hash of the text */
	int32_t slot;    /* -1 device level */
	uint16_t metric; /* enum metric_id or M_KEY / M_HIGHSPEED */
	uint8_t len;     /* of enc */
	uint8_t kind;
	uint8_t width;
	uint8_t answered;
	int16_t status;
};

/* The polled columns' names in BER, without the ifIndex (lib_init). */
enum pfx_id {
	P_UPTIME, P_IN32, P_OUT32, P_INHC, P_OUTHC, P_OPER, P_SPEED,
	P_HIGHSPEED, P_INERR, P_OUTERR, P_INDISC, P_OUTDISC, P_NAME, P_DESCR,
	NPFX
};
static struct pfx {
	const oid *name;
	size_t len;
	uint8_t enc[REQ_ENC_MAX];
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

struct sdev {
	struct snmp_probe *p;
	uint32_t idx;
	const struct device *dev;
	const struct snmp_profile *prof;
	void *ss;
	int fd;
	uv_poll_t poll;
	uv_timer_t timer;  /* net-snmp retransmission/timeout */
	uv_timer_t budget; /* whole-poll wall time */
	int handles;       /* libuv handles initialised (for close) */
	enum dstate state;
	int reqid;
	double t_start, latency_ms;
	int need_discovery;
	uint64_t budget_ms; /* wall time allowed for this poll */
	int poll_closing;   /* uv_close of .poll not yet called back */
	int sec_retried; /* one retry after a v3 security error */
	int resend_pending;
	char err[160];

	struct snmp_iface *ifs;
	size_t nifs;

	struct row *rows;
	size_t nrows, caprows;
	struct walkcol *cols; /* NCOLS entries, only during discovery */
	int max_rep;

	struct req *reqs;
	size_t nreqs, next, chunk_len;
	int max_vb;

	double uptime_last; /* ticks, for rediscovery after restarts */
	double uptime_t;
	int uptime_valid;

	/* own v1/v2c GETs (see the top of the file) */
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

#define FAST_IDX_BITS 20
#define FAST_IDX_MAX (1u << FAST_IDX_BITS)
#define FAST_SEQ_MAX 0x7ffu
#define FAST_MSG_MAX 65507 /* largest IPv4 UDP payload */

struct snmp_probe {
	uv_loop_t *loop;
	const struct config *cfg;
	struct snmp_probe_hooks hooks;
	struct sdev *devs;
	size_t ndevs;
	size_t busy;
	netsnmp_large_fd_set fds;
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

static int net_snmp_ready;

static double now_wall(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void lib_init(void)
{
	if (net_snmp_ready)
		return;
	/* No MIB files, no persistent state, no snmp.conf side effects: the
	 * daemon speaks numeric OIDs only. */
	setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_QUICK_PRINT, 1);
	if (getenv("SLAMON_SNMP_DEBUG")) {
		/* net-snmp's own trace, e.g. SLAMON_SNMP_DEBUG=usm,snmp_api */
		debug_register_tokens(getenv("SLAMON_SNMP_DEBUG"));
		snmp_set_do_debugging(1);
		snmp_enable_stderrlog();
	} else {
		snmp_disable_log();
	}
	init_snmp("slamond");
	for (int i = 0; i < NPFX; i++) {
		uint32_t arcs[REQ_OID_MAX];

		for (size_t k = 0; k < PFX[i].len; k++)
			arcs[k] = (uint32_t)PFX[i].name[k];
		PFX[i].enclen = snmp_ber_oid_encode(PFX[i].enc,
						    sizeof(PFX[i].enc), arcs,
						    PFX[i].len);
	}
	net_snmp_ready = 1;
}

/* net-snmp's session takes non-const strings it never writes through. */
static char *unconst(const char *str)
{
	char *r;

	memcpy(&r, &str, sizeof(r));
	return r;
}

/* ---- text helpers --------------------------------------------------- */

/* Copies an OCTET STRING into a printable, valid UTF-8 C string: NULs and
 * trailing padding dropped, control bytes and invalid UTF-8 become '?'. */
static void text_copy(char *dst, size_t dstlen, const u_char *src, size_t n)
{
	size_t o = 0, i = 0;

	while (n > 0 && (src[n - 1] == 0 || src[n - 1] == ' '))
		n--;
	while (i < n && o + 5 < dstlen) {
		u_char c = src[i];
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

static void poll_end(struct sdev *d, int status)
{
	struct snmp_probe *p = d->p;
	double t = now_wall();
	int renumbered = 0;

	uv_timer_stop(&d->budget);
	if (d->fast_wait)
		tlist_del(d);
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
			struct req *r = &d->reqs[i];
			if (r->metric == M_KEY && r->answered &&
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
			struct req *r = &d->reqs[i];
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

static void poll_fail(struct sdev *d, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void poll_fail(struct sdev *d, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	poll_end(d, status);
}

/* ---- sending -------------------------------------------------------- */

static int async_cb(int op, netsnmp_session *sess, int reqid,
		    netsnmp_pdu *pdu, void *magic);

static void on_snmp_timer(uv_timer_t *h);

static void rearm_timer(struct sdev *d)
{
	struct snmp_probe *p = d->p;
	struct timeval tv = {0, 0};
	int numfds = 0, block = 1;
	uint64_t ms;

	if (d->ss == NULL)
		return;
	if (d->resend_pending) {
		uv_timer_start(&d->timer, on_snmp_timer, 1, 0);
		return;
	}
	snmp_sess_select_info2(d->ss, &numfds, &p->fds, &tv, &block);
	NETSNMP_LARGE_FD_CLR(d->fd, &p->fds);
	if (block) {
		uv_timer_stop(&d->timer);
		return;
	}
	ms = (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000 + 1;
	uv_timer_start(&d->timer, on_snmp_timer, ms, 0);
}

static int send_pdu(struct sdev *d, netsnmp_pdu *pdu)
{
	int id = snmp_sess_async_send(d->ss, pdu, async_cb, d);

	if (id == 0) {
		int liberr = 0, syserr = 0;
		char *msg = NULL;

		snmp_sess_error(d->ss, &liberr, &syserr, &msg);
		snmp_free_pdu(pdu);
		poll_fail(d, POLL_ERROR, "send failed: %s", msg ? msg : "?");
		free(msg);
		return -EIO;
	}
	d->reqid = id;
	rearm_timer(d);
	return 0;
}

/* ---- v3 engine discovery (RFC 3414 section 4) ----------------------- */

static void engine_probe(struct sdev *d)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

	if (pdu == NULL) {
		poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	pdu->version = SNMP_VERSION_3;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	pdu->securityName = strdup("");
	pdu->flags &= ~UCD_MSG_FLAG_FORCE_PDU_COPY;
	d->state = DS_ENGINE;
	send_pdu(d, pdu);
}

static void start_discovery(struct sdev *d);
static void start_gets(struct sdev *d);

static void engine_learned(struct sdev *d, netsnmp_pdu *pdu)
{
	netsnmp_session *s = snmp_sess_session(d->ss);

	if (pdu->securityEngineIDLen == 0) {
		poll_fail(d, POLL_ERROR, "SNMPv3 engine discovery: no engineID");
		return;
	}
	s->securityEngineID = netsnmp_memdup(pdu->securityEngineID,
					     pdu->securityEngineIDLen);
	if (s->securityEngineID == NULL) {
		poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	s->securityEngineIDLen = pdu->securityEngineIDLen;
	if (s->contextEngineIDLen == 0) {
		s->contextEngineID = netsnmp_memdup(pdu->securityEngineID,
						    pdu->securityEngineIDLen);
		if (s->contextEngineID)
			s->contextEngineIDLen = pdu->securityEngineIDLen;
	}
	if (create_user_from_session(s) != SNMPERR_SUCCESS) {
		poll_fail(d, POLL_AUTH, "SNMPv3: cannot create user %s",
			  d->prof->user);
		return;
	}
	if (d->need_discovery)
		start_discovery(d);
	else
		start_gets(d);
}

/* ---- discovery walk ------------------------------------------------- */

static struct row *row_get(struct sdev *d, uint32_t ifindex)
{
	size_t lo = 0, hi = d->nrows;

	/* rows arrive in ifIndex order from a sane agent: check the end */
	if (d->nrows && d->rows[d->nrows - 1].ifindex < ifindex) {
		lo = hi = d->nrows;
	} else {
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (d->rows[mid].ifindex == ifindex)
				return &d->rows[mid];
			if (d->rows[mid].ifindex < ifindex)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	if (d->nrows >= MAX_ROWS)
		return NULL;
	if (d->nrows == d->caprows) {
		size_t ncap = d->caprows ? d->caprows * 2 : 64;
		struct row *nr = realloc(d->rows, ncap * sizeof(*nr));
		if (nr == NULL)
			return NULL;
		d->rows = nr;
		d->caprows = ncap;
	}
	memmove(&d->rows[lo + 1], &d->rows[lo],
		(d->nrows - lo) * sizeof(*d->rows));
	memset(&d->rows[lo], 0, sizeof(*d->rows));
	d->rows[lo].ifindex = ifindex;
	d->nrows++;
	return &d->rows[lo];
}

static int vb_uint(const netsnmp_variable_list *vb, uint64_t *ret)
{
	switch (vb->type) {
	case ASN_INTEGER:
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS:
	case ASN_UINTEGER:
		*ret = (uint64_t)(unsigned long)*vb->val.integer &
		       0xffffffffULL;
		if (vb->type == ASN_INTEGER && *vb->val.integer < 0)
			return -1;
		return 0;
	case ASN_COUNTER64:
		*ret = ((uint64_t)vb->val.counter64->high << 32) |
		       (uint64_t)vb->val.counter64->low;
		return 0;
	default:
		return -1;
	}
}

static void walk_store(struct sdev *d, int c, const netsnmp_variable_list *vb)
{
	uint32_t ifindex = (uint32_t)vb->name[COL_LENS[c]];
	struct row *r = row_get(d, ifindex);
	uint64_t v = 0;
	int numeric = vb_uint(vb, &v) == 0;

	if (r == NULL)
		return;
	switch (c) {
	case COL_DESCR:
	case COL_NAME:
	case COL_ALIAS:
		if (vb->type != ASN_OCTET_STR)
			return;
		text_copy(c == COL_DESCR ? r->descr
			  : c == COL_NAME ? r->name : r->alias,
			  SNMP_IFNAME_MAX, vb->val.string, vb->val_len);
		break;
	case COL_TYPE:
		r->type = numeric ? (int)v : 0;
		break;
	case COL_OPER:
		r->oper = numeric ? (int)v : 0;
		break;
	case COL_SPEED:
		r->speed = v;
		r->has_speed = numeric;
		break;
	case COL_HIGHSPEED:
		r->highspeed = v;
		r->has_highspeed = numeric;
		break;
	case COL_HCIN:
		/* some agents type it Counter32 or OCTET STRING: only a
		 * real counter makes the 64-bit column usable */
		r->has_hc = vb->type == ASN_COUNTER64 ||
			    vb->type == ASN_COUNTER;
		break;
	}
}

/* The first column still to walk, or NCOLS when the walk is over. One
 * column per request, as snmpbulkwalk does: agents (and snmpsim) do not
 * all answer a multi-column GETBULK in strict row order, and a varbind
 * taken for the wrong column would end that column early. */
static int walk_current(const struct sdev *d)
{
	int c = 0;

	while (c < NCOLS && d->cols[c].done)
		c++;
	return c;
}

static void walk_send(struct sdev *d)
{
	int c = walk_current(d);
	netsnmp_pdu *pdu;

	pdu = snmp_pdu_create(d->prof->version == SNMP_V1 ? SNMP_MSG_GETNEXT
							  : SNMP_MSG_GETBULK);
	if (pdu == NULL) {
		poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	snmp_add_null_var(pdu, d->cols[c].last, d->cols[c].lastlen);
	if (pdu->command == SNMP_MSG_GETBULK) {
		pdu->non_repeaters = 0;
		pdu->max_repetitions = d->max_rep;
	}
	send_pdu(d, pdu);
}

static void iface_finish_discovery(struct sdev *d);

/* Is vb a row of column c beyond where the walk is? */
static int walk_in_column(const struct walkcol *wc, int c,
			  const netsnmp_variable_list *vb)
{
	return vb->type != SNMP_ENDOFMIBVIEW &&
	       vb->type != SNMP_NOSUCHOBJECT &&
	       vb->type != SNMP_NOSUCHINSTANCE &&
	       vb->name_length > COL_LENS[c] &&
	       snmp_oidtree_compare(COL_OIDS[c], COL_LENS[c], vb->name,
				    vb->name_length) == 0 &&
	       snmp_oid_compare(vb->name, vb->name_length, wc->last,
				wc->lastlen) > 0;
}

static void walk_response(struct sdev *d, netsnmp_pdu *pdu)
{
	int c = walk_current(d);
	struct walkcol *wc;
	netsnmp_variable_list *vb;

	if (c == NCOLS) {
		iface_finish_discovery(d);
		return;
	}
	wc = &d->cols[c];
	for (vb = pdu->variables; vb && !wc->done; vb = vb->next_variable) {
		/* left the column, or the agent went backwards: a walk that
		 * does not advance would never end */
		if (!walk_in_column(wc, c, vb) || wc->nrows >= MAX_ROWS) {
			wc->done = 1;
			break;
		}
		memcpy(wc->last, vb->name, vb->name_length * sizeof(oid));
		wc->lastlen = vb->name_length;
		/* a row index is one sub-identifier; skip odd ones */
		if (vb->name_length == COL_LENS[c] + 1) {
			wc->nrows++;
			walk_store(d, c, vb);
		}
	}
	if (pdu->variables == NULL)
		wc->done = 1;
	if (walk_current(d) < NCOLS)
		walk_send(d);
	else
		iface_finish_discovery(d);
}

static void start_discovery(struct sdev *d)
{
	if (d->cols == NULL) {
		d->cols = calloc(NCOLS, sizeof(*d->cols));
		if (d->cols == NULL) {
			poll_fail(d, POLL_ERROR, "out of memory");
			return;
		}
	}
	d->state = DS_DISCOVER;
	d->nrows = 0;
	d->max_rep = d->prof->max_repetitions > 0 ? d->prof->max_repetitions
						  : 20;
	for (int c = 0; c < NCOLS; c++) {
		memcpy(d->cols[c].last, COL_OIDS[c],
		       COL_LENS[c] * sizeof(oid));
		d->cols[c].lastlen = COL_LENS[c];
		d->cols[c].done = 0;
		d->cols[c].nrows = 0;
	}
	walk_send(d);
}

static double row_speed_mbps(const struct row *r)
{
	if (r->has_highspeed && r->highspeed > 0)
		return (double)r->highspeed;
	if (r->has_speed && r->speed > 0 && r->speed < 4294967295ULL)
		return (double)r->speed / 1e6;
	return 0;
}

static void iface_finish_discovery(struct sdev *d)
{
	struct snmp_iface *ifs = NULL;
	size_t n = 0;

	if (d->nrows > 0) {
		ifs = calloc(d->nrows, sizeof(*ifs));
		if (ifs == NULL) {
			poll_fail(d, POLL_ERROR, "out of memory");
			return;
		}
	}
	for (size_t i = 0; i < d->nrows; i++) {
		const struct row *r = &d->rows[i];
		struct snmp_iface *f = &ifs[n];

		memset(f, 0, sizeof(*f));
		f->ifindex = r->ifindex;
		f->key_is_name = r->name[0] != '\0';
		snprintf(f->key, sizeof(f->key), "%s",
			 f->key_is_name ? r->name : r->descr);
		if (f->key[0])
			snprintf(f->name, sizeof(f->name), "%s", f->key);
		else
			snprintf(f->name, sizeof(f->name), "ifIndex%u",
				 r->ifindex);
		memcpy(f->descr, r->descr, sizeof(f->descr));
		memcpy(f->alias, r->alias, sizeof(f->alias));
		f->type = r->type;
		f->oper = r->oper;
		f->speed_mbps = row_speed_mbps(r);
		f->hc = r->has_hc;
		if (!snmp_iface_selected(d->dev->ifsel, f))
			continue;
		/* a name twice on one device would share a file: qualify
		 * the later ones with their ifIndex */
		for (size_t k = 0; k < n; k++)
			if (strcmp(ifs[k].name, f->name) == 0) {
				char tmp[SNMP_IFNAME_MAX];
				snprintf(tmp, sizeof(tmp), "%.100s#%u",
					 f->name, f->ifindex);
				memcpy(f->name, tmp, sizeof(tmp));
				break;
			}
		n++;
	}
	free(d->ifs);
	d->ifs = ifs;
	d->nifs = n;
	d->need_discovery = 0;
	free(d->rows); /* only needed during the walk */
	d->rows = NULL;
	d->caprows = 0;
	log_info("%s: discovered %zu interfaces, monitoring %zu",
		 d->dev->name, d->cols[COL_DESCR].nrows > d->cols[COL_NAME].nrows
			 ? d->cols[COL_DESCR].nrows : d->cols[COL_NAME].nrows, n);
	free(d->cols);
	d->cols = NULL;
	d->p->hooks.discovered(d->p->hooks.arg, d->idx, ifs, n);
	start_gets(d);
}

/* ---- polling GETs --------------------------------------------------- */

static void req_add(struct req *r, enum pfx_id id, uint32_t idx, int slot,
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
	struct req *reqs = realloc(d->reqs, need * sizeof(*reqs));

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
			req_add(&reqs[n++], P_HIGHSPEED, x, s, M_HIGHSPEED,
				SAMPLE_GAUGE);
		req_add(&reqs[n++], P_INERR, x, s, M_IF_IN_ERRORS,
			SAMPLE_COUNTER);
		req_add(&reqs[n++], P_OUTERR, x, s, M_IF_OUT_ERRORS,
			SAMPLE_COUNTER);
		req_add(&reqs[n++], P_INDISC, x, s, M_IF_IN_DISCARDS,
			SAMPLE_COUNTER);
		req_add(&reqs[n++], P_OUTDISC, x, s, M_IF_OUT_DISCARDS,
			SAMPLE_COUNTER);
		req_add(&reqs[n++], f->key_is_name ? P_NAME : P_DESCR, x, s,
			M_KEY, SAMPLE_GAUGE);
	}
	d->nreqs = n;
	return 0;
}

static void fast_send(struct sdev *d);

static void gets_send(struct sdev *d)
{
	netsnmp_pdu *pdu;
	size_t n = 0;

	if (d->fast) {
		fast_send(d);
		return;
	}
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	if (pdu == NULL) {
		poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	for (size_t i = d->next; i < d->nreqs && n < (size_t)d->max_vb; i++) {
		uint32_t arcs[REQ_OID_MAX];
		oid name[REQ_OID_MAX];
		int k = snmp_ber_oid_decode(d->reqs[i].enc, d->reqs[i].len,
					    arcs, REQ_OID_MAX);

		for (int j = 0; j < k; j++)
			name[j] = arcs[j];
		snmp_add_null_var(pdu, name, (size_t)(k > 0 ? k : 0));
		n++;
	}
	d->chunk_len = n;
	send_pdu(d, pdu);
}

static void start_gets(struct sdev *d)
{
	if (build_reqs(d) < 0) {
		poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	d->state = DS_POLL;
	d->next = 0;
	if (d->max_vb <= 0)
		d->max_vb = d->prof->max_varbinds > 0 ? d->prof->max_varbinds
						      : 60;
	gets_send(d);
}

/* Speed in bits per second from ifSpeed / ifHighSpeed answers. */
static void fix_speeds(struct sdev *d)
{
	for (size_t i = 0; i < d->nreqs; i++) {
		struct req *r = &d->reqs[i];
		struct req *hs = NULL;

		if (r->metric != M_IF_SPEED)
			continue;
		if (i + 1 < d->nreqs && d->reqs[i + 1].metric == M_HIGHSPEED)
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

/* One answered varbind, whoever decoded it. type is the BER tag (net-snmp's
 * ASN_* and SNMP_NOSUCH* values are the same tags). */
struct answer {
	int type;
	int has_uint;       /* uint is the value (vb_uint / snmp_ber_uint) */
	uint64_t uint;
	const uint8_t *text; /* OCTET STRING contents */
	size_t text_len;
};

static void req_store(struct req *r, const struct answer *a, double t)
{
	r->answered = 1;
	r->t = t;
	if (a->type == SNMP_NOSUCHOBJECT || a->type == SNMP_NOSUCHINSTANCE ||
	    a->type == SNMP_ENDOFMIBVIEW) {
		r->status = POLL_NOSUCH;
		return;
	}
	if (r->metric == M_KEY) {
		if (a->type == ASN_OCTET_STR) {
			char text[SNMP_IFNAME_MAX];

			text_copy(text, sizeof(text), a->text, a->text_len);
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
		if (a->type == ASN_COUNTER)
			r->width = 32;
		else if (a->type == ASN_COUNTER64)
			r->width = 64;
		else
			r->status = POLL_BADTYPE;
	}
	r->value = a->uint;
}

/* The chunk is answered: the next one, or the end of the poll. */
static void gets_advance(struct sdev *d)
{
	d->next += d->chunk_len;
	if (d->next < d->nreqs)
		gets_send(d);
	else
		gets_finish(d);
}

static void gets_response(struct sdev *d, netsnmp_pdu *pdu)
{
	netsnmp_variable_list *vb = pdu->variables;
	double t = now_wall();

	for (size_t k = 0; k < d->chunk_len && vb; k++, vb = vb->next_variable) {
		struct answer a;

		a.type = vb->type;
		a.has_uint = vb_uint(vb, &a.uint) == 0;
		a.text = vb->val.string;
		a.text_len = vb->type == ASN_OCTET_STR ? vb->val_len : 0;
		req_store(&d->reqs[d->next + k], &a, t);
	}
	gets_advance(d);
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

/* v1 answers noSuchName for the whole PDU: drop that varbind and resend. */
static void v1_nosuchname(struct sdev *d, long ei)
{

	if (d->state == DS_DISCOVER) {
		/* v1's end of the MIB view: this column is over */
		d->cols[walk_current(d)].done = 1;
		if (walk_current(d) < NCOLS)
			walk_send(d);
		else
			iface_finish_discovery(d);
		return;
	}
	if (ei < 1 || (size_t)ei > d->chunk_len) {
		poll_fail(d, POLL_NOSUCH, "noSuchName without index");
		return;
	}
	/* move the failing varbind to the front of the chunk, answered */
	{
		size_t at = d->next + (size_t)ei - 1;
		struct req tmp = d->reqs[at];

		memmove(&d->reqs[d->next + 1], &d->reqs[d->next],
			((size_t)ei - 1) * sizeof(tmp));
		tmp.answered = 1;
		tmp.status = POLL_NOSUCH;
		d->reqs[d->next] = tmp;
		d->next++;
	}
	if (d->next < d->nreqs)
		gets_send(d);
	else
		gets_finish(d);
}

static void handle_error_status(struct sdev *d, long errstat, long errindex)
{
	if (errstat == SNMP_ERR_TOOBIG) {
		if (d->state == DS_DISCOVER && d->max_rep > 1) {
			d->max_rep /= 2;
			walk_send(d);
			return;
		}
		if (d->state == DS_POLL && d->max_vb > 1) {
			d->max_vb /= 2;
			log_debug("%s: tooBig, %d varbinds per request now",
				  d->dev->name, d->max_vb);
			gets_send(d);
			return;
		}
	}
	if (errstat == SNMP_ERR_NOSUCHNAME) {
		v1_nosuchname(d, errindex);
		return;
	}
	poll_fail(d, POLL_ERROR, "agent error: %s (index %ld)",
		  snmp_errstring((int)errstat), errindex);
}

static int async_cb(int op, netsnmp_session *sess, int reqid,
		    netsnmp_pdu *pdu, void *magic)
{
	struct sdev *d = magic;

	(void)sess;
	if (op == NETSNMP_CALLBACK_OP_RESEND)
		return 1; /* net-snmp retransmitted: the request is still ours */
	log_debug("%s: snmp callback op %d reqid %d (ours %d) command %d "
		  "state %d",
		  d->dev->name, op, reqid, d->reqid, pdu ? pdu->command : -1,
		  (int)d->state);
	/* net-snmp matches a v3 REPORT to its request by msgID but hands it
	 * over with the report's own request-id (0); a device has a single
	 * request outstanding, so a report belongs to it */
	if (pdu != NULL && pdu->command == SNMP_MSG_REPORT && reqid == 0 &&
	    d->reqid != 0)
		reqid = d->reqid;
	if (reqid != d->reqid || d->state == DS_IDLE)
		return 1; /* late answer to a poll already given up */
	d->reqid = 0;
	if (d->latency_ms < 0)
		d->latency_ms = (now_wall() - d->t_start) * 1000.0;
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		poll_fail(d, POLL_TIMEOUT,
			  "no answer after %d tries of %d ms (agent down, "
			  "unreachable, or wrong community)",
			  d->prof->retries + 1, d->prof->timeout_ms);
		return 1;
	}
	if (op == NETSNMP_CALLBACK_OP_SEC_ERROR && d->state == DS_ENGINE &&
	    pdu != NULL && pdu->securityEngineIDLen > 0) {
		/* the unknownEngineID report to our discovery probe */
		engine_learned(d, pdu);
		return 1;
	}
	if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
		/* The first authenticated request after engine discovery
		 * learns the agent's engineBoots/engineTime from the
		 * notInTimeWindow report (RFC 3414 section 4): try once more
		 * before calling it an authentication failure. */
		if (!d->sec_retried && d->state != DS_ENGINE) {
			/* resend from the loop, once net-snmp has finished
			 * with this packet (see on_snmp_timer) */
			d->sec_retried = 1;
			d->resend_pending = 1;
			return 1;
		}
		poll_fail(d, POLL_AUTH,
			  "SNMPv3 authentication failed for user %s (%s)",
			  d->prof->user,
			  snmp_api_errstring(snmp_sess_session(d->ss)
						     ->s_snmp_errno));
		return 1;
	}
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || pdu == NULL) {
		poll_fail(d, POLL_ERROR, "request failed (op %d)", op);
		return 1;
	}
	if (pdu->command == SNMP_MSG_REPORT) {
		int rt = snmpv3_get_report_type(pdu);

		if (d->state == DS_ENGINE &&
		    rt == SNMPERR_UNKNOWN_ENG_ID) {
			engine_learned(d, pdu);
			return 1;
		}
		poll_fail(d, POLL_AUTH, "SNMPv3 report: %s",
			  snmp_api_errstring(rt));
		return 1;
	}
	if (d->state == DS_ENGINE) {
		engine_learned(d, pdu);
		return 1;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR) {
		handle_error_status(d, pdu->errstat, pdu->errindex);
		return 1;
	}
	if (d->state == DS_DISCOVER)
		walk_response(d, pdu);
	else
		gets_response(d, pdu);
	return 1;
}

/* ---- libuv glue ----------------------------------------------------- */

static void on_poll_closed(uv_handle_t *h)
{
	struct sdev *d = h->data;
	struct snmp_probe *p = d->p;

	d->poll_closing = 0;
	if (p->closing && --p->open_handles == 0 && p->close_cb)
		p->close_cb(p->close_arg);
}

/* v1/v2c sessions are closed between polls: tens of thousands of devices
 * would otherwise hold a socket each (file descriptors, ephemeral ports).
 * A v3 session keeps its engine discovery, so it stays open. Called only
 * where net-snmp is not on the stack: closing a session from inside its
 * own callback would free what net-snmp still uses. */
static void session_release(struct sdev *d)
{
	if (d->ss == NULL || d->state != DS_IDLE || d->p->closing ||
	    d->prof->version == SNMP_V3)
		return;
	uv_timer_stop(&d->timer);
	if (d->handles & 1) {
		uv_poll_stop(&d->poll);
		d->handles &= ~1;
		d->poll_closing = 1;
		uv_close((uv_handle_t *)&d->poll, on_poll_closed);
	}
	snmp_sess_close(d->ss);
	d->ss = NULL;
	d->fd = -1;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	struct sdev *d = h->data;
	struct snmp_probe *p = d->p;

	(void)events;
	if (d->ss == NULL)
		return;
	if (status < 0) {
		log_warnx("%s: socket error: %s", d->dev->name,
			  uv_strerror(status));
		return;
	}
	netsnmp_large_fd_set_resize(&p->fds, d->fd + 1);
	NETSNMP_LARGE_FD_SET(d->fd, &p->fds);
	snmp_sess_read2(d->ss, &p->fds);
	NETSNMP_LARGE_FD_CLR(d->fd, &p->fds);
	rearm_timer(d);
	session_release(d);
}

static void on_snmp_timer(uv_timer_t *h)
{
	struct sdev *d = h->data;

	if (d->ss == NULL)
		return;
	if (d->resend_pending) {
		d->resend_pending = 0;
		if (d->state == DS_DISCOVER)
			walk_send(d);
		else if (d->state == DS_POLL)
			gets_send(d);
		session_release(d);
		return;
	}
	snmp_sess_timeout(d->ss); /* retransmits, or calls back TIMED_OUT */
	rearm_timer(d);
	session_release(d);
}

static void on_budget(uv_timer_t *h)
{
	struct sdev *d = h->data;

	if (d->state == DS_IDLE)
		return;
	poll_fail(d, POLL_TIMEOUT, "poll exceeded its budget of %lu ms",
		  (unsigned long)d->budget_ms);
	session_release(d);
}

/* ---- own v1/v2c GETs ------------------------------------------------ */

#define FAST_VB_MAX 128 /* varbinds per GET we encode */

static void fast_recv(void *arg, const uint8_t *buf, size_t len,
		      const struct sockaddr *from);
static void fast_send_error(void *arg, uint32_t cookie, int err);

static void fast_timeout(struct sdev *d);

#define FAST_SLACK_MS 20 /* timeouts this close together share a wakeup */

static void on_fast_tick(uv_timer_t *h);

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
	double now = now_wall(), next_deadline = 0;
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
	    (now_wall() - d->t_start) * 1000.0 > (double)d->budget_ms) {
		poll_fail(d, POLL_TIMEOUT, "poll exceeded its budget of %lu ms",
			  (unsigned long)d->budget_ms);
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
		poll_fail(d, POLL_ERROR, "request does not fit a datagram");
		return;
	}
	rc = snmp_udp_send(p->udp, &d->addr.sa, p->txbuf, len, d->idx);
	if (rc < 0) {
		poll_fail(d, POLL_ERROR, "cannot send to %s: %s", d->dev->host,
			  strerror(-rc));
		return;
	}
	d->tries++;
	if (d->fast_wait)
		tlist_del(d);
	now = now_wall();
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

/* Sends the chunk at d->next under a new request-id. */
static void fast_send(struct sdev *d)
{
	if (d->p->udp == NULL && fast_open(d->p) < 0) {
		poll_fail(d, POLL_ERROR, "out of memory");
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
	poll_fail(d, POLL_TIMEOUT,
		  "no answer after %d tries of %d ms (agent down, "
		  "unreachable, or wrong community)",
		  d->prof->retries + 1, d->prof->timeout_ms);
	session_release(d);
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
static int same_name(const struct req *r, const struct snmp_ber_vb *vb)
{
	return vb->oid_len == r->len && memcmp(vb->oid, r->enc, r->len) == 0;
}

static void fast_response(struct sdev *d, const struct snmp_ber_msg *m)
{
	const uint8_t *pos = m->vbs, *end = m->vbs + m->vbs_len;
	double t = now_wall();

	for (size_t k = 0; k < d->chunk_len; k++) {
		struct req *r = &d->reqs[d->next + k];
		struct snmp_ber_vb vb;
		struct answer a;

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
		req_store(r, &a, t);
	}
	gets_advance(d);
}

/* An answer on the shared socket: found by its request-id, accepted only
 * from the address and port asked, as a connected socket would. */
static void fast_recv(void *arg, const uint8_t *buf, size_t len,
		      const struct sockaddr *from)
{
	struct snmp_probe *p = arg;
	struct snmp_ber_msg m;
	struct sdev *d;
	uint32_t idx;

	if (snmp_ber_parse(buf, len, &m) < 0 ||
	    m.pdu_type != SNMP_BER_RESPONSE || m.reqid <= 0)
		return;
	idx = (uint32_t)m.reqid & (FAST_IDX_MAX - 1);
	if (idx >= p->ndevs)
		return;
	d = &p->devs[idx];
	if (!d->fast_wait || m.reqid != d->reqid || !same_peer(d, from) ||
	    m.version != (d->prof->version == SNMP_V1 ? SNMP_BER_V1
						      : SNMP_BER_V2C))
		return; /* late, stray or foreign */
	tlist_del(d);
	d->reqid = 0;
	if (d->latency_ms < 0)
		d->latency_ms = (now_wall() - d->t_start) * 1000.0;
	if (m.errstat != SNMP_ERR_NOERROR)
		handle_error_status(d, m.errstat, m.errindex);
	else
		fast_response(d, &m);
	session_release(d);
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
	poll_fail(d, POLL_ERROR, "cannot send to %s: %s", d->dev->host,
		  strerror(err));
	session_release(d);
}

/* Is the device's address a literal we can send to ourselves? */
static void fast_setup(struct sdev *d)
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

static const oid *auth_proto(enum snmp_auth a, size_t *len)
{
	*len = USM_AUTH_PROTO_SHA_LEN;
	switch (a) {
	case AUTH_MD5: *len = USM_AUTH_PROTO_MD5_LEN;
		return usmHMACMD5AuthProtocol;
	case AUTH_SHA: return usmHMACSHA1AuthProtocol;
	case AUTH_SHA224: return usmHMAC128SHA224AuthProtocol;
	case AUTH_SHA256: return usmHMAC192SHA256AuthProtocol;
	case AUTH_SHA384: return usmHMAC256SHA384AuthProtocol;
	case AUTH_SHA512: return usmHMAC384SHA512AuthProtocol;
	default: return usmNoAuthProtocol;
	}
}

static const oid *priv_proto(enum snmp_priv pv, size_t *len)
{
	*len = USM_PRIV_PROTO_AES_LEN;
	switch (pv) {
	case PRIV_DES: *len = USM_PRIV_PROTO_DES_LEN;
		return usmDESPrivProtocol;
	case PRIV_AES128: return usmAESPrivProtocol;
	case PRIV_AES192: *len = 9; return usmAES192PrivProtocol;
	case PRIV_AES256: *len = 9; return usmAES256PrivProtocol;
	default: *len = USM_PRIV_PROTO_NOPRIV_LEN; return usmNoPrivProtocol;
	}
}

/* Turns an open session into an SNMPv3 USM session. net-snmp's own
 * snmp_sess_open() would discover the engineID with a synchronous probe
 * (blocking the loop for timeout x retries on a dead agent), so sessions
 * are opened as v2c and switched here; discovery is engine_probe(). Strings
 * are allocated because snmp_sess_close() frees them. */
static int v3_setup(netsnmp_session *s, const struct snmp_profile *pr)
{
	size_t alen, plen;
	const oid *ap = auth_proto(pr->auth, &alen);
	const oid *pp = priv_proto(pr->priv, &plen);

	s->version = SNMP_VERSION_3;
	/* without this flag snmp_sess_async_send() itself probes for the
	 * engineID, synchronously */
	s->flags |= SNMP_FLAGS_DONT_PROBE;
	s->securityModel = SNMP_SEC_MODEL_USM;
	s->securityName = strdup(pr->user);
	if (s->securityName == NULL)
		return -ENOMEM;
	s->securityNameLen = strlen(pr->user);
	s->securityLevel = pr->level == SEC_AUTHPRIV ? SNMP_SEC_LEVEL_AUTHPRIV
			   : pr->level == SEC_AUTHNOPRIV
				   ? SNMP_SEC_LEVEL_AUTHNOPRIV
				   : SNMP_SEC_LEVEL_NOAUTH;
	if (pr->context[0]) {
		s->contextName = strdup(pr->context);
		if (s->contextName == NULL)
			return -ENOMEM;
		s->contextNameLen = strlen(pr->context);
	}
	if (pr->level == SEC_NOAUTH)
		return 0;
	free(s->securityAuthProto); /* snmp_sess_open's default */
	s->securityAuthProto = snmp_duplicate_objid(ap, alen);
	if (s->securityAuthProto == NULL)
		return -ENOMEM;
	s->securityAuthProtoLen = alen;
	s->securityAuthKeyLen = USM_AUTH_KU_LEN;
	if (generate_Ku(ap, (u_int)alen, (const u_char *)pr->auth_pass,
			strlen(pr->auth_pass), s->securityAuthKey,
			&s->securityAuthKeyLen) != SNMPERR_SUCCESS)
		return -EINVAL;
	if (pr->level != SEC_AUTHPRIV)
		return 0;
	free(s->securityPrivProto);
	s->securityPrivProto = snmp_duplicate_objid(pp, plen);
	if (s->securityPrivProto == NULL)
		return -ENOMEM;
	s->securityPrivProtoLen = plen;
	s->securityPrivKeyLen = USM_PRIV_KU_LEN;
	if (generate_Ku(ap, (u_int)alen, (const u_char *)pr->priv_pass,
			strlen(pr->priv_pass), s->securityPrivKey,
			&s->securityPrivKeyLen) != SNMPERR_SUCCESS)
		return -EINVAL;
	return 0;
}

static int session_open(struct sdev *d)
{
	const struct snmp_profile *pr = d->prof;
	netsnmp_session s;
	netsnmp_transport *tr;
	char peer[INV_ADDR_MAX + 32];
	int rc;

	snmp_sess_init(&s);
	if (d->dev->af == AF_INET6)
		snprintf(peer, sizeof(peer), "udp6:[%s]:%u", d->dev->host,
			 d->dev->port);
	else
		snprintf(peer, sizeof(peer), "udp:%s:%u", d->dev->host,
			 d->dev->port);
	s.peername = peer;
	s.timeout = (long)pr->timeout_ms * 1000L;
	s.retries = pr->retries;
	s.callback = async_cb;
	s.callback_magic = d;
	s.version = pr->version == SNMP_V1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
	s.community = (u_char *)unconst(pr->community);
	s.community_len = strlen(pr->community);
	d->ss = snmp_sess_open(&s);
	if (d->ss == NULL) {
		snprintf(d->err, sizeof(d->err), "cannot open session to %s: %s",
			 peer, snmp_api_errstring(s.s_snmp_errno));
		return -EIO;
	}
	if (pr->version == SNMP_V3) {
		rc = v3_setup(snmp_sess_session(d->ss), pr);
		if (rc < 0) {
			snprintf(d->err, sizeof(d->err),
				 "cannot set up SNMPv3 user %s: %s", pr->user,
				 rc == -ENOMEM ? "out of memory"
					       : "key derivation failed");
			snmp_sess_close(d->ss);
			d->ss = NULL;
			return rc;
		}
	}
	tr = snmp_sess_transport(d->ss);
	d->fd = tr ? tr->sock : -1;
	if (d->fd < 0 || uv_poll_init(d->p->loop, &d->poll, d->fd) != 0) {
		snmp_sess_close(d->ss);
		d->ss = NULL;
		snprintf(d->err, sizeof(d->err), "cannot watch socket");
		return -EIO;
	}
	d->poll.data = d;
	d->handles |= 1;
	uv_poll_start(&d->poll, UV_READABLE, on_readable);
	return 0;
}

int snmp_probe_poll(struct snmp_probe *p, uint32_t device)
{
	struct sdev *d;
	int rc;

	if (device >= p->ndevs || p->closing)
		return -EINVAL;
	d = &p->devs[device];
	if (d->state != DS_IDLE || d->poll_closing)
		return -EBUSY;
	p->busy++;
	d->t_start = now_wall();
	d->latency_ms = -1;
	d->sec_retried = 0;
	d->state = DS_POLL; /* not idle while starting */
	if (d->ss == NULL && !(d->fast && !d->need_discovery)) {
		rc = session_open(d);
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
	if (d->prof->version == SNMP_V3 &&
	    snmp_sess_session(d->ss)->securityEngineIDLen == 0)
		engine_probe(d);
	else if (d->need_discovery)
		start_discovery(d);
	else
		start_gets(d);
	session_release(d); /* when the poll already failed to send */
	return 0;
}

/* ---- lifecycle ------------------------------------------------------ */

int snmp_probe_create(uv_loop_t *loop, const struct config *cfg,
		      const struct snmp_probe_hooks *hooks,
		      struct snmp_probe **ret_p)
{
	struct snmp_probe *p;

	lib_init();
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->devs = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*p->devs));
	if (p->devs == NULL) {
		free(p);
		return -ENOMEM;
	}
	p->loop = loop;
	p->cfg = cfg;
	p->hooks = *hooks;
	p->ndevs = cfg->ndevices;
	netsnmp_large_fd_set_init(&p->fds, FD_SETSIZE);
	for (size_t i = 0; i < p->ndevs; i++) {
		struct sdev *d = &p->devs[i];

		d->p = p;
		d->idx = (uint32_t)i;
		d->dev = &cfg->devices[i];
		d->prof = snmp_profile_of(cfg, d->dev);
		d->fd = -1;
		d->need_discovery = 1;
		fast_setup(d);
		uv_timer_init(loop, &d->timer);
		uv_timer_init(loop, &d->budget);
		d->timer.data = d->budget.data = d;
		d->handles |= 6;
	}
	*ret_p = p;
	return 0;
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

static void on_handle_closed(uv_handle_t *h)
{
	struct snmp_probe *p = ((struct sdev *)h->data)->p;

	if (--p->open_handles == 0 && p->close_cb)
		p->close_cb(p->close_arg);
}

static void on_tick_closed(uv_handle_t *h)
{
	struct snmp_probe *p = h->data;

	if (--p->open_handles == 0 && p->close_cb)
		p->close_cb(p->close_arg);
}

static void on_udp_closed(void *arg)
{
	struct snmp_probe *p = arg;

	if (--p->open_handles == 0 && p->close_cb)
		p->close_cb(p->close_arg);
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
		if (d->poll_closing)
			p->open_handles++; /* on_poll_closed counts it down */
		if (d->handles & 1) {
			uv_poll_stop(&d->poll);
			p->open_handles++;
			uv_close((uv_handle_t *)&d->poll, on_handle_closed);
		}
		if (d->ss) {
			snmp_sess_close(d->ss);
			d->ss = NULL;
		}
		if (d->handles & 2) {
			p->open_handles++;
			uv_close((uv_handle_t *)&d->timer, on_handle_closed);
		}
		if (d->handles & 4) {
			p->open_handles++;
			uv_close((uv_handle_t *)&d->budget, on_handle_closed);
		}
		d->handles = 0;
	}
	if (p->udp) {
		p->open_handles++;
		snmp_udp_close(p->udp, on_udp_closed, p);
	}
	if (p->ttick_state) {
		p->open_handles++;
		p->ttick_state = 0;
		uv_close((uv_handle_t *)&p->ttick, on_tick_closed);
	}
	if (--p->open_handles == 0 && close_cb)
		close_cb(arg);
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
	netsnmp_large_fd_set_cleanup(&p->fds);
	snmp_udp_destroy(p->udp);
	free(p->txbuf);
	free(p->devs);
	free(p);
}
