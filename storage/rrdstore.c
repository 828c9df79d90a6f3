/*
 * rrdstore.c - the RRD writer: a bounded queue of fixed-size rows drained by one
 * writer thread that creates and updates RRD files, directly with librrd's
 * thread-safe *_r calls (the rows of one file in one call) or through
 * rrdcached (librrd's rrdc_* client for CREATE/LAST/FLUSH, rrdcached.c's
 * BATCH for the updates: many rows per round trip).
 *
 * Only the writer thread calls librrd. librrd 1.7 keeps its error buffer per
 * thread (rrd_get_context() is a pthread key), so rrd_get_error() read right
 * after a failed *_r call in this thread is ours. The rrdc_* client is one
 * connection per process behind librrd's own lock (the rrd_client_* API in
 * rrd_client.h is not exported by librrd.so.8 1.7.2).
 * SPDX-License-Identifier: MIT
 */
#include "rrdstore.h"
#include "rrd_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rrd.h>
#include <rrd_client.h>

#define NAME_CAP 257     /* device and interface names: 256 bytes + NUL */
#define QUEUE_DEFAULT 65536
#define RING_MIN 64
#define RING_SHRINK 1024 /* free a drained ring bigger than this */

/* ---- layouts (rrdlayout.c) ------------------------------------------- */

static const char *const traffic_tmpl = "in:out";
static const char *const status_tmpl = "oper:inerr:outerr:indisc:outdisc";
static const char *const device_tmpl = "latency_ms:loss";

/* ---- names and paths -------------------------------------------------- */

static bool name_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static bool utf8_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* Length of the well-formed UTF-8 multi-byte sequence at s (RFC 3629 table
 * of section 4: no overlongs, no surrogates, nothing above U+10FFFF), or 0
 * when the bytes at s are not one. */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (!utf8_cont(s[i])) /* also stops at the NUL */
			return 0;
	return n;
}

int storage_name_encode(const char *name, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)name;
	size_t o = 0, n;

	if (name == NULL || out == NULL)
		return -EINVAL;
	if (*s == '\0') {
		if (outlen < 2)
			return -ENAMETOOLONG;
		memcpy(out, "%", 2);
		return 0;
	}
	while (*s != '\0') {
		n = *s >= 0x80 ? utf8_seq_len(s) : 0;
		if (n > 0) {
			if (o + n >= outlen)
				return -ENAMETOOLONG;
			memcpy(out + o, s, n);
			o += n;
			s += n;
			continue;
		}
		/* A leading '.' is escaped too, so "." and ".." never name
		 * the folder itself or its parent, and no file is hidden. */
		if (name_plain(*s) &&
		    !(*s == '.' && s == (const unsigned char *)name)) {
			if (o + 1 >= outlen)
				return -ENAMETOOLONG;
			out[o++] = (char)*s++;
			continue;
		}
		if (o + 3 >= outlen)
			return -ENAMETOOLONG;
		out[o++] = '%';
		out[o++] = hex[*s >> 4];
		out[o++] = hex[*s & 0xF];
		s++;
	}
	out[o] = '\0';
	return 0;
}

/* Writes <dir>/<enc(device)>/<prefix><enc(ifname)><suffix>; each encoded
 * component must fit NAME_MAX so the file system accepts it. */
static int path_build(const char *dir, const char *device, const char *prefix,
		      const char *ifname, const char *suffix, char *out,
		      size_t outlen)
{
	char dev[NAME_MAX + 1], ifn[NAME_MAX + 1];
	size_t fixed;
	int rc, n;

	if (dir == NULL || device == NULL || out == NULL)
		return -EINVAL;
	rc = storage_name_encode(device, dev, sizeof(dev));
	if (rc < 0)
		return rc;
	ifn[0] = '\0';
	if (ifname != NULL) {
		fixed = strlen(prefix) + strlen(suffix);
		rc = storage_name_encode(ifname, ifn, sizeof(ifn) - fixed);
		if (rc < 0)
			return rc;
	}
	n = snprintf(out, outlen, "%s/%s/%s%s%s", dir, dev, prefix, ifn,
		     suffix);
	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

int storage_path_dev(const char *dir, const char *device, char *out,
		     size_t outlen)
{
	return path_build(dir, device, "device" STORAGE_LAYOUT_SUFFIX, NULL, "",
			  out, outlen);
}

int storage_path_if(const char *dir, const char *device, const char *ifname,
		    char *out, size_t outlen)
{
	if (ifname == NULL)
		return -EINVAL;
	return path_build(dir, device, "if-", ifname, STORAGE_LAYOUT_SUFFIX, out,
			  outlen);
}

int storage_path_ifstatus(const char *dir, const char *device,
			  const char *ifname, char *out, size_t outlen)
{
	if (ifname == NULL)
		return -EINVAL;
	return path_build(dir, device, "st-", ifname, STORAGE_LAYOUT_SUFFIX, out,
			  outlen);
}

int storage_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	struct stat sb;
	size_t len = strlen(path), i;

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	if (stat(path, &sb) < 0)
		return -errno;
	return S_ISDIR(sb.st_mode) ? 0 : -ENOTDIR;
}

/* ---- the set of files known to the writer (writer thread only) -------- */

/* The writer checks each file's layout once (writer_check); with rrdcached
 * it cannot stat a remote file, and a FLUSHALL returns before anything is
 * written (rrdcached(1)), so it remembers the files it has checked or
 * created and which of them took updates since the last flush. */
