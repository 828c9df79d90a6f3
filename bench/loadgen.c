/*
 * loadgen.c - measures the benchmark fleet's own capacity: sends the same
 * GET a slamond poll sends (sysUpTime + 10 columns x 4 interfaces = 41
 * varbinds) to the N agents of bench/responder round-robin, keeping WINDOW
 * requests outstanding, for SECONDS, and prints responses per second.
 * Pre-encoded packets, recvmmsg/sendmmsg: the generator is much cheaper
 * than the responder, so the figure is the responder's.
 *
 *   loadgen -n N [-p PORT] [-c COMMUNITY] [-w WINDOW] [-d SECONDS]
 *
 * Output (one line): "responses_per_s sent received seconds".
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ber.h"

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t build_get(uint8_t *buf, size_t max, const char *comm,
			int32_t reqid)
{
	static const uint32_t cols[][12] = {
		{1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6}, {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 10},
		{1, 3, 6, 1, 2, 1, 2, 2, 1, 8},     {1, 3, 6, 1, 2, 1, 2, 2, 1, 5},
		{1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15}, {1, 3, 6, 1, 2, 1, 2, 2, 1, 14},
		{1, 3, 6, 1, 2, 1, 2, 2, 1, 20},    {1, 3, 6, 1, 2, 1, 2, 2, 1, 13},
		{1, 3, 6, 1, 2, 1, 2, 2, 1, 19},    {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1}};
	static const int clen[] = {11, 11, 10, 10, 11, 10, 10, 10, 10, 11};
	static const uint32_t up[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
	struct benc e = {buf, buf + max, 0};
	uint8_t *end = e.p, *vend;

	for (int i = 4; i >= 1; i--)
		for (int c = 9; c >= 0; c--) {
			uint32_t o[OID_MAX];
			uint8_t *vb = e.p;

			memcpy(o, cols[c], clen[c] * sizeof(uint32_t));
			o[clen[c]] = (uint32_t)i;
			ber_hdr(&e, BER_NULL, 0);
			ber_oid(&e, o, clen[c] + 1);
			ber_hdr(&e, BER_SEQ, (size_t)(vb - e.p));
		}
	{
		uint8_t *vb = e.p;

		ber_hdr(&e, BER_NULL, 0);
		ber_oid(&e, up, 9);
		ber_hdr(&e, BER_SEQ, (size_t)(vb - e.p));
	}
	vend = e.p;
	ber_hdr(&e, BER_SEQ, (size_t)(end - vend));
	ber_sint(&e, 0);
	ber_sint(&e, 0);
	ber_sint(&e, reqid);
	ber_hdr(&e, PDU_GET, (size_t)(end - e.p));
	ber_octets(&e, BER_OCTETS, comm, strlen(comm));
	ber_sint(&e, 1);
	ber_hdr(&e, BER_SEQ, (size_t)(end - e.p));
	memmove(buf, e.p, (size_t)(end - e.p));
	return (size_t)(end - e.p);
}

int main(int argc, char **argv)
{
	unsigned n = 500, window = 256, next = 0;
	int port = 16100, opt, fd, one = 1, rcv = 8 << 20;
	double dur = 5, t0, t;
	const char *comm = "bench";
	uint8_t pkt[2048], rbuf[64][2048];
	size_t plen;
	unsigned long long sent = 0, recvd = 0, lost = 0;

	while ((opt = getopt(argc, argv, "n:p:c:w:d:")) != -1) {
		switch (opt) {
		case 'n': n = (unsigned)atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 'c': comm = optarg; break;
		case 'w': window = (unsigned)atoi(optarg); break;
		case 'd': dur = atof(optarg); break;
		default:
			fprintf(stderr, "usage: loadgen -n N [-p PORT] [-c "
					"COMMUNITY] [-w WINDOW] [-d SECONDS]\n");
			return 2;
		}
	}
	if (n == 0 || window == 0 || window > 4096 || dur <= 0 || dur > 120)
		return 2;
	plen = build_get(pkt, sizeof(pkt), comm, 4242);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	(void)one;

	t0 = now_mono();
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		unsigned long long out = sent - recvd - lost;

		t = now_mono();
		if (t - t0 >= dur)
			break;
		/* refill the window (also after losses: a quiet 100 ms) */
		while (out < window) {
			struct sockaddr_in to = {0};
			unsigned i = next++ % n;

			to.sin_family = AF_INET;
			to.sin_port = htons((uint16_t)port);
			to.sin_addr.s_addr = htonl((127u << 24) |
						   ((100 + i / 62500) << 16) |
						   ((1 + (i / 250) % 250) << 8) |
						   (1 + i % 250));
			if (sendto(fd, pkt, plen, 0, (struct sockaddr *)&to,
				   sizeof(to)) < 0)
				break;
			sent++;
			out++;
		}
		if (poll(&pfd, 1, 100) <= 0) {
			lost = sent - recvd; /* count the window lost */
			continue;
		}
		{
			struct mmsghdr m[64];
			struct iovec iov[64];
			int got;

			for (int i = 0; i < 64; i++) {
				iov[i] = (struct iovec){rbuf[i], sizeof(rbuf[i])};
				memset(&m[i], 0, sizeof(m[i]));
				m[i].msg_hdr.msg_iov = &iov[i];
				m[i].msg_hdr.msg_iovlen = 1;
			}
			got = recvmmsg(fd, m, 64, MSG_DONTWAIT, NULL);
			if (got > 0)
				recvd += (unsigned long long)got;
		}
	}
	t = now_mono() - t0;
	printf("%.0f %llu %llu %.2f\n", recvd / t, sent, recvd, t);
	close(fd);
	return 0;
}
