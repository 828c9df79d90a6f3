/*
 * service_int.h - shared by the files of the service probe (service.c:
 * the probe, its handles and HTTP through libcurl; service_tcp.c;
 * service_dns.c). Nothing outside probes/ includes it.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SERVICE_INT_H
#define SLAMON_SERVICE_INT_H

#include <ares.h>
#include <curl/curl.h>
#include <regex.h>

#include "service.h"

struct svc_probe;

/* One service's check in flight. */
struct svc_check {
	struct svc_probe *p;
	uint32_t idx;
	int busy;
	double t0;          /* wall clock at start */
	uint64_t t0_ms;     /* uv_now at start */
	uv_timer_t timer;   /* tcp/dns deadline (dns: c-ares timeouts too) */
	/* http */
	CURL *easy;
	char *body;         /* SVC_BODY_MAX + 1 */
	size_t body_len;
	int body_full;      /* stopped reading at SVC_BODY_MAX */
	char errbuf[CURL_ERROR_SIZE];
	regex_t re;
	int has_re;
	/* tcp */
	struct svc_tcp_try *tcp;
	/* dns */
	ares_channel chan;
	int chan_ok;
	struct svc_sock *socks; /* the channel's sockets */
};

struct svc_probe {
	uv_loop_t *loop;
	const struct service_cfg *sc;
	size_t n;
	svc_result_fn fn;
	void *arg;
	struct svc_check *c;
	CURLM *multi;
	uv_timer_t curl_timer;
	int handles;        /* open libuv handles */
	int closing;
	void (*close_cb)(void *arg);
	void *close_arg;
};

/* A uv_poll_t of a library's socket; the handle is first, so that the
 * common close callback frees the struct. */
struct svc_sock {
	uv_poll_t poll;
	int fd;
	struct svc_probe *p;
	struct svc_check *c; /* dns: the channel's check; http: NULL */
	struct svc_sock *next;  /* dns: the check's sockets */
};

/* Counting handle inits and closes (service.c). */
void svc__handle_opened(struct svc_probe *p);
/* One handle of p was closed (frees p after the last when closing). */
void svc__handle_release(struct svc_probe *p);
/* Close callbacks: _free frees the handle (first member of a malloc'd
 * struct); _keep leaves it (embedded). */
void svc__closed_free(uv_handle_t *h);
void svc__closed_keep(uv_handle_t *h);

/* Ends c's check with r (fills idx, t), hands it over, marks c idle. */
void svc__finish(struct svc_check *c, struct svc_result *r);
/* A result with every time NAN. */
void svc__result_init(struct svc_result *r);
double svc__now(void);

/* HTTP (service.c). */
int svc__http_start(struct svc_check *c);
void svc__http_abandon(struct svc_check *c);

/* TCP (service_tcp.c). */
int svc__tcp_start(struct svc_check *c);
void svc__tcp_abandon(struct svc_check *c);

/* DNS (service_dns.c): a channel per DNS service at create. */
int svc__dns_init(struct svc_check *c, char *err, size_t errlen);
int svc__dns_start(struct svc_check *c);
void svc__dns_abandon(struct svc_check *c);

#endif
