/*
 * rrdchart.c - charts of RRD files as PNG in memory with librrd's
 * rrd_graph_v (rrdgraph(1) arguments built from a small typed
 * description; the CJK font comes through fontconfig and pango).
 * SPDX-License-Identifier: MIT
 */
#include "rrdstore.h"
#include "rrd_int.h"

#include <errno.h>
#include <math.h>
#include <rrd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHART_ITEMS_MAX 8
#define DEF_MAX 4400

/* rrd_graph definitions use ':' as separator: escape it in the path.
 * -ENAMETOOLONG when out is too small. */
static int def_path(const char *file, char *out, size_t outlen)
{
	size_t o = 0;

	for (const char *s = file; *s != '\0'; s++) {
		if (o + 3 > outlen)
			return -ENAMETOOLONG;
		if (*s == ':')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = '\0';
	return 0;
}

/* The arguments of one chart; text lives in the struct. */
struct chart_args {
	const char *argv[64];
	int argc;
	char start[32], end[32], width[16], height[16], font[192], lower[32];
	char base[16];
	char def[CHART_ITEMS_MAX][DEF_MAX];
	char draw[CHART_ITEMS_MAX][256];
	char cdef[CHART_ITEMS_MAX][128];
	char rule[256], rule2[256], upper[32];
};

static void arg(struct chart_args *a, const char *s)
{
	a->argv[a->argc++] = s;
}

static int args_build(const struct storage_chart *c, struct chart_args *a)
{
	static const char *const kind[] = { "AREA", "LINE1" };
	char path[DEF_MAX - 64];
	int rc;

	rc = def_path(c->file, path, sizeof(path));
	if (rc < 0)
		return rc;
	snprintf(a->start, sizeof(a->start), "%.0f", c->start);
	snprintf(a->end, sizeof(a->end), "%.0f", c->end);
	snprintf(a->width, sizeof(a->width), "%u", c->width);
	snprintf(a->height, sizeof(a->height), "%u", c->height);
	snprintf(a->font, sizeof(a->font), "DEFAULT:%u:%s", c->font_size,
		 c->font != NULL ? c->font : "");
	snprintf(a->base, sizeof(a->base), "%u", c->base != 0 ? c->base : 1000);
	arg(a, "graph");
	arg(a, "-");
	arg(a, "--imgformat");
	arg(a, "PNG");
	arg(a, "--start");
	arg(a, a->start);
	arg(a, "--end");
	arg(a, a->end);
	arg(a, "--width");
	arg(a, a->width);
	arg(a, "--height");
	arg(a, a->height);
	if (c->font != NULL) {
		arg(a, "--font");
		arg(a, a->font);
	}
	if (c->title != NULL) {
		arg(a, "--title");
		arg(a, c->title);
	}
	if (c->vlabel != NULL) {
		arg(a, "--vertical-label");
		arg(a, c->vlabel);
	}
	if (!isnan(c->lower_limit)) {
		snprintf(a->lower, sizeof(a->lower), "%.17g", c->lower_limit);
		arg(a, "--lower-limit");
		arg(a, a->lower);
	}
	arg(a, "--base");
	arg(a, a->base);
	if (c->upper_limit > 0) {
		snprintf(a->upper, sizeof(a->upper), "%.17g", c->upper_limit);
		arg(a, "--upper-limit");
		arg(a, a->upper);
	}
	if (c->x_grid != NULL) {
		arg(a, "--x-grid");
		arg(a, c->x_grid);
	}
	if (c->no_tag)
		arg(a, "--disable-rrdtool-tag");
	for (size_t i = 0; i < c->nitems; i++) {
		snprintf(a->def[i], DEF_MAX, "DEF:%s%s=%s:%s:AVERAGE",
			 c->items[i].ds, c->scale != 0 ? "_raw" : "", path,
			 c->items[i].ds);
		arg(a, a->def[i]);
		if (c->scale == 0)
			continue;
		snprintf(a->cdef[i], sizeof(a->cdef[i]),
			 "CDEF:%s=%s_raw,%.17g,*", c->items[i].ds,
			 c->items[i].ds, c->scale);
		arg(a, a->cdef[i]);
	}
	for (size_t i = 0; i < c->nitems; i++) {
		snprintf(a->draw[i], sizeof(a->draw[i]), "%s:%s#%06x:%s",
			 kind[c->items[i].kind == STORAGE_CHART_LINE],
			 c->items[i].ds, (unsigned)(c->items[i].rgb & 0xffffff),
			 c->items[i].legend != NULL ? c->items[i].legend : "");
		arg(a, a->draw[i]);
	}
	if (c->hrule2_legend != NULL) {
		snprintf(a->rule2, sizeof(a->rule2), "HRULE:%.17g#%06x:%s",
			 c->hrule2, (unsigned)(c->hrule2_rgb & 0xffffff),
			 c->hrule2_legend);
		arg(a, a->rule2);
	}
	if (!isnan(c->hrule)) {
		snprintf(a->rule, sizeof(a->rule), "HRULE:%.17g#%06x:%s",
			 c->hrule, (unsigned)(c->hrule_rgb & 0xffffff),
			 c->hrule_legend != NULL ? c->hrule_legend : "");
		arg(a, a->rule);
	} else if (c->comment != NULL) {
		snprintf(a->rule, sizeof(a->rule), "COMMENT:%s", c->comment);
		arg(a, a->rule);
	}
	a->argv[a->argc] = NULL;
	return 0;
}

/* rrd_graph_v with TZ set to tz for the call (axis labels), restored
 * after. */
static rrd_info_t *graph_in_zone(struct chart_args *a, const char *tz)
{
	const char *tz0 = getenv("TZ");
	char oldtz[256];
	rrd_info_t *info;

	snprintf(oldtz, sizeof(oldtz), "%s", tz0 != NULL ? tz0 : "");
	if (tz != NULL) {
		setenv("TZ", tz, 1);
		tzset();
	}
	rrd_clear_error();
	info = rrd_graph_v(a->argc, (char **)(uintptr_t)a->argv);
	if (tz != NULL) {
		if (tz0 != NULL)
			setenv("TZ", oldtz, 1);
		else
			unsetenv("TZ");
		tzset();
	}
	return info;
}

int storage_chart_png(const struct storage_chart *c, unsigned char **ret_png,
		      size_t *ret_len, char *err, size_t errlen)
{
	struct chart_args *a;
	rrd_info_t *info, *i;
	int rc;

	*ret_png = NULL;
	*ret_len = 0;
	if (c == NULL || c->file == NULL || c->nitems > CHART_ITEMS_MAX ||
	    (c->nitems > 0 && c->items == NULL)) {
		snprintf(err, errlen, "rrd_graph %s: bad chart",
			 c != NULL && c->file != NULL ? c->file : "(null)");
		return -EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		snprintf(err, errlen, "rrd_graph %s: out of memory", c->file);
		return -ENOMEM;
	}
	rc = args_build(c, a);
	if (rc < 0) {
		snprintf(err, errlen, "rrd_graph %s: %s", c->file,
			 strerror(-rc));
		free(a);
		return rc;
	}
	info = graph_in_zone(a, c->tz);
	free(a);
	if (info == NULL) {
		snprintf(err, errlen, "rrd_graph %s: %s", c->file,
			 rrd_get_error());
		rrd_clear_error();
		return -EIO;
	}
	rc = -EIO;
	for (i = info; i != NULL && *ret_png == NULL; i = i->next) {
		if (strcmp(i->key, "image") != 0 || i->type != RD_I_BLO)
			continue;
		*ret_png = malloc(i->value.u_blo.size);
		if (*ret_png == NULL) {
			rc = -ENOMEM;
			break;
		}
		memcpy(*ret_png, i->value.u_blo.ptr, i->value.u_blo.size);
		*ret_len = i->value.u_blo.size;
		rc = 0;
	}
	rrd_info_free(info);
	if (rc < 0)
		snprintf(err, errlen, "rrd_graph %s: %s", c->file,
			 rc == -ENOMEM ? "out of memory" : "no image");
	return rc;
}

#if defined(__SANITIZE_ADDRESS__)
/* rrd_graph keeps fontconfig/pango font caches for the process's life,
 * which LeakSanitizer reports at exit: not ours to free. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\nleak:librrd.so\nleak:libpango\n"
	       "leak:libcairo\nleak:vasprintf\nleak:libharfbuzz\n"
	       "leak:libglib\nleak:libgobject\nleak:libpixman\n";
}
#endif
