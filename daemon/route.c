/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * route.c -- the one place a request's route is chosen.
 *
 * The routes were compiled into the configuration's route table when it
 * was loaded (conf_route.c, lib/rtab.c); here a request head only gives
 * its Host field and its target to that table.  A request without Host
 * (HTTP/1.0) matches only routes without a host.
 */

#include <stddef.h>

#include "vas.h"
#include "h1.h"
#include "conf.h"
#include "route.h"
#include "rtab.h"

/*--------------------------------------------------------------------
 * The route of a request head, or NULL (see route.h).
 */

const struct conf_route *
ROUTE_Pick(const struct conf *c, const struct h1_head *h, const char *base)
{
	const struct h1_field *f;
	const char *host = NULL;
	size_t hostlen = 0;
	unsigned idx = 0, r;

	CHECK_OBJ_NOTNULL(c, CONF_MAGIC);
	CHECK_OBJ_NOTNULL(h, H1_HEAD_MAGIC);
	f = H1_Find(h, base, "host", &idx);
	if (f != NULL) {
		host = base + f->value.off;
		hostlen = f->value.len;
	}
	if (RTAB_Pick(c->rtab, host, hostlen, base + h->target.off,
	    h->target.len, &r) != 0)
		return (NULL);
	assert(r < c->nroute);
	CHECK_OBJ(&c->route[r], CONF_ROUTE_MAGIC);
	return (&c->route[r]);
}
