/*
 * traps.c - slamond's side of the SNMP trap receiver (probes/snmp_trap.h):
 * the [traps] sockets, bound at start-up before privileges are dropped;
 * which device a trap comes from (its source address, else its
 * snmpTrapAddress.0 / v1 agent-addr, matched against the inventory); the
 * communities and v3 profiles it is checked against; the journal rows
 * (written once a second, in one transaction); the counters of
 * status.json; rate-limited log lines about unknown and refused senders.
 *
 * linkDown, linkUp, coldStart, warmStart and authenticationFailure from a
 * known device start a confirmation (gen.c: daemon__confirm_start): the
 * device is polled now and its results go to the alerts engine as any
 * poll's. A trap alone never opens or closes a fault (docs/alerts.md).
 * SPDX-License-Identifier: MIT
 */
#include "daemon_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/snmp_config.h"
#include "probes/snmp_trap.h"
#include "storage/journal.h"

/* Rows queued between two flushes (once a second, or when the queue is
 * full: one transaction, one fsync per 1,000 traps). Rows that cannot be
 * written are counted (journal_dropped), never kept: a trap storm cannot
 * grow memory. */
#define TRAP_QUEUE_MAX 1000

/* One rate-limited log line: at most one per [traps]
 * unknown_log_interval, saying how many were not logged before it. */
struct rlog {
	double last;
	uint64_t suppressed;
};

struct daemon_traps {
	struct daemon *dm;
	struct trap_receiver *rx;
	char addrs[256]; /* bound addresses */
	char error[512]; /* why some or all could not be bound */
	struct journal_trap *q;
	size_t nq;
	uint64_t received, accepted, unknown, bad_community, bad_auth,
		malformed, informs, confirms, journal_dropped, journal_failed;
	struct rlog log_unknown, log_refused;
	double pruned; /* when old rows were last deleted */
};

static int rlog_due(struct rlog *r, double now, int interval_s,
		    uint64_t *ret_suppressed)
{
	if (r->last != 0 && now - r->last < interval_s) {
		r->suppressed++;
		return 0;
	}
	*ret_suppressed = r->suppressed;
	r->suppressed = 0;
	r->last = now;
	return 1;
}

/* "; N more WHAT since the last line", or "" when none were held back. */
static const char *more(uint64_t n, const char *what, char *buf, size_t len)
{
	if (n == 0)
		return "";
	snprintf(buf, len, "; %llu more %s since the last line",
		 (unsigned long long)n, what);
	return buf;
}

static const char *version_name(int v)
{
	return v == 1 ? "v1" : v == 3 ? "v3" : "v2c";
}

static void queue_row(struct daemon_traps *t, const struct trap_msg *m,
		      const char *device)
{
	struct journal_trap *r;

	if (t->q == NULL) {
		t->q = calloc(TRAP_QUEUE_MAX, sizeof(*t->q));
		if (t->q == NULL) {
			t->journal_dropped++;
			return;
		}
	}
	if (t->nq == TRAP_QUEUE_MAX)
		daemon__traps_flush(t->dm);
	if (t->nq == TRAP_QUEUE_MAX) {
		t->journal_dropped++;
		return;
	}
	r = &t->q[t->nq++];
	memset(r, 0, sizeof(*r));
	r->t = m->t;
	snprintf(r->source, sizeof(r->source), "%s", m->src_host);
	snprintf(r->device, sizeof(r->device), "%s", device);
	snprintf(r->trap_oid, sizeof(r->trap_oid), "%s", m->trap_oid);
	snprintf(r->version, sizeof(r->version), "%s",
		 version_name(m->version));
	r->inform = m->inform;
	snprintf(r->agent, sizeof(r->agent), "%s", m->agent_addr);
	snprintf(r->varbinds, sizeof(r->varbinds), "%s", m->varbinds);
}

/* ---- the receiver's hooks ------------------------------------------- */

