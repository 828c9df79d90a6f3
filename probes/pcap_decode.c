/*
 * pcap_decode.c - frame decoder and interval aggregate of the pcap probe.
 *
 * Every header is bounds-checked twice: against the length the enclosing
 * header claims (a violation makes the frame malformed) and against caplen
 * (a header past caplen, inside a frame the snap length cut, is a snap
 * truncation: the frame is still accounted with what was decoded). Wire
 * lengths, never caplen, are what the byte counters add up, so a capture
 * with snaplen 128 still counts what crossed the link.
 *
 * Formats: Ethernet (IEEE 802.3, 802.1Q/802.1ad tags, TPIDs 0x8100, 0x88a8
 * and the pre-standard 0x9100/0x9200), Linux cooked v1/v2 (pcap-linktype(7)
 * LINKTYPE_LINUX_SLL/SLL2), raw IP, BSD loopback, NFLOG payload TLVs, IPv4
 * (RFC 791; total length 0 taken as "the frame" for TSO/BIG TCP captures),
 * IPv6 (RFC 8200 extension headers; payload length 0 = jumbogram, RFC 2675).
 * SPDX-License-Identifier: MIT
 */
#include "pcap_decode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ET_IPV4 0x0800
#define ET_IPV6 0x86dd
#define MAX_VLAN_TAGS 8
#define MAX_IP6_EXT 16
#define NPORTS 65536

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Frame bytes and the two limits of the current header: what was captured
 * (cap) and what the enclosing length fields allow (end). */
struct frame {
	const uint8_t *p;
	uint32_t cap;
	struct capture_pkt *r;
};

/* Are n bytes at off inside end (else malformed for why) and captured
 * (else a snap truncation)? Returns 0 when readable. */
static int need(struct frame *f, uint64_t off, uint64_t n, uint64_t end,
		enum capture_bad why)
{
	if (off + n > end) {
		f->r->bad = why;
		return -1;
	}
	if (off + n > f->cap) {
		f->r->snap_truncated = 1;
		return -1;
	}
	return 0;
}

static enum capture_proto proto_of(int ipproto)
{
	switch (ipproto) {
	case 6:
		return CAPTURE_PROTO_TCP;
	case 17:
		return CAPTURE_PROTO_UDP;
	case 1:
		return CAPTURE_PROTO_ICMP;
	case 58:
		return CAPTURE_PROTO_ICMPV6;
	default:
		return CAPTURE_PROTO_OTHER_IP;
	}
}

/* TCP/UDP ports at l4, the transport segment ending at end. The header
 * must fit the segment; only the 4 port bytes need to be captured. */
static void decode_l4(struct frame *f, uint32_t l4, uint64_t end)
{
	struct capture_pkt *r = f->r;
	uint32_t hlen = r->ipproto == 6 ? 20 : 8;

	r->proto = proto_of(r->ipproto);
	if (r->ipproto != 6 && r->ipproto != 17)
		return;
	if ((uint64_t)l4 + hlen > end) {
		r->bad = CAPTURE_BAD_L4;
		return;
	}
	if (need(f, l4, 4, end, CAPTURE_BAD_L4) < 0)
		return;
	r->sport = be16(f->p + l4);
	r->dport = be16(f->p + l4 + 2);
	r->has_ports = 1;
}

