/*
 * test_inventory.c - the device inventory CSV: encodings, quoting, line
 * numbers, addresses, and the exact "file:line: message" of every error.
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/config.h"
#include "modules/modules.h"

static char dir[64];
static char file[128];
static struct diag d;
static struct config *cfg;

/* A config with two profiles, "p" and "v3", and no devices. */
static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/slamon-inventory-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/inv.csv", dir);
	memset(&d, 0, sizeof(d));
	cr_assert_eq(config_create(&cfg), 0);
	cr_assert_not_null(config_item_add(cfg, &snmp_profile_section, "p"));
	cr_assert_not_null(config_item_add(cfg, &snmp_profile_section, "v3"));
}

static void teardown(void)
{
	unlink(file);
	rmdir(dir);
	config_destroy(cfg);
	diag_destroy(&d);
}

TestSuite(inventory, .init = setup, .fini = teardown);

static int load(const char *text, size_t len)
{
	FILE *fp = fopen(file, "w");

	cr_assert_not_null(fp);
	fwrite(text, 1, len, fp);
	fclose(fp);
	return inventory_load(cfg, file, &d);
}

#define LOAD(text) load(text, sizeof(text) - 1)

/* Asserts exactly the expected messages ("inv.csv:3: ..."), in order. */
static void expect(const char *const *exp)
{
	size_t n = 0;
	char want[1024];

	while (exp[n] != NULL)
		n++;
	for (size_t i = 0; i < d.n; i++)
		cr_log_info("got: %s", d.msgs[i]);
	cr_assert_eq(d.n, n, "expected %zu messages, got %zu", n, d.n);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s/%s", dir, exp[i]);
		cr_expect_str_eq(d.msgs[i], want);
	}
}

#define FAILS(text, ...)                                                  \
	do {                                                              \
		cr_assert_eq(LOAD(text), -EINVAL);                        \
		expect((const char *const[]){ __VA_ARGS__, NULL });       \
	} while (0)

#define HDR "unit,name,address,role,parent,profile,interfaces,capacity_mbps,tags\n"

/* ---- accepted input ------------------------------------------------- */

Test(inventory, bom_and_chinese_unit_names)
{
	static const char unit[] = "区卫生健康局";

	cr_assert_eq(LOAD("\xEF\xBB\xBF" HDR
			  "区卫生健康局,wjj,10.0.0.1,access,,p,,100,医疗;二级\n"
			  "\xE3\x80\x80区教育局 ,jyj,10.0.0.2,接入,wjj,p,,,\n"),
		     0);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(cfg->ndevices, 2);
	cr_assert_eq(memcmp(cfg->devices[0].unit, unit, sizeof(unit)), 0);
	cr_assert_str_eq(cfg->devices[0].tags, "医疗;二级");
	cr_assert_float_eq(cfg->devices[0].capacity_mbps, 100, 1e-9);
	cr_assert_eq(cfg->devices[0].line, 2);
	/* surrounding blanks, ideographic space included, are trimmed */
	cr_assert_str_eq(cfg->devices[1].unit, "区教育局");
	cr_assert_eq(cfg->devices[1].role, ROLE_ACCESS);
	cr_assert_eq(cfg->devices[1].parent_idx, 0);
	cr_assert_eq(cfg->devices[0].parent_idx, -1);
	cr_assert_eq(cfg->devices[1].profile_idx, 0);
	cr_assert_eq(cfg->devices[1].line, 3);
}

Test(inventory, chinese_headers)
{
	cr_assert_eq(LOAD("单位,设备名称,地址,角色,上级设备,凭据,接口,签约带宽,标签\n"
			  "区财政局,czj,10.0.0.9,access,,v3,GigabitEthernet0/0/1,"
			  "50,\n"),
		     0);
	cr_assert_eq(cfg->ndevices, 1);
	cr_assert_str_eq(cfg->devices[0].unit, "区财政局");
	cr_assert_str_eq(cfg->devices[0].ifsel, "GigabitEthernet0/0/1");
	cr_assert_eq(cfg->devices[0].profile_idx, 1);
}

Test(inventory, header_case_blanks_and_column_order)
{
	cr_assert_eq(LOAD(" Name , PROFILE,Address,Unit,Role\n"
			  "n1,p,10.0.0.1,u,backbone\n"),
		     0);
	cr_assert_str_eq(cfg->devices[0].name, "n1");
	cr_assert_str_eq(cfg->devices[0].unit, "u");
	cr_assert_eq(cfg->devices[0].role, ROLE_BACKBONE);
	cr_assert_str_eq(cfg->devices[0].parent, "");
	cr_assert_float_eq(cfg->devices[0].capacity_mbps, 0, 1e-9);
}

