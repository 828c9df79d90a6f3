/*
 * snmp_trap.c - the SNMP trap receiver (snmp_trap.h). Each listen address
 * is a net-snmp server transport added as a single session
 * (snmp_sess_add, as snmptrapd does with snmp_add); its socket joins the
 * loop through one uv_poll_t. Before net-snmp reads a datagram we look at
 * it (MSG_PEEK): its source address and, for SNMPv3, the authoritative
 * engine ID and user name in the USM header. The caller names the profile
 * that user is checked against (the sending device's), and its keys are
 * localized for that engine (the sender's for a trap, ours for an inform:
 * RFC 3414 section 3.2) into net-snmp's user table before the read. A
 * datagram net-snmp drops without calling back (wrong digest, unknown
 * user, decryption error, garbage) is told apart by its USM and SNMP
 * statistics counters, read before and after.
 * SPDX-License-Identifier: MIT
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "snmp_trap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "core/log.h"
#include "snmp_int.h"

#define READS_PER_WAKEUP 64 /* datagrams read per readable event */
#define TRAP_RCVBUF (4 << 20) /* bytes asked for the socket's buffer */

struct trap_listener {
	struct trap_receiver *r;
	void *ss; /* net-snmp single session */
	int fd;
	uv_poll_t poll;
	char name[INV_ADDR_MAX + 16];
};

struct trap_receiver {
	uv_loop_t *loop;
	struct trap_hooks hooks;
	struct trap_listener ls[TRAP_LISTEN_MAX];
	size_t n, open_handles;
	void (*close_cb)(void *arg);
	void *close_arg;
	netsnmp_large_fd_set set;
	/* the datagram being read */
	struct trap_msg cur;
	const struct snmp_profile *cur_prof;
	int cur_called; /* net-snmp called back for it */
	uint8_t peek[65536];
};

static const struct {
	enum trap_kind k;
	const char *oid, *name;
} kinds[] = {
	{ TRAP_COLD_START, "1.3.6.1.6.3.1.1.5.1", "coldStart" },
	{ TRAP_WARM_START, "1.3.6.1.6.3.1.1.5.2", "warmStart" },
	{ TRAP_LINK_DOWN, "1.3.6.1.6.3.1.1.5.3", "linkDown" },
	{ TRAP_LINK_UP, "1.3.6.1.6.3.1.1.5.4", "linkUp" },
	{ TRAP_AUTH_FAILURE, "1.3.6.1.6.3.1.1.5.5", "authenticationFailure" },
};

enum trap_kind trap_kind_of(const char *oid)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(oid, kinds[i].oid) == 0)
			return kinds[i].k;
	return TRAP_OTHER;
}

const char *trap_kind_name(enum trap_kind k)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].k == k)
			return kinds[i].name;
	return "other";
}

/* The device whose inventory address is host: its index, -1 none, -2
 * several. */
static int device_at(const struct config *cfg, const char *host)
{
	int found = -1;

	if (host[0] == '\0')
		return -1;
	for (size_t i = 0; i < cfg->ndevices; i++) {
		if (strcmp(cfg->devices[i].host, host) != 0)
			continue;
		if (found >= 0)
			return -2;
		found = (int)i;
	}
	return found;
}

int trap_device_of(const struct config *cfg, const char *src_host,
		   const char *agent_addr)
{
	int i = device_at(cfg, src_host);

	if (i < 0 && agent_addr[0] != '\0') {
		int k = device_at(cfg, agent_addr);

		if (k >= 0)
			i = k;
	}
	return i;
}

/* ---- the header, read before net-snmp ------------------------------- */

/* One BER TLV at *p (end e): its tag and value; advances *p past it. */
static int tlv(const uint8_t **p, const uint8_t *e, uint8_t *tag,
	       const uint8_t **val, size_t *vlen)
{
	const uint8_t *q = *p;
	size_t len;

	if (e - q < 2)
		return -EINVAL;
	*tag = *q++;
	len = *q++;
	if (len & 0x80) {
		size_t nb = len & 0x7f;

		if (nb == 0 || nb > 4 || (size_t)(e - q) < nb)
			return -EINVAL; /* indefinite lengths are not SNMP */
		len = 0;
		while (nb--)
			len = len << 8 | *q++;
	}
	if ((size_t)(e - q) < len)
		return -EINVAL;
	*val = q;
	*vlen = len;
	*p = q + len;
	return 0;
}

