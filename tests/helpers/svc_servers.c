/*
 * svc_servers.c - starts and stops tests/helpers/svc_servers.py
 * (svc_servers.h).
 * SPDX-License-Identifier: MIT
 */
#include "svc_servers.h"

#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agents.h"

static int make_cert(const char *dir)
{
	char key[4200], crt[4200], out[2048];
	char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec",
			 "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
			 "-keyout", key, "-out", crt, "-days", "10", "-subj",
			 "/CN=localhost", "-addext",
			 "subjectAltName=IP:127.0.0.1,DNS:localhost", NULL };
	int rc;

	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(crt, sizeof(crt), "%s/cert.pem", dir);
	rc = run_cmd(argv, out, sizeof(out), 30);
	if (rc != 0) {
		fprintf(stderr, "openssl req: %d: %s\n", rc, out);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

static int read_ports(struct svc_servers *s, const char *path)
{
	json_t *root = json_load_file(path, 0, NULL);

	if (root == NULL)
		return -EAGAIN;
	s->https = (int)json_integer_value(json_object_get(root, "https"));
	s->http = (int)json_integer_value(json_object_get(root, "http"));
	s->hang = (int)json_integer_value(json_object_get(root, "hang"));
	s->dns = (int)json_integer_value(json_object_get(root, "dns"));
	json_decref(root);
	return s->https > 0 && s->http > 0 && s->hang > 0 && s->dns > 0
		       ? 0
		       : -EPROTO;
}

int svc_servers_start(struct svc_servers *s, const char *dir)
{
	char ports[4200], script[4200];
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	rc = make_cert(dir);
	if (rc < 0)
		return rc;
	snprintf(ports, sizeof(ports), "%s/ports.json", dir);
	snprintf(script, sizeof(script), "%s/tests/helpers/svc_servers.py",
		 SLAMON_SOURCE_DIR);
	s->pid = fork();
	if (s->pid < 0)
		return -errno;
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl("/usr/bin/python3", "python3", script, dir, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		int st;

		if (read_ports(s, ports) == 0)
			return 0;
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			return -ECHILD;
		}
		nanosleep(&tick, NULL);
	}
	svc_servers_stop(s);
	return -ETIMEDOUT;
}

void svc_servers_stop(struct svc_servers *s)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	int st;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			return;
		}
		nanosleep(&tick, NULL);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
	s->pid = 0;
}

int svc_closed_tcp_port(int *ret_fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	*ret_fd = fd;
	return ntohs(sa.sin_port);
}
