/*
 * report_config.c - the [report] section: bureau name, title, the
 * 编制 / 审核 / 批准 block, an optional logo and the readers of a new
 * draft. Every key is read when a report is written: all apply in place.
 * SPDX-License-Identifier: MIT
 */
#include "report_config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define R(f) CFG_FIELD(report_cfg, f)
static const struct cfg_opt report_opts[] = {
	{ "bureau", CFG_STR, R(bureau), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "title", CFG_STR, R(title), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "prepared_by", CFG_STR, R(prepared_by), 0, 0, 0, "", NULL, CFG_LIVE,
	  NULL },
	{ "reviewed_by", CFG_STR, R(reviewed_by), 0, 0, 0, "", NULL, CFG_LIVE,
	  NULL },
	{ "approved_by", CFG_STR, R(approved_by), 0, 0, 0, "", NULL, CFG_LIVE,
	  NULL },
	{ "logo", CFG_PATH, R(logo), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
	{ "readers", CFG_STR, R(readers), 0, 0, 0, "", NULL, CFG_LIVE, NULL },
};
#undef R

/* A logo that cannot be read is an error now, not a report that fails
 * on the 1st of next month. */
static void report_end(struct cfg_ctx *c, void *item)
{
	const struct report_cfg *r = item;

	if (r->logo[0] != '\0' && access(r->logo, R_OK) != 0)
		cfg_error(c, cfg_key_line(c, "logo"),
			  "key 'logo' in [report]: cannot read %s", r->logo);
}

const struct cfg_section report_section = {
	.name = "report",
	.size = sizeof(struct report_cfg),
	.line_off = offsetof(struct report_cfg, line),
	.opts = report_opts,
	.nopts = CFG_NELEM(report_opts),
	.end = report_end,
};

int report_config_register(void)
{
	return config_section_register(&report_section);
}

const struct report_cfg *report_config(const struct config *cfg)
{
	return config_item(cfg, &report_section);
}
