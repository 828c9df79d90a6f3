/*
 * capture.c - capture threads -> libuv loop: queue, RRD rows, interval
 * records, alerts, the SNMP cross-check of [capture NAME] links, and
 * their reload (see capture.h).
 *
 * Threads: a live capture's thread (probes/pcap.c) and a file replay's
 * threadpool worker only copy each interval into the queue; everything
 * else runs on the loop thread, once per interval per capture (a few
 * hundred bytes of arithmetic, one RRD row and one interval record
 * queued, rarely a fault written).
 *
 * Reload: captures are held by pointer, so a SIGHUP can keep an unchanged
 * one running as it is (its thread, handle and current interval are not
 * touched) while others are stopped or opened around it. A live capture
 * is stopped by joining its thread, which hands over its partial interval
 * first; the queue is then drained before the capture is freed, so no
 * queued interval points at freed memory. A file still being replayed
 * cannot be interrupted: it is marked dead (its later intervals are
 * dropped) and freed when its threadpool request completes.
 *
 * Cross-check: SNMP octet counters of most routers count the 4-byte FCS of
 * every frame, a capture's wire length does not (pcap gives the frame
 * without FCS). With fcs = yes the capture side is compared as bytes +
 * 4 x packets. The SNMP rate covers the window between two polls; the
 * capture's over that same window is summed from its intervals (prorated
 * at the edges) once the capture has covered the window, so the two sides
 * always measure the same seconds. Both directions together are compared:
 * a mirror port carries both, and the local prefixes need not match what
 * the router calls in and out.
 * SPDX-License-Identifier: MIT
 */
#include "capture.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/engine.h"
#include "capture_store.h"
#include "core/log.h"
#include "probes/pcap.h"
#include "storage/rrdstore.h"

#define QUEUE_MAX 256 /* intervals waiting for the loop (~3.4 KB each) */
#define WIN_N 16      /* SNMP windows waiting for capture coverage */
#define FCS_BYTES 4

enum cap_state {
	CAP_ERROR,     /* could not be opened / replayed: see error */
	CAP_READY,     /* opened, not started */
	CAP_RUNNING,   /* live thread running */
	CAP_REPLAYING, /* file being read */
	CAP_DONE,      /* file read to its end */
	CAP_STOPPED,   /* live thread stopped */
};

static const char *const state_names[] = {
	"error", "ready", "running", "replaying", "done", "stopped",
};

struct ring_iv {
	double start, len;
	uint64_t bytes, packets;
};

struct snmp_win {
	double t0, t1, bps;
};

struct totals {
	uint64_t intervals, records, packets, bytes, in_bytes, out_bytes;
	uint64_t drops, ifdrops, malformed;
};

struct cap {
	struct capture_bridge *b;
	int dead; /* removed by a reload while its file replay runs: its
		     intervals are dropped, replay_done frees it (b->lock) */
	struct capture_cfg c; /* our copy of the section */
	struct capture_prefixes local;
	struct capture_live *live;
	uv_work_t work; /* file replay */
	enum cap_state state;
	char error[256];
	int ae_idx; /* index in the attached config's captures, -1 none */

	/* loop thread only, from here */
	struct totals tot;
	struct capture_interval last; /* last interval received */
	int have_last;
	double in_bps, out_bps, other_bps, drop_pct, t; /* last full one */

	struct ring_iv *ring; /* capture intervals, oldest at ring_head */
	size_t ring_cap, ring_head, ring_n;
	struct snmp_win acc;  /* SNMP polls summed up to the window */
	double acc_bits;
	struct snmp_win win[WIN_N]; /* windows waiting for the capture */
	size_t nwin;
	double snmp_last_t;
	double xc_t, xc_cap_bps, xc_snmp_bps, xc_pct; /* NAN: none yet */
	uint64_t xc_count;

	/* file replay: written by the worker, read after it is done */
	struct capture_file_info info;
	int file_rc;
};

struct qitem {
	struct qitem *next;
	struct cap *k;
	struct capture_interval iv;
};

struct capture_bridge {
	uv_loop_t *loop;
	uv_async_t async;
	pthread_mutex_t lock; /* guards the queue and the flags below */
	pthread_cond_t space;
	struct qitem *head, *tail;
	size_t qlen;
	uint64_t qdropped;
	int stopping, async_closed;

