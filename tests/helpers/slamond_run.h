/*
 * slamond_run.h - running slamond from integration tests: spawn it with
 * its output in a log file, wait for it with a bound, read files, and find
 * free UDP ports for the agents a test starts.
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_TESTS_SLAMOND_RUN_H
#define SLAMON_TESTS_SLAMOND_RUN_H

#include <sys/types.h>

/* The built programs (tests/CMakeLists.txt: $<TARGET_FILE:...>). */
#define SLAMOND SLAMOND_PROGRAM
#define SLAMON SLAMON_PROGRAM

/* Starts slamond -c conf [extra...] (extra NULL-terminated, may be NULL)
 * with stdout and stderr appended to log. Returns the child's PID or a
 * negative errno. */
/* Test daemons started as root stay root, as they did before slamond
 * learnt to drop to [general] user (test_privileges checks the drop): when
 * conf sets no user, appends a second [general] with "user = root" at its
 * end (no line of the file moves, so file:line messages stay). With the
 * package installed beside (test_package), a daemon would otherwise become
 * its slamon user. Returns 0 or a negative errno. */
int slamond_conf_stay_root(const char *conf);

pid_t slamond_spawn(const char *conf, const char *log,
		    const char *const *extra);

/* Waits up to timeout_s for pid to exit: its exit status (128 + signal
 * when killed), or -1 after killing it with SIGKILL (and reaping it). */
int slamond_wait_exit(pid_t pid, int timeout_s);

/* The whole file as a NUL-terminated string the caller frees, or NULL. */
char *file_slurp(const char *path);

/* The wall clock in seconds (what slamond writes into the journal). */
double wall_now(void);

/* A base port such that base..base+n-1 are free UDP ports on 127.0.0.1,
 * below the kernel's ephemeral range (32768+) where client sockets land,
 * each reserved for this process until it exits (agent_port_reserve in
 * agents.h): an agent stopped and restarted on its port finds it free
 * even with other suites running. Returns the base or -1 when none was
 * found. */
int free_udp_port_range(int n);

#endif
