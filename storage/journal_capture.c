/*
 * journal_capture.c - the per-interval records of [capture NAME] links in
 * the journal database (see journal.h, docs/storage.md).
 *
 * One row per interval in capture_intervals, unique by (link, start):
 * that index makes a range scan and the retention DELETE touch only the
 * rows they need. Counts
 * are plain columns, so `sqlite3 faults.db "SELECT sum(bytes) ..."` checks
 * a report by hand; the three top lists are one blob:
 *
 *   u8 format (1)
 *   varint nports,  then per port:   u8 ipproto, varint port,
 *                                    varint bytes, varint packets
 *   varint nlocal,  then per talker: u8 family (4|6), 4|16 address bytes,
 *                                    varint bytes, varint packets
 *   varint nremote, the same
 *
 * Varints are unsigned LEB128 (7 bits a byte, low group first), as in
 * protobuf. Ten local/remote IPv4 talkers and ten ports take about 250
 * bytes instead of the 2 700 of the fixed-size struct.
 * SPDX-License-Identifier: MIT
 */
#include "journal.h"
#include "journal_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_FORMAT 1
/* format byte, 3 counts, 32 entries of at most 1 + 16 + 10 + 10 bytes */
#define BLOB_MAX (1 + 3 * 2 + 3 * JOURNAL_CAPTURE_TOP_MAX * 37)

/* ---- blob ------------------------------------------------------------ */

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static size_t put_talkers(uint8_t *p, const struct journal_cap_talker *t,
			  size_t n)
{
	size_t o = put_varint(p, n);

	for (size_t i = 0; i < n; i++) {
		size_t alen = t[i].family == 6 ? 16 : 4;

		p[o++] = t[i].family;
		memcpy(p + o, t[i].addr, alen);
		o += alen;
		o += put_varint(p + o, t[i].bytes);
		o += put_varint(p + o, t[i].packets);
	}
	return o;
}

/* Packs the three lists of v into p (BLOB_MAX bytes); returns the length. */
static size_t blob_encode(const struct journal_capiv *v, uint8_t *p)
{
	size_t o = 0;

	p[o++] = BLOB_FORMAT;
	o += put_varint(p + o, v->nports);
	for (size_t i = 0; i < v->nports; i++) {
		p[o++] = v->ports[i].ipproto;
		o += put_varint(p + o, v->ports[i].port);
		o += put_varint(p + o, v->ports[i].bytes);
		o += put_varint(p + o, v->ports[i].packets);
	}
	o += put_talkers(p + o, v->local, v->nlocal);
	o += put_talkers(p + o, v->remote, v->nremote);
	return o;
}

struct rd {
	const uint8_t *p;
	size_t len, off;
	int bad;
};

static uint64_t get_varint(struct rd *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (r->off >= r->len)
			break;
		b = r->p[r->off++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return v;
	}
	r->bad = 1;
	return 0;
}

static uint8_t get_u8(struct rd *r)
{
	if (r->off >= r->len) {
		r->bad = 1;
		return 0;
	}
	return r->p[r->off++];
}

static size_t get_count(struct rd *r)
{
	uint64_t n = get_varint(r);

	if (n > JOURNAL_CAPTURE_TOP_MAX) {
		r->bad = 1;
		return 0;
	}
	return (size_t)n;
}

static size_t get_talkers(struct rd *r, struct journal_cap_talker *t)
{
	size_t n = get_count(r);

	for (size_t i = 0; i < n && !r->bad; i++) {
		size_t alen;

		memset(&t[i], 0, sizeof(t[i]));
		t[i].family = get_u8(r);
		if (t[i].family != 4 && t[i].family != 6) {
			r->bad = 1;
			break;
		}
		alen = t[i].family == 6 ? 16 : 4;
		if (r->len - r->off < alen) {
			r->bad = 1;
			break;
		}
		memcpy(t[i].addr, r->p + r->off, alen);
		r->off += alen;
		t[i].bytes = get_varint(r);
		t[i].packets = get_varint(r);
	}
	return r->bad ? 0 : n;
}

