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
 *
 * The capture drivers take the common frame (Ethernet or Linux cooked,
 * VLAN tags, IPv4 without options or IPv6 without extension headers,
 * TCP/UDP ports captured) through a lean path, rec_lean, straight from
 * the bytes to what the aggregate counts; every other frame goes through
 * capture_decode. Both count a frame the same way (tests/unit/test_pcap.c
 * checks them against each other).
 * SPDX-License-Identifier: MIT
 */
#include "pcap_decode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The hot path's small helpers are inlined at each call site, so that
 * each site's branches are predicted on their own. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

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

/* A local prefix compiled for the per-packet test: the address read as two
 * native-order 64-bit words, masked, compared with the network. */
struct prefix_words {
	uint64_t net[2], mask[2];
};

/* The local prefixes of one family. The entries past n never match (mask
 * 0, network 1): a scan may run on to a multiple of four. An IPv4 address
 * and prefix have a second word of 0. */
struct prefix_set {
	size_t n;
	struct prefix_words p[CAPTURE_PREFIX_MAX];
};

/* Top talkers: a set-associative Space-Saving summary (Metwally, Agrawal
 * and El Abbadi, "Efficient computation of frequent and top-k elements in
 * data streams", ICDT 2005; weighted by bytes). An address hashes to one
 * bucket of TK_WAYS slots, and each bucket is a Space-Saving summary of its
 * own: a new address takes an empty slot, or replaces the slot with the
 * smallest upper bound, inheriting that bound as its error. Per bucket:
 *   a tracked address sent between ub - err and ub bytes (ub: the slot's
 *   upper bound, err: what it may have sent before it was tracked);
 *   an address not tracked sent at most the bucket's floor (the largest
 *   bound ever evicted from it), which is at most the bytes of the
 *   addresses sharing the bucket divided by TK_WAYS (the slots' bounds add
 *   up to those bytes and the smallest is evicted): an address heavier
 *   than that (the side's bytes / slots, on average) is never evicted,
 *   whatever the number of others.
 * While no bucket overflowed, every count is exact. A full bucket doubles
 * the table instead, up to max slots (a bucket splits in two by one more
 * bit of the hash: its addresses always fit). Per packet: one multiply
 * hash and one bucket of two cache lines, which the capture drivers
 * prefetch a few records ahead (capture_agg_prepare, struct capture_pipe);
 * no purge, no probe chain, no per-packet allocation. */
#define TK_WAYS 4 /* tk_way, tk_min_way are written for 4 */
#define TK_DEFAULT 16384 /* slots per table (4096 buckets) */
#define TK_MIN 64        /* twice CAPTURE_TOP_MAX */
#define TK_MAX (1u << 26)
#define TK_START 1024
#define PF_SHIFT 56
#define PF_PACKETS ((UINT64_C(1) << PF_SHIFT) - 1)

/* One bucket, two cache lines: the addresses (two native-order words
 * each), then the counters. The family rides in the top byte of the
 * packet count (2^56 packets are out of reach); pf is 0 only in an empty
 * slot. */
struct tk_bucket {
	uint64_t key[TK_WAYS][2];
	uint64_t ub[TK_WAYS]; /* upper bound of the bytes: counted + err */
	uint64_t pf[TK_WAYS]; /* packets counted | family << PF_SHIFT */
};

/* What a hit does not need: written when a slot is taken, read by the
 * summary. One cache line per bucket. */
struct tk_cold {
	uint64_t err[TK_WAYS];
	uint64_t floor; /* an address of the bucket not tracked sent <= this */
	uint64_t pad[3];
};

struct talkers {
	struct tk_bucket *b; /* nb buckets, 64-byte aligned */
	struct tk_cold *c;
	size_t nb, nb_max; /* powers of two, >= 16 */
	unsigned shift;    /* the bucket of hash h is h >> shift */
};

struct capture_agg {
	struct prefix_set pfx[2]; /* the local prefixes: IPv4, IPv6 */
	struct capture_interval cnt; /* counters only; tops come later */
	int have_ts;
	int64_t first_sec, last_sec; /* first record's time, latest time */
	uint32_t first_nsec, last_nsec;
	struct talkers tk[2]; /* [0] remote addresses, [1] local ones */
	struct capture_counts port[2][NPORTS]; /* [tcp, udp][port] */
	uint32_t *ports_used;                  /* proto << 16 | port */
	size_t nports_used;
};

/* Multiplicative hashing (Knuth's, as Dietzfelbinger's multiply-shift):
 * the bucket is the top bits of the product, which depend on every bit
 * of the address; one more bit splits a bucket in two. */
