/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * director.h -- a group of backends and the policy that picks one for
 * each request.  One small method table per policy, one file each
 * (dir_random.c, dir_round_robin.c, dir_least_conn.c, dir_hash.c), in
 * the shape of Varnish's vdi_methods and nginx's upstream modules.
 */

#ifndef FRONTD_DIRECTOR_H
#define FRONTD_DIRECTOR_H

#include <stdint.h>

#include "backend.h"

struct conf;
struct conf_director;
struct director;
struct h1_head;
union sockaddr_u;

#define DIR_MAXMEMBER	64	/* members are sets of bits in a uint64_t */

struct dir_member {
	struct backend		*be;
	unsigned		cidx;		/* in conf->backend */
	unsigned		weight;
	unsigned		backup:1;
};

/*
 * What a policy may look at to choose: the request.  Its head may be gone
 * by the time the choice is made (the body is read first): a policy that
 * needs it says so with a key method, whose value comes back in 'key'.
 */
struct dir_req {
	const union sockaddr_u	*peer;
	const struct h1_head	*h;		/* NULL: see key */
	const char		*base;		/* first byte of the head */
	uint32_t		key;
	unsigned		keyed;		/* key is set */
};

/* Build and free the policy's state (d->priv); 0 or -1 (no memory). */
typedef int dir_init_f(struct director *);
typedef void dir_fini_f(struct director *);
/*
 * Choose one of the members in the set 'ok' (never empty): its index.
 * Any worker, concurrently; no lock, no allocation.
 */
typedef unsigned dir_pick_f(struct director *, const struct dir_req *,
    uint64_t ok);
/* What of the request the choice depends on, taken while the head is
   there (optional). */
typedef uint32_t dir_key_f(const struct director *, const struct dir_req *);

struct dir_methods {
	unsigned		magic;
#define DIR_METHODS_MAGIC	0x444d4554
	const char		*name;
	dir_init_f		*init;
	dir_pick_f		*pick;
	dir_key_f		*key;
	dir_fini_f		*fini;
};

struct director {
	unsigned		magic;
#define DIRECTOR_MAGIC		0x44495245
	const struct conf_director *cd;
	const struct dir_methods *m;
	unsigned		n;
	struct dir_member	*mem;
	struct be_counters	*cnt;		/* kept by name across reloads */
	void			*priv;		/* the policy's */
};

#define DIR_BIT(i)	((uint64_t)1 << (i))

#define DIR_POLICY(n, d)	extern const struct dir_methods DIR_##n;
#include "tbl/dir_policy.h"
#undef DIR_POLICY

/* Build the runtime director of cd (its backends' rt are set).  NULL: no memory. */
struct director *DIR_New(const struct conf *, const struct conf_director *);
void DIR_Free(struct director **);

/*
 * A member for this request, among those up and not in 'skip': the
 * primaries, or while none of them is left, the backups.  -1: none.
 */
int DIR_Pick(struct director *, const struct dir_req *, uint64_t skip);
/* Is any member, primary or backup, able to take a request?  */
int DIR_Any(const struct director *);

/*
 * Has any member an address, healthy or not?  When DIR_Pick finds none,
 * this tells "no healthy backend" from "no backend" (names that do not
 * resolve).  Any worker.
 */
int DIR_AnyUp(const struct director *);

/* Weighted load: is a less loaded than b for their weights? */
int DIR_LessLoaded(const struct dir_member *a, const struct dir_member *b);


#endif /* FRONTD_DIRECTOR_H */