/* Unpacks a blob into v's lists. Returns 0, or the offset + 1 of the
 * first byte that does not fit the format. */
static size_t blob_decode(const uint8_t *p, size_t len,
			  struct journal_capiv *v)
{
	struct rd r = {p, len, 0, 0};

	if (get_u8(&r) != BLOB_FORMAT)
		return 1;
	v->nports = get_count(&r);
	for (size_t i = 0; i < v->nports && !r.bad; i++) {
		uint64_t port;

		v->ports[i].ipproto = get_u8(&r);
		port = get_varint(&r);
		r.bad |= port > 65535;
		v->ports[i].port = (uint16_t)port;
		v->ports[i].bytes = get_varint(&r);
		v->ports[i].packets = get_varint(&r);
	}
	if (!r.bad)
		v->nlocal = get_talkers(&r, v->local);
	if (!r.bad)
		v->nremote = get_talkers(&r, v->remote);
	if (!r.bad && r.off != len)
		r.bad = 1; /* trailing bytes: not our format */
	if (r.bad) {
		v->nports = v->nlocal = v->nremote = 0;
		return r.off + 1;
	}
	return 0;
}

/* ---- writing ----------------------------------------------------------- */

static int valid_talkers(const struct journal_cap_talker *t, size_t n)
{
	if (n > JOURNAL_CAPTURE_TOP_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t[i].family != 4 && t[i].family != 6)
			return 0;
	return 1;
}

static int iv_validate(const struct journal_capiv *v, char *err,
		       size_t errlen)
{
	if (v->link[0] == '\0' || v->device[0] == '\0' ||
	    memchr(v->link, '\0', sizeof(v->link)) == NULL ||
	    memchr(v->device, '\0', sizeof(v->device)) == NULL) {
		journal__seterr(err, errlen,
		       "journal: capture interval without a link or device "
		       "name");
		return -EINVAL;
	}
	if (!(v->length_s >= 1 && v->length_s <= JOURNAL_CAPTURE_LEN_MAX) ||
	    v->nports > JOURNAL_CAPTURE_TOP_MAX ||
	    !valid_talkers(v->local, v->nlocal) ||
	    !valid_talkers(v->remote, v->nremote)) {
		journal__seterr(err, errlen,
		       "journal: capture %s interval %lld: bad length or top "
		       "list",
		       v->link, (long long)v->start);
		return -EINVAL;
	}
	return 0;
}

static int row_link_id(void *arg, sqlite3_stmt *st, char *err,
		       size_t errlen)
{
	(void)err;
	(void)errlen;
	*(int64_t *)arg = sqlite3_column_int64(st, 0);
	return 0;
}

/* The id of capture link name (created, or its device updated). */
static int link_id(struct journal *j, const char *name, const char *device,
		   int64_t *ret_id, char *err, size_t errlen)
{
	int rc;

	rc = journal__query(j, "capture link",
			    "INSERT INTO capture_links (name, device)"
			    " VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE"
			    " SET device = ?2 WHERE device <> ?2",
			    JP_ARGS(JP_TEXT(name), JP_TEXT(device)), NULL,
			    NULL, err, errlen);
	if (rc == 0)
		rc = journal__query(j, "capture link",
				    "SELECT id FROM capture_links"
				    " WHERE name = ?",
				    JP_ARGS(JP_TEXT(name)), row_link_id,
				    ret_id, err, errlen);
	return rc;
}

