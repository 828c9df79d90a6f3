/*
 * inventory.c - the device inventory: a CSV file (RFC 4180, UTF-8, as
 * operators export it from a spreadsheet) read with libcsv.
 *
 * libcsv is fed one physical line at a time so that every record knows the
 * line it starts on, even after quoted fields with embedded newlines. With
 * CSV_REPALL_NL every unquoted line end closes a record, empty lines
 * included, which is what keeps that bookkeeping simple. Errors are
 * collected as "file:line: message" and the load fails at the end.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <arpa/inet.h>
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

enum col {
	COL_UNIT,
	COL_NAME,
	COL_ADDRESS,
	COL_ROLE,
	COL_PARENT,
	COL_PROFILE,
	COL_IFACES,
	COL_CAPACITY,
	COL_TAGS,
	COL_PROBE,
	COL_COUNT
};

/* English names are matched case-insensitively, the Chinese ones (as the
 * operators' spreadsheets title them) exactly. */
static const struct {
	const char *en;
	const char *zh;
	bool required;
} columns[COL_COUNT] = {
	[COL_UNIT] = { "unit", "单位", true },
	[COL_NAME] = { "name", "设备名称", true },
	[COL_ADDRESS] = { "address", "地址", true },
	[COL_ROLE] = { "role", "角色", true },
	[COL_PARENT] = { "parent", "上级设备", false },
	/* required for snmp rows only (row_values) */
	[COL_PROFILE] = { "profile", "凭据", false },
	[COL_IFACES] = { "interfaces", "接口", false },
	[COL_CAPACITY] = { "capacity_mbps", "签约带宽", false },
	[COL_TAGS] = { "tags", "标签", false },
	[COL_PROBE] = { "probe", "探测方式", false },
};

/* The probe column: "snmp" (also when empty) or "icmp" ("ping" is an
 * alias), case-insensitive. */
static int probe_parse(const char *v)
{
	if (v[0] == '\0' || strcasecmp(v, "snmp") == 0)
		return DEV_PROBE_SNMP;
	if (strcasecmp(v, "icmp") == 0 || strcasecmp(v, "ping") == 0 ||
	    strcmp(v, "åæ£æµ") == 0 /* ping in zh? */)
		return DEV_PROBE_ICMP;
	return -1;
}

/* Open-addressing set of device indices (stored +1, 0 = free), keyed by
 * name or by host+port. 28 000 camera feeds make a linear scan too slow. */
struct dev_set {
	size_t *slot;
	size_t cap; /* power of two */
	size_t n;
	bool by_addr;
};

/* A row that was not kept (bad or duplicate name) still has its parent
 * checked once every row is read. */
struct orphan {
	int line;
	char name[CFG_NAME_MAX];
	char parent[CFG_NAME_MAX];
};

struct inv {
	struct config *cfg;
	struct diag *d;
	const char *file;
	struct csv_parser csv;
	int line;     /* physical line being fed */
	int rec_line; /* line the current record started on */
	bool in_record;
	bool header_done;
	bool header_bad;
	bool oom;

	char **fields; /* the current record */
	size_t nfields;
	size_t capfields;

	int colmap[COL_COUNT]; /* enum col -> column index, -1 absent */
	size_t ncols;
	size_t devcap;
	struct dev_set names;
	struct dev_set addrs;

	struct orphan *orphans; /* rows not kept that name a parent */
	size_t norphans, caporphans;
};

/* ---- the device sets ------------------------------------------------ */

static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint64_t dev_hash(const struct dev_set *t, const struct device *dv)
{
	uint64_t h = fnv1a(t->by_addr ? dv->host : dv->name,
			   14695981039346656037ull);

	return t->by_addr ? (h ^ dv->port) * 1099511628211ull : h;
}

static bool dev_same(const struct dev_set *t, const struct device *a,
		     const struct device *b)
{
	if (t->by_addr)
		return a->port == b->port && strcmp(a->host, b->host) == 0;
	return strcmp(a->name, b->name) == 0;
}

/* Index of the device equal to dv in t, or -1. */
static long set_find(const struct dev_set *t, const struct device *devs,
		     const struct device *dv)
{
	if (t->cap == 0)
		return -1;
	for (size_t i = dev_hash(t, dv) & (t->cap - 1);; i = (i + 1) &
							   (t->cap - 1)) {
		if (t->slot[i] == 0)
			return -1;
		if (dev_same(t, &devs[t->slot[i] - 1], dv))
			return (long)(t->slot[i] - 1);
	}
}

