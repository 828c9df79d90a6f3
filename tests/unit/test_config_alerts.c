/*
 * test_config_alerts.c - the alerts sections of the main configuration
 * ([alerts], [notifier NAME], [maintenance NAME], [rule NAME]): values,
 * defaults, and the exact "file:line: message" of each of their errors.
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

static char dir[4096];
static struct diag d;
static struct config *cfg;

static void setup(void)
{
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-cfgal-"), 0);
	memset(&d, 0, sizeof(d));
	cfg = NULL;
}

static void teardown(void)
{
	config_destroy(cfg);
	diag_destroy(&d);
	tmpdir_remove(dir);
}

TestSuite(config_alerts, .init = setup, .fini = teardown);

#define HEAD                                                                  \
	"[general]\ninventory = inv.csv\nstorage_dir = data\n"                \
	"[profile p]\nversion = 2c\ncommunity = public\n"
/* HEAD is 6 lines: the first line after it is line 7. */

#define INVENTORY                                                             \
	"中心,agg-1,10.0.0.1,aggregation,,p,,,\n"                                \
	"区教育局,ap-1,10.0.0.2,access,agg-1,p,,,edu\n"

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

Test(config_alerts, defaults)
{
	char want[4200];

	cr_assert_eq(load(""), 0);
	snprintf(want, sizeof(want), "%s/data/faults.db", dir);
	cr_assert_str_eq(alerts_config(cfg)->journal, want);
	for (int s = 0; s < SEV_COUNT; s++)
		cr_assert_eq(alerts_config(cfg)->response_min[s], 30);
	cr_assert_eq(alerts_config(cfg)->down_after[ROLE_ACCESS], 2);
	cr_assert_eq(alerts_config(cfg)->up_after[ROLE_ACCESS], 2);
	cr_assert_eq(alerts_config(cfg)->severity[ROLE_BACKBONE], SEV_CRITICAL);
	cr_assert_eq(alerts_config(cfg)->severity[ROLE_ACCESS], SEV_MINOR);
	cr_assert_eq(alerts_config(cfg)->flap_changes, 5);
	cr_assert_eq(alerts_config(cfg)->flap_window_min, 30);
	cr_assert_eq(alerts_config(cfg)->remind_min, 30);
	cr_assert_eq(config_count(cfg, &notifier_section) + config_count(cfg, &maint_section) + config_count(cfg, &rule_section), 0);
	cr_assert(config_scope_match(cfg, 1, "group:agg-1"));
	cr_assert(config_scope_match(cfg, 1, "tag:edu"));
	cr_assert(!config_scope_match(cfg, 0, "tag:edu"));
	cr_assert(config_scope_match(cfg, 0, "role:aggregation"));
}

