/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * worker.c -- the worker pool: a few event-driven threads.
 *
 * Each worker is a waiter (lib/waiter.c) of its own: one thread, one event
 * port, one deadline heap.  The idle waiter hands it a session with a
 * complete request head (WAIT_Task); from then on the worker drives that
 * session with non-blocking I/O (proxy.c), talks to backends over
 * connections from its own pools (backend.c), serves pipelined requests in
 * order, and after a response keeps the session for timeout_linger.  Only
 * a session that stays quiet goes back to the idle waiter, so under
 * keep-alive load a request never crosses threads.
 *
 * Why not blocking workers, as in Varnish: a worker that blocks on its
 * backend costs one or two thread hand-offs per request, which measured
 * here as 0.75-0.84x HAProxy's throughput (design.md section 1.3).
 *
 * The load of a worker is the number of sessions it owns, an atomic read
 * by the idle waiter when it picks the least-loaded one.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "frontd.h"
#include "alog.h"
#include "conf.h"
#include "log.h"
#include "stats.h"

struct worker {
	unsigned		magic;
#define WORKER_MAGIC		0x574f524b
	unsigned		idx;
	struct waiter		*w;
	struct htc_pool		*hp;
	unsigned		nsess;	/* atomic: sessions owned */
	unsigned		limit;	/* conf->worker_sessions */
	struct be_worker	*bpool;	/* its pools of backend connections */
	struct px_free		px;	/* proxy.c's spare transactions */
	struct waited		barrier; /* WRK_Quiesce's task */
	struct waited		sweep;	/* WRK_Sweep's task */
	unsigned		sweeping; /* atomic: sweep is handed over */
	struct counters		cnt;
	char			pad[64];
};

static struct worker	*wrk_all;
static unsigned		wrk_n;
static unsigned		wrk_next;

static void wrk_sess_cb(struct waited *, enum wait_event, tim_mono);

/*--------------------------------------------------------------------
 * Accessors for the rest of the daemon.
 */

struct htc_pool *
WRK_HtcPool(struct worker *wrk)
{

	CHECK_OBJ_NOTNULL(wrk, WORKER_MAGIC);
	return (wrk->hp);
}

struct counters *
WRK_Counters(struct worker *wrk)
{

	CHECK_OBJ_NOTNULL(wrk, WORKER_MAGIC);
	return (&wrk->cnt);
}

struct be_worker **
WRK_Bpool(struct worker *wrk)
{

	CHECK_OBJ_NOTNULL(wrk, WORKER_MAGIC);
	return (&wrk->bpool);
}

struct px_free *
WRK_PxFree(struct worker *wrk)
{

	CHECK_OBJ_NOTNULL(wrk, WORKER_MAGIC);
	return (&wrk->px);
}

struct waiter *
WRK_Waiter(struct worker *wrk)
{

	CHECK_OBJ_NOTNULL(wrk, WORKER_MAGIC);
	return (wrk->w);
}

/*--------------------------------------------------------------------
 * Sessions owned by workers now (for the drain on shutdown).
 */

unsigned
WRK_Active(void)
{
	unsigned u, n = 0;

	for (u = 0; u < wrk_n; u++)
		n += __atomic_load_n(&wrk_all[u].nsess, __ATOMIC_RELAXED);
	return (n);
}

/*--------------------------------------------------------------------
 * Add every worker's counters into cs.
 */

static void
wrk_sum(struct counters *cs)
{
	unsigned u, c;

	for (u = 0; u < wrk_n; u++)
		for (c = 0; c < CNT__MAX; c++)
			cs->c[c] += __atomic_load_n(&wrk_all[u].cnt.c[c],
			    __ATOMIC_RELAXED);
}

/*--------------------------------------------------------------------
 * Idle waiter thread: give a session with a complete head to the
 * least-loaded worker.  0, or -1 when every worker is at its limit (the
 * caller still owns the session).
 */

