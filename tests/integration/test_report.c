/*
 * test_report.c - the monthly report of the synthetic October 2026
 * (tests/unit/sla_synth.h): every output file is written, the HTML is
 * self-contained, headless Chromium (Debian's, started here, no network)
 * prints it to PDF, pdftotext finds every section title and indicator name
 * in Chinese, pdffonts shows the fonts embedded, and rrd_graph drew the
 * Chinese graph titles with a CJK font that fontconfig resolves; the
 * captured link's month (top talkers and ports summed from the
 * per-interval records) in every format, and `slamon talkers`.
 * SPDX-License-Identifier: MIT
 */
#include "../unit/sla_synth.h"

#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>

#include "slamond_run.h"
#include "sla/report.h"
#include "sla/sla.h"

static struct synth S;

static void setup(void)
{
	synth_build(&S);
}

static void teardown(void)
{
	synth_destroy(&S);
}

TestSuite(report, .init = setup, .fini = teardown, .timeout = 600);

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	synth_cleanup();
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The Chinese report of the synthetic month, with its charts, in
 * out: written once per run (the tests only read it; the daily
 * availability chart alone evaluates 31 days). */
static void build_report(char *out, size_t outlen)
{
	struct report_opts o = { 0 };
	struct sla_period p;
	char err[512] = "", man[4600];

	snprintf(out, outlen, "%s/report-shared", S.dir);
	snprintf(man, sizeof(man), "%s/slamon-2026-10.sha256", out);
	if (access(man, F_OK) == 0)
		return;
	o.out_dir = out;
	o.lang = "zh";
	o.now = SYN_TO + 86400;
	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(report_period(S.cfg, &p, &o, NULL, err, sizeof(err)), 0,
		     "%s", err);
}

/* Table cells wrap Chinese text anywhere: compare without blanks and
 * line breaks. Squeezes s in place and returns it. */
static char *squeeze(char *s)
{
	char *o = s;

	for (char *p = s; *p != '\0'; p++)
		if (*p != ' ' && *p != '\n' && *p != '\f' && *p != '\r')
			*o++ = *p;
	*o = '\0';
	return s;
}

static int has(const char *hay, const char *needle)
{
	char n[512];

	snprintf(n, sizeof(n), "%s", needle);
	return strstr(hay, squeeze(n)) != NULL;
}

static const char *const sections[] = {
	"一、绩效指标完成情况", "二、骨干与出口链路带宽",
	"三、链路利用率 95 百分位", "四、抓包链路流量构成",
	"五、单位联网情况", "六、故障与响应", "七、数据完整性",
};

Test(report, files_and_html)
{
	static const char *const files[] = {
		"slamon-2026-10.html", "slamon-2026-10.json",
		"slamon-2026-10.pdf", "slamon-2026-10.docx",
		"slamon-2026-10.xlsx", "slamon-2026-10-indicators.csv",
		"slamon-2026-10-links.csv", "slamon-2026-10-units.csv",
		"slamon-2026-10-faults.csv", "slamon-2026-10-talkers.csv"
	};
	char out[4400], path[4600];
	char *html;

	build_report(out, sizeof(out));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", out, files[i]);
		cr_assert_eq(access(path, R_OK), 0, "%s missing", path);
	}
	snprintf(path, sizeof(path), "%s/slamon-2026-10.html", out);
	html = slurp(path);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		cr_assert_not_null(strstr(html, sections[i]), "%s", sections[i]);
	for (size_t i = 0; i < config_count(S.cfg, &indicator_section); i++)
		cr_assert_not_null(strstr(html, sla_indicators(S.cfg, NULL)[i].name_zh));
	/* self-contained: images inline, nothing fetched */
	cr_assert_not_null(strstr(html, "src=\"data:image/png;base64,"));
	cr_assert_null(strstr(html, "http://"));
	cr_assert_null(strstr(html, "https://"));
	cr_assert_null(strstr(html, "<link"));
	cr_assert_null(strstr(html, "<script"));
	cr_assert_not_null(strstr(html, "模拟数据"));
	/* the captured link's month: the note on what the lists are, its
	 * talkers and ports, its row in the completeness table */
	cr_assert_not_null(strstr(html, "每个采集间隔前 N 名列表之和"));
	cr_assert_not_null(strstr(html, "本月运行概况"));
	cr_assert_not_null(strstr(html, "抓包链路 exit-mirror"));
	cr_assert_not_null(strstr(html, "10.1.0.1"));
	cr_assert_not_null(strstr(html, "2001:db8::1"));
	cr_assert_not_null(strstr(html, "tcp/443"));
	cr_assert_not_null(strstr(html, "抓包 exit-mirror"));
	free(html);
}

/* The same month's captured link in the data files: JSON (with what the
 * lists are), the talkers CSV row by row, and the English report. */
