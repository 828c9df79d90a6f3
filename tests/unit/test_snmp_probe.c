/*
 * test_snmp_probe.c - the SNMP probe in-process, against the canned agent
 * of tests/helpers/snmp_responder.c on 127.0.0.1 and a mock collector that
 * records samples: discovery finds the interfaces with their names and
 * speeds, a poll yields counters of the right width and value, sysUpTime,
 * a silent agent is a timeout within the budget, a wrong community fails
 * that device only, decoy answers (another address, another request-id)
 * are ignored, the v1 path and the net-snmp-only path
 * (SLAMON_SNMP_NETSNMP_ONLY=1) give the same samples as v2c's fast path
 * (v1 with 32-bit counters), and a v1 walk survives genErr answers in the
 * optional ifXTable.
 *
 * Network: 127.0.0.1 and 127.0.0.2 only.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>

#include "probes/snmp.h"
#include "snmp_responder.h"

/* BER tags the agent answers with (RFC 2578). */
#define T_INT 0x02
#define T_COUNTER32 0x41
#define T_GAUGE32 0x42
#define T_TIMETICKS 0x43
#define T_COUNTER64 0x46

#define UPTIME 123456u
#define HC_IN 5000000000123ull /* above 2^32: a 64-bit counter */
#define HC_OUT 7000000000456ull
#define TIMEOUT_MS 150
#define RETRIES 1
#define BUDGET_MS 2000

#define NDEV_MAX 4
#define SAMPLES_MAX 1024

static uv_loop_t loop;
static struct snmp_responder *agent;
static struct config *cfg;
static struct snmp_probe *probe;

/* The mock collector: every sample, discovery and end of poll. */
static struct sample samples[SAMPLES_MAX];
static size_t nsamples;
static size_t ndiscovered[NDEV_MAX], ndone[NDEV_MAX];
static size_t nifs_seen[NDEV_MAX];

static void on_emit(void *arg, const struct sample *s)
{
	(void)arg;
	cr_assert_lt(nsamples, SAMPLES_MAX);
	samples[nsamples++] = *s;
}

static void on_discovered(void *arg, uint32_t device,
			  const struct snmp_iface *ifs, size_t n)
{
	(void)arg;
	(void)ifs;
	cr_assert_lt(device, NDEV_MAX);
	ndiscovered[device]++;
	nifs_seen[device] = n;
}

static void on_done(void *arg, uint32_t device)
{
	(void)arg;
	cr_assert_lt(device, NDEV_MAX);
	ndone[device]++;
}

static const struct snmp_probe_hooks hooks = {on_emit, on_discovered,
					      on_done, NULL};

/* Profile and poll settings a test may change before probe_make. */
static int cfg_max_rep, cfg_budget_ms;

/* One device of the test config. */
struct devspec {
	const char *community;
	int version; /* SNMP_V1 or SNMP_V2C */
};

/* The only place that builds a struct config: one [profile] per device
 * (probes/snmp_config.h), every device at 127.0.0.1 on the agent's port. */
static struct config *config_make(const struct devspec *ds, size_t n)
{
	struct config *c = NULL;

	cr_assert_eq(config_create(&c), 0);
	c->devices = calloc(n, sizeof(*c->devices));
	cr_assert_not_null(c->devices);
	c->ndevices = n;
	c->timeout_ms = TIMEOUT_MS;
	c->retries = RETRIES;
	c->poll_budget_ms = cfg_budget_ms;
	for (int r = 0; r < ROLE_COUNT; r++)
		c->interval_s[r] = 60;
	for (size_t i = 0; i < n; i++) {
		char name[32];
		struct snmp_profile *pr;
		struct device *d = &c->devices[i];

		snprintf(name, sizeof(name), "p%zu", i);
		pr = config_item_add(c, &snmp_profile_section, name);
		cr_assert_not_null(pr);
		pr->version = ds[i].version;
		snprintf(pr->community, sizeof(pr->community), "%s",
			 ds[i].community);
		pr->timeout_ms = TIMEOUT_MS;
		pr->retries = RETRIES;
		pr->max_repetitions = cfg_max_rep;
		pr->max_varbinds = 60;
		snprintf(d->name, sizeof(d->name), "dev%zu", i);
		snprintf(d->host, sizeof(d->host), "127.0.0.1");
		d->port = snmp_responder_port(agent);
		d->af = AF_INET;
		d->role = ROLE_ACCESS;
		d->parent_idx = -1;
		snprintf(d->profile, sizeof(d->profile), "%s", pr->name);
		d->profile_idx = (int)i;
	}
	return c;
}

