/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * ses_partial.c -- unfinished request heads, counted per client address.
 *
 * With max_partial_per_client set, a client address may have at most
 * that many sessions holding part of a request head, in the idle waiter
 * or on a worker between requests; the next one gets 429 and is closed.  min_rate and timeout_req bound
 * how long each slow head lives; this bounds how many one address holds
 * at once, so that one host's slowloris cannot take the room that
 * max_connections leaves for everyone else (HAProxy does this with a
 * stick table and src_conn_cur, nginx with limit_conn).
 *
 * Only a head that arrives in pieces counts, from its first piece until
 * it is complete or its session closes: a real client sends its head in
 * one segment and never enters the table.  The address is the
 * session's peer, which a PROXY header has already replaced by the real
 * client's; an IPv6 client counts by its /64, which a single host holds
 * whole, and an IPv4-mapped address as IPv4.
 *
 * One table for the process, under one lock: it is touched only when a
 * head arrives in pieces, which is rare and never the hot path.  An
 * entry lives while its count is not zero, so the table holds at most
 * one entry per partial head.  Rejected: one table per idle waiter (an
 * address spread over several waiters would get the cap several times),
 * and a lock-free table (nothing here is frequent enough to need one).
 */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "frontd.h"
#include "conf.h"

#define SPL_NBUCKET	1024		/* a power of two */

struct spl_ent {
	struct spl_ent		*next;
	unsigned char		key[16];	/* v4-mapped, or a /64 */
	unsigned		n;
};

static pthread_mutex_t	spl_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct spl_ent	*spl_tbl[SPL_NBUCKET];
static unsigned		spl_n;		/* counted, all addresses */

/*--------------------------------------------------------------------
 * The key a session counts under, and its bucket (FNV-1a).
 */

static unsigned
spl_key(const struct sess *sp, unsigned char *key)
{
	static const unsigned char v4mapped[12] = {
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const union sockaddr_u *su = &sp->peer;
	unsigned h = 2166136261U;
	int i;

	memset(key, 0, 16);
	if (su->sa.sa_family == AF_INET6) {
		memcpy(key, &su->sin6.sin6_addr, 16);
		if (memcmp(key, v4mapped, sizeof v4mapped))
			memset(key + 8, 0, 8);	/* the /64 */
	} else {
		memcpy(key, v4mapped, sizeof v4mapped);
		memcpy(key + 12, &su->sin.sin_addr, 4);
	}
	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619U;
	return (h & (SPL_NBUCKET - 1));
}

/*--------------------------------------------------------------------
 * Count a session's partial head under its address.  0, or -1 when the
 * address already holds max_partial_per_client (nothing counted then).
 * With the cap off, or the session counted already, 0 at once.
 */

int
SPL_Take(struct sess *sp)
{
	unsigned char key[16];
	struct spl_ent *e;
	unsigned b, max;
	int r = 0;

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	max = sp->conf->max_partial_per_client;
	if (max == 0 || (sp->flags & SES_F_PARTIAL))
		return (0);
	b = spl_key(sp, key);
	AZ(pthread_mutex_lock(&spl_mtx));
	for (e = spl_tbl[b]; e != NULL; e = e->next)
		if (!memcmp(e->key, key, sizeof key))
			break;
	if (e == NULL && (e = calloc(1, sizeof *e)) != NULL) {
		memcpy(e->key, key, sizeof key);
		e->next = spl_tbl[b];
		spl_tbl[b] = e;
	}
	if (e == NULL || e->n >= max)
		r = -1;		/* out of memory: refuse, as over the cap */
	else {
		e->n++;
		__atomic_store_n(&spl_n, spl_n + 1, __ATOMIC_RELAXED);
	}
	AZ(pthread_mutex_unlock(&spl_mtx));
	if (r == 0)
		sp->flags |= SES_F_PARTIAL;
	return (r);
}

/*--------------------------------------------------------------------
 * The session's head is complete, or the session goes: uncount it.
 */

void
SPL_Drop(struct sess *sp)
{
	unsigned char key[16];
	struct spl_ent *e, **ep;
	unsigned b;

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	if (!(sp->flags & SES_F_PARTIAL))
		return;
	sp->flags &= ~SES_F_PARTIAL;
	b = spl_key(sp, key);
	AZ(pthread_mutex_lock(&spl_mtx));
	for (ep = &spl_tbl[b]; (e = *ep) != NULL; ep = &e->next)
		if (!memcmp(e->key, key, sizeof key))
			break;
	AN(e);
	assert(e->n > 0);
	__atomic_store_n(&spl_n, spl_n - 1, __ATOMIC_RELAXED);
	if (--e->n == 0) {
		*ep = e->next;
		free(e);
	}
	AZ(pthread_mutex_unlock(&spl_mtx));
}

/*--------------------------------------------------------------------
 * How many sessions are counted, for the stats; any thread.
 */

unsigned
SPL_Count(void)
{

	return (__atomic_load_n(&spl_n, __ATOMIC_RELAXED));
}
