/*
 * test_config.c - the main configuration file: values, defaults, and the
 * exact "file:line: message" of every class of error.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "modules/modules.h"
#include "sla/indicators.h"
#include "sla/report_config.h"

static char dir[64];
static struct diag d;
static struct config *cfg;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/slamon-config-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	memset(&d, 0, sizeof(d));
	cfg = NULL;
}

static void teardown(void)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char p[512];

	while (dp != NULL && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (dp != NULL)
		closedir(dp);
	rmdir(dir);
	config_destroy(cfg);
	diag_destroy(&d);
}

TestSuite(config, .init = setup, .fini = teardown);

static const char *path(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const char *text)
{
	FILE *fp = fopen(path(name), "w");

	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static const char inv_ok[] = "unit,name,address,role,profile\n"
			     "区教育局,r1,10.0.0.1,access,p\n";

/* Loads c.conf (text) next to a valid inv.csv. */
static int load(const char *text)
{
	put("inv.csv", inv_ok);
	put("c.conf", text);
	return config_load(path("c.conf"), &cfg, &d);
}

/* Asserts that d holds exactly the expected messages, each given relative
 * to the test folder ("c.conf:3: ..."). NULL-terminated. */
static void expect(const char *const *exp)
{
	size_t n = 0;
	char want[1024];

	while (exp[n] != NULL)
		n++;
	for (size_t i = 0; i < d.n; i++)
		cr_log_info("got: %s", d.msgs[i]);
	cr_assert_eq(d.n, n, "expected %zu messages, got %zu", n, d.n);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s/%s", dir, exp[i]);
		cr_expect_str_eq(d.msgs[i], want);
	}
}

/* A config that must fail with exactly these messages. */
static void fails(const char *text, const char *const *exp)
{
	cr_assert_eq(load(text), -EINVAL);
	cr_assert_null(cfg);
	expect(exp);
}

#define FAILS(text, ...)                                                  \
	fails(text, (const char *const[]){ __VA_ARGS__, NULL })

/* ---- valid files ---------------------------------------------------- */

Test(config, minimal_file_gets_defaults)
{
	char want[512];

	cr_assert_eq(load("[general]\ninventory = inv.csv\n"
			  "storage_dir = data\n"
			  "[profile p]\nversion = 2c\ncommunity = public\n"),
		     0);
	cr_assert_eq(d.n, 0);
	cr_assert_str_eq(cfg->path, path("c.conf"));
	cr_assert_str_eq(cfg->inventory, path("inv.csv"));
	cr_assert_str_eq(cfg->storage_dir, path("data"));
	snprintf(want, sizeof(want), "%s/data/status.json", dir);
	cr_assert_str_eq(cfg->status_file, want);
	cr_assert_str_eq(cfg->rrdcached, "");
	cr_assert_str_eq(cfg->log_target, "stderr");
	cr_assert_str_eq(cfg->log_level, "info");
	cr_assert_str_eq(cfg->timezone, "Asia/Shanghai");
	cr_assert_eq(cfg->timeout_ms, 2000);
	cr_assert_eq(cfg->retries, 1);
	cr_assert_eq(cfg->max_inflight, 1000);
	cr_assert_eq(cfg->poll_budget_ms, 0);
	cr_assert_eq(cfg->down_after, 2);
	cr_assert_eq(cfg->up_after, 2);
	for (int r = 0; r < ROLE_COUNT; r++)
		cr_assert_eq(cfg->interval_s[r], 60);

	cr_assert_eq(config_count(cfg, &snmp_profile_section), 1);
	cr_assert_str_eq(snmp_profiles(cfg, NULL)[0].name, "p");
	cr_assert_eq(snmp_profiles(cfg, NULL)[0].version, SNMP_V2C);
	cr_assert_str_eq(snmp_profiles(cfg, NULL)[0].community, "public");
	cr_assert_eq(snmp_profiles(cfg, NULL)[0].timeout_ms, 2000);
	cr_assert_eq(snmp_profiles(cfg, NULL)[0].retries, 1);
	cr_assert_eq(snmp_profiles(cfg, NULL)[0].max_repetitions, 20);
	cr_assert_eq(snmp_profiles(cfg, NULL)[0].max_varbinds, 60);
	cr_assert_eq(snmp_profiles(cfg, NULL)[0].line, 4);

	cr_assert_eq(config_count(cfg, &indicator_section), 10);
	cr_assert_eq(cfg->ndevices, 1);
	cr_assert_str_eq(cfg->devices[0].unit, "区教育局");
	cr_assert_eq(cfg->devices[0].profile_idx, 0);
}

