/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * backend.c -- the backend as a runtime object: one per name and address,
 * shared by every worker and by every configuration that names it.
 *
 * A configuration holds a reference to each of its backends (conf.c takes
 * them with BE_Find when it is built).  A reload that keeps a backend's
 * name and address finds the same object, so its requests in flight,
 * its wait queue and its counters carry over; a backend no configuration
 * names any more is freed with the last configuration that did.
 *
 * max_connections counts requests in flight to the backend across all
 * workers.  With no limit (the default) taking and giving back a slot is
 * one atomic add.  With a limit, the count, the FIFO of waiting requests
 * and the hand-over are under the backend's mutex: a request that
 * finishes gives its slot straight to the oldest waiter and wakes it on
 * its own worker's loop (WAIT_Task), so a slot is never free while a
 * request waits for one, and nobody polls.  The waiter's own
 * queue_timeout is a timer on its loop; whichever of the two comes first
 * decides under the mutex (BE_Unqueue).
 *
 * The state an operator sets with the admin API (ready, drain, maint)
 * lives in the backend too, so a reload that keeps the name and address
 * keeps it; one that changes the address makes a new backend, which
 * takes the state of the old one of the same name (BE_Find).
 *
 * Rejected: one queue per director (a backend in two directors would
 * need two queues to wake fairly), and waking every waiter to race for
 * the slot (a thundering herd across workers).
 */

#include <sys/socket.h>
#include <netdb.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "tim.h"
#include "conf.h"
#include "backend.h"
#include "log.h"
#include "stats.h"

static pthread_mutex_t	be_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct backend	*be_list;

static void be_resolve(struct backend *, int first);

/*--------------------------------------------------------------------
 * A new backend for this configuration section.
 */

static struct backend *
be_new(const struct conf_backend *cb)
{
	struct backend *be;

	ALLOC_OBJ(be, BACKEND_MAGIC);
	AN(be);
	be->name = strdup(cb->name);
	be->address = strdup(cb->address);
	AN(be->name);
	AN(be->address);
	AZ(pthread_mutex_init(&be->amtx, NULL));
	if (cb->host != NULL) {
		be->host = strdup(cb->host);
		AN(be->host);
		be->port = cb->port;
		be_resolve(be, 1);
	} else {
		memcpy(&be->addr[0], &cb->addr, sizeof be->addr[0]);
		be->alen[0] = cb->addrlen;
		be->naddr = 1;
	}
	AZ(pthread_mutex_init(&be->qmtx, NULL));
	AZ(pthread_mutex_init(&be->pmtx, NULL));
	be->qtail = &be->qhead;
	HC_Init(be);
	return (be);
}

/*--------------------------------------------------------------------
 * A new backend takes what the admin API set on a backend of the same
 * name (its address changed in a reload); be_mtx held.
 */

static void
be_inherit(struct backend *be)
{
	const struct backend *o;

	for (o = be_list; o != NULL; o = o->next) {
		if (strcmp(o->name, be->name) || !o->admin_set)
			continue;
		__atomic_store_n(&be->admin, BE_ADMIN(o), __ATOMIC_RELAXED);
		be->admin_set = 1;
		be->admin_time = o->admin_time;
		log_info("backend '%s': address %s keeps the state the admin "
		    "API set", be->name, be->address);
		return;
	}
}

/*--------------------------------------------------------------------
 * Set the admin state of every backend called name (see backend.h).
 */

unsigned
BE_SetAdmin(const char *name, enum be_admin st)
{
	struct backend *be;
	unsigned n = 0;
	tim_real now = TIM_real();

	AN(name);
	assert(st == BE_ADM_READY || st == BE_ADM_DRAIN ||
	    st == BE_ADM_MAINT);
	AZ(pthread_mutex_lock(&be_mtx));
	for (be = be_list; be != NULL; be = be->next) {
		if (strcmp(be->name, name))
			continue;
		__atomic_store_n(&be->admin, st, __ATOMIC_SEQ_CST);
		be->admin_set = 1;
		be->admin_time = now;
		n++;
	}
	AZ(pthread_mutex_unlock(&be_mtx));
	return (n);
}

/*--------------------------------------------------------------------
 * The admin state of the newest backend called name (the list is newest
 * first); ready if there is none.
 */

