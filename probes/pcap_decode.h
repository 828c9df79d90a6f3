/*
 * pcap_decode.h - the pure half of the pcap probe: decodes one captured
 * frame (link header, VLAN tags, IPv4/IPv6 with extension headers, TCP/UDP
 * ports) and accounts it into an interval aggregate (direction by local
 * prefixes, protocols, top ports, top talkers, malformed records by reason).
 * Every counter is exact except, once the talker table of one side
 * overflows, the top talkers' bytes and packets: they then come with a
 * bound of their error (see struct capture_talker).
 *
 * No libpcap types appear here: link types are the numeric DLT_/LINKTYPE_
 * values, packets are byte arrays, so the libFuzzer target and the unit
 * tests drive this code without a capture handle. Nothing here allocates
 * per packet or reads past caplen; every length field is checked first.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_PCAP_DECODE_H
#define SLAMON_PROBE_PCAP_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* Link types understood (DLT_ values as pcap_datalink() returns them on
 * Linux, plus the LINKTYPE_ file values that differ). */
#define CAPTURE_LINK_NULL 0        /* BSD loopback, host-order AF */
#define CAPTURE_LINK_EN10MB 1      /* Ethernet, 802.1Q/802.1ad tags */
#define CAPTURE_LINK_RAW12 12      /* DLT_RAW on Linux */
#define CAPTURE_LINK_RAW14 14      /* DLT_RAW on OpenBSD */
#define CAPTURE_LINK_RAW 101       /* LINKTYPE_RAW */
#define CAPTURE_LINK_LOOP 108      /* OpenBSD loopback, network-order AF */
#define CAPTURE_LINK_LINUX_SLL 113 /* Linux cooked v1 */
#define CAPTURE_LINK_IPV4 228
#define CAPTURE_LINK_IPV6 229
#define CAPTURE_LINK_NFLOG 239 /* Linux netfilter log (payload TLV) */
#define CAPTURE_LINK_LINUX_SLL2 276 /* Linux cooked v2 */

/* Most top-N entries a summary holds. */
#define CAPTURE_TOP_MAX 32
/* Most local prefixes (IPv4 and IPv6 together). */
#define CAPTURE_PREFIX_MAX 256

/* Direction of a packet relative to the configured local prefixes. */
enum capture_dir {
	CAPTURE_DIR_IN,       /* remote -> local */
	CAPTURE_DIR_OUT,      /* local -> remote */
	CAPTURE_DIR_INTERNAL, /* local -> local */
	CAPTURE_DIR_EXTERNAL, /* remote -> remote (or no prefixes given) */
	CAPTURE_DIR_NONIP,    /* ARP, LLDP, unsupported link types ... */
	CAPTURE_DIR_COUNT
};

enum capture_proto {
	CAPTURE_PROTO_TCP,
	CAPTURE_PROTO_UDP,
	CAPTURE_PROTO_ICMP,
	CAPTURE_PROTO_ICMPV6,
	CAPTURE_PROTO_OTHER_IP, /* any other IP protocol, ESP, ... */
	CAPTURE_PROTO_NONIP,
	CAPTURE_PROTO_COUNT
};

/* Why a record was not accounted. A malformed record is counted here and
 * in nothing else (its bytes are not traffic we can attribute). */
enum capture_bad {
	CAPTURE_OK = 0,
	CAPTURE_BAD_RECORD,    /* wire length 0, or caplen > wire length */
	CAPTURE_BAD_LINK,      /* link header shorter than its format */
	CAPTURE_BAD_VLAN,      /* more stacked tags than any real network */
	CAPTURE_BAD_IP_HEADER, /* version/IHL/extension header inconsistent */
	CAPTURE_BAD_IP_LENGTH, /* IP length beyond the frame on the wire */
	CAPTURE_BAD_L4,        /* TCP/UDP header cut short inside the frame */
	CAPTURE_BAD_COUNT
};

/* Everything the decoder learnt of one frame. Addresses are 16 bytes; an
 * IPv4 address uses the first 4 (the rest is zero). */
