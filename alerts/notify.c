/*
 * notify.c - notifier worker thread, command/webhook/syslog deliveries
 * (see notify.h).
 *
 * Commands are started with fork + execvpe from a prebuilt environment
 * (nothing but async-signal-safe calls between fork and exec, as POSIX
 * requires in a threaded process), in their own process group so that a
 * timeout kills the whole group. WeCom and DingTalk robots answer HTTP 200
 * with {"errcode":N,...} when they refuse a message, so a non-zero errcode
 * counts as a failure too.
 * SPDX-License-Identifier: MIT
 */
#include "notify.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/words.h"
#include "storage/journal.h"

extern char **environ;

struct job {
	struct alert_event ev;
	size_t nidx;  /* notifier index */
	int attempt;  /* next attempt number, 1 = first */
	double due;   /* monotonic seconds */
};

struct notifier {
	struct notifier_cfg *ncfg;
	size_t nn;
	char journal_path[4096];
	struct journal *j; /* worker's connection */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* work arrived / stop */
	pthread_cond_t idle_cv; /* for notifier_drain */
	struct job *q;
	size_t nq, qmax;
	bool busy, stop, started;
	struct notifier_stats st;
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *event_name(enum alert_event_type t)
{
	switch (t) {
	case AEV_OPEN: return "open";
	case AEV_RESOLVE: return "resolve";
	case AEV_REMIND: return "remind";
	case AEV_REPORT: return "report";
	default: return "state";
	}
}

/* ---- message formats ----------------------------------------------- */

static const char *fmt_t(double t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0)
		return "-";
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

void notify_format_text(const struct alert_event *ev, char *out, size_t len)
{
	const struct fault *f = &ev->fault;
	static const char *const head[] = { "【slamon 故障】", "【slamon 恢复】",
					    "【slamon 提醒·超时未确认】" };
	/* one buffer per time: the arguments are all evaluated before
	 * snprintf reads any of them */
	char b1[32], b2[32], b3[32], b4[32], kids[64] = "";

	if (ev->type == AEV_REPORT) {
		snprintf(out, len, "【slamon 月报草稿】%s", f->detail);
		return;
	}
	if (f->nchildren > 0)
		snprintf(kids, sizeof(kids), "，下级不可达 %d 个",
			 f->nchildren);
	snprintf(out, len,
		 "%s#%lld %s %s（%s）%s\n首次失败 %s，检测 %s，响应期限 %s%s%s"
		 "\n%s",
		 ev->type <= AEV_REMIND ? head[ev->type] : "【slamon】",
		 (long long)f->id, f->object, word_fault_kind(f->kind, 0),
		 word_severity(f->severity, 0), kids,
		 fmt_t(f->first_fail_t, b1, sizeof(b1)),
		 fmt_t(f->detect_t, b2, sizeof(b2)),
		 fmt_t(f->deadline_t, b3, sizeof(b3)),
		 f->resolved_t ? "，恢复 " : "",
		 f->resolved_t ? fmt_t(f->resolved_t, b4, sizeof(b4)) : "",
		 f->detail);
}

char *notify_format_body(const struct alert_event *ev, int tmpl)
{
	const struct fault *f = &ev->fault;
	char text[2048];
	json_t *o, *fo;
	char *s;

	notify_format_text(ev, text, sizeof(text));
	if (tmpl == TPL_WECOM || tmpl == TPL_DINGTALK) {
		/* both robots take the same text message shape:
		 * https://developer.work.weixin.qq.com/document/path/91770
		 * https://open.dingtalk.com/document/robots/custom-robot-access */
		o = json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text",
			      "content", text);
	} else {
		fo = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:f,"
			       " s:f, s:i}",
			       "id", (json_int_t)f->id, "object", f->object,
			       "object_kind", f->object_kind, "kind", f->kind,
			       "severity", f->severity, "detail", f->detail,
			       "first_fail_t", f->first_fail_t, "detect_t",
			       f->detect_t, "deadline_t", f->deadline_t,
			       "resolved_t", f->resolved_t,
			       "unreachable_children", f->nchildren);
		o = json_pack("{s:s, s:o, s:s}", "event", event_name(ev->type),
			      "fault", fo, "text", text);
	}
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* ---- deliveries ---------------------------------------------------- */

