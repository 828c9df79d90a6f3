/*
 * test_simulate.c - `slamon-simulate-history` on a small demo network
 * (scripts/gen-demo-network.py --aps 20 --down 2: 2 backbone and 2 exit
 * routers, a core switch, one aggregation switch agg-sw-01 with ap-001 ..
 * ap-020 behind it, ap-019 and ap-020 tagged unreachable). February 2025
 * (28 days, Asia/Shanghai) is simulated, then `slamon sla --month --json`
 * must give every indicator a value, unit connectivity and equipment
 * availability equal to the values computed here from the scripted
 * outages (docs/demo-network.md, "Simulated history") to 0.01 point, and
 * `slamon faults --month --json` must list the three scripted faults. A
 * second run over the same month is refused without writing; the next
 * month appends to the same files.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agents.h"
#include "slamond_run.h"

#define OUT_MAX (256 * 1024)
#define H 3600.0
#define T (28 * 86400.0) /* February 2025 */

static char dir[4096], conf[4200];
static char out[OUT_MAX];

/* Runs slamon with up to four arguments (NULL ends them) and -c conf;
 * "simulate-history" runs the demo tool slamon-simulate-history. */
static int slamon(const char *a1, const char *a2, const char *a3,
		  const char *a4)
{
	static char bin[] = SLAMON_PROGRAM, copt[] = "-c";
	static char sim[] = SIMULATE_PROGRAM;
	const char *args[] = { a1, a2, a3, a4 };
	char buf[4][64], *argv[8] = { bin };
	int n = 1, i = 0;

	if (a1 != NULL && strcmp(a1, "simulate-history") == 0) {
		argv[0] = sim;
		i = 1;
	}
	for (; i < 4 && args[i] != NULL; i++) {
		snprintf(buf[i], sizeof(buf[i]), "%s", args[i]);
		argv[n++] = buf[i];
	}
	argv[n++] = copt;
	argv[n++] = conf;
	argv[n] = NULL;
	return run_cmd(argv, out, sizeof(out), 300);
}

static void setup(void)
{
	char net[4200], text[16384];
	char *gen[] = { "python3",
			SLAMON_SOURCE_DIR "/scripts/gen-demo-network.py",
			"--out",
			net,
			"--aps",
			"20",
			"--down",
			"2",
			"--base-port",
			"40161",
			NULL };
	int rc;

	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-sim"), 0);
	snprintf(net, sizeof(net), "%s/net", dir);
	rc = run_cmd(gen, out, sizeof(out), 60);
	cr_assert_eq(rc, 0, "gen-demo-network: %d\n%s", rc, out);
	snprintf(conf, sizeof(conf), "%s/slamon.conf", dir);
	snprintf(text, sizeof(text),
		 "[general]\n"
		 "inventory = %s/net/inventory.csv\n"
		 "storage_dir = %s/rrd\n"
		 "timezone = Asia/Shanghai\n"
		 "[profile demo]\n"
		 "version = 2c\n"
		 "community = public\n",
		 dir, dir);
	cr_assert_eq(write_file(conf, text), 0);
}

static void teardown(void)
{
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(dir);
}

TestSuite(simulate, .init = setup, .fini = teardown, .timeout = 600);

/* The JSON document in out (stderr may precede it). */
static json_t *out_json(void)
{
	char *p = out;
	json_error_t e;
	json_t *j;

	while (*p != '\0' && *p != '{' && *p != '[')
		p++;
	j = json_loadb(p, strlen(p), JSON_DISABLE_EOF_CHECK, &e);
	cr_assert_not_null(j, "not JSON (%s): %s", e.text, out);
	return j;
}

static double indicator(json_t *sla, const char *id)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(sla, "indicators"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "id")), id) ==
		    0) {
			json_t *val = json_object_get(v, "value");

			return json_is_number(val) ? json_number_value(val)
						   : NAN;
		}
	cr_assert_fail("no indicator %s", id);
	return NAN;
}

