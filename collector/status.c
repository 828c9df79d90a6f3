/*
 * status.c - the live status snapshot: built from a struct status_source
 * (the daemon's state, or a test's) and written atomically.
 * SPDX-License-Identifier: MIT
 */
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* ---- the links' text, kept between snapshots ------------------------ */

/* What one link's entry is made of (besides the device's configuration):
 * when none of it changed, the entry's text is the same. */
struct link_key {
	char ifname[128];
	double in_bps, out_bps, speed_mbps, t;
};

struct dev_links {
	struct link_key *keys;
	size_t n;
	char *text; /* the entries, indented for depth 2, ",\n" between */
	size_t len;
	bool valid;
};

struct status_cache {
	const struct config *cfg; /* the entries are of this configuration */
	struct dev_links *d;
	size_t n;
	char *text; /* every entry of the last snapshot */
	size_t len, cap;
	bool used;  /* the last snapshot left "links" for the cache */
};

struct status_cache *status_cache_new(void)
{
	return calloc(1, sizeof(struct status_cache));
}

static void cache_reset(struct status_cache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->d[i].keys);
		free(c->d[i].text);
	}
	free(c->d);
	c->d = NULL;
	c->n = 0;
	c->cfg = NULL;
}

void status_cache_free(struct status_cache *c)
{
	if (c == NULL)
		return;
	cache_reset(c);
	free(c->text);
	free(c);
}

static int cache_append(char **buf, size_t *len, size_t *cap, const char *s,
			size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap : 4096;
		char *b;

		while (nc < *len + n + 1)
			nc *= 2;
		b = realloc(*buf, nc);
		if (b == NULL)
			return -ENOMEM;
		*buf = b;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* The text of the status document: the tree, with the cache's links in
 * place of the empty "links" array the snapshot left (the same bytes
 * json_dumps would give for the whole tree). */
static char *status_text(const json_t *snap, const struct status_cache *c)
{
	static const char mark[] = "\n \"links\": []";
	char *text = json_dumps(snap, JSON_INDENT(1) | JSON_SORT_KEYS);
	char *at, *out = NULL;
	size_t len = 0, cap = 0, head;

	if (text == NULL || c == NULL || !c->used || c->len == 0)
		return text;
	at = strstr(text, mark);
	if (at == NULL)
		return text; /* cannot happen: the snapshot sets "links" */
	head = (size_t)(at - text) + sizeof(mark) - 3; /* at the "[]" */
	if (cache_append(&out, &len, &cap, text, head) < 0 ||
	    cache_append(&out, &len, &cap, "[\n", 2) < 0 ||
	    cache_append(&out, &len, &cap, c->text, c->len) < 0 ||
	    cache_append(&out, &len, &cap, "\n ]", 3) < 0 ||
	    cache_append(&out, &len, &cap, text + head + 2,
			 strlen(text + head + 2)) < 0) {
		free(out);
		free(text);
		return NULL;
	}
	free(text);
	return out;
}

int status_write(const char *path, const json_t *snap, char *err,
		 size_t errlen)
{
	return status_write_cached(path, snap, NULL, err, errlen);
}

int status_write_cached(const char *path, const json_t *snap,
			const struct status_cache *cache, char *err,
			size_t errlen)
{
	char tmp[4200];
	char *text = status_text(snap, cache);
	size_t len, off = 0;
	int fd, rc = 0;

	if (text == NULL) {
		snprintf(err, errlen, "%s: cannot serialise status", path);
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* 0640: the operators (group slamon) read it, nobody else */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(text);
		return rc;
	}
	(void)fchmod(fd, 0640); /* a .tmp left by an older version */
	len = strlen(text);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	free(text);
	if (rc == 0 && fsync(fd) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
	}
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: rename: %s", path, strerror(errno));
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}


/* ---- the snapshot ---------------------------------------------------- */

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *device_entry(const struct device *dev,
			    const struct status_device *sd, double since,
			    int64_t fault)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:f, s:s, s:I}",
			 "device", dev->name, "unit", dev->unit, "role",
			 role_name(dev->role), "address", dev->host, "port",
			 (int)dev->port, "state", obj_state_name(sd->state),
			 "since", since, "error", sd->error, "fault",
			 (json_int_t)fault);
}

/* What a link's utilisation is measured against, as the alerts util rule
 * (alerts/engine.c) and the SLA (sla/eval.c) measure it: the contracted
 * capacity of the inventory first, else the interface speed. *ret_basis:
 * "capacity", "speed", or NULL when neither is known (returns 0). */
