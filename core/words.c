/*
 * words.c - user-facing words for fault fields (see words.h).
 * SPDX-License-Identifier: MIT
 */
#include "words.h"

#include <stddef.h>
#include <string.h>

static const char *lookup(const char *const (*w)[3], size_t n,
			  const char *key, int en)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, w[i][0]) == 0)
			return w[i][en ? 2 : 1];
	return key;
}

const char *word_severity(const char *sev, int en)
{
	static const char *const w[][3] = {
		{ "critical", "紧急", "Critical" },
		{ "major", "重要", "Major" },
		{ "minor", "次要", "Minor" },
		{ "warning", "提示", "Warning" },
	};

	return lookup(w, sizeof(w) / sizeof(w[0]), sev, en);
}

const char *word_fault_kind(const char *kind, int en)
{
	static const char *const w[][3] = {
		{ "down", "设备中断", "Down" },
		{ "nodata", "无采集数据", "No data" },
		{ "unreachable", "不可达", "Unreachable" },
		{ "util", "利用率超限", "Utilisation" },
		{ "speed", "速率异常", "Speed" },
		{ "errors", "错包超限", "Errors" },
		{ "flapping", "频繁抖动", "Flapping" },
		{ "divergence", "流量不一致", "Divergence" },
		{ "drops", "抓包丢包", "Capture drops" },
		{ "slow", "响应缓慢", "Slow" },
		{ "cert", "证书即将过期", "Certificate expiring" },
		{ "sla-breach", "指标预计不达标", "SLA breach projected" },
	};

	return lookup(w, sizeof(w) / sizeof(w[0]), kind, en);
}
