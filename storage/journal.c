/*
 * journal.c - the fault journal in SQLite (see journal.h).
 *
 * Durability: WAL with synchronous=FULL syncs the WAL on every commit
 * (https://www.sqlite.org/pragma.html#pragma_synchronous), so a returned 0
 * survives kill -9 and power loss. Read-check-write sequences (ack, close,
 * idempotent open) run in BEGIN IMMEDIATE transactions so that the daemon
 * and the CLI never interleave. A partial unique index enforces "one
 * active fault per object and kind" in the database itself.
 * SPDX-License-Identifier: MIT
 */
#include "journal.h"
#include "journal_int.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct journal {
	sqlite3 *db;
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta("
	" key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS faults("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" object TEXT NOT NULL,"
	" object_kind TEXT NOT NULL"
	"  CHECK (object_kind IN ('device','interface','service')),"
	" kind TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" detail TEXT NOT NULL DEFAULT '',"
	" first_fail_t REAL NOT NULL,"
	" detect_t REAL NOT NULL,"
	" deadline_t REAL NOT NULL,"
	" ack_t REAL, ack_by TEXT, ack_note TEXT,"
	" resolved_t REAL,"
	" closed_t REAL, close_note TEXT,"
	" satisfaction TEXT CHECK (satisfaction IS NULL OR satisfaction IN"
	"  ('满意','基本满意','不满意')),"
	" parent_id INTEGER REFERENCES faults(id),"
	" nchildren INTEGER NOT NULL DEFAULT 0,"
	" reminders INTEGER NOT NULL DEFAULT 0,"
	" last_notify_t REAL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS faults_active ON faults(object, kind)"
	" WHERE resolved_t IS NULL AND closed_t IS NULL;"
	"CREATE INDEX IF NOT EXISTS faults_detect ON faults(detect_t);"
	"CREATE TABLE IF NOT EXISTS fault_children("
	" fault_id INTEGER NOT NULL REFERENCES faults(id),"
	" object TEXT NOT NULL, t REAL NOT NULL,"
	" PRIMARY KEY (fault_id, object));"
	"CREATE TABLE IF NOT EXISTS notifications("
	" id INTEGER PRIMARY KEY,"
	" fault_id INTEGER NOT NULL REFERENCES faults(id),"
	" event TEXT NOT NULL, notifier TEXT NOT NULL,"
	" attempt INTEGER NOT NULL, t REAL NOT NULL,"
	" result TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS notifications_fault"
	" ON notifications(fault_id);"
	"CREATE TABLE IF NOT EXISTS maintenance("
	" name TEXT NOT NULL, scope TEXT NOT NULL,"
	" start_t REAL NOT NULL, end_t REAL NOT NULL,"
	" PRIMARY KEY (name, start_t));"
	"CREATE TABLE IF NOT EXISTS state_log("
	" object TEXT NOT NULL, state TEXT NOT NULL,"
	" reason TEXT NOT NULL DEFAULT '', t REAL NOT NULL);"
	"CREATE INDEX IF NOT EXISTS state_log_t ON state_log(object, t);"
	/* schema 2: the per-interval records of [capture] links
	 * (journal_capture.c) */
	"CREATE TABLE IF NOT EXISTS capture_links("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" device TEXT NOT NULL);"
	/* a rowid table: a row up to ~4 KB stays on its leaf page (top 32
	 * IPv6 lists), where a WITHOUT ROWID row spills past ~1 KB into an
	 * overflow page of its own */
	"CREATE TABLE IF NOT EXISTS capture_intervals("
	" id INTEGER PRIMARY KEY,"
	" link INTEGER NOT NULL REFERENCES capture_links(id),"
	" start INTEGER NOT NULL,"
	" length REAL NOT NULL,"
	" records INTEGER NOT NULL, packets INTEGER NOT NULL,"
	" bytes INTEGER NOT NULL, in_bytes INTEGER NOT NULL,"
	" out_bytes INTEGER NOT NULL,"
	" drops INTEGER, ifdrops INTEGER,"
	" top BLOB NOT NULL,"
	" UNIQUE (link, start));"
	/* schema 3: the reasons for a missed indicator that the monthly
	 * report prints as 偏差原因 (journal_report.c) */
	"CREATE TABLE IF NOT EXISTS report_reasons("
	" month TEXT NOT NULL,"
	" indicator TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" t REAL NOT NULL,"
	" PRIMARY KEY (month, indicator));";

#define FAULT_COLS                                                            \
	"id, object, object_kind, kind, severity, detail, first_fail_t,"      \
	" detect_t, deadline_t, ack_t, ack_by, ack_note, resolved_t,"         \
	" closed_t, close_note, satisfaction, parent_id, nchildren,"          \
	" reminders, last_notify_t"

void journal__seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* SQLite result code -> negative errno, with the message. */
static int dberr(struct journal *j, int rc, const char *what, char *err,
		 size_t errlen)
{
	journal__seterr(err, errlen, "journal: %s: %s", what, sqlite3_errmsg(j->db));
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return -EACCES;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

static int exec(struct journal *j, const char *sql, char *err, size_t errlen)
{
	int rc = sqlite3_exec(j->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : dberr(j, rc, sql, err, errlen);
}

static int bind_all(sqlite3_stmt *st, const struct journal__param *params)
{
	int rc = SQLITE_OK;

	for (int i = 0; params != NULL && params[i].type != 0; i++) {
		const struct journal__param *p = &params[i];

		switch (p->type) {
		case 't':
			rc = sqlite3_bind_text(st, i + 1,
					       p->s != NULL ? p->s : "", -1,
					       SQLITE_TRANSIENT);
			break;
		case 'd':
			rc = sqlite3_bind_double(st, i + 1, p->d);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1, p->i);
			break;
		default:
			rc = sqlite3_bind_null(st, i + 1);
			break;
		}
		if (rc != SQLITE_OK)
			break;
	}
	return rc;
}

int journal__query(struct journal *j, const char *what, const char *sql,
		   const struct journal__param *params, journal__row_fn row,
		   void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(j->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return dberr(j, rc, what, err, errlen);
	rc = bind_all(st, params);
	if (rc != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row == NULL)
			continue;
		ret = row(arg, st, err, errlen);
		if (ret != 0)
			break;
	}
out:
	if (ret == 0 && rc != SQLITE_DONE)
		ret = dberr(j, rc, what, err, errlen);
	sqlite3_finalize(st);
	return ret;
}

/* Row callback: the first column of the last row as an integer. */
struct one_int {
	int found;
	int64_t v;
};

static int row_int(void *arg, sqlite3_stmt *st, char *err, size_t errlen)
{
	struct one_int *o = arg;

	(void)err;
	(void)errlen;
	o->found = 1;
	o->v = sqlite3_column_int64(st, 0);
	return 0;
}

static int begin(struct journal *j, char *err, size_t errlen)
{
	return exec(j, "BEGIN IMMEDIATE", err, errlen);
}

static int commit(struct journal *j, char *err, size_t errlen)
{
	return exec(j, "COMMIT", err, errlen);
}

static void rollback(struct journal *j)
{
	sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
}

static int schema_init(struct journal *j, char *err, size_t errlen)
{
	struct one_int o = { 0, 0 };
	int ver, rc;

	rc = journal__query(j, "PRAGMA user_version", "PRAGMA user_version",
			    NULL, row_int, &o, err, errlen);
	if (rc < 0)
		return rc;
	ver = (int)o.v;
	if (ver > JOURNAL_SCHEMA_VERSION) {
		journal__seterr(err, errlen,
		       "journal: schema version %d is newer than this slamon "
		       "(%d)",
		       ver, JOURNAL_SCHEMA_VERSION);
		return -EPROTO;
	}
	if (ver == JOURNAL_SCHEMA_VERSION)
		return 0;
	/* a new file, or an older schema: every statement of schema_sql is
	 * CREATE ... IF NOT EXISTS, so running it adds what an older
	 * journal lacks (version 1: the capture tables; 2: report_reasons;
	 * 3: the state_log(t) index)
	 * and touches no row */
	rc = begin(j, err, errlen);
	if (rc < 0)
		return rc;
	rc = exec(j, schema_sql, err, errlen);
	if (rc == 0) /* schema 6: the audit trail (journal_audit.c) */
		rc = exec(j, journal__audit_sql, err, errlen);
	if (rc == 0)
		rc = journal__states_migrate(j, err, errlen);
	if (rc == 0)
		rc = journal__trap_schema(j, err, errlen);
	if (rc == 0) /* schema 7: report_summaries */
		rc = journal__summary_schema(j, err, errlen);
	if (rc == 0)
		rc = exec(j,
			  "INSERT OR REPLACE INTO meta VALUES"
			  " ('schema_version', '" JOURNAL_STR(
				  JOURNAL_SCHEMA_VERSION) "');"
			  "PRAGMA user_version = " JOURNAL_STR(
				  JOURNAL_SCHEMA_VERSION),
			  err, errlen);
	if (rc < 0) {
		rollback(j);
		return rc;
	}
	return commit(j, err, errlen);
}

/* Opens the connection with flags (busy timeout 5 s); a file that cannot
 * be opened is -ENOENT (it is missing) or -EIO, naming path. */
static int conn_open(const char *path, int flags, struct journal **ret_j,
		     char *err, size_t errlen)
{
	struct journal *j;
	int rc;

	*ret_j = NULL;
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		journal__seterr(err, errlen, "journal: out of memory");
		return -ENOMEM;
	}
	rc = sqlite3_open_v2(path, &j->db, flags | SQLITE_OPEN_FULLMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		journal__seterr(err, errlen, "journal %s: %s", path,
				j->db ? sqlite3_errmsg(j->db) : "cannot open");
		journal_close(j);
		return rc == SQLITE_CANTOPEN ? -ENOENT : -EIO;
	}
	sqlite3_busy_timeout(j->db, 5000);
	*ret_j = j;
	return 0;
}

/* The journal holds operators' notes and who acknowledged what: 0640,
 * never world-readable. SQLite gives the -wal and -shm files the mode of
 * the database, so the database is created 0640 before SQLite opens it,
 * and files an older version left readable by all lose those bits. */
static void private_mode(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm"};
	char p[4200];
	struct stat st;
	int fd;

	if (path[0] == '\0' || strcmp(path, ":memory:") == 0 ||
	    strncmp(path, "file:", 5) == 0)
		return;
	/* Only a file that does not exist yet is opened here: closing a
	 * descriptor of a database file drops every POSIX lock this process
	 * holds on it, those of the other connections included (the
	 * notifier's, the capture store's), and SQLite would then take the
	 * WAL for unused and delete it under them. */
	if (stat(path, &st) < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		if (stat(p, &st) == 0 && (st.st_mode & 0027) != 0)
			(void)chmod(p, st.st_mode & 0750);
	}
}

int journal_open(const char *path, struct journal **ret_j, char *err,
		 size_t errlen)
{
	struct journal *j;
	int rc;

	private_mode(path);
	rc = conn_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &j,
		       err, errlen);
	if (rc < 0)
		return rc;
	rc = exec(j,
		  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		  " PRAGMA foreign_keys=ON",
		  err, errlen);
	if (rc < 0)
		goto err;
	rc = schema_init(j, err, errlen);
	if (rc < 0)
		goto err;
	*ret_j = j;
	return 0;
err:
	journal_close(j);
	return rc;
}