static void decode_ipv4(struct frame *f, uint32_t off, uint64_t limit)
{
	struct capture_pkt *r = f->r;
	const uint8_t *h = f->p + off;
	uint32_t ihl;
	uint64_t tot;

	if (need(f, off, 20, limit, CAPTURE_BAD_IP_HEADER) < 0)
		return;
	ihl = (uint32_t)(h[0] & 15) * 4;
	if (h[0] >> 4 != 4 || ihl < 20) {
		r->bad = CAPTURE_BAD_IP_HEADER;
		return;
	}
	tot = be16(h + 2);
	if (tot == 0) /* TSO / BIG TCP: the length is the frame's */
		tot = limit - off;
	if (tot < ihl) {
		r->bad = CAPTURE_BAD_IP_HEADER;
		return;
	}
	if (off + tot > limit) {
		r->bad = CAPTURE_BAD_IP_LENGTH;
		return;
	}
	r->family = 4;
	memcpy(r->src, h + 12, 4);
	memcpy(r->dst, h + 16, 4);
	r->ipproto = h[9];
	r->proto = proto_of(r->ipproto);
	if (need(f, off, ihl, off + tot, CAPTURE_BAD_IP_HEADER) < 0)
		return;
	if ((be16(h + 6) & 0x1fff) != 0) /* later fragment: no ports */
		return;
	decode_l4(f, off + ihl, off + tot);
}

/* Walks the IPv6 extension headers from *l4 (next header *nh) to the
 * upper-layer header. Returns 1 when a later fragment ends the walk, 0 at
 * the upper layer, -1 when malformed or not captured. */
static int walk_ip6_ext(struct frame *f, uint32_t *l4, int *nh, uint64_t end)
{
	for (int i = 0; i < MAX_IP6_EXT; i++) {
		const uint8_t *e = f->p + *l4;
		uint64_t hl;

		switch (*nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
			if (need(f, *l4, 2, end, CAPTURE_BAD_IP_HEADER) < 0)
				return -1;
			hl = ((uint64_t)e[1] + 1) * 8;
			break;
		case 51: /* AH, RFC 4302: length in 32-bit words minus 2 */
			if (need(f, *l4, 2, end, CAPTURE_BAD_IP_HEADER) < 0)
				return -1;
			hl = ((uint64_t)e[1] + 2) * 4;
			break;
		case 44: /* fragment */
			if (need(f, *l4, 8, end, CAPTURE_BAD_IP_HEADER) < 0)
				return -1;
			*nh = e[0];
			*l4 += 8;
			if ((be16(e + 2) & 0xfff8) != 0)
				return 1;
			continue;
		default:
			return 0;
		}
		if (*l4 + hl > end) {
			f->r->bad = CAPTURE_BAD_IP_HEADER;
			return -1;
		}
		*nh = e[0];
		*l4 += (uint32_t)hl;
	}
	f->r->bad = CAPTURE_BAD_IP_HEADER; /* a chain no stack would send */
	return -1;
}

static void decode_ipv6(struct frame *f, uint32_t off, uint64_t limit)
{
	struct capture_pkt *r = f->r;
	const uint8_t *h = f->p + off;
	uint64_t end;
	uint32_t l4 = off + 40;
	int nh, rc;

	if (need(f, off, 40, limit, CAPTURE_BAD_IP_HEADER) < 0)
		return;
	if (h[0] >> 4 != 6) {
		r->bad = CAPTURE_BAD_IP_HEADER;
		return;
	}
	end = be16(h + 4) ? (uint64_t)off + 40 + be16(h + 4) : limit;
	if (end > limit) {
		r->bad = CAPTURE_BAD_IP_LENGTH;
		return;
	}
	r->family = 6;
	memcpy(r->src, h + 8, 16);
	memcpy(r->dst, h + 24, 16);
	nh = h[6];
	rc = walk_ip6_ext(f, &l4, &nh, end);
	if (rc < 0 && r->bad != CAPTURE_OK)
		return;
	r->ipproto = nh;
	r->proto = proto_of(nh);
	if (rc == 0)
		decode_l4(f, l4, end);
}

/* IP of either version, told by the version nibble (raw IP link types). */
static void decode_ip_any(struct frame *f, uint32_t off, uint64_t limit)
{
	if (need(f, off, 1, limit, CAPTURE_BAD_IP_HEADER) < 0)
		return;
	switch (f->p[off] >> 4) {
	case 4:
		decode_ipv4(f, off, limit);
		break;
	case 6:
		decode_ipv6(f, off, limit);
		break;
	default:
		f->r->bad = CAPTURE_BAD_IP_HEADER;
	}
}

