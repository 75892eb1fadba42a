/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * bench_waiter.c -- the waiter alone: memory per idle waited, events per
 * second and CPU per event, over socketpairs.
 *
 * For each N (1000, then 9000), in a child process of its own so that
 * memory freed by one run cannot hide the growth of the next:
 *
 *   1. N idle socketpairs, each owned by a small struct that embeds its
 *      struct waited, as a session does.  The anonymous memory of the
 *      process (smaps_rollup; on illumos the resident set, psinfo) is
 *      read before the objects are allocated, after, and once the
 *      waiter holds all N: the growth divided by N is the cost of the
 *      object and the cost of holding it (heap slot, event-port layer),
 *      in user space.  Kernel memory (socket buffers, epoll items) is
 *      not in these figures.
 *   2. M active socketpairs on top of the idle ones (M = 1, then 100).
 *      Each callback reads the byte that made it ready, writes one back
 *      into its own pair so it will be ready again, and re-arms with a
 *      fresh deadline: events never stop, and every one costs a read, a
 *      write, a re-association and a heap delete and insert.  The figures
 *      are events per second, CPU (user + system, the whole process) per
 *      event, and events per port_getn() batch.
 *   3. WAIT_Destroy gives the idle ones back with WAITER_CLOSE.
 *
 * It prints figures and asserts nothing about speed.  About 10 s.
 */

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __sun
#include <procfs.h>
#endif

#include "vas.h"
#include "tim.h"
#include "waiter.h"

#define RUN_S		2.0	/* seconds per event-rate run */

static atomic_int b_stop;	/* active objects: stop re-arming */
static atomic_uint b_stopped;	/* active objects that stopped */

struct bobj {
	unsigned		magic;
#define BOBJ_MAGIC		0x0b7e7c4a
	int			fd[2];
	struct waiter		*w;
	struct waited		wp;
};

/*--------------------------------------------------------------------
 * Anonymous memory of this process, in bytes (-1 if unknown).  Linux:
 * "Anonymous" of /proc/self/smaps_rollup.  illumos: the resident set of
 * /proc/self/psinfo (proc(5)), which counts mapped text too; the growth
 * between two readings is what is reported, and text does not grow.
 */

#ifdef __sun
static long
b_anon(void)
{
	psinfo_t ps;
	FILE *f;
	size_t n;

	f = fopen("/proc/self/psinfo", "r");
	if (f == NULL)
		return (-1);
	n = fread(&ps, sizeof ps, 1, f);
	AZ(fclose(f));
	return (n == 1 ? (long)ps.pr_rssize * 1024 : -1);
}
#else
static long
b_anon(void)
{
	char line[256];
	FILE *f;
	long kb = -1;

	f = fopen("/proc/self/smaps_rollup", "r");
	if (f == NULL)
		return (-1);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Anonymous: %ld kB", &kb) == 1)
			break;
	AZ(fclose(f));
	return (kb * 1024);
}
#endif

/*--------------------------------------------------------------------
 * CPU time of the process so far, user + system, in seconds.
 */

static double
b_cpu(void)
{
	struct rusage ru;

	AZ(getrusage(RUSAGE_SELF, &ru));
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec));
}

/*--------------------------------------------------------------------
 * Idle objects only ever hear WAITER_CLOSE, at the end.
 */

static void
b_idle_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct bobj *o;

	CAST_OBJ_NOTNULL(o, wp->priv, BOBJ_MAGIC);
	assert(ev == WAITER_CLOSE);
}

/*--------------------------------------------------------------------
 * An active object: consume the byte, make the pair ready again, re-arm.
 */

static void
b_active_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct bobj *o;
	char c;

	CAST_OBJ_NOTNULL(o, wp->priv, BOBJ_MAGIC);
	assert(ev == WAITER_ACTION);
	assert(read(o->fd[0], &c, 1) == 1);
	if (atomic_load_explicit(&b_stop, memory_order_relaxed)) {
		(void)atomic_fetch_add(&b_stopped, 1);
		return;
	}
	assert(write(o->fd[1], &c, 1) == 1);
	wp->he.key = now + 60.;
	AZ(WAIT_Again(o->w, wp));
}

/*--------------------------------------------------------------------
 * Allocate n objects with their socketpairs, not yet entered.
 */

static struct bobj **
b_alloc(struct waiter *w, unsigned n, waiter_handle_f *func)
{
	struct bobj **o;
	unsigned i;

	o = calloc(n, sizeof *o);
	AN(o);
	for (i = 0; i < n; i++) {
		ALLOC_OBJ(o[i], BOBJ_MAGIC);
		AN(o[i]);
		AZ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
		    o[i]->fd));
		o[i]->w = w;
		WAIT_INIT(&o[i]->wp, o[i]->fd[0], func, o[i]);
		o[i]->wp.events = POLLIN;
	}
	return (o);
}