Test(report, captured_link_in_data_files)
{
	struct report_opts o = { 0 };
	struct sla_period p;
	char out[4400], path[4600], err[512] = "", line[256], en[4500];
	json_t *root, *c, *e;
	json_error_t je;
	char *text;

	build_report(out, sizeof(out));
	snprintf(path, sizeof(path), "%s/slamon-2026-10.json", out);
	root = json_load_file(path, 0, &je);
	cr_assert_not_null(root, "%s: %s", path, je.text);
	c = json_array_get(json_object_get(root, "captures"), 0);
	cr_assert_not_null(c, "no captures in the JSON report");
	cr_assert_str_eq(json_string_value(json_object_get(c, "name")),
			 "exit-mirror");
	cr_assert_str_eq(json_string_value(json_object_get(c, "top_basis")),
			 "sum of the per-interval top-N lists");
	cr_assert_eq(json_integer_value(json_object_get(c, "intervals")),
		     SYN_CAP_IVS);
	cr_assert_eq(json_integer_value(json_object_get(c, "drops")), 288000);
	e = json_array_get(json_object_get(c, "local"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(e, "addr")),
			 "10.1.0.1");
	cr_assert_eq(json_integer_value(json_object_get(e, "bytes")),
		     3000000LL * SYN_CAP_IVS);
	e = json_array_get(json_object_get(c, "ports"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(e, "port")),
			 "udp/53");
	cr_assert(fabs(json_number_value(json_object_get(c, "completeness_pct")) -
		       SYN_CAP_COLLECTED / 8928 * 100) < 1e-6);
	json_decref(root);

	snprintf(path, sizeof(path), "%s/slamon-2026-10-talkers.csv", out);
	text = slurp(path);
	cr_assert_eq(strncmp(text, "\xef\xbb\xbf", 3), 0, "no BOM");
	snprintf(line, sizeof(line),
		 "\"exit-mirror\",\"exit-1\",\"local\",1,\"10.1.0.1\",%lld,"
		 "%lld,%d,",
		 3000000LL * SYN_CAP_IVS, 3000LL * SYN_CAP_IVS, SYN_CAP_IVS);
	cr_assert_not_null(strstr(text, line), "%s not in\n%s", line, text);
	cr_assert_not_null(strstr(text, "\"remote\",2,\"2001:db8::1\""));
	free(text);

	/* the English report in a folder of its own (out is shared) */
	snprintf(en, sizeof(en), "%s-en-%ld", out, (long)getpid());
	o.out_dir = en;
	o.lang = "en";
	o.now = SYN_TO + 86400;
	o.no_graphs = 1;
	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(report_period(S.cfg, &p, &o, NULL, err, sizeof(err)), 0,
		     "%s", err);
	snprintf(path, sizeof(path), "%s/slamon-2026-10.html", en);
	text = slurp(path);
	cr_assert_not_null(strstr(text, "4. Captured links: top talkers and "
					"ports"));
	cr_assert_not_null(strstr(text, "sums of the per-interval top-N "
					"lists"));
	cr_assert_not_null(strstr(text, "Local talkers (top 3)"));
	free(text);
}

/* `slamon talkers`: the month of the captured link as JSON (the same sums
 * as the report), as Chinese text, a range without records (exit 1), an
 * unknown capture and a bad time (exit 2, one line naming them). */
Test(report, talkers_command)
{
	char out[1 << 16];
	json_t *root, *e;
	json_error_t je;
	int rc;

	{
		char *const argv[] = { SLAMON, "talkers", "exit-mirror",
				       "--month", "2026-10", "--json", "-c",
				       S.conf, NULL };

		rc = run_cmd(argv, out, sizeof(out), 60);
		cr_assert_eq(rc, 0, "%d: %s", rc, out);
	}
	root = json_loads(out, 0, &je);
	cr_assert_not_null(root, "%s: %s", je.text, out);
	cr_assert_str_eq(json_string_value(json_object_get(root, "capture")),
			 "exit-mirror");
	cr_assert_str_eq(json_string_value(json_object_get(root, "device")),
			 "exit-1");
	cr_assert_eq(json_integer_value(json_object_get(root, "intervals")),
		     SYN_CAP_IVS);
	e = json_array_get(json_object_get(root, "local"), 2);
	cr_assert_str_eq(json_string_value(json_object_get(e, "addr")),
			 "10.1.0.3");
	cr_assert_eq(json_integer_value(json_object_get(e, "intervals")),
		     3 * 288);
	json_decref(root);
	{
		char *const argv[] = { SLAMON, "talkers", "exit-mirror",
				       "--from", "2026-10-15", "--to",
				       "2026-10-16", "-c", S.conf, NULL };

		rc = run_cmd(argv, out, sizeof(out), 60);
		cr_assert_eq(rc, 0, "%d: %s", rc, out);
	}
	cr_assert_not_null(strstr(out, "抓包链路 exit-mirror（设备 exit-1）"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "采集间隔 288 个"), "%s", out);
	cr_assert_not_null(strstr(out, "丢包 10.000%"), "%s", out);
	cr_assert_not_null(strstr(out, "Top-3 列表之和"), "%s", out);
	cr_assert_not_null(strstr(out, "10.1.0.1"), "%s", out);
	{
		/* the two hours without records */
		char *const argv[] = { SLAMON, "talkers", "exit-mirror",
				       "--from", "2026-10-20 10:00", "--to",
				       "2026-10-20 12:00", "--lang", "en",
				       "-c", S.conf, NULL };

		rc = run_cmd(argv, out, sizeof(out), 60);
		cr_assert_eq(rc, 1, "%d: %s", rc, out);
		cr_assert_not_null(strstr(out, "no capture record of "
						"exit-mirror"),
				   "%s", out);
	}
	{
		char *const argv[] = { SLAMON, "talkers", "nosuch", "-c",
				       S.conf, NULL };

		rc = run_cmd(argv, out, sizeof(out), 60);
		cr_assert_eq(rc, 2, "%d: %s", rc, out);
		cr_assert_not_null(strstr(out, "no [capture nosuch] section"),
				   "%s", out);
	}
	{
		char *const argv[] = { SLAMON, "talkers", "exit-mirror",
				       "--from", "yesterday", "-c", S.conf,
				       NULL };

		rc = run_cmd(argv, out, sizeof(out), 60);
		cr_assert_eq(rc, 2, "%d: %s", rc, out);
		cr_assert_not_null(strstr(out, "--from 'yesterday'"), "%s",
				   out);
	}
}

