/*
 * rrdcached.c - a small client for rrdcached's BATCH command (rrdcached(1),
 * "BATCH"), which librrd 1.7.2 does not expose (its rrdc_update sends one
 * UPDATE and waits for its answer: one round trip per file update). One
 * BATCH carries the updates of many rows in one write and one answer:
 *
 *   -> BATCH
 *   <- 0 Go ahead.  End with dot '.' on its own line.
 *   -> UPDATE /path/a.v4.rrd 1700000000:1:2
 *   -> UPDATE /path/b.v4.rrd 1700000000:3:4
 *   -> .
 *   <- 1 errors
 *   <- 2 illegal attempt to update using time ...
 *
 * (successful commands answer nothing inside a batch; each error line
 * starts with the command's number, from 1). The connection is the writer
 * thread's own, beside librrd's process-wide one (CREATE, LAST, FLUSH).
 * SPDX-License-Identifier: MIT
 */
#include "rrd_int.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define IO_TIMEOUT_MS 30000 /* a batch of thousands of updates is quick */

void storage__rrdc_init(struct storage_rrdc *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void storage__rrdc_close(struct storage_rrdc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->rlen = 0;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* "host:port", "[v6]:port" or "host" (port 42217, rrdcached's default). */
static int connect_tcp(const char *addr)
{
	char host[256], port[16] = "42217";
	struct addrinfo hints, *res = NULL, *ai;
	const char *colon;
	int fd = -ECONNREFUSED, rc;

	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');

		if (end == NULL || (size_t)(end - addr - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr + 1, (size_t)(end - addr - 1));
		host[end - addr - 1] = '\0';
		if (end[1] == ':')
			snprintf(port, sizeof(port), "%s", end + 2);
	} else {
		colon = strrchr(addr, ':');
		if (colon != NULL && strchr(addr, ':') == colon) {
			if ((size_t)(colon - addr) >= sizeof(host))
				return -EINVAL;
			memcpy(host, addr, (size_t)(colon - addr));
			host[colon - addr] = '\0';
			snprintf(port, sizeof(port), "%s", colon + 1);
		} else {
			snprintf(host, sizeof(host), "%s", addr);
		}
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		return -EHOSTUNREACH;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			fd = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		rc = -errno;
		close(fd);
		fd = rc;
	}
	freeaddrinfo(res);
	return fd;
}

int storage__rrdc_open(struct storage_rrdc *c, const char *addr)
{
	int fd;

	if (c->fd >= 0)
		return 0;
	if (strncmp(addr, "unix:", 5) == 0)
		fd = connect_unix(addr + 5);
	else if (addr[0] == '/')
		fd = connect_unix(addr);
	else
		fd = connect_tcp(addr);
	if (fd < 0)
		return fd;
	c->fd = fd;
	c->rlen = 0;
	return 0;
}

static int send_all(struct storage_rrdc *c, const char *p, size_t len)
{
	while (len > 0) {
		struct pollfd pfd = { c->fd, POLLOUT, 0 };
		ssize_t n;

		if (poll(&pfd, 1, IO_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One answer line (without its newline) into line. */
static int read_line(struct storage_rrdc *c, char *line, size_t len)
{
	for (;;) {
		char *nl = memchr(c->rbuf, '\n', c->rlen);
		struct pollfd pfd = { c->fd, POLLIN, 0 };
		ssize_t n;

		if (nl != NULL) {
			size_t l = (size_t)(nl - c->rbuf);

			snprintf(line, len, "%.*s", (int)l, c->rbuf);
			memmove(c->rbuf, nl + 1, c->rlen - l - 1);
			c->rlen -= l + 1;
			return 0;
		}
		if (c->rlen == sizeof(c->rbuf))
			return -EPROTO; /* a line longer than the buffer */
		if (poll(&pfd, 1, IO_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
		n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen,
			 0);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		c->rlen += (size_t)n;
	}
}

int storage__rrdc_batch(struct storage_rrdc *c, const char *cmds, size_t len,
			storage_rrdc_err_fn on_err, void *arg, char *err,
			size_t errlen)
{
	char line[1024];
	long nerr;
	int rc;

	rc = send_all(c, "BATCH\n", 6);
	if (rc == 0)
		rc = read_line(c, line, sizeof(line));
	if (rc < 0) {
		/* nothing of the batch went out: the caller may retry */
		snprintf(err, errlen, "%s", strerror(-rc));
		storage__rrdc_close(c);
		return -ENOTCONN;
	}
	if (line[0] != '0') {
		snprintf(err, errlen, "BATCH refused: %s", line);
		storage__rrdc_close(c);
		return -EPROTO;
	}
	if (rc == 0)
		rc = send_all(c, cmds, len);
	if (rc == 0)
		rc = send_all(c, ".\n", 2);
	if (rc == 0)
		rc = read_line(c, line, sizeof(line));
	if (rc < 0) {
		snprintf(err, errlen, "%s", strerror(-rc));
		storage__rrdc_close(c);
		return rc;
	}
	nerr = strtol(line, NULL, 10);
	if (nerr < 0) {
		snprintf(err, errlen, "BATCH: %s", line);
		storage__rrdc_close(c);
		return -EPROTO;
	}
	for (long i = 0; i < nerr; i++) {
		char *msg;
		long cmd;

		rc = read_line(c, line, sizeof(line));
		if (rc < 0) {
			snprintf(err, errlen, "%s", strerror(-rc));
			storage__rrdc_close(c);
			return rc;
		}
		cmd = strtol(line, &msg, 10);
		while (*msg == ' ')
			msg++;
		if (cmd >= 1 && on_err != NULL)
			on_err(arg, (size_t)cmd - 1, msg);
	}
	return (int)nerr;
}