struct known {
	struct known *next;
	bool verified; /* exists with our layout; cleared by a failed update */
	bool link;     /* verified as (or created) a link traffic file */
	bool dirty;    /* updated since the last FLUSH */
	time_t last_t; /* last update written (0: not known) */
	char path[];
};

struct known_set {
	struct known **b;
	size_t nb, n;
};

static size_t path_hash(const char *s)
{
	size_t h = 5381; /* djb2 */

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static struct known **known_slot(struct known_set *ks, const char *path)
{
	struct known **p;

	if (ks->nb == 0)
		return NULL;
	p = &ks->b[path_hash(path) % ks->nb];
	while (*p != NULL && strcmp((*p)->path, path) != 0)
		p = &(*p)->next;
	return p;
}

static struct known *known_find(struct known_set *ks, const char *path)
{
	struct known **p = known_slot(ks, path);

	return p != NULL ? *p : NULL;
}

static void known_grow(struct known_set *ks)
{
	size_t nb = ks->nb != 0 ? ks->nb * 2 : 256, i;
	struct known **b = calloc(nb, sizeof(*b));
	struct known *k, *next;

	if (b == NULL)
		return; /* keep the old table; chains just get longer */
	for (i = 0; i < ks->nb; i++) {
		for (k = ks->b[i]; k != NULL; k = next) {
			next = k->next;
			k->next = b[path_hash(k->path) % nb];
			b[path_hash(k->path) % nb] = k;
		}
	}
	free(ks->b);
	ks->b = b;
	ks->nb = nb;
}

static struct known *known_add(struct known_set *ks, const char *path)
{
	size_t len = strlen(path) + 1, h;
	struct known *k;

	if (ks->n >= ks->nb)
		known_grow(ks);
	if (ks->nb == 0)
		return NULL;
	k = malloc(sizeof(*k) + len);
	if (k == NULL)
		return NULL;
	k->verified = k->dirty = k->link = false;
	k->last_t = 0;
	memcpy(k->path, path, len);
	h = path_hash(path) % ks->nb;
	k->next = ks->b[h];
	ks->b[h] = k;
	ks->n++;
	return k;
}

static void known_free(struct known_set *ks)
{
	struct known *k, *next;
	size_t i;

	for (i = 0; i < ks->nb; i++) {
		for (k = ks->b[i]; k != NULL; k = next) {
			next = k->next;
			free(k);
		}
	}
	free(ks->b);
	ks->b = NULL;
	ks->nb = ks->n = 0;
}

/* ---- the writer ------------------------------------------------------- */

enum row_kind { ROW_IF, ROW_DEV };

struct qrow {
	enum row_kind kind;
	time_t t;
	double qt; /* when it was queued (monotonic s) */
	char device[NAME_CAP];
	char ifname[NAME_CAP];
	union {
		struct if_row ifr;
		struct dev_row dev;
	} v;
};

struct rrd_writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work_cv; /* rows queued, flush asked, stop */
	pthread_cond_t done_cv; /* a flush finished */

	/* under mu: ring of rows, grown on demand up to max */
	struct qrow *ring;
	size_t cap, head, count, max;
	uint64_t enq_seq, done_seq;          /* rows queued / processed */
	uint64_t flush_req, flush_done;      /* flush tickets */
	uint64_t flush_target;               /* enq_seq of the newest ask */
	bool stop;
	struct rrd_writer_stats st;

	/* set before the thread starts, then writer thread only */
	char dir[PATH_MAX];
	char *cached;       /* rrdcached address, NULL for direct writes */
	bool cached_local;  /* unix socket: same file system as ours */
	struct known_set known;
	char err[256];      /* last error of the row being written */

	/* batching (rrd_writer_set_batch; under mu, read by the thread) */
	double hold_s;      /* rows wait this long to be written together */
	unsigned create_rate; /* files created per second, 0 = no limit */
	/* writer thread only */
	struct storage_rrdc conn; /* own connection for BATCH */
	double win_start;   /* the current second of the creation budget */
	unsigned win_created;
	struct qrow *def;   /* rows waiting for their file's creation (under
			       mu), oldest first */
	size_t ndef, defcap;
	unsigned bcreated;  /* files created by the batch being written */
	struct qrow *batch; /* the rows being written */
	int *res;           /* per row: 0, < 0 failed, ROW_DEFERRED */
	char *arena;        /* paths and update lines of the batch */
	size_t alen, acap;
	struct bent *ents;  /* one per file update of the batch */
	size_t nents, entcap;
};