static uint64_t hash_key(int family, uint64_t lo, uint64_t hi)
{
	return (lo ^ (hi * 0xc2b2ae3d27d4eb4full) ^ (uint64_t)family) *
	       0x9e3779b97f4a7c15ull;
}

static int slot_family(const struct tk_bucket *bk, int w)
{
	return (int)(bk->pf[w] >> PF_SHIFT);
}

/* Allocates nb empty buckets. */
static int tk_alloc(size_t nb, struct tk_bucket **ret_b,
		    struct tk_cold **ret_c)
{
	struct tk_bucket *b = aligned_alloc(64, nb * sizeof(*b));
	struct tk_cold *c = aligned_alloc(64, nb * sizeof(*c));

	if (!b || !c) {
		free(b);
		free(c);
		return -ENOMEM;
	}
	memset(b, 0, nb * sizeof(*b));
	memset(c, 0, nb * sizeof(*c));
	*ret_b = b;
	*ret_c = c;
	return 0;
}

static int tk_init(struct talkers *t, size_t max)
{
	size_t nb = TK_START / TK_WAYS;

	memset(t, 0, sizeof(*t));
	t->nb_max = 16;
	while (t->nb_max * TK_WAYS < max)
		t->nb_max *= 2;
	t->nb = nb < t->nb_max ? nb : t->nb_max;
	t->shift = 64;
	for (size_t n = t->nb; n > 1; n /= 2)
		t->shift--;
	return tk_alloc(t->nb, &t->b, &t->c);
}

static void tk_free(struct talkers *t)
{
	free(t->b);
	free(t->c);
}

/* Doubles the buckets: bucket i splits into 2i and 2i + 1 by one more bit
 * of the hash, so its addresses always fit; both halves keep its floor.
 * Returns 0 or -ENOMEM (t unchanged). */
static int tk_grow(struct talkers *t)
{
	struct tk_bucket *b;
	struct tk_cold *c;
	unsigned shift = t->shift - 1;

	if (tk_alloc(t->nb * 2, &b, &c) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < t->nb; i++) {
		const struct tk_bucket *ob = &t->b[i];
		int used[2] = {0, 0};

		c[2 * i].floor = c[2 * i + 1].floor = t->c[i].floor;
		for (int w = 0; w < TK_WAYS; w++) {
			size_t j;
			int k;

			if (!ob->pf[w])
				continue;
			j = (size_t)(hash_key(slot_family(ob, w), ob->key[w][0],
					      ob->key[w][1]) >>
				     shift);
			k = used[j & 1]++;
			b[j].key[k][0] = ob->key[w][0];
			b[j].key[k][1] = ob->key[w][1];
			b[j].ub[k] = ob->ub[w];
			b[j].pf[k] = ob->pf[w];
			c[j].err[k] = t->c[i].err[w];
		}
	}
	free(t->b);
	free(t->c);
	t->b = b;
	t->c = c;
	t->nb *= 2;
	t->shift = shift;
	return 0;
}

/* The way of the address (lo, hi) of family in bucket bk, or -1: a scan
 * (an address holds one way at most, an empty one none). */
static int tk_way_scan(const struct tk_bucket *bk, int family, uint64_t lo,
		       uint64_t hi)
{
	uint64_t fam = (uint64_t)family << PF_SHIFT;

	for (int w = 0; w < TK_WAYS; w++)
		if (bk->key[w][0] == lo && bk->key[w][1] == hi &&
		    (bk->pf[w] & ~PF_PACKETS) == fam)
			return w;
	return -1;
}

/* tk_way_scan without a branch on which way holds the address (random:
 * a branch per way mispredicts): the four first words compared at once,
 * the rest checked on the first way that matches. Another way's first
 * word may match too (IPv6 addresses of one /64, an empty slot's zero key
 * against 0.0.0.0): the scan settles those. */
static ALWAYS_INLINE int tk_way(const struct tk_bucket *bk, int family,
				 uint64_t lo, uint64_t hi)
{
	static const int8_t first[1 << TK_WAYS] = {-1, 0, 1, 0, 2, 0, 1, 0,
						   3,  0, 1, 0, 2, 0, 1, 0};
	unsigned m = (unsigned)(bk->key[0][0] == lo) |
		     (unsigned)(bk->key[1][0] == lo) << 1 |
		     (unsigned)(bk->key[2][0] == lo) << 2 |
		     (unsigned)(bk->key[3][0] == lo) << 3;
	int w = first[m];

	if (w < 0)
		return -1;
	if (bk->key[w][1] == hi &&
	    (bk->pf[w] & ~PF_PACKETS) == (uint64_t)family << PF_SHIFT)
		return w;
	return tk_way_scan(bk, family, lo, hi);
}

