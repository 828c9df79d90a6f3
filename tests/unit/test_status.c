/*
 * test_status.c - the status snapshot from a fixed state, without a daemon
 * (collector/status.h): counts per role and state as alerts/ decided them,
 * the down and nodata lists with since, fault and parent, link
 * utilisation against the contracted capacity or else the interface
 * speed (as the util rule and the SLA), the poll counters; then written atomically and printed by
 * `slamon status` (cli/cmd_status.c) in Chinese and English.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"
#include "cli/cmd_status.h"
#include "collector/status.h"
#include "core/config.h"

static struct config *cfg;
static char dir[4096];

static void add(const char *name, enum role role, const char *parent,
		double capacity)
{
	struct device *d;

	cfg->devices = realloc(cfg->devices,
			       (cfg->ndevices + 1) * sizeof(*cfg->devices));
	cr_assert_not_null(cfg->devices);
	d = &cfg->devices[cfg->ndevices++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->unit, sizeof(d->unit), "单位-%s", name);
	snprintf(d->host, sizeof(d->host), "127.0.0.%zu", cfg->ndevices);
	snprintf(d->parent, sizeof(d->parent), "%s", parent);
	d->port = 161;
	d->role = role;
	d->capacity_mbps = capacity;
}

/* core-1 backbone up; exit-1 up; agg down; ap-1 unreachable behind agg;
 * ap-2 up with a nodata fault; ap-3 in maintenance. */
static void fixed_device(void *arg, size_t i, struct status_device *ret)
{
	static const struct status_device st[] = {
		{ OBJ_UP, 100, 0, 0, 0, "", 0, NAN, NAN },
		{ OBJ_UP, 100, 0, 0, 0, "", 0, NAN, NAN },
		{ OBJ_DOWN, 1700000000, 1, 7, 0, "timeout", 0, NAN, NAN },
		{ OBJ_UNREACHABLE, 1700000060, 0, 7, 0, "timeout", 0, NAN, NAN },
		{ OBJ_UP, 1700000100, 0, 0, 9, "timeout", 0, NAN, NAN },
		{ OBJ_MAINT, 0, 0, 0, 0, "", 0, NAN, NAN },
	};

	(void)arg;
	*ret = st[i];
}

/* core-1: one 10G interface at 2.5 Gbps in; exit-1: one interface whose
 * speed is unknown (the 2000 Mbps contract counts), rates unknown out. */
static int fixed_link(void *arg, size_t i, size_t k, struct status_link *ret)
{
	(void)arg;
	if (k > 0)
		return -1;
	if (i == 0)
		*ret = (struct status_link){ "xe-0/0/0", 2.5e9, 1e9, 10000,
					     1700000200 };
	else
		*ret = (struct status_link){ "ge-0/0/1", 5e8, NAN, 0,
					     1700000200 };
	return 0;
}

static void setup(void)
{
	cr_assert_eq(config_create(&cfg), 0);
	add("core-1", ROLE_BACKBONE, "", 10000);
	add("exit-1", ROLE_EXIT, "", 2000);
	add("agg", ROLE_AGGREGATION, "core-1", 0);
	add("ap-1", ROLE_ACCESS, "agg", 0);
	add("ap-2", ROLE_ACCESS, "core-1", 0);
	add("ap-3", ROLE_ACCESS, "core-1", 0);
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-status"), 0);
}

static void teardown(void)
{
	config_destroy(cfg);
	tmpdir_remove(dir);
}

TestSuite(status, .init = setup, .fini = teardown, .timeout = 30);

static json_t *snapshot(void)
{
	static const uint64_t discards[DISCARD_COUNT] = { 3, 1, 0, 2, 0, 0 };
	struct alerts_stats faults = { .opened = 2, .resolved = 1 };
	struct status_source src = {
		.cfg = cfg,
		.now = 1700000300,
		.started = 1700000000,
		.polls = 1234,
		.late = 5,
		.skipped = 1,
		.inflight = 2,
		.device = fixed_device,
		.link = fixed_link,
		.faults = &faults,
		.discards = discards,
	};
	json_t *snap = status_snapshot(&src);

	cr_assert_not_null(snap);
	return snap;
}

static json_int_t count(json_t *snap, const char *role, const char *state)
{
	json_t *r = json_object_get(json_object_get(snap, "roles"), role);

	cr_assert_not_null(r, "no role %s", role);
	return json_integer_value(json_object_get(r, state));
}