int
WRK_Dispatch(struct sess *sp)
{
	struct worker *wrk, *best = NULL;
	unsigned u, n, bestn = ~0U;

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	for (u = 0; u < wrk_n; u++) {
		wrk = &wrk_all[(wrk_next + u) % wrk_n];
		/* seq_cst: ordered after the queue's qlen store (session.c) */
		n = __atomic_load_n(&wrk->nsess, __ATOMIC_SEQ_CST);
		if (n < bestn) {
			best = wrk;
			bestn = n;
		}
	}
	wrk_next++;
	if (best == NULL || bestn >= best->limit)
		return (-1);
	__atomic_fetch_add(&best->nsess, 1, __ATOMIC_RELAXED);
	WAIT_Leave(&sp->wp);		/* the idle waiter's port forgets it */
	sp->wrk = best;
	sp->wp.func = wrk_sess_cb;
	if (WAIT_Task(best->w, &sp->wp) != 0) {
		__atomic_fetch_sub(&best->nsess, 1, __ATOMIC_RELAXED);
		sp->wrk = NULL;
		return (-1);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * A session leaves its worker: back to the idle waiter (SC_NULL), or
 * closed with the reason given.
 */

void
WRK_Release(struct worker *wrk, struct sess **spp, enum sess_close sc)
{
	struct sess *sp;

	TAKE_OBJ_NOTNULL(sp, spp, SESS_MAGIC);
	CHECK_OBJ_NOTNULL(wrk, WORKER_MAGIC);
	assert(sp->wrk == wrk);
	AZ(sp->txn);
	if (sc == SC_NULL)
		SES_Wait(sp);
	else
		SES_Delete(&sp, sc);
	__atomic_fetch_sub(&wrk->nsess, 1, __ATOMIC_SEQ_CST);
	/*
	 * Room for a queued request -- but not once draining: after
	 * WRK_Quiesce the idle waiters go (SES_WaitFini), and every
	 * worker has seen g_draining by then.
	 */
	if (!__atomic_load_n(&g_draining, __ATOMIC_ACQUIRE))
		SES_QueueKick();
}

/*--------------------------------------------------------------------
 * Answer a bad head and close.
 */

static void
wrk_reject(struct worker *wrk, struct sess *sp, enum htc_status hs)
{

	SES_Refuse(sp, SES_HtcStatus(hs), SC_BAD_REQ);
	WRK_Release(wrk, &sp, SC_BAD_REQ);
}

/*--------------------------------------------------------------------
 * Look at what the client has sent since the last response: a complete
 * head starts the next request, part of one waits for the rest (until
 * timeout_req from its first byte), nothing lingers.
 */

static void
wrk_next_req(struct worker *wrk, struct sess *sp, enum htc_status hs,
    tim_mono now)
{
	const struct conf *conf = sp->conf;

	switch (hs) {
	case HTC_COMPLETE:
		SPL_Drop(sp);
		SES_ReqStart(sp, now);
		sp->t_ready = now;
		PX_Start(wrk, sp, now);
		return;
	case HTC_MORE:
		break;
	case HTC_EOF:
		WRK_Release(wrk, &sp, SC_REM_CLOSE);
		return;
	case HTC_ERROR:
		WRK_Release(wrk, &sp, SC_RX_ERROR);
		return;
	default:
		wrk_reject(wrk, sp, hs);
		return;
	}
	sp->wp.events = POLLIN;
	if (HTC_Avail(&sp->htc) > 0) {
		if (SES_Partial(sp) != 0) {
			WRK_Release(wrk, &sp, SC_PARTIAL_LIMIT);
			return;
		}
		SES_ReqStart(sp, now);
		sp->wp.he.key = SES_ReqDeadline(sp);
	} else {
		sp->t_req = 0.;
		sp->wp.he.key = now + conf->timeout_linger;
	}
	if (WAIT_Again(wrk->w, &sp->wp) != 0)
		WRK_Release(wrk, &sp, SC_OVERLOAD);
}

/*--------------------------------------------------------------------
 * A response is complete and the session stays open: serve what is
 * pipelined, else linger.  Worker thread.
 */

void
WRK_Done(struct worker *wrk, struct sess *sp)
{
	tim_mono now = WAIT_Now(wrk->w);

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	AZ(sp->txn);
	AZ(sp->wp.w);		/* the request left nothing armed */
	sp->wp.func = wrk_sess_cb;
	sp->t_req = 0.;
	if (__atomic_load_n(&g_draining, __ATOMIC_RELAXED)) {
		WRK_Release(wrk, &sp, SC_SHUTDOWN);
		return;
	}
	wrk_next_req(wrk, sp, HTC_Parse(&sp->htc, H1_REQUEST,
	    &sp->conf->limits), now);
}

/*--------------------------------------------------------------------
 * Events for a session the worker owns.  While a request runs they go
 * to proxy.c (which installs its own callback); here only the hand-over
 * from the idle waiter and the linger between requests.
 */

static void
wrk_sess_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct sess *sp;
	struct worker *wrk;
	enum sess_close sc;

	CAST_OBJ_NOTNULL(sp, wp->priv, SESS_MAGIC);
	wrk = sp->wrk;
	CHECK_OBJ_NOTNULL(wrk, WORKER_MAGIC);
	AZ(sp->txn);
	switch (ev) {
	case WAITER_TASK:
		PX_Start(wrk, sp, now);
		return;
	case WAITER_ACTION:
	case WAITER_REMCLOSE:
		wrk_next_req(wrk, sp, HTC_Rx(&sp->htc, wrk->hp, sp->fd,
		    H1_REQUEST, &sp->conf->limits), now);
		return;
	case WAITER_TIMEOUT:
		if (HTC_Avail(&sp->htc) > 0) {
			sc = SES_ReqExpired(sp, now);
			SES_Refuse(sp, 408, sc);
			WRK_Release(wrk, &sp, sc);
		} else
			WRK_Release(wrk, &sp, SC_NULL);	/* quiet: to the waiter */
		return;
	default:
		WRK_Release(wrk, &sp, SC_SHUTDOWN);
		return;
	}
}

/*--------------------------------------------------------------------
 * The loop of worker n modulo their number (health.c gives each probe
 * one), or NULL before the workers start.  Main thread.
 */

struct waiter *
WRK_WaiterAt(unsigned n)
{

	if (wrk_n == 0)
		return (NULL);
	return (wrk_all[n % wrk_n].w);
}

/*--------------------------------------------------------------------
 * After each batch of events: write out access log lines that waited
 * long enough.
 */

static void
wrk_tick(struct waiter *w, void *priv, tim_mono now)
{

	(void)w;
	(void)priv;
	ALOG_Flush(now);
}

/*--------------------------------------------------------------------
 * Drain: make sure every worker has seen g_draining.  A task runs on
 * each worker's own thread between two callbacks, so once all have
 * answered, no worker is half-way through handing a session to the idle
 * waiter, and none will start: the idle waiter can go.  Main thread.
 */

static unsigned wrk_quiet;		/* atomic: workers that answered */

static void
wrk_barrier_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{

	(void)wp;
	(void)ev;
	(void)now;
	__atomic_fetch_add(&wrk_quiet, 1, __ATOMIC_RELEASE);
}

void
WRK_Quiesce(void)
{
	unsigned u, sent = 0;

	AN(__atomic_load_n(&g_draining, __ATOMIC_ACQUIRE));
	__atomic_store_n(&wrk_quiet, 0, __ATOMIC_RELAXED);
	for (u = 0; u < wrk_n; u++) {
		WAIT_INIT(&wrk_all[u].barrier, -1, wrk_barrier_cb, NULL);
		if (WAIT_Task(wrk_all[u].w, &wrk_all[u].barrier) == 0)
			sent++;
	}
	while (__atomic_load_n(&wrk_quiet, __ATOMIC_ACQUIRE) < sent)
		TIM_sleep(0.001);
}

/*--------------------------------------------------------------------
 * A backend was drained: every worker closes its idle connections to it
 * (BE_Sweep), on its own thread.  Any thread (the admin thread).  A
 * worker whose sweep is still on its way gets no second one: the flag
 * is cleared before the sweep reads the backends' state, so a drain
 * stored before the flag is tested is seen by that sweep.
 */

static void
wrk_sweep_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct worker *wrk;

	(void)now;
	CAST_OBJ_NOTNULL(wrk, wp->priv, WORKER_MAGIC);
	__atomic_store_n(&wrk->sweeping, 0, __ATOMIC_SEQ_CST);
	if (ev == WAITER_TASK)
		BE_Sweep(wrk);
}

