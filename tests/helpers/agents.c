/*
 * Test helpers: start and stop real SNMP agents on loopback, temporary
 * folders, commands with a timeout. See agents.h.
 *
 * Agents are plain child processes of the test (fork + execvpe), each in its
 * own process group and with PR_SET_PDEATHSIG so a test killed by its timeout
 * does not leave agents behind (snmpd; snmpsimd loses the setting when it
 * drops to nobody, see prctl(2)). Readiness is "an SNMP GET is answered",
 * asked with net-snmp's snmpget using numeric OIDs because Debian's tools load
 * no MIB modules by default.
 * SPDX-License-Identifier: MIT
 */
#include "agents.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define OID_SYSUPTIME "1.3.6.1.2.1.1.3.0"
#define OID_SYSDESCR "1.3.6.1.2.1.1.1.0"
#define OID_SYSCONTACT "1.3.6.1.2.1.1.4.0"
#define SNMPSIM_READY_S 60
#define SNMPD_READY_S 30

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Ports are reserved across the test processes of one machine, which
 * ctest -j runs side by side: a reservation is an AF_UNIX socket bound to
 * the abstract name "slamon-test-port-N" (unix(7)), which the kernel
 * frees when the last descriptor closes, so it lasts exactly as long as
 * the test process (or a child that inherited it: SOCK_CLOEXEC keeps
 * agents from inheriting it across exec) and leaves no file behind.
 * Abstract names are per network namespace, like the ports themselves.
 * Returns the socket (kept open on purpose) or a negative errno;
 * -EADDRINUSE when another process holds the port. */
int agent_port_reserve(int port)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd, n;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	n = snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
		     "slamon-test-port-%d", port);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			  (size_t)n);
	if (bind(fd, (struct sockaddr *)&sun, len) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* An ephemeral port the kernel just handed out, or a negative errno. */
static int ephemeral_udp_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, rc, port;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	if (rc == 0)
		rc = getsockname(fd, (struct sockaddr *)&sin, &len);
	port = rc == 0 ? ntohs(sin.sin_port) : -errno;
	close(fd);
	return port;
}

int agent_free_udp_port(void)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		int port = ephemeral_udp_port();
		int rc;

		if (port < 0)
			return port;
		rc = agent_port_reserve(port);
		if (rc >= 0)
			return port;
		if (rc != -EADDRINUSE)
			return rc;
	}
	return -EADDRINUSE;
}

int tmpdir_make(char *out, size_t outlen, const char *prefix)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	n = snprintf(out, outlen, "%s/%sXXXXXX", base, prefix ? prefix : "");
	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	if (mkdtemp(out) == NULL)
		return -errno;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void tmpdir_remove(const char *path)
{
	if (path == NULL || path[0] == '\0' || strcmp(path, "/") == 0)
		return;
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");
	size_t len = strlen(data);
	int rc = 0;

	if (f == NULL)
		return -errno;
	if (fwrite(data, 1, len, f) != len)
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* environ plus the "KEY=VALUE" strings of add (which replace same keys), for
 * execvpe: built before fork because the child may only call
 * async-signal-safe functions. The array is malloc'd, the strings are not
 * copied. */
static char **env_with(char *const add[])
{
	size_t n = 0, k = 0, i, j;
	char **env;

	while (environ[n] != NULL)
		n++;
	while (add[k] != NULL)
		k++;
	env = calloc(n + k + 1, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (i = 0, n = 0; environ[i] != NULL; i++) {
		for (j = 0; j < k; j++) {
			size_t kl = strcspn(add[j], "=") + 1;
			if (strncmp(environ[i], add[j], kl) == 0)
				break;
		}
		if (j == k)
			env[n++] = environ[i];
	}
	for (j = 0; j < k; j++)
		env[n++] = add[j];
	return env;
}

/* Forks and execs argv in a new process group with stdin from /dev/null and
 * stdout/stderr on out_fd. pdeath: ask for SIGTERM when we die. Returns the
 * pid or a negative errno. */
static pid_t spawn(char *const argv[], char *const envp[], int out_fd,
		   int pdeath)
{
	pid_t parent = getpid(), pid;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (devnull < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(devnull);
		return -e;
	}
	if (pid == 0) {
		setpgid(0, 0);
		if (pdeath) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(126);
		}
		dup2(devnull, 0);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		execvpe(argv[0], argv, envp ? envp : environ);
		_exit(127);
	}
	close(devnull);
	return pid;
}

/* Waits up to timeout_ms for pid to exit; returns its wait status or -1. */
static int wait_exit(pid_t pid, long timeout_ms)
{
	int status;
	double deadline = now_s() + (double)timeout_ms / 1000.0;

	do {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return r == pid ? status : 0;
		sleep_ms(20);
	} while (now_s() < deadline);
	return -1;
}

/* Reads what is ready on fd into out[*len..], dropping what does not fit.
 * Returns 0 at end of file, 1 otherwise. */
static int drain(int fd, char *out, size_t outlen, size_t *len)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	size_t room, take;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (n == 0)
		return 0;
	room = outlen > *len + 1 ? outlen - *len - 1 : 0;
	take = (size_t)n < room ? (size_t)n : room;
	if (take > 0) {
		memcpy(out + *len, buf, take);
		*len += take;
	}
	return 1;
}

