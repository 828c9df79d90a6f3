/*
 * test_config_service.c - the [service NAME] sections (issue 13): values,
 * defaults, status lists, and the exact "file:line: message" of each of
 * their errors (bad URL, unknown type, missing key, ...).
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
#include "probes/service_config.h"

static char dir[4096];
static struct diag d;
static struct config *cfg;

static void setup(void)
{
	cr_assert_eq(modules_register(), 0);
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-cfgsvc-"), 0);
	memset(&d, 0, sizeof(d));
	cfg = NULL;
}

static void teardown(void)
{
	config_destroy(cfg);
	diag_destroy(&d);
	tmpdir_remove(dir);
}

TestSuite(config_service, .init = setup, .fini = teardown);

#define HEAD "[general]\ninventory = inv.csv\nstorage_dir = data\n"
/* HEAD is 3 lines: a section right after it starts at line 4. */

#define INVENTORY "中心,core-1,10.0.0.1,core,,p,,,\n"
/* HEAD + [profile p] is 6 lines: the first line of text is line 7. */
#define HEAD_P HEAD "[profile p]\nversion = 2c\ncommunity = public\n"

static int load(const char *text)
{
	const struct conf_fixture fx = { dir, INVENTORY, HEAD_P };

	return conf_fixture_load(&fx, text, &cfg, &d);
}

static void fails(const char *text, const char *msg)
{
	const struct conf_fixture fx = { dir, INVENTORY, HEAD_P };

	conf_fixture_fails(&fx, text, msg, &cfg, &d);
}

Test(config_service, defaults_and_values)
{
	size_t n;
	const struct service_cfg *s;

	cr_assert_eq(load("[service miniprogram]\ntype = https\n"
			  "url = https://mp.example.gov.cn/health\n"
			  "name = 对外服务微信小程序\nname_en = Mini-program\n"
			  "expect_status = 2xx, 301-302,404\n"
			  "[service sms]\ntype = tcp\ntarget = [::1]:2775\n"
			  "[service dns]\ntype = dns\nquery = gov.cn\n"
			  "server = 127.0.0.1\n"),
		     0);
	s = service_configs(cfg, &n);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(s[0].name, "miniprogram");
	cr_assert_eq(s[0].type, SVC_HTTPS);
	cr_assert_eq(s[0].timeout_s, 10);
	cr_assert_eq(s[0].interval_s, 60);
	cr_assert_eq(s[0].tls_verify, 1);
	cr_assert_eq(s[0].cert_warn_days, 14);
	cr_assert_eq(s[0].down_after, 3);
	cr_assert_eq(s[0].up_after, 1);
	cr_assert_eq(s[0].max_redirects, 5);
	cr_assert_eq(s[0].severity, SEV_MAJOR);
	cr_assert_str_eq(s[0].display, "对外服务微信小程序");
	cr_assert_eq(s[0].nstatus, 3);
	cr_assert(service_status_ok(&s[0], 204));
	cr_assert(service_status_ok(&s[0], 302));
	cr_assert(service_status_ok(&s[0], 404));
	cr_assert_not(service_status_ok(&s[0], 303));
	cr_assert_not(service_status_ok(&s[0], 500));
	cr_assert_str_eq(s[1].host, "::1");
	cr_assert_eq(s[1].port, 2775);
	cr_assert_str_eq(s[2].host, "127.0.0.1");
	cr_assert_eq(s[2].port, 53);
	cr_assert_eq(service_find(cfg, "sms"), 1);
}

Test(config_service, errors_name_file_and_line)
{
	fails("[service a]\nurl = http://x/\n",
	      "7: missing key 'type' in [service a]");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = ftp\n",
	      "8: key 'type' in [service a]: 'ftp' is not one of http, "
	      "https, tcp, dns");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = http\n",
	      "7: missing key 'url' in [service a] (required for type http "
	      "and https)");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = https\nurl = http://x.cn/\n",
	      "9: key 'url' in [service a]: scheme 'http' does not match "
	      "type https (write https://...)");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = http\nurl = http://[::1/\n",
	      "9: key 'url' in [service a]: 'http://[::1/' is not a URL "
	      "(Bad IPv6 address)");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = tcp\ntarget = 10.0.0.1\n",
	      "9: key 'target' in [service a]: '10.0.0.1' has no port "
	      "(HOST:PORT)");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = tcp\n",
	      "7: missing key 'target' in [service a] (HOST:PORT for type "
	      "tcp)");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = dns\nquery = x.cn\nurl = http://x/\n",
	      "10: key 'url' in [service a]: not used by type dns");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = http\nurl = http://x/\n"
	      "expect_status = 2xx,700\n",
	      "10: key 'expect_status' in [service a]: '700' is outside the "
	      "HTTP status codes 100..599");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = http\nurl = http://x/\nmatch = a(\n"
	      "match_regex = yes\n",
	      "10: key 'match' in [service a]: not a POSIX extended regular "
	      "expression: Unmatched ( or \\(");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service a]\ntype = http\nurl = http://x/\ntimeout = 90\n",
	      "10: key 'timeout' in [service a]: 90 s is longer than the "
	      "interval (60 s)");
	config_destroy(cfg), cfg = NULL, diag_destroy(&d);
	fails("[service core-1]\ntype = tcp\ntarget = 10.0.0.1:80\n",
	      "7: [service core-1]: the inventory has a device of that name "
	      "(service and device names share the journal and SLA scopes)");
}
