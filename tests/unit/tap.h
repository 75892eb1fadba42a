/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * tap.h -- the smallest test harness that will do.
 *
 * A test program runs named cases; each prints "ok NAME" or
 * "not ok NAME: why" on its own line, and the program exits non-zero if
 * any failed.  tests/run.sh counts those lines.  CHECK() records a failure
 * in the current case and goes on, so one run shows every broken point.
 */

#ifndef FRONTD_TAP_H
#define FRONTD_TAP_H

#include <stdio.h>
#include <stdlib.h>

static int tap_failed;		/* cases failed so far */
static int tap_case_failed;	/* the current case failed */

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			if (!tap_case_failed)				\
				(void)printf("# %s:%d: CHECK(%s)\n",	\
				    __FILE__, __LINE__, #cond);		\
			tap_case_failed = 1;				\
		}							\
	} while (0)

#define CHECKF(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			(void)printf("# %s:%d: CHECK(%s): ",		\
			    __FILE__, __LINE__, #cond);			\
			(void)printf(__VA_ARGS__);			\
			(void)printf("\n");				\
			tap_case_failed = 1;				\
		}							\
	} while (0)

#define RUN(name)							\
	do {								\
		tap_case_failed = 0;					\
		name();							\
		(void)printf("%sok %s\n", tap_case_failed ? "not " : "", \
		    #name);						\
		(void)fflush(stdout);					\
		tap_failed += tap_case_failed;				\
	} while (0)

#define TAP_EXIT()	return (tap_failed ? 1 : 0)

#endif /* FRONTD_TAP_H */
