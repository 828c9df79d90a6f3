/*
 * test_outage.c - scripted outages end to end: slamond polls real agents on
 * 127.0.0.1 (net-snmp snmpd and snmpsim), the test stops and restarts them,
 * kills slamond with SIGKILL, and checks what the fault journal, the CLI
 * (`slamon faults|ack|close`), status.json and the webhook notifiers show,
 * with times correct to one poll interval (issue 3, "Tests").
 *
 * Every wait is bounded; the test stops only the processes it started (by
 * their PID; the agents and slamond also get SIGKILL/SIGTERM from the
 * kernel if the test process dies, PR_SET_PDEATHSIG).
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
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
#include "http_receiver.h"
#include "storage/journal.h"

/* The configuration every test uses: a short interval, no retries. */
#define IV 5.0        /* [general] interval, seconds */
#define DOWN_AFTER 2
#define UP_AFTER 2
/* A failed sample is stamped when the poll ends: timeout_ms 500 with
 * retries 0, within the 1.5 s poll budget; plus timer jitter. */
#define SLACK 2.0
/* status.json is rewritten every 5 s */
#define STATUS_EVERY 5.0

#define MAX_AGENTS 8
#define MAX_RECV 3

static char tmp[4096];
static char db[4200];
static struct agent agents[MAX_AGENTS];
static pid_t daemon_pid;
static struct http_receiver *recv_[MAX_RECV];

static void setup(void)
{
	memset(agents, 0, sizeof(agents));
	memset(recv_, 0, sizeof(recv_));
	daemon_pid = 0;
	cr_assert_eq(tmpdir_make(tmp, sizeof(tmp), "slamon-outage-"), 0);
	cr_assert_eq(chmod(tmp, 0755), 0);
	snprintf(db, sizeof(db), "%s/st/faults.db", tmp);
}

static void teardown(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
	for (int i = 0; i < MAX_AGENTS; i++)
		agent_stop(&agents[i]);
	for (int i = 0; i < MAX_RECV; i++) {
		http_receiver_stop(recv_[i]);
		recv_[i] = NULL;
	}
	if (getenv("SLAMON_KEEP_TMP") == NULL)
		tmpdir_remove(tmp);
}

TestSuite(outage, .init = setup, .fini = teardown, .timeout = 400);

/* ---- helpers -------------------------------------------------------- */

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void pathf(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
}

/* free_udp_port_range (helpers): below the ephemeral range, so an agent
 * restarted on the same port later does not find it taken by a client. */
static int free_port_range(int n)
{
	int base = free_udp_port_range(n);

	cr_assert_gt(base, 0, "no %d free consecutive UDP ports", n);
	return base;
}

static void snmpd_start(int i, int port)
{
	int rc = agent_snmpd_start(&agents[i], port, "public", NULL, NULL,
				   NULL);

	cr_assert_eq(rc, 0, "snmpd on 127.0.0.1:%d: %d (log %s)", port, rc,
		     agents[i].log);
}

/* [general] with the short test timings, a v2c profile `v2` (community
 * public, what agent_snmpd_start grants) and `sim` (community bison, a
 * recording of shared/testdata/snmprec), then extra. */
static void write_conf(const char *extra)
{
	char conf[4200], text[8192];

	pathf(conf, sizeof(conf), "slamon.conf");
	snprintf(text, sizeof(text),
		 "[general]\ninventory = inv.csv\nstorage_dir = st\n"
		 "interval = %d\ntimeout_ms = 500\nretries = 0\n"
		 "down_after = %d\nup_after = %d\nlog_level = info\n"
		 "[profile v2]\nversion = 2c\ncommunity = public\n"
		 "[profile sim]\nversion = 2c\ncommunity = bison\n"
		 /* every agent here is on 127.0.0.1, which always answers
		  * ping: without this a stopped agent is nodata, not down */
		 "[alerts]\nping = no\n"
		 "%s",
		 (int)IV, DOWN_AFTER, UP_AFTER, extra ? extra : "");
	cr_assert_eq(write_file(conf, text), 0);
}

static void write_inventory(const char *rows)
{
	char inv[4200], text[8192];

	pathf(inv, sizeof(inv), "inv.csv");
	snprintf(text, sizeof(text),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n%s",
		 rows);
	cr_assert_eq(write_file(inv, text), 0);
}

/* Starts slamond in the background (stderr and stdout appended to
 * <tmp>/slamond.log) for at most duration_s seconds. */
static pid_t slamond_start(int duration_s)
{
	char conf[4200], log[4200], dur[32];
	pid_t parent = getpid(), pid;

	cr_assert_eq(daemon_pid, 0, "slamond already running");
	pathf(conf, sizeof(conf), "slamon.conf");
	pathf(log, sizeof(log), "slamond.log");
	snprintf(dur, sizeof(dur), "%d", duration_s);
	if (getuid() == 0)
		cr_assert_eq(slamond_conf_stay_root(conf), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execl(SLAMOND, "slamond", "-c", conf, "--duration", dur,
		      (char *)NULL);
		_exit(127);
	}
	daemon_pid = pid;
	return pid;
}

/* Stops our slamond with sig and waits up to timeout_s for it; returns
 * its exit status (128 + signal when killed), -1 when it had to be killed
 * after the timeout. */
static int slamond_stop(int sig, int timeout_s)
{
	pid_t pid = daemon_pid;
	int st;

	cr_assert_gt(pid, 0);
	kill(pid, sig);
	for (int i = 0; i < timeout_s * 20; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			daemon_pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		}
		sleep_s(0.05);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	daemon_pid = 0;
	return -1;
}

