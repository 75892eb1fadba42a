/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * t_waiter.c -- the waiter over the event-port layer, with real fds.
 *
 * t_mass is the main case: a few thousand socketpairs split over two
 * waiters, a random subset made readable, another subset hung up (the
 * peer closed), the rest left alone, each with its own deadline.  Every
 * waited must get exactly one callback of the right kind, a timeout at
 * or after its deadline and not long after (200 ms: the machine is a
 * shared two-core VM, and the test may run under a sanitizer), and once
 * the owners closed their fds nothing may stay associated with a port.
 * The smaller cases cover one mechanism each: WAIT_Again from inside a
 * callback, WAIT_Rekey, WAIT_Cancel of an event in the same batch,
 * hand-off between waiters (run it under ThreadSanitizer), POLLOUT,
 * WAITER_CLOSE at destroy, and a pure timer.  main() checks that the
 * whole run leaves the process with the fds it started with.
 *
 * Callbacks record what they saw in their object and publish it with a
 * release increment of a counter; the main thread reads the objects
 * only after an acquire load of that counter says everyone is done.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vas.h"
#include "tim.h"
#include "waiter.h"
#include "tap.h"

/*
 * Allowed lateness of a deadline, s.  A waiter that slept past its
 * nearest deadline would be late by seconds (the test's spread of
 * deadlines) or never wake; a loaded machine under the sanitizers is
 * late by tenths.
 */
#define MAXLATE		1.0

enum t_kind { K_IDLE, K_READ, K_HUP };

struct tobj {
	unsigned		magic;
#define TOBJ_MAGIC		0x7e57ab1e
	int			fd[2];
	enum t_kind		kind;
	struct waited		wp;
	tim_mono		deadline;	/* as given; wp.he.key moves */
	int			calls;
	enum wait_event		ev;
	short			revents;
	int			nread;
	int			dirty;		/* calls with wp still held */
	int			bad;		/* calls of the wrong kind */
	int			rounds;
	struct waiter		*w;		/* where its callback runs */
	tim_mono		now;		/* as passed to the callback */
	tim_mono		at;		/* TIM_mono() in the callback */
};

static atomic_int t_done;
static uint64_t rng = 0x2545f4914f6cdd1dULL;

/*--------------------------------------------------------------------
 * xorshift64*: a fixed sequence, so a failure repeats.
 */

static uint64_t
t_rand(void)
{

	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 0x2545f4914f6cdd1dULL);
}

/*--------------------------------------------------------------------
 * A uniform duration in [lo, hi).
 */

static tim_dur
t_uniform(tim_dur lo, tim_dur hi)
{

	return (lo + (hi - lo) * (double)(t_rand() % 1000000) / 1e6);
}

/*--------------------------------------------------------------------
 * A non-blocking socketpair for o.
 */

static void
t_pair(struct tobj *o)
{

	AZ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    o->fd));
}

/*--------------------------------------------------------------------
 * Close whichever of o's fds are still open.
 */

static void
t_unpair(struct tobj *o)
{
	int i;

	if (o->wp.magic == WAITED_MAGIC && o->wp.w == NULL)
		WAIT_Leave(&o->wp);	/* the contract: before close */
	for (i = 0; i < 2; i++) {
		if (o->fd[i] >= 0)
			AZ(close(o->fd[i]));
		o->fd[i] = -1;
	}
}

/*--------------------------------------------------------------------
 * Record a callback in o: the common first half of every callback.
 */

static struct tobj *
t_seen(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o;

	CHECK_OBJ_NOTNULL(wp, WAITED_MAGIC);
	CAST_OBJ_NOTNULL(o, wp->priv, TOBJ_MAGIC);
	assert(&o->wp == wp);
	o->calls++;
	o->ev = ev;
	o->revents = wp->revents;
	o->now = now;
	o->at = TIM_mono();
	if (wp->w != NULL || HEAP_IN(&wp->he))
		o->dirty++;
	return (o);
}

/*--------------------------------------------------------------------
 * Publish the callbacks so far to the main thread.
 */

static void
t_publish(void)
{

	(void)atomic_fetch_add_explicit(&t_done, 1, memory_order_release);
}

/*--------------------------------------------------------------------
 * Wait until n callbacks were published, at most tmo seconds.
 */

static int
t_wait_done(int n, tim_dur tmo)
{
	tim_mono end = TIM_mono() + tmo;

	while (atomic_load_explicit(&t_done, memory_order_acquire) < n) {
		if (TIM_mono() > end)
			return (0);
		TIM_sleep(0.001);
	}
	return (1);
}

/*--------------------------------------------------------------------
 * The items of the epoll set behind /proc/self/fd/NAME (its "tfd:"
 * lines in fdinfo), or 0 when that fd is no epoll instance.  Linux
 * only: illumos keeps no epoll set behind an event port.
 */

