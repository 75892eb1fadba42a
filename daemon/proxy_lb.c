/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * proxy_lb.c -- where a request goes: its route, its director's choice
 * of a backend, a slot of that backend's max_connections, and the wait
 * for one when every member is full.  proxy.c calls in at four points
 * (start, choose, retry, done) and knows nothing of the rest.
 *
 * The route is found as soon as the head is in; the member and its
 * slot only once the body is read (request_buffer), so a slow upload
 * never holds a slot.  A policy that chooses by the head (hash) takes
 * its key while the head is there.
 *
 * Choosing: the director names a member among those up and not tried
 * yet; if that member is at max_connections the next choice is asked for,
 * so a request only waits when every member is full.  It then waits in
 * the queue of the director's first choice (backend.c): without blocking
 * its worker, until a finishing request hands it a slot and wakes it on
 * this worker's loop (pxl_wake), or until queue_timeout, a timer on the
 * same loop (pxl_qtimeout).  Both run on this worker, so the transaction
 * is never touched by two threads; which of them wins is decided under
 * the backend's mutex.
 *
 * Retrying: a connect that fails or is refused sent nothing, so any
 * request may go to another member, up to the director's retries.
 */

#include <string.h>

#include "frontd.h"
#include "conf.h"
#include "director.h"
#include "proxy_priv.h"
#include "route.h"

static void pxl_wake(struct waited *, enum wait_event, tim_mono);
static void pxl_qtimeout(struct waited *, enum wait_event, tim_mono);

/*--------------------------------------------------------------------
 * Take member m of the director, with a slot already held.
 */

static int
pxl_take(struct txn *txn, unsigned m)
{
	const struct dir_member *dm = &txn->cdir->dir->mem[m];

	txn->be = dm->be;
	txn->member = m;
	txn->slot = 1;
	txn->hc_told = 0;
	BE_CINC(&dm->be->cnt, req);
	txn->bp = BE_Pool(txn->wrk, txn->sp->conf, dm->cidx);
	return (txn->bp == NULL ? -1 : 0);
}

/*--------------------------------------------------------------------
 * Choose a member not tried yet and take one of its slots: 0; 1 when
 * every member up is full (txn->be: the first choice, to wait for); -1
 * when no member is up.
 */

static int
pxl_choose(struct txn *txn, const struct dir_req *rq)
{
	struct director *d = txn->cdir->dir;
	uint64_t full = 0;
	int m, first = -1;

	CHECK_OBJ_NOTNULL(d, DIRECTOR_MAGIC);
	while ((m = DIR_Pick(d, rq, txn->tried | full)) >= 0) {
		if (first < 0)
			first = m;
		if (BE_Acquire(d->mem[m].be, NULL, 0) == 1)
			return (pxl_take(txn, (unsigned)m));
		full |= DIR_BIT(m);
	}
	if (first < 0)
		return (-1);
	txn->be = d->mem[first].be;
	txn->member = (unsigned)first;
	return (1);
}

/*--------------------------------------------------------------------
 * What the director looks at, once the head may be gone.
 */

static void
pxl_req(const struct txn *txn, struct dir_req *rq)
{

	memset(rq, 0, sizeof *rq);
	rq->peer = &txn->client;	/* behind trusted proxies */
	rq->key = txn->dkey;
	rq->keyed = txn->dkeyed;
}

/*--------------------------------------------------------------------
 * Route the request (see proxy_priv.h).
 */

unsigned
PXL_Start(struct txn *txn, const struct h1_head *h, const char *base,
    enum sess_close *sc)
{
	const struct conf *c = txn->sp->conf;
	const struct director *d;
	struct dir_req rq;

