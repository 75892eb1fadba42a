/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mem.c -- give memory freed after a crowd of connections back to the
 * system.
 *
 * Thousands of slow clients each hold a receive buffer and, once a worker
 * has them, a transaction: tens of kilobytes apiece, below the size that
 * glibc's malloc serves with mmap, so they come from the heap and the
 * per-thread arenas.  When the crowd leaves, free() keeps those pages:
 * the process stays as large as it was at the peak of the attack until
 * the same crowd comes back.  So the acceptor notes the peak of open
 * sessions as it opens them, and the main thread, once a second, compares
 * the number open with it; when it has fallen to half of the peak since
 * the last trim, and that peak was at least MEM_TRIM_MIN sessions,
 * malloc_trim(0) returns every free page of every arena (glibc walks
 * them all, madvise(MADV_DONTNEED) inside the heaps, not only their
 * tops) and the peak starts again from the present count.  A crowd that
 * leaves over several seconds (slow clients cut one by one) is followed
 * down, a trim at each halving, until fewer than MEM_TRIM_LOW sessions
 * are left: stopping at the first peak below MEM_TRIM_MIN left a few
 * hundred sessions' worth of buffers (about 16 MB) behind.  The free
 * lists of buffers and transactions keep their few dozen entries; only
 * what the allocator holds goes back.
 *
 * The trim takes each arena's lock for the time of one walk over it, so
 * it runs off the request path and rarely: at most once per halving of
 * a crowd of MEM_TRIM_MIN or more.  Where the C library has no
 * malloc_trim (illumos libc, musl) MEM_Tick does nothing.
 *
 * Rejected: a trim on every session close (a lock of every arena on the
 * request path), a fixed-period trim (pointless walks when nothing
 * changed), M_TRIM_THRESHOLD or M_MMAP_THRESHOLD tuning (the first only
 * trims the top of the main heap, the second would make every buffer an
 * mmap and munmap), and a private allocator for buffers (the per-thread
 * free lists are enough for the request path; the problem is only what
 * the allocator keeps after a peak).
 */

#include <stdlib.h>		/* defines __GLIBC__ where it is glibc */
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#endif

#include "frontd.h"
#include "mem.h"
#include "stats.h"

#define MEM_TRIM_MIN	256	/* sessions: a smaller peak is not worth it */
#define MEM_TRIM_LOW	32	/* ... but a crowd leaving is followed
				   down to this many */

static unsigned		mem_peak;	/* atomic: sessions, since the trim */
static int		mem_crowd;	/* main thread: one is leaving */

/*--------------------------------------------------------------------
 * Keep the peak of open sessions, seen where they are opened: a crowd
 * that comes and goes between two ticks still counts.
 */

void
MEM_Sessions(unsigned n)
{

	if (n > __atomic_load_n(&mem_peak, __ATOMIC_RELAXED))
		__atomic_store_n(&mem_peak, n, __ATOMIC_RELAXED);
}

/*--------------------------------------------------------------------
 * Trim the allocator once the sessions have halved since their peak.
 */

int
MEM_Tick(unsigned sessions)
{
	unsigned peak = __atomic_load_n(&mem_peak, __ATOMIC_RELAXED);

	if (peak >= MEM_TRIM_MIN)
		mem_crowd = 1;
	if (!mem_crowd || sessions > peak / 2)
		return (0);
	/* A higher peak stored meanwhile wins; the next tick sees it. */
	if (!__atomic_compare_exchange_n(&mem_peak, &peak, sessions, 0,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return (0);
	if (sessions < MEM_TRIM_LOW)
		mem_crowd = 0;		/* it has gone */
#if defined(__linux__) && defined(__GLIBC__)
	(void)malloc_trim(0);
	CNT_INC(&g_counters, mem_trimmed);
	return (1);
#else
	return (0);
#endif
}
