/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * lb.h -- the arithmetic of load balancing, with no notion of a backend:
 * a hash, the smooth weighted round-robin order, and a consistent-hash
 * ring.  The directors (daemon/dir_*.c) are built on these.
 */

#ifndef FRONTD_LB_H
#define FRONTD_LB_H

#include <stddef.h>
#include <stdint.h>

/* A 32-bit hash of bytes (FNV-1a with a final avalanche). */
uint32_t LB_Hash(const void *, size_t, uint32_t seed);

/*
 * Smooth weighted round robin (nginx's): write one period of picks for
 * members of weights w[0..n-1] into seq (at most maxlen, >= n), spread so
 * that no member gets two turns in a row while others are owed one.
 * Weights are scaled down when the period would be longer than maxlen.
 * The period's length.
 */
unsigned LB_SwrrSeq(const unsigned *w, unsigned n, unsigned *seq,
    unsigned maxlen);

/*
 * A consistent-hash ring: each member gets points in proportion to its
 * weight, placed by hashing its name, so that removing one of N members
 * moves only the keys that were on it (about 1/N).
 */
struct lb_point {
	uint32_t		h;
	unsigned		member;
};

struct lb_ring {
	unsigned		magic;
#define LB_RING_MAGIC		0x52494e47
	unsigned		npt;
	struct lb_point		*pt;	/* sorted by h */
};

#define LB_RING_POINTS	160	/* points for weight 100 */

struct lb_ring *LB_RingNew(const char * const *names, const unsigned *w,
    unsigned n);
/* The index of the first point at or after h (wrapping). */
unsigned LB_RingFind(const struct lb_ring *, uint32_t h);
void LB_RingFree(struct lb_ring **);

#endif /* FRONTD_LB_H */