int run_cmd(char *const argv[], char *out, size_t outlen, int timeout_s)
{
	double deadline = now_s() + timeout_s;
	size_t len = 0;
	int fds[2], status = 0, open_pipe = 1, exited = 0;
	pid_t pid;

	if (outlen > 0)
		out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = spawn(argv, NULL, fds[1], 0);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return pid;
	}
	/* Read until EOF (every writer gone) and the child exited. A daemon
	 * the command started keeps the pipe only if it did not redirect its
	 * output; the deadline bounds that case too. */
	for (;;) {
		double left = deadline - now_s();
		struct pollfd pfd = {fds[0], POLLIN, 0};
		pid_t r;

		if (left <= 0)
			break;
		if (open_pipe) {
			int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
			if (pr > 0)
				open_pipe = drain(fds[0], out, outlen, &len);
			continue;
		}
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			exited = 1;
			break;
		}
		sleep_ms(10);
	}
	close(fds[0]);
	if (outlen > 0)
		out[len] = '\0';
	if (!exited && waitpid(pid, &status, WNOHANG) != pid) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -ETIMEDOUT;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Whether anything answers a v2c GET on 127.0.0.1:port (a noSuchName or
 * other error in the response counts: the agent is up). With token, the
 * answer must also contain it (sysContact.0 is asked for as well). */
static int snmp_answers(int port, const char *community, const char *token)
{
	char target[64], out[1024];
	char *argv[] = {"snmpget", "-v2c", "-c", (char *)(uintptr_t)community,
			"-t", "1", "-r", "0", target, OID_SYSUPTIME,
			token ? OID_SYSCONTACT : OID_SYSDESCR, NULL};
	int rc;

	snprintf(target, sizeof(target), "127.0.0.1:%d", port);
	rc = run_cmd(argv, out, sizeof(out), 10);
	if (token != NULL)
		return rc == 0 && strstr(out, token) != NULL;
	return rc == 0 || (rc > 0 && strstr(out, "Error in packet") != NULL);
}

static void print_log_tail(const struct agent *a, const char *what)
{
	char buf[2048];
	FILE *f = fopen(a->log, "r");
	size_t n = 0;
	long size;

	fprintf(stderr, "agents: %s on 127.0.0.1:%d did not answer; log %s:\n",
		what, a->port, a->log);
	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size > (long)sizeof(buf) - 1)
		fseek(f, size - (long)sizeof(buf) + 1, SEEK_SET);
	else
		fseek(f, 0, SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	fprintf(stderr, "%s\n", buf);
}

