/*
 * test_collector.c - slamond against real agents on loopback: net-snmp
 * snmpd (v2c, v3 authPriv SHA+AES, wrong credentials), snmpsim serving every
 * recording of real devices in shared/testdata/snmprec, rate accuracy on the
 * demo network, bad configs, reload and stop.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "slamond_run.h"

static char tmp[4096];

static void setup(void)
{
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-coll-"), 0);
	/* snmpsimd runs as nobody: it must reach its cache folder below */
	cr_assert_eq(chmod(tmp, 0755), 0);
}

static void teardown(void)
{
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(collector, .init = setup, .fini = teardown, .timeout = 600);

static void pathf(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
}

/* slamond -c conf [extra1 extra2], output in <tmp>/slamond.log. */
static pid_t spawn(const char *conf, const char *extra1, const char *extra2)
{
	const char *extra[] = {extra1, extra2, NULL};
	char log[4200];
	pid_t pid;

	pathf(log, sizeof(log), "slamond.log");
	pid = slamond_spawn(conf, log, extra1 ? extra : NULL);
	cr_assert_gt(pid, 0);
	return pid;
}

static int free_port_range(int n)
{
	int base = free_udp_port_range(n);

	cr_assert_gt(base, 0, "no %d free consecutive UDP ports", n);
	return base;
}

static json_t *load_status(const char *storage)
{
	char path[4200];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), "%s/status.json", storage);
	j = json_load_file(path, 0, &err);
	cr_assert_not_null(j, "%s: %s", path, err.text);
	return j;
}

/* The down-list entry of a device, or NULL. */
static json_t *down_entry(json_t *st, const char *device)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(st, "down"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "device")),
			   device) == 0)
			return e;
	return NULL;
}

static void write_conf(const char *conf, const char *body)
{
	cr_assert_eq(write_file(conf, body), 0);
}

/* ---- net-snmp snmpd: v2c, v3 authPriv, wrong credentials ------------ */

