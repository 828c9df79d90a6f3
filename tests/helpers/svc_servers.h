/*
 * svc_servers.h - the local servers of the service probe tests
 * (tests/helpers/svc_servers.py run by /usr/bin/python3): HTTPS with a
 * certificate that expires in 10 days, HTTP, a TCP port that accepts and
 * never answers, and a DNS responder, all on 127.0.0.1.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TEST_SVC_SERVERS_H
#define SLAMON_TEST_SVC_SERVERS_H

#include <sys/types.h>

struct svc_servers {
	pid_t pid;
	char dir[4096];  /* cert.pem, key.pem, ports.json */
	int https, http, hang, dns;
};

/* Makes a self-signed certificate for 127.0.0.1/localhost valid for 10
 * days in dir (openssl), starts the servers and waits (15 s at most)
 * until they listen. 0, or a negative errno (the servers stopped). */
int svc_servers_start(struct svc_servers *s, const char *dir);

/* Stops them (SIGTERM, then SIGKILL) and reaps the process. Safe on a
 * zeroed or stopped struct. */
void svc_servers_stop(struct svc_servers *s);

/* A TCP port of 127.0.0.1 bound but not listening (a connect is
 * refused); *ret_fd holds it until closed. The port or a negative errno. */
int svc_closed_tcp_port(int *ret_fd);

#endif
