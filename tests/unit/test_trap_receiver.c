/*
 * test_trap_receiver.c - the SNMP trap receiver at its seam (probes/snmp_trap.h)
 * and the [traps] section: the receiver runs on the test's own libuv loop
 * on a reserved port of 127.0.0.1 while net-snmp's snmptrap and snmpinform
 * (Debian `snmp`) send to it from child processes of the same loop
 * (uv_spawn). Checked: what each notification decodes to (version,
 * community, snmpTrapOID.0, snmpTrapAddress.0, the varbind summary, the
 * RFC 3584 trap OID of an SNMPv1 trap), that an inform is answered only
 * when the caller accepts it, that a v3 trap is checked against the
 * profile the caller names (right keys pass, a wrong auth key, an unknown
 * user and a lower security level are refused with their reason), the
 * names of the five generic traps, the header reader on garbage, and the
 * [traps] keys with the file:line of each error.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "agents.h"
#include "conf_fixture.h"
#include "core/config.h"
#include "probes/snmp_config.h"
#include "probes/snmp_trap.h"
#include "probes/trap_config.h"

#define MSGS_MAX 16

static char dir[4096];
static struct diag d;
static struct config *cfg;

static void setup(void)
{
	cr_assert_eq(tmpdir_make(dir, sizeof(dir), "slamon-traps-"), 0);
	memset(&d, 0, sizeof(d));
	cfg = NULL;
}

static void teardown(void)
{
	config_destroy(cfg);
	diag_destroy(&d);
	tmpdir_remove(dir);
}

TestSuite(trap_receiver, .init = setup, .fini = teardown, .timeout = 120);

/* ---- configuration ---------------------------------------------------- */

#define HEAD                                                                  \
	"[general]\ninventory = inv.csv\nstorage_dir = data\n"                \
	"[profile p]\nversion = 2c\ncommunity = public\n"                     \
	"[profile q]\nversion = 2c\ncommunity = other\n"
/* HEAD is 9 lines: [traps] is line 10 */

#define INVENTORY "中心,r1,10.0.0.1,exit,,p,,,\n"

static int load(const char *text)
{
	const struct conf_fixture fx = { dir, INVENTORY, HEAD };

	return conf_fixture_load(&fx, text, &cfg, &d);
}

static void fails(const char *text, const char *msg)
{
	const struct conf_fixture fx = { dir, INVENTORY, HEAD };

	conf_fixture_fails(&fx, text, msg, &cfg, &d);
}

Test(trap_receiver, defaults_take_the_profiles_communities)
{
	const struct traps_cfg *t;

	cr_assert_eq(load(""), 0);
	t = traps_config(cfg);
	cr_assert_eq(t->enabled, 0);
	cr_assert_eq(t->naddrs, 1);
	cr_assert_str_eq(t->addrs[0].host, "0.0.0.0");
	cr_assert_eq(t->addrs[0].port, 162);
	cr_assert_eq(t->ncommunities, 2);
	cr_assert(traps_community_ok(t, "public"));
	cr_assert(traps_community_ok(t, "other"));
	cr_assert_not(traps_community_ok(t, "private"));
	cr_assert_eq(t->unknown_log_s, 60);
	cr_assert_eq(t->confirm_spacing_ms, 1000);
	cr_assert_eq(t->keep_days, 400);
}

Test(trap_receiver, listen_list_and_own_communities)
{
	const struct traps_cfg *t;

	cr_assert_eq(load("[traps]\nenabled = yes\n"
			  "listen = 127.0.0.1:1162, [::1]:2162, 10.1.2.3\n"
			  "community = a , b\nconfirm_spacing_ms = 500\n"),
		     0);
	t = traps_config(cfg);
	cr_assert_eq(t->enabled, 1);
	cr_assert_eq(t->naddrs, 3);
	cr_assert_eq(t->addrs[1].af, AF_INET6);
	cr_assert_str_eq(t->addrs[1].host, "::1");
	cr_assert_eq(t->addrs[1].port, 2162);
	cr_assert_eq(t->addrs[2].port, 162);
	cr_assert_eq(t->ncommunities, 2);
	cr_assert(traps_community_ok(t, "b"));
	cr_assert_not(traps_community_ok(t, "public"));
	cr_assert_eq(t->confirm_spacing_ms, 500);
}