Test(status, counts_per_role_and_state_are_what_alerts_decided)
{
	json_t *snap = snapshot();

	cr_assert_eq(count(snap, "access", "total"), 3);
	cr_assert_eq(count(snap, "access", "up"), 1);
	cr_assert_eq(count(snap, "access", "unreachable"), 1);
	cr_assert_eq(count(snap, "access", "maintenance"), 1);
	cr_assert_eq(count(snap, "aggregation", "down"), 1);
	cr_assert_eq(count(snap, "backbone", "up"), 1);
	cr_assert_null(json_object_get(json_object_get(snap, "roles"),
				       "camera"),
		       "roles without devices are left out");
	cr_assert_eq(json_integer_value(json_object_get(snap, "devices")), 6);
	json_decref(snap);
}

Test(status, down_and_nodata_lists_carry_since_fault_and_parent)
{
	json_t *snap = snapshot(), *down = json_object_get(snap, "down");
	json_t *agg, *ap, *nd;

	cr_assert_eq(json_array_size(down), 2);
	agg = json_array_get(down, 0);
	ap = json_array_get(down, 1);
	cr_assert_str_eq(json_string_value(json_object_get(agg, "device")),
			 "agg");
	cr_assert_str_eq(json_string_value(json_object_get(agg, "state")),
			 "down");
	cr_assert_eq(json_real_value(json_object_get(agg, "since")),
		     1700000000);
	cr_assert(json_is_true(json_object_get(agg, "flapping")));
	cr_assert_eq(json_integer_value(json_object_get(agg, "fault")), 7);
	cr_assert_str_eq(json_string_value(json_object_get(ap, "state")),
			 "unreachable");
	cr_assert_str_eq(json_string_value(json_object_get(ap, "parent")),
			 "agg");
	cr_assert_str_eq(json_string_value(json_object_get(ap, "unit")),
			 "单位-ap-1");
	nd = json_object_get(snap, "nodata");
	cr_assert_eq(json_array_size(nd), 1);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(nd, 0), "device")),
			 "ap-2");
	cr_assert_eq(json_integer_value(
			     json_object_get(json_array_get(nd, 0), "fault")),
		     9);
	json_decref(snap);
}

Test(status, link_utilisation_against_speed_or_contracted_capacity)
{
	json_t *snap = snapshot(), *links = json_object_get(snap, "links");
	json_t *bb, *ex;

	cr_assert_eq(json_array_size(links), 2, "only backbone and exit");
	bb = json_array_get(links, 0);
	ex = json_array_get(links, 1);
	cr_assert_float_eq(json_real_value(json_object_get(bb, "util_in")),
			   0.25, 1e-12);
	cr_assert_float_eq(json_real_value(json_object_get(bb, "util_out")),
			   0.10, 1e-12);
	/* speed unknown: the 2000 Mbps contract is the capacity */
	cr_assert_float_eq(json_real_value(json_object_get(ex, "speed_mbps")),
			   2000, 1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(ex, "util_in")),
			   0.25, 1e-12);
	cr_assert(json_is_null(json_object_get(ex, "out_bps")),
		  "unknown rates are null, not 0");
	cr_assert(json_is_null(json_object_get(ex, "util_out")));
	json_decref(snap);
}

Test(status, counters_and_absent_stores)
{
	json_t *snap = snapshot(), *polls = json_object_get(snap, "polls");

	cr_assert_eq(json_integer_value(json_object_get(polls, "done")), 1234);
	cr_assert_eq(json_integer_value(json_object_get(polls, "late")), 5);
	cr_assert_eq(json_integer_value(json_object_get(polls, "skipped")), 1);
	cr_assert_eq(json_integer_value(json_object_get(polls, "inflight")),
		     2);
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(snap, "discards"), "first")),
		     3);
	cr_assert_eq(json_object_size(json_object_get(snap, "rrd")), 0,
		     "no RRD writer: no RRD counters");
	cr_assert(json_is_false(json_object_get(
		json_object_get(snap, "capture_records"), "kept")));
	cr_assert_eq(json_array_size(json_object_get(snap, "captures")), 0);
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(snap, "faults"), "opened")),
		     2);
	json_decref(snap);
}

