/*
 * report_docx.c - the monthly report as an editable DOCX: the document
 * written as plain HTML (real <table>s, the charts as PNG files beside
 * it) and converted by pandoc (Debian's), so the indicator table is a
 * Word table an operator can edit. The scratch files live in a folder of
 * the staging folder and are removed afterwards.
 * SPDX-License-Identifier: MIT
 */
#include "report_doc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PANDOC_TIMEOUT_S 120

/* The document as pandoc's input, images written next to it. */
static int write_input(const struct rdoc *d, const char *dir,
		       const char *html, char *err, size_t errlen)
{
	FILE *f = fopen(html, "w");
	int img = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", html, strerror(errno));
		return -errno;
	}
	/* no <title>: pandoc would make it a second title above the bureau */
	fputs("<html><head><meta charset=\"utf-8\"></head><body>\n", f);
	if (d->bureau[0] != '\0') {
		fputs("<p>", f);
		report__esc(f, d->bureau);
		fputs("</p>\n", f);
	}
	fputs("<h1>", f);
	report__esc(f, d->title);
	fputs("</h1>\n<p>", f);
	report__esc(f, d->period);
	fprintf(f, " · %s %s%s</p>\n", d->en ? "generated" : "生成时间",
		d->generated, d->draft ? (d->en ? " (draft: reasons to give)"
				  : "（草稿：尚有偏差原因未说明）")
			 : "");
	fputs("<table><tbody>", f);
	for (int i = 0; i < 3; i++) {
		const char *who = i == 0 ? d->prepared
				  : i == 1 ? d->reviewed : d->approved;

		fprintf(f, "<tr><td>%s</td><td>", d->role_words[i]);
		report__esc(f, who);
		fprintf(f, "</td><td>%s</td><td></td></tr>",
			d->en ? "Date" : "日期");
	}
	fputs("</tbody></table>\n", f);
	for (size_t i = 0; i < d->n; i++) {
		const struct rdoc_block *b = &d->b[i];

		switch (b->kind) {
		case RDOC_H1:
		case RDOC_H2:
			fprintf(f, "<h%d>", b->kind == RDOC_H1 ? 2 : 3);
			report__esc(f, b->text);
			fprintf(f, "</h%d>\n", b->kind == RDOC_H1 ? 2 : 3);
			break;
		case RDOC_P:
		case RDOC_NOTE:
		case RDOC_FLAG:
			fputs(b->kind == RDOC_P ? "<p>" : "<p><strong>", f);
			report__esc(f, b->text);
			fputs(b->kind == RDOC_P ? "</p>\n" : "</strong></p>\n",
			      f);
			break;
		case RDOC_TABLE:
			fputs("<table>", f);
			for (size_t r = 0; r < b->nrows; r++) {
				fputs(r == 0 ? "<thead><tr>" : "<tr>", f);
				for (size_t c = 0; c < b->ncols; c++) {
					fputs(r == 0 ? "<th>" : "<td>", f);
					report__esc(f, b->cells[r * b->ncols + c]);
					fputs(r == 0 ? "</th>" : "</td>", f);
				}
				fputs(r == 0 ? "</tr></thead><tbody>\n"
					     : "</tr>\n",
				      f);
			}
			fputs("</tbody></table>\n", f);
			break;
		case RDOC_IMAGE: {
			char png[4600];
			FILE *g;

			snprintf(png, sizeof(png), "%s/img-%d.png", dir, img);
			g = fopen(png, "wb");
			if (g == NULL ||
			    fwrite(b->png, 1, b->pnglen, g) != b->pnglen) {
				snprintf(err, errlen, "%s: %s", png,
					 strerror(errno));
				if (g != NULL)
					fclose(g);
				fclose(f);
				return -EIO;
			}
			if (fclose(g) != 0) {
				snprintf(err, errlen, "%s: write failed", png);
				fclose(f);
				return -EIO;
			}
			fprintf(f, "<p><img src=\"img-%d.png\" alt=\"", img++);
			report__esc(f, b->text);
			fputs("\" style=\"width:16cm\"></p>\n", f);
			break;
		}
		case RDOC_BREAK:
			break;
		}
	}
	fputs("</body></html>\n", f);
	if (ferror(f) | (fclose(f) != 0)) {
		snprintf(err, errlen, "%s: write failed", html);
		return -EIO;
	}
	return 0;
}

/* Runs pandoc in dir; its messages go to dir/pandoc.log. */
static int pandoc(const char *dir, const char *in, const char *out,
		  char *err, size_t errlen)
{
	char log[4600], rp[4700], o[4700], i[4700];
	char *argv[] = { "pandoc", "--from", "html", "--to", "docx",
			 "--resource-path", rp, "--output", o, i, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, st = 0;
	time_t end = time(NULL) + PANDOC_TIMEOUT_S;

	snprintf(log, sizeof(log), "%s/pandoc.log", dir);
	snprintf(rp, sizeof(rp), "%s", dir);
	snprintf(o, sizeof(o), "%s", out);
	snprintf(i, sizeof(i), "%s", in);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	rc = posix_spawnp(&pid, "pandoc", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, errlen,
			 "pandoc: %s (the DOCX needs Debian's pandoc: "
			 "apt-get install pandoc)", strerror(rc));
		return -rc;
	}
	while ((rc = (int)waitpid(pid, &st, WNOHANG)) == 0) {
		if (time(NULL) > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			snprintf(err, errlen, "pandoc: no answer in %d s "
					      "writing %s", PANDOC_TIMEOUT_S,
				 out);
			return -ETIMEDOUT;
		}
		usleep(20000);
	}
	if (rc < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char msg[300] = "";
		FILE *f = fopen(log, "r");

		if (f != NULL) {
			if (fgets(msg, sizeof(msg), f) == NULL)
				msg[0] = '\0';
			fclose(f);
		}
		msg[strcspn(msg, "\n")] = '\0';
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			snprintf(err, errlen, "pandoc: not found (the DOCX "
					      "needs Debian's pandoc: apt-get "
					      "install pandoc)");
		else
			snprintf(err, errlen, "pandoc writing %s failed: %s",
				 out, msg[0] ? msg : "no message");
		return -EIO;
	}
	return 0;
}

static void scratch_remove(const char *dir)
{
	char p[4700];
	int i;

	for (i = 0; i < 64; i++) {
		snprintf(p, sizeof(p), "%s/img-%d.png", dir, i);
		if (unlink(p) < 0 && errno == ENOENT && i > 8)
			break;
	}
	snprintf(p, sizeof(p), "%s/in.html", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/pandoc.log", dir);
	unlink(p);
	rmdir(dir);
}

int report__doc_docx(const struct rdoc *d, const struct report_opts *o,
		     char *err, size_t errlen)
{
	char dir[4500], in[4600], out[4600];
	int rc;

	if (d->oom) {
		snprintf(err, errlen, "report %s: out of memory", d->label);
		return -ENOMEM;
	}
	snprintf(dir, sizeof(dir), "%s/.docx-%s", o->out_dir, d->label);
	snprintf(in, sizeof(in), "%s/in.html", dir);
	snprintf(out, sizeof(out), "%s/slamon-%s.docx", o->out_dir, d->label);
	scratch_remove(dir);
	if (mkdir(dir, 0700) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	rc = write_input(d, dir, in, err, errlen);
	if (rc == 0)
		rc = pandoc(dir, in, out, err, errlen);
	scratch_remove(dir);
	if (rc == 0)
		report__test_kill(out);
	return rc;
}