int journal_open_ro(const char *path, struct journal **ret_j, char *err,
		    size_t errlen)
{
	struct one_int o = { 0, 0 };
	struct journal *j;
	int rc;

	*ret_j = NULL;
	/* SQLite would say "unable to open database file"; say which */
	if (access(path, R_OK) != 0) {
		rc = -errno;
		journal__seterr(err, errlen, "journal %s: %s", path,
				strerror(-rc));
		return rc;
	}
	rc = conn_open(path, SQLITE_OPEN_READONLY, &j, err, errlen);
	if (rc < 0)
		return rc;
	rc = journal__query(j, "PRAGMA user_version", "PRAGMA user_version",
			    NULL, row_int, &o, err, errlen);
	if (rc == 0 && o.v > JOURNAL_SCHEMA_VERSION) {
		journal__seterr(err, errlen,
				"journal %s: schema version %lld is newer than "
				"this slamon (%d)",
				path, (long long)o.v, JOURNAL_SCHEMA_VERSION);
		rc = -EPROTO;
	}
	if (rc < 0) {
		journal_close(j);
		return rc;
	}
	*ret_j = j;
	return 0;
}

void journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	sqlite3_close(j->db);
	free(j);
}

sqlite3 *journal__db(struct journal *j)
{
	return j->db;
}