Test(config_alerts, full_file)
{
	const struct notifier_cfg *n;
	const struct maint_cfg *m;
	const struct rule_cfg *r;

	cr_assert_eq(load("[alerts]\njournal = /tmp/x.db\n"
			  "response_critical = 15\ndown_after_access = 3\n"
			  "up_after_access = 4\nseverity_access = major\n"
			  "flap_changes = 6\nflap_window = 20\n"
			  "remind_every = 0\n"
			  "[notifier noc]\ntype = webhook\n"
			  "url = https://qyapi.weixin.qq.com/cgi-bin/webhook/"
			  "send?key=K\ntemplate = 企业微信\ntimeout = 5\n"
			  "retries = 2\nbackoff = 10\nevents = open,remind\n"
			  "min_severity = major\n"
			  "[notifier sms]\ntype = command\n"
			  "command = /usr/local/bin/sms \"NOC duty\" --fault\n"
			  "[notifier log]\ntype = syslog\n"
			  "[maintenance swap]\nscope = group:agg-1\n"
			  "start = 2025-03-01 22:00\nend = 2025-03-02 02:00\n"
			  "[maintenance weekly]\nscope = role:access\n"
			  "days = sat,sun\nat = 23:30\nduration = 120\n"
			  "[rule busy]\ntype = util\nscope = role:backbone\n"
			  "above = 80\nclear_below = 60\nfor = 600\n"
			  "[rule renegotiated]\ntype = speed\n"
			  "scope = role:exit\n"
			  "[rule crc]\ntype = errors\nabove = 10\n"),
		     0);
	cr_assert_eq(d.n, 0);
	cr_assert_str_eq(alerts_config(cfg)->journal, "/tmp/x.db");
	cr_assert_eq(alerts_config(cfg)->response_min[SEV_CRITICAL], 15);
	cr_assert_eq(alerts_config(cfg)->down_after[ROLE_ACCESS], 3);
	cr_assert_eq(alerts_config(cfg)->down_after[ROLE_CORE], 2);
	cr_assert_eq(alerts_config(cfg)->up_after[ROLE_ACCESS], 4);
	cr_assert_eq(alerts_config(cfg)->severity[ROLE_ACCESS], SEV_MAJOR);
	cr_assert_eq(alerts_config(cfg)->remind_min, 0);
	cr_assert_eq(config_count(cfg, &notifier_section), 3);
	n = &alerts_notifiers(cfg, NULL)[0];
	cr_assert_eq(n->type, NOTIFIER_WEBHOOK);
	cr_assert_eq(n->tmpl, TPL_WECOM);
	cr_assert_eq(n->retries, 2);
	cr_assert_eq(n->min_severity, SEV_MAJOR);
	cr_assert_eq(alerts_notifiers(cfg, NULL)[1].timeout_s, 10);
	cr_assert_eq(alerts_notifiers(cfg, NULL)[2].type, NOTIFIER_SYSLOG);
	cr_assert_eq(config_count(cfg, &maint_section), 2);
	m = &alerts_maints(cfg, NULL)[0];
	cr_assert_eq(m->end_t - m->start_t, 4 * 3600);
	m = &alerts_maints(cfg, NULL)[1];
	cr_assert_eq(m->day_mask, (1u << 0) | (1u << 6));
	cr_assert_eq(m->at_min, 23 * 60 + 30);
	cr_assert_eq(config_count(cfg, &rule_section), 3);
	r = &alerts_rules(cfg, NULL)[0];
	cr_assert_eq(r->type, RULE_UTIL);
	cr_assert_eq(r->above, 80);
	cr_assert_eq(r->clear_below, 60);
	cr_assert_eq(r->for_s, 600);
	cr_assert_eq(alerts_rules(cfg, NULL)[1].for_s, 0);
	cr_assert_eq(alerts_rules(cfg, NULL)[2].clear_below, 10);
}

Test(config_alerts, split_argv)
{
	char buf[256], *argv[8];

	cr_assert_eq(config_split_argv("a \"b c\" \"d\\\"e\"", buf, sizeof(buf),
				       argv, 8),
		     3);
	cr_assert_str_eq(argv[1], "b c");
	cr_assert_str_eq(argv[2], "d\"e");
	cr_assert_null(argv[3]);
	cr_assert_eq(config_split_argv("a \"b", buf, sizeof(buf), argv, 8),
		     -1);
}

/* ---- one test per message ------------------------------------------ */

Test(config_alerts, unknown_role_key)
{
	fails("[alerts]\ndown_after_bogus = 3\n",
	      "8: unknown role 'bogus' in key 'down_after_bogus' in [alerts]");
}

Test(config_alerts, duplicate_role_key)
{
	fails("[alerts]\nup_after_access = 3\nup_after_access = 4\n",
	      "9: duplicate key 'up_after_access' in [alerts] (first at line "
	      "8)");
}

Test(config_alerts, bad_value)
{
	fails("[alerts]\nresponse_critical = 0\n",
	      "8: key 'response_critical' in [alerts]: '0' is out of range "
	      "1..10080");
}

Test(config_alerts, bad_severity)
{
	fails("[alerts]\nseverity_access = urgent\n",
	      "8: key 'severity_access' in [alerts]: 'urgent' is not one of "
	      "critical, major, minor, warning");
}