/* The file slamond writes is the one `slamon status` prints. */
Test(status, written_atomically_and_printed_in_both_languages)
{
	json_t *snap = snapshot();
	char path[4200], tmp[4300], err[256], *text = NULL;
	size_t len = 0;
	FILE *out;

	snprintf(path, sizeof(path), "%s/status.json", dir);
	cr_assert_eq(status_write(path, snap, err, sizeof(err)), 0, "%s", err);
	json_decref(snap);
	cr_assert_eq(access(path, R_OK), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	cr_assert_neq(access(tmp, F_OK), 0, "no temporary file left");

	out = open_memstream(&text, &len);
	cr_assert_eq(status_print(path, 0, "zh", 0, out), 0);
	fclose(out);
	cr_assert(strstr(text, "不可达") != NULL, "%s", text);
	cr_assert(strstr(text, "单位-ap-1") != NULL, "%s", text);
	cr_assert(strstr(text, "xe-0/0/0") != NULL, "%s", text);
	free(text);

	out = open_memstream(&text, &len);
	cr_assert_eq(status_print(path, 0, "en", 0, out), 0);
	fclose(out);
	cr_assert(strstr(text, "unreachable") != NULL, "%s", text);
	free(text);

	snprintf(path, sizeof(path), "%s/none.json", dir);
	out = open_memstream(&text, &len);
	cr_assert_eq(status_print(path, 0, "zh", 0, out), 2,
		     "a missing snapshot is an error");
	fclose(out);
	free(text);
}

/* ---- issue 16, fault 3: the capacity rule of alerts/ and sla/ ------- */

static void all_up(void *arg, size_t i, struct status_device *ret)
{
	(void)arg;
	(void)i;
	*ret = (struct status_device){ OBJ_UP, 100, 0, 0, 0, "", 0, NAN, NAN };
}

/* core-1 and exit-1 as in fixed_link; ap-c (access, 100 Mbps contract)
 * on a 1 Gbps port at 1.1 Mbps in; bb-2 (backbone, no contract) on a
 * 1 Gbps port at 500 Mbps in; ap-n (access, no contract) not listed. */
static int cap_link(void *arg, size_t i, size_t k, struct status_link *ret)
{
	if (i < 2)
		return fixed_link(arg, i, k, ret);
	if (k > 0 || i == 8)
		return -1;
	if (i == 6)
		*ret = (struct status_link){ "ge-0/0/9", 1.1e6, 2e5, 1000,
					     1700000200 };
	else if (i == 7)
		*ret = (struct status_link){ "xe-1/0/0", 5e8, NAN, 1000,
					     1700000200 };
	else
		return -1;
	return 0;
}

static json_t *link_of(json_t *links, const char *device)
{
	size_t i;
	json_t *l;

	json_array_foreach(links, i, l)
		if (strcmp(json_string_value(json_object_get(l, "device")),
			   device) == 0)
			return l;
	return NULL;
}

Test(status, utilisation_against_contracted_capacity_first_on_every_link)
{
	static const uint64_t discards[DISCARD_COUNT] = { 0 };
	struct status_source src = {
		.cfg = cfg, .now = 1700000300, .started = 1700000000,
		.device = all_up, .link = cap_link, .discards = discards,
	};
	json_t *snap, *links, *l;
	char path[4200], err[256], *text = NULL;
	size_t len = 0;
	FILE *out;

	add("ap-c", ROLE_ACCESS, "core-1", 100);
	add("bb-2", ROLE_BACKBONE, "", 0);
	add("ap-n", ROLE_ACCESS, "core-1", 0);
	snap = status_snapshot(&src);
	cr_assert_not_null(snap);
	links = json_object_get(snap, "links");
	cr_assert_eq(json_array_size(links), 4,
		     "backbone, exit and contracted links");
	cr_assert_null(link_of(links, "ap-n"));
	/* the contract counts, not the 1 Gbps port: 1.1 %, as the util rule
	 * and the SLA see it */
	l = link_of(links, "ap-c");
	cr_assert_not_null(l);
	cr_assert_float_eq(json_real_value(json_object_get(l, "util_in")),
			   0.011, 1e-12);
	cr_assert_str_eq(json_string_value(json_object_get(l, "util_basis")),
			 "capacity");
	cr_assert_float_eq(
		json_real_value(json_object_get(l, "util_base_mbps")), 100,
		1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(l, "speed_mbps")),
			   1000, 1e-9);
	/* no contract: the interface speed */
	l = link_of(links, "bb-2");
	cr_assert_float_eq(json_real_value(json_object_get(l, "util_in")),
			   0.5, 1e-12);
	cr_assert_str_eq(json_string_value(json_object_get(l, "util_basis")),
			 "speed");
	l = link_of(links, "exit-1");
	cr_assert_str_eq(json_string_value(json_object_get(l, "util_basis")),
			 "capacity");
	cr_assert_float_eq(json_real_value(json_object_get(l, "util_in")),
			   0.25, 1e-12);

	/* `slamon status` shows which one it used */
	snprintf(path, sizeof(path), "%s/status.json", dir);
	cr_assert_eq(status_write(path, snap, err, sizeof(err)), 0, "%s", err);
	json_decref(snap);
	out = open_memstream(&text, &len);
	cr_assert_eq(status_print(path, 0, "en", 0, out), 0);
	fclose(out);
	cr_assert(strstr(text, "ap-c") != NULL, "%s", text);
	cr_assert(strstr(text, "1.1%") != NULL, "%s", text);
	cr_assert(strstr(text, "100 contracted") != NULL, "%s", text);
	cr_assert(strstr(text, "1000 speed") != NULL, "%s", text);
	free(text);
	out = open_memstream(&text, &len);
	cr_assert_eq(status_print(path, 0, "zh", 0, out), 0);
	fclose(out);
	cr_assert(strstr(text, "100 签约") != NULL, "%s", text);
	cr_assert(strstr(text, "1000 端口") != NULL, "%s", text);
	free(text);
}

