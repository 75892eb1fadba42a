/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * director.c -- what every director does whatever its policy: build the
 * member list from the configuration, keep backups out while a primary
 * is up, and keep counters per director name.
 *
 * A director is part of a configuration (built with it, freed with it)
 * and read by every worker at once: a policy's state is either immutable
 * (the round-robin order, the hash ring) or one atomic counter, so
 * DIR_Pick takes no lock.  The in-flight counts policies compare live in
 * the shared backends (backend.c).
 *
 * Health: a member is picked only if BE_PICKABLE says so (probes,
 * passive ejection, the admin state), backups only while no primary
 * is.  Ejection by passive checks is capped per director: with more
 * than half of the members ejected, those whose ejection ends first
 * take requests again (Envoy's max_ejection_percent, at 50), since a
 * director that ejects most of its members is more likely seeing a
 * shared cause (the network, a dependency) than bad servers.  Members
 * the probes call sick stay out: a probe is a direct observation.
 *
 * The counters of a director outlive its configuration: they sit in a
 * slot per name, found again after a reload, so that they never go
 * backwards.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "tim.h"
#include "conf.h"
#include "director.h"
#include "stats.h"

#define DIR_MAXSLOT	256

struct dir_slot {
	char			name[64];
	struct be_counters	cnt;
};

static pthread_mutex_t	dir_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct dir_slot	dir_slot[DIR_MAXSLOT + 1];	/* last: overflow */
static unsigned		dir_nslot;

static const struct dir_methods * const dir_methods[] = {
#define DIR_POLICY(n, d)	&DIR_##n,
#include "tbl/dir_policy.h"
#undef DIR_POLICY
};

/*--------------------------------------------------------------------
 * The counters of director 'name', made the first time it is asked for.
 */

static struct be_counters *
dir_counters(const char *name)
{
	unsigned u;

	AZ(pthread_mutex_lock(&dir_mtx));
	for (u = 0; u < dir_nslot; u++)
		if (!strcmp(dir_slot[u].name, name))
			break;
	if (u == dir_nslot && u < DIR_MAXSLOT) {
		(void)snprintf(dir_slot[u].name, sizeof dir_slot[u].name,
		    "%s", name);
		__atomic_store_n(&dir_nslot, u + 1, __ATOMIC_RELEASE);
	}
	AZ(pthread_mutex_unlock(&dir_mtx));
	return (&dir_slot[u].cnt);
}

/*--------------------------------------------------------------------
 * Build the runtime director of cd.
 */

struct director *
DIR_New(const struct conf *c, const struct conf_director *cd)
{
	const struct conf_backend *cb;
	struct director *d;
	unsigned u;

	CHECK_OBJ_NOTNULL(cd, CONF_DIRECTOR_MAGIC);
	assert(cd->nmember > 0 && cd->nmember <= DIR_MAXMEMBER);
	ALLOC_OBJ(d, DIRECTOR_MAGIC);
	AN(d);
	d->cd = cd;
	d->m = dir_methods[cd->policy];
	CHECK_OBJ_NOTNULL(d->m, DIR_METHODS_MAGIC);
	d->n = cd->nmember;
	d->mem = calloc(d->n, sizeof *d->mem);
	AN(d->mem);
	for (u = 0; u < d->n; u++) {
		cb = &c->backend[cd->member[u]];
		CHECK_OBJ_NOTNULL(cb->rt, BACKEND_MAGIC);
		d->mem[u].be = cb->rt;
		d->mem[u].cidx = cd->member[u];
		d->mem[u].weight = cb->weight;
		d->mem[u].backup = cb->backup;
	}
	d->cnt = dir_counters(cd->name);
	if (d->m->init != NULL && d->m->init(d) != 0)
		DIR_Free(&d);
	return (d);
}

/*--------------------------------------------------------------------
 * Free a director and its policy state (with its configuration).
 */

void
DIR_Free(struct director **dp)
{
	struct director *d;

	TAKE_OBJ_NOTNULL(d, dp, DIRECTOR_MAGIC);
	if (d->m->fini != NULL)
		d->m->fini(d);
	free(d->mem);
	FREE_OBJ(d);
}

/*--------------------------------------------------------------------
 * Is a member out only because passive checks ejected it?
 */

static int
dir_only_ejected(const struct backend *be)
{

	return (BE_UP(be) &&
	    __atomic_load_n(&be->admin, __ATOMIC_RELAXED) == BE_ADM_READY &&
	    !__atomic_load_n(&be->sick, __ATOMIC_RELAXED));
}

/*--------------------------------------------------------------------
 * Ejected members that take requests anyway: ejections whose time is up
 * end here, and of the rest, beyond half of the members, those whose
 * ejection ends first come back (see above).  Cheap while none is
 * ejected: one load per member.
 */

static uint64_t
dir_cap(const struct director *d)
{
	uint64_t ej = 0, back = 0;
	tim_mono now = 0., t, tmin;
	unsigned u, n = 0, m;

	for (u = 0; u < d->n; u++) {
		if (!__atomic_load_n(&d->mem[u].be->ejected,
		    __ATOMIC_ACQUIRE))
			continue;
		if (now == 0.)
			now = TIM_mono();
		if (HC_Readmit(d->mem[u].be, now))
			continue;
		n++;
		if (dir_only_ejected(d->mem[u].be))
			ej |= DIR_BIT(u);
	}
	for (; n > d->n / 2 && ej != 0; n--) {
		m = d->n;
		tmin = 0.;
		for (u = 0; u < d->n; u++) {
			if (!(ej & DIR_BIT(u)))
				continue;
			t = HC_EjectEnd(d->mem[u].be);
			if (m == d->n || t < tmin) {
				m = u;
				tmin = t;
			}
		}
		assert(m < d->n);
		ej &= ~DIR_BIT(m);
		back |= DIR_BIT(m);
	}
	return (back);
}

/*--------------------------------------------------------------------
 * The members that may take requests, primaries or backups, not in skip;
 * those in 'back' despite an ejection.
 */

static uint64_t
dir_up(const struct director *d, int backup, uint64_t skip, uint64_t back)
{
	uint64_t ok = 0;
	unsigned u;

	for (u = 0; u < d->n; u++)
		if (d->mem[u].backup == (unsigned)backup &&
		    !(skip & DIR_BIT(u)) && (BE_PICKABLE(d->mem[u].be) ||
		    (back & DIR_BIT(u))))
			ok |= DIR_BIT(u);
	return (ok);
}

/*--------------------------------------------------------------------
 * Is any member up, whatever its health (see director.h)?
 */

int
DIR_AnyUp(const struct director *d)
{
	unsigned u;

	CHECK_OBJ_NOTNULL(d, DIRECTOR_MAGIC);
	for (u = 0; u < d->n; u++)
		if (BE_UP(d->mem[u].be))
			return (1);
	return (0);
}

/*--------------------------------------------------------------------
 * A member for this request (see director.h).  Any worker.
 */

int
DIR_Pick(struct director *d, const struct dir_req *rq, uint64_t skip)
{
	uint64_t ok, back;
	unsigned u;

	CHECK_OBJ_NOTNULL(d, DIRECTOR_MAGIC);
	back = dir_cap(d);
	ok = dir_up(d, 0, skip, back);
	if (ok == 0)
		ok = dir_up(d, 1, skip, back);
	if (ok == 0)
		return (-1);
	if ((ok & (ok - 1)) == 0)
		return (__builtin_ctzll(ok));	/* one left: no choice */
	u = d->m->pick(d, rq, ok);
	assert(u < d->n);
	assert(ok & DIR_BIT(u));
	return ((int)u);
}

/*--------------------------------------------------------------------
 * Is there a member to send a request to at all (before reading its
 * body)?  Any worker.
 */

int
DIR_Any(const struct director *d)
{

	uint64_t back;

	CHECK_OBJ_NOTNULL(d, DIRECTOR_MAGIC);
	back = dir_cap(d);
	return ((dir_up(d, 0, 0, back) | dir_up(d, 1, 0, back)) != 0);
}

/*--------------------------------------------------------------------
 * Compare requests in flight per unit of weight, without dividing.
 */

int
DIR_LessLoaded(const struct dir_member *a, const struct dir_member *b)
{

	return ((uint64_t)BE_INFLIGHT(a->be) * b->weight <
	    (uint64_t)BE_INFLIGHT(b->be) * a->weight);
}

/*--------------------------------------------------------------------
 * Every director's counters into a snapshot (any thread).
 */

void
DIR_Stats(struct stats *st)
{
	unsigned u, c, n;

	n = __atomic_load_n(&dir_nslot, __ATOMIC_ACQUIRE);
	for (u = 0; u < n && u < STAT_MAXDIRECTOR; u++) {
		(void)snprintf(st->dir[u].name, sizeof st->dir[u].name, "%.*s",
		    (int)sizeof dir_slot[u].name - 1, dir_slot[u].name);
		for (c = 0; c < BE_C__MAX; c++)
			st->dir[u].c.c[c] = __atomic_load_n(
			    &dir_slot[u].cnt.c[c], __ATOMIC_RELAXED);
	}
	st->ndirector = u;
}