static void decode_ethertype(struct frame *f, uint16_t et, uint32_t off,
			     uint64_t limit)
{
	/* Stacked tags: 802.1Q (0x8100), 802.1ad S-tag (0x88a8), and the
	 * pre-standard QinQ TPIDs 0x9100/0x9200. */
	while (et == 0x8100 || et == 0x88a8 || et == 0x9100 || et == 0x9200) {
		if (++f->r->vlan_tags > MAX_VLAN_TAGS) {
			f->r->bad = CAPTURE_BAD_VLAN;
			return;
		}
		if (need(f, off, 4, limit, CAPTURE_BAD_VLAN) < 0)
			return;
		et = be16(f->p + off + 2);
		off += 4;
	}
	f->r->ethertype = et;
	if (et == ET_IPV4)
		decode_ipv4(f, off, limit);
	else if (et == ET_IPV6)
		decode_ipv6(f, off, limit);
}

/* BSD loopback address families (AF_INET6 differs per OS). */
static void decode_af(struct frame *f, uint32_t af, uint64_t limit)
{
	if (af == 2)
		decode_ipv4(f, 4, limit);
	else if (af == 10 || af == 24 || af == 28 || af == 30)
		decode_ipv6(f, 4, limit);
}

/* NFLOG: 4-byte header, then TLVs (length and type in host byte order,
 * as libpcap delivers them, padded to 4 bytes); NFULA_PAYLOAD (9) holds
 * the IP packet. */
static void decode_nflog(struct frame *f, uint64_t limit)
{
	uint32_t off = 4;
	int family;

	if (need(f, 0, 4, limit, CAPTURE_BAD_LINK) < 0)
		return;
	family = f->p[0];
	while (off < limit) {
		uint16_t len, type;

		if (need(f, off, 4, limit, CAPTURE_BAD_LINK) < 0)
			return;
		memcpy(&len, f->p + off, 2);
		memcpy(&type, f->p + off + 2, 2);
		if (len < 4 || off + (uint64_t)len > limit) {
			f->r->bad = CAPTURE_BAD_LINK;
			return;
		}
		if ((type & 0x7fff) == 9) {
			if (family == 2)
				decode_ipv4(f, off + 4, off + len);
			else if (family == 10)
				decode_ipv6(f, off + 4, off + len);
			return;
		}
		off += ((uint32_t)len + 3) & ~3u;
	}
}