Test(inventory, quoted_comma_and_newline_keep_line_numbers)
{
	FAILS(HDR
	      "\"区卫生健康局（含疾控中心, 妇幼保健院）\",a,10.0.0.1,access,,p,,,\n"
	      "\"第一行\n第二行\",b,10.0.0.2,access,,p,,,\"x\ny\"\n"
	      "u,c,10.0.0.3,router,,p,,,\n",
	      "inv.csv:6: unknown role 'router'");
	cr_assert_eq(cfg->ndevices, 3);
	cr_assert_str_eq(cfg->devices[0].unit,
			 "区卫生健康局（含疾控中心, 妇幼保健院）");
	cr_assert_str_eq(cfg->devices[1].unit, "第一行\n第二行");
	cr_assert_str_eq(cfg->devices[1].tags, "x\ny");
	cr_assert_eq(cfg->devices[1].line, 3);
	cr_assert_eq(cfg->devices[2].line, 6); /* row 3 spans lines 3-5 */
}

Test(inventory, first_field_starting_with_hash_is_a_comment)
{
	cr_assert_eq(LOAD(HDR
			  "u,a,10.0.0.1,access,,p,,,\n"
			  "\"#disabled\",b,10.0.0.2,access,,p,,,\n"
			  "  #c,c,10.0.0.3,router,,nope,,,\n"
			  "u,d,10.0.0.4,access,,p,,,\n"),
		     0);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(cfg->ndevices, 2);
	cr_assert_str_eq(cfg->devices[1].name, "d");
	cr_assert_eq(cfg->devices[1].line, 5);
}

Test(inventory, comments_crlf_and_last_line_without_newline)
{
	cr_assert_eq(LOAD("# exported 2024-05-01\r\n"
			  HDR
			  "\r\n"
			  "# unit,name,\"unbalanced\r\n"
			  ",,,,,,,,\r\n"
			  "   \r\n"
			  "u,a,10.0.0.1,access,,p,,,\r\n"
			  "u,c,10.0.0.3,access,a,p,,,"),
		     0);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(cfg->ndevices, 2);
	cr_assert_eq(cfg->devices[0].line, 7);
	cr_assert_eq(cfg->devices[1].line, 8);
	cr_assert_str_eq(cfg->devices[1].parent, "a");
	cr_assert_eq(cfg->devices[1].parent_idx, 0);
}

Test(inventory, addresses)
{
	cr_assert_eq(LOAD(HDR
			  "u,v4,10.1.2.3,access,,p,,,\n"
			  "u,v4port,10.1.2.3:1161,access,,p,,,\n"
			  "u,v6,2001:DB8:0::1,access,,p,,,\n"
			  "u,v6port,[2001:db8::1]:1161,access,,p,,,\n"
			  "u,v6br,[::1],access,,p,,,\n"),
		     0);
	cr_assert_eq(cfg->ndevices, 5);
	cr_assert_str_eq(cfg->devices[0].host, "10.1.2.3");
	cr_assert_eq(cfg->devices[0].port, 161);
	cr_assert_eq(cfg->devices[0].af, AF_INET);
	cr_assert_str_eq(cfg->devices[1].host, "10.1.2.3");
	cr_assert_eq(cfg->devices[1].port, 1161);
	cr_assert_str_eq(cfg->devices[2].host, "2001:db8::1");
	cr_assert_eq(cfg->devices[2].port, 161);
	cr_assert_eq(cfg->devices[2].af, AF_INET6);
	cr_assert_str_eq(cfg->devices[3].host, "2001:db8::1");
	cr_assert_eq(cfg->devices[3].port, 1161);
	cr_assert_eq(cfg->devices[3].af, AF_INET6);
	cr_assert_str_eq(cfg->devices[4].host, "::1");
	cr_assert_eq(cfg->devices[4].port, 161);
}

/* ---- errors --------------------------------------------------------- */