int journal__dberr(struct journal *j, int rc, const char *what, char *err,
		   size_t errlen)
{
	return dberr(j, rc, what, err, errlen);
}

/* ---- faults --------------------------------------------------------- */

void journal__col_text(sqlite3_stmt *st, int i, char *out, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(out, len, "%s", s != NULL ? (const char *)s : "");
}

static double col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL
		       ? 0
		       : sqlite3_column_double(st, i);
}

static void row_fault(sqlite3_stmt *st, struct fault *f)
{
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, 0);
	journal__col_text(st, 1, f->object, sizeof(f->object));
	journal__col_text(st, 2, f->object_kind, sizeof(f->object_kind));
	journal__col_text(st, 3, f->kind, sizeof(f->kind));
	journal__col_text(st, 4, f->severity, sizeof(f->severity));
	journal__col_text(st, 5, f->detail, sizeof(f->detail));
	f->first_fail_t = col_time(st, 6);
	f->detect_t = col_time(st, 7);
	f->deadline_t = col_time(st, 8);
	f->ack_t = col_time(st, 9);
	journal__col_text(st, 10, f->ack_by, sizeof(f->ack_by));
	journal__col_text(st, 11, f->ack_note, sizeof(f->ack_note));
	f->resolved_t = col_time(st, 12);
	f->closed_t = col_time(st, 13);
	journal__col_text(st, 14, f->close_note, sizeof(f->close_note));
	journal__col_text(st, 15, f->satisfaction, sizeof(f->satisfaction));
	f->parent_id = sqlite3_column_int64(st, 16);
	f->nchildren = sqlite3_column_int(st, 17);
	f->reminders = sqlite3_column_int(st, 18);
	f->last_notify_t = col_time(st, 19);
}

