/*
 * pcap.c - the pcap probe's libpcap side: reading capture files, opening a
 * live TPACKET_V3 handle and running it on a thread of its own, cutting the
 * stream of records into wall-clock-aligned intervals for the decoder's
 * aggregate (pcap_decode.c).
 *
 * libpcap reads files in nanosecond precision (pcap_open_offline_with_
 * tstamp_precision scales microsecond files); pcap_next_ex's packet data
 * is only valid until the next call, so it is decoded before that. Live:
 * pcap_set_immediate_mode(0) keeps TPACKET_V3 block delivery (one wakeup
 * per block, not per packet); the block timeout bounds how late a quiet
 * link's packets and the interval flush are. pcap_stats on Linux reports
 * ps_drop cumulatively since activation (libpcap keeps the total, the
 * kernel's PACKET_STATISTICS resets on read) and ps_ifdrop from the
 * interface's rx_dropped since activation; intervals get the deltas.
 * SPDX-License-Identifier: MIT
 */
#include <pcap/pcap.h>

#include "pcap.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DEFAULT_INTERVAL 60.0
#define DEFAULT_TOP 10
#define DEFAULT_SNAPLEN 128
#define DEFAULT_BUFFER (32 * 1024 * 1024)
#define DEFAULT_TIMEOUT_MS 100

/* ---- intervals --------------------------------------------------------- */

/* Cuts records into aligned intervals of one aggregate and optionally
 * accounts them into a whole-run aggregate too. */
