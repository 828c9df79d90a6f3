/*
 * test_icmp.c - the ICMP echo probe on a libuv loop: loopback answers
 * (IPv4 and IPv6), a target behind a dummy interface in a network
 * namespace of the test's own does not (timeout), cancel drops a request
 * without its callback, and the in-flight bound holds.
 *
 * Network: 127.0.0.0/8, ::1, and a namespace this test process creates
 * with unshare(CLONE_NEWNET) (gone with the process). Needs root (raw
 * socket, namespace); skipped without.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <uv.h>

#include "agents.h"
#include "probes/icmp.h"

static uv_loop_t loop;
static struct icmp_probe *probe;

struct result {
	int calls, status;
	double rtt;
};

static void setup(void)
{
	cr_assert_eq(uv_loop_init(&loop), 0);
	probe = NULL;
}

static void teardown(void)
{
	icmp_probe_close(probe, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
}

TestSuite(icmp, .init = setup, .fini = teardown, .timeout = 30);

static void on_result(void *arg, int status, double rtt_ms)
{
	struct result *r = arg;

	r->calls++;
	r->status = status;
	r->rtt = rtt_ms;
}

static void create_or_skip(void)
{
	char err[256];
	int rc = icmp_probe_create(&loop, &probe, err, sizeof(err));

	if (rc == -EPERM || rc == -EACCES)
		cr_skip_test("%s", err);
	cr_assert_eq(rc, 0, "%s", err);
}

static void run_until(const struct result *r, int want)
{
	for (int i = 0; i < 1000 && r->calls < want; i++)
		uv_run(&loop, UV_RUN_ONCE);
}

static void addr4(struct sockaddr_in *sa, const char *ip)
{
	cr_assert_eq(uv_ip4_addr(ip, 0, sa), 0);
}

Test(icmp, loopback_answers)
{
	struct sockaddr_in sa;
	struct result r = {0};

	create_or_skip();
	addr4(&sa, "127.0.0.1");
	cr_assert_eq(icmp_probe_ping(probe, (struct sockaddr *)&sa, 2000,
				     on_result, &r),
		     0);
	cr_assert_eq(icmp_probe_pending(probe), 1);
	run_until(&r, 1);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.status, 0);
	cr_assert(r.rtt >= 0 && r.rtt < 2000, "rtt %g", r.rtt);
	cr_assert_eq(icmp_probe_pending(probe), 0);
}

Test(icmp, several_loopback_addresses_matched_by_address_and_sequence)
{
	static const char *const ips[] = { "127.0.0.1", "127.0.0.2",
					   "127.1.2.3" };
	struct result r[3][2];

	memset(r, 0, sizeof(r));
	create_or_skip();
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 2; k++) {
			struct sockaddr_in sa;

			addr4(&sa, ips[i]);
			cr_assert_eq(icmp_probe_ping(probe,
						     (struct sockaddr *)&sa,
						     2000, on_result, &r[i][k]),
				     0);
		}
	for (int n = 0; n < 1000 && icmp_probe_pending(probe) > 0; n++)
		uv_run(&loop, UV_RUN_ONCE);
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 2; k++) {
			cr_assert_eq(r[i][k].calls, 1, "%s #%d", ips[i], k);
			cr_assert_eq(r[i][k].status, 0, "%s #%d", ips[i], k);
		}
}

Test(icmp, ipv6_loopback_answers)
{
	struct sockaddr_in6 sa;
	struct result r = {0};
	int rc;

	create_or_skip();
	cr_assert_eq(uv_ip6_addr("::1", 0, &sa), 0);
	rc = icmp_probe_ping(probe, (struct sockaddr *)&sa, 2000, on_result,
			     &r);
	if (rc == -EAFNOSUPPORT || rc == -EADDRNOTAVAIL || rc == -ENETUNREACH)
		cr_skip_test("no IPv6 here (%s)", strerror(-rc));
	cr_assert_eq(rc, 0, "%s", strerror(-rc));
	run_until(&r, 1);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.status, 0);
}

Test(icmp, cancel_drops_the_request_without_its_callback)
{
	struct sockaddr_in sa;
	struct result r = {0}, other = {0};

	create_or_skip();
	addr4(&sa, "127.0.0.1");
	cr_assert_eq(icmp_probe_ping(probe, (struct sockaddr *)&sa, 500,
				     on_result, &r),
		     0);
	cr_assert_eq(icmp_probe_ping(probe, (struct sockaddr *)&sa, 500,
				     on_result, &other),
		     0);
	icmp_probe_cancel(probe, &r);
	cr_assert_eq(icmp_probe_pending(probe), 1);
	run_until(&other, 1);
	uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(r.calls, 0);
	cr_assert_eq(other.calls, 1);
	cr_assert_eq(other.status, 0);
}

Test(icmp, bad_arguments_and_the_inflight_bound)
{
	struct sockaddr_in sa;
	struct sockaddr un = { .sa_family = AF_UNIX };
	struct result r = {0};
	int rc = 0;
	size_t n = 0;

	create_or_skip();
	addr4(&sa, "127.0.0.1");
	cr_assert_eq(icmp_probe_ping(probe, &un, 100, on_result, &r),
		     -EINVAL);
	cr_assert_eq(icmp_probe_ping(probe, (struct sockaddr *)&sa, 0,
				     on_result, &r),
		     -EINVAL);
	while (n <= ICMP_PROBE_INFLIGHT) {
		rc = icmp_probe_ping(probe, (struct sockaddr *)&sa, 5000,
				     on_result, &r);
		if (rc < 0)
			break;
		n++;
	}
	cr_assert_eq(rc, -EBUSY);
	cr_assert_eq(n, ICMP_PROBE_INFLIGHT);
	/* close drops them all: teardown's loop close must still succeed */
	icmp_probe_close(probe, NULL, NULL);
	probe = NULL;
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(r.calls, 0);
}

