/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * lb.c -- the arithmetic of load balancing (lb.h).
 *
 * Round robin is precomputed: one period of nginx's smooth weighted
 * order is written into an array once per configuration, and a director
 * walks it with one atomic counter, so picking takes no lock and the
 * order is the same whichever worker asks.  Rejected: running nginx's
 * algorithm live, which needs a lock around the members' current weights
 * once workers share them.
 *
 * The ring is ketama's shape: LB_RING_POINTS points per member of weight
 * 100, each at the hash of "name#i", sorted; a key goes to the first
 * point at or after its hash.  Points depend on names only, so a member
 * keeps its points when another is added or removed.  Rejected: Maglev
 * (even spread, but a table of thousands of entries per director) and
 * jump hash (needs members numbered 0..n-1, so removing one in the middle
 * moves more than its share).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "lb.h"

/*--------------------------------------------------------------------
 * FNV-1a, then murmur3's finaliser so that near keys spread.
 */

uint32_t
LB_Hash(const void *p, size_t len, uint32_t seed)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261U ^ seed;
	size_t u;

	for (u = 0; u < len; u++) {
		h ^= s[u];
		h *= 16777619U;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return (h);
}

/*--------------------------------------------------------------------
 * Greatest common divisor.
 */

static unsigned
lb_gcd(unsigned a, unsigned b)
{
	unsigned t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return (a);
}

/*--------------------------------------------------------------------
 * The weights reduced by their common divisor, and scaled down to fit a
 * period of maxlen (each member keeps at least one turn); their sum.
 */

static unsigned long
lb_reduce(const unsigned *w, unsigned n, unsigned *rw, unsigned maxlen)
{
	unsigned long long total = 0;
	unsigned long sum = 0;
	unsigned u, g = 0;

	assert(maxlen >= n);
	for (u = 0; u < n; u++) {
		g = lb_gcd(g, w[u]);
		total += w[u];
	}
	for (u = 0; u < n; u++) {
		rw[u] = g > 0 ? w[u] / g : 0;
		sum += rw[u];
	}
	if (sum <= maxlen)
		return (sum);
	sum = 0;
	for (u = 0; u < n; u++) {
		rw[u] = (unsigned)(w[u] * (unsigned long long)(maxlen - n) /
		    total);
		if (w[u] > 0)
			rw[u]++;
		sum += rw[u];
	}
	assert(sum <= maxlen);
	return (sum);
}

/*--------------------------------------------------------------------
 * One period of smooth weighted round robin (lb.h).
 */

unsigned
LB_SwrrSeq(const unsigned *w, unsigned n, unsigned *seq, unsigned maxlen)
{
	unsigned *rw;
	long *cur;
	unsigned long sum, k;
	unsigned u, best;

	AN(n);
	rw = calloc(n, sizeof *rw);
	cur = calloc(n, sizeof *cur);
	AN(rw);
	AN(cur);
	sum = lb_reduce(w, n, rw, maxlen);
	for (k = 0; k < sum; k++) {
		best = n;
		for (u = 0; u < n; u++) {
			if (rw[u] == 0)
				continue;
			cur[u] += rw[u];
			if (best == n || cur[u] > cur[best])
				best = u;
		}
		assert(best < n);
		cur[best] -= (long)sum;
		seq[k] = best;
	}
	free(rw);
	free(cur);
	return ((unsigned)sum);
}

/*--------------------------------------------------------------------
 * qsort order of ring points.
 */

static int
lb_pt_cmp(const void *va, const void *vb)
{
	const struct lb_point *a = va, *b = vb;

	if (a->h != b->h)
		return (a->h < b->h ? -1 : 1);
	return (a->member < b->member ? -1 : a->member > b->member);
}

/*--------------------------------------------------------------------
 * Build the ring of n named members with weights w (100: the default).
 */

struct lb_ring *
LB_RingNew(const char * const *names, const unsigned *w, unsigned n)
{
	struct lb_ring *r;
	unsigned u, i, np, k = 0;
	char buf[300];
	int len;

	ALLOC_OBJ(r, LB_RING_MAGIC);
	AN(r);
	for (u = 0; u < n; u++)
		r->npt += w[u] == 0 ? 0 :
		    (w[u] * LB_RING_POINTS + 99) / 100;
	r->pt = calloc(r->npt + 1, sizeof *r->pt);
	AN(r->pt);
	for (u = 0; u < n; u++) {
		np = w[u] == 0 ? 0 : (w[u] * LB_RING_POINTS + 99) / 100;
		for (i = 0; i < np; i++) {
			len = snprintf(buf, sizeof buf, "%s#%u", names[u], i);
			assert(len > 0);
			r->pt[k].h = LB_Hash(buf, (size_t)len, 0);
			r->pt[k].member = u;
			k++;
		}
	}
	assert(k == r->npt);
	qsort(r->pt, r->npt, sizeof *r->pt, lb_pt_cmp);
	return (r);
}

/*--------------------------------------------------------------------
 * The first point at or after h, wrapping to 0 (binary search).
 */

unsigned
LB_RingFind(const struct lb_ring *r, uint32_t h)
{
	unsigned lo = 0, hi, mid;

	CHECK_OBJ_NOTNULL(r, LB_RING_MAGIC);
	AN(r->npt);
	hi = r->npt;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->pt[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo == r->npt ? 0 : lo);
}

/*--------------------------------------------------------------------
 * Free a ring.
 */

void
LB_RingFree(struct lb_ring **rp)
{
	struct lb_ring *r;

	TAKE_OBJ_NOTNULL(r, rp, LB_RING_MAGIC);
	free(r->pt);
	FREE_OBJ(r);
}
