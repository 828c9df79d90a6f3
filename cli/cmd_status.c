/*
 * cmd_status.c - `slamon status`: prints slamond's live status snapshot
 * (collector/status.c writes it) as a table in Chinese or English, or as
 * the raw JSON. The snapshot is stale after three polling intervals of the
 * slowest role.
 * SPDX-License-Identifier: MIT
 */
#include "cmd_status.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "core/config.h"

/* ---- printing ------------------------------------------------------- */

struct words {
	const char *title, *age, *config, *role, *total, *up, *down, *unreach,
		*maint, *unknown,
		*sum, *links, *device, *iface, *speed, *in, *out, *uin, *uout,
		*downlist, *unit, *addr, *since, *why, *polls, *none, *stale,
		*base, *contracted, *portspeed;
};

static const struct words ZH = {
	"slamon 运行状态", "快照时间", "配置", "角色", "总数", "在线", "离线",
	"不可达", "维护", "未知", "合计", "链路（骨干、出口与签约带宽）", "设备", "接口", "速率(Mbps)",
	"入方向", "出方向", "入利用率", "出利用率", "离线与不可达设备", "单位", "地址",
	"离线起始", "原因", "轮询", "(无)",
	"警告: 状态快照已过期, slamond 可能未在运行",
	"利用率基准(Mbps)", "签约", "端口"};
static const struct words EN = {
	"slamon status", "snapshot", "config", "role", "total", "up", "down",
	"unreachable", "maint", "unknown", "all", "Links (backbone, exit, contracted)", "device", "interface",
	"speed(Mbps)", "in", "out", "util in", "util out",
	"Devices down or unreachable",
	"unit", "address", "down since", "reason", "polls", "(none)",
	"warning: the snapshot is stale; is slamond running?",
	"util of (Mbps)", "contracted", "speed"};

static const char *role_zh(const char *r)
{
	static const char *map[][2] = {
		{"backbone", "骨干"}, {"exit", "出口"}, {"core", "核心"},
		{"aggregation", "汇聚"}, {"access", "接入"},
		{"server", "服务器"}, {"firewall", "防火墙"},
		{"wireless", "无线"}, {"iot", "物联网终端"},
		{"camera", "视频监控"}, {"other", "其他"}};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], r) == 0)
			return map[i][1];
	return r;
}

/* Display width of UTF-8 text: CJK and full-width forms take 2 columns. */
static size_t text_width(const char *s)
{
	size_t w = 0;
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp;
		int len;

		if (*p < 0x80) {
			cp = *p;
			len = 1;
		} else if ((*p >> 5) == 6) {
			cp = *p & 0x1f;
			len = 2;
		} else if ((*p >> 4) == 14) {
			cp = *p & 0x0f;
			len = 3;
		} else {
			cp = *p & 0x07;
			len = 4;
		}
		for (int i = 1; i < len && p[i]; i++)
			cp = (cp << 6) | (p[i] & 0x3f);
		for (int i = 0; i < len && *p; i++)
			p++;
		w += (cp >= 0x1100 &&
		      (cp <= 0x115f || (cp >= 0x2e80 && cp <= 0xa4cf) ||
		       (cp >= 0xac00 && cp <= 0xd7a3) ||
		       (cp >= 0xf900 && cp <= 0xfaff) ||
		       (cp >= 0xfe30 && cp <= 0xfe4f) ||
		       (cp >= 0xff00 && cp <= 0xff60) ||
		       (cp >= 0xffe0 && cp <= 0xffe6)))
			     ? 2
			     : 1;
	}
	return w;
}

/* Prints s left-aligned in width display columns. */
static void pad(FILE *out, const char *s, size_t width)
{
	size_t w = text_width(s);

	fputs(s, out);
	while (w++ < width)
		fputc(' ', out);
	fputc(' ', out);
}

static void rate_text(char *buf, size_t len, const json_t *v)
{
	double bps;

	if (!json_is_number(v)) {
		snprintf(buf, len, "-");
		return;
	}
	bps = json_number_value(v);
	if (bps >= 1e9)
		snprintf(buf, len, "%.2f Gbps", bps / 1e9);
	else if (bps >= 1e6)
		snprintf(buf, len, "%.2f Mbps", bps / 1e6);
	else
		snprintf(buf, len, "%.1f kbps", bps / 1e3);
}