#define BATCH_MAX 4096     /* rows written together at most */
#define ROW_DEFERRED 1     /* its file waits for the creation budget */
#define CACHED_GATHER_S 0.2 /* rrdcached: rows gathered per BATCH */

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Copies msg into the one-line error buffer, naming path unless msg
 * already does (librrd's update errors name the file, rrdcached's don't). */
static void writer_fail(struct rrd_writer *w, const char *path,
			const char *msg)
{
	char *p;

	if (msg == NULL || *msg == '\0')
		msg = "unknown librrd error";
	/* one line of at most sizeof(w->err): a longer message is cut */
	if (path != NULL && strstr(msg, path) == NULL) {
		if (snprintf(w->err, sizeof(w->err), "%s: %s", path, msg) < 0)
			w->err[0] = '\0';
	} else if (snprintf(w->err, sizeof(w->err), "%s", msg) < 0) {
		w->err[0] = '\0';
	}
	for (p = w->err; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* A write to a socket rrdcached closed raises SIGPIPE in this thread, where
 * it is blocked (writer_start); take it so it never reaches the process. */
static void drain_sigpipe(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

/* Connects to rrdcached when not connected: one attempt per row, so a
 * daemon that is down costs one failed connect per row, never a loop. */
static int cached_connect(struct rrd_writer *w, const char *path)
{
	char msg[200];

	if (rrdc_is_connected(w->cached))
		return 0;
	rrd_clear_error();
	if (rrdc_connect(w->cached) != 0 || !rrdc_is_connected(w->cached)) {
		snprintf(msg, sizeof(msg), "rrdcached %s: %s", w->cached,
			 rrd_get_error());
		writer_fail(w, path, msg);
		drain_sigpipe();
		return -ENOTCONN;
	}
	return 0;
}

/* Checks once per file and writer that an existing path has layout l, so
 * a file of another layout is refused (naming it) before any write. A
 * remote rrdcached's files are not on this machine: not checked. */
static int writer_check(struct rrd_writer *w, const char *path,
			enum storage_layout l, struct known *k)
{
	char msg[sizeof(w->err)];
	int rc;

	if (w->cached != NULL && !w->cached_local) {
		k->verified = k->link = true; /* not ours to check or grow */
		return 0;
	}
	rc = storage__layout_check(path, l, w->cached, msg, sizeof(msg));
	if (rc < 0) {
		writer_fail(w, path, msg);
		return rc;
	}
	k->verified = true;
	k->link = l == STORAGE_LAYOUT_TRAFFIC; /* grown if it was not */
	return 0;
}

/* Makes sure path exists with layout l, creating it with its first step
 * ending at t. An existing file is used as is once its layout is checked:
 * no_overwrite is set, so even a file created meanwhile by someone else is
 * never truncated. */
static int writer_ensure(struct rrd_writer *w, const char *path,
			 enum storage_layout l, time_t t, bool may_create,
			 bool *ret_created)
{
	const char *const *args;
	struct known *k;
	char devdir[PATH_MAX];
	char *slash;
	int argc, rc;

	*ret_created = false;
	k = known_find(&w->known, path);
	if (k == NULL)
		k = known_add(&w->known, path);
	if (k == NULL) {
		writer_fail(w, path, strerror(ENOMEM));
		return -ENOMEM;
	}
	/* a graph-only traffic file whose interface became a link (a reload
	 * gave its device a new role or an indicator's scope) is checked
	 * again, which grows it */
	if (k->verified && (l != STORAGE_LAYOUT_TRAFFIC || k->link))
		return 0;
	/* no creation left this second: not even a look (rrdcached's LAST is
	 * a round trip); the row waits for the next second */
	if (!may_create)
		return -EAGAIN;
	if (w->cached == NULL && access(path, F_OK) == 0) {
		rrd_clear_error();
		k->last_t = rrd_last_r(path);
		if (k->last_t < 0)
			k->last_t = 0;
		return writer_check(w, path, l, k);
	}
	if (w->cached != NULL) {
		time_t last;

		rrd_clear_error();
		last = rrdc_last(path);
		if (last > 0) {
			k->last_t = last;
			return writer_check(w, path, l, k);
		}
		drain_sigpipe();
	}
	/* Device folders on demand; a remote rrdcached makes its own (-R). */
	if (w->cached == NULL || w->cached_local) {
		snprintf(devdir, sizeof(devdir), "%s", path);
		slash = strrchr(devdir, '/');
		if (slash != NULL) {
			*slash = '\0';
			rc = storage_mkdir_p(devdir);
			if (rc < 0) {
				writer_fail(w, devdir, strerror(-rc));
				return rc;
			}
		}
	}
	args = storage_layout_args(l, &argc);
	rrd_clear_error();
	if (w->cached != NULL)
		rc = rrdc_create(path, RRD_STEP, t - RRD_STEP, 1, argc,
				 (const char **)(uintptr_t)args);
	else
		rc = rrd_create_r2(path, RRD_STEP, t - RRD_STEP, 1, NULL, NULL,
				   argc, (const char **)(uintptr_t)args);
	if (rc != 0) {
		writer_fail(w, path, rrd_get_error());
		drain_sigpipe();
		return -EIO;
	}
	k->verified = true;
	k->link = l == STORAGE_LAYOUT_TRAFFIC;
	k->last_t = t - RRD_STEP;
	*ret_created = true;
	return 0;
}

/* Writes v as %.17g would, with '\0'; returns the length. %.17g
 * round-trips every double (bits/s up to 1e11 and beyond), but costs a
 * bignum conversion each; most values of a row are whole numbers (oper
 * status, error and discard rates of 0), which below 1e15 %.17g prints as
 * their plain digits: those skip printf. */
static size_t fmt_value(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		return (size_t)snprintf(buf, len, "U");
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v &&
	    (v != 0 || !signbit(v)) && len >= 24) {
		unsigned long long u = v < 0 ? (unsigned long long)-(long long)v
					     : (unsigned long long)v;
		char tmp[24];
		size_t n = 0, o = 0;

		do {
			tmp[n++] = (char)('0' + u % 10);
			u /= 10;
		} while (u != 0);
		if (v < 0)
			buf[o++] = '-';
		while (n > 0)
			buf[o++] = tmp[--n];
		buf[o] = '\0';
		return o;
	}
	return (size_t)snprintf(buf, len, "%.17g", v);
}

/* ---- writing a batch of rows ------------------------------------------ */

/* One file update of a batch: its row, file and "t:v1:v2..." line (both
 * in the arena). */
struct bent {
	size_t row;
	enum storage_layout l;
	const char *tmpl;
	time_t t;
	size_t path, line; /* offsets into the arena */
};

static int arena_put(struct rrd_writer *w, const char *s, size_t *ret_off)
{
	size_t len = strlen(s) + 1;

	if (w->alen + len > w->acap) {
		size_t cap = w->acap ? w->acap * 2 : 1 << 16;
		char *a;

		while (cap < w->alen + len)
			cap *= 2;
		a = realloc(w->arena, cap);
		if (a == NULL)
			return -ENOMEM;
		w->arena = a;
		w->acap = cap;
	}
	memcpy(w->arena + w->alen, s, len);
	*ret_off = w->alen;
	w->alen += len;
	return 0;
}

static int ent_add(struct rrd_writer *w, size_t row, const char *path,
		   enum storage_layout l, const char *tmpl, time_t t,
		   const double *v, size_t nv)
{
	char line[512], num[32];
	struct bent *e;
	size_t o;

	if (w->nents == w->entcap) {
		size_t cap = w->entcap ? w->entcap * 2 : 1024;
		struct bent *ne = realloc(w->ents, cap * sizeof(*ne));

		if (ne == NULL)
			return -ENOMEM;
		w->ents = ne;
		w->entcap = cap;
	}
	o = (size_t)snprintf(line, sizeof(line), "%lld", (long long)t);
	for (size_t i = 0; i < nv && o + sizeof(num) + 1 < sizeof(line);
	     i++) {
		size_t k = fmt_value(num, sizeof(num), v[i]);

		line[o++] = ':';
		memcpy(line + o, num, k + 1);
		o += k;
	}
	e = &w->ents[w->nents];
	e->row = row;
	e->l = l;
	e->tmpl = tmpl;
	e->t = t;
	if (arena_put(w, path, &e->path) < 0 ||
	    arena_put(w, line, &e->line) < 0)
		return -ENOMEM;
	w->nents++;
	return 0;
}

/* Marks row i of the batch failed with w->err as its error. */
static void row_fail(struct rrd_writer *w, size_t i, int rc)
{
	if (w->res[i] == 0 || w->res[i] == ROW_DEFERRED)
		w->res[i] = rc < 0 ? rc : -EIO;
}

/* The files and values of row r: 1 (device) or 2 (interface) files. */
static int row_files(struct rrd_writer *w, const struct qrow *r,
		     char paths[2][PATH_MAX], enum storage_layout ls[2],
		     const char *tmpls[2], double v[2][5], size_t nv[2])
{
	int rc;

	if (r->kind == ROW_DEV) {
		rc = storage_path_dev(w->dir, r->device, paths[0], PATH_MAX);
		if (rc < 0) {
			writer_fail(w, r->device, strerror(-rc));
			return rc;
		}
		ls[0] = STORAGE_LAYOUT_DEVICE;
		tmpls[0] = device_tmpl;
		v[0][0] = r->v.dev.latency_ms;
		v[0][1] = r->v.dev.has_loss ? r->v.dev.loss
					    : 1 - r->v.dev.reach; /* NAN stays */
		nv[0] = 2;
		return 1;
	}
	rc = storage_path_if(w->dir, r->device, r->ifname, paths[0], PATH_MAX);
	if (rc == 0)
		rc = storage_path_ifstatus(w->dir, r->device, r->ifname,
					   paths[1], PATH_MAX);
	if (rc < 0) {
		writer_fail(w, r->ifname, strerror(-rc));
		return rc;
	}
	ls[0] = r->v.ifr.link ? STORAGE_LAYOUT_TRAFFIC
			      : STORAGE_LAYOUT_TRAFFIC_GRAPH;
	tmpls[0] = traffic_tmpl;
	v[0][0] = r->v.ifr.in_bps;
	v[0][1] = r->v.ifr.out_bps;
	nv[0] = 2;
	ls[1] = STORAGE_LAYOUT_STATUS;
	tmpls[1] = status_tmpl;
	v[1][0] = r->v.ifr.oper;
	v[1][1] = r->v.ifr.in_err;
	v[1][2] = r->v.ifr.out_err;
	v[1][3] = r->v.ifr.in_disc;
	v[1][4] = r->v.ifr.out_disc;
	nv[1] = 5;
	return 2;
}

/* May the writer create one more file now? At most create_rate a second
 * (spread over time); no limit while stopping. */
static bool create_budget(struct rrd_writer *w, unsigned rate, bool stopping)
{
	double now;

	if (rate == 0 || stopping)
		return true;
	now = mono_now();
	if (now - w->win_start >= 1.0) {
		w->win_start = now;
		w->win_created = 0;
	}
	return w->win_created < rate;
}

/* Makes sure every file of row i exists (creating within the budget) and
 * adds its updates. A row whose file may not be created this second is
 * deferred whole (nothing of it written). */
static void batch_prepare_row(struct rrd_writer *w, size_t i, unsigned rate,
			      bool stopping)
{
	const struct qrow *r = &w->batch[i];
	char paths[2][PATH_MAX];
	enum storage_layout ls[2];
	const char *tmpls[2];
	double v[2][5];
	size_t nv[2];
	bool ok[2] = { false, false };
	int n, rc;

	n = row_files(w, r, paths, ls, tmpls, v, nv);
	if (n < 0) {
		row_fail(w, i, n);
		return;
	}
	if (w->cached != NULL && cached_connect(w, paths[0]) < 0) {
		row_fail(w, i, -ENOTCONN);
		return;
	}
	for (int f = 0; f < n; f++) {
		bool created = false;
		bool may = create_budget(w, rate, stopping);

		rc = writer_ensure(w, paths[f], ls[f], r->t, may, &created);
		if (created) {
			w->win_created++;
			w->bcreated++;
		}
		if (rc == -EAGAIN) {
			w->res[i] = ROW_DEFERRED;
			return;
		}
		if (rc < 0)
			row_fail(w, i, rc); /* the other file still written */
		else
			ok[f] = true;
	}
	for (int f = 0; f < n; f++)
		if (ok[f] && ent_add(w, i, paths[f], ls[f], tmpls[f], r->t,
				     v[f], nv[f]) < 0) {
			writer_fail(w, paths[f], strerror(ENOMEM));
			row_fail(w, i, -ENOMEM);
		}
}

static const struct rrd_writer *sort_w; /* writer thread only */

static int cmp_ent(const void *a, const void *b)
{
	const struct bent *x = a, *y = b;
	int c = strcmp(sort_w->arena + x->path, sort_w->arena + y->path);

	if (c != 0)
		return c;
	return (x->row > y->row) - (x->row < y->row);
}

/* Direct writes: the updates of one file in one rrd_update_r call (librrd
 * opens, reads the header of and closes the file once per call, not once
 * per row). Rows at or before the file's last update are refused here,
 * one by one, as librrd would, so that they do not fail the others. */
static void batch_write_direct(struct rrd_writer *w)
{
	const char **argv = NULL;
	size_t cap = 0;

	if (w->nents == 0)
		return;
	sort_w = w;
	qsort(w->ents, w->nents, sizeof(*w->ents), cmp_ent);
	for (size_t g = 0; g < w->nents;) {
		const char *path = w->arena + w->ents[g].path;
		struct known *k = known_find(&w->known, path);
		time_t last = k != NULL ? k->last_t : 0;
		size_t e = g, n = 0;

		while (e < w->nents &&
		       strcmp(w->arena + w->ents[e].path, path) == 0)
			e++;
		if (e - g > cap) {
			const char **na = realloc(argv, (e - g) * sizeof(*na));

			if (na == NULL) {
				writer_fail(w, path, strerror(ENOMEM));
				for (size_t i = g; i < e; i++)
					row_fail(w, w->ents[i].row, -ENOMEM);
				g = e;
				continue;
			}
			argv = na;
			cap = e - g;
		}
		for (size_t i = g; i < e; i++) {
			char msg[160];

			if (last != 0 && w->ents[i].t <= last) {
				snprintf(msg, sizeof(msg),
					 "illegal attempt to update using time "
					 "%lld when last update time is %lld "
					 "(minimum one second step)",
					 (long long)w->ents[i].t,
					 (long long)last);
				writer_fail(w, path, msg);
				row_fail(w, w->ents[i].row, -EIO);
				continue;
			}
			last = w->ents[i].t;
			argv[n++] = w->arena + w->ents[i].line;
		}
		if (n > 0) {
			rrd_clear_error();
			if (rrd_update_r(path, w->ents[g].tmpl, (int)n,
					 argv) != 0) {
				writer_fail(w, path, rrd_get_error());
				for (size_t i = g; i < e; i++)
					row_fail(w, w->ents[i].row, -EIO);
				if (k != NULL) {
					k->verified = false; /* gone? */
					k->last_t = 0;
				}
			} else if (k != NULL) {
				k->last_t = last;
			}
		}
		g = e;
	}
	free(argv);
}

static void on_batch_err(void *arg, size_t cmd, const char *msg)
{
	struct rrd_writer *w = arg;
	struct known *k;
	const char *path;

	if (cmd >= w->nents)
		return;
	path = w->arena + w->ents[cmd].path;
	writer_fail(w, path, msg);
	row_fail(w, w->ents[cmd].row, -EIO);
	k = known_find(&w->known, path);
	if (k != NULL)
		k->verified = false; /* gone? checked before the next */
}

/* rrdcached: every update of the batch in one BATCH command (one write,
 * one answer) on the writer's own connection. */
static void batch_write_cached(struct rrd_writer *w)
{
	char *cmds = NULL, msg[300];
	size_t len = 0, cap = 0;
	int rc;

	if (w->nents == 0)
		return;
	for (size_t i = 0; i < w->nents; i++) {
		const char *path = w->arena + w->ents[i].path;
		const char *line = w->arena + w->ents[i].line;
		size_t pl = strlen(path), ll = strlen(line);
		size_t need = pl + ll + 10;

		if (len + need > cap) {
			size_t nc = cap ? cap * 2 : 1 << 16;
			char *nb;

			while (nc < len + need)
				nc *= 2;
			nb = realloc(cmds, nc);
			if (nb == NULL) {
				free(cmds);
				writer_fail(w, path, strerror(ENOMEM));
				for (size_t k = 0; k < w->nents; k++)
					row_fail(w, w->ents[k].row, -ENOMEM);
				return;
			}
			cmds = nb;
			cap = nc;
		}
		memcpy(cmds + len, "UPDATE ", 7);
		memcpy(cmds + len + 7, path, pl);
		cmds[len + 7 + pl] = ' ';
		memcpy(cmds + len + 8 + pl, line, ll);
		cmds[len + 8 + pl + ll] = '\n';
		len += pl + ll + 9;
	}
	/* a connection from before a restart of rrdcached fails in the
	 * handshake, before any update is sent: one more try, fresh */
	for (int tries = w->conn.fd >= 0 ? 2 : 1; tries > 0; tries--) {
		char why[200];

		rc = storage__rrdc_open(&w->conn, w->cached);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "rrdcached %.64s: %s",
				 w->cached, strerror(-rc));
			break;
		}
		rc = storage__rrdc_batch(&w->conn, cmds, len, on_batch_err, w,
					 why, sizeof(why));
		if (rc < 0)
			snprintf(msg, sizeof(msg), "rrdcached %.64s: %s",
				 w->cached, why);
		if (rc != -ENOTCONN)
			break;
	}
	free(cmds);
	if (rc < 0) {
		writer_fail(w, NULL, msg);
		for (size_t i = 0; i < w->nents; i++)
			row_fail(w, w->ents[i].row, rc);
		return;
	}
	for (size_t i = 0; i < w->nents; i++) {
		struct known *k = known_find(&w->known,
					     w->arena + w->ents[i].path);

		if (k != NULL)
			k->dirty = true;
	}
}

/* Writes the n rows of w->batch: res[i] = 0 written, < 0 failed (w->err
 * has the last error), ROW_DEFERRED waiting for its file's creation. */
static void writer_batch(struct rrd_writer *w, size_t n, unsigned rate,
			 bool stopping)
{
	w->nents = 0;
	w->alen = 0;
	for (size_t i = 0; i < n; i++) {
		w->res[i] = 0;
		batch_prepare_row(w, i, rate, stopping);
	}
	if (w->cached != NULL)
		batch_write_cached(w);
	else
		batch_write_direct(w);
}

/* rrdcached keeps updates in memory; FLUSH each file updated since the last
 * flush (FLUSH returns once the file is written, FLUSHALL right away). */
static int writer_cache_flush(struct rrd_writer *w)
{
	struct known *k;
	size_t i;
	int failed = 0;

	if (w->cached == NULL || !rrdc_is_connected(w->cached))
		return 0;
	for (i = 0; i < w->known.nb; i++) {
		for (k = w->known.b[i]; k != NULL; k = k->next) {
			if (!k->dirty)
				continue;
			rrd_clear_error();
			if (rrdc_flush(k->path) != 0) {
				writer_fail(w, k->path, rrd_get_error());
				drain_sigpipe();
				failed = 1;
				continue;
			}
			k->dirty = false;
		}
	}
	return failed ? -EIO : 0;
}

/* Pops the oldest row into r. Caller holds mu and count > 0. */
static void queue_pop(struct rrd_writer *w, struct qrow *r)
{
	*r = w->ring[w->head];
	w->head = (w->head + 1) % w->cap;
	w->count--;
	if (w->count == 0 && w->cap > RING_SHRINK) {
		free(w->ring); /* give a burst's memory back */
		w->ring = NULL;
		w->cap = w->head = 0;
	}
}

static void writer_flush_step(struct rrd_writer *w)
{
	uint64_t ticket = w->flush_req;
	int rc;

	pthread_mutex_unlock(&w->mu);
	w->err[0] = '\0';
	rc = writer_cache_flush(w);
	pthread_mutex_lock(&w->mu);
	if (rc < 0)
		snprintf(w->st.last_error, sizeof(w->st.last_error), "%s",
			 w->err);
	w->flush_done = ticket;
	pthread_cond_broadcast(&w->done_cv);
}

/* May the rows waiting for their file's creation be tried again: a new
 * second of the budget, or no budget, or the stop. Caller holds mu. */
static bool def_ready(const struct rrd_writer *w)
{
	return w->ndef > 0 && (w->stop || w->create_rate == 0 ||
			       mono_now() - w->win_start >= 1.0);
}

/* Are rows due? Queued rows wait hold_s (direct writes; rrdcached: at
 * least CACHED_GATHER_S) to be written together, unless a flush or the
 * stop asks for them or the queue is half full; rows waiting for their
 * file, the next second. Caller holds mu; *ret_wait gets how long to wait
 * otherwise (0: until signalled). */
static bool rows_due(const struct rrd_writer *w, double *ret_wait)
{
	double hold = w->hold_s, age, wait = 0;

	if (w->cached != NULL && hold < CACHED_GATHER_S)
		hold = CACHED_GATHER_S;
	if (def_ready(w))
		return true;
	if (w->ndef > 0)
		wait = 1.0 - (mono_now() - w->win_start);
	*ret_wait = wait;
	if (w->count == 0)
		return false;
	if (hold <= 0 || w->stop || w->flush_done < w->flush_req ||
	    w->count >= w->max / 2)
		return true;
	age = mono_now() - w->ring[w->head].qt;
	if (age >= hold)
		return true;
	if (wait <= 0 || hold - age < wait)
		*ret_wait = hold - age;
	return false;
}

static void cond_wait_s(struct rrd_writer *w, double s)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (s > 5)
		s = 5;
	if (s < 0.001)
		s = 0.001;
	ts.tv_sec += (time_t)s;
	ts.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->work_cv, &w->mu, &ts);
}