#ifdef __linux__
static int
t_epitems(const char *name)
{
	char path[320], link[64], line[256];
	FILE *f;
	ssize_t l;
	int n = 0;

	(void)snprintf(path, sizeof path, "/proc/self/fd/%s", name);
	if ((l = readlink(path, link, sizeof link - 1)) < 0)
		return (0);
	link[l] = '\0';
	if (strcmp(link, "anon_inode:[eventpoll]") != 0)
		return (0);
	(void)snprintf(path, sizeof path, "/proc/self/fdinfo/%s", name);
	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "tfd:", 4) == 0)
			n++;
	AZ(fclose(f));
	return (n);
}
#endif

/*--------------------------------------------------------------------
 * Open fds of this process (the directory's own fd included, the same at
 * every call), and into *items the fds registered in all its epoll
 * instances.  -1 and -1 where there is no /proc; *items -1 where
 * there is no epoll.
 */

static int
t_fds(int *items)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	*items = -1;
	if ((d = opendir("/proc/self/fd")) == NULL)
		return (-1);
	*items = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n++;
#ifdef __linux__
		*items += t_epitems(de->d_name);
#else
		*items = -1;	/* nothing to count */
#endif
	}
	AZ(closedir(d));
	return (n);
}

/*--------------------------------------------------------------------
 * Just the epoll items.
 */

static int
t_epoll_items(void)
{
	int items;

	(void)t_fds(&items);
	return (items);
}

/*====================================================================
 * t_mass
 */

#define NMASS	3500

/*--------------------------------------------------------------------
 * The owner's callback: read what came, close our end, report.
 */

static void
t_mass_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o;
	char c;

	o = t_seen(wp, ev, now);
	if (ev == WAITER_ACTION)
		o->nread = (int)read(o->fd[0], &c, 1);
	WAIT_Leave(wp);
	AZ(close(o->fd[0]));
	o->fd[0] = -1;
	t_publish();
}

/*--------------------------------------------------------------------
 * Check one object of t_mass; lateness of a timeout into *late.
 * A hung-up peer: on Linux an AF_UNIX peer's close raises POLLHUP, so
 * the waiter must say WAITER_REMCLOSE; elsewhere the hang-up may show
 * only as readable, so WAITER_ACTION with read() == 0 (EOF) also passes.
 */