static void pct_text(char *buf, size_t len, const json_t *v)
{
	if (json_is_number(v))
		snprintf(buf, len, "%.1f%%", json_number_value(v) * 100.0);
	else
		snprintf(buf, len, "-");
}

static void time_text(char *buf, size_t len, double t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static void print_roles(FILE *out, const json_t *roles, const struct words *w,
			int zh)
{
	static const char *keys[] = {"total", "up", "down", "unreachable",
				     "maintenance", "unknown"};
	const char *heads[] = {w->total, w->up, w->down, w->unreach, w->maint,
			       w->unknown};
	enum { NK = 6 };
	const char *key;
	json_t *v;
	json_int_t sum[NK] = {0};
	char num[24];

	pad(out, w->role, 20);
	for (int i = 0; i < NK; i++)
		pad(out, heads[i], 11);
	fputc('\n', out);
	json_object_foreach((json_t *)(uintptr_t)roles, key, v) {
		char label[64];

		snprintf(label, sizeof(label), "%s%s%s", zh ? role_zh(key) : key,
			 zh ? " " : "", zh ? key : "");
		pad(out, label, 20);
		for (int i = 0; i < NK; i++) {
			json_int_t c = json_integer_value(
				json_object_get(v, keys[i]));

			sum[i] += c;
			snprintf(num, sizeof(num), "%lld", (long long)c);
			pad(out, num, 11);
		}
		fputc('\n', out);
	}
	pad(out, w->sum, 20);
	for (int i = 0; i < NK; i++) {
		snprintf(num, sizeof(num), "%lld", (long long)sum[i]);
		pad(out, num, 11);
	}
	fputc('\n', out);
}

static void print_links(FILE *out, const json_t *links, const struct words *w)
{
	size_t i;
	json_t *l;

	fprintf(out, "\n%s\n", w->links);
	if (json_array_size(links) == 0) {
		fprintf(out, "  %s\n", w->none);
		return;
	}
	pad(out, w->device, 16);
	pad(out, w->iface, 22);
	pad(out, w->speed, 11);
	pad(out, w->base, 18);
	pad(out, w->in, 12);
	pad(out, w->out, 12);
	pad(out, w->uin, 9);
	fprintf(out, "%s\n", w->uout);
	json_array_foreach((json_t *)(uintptr_t)links, i, l) {
		char sp[32], in[32], ou[32], ui[16], uo[16], base[48];
		const char *dev = json_string_value(json_object_get(l, "device"));
		const char *basis =
			json_string_value(json_object_get(l, "util_basis"));

		snprintf(sp, sizeof(sp), "%.0f",
			 json_number_value(json_object_get(l, "speed_mbps")));
		/* what util is measured against: the contract first (as the
		 * rules and the SLA), else the port speed */
		if (basis != NULL)
			snprintf(base, sizeof(base), "%.0f %s",
				 json_number_value(
					 json_object_get(l, "util_base_mbps")),
				 strcmp(basis, "capacity") == 0
					 ? w->contracted
					 : w->portspeed);
		else
			snprintf(base, sizeof(base), "-");
		rate_text(in, sizeof(in), json_object_get(l, "in_bps"));
		rate_text(ou, sizeof(ou), json_object_get(l, "out_bps"));
		pct_text(ui, sizeof(ui), json_object_get(l, "util_in"));
		pct_text(uo, sizeof(uo), json_object_get(l, "util_out"));
		pad(out, dev, 16);
		pad(out, json_string_value(json_object_get(l, "interface")), 22);
		pad(out, sp, 11);
		pad(out, base, 18);
		pad(out, in, 12);
		pad(out, ou, 12);
		pad(out, ui, 9);
		fprintf(out, "%s\n", uo);
	}
}

/* Devices of a list (down, or nodata: ping answers, SNMP does not); state
 * overrides each entry's state when not NULL. */
static void print_devices(FILE *out, const json_t *down, const char *title,
			  const char *state_override, const struct words *w)
{
	size_t i, n = json_array_size(down);
	json_t *l;

	fprintf(out, "\n%s (%zu)\n", title, n);
	if (n == 0) {
		fprintf(out, "  %s\n", w->none);
		return;
	}
	json_array_foreach((json_t *)(uintptr_t)down, i, l) {
		char since[32];

		if (i == 20) {
			if (w == &ZH)
				fprintf(out, "  其余 %zu 台未列出\n", n - 20);
			else
				fprintf(out, "  %zu more not listed\n", n - 20);
			break;
		}
		char addr[80], fault[32];
		const char *state =
			state_override ? state_override
				       : json_string_value(
						 json_object_get(l, "state"));
		json_int_t fid = json_integer_value(json_object_get(l, "fault"));

		time_text(since, sizeof(since),
			  json_number_value(json_object_get(l, "since")));
		if (json_is_string(json_object_get(l, "probe")) &&
		    strcmp(json_string_value(json_object_get(l, "probe")),
			   "icmp") == 0)
			snprintf(addr, sizeof(addr), "%s (icmp)",
				 json_string_value(
					 json_object_get(l, "address")));
		else
			snprintf(addr, sizeof(addr), "%s:%lld",
				 json_string_value(
					 json_object_get(l, "address")),
				 (long long)json_integer_value(
					 json_object_get(l, "port")));
		if (fid > 0)
			snprintf(fault, sizeof(fault), "#%lld", (long long)fid);
		else
			snprintf(fault, sizeof(fault), "-");
		fputs("  ", out);
		pad(out, json_string_value(json_object_get(l, "device")), 12);
		pad(out, json_string_value(json_object_get(l, "unit")), 30);
		pad(out, addr, 21);
		pad(out, state ? state : "down", 11);
		pad(out, fault, 6);
		pad(out, since, 19);
		if (state && strcmp(state, "unreachable") == 0)
			fprintf(out, "%s %s\n",
				w == &ZH ? "上级设备离线:" : "parent down:",
				json_string_value(json_object_get(l, "parent")));
		else
			fprintf(out, "%s\n",
				json_string_value(json_object_get(l, "error")));
	}
}

/* v with decimals digits, then unit; "-" when v is null. */
static void num_text(char *buf, size_t len, const json_t *v, int decimals,
		     const char *unit)
{
	if (json_is_number(v))
		snprintf(buf, len, "%.*f%s", decimals, json_number_value(v),
			 unit);
	else
		snprintf(buf, len, "-");
}

/* The ICMP devices (cameras, IoT terminals): how many answer, RTT, loss,
 * and the answering ones that lose echoes. Only when there are some. */
static void print_icmp(FILE *out, const json_t *ic, int zh)
{
	json_int_t n = json_integer_value(json_object_get(ic, "devices"));
	const json_t *lossy = json_object_get(ic, "lossy");
	const json_t *sw = json_object_get(ic, "sweep");
	char rtt[32], loss[32];
	size_t i;
	json_t *l;

	if (n <= 0)
		return;
	num_text(rtt, sizeof(rtt), json_object_get(ic, "rtt_avg_ms"), 2, "");
	num_text(loss, sizeof(loss), json_object_get(ic, "loss_avg_pct"), 1,
		 "");
	fprintf(out,
		zh ? "\nICMP 设备 (探测方式 icmp): %lld 台, 应答 %lld 台, "
		     "平均往返时延 %s ms, 应答设备平均丢包率 %s%%\n"
		   : "\nICMP devices (probe icmp): %lld, answering %lld, "
		     "average RTT %s ms, average loss of the answering %s%%\n",
		(long long)n,
		(long long)json_integer_value(json_object_get(ic, "answering")),
		rtt, loss);
	if (sw != NULL)
		fprintf(out,
			zh ? "  回显请求: 已发 %lld, 应答 %lld, 超时后应答 %lld, "
			     "发送失败 %lld (%s 套接字)\n"
			   : "  echo requests: sent %lld, answered %lld, late "
			     "%lld, send errors %lld (%s socket)\n",
			(long long)json_integer_value(json_object_get(sw, "sent")),
			(long long)json_integer_value(
				json_object_get(sw, "received")),
			(long long)json_integer_value(json_object_get(sw, "late")),
			(long long)json_integer_value(
				json_object_get(sw, "send_errors")),
			json_string_value(json_object_get(sw, "socket")));
	if (json_array_size(lossy) == 0)
		return;
	fprintf(out, zh ? "  有丢包的在线设备 (%zu):\n"
			: "  answering with loss (%zu):\n",
		json_array_size(lossy));
	json_array_foreach((json_t *)(uintptr_t)lossy, i, l) {
		num_text(rtt, sizeof(rtt), json_object_get(l, "rtt_ms"), 2,
			 " ms");
		num_text(loss, sizeof(loss), json_object_get(l, "loss_pct"), 0,
			 "%");
		fputs("    ", out);
		pad(out, json_string_value(json_object_get(l, "device")), 12);
		pad(out, json_string_value(json_object_get(l, "unit")), 30);
		pad(out, json_string_value(json_object_get(l, "address")), 16);
		fprintf(out, "%s %s %s %s\n", zh ? "丢包" : "loss", loss,
			zh ? "时延" : "rtt", rtt);
	}
}

/* Only when something is wrong with the captures' interval records (top
 * talkers for reports): not kept at all, or rows lost. */
static void print_capture_records(FILE *out, const json_t *rec, int zh)
{
	json_int_t failed, dropped;
	const char *err;

	if (!json_is_object(rec))
		return; /* an older snapshot */
	failed = json_integer_value(json_object_get(rec, "failed"));
	dropped = json_integer_value(json_object_get(rec, "dropped"));
	err = json_string_value(json_object_get(rec, "last_error"));
	if (!json_is_true(json_object_get(rec, "kept")))
		fprintf(out, "%s\n",
			zh ? "间隔记录（Top 通信方）：未保存，故障日志库无法打开"
			   : "interval records (top talkers): not kept, the "
			     "journal could not be opened");
	else if (failed > 0 || dropped > 0)
		fprintf(out,
			zh ? "间隔记录（Top 通信方）：写入失败 %lld，丢弃 %lld：%s\n"
			   : "interval records (top talkers): %lld failed, "
			     "%lld dropped: %s\n",
			(long long)failed, (long long)dropped, err ? err : "");
}

/* [capture] links (issue 6): one line each; absent in older snapshots. */
static void print_captures(FILE *out, const json_t *caps,
			   const struct words *w)
{
	int zh = w == &ZH;
	size_t i;
	json_t *c;

	if (json_array_size(caps) == 0)
		return;
	fprintf(out, "\n%s\n", zh ? "抓包链路" : "Captured links");
	pad(out, zh ? "名称" : "name", 12);
	pad(out, w->device, 16);
	pad(out, zh ? "来源" : "source", 16);
	pad(out, w->in, 12);
	pad(out, w->out, 12);
	pad(out, zh ? "丢包" : "drops", 7);
	pad(out, zh ? "与SNMP偏差" : "vs SNMP", 10);
	fprintf(out, "%s\n", zh ? "状态" : "state");
	json_array_foreach((json_t *)(uintptr_t)caps, i, c) {
		char in[32], ou[32], dr[16], xc[16], st[300];
		const json_t *x = json_object_get(c, "crosscheck");
		const json_t *d = json_object_get(c, "drop_pct");
		const json_t *pct = json_object_get(x, "divergence_pct");
		const char *err = json_string_value(json_object_get(c, "error"));
		const char *from;
		json_int_t fid = json_integer_value(json_object_get(
			json_object_get(c, "faults"), "divergence"));

		rate_text(in, sizeof(in), json_object_get(c, "in_bps"));
		rate_text(ou, sizeof(ou), json_object_get(c, "out_bps"));
		if (json_is_number(d))
			snprintf(dr, sizeof(dr), "%.2f%%", json_number_value(d));
		else
			snprintf(dr, sizeof(dr), "-");
		if (json_is_number(pct))
			snprintf(xc, sizeof(xc), "%.1f%%",
				 json_number_value(pct));
		else
			snprintf(xc, sizeof(xc), "-");
		snprintf(st, sizeof(st), "%s%s%s",
			 json_string_value(json_object_get(c, "state")),
			 err && err[0] ? ": " : "", err ? err : "");
		if (fid > 0)
			snprintf(st + strlen(st), sizeof(st) - strlen(st),
				 " %s #%lld", zh ? "偏差故障" : "divergence fault",
				 (long long)fid);
		pad(out, json_string_value(json_object_get(c, "name")), 12);
		pad(out, json_string_value(json_object_get(c, "device")), 16);
		from = json_string_value(json_object_get(c, "from"));
		if (from != NULL && strrchr(from, '/') != NULL)
			from = strrchr(from, '/') + 1; /* a file: its name */
		pad(out, from ? from : "-", 16);
		pad(out, in, 12);
		pad(out, ou, 12);
		pad(out, dr, 7);
		pad(out, xc, 10);
		fprintf(out, "%s\n", st);
	}
}

int status_print(const char *path, int as_json, const char *lang,
		 double stale_after, FILE *out)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	const struct words *w = (lang && strcmp(lang, "en") == 0) ? &EN : &ZH;
	int zh = w == &ZH;
	char when[32];
	double gen, age;
	struct timeval tv;
	json_t *polls;

	if (root == NULL) {
		fprintf(stderr, "slamon: %s: cannot read status snapshot: %s "
				"(is slamond running with this config?)\n",
			path, jerr.text);
		return 2;
	}
	if (as_json) {
		json_dumpf(root, out, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', out);
		json_decref(root);
		return 0;
	}
	gettimeofday(&tv, NULL);
	gen = json_number_value(json_object_get(root, "generated"));
	age = (double)tv.tv_sec + tv.tv_usec / 1e6 - gen;
	if (age < 0)
		age = 0;
	time_text(when, sizeof(when), gen);
	fprintf(out, "%s  (%s %s, %.0f s; %s %s)\n", w->title, w->age, when,
		age, w->config,
		json_string_value(json_object_get(root, "config")));
	if (stale_after > 0 && age > stale_after)
		fprintf(out, "%s\n", w->stale);
	fputc('\n', out);
	print_roles(out, json_object_get(root, "roles"), w, zh);
	print_links(out, json_object_get(root, "links"), w);
	print_devices(out, json_object_get(root, "down"), w->downlist, NULL, w);
	if (json_array_size(json_object_get(root, "nodata")) > 0)
		print_devices(out, json_object_get(root, "nodata"),
			      zh ? "能 ping 通但 SNMP 无应答的设备 (nodata)"
				 : "Devices answering ping but not SNMP (nodata)",
			      "nodata", w);
	print_icmp(out, json_object_get(root, "icmp"), zh);
	print_captures(out, json_object_get(root, "captures"), w);
	if (json_array_size(json_object_get(root, "captures")) > 0)
		print_capture_records(out,
				      json_object_get(root, "capture_records"),
				      zh);
	polls = json_object_get(root, "polls");
	fprintf(out, "\n%s: %lld, late %lld, skipped %lld\n", w->polls,
		(long long)json_integer_value(json_object_get(polls, "done")),
		(long long)json_integer_value(json_object_get(polls, "late")),
		(long long)json_integer_value(
			json_object_get(polls, "skipped")));
	json_decref(root);
	return 0;
}

/* ---- the command ---------------------------------------------------- */

static const struct cli_opt opts[] = {
	CLI_OPT_CONFIG,
	CLI_OPT_JSON,
	CLI_OPT_LANG,
	CLI_OPT_END,
};

static int run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cli_ctx ctx;
	struct config *cfg = NULL;
	double stale = 0;
	int rc;

	rc = cli_parse(cmd, argc, argv, &ctx, NULL, NULL);
	if (rc != 0)
		return cli_parse_status(rc);
	if (cli__config_load(ctx.config, &cfg) < 0)
		return 2;
	for (int r = 0; r < ROLE_COUNT; r++)
		if (cfg->interval_s[r] * 3.0 > stale)
			stale = cfg->interval_s[r] * 3.0;
	rc = status_print(cfg->status_file, ctx.json, ctx.lang, stale, stdout);
	config_destroy(cfg);
	return rc;
}

const struct cli_cmd cli_cmd_status = {
	.name = "status",
	.synopsis = "[-c CONFIG] [--json] [--lang zh|en]",
	.summary = "live status from the snapshot slamond writes",
	.summary_zh = "实时运行状态",
	.notes = "exit status: 0, or 2 when the snapshot or the configuration "
		 "cannot be read",
	.opts = opts,
	.run = run,
};
