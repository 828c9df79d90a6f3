/*
 * journal.h - the fault journal: every fault, its acknowledgement, its
 * resolution and closing, the children an outage made unreachable, every
 * notification attempt, maintenance windows and state changes, in one
 * SQLite file (WAL, synchronous=FULL). A call that returns 0 has committed:
 * after a crash or kill -9 the row is there. The daemon writes a fault here
 * before it notifies anyone; the CLI (ack/close) and sla/ read and write the
 * same file from other processes (busy timeout 5 s).
 *
 * Every function returns 0 or a negative errno with one line (no newline)
 * in err, which may be NULL when errlen is 0. A failed call changed nothing.
 * Times are seconds since the epoch (double); 0 means "not set".
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_JOURNAL_H
#define SLAMON_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

/* 1: faults, children, notifications, maintenance, states; 2: adds the
 * capture_links and capture_intervals tables; 3: adds report_reasons;
 * 4: adds the index state_log_time on state_log(t) (journal_states.c);
 * 5: adds traps (journal_trap.c); 6: adds audit (journal_audit.c);
 * 7: adds report_summaries (journal_summary.c) (an older file is
 * upgraded in place when opened read-write). */
#define JOURNAL_SCHEMA_VERSION 7

#define FAULT_OBJECT_MAX 160
#define FAULT_WORD_MAX 32
#define FAULT_TEXT_MAX 512

/* One fault row. Strings are owned by the struct (fixed size). */
struct fault {
	int64_t id;
	char object[FAULT_OBJECT_MAX];     /* "dev" or "dev/ifname" */
	char object_kind[FAULT_WORD_MAX];  /* device | interface | service */
	char kind[FAULT_WORD_MAX];         /* down | util | speed | errors |
	                                      nodata | flapping | ... */
	char severity[FAULT_WORD_MAX];     /* critical | major | minor | warning */
	char detail[FAULT_TEXT_MAX];       /* human text, e.g. the rule name */
	double first_fail_t; /* first failed sample of the outage */
	double detect_t;     /* when slamon decided it is a fault */
	double deadline_t;   /* respond (ack) before this */
	double ack_t;
	char ack_by[64];
	char ack_note[FAULT_TEXT_MAX];
	double resolved_t;   /* object recovered: first good sample */
	double closed_t;     /* operator closed it */
	char close_note[FAULT_TEXT_MAX];
	char satisfaction[FAULT_WORD_MAX]; /* 满意 | 基本满意 | 不满意 | "" */
	int64_t parent_id;   /* fault this one is attributed to, 0 = none */
	int nchildren;       /* objects listed as unreachable behind it */
	int reminders;       /* reminders sent */
	double last_notify_t;
};

struct journal;

/* Opens (creating when needed) the journal at path: WAL, synchronous=FULL,
 * foreign keys, busy timeout 5 s; creates or checks the schema (refuses a
 * newer schema version with -EPROTO). */
int journal_open(const char *path, struct journal **ret_j, char *err,
		 size_t errlen);

/* Opens an existing journal at path for reading only (what sla/ and
 * reports use: nothing is created, upgraded or locked for writing; WAL
 * readers do not block the daemon). -ENOENT (or the access(2) error) when
 * the file is missing or unreadable, -EPROTO when its schema is newer;
 * err names path. A version 1 file reads as it is. */
int journal_open_ro(const char *path, struct journal **ret_j, char *err,
		    size_t errlen);

/* Closes the connection. Accepts NULL. */
void journal_close(struct journal *j);

/* Opens a fault from f (object, object_kind, kind, severity, detail,
 * first_fail_t, detect_t, deadline_t, parent_id are read; the rest is
 * ignored). When an active fault (neither resolved nor closed) for the same
 * object and kind exists, nothing is written and its id is returned with
 * *ret_created = 0: opening is idempotent, also across restarts.
 * ret_created may be NULL. */
int journal_fault_open(struct journal *j, const struct fault *f,
		       int64_t *ret_id, int *ret_created, char *err,
		       size_t errlen);

/* Records that the object recovered at t (its first good sample).
 * -ENOENT unknown id; -EALREADY already resolved. A closed fault whose
 * object had not recovered yet still gets its resolution time. */
int journal_fault_resolve(struct journal *j, int64_t id, double t, char *err,
			  size_t errlen);

/* Operator acknowledgement. by is required, note may be NULL.
 * -ENOENT unknown id; -EALREADY already acknowledged (by whom, when);
 * -EINVAL the fault is closed or by is empty. */
int journal_fault_ack(struct journal *j, int64_t id, double t, const char *by,
		      const char *note, char *err, size_t errlen);

/* Operator closing with a note and a satisfaction mark (any spelling
 * satisfaction_parse accepts). -ENOENT unknown id; -EALREADY already
 * closed; -EINVAL empty note or unknown satisfaction. */
