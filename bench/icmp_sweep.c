/*
 * icmp_sweep.c - benchmark driver of the ICMP sweep (probes/icmp_sweep.c,
 * compiled in): judges N loopback hosts (127.a.b.c from --base) per cycle
 * on one libuv loop, as slamond's ICMP probe does, and prints wall time,
 * echoes, answers and the process's CPU (getrusage) per host.
 * bench/icmp_run.sh runs it beside fping on the same addresses.
 *
 *   icmp_sweep --hosts 28000 --count 1 --rate 100000 [--spacing 500]
 *              [--timeout 1000] [--cycles 1] [--base 127.1.0.1]
 *              [--list FILE]   (writes the addresses, one a line, and exits)
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uv.h>

#include "probes/icmp_sweep.h"

static size_t done, up;
static double rtt_sum;

static void on_result(void *arg, uint32_t tag, const struct icmp_sweep_result *r)
{
	(void)arg;
	(void)tag;
	done++;
	if (r->up) {
		up++;
		rtt_sum += r->rtt_avg_ms;
	}
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void on_idle_check(uv_timer_t *t)
{
	size_t *want = t->data;

	if (done >= *want)
		uv_stop(t->loop);
}

int main(int argc, char **argv)
{
	struct icmp_sweep_params par = { 1, 500, 1000, 100000, 1 };
	size_t hosts = 28000, cycles = 1, want;
	const char *base_s = "127.1.0.1", *list = NULL;
	struct in_addr base;
	struct icmp_sweep *sw;
	struct icmp_sweep_stats st;
	uv_loop_t loop;
	uv_timer_t check;
	char err[256];

	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (strcmp(k, "--hosts") == 0)
			hosts = strtoul(v, NULL, 10);
		else if (strcmp(k, "--count") == 0)
			par.count = atoi(v);
		else if (strcmp(k, "--spacing") == 0)
			par.spacing_ms = atoi(v);
		else if (strcmp(k, "--timeout") == 0)
			par.timeout_ms = atoi(v);
		else if (strcmp(k, "--rate") == 0)
			par.rate_pps = atoi(v);
		else if (strcmp(k, "--cycles") == 0)
			cycles = strtoul(v, NULL, 10);
		else if (strcmp(k, "--base") == 0)
			base_s = v;
		else if (strcmp(k, "--list") == 0)
			list = v;
		else {
			fprintf(stderr, "unknown option %s\n", k);
			return 2;
		}
	}
	if (inet_pton(AF_INET, base_s, &base) != 1 || hosts == 0 ||
	    hosts > 16000000) {
		fprintf(stderr, "bad --base or --hosts\n");
		return 2;
	}
	if (list != NULL) {
		FILE *fp = fopen(list, "w");

		if (fp == NULL)
			return 1;
		for (size_t i = 0; i < hosts; i++) {
			struct in_addr a = { htonl(ntohl(base.s_addr) +
						   (uint32_t)i) };
			char s[INET_ADDRSTRLEN];

			fprintf(fp, "%s\n", inet_ntop(AF_INET, &a, s, sizeof(s)));
		}
		return fclose(fp) == 0 ? 0 : 1;
	}
	uv_loop_init(&loop);
	if (icmp_sweep_create(&loop, &par, &sw, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	uv_timer_init(&loop, &check);
	check.data = &want;
	for (size_t c = 0; c < cycles; c++) {
		double cpu0 = cpu_s();
		uint64_t t0 = uv_hrtime();

		done = up = 0;
		rtt_sum = 0;
		want = hosts;
		for (size_t i = 0; i < hosts; i++) {
			struct sockaddr_in sa;

			memset(&sa, 0, sizeof(sa));
			sa.sin_family = AF_INET;
			sa.sin_addr.s_addr = htonl(ntohl(base.s_addr) +
						   (uint32_t)i);
			if (icmp_sweep_submit(sw, (struct sockaddr *)&sa,
					      on_result, NULL,
					      (uint32_t)i) < 0) {
				fprintf(stderr, "submit failed\n");
				return 1;
			}
		}
		uv_timer_start(&check, on_idle_check, 1, 1);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_timer_stop(&check);
		{
			double wall = (double)(uv_hrtime() - t0) / 1e9;
			double cpu = cpu_s() - cpu0;

			icmp_sweep_stats_get(sw, &st);
			printf("cycle %zu: hosts %zu count %d rate %d/s: wall "
			       "%.3f s, up %zu, rtt avg %.3f ms, cpu %.3f s = "
			       "%.2f us/host, sent %llu received %llu late "
			       "%llu send_errors %llu socket %s\n",
			       c + 1, hosts, par.count, par.rate_pps, wall, up,
			       up ? rtt_sum / up : NAN, cpu, cpu * 1e6 / hosts,
			       (unsigned long long)st.sent,
			       (unsigned long long)st.received,
			       (unsigned long long)st.late,
			       (unsigned long long)st.send_errors,
			       st.raw ? "raw" : "ping");
			fflush(stdout);
		}
	}
	uv_close((uv_handle_t *)&check, NULL);
	icmp_sweep_close(sw, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	return uv_loop_close(&loop) == 0 ? 0 : 1;
}