Test(trap_receiver, errors_name_file_and_line)
{
	fails("[traps]\nenabled = yes\nlisten = 10.0.0.300:162\n",
	      "12: key 'listen' in [traps]: '10.0.0.300' is not an IPv4 "
	      "address");
	config_destroy(cfg);
	cfg = NULL;
	diag_destroy(&d);
	memset(&d, 0, sizeof(d));
	fails("[traps]\nlisten = ::1:162\n",
	      "11: key 'listen' in [traps]: '::1:162': write an IPv6 address "
	      "as [ADDRESS]:PORT");
	config_destroy(cfg);
	cfg = NULL;
	diag_destroy(&d);
	memset(&d, 0, sizeof(d));
	fails("[traps]\nlisten = 127.0.0.1:70000\n",
	      "11: key 'listen' in [traps]: '70000': port must be 1-65535");
	config_destroy(cfg);
	cfg = NULL;
	diag_destroy(&d);
	memset(&d, 0, sizeof(d));
	fails("[traps]\ncommunity = ,\n",
	      "11: key 'community' in [traps]: empty list");
}

/* ---- pure helpers ----------------------------------------------------- */

Test(trap_receiver, sender_maps_to_its_device_else_its_agent_address)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/inv.csv", dir);
	cr_assert_eq(load(""), 0);
	config_destroy(cfg);
	cfg = NULL;
	cr_assert_eq(write_file(p, "unit,name,address,role,parent,profile,"
				   "interfaces,capacity_mbps,tags\n"
				   "中心,r1,10.0.0.1,exit,,p,,,\n"
				   "中心,sw1,10.0.0.2:1161,access,,p,,,\n"
				   "中心,sw2,10.0.0.2:2161,access,,p,,,\n"
				   "中心,v6,2001:db8::1,access,,p,,,\n"),
		     0);
	snprintf(p, sizeof(p), "%s/c.conf", dir);
	cr_assert_eq(config_load(p, &cfg, &d), 0);
	cr_assert_eq(trap_device_of(cfg, "10.0.0.1", ""), 0);
	cr_assert_eq(trap_device_of(cfg, "2001:db8::1", ""), 3);
	/* not in the inventory */
	cr_assert_eq(trap_device_of(cfg, "10.0.0.9", ""), -1);
	/* a relay or NAT: the trap's snmpTrapAddress.0 names the device */
	cr_assert_eq(trap_device_of(cfg, "10.0.0.9", "10.0.0.1"), 0);
	/* the sender's own address wins over what the trap claims */
	cr_assert_eq(trap_device_of(cfg, "10.0.0.1", "2001:db8::1"), 0);
	/* two agents on one address: cannot tell which */
	cr_assert_eq(trap_device_of(cfg, "10.0.0.2", ""), -2);
	cr_assert_eq(trap_device_of(cfg, "10.0.0.2", "10.0.0.1"), 0);
}

Test(trap_receiver, generic_trap_names)
{
	cr_assert_eq(trap_kind_of("1.3.6.1.6.3.1.1.5.1"), TRAP_COLD_START);
	cr_assert_eq(trap_kind_of("1.3.6.1.6.3.1.1.5.2"), TRAP_WARM_START);
	cr_assert_eq(trap_kind_of("1.3.6.1.6.3.1.1.5.3"), TRAP_LINK_DOWN);
	cr_assert_eq(trap_kind_of("1.3.6.1.6.3.1.1.5.4"), TRAP_LINK_UP);
	cr_assert_eq(trap_kind_of("1.3.6.1.6.3.1.1.5.5"), TRAP_AUTH_FAILURE);
	cr_assert_eq(trap_kind_of("1.3.6.1.6.3.1.1.5.30"), TRAP_OTHER);
	cr_assert_eq(trap_kind_of("1.3.6.1.4.1.9.0.1"), TRAP_OTHER);
	cr_assert_str_eq(trap_kind_name(TRAP_LINK_DOWN), "linkDown");
}

