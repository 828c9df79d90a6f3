/*
 * simulate_history.c - `slamon-simulate-history --month YYYY-MM [-c CONFIG]
 * [--seed N]`, a tool for the demo (scripts/demo.sh), not part of slamond:
 * a clearly labelled month of simulated history written into the same RRD
 * files and fault journal slamond writes, so sla/ reads it like polled data.
 * It refuses (exit 1, nothing written) when a file it would write already
 * holds data inside or after the month, when the journal already has
 * faults or maintenance in the month, or when the month has not ended yet.
 * Exit status 0 done, 1 refused or failed, 2 usage or configuration error.
 *
 * What is written (docs/demo-network.md, "Simulated history"):
 *   - every device: device.v4.rrd, one row every 5 minutes (loss 0, a
 *     latency with a daily curve); every interface named in the inventory
 *     `interfaces` column (or matched there as a glob against
 *     expected.json): if-*.v4.rrd and st-*.v4.rrd with a daily traffic curve
 *     around the rates of expected.json next to the inventory, capped
 *     below the capacity;
 *   - scripted events, all in the configured zone: an access point down
 *     3 h (day 6, 09:10-12:10), an aggregation switch down 40 min with
 *     every device behind it unreachable (day 14, 15:20-16:00), a second
 *     access point down 25 min (day 22, 20:05-20:30), a 2-hour maintenance
 *     window of another aggregation switch and what is behind it (the
 *     first Saturday from day 15 on, 23:00-01:00), a 30-minute collector
 *     stop without data for everybody (day 27, 03:00-03:30); devices tagged
 *     `unreachable` that have no parent tagged so and no children (the
 *     demo's access points that never answer) are down the whole month;
 *   - the journal: the three outages as faults (acknowledged in time, late,
 *     in time; resolved; closed with 满意 / 基本满意 / 满意), the unreachable
 *     children listed on the parent's fault, the maintenance occurrence,
 *     and every device's state changes (what sla/ reads availability
 *     from), one per change of its 5-minute rows, the month ending
 *     "unknown" (slamond stopped);
 *   - <storage_dir>/SIMULATED: one line per simulated month.
 *
 * Speed: librrd opens, reads and closes the file for every update call, so
 * one call per row (what rrd_writer_submit_* does) costs ~65 us while one
 * call with a month of rows costs ~1 us a row. The rows of one file are
 * therefore handed to storage_rrd_batch_write in one call, from a few
 * threads; it uses the project's file names (storage_path_*) and layouts
 * (storage_layout_args) - the files are exactly those the writer makes.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "modules/modules.h"
#include "sla/sla.h"
#include "storage/journal.h"
#include "storage/rrdstore.h"
#include "simulate_services.h"

#define SIM_STEP 300        /* one row every 5 minutes */
#define SIM_MAX_IFS 8       /* monitored interfaces per device */
#define SIM_MAX_EVENTS 8    /* scripted intervals per device */
#define SIM_THREADS_MAX 4

enum ev_kind { EV_DOWN, EV_MAINT, EV_NODATA };

struct sim_ev {
	int kind;
	double a, b; /* rows stamped t with a < t <= b */
};

struct sim_if {
	char name[INV_TEXT_MAX];
	double in_bps, out_bps; /* daytime level, bits/s */
	double cap_bps;         /* values stay below 95 % of this */
	double err_rate;        /* errors + discards per second, each way */
};

struct sim_dev {
	size_t idx;
	struct sim_if ifs[SIM_MAX_IFS];
	size_t nifs;
	struct sim_ev ev[SIM_MAX_EVENTS];
	size_t nev;
	double latency_ms; /* night-time latency */
	int always_down;
};

struct sim {
	const struct config *cfg;
	struct sla_period p;
	char month[16];
	uint64_t seed;
	double t0;    /* first row is t0 + SIM_STEP, last t0 + n * SIM_STEP */
	size_t nrows;
	time_t *times; /* nrows row times, while writing */
	float *load;  /* per row: the daily traffic curve, 0.2 .. 1.25 */
	struct sim_dev *devs;
	size_t ndevs;
	size_t nifs_total;
	/* the writer threads */
	pthread_mutex_t mu;
	size_t next;
	int failed;
	char err[512];
	uint64_t written;
};

/* ---- helpers -------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A uniform number in [0, 1) from (seed, a, b, c): deterministic. */
static double urand(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t x = mix64(seed ^ mix64(a ^ mix64(b ^ mix64(c))));

	return (double)(x >> 11) / 9007199254740992.0;
}