	struct cap **caps; /* in the order of the attached config */
	size_t n;
	struct rrd_writer *w;
	struct alerts_engine *ae;
	struct capture_store *store; /* interval records, or NULL */
	int replays; /* file replays not finished (loop thread) */
	int closing;
};

static void cap_free(struct cap *k)
{
	if (k == NULL)
		return;
	capture_live_destroy(k->live);
	free(k->ring);
	free(k);
}

static void bridge_free(struct capture_bridge *b)
{
	struct qitem *q, *next;

	for (size_t i = 0; i < b->n; i++)
		cap_free(b->caps[i]);
	for (q = b->head; q != NULL; q = next) {
		next = q->next;
		free(q);
	}
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->space);
	free(b->caps);
	free(b);
}

/* ---- capture threads: the queue ------------------------------------ */

/* Copies iv into the queue. block: wait for space (file replay: no real
 * time to keep up with) unless the bridge is stopping; else a full queue
 * drops the interval and counts it. */
static void enqueue(struct cap *k, const struct capture_interval *iv,
		    int block)
{
	struct capture_bridge *b = k->b;
	struct qitem *q = malloc(sizeof(*q));

	pthread_mutex_lock(&b->lock);
	while (block && b->qlen >= QUEUE_MAX && !b->stopping && !k->dead)
		pthread_cond_wait(&b->space, &b->lock);
	if (q == NULL || b->qlen >= QUEUE_MAX || b->async_closed || k->dead) {
		b->qdropped++;
		pthread_mutex_unlock(&b->lock);
		free(q);
		return;
	}
	q->next = NULL;
	q->k = k;
	q->iv = *iv;
	if (b->tail != NULL)
		b->tail->next = q;
	else
		b->head = q;
	b->tail = q;
	b->qlen++;
	uv_async_send(&b->async); /* under the lock: the handle is open */
	pthread_mutex_unlock(&b->lock);
}

static void on_live_interval(void *arg, const struct capture_interval *iv)
{
	enqueue(arg, iv, 0);
}

static void on_file_interval(void *arg, const struct capture_interval *iv)
{
	enqueue(arg, iv, 1);
}

/* ---- loop thread: one interval -------------------------------------- */

static void ring_push(struct cap *k, const struct capture_interval *iv)
{
	struct ring_iv *r;

	if (k->ring_cap == 0)
		return;
	if (k->ring_n == k->ring_cap) {
		k->ring_head = (k->ring_head + 1) % k->ring_cap;
		k->ring_n--;
	}
	r = &k->ring[(k->ring_head + k->ring_n++) % k->ring_cap];
	r->start = (double)iv->start;
	r->len = iv->length_s;
	r->bytes = iv->total.bytes;
	r->packets = iv->total.packets;
}

/* Capture bit/s over [t0, t1) from the ring; -1 when the ring does not
 * cover the window yet, -2 when it never will (started after t0). */
static double ring_rate(const struct cap *k, double t0, double t1)
{
	double lo = INFINITY, hi = -INFINITY, bytes = 0;

	for (size_t i = 0; i < k->ring_n; i++) {
		const struct ring_iv *r =
			&k->ring[(k->ring_head + i) % k->ring_cap];
		double end = r->start + r->len;
		double ov = fmin(t1, end) - fmax(t0, r->start);
		double b = (double)r->bytes;

		lo = fmin(lo, r->start);
		hi = fmax(hi, end);
		if (k->c.fcs)
			b += (double)FCS_BYTES * (double)r->packets;
		if (ov > 0 && r->len > 0)
			bytes += b * ov / r->len;
	}
	if (k->ring_n == 0 || hi < t1)
		return -1;
	if (lo > t0)
		return -2;
	return bytes * 8.0 / (t1 - t0);
}

/* Compares every SNMP window the capture now covers. */
static void crosscheck(struct cap *k)
{
	struct capture_bridge *b = k->b;

	while (k->nwin > 0) {
		struct snmp_win w = k->win[0];
		double cap_bps = ring_rate(k, w.t0, w.t1);
		double top;

		if (cap_bps == -1)
			return;
		memmove(k->win, k->win + 1, --k->nwin * sizeof(k->win[0]));
		if (cap_bps < 0)
			continue;
		top = fmax(cap_bps, w.bps);
		k->xc_t = w.t1;
		k->xc_cap_bps = cap_bps;
		k->xc_snmp_bps = w.bps;
		k->xc_pct = top > 0 ? 100.0 * fabs(cap_bps - w.bps) / top : 0;
		k->xc_count++;
		log_debug("capture %s: %.0f bit/s vs SNMP %s/%s %.0f bit/s "
			  "(%.2f%%)",
			  k->c.name, cap_bps, k->c.device, k->c.interface,
			  w.bps, k->xc_pct);
		if (b->ae != NULL && k->ae_idx >= 0) {
			struct alerts_capture row = {
				.t = w.t1, .drop_pct = NAN,
				.diverge_pct = k->xc_pct,
				.capture_bps = cap_bps, .snmp_bps = w.bps};

			alerts_capture_row(b->ae, (size_t)k->ae_idx, &row);
		}
	}
}