int journal_fault_close(struct journal *j, int64_t id, double t,
			const char *note, const char *satisfaction, char *err,
			size_t errlen);

/* Fills *ret with fault id. -ENOENT when there is none. */
int journal_fault_get(struct journal *j, int64_t id, struct fault *ret,
		      char *err, size_t errlen);

/* Lists object as made unreachable by fault id (at t) and bumps its
 * nchildren. Listing the same object twice is a no-op returning 0. */
int journal_fault_child_add(struct journal *j, int64_t id, const char *object,
			    double t, char *err, size_t errlen);

/* The children of fault id, as a malloc'd array the caller frees. */
struct fault_child {
	char object[FAULT_OBJECT_MAX];
	double t;
};
int journal_fault_children(struct journal *j, int64_t id,
			   struct fault_child **ret, size_t *ret_n, char *err,
			   size_t errlen);

/* Which faults journal_fault_list returns. */
enum journal_filter {
	JQ_ACTIVE,  /* neither resolved nor closed (what the engine tracks) */
	JQ_OPEN,    /* not closed (what the NOC works on) */
	JQ_ALL,
	JQ_REMIND,  /* not acked, not closed, past deadline, and no
	               notification for remind_s seconds (at now) */
	JQ_UNRESOLVED, /* object not recovered yet, closed or not: what a
	                  restarted engine takes over (an operator may close
	                  a fault before its device is back) */
};
struct fault_query {
	enum journal_filter filter;
	double from_t, to_t; /* detect_t in [from_t, to_t); 0 = unbounded */
	double now, remind_s; /* JQ_REMIND only */
};

/* Faults matching q ordered by id, as a malloc'd array the caller frees
 * (NULL with *ret_n = 0 when none). */
int journal_fault_list(struct journal *j, const struct fault_query *q,
		       struct fault **ret, size_t *ret_n, char *err,
		       size_t errlen);

/* Notes that a reminder for fault id went out at t (reminders + 1). */
int journal_fault_reminded(struct journal *j, int64_t id, double t, char *err,
			   size_t errlen);

/* One notification attempt: event (open|resolve|remind|...), notifier
 * name, attempt number (1 = first), result (ok|fail|timeout|gave-up),
 * detail (HTTP status, exit code, curl error). */
struct notify_rec {
	int64_t fault_id;
	char event[FAULT_WORD_MAX];
	char notifier[64];
	int attempt;
	double t;
	char result[FAULT_WORD_MAX];
	char detail[FAULT_TEXT_MAX];
};
int journal_notify_record(struct journal *j, const struct notify_rec *r,
			  char *err, size_t errlen);
/* Attempts for fault id (0: all), oldest first, malloc'd. */
int journal_notify_list(struct journal *j, int64_t fault_id,
			struct notify_rec **ret, size_t *ret_n, char *err,
			size_t errlen);

/* A maintenance window occurrence (name, scope as configured). Recording
 * the same name and start twice is a no-op. */
int journal_maint_record(struct journal *j, const char *name,
			 const char *scope, double start_t, double end_t,
			 char *err, size_t errlen);

/* Counts maintenance windows overlapping [from_t, to_t). */
int journal_maint_count(struct journal *j, double from_t, double to_t,
			size_t *ret_n, char *err, size_t errlen);

/* A recorded maintenance occurrence. */
struct journal_maint {
	char name[64];
	char scope[64]; /* all, role:, tag:, group:, device: (as configured) */
	double start_t, end_t;
};

/* The maintenance occurrences overlapping [from_t, to_t), by start, as a
 * malloc'd array the caller frees (NULL with *ret_n = 0 when none). */
int journal_maint_list(struct journal *j, double from_t, double to_t,
		       struct journal_maint **ret, size_t *ret_n, char *err,
		       size_t errlen);

/* A state change of an object (up, down, unreachable, maintenance,
 * flapping, unknown) with its reason ("parent agg-3 down"). */
int journal_state_record(struct journal *j, const char *object,
			 const char *state, const char *reason, double t,
			 char *err, size_t errlen);

/* One recorded state change. */
struct journal_state {
	char object[FAULT_OBJECT_MAX];
	char state[FAULT_WORD_MAX];
	char reason[FAULT_TEXT_MAX];
	double t;
};

/* The state changes of object (NULL or "": every object) in [from_t,
 * to_t), each object's last change before from_t first (the state it
 * entered the range in), ordered by object, then time: consecutive rows
 * of one object are its state intervals, the last one lasting to to_t.
 * A malloc'd array the caller frees (NULL with *ret_n = 0 when none). */
int journal_state_list(struct journal *j, const char *object, double from_t,
		       double to_t, struct journal_state **ret, size_t *ret_n,
		       char *err, size_t errlen);

