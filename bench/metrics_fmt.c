/*
 * metrics_fmt.c - times the formatting of a full /metrics exposition
 * (web/metrics.c's live(), compiled in) for a fleet of N devices with 4
 * interfaces each, without the daemon, the loop or the transfer: the
 * part of a scrape the formatting is. The web functions a scrape does
 * not reach here are stubs. `make -C bench metrics_fmt && bench/metrics_fmt
 * [N]` (default 28,000); prints the time and size of 3 runs.
 * SPDX-License-Identifier: MIT
 */
#include "web/metrics.c"

#include <time.h>

double web__now(void) { return 0; }
const char *role_name(enum role r) { (void)r; return "access"; }
const char *obj_state_name(enum obj_state s) { (void)s; return "up"; }
int severity_parse(const char *n) { (void)n; return 0; }
int journal_fault_list(struct journal *j, const struct fault_query *q,
		       struct fault **f, size_t *n, char *e, size_t el)
{
	(void)j; (void)q; (void)e; (void)el;
	*f = NULL;
	*n = 0;
	return 0;
}
void web__job_fail(struct web_job *j, int c, const char *a, const char *f,
		   ...)
{
	(void)j; (void)c; (void)a; (void)f;
}
void web__error(h2o_req_t *req, int status, const char *code,
		const char *fmt, ...)
{
	(void)req; (void)status; (void)code; (void)fmt;
}
int web__method(h2o_req_t *req, const char *m) { (void)req; (void)m; return 1; }
struct web_job *web__job_new(struct web_server *ws, h2o_req_t *req)
{
	(void)ws; (void)req;
	return NULL;
}
void web__job_start(struct web_job *j, web_job_fn run, web_job_fn done)
{
	(void)j; (void)run; (void)done;
}
void web__indicators_refresh(struct web_server *ws) { (void)ws; }

int main(int argc, char **argv)
{
	struct msnap m = { 0 };
	struct timespec a, b;

	m.ndev = argc > 1 ? strtoul(argv[1], NULL, 10) : 28000;
	m.nif = 4 * m.ndev;
	m.dev = calloc(m.ndev + 1, sizeof(*m.dev));
	m.ifs = calloc(m.nif + 1, sizeof(*m.ifs));
	if (m.dev == NULL || m.ifs == NULL)
		return 1;
	for (size_t i = 0; i < m.ndev; i++) {
		snprintf(m.dev[i].name, sizeof(m.dev[i].name),
			 "acc-%05zu.example", i);
		m.dev[i].role = 2;
		m.dev[i].state = 1;
	}
	for (size_t i = 0; i < m.nif; i++) {
		m.ifs[i].dev = (uint32_t)(i / 4);
		snprintf(m.ifs[i].name, sizeof(m.ifs[i].name),
			 "GigabitEthernet0/%zu", i % 4);
		m.ifs[i].in = 12345678.9 + (double)i * 1.37;
		m.ifs[i].out = 2345678.1 + (double)i * 3.1;
		m.ifs[i].base = 1000;
	}
	for (int r = 0; r < 3; r++) {
		struct sbuf sb = { 0 };

		clock_gettime(CLOCK_MONOTONIC, &a);
		live(&m, &sb);
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%zu devices, %zu interfaces: %.3f s, %zu bytes\n",
		       m.ndev, m.nif,
		       (double)(b.tv_sec - a.tv_sec) +
			       (double)(b.tv_nsec - a.tv_nsec) / 1e9,
		       sb.n);
		free(sb.p);
	}
	free(m.dev);
	free(m.ifs);
	return 0;
}
