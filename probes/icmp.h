/*
 * icmp.h - the ICMP echo probe: "does this address answer ping?", on the
 * libuv loop, for the alerts rule that tells a dead SNMP agent from a dead
 * device (docs/alerts.md, "No SNMP data").
 *
 * One socket per address family for every target (raw ICMP as root, else a
 * Linux "ping socket", SOCK_DGRAM/IPPROTO_ICMP, when net.ipv4.
 * ping_group_range allows it), joined to the loop with one uv_poll_t each
 * and one one-shot uv_timer_t for every request's timeout. Requests carry a
 * per-process identifier and their own sequence number; a reply is matched
 * by (address, sequence). Only probes/icmp.c touches raw sockets.
 *
 * Like the capture handles, the probe is created at start-up while the
 * daemon still has CAP_NET_RAW (docs/architecture.md).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_ICMP_H
#define SLAMON_PROBE_ICMP_H

#include <stddef.h>
#include <sys/socket.h>
#include <uv.h>

/* Requests in flight at most; icmp_probe_ping() returns -EBUSY beyond. */
#define ICMP_PROBE_INFLIGHT 256

struct icmp_probe;

/* Result of one echo request: status 0 (answered, rtt_ms set) or
 * -ETIMEDOUT (no reply within the timeout). */
typedef void (*icmp_probe_cb)(void *arg, int status, double rtt_ms);

/* Opens the sockets (IPv4 and, when possible, IPv6) and joins them to
 * loop. Returns 0 and *ret_p, or the negative errno of the IPv4 socket
 * (-EPERM/-EACCES without CAP_NET_RAW and no ping socket allowed) with a
 * one-line reason in err; an IPv6 socket that cannot be opened only makes
 * IPv6 targets fail with -EAFNOSUPPORT. */
int icmp_probe_create(uv_loop_t *loop, struct icmp_probe **ret_p, char *err,
		      size_t errlen);

/* Sends one echo request to sa (AF_INET or AF_INET6; the port is ignored)
 * and calls cb once, on the loop, with the reply or the timeout. Returns 0,
 * or -EBUSY (ICMP_PROBE_INFLIGHT in flight), -EAFNOSUPPORT, -EINVAL, or the
 * send error (-ENETUNREACH ...); on error cb is never called. */
int icmp_probe_ping(struct icmp_probe *p, const struct sockaddr *sa,
		    int timeout_ms, icmp_probe_cb cb, void *arg);

/* Drops every pending request whose callback argument is arg: their
 * callbacks are never called (for an owner that goes away first). */
void icmp_probe_cancel(struct icmp_probe *p, void *arg);

/* Requests still waiting for a reply. */
size_t icmp_probe_pending(const struct icmp_probe *p);

/* Drops every pending request (no callbacks), closes the handles and the
 * sockets, and frees p in the last close callback, then calls cb(arg)
 * (cb may be NULL). Accepts NULL p (cb is then not called). */
void icmp_probe_close(struct icmp_probe *p, void (*cb)(void *arg),
		      void *arg);

#endif