/* Row callback: the row into the struct fault at arg, then stop (1). */
static int row_fault_one(void *arg, sqlite3_stmt *st, char *err,
			 size_t errlen)
{
	(void)err;
	(void)errlen;
	row_fault(st, arg);
	return 1;
}

/* Reads fault id inside the caller's transaction. */
static int fault_read(struct journal *j, int64_t id, struct fault *ret,
		      char *err, size_t errlen)
{
	int rc;

	rc = journal__query(j, "select fault",
			    "SELECT " FAULT_COLS " FROM faults WHERE id = ?",
			    JP_ARGS(JP_INT(id)), row_fault_one, ret, err,
			    errlen);
	if (rc == 1)
		return 0;
	if (rc == 0) {
		journal__seterr(err, errlen, "no fault with id %lld",
				(long long)id);
		return -ENOENT;
	}
	return rc;
}

int journal_fault_get(struct journal *j, int64_t id, struct fault *ret,
		      char *err, size_t errlen)
{
	return fault_read(j, id, ret, err, errlen);
}

static int active_id(struct journal *j, const char *object, const char *kind,
		     int64_t *ret_id, char *err, size_t errlen)
{
	struct one_int o = { 0, 0 };
	int rc;

	rc = journal__query(j, "select active",
			    "SELECT id FROM faults WHERE object = ? AND"
			    " kind = ? AND resolved_t IS NULL AND"
			    " closed_t IS NULL",
			    JP_ARGS(JP_TEXT(object), JP_TEXT(kind)), row_int,
			    &o, err, errlen);
	*ret_id = rc == 0 ? o.v : 0;
	return rc;
}

static int fault_insert(struct journal *j, const struct fault *f,
			int64_t *ret_id, char *err, size_t errlen)
{
	int rc;

	rc = journal__query(
		j, "insert fault",
		"INSERT INTO faults (object, object_kind, kind, severity,"
		" detail, first_fail_t, detect_t, deadline_t, parent_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		JP_ARGS(JP_TEXT(f->object), JP_TEXT(f->object_kind),
			JP_TEXT(f->kind), JP_TEXT(f->severity),
			JP_TEXT(f->detail), JP_REAL(f->first_fail_t),
			JP_REAL(f->detect_t), JP_REAL(f->deadline_t),
			f->parent_id > 0 ? JP_INT(f->parent_id) : JP_NULL),
		NULL, NULL, err, errlen);
	if (rc == 0)
		*ret_id = sqlite3_last_insert_rowid(j->db);
	return rc;
}

static int fault_validate(const struct fault *f, char *err, size_t errlen)
{
	static const char *const okinds[] = { "device", "interface",
					      "service" };
	int ok = 0;

	for (size_t i = 0; i < 3; i++)
		if (strcmp(f->object_kind, okinds[i]) == 0)
			ok = 1;
	if (f->object[0] == '\0' || f->kind[0] == '\0' || !ok) {
		journal__seterr(err, errlen,
		       "fault needs an object, a kind and an object kind "
		       "(device, interface or service)");
		return -EINVAL;
	}
	if (!(f->first_fail_t > 0) || f->detect_t < f->first_fail_t ||
	    f->deadline_t < f->detect_t) {
		journal__seterr(err, errlen,
		       "fault times out of order: first fail %.0f, detected "
		       "%.0f, deadline %.0f",
		       f->first_fail_t, f->detect_t, f->deadline_t);
		return -EINVAL;
	}
	return 0;
}

int journal_fault_open(struct journal *j, const struct fault *f,
		       int64_t *ret_id, int *ret_created, char *err,
		       size_t errlen)
{
	int64_t id = 0;
	int rc;

	if (ret_created != NULL)
		*ret_created = 0;
	*ret_id = 0;
	rc = fault_validate(f, err, errlen);
	if (rc < 0)
		return rc;
	rc = begin(j, err, errlen);
	if (rc < 0)
		return rc;
	rc = active_id(j, f->object, f->kind, &id, err, errlen);
	if (rc == 0 && id == 0) {
		rc = fault_insert(j, f, &id, err, errlen);
		if (rc == 0 && ret_created != NULL)
			*ret_created = 1;
	}
	if (rc == 0)
		rc = commit(j, err, errlen);
	if (rc < 0) {
		rollback(j);
		return rc;
	}
	*ret_id = id;
	return 0;
}

