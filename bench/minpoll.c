/*
 * minpoll.c - the floor: a minimal asynchronous net-snmp poller.
 *
 * One net-snmp single-session (snmp_sess_*) per agent, one epoll set, the
 * same GET a slamond poll sends (sysUpTime + 10 columns x 4 interfaces = 41
 * varbinds, built with snmp_add_null_var for every poll), values decoded
 * from the response and summed so the work is not optimised away.  Polls
 * are spread evenly over the interval like slamond's, at most WINDOW in
 * flight.  No metric engine, no storage, no scheduler beyond that: what the
 * library itself costs.
 *
 * Sessions are opened once and kept (like slamond) when the fd limit
 * allows; above it (-r, or automatically) a session is opened for each
 * poll and closed after it ("reopen" mode, reported).
 *
 *   minpoll -f TARGETS [-c COMMUNITY] [-i INTERVAL] [-k CYCLES] [-w WINDOW]
 *           [-t TIMEOUT_MS] [-r]
 *
 * TARGETS: one "host:port" per line.  Prints one line:
 *   polls ok timeouts cpu_s wall_s maxrss_kb late mode cpu_after_cycle1_s
 * (cpu_s counts from the end of the library's initialisation)
 * SPDX-License-Identifier: MIT
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#define IFT 1, 3, 6, 1, 2, 1, 2, 2, 1
#define IFX 1, 3, 6, 1, 2, 1, 31, 1, 1, 1

struct agent {
	char peer[300];
	void *ss;
	int fd;
	int inflight;
	double sent_t;
	int polls;
};

static struct agent *ags;
static size_t nags;
static int epfd, reopen_mode, timeout_ms = 2000;
static const char *community = "bench";
static unsigned long long n_ok, n_timeout, n_polls, n_late, checksum;
static size_t inflight;
static double cpu_c1 = -1; /* CPU when the first cycle's polls are done */

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void close_session(struct agent *a)
{
	if (a->ss == NULL)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, a->fd, NULL);
	snmp_sess_close(a->ss);
	a->ss = NULL;
	a->fd = -1;
}

static void poll_done(struct agent *a, int ok)
{
	a->inflight = 0;
	inflight--;
	n_polls++;
	if (ok)
		n_ok++;
	else
		n_timeout++;
	a->polls++;
	if (cpu_c1 < 0 && n_polls == nags) {
		struct rusage r;

		getrusage(RUSAGE_SELF, &r);
		cpu_c1 = r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 +
			 r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
	}
	/* only close from outside net-snmp's callback: see read loop */
}

static int cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
	      void *magic)
{
	struct agent *a = magic;

	(void)s;
	(void)reqid;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu &&
	    pdu->errstat == SNMP_ERR_NOERROR) {
		for (netsnmp_variable_list *vb = pdu->variables; vb;
		     vb = vb->next_variable) {
			switch (vb->type) {
			case ASN_COUNTER64:
				checksum += ((uint64_t)vb->val.counter64->high
					     << 32) |
					    vb->val.counter64->low;
				break;
			case ASN_INTEGER: case ASN_COUNTER: case ASN_GAUGE:
			case ASN_TIMETICKS:
				checksum += (unsigned long)*vb->val.integer;
				break;
			case ASN_OCTET_STR:
				checksum += vb->val_len;
				break;
			default:
				break;
			}
		}
		poll_done(a, 1);
	} else if (op == NETSNMP_CALLBACK_OP_RESEND) {
		return 1;
	} else {
		poll_done(a, 0);
	}
	return 1;
}

static int open_session(struct agent *a)
{
	netsnmp_session s;
	netsnmp_transport *tr;
	struct epoll_event ev;

	snmp_sess_init(&s);
	s.peername = a->peer;
	s.version = SNMP_VERSION_2c;
	s.community = (u_char *)community;
	s.community_len = strlen(community);
	s.timeout = timeout_ms * 1000L;
	s.retries = 1;
	s.callback = cb;
	s.callback_magic = a;
	a->ss = snmp_sess_open(&s);
	if (a->ss == NULL)
		return -1;
	tr = snmp_sess_transport(a->ss);
	a->fd = tr->sock;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = a;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, a->fd, &ev) < 0) {
		snmp_sess_close(a->ss);
		a->ss = NULL;
		return -1;
	}
	return 0;
}

