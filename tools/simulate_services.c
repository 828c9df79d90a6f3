/*
 * simulate_services.c - simulated history of the [service] sections
 * (simulate_services.h): what alerts/service.c would have written.
 * SPDX-License-Identifier: MIT
 */
#include "simulate_services.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "alerts/config.h"
#include "probes/service_config.h"

static const char *const reasons[] = {
	"HTTP 502", "timeout after 10 s (waiting for the answer)",
	"TCP: connection refused", "DNS: server failure (SERVFAIL)",
};

static int one(const struct config *cfg, struct journal *j,
	       const struct service_cfg *sc, size_t k, double from,
	       double to, FILE *out)
{
	double a = from + (double)(3 + 4 * (k % 6)) * 86400 +
		   (double)(10 + 2 * (k % 5)) * 3600;
	double b = a + (double)(20 + 25 * (k % 4)) * 60;
	const char *why = reasons[k % 4];
	const char *sev = severity_name((enum severity)sc->severity);
	int resp = alerts_config(cfg)->response_min[sc->severity];
	struct fault f;
	char err[256], det[300];
	int64_t id;

	if (b >= to)
		return 0; /* a short period: up all along */
	snprintf(det, sizeof(det), "[模拟历史 simulated] %s", why);
	memset(&f, 0, sizeof(f));
	snprintf(f.object, sizeof(f.object), "%s", sc->name);
	snprintf(f.object_kind, sizeof(f.object_kind), "service");
	snprintf(f.kind, sizeof(f.kind), "down");
	snprintf(f.severity, sizeof(f.severity), "%s", sev ? sev : "major");
	snprintf(f.detail, sizeof(f.detail), "%s", det);
	f.first_fail_t = a;
	f.detect_t = a + (double)(sc->down_after - 1) * sc->interval_s;
	f.deadline_t = f.detect_t + (resp > 0 ? resp : 30) * 60.0;
	if (journal_state_record(j, sc->name, "up", "", from, err,
				 sizeof(err)) < 0 ||
	    journal_state_record(j, sc->name, "down", det, a, err,
				 sizeof(err)) < 0 ||
	    journal_state_record(j, sc->name, "up", "", b, err,
				 sizeof(err)) < 0 ||
	    journal_fault_open(j, &f, &id, NULL, err, sizeof(err)) < 0 ||
	    journal_fault_ack(j, id, f.detect_t + 9 * 60.0,
			      "值班员李娜（模拟）", "模拟历史：已联系服务方",
			      err, sizeof(err)) < 0 ||
	    journal_fault_resolve(j, id, b, err, sizeof(err)) < 0 ||
	    journal_fault_close(j, id, b + 15 * 60.0,
				"模拟历史：服务方重启应用，业务恢复", "满意",
				err, sizeof(err)) < 0) {
		fprintf(stderr, "slamon-simulate-history: %s: %s\n",
			alerts_config(cfg)->journal, err);
		return -EIO;
	}
	fprintf(out, "  fault %lld: service %s down %.0f min (%s), "
		     "availability %.3f%%\n",
		(long long)id, sc->name, (b - a) / 60, why,
		(1 - (b - a) / (to - from)) * 100);
	return 0;
}

int sim_services_write(const struct config *cfg, struct journal *j,
		       double from, double to, FILE *out)
{
	size_t n;
	const struct service_cfg *sc = service_configs(cfg, &n);

	for (size_t k = 0; k < n; k++)
		if (one(cfg, j, &sc[k], k, from, to, out) < 0)
			return -EIO;
	return 0;
}