Test(inventory, bad_addresses)
{
	FAILS(HDR
	      "u,a,10.0.0.256,access,,p,,,\n"
	      "u,b,10.0.0.1:0,access,,p,,,\n"
	      "u,c,10.0.0.1:65536,access,,p,,,\n"
	      "u,d,router.example,access,,p,,,\n"
	      "u,e,[2001:db8::1]x,access,,p,,,\n"
	      "u,f,10.0.0.1:,access,,p,,,\n"
	      "u,g,[10.0.0.1]:161,access,,p,,,\n"
	      "u,h,10.0.0.1:+161,access,,p,,,\n",
	      "inv.csv:2: bad address '10.0.0.256'",
	      "inv.csv:3: bad address '10.0.0.1:0'",
	      "inv.csv:4: bad address '10.0.0.1:65536'",
	      "inv.csv:5: bad address 'router.example'",
	      "inv.csv:6: bad address '[2001:db8::1]x'",
	      "inv.csv:7: bad address '10.0.0.1:'",
	      "inv.csv:8: bad address '[10.0.0.1]:161'",
	      "inv.csv:9: bad address '10.0.0.1:+161'");
}

Test(inventory, field_errors)
{
	FAILS(HDR
	      "u,a,10.0.0.1,router,,p,,,\n"
	      "u,b,10.0.0.2,access,,nope,,,\n"
	      "u,c,10.0.0.3,access,,p,,-1,\n"
	      "u,d,10.0.0.4,access,,p,,fast,\n"
	      ",,10.0.0.5,,,,,,\n"
	      "u,x/y,10.0.0.6,access,,p,,,\n"
	      "u,0123456789012345678901234567890123456789012345678901234567890"
	      "123,10.0.0.7,access,,p,,,\n"
	      "u,\"tab\there\",10.0.0.8,access,,p,,,\n",
	      "inv.csv:2: unknown role 'router'",
	      "inv.csv:3: unknown profile 'nope'",
	      "inv.csv:4: bad capacity_mbps '-1' (must be a non-negative "
	      "number)",
	      "inv.csv:5: bad capacity_mbps 'fast' (must be a non-negative "
	      "number)",
	      "inv.csv:6: missing value for 'unit'",
	      "inv.csv:6: missing value for 'name'",
	      "inv.csv:6: missing value for 'role'",
	      "inv.csv:6: missing value for 'profile'",
	      "inv.csv:7: bad device name 'x/y' (no '/' or control "
	      "characters)",
	      "inv.csv:8: field 'name' too long (max 63 bytes)",
	      "inv.csv:9: bad device name 'tab?here' (no '/' or control "
	      "characters)");
}

Test(inventory, field_counts)
{
	FAILS(HDR
	      "u,a,10.0.0.1,access,,p,,,,extra\n"
	      "u,b,10.0.0.2,access,,p\n"
	      "u,c,10.0.0.3,access,,p,,,\n",
	      "inv.csv:2: too many fields (10, header has 9)",
	      "inv.csv:3: too few fields (6, header has 9)");
	cr_assert_eq(cfg->ndevices, 1);
}

Test(inventory, duplicates)
{
	FAILS(HDR
	      "u,a,10.0.0.1,access,,p,,,\n"
	      "u,b,[2001:db8::1]:1161,access,,p,,,\n"
	      "u,a,10.0.0.2,access,,p,,,\n"
	      "u,c,10.0.0.1,access,,p,,,\n"
	      "u,d,10.0.0.1:1161,access,,p,,,\n"
	      "u,e,[2001:DB8:0::1]:1161,access,,p,,,\n",
	      "inv.csv:4: duplicate device name 'a' (first at line 2)",
	      "inv.csv:5: duplicate address '10.0.0.1' port 161 (first at "
	      "line 2, device 'a')",
	      "inv.csv:7: duplicate address '2001:db8::1' port 1161 (first at "
	      "line 3, device 'b')");
}

Test(inventory, parents)
{
	FAILS(HDR
	      "u,a,10.0.0.1,access,nowhere,p,,,\n"
	      "u,b,10.0.0.2,access,b,p,,,\n"
	      "u,c,10.0.0.3,access,a,p,,,\n",
	      "inv.csv:2: unknown parent 'nowhere'",
	      "inv.csv:3: device 'b' is its own parent");
	cr_assert_eq(cfg->devices[2].parent_idx, 0);
	cr_assert_eq(cfg->devices[0].parent_idx, -1);
}