/* A namespace of our own: lo up, and a veth pair whose far end has no
 * address: 192.0.2.2 (TEST-NET-1, RFC 5737) never answers ARP, so an
 * echo to it goes nowhere. */
static void private_netns(void)
{
	char *const lo[] = { "ip", "link", "set", "lo", "up", NULL };
	char *const add[] = { "ip", "link", "add", "sl0", "type", "veth",
			      "peer", "name", "sl1", NULL };
	char *const peer[] = { "ip", "link", "set", "sl1", "up", NULL };
	char *const addr[] = { "ip", "addr", "add", "192.0.2.1/24", "dev",
			       "sl0", NULL };
	char *const up[] = { "ip", "link", "set", "sl0", "up", NULL };
	char out[512];

	if (unshare(CLONE_NEWNET) < 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s", strerror(errno));
	cr_assert_eq(run_cmd(lo, out, sizeof(out), 10), 0, "%s", out);
	if (run_cmd(add, out, sizeof(out), 10) != 0)
		cr_skip_test("no veth interfaces: %s", out);
	cr_assert_eq(run_cmd(peer, out, sizeof(out), 10), 0, "%s", out);
	cr_assert_eq(run_cmd(addr, out, sizeof(out), 10), 0, "%s", out);
	cr_assert_eq(run_cmd(up, out, sizeof(out), 10), 0, "%s", out);
}

Test(icmp, no_answer_times_out)
{
	struct sockaddr_in sa;
	struct result r = {0}, lo = {0};
	uint64_t t0;

	private_netns();
	create_or_skip();
	addr4(&sa, "192.0.2.2");
	t0 = uv_now(&loop);
	cr_assert_eq(icmp_probe_ping(probe, (struct sockaddr *)&sa, 300,
				     on_result, &r),
		     0);
	/* loopback of the namespace still answers meanwhile */
	addr4(&sa, "127.0.0.1");
	cr_assert_eq(icmp_probe_ping(probe, (struct sockaddr *)&sa, 2000,
				     on_result, &lo),
		     0);
	run_until(&r, 1);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.status, -ETIMEDOUT);
	uv_update_time(&loop);
	cr_assert(uv_now(&loop) - t0 >= 290, "timed out after %llu ms",
		  (unsigned long long)(uv_now(&loop) - t0));
	run_until(&lo, 1);
	cr_assert_eq(lo.status, 0);
}

Test(icmp, loopback_down_fails)
{
	struct sockaddr_in sa;
	struct result r = {0};
	int rc;

	if (unshare(CLONE_NEWNET) < 0)
		cr_skip_test("unshare(CLONE_NEWNET): %s", strerror(errno));
	create_or_skip();
	addr4(&sa, "127.0.0.1");
	rc = icmp_probe_ping(probe, (struct sockaddr *)&sa, 300, on_result,
			     &r);
	if (rc == 0) {
		run_until(&r, 1);
		cr_assert_eq(r.status, -ETIMEDOUT);
	} else {
		cr_assert(rc == -ENETUNREACH || rc == -EHOSTUNREACH ||
				  rc == -EINVAL,
			  "%s", strerror(-rc));
		cr_assert_eq(r.calls, 0);
	}
}
