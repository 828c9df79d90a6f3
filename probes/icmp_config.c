/*
 * icmp_config.c - the [icmp] section (icmp_config.h). Every key applies
 * in place on reload: the sweep reads them at each cycle of a host.
 * SPDX-License-Identifier: MIT
 */
#include "icmp_config.h"

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

const struct cfg_section icmp_section = {
	.name = "icmp",
	.size = sizeof(struct icmp_cfg),
	.line_off = offsetof(struct icmp_cfg, line),
	.opts = icmp_opts,
	.nopts = CFG_NELEM(icmp_opts),
	.end = icmp_end,
};

int icmp_config_register(void)
{
	return config_section_register(&icmp_section);
}

const struct icmp_cfg *icmp_config(const struct config *cfg)
{
	return config_item(cfg, &icmp_section);
}
