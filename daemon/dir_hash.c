/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * dir_hash.c -- consistent hashing: the same key goes to the same member
 * while it is up, and removing one of N members moves only the keys that
 * were on it (about 1/N).
 *
 * The ring is lib/lb.c's, built from the members' names and weights when
 * the configuration is loaded, so that every worker and every reload with
 * the same members agree.  A key whose member is down, or was tried
 * already, goes on to the next point of the ring that belongs to a member
 * it may use.  The key is hash_key: the client's address, the Host, the
 * path (without the query), a header field or a cookie; a request that
 * lacks the field or cookie is hashed by its client address instead, and
 * so is a retry (whose head was sent already; it skips the member that
 * failed anyway).
 */

#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "frontd.h"
#include "conf.h"
#include "director.h"
#include "h1.h"
#include "lb.h"

/*--------------------------------------------------------------------
 * Build the ring from the members' names and weights.
 */

static int
dir_hash_init(struct director *d)
{
	const char *names[DIR_MAXMEMBER];
	unsigned w[DIR_MAXMEMBER], u;

	for (u = 0; u < d->n; u++) {
		names[u] = d->mem[u].be->name;
		w[u] = d->mem[u].weight;
	}
	d->priv = LB_RingNew(names, w, d->n);
	return (d->priv == NULL ? -1 : 0);
}

/*--------------------------------------------------------------------
 * The value of cookie 'name' in the Cookie fields, or NULL.
 */

static const char *
dir_cookie(const struct dir_req *rq, const char *name, size_t *lenp)
{
	const struct h1_field *f;
	const char *p, *e, *s, *t;
	size_t nl = strlen(name);
	unsigned idx = 0;

	while ((f = H1_Find(rq->h, rq->base, "cookie", &idx)) != NULL) {
		p = rq->base + f->value.off;
		e = p + f->value.len;
		while (p < e) {
			while (p < e && (*p == ' ' || *p == ';'))
				p++;
			s = p;
			while (p < e && *p != ';')
				p++;
			t = memchr(s, '=', (size_t)(p - s));
			if (t != NULL && (size_t)(t - s) == nl &&
			    memcmp(s, name, nl) == 0) {
				*lenp = (size_t)(p - t - 1);
				return (t + 1);
			}
		}
	}
	return (NULL);
}

/*--------------------------------------------------------------------
 * The bytes to hash for this request, per hash_key.
 */

static const char *
dir_key(const struct director *d, const struct dir_req *rq, size_t *lenp)
{
	const struct conf_director *cd = d->cd;
	const struct h1_field *f;
	const char *p = NULL;
	unsigned idx = 0;

	switch (rq->h == NULL ? DIR_K_CLIENT_IP : cd->hash_key) {
	case DIR_K_HOST:
	case DIR_K_HEADER:
		f = H1_Find(rq->h, rq->base, cd->hash_key == DIR_K_HOST ?
		    "host" : cd->hash_arg, &idx);
		if (f != NULL) {
			p = rq->base + f->value.off;
			*lenp = f->value.len;
		}
		break;
	case DIR_K_PATH:
		p = rq->base + rq->h->target.off;
		*lenp = rq->h->target.len;
		if (memchr(p, '?', *lenp) != NULL)
			*lenp = (size_t)((const char *)memchr(p, '?', *lenp) - p);
		break;
	case DIR_K_COOKIE:
		p = dir_cookie(rq, cd->hash_arg, lenp);
		break;
	default:
		break;
	}
	if (p != NULL)
		return (p);
	if (rq->peer->sa.sa_family == AF_INET6) {
		*lenp = sizeof rq->peer->sin6.sin6_addr;
		return ((const char *)&rq->peer->sin6.sin6_addr);
	}
	*lenp = sizeof rq->peer->sin.sin_addr;
	return ((const char *)&rq->peer->sin.sin_addr);
}

/*--------------------------------------------------------------------
 * The first point of the ring at or after the key that is in ok.
 */

static uint32_t
dir_hash_key(const struct director *d, const struct dir_req *rq)
{
	const char *key;
	size_t len = 0;

	key = dir_key(d, rq, &len);
	return (LB_Hash(key, len, 0));
}

static unsigned
dir_hash_pick(struct director *d, const struct dir_req *rq, uint64_t ok)
{
	const struct lb_ring *r = d->priv;
	unsigned i, k;

	CHECK_OBJ_NOTNULL(r, LB_RING_MAGIC);
	i = LB_RingFind(r, rq->keyed ? rq->key : dir_hash_key(d, rq));
	for (k = 0; k < r->npt; k++) {
		if (ok & DIR_BIT(r->pt[i].member))
			return (r->pt[i].member);
		i = i + 1 == r->npt ? 0 : i + 1;
	}
	return ((unsigned)__builtin_ctzll(ok));
}

/*--------------------------------------------------------------------
 * Free the ring.
 */

static void
dir_hash_fini(struct director *d)
{
	struct lb_ring *r = d->priv;

	LB_RingFree(&r);
	d->priv = NULL;
}

const struct dir_methods DIR_hash = {
	.magic = DIR_METHODS_MAGIC,
	.name = "hash",
	.init = dir_hash_init,
	.pick = dir_hash_pick,
	.key = dir_hash_key,
	.fini = dir_hash_fini,
};