/* Runs an UPDATE of faults inside the caller's transaction. */
static int update_fault(struct journal *j, const char *sql,
			const struct journal__param *params, char *err,
			size_t errlen)
{
	return journal__query(j, "update fault", sql, params, NULL, NULL, err,
			      errlen);
}

int journal_fault_resolve(struct journal *j, int64_t id, double t, char *err,
			  size_t errlen)
{
	struct fault f;
	int rc;

	rc = begin(j, err, errlen);
	if (rc < 0)
		return rc;
	rc = fault_read(j, id, &f, err, errlen);
	if (rc == 0 && f.resolved_t != 0) {
		journal__seterr(err, errlen, "fault %lld already resolved",
		       (long long)id);
		rc = -EALREADY;
	}
	if (rc == 0 && t < f.first_fail_t)
		t = f.first_fail_t; /* clock went back: keep times ordered */
	if (rc == 0)
		rc = update_fault(j, "UPDATE faults SET resolved_t = ?"
				     " WHERE id = ?",
				  JP_ARGS(JP_REAL(t), JP_INT(id)), err, errlen);
	if (rc == 0)
		rc = commit(j, err, errlen);
	if (rc < 0)
		rollback(j);
	return rc;
}

int journal_fault_ack(struct journal *j, int64_t id, double t, const char *by,
		      const char *note, char *err, size_t errlen)
{
	struct fault f;
	int rc;

	if (by == NULL || by[0] == '\0') {
		journal__seterr(err, errlen, "acknowledging needs the operator's name");
		return -EINVAL;
	}
	rc = begin(j, err, errlen);
	if (rc < 0)
		return rc;
	rc = fault_read(j, id, &f, err, errlen);
	if (rc == 0 && f.closed_t != 0) {
		journal__seterr(err, errlen, "fault %lld is closed; nothing to acknowledge",
		       (long long)id);
		rc = -EINVAL;
	} else if (rc == 0 && f.ack_t != 0) {
		journal__seterr(err, errlen, "fault %lld already acknowledged by %s",
		       (long long)id, f.ack_by);
		rc = -EALREADY;
	}
	if (rc == 0 && t < f.first_fail_t)
		t = f.first_fail_t;
	if (rc == 0)
		rc = update_fault(j,
				  "UPDATE faults SET ack_t = ?, ack_by = ?,"
				  " ack_note = ? WHERE id = ?",
				  JP_ARGS(JP_REAL(t), JP_TEXT(by),
					  JP_TEXT(note), JP_INT(id)),
				  err, errlen);
	if (rc == 0)
		rc = commit(j, err, errlen);
	if (rc < 0)
		rollback(j);
	return rc;
}

const char *satisfaction_parse(const char *s)
{
	static const struct {
		const char *name, *canon;
	} tab[] = {
		{ "满意", "满意" },
		{ "satisfied", "满意" },
		{ "基本满意", "基本满意" },
		{ "basic", "基本满意" },
		{ "basically-satisfied", "基本满意" },
		{ "basically satisfied", "基本满意" },
		{ "不满意", "不满意" },
		{ "unsatisfied", "不满意" },
		{ "dissatisfied", "不满意" },
	};

	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(s, tab[i].name) == 0)
			return tab[i].canon;
	return NULL;
}

int journal_fault_close(struct journal *j, int64_t id, double t,
			const char *note, const char *satisfaction, char *err,
			size_t errlen)
{
	const char *sat = satisfaction_parse(satisfaction);
	struct fault f;
	int rc;

	if (note == NULL || note[0] == '\0') {
		journal__seterr(err, errlen, "closing needs a note");
		return -EINVAL;
	}
	if (sat == NULL) {
		journal__seterr(err, errlen,
		       "satisfaction '%s' is not one of 满意, 基本满意, 不满意 "
		       "(satisfied, basic, unsatisfied)",
		       satisfaction ? satisfaction : "");
		return -EINVAL;
	}
	rc = begin(j, err, errlen);
	if (rc < 0)
		return rc;
	rc = fault_read(j, id, &f, err, errlen);
	if (rc == 0 && f.closed_t != 0) {
		journal__seterr(err, errlen, "fault %lld already closed", (long long)id);
		rc = -EALREADY;
	}
	if (rc == 0 && t < f.detect_t)
		t = f.detect_t;
	if (rc == 0)
		rc = update_fault(j,
				  "UPDATE faults SET closed_t = ?,"
				  " close_note = ?, satisfaction = ?"
				  " WHERE id = ?",
				  JP_ARGS(JP_REAL(t), JP_TEXT(note),
					  JP_TEXT(sat), JP_INT(id)),
				  err, errlen);
	if (rc == 0)
		rc = commit(j, err, errlen);
	if (rc < 0)
		rollback(j);
	return rc;
}