/* Enters an address not tracked, hash h, with packets/bytes of which it
 * may have had err more before: in an empty slot of its bucket, else (the
 * table doubling first while below nb_max) in the slot of the smallest
 * upper bound. Returns the packets evicted. */
static uint64_t tk_insert(struct talkers *t, uint64_t h, int family,
			  uint64_t lo, uint64_t hi, uint64_t packets,
			  uint64_t bytes, uint64_t err)
{
	size_t i = (size_t)(h >> t->shift);
	struct tk_bucket *bk = &t->b[i];
	struct tk_cold *c = &t->c[i];
	uint64_t evicted = 0;
	int w, m = 0;

	for (w = 0; w < TK_WAYS && bk->pf[w]; w++)
		m = bk->ub[w] < bk->ub[m] ? w : m;
	if (w == TK_WAYS && t->nb < t->nb_max && tk_grow(t) == 0)
		return tk_insert(t, h, family, lo, hi, packets, bytes, err);
	if (w == TK_WAYS) { /* Space-Saving: replace the smallest */
		w = m;
		evicted = bk->pf[w] & PF_PACKETS;
		c->floor = bk->ub[w] > c->floor ? bk->ub[w] : c->floor;
	}
	bk->key[w][0] = lo;
	bk->key[w][1] = hi;
	c->err[w] = c->floor + err;
	bk->ub[w] = c->floor + err + bytes;
	bk->pf[w] = (uint64_t)family << PF_SHIFT | packets;
	return evicted;
}

/* The way of the smallest upper bound of a full bucket (the first of
 * equal ones, as tk_insert's scan), by masks: which slot is smallest is
 * random, a branch on it mispredicts. */
static ALWAYS_INLINE int tk_min_way(const struct tk_bucket *bk)
{
	uint64_t u0 = bk->ub[0], u1 = bk->ub[1], u2 = bk->ub[2], u3 = bk->ub[3];
	uint64_t s01 = 0 - (uint64_t)(u1 < u0), s23 = 0 - (uint64_t)(u3 < u2);
	uint64_t m01 = (u1 & s01) | (u0 & ~s01), m23 = (u3 & s23) | (u2 & ~s23);
	unsigned w01 = (unsigned)(s01 & 1), w23 = 2 + (unsigned)(s23 & 1);
	unsigned c = 0 - (unsigned)(m23 < m01);

	return (int)(w01 ^ ((w01 ^ w23) & c));
}

/* One packet of the address (lo, hi) of family, hash h: a hit in one
 * bucket in the common case, else an eviction from a full bucket of a
 * full-size table (the Space-Saving step of tk_insert, inline), else
 * tk_insert. Returns the packets evicted to make room. */
static ALWAYS_INLINE uint64_t tk_count(struct talkers *t, uint64_t h,
					int family, uint64_t lo, uint64_t hi,
					uint64_t bytes)
{
	size_t i = (size_t)(h >> t->shift);
	struct tk_bucket *bk = &t->b[i];
	struct tk_cold *c;
	uint64_t evicted;
	int w = tk_way(bk, family, lo, hi);

	if (w >= 0) {
		bk->pf[w]++;
		bk->ub[w] += bytes;
		return 0;
	}
	if (!bk->pf[TK_WAYS - 1] || t->nb < t->nb_max)
		return tk_insert(t, h, family, lo, hi, 1, bytes, 0);
	c = &t->c[i];
	w = tk_min_way(bk);
	evicted = bk->pf[w] & PF_PACKETS;
	c->floor = bk->ub[w] > c->floor ? bk->ub[w] : c->floor;
	bk->key[w][0] = lo;
	bk->key[w][1] = hi;
	c->err[w] = c->floor;
	bk->ub[w] = c->floor + bytes;
	bk->pf[w] = (uint64_t)family << PF_SHIFT | 1;
	return evicted;
}

/* The three lines a packet of hash h may touch in t. A macro, not a
 * function: GCC takes a function holding only prefetches for one without
 * effect and drops its calls. */
#if defined(__GNUC__)
#define TK_PREFETCH(t, h)                                             \
	do {                                                          \
		size_t i_ = (size_t)((h) >> (t)->shift);              \
		__builtin_prefetch((t)->b[i_].key);                   \
		__builtin_prefetch((t)->b[i_].ub, 1);                 \
		__builtin_prefetch(&(t)->c[i_], 1);                   \
	} while (0)
#else
#define TK_PREFETCH(t, h) ((void)(t), (void)(h))
#endif

static void tk_reset(struct talkers *t)
{
	memset(t->b, 0, t->nb * sizeof(*t->b));
	memset(t->c, 0, t->nb * sizeof(*t->c));
}

