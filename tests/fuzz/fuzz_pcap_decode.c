/*
 * fuzz_pcap_decode.c - libFuzzer target for the pcap probe's decoder and
 * aggregate (probes/pcap_decode.c). Not built by CMake; see
 * tests/fuzz/README.md for the build line.
 *
 * Input: byte 0 picks the link type, byte 1 the difference between wire
 * length and caplen (255: caplen > wire length, a malformed record), the
 * rest is the captured frame. libFuzzer hands over an exactly sized
 * buffer, so any read past caplen is an ASan report. The lean path of
 * the capture drivers (capture_agg_prepare_lean) must, when it takes the
 * frame, prepare it exactly as capture_decode + capture_agg_prepare do;
 * the frame is then also counted through a capture_pipe into a second
 * aggregate, whose summary must equal the first one's. The interval's
 * talker table is small (64 slots), so its buckets fill and evict; every
 * 1024 inputs it is summarized and merged into a whole-run total (up to
 * 4096 slots: it grows from 1024), and both summaries are checked against
 * their own contract.
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probes/pcap_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = {
	CAPTURE_LINK_EN10MB,	 CAPTURE_LINK_LINUX_SLL,
	CAPTURE_LINK_LINUX_SLL2, CAPTURE_LINK_RAW,
	CAPTURE_LINK_RAW12,	 CAPTURE_LINK_RAW14,
	CAPTURE_LINK_NULL,	 CAPTURE_LINK_LOOP,
	CAPTURE_LINK_IPV4,	 CAPTURE_LINK_IPV6,
	CAPTURE_LINK_NFLOG,	 138,
};

static struct capture_agg *agg, *total, *piped;
static struct capture_pipe pipe;
static struct capture_interval iv, iv2;

static void init(void)
{
	static struct capture_prefixes pl;
	struct capture_agg_config ac = {.local = &pl, .max_talkers = 64};
	struct capture_agg_config tc = {.local = &pl, .max_talkers = 4096};
	char err[128];

	capture_prefixes_add(&pl, "10.0.0.0/8", err, sizeof(err));
	capture_prefixes_add(&pl, "192.168.0.0/16", err, sizeof(err));
	capture_prefixes_add(&pl, "2001:db8::/32", err, sizeof(err));
	capture_prefixes_add(&pl, "fe80::/10", err, sizeof(err));
	if (capture_agg_create(&ac, &agg) < 0 ||
	    capture_agg_create(&ac, &piped) < 0 ||
	    capture_agg_create(&tc, &total) < 0)
		abort();
}

/* A summary's own contract: talkers in order of counted bytes, each with
 * at least one packet and byte, none more than the interval carried. */
static void check_summary(const struct capture_interval *s)
{
	const struct capture_talker *lists[2] = {s->local, s->remote};
	size_t n[2] = {s->nlocal, s->nremote};

	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < n[l]; i++) {
			const struct capture_talker *t = &lists[l][i];

			if ((t->family != 4 && t->family != 6) ||
			    t->c.packets == 0 || t->c.bytes == 0 ||
			    t->c.bytes > s->total.bytes ||
			    t->c.packets > s->total.packets ||
			    (i && t->c.bytes > lists[l][i - 1].c.bytes))
				abort();
		}
}

/* The lean path against the decoder on one frame. */
static void check_lean(int link, const uint8_t *f, uint32_t caplen,
		       uint32_t wirelen)
{
	static struct capture_rec lean, gen;

	if (capture_agg_prepare_lean(agg, link, f, caplen, wirelen, &lean) < 0)
		return;
	capture_decode(link, f, caplen, wirelen, &gen.pkt);
	capture_agg_prepare(agg, &gen);
	if (gen.pkt.bad != CAPTURE_OK || lean.bad != gen.bad ||
	    lean.proto != gen.proto || lean.family != gen.family ||
	    lean.flags != gen.flags || lean.port != gen.port ||
	    lean.local[0] != gen.local[0] || lean.local[1] != gen.local[1] ||
	    memcmp(lean.addr, gen.addr, sizeof(lean.addr)) != 0 ||
	    lean.hash[0] != gen.hash[0] || lean.hash[1] != gen.hash[1])
		abort();
}

/* The two summaries of one stream of records: the same counts. */
static void check_same(const struct capture_interval *x,
		       const struct capture_interval *y)
{
	if (x->records != y->records || x->total.bytes != y->total.bytes ||
	    x->talker_overflow != y->talker_overflow ||
	    x->nports != y->nports || x->nlocal != y->nlocal ||
	    x->nremote != y->nremote ||
	    memcmp(x->dir, y->dir, sizeof(x->dir)) != 0 ||
	    memcmp(x->proto, y->proto, sizeof(x->proto)) != 0 ||
	    memcmp(x->malformed, y->malformed, sizeof(x->malformed)) != 0)
		abort();
	for (size_t i = 0; i < x->nremote; i++)
		if (memcmp(x->remote[i].addr, y->remote[i].addr, 16) != 0 ||
		    x->remote[i].c.bytes != y->remote[i].c.bytes ||
		    x->remote[i].bytes_err != y->remote[i].bytes_err)
			abort();
	for (size_t i = 0; i < x->nports; i++)
		if (x->ports[i].port != y->ports[i].port ||
		    x->ports[i].c.bytes != y->ports[i].c.bytes)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long runs;
	struct capture_pkt p;
	uint32_t caplen, wirelen;
	int link;

	if (!agg)
		init();
	if (size < 2 || size > 262144 + 2)
		return 0;
	link = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	caplen = (uint32_t)(size - 2);
	wirelen = data[1] == 255 ? caplen - (caplen > 0) : caplen + data[1];
	capture_decode(link, data + 2, caplen, wirelen, &p);
	if (p.bad >= CAPTURE_BAD_COUNT || p.proto >= CAPTURE_PROTO_COUNT ||
	    (p.has_ports && p.family == 0))
		abort(); /* the decoder's own contract */
	check_lean(link, data + 2, caplen, wirelen);
	capture_agg_add(agg, link, data + 2, caplen, wirelen, (int64_t)runs,
			(uint32_t)(data[1] * 4000000u), NULL);
	capture_pipe_submit(&pipe, piped, link, data + 2, caplen, wirelen,
			    (int64_t)runs, (uint32_t)(data[1] * 4000000u));
	if (++runs % 1024 == 0) {
		capture_agg_summarize(agg, CAPTURE_TOP_MAX, &iv);
		check_summary(&iv);
		capture_pipe_flush(&pipe, piped);
		capture_agg_summarize(piped, CAPTURE_TOP_MAX, &iv2);
		check_same(&iv, &iv2);
		capture_agg_reset(piped);
		capture_agg_merge(total, agg);
		capture_agg_reset(agg);
		capture_agg_summarize(total, CAPTURE_TOP_MAX, &iv);
		check_summary(&iv);
	}
	return 0;
}