static double util_base(const struct device *dev, const struct status_link *l,
			const char **ret_basis)
{
	*ret_basis = NULL;
	if (dev->capacity_mbps > 0) {
		*ret_basis = "capacity";
		return dev->capacity_mbps;
	}
	if (l->speed_mbps > 0) {
		*ret_basis = "speed";
		return l->speed_mbps;
	}
	return 0;
}

/* The monitored links of device i with their utilisation (util_base). */
static void add_links(const struct status_source *src, size_t i,
		      json_t *links)
{
	const struct device *dev = &src->cfg->devices[i];
	struct status_link l;

	for (size_t k = 0; src->link(src->arg, i, k, &l) == 0; k++) {
		const char *basis;
		double base = util_base(dev, &l, &basis);
		double speed = l.speed_mbps > 0 ? l.speed_mbps
						: dev->capacity_mbps;
		double cap_bps = base * 1e6;
		json_t *e = json_pack(
			"{s:s, s:s, s:s, s:s, s:f, s:f, s:o, s:o, s:o, s:o, "
			"s:f}",
			"device", dev->name, "unit", dev->unit, "role",
			role_name(dev->role), "interface", l.ifname,
			"speed_mbps", speed, "capacity_mbps",
			dev->capacity_mbps, "in_bps", jnum(l.in_bps),
			"out_bps", jnum(l.out_bps), "util_in",
			jnum(cap_bps > 0 ? l.in_bps / cap_bps : NAN),
			"util_out",
			jnum(cap_bps > 0 ? l.out_bps / cap_bps : NAN), "t",
			l.t);

		if (e == NULL)
			continue;
		json_object_set_new(e, "util_base_mbps",
				    base > 0 ? json_real(base) : json_null());
		json_object_set_new(e, "util_basis",
				    basis ? json_string(basis) : json_null());
		json_array_append_new(links, e);
	}
}

/* Starts a snapshot's links in the cache: the entries of another
 * configuration are forgotten. */
static int cache_begin(const struct status_source *src)
{
	struct status_cache *c = src->cache;

	if (c->cfg != src->cfg || c->n != src->cfg->ndevices) {
		cache_reset(c);
		if (src->cfg->ndevices > 0) {
			c->d = calloc(src->cfg->ndevices, sizeof(*c->d));
			if (c->d == NULL)
				return -ENOMEM;
		}
		c->n = src->cfg->ndevices;
		c->cfg = src->cfg;
	}
	c->len = 0;
	if (c->text != NULL)
		c->text[0] = '\0';
	c->used = true;
	return 0;
}

static bool key_same(const struct link_key *k, const struct status_link *l)
{
	/* bitwise: NAN is the same as NAN */
	return memcmp(&k->in_bps, &l->in_bps, sizeof(double)) == 0 &&
	       memcmp(&k->out_bps, &l->out_bps, sizeof(double)) == 0 &&
	       memcmp(&k->speed_mbps, &l->speed_mbps, sizeof(double)) == 0 &&
	       memcmp(&k->t, &l->t, sizeof(double)) == 0 &&
	       strcmp(k->ifname, l->ifname) == 0;
}

/* ---- link entries written by hand, byte for byte as jansson would ---- */