Test(report, rrd_graph_uses_cjk_font)
{
	struct sla_period p;
	struct sla_result *r = NULL;
	char err[512] = "", out[4096];
	unsigned char *png = NULL;
	size_t len = 0;
	char *const fcm[] = { "fc-match", "-f", "%{file}\n",
			      REPORT_FONT_DEFAULT, NULL };

	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	cr_assert_gt(r->nlinks, 0);
	/* the title is Chinese ("流量", "签约带宽") */
	cr_assert_eq(report_graph_png(S.cfg, &p, &r->links[0], "zh", NULL,
				      &png, &len, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_gt(len, 8);
	cr_assert_eq(memcmp(png, "\x89PNG", 4), 0);
	free(png);
	sla_result_destroy(r);
	/* the font rrd_graph was given resolves to a CJK font file */
	cr_assert_eq(run_cmd(fcm, out, sizeof(out), 30), 0, "%s", out);
	cr_assert(strstr(out, "CJK") != NULL || strstr(out, "wqy") != NULL ||
			  strstr(out, "Droid") != NULL,
		  "'%s' resolves to %s", REPORT_FONT_DEFAULT, out);
}

Test(report, chromium_pdf)
{
	char out[4400], html[4600], pdf[4600], ud[4600], url[4700],
		pdfarg[4700], udarg[4700];
	static char text[1 << 20];
	int rc;

	if (access("/usr/bin/chromium", X_OK) != 0) {
		cr_skip_test("/usr/bin/chromium is missing (apt-get install "
			     "chromium): the PDF check needs it");
		return;
	}
	build_report(out, sizeof(out));
	snprintf(html, sizeof(html), "%s/slamon-2026-10.html", out);
	snprintf(pdf, sizeof(pdf), "%s/report.pdf", out);
	snprintf(ud, sizeof(ud), "%s/chromium-profile", out);
	snprintf(url, sizeof(url), "file://%s", html);
	snprintf(pdfarg, sizeof(pdfarg), "--print-to-pdf=%s", pdf);
	snprintf(udarg, sizeof(udarg), "--user-data-dir=%s", ud);
	{
		char *const argv[] = { "/usr/bin/chromium", "--headless",
				       "--no-sandbox", "--disable-gpu",
				       "--disable-dev-shm-usage",
				       "--no-first-run",
				       "--disable-background-networking",
				       "--disable-component-update",
				       "--disable-sync",
				       "--no-pdf-header-footer", udarg,
				       pdfarg, url, NULL };

		rc = run_cmd(argv, text, sizeof(text), 180);
		cr_assert_eq(rc, 0, "chromium: %d %s", rc, text);
	}
	cr_assert_eq(access(pdf, R_OK), 0, "no PDF: %s", text);
	{
		char *const argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-",
				       NULL };

		cr_assert_eq(run_cmd(argv, text, sizeof(text), 60), 0, "%s",
			     text);
	}
	squeeze(text);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		cr_assert(has(text, sections[i]), "PDF lacks %s", sections[i]);
	for (size_t i = 0; i < config_count(S.cfg, &indicator_section); i++)
		cr_assert(has(text, sla_indicators(S.cfg, NULL)[i].name_zh),
			  "PDF lacks %s", sla_indicators(S.cfg, NULL)[i].name_zh);
	cr_assert_null(strstr(text, "\xef\xbf\xbd"), "replacement glyphs");
	{
		char *const argv[] = { "pdffonts", pdf, NULL };
		char *line;
		int rows = 0;

		cr_assert_eq(run_cmd(argv, text, sizeof(text), 60), 0, "%s",
			     text);
		/* every font embedded ("emb" column yes) */
		line = strstr(text, "---\n");
		cr_assert_not_null(line, "%s", text);
		for (line = strchr(line, '\n'); line != NULL && line[1];
		     line = strchr(line + 1, '\n')) {
			char one[256];
			size_t l = strcspn(line + 1, "\n");

			snprintf(one, sizeof(one), "%.*s", (int)l, line + 1);
			rows++;
			cr_assert_not_null(strstr(one, " yes "),
					   "font not embedded: %s", one);
		}
		cr_assert_gt(rows, 0);
		/* and a CJK font among them, by name */
		cr_assert(strstr(text, "WenQuanYi") != NULL ||
				  strstr(text, "NotoSansCJK") != NULL ||
				  strstr(text, "NotoSansSC") != NULL,
			  "no CJK font embedded:\n%s", text);
	}
}

/* ---- draft, reasons, final (issue 14) ---------------------------------- */

/* A copy of the synthetic month that a test may change: dir gets the
 * configuration and inventory, a data folder whose RRD files are links to
 * the shared ones, its own copy of the journal and no reports/ folder. */
static void own_copy(char *dir, size_t len, const char *name)
{
	char script[8192], out[4096];
	char *const argv[] = { "sh", "-c", script, NULL };
	int rc;

	snprintf(dir, len, "%s/%s-%ld", S.dir, name, (long)getpid());
	snprintf(script, sizeof(script),
		 "set -e; d='%s'; s='%s'; rm -rf \"$d\"; mkdir -p \"$d/data\";"
		 " cp \"$s/slamon.conf\" \"$d/\";"
		 " ln -s \"$s/inventory.csv\" \"$d/inventory.csv\";"
		 " for f in \"$s\"/data/*; do case \"${f##*/}\" in"
		 " faults.db*|reports) ;; *) ln -s \"$f\" \"$d/data/\";;"
		 " esac; done;"
		 " cp \"$s/data/faults.db\" \"$d/data/faults.db\"",
		 dir, S.dir);
	rc = run_cmd(argv, out, sizeof(out), 60);
	cr_assert_eq(rc, 0, "%d: %s", rc, out);
}

/* Runs slamon with args (NULL-terminated, at most 16) and -c conf; the
 * exit status, output in out. */
static int slamon(char *conf, char *out, size_t outlen, ...)
{
	char *argv[24];
	int n = 0;
	va_list ap;

	argv[n++] = SLAMON;
	va_start(ap, outlen);
	for (char *a = va_arg(ap, char *); a != NULL && n < 20;
	     a = va_arg(ap, char *))
		argv[n++] = a;
	va_end(ap);
	argv[n++] = "-c";
	argv[n++] = conf;
	argv[n] = NULL;
	return run_cmd(argv, out, outlen, 300);
}

/* The JSON report's indicator id. */
static json_t *indicator_json(json_t *root, const char *id)
{
	json_t *a = json_object_get(root, "indicators"), *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (strcmp(json_string_value(json_object_get(e, "id")), id) == 0)
			return e;
	cr_assert_fail("no indicator %s in the JSON report", id);
	return NULL;
}

/* `slamon report annotate` stores a reason in the journal; the report
 * prints it in 偏差原因 (HTML, JSON, CSV), and flags a missed indicator
 * without one; unknown indicators and non-month periods are refused. */
Test(report, annotate_reason_shown_missing_flagged)
{
	static const char reason[] = "10月8日夜班交接延误，F2 超时响应";
	char dir[4400], conf[4500], out[4600], path[4700], msg[4096];
	char *text;
	json_t *root, *e;
	json_error_t je;
	int rc;

	own_copy(dir, sizeof(dir), "annotate");
	snprintf(conf, sizeof(conf), "%s/slamon.conf", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	rc = slamon(conf, msg, sizeof(msg), "report", "annotate", "--month",
		    "2026-10", "--indicator", "fault_response", "--text",
		    reason, NULL);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	rc = slamon(conf, msg, sizeof(msg), "report", "annotate", "--month",
		    "2026-10", "--indicator", "nosuch", "--text", "x", NULL);
	cr_assert_eq(rc, 2, "%d: %s", rc, msg);
	cr_assert_not_null(strstr(msg, "no indicator 'nosuch'"), "%s", msg);
	rc = slamon(conf, msg, sizeof(msg), "report", "annotate",
		    "--quarter", "2026-Q4", "--indicator", "fault_response",
		    "--text", "x", NULL);
	cr_assert_eq(rc, 2, "%d: %s", rc, msg);
	rc = slamon(conf, msg, sizeof(msg), "report", "--month", "2026-10",
		    "--out", out, "--no-graphs", "--now", "1793548800", NULL);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);

	snprintf(path, sizeof(path), "%s/slamon-2026-10.json", out);
	root = json_load_file(path, 0, &je);
	cr_assert_not_null(root, "%s: %s", path, je.text);
	e = indicator_json(root, "fault_response");
	cr_assert_str_eq(json_string_value(json_object_get(e, "state")),
			 "breached");
	cr_assert_str_eq(json_string_value(json_object_get(e, "reason")),
			 reason);
	cr_assert(json_is_false(json_object_get(e, "reason_missing")));
	/* 75 % satisfaction misses 90 % and nobody said why */
	e = indicator_json(root, "fault_satisfaction");
	cr_assert_str_eq(json_string_value(json_object_get(e, "reason")), "");
	cr_assert(json_is_true(json_object_get(e, "reason_missing")));
	/* a met indicator is not flagged */
	e = indicator_json(root, "miniprogram_availability");
	cr_assert(json_is_false(json_object_get(e, "reason_missing")));
	json_decref(root);

	snprintf(path, sizeof(path), "%s/slamon-2026-10.html", out);
	text = slurp(path);
	cr_assert_not_null(strstr(text, reason));
	cr_assert_not_null(strstr(text, "【待填写】未达标，尚未说明偏差原因"));
	free(text);
	snprintf(path, sizeof(path), "%s/slamon-2026-10-indicators.csv", out);
	text = slurp(path);
	cr_assert_not_null(strstr(text, reason), "%s", text);
	free(text);
}

/* 信息系统运维月报表份数 of October as `slamon sla --json` computes it. */
static double reports_counted(char *conf)
{
	static char msg[1 << 17];
	json_t *root, *e;
	json_error_t je;
	double v;
	int rc;

	rc = slamon(conf, msg, sizeof(msg), "sla", "--month", "2026-10",
		    "--json", "--now", "1793548800", NULL);
	cr_assert(rc == 0 || rc == 1, "%d: %s", rc, msg);
	root = json_loads(msg, 0, &je);
	cr_assert_not_null(root, "%s: %s", je.text, msg);
	e = indicator_json(root, "monthly_reports");
	v = json_number_value(json_object_get(e, "value"));
	json_decref(root);
	return v;
}

/* The names in dir that do not start with a dot, space-separated. */
static void visible_files(const char *dir, char *out, size_t outlen)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	out[0] = '\0';
	cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			snprintf(out + strlen(out), outlen - strlen(out),
				 "%s ", e->d_name);
	closedir(d);
}