Test(config_alerts, duplicate_alerts_section)
{
	fails("[alerts]\n[alerts]\n",
	      "8: duplicate section [alerts] (first at line 7)");
}

Test(config_alerts, notifier_missing_name)
{
	fails("[notifier]\ntype = syslog\n", "7: missing name in [notifier]");
}

Test(config_alerts, notifier_duplicate)
{
	fails("[notifier a]\ntype = syslog\n[notifier a]\ntype = syslog\n",
	      "9: duplicate section [notifier a] (first at line 7)");
}

Test(config_alerts, notifier_missing_type)
{
	fails("[notifier a]\nurl = http://127.0.0.1/\n",
	      "7: missing key 'type' in [notifier a]");
}

Test(config_alerts, notifier_missing_command)
{
	fails("[notifier a]\ntype = command\n",
	      "7: missing key 'command' in [notifier a] (required for type "
	      "command)");
}

Test(config_alerts, notifier_bad_command)
{
	fails("[notifier a]\ntype = command\ncommand = /bin/x \"open\n",
	      "9: key 'command' in [notifier a]: unbalanced quote or more "
	      "than 31 words");
}

Test(config_alerts, notifier_missing_url)
{
	fails("[notifier a]\ntype = webhook\n",
	      "7: missing key 'url' in [notifier a] (required for type "
	      "webhook)");
}

Test(config_alerts, notifier_bad_url)
{
	fails("[notifier a]\ntype = webhook\nurl = ftp://x/\n",
	      "9: key 'url' in [notifier a]: 'ftp://x/' is not an http:// or "
	      "https:// URL");
}

Test(config_alerts, notifier_bad_template)
{
	fails("[notifier a]\ntype = webhook\nurl = http://x/\n"
	      "template = slack\n",
	      "10: key 'template' in [notifier a]: 'slack' is not one of "
	      "generic, wecom, dingtalk");
}

Test(config_alerts, notifier_bad_event)
{
	fails("[notifier a]\ntype = syslog\nevents = open,close\n",
	      "9: key 'events' in [notifier a]: 'close' is not one of open, "
	      "resolve, remind, report");
}

Test(config_alerts, maint_missing_scope)
{
	fails("[maintenance m]\nstart = 2025-03-01 22:00\n"
	      "end = 2025-03-02 02:00\n",
	      "7: missing key 'scope' in [maintenance m]");
}

Test(config_alerts, maint_bad_scope)
{
	fails("[maintenance m]\nscope = role:nope\n"
	      "start = 2025-03-01 22:00\nend = 2025-03-02 02:00\n",
	      "8: key 'scope' in [maintenance m]: 'role:nope' names an "
	      "unknown role");
}

Test(config_alerts, maint_both_kinds)
{
	fails("[maintenance m]\nscope = all\nstart = 2025-03-01 22:00\n"
	      "days = sat\n",
	      "7: [maintenance m]: give either start/end or days/at/duration, "
	      "not both");
}

Test(config_alerts, maint_missing_end)
{
	fails("[maintenance m]\nscope = all\nstart = 2025-03-01 22:00\n",
	      "7: missing key 'end' in [maintenance m] (a one-off window needs "
	      "start and end)");
}

Test(config_alerts, maint_bad_start)
{
	fails("[maintenance m]\nscope = all\nstart = tonight\n"
	      "end = 2025-03-02 02:00\n",
	      "9: key 'start' in [maintenance m]: 'tonight' is not YYYY-MM-DD "
	      "HH:MM");
}

Test(config_alerts, maint_end_before_start)
{
	fails("[maintenance m]\nscope = all\nstart = 2025-03-02 22:00\n"
	      "end = 2025-03-02 02:00\n",
	      "10: key 'end' in [maintenance m]: not after start");
}

Test(config_alerts, maint_weekly_missing)
{
	fails("[maintenance m]\nscope = all\ndays = sat\nat = 22:00\n",
	      "7: missing key 'duration' in [maintenance m] (a weekly window "
	      "needs days, at and duration)");
}

