/*
 * status.c - write and print the live status snapshot.
 * SPDX-License-Identifier: MIT
 */
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int status_write(const char *path, const json_t *snap, char *err,
		 size_t errlen)
{
	char tmp[4200];
	char *text = json_dumps(snap, JSON_INDENT(1) | JSON_SORT_KEYS);
	size_t len, off = 0;
	int fd, rc = 0;

	if (text == NULL) {
		snprintf(err, errlen, "%s: cannot serialise status", path);
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(text);
		return rc;
	}
	len = strlen(text);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	free(text);
	if (rc == 0 && fsync(fd) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
	}
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: rename: %s", path, strerror(errno));
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}

