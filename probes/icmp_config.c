/*
 * icmp_config.c - the [icmp] section (icmp_config.h). Every key applies
 * in place on reload: the sweep reads them at each cycle of a host.
 * SPDX-License-Identifier: MIT
 */
#include "icmp_config.h"

#include <math.h>
#include <stddef.h>

#define I(f) CFG_FIELD(icmp_cfg, f)
static const struct cfg_opt icmp_opts[] = {
	{ "count", CFG_INT, I(count), 1, 20, 3, NULL, NULL, CFG_LIVE, NULL },
	{ "spacing_ms", CFG_INT, I(spacing_ms), 1, 10000, 500, NULL, NULL,
	  CFG_LIVE, NULL },
	{ "timeout_ms", CFG_INT, I(timeout_ms), 10, 10000, 1000, NULL, NULL,
	  CFG_LIVE, NULL },
	{ "rate_pps", CFG_INT, I(rate_pps), 1, 1000000, 10000, NULL, NULL,
	  CFG_LIVE, NULL },
	{ "min_replies", CFG_INT, I(min_replies), 1, 20, 1, NULL, NULL,
	  CFG_LIVE, NULL },
};
#undef I

/* A host judged on fewer echoes than it must answer would never be up. */
static void icmp_end(struct cfg_ctx *c, void *item)
{
	struct icmp_cfg *ic = item;

	if (ic->min_replies > ic->count)
		cfg_error(c, cfg_key_line(c, "min_replies"),
			  "key 'min_replies' in [icmp]: %d is more than "
			  "count (%d)",
			  ic->min_replies, ic->count);
}

/* After the inventory: a poll of an ICMP device must end before its next
 * one is due, or every other poll would be skipped. */
static void icmp_resolve(struct cfg_ctx *c)
{
	const struct config *cfg = cfg_config(c);
	const struct icmp_cfg *ic = config_item(cfg, &icmp_section);
	long poll_ms;
	int seen[ROLE_COUNT] = { 0 };

	double need_pps = 0;
	size_t n = 0;

	if (ic == NULL)
		return;
	poll_ms = (long)(ic->count - 1) * ic->spacing_ms + ic->timeout_ms;
	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];

		if (d->probe == DEV_PROBE_ICMP) {
			need_pps += (double)ic->count / cfg->interval_s[d->role];
			n++;
		}

		if (d->probe != DEV_PROBE_ICMP || seen[d->role] ||
		    poll_ms < cfg->interval_s[d->role] * 1000L)
			continue;
		seen[d->role] = 1;
		cfg_error(c, ic->line,
			  "[icmp]: a poll takes up to %ld ms ((count - 1) x "
			  "spacing_ms + timeout_ms), not less than the %d s "
			  "interval of role %s (device '%s')",
			  poll_ms, cfg->interval_s[d->role], role_name(d->role),
			  d->name);
	}
	/* the echoes every device sends per interval must fit the rate, or
	 * the sweep falls behind and polls are skipped cycle after cycle */
	if (need_pps > ic->rate_pps)
		cfg_error(c, ic->line,
			  "[icmp]: rate_pps %d is below the %.0f echo requests "
			  "a second that the %zu ICMP devices need (count / "
			  "interval of each)",
			  ic->rate_pps, ceil(need_pps), n);
}

const struct cfg_section icmp_section = {
	.name = "icmp",
	.size = sizeof(struct icmp_cfg),
	.line_off = offsetof(struct icmp_cfg, line),
	.opts = icmp_opts,
	.nopts = CFG_NELEM(icmp_opts),
	.end = icmp_end,
	.resolve = icmp_resolve,
};

int icmp_config_register(void)
{
	return config_section_register(&icmp_section);
}

const struct icmp_cfg *icmp_config(const struct config *cfg)
{
	return config_item(cfg, &icmp_section);
}