Test(config_alerts, maint_bad_day)
{
	fails("[maintenance m]\nscope = all\ndays = sat,caturday\n"
	      "at = 22:00\nduration = 60\n",
	      "9: key 'days' in [maintenance m]: 'caturday' is not a day "
	      "(mon..sun)");
}

Test(config_alerts, maint_bad_at)
{
	fails("[maintenance m]\nscope = all\ndays = sat\nat = 25:00\n"
	      "duration = 60\n",
	      "10: key 'at' in [maintenance m]: '25:00' is not HH:MM");
}

Test(config_alerts, rule_missing_type)
{
	fails("[rule r]\nabove = 80\n", "7: missing key 'type' in [rule r]");
}

Test(config_alerts, rule_missing_above)
{
	fails("[rule r]\ntype = util\n",
	      "7: missing key 'above' in [rule r] (required for type util)");
}

Test(config_alerts, rule_above_out_of_range)
{
	fails("[rule r]\ntype = util\nabove = 180\n",
	      "9: key 'above' in [rule r]: 180 is out of range 0..100 "
	      "(percent)");
}

Test(config_alerts, rule_clear_above_threshold)
{
	fails("[rule r]\ntype = util\nabove = 80\nclear_below = 90\n",
	      "10: key 'clear_below' in [rule r]: 90 is above 'above' (80)");
}

Test(config_alerts, rule_unknown_key)
{
	fails("[rule r]\ntype = speed\nbelow = 3\n",
	      "9: unknown key 'below' in [rule r]");
}

/* Secrets never appear in messages: a rejected webhook URL is shown as its
 * scheme and host, not its path, query (a robot's key) or user:password. */
Test(config_alerts, rejected_url_hides_its_key)
{
	fails("[notifier w]\ntype = webhook\nurl = htps://qyapi.weixin.qq.com"
	      "/cgi-bin/webhook/send?key=693a91f6-SECRET\n",
	      "9: key 'url' in [notifier w]: 'htps://qyapi.weixin.qq.com/...' "
	      "is not an http:// or https:// URL");
}

Test(config_alerts, rejected_url_hides_credentials)
{
	fails("[notifier w]\ntype = webhook\n"
	      "url = ftp://ops:hunter2@hooks.example.net:8080/t/SECRET\n",
	      "9: key 'url' in [notifier w]: 'ftp://hooks.example.net:8080/...' "
	      "is not an http:// or https:// URL");
}

Test(config_alerts, url_without_scheme_hides_its_token)
{
	fails("[notifier w]\ntype = webhook\n"
	      "url = oapi.dingtalk.com/robot/send?access_token=SECRET\n",
	      "9: key 'url' in [notifier w]: 'oapi.dingtalk.com/...' "
	      "is not an http:// or https:// URL");
}

/* Nor do the other secret keys: SNMP communities and passphrases, a
 * notifier's command line (it may carry a token), whatever is wrong with
 * them. */
Test(config_alerts, no_message_echoes_a_secret)
{
	char big[400], text[2048];

	memset(big, 'S', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "SECRET", 6);
	snprintf(text, sizeof(text),
		 "[profile v3]\nversion = 3\nuser = u\nauth = sha\n"
		 "auth_pass = SECRET1\npriv = aes\npriv_pass = SECRET2\n"
		 "[profile long]\nversion = 2c\ncommunity = %s\n"
		 "[notifier c]\ntype = command\n"
		 "command = /bin/notify --token SECRET3 \"unbalanced\n"
		 "[notifier l]\ntype = command\ncommand = %s\n",
		 big, big);
	cr_assert_eq(load(text), -EINVAL);
	cr_assert_geq(d.n, 4);
	for (size_t i = 0; i < d.n; i++)
		cr_assert(strstr(d.msgs[i], "SECRET") == NULL, "%s",
			  d.msgs[i]);
}
