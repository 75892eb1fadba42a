/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * port_epoll.c -- illumos event ports on Linux, over epoll(7) and
 * eventfd(2).
 *
 * frontd is written against port_create(3C) and friends (see port.h);
 * this file gives Linux the same calls with the same semantics, as
 * shared/event-ports.md section 4 designs them and tests/unit/t_port.c
 * checks them.  A port is an epoll fd (the port id callers see) plus an
 * eventfd, a per-fd table and two queues, all under one mutex that is
 * never held across epoll_wait():
 *
 *   - PORT_SOURCE_FD: an fd is a level-triggered epoll item whose data
 *     carries (kernel generation << 32 | fd); the one-shot is kept in
 *     the table: an event is delivered only while the fd is ARMED, and
 *     delivering it disarms the fd.  Re-associating an fd whose event
 *     was just delivered, with the same poll bits, therefore costs no
 *     system call: the item is still in the epoll set with that mask.
 *     That is the keep-alive hot path of a proxy (wait for the next
 *     request on a connection, wait for the response on a pooled one),
 *     and it saves an epoll_ctl() per wait there.  An item that reports
 *     while its fd is not armed (readiness nobody asked for) is removed
 *     from the epoll set at once, so it cannot spin; the next associate
 *     adds it again.  Every associate and dissociate bumps the fd's
 *     generation, and every epoll_ctl() records the generation it was
 *     made with, so an item that epoll hands out after the association
 *     changed is recognised and dropped; that is what makes "once
 *     port_dissociate() returns, no event of the old association is
 *     delivered" hold with several threads.
 *   - Fired events are staged in a FIFO (the backlog) before they are
 *     copied out, so that EINTR, the alert and "max == 0" can leave
 *     them queued, as the kernel does, without re-arming anything.
 *   - PORT_SOURCE_USER: a bounded FIFO.  The eventfd does not mirror
 *     "the queue is not empty": it is written only when a getter sleeps
 *     in epoll_wait() and has not seen the latest send or alert, and the
 *     last such getter to wake reads it back.  A getter waiting for more
 *     events than are queued (nget > 1) therefore sleeps instead of
 *     spinning on a readable eventfd, several getters cannot steal each
 *     other's wake-up, and port_send() costs no system call while the
 *     waiter is busy.
 *
 * Rejected: EPOLLONESHOT items (an epoll_ctl() for every wait, about a
 * sixth of the system calls of a proxied keep-alive request); EPOLLET (it
 * reports again on new data instead of once, and misses data left unread
 * when the fd is armed again); a pipe or a signalfd for user
 * events (two fds, a write per event, a bounded kernel buffer); a thread
 * that moves epoll events into a private queue (a context switch per
 * event); fcntl(F_GETFD) before every associate to find closed fds
 * (epoll_ctl() already answers EBADF); a global rwlock around the table
 * of ports (a lock-free two-level table of atomic pointers costs two
 * loads per call); an eventfd kept readable while user events are queued
 * (the first design in event-ports.md 4.2: a getter waiting for more
 * than are queued spins on it).
 *
 * Every call but port_close() is safe from any thread at any time
 * (event-ports.md 4.5), beside blocked getters too.  Calls on a port
 * take only its mutex (create and close also take the table's), and
 * none holds it across a blocking system call.
 *
 * Known differences from illumos, all documented in event-ports.md:
 * close(2) of an fd whose file is still open elsewhere (dup, fork) does
 * not dissociate it, unless the identity check (a test knob, off by
 * default, one fstat per event) is on: dissociate before close.  The
 * same rule covers an fd whose event was retrieved: its item stays in
 * the epoll set for the cheap re-arm, so closing it and associating the
 * number again (a new connection) with the same bits needs a
 * port_dissociate() in between, which frontd's waiter does (WAIT_Leave).  Regular
 * files cannot be associated (EPERM).  port_send() is not
 * async-signal-safe.  Concurrent getters are served in no particular
 * order.  port_close() must be used instead of close(2), and never while
 * another thread uses the port.  The port fd is close-on-exec.
 *
 * On illumos the native <port.h> is used and this file compiles to
 * nothing.
 */

#ifndef __sun

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vas.h"
#include "port.h"

#define PSHIM_NBUF		128	/* epoll items per epoll_wait() */
#define PSHIM_UQ_LIMIT		65536	/* as process.max-port-events */
#define PSHIM_TAG_EVFD		UINT64_MAX	/* epoll data of the eventfd */

/* The state of one fd number in a port. */
enum pshim_state {
	PSHIM_NONE = 0,		/* no association */
	PSHIM_ARMED,		/* associated, not fired yet */
	PSHIM_QUEUED,		/* fired, staged in the backlog */
};

struct pshim_fd {
	uint32_t		gen;	/* bumped by associate and dissociate */
	uint32_t		kgen;	/* gen of the last epoll_ctl() */
	uint16_t		events;	/* poll bits asked for */
	uint16_t		kev;	/* epoll events of the item */
	uint8_t			state;	/* enum pshim_state */
	uint8_t			in_epoll; /* the number is in the epoll set */
	uint8_t			has_id;	/* idtab[fd] recorded (identity check) */
	uint8_t			warm;	/* its event was delivered, item kept */
	void			*user;
};

/* The identity check's record of an fd (a test knob; off by default). */
struct pshim_id {
	dev_t			dev;
	ino_t			ino;
};

/* A fired FD event waiting in the backlog. */
struct pshim_bl {
	uint32_t		gen;
	int			fd;
	int			revents;
};

/* A PORT_SOURCE_USER event. */
struct pshim_uev {
	int			events;
	void			*user;
};

/* A FIFO of fixed-size elements; cap is a power of two. */
struct pshim_ring {
	char			*buf;
	size_t			esz;
	unsigned		cap;
	unsigned		head;
	unsigned		n;
};

struct pshim {
	unsigned		magic;
#define PSHIM_MAGIC		0x50e7f00d
	int			epfd;	/* the port id */
	int			evfd;
	pthread_mutex_t		mtx;	/* everything below */
	struct pshim_fd		*fdtab;	/* 24 bytes per fd number: that is
					   memory per connection, kept small */
	struct pshim_id		*idtab;	/* nfd entries, once the check is on */
	unsigned		nfd;
	struct pshim_ring	bl;	/* struct pshim_bl */
	unsigned		bl_resv; /* backlog slots promised to getters */
	unsigned		nlive;	/* backlog entries still valid */
	struct pshim_ring	uq;	/* struct pshim_uev */
	unsigned		uq_limit;
	int			alert;	/* in alert mode */
	int			alert_events;
	void			*alert_user;
	unsigned		nsleep;	/* getters in or near epoll_wait() */
	unsigned		nstale;	/* ... of which owed a wake-up */
	uint64_t		wseq;	/* bumped by send, alert, staging */
	int			evfd_set; /* the eventfd counter is not 0 */
};

enum pshim_tmode {
	PSHIM_T_INF,		/* timeout NULL */
	PSHIM_T_ZERO,		/* {0, 0}: never block */
	PSHIM_T_TIMED,
	PSHIM_T_BAD,		/* EINVAL, if it has to block */
};

/* One port_getn() call in progress. */
struct pshim_call {
	port_event_t		*list;
	uint_t			max;
	uint_t			want;
	enum pshim_tmode	tmode;
	int64_t			deadline; /* ns of CLOCK_MONOTONIC */
	int			polled;	/* epoll has nothing more for us */
	int			nonblock; /* the next wait does not block */
	int			expired;
	int			sleeping;
	uint64_t		seen;	/* p->wseq when going to sleep */
	unsigned		room;	/* backlog slots reserved */
	int			nb;	/* items in buf */
	struct epoll_event	buf[PSHIM_NBUF];
};

#define PSHIM_LOCK(p)	AZ(pthread_mutex_lock(&(p)->mtx))
#define PSHIM_UNLOCK(p)	AZ(pthread_mutex_unlock(&(p)->mtx))

/*
 * Ports by id: a directory of chunks of atomic pointers, so that lookups
 * take no lock.  Chunks are never freed.
 */
#define PSHIM_L2BITS	16
#define PSHIM_L2	(1U << PSHIM_L2BITS)
#define PSHIM_L1	(1U << (31 - PSHIM_L2BITS))

struct pshim_chunk {
	_Atomic(struct pshim *)	slot[PSHIM_L2];
};

static _Atomic(struct pshim_chunk *) pshim_dir[PSHIM_L1];
static pthread_mutex_t pshim_dir_mtx = PTHREAD_MUTEX_INITIALIZER;
static atomic_int pshim_idcheck;
static atomic_int pshim_nopwait2;

/*--------------------------------------------------------------------
 * Make room for extra more elements (from nothing, if need be).  0, or
 * -1 with ENOMEM.
 */

static int
pshim_ring_reserve(struct pshim_ring *r, unsigned extra)
{
	unsigned cap, first;
	char *nb;

	if (r->cap - r->n >= extra)
		return (0);
	if (extra > UINT_MAX / 2 - r->n) {
		errno = ENOMEM;
		return (-1);
	}
	for (cap = r->cap ? r->cap : 16; cap - r->n < extra; cap *= 2)
		continue;
	nb = malloc(r->esz * cap);
	if (nb == NULL)
		return (-1);
	first = r->cap - r->head;
	if (first > r->n)
		first = r->n;
	if (r->n > 0) {
		memcpy(nb, r->buf + r->esz * r->head, r->esz * first);
		memcpy(nb + r->esz * first, r->buf, r->esz * (r->n - first));
	}
	free(r->buf);
	r->buf = nb;
	r->cap = cap;
	r->head = 0;
	return (0);
}

/*--------------------------------------------------------------------
 * Append one element; the room must have been reserved.
 */

static void
pshim_ring_push(struct pshim_ring *r, const void *e)
{

	assert(r->n < r->cap);
	memcpy(r->buf + r->esz * ((r->head + r->n) & (r->cap - 1)), e,
	    r->esz);
	r->n++;
}

/*--------------------------------------------------------------------
 * Take the oldest element.  1 if there was one, else 0.
 */

static int
pshim_ring_pop(struct pshim_ring *r, void *e)
{

	if (r->n == 0)
		return (0);
	memcpy(e, r->buf + r->esz * r->head, r->esz);
	r->head = (r->head + 1) & (r->cap - 1);
	r->n--;
	return (1);
}

/*--------------------------------------------------------------------
 * poll(2) bits asked for to an epoll mask, one-shot.  Linux gives the
 * shared bits the same values in both.
 */

#define PSHIM_PEBITS	(POLLIN | POLLPRI | POLLOUT | POLLRDBAND | POLLWRBAND)
_Static_assert(POLLIN == EPOLLIN && POLLPRI == EPOLLPRI &&
    POLLOUT == EPOLLOUT && POLLRDBAND == EPOLLRDBAND &&
    POLLWRBAND == EPOLLWRBAND && POLLERR == EPOLLERR && POLLHUP == EPOLLHUP,
    "poll and epoll bits differ");

static uint32_t
pshim_poll2ep(int events)
{
	uint32_t r = (uint32_t)(events & PSHIM_PEBITS);

	if (events & POLLRDNORM)
		r |= EPOLLIN;
	if (events & POLLWRNORM)
		r |= EPOLLOUT;
	return (r);
}

/*--------------------------------------------------------------------
 * Bits reported by epoll to poll(2) bits, before masking.
 */

static int
pshim_ep2poll(uint32_t ev)
{
	int r = (int)(ev & (PSHIM_PEBITS | POLLERR | POLLHUP));

	if (r & POLLIN)
		r |= POLLRDNORM;
	if (r & POLLOUT)
		r |= POLLWRNORM;
	return (r);
}

/*--------------------------------------------------------------------
 * Fill in one port_event_t.
 */

static void
pshim_ev(port_event_t *pe, int events, int source, uintptr_t object,
    void *user)
{

	pe->portev_events = events;
	pe->portev_source = (ushort_t)source;
	pe->portev_pad = 0;
	pe->portev_object = object;
	pe->portev_user = user;
}

/*--------------------------------------------------------------------
 * The state of a port id, or NULL with EBADF (not open) or EBADFD (open,
 * not a port).
 */

static struct pshim *
pshim_lookup(int port)
{
	struct pshim_chunk *ch;
	struct pshim *p = NULL;

	if (port >= 0) {
		ch = atomic_load_explicit(&pshim_dir[(unsigned)port >>
		    PSHIM_L2BITS], memory_order_acquire);
		if (ch != NULL)
			p = atomic_load_explicit(&ch->slot[(unsigned)port &
			    (PSHIM_L2 - 1)], memory_order_acquire);
	}
	if (p != NULL) {
		CHECK_OBJ(p, PSHIM_MAGIC);
		assert(p->epfd == port);
		return (p);
	}
	errno = (port < 0 || fcntl(port, F_GETFD) < 0) ? EBADF : EBADFD;
	return (NULL);
}

/*--------------------------------------------------------------------
 * Publish (p != NULL) or withdraw (p == NULL) the state of a port id.
 * 0, or -1 with ENOMEM.
 */

static int
pshim_publish(int port, struct pshim *p)
{
	struct pshim_chunk *ch;
	unsigned i = (unsigned)port >> PSHIM_L2BITS;

	assert(port >= 0);
	AZ(pthread_mutex_lock(&pshim_dir_mtx));
	ch = atomic_load_explicit(&pshim_dir[i], memory_order_relaxed);
	if (ch == NULL && p != NULL) {
		ch = calloc(1, sizeof *ch);
		if (ch == NULL) {
			AZ(pthread_mutex_unlock(&pshim_dir_mtx));
			return (-1);
		}
		atomic_store_explicit(&pshim_dir[i], ch,
		    memory_order_release);
	}
	AN(ch);
	atomic_store_explicit(&ch->slot[(unsigned)port & (PSHIM_L2 - 1)], p,
	    memory_order_release);
	AZ(pthread_mutex_unlock(&pshim_dir_mtx));
	return (0);
}

/*--------------------------------------------------------------------
 * Free a port's state and close its fds.  The result of close(epfd).
 */

static int
pshim_free(struct pshim *p)
{
	int r = 0;

	CHECK_OBJ_NOTNULL(p, PSHIM_MAGIC);
	if (p->evfd >= 0)
		(void)close(p->evfd);
	if (p->epfd >= 0)
		r = close(p->epfd);
	AZ(pthread_mutex_destroy(&p->mtx));
	free(p->bl.buf);
	free(p->uq.buf);
	free(p->fdtab);
	free(p->idtab);
	FREE_OBJ(p);
	return (r);
}

/*--------------------------------------------------------------------
 * Grow the fd table to hold fd.  0, or -1 with ENOMEM.  Under mtx.
 */

static int
pshim_fd_grow(struct pshim *p, int fd)
{
	struct pshim_fd *t;
	struct pshim_id *id;
	size_t n;

	/* doubling while small, then in steps: each entry is per-fd memory */
	for (n = p->nfd ? p->nfd : 64; n <= (size_t)fd; )
		n = n < 4096 ? n * 2 : n + 1024;
	if (n > UINT_MAX || n > SIZE_MAX / sizeof *t) {
		errno = ENOMEM;
		return (-1);
	}
	t = realloc(p->fdtab, n * sizeof *t);
	if (t == NULL)
		return (-1);
	memset(t + p->nfd, 0, (n - p->nfd) * sizeof *t);
	p->fdtab = t;
	if (p->idtab != NULL) {
		id = realloc(p->idtab, n * sizeof *id);
		if (id == NULL)
			return (-1);	/* fdtab is larger; nfd stays */
		memset(id + p->nfd, 0, (n - p->nfd) * sizeof *id);
		p->idtab = id;
	}
	p->nfd = (unsigned)n;
	return (0);
}

/*--------------------------------------------------------------------
 * Tell the getters asleep in epoll_wait() to look at the queues again.
 * Under mtx.
 */

static void
pshim_wake(struct pshim *p)
{

	p->wseq++;
	p->nstale = p->nsleep;
	if (p->nstale > 0 && !p->evfd_set) {
		AZ(eventfd_write(p->evfd, 1));
		p->evfd_set = 1;
	}
}

/*--------------------------------------------------------------------
 * A getter is back from epoll_wait(); the last one owed a wake-up resets
 * the eventfd.  Under mtx.
 */

static void
pshim_unsleep(struct pshim *p, uint64_t seen)
{
	eventfd_t v;

	assert(p->nsleep > 0);
	p->nsleep--;
	if (seen != p->wseq) {
		assert(p->nstale > 0);
		p->nstale--;
	}
	assert(p->nstale <= p->nsleep);
	if (p->nstale == 0 && p->evfd_set) {
		AZ(eventfd_read(p->evfd, &v));
		p->evfd_set = 0;
	}
}

/*--------------------------------------------------------------------
 * Whether fd still names the file it had when associated (identity
 * check on).  One fstat(2), under mtx, only while the test knob is on.
 */

static int
pshim_same(const struct pshim *p, int fd)
{
	struct stat st;

	return (fstat(fd, &st) == 0 && st.st_dev == p->idtab[fd].dev &&
	    st.st_ino == p->idtab[fd].ino);
}

/*--------------------------------------------------------------------
 * Take an fd that nobody waits for out of the epoll set, so that its
 * level-triggered readiness does not wake getters again.  Under mtx.
 */

static void
pshim_cool(struct pshim *p, struct pshim_fd *e, int fd)
{

	(void)epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL);
	e->in_epoll = 0;
	e->warm = 0;
}

