/*
 * diag.c - collected diagnostics.
 * SPDX-License-Identifier: MIT
 */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_add(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	char buf[DIAG_MSG_MAX];
	int off;
	va_list ap;

	if (line > 0)
		off = snprintf(buf, sizeof(buf), "%s:%d: ", file, line);
	else
		off = snprintf(buf, sizeof(buf), "%s: ", file);
	if (off < 0 || (size_t)off >= sizeof(buf))
		off = 0;
	va_start(ap, fmt);
	vsnprintf(buf + off, sizeof(buf) - (size_t)off, fmt, ap);
	va_end(ap);

	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		char **nm = realloc(d->msgs, ncap * sizeof(*nm));
		if (nm == NULL) {
			d->oom = 1;
			return;
		}
		d->msgs = nm;
		d->cap = ncap;
	}
	d->msgs[d->n] = strdup(buf);
	if (d->msgs[d->n] == NULL) {
		d->oom = 1;
		return;
	}
	d->n++;
}

void diag_destroy(struct diag *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = d->cap = 0;
}
