/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * procfs.h -- the part of the illumos <procfs.h> that frontd's tests
 * read, for "make portcheck" on Linux.
 *
 * tests/bench/bench_waiter.c reads the resident set of the process from
 * /proc/self/psinfo on illumos (proc(5)).  This declares psinfo_t's
 * leading members up to pr_rssize, in the order and with the types of
 * usr/src/uts/common/sys/procfs.h, and nothing else: enough to compile
 * the code that uses them, not to read a real psinfo file.  It is only
 * on the include path of the build check, never of a build.
 */

#ifndef FRONTD_ILLUMOS_PROCFS_H
#define FRONTD_ILLUMOS_PROCFS_H

#include <sys/types.h>
#include <stdint.h>

typedef struct psinfo {
	int		pr_flag;	/* process flags (deprecated) */
	int		pr_nlwp;	/* number of active lwps */
	pid_t		pr_pid;		/* process id */
	pid_t		pr_ppid;	/* process id of parent */
	pid_t		pr_pgid;	/* pid of process group leader */
	pid_t		pr_sid;		/* session id */
	uid_t		pr_uid;		/* real user id */
	uid_t		pr_euid;	/* effective user id */
	gid_t		pr_gid;		/* real group id */
	gid_t		pr_egid;	/* effective group id */
	uintptr_t	pr_addr;	/* address of process */
	size_t		pr_size;	/* size of process image, KiB */
	size_t		pr_rssize;	/* resident set size, KiB */
	/* ... the rest of the illumos struct, not declared here */
} psinfo_t;

#endif /* FRONTD_ILLUMOS_PROCFS_H */
