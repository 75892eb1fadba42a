/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * admin_priv.h -- what the admin listener's connections (admin_srv.c)
 * and its answers (admin.c) share.
 */

#ifndef FRONTD_ADMIN_PRIV_H
#define FRONTD_ADMIN_PRIV_H

#include <stddef.h>

/* A growing output buffer; 'fail' once memory ran out. */
struct adm_out {
	char		*p;
	size_t		len;
	size_t		cap;
	int		fail;
};

/* Append to o; on failure o->fail is set and o keeps what it had. */
void ADM_Printf(struct adm_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The admin thread: answer METHOD PATH (query cut off) into o.  The
 * status; *ctype is the body's content type.
 */
unsigned ADM_Route(const char *method, const char *path, struct adm_out *o,
    const char **ctype);

#endif /* FRONTD_ADMIN_PRIV_H */