/* A state change to record (journal_state_record_many). */
struct journal_state_rec {
	const char *object, *state, *reason;
	double t;
};

/* Records n state changes in one transaction (one sync): all or none. */
int journal_state_record_many(struct journal *j,
			      const struct journal_state_rec *v, size_t n,
			      char *err, size_t errlen);

/* Called by journal_state_scan with each row; non-zero stops the scan
 * and is returned by it. */
typedef int (*journal_state_fn)(void *arg, const char *object,
				const char *state, const char *reason,
				double t);

/* Every object's state changes in [from_t, to_t), each object's last
 * change before from_t first (the state it entered the range in), sorted
 * by object, then time (then order of recording): one query for every
 * object, the rows handed to fn without being kept. The SLA engine reads
 * availability from it (sla/avail.c). */
int journal_state_scan(struct journal *j, double from_t, double to_t,
		       journal_state_fn fn, void *arg, char *err,
		       size_t errlen);

/* ---- packet capture intervals (issue 6) ---------------------------- */

/* Every complete interval of a [capture NAME] link is kept as one row:
 * its counts (records, packets, bytes, drops) as columns, and its top-N
 * ports, local and remote talkers as one packed blob (format in
 * docs/storage.md). The report sums them over a month, `slamon talkers`
 * over any range, and the SLA engine reads the drops for completeness. */

#define JOURNAL_CAPTURE_TOP_MAX 32  /* entries per list (config: top) */
#define JOURNAL_CAPTURE_NAME_MAX 64 /* capture and device names */
#define JOURNAL_CAPTURE_LEN_MAX 3600 /* longest interval (config bound) */

struct journal_cap_port {
	uint8_t ipproto; /* 6 TCP, 17 UDP */
	uint16_t port;   /* the flow's service port (the lower one) */
	uint64_t bytes, packets;
};

struct journal_cap_talker {
	uint8_t family;   /* 4 or 6 */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, the rest zero */
	uint64_t bytes, packets;
};

/* One capture interval. Fixed size, pointer free. */
struct journal_capiv {
	char link[JOURNAL_CAPTURE_NAME_MAX];   /* the capture's NAME */
	char device[JOURNAL_CAPTURE_NAME_MAX]; /* its inventory device */
	int64_t start;   /* interval start, unix seconds (aligned) */
	double length_s; /* 1 .. JOURNAL_CAPTURE_LEN_MAX */
	uint64_t records; /* every record seen, malformed ones too */
	uint64_t packets, bytes, in_bytes, out_bytes; /* accounted */
	int stats_valid;  /* drops/ifdrops were measured (live capture) */
	uint64_t drops, ifdrops; /* kernel ring / interface, pcap_stats */
	size_t nports, nlocal, nremote; /* each <= JOURNAL_CAPTURE_TOP_MAX */
	struct journal_cap_port ports[JOURNAL_CAPTURE_TOP_MAX];
	struct journal_cap_talker local[JOURNAL_CAPTURE_TOP_MAX];
	struct journal_cap_talker remote[JOURNAL_CAPTURE_TOP_MAX];
};

/* Stores the n intervals of v in one transaction. An interval whose link
 * and start are already stored is left as it is (a file replayed again
 * at the next start writes nothing twice; nothing stored is ever
 * replaced); *ret_added (may be NULL) gets how many rows were new. With
 * keep_s > 0, each link's rows starting more than keep_s before its
 * newest row are deleted (retention follows the link's own newest data,
 * as an RRD's rows follow its last update). -EINVAL (nothing written)
 * when an interval is malformed: empty names, a length out of bounds, a
 * list longer than JOURNAL_CAPTURE_TOP_MAX, a family other than 4/6. */
int journal_capture_put(struct journal *j, const struct journal_capiv *v,
			size_t n, double keep_s, size_t *ret_added, char *err,
			size_t errlen);

/* Called with each interval, in time order; a non-zero return stops the
 * scan and is returned by journal_capture_scan. */
typedef int (*journal_capiv_cb)(void *arg, const struct journal_capiv *v);

/* Calls cb for every stored interval of capture link that overlaps
 * [from_t, to_t). 0 when done (also when the link is unknown: no rows),
 * a negative errno with err, or cb's non-zero value. A top-list blob that
 * does not decode is -EBADMSG naming the link and the interval start. */
int journal_capture_scan(struct journal *j, const char *link, double from_t,
			 double to_t, journal_capiv_cb cb, void *arg,
			 char *err, size_t errlen);

/* ---- reasons for a missed indicator (issue 14) ---------------------- */

#define JOURNAL_REASON_MAX 1024

/* The reason an operator gave for indicator's deviation in month
 * ("YYYY-MM"), printed in the report's 偏差原因 column. */
struct journal_reason {
	char month[8];
	char indicator[64];
	char text[JOURNAL_REASON_MAX];
	double t; /* when it was given */
};