static int has_tag(const char *tags, const char *tag)
{
	size_t n = strlen(tag);

	for (const char *p = tags; *p != '\0';) {
		const char *e = strchr(p, ';');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && strncmp(p, tag, n) == 0)
			return 1;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the plan ------------------------------------------------------- */

/* Local time of the month: day 1.., hour, minute -> epoch. */
static double at(const struct sim *s, int day, int hour, int min)
{
	double t = 0;

	sla_local_mktime(s->p.tz, s->p.year, s->p.month, day, hour, min, &t);
	return t;
}

static void ev_add(struct sim_dev *d, int kind, double a, double b)
{
	if (d->nev < SIM_MAX_EVENTS)
		d->ev[d->nev++] = (struct sim_ev){ kind, a, b };
}

/* expected.json (scripts/gen-demo-network.py) next to the inventory:
 * device -> interface -> {in_Bps, out_Bps, speed_mbps}. NULL when none. */
static json_t *load_expected(const struct config *cfg)
{
	char path[PATH_MAX + 32];
	const char *slash = strrchr(cfg->inventory, '/');

	if (slash == NULL)
		snprintf(path, sizeof(path), "expected.json");
	else
		snprintf(path, sizeof(path), "%.*s/expected.json",
			 (int)(slash - cfg->inventory), cfg->inventory);
	if (access(path, R_OK) != 0)
		return NULL;
	return json_load_file(path, 0, NULL);
}

static double role_default_mbps(enum role r)
{
	switch (r) {
	case ROLE_BACKBONE:
		return 10000;
	case ROLE_EXIT:
	case ROLE_CORE:
	case ROLE_AGGREGATION:
		return 1000;
	default:
		return 100;
	}
}

static void if_add(struct sim *s, struct sim_dev *d, const char *name,
		   json_t *exp_if)
{
	const struct device *dv = &s->cfg->devices[d->idx];
	struct sim_if *f;
	double speed = 0, in = -1, out = -1, cap;

	if (d->nifs == SIM_MAX_IFS)
		return;
	for (size_t i = 0; i < d->nifs; i++)
		if (strcmp(d->ifs[i].name, name) == 0)
			return;
	f = &d->ifs[d->nifs++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	if (exp_if != NULL) {
		speed = json_number_value(json_object_get(exp_if,
							  "speed_mbps"));
		if (json_is_number(json_object_get(exp_if, "in_Bps")))
			in = json_number_value(
				     json_object_get(exp_if, "in_Bps")) * 8;
		if (json_is_number(json_object_get(exp_if, "out_Bps")))
			out = json_number_value(
				      json_object_get(exp_if, "out_Bps")) * 8;
	}
	cap = dv->capacity_mbps > 0 ? dv->capacity_mbps
				    : speed > 0 ? speed
						: role_default_mbps(dv->role);
	if (speed > 0 && speed < cap)
		cap = speed;
	f->cap_bps = cap * 1e6;
	/* without expected.json: a plausible daytime level */
	if (in < 0 || out < 0) {
		double share = dv->role == ROLE_BACKBONE ? 0.45
			       : dv->role == ROLE_EXIT   ? 0.55
			       : dv->role == ROLE_ACCESS ? 0.04
							 : 0.10;

		share *= 0.8 + 0.4 * urand(s->seed, d->idx, d->nifs, 1);
		in = in >= 0 ? in : f->cap_bps * share;
		out = out >= 0 ? out : f->cap_bps * share * 0.8;
	}
	f->in_bps = in;
	f->out_bps = out;
	f->err_rate = 0.001 + 0.02 * urand(s->seed, d->idx, d->nifs, 2);
}

/* The interfaces slamond would store for a device: the names of its
 * `interfaces` column; a glob is matched against expected.json (the
 * generator's interface list) and skipped without it. Empty column: every
 * up interface, which only polling can know - device rows only. */
static size_t plan_ifs(struct sim *s, struct sim_dev *d, json_t *expected)
{
	const struct device *dv = &s->cfg->devices[d->idx];
	json_t *exp_dev = expected ? json_object_get(expected, dv->name) : NULL;
	char sel[INV_TEXT_MAX], *save = NULL;
	size_t skipped = 0;

	snprintf(sel, sizeof(sel), "%s", dv->ifsel);
	for (char *w = strtok_r(sel, ";", &save); w != NULL;
	     w = strtok_r(NULL, ";", &save)) {
		while (*w == ' ')
			w++;
		if (*w == '\0')
			continue;
		if (strpbrk(w, "*?[") == NULL) {
			if_add(s, d, w,
			       exp_dev ? json_object_get(exp_dev, w) : NULL);
			continue;
		}
		if (exp_dev == NULL) {
			skipped++;
			continue;
		}
		const char *key;
		json_t *v;

		json_object_foreach(exp_dev, key, v)
			if (fnmatch(w, key, 0) == 0)
				if_add(s, d, key, v);
	}
	return skipped;
}

static int children_of(const struct config *cfg, size_t p)
{
	int n = 0;

	for (size_t i = 0; i < cfg->ndevices; i++)
		n += cfg->devices[i].parent_idx == (int)p;
	return n;
}

/* Scripted events. */
struct sim_script {
	long ap1, ap2, agg, maint_agg; /* device indices, -1 = none */
	double ap1_a, ap1_b, ap2_a, ap2_b, agg_a, agg_b, m_a, m_b, gap_a,
		gap_b;
	size_t always_down;
};

static int in_group(const struct config *cfg, size_t d, long root)
{
	for (int p = (int)d, hops = 0; p >= 0 && hops < 64;
	     p = cfg->devices[p].parent_idx, hops++)
		if (p == root)
			return 1;
	return 0;
}

static void plan_events(struct sim *s, struct sim_script *sc)
{
	const struct config *cfg = s->cfg;
	size_t *aps, naps = 0, *aggs, naggs = 0;
	struct tm tm;
	int sat = 15;

	memset(sc, 0, sizeof(*sc));
	sc->ap1 = sc->ap2 = sc->agg = sc->maint_agg = -1;
	aps = calloc(cfg->ndevices + 1, sizeof(*aps));
	aggs = calloc(cfg->ndevices + 1, sizeof(*aggs));
	if (aps == NULL || aggs == NULL)
		goto out;
	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct device *dv = &cfg->devices[i];
		int unreach = has_tag(dv->tags, "unreachable");

		if (unreach && children_of(cfg, i) == 0 &&
		    (dv->parent_idx < 0 ||
		     !has_tag(cfg->devices[dv->parent_idx].tags,
			      "unreachable"))) {
			s->devs[i].always_down = 1;
			sc->always_down++;
			continue;
		}
		if (unreach)
			continue;
		if (dv->role == ROLE_ACCESS)
			aps[naps++] = i;
		else if (dv->role == ROLE_AGGREGATION &&
			 children_of(cfg, i) > 0)
			aggs[naggs++] = i;
	}
	if (naps > 0)
		sc->ap1 = (long)aps[(s->seed * 7 + 2) % naps];
	if (naps > 1) {
		sc->ap2 = (long)aps[(s->seed * 13 + naps / 2 + 5) % naps];
		if (sc->ap2 == sc->ap1)
			sc->ap2 = (long)aps[((size_t)(s->seed * 13 + naps / 2 +
						      5) + 1) % naps];
	}
	if (naggs > 0) {
		sc->agg = (long)aggs[naggs / 2];
		sc->maint_agg = (long)aggs[naggs > 1 ? (naggs / 2 + naggs / 4 +
							1) % naggs
						     : 0];
	}
	sc->ap1_a = at(s, 6, 9, 10);
	sc->ap1_b = at(s, 6, 12, 10);
	sc->agg_a = at(s, 14, 15, 20);
	sc->agg_b = at(s, 14, 16, 0);
	sc->ap2_a = at(s, 22, 20, 5);
	sc->ap2_b = at(s, 22, 20, 30);
	sc->gap_a = at(s, 27, 3, 0);
	sc->gap_b = at(s, 27, 3, 30);
	/* maintenance: the first Saturday from day 15 on, 23:00 + 2 h */
	for (; sat < 22; sat++)
		if (sla_local_tm(s->p.tz, at(s, sat, 12, 0), &tm) == 0 &&
		    tm.tm_wday == 6)
			break;
	sc->m_a = at(s, sat, 23, 0);
	sc->m_b = sc->m_a + 2 * 3600.0;

	for (size_t i = 0; i < cfg->ndevices; i++) {
		struct sim_dev *d = &s->devs[i];

		ev_add(d, EV_NODATA, sc->gap_a, sc->gap_b);
		if (d->always_down) {
			ev_add(d, EV_DOWN, s->p.from - 1, s->p.to + 1);
			continue;
		}
		if ((long)i == sc->ap1)
			ev_add(d, EV_DOWN, sc->ap1_a, sc->ap1_b);
		if ((long)i == sc->ap2)
			ev_add(d, EV_DOWN, sc->ap2_a, sc->ap2_b);
		if (sc->agg >= 0 && in_group(cfg, i, sc->agg))
			ev_add(d, EV_DOWN, sc->agg_a, sc->agg_b);
		if (sc->maint_agg >= 0 && in_group(cfg, i, sc->maint_agg))
			ev_add(d, EV_MAINT, sc->m_a, sc->m_b);
	}
out:
	free(aps);
	free(aggs);
}

/* The daily curve, per row: business hours peak at 10:30 and 15:30, a
 * lunch dip, quiet nights, weekends at a third. */
static int plan_load(struct sim *s)
{
	s->load = malloc(s->nrows * sizeof(*s->load));
	if (s->load == NULL)
		return -ENOMEM;
	for (size_t k = 0; k < s->nrows; k++) {
		double t = s->t0 + (double)(k + 1) * SIM_STEP - SIM_STEP / 2.0;
		struct tm tm;
		double h, shape;

		if (sla_local_tm(s->p.tz, t, &tm) < 0)
			return -EINVAL;
		h = tm.tm_hour + tm.tm_min / 60.0;
		shape = exp(-pow((h - 10.5) / 1.8, 2)) +
			0.95 * exp(-pow((h - 15.5) / 2.0, 2)) +
			0.25 * exp(-pow((h - 20.5) / 2.0, 2));
		if (shape > 1)
			shape = 1;
		if (tm.tm_wday == 0 || tm.tm_wday == 6)
			shape *= 0.35;
		s->load[k] = (float)(0.2 + 1.05 * shape);
	}
	return 0;
}

/* ---- refusing to overwrite ----------------------------------------- */

/* Appends path to list when it holds data after the month's start. */
static int check_file(const struct sim *s, const char *path, char *list,
		      size_t len, size_t *nbad, double *latest)
{
	char err[512];
	time_t last;
	int rc;

	if (access(path, F_OK) != 0)
		return 0;
	rc = storage_rrd_last(path, &last, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "slamon-simulate-history: %s\n", err);
		(*nbad)++;
		return rc;
	}
	if ((double)last <= s->t0)
		return 0;
	if (*nbad < 5) {
		size_t o = strlen(list);

		snprintf(list + o, len - o, "  %s\n", path);
	}
	(*nbad)++;
	if ((double)last > *latest)
		*latest = (double)last;
	return 0;
}