#define IFT "1.3.6.1.2.1.2.2.1."
#define IFX "1.3.6.1.2.1.31.1.1.1."

static void set_u(const char *oid, uint8_t tag, uint64_t v)
{
	cr_assert_eq(snmp_responder_set_uint(agent, oid, tag, v), 0, "%s",
		     oid);
}

static void set_s(const char *oid, const char *v)
{
	cr_assert_eq(snmp_responder_set_str(agent, oid, v), 0, "%s", oid);
}

/* The agent: ifIndex 1 a 10G port with ifXTable and 64-bit counters, 2 a
 * 100M port with ifTable only (32-bit counters, ifDescr as its name), 3 a
 * port that is down (not monitored by default). */
static void agent_fill(void)
{
	set_s("1.3.6.1.2.1.1.1.0", "canned agent");
	set_u("1.3.6.1.2.1.1.3.0", T_TIMETICKS, UPTIME);
	/* ifIndex 1 */
	set_s(IFT "2.1", "GigabitEthernet0/1");
	set_u(IFT "3.1", T_INT, 6);
	set_u(IFT "5.1", T_GAUGE32, 4294967295u); /* saturated: 10G */
	set_u(IFT "8.1", T_INT, 1);
	set_u(IFT "10.1", T_COUNTER32, (uint32_t)HC_IN);
	set_u(IFT "13.1", T_COUNTER32, 11);
	set_u(IFT "14.1", T_COUNTER32, 12);
	set_u(IFT "16.1", T_COUNTER32, (uint32_t)HC_OUT);
	set_u(IFT "19.1", T_COUNTER32, 13);
	set_u(IFT "20.1", T_COUNTER32, 14);
	set_s(IFX "1.1", "Gi0/1");
	set_u(IFX "6.1", T_COUNTER64, HC_IN);
	set_u(IFX "10.1", T_COUNTER64, HC_OUT);
	set_u(IFX "15.1", T_GAUGE32, 10000);
	set_s(IFX "18.1", "uplink");
	/* ifIndex 2 */
	set_s(IFT "2.2", "eth2");
	set_u(IFT "3.2", T_INT, 6);
	set_u(IFT "5.2", T_GAUGE32, 100000000);
	set_u(IFT "8.2", T_INT, 1);
	set_u(IFT "10.2", T_COUNTER32, 2000);
	set_u(IFT "13.2", T_COUNTER32, 21);
	set_u(IFT "14.2", T_COUNTER32, 22);
	set_u(IFT "16.2", T_COUNTER32, 3000);
	set_u(IFT "19.2", T_COUNTER32, 23);
	set_u(IFT "20.2", T_COUNTER32, 24);
	/* ifIndex 3 */
	set_s(IFT "2.3", "down0");
	set_u(IFT "3.3", T_INT, 6);
	set_u(IFT "5.3", T_GAUGE32, 1000000000);
	set_u(IFT "8.3", T_INT, 2);
	set_s(IFX "1.3", "Gi0/3");
}

static void setup(void)
{
	cr_assert_eq(uv_loop_init(&loop), 0);
	cr_assert_eq(snmp_responder_start(&loop, "public", &agent), 0);
	agent_fill();
	cfg = NULL;
	probe = NULL;
	cfg_max_rep = 20;
	cfg_budget_ms = BUDGET_MS;
	nsamples = 0;
	memset(ndiscovered, 0, sizeof(ndiscovered));
	memset(ndone, 0, sizeof(ndone));
	memset(nifs_seen, 0, sizeof(nifs_seen));
}