struct capture_pkt {
	enum capture_bad bad;
	int family;            /* 4, 6, or 0 for non-IP */
	int ipproto;           /* IP protocol number, -1 when non-IP/unknown */
	enum capture_proto proto;
	int has_ports;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
	uint16_t ethertype;    /* innermost ethertype, 0 when none */
	int vlan_tags;         /* number of 802.1Q/802.1ad tags seen */
	int snap_truncated;    /* caplen cut a header: decoded as far as it got */
	int unsupported_link;  /* link type not decoded: counted as non-IP */
};

/* Decodes one frame. data holds caplen bytes; wirelen is the length on the
 * wire. Never reads outside data[0..caplen). Fills *ret (ret->bad says
 * whether the frame was malformed); never fails otherwise. */
void capture_decode(int linktype, const uint8_t *data, uint32_t caplen,
		    uint32_t wirelen, struct capture_pkt *ret);

/* One local prefix. */
struct capture_prefix {
	int family; /* 4 or 6 */
	int len;    /* prefix length in bits */
	uint8_t addr[16];
};

/* The local prefix list deciding direction. Plain data: zero it to start. */
struct capture_prefixes {
	size_t n;
	struct capture_prefix p[CAPTURE_PREFIX_MAX];
};

/* Parses one CIDR ("10.0.0.0/8", "2001:db8::/32"; no "/len" means a host)
 * and appends it. Returns 0, -EINVAL (message in err) or -ENOSPC. */
int capture_prefixes_add(struct capture_prefixes *pl, const char *cidr,
			 char *err, size_t errlen);

/* Is addr (family 4 or 6) inside one of the prefixes? */
int capture_prefixes_match(const struct capture_prefixes *pl, int family,
			   const uint8_t *addr);

struct capture_counts {
	uint64_t packets;
	uint64_t bytes; /* wire lengths (L2 frame without FCS, as ifInOctets
	                   minus FCS on Linux), never caplen */
};

/* A top-ports entry: the service port of a TCP/UDP flow is the lower of
 * its two port numbers. */
struct capture_port {
	int proto; /* CAPTURE_PROTO_TCP or CAPTURE_PROTO_UDP */
	uint16_t port;
	struct capture_counts c;
};

/* A top-talkers entry: bytes sent plus received by one address.
 *
 * Each side (local, remote) is counted in a table of max_talkers slots in
 * buckets of four, each bucket a Space-Saving summary (Metwally, Agrawal,
 * El Abbadi, ICDT 2005): a new address takes a free slot of its bucket,
 * or, the bucket full, the slot with the fewest bytes, inheriting that
 * count as its error. So c counts what the address sent and received since
 * it got its slot and it may have exchanged up to bytes_err bytes before:
 * its true bytes lie in [c.bytes, c.bytes + bytes_err], its true packets
 * are >= c.packets. bytes_err is 0 (exact) unless its bucket overflowed,
 * which talker_overflow counts; with at most max_talkers / 16 addresses on
 * the side that is rare (a few buckets in 100 intervals). An address that
 * sent more than a quarter of the
 * bytes of the addresses sharing its bucket (on average, the side's bytes
 * / max_talkers) is never evicted, however many other addresses come. The
 * list is in the order of c.bytes. */
struct capture_talker {
	int family;
	uint8_t addr[16];
	struct capture_counts c;
	uint64_t bytes_err; /* 0: exact; else true bytes <= c.bytes + this */
};

/* One interval's (or a whole file's) accounting: fixed size, pointer free,
 * so it crosses threads and modules by copy. */