static int
t_mass_ok(const struct tobj *o, tim_dur *late)
{

	*late = 0.;
	if (o->calls != 1 || o->dirty)
		return (0);
	switch (o->kind) {
	case K_READ:
		return (o->ev == WAITER_ACTION && (o->revents & POLLIN) &&
		    o->nread == 1 && o->at < o->deadline);
	case K_HUP:
#ifdef __linux__
		return (o->ev == WAITER_REMCLOSE && (o->revents & POLLHUP));
#else
		return (o->ev == WAITER_REMCLOSE ||
		    (o->ev == WAITER_ACTION && o->nread == 0));
#endif
	case K_IDLE:
		*late = o->at - o->deadline;
		return (o->ev == WAITER_TIMEOUT && o->now >= o->deadline &&
		    o->at >= o->deadline && *late <= MAXLATE);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Arm every object, then make some readable and hang up on some others
 * in random order while the waiters run.
 */

static void
t_mass_run(struct tobj *o, struct waiter *w[2])
{
	unsigned i, j, k, *order;
	tim_mono t;

	for (i = 0; i < NMASS; i++) {
		o[i].magic = TOBJ_MAGIC;
		t_pair(&o[i]);
		o[i].kind = (enum t_kind)(t_rand() % 3);
		WAIT_INIT(&o[i].wp, o[i].fd[0], t_mass_cb, &o[i]);
		o[i].wp.events = POLLIN;
		t = TIM_mono();
		if (o[i].kind == K_IDLE)
			o[i].deadline = t + t_uniform(0.05, 2.0);
		else
			o[i].deadline = t + t_uniform(20., 30.);
		o[i].wp.he.key = o[i].deadline;
		AZ(WAIT_Enter(w[i % 2], &o[i].wp));
	}
	order = calloc(NMASS, sizeof *order);
	AN(order);
	for (i = 0; i < NMASS; i++)
		order[i] = i;
	for (i = NMASS - 1; i > 0; i--) {
		j = (unsigned)(t_rand() % (i + 1));
		k = order[i];
		order[i] = order[j];
		order[j] = k;
	}
	for (i = 0; i < NMASS; i++) {
		j = order[i];
		if (o[j].kind == K_READ)
			assert(write(o[j].fd[1], "x", 1) == 1);
		else if (o[j].kind == K_HUP) {
			AZ(close(o[j].fd[1]));
			o[j].fd[1] = -1;
		}
		if (i % 100 == 0)
			TIM_sleep(0.005);
	}
	free(order);
}

/*--------------------------------------------------------------------
 * Thousands of waiteds, each with exactly one callback of the right
 * kind, and nothing left associated afterwards.
 */

static void
t_mass(void)
{
	struct waiter *w[2];
	struct wait_stats ws[2];
	struct tobj *o;
	tim_dur late, maxlate = 0., sumlate = 0.;
	unsigned i, bad = 0, nidle = 0;
	int items0, items1;

	atomic_store(&t_done, 0);
	o = calloc(NMASS, sizeof *o);
	AN(o);
	AN(w[0] = WAIT_New("t_mass0", NULL, NULL));
	AN(w[1] = WAIT_New("t_mass1", NULL, NULL));
	items0 = t_epoll_items();
	t_mass_run(o, w);
	if (items0 >= 0)
		CHECKF(t_epoll_items() > items0, "fds associated");
	CHECK(t_wait_done(NMASS, 30.));
	for (i = 0; i < NMASS; i++) {
		if (!t_mass_ok(&o[i], &late) && bad++ < 5)
			printf("# obj %u kind %d: calls %d ev %d revents %#x "
			    "nread %d late %.3f\n", i, o[i].kind, o[i].calls,
			    o[i].ev, o[i].revents, o[i].nread, late);
		if (o[i].kind == K_IDLE) {
			nidle++;
			sumlate += late;
			if (late > maxlate)
				maxlate = late;
		}
	}
	CHECKF(bad == 0, "%u of %u objects wrong", bad, NMASS);
	printf("# %u timeouts, lateness mean %.2f ms, max %.2f ms\n", nidle,
	    1e3 * sumlate / (nidle ? nidle : 1), 1e3 * maxlate);
	items1 = t_epoll_items();
	CHECKF(items1 == items0, "epoll items %d before, %d after",
	    items0, items1);
	for (i = 0; i < 2; i++) {
		CHECK(WAIT_Held(w[i]) == 0);
		WAIT_Stats(w[i], &ws[i]);
	}
	CHECK(ws[0].enter + ws[1].enter == NMASS);
	CHECK(ws[0].action + ws[1].action + ws[0].remclose +
	    ws[1].remclose + ws[0].timeout + ws[1].timeout == NMASS);
	CHECK(ws[0].timeout + ws[1].timeout == nidle);
	printf("# wake-ups %lu + %lu for %u objects\n", ws[0].wakeups,
	    ws[1].wakeups, NMASS);
	WAIT_Destroy(&w[0]);
	WAIT_Destroy(&w[1]);
	CHECK(w[0] == NULL && w[1] == NULL);
	for (i = 0; i < NMASS; i++) {
		CHECK(o[i].calls == 1);
		t_unpair(&o[i]);
	}
	free(o);
}

/*====================================================================
 * t_again: one fd re-armed from inside its own callback, 100 times,
 * then left to time out.
 */

#define NAGAIN	100

/*--------------------------------------------------------------------
 * Read the byte and arm again; after the last one, with a short
 * deadline, so that the next callback is a timeout.
 */

static void
t_again_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o;
	char c;

	o = t_seen(wp, ev, now);
	if (ev == WAITER_ACTION) {
		if (read(o->fd[0], &c, 1) == 1)
			o->nread++;
		o->deadline = now + (o->nread < NAGAIN ? 10. : 0.05);
		wp->he.key = o->deadline;
		if (WAIT_Again(o->w, wp) != 0)
			o->bad++;
	} else if (ev != WAITER_TIMEOUT)
		o->bad++;
	t_publish();
}

/*--------------------------------------------------------------------
 * The case: 100 re-arms, then a timeout.
 */

static void
t_again(void)
{
	struct wait_stats ws;
	struct tobj o;
	unsigned i;

	memset(&o, 0, sizeof o);
	o.magic = TOBJ_MAGIC;
	atomic_store(&t_done, 0);
	AN(o.w = WAIT_New("t_again", NULL, NULL));
	t_pair(&o);
	WAIT_INIT(&o.wp, o.fd[0], t_again_cb, &o);
	o.wp.events = POLLIN;
	o.wp.he.key = TIM_mono() + 10.;
	AZ(WAIT_Enter(o.w, &o.wp));
	for (i = 0; i < NAGAIN; i++) {
		assert(write(o.fd[1], "x", 1) == 1);
		if (!t_wait_done((int)i + 1, 5.))
			break;
	}
	CHECK(t_wait_done(NAGAIN + 1, 5.));
	CHECK(o.calls == NAGAIN + 1);
	CHECK(o.nread == NAGAIN);
	CHECK(o.bad == 0 && o.dirty == 0);
	CHECK(o.ev == WAITER_TIMEOUT);
	CHECK(o.at >= o.deadline && o.at - o.deadline <= MAXLATE);
	CHECK(WAIT_Held(o.w) == 0);
	WAIT_Stats(o.w, &ws);
	CHECK(ws.action == NAGAIN && ws.timeout == 1 && ws.enter == 1);
	WAIT_Destroy(&o.w);
	t_unpair(&o);
}

/*====================================================================
 * t_rekey: a task on the loop moves three deadlines: one earlier, one
 * later, one to "none".
 */

static struct tobj t_rk[3];
static tim_mono t_rk_key[3];

/*--------------------------------------------------------------------
 * The targets only record.
 */

static void
t_rekey_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{

	(void)t_seen(wp, ev, now);
	t_publish();
}

/*--------------------------------------------------------------------
 * The task, on the loop thread: move the targets' deadlines.
 */

static void
t_rekey_task(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o;
	unsigned i;

	o = t_seen(wp, ev, now);
	if (ev != WAITER_TASK)
		o->bad++;
	for (i = 0; i < 3; i++) {
		if (t_rk[i].wp.w != o->w || !HEAP_IN(&t_rk[i].wp.he))
			o->bad++;
		t_rk[i].deadline = t_rk_key[i];
		WAIT_Rekey(o->w, &t_rk[i].wp, t_rk_key[i]);
	}
	t_publish();
}

/*--------------------------------------------------------------------
 * The case: deadlines moved by a task on the loop.
 */

static void
t_rekey(void)
{
	struct waiter *w;
	struct tobj ctl;
	tim_mono t0;
	unsigned i;

	memset(&ctl, 0, sizeof ctl);
	memset(t_rk, 0, sizeof t_rk);
	atomic_store(&t_done, 0);
	AN(w = WAIT_New("t_rekey", NULL, NULL));
	t0 = TIM_mono();
	for (i = 0; i < 3; i++) {
		t_rk[i].magic = TOBJ_MAGIC;
		t_rk[i].w = w;
		t_pair(&t_rk[i]);
		WAIT_INIT(&t_rk[i].wp, t_rk[i].fd[0], t_rekey_cb, &t_rk[i]);
		t_rk[i].wp.events = POLLIN;
		t_rk[i].wp.he.key = t0 + (i == 0 ? 10. : 0.5);
		AZ(WAIT_Enter(w, &t_rk[i].wp));
	}
	t_rk_key[0] = t0 + 0.5;
	t_rk_key[1] = t0 + 1.0;
	t_rk_key[2] = 0.;
	ctl.magic = TOBJ_MAGIC;
	ctl.w = w;
	WAIT_INIT(&ctl.wp, -1, t_rekey_task, &ctl);
	AZ(WAIT_Task(w, &ctl.wp));
	CHECK(t_wait_done(3, 5.));
	CHECK(ctl.calls == 1 && ctl.bad == 0 && ctl.dirty == 0);
	for (i = 0; i < 2; i++) {
		CHECK(t_rk[i].calls == 1 && t_rk[i].ev == WAITER_TIMEOUT);
		CHECK(t_rk[i].dirty == 0);
		CHECKF(t_rk[i].at >= t_rk[i].deadline &&
		    t_rk[i].at - t_rk[i].deadline <= MAXLATE,
		    "target %u: fired %.3f s after its new deadline", i,
		    t_rk[i].at - t_rk[i].deadline);
	}
	CHECK(t_rk[2].calls == 0);
	CHECK(WAIT_Held(w) == 1);
	WAIT_Destroy(&w);
	CHECK(t_rk[2].calls == 1 && t_rk[2].ev == WAITER_CLOSE);
	CHECK(t_rk[2].wp.he.key == 0. && t_rk[2].wp.w == NULL);
	for (i = 0; i < 3; i++)
		t_unpair(&t_rk[i]);
}

/*====================================================================
 * t_cancel: two fds ready in the same batch; the first callback takes
 * the other back with WAIT_Cancel and arms it again.  The dropped
 * event must not reach it: it gets exactly one callback, from the new
 * arming.
 */

static atomic_int t_gate;		/* 1: the loop is held; 2: go on */
static struct tobj t_cx[2];
static struct tobj *t_cx_cancelled;

/*--------------------------------------------------------------------
 * A task that holds the loop until both fds are ready, so that the
 * next port_getn() returns both events in one batch.
 */

static void
t_cancel_hold(struct waited *wp, enum wait_event ev, tim_mono now)
{

	(void)t_seen(wp, ev, now);
	atomic_store(&t_gate, 1);
	while (atomic_load(&t_gate) != 2)
		TIM_sleep(0.0005);
}

/*--------------------------------------------------------------------
 * The first of the pair to run takes the other back.  Without the
 * drop, the other's event, fetched in the same batch, would still be
 * dispatched (and the waiter would assert that it holds it no more).
 */

static void
t_cancel_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o, *peer;
	char c;

	o = t_seen(wp, ev, now);
	if (ev != WAITER_ACTION)
		o->bad++;
	if (read(o->fd[0], &c, 1) == 1)
		o->nread++;
	peer = o == &t_cx[0] ? &t_cx[1] : &t_cx[0];
	if (t_cx_cancelled == NULL) {
		if (peer->wp.w != o->w || peer->calls != 0)
			o->bad++;
		WAIT_Cancel(o->w, &peer->wp);
		t_cx_cancelled = peer;
		if (peer->wp.w != NULL || HEAP_IN(&peer->wp.he))
			o->bad++;
	}
	t_publish();
}

