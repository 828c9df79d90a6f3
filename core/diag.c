/*
 * diag.c - collected diagnostics.
 * SPDX-License-Identifier: MIT
 */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the UTF-8 sequence at p if it is valid (RFC 3629: shortest
 * form, no surrogates, at most U+10FFFF) and not a control character,
 * else 0. */
static size_t printable_len(const unsigned char *p)
{
	unsigned int cp;
	size_t n;

	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] != 0x7f;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    cp < 0xa0) /* C1 controls: a terminal obeys them too */
		return 0;
	return n;
}

/* Copies in to out (len bytes) with every byte printable_len refuses as
 * \xNN; cuts with "..." when out is too small. */
static void escape(const char *in, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	while (*p != '\0') {
		size_t n = printable_len(p);
		size_t need = n ? n : 4;

		if (o + need + 4 > len) { /* room for "..." and the NUL */
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (n) {
			memcpy(out + o, p, n);
			p += n;
		} else {
			out[o] = '\\';
			out[o + 1] = 'x';
			out[o + 2] = hex[*p >> 4];
			out[o + 3] = hex[*p & 15];
			p++;
		}
		o += need;
	}
	out[o] = '\0';
}

const char *diag_value(const char *s, char *buf, size_t len)
{
	size_t max = len > 4 ? len - 4 : 0, n = strlen(s);

	if (max > DIAG_VALUE_MAX)
		max = DIAG_VALUE_MAX;
	if (n <= max) {
		memcpy(buf, s, n + 1);
		return buf;
	}
	n = max;
	/* back to the start of a character that fits whole */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}

void diag_add(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	char raw[2 * DIAG_MSG_MAX], buf[DIAG_MSG_MAX];
	int off;
	va_list ap;

	if (d->n >= DIAG_KEEP_MAX) {
		d->more++;
		return;
	}
	if (line > 0)
		off = snprintf(raw, sizeof(raw), "%s:%d: ", file, line);
	else
		off = snprintf(raw, sizeof(raw), "%s: ", file);
	if (off < 0 || (size_t)off >= sizeof(raw))
		off = 0;
	va_start(ap, fmt);
	vsnprintf(raw + off, sizeof(raw) - (size_t)off, fmt, ap);
	va_end(ap);
	escape(raw, buf, sizeof(buf));

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

size_t diag_count(const struct diag *d)
{
	return d->n + d->more;
}

void diag_destroy(struct diag *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = d->cap = d->more = 0;
}
