/*
 * sample.c - names for sample enums.
 * SPDX-License-Identifier: MIT
 */
#include "sample.h"

const char *poll_status_name(enum poll_status s)
{
	static const char *names[POLL_STATUS_COUNT] = {
		"ok", "timeout", "auth", "nosuch", "badtype", "error"};

	return (unsigned)s < POLL_STATUS_COUNT ? names[s] : "?";
}