void capture_decode(int linktype, const uint8_t *data, uint32_t caplen,
		    uint32_t wirelen, struct capture_pkt *ret)
{
	struct frame f = {.p = data, .cap = caplen, .r = ret};
	uint64_t limit = wirelen;
	uint32_t af;

	memset(ret, 0, sizeof(*ret));
	ret->ipproto = -1;
	ret->proto = CAPTURE_PROTO_NONIP;
	if (wirelen == 0 || caplen > wirelen || (caplen && !data)) {
		ret->bad = CAPTURE_BAD_RECORD;
		return;
	}
	switch (linktype) {
	case CAPTURE_LINK_EN10MB:
		if (need(&f, 0, 14, limit, CAPTURE_BAD_LINK) == 0)
			decode_ethertype(&f, be16(data + 12), 14, limit);
		break;
	case CAPTURE_LINK_LINUX_SLL:
		if (need(&f, 0, 16, limit, CAPTURE_BAD_LINK) == 0)
			decode_ethertype(&f, be16(data + 14), 16, limit);
		break;
	case CAPTURE_LINK_LINUX_SLL2:
		if (need(&f, 0, 20, limit, CAPTURE_BAD_LINK) == 0)
			decode_ethertype(&f, be16(data), 20, limit);
		break;
	case CAPTURE_LINK_RAW:
	case CAPTURE_LINK_RAW12:
	case CAPTURE_LINK_RAW14:
		decode_ip_any(&f, 0, limit);
		break;
	case CAPTURE_LINK_IPV4:
		decode_ipv4(&f, 0, limit);
		break;
	case CAPTURE_LINK_IPV6:
		decode_ipv6(&f, 0, limit);
		break;
	case CAPTURE_LINK_NULL:
		if (need(&f, 0, 4, limit, CAPTURE_BAD_LINK) < 0)
			break;
		/* host order of the writer: a family is small, so a value
		 * with high bits set was written by the other endianness */
		af = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
		     (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
		if (af > 0xffff)
			af = be32(data);
		decode_af(&f, af, limit);
		break;
	case CAPTURE_LINK_LOOP:
		if (need(&f, 0, 4, limit, CAPTURE_BAD_LINK) == 0)
			decode_af(&f, be32(data), limit);
		break;
	case CAPTURE_LINK_NFLOG:
		decode_nflog(&f, limit);
		break;
	default:
		ret->unsupported_link = 1;
	}
	if (ret->bad != CAPTURE_OK || ret->family == 0) {
		/* malformed, or nothing IP found: keep no half results */
		ret->family = 0;
		ret->ipproto = -1;
		ret->proto = CAPTURE_PROTO_NONIP;
		ret->has_ports = 0;
	}
}

/* ---- prefixes ---------------------------------------------------------- */

int capture_prefixes_add(struct capture_prefixes *pl, const char *cidr,
			 char *err, size_t errlen)
{
	char buf[64];
	const char *slash = strchr(cidr, '/');
	size_t alen = slash ? (size_t)(slash - cidr) : strlen(cidr);
	struct capture_prefix px = {0};
	long len;
	char *end;

	if (alen == 0 || alen >= sizeof(buf))
		goto bad;
	memcpy(buf, cidr, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, px.addr) == 1)
		px.family = 4;
	else if (inet_pton(AF_INET6, buf, px.addr) == 1)
		px.family = 6;
	else
		goto bad;
	len = px.family == 4 ? 32 : 128;
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end != '\0' || len < 0 ||
		    len > (px.family == 4 ? 32 : 128))
			goto bad;
	}
	if (pl->n >= CAPTURE_PREFIX_MAX) {
		snprintf(err, errlen, "too many local prefixes (max %d)",
			 CAPTURE_PREFIX_MAX);
		return -ENOSPC;
	}
	px.len = (int)len;
	for (int bit = px.len; bit < 128; bit++) /* clear host bits */
		px.addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
	pl->p[pl->n++] = px;
	return 0;
bad:
	snprintf(err, errlen,
		 "bad prefix '%.64s': expected ADDRESS[/LEN], IPv4 or IPv6",
		 cidr);
	return -EINVAL;
}

static int prefix_has(const struct capture_prefix *px, const uint8_t *a)
{
	int full = px->len / 8, rest = px->len % 8;

	if (memcmp(px->addr, a, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((px->addr[full] ^ a[full]) & (0xff00u >> rest)) == 0;
}

int capture_prefixes_match(const struct capture_prefixes *pl, int family,
			   const uint8_t *addr)
{
	if (!pl)
		return 0;
	for (size_t i = 0; i < pl->n; i++)
		if (pl->p[i].family == family && prefix_has(&pl->p[i], addr))
			return 1;
	return 0;
}

/* ---- aggregate --------------------------------------------------------- */

struct slot {
	uint8_t addr[16];
	uint8_t family; /* 0: empty */
	struct capture_counts c;
};

/* Open addressing, linear probing; grows by doubling up to max entries.
 * used[] lists occupied slots so a reset touches only those. */
struct talkers {
	struct slot *slots;
	uint32_t *used;
	size_t cap, n, max;
};

struct capture_agg {
	struct capture_prefixes local;
	struct capture_interval cnt; /* counters only; tops come later */
	int have_ts;
	struct talkers loc, rem;
	struct capture_counts port[2][NPORTS]; /* [tcp, udp][port] */
	uint32_t *ports_used;                  /* proto << 16 | port */
	size_t nports_used;
};

/* Multiply-xorshift over the address as two 64-bit words: the talker
 * tables are the hottest code of the accounting (a lookup per address per
 * packet); a byte-wise FNV cost 16 dependent multiplies. */
static uint64_t hash_addr(int family, const uint8_t *a)
{
	uint64_t lo, hi, h;

	memcpy(&lo, a, 8);
	memcpy(&hi, a + 8, 8);
	h = (lo ^ ((uint64_t)family << 56)) * 0x9e3779b97f4a7c15ull;
	h ^= hi * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 32;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 29);
}

static int addr_eq(const uint8_t *x, const uint8_t *y)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, x, 8);
	memcpy(&a1, x + 8, 8);
	memcpy(&b0, y, 8);
	memcpy(&b1, y + 8, 8);
	return a0 == b0 && a1 == b1;
}