static int check_files(const struct sim *s)
{
	char path[PATH_MAX], list[5 * (PATH_MAX + 4)] = "", a[32];
	size_t nbad = 0;
	double latest = 0;

	for (size_t i = 0; i < s->ndevs; i++) {
		const struct sim_dev *d = &s->devs[i];
		const char *name = s->cfg->devices[d->idx].name;

		if (storage_path_dev(s->cfg->storage_dir, name, path,
				     sizeof(path)) == 0)
			check_file(s, path, list, sizeof(list), &nbad,
				   &latest);
		for (size_t k = 0; k < d->nifs; k++) {
			if (storage_path_if(s->cfg->storage_dir, name,
					    d->ifs[k].name, path,
					    sizeof(path)) == 0)
				check_file(s, path, list, sizeof(list), &nbad,
					   &latest);
			if (storage_path_ifstatus(s->cfg->storage_dir, name,
						  d->ifs[k].name, path,
						  sizeof(path)) == 0)
				check_file(s, path, list, sizeof(list), &nbad,
					   &latest);
		}
	}
	if (nbad == 0)
		return 0;
	sla_local_fmt(s->p.tz, latest, a, sizeof(a));
	fprintf(stderr,
		"slamon-simulate-history: refusing: %zu RRD file%s already "
		"hold%s data inside or after %s (up to %s %s), and RRD rows "
		"must be written in time order:\n%s%s"
		"Nothing was written. Simulate into a fresh storage folder "
		"(before slamond runs), or remove %s (or those files) "
		"first.\n",
		nbad, nbad == 1 ? "" : "s", nbad == 1 ? "s" : "", s->month, a,
		s->p.tz, list, nbad > 5 ? "  ...\n" : "", s->cfg->storage_dir);
	return -EEXIST;
}

