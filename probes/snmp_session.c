/*
 * snmp_session.c - the SNMP probe's net-snmp sessions, driven by libuv:
 * the IF-MIB discovery walk, SNMPv3 (engine discovery, USM keys), and the
 * GETs of devices that do not take the fast path (SNMPv3, host names,
 * SLAMON_SNMP_NETSNMP_ONLY=1).
 *
 * A device's session is net-snmp's single-session API with its own UDP
 * socket, watched by one uv_poll_t, and one uv_timer_t for net-snmp's
 * retransmissions/timeouts. v1/v2c sessions are closed between polls; a v3
 * session keeps its engine discovery.
 * SPDX-License-Identifier: MIT
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "snmp_ber.h"
#include "snmp_int.h"

/* The IF-MIB columns the discovery walk reads. */
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
	{SNMP__IFT, 2}, {SNMP__IFT, 3}, {SNMP__IFT, 5}, {SNMP__IFT, 8},
	{SNMP__IFX, 1}, {SNMP__IFX, 6}, {SNMP__IFX, 15}, {SNMP__IFX, 18},
};
static const size_t COL_LENS[NCOLS] = {10, 10, 10, 10, 11, 11, 11, 11};

/* The ifXTable columns (RFC 2863) are optional: agents without them, or
 * answering an error-status there (genErr seen in the field), still have
 * an ifTable to monitor. */
static int col_optional(int c)
{
	return c >= COL_NAME;
}

/* Columns a v1 walk asks for. ifHCInOctets is a Counter64, which SNMPv1
 * cannot carry (RFC 2576 section 4.1.2.1: a v1 agent skips or refuses it),
 * so a v1 device is polled with the 32-bit counters. */
static int col_walked(int c, enum snmp_version v)
{
	return !(v == SNMP_V1 && c == COL_HCIN);
}

#define MAX_ROWS 100000

/* One ifTable row as the walk finds it. */
struct snmp__row {
	uint32_t ifindex;
	char descr[SNMP_IFNAME_MAX], name[SNMP_IFNAME_MAX];
	char alias[SNMP_IFNAME_MAX];
	int type, oper;
	uint64_t speed, highspeed;
	int has_speed, has_highspeed, has_hc;
};

/* Where the walk of one column is. */
struct snmp__walkcol {
	oid last[MAX_OID_LEN];
	size_t lastlen;
	int done;
	size_t nrows;
};

/* The probe's scratch set for snmp_sess_select_info2/snmp_sess_read2. */
struct snmp__fdset {
	netsnmp_large_fd_set set;
	uint8_t peek[65536]; /* a datagram looked at before net-snmp reads
	                        it (on_readable) */
};

static int net_snmp_ready;

void snmp__session_lib_init(void)
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
	net_snmp_ready = 1;
}

