/*
 * http_receiver.c - see http_receiver.h.
 * SPDX-License-Identifier: MIT
 */
#include "http_receiver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct http_receiver {
	int fd, port, status, delay_ms;
	char body[1024];
	pthread_t thread;
	pthread_mutex_t mu;
	volatile bool stop;
	int count;
	char last[8192];
};

/* Reads one request (headers + Content-Length body) into buf. */
static int read_request(struct http_receiver *r, int c, char *buf, size_t len)
{
	size_t have = 0;
	char *hend, *cl;
	long need = -1;

	while (have + 1 < len && !r->stop) {
		struct pollfd p = { c, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(c, buf + have, len - 1 - have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		hend = strstr(buf, "\r\n\r\n");
		if (hend == NULL)
			continue;
		if (need < 0) {
			cl = strcasestr(buf, "Content-Length:");
			need = cl ? strtol(cl + 15, NULL, 10) : 0;
		}
		if ((long)(have - (size_t)(hend + 4 - buf)) >= need)
			return (int)(hend + 4 - buf);
	}
	return -1;
}

static void serve(struct http_receiver *r, int c)
{
	char buf[8192], resp[2048];
	int off = read_request(r, c, buf, sizeof(buf));
	int n;

	if (off < 0)
		return;
	pthread_mutex_lock(&r->mu);
	r->count++;
	snprintf(r->last, sizeof(r->last), "%s", buf + off);
	pthread_mutex_unlock(&r->mu);
	for (int waited = 0; waited < r->delay_ms && !r->stop; waited += 20)
		usleep(20 * 1000);
	n = snprintf(resp, sizeof(resp),
		     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		     r->status, strlen(r->body), r->body);
	send(c, resp, (size_t)n, MSG_NOSIGNAL);
}

static void *loop(void *arg)
{
	struct http_receiver *r = arg;

	while (!r->stop) {
		struct pollfd p = { r->fd, POLLIN, 0 };
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(r->fd, NULL, NULL);
		if (c < 0)
			continue;
		serve(r, c);
		close(c);
	}
	return NULL;
}

int http_receiver_start(struct http_receiver **ret, int status,
			const char *body, int delay_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct http_receiver *r = calloc(1, sizeof(*r));
	int one = 1, rc;

	*ret = NULL;
	if (r == NULL)
		return -ENOMEM;
	r->status = status;
	r->delay_ms = delay_ms;
	snprintf(r->body, sizeof(r->body), "%s", body ? body : "{}");
	pthread_mutex_init(&r->mu, NULL);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		goto err;
	setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(r->fd, 16) < 0 ||
	    getsockname(r->fd, (struct sockaddr *)&sa, &sl) < 0)
		goto err;
	r->port = ntohs(sa.sin_port);
	rc = pthread_create(&r->thread, NULL, loop, r);
	if (rc != 0) {
		errno = rc;
		goto err;
	}
	*ret = r;
	return 0;
err:
	rc = -errno;
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	return rc;
}

int http_receiver_port(const struct http_receiver *r)
{
	return r->port;
}

int http_receiver_count(struct http_receiver *r)
{
	int n;

	pthread_mutex_lock(&r->mu);
	n = r->count;
	pthread_mutex_unlock(&r->mu);
	return n;
}

void http_receiver_last_body(struct http_receiver *r, char *out, size_t len)
{
	pthread_mutex_lock(&r->mu);
	snprintf(out, len, "%s", r->last);
	pthread_mutex_unlock(&r->mu);
}

void http_receiver_stop(struct http_receiver *r)
{
	if (r == NULL)
		return;
	r->stop = true;
	pthread_join(r->thread, NULL);
	close(r->fd);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