/* Counts the state changes inside the month (not the state each device
 * entered it in). */
struct state_count {
	size_t n;
	double from;
};

static int count_state(void *arg, const char *object, const char *state,
		       const char *reason, double t)
{
	struct state_count *c = arg;

	(void)object;
	(void)state;
	(void)reason;
	c->n += t > c->from; /* the last month's end is this one's start */
	return 0;
}

static int check_journal(const struct sim *s, struct journal *j)
{
	struct state_count ns = { 0, s->p.from };
	struct fault_query q = { .filter = JQ_ALL,
				 .from_t = s->p.from,
				 .to_t = s->p.to };
	struct fault *fs = NULL;
	size_t n = 0, nm = 0;
	char err[256];

	if (journal_fault_list(j, &q, &fs, &n, err, sizeof(err)) < 0 ||
	    journal_maint_count(j, s->p.from, s->p.to, &nm, err,
				sizeof(err)) < 0) {
		fprintf(stderr, "slamon-simulate-history: %s: %s\n",
			alerts_config(s->cfg)->journal, err);
		free(fs);
		return -EIO;
	}
	free(fs);
	if (journal_state_scan(j, s->p.from, s->p.to, count_state, &ns, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "slamon-simulate-history: %s: %s\n",
			alerts_config(s->cfg)->journal, err);
		return -EIO;
	}
	if (n == 0 && nm == 0 && ns.n == 0)
		return 0;
	fprintf(stderr,
		"slamon-simulate-history: refusing: the fault journal %s "
		"already holds %zu fault%s, %zu maintenance window%s and %zu "
		"state change%s of %s. Nothing was written. Remove %s (a "
		"fresh storage folder) to simulate the month again.\n",
		alerts_config(s->cfg)->journal, n, n == 1 ? "" : "s", nm,
		nm == 1 ? "" : "s", ns.n, ns.n == 1 ? "" : "s", s->month,
		alerts_config(s->cfg)->journal);
	return -EEXIST;
}

/* ---- writing RRD files ---------------------------------------------- */

/* A writer thread's rows: nrows * 5 values (the widest layout). */
struct rowbuf {
	double *v;
};

static int dev_state(const struct sim_dev *d, double t)
{
	int st = EV_DOWN + 10; /* up */

	for (size_t i = 0; i < d->nev; i++)
		if (t > d->ev[i].a && t <= d->ev[i].b) {
			if (d->ev[i].kind == EV_NODATA)
				return EV_NODATA;
			st = d->ev[i].kind;
		}
	return st;
}

/* Writes the rows in rb of one file of device dv (created ending at the
 * month's start: the first row fills its whole first 5 minutes). Values
 * go out with 6 significant digits, as the demo's files always had. */
static int write_file(const struct sim *s, const char *dev,
		      const char *ifname, enum storage_layout l,
		      const struct rowbuf *rb, char *err, size_t errlen)
{
	struct rrd_batch b = {
		.layout = l, .device = dev, .ifname = ifname, .t = s->times,
		.v = rb->v, .nrows = s->nrows, .create_t = (time_t)s->t0,
		.digits = 6,
	};

	return storage_rrd_batch_write(s->cfg->storage_dir, &b, 1, err,
				       errlen);
}

/* x to 4 decimals (what "%.4f" wrote before the batch API took doubles) */
static double dec4(double x)
{
	return round(x * 1e4) / 1e4;
}

static void dev_rows(const struct sim *s, const struct sim_dev *d,
		     struct rowbuf *rb)
{
	for (size_t k = 0; k < s->nrows; k++) {
		int st = dev_state(d, (double)s->times[k]);
		double *v = rb->v + k * 2;

		/* latency_ms, loss */
		if (st == EV_NODATA) {
			v[0] = v[1] = NAN;
		} else if (st == EV_DOWN || st == EV_MAINT) {
			v[0] = NAN;
			v[1] = 1;
		} else {
			double j = urand(s->seed, d->idx, k, 3);

			v[0] = d->latency_ms * (1 + 0.6 * (s->load[k] - 0.2)) +
			       d->latency_ms * 0.3 * j * j * j;
			v[1] = 0;
		}
	}
}

