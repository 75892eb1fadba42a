/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * resolve.c -- the resolver thread: every resolve_interval it looks up
 * again the backends named by a host name (backend.c does the lookup and
 * takes the new addresses).
 *
 * getaddrinfo() blocks, for as long as a DNS server takes to answer, so
 * it never runs on a worker: a request only ever reads the addresses the
 * last lookup left.  Names are looked up once, synchronously, when a
 * configuration that introduces them is loaded, so frontd starts with
 * the addresses that exist then; a name that does not resolve leaves its
 * backend down, and frontd starts anyway.
 *
 * Rejected: an asynchronous resolver library (one more dependency for a
 * lookup every 30 seconds), and following DNS TTLs (getaddrinfo does not
 * give them; Envoy too makes respecting them an option).
 */

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "vas.h"
#include "frontd.h"
#include "conf.h"
#include "backend.h"
#include "log.h"

static pthread_mutex_t	rsv_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	rsv_cv;
static pthread_t	rsv_thr;
static int		rsv_stop;
static int		rsv_running;

/*--------------------------------------------------------------------
 * Wait one resolve_interval (of the current configuration), or until
 * told to stop: 0 to go on, 1 to stop.
 */

static int
rsv_wait(void)
{
	struct conf *c;
	struct timespec ts;
	tim_dur d;
	int stop;

	c = DMN_Conf();
	d = c->resolve_interval;
	CONF_Rel(&c);
	AZ(clock_gettime(CLOCK_MONOTONIC, &ts));
	ts.tv_sec += (time_t)d;
	ts.tv_nsec += (long)((d - (tim_dur)(time_t)d) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	AZ(pthread_mutex_lock(&rsv_mtx));
	while (!rsv_stop &&
	    pthread_cond_timedwait(&rsv_cv, &rsv_mtx, &ts) != ETIMEDOUT)
		continue;
	stop = rsv_stop;
	AZ(pthread_mutex_unlock(&rsv_mtx));
	return (stop);
}

/*--------------------------------------------------------------------
 * The thread: wait, look up, until told to stop.
 */

static void *
rsv_run(void *priv)
{

	(void)priv;
	while (!rsv_wait())
		BE_ResolveAll();
	return (NULL);
}

/*--------------------------------------------------------------------
 * Start the resolver thread (main thread, at start).  0, or -1.
 */

int
RSV_Start(void)
{
	pthread_condattr_t ca;

	AZ(pthread_condattr_init(&ca));
	AZ(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC));
	AZ(pthread_cond_init(&rsv_cv, &ca));
	AZ(pthread_condattr_destroy(&ca));
	rsv_stop = 0;
	if (pthread_create(&rsv_thr, NULL, rsv_run, NULL) != 0)
		return (-1);
	rsv_running = 1;
	return (0);
}

/*--------------------------------------------------------------------
 * Stop it (main thread, at shutdown); a lookup in progress finishes.
 */

void
RSV_Stop(void)
{

	if (!rsv_running)
		return;
	AZ(pthread_mutex_lock(&rsv_mtx));
	rsv_stop = 1;
	AZ(pthread_cond_signal(&rsv_cv));
	AZ(pthread_mutex_unlock(&rsv_mtx));
	AZ(pthread_join(rsv_thr, NULL));
	AZ(pthread_cond_destroy(&rsv_cv));
	rsv_running = 0;
}