static void totals_add(struct totals *t, const struct capture_interval *iv)
{
	t->intervals++;
	t->records += iv->records;
	t->packets += iv->total.packets;
	t->bytes += iv->total.bytes;
	t->in_bytes += iv->dir[CAPTURE_DIR_IN].bytes;
	t->out_bytes += iv->dir[CAPTURE_DIR_OUT].bytes;
	t->drops += iv->drops;
	t->ifdrops += iv->ifdrops;
	for (int r = 0; r < CAPTURE_BAD_COUNT; r++)
		t->malformed += iv->malformed[r];
}

/* drops / (records + drops) in percent; NAN when not measured. */
static double drop_share(const struct capture_interval *iv)
{
	double lost = (double)iv->drops + (double)iv->ifdrops;
	double all = (double)iv->records + lost;

	if (!iv->stats_valid)
		return NAN;
	return all > 0 ? 100.0 * lost / all : 0;
}

_Static_assert(CAPTURE_TOP_MAX <= JOURNAL_CAPTURE_TOP_MAX,
	       "a summary's top lists must fit a journal record");

static size_t talkers_copy(struct journal_cap_talker *dst,
			   const struct capture_talker *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dst[i].family = (uint8_t)src[i].family;
		memcpy(dst[i].addr, src[i].addr, sizeof(dst[i].addr));
		dst[i].bytes = src[i].c.bytes;
		dst[i].packets = src[i].c.packets;
	}
	return n;
}

/* The interval's record for reports and `slamon talkers`: counts, drops
 * and the top lists, into the journal (off the loop). */
static void store_interval(struct cap *k, const struct capture_interval *iv)
{
	struct journal_capiv v;

	if (k->b->store == NULL)
		return;
	memset(&v, 0, sizeof(v));
	snprintf(v.link, sizeof(v.link), "%s", k->c.name);
	snprintf(v.device, sizeof(v.device), "%s", k->c.device);
	v.start = iv->start;
	v.length_s = iv->length_s > 0 ? iv->length_s : k->c.interval_s;
	v.records = iv->records;
	v.packets = iv->total.packets;
	v.bytes = iv->total.bytes;
	v.in_bytes = iv->dir[CAPTURE_DIR_IN].bytes;
	v.out_bytes = iv->dir[CAPTURE_DIR_OUT].bytes;
	v.stats_valid = iv->stats_valid;
	v.drops = iv->drops;
	v.ifdrops = iv->ifdrops;
	v.nports = iv->nports;
	for (size_t i = 0; i < iv->nports; i++) {
		v.ports[i].ipproto =
			iv->ports[i].proto == CAPTURE_PROTO_UDP ? 17 : 6;
		v.ports[i].port = iv->ports[i].port;
		v.ports[i].bytes = iv->ports[i].c.bytes;
		v.ports[i].packets = iv->ports[i].c.packets;
	}
	v.nlocal = talkers_copy(v.local, iv->local, iv->nlocal);
	v.nremote = talkers_copy(v.remote, iv->remote, iv->nremote);
	capture_store_submit(k->b->store, &v);
}

