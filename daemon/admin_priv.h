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

#include "tim.h"

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

/* Append s quoted: a Prometheus label value, or with 'json' a string. */
void ADM_Quote(struct adm_out *o, const char *s, int json);

/* One request, as admin_srv.c read it, and what the answer needs. */
struct adm_req {
	const char	*method;
	const char	*path;		/* without the query */
	const char	*query;		/* after '?', or NULL */
	const char	*auth;		/* the Authorization value, or NULL */
	const char	*body;
	size_t		bodylen;
	tim_mono	start;		/* wait-empty: when it started */
	tim_mono	deadline;	/* wait-empty: 0 until it started */
	const char	*ctype;		/* out: the body's content type */
	const char	*allow;		/* out: the methods, for a 405 */
};

/* ADM_Route: no answer yet, ask again shortly (wait-empty). */
#define ADM_WAIT	0

/*
 * admin_api.c, the admin thread: answer ar into o.  The status, or
 * ADM_WAIT: the same request is to be asked again (o still empty).
 */
unsigned ADM_Route(struct adm_req *ar, struct adm_out *o);

/* admin_api.c: why /health fails, or NULL while it answers 200. */
const char *ADM_HealthFail(void);

/* admin.c: GET /metrics (or /status): the status; *ctype of the body. */
unsigned ADM_Read(int metrics, struct adm_out *o, const char **ctype);

/* admin_srv.c: is the listener on a loopback address? */
int ADM_Loopback(void);

#endif /* FRONTD_ADMIN_PRIV_H */