/* A strict UTF-8 check, as jansson's (json_string refuses the others). */
static bool utf8_ok(const unsigned char *s)
{
	while (*s != '\0') {
		unsigned c = *s, n, cp;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (unsigned k = 1; k <= n; k++) {
			if ((s[k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		s += n + 1;
	}
	return true;
}

/* A JSON string as json_dumps writes it (no JSON_ENSURE_ASCII). */
static int put_str(char **b, size_t *len, size_t *cap, const char *s)
{
	int rc = cache_append(b, len, cap, "\"", 1);

	for (const char *p = s; rc == 0 && *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[8];
		const char *e = NULL;
		size_t run = strcspn(p, "\"\\\x01\x02\x03\x04\x05\x06\x07\x08"
				     "\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13"
				     "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
				     "\x1e\x1f");

		if (run > 0) { /* the plain bytes up to the next escape */
			rc = cache_append(b, len, cap, p, run);
			p += run - 1;
			continue;
		}

		switch (c) {
		case '\\': e = "\\\\"; break;
		case '"': e = "\\\""; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04X", c);
				e = esc;
			}
		}
		rc = e != NULL ? cache_append(b, len, cap, e, strlen(e))
			       : cache_append(b, len, cap, p, 1);
	}
	return rc == 0 ? cache_append(b, len, cap, "\"", 1) : rc;
}

/* A real as jansson 2.x writes it: %.17g, ".0" when it has neither '.'
 * nor 'e', the exponent without '+' and leading zeros; null when not
 * finite (jnum). */
static int put_real(char **b, size_t *len, size_t *cap, double v)
{
	char buf[40], *e;
	int n;

	if (!isfinite(v))
		return cache_append(b, len, cap, "null", 4);
	n = snprintf(buf, sizeof(buf) - 3, "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof(buf) - 3)
		return -EINVAL;
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	e = strchr(buf, 'e');
	if (e != NULL) {
		char *start = e + 1, *end = e + 2;

		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, (size_t)n - (size_t)(end - buf) + 1);
			n -= (int)(end - start);
		}
	}
	return cache_append(b, len, cap, buf, (size_t)n);
}

/* Device i's entries as links_render gives them, without building and
 * sorting a tree per link (the keys below are in sorted order). -EINVAL:
 * a name json_string would refuse or a value json_pack would (not
 * finite): links_render decides. */
static int links_render_fast(const struct status_source *src, size_t i,
			     struct dev_links *dl)
{
	const struct device *dev = &src->cfg->devices[i];
	struct status_link l;
	size_t len = 0, cap = 0, k;
	char *t = NULL;
	int rc = 0;

	if (!utf8_ok((const unsigned char *)dev->name) ||
	    !utf8_ok((const unsigned char *)dev->unit) ||
	    !isfinite(dev->capacity_mbps))
		return -EINVAL;
	for (k = 0; rc == 0 && src->link(src->arg, i, k, &l) == 0; k++) {
		const char *basis;
		double base = util_base(dev, &l, &basis);
		double speed = l.speed_mbps > 0 ? l.speed_mbps
						: dev->capacity_mbps;
		double cap_bps = base * 1e6;

		if (!utf8_ok((const unsigned char *)l.ifname) ||
		    !isfinite(speed) || !isfinite(l.t)) {
			rc = -EINVAL;
			break;
		}
#define LIT(s) cache_append(&t, &len, &cap, s, sizeof(s) - 1)
		rc = k > 0 ? LIT(",\n") : 0;
		if (rc == 0)
			rc = LIT("  {\n   \"capacity_mbps\": ");
		if (rc == 0)
			rc = put_real(&t, &len, &cap, dev->capacity_mbps);
		if (rc == 0)
			rc = LIT(",\n   \"device\": ");
		if (rc == 0)
			rc = put_str(&t, &len, &cap, dev->name);
		if (rc == 0)
			rc = LIT(",\n   \"in_bps\": ");
		if (rc == 0)
			rc = put_real(&t, &len, &cap, l.in_bps);
		if (rc == 0)
			rc = LIT(",\n   \"interface\": ");
		if (rc == 0)
			rc = put_str(&t, &len, &cap, l.ifname);
		if (rc == 0)
			rc = LIT(",\n   \"out_bps\": ");
		if (rc == 0)
			rc = put_real(&t, &len, &cap, l.out_bps);
		if (rc == 0)
			rc = LIT(",\n   \"role\": ");
		if (rc == 0)
			rc = put_str(&t, &len, &cap, role_name(dev->role));
		if (rc == 0)
			rc = LIT(",\n   \"speed_mbps\": ");
		if (rc == 0)
			rc = put_real(&t, &len, &cap, speed);
		if (rc == 0)
			rc = LIT(",\n   \"t\": ");
		if (rc == 0)
			rc = put_real(&t, &len, &cap, l.t);
		if (rc == 0)
			rc = LIT(",\n   \"unit\": ");
		if (rc == 0)
			rc = put_str(&t, &len, &cap, dev->unit);
		if (rc == 0)
			rc = LIT(",\n   \"util_base_mbps\": ");
		if (rc == 0)
			rc = put_real(&t, &len, &cap, base > 0 ? base : NAN);
		if (rc == 0)
			rc = LIT(",\n   \"util_basis\": ");
		if (rc == 0)
			rc = basis ? put_str(&t, &len, &cap, basis)
				   : LIT("null");
		if (rc == 0)
			rc = LIT(",\n   \"util_in\": ");
		if (rc == 0)
			rc = put_real(&t, &len, &cap,
				      cap_bps > 0 ? l.in_bps / cap_bps : NAN);
		if (rc == 0)
			rc = LIT(",\n   \"util_out\": ");
		if (rc == 0)
			rc = put_real(&t, &len, &cap,
				      cap_bps > 0 ? l.out_bps / cap_bps : NAN);
		if (rc == 0)
			rc = LIT("\n  }");
#undef LIT
	}
	if (rc == 0 && k != dl->n)
		rc = -EAGAIN; /* a link answered differently: not cached */
	if (rc < 0) {
		free(t);
		return rc;
	}
	free(dl->text);
	dl->text = t;
	dl->len = len;
	dl->valid = true;
	return 0;
}

/* Renders device i's entries as add_links would, each dumped alone and
 * indented two levels deeper (where the document's "links" holds them). */
static int links_render(const struct status_source *src, size_t i,
			struct dev_links *dl)
{
	json_t *arr = json_array();
	size_t len = 0, cap = 0, n;
	char *text = NULL;

	if (arr == NULL)
		return -ENOMEM;
	add_links(src, i, arr);
	n = json_array_size(arr);
	if (n != dl->n) {
		json_decref(arr);
		return -EAGAIN; /* a link answered differently: not cached */
	}
	for (size_t k = 0; k < n; k++) {
		char *e = json_dumps(json_array_get(arr, k),
				     JSON_INDENT(1) | JSON_SORT_KEYS);
		int rc = e == NULL ? -ENOMEM : 0;

		if (rc == 0 && k > 0)
			rc = cache_append(&text, &len, &cap, ",\n", 2);
		if (rc == 0)
			rc = cache_append(&text, &len, &cap, "  ", 2);
		for (const char *p = e; rc == 0 && *p != '\0';) {
			const char *nl = strchr(p, '\n');
			size_t m = nl ? (size_t)(nl - p) + 1 : strlen(p);

			rc = cache_append(&text, &len, &cap, p, m);
			if (rc == 0 && nl != NULL)
				rc = cache_append(&text, &len, &cap, "  ", 2);
			p += m;
		}
		free(e);
		if (rc < 0) {
			free(text);
			json_decref(arr);
			return rc;
		}
	}
	json_decref(arr);
	free(dl->text);
	dl->text = text;
	dl->len = len;
	dl->valid = true;
	return 0;
}

/* Device i's links into the cache's text: its entries as they were when
 * nothing they are made of changed, rendered again otherwise. */
static void cache_links(const struct status_source *src, size_t i)
{
	struct status_cache *c = src->cache;
	struct dev_links *dl = &c->d[i];
	struct status_link l;
	size_t k;
	bool same = dl->valid;

	for (k = 0; src->link(src->arg, i, k, &l) == 0; k++) {
		if (k >= dl->n) {
			struct link_key *nk = realloc(dl->keys,
						      (k + 1) * sizeof(*nk));

			if (nk == NULL) {
				dl->valid = false;
				c->used = false; /* the snapshot fails */
				return;
			}
			dl->keys = nk;
			dl->n = k + 1;
			same = false;
		}
		if (same && key_same(&dl->keys[k], &l))
			continue;
		same = false;
		snprintf(dl->keys[k].ifname, sizeof(dl->keys[k].ifname), "%s",
			 l.ifname);
		dl->keys[k].in_bps = l.in_bps;
		dl->keys[k].out_bps = l.out_bps;
		dl->keys[k].speed_mbps = l.speed_mbps;
		dl->keys[k].t = l.t;
	}
	if (k != dl->n) {
		dl->n = k;
		same = false;
	}
	if (!same) {
		dl->valid = false;
		if (links_render_fast(src, i, dl) < 0 &&
		    links_render(src, i, dl) < 0) {
			c->used = false;
			return;
		}
		/* a name the key cannot hold whole is never the same */
		for (k = 0; k < dl->n; k++)
			if (strlen(dl->keys[k].ifname) >=
			    sizeof(dl->keys[k].ifname) - 1)
				dl->valid = false;
	}
	if (dl->len == 0)
		return;
	if ((c->len > 0 && cache_append(&c->text, &c->len, &c->cap, ",\n",
					2) < 0) ||
	    cache_append(&c->text, &c->len, &c->cap, dl->text, dl->len) < 0)
		c->used = false;
}

static json_t *role_counts(uint64_t counts[ROLE_COUNT][OBJ_STATE_COUNT])
{
	json_t *roles = json_object();

	for (int r = 0; r < ROLE_COUNT && roles != NULL; r++) {
		uint64_t total = 0;

		for (int k = 0; k < OBJ_STATE_COUNT; k++)
			total += counts[r][k];
		if (total == 0)
			continue;
		json_object_set_new(roles, role_name(r), json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I}", "total",
			(json_int_t)total, "up", (json_int_t)counts[r][OBJ_UP],
			"down", (json_int_t)counts[r][OBJ_DOWN], "unreachable",
			(json_int_t)counts[r][OBJ_UNREACHABLE], "maintenance",
			(json_int_t)counts[r][OBJ_MAINT], "unknown",
			(json_int_t)counts[r][OBJ_UNKNOWN]));
	}
	return roles;
}