static void on_probe_closed(void *arg)
{
	*(int *)arg = 1;
}

/* Closes the probe and runs the loop until its handles are gone. */
static void probe_close(void)
{
	int closed = 0;

	if (probe == NULL)
		return;
	snmp_probe_close(probe, on_probe_closed, &closed);
	while (!closed)
		cr_assert_neq(uv_run(&loop, UV_RUN_ONCE), 0);
	snmp_probe_destroy(probe);
	probe = NULL;
	config_destroy(cfg);
	cfg = NULL;
}

static void teardown(void)
{
	probe_close();
	snmp_responder_close(agent);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
}

TestSuite(snmp_probe, .init = setup, .fini = teardown, .timeout = 20);

static void probe_make(const struct devspec *ds, size_t n)
{
	cfg = config_make(ds, n);
	cr_assert_eq(snmp_probe_create(&loop, cfg, &hooks, &probe), 0);
}

/* Runs the loop until device dev has finished `polls` polls. */
static void run_until_done(uint32_t dev, size_t polls)
{
	while (ndone[dev] < polls)
		cr_assert_neq(uv_run(&loop, UV_RUN_ONCE), 0,
			      "loop ran dry with device %u still polling",
			      dev);
}

/* Polls dev once, to its end. Returns the index of its first sample. */
static size_t poll_once(uint32_t dev)
{
	size_t first = nsamples;
	int rc;

	/* a poll that ended in a timer callback may still be closing its
	 * session's poll handle (libuv runs timers again after the closing
	 * phase of a UV_RUN_ONCE) */
	while ((rc = snmp_probe_poll(probe, dev)) == -EBUSY)
		cr_assert_neq(uv_run(&loop, UV_RUN_ONCE), 0);
	cr_assert_eq(rc, 0, "poll: %d", rc);
	run_until_done(dev, ndone[dev] + 1);
	return first;
}

/* The sample of dev for (metric, slot) at or after `from`; fails when
 * absent. */
static const struct sample *find(size_t from, uint32_t dev, int metric,
				 int slot)
{
	for (size_t i = from; i < nsamples; i++) {
		const struct sample *s = &samples[i];

		if (s->kind == SAMPLE_END && s->device == dev)
			break;
		if (s->device == dev && s->metric == metric &&
		    s->ifslot == slot && s->kind != SAMPLE_END)
			return s;
	}
	cr_assert_fail("no sample of metric %d slot %d for device %u", metric,
		       slot, dev);
	return NULL;
}

/* The SAMPLE_END of dev's poll that started at `from`. */
static const struct sample *find_end(size_t from, uint32_t dev)
{
	for (size_t i = from; i < nsamples; i++)
		if (samples[i].device == dev && samples[i].kind == SAMPLE_END)
			return &samples[i];
	cr_assert_fail("poll of device %u did not end", dev);
	return NULL;
}

static void expect(size_t from, uint32_t dev, int metric, int slot,
		   int kind, int width, uint64_t value)
{
	const struct sample *s = find(from, dev, metric, slot);

	cr_expect_eq(s->kind, kind, "metric %d slot %d: kind %d", metric,
		     slot, s->kind);
	cr_expect_eq(s->width, width, "metric %d slot %d: width %d", metric,
		     slot, s->width);
	cr_expect_eq(s->status, POLL_OK, "metric %d slot %d: status %d",
		     metric, slot, s->status);
	cr_expect_eq(s->value, value, "metric %d slot %d: %llu, not %llu",
		     metric, slot, (unsigned long long)s->value,
		     (unsigned long long)value);
}