Test(simulate, month_has_values_and_faults)
{
	json_t *sla, *faults, *f;
	char label[4300];
	struct stat st;
	size_t i;
	int rc, in_time = 0, late = 0, children = 0;

	rc = slamon("simulate-history", "--month", "2025-02", NULL);
	cr_assert_eq(rc, 0, "simulate-history: %d\n%s", rc, out);
	cr_assert(strstr(out, "agg-sw-01 down 40 min") != NULL, "%s", out);

	rc = slamon("sla", "--month", "2025-02", "--json");
	cr_assert(rc == 0 || rc == 1, "sla: %d\n%s", rc, out);
	sla = out_json();
	json_array_foreach(json_object_get(sla, "indicators"), i, f) {
		const char *id = json_string_value(json_object_get(f, "id"));

		/* the demo network has no device tagged miniprogram */
		if (strcmp(id, "miniprogram_availability") == 0)
			continue;
		cr_expect(json_is_number(json_object_get(f, "value")),
			  "%s has no value: %s", id,
			  json_string_value(json_object_get(f, "evidence")));
	}

	/* 20 access points, ap-019/020 down all month; all 20 behind
	 * agg-sw-01: 2 h maintenance (excluded), 40 min parent outage, 30 min
	 * without data; one access point down 3 h, another 25 min. */
	double up = 18 * (T - 2 * H - 0.5 * H - 40 * 60.0) - 3 * H - 25 * 60.0;
	double conn = up / (20 * T - 20 * 2 * H) * 100;
	cr_expect(fabs(indicator(sla, "unit_connectivity") - conn) < 0.01,
		  "unit connectivity %.4f, expected %.4f",
		  indicator(sla, "unit_connectivity"), conn);
	/* all 26 devices: 5 outside agg-sw-01's group only miss the 30 min;
	 * agg-sw-01 as its access points */
	double eq_up = 5 * (T - 0.5 * H) +
		       19 * (T - 2 * H - 0.5 * H - 40 * 60.0) - 3 * H -
		       25 * 60.0;
	double equip = eq_up / (26 * T - 21 * 2 * H) * 100;
	cr_expect(fabs(indicator(sla, "equipment_availability") - equip) <
			  0.01,
		  "equipment availability %.4f, expected %.4f",
		  indicator(sla, "equipment_availability"), equip);
	cr_expect(fabs(indicator(sla, "data_completeness") -
		       (1 - 6 / (T / 300)) * 100) < 0.01,
		  "completeness %.4f", indicator(sla, "data_completeness"));
	cr_expect(fabs(indicator(sla, "fault_response") - 200.0 / 3) < 0.01,
		  "fault response %.4f", indicator(sla, "fault_response"));
	cr_expect(fabs(indicator(sla, "fault_satisfaction") - 100) < 0.01);
	cr_expect_eq(indicator(sla, "access_points"), 18);
	json_decref(sla);

	rc = slamon("faults", "--month", "2025-02", "--json");
	cr_assert_eq(rc, 0, "faults: %d\n%s", rc, out);
	faults = out_json();
	cr_assert_eq(json_array_size(faults), 3, "%s", out);
	json_array_foreach(faults, i, f) {
		cr_expect(strstr(json_string_value(json_object_get(f,
								   "detail")),
				 "simulated") != NULL);
		cr_expect(json_is_number(json_object_get(f, "closed_t")));
		cr_expect(json_is_number(json_object_get(f, "resolved_t")));
		if (json_is_true(json_object_get(f, "acked_in_time")))
			in_time++;
		else
			late++;
		children += (int)json_integer_value(
			json_object_get(f, "unreachable_children"));
	}
	cr_expect_eq(in_time, 2);
	cr_expect_eq(late, 1);
	cr_expect_eq(children, 20);
	json_decref(faults);

	/* labelled */
	snprintf(label, sizeof(label), "%s/rrd/SIMULATED", dir);
	cr_assert_eq(stat(label, &st), 0, "no %s", label);
	/* and the report says so: its numbers are not measurements */
	{
		char rep[4300], html[4400], bin[] = SLAMON_PROGRAM;
		char *argv[] = { bin, "report", "--month", "2025-02", "--out",
				 rep, "--format", "html,json", "--no-graphs",
				 "-c", conf, NULL };
		char *text;

		snprintf(rep, sizeof(rep), "%s/report", dir);
		cr_assert_eq(run_cmd(argv, out, sizeof(out), 300), 0, "%s",
			     out);
		snprintf(html, sizeof(html), "%s/slamon-2025-02.html", rep);
		text = file_slurp(html);
		cr_assert_not_null(text, "no %s", html);
		cr_expect(strstr(text, "模拟历史数据") != NULL &&
				  strstr(text, "2025-02 的数据由") != NULL,
			  "no simulated-history note in %s", html);
		free(text);
	}

	/* the same month again: refused, nothing written */
	rc = slamon("simulate-history", "--month", "2025-02", NULL);
	cr_expect_eq(rc, 1, "second run: %d\n%s", rc, out);
	cr_expect(strstr(out, "refusing") != NULL, "%s", out);
	/* an earlier month too: its rows would come before the files' last */
	rc = slamon("simulate-history", "--month", "2025-01", NULL);
	cr_expect_eq(rc, 1, "earlier month: %d\n%s", rc, out);

	/* the next month appends to the same files */
	rc = slamon("simulate-history", "--month", "2025-03", NULL);
	cr_expect_eq(rc, 0, "next month: %d\n%s", rc, out);
	rc = slamon("sla", "--month", "2025-03", "--json");
	sla = out_json();
	cr_expect(fabs(indicator(sla, "data_completeness") -
		       (1 - 6 / (31 * 86400.0 / 300)) * 100) < 0.01,
		  "March completeness %.4f",
		  indicator(sla, "data_completeness"));
	json_decref(sla);
	/* February is unchanged */
	rc = slamon("sla", "--month", "2025-02", "--json");
	sla = out_json();
	cr_expect(fabs(indicator(sla, "unit_connectivity") - conn) < 0.01);
	json_decref(sla);
}

Test(simulate, refuses_current_month_and_bad_usage)
{
	int rc;

	rc = slamon("simulate-history", "--month", "2999-01", NULL);
	cr_expect_eq(rc, 1, "%s", out);
	cr_expect(strstr(out, "has not ended") != NULL, "%s", out);
	rc = slamon("simulate-history", "--month", "2025-13", NULL);
	cr_expect_eq(rc, 2, "%s", out);
	rc = slamon("simulate-history", NULL, NULL, NULL);
	cr_expect_eq(rc, 2, "%s", out);
}