static void cap_interval(struct cap *k, const struct capture_interval *iv)
{
	struct capture_bridge *b = k->b;
	double len = iv->length_s > 0 ? iv->length_s : 1;
	struct if_row row;
	char ifname[80];

	totals_add(&k->tot, iv);
	k->last = *iv;
	k->have_last = 1;
	/* a live capture's partial last interval is not a rate over its
	 * length; a file's last one is (the file just has no more packets) */
	if (k->c.source == CAPSRC_LIVE && !iv->complete)
		return;
	k->t = (double)iv->start + len;
	k->in_bps = capture_bps(&iv->dir[CAPTURE_DIR_IN], len);
	k->out_bps = capture_bps(&iv->dir[CAPTURE_DIR_OUT], len);
	k->other_bps = capture_bps(&iv->total, len) - k->in_bps - k->out_bps;
	k->drop_pct = drop_share(iv);
	if (b->w != NULL) {
		row.in_bps = k->in_bps;
		row.out_bps = k->out_bps;
		row.oper = 1;
		row.in_err = row.out_err = row.out_disc = NAN;
		/* capture drops (ring + interface) as discards per second */
		row.in_disc = iv->stats_valid ? ((double)iv->drops +
						 (double)iv->ifdrops) / len
					      : NAN;
		/* a captured link's traffic is read by the report as a link's */
		row.link = 1;
		snprintf(ifname, sizeof(ifname), "pcap-%s", k->c.name);
		rrd_writer_submit_if(b->w, k->c.device, ifname, (time_t)k->t,
				     &row);
	}
	store_interval(k, iv);
	if (b->ae != NULL && k->ae_idx >= 0 && !isnan(k->drop_pct)) {
		struct alerts_capture a = {.t = k->t, .drop_pct = k->drop_pct,
					   .diverge_pct = NAN};

		alerts_capture_row(b->ae, (size_t)k->ae_idx, &a);
	}
	if (k->c.source == CAPSRC_LIVE && k->c.interface[0] != '\0') {
		ring_push(k, iv);
		crosscheck(k);
	}
}

static void drain(struct capture_bridge *b)
{
	struct qitem *q, *next;

	pthread_mutex_lock(&b->lock);
	q = b->head;
	b->head = b->tail = NULL;
	b->qlen = 0;
	pthread_cond_broadcast(&b->space);
	pthread_mutex_unlock(&b->lock);
	for (; q != NULL; q = next) {
		next = q->next;
		if (!q->k->dead)
			cap_interval(q->k, &q->iv);
		free(q);
	}
}

static void on_async(uv_async_t *h)
{
	drain(h->data);
}

/* ---- file replay (libuv threadpool) --------------------------------- */

static void options_of(const struct cap *k, struct capture_options *o)
{
	memset(o, 0, sizeof(*o));
	o->local = &k->local;
	o->interval_s = k->c.interval_s;
	o->top_n = (size_t)k->c.top;
	o->max_talkers = (size_t)k->c.max_talkers;
}

static void replay_work(uv_work_t *req)
{
	struct cap *k = req->data;
	struct capture_options o;
	struct capture_interval total;

	options_of(k, &o);
	k->file_rc = capture_file_account(k->c.file, &o, on_file_interval, k,
					  &total, &k->info, k->error,
					  sizeof(k->error));
}

static void maybe_free(struct capture_bridge *b)
{
	if (b->closing && b->async_closed == 2 && b->replays == 0)
		bridge_free(b);
}

static void replay_done(uv_work_t *req, int status)
{
	struct cap *k = req->data;
	struct capture_bridge *b = k->b;

	(void)status;
	b->replays--;
	if (k->dead) {
		/* removed by a reload: nothing queued may point at it */
		drain(b);
		cap_free(k);
		maybe_free(b);
		return;
	}
	if (!b->closing) {
		drain(b);
		if (k->file_rc < 0) {
			k->state = CAP_ERROR;
			log_errorx("capture %s: %s", k->c.name, k->error);
		} else {
			k->state = CAP_DONE;
			if (k->info.read_error)
				snprintf(k->error, sizeof(k->error), "%s",
					 k->info.read_msg);
			log_info("capture %s: %s replayed: %llu records in "
				 "%zu intervals%s%s",
				 k->c.name, k->c.file,
				 (unsigned long long)k->tot.records,
				 k->info.nintervals,
				 k->info.read_error ? "; stopped early: " : "",
				 k->info.read_error ? k->info.read_msg : "");
		}
	}
	maybe_free(b);
}

/* ---- life cycle ------------------------------------------------------ */

