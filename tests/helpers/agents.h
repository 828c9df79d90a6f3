/*
 * Test helpers: real SNMP agents on loopback (snmpsim, net-snmp snmpd),
 * temporary folders, and running commands with a timeout. Used by the
 * Criterion integration tests; every agent listens on 127.0.0.1 only.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TESTS_AGENTS_H
#define SLAMON_TESTS_AGENTS_H

#include <stddef.h>
#include <sys/types.h>

/* A started agent: its process, its private folder (config, cache, log,
 * persistent state) and the UDP port it serves on 127.0.0.1. */
struct agent {
	pid_t pid;
	char dir[4096];
	char log[4096];
	int port;
};

/* A UDP port on 127.0.0.1 that was free a moment ago (binds port 0, reads
 * the port back, closes), reserved for this process until it exits (see
 * agent_port_reserve), so a suite running beside it never gets the same
 * one. Returns the port or a negative errno. */
int agent_free_udp_port(void);

/* Reserves port among the test processes of this machine (and network
 * namespace) until this process exits. The reservation says nothing about
 * the port itself: it keeps other tests' helpers from handing it out.
 * Returns a descriptor that holds the reservation (close it to release
 * early), or -EADDRINUSE when another process holds it, or another
 * negative errno. */
int agent_port_reserve(int port);

/* Creates a private folder $TMPDIR/<prefix>XXXXXX (or /tmp/...) and writes
 * its path to out. Returns 0, -ENAMETOOLONG or a negative errno. */
int tmpdir_make(char *out, size_t outlen, const char *prefix);

/* Removes path and everything below it (like rm -rf, without a shell, not
 * following symbolic links). Ignores NULL, "" and "/". */
void tmpdir_remove(const char *path);

/* Starts snmpsimd serving data_dir on 127.0.0.1:port: every NAME.snmprec is
 * served under community NAME. a->dir is a new private folder holding the
 * index cache and a->log (snmpsimd's output). As root, snmpsimd drops to
 * nobody/nogroup, so data_dir must be readable by everyone. Returns 0 once
 * community ready_community answers a GET of sysUpTime.0/sysDescr.0 (within
 * ~60 s); else stops the process, prints the log's tail to stderr and returns
 * -ETIMEDOUT or another negative errno. On failure a->pid is 0 and a->dir is
 * kept for the log until agent_stop(a) removes it. Uses snmpsim's default
 * (v3) architecture, as documented in shared/testdata/README.md. */
int agent_snmpsim_start(struct agent *a, const char *data_dir, int port,
			const char *ready_community);

/* Starts net-snmp's snmpd in the foreground on udp:127.0.0.1:port with a
 * generated config (system configs ignored) granting read-only access to
 * v2c `community` from 127.0.0.1 and, unless v3user is NULL, to the v3 user
 * v3user (SHA authpass, AES privpass, authPriv required). Its persistent
 * state lives in a->dir/persist, never /var/lib/snmp. Returns 0 once it
 * answers a v2c GET (within ~30 s), else stops it and returns -ETIMEDOUT or
 * another negative errno; failure leaves a as agent_snmpsim_start does. */
int agent_snmpd_start(struct agent *a, int port, const char *community,
		      const char *v3user, const char *authpass,
		      const char *privpass);

/* As agent_snmpd_start, and the same snmpd (one engineID) also serves
 * udp:127.0.0.1:port2. */
int agent_snmpd_start2(struct agent *a, int port, int port2,
		       const char *community, const char *v3user,
		       const char *authpass, const char *privpass);

/* Stops the agent: SIGTERM, up to 5 s wait, then SIGKILL; reaps it and
 * removes a->dir (kept when SLAMON_KEEP_TMP is set in the environment, for
 * post-mortems). Safe on a zeroed or already stopped agent. */
void agent_stop(struct agent *a);

/* Runs argv[0] (PATH search, no shell) with stdin /dev/null and stdout and
 * stderr captured into out (NUL-terminated, truncated to outlen - 1; out may
 * be NULL when outlen is 0). Returns the exit status, 128 + signal when the
 * child was killed by a signal, or -ETIMEDOUT after timeout_s seconds (the
 * child's process group is then killed and reaped), or a negative errno. */
int run_cmd(char *const argv[], char *out, size_t outlen, int timeout_s);

/* Writes data to path (created or truncated). Returns 0 or a negative
 * errno. */
int write_file(const char *path, const char *data);

#endif
