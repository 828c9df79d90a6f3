/*
 * rrdstore.c - the RRD writer: a bounded queue of fixed-size rows drained by one
 * writer thread that creates and updates RRD files, directly with librrd's
 * thread-safe *_r calls or through rrdcached (librrd's rrdc_* client).
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
	bool dirty;    /* updated since the last FLUSH */
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
	k->verified = k->dirty = false;
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
};

/* Copies msg into the one-line error buffer, naming path unless msg
 * already does (librrd's update errors name the file, rrdcached's don't). */
static void writer_fail(struct rrd_writer *w, const char *path,
			const char *msg)
{
	char *p;

	if (msg == NULL || *msg == '\0')
		msg = "unknown librrd error";
	if (path != NULL && strstr(msg, path) == NULL)
		snprintf(w->err, sizeof(w->err), "%s: %s", path, msg);
	else
		snprintf(w->err, sizeof(w->err), "%s", msg);
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
		k->verified = true;
		return 0;
	}
	rc = storage__layout_check(path, l, msg, sizeof(msg));
	if (rc < 0) {
		writer_fail(w, path, msg);
		return rc;
	}
	k->verified = true;
	return 0;
}

/* Makes sure path exists with layout l, creating it with its first step
 * ending at t. An existing file is used as is once its layout is checked:
 * no_overwrite is set, so even a file created meanwhile by someone else is
 * never truncated. */
static int writer_ensure(struct rrd_writer *w, const char *path,
			 enum storage_layout l, time_t t, bool *ret_created)
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
	if (k->verified)
		return 0;
	if (w->cached == NULL && access(path, F_OK) == 0)
		return writer_check(w, path, l, k);
	if (w->cached != NULL) {
		rrd_clear_error();
		if (rrdc_last(path) > 0)
			return writer_check(w, path, l, k);
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
	*ret_created = true;
	return 0;
}

static void fmt_value(char *buf, size_t len, double v)
{
	/* %.17g round-trips every double (bits/s up to 1e11 and beyond). */
	if (isfinite(v))
		snprintf(buf, len, "%.17g", v);
	else
		snprintf(buf, len, "U");
}

/* Writes one update "t:v1:v2..." to path (created first if needed). */
static int writer_update(struct rrd_writer *w, const char *path,
			 enum storage_layout l, const char *tmpl, time_t t,
			 const double *v, size_t nv, unsigned *ret_created)
{
	char line[512], num[32];
	const char *argv[1] = { line };
	struct known *k;
	bool created;
	size_t i, o;
	int rc;

	if (w->cached != NULL) {
		rc = cached_connect(w, path);
		if (rc < 0)
			return rc;
	}
	rc = writer_ensure(w, path, l, t, &created);
	if (rc < 0)
		return rc;
	if (created)
		(*ret_created)++;
	o = (size_t)snprintf(line, sizeof(line), "%lld", (long long)t);
	for (i = 0; i < nv; i++) {
		fmt_value(num, sizeof(num), v[i]);
		o += (size_t)snprintf(line + o, sizeof(line) - o, ":%s", num);
	}
	rrd_clear_error();
	if (w->cached != NULL)
		rc = rrdc_update(path, 1, argv); /* DS order of our layout */
	else
		rc = rrd_update_r(path, tmpl, 1, argv);
	if (rc != 0) {
		writer_fail(w, path, rrd_get_error());
		drain_sigpipe();
		k = known_find(&w->known, path);
		if (k != NULL)
			k->verified = false; /* gone? check before the next */
		return -EIO;
	}
	k = w->cached != NULL ? known_find(&w->known, path) : NULL;
	if (k != NULL)
		k->dirty = true;
	return 0;
}

/* Writes one row; returns 0 when every file of it took the update. */
static int writer_row(struct rrd_writer *w, const struct qrow *r,
		      unsigned *ret_created)
{
	char path[PATH_MAX];
	double v[5];
	int rc, bad = 0;

	if (r->kind == ROW_DEV) {
		rc = storage_path_dev(w->dir, r->device, path, sizeof(path));
		if (rc < 0) {
			writer_fail(w, r->device, strerror(-rc));
			return rc;
		}
		v[0] = r->v.dev.latency_ms;
		v[1] = 1 - r->v.dev.reach; /* NAN stays NAN */
		return writer_update(w, path, STORAGE_LAYOUT_DEVICE,
				     device_tmpl, r->t, v, 2, ret_created);
	}

	rc = storage_path_if(w->dir, r->device, r->ifname, path, sizeof(path));
	if (rc < 0) {
		writer_fail(w, r->ifname, strerror(-rc));
		return rc;
	}
	v[0] = r->v.ifr.in_bps;
	v[1] = r->v.ifr.out_bps;
	if (writer_update(w, path, STORAGE_LAYOUT_TRAFFIC, traffic_tmpl, r->t,
			  v, 2, ret_created) < 0)
		bad = 1;

	/* The status file is written even when traffic failed. */
	storage_path_ifstatus(w->dir, r->device, r->ifname, path,
			      sizeof(path));
	v[0] = r->v.ifr.oper;
	v[1] = r->v.ifr.in_err;
	v[2] = r->v.ifr.out_err;
	v[3] = r->v.ifr.in_disc;
	v[4] = r->v.ifr.out_disc;
	if (writer_update(w, path, STORAGE_LAYOUT_STATUS, status_tmpl, r->t,
			  v, 5, ret_created) < 0)
		bad = 1;
	return bad ? -EIO : 0;
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

static void *writer_main(void *arg)
{
	struct rrd_writer *w = arg;
	struct qrow r;
	unsigned created;
	int rc;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		/* A flush is due once every row queued before it is done. */
		if (w->flush_done < w->flush_req &&
		    w->done_seq >= w->flush_target) {
			writer_flush_step(w);
			continue;
		}
		if (w->count > 0) {
			queue_pop(w, &r);
			pthread_mutex_unlock(&w->mu);
			created = 0;
			w->err[0] = '\0';
			rc = writer_row(w, &r, &created);
			pthread_mutex_lock(&w->mu);
			w->done_seq++;
			w->st.created += created;
			if (rc < 0) {
				w->st.failed++;
				snprintf(w->st.last_error,
					 sizeof(w->st.last_error), "%s",
					 w->err);
			} else {
				w->st.written++;
			}
			continue;
		}
		if (w->stop)
			break;
		pthread_cond_wait(&w->work_cv, &w->mu);
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
	rc = -pthread_cond_init(&w->work_cv, NULL);
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
	memcpy(r->device, device, dlen + 1);
	memcpy(r->ifname, ifname != NULL ? ifname : "", ilen + 1);
	if (kind == ROW_IF)
		r->v.ifr = *(const struct if_row *)row;
	else
		r->v.dev = *(const struct dev_row *)row;
	w->count++;
	w->enq_seq++;
	w->st.submitted++;
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

void rrd_writer_stats_get(struct rrd_writer *w, struct rrd_writer_stats *ret)
{
	if (w == NULL || ret == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	*ret = w->st;
	ret->queued = w->count;
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
	free(w->cached);
	pthread_cond_destroy(&w->done_cv);
	pthread_cond_destroy(&w->work_cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