static void traffic_rows(const struct sim *s, const struct sim_dev *d,
			 size_t i, struct rowbuf *rb)
{
	const struct sim_if *f = &d->ifs[i];

	for (size_t k = 0; k < s->nrows; k++) {
		int st = dev_state(d, (double)s->times[k]);
		double *v = rb->v + k * 2;
		double l = s->load[k], in, out;

		if (st == EV_NODATA || st == EV_DOWN || st == EV_MAINT) {
			v[0] = v[1] = NAN;
			continue;
		}
		in = f->in_bps * l *
		     (0.94 + 0.12 * urand(s->seed, d->idx, k, 10 + i));
		out = f->out_bps * l *
		      (0.94 + 0.12 * urand(s->seed, d->idx, k, 20 + i));
		if (in > 0.95 * f->cap_bps)
			in = 0.95 * f->cap_bps *
			     (0.97 + 0.02 * urand(s->seed, d->idx, k, 30 + i));
		if (out > 0.95 * f->cap_bps)
			out = 0.95 * f->cap_bps *
			      (0.97 + 0.02 * urand(s->seed, d->idx, k, 40 + i));
		v[0] = in;
		v[1] = out;
	}
}

static void status_rows(const struct sim *s, const struct sim_dev *d,
			size_t i, struct rowbuf *rb)
{
	const struct sim_if *f = &d->ifs[i];

	for (size_t k = 0; k < s->nrows; k++) {
		int st = dev_state(d, (double)s->times[k]);
		double *v = rb->v + k * 5;
		double e = f->err_rate * s->load[k];

		if (st != EV_DOWN + 10) {
			for (int c = 0; c < 5; c++)
				v[c] = NAN;
			continue;
		}
		v[0] = 1;
		v[1] = dec4(e * urand(s->seed, d->idx, k, 50 + i));
		v[2] = dec4(e * urand(s->seed, d->idx, k, 60 + i));
		v[3] = dec4(e * urand(s->seed, d->idx, k, 70 + i));
		v[4] = dec4(e * urand(s->seed, d->idx, k, 80 + i));
	}
}

static int write_dev(struct sim *s, struct sim_dev *d, struct rowbuf *rb,
		     char *err, size_t errlen)
{
	const char *name = s->cfg->devices[d->idx].name;
	int rc;

	dev_rows(s, d, rb);
	rc = write_file(s, name, NULL, STORAGE_LAYOUT_DEVICE, rb, err, errlen);
	for (size_t i = 0; i < d->nifs && rc == 0; i++) {
		traffic_rows(s, d, i, rb);
		rc = write_file(s, name, d->ifs[i].name,
				sla_link_device(s->cfg, d->idx)
					? STORAGE_LAYOUT_TRAFFIC
					: STORAGE_LAYOUT_TRAFFIC_GRAPH,
				rb, err, errlen);
		if (rc < 0)
			break;
		status_rows(s, d, i, rb);
		rc = write_file(s, name, d->ifs[i].name, STORAGE_LAYOUT_STATUS,
				rb, err, errlen);
	}
	return rc;
}

static void *writer_thread(void *arg)
{
	struct sim *s = arg;
	struct rowbuf rb;
	char err[512];

	rb.v = malloc(s->nrows * 5 * sizeof(*rb.v));
	if (rb.v == NULL) {
		pthread_mutex_lock(&s->mu);
		s->failed = 1;
		snprintf(s->err, sizeof(s->err), "out of memory");
		pthread_mutex_unlock(&s->mu);
		return NULL;
	}
	for (;;) {
		size_t i;
		int rc;

		pthread_mutex_lock(&s->mu);
		i = s->failed ? s->ndevs : s->next++;
		pthread_mutex_unlock(&s->mu);
		if (i >= s->ndevs)
			break;
		rc = write_dev(s, &s->devs[i], &rb, err, sizeof(err));
		pthread_mutex_lock(&s->mu);
		if (rc < 0 && !s->failed) {
			s->failed = 1;
			snprintf(s->err, sizeof(s->err), "%s", err);
		}
		s->written += s->nrows * (1 + s->devs[i].nifs);
		pthread_mutex_unlock(&s->mu);
	}
	free(rb.v);
	return NULL;
}

static int write_rrd(struct sim *s)
{
	pthread_t th[SIM_THREADS_MAX];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n = ncpu < 1 ? 1 : ncpu > SIM_THREADS_MAX ? SIM_THREADS_MAX
						      : (int)ncpu;
	int started = 0;

	s->times = malloc(s->nrows * sizeof(*s->times));
	if (s->times == NULL) {
		fprintf(stderr, "slamon-simulate-history: out of memory\n");
		return -ENOMEM;
	}
	for (size_t k = 0; k < s->nrows; k++)
		s->times[k] = (time_t)(s->t0 + (double)(k + 1) * SIM_STEP);
	pthread_mutex_init(&s->mu, NULL);
	for (int i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, writer_thread, s) == 0)
			started++;
	if (started == 0)
		writer_thread(s);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&s->mu);
	free(s->times);
	s->times = NULL;
	if (s->failed) {
		fprintf(stderr, "slamon-simulate-history: %s\n", s->err);
		return -EIO;
	}
	return 0;
}

/* ---- the journal ---------------------------------------------------- */

static int down_after(const struct config *cfg, enum role r)
{
	int n = alerts_config(cfg)->down_after[r];

	return n > 0 ? n : cfg->down_after > 0 ? cfg->down_after : 2;
}

