/*
 * test_package.c - the Debian package on this machine (issue 16,
 * docs/packaging.md, docs/testing.md "The package test"): builds it with
 * scripts/build-deb.sh (lintian errors fail), installs it, checks the
 * slamon user, the files, their owners and modes, that the unit is
 * enabled; starts the installed slamond by hand as root with the
 * installed defaults (user slamon) and checks that it runs as slamon with
 * CAP_NET_RAW and CAP_NET_BIND_SERVICE only and polls a local snmpd;
 * then upgrade (an operator's edit survives), remove (configuration and
 * data kept) and purge (user, /etc/slamon, /var/lib/slamon gone).
 *
 * The steps on the machine are tests/packaging/package.sh's. Needs root,
 * and a machine without a slamon package, user or folders (skipped
 * otherwise). The fixture's fini purges whatever the test installed, also
 * after a failure. CTest runs it alone (RUN_SERIAL; RESOURCE_LOCK
 * package): while the slamon user exists, any other slamond started as
 * root would become slamon.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agents.h"
#include "slamond_run.h"

#define SCRIPT SLAMON_SOURCE_DIR "/tests/packaging/package.sh"
/* kept between runs: a second build is incremental */
#define DEB_DIR SLAMON_BIN_DIR "/deb"

static char tmp[4096];
static struct agent agent;
static pid_t daemon_pid;
static int machine_ours; /* preflight passed: cleanup may purge */
static char out[65536];

static void setup(void)
{
	memset(&agent, 0, sizeof(agent));
	daemon_pid = 0;
	machine_ours = 0;
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-pkg-"), 0);
	cr_assert_eq(chmod(tmp, 0755), 0);
}

static void teardown(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
	agent_stop(&agent);
	if (machine_ours) {
		char *const argv[] = {"bash", SCRIPT, "cleanup", NULL};

		run_cmd(argv, NULL, 0, 120);
	}
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(package, .init = setup, .fini = teardown, .timeout = 900);

/* Runs package.sh step [arg]; its output in out. Returns its status. */
static int step(const char *name, const char *arg, int timeout_s)
{
	char n[32], a[4096];
	char *const argv[] = {"bash", SCRIPT, n, arg ? a : NULL, NULL};

	snprintf(n, sizeof(n), "%s", name);
	snprintf(a, sizeof(a), "%s", arg ? arg : "");
	return run_cmd(argv, out, sizeof(out), timeout_s);
}

static void proc_field(pid_t pid, const char *key, char *val, size_t len)
{
	char p[64], line[512];
	size_t kl = strlen(key);
	FILE *fp;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	fp = fopen(p, "r");
	cr_assert_not_null(fp, "%s: %s", p, strerror(errno));
	val[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			const char *v = line + kl + 1;
			size_t n;

			v += strspn(v, " \t");
			n = strcspn(v, "\n");
			while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			snprintf(val, len, "%.*s", (int)n, v);
			break;
		}
	}
	fclose(fp);
	cr_assert(val[0] != '\0', "no %s in %s", key, p);
}

/* /usr/bin/slamond -c conf, as root, output into log. */
static pid_t spawn_installed(const char *conf, const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/usr/bin/slamond", "slamond", "-c", conf, "--duration",
		      "60", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void run_installed_daemon(void)
{
	char conf[4200], inv[4200], st[4200], log[4200], text[1024], v[128],
		want[64];
	struct passwd *pw = getpwnam("slamon");
	int port, up = 0;

	cr_assert_not_null(pw, "no user slamon after install");
	port = agent_free_udp_port();
	cr_assert(port > 0);
	cr_assert_eq(agent_snmpd_start(&agent, port, "pkgcomm", NULL, NULL,
				       NULL),
		     0, "snmpd did not start");
	snprintf(conf, sizeof(conf), "%s/slamon.conf", tmp);
	snprintf(inv, sizeof(inv), "%s/inv.csv", tmp);
	snprintf(st, sizeof(st), "%s/st", tmp);
	snprintf(log, sizeof(log), "%s/slamond.log", tmp);
	/* no user key: the default, slamon, which the package made */
	cr_assert_eq(write_file(conf,
				"[general]\ninventory = inv.csv\n"
				"storage_dir = st\ninterval = 5\n"
				"timeout_ms = 500\nretries = 0\n"
				"[profile v2]\nversion = 2c\n"
				"community = pkgcomm\n"),
		     0);
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "区电子政务外网中心,local,127.0.0.1:%d,access,,v2,,,\n",
		 port);
	cr_assert_eq(write_file(inv, text), 0);
	cr_assert_eq(mkdir(st, 0750), 0);
	cr_assert_eq(chown(st, pw->pw_uid, pw->pw_gid), 0);

	daemon_pid = spawn_installed(conf, log);
	cr_assert(daemon_pid > 0);
	for (int i = 0; i < 120 && !up; i++) {
		char *s = file_slurp(log);

		up = s != NULL && strstr(s, "local: up") != NULL;
		free(s);
		if (!up && waitpid(daemon_pid, NULL, WNOHANG) == daemon_pid) {
			daemon_pid = 0;
			cr_assert_fail("slamond exited (see %s)", log);
		}
		if (!up)
			usleep(250 * 1000);
	}
	cr_assert(up, "the device on 127.0.0.1 not up in 30 s (see %s)", log);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_uid, (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_uid);
	proc_field(daemon_pid, "Uid", v, sizeof(v));
	cr_expect_str_eq(v, want, "slamond's Uid");
	proc_field(daemon_pid, "CapEff", v, sizeof(v));
	cr_expect_str_eq(v, "0000000000002400",
			 "CapEff: CAP_NET_RAW and CAP_NET_BIND_SERVICE");
	cr_assert_eq(kill(daemon_pid, SIGTERM), 0);
	cr_expect_eq(slamond_wait_exit(daemon_pid, 20), 0);
	daemon_pid = 0;
	agent_stop(&agent);
}

Test(package, build_install_run_upgrade_remove_purge)
{
	char deb[4096];
	size_t n;
	int rc;

	rc = step("preflight", NULL, 30);
	if (rc == 77)
		cr_skip_test("%s", out);
	cr_assert_eq(rc, 0, "preflight: %s", out);
	machine_ours = 1;

	rc = step("build", DEB_DIR, 600);
	cr_assert_eq(rc, 0, "build: %s", out);
	/* the last line is the .deb */
	n = strlen(out);
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	{
		const char *last = strrchr(out, '\n') ? strrchr(out, '\n') + 1
						      : out;

		cr_assert(strlen(last) < sizeof(deb), "%s", last);
		memcpy(deb, last, strlen(last) + 1);
	}
	cr_assert(strstr(deb, ".deb") != NULL, "no .deb: %s", out);

	rc = step("install", deb, 120);
	cr_assert_eq(rc, 0, "install: %s", out);
	run_installed_daemon();
	rc = step("upgrade", deb, 120);
	cr_expect_eq(rc, 0, "upgrade: %s", out);
	rc = step("remove", NULL, 120);
	cr_expect_eq(rc, 0, "remove: %s", out);
	rc = step("purge", NULL, 120);
	cr_expect_eq(rc, 0, "purge: %s", out);
}