static int insert_iv(struct journal *j, sqlite3_stmt *ins, int64_t link,
		     const struct journal_capiv *v, size_t *added, char *err,
		     size_t errlen)
{
	uint8_t blob[BLOB_MAX];
	size_t len = blob_encode(v, blob);
	int rc;

	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, link);
	sqlite3_bind_int64(ins, 2, v->start);
	sqlite3_bind_double(ins, 3, v->length_s);
	sqlite3_bind_int64(ins, 4, (sqlite3_int64)v->records);
	sqlite3_bind_int64(ins, 5, (sqlite3_int64)v->packets);
	sqlite3_bind_int64(ins, 6, (sqlite3_int64)v->bytes);
	sqlite3_bind_int64(ins, 7, (sqlite3_int64)v->in_bytes);
	sqlite3_bind_int64(ins, 8, (sqlite3_int64)v->out_bytes);
	if (v->stats_valid) {
		sqlite3_bind_int64(ins, 9, (sqlite3_int64)v->drops);
		sqlite3_bind_int64(ins, 10, (sqlite3_int64)v->ifdrops);
	} else {
		sqlite3_bind_null(ins, 9);
		sqlite3_bind_null(ins, 10);
	}
	sqlite3_bind_blob(ins, 11, blob, (int)len, SQLITE_TRANSIENT);
	rc = sqlite3_step(ins);
	if (rc != SQLITE_DONE)
		return journal__dberr(j, rc, "insert capture interval", err,
				      errlen);
	*added += (size_t)sqlite3_changes(journal__db(j));
	return 0;
}

/* Deletes link's rows older than its newest minus keep_s. */
static int prune(struct journal *j, int64_t link, double keep_s, char *err,
		 size_t errlen)
{
	return journal__query(
		j, "prune capture intervals",
		"DELETE FROM capture_intervals WHERE link = ?1 AND start <"
		" (SELECT max(start) FROM capture_intervals WHERE link = ?1)"
		" - ?2",
		JP_ARGS(JP_INT(link), JP_REAL(keep_s)), NULL, NULL, err,
		errlen);
}

/* Links touched by one call (few: one per capture). */
struct seen {
	int64_t id;
	char name[JOURNAL_CAPTURE_NAME_MAX];
	char device[JOURNAL_CAPTURE_NAME_MAX];
};

static int put_all(struct journal *j, const struct journal_capiv *v,
		   size_t n, double keep_s, size_t *added, char *err,
		   size_t errlen)
{
	struct seen *seen = calloc(n > 0 ? n : 1, sizeof(*seen));
	sqlite3_stmt *ins = NULL;
	size_t nseen = 0;
	int rc;

	if (seen == NULL) {
		journal__seterr(err, errlen, "journal: out of memory");
		return -ENOMEM;
	}
	rc = sqlite3_prepare_v2(journal__db(j),
				"INSERT OR IGNORE INTO capture_intervals (link,"
				" start, length, records, packets, bytes,"
				" in_bytes, out_bytes, drops, ifdrops, top)"
				" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				-1, &ins, NULL);
	rc = rc == SQLITE_OK ? 0 : journal__dberr(j, rc, "prepare", err,
						  errlen);
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t k;

		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k].name, v[i].link) == 0 &&
			    strcmp(seen[k].device, v[i].device) == 0)
				break;
		if (k == nseen) {
			snprintf(seen[k].name, sizeof(seen[k].name), "%s",
				 v[i].link);
			snprintf(seen[k].device, sizeof(seen[k].device), "%s",
				 v[i].device);
			rc = link_id(j, v[i].link, v[i].device, &seen[k].id,
				     err, errlen);
			nseen++;
		}
		if (rc == 0)
			rc = insert_iv(j, ins, seen[k].id, &v[i], added, err,
				       errlen);
	}
	sqlite3_finalize(ins);
	for (size_t k = 0; k < nseen && rc == 0 && keep_s > 0; k++)
		rc = prune(j, seen[k].id, keep_s, err, errlen);
	free(seen);
	return rc;
}