static int sim_fault(const struct sim *s, struct journal *j, size_t dev,
		     double a, double b, double ack_after, const char *ack_by,
		     const char *ack_note, double close_after,
		     const char *close_note, const char *sat, long group,
		     int64_t *ret_id)
{
	const struct config *cfg = s->cfg;
	const struct device *dv = &cfg->devices[dev];
	int sevi = alerts_config(cfg)->severity[dv->role];
	const char *sev = severity_name((enum severity)sevi);
	int resp = (unsigned)sevi < SEV_COUNT ? alerts_config(cfg)->response_min[sevi]
					       : 0;
	int interval = cfg->interval_s[dv->role] > 0
			       ? cfg->interval_s[dv->role]
			       : 60;
	struct fault f;
	char err[256];
	int64_t id;

	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), "%s", dv->name);
	snprintf(f.object_kind, sizeof(f.object_kind), "device");
	snprintf(f.kind, sizeof(f.kind), "down");
	snprintf(f.severity, sizeof(f.severity), "%s", sev ? sev : "major");
	snprintf(f.detail, sizeof(f.detail),
		 "[模拟历史 simulated] %s (%s, %s) not answering", dv->name,
		 dv->unit, role_name(dv->role));
	f.first_fail_t = a;
	f.detect_t = a + (double)down_after(cfg, dv->role) * interval;
	f.deadline_t = f.detect_t + (resp > 0 ? resp : 30) * 60.0;
	if (journal_fault_open(j, &f, &id, NULL, err, sizeof(err)) < 0)
		goto fail;
	if (group >= 0)
		for (size_t c = 0; c < cfg->ndevices; c++)
			if (c != dev && in_group(cfg, c, group) &&
			    journal_fault_child_add(j, id, cfg->devices[c].name,
						    f.detect_t, err,
						    sizeof(err)) < 0)
				goto fail;
	if (journal_fault_ack(j, id, f.detect_t + ack_after, ack_by, ack_note,
			      err, sizeof(err)) < 0 ||
	    journal_fault_resolve(j, id, b, err, sizeof(err)) < 0 ||
	    journal_fault_close(j, id, b + close_after, close_note, sat, err,
				sizeof(err)) < 0)
		goto fail;
	*ret_id = id;
	return 0;
fail:
	fprintf(stderr, "slamon-simulate-history: %s: %s\n",
		alerts_config(cfg)->journal, err);
	return -EIO;
}

static int write_journal(const struct sim *s, struct journal *j,
			 const struct sim_script *sc, int64_t ids[3],
			 char *mname, size_t mlen)
{
	const struct config *cfg = s->cfg;
	char scope[64 + CFG_NAME_MAX], err[256];

	ids[0] = ids[1] = ids[2] = 0;
	if (sc->ap1 >= 0 &&
	    sim_fault(s, j, (size_t)sc->ap1, sc->ap1_a, sc->ap1_b, 12 * 60.0,
		      "值班员李娜（模拟）", "模拟历史：已通知运营商",
		      40 * 60.0, "模拟历史：运营商更换光纤跳线，业务恢复",
		      "满意", -1, &ids[0]) < 0)
		return -EIO;
	if (sc->agg >= 0 &&
	    sim_fault(s, j, (size_t)sc->agg, sc->agg_a, sc->agg_b, 48 * 60.0,
		      "值班员王强（模拟）",
		      "模拟历史：夜班交接延误，超时确认", 2 * 3600.0,
		      "模拟历史：汇聚交换机电源模块故障，已更换", "基本满意",
		      sc->agg, &ids[1]) < 0)
		return -EIO;
	if (sc->ap2 >= 0 &&
	    sim_fault(s, j, (size_t)sc->ap2, sc->ap2_a, sc->ap2_b, 7 * 60.0,
		      "值班员李娜（模拟）", "模拟历史：远程排查中", 30 * 60.0,
		      "模拟历史：单位侧路由器断电，已恢复供电", "满意", -1,
		      &ids[2]) < 0)
		return -EIO;
	mname[0] = '\0';
	if (sc->maint_agg >= 0) {
		snprintf(mname, mlen, "sim-%s-upgrade-%s", s->month,
			 cfg->devices[sc->maint_agg].name);
		snprintf(scope, sizeof(scope), "group:%s",
			 cfg->devices[sc->maint_agg].name);
		if (journal_maint_record(j, mname, scope, sc->m_a, sc->m_b, err,
					 sizeof(err)) < 0) {
			fprintf(stderr, "slamon-simulate-history: %s: %s\n",
				alerts_config(cfg)->journal, err);
			return -EIO;
		}
	}
	return 0;
}

/* The state changes slamond's alerts engine would have recorded, one per
 * change of a device's row state (a row stamped t holds over
 * [t - 5 min, t)), so that the availability sla/ reads from the journal's
 * state intervals is what the RRD rows say; the month ends "unknown"
 * (slamond stopped) at its last row. One transaction. */