/* Result of one attempt: 0 delivered, -ETIMEDOUT, or -EIO; detail says
 * what happened. */
static size_t sink_cb(char *p, size_t sz, size_t nm, void *arg)
{
	char *buf = arg;
	size_t have = strlen(buf), n = sz * nm;
	size_t room = 1023 - have;

	memcpy(buf + have, p, n < room ? n : room);
	buf[have + (n < room ? n : room)] = '\0';
	return n;
}

static int robot_errcode(const char *body, char *detail, size_t len)
{
	json_t *o = json_loads(body, 0, NULL);
	json_t *ec;
	int rc = 0;

	if (o == NULL)
		return 0;
	ec = json_object_get(o, "errcode");
	if (json_is_integer(ec) && json_integer_value(ec) != 0) {
		snprintf(detail, len, "HTTP 200, errcode %lld: %s",
			 (long long)json_integer_value(ec),
			 json_string_value(json_object_get(o, "errmsg"))
				 ? json_string_value(
					   json_object_get(o, "errmsg"))
				 : "");
		rc = -EIO;
	}
	json_decref(o);
	return rc;
}

static int deliver_webhook(const struct notifier_cfg *c,
			   const struct alert_event *ev, char *detail,
			   size_t len)
{
	char *body = notify_format_body(ev, c->tmpl);
	char resp[1024] = "";
	struct curl_slist *hdr = NULL;
	long code = 0;
	CURL *h;
	CURLcode cc;
	int rc;

	h = curl_easy_init();
	if (h == NULL || body == NULL) {
		snprintf(detail, len, "out of memory");
		curl_easy_cleanup(h);
		free(body);
		return -EIO;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_s * 1000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, (void *)resp);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "slamon");
	cc = curl_easy_perform(h);
	if (cc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(detail, len, "timeout after %d s", c->timeout_s);
		rc = -ETIMEDOUT;
	} else if (cc != CURLE_OK) {
		snprintf(detail, len, "%s", curl_easy_strerror(cc));
		rc = -EIO;
	} else if (code < 200 || code > 299) {
		snprintf(detail, len, "HTTP %ld", code);
		rc = -EIO;
	} else {
		snprintf(detail, len, "HTTP %ld", code);
		rc = robot_errcode(resp, detail, len);
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	free(body);
	return rc;
}

/* environ plus the fault's SLAMON_* variables, malloc'd (one block). */
static char **build_env(const struct alert_event *ev, char *buf, size_t len)
{
	const struct fault *f = &ev->fault;
	char text[1024];
	size_t ne = 0, off = 0, k = 0;
	char **envp;
	char *vars[16];
	int n;

	for (char **e = environ; e != NULL && *e != NULL; e++)
		ne++;
	notify_format_text(ev, text, sizeof(text));
#define VAR(...)                                                              \
	do {                                                                  \
		n = snprintf(buf + off, len - off, __VA_ARGS__);              \
		if (n >= 0 && (size_t)n < len - off) {                        \
			vars[k++] = buf + off;                                \
			off += (size_t)n + 1;                                 \
		}                                                             \
	} while (0)
	VAR("SLAMON_EVENT=%s", event_name(ev->type));
	VAR("SLAMON_FAULT_ID=%lld", (long long)f->id);
	VAR("SLAMON_OBJECT=%s", f->object);
	VAR("SLAMON_OBJECT_KIND=%s", f->object_kind);
	VAR("SLAMON_KIND=%s", f->kind);
	VAR("SLAMON_SEVERITY=%s", f->severity);
	VAR("SLAMON_DETAIL=%s", f->detail);
	VAR("SLAMON_FIRST_FAIL=%.0f", f->first_fail_t);
	VAR("SLAMON_DETECTED=%.0f", f->detect_t);
	VAR("SLAMON_DEADLINE=%.0f", f->deadline_t);
	VAR("SLAMON_RESOLVED=%.0f", f->resolved_t);
	VAR("SLAMON_CHILDREN=%d", f->nchildren);
	VAR("SLAMON_MESSAGE=%s", text);
#undef VAR
	envp = malloc((ne + k + 1) * sizeof(*envp));
	if (envp == NULL)
		return NULL;
	for (size_t i = 0; i < ne; i++)
		envp[i] = environ[i];
	for (size_t i = 0; i < k; i++)
		envp[ne + i] = vars[i];
	envp[ne + k] = NULL;
	return envp;
}