/* Every sample of a good poll of the agent, as agent_fill set it. */
static void expect_good_poll(size_t from, uint32_t dev)
{
	const struct sample *reach = find(from, dev, M_DEV_REACH, -1);

	cr_assert_eq(reach->status, POLL_OK, "%s",
		     snmp_probe_last_error(probe, dev));
	cr_expect_eq(reach->value, 1);
	cr_expect_eq(find(from, dev, M_DEV_LATENCY, -1)->kind,
		     SAMPLE_LATENCY);
	expect(from, dev, M_DEV_UPTIME, -1, SAMPLE_GAUGE, 0, UPTIME);
	/* slot 0: ifIndex 1, 64-bit counters, speed from ifHighSpeed */
	expect(from, dev, M_IF_IN_OCTETS, 0, SAMPLE_COUNTER, 64, HC_IN);
	expect(from, dev, M_IF_OUT_OCTETS, 0, SAMPLE_COUNTER, 64, HC_OUT);
	expect(from, dev, M_IF_OPER, 0, SAMPLE_STATUS, 0, 1);
	expect(from, dev, M_IF_SPEED, 0, SAMPLE_GAUGE, 0, 10000000000ull);
	expect(from, dev, M_IF_IN_DISCARDS, 0, SAMPLE_COUNTER, 32, 11);
	expect(from, dev, M_IF_IN_ERRORS, 0, SAMPLE_COUNTER, 32, 12);
	expect(from, dev, M_IF_OUT_DISCARDS, 0, SAMPLE_COUNTER, 32, 13);
	expect(from, dev, M_IF_OUT_ERRORS, 0, SAMPLE_COUNTER, 32, 14);
	/* slot 1: ifIndex 2, 32-bit counters, speed from ifSpeed */
	expect(from, dev, M_IF_IN_OCTETS, 1, SAMPLE_COUNTER, 32, 2000);
	expect(from, dev, M_IF_OUT_OCTETS, 1, SAMPLE_COUNTER, 32, 3000);
	expect(from, dev, M_IF_SPEED, 1, SAMPLE_GAUGE, 0, 100000000);
	expect(from, dev, M_IF_OUT_ERRORS, 1, SAMPLE_COUNTER, 32, 24);
	cr_expect_eq(find_end(from, dev)->status, POLL_OK);
}

Test(snmp_probe, discovery_finds_interfaces_names_and_speeds)
{
	static const struct devspec ds[] = {{"public", SNMP_V2C}};
	const struct snmp_iface *ifs;
	size_t n;

	probe_make(ds, 1);
	cr_assert_null(snmp_probe_ifaces(probe, 0, &n));
	poll_once(0);
	cr_assert_eq(ndiscovered[0], 1);
	ifs = snmp_probe_ifaces(probe, 0, &n);
	cr_assert_eq(n, 2, "monitored %zu interfaces", n);
	cr_assert_eq(nifs_seen[0], 2);
	cr_expect_str_eq(ifs[0].name, "Gi0/1");
	cr_expect_str_eq(ifs[0].descr, "GigabitEthernet0/1");
	cr_expect_str_eq(ifs[0].alias, "uplink");
	cr_expect_eq(ifs[0].ifindex, 1);
	cr_expect_eq(ifs[0].key_is_name, 1);
	cr_expect_eq(ifs[0].hc, 1);
	cr_expect_eq(ifs[0].oper, 1);
	cr_expect_eq(ifs[0].type, 6);
	cr_expect_float_eq(ifs[0].speed_mbps, 10000.0, 1e-9);
	/* no ifName: ifDescr names it; no ifHighSpeed: ifSpeed */
	cr_expect_str_eq(ifs[1].name, "eth2");
	cr_expect_eq(ifs[1].ifindex, 2);
	cr_expect_eq(ifs[1].key_is_name, 0);
	cr_expect_eq(ifs[1].hc, 0);
	cr_expect_float_eq(ifs[1].speed_mbps, 100.0, 1e-9);
	/* v2c walks with GETBULK */
	cr_expect_gt(snmp_responder_stats(agent).bulks, 0);
	cr_expect_eq(snmp_responder_stats(agent).nexts, 0);
	cr_expect_str_eq(snmp_probe_last_error(probe, 0), "");
}

