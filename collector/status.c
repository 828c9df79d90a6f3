/*
 * status.c - the live status snapshot: built from a struct status_source
 * (the daemon's state, or a test's) and written atomically.
 * SPDX-License-Identifier: MIT
 */
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int status_write(const char *path, const json_t *snap, char *err,
		 size_t errlen)
{
	char tmp[4200];
	char *text = json_dumps(snap, JSON_INDENT(1) | JSON_SORT_KEYS);
	size_t len, off = 0;
	int fd, rc = 0;

	if (text == NULL) {
		snprintf(err, errlen, "%s: cannot serialise status", path);
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* 0640: the operators (group slamon) read it, nobody else */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(text);
		return rc;
	}
	(void)fchmod(fd, 0640); /* a .tmp left by an older version */
	len = strlen(text);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	free(text);
	if (rc == 0 && fsync(fd) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
	}
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: rename: %s", path, strerror(errno));
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}


/* ---- the snapshot ---------------------------------------------------- */

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *device_entry(const struct device *dev,
			    const struct status_device *sd, double since,
			    int64_t fault)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:f, s:s, s:I}",
			 "device", dev->name, "unit", dev->unit, "role",
			 role_name(dev->role), "address", dev->host, "port",
			 (int)dev->port, "state", obj_state_name(sd->state),
			 "since", since, "error", sd->error, "fault",
			 (json_int_t)fault);
}

/* What a link's utilisation is measured against, as the alerts util rule
 * (alerts/engine.c) and the SLA (sla/eval.c) measure it: the contracted
 * capacity of the inventory first, else the interface speed. *ret_basis:
 * "capacity", "speed", or NULL when neither is known (returns 0). */
static double util_base(const struct device *dev, const struct status_link *l,
			const char **ret_basis)
{
	*ret_basis = NULL;
	if (dev->capacity_mbps > 0) {
		*ret_basis = "capacity";
		return dev->capacity_mbps;
	}
	if (l->speed_mbps > 0) {
		*ret_basis = "speed";
		return l->speed_mbps;
	}
	return 0;
}

/* The monitored links of device i with their utilisation (util_base). */
static void add_links(const struct status_source *src, size_t i,
		      json_t *links)
{
	const struct device *dev = &src->cfg->devices[i];
	struct status_link l;

	for (size_t k = 0; src->link(src->arg, i, k, &l) == 0; k++) {
		const char *basis;
		double base = util_base(dev, &l, &basis);
		double speed = l.speed_mbps > 0 ? l.speed_mbps
						: dev->capacity_mbps;
		double cap_bps = base * 1e6;
		json_t *e = json_pack(
			"{s:s, s:s, s:s, s:s, s:f, s:f, s:o, s:o, s:o, s:o, "
			"s:f}",
			"device", dev->name, "unit", dev->unit, "role",
			role_name(dev->role), "interface", l.ifname,
			"speed_mbps", speed, "capacity_mbps",
			dev->capacity_mbps, "in_bps", jnum(l.in_bps),
			"out_bps", jnum(l.out_bps), "util_in",
			jnum(cap_bps > 0 ? l.in_bps / cap_bps : NAN),
			"util_out",
			jnum(cap_bps > 0 ? l.out_bps / cap_bps : NAN), "t",
			l.t);

		if (e == NULL)
			continue;
		json_object_set_new(e, "util_base_mbps",
				    base > 0 ? json_real(base) : json_null());
		json_object_set_new(e, "util_basis",
				    basis ? json_string(basis) : json_null());
		json_array_append_new(links, e);
	}
}