int journal_capture_put(struct journal *j, const struct journal_capiv *v,
			size_t n, double keep_s, size_t *ret_added, char *err,
			size_t errlen)
{
	size_t added = 0;
	int rc;

	if (ret_added != NULL)
		*ret_added = 0;
	for (size_t i = 0; i < n; i++) {
		rc = iv_validate(&v[i], err, errlen);
		if (rc < 0)
			return rc;
	}
	if (n == 0)
		return 0;
	rc = sqlite3_exec(journal__db(j), "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return journal__dberr(j, rc, "BEGIN IMMEDIATE", err, errlen);
	rc = put_all(j, v, n, keep_s, &added, err, errlen);
	if (rc == 0) {
		int src = sqlite3_exec(journal__db(j), "COMMIT", NULL, NULL,
				       NULL);

		if (src != SQLITE_OK)
			rc = journal__dberr(j, src, "COMMIT", err, errlen);
	}
	if (rc < 0) {
		sqlite3_exec(journal__db(j), "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (ret_added != NULL)
		*ret_added = added;
	return 0;
}

/* ---- reading ----------------------------------------------------------- */

static void row_iv(sqlite3_stmt *st, const char *link,
		   struct journal_capiv *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->link, sizeof(v->link), "%s", link);
	journal__col_text(st, 0, v->device, sizeof(v->device));
	v->start = sqlite3_column_int64(st, 1);
	v->length_s = sqlite3_column_double(st, 2);
	v->records = (uint64_t)sqlite3_column_int64(st, 3);
	v->packets = (uint64_t)sqlite3_column_int64(st, 4);
	v->bytes = (uint64_t)sqlite3_column_int64(st, 5);
	v->in_bytes = (uint64_t)sqlite3_column_int64(st, 6);
	v->out_bytes = (uint64_t)sqlite3_column_int64(st, 7);
	v->stats_valid = sqlite3_column_type(st, 8) != SQLITE_NULL;
	v->drops = (uint64_t)sqlite3_column_int64(st, 8);
	v->ifdrops = (uint64_t)sqlite3_column_int64(st, 9);
}

/* Row callback state of journal_capture_scan. */
struct scan {
	const char *link;
	struct journal_capiv v;
	journal_capiv_cb cb;
	void *arg;
};

static int row_scan(void *arg, sqlite3_stmt *st, char *err, size_t errlen)
{
	struct scan *sc = arg;
	size_t bad;

	row_iv(st, sc->link, &sc->v);
	bad = blob_decode(sqlite3_column_blob(st, 10),
			  (size_t)sqlite3_column_bytes(st, 10), &sc->v);
	if (bad != 0) {
		journal__seterr(err, errlen,
				"journal: capture %s interval %lld: top list "
				"damaged at byte %zu",
				sc->link, (long long)sc->v.start, bad - 1);
		return -EBADMSG;
	}
	return sc->cb(sc->arg, &sc->v);
}

int journal_capture_scan(struct journal *j, const char *link, double from_t,
			 double to_t, journal_capiv_cb cb, void *arg,
			 char *err, size_t errlen)
{
	struct scan *sc = malloc(sizeof(*sc));
	int rc;

	if (sc == NULL) {
		journal__seterr(err, errlen, "journal: out of memory");
		return -ENOMEM;
	}
	sc->link = link;
	sc->cb = cb;
	sc->arg = arg;
	/* the primary key bounds the scan; the overlap test drops the
	 * interval that ends before from_t */
	rc = journal__query(
		j, "capture scan",
		"SELECT l.device, c.start, c.length, c.records, c.packets,"
		" c.bytes, c.in_bytes, c.out_bytes, c.drops, c.ifdrops, c.top"
		" FROM capture_intervals c JOIN capture_links l"
		" ON l.id = c.link WHERE l.name = ?1 AND c.start > ?2 - ?4"
		" AND c.start < ?3 AND c.start + c.length > ?2"
		" ORDER BY c.start",
		JP_ARGS(JP_TEXT(link), JP_REAL(from_t), JP_REAL(to_t),
			JP_INT(JOURNAL_CAPTURE_LEN_MAX)),
		row_scan, sc, err, errlen);
	free(sc);
	return rc;
}