Test(collector, v2c_and_v3_poll_and_a_wrong_secret_fails_only_its_device)
{
	struct agent a[5];
	int port[5];
	char conf[4200], inv[4200], storage[4200], text[8192], logp[4200];
	json_t *st, *roles, *core;
	pid_t pid;

	memset(a, 0, sizeof(a));
	/* one agent each (devices sharing an engineID and a user name:
	 * test_snmp_v3_keys.c) */
	for (int i = 0; i < 5; i++) {
		port[i] = agent_free_udp_port();
		cr_assert_gt(port[i], 0);
		cr_assert_eq(agent_snmpd_start(&a[i], port[i], "goodcomm",
					       "slamonv3", "authpass123",
					       "privpass123"),
			     0);
	}
	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(inv, sizeof(inv), "inv.csv");
	pathf(storage, sizeof(storage), "rrd");
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "单位甲,v2ok,127.0.0.1:%d,core,,v2,,,\n"
		 "单位乙,v3ok,127.0.0.1:%d,core,,v3,,,\n"
		 "单位丙,v3bad,127.0.0.1:%d,core,,v3wrong,,,\n"
		 "单位丁,v2bad,127.0.0.1:%d,core,,v2wrong,,,\n"
		 "单位戊,v1ok,127.0.0.1:%d,core,,v1,,,\n",
		 port[0], port[1], port[2], port[3], port[4]);
	cr_assert_eq(write_file(inv, text), 0);
	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = rrd\n"
		 "interval = 5\ntimeout_ms = 500\nretries = 1\n"
		 "[alerts]\nping = no\n"
		 "[profile v2]\nversion = 2c\ncommunity = goodcomm\n"
		 "[profile v2wrong]\nversion = 2c\ncommunity = badcomm\n"
		 "[profile v1]\nversion = 1\ncommunity = goodcomm\n"
		 "[profile v3]\nversion = 3\nuser = slamonv3\nauth = SHA\n"
		 "auth_pass = authpass123\npriv = AES\n"
		 "priv_pass = privpass123\n"
		 "[profile v3wrong]\nversion = 3\nuser = slamonv3\n"
		 "auth = SHA\nauth_pass = wrongpass99\npriv = AES\n"
		 "priv_pass = privpass123\n");
	write_conf(conf, text);

	pid = spawn(conf, "--cycles", "3");
	cr_assert_eq(slamond_wait_exit(pid, 90), 0, "slamond did not stop cleanly");
	for (int i = 0; i < 5; i++)
		agent_stop(&a[i]);

	st = load_status(storage);
	roles = json_object_get(st, "roles");
	core = json_object_get(roles, "core");
	cr_assert_eq(json_integer_value(json_object_get(core, "up")), 3);
	cr_assert_eq(json_integer_value(json_object_get(core, "down")), 2);
	cr_assert_null(down_entry(st, "v2ok"));
	cr_assert_null(down_entry(st, "v3ok"));
	cr_assert_null(down_entry(st, "v1ok"), "SNMPv1 device down");
	cr_assert_not_null(down_entry(st, "v3bad"));
	cr_assert(strstr(json_string_value(json_object_get(
				 down_entry(st, "v3bad"), "error")),
			 "uthentication") != NULL,
		  "v3bad: %s",
		  json_string_value(json_object_get(down_entry(st, "v3bad"),
						    "error")));
	cr_assert(strstr(json_string_value(json_object_get(
				 down_entry(st, "v2bad"), "error")),
			 "no answer") != NULL);
	json_decref(st);

	/* the good devices have interface files, named by interface */
	snprintf(text, sizeof(text), "%s/v2ok/if-lo.v4.rrd", storage);
	cr_assert_eq(access(text, R_OK), 0, "%s missing", text);
	snprintf(text, sizeof(text), "%s/v3ok/device.v4.rrd", storage);
	cr_assert_eq(access(text, R_OK), 0, "%s missing", text);
	snprintf(text, sizeof(text), "%s/v1ok/if-lo.v4.rrd", storage);
	cr_assert_eq(access(text, R_OK), 0, "%s missing", text);

	/* one clear error line for the failing device, not one per poll */
	pathf(logp, sizeof(logp), "slamond.log");
	{
		char *log = file_slurp(logp);
		int n = 0;

		cr_assert_not_null(log);
		for (char *p = log; (p = strstr(p, "v3bad (127.0.0.1")); p++)
			n++;
		cr_assert_eq(n, 1, "v3bad complained %d times:\n%s", n, log);
		free(log);
	}
}

/* ---- snmpsim: every recording of a real device ---------------------- */

struct rec {
	char name[128];
	int port;
};