static int wait_child(pid_t pid, int timeout_s, int *ret_status)
{
	double end = mono_now() + timeout_s;
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (;;) {
		pid_t r = waitpid(pid, ret_status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (mono_now() >= end)
			break;
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, ret_status, 0) < 0 && errno == EINTR)
		;
	return -ETIMEDOUT;
}

static int deliver_command(const struct notifier_cfg *c,
			   const struct alert_event *ev, char *detail,
			   size_t len)
{
	char words[1024], envbuf[4096];
	char *argv[NOTIFIER_ARGV_MAX];
	char **envp;
	pid_t pid;
	int st = 0, rc, devnull;

	if (config_split_argv(c->command, words, sizeof(words), argv,
			      NOTIFIER_ARGV_MAX) <= 0) {
		snprintf(detail, len, "bad command line");
		return -EINVAL;
	}
	envp = build_env(ev, envbuf, sizeof(envbuf));
	if (envp == NULL) {
		snprintf(detail, len, "out of memory");
		return -EIO;
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execvpe(argv[0], argv, envp);
		_exit(127);
	}
	if (devnull >= 0)
		close(devnull);
	free(envp);
	if (pid < 0) {
		snprintf(detail, len, "fork: %s", strerror(errno));
		return -EIO;
	}
	setpgid(pid, pid); /* also from here: no race with the kill */
	rc = wait_child(pid, c->timeout_s, &st);
	if (rc == -ETIMEDOUT) {
		snprintf(detail, len, "killed after %d s", c->timeout_s);
		return rc;
	}
	if (rc < 0) {
		snprintf(detail, len, "waitpid: %s", strerror(-rc));
		return -EIO;
	}
	if (WIFEXITED(st)) {
		snprintf(detail, len, "exit %d", WEXITSTATUS(st));
		return WEXITSTATUS(st) == 0 ? 0 : -EIO;
	}
	snprintf(detail, len, "signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return -EIO;
}

static int deliver(const struct notifier_cfg *c, const struct alert_event *ev,
		   char *detail, size_t len)
{
	char text[2048];

	switch (c->type) {
	case NOTIFIER_WEBHOOK:
		return deliver_webhook(c, ev, detail, len);
	case NOTIFIER_COMMAND:
		return deliver_command(c, ev, detail, len);
	case NOTIFIER_SYSLOG:
		notify_format_text(ev, text, sizeof(text));
		for (char *p = text; *p != '\0'; p++)
			if (*p == '\n')
				*p = ' ';
		syslog(LOG_DAEMON |
			       (ev->type == AEV_RESOLVE ? LOG_NOTICE
							: LOG_WARNING),
		       "%s", text);
		snprintf(detail, len, "logged");
		return 0;
	}
	snprintf(detail, len, "unknown notifier type");
	return -EINVAL;
}

/* ---- the worker ---------------------------------------------------- */

static void record(struct notifier *n, const struct job *jb,
		   const char *result, const char *detail)
{
	struct notify_rec r;
	char err[256];

	if (n->j == NULL || jb->ev.fault.id == 0)
		return; /* a report's notice has no fault row to refer to */
	memset(&r, 0, sizeof(r));
	r.fault_id = jb->ev.fault.id;
	snprintf(r.event, sizeof(r.event), "%s", event_name(jb->ev.type));
	snprintf(r.notifier, sizeof(r.notifier), "%s", n->ncfg[jb->nidx].name);
	r.attempt = jb->attempt;
	r.t = wall_now();
	snprintf(r.result, sizeof(r.result), "%s", result);
	snprintf(r.detail, sizeof(r.detail), "%s", detail);
	if (journal_notify_record(n->j, &r, err, sizeof(err)) < 0)
		syslog(LOG_DAEMON | LOG_ERR, "slamon notifier: %s", err);
}

/* Index of the job due first, or -1. Called locked. */
static ssize_t next_job(const struct notifier *n)
{
	ssize_t best = -1;

	for (size_t i = 0; i < n->nq; i++)
		if (best < 0 || n->q[i].due < n->q[best].due)
			best = (ssize_t)i;
	return best;
}

static void timed_wait(struct notifier *n, double until)
{
	struct timespec ts;
	double s = until;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&n->cv, &n->mu, &ts);
}