int journal_fault_reminded(struct journal *j, int64_t id, double t, char *err,
			   size_t errlen)
{
	int rc;

	rc = journal__query(j, "remind",
			    "UPDATE faults SET reminders = reminders + 1,"
			    " last_notify_t = ? WHERE id = ?",
			    JP_ARGS(JP_REAL(t), JP_INT(id)), NULL, NULL, err,
			    errlen);
	if (rc == 0 && sqlite3_changes(j->db) == 0) {
		journal__seterr(err, errlen, "no fault with id %lld", (long long)id);
		rc = -ENOENT;
	}
	return rc;
}

int journal_fault_child_add(struct journal *j, int64_t id, const char *object,
			    double t, char *err, size_t errlen)
{
	struct fault f;
	int rc;

	rc = begin(j, err, errlen);
	if (rc < 0)
		return rc;
	rc = fault_read(j, id, &f, err, errlen);
	if (rc == 0)
		rc = journal__query(j, "insert child",
				    "INSERT OR IGNORE INTO fault_children"
				    " VALUES (?, ?, ?)",
				    JP_ARGS(JP_INT(id), JP_TEXT(object),
					    JP_REAL(t)),
				    NULL, NULL, err, errlen);
	if (rc == 0 && sqlite3_changes(j->db) > 0)
		rc = update_fault(j,
				  "UPDATE faults SET nchildren = nchildren + 1"
				  " WHERE id = ?",
				  JP_ARGS(JP_INT(id)), err, errlen);
	if (rc == 0)
		rc = commit(j, err, errlen);
	if (rc < 0)
		rollback(j);
	return rc;
}

/* Row callback state: a growing array of elem-sized rows, each filled
 * from the statement by fill. */
struct rows {
	void *v;
	size_t n, cap, elem;
	journal__fill_fn fill;
};

static int row_push(void *arg, sqlite3_stmt *st, char *err, size_t errlen)
{
	struct rows *r = arg;
	void *slot;

	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		void *nv = realloc(r->v, nc * r->elem);

		if (nv == NULL) {
			journal__seterr(err, errlen, "journal: out of memory");
			return -ENOMEM;
		}
		r->v = nv;
		r->cap = nc;
	}
	slot = (char *)r->v + r->n++ * r->elem;
	memset(slot, 0, r->elem);
	r->fill(st, slot);
	return 0;
}

int journal__list_query(struct journal *j, const char *what, const char *sql,
			const struct journal__param *params, size_t elem,
			journal__fill_fn fill, void **ret, size_t *ret_n,
			char *err, size_t errlen)
{
	struct rows r = { NULL, 0, 0, elem, fill };
	int rc;

	*ret = NULL;
	*ret_n = 0;
	rc = journal__query(j, what, sql, params, row_push, &r, err, errlen);
	if (rc < 0) {
		free(r.v);
		return rc;
	}
	*ret = r.v;
	*ret_n = r.n;
	return 0;
}

static void fill_child(sqlite3_stmt *st, void *slot)
{
	struct fault_child *c = slot;

	journal__col_text(st, 0, c->object, sizeof(c->object));
	c->t = sqlite3_column_double(st, 1);
}

int journal_fault_children(struct journal *j, int64_t id,
			   struct fault_child **ret, size_t *ret_n, char *err,
			   size_t errlen)
{
	return journal__list_query(
		j, "children",
		"SELECT object, t FROM fault_children"
		" WHERE fault_id = ? ORDER BY object",
		JP_ARGS(JP_INT(id)), sizeof(**ret), fill_child,
		(void **)ret, ret_n, err, errlen);
}

static const char *filter_sql(enum journal_filter f)
{
	switch (f) {
	case JQ_ACTIVE:
		return " AND resolved_t IS NULL AND closed_t IS NULL";
	case JQ_OPEN:
		return " AND closed_t IS NULL";
	case JQ_UNRESOLVED:
		return " AND resolved_t IS NULL";
	case JQ_REMIND:
		return " AND closed_t IS NULL AND ack_t IS NULL"
		       " AND deadline_t <= ?3 AND (last_notify_t IS NULL OR"
		       " last_notify_t + ?4 <= ?3)";
	case JQ_ALL:
		break;
	}
	return "";
}

static void fill_fault(sqlite3_stmt *st, void *slot)
{
	row_fault(st, slot);
}