Test(inventory, three_device_cycle_reported_once)
{
	FAILS(HDR
	      "u,root,10.0.0.9,core,,p,,,\n"
	      "u,b,10.0.0.2,access,c,p,,,\n"
	      "u,a,10.0.0.1,access,b,p,,,\n"
	      "u,c,10.0.0.3,access,a,p,,,\n"
	      "u,tail,10.0.0.4,access,a,p,,,\n"
	      "u,x,10.0.0.5,access,y,p,,,\n"
	      "u,y,10.0.0.6,access,x,p,,,\n",
	      "inv.csv:3: parent cycle: b -> c -> a -> b",
	      "inv.csv:7: parent cycle: x -> y -> x");
}

Test(inventory, header_errors)
{
	FAILS("unit,name,role,profile,colour,name\n"
	      "u,a,access,p,red,a\n",
	      "inv.csv:1: unknown column 'colour'",
	      "inv.csv:1: duplicate column 'name'",
	      "inv.csv:1: missing column 'address'");
}

Test(inventory, quoting_errors)
{
	FAILS(HDR
	      "u,a\"b,10.0.0.1,access,,p,,,\n"
	      "u,c,10.0.0.3,access,,p,,,\n"
	      "u,\"d\"x,10.0.0.4,access,,p,,,\n"
	      "u,e,10.0.0.5,access,,p,,,\"never closed\n"
	      "u,f,10.0.0.6,access,,p,,,\n",
	      "inv.csv:2: malformed quoted field",
	      "inv.csv:4: malformed quoted field",
	      "inv.csv:5: unterminated quoted field");
	cr_assert_eq(cfg->ndevices, 1);
}

Test(inventory, many_errors_all_reported)
{
	FAILS("\xEF\xBB\xBF" HDR
	      "u,a,10.0.0.1,access,,p,,,\n"
	      "u,a,10.0.0.1,hub,,q,,,\n"
	      "u,b,999.0.0.1,access,zz,p,,x,\n"
	      "u,c\n",
	      "inv.csv:3: unknown role 'hub'",
	      "inv.csv:3: unknown profile 'q'",
	      "inv.csv:3: duplicate device name 'a' (first at line 2)",
	      "inv.csv:3: duplicate address '10.0.0.1' port 161 (first at "
	      "line 2, device 'a')",
	      "inv.csv:4: bad address '999.0.0.1'",
	      "inv.csv:4: bad capacity_mbps 'x' (must be a non-negative "
	      "number)",
	      "inv.csv:5: too few fields (2, header has 9)",
	      "inv.csv:4: unknown parent 'zz'");
}

Test(inventory, empty_and_missing_files)
{
	char want[256];

	FAILS("", "inv.csv: empty inventory: no header row");
	diag_destroy(&d);
	unlink(file);
	cr_assert_eq(inventory_load(cfg, file, &d), -EINVAL);
	cr_assert_eq(d.n, 1);
	snprintf(want, sizeof(want), "%s: cannot open: %s", file,
		 strerror(ENOENT));
	cr_assert_str_eq(d.msgs[0], want);
}

/* ---- issue 16, fault 5 ---------------------------------------------- */

/* A row with many problems reports every one of them, its unknown parent
 * too, though the row is not kept (bad or duplicate name). */
Test(inventory, every_problem_of_a_row_reported)
{
	FAILS(HDR
	      "u,a,10.0.0.1,access,,p,,,\n"
	      "u,x/y,999.0.0.1,hub,nowhere,q,,-3,\n"
	      "u,a,10.0.0.2,access,elsewhere,p,,,\n"
	      "u,b,10.0.0.3,access,b,p,,,\n",
	      "inv.csv:3: bad device name 'x/y' (no '/' or control "
	      "characters)",
	      "inv.csv:3: bad address '999.0.0.1'",
	      "inv.csv:3: unknown role 'hub'",
	      "inv.csv:3: unknown profile 'q'",
	      "inv.csv:3: bad capacity_mbps '-3' (must be a non-negative "
	      "number)",
	      "inv.csv:4: duplicate device name 'a' (first at line 2)",
	      "inv.csv:3: unknown parent 'nowhere'",
	      "inv.csv:4: unknown parent 'elsewhere'",
	      "inv.csv:5: device 'b' is its own parent");
	cr_assert_eq(cfg->ndevices, 2);
}

/* Invalid UTF-8 and C1 controls are shown as \xNN (C0 controls as '?', as
 * before), long values cut with "...". */
