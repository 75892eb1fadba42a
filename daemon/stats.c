/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * stats.c -- add up every counter into one snapshot (see stats.h).
 *
 * Each part of the daemon adds its own share: the acceptor and idle
 * waiter counters are global, the workers' and the backend pools' are
 * per worker.  Reading them takes no lock; a snapshot is not atomic as a
 * whole, which Prometheus-style counters do not need.
 */

#include <string.h>

#include "frontd.h"
#include "stats.h"

/*--------------------------------------------------------------------
 * Add one event loop's counters to a snapshot.
 */

void
STAT_AddWaiter(struct stats *st, const struct waiter *w)
{
	struct wait_stats ws;

	if (w == NULL)
		return;
	WAIT_Stats(w, &ws);
	st->waiter.action += ws.action;
	st->waiter.remclose += ws.remclose;
	st->waiter.timeout += ws.timeout;
	st->waiter.task += ws.task;
	st->waiter.enter += ws.enter;
	st->waiter.wakeups += ws.wakeups;
}

/*--------------------------------------------------------------------
 * Fill a snapshot.  Any thread.
 */

void
STAT_Get(struct stats *st)
{
	unsigned u;

	memset(st, 0, sizeof *st);
	for (u = 0; u < CNT__MAX; u++)
		st->c.c[u] = __atomic_load_n(&g_counters.c[u],
		    __ATOMIC_RELAXED);
	for (u = 0; u < SC__MAX; u++)
		st->closed[u] = __atomic_load_n(&g_closed[u],
		    __ATOMIC_RELAXED);
	st->sessions = __atomic_load_n(&g_sessions, __ATOMIC_RELAXED);
	st->sessions_partial = SPL_Count();
	SES_Stats(st);
	WRK_Stats(st);
	BE_LbStats(st);
	DIR_Stats(st);
	DMN_Stats(st);
}