static void assert_daemon_alive(void)
{
	cr_assert_eq(waitpid(daemon_pid, NULL, WNOHANG), 0,
		     "slamond died; see %s/slamond.log", tmp);
}

/* status.json of the running slamond, or NULL while there is none. */
static json_t *status_try(void)
{
	char path[4200];

	pathf(path, sizeof(path), "st/status.json");
	return json_load_file(path, 0, NULL);
}

static long role_count(json_t *st, const char *role, const char *key)
{
	return (long)json_integer_value(json_object_get(
		json_object_get(json_object_get(st, "roles"), role), key));
}

/* The `down` list entry of device, or NULL. */
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

/* Waits until status.json says role has want devices in state key.
 * Returns the status (caller decrefs). */
static json_t *wait_role(const char *role, const char *key, long want,
			 double timeout_s)
{
	double end = wall_now() + timeout_s;
	long have = -1;

	while (wall_now() < end) {
		json_t *st = status_try();

		if (st != NULL) {
			have = role_count(st, role, key);
			if (have == want)
				return st;
			json_decref(st);
		}
		assert_daemon_alive();
		sleep_s(0.2);
	}
	cr_assert_fail("status: %s %s = %ld, want %ld after %.0f s", role, key,
		       have, want, timeout_s);
	return NULL;
}

/* Faults of the journal matching filter (malloc'd array, may be NULL). */
static struct fault *faults_list(enum journal_filter filter, size_t *n)
{
	struct fault_query q = { .filter = filter };
	struct journal *j;
	struct fault *fs = NULL;
	char err[256];

	*n = 0;
	if (access(db, R_OK) != 0)
		return NULL;
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_fault_list(j, &q, &fs, n, err, sizeof(err)), 0,
		     "%s", err);
	journal_close(j);
	return fs;
}

/* How many faults of kind on object the journal holds (all of them, open
 * or not); the last one goes to *ret when ret is not NULL. */
static size_t faults_on(const char *object, const char *kind,
			struct fault *ret)
{
	size_t n, k = 0;
	struct fault *fs = faults_list(JQ_ALL, &n);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(fs[i].object, object) != 0 ||
		    (kind != NULL && strcmp(fs[i].kind, kind) != 0))
			continue;
		k++;
		if (ret != NULL)
			*ret = fs[i];
	}
	free(fs);
	return k;
}

/* Device faults (object_kind device) in the journal, of any object. */
static size_t device_faults(void)
{
	size_t n, k = 0;
	struct fault *fs = faults_list(JQ_ALL, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(fs[i].object_kind, "device") == 0)
			k++;
	free(fs);
	return k;
}

/* Waits until object has a "down" fault; returns it. */
static struct fault wait_fault(const char *object, double deadline)
{
	struct fault f;

	memset(&f, 0, sizeof(f));
	while (wall_now() < deadline) {
		if (faults_on(object, "down", &f) > 0)
			return f;
		assert_daemon_alive();
		sleep_s(0.1);
	}
	cr_assert_fail("no down fault on %s by the deadline (%.1f s late)",
		       object, wall_now() - deadline);
	return f;
}

/* Waits until fault id has a resolution time; returns it. */
static struct fault wait_resolved(int64_t id, double deadline)
{
	struct journal *j;
	struct fault f;
	char err[256];

	memset(&f, 0, sizeof(f));
	while (wall_now() < deadline) {
		cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s",
			     err);
		cr_assert_eq(journal_fault_get(j, id, &f, err, sizeof(err)), 0,
			     "%s", err);
		journal_close(j);
		if (f.resolved_t != 0)
			return f;
		assert_daemon_alive();
		sleep_s(0.1);
	}
	cr_assert_fail("fault %lld not resolved by the deadline",
		       (long long)id);
	return f;
}

static void assert_journal_consistent(void)
{
	struct journal *j;
	char err[256];

	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_check(j, err, sizeof(err)), 0, "journal_check: %s",
		     err);
	journal_close(j);
}

/* Runs `slamon ARGS... -c <tmp>/slamon.conf`; stdout and stderr into
 * out. Returns the exit status. */
static int cli(char *out, size_t len, const char *a0, ...)
{
	char conf[4200];
	char *argv[20];
	int argc = 0;
	va_list ap;
	const char *s;

	pathf(conf, sizeof(conf), "slamon.conf");
	argv[argc++] = SLAMON;
	argv[argc++] = (char *)(uintptr_t)a0;
	va_start(ap, a0);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 16)
		argv[argc++] = (char *)(uintptr_t)s;
	va_end(ap);
	argv[argc++] = "-c";
	argv[argc++] = conf;
	argv[argc] = NULL;
	return run_cmd(argv, out, len, 30);
}

/* `slamon faults --json [--all]` parsed; the entry for id (borrowed from
 * *ret_arr, which the caller decrefs) or NULL. */