/*--------------------------------------------------------------------
 * One round: both fds ready while the loop is held, one callback only;
 * then the cancelled one, entered again, gets its byte.
 */

static void
t_cancel_round(struct waiter *w, unsigned r, int n)
{
	struct tobj hold, *peer;
	unsigned i;

	memset(t_cx, 0, sizeof t_cx);
	memset(&hold, 0, sizeof hold);
	t_cx_cancelled = NULL;
	for (i = 0; i < 2; i++) {
		t_cx[i].magic = TOBJ_MAGIC;
		t_cx[i].w = w;
		t_pair(&t_cx[i]);
		WAIT_INIT(&t_cx[i].wp, t_cx[i].fd[0], t_cancel_cb, &t_cx[i]);
		t_cx[i].wp.events = POLLIN;
		t_cx[i].wp.he.key = TIM_mono() + 10.;
		AZ(WAIT_Enter(w, &t_cx[i].wp));
	}
	hold.magic = TOBJ_MAGIC;
	WAIT_INIT(&hold.wp, -1, t_cancel_hold, &hold);
	atomic_store(&t_gate, 0);
	AZ(WAIT_Task(w, &hold.wp));
	while (atomic_load(&t_gate) != 1)
		TIM_sleep(0.0005);
	for (i = 0; i < 2; i++)
		assert(write(t_cx[i].fd[1], "x", 1) == 1);
	atomic_store(&t_gate, 2);
	CHECK(t_wait_done(n + 1, 5.));
	TIM_sleep(0.02);
	CHECK(atomic_load(&t_done) == n + 1);
	CHECK(WAIT_Held(w) == 0);
	peer = t_cx_cancelled;
	AN(peer);
	CHECKF(peer->calls == 0, "round %u: cancelled one called", r);
	AZ(WAIT_Enter(w, &peer->wp));
	CHECK(t_wait_done(n + 2, 5.));
	for (i = 0; i < 2; i++) {
		CHECKF(t_cx[i].calls == 1 && t_cx[i].nread == 1 &&
		    t_cx[i].bad == 0 && t_cx[i].dirty == 0,
		    "round %u obj %u: calls %d nread %d bad %d", r, i,
		    t_cx[i].calls, t_cx[i].nread, t_cx[i].bad);
		t_unpair(&t_cx[i]);
	}
}