/*--------------------------------------------------------------------
 * Move what epoll returned into the backlog, dropping items of
 * associations that have changed since.  Under mtx, room reserved.
 */

static void
pshim_stage(struct pshim *p, const struct pshim_call *c)
{
	struct pshim_fd *e;
	struct pshim_bl b;
	uint64_t d;
	int i, staged = 0;

	for (i = 0; i < c->nb; i++) {
		d = c->buf[i].data.u64;
		if (d == PSHIM_TAG_EVFD)
			continue;
		b.fd = (int)(uint32_t)d;
		b.gen = (uint32_t)(d >> 32);
		assert(b.fd >= 0 && (unsigned)b.fd < p->nfd);
		e = &p->fdtab[b.fd];
		if (!e->in_epoll || e->kgen != b.gen)
			continue;		/* from an item since changed */
		if (e->state != PSHIM_ARMED) {
			pshim_cool(p, e, b.fd);	/* nobody asked: stop it */
			continue;
		}
		e->state = PSHIM_NONE;		/* the one-shot is spent */
		if (e->has_id && !pshim_same(p, b.fd))
			continue;		/* closed, maybe reused */
		b.revents = pshim_ep2poll(c->buf[i].events) &
		    (e->events | POLLERR | POLLHUP);
		if (b.revents == 0) {
			e->state = PSHIM_ARMED;	/* bits it no longer wants */
			continue;
		}
		e->warm = !e->has_id;
		b.gen = e->gen;
		pshim_ring_push(&p->bl, &b);
		e->state = PSHIM_QUEUED;
		p->nlive++;
		staged++;
	}
	if (staged > 0 && p->nsleep > 0)
		pshim_wake(p);
}

