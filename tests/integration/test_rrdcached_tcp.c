/*
 * test_rrdcached_tcp.c - several slamond instances, each with its share of
 * the inventory, writing through ONE rrdcached over TCP (issue 15,
 * docs/storage.md "Several instances, one rrdcached"): rrdcached -l
 * 127.0.0.1:PORT -b BASE -B -R, two slamonds with two inventories (one
 * snmpd agent each) and their storage folders under BASE. Each instance's
 * device and interface files appear in its own folder with fresh rows,
 * none in the other's, and no row failed.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"
#include "slamond_run.h"

static char tmp[4096];
static pid_t cached_pid;

static void setup(void)
{
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-rrdc-tcp-"), 0);
}

static void teardown(void)
{
	if (cached_pid > 0) {
		kill(cached_pid, SIGTERM);
		waitpid(cached_pid, NULL, 0);
		cached_pid = 0;
	}
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(rrdcached_tcp, .init = setup, .fini = teardown, .timeout = 300);

/* A free TCP port on 127.0.0.1, reserved for this process. */
static int free_tcp_port(void)
{
	for (int tries = 0; tries < 50; tries++) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t len = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM, 0), port;

		cr_assert_geq(fd, 0);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
		port = ntohs(sa.sin_port);
		close(fd);
		if (agent_port_reserve(port) >= 0) /* held until we exit */
			return port;
	}
	return -1;
}

/* rrdcached on 127.0.0.1:port over base (-B: nothing outside it; -R:
 * CREATE may make the device folders), started with fork/exec in the
 * foreground and ready once the port accepts a connection. */
static void cached_start(int port, const char *base)
{
	char addr[64], pidf[4200], jdir[4200], logf[4200];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int ok = 0;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	snprintf(pidf, sizeof(pidf), "%s/rrdcached.pid", tmp);
	snprintf(jdir, sizeof(jdir), "%s/rrdc-journal", tmp);
	snprintf(logf, sizeof(logf), "%s/rrdcached.log", tmp);
	cr_assert_eq(mkdir(jdir, 0755), 0);
	cached_pid = fork();
	cr_assert_geq(cached_pid, 0);
	if (cached_pid == 0) {
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(logf, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("rrdcached", "rrdcached", "-g", "-l", addr, "-b", base,
		       "-B", "-R", "-F", "-p", pidf, "-j", jdir, (char *)NULL);
		_exit(127);
	}
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < 500 && !ok; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		cr_assert_geq(fd, 0);
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (!ok)
			usleep(10000);
	}
	cr_assert(ok, "rrdcached did not listen on %s", addr);
}

/* The time of the last update of file, from `rrdtool lastupdate`. */
static long last_update(const char *file)
{
	char out[4096], arg[4400];
	char *argv[] = { "rrdtool", "lastupdate", arg, NULL };
	char *p, *line = NULL;

	cr_assert_lt((size_t)snprintf(arg, sizeof(arg), "%s", file),
		     sizeof(arg));
	if (run_cmd(argv, out, sizeof(out), 30) != 0)
		return -1;
	/* "\n\n<t>: <v1> <v2>" */
	for (p = out; (p = strchr(p, '\n')) != NULL; p++)
		if (p[1] >= '0' && p[1] <= '9')
			line = p + 1;
	return line != NULL ? strtol(line, NULL, 10) : -1;
}

/* One instance: its inventory (one device on agent port), its
 * configuration, its storage folder base/name. */
static void instance_conf(const char *name, const char *dev, int agent_port,
			  int cached_port, const char *base, char *conf,
			  size_t len)
{
	char path[4300], text[16384];

	snprintf(path, sizeof(path), "%s/%s.csv", tmp, name);
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "单位,%s,127.0.0.1:%d,core,,p,lo,,\n",
		 dev, agent_port);
	cr_assert_eq(write_file(path, text), 0);
	snprintf(conf, len, "%s/%s.conf", tmp, name);
	snprintf(text, sizeof(text),
		 "[general]\ninventory = %s/%s.csv\n"
		 "storage_dir = %s/%s\n"
		 "rrdcached = 127.0.0.1:%d\n"
		 "rrdcached_dir = %s\n"
		 "interval = 5\ntimeout_ms = 500\n"
		 "[alerts]\nping = no\n"
		 "[profile p]\nversion = 2c\ncommunity = goodcomm\n",
		 tmp, name, base, name, cached_port, name);
	cr_assert_eq(write_file(conf, text), 0);
	cr_assert_eq(slamond_conf_stay_root(conf), 0);
}

Test(rrdcached_tcp, two_instances_share_one_rrdcached)
{
	struct agent a[2];
	const char *names[2] = { "east", "west" };
	const char *devs[2] = { "core-east", "core-west" };
	char base[4200], conf[2][4200], logp[4300], path[4400];
	pid_t pid[2];
	int port, aport[2];
	long start = (long)time(NULL);

	memset(a, 0, sizeof(a));
	snprintf(base, sizeof(base), "%s/shared", tmp);
	cr_assert_eq(mkdir(base, 0755), 0);
	port = free_tcp_port();
	cr_assert_gt(port, 0);
	cached_start(port, base);
	for (int i = 0; i < 2; i++) {
		aport[i] = agent_free_udp_port();
		cr_assert_gt(aport[i], 0);
		cr_assert_eq(agent_snmpd_start(&a[i], aport[i], "goodcomm",
					       "u", "authpass123",
					       "privpass123"),
			     0);
		instance_conf(names[i], devs[i], aport[i], port, base,
			      conf[i], sizeof(conf[i]));
	}
	for (int i = 0; i < 2; i++) {
		const char *extra[] = { "--cycles", "3", NULL };

		snprintf(logp, sizeof(logp), "%s/%s.log", tmp, names[i]);
		pid[i] = slamond_spawn(conf[i], logp, extra);
		cr_assert_gt(pid[i], 0);
	}
	for (int i = 0; i < 2; i++)
		cr_assert_eq(slamond_wait_exit(pid[i], 120), 0,
			     "slamond %s did not stop cleanly", names[i]);
	for (int i = 0; i < 2; i++)
		agent_stop(&a[i]);

	for (int i = 0; i < 2; i++) {
		const char *files[] = { "device.v4.rrd", "if-lo.v4.rrd",
					"st-lo.v4.rrd" };
		json_error_t je;
		json_t *st;

		for (size_t f = 0; f < 3; f++) {
			long t;

			snprintf(path, sizeof(path), "%s/%s/%s/%s", base,
				 names[i], devs[i], files[f]);
			t = last_update(path);
			cr_assert_geq(t, start, "%s: last update %ld", path, t);
			/* and nothing of it in the other instance's share */
			snprintf(path, sizeof(path), "%s/%s/%s", base,
				 names[1 - i], devs[i]);
			cr_assert_neq(access(path, F_OK), 0, "%s exists", path);
		}
		snprintf(path, sizeof(path), "%s/%s/status.json", base,
			 names[i]);
		st = json_load_file(path, 0, &je);
		cr_assert_not_null(st, "%s: %s", path, je.text);
		cr_assert_eq(json_integer_value(json_object_get(
				     json_object_get(st, "rrd"), "failed")),
			     0, "%s: %s", names[i],
			     json_string_value(json_object_get(
				     json_object_get(st, "rrd"),
				     "last_error")));
		cr_assert_gt(json_integer_value(json_object_get(
				     json_object_get(st, "rrd"), "written")),
			     0);
		json_decref(st);
	}
}