/* Runs one attempt of jb (unlocked); returns true when it must be
 * retried. */
static bool attempt(struct notifier *n, struct job *jb)
{
	const struct notifier_cfg *c = &n->ncfg[jb->nidx];
	char detail[FAULT_TEXT_MAX];
	int rc;

	detail[0] = '\0';
	rc = deliver(c, &jb->ev, detail, sizeof(detail));
	pthread_mutex_lock(&n->mu);
	n->st.attempts++;
	if (rc == 0)
		n->st.delivered++;
	else
		n->st.failed++;
	pthread_mutex_unlock(&n->mu);
	if (rc == 0) {
		record(n, jb, "ok", detail);
		return false;
	}
	record(n, jb, rc == -ETIMEDOUT ? "timeout" : "fail", detail);
	if (jb->attempt > c->retries) {
		record(n, jb, "gave-up", "no retries left");
		pthread_mutex_lock(&n->mu);
		n->st.gave_up++;
		pthread_mutex_unlock(&n->mu);
		return false;
	}
	jb->due = mono_now() +
		  (double)c->backoff_s * (double)(1u << (jb->attempt - 1 < 16
							   ? jb->attempt - 1
							   : 16));
	jb->attempt++;
	return true;
}

static void *worker(void *arg)
{
	struct notifier *n = arg;
	char err[256];

	if (journal_open(n->journal_path, &n->j, err, sizeof(err)) < 0)
		syslog(LOG_DAEMON | LOG_ERR, "slamon notifier: %s", err);
	pthread_mutex_lock(&n->mu);
	while (!n->stop) {
		ssize_t i = next_job(n);
		struct job jb;

		if (i < 0) {
			pthread_cond_broadcast(&n->idle_cv);
			pthread_cond_wait(&n->cv, &n->mu);
			continue;
		}
		if (n->q[i].due > mono_now()) {
			timed_wait(n, n->q[i].due);
			continue;
		}
		jb = n->q[i];
		n->q[i] = n->q[--n->nq];
		n->busy = true;
		pthread_mutex_unlock(&n->mu);
		bool again = attempt(n, &jb);
		pthread_mutex_lock(&n->mu);
		if (again && n->nq < n->qmax)
			n->q[n->nq++] = jb;
		n->busy = false;
	}
	for (size_t i = 0; i < n->nq; i++)
		record(n, &n->q[i], "abandoned", "slamond stopped");
	n->nq = 0;
	pthread_cond_broadcast(&n->idle_cv);
	pthread_mutex_unlock(&n->mu);
	journal_close(n->j);
	n->j = NULL;
	return NULL;
}

