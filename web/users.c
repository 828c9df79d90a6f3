/*
 * users.c - the web users file and its argon2id hashes (libargon2, the
 * reference implementation; RFC 9106). Parameters follow the OWASP
 * password storage cheat sheet for argon2id (19 MiB, 2 passes, 1 lane):
 * about 50 ms a check here, done off the loop by the server.
 * SPDX-License-Identifier: MIT
 */
#include "users.h"

#include <argon2.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define T_COST 2
#define M_COST 19456 /* KiB */
#define LANES 1
#define SALT_LEN 16
#define HASH_LEN 32

static const char *const role_names[] = { "viewer", "operator", "admin" };

const char *web_role_name(enum web_role r)
{
	return (unsigned)r < 3 ? role_names[r] : "?";
}

int web_role_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

int web_user_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= WEB_USER_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int parse_line(char *line, struct web_user *u, char *why, size_t wl)
{
	char *c1 = strchr(line, ':'), *c2;
	int r;

	if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL) {
		snprintf(why, wl, "expected NAME:ROLE:HASH");
		return -1;
	}
	*c1 = *c2 = '\0';
	if (!web_user_name_ok(line)) {
		snprintf(why, wl, "bad user name '%.64s' (1-63 of A-Z a-z "
				  "0-9 . _ -)",
			 line);
		return -1;
	}
	r = web_role_parse(c1 + 1);
	if (r < 0) {
		snprintf(why, wl, "user %s: unknown role '%.32s' (viewer, "
				  "operator, admin)",
			 line, c1 + 1);
		return -1;
	}
	if (strncmp(c2 + 1, "$argon2id$", 10) != 0 ||
	    strlen(c2 + 1) >= WEB_HASH_MAX) {
		snprintf(why, wl, "user %s: not an argon2id hash", line);
		return -1;
	}
	snprintf(u->name, sizeof(u->name), "%s", line);
	u->role = (enum web_role)r;
	snprintf(u->hash, sizeof(u->hash), "%s", c2 + 1);
	return 0;
}

int web_users_load(const char *path, struct web_user **ret, size_t *ret_n,
		   char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512], why[160];
	struct web_user *v = NULL, *nv;
	size_t n = 0, cap = 0;
	int ln = 0, rc = 0;

	*ret = NULL;
	*ret_n = 0;
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t l = strlen(line);

		ln++;
		while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r' ||
				 line[l - 1] == ' '))
			line[--l] = '\0';
		if (l == 0 || line[0] == '#')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				rc = -ENOMEM;
				snprintf(err, errlen, "%s: out of memory",
					 path);
				goto out;
			}
			v = nv;
		}
		if (parse_line(line, &v[n], why, sizeof(why)) < 0) {
			rc = -EINVAL;
			snprintf(err, errlen, "%s:%d: %s", path, ln, why);
			goto out;
		}
		if (web_users_find(v, n, v[n].name) != NULL) {
			rc = -EINVAL;
			snprintf(err, errlen, "%s:%d: user %s twice", path,
				 ln, v[n].name);
			goto out;
		}
		n++;
	}
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
out:
	fclose(f);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int web_users_save(const char *path, const struct web_user *u, size_t n,
		   char *err, size_t errlen)
{
	char tmp[4200];
	FILE *f;
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return rc;
	}
	(void)fchmod(fd, 0640);
	f = fdopen(fd, "w");
	if (f == NULL) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", tmp, strerror(-rc));
		return rc;
	}
	fprintf(f, "# slamon web users (slamon user add|passwd|del|list): "
		   "NAME:ROLE:ARGON2ID-HASH\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s:%s:%s\n", u[i].name, web_role_name(u[i].role),
			u[i].hash);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		unlink(tmp);
	}
	return rc;
}

const struct web_user *web_users_find(const struct web_user *u, size_t n,
				      const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(u[i].name, name) == 0)
			return &u[i];
	return NULL;
}

int web_password_hash(const char *password, char *out, size_t outlen)
{
	uint8_t salt[SALT_LEN];

	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return -EIO;
	if (argon2id_hash_encoded(T_COST, M_COST, LANES, password,
				  strlen(password), salt, sizeof(salt),
				  HASH_LEN, out, outlen) != ARGON2_OK)
		return -EIO;
	return 0;
}

int web_password_verify(const char *hash, const char *password)
{
	/* an unknown user costs one check too: no timing oracle for names */
	static const char dummy[] =
		"$argon2id$v=19$m=19456,t=2,p=1$c2xhbW9uLWR1bW15LXM"
		"$2WbLdXoT4X0d0Xf0p7gW9ioCPl1Z3y2Zl1oG8c1P9n8";

	if (hash == NULL) {
		(void)argon2id_verify(dummy, password, strlen(password));
		return 0;
	}
	return argon2id_verify(hash, password, strlen(password)) == ARGON2_OK;
}