/* reload: opened by a SIGHUP, when slamond may have lost CAP_NET_RAW. */
static void live_open(struct cap *k, const char *path, int reload)
{
	struct capture_live_config lc;
	int rc;

	memset(&lc, 0, sizeof(lc));
	lc.ifname = k->c.ifname;
	lc.filter = k->c.filter;
	lc.snaplen = k->c.snaplen;
	lc.buffer_bytes = k->c.buffer_mb * 1024 * 1024;
	lc.promisc = k->c.promisc;
	lc.timeout_ms = k->c.timeout_ms;
	lc.direction = (enum capture_direction)k->c.direction;
	options_of(k, &lc.opt);
	rc = capture_live_open(&lc, &k->live, k->error, sizeof(k->error));
	if (rc < 0) {
		k->state = CAP_ERROR;
		log_errorx("%s:%d: [capture %s]: %s%s", path, k->c.line,
			   k->c.name, k->error,
			   reload && (rc == -EPERM || rc == -EACCES)
				   ? " (a capture added by a reload is opened "
				     "with slamond's current privileges, "
				     "which lack CAP_NET_RAW: restart slamond "
				     "to open it; the other captures keep "
				     "running)"
				   : "");
		return;
	}
	if (capture_live_warning(k->live)[0] != '\0')
		log_warnx("capture %s: %s", k->c.name,
			  capture_live_warning(k->live));
	k->state = CAP_READY;
}

/* A capture of section c, opened (live) or ready to replay (file); a
 * capture that cannot be opened is returned in CAP_ERROR. NULL only when
 * memory runs out. */
static struct cap *cap_create(struct capture_bridge *b,
			      const struct capture_cfg *c, const char *path,
			      int reload)
{
	struct cap *k = calloc(1, sizeof(*k));
	char err[256];

	if (k == NULL)
		return NULL;
	k->b = b;
	k->c = *c;
	k->ae_idx = -1;
	k->xc_t = k->xc_cap_bps = k->xc_snmp_bps = k->xc_pct = NAN;
	k->in_bps = k->out_bps = k->other_bps = k->drop_pct = NAN;
	k->work.data = k;
	if (k->c.source == CAPSRC_LIVE && k->c.interface[0] != '\0') {
		/* the window, twice, plus slack for late SNMP rows */
		k->ring_cap = (size_t)(2 * k->c.crosscheck_window_s /
				       k->c.interval_s) + 8;
		k->ring = calloc(k->ring_cap, sizeof(*k->ring));
		if (k->ring == NULL) {
			free(k);
			return NULL;
		}
	}
	/* checked by the config loader; cannot fail here */
	if (config_capture_local(k->c.local, &k->local, err, sizeof(err)) < 0)
		log_warnx("capture %s: local: %s", k->c.name, err);
	if (k->c.source == CAPSRC_LIVE)
		live_open(k, path, reload);
	else
		k->state = CAP_READY;
	return k;
}

int capture_bridge_open(uv_loop_t *loop, const struct config *cfg,
			struct capture_bridge **ret_b)
{
	struct capture_bridge *b;

	*ret_b = NULL;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	b->caps = calloc(config_count(cfg, &capture_section) + 1, sizeof(*b->caps));
	if (b->caps == NULL) {
		free(b);
		return -ENOMEM;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->space, NULL);
	b->loop = loop;
	for (size_t i = 0; i < config_count(cfg, &capture_section); i++) {
		b->caps[b->n] = cap_create(b, &capture_configs(cfg, NULL)[i], cfg->path, 0);
		if (b->caps[b->n] == NULL) {
			bridge_free(b);
			return -ENOMEM;
		}
		b->n++;
	}
	uv_async_init(loop, &b->async, on_async);
	b->async.data = b;
	*ret_b = b;
	return 0;
}

void capture_bridge_attach(struct capture_bridge *b, const struct config *cfg,
			   struct rrd_writer *w, struct alerts_engine *ae)
{
	if (b == NULL)
		return;
	b->w = w;
	b->ae = ae;
	for (size_t i = 0; i < b->n; i++) {
		b->caps[i]->ae_idx = -1;
		for (size_t j = 0; cfg != NULL && j < config_count(cfg, &capture_section); j++)
			if (strcmp(b->caps[i]->c.name,
				   capture_configs(cfg, NULL)[j].name) == 0)
				b->caps[i]->ae_idx = (int)j;
	}
}

void capture_bridge_set_store(struct capture_bridge *b,
			      struct capture_store *store)
{
	if (b != NULL)
		b->store = store;
}

