/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * eject.c -- passive health checks: a backend that fails fail_limit
 * requests in a row (connect refused or timed out, no first byte in
 * time, a 502/503/504 that frontd itself answered for it) is ejected
 * for fail_timeout.  When that time is up it is back on trial: the next
 * success clears its record, the next failure ejects it again for twice
 * as long, up to five minutes (Envoy's outlier detection, counted the
 * nginx way: consecutive failures, not a rate).
 *
 * The request path pays one relaxed load and, only after a failure, one
 * store: a success resets the count only when it is not zero already.
 * Ejecting and coming back are rare and decided under the backend's
 * health mutex, where the ejection's end is kept.  Nothing runs a timer:
 * a director that finds an ejected member asks HC_Readmit whether its
 * time is up, so the backend comes back with the first request that
 * could go to it.
 *
 * That no director loses more than half of its members to ejection is
 * the director's business (director.c): a backend can be in several.
 *
 * Rejected: a failure rate over a window (needs a clock on the request
 * path and says little with few requests), and counting the 5xx a
 * backend sends itself (an application's 503 is an answer, and a
 * backend that answers is up).
 */

#include <stdio.h>

#include "vas.h"
#include "backend.h"
#include "log.h"

#define HC_EJECT_MAX	300.	/* seconds: the longest ejection */

/*--------------------------------------------------------------------
 * Eject be for fail_timeout doubled once per ejection in a row.
 */

static void
hc_eject(struct backend *be, const char *why, unsigned nfail)
{
	struct be_health *hc = &be->hc;
	tim_dur d, max;
	tim_mono t;
	unsigned k;

	AZ(pthread_mutex_lock(&hc->mtx));
	if (__atomic_load_n(&be->ejected, __ATOMIC_RELAXED)) {
		AZ(pthread_mutex_unlock(&hc->mtx));
		return;			/* another worker was first */
	}
	k = hc->streak++;
	max = hc->fail_timeout > HC_EJECT_MAX ? hc->fail_timeout :
	    HC_EJECT_MAX;
	for (d = hc->fail_timeout; k > 0 && d < max; k--)
		d *= 2;
	if (d > max)
		d = max;
	t = TIM_mono() + d;
	__atomic_store(&hc->until, &t, __ATOMIC_RELAXED);
	__atomic_store_n(&hc->trial, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&hc->nfail, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&be->ejected, 1, __ATOMIC_RELEASE);
	AZ(pthread_mutex_unlock(&hc->mtx));
	BE_CINC(&be->cnt, ejections);
	if (nfail == 0)
		log_warnx("backend '%s' ejected for %gs: failed again after "
		    "its last ejection (last: %s)", be->name, d, why);
	else
		log_warnx("backend '%s' ejected for %gs: %u failures in a "
		    "row (last: %s)", be->name, d, nfail, why);
}

/*--------------------------------------------------------------------
 * A request to be failed (see health.h).  Worker thread.
 */

void
HC_Fail(struct backend *be, const char *why)
{
	struct be_health *hc;
	unsigned limit, n;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	AN(why);
	hc = &be->hc;
	limit = __atomic_load_n(&hc->fail_limit, __ATOMIC_RELAXED);
	if (limit == 0 || __atomic_load_n(&be->ejected, __ATOMIC_RELAXED))
		return;
	if (__atomic_load_n(&hc->trial, __ATOMIC_RELAXED)) {
		hc_eject(be, why, 0);
		return;
	}
	n = __atomic_add_fetch(&hc->nfail, 1, __ATOMIC_RELAXED);
	if (n >= limit)
		hc_eject(be, why, n);
}

/*--------------------------------------------------------------------
 * A request to be got its response (see health.h).  Worker thread.
 */

void
HC_Ok(struct backend *be)
{
	struct be_health *hc;
	int back = 0;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	hc = &be->hc;
	if (__atomic_load_n(&hc->nfail, __ATOMIC_RELAXED) != 0)
		__atomic_store_n(&hc->nfail, 0, __ATOMIC_RELAXED);
	if (!__atomic_load_n(&hc->trial, __ATOMIC_RELAXED))
		return;
	AZ(pthread_mutex_lock(&hc->mtx));
	if (__atomic_load_n(&hc->trial, __ATOMIC_RELAXED)) {
		__atomic_store_n(&hc->trial, 0, __ATOMIC_RELAXED);
		hc->streak = 0;
		back = 1;
	}
	AZ(pthread_mutex_unlock(&hc->mtx));
	if (back)
		log_info("backend '%s' back: a request succeeded after its "
		    "ejection", be->name);
}

/*--------------------------------------------------------------------
 * An ejected backend whose time is up is back, on trial (see health.h).
 */

int
HC_Readmit(struct backend *be, tim_mono now)
{
	struct be_health *hc;
	tim_mono t;
	int back = 0;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	hc = &be->hc;
	__atomic_load(&hc->until, &t, __ATOMIC_RELAXED);
	if (now < t)
		return (0);		/* no lock on every request meanwhile */
	AZ(pthread_mutex_lock(&hc->mtx));
	if (__atomic_load_n(&be->ejected, __ATOMIC_RELAXED) &&
	    now >= hc->until) {
		__atomic_store_n(&hc->trial, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&be->ejected, 0, __ATOMIC_RELEASE);
		back = 1;
	}
	AZ(pthread_mutex_unlock(&hc->mtx));
	if (back)
		log_info("backend '%s' on trial: its ejection is over",
		    be->name);
	return (!__atomic_load_n(&be->ejected, __ATOMIC_RELAXED));
}

/*--------------------------------------------------------------------
 * When be's ejection ends (see health.h).
 */

tim_mono
HC_EjectEnd(const struct backend *be)
{
	tim_mono t;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	__atomic_load(&be->hc.until, &t, __ATOMIC_RELAXED);
	return (t);
}
