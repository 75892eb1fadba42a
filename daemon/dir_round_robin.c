/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * dir_round_robin.c -- smooth weighted round robin (nginx's order).
 *
 * One period of the order is computed when the configuration is loaded
 * (lib/lb.c); workers walk it together with one atomic counter, so the
 * order is the director's, not each worker's, and picking takes no lock.
 * A member that is down, or was tried already, is skipped to the next in
 * the order.
 */

#include <stdlib.h>

#include "vas.h"
#include "director.h"
#include "lb.h"

#define DIR_RR_MAXLEN	4096

struct dir_rr {
	unsigned		magic;
#define DIR_RR_MAGIC		0x44525252
	unsigned		next;		/* atomic */
	unsigned		len;
	unsigned		seq[];
};

/*--------------------------------------------------------------------
 * Compute one period of the smooth weighted order.
 */

static int
dir_rr_init(struct director *d)
{
	unsigned w[DIR_MAXMEMBER], u;
	struct dir_rr *rr;

	rr = calloc(1, sizeof *rr + DIR_RR_MAXLEN * sizeof rr->seq[0]);
	if (rr == NULL)
		return (-1);
	rr->magic = DIR_RR_MAGIC;
	for (u = 0; u < d->n; u++)
		w[u] = d->mem[u].weight;
	rr->len = LB_SwrrSeq(w, d->n, rr->seq, DIR_RR_MAXLEN);
	AN(rr->len);
	d->priv = rr;
	return (0);
}

/*--------------------------------------------------------------------
 * The next member of the order that is in ok.
 */

static unsigned
dir_rr_pick(struct director *d, const struct dir_req *rq, uint64_t ok)
{
	struct dir_rr *rr;
	unsigned i, k, m;

	(void)rq;
	CAST_OBJ_NOTNULL(rr, d->priv, DIR_RR_MAGIC);
	i = __atomic_fetch_add(&rr->next, 1, __ATOMIC_RELAXED);
	for (k = 0; k < rr->len; k++) {
		m = rr->seq[(i + k) % rr->len];
		if (ok & DIR_BIT(m))
			return (m);
	}
	return ((unsigned)__builtin_ctzll(ok));
}

/*--------------------------------------------------------------------
 * Free the order.
 */

static void
dir_rr_fini(struct director *d)
{
	struct dir_rr *rr;

	CAST_OBJ_NOTNULL(rr, d->priv, DIR_RR_MAGIC);
	free(rr);
	d->priv = NULL;
}

const struct dir_methods DIR_round_robin = {
	.magic = DIR_METHODS_MAGIC,
	.name = "round_robin",
	.init = dir_rr_init,
	.pick = dir_rr_pick,
	.fini = dir_rr_fini,
};
