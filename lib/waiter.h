/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * waiter.h -- an event loop on one event port: fds, deadlines, callbacks.
 *
 * A waiter is one thread with one event port and one binary heap of
 * deadlines.  Owners embed a struct waited in their own object (session,
 * backend connection), fill in fd, events, deadline, func and priv, and
 * hand it over.  While the waiter holds it, only the waiter thread touches
 * it; when the waiter calls func, ownership is back with the owner's code
 * (running on the waiter thread), the fd is no longer associated with the
 * port and the waited is out of the heap.  The callback then does one of:
 * re-arm here (WAIT_Again, no port_send round trip), hand itself to
 * another waiter (WAIT_Enter / WAIT_Task), or close.  Code running on the
 * loop thread may also change func and priv of a waited that loop holds,
 * and its deadline with WAIT_Rekey, without taking it out: a pooled
 * backend connection is handed to a request that way while it stays
 * armed.
 *
 * The same mechanism is the idle waiter and each worker's event loop
 * (design.md section 1.3): a session moves idle waiter -> worker -> idle
 * waiter by WAIT_Task/WAIT_Enter, and an fd is associated with at most
 * one port at a time because it is only ever armed by its current holder.
 *
 * Events given to the callback:
 *   WAITER_ACTION    the fd is ready (wp->revents has the poll bits)
 *   WAITER_REMCLOSE  the peer hung up or the fd has an error: POLLHUP or
 *                    POLLERR in wp->revents (POLLIN too, maybe, and
 *                    bytes may still be there to read)
 *   WAITER_TIMEOUT   the deadline passed first
 *   WAITER_CLOSE     the waiter is shutting down, or could not arm what
 *                    WAIT_Enter handed it (no memory, port full); close
 *                    and free
 *   WAITER_TASK      handed over by WAIT_Task: run now on this thread
 */

#ifndef FRONTD_WAITER_H
#define FRONTD_WAITER_H

#include "heap.h"
#include "tim.h"

struct waiter;
struct waited;

enum wait_event {
	WAITER_ACTION = 1,
	WAITER_REMCLOSE,
	WAITER_TIMEOUT,
	WAITER_CLOSE,
	WAITER_TASK,
};

typedef void waiter_handle_f(struct waited *, enum wait_event, tim_mono now);
typedef void waiter_tick_f(struct waiter *, void *priv, tim_mono now);

struct waited {
	unsigned		magic;
#define WAITED_MAGIC		0x67a0e1d3
	int			fd;	/* -1: a timer only */
	short			events;	/* POLLIN and/or POLLOUT to wait for */
	short			revents; /* what was seen, with WAITER_ACTION */
	int			lastport; /* a port that may still know fd */
	struct heap_entry	he;	/* he.key: deadline, 0 = none */
	waiter_handle_f		*func;
	void			*priv;	/* the owner */
	struct waiter		*w;	/* holder while armed, else NULL */
};

#define WAIT_INIT(wp, fd_, func_, priv_)				\
	do {								\
		(wp)->magic = WAITED_MAGIC;				\
		(wp)->fd = (fd_);					\
		(wp)->events = 0;					\
		(wp)->revents = 0;					\
		(wp)->he.key = 0.;					\
		(wp)->he.idx = 0;					\
		(wp)->func = (func_);					\
		(wp)->priv = (priv_);					\
		(wp)->w = NULL;						\
		(wp)->lastport = -1;					\
	} while (0)

/*
 * Create a waiter and start its thread.  priv is the loop's own context
 * (a worker's backend pools, say), returned by WAIT_Priv() to callbacks.
 * tick, if not NULL, runs on the loop thread after every batch of events.
 * NULL with errno on failure.
 */
struct waiter *WAIT_New(const char *name, void *priv, waiter_tick_f *tick);

/*
 * Stop the thread (a user event, never a closed port), call every waited
 * still held with WAITER_CLOSE on the loop thread, join, close the port.
 * Any thread but the loop's own.
 */
void WAIT_Destroy(struct waiter **);

/*
 * Any thread: hand wp over to the waiter, which arms wp->fd for
 * wp->events until wp->he.key.  The caller must own wp and must not touch
 * it afterwards.  0, or -1 with errno (EAGAIN: the port is full; the
 * caller still owns wp and must shed it).
 */
int WAIT_Enter(struct waiter *, struct waited *);

/*
 * Any thread: hand wp over so that its callback runs with WAITER_TASK on
 * the waiter's thread as soon as possible.  Return values as WAIT_Enter.
 * Once the waiter is stopping, the callback gets WAITER_CLOSE instead.
 */
int WAIT_Task(struct waiter *, struct waited *);

/*
 * Waiter thread only (from inside one of its callbacks): arm wp again on
 * this waiter with wp->events and deadline wp->he.key, without a round
 * trip through port_send.  0, or -1 with errno (the owner keeps wp;
 * ESHUTDOWN once the waiter is stopping).
 */
int WAIT_Again(struct waiter *, struct waited *);

/*
 * Waiter thread only: take an armed wp back from this waiter (out of the
 * heap, fd dissociated, any event already fetched for it in the current
 * batch dropped).  Afterwards the caller owns wp.
 */
void WAIT_Cancel(struct waiter *, struct waited *);

/*
 * The owner's thread, wp not armed: wp->fd is about to be closed, or
 * handed to another waiter.  Tell the port of the waiter that last armed
 * it (port_dissociate), which may keep the fd for a cheap re-arm: a
 * closed fd number that comes back as a new connection must not be taken
 * for the old one.  Cheap when there is nothing to forget.
 */
void WAIT_Leave(struct waited *);

/*
 * Waiter thread only: end up to n (at most 64) held waiteds with fds,
 * earliest deadline first, as if their deadlines had passed: their
 * owners get WAITER_TIMEOUT.  For shedding idle connections under
 * descriptor pressure.  The number ended.
 */
unsigned WAIT_Expire(struct waiter *, unsigned n);

/*
 * Waiter thread only: move the deadline of a waited this waiter holds.
 */
void WAIT_Rekey(struct waiter *, struct waited *, tim_mono deadline);

void *WAIT_Priv(const struct waiter *);
int WAIT_IsSelf(const struct waiter *);	/* called on this waiter's thread? */
unsigned WAIT_Held(const struct waiter *);	/* waiteds armed here now */
tim_mono WAIT_Now(const struct waiter *);	/* time of the current batch */

/* Counters of one waiter, read by any thread (relaxed). */
struct wait_stats {
	unsigned long	action;
	unsigned long	remclose;
	unsigned long	timeout;
	unsigned long	task;
	unsigned long	enter;
	unsigned long	wakeups;
};
void WAIT_Stats(const struct waiter *, struct wait_stats *);

#endif /* FRONTD_WAITER_H */
