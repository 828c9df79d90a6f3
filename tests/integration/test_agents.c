/*
 * Proves the test-agent helpers (tests/helpers/agents.c) and the demo network
 * (scripts/gen-demo-network.py, scripts/snmpsim-run.sh): real snmpsimd and
 * snmpd on 127.0.0.1 answer the way later integration tests rely on.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "slamond_run.h"

#define OUT_MAX 8192
#define HC_IN "1.3.6.1.2.1.31.1.1.1.6"
#define SYSNAME "1.3.6.1.2.1.1.5.0"

static struct agent agent;
static char tmp[4096];      /* demo: generator output */
static char state[4200];    /* demo: snmpsim-run.sh state dir */
static char out[OUT_MAX];

static void setup(void)
{
	memset(&agent, 0, sizeof(agent));
	tmp[0] = state[0] = '\0';
}

static void teardown(void)
{
	agent_stop(&agent);
	if (state[0] != '\0') {
		char *argv[] = {SLAMON_SOURCE_DIR "/scripts/snmpsim-run.sh",
				"stop", state, NULL};
		run_cmd(argv, out, sizeof(out), 30);
	}
	if (tmp[0] != '\0')
		tmpdir_remove(tmp);
}

TestSuite(agents, .init = setup, .fini = teardown, .timeout = 300);

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* snmpget -v2c with numeric OIDs (Debian's tools load no MIBs). */
static int get_v2c(const char *community, int port, const char *oid,
		   int timeout_s, const char *fmt)
{
	char target[64], t[16];
	char *argv[] = {"snmpget", "-v2c", "-c", (char *)(uintptr_t)community,
			"-t", t, "-r", "0", (char *)(uintptr_t)fmt, target,
			(char *)(uintptr_t)oid, NULL};

	snprintf(target, sizeof(target), "127.0.0.1:%d", port);
	snprintf(t, sizeof(t), "%d", timeout_s);
	return run_cmd(argv, out, sizeof(out), timeout_s + 10);
}

Test(agents, snmpsim_serves_recorded_walks_by_file_name)
{
	int port = agent_free_udp_port();

	cr_assert_gt(port, 0);
	cr_assert_eq(agent_snmpsim_start(&agent, SLAMON_TESTDATA "/snmprec",
					 port, "bison"),
		     0, "snmpsimd did not start, see %s", agent.log);
	cr_assert_eq(get_v2c("bison", port, "1.3.6.1.2.1.1.1.0", 2, "-Ov"), 0,
		     "%s", out);
	cr_assert(strstr(out, "STRING") != NULL, "%s", out);
	/* another file, another community, same agent */
	cr_assert_eq(get_v2c("vrp_5720", port, "1.3.6.1.2.1.1.2.0", 2, "-Ov"),
		     0, "%s", out);
	cr_assert(strstr(out, "2011.2.23.291") != NULL, "%s", out);
	/* unknown community: no answer at all */
	cr_assert_neq(get_v2c("nosuchfile", port, SYSNAME, 1, "-Ov"), 0);
	cr_assert(strstr(out, "Timeout") != NULL, "%s", out);
}

Test(agents, snmpd_answers_v2c_and_v3_authpriv_only_with_right_secrets)
{
	int port = agent_free_udp_port();
	char target[64];
	char *v3[] = {"snmpget", "-v3", "-l", "authPriv", "-u", "slamon",
		      "-a", "SHA", "-A", "auth-pass-1", "-x", "AES", "-X",
		      "priv-pass-1", "-t", "2", "-r", "0", "-Ov", target,
		      "1.3.6.1.2.1.1.1.0", NULL};

	cr_assert_gt(port, 0);
	cr_assert_eq(agent_snmpd_start(&agent, port, "slamon-ro", "slamon",
				       "auth-pass-1", "priv-pass-1"),
		     0, "snmpd did not start, see %s", agent.log);
	cr_assert_eq(get_v2c("slamon-ro", port, "1.3.6.1.2.1.1.3.0", 2, "-Ov"),
		     0, "%s", out);
	cr_assert(strstr(out, "Timeticks") != NULL, "%s", out);

	snprintf(target, sizeof(target), "127.0.0.1:%d", port);
	cr_assert_eq(run_cmd(v3, out, sizeof(out), 20), 0, "%s", out);
	cr_assert(strstr(out, "STRING") != NULL, "%s", out);

	v3[13] = "wrong-priv-pass"; /* -X */
	v3[9] = "wrong-auth-pass";  /* -A */
	cr_assert_neq(run_cmd(v3, out, sizeof(out), 20), 0, "%s", out);

	cr_assert_neq(get_v2c("wrong-community", port, SYSNAME, 1, "-Ov"), 0,
		      "%s", out);
	cr_assert(strstr(out, "Timeout") != NULL, "%s", out);
}

Test(agents, run_cmd_times_out_and_reports_status)
{
	char *sleeper[] = {"sleep", "30", NULL};
	char *fail[] = {"sh", "-c", "echo hello; echo oops >&2; exit 3", NULL};
	char *missing[] = {"/nonexistent/slamon-cmd", NULL};
	double t0 = now_s();

	cr_assert_eq(run_cmd(sleeper, out, sizeof(out), 1), -ETIMEDOUT);
	cr_assert_lt(now_s() - t0, 5.0);
	cr_assert_eq(run_cmd(fail, out, sizeof(out), 10), 3);
	cr_assert(strstr(out, "hello") && strstr(out, "oops"), "%s", out);
	cr_assert_eq(run_cmd(fail, out, 4, 10), 3);
	cr_assert_str_eq(out, "hel");
	cr_assert_eq(run_cmd(missing, out, sizeof(out), 10), 127);
}

/* A base port with n consecutive free UDP ports on 127.0.0.1, reserved
 * against the suites running beside this one (slamond_run.h). */
static int free_port_range(int n)
{
	return free_udp_port_range(n);
}

/* Counter value of oid and the moment it was read (midpoint of the GET). */
static unsigned long long read_counter(int port, const char *oid, double *t)
{
	double t0 = now_s();

	cr_assert_eq(get_v2c("public", port, oid, 2, "-Oqv"), 0, "%s", out);
	*t = (t0 + now_s()) / 2;
	return strtoull(out, NULL, 10);
}

/* Configured in_Bps of dev/ifname in expected.json. */
static double expected_in_rate(json_t *exp, const char *dev,
			       const char *ifname)
{
	json_t *v = json_object_get(json_object_get(json_object_get(exp, dev),
						    ifname),
				    "in_Bps");

	cr_assert(json_is_number(v), "no in_Bps for %s %s", dev, ifname);
	return json_number_value(v);
}

static void check_rate(json_t *exp, int port, const char *dev,
		       const char *ifname, int ifindex)
{
	char oid[64];
	double t1, t2, rate, want = expected_in_rate(exp, dev, ifname);
	unsigned long long c1, c2;

	snprintf(oid, sizeof(oid), "%s.%d", HC_IN, ifindex);
	c1 = read_counter(port, oid, &t1);
	sleep(5);
	c2 = read_counter(port, oid, &t2);
	cr_assert_gt(c2, c1);
	rate = (double)(c2 - c1) / (t2 - t1);
	cr_log_info("%s %s: measured %.0f B/s, configured %.0f B/s", dev,
		    ifname, rate, want);
	cr_assert_lt(rate > want ? rate - want : want - rate, want * 0.01,
		     "%s %s: measured %.0f B/s, configured %.0f B/s", dev,
		     ifname, rate, want);
}

Test(agents, demo_network_is_served_by_one_snmpsimd)
{
	char *script = SLAMON_SOURCE_DIR "/scripts/snmpsim-run.sh";
	char base_s[16], data[4200], ports[4200], path[4200];
	/* 40 APs, 2 down: 2 backbone + 2 exit + core + 2 aggregation + 38
	 * served APs = 45 endpoints, then 2 ports nobody opens */
	int base, served = 45;
	json_t *exp;
	json_error_t jerr;

	srand((unsigned)getpid());
	base = free_port_range(served + 2);
	cr_assert_gt(base, 0);
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-demo-"), 0);
	snprintf(base_s, sizeof(base_s), "%d", base);
	{
		char *gen[] = {SLAMON_SOURCE_DIR "/scripts/gen-demo-network.py",
			       "--out", tmp, "--aps", "40", "--down", "2",
			       "--base-port", base_s, NULL};
		cr_assert_eq(run_cmd(gen, out, sizeof(out), 60), 0, "%s", out);
	}
	snprintf(data, sizeof(data), "%s/data", tmp);
	snprintf(ports, sizeof(ports), "%s/ports.txt", tmp);
	snprintf(state, sizeof(state), "%s/state", tmp);
	{
		char *start[] = {script, "start", data, ports, state, NULL};
		cr_assert_eq(run_cmd(start, out, sizeof(out), 180), 0, "%s",
			     out);
	}

	/* first and last served endpoint pick their own data file */
	cr_assert_eq(get_v2c("public", base, SYSNAME, 2, "-Oqv"), 0, "%s", out);
	cr_assert(strstr(out, "bb-rtr-1") != NULL, "%s", out);
	cr_assert_eq(get_v2c("public", base + served - 1, SYSNAME, 2, "-Oqv"),
		     0, "%s", out);
	cr_assert(strstr(out, "ap-038") != NULL, "%s", out);

	snprintf(path, sizeof(path), "%s/expected.json", tmp);
	exp = json_load_file(path, 0, &jerr);
	cr_assert_not_null(exp, "%s: %s", path, jerr.text);
	check_rate(exp, base, "bb-rtr-1", "XGigabitEthernet1/0/1", 2);
	check_rate(exp, base + served - 1, "ap-038", "GigabitEthernet0/0/0", 1);
	json_decref(exp);

	/* a down access point is listed but never answers */
	cr_assert_neq(get_v2c("public", base + served, SYSNAME, 1, "-Oqv"), 0);
	cr_assert(strstr(out, "Timeout") != NULL, "%s", out);
	snprintf(path, sizeof(path), "%s/inventory.csv", tmp);
	{
		char needle[64];
		char *grep[] = {"grep", "-F", needle, path, NULL};

		snprintf(needle, sizeof(needle), ",ap-040,127.0.0.1:%d,",
			 base + served + 1);
		cr_assert_eq(run_cmd(grep, out, sizeof(out), 10), 0,
			     "inventory lacks %s", needle);
	}
}