/*--------------------------------------------------------------------
 * Close and free objects the waiter no longer holds.
 */

static void
b_free(struct bobj **o, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (o[i]->wp.w == NULL)
			WAIT_Leave(&o[i]->wp);
		AZ(close(o[i]->fd[0]));
		AZ(close(o[i]->fd[1]));
		FREE_OBJ(o[i]);
	}
	free(o);
}

/*--------------------------------------------------------------------
 * Enter n objects and wait until the waiter holds them all.
 */

static void
b_enter(struct waiter *w, struct bobj **o, unsigned n, tim_dur tmo)
{
	unsigned i, held0;

	held0 = WAIT_Held(w);
	for (i = 0; i < n; i++) {
		o[i]->wp.he.key = TIM_mono() + tmo;
		AZ(WAIT_Enter(w, &o[i]->wp));
	}
	while (WAIT_Held(w) < held0 + n)
		TIM_sleep(0.001);
}

/*--------------------------------------------------------------------
 * M active objects for RUN_S seconds next to what the waiter holds.
 */

static void
b_rate(struct waiter *w, unsigned nidle, unsigned m)
{
	struct wait_stats s0, s1;
	struct bobj **o;
	double c0, c1, t0, t1, ev, wk;
	unsigned i;

	o = b_alloc(w, m, b_active_cb);
	b_enter(w, o, m, 60.);
	atomic_store(&b_stop, 0);
	atomic_store(&b_stopped, 0);
	WAIT_Stats(w, &s0);
	c0 = b_cpu();
	t0 = TIM_mono();
	for (i = 0; i < m; i++)
		assert(write(o[i]->fd[1], "x", 1) == 1);
	TIM_sleep(RUN_S);
	WAIT_Stats(w, &s1);
	c1 = b_cpu();
	t1 = TIM_mono();
	atomic_store(&b_stop, 1);
	while (atomic_load(&b_stopped) < m)
		TIM_sleep(0.001);
	ev = (double)(s1.action - s0.action);
	wk = (double)(s1.wakeups - s0.wakeups);
	printf("N=%-5u M=%-4u %9.0f events/s  %6.2f us CPU/event  "
	    "%6.1f events/batch\n", nidle, m, ev / (t1 - t0),
	    ev > 0 ? 1e6 * (c1 - c0) / ev : 0., wk > 0 ? ev / wk : 0.);
	(void)fflush(stdout);
	b_free(o, m);
}

/*--------------------------------------------------------------------
 * One N, in its own process: memory per idle waited, then event rates.
 */

static void
b_run(unsigned n)
{
	struct waiter *w;
	struct bobj **idle;
	long a0, a1, a2;

	AN(w = WAIT_New("bench", NULL, NULL));
	TIM_sleep(0.05);
	a0 = b_anon();
	idle = b_alloc(w, n, b_idle_cb);
	a1 = b_anon();
	b_enter(w, idle, n, 3600.);
	a2 = b_anon();
	printf("N=%-5u idle: %5.0f bytes per idle waited "
	    "(object %zu B: %.0f, waiter and port: %.0f; struct waited "
	    "%zu B)\n", n, (double)(a2 - a0) / n, sizeof **idle,
	    (double)(a1 - a0) / n, (double)(a2 - a1) / n,
	    sizeof(struct waited));
	(void)fflush(stdout);
	b_rate(w, n, 1);
	b_rate(w, n, 100);
	WAIT_Destroy(&w);
	b_free(idle, n);
}

int
main(void)
{
	static const unsigned ns[] = { 1000, 9000 };
	struct rlimit rl;
	unsigned i;
	pid_t pid;
	int st;

	AZ(getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = rl.rlim_max;
	AZ(setrlimit(RLIMIT_NOFILE, &rl));
	printf("bench_waiter: N idle + M active socketpairs, one waiter "
	    "(fd limit %lu)\n", (unsigned long)rl.rlim_cur);
	(void)fflush(stdout);
	for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		if (2 * ns[i] + 250 > rl.rlim_cur) {
			printf("N=%u: skipped, fd limit too low\n", ns[i]);
			continue;
		}
		pid = fork();
		assert(pid >= 0);
		if (pid == 0) {
			b_run(ns[i]);
			_exit(0);
		}
		AN(waitpid(pid, &st, 0) == pid);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			printf("N=%u: run failed (status %#x)\n", ns[i], st);
	}
	return (0);
}