static void compile_prefixes(struct capture_agg *a,
			     const struct capture_prefixes *pl)
{
	for (int f = 0; f < 2; f++)
		for (size_t i = 0; i < CAPTURE_PREFIX_MAX; i++)
			a->pfx[f].p[i] = (struct prefix_words){.net = {1, 0}};
	for (size_t i = 0; pl && i < pl->n && i < CAPTURE_PREFIX_MAX; i++) {
		const struct capture_prefix *px = &pl->p[i];
		struct prefix_set *ps = &a->pfx[px->family == 6];
		struct prefix_words *w = &ps->p[ps->n++];
		uint8_t m[16] = {0};
		int len = px->len < 0 ? 0 : px->len > 128 ? 128 : px->len;

		for (int bit = 0; bit < len; bit++)
			m[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
		memcpy(w->mask, m, 16);
		memcpy(w->net, px->addr, 16);
		w->net[0] &= w->mask[0];
		w->net[1] &= w->mask[1];
	}
}

static ALWAYS_INLINE int prefix_hit(const struct prefix_words *w,
				     const uint64_t a[2])
{
	return ((a[0] & w->mask[0]) == w->net[0]) &
	       ((a[1] & w->mask[1]) == w->net[1]);
}

/* Which of the addresses s, d (as words) are in a prefix of ps, in one
 * pass: without a branch on a prefix's outcome while the prefixes are few
 * (directions alternate at random on a link: such a branch mispredicts),
 * beyond four, four a step until both are found. v4 (a constant at each
 * call) tests the first word only: an IPv4 address's second is 0, as is
 * its prefixes'. */
static ALWAYS_INLINE void prefix_scan(const struct prefix_set *ps, int v4,
				      const uint64_t s[2], const uint64_t d[2],
				      int ret[2])
{
	int sl = 0, dl = 0;

#define HIT(w, x)                                                            \
	(v4 ? ((x)[0] & (w)->mask[0]) == (w)->net[0] : prefix_hit(w, x))
	if (ps->n <= 4) {
		for (size_t i = 0; i < ps->n; i++) {
			sl |= HIT(&ps->p[i], s);
			dl |= HIT(&ps->p[i], d);
		}
	} else {
		for (size_t i = 0; i < ps->n && !(sl & dl); i += 4)
			for (size_t j = i; j < i + 4; j++) {
				sl |= HIT(&ps->p[j], s);
				dl |= HIT(&ps->p[j], d);
			}
	}
#undef HIT
	ret[0] = sl;
	ret[1] = dl;
}

/* Which of the addresses s, d of family are local. */
static ALWAYS_INLINE void locals(const struct capture_agg *a, int family,
				 const uint64_t s[2], const uint64_t d[2],
				 int ret[2])
{
	if (family == 4)
		prefix_scan(&a->pfx[0], 1, s, d, ret);
	else
		prefix_scan(&a->pfx[1], 0, s, d, ret);
}

int capture_agg_create(const struct capture_agg_config *cfg,
		       struct capture_agg **ret_a)
{
	struct capture_agg *a = calloc(1, sizeof(*a));
	size_t max = cfg && cfg->max_talkers ? cfg->max_talkers : TK_DEFAULT;

	*ret_a = NULL;
	if (!a)
		return -ENOMEM;
	if (max < TK_MIN)
		max = TK_MIN;
	if (max > TK_MAX)
		max = TK_MAX;
	compile_prefixes(a, cfg ? cfg->local : NULL);
	a->ports_used = calloc(2 * NPORTS, sizeof(*a->ports_used));
	if (!a->ports_used || tk_init(&a->tk[0], max) < 0 ||
	    tk_init(&a->tk[1], max) < 0)
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
	tk_free(&a->tk[0]);
	tk_free(&a->tk[1]);
	free(a->ports_used);
	free(a);
}

/* ---- per record ---------------------------------------------------------
 *
 * A record is accounted in two steps, which the drivers take a few records
 * apart (capture_pipe_submit): prepare turns the decoded packet into the
 * few things commit counts (struct capture_rec's accounting fields) and
 * asks for the cache lines commit will touch; commit counts. The common
 * frame skips capture_decode: rec_lean decodes it straight into those
 * fields. What runs per packet is inlined into capture_pipe_submit and
 * written without branches on what varies at random from packet to packet
 * (TCP or UDP, direction, the way a talker holds): on a real link each
 * such branch mispredicts about every other packet. */

_Static_assert((CAPTURE_PIPE_DEPTH & (CAPTURE_PIPE_DEPTH - 1)) == 0,
	       "capture_pipe's ring wraps with head");

#define REC_PORTS 1u       /* port holds the service port */
#define REC_VLAN 2u        /* >= 1 VLAN tag */
#define REC_SNAP 4u        /* snap_truncated */
#define REC_UNSUPPORTED 8u /* unsupported_link */

static ALWAYS_INLINE void count(struct capture_counts *c, uint64_t bytes)
{
	c->packets++;
	c->bytes += bytes;
}

/* The row of a record's service port in the port table (0 TCP, 1 UDP). */
static ALWAYS_INLINE int port_row(const struct capture_rec *r)
{
	return r->proto != CAPTURE_PROTO_TCP;
}

/* Which side's table an address of r goes to, its hash, and the lines
 * commit will touch (talker buckets, port counter). */
static ALWAYS_INLINE void rec_locate(const struct capture_agg *a,
				     struct capture_rec *r)
{
	int l[2];

	locals(a, r->family, r->addr[0], r->addr[1], l);
	r->local[0] = (uint8_t)l[0];
	r->local[1] = (uint8_t)l[1];
	r->hash[0] = hash_key(r->family, r->addr[0][0], r->addr[0][1]);
	r->hash[1] = hash_key(r->family, r->addr[1][0], r->addr[1][1]);
	TK_PREFETCH(&a->tk[l[0]], r->hash[0]);
	TK_PREFETCH(&a->tk[l[1]], r->hash[1]);
#if defined(__GNUC__)
	/* a rarely used port's counter is not cached */
	if (r->flags & REC_PORTS)
		__builtin_prefetch(&a->port[port_row(r)][r->port], 1);
#endif
}

/* The native-order word whose bytes in memory are p[0..3] then four
 * zeros: an IPv4 address as the aggregate keys it (its 16-byte form read
 * as words). One load: building the bytes on the stack and reading them
 * back as a word stalls on store forwarding. */
static ALWAYS_INLINE uint64_t word4(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (uint64_t)v << 32;
#else
	return v;
#endif
}

static ALWAYS_INLINE int is_tpid(uint16_t et)
{
	return et == 0x8100 || et == 0x88a8 || et == 0x9100 || et == 0x9200;
}

/* proto_of without a branch (TCP and UDP alternate at random on a link: a
 * switch on them mispredicts), as proto ^ CAPTURE_PROTO_OTHER_IP so that
 * the entries left 0 mean "other"; and the header length decode_l4 wants
 * (0: no ports). */
#define PX(p) ((p) ^ CAPTURE_PROTO_OTHER_IP)
static const uint8_t proto_xor[256] = {
	[1] = PX(CAPTURE_PROTO_ICMP),
	[6] = PX(CAPTURE_PROTO_TCP),
	[17] = PX(CAPTURE_PROTO_UDP),
	[58] = PX(CAPTURE_PROTO_ICMPV6),
};
#undef PX
static const uint8_t l4_hlen[256] = {[6] = 20, [17] = 8};

/* The IPv6 next-header values walk_ip6_ext follows. */
static ALWAYS_INLINE int is_ip6_ext(int nh)
{
	switch (nh) {
	case 0:
	case 43:
	case 44:
	case 51:
	case 60:
	case 135:
	case 139:
	case 140:
		return 1;
	default:
		return 0;
	}
}

/* The common frame, decoded and prepared in one pass: Ethernet or Linux
 * cooked (v1, v2), up to MAX_VLAN_TAGS tags, IPv4 without options or IPv6
 * without extension headers, within the wire length, and the TCP/UDP
 * ports captured whole (or another IP protocol, or a later IPv4 fragment:
 * no ports). Each test is the one capture_decode makes, narrowed: what
 * passes here, capture_decode accounts the same way; anything else
 * (malformed, cut by the snap length, non-IP, options, extension headers,
 * other link types) returns -1 for capture_decode. */
static ALWAYS_INLINE int rec_lean(const struct capture_agg *a, int linktype,
				  const uint8_t *data, uint32_t caplen,
				  uint32_t wirelen, struct capture_rec *r)
{
	const uint8_t *h;
	uint32_t off, l4, end, tags = 0, hl;
	uint16_t et;
	int nh, ports = 1;

	if (caplen > wirelen || !data)
		return -1;
	switch (linktype) {
	case CAPTURE_LINK_EN10MB:
		off = 14;
		break;
	case CAPTURE_LINK_LINUX_SLL:
		off = 16;
		break;
	case CAPTURE_LINK_LINUX_SLL2:
		off = 20;
		break;
	default:
		return -1;
	}
	if (caplen < off)
		return -1;
	et = be16(data + (linktype == CAPTURE_LINK_LINUX_SLL2 ? 0 : off - 2));
	while (et != ET_IPV4 && is_tpid(et)) {
		if (++tags > MAX_VLAN_TAGS || off + 4 > caplen)
			return -1;
		et = be16(data + off + 2);
		off += 4;
	}
	h = data + off;
	if (et == ET_IPV4) {
		/* no options, a length of its own (not 0) */
		if (off + 20 > caplen || h[0] != 0x45)
			return -1;
		end = be16(h + 2);
		if (end < 20 || off + end > wirelen)
			return -1;
		end += off;
		l4 = off + 20;
		nh = h[9];
		r->family = 4;
		r->addr[0][0] = word4(h + 12);
		r->addr[1][0] = word4(h + 16);
		r->addr[0][1] = r->addr[1][1] = 0;
		ports = (be16(h + 6) & 0x1fff) == 0; /* else a later fragment */
	} else if (et == ET_IPV6) {
		/* no extension header, no jumbogram */
		if (off + 40 > caplen || h[0] >> 4 != 6 || be16(h + 4) == 0)
			return -1;
		end = off + 40 + be16(h + 4);
		if (end > wirelen || is_ip6_ext(h[6]))
			return -1;
		l4 = off + 40;
		nh = h[6];
		r->family = 6;
		memcpy(r->addr[0], h + 8, 16);
		memcpy(r->addr[1], h + 24, 16);
	} else {
		return -1;
	}
	r->flags = tags ? REC_VLAN : 0;
	r->port = 0;
	hl = l4_hlen[nh];
	if (hl && ports) {
		/* the header within the IP length, the ports captured */
		if (l4 + hl > end || l4 + 4 > caplen)
			return -1;
		r->port = be16(data + l4) < be16(data + l4 + 2)
				  ? be16(data + l4)
				  : be16(data + l4 + 2);
		r->flags |= REC_PORTS;
	}
	r->bad = CAPTURE_OK;
	r->proto = (uint8_t)(proto_xor[nh] ^ CAPTURE_PROTO_OTHER_IP);
	rec_locate(a, r);
	return 0;
}

/* capture_agg_prepare: the accounting fields from r->pkt. */
static ALWAYS_INLINE void rec_prepare(const struct capture_agg *a,
				      struct capture_rec *r)
{
	const struct capture_pkt *p = &r->pkt;

	r->bad = (uint8_t)p->bad;
	r->proto = (uint8_t)p->proto;
	r->family = (uint8_t)(p->bad == CAPTURE_OK ? p->family : 0);
	r->flags = (p->has_ports ? REC_PORTS : 0) |
		   (p->vlan_tags > 0 ? REC_VLAN : 0) |
		   (p->snap_truncated ? REC_SNAP : 0) |
		   (p->unsupported_link ? REC_UNSUPPORTED : 0);
	r->port = p->sport < p->dport ? p->sport : p->dport;
	memcpy(r->addr[0], p->src, 16);
	memcpy(r->addr[1], p->dst, 16);
	r->local[0] = r->local[1] = 0;
	r->hash[0] = r->hash[1] = 0;
	if (r->family)
		rec_locate(a, r);
}

static ALWAYS_INLINE void account_ip(struct capture_agg *a,
				     const struct capture_rec *r,
				     uint64_t bytes)
{
	static const uint8_t dirs[4] = {
		CAPTURE_DIR_EXTERNAL, CAPTURE_DIR_IN, /* source remote */
		CAPTURE_DIR_OUT, CAPTURE_DIR_INTERNAL /* source local */
	};
	/* The local address first when the sides differ: on a link's in
	 * and out traffic each lookup below then always meets the same
	 * table, and its hit-or-miss branch predicts (sides at random
	 * mispredict it). Tables of different sides are independent, so
	 * the order changes no count; on one side it stays source first. */
	int f = r->local[0] < r->local[1];

	count(&a->cnt.dir[dirs[r->local[0] << 1 | r->local[1]]], bytes);
	a->cnt.talker_overflow +=
		tk_count(&a->tk[r->local[f]], r->hash[f], r->family,
			 r->addr[f][0], r->addr[f][1], bytes);
	if (r->hash[0] != r->hash[1] || r->addr[0][0] != r->addr[1][0] ||
	    r->addr[0][1] != r->addr[1][1])
		a->cnt.talker_overflow +=
			tk_count(&a->tk[r->local[!f]], r->hash[!f], r->family,
				 r->addr[!f][0], r->addr[!f][1], bytes);
	if (r->flags & REC_PORTS) {
		int k = port_row(r);
		struct capture_counts *c = &a->port[k][r->port];

		if (c->packets == 0)
			a->ports_used[a->nports_used++] =
				(uint32_t)k << 16 | r->port;
		count(c, bytes);
	}
}

/* Is (s1, n1) later than (s2, n2)? */
static int ts_after(int64_t s1, uint32_t n1, int64_t s2, uint32_t n2)
{
	return s1 != s2 ? s1 > s2 : n1 > n2;
}

static ALWAYS_INLINE void rec_commit(struct capture_agg *a,
				     const struct capture_rec *r)
{
	uint32_t wirelen = r->wirelen;
	int64_t ts_sec = r->ts_sec;
	uint32_t ts_nsec = r->ts_nsec;

	if (ts_nsec >= 1000000000u) {
		a->cnt.ts_invalid++;
		ts_sec += ts_nsec / 1000000000u;
		ts_nsec %= 1000000000u;
	}
	if (!a->have_ts) {
		a->first_sec = a->last_sec = ts_sec;
		a->first_nsec = a->last_nsec = ts_nsec;
		a->have_ts = 1;
	} else if (ts_after(ts_sec, ts_nsec, a->last_sec, a->last_nsec)) {
		a->last_sec = ts_sec;
		a->last_nsec = ts_nsec;
	}
	a->cnt.records++;
	if (r->bad != CAPTURE_OK) {
		if (r->bad < CAPTURE_BAD_COUNT)
			a->cnt.malformed[r->bad]++;
		return;
	}
	count(&a->cnt.total, wirelen);
	count(&a->cnt.proto[r->proto], wirelen);
	a->cnt.vlan_tagged += (r->flags & REC_VLAN) != 0;
	if (r->flags & (REC_SNAP | REC_UNSUPPORTED)) {
		a->cnt.snap_truncated += (r->flags & REC_SNAP) != 0;
		a->cnt.unsupported_link += (r->flags & REC_UNSUPPORTED) != 0;
	}
	if (r->family)
		account_ip(a, r, wirelen);
	else
		count(&a->cnt.dir[CAPTURE_DIR_NONIP], wirelen);
}

void capture_agg_prepare(const struct capture_agg *a, struct capture_rec *r)
{
	rec_prepare(a, r);
}

void capture_agg_commit(struct capture_agg *a, const struct capture_rec *r)
{
	rec_commit(a, r);
}

int capture_agg_prepare_lean(const struct capture_agg *a, int linktype,
			     const uint8_t *data, uint32_t caplen,
			     uint32_t wirelen, struct capture_rec *r)
{
	return rec_lean(a, linktype, data, caplen, wirelen, r);
}

void capture_agg_account(struct capture_agg *a, const struct capture_pkt *p,
			 uint32_t wirelen, int64_t ts_sec, uint32_t ts_nsec)
{
	struct capture_rec r = {.pkt = *p, .wirelen = wirelen,
				.ts_sec = ts_sec, .ts_nsec = ts_nsec};

	rec_prepare(a, &r);
	rec_commit(a, &r);
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

void capture_pipe_submit(struct capture_pipe *pp, struct capture_agg *a,
			 int linktype, const uint8_t *data, uint32_t caplen,
			 uint32_t wirelen, int64_t ts_sec, uint32_t ts_nsec)
{
	struct capture_rec *r = &pp->rec[pp->head % CAPTURE_PIPE_DEPTH];

	if (rec_lean(a, linktype, data, caplen, wirelen, r) < 0) {
		capture_decode(linktype, data, caplen, wirelen, &r->pkt);
		rec_prepare(a, r);
	}
	r->wirelen = wirelen;
	r->ts_sec = ts_sec;
	r->ts_nsec = ts_nsec;
	pp->head++;
	if (++pp->pending < CAPTURE_PIPE_DEPTH)
		return;
	rec_commit(a, &pp->rec[pp->head % CAPTURE_PIPE_DEPTH]); /* oldest */
	pp->pending--;
}

void capture_pipe_flush(struct capture_pipe *pp, struct capture_agg *a)
{
	for (; pp->pending > 0; pp->pending--)
		rec_commit(a, &pp->rec[(pp->head - pp->pending) %
				       CAPTURE_PIPE_DEPTH]);
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
	for (size_t i = 0; i < t->nb; i++) {
		const struct tk_bucket *bk = &t->b[i];

		for (int w = 0; w < TK_WAYS; w++) {
			struct capture_talker c = {
				.family = slot_family(bk, w),
				.c = {.packets = bk->pf[w] & PF_PACKETS,
				      .bytes = bk->ub[w] - t->c[i].err[w]},
				.bytes_err = t->c[i].err[w],
			};

			if (!bk->pf[w])
				continue;
			memcpy(c.addr, bk->key[w], 16);
			top_talker(top, n, cap, &c);
		}
	}
}

void capture_agg_summarize(const struct capture_agg *a, size_t top_n,
			   struct capture_interval *ret)
{
	size_t cap = top_n < CAPTURE_TOP_MAX ? top_n : CAPTURE_TOP_MAX;

	*ret = a->cnt;
	if (a->have_ts) {
		ret->first_ts = (double)a->first_sec + a->first_nsec / 1e9;
		ret->last_ts = (double)a->last_sec + a->last_nsec / 1e9;
	}
	summarize_talkers(&a->tk[1], ret->local, &ret->nlocal, cap);
	summarize_talkers(&a->tk[0], ret->remote, &ret->nremote, cap);
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

/* The most an address of dt's bucket i that st does not track may have
 * had in st's stream: the floor of st's bucket holding bucket i's hashes,
 * or the largest of those when st has more buckets. */
static uint64_t st_floor_for(const struct talkers *st,
			     const struct talkers *dt, size_t i)
{
	uint64_t f = 0;
	size_t lo, hi;

	if (st->shift >= dt->shift)
		return st->c[i >> (st->shift - dt->shift)].floor;
	lo = i << (dt->shift - st->shift);
	hi = (i + 1) << (dt->shift - st->shift);
	for (size_t j = lo; j < hi; j++)
		f = st->c[j].floor > f ? st->c[j].floor : f;
	return f;
}

/* Adds st's entries into dt, a merge of Space-Saving summaries (Agarwal
 * et al., "Mergeable summaries", PODS 2012): an address one side does not
 * track may have had up to that side's floor there. So each of dt's
 * entries and bucket floors first gets st's floor for it, which is taken
 * back from an entry when st tracks the address and says how much; an
 * address new to dt gets dt's floor plus st's error. Upper bounds are at
 * worst too high on the way: the invariants hold. Returns the packets
 * evicted. */
static uint64_t tk_merge(struct talkers *dt, const struct talkers *st)
{
	uint64_t evicted = 0;

	for (size_t i = 0; i < dt->nb; i++) {
		struct tk_bucket *bk = &dt->b[i];

		dt->c[i].floor += st_floor_for(st, dt, i);
		for (int w = 0; w < TK_WAYS; w++) {
			uint64_t h, sf;

			if (!bk->pf[w])
				continue;
			h = hash_key(slot_family(bk, w), bk->key[w][0],
				     bk->key[w][1]);
			sf = st->c[h >> st->shift].floor;
			bk->ub[w] += sf;
			dt->c[i].err[w] += sf;
		}
	}
	for (size_t j = 0; j < st->nb; j++) {
		const struct tk_bucket *sb = &st->b[j];

		for (int w = 0; w < TK_WAYS; w++) {
			int fam = slot_family(sb, w);
			uint64_t lo = sb->key[w][0], hi = sb->key[w][1];
			uint64_t h, err = st->c[j].err[w];
			uint64_t bytes = sb->ub[w] - err;
			uint64_t back = err - st->c[j].floor; /* mod 2^64 */
			struct tk_bucket *bk;
			size_t i;
			int k;

			if (!sb->pf[w])
				continue;
			h = hash_key(fam, lo, hi);
			i = (size_t)(h >> dt->shift);
			bk = &dt->b[i];
			k = tk_way(bk, fam, lo, hi);
			if (k < 0) { /* dt's floor has st's already */
				evicted += tk_insert(dt, h, fam, lo, hi,
						     sb->pf[w] & PF_PACKETS,
						     bytes, back);
				continue;
			}
			bk->pf[k] += sb->pf[w] & PF_PACKETS;
			bk->ub[k] += bytes + back;
			dt->c[i].err[k] += back;
		}
	}
	return evicted;
}

void capture_agg_merge(struct capture_agg *dst, const struct capture_agg *src)
{
	struct capture_interval *d = &dst->cnt;
	const struct capture_interval *s = &src->cnt;

	if (src->have_ts) {
		if (!dst->have_ts || ts_after(dst->first_sec, dst->first_nsec,
					      src->first_sec,
					      src->first_nsec)) {
			dst->first_sec = src->first_sec;
			dst->first_nsec = src->first_nsec;
		}
		if (!dst->have_ts || ts_after(src->last_sec, src->last_nsec,
					      dst->last_sec, dst->last_nsec)) {
			dst->last_sec = src->last_sec;
			dst->last_nsec = src->last_nsec;
		}
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
	d->talker_overflow += tk_merge(&dst->tk[1], &src->tk[1]);
	d->talker_overflow += tk_merge(&dst->tk[0], &src->tk[0]);
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
	tk_reset(&a->tk[0]);
	tk_reset(&a->tk[1]);
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