static const struct snmp_profile *on_profile(void *arg,
					     const struct sockaddr *src,
					     const char *user)
{
	struct daemon_traps *t = arg;
	const struct gen *g = t->dm->cur;
	const struct snmp_profile *p;
	char host[INV_ADDR_MAX] = "";
	size_t n;
	int i;

	if (g == NULL)
		return NULL;
	p = snmp_profiles(g->cfg, &n);
	if (src->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)src)->sin_addr,
			  host, sizeof(host));
	else if (src->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)src)->sin6_addr, host,
			  sizeof(host));
	if (strncmp(host, "::ffff:", 7) == 0 && strchr(host + 7, ':') == NULL)
		memmove(host, host + 7, strlen(host + 7) + 1);
	i = trap_device_of(g->cfg, host, "");
	/* the sending device's own profile first */
	if (i >= 0) {
		const struct snmp_profile *dp =
			snmp_profile_of(g->cfg, &g->cfg->devices[i]);

		if (dp && dp->version == SNMP_V3 && strcmp(dp->user, user) == 0)
			return dp;
	}
	/* else any v3 profile of that user (an unknown sender is still
	 * authenticated before it is counted and logged) */
	for (size_t k = 0; k < n; k++)
		if (p[k].version == SNMP_V3 && strcmp(p[k].user, user) == 0)
			return &p[k];
	return NULL;
}

static int on_trap(void *arg, const struct trap_msg *m)
{
	struct daemon_traps *t = arg;
	struct gen *g = t->dm->cur;
	const struct traps_cfg *tc;
	enum trap_kind kind;
	char more_buf[96];
	uint64_t sup;
	int i;

	t->received++;
	if (g == NULL || t->dm->stopping)
		return -EACCES;
	tc = traps_config(g->cfg);
	if (m->version != 3 && !traps_community_ok(tc, m->community)) {
		t->bad_community++;
		if (rlog_due(&t->log_refused, m->t, tc->unknown_log_s, &sup))
			log_warnx("trap from %s (%s): community not accepted "
				  "([traps] community)%s",
				  m->src_host, version_name(m->version),
				  more(sup, "refused", more_buf,
				       sizeof(more_buf)));
		return -EACCES;
	}
	if (m->inform)
		t->informs++;
	i = trap_device_of(g->cfg, m->src_host, m->agent_addr);
	kind = trap_kind_of(m->trap_oid);
	if (i < 0) {
		t->unknown++;
		queue_row(t, m, "");
		if (rlog_due(&t->log_unknown, m->t, tc->unknown_log_s, &sup))
			log_warnx("trap %s from unknown source %s%s%s (%s)%s",
				  m->trap_oid, m->src_host,
				  m->agent_addr[0] ? ", agent " : "",
				  m->agent_addr,
				  i == -2 ? "several devices have that "
					    "address"
					  : "not in the inventory",
				  more(sup, "from unknown sources", more_buf,
				       sizeof(more_buf)));
		return 0;
	}
	t->accepted++;
	queue_row(t, m, g->cfg->devices[i].name);
	if (kind == TRAP_OTHER) {
		log_debug("%s: trap %s from %s", g->cfg->devices[i].name,
			  m->trap_oid, m->src_host);
		return 0;
	}
	log_info("%s: trap %s (%s) from %s: polling now to confirm",
		 g->cfg->devices[i].name, trap_kind_name(kind),
		 version_name(m->version), m->src_host);
	t->confirms++;
	daemon__confirm_start(g, (uint32_t)i, m->t,
			      kind == TRAP_LINK_DOWN || kind == TRAP_LINK_UP);
	return 0;
}

static void on_reject(void *arg, const struct trap_msg *m,
		      enum trap_reject why, const char *detail)
{
	struct daemon_traps *t = arg;
	const struct gen *g = t->dm->cur;
	int interval = g ? traps_config(g->cfg)->unknown_log_s : 60;
	char more_buf[96];
	uint64_t sup;

	t->received++;
	if (why == TRAP_REJ_AUTH)
		t->bad_auth++;
	else
		t->malformed++;
	if (rlog_due(&t->log_refused, m->t, interval, &sup))
		log_warnx("trap from %s refused (%s%s%s): %s%s", m->src_host,
			  version_name(m->version), m->user[0] ? " user " : "",
			  m->user, detail,
			  more(sup, "refused", more_buf, sizeof(more_buf)));
}

/* ---- life ----------------------------------------------------------- */