static json_t *cli_fault(int all, int64_t id, json_t **ret_arr)
{
	static char out[65536];
	json_error_t jerr;
	json_t *arr, *e;
	size_t i;
	int rc = all ? cli(out, sizeof(out), "faults", "--all", "--json", NULL)
		     : cli(out, sizeof(out), "faults", "--json", NULL);

	cr_assert_eq(rc, 0, "slamon faults: %d\n%s", rc, out);
	arr = json_loads(out, 0, &jerr);
	cr_assert(json_is_array(arr), "slamon faults --json: %s\n%s",
		  jerr.text, out);
	*ret_arr = arr;
	json_array_foreach(arr, i, e)
		if (json_integer_value(json_object_get(e, "id")) == id)
			return e;
	return NULL;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* ---- 1. one agent stops and comes back ------------------------------- */

Test(outage, agent_stopped_opens_one_fault_and_recovery_resolves_it)
{
	char rows[512];
	int port = free_port_range(1);
	double t_stop0, t_stop1, t_up0, t_up1;
	struct fault f, r;
	json_t *st, *e;

	snmpd_start(0, port);
	snprintf(rows, sizeof(rows), "区大数据中心,core-1,127.0.0.1:%d,core,,v2,,,\n",
		 port);
	write_inventory(rows);
	write_conf(NULL);
	slamond_start(240);
	json_decref(wait_role("core", "up", 1, 3 * IV + STATUS_EVERY));
	cr_assert_eq(faults_on("core-1", NULL, NULL), 0);

	t_stop0 = wall_now();
	agent_stop(&agents[0]);
	t_stop1 = wall_now();
	/* the down_after-th failed poll comes within down_after + 1 cycles */
	f = wait_fault("core-1", t_stop1 + (DOWN_AFTER + 1) * IV + SLACK);
	cr_log_info("stop %.1f..%.1f first_fail %.1f detect %.1f", t_stop0,
		    t_stop1, f.first_fail_t, f.detect_t);
	cr_assert_str_eq(f.object_kind, "device");
	cr_assert_str_eq(f.severity, "critical", "core devices are critical");
	/* first failed sample: within one interval of the stop */
	cr_assert(f.first_fail_t >= t_stop0 &&
			  f.first_fail_t <= t_stop1 + IV + SLACK,
		  "first_fail %.1f, agent stopped at %.1f", f.first_fail_t,
		  t_stop0);
	/* detected at the down_after-th failure: (down_after - 1) cycles on */
	cr_assert(fabs(f.detect_t - f.first_fail_t - (DOWN_AFTER - 1) * IV) <
			  1.0,
		  "detect %.1f - first_fail %.1f is not %d intervals",
		  f.detect_t, f.first_fail_t, DOWN_AFTER - 1);
	cr_assert(f.detect_t <= t_stop1 + (DOWN_AFTER + 1) * IV);
	cr_assert(fabs(f.deadline_t - f.detect_t - 30 * 60) < 1.0,
		  "response deadline: default 30 minutes after detection");
	cr_assert_eq(f.resolved_t, 0);
	cr_assert_eq(f.nchildren, 0);

	/* status lists it down with its fault */
	st = wait_role("core", "down", 1, STATUS_EVERY + 2);
	e = down_entry(st, "core-1");
	cr_assert_not_null(e);
	cr_assert_str_eq(json_string_value(json_object_get(e, "state")),
			 "down");
	cr_assert_eq(json_integer_value(json_object_get(e, "fault")), f.id);
	json_decref(st);

	/* one more cycle down: still the same single fault */
	sleep_s(IV);
	cr_assert_eq(faults_on("core-1", NULL, NULL), 1);

	t_up0 = wall_now();
	snmpd_start(0, port);
	t_up1 = wall_now();
	r = wait_resolved(f.id, t_up1 + (UP_AFTER + 1) * IV + SLACK);
	cr_log_info("restart %.1f..%.1f resolved %.1f", t_up0, t_up1,
		    r.resolved_t);
	/* resolution time: the first good sample, within one interval */
	cr_assert(r.resolved_t >= t_up0 && r.resolved_t <= t_up1 + IV + SLACK,
		  "resolved %.1f, agent back at %.1f..%.1f", r.resolved_t,
		  t_up0, t_up1);
	cr_assert_eq(r.first_fail_t, f.first_fail_t);
	cr_assert_eq(r.closed_t, 0, "recovery resolves, the operator closes");

	json_decref(wait_role("core", "up", 1, STATUS_EVERY + 2));
	/* a few more good cycles: still exactly one fault, nothing else */
	sleep_s(IV);
	cr_assert_eq(faults_on("core-1", NULL, NULL), 1);
	cr_assert_eq(device_faults(), 1);
	cr_assert_eq(slamond_stop(SIGTERM, 20), 0);
	assert_journal_consistent();
}

/* ---- 2. a parent outage is one fault -------------------------------- */

Test(outage, parent_outage_is_one_fault_with_unreachable_children)
{
	static const char *const kids[3] = { "ap-1", "ap-2", "ap-3" };
	char rows[2048];
	int base = free_port_range(4);
	double t_stop0, t_stop1, t_up0, t_up1;
	struct fault f, r;
	struct fault_child *ch;
	struct journal *j;
	char err[256];
	size_t n;
	json_t *st, *arr, *e;

	for (int i = 0; i < 4; i++)
		snmpd_start(i, base + i);
	snprintf(rows, sizeof(rows),
		 "区汇聚点,agg-1,127.0.0.1:%d,aggregation,,v2,,,\n"
		 "区教育局,ap-1,127.0.0.1:%d,access,agg-1,v2,,,\n"
		 "区卫健委,ap-2,127.0.0.1:%d,access,agg-1,v2,,,\n"
		 "区民政局,ap-3,127.0.0.1:%d,access,agg-1,v2,,,\n",
		 base, base + 1, base + 2, base + 3);
	write_inventory(rows);
	write_conf(NULL);
	slamond_start(300);
	json_decref(wait_role("access", "up", 3, 3 * IV + STATUS_EVERY));
	json_decref(wait_role("aggregation", "up", 1, STATUS_EVERY + 2));

	/* the aggregation switch fails; its access points behind it go dark
	 * with it (the parent's agent is stopped first, as in reality) */
	t_stop0 = wall_now();
	for (int i = 0; i < 4; i++)
		agent_stop(&agents[i]);
	t_stop1 = wall_now();
	f = wait_fault("agg-1", t_stop1 + (DOWN_AFTER + 1) * IV + SLACK);
	cr_assert_str_eq(f.severity, "major", "aggregation: major");
	cr_assert(f.first_fail_t >= t_stop0 &&
		  f.first_fail_t <= t_stop1 + IV + SLACK);

	/* the children are listed under it: wait until all three are, and
	 * past the longest hold (parent's down_after + 1 intervals) */
	st = wait_role("access", "unreachable", 3,
		       (DOWN_AFTER + 1) * IV + STATUS_EVERY + SLACK);
	for (int i = 0; i < 3; i++) {
		e = down_entry(st, kids[i]);
		cr_assert_not_null(e, "%s not in the down list", kids[i]);
		cr_assert_str_eq(json_string_value(json_object_get(e, "state")),
				 "unreachable");
		cr_assert_str_eq(
			json_string_value(json_object_get(e, "parent")),
			"agg-1");
	}
	cr_assert_eq(role_count(st, "aggregation", "down"), 1);
	cr_assert_eq(role_count(st, "access", "down"), 0);
	e = down_entry(st, "agg-1");
	cr_assert_eq(json_integer_value(json_object_get(e, "fault")), f.id);
	json_decref(st);
	sleep_s(IV); /* one more cycle of everything failing */

	/* ONE fault, on the parent, with three unreachable children */
	cr_assert_eq(device_faults(), 1, "one outage must be one fault");
	cr_assert_eq(faults_on("agg-1", NULL, &f), 1);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(faults_on(kids[i], NULL, NULL), 0,
			     "%s got its own fault", kids[i]);
	cr_assert_eq(f.nchildren, 3);
	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_fault_children(j, f.id, &ch, &n, err,
					    sizeof(err)),
		     0, "%s", err);
	journal_close(j);
	cr_assert_eq(n, 3);
	for (int i = 0; i < 3; i++) {
		size_t k;

		for (k = 0; k < n && strcmp(ch[k].object, kids[i]) != 0; k++)
			;
		cr_assert_lt(k, n, "%s not listed under the fault", kids[i]);
		cr_assert(ch[k].t >= f.detect_t - IV && ch[k].t <= wall_now());
	}
	free(ch);
	e = cli_fault(0, f.id, &arr);
	cr_assert_not_null(e, "slamon faults does not list fault %lld",
			   (long long)f.id);
	cr_assert_eq(json_integer_value(
			     json_object_get(e, "unreachable_children")),
		     3);
	cr_assert_eq(json_array_size(arr), 1);
	json_decref(arr);

	/* back: the access points first, then the switch */
	t_up0 = wall_now();
	for (int i = 3; i >= 0; i--)
		snmpd_start(i, base + i);
	t_up1 = wall_now();
	r = wait_resolved(f.id, t_up1 + (UP_AFTER + 1) * IV + SLACK);
	cr_assert(r.resolved_t >= t_up0 && r.resolved_t <= t_up1 + IV + SLACK,
		  "resolved %.1f, agents back at %.1f..%.1f", r.resolved_t,
		  t_up0, t_up1);
	json_decref(wait_role("access", "up", 3, STATUS_EVERY + IV + SLACK));
	json_decref(wait_role("aggregation", "up", 1, STATUS_EVERY + 2));
	sleep_s(IV);
	cr_assert_eq(device_faults(), 1, "recovery opened a fault");
	cr_assert_eq(slamond_stop(SIGTERM, 20), 0);
	assert_journal_consistent();
}