int notifier_create(const struct config *cfg, const char *journal_path,
		    size_t queue_max, struct notifier **ret_n, char *err,
		    size_t errlen)
{
	struct notifier *n;
	pthread_condattr_t ca;
	int rc;

	*ret_n = NULL;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		goto nomem;
	n->qmax = queue_max ? queue_max : 4096;
	n->q = calloc(n->qmax, sizeof(*n->q));
	n->nn = config_count(cfg, &notifier_section);
	n->ncfg = calloc(n->nn ? n->nn : 1, sizeof(*n->ncfg));
	if (n->q == NULL || n->ncfg == NULL)
		goto nomem;
	if (n->nn)
		memcpy(n->ncfg, alerts_notifiers(cfg, NULL), n->nn * sizeof(*n->ncfg));
	snprintf(n->journal_path, sizeof(n->journal_path), "%s", journal_path);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_mutex_init(&n->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&n->cv, &ca);
	pthread_cond_init(&n->idle_cv, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&n->thread, NULL, worker, n);
	if (rc != 0) {
		snprintf(err, errlen, "notifier: pthread_create: %s",
			 strerror(rc));
		notifier_destroy(n);
		return -rc;
	}
	n->started = true;
	*ret_n = n;
	return 0;
nomem:
	snprintf(err, errlen, "notifier: out of memory");
	if (n != NULL) {
		free(n->q);
		free(n->ncfg);
		free(n);
	}
	return -ENOMEM;
}

static bool wants(const struct notifier_cfg *c, const struct alert_event *ev)
{
	const char *name = event_name(ev->type);
	int sev = severity_parse(ev->fault.severity);
	const char *p = strstr(c->events, name);

	if (p == NULL)
		return false;
	if (ev->type == AEV_REPORT)
		return true; /* the report's readers: no severity */
	return sev < 0 || sev <= c->min_severity;
}

int notifier_submit(struct notifier *n, const struct alert_event *ev)
{
	int rc = 0;

	if (ev->type == AEV_STATE)
		return 0;
	pthread_mutex_lock(&n->mu);
	for (size_t i = 0; i < n->nn; i++) {
		struct job *jb;

		if (!wants(&n->ncfg[i], ev))
			continue;
		if (n->nq >= n->qmax) {
			n->st.dropped++;
			rc = -EAGAIN;
			continue;
		}
		jb = &n->q[n->nq++];
		jb->ev = *ev;
		jb->nidx = i;
		jb->attempt = 1;
		jb->due = 0;
	}
	pthread_cond_signal(&n->cv);
	pthread_mutex_unlock(&n->mu);
	return rc;
}

int notifier_drain(struct notifier *n, int timeout_ms)
{
	double until = mono_now() + timeout_ms / 1000.0;
	int rc = 0;

	pthread_mutex_lock(&n->mu);
	while (n->nq > 0 || n->busy) {
		if (mono_now() >= until) {
			rc = -ETIMEDOUT;
			break;
		}
		struct timespec ts;
		double s = mono_now() + 0.05;

		ts.tv_sec = (time_t)s;
		ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&n->idle_cv, &n->mu, &ts);
	}
	pthread_mutex_unlock(&n->mu);
	return rc;
}

void notifier_stats_get(struct notifier *n, struct notifier_stats *ret)
{
	pthread_mutex_lock(&n->mu);
	*ret = n->st;
	ret->queued = n->nq;
	pthread_mutex_unlock(&n->mu);
}

void notifier_destroy(struct notifier *n)
{
	if (n == NULL)
		return;
	if (n->started) {
		pthread_mutex_lock(&n->mu);
		n->stop = true;
		pthread_cond_broadcast(&n->cv);
		pthread_mutex_unlock(&n->mu);
		pthread_join(n->thread, NULL);
	}
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->cv);
	pthread_cond_destroy(&n->idle_cv);
	free(n->q);
	free(n->ncfg);
	free(n);
}
