/*
 * users.h - the web users file: one user a line, "NAME:ROLE:HASH", HASH an
 * argon2id encoded hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash),
 * ROLE viewer, operator or admin; '#' starts a comment. No default user
 * and no default password: `slamon user add` creates them. The file is
 * written atomically, mode 0640.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_WEB_USERS_H
#define SLAMON_WEB_USERS_H

#include <stddef.h>

enum web_role { ROLE_VIEWER, ROLE_OPERATOR, ROLE_ADMIN };

#define WEB_USER_MAX 64
#define WEB_HASH_MAX 160

struct web_user {
	char name[WEB_USER_MAX];
	enum web_role role;
	char hash[WEB_HASH_MAX];
};

/* "viewer", "operator", "admin". */
const char *web_role_name(enum web_role r);
/* The role or -1. */
int web_role_parse(const char *s);

/* A user name is 1..63 of [A-Za-z0-9._-] (it goes into cookies' owners,
 * the journal and log lines). */
int web_user_name_ok(const char *name);

/* Reads path into a malloc'd array (*ret_n may be 0). -ENOENT when the
 * file does not exist; -EINVAL with "path:line: reason" in err for a bad
 * line (nothing returned). */
int web_users_load(const char *path, struct web_user **ret, size_t *ret_n,
		   char *err, size_t errlen);

/* Writes the n users to path atomically (temporary file, fsync, rename),
 * mode 0640. 0 or a negative errno with err. */
int web_users_save(const char *path, const struct web_user *u, size_t n,
		   char *err, size_t errlen);

/* The user named name in u, or NULL. */
const struct web_user *web_users_find(const struct web_user *u, size_t n,
				      const char *name);

/* argon2id hash of password (fresh random salt) into out. 0 or -EIO. */
int web_password_hash(const char *password, char *out, size_t outlen);

/* 1 when password matches the encoded hash, 0 otherwise. Takes about as
 * long for an unknown user (hash NULL: a dummy hash is checked). */
int web_password_verify(const char *hash, const char *password);

#endif