/* Puts the rows of the batch that wait for their file back in front of
 * the rows still waiting (they are older: order per file is kept), the
 * queue's after them. Caller holds mu. Beyond the queue's bound the
 * oldest are dropped. */
static void def_requeue(struct rrd_writer *w, size_t n, size_t from_def)
{
	size_t back = 0, rest = w->ndef, need;
	struct qrow *d;

	for (size_t i = 0; i < n; i++)
		back += w->res[i] == ROW_DEFERRED;
	need = back + rest;
	if (back == 0)
		return; /* nothing of the batch waits: def unchanged */
	if (need > w->defcap) {
		size_t cap = w->defcap ? w->defcap : 256;

		while (cap < need)
			cap *= 2;
		d = realloc(w->def, cap * sizeof(*d));
		if (d == NULL) {
			/* cannot keep them: failed, as a full queue would */
			for (size_t i = 0; i < n; i++)
				if (w->res[i] == ROW_DEFERRED) {
					w->res[i] = -ENOMEM;
					w->done_seq++;
					w->st.failed++;
				}
			return;
		}
		w->def = d;
		w->defcap = cap;
	}
	/* [waiting from def] [rest of def] [waiting from the queue] */
	memmove(w->def + back, w->def, rest * sizeof(*w->def));
	back = 0;
	for (size_t i = 0; i < from_def; i++)
		if (w->res[i] == ROW_DEFERRED)
			w->def[back++] = w->batch[i];
	back += rest;
	for (size_t i = from_def; i < n; i++)
		if (w->res[i] == ROW_DEFERRED) {
			w->def[back++] = w->batch[i];
			w->st.deferred++;
		}
	w->ndef = back;
}

