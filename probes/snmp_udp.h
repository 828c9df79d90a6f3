/*
 * snmp_udp.h - one UDP socket per address family, shared by every v1/v2c
 * poll of a probe, inside the libuv loop. Datagrams handed to
 * snmp_udp_send() in one turn of the loop go out together with sendmmsg()
 * just before the loop waits again (a uv_prepare handle); answers are read
 * with recvmmsg(). Tens of thousands of devices then cost two descriptors,
 * not one per device, and a handful of system calls per batch, not four
 * per poll (socket, connect, send, close).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_PROBE_SNMP_UDP_H
#define SLAMON_PROBE_SNMP_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

struct snmp_udp;

struct snmp_udp_hooks {
	/* A datagram arrived (buf is valid during the call only). */
	void (*recv)(void *arg, const uint8_t *buf, size_t len,
		     const struct sockaddr *from);
	/* The datagram queued with cookie could not be sent (errno). */
	void (*send_error)(void *arg, uint32_t cookie, int err);
	void *arg;
};

/* Creates the transport; sockets open on first use per family. Returns 0
 * or -ENOMEM. */
int snmp_udp_create(uv_loop_t *loop, const struct snmp_udp_hooks *hooks,
		    struct snmp_udp **ret_u);

/* Queues a copy of buf for to (sockaddr_in or sockaddr_in6). Returns 0,
 * -EMSGSIZE, or a negative errno when the family's socket cannot be
 * opened (then nothing is queued and send_error is not called). */
int snmp_udp_send(struct snmp_udp *u, const struct sockaddr *to,
		  const uint8_t *buf, size_t len, uint32_t cookie);

/* Closes handles and sockets; close_cb(arg) runs once libuv let go of
 * them, then snmp_udp_destroy() may free. Queued datagrams are dropped. */
void snmp_udp_close(struct snmp_udp *u, void (*close_cb)(void *arg),
		    void *arg);
void snmp_udp_destroy(struct snmp_udp *u);

#endif
