/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * backend.h -- a backend as a runtime object, shared by every worker and
 * by every configuration that names it with the same address.
 */

#ifndef FRONTD_BACKEND_H
#define FRONTD_BACKEND_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include "waiter.h"
#include "health.h"

struct bpool;
struct conf_backend;

enum be_counter {
#define BE_COUNTER(f, m, t, w, h)	BE_C_##f,
#include "tbl/be_counters.h"
#undef BE_COUNTER
	BE_C__MAX
};

struct be_counters {
	uint64_t		c[BE_C__MAX];	/* atomics */
};

#define BE_CINC(cs, f)	__atomic_fetch_add(&(cs)->c[BE_C_##f], 1, \
			    __ATOMIC_RELAXED)
#define BE_CADD(cs, f, d) __atomic_fetch_add(&(cs)->c[BE_C_##f], (d), \
			    __ATOMIC_RELAXED)
#define BE_CDEC(cs, f)	assert(__atomic_fetch_sub(&(cs)->c[BE_C_##f], 1, \
			    __ATOMIC_RELAXED) > 0)

/*
 * A request waiting for a slot of a backend at max_connections.  It
 * lives in the transaction, on the waiting request's worker; the request
 * that frees a slot hands it over and wakes the waiter with WAIT_Task on
 * that worker's loop.
 */
struct be_wait {
	unsigned		magic;
#define BE_WAIT_MAGIC		0x42575154
	struct be_wait		*next;
	struct be_wait		**prevp;	/* NULL: not queued */
	struct waiter		*w;		/* the waiting worker's loop */
	struct waited		wake;		/* the task that wakes it */
	unsigned		granted;	/* a slot was handed over */
};

#define BE_MAXADDR		8	/* addresses of one name used */

/* What an operator set with the admin API; kept across reloads. */
enum be_admin {
	BE_ADM_READY = 0,	/* takes requests */
	BE_ADM_DRAIN,		/* none new; those in flight finish */
	BE_ADM_MAINT,		/* as drain, and no probes */
};

struct backend {
	unsigned		magic;
#define BACKEND_MAGIC		0x4241434b
	unsigned		refcnt;		/* configurations: be_mtx */
	char			*name;
	char			*address;	/* as written */
	char			*host;		/* a name to resolve, or NULL */
	unsigned		port;
	pthread_mutex_t		amtx;		/* the addresses */
	unsigned		naddr;		/* amtx; atomic read: 0 is down */
	unsigned		anext;		/* amtx: the next one to use */
	unsigned		agen;		/* atomic: bumped on a change */
	unsigned		dnsfail:1;	/* the last lookup failed */
	struct sockaddr_storage	addr[BE_MAXADDR];
	socklen_t		alen[BE_MAXADDR];
	unsigned		max_conn;	/* atomic: newest configuration */
	unsigned		inflight;	/* qmtx, or atomic read */
	pthread_mutex_t		qmtx;
	struct be_wait		*qhead;		/* FIFO of waiting requests */
	struct be_wait		**qtail;
	unsigned		nqueued;	/* qmtx */
	pthread_mutex_t		pmtx;
	struct bpool		*pools;		/* pmtx: every worker's pool of
						   it, for takeover (bpool.c) */
	unsigned		admin;		/* atomic: enum be_admin */
	unsigned		admin_set;	/* be_mtx: the admin API set it */
	tim_real		admin_time;	/* be_mtx: when */
	unsigned		sick;		/* atomic: the probes say down */
	unsigned		ejected;	/* atomic: passive checks took
						   it out for a while */
	struct be_health	hc;		/* health.c, eject.c */
	struct be_counters	cnt;
	struct backend		*next;		/* be_list */
};

/* The backend of this name and address, made or found; one reference. */
struct backend *BE_Find(const struct conf_backend *);
void BE_Rel(struct backend **);

/*
 * Take a slot of the backend's max_connections: 1.  0 when it is full;
 * if 'wait' is not NULL the request then waits in the backend's queue
 * (unless max_queue requests already do: -1) and wait->wake's callback
 * runs on wait->w once a finishing request hands it a slot.
 */
int BE_Acquire(struct backend *, struct be_wait *wait, unsigned max_queue);

/*
 * Leave the queue (queue_timeout, shutdown).  1 if it was still
 * waiting; 0 if a slot was already handed over (the wake-up is on its
 * way, and the slot must be released).
 */
int BE_Unqueue(struct backend *, struct be_wait *);

/* Give a slot back: to the first waiter if any (woken), else free it. */
void BE_Release(struct backend *);

/* Is the backend usable (an address known)?  Any thread. */
#define BE_UP(be)	(__atomic_load_n(&(be)->naddr, __ATOMIC_RELAXED) > 0)
/* May a director send it new requests?  Any thread. */
#define BE_PICKABLE(be)	(BE_UP(be) &&					\
	__atomic_load_n(&(be)->admin, __ATOMIC_RELAXED) == BE_ADM_READY && \
	!__atomic_load_n(&(be)->sick, __ATOMIC_RELAXED) &&		\
	!__atomic_load_n(&(be)->ejected, __ATOMIC_RELAXED))
/* What the admin API set (enum be_admin).  Any thread. */
#define BE_ADMIN(be)	__atomic_load_n(&(be)->admin, __ATOMIC_RELAXED)
#define BE_AGEN(be)	__atomic_load_n(&(be)->agen, __ATOMIC_RELAXED)

/*
 * An address to connect to, the next of several in turn, and the
 * generation of the address set.  0, or -1 when none is known.
 */
int BE_Addr(struct backend *, struct sockaddr_storage *, socklen_t *,
    unsigned *gen);
/* Is ss still one of the addresses?  *gen becomes the current one. */
int BE_AddrLive(struct backend *, const struct sockaddr_storage *,
    unsigned *gen);

/* Look the names up again (the resolver thread; backend.c). */
void BE_ResolveAll(void);
/* resolve.c: the resolver thread, every resolve_interval. */
int RSV_Start(void);
void RSV_Stop(void);
#define BE_INFLIGHT(be)	__atomic_load_n(&(be)->inflight, __ATOMIC_RELAXED)

/*
 * health.c: a probe loop takes a reference of its own (BE_HcClaim: 1 if
 * it should start, 0 if one runs already or there is no probe), and asks
 * at each turn whether to go on (BE_HcKeep: 1; 0 when no configuration
 * names the backend any more, its probe is gone, or 'stop': the loop's
 * reference is dropped then, which may free the backend).
 */
int BE_HcClaim(struct backend *);
int BE_HcKeep(struct backend **, int stop);

/*
 * The admin API: set the state of every backend called 'name' (the one
 * of the current configuration and any an older one still uses).  The
 * number of backends changed.  Any thread.
 */
unsigned BE_SetAdmin(const char *name, enum be_admin);
/* The admin state of the newest backend called 'name'. */
enum be_admin BE_AdminOf(const char *name);

/* What still uses the backends called 'name': requests and connections. */
struct be_busy {
	unsigned		inflight;
	unsigned		queued;
	unsigned		conns;
};
void BE_Busy(const char *name, struct be_busy *);

/* Call f for every backend alive (admin, stats); any thread. */
typedef void be_iter_f(const struct backend *, void *);
void BE_Iter(be_iter_f *, void *);

#endif /* FRONTD_BACKEND_H */
