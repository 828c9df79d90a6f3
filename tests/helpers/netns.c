/*
 * netns.c - see netns.h.
 * SPDX-License-Identifier: MIT
 */
#include "netns.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"

static int run(const char *const *argv)
{
	char *v[32];
	size_t n = 0;

	while (argv[n] && n < 31) {
		v[n] = (char *)(uintptr_t)argv[n]; /* run_cmd's prototype */
		n++;
	}
	v[n] = NULL;
	return run_cmd(v, NULL, 0, 30);
}

#define RUN(...) run((const char *const[]){__VA_ARGS__, NULL})

void veth_link_names(struct veth_link *l, const char *tag,
		     const char *short_tag)
{
	int me = (int)getpid();

	snprintf(l->ns_a, sizeof(l->ns_a), "slamon-%s-a-%d", tag, me);
	snprintf(l->ns_b, sizeof(l->ns_b), "slamon-%s-b-%d", tag, me);
	snprintf(l->veth_a, sizeof(l->veth_a), "%s%da", short_tag, me);
	snprintf(l->veth_b, sizeof(l->veth_b), "%s%db", short_tag, me);
}

int netns_enter(const char *name)
{
	char path[128];
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd;

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		if (self >= 0)
			close(self);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return self;
}

void netns_leave(int self)
{
	cr_assert_eq(setns(self, CLONE_NEWNET), 0, "setns back: %s",
		     strerror(errno));
	close(self);
}

static void write_proc(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			cr_log_warn("%s: %s", path, strerror(errno));
		close(fd);
	}
}

/* No IPv6 (no router solicitations, MLD, DAD) on links made afterwards. */
static void ns_no_ipv6(const char *name)
{
	int self = netns_enter(name);

	cr_assert_geq(self, 0, "enter %s: %s", name, strerror(errno));
	write_proc("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	write_proc("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	netns_leave(self);
}

void veth_link_make(struct veth_link *l, const char *why_skip)
{
	char a[32], b[32];

	if (RUN("ip", "netns", "add", l->ns_a) != 0)
		cr_skip_test("%s", why_skip);
	l->made_a = 1;
	cr_assert_eq(RUN("ip", "netns", "add", l->ns_b), 0);
	l->made_b = 1;
	ns_no_ipv6(l->ns_a);
	ns_no_ipv6(l->ns_b);
	cr_assert_eq(RUN("ip", "link", "add", l->veth_a, "netns", l->ns_a,
			 "address", l->mac_a, "type", "veth", "peer", "name",
			 l->veth_b, "netns", l->ns_b, "address", l->mac_b),
		     0, "veth pair");
	snprintf(a, sizeof(a), "%s/24", l->addr_a);
	snprintf(b, sizeof(b), "%s/24", l->addr_b);
	cr_assert_eq(RUN("ip", "-n", l->ns_a, "addr", "add", a, "dev",
			 l->veth_a),
		     0);
	cr_assert_eq(RUN("ip", "-n", l->ns_b, "addr", "add", b, "dev",
			 l->veth_b),
		     0);
	cr_assert_eq(RUN("ip", "-n", l->ns_a, "neigh", "add", l->addr_b,
			 "lladdr", l->mac_b, "dev", l->veth_a, "nud",
			 "permanent"),
		     0);
	cr_assert_eq(RUN("ip", "-n", l->ns_b, "neigh", "add", l->addr_a,
			 "lladdr", l->mac_a, "dev", l->veth_b, "nud",
			 "permanent"),
		     0);
	cr_assert_eq(RUN("ip", "-n", l->ns_a, "link", "set", "lo", "up"), 0);
	cr_assert_eq(RUN("ip", "-n", l->ns_a, "link", "set", l->veth_a, "up"),
		     0);
	cr_assert_eq(RUN("ip", "-n", l->ns_b, "link", "set", l->veth_b, "up"),
		     0);
}

void veth_link_remove(struct veth_link *l)
{
	if (l->made_a)
		RUN("ip", "netns", "del", l->ns_a);
	if (l->made_b)
		RUN("ip", "netns", "del", l->ns_b);
	l->made_a = l->made_b = 0;
}