Test(config, every_general_key_and_interval)
{
	cr_assert_eq(load("; comment\n"
			  "[profile p]\n"
			  "version = 1\n"
			  "community = c0mm;unity ; inline comment\n"
			  "timeout_ms = 500\n"
			  "[general]\n"
			  "inventory = " "inv.csv\n"
			  "storage_dir = /srv/slamon\n"
			  "status_file = run/status.json\n"
			  "rrdcached = unix:/run/rrdcached.sock\n"
			  "log = SYSLOG\n"
			  "log_level = debug\n"
			  "timezone = UTC\n"
			  "timeout_ms = 3000\n"
			  "retries = 3\n"
			  "max_inflight = 50\n"
			  "poll_budget_ms = 20000\n"
			  "down_after = 3\n"
			  "up_after = 5\n"
			  "interval = 120\n"
			  "[intervals]\n"
			  "backbone = 30\n"
			  "  access = 300\n"
			  "骨干 = 30\n" /* same role: duplicate */),
		     -EINVAL);
	expect((const char *const[]){
		"c.conf:24: duplicate key '骨干' in [intervals] (first at "
		"line 22)",
		NULL });
	diag_destroy(&d);

	cr_assert_eq(load("[profile p]\n"
			  "version = 1\n"
			  "community = c0mm;unity ; inline comment\n"
			  "timeout_ms = 500\n"
			  "[general]\n"
			  "inventory = inv.csv\n"
			  "storage_dir = /srv/slamon\n"
			  "status_file = run/status.json\n"
			  "rrdcached = unix:/run/rrdcached.sock\n"
			  "log = SYSLOG\n"
			  "log_level = debug\n"
			  "timezone = UTC\n"
			  "timeout_ms = 3000\n"
			  "retries = 3\n"
			  "max_inflight = 50\n"
			  "poll_budget_ms = 20000\n"
			  "down_after = 3\n"
			  "up_after = 5\n"
			  "interval = 120\n"
			  "[intervals]\n"
			  "backbone = 30\n"
			  "  access = 300\n"),
		     0);
	cr_assert_str_eq(cfg->storage_dir, "/srv/slamon");
	cr_assert_str_eq(cfg->status_file, path("run/status.json"));
	cr_assert_str_eq(cfg->rrdcached, "unix:/run/rrdcached.sock");
	cr_assert_str_eq(cfg->log_target, "syslog");
	cr_assert_str_eq(cfg->log_level, "debug");
	cr_assert_str_eq(cfg->timezone, "UTC");
	cr_assert_eq(cfg->timeout_ms, 3000);
	cr_assert_eq(cfg->retries, 3);
	cr_assert_eq(cfg->max_inflight, 50);
	cr_assert_eq(cfg->poll_budget_ms, 20000);
	cr_assert_eq(cfg->down_after, 3);
	cr_assert_eq(cfg->up_after, 5);
	cr_assert_eq(cfg->interval_s[ROLE_BACKBONE], 30);
	cr_assert_eq(cfg->interval_s[ROLE_ACCESS], 300);
	cr_assert_eq(cfg->interval_s[ROLE_CORE], 120);
	cr_assert_eq(cfg->interval_s[ROLE_OTHER], 120);
	/* explicit value kept, unset one inherits a later [general] */
	cr_assert_str_eq(snmp_profiles(cfg, NULL)[0].community, "c0mm;unity");
	cr_assert_eq(snmp_profiles(cfg, NULL)[0].version, SNMP_V1);
	cr_assert_eq(snmp_profiles(cfg, NULL)[0].timeout_ms, 500);
	cr_assert_eq(snmp_profiles(cfg, NULL)[0].retries, 3);
}

