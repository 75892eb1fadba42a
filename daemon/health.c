/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * health.c -- active health checks: a backend with a probe is asked
 * every interval for a URL, and is taken out of rotation ('sick') while
 * fewer than threshold of its last window probes passed (Varnish's
 * semantics, see conf_probe.c).
 *
 * Each probing backend belongs to one worker loop, chosen in turn when
 * its probe starts: one struct waited embedded in the backend is a timer
 * between probes, and the probe's own socket during one (a non-blocking
 * connect, one write of the request, the status line read back), with
 * the probe's timeout over all of it.  Never a pooled connection: a
 * probe must see what a new connection sees.  No thread per backend and
 * no lock on the request path; a director reads 'sick', one atomic.
 *
 * The loop holds a reference to its backend (BE_HcClaim), so the
 * backend outlives the configurations that named it until the loop's
 * next turn, which sees that nobody else does and lets go (BE_HcKeep).
 * At shutdown the waiter hands the waited back with WAITER_CLOSE and the
 * probe ends the same way.  A reload that keeps the backend keeps the
 * loop and the window; a new probe setting is taken at the next probe.
 *
 * Rejected: a probe thread (Varnish's vbp_thread, HAProxy's own task
 * per server is the same thing on its loops) that would need a poller of
 * its own, and probing over pooled connections (a server that stopped
 * accepting would look healthy as long as old connections lasted).
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontd.h"
#include "conf.h"
#include "backend.h"
#include "log.h"

enum hc_step {
	HC_S_IDLE = 0,		/* a timer until the next probe */
	HC_S_CONNECT,
	HC_S_READ,
};

static unsigned		hc_next;	/* main thread: the next loop */

static void hc_cb(struct waited *, enum wait_event, tim_mono);

/*--------------------------------------------------------------------
 * A new backend (backend.c, be_mtx held).
 */

void
HC_Init(struct backend *be)
{

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	AZ(pthread_mutex_init(&be->hc.mtx, NULL));
	WAIT_INIT(&be->hc.wp, -1, hc_cb, be);
}

/*--------------------------------------------------------------------
 * A configuration names the backend (backend.c, be_mtx held): take its
 * settings.  A backend that gets a probe starts with 'initial' probes
 * counted as passed, which with the defaults is one short of healthy:
 * it takes no request before its first good probe.  One that loses its
 * probe is healthy as far as probes go.
 */

void
HC_Conf(struct backend *be, const struct conf_backend *cb)
{
	struct be_health *hc = &be->hc;
	struct conf_probe *old, *np = NULL;
	const struct conf_probe *p = cb->probe;

	__atomic_store_n(&hc->fail_limit, cb->fail_limit, __ATOMIC_RELAXED);
	if (p != NULL)
		np = CONF_ProbeDup(p);
	AZ(pthread_mutex_lock(&hc->mtx));
	hc->fail_timeout = cb->fail_timeout;
	old = hc->spec;
	if (old == NULL && p != NULL) {
		__atomic_store_n(&hc->bits, p->initial >= 64 ? ~(uint64_t)0 :
		    ((uint64_t)1 << p->initial) - 1, __ATOMIC_RELAXED);
		__atomic_store_n(&hc->last, HC_R_NONE, __ATOMIC_RELAXED);
		__atomic_store_n(&be->sick, p->initial < p->threshold,
		    __ATOMIC_RELAXED);
	} else if (old != NULL && p == NULL)
		__atomic_store_n(&be->sick, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&hc->window, p != NULL ? p->window : 0,
	    __ATOMIC_RELAXED);
	hc->spec = np;
	hc->gen++;
	AZ(pthread_mutex_unlock(&hc->mtx));
	CONF_ProbeFree(&old);
}

/*--------------------------------------------------------------------
 * The backend is freed (backend.c): its loop let go of it long ago.
 */

void
HC_Fini(struct backend *be)
{

	AZ(be->hc.on);
	assert(be->hc.wp.fd < 0);
	CONF_ProbeFree(&be->hc.spec);
	AZ(pthread_mutex_destroy(&be->hc.mtx));
}