/*--------------------------------------------------------------------
 * The case: 20 rounds on one waiter.
 */

static void
t_cancel(void)
{
	struct waiter *w;
	unsigned r;

	atomic_store(&t_done, 0);
	AN(w = WAIT_New("t_cancel", NULL, NULL));
	for (r = 0; r < 20; r++)
		t_cancel_round(w, r, 2 * (int)r);
	WAIT_Destroy(&w);
}

/*====================================================================
 * t_handoff: objects go round A -> WAIT_Task -> B -> WAIT_Enter -> A,
 * every other time waiting for POLLOUT on B on the way.  Each callback
 * writes the object on its own thread; ThreadSanitizer sees whether
 * every hand-off orders those writes.
 */

#define NHAND		32
#define NROUNDS		1000

static struct waiter *t_A, *t_B;

/*--------------------------------------------------------------------
 * One leg of the round.
 */

static void
t_handoff_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o;

	o = t_seen(wp, ev, now);
	if (WAIT_IsSelf(t_A)) {
		if (ev != WAITER_ACTION || o->w != t_A || WAIT_IsSelf(t_B))
			o->bad++;
		if (++o->rounds == NROUNDS) {
			t_publish();
			return;
		}
		o->w = t_B;
		AZ(WAIT_Task(t_B, wp));
		return;
	}
	if (!WAIT_IsSelf(t_B) || o->w != t_B)
		o->bad++;
	if (ev == WAITER_TASK && o->rounds % 2) {
		wp->he.key = now + 30.;
		AZ(WAIT_Again(t_B, wp));
		return;
	}
	if (ev != WAITER_TASK && ev != WAITER_ACTION)
		o->bad++;
	o->w = t_A;
	wp->he.key = now + 30.;
	AZ(WAIT_Enter(t_A, wp));
}

/*--------------------------------------------------------------------
 * The case: NHAND objects, NROUNDS rounds each, two waiters.
 */