static void *writer_main(void *arg)
{
	struct rrd_writer *w = arg;
	double wait;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		size_t n = 0, nd = 0;
		unsigned rate = w->create_rate;
		bool stopping = w->stop;

		/* A flush is due once every row queued before it is done. */
		if (w->flush_done < w->flush_req &&
		    w->done_seq >= w->flush_target) {
			writer_flush_step(w);
			continue;
		}
		if (!rows_due(w, &wait)) {
			if (w->stop && w->count == 0 && w->ndef == 0)
				break;
			if (wait > 0)
				cond_wait_s(w, wait);
			else
				pthread_cond_wait(&w->work_cv, &w->mu);
			continue;
		}
		/* rows waiting for their file first (they are older), then
		 * the queue */
		if (def_ready(w)) {
			nd = w->ndef < BATCH_MAX ? w->ndef : BATCH_MAX;
			memcpy(w->batch, w->def, nd * sizeof(*w->batch));
			memmove(w->def, w->def + nd,
				(w->ndef - nd) * sizeof(*w->def));
			w->ndef -= nd;
		}
		n = nd;
		while (n < BATCH_MAX && w->count > 0)
			queue_pop(w, &w->batch[n++]);
		pthread_mutex_unlock(&w->mu);
		w->err[0] = '\0';
		w->bcreated = 0;
		writer_batch(w, n, rate, stopping);
		pthread_mutex_lock(&w->mu);
		w->st.created += w->bcreated;
		w->st.batches++;
		for (size_t i = 0; i < n; i++) {
			if (w->res[i] == ROW_DEFERRED)
				continue;
			w->done_seq++;
			if (w->res[i] < 0)
				w->st.failed++;
			else
				w->st.written++;
		}
		def_requeue(w, n, nd);
		if (w->err[0] != '\0')
			snprintf(w->st.last_error, sizeof(w->st.last_error),
				 "%s", w->err);
	}
	pthread_mutex_unlock(&w->mu);

	/* Everything is handed over; make rrdcached write it too. */
	w->err[0] = '\0';
	if (writer_cache_flush(w) < 0) {
		pthread_mutex_lock(&w->mu);
		snprintf(w->st.last_error, sizeof(w->st.last_error), "%s",
			 w->err);
		pthread_mutex_unlock(&w->mu);
	}
	storage__rrdc_close(&w->conn);
	if (w->cached != NULL)
		rrdc_disconnect();
	return NULL;
}