struct bucketer {
	struct capture_agg *agg;   /* current interval */
	struct capture_agg *total; /* whole run, or NULL */
	int64_t iv;                /* interval length, whole seconds */
	size_t top_n;
	int open;                  /* an interval is current */
	int64_t start;             /* its start */
	int64_t first_start;
	int64_t last_sec; /* latest record time, fraction normalised */
	uint32_t last_nsec;
	int have_ts;
	capture_interval_cb cb;
	void *arg;
	size_t nemitted;
	/* records decoded, not counted yet: each is counted a few records
	 * later (or at the flush), once its table lines have come in */
	struct capture_pipe pipe;
	struct capture_interval scratch; /* big: not on the thread stack */
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void options_norm(const struct capture_options *in,
			 struct capture_options *out)
{
	*out = in ? *in : (struct capture_options){0};
	if (!(out->interval_s >= 1))
		out->interval_s = DEFAULT_INTERVAL;
	out->interval_s = floor(out->interval_s);
	if (out->interval_s > 86400.0 * 366)
		out->interval_s = 86400.0 * 366;
	if (out->top_n == 0)
		out->top_n = DEFAULT_TOP;
	if (out->top_n > CAPTURE_TOP_MAX)
		out->top_n = CAPTURE_TOP_MAX;
}

static int bucketer_init(struct bucketer *b, const struct capture_options *o,
			 int with_total)
{
	struct capture_agg_config ac = {.local = o->local,
					.max_talkers = o->max_talkers};

	memset(b, 0, sizeof(*b));
	b->last_sec = INT64_MIN;
	b->iv = (int64_t)o->interval_s;
	b->top_n = o->top_n;
	if (capture_agg_create(&ac, &b->agg) < 0)
		return -ENOMEM;
	if (with_total && capture_agg_create(&ac, &b->total) < 0) {
		capture_agg_destroy(b->agg);
		b->agg = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void bucketer_free(struct bucketer *b)
{
	capture_agg_destroy(b->agg);
	capture_agg_destroy(b->total);
	b->agg = b->total = NULL;
}

/* Hands the current interval to the callback (with the drop deltas when
 * stats is not NULL) and empties it. */
static void bucketer_flush(struct bucketer *b, int complete,
			   const uint64_t *stats)
{
	struct capture_interval *iv = &b->scratch;

	if (!b->open)
		return;
	capture_pipe_flush(&b->pipe, b->agg);
	capture_agg_summarize(b->agg, b->top_n, iv);
	iv->start = b->start;
	iv->length_s = (double)b->iv;
	iv->complete = complete;
	if (stats) {
		iv->stats_valid = 1;
		iv->drops = stats[0];
		iv->ifdrops = stats[1];
	}
	if (b->cb)
		b->cb(b->arg, iv);
	b->nemitted++;
	if (b->total) /* the whole-file total, one merge per interval */
		capture_agg_merge(b->total, b->agg);
	capture_agg_reset(b->agg);
}

static void bucketer_open(struct bucketer *b, int64_t start)
{
	b->open = 1;
	b->start = start;
	if (b->nemitted == 0 && !b->have_ts)
		b->first_start = start;
}

/* A record at s outside the current interval, or none open: a record past
 * it flushes it first (live: stats fetched by the caller's flush instead)
 * and opens the record's; one before it (time went back) stays in it. */
static void bucketer_turn(struct bucketer *b, int64_t s, void (*flush)(void *),
			  void *flush_arg)
{
	int64_t bstart = floor_div(s, b->iv) * b->iv;

	if (!b->open) {
		bucketer_open(b, bstart);
	} else if (bstart > b->start) {
		if (flush)
			flush(flush_arg);
		else
			bucketer_flush(b, 1, NULL);
		bucketer_open(b, bstart);
	}
}

/* Accounts one record at its time. Per record this is a few integer
 * compares: the interval is only recomputed (a division) for a record
 * outside the current one. The record is decoded now (libpcap's buffer is
 * only valid until the next call) and accounted a few records later, once
 * the table lines it needs have been fetched (capture_pipe_submit). */
static inline void bucketer_add(struct bucketer *b, int linktype,
				const uint8_t *data, uint32_t caplen,
				uint32_t wirelen, int64_t sec, uint32_t nsec,
				void (*flush)(void *), void *flush_arg)
{
	int64_t s = sec;
	uint32_t ns = nsec;

	/* a fraction >= 1 s is carried here and counted (ts_invalid) by
	 * the aggregate, which gets the raw values */
	if (ns >= 1000000000u) {
		s += ns / 1000000000u;
		ns %= 1000000000u;
	}
	/* last_sec starts at INT64_MIN: the first record goes forward */
	if (s > b->last_sec || (s == b->last_sec && ns >= b->last_nsec)) {
		b->last_sec = s;
		b->last_nsec = ns;
	} else {
		capture_agg_note_backwards(b->agg);
	}
	/* s outside [start, start + iv), as one unsigned compare */
	if (!b->open || (uint64_t)s - (uint64_t)b->start >= (uint64_t)b->iv)
		bucketer_turn(b, s, flush, flush_arg);
	b->have_ts = 1;
	capture_pipe_submit(&b->pipe, b->agg, linktype, data, caplen, wirelen,
			    sec, nsec);
}

/* ---- offline ----------------------------------------------------------- */

static void copy_name(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "?");
}

int capture_file_account(const char *path, const struct capture_options *opt,
			 capture_interval_cb cb, void *arg,
			 struct capture_interval *ret_total,
			 struct capture_file_info *ret_info, char *err,
			 size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct capture_file_info info = {0};
	struct capture_options o;
	struct bucketer *b = NULL;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct stat st;
	pcap_t *p;
	int rc;

	options_norm(opt, &o);
	memset(ret_total, 0, sizeof(*ret_total));
	p = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		/* libpcap's message often names the file already */
		if (strncmp(ebuf, path, strlen(path)) == 0)
			snprintf(err, errlen, "%s", ebuf);
		else
			snprintf(err, errlen, "%s: %s", path, ebuf);
		return stat(path, &st) < 0 ? -ENOENT : -EINVAL;
	}
	b = malloc(sizeof(*b));
	if (!b || bucketer_init(b, &o, 1) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -ENOMEM;
		goto out;
	}
	b->cb = cb;
	b->arg = arg;
	info.linktype = pcap_datalink(p);
	copy_name(info.linktype_name, sizeof(info.linktype_name),
		  pcap_datalink_val_to_name(info.linktype));
	while ((rc = pcap_next_ex(p, &h, &data)) == 1)
		bucketer_add(b, info.linktype, data, h->caplen, h->len,
			     (int64_t)h->ts.tv_sec, (uint32_t)h->ts.tv_usec,
			     NULL, NULL);
	if (rc == PCAP_ERROR) {
		info.read_error = 1;
		copy_name(info.read_msg, sizeof(info.read_msg), pcap_geterr(p));
	}
	bucketer_flush(b, 0, NULL);
	capture_agg_summarize(b->total, b->top_n, ret_total);
	ret_total->start = b->first_start;
	ret_total->length_s = ret_total->last_ts - ret_total->first_ts;
	info.nintervals = b->nemitted;
	rc = 0;
out:
	if (b)
		bucketer_free(b);
	free(b);
	pcap_close(p);
	if (ret_info)
		*ret_info = info;
	return rc;
}

/* ---- live -------------------------------------------------------------- */

struct capture_live {
	pcap_t *p;
	int linktype;
	int timeout_ms;
	char ifname[64];
	char warning[PCAP_ERRBUF_SIZE];
	struct capture_options opt;
	struct capture_prefixes local;
	struct bucketer b;
	pthread_t thread;
	int started;
	atomic_int stopping;
	pthread_mutex_t lock; /* guards the totals below */
	uint64_t tot_packets, tot_bytes;
	uint64_t last_drop, last_ifdrop; /* pcap_stats at last flush */
	uint64_t stat_drop, stat_ifdrop; /* latest pcap_stats */
	char thread_error[PCAP_ERRBUF_SIZE];
};

static double now_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Flushes the current interval with the pcap_stats deltas since the last
 * flush (pcap_stats u_int counters wrap at 2^32: unsigned deltas). */
static void live_flush(struct capture_live *c, int complete)
{
	struct pcap_stat ps;
	uint64_t d[2] = {0, 0};

	if (pcap_stats(c->p, &ps) == 0) {
		d[0] = (uint32_t)(ps.ps_drop - (u_int)c->last_drop);
		d[1] = (uint32_t)(ps.ps_ifdrop - (u_int)c->last_ifdrop);
		c->last_drop = ps.ps_drop;
		c->last_ifdrop = ps.ps_ifdrop;
		pthread_mutex_lock(&c->lock);
		c->stat_drop += d[0];
		c->stat_ifdrop += d[1];
		pthread_mutex_unlock(&c->lock);
	}
	bucketer_flush(&c->b, complete, d);
}

static void live_flush_cb(void *arg)
{
	live_flush(arg, 1);
}

static void live_handler(u_char *user, const struct pcap_pkthdr *h,
			 const u_char *data)
{
	struct capture_live *c = (struct capture_live *)(void *)user;

	bucketer_add(&c->b, c->linktype, data, h->caplen, h->len,
		     (int64_t)h->ts.tv_sec, (uint32_t)h->ts.tv_usec,
		     live_flush_cb, c);
	pthread_mutex_lock(&c->lock);
	c->tot_packets++;
	c->tot_bytes += h->len;
	pthread_mutex_unlock(&c->lock);
}

/* Flushes intervals whose end passed more than the grace (two ring block
 * timeouts: their packets have been delivered by now) ago; a long stall
 * (suspend, clock step) jumps to the present instead of emitting empties
 * one by one. */
static void live_tick(struct capture_live *c)
{
	struct bucketer *b = &c->b;
	double now = now_realtime();
	double grace = 2.0 * c->timeout_ms / 1000.0;
	int64_t cur = floor_div((int64_t)now, b->iv) * b->iv;
	int64_t next;
	int n = 0;

	while ((double)(b->start + b->iv) + grace <= now) {
		live_flush(c, 1);
		next = b->start + b->iv;
		if (++n >= 10 && next < cur)
			next = cur;
		bucketer_open(b, next);
	}
}

/* With TPACKET_V3 the kernel hands a block over only once it holds a
 * packet, so a blocking pcap_dispatch never returns on an idle link and
 * its intervals would never close. The handle is made non-blocking and
 * the thread waits on its fd with a timeout instead: an idle link still
 * gets its (empty) interval on time. */
static void live_wait(struct capture_live *c)
{
	struct pollfd pfd = {.fd = pcap_get_selectable_fd(c->p),
			     .events = POLLIN};
	int timeout_ms = c->timeout_ms > 0 && c->timeout_ms < 1000
				 ? c->timeout_ms
				 : 1000;

	if (pfd.fd < 0) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		nanosleep(&ts, NULL);
		return;
	}
	(void)poll(&pfd, 1, timeout_ms);
}