/* ---- 3. the operator's side: ack and close --------------------------- */

Test(outage, ack_and_close_via_cli)
{
	char rows[512], out[8192];
	int port = free_port_range(1);
	struct fault f, before, after;
	json_t *arr, *e;
	int rc;

	/* no agent on the port yet: the device never answers */
	snprintf(rows, sizeof(rows), "区教育局,ap-jyj,127.0.0.1:%d,access,,v2,,,\n",
		 port);
	write_inventory(rows);
	write_conf(NULL);
	slamond_start(240);
	f = wait_fault("ap-jyj", wall_now() + (DOWN_AFTER + 2) * IV + SLACK);
	cr_assert_str_eq(f.severity, "minor");

	/* `slamon faults --json` lists it, not acknowledged */
	e = cli_fault(0, f.id, &arr);
	cr_assert_not_null(e);
	cr_assert_str_eq(json_string_value(json_object_get(e, "object")),
			 "ap-jyj");
	cr_assert(json_is_null(json_object_get(e, "ack_by")));
	cr_assert(json_is_null(json_object_get(e, "resolved_t")));
	json_decref(arr);

	{
		char id[32];

		snprintf(id, sizeof(id), "%lld", (long long)f.id);
		rc = cli(out, sizeof(out), "ack", id, "--by", "张三", "--note",
			 "已派人到场", NULL);
		cr_assert_eq(rc, 0, "%s", out);
		snprintf(rows, sizeof(rows),
			 "fault %lld acknowledged by 张三\n", (long long)f.id);
		cr_assert_str_eq(out, rows);
		cr_assert_eq(faults_on("ap-jyj", "down", &before), 1);
		cr_assert_str_eq(before.ack_by, "张三");
		cr_assert_str_eq(before.ack_note, "已派人到场");
		cr_assert(before.ack_t >= f.detect_t &&
			  before.ack_t <= wall_now());

		/* a second ack: one line on stderr, exit 1, nothing changed */
		rc = cli(out, sizeof(out), "ack", id, "--by", "李四", NULL);
		cr_assert_eq(rc, 1, "double ack: %d %s", rc, out);
		cr_assert_eq(count_lines(out), 1, "%s", out);
		cr_assert(strstr(out, "slamon ack: ") == out, "%s", out);
		cr_assert_eq(faults_on("ap-jyj", "down", &after), 1);
		cr_assert_str_eq(after.ack_by, "张三");
		cr_assert_eq(after.ack_t, before.ack_t);
		cr_assert_str_eq(after.ack_note, "已派人到场");

		/* closing an unknown id */
		rc = cli(out, sizeof(out), "close", "987654", "--note", "x",
			 "--satisfaction", "满意", NULL);
		cr_assert_eq(rc, 1, "close unknown: %d %s", rc, out);
		cr_assert_eq(count_lines(out), 1, "%s", out);
		/* a bad satisfaction mark changes nothing */
		rc = cli(out, sizeof(out), "close", id, "--note", "x",
			 "--satisfaction", "还行", NULL);
		cr_assert_eq(rc, 1, "%s", out);
		cr_assert_eq(faults_on("ap-jyj", "down", &after), 1);
		cr_assert_eq(after.closed_t, 0);

		/* closing before the device is back (it may be) */
		rc = cli(out, sizeof(out), "close", id, "--note",
			 "更换光模块，待恢复", "--satisfaction", "满意", NULL);
		cr_assert_eq(rc, 0, "%s", out);
		snprintf(rows, sizeof(rows), "fault %lld closed (满意)\n",
			 (long long)f.id);
		cr_assert_str_eq(out, rows);

		/* closing twice, acking a closed fault: errors, no change */
		rc = cli(out, sizeof(out), "close", id, "--note", "again",
			 "--satisfaction", "不满意", NULL);
		cr_assert_eq(rc, 1, "%s", out);
		rc = cli(out, sizeof(out), "ack", id, "--by", "王五", NULL);
		cr_assert_eq(rc, 1, "%s", out);
		cr_assert_eq(faults_on("ap-jyj", "down", &after), 1);
		cr_assert_str_eq(after.satisfaction, "满意");
		cr_assert_str_eq(after.close_note, "更换光模块，待恢复");
		cr_assert_str_eq(after.ack_by, "张三");
	}

	/* default listing: closed faults are gone; --all shows them */
	e = cli_fault(0, f.id, &arr);
	cr_assert_null(e, "a closed fault is listed as open");
	json_decref(arr);
	e = cli_fault(1, f.id, &arr);
	cr_assert_not_null(e);
	cr_assert_str_eq(json_string_value(json_object_get(e, "ack_by")),
			 "张三");
	cr_assert_str_eq(json_string_value(json_object_get(e, "satisfaction")),
			 "满意");
	cr_assert_str_eq(json_string_value(json_object_get(e, "close_note")),
			 "更换光模块，待恢复");
	cr_assert(json_is_true(json_object_get(e, "acked_in_time")));
	cr_assert(json_is_number(json_object_get(e, "closed_t")));
	json_decref(arr);

	/* the outage goes on: still one fault, no new one for it */
	sleep_s(2 * IV);
	cr_assert_eq(faults_on("ap-jyj", NULL, NULL), 1,
		     "a new fault opened for an outage that was closed");

	/* the device comes back: the closed fault gets its resolution */
	{
		double t0 = wall_now(), t1;

		snmpd_start(0, port);
		t1 = wall_now();
		after = wait_resolved(f.id, t1 + (UP_AFTER + 1) * IV + SLACK);
		cr_assert(after.resolved_t >= t0 &&
			  after.resolved_t <= t1 + IV + SLACK);
		cr_assert_str_eq(after.satisfaction, "满意");
	}
	cr_assert_eq(faults_on("ap-jyj", NULL, NULL), 1);
	cr_assert_eq(slamond_stop(SIGTERM, 20), 0);
	assert_journal_consistent();
}