/* Starts one capture: its thread (live) or its replay (file). */
static int cap_start(struct cap *k)
{
	struct capture_bridge *b = k->b;
	int rc;

	if (k->state != CAP_READY)
		return 0;
	if (k->c.source == CAPSRC_FILE) {
		rc = uv_queue_work(b->loop, &k->work, replay_work,
				   replay_done);
		if (rc == 0) {
			b->replays++;
			k->state = CAP_REPLAYING;
			return 0;
		}
		snprintf(k->error, sizeof(k->error), "%s", uv_strerror(rc));
		rc = -ENOMEM;
	} else {
		rc = capture_live_start(k->live, on_live_interval, k);
		if (rc == 0) {
			k->state = CAP_RUNNING;
			log_info("capture %s: capturing on %s", k->c.name,
				 k->c.ifname);
			return 0;
		}
		snprintf(k->error, sizeof(k->error), "%s: %s", k->c.ifname,
			 strerror(-rc));
	}
	k->state = CAP_ERROR;
	log_errorx("capture %s: %s", k->c.name, k->error);
	return rc;
}

int capture_bridge_start(struct capture_bridge *b)
{
	int first = 0, rc;

	for (size_t i = 0; b != NULL && i < b->n; i++) {
		rc = cap_start(b->caps[i]);
		if (rc < 0 && first == 0)
			first = rc;
	}
	return first;
}

/* Stops k's thread (its partial interval is queued first). */
static void cap_stop(struct cap *k)
{
	if (k->state != CAP_RUNNING)
		return;
	capture_live_stop(k->live);
	k->state = CAP_STOPPED;
	if (capture_live_error(k->live)[0] != '\0') {
		k->state = CAP_ERROR;
		snprintf(k->error, sizeof(k->error), "%s",
			 capture_live_error(k->live));
	}
}

/* A capture a reload removed or changed: a live one is stopped and its
 * queued intervals (the last, partial one included) processed before it
 * goes; a file still being replayed is marked dead (its further intervals
 * are dropped) and freed by replay_done. */
static void cap_retire(struct capture_bridge *b, struct cap *k)
{
	if (k->state == CAP_REPLAYING) {
		pthread_mutex_lock(&b->lock);
		k->dead = 1;
		pthread_cond_broadcast(&b->space);
		pthread_mutex_unlock(&b->lock);
		return;
	}
	cap_stop(k);
	drain(b);
	cap_free(k);
}

/* Is there a [capture name] in cfg? */
static int cfg_has_capture(const struct config *cfg, const char *name)
{
	for (size_t j = 0; j < config_count(cfg, &capture_section); j++)
		if (strcmp(capture_configs(cfg, NULL)[j].name, name) == 0)
			return 1;
	return 0;
}

/* The running capture named name, or NULL. */
static struct cap *cap_find(struct capture_bridge *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->caps[i] != NULL && strcmp(b->caps[i]->c.name, name) == 0)
			return b->caps[i];
	return NULL;
}

void capture_bridge_reload(struct capture_bridge *b, const struct config *cfg)
{
	struct cap **next;
	size_t kept = 0, added = 0, gone = 0, before;

	if (b == NULL)
		return;
	before = b->n;
	next = calloc(config_count(cfg, &capture_section) + 1, sizeof(*next));
	if (next == NULL) {
		log_errorx("reload: captures: out of memory (keeping the "
			   "running captures unchanged)");
		return;
	}
	/* unchanged captures go on as they are, interval and totals */
	for (size_t j = 0; j < config_count(cfg, &capture_section); j++) {
		const struct capture_cfg *c = &capture_configs(cfg, NULL)[j];
		struct cap *k = cap_find(b, c->name);

		if (k == NULL || capture_cfg_changed(&k->c, c))
			continue;
		k->c.line = c->line;
		k->c.device_line = c->device_line;
		k->c.device_idx = c->device_idx;
		k->c.drop_alert = c->drop_alert;
		k->c.crosscheck_share = c->crosscheck_share;
		next[j] = k;
		for (size_t i = 0; i < b->n; i++)
			if (b->caps[i] == k)
				b->caps[i] = NULL;
		kept++;
	}
	/* removed or changed ones stop before their successors open (a
	 * changed live capture may reuse the interface) */
	for (size_t i = 0; i < b->n; i++) {
		struct cap *k = b->caps[i];
		int changed;

		if (k == NULL)
			continue;
		changed = cfg_has_capture(cfg, k->c.name);
		log_info("reload: capture %s %s", k->c.name,
			 changed ? "changed: restarting it" : "removed");
		cap_retire(b, k);
		gone += !changed;
	}
	free(b->caps);
	b->caps = next;
	b->n = 0;
	for (size_t j = 0; j < config_count(cfg, &capture_section); j++) {
		if (next[j] == NULL) {
			next[j] = cap_create(b, &capture_configs(cfg, NULL)[j], cfg->path,
					     1);
			if (next[j] == NULL) {
				log_errorx("%s:%d: [capture %s]: out of memory",
					   cfg->path, capture_configs(cfg, NULL)[j].line,
					   capture_configs(cfg, NULL)[j].name);
				continue;
			}
			cap_start(next[j]);
			added++;
		}
		next[b->n++] = next[j];
	}
	if (before > 0 || config_count(cfg, &capture_section) > 0)
		log_info("reload: captures: %zu kept running, %zu (re)started, "
			 "%zu removed",
			 kept, added, gone);
}