static void *live_main(void *arg)
{
	struct capture_live *c = arg;
	char ebuf[PCAP_ERRBUF_SIZE];
	int n;

	bucketer_open(&c->b, floor_div((int64_t)now_realtime(), c->b.iv) *
				     c->b.iv);
	if (pcap_setnonblock(c->p, 1, ebuf) < 0)
		copy_name(c->thread_error, sizeof(c->thread_error), ebuf);
	while (!atomic_load(&c->stopping)) {
		live_wait(c);
		n = pcap_dispatch(c->p, -1, live_handler, (u_char *)c);
		if (n == PCAP_ERROR_BREAK)
			break;
		if (n == PCAP_ERROR) {
			/* interface gone, ...: the thread ends, the
			 * daemon sees no more intervals */
			copy_name(c->thread_error, sizeof(c->thread_error),
				  pcap_geterr(c->p));
			break;
		}
		live_tick(c);
	}
	live_flush(c, 0);
	return NULL;
}

static int open_fail(pcap_t *p, int rc, const char *ifname, const char *what,
		     char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", ifname, what);
	if (p)
		pcap_close(p);
	return rc;
}

static int activate_errno(int rc)
{
	switch (rc) {
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		return -EPERM;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		return -ENODEV;
	case PCAP_ERROR_IFACE_NOT_UP:
		return -ENETDOWN;
	default:
		return -EIO;
	}
}