static void
t_handoff(void)
{
	struct wait_stats sa, sb;
	struct tobj *o;
	tim_mono t0;
	unsigned i, bad = 0;

	atomic_store(&t_done, 0);
	o = calloc(NHAND, sizeof *o);
	AN(o);
	AN(t_A = WAIT_New("t_handA", NULL, NULL));
	AN(t_B = WAIT_New("t_handB", NULL, NULL));
	t0 = TIM_mono();
	for (i = 0; i < NHAND; i++) {
		o[i].magic = TOBJ_MAGIC;
		o[i].w = t_A;
		t_pair(&o[i]);
		WAIT_INIT(&o[i].wp, o[i].fd[0], t_handoff_cb, &o[i]);
		o[i].wp.events = POLLOUT;
		o[i].wp.he.key = t0 + 30.;
		AZ(WAIT_Enter(t_A, &o[i].wp));
	}
	CHECK(t_wait_done(NHAND, 120.));
	for (i = 0; i < NHAND; i++)
		if (o[i].rounds != NROUNDS || o[i].bad || o[i].dirty)
			bad++;
	CHECKF(bad == 0, "%u objects went wrong", bad);
	WAIT_Stats(t_A, &sa);
	WAIT_Stats(t_B, &sb);
	CHECK(sa.timeout == 0 && sb.timeout == 0);
	CHECK(sa.action == (unsigned long)NHAND * NROUNDS);
	CHECK(sb.task == (unsigned long)NHAND * (NROUNDS - 1));
	printf("# %u hand-off rounds in %.2f s\n", NHAND * NROUNDS,
	    TIM_mono() - t0);
	CHECK(WAIT_Held(t_A) == 0 && WAIT_Held(t_B) == 0);
	WAIT_Destroy(&t_A);
	WAIT_Destroy(&t_B);
	for (i = 0; i < NHAND; i++)
		t_unpair(&o[i]);
	free(o);
}

/*====================================================================
 * t_pollout: a full socket is not writable; once the peer drains it,
 * POLLOUT comes.
 */

static void
t_record_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{

	(void)t_seen(wp, ev, now);
	t_publish();
}

/*--------------------------------------------------------------------
 * The case: POLLOUT only once the peer drained the socket.
 */

static void
t_pollout(void)
{
	struct waiter *w;
	struct tobj o;
	char buf[4096];
	size_t filled = 0;
	ssize_t l;

	memset(&o, 0, sizeof o);
	memset(buf, 'x', sizeof buf);
	o.magic = TOBJ_MAGIC;
	atomic_store(&t_done, 0);
	AN(w = WAIT_New("t_pollout", NULL, NULL));
	t_pair(&o);
	while ((l = write(o.fd[0], buf, sizeof buf)) > 0)
		filled += (size_t)l;
	CHECK(l < 0 && errno == EAGAIN && filled > 0);
	WAIT_INIT(&o.wp, o.fd[0], t_record_cb, &o);
	o.wp.events = POLLOUT;
	o.wp.he.key = TIM_mono() + 5.;
	AZ(WAIT_Enter(w, &o.wp));
	TIM_sleep(0.1);
	CHECK(atomic_load(&t_done) == 0);
	while ((l = read(o.fd[1], buf, sizeof buf)) > 0)
		filled -= (size_t)l;
	CHECK(filled == 0);
	CHECK(t_wait_done(1, 5.));
	CHECK(o.calls == 1 && o.ev == WAITER_ACTION && o.dirty == 0);
	CHECK((o.revents & POLLOUT) && !(o.revents & POLLIN));
	WAIT_Destroy(&w);
	t_unpair(&o);
}

/*====================================================================
 * t_close: whatever a waiter still holds at destroy, or has been handed
 * but not yet seen, comes back once, with WAITER_CLOSE (a task may run
 * first), and no association outlives the waiter.
 */

#define NCLOSE	200

/*--------------------------------------------------------------------
 * The case: held, queued and task waiteds at WAIT_Destroy.
 */

static void
t_close(void)
{
	struct waiter *w;
	struct tobj *o;
	tim_mono t0;
	unsigned i, n, bad = 0;
	int items0;

	atomic_store(&t_done, 0);
	n = NCLOSE + 30;
	o = calloc(n, sizeof *o);
	AN(o);
	items0 = t_epoll_items();
	AN(w = WAIT_New("t_close", NULL, NULL));
	t0 = TIM_mono();
	for (i = 0; i < n; i++) {
		o[i].magic = TOBJ_MAGIC;
		o[i].fd[0] = o[i].fd[1] = -1;
		if (i < NCLOSE)
			t_pair(&o[i]);
		WAIT_INIT(&o[i].wp, o[i].fd[0], t_record_cb, &o[i]);
		o[i].wp.events = POLLIN;
		o[i].deadline = (i % 2) ? 0. : t0 + 100.;
		o[i].wp.he.key = o[i].deadline;
		if (i < NCLOSE + 20)
			AZ(WAIT_Enter(w, &o[i].wp));
	}
	while (WAIT_Held(w) < NCLOSE + 20 && TIM_mono() < t0 + 10.)
		TIM_sleep(0.001);
	CHECK(WAIT_Held(w) == NCLOSE + 20);
	for (i = NCLOSE + 20; i < n; i++)
		AZ(i % 2 ? WAIT_Task(w, &o[i].wp) : WAIT_Enter(w, &o[i].wp));
	WAIT_Destroy(&w);
	for (i = 0; i < n; i++) {
		if (o[i].calls != 1 || o[i].dirty ||
		    o[i].wp.he.key != o[i].deadline ||
		    !(o[i].ev == WAITER_CLOSE ||
		    (o[i].ev == WAITER_TASK && i >= NCLOSE + 20 && i % 2)))
			bad++;
		t_unpair(&o[i]);
	}
	CHECKF(bad == 0, "%u of %u objects wrong", bad, n);
	CHECK(t_epoll_items() == items0);
	free(o);
}

