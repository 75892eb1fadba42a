/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * bpool.c -- backend connections and their pools, one pool per backend
 * per worker.  (The backend itself, shared by every worker, is in
 * backend.c.)
 *
 * A worker owns its pools outright, so taking or returning a connection
 * takes no lock.  Idle connections wait in the worker's own event loop
 * with POLLIN armed and the pool's idle deadline: a remote close, stray
 * bytes or the deadline remove them, so a worker rarely picks a dead one.
 * They are reused most recent first (Varnish cache_conn_pool.c, nginx's
 * upstream keepalive): the most recently used connection is the least
 * likely to have been closed by the backend's own idle timer.
 *
 * A worker with no idle connection of its own takes one from a sibling's
 * pool of the same backend before it connects (HAProxy's takeover), so
 * a server sees about as many connections as requests in flight, not
 * that times the workers.  This is the one thing a pool shares: its idle
 * list is under a mutex, uncontended unless a sibling is taking.  The
 * taker marks the connection stolen and unlinks it; the fd stays armed
 * in the owner's loop, which only its thread may touch, so a task asks
 * the owner to let go (cancel, dissociate) and a second task brings the
 * connection to the taker's loop.  Two hand-offs cost less than a
 * connect and, above all, keep the server's connection count down.
 *
 * A pool belongs to a backend (backend.c: one per name and address), not
 * to a configuration.  When a request arrives on a newer configuration
 * (after a reload), the worker moves the pools of the backends it still
 * has to its new table, connections and all, and retires the others:
 * their idle connections are closed at once, busy ones when their
 * request ends, and the pool is freed when the last is gone.  A pool
 * holds a reference to the configuration its settings come from.
 *
 * A backend the admin API drains (or puts in maintenance) keeps no idle
 * connection: one whose request ends is closed instead of pooled, and
 * those already idle are closed by a task on each worker's own loop
 * (WRK_Sweep), since only that thread may touch its pools.  The backend
 * counts the connections open to it on every worker (BE_C_conns), so
 * "no request in flight and no connection open" is exact, and a deploy
 * script waiting for it is answered as soon as it holds.  Rejected:
 * dropping them when the pool is next used plus a periodic sweep (a
 * drained backend's pool is never used again, so the wait would be a
 * sweep period long), and letting them idle out (idle_timeout later).
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frontd.h"
#include "backend.h"
#include "conf.h"
#include "log.h"
#include "stats.h"

/*
 * Counters per backend name, per worker.  A name gets a slot the first
 * time any worker makes a pool for it and keeps it across reloads, so
 * the counters of a backend never go backwards.
 */
struct be_cnt {
	uint64_t		opened;
	uint64_t		reused;
	uint64_t		closed;
	uint64_t		failed;
	uint64_t		retried;
	uint64_t		taken;		/* from a sibling's pool */
	uint64_t		idle;		/* gauge */
};

static pthread_mutex_t	be_slot_mtx = PTHREAD_MUTEX_INITIALIZER;
static char		be_slot_name[STAT_MAXBACKEND][64];
static unsigned		be_nslot;

/* Written by the pool's own worker only; read by STAT_Get. */
#define BE_INC(bp, f)	CNT_ADD1(&(bp)->cnt->f, 1)
#define BE_DEC(bp, f)	CNT_ADD1(&(bp)->cnt->f, (uint64_t)-1)

struct bpool {
	unsigned			magic;
#define BPOOL_MAGIC			0x42504f4c
	struct be_cnt			*cnt;	/* this worker's, this name's */
	struct worker			*wrk;
	const struct conf_backend	*be;	/* in conf */
	struct conf			*conf;
	struct backend			*rt;	/* be->rt, for good */
	struct bpool			*snext;	/* rt->pools, rt->pmtx */
	pthread_mutex_t			mtx;	/* idle, retired (takers);
						   nidle changes under it */
	struct bconn			*idle;	/* most recent first */
	unsigned			nidle;	/* atomic read */
	unsigned			refs;	/* table + connections */
	unsigned			retired;
};

struct be_worker {
	unsigned		magic;
#define BE_WORKER_MAGIC		0x42455752
	struct conf		*conf;
	unsigned		n;
	struct bpool		**bp;
	struct be_cnt		cnt[STAT_MAXBACKEND + 1];	/* last: overflow */
};

static void be_idle_cb(struct waited *, enum wait_event, tim_mono);
static void be_xfer_give(struct waited *, enum wait_event, tim_mono);
static void be_xfer_take(struct waited *, enum wait_event, tim_mono);

/*--------------------------------------------------------------------
 * Drop one reference to a pool; free it with the last.
 */

static void
be_pool_rel(struct bpool **bpp)
{
	struct bpool *bp;

	struct bpool **pp;

	TAKE_OBJ_NOTNULL(bp, bpp, BPOOL_MAGIC);
	assert(bp->refs > 0);
	if (--bp->refs > 0)
		return;
	AZ(bp->idle);
	AZ(pthread_mutex_lock(&bp->rt->pmtx));
	for (pp = &bp->rt->pools; *pp != bp; pp = &(*pp)->snext)
		AN(*pp);
	*pp = bp->snext;
	AZ(pthread_mutex_unlock(&bp->rt->pmtx));
	AZ(pthread_mutex_destroy(&bp->mtx));
	CONF_Rel(&bp->conf);	/* bp->rt lives as long as a conf has it */
	FREE_OBJ(bp);
}

/*--------------------------------------------------------------------
 * Close a connection and free it.
 */

static void
be_free(struct bconn *bc)
{
	struct bpool *bp;

	CHECK_OBJ_NOTNULL(bc, BCONN_MAGIC);
	bp = bc->pool;
	HTC_Fini(&bc->htc, WRK_HtcPool(bp->wrk));
	WAIT_Leave(&bc->wp);
	(void)close(bc->fd);
	BE_CDEC(&bp->be->rt->cnt, conns);
	CNT_INC1(WRK_Counters(bp->wrk), bconn_closed);
	BE_INC(bp, closed);
	FREE_OBJ(bc);
	be_pool_rel(&bp);
}

/*--------------------------------------------------------------------
 * Unlink an idle connection from its pool's list (bp->mtx held).  The
 * idle gauge is the owning worker's to move.
 */

static void
be_unlink(struct bconn *bc)
{
	struct bpool *bp = bc->pool;

	AN(bc->idle);
	if (bc->prev != NULL)
		bc->prev->next = bc->next;
	else
		bp->idle = bc->next;
	if (bc->next != NULL)
		bc->next->prev = bc->prev;
	bc->next = bc->prev = NULL;
	bc->idle = 0;
	__atomic_store_n(&bp->nidle, bp->nidle - 1, __ATOMIC_RELAXED);
}

/*--------------------------------------------------------------------
 * The most recent idle connection of a pool, unlinked, or NULL.  The
 * owning worker.
 */

static struct bconn *
be_pop(struct bpool *bp)
{
	struct bconn *bc;

	AZ(pthread_mutex_lock(&bp->mtx));
	bc = bp->idle;
	if (bc != NULL)
		be_unlink(bc);
	AZ(pthread_mutex_unlock(&bp->mtx));
	if (bc != NULL)
		BE_DEC(bp, idle);
	return (bc);
}

/*--------------------------------------------------------------------
 * Close the idle connections of a pool.
 */

static void
be_close_idle(struct bpool *bp)
{
	struct bconn *bc;

	while ((bc = be_pop(bp)) != NULL) {
		WAIT_Cancel(WRK_Waiter(bp->wrk), &bc->wp);
		be_free(bc);
	}
}

/*--------------------------------------------------------------------
 * Close the idle connections of every backend that is not ready (the
 * admin API drained it).  Worker thread: WRK_Sweep's task.
 */

void
BE_Sweep(struct worker *wrk)
{
	struct be_worker *bw;
	unsigned u;

	bw = *WRK_Bpool(wrk);
	if (bw == NULL)
		return;
	CHECK_OBJ_NOTNULL(bw, BE_WORKER_MAGIC);
	for (u = 0; u < bw->n; u++)
		if (bw->bp[u] != NULL &&
		    BE_ADMIN(bw->bp[u]->be->rt) != BE_ADM_READY)
			be_close_idle(bw->bp[u]);
}

/*--------------------------------------------------------------------
 * Retire a pool: close its idle connections now, let busy ones finish,
 * and drop the table's reference.
 */

static void
be_retire1(struct bpool **bpp)
{
	struct bpool *bp = *bpp;

	CHECK_OBJ_NOTNULL(bp, BPOOL_MAGIC);
	AZ(pthread_mutex_lock(&bp->mtx));
	bp->retired = 1;		/* nothing to take from it any more */
	AZ(pthread_mutex_unlock(&bp->mtx));
	be_close_idle(bp);
	be_pool_rel(bpp);
}

/*--------------------------------------------------------------------
 * Retire every pool of a worker's table (the worker stops).
 */

static void
be_retire(struct be_worker *bw)
{
	unsigned u;

	for (u = 0; u < bw->n; u++)
		if (bw->bp[u] != NULL)
			be_retire1(&bw->bp[u]);
	free(bw->bp);
	bw->bp = NULL;
	bw->n = 0;
	if (bw->conf != NULL)
		CONF_Rel(&bw->conf);
}

/*--------------------------------------------------------------------
 * Index in conf of the backend of pool bp (the same shared backend: the
 * same name and address), or -1.
 */

static int
be_find(const struct conf *conf, const struct bpool *bp)
{
	unsigned u;

	for (u = 0; u < conf->nbackend; u++)
		if (conf->backend[u].rt == bp->be->rt)
			return ((int)u);
	return (-1);
}

/*--------------------------------------------------------------------
 * A newer configuration: keep the pools of the backends it still has,
 * with their connections, under its settings; retire the others.
 */

static int
be_move(struct be_worker *bw, struct conf *conf)
{
	struct bpool **nbp, *bp;
	unsigned u;
	int i;

	nbp = calloc(conf->nbackend, sizeof *nbp);
	if (nbp == NULL)
		return (-1);
	for (u = 0; u < bw->n; u++) {
		if ((bp = bw->bp[u]) == NULL)
			continue;
		i = be_find(conf, bp);
		if (i < 0) {
			be_retire1(&bw->bp[u]);
			continue;
		}
		nbp[i] = bp;
		bp->be = &conf->backend[i];
		CONF_Rel(&bp->conf);
		bp->conf = CONF_Ref(conf);
	}
	free(bw->bp);
	bw->bp = nbp;
	bw->n = conf->nbackend;
	if (bw->conf != NULL)
		CONF_Rel(&bw->conf);
	bw->conf = CONF_Ref(conf);
	return (0);
}

/*--------------------------------------------------------------------
 * A request of an older configuration than the worker's (it waited in a
 * queue across a reload): the pool of the same backend, if the newer
 * configuration still has it, else NULL.
 */

static struct bpool *
be_old(const struct be_worker *bw, const struct conf *conf, unsigned idx)
{
	unsigned u;

	for (u = 0; u < bw->n; u++)
		if (bw->bp[u] != NULL &&
		    bw->bp[u]->be->rt == conf->backend[idx].rt)
			return (bw->bp[u]);
	return (NULL);
}

/*--------------------------------------------------------------------
 * The counter slot of a backend name (STAT_MAXBACKEND when full).
 */

static unsigned
be_slot(const char *name)
{
	unsigned u;

	AZ(pthread_mutex_lock(&be_slot_mtx));
	for (u = 0; u < be_nslot; u++)
		if (!strcmp(be_slot_name[u], name))
			break;
	if (u == be_nslot && u < STAT_MAXBACKEND) {
		(void)snprintf(be_slot_name[u], sizeof be_slot_name[u], "%s",
		    name);
		__atomic_store_n(&be_nslot, u + 1, __ATOMIC_RELEASE);
	}
	AZ(pthread_mutex_unlock(&be_slot_mtx));
	return (u);
}

/*--------------------------------------------------------------------
 * Add every worker's backend counters into st (any thread).
 */

void
BE_Stats(struct worker *wrk, struct stats *st)
{
	const struct be_worker *bw;
	const struct be_cnt *c;
	struct stats_backend *sb;
	unsigned u, n;

	n = __atomic_load_n(&be_nslot, __ATOMIC_ACQUIRE);
	if (st->nbackend < n) {
		for (u = st->nbackend; u < n; u++)
			(void)snprintf(st->be[u].name, sizeof st->be[u].name,
			    "%s", be_slot_name[u]);
		st->nbackend = n;
	}
	bw = __atomic_load_n(WRK_Bpool(wrk), __ATOMIC_ACQUIRE);
	if (bw == NULL)
		return;
	for (u = 0; u < n; u++) {
		c = &bw->cnt[u];
		sb = &st->be[u];
		sb->opened += __atomic_load_n(&c->opened, __ATOMIC_RELAXED);
		sb->reused += __atomic_load_n(&c->reused, __ATOMIC_RELAXED);
		sb->closed += __atomic_load_n(&c->closed, __ATOMIC_RELAXED);
		sb->failed += __atomic_load_n(&c->failed, __ATOMIC_RELAXED);
		sb->retried += __atomic_load_n(&c->retried, __ATOMIC_RELAXED);
		sb->taken += __atomic_load_n(&c->taken, __ATOMIC_RELAXED);
		sb->idle += (unsigned)__atomic_load_n(&c->idle,
		    __ATOMIC_RELAXED);
	}
}

/*--------------------------------------------------------------------
 * Count a connection that failed after connect() started.
 */

void
BE_CountFail(struct bpool *bp)
{

	CHECK_OBJ_NOTNULL(bp, BPOOL_MAGIC);
	CNT_INC1(WRK_Counters(bp->wrk), bconn_failed);
	BE_INC(bp, failed);
}

/*--------------------------------------------------------------------
 * Count a request sent again on a fresh connection.
 */

void
BE_CountRetry(struct bpool *bp)
{

	CHECK_OBJ_NOTNULL(bp, BPOOL_MAGIC);
	BE_INC(bp, retried);
}

/*--------------------------------------------------------------------
 * The pool for backend idx of conf on this worker (worker thread).
 */

struct bpool *
BE_Pool(struct worker *wrk, struct conf *conf, unsigned idx)
{
	struct be_worker *bw;
	struct bpool *bp;
	struct be_worker **pp;

	CHECK_OBJ_NOTNULL(conf, CONF_MAGIC);
	assert(idx < conf->nbackend);
	pp = WRK_Bpool(wrk);
	if (*pp == NULL) {
		ALLOC_OBJ(bw, BE_WORKER_MAGIC);
		if (bw == NULL)
			return (NULL);
		__atomic_store_n(pp, bw, __ATOMIC_RELEASE);	/* BE_Stats */
	}
	CAST_OBJ_NOTNULL(bw, *pp, BE_WORKER_MAGIC);
	if (bw->conf != conf && bw->conf != NULL && conf->gen < bw->conf->gen)
		return (be_old(bw, conf, idx));
	if (bw->conf != conf && be_move(bw, conf))
		return (NULL);
	if (bw->bp[idx] == NULL) {
		ALLOC_OBJ(bp, BPOOL_MAGIC);
		if (bp == NULL)
			return (NULL);
		bp->wrk = wrk;
		bp->conf = CONF_Ref(conf);
		bp->be = &conf->backend[idx];
		bp->cnt = &bw->cnt[be_slot(bp->be->name)];
		bp->refs = 1;
		AZ(pthread_mutex_init(&bp->mtx, NULL));
		bp->rt = bp->be->rt;
		CHECK_OBJ_NOTNULL(bp->rt, BACKEND_MAGIC);
		AZ(pthread_mutex_lock(&bp->rt->pmtx));
		bp->snext = bp->rt->pools;
		bp->rt->pools = bp;
		AZ(pthread_mutex_unlock(&bp->rt->pmtx));
		bw->bp[idx] = bp;
	}
	return (bw->bp[idx]);
}

/*--------------------------------------------------------------------
 * Free a worker's pools once its event loop is gone (WAITER_CLOSE has
 * already closed every idle connection).
 */

void
BE_WorkerFini(struct worker *wrk)
{
	struct be_worker *bw;
	struct be_worker **pp;

	pp = WRK_Bpool(wrk);
	if (*pp == NULL)
		return;
	CAST_OBJ_NOTNULL(bw, *pp, BE_WORKER_MAGIC);
	be_retire(bw);
	FREE_OBJ(bw);
	__atomic_store_n(pp, NULL, __ATOMIC_RELEASE);
}

const struct conf_backend *
BE_Conf(const struct bpool *bp)
{

	CHECK_OBJ_NOTNULL(bp, BPOOL_MAGIC);
	return (bp->be);
}

/*--------------------------------------------------------------------
 * Start a new connection to the pool's backend.
 */

static struct bconn *
be_connect(struct bpool *bp, int *connecting)
{
	struct sockaddr_storage ss;
	struct bconn *bc;
	socklen_t sl;
	unsigned gen;
	int fd, one = 1;

	if (BE_Addr(bp->be->rt, &ss, &sl, &gen) != 0) {
		errno = EADDRNOTAVAIL;	/* its name does not resolve */
		return (NULL);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (NULL);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	*connecting = 0;
	if (connect(fd, (const struct sockaddr *)&ss, sl) != 0) {
		if (errno != EINPROGRESS) {
			CNT_INC1(WRK_Counters(bp->wrk), bconn_failed);
			BE_INC(bp, failed);
			(void)close(fd);
			return (NULL);
		}
		*connecting = 1;
	}
	ALLOC_OBJ(bc, BCONN_MAGIC);
	if (bc == NULL) {
		(void)close(fd);
		return (NULL);
	}
	bc->fd = fd;
	BE_CINC(&bp->be->rt->cnt, conns);
	bc->ka = -1;
	bc->pool = bp;
	bc->addr = ss;
	bc->agen = gen;
	WAIT_INIT(&bc->wp, fd, NULL, NULL);
	HTC_Init(&bc->htc);
	bp->refs++;
	CNT_INC1(WRK_Counters(bp->wrk), bconn_opened);
	BE_INC(bp, opened);
	return (bc);
}

/*--------------------------------------------------------------------
 * Is a connection's address gone from its backend's name (the name now
 * resolves to others)?  One atomic load while nothing changed.
 */

static int
be_gone(struct bconn *bc)
{
	struct backend *be = bc->pool->be->rt;

	if (bc->agen == BE_AGEN(be))
		return (0);
	return (!BE_AddrLive(be, &bc->addr, &bc->agen));
}

/*--------------------------------------------------------------------
 * Takeover, the taker's half: mark the most recent idle connection of a
 * sibling's pool of the same backend stolen, unlink it, and ask its
 * worker to let go of it.  1 if one is on its way.
 */

static int
be_take(struct bpool *bp, be_take_f *cb, void *priv)
{
	struct backend *rt = bp->rt;
	struct bpool *sp;
	struct bconn *bc = NULL;

	if (bp->be->send_proxy != 0 ||
	    __atomic_load_n(&g_draining, __ATOMIC_RELAXED))
		return (0);	/* nothing pooled; or siblings stopping */
	AZ(pthread_mutex_lock(&rt->pmtx));
	for (sp = rt->pools; sp != NULL && bc == NULL; sp = sp->snext) {
		if (sp->wrk == bp->wrk ||
		    pthread_mutex_trylock(&sp->mtx) != 0)
			continue;	/* busy: try the next */
		if (!sp->retired && (bc = sp->idle) != NULL) {
			be_unlink(bc);
			bc->stolen = 1;
			bc->taker = bp;
			bc->take_cb = cb;
			bc->take_priv = priv;
		}
		AZ(pthread_mutex_unlock(&sp->mtx));
	}
	AZ(pthread_mutex_unlock(&rt->pmtx));
	if (bc == NULL)
		return (0);
	bp->refs++;		/* bc's, once it is here */
	WAIT_INIT(&bc->xfer, -1, be_xfer_give, bc);
	while (WAIT_Task(WRK_Waiter(bc->pool->wrk), &bc->xfer) != 0) {
		assert(errno == EAGAIN || errno == ENOMEM);
		TIM_sleep(0.001);	/* its queue is full: rare, short */
	}
	return (1);
}

/*--------------------------------------------------------------------
 * Takeover, on the giving worker's loop: take the connection out of
 * this loop (it may have fired meanwhile: then it is dead), forget its
 * fd here, and send it to the taker's loop.
 */

static void
be_xfer_give(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct bconn *bc;
	struct bpool *bp;

	(void)now;
	CAST_OBJ_NOTNULL(bc, wp->priv, BCONN_MAGIC);
	bp = bc->pool;
	AN(bc->stolen);
	if (bc->wp.w != NULL)
		WAIT_Cancel(WRK_Waiter(bp->wrk), &bc->wp);
	if (ev != WAITER_TASK)
		bc->dead = 1;
	BE_DEC(bp, idle);
	HTC_Fini(&bc->htc, WRK_HtcPool(bp->wrk));	/* holds no byte */
	HTC_Init(&bc->htc);
	WAIT_Leave(&bc->wp);
	bc->pool = bc->taker;
	be_pool_rel(&bp);
	bc->xfer.func = be_xfer_take;
	while (WAIT_Task(WRK_Waiter(bc->pool->wrk), &bc->xfer) != 0) {
		assert(errno == EAGAIN || errno == ENOMEM);
		TIM_sleep(0.001);
	}
}

/*--------------------------------------------------------------------
 * Takeover, on the taker's loop: the connection is ours, not armed; give
 * it to the request that asked, or NULL if it died on the way.
 */

static void
be_xfer_take(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct bconn *bc;
	struct bpool *bp;
	be_take_f *cb;
	void *priv;

	CAST_OBJ_NOTNULL(bc, wp->priv, BCONN_MAGIC);
	bp = bc->pool;
	CHECK_OBJ_NOTNULL(bp, BPOOL_MAGIC);
	cb = bc->take_cb;
	priv = bc->take_priv;
	bc->stolen = 0;
	bc->taker = NULL;
	bc->take_cb = NULL;
	bc->take_priv = NULL;
	if (ev != WAITER_TASK || bc->dead || be_gone(bc)) {
		be_free(bc);
		bc = NULL;
	} else {
		bc->reused = 1;
		CNT_INC1(WRK_Counters(bp->wrk), bconn_reused);
		BE_INC(bp, reused);
		BE_INC(bp, taken);
	}
	cb(priv, bc, now);
}

/*--------------------------------------------------------------------
 * A connection for a request: the most recent idle one, or one taken
 * from a sibling (cb), or a new one.
 */

struct bconn *
BE_Get(struct bpool *bp, int fresh, int *connecting, be_take_f *cb,
    void *priv)
{
	struct bconn *bc;

	CHECK_OBJ_NOTNULL(bp, BPOOL_MAGIC);
	bc = NULL;
	while (!fresh && (bc = be_pop(bp)) != NULL && be_gone(bc)) {
		WAIT_Cancel(WRK_Waiter(bp->wrk), &bc->wp);
		be_free(bc);
	}
	if (bc == NULL && !fresh && cb != NULL && be_take(bp, cb, priv)) {
		*connecting = BE_TAKING;
		return (NULL);
	}
	if (bc == NULL)
		return (be_connect(bp, connecting));
	CHECK_OBJ_NOTNULL(bc, BCONN_MAGIC);
	/*
	 * It stays armed for POLLIN in this worker's loop: the response will
	 * need exactly that, so reusing it costs no system call.  The caller
	 * sets the callback; an event already fired (the backend closed it
	 * just now) shows up as EOF before any response byte, and is retried.
	 */
	bc->reused = 1;
	*connecting = 0;
	CNT_INC1(WRK_Counters(bp->wrk), bconn_reused);
	BE_INC(bp, reused);
	return (bc);
}

/*--------------------------------------------------------------------
 * Close a connection that carried a request.
 */

void
BE_Close(struct bconn **bcp)
{
	struct bconn *bc;

	TAKE_OBJ_NOTNULL(bc, bcp, BCONN_MAGIC);
	AZ(bc->idle);
	assert(bc->wp.w == NULL);
	be_free(bc);
}

/*--------------------------------------------------------------------
 * How long an idle connection may wait in the pool: idle_timeout, or
 * less when the server said it closes sooner ("Keep-Alive: timeout=N"),
 * with a margin (a quarter of N, at most 1 s) so that a request is never
 * sent on a connection the server is closing -- the commonest cause of a
 * 502 on a POST, which cannot be retried.
 */

static tim_dur
be_idle_time(const struct bconn *bc)
{
	tim_dur t = bc->pool->be->idle_timeout, ka;

	if (bc->ka < 0)
		return (t);
	ka = bc->ka;
	ka -= ka / 4. < 1. ? ka / 4. : 1.;
	return (ka < t ? ka : t);
}

/*--------------------------------------------------------------------
 * Give a connection whose response was read completely back to its
 * pool, to wait in the worker's loop until reused, closed by the
 * backend, or idle too long.
 */

void
BE_Recycle(struct bconn **bcp)
{
	struct bconn *bc;
	struct bpool *bp;
	tim_dur idle;

	TAKE_OBJ_NOTNULL(bc, bcp, BCONN_MAGIC);
	assert(bc->wp.w == NULL);
	bp = bc->pool;
	CHECK_OBJ_NOTNULL(bp, BPOOL_MAGIC);
	/* retired is ours to write; siblings only ever lower nidle */
	if (bp->retired ||
	    __atomic_load_n(&bp->nidle, __ATOMIC_RELAXED) >= bp->be->max_idle ||
	    bp->be->send_proxy != 0 ||	/* one client's header */
	    HTC_Avail(&bc->htc) > 0 || be_gone(bc) ||
	    BE_ADMIN(bp->be->rt) != BE_ADM_READY ||
	    __atomic_load_n(&g_draining, __ATOMIC_RELAXED)) {
		/*
		 * retired pool, full pool, stray bytes after the response,
		 * or a drained backend
		 */
		be_free(bc);
		return;
	}
	idle = be_idle_time(bc);
	if (idle <= 0.) {
		be_free(bc);		/* the server closes it at once */
		return;
	}
	bc->wp.func = be_idle_cb;
	bc->wp.priv = bc;
	bc->wp.events = POLLIN;
	bc->wp.he.key = WAIT_Now(WRK_Waiter(bp->wrk)) + idle;
	if (WAIT_Again(WRK_Waiter(bp->wrk), &bc->wp) != 0) {
		be_free(bc);
		return;
	}
	AZ(pthread_mutex_lock(&bp->mtx));
	bc->idle = 1;
	bc->prev = NULL;
	bc->next = bp->idle;
	if (bc->next != NULL)
		bc->next->prev = bc;
	bp->idle = bc;
	__atomic_store_n(&bp->nidle, bp->nidle + 1, __ATOMIC_RELAXED);
	AZ(pthread_mutex_unlock(&bp->mtx));
	BE_INC(bp, idle);
}

/*--------------------------------------------------------------------
 * An idle connection woke up: the backend closed it, sent stray bytes,
 * or it idled out.  Either way it is done.
 */

static void
be_idle_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct bconn *bc;
	struct bpool *bp;

	(void)ev;
	(void)now;
	CAST_OBJ_NOTNULL(bc, wp->priv, BCONN_MAGIC);
	bp = bc->pool;
	AZ(pthread_mutex_lock(&bp->mtx));
	if (bc->stolen) {
		/* a sibling has it; its hand-over task comes next */
		bc->dead = 1;
		AZ(pthread_mutex_unlock(&bp->mtx));
		return;
	}
	be_unlink(bc);
	AZ(pthread_mutex_unlock(&bp->mtx));
	BE_DEC(bp, idle);
	be_free(bc);
}
