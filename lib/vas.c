/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * vas.c -- the assertion failure path (see vas.h).
 */

#include <stdio.h>
#include <stdlib.h>

#include "vas.h"

/*--------------------------------------------------------------------
 * Report a broken invariant and abort, leaving a core for the operator.
 */

void
VAS_Fail(const char *func, const char *file, int line, const char *cond)
{

	(void)fprintf(stderr, "frontd: assertion failed in %s(), %s:%d: %s\n",
	    func, file, line, cond);
	(void)fflush(stderr);
	abort();
}