/* Waits until the agent answers (with token in sysContact.0 when token is
 * not NULL) or its process dies or timeout_s passes. An answer only counts
 * while our process still lives a moment later: an agent that failed to bind
 * must not pass for ready because another one holds the port. On failure
 * stops the agent (keeping a->dir for the log) and returns -ETIMEDOUT. */
static int wait_ready(struct agent *a, const char *community,
		      const char *token, int timeout_s, const char *what)
{
	double deadline = now_s() + timeout_s;
	int status;

	while (now_s() < deadline) {
		if (waitpid(a->pid, &status, WNOHANG) == a->pid) {
			a->pid = 0;
			break;
		}
		if (snmp_answers(a->port, community, token)) {
			sleep_ms(200);
			if (waitpid(a->pid, &status, WNOHANG) != a->pid)
				return 0;
			a->pid = 0;
			break;
		}
		sleep_ms(100);
	}
	print_log_tail(a, what);
	if (a->pid > 0) {
		kill(a->pid, SIGKILL);
		waitpid(a->pid, &status, 0);
		a->pid = 0;
	}
	return -ETIMEDOUT;
}

/* Creates a->dir and opens a->log for the child's output. Returns the log fd
 * or a negative errno. */
static int agent_prepare(struct agent *a, int port, const char *prefix)
{
	int rc, fd;

	memset(a, 0, sizeof(*a));
	a->port = port;
	rc = tmpdir_make(a->dir, sizeof(a->dir), prefix);
	if (rc < 0)
		return rc;
	rc = snprintf(a->log, sizeof(a->log), "%s/agent.log", a->dir);
	if (rc < 0 || (size_t)rc >= sizeof(a->log)) {
		tmpdir_remove(a->dir);
		a->dir[0] = '\0';
		return -ENAMETOOLONG;
	}
	fd = open(a->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		rc = -errno;
		tmpdir_remove(a->dir);
		a->dir[0] = '\0';
		return rc;
	}
	return fd;
}