/* Sums consecutive poll windows until they span crosscheck_window: an
 * agent's counters lag by up to its refresh period (a few seconds), which
 * matters less the longer the window. A poll without a rate (first
 * sample, wrap, reboot) starts the sum again. */
static void snmp_poll(struct cap *k, double t, double in_bps, double out_bps)
{
	double t0 = k->snmp_last_t;

	k->snmp_last_t = t;
	if (t0 <= 0 || t <= t0 || !isfinite(in_bps) || !isfinite(out_bps)) {
		k->acc.t0 = k->acc.t1 = 0;
		k->acc_bits = 0;
		return;
	}
	if (k->acc.t1 != t0) { /* a new sum */
		k->acc.t0 = t0;
		k->acc_bits = 0;
	}
	k->acc.t1 = t;
	k->acc_bits += (in_bps + out_bps) * (t - t0);
	/* 5% slack: polls drift a little around their grid */
	if (k->acc.t1 - k->acc.t0 < 0.95 * k->c.crosscheck_window_s)
		return;
	if (k->nwin == WIN_N) /* never covered: forget the oldest */
		memmove(k->win, k->win + 1, --k->nwin * sizeof(k->win[0]));
	k->win[k->nwin].t0 = k->acc.t0;
	k->win[k->nwin].t1 = k->acc.t1;
	k->win[k->nwin++].bps = k->acc_bits / (k->acc.t1 - k->acc.t0);
	k->acc.t0 = k->acc.t1 = 0;
	k->acc_bits = 0;
	crosscheck(k);
}

void capture_bridge_snmp_row(struct capture_bridge *b, const char *device,
			     const char *ifname, double t, double in_bps,
			     double out_bps)
{
	for (size_t i = 0; b != NULL && i < b->n; i++) {
		struct cap *k = b->caps[i];

		if (k->c.source != CAPSRC_LIVE || k->c.interface[0] == '\0' ||
		    strcmp(k->c.interface, ifname) != 0 ||
		    strcmp(k->c.device, device) != 0)
			continue;
		snmp_poll(k, t, in_bps, out_bps);
	}
}

void capture_bridge_stop(struct capture_bridge *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	b->stopping = 1;
	pthread_cond_broadcast(&b->space);
	pthread_mutex_unlock(&b->lock);
	for (size_t i = 0; i < b->n; i++)
		cap_stop(b->caps[i]);
	drain(b);
}

static void on_async_closed(uv_handle_t *h)
{
	struct capture_bridge *b = h->data;

	pthread_mutex_lock(&b->lock);
	b->async_closed = 2;
	pthread_mutex_unlock(&b->lock);
	maybe_free(b);
}

void capture_bridge_close(struct capture_bridge *b)
{
	if (b == NULL)
		return;
	capture_bridge_stop(b);
	b->closing = 1;
	b->ae = NULL;
	b->w = NULL;
	b->store = NULL; /* the daemon closes it next */
	pthread_mutex_lock(&b->lock);
	b->async_closed = 1; /* no uv_async_send from now on */
	pthread_mutex_unlock(&b->lock);
	uv_close((uv_handle_t *)&b->async, on_async_closed);
}

