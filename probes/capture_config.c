/*
 * capture_config.c - [capture NAME]: one captured link (live interface or
 * capture file), its local prefixes, the inventory device it belongs to
 * and the thresholds of its faults. See docs/pcap.md.
 * SPDX-License-Identifier: MIT
 */
#include "capture_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_decode.h"

#define NELEM(a) CFG_NELEM(a)

static const struct cfg_keyword kw_source[] = {
	{ "live", CAPSRC_LIVE, 0 }, { "file", CAPSRC_FILE, 0 },
	{ NULL, 0, 0 }
};
/* values of enum capture_direction (probes/pcap.h) */
static const struct cfg_keyword kw_capdir[] = {
	{ "inout", 0, 0 }, { "in", 1, 0 }, { "out", 2, 0 },
	{ NULL, 0, 0 }
};

/* Doubles have no default column: drop_alert and crosscheck_share are
 * set in capture_init (0.1 and 5 percent). */
#define C(f) CFG_FIELD(capture_cfg, f)
/* Every key but the two alert thresholds needs the capture restarted. */
static const struct cfg_opt capture_opts[] = {
	{ "source", CFG_ENUM, C(source), 0, 0, CAPSRC_LIVE, NULL, kw_source, 0,
	  NULL },
	{ "ifname", CFG_STR, C(ifname), 0, 0, 0, "", NULL, 0, NULL },
	{ "file", CFG_PATH, C(file), 0, 0, 0, "", NULL, 0, NULL },
	{ "filter", CFG_STR, C(filter), 0, 0, 0, "", NULL, 0, NULL },
	{ "local", CFG_STR, C(local), 0, 0, 0, "", NULL, 0, NULL },
	{ "device", CFG_STR, C(device), 0, 0, 0, "", NULL, 0, NULL },
	{ "interface", CFG_STR, C(interface), 0, 0, 0, "", NULL, 0, NULL },
	{ "snaplen", CFG_INT, C(snaplen), 64, 65535, 128, NULL, NULL, 0,
	  NULL },
	{ "buffer_mb", CFG_INT, C(buffer_mb), 1, 2048, 32, NULL, NULL, 0,
	  NULL },
	{ "promisc", CFG_ENUM, C(promisc), 0, 0, 1, NULL, cfg_kw_bool, 0,
	  NULL },
	{ "direction", CFG_ENUM, C(direction), 0, 0, 0, NULL, kw_capdir, 0,
	  NULL },
	{ "timeout_ms", CFG_INT, C(timeout_ms), 10, 1000, 100, NULL, NULL, 0,
	  NULL },
	{ "interval", CFG_INT, C(interval_s), 1, 3600, 60, NULL, NULL, 0,
	  NULL },
	{ "top", CFG_INT, C(top), 1, 32, 10, NULL, NULL, 0, NULL },
	{ "max_talkers", CFG_INT, C(max_talkers), 1024, 4194304, 262144, NULL,
	  NULL, 0, NULL },
	{ "fcs", CFG_ENUM, C(fcs), 0, 0, 1, NULL, cfg_kw_bool, 0, NULL },
	{ "drop_alert", CFG_DOUBLE, C(drop_alert), 0, 0, 0, NULL, NULL,
	  CFG_LIVE, NULL },
	{ "crosscheck_share", CFG_DOUBLE, C(crosscheck_share), 0, 0, 0, NULL,
	  NULL, CFG_LIVE, NULL },
	/* agents refresh counters every few seconds (net-snmp on Linux:
	 * about 3 s, some routers 10 s): short windows compare staleness */
	{ "crosscheck_window", CFG_INT, C(crosscheck_window_s), 10, 3600, 300,
	  NULL, NULL, 0, NULL },
};
#undef C


_Static_assert(NELEM(capture_opts) <= CFG_OPTS_MAX, "seen[] too small");

/* Keys that only a live capture uses. */
static const char *const capture_live_keys[] = {
	"ifname", "filter", "interface", "snaplen", "buffer_mb", "promisc",
	"direction", "timeout_ms", "fcs", "crosscheck_share",
	"crosscheck_window",
};