static int write_states(const struct sim *s, struct journal *j,
			const struct sim_script *sc, const char *mname)
{
	const struct config *cfg = s->cfg;
	struct journal_state_rec *v = NULL;
	size_t n = 0, cap = 0;
	char unreach[64 + CFG_NAME_MAX], maint[160], err[256];
	int rc;

	snprintf(unreach, sizeof(unreach), "parent %s down (simulated)",
		 sc->agg >= 0 ? cfg->devices[sc->agg].name : "?");
	snprintf(maint, sizeof(maint), "maintenance %s", mname);
	for (size_t i = 0; i < s->ndevs; i++) {
		const struct sim_dev *d = &s->devs[i];
		const char *prev = NULL;

		for (size_t k = 0; k <= s->nrows; k++) {
			double t = s->t0 + (double)(k + 1) * SIM_STEP;
			const char *st = "unknown", *why = "slamond stopped";

			if (k < s->nrows) {
				int e = dev_state(d, t);

				if (e == EV_NODATA) {
					why = "collector stopped (simulated)";
				} else if (e == EV_MAINT) {
					st = "maintenance";
					why = maint;
				} else if (e == EV_DOWN && d->always_down) {
					st = "down";
					why = "never answers (simulated)";
				} else if (e == EV_DOWN && sc->agg >= 0 &&
					   (long)i != sc->agg &&
					   in_group(cfg, i, sc->agg) &&
					   t > sc->agg_a && t <= sc->agg_b) {
					st = "unreachable";
					why = unreach;
				} else if (e == EV_DOWN) {
					st = "down";
					why = "";
				} else {
					st = "up";
					why = "";
				}
			}
			if (prev != NULL && strcmp(prev, st) == 0)
				continue;
			prev = st;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 1024;
				struct journal_state_rec *nv =
					realloc(v, nc * sizeof(*nv));

				if (nv == NULL) {
					free(v);
					fprintf(stderr, "slamon-simulate-"
							"history: out of "
							"memory\n");
					return -ENOMEM;
				}
				v = nv;
				cap = nc;
			}
			v[n++] = (struct journal_state_rec){
				cfg->devices[d->idx].name, st, why,
				t - SIM_STEP
			};
		}
	}
	rc = journal_state_record_many(j, v, n, err, sizeof(err));
	free(v);
	if (rc < 0) {
		fprintf(stderr, "slamon-simulate-history: %s: %s\n",
			alerts_config(cfg)->journal, err);
		return -EIO;
	}
	return 0;
}

