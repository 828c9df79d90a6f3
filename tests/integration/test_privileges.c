/*
 * test_privileges.c - least privilege and secrets (issue 16,
 * docs/packaging.md):
 * - slamond started as root with [general] user = nobody becomes nobody
 *   once its sockets are open, keeps CAP_NET_RAW and CAP_NET_BIND_SERVICE
 *   only (effective, permitted and bounding sets), cannot gain privileges
 *   (NoNewPrivs), still polls a local snmpd, and writes its journal and
 *   status file 0640;
 * - SNMP communities and v3 passphrases never reach the log, status.json
 *   or a monthly report, even for a device whose secret is wrong.
 *
 * Network: net-snmp snmpd on 127.0.0.1. The first test needs root and is
 * skipped without it.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
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

/* Every secret of the configuration contains it. */
#define MARK "Mk7sEcReT"

static char tmp[4096];
static struct agent agent, agent3; /* v2c and v3 devices; v3, wrong secrets */
static pid_t daemon_pid;

static void setup(void)
{
	memset(&agent, 0, sizeof(agent));
	memset(&agent3, 0, sizeof(agent3));
	daemon_pid = 0;
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-privs-"), 0);
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
	agent_stop(&agent3);
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(privileges, .init = setup, .fini = teardown, .timeout = 120);

static void pathf(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
}

/* Devices: good-v2 on the agent at port; bad-v3 (the v3 profile with
 * wrong passphrases: authentication failures) at port3; bad-v2 (a
 * community nobody answers) on 127.0.0.2. (One device per address and
 * port.) */
static void write_conf(const char *general, int port, int port3)
{
	char p[4200], text[4096];

	pathf(p, sizeof(p), "slamon.conf");
	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = st\n"
		 "interval = 5\ntimeout_ms = 500\nretries = 0\n"
		 "log_level = debug\n%s\n"
		 "[profile v2]\nversion = 2c\ncommunity = c-" MARK "-ok\n"
		 "[profile v2bad]\nversion = 2c\ncommunity = c-" MARK "-bad\n"
		 "[profile v3]\nversion = 3\nuser = mon\nauth = SHA\n"
		 "auth_pass = a-" MARK "-ok\npriv = AES\n"
		 "priv_pass = p-" MARK "-ok\n"
		 "[profile v3bad]\nversion = 3\nuser = mon\nauth = SHA\n"
		 "auth_pass = a-" MARK "-bad\npriv = AES\n"
		 "priv_pass = p-" MARK "-bad\n",
		 general);
	cr_assert_eq(write_file(p, text), 0);
	pathf(p, sizeof(p), "inv.csv");
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n"
		 "区电子政务外网中心,good-v2,127.0.0.1:%d,access,,v2,,,\n"
		 "区电子政务外网中心,bad-v2,127.0.0.2:%d,access,,v2bad,,,\n"
		 "区电子政务外网中心,bad-v3,127.0.0.1:%d,access,,v3bad,,,\n",
		 port, port, port3);
	cr_assert_eq(write_file(p, text), 0);
}

static void start_agent(struct agent *a)
{
	int port = agent_free_udp_port();

	cr_assert(port > 0);
	cr_assert_eq(agent_snmpd_start(a, port, "c-" MARK "-ok", "mon",
				       "a-" MARK "-ok", "p-" MARK "-ok"),
		     0, "snmpd did not start");
}

static void start_daemon(void)
{
	char conf[4200], log[4200];
	const char *const extra[] = {"--duration", "60", NULL};

	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(log, sizeof(log), "slamond.log");
	daemon_pid = slamond_spawn(conf, log, extra);
	cr_assert(daemon_pid > 0, "slamond: %d", (int)daemon_pid);
}

/* Waits up to timeout_s for the log to say good-v2 is up (after its
 * first poll, which shows that the dropped process can poll) and for the
 * status file to exist. */
static int wait_polled(int timeout_s)
{
	char log[4200], st[4200];

	pathf(log, sizeof(log), "slamond.log");
	pathf(st, sizeof(st), "st/status.json");
	for (int i = 0; i < timeout_s * 4; i++) {
		char *s = file_slurp(log);
		int ok = s != NULL && strstr(s, "good-v2: up") != NULL &&
			 access(st, F_OK) == 0;

		free(s);
		if (ok)
			return 0;
		if (waitpid(daemon_pid, NULL, WNOHANG) == daemon_pid) {
			daemon_pid = 0;
			return -1;
		}
		usleep(250 * 1000);
	}
	return -1;
}

/* The value of "Key:" in /proc/pid/status, without leading blanks (read
 * line by line: /proc files have no size for file_slurp). */
static void proc_field(pid_t pid, const char *key, char *out, size_t len)
{
	char p[64], line[512];
	size_t kl = strlen(key);
	FILE *fp;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	fp = fopen(p, "r");
	cr_assert_not_null(fp, "%s: %s", p, strerror(errno));
	out[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			const char *v = line + kl + 1;

			v += strspn(v, " \t");
			size_t n = strcspn(v, "\n");

			while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			snprintf(out, len, "%.*s", (int)n, v);
			break;
		}
	}
	fclose(fp);
	cr_assert(out[0] != '\0', "no %s in %s", key, p);
}