Test(snmp_probe, poll_yields_typed_counters_and_uptime)
{
	static const struct devspec ds[] = {{"public", SNMP_V2C}};
	size_t first;

	probe_make(ds, 1);
	expect_good_poll(poll_once(0), 0);
	/* the next poll reads again, without walking */
	set_u(IFX "6.1", T_COUNTER64, HC_IN + 1000);
	set_u(IFT "10.2", T_COUNTER32, 4294967295u);
	set_u("1.3.6.1.2.1.1.3.0", T_TIMETICKS, UPTIME + 6000);
	first = poll_once(0);
	cr_assert_eq(ndiscovered[0], 1);
	expect(first, 0, M_IF_IN_OCTETS, 0, SAMPLE_COUNTER, 64, HC_IN + 1000);
	expect(first, 0, M_IF_IN_OCTETS, 1, SAMPLE_COUNTER, 32, 4294967295u);
	expect(first, 0, M_DEV_UPTIME, -1, SAMPLE_GAUGE, 0, UPTIME + 6000);
	cr_expect_eq(find_end(first, 0)->status, POLL_OK);
}

/* Milliseconds since loop time t0. */
static double elapsed_ms(uint64_t t0)
{
	uv_update_time(&loop);
	return (double)(uv_now(&loop) - t0);
}

Test(snmp_probe, silent_agent_is_a_timeout_within_the_budget)
{
	static const struct devspec ds[] = {{"public", SNMP_V2C},
					    {"public", SNMP_V2C}};
	const struct sample *reach;
	uint64_t t0;
	size_t first;

	probe_make(ds, 2);
	poll_once(0); /* discovered: the next poll takes the fast path */
	snmp_responder_set_mode(agent, SNMP_RESP_MUTE);
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	first = poll_once(0);
	/* (retries + 1) x timeout, and a timer's slack */
	cr_expect_leq(elapsed_ms(t0), (RETRIES + 1) * TIMEOUT_MS + 200);
	cr_expect_geq(elapsed_ms(t0), (RETRIES + 1) * TIMEOUT_MS - 10);
	reach = find(first, 0, M_DEV_REACH, -1);
	cr_expect_eq(reach->status, POLL_TIMEOUT);
	cr_expect_eq(reach->value, 0);
	cr_expect_eq(find_end(first, 0)->status, POLL_TIMEOUT);
	for (size_t i = first; i < nsamples; i++)
		cr_expect(samples[i].kind == SAMPLE_STATUS ||
			  samples[i].kind == SAMPLE_END,
			  "a failed poll emits no values");
	/* an undiscovered device times out in net-snmp's walk */
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	first = poll_once(1);
	cr_expect_leq(elapsed_ms(t0), BUDGET_MS);
	cr_expect_eq(find(first, 1, M_DEV_REACH, -1)->status, POLL_TIMEOUT);
	cr_expect_eq(ndiscovered[1], 0);
	cr_expect(strstr(snmp_probe_last_error(probe, 1), "no answer") != NULL,
		  "%s", snmp_probe_last_error(probe, 1));
}

Test(snmp_probe, wrong_community_fails_that_device_only)
{
	static const struct devspec ds[] = {{"public", SNMP_V2C},
					    {"private", SNMP_V2C},
					    {"public", SNMP_V2C}};

	probe_make(ds, 3);
	for (uint32_t i = 0; i < 3; i++)
		cr_assert_eq(snmp_probe_poll(probe, i), 0);
	cr_assert_eq(snmp_probe_busy(probe), 3);
	for (uint32_t i = 0; i < 3; i++)
		run_until_done(i, 1);
	expect_good_poll(0, 0);
	expect_good_poll(0, 2);
	cr_expect_eq(find(0, 1, M_DEV_REACH, -1)->status, POLL_TIMEOUT);
	cr_expect(strstr(snmp_probe_last_error(probe, 1), "wrong community") !=
			  NULL,
		  "%s", snmp_probe_last_error(probe, 1));
	cr_expect_str_eq(snmp_probe_last_error(probe, 0), "");
	cr_expect_gt(snmp_responder_stats(agent).bad_community, 0);
	cr_expect_eq(snmp_probe_busy(probe), 0);
}