static void set_put(struct dev_set *t, const struct device *devs, size_t idx)
{
	size_t i = dev_hash(t, &devs[idx]) & (t->cap - 1);

	while (t->slot[i] != 0)
		i = (i + 1) & (t->cap - 1);
	t->slot[i] = idx + 1;
	t->n++;
}

/* Adds devs[idx] (known to be absent), growing at half load. */
static int set_add(struct dev_set *t, const struct device *devs, size_t idx)
{
	if (2 * (t->n + 1) > t->cap) {
		size_t ncap = t->cap ? 2 * t->cap : 64;
		size_t *old = t->slot, ocap = t->cap;

		t->slot = calloc(ncap, sizeof(*t->slot));
		if (t->slot == NULL) {
			t->slot = old;
			return -ENOMEM;
		}
		t->cap = ncap;
		t->n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i] != 0)
				set_put(t, devs, old[i] - 1);
		free(old);
	}
	set_put(t, devs, idx);
	return 0;
}

/* ---- fields --------------------------------------------------------- */

/* Copies s for a message, cut to DIAG_VALUE_MAX bytes: control
 * characters (a quoted field may hold a newline) become '?' so every
 * diagnostic stays one line; diag_add shows what is not UTF-8 as \xNN. */
static const char *shown(const char *s, char *buf, size_t len)
{
	diag_value(s, buf, len);
	for (char *p = buf; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return buf;
}

/* Strips blanks, CR/LF and the ideographic space U+3000 that Chinese
 * spreadsheets leave around cells. */
static char *trim(char *s)
{
	size_t n;

	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if (strncmp(s, "\xE3\x80\x80", 3) == 0)
			s += 3;
		else
			break;
	}
	n = strlen(s);
	for (;;) {
		if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
			      s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	s[n] = '\0';
	return s;
}

static void fields_clear(struct inv *iv)
{
	for (size_t i = 0; i < iv->nfields; i++)
		free(iv->fields[i]);
	iv->nfields = 0;
}

static void csv_field_cb(void *s, size_t len, void *data)
{
	struct inv *iv = data;
	char *f;

	if (iv->nfields == iv->capfields) {
		size_t ncap = iv->capfields ? 2 * iv->capfields : 16;
		char **nf = realloc(iv->fields, ncap * sizeof(*nf));

		if (nf == NULL) {
			iv->oom = true;
			return;
		}
		iv->fields = nf;
		iv->capfields = ncap;
	}
	f = malloc(len + 1);
	if (f == NULL) {
		iv->oom = true;
		return;
	}
	if (len > 0)
		memcpy(f, s, len);
	f[len] = '\0';
	iv->fields[iv->nfields++] = f;
}

/* ---- header --------------------------------------------------------- */

static int column_lookup(const char *name)
{
	for (int c = 0; c < COL_COUNT; c++)
		if (strcasecmp(name, columns[c].en) == 0 ||
		    strcmp(name, columns[c].zh) == 0)
			return c;
	return -1;
}

static void header_row(struct inv *iv)
{
	char b[128];

	iv->header_done = true;
	iv->ncols = iv->nfields;
	for (int c = 0; c < COL_COUNT; c++)
		iv->colmap[c] = -1;
	for (size_t i = 0; i < iv->nfields; i++) {
		const char *h = trim(iv->fields[i]);
		int c = column_lookup(h);

		if (c < 0) {
			diag_add(iv->d, iv->file, iv->rec_line,
				 "unknown column '%s'", shown(h, b, sizeof(b)));
			iv->header_bad = true;
		} else if (iv->colmap[c] >= 0) {
			diag_add(iv->d, iv->file, iv->rec_line,
				 "duplicate column '%s'", columns[c].en);
			iv->header_bad = true;
		} else {
			iv->colmap[c] = (int)i;
		}
	}
	for (int c = 0; c < COL_COUNT; c++) {
		if (columns[c].required && iv->colmap[c] < 0) {
			diag_add(iv->d, iv->file, iv->rec_line,
				 "missing column '%s'", columns[c].en);
			iv->header_bad = true;
		}
	}
}

/* ---- one device row ------------------------------------------------- */

/* Parses "10.1.2.3", "10.1.2.3:1161", "2001:db8::1" or "[2001:db8::1]:1161"
 * into a canonical literal (inet_ntop), port and family. */
static int addr_parse(const char *s, struct device *dv)
{
	char host[INV_ADDR_MAX];
	const char *port = NULL;
	unsigned char bin[16];
	const char *colon = strchr(s, ':');
	size_t hl;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return -1;
		hl = (size_t)(end - s - 1);
		s++;
		port = end[1] == ':' ? end + 2 : NULL;
		dv->af = AF_INET6;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		hl = (size_t)(colon - s); /* one colon: IPv4 with a port */
		port = colon + 1;
		dv->af = AF_INET;
	} else {
		hl = strlen(s);
		dv->af = colon != NULL ? AF_INET6 : AF_INET;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(dv->af, host, bin) != 1 ||
	    inet_ntop(dv->af, bin, dv->host, sizeof(dv->host)) == NULL)
		return -1;
	dv->port = 161;
	if (port != NULL) {
		char *end;
		long p;

		if (*port < '0' || *port > '9')
			return -1;
		errno = 0;
		p = strtol(port, &end, 10);
		if (*end != '\0' || errno != 0 || p < 1 || p > 65535)
			return -1;
		dv->port = (uint16_t)p;
	}
	return 0;
}

