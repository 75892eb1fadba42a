/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * dir_random.c -- the default policy: two weighted random picks, and the
 * one with fewer requests in flight for its weight wins (the "power of
 * two choices", HAProxy's default since 3.3, Envoy's LEAST_REQUEST).
 *
 * It needs no shared state beyond the backends' in-flight counts, so
 * workers never contend on it, and it avoids both round robin's blindness
 * to a slow member and least_conn's herd onto whichever member looked
 * idlest a moment ago.  The random numbers are a per-thread xorshift.
 */

#include <stdint.h>
#include <time.h>

#include "vas.h"
#include "director.h"

static __thread uint64_t dir_rng;

/*--------------------------------------------------------------------
 * xorshift64*, seeded per thread from the clock and the stack.
 */

static uint64_t
dir_rand(void)
{
	uint64_t x = dir_rng;

	if (x == 0)
		x = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&x ^
		    0x9e3779b97f4a7c15ULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	dir_rng = x;
	return (x * 0x2545f4914f6cdd1dULL);
}

/*--------------------------------------------------------------------
 * One member of 'ok', each with a chance proportional to its weight.
 */

static unsigned
dir_weighted(const struct director *d, uint64_t ok)
{
	uint64_t total = 0, r;
	unsigned u;

	for (u = 0; u < d->n; u++)
		if (ok & DIR_BIT(u))
			total += d->mem[u].weight;
	AN(total);
	r = dir_rand() % total;
	for (u = 0; u < d->n; u++) {
		if (!(ok & DIR_BIT(u)))
			continue;
		if (r < d->mem[u].weight)
			return (u);
		r -= d->mem[u].weight;
	}
	WRONG("weighted pick");
}

/*--------------------------------------------------------------------
 * Two weighted picks among ok; the less loaded for its weight wins.
 */

static unsigned
dir_random_pick(struct director *d, const struct dir_req *rq, uint64_t ok)
{
	unsigned a, b;

	(void)rq;
	a = dir_weighted(d, ok);
	b = dir_weighted(d, ok & ~DIR_BIT(a));
	return (DIR_LessLoaded(&d->mem[b], &d->mem[a]) ? b : a);
}

const struct dir_methods DIR_random = {
	.magic = DIR_METHODS_MAGIC,
	.name = "random",
	.pick = dir_random_pick,
};