/* ---- 4. webhooks: delivered, and a hanging one blocks nothing -------- */

/* Attempts recorded for fault id by notifier name, malloc'd. */
static struct notify_rec *attempts(int64_t id, size_t *n)
{
	struct journal *j;
	struct notify_rec *rs = NULL;
	char err[256];

	cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(journal_notify_list(j, id, &rs, n, err, sizeof(err)), 0,
		     "%s", err);
	journal_close(j);
	return rs;
}

/* Does the journal hold a row (notifier, event, result)? */
static int has_attempt(const struct notify_rec *rs, size_t n,
		       const char *notifier, const char *event,
		       const char *result)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rs[i].notifier, notifier) == 0 &&
		    strcmp(rs[i].event, event) == 0 &&
		    strcmp(rs[i].result, result) == 0)
			return 1;
	return 0;
}

static void poll_counters(json_t *st, long *done, long *late, long *skipped,
			  double *gen)
{
	json_t *p = json_object_get(st, "polls");

	*done = (long)json_integer_value(json_object_get(p, "done"));
	*late = (long)json_integer_value(json_object_get(p, "late"));
	*skipped = (long)json_integer_value(json_object_get(p, "skipped"));
	*gen = json_number_value(json_object_get(st, "generated"));
}

Test(outage, webhook_notification_is_delivered_and_a_hanging_receiver_does_not_block_polling)
{
	char rows[1024], extra[2048], body[8192];
	int base = free_port_range(2);
	struct fault f;
	struct notify_rec *rs;
	size_t n;
	json_t *st, *msg;
	json_error_t jerr;
	long done0, late0, skip0, done1, late1, skip1;
	double gen0, gen1, t_open, end;

	cr_assert_eq(http_receiver_start(&recv_[0], 200,
					 "{\"errcode\":0,\"errmsg\":\"ok\"}", 0),
		     0);
	cr_assert_eq(http_receiver_start(&recv_[1], 200, NULL, 120000), 0);
	cr_assert_eq(http_receiver_start(&recv_[2], 500,
					 "{\"error\":\"internal\"}", 0),
		     0);
	/* the hanging notifier is first: the worker meets it first */
	snprintf(extra, sizeof(extra),
		 "[notifier hang]\ntype = webhook\n"
		 "url = http://127.0.0.1:%d/hook\ntimeout = 3\nretries = 1\n"
		 "backoff = 1\n"
		 "[notifier noc-wecom]\ntype = webhook\n"
		 "url = http://127.0.0.1:%d/cgi-bin/webhook/send?key=test\n"
		 "template = wecom\ntimeout = 5\nretries = 0\n"
		 "[notifier err500]\ntype = webhook\n"
		 "url = http://127.0.0.1:%d/hook\ntemplate = generic\n"
		 "timeout = 5\nretries = 1\nbackoff = 1\n",
		 http_receiver_port(recv_[1]), http_receiver_port(recv_[0]),
		 http_receiver_port(recv_[2]));
	write_conf(extra);
	/* core-1 answers all along; ap-dead has no agent yet */
	snmpd_start(0, base);
	snprintf(rows, sizeof(rows),
		 "区大数据中心,core-1,127.0.0.1:%d,core,,v2,,,\n"
		 "区教育局,ap-dead,127.0.0.1:%d,access,,v2,,,\n",
		 base, base + 1);
	write_inventory(rows);
	slamond_start(300);
	f = wait_fault("ap-dead", wall_now() + (DOWN_AFTER + 2) * IV + SLACK);
	t_open = wall_now();
	st = wait_role("core", "up", 1, STATUS_EVERY + 2);
	poll_counters(st, &done0, &late0, &skip0, &gen0);
	json_decref(st);

	/* the robot gets the fault at once, despite the hanging one ahead
	 * of it (that one delays the worker by its 3 s timeout only) */
	end = t_open + 3 + SLACK + 3;
	while (http_receiver_count(recv_[0]) < 1 && wall_now() < end)
		sleep_s(0.1);
	cr_assert_geq(http_receiver_count(recv_[0]), 1,
		      "the wecom robot got nothing");
	http_receiver_last_body(recv_[0], body, sizeof(body));
	msg = json_loads(body, 0, &jerr);
	cr_assert_not_null(msg, "not JSON: %s (%s)", body, jerr.text);
	cr_assert_str_eq(json_string_value(json_object_get(msg, "msgtype")),
			 "text");
	{
		const char *content = json_string_value(json_object_get(
			json_object_get(msg, "text"), "content"));
		char want[64];

		cr_assert_not_null(content, "%s", body);
		snprintf(want, sizeof(want), "#%lld ap-dead", (long long)f.id);
		cr_assert(strstr(content, "【slamon 故障】") != NULL &&
				  strstr(content, want) != NULL,
			  "%s", content);
	}
	json_decref(msg);
	/* the generic template: event and fault fields */
	end = wall_now() + 10;
	while (http_receiver_count(recv_[2]) < 1 && wall_now() < end)
		sleep_s(0.1);
	http_receiver_last_body(recv_[2], body, sizeof(body));
	msg = json_loads(body, 0, &jerr);
	cr_assert_not_null(msg, "not JSON: %s", body);
	cr_assert_str_eq(json_string_value(json_object_get(msg, "event")),
			 "open");
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(msg, "fault"), "id")),
		     f.id);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(msg, "fault"), "object")),
			 "ap-dead");
	json_decref(msg);

	/* every attempt is in the journal: the hanging receiver timed out
	 * twice and was given up, the 500 failed twice and was given up */
	end = wall_now() + 2 * 3 + 1 + 2 * SLACK + 5;
	for (;;) {
		rs = attempts(f.id, &n);
		if ((has_attempt(rs, n, "hang", "open", "gave-up") &&
		     has_attempt(rs, n, "err500", "open", "gave-up")) ||
		    wall_now() > end)
			break;
		free(rs);
		sleep_s(0.2);
	}
	cr_assert(has_attempt(rs, n, "noc-wecom", "open", "ok"));
	cr_assert(has_attempt(rs, n, "hang", "open", "timeout"));
	cr_assert(has_attempt(rs, n, "hang", "open", "gave-up"),
		  "hanging notifier not given up");
	cr_assert(has_attempt(rs, n, "err500", "open", "fail"));
	cr_assert(has_attempt(rs, n, "err500", "open", "gave-up"));
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rs[i].notifier, "err500") == 0 &&
		    strcmp(rs[i].result, "fail") == 0)
			cr_assert_str_eq(rs[i].detail, "HTTP 500");
		if (strcmp(rs[i].notifier, "hang") == 0 &&
		    strcmp(rs[i].result, "timeout") == 0)
			cr_assert(rs[i].attempt == 1 || rs[i].attempt == 2);
		if (strcmp(rs[i].notifier, "noc-wecom") == 0)
			cr_assert_str_eq(rs[i].result, "ok",
					 "noc-wecom: %s %s", rs[i].result,
					 rs[i].detail);
	}
	free(rs);

	/* meanwhile polling kept its schedule: no late or skipped poll, and
	 * both devices polled every interval */
	end = wall_now() + 4 * IV + STATUS_EVERY + SLACK;
	for (st = NULL; wall_now() < end; sleep_s(0.5)) {
		json_decref(st);
		st = status_try();
		cr_assert_not_null(st);
		poll_counters(st, &done1, &late1, &skip1, &gen1);
		if (gen1 - gen0 >= 4 * IV)
			break;
	}
	cr_log_info("polls %ld -> %ld over %.1f s, late %ld skipped %ld",
		    done0, done1, gen1 - gen0, late1, skip1);
	cr_assert_geq(gen1 - gen0, 4 * IV, "status.json stopped being updated");
	cr_assert_geq(done1 - done0, 2 * (long)floor((gen1 - gen0) / IV) - 2,
		      "polls fell behind: %ld in %.1f s", done1 - done0,
		      gen1 - gen0);
	cr_assert_eq(late1, 0, "late polls");
	cr_assert_eq(skip1, 0, "skipped polls");
	/* and the fault is still there */
	cr_assert_eq(down_entry(st, "ap-dead") != NULL, 1);
	cr_assert_eq(json_integer_value(json_object_get(
			     down_entry(st, "ap-dead"), "fault")),
		     f.id);
	json_decref(st);
	cr_assert_eq(faults_on("ap-dead", NULL, NULL), 1);

	/* recovery goes out too */
	snmpd_start(1, base + 1);
	wait_resolved(f.id, wall_now() + (UP_AFTER + 1) * IV + SLACK);
	end = wall_now() + 3 + SLACK + 5;
	while (http_receiver_count(recv_[0]) < 2 && wall_now() < end)
		sleep_s(0.1);
	cr_assert_eq(http_receiver_count(recv_[0]), 2);
	http_receiver_last_body(recv_[0], body, sizeof(body));
	cr_assert(strstr(body, "【slamon 恢复】") != NULL, "%s", body);

	/* stopping with deliveries pending on the hanging receiver is
	 * bounded: drain 5 s + one attempt's timeout */
	cr_assert_eq(slamond_stop(SIGTERM, 5 + 3 + 5), 0);
	assert_journal_consistent();
}