/* Device names become file names (RRD files, reports). */
static bool name_ok(const char *s)
{
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool copy_field(struct inv *iv, enum col c, const char *v, char *dst,
		       size_t len)
{
	if (strlen(v) >= len) {
		diag_add(iv->d, iv->file, iv->rec_line,
			 "field '%s' too long (max %zu bytes)", columns[c].en,
			 len - 1);
		return false;
	}
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

/* Fills dv from the row; false when any field is bad (all reported). */
static bool row_fields(struct inv *iv, char **val, struct device *dv)
{
	struct {
		char *dst;
		size_t len;
	} text[COL_COUNT] = {
		[COL_UNIT] = { dv->unit, sizeof(dv->unit) },
		[COL_NAME] = { dv->name, sizeof(dv->name) },
		[COL_PARENT] = { dv->parent, sizeof(dv->parent) },
		[COL_PROFILE] = { dv->profile, sizeof(dv->profile) },
		[COL_IFACES] = { dv->ifsel, sizeof(dv->ifsel) },
		[COL_TAGS] = { dv->tags, sizeof(dv->tags) },
	};
	bool ok = true;

	for (int c = 0; c < COL_COUNT; c++) {
		bool need = columns[c].required ||
			    (c == COL_PROFILE && dv->probe == DEV_PROBE_SNMP);

		if (need && val[c][0] == '\0') {
			diag_add(iv->d, iv->file, iv->rec_line,
				 "missing value for '%s'", columns[c].en);
			ok = false;
		} else if (text[c].dst != NULL &&
			   !copy_field(iv, c, val[c], text[c].dst,
				       text[c].len)) {
			ok = false;
		}
	}
	return ok;
}

static bool row_values(struct inv *iv, char **val, struct device *dv)
{
	char b[INV_TEXT_MAX];
	bool ok = true;
	int r = probe_parse(val[COL_PROBE]);

	if (r < 0) {
		diag_add(iv->d, iv->file, iv->rec_line,
			 "unknown probe '%s' (snmp or icmp)",
			 shown(val[COL_PROBE], b, sizeof(b)));
		ok = false;
	}
	/* an unknown probe asks for no profile: one message per mistake */
	dv->probe = r < 0 ? UINT8_MAX : (uint8_t)r;
	if (!row_fields(iv, val, dv))
		ok = false;
	if (r < 0)
		dv->probe = DEV_PROBE_SNMP;

	if (dv->name[0] != '\0' && !name_ok(dv->name)) {
		diag_add(iv->d, iv->file, iv->rec_line,
			 "bad device name '%s' (no '/' or control characters)",
			 shown(dv->name, b, sizeof(b)));
		dv->name[0] = '\0';
		ok = false;
	}
	if (val[COL_ADDRESS][0] != '\0' && addr_parse(val[COL_ADDRESS], dv)) {
		diag_add(iv->d, iv->file, iv->rec_line, "bad address '%s'",
			 shown(val[COL_ADDRESS], b, sizeof(b)));
		dv->host[0] = '\0';
		ok = false;
	}
	r = role_parse(val[COL_ROLE]);
	if (val[COL_ROLE][0] != '\0' && r < 0) {
		diag_add(iv->d, iv->file, iv->rec_line, "unknown role '%s'",
			 shown(val[COL_ROLE], b, sizeof(b)));
		ok = false;
	}
	dv->role = r < 0 ? ROLE_OTHER : (enum role)r;
	/* columns that modules check (the [profile] of the SNMP probe) */
	if (config_device_check(iv->cfg, dv, b, sizeof(b)) < 0) {
		diag_add(iv->d, iv->file, iv->rec_line, "%s", b);
		ok = false;
	}
	if (val[COL_CAPACITY][0] != '\0') {
		char *end;

		errno = 0;
		dv->capacity_mbps = strtod(val[COL_CAPACITY], &end);
		if (*end != '\0' || errno != 0 || !isfinite(dv->capacity_mbps) ||
		    dv->capacity_mbps < 0) {
			diag_add(iv->d, iv->file, iv->rec_line,
				 "bad capacity_mbps '%s' (must be a "
				 "non-negative number)",
				 shown(val[COL_CAPACITY], b, sizeof(b)));
			dv->capacity_mbps = 0;
			ok = false;
		}
	}
	return ok;
}

/* Remembers the parent of a row that is not kept, to check it too. */
static void orphan_add(struct inv *iv, const struct device *dv)
{
	struct orphan *o;

	if (dv->parent[0] == '\0')
		return;
	if (iv->norphans == iv->caporphans) {
		size_t ncap = iv->caporphans ? 2 * iv->caporphans : 16;

		o = realloc(iv->orphans, ncap * sizeof(*o));
		if (o == NULL) {
			iv->oom = true;
			return;
		}
		iv->orphans = o;
		iv->caporphans = ncap;
	}
	o = &iv->orphans[iv->norphans++];
	o->line = dv->line;
	memcpy(o->name, dv->name, sizeof(o->name));
	memcpy(o->parent, dv->parent, sizeof(o->parent));
}

/* Checks name and address uniqueness and appends dv. A row whose name is
 * unusable or taken is not kept, so later lookups see the first one. */
static void row_add(struct inv *iv, struct device *dv)
{
	struct config *cfg = iv->cfg;
	long first_name = -1, first_addr = -1;
	char b[INV_TEXT_MAX];

	if (dv->name[0] != '\0')
		first_name = set_find(&iv->names, cfg->devices, dv);
	if (first_name >= 0)
		diag_add(iv->d, iv->file, iv->rec_line,
			 "duplicate device name '%s' (first at line %d)",
			 shown(dv->name, b, sizeof(b)),
			 cfg->devices[first_name].line);
	if (dv->host[0] != '\0')
		first_addr = set_find(&iv->addrs, cfg->devices, dv);
	if (first_addr >= 0)
		diag_add(iv->d, iv->file, iv->rec_line,
			 "duplicate address '%s' port %u (first at line %d, "
			 "device '%s')",
			 dv->host, (unsigned)dv->port,
			 cfg->devices[first_addr].line,
			 cfg->devices[first_addr].name);
	if (dv->name[0] == '\0' || first_name >= 0) {
		orphan_add(iv, dv);
		return;
	}

	if (cfg->ndevices == iv->devcap) {
		size_t ncap = iv->devcap ? 2 * iv->devcap : 64;
		struct device *nd = realloc(cfg->devices, ncap * sizeof(*nd));

		if (nd == NULL) {
			iv->oom = true;
			return;
		}
		cfg->devices = nd;
		iv->devcap = ncap;
	}
	cfg->devices[cfg->ndevices] = *dv;
	if (set_add(&iv->names, cfg->devices, cfg->ndevices) < 0 ||
	    (dv->host[0] != '\0' && first_addr < 0 &&
	     set_add(&iv->addrs, cfg->devices, cfg->ndevices) < 0))
		iv->oom = true;
	cfg->ndevices++;
}

static void device_row(struct inv *iv)
{
	static char empty[] = "";
	char *val[COL_COUNT];
	struct device dv;

	if (iv->nfields != iv->ncols) {
		diag_add(iv->d, iv->file, iv->rec_line,
			 "too %s fields (%zu, header has %zu)",
			 iv->nfields > iv->ncols ? "many" : "few", iv->nfields,
			 iv->ncols);
		return;
	}
	for (int c = 0; c < COL_COUNT; c++)
		val[c] = iv->colmap[c] < 0 ? empty
					   : trim(iv->fields[iv->colmap[c]]);
	memset(&dv, 0, sizeof(dv));
	dv.parent_idx = -1;
	dv.profile_idx = -1;
	dv.line = iv->rec_line;
	row_values(iv, val, &dv);
	row_add(iv, &dv);
}

static void csv_row_cb(int term, void *data)
{
	struct inv *iv = data;
	bool blank = true;

	(void)term;
	iv->in_record = false;
	for (size_t i = 0; i < iv->nfields; i++)
		if (trim(iv->fields[i])[0] != '\0')
			blank = false;
	/* Empty lines, rows of empty cells (",,,," from spreadsheets) and
	 * comments ("#..." in the first cell) are skipped. */
	if (blank || iv->oom || trim(iv->fields[0])[0] == '#')
		goto out;
	if (!iv->header_done)
		header_row(iv);
	else if (!iv->header_bad)
		device_row(iv);
out:
	fields_clear(iv);
}

/* ---- after all rows --------------------------------------------------- */

/* Reports the cycle path[k..n-1] once, starting at its earliest line. */
static void report_cycle(struct inv *iv, const size_t *path, size_t k,
			 size_t n)
{
	const struct device *devs = iv->cfg->devices;
	char msg[DIAG_MSG_MAX];
	size_t start = k, off = 0;

	for (size_t i = k; i < n; i++)
		if (devs[path[i]].line < devs[path[start]].line)
			start = i;
	for (size_t i = 0; i <= n - k && off < sizeof(msg); i++) {
		size_t j = k + (start - k + i) % (n - k);
		int w = snprintf(msg + off, sizeof(msg) - off, "%s%s",
				 i ? " -> " : "", devs[path[j]].name);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	diag_add(iv->d, iv->file, devs[path[start]].line, "parent cycle: %s",
		 msg);
}

/* Follows parent links from every device; a walk that meets its own path
 * found a cycle. Each device is walked once (state 2 = done). */
static int find_cycles(struct inv *iv)
{
	const struct device *devs = iv->cfg->devices;
	size_t n = iv->cfg->ndevices;
	unsigned char *state = calloc(n ? n : 1, 1);
	size_t *path = malloc((n ? n : 1) * sizeof(*path));

	if (state == NULL || path == NULL) {
		free(state);
		free(path);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		long j = (long)i;

		while (j >= 0 && state[j] == 0) {
			state[j] = 1;
			path[len++] = (size_t)j;
			j = devs[j].parent_idx;
		}
		if (j >= 0 && state[j] == 1) {
			size_t k = 0;

			while (path[k] != (size_t)j)
				k++;
			report_cycle(iv, path, k, len);
		}
		for (size_t p = 0; p < len; p++)
			state[path[p]] = 2;
	}
	free(state);
	free(path);
	return 0;
}

/* The index of the parent of the row at line, or -1 (reported when it is
 * the row itself or unknown). */
static int parent_find(struct inv *iv, int line, const char *name,
		       const char *parent)
{
	char b[INV_TEXT_MAX];
	struct device key;
	long p;

	if (strcmp(parent, name) == 0) {
		diag_add(iv->d, iv->file, line, "device '%s' is its own parent",
			 name);
		return -1;
	}
	memcpy(key.name, parent, sizeof(key.name));
	p = set_find(&iv->names, iv->cfg->devices, &key);
	if (p < 0)
		diag_add(iv->d, iv->file, line, "unknown parent '%s'",
			 shown(parent, b, sizeof(b)));
	return (int)p;
}

/* Resolves the parents of the devices read (from first on) and checks
 * those of the rows not kept, in line order. */
static int resolve_parents(struct inv *iv, size_t first)
{
	struct config *cfg = iv->cfg;
	size_t i = first, k = 0;

	while (i < cfg->ndevices || k < iv->norphans) {
		struct device *dv = i < cfg->ndevices ? &cfg->devices[i] : NULL;
		const struct orphan *o =
			k < iv->norphans ? &iv->orphans[k] : NULL;

		if (o != NULL && (dv == NULL || o->line < dv->line)) {
			parent_find(iv, o->line, o->name, o->parent);
			k++;
			continue;
		}
		i++;
		if (dv->parent[0] != '\0')
			dv->parent_idx =
				parent_find(iv, dv->line, dv->name, dv->parent);
	}
	return find_cycles(iv);
}

/* ---- reading ---------------------------------------------------------- */

/* Feeds one physical line (without its terminator) to libcsv. */
static int feed_line(struct inv *iv, char *s, size_t len)
{
	const char *p = s;

	if (!iv->in_record) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#') /* comment: never parsed, quotes and all */
			return 0;
		iv->rec_line = iv->line;
		iv->in_record = true;
	}
	s[len++] = '\n'; /* the caller left room: CRLF and LF become LF */
	if (csv_parse(&iv->csv, s, len, csv_field_cb, csv_row_cb, iv) == len)
		return iv->oom ? -ENOMEM : 0;
	if (csv_error(&iv->csv) == CSV_ENOMEM)
		return -ENOMEM;
	/* Strict mode refused a quote in an unquoted field or text after a
	 * closing quote: drop the record, restart on the next line. */
	diag_add(iv->d, iv->file, iv->line, "malformed quoted field");
	fields_clear(iv);
	iv->in_record = false;
	csv_free(&iv->csv);
	return csv_init(&iv->csv, csv_get_opts(&iv->csv)) ? -ENOMEM : 0;
}

static int read_rows(struct inv *iv, FILE *fp)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while (rc == 0 && (n = getline(&buf, &cap, fp)) >= 0) {
		char *s = buf;
		size_t len = (size_t)n;

		iv->line++;
		if (iv->line == 1 && len >= 3 &&
		    memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
			s += 3; /* UTF-8 BOM, as Excel writes it */
			len -= 3;
		}
		while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
			len--;
		/* getline's buffer holds at least n + 1 bytes, so the '\n'
		 * feed_line puts back always fits. */
		rc = feed_line(iv, s, len);
	}
	free(buf);
	if (rc == 0 && ferror(fp))
		diag_add(iv->d, iv->file, 0, "read error: %s", strerror(errno));
	if (rc == 0 && csv_fini(&iv->csv, csv_field_cb, csv_row_cb, iv) != 0)
		diag_add(iv->d, iv->file, iv->rec_line,
			 "unterminated quoted field");
	if (rc == 0 && iv->oom)
		rc = -ENOMEM;
	return rc;
}

static const unsigned char csv_opts =
	CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL;

int inventory_load(struct config *cfg, const char *path, struct diag *d)
{
	struct inv iv;
	size_t nerr = diag_count(d), first = cfg->ndevices;
	FILE *fp;
	int rc = 0;

	memset(&iv, 0, sizeof(iv));
	iv.cfg = cfg;
	iv.d = d;
	iv.file = path;
	iv.devcap = cfg->ndevices;
	iv.addrs.by_addr = true;
	fp = fopen(path, "r");
	if (fp == NULL) {
		diag_add(d, path, 0, "cannot open: %s", strerror(errno));
		return -EINVAL;
	}
	if (csv_init(&iv.csv, csv_opts) != 0) {
		fclose(fp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cfg->ndevices && rc == 0; i++) {
		rc = set_add(&iv.names, cfg->devices, i);
		if (rc == 0)
			rc = set_add(&iv.addrs, cfg->devices, i);
	}
	if (rc == 0)
		rc = read_rows(&iv, fp);
	fclose(fp);
	if (rc == 0 && !iv.header_done)
		diag_add(d, path, 0, "empty inventory: no header row");
	if (rc == 0 && !iv.header_bad)
		rc = resolve_parents(&iv, first);

	csv_free(&iv.csv);
	fields_clear(&iv);
	free(iv.fields);
	free(iv.orphans);
	free(iv.names.slot);
	free(iv.addrs.slot);
	if (rc == 0 && (d->oom || iv.oom))
		rc = -ENOMEM;
	if (rc == 0 && diag_count(d) != nerr)
		rc = -EINVAL;
	return rc;
}
