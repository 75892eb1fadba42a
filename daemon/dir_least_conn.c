/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * dir_least_conn.c -- the member with the fewest requests in flight for
 * its weight.
 *
 * The counts are the shared backends' (all workers), read without a lock:
 * a pick may race with another worker's, which costs at worst one request
 * on a member that is one request busier.  Ties go round: the scan starts
 * at a member that moves on with every pick, so that equal members share
 * a light load instead of the first one taking it all.
 */

#include <stdlib.h>

#include "vas.h"
#include "director.h"

struct dir_lc {
	unsigned		magic;
#define DIR_LC_MAGIC		0x44524c43
	unsigned		next;		/* atomic */
};

/*--------------------------------------------------------------------
 * The counter that moves the start of the scan.
 */

static int
dir_lc_init(struct director *d)
{
	struct dir_lc *lc;

	ALLOC_OBJ(lc, DIR_LC_MAGIC);
	if (lc == NULL)
		return (-1);
	d->priv = lc;
	return (0);
}

/*--------------------------------------------------------------------
 * The member of ok with the fewest requests in flight per weight.
 */

static unsigned
dir_lc_pick(struct director *d, const struct dir_req *rq, uint64_t ok)
{
	struct dir_lc *lc;
	unsigned k, u, start, best = d->n;

	(void)rq;
	CAST_OBJ_NOTNULL(lc, d->priv, DIR_LC_MAGIC);
	start = __atomic_fetch_add(&lc->next, 1, __ATOMIC_RELAXED);
	for (k = 0; k < d->n; k++) {
		u = (start + k) % d->n;
		if (!(ok & DIR_BIT(u)))
			continue;
		if (best == d->n || DIR_LessLoaded(&d->mem[u], &d->mem[best]))
			best = u;
	}
	assert(best < d->n);
	return (best);
}

/*--------------------------------------------------------------------
 * Free the counter.
 */

static void
dir_lc_fini(struct director *d)
{
	struct dir_lc *lc;

	CAST_OBJ_NOTNULL(lc, d->priv, DIR_LC_MAGIC);
	FREE_OBJ(lc);
	d->priv = NULL;
}

const struct dir_methods DIR_least_conn = {
	.magic = DIR_METHODS_MAGIC,
	.name = "least_conn",
	.init = dir_lc_init,
	.pick = dir_lc_pick,
	.fini = dir_lc_fini,
};