Test(trap_receiver, header_reader_refuses_garbage_and_truncation)
{
	/* SEQUENCE { INTEGER 1 (v2c), ... } */
	static const uint8_t v2c[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	uint8_t engine[32], buf[64];
	char user[64];
	size_t elen;
	int v = 0;

	cr_assert_eq(trap_peek_header(v2c, sizeof(v2c), &v, engine, &elen,
				      user, sizeof(user)),
		     0);
	cr_assert_eq(v, 2);
	for (size_t n = 0; n < sizeof(v2c); n++)
		cr_assert_eq(trap_peek_header(v2c, n, &v, engine, &elen, user,
					      sizeof(user)),
			     -EINVAL, "truncated at %zu", n);
	memset(buf, 0xff, sizeof(buf));
	cr_assert_eq(trap_peek_header(buf, sizeof(buf), &v, engine, &elen,
				      user, sizeof(user)),
		     -EINVAL);
	/* indefinite length: not SNMP */
	buf[0] = 0x30;
	buf[1] = 0x80;
	cr_assert_eq(trap_peek_header(buf, sizeof(buf), &v, engine, &elen,
				      user, sizeof(user)),
		     -EINVAL);
}

/* ---- the receiver on a loop, with net-snmp's senders ----------------- */

struct rx {
	uv_loop_t loop;
	struct trap_receiver *r;
	struct trap_msg msgs[MSGS_MAX];
	size_t nmsgs;
	int refuse;            /* the trap hook refuses (-EACCES) */
	enum trap_reject why[MSGS_MAX];
	char detail[MSGS_MAX][128];
	size_t nrej;
	struct snmp_profile prof; /* v3 profile for user "trapper" */
	int child_done, child_status;
	uv_process_t proc;
};

static int on_trap(void *arg, const struct trap_msg *m)
{
	struct rx *x = arg;

	if (x->nmsgs < MSGS_MAX)
		x->msgs[x->nmsgs++] = *m;
	return x->refuse ? -EACCES : 0;
}

static void on_reject(void *arg, const struct trap_msg *m,
		      enum trap_reject why, const char *detail)
{
	struct rx *x = arg;

	(void)m;
	if (x->nrej < MSGS_MAX) {
		x->why[x->nrej] = why;
		snprintf(x->detail[x->nrej], sizeof(x->detail[0]), "%s",
			 detail);
		x->nrej++;
	}
}

static const struct snmp_profile *on_profile(void *arg,
					     const struct sockaddr *src,
					     const char *user)
{
	struct rx *x = arg;

	(void)src;
	return strcmp(user, x->prof.user) == 0 ? &x->prof : NULL;
}

static void rx_open(struct rx *x, int port)
{
	struct traps_cfg tc;
	struct trap_hooks h = { on_trap, on_reject, on_profile, x };
	char err[256];

	memset(x, 0, sizeof(*x));
	memset(&tc, 0, sizeof(tc));
	cr_assert_eq(uv_loop_init(&x->loop), 0);
	tc.enabled = 1;
	tc.naddrs = 1;
	tc.addrs[0].af = AF_INET;
	snprintf(tc.addrs[0].host, sizeof(tc.addrs[0].host), "127.0.0.1");
	tc.addrs[0].port = (uint16_t)port;
	snprintf(x->prof.name, sizeof(x->prof.name), "v3");
	x->prof.version = SNMP_V3;
	snprintf(x->prof.user, sizeof(x->prof.user), "trapper");
	x->prof.level = SEC_AUTHPRIV;
	x->prof.auth = AUTH_SHA;
	snprintf(x->prof.auth_pass, sizeof(x->prof.auth_pass), "authpass123");
	x->prof.priv = PRIV_AES128;
	snprintf(x->prof.priv_pass, sizeof(x->prof.priv_pass), "privpass123");
	cr_assert_eq(trap_receiver_open(&x->loop, &tc, &h, &x->r, err,
					sizeof(err)),
		     0, "%s", err);
}

static void rx_close(struct rx *x)
{
	trap_receiver_close(x->r, NULL, NULL);
	uv_run(&x->loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&x->loop), 0);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct rx *x = p->data;

	x->child_done = 1;
	x->child_status = sig ? 128 + sig : (int)status;
	uv_close((uv_handle_t *)p, NULL);
}