/* ---- issue 13: devices of probe icmp (cameras, IoT terminals) -------- */

/* The six devices of setup, then cam-1 (up, 1 echo of 3 lost), cam-2
 * (down, every echo lost), iot-1 (up, no loss). */
static void icmp_device(void *arg, size_t i, struct status_device *ret)
{
	static const struct status_device st[] = {
		{ OBJ_UP, 100, 0, 0, 0, "", 1, 1.5, 100.0 / 3 },
		{ OBJ_DOWN, 1700000100, 0, 11, 0,
		  "0 of 3 echo requests answered", 1, NAN, 100 },
		{ OBJ_UP, 100, 0, 0, 0, "", 1, 0.5, 0 },
	};

	if (i < 6)
		fixed_device(arg, i, ret);
	else
		*ret = st[i - 6];
}

Test(status, icmp_devices_with_probe_rtt_and_loss)
{
	struct icmp_sweep_stats sw = { .sent = 900, .received = 700,
				       .late = 2, .raw = 1 };
	uint64_t discards[DISCARD_COUNT] = { 0 };
	struct status_source src = {
		.cfg = cfg, .now = 1700000300, .started = 1700000000,
		.device = icmp_device, .link = fixed_link,
		.discards = discards, .sweep = &sw,
	};
	json_t *snap, *ic, *lossy, *e = NULL, *agg = NULL, *l;
	char path[4200], err[256], *text = NULL;
	size_t len = 0, i;
	FILE *out;

	add("cam-1", ROLE_CAMERA, "agg", 0);
	add("cam-2", ROLE_CAMERA, "", 0);
	add("iot-1", ROLE_IOT, "", 0);
	snap = status_snapshot(&src);
	cr_assert_not_null(snap);
	ic = json_object_get(snap, "icmp");
	cr_assert_eq(json_integer_value(json_object_get(ic, "devices")), 3);
	cr_assert_eq(json_integer_value(json_object_get(ic, "answering")), 2);
	cr_assert_float_eq(json_number_value(json_object_get(ic,
							     "rtt_avg_ms")),
			   1.0, 1e-9, "the average of the devices' RTTs");
	cr_assert_float_eq(json_number_value(json_object_get(ic,
							     "loss_avg_pct")),
			   (100.0 / 3 + 0) / 2, 1e-9,
			   "the loss of the answering devices");
	lossy = json_object_get(ic, "lossy");
	cr_assert_eq(json_array_size(lossy), 1, "only answering ones with loss");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(lossy, 0), "device")),
			 "cam-1");
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(ic, "sweep"), "received")),
		     700);
	json_array_foreach(json_object_get(snap, "down"), i, l) {
		const char *n = json_string_value(json_object_get(l, "device"));

		if (strcmp(n, "cam-2") == 0)
			e = l;
		if (strcmp(n, "agg") == 0)
			agg = l;
	}
	cr_assert_not_null(e);
	cr_assert_str_eq(json_string_value(json_object_get(e, "probe")),
			 "icmp");
	cr_assert_float_eq(json_number_value(json_object_get(e, "loss_pct")),
			   100, 1e-9);
	cr_assert_str_eq(json_string_value(json_object_get(agg, "probe")),
			 "snmp");
	cr_assert_null(json_object_get(agg, "loss_pct"));

	snprintf(path, sizeof(path), "%s/status.json", dir);
	cr_assert_eq(status_write(path, snap, err, sizeof(err)), 0, "%s", err);
	json_decref(snap);
	out = open_memstream(&text, &len);
	cr_assert_eq(status_print(path, 0, "zh", 0, out), 0);
	fclose(out);
	cr_assert(strstr(text, "ICMP 设备 (探测方式 icmp): 3 台, 应答 2 台") !=
			  NULL,
		  "%s", text);
	cr_assert(strstr(text, "127.0.0.8 (icmp)") != NULL, "%s", text);
	cr_assert(strstr(text, "0 of 3 echo requests answered") != NULL, "%s",
		  text);
	cr_assert(strstr(text, "丢包 33%") != NULL, "%s", text);
	free(text);
	out = open_memstream(&text, &len);
	cr_assert_eq(status_print(path, 0, "en", 0, out), 0);
	fclose(out);
	cr_assert(strstr(text, "ICMP devices (probe icmp): 3, answering 2, "
			       "average RTT 1.00 ms") != NULL,
		  "%s", text);
	free(text);
}

