/*
 * test_config_capture.c - the [capture NAME] sections of the main
 * configuration (issue 6): values, defaults, the CIDR list, and the exact
 * "file:line: message" of each of their errors.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents.h"
#include "conf_fixture.h"
#include "core/config.h"
#include "modules/modules.h"
#include "probes/pcap_decode.h"

static char dir[4096];
static struct diag d;
static struct config *cfg;

static void setup(void)
{
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-cfgcap-"), 0);
	memset(&d, 0, sizeof(d));
	cfg = NULL;
}

static void teardown(void)
{
	config_destroy(cfg);
	diag_destroy(&d);
	tmpdir_remove(dir);
}

TestSuite(config_capture, .init = setup, .fini = teardown);

#define HEAD                                                                  \
	"[general]\ninventory = inv.csv\nstorage_dir = data\n"                \
	"[profile p]\nversion = 2c\ncommunity = public\n"
/* HEAD is 6 lines: the first line after it is line 7. */

/* A minimal valid live capture; its header is line 7. */
#define LIVE(extra)                                                           \
	"[capture exit-1]\nifname = eth9\nlocal = 10.0.0.0/8\n"               \
	"device = exit-rtr-1\n" extra

#define INVENTORY "中心,exit-rtr-1,10.0.0.1,exit,,p,,,\n"

static int load(const char *text)
{
	const struct conf_fixture fx = { dir, INVENTORY, HEAD };

	return conf_fixture_load(&fx, text, &cfg, &d);
}

/* Fails with exactly one message, "c.conf:LINE: msg". */
static void fails(const char *text, const char *msg)
{
	const struct conf_fixture fx = { dir, INVENTORY, HEAD };

	conf_fixture_fails(&fx, text, msg, &cfg, &d);
}

Test(config_capture, defaults)
{
	const struct capture_cfg *c;

	cr_assert_eq(load(LIVE("")), 0);
	cr_assert_eq(config_count(cfg, &capture_section), 1);
	c = &capture_configs(cfg, NULL)[0];
	cr_assert_str_eq(c->name, "exit-1");
	cr_assert_eq(c->source, CAPSRC_LIVE);
	cr_assert_str_eq(c->ifname, "eth9");
	cr_assert_str_eq(c->filter, "");
	cr_assert_str_eq(c->interface, "");
	cr_assert_eq(c->device_idx, 0);
	cr_assert_eq(c->snaplen, 128);
	cr_assert_eq(c->buffer_mb, 32);
	cr_assert_eq(c->promisc, 1);
	cr_assert_eq(c->direction, 0);
	cr_assert_eq(c->timeout_ms, 100);
	cr_assert_eq(c->interval_s, 60);
	cr_assert_eq(c->top, 10);
	cr_assert_eq(c->max_talkers, 262144);
	cr_assert_eq(c->fcs, 1);
	cr_assert_float_eq(c->drop_alert, 0.1, 1e-12);
	cr_assert_float_eq(c->crosscheck_share, 5, 1e-12);
	cr_assert_eq(c->crosscheck_window_s, 300);
	cr_assert_eq(c->line, 7);
	cr_assert_eq(c->device_line, 10);
}

