/*
 * talkers.c - captured links over a range: the per-interval records the
 * daemon keeps in the journal (storage/journal.h, capture_intervals)
 * summed into top talkers and ports, and the link's data completeness
 * (each interval's drop share taken off the time it covers).
 *
 * The sum of per-interval top-N lists is what the records allow: an
 * address outside an interval's top N left no trace of that interval. A
 * month's list is therefore a lower bound for every address on it, exact
 * for addresses that were in the top N of every interval they talked in.
 * SPDX-License-Identifier: MIT
 */
#include "sla_int.h"
#include "core/hash.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An open-addressing table of summed entries, keyed by everything but
 * the counts. */
struct tally {
	struct sla_top *v;
	unsigned char *used;
	size_t n, cap;
};

static int same_key(const struct sla_top *a, const struct sla_top *b)
{
	return a->family == b->family && a->ipproto == b->ipproto &&
	       a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

static size_t key_hash(const struct sla_top *t)
{
	unsigned char k[20];

	k[0] = t->family;
	k[1] = t->ipproto;
	k[2] = (unsigned char)(t->port >> 8);
	k[3] = (unsigned char)t->port;
	memcpy(k + 4, t->addr, 16);
	return (size_t)slamon_hash_bytes(SLAMON_HASH_INIT, k, sizeof(k));
}

static int tally_grow(struct tally *t)
{
	struct tally nt;

	nt.cap = t->cap ? t->cap * 2 : 256;
	nt.n = 0;
	nt.v = calloc(nt.cap, sizeof(*nt.v));
	nt.used = calloc(nt.cap, 1);
	if (nt.v == NULL || nt.used == NULL) {
		free(nt.v);
		free(nt.used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->cap; i++) {
		size_t h;

		if (!t->used[i])
			continue;
		h = key_hash(&t->v[i]) & (nt.cap - 1);
		while (nt.used[h])
			h = (h + 1) & (nt.cap - 1);
		nt.v[h] = t->v[i];
		nt.used[h] = 1;
		nt.n++;
	}
	free(t->v);
	free(t->used);
	*t = nt;
	return 0;
}

/* Adds e's counts to its entry (created when new). */
static int tally_add(struct tally *t, const struct sla_top *e)
{
	size_t h;

	if ((t->n + 1) * 2 > t->cap && tally_grow(t) < 0)
		return -ENOMEM;
	h = key_hash(e) & (t->cap - 1);
	while (t->used[h] && !same_key(&t->v[h], e))
		h = (h + 1) & (t->cap - 1);
	if (!t->used[h]) {
		t->v[h] = *e;
		t->v[h].bytes = t->v[h].packets = 0;
		t->v[h].intervals = 0;
		t->used[h] = 1;
		t->n++;
	}
	t->v[h].bytes += e->bytes;
	t->v[h].packets += e->packets;
	t->v[h].intervals++;
	return 0;
}

static void tally_free(struct tally *t)
{
	free(t->v);
	free(t->used);
	memset(t, 0, sizeof(*t));
}

/* Largest first: bytes, then packets, then the key (stable output). */
static int cmp_top(const void *a, const void *b)
{
	const struct sla_top *x = a, *y = b;
	int c;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->packets != y->packets)
		return x->packets > y->packets ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->addr, y->addr, 16);
	if (c != 0)
		return c;
	if (x->ipproto != y->ipproto)
		return x->ipproto < y->ipproto ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

/* The top_n largest entries of t into out; returns how many. */
static size_t tally_top(struct tally *t, size_t top_n, struct sla_top *out)
{
	size_t k = 0;

	if (t->n == 0)
		return 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->used[i])
			t->v[k++] = t->v[i]; /* compact in place: k <= i */
	qsort(t->v, k, sizeof(*t->v), cmp_top);
	if (k > top_n)
		k = top_n;
	memcpy(out, t->v, k * sizeof(*out));
	return k;
}

struct load {
	struct sla_capture *c;
	double from, to;
	struct tally local, remote, ports;
};