/* Runs argv (snmptrap/snmpinform) as a child of the loop, turning the
 * loop until it exits; then turns it 200 ms more for late datagrams.
 * Returns its exit status. */
static int send_with(struct rx *x, char **argv)
{
	uv_process_options_t o;
	uv_stdio_container_t io[3];
	uint64_t until;

	memset(&o, 0, sizeof(o));
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_IGNORE;
	io[2].flags = UV_INHERIT_FD;
	io[2].data.fd = 2;
	o.file = argv[0];
	o.args = argv;
	o.exit_cb = on_exit_cb;
	o.stdio = io;
	o.stdio_count = 3;
	x->child_done = 0;
	x->proc.data = x;
	cr_assert_eq(uv_spawn(&x->loop, &x->proc, &o), 0, "spawn %s",
		     argv[0]);
	until = uv_now(&x->loop) + 20000;
	while (!x->child_done && uv_now(&x->loop) < until)
		uv_run(&x->loop, UV_RUN_ONCE);
	cr_assert(x->child_done, "%s did not finish", argv[0]);
	until = uv_now(&x->loop) + 200;
	while (uv_now(&x->loop) < until) {
		uv_run(&x->loop, UV_RUN_NOWAIT);
		uv_sleep(10);
		uv_update_time(&x->loop);
	}
	return x->child_status;
}

static void skip_without_snmptrap(void)
{
	char *argv[] = { "snmptrap", "-V", NULL };

	if (run_cmd(argv, NULL, 0, 10) < 0)
		cr_skip_test("snmptrap (Debian snmp) is not installed");
}

Test(trap_receiver, v2c_trap_and_v1_trap_decode)
{
	struct rx x;
	int port = agent_free_udp_port();
	char dest[64];

	skip_without_snmptrap();
	cr_assert(port > 0);
	rx_open(&x, port);
	snprintf(dest, sizeof(dest), "127.0.0.1:%d", port);
	{
		char *argv[] = { "snmptrap", "-v2c", "-c", "public", dest, "",
				 "1.3.6.1.6.3.1.1.5.3",
				 "1.3.6.1.2.1.2.2.1.1.7", "i", "7",
				 "1.3.6.1.6.3.18.1.3.0", "a", "10.9.8.7",
				 "1.3.6.1.2.1.2.2.1.2.7", "s", "ge-0/0/7",
				 NULL };

		cr_assert_eq(send_with(&x, argv), 0);
	}
	{
		/* v1 generic trap 3 (linkUp), agent-addr 10.1.1.1 */
		char *argv[] = { "snmptrap", "-v1", "-c", "v1comm", dest,
				 "1.3.6.1.4.1.8072.3", "10.1.1.1", "3", "0",
				 "", NULL };

		cr_assert_eq(send_with(&x, argv), 0);
	}
	cr_assert_eq(x.nmsgs, 2);
	cr_assert_eq(x.msgs[0].version, 2);
	cr_assert_eq(x.msgs[0].inform, 0);
	cr_assert_str_eq(x.msgs[0].community, "public");
	cr_assert_str_eq(x.msgs[0].src_host, "127.0.0.1");
	cr_assert_str_eq(x.msgs[0].trap_oid, "1.3.6.1.6.3.1.1.5.3");
	cr_assert_str_eq(x.msgs[0].agent_addr, "10.9.8.7");
	cr_assert_str_eq(x.msgs[0].varbinds,
			 "1.3.6.1.2.1.2.2.1.1.7=7; "
			 "1.3.6.1.2.1.2.2.1.2.7=\"ge-0/0/7\"");
	cr_assert_eq(x.msgs[1].version, 1);
	cr_assert_str_eq(x.msgs[1].community, "v1comm");
	/* RFC 3584 section 3.1: generic-trap 3 is snmpTraps.4 */
	cr_assert_str_eq(x.msgs[1].trap_oid, "1.3.6.1.6.3.1.1.5.4");
	cr_assert_str_eq(x.msgs[1].agent_addr, "10.1.1.1");
	cr_assert_eq(x.nrej, 0);
	rx_close(&x);
}