Test(config_capture, full_sections)
{
	const struct capture_cfg *c;
	char want[4200];

	cr_assert_eq(load("[capture exit-1]\nsource = live\nifname = ens5f1\n"
			  "filter = not ether proto 0x88cc\n"
			  "local = 10.0.0.0/8, 59.60.0.0/20 ,2001:db8::/32\n"
			  "device = exit-rtr-1\n"
			  "interface = GigabitEthernet0/0/1\nsnaplen = 256\n"
			  "buffer_mb = 64\npromisc = no\ndirection = in\n"
			  "timeout_ms = 50\ninterval = 10\ntop = 5\n"
			  "max_talkers = 1024\nfcs = no\ndrop_alert = 1.5\n"
			  "crosscheck_share = 20\ncrosscheck_window = 30\n"
			  "[capture replay]\nsource = file\n"
			  "file = caps/day.pcapng\nlocal = 192.0.2.1\n"
			  "device = exit-rtr-1\ninterval = 60\n"),
		     0, "%zu errors, first: %s", d.n, d.n ? d.msgs[0] : "");
	cr_assert_eq(config_count(cfg, &capture_section), 2);
	c = &capture_configs(cfg, NULL)[0];
	cr_assert_str_eq(c->filter, "not ether proto 0x88cc");
	cr_assert_str_eq(c->interface, "GigabitEthernet0/0/1");
	cr_assert_eq(c->snaplen, 256);
	cr_assert_eq(c->buffer_mb, 64);
	cr_assert_eq(c->promisc, 0);
	cr_assert_eq(c->direction, 1);
	cr_assert_eq(c->timeout_ms, 50);
	cr_assert_eq(c->interval_s, 10);
	cr_assert_eq(c->top, 5);
	cr_assert_eq(c->max_talkers, 1024);
	cr_assert_eq(c->fcs, 0);
	cr_assert_float_eq(c->drop_alert, 1.5, 1e-12);
	cr_assert_float_eq(c->crosscheck_share, 20, 1e-12);
	cr_assert_eq(c->crosscheck_window_s, 30);
	c = &capture_configs(cfg, NULL)[1];
	cr_assert_eq(c->source, CAPSRC_FILE);
	snprintf(want, sizeof(want), "%s/caps/day.pcapng", dir);
	cr_assert_str_eq(c->file, want, "relative to the config's folder");
	cr_assert_eq(c->device_idx, 0);
}