Test(snmp_probe, answers_from_elsewhere_or_to_other_ids_are_ignored)
{
	static const struct devspec ds[] = {{"public", SNMP_V2C}};

	probe_make(ds, 1);
	snmp_responder_set_mode(agent, SNMP_RESP_DECOYS);
	expect_good_poll(poll_once(0), 0);
	expect_good_poll(poll_once(0), 0);
	cr_expect_gt(snmp_responder_stats(agent).decoys, 0);
}

/* One sample without what differs between runs (time, latency). */
struct norm {
	uint32_t device;
	int32_t ifslot;
	uint16_t metric;
	uint8_t kind, width;
	int16_t status;
	uint64_t value;
};

/* Two polls of device 0 from a new probe; writes the normalised samples
 * to out and returns how many. */
static size_t two_polls(const struct devspec *ds, struct norm *out,
			size_t max)
{
	size_t n = 0;

	probe_make(ds, 1);
	nsamples = 0;
	ndone[0] = 0;
	poll_once(0);
	if (ds[0].version == SNMP_V1) /* 32-bit counters: compared below */
		cr_assert_eq(find_end(poll_once(0), 0)->status, POLL_OK);
	else
		expect_good_poll(poll_once(0), 0);
	for (size_t i = 0; i < nsamples && n < max; i++) {
		const struct sample *s = &samples[i];

		out[n++] = (struct norm){s->device, s->ifslot, s->metric,
					 s->kind, s->width, s->status,
					 s->kind == SAMPLE_LATENCY ? 0
								   : s->value};
	}
	probe_close();
	return n;
}

static void expect_same(const struct norm *a, size_t na, const struct norm *b,
			size_t nb, const char *what)
{
	cr_assert_eq(na, nb, "%s: %zu samples, not %zu", what, nb, na);
	for (size_t i = 0; i < na; i++)
		cr_expect(a[i].device == b[i].device &&
				  a[i].ifslot == b[i].ifslot &&
				  a[i].metric == b[i].metric &&
				  a[i].kind == b[i].kind &&
				  a[i].width == b[i].width &&
				  a[i].status == b[i].status &&
				  a[i].value == b[i].value,
			  "%s: sample %zu (metric %u slot %d) differs", what,
			  i, a[i].metric, a[i].ifslot);
}

Test(snmp_probe, v1_and_netsnmp_only_paths_give_the_same_samples)
{
	static const struct devspec v2[] = {{"public", SNMP_V2C}};
	static const struct devspec v1[] = {{"public", SNMP_V1}};
	static struct norm fast[64], other[64], v1exp[64];
	size_t nfast, nother;
	unsigned gets;

	nfast = two_polls(v2, fast, 64);
	cr_assert_gt(nfast, 20);

	/* v1: GETNEXT walk, v1 GETs on the fast path; v1 has no Counter64,
	 * so ifIndex 1 is read with its 32-bit counters */
	nother = two_polls(v1, other, 64);
	cr_expect_gt(snmp_responder_stats(agent).nexts, 0);
	memcpy(v1exp, fast, sizeof(v1exp));
	for (size_t i = 0; i < nfast; i++)
		if (v1exp[i].ifslot == 0 &&
		    (v1exp[i].metric == M_IF_IN_OCTETS ||
		     v1exp[i].metric == M_IF_OUT_OCTETS)) {
			v1exp[i].width = 32;
			v1exp[i].value &= 0xffffffffu;
		}
	expect_same(v1exp, nfast, other, nother, "v1");

	/* every request through net-snmp sessions */
	gets = snmp_responder_stats(agent).gets;
	setenv("SLAMON_SNMP_NETSNMP_ONLY", "1", 1);
	nother = two_polls(v2, other, 64);
	unsetenv("SLAMON_SNMP_NETSNMP_ONLY");
	cr_expect_gt(snmp_responder_stats(agent).gets, gets);
	expect_same(fast, nfast, other, nother, "netsnmp-only");
}