/* Resolves where files go: created if missing (unless a remote rrdcached
 * owns the folder), absolute for a local rrdcached, which resolves relative
 * names against its own -b folder. */
static int writer_set_dir(struct rrd_writer *w, const char *dir, char *err,
			  size_t errlen)
{
	int rc;

	if (w->cached != NULL && !w->cached_local) {
		if (snprintf(w->dir, sizeof(w->dir), "%s", dir) >=
		    (int)sizeof(w->dir))
			goto toolong;
		return 0;
	}
	rc = storage_mkdir_p(dir);
	if (rc < 0) {
		snprintf(err, errlen, "storage dir %s: %s", dir, strerror(-rc));
		return rc;
	}
	if (w->cached == NULL) {
		if (snprintf(w->dir, sizeof(w->dir), "%s", dir) >=
		    (int)sizeof(w->dir))
			goto toolong;
		return 0;
	}
	if (realpath(dir, w->dir) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "storage dir %s: %s", dir, strerror(-rc));
		return rc;
	}
	return 0;
toolong:
	snprintf(err, errlen, "storage dir %s: %s", dir,
		 strerror(ENAMETOOLONG));
	return -ENAMETOOLONG;
}

/* Starts the thread with every signal blocked: signals belong to the loop
 * thread, and a SIGPIPE from rrdcached's socket stays in this one. */