int journal_fault_list(struct journal *j, const struct fault_query *q,
		       struct fault **ret, size_t *ret_n, char *err,
		       size_t errlen)
{
	struct journal__param params[] = {
		JP_REAL(q->from_t), JP_REAL(q->to_t), JP_REAL(q->now),
		JP_REAL(q->remind_s), JP_END,
	};
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "SELECT " FAULT_COLS " FROM faults WHERE"
		 " (?1 = 0 OR detect_t >= ?1) AND (?2 = 0 OR detect_t < ?2)%s"
		 " ORDER BY id",
		 filter_sql(q->filter));
	if (q->filter != JQ_REMIND)
		params[2] = JP_END; /* ?3 and ?4 only for reminders */
	return journal__list_query(
		j, "list", sql, params, sizeof(**ret), fill_fault,
		(void **)ret, ret_n, err, errlen);
}

/* ---- notifications, maintenance, states ---------------------------- */

int journal_notify_record(struct journal *j, const struct notify_rec *r,
			  char *err, size_t errlen)
{
	return journal__query(
		j, "insert notification",
		"INSERT INTO notifications (fault_id, event, notifier,"
		" attempt, t, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
		JP_ARGS(JP_INT(r->fault_id), JP_TEXT(r->event),
			JP_TEXT(r->notifier), JP_INT(r->attempt),
			JP_REAL(r->t), JP_TEXT(r->result),
			JP_TEXT(r->detail)),
		NULL, NULL, err, errlen);
}

static void fill_notify(sqlite3_stmt *st, void *slot)
{
	struct notify_rec *r = slot;

	r->fault_id = sqlite3_column_int64(st, 0);
	journal__col_text(st, 1, r->event, sizeof(r->event));
	journal__col_text(st, 2, r->notifier, sizeof(r->notifier));
	r->attempt = sqlite3_column_int(st, 3);
	r->t = sqlite3_column_double(st, 4);
	journal__col_text(st, 5, r->result, sizeof(r->result));
	journal__col_text(st, 6, r->detail, sizeof(r->detail));
}

int journal_notify_list(struct journal *j, int64_t fault_id,
			struct notify_rec **ret, size_t *ret_n, char *err,
			size_t errlen)
{
	return journal__list_query(
		j, "notifications",
		"SELECT fault_id, event, notifier, attempt, t,"
		" result, detail FROM notifications"
		" WHERE ?1 = 0 OR fault_id = ?1 ORDER BY id",
		JP_ARGS(JP_INT(fault_id)), sizeof(**ret),
		fill_notify, (void **)ret, ret_n, err, errlen);
}

int journal_maint_record(struct journal *j, const char *name,
			 const char *scope, double start_t, double end_t,
			 char *err, size_t errlen)
{
	if (end_t < start_t) {
		journal__seterr(err, errlen,
				"maintenance %s ends before it starts", name);
		return -EINVAL;
	}
	return journal__query(j, "insert maintenance",
			      "INSERT OR IGNORE INTO maintenance"
			      " VALUES (?, ?, ?, ?)",
			      JP_ARGS(JP_TEXT(name), JP_TEXT(scope),
				      JP_REAL(start_t), JP_REAL(end_t)),
			      NULL, NULL, err, errlen);
}

/* Runs a one-integer query (params may be NULL). */
static int query_count(struct journal *j, const char *sql,
		       const struct journal__param *params, int64_t *ret,
		       char *err, size_t errlen)
{
	struct one_int o = { 0, 0 };
	int rc;

	rc = journal__query(j, "count", sql, params, row_int, &o, err, errlen);
	*ret = rc == 0 ? o.v : 0;
	return rc;
}

int journal_maint_count(struct journal *j, double from_t, double to_t,
			size_t *ret_n, char *err, size_t errlen)
{
	int64_t n;
	int rc = query_count(j,
			     "SELECT count(*) FROM maintenance WHERE"
			     " end_t > ?1 AND start_t < ?2",
			     JP_ARGS(JP_REAL(from_t), JP_REAL(to_t)), &n, err,
			     errlen);

	*ret_n = rc == 0 ? (size_t)n : 0;
	return rc;
}

static void fill_maint(sqlite3_stmt *st, void *slot)
{
	struct journal_maint *m = slot;

	journal__col_text(st, 0, m->name, sizeof(m->name));
	journal__col_text(st, 1, m->scope, sizeof(m->scope));
	m->start_t = sqlite3_column_double(st, 2);
	m->end_t = sqlite3_column_double(st, 3);
}

int journal_maint_list(struct journal *j, double from_t, double to_t,
		       struct journal_maint **ret, size_t *ret_n, char *err,
		       size_t errlen)
{
	return journal__list_query(
		j, "maintenance",
		"SELECT name, scope, start_t, end_t FROM maintenance"
		" WHERE end_t > ?1 AND start_t < ?2"
		" ORDER BY start_t, name",
		JP_ARGS(JP_REAL(from_t), JP_REAL(to_t)),
		sizeof(**ret), fill_maint, (void **)ret, ret_n, err,
		errlen);
}