/* Sets up and activates the handle; returns it or NULL with err set. */
static pcap_t *live_activate(const struct capture_live_config *cfg,
			     char *warning, int *ret_rc, char *err,
			     size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(cfg->ifname, ebuf);
	int rc;

	if (!p) {
		*ret_rc = open_fail(NULL, -ENODEV, cfg->ifname, ebuf, err,
				    errlen);
		return NULL;
	}
	pcap_set_snaplen(p, cfg->snaplen > 0 ? cfg->snaplen : DEFAULT_SNAPLEN);
	pcap_set_promisc(p, cfg->promisc ? 1 : 0);
	pcap_set_timeout(p, cfg->timeout_ms > 0 ? cfg->timeout_ms
						: DEFAULT_TIMEOUT_MS);
	pcap_set_immediate_mode(p, 0); /* TPACKET_V3 blocks */
	pcap_set_buffer_size(p, cfg->buffer_bytes > 0 ? cfg->buffer_bytes
						      : DEFAULT_BUFFER);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(p);
	if (rc > 0) /* PCAP_WARNING_*: running, but say so */
		snprintf(warning, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
	if (rc < 0) {
		const char *msg = pcap_geterr(p);

		if (!msg || !*msg)
			msg = pcap_statustostr(rc);
		*ret_rc = open_fail(p, activate_errno(rc), cfg->ifname, msg,
				    err, errlen);
		return NULL;
	}
	*ret_rc = 0;
	return p;
}

/* Direction and BPF filter on an activated handle. */
static int live_filter(pcap_t *p, const struct capture_live_config *cfg,
		       char *err, size_t errlen)
{
	static const pcap_direction_t dirs[] = {PCAP_D_INOUT, PCAP_D_IN,
						PCAP_D_OUT};
	struct bpf_program prog;
	char msg[PCAP_ERRBUF_SIZE + 64];

	if ((unsigned)cfg->direction > CAPTURE_CAPDIR_OUT)
		return open_fail(NULL, -EINVAL, cfg->ifname, "bad direction",
				 err, errlen);
	if (cfg->direction != CAPTURE_CAPDIR_INOUT &&
	    pcap_setdirection(p, dirs[cfg->direction]) < 0)
		return open_fail(NULL, -EINVAL, cfg->ifname, pcap_geterr(p),
				 err, errlen);
	if (!cfg->filter || !*cfg->filter)
		return 0;
	if (pcap_compile(p, &prog, cfg->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(msg, sizeof(msg), "filter \"%.64s\": %s", cfg->filter,
			 pcap_geterr(p));
		return open_fail(NULL, -EINVAL, cfg->ifname, msg, err, errlen);
	}
	if (pcap_setfilter(p, &prog) < 0) {
		pcap_freecode(&prog);
		return open_fail(NULL, -EINVAL, cfg->ifname, pcap_geterr(p),
				 err, errlen);
	}
	pcap_freecode(&prog);
	return 0;
}

int capture_live_open(const struct capture_live_config *cfg,
		      struct capture_live **ret_c, char *err, size_t errlen)
{
	struct capture_live *c;
	int rc;

	*ret_c = NULL;
	if (!cfg->ifname || !*cfg->ifname) {
		snprintf(err, errlen, "capture: no interface given");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", cfg->ifname);
		return -ENOMEM;
	}
	pthread_mutex_init(&c->lock, NULL);
	snprintf(c->ifname, sizeof(c->ifname), "%s", cfg->ifname);
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms
					    : DEFAULT_TIMEOUT_MS;
	options_norm(&cfg->opt, &c->opt);
	if (c->opt.local) {
		c->local = *c->opt.local;
		c->opt.local = &c->local;
	}
	c->p = live_activate(cfg, c->warning, &rc, err, errlen);
	if (!c->p)
		goto err;
	rc = live_filter(c->p, cfg, err, errlen);
	if (rc < 0)
		goto err;
	c->linktype = pcap_datalink(c->p);
	if (bucketer_init(&c->b, &c->opt, 0) < 0) {
		snprintf(err, errlen, "%s: out of memory", cfg->ifname);
		rc = -ENOMEM;
		goto err;
	}
	*ret_c = c;
	return 0;
err:
	capture_live_destroy(c);
	return rc;
}

const char *capture_live_warning(const struct capture_live *c)
{
	return c->warning;
}

int capture_live_start(struct capture_live *c, capture_interval_cb cb,
		       void *arg)
{
	int rc;

	if (c->started)
		return -EALREADY;
	c->b.cb = cb;
	c->b.arg = arg;
	atomic_store(&c->stopping, 0);
	rc = pthread_create(&c->thread, NULL, live_main, c);
	if (rc != 0)
		return -rc;
	c->started = 1;
	return 0;
}

void capture_live_stop(struct capture_live *c)
{
	if (!c || !c->started)
		return;
	atomic_store(&c->stopping, 1);
	pcap_breakloop(c->p); /* wakes the poll (libpcap >= 1.10 eventfd) */
	pthread_join(c->thread, NULL);
	c->started = 0;
}

const char *capture_live_error(const struct capture_live *c)
{
	return c->started ? "" : c->thread_error;
}

void capture_live_totals(struct capture_live *c, uint64_t *ret_packets,
			 uint64_t *ret_bytes, uint64_t *ret_drops,
			 uint64_t *ret_ifdrops)
{
	pthread_mutex_lock(&c->lock);
	if (ret_packets)
		*ret_packets = c->tot_packets;
	if (ret_bytes)
		*ret_bytes = c->tot_bytes;
	if (ret_drops)
		*ret_drops = c->stat_drop;
	if (ret_ifdrops)
		*ret_ifdrops = c->stat_ifdrop;
	pthread_mutex_unlock(&c->lock);
}

void capture_live_destroy(struct capture_live *c)
{
	if (!c)
		return;
	capture_live_stop(c);
	if (c->p)
		pcap_close(c->p);
	bucketer_free(&c->b);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