/*====================================================================
 * t_timer: a pure timer (fd -1) re-armed from its own callback; and a
 * burst of deadlines always due must not starve an fd event.
 */

#define NTIMER	40

static tim_dur t_tm_late, t_tm_max;

/*--------------------------------------------------------------------
 * Record the lateness of each expiry and re-arm, NTIMER times.
 */

static void
t_timer_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o;
	tim_dur late;

	o = t_seen(wp, ev, now);
	late = o->at - o->deadline;
	if (ev != WAITER_TIMEOUT || now < o->deadline || late < 0.)
		o->bad++;
	t_tm_late += late;
	if (late > t_tm_max)
		t_tm_max = late;
	if (o->calls < NTIMER) {
		o->deadline = now + t_uniform(0.002, 0.030);
		wp->he.key = o->deadline;
		if (WAIT_Again(o->w, wp) != 0)
			o->bad++;
		return;
	}
	t_publish();
}

/*--------------------------------------------------------------------
 * The case: a pure timer, NTIMER expiries.
 */

static void
t_timer(void)
{
	struct tobj o;

	memset(&o, 0, sizeof o);
	o.magic = TOBJ_MAGIC;
	t_tm_late = t_tm_max = 0.;
	atomic_store(&t_done, 0);
	AN(o.w = WAIT_New("t_timer", NULL, NULL));
	WAIT_INIT(&o.wp, -1, t_timer_cb, &o);
	o.deadline = TIM_mono() + 0.05;
	o.wp.he.key = o.deadline;
	AZ(WAIT_Enter(o.w, &o.wp));
	CHECK(t_wait_done(1, 10.));
	CHECK(o.calls == NTIMER && o.bad == 0 && o.dirty == 0);
	CHECKF(t_tm_max <= MAXLATE, "max lateness %.3f s", t_tm_max);
	printf("# timer lateness mean %.2f ms, max %.2f ms\n",
	    1e3 * t_tm_late / NTIMER, 1e3 * t_tm_max);
	WAIT_Destroy(&o.w);
}

static int t_storm_stop;

/*--------------------------------------------------------------------
 * A timer that is always due again, until the fd event got through.
 */

static void
t_storm_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o;

	o = t_seen(wp, ev, now);
	if (!t_storm_stop && o->calls < 1000000) {
		wp->he.key = now;
		AZ(WAIT_Again(o->w, wp));
		return;
	}
	t_publish();
}

/*--------------------------------------------------------------------
 * The fd event: stop the storm.
 */

static void
t_storm_fd(struct waited *wp, enum wait_event ev, tim_mono now)
{

	(void)t_seen(wp, ev, now);
	t_storm_stop = 1;
	t_publish();
}

/*--------------------------------------------------------------------
 * The case: an fd event gets through a storm of due deadlines.
 */

static void
t_storm(void)
{
	struct waiter *w;
	struct tobj tm, fo;

	memset(&tm, 0, sizeof tm);
	memset(&fo, 0, sizeof fo);
	tm.magic = fo.magic = TOBJ_MAGIC;
	t_storm_stop = 0;
	atomic_store(&t_done, 0);
	AN(w = WAIT_New("t_storm", NULL, NULL));
	tm.w = fo.w = w;
	WAIT_INIT(&tm.wp, -1, t_storm_cb, &tm);
	tm.wp.he.key = TIM_mono();
	AZ(WAIT_Enter(w, &tm.wp));
	t_pair(&fo);
	assert(write(fo.fd[1], "x", 1) == 1);
	WAIT_INIT(&fo.wp, fo.fd[0], t_storm_fd, &fo);
	fo.wp.events = POLLIN;
	AZ(WAIT_Enter(w, &fo.wp));
	CHECK(t_wait_done(2, 30.));
	CHECK(fo.calls == 1 && fo.ev == WAITER_ACTION);
	CHECKF(tm.calls < 1000000, "fd event starved for %d timeouts",
	    tm.calls);
	printf("# fd event after %d due timeouts\n", tm.calls);
	WAIT_Destroy(&w);
	t_unpair(&fo);
}