static int talkers_init(struct talkers *t, size_t max)
{
	t->cap = 1024;
	t->n = 0;
	t->max = max;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	t->used = calloc(t->cap, sizeof(*t->used));
	return t->slots && t->used ? 0 : -ENOMEM;
}

static void talkers_free(struct talkers *t)
{
	free(t->slots);
	free(t->used);
}

static size_t talkers_find(const struct slot *slots, size_t cap, int family,
			   const uint8_t *a)
{
	size_t i = (size_t)hash_addr(family, a) & (cap - 1);

	while (slots[i].family &&
	       (slots[i].family != family || !addr_eq(slots[i].addr, a)))
		i = (i + 1) & (cap - 1);
	return i;
}

static int talkers_grow(struct talkers *t)
{
	size_t ncap = t->cap * 2;
	struct slot *ns = calloc(ncap, sizeof(*ns));
	uint32_t *nu = calloc(ncap, sizeof(*nu));

	if (!ns || !nu) {
		free(ns);
		free(nu);
		return -ENOMEM;
	}
	for (size_t k = 0; k < t->n; k++) {
		const struct slot *s = &t->slots[t->used[k]];
		size_t j = talkers_find(ns, ncap, s->family, s->addr);

		ns[j] = *s;
		nu[k] = (uint32_t)j;
	}
	free(t->slots);
	free(t->used);
	t->slots = ns;
	t->used = nu;
	t->cap = ncap;
	return 0;
}

/* Adds one packet to addr's entry. Returns -1 when the table is full. */
static int talkers_add(struct talkers *t, int family, const uint8_t *a,
		       uint64_t bytes)
{
	size_t i = talkers_find(t->slots, t->cap, family, a);

	if (!t->slots[i].family) {
		if (t->n >= t->max)
			return -1;
		if ((t->n + 1) * 2 > t->cap) { /* load <= 1/2: short probes */
			if (talkers_grow(t) < 0)
				return -1;
			i = talkers_find(t->slots, t->cap, family, a);
		}
		t->slots[i].family = (uint8_t)family;
		memcpy(t->slots[i].addr, a, 16);
		t->used[t->n++] = (uint32_t)i;
	}
	t->slots[i].c.packets++;
	t->slots[i].c.bytes += bytes;
	return 0;
}

static void talkers_reset(struct talkers *t)
{
	for (size_t k = 0; k < t->n; k++)
		memset(&t->slots[t->used[k]], 0, sizeof(struct slot));
	t->n = 0;
}

int capture_agg_create(const struct capture_agg_config *cfg,
		       struct capture_agg **ret_a)
{
	struct capture_agg *a = calloc(1, sizeof(*a));
	size_t max = cfg && cfg->max_talkers ? cfg->max_talkers : 262144;