/* ---- 5. kill -9 and restart ----------------------------------------- */

Test(outage, kill9_restart_finds_the_open_fault_and_no_duplicate)
{
	char rows[512];
	int port = free_port_range(1);
	struct fault f, g;
	json_t *st, *e;
	double t_start, t_up0, t_up1;
	size_t n;
	struct fault *fs;

	cr_assert_eq(agent_snmpsim_start(&agents[0],
					 SLAMON_TESTDATA "/snmprec", port,
					 "bison"),
		     0, "snmpsimd: see %s", agents[0].log);
	snprintf(rows, sizeof(rows), "区政务服务中心,acc-zwfw,127.0.0.1:%d,access,,sim,,,\n",
		 port);
	write_inventory(rows);
	write_conf(NULL);
	slamond_start(300);
	json_decref(wait_role("access", "up", 1, 3 * IV + STATUS_EVERY));
	agent_stop(&agents[0]);
	f = wait_fault("acc-zwfw",
		       wall_now() + (DOWN_AFTER + 1) * IV + SLACK);
	cr_assert_eq(slamond_stop(SIGKILL, 10), 128 + SIGKILL);

	/* restart with the agent still down: the same fault, adopted */
	t_start = wall_now();
	slamond_start(300);
	st = wait_role("access", "down", 1, STATUS_EVERY + 2);
	e = down_entry(st, "acc-zwfw");
	cr_assert_not_null(e);
	cr_assert_eq(json_integer_value(json_object_get(e, "fault")), f.id,
		     "the restarted slamond does not show the adopted fault");
	json_decref(st);
	/* a few cycles of failures later: still that one fault, active */
	sleep_s(3 * IV);
	assert_daemon_alive();
	cr_assert_eq(faults_on("acc-zwfw", NULL, &g), 1,
		     "restart opened a duplicate");
	cr_assert_eq(g.id, f.id);
	cr_assert_eq(g.resolved_t, 0);
	cr_assert_eq(g.first_fail_t, f.first_fail_t);
	cr_assert_eq(g.detect_t, f.detect_t);
	fs = faults_list(JQ_ACTIVE, &n);
	cr_assert_eq(n, 1);
	free(fs);
	cr_log_info("restarted at %.1f; fault %lld kept", t_start,
		    (long long)f.id);

	/* kill -9 again; the agent comes back while slamond is down */
	cr_assert_eq(slamond_stop(SIGKILL, 10), 128 + SIGKILL);
	assert_journal_consistent();
	t_up0 = wall_now();
	cr_assert_eq(agent_snmpsim_start(&agents[0],
					 SLAMON_TESTDATA "/snmprec", port,
					 "bison"),
		     0, "snmpsimd: see %s", agents[0].log);
	t_up1 = wall_now();
	sleep_s(1);
	t_start = wall_now();
	slamond_start(300);
	/* resolved at its first good sample after the restart, once
	 * up_after good polls confirm it */
	g = wait_resolved(f.id, t_start + (UP_AFTER + 1) * IV + SLACK);
	cr_log_info("agent back %.1f..%.1f, slamond %.1f, resolved %.1f",
		    t_up0, t_up1, t_start, g.resolved_t);
	cr_assert(g.resolved_t >= t_start &&
			  g.resolved_t <= t_start + IV + SLACK,
		  "resolved %.1f, first good sample due in [%.1f, %.1f]",
		  g.resolved_t, t_start, t_start + IV + SLACK);
	json_decref(wait_role("access", "up", 1, STATUS_EVERY + 2));
	sleep_s(IV);
	cr_assert_eq(faults_on("acc-zwfw", NULL, NULL), 1);
	cr_assert_eq(device_faults(), 1);
	cr_assert_eq(slamond_stop(SIGTERM, 20), 0);
	assert_journal_consistent();
}