/* SNMPv1 has no Counter64 (RFC 2576 section 4): a v1 walk must not ask for
 * ifHCInOctets, and an agent answering genErr for the ifXTable (some do,
 * where it is not implemented) loses that optional table, not the
 * device: names come from ifDescr, counters are the 32-bit ones. */
Test(snmp_probe, v1_walk_survives_generr_on_the_ifxtable)
{
	static const struct devspec ds[] = {{"public", SNMP_V1}};
	const struct snmp_iface *ifs;
	size_t n, first;

	/* ifHCInOctets is never asked of a v1 agent */
	cr_assert_eq(snmp_responder_fail_prefix(agent, IFX "6", 5), 0);
	probe_make(ds, 1);
	first = poll_once(0);
	cr_assert_eq(find(first, 0, M_DEV_REACH, -1)->status, POLL_OK, "%s",
		     snmp_probe_last_error(probe, 0));
	cr_expect_eq(snmp_responder_stats(agent).failed, 0,
		     "a v1 walk asked for ifHCInOctets");
	ifs = snmp_probe_ifaces(probe, 0, &n);
	cr_assert_eq(n, 2);
	cr_expect_eq(ifs[0].hc, 0);
	expect(first, 0, M_IF_IN_OCTETS, 0, SAMPLE_COUNTER, 32,
	       (uint32_t)HC_IN);
	probe_close();
	ndiscovered[0] = ndone[0] = 0;

	/* genErr for the whole ifXTable */
	cr_assert_eq(snmp_responder_fail_prefix(agent, "1.3.6.1.2.1.31.1.1",
						5),
		     0);
	probe_make(ds, 1);
	first = poll_once(0);
	cr_expect_gt(snmp_responder_stats(agent).failed, 0);
	cr_assert_eq(find(first, 0, M_DEV_REACH, -1)->status, POLL_OK, "%s",
		     snmp_probe_last_error(probe, 0));
	cr_assert_eq(ndiscovered[0], 1);
	/* without ifHighSpeed the 10G port's saturated ifSpeed gives no
	 * speed, so only ifIndex 2 is selected; names come from ifDescr */
	ifs = snmp_probe_ifaces(probe, 0, &n);
	cr_assert_eq(n, 1, "monitored %zu interfaces", n);
	cr_expect_str_eq(ifs[0].name, "eth2");
	cr_expect_eq(ifs[0].key_is_name, 0);
	cr_expect_str_eq(ifs[0].alias, "");
	expect(first, 0, M_IF_IN_OCTETS, 0, SAMPLE_COUNTER, 32, 2000);
	expect(first, 0, M_IF_OUT_OCTETS, 0, SAMPLE_COUNTER, 32, 3000);
	cr_expect_eq(find_end(first, 0)->status, POLL_OK);
	/* and the next poll reads without walking */
	first = poll_once(0);
	cr_expect_eq(ndiscovered[0], 1);
	cr_expect_eq(find_end(first, 0)->status, POLL_OK);
}

/* Polls dev once (expecting it to fail with status) and checks that its
 * last error contains what. */
static void expect_failure(uint32_t dev, int status, const char *what)
{
	size_t first = poll_once(dev);
	const char *err = snmp_probe_last_error(probe, dev);

	cr_expect_eq(find(first, dev, M_DEV_REACH, -1)->status, status,
		     "%s: status %d", what,
		     find(first, dev, M_DEV_REACH, -1)->status);
	cr_expect(strstr(err, what) != NULL, "wanted \"%s\" in \"%s\"", what,
		  err);
	if (status != POLL_TIMEOUT || strstr(what, "no answer") == NULL)
		cr_expect(strstr(err, "agent down") == NULL,
			  "an agent that answered is not down: %s", err);
}

/* A poll that fails because what came back did not count says what came
 * back, in the walk (net-snmp) and in the GETs (own BER): the status
 * view and the daemon's complaint both show snmp_probe_last_error. */