/* ---- status ----------------------------------------------------------- */

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *top_json(const struct capture_interval *iv)
{
	json_t *ports = json_array(), *local = json_array(),
	       *remote = json_array();
	char addr[64];

	for (size_t i = 0; i < iv->nports; i++)
		json_array_append_new(ports, json_pack(
			"{s:s, s:i, s:I, s:I}", "proto",
			capture_proto_name((enum capture_proto)
						   iv->ports[i].proto),
			"port", (int)iv->ports[i].port, "packets",
			(json_int_t)iv->ports[i].c.packets, "bytes",
			(json_int_t)iv->ports[i].c.bytes));
	for (size_t i = 0; i < iv->nlocal; i++)
		json_array_append_new(local, json_pack(
			"{s:s, s:I, s:I}", "addr",
			capture_addr_str(iv->local[i].family,
					 iv->local[i].addr, addr,
					 sizeof(addr)),
			"packets", (json_int_t)iv->local[i].c.packets,
			"bytes", (json_int_t)iv->local[i].c.bytes));
	for (size_t i = 0; i < iv->nremote; i++)
		json_array_append_new(remote, json_pack(
			"{s:s, s:I, s:I}", "addr",
			capture_addr_str(iv->remote[i].family,
					 iv->remote[i].addr, addr,
					 sizeof(addr)),
			"packets", (json_int_t)iv->remote[i].c.packets,
			"bytes", (json_int_t)iv->remote[i].c.bytes));
	return json_pack("{s:o, s:o, s:o}", "ports", ports, "local", local,
			 "remote", remote);
}

static json_t *last_json(const struct cap *k)
{
	const struct capture_interval *iv = &k->last;

	if (!k->have_last)
		return json_null();
	return json_pack(
		"{s:I, s:f, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "start",
		(json_int_t)iv->start, "length_s", iv->length_s, "complete",
		iv->complete, "records", (json_int_t)iv->records, "packets",
		(json_int_t)iv->total.packets, "bytes",
		(json_int_t)iv->total.bytes, "in_bytes",
		(json_int_t)iv->dir[CAPTURE_DIR_IN].bytes, "out_bytes",
		(json_int_t)iv->dir[CAPTURE_DIR_OUT].bytes, "drops",
		(json_int_t)(iv->drops + iv->ifdrops), "top", top_json(iv));
}

static json_t *cap_json(const struct capture_bridge *b, const struct cap *k)
{
	int64_t fdrops = 0, fdiv = 0;
	json_t *xc = json_null();

	if (b->ae != NULL && k->ae_idx >= 0)
		alerts_capture_faults(b->ae, (size_t)k->ae_idx, &fdrops, &fdiv);
	if (k->c.source == CAPSRC_LIVE && k->c.interface[0] != '\0') {
		json_decref(xc);
		xc = json_pack("{s:s, s:o, s:o, s:o, s:o, s:I, s:f}",
			       "interface", k->c.interface, "t",
			       jnum(k->xc_t), "capture_bps",
			       jnum(k->xc_cap_bps), "snmp_bps",
			       jnum(k->xc_snmp_bps), "divergence_pct",
			       jnum(k->xc_pct), "compared",
			       (json_int_t)k->xc_count, "threshold_pct",
			       k->c.crosscheck_share);
	}
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, "
		"s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, "
		"s:{s:I, s:I}}",
		"name", k->c.name, "source",
		k->c.source == CAPSRC_LIVE ? "live" : "file", "from",
		k->c.source == CAPSRC_LIVE ? k->c.ifname : k->c.file,
		"device", k->c.device, "state", state_names[k->state],
		"error", k->error, "t", jnum(k->t), "in_bps", jnum(k->in_bps),
		"out_bps", jnum(k->out_bps), "other_bps", jnum(k->other_bps),
		"drop_pct", jnum(k->drop_pct), "last_interval", last_json(k),
		"totals", "intervals", (json_int_t)k->tot.intervals, "records",
		(json_int_t)k->tot.records, "packets",
		(json_int_t)k->tot.packets, "bytes", (json_int_t)k->tot.bytes,
		"in_bytes", (json_int_t)k->tot.in_bytes, "out_bytes",
		(json_int_t)k->tot.out_bytes, "drops",
		(json_int_t)k->tot.drops, "ifdrops",
		(json_int_t)k->tot.ifdrops, "malformed",
		(json_int_t)k->tot.malformed, "crosscheck", xc, "faults",
		"drops", (json_int_t)fdrops, "divergence", (json_int_t)fdiv);
}

json_t *capture_bridge_status(const struct capture_bridge *b)
{
	json_t *arr;

	if (b == NULL)
		return NULL;
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < b->n; i++) {
		const struct cap *k = b->caps[i];
		json_t *o = cap_json(b, k);

		if (o != NULL)
			json_object_set_new(o, "interface",
					    json_string(k->c.interface));
		json_array_append_new(arr, o);
	}
	return arr;
}
