/*
 * icmp_sock.c - ICMP sockets and the checksum (see icmp_sock.h).
 * SPDX-License-Identifier: MIT
 */
#include "icmp_sock.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#ifndef ICMP_FILTER
#define ICMP_FILTER 1 /* <linux/icmp.h>, which clashes with glibc's */
#endif

/* Only echo replies reach a raw socket (else it sees every ICMP packet of
 * the host, our own requests on loopback included). Best effort. */
static void filter_echo_replies(int fd, int family)
{
	if (family == AF_INET) {
		uint32_t block = ~(1u << ICMP_ECHOREPLY);

		(void)setsockopt(fd, SOL_RAW, ICMP_FILTER, &block,
				 sizeof(block));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		(void)setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
				 sizeof(f));
	}
}

int icmp_sock_open(int family, bool *ret_raw)
{
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int type = SOCK_NONBLOCK | SOCK_CLOEXEC;
	int fd = socket(family, SOCK_RAW | type, proto);

	*ret_raw = fd >= 0;
	if (fd >= 0) {
		filter_echo_replies(fd, family);
		return fd;
	}
	fd = socket(family, SOCK_DGRAM | type, proto);
	return fd >= 0 ? fd : -errno;
}

uint16_t icmp_cksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}