#define LOSSY_MAX 50 /* answering ICMP devices listed with their loss */

/* The ICMP devices: how many answer, their RTT and loss, the answering
 * ones that lose echoes, and the sweep's counters. */
struct icmp_sum {
	size_t n, up, nrtt, nloss;
	double rtt, loss;
	json_t *lossy;
};

static void icmp_add(struct icmp_sum *is, const struct device *dev,
		     const struct status_device *sd)
{
	is->n++;
	is->up += sd->state == OBJ_UP;
	if (isfinite(sd->rtt_ms)) {
		is->rtt += sd->rtt_ms;
		is->nrtt++;
	}
	/* the loss of the answering ones: a down device's 100 % is in its
	 * state already */
	if (!isfinite(sd->loss_pct) || sd->state != OBJ_UP)
		return;
	is->loss += sd->loss_pct;
	is->nloss++;
	if (sd->loss_pct > 0 &&
	    json_array_size(is->lossy) < LOSSY_MAX)
		json_array_append_new(is->lossy, json_pack(
			"{s:s, s:s, s:s, s:s, s:f, s:o}", "device", dev->name,
			"unit", dev->unit, "role", role_name(dev->role),
			"address", dev->host, "loss_pct", sd->loss_pct,
			"rtt_ms", jnum(sd->rtt_ms)));
}

