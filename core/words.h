/*
 * words.h - the words users read for the journal's fault fields, in
 * Chinese (default) and English: one table for the notifications
 * (alerts/notify.c), the reports (sla/report*.c) and the console.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_CORE_WORDS_H
#define SLAMON_CORE_WORDS_H

/* "critical" -> 紧急 / Critical ...; an unknown word is returned as is. */
const char *word_severity(const char *sev, int en);
/* A fault kind ("down", "nodata", "slow" ...) -> 设备中断 / Down ...; an
 * unknown word is returned as is. */
const char *word_fault_kind(const char *kind, int en);

#endif
