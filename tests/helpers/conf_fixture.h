/*
 * conf_fixture.h - a configuration written into a test folder and loaded,
 * for the suites that check one section's keys and its error messages
 * (test_config_alerts, _capture, _service, test_trap_receiver).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TEST_CONF_FIXTURE_H
#define SLAMON_TEST_CONF_FIXTURE_H

#include "core/config.h"
#include "core/diag.h"

/* What a suite writes: the inventory's data rows (the header line is
 * added) and the configuration's first lines; the test's text follows. */
struct conf_fixture {
	const char *dir;       /* the test folder */
	const char *inventory; /* CSV rows of inv.csv, each ending in \n */
	const char *head;      /* names inventory = inv.csv */
};

/* Writes dir/inv.csv and dir/c.conf (head, then text) and returns
 * config_load(dir/c.conf, cfg, d). */
int conf_fixture_load(const struct conf_fixture *fx, const char *text,
		      struct config **cfg, struct diag *d);

/* Asserts that loading text fails with exactly one message,
 * "dir/c.conf:" msg (msg starts with the line number). */
void conf_fixture_fails(const struct conf_fixture *fx, const char *text,
			const char *msg, struct config **cfg,
			struct diag *d);

#endif