	CHECK_OBJ_NOTNULL(txn, TXN_MAGIC);
	txn->route = ROUTE_Pick(c, h, base);
	if (txn->route == NULL) {
		*sc = SC_NO_ROUTE;
		return (404);
	}
	txn->cdir = &c->director[txn->route->to];
	d = txn->cdir->dir;
	BE_CINC(d->cnt, req);
	BE_CINC(d->cnt, inflight);
	if (d->m->key != NULL) {
		pxl_req(txn, &rq);
		rq.h = h;
		rq.base = base;
		txn->dkey = d->m->key(d, &rq);
		txn->dkeyed = 1;
	}
	if (!DIR_Any(d)) {		/* no need to read a body first */
		*sc = DIR_AnyUp(d) ? SC_NO_HEALTHY_BACKEND : SC_NO_BACKEND;
		return (503);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Wait for a slot of txn->be.  Worker thread.
 */

static unsigned
pxl_queue(struct txn *txn, tim_mono now, enum sess_close *sc)
{
	struct waiter *w = WRK_Waiter(txn->wrk);
	int r;

	CHECK_OBJ_NOTNULL(txn, TXN_MAGIC);
	AZ(txn->bp);
	AZ(txn->slot);
	CHECK_OBJ_NOTNULL(txn->be, BACKEND_MAGIC);
	txn->qw.magic = BE_WAIT_MAGIC;
	txn->qw.w = w;
	WAIT_INIT(&txn->qw.wake, -1, pxl_wake, txn);
	r = BE_Acquire(txn->be, &txn->qw, txn->cdir->max_queue);
	if (r == 1)
		return (pxl_take(txn, txn->member) ? 503 : 0);
	if (r < 0) {
		BE_CINC(txn->cdir->dir->cnt, queue_full);
		*sc = SC_QUEUE_FULL;
		return (503);
	}
	BE_CINC(txn->cdir->dir->cnt, queued);
	WAIT_INIT(&txn->qtimer, -1, pxl_qtimeout, txn);
	txn->qtimer.he.key = now + txn->cdir->queue_timeout;
	if (WAIT_Again(w, &txn->qtimer) != 0 &&
	    BE_Unqueue(txn->be, &txn->qw)) {
		BE_CADD(txn->cdir->dir->cnt, queued, (uint64_t)-1);
		*sc = SC_OVERLOAD;
		return (503);
	}
	/* else granted meanwhile: the wake-up is on its way */
	return (PXL_QUEUED);
}

/*--------------------------------------------------------------------
 * Choose the member and take a slot, or queue for one (see
 * proxy_priv.h).  Worker thread.
 */

unsigned
PXL_Choose(struct txn *txn, tim_mono now, enum sess_close *sc)
{
	struct dir_req rq;

	CHECK_OBJ_NOTNULL(txn, TXN_MAGIC);
	AZ(txn->bp);
	pxl_req(txn, &rq);
	switch (pxl_choose(txn, &rq)) {
	case 0:
		return (0);
	case 1:
		return (pxl_queue(txn, now, sc));
	default:
		*sc = txn->slot ? SC_OVERLOAD :
		    DIR_AnyUp(txn->cdir->dir) ? SC_NO_HEALTHY_BACKEND :
		    SC_NO_BACKEND;
		return (503);
	}
}

/*--------------------------------------------------------------------
 * A finishing request handed us a slot (on this worker's loop).
 */

static void
pxl_wake(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct txn *txn;

	CAST_OBJ_NOTNULL(txn, wp->priv, TXN_MAGIC);
	AN(txn->qw.granted);
	BE_CADD(txn->cdir->dir->cnt, queued, (uint64_t)-1);
	if (txn->qtimer.w != NULL)
		WAIT_Cancel(WRK_Waiter(txn->wrk), &txn->qtimer);
	if (ev != WAITER_TASK || pxl_take(txn, txn->member) != 0) {
		txn->slot = 1;
		PX_Fail(txn, 503, ev == WAITER_TASK ? SC_OVERLOAD :
		    SC_SHUTDOWN);
		return;
	}
	PX_Resume(txn, now);
}

/*--------------------------------------------------------------------
 * queue_timeout passed (on this worker's loop).  If a slot was handed
 * over meanwhile, its wake-up task is on the way and goes on instead.
 */

static void
pxl_qtimeout(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct txn *txn;

	(void)now;
	CAST_OBJ_NOTNULL(txn, wp->priv, TXN_MAGIC);
	if (!BE_Unqueue(txn->be, &txn->qw))
		return;
	BE_CADD(txn->cdir->dir->cnt, queued, (uint64_t)-1);
	if (ev != WAITER_TIMEOUT) {
		PX_Fail(txn, 0, SC_SHUTDOWN);
		return;
	}
	BE_CINC(&txn->be->cnt, queue_timeout);
	BE_CINC(txn->cdir->dir->cnt, queue_timeout);
	PX_Fail(txn, 503, SC_QUEUE_TIMEOUT);
}

/*--------------------------------------------------------------------
 * A connect failed: another member, if the director allows a retry.
 * Worker thread.  0: txn->bp is the new backend's pool; -1: none.
 */

int
PXL_Retry(struct txn *txn)
{
	struct dir_req rq;

	CHECK_OBJ_NOTNULL(txn, TXN_MAGIC);
	if (txn->cdir == NULL || txn->nretry >= txn->cdir->retries)
		return (-1);
	AN(txn->slot);
	txn->tried |= DIR_BIT(txn->member);
	txn->slot = 0;
	BE_Release(txn->be);
	txn->be = NULL;
	txn->bp = NULL;
	pxl_req(txn, &rq);
	if (pxl_choose(txn, &rq) != 0)
		return (-1);
	txn->nretry++;
	BE_CINC(&txn->be->cnt, retries);
	BE_CINC(txn->cdir->dir->cnt, retries);
	return (0);
}

/*--------------------------------------------------------------------
 * How the backend did, for its passive checks (see proxy_priv.h).
 * Worker thread.
 */

void
PXL_Health(struct txn *txn, int ok, const char *why)
{

	CHECK_OBJ_NOTNULL(txn, TXN_MAGIC);
	if (txn->be == NULL || !txn->slot || txn->hc_told)
		return;
	txn->hc_told = 1;
	if (ok)
		HC_Ok(txn->be);
	else
		HC_Fail(txn->be, why);
}

/*--------------------------------------------------------------------
 * Count a final status for a backend's or a director's counters.
 */

static void
pxl_count(struct be_counters *cnt, unsigned status)
{

	if (status == 0)
		return;
	if (status < 200)
		BE_CINC(cnt, resp_1xx);
	else if (status < 300)
		BE_CINC(cnt, resp_2xx);
	else if (status < 400)
		BE_CINC(cnt, resp_3xx);
	else if (status < 500)
		BE_CINC(cnt, resp_4xx);
	else
		BE_CINC(cnt, resp_5xx);
}

/*--------------------------------------------------------------------
 * The transaction ends, whichever way (worker thread): give the slot
 * back, which may wake a request waiting for it, and count.
 */

void
PXL_Done(struct txn *txn, unsigned status)
{

	CHECK_OBJ_NOTNULL(txn, TXN_MAGIC);
	AZ(txn->qw.prevp);
	if (txn->cdir == NULL)
		return;
	BE_CADD(txn->cdir->dir->cnt, inflight, (uint64_t)-1);
	pxl_count(txn->cdir->dir->cnt, status);
	if (txn->be != NULL && txn->slot) {
		pxl_count(&txn->be->cnt, status);
		txn->slot = 0;
		BE_Release(txn->be);
	}
	txn->cdir = NULL;
}