Test(config, v3_profiles)
{
	cr_assert_eq(load("[general]\ninventory = inv.csv\n"
			  "[profile p]\nversion = 2c\ncommunity = x\n"
			  "[profile sha-aes]\n"
			  "version = 3\nuser = mon\nauth = SHA\n"
			  "auth_pass = authpass1\npriv = AES-128\n"
			  "priv_pass = privpass1\ncontext = vrf1\n"
			  "[profile sha256-aes256]\n"
			  "version = 3\nuser = mon\nauth = sha-256\n"
			  "auth_pass = authpass2\npriv = aes-256\n"
			  "priv_pass = privpass2\n"
			  "max_repetitions = 200\nmax_varbinds = 1\n"
			  "[profile sha1-noPriv]\n"
			  "version = 3\nuser = mon\nauth = SHA1\n"
			  "auth_pass = 12345678\n"
			  "[profile aes]\n"
			  "version = 3\nuser = mon\nauth = MD5\n"
			  "auth_pass = 12345678\npriv = AES\n"
			  "priv_pass = 12345678\n"
			  "[profile noauth]\nversion = 3\nuser = guest\n"),
		     0);
	cr_assert_eq(config_count(cfg, &snmp_profile_section), 6);
	const struct snmp_profile *p = &snmp_profiles(cfg, NULL)[1];
	cr_assert_str_eq(p->name, "sha-aes");
	cr_assert_eq(p->version, SNMP_V3);
	cr_assert_str_eq(p->user, "mon");
	cr_assert_eq(p->auth, AUTH_SHA);
	cr_assert_str_eq(p->auth_pass, "authpass1");
	cr_assert_eq(p->priv, PRIV_AES128);
	cr_assert_str_eq(p->priv_pass, "privpass1");
	cr_assert_str_eq(p->context, "vrf1");
	cr_assert_eq(p->level, SEC_AUTHPRIV);
	p = &snmp_profiles(cfg, NULL)[2];
	cr_assert_eq(p->auth, AUTH_SHA256);
	cr_assert_eq(p->priv, PRIV_AES256);
	cr_assert_eq(p->level, SEC_AUTHPRIV);
	cr_assert_eq(p->max_repetitions, 200);
	cr_assert_eq(p->max_varbinds, 1);
	p = &snmp_profiles(cfg, NULL)[3];
	cr_assert_eq(p->auth, AUTH_SHA);
	cr_assert_eq(p->priv, PRIV_NONE);
	cr_assert_eq(p->level, SEC_AUTHNOPRIV);
	p = &snmp_profiles(cfg, NULL)[4];
	cr_assert_eq(p->auth, AUTH_MD5);
	cr_assert_eq(p->priv, PRIV_AES128);
	p = &snmp_profiles(cfg, NULL)[5];
	cr_assert_eq(p->level, SEC_NOAUTH);
}

Test(config, indicator_override_and_new)
{
	size_t n;
	const struct indicator *def = indicator_defaults(&n);

	cr_assert_eq(load("[general]\ninventory = inv.csv\n"
			  "[profile p]\nversion = 2c\ncommunity = x\n"
			  "[indicator unit_connectivity]\n"
			  "target = 95.5\n"
			  "[indicator camera_online]\n"
			  "name = 视频监控路数\n"
			  "metric = online_count\n"
			  "scope = role:camera\n"
			  "comparator = >=\n"
			  "target = 150\n"
			  "unit = 路\n"),
		     0);
	cr_assert_eq(config_count(cfg, &indicator_section), n + 1);
	const struct indicator *u = &sla_indicators(cfg, NULL)[3];
	cr_assert_str_eq(u->id, "unit_connectivity");
	cr_assert_str_eq(u->name_zh, "单位联网率");
	cr_assert_str_eq(u->metric, "time_share_up");
	cr_assert_str_eq(u->scope, "role:access");
	cr_assert_eq(u->cmp, CMP_GE);
	cr_assert_float_eq(u->target, 95.5, 1e-9);
	cr_assert_str_eq(u->unit, "%");
	cr_assert_eq(u->line, 6);
	/* the built-in table itself is untouched */
	cr_assert_float_eq(def[3].target, 90, 1e-9);

	const struct indicator *c = &sla_indicators(cfg, NULL)[n];
	cr_assert_str_eq(c->id, "camera_online");
	cr_assert_str_eq(c->name_zh, "视频监控路数");
	cr_assert_str_eq(c->scope, "role:camera");
	cr_assert_float_eq(c->target, 150, 1e-9);
	cr_assert_eq(c->line, 8);
}