Test(snmp_probe, failed_poll_says_what_arrived)
{
	static const struct devspec ds[] = {{"public", SNMP_V2C}};

	probe_make(ds, 1);
	/* the discovery walk */
	snmp_responder_set_mode(agent, SNMP_RESP_MALFORMED);
	expect_failure(0, POLL_TIMEOUT, "a malformed answer");
	snmp_responder_set_mode(agent, SNMP_RESP_WRONGID);
	expect_failure(0, POLL_TIMEOUT, "with request-id");
	snmp_responder_set_mode(agent, SNMP_RESP_GENERR);
	expect_failure(0, POLL_ERROR, "error-status genErr");
	snmp_responder_set_mode(agent, 0);
	expect_good_poll(poll_once(0), 0);
	/* the GETs */
	snmp_responder_set_mode(agent, SNMP_RESP_MALFORMED);
	expect_failure(0, POLL_TIMEOUT, "a malformed answer");
	snmp_responder_set_mode(agent, SNMP_RESP_WRONGID);
	expect_failure(0, POLL_TIMEOUT, "with request-id");
	snmp_responder_set_mode(agent, SNMP_RESP_FOREIGN);
	expect_failure(0, POLL_TIMEOUT, "not from the device's address");
	snmp_responder_set_mode(agent, SNMP_RESP_GENERR);
	expect_failure(0, POLL_ERROR, "error-status genErr");
	/* silence is still silence */
	snmp_responder_set_mode(agent, SNMP_RESP_MUTE);
	expect_failure(0, POLL_TIMEOUT, "no answer after");
	snmp_responder_set_mode(agent, 0);
	expect_good_poll(poll_once(0), 0);
	cr_expect_str_eq(snmp_probe_last_error(probe, 0), "");
}

/* A big chassis behind a slow link: one discovery allowance (four poll
 * budgets) is not enough to walk it. The walk resumes where it stopped,
 * and no poll in between says the device is not answering. */
Test(snmp_probe, slow_big_discovery_resumes_and_is_no_outage)
{
	static const struct devspec ds[] = {{"public", SNMP_V2C}};
	enum { NIF = 40, DELAY_MS = 20, MAX_POLLS = 10 };
	char oid[64];
	size_t first = 0, polls = 0, n;

	for (int i = 10; i < 10 + NIF; i++) {
		snprintf(oid, sizeof(oid), IFT "2.%d", i);
		set_s(oid, "port");
		snprintf(oid, sizeof(oid), IFT "3.%d", i);
		set_u(oid, T_INT, 6);
		snprintf(oid, sizeof(oid), IFT "5.%d", i);
		set_u(oid, T_GAUGE32, 1000000000);
		snprintf(oid, sizeof(oid), IFT "8.%d", i);
		set_u(oid, T_INT, 1);
	}
	snmp_responder_set_delay(agent, DELAY_MS);
	/* ~170 walk requests of 20 ms against an allowance of 4 x 300 ms */
	cfg_max_rep = 1;
	cfg_budget_ms = 300;
	probe_make(ds, 1);
	while (ndiscovered[0] == 0 && polls < MAX_POLLS) {
		const struct sample *reach;

		first = poll_once(0);
		polls++;
		reach = find(first, 0, M_DEV_REACH, -1);
		cr_assert_eq(reach->status, POLL_OK,
			     "poll %zu: an answering device failed: %s", polls,
			     snmp_probe_last_error(probe, 0));
		cr_expect_eq(find_end(first, 0)->status, POLL_OK);
	}
	cr_assert_eq(ndiscovered[0], 1, "not discovered after %zu polls",
		     polls);
	cr_expect_gt(polls, 1, "the walk fitted one allowance: no test");
	snmp_probe_ifaces(probe, 0, &n);
	cr_expect_eq(n, 2 + NIF, "monitored %zu interfaces", n);
	/* the poll that finished the walk read the counters too */
	expect(first, 0, M_IF_IN_OCTETS, 0, SAMPLE_COUNTER, 64, HC_IN);
	cr_expect_str_eq(snmp_probe_last_error(probe, 0), "");
}
