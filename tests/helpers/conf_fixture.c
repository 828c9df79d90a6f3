/*
 * conf_fixture.c - a configuration written into a test folder and loaded
 * (conf_fixture.h).
 * SPDX-License-Identifier: MIT
 */
#include "conf_fixture.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <stdio.h>

#include "agents.h"

int conf_fixture_load(const struct conf_fixture *fx, const char *text,
		      struct config **cfg, struct diag *d)
{
	char p[4200], buf[8192];

	snprintf(p, sizeof(p), "%s/inv.csv", fx->dir);
	snprintf(buf, sizeof(buf),
		 "unit,name,address,role,parent,profile,interfaces,"
		 "capacity_mbps,tags\n%s",
		 fx->inventory);
	cr_assert_eq(write_file(p, buf), 0);
	cr_assert_lt((size_t)snprintf(buf, sizeof(buf), "%s%s", fx->head,
				      text),
		     sizeof(buf));
	snprintf(p, sizeof(p), "%s/c.conf", fx->dir);
	cr_assert_eq(write_file(p, buf), 0);
	return config_load(p, cfg, d);
}

void conf_fixture_fails(const struct conf_fixture *fx, const char *text,
			const char *msg, struct config **cfg,
			struct diag *d)
{
	char want[5200];

	cr_assert_eq(conf_fixture_load(fx, text, cfg, d), -EINVAL);
	for (size_t i = 0; i < d->n; i++)
		cr_log_info("got: %s", d->msgs[i]);
	cr_assert_eq(d->n, 1, "expected 1 message, got %zu", d->n);
	snprintf(want, sizeof(want), "%s/c.conf:%s", fx->dir, msg);
	cr_assert_str_eq(d->msgs[0], want);
}