Test(config, default_indicator_table)
{
	size_t n;
	const struct indicator *t = indicator_defaults(&n);

	cr_assert_eq(n, 10);
	cr_assert_str_eq(t[0].id, "backbone_bandwidth");
	cr_assert_str_eq(t[0].name_zh, "电子政务外网主骨干带宽");
	cr_assert_str_eq(t[0].metric, "capacity_min");
	cr_assert_str_eq(t[0].scope, "role:backbone");
	cr_assert_eq(t[0].cmp, CMP_GE);
	cr_assert_float_eq(t[0].target, 10000, 1e-9);
	cr_assert_str_eq(t[0].unit, "Mbps");
	cr_assert_str_eq(t[6].name_zh, "对外服务微信小程序无故障运行率");
	cr_assert_eq(t[6].cmp, CMP_GT);
	cr_assert_str_eq(t[8].id, "monthly_reports");
	cr_assert_eq(t[8].cmp, CMP_EQ);
	cr_assert_float_eq(t[8].target, 12, 1e-9);

	cr_assert(indicator_met(&t[6], 95.01));
	cr_assert_not(indicator_met(&t[6], 95));
	cr_assert(indicator_met(&t[4], 100.0 * 3 / 3));
	cr_assert(indicator_met(&t[0], 10000));
	cr_assert_not(indicator_met(&t[0], 9999.9));
	cr_assert_eq(cmp_op_parse("<="), CMP_LE);
	cr_assert_eq(cmp_op_parse("=="), CMP_EQ);
	cr_assert_eq(cmp_op_parse("=>"), -1);
	cr_assert_str_eq(cmp_op_name(CMP_LT), "<");
}

Test(config, shipped_example_loads)
{
	cr_assert_eq(config_load(SLAMON_SOURCE_DIR
				 "/packaging/slamon.conf.example",
				 &cfg, &d),
		     0);
	cr_assert_eq(d.n, 0);
	cr_assert_geq(config_count(cfg, &snmp_profile_section), 2);
	cr_assert_geq(cfg->ndevices, 10);
	cr_assert_str_eq(cfg->inventory, SLAMON_SOURCE_DIR
			 "/packaging/inventory.example.csv");
}

/* ---- errors --------------------------------------------------------- */

Test(config, missing_file)
{
	char want[512];

	cr_assert_eq(config_load(path("nope.conf"), &cfg, &d), -EINVAL);
	cr_assert_null(cfg);
	cr_assert_eq(d.n, 1);
	cr_assert_lt((size_t)snprintf(want, sizeof(want), "%s: cannot open: %s",
				      path("nope.conf"), strerror(ENOENT)),
		     sizeof(want));
	cr_assert_str_eq(d.msgs[0], want);
}

Test(config, unknown_key_and_section)
{
	FAILS("[general]\n"
	      "inventory = inv.csv\n"
	      "foo = 1\n"
	      "[bogus]\n"
	      "ignored = 1\n"
	      "[profile p]\nversion = 2c\ncommunity = x\nfoo = 2\n",
	      "c.conf:3: unknown key 'foo' in [general]",
	      "c.conf:4: unknown section [bogus]",
	      "c.conf:9: unknown key 'foo' in [profile p]");
}

Test(config, bad_numbers)
{
	FAILS("[general]\n"
	      "inventory = inv.csv\n"
	      "timeout_ms = fast\n"
	      "retries = 11\n"
	      "max_inflight = 0\n"
	      "down_after = 2x\n"
	      "interval = 99999999999999999999\n"
	      "[profile p]\nversion = 2c\ncommunity = x\n"
	      "max_repetitions = 201\n"
	      "[intervals]\n"
	      "access = 4\n",
	      "c.conf:3: key 'timeout_ms' in [general]: 'fast' is not a number",
	      "c.conf:4: key 'retries' in [general]: '11' is out of range "
	      "0..10",
	      "c.conf:5: key 'max_inflight' in [general]: '0' is out of range "
	      "1..100000",
	      "c.conf:6: key 'down_after' in [general]: '2x' is not a number",
	      "c.conf:7: key 'interval' in [general]: '99999999999999999999' "
	      "is out of range 5..86400",
	      "c.conf:11: key 'max_repetitions' in [profile p]: '201' is out "
	      "of range 1..200",
	      "c.conf:13: key 'access' in [intervals]: '4' is out of range "
	      "5..86400");
}