static json_t *icmp_json(const struct status_source *src, struct icmp_sum *is)
{
	const struct icmp_sweep_stats *w = src->sweep;
	json_t *o = json_pack(
		"{s:I, s:I, s:o, s:o, s:o}", "devices", (json_int_t)is->n,
		"answering", (json_int_t)is->up, "rtt_avg_ms",
		jnum(is->nrtt ? is->rtt / is->nrtt : NAN), "loss_avg_pct",
		jnum(is->nloss ? is->loss / is->nloss : NAN), "lossy",
		is->lossy ? is->lossy : json_array());

	if (o != NULL && w != NULL)
		json_object_set_new(o, "sweep", json_pack(
			"{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "socket",
			w->raw ? "raw" : "ping", "sent", (json_int_t)w->sent,
			"received", (json_int_t)w->received, "late",
			(json_int_t)w->late, "stray", (json_int_t)w->stray,
			"send_errors", (json_int_t)w->send_errors, "active",
			(json_int_t)w->active));
	return o;
}

/* Per device: counts per role and state, the down/unreachable and
 * nodata lists, the links (add_devices' rule), the ICMP summary. */
static void add_devices(const struct status_source *src, json_t *root)
{
	struct icmp_sum is = { .lossy = json_array() };
	uint64_t counts[ROLE_COUNT][OBJ_STATE_COUNT];
	json_t *down = json_array(), *nodata = json_array();
	json_t *links = json_array();

	memset(counts, 0, sizeof(counts));
	if (src->cache != NULL && cache_begin(src) < 0) {
		json_decref(links);
		links = NULL; /* out of memory: the snapshot fails */
	}
	for (size_t i = 0; i < src->cfg->ndevices; i++) {
		const struct device *dev = &src->cfg->devices[i];
		struct status_device sd = { .error = "", .rtt_ms = NAN,
					    .loss_pct = NAN };
		json_t *e;

		src->device(src->arg, i, &sd);
		counts[dev->role][sd.state]++;
		if (sd.icmp)
			icmp_add(&is, dev, &sd);
		if (sd.state == OBJ_DOWN || sd.state == OBJ_UNREACHABLE) {
			e = device_entry(dev, &sd, sd.since, sd.fault);
			json_object_set_new(e, "flapping",
					    json_boolean(sd.flapping));
			json_object_set_new(e, "parent",
					    json_string(dev->parent));
			json_object_set_new(e, "probe",
					    json_string(sd.icmp ? "icmp"
								: "snmp"));
			if (sd.icmp)
				json_object_set_new(e, "loss_pct",
						    jnum(sd.loss_pct));
			json_array_append_new(down, e);
		}
		if (sd.nodata != 0)
			json_array_append_new(nodata,
					      device_entry(dev, &sd, sd.since,
							   sd.nodata));
		/* the links the NOC watches: backbone and exit, and every
		 * link with a contracted capacity (rules and SLA use it) */
		if (dev->role == ROLE_BACKBONE || dev->role == ROLE_EXIT ||
		    dev->capacity_mbps > 0) {
			if (src->cache != NULL)
				cache_links(src, i);
			else
				add_links(src, i, links);
		}
	}
	if (src->cache != NULL && !src->cache->used && links != NULL)
		for (size_t i = 0; i < src->cfg->ndevices; i++) {
			const struct device *dev = &src->cfg->devices[i];

			/* the cache ran out of memory: the whole tree */
			if (dev->role == ROLE_BACKBONE ||
			    dev->role == ROLE_EXIT || dev->capacity_mbps > 0)
				add_links(src, i, links);
		}
	json_object_set_new(root, "roles", role_counts(counts));
	json_object_set_new(root, "links", links);
	json_object_set_new(root, "down", down);
	json_object_set_new(root, "nodata", nodata);
	json_object_set_new(root, "icmp", icmp_json(src, &is));
}