struct capture_interval {
	int64_t start;        /* interval start, unix seconds (aligned) */
	double length_s;      /* nominal interval length */
	double first_ts;      /* first and last packet time, 0 when none */
	double last_ts;
	int complete;         /* 0: cut short (capture stopped, file ended) */
	uint64_t records;     /* every record seen, malformed ones too */
	struct capture_counts total; /* accounted (not malformed) records */
	struct capture_counts dir[CAPTURE_DIR_COUNT];
	struct capture_counts proto[CAPTURE_PROTO_COUNT];
	uint64_t malformed[CAPTURE_BAD_COUNT]; /* [CAPTURE_OK] stays 0 */
	uint64_t snap_truncated;   /* headers cut by the snap length */
	uint64_t unsupported_link; /* frames of a link type not decoded */
	uint64_t vlan_tagged;      /* frames carrying >= 1 VLAN tag */
	uint64_t ts_backwards;     /* time went back: kept in this interval */
	uint64_t ts_invalid;       /* fraction >= 1 s (normalised) */
	uint64_t talker_overflow;  /* packets of addresses evicted from a
	                              full talker bucket (0: local[] and
	                              remote[] are exact) */
	/* Live capture only (stats_valid = 1): pcap_stats deltas over the
	 * interval. ps_drop: dropped by the kernel ring (buffer too small or
	 * reader too slow); ps_ifdrop: dropped by the interface/driver. */
	int stats_valid;
	uint64_t drops;
	uint64_t ifdrops;
	size_t nports, nlocal, nremote;
	struct capture_port ports[CAPTURE_TOP_MAX];
	struct capture_talker local[CAPTURE_TOP_MAX];  /* local addresses */
	struct capture_talker remote[CAPTURE_TOP_MAX]; /* remote addresses */
};

/* Bits per second of c over the interval's length (0 when length is 0). */
double capture_bps(const struct capture_counts *c, double length_s);

struct capture_agg_config {
	const struct capture_prefixes *local; /* copied; NULL: none local */
	size_t max_talkers; /* talker slots per side (local, remote), rounded
	                       up to a power of two; 0: 16384, at least 64 */
};

/* The accumulator behind one capture_interval. */
struct capture_agg;

/* Creates an empty aggregate. Returns 0 or -ENOMEM (then *ret_a is NULL).
 * About 2 MB (port tables) plus two talker tables of 48 bytes per slot,
 * which start at 1024 slots and double when a bucket is full, up to
 * max_talkers (a failed growth is not an error: the bucket evicts). */
int capture_agg_create(const struct capture_agg_config *cfg,
		       struct capture_agg **ret_a);
void capture_agg_destroy(struct capture_agg *a); /* accepts NULL */

/* Decodes one record and accounts it; ts is the capture time. Returns the
 * decode result's bad reason (CAPTURE_OK when accounted). ret_pkt, when
 * not NULL, receives the decoded packet. */
enum capture_bad capture_agg_add(struct capture_agg *a, int linktype,
				 const uint8_t *data, uint32_t caplen,
				 uint32_t wirelen, int64_t ts_sec,
				 uint32_t ts_nsec, struct capture_pkt *ret_pkt);

/* Accounts one record already decoded by capture_decode (the capture
 * drivers decode once, then account into two aggregates). */
void capture_agg_account(struct capture_agg *a, const struct capture_pkt *p,
			 uint32_t wirelen, int64_t ts_sec, uint32_t ts_nsec);

/* One record on its way into an aggregate. The driver sets pkt
 * (capture_decode), wirelen and the time; capture_agg_prepare derives from
 * pkt the accounting fields below, which with wirelen and the time are all
 * capture_agg_commit reads (capture_agg_prepare_lean fills them from the
 * frame, without pkt). Plain data. */
struct capture_rec {
	struct capture_pkt pkt;
	uint32_t wirelen;
	int64_t ts_sec;
	uint32_t ts_nsec;
	/* accounting fields */
	uint8_t bad;         /* enum capture_bad */
	uint8_t proto;       /* enum capture_proto */
	uint8_t family;      /* 4, 6; 0: non-IP or malformed */
	uint8_t flags;       /* has ports, VLAN, snap-truncated, ... */
	uint8_t local[2];    /* source, destination in a local prefix */
	uint16_t port;       /* the service port, when it has ports */
	uint64_t addr[2][2]; /* source, destination as native-order words */
	uint64_t hash[2];    /* of source, destination */
};

/* capture_agg_account in two steps, for a driver that accounts each
 * record a few records late (struct capture_pipe does): prepare finds
 * which side each address is on, hashes it and asks the CPU for the
 * table lines it will touch, counting nothing; commit, later, accounts it
 * into the same aggregate without waiting for memory (what prepare found
 * does not depend on what a counted meanwhile). Together they count
 * exactly what capture_agg_account does. */