Test(config, bad_words_and_roles)
{
	FAILS("[general]\n"
	      "inventory = inv.csv\n"
	      "log = file\n"
	      "log_level = verbose\n"
	      "[intervals]\n"
	      "router = 60\n"
	      "[profile p]\nversion = 4\n"
	      "[profile q]\nversion = 3\nuser = u\nauth = SHA3\n"
	      "priv = 3DES\n",
	      "c.conf:3: key 'log' in [general]: 'file' is not one of stderr, "
	      "syslog",
	      "c.conf:4: key 'log_level' in [general]: 'verbose' is not one "
	      "of debug, info, warn, error",
	      "c.conf:6: unknown role 'router' in [intervals]",
	      "c.conf:8: key 'version' in [profile p]: '4' is not one of 1, "
	      "2c, 3",
	      "c.conf:12: key 'auth' in [profile q]: 'SHA3' is not one of "
	      "none, MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512",
	      "c.conf:13: key 'priv' in [profile q]: '3DES' is not one of "
	      "none, DES, AES, AES-128, AES-192, AES-256");
}

Test(config, syntax_errors_and_duplicates)
{
	FAILS("[general\n"
	      "[general]\n"
	      "inventory = inv.csv\n"
	      "just words\n"
	      "retries = 1\n"
	      "retries = 2\n"
	      "[profile p]\nversion = 2c\ncommunity = x\n"
	      "[profile p]\n"
	      "[profile]\n"
	      "[indicator exit_bandwidth]\n"
	      "[indicator exit_bandwidth]\n",
	      "c.conf:1: syntax error: missing ']'",
	      "c.conf:4: syntax error: expected 'key = value'",
	      "c.conf:6: duplicate key 'retries' in [general] (first at line "
	      "5)",
	      "c.conf:10: duplicate section [profile p] (first at line 7)",
	      "c.conf:11: missing name in [profile]",
	      "c.conf:13: duplicate section [indicator exit_bandwidth] (first "
	      "at line 12)");
}

