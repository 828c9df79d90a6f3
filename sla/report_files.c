/*
 * report_files.c - a report's files as one set. The writers write into a
 * staging folder, <out>/.slamon-<label>.partial; only when every file is
 * complete are they synced and renamed to their final names, and the
 * manifest slamon-<label>.sha256 (the `sha256sum` format, so
 * `sha256sum -c` checks it by hand) is written last, under a temporary
 * name and renamed too. A report killed while writing leaves nothing
 * under a final name (rename(2) is atomic within a file system), and a
 * set without a manifest, or whose files do not match it, cannot be made
 * final. SHA-256 is nettle's (Debian nettle-dev).
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_int.h"

#define FILES_MAX 64 /* files of one report set */

int report__sha256_file(const char *path, char hex[65], char *err,
			size_t errlen)
{
	unsigned char buf[65536], d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	sha256_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&c, (size_t)n, buf);
	if (n < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	}
	close(fd);
	sha256_digest(&c, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return rc;
}

/* Removes the files of a staging folder (flat) and the folder. */
static void stage_remove(const char *stage)
{
	char p[4600];
	struct dirent *e;
	DIR *d = opendir(stage);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", stage, e->d_name);
		if (unlink(p) < 0 && errno == EISDIR)
			stage_remove(p); /* the DOCX's scratch folder */
	}
	closedir(d);
	(void)rmdir(stage);
}

int report__stage_begin(const struct report_opts *o, const char *label,
			char *stage, size_t stagelen, char *err,
			size_t errlen)
{
	snprintf(stage, stagelen, "%s/.slamon-%s.partial", o->out_dir, label);
	/* what a killed run left */
	stage_remove(stage);
	if (mkdir(stage, 0755) < 0) {
		snprintf(err, errlen, "%s: %s", stage, strerror(errno));
		return -errno;
	}
	return 0;
}

void report__stage_abort(const char *stage)
{
	stage_remove(stage);
}

/* fsync(2) of path (a file or a folder); 0 or a negative errno. */
static int sync_path(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fsync(fd) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the files in stage, sorted, into names (malloc'd each). */
static int stage_list(const char *stage, char **names, size_t *ret_n,
		      char *err, size_t errlen)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir(stage);

	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", stage, strerror(errno));
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == FILES_MAX) {
			snprintf(err, errlen, "%s: more than %d files", stage,
				 FILES_MAX);
			break;
		}
		names[n] = strdup(e->d_name);
		if (names[n] == NULL)
			break;
		n++;
	}
	closedir(d);
	*ret_n = n;
	if (e != NULL) {
		if (err[0] == '\0')
			snprintf(err, errlen, "out of memory");
		return n == FILES_MAX ? -E2BIG : -ENOMEM;
	}
	qsort(names, n, sizeof(*names), cmp_name);
	return 0;
}

/* Syncs every file of the set, sums it into the manifest text m and
 * renames it to its final name. */
static int stage_move(const struct report_opts *o, const char *stage,
		      char **names, size_t n, FILE *m, char *err,
		      size_t errlen)
{
	char from[4600], to[4600], hex[65];
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		snprintf(from, sizeof(from), "%s/%s", stage, names[i]);
		rc = sync_path(from, err, errlen);
		if (rc == 0)
			rc = report__sha256_file(from, hex, err, errlen);
		if (rc == 0)
			fprintf(m, "%s  %s\n", hex, names[i]);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		snprintf(from, sizeof(from), "%s/%s", stage, names[i]);
		snprintf(to, sizeof(to), "%s/%s", o->out_dir, names[i]);
		if (rename(from, to) < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", to, strerror(errno));
		}
	}
	return rc;
}

