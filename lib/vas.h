/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * vas.h -- assertions and small-object helpers.
 *
 * Assertions are always on, NDEBUG or not: a broken invariant is a bug and
 * the process dies loudly, so that the service manager restarts it with a
 * core file.  Input from the network or the configuration is never
 * asserted on; it gets a status and a named close reason instead.
 *
 * Every allocated or shared struct starts with "unsigned magic"; the
 * CHECK_OBJ and CAST_OBJ macros verify it at every hand-off and every cast
 * of a void pointer coming back from the event port.
 */

#ifndef FRONTD_VAS_H
#define FRONTD_VAS_H

#include <stdlib.h>

void VAS_Fail(const char *func, const char *file, int line,
    const char *cond) __attribute__((__noreturn__));

#undef assert
#define assert(e)							\
	do {								\
		if (__builtin_expect(!(e), 0))				\
			VAS_Fail(__func__, __FILE__, __LINE__, #e);	\
	} while (0)

#define AN(x)		assert((x) != 0)
#define AZ(x)		assert((x) == 0)
#define WRONG(msg)	VAS_Fail(__func__, __FILE__, __LINE__, msg)

#define CHECK_OBJ(p, m)		assert((p)->magic == (m))
#define CHECK_OBJ_NOTNULL(p, m)						\
	do {								\
		assert((p) != NULL);					\
		assert((p)->magic == (m));				\
	} while (0)
#define CHECK_OBJ_ORNULL(p, m)						\
	do {								\
		if ((p) != NULL)					\
			assert((p)->magic == (m));			\
	} while (0)
#define CAST_OBJ_NOTNULL(to, from, m)					\
	do {								\
		(to) = (from);						\
		CHECK_OBJ_NOTNULL((to), (m));				\
	} while (0)
#define ALLOC_OBJ(p, m)							\
	do {								\
		(p) = calloc(1, sizeof *(p));				\
		if ((p) != NULL)					\
			(p)->magic = (m);				\
	} while (0)
#define FREE_OBJ(p)							\
	do {								\
		(p)->magic = 0;						\
		free(p);						\
		(p) = NULL;						\
	} while (0)
#define TAKE_OBJ_NOTNULL(to, pfrom, m)					\
	do {								\
		assert((pfrom) != NULL);				\
		(to) = *(pfrom);					\
		*(pfrom) = NULL;					\
		CHECK_OBJ_NOTNULL((to), (m));				\
	} while (0)

#define FD_VALID(fd)	((fd) >= 0)

#endif /* FRONTD_VAS_H */