/*--------------------------------------------------------------------
 * Copy up to max queued events out, FD events first.  Under mtx.
 */

static uint_t
pshim_take(struct pshim *p, port_event_t *list, uint_t max)
{
	struct pshim_fd *e;
	struct pshim_bl b;
	struct pshim_uev u;
	uint_t got = 0;

	while (got < max && p->nlive > 0 && pshim_ring_pop(&p->bl, &b)) {
		assert(b.fd >= 0 && (unsigned)b.fd < p->nfd);
		e = &p->fdtab[b.fd];
		if (e->state != PSHIM_QUEUED || e->gen != b.gen)
			continue;
		e->state = PSHIM_NONE;
		p->nlive--;
		pshim_ev(&list[got++], b.revents, PORT_SOURCE_FD,
		    (uintptr_t)b.fd, e->user);
	}
	if (p->nlive == 0)
		p->bl.n = p->bl.head = 0;	/* only stale entries left */
	while (got < max && pshim_ring_pop(&p->uq, &u))
		pshim_ev(&list[got++], u.events, PORT_SOURCE_USER, 0, u.user);
	assert(p->nlive <= p->bl.n);
	return (got);
}

/*--------------------------------------------------------------------
 * Promise c->room backlog slots to this call.  0, or ENOMEM.  Under mtx.
 */