enum be_admin
BE_AdminOf(const char *name)
{
	const struct backend *be;
	enum be_admin st = BE_ADM_READY;

	AZ(pthread_mutex_lock(&be_mtx));
	for (be = be_list; be != NULL; be = be->next)
		if (!strcmp(be->name, name)) {
			st = (enum be_admin)BE_ADMIN(be);
			break;
		}
	AZ(pthread_mutex_unlock(&be_mtx));
	return (st);
}

/*--------------------------------------------------------------------
 * Requests and connections of every backend called name (any thread).
 */

void
BE_Busy(const char *name, struct be_busy *bb)
{
	const struct backend *be;

	AN(name);
	memset(bb, 0, sizeof *bb);
	AZ(pthread_mutex_lock(&be_mtx));
	for (be = be_list; be != NULL; be = be->next) {
		if (strcmp(be->name, name))
			continue;
		bb->inflight += BE_INFLIGHT(be);
		bb->queued += __atomic_load_n(&be->nqueued, __ATOMIC_RELAXED);
		bb->conns += (unsigned)__atomic_load_n(&be->cnt.c[BE_C_conns],
		    __ATOMIC_RELAXED);
	}
	AZ(pthread_mutex_unlock(&be_mtx));
}

/*--------------------------------------------------------------------
 * The backend of this name and address, with one more reference (any
 * thread; conf.c while it builds a configuration).  Its limit becomes
 * the one of the newest configuration.
 */

struct backend *
BE_Find(const struct conf_backend *cb)
{
	struct backend *be;

	CHECK_OBJ_NOTNULL(cb, CONF_BACKEND_MAGIC);
	AZ(pthread_mutex_lock(&be_mtx));
	for (be = be_list; be != NULL; be = be->next)
		if (!strcmp(be->name, cb->name) &&
		    !strcmp(be->address, cb->address))
			break;
	if (be == NULL) {
		be = be_new(cb);
		be_inherit(be);
		be->next = be_list;
		be_list = be;
	}
	be->refcnt++;
	__atomic_store_n(&be->max_conn, cb->max_conn, __ATOMIC_RELAXED);
	HC_Conf(be, cb);
	AZ(pthread_mutex_unlock(&be_mtx));
	return (be);
}

/*--------------------------------------------------------------------
 * Take a backend out of the list; be_mtx held, its last reference gone.
 */

static void
be_unlist(struct backend *be)
{
	struct backend **pp;

	AZ(be->refcnt);
	AZ(be->hc.on);
	for (pp = &be_list; *pp != be; pp = &(*pp)->next)
		AN(*pp);
	*pp = be->next;
}

/*--------------------------------------------------------------------
 * Free a backend out of the list.  Nothing can be in flight then: every
 * request holds a reference to its configuration.
 */

static void
be_free(struct backend *be)
{

	AZ(BE_INFLIGHT(be));
	AZ(be->qhead);
	HC_Fini(be);
	AZ(pthread_mutex_destroy(&be->qmtx));
	AZ(be->pools);			/* each pool holds a reference */
	AZ(pthread_mutex_destroy(&be->pmtx));
	AZ(pthread_mutex_destroy(&be->amtx));
	free(be->name);
	free(be->address);
	free(be->host);
	FREE_OBJ(be);
}

/*--------------------------------------------------------------------
 * Drop a reference; the last one frees the backend.
 */

void
BE_Rel(struct backend **pbe)
{
	struct backend *be;

	TAKE_OBJ_NOTNULL(be, pbe, BACKEND_MAGIC);
	AZ(pthread_mutex_lock(&be_mtx));
	assert(be->refcnt > 0);
	if (--be->refcnt > 0) {
		AZ(pthread_mutex_unlock(&be_mtx));
		return;
	}
	be_unlist(be);
	AZ(pthread_mutex_unlock(&be_mtx));
	be_free(be);
}

/*--------------------------------------------------------------------
 * A probe loop for be, with a reference of its own (see backend.h).
 * Main thread.
 */

int
BE_HcClaim(struct backend *be)
{
	int r;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	AZ(pthread_mutex_lock(&be_mtx));
	r = !be->hc.on && be->hc.spec != NULL;
	if (r) {
		be->hc.on = 1;
		be->refcnt++;
	}
	AZ(pthread_mutex_unlock(&be_mtx));
	return (r);
}

/*--------------------------------------------------------------------
 * Should the probe loop go on (see backend.h)?  Its loop's thread.
 * Decided under be_mtx, so that a reload finding the backend again
 * either sees the loop still on or starts a new one.
 */