/*--------------------------------------------------------------------
 * Start the probes no loop runs yet (see health.h).
 */

void
HC_Start(const struct conf *c)
{
	struct backend *be;
	unsigned u;

	CHECK_OBJ_NOTNULL(c, CONF_MAGIC);
	for (u = 0; u < c->nbackend; u++) {
		be = c->backend[u].rt;
		CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
		if (c->backend[u].probe == NULL || !BE_HcClaim(be))
			continue;
		be->hc.w = WRK_WaiterAt(hc_next++);
		be->hc.step = HC_S_IDLE;
		be->hc.rgen = 0;
		WAIT_INIT(&be->hc.wp, -1, hc_cb, be);
		if (be->hc.w == NULL || WAIT_Task(be->hc.w, &be->hc.wp) != 0) {
			log_warnx("HC_Start: backend '%s': probes not started",
			    be->name);
			(void)BE_HcKeep(&be, 1);
		}
	}
}

/*--------------------------------------------------------------------
 * Take the newest probe settings if they changed, and write the
 * request.  The loop's thread.
 */

static void
hc_load(struct backend *be)
{
	struct be_health *hc = &be->hc;
	const struct conf_probe *p;
	int l;

	AZ(pthread_mutex_lock(&hc->mtx));
	p = hc->spec;
	if (p == NULL || hc->rgen == hc->gen) {
		AZ(pthread_mutex_unlock(&hc->mtx));
		return;
	}
	hc->rgen = hc->gen;
	hc->interval = p->interval;
	hc->timeout = p->timeout;
	__atomic_store_n(&hc->window, p->window, __ATOMIC_RELAXED);
	hc->threshold = p->threshold;
	memcpy(hc->expect, p->expect, sizeof hc->expect);
	l = snprintf(hc->req, sizeof hc->req, "%s %s HTTP/1.1\r\n"
	    "Host: %s\r\nConnection: close\r\nUser-Agent: frontd-probe\r\n"
	    "\r\n", p->method, p->url, p->host != NULL ? p->host :
	    be->address);
	assert(l > 0 && (size_t)l < sizeof hc->req);
	hc->qlen = (size_t)l;
	AZ(pthread_mutex_unlock(&hc->mtx));
}

/*--------------------------------------------------------------------
 * A probe result in words (see health.h).
 */

void
HC_Why(int last, char *buf, size_t len)
{

	if (last > 0)
		(void)snprintf(buf, len, "status %d", last);
	else if (last <= -HC_R_ERRNO)
		(void)snprintf(buf, len, "%s", strerror(-last - HC_R_ERRNO));
	else
		(void)snprintf(buf, len, "%s",
		    last == HC_R_TIMEOUT ? "timeout" :
		    last == HC_R_CLOSED ? "closed before a status line" :
		    last == HC_R_JUNK ? "not an HTTP response" :
		    last == HC_R_MAINT ? "none: in maintenance" : "none yet");
}

/*--------------------------------------------------------------------
 * The passed probes among the last 'window'.
 */

static unsigned
hc_good(uint64_t bits, unsigned window)
{

	assert(window > 0 && window <= 64);
	if (window < 64)
		bits &= ((uint64_t)1 << window) - 1;
	return ((unsigned)__builtin_popcountll(bits));
}

/*--------------------------------------------------------------------
 * Count a probe's result into the window; a change of health is logged
 * once, with the numbers that made it and the last result.
 */