static void assert_mode_0640(const char *name, uid_t uid)
{
	char p[4200];
	struct stat st;

	pathf(p, sizeof(p), name);
	cr_assert_eq(stat(p, &st), 0, "%s: %s", p, strerror(errno));
	cr_expect_eq(st.st_mode & 0077 & ~0040, 0, "%s is %o", name,
		     (unsigned)(st.st_mode & 0777));
	cr_expect_eq(st.st_uid, uid, "%s owned by %u", name,
		     (unsigned)st.st_uid);
}

Test(privileges, root_start_drops_to_user_keeping_two_capabilities)
{
	struct passwd *pw;
	char v[128], want[64], st[4200];

	if (geteuid() != 0)
		cr_skip_test("needs root: slamond only drops privileges when "
			     "started as root");
	pw = getpwnam("nobody");
	if (pw == NULL)
		cr_skip_test("no user nobody on this machine");
	start_agent(&agent);
	write_conf("user = nobody", agent.port, agent.port + 1);
	pathf(st, sizeof(st), "st");
	cr_assert_eq(mkdir(st, 0750), 0);
	cr_assert_eq(chown(st, pw->pw_uid, pw->pw_gid), 0);
	start_daemon();
	cr_assert_eq(wait_polled(30), 0,
		     "good-v2 not up within 30 s (see %s/slamond.log)", tmp);

	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_uid, (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_uid);
	proc_field(daemon_pid, "Uid", v, sizeof(v));
	cr_expect_str_eq(v, want, "Uid");
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", (unsigned)pw->pw_gid,
		 (unsigned)pw->pw_gid, (unsigned)pw->pw_gid,
		 (unsigned)pw->pw_gid);
	proc_field(daemon_pid, "Gid", v, sizeof(v));
	cr_expect_str_eq(v, want, "Gid");
	proc_field(daemon_pid, "Groups", v, sizeof(v));
	snprintf(want, sizeof(want), "%u", (unsigned)pw->pw_gid);
	cr_expect_str_eq(v, want, "supplementary groups");
	/* CAP_NET_BIND_SERVICE (10) and CAP_NET_RAW (13) */
	proc_field(daemon_pid, "CapEff", v, sizeof(v));
	cr_expect_str_eq(v, "0000000000002400", "CapEff");
	proc_field(daemon_pid, "CapPrm", v, sizeof(v));
	cr_expect_str_eq(v, "0000000000002400", "CapPrm");
	proc_field(daemon_pid, "CapInh", v, sizeof(v));
	cr_expect_str_eq(v, "0000000000000000", "CapInh");
	proc_field(daemon_pid, "CapBnd", v, sizeof(v));
	cr_expect_str_eq(v, "0000000000002400", "CapBnd");
	proc_field(daemon_pid, "NoNewPrivs", v, sizeof(v));
	cr_expect_str_eq(v, "1", "NoNewPrivs");

	assert_mode_0640("st/faults.db", pw->pw_uid);
	assert_mode_0640("st/status.json", pw->pw_uid);
	cr_assert_eq(kill(daemon_pid, SIGTERM), 0);
	cr_expect_eq(slamond_wait_exit(daemon_pid, 20), 0);
	daemon_pid = 0;
}

/* Fails when the file holds MARK. */
static void assert_no_mark(const char *path)
{
	char *s = file_slurp(path);

	cr_assert_not_null(s, "%s: cannot read", path);
	cr_expect_null(strstr(s, MARK), "a secret is in %s", path);
	free(s);
}

Test(privileges, secrets_stay_out_of_log_status_and_report)
{
	char p[4600], out[4200], conf[4200], msg[4096];
	DIR *d;
	struct dirent *e;
	int n = 0, rc;

	start_agent(&agent);
	start_agent(&agent3);
	/* as root: stay root, the storage folder is root's */
	write_conf("user = root", agent.port, agent3.port);
	start_daemon();
	cr_assert_eq(wait_polled(30), 0,
		     "good-v2 not up within 30 s (see %s/slamond.log)", tmp);
	sleep(6); /* the wrong secrets fail a poll or two, and are logged */
	cr_assert_eq(kill(daemon_pid, SIGTERM), 0);
	cr_expect_eq(slamond_wait_exit(daemon_pid, 20), 0);
	daemon_pid = 0;

	pathf(p, sizeof(p), "slamond.log");
	assert_no_mark(p);
	pathf(p, sizeof(p), "st/status.json");
	assert_no_mark(p);

	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(out, sizeof(out), "report");
	{
		char *const argv[] = {SLAMON,  "report",     "-c", conf,
				      "--out", out,          "--no-graphs",
				      "--lang", "en",        NULL};

		rc = run_cmd(argv, msg, sizeof(msg), 60);
	}
	cr_assert_eq(rc, 0, "slamon report: %s", msg);
	cr_expect_null(strstr(msg, MARK), "a secret in report's output");
	d = opendir(out);
	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", out, e->d_name);
		assert_no_mark(p); /* XLSX is zipped: its text is compressed */
		n++;
	}
	closedir(d);
	cr_expect(n > 0, "no report files in %s", out);
}