int
BE_HcKeep(struct backend **pbe, int stop)
{
	struct backend *be;

	CHECK_OBJ_NOTNULL(*pbe, BACKEND_MAGIC);
	be = *pbe;
	AZ(pthread_mutex_lock(&be_mtx));
	AN(be->hc.on);
	if (!stop && be->refcnt > 1 && be->hc.spec != NULL) {
		AZ(pthread_mutex_unlock(&be_mtx));
		return (1);
	}
	be->hc.on = 0;
	*pbe = NULL;
	if (--be->refcnt > 0) {
		AZ(pthread_mutex_unlock(&be_mtx));
		return (0);
	}
	be_unlist(be);
	AZ(pthread_mutex_unlock(&be_mtx));
	be_free(be);
	return (0);
}

/*--------------------------------------------------------------------
 * One more or one fewer waiter; be->qmtx held.  Read without the lock by
 * BE_Release's fast path and by the stats.
 */

static void
be_count(struct backend *be, int d)
{
	unsigned n;

	n = __atomic_load_n(&be->nqueued, __ATOMIC_RELAXED) + (unsigned)d;
	__atomic_store_n(&be->nqueued, n, __ATOMIC_RELAXED);
	__atomic_store_n(&be->cnt.c[BE_C_queued], n, __ATOMIC_RELAXED);
}

/*--------------------------------------------------------------------
 * One more request in flight, and the most there ever were.
 */

static void
be_inflight_inc(struct backend *be)
{
	uint64_t n, peak;

	n = __atomic_add_fetch(&be->inflight, 1, __ATOMIC_RELAXED);
	peak = __atomic_load_n(&be->cnt.c[BE_C_inflight_peak],
	    __ATOMIC_RELAXED);
	while (n > peak && !__atomic_compare_exchange_n(
	    &be->cnt.c[BE_C_inflight_peak], &peak, n, 1, __ATOMIC_RELAXED,
	    __ATOMIC_RELAXED))
		continue;
}

/*--------------------------------------------------------------------
 * Take a slot, or queue for one (see backend.h).  Any worker.
 */

int
BE_Acquire(struct backend *be, struct be_wait *wt, unsigned max_queue)
{
	unsigned max;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	max = __atomic_load_n(&be->max_conn, __ATOMIC_RELAXED);
	if (max == 0) {
		be_inflight_inc(be);
		return (1);
	}
	AZ(pthread_mutex_lock(&be->qmtx));
	if (BE_INFLIGHT(be) < max && be->qhead == NULL) {
		be_inflight_inc(be);
		AZ(pthread_mutex_unlock(&be->qmtx));
		return (1);
	}
	if (wt == NULL || be->nqueued >= max_queue) {
		if (wt != NULL)
			BE_CINC(&be->cnt, queue_full);
		AZ(pthread_mutex_unlock(&be->qmtx));
		return (wt == NULL ? 0 : -1);
	}
	CHECK_OBJ_NOTNULL(wt, BE_WAIT_MAGIC);
	AZ(wt->prevp);
	wt->granted = 0;
	wt->next = NULL;
	wt->prevp = be->qtail;
	*be->qtail = wt;
	be->qtail = &wt->next;
	be_count(be, 1);
	AZ(pthread_mutex_unlock(&be->qmtx));
	return (0);
}

/*--------------------------------------------------------------------
 * Take wt out of the queue; be->qmtx held.
 */

static void
be_unlink(struct backend *be, struct be_wait *wt)
{

	AN(wt->prevp);
	*wt->prevp = wt->next;
	if (wt->next != NULL)
		wt->next->prevp = wt->prevp;
	else
		be->qtail = wt->prevp;
	wt->prevp = NULL;
	wt->next = NULL;
	be_count(be, -1);
}

/*--------------------------------------------------------------------
 * Leave the queue: 1 if still waiting, 0 if already granted a slot.
 */

int
BE_Unqueue(struct backend *be, struct be_wait *wt)
{
	int r;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	CHECK_OBJ_NOTNULL(wt, BE_WAIT_MAGIC);
	AZ(pthread_mutex_lock(&be->qmtx));
	r = wt->prevp != NULL;
	if (r)
		be_unlink(be, wt);
	else
		AN(wt->granted);
	AZ(pthread_mutex_unlock(&be->qmtx));
	return (r);
}

