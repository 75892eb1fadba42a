/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * stats.h -- one snapshot of everything frontd counts, for /metrics and
 * /status (admin.c) and for tests.
 *
 * The counters live where they are incremented (per worker, per thread,
 * relaxed atomics, no shared cache line on the request path); STAT_Get()
 * adds them up when somebody asks.
 */

#ifndef FRONTD_STATS_H
#define FRONTD_STATS_H

#include <stdint.h>

#include "frontd.h"
#include "backend.h"

#define STAT_MAXBACKEND	64
#define STAT_MAXDIRECTOR 64

struct stats_backend {
	char		name[64];
	uint64_t	opened;		/* connections opened */
	uint64_t	reused;		/* taken from the pool */
	uint64_t	closed;
	uint64_t	failed;		/* connect failed or timed out */
	uint64_t	retried;	/* stale pooled conn, request sent again */
	uint64_t	taken;		/* idle conns taken from a sibling worker */
	unsigned	idle;		/* pooled idle connections now */
	struct be_counters lb;		/* tbl/be_counters.h: the shared
					   backend's (backend.c) */
	struct hc_status hc;		/* health: health.c */
	/* its state: the newest backend of the name (backend.c) */
	unsigned	st_seen;
	unsigned	admin;		/* enum be_admin */
	unsigned	admin_set;	/* by the admin API */
	tim_real	admin_time;
	unsigned	up;		/* an address, not sick, not ejected */
};

struct stats_director {
	char			name[64];
	struct be_counters	c;	/* tbl/be_counters.h */
};

struct stats {
	struct counters		c;		/* tbl/counters.h, summed */
	uint64_t		closed[SC__MAX]; /* sessions closed, by reason */
	unsigned		sessions;	/* client sessions open */
	unsigned		sessions_busy;	/* owned by workers */
	unsigned		sessions_partial; /* counted per address */
	unsigned		queue;		/* waiting for a worker */
	unsigned		workers;
	unsigned		workers_busy;	/* own at least one session */
	struct wait_stats	waiter;		/* every loop's events, summed */
	uint64_t		reload_ok;
	uint64_t		reload_failed;
	double			reload_last;	/* wall clock, 0: never */
	double			started;	/* wall clock */
	unsigned		nbackend;
	struct stats_backend	be[STAT_MAXBACKEND];
	unsigned		ndirector;
	struct stats_director	dir[STAT_MAXDIRECTOR];
};

void BE_LbStats(struct stats *);	/* backend.c */
void DIR_Stats(struct stats *);		/* director.c */

void STAT_Get(struct stats *);		/* any thread */
void STAT_AddWaiter(struct stats *, const struct waiter *);

#endif /* FRONTD_STATS_H */