static int write_draft(char *conf, const char *out, char *msg, size_t len)
{
	return slamon(conf, msg, len, "report", "--month", "2026-10", "--out",
		      out, "--no-graphs", "--now", "1793548800", NULL);
}

/* kill -9 while the JSON, the PDF or the DOCX is being written (the HTML
 * is complete by then): no file under a final name, no manifest, nothing
 * counted, and final refuses; the next run clears what the killed one
 * left (the DOCX's scratch folder too). */
Test(report, killed_while_writing_leaves_no_file_no_count)
{
	static const char *const at[] = { ".json", ".pdf", ".docx" };
	char dir[4400], conf[4500], out[4600], msg[4096], names[8192];
	int rc;

	own_copy(dir, sizeof(dir), "killed");
	snprintf(conf, sizeof(conf), "%s/slamon.conf", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		setenv("SLAMON_TEST_REPORT_KILL", at[i], 1);
		rc = write_draft(conf, out, msg, sizeof(msg));
		unsetenv("SLAMON_TEST_REPORT_KILL");
		cr_assert_eq(rc, 128 + SIGKILL, "%s: %d: %s", at[i], rc, msg);
		visible_files(out, names, sizeof(names));
		cr_assert_str_eq(names, "", "killed at %s: files under final "
					    "names: %s", at[i], names);
		rc = slamon(conf, msg, sizeof(msg), "report", "final",
			    "--month", "2026-10", "--out", out, NULL);
		cr_assert_eq(rc, 1, "%d: %s", rc, msg);
		cr_assert_not_null(strstr(msg, "slamon-2026-10.sha256"), "%s",
				   msg);
		cr_assert_eq(reports_counted(conf), 0);
	}

	rc = write_draft(conf, out, msg, sizeof(msg));
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	snprintf(names, sizeof(names), "%s/.slamon-2026-10.partial", out);
	cr_assert_neq(access(names, F_OK), 0, "%s left behind", names);
}