static void send_poll(struct agent *a)
{
	static const oid up[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
	static const oid cols[10][11] = {
		{IFX, 6}, {IFX, 10}, {IFT, 8}, {IFT, 5}, {IFX, 15},
		{IFT, 14}, {IFT, 20}, {IFT, 13}, {IFT, 19}, {IFX, 1}};
	static const size_t clen[10] = {11, 11, 10, 10, 11, 10, 10, 10, 10, 11};
	netsnmp_pdu *pdu;

	if (a->ss == NULL && open_session(a) < 0) {
		fprintf(stderr, "minpoll: cannot open session to %s: %s\n",
			a->peer, strerror(errno));
		n_polls++;
		n_timeout++;
		return;
	}
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	snmp_add_null_var(pdu, up, 9);
	for (uint32_t i = 1; i <= 4; i++)
		for (int c = 0; c < 10; c++) {
			oid o[12];

			memcpy(o, cols[c], clen[c] * sizeof(oid));
			o[clen[c]] = i;
			snmp_add_null_var(pdu, o, clen[c] + 1);
		}
	if (snmp_sess_async_send(a->ss, pdu, cb, a) == 0) {
		snmp_free_pdu(pdu);
		n_polls++;
		n_timeout++;
		return;
	}
	a->inflight = 1;
	a->sent_t = now_mono();
	inflight++;
}

int main(int argc, char **argv)
{
	const char *targets = NULL;
	double interval = 60, t0, wall;
	int cycles = 3, opt;
	size_t window = 1000, cap = 0, next = 0, total;
	char line[256];
	FILE *f;
	struct rlimit rl;
	struct rusage ru;
	struct epoll_event evs[256];
	double last_sweep, cpu0;

	while ((opt = getopt(argc, argv, "f:c:i:k:w:t:r")) != -1) {
		switch (opt) {
		case 'f': targets = optarg; break;
		case 'c': community = optarg; break;
		case 'i': interval = atof(optarg); break;
		case 'k': cycles = atoi(optarg); break;
		case 'w': window = (size_t)atol(optarg); break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'r': reopen_mode = 1; break;
		default:
			fprintf(stderr, "usage: minpoll -f TARGETS [-c COMM] [-i "
					"INTERVAL] [-k CYCLES] [-w WINDOW] [-t "
					"TIMEOUT_MS] [-r]\n");
			return 2;
		}
	}
	if (targets == NULL || cycles < 1 || cycles > 1000 || window < 1 ||
	    interval < 0 || interval > 3600)
		return 2;
	f = fopen(targets, "r");
	if (f == NULL) {
		perror(targets);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		if (nags == cap) {
			cap = cap ? cap * 2 : 1024;
			ags = realloc(ags, cap * sizeof(*ags));
		}
		memset(&ags[nags], 0, sizeof(ags[0]));
		snprintf(ags[nags].peer, sizeof(ags[nags].peer), "udp:%s", line);
		ags[nags].fd = -1;
		nags++;
	}
	fclose(f);
	getrlimit(RLIMIT_NOFILE, &rl);
	if (nags + 64 > rl.rlim_cur && !reopen_mode) {
		fprintf(stderr, "minpoll: %zu agents > fd limit %llu: reopen "
				"mode (a session per poll)\n",
			nags, (unsigned long long)rl.rlim_cur);
		reopen_mode = 1;
	}
	/* the same library set-up as slamond (probes/snmp.c lib_init) */
	setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	snmp_disable_log();
	init_snmp("minpoll");
	getrusage(RUSAGE_SELF, &ru);
	cpu0 = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	epfd = epoll_create1(0);
	total = nags * (size_t)cycles;
	t0 = last_sweep = now_mono();
	while (n_polls < total) {
		double now = now_mono(), wait_s = 0.1;
		int n;

		/* start every poll that is due, window permitting */
		while (next < total && inflight < window) {
			struct agent *a = &ags[next % nags];
			double due = t0 + interval * ((double)(next / nags) +
						      (double)(next % nags) / nags);

			if (due > now) {
				wait_s = due - now;
				break;
			}
			if (a->inflight)
				break; /* the previous poll still runs */
			if (now - due > (interval / 10 > 1 ? interval / 10 : 1))
				n_late++;
			send_poll(a);
			next++;
		}
		if (wait_s > 0.1)
			wait_s = 0.1;
		n = epoll_wait(epfd, evs, 256, (int)(wait_s * 1000) + 1);
		for (int i = 0; i < n; i++) {
			struct agent *a = evs[i].data.ptr;
			fd_set fds;

			FD_ZERO(&fds);
			if (a->fd < FD_SETSIZE) {
				FD_SET(a->fd, &fds);
				snmp_sess_read(a->ss, &fds);
			} else {
				netsnmp_large_fd_set lfds;

				netsnmp_large_fd_set_init(&lfds, a->fd + 1);
				NETSNMP_LARGE_FD_SET(a->fd, &lfds);
				snmp_sess_read2(a->ss, &lfds);
				netsnmp_large_fd_set_cleanup(&lfds);
			}
			if (reopen_mode && !a->inflight)
				close_session(a);
		}
		now = now_mono();
		if (now - last_sweep > 0.25) {
			last_sweep = now;
			for (size_t i = 0; i < nags; i++) {
				struct agent *a = &ags[i];

				if (!a->inflight ||
				    now - a->sent_t < timeout_ms / 1000.0)
					continue;
				snmp_sess_timeout(a->ss);
				if (reopen_mode && !a->inflight)
					close_session(a);
			}
		}
		if (now - t0 > interval * (cycles + 1) + 60)
			break; /* bounded in time whatever happens */
	}
	wall = now_mono() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("%llu %llu %llu %.3f %.1f %ld %llu %s %.3f\n", n_polls, n_ok,
	       n_timeout,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6 - cpu0,
	       wall, ru.ru_maxrss, n_late, reopen_mode ? "reopen" : "persistent",
	       cpu_c1 - cpu0);
	if (checksum == 42)
		putchar(' ');
	for (size_t i = 0; i < nags; i++)
		close_session(&ags[i]);
	return 0;
}