static int ber_int(const uint8_t *v, size_t n, long *ret)
{
	long x = 0;

	if (n == 0 || n > 4)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		x = x << 8 | v[i];
	*ret = x;
	return 0;
}

int trap_peek_header(const uint8_t *buf, size_t len, int *ret_version,
		     uint8_t *engine, size_t *engine_len, char *user,
		     size_t userlen)
{
	const uint8_t *p = buf, *e = buf + len, *v, *sp, *se;
	uint8_t tag;
	size_t n;
	long ver, model;

	*engine_len = 0;
	user[0] = '\0';
	if (tlv(&p, e, &tag, &v, &n) < 0 || tag != 0x30)
		return -EINVAL;
	p = v;
	e = v + n;
	if (tlv(&p, e, &tag, &v, &n) < 0 || tag != 0x02 ||
	    ber_int(v, n, &ver) < 0)
		return -EINVAL;
	if (ver == 0 || ver == 1) {
		*ret_version = (int)ver + 1;
		return 0;
	}
	if (ver != 3)
		return -EINVAL;
	*ret_version = 3;
	/* msgGlobalData: msgID, msgMaxSize, msgFlags, msgSecurityModel */
	if (tlv(&p, e, &tag, &v, &n) < 0 || tag != 0x30)
		return -EINVAL;
	sp = v;
	se = v + n;
	for (int i = 0; i < 4; i++)
		if (tlv(&sp, se, &tag, &v, &n) < 0)
			return -EINVAL;
	if (tag != 0x02 || ber_int(v, n, &model) < 0 || model != 3)
		return -EINVAL; /* USM only */
	/* msgSecurityParameters: OCTET STRING holding the USM sequence */
	if (tlv(&p, e, &tag, &v, &n) < 0 || tag != 0x04)
		return -EINVAL;
	sp = v;
	se = v + n;
	if (tlv(&sp, se, &tag, &v, &n) < 0 || tag != 0x30)
		return -EINVAL;
	sp = v;
	se = v + n;
	if (tlv(&sp, se, &tag, &v, &n) < 0 || tag != 0x04 || n > 32)
		return -EINVAL;
	memcpy(engine, v, n);
	*engine_len = n;
	for (int i = 0; i < 3; i++) /* boots, time, user name */
		if (tlv(&sp, se, &tag, &v, &n) < 0)
			return -EINVAL;
	if (tag != 0x04)
		return -EINVAL;
	if (n >= userlen)
		n = userlen - 1;
	memcpy(user, v, n);
	user[n] = '\0';
	return 0;
}

/* ---- copying a PDU out ---------------------------------------------- */

static void oid_str(const oid *o, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%lu", i ? "." : "",
				 (unsigned long)o[i]);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

static void value_str(const netsnmp_variable_list *vb, char *buf, size_t len)
{
	char tmp[256];
	size_t n;

	switch (vb->type) {
	case ASN_INTEGER:
		snprintf(buf, len, "%ld", *vb->val.integer);
		break;
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS:
	case ASN_UINTEGER:
		snprintf(buf, len, "%lu",
			 (unsigned long)(*vb->val.integer & 0xffffffffUL));
		break;
	case ASN_COUNTER64:
		snprintf(buf, len, "%llu",
			 (unsigned long long)vb->val.counter64->high << 32 |
				 vb->val.counter64->low);
		break;
	case ASN_IPADDRESS:
		if (vb->val_len != 4 ||
		    inet_ntop(AF_INET, vb->val.string, buf, (socklen_t)len) ==
			    NULL)
			snprintf(buf, len, "?");
		break;
	case ASN_OBJECT_ID:
		oid_str(vb->val.objid, vb->val_len / sizeof(oid), buf, len);
		break;
	case ASN_OCTET_STR:
		n = vb->val_len < sizeof(tmp) - 1 ? vb->val_len
						  : sizeof(tmp) - 1;
		memcpy(tmp, vb->val.string, n);
		tmp[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)tmp[i] < 0x20 || tmp[i] == 0x7f)
				tmp[i] = '.';
		/* bounded on purpose: a long string ends where buf does */
		if (snprintf(buf, len, "\"%s\"", tmp) >= (int)len && len > 1)
			buf[len - 2] = '"';
		break;
	case SNMP_NOSUCHOBJECT:
	case SNMP_NOSUCHINSTANCE:
	case SNMP_ENDOFMIBVIEW:
	case ASN_NULL:
		snprintf(buf, len, "null");
		break;
	default:
		snprintf(buf, len, "(type 0x%02x)", vb->type);
	}
}