/* A draft is a complete set with its manifest (sha256sum -c agrees) and
 * does not count; final checks it and counts the month once. */
Test(report, only_final_counts)
{
	char dir[4400], conf[4500], out[4600], msg[4096], sh[5000];
	char *const check[] = { "sh", "-c", sh, NULL };
	int rc;

	own_copy(dir, sizeof(dir), "final");
	snprintf(conf, sizeof(conf), "%s/slamon.conf", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	rc = write_draft(conf, out, msg, sizeof(msg));
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	snprintf(sh, sizeof(sh),
		 "cd '%s' && sha256sum --strict -c slamon-2026-10.sha256 &&"
		 " test $(wc -l < slamon-2026-10.sha256) -eq 10", out);
	rc = run_cmd(check, msg, sizeof(msg), 60);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	cr_assert_eq(reports_counted(conf), 0, "a draft counted");

	rc = slamon(conf, msg, sizeof(msg), "report", "final", "--month",
		    "2026-10", "--out", out, NULL);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	cr_assert_eq(reports_counted(conf), 1);
	/* made final twice, still one month */
	rc = slamon(conf, msg, sizeof(msg), "report", "final", "--month",
		    "2026-10", "--out", out, NULL);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	cr_assert_eq(reports_counted(conf), 1);
}

/* final refuses a set whose file changed or went missing, naming it, and
 * counts nothing. */
Test(report, final_refuses_file_not_matching_manifest)
{
	char dir[4400], conf[4500], out[4600], msg[4096], path[4700];
	FILE *f;
	int rc;

	own_copy(dir, sizeof(dir), "refuse");
	snprintf(conf, sizeof(conf), "%s/slamon.conf", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	rc = write_draft(conf, out, msg, sizeof(msg));
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	snprintf(path, sizeof(path), "%s/slamon-2026-10-faults.csv", out);
	f = fopen(path, "a");
	cr_assert_not_null(f);
	fputs("\"F9\",\"edited by hand\"\r\n", f);
	fclose(f);
	rc = slamon(conf, msg, sizeof(msg), "report", "final", "--month",
		    "2026-10", "--out", out, NULL);
	cr_assert_eq(rc, 1, "%d: %s", rc, msg);
	cr_assert_not_null(strstr(msg, "slamon-2026-10-faults.csv does not "
				       "match the manifest"),
			   "%s", msg);
	cr_assert_eq(reports_counted(conf), 0);

	rc = write_draft(conf, out, msg, sizeof(msg));
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	snprintf(path, sizeof(path), "%s/slamon-2026-10.xlsx", out);
	cr_assert_eq(unlink(path), 0);
	rc = slamon(conf, msg, sizeof(msg), "report", "final", "--month",
		    "2026-10", "--out", out, NULL);
	cr_assert_eq(rc, 1, "%d: %s", rc, msg);
	cr_assert_not_null(strstr(msg, "slamon-2026-10.xlsx: missing"), "%s",
			   msg);
	cr_assert_eq(reports_counted(conf), 0);
}

/* ---- the document: PDF, DOCX, summary (issue 14) ----------------------- */

/* ASCII words of text, one at a time: returns the next word (letters
 * only) copied into w, or NULL at the end. */
static const char *next_word(const char *p, char *w, size_t len)
{
	size_t n = 0;

	while (*p != '\0' && !((*p >= 'a' && *p <= 'z') ||
				(*p >= 'A' && *p <= 'Z')))
		p++;
	if (*p == '\0')
		return NULL;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		if (n + 1 < len)
			w[n++] = *p;
		p++;
	}
	w[n] = '\0';
	return p;
}

/* English words that leaked into Chinese reports before (roles,
 * severities, states, MTTA/MTTR, axis labels, week numbers); device
 * names (core-1) are data, not leaks. */
static const char *const leaks[] = {
	"critical", "major", "minor", "warning", "MTTA", "MTTR", "Week",
	"met", "breached", "nodata", "unknown", "down", "up", "access",
	"backbone", "aggregation", "server", "in", "out", "max",
	"Top", "yes", "no", "none", "severity", "traffic", "percentile",
	"capacity", "min", "Page", "of", "graphs", "Prepared", "Approved",
};

/* pdftotext -raw of pdf into text; the page count into *pages
 * (pdfinfo). */
static void pdf_text(char *pdf, char *text, size_t len, int *pages)
{
	char info[4096], *p;
	/* -raw: the order of drawing, so a table cell wrapped on several
	 * lines comes out in one piece */
	char *const argv[] = { "pdftotext", "-raw", "-enc", "UTF-8", pdf, "-",
			       NULL };
	char *const iargv[] = { "pdfinfo", pdf, NULL };

	cr_assert_eq(run_cmd(argv, text, len, 60), 0, "pdftotext: %s", text);
	cr_assert_eq(run_cmd(iargv, info, sizeof(info), 60), 0, "%s", info);
	p = strstr(info, "Pages:");
	cr_assert_not_null(p, "%s", info);
	*pages = atoi(p + 6);
	cr_assert_gt(*pages, 2, "%s", info);
}

/* The PDF slamon writes itself: the cover with the 编制/审核/批准 block,
 * 本月运行概况 with the month's facts first, every section and indicator,
 * every page numbered 第 N 页 / 共 M 页, no English word of the known
 * leaks, CJK fonts embedded, and pdftoppm renders every page. */
Test(report, pdf_summary_pages_numbered_no_english)
{
	static char text[1 << 20];
	char out[4400], pdf[4600], png[4600], sh[20000], buf[4096], w[64];
	const char *p;
	int pages;

	build_report(out, sizeof(out));
	snprintf(pdf, sizeof(pdf), "%s/slamon-2026-10.pdf", out);
	pdf_text(pdf, text, sizeof(text), &pages);
	cr_assert_null(strstr(text, "\xef\xbf\xbd"), "replacement glyphs");
	for (p = text; (p = next_word(p, w, sizeof(w))) != NULL;)
		for (size_t i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++)
			cr_assert(strcmp(w, leaks[i]) != 0,
				  "English word '%s' in the Chinese PDF", w);
	squeeze(text);
	for (int i = 1; i <= pages; i++) {
		char num[64];

		snprintf(num, sizeof(num), "第 %d 页 / 共 %d 页", i, pages);
		cr_assert(has(text, num), "PDF lacks '%s'", num);
	}
	cr_assert(has(text, "编制："), "no sign block");
	cr_assert(has(text, "审核："), "no sign block");
	cr_assert(has(text, "批准："), "no sign block");
	cr_assert(has(text, "草稿：尚有偏差原因未说明"), "cover not a draft");
	cr_assert(has(text, "本月运行概况"), "no summary");
	/* the generated summary's facts: 10 indicators, the faults */
	cr_assert(has(text, "本月考核指标 10 项"), "no indicator count");
	cr_assert(has(text, "本月发现故障 5 起"), "no fault count");
	cr_assert(has(text, "【待填写】"), "missed indicators not flagged");
	cr_assert(has(text, "平均响应时长"), "no mean time to respond");
	cr_assert(has(text, "附录"), "no appendix");
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		cr_assert(has(text, sections[i]), "PDF lacks %s", sections[i]);
	for (size_t i = 0; i < config_count(S.cfg, &indicator_section); i++)
		cr_assert(has(text, sla_indicators(S.cfg, NULL)[i].name_zh),
			  "PDF lacks %s", sla_indicators(S.cfg, NULL)[i].name_zh);
	{
		char *const argv[] = { "pdffonts", pdf, NULL };

		cr_assert_eq(run_cmd(argv, text, sizeof(text), 60), 0, "%s",
			     text);
		cr_assert_not_null(strstr(text, "NotoSansCJK"), "%s", text);
		cr_assert_null(strstr(text, " no  "), "not embedded: %s",
			       text);
	}
	/* every page renders, and the summary page is not blank */
	snprintf(png, sizeof(png), "%s/page", out);
	snprintf(sh, sizeof(sh),
		 "pdftoppm -r 40 -png '%s' '%s' && ls '%s'/page-*.png | wc -l"
		 " && test $(stat -c %%s '%s'/page-2.png) -gt 8000",
		 pdf, png, out, out);
	{
		char *const argv[] = { "sh", "-c", sh, NULL };

		cr_assert_eq(run_cmd(argv, buf, sizeof(buf), 120), 0, "%s",
			     buf);
	}
	cr_assert_eq(atoi(buf), pages, "pdftoppm made %s pages of %d", buf,
		     pages);
}

/* The DOCX opens with python3-docx and has the indicator table as a
 * Word table: a header with 偏差原因 and a row per indicator. */
Test(report, docx_opens_with_indicator_table)
{
	char out[4400], docx[4600], script[6000], buf[8192];
	char *const argv[] = { "/usr/bin/python3", "-c", script, NULL };
	int rc;

	if (run_cmd((char *const[]){ "/usr/bin/python3", "-c", "import docx",
				     NULL },
		    buf, sizeof(buf), 30) != 0) {
		cr_skip_test("python3-docx is missing (apt-get install "
			     "python3-docx)");
		return;
	}
	build_report(out, sizeof(out));
	snprintf(docx, sizeof(docx), "%s/slamon-2026-10.docx", out);
	snprintf(script, sizeof(script),
		 "import docx\n"
		 "d = docx.Document('%s')\n"
		 "t = [t for t in d.tables if any('偏差原因' in c.text"
		 " for c in t.rows[0].cells)]\n"
		 "assert len(t) == 1, 'indicator tables: %%d' %% len(t)\n"
		 "t = t[0]\n"
		 "print(len(t.rows))\n"
		 "print('|'.join(c.text for c in t.rows[4].cells))\n"
		 "body = '\\n'.join(p.text for p in d.paragraphs)\n"
		 "assert '本月运行概况' in body\n"
		 "assert '第 1 页' not in body\n",
		 docx);
	rc = run_cmd(argv, buf, sizeof(buf), 60);
	cr_assert_eq(rc, 0, "%d: %s", rc, buf);
	cr_assert_eq(atoi(buf), (int)config_count(S.cfg, &indicator_section) + 1,
		     "%s", buf);
	cr_assert_not_null(strstr(buf, "单位联网率"), "%s", buf);
	cr_assert_not_null(strstr(buf, "【待填写】"), "%s", buf);
}

/* `slamon report summary` stores the operator's 本月运行概况 (text or
 * file), which replaces the generated one in the PDF and HTML; a missed
 * indicator without a reason is still flagged; "" brings the generated
 * summary back. The English PDF is numbered in English. */
Test(report, operator_summary_replaces_generated)
{
	static char text[1 << 20];
	static const char mine[] = "十月全区网络运行总体平稳，区民政局专线迁移"
				   "导致联网率下降。";
	char dir[4400], conf[4500], out[4600], msg[4096], path[4700];
	int rc, pages;
	FILE *f;

	own_copy(dir, sizeof(dir), "summary");
	snprintf(conf, sizeof(conf), "%s/slamon.conf", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(path, sizeof(path), "%s/summary.txt", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n\n第二段。\n", mine);
	fclose(f);
	rc = slamon(conf, msg, sizeof(msg), "report", "summary", "--month",
		    "2026-10", "--file", path, NULL);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	rc = slamon(conf, msg, sizeof(msg), "report", "summary", "--month",
		    "2026-10", NULL);
	cr_assert_eq(rc, 2, "%d: %s", rc, msg);
	rc = slamon(conf, msg, sizeof(msg), "report", "--month", "2026-10",
		    "--out", out, "--no-graphs", "--format", "pdf,html",
		    "--now", "1793548800", NULL);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	cr_assert_not_null(strstr(msg, "slamon-2026-10.pdf"), "%s", msg);
	snprintf(path, sizeof(path), "%s/slamon-2026-10.xlsx", out);
	cr_assert_neq(access(path, F_OK), 0, "--format wrote the XLSX");
	snprintf(path, sizeof(path), "%s/slamon-2026-10.pdf", out);
	pdf_text(path, text, sizeof(text), &pages);
	squeeze(text);
	cr_assert(has(text, mine), "operator's summary missing");
	cr_assert(has(text, "第二段。"));
	cr_assert(!has(text, "本月考核指标"), "generated summary still there");
	cr_assert(has(text, "【待填写】"), "missed indicators not flagged");

	rc = slamon(conf, msg, sizeof(msg), "report", "summary", "--month",
		    "2026-10", "--text", "", NULL);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	rc = slamon(conf, msg, sizeof(msg), "report", "--month", "2026-10",
		    "--out", out, "--no-graphs", "--format", "pdf",
		    "--lang", "en", "--now", "1793548800", NULL);
	cr_assert_eq(rc, 0, "%d: %s", rc, msg);
	pdf_text(path, text, sizeof(text), &pages);
	cr_assert(strstr(text, "Summary of the month") != NULL);
	cr_assert(strstr(text, "Of 10 indicators") != NULL, "%s", text);
	cr_assert(strstr(text, "本月考核指标") == NULL);
	{
		char num[64];

		/* pdftotext may drop a blank in the footer: compare squeezed */
		snprintf(num, sizeof(num), "Page %d of %d", pages, pages);
		cr_assert(has(squeeze(text), num), "no '%s'", num);
	}
	rc = slamon(conf, msg, sizeof(msg), "report", "--month", "2026-10",
		    "--out", out, "--format", "pdf,odt", NULL);
	cr_assert_eq(rc, 2, "%d: %s", rc, msg);
	cr_assert_not_null(strstr(msg, "'odt'"), "%s", msg);
}

/* The CSV files: fault times in ISO 8601 local time with the zone's
 * offset, no epoch seconds, no exponent anywhere. */
Test(report, csv_iso_times_no_exponent)
{
	char out[4400], path[4600];
	char *text;

	build_report(out, sizeof(out));
	snprintf(path, sizeof(path), "%s/slamon-2026-10-faults.csv", out);
	text = slurp(path);
	cr_assert_not_null(strstr(text, ",2026-10-10T08:0"), "%s", text);
	cr_assert_not_null(strstr(text, "+08:00,"), "%s", text);
	cr_assert_null(strstr(text, ",179"), "epoch seconds: %s", text);
	free(text);
	for (int i = 0; i < 5; i++) {
		static const char *const what[] = { "faults", "links", "units",
						    "indicators", "talkers" };

		snprintf(path, sizeof(path), "%s/slamon-2026-10-%s.csv", out,
			 what[i]);
		text = slurp(path);
		for (char *e = strstr(text, "e+"); e != NULL;
		     e = strstr(e + 1, "e+"))
			cr_assert(!(e > text && e[-1] >= '0' && e[-1] <= '9'),
				  "%s: an exponent: %.40s", what[i], e - 8);
		free(text);
	}
}

/* The XLSX: a chart per link (daily utilisation), fault times as dates
 * (a date number format), units in the headers and the utilisation
 * column the HTML has. Read with python3's zipfile. */
Test(report, xlsx_charts_dates_units)
{
	char out[4400], script[6000], buf[8192];
	char *const argv[] = { "/usr/bin/python3", "-c", script, NULL };
	struct sla_result *r = NULL;
	struct sla_period p;
	char err[512] = "";
	int rc;

	build_report(out, sizeof(out));
	cr_assert_eq(sla_period_month("Asia/Shanghai", 2026, 10, &p), 0);
	cr_assert_eq(sla_evaluate(S.cfg, &p, SYN_TO + 86400, &r, err,
				  sizeof(err)),
		     0, "%s", err);
	snprintf(script, sizeof(script),
		 "import zipfile\n"
		 "z = zipfile.ZipFile('%s/slamon-2026-10.xlsx')\n"
		 "n = [f for f in z.namelist() if f.startswith('xl/charts/chart')]\n"
		 "print(len(n))\n"
		 "st = z.read('xl/styles.xml').decode()\n"
		 "assert 'yyyy-mm-dd hh:mm' in st, 'no date format'\n"
		 "ss = z.read('xl/sharedStrings.xml').decode()\n"
		 "for w in ('95百分位利用率(%%)', '平均(Mbps)', '首次失败时间'):\n"
		 "    assert w in ss, w\n"
		 "assert '每日利用率' in z.read('xl/workbook.xml').decode()\n",
		 out);
	rc = run_cmd(argv, buf, sizeof(buf), 60);
	cr_assert_eq(rc, 0, "%d: %s", rc, buf);
	cr_assert_eq(atoi(buf), (int)r->nlinks, "charts: %s", buf);
	sla_result_destroy(r);
}
