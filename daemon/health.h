/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * health.h -- the health of a backend: active probes (health.c) and
 * passive ejection (eject.c).  Both only set the backend's 'sick' and
 * 'ejected' flags, which BE_PICKABLE reads; a director then picks among
 * the others (director.c).
 */

#ifndef FRONTD_HEALTH_H
#define FRONTD_HEALTH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "tim.h"
#include "waiter.h"

struct backend;
struct conf;
struct conf_backend;
struct conf_probe;

#define HC_WHY		48		/* a reason, as logged */

/*
 * The health part of struct backend.  The probe's own fields belong to
 * the worker loop that runs it; what other threads read (the window,
 * the last result) is atomic.  The probe's settings are under mtx, and
 * so are an ejection's start and end.
 */
struct be_health {
	pthread_mutex_t		mtx;
	/* the probe (health.c) */
	struct conf_probe	*spec;		/* be_mtx and mtx: a copy of the
						   newest, NULL: no probe */
	unsigned		gen;		/* mtx: bumped with spec */
	unsigned		on;		/* be_mtx: a loop runs it */
	struct waited		wp;		/* timer, or the probe's fd */
	struct waiter		*w;		/* the loop that runs it */
	unsigned		rgen;		/* loop: spec->gen it runs */
	unsigned		step;		/* loop: HC_S_* */
	tim_mono		t_start;	/* loop: this probe began */
	tim_dur			interval;	/* loop: of the spec it runs */
	tim_dur			timeout;
	unsigned		window;		/* mtx, atomic read; 0: no probe */
	unsigned		threshold;
	uint64_t		expect[10];
	size_t			qlen;		/* loop: the request */
	char			req[512];
	size_t			rlen;		/* loop: bytes of rbuf */
	char			rbuf[16];	/* loop: "HTTP/1.1 200" */
	uint64_t		bits;		/* atomic: 1 passed, bit 0 newest */
	int			last;		/* atomic: HC_R_* or a status */
	/* passive checks (eject.c) */
	unsigned		fail_limit;	/* atomic: newest configuration */
	tim_dur			fail_timeout;	/* mtx */
	unsigned		nfail;		/* atomic: failures in a row */
	unsigned		trial;		/* atomic: back, not proven */
	unsigned		streak;		/* mtx: ejections in a row */
	tim_mono		until;		/* mtx, atomic read: the
						   ejection ends */
};

/* A probe's result when it is not a status (negative: -errno-HC_R_ERRNO) */
#define HC_R_NONE	0		/* no probe yet */
#define HC_R_TIMEOUT	(-1)
#define HC_R_CLOSED	(-2)		/* closed before a status line */
#define HC_R_JUNK	(-3)		/* not a status line */
#define HC_R_MAINT	(-4)		/* skipped: maintenance */
#define HC_R_ERRNO	1000		/* connect or I/O errno */

/* What /status shows of a backend's health (stats.h). */
struct hc_status {
	char			health[12];	/* healthy, sick, ejected, trial */
	char			window[65];	/* oldest first; "" without a
						   probe */
	char			last[HC_WHY];	/* the last probe's result */
};

/* backend.c, with be_mtx held: a backend is made or found again. */
void HC_Init(struct backend *);
void HC_Conf(struct backend *, const struct conf_backend *);
void HC_Fini(struct backend *);

/*
 * Start the probes of the backends of conf that have one and whose
 * probe is not running yet, each on one worker loop.  Main thread, with
 * the workers running: at start and after each reload.
 */
void HC_Start(const struct conf *);

/*
 * Passive checks, from the worker where a request to be failed (a
 * connect error or timeout, a first-byte timeout, a 502/503/504 frontd
 * made) or got its response (any status the backend sent).  'why' is
 * logged if this failure ejects it.
 */
void HC_Fail(struct backend *, const char *why);
void HC_Ok(struct backend *);

/*
 * An ejected backend whose time is up comes back (on trial: one failure
 * ejects it again, for twice as long).  Any thread.  1: it is back.
 */
int HC_Readmit(struct backend *, tim_mono now);
/* When its ejection ends (director.c's cap on ejections); any thread. */
tim_mono HC_EjectEnd(const struct backend *);

void HC_Status(const struct backend *, struct hc_status *); /* any thread */
/* A probe result in words, as logged: "200", "connect: ...", ... */
void HC_Why(int last, char *buf, size_t len);

#endif /* FRONTD_HEALTH_H */
