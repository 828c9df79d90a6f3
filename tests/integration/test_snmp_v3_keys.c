/*
 * test_snmp_v3_keys.c - each SNMPv3 device authenticates with its own
 * profile's keys. net-snmp keeps one USM user per (engineID, user name)
 * for the whole process; two devices of one engine (one snmpd on two
 * ports here) with one user but different passphrases must not share the
 * first one's keys, and a reload's new passphrase must count at once.
 *
 * The SNMP probe in-process against net-snmp's snmpd on 127.0.0.1.
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

#include "agents.h"
#include "probes/snmp.h"

#define USER "slamonv3"
#define AUTHPASS "authpass123"
#define PRIVPASS "privpass123"
#define WRONGPASS "privpass999"
#define NDEV 2

static uv_loop_t loop;
static struct agent snmpd;
static int ports[NDEV];
static struct config *cfg;
static struct snmp_probe *probe;
static int last_status[NDEV];
static size_t ndone[NDEV];

static void on_emit(void *arg, const struct sample *s)
{
	(void)arg;
	if (s->metric == M_DEV_REACH && s->kind != SAMPLE_END &&
	    s->device < NDEV)
		last_status[s->device] = s->status;
}

static void on_discovered(void *arg, uint32_t device,
			  const struct snmp_iface *ifs, size_t n)
{
	(void)arg;
	(void)device;
	(void)ifs;
	(void)n;
}

static void on_done(void *arg, uint32_t device)
{
	(void)arg;
	cr_assert_lt(device, NDEV);
	ndone[device]++;
}

static const struct snmp_probe_hooks hooks = {on_emit, on_discovered,
					      on_done, NULL};

static void setup(void)
{
	cr_assert_eq(uv_loop_init(&loop), 0);
	memset(&snmpd, 0, sizeof(snmpd));
	for (int i = 0; i < NDEV; i++) {
		ports[i] = agent_free_udp_port();
		cr_assert_gt(ports[i], 0);
	}
	/* one snmpd, one engineID, answering on both ports */
	cr_assert_eq(agent_snmpd_start2(&snmpd, ports[0], ports[1], "goodcomm",
					USER, AUTHPASS, PRIVPASS),
		     0);
	cfg = NULL;
	probe = NULL;
}

static void on_probe_closed(void *arg)
{
	*(int *)arg = 1;
}

static void probe_close(void)
{
	int closed = 0;

	if (probe == NULL)
		return;
	snmp_probe_close(probe, on_probe_closed, &closed);
	/* the probe's handles are the loop's last: the run that closes them
	 * may also find the loop empty */
	while (!closed && uv_run(&loop, UV_RUN_ONCE) != 0)
		;
	cr_assert(closed, "the probe's handles did not close");
	snmp_probe_destroy(probe);
	probe = NULL;
	config_destroy(cfg);
	cfg = NULL;
}

static void teardown(void)
{
	probe_close();
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
	agent_stop(&snmpd);
}

TestSuite(snmp_v3_keys, .init = setup, .fini = teardown, .timeout = 120);

/* A probe for NDEV v3 devices: device i on ports[i] with privacy
 * passphrase priv[i], the same user and authentication passphrase. As a
 * reload does, a new probe replaces the old one. */
static void probe_make(const char *const priv[NDEV])
{
	probe_close();
	cr_assert_eq(config_create(&cfg), 0);
	cfg->devices = calloc(NDEV, sizeof(*cfg->devices));
	cr_assert_not_null(cfg->devices);
	cfg->ndevices = NDEV;
	cfg->timeout_ms = 1000;
	cfg->retries = 1;
	cfg->poll_budget_ms = 5000;
	for (int r = 0; r < ROLE_COUNT; r++)
		cfg->interval_s[r] = 60;
	for (int i = 0; i < NDEV; i++) {
		struct device *d = &cfg->devices[i];
		struct snmp_profile *pr;
		char name[16];

		snprintf(name, sizeof(name), "v3p%d", i);
		pr = config_item_add(cfg, &snmp_profile_section, name);
		cr_assert_not_null(pr);
		pr->version = SNMP_V3;
		snprintf(pr->user, sizeof(pr->user), "%s", USER);
		pr->level = SEC_AUTHPRIV;
		pr->auth = AUTH_SHA;
		snprintf(pr->auth_pass, sizeof(pr->auth_pass), "%s", AUTHPASS);
		pr->priv = PRIV_AES128;
		snprintf(pr->priv_pass, sizeof(pr->priv_pass), "%s", priv[i]);
		pr->timeout_ms = 1000;
		pr->retries = 1;
		pr->max_repetitions = 20;
		pr->max_varbinds = 40;
		snprintf(d->name, sizeof(d->name), "v3dev%d", i);
		snprintf(d->host, sizeof(d->host), "127.0.0.1");
		d->port = (uint16_t)ports[i];
		d->af = AF_INET;
		d->role = ROLE_ACCESS;
		d->parent_idx = -1;
		snprintf(d->profile, sizeof(d->profile), "%s", pr->name);
		d->profile_idx = i;
	}
	cr_assert_eq(snmp_probe_create(&loop, cfg, &hooks, &probe), 0);
	memset(ndone, 0, sizeof(ndone));
}

/* Polls the devices of mask at once, to their ends. */
static void poll_all(unsigned mask)
{
	size_t want[NDEV];

	for (int i = 0; i < NDEV; i++) {
		int rc;

		want[i] = ndone[i] + ((mask >> i) & 1);
		if (!((mask >> i) & 1))
			continue;
		last_status[i] = -1;
		while ((rc = snmp_probe_poll(probe, (uint32_t)i)) == -EBUSY)
			cr_assert_neq(uv_run(&loop, UV_RUN_ONCE), 0);
		cr_assert_eq(rc, 0);
	}
	for (int i = 0; i < NDEV; i++)
		while (ndone[i] < want[i])
			cr_assert_neq(uv_run(&loop, UV_RUN_ONCE), 0);
}

static void expect_ok(int dev)
{
	cr_expect_eq(last_status[dev], POLL_OK,
		     "device %d with the right passphrase: status %d (%s)",
		     dev, last_status[dev],
		     snmp_probe_last_error(probe, (uint32_t)dev));
}

static void expect_refused(int dev)
{
	cr_expect(last_status[dev] != POLL_OK && last_status[dev] >= 0,
		  "device %d with a wrong passphrase polled (status %d)", dev,
		  last_status[dev]);
}

Test(snmp_v3_keys, each_device_polls_with_its_own_profiles_keys)
{
	static const char *const right_wrong[NDEV] = {PRIVPASS, WRONGPASS};
	static const char *const wrong_right[NDEV] = {WRONGPASS, PRIVPASS};

	probe_make(right_wrong);
	/* one after the other: the second finds the first's user entry */
	poll_all(1);
	expect_ok(0);
	poll_all(2);
	expect_refused(1);
	/* both at once, twice (the second time without discovery) */
	poll_all(3);
	expect_ok(0);
	expect_refused(1);
	poll_all(3);
	expect_ok(0);
	expect_refused(1);

	/* a reload that swaps the passphrases: the new keys count at once */
	probe_make(wrong_right);
	poll_all(1);
	expect_refused(0);
	poll_all(2);
	expect_ok(1);
	poll_all(3);
	expect_refused(0);
	expect_ok(1);
}