Test(config, key_outside_section_and_long_line)
{
	char text[1024];
	char value[300];

	memset(value, 'x', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	snprintf(text, sizeof(text),
		 "retries = 1\n"
		 "[general]\ninventory = inv.csv\n"
		 "timezone = %s\n"
		 "[profile p]\nversion = 2c\ncommunity = x\n",
		 value);
	FAILS(text, "c.conf:1: key 'retries' outside of any section",
	      "c.conf:4: line too long (max 197 bytes)");
}

Test(config, missing_inventory_key)
{
	FAILS("[general]\nretries = 1\n" "[profile p]\nversion = 2c\n"
	      "community = x\n",
	      "c.conf: missing key 'inventory' in [general]");
}

Test(config, profile_rules)
{
	FAILS("[general]\ninventory = inv.csv\n"
	      "[profile p]\ncommunity = x\n"           /* 3 */
	      "[profile v2]\nversion = 2c\n"           /* 5 */
	      "[profile v1]\nversion = 1\n"            /* 7 */
	      "[profile nouser]\nversion = 3\n"        /* 9 */
	      "[profile nopass]\nversion = 3\nuser = u\nauth = SHA-512\n"
	      "priv = DES\n"                           /* 11..15 */
	      "[profile short]\nversion = 3\nuser = u\nauth = MD5\n"
	      "auth_pass = short\npriv = AES-192\npriv_pass = 1234567\n"
	      "[profile privonly]\nversion = 3\nuser = u\npriv = AES\n"
	      "priv_pass = 12345678\n",                /* 23..27 */
	      "c.conf:3: missing key 'version' in [profile p]",
	      "c.conf:5: missing key 'community' in [profile v2] (required "
	      "for version 2c)",
	      "c.conf:7: missing key 'community' in [profile v1] (required "
	      "for version 1)",
	      "c.conf:9: missing key 'user' in [profile nouser] (required "
	      "for version 3)",
	      "c.conf:11: missing key 'auth_pass' in [profile nopass] "
	      "(required when auth is SHA-512)",
	      "c.conf:11: missing key 'priv_pass' in [profile nopass] "
	      "(required when priv is DES)",
	      "c.conf:20: key 'auth_pass' in [profile short]: too short (RFC "
	      "3414 requires at least 8 characters)",
	      "c.conf:22: key 'priv_pass' in [profile short]: too short (RFC "
	      "3414 requires at least 8 characters)",
	      "c.conf:26: key 'priv' in [profile privonly]: privacy needs "
	      "auth (there is no noAuthPriv level)");
}

Test(config, indicator_errors)
{
	FAILS("[general]\ninventory = inv.csv\n"
	      "[profile p]\nversion = 2c\ncommunity = x\n"
	      "[indicator new_one]\n"          /* 6 */
	      "name = 新指标\n"
	      "scope = role:router\n"          /* 8 */
	      "[indicator fault_response]\n"   /* 9 */
	      "comparator = =>\n"
	      "target = all\n"
	      "scope = everything\n"
	      "colour = red\n"
	      "metric = uptime_pct\n",          /* 14 */
	      "c.conf:8: key 'scope' in [indicator new_one]: 'role:router' "
	      "names an unknown role",
	      "c.conf:6: missing key 'metric' in [indicator new_one]",
	      "c.conf:6: missing key 'comparator' in [indicator new_one]",
	      "c.conf:6: missing key 'target' in [indicator new_one]",
	      "c.conf:10: key 'comparator' in [indicator fault_response]: "
	      "'=>' is not one of >=, >, =, <=, <",
	      "c.conf:11: key 'target' in [indicator fault_response]: 'all' "
	      "is not a number",
	      "c.conf:12: key 'scope' in [indicator fault_response]: "
	      "'everything' is not all, role:NAME, tag:NAME, group:NAME, "
	      "service:NAME or device:NAME",
	      "c.conf:13: unknown key 'colour' in [indicator fault_response]",
	      "c.conf:14: key 'metric' in [indicator fault_response]: "
	      "'uptime_pct' is not one of capacity_min, capacity_sum, "
	      "util_avg, util_max, util_p95, online_count, time_share_up, "
	      "service_availability, fault_ack_ratio, satisfaction_ratio, "
	      "report_count, completeness");
}

/* [report]: the bureau, title and sign block as given, a logo relative
 * to the configuration's folder; a logo that cannot be read is an error
 * at its line. */
Test(config, report_section)
{
	const struct report_cfg *r;

	put("logo.png", "\x89PNG\r\n");
	cr_assert_eq(load("[general]\ninventory = inv.csv\n"
			  "[profile p]\nversion = 2c\ncommunity = x\n"
			  "[report]\nbureau = 某某区大数据中心\n"
			  "prepared_by = 张三\napproved_by = 王五\n"
			  "logo = logo.png\nreaders = robot, mail\n"),
		     0);
	r = report_config(cfg);
	cr_assert_str_eq(r->bureau, "某某区大数据中心");
	cr_assert_str_eq(r->prepared_by, "张三");
	cr_assert_str_eq(r->reviewed_by, "");
	cr_assert_str_eq(r->approved_by, "王五");
	cr_assert_str_eq(r->title, "");
	cr_assert_str_eq(r->logo, path("logo.png"));
	cr_assert_str_eq(r->readers, "robot, mail");
	config_destroy(cfg);
	cfg = NULL;
	cr_assert_eq(load("[general]\ninventory = inv.csv\n"
			  "[profile p]\nversion = 2c\ncommunity = x\n"
			  "[report]\nlogo = nope.png\n"),
		     -EINVAL);
	cr_assert_eq(d.n, 1);
	{
		char want[1024];

		snprintf(want, sizeof(want),
			 "%s/c.conf:7: key 'logo' in [report]: cannot read "
			 "%s/nope.png", dir, dir);
		cr_assert_str_eq(d.msgs[0], want);
	}
}

Test(config, errors_in_config_and_inventory_all_reported)
{
	put("inv.csv", "unit,name,address,role,profile\n"
		       "u,r1,10.0.0.1,access,p\n"
		       "u,r2,10.0.0.1,access,nope\n");
	put("c.conf", "[general]\n"
		      "inventory = inv.csv\n"
		      "timeout_ms = 1\n"
		      "[profile p]\nversion = 2c\ncommunity = x\n"
		      "max_varbinds = 0\n");
	cr_assert_eq(config_load(path("c.conf"), &cfg, &d), -EINVAL);
	cr_assert_null(cfg);
	expect((const char *const[]){
		"c.conf:3: key 'timeout_ms' in [general]: '1' is out of range "
		"10..60000",
		"c.conf:7: key 'max_varbinds' in [profile p]: '0' is out of "
		"range 1..500",
		"inv.csv:3: unknown profile 'nope'",
		"inv.csv:3: duplicate address '10.0.0.1' port 161 (first at "
		"line 2, device 'r1')",
		NULL });
}

Test(config, missing_inventory_file)
{
	put("c.conf", "[general]\ninventory = missing.csv\n" "[profile p]\n"
		      "version = 2c\ncommunity = x\n");
	cr_assert_eq(config_load(path("c.conf"), &cfg, &d), -EINVAL);
	expect((const char *const[]){ "missing.csv: cannot open: No such file "
				      "or directory",
				      NULL });
}

Test(config, roles)
{
	cr_assert_str_eq(role_name(ROLE_AGGREGATION), "aggregation");
	cr_assert_null(role_name(ROLE_COUNT));
	cr_assert_eq(role_parse("Backbone"), ROLE_BACKBONE);
	cr_assert_eq(role_parse("汇聚"), ROLE_AGGREGATION);
	cr_assert_eq(role_parse("router"), -1);
	for (int r = 0; r < ROLE_COUNT; r++)
		cr_assert_eq(role_parse(role_name(r)), r);
}

/* ---- binary input (issue 16, fault 5) ------------------------------- */

/* Length of the valid UTF-8 sequence at p that is neither a C0 nor a C1
 * control nor DEL, or 0. */
static size_t printable_at(const unsigned char *p)
{
	size_t n;
	unsigned int cp;

	if (p[0] >= 0x20 && p[0] < 0x7f)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < 0xa0 || (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff ||
	    (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return 0;
	return n;
}

/* Every message is printable UTF-8, one bounded line. */
static void messages_clean(void)
{
	cr_assert_gt(d.n, 0);
	cr_assert_leq(d.n, 101, "%zu messages", d.n);
	for (size_t i = 0; i < d.n; i++) {
		const unsigned char *p = (const unsigned char *)d.msgs[i];

		cr_assert_lt(strlen(d.msgs[i]), DIAG_MSG_MAX);
		for (size_t k = 0; p[k] != '\0';) {
			size_t n = printable_at(p + k);

			cr_assert_neq(n, 0, "message %zu, byte %zu: %s", i, k,
				      d.msgs[i]);
			k += n;
		}
	}
}

/* Raw bytes of a binary file never reach the terminal: control bytes and
 * invalid UTF-8 are shown as \xNN, long values are cut with "...". */
Test(config, binary_bytes_are_escaped)
{
	static const char bin[] =
		"\x7f" "ELF\x02\x01\x01\n"
		"k\xc3\x28\x01=1\n"
		"[\xff\xfe\x1b[2J]\n"
		"[general]\n"
		"inventory = inv.csv\n"
		"retries = \xe2\x82\x1b]0;pwned\x07\n"
		"mixed\xc2\x9b\xe4\xb8\xad=1\n"
		"[profile p]\nversion = 2c\ncommunity = public\n";
	char key[150]; /* inih takes lines up to 197 bytes */

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	fails(bin,
	      (const char *const[]){
		      "c.conf:1: syntax error: expected 'key = value'",
		      "c.conf:2: key 'k\\xc3(\\x01' outside of any section",
		      "c.conf:3: unknown section [\\xff\\xfe\\x1b[2J]",
		      "c.conf:6: key 'retries' in [general]: "
		      "'\\xe2\\x82\\x1b]0;pwned\\x07' is not a number",
		      "c.conf:7: unknown key 'mixed\\xc2\\x9b中' in [general]",
		      NULL });
	config_destroy(cfg);
	cfg = NULL;
	diag_destroy(&d);
	/* a value longer than a message is cut, the message stays whole */
	{
		char text[512];

		snprintf(text, sizeof(text),
			 "[general]\ninventory = inv.csv\n%s = 1\n"
			 "[profile p]\nversion = 2c\ncommunity = public\n",
			 key);
		cr_assert_eq(load(text), -EINVAL);
		cr_assert_eq(d.n, 1);
		cr_assert(strstr(d.msgs[0], "...' in [general]") != NULL, "%s",
			  d.msgs[0]);
		cr_assert_lt(strlen(d.msgs[0]), 200, "%s", d.msgs[0]);
	}
}

/* `slamon check-config` on /bin/ls as the configuration, and as the
 * inventory: printable, bounded messages, and not thousands of them. */
Test(config, binary_file_as_config_or_inventory)
{
	cr_assert_eq(config_load("/bin/ls", &cfg, &d), -EINVAL);
	messages_clean();
	diag_destroy(&d);
	memset(&d, 0, sizeof(d));
	put("c.conf", "[general]\ninventory = /bin/ls\nstorage_dir = data\n"
		      "[profile p]\nversion = 2c\ncommunity = public\n");
	cr_assert_eq(config_load(path("c.conf"), &cfg, &d), -EINVAL);
	messages_clean();
}

/* ---- [icmp] (issue 13): the sweep of cameras and IoT terminals ------- */

Test(config, icmp_defaults_values_and_errors)
{
	const struct icmp_cfg *ic;

	cr_assert_eq(load("[general]\ninventory = inv.csv\n"
			  "[profile p]\nversion = 2c\ncommunity = public\n"),
		     0);
	ic = icmp_config(cfg);
	cr_assert_not_null(ic);
	cr_assert_eq(ic->count, 3);
	cr_assert_eq(ic->spacing_ms, 500);
	cr_assert_eq(ic->timeout_ms, 1000);
	cr_assert_eq(ic->rate_pps, 10000);
	cr_assert_eq(ic->min_replies, 1);
	config_destroy(cfg);
	cfg = NULL;
	cr_assert_eq(load("[general]\ninventory = inv.csv\n"
			  "[profile p]\nversion = 2c\ncommunity = public\n"
			  "[icmp]\ncount = 5\nspacing_ms = 20\n"
			  "timeout_ms = 300\nrate_pps = 50000\n"
			  "min_replies = 2\n"),
		     0);
	ic = icmp_config(cfg);
	cr_assert_eq(ic->count, 5);
	cr_assert_eq(ic->spacing_ms, 20);
	cr_assert_eq(ic->timeout_ms, 300);
	cr_assert_eq(ic->rate_pps, 50000);
	cr_assert_eq(ic->min_replies, 2);
	config_destroy(cfg);
	cfg = NULL;
	FAILS("[general]\ninventory = inv.csv\n"
	      "[profile p]\nversion = 2c\ncommunity = public\n"
	      "[icmp]\n"
	      "count = 3\n"
	      "min_replies = 4\n"
	      "rate_pps = 0\n"
	      "timeout_ms = 5\n"
	      "colour = red\n",
	      "c.conf:9: key 'rate_pps' in [icmp]: '0' is out of range "
	      "1..1000000",
	      "c.conf:10: key 'timeout_ms' in [icmp]: '5' is out of range "
	      "10..10000",
	      "c.conf:11: unknown key 'colour' in [icmp]",
	      "c.conf:8: key 'min_replies' in [icmp]: 4 is more than count "
	      "(3)");
}

Test(config, icmp_poll_longer_than_the_interval)
{
	put("inv.csv", "unit,name,address,role,probe\n"
		       "u,cam-1,10.9.0.1,camera,icmp\n"
		       "u,cam-2,10.9.0.2,camera,icmp\n"
		       "u,sw-1,10.0.0.1,access,icmp\n");
	put("c.conf", "[general]\ninventory = inv.csv\ninterval = 60\n"
		      "[intervals]\ncamera = 5\n"
		      "[icmp]\ncount = 5\nspacing_ms = 1000\n"
		      "timeout_ms = 1000\n");
	cr_assert_eq(config_load(path("c.conf"), &cfg, &d), -EINVAL);
	expect((const char *const[]){
		"c.conf:6: [icmp]: a poll takes up to 5000 ms ((count - 1) x "
		"spacing_ms + timeout_ms), not less than the 5 s interval of "
		"role camera (device 'cam-1')",
		NULL });
}

Test(config, icmp_rate_below_what_the_devices_need)
{
	put("inv.csv", "unit,name,address,role,probe\n"
		       "u,cam-1,10.9.0.1,camera,icmp\n"
		       "u,cam-2,10.9.0.2,camera,icmp\n"
		       "u,iot-1,10.8.0.1,iot,icmp\n");
	put("c.conf", "[general]\ninventory = inv.csv\ninterval = 10\n"
		      "[icmp]\ncount = 4\nrate_pps = 1\n");
	cr_assert_eq(config_load(path("c.conf"), &cfg, &d), -EINVAL);
	expect((const char *const[]){
		"c.conf:4: [icmp]: rate_pps 1 is below the 2 echo requests a "
		"second that the 3 ICMP devices need (count / interval of "
		"each)",
		NULL });
}