	*ret_a = NULL;
	if (!a)
		return -ENOMEM;
	if (cfg && cfg->local)
		a->local = *cfg->local;
	a->ports_used = calloc(2 * NPORTS, sizeof(*a->ports_used));
	if (!a->ports_used || talkers_init(&a->loc, max) < 0 ||
	    talkers_init(&a->rem, max) < 0)
		goto err;
	*ret_a = a;
	return 0;
err:
	capture_agg_destroy(a);
	return -ENOMEM;
}

void capture_agg_destroy(struct capture_agg *a)
{
	if (!a)
		return;
	talkers_free(&a->loc);
	talkers_free(&a->rem);
	free(a->ports_used);
	free(a);
}

static void count(struct capture_counts *c, uint64_t bytes)
{
	c->packets++;
	c->bytes += bytes;
}

static void account_talker(struct capture_agg *a, int is_local, int family,
			   const uint8_t *addr, uint64_t bytes)
{
	if (talkers_add(is_local ? &a->loc : &a->rem, family, addr, bytes) < 0)
		a->cnt.talker_overflow++;
}

static void account_ip(struct capture_agg *a, const struct capture_pkt *p,
		       uint64_t bytes)
{
	int sl = capture_prefixes_match(&a->local, p->family, p->src);
	int dl = capture_prefixes_match(&a->local, p->family, p->dst);
	enum capture_dir d = sl ? (dl ? CAPTURE_DIR_INTERNAL : CAPTURE_DIR_OUT)
				: (dl ? CAPTURE_DIR_IN : CAPTURE_DIR_EXTERNAL);

	count(&a->cnt.dir[d], bytes);
	account_talker(a, sl, p->family, p->src, bytes);
	if (memcmp(p->src, p->dst, 16) != 0)
		account_talker(a, dl, p->family, p->dst, bytes);
	if (p->has_ports) {
		int k = p->proto == CAPTURE_PROTO_TCP ? 0 : 1;
		uint16_t port = p->sport < p->dport ? p->sport : p->dport;
		struct capture_counts *c = &a->port[k][port];

		if (c->packets == 0)
			a->ports_used[a->nports_used++] =
				(uint32_t)k << 16 | port;
		count(c, bytes);
	}
}

void capture_agg_account(struct capture_agg *a, const struct capture_pkt *p,
			 uint32_t wirelen, int64_t ts_sec, uint32_t ts_nsec)
{
	double ts;

	if (ts_nsec >= 1000000000u) {
		a->cnt.ts_invalid++;
		ts_sec += ts_nsec / 1000000000u;
		ts_nsec %= 1000000000u;
	}
	ts = (double)ts_sec + ts_nsec / 1e9;
	if (!a->have_ts) {
		a->cnt.first_ts = ts;
		a->have_ts = 1;
	}
	if (ts > a->cnt.last_ts || a->cnt.records == 0)
		a->cnt.last_ts = ts;
	a->cnt.records++;
	if (p->bad != CAPTURE_OK) {
		if ((unsigned)p->bad < CAPTURE_BAD_COUNT)
			a->cnt.malformed[p->bad]++;
		return;
	}
	count(&a->cnt.total, wirelen);
	count(&a->cnt.proto[p->proto], wirelen);
	a->cnt.snap_truncated += (uint64_t)p->snap_truncated;
	a->cnt.unsupported_link += (uint64_t)p->unsupported_link;
	a->cnt.vlan_tagged += p->vlan_tags > 0;
	if (p->family)
		account_ip(a, p, wirelen);
	else
		count(&a->cnt.dir[CAPTURE_DIR_NONIP], wirelen);
}

enum capture_bad capture_agg_add(struct capture_agg *a, int linktype,
				 const uint8_t *data, uint32_t caplen,
				 uint32_t wirelen, int64_t ts_sec,
				 uint32_t ts_nsec, struct capture_pkt *ret_pkt)
{
	struct capture_pkt local_pkt;
	struct capture_pkt *p = ret_pkt ? ret_pkt : &local_pkt;

	capture_decode(linktype, data, caplen, wirelen, p);
	capture_agg_account(a, p, wirelen, ts_sec, ts_nsec);
	return p->bad;
}