/*====================================================================
 * After everything: the process has the fds it started with.
 */

static int t_fds0;

/*--------------------------------------------------------------------
 * The case: fds and epoll items as at the start.
 */

static void
t_leaks(void)
{
	int n, items;

	n = t_fds(&items);
	CHECKF(n == t_fds0, "%d fds at start, %d now", t_fds0, n);
	CHECK(items <= 0);
}

/*--------------------------------------------------------------------
 * WAIT_Expire ends the held waiteds with fds that have the earliest
 * deadlines, with WAITER_TIMEOUT, and leaves timers alone.
 */

#define NEXP	6
static struct tobj t_ex[NEXP];
static struct tobj t_ex_timer;
static unsigned t_ex_n;

static void
t_expire_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o;

	CAST_OBJ_NOTNULL(o, wp->priv, TOBJ_MAGIC);
	(void)now;
	o->calls++;
	o->ev = ev;
	if (wp->w != NULL)
		o->dirty++;
	t_publish();
}

static void
t_expire_task(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct tobj *o;

	CAST_OBJ_NOTNULL(o, wp->priv, TOBJ_MAGIC);
	(void)now;
	if (ev == WAITER_TASK)
		t_ex_n = WAIT_Expire(o->w, 3);
	t_publish();
}

static void
t_expire(void)
{
	struct tobj task;
	struct waiter *w;
	unsigned i;

	atomic_store(&t_done, 0);
	AN(w = WAIT_New("t_expire", NULL, NULL));
	memset(&t_ex_timer, 0, sizeof t_ex_timer);
	t_ex_timer.magic = TOBJ_MAGIC;
	WAIT_INIT(&t_ex_timer.wp, -1, t_expire_cb, &t_ex_timer);
	t_ex_timer.wp.he.key = TIM_mono() + 5.;	/* the earliest of all */
	AZ(WAIT_Enter(w, &t_ex_timer.wp));
	for (i = 0; i < NEXP; i++) {
		memset(&t_ex[i], 0, sizeof t_ex[i]);
		t_ex[i].magic = TOBJ_MAGIC;
		t_pair(&t_ex[i]);
		WAIT_INIT(&t_ex[i].wp, t_ex[i].fd[0], t_expire_cb, &t_ex[i]);
		t_ex[i].wp.events = POLLIN;
		/* out of order, so the heap has something to sort */
		t_ex[i].wp.he.key = TIM_mono() + 10. + (double)((i * 5) % NEXP);
		AZ(WAIT_Enter(w, &t_ex[i].wp));
	}
	memset(&task, 0, sizeof task);
	task.magic = TOBJ_MAGIC;
	task.w = w;
	WAIT_INIT(&task.wp, -1, t_expire_task, &task);
	AZ(WAIT_Task(w, &task.wp));
	CHECK(t_wait_done(4, 5.));		/* the task and three ends */
	TIM_sleep(0.05);
	CHECK(t_ex_n == 3);
	CHECK(t_ex_timer.calls == 0);
	for (i = 0; i < NEXP; i++) {
		/* keys 10 + (5i mod 6): i = 0, 5, 4 have 10, 11, 12 */
		if (i == 0 || i == 5 || i == 4)
			CHECKF(t_ex[i].calls == 1 && t_ex[i].ev ==
			    WAITER_TIMEOUT && t_ex[i].dirty == 0, "waited %u", i);
		else
			CHECKF(t_ex[i].calls == 0, "waited %u ended", i);
	}
	CHECK(WAIT_Held(w) == NEXP - 3 + 1);
	WAIT_Destroy(&w);			/* the rest: WAITER_CLOSE */
	for (i = 0; i < NEXP; i++) {
		CHECK(t_ex[i].calls == 1);
		t_unpair(&t_ex[i]);
	}
	CHECK(t_ex_timer.calls == 1 && t_ex_timer.ev == WAITER_CLOSE);
}

/*--------------------------------------------------------------------
 * Raise the fd limit and run every case.
 */

int
main(void)
{
	struct rlimit rl;
	int n;

	AZ(getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = rl.rlim_max;
	AZ(setrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur < 2 * NMASS + 100) {
		printf("# fd limit %lu too low for %d socketpairs\n",
		    (unsigned long)rl.rlim_cur, NMASS);
		return (1);
	}
	t_fds0 = t_fds(&n);
	RUN(t_again);
	RUN(t_rekey);
	RUN(t_cancel);
	RUN(t_pollout);
	RUN(t_timer);
	RUN(t_expire);
	RUN(t_storm);
	RUN(t_close);
	RUN(t_handoff);
	RUN(t_mass);
	RUN(t_leaks);
	TAP_EXIT();
}