Test(config_capture, local_list)
{
	struct capture_prefixes pl;
	char err[256];
	uint8_t a[16] = {59, 60, 15, 1};

	cr_assert_eq(config_capture_local(" 10.0.0.0/8 ,59.60.0.0/20,::1",
					  &pl, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(pl.n, 3);
	cr_assert(capture_prefixes_match(&pl, 4, a));
	cr_assert_eq(config_capture_local("10.0.0.0/8,", &pl, err,
					  sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "empty prefix in the list");
}

Test(config_capture, unknown_key)
{
	fails(LIVE("bogus = 1\n"), "11: unknown key 'bogus' in [capture exit-1]");
}

Test(config_capture, duplicate_key)
{
	fails(LIVE("ifname = eth8\n"),
	      "11: duplicate key 'ifname' in [capture exit-1] (first at line "
	      "8)");
}

Test(config_capture, missing_name)
{
	fails("[capture]\nifname = eth9\n", "7: missing name in [capture]");
}

Test(config_capture, duplicate_section)
{
	fails(LIVE("") LIVE(""),
	      "11: duplicate section [capture exit-1] (first at line 7)");
}

Test(config_capture, bad_source)
{
	fails(LIVE("source = tap\n"),
	      "11: key 'source' in [capture exit-1]: 'tap' is not one of live, "
	      "file");
}

Test(config_capture, live_needs_ifname)
{
	fails("[capture exit-1]\nlocal = 10.0.0.0/8\ndevice = exit-rtr-1\n",
	      "7: missing key 'ifname' in [capture exit-1] (required for "
	      "source live)");
}

Test(config_capture, ifname_too_long)
{
	fails("[capture c]\nifname = a-very-long-ifname0\nlocal = 10.0.0.1\n"
	      "device = exit-rtr-1\n",
	      "8: key 'ifname' in [capture c]: value too long (max 15 bytes)");
}

Test(config_capture, file_needs_file)
{
	fails("[capture c]\nsource = file\nlocal = 10.0.0.1\n"
	      "device = exit-rtr-1\n",
	      "7: missing key 'file' in [capture c] (required for source "
	      "file)");
}

Test(config_capture, file_key_with_live)
{
	fails(LIVE("file = x.pcap\n"),
	      "11: key 'file' in [capture exit-1]: only used with source "
	      "file");
}

Test(config_capture, live_key_with_file)
{
	fails("[capture c]\nsource = file\nfile = x.pcap\nlocal = 10.0.0.1\n"
	      "device = exit-rtr-1\ninterface = lo\n",
	      "12: key 'interface' in [capture c]: only used with source "
	      "live");
}

Test(config_capture, missing_local)
{
	fails("[capture c]\nifname = eth9\ndevice = exit-rtr-1\n",
	      "7: missing key 'local' in [capture c] (the local prefixes "
	      "decide in and out)");
}

Test(config_capture, bad_local)
{
	fails("[capture c]\nifname = eth9\nlocal = 10.0.0.0/8, 10.1.2.3/33\n"
	      "device = exit-rtr-1\n",
	      "9: key 'local' in [capture c]: bad prefix '10.1.2.3/33': "
	      "expected ADDRESS[/LEN], IPv4 or IPv6");
}

Test(config_capture, empty_local_item)
{
	fails("[capture c]\nifname = eth9\nlocal = 10.0.0.0/8,,10.2.0.0/16\n"
	      "device = exit-rtr-1\n",
	      "9: key 'local' in [capture c]: empty prefix in the list");
}

/* 257 prefixes do not fit on one INI line (inih: 200 bytes), so the
 * list parser's own limit is checked directly. */
Test(config_capture, too_many_local)
{
	static struct capture_prefixes pl;
	static char list[8192];
	char err[256];
	size_t o = 0;

	for (int i = 0; i < 257; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s10.%d.0.0",
				      i ? "," : "", i % 256);
	cr_assert_eq(config_capture_local(list, &pl, err, sizeof(err)),
		     -ENOSPC);
	cr_assert_str_eq(err, "too many local prefixes (max 256)");
}

Test(config_capture, missing_device)
{
	fails("[capture c]\nifname = eth9\nlocal = 10.0.0.1\n",
	      "7: missing key 'device' in [capture c] (the inventory device "
	      "the link belongs to)");
}

Test(config_capture, unknown_device)
{
	fails("[capture c]\nifname = eth9\nlocal = 10.0.0.1\n"
	      "device = exit-rtr-9\n",
	      "10: key 'device' in [capture c]: no device 'exit-rtr-9' in the "
	      "inventory");
}

Test(config_capture, bad_int)
{
	fails(LIVE("snaplen = 32\n"),
	      "11: key 'snaplen' in [capture exit-1]: '32' is out of range "
	      "64..65535");
}

Test(config_capture, bad_interval)
{
	fails(LIVE("interval = 0\n"),
	      "11: key 'interval' in [capture exit-1]: '0' is out of range "
	      "1..3600");
}

Test(config_capture, bad_window)
{
	fails(LIVE("crosscheck_window = 5\n"),
	      "11: key 'crosscheck_window' in [capture exit-1]: '5' is out of "
	      "range 10..3600");
}

Test(config_capture, bad_bool)
{
	fails(LIVE("promisc = maybe\n"),
	      "11: key 'promisc' in [capture exit-1]: 'maybe' is not one of "
	      "yes, no");
}

Test(config_capture, bad_direction)
{
	fails(LIVE("direction = both\n"),
	      "11: key 'direction' in [capture exit-1]: 'both' is not one of "
	      "inout, in, out");
}

Test(config_capture, bad_number)
{
	fails(LIVE("drop_alert = lots\n"),
	      "11: key 'drop_alert' in [capture exit-1]: 'lots' is not a "
	      "number");
}

Test(config_capture, drop_alert_range)
{
	fails(LIVE("drop_alert = 150\n"),
	      "11: key 'drop_alert' in [capture exit-1]: 150 is out of range "
	      "0..100 (percent)");
}

Test(config_capture, crosscheck_share_range)
{
	fails(LIVE("crosscheck_share = -1\n"),
	      "11: key 'crosscheck_share' in [capture exit-1]: -1 is out of "
	      "range 0..100 (percent)");
}

Test(config_capture, every_error_reported)
{
	cr_assert_eq(load("[capture a]\nsnaplen = 1\n"
			  "[capture b]\nsource = file\nlocal = x\n"),
		     -EINVAL);
	for (size_t i = 0; i < d.n; i++)
		cr_log_info("got: %s", d.msgs[i]);
	/* a: snaplen, ifname, local, device; b: file, local, device */
	cr_assert_eq(d.n, 7);
}