/* <storage_dir>/SIMULATED: one tab-separated line per simulated month. */
static int write_label(const struct sim *s)
{
	char path[PATH_MAX + 16];
	struct stat sb;
	FILE *f;
	int fresh;

	snprintf(path, sizeof(path), "%s/SIMULATED", s->cfg->storage_dir);
	fresh = stat(path, &sb) != 0;
	f = fopen(path, "a");
	if (f == NULL) {
		fprintf(stderr, "slamon-simulate-history: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	if (fresh)
		fprintf(f, "# 模拟数据 simulated history written by `slamon-"
			   "simulate-history`: the RRD rows and journal "
			   "faults of these periods are not measured\n"
			   "# month\tfrom\tto\ttimezone\tseed\tdevices\t"
			   "interfaces\twritten_at\n");
	fprintf(f, "%s\t%.0f\t%.0f\t%s\t%llu\t%zu\t%zu\t%.0f\n", s->month,
		s->p.from, s->p.to, s->p.tz, (unsigned long long)s->seed,
		s->ndevs, s->nifs_total, now_s());
	if (fclose(f) != 0)
		return -EIO;
	return 0;
}

/* ---- main ----------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: slamon-simulate-history --month YYYY-MM [-c CONFIG] "
		"[--seed N]\n"
		"  writes a simulated month of history (RRD rows every 5 "
		"minutes, scripted\n"
		"  outages, faults, a maintenance window) for every inventory "
		"device into\n"
		"  storage_dir and the fault journal, labelled in "
		"<storage_dir>/SIMULATED.\n"
		"  The month must be over; files holding data inside or after "
		"it are refused.\n");
}

static void fmt_local(const struct sim *s, double t, char *out, size_t len)
{
	sla_local_fmt(s->p.tz, t, out, len);
}

static int simulate_main(int argc, char **argv, const char *config_path)
{
	static const struct option longopts[] = {
		{ "month", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *month = NULL, *path = config_path;
	struct config *cfg = NULL;
	struct diag dg = { 0 };
	struct journal *j = NULL;
	struct sim s;
	struct sim_script sc;
	json_t *expected = NULL;
	char err[512], a[32], b[32], mname[160];
	int64_t ids[3];
	size_t skipped = 0;
	double t_start = mono_s();
	int ch, rc = 2, used = 0, y, mo, mkrc;

	memset(&s, 0, sizeof(s));
	s.seed = 1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			month = optarg;
			break;
		case 's': {
			char *end;

			errno = 0;
			s.seed = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg) {
				fprintf(stderr, "slamon-simulate-history: "
						"--seed wants a number\n");
				return 2;
			}
			break;
		}
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (month == NULL || optind != argc ||
	    sscanf(month, "%4d-%2d%n", &y, &mo, &used) != 2 ||
	    month[used] != '\0' || mo < 1 || mo > 12) {
		if (month != NULL)
			fprintf(stderr,
				"slamon-simulate-history: --month '%s' is not "
				"YYYY-MM\n",
				month);
		usage(stderr);
		return 2;
	}
	snprintf(s.month, sizeof(s.month), "%04d-%02d", y, mo);
	if (config_load(path, &cfg, &dg) < 0) {
		for (size_t i = 0; i < dg.n; i++)
			fprintf(stderr, "%s\n", dg.msgs[i]);
		diag_destroy(&dg);
		return 2;
	}
	diag_destroy(&dg);
	s.cfg = cfg;
	if (sla_period_month(cfg->timezone[0] ? cfg->timezone
					      : "Asia/Shanghai",
			     y, mo, &s.p) < 0) {
		fprintf(stderr, "slamon-simulate-history: unknown time zone "
				"'%s'\n",
			cfg->timezone);
		goto out;
	}
	rc = 1;
	if (s.p.to > now_s()) {
		fprintf(stderr,
			"slamon-simulate-history: %s has not ended yet "
			"(simulate a past month; the current one is polled)\n",
			s.month);
		goto out;
	}
	s.t0 = floor(s.p.from / SIM_STEP) * SIM_STEP;
	s.nrows = (size_t)((s.p.to - s.t0) / SIM_STEP);
	s.ndevs = cfg->ndevices;
	s.devs = calloc(s.ndevs + 1, sizeof(*s.devs));
	if (s.devs == NULL || plan_load(&s) < 0) {
		fprintf(stderr, "slamon-simulate-history: out of memory\n");
		goto out;
	}
	expected = load_expected(cfg);
	for (size_t i = 0; i < s.ndevs; i++) {
		struct sim_dev *d = &s.devs[i];
		const struct device *dv = &cfg->devices[i];
		double base = dv->role == ROLE_BACKBONE ? 0.6
			      : dv->role == ROLE_EXIT   ? 2.0
			      : dv->role == ROLE_CORE   ? 0.4
			      : dv->role == ROLE_AGGREGATION ? 0.9
							     : 2.5;

		d->idx = i;
		d->latency_ms = base * (1 + 2 * urand(s.seed, i, 0, 4));
		skipped += plan_ifs(&s, d, expected);
		s.nifs_total += d->nifs;
	}
	json_decref(expected);
	plan_events(&s, &sc);

	/* refuse before writing anything */
	mkrc = storage_mkdir_p(cfg->storage_dir);
	if (mkrc < 0) {
		fprintf(stderr, "slamon-simulate-history: %s: %s\n",
			cfg->storage_dir, strerror(-mkrc));
		goto out;
	}
	if (check_files(&s) < 0)
		goto out;
	if (journal_open(alerts_config(cfg)->journal, &j, err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon-simulate-history: %s\n", err);
		goto out;
	}
	if (check_journal(&s, j) < 0)
		goto out;

	fmt_local(&s, s.p.from, a, sizeof(a));
	fmt_local(&s, s.p.to, b, sizeof(b));
	printf("simulate-history %s [%s, %s) %s: %zu devices, %zu "
	       "interfaces, %zu rows of 5 min each%s\n",
	       s.month, a, b, s.p.tz, s.ndevs, s.nifs_total, s.nrows,
	       skipped ? " (interface globs without expected.json skipped)"
		       : "");
	fflush(stdout);
	if (write_rrd(&s) < 0)
		goto out;
	if (write_journal(&s, j, &sc, ids, mname, sizeof(mname)) < 0 ||
	    write_states(&s, j, &sc, mname) < 0)
		goto out;
	if (sim_services_write(cfg, j, s.p.from, s.p.to, stdout) < 0)
		goto out;
	if (write_label(&s) < 0)
		goto out;

	printf("  RRD: %llu rows written under %s in %.1f s\n",
	       (unsigned long long)s.written, cfg->storage_dir,
	       mono_s() - t_start);
	if (sc.always_down)
		printf("  down the whole month: %zu device%s tagged "
		       "unreachable\n",
		       sc.always_down, sc.always_down == 1 ? "" : "s");
	if (sc.ap1 >= 0) {
		fmt_local(&s, sc.ap1_a, a, sizeof(a));
		printf("  fault %lld: %s down 3 h from %s, acknowledged in "
		       "12 min, 满意\n",
		       (long long)ids[0], cfg->devices[sc.ap1].name, a);
	}
	if (sc.agg >= 0) {
		fmt_local(&s, sc.agg_a, a, sizeof(a));
		printf("  fault %lld: %s down 40 min from %s with %d "
		       "unreachable behind it, acknowledged late (48 min), "
		       "基本满意\n",
		       (long long)ids[1], cfg->devices[sc.agg].name, a,
		       children_of(cfg, (size_t)sc.agg));
	}
	if (sc.ap2 >= 0) {
		fmt_local(&s, sc.ap2_a, a, sizeof(a));
		printf("  fault %lld: %s down 25 min from %s, acknowledged in "
		       "7 min, 满意\n",
		       (long long)ids[2], cfg->devices[sc.ap2].name, a);
	}
	if (sc.maint_agg >= 0) {
		fmt_local(&s, sc.m_a, a, sizeof(a));
		printf("  maintenance %s: group:%s, 2 h from %s\n", mname,
		       cfg->devices[sc.maint_agg].name, a);
	}
	fmt_local(&s, sc.gap_a, a, sizeof(a));
	printf("  no data for anybody 30 min from %s (collector stopped)\n",
	       a);
	printf("  labelled as simulated in %s/SIMULATED\n", cfg->storage_dir);
	rc = 0;
out:
	journal_close(j);
	free(s.load);
	free(s.devs);
	config_destroy(cfg);
	return rc;
}

int main(int argc, char **argv)
{
	const char *env = getenv("SLAMON_CONFIG");

	if (modules_register() < 0) {
		fprintf(stderr, "slamon-simulate-history: cannot register "
				"the configuration sections\n");
		return 2;
	}
	return simulate_main(argc, argv,
			     env && *env ? env : "/etc/slamon/slamon.conf");
}