/*--------------------------------------------------------------------
 * Give a slot back (any worker).  The oldest waiter gets it and is woken
 * on its loop; if that loop cannot take the task (stopping, port full),
 * the waiter stays queued and its own timer ends its wait.
 */

void
BE_Release(struct backend *be)
{
	struct be_wait *wt;
	unsigned max;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	max = __atomic_load_n(&be->max_conn, __ATOMIC_RELAXED);
	if (max == 0 && __atomic_load_n(&be->nqueued, __ATOMIC_RELAXED) ==
	    0) {
		assert(__atomic_fetch_sub(&be->inflight, 1,
		    __ATOMIC_RELAXED) > 0);
		return;
	}
	AZ(pthread_mutex_lock(&be->qmtx));
	wt = be->qhead;
	if (wt != NULL && (max == 0 || BE_INFLIGHT(be) <= max)) {
		CHECK_OBJ_NOTNULL(wt, BE_WAIT_MAGIC);
		be_unlink(be, wt);
		wt->granted = 1;
		if (WAIT_Task(wt->w, &wt->wake) == 0) {
			AZ(pthread_mutex_unlock(&be->qmtx));
			return;		/* the slot is the waiter's now */
		}
		/* put it back at the head: its timer will end the wait */
		wt->granted = 0;
		wt->next = be->qhead;
		wt->prevp = &be->qhead;
		if (be->qhead != NULL)
			be->qhead->prevp = &wt->next;
		else
			be->qtail = &wt->next;
		be->qhead = wt;
		be_count(be, 1);
	}
	assert(BE_INFLIGHT(be) > 0);
	__atomic_fetch_sub(&be->inflight, 1, __ATOMIC_RELAXED);
	AZ(pthread_mutex_unlock(&be->qmtx));
}

/*--------------------------------------------------------------------
 * Call f on every backend (admin thread): under be_mtx, so none is freed
 * meanwhile.  f must not block.
 */

void
BE_Iter(be_iter_f *f, void *priv)
{
	const struct backend *be;

	AZ(pthread_mutex_lock(&be_mtx));
	for (be = be_list; be != NULL; be = be->next)
		f(be, priv);
	AZ(pthread_mutex_unlock(&be_mtx));
}

/*--------------------------------------------------------------------
 * Add one backend's shared counters to its slot of a snapshot (by
 * name; a backend no pool was made for yet gets a slot here).
 */

static void
be_stat1(const struct backend *be, void *priv)
{
	struct stats *st = priv;
	struct stats_backend *sb;
	unsigned u;

	for (u = 0; u < st->nbackend; u++)
		if (!strcmp(st->be[u].name, be->name))
			break;
	if (u == st->nbackend) {
		if (u >= STAT_MAXBACKEND)
			return;
		(void)snprintf(st->be[u].name, sizeof st->be[u].name, "%s",
		    be->name);
		st->nbackend++;
	}
	sb = &st->be[u];
	if (!sb->st_seen) {		/* the newest of this name */
		sb->st_seen = 1;
		sb->admin = BE_ADMIN(be);
		sb->admin_set = be->admin_set;
		sb->admin_time = be->admin_time;
		sb->up = BE_UP(be) &&
		    !__atomic_load_n(&be->sick, __ATOMIC_RELAXED) &&
		    !__atomic_load_n(&be->ejected, __ATOMIC_RELAXED);
	}
	for (u = 0; u < BE_C__MAX; u++)
		sb->lb.c[u] += __atomic_load_n(&be->cnt.c[u],
		    __ATOMIC_RELAXED);
	sb->lb.c[BE_C_inflight] += BE_INFLIGHT(be);
	HC_Status(be, &sb->hc);
}

/*--------------------------------------------------------------------
 * Every backend's shared counters into a snapshot (any thread).
 */

void
BE_LbStats(struct stats *st)
{

	BE_Iter(be_stat1, st);
}

/*--------------------------------------------------------------------
 * An address to connect to (see backend.h).  Any worker; only when a new
 * connection is opened, never for a pooled one.
 */

int
BE_Addr(struct backend *be, struct sockaddr_storage *ss, socklen_t *lenp,
    unsigned *gen)
{
	unsigned i;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	AZ(pthread_mutex_lock(&be->amtx));
	if (be->naddr == 0) {
		AZ(pthread_mutex_unlock(&be->amtx));
		return (-1);
	}
	i = be->anext++ % be->naddr;
	*ss = be->addr[i];
	*lenp = be->alen[i];
	*gen = be->agen;
	AZ(pthread_mutex_unlock(&be->amtx));
	return (0);
}