Test(collector, every_recorded_device_is_polled_without_crash_or_stall)
{
	char dir[] = SLAMON_TESTDATA "/snmprec";
	struct rec *recs = NULL;
	size_t nrec = 0;
	char conf[4200], inv[4200], storage[4200], state[4200], script[4200];
	char out[8192];
	char *text, *log;
	size_t cap = 1 << 20, off = 0;
	DIR *dp = opendir(dir);
	struct dirent *de;
	json_t *st;
	pid_t pid;
	int base;

	cr_assert_not_null(dp, "%s", dir);
	recs = calloc(128, sizeof(*recs));
	while ((de = readdir(dp)) != NULL && nrec < 128) {
		char *dot = strstr(de->d_name, ".snmprec");

		if (dot == NULL || dot[8] != '\0')
			continue;
		snprintf(recs[nrec].name, sizeof(recs[nrec].name), "%.*s",
			 (int)(dot - de->d_name), de->d_name);
		nrec++;
	}
	closedir(dp);
	cr_assert_gt(nrec, 60);

	/* one snmpsimd, one endpoint per recording (every endpoint serves
	 * every community; distinct ports keep device addresses unique).
	 * snmpsim answers a few thousand varbinds a second, one request at a
	 * time: a small in-flight bound and long timeouts keep its queue
	 * short, as an operator would for a slow agent. */
	base = free_port_range((int)nrec);
	text = calloc(1, cap);
	for (size_t i = 0; i < nrec; i++) {
		recs[i].port = base + (int)i;
		off += (size_t)snprintf(text + off, cap - off, "127.0.0.1:%d\n",
					recs[i].port);
	}
	pathf(state, sizeof(state), "sim");
	pathf(script, sizeof(script), "ports.txt");
	cr_assert_eq(write_file(script, text), 0);
	{
		char *argv[] = {"bash", SLAMON_SOURCE_DIR "/scripts/snmpsim-run.sh",
				"start", dir, script, state, NULL};
		int rc = run_cmd(argv, out, sizeof(out), 180);

		cr_assert_eq(rc, 0, "snmpsim-run.sh start: %d\n%s", rc, out);
	}

	off = (size_t)snprintf(text, cap,
			       "[general]\ninventory = inv.csv\n"
			       "storage_dir = rrd\ninterval = 30\n"
			       "timeout_ms = 8000\nretries = 1\n"
			       "max_inflight = 4\npoll_budget_ms = 25000\n"
			       "log_level = info\n");
	for (size_t i = 0; i < nrec; i++)
		off += (size_t)snprintf(text + off, cap - off,
					"[profile %s]\nversion = 2c\n"
					"community = %s\n",
					recs[i].name, recs[i].name);
	pathf(conf, sizeof(conf), "slamon.conf");
	write_conf(conf, text);
	off = (size_t)snprintf(text, cap,
			       "unit,name,address,role,parent,profile,"
			       "interfaces,capacity_mbps,tags\n");
	for (size_t i = 0; i < nrec; i++)
		off += (size_t)snprintf(text + off, cap - off,
					"录制设备,%s,127.0.0.1:%d,backbone,,%s,,,"
					"\n",
					recs[i].name, recs[i].port,
					recs[i].name);
	pathf(inv, sizeof(inv), "inv.csv");
	cr_assert_eq(write_file(inv, text), 0);

	pid = spawn(conf, "--cycles", "2");
	{
		int rc = slamond_wait_exit(pid, 240);
		char *argv[] = {"bash", SLAMON_SOURCE_DIR "/scripts/snmpsim-run.sh",
				"stop", state, NULL};

		run_cmd(argv, out, sizeof(out), 30);
		cr_assert_eq(rc, 0, "slamond exit %d (stall or crash)", rc);
	}

	pathf(storage, sizeof(storage), "rrd");
	st = load_status(storage);
	pathf(script, sizeof(script), "slamond.log");
	log = file_slurp(script);
	cr_assert_not_null(log);
	for (size_t i = 0; i < nrec; i++) {
		char key[200];
		char *p;
		unsigned long found = 0;

		/* every recording answers (noSuchObject for what it lacks) */
		cr_expect_null(down_entry(st, recs[i].name),
			       "%s is down", recs[i].name);
		/* discovery succeeds wherever IF-MIB is present: all of
		 * these recordings have ifTable or ifXTable rows */
		snprintf(key, sizeof(key), "info: %s: discovered ",
			 recs[i].name);
		p = strstr(log, key);
		cr_expect_not_null(p, "%s: no discovery", recs[i].name);
		if (p != NULL)
			found = strtoul(p + strlen(key), NULL, 10);
		cr_expect_gt(found, 0, "%s: discovered no interface",
			     recs[i].name);
	}
	json_decref(st);
	free(log);
	free(text);
	free(recs);
}

/* ---- accuracy on the demo network ----------------------------------- */

