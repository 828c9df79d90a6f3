/*
 * service_avail.c - a service's up, down and unknown seconds over a
 * period from its journal state changes (service_avail.h).
 * SPDX-License-Identifier: MIT
 */
#include "service_avail.h"

#include <stdlib.h>
#include <string.h>

static void add(struct sla_svc_time *r, const char *state, double s)
{
	if (s <= 0)
		return;
	if (strcmp(state, "up") == 0)
		r->up_s += s;
	else if (strcmp(state, "down") == 0)
		r->down_s += s;
	else if (strcmp(state, "unknown") == 0)
		r->unknown_s += s;
	else
		r->other_s += s;
}

int sla_service_time(struct journal *j, const char *name, double from,
		     double to, struct sla_svc_time *ret, char *err,
		     size_t errlen)
{
	struct journal_state *v = NULL;
	size_t n = 0;
	double at = from;
	const char *cur = "unknown";
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (to <= from)
		return 0;
	rc = journal_state_list(j, name, from, to, &v, &n, err, errlen);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		double t = v[i].t < from ? from : v[i].t;

		if (strcmp(v[i].object, name) != 0)
			continue;
		ret->rows++;
		add(ret, cur, t - at);
		if (v[i].t >= from && strcmp(v[i].state, "down") == 0 &&
		    strcmp(cur, "down") != 0)
			ret->outages++;
		at = t;
		cur = v[i].state;
	}
	add(ret, cur, to - at);
	free(v);
	return 0;
}