Test(inventory, binary_bytes_escaped_and_cut)
{
	char text[1024], want[256];

	snprintf(text, sizeof(text),
		 HDR "u,n1,10.0.0.1,\xff\xfe\xc2\x9b" "31m,,p,,,\n"
		     "u,n2,%0200d,access,,p,,,\n",
		 7);
	cr_assert_eq(load(text, strlen(text)), -EINVAL);
	cr_assert_eq(d.n, 2);
	snprintf(want, sizeof(want),
		 "%s/inv.csv:2: unknown role '\\xff\\xfe\\xc2\\x9b31m'", dir);
	cr_assert_str_eq(d.msgs[0], want);
	cr_assert(strstr(d.msgs[1], "bad address '000000") != NULL, "%s",
		  d.msgs[1]);
	cr_assert(strstr(d.msgs[1], "...'") != NULL, "%s", d.msgs[1]);
	cr_assert_lt(strlen(d.msgs[1]), 160, "%s", d.msgs[1]);
}

/* /bin/ls as the inventory: a bounded number of printable lines. */
Test(inventory, binary_file)
{
	cr_assert_eq(inventory_load(cfg, "/bin/ls", &d), -EINVAL);
	cr_assert_gt(d.n, 0);
	cr_assert_leq(d.n, 101);
	for (size_t i = 0; i < d.n; i++)
		for (const unsigned char *p = (const unsigned char *)d.msgs[i];
		     *p != '\0'; p++)
			cr_assert(*p >= 0x20 && *p < 0x7f, "%s", d.msgs[i]);
}

/* ---- the probe column (issue 13): cameras and IoT terminals ---------- */

Test(inventory, icmp_devices_need_no_profile)
{
	cr_assert_eq(LOAD("unit,name,address,role,parent,profile,probe\n"
			  "区公安分局,agg-ga,10.0.0.1,aggregation,,p,\n"
			  "区公安分局,cam-1,10.9.0.1,camera,agg-ga,,icmp\n"
			  "区公安分局,cam-2,10.9.0.2,camera,agg-ga,, ICMP \n"
			  "区城管局,iot-1,10.8.0.1,iot,,,ping\n"
			  "区城管局,sw-1,10.8.0.9,access,,p,snmp\n"),
		     0);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(cfg->ndevices, 5);
	cr_assert_eq(cfg->devices[0].probe, DEV_PROBE_SNMP, "empty: snmp");
	cr_assert_eq(cfg->devices[1].probe, DEV_PROBE_ICMP);
	cr_assert_eq(cfg->devices[1].profile_idx, -1);
	cr_assert_eq(cfg->devices[1].parent_idx, 0, "a parent like any other");
	cr_assert_eq(cfg->devices[2].probe, DEV_PROBE_ICMP);
	cr_assert_eq(cfg->devices[3].probe, DEV_PROBE_ICMP, "ping: an alias");
	cr_assert_eq(cfg->devices[3].role, ROLE_IOT);
	cr_assert_eq(cfg->devices[4].probe, DEV_PROBE_SNMP);
	cr_assert_eq(cfg->devices[4].profile_idx, 0);
}

Test(inventory, chinese_probe_header_and_no_profile_column)
{
	/* a camera list has no profile column at all */
	cr_assert_eq(LOAD("单位,设备名称,地址,角色,探测方式\n"
			  "区交通局,cam-jt-1,10.9.1.1,摄像头,icmp\n"),
		     0);
	cr_assert_eq(cfg->ndevices, 1);
	cr_assert_eq(cfg->devices[0].probe, DEV_PROBE_ICMP);
	cr_assert_eq(cfg->devices[0].role, ROLE_CAMERA);
}

Test(inventory, probe_errors_name_their_line)
{
	FAILS("unit,name,address,role,parent,profile,probe\n"
	      "u,cam-1,10.9.0.1,camera,,,icmp\n"
	      "u,cam-2,10.9.0.2,camera,,,http\n"
	      "u,sw-1,10.0.0.1,access,,,snmp\n"
	      "u,sw-2,10.0.0.2,access,,,\n"
	      "u,cam-3,10.9.0.3,camera,,nope,icmp\n",
	      "inv.csv:3: unknown probe 'http' (snmp or icmp)",
	      "inv.csv:4: missing value for 'profile'",
	      "inv.csv:5: missing value for 'profile'",
	      "inv.csv:6: unknown profile 'nope'");
	cr_assert_eq(cfg->ndevices, 5, "rows with errors are kept for "
					"their parents, as before");
}
