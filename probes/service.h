/*
 * service.h - the service probe: is this HTTP(S) URL, TCP port or DNS
 * name answering as it should, and how fast? One check at a time per
 * service, on the libuv loop:
 *
 *   http/https  libcurl's multi-socket API (curl_multi_socket_action): one
 *               multi handle, a uv_poll_t per socket curl opens, one
 *               uv_timer_t for curl's timeouts (docs/services.md says why)
 *   tcp         uv_tcp_connect, with a uv_timer_t deadline
 *   dns         c-ares, one channel per service (its own server), its
 *               sockets through uv_poll_t, its timeouts through a timer
 *
 * A check always ends with exactly one result: answered, or failed with a
 * reason a NOC reads ("DNS: name not found", "TLS: certificate verify
 * failed", "HTTP 500", "timeout after 10 s (waiting for the answer)",
 * "redirect loop (more than 5 redirects)"). Only probes/ includes curl and
 * c-ares headers.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_SERVICE_H
#define SLAMON_PROBE_SERVICE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "probes/service_config.h"

/* Bytes of a response body kept for the content match. */
#define SVC_BODY_MAX (64 * 1024)

enum svc_fail {
	SVCF_OK,
	SVCF_DNS,      /* name not found, resolver failure */
	SVCF_CONNECT,  /* refused, unreachable */
	SVCF_TLS,      /* handshake, certificate verification */
	SVCF_TIMEOUT,
	SVCF_STATUS,   /* HTTP status not accepted */
	SVCF_CONTENT,  /* match not found; dns: expected address missing */
	SVCF_REDIRECT, /* more than max_redirects */
	SVCF_ERROR,    /* anything else (the library's words) */
	SVCF_COUNT
};

/* "ok", "dns", "connect", "tls", "timeout", "status", "content",
 * "redirect", "error". */
const char *svc_fail_name(int f);

/* One check's result. Fixed size, pointer free. Times in milliseconds,
 * NAN when not measured (a phase that did not happen). */
struct svc_result {
	uint32_t svc;         /* index into the service list */
	int ok;
	int fail;             /* enum svc_fail */
	char reason[192];     /* "" when ok */
	long http_status;     /* 0 when none */
	double total_ms;      /* whole check (tcp: connect, dns: lookup) */
	double dns_ms, connect_ms, tls_ms, ttfb_ms; /* each phase alone */
	double cert_days;     /* https: days left on the server's
	                         certificate, NAN unknown */
	char cert_expiry[40]; /* its "notAfter", as the TLS library says */
	double t;             /* wall clock when the check started */
};

typedef void (*svc_result_fn)(void *arg, const struct svc_result *r);

struct svc_probe;

/* A probe for the n services of sc (sc must outlive it). fn gets every
 * result on the loop thread. 0 and *ret_p, or -ENOMEM / -EIO (a library
 * failed to start; err says which). */
int svc_probe_create(uv_loop_t *loop, const struct service_cfg *sc, size_t n,
		     svc_result_fn fn, void *arg, struct svc_probe **ret_p,
		     char *err, size_t errlen);

/* Starts one check of service i: 0 (its result will come), -EBUSY (one is
 * running), -EINVAL (no such service), -ECANCELED (closing). When a check
 * cannot even start (out of memory) its failed result is given at once and
 * 0 returned. */
int svc_probe_check(struct svc_probe *p, size_t i);

/* Is a check of service i running? */
int svc_probe_busy(const struct svc_probe *p, size_t i);

/* Abandons every running check (no more results), closes every handle and
 * frees p in the last close callback, then calls cb(arg) (may be NULL).
 * Accepts NULL p (cb is then not called). */
void svc_probe_close(struct svc_probe *p, void (*cb)(void *arg), void *arg);

#endif