Test(collector, rate_of_a_known_counter_is_within_half_a_percent)
{
	char net[4200], conf[4200], state[4200], ports[4400], expect[4400];
	char out[8192], storage[4200];
	json_t *st, *exp, *links, *l;
	json_error_t jerr;
	size_t i, checked = 0;
	pid_t pid;
	int base = free_port_range(8);

	pathf(net, sizeof(net), "net");
	{
		char b[16];
		char *argv[] = {"python3",
				SLAMON_SOURCE_DIR "/scripts/gen-demo-network.py",
				"--out", net, "--aps", "2", "--down", "0",
				"--base-port", b, NULL};

		snprintf(b, sizeof(b), "%d", base);
		cr_assert_eq(run_cmd(argv, out, sizeof(out), 60), 0, "%s", out);
	}
	snprintf(ports, sizeof(ports), "%s/ports.txt", net);
	pathf(state, sizeof(state), "sim");
	{
		char data[4400];
		char *argv[] = {"bash", SLAMON_SOURCE_DIR "/scripts/snmpsim-run.sh",
				"start", data, ports, state, NULL};

		snprintf(data, sizeof(data), "%s/data", net);
		cr_assert_eq(run_cmd(argv, out, sizeof(out), 120), 0, "%s", out);
	}
	pathf(conf, sizeof(conf), "slamon.conf");
	write_conf(conf, "[general]\ninventory = net/inventory.csv\n"
			 "storage_dir = rrd\ninterval = 5\ntimeout_ms = 1000\n"
			 "[alerts]\nping = no\n[profile demo]\nversion = 2c\ncommunity = public\n");
	pid = spawn(conf, "--cycles", "4");
	{
		int rc = slamond_wait_exit(pid, 120);
		char *argv[] = {"bash", SLAMON_SOURCE_DIR "/scripts/snmpsim-run.sh",
				"stop", state, NULL};

		run_cmd(argv, out, sizeof(out), 30);
		cr_assert_eq(rc, 0);
	}
	pathf(storage, sizeof(storage), "rrd");
	st = load_status(storage);
	snprintf(expect, sizeof(expect), "%s/expected.json", net);
	exp = json_load_file(expect, 0, &jerr);
	cr_assert_not_null(exp, "%s", jerr.text);
	links = json_object_get(st, "links");
	json_array_foreach(links, i, l) {
		const char *dev = json_string_value(json_object_get(l, "device"));
		const char *ifn =
			json_string_value(json_object_get(l, "interface"));
		json_t *e = json_object_get(json_object_get(exp, dev), ifn);
		double want_in, want_out, in, out_bps;

		cr_assert_not_null(e, "%s %s not expected", dev, ifn);
		want_in = json_number_value(json_object_get(e, "in_Bps")) * 8;
		want_out = json_number_value(json_object_get(e, "out_Bps")) * 8;
		in = json_number_value(json_object_get(l, "in_bps"));
		out_bps = json_number_value(json_object_get(l, "out_bps"));
		cr_expect(fabs(in - want_in) <= want_in * 0.005,
			  "%s %s in: %.0f vs %.0f", dev, ifn, in, want_in);
		cr_expect(fabs(out_bps - want_out) <= want_out * 0.005,
			  "%s %s out: %.0f vs %.0f", dev, ifn, out_bps,
			  want_out);
		checked++;
	}
	cr_assert_eq(checked, 4, "2 backbone + 2 exit links, got %zu", checked);
	json_decref(exp);
	json_decref(st);
}

/* ---- configuration: refuse bad, keep running on a bad reload --------- */

Test(collector, daemon_refuses_a_bad_config_with_file_and_line)
{
	char conf[4200], inv[4200], out[8192], logp[4200];
	char *log;
	pid_t pid;

	pathf(conf, sizeof(conf), "bad.conf");
	pathf(inv, sizeof(inv), "inv.csv");
	cr_assert_eq(write_file(inv, "unit,name,address,role,profile\n"
				     "u,a,127.0.0.1:1,nosuchrole,p\n"),
		     0);
	write_conf(conf, "[general]\ninventory = inv.csv\nstorage_dir = rrd\n"
			 "retries = many\n[profile p]\nversion = 2c\n"
			 "community = x\n");
	pid = spawn(conf, NULL, NULL);
	cr_assert_eq(slamond_wait_exit(pid, 30), 1);
	pathf(logp, sizeof(logp), "slamond.log");
	log = file_slurp(logp);
	cr_assert(strstr(log, "bad.conf:4:") != NULL, "%s", log);
	cr_assert(strstr(log, "inv.csv:2:") != NULL, "%s", log);
	free(log);
	{
		char *argv[] = {SLAMON, "check-config", "-c", conf, NULL};

		cr_assert_eq(run_cmd(argv, out, sizeof(out), 30), 1);
		cr_assert(strstr(out, "bad.conf:4:") != NULL, "%s", out);
	}
}

static long status_polls(const char *storage)
{
	json_t *st = load_status(storage);
	long n = (long)json_integer_value(
		json_object_get(json_object_get(st, "polls"), "done"));

	json_decref(st);
	return n;
}

