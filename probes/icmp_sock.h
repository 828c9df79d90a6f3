/*
 * icmp_sock.h - what the echo probe (icmp.c) and the sweep (icmp_sweep.c)
 * share: opening an ICMP socket and the Internet checksum.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_ICMP_SOCK_H
#define SLAMON_PROBE_ICMP_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A non-blocking ICMP (AF_INET) or ICMPv6 (AF_INET6) socket: raw when the
 * process may (*ret_raw true; the kernel is then asked to pass only echo
 * replies, best effort), else a Linux ping socket (icmp(7)). Returns the
 * descriptor or the negative errno of the ping socket. */
int icmp_sock_open(int family, bool *ret_raw);

/* RFC 1071 checksum of data, in network byte order (ICMPv4: the kernel
 * fills in the ICMPv6 one). */
uint16_t icmp_cksum(const void *data, size_t len);

#endif