static const oid OID_SYSUPTIME0[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid OID_TRAPOID0[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid OID_TRAPADDR0[] = { 1, 3, 6, 1, 6, 3, 18, 1, 3, 0 };
#define OIDEQ(vb, a)                                                        \
	(snmp_oid_compare((vb)->name, (vb)->name_length, (a),               \
			  sizeof(a) / sizeof((a)[0])) == 0)

/* RFC 3584 section 3.1: the SNMPv2 trap OID of an SNMPv1 trap. */
static void v1_trap_oid(const netsnmp_pdu *pdu, char *buf, size_t len)
{
	char ent[TRAP_OID_MAX];

	if (pdu->trap_type != SNMP_TRAP_ENTERPRISESPECIFIC) {
		snprintf(buf, len, "1.3.6.1.6.3.1.1.5.%ld",
			 pdu->trap_type + 1);
		return;
	}
	oid_str(pdu->enterprise, pdu->enterprise_length, ent, sizeof(ent));
	if (snprintf(buf, len, "%s.0.%ld", ent, pdu->specific_type) >=
	    (int)len)
		buf[0] = '\0'; /* no OID rather than a wrong one */
}

static void msg_fill(struct trap_msg *m, const netsnmp_pdu *pdu)
{
	size_t off = 0;

	m->inform = pdu->command == SNMP_MSG_INFORM;
	if (pdu->version != SNMP_VERSION_3) {
		size_t n = pdu->community_len < CFG_SECRET_MAX - 1
				   ? pdu->community_len
				   : CFG_SECRET_MAX - 1;

		if (pdu->community)
			memcpy(m->community, pdu->community, n);
		m->community[n] = '\0';
	}
	if (pdu->command == SNMP_MSG_TRAP) {
		v1_trap_oid(pdu, m->trap_oid, sizeof(m->trap_oid));
		inet_ntop(AF_INET, pdu->agent_addr, m->agent_addr,
			  sizeof(m->agent_addr));
		if (strcmp(m->agent_addr, "0.0.0.0") == 0)
			m->agent_addr[0] = '\0';
	}
	for (const netsnmp_variable_list *vb = pdu->variables; vb;
	     vb = vb->next_variable) {
		char name[TRAP_OID_MAX], val[256];
		int w;

		if (OIDEQ(vb, OID_SYSUPTIME0))
			continue;
		if (OIDEQ(vb, OID_TRAPOID0) && vb->type == ASN_OBJECT_ID) {
			oid_str(vb->val.objid, vb->val_len / sizeof(oid),
				m->trap_oid, sizeof(m->trap_oid));
			continue;
		}
		if (OIDEQ(vb, OID_TRAPADDR0) && vb->type == ASN_IPADDRESS &&
		    vb->val_len == 4) {
			inet_ntop(AF_INET, vb->val.string, m->agent_addr,
				  sizeof(m->agent_addr));
			continue;
		}
		if (off >= sizeof(m->varbinds) - 1)
			continue;
		oid_str(vb->name, vb->name_length, name, sizeof(name));
		value_str(vb, val, sizeof(val));
		w = snprintf(m->varbinds + off, sizeof(m->varbinds) - off,
			     "%s%s=%s", off ? "; " : "", name, val);
		if (w > 0)
			off += (size_t)w;
	}
	if (off >= sizeof(m->varbinds))
		memcpy(m->varbinds + sizeof(m->varbinds) - 4, "...", 4);
}

/* net-snmp's session callback: one notification of the current
 * datagram. */
static int on_pdu(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
		  void *magic)
{
	struct trap_listener *l = magic;
	struct trap_receiver *r = l->r;
	struct trap_msg *m = &r->cur;
	netsnmp_pdu *reply;
	int rc, need;

	(void)sess;
	(void)reqid;
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)
		return 1;
	if (pdu->command != SNMP_MSG_TRAP && pdu->command != SNMP_MSG_TRAP2 &&
	    pdu->command != SNMP_MSG_INFORM)
		return 1; /* a GET on the trap port: malformed for us */
	r->cur_called = 1;
	m->version = pdu->version == SNMP_VERSION_3	? 3
		     : pdu->version == SNMP_VERSION_1 ? 1
						      : 2;
	msg_fill(m, pdu);
	if (m->version == 3 && r->cur_prof != NULL) {
		/* USM took a message of a lower level than the profile
		 * asks (noAuth for an authPriv user): refuse it */
		need = r->cur_prof->level == SEC_AUTHPRIV
			       ? SNMP_SEC_LEVEL_AUTHPRIV
		       : r->cur_prof->level == SEC_AUTHNOPRIV
			       ? SNMP_SEC_LEVEL_AUTHNOPRIV
			       : SNMP_SEC_LEVEL_NOAUTH;
		if (pdu->securityLevel < need) {
			r->hooks.reject(r->hooks.arg, m, TRAP_REJ_AUTH,
					"security level below the profile's");
			return 1;
		}
	}
	rc = r->hooks.trap(r->hooks.arg, m);
	if (rc < 0 || !m->inform)
		return 1;
	/* RFC 3416 section 4.2.7: the Response repeats the request-id and
	 * the variable bindings */
	reply = snmp_clone_pdu(pdu);
	if (reply == NULL) {
		log_warnx("trap receiver: out of memory answering an inform "
			  "from %s",
			  m->src_host);
		return 1;
	}
	reply->command = SNMP_MSG_RESPONSE;
	reply->errstat = 0;
	reply->errindex = 0;
	if (snmp_sess_send(l->ss, reply) == 0) {
		log_warnx("trap receiver: cannot answer the inform from %s: "
			  "%s",
			  m->src_host,
			  snmp_api_errstring(snmp_sess_session(l->ss)
						     ->s_snmp_errno));
		snmp_free_pdu(reply);
	}
	return 1;
}

/* ---- reading -------------------------------------------------------- */

struct usm_counts {
	uint32_t unknown_user, wrong_digest, decrypt, level, engine, window,
		parse, badver;
};

static void counts_get(struct usm_counts *c)
{
	c->unknown_user = snmp_get_statistic(STAT_USMSTATSUNKNOWNUSERNAMES);
	c->wrong_digest = snmp_get_statistic(STAT_USMSTATSWRONGDIGESTS);
	c->decrypt = snmp_get_statistic(STAT_USMSTATSDECRYPTIONERRORS);
	c->level = snmp_get_statistic(STAT_USMSTATSUNSUPPORTEDSECLEVELS);
	c->engine = snmp_get_statistic(STAT_USMSTATSUNKNOWNENGINEIDS);
	c->window = snmp_get_statistic(STAT_USMSTATSNOTINTIMEWINDOWS);
	c->parse = snmp_get_statistic(STAT_SNMPINASNPARSEERRS);
	c->badver = snmp_get_statistic(STAT_SNMPINBADVERSIONS);
}

/* Why net-snmp dropped the current datagram without calling back, or
 * NULL when that was a step of the protocol (the engine discovery and
 * time synchronisation of a v3 inform, answered with a Report). */
static const char *drop_reason(const struct usm_counts *a,
			       const struct usm_counts *b,
			       enum trap_reject *why)
{
	*why = TRAP_REJ_AUTH;
	if (b->unknown_user != a->unknown_user)
		return "unknown user (no [profile] with that user for this "
		       "sender)";
	if (b->wrong_digest != a->wrong_digest)
		return "wrong digest (authentication key)";
	if (b->decrypt != a->decrypt)
		return "decryption failed (privacy key)";
	if (b->level != a->level)
		return "unsupported security level";
	if (b->engine != a->engine || b->window != a->window)
		return NULL;
	*why = TRAP_REJ_MALFORMED;
	if (b->badver != a->badver)
		return "unsupported SNMP version";
	if (b->parse != a->parse)
		return "ASN.1 parse error";
	return "not a notification";
}

static double now_s(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* Looks at the next datagram; 0, or -EAGAIN when there is none. */
static int peek_one(struct trap_listener *l, size_t *ret_len)
{
	struct trap_receiver *r = l->r;
	struct trap_msg *m = &r->cur;
	socklen_t slen = sizeof(m->src);
	ssize_t n;
	uint8_t engine[32];
	size_t elen;

	memset(m, 0, sizeof(*m));
	r->cur_prof = NULL;
	r->cur_called = 0;
	n = recvfrom(l->fd, r->peek, sizeof(r->peek), MSG_PEEK | MSG_DONTWAIT,
		     (struct sockaddr *)&m->src, &slen);
	if (n < 0)
		return -EAGAIN;
	*ret_len = (size_t)n;
	m->t = now_s();
	if (m->src.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&m->src;

		inet_ntop(AF_INET6, &s6->sin6_addr, m->src_host,
			  sizeof(m->src_host));
		m->src_port = ntohs(s6->sin6_port);
		/* an IPv4 sender on a dual-stack socket */
		if (strncmp(m->src_host, "::ffff:", 7) == 0 &&
		    strchr(m->src_host + 7, ':') == NULL)
			memmove(m->src_host, m->src_host + 7,
				strlen(m->src_host + 7) + 1);
	} else {
		const struct sockaddr_in *s4 = (const void *)&m->src;

		inet_ntop(AF_INET, &s4->sin_addr, m->src_host,
			  sizeof(m->src_host));
		m->src_port = ntohs(s4->sin_port);
	}
	if (trap_peek_header(r->peek, (size_t)n, &m->version, engine, &elen,
			     m->user, sizeof(m->user)) < 0 ||
	    m->version != 3 || elen == 0 || m->user[0] == '\0')
		return 0;
	r->cur_prof = r->hooks.profile(r->hooks.arg,
				       (const struct sockaddr *)&m->src,
				       m->user);
	if (r->cur_prof != NULL &&
	    snmp__usm_install(r->cur_prof, engine, elen) < 0)
		log_warnx("trap receiver: cannot set up SNMPv3 user %s for "
			  "%s",
			  m->user, m->src_host);
	return 0;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	struct trap_listener *l = h->data;
	struct trap_receiver *r = l->r;

	(void)events;
	if (status < 0) {
		log_warnx("trap receiver %s: %s", l->name,
			  uv_strerror(status));
		return;
	}
	for (int i = 0; i < READS_PER_WAKEUP; i++) {
		struct usm_counts a, b;
		enum trap_reject why;
		const char *reason;
		size_t len;

		if (peek_one(l, &len) < 0)
			break;
		counts_get(&a);
		netsnmp_large_fd_set_resize(&r->set, l->fd + 1);
		NETSNMP_LARGE_FD_SET(l->fd, &r->set);
		snmp_sess_read2(l->ss, &r->set);
		NETSNMP_LARGE_FD_CLR(l->fd, &r->set);
		if (r->cur_called)
			continue;
		counts_get(&b);
		reason = drop_reason(&a, &b, &why);
		if (reason != NULL)
			r->hooks.reject(r->hooks.arg, &r->cur, why, reason);
	}
}

/* ---- life ----------------------------------------------------------- */

static int listener_open(struct trap_receiver *r, struct trap_listener *l,
			 const struct trap_listen *a, char *err, size_t errlen)
{
	netsnmp_session s;
	netsnmp_transport *t;
	char spec[INV_ADDR_MAX + 32];

	if (a->af == AF_INET6) {
		snprintf(spec, sizeof(spec), "udp6:[%s]:%u", a->host, a->port);
		snprintf(l->name, sizeof(l->name), "[%s]:%u", a->host,
			 a->port);
	} else {
		snprintf(spec, sizeof(spec), "udp:%s:%u", a->host, a->port);
		snprintf(l->name, sizeof(l->name), "%s:%u", a->host, a->port);
	}
	errno = 0;
	t = netsnmp_transport_open_server("snmptrap", spec);
	if (t == NULL) {
		snprintf(err, errlen, "cannot listen for traps on %s: %s",
			 l->name, errno ? strerror(errno) : "failed");
		return -EADDRNOTAVAIL;
	}
	snmp_sess_init(&s);
	s.peername = NULL;
	s.callback = on_pdu;
	s.callback_magic = l;
	s.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
	l->r = r;
	l->ss = snmp_sess_add(&s, t, NULL, NULL);
	if (l->ss == NULL) { /* snmp_sess_add closed the transport */
		snprintf(err, errlen, "cannot listen for traps on %s: %s",
			 l->name, snmp_api_errstring(s.s_snmp_errno));
		return -ENOMEM;
	}
	l->fd = t->sock;
	/* a burst of traps (a power cut: every device's coldStart at once)
	 * waits in the socket while the loop writes a batch of journal rows;
	 * the kernel caps this at net.core.rmem_max */
	{
		int sz = TRAP_RCVBUF;

		(void)setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &sz,
				 sizeof(sz));
	}
	if (uv_poll_init(r->loop, &l->poll, l->fd) != 0) {
		snmp_sess_close(l->ss);
		l->ss = NULL;
		snprintf(err, errlen, "cannot watch the trap socket %s",
			 l->name);
		return -EIO;
	}
	l->poll.data = l;
	uv_poll_start(&l->poll, UV_READABLE, on_readable);
	return 0;
}

static int quiet; /* net-snmp's null log handler is registered */

int trap_receiver_open(uv_loop_t *loop, const struct traps_cfg *tc,
		       const struct trap_hooks *hooks,
		       struct trap_receiver **ret, char *err, size_t errlen)
{
	struct trap_receiver *r;
	size_t off = 0;

	*ret = NULL;
	err[0] = '\0';
	snmp__session_lib_init();
	/* net-snmp writes "Authentication failed for USER" to stderr when
	 * no log handler is on; refusals are counted and logged by the
	 * caller, rate-limited. A null handler keeps net-snmp quiet (unless
	 * SLAMON_SNMP_DEBUG turned its stderr log on). */
	if (!quiet && getenv("SLAMON_SNMP_DEBUG") == NULL &&
	    netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_EMERG))
		quiet = 1;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(err, errlen, "trap receiver: out of memory");
		return -ENOMEM;
	}
	r->loop = loop;
	r->hooks = *hooks;
	netsnmp_large_fd_set_init(&r->set, FD_SETSIZE);
	for (size_t i = 0; i < tc->naddrs; i++) {
		char one[256];

		if (listener_open(r, &r->ls[r->n], &tc->addrs[i], one,
				  sizeof(one)) == 0) {
			r->n++;
			continue;
		}
		if (off < errlen) {
			int w = snprintf(err + off, errlen - off, "%s%s",
					 off ? "; " : "", one);

			off += w > 0 ? (size_t)w : 0;
		}
	}
	if (r->n == 0) {
		netsnmp_large_fd_set_cleanup(&r->set);
		free(r);
		if (off == 0)
			snprintf(err, errlen, "trap receiver: no address");
		return -EADDRNOTAVAIL;
	}
	*ret = r;
	return 0;
}

size_t trap_receiver_addrs(const struct trap_receiver *r, char *buf,
			   size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; r && i < r->n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				 r->ls[i].name);

		off += w > 0 ? (size_t)w : 0;
	}
	return r ? r->n : 0;
}

static void on_closed(uv_handle_t *h)
{
	struct trap_listener *l = h->data;
	struct trap_receiver *r = l->r;

	snmp_sess_close(l->ss); /* closes the socket after its poll */
	l->ss = NULL;
	if (--r->open_handles > 0)
		return;
	if (r->close_cb)
		r->close_cb(r->close_arg);
	netsnmp_large_fd_set_cleanup(&r->set);
	free(r);
}

void trap_receiver_close(struct trap_receiver *r, void (*cb)(void *arg),
			 void *arg)
{
	if (r == NULL)
		return;
	r->close_cb = cb;
	r->close_arg = arg;
	r->open_handles = r->n;
	for (size_t i = 0; i < r->n; i++) {
		uv_poll_stop(&r->ls[i].poll);
		uv_close((uv_handle_t *)&r->ls[i].poll, on_closed);
	}
}
