/*
 * slamond_run.c - running slamond from integration tests.
 * SPDX-License-Identifier: MIT
 */
#include "slamond_run.h"

#include "agents.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Does a [general] section of the INI text set user? (A [profile] has a
 * user key of its own: SNMPv3's.) */
static int general_has_user(const char *text)
{
	int general = 0;

	for (const char *l = text; *l != '\0';) {
		size_t n = strcspn(l, "\n");

		while (n > 0 && (*l == ' ' || *l == '\t')) {
			l++;
			n--;
		}
		if (n > 0 && *l == '[')
			general = strncmp(l, "[general]", 9) == 0;
		else if (general && n >= 4 && strncmp(l, "user", 4) == 0 &&
			 strchr(" \t=", l[4]) != NULL)
			return 1;
		l += n;
		if (*l == '\n')
			l++;
	}
	return 0;
}

int slamond_conf_stay_root(const char *conf)
{
	char *text = file_slurp(conf);
	FILE *f;
	int rc = 0;

	if (text == NULL)
		return -errno;
	if (general_has_user(text)) {
		free(text);
		return 0;
	}
	free(text);
	f = fopen(conf, "a");
	if (f == NULL)
		return -errno;
	if (fputs("\n[general]\nuser = root\n", f) == EOF)
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

pid_t slamond_spawn(const char *conf, const char *log,
		    const char *const *extra)
{
	const char *argv[32];
	int n = 0;
	pid_t pid;

	if (getuid() == 0 && slamond_conf_stay_root(conf) < 0)
		return -EIO;

	argv[n++] = "slamond";
	argv[n++] = "-c";
	argv[n++] = conf;
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		/* execv takes char *const[] for history's sake only */
		execv(SLAMOND, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

int slamond_wait_exit(pid_t pid, int timeout_s)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	int st;

	for (int i = 0; i < timeout_s * 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

char *file_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static int udp_port_free(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int ok;

	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

int free_udp_port_range(int n)
{
	static int fds[5000];

	if (n < 1 || n > 5000)
		return -1;
	for (int attempt = 0; attempt < 200; attempt++) {
		int base = 20000 + (int)((getpid() * 7919L + attempt * 104729L +
					  (long)time(NULL)) %
					 (12000 - n));
		int i;

		/* reserve first, then check: a port another suite reserved
		 * but has not bound yet (or stopped its agent on for a
		 * while) is never handed out twice */
		for (i = 0; i < n; i++) {
			fds[i] = agent_port_reserve(base + i);
			if (fds[i] < 0)
				break;
			if (!udp_port_free(base + i)) {
				close(fds[i]);
				break;
			}
		}
		if (i == n)
			return base;
		while (i-- > 0)
			close(fds[i]);
	}
	return -1;
}

double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