/* net-snmp's session takes non-const strings it never writes through. */
static char *unconst(const char *str)
{
	char *r;

	memcpy(&r, &str, sizeof(r));
	return r;
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
	snmp_sess_select_info2(d->ss, &numfds, &p->fds->set, &tv, &block);
	NETSNMP_LARGE_FD_CLR(d->fd, &p->fds->set);
	if (block) {
		uv_timer_stop(&d->timer);
		return;
	}
	ms = (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000 + 1;
	uv_timer_start(&d->timer, on_snmp_timer, ms, 0);
}

static int usm_keys_put(struct sdev *d);

static int send_pdu(struct sdev *d, netsnmp_pdu *pdu)
{
	int id;

	if (usm_keys_put(d) < 0) {
		snmp_free_pdu(pdu);
		snmp__poll_fail(d, POLL_ERROR, "out of memory");
		return -ENOMEM;
	}
	id = snmp_sess_async_send(d->ss, pdu, async_cb, d);

	if (id == 0) {
		int liberr = 0, syserr = 0;
		char *msg = NULL;

		snmp_sess_error(d->ss, &liberr, &syserr, &msg);
		snmp_free_pdu(pdu);
		snmp__poll_fail(d, POLL_ERROR, "send failed: %s",
				msg ? msg : "?");
		free(msg);
		return -EIO;
	}
	d->reqid = id;
	rearm_timer(d);
	return 0;
}

/* ---- v3 keys of each device's own ----------------------------------- */

/* net-snmp's USM keeps one user per (engineID, securityName) for the whole
 * process (snmpusm.c, the manager side of RFC 3414's usmUserTable), and
 * signs, encrypts and checks every message with the keys found there;
 * create_user_from_session() keeps an entry that already exists. So two
 * devices of one engine (one agent on two addresses, or agents cloned
 * with one engineID) with one user name but different passphrases both
 * used the first one's keys, and a reload's new passphrase was ignored
 * until restart. Each v3 device keeps its own localized keys, and puts
 * them into that entry before each call into net-snmp that signs or checks
 * one of its messages: the loop runs one such call at a time. */
struct snmp__usm {
	oid *auth_proto, *priv_proto;
	size_t auth_proto_len, priv_proto_len; /* sub-identifiers */
	u_char *auth_key, *priv_key;
	size_t auth_key_len, priv_key_len;
};

static void usm_free(struct snmp__usm *k)
{
	if (k == NULL)
		return;
	free(k->auth_proto);
	free(k->priv_proto);
	free(k->auth_key);
	free(k->priv_key);
	free(k);
}

/* Makes *dst a malloc'd copy of src (len bytes) unless it is one already.
 * Returns 0 or -ENOMEM (then *dst is unchanged). */
static int bytes_set(u_char **dst, size_t *dstlen, const u_char *src,
		     size_t len)
{
	u_char *copy = NULL;

	if (*dstlen == len &&
	    (len == 0 || (*dst != NULL && memcmp(*dst, src, len) == 0)))
		return 0;
	if (len > 0) {
		copy = malloc(len);
		if (copy == NULL)
			return -ENOMEM;
		memcpy(copy, src, len);
	}
	free(*dst);
	*dst = copy;
	*dstlen = len;
	return 0;
}

/* bytes_set for an OID of len sub-identifiers. */
static int oid_set(oid **dst, size_t *dstlen, const oid *src, size_t len)
{
	oid *copy = NULL;

	if (*dstlen == len &&
	    (len == 0 ||
	     (*dst != NULL && memcmp(*dst, src, len * sizeof(oid)) == 0)))
		return 0;
	if (len > 0) {
		copy = snmp_duplicate_objid(src, len);
		if (copy == NULL)
			return -ENOMEM;
	}
	free(*dst);
	*dst = copy;
	*dstlen = len;
	return 0;
}

static struct usmUser *usm_user_of(netsnmp_session *s)
{
	return usm_get_user(s->securityEngineID, s->securityEngineIDLen,
			    s->securityName);
}

/* Copies the keys of user u to k (k's old ones are freed). */
static int usm_copy_from(struct snmp__usm *k, const struct usmUser *u)
{
	if (oid_set(&k->auth_proto, &k->auth_proto_len, u->authProtocol,
		    u->authProtocol ? u->authProtocolLen : 0) < 0 ||
	    oid_set(&k->priv_proto, &k->priv_proto_len, u->privProtocol,
		    u->privProtocol ? u->privProtocolLen : 0) < 0 ||
	    bytes_set(&k->auth_key, &k->auth_key_len, u->authKey,
		      u->authKey ? u->authKeyLen : 0) < 0 ||
	    bytes_set(&k->priv_key, &k->priv_key_len, u->privKey,
		      u->privKey ? u->privKeyLen : 0) < 0)
		return -ENOMEM;
	return 0;
}

/* The USM user entry of d's session, created from the session's keys when
 * there is none. */
static struct usmUser *usm_user_make(netsnmp_session *s)
{
	struct usmUser *u = usm_user_of(s);

	if (u != NULL)
		return u;
	s->flags &= ~SNMP_FLAGS_USER_CREATED;
	if (create_user_from_session(s) != SNMPERR_SUCCESS)
		return NULL;
	return usm_user_of(s);
}

/* Localizes d's keys for the engineID just learned (net-snmp derives
 * them, AES-192/256 key extension included, into a fresh user entry) and
 * keeps a copy. Returns 0, -EINVAL or -ENOMEM. */
static int usm_keys_take(struct sdev *d, netsnmp_session *s)
{
	struct usmUser *u = usm_user_of(s);
	struct snmp__usm *k;

	if (u != NULL) { /* another device's keys, or another profile's */
		usm_remove_user(u);
		usm_free_user(u);
	}
	u = usm_user_make(s);
	if (u == NULL)
		return -EINVAL;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	if (usm_copy_from(k, u) < 0) {
		usm_free(k);
		return -ENOMEM;
	}
	usm_free(d->usm);
	d->usm = k;
	return 0;
}

/* Puts d's own keys into its user entry before net-snmp signs, encrypts
 * or checks a message of d. Returns 0, -EINVAL or -ENOMEM. */
static int usm_keys_put(struct sdev *d)
{
	const struct snmp__usm *k = d->usm;
	struct usmUser *u;

	if (k == NULL || d->ss == NULL)
		return 0;
	u = usm_user_make(snmp_sess_session(d->ss));
	if (u == NULL)
		return -EINVAL;
	if (oid_set(&u->authProtocol, &u->authProtocolLen, k->auth_proto,
		    k->auth_proto_len) < 0 ||
	    oid_set(&u->privProtocol, &u->privProtocolLen, k->priv_proto,
		    k->priv_proto_len) < 0 ||
	    bytes_set(&u->authKey, &u->authKeyLen, k->auth_key,
		      k->auth_key_len) < 0 ||
	    bytes_set(&u->privKey, &u->privKeyLen, k->priv_key,
		      k->priv_key_len) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- v3 engine discovery (RFC 3414 section 4) ----------------------- */

void snmp__engine_probe(struct sdev *d)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

	if (pdu == NULL) {
		snmp__poll_fail(d, POLL_ERROR, "out of memory");
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

static void engine_learned(struct sdev *d, netsnmp_pdu *pdu)
{
	netsnmp_session *s = snmp_sess_session(d->ss);

	if (pdu->securityEngineIDLen == 0) {
		snmp__poll_fail(d, POLL_ERROR,
				"SNMPv3 engine discovery: no engineID");
		return;
	}
	s->securityEngineID = netsnmp_memdup(pdu->securityEngineID,
					     pdu->securityEngineIDLen);
	if (s->securityEngineID == NULL) {
		snmp__poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	s->securityEngineIDLen = pdu->securityEngineIDLen;
	if (s->contextEngineIDLen == 0) {
		s->contextEngineID = netsnmp_memdup(pdu->securityEngineID,
						    pdu->securityEngineIDLen);
		if (s->contextEngineID)
			s->contextEngineIDLen = pdu->securityEngineIDLen;
	}
	if (usm_keys_take(d, s) < 0) {
		snmp__poll_fail(d, POLL_AUTH, "SNMPv3: cannot create user %s",
				d->prof->user);
		return;
	}
	if (d->need_discovery)
		snmp__discovery_start(d);
	else
		snmp__gets_start(d);
}

/* ---- discovery walk ------------------------------------------------- */

static struct snmp__row *row_get(struct sdev *d, uint32_t ifindex)
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
		struct snmp__row *nr = realloc(d->rows, ncap * sizeof(*nr));
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
	struct snmp__row *r = row_get(d, ifindex);
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
		snmp__text_copy(c == COL_DESCR ? r->descr
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
		snmp__poll_fail(d, POLL_ERROR, "out of memory");
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
static int walk_in_column(const struct snmp__walkcol *wc, int c,
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
	struct snmp__walkcol *wc;
	netsnmp_variable_list *vb;

	if (c == NCOLS) {
		iface_finish_discovery(d);
		return;
	}
	wc = &d->cols[c];
	d->walk_progress = 1; /* an answer in the column, or its end */
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

void snmp__discovery_start(struct sdev *d)
{
	d->state = DS_DISCOVER;
	d->walk_progress = 0;
	if (d->cols != NULL) {
		/* an earlier poll's walk ran out of time: go on from where
		 * each column stopped, with the rows found so far */
		log_debug("%s: resuming the discovery walk (%zu rows)",
			  d->dev->name, d->nrows);
		walk_send(d);
		return;
	}
	d->cols = calloc(NCOLS, sizeof(*d->cols));
	if (d->cols == NULL) {
		snmp__poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	d->nrows = 0;
	d->max_rep = d->prof->max_repetitions > 0 ? d->prof->max_repetitions
						  : 20;
	for (int c = 0; c < NCOLS; c++) {
		memcpy(d->cols[c].last, COL_OIDS[c],
		       COL_LENS[c] * sizeof(oid));
		d->cols[c].lastlen = COL_LENS[c];
		d->cols[c].done = !col_walked(c, d->prof->version);
		d->cols[c].nrows = 0;
	}
	walk_send(d);
}

static double row_speed_mbps(const struct snmp__row *r)
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
			snmp__poll_fail(d, POLL_ERROR, "out of memory");
			return;
		}
	}
	for (size_t i = 0; i < d->nrows; i++) {
		const struct snmp__row *r = &d->rows[i];
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
	snmp__gets_start(d);
}

/* ---- polling GETs without the fast path ----------------------------- */

void snmp__session_gets_send(struct sdev *d)
{
	netsnmp_pdu *pdu;
	size_t n = 0;

	pdu = snmp_pdu_create(SNMP_MSG_GET);
	if (pdu == NULL) {
		snmp__poll_fail(d, POLL_ERROR, "out of memory");
		return;
	}
	for (size_t i = d->next; i < d->nreqs && n < (size_t)d->max_vb; i++) {
		uint32_t arcs[SNMP__REQ_OID_MAX];
		oid name[SNMP__REQ_OID_MAX];
		int k = snmp_ber_oid_decode(d->reqs[i].enc, d->reqs[i].len,
					    arcs, SNMP__REQ_OID_MAX);

		for (int j = 0; j < k; j++)
			name[j] = arcs[j];
		snmp_add_null_var(pdu, name, (size_t)(k > 0 ? k : 0));
		n++;
	}
	d->chunk_len = n;
	send_pdu(d, pdu);
}

static void gets_response(struct sdev *d, netsnmp_pdu *pdu)
{
	netsnmp_variable_list *vb = pdu->variables;
	double t = snmp__now();

	for (size_t k = 0; k < d->chunk_len && vb; k++, vb = vb->next_variable) {
		struct snmp__answer a;

		a.type = vb->type;
		a.has_uint = vb_uint(vb, &a.uint) == 0;
		a.text = vb->val.string;
		a.text_len = vb->type == ASN_OCTET_STR ? vb->val_len : 0;
		snmp__req_store(&d->reqs[d->next + k], &a, t);
	}
	snmp__gets_advance(d);
}

/* Forgets what the walk of column c stored: an optional column the agent
 * refused half-way is dropped as a whole, so every row is keyed and named
 * the same way. */
static void walk_drop(struct sdev *d, int c)
{
	for (size_t i = 0; i < d->nrows; i++) {
		struct snmp__row *r = &d->rows[i];

		switch (c) {
		case COL_NAME: r->name[0] = '\0'; break;
		case COL_ALIAS: r->alias[0] = '\0'; break;
		case COL_HCIN: r->has_hc = 0; break;
		case COL_HIGHSPEED: r->has_highspeed = 0; break;
		default: break;
		}
	}
}

/* An error-status in answer to a walk request: a smaller GETBULK on
 * tooBig, v1's end of the MIB view on noSuchName, the end of an optional
 * column on any other error; else the poll fails. */
static void walk_error(struct sdev *d, long errstat, long errindex)
{
	int c = walk_current(d);

	if (errstat == SNMP_ERR_TOOBIG && d->max_rep > 1) {
		d->max_rep /= 2;
		walk_send(d);
		return;
	}
	if (errstat != SNMP_ERR_NOSUCHNAME && !col_optional(c)) {
		/* the next poll walks afresh, not into the same error */
		free(d->cols);
		d->cols = NULL;
		snmp__poll_fail(d, POLL_ERROR,
				"the agent answered error-status %s (%ld, "
				"varbind %ld) walking the IF-MIB",
				snmp__errstat_string(errstat), errstat,
				errindex);
		return;
	}
	if (errstat != SNMP_ERR_NOSUCHNAME) {
		log_debug("%s: %s walking optional column %d, dropped",
			  d->dev->name, snmp__errstat_string(errstat), c);
		walk_drop(d, c);
	}
	/* noSuchName is v1's end of the MIB view: this column is over */
	d->cols[c].done = 1;
	d->walk_progress = 1;
	if (walk_current(d) < NCOLS)
		walk_send(d);
	else
		iface_finish_discovery(d);
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
		d->latency_ms = (snmp__now() - d->t_start) * 1000.0;
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		snmp__poll_no_answer(d);
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
		snmp__poll_fail(d, POLL_AUTH,
				"SNMPv3 authentication failed for user %s (%s)",
				d->prof->user,
				snmp_api_errstring(snmp_sess_session(d->ss)
						     ->s_snmp_errno));
		return 1;
	}
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || pdu == NULL) {
		snmp__poll_fail(d, POLL_ERROR, "request failed (op %d)", op);
		return 1;
	}
	if (pdu->command == SNMP_MSG_REPORT) {
		int rt = snmpv3_get_report_type(pdu);

		if (d->state == DS_ENGINE &&
		    rt == SNMPERR_UNKNOWN_ENG_ID) {
			engine_learned(d, pdu);
			return 1;
		}
		snmp__poll_fail(d, POLL_AUTH, "SNMPv3 report: %s",
				snmp_api_errstring(rt));
		return 1;
	}
	if (d->state == DS_ENGINE) {
		engine_learned(d, pdu);
		return 1;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR) {
		if (d->state == DS_DISCOVER)
			walk_error(d, pdu->errstat, pdu->errindex);
		else
			snmp__gets_error(d, pdu->errstat, pdu->errindex);
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
	if (p->closing)
		snmp__probe_unref(p);
}

/* v1/v2c sessions are closed between polls: tens of thousands of devices
 * would otherwise hold a socket each (file descriptors, ephemeral ports).
 * A v3 session keeps its engine discovery, so it stays open. Called only
 * where net-snmp is not on the stack: closing a session from inside its
 * own callback would free what net-snmp still uses. */
void snmp__session_release(struct sdev *d)
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
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	int reqid = d->reqid;
	ssize_t n = -1;

	(void)events;
	if (d->ss == NULL)
		return;
	if (status < 0) {
		log_warnx("%s: socket error: %s", d->dev->name,
			  uv_strerror(status));
		return;
	}
	/* net-snmp drops what it cannot match without a word: look at the
	 * datagram first, to say what it was if the request stays
	 * unanswered (v1/v2c only: snmp_ber.c does not decode v3) */
	if (d->prof->version != SNMP_V3)
		n = recvfrom(d->fd, p->fds->peek, sizeof(p->fds->peek),
			     MSG_PEEK | MSG_DONTWAIT, (struct sockaddr *)&from,
			     &fromlen);
	usm_keys_put(d); /* (a failure shows as failed authentication) */
	netsnmp_large_fd_set_resize(&p->fds->set, d->fd + 1);
	NETSNMP_LARGE_FD_SET(d->fd, &p->fds->set);
	snmp_sess_read2(d->ss, &p->fds->set);
	NETSNMP_LARGE_FD_CLR(d->fd, &p->fds->set);
	if (n >= 0 && d->state != DS_IDLE && reqid != 0 && d->reqid == reqid)
		snmp__fast_stray(d, p->fds->peek, (size_t)n,
				 (struct sockaddr *)&from);
	rearm_timer(d);
	snmp__session_release(d);
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
			snmp__gets_send(d);
		snmp__session_release(d);
		return;
	}
	usm_keys_put(d); /* a v3 retransmission is signed anew */
	snmp_sess_timeout(d->ss); /* retransmits, or calls back TIMED_OUT */
	rearm_timer(d);
	snmp__session_release(d);
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

/* RFC 3414 A.2's Ku (a million bytes hashed) of a passphrase, kept for
 * the last few (auth protocol, passphrase) pairs: a v3 trap localizes its
 * profile's keys for the sender's engine each time (snmp__usm_install),
 * and that must not cost milliseconds of loop time per trap. Localizing
 * (Kul from Ku and the engine ID) is one short hash. */
#define KU_CACHE 16

struct ku_entry {
	enum snmp_auth auth;
	char pass[CFG_SECRET_MAX];
	u_char ku[USM_AUTH_KU_LEN];
	size_t kulen;
};

static struct ku_entry ku_cache[KU_CACHE];
static size_t ku_next;

static int ku_get(enum snmp_auth a, const oid *ap, size_t alen,
		  const char *pass, u_char *out, size_t *outlen)
{
	struct ku_entry *e;

	for (size_t i = 0; i < KU_CACHE; i++) {
		e = &ku_cache[i];
		if (e->kulen > 0 && e->auth == a && e->kulen <= *outlen &&
		    strcmp(e->pass, pass) == 0) {
			memcpy(out, e->ku, e->kulen);
			*outlen = e->kulen;
			return 0;
		}
	}
	if (generate_Ku(ap, (u_int)alen, (const u_char *)pass, strlen(pass),
			out, outlen) != SNMPERR_SUCCESS)
		return -EINVAL;
	e = &ku_cache[ku_next++ % KU_CACHE];
	if (*outlen <= sizeof(e->ku) && strlen(pass) < sizeof(e->pass)) {
		e->auth = a;
		snprintf(e->pass, sizeof(e->pass), "%s", pass);
		memcpy(e->ku, out, *outlen);
		e->kulen = *outlen;
	}
	return 0;
}

/* Turns an open session into an SNMPv3 USM session. net-snmp's own
 * snmp_sess_open() would discover the engineID with a synchronous probe
 * (blocking the loop for timeout x retries on a dead agent), so sessions
 * are opened as v2c and switched here; discovery is snmp__engine_probe().
 * Strings are allocated because snmp_sess_close() frees them. */
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
	if (ku_get(pr->auth, ap, alen, pr->auth_pass, s->securityAuthKey,
		   &s->securityAuthKeyLen) < 0)
		return -EINVAL;
	if (pr->level != SEC_AUTHPRIV)
		return 0;
	free(s->securityPrivProto);
	s->securityPrivProto = snmp_duplicate_objid(pp, plen);
	if (s->securityPrivProto == NULL)
		return -ENOMEM;
	s->securityPrivProtoLen = plen;
	s->securityPrivKeyLen = USM_PRIV_KU_LEN;
	if (ku_get(pr->auth, ap, alen, pr->priv_pass, s->securityPrivKey,
		   &s->securityPrivKeyLen) < 0)
		return -EINVAL;
	return 0;
}

int snmp__usm_install(const struct snmp_profile *pr,
		      const unsigned char *engine_id, size_t engine_len)
{
	netsnmp_session s;
	struct usmUser *u;
	int rc;

	if (pr == NULL || pr->version != SNMP_V3 || engine_len == 0)
		return -EINVAL;
	snmp__session_lib_init();
	snmp_sess_init(&s);
	rc = v3_setup(&s, pr);
	if (rc == 0) {
		s.securityEngineID = (u_char *)unconst((const char *)engine_id);
		s.securityEngineIDLen = engine_len;
		u = usm_get_user(s.securityEngineID, engine_len,
				 s.securityName);
		if (u != NULL) {
			usm_remove_user(u);
			usm_free_user(u);
		}
		s.flags &= ~SNMP_FLAGS_USER_CREATED;
		if (create_user_from_session(&s) != SNMPERR_SUCCESS)
			rc = -EINVAL;
	}
	free(s.securityName);
	free(s.contextName);
	free(s.securityAuthProto);
	free(s.securityPrivProto);
	return rc;
}

int snmp__session_open(struct sdev *d)
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


/* ---- lifecycle ------------------------------------------------------ */

int snmp__session_needs_engine(const struct sdev *d)
{
	return snmp_sess_session(d->ss)->securityEngineIDLen == 0;
}

int snmp__session_probe_init(struct snmp_probe *p)
{
	p->fds = calloc(1, sizeof(*p->fds));
	if (p->fds == NULL)
		return -ENOMEM;
	netsnmp_large_fd_set_init(&p->fds->set, FD_SETSIZE);
	return 0;
}

void snmp__session_probe_cleanup(struct snmp_probe *p)
{
	if (p->fds == NULL)
		return;
	netsnmp_large_fd_set_cleanup(&p->fds->set);
	free(p->fds);
	p->fds = NULL;
}

void snmp__session_dev_init(struct sdev *d)
{
	d->fd = -1;
	uv_timer_init(d->p->loop, &d->timer);
	d->timer.data = d;
	d->handles |= 2;
}

static void on_handle_closed(uv_handle_t *h)
{
	snmp__probe_unref(((struct sdev *)h->data)->p);
}

int snmp__session_close(struct sdev *d)
{
	int n = 0;

	if (d->poll_closing)
		n++; /* on_poll_closed counts it down */
	if (d->handles & 1) {
		uv_poll_stop(&d->poll);
		n++;
		uv_close((uv_handle_t *)&d->poll, on_handle_closed);
	}
	if (d->ss) {
		snmp_sess_close(d->ss);
		d->ss = NULL;
	}
	usm_free(d->usm);
	d->usm = NULL;
	if (d->handles & 2) {
		n++;
		uv_close((uv_handle_t *)&d->timer, on_handle_closed);
	}
	d->handles &= ~3;
	return n;
}