/* ---- 6. an operator closed the fault; the outage goes on over a restart */

Test(outage, closed_fault_of_an_ongoing_outage_is_not_reopened_after_restart)
{
	char rows[512], out[4096], id[32];
	int port = free_port_range(1);
	struct fault f, g;
	double t0, t1;
	int rc;

	snprintf(rows, sizeof(rows), "区民政局,ap-mzj,127.0.0.1:%d,access,,v2,,,\n",
		 port);
	write_inventory(rows);
	write_conf(NULL);
	slamond_start(240);
	f = wait_fault("ap-mzj", wall_now() + (DOWN_AFTER + 2) * IV + SLACK);
	snprintf(id, sizeof(id), "%lld", (long long)f.id);
	/* docs/alerts.md: an operator may close a fault that has not
	 * recovered; its resolution time is still recorded when the object
	 * comes back */
	rc = cli(out, sizeof(out), "close", id, "--note", "线路报修，运营商处理中",
		 "--satisfaction", "基本满意", NULL);
	cr_assert_eq(rc, 0, "%s", out);
	cr_assert_eq(slamond_stop(SIGTERM, 20), 0);

	/* restart while the device is still down: the outage is the same,
	 * so no second fault (issue 3: restart "opens no duplicate for an
	 * outage that is still going on") */
	slamond_start(240);
	sleep_s((DOWN_AFTER + 2) * IV);
	assert_daemon_alive();
	cr_expect_eq(faults_on("ap-mzj", NULL, NULL), 1,
		     "restart opened a second fault for the outage whose "
		     "fault %lld the operator had closed",
		     (long long)f.id);

	/* and when it comes back, the closed fault gets its resolution */
	t0 = wall_now();
	snmpd_start(0, port);
	t1 = wall_now();
	/* until it is resolved, at most up_after + 1 cycles (not
	 * wait_resolved: a miss here is reported, not fatal) */
	for (double end = t1 + (UP_AFTER + 1) * IV + SLACK;;) {
		struct journal *j;
		char err[256];

		cr_assert_eq(journal_open(db, &j, err, sizeof(err)), 0, "%s",
			     err);
		cr_assert_eq(journal_fault_get(j, f.id, &g, err, sizeof(err)),
			     0, "%s", err);
		journal_close(j);
		if (g.resolved_t != 0 || wall_now() >= end)
			break;
		assert_daemon_alive();
		sleep_s(0.2);
	}
	cr_expect(g.resolved_t >= t0 && g.resolved_t <= t1 + IV + SLACK,
		  "closed fault %lld: resolved_t %.1f, agent back at %.1f",
		  (long long)f.id, g.resolved_t, t0);
	cr_assert_eq(faults_on("ap-mzj", NULL, NULL), 1,
		     "more than one fault for one outage");
	cr_assert_eq(slamond_stop(SIGTERM, 20), 0);
	assert_journal_consistent();
}