static void
hc_record(struct backend *be, int result)
{
	struct be_health *hc = &be->hc;
	uint64_t bits;
	unsigned good, pass, sick, win;
	char why[HC_WHY];

	pass = result > 0 && CONF_PROBE_EXPECTS(hc, (unsigned)result);
	BE_CINC(&be->cnt, probes);
	if (!pass)
		BE_CINC(&be->cnt, probes_failed);
	bits = __atomic_load_n(&hc->bits, __ATOMIC_RELAXED) << 1 | pass;
	__atomic_store_n(&hc->bits, bits, __ATOMIC_RELAXED);
	__atomic_store_n(&hc->last, result, __ATOMIC_RELAXED);
	win = __atomic_load_n(&hc->window, __ATOMIC_RELAXED);
	good = hc_good(bits, win);
	sick = good < hc->threshold;
	if (sick == __atomic_load_n(&be->sick, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&be->sick, sick, __ATOMIC_RELAXED);
	HC_Why(result, why, sizeof why);
	if (sick) {
		BE_CINC(&be->cnt, health_down);
		log_warnx("backend '%s' down: %u of last %u probes failed "
		    "(last: %s)", be->name, win - good, win, why);
	} else {
		BE_CINC(&be->cnt, health_up);
		log_info("backend '%s' up: %u of last %u probes passed "
		    "(last: %s)", be->name, good, win, why);
	}
}

/*--------------------------------------------------------------------
 * Hand the waited back to the loop, as a timer or for its fd.  On a
 * loop that is stopping, the probe ends here.
 */

static void
hc_arm(struct backend *be)
{
	struct be_health *hc = &be->hc;

	if (WAIT_Again(hc->w, &hc->wp) == 0)
		return;
	if (hc->wp.fd >= 0) {
		WAIT_Leave(&hc->wp);
		(void)close(hc->wp.fd);
		hc->wp.fd = -1;
	}
	(void)BE_HcKeep(&be, 1);
}

/*--------------------------------------------------------------------
 * A probe is over: close its socket, count it, and sleep until the
 * next one, an interval after this one began.
 */

static void
hc_done(struct backend *be, int result, tim_mono now)
{
	struct be_health *hc = &be->hc;

	if (hc->wp.fd >= 0) {
		WAIT_Leave(&hc->wp);
		(void)close(hc->wp.fd);
		hc->wp.fd = -1;
	}
	if (result != HC_R_MAINT)
		hc_record(be, result);
	else
		__atomic_store_n(&hc->last, result, __ATOMIC_RELAXED);
	hc->step = HC_S_IDLE;
	hc->wp.events = 0;
	hc->wp.he.key = hc->t_start + hc->interval;
	if (hc->wp.he.key <= now)
		hc->wp.he.key = now + 0.001;
	hc_arm(be);
}

/*--------------------------------------------------------------------
 * Time for a probe: open its connection.  A backend in maintenance is
 * not probed (the admin API's PUT .../state), and one no configuration
 * names any more is let go.
 */

static void
hc_begin(struct backend *be, tim_mono now)
{
	struct be_health *hc = &be->hc;
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned gen;
	int fd, one = 1;

	if (!BE_HcKeep(&be, 0))
		return;				/* be may be gone */
	hc_load(be);
	hc->t_start = now;
	hc->rlen = 0;
	if (__atomic_load_n(&be->admin, __ATOMIC_RELAXED) == BE_ADM_MAINT) {
		hc_done(be, HC_R_MAINT, now);
		return;
	}
	if (BE_Addr(be, &ss, &sl, &gen) != 0) {
		hc_done(be, -HC_R_ERRNO - EADDRNOTAVAIL, now);
		return;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		hc_done(be, -HC_R_ERRNO - errno, now);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	hc->wp.fd = fd;
	hc->wp.lastport = -1;
	if (connect(fd, (const struct sockaddr *)&ss, sl) != 0 &&
	    errno != EINPROGRESS) {
		hc_done(be, -HC_R_ERRNO - errno, now);
		return;
	}
	hc->step = HC_S_CONNECT;
	hc->wp.events = POLLOUT;
	hc->wp.he.key = now + hc->timeout;
	hc_arm(be);
}

/*--------------------------------------------------------------------
 * The connect finished: send the request, all of it at once (it is far
 * smaller than any socket buffer).
 */

static void
hc_send(struct backend *be, tim_mono now)
{
	struct be_health *hc = &be->hc;
	socklen_t sl = sizeof(int);
	ssize_t n;
	int err = 0;

	if (getsockopt(hc->wp.fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0)
		err = errno;
	if (err != 0) {
		hc_done(be, -HC_R_ERRNO - err, now);
		return;
	}
	n = send(hc->wp.fd, hc->req, hc->qlen, MSG_NOSIGNAL);
	if (n != (ssize_t)hc->qlen) {
		hc_done(be, n < 0 ? -HC_R_ERRNO - errno : HC_R_CLOSED, now);
		return;
	}
	hc->step = HC_S_READ;
	hc->wp.events = POLLIN;
	hc_arm(be);			/* the same deadline */
}

/*--------------------------------------------------------------------
 * Read the status line, "HTTP/1.x NNN": its status, or HC_R_JUNK.
 */

static int
hc_status(const char *p, size_t len)
{

	if (len < 12 || memcmp(p, "HTTP/1.", 7) || p[8] != ' ' ||
	    p[9] < '1' || p[9] > '9' || p[10] < '0' || p[10] > '9' ||
	    p[11] < '0' || p[11] > '9')
		return (HC_R_JUNK);
	return ((p[9] - '0') * 100 + (p[10] - '0') * 10 + p[11] - '0');
}

static void
hc_read(struct backend *be, tim_mono now)
{
	struct be_health *hc = &be->hc;
	ssize_t n;

	n = read(hc->wp.fd, hc->rbuf + hc->rlen, 12 - hc->rlen);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		hc_arm(be);
		return;
	}
	if (n < 0) {
		hc_done(be, -HC_R_ERRNO - errno, now);
		return;
	}
	if (n == 0) {
		hc_done(be, HC_R_CLOSED, now);
		return;
	}
	hc->rlen += (size_t)n;
	if (hc->rlen < 12)
		hc_arm(be);
	else
		hc_done(be, hc_status(hc->rbuf, hc->rlen), now);
}

/*--------------------------------------------------------------------
 * The probe's waited: its timer, its socket, or the end (WAITER_CLOSE).
 */

static void
hc_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct backend *be;

	CAST_OBJ_NOTNULL(be, wp->priv, BACKEND_MAGIC);
	assert(wp == &be->hc.wp);
	if (ev == WAITER_CLOSE) {
		if (wp->fd >= 0) {
			WAIT_Leave(wp);
			(void)close(wp->fd);
			wp->fd = -1;
		}
		(void)BE_HcKeep(&be, 1);
		return;
	}
	switch (be->hc.step) {
	case HC_S_IDLE:
		assert(ev == WAITER_TASK || ev == WAITER_TIMEOUT);
		hc_begin(be, now);
		break;
	case HC_S_CONNECT:
		if (ev == WAITER_TIMEOUT)
			hc_done(be, HC_R_TIMEOUT, now);
		else
			hc_send(be, now);
		break;
	case HC_S_READ:
		if (ev == WAITER_TIMEOUT)
			hc_done(be, HC_R_TIMEOUT, now);
		else
			hc_read(be, now);
		break;
	default:
		WRONG("probe step");
	}
}

/*--------------------------------------------------------------------
 * A backend's health for /status (see health.h).  Any thread.
 */

void
HC_Status(const struct backend *be, struct hc_status *st)
{
	uint64_t bits;
	unsigned u, win;
	const char *h = "healthy";

	CHECK_OBJ_NOTNULL(be, BACKEND_MAGIC);
	if (__atomic_load_n(&be->sick, __ATOMIC_RELAXED))
		h = "sick";
	else if (__atomic_load_n(&be->ejected, __ATOMIC_RELAXED))
		/* over, though no request has come to take it back yet */
		h = TIM_mono() < HC_EjectEnd(be) ? "ejected" : "trial";
	else if (__atomic_load_n(&be->hc.trial, __ATOMIC_RELAXED))
		h = "trial";
	(void)snprintf(st->health, sizeof st->health, "%s", h);
	win = __atomic_load_n(&be->hc.window, __ATOMIC_RELAXED);
	bits = __atomic_load_n(&be->hc.bits, __ATOMIC_RELAXED);
	for (u = 0; u < win && u < sizeof st->window - 1; u++)
		st->window[u] = (bits >> (win - 1 - u) & 1) ? '1' : '0';
	st->window[u] = '\0';
	if (win > 0)
		HC_Why(__atomic_load_n(&be->hc.last, __ATOMIC_RELAXED),
		    st->last, sizeof st->last);
	else
		st->last[0] = '\0';
}