static int add_talkers(struct tally *t, const struct journal_cap_talker *v,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sla_top e;

		memset(&e, 0, sizeof(e));
		e.family = v[i].family;
		memcpy(e.addr, v[i].addr, 16);
		e.bytes = v[i].bytes;
		e.packets = v[i].packets;
		if (tally_add(t, &e) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* One stored interval: its coverage of [from, to) and, when it starts in
 * the range, its counts and top lists. */
static int on_interval(void *arg, const struct journal_capiv *v)
{
	struct load *ld = arg;
	struct sla_capture *c = ld->c;
	double a = (double)v->start, b = a + v->length_s;
	double lo = a > ld->from ? a : ld->from;
	double hi = b < ld->to ? b : ld->to;
	double lost = v->stats_valid ? (double)v->drops + (double)v->ifdrops
				     : 0;
	double seen = (double)v->records + lost;
	double share = seen > 0 ? (double)v->records / seen : 1;

	if (c->device[0] == '\0')
		snprintf(c->device, sizeof(c->device), "%s", v->device);
	if (hi > lo) {
		c->covered_s += hi - lo;
		c->collected_s += (hi - lo) * share;
	}
	if (a < ld->from || a >= ld->to)
		return 0;
	c->intervals++;
	c->records += v->records;
	c->packets += v->packets;
	c->bytes += v->bytes;
	c->in_bytes += v->in_bytes;
	c->out_bytes += v->out_bytes;
	if (v->stats_valid)
		c->drops += v->drops + v->ifdrops;
	for (size_t i = 0; i < v->nports; i++) {
		struct sla_top e;

		memset(&e, 0, sizeof(e));
		e.ipproto = v->ports[i].ipproto;
		e.port = v->ports[i].port;
		e.bytes = v->ports[i].bytes;
		e.packets = v->ports[i].packets;
		if (tally_add(&ld->ports, &e) < 0)
			return -ENOMEM;
	}
	if (add_talkers(&ld->local, v->local, v->nlocal) < 0 ||
	    add_talkers(&ld->remote, v->remote, v->nremote) < 0)
		return -ENOMEM;
	return 0;
}

int sla_capture_load(const char *path, const char *link, double from,
		     double to, size_t top_n, struct sla_capture *ret,
		     char *err, size_t errlen)
{
	struct load ld;
	struct journal *j = NULL;
	int rc;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->name, sizeof(ret->name), "%s", link);
	ret->dev = -1;
	ret->top_n = top_n < SLA_TOP_MAX ? top_n : SLA_TOP_MAX;
	ret->expected_s = to > from ? to - from : 0;
	if (to <= from || access(path, R_OK) != 0)
		return 0; /* no journal yet: nothing captured */
	memset(&ld, 0, sizeof(ld));
	ld.c = ret;
	ld.from = from;
	ld.to = to;
	rc = journal_open(path, &j, err, errlen);
	if (rc == 0)
		rc = journal_capture_scan(j, link, from, to, on_interval, &ld,
					  err, errlen);
	if (rc == -ENOMEM && err != NULL && errlen > 0)
		snprintf(err, errlen, "capture %s: out of memory summing its "
			 "top lists", link);
	journal_close(j);
	if (rc == 0) {
		ret->nlocal = tally_top(&ld.local, ret->top_n, ret->local);
		ret->nremote = tally_top(&ld.remote, ret->top_n, ret->remote);
		ret->nports = tally_top(&ld.ports, ret->top_n, ret->ports);
		/* overlapping records (an interval length changed by a
		 * reload) cannot cover more than the range */
		if (ret->covered_s > ret->expected_s) {
			ret->collected_s *= ret->expected_s / ret->covered_s;
			ret->covered_s = ret->expected_s;
		}
	}
	tally_free(&ld.local);
	tally_free(&ld.remote);
	tally_free(&ld.ports);
	return rc;
}

double sla_capture_completeness(const struct sla_capture *c)
{
	return c->expected_s > 0 ? c->collected_s / c->expected_s * 100
				 : (double)NAN;
}

const char *sla_top_label(const struct sla_top *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (e->family == 4 || e->family == 6) {
		if (inet_ntop(e->family == 4 ? AF_INET : AF_INET6, e->addr, a,
			      sizeof(a)) == NULL)
			snprintf(a, sizeof(a), "?");
		snprintf(buf, len, "%s", a);
	} else {
		snprintf(buf, len, "%s/%u",
			 e->ipproto == 17 ? "udp"
			 : e->ipproto == 6 ? "tcp"
					   : "ip",
			 (unsigned)e->port);
	}
	return buf;
}