int journal_state_record(struct journal *j, const char *object,
			 const char *state, const char *reason, double t,
			 char *err, size_t errlen)
{
	return journal__query(j, "insert state",
			      "INSERT INTO state_log VALUES (?, ?, ?, ?)",
			      JP_ARGS(JP_TEXT(object), JP_TEXT(state),
				      JP_TEXT(reason), JP_REAL(t)),
			      NULL, NULL, err, errlen);
}

static void fill_state(sqlite3_stmt *st, void *slot)
{
	struct journal_state *s = slot;

	journal__col_text(st, 0, s->object, sizeof(s->object));
	journal__col_text(st, 1, s->state, sizeof(s->state));
	journal__col_text(st, 2, s->reason, sizeof(s->reason));
	s->t = sqlite3_column_double(st, 3);
}

int journal_state_list(struct journal *j, const char *object, double from_t,
		       double to_t, struct journal_state **ret, size_t *ret_n,
		       char *err, size_t errlen)
{
	/* the changes inside the range, and per object the last one
	 * before it: the state the object entered the range in */
	return journal__list_query(
		j, "states",
		"SELECT object, state, reason, t FROM state_log s"
		" WHERE (?1 = '' OR object = ?1) AND t < ?3 AND (t >= ?2 OR"
		"  t = (SELECT max(t) FROM state_log p"
		"   WHERE p.object = s.object AND p.t < ?2))"
		" ORDER BY object, t, rowid",
		JP_ARGS(JP_TEXT(object), JP_REAL(from_t), JP_REAL(to_t)),
		sizeof(**ret), fill_state, (void **)ret, ret_n, err, errlen);
}

/* ---- integrity ------------------------------------------------------ */

/* Row callback: the first row's text into the buffer at arg (128). */
static int row_first_text(void *arg, sqlite3_stmt *st, char *err,
			  size_t errlen)
{
	(void)err;
	(void)errlen;
	journal__col_text(st, 0, arg, 128);
	return 1;
}

int journal_check(struct journal *j, char *err, size_t errlen)
{
	static const struct {
		const char *what, *sql;
	} inv[] = {
		{ "two active faults for one object and kind",
		  "SELECT count(*) FROM (SELECT object, kind FROM faults"
		  " WHERE resolved_t IS NULL AND closed_t IS NULL"
		  " GROUP BY object, kind HAVING count(*) > 1)" },
		{ "fault times out of order",
		  "SELECT count(*) FROM faults WHERE first_fail_t > detect_t"
		  " OR detect_t > deadline_t"
		  " OR ack_t < first_fail_t OR resolved_t < first_fail_t"
		  " OR closed_t < first_fail_t" },
		{ "ack time and operator disagree",
		  "SELECT count(*) FROM faults WHERE"
		  " (ack_t IS NULL) <> (ack_by IS NULL)" },
		{ "satisfaction without closing, or closing without it",
		  "SELECT count(*) FROM faults WHERE"
		  " (closed_t IS NULL) <> (satisfaction IS NULL)" },
		{ "children count differs from the listed children",
		  "SELECT count(*) FROM faults f WHERE nchildren <>"
		  " (SELECT count(*) FROM fault_children c"
		  "  WHERE c.fault_id = f.id)" },
		{ "notification for an unknown fault",
		  "SELECT count(*) FROM notifications n WHERE NOT EXISTS"
		  " (SELECT 1 FROM faults f WHERE f.id = n.fault_id)" },
		{ "capture interval of an unknown capture link",
		  "SELECT count(*) FROM capture_intervals c WHERE NOT EXISTS"
		  " (SELECT 1 FROM capture_links l WHERE l.id = c.link)" },
	};
	char first[128] = "";
	int64_t n;
	int rc;

	rc = journal__query(j, "integrity_check", "PRAGMA integrity_check",
			    NULL, row_first_text, first, err, errlen);
	if (rc < 0)
		return rc == -EIO ? -EBADMSG : rc;
	if (strcmp(first, "ok") != 0) {
		journal__seterr(err, errlen, "journal: integrity_check: %s",
				first);
		return -EBADMSG;
	}
	for (size_t i = 0; i < sizeof(inv) / sizeof(inv[0]); i++) {
		rc = query_count(j, inv[i].sql, NULL, &n, err, errlen);
		if (rc < 0)
			return rc;
		if (n != 0) {
			journal__seterr(err, errlen, "journal: %s (%lld rows)",
					inv[i].what, (long long)n);
			return -EBADMSG;
		}
	}
	return 0;
}