void
WRK_Sweep(void)
{
	struct worker *wrk;
	unsigned u, zero;

	for (u = 0; u < wrk_n; u++) {
		wrk = &wrk_all[u];
		zero = 0;
		if (!__atomic_compare_exchange_n(&wrk->sweeping, &zero, 1, 0,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			continue;
		WAIT_INIT(&wrk->sweep, -1, wrk_sweep_cb, wrk);
		if (WAIT_Task(wrk->w, &wrk->sweep) != 0)
			__atomic_store_n(&wrk->sweeping, 0, __ATOMIC_SEQ_CST);
	}
}

/*--------------------------------------------------------------------
 * Start the workers.
 */

int
WRK_Init(const struct conf *conf)
{
	struct worker *wrk;
	char name[24];
	unsigned u;

	CHECK_OBJ_NOTNULL(conf, CONF_MAGIC);
	AN(conf->workers);
	wrk_all = calloc(conf->workers, sizeof *wrk_all);
	if (wrk_all == NULL)
		return (-1);
	for (u = 0; u < conf->workers; u++) {
		wrk = &wrk_all[u];
		wrk->magic = WORKER_MAGIC;
		wrk->idx = u;
		wrk->limit = conf->worker_sessions;
		wrk->hp = HTC_PoolNew(FRONTD_BUFSIZE(conf), 32);
		if (wrk->hp == NULL)
			return (-1);
		(void)snprintf(name, sizeof name, "worker%u", u);
		wrk->w = WAIT_New(name, wrk, wrk_tick);
		if (wrk->w == NULL)
			return (-1);
		wrk_n++;
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Stop the workers: everything they hold is closed (WAITER_CLOSE).
 */

void
WRK_Fini(void)
{
	unsigned u;
	struct waiter *w;

	for (u = 0; u < wrk_n; u++) {
		/* the loop still uses wrk->w while it closes what it holds */
		w = wrk_all[u].w;
		WAIT_Destroy(&w);
		wrk_all[u].w = NULL;
		BE_WorkerFini(&wrk_all[u]);
		PX_WorkerFini(&wrk_all[u]);
		HTC_PoolDestroy(&wrk_all[u].hp);
	}
	free(wrk_all);
	wrk_all = NULL;
	wrk_n = 0;
}

/*--------------------------------------------------------------------
 * The workers' part of a stats snapshot.
 */

void
WRK_Stats(struct stats *st)
{
	unsigned u, n;

	st->workers = wrk_n;
	for (u = 0; u < wrk_n; u++) {
		n = __atomic_load_n(&wrk_all[u].nsess, __ATOMIC_RELAXED);
		st->sessions_busy += n;
		if (n > 0)
			st->workers_busy++;
		STAT_AddWaiter(st, wrk_all[u].w);
		BE_Stats(&wrk_all[u], st);
	}
	wrk_sum(&st->c);
}