static void wait_polls_above(const char *storage, long n, int timeout_s)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/status.json", storage);
	for (int i = 0; i < timeout_s * 10; i++) {
		if (access(path, R_OK) == 0 && status_polls(storage) > n)
			return;
		usleep(100000);
	}
	cr_assert_fail("no poll beyond %ld within %d s", n, timeout_s);
}

Test(collector, bad_reload_keeps_running_good_reload_applies_sigterm_stops)
{
	struct agent a;
	char conf[4200], inv[4200], storage[4200], text[4096], logp[4200];
	char *log;
	int port = agent_free_udp_port();
	long n;
	pid_t pid;
	json_t *st;

	memset(&a, 0, sizeof(a));
	cr_assert_eq(agent_snmpd_start(&a, port, "goodcomm", NULL, NULL, NULL),
		     0);
	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(inv, sizeof(inv), "inv.csv");
	pathf(storage, sizeof(storage), "rrd");
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "单位甲,dev1,127.0.0.1:%d,core,,v2,,,\n",
		 port);
	cr_assert_eq(write_file(inv, text), 0);
	write_conf(conf, "[general]\ninventory = inv.csv\nstorage_dir = rrd\n"
			 "interval = 5\ntimeout_ms = 500\n[alerts]\nping = no\n"
			 "[profile v2]\nversion = 2c\ncommunity = goodcomm\n");
	pid = spawn(conf, "--duration", "120");
	wait_polls_above(storage, 0, 20);

	/* a broken config: slamond logs it and keeps the old one */
	write_conf(conf, "[general]\ninventory = inv.csv\nstorage_dir = rrd\n"
			 "interval = 5\nbogus_key = 1\n[alerts]\nping = no\n"
			 "[profile v2]\nversion = 2c\ncommunity = goodcomm\n");
	cr_assert_eq(kill(pid, SIGHUP), 0);
	n = status_polls(storage);
	wait_polls_above(storage, n + 1, 20);
	cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "slamond died");

	/* a good config with a second device: applied */
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "单位甲,dev1,127.0.0.1:%d,core,,v2,,,\n"
		 "单位乙,dev2,127.0.0.2:%d,access,,v2,,,\n",
		 port, port);
	cr_assert_eq(write_file(inv, text), 0);
	write_conf(conf, "[general]\ninventory = inv.csv\nstorage_dir = rrd\n"
			 "interval = 5\ntimeout_ms = 500\n[alerts]\nping = no\n"
			 "[profile v2]\nversion = 2c\ncommunity = goodcomm\n");
	cr_assert_eq(kill(pid, SIGHUP), 0);
	for (int i = 0; i < 100; i++) {
		st = load_status(storage);
		n = (long)json_integer_value(json_object_get(st, "devices"));
		json_decref(st);
		if (n == 2)
			break;
		usleep(100000);
	}
	cr_assert_eq(n, 2, "reload not applied");
	/* dev1 polled by the new generation too */
	n = status_polls(storage);
	wait_polls_above(storage, n + 2, 20);

	cr_assert_eq(kill(pid, SIGTERM), 0);
	cr_assert_eq(slamond_wait_exit(pid, 15), 0, "no clean stop on SIGTERM");
	agent_stop(&a);

	pathf(logp, sizeof(logp), "slamond.log");
	log = file_slurp(logp);
	cr_assert(strstr(log, "slamon.conf:5: unknown key 'bogus_key'") != NULL,
		  "%s", log);
	cr_assert(strstr(log, "keeping the running configuration") != NULL);
	cr_assert(strstr(log, "reloaded: 2 devices") != NULL);
	/* dev1 kept its discovered interfaces across the reload */
	{
		int n_disc = 0;

		for (char *p = log; (p = strstr(p, "dev1: discovered")); p++)
			n_disc++;
		cr_assert_eq(n_disc, 1, "dev1 re-discovered after reload");
	}
	/* ... and its availability: "up" is logged once, not per reload */
	{
		int n_up = 0;

		for (char *p = log; (p = strstr(p, "dev1: up")); p++)
			n_up++;
		cr_assert_eq(n_up, 1, "dev1 up again after reload:\n%s", log);
	}
	free(log);
}