static int
pshim_reserve(struct pshim *p, struct pshim_call *c, unsigned room)
{

	assert(c->room == 0);
	if (pshim_ring_reserve(&p->bl, p->bl_resv + room) != 0)
		return (ENOMEM);
	p->bl_resv += room;
	c->room = room;
	return (0);
}

/*--------------------------------------------------------------------
 * Back from epoll_wait(): stage its items, give back the reserved room
 * and the sleeper's place.  Under mtx.
 */

static void
pshim_settle(struct pshim *p, struct pshim_call *c)
{

	if (c->sleeping) {
		pshim_unsleep(p, c->seen);
		c->sleeping = 0;
	}
	if (c->nb > 0) {
		assert((unsigned)c->nb <= c->room);
		pshim_stage(p, c);
		c->nb = 0;
	}
	assert(p->bl_resv >= c->room);
	p->bl_resv -= c->room;
	c->room = 0;
}

/*--------------------------------------------------------------------
 * Now on CLOCK_MONOTONIC, in ns.
 */

static int64_t
pshim_now(void)
{
	struct timespec ts;

	AZ(clock_gettime(CLOCK_MONOTONIC, &ts));
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

/*--------------------------------------------------------------------
 * Classify the timeout of port_getn() and set the deadline.
 */

static void
pshim_timeout(struct pshim_call *c, const struct timespec *ts)
{

	if (ts == NULL) {
		c->tmode = PSHIM_T_INF;
	} else if (ts->tv_sec < 0 || ts->tv_nsec < 0 ||
	    ts->tv_nsec >= 1000000000L) {
		c->tmode = PSHIM_T_BAD;
	} else if (ts->tv_sec == 0 && ts->tv_nsec == 0) {
		c->tmode = PSHIM_T_ZERO;
	} else if (ts->tv_sec >= 1000000000) {
		c->tmode = PSHIM_T_INF;		/* 31 years */
	} else {
		c->tmode = PSHIM_T_TIMED;
		c->deadline = pshim_now() +
		    (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
	}
}

/*--------------------------------------------------------------------
 * Wait up to rem ns: epoll_pwait2() for ns precision, or epoll_wait()
 * with the time rounded up to whole ms where the kernel lacks it.
 */

static int
pshim_pwait(int epfd, struct epoll_event *buf, int n, int64_t rem)
{
	struct timespec ts;
	int64_t ms;
	int r;

	if (!atomic_load_explicit(&pshim_nopwait2, memory_order_relaxed)) {
		ts.tv_sec = (time_t)(rem / 1000000000);
		ts.tv_nsec = (long)(rem % 1000000000);
		r = epoll_pwait2(epfd, buf, n, &ts, NULL);
		if (r >= 0 || errno != ENOSYS)
			return (r);
		atomic_store_explicit(&pshim_nopwait2, 1,
		    memory_order_relaxed);
	}
	ms = (rem + 999999) / 1000000;
	return (epoll_wait(epfd, buf, n, ms > INT_MAX ? INT_MAX : (int)ms));
}

/*--------------------------------------------------------------------
 * Decide how the next epoll_wait() of a getter goes, reserve the room
 * for it and, if it is to sleep, count it as a sleeper.  0, or an errno.
 * Under mtx.
 */

static int
pshim_prepare(struct pshim *p, struct pshim_call *c, uint_t avail)
{
	uint_t room;

	assert(avail < c->max && c->want <= c->max);
	room = c->max - avail;
	if (room > PSHIM_NBUF)
		room = PSHIM_NBUF;
	/*
	 * Collect what is ready before returning, blocking or refusing to
	 * block; with nothing queued, a blocking wait does that by itself.
	 */
	c->nonblock = !c->polled && (avail > 0 ||
	    c->tmode == PSHIM_T_ZERO || c->tmode == PSHIM_T_BAD);
	if (!c->nonblock && c->tmode == PSHIM_T_BAD)
		return (EINVAL);
	if (pshim_reserve(p, c, room) != 0)
		return (ENOMEM);
	if (!c->nonblock) {
		p->nsleep++;
		c->sleeping = 1;
		c->seen = p->wseq;
	}
	return (0);
}

/*--------------------------------------------------------------------
 * One epoll_wait() of a getter, without mtx.  0, or an errno.
 */

static int
pshim_wait(struct pshim *p, struct pshim_call *c)
{
	int64_t rem;
	int n, room = (int)c->room;

	c->nb = 0;
	if (c->nonblock) {
		n = epoll_wait(p->epfd, c->buf, room, 0);
	} else if (c->tmode == PSHIM_T_INF) {
		n = epoll_wait(p->epfd, c->buf, room, -1);
	} else {
		assert(c->tmode == PSHIM_T_TIMED);
		rem = c->deadline - pshim_now();
		if (rem <= 0) {
			c->expired = 1;
			return (0);
		}
		n = pshim_pwait(p->epfd, c->buf, room, rem);
		if (n == 0)
			c->expired = 1;
	}
	if (n < 0)
		return (errno);
	c->nb = n;
	/* A full buffer of FD items means more may be ready. */
	c->polled = n < room;
	while (n-- > 0 && !c->polled)
		c->polled = c->buf[n].data.u64 == PSHIM_TAG_EVFD;
	return (0);
}

/*--------------------------------------------------------------------
 * port_getn() with max == 0: the number of events queued.
 */

static int
pshim_count(struct pshim *p, uint_t *nget)
{
	struct pshim_call c;
	int n, r = 0;

	memset(&c, 0, offsetof(struct pshim_call, buf));
	PSHIM_LOCK(p);
	do {
		if (pshim_reserve(p, &c, PSHIM_NBUF) != 0) {
			r = ENOMEM;
			break;
		}
		PSHIM_UNLOCK(p);
		n = c.nb = epoll_wait(p->epfd, c.buf, PSHIM_NBUF, 0);
		if (n < 0) {
			r = errno;
			c.nb = 0;
		}
		PSHIM_LOCK(p);
		pshim_settle(p, &c);
	} while (n == PSHIM_NBUF);
	if (r == 0)
		*nget = p->nlive + p->uq.n;
	PSHIM_UNLOCK(p);
	if (r != 0) {
		errno = r;
		return (-1);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * The body of port_getn(), once the arguments are known good.
 */

static int
pshim_getn(struct pshim *p, struct pshim_call *c, uint_t *nget)
{
	uint_t avail, got;
	int r;

	for (;;) {
		PSHIM_LOCK(p);
		pshim_settle(p, c);
		if (p->alert) {
			pshim_ev(&c->list[0], p->alert_events,
			    PORT_SOURCE_ALERT, 0, p->alert_user);
			PSHIM_UNLOCK(p);
			*nget = 1;
			return (0);
		}
		avail = p->nlive + p->uq.n;
		if (c->expired || avail >= c->max || (c->polled &&
		    (avail >= c->want || c->tmode == PSHIM_T_ZERO))) {
			got = pshim_take(p, c->list, c->max);
			PSHIM_UNLOCK(p);
			*nget = got;
			if (c->expired && got < c->want) {
				errno = ETIME;
				return (-1);
			}
			return (0);
		}
		r = pshim_prepare(p, c, avail);
		PSHIM_UNLOCK(p);
		if (r == 0)
			r = pshim_wait(p, c);
		if (r != 0) {
			/* EINTR and the rest: nothing taken, *nget as is. */
			PSHIM_LOCK(p);
			pshim_settle(p, c);
			PSHIM_UNLOCK(p);
			errno = r;
			return (-1);
		}
	}
}

/*--------------------------------------------------------------------
 * Create a port.  Its id, or -1 with errno.
 */

int
port_create(void)
{
	struct epoll_event ev;
	struct pshim *p;
	int e;

	ALLOC_OBJ(p, PSHIM_MAGIC);
	if (p == NULL)
		return (-1);
	p->epfd = p->evfd = -1;
	AZ(pthread_mutex_init(&p->mtx, NULL));
	p->uq_limit = PSHIM_UQ_LIMIT;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.u64 = PSHIM_TAG_EVFD;
	p->bl.esz = sizeof(struct pshim_bl);
	p->uq.esz = sizeof(struct pshim_uev);
	if (pshim_ring_reserve(&p->bl, 256) != 0 ||
	    pshim_ring_reserve(&p->uq, 64) != 0 ||
	    (p->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (p->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->evfd, &ev) != 0 ||
	    pshim_publish(p->epfd, p) != 0) {
		e = errno;
		(void)pshim_free(p);
		errno = e;
		return (-1);
	}
	return (p->epfd);
}

/*--------------------------------------------------------------------
 * Close a port and free its state; no other thread may be using it.
 * What close(2) returns.  An fd that is not a port is just closed.
 */

int
port_close(int port)
{
	struct pshim *p;

	p = pshim_lookup(port);
	if (p == NULL)
		return (close(port));
	PSHIM_LOCK(p);
	assert(p->nsleep == 0);
	PSHIM_UNLOCK(p);
	AZ(pshim_publish(port, NULL));
	return (pshim_free(p));
}

/*--------------------------------------------------------------------
 * Add or re-arm the epoll item of fd.  0, or -1 with errno.  Under mtx.
 */

static int
pshim_ctl(struct pshim *p, struct pshim_fd *e, int fd, struct epoll_event *ev)
{
	int r;

	if (e->in_epoll) {
		if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, fd, ev) == 0) {
			e->kev = (uint16_t)ev->events;
			e->kgen = (uint32_t)(ev->data.u64 >> 32);
			return (0);
		}
		if (errno != ENOENT) {
			if (errno == EBADF)
				e->in_epoll = 0;
			return (-1);
		}
		e->in_epoll = 0;	/* the number now names another file */
	}
	r = epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, ev);
	if (r != 0 && errno == EEXIST)
		r = epoll_ctl(p->epfd, EPOLL_CTL_MOD, fd, ev);
	if (r == 0) {
		e->in_epoll = 1;
		e->kev = (uint16_t)ev->events;
		e->kgen = (uint32_t)(ev->data.u64 >> 32);
	}
	return (r);
}

/*--------------------------------------------------------------------
 * Associate fd with the port for one event among events (poll bits),
 * replacing any association it has.  0, or -1 with errno: EBADF/EBADFD
 * (port), EINVAL/ENOTSUP (source), EBADFD (fd not open), EPERM (fd
 * cannot be polled: a regular file), EAGAIN, ENOMEM.
 */

int
port_associate(int port, int source, uintptr_t object, int events,
    void *user)
{
	struct epoll_event ev;
	struct pshim_fd *e;
	struct pshim *p;
	struct stat st;
	int fd, idc, r, err = 0;

	if ((p = pshim_lookup(port)) == NULL)
		return (-1);
	if (source != PORT_SOURCE_FD) {
		errno = source == PORT_SOURCE_FILE ? ENOTSUP : EINVAL;
		return (-1);
	}
	if (object > INT_MAX) {
		errno = EBADFD;
		return (-1);
	}
	fd = (int)object;
	idc = atomic_load_explicit(&pshim_idcheck, memory_order_relaxed);
	if (idc && fstat(fd, &st) != 0) {
		errno = EBADFD;
		return (-1);
	}
	PSHIM_LOCK(p);
	if ((unsigned)fd >= p->nfd && pshim_fd_grow(p, fd) != 0) {
		PSHIM_UNLOCK(p);
		return (-1);
	}
	e = &p->fdtab[fd];
	if (e->state == PSHIM_QUEUED)
		p->nlive--;		/* the fired event is discarded */
	e->gen++;
	e->state = PSHIM_ARMED;
	e->events = (uint16_t)events;
	e->user = user;
	e->has_id = 0;
	if (idc && (p->idtab != NULL ||
	    (p->idtab = calloc(p->nfd, sizeof *p->idtab)) != NULL)) {
		e->has_id = 1;
		p->idtab[fd].dev = st.st_dev;
		p->idtab[fd].ino = st.st_ino;
	}
	memset(&ev, 0, sizeof ev);
	ev.events = pshim_poll2ep(events);
	ev.data.u64 = (uint64_t)e->gen << 32 | (uint32_t)fd;
	if (e->warm && e->in_epoll && e->kev == ev.events && !idc) {
		/* delivered and still in the set with these bits: no call */
		e->warm = 0;
		PSHIM_UNLOCK(p);
		return (0);
	}
	e->warm = 0;
	r = pshim_ctl(p, e, fd, &ev);
	if (r != 0) {
		err = errno;
		e->state = PSHIM_NONE;
	}
	PSHIM_UNLOCK(p);
	if (r != 0) {
		errno = err == EBADF ? EBADFD : err == ENOSPC ? EAGAIN : err;
		return (-1);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Remove the association of fd, and its event if it fired but was not
 * retrieved.  0, or -1 with errno: ENOENT (no association, or its event
 * was retrieved), EBADFD (fd not open; the association is gone anyway).
 */

int
port_dissociate(int port, int source, uintptr_t object)
{
	struct pshim_fd *e;
	struct pshim *p;
	int fd, was = 0, closed = -1;

	if ((p = pshim_lookup(port)) == NULL)
		return (-1);
	if (source != PORT_SOURCE_FD) {
		errno = EINVAL;
		return (-1);
	}
	if (object > INT_MAX) {
		errno = EBADFD;
		return (-1);
	}
	fd = (int)object;
	PSHIM_LOCK(p);
	if ((unsigned)fd < p->nfd) {
		e = &p->fdtab[fd];
		was = e->state != PSHIM_NONE;
		if (e->state == PSHIM_QUEUED)
			p->nlive--;
		e->state = PSHIM_NONE;
		e->gen++;
		e->warm = 0;
		if (e->in_epoll) {
			if (epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL) == 0 ||
			    errno == ENOENT)
				closed = 0;
			else if (errno == EBADF)
				closed = 1;
			e->in_epoll = 0;
		}
	}
	PSHIM_UNLOCK(p);
	if (closed < 0)
		closed = fcntl(fd, F_GETFD) < 0;
	if (closed || !was) {
		errno = closed ? EBADFD : ENOENT;
		return (-1);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Queue one PORT_SOURCE_USER event.  0, or -1 with errno: EAGAIN (the
 * queue holds uq_limit events), ENOMEM, EBADF, EBADFD.  Not
 * async-signal-safe, unlike illumos.
 */

int
port_send(int port, int events, void *user)
{
	struct pshim_uev u;
	struct pshim *p;

	if ((p = pshim_lookup(port)) == NULL)
		return (-1);
	u.events = events;
	u.user = user;
	PSHIM_LOCK(p);
	if (p->uq.n >= p->uq_limit) {
		PSHIM_UNLOCK(p);
		errno = EAGAIN;
		return (-1);
	}
	if (pshim_ring_reserve(&p->uq, 1) != 0) {
		PSHIM_UNLOCK(p);
		return (-1);
	}
	pshim_ring_push(&p->uq, &u);
	pshim_wake(p);
	PSHIM_UNLOCK(p);
	return (0);
}

/*--------------------------------------------------------------------
 * Enter (events != 0) or leave (events == 0) alert mode.  0, or -1 with
 * errno: EINVAL (both flags), EBUSY (PORT_ALERT_UPDATE while in alert
 * mode), EBADF, EBADFD.
 */

int
port_alert(int port, int flags, int events, void *user)
{
	struct pshim *p;

	if ((p = pshim_lookup(port)) == NULL)
		return (-1);
	if (events == 0) {
		PSHIM_LOCK(p);
		p->alert = 0;
		PSHIM_UNLOCK(p);
		return (0);
	}
	if ((flags & (PORT_ALERT_SET | PORT_ALERT_UPDATE)) ==
	    (PORT_ALERT_SET | PORT_ALERT_UPDATE)) {
		errno = EINVAL;
		return (-1);
	}
	PSHIM_LOCK(p);
	if (flags == PORT_ALERT_UPDATE && p->alert) {
		PSHIM_UNLOCK(p);
		errno = EBUSY;
		return (-1);
	}
	p->alert = 1;
	p->alert_events = events;
	p->alert_user = user;
	pshim_wake(p);
	PSHIM_UNLOCK(p);
	return (0);
}

/*--------------------------------------------------------------------
 * Wait for at least *nget events and take up to max of them; on return
 * *nget is the number taken.  0; or -1 with ETIME (*nget events taken,
 * fewer than asked, all valid), EINTR (nothing taken, *nget untouched),
 * EINVAL, EFAULT, EBADF, EBADFD, ENOMEM.  In alert mode: the one alert
 * event.  See event-ports.md 2.4 for the order of the checks.
 */

int
port_getn(int port, port_event_t list[], uint_t max, uint_t *nget,
    struct timespec *timeout)
{
	struct pshim_call c;
	struct pshim *p;

	if (nget == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((p = pshim_lookup(port)) == NULL)
		return (-1);
	if (*nget > max && max > 0) {
		errno = EINVAL;
		return (-1);
	}
	if (max == 0)
		return (pshim_count(p, nget));
	if (list == NULL) {
		errno = EFAULT;
		return (-1);
	}
	if (*nget == 0)
		return (0);
	memset(&c, 0, offsetof(struct pshim_call, buf));
	c.list = list;
	c.max = max;
	c.want = *nget;
	pshim_timeout(&c, timeout);
	return (pshim_getn(p, &c, nget));
}

/*--------------------------------------------------------------------
 * Wait for one event.  0, or -1 with errno as port_getn(); ETIME also
 * for a zero timeout with nothing queued (modern illumos).
 */

int
port_get(int port, port_event_t *pe, struct timespec *timeout)
{
	uint_t n = 1;
	int r;

	if (pe == NULL) {
		errno = EFAULT;
		return (-1);
	}
	r = port_getn(port, pe, 1, &n, timeout);
	if (n == 1 && (r == 0 || errno == ETIME))
		return (0);
	if (r == 0) {
		errno = ETIME;
		return (-1);
	}
	return (r);
}

/*--------------------------------------------------------------------
 * Test knob: the number of user events a port may hold.
 */

void
port_shim_set_userq_limit(int port, unsigned limit)
{
	struct pshim *p;

	if ((p = pshim_lookup(port)) == NULL)
		return;
	PSHIM_LOCK(p);
	p->uq_limit = limit;
	PSHIM_UNLOCK(p);
}

/*--------------------------------------------------------------------
 * Test knob: check at delivery that the fd still names the file it was
 * associated with (one fstat(2) per event, under the port's mutex).
 * For associations made while it is on.
 */

void
port_shim_set_identity_check(int on)
{

	atomic_store_explicit(&pshim_idcheck, on != 0, memory_order_relaxed);
}

#endif /* !__sun */
