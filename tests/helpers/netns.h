/*
 * netns.h - two network namespaces of the test's own joined by a veth
 * pair with fixed addresses and static neighbours (no IPv6, no ARP), for
 * tests that send real traffic without touching the host's network.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TEST_NETNS_H
#define SLAMON_TEST_NETNS_H

struct veth_link {
	char ns_a[32], ns_b[32], veth_a[16], veth_b[16];
	const char *addr_a, *addr_b; /* IPv4, a /24 */
	const char *mac_a, *mac_b;
	int made_a, made_b;
};

/* Names the namespaces "slamon-TAG-a-PID" / "-b-" and the veths
 * "SHORTPID a|b" (interface names have at most 15 bytes). */
void veth_link_names(struct veth_link *l, const char *tag,
		     const char *short_tag);

/* Creates both namespaces, the pair, addresses, neighbours; brings lo of
 * ns_a and both ends up. Skips the test (with why_skip) when namespaces
 * cannot be created; asserts the rest. */
void veth_link_make(struct veth_link *l, const char *why_skip);

/* Deletes what veth_link_make made. */
void veth_link_remove(struct veth_link *l);

/* Moves this thread into namespace name: the fd of the previous one (for
 * netns_leave), or -1. */
int netns_enter(const char *name);
void netns_leave(int self);

#endif