static int writer_start(struct rrd_writer *w)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -rc;
}

int rrd_writer_create(const char *dir, const char *rrdcached, size_t queue_max,
		      struct rrd_writer **ret_w, char *err, size_t errlen)
{
	struct rrd_writer *w;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (dir == NULL || *dir == '\0' || ret_w == NULL) {
		snprintf(err, errlen, "rrd writer: no storage dir");
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		snprintf(err, errlen, "rrd writer: out of memory");
		return -ENOMEM;
	}
	w->max = queue_max != 0 ? queue_max : QUEUE_DEFAULT;
	if (rrdcached != NULL && *rrdcached != '\0') {
		w->cached = strdup(rrdcached);
		if (w->cached == NULL) {
			rc = -ENOMEM;
			snprintf(err, errlen, "rrd writer: out of memory");
			goto err_free;
		}
		w->cached_local = rrdcached[0] == '/' ||
				  strncmp(rrdcached, "unix:", 5) == 0;
	}
	rc = writer_set_dir(w, dir, err, errlen);
	if (rc < 0)
		goto err_free;
	rc = -pthread_mutex_init(&w->mu, NULL);
	if (rc < 0)
		goto err_msg;
	w->batch = malloc(BATCH_MAX * sizeof(*w->batch));
	w->res = malloc(BATCH_MAX * sizeof(*w->res));
	if (w->batch == NULL || w->res == NULL) {
		rc = -ENOMEM;
		goto err_mutex;
	}
	storage__rrdc_init(&w->conn);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		rc = -pthread_cond_init(&w->work_cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (rc < 0)
		goto err_mutex;
	rc = -pthread_cond_init(&w->done_cv, NULL);
	if (rc < 0)
		goto err_work;
	rc = writer_start(w);
	if (rc < 0)
		goto err_done;
	*ret_w = w;
	return 0;

err_done:
	pthread_cond_destroy(&w->done_cv);
err_work:
	pthread_cond_destroy(&w->work_cv);
err_mutex:
	pthread_mutex_destroy(&w->mu);
err_msg:
	snprintf(err, errlen, "rrd writer: %s", strerror(-rc));
err_free:
	free(w->batch);
	free(w->res);
	free(w->cached);
	free(w);
	return rc;
}

/* Makes room for one more row. Caller holds mu. */
static int queue_reserve(struct rrd_writer *w)
{
	struct qrow *ring;
	size_t cap, i;

	if (w->count < w->cap)
		return 0;
	if (w->cap >= w->max)
		return -EAGAIN;
	cap = w->cap != 0 ? w->cap * 2 : RING_MIN;
	if (cap > w->max)
		cap = w->max;
	ring = malloc(cap * sizeof(*ring));
	if (ring == NULL)
		return -EAGAIN;
	for (i = 0; i < w->count; i++)
		ring[i] = w->ring[(w->head + i) % w->cap];
	free(w->ring);
	w->ring = ring;
	w->cap = cap;
	w->head = 0;
	return 0;
}

static int writer_submit(struct rrd_writer *w, enum row_kind kind,
			 const char *device, const char *ifname, time_t t,
			 const void *row)
{
	struct qrow *r;
	size_t dlen, ilen;
	int rc;

	if (w == NULL || device == NULL || row == NULL ||
	    (kind == ROW_IF && ifname == NULL))
		return -EINVAL;
	dlen = strlen(device);
	ilen = ifname != NULL ? strlen(ifname) : 0;

	pthread_mutex_lock(&w->mu);
	if (dlen >= NAME_CAP || ilen >= NAME_CAP) {
		w->st.failed++;
		snprintf(w->st.last_error, sizeof(w->st.last_error),
			 "name longer than %d bytes: %.64s...", NAME_CAP - 1,
			 dlen >= NAME_CAP ? device : ifname);
		pthread_mutex_unlock(&w->mu);
		return -ENAMETOOLONG;
	}
	rc = queue_reserve(w);
	if (rc < 0) {
		w->st.dropped++;
		pthread_mutex_unlock(&w->mu);
		return rc;
	}
	r = &w->ring[(w->head + w->count) % w->cap];
	r->kind = kind;
	r->t = t;
	r->qt = mono_now();
	memcpy(r->device, device, dlen + 1);
	memcpy(r->ifname, ifname != NULL ? ifname : "", ilen + 1);
	if (kind == ROW_IF)
		r->v.ifr = *(const struct if_row *)row;
	else
		r->v.dev = *(const struct dev_row *)row;
	w->count++;
	w->enq_seq++;
	w->st.submitted++;
	/* The writer waits for the first row (untimed), then for the oldest
	 * row's hold, which later rows do not shorten: wake it for the first
	 * row and for a queue half full, not for every row (a futex wake and
	 * a context switch each). */
	if (w->count == 1 || w->count >= w->max / 2)
		pthread_cond_signal(&w->work_cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

int rrd_writer_submit_if(struct rrd_writer *w, const char *device,
			 const char *ifname, time_t t, const struct if_row *row)
{
	return writer_submit(w, ROW_IF, device, ifname, t, row);
}

int rrd_writer_submit_dev(struct rrd_writer *w, const char *device, time_t t,
			  const struct dev_row *row)
{
	return writer_submit(w, ROW_DEV, device, NULL, t, row);
}

void rrd_writer_flush(struct rrd_writer *w)
{
	uint64_t ticket;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	ticket = ++w->flush_req;
	w->flush_target = w->enq_seq;
	pthread_cond_signal(&w->work_cv);
	while (w->flush_done < ticket)
		pthread_cond_wait(&w->done_cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

void rrd_writer_set_batch(struct rrd_writer *w, double hold_s,
			  unsigned create_per_s)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->hold_s = hold_s > 0 ? hold_s : 0;
	w->create_rate = create_per_s;
	pthread_cond_signal(&w->work_cv);
	pthread_mutex_unlock(&w->mu);
}

void rrd_writer_stats_get(struct rrd_writer *w, struct rrd_writer_stats *ret)
{
	if (w == NULL || ret == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	*ret = w->st;
	ret->queued = w->count + w->ndef;
	pthread_mutex_unlock(&w->mu);
}

void rrd_writer_destroy(struct rrd_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->work_cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);

	known_free(&w->known);
	free(w->ring);
	free(w->def);
	free(w->batch);
	free(w->res);
	free(w->arena);
	free(w->ents);
	free(w->cached);
	pthread_cond_destroy(&w->done_cv);
	pthread_cond_destroy(&w->work_cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