void capture_agg_note_backwards(struct capture_agg *a)
{
	a->cnt.ts_backwards++;
}

static int counts_better(const struct capture_counts *x,
			 const struct capture_counts *y)
{
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes;
	return x->packets > y->packets;
}

static int talker_better(const struct capture_talker *x,
			 const struct capture_talker *y)
{
	if (x->c.bytes != y->c.bytes || x->c.packets != y->c.packets)
		return counts_better(&x->c, &y->c);
	if (x->family != y->family)
		return x->family < y->family;
	return memcmp(x->addr, y->addr, 16) < 0;
}

static int port_better(const struct capture_port *x,
		       const struct capture_port *y)
{
	if (x->c.bytes != y->c.bytes || x->c.packets != y->c.packets)
		return counts_better(&x->c, &y->c);
	if (x->port != y->port)
		return x->port < y->port;
	return x->proto < y->proto;
}

/* Keeps top[0..*n) sorted best first, at most cap entries. */
static void top_talker(struct capture_talker *top, size_t *n, size_t cap,
		       const struct capture_talker *cand)
{
	size_t i = *n;

	if (cap == 0 || (i == cap && !talker_better(cand, &top[cap - 1])))
		return;
	if (i == cap)
		i--;
	else
		(*n)++;
	while (i > 0 && talker_better(cand, &top[i - 1])) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = *cand;
}

static void top_port(struct capture_port *top, size_t *n, size_t cap,
		     const struct capture_port *cand)
{
	size_t i = *n;

	if (cap == 0 || (i == cap && !port_better(cand, &top[cap - 1])))
		return;
	if (i == cap)
		i--;
	else
		(*n)++;
	while (i > 0 && port_better(cand, &top[i - 1])) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = *cand;
}

static void summarize_talkers(const struct talkers *t,
			      struct capture_talker *top, size_t *n,
			      size_t cap)
{
	*n = 0;
	for (size_t k = 0; k < t->n; k++) {
		const struct slot *s = &t->slots[t->used[k]];
		struct capture_talker c = {.family = s->family, .c = s->c};

		memcpy(c.addr, s->addr, 16);
		top_talker(top, n, cap, &c);
	}
}

void capture_agg_summarize(const struct capture_agg *a, size_t top_n,
			   struct capture_interval *ret)
{
	size_t cap = top_n < CAPTURE_TOP_MAX ? top_n : CAPTURE_TOP_MAX;

	*ret = a->cnt;
	summarize_talkers(&a->loc, ret->local, &ret->nlocal, cap);
	summarize_talkers(&a->rem, ret->remote, &ret->nremote, cap);
	ret->nports = 0;
	for (size_t k = 0; k < a->nports_used; k++) {
		uint32_t key = a->ports_used[k];
		struct capture_port c = {
			.proto = key >> 16 ? CAPTURE_PROTO_UDP
					   : CAPTURE_PROTO_TCP,
			.port = (uint16_t)(key & 0xffff),
			.c = a->port[key >> 16][key & 0xffff],
		};

		top_port(ret->ports, &ret->nports, cap, &c);
	}
}

static void counts_add(struct capture_counts *d, const struct capture_counts *s)
{
	d->packets += s->packets;
	d->bytes += s->bytes;
}

static void talkers_merge(struct capture_agg *dst, struct talkers *dt,
			  const struct talkers *st)
{
	for (size_t k = 0; k < st->n; k++) {
		const struct slot *s = &st->slots[st->used[k]];
		size_t i = talkers_find(dt->slots, dt->cap, s->family, s->addr);

		if (!dt->slots[i].family) {
			if (dt->n >= dt->max ||
			    ((dt->n + 1) * 2 > dt->cap &&
			     talkers_grow(dt) < 0)) {
				dst->cnt.talker_overflow += s->c.packets;
				continue;
			}
			i = talkers_find(dt->slots, dt->cap, s->family,
					 s->addr);
			dt->slots[i].family = s->family;
			memcpy(dt->slots[i].addr, s->addr, 16);
			dt->used[dt->n++] = (uint32_t)i;
		}
		counts_add(&dt->slots[i].c, &s->c);
	}
}