/* ---- the links kept as text between snapshots (status_cache) -------- */

/* Links that a test changes between snapshots: device i has nl[i] links,
 * link k's in rate is rate[i] + k, its name "if-<i>-<k>". */
static size_t nl[8];
static double rate[8];

static int var_link(void *arg, size_t i, size_t k, struct status_link *ret)
{
	static char names[8][4][32];

	(void)arg;
	if (i >= 8 || k >= nl[i])
		return -1;
	snprintf(names[i][k], sizeof(names[i][k]), "if-%zu-%zu", i, k);
	*ret = (struct status_link){ names[i][k], rate[i] + (double)k,
				     i == 1 ? NAN : 2e5, i == 2 ? 0 : 1000,
				     1700000200 + (double)i };
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* status.json written with the cache has the same bytes as without it,
 * after every change of a link's rate, name count or speed. */
static void same_bytes(struct status_cache *c, const char *what)
{
	static const uint64_t discards[DISCARD_COUNT] = { 0 };
	struct status_source src = {
		.cfg = cfg, .now = 1700000300, .started = 1700000000,
		.device = fixed_device, .link = var_link,
		.discards = discards,
	};
	char a[4200], b[4200], err[256], *ta, *tb;
	json_t *snap;

	snprintf(a, sizeof(a), "%s/plain.json", dir);
	snprintf(b, sizeof(b), "%s/cached.json", dir);
	snap = status_snapshot(&src);
	cr_assert_not_null(snap);
	cr_assert_eq(status_write(a, snap, err, sizeof(err)), 0, "%s", err);
	json_decref(snap);
	src.cache = c;
	snap = status_snapshot(&src);
	cr_assert_not_null(snap);
	cr_assert_eq(status_write_cached(b, snap, c, err, sizeof(err)), 0,
		     "%s", err);
	json_decref(snap);
	ta = slurp(a);
	tb = slurp(b);
	cr_assert_str_eq(tb, ta, "%s: the cached links differ", what);
	free(ta);
	free(tb);
}

Test(status, cached_links_give_the_same_file_as_a_full_snapshot)
{
	struct status_cache *c = status_cache_new();

	cr_assert_not_null(c);
	/* devices 0 and 1 (backbone, exit) have links; 2 gets a contract */
	cfg->devices[2].capacity_mbps = 100;
	nl[0] = 2;
	nl[1] = 1;
	nl[2] = 3;
	rate[0] = 1e9 / 3;
	rate[1] = 5e8;
	rate[2] = 0.1;
	same_bytes(c, "first");
	same_bytes(c, "nothing changed");
	rate[1] = 7.25e8;
	same_bytes(c, "one rate changed");
	nl[2] = 1;
	same_bytes(c, "a device lost links");
	nl[0] = 0;
	same_bytes(c, "a device has none");
	nl[0] = 3;
	rate[0] = NAN;
	same_bytes(c, "links back, rates unknown");
	nl[0] = nl[1] = nl[2] = 0;
	same_bytes(c, "no link at all");
	nl[1] = 1;
	same_bytes(c, "one again");
	/* what the entries are written with by hand: escapes, exponents */
	snprintf(cfg->devices[1].unit, sizeof(cfg->devices[1].unit),
		 "单位 \"x\"\t\\ \x01/");
	rate[1] = 1e17;
	same_bytes(c, "escapes, a large exponent");
	rate[1] = 2.5e-7;
	same_bytes(c, "a negative exponent");
	rate[1] = 1e300;
	same_bytes(c, "a three-digit exponent");
	/* a name json_string refuses: the entries jansson would drop */
	snprintf(cfg->devices[1].name, sizeof(cfg->devices[1].name),
		 "bad-\xff");
	rate[1] = 3;
	same_bytes(c, "a name that is not UTF-8");
	status_cache_free(c);
}
