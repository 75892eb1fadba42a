/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * waiter.c -- an event loop on one event port: fds, deadlines, callbacks
 * (see waiter.h).
 *
 * One thread sleeps in port_getn() until the nearest deadline of the
 * binary heap.  Every waited it holds is in that heap, a waited without a
 * deadline under the key +INFINITY, so the heap is also the list of what
 * the waiter holds (WAIT_Held, and WAITER_CLOSE at shutdown).  Other
 * threads never touch the heap: they hand a waited over with port_send(),
 * whose code says "enter", "task" or "stop", and the loop thread inserts
 * and associates it itself.  The event port is therefore the only lock on
 * the path, and no allocation happens per event: the waited is embedded in
 * its owner and the batch of events lives in struct waiter.
 *
 * Events are one-shot (event-ports.md section 2.2): a retrieved fd event
 * has already left the port, so the loop only takes the waited out of the
 * heap before calling its owner back.  A deadline that passes first is
 * dissociated (ENOENT ignored) before the owner hears of it.  A callback
 * may take back another waited of the same loop with WAIT_Cancel, which
 * clears any event for it still ahead in the current batch (pitfall P4).
 *
 * Rejected: an inbox list under a mutex plus a wake-up pipe (the other
 * Varnish waiters) adds a lock of our own where port_send() already
 * queues; closing the port to stop the thread (the Varnish ports waiter)
 * does not wake epoll_wait() on Linux (P6), so a "stop" user event does
 * it; a capped sleep (Varnish's old one-second max_t) wakes an idle
 * daemon for nothing, so with no deadline the loop sleeps without limit;
 * asking port_getn() for more than one event before returning would save
 * wake-ups under load at the price of latency when quiet.
 */

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vas.h"
#include "port.h"
#include "waiter.h"

#define WAIT_MAXEV	128		/* events taken per port_getn() */

/* The codes of our user events (portev_events of PORT_SOURCE_USER). */
#define WAIT_EV_ENTER	0x57454e	/* portev_user: the waited */
#define WAIT_EV_TASK	0x575441	/* portev_user: the waited */
#define WAIT_EV_STOP	0x575354	/* portev_user: the waiter */

struct waiter {
	unsigned		magic;
#define WAITER_MAGIC		0x3b1d7a05
	int			port;
	int			dying;	/* "stop" seen: close everything */
	struct heap		heap;	/* every waited held here */
	void			*priv;
	waiter_tick_f		*tick;
	pthread_t		thr;
	atomic_uint		held;	/* HEAP_Len(), for other threads */
	_Atomic tim_mono	now;
	atomic_ulong		calls[WAITER_TASK + 1];	/* by wait_event */
	atomic_ulong		enter;
	atomic_ulong		wakeups;
	unsigned		nev;	/* events in the current batch */
	unsigned		iev;	/* the one being handled */
	char			name[16];
	port_event_t		ev[WAIT_MAXEV];
};

/* The waiter whose loop runs on this thread, if any. */
static _Thread_local const struct waiter *wait_self;

#define WAIT_OF_HE(he)							\
	((struct waited *)(void *)((char *)(he) - offsetof(struct waited, he)))

/*--------------------------------------------------------------------
 * Count one event.  Only the loop thread writes, so load + store will do.
 */

static inline void
wait_count(atomic_ulong *c)
{

	atomic_store_explicit(c,
	    atomic_load_explicit(c, memory_order_relaxed) + 1,
	    memory_order_relaxed);
}

/*--------------------------------------------------------------------
 * Read a counter, any thread.
 */

static inline unsigned long
wait_read(const atomic_ulong *c)
{

	return (atomic_load_explicit(c, memory_order_relaxed));
}

/*--------------------------------------------------------------------
 * Publish the number of waiteds held, for WAIT_Held() on other threads.
 */

static inline void
wait_held(struct waiter *w)
{

	atomic_store_explicit(&w->held, HEAP_Len(&w->heap),
	    memory_order_relaxed);
}

/*--------------------------------------------------------------------
 * Put wp in the heap and arm its fd.  0, or -1 with errno (ENOMEM from
 * the heap, EAGAIN or EBADFD from the port), and then wp is not held.
 */

static int
wait_arm(struct waiter *w, struct waited *wp)
{
	int e;

	assert(!isnan(wp->he.key));
	if (wp->he.key == 0.)
		wp->he.key = INFINITY;
	if (HEAP_Insert(&w->heap, &wp->he) != 0) {
		if (isinf(wp->he.key))
			wp->he.key = 0.;
		return (-1);
	}
	if (wp->fd >= 0 && port_associate(w->port, PORT_SOURCE_FD,
	    (uintptr_t)wp->fd, wp->events, wp) != 0) {
		e = errno;
		HEAP_Delete(&w->heap, &wp->he);
		if (isinf(wp->he.key))
			wp->he.key = 0.;
		errno = e;
		return (-1);
	}
	wp->w = w;
	if (wp->fd >= 0)
		wp->lastport = w->port;
	wait_held(w);
	return (0);
}

/*--------------------------------------------------------------------
 * Take wp out of the heap and, if its event has not been retrieved
 * (dissoc), out of the port.  The owner gets back the deadline it gave.
 */

static void
wait_disarm(struct waiter *w, struct waited *wp, int dissoc)
{

	assert(wp->w == w);
	HEAP_Delete(&w->heap, &wp->he);
	if (isinf(wp->he.key))
		wp->he.key = 0.;
	wp->revents = 0;
	if (dissoc && wp->fd >= 0) {
		if (port_dissociate(w->port, PORT_SOURCE_FD,
		    (uintptr_t)wp->fd) != 0)
			assert(errno == ENOENT);
		wp->lastport = -1;	/* the port has forgotten it */
	}
	wp->w = NULL;
	wait_held(w);
}

/*--------------------------------------------------------------------
 * The fd is about to be closed or to move to another waiter: make the
 * port that last had it forget it.  See waiter.h.
 */

void
WAIT_Leave(struct waited *wp)
{

	CHECK_OBJ_NOTNULL(wp, WAITED_MAGIC);
	assert(wp->w == NULL);
	if (wp->lastport < 0 || wp->fd < 0)
		return;
	/*
	 * By number, not by waiter: the waiter may be gone.  Its port
	 * number may even name another port by now, which is harmless:
	 * we own wp->fd, so no association of that fd is anybody else's.
	 */
	(void)port_dissociate(wp->lastport, PORT_SOURCE_FD, (uintptr_t)wp->fd);
	wp->lastport = -1;
}

/*--------------------------------------------------------------------
 * Give wp back to its owner.  The waiter must not touch wp afterwards.
 */

static inline void
wait_call(struct waiter *w, struct waited *wp, enum wait_event ev,
    tim_mono now)
{

	AZ(wp->w);
	assert(ev >= WAITER_ACTION && ev <= WAITER_TASK);
	wait_count(&w->calls[ev]);
	wp->func(wp, ev, now);
}

/*--------------------------------------------------------------------
 * A waited handed over by WAIT_Enter arrives: arm it.  If it cannot be
 * held (no memory for the heap, port full) or the waiter is stopping,
 * the owner gets it back with WAITER_CLOSE.
 */

static void
wait_entered(struct waiter *w, struct waited *wp, tim_mono now)
{

	assert(wp->w == w);
	AZ(wp->he.idx);
	wait_count(&w->enter);
	if (!w->dying && wait_arm(w, wp) == 0)
		return;
	wp->w = NULL;
	wait_call(w, wp, WAITER_CLOSE, now);
}

/*--------------------------------------------------------------------
 * Handle one event of the batch.  A NULL user is an event that
 * WAIT_Cancel dropped.
 */

static void
wait_event(struct waiter *w, const port_event_t *pe, tim_mono now)
{
	struct waited *wp;

	if (pe->portev_user == NULL)
		return;
	if (pe->portev_source == PORT_SOURCE_FD) {
		CAST_OBJ_NOTNULL(wp, pe->portev_user, WAITED_MAGIC);
		assert(wp->fd == (int)pe->portev_object);
		wait_disarm(w, wp, 0);
		wp->revents = (short)pe->portev_events;
		if (w->dying)
			wait_call(w, wp, WAITER_CLOSE, now);
		else if (wp->revents & (POLLHUP | POLLERR))
			wait_call(w, wp, WAITER_REMCLOSE, now);
		else
			wait_call(w, wp, WAITER_ACTION, now);
		return;
	}
	assert(pe->portev_source == PORT_SOURCE_USER);
	if (pe->portev_events == WAIT_EV_STOP) {
		assert(pe->portev_user == w);
		w->dying = 1;
		return;
	}
	CAST_OBJ_NOTNULL(wp, pe->portev_user, WAITED_MAGIC);
	if (pe->portev_events == WAIT_EV_ENTER) {
		wait_entered(w, wp, now);
		return;
	}
	assert(pe->portev_events == WAIT_EV_TASK);
	assert(wp->w == w);
	wp->w = NULL;
	wait_call(w, wp, w->dying ? WAITER_CLOSE : WAITER_TASK, now);
}

/*--------------------------------------------------------------------
 * Call back the waiteds whose deadline is not after now, at most one
 * batch of them, so that fd events are not starved by deadlines that
 * callbacks keep setting in the past; the rest go after the next
 * (then non-blocking) port_getn().
 */

static void
wait_expire(struct waiter *w, tim_mono now)
{
	struct heap_entry *he;
	struct waited *wp;
	unsigned n;

	for (n = 0; n < WAIT_MAXEV; n++) {
		he = HEAP_Root(&w->heap);
		if (he == NULL || he->key > now)
			return;
		wp = WAIT_OF_HE(he);
		CHECK_OBJ_NOTNULL(wp, WAITED_MAGIC);
		wait_disarm(w, wp, 1);
		wait_call(w, wp, WAITER_TIMEOUT, now);
	}
}

/*--------------------------------------------------------------------
 * How long port_getn() may sleep: until the nearest deadline, rounded up
 * so it never wakes early (not at all if one is due); NULL: for ever.
 */

static struct timespec *
wait_sleep(const struct waiter *w, struct timespec *ts, tim_mono now)
{
	const struct heap_entry *he;

	he = HEAP_Root(&w->heap);
	if (he == NULL || isinf(he->key))
		return (NULL);
	*ts = TIM_timespec(he->key - now);
	return (ts);
}

/*--------------------------------------------------------------------
 * Fetch one batch into w->ev, its size into *np.  ETIME comes with valid
 * events (P1).  -1 for EINTR, which means none, whatever n says (P2).
 */

static int
wait_getn(struct waiter *w, struct timespec *tsp, unsigned *np)
{
	uint_t n;

	n = 1;
	*np = 0;
	if (port_getn(w->port, w->ev, WAIT_MAXEV, &n, tsp) != 0) {
		if (errno == EINTR)
			return (-1);
		assert(errno == ETIME);
	}
	assert(n <= WAIT_MAXEV);
	*np = n;
	return (0);
}

/*--------------------------------------------------------------------
 * Run the callbacks of the batch fetched into w->ev.
 */

static void
wait_batch(struct waiter *w, unsigned n, tim_mono now)
{

	w->nev = n;
	for (w->iev = 0; w->iev < w->nev; w->iev++)
		wait_event(w, &w->ev[w->iev], now);
	w->nev = 0;
	w->iev = 0;
}

/*--------------------------------------------------------------------
 * After "stop": give every waited still queued or held back to its
 * owner with WAITER_CLOSE, until the port and the heap are both empty.
 */

static void
wait_drain(struct waiter *w)
{
	struct timespec ts0;
	struct heap_entry *he;
	struct waited *wp;
	tim_mono now;
	unsigned n;

	AN(w->dying);
	do {
		now = TIM_mono();
		ts0.tv_sec = 0;
		ts0.tv_nsec = 0;
		if (wait_getn(w, &ts0, &n) != 0) {
			n = 1;
			continue;
		}
		wait_batch(w, n, now);
		while ((he = HEAP_Root(&w->heap)) != NULL) {
			wp = WAIT_OF_HE(he);
			CHECK_OBJ_NOTNULL(wp, WAITED_MAGIC);
			wait_disarm(w, wp, 1);
			wait_call(w, wp, WAITER_CLOSE, now);
			n++;
		}
	} while (n > 0);
}

/*--------------------------------------------------------------------
 * The loop: fire due deadlines, sleep until the next one or an event,
 * handle the batch, tick; until "stop".
 */

static void *
wait_thread(void *priv)
{
	struct waiter *w;
	struct timespec ts, *tsp;
	tim_mono now;
	unsigned n;

	CAST_OBJ_NOTNULL(w, priv, WAITER_MAGIC);
	wait_self = w;
#if defined(__linux__) || defined(__sun)
	(void)pthread_setname_np(pthread_self(), w->name);
#endif
	do {
		now = TIM_mono();
		atomic_store_explicit(&w->now, now, memory_order_relaxed);
		wait_expire(w, now);
		tsp = wait_sleep(w, &ts, now);
		(void)wait_getn(w, tsp, &n);
		now = TIM_mono();
		atomic_store_explicit(&w->now, now, memory_order_relaxed);
		wait_count(&w->wakeups);
		wait_batch(w, n, now);
		if (w->tick != NULL && !w->dying)
			w->tick(w, w->priv, now);
	} while (!w->dying);
	wait_drain(w);
	wait_self = NULL;
	return (NULL);
}

/*--------------------------------------------------------------------
 * Create a waiter and start its thread.  NULL with errno on failure.
 */

struct waiter *
WAIT_New(const char *name, void *priv, waiter_tick_f *tick)
{
	struct waiter *w;
	int e;

	ALLOC_OBJ(w, WAITER_MAGIC);
	if (w == NULL)
		return (NULL);
	HEAP_Init(&w->heap);
	w->priv = priv;
	w->tick = tick;
	atomic_init(&w->now, TIM_mono());
	(void)snprintf(w->name, sizeof w->name, "%s",
	    name != NULL ? name : "waiter");
	w->port = port_create();
	if (w->port < 0) {
		e = errno;
		HEAP_Fini(&w->heap);
		FREE_OBJ(w);
		errno = e;
		return (NULL);
	}
	e = pthread_create(&w->thr, NULL, wait_thread, w);
	if (e != 0) {
		(void)port_close(w->port);
		HEAP_Fini(&w->heap);
		FREE_OBJ(w);
		errno = e;
		return (NULL);
	}
	return (w);
}

/*--------------------------------------------------------------------
 * Stop the loop with a user event, let it close what it holds, join it,
 * then close the port.  Any thread but the loop's own.
 */

void
WAIT_Destroy(struct waiter **pw)
{
	struct waiter *w;

	TAKE_OBJ_NOTNULL(w, pw, WAITER_MAGIC);
	assert(!WAIT_IsSelf(w));
	while (port_send(w->port, WAIT_EV_STOP, w) != 0) {
		assert(errno == EAGAIN || errno == ENOMEM);
		TIM_sleep(0.01);
	}
	AZ(pthread_join(w->thr, NULL));
	AZ(HEAP_Len(&w->heap));
	AZ(port_close(w->port));
	HEAP_Fini(&w->heap);
	FREE_OBJ(w);
}

/*--------------------------------------------------------------------
 * Hand wp over with a user event.  0, or -1 with errno from port_send()
 * (EAGAIN: port full), and then the caller still owns wp.
 */

static int
wait_send(struct waiter *w, struct waited *wp, int code)
{

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	CHECK_OBJ_NOTNULL(wp, WAITED_MAGIC);
	AN(wp->func);
	AZ(wp->w);
	AZ(wp->he.idx);
	assert(!isnan(wp->he.key));
	wp->w = w;
	if (port_send(w->port, code, wp) == 0)
		return (0);
	wp->w = NULL;
	return (-1);
}

/*--------------------------------------------------------------------
 * Any thread: the waiter arms wp->fd for wp->events until wp->he.key.
 * If the loop cannot arm it (no memory, port full), or is stopping, the
 * owner gets it back with WAITER_CLOSE.  0, or -1 with errno.
 */

int
WAIT_Enter(struct waiter *w, struct waited *wp)
{

	return (wait_send(w, wp, WAIT_EV_ENTER));
}

/*--------------------------------------------------------------------
 * Any thread: wp->func runs with WAITER_TASK on the loop thread (with
 * WAITER_CLOSE if the waiter is stopping).  0, or -1 with errno.
 */

int
WAIT_Task(struct waiter *w, struct waited *wp)
{

	return (wait_send(w, wp, WAIT_EV_TASK));
}

/*--------------------------------------------------------------------
 * Loop thread, in a callback: arm wp again here directly.  0, or -1 with
 * errno (ENOMEM, EAGAIN; ESHUTDOWN once the waiter is stopping), and then
 * the owner keeps wp.
 */

int
WAIT_Again(struct waiter *w, struct waited *wp)
{

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	CHECK_OBJ_NOTNULL(wp, WAITED_MAGIC);
	assert(WAIT_IsSelf(w));
	AN(wp->func);
	AZ(wp->w);
	AZ(wp->he.idx);
	if (w->dying) {
		errno = ESHUTDOWN;
		return (-1);
	}
	return (wait_arm(w, wp));
}

/*--------------------------------------------------------------------
 * Loop thread: take back a waited this loop holds, or one whose
 * hand-over is in the current batch.  Later events of the batch for it
 * are dropped; its fd is dissociated.  The caller owns wp afterwards.
 */

void
WAIT_Cancel(struct waiter *w, struct waited *wp)
{
	unsigned i;
	int found = 0;

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	CHECK_OBJ_NOTNULL(wp, WAITED_MAGIC);
	assert(WAIT_IsSelf(w));
	assert(wp->w == w);
	for (i = w->iev + 1; i < w->nev; i++) {
		if (w->ev[i].portev_user == wp) {
			w->ev[i].portev_user = NULL;
			found = 1;
		}
	}
	if (HEAP_IN(&wp->he)) {
		wait_disarm(w, wp, 1);
	} else {
		AN(found);
		wp->w = NULL;
	}
}

/*--------------------------------------------------------------------
 * Loop thread: end up to n held waiteds with fds, earliest deadline
 * first, as if their deadlines had passed (WAITER_TIMEOUT).  Waiteds
 * without an fd (timers) are left alone.  The number ended.
 */

#define WAIT_MAXEXPIRE	64

unsigned
WAIT_Expire(struct waiter *w, unsigned n)
{
	struct waited *out[WAIT_MAXEXPIRE], *keep[WAIT_MAXEXPIRE], *wp;
	struct heap_entry *he;
	unsigned no = 0, nk = 0, u;
	tim_mono now;

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	assert(WAIT_IsSelf(w));
	if (n > WAIT_MAXEXPIRE)
		n = WAIT_MAXEXPIRE;
	while (no < n && nk < WAIT_MAXEXPIRE &&
	    (he = HEAP_Root(&w->heap)) != NULL) {
		wp = WAIT_OF_HE(he);
		CHECK_OBJ_NOTNULL(wp, WAITED_MAGIC);
		WAIT_Cancel(w, wp);
		if (wp->fd < 0)
			keep[nk++] = wp;
		else
			out[no++] = wp;
	}
	for (u = 0; u < nk; u++)
		if (wait_arm(w, keep[u]) != 0)
			out[no++] = keep[u];	/* cannot keep it: ends too */
	now = WAIT_Now(w);
	for (u = 0; u < no; u++)
		wait_call(w, out[u], WAITER_TIMEOUT, now);
	return (no);
}

/*--------------------------------------------------------------------
 * Loop thread: move the deadline of a waited this loop holds (0: none).
 */

void
WAIT_Rekey(struct waiter *w, struct waited *wp, tim_mono deadline)
{

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	CHECK_OBJ_NOTNULL(wp, WAITED_MAGIC);
	assert(WAIT_IsSelf(w));
	assert(wp->w == w);
	assert(HEAP_IN(&wp->he));
	assert(!isnan(deadline));
	HEAP_Rekey(&w->heap, &wp->he, deadline == 0. ? INFINITY : deadline);
}

/*--------------------------------------------------------------------
 * The loop's own context, as given to WAIT_New().
 */

void *
WAIT_Priv(const struct waiter *w)
{

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	return (w->priv);
}

/*--------------------------------------------------------------------
 * 1 if the caller runs on this waiter's loop thread.
 */

int
WAIT_IsSelf(const struct waiter *w)
{

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	return (wait_self == w);
}

/*--------------------------------------------------------------------
 * Any thread: how many waiteds are armed here (a snapshot).
 */

unsigned
WAIT_Held(const struct waiter *w)
{

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	return (atomic_load_explicit(&w->held, memory_order_relaxed));
}

/*--------------------------------------------------------------------
 * Any thread: the time the loop took after its last wake-up.
 */

tim_mono
WAIT_Now(const struct waiter *w)
{

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	return (atomic_load_explicit(&w->now, memory_order_relaxed));
}

/*--------------------------------------------------------------------
 * Any thread: a snapshot of the counters (each exact, not all at once).
 */

void
WAIT_Stats(const struct waiter *w, struct wait_stats *ws)
{

	CHECK_OBJ_NOTNULL(w, WAITER_MAGIC);
	AN(ws);
	ws->action = wait_read(&w->calls[WAITER_ACTION]);
	ws->remclose = wait_read(&w->calls[WAITER_REMCLOSE]);
	ws->timeout = wait_read(&w->calls[WAITER_TIMEOUT]);
	ws->task = wait_read(&w->calls[WAITER_TASK]);
	ws->enter = wait_read(&w->enter);
	ws->wakeups = wait_read(&w->wakeups);
}