static json_t *role_counts(uint64_t counts[ROLE_COUNT][OBJ_STATE_COUNT])
{
	json_t *roles = json_object();

	for (int r = 0; r < ROLE_COUNT && roles != NULL; r++) {
		uint64_t total = 0;

		for (int k = 0; k < OBJ_STATE_COUNT; k++)
			total += counts[r][k];
		if (total == 0)
			continue;
		json_object_set_new(roles, role_name(r), json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I}", "total",
			(json_int_t)total, "up", (json_int_t)counts[r][OBJ_UP],
			"down", (json_int_t)counts[r][OBJ_DOWN], "unreachable",
			(json_int_t)counts[r][OBJ_UNREACHABLE], "maintenance",
			(json_int_t)counts[r][OBJ_MAINT], "unknown",
			(json_int_t)counts[r][OBJ_UNKNOWN]));
	}
	return roles;
}

#define LOSSY_MAX 50 /* answering ICMP devices listed with their loss */

/* The ICMP devices: how many answer, their RTT and loss, the answering
 * ones that lose echoes, and the sweep's counters. */
struct icmp_sum {
	size_t n, up, nrtt, nloss;
	double rtt, loss;
	json_t *lossy;
};

static void icmp_add(struct icmp_sum *is, const struct device *dev,
		     const struct status_device *sd)
{
	is->n++;
	is->up += sd->state == OBJ_UP;
	if (isfinite(sd->rtt_ms)) {
		is->rtt += sd->rtt_ms;
		is->nrtt++;
	}
	/* the loss of the answering ones: a down device's 100 % is in its
	 * state already */
	if (!isfinite(sd->loss_pct) || sd->state != OBJ_UP)
		return;
	is->loss += sd->loss_pct;
	is->nloss++;
	if (sd->loss_pct > 0 &&
	    json_array_size(is->lossy) < LOSSY_MAX)
		json_array_append_new(is->lossy, json_pack(
			"{s:s, s:s, s:s, s:s, s:f, s:o}", "device", dev->name,
			"unit", dev->unit, "role", role_name(dev->role),
			"address", dev->host, "loss_pct", sd->loss_pct,
			"rtt_ms", jnum(sd->rtt_ms)));
}

static json_t *icmp_json(const struct status_source *src, struct icmp_sum *is)
{
	const struct icmp_sweep_stats *w = src->sweep;
	json_t *o = json_pack(
		"{s:I, s:I, s:o, s:o, s:o}", "devices", (json_int_t)is->n,
		"answering", (json_int_t)is->up, "rtt_avg_ms",
		jnum(is->nrtt ? is->rtt / is->nrtt : NAN), "loss_avg_pct",
		jnum(is->nloss ? is->loss / is->nloss : NAN), "lossy",
		is->lossy ? is->lossy : json_array());

	if (o != NULL && w != NULL)
		json_object_set_new(o, "sweep", json_pack(
			"{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "socket",
			w->raw ? "raw" : "ping", "sent", (json_int_t)w->sent,
			"received", (json_int_t)w->received, "late",
			(json_int_t)w->late, "stray", (json_int_t)w->stray,
			"send_errors", (json_int_t)w->send_errors, "active",
			(json_int_t)w->active));
	return o;
}

/* Per device: counts per role and state, the down/unreachable and
 * nodata lists, the links (add_devices' rule), the ICMP summary. */
static void add_devices(const struct status_source *src, json_t *root)
{
	struct icmp_sum is = { .lossy = json_array() };
	uint64_t counts[ROLE_COUNT][OBJ_STATE_COUNT];
	json_t *down = json_array(), *nodata = json_array();
	json_t *links = json_array();

	memset(counts, 0, sizeof(counts));
	for (size_t i = 0; i < src->cfg->ndevices; i++) {
		const struct device *dev = &src->cfg->devices[i];
		struct status_device sd = { .error = "", .rtt_ms = NAN,
					    .loss_pct = NAN };
		json_t *e;

		src->device(src->arg, i, &sd);
		counts[dev->role][sd.state]++;
		if (sd.icmp)
			icmp_add(&is, dev, &sd);
		if (sd.state == OBJ_DOWN || sd.state == OBJ_UNREACHABLE) {
			e = device_entry(dev, &sd, sd.since, sd.fault);
			json_object_set_new(e, "flapping",
					    json_boolean(sd.flapping));
			json_object_set_new(e, "parent",
					    json_string(dev->parent));
			json_object_set_new(e, "probe",
					    json_string(sd.icmp ? "icmp"
								: "snmp"));
			if (sd.icmp)
				json_object_set_new(e, "loss_pct",
						    jnum(sd.loss_pct));
			json_array_append_new(down, e);
		}
		if (sd.nodata != 0)
			json_array_append_new(nodata,
					      device_entry(dev, &sd, sd.since,
							   sd.nodata));
		/* the links the NOC watches: backbone and exit, and every
		 * link with a contracted capacity (rules and SLA use it) */
		if (dev->role == ROLE_BACKBONE || dev->role == ROLE_EXIT ||
		    dev->capacity_mbps > 0)
			add_links(src, i, links);
	}
	json_object_set_new(root, "roles", role_counts(counts));
	json_object_set_new(root, "links", links);
	json_object_set_new(root, "down", down);
	json_object_set_new(root, "nodata", nodata);
	json_object_set_new(root, "icmp", icmp_json(src, &is));
}