/*--------------------------------------------------------------------
 * Is ss one of the current addresses?  For a pooled connection made
 * before the addresses changed (its *gen is old).
 */

int
BE_AddrLive(struct backend *be, const struct sockaddr_storage *ss,
    unsigned *gen)
{
	unsigned i;
	int r = 0;

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	AZ(pthread_mutex_lock(&be->amtx));
	for (i = 0; i < be->naddr && !r; i++)
		r = !memcmp(&be->addr[i], ss, be->alen[i]);
	*gen = be->agen;
	AZ(pthread_mutex_unlock(&be->amtx));
	return (r);
}

/*--------------------------------------------------------------------
 * Do two address sets hold the same addresses, in any order?
 */

static int
be_same(const struct sockaddr_storage *a, unsigned na,
    const struct sockaddr_storage *b, unsigned nb)
{
	unsigned i, j;

	if (na != nb)
		return (0);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (!memcmp(&a[i], &b[j], sizeof a[i]))
				break;
		if (j == nb)
			return (0);
	}
	return (1);
}

/*--------------------------------------------------------------------
 * Look up a backend's name (getaddrinfo, which may block: the main
 * thread at start and reload, or the resolver thread) and take the new
 * addresses if they changed ('first': when the backend is made, which
 * is not a change to count).  A name that does not resolve leaves the
 * addresses as they were: down if it never resolved, else the last ones
 * known.
 */

static void
be_resolve(struct backend *be, int first)
{
	struct sockaddr_storage a[BE_MAXADDR];
	socklen_t l[BE_MAXADDR];
	struct addrinfo hints, *res, *ai;
	char port[8];
	unsigned n = 0, i;
	int e;

	AN(be->host);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	(void)snprintf(port, sizeof port, "%u", be->port);
	e = getaddrinfo(be->host, port, &hints, &res);
	if (e != 0) {
		if (!be->dnsfail)
			log_warnx("backend '%s': %s does not resolve: %s%s",
			    be->name, be->host, gai_strerror(e),
			    BE_UP(be) ? "; keeping its last addresses" :
			    "; down until it does");
		be->dnsfail = 1;
		return;
	}
	be->dnsfail = 0;
	memset(a, 0, sizeof a);
	for (ai = res; ai != NULL && n < BE_MAXADDR; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof a[0])
			continue;
		memcpy(&a[n], ai->ai_addr, ai->ai_addrlen);
		l[n] = ai->ai_addrlen;
		for (i = 0; i < n && memcmp(&a[i], &a[n], sizeof a[n]); i++)
			continue;
		if (i == n)
			n++;
		else
			memset(&a[n], 0, sizeof a[n]);
	}
	freeaddrinfo(res);
	AZ(pthread_mutex_lock(&be->amtx));
	if (be_same(a, n, be->addr, be->naddr)) {
		AZ(pthread_mutex_unlock(&be->amtx));
		return;
	}
	memcpy(be->addr, a, sizeof a);
	memcpy(be->alen, l, sizeof l);
	__atomic_store_n(&be->naddr, n, __ATOMIC_RELAXED);
	__atomic_store_n(&be->agen, be->agen + 1, __ATOMIC_RELAXED);
	AZ(pthread_mutex_unlock(&be->amtx));
	if (first)
		return;			/* at start: not a change */
	BE_CINC(&be->cnt, dns_changes);
	log_info("backend '%s': %s has %u address%s now", be->name, be->host,
	    n, n == 1 ? "" : "es");
}

/*--------------------------------------------------------------------
 * Look up every backend named by a name again (the resolver thread).
 * The backends are held by a reference while be_mtx is not.
 */

void
BE_ResolveAll(void)
{
	struct backend *be, **v = NULL;
	unsigned n = 0, u;

	AZ(pthread_mutex_lock(&be_mtx));
	for (be = be_list; be != NULL; be = be->next)
		n += be->host != NULL;
	if (n > 0)
		v = calloc(n, sizeof *v);
	n = 0;
	for (be = be_list; be != NULL && v != NULL; be = be->next) {
		if (be->host == NULL)
			continue;
		be->refcnt++;
		v[n++] = be;
	}
	AZ(pthread_mutex_unlock(&be_mtx));
	for (u = 0; u < n; u++) {
		be_resolve(v[u], 0);
		BE_Rel(&v[u]);
	}
	free(v);
}