int agent_snmpsim_start(struct agent *a, const char *data_dir, int port,
			const char *ready_community)
{
	char data_arg[4200], cache_arg[4200], cache[4150], ep[64];
	char *argv[10];
	int fd, n = 0, rc;
	pid_t pid;

	/* snmpsim has no identity to check in its answers: refuse a port
	 * where something already answers this community. */
	if (snmp_answers(port, ready_community, NULL))
		return -EADDRINUSE;
	fd = agent_prepare(a, port, "slamon-snmpsim-");
	if (fd < 0)
		return fd;
	snprintf(cache, sizeof(cache), "%s/cache", a->dir);
	snprintf(data_arg, sizeof(data_arg), "--data-dir=%s", data_dir);
	snprintf(cache_arg, sizeof(cache_arg), "--cache-dir=%s", cache);
	snprintf(ep, sizeof(ep), "--agent-udpv4-endpoint=127.0.0.1:%d", port);
	if (mkdir(cache, 0755) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	argv[n++] = "snmpsimd";
	argv[n++] = data_arg;
	argv[n++] = cache_arg;
	argv[n++] = ep;
	if (geteuid() == 0) {
		/* snmpsimd refuses to run as root; as nobody it must still
		 * traverse a->dir and write its index cache. */
		struct passwd *pw = getpwnam("nobody");
		struct group *gr = getgrnam("nogroup");

		chmod(a->dir, 0755);
		if (pw != NULL && gr != NULL &&
		    chown(cache, pw->pw_uid, gr->gr_gid) < 0)
			fprintf(stderr, "agents: chown %s: %s\n", cache,
				strerror(errno));
		argv[n++] = "--process-user=nobody";
		argv[n++] = "--process-group=nogroup";
	}
	argv[n] = NULL;
	pid = spawn(argv, NULL, fd, 1);
	close(fd);
	if (pid < 0)
		return pid;
	a->pid = pid;
	return wait_ready(a, ready_community, NULL, SNMPSIM_READY_S,
			  "snmpsimd");
}

/* The snmpd config of agent_snmpd_start. */
static int snmpd_write_conf(const char *path, const char *dir, int port,
			    int port2, const char *community,
			    const char *v3user, const char *authpass,
			    const char *privpass)
{
	char conf[2048], addr2[48] = "";
	int n;

	if (port2 > 0)
		snprintf(addr2, sizeof(addr2), ",udp:127.0.0.1:%d", port2);
	n = snprintf(conf, sizeof(conf),
		     "# generated by tests/helpers/agents.c\n"
		     "agentaddress udp:127.0.0.1:%d%s\n"
		     "rocommunity %s 127.0.0.1\n"
		     "sysLocation slamon test agent\n"
		     "sysContact %s\n", /* identifies this agent */
		     port, addr2, community, dir);
	if (v3user != NULL)
		n += snprintf(conf + n, sizeof(conf) - (size_t)n,
			      "createUser %s SHA %s AES %s\n"
			      "rouser %s priv\n",
			      v3user, authpass, privpass, v3user);
	if (n < 0 || (size_t)n >= sizeof(conf))
		return -ENAMETOOLONG;
	return write_file(path, conf);
}

int agent_snmpd_start(struct agent *a, int port, const char *community,
		      const char *v3user, const char *authpass,
		      const char *privpass)
{
	return agent_snmpd_start2(a, port, 0, community, v3user, authpass,
				  privpass);
}

int agent_snmpd_start2(struct agent *a, int port, int port2,
		       const char *community, const char *v3user,
		       const char *authpass, const char *privpass)
{
	/* The config must not be named snmpd.conf: snmpd rewrites
	 * <persistentDir>/snmpd.conf, so it lives apart from persist/. */
	char conf[4150], persist[4150], pidfile[4150], penv[4200];
	char *env_add[] = {penv, "MIBS=", NULL};
	char *argv[] = {"snmpd", "-f", "-Lf", a->log, "-C", "-c", conf,
			"-p", pidfile, NULL};
	char **envp;
	int fd, rc;
	pid_t pid;

	fd = agent_prepare(a, port, "slamon-snmpd-");
	if (fd < 0)
		return fd;
	/* agent_prepare cleared a; argv[3] points into it, still valid. */
	snprintf(conf, sizeof(conf), "%s/agent.conf", a->dir);
	snprintf(persist, sizeof(persist), "%s/persist", a->dir);
	snprintf(pidfile, sizeof(pidfile), "%s/snmpd.pid", a->dir);
	snprintf(penv, sizeof(penv), "SNMP_PERSISTENT_DIR=%s", persist);
	rc = mkdir(persist, 0700) < 0 ? -errno : 0;
	if (rc == 0)
		rc = snmpd_write_conf(conf, a->dir, port, port2, community,
				      v3user, authpass, privpass);
	envp = rc == 0 ? env_with(env_add) : NULL;
	if (rc == 0 && envp == NULL)
		rc = -ENOMEM;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	/* snmpd writes its own log with -Lf; our fd gets only early stderr. */
	pid = spawn(argv, envp, fd, 1);
	free(envp);
	close(fd);
	if (pid < 0)
		return pid;
	a->pid = pid;
	return wait_ready(a, community, a->dir, SNMPD_READY_S, "snmpd");
}

void agent_stop(struct agent *a)
{
	const char *keep = getenv("SLAMON_KEEP_TMP");

	if (a == NULL)
		return;
	if (a->pid > 0) {
		kill(a->pid, SIGTERM);
		if (wait_exit(a->pid, 5000) < 0) {
			kill(a->pid, SIGKILL);
			waitpid(a->pid, NULL, 0);
		}
		a->pid = 0;
	}
	if (a->dir[0] != '\0' && (keep == NULL || keep[0] == '\0')) {
		tmpdir_remove(a->dir);
		a->dir[0] = '\0';
	}
}