/* Stores text as the reason for indicator in month at t, replacing an
 * earlier one; an empty text removes it. -EINVAL (month not YYYY-MM, an
 * empty indicator, a text past JOURNAL_REASON_MAX - 1 bytes) with err. */
int journal_reason_set(struct journal *j, const char *month,
		       const char *indicator, const char *text, double t,
		       char *err, size_t errlen);

/* The reasons of month, by indicator, as a malloc'd array the caller
 * frees (*ret NULL when none). A journal of schema 2 or older opened
 * read-only has none. */
int journal_reason_list(struct journal *j, const char *month,
			struct journal_reason **ret, size_t *ret_n,
			char *err, size_t errlen);

/* ---- audit trail (issue 12) ---------------------------------------- */

/* One action of a person: ack, close, annotate, report. */
struct journal_audit {
	double t;
	char action[FAULT_WORD_MAX]; /* ack | close | report | ... */
	char who[64];                /* web user or Unix user */
	char via[FAULT_WORD_MAX];    /* web | cli */
	int64_t fault_id;            /* 0: not about a fault */
	char object[FAULT_OBJECT_MAX]; /* "2026-10" for a report, or "" */
	char note[FAULT_TEXT_MAX];
};

/* Appends one audit row. -EINVAL when action, who or via is empty. */
int journal_audit_record(struct journal *j, const struct journal_audit *a,
			 char *err, size_t errlen);

/* The audit rows of fault_id (0: every row), oldest first, as a malloc'd
 * array (NULL with *ret_n = 0 when none; also for a journal older than
 * schema 4 opened read-only). */
int journal_audit_list(struct journal *j, int64_t fault_id,
		       struct journal_audit **ret, size_t *ret_n, char *err,
		       size_t errlen);

/* ---- the operator's 本月运行概况 of a month (issue 14) ---------------- */

#define JOURNAL_SUMMARY_MAX 8192

/* Stores text as the summary of month ("YYYY-MM") at t, replacing an
 * earlier one; an empty text removes it (the report then generates its
 * summary again). -EINVAL (month not YYYY-MM, a text past
 * JOURNAL_SUMMARY_MAX - 1 bytes) with err. */
int journal_summary_set(struct journal *j, const char *month,
			const char *text, double t, char *err, size_t errlen);

/* The operator's summary of month into buf (len bytes, truncated);
 * *ret_found 0 (buf "") when none, also for a journal older than schema 4
 * opened read-only. */
int journal_summary_get(struct journal *j, const char *month, char *buf,
			size_t len, int *ret_found, char *err, size_t errlen);

/* Integrity check: PRAGMA integrity_check, and the invariants (at most one
 * active fault per object and kind; first_fail <= detect <= deadline;
 * ack/resolve/close not before first_fail; ack_by iff ack_t; satisfaction
 * iff closed; nchildren equals the listed children; notifications point at
 * faults). 0 when all hold, else -EBADMSG naming the first violation. */
int journal_check(struct journal *j, char *err, size_t errlen);

/* "满意", "satisfied" -> "满意"; "基本满意", "basic" (also "basically
 * satisfied") -> "基本满意"; "不满意", "unsatisfied"/"dissatisfied" ->
 * "不满意". NULL when unknown. */
const char *satisfaction_parse(const char *s);

/* ---- SNMP traps (issue 13) ----------------------------------------- */

#define JOURNAL_TRAP_TEXT_MAX 600

/* One received trap or inform (journal_trap.c). Fixed size. */
struct journal_trap {
	int64_t id;
	double t;           /* arrival */
	char source[64];    /* sender's address */
	char device[64];    /* inventory device it maps to, "" unknown */
	char trap_oid[160]; /* snmpTrapOID.0, dotted */
	char version[8];    /* v1 | v2c | v3 */
	int inform;         /* an InformRequest (answered) */
	char agent[64];     /* snmpTrapAddress.0 / v1 agent-addr, "" none */
	char varbinds[JOURNAL_TRAP_TEXT_MAX]; /* "OID=value; ..." */
};

/* Adds n trap rows in one transaction. */
int journal_trap_add(struct journal *j, const struct journal_trap *rows,
		     size_t n, char *err, size_t errlen);

/* Deletes the trap rows older than before (epoch s); *ret_n (may be
 * NULL) gets how many. */
int journal_trap_prune(struct journal *j, double before, size_t *ret_n,
		       char *err, size_t errlen);

/* The traps since since (epoch s, 0 = all), of device when not NULL or
 * "" ("-" = those of unknown sources), newest first, at most limit
 * (0 = no limit): a malloc'd array the caller frees. */
int journal_trap_list(struct journal *j, double since, const char *device,
		      size_t limit, struct journal_trap **ret, size_t *ret_n,
		      char *err, size_t errlen);

#endif
