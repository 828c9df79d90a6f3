/*
 * report_config.h - the [report] section (sla/ owns it): who the monthly
 * report is from and who signs it. See docs/config.md.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_REPORT_CONFIG_H
#define SLAMON_REPORT_CONFIG_H

#include "core/config.h"

struct report_cfg {
	int line;
	char bureau[128];      /* 单位名称, header of every page */
	char title[160];       /* "" : 电子政务外网信息系统运维月报表 */
	char prepared_by[64];  /* 编制 (a name, or "" for a blank line) */
	char reviewed_by[64];  /* 审核 */
	char approved_by[64];  /* 批准 */
	char logo[4096];       /* PNG on the title page, "" none */
	char readers[512];     /* notifier names told of a new draft */
};

extern const struct cfg_section report_section;

/* Registers [report] with core/config.c (modules/modules.h). */
int report_config_register(void);

/* The [report] section of cfg (defaults when the file has none). */
const struct report_cfg *report_config(const struct config *cfg);

#endif
