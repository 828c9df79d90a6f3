/*
 * test_report.c - the monthly report of the synthetic October 2026
 * (tests/unit/sla_synth.h): every output file is written, the HTML is
 * self-contained, headless Chromium (Debian's, started here, no network)
 * prints it to PDF, pdftotext finds every section title and indicator name
 * in Chinese, pdffonts shows the fonts embedded, and rrd_graph drew the
 * Chinese graph titles with a CJK font that fontconfig resolves.
 * SPDX-License-Identifier: MIT
 */
#include "../unit/sla_synth.h"

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

static void build_report(char *out, size_t outlen)
{
	struct report_opts o = { 0 };
	struct sla_period p;
	char err[512] = "";

	snprintf(out, outlen, "%s/report-%ld", S.dir, (long)getpid());
	o.out_dir = out;
	o.lang = "zh";
	o.now = SYN_TO + 86400;
	o.no_record = 1;
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
	"三、链路利用率 95 百分位", "四、单位联网情况",
	"五、故障与响应", "六、数据完整性",
};

Test(report, files_and_html)
{
	static const char *const files[] = {
		"slamon-2026-10.html", "slamon-2026-10.json",
		"slamon-2026-10.xlsx", "slamon-2026-10-indicators.csv",
		"slamon-2026-10-links.csv", "slamon-2026-10-units.csv",
		"slamon-2026-10-faults.csv"
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
	for (size_t i = 0; i < S.cfg->nindicators; i++)
		cr_assert_not_null(strstr(html, S.cfg->indicators[i].name_zh));
	/* self-contained: images inline, nothing fetched */
	cr_assert_not_null(strstr(html, "src=\"data:image/png;base64,"));
	cr_assert_null(strstr(html, "http://"));
	cr_assert_null(strstr(html, "https://"));
	cr_assert_null(strstr(html, "<link"));
	cr_assert_null(strstr(html, "<script"));
	cr_assert_not_null(strstr(html, "模拟数据"));
	free(html);
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
	for (size_t i = 0; i < S.cfg->nindicators; i++)
		cr_assert(has(text, S.cfg->indicators[i].name_zh),
			  "PDF lacks %s", S.cfg->indicators[i].name_zh);
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
