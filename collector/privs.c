/*
 * privs.c - slamond started by hand as root gives up root once its
 * privileged sockets are open (live captures, the raw ICMP socket): it
 * becomes [general] user and keeps only CAP_NET_RAW (ICMP, captures
 * opened by a reload) and CAP_NET_BIND_SERVICE (traps on 162, a web port
 * below 1024). Under systemd it is not root and nothing happens here.
 *
 * Plain system calls (prctl, setgroups, setresgid/uid, capset) rather than
 * libcap: five calls, no new library in the package's dependencies, and
 * the kernel interface is the documented one (capabilities(7)). As OpenBSD
 * ntpd does, it runs before any thread exists: capabilities are per thread.
 * SPDX-License-Identifier: MIT
 */
#include "daemon_int.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The capabilities slamond keeps, as a mask of the first 32-bit word. */
#define KEEP_CAPS ((1u << CAP_NET_RAW) | (1u << CAP_NET_BIND_SERVICE))

static int last_cap(void)
{
	FILE *fp = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = CAP_LAST_CAP;

	if (fp != NULL) {
		if (fscanf(fp, "%d", &n) != 1)
			n = CAP_LAST_CAP;
		fclose(fp);
	}
	return n;
}

static int set_caps(uint32_t mask)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = mask;
	return (int)syscall(SYS_capset, &hdr, data);
}

int daemon__drop_privileges(const char *user, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t gid;
	uid_t uid;
	int rc, last;

	err[0] = '\0';
	if (geteuid() != 0)
		return 0; /* systemd's User=, or a developer's shell */
	if (user[0] == '\0' || strcmp(user, "root") == 0)
		return 0;
	rc = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	if (rc != 0 || res == NULL) {
		snprintf(err, errlen, "user '%s' does not exist: running as "
			 "root", user);
		return 0;
	}
	if (pw.pw_uid == 0)
		return 0;
	uid = pw.pw_uid;
	gid = pw.pw_gid;

	/* Nothing the daemon runs later (a notifier's command) can get
	 * more than it has, through set-user-ID programs or file
	 * capabilities: empty bounding set but for the two kept, and
	 * no_new_privs, as the unit's NoNewPrivileges=yes. */
	last = last_cap();
	for (int c = 0; c <= last; c++) {
		if (c < 32 && (KEEP_CAPS & (1u << c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0 || errno == EINVAL)
			continue;
		/* a container's root without CAP_SETPCAP: no_new_privs
		 * below still keeps exec from adding anything */
		if (errno == EPERM)
			break;
		goto fail_errno;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		goto fail_errno;
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		goto fail_errno;
	if (set_caps(KEEP_CAPS) < 0)
		goto fail_errno;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail_errno;
	/* a drop that can be undone is no drop */
	if (setresuid(0, 0, 0) == 0) {
		snprintf(err, errlen, "could get root back after becoming "
			 "'%s'", user);
		return -1;
	}
	return 1;

fail_errno:
	snprintf(err, errlen, "cannot become '%s' (uid %u, gid %u): %s", user,
		 (unsigned)uid, (unsigned)gid, strerror(errno));
	return -1;
}