void capture_agg_prepare(const struct capture_agg *a, struct capture_rec *r);
void capture_agg_commit(struct capture_agg *a, const struct capture_rec *r);

/* capture_decode and capture_agg_prepare in one pass, for the frames most
 * links carry: Ethernet or Linux cooked (v1, v2), up to 8 VLAN tags, IPv4
 * without options or IPv6 without extension headers, within the wire
 * length, with the TCP/UDP ports captured (or another IP protocol, or a
 * later IPv4 fragment). Returns 0 with r's accounting fields exactly as
 * capture_decode then capture_agg_prepare set them (r->pkt untouched), or
 * -1 for any other frame (malformed, cut by the snap length, non-IP, other
 * link types, ...): then decode it with capture_decode. */
int capture_agg_prepare_lean(const struct capture_agg *a, int linktype,
			     const uint8_t *data, uint32_t caplen,
			     uint32_t wirelen, struct capture_rec *r);

/* Records in flight for a capture driver: each record submitted is
 * decoded and prepared at once and committed CAPTURE_PIPE_DEPTH - 1
 * records later (or at the flush), by which time the table lines it
 * touches have come in. Plain data; zero it to start. */
#define CAPTURE_PIPE_DEPTH 4 /* a power of two */
struct capture_pipe {
	struct capture_rec rec[CAPTURE_PIPE_DEPTH];
	unsigned head;    /* records submitted (mod 2^32) */
	unsigned pending; /* of those, not committed yet */
};

/* Decodes and prepares one record (capture_agg_prepare_lean, else
 * capture_decode and capture_agg_prepare) and, once CAPTURE_PIPE_DEPTH - 1
 * others are pending, commits the oldest into a: the records are counted
 * in the order submitted, exactly as capture_agg_add counts them. All
 * records of a pipe go to one aggregate: flush before summarizing,
 * resetting or merging it. */
void capture_pipe_submit(struct capture_pipe *pp, struct capture_agg *a,
			 int linktype, const uint8_t *data, uint32_t caplen,
			 uint32_t wirelen, int64_t ts_sec, uint32_t ts_nsec);

/* Commits the records still pending into a, oldest first. */
void capture_pipe_flush(struct capture_pipe *pp, struct capture_agg *a);

/* Counts one record whose timestamp went backwards (the driver decides). */
void capture_agg_note_backwards(struct capture_agg *a);

/* Writes the aggregate into *ret with the top_n (<= CAPTURE_TOP_MAX)
 * largest ports and talkers by bytes (ties: more packets, then lower port
 * or address; talkers by their counted bytes, see struct capture_talker).
 * start/length_s/complete/stats fields are the caller's. */
void capture_agg_summarize(const struct capture_agg *a, size_t top_n,
			   struct capture_interval *ret);

/* Empties the aggregate for the next interval; cost proportional to what
 * the interval touched. */
void capture_agg_reset(struct capture_agg *a);

/* Adds everything src counted (counters, talkers, ports) into dst, as if
 * dst had seen src's packets. A whole-file total built by merging each
 * closed interval costs one table update per address and interval instead
 * of one per packet. Counters and ports add exactly; talkers add their
 * bytes and their error bounds (a merge of Space-Saving summaries: an
 * address one side did not track may have had up to what that side's
 * bucket evicted), so the total is exact when every interval was and no
 * bucket of dst overflows; talkers evicted from dst to make room are
 * counted in dst's talker_overflow (by their packets). */
void capture_agg_merge(struct capture_agg *dst, const struct capture_agg *src);

/* Names for output ("in", "tcp", "ip-length", ...). */
const char *capture_dir_name(enum capture_dir d);
const char *capture_proto_name(enum capture_proto p);
const char *capture_bad_name(enum capture_bad b);

/* Text form of a talker's address into buf (INET6_ADDRSTRLEN is enough). */
const char *capture_addr_str(int family, const uint8_t *addr, char *buf,
			     size_t len);

#endif