static void add_stores(const struct status_source *src, json_t *root)
{
	json_t *disc = json_object(), *rrd = json_object();
	const struct capture_store_stats none = { 0 };
	const struct capture_store_stats *cs =
		src->records ? src->records : &none;

	for (int r = 0; r < DISCARD_COUNT && disc != NULL; r++)
		json_object_set_new(disc, discard_reason_name(r),
				    json_integer((json_int_t)src->discards[r]));
	if (src->rrd != NULL && rrd != NULL) {
		json_object_set_new(rrd, "written",
				    json_integer((json_int_t)src->rrd->written));
		json_object_set_new(rrd, "failed",
				    json_integer((json_int_t)src->rrd->failed));
		json_object_set_new(rrd, "dropped",
				    json_integer((json_int_t)src->rrd->dropped));
		json_object_set_new(rrd, "queued",
				    json_integer((json_int_t)src->rrd->queued));
		json_object_set_new(rrd, "last_error",
				    json_string(src->rrd->last_error));
	}
	json_object_set_new(root, "discards", disc);
	json_object_set_new(root, "rrd", rrd);
	json_object_set_new(root, "capture_records", json_pack(
		"{s:b, s:I, s:I, s:I, s:I, s:s}", "kept", src->records != NULL,
		"written", (json_int_t)cs->written, "failed",
		(json_int_t)cs->failed, "dropped", (json_int_t)cs->dropped,
		"queued", (json_int_t)cs->queued, "last_error",
		cs->last_error));
}

json_t *status_snapshot(const struct status_source *src)
{
	json_t *root = json_object();
	const struct alerts_stats *f = src->faults;

	if (root == NULL) {
		json_decref(src->captures);
		json_decref(src->services);
		return NULL;
	}
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "generated", json_real(src->now));
	json_object_set_new(root, "started", json_real(src->started));
	json_object_set_new(root, "config", json_string(src->cfg->path));
	json_object_set_new(root, "devices",
			    json_integer((json_int_t)src->cfg->ndevices));
	add_devices(src, root);
	if (f != NULL)
		json_object_set_new(root, "faults", json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:s}", "opened",
			(json_int_t)f->opened, "resolved",
			(json_int_t)f->resolved, "flapping",
			(json_int_t)f->flapping, "nodata",
			(json_int_t)f->nodata, "journal_errors",
			(json_int_t)f->journal_errors, "last_error",
			f->last_error));
	json_object_set_new(root, "polls", json_pack(
		"{s:I, s:I, s:I, s:I}", "done", (json_int_t)src->polls, "late",
		(json_int_t)src->late, "skipped", (json_int_t)src->skipped,
		"inflight", (json_int_t)src->inflight));
	add_stores(src, root);
	json_object_set_new(root, "captures",
			    src->captures ? src->captures : json_array());
	/* a member that failed to build is missing: out of memory */
	if (json_object_size(root) < 15 + (f != NULL)) {
		json_decref(root);
		json_decref(src->services);
		return NULL;
	}
	if (src->services != NULL &&
	    json_object_set_new(root, "services", src->services) < 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}