Test(trap_receiver, inform_is_answered_only_when_accepted)
{
	struct rx x;
	int port = agent_free_udp_port();
	char dest[64];
	char *argv[] = { "snmpinform", "-v2c", "-c", "public", "-t", "1",
			 "-r", "0", dest, "", "1.3.6.1.6.3.1.1.5.1", NULL };

	skip_without_snmptrap();
	cr_assert(port > 0);
	rx_open(&x, port);
	snprintf(dest, sizeof(dest), "127.0.0.1:%d", port);
	cr_assert_eq(send_with(&x, argv), 0, "the inform got no response");
	cr_assert_eq(x.nmsgs, 1);
	cr_assert_eq(x.msgs[0].inform, 1);
	cr_assert_str_eq(x.msgs[0].trap_oid, "1.3.6.1.6.3.1.1.5.1");
	x.refuse = 1; /* a wrong community, say */
	cr_assert_neq(send_with(&x, argv), 0,
		      "a refused inform must get no response");
	cr_assert_eq(x.nmsgs, 2);
	rx_close(&x);
}

Test(trap_receiver, v3_keys_of_the_profile_are_checked)
{
	struct rx x;
	int port = agent_free_udp_port();
	char dest[64];

	skip_without_snmptrap();
	cr_assert(port > 0);
	rx_open(&x, port);
	snprintf(dest, sizeof(dest), "127.0.0.1:%d", port);
	{
		char *argv[] = { "snmptrap", "-v3", "-u", "trapper", "-l",
				 "authPriv", "-a", "SHA", "-A", "authpass123",
				 "-x", "AES", "-X", "privpass123", dest, "",
				 "1.3.6.1.6.3.1.1.5.3", NULL };

		cr_assert_eq(send_with(&x, argv), 0);
	}
	cr_assert_eq(x.nmsgs, 1, "a v3 trap with the profile's keys passes");
	cr_assert_eq(x.msgs[0].version, 3);
	cr_assert_str_eq(x.msgs[0].user, "trapper");
	cr_assert_str_eq(x.msgs[0].trap_oid, "1.3.6.1.6.3.1.1.5.3");
	{
		char *argv[] = { "snmptrap", "-v3", "-u", "trapper", "-l",
				 "authPriv", "-a", "SHA", "-A", "wrongpass123",
				 "-x", "AES", "-X", "privpass123", dest, "",
				 "1.3.6.1.6.3.1.1.5.3", NULL };

		cr_assert_eq(send_with(&x, argv), 0);
	}
	{
		char *argv[] = { "snmptrap", "-v3", "-u", "stranger", "-l",
				 "authNoPriv", "-a", "SHA", "-A",
				 "authpass123", dest, "",
				 "1.3.6.1.6.3.1.1.5.3", NULL };

		cr_assert_eq(send_with(&x, argv), 0);
	}
	{
		/* the right user without authentication: below the profile */
		char *argv[] = { "snmptrap", "-v3", "-u", "trapper", "-l",
				 "noAuthNoPriv", dest, "",
				 "1.3.6.1.6.3.1.1.5.3", NULL };

		cr_assert_eq(send_with(&x, argv), 0);
	}
	cr_assert_eq(x.nmsgs, 1, "refused traps reached the caller");
	cr_assert_eq(x.nrej, 3);
	for (size_t i = 0; i < x.nrej; i++)
		cr_assert_eq(x.why[i], TRAP_REJ_AUTH, "%s", x.detail[i]);
	cr_assert(strstr(x.detail[0], "wrong digest"), "%s", x.detail[0]);
	cr_assert(strstr(x.detail[1], "unknown user"), "%s", x.detail[1]);
	cr_assert(strstr(x.detail[2], "security level"), "%s", x.detail[2]);
	{
		char *argv[] = { "snmpinform", "-v3", "-u", "trapper", "-l",
				 "authPriv", "-a", "SHA", "-A", "authpass123",
				 "-x", "AES", "-X", "privpass123", "-t", "1",
				 "-r", "1", dest, "", "1.3.6.1.6.3.1.1.5.2",
				 NULL };

		cr_assert_eq(send_with(&x, argv), 0,
			     "the v3 inform got no response");
	}
	cr_assert_eq(x.nmsgs, 2);
	cr_assert_eq(x.msgs[1].inform, 1);
	rx_close(&x);
}