int report__stage_commit(const struct report_opts *o, const char *label,
			 const char *stage, char *err, size_t errlen)
{
	char *names[FILES_MAX], man[4600], tmp[4600];
	size_t n = 0;
	FILE *m;
	int rc;

	snprintf(man, sizeof(man), "%s/slamon-%s.sha256", o->out_dir, label);
	snprintf(tmp, sizeof(tmp), "%s/.manifest", stage);
	rc = stage_list(stage, names, &n, err, errlen);
	if (rc < 0)
		goto out;
	m = fopen(tmp, "w");
	if (m == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	/* the old set's manifest goes first: from here on the folder holds
	 * no manifest until the new set is complete */
	if (unlink(man) < 0 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", man, strerror(errno));
	}
	if (rc == 0)
		rc = stage_move(o, stage, names, n, m, err, errlen);
	if (report__close(m, tmp, err, errlen) < 0 && rc == 0)
		rc = -EIO;
	if (rc == 0)
		rc = sync_path(tmp, err, errlen);
	if (rc == 0 && rename(tmp, man) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", man, strerror(errno));
	}
	if (rc == 0)
		rc = sync_path(o->out_dir, err, errlen);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	stage_remove(stage);
	return rc;
}

void report__test_kill(const char *path)
{
	const char *at = getenv("SLAMON_TEST_REPORT_KILL");
	size_t n = strlen(path), k;

	if (at == NULL || at[0] == '\0')
		return;
	k = strlen(at);
	if (n >= k && strcmp(path + n - k, at) == 0)
		raise(SIGKILL);
}

/* Checks one manifest line "<64 hex>  <name>" against the file in dir;
 * names the file in err when it does not match. */
static int verify_line(const char *dir, const char *man, int lineno,
		       char *line, char *err, size_t errlen)
{
	char path[4600], hex[65];
	const char *name = line + 66;
	int rc;

	line[strcspn(line, "\r\n")] = '\0';
	if (strlen(line) < 67 || strspn(line, "0123456789abcdef") != 64 ||
	    line[64] != ' ' || line[65] != ' ' || strchr(name, '/') != NULL ||
	    name[0] == '.') {
		snprintf(err, errlen, "%s:%d: not a line of sha256sum", man,
			 lineno);
		return -EBADMSG;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = report__sha256_file(path, hex, err, errlen);
	if (rc == -ENOENT) {
		snprintf(err, errlen, "%s: missing (listed in %s)", path, man);
		return -EBADMSG;
	}
	if (rc < 0)
		return rc;
	if (strncmp(hex, line, 64) != 0) {
		snprintf(err, errlen, "%s does not match the manifest %s",
			 path, man);
		return -EBADMSG;
	}
	return 0;
}

/* Every line of the manifest of label in o->out_dir matches its file, and
 * the set holds the JSON of label and a document (HTML, PDF or DOCX). */
static int manifest_verify(const struct report_opts *o, const char *label,
			   char *man, size_t manlen, char *err, size_t errlen)
{
	char line[4400], html[128], json[128], pdf[128], docx[128];
	int lineno = 0, has = 0, rc = 0;
	FILE *f;

	snprintf(man, manlen, "%s/slamon-%s.sha256", o->out_dir, label);
	snprintf(html, sizeof(html), "slamon-%s.html", label);
	snprintf(json, sizeof(json), "slamon-%s.json", label);
	snprintf(pdf, sizeof(pdf), "slamon-%s.pdf", label);
	snprintf(docx, sizeof(docx), "slamon-%s.docx", label);
	f = fopen(man, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen,
			 "%s: %s (no complete draft: write it with slamon "
			 "report --month %s)",
			 man, strerror(errno), label);
		return rc;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		rc = verify_line(o->out_dir, man, ++lineno, line, err, errlen);
		if (rc == 0 && (strcmp(line + 66, html) == 0 ||
				strcmp(line + 66, pdf) == 0 ||
				strcmp(line + 66, docx) == 0))
			has |= 1;
		if (rc == 0 && strcmp(line + 66, json) == 0)
			has |= 2;
	}
	fclose(f);
	if (rc == 0 && has != 3) {
		snprintf(err, errlen, "%s does not list %s and one of %s, %s, "
			 "%s", man, json, pdf, docx, html);
		rc = -EBADMSG;
	}
	return rc;
}

int report_final(const struct config *cfg, const struct sla_period *p,
		 const struct report_opts *o, char *err, size_t errlen)
{
	char man[4600];
	int rc;

	if (p->kind != SLA_MONTH) {
		snprintf(err, errlen, "only a month's report is made final "
				      "(--month YYYY-MM)");
		return -EINVAL;
	}
	rc = manifest_verify(o, p->label, man, sizeof(man), err, errlen);
	if (rc < 0)
		return rc;
	return sla_report_record(cfg, p->label, o->now, man, err, errlen);
}