void capture_agg_merge(struct capture_agg *dst, const struct capture_agg *src)
{
	struct capture_interval *d = &dst->cnt;
	const struct capture_interval *s = &src->cnt;

	if (src->have_ts) {
		if (!dst->have_ts || s->first_ts < d->first_ts)
			d->first_ts = s->first_ts;
		if (!dst->have_ts || s->last_ts > d->last_ts)
			d->last_ts = s->last_ts;
		dst->have_ts = 1;
	}
	d->records += s->records;
	counts_add(&d->total, &s->total);
	for (int i = 0; i < CAPTURE_DIR_COUNT; i++)
		counts_add(&d->dir[i], &s->dir[i]);
	for (int i = 0; i < CAPTURE_PROTO_COUNT; i++)
		counts_add(&d->proto[i], &s->proto[i]);
	for (int i = 0; i < CAPTURE_BAD_COUNT; i++)
		d->malformed[i] += s->malformed[i];
	d->snap_truncated += s->snap_truncated;
	d->unsupported_link += s->unsupported_link;
	d->vlan_tagged += s->vlan_tagged;
	d->ts_backwards += s->ts_backwards;
	d->ts_invalid += s->ts_invalid;
	d->talker_overflow += s->talker_overflow;
	talkers_merge(dst, &dst->loc, &src->loc);
	talkers_merge(dst, &dst->rem, &src->rem);
	for (size_t k = 0; k < src->nports_used; k++) {
		uint32_t key = src->ports_used[k];
		struct capture_counts *c = &dst->port[key >> 16][key & 0xffff];

		if (c->packets == 0)
			dst->ports_used[dst->nports_used++] = key;
		counts_add(c, &src->port[key >> 16][key & 0xffff]);
	}
}

void capture_agg_reset(struct capture_agg *a)
{
	for (size_t k = 0; k < a->nports_used; k++) {
		uint32_t key = a->ports_used[k];

		memset(&a->port[key >> 16][key & 0xffff], 0,
		       sizeof(struct capture_counts));
	}
	a->nports_used = 0;
	talkers_reset(&a->loc);
	talkers_reset(&a->rem);
	memset(&a->cnt, 0, sizeof(a->cnt));
	a->have_ts = 0;
}

double capture_bps(const struct capture_counts *c, double length_s)
{
	return length_s > 0 ? (double)c->bytes * 8.0 / length_s : 0.0;
}

const char *capture_dir_name(enum capture_dir d)
{
	static const char *const names[CAPTURE_DIR_COUNT] = {
		"in", "out", "internal", "external", "non-ip"};

	return (unsigned)d < CAPTURE_DIR_COUNT ? names[d] : "?";
}

const char *capture_proto_name(enum capture_proto p)
{
	static const char *const names[CAPTURE_PROTO_COUNT] = {
		"tcp", "udp", "icmp", "icmpv6", "other-ip", "non-ip"};

	return (unsigned)p < CAPTURE_PROTO_COUNT ? names[p] : "?";
}

const char *capture_bad_name(enum capture_bad b)
{
	static const char *const names[CAPTURE_BAD_COUNT] = {
		"ok",	      "bad-record", "bad-link", "bad-vlan",
		"ip-header", "ip-length",  "l4-header"};

	return (unsigned)b < CAPTURE_BAD_COUNT ? names[b] : "?";
}

const char *capture_addr_str(int family, const uint8_t *addr, char *buf,
			     size_t len)
{
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