int config_capture_local(const char *list, struct capture_prefixes *ret,
			 char *err, size_t errlen)
{
	const char *p = list;

	memset(ret, 0, sizeof(*ret));
	for (;;) {
		char item[128];
		size_t n;
		int rc;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0) {
			snprintf(err, errlen, "empty prefix in the list");
			return -EINVAL;
		}
		snprintf(item, sizeof(item), "%.*s",
			 (int)(n < sizeof(item) ? n : sizeof(item) - 1), p);
		rc = capture_prefixes_add(ret, item, err, errlen);
		if (rc < 0)
			return rc;
		p = strchr(p, ',');
		if (p == NULL)
			return 0;
		p++;
	}
}

static void capture_init(struct cfg_ctx *c, void *item)
{
	struct capture_cfg *cp = item;

	(void)c;
	cp->drop_alert = 0.1;
	cp->crosscheck_share = 5;
	cp->device_idx = -1;
}

static void capture_percent(struct cfg_ctx *c, const char *key, double v)
{
	if (v >= 0 && v <= 100)
		return;
	cfg_error(c,
		 cfg_key_line(c, key),
		 "key '%s' in [%s]: %g is out of range 0..100 (percent)", key,
		 cfg_title(c), v);
}

static void capture_end(struct cfg_ctx *c, void *item)
{
	struct capture_cfg *cp = item;
	struct capture_prefixes *pl;
	char err[DIAG_MSG_MAX / 2];

	if (cp->source == CAPSRC_LIVE) {
		/* seen but empty: too long (reported) or given empty */
		if (!cfg_seen(c, "ifname"))
			cfg_missing(c, "ifname", " (required for source live)");
		if (cfg_seen(c, "file"))
			cfg_error(c,
				 cfg_key_line(c, "file"),
				 "key 'file' in [%s]: only used with source "
				 "file",
				 cfg_title(c));
	} else {
		if (!cfg_seen(c, "file"))
			cfg_missing(c, "file", " (required for source file)");
		for (size_t i = 0; i < NELEM(capture_live_keys); i++)
			if (cfg_seen(c, capture_live_keys[i]))
				cfg_error(c,
					 cfg_key_line(c, capture_live_keys[i]),
					 "key '%s' in [%s]: only used with "
					 "source live",
					 capture_live_keys[i], cfg_title(c));
	}
	pl = malloc(sizeof(*pl)); /* 6 KB */
	if (pl == NULL) {
		cfg_oom(c);
		return;
	}
	if (!cfg_seen(c, "local"))
		cfg_missing(c, "local", " (the local prefixes decide in and out)");
	else if (config_capture_local(cp->local, pl, err, sizeof(err)) < 0)
		cfg_error(c,
			 cfg_key_line(c, "local"),
			 "key 'local' in [%s]: %s", cfg_title(c), err);
	free(pl);
	if (!cfg_seen(c, "device"))
		cfg_missing(c, "device",
			" (the inventory device the link belongs to)");
	cp->device_line = cfg_key_line(c, "device");
	capture_percent(c, "drop_alert", cp->drop_alert);
	capture_percent(c, "crosscheck_share", cp->crosscheck_share);
}


/* After the inventory: every capture's device must be in it. */
static void capture_resolve(struct cfg_ctx *c)
{
	struct config *cfg = cfg_config(c);
	size_t n;
	struct capture_cfg *cp = capture_configs(cfg, &n);

	for (size_t i = 0; i < n; i++) {
		if (cp[i].device[0] == '\0')
			continue; /* missing: reported with the section */
		cp[i].device_idx = config_find_device(cfg, cp[i].device);
		if (cp[i].device_idx < 0)
			cfg_error(c, cp[i].device_line,
				  "key 'device' in [capture %s]: no device "
				  "'%s' in the inventory",
				  cp[i].name, cp[i].device);
	}
}

const struct cfg_section capture_section = {
	.name = "capture",
	.flags = CFG_SEC_NAMED,
	.size = sizeof(struct capture_cfg),
	.line_off = offsetof(struct capture_cfg, line),
	.opts = capture_opts,
	.nopts = NELEM(capture_opts),
	.init = capture_init,
	.end = capture_end,
	.resolve = capture_resolve,
};

int capture_config_register(void)
{
	return config_section_register(&capture_section);
}

struct capture_cfg *capture_configs(const struct config *cfg, size_t *ret_n)
{
	return config_items(cfg, &capture_section, ret_n);
}

int capture_cfg_changed(const struct capture_cfg *a,
			const struct capture_cfg *b)
{
	return config_item_changed(&capture_section, a, b);
}