static void traps_bind(struct daemon_traps *t, const struct config *cfg)
{
	const struct traps_cfg *tc = traps_config(cfg);
	struct trap_hooks hooks = { on_trap, on_reject, on_profile, t };
	size_t n;

	t->addrs[0] = '\0';
	t->error[0] = '\0';
	if (!tc->enabled)
		return;
	if (trap_receiver_open(&t->dm->loop, tc, &hooks, &t->rx, t->error,
			       sizeof(t->error)) < 0) {
		log_errorx("%s: no traps are received", t->error);
		return;
	}
	if (t->error[0] != '\0')
		log_errorx("%s", t->error);
	n = trap_receiver_addrs(t->rx, t->addrs, sizeof(t->addrs));
	log_info("receiving SNMP traps on %s (%zu address%s)", t->addrs, n,
		 n == 1 ? "" : "es");
}

void daemon__traps_open(struct daemon *dm, const struct config *cfg)
{
	struct daemon_traps *t = calloc(1, sizeof(*t));

	if (t == NULL) {
		log_errorx("traps: out of memory: no traps are received");
		return;
	}
	t->dm = dm;
	dm->traps = t;
	traps_bind(t, cfg);
}

void daemon__traps_reload(struct daemon *dm, const struct config *old,
			  const struct config *cfg)
{
	struct daemon_traps *t = dm->traps;

	if (t == NULL ||
	    !traps_listen_changed(traps_config(old), traps_config(cfg)))
		return;
	log_info("reload: [traps] listen changed");
	trap_receiver_close(t->rx, NULL, NULL);
	t->rx = NULL;
	/* CAP_NET_BIND_SERVICE was kept for this (privs.c) */
	traps_bind(t, cfg);
}

/* Once an hour: rows older than [traps] keep_days go (an index on t
 * makes it a range delete). */
static void traps_prune(struct daemon *dm, struct daemon_traps *t)
{
	double now = daemon__now();
	size_t n = 0;
	char err[256];

	if (dm->cur == NULL || dm->journal == NULL || now - t->pruned < 3600)
		return;
	t->pruned = now;
	if (journal_trap_prune(dm->journal,
			       now - traps_config(dm->cur->cfg)->keep_days *
					     86400.0,
			       &n, err, sizeof(err)) < 0)
		log_warnx("traps: %s", err);
	else if (n > 0)
		log_info("traps: %zu journal rows older than %d days deleted",
			 n, traps_config(dm->cur->cfg)->keep_days);
}

void daemon__traps_flush(struct daemon *dm)
{
	struct daemon_traps *t = dm->traps;
	char err[256];

	if (t != NULL)
		traps_prune(dm, t);

	if (t == NULL || t->nq == 0)
		return;
	if (dm->journal == NULL) {
		t->journal_failed += t->nq;
		t->nq = 0;
		return;
	}
	if (journal_trap_add(dm->journal, t->q, t->nq, err, sizeof(err)) < 0) {
		t->journal_failed += t->nq;
		log_warnx("traps: %s (%zu traps not journaled)", err, t->nq);
	}
	t->nq = 0;
}

json_t *daemon__traps_json(const struct daemon *dm)
{
	const struct daemon_traps *t = dm->traps;
	const struct traps_cfg *tc =
		dm->cur ? traps_config(dm->cur->cfg) : NULL;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "enabled",
			    json_boolean(tc != NULL && tc->enabled));
	if (t == NULL)
		return o;
	json_object_set_new(o, "listening", json_string(t->addrs));
	json_object_set_new(o, "error", json_string(t->error));
	json_object_set_new(o, "received",
			    json_integer((json_int_t)t->received));
	json_object_set_new(o, "known", json_integer((json_int_t)t->accepted));
	json_object_set_new(o, "unknown_source",
			    json_integer((json_int_t)t->unknown));
	json_object_set_new(o, "refused_community",
			    json_integer((json_int_t)t->bad_community));
	json_object_set_new(o, "refused_auth",
			    json_integer((json_int_t)t->bad_auth));
	json_object_set_new(o, "malformed",
			    json_integer((json_int_t)t->malformed));
	json_object_set_new(o, "informs", json_integer((json_int_t)t->informs));
	json_object_set_new(o, "confirmations",
			    json_integer((json_int_t)t->confirms));
	json_object_set_new(o, "journal_dropped",
			    json_integer((json_int_t)(t->journal_dropped +
						      t->journal_failed)));
	return o;
}

void daemon__traps_close(struct daemon *dm)
{
	struct daemon_traps *t = dm->traps;

	if (t == NULL)
		return;
	daemon__traps_flush(dm);
	trap_receiver_close(t->rx, NULL, NULL);
	free(t->q);
	free(t);
	dm->traps = NULL;
}