/* ---- 7. the parent is polled less often than its children ------------ */

Test(outage, parent_polled_less_often_than_children_is_still_one_fault)
{
	char rows[1024];
	int base = free_port_range(3);
	const double piv = 15.0; /* the aggregation switch's interval */
	double t_stop;
	struct fault f;

	for (int i = 0; i < 3; i++)
		snmpd_start(i, base + i);
	snprintf(rows, sizeof(rows),
		 "区汇聚点,agg-2,127.0.0.1:%d,aggregation,,v2,,,\n"
		 "区司法局,ap-sfj,127.0.0.1:%d,access,agg-2,v2,,,\n"
		 "区财政局,ap-czj,127.0.0.1:%d,access,agg-2,v2,,,\n",
		 base, base + 1, base + 2);
	write_inventory(rows);
	write_conf("[intervals]\naggregation = 15\naccess = 5\n");
	slamond_start(300);
	json_decref(wait_role("access", "up", 2, piv + STATUS_EVERY + SLACK));
	json_decref(wait_role("aggregation", "up", 1, piv + STATUS_EVERY));
	for (int i = 0; i < 3; i++)
		agent_stop(&agents[i]);
	t_stop = wall_now();
	/* docs/alerts.md: a child whose parent is failing but not yet down
	 * is held for up to (parent's down_after + 1) x parent's interval,
	 * "so the poll order does not matter" */
	f = wait_fault("agg-2", t_stop + (DOWN_AFTER + 1) * piv + SLACK);
	sleep_s(IV + STATUS_EVERY);
	cr_expect_eq(faults_on("ap-sfj", NULL, NULL), 0,
		     "ap-sfj has its own fault");
	cr_expect_eq(faults_on("ap-czj", NULL, NULL), 0,
		     "ap-czj has its own fault");
	cr_assert_eq(device_faults(), 1, "one outage must be one fault");
	f = wait_fault("agg-2", wall_now() + 1);
	cr_assert_eq(f.nchildren, 2);
	cr_assert_eq(slamond_stop(SIGTERM, 20), 0);
	assert_journal_consistent();
}