static void add_stores(const struct status_source *src, json_t *root)
{
	json_t *disc = json_object(), *rrd = json_object();
	const struct capture_store_stats none = { 0 };
	const struct capture_store_stats *cs =
		src->records ? src->records : &none;

	for (int r = 0; r < DISCARD_COUNT && disc != NULL; r++)
		json_object_set_new(disc, discard_reason_name(r),
				    json_integer((json_int_t)src->discards[r]));
	if (src->rrd != NULL && rrd != NULL) {
		json_object_set_new(rrd, "written",
				    json_integer((json_int_t)src->rrd->written));
		json_object_set_new(rrd, "failed",
				    json_integer((json_int_t)src->rrd->failed));
		json_object_set_new(rrd, "dropped",
				    json_integer((json_int_t)src->rrd->dropped));
		json_object_set_new(rrd, "queued",
				    json_integer((json_int_t)src->rrd->queued));
		json_object_set_new(rrd, "last_error",
				    json_string(src->rrd->last_error));
	}
	json_object_set_new(root, "discards", disc);
	json_object_set_new(root, "rrd", rrd);
	json_object_set_new(root, "capture_records", json_pack(
		"{s:b, s:I, s:I, s:I, s:I, s:s}", "kept", src->records != NULL,
		"written", (json_int_t)cs->written, "failed",
		(json_int_t)cs->failed, "dropped", (json_int_t)cs->dropped,
		"queued", (json_int_t)cs->queued, "last_error",
		cs->last_error));
}

json_t *status_snapshot(const struct status_source *src)
{
	json_t *root = json_object();
	const struct alerts_stats *f = src->faults;

	if (root == NULL) {
		json_decref(src->captures);
		return NULL;
	}
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "generated", json_real(src->now));
	json_object_set_new(root, "started", json_real(src->started));
	json_object_set_new(root, "config", json_string(src->cfg->path));
	json_object_set_new(root, "devices",
			    json_integer((json_int_t)src->cfg->ndevices));
	add_devices(src, root);
	if (f != NULL)
		json_object_set_new(root, "faults", json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:s}", "opened",
			(json_int_t)f->opened, "resolved",
			(json_int_t)f->resolved, "flapping",
			(json_int_t)f->flapping, "nodata",
			(json_int_t)f->nodata, "journal_errors",
			(json_int_t)f->journal_errors, "last_error",
			f->last_error));
	json_object_set_new(root, "polls", json_pack(
		"{s:I, s:I, s:I, s:I}", "done", (json_int_t)src->polls, "late",
		(json_int_t)src->late, "skipped", (json_int_t)src->skipped,
		"inflight", (json_int_t)src->inflight));
	add_stores(src, root);
	json_object_set_new(root, "captures",
			    src->captures ? src->captures : json_array());
	/* a member that failed to build is missing: out of memory */
	if (json_object_size(root) < 15 + (f != NULL)) {
		json_decref(root);
		return NULL;
	}
	return root;
}
