/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * session.c -- client sessions and the idle waiter.
 *
 * Every client connection that is idle between requests, or has sent part
 * of a request head, waits here: one struct sess (with its struct waited
 * embedded) in the idle waiter's heap and event port, and no buffer.  When
 * bytes arrive the waiter's callback runs HTC_Rx; a complete head is
 * handed to the least-loaded worker, a partial one waits again with the
 * head deadline (from its first byte, never renewed per read), and EOF,
 * errors and deadlines close the session -- a partial head with 408.
 *
 * When every worker is at its session limit the session waits in a
 * bounded FIFO owned by the idle waiter thread, retried by a timer; past
 * the bound, or after timeout_req in it, the client gets 503.  A request is
 * never dropped without an answer.
 *
 * Sessions are plain malloc'd objects: at a few hundred bytes the
 * allocator's own per-thread caches serve them as well as a private free
 * list would, and an idle session must cost only its own size.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frontd.h"
#include "alog.h"
#include "conf.h"
#include "log.h"
#include "mem.h"
#include "stats.h"


struct ses_waiter {
	unsigned		magic;
#define SES_WAITER_MAGIC	0x53575452
	struct waiter		*w;
	struct htc_pool		*hp;
	struct waited		qtimer;	/* the oldest's timeout_req */
	unsigned		qarmed;
	struct waited		qkick;	/* SES_QueueKick's task */
	unsigned		kicking; /* atomic: the task is on its way */
	unsigned		qlen;	/* atomic reads; the waiter writes */
	struct sess		*qhead;
	struct sess		*qtail;
	struct waited		evict;	/* SES_Evict's task */
	unsigned		evicting; /* atomic: the task is on its way */
	unsigned		nevict;
	unsigned		in_evict; /* WAIT_Expire is running */
};

static struct ses_waiter	*ses_w;
static unsigned			ses_nw;

static const char * const ses_close_names[SC__MAX] = {
	[SC_NULL] = "none",
#define SESS_CLOSE(n, e, d)	[SC_##n] = #n,
#include "tbl/sess_close.h"
#undef SESS_CLOSE
};

static void ses_idle_cb(struct waited *, enum wait_event, tim_mono);
static void ses_queue_cb(struct waited *, enum wait_event, tim_mono);

/*--------------------------------------------------------------------
 * The name of a close reason, for logs and metrics.
 */

const char *
SES_CloseName(enum sess_close sc)
{

	assert(sc < SC__MAX);
	return (ses_close_names[sc]);
}

/*--------------------------------------------------------------------
 * A new session for an accepted connection.  Owner: the caller.
 */

struct sess *
SES_New(int fd, const union sockaddr_u *peer, struct conf *conf)
{
	struct sess *sp;

	ALLOC_OBJ(sp, SESS_MAGIC);
	if (sp == NULL)
		return (NULL);
	sp->fd = fd;
	WAIT_INIT(&sp->wp, fd, ses_idle_cb, sp);
	HTC_Init(&sp->htc);
	sp->conf = conf;
	sp->peer = *peer;
	MEM_Sessions(__atomic_add_fetch(&g_sessions, 1, __ATOMIC_RELAXED));
	return (sp);
}

/*--------------------------------------------------------------------
 * Close and free a session.  The caller owns it, so its fd is not
 * associated with any port.  A few unread bytes are drained first, so
 * that the kernel sends a FIN after our last response rather than a RST
 * that could destroy it in flight.
 */

void
SES_Delete(struct sess **spp, enum sess_close sc)
{
	struct sess *sp;
	struct htc_pool *hp;
	char buf[2048];
	int i;

	TAKE_OBJ_NOTNULL(sp, spp, SESS_MAGIC);
	AZ(sp->txn);
	assert(sp->wp.w == NULL);
	SPL_Drop(sp);
	hp = sp->wrk != NULL ? WRK_HtcPool(sp->wrk) : NULL;
	HTC_Fini(&sp->htc, hp);
	WAIT_Leave(&sp->wp);
	if (sc != SC_REM_CLOSE && sc != SC_RX_ERROR) {
		for (i = 0; i < 8; i++)
			if (read(sp->fd, buf, sizeof buf) <= 0)
				break;
	}
	(void)close(sp->fd);
	if (sp->conf != NULL)
		CONF_Rel(&sp->conf);
	CNT_INC(&g_counters, sess_closed);
	__atomic_fetch_add(&g_closed[sc], 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&g_sessions, 1, __ATOMIC_RELAXED);
	FREE_OBJ(sp);
}

/*--------------------------------------------------------------------
 * Send a small error response, best effort, before the caller closes.
 * The bytes sent.
 */

size_t
SES_Error(struct sess *sp, unsigned status)
{
	const char *reason;
	char buf[256];
	ssize_t w;
	int l;

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	switch (status) {
	case 400: reason = "Bad Request"; break;
	case 408: reason = "Request Timeout"; break;
	case 413: reason = "Content Too Large"; break;
	case 414: reason = "URI Too Long"; break;
	case 429: reason = "Too Many Requests"; break;
	case 431: reason = "Request Header Fields Too Large"; break;
	case 500: reason = "Internal Server Error"; break;
	case 501: reason = "Not Implemented"; break;
	case 502: reason = "Bad Gateway"; break;
	case 503: reason = "Service Unavailable"; break;
	case 504: reason = "Gateway Timeout"; break;
	case 505: reason = "HTTP Version Not Supported"; break;
	default: reason = "Error"; break;
	}
	l = snprintf(buf, sizeof buf,
	    "HTTP/1.1 %u %s\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "\r\n"
	    "%u %s\n",
	    status, reason, strlen(reason) + 5, status, reason);
	assert(l > 0 && (size_t)l < sizeof buf);
	w = send(sp->fd, buf, (size_t)l, MSG_NOSIGNAL);
	(void)shutdown(sp->fd, SHUT_WR);
	return (w > 0 ? (size_t)w : 0);
}

/*--------------------------------------------------------------------
 * The idle waiter a session belongs to.
 */

static struct ses_waiter *
ses_waiter(const struct sess *sp)
{

	return (&ses_w[(unsigned)sp->fd % ses_nw]);
}

/*--------------------------------------------------------------------
 * Mark the first byte of a new request head: its deadline starts here.
 */

void
SES_ReqStart(struct sess *sp, tim_mono now)
{

	if (sp->t_req == 0.)
		sp->t_req = now;
}

/*--------------------------------------------------------------------
 * The deadline of a partial head: timeout_req from its first byte, or
 * sooner for a slow one.  Once min_rate_grace has passed, the head must
 * have come at min_rate on average: each byte buys 1/min_rate seconds
 * more (Apache's mod_reqtimeout MinRate, Kestrel's minimum data rate).
 * A slowloris client, a few bytes every few seconds, is cut after the
 * grace instead of holding its session for all of timeout_req; a real
 * client sends its head in one go and never meets this.
 */

tim_mono
SES_ReqDeadline(const struct sess *sp)
{
	const struct conf *c = sp->conf;
	tim_mono dl = sp->t_req + c->timeout_req, slow;

	if (c->min_rate > 0) {
		slow = sp->t_req + c->min_rate_grace +
		    (double)HTC_Avail(&sp->htc) / (double)c->min_rate;
		if (slow < dl)
			dl = slow;
	}
	return (dl);
}

/* Why a partial head's deadline passed: too slow, or too long. */
enum sess_close
SES_ReqExpired(const struct sess *sp, tim_mono now)
{

	if (sp->conf->min_rate > 0 &&
	    now < sp->t_req + sp->conf->timeout_req * 0.999)
		return (SC_REQ_SLOW);
	return (SC_REQ_TIMEOUT);
}

/*--------------------------------------------------------------------
 * A session waits with part of a head, in the idle waiter or on a
 * worker: count it under its address, or, when the address holds
 * max_partial_per_client already, answer 429.  0, or -1 when the caller
 * is to close it (SC_PARTIAL_LIMIT).
 */

int
SES_Partial(struct sess *sp)
{

	if (SPL_Take(sp) == 0)
		return (0);
	SES_Refuse(sp, 429, SC_PARTIAL_LIMIT);
	return (-1);
}

/*--------------------------------------------------------------------
 * Hand a session to the idle waiter, any thread.  With nothing buffered
 * it waits for timeout_idle; with part of a head, for what is left of
 * timeout_req.
 */

void
SES_Wait(struct sess *sp)
{
	struct ses_waiter *sw;

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	if (__atomic_load_n(&g_draining, __ATOMIC_ACQUIRE)) {
		SES_Delete(&sp, SC_SHUTDOWN);	/* the idle waiter may be gone */
		return;
	}
	sw = ses_waiter(sp);
	WAIT_Leave(&sp->wp);		/* a worker's port forgets it */
	sp->wrk = NULL;
	sp->wp.func = ses_idle_cb;
	sp->wp.events = POLLIN;
	if (sp->flags & SES_F_PROXY) {
		sp->t_req = TIM_mono();		/* the header, from the accept */
		sp->wp.he.key = sp->t_req + sp->conf->timeout_req;
	} else if (HTC_Avail(&sp->htc) > 0) {
		if (SES_Partial(sp) != 0) {
			SES_Delete(&sp, SC_PARTIAL_LIMIT);
			return;
		}
		sp->wp.he.key = SES_ReqDeadline(sp);
	} else {
		sp->t_req = 0.;
		sp->wp.he.key = TIM_mono() + sp->conf->timeout_idle;
	}
	if (WAIT_Enter(sw->w, &sp->wp) != 0)
		SES_Delete(&sp, SC_SHUTDOWN);
}

/*--------------------------------------------------------------------
 * Count the queue (read by workers, in SES_QueueKick, and the stats).
 */

static void
ses_qlen(struct ses_waiter *sw, int d)
{

	__atomic_store_n(&sw->qlen, sw->qlen + (unsigned)d, __ATOMIC_SEQ_CST);
}

/*--------------------------------------------------------------------
 * Arm the queue's timer for the timeout_req of its oldest session, if
 * it is not armed.  Nothing polls: a worker that lets a session go wakes
 * the queue (SES_QueueKick).
 */

static void
ses_qarm(struct ses_waiter *sw)
{
	struct sess *sp = sw->qhead;

	if (sp == NULL || sw->qarmed)
		return;
	sw->qtimer.he.key = sp->t_req + sp->conf->timeout_req;
	if (WAIT_Again(sw->w, &sw->qtimer) == 0)
		sw->qarmed = 1;
}

static void ses_queue_run(struct ses_waiter *, enum wait_event, tim_mono);

/*--------------------------------------------------------------------
 * Append a session with a complete head to the worker queue.  A worker
 * may have let a session go between the failed dispatch and now, seeing
 * an empty queue: so try once more after the session is counted (the
 * worker counts its session out before it looks at qlen).
 */

static void
ses_enqueue(struct ses_waiter *sw, struct sess *sp)
{

	if (sw->qlen >= sp->conf->queue_len) {
		CNT_INC(&g_counters, req_rejected);
		CNT_INC(&g_counters, resp_5xx);
		SES_Error(sp, 503);
		SES_Delete(&sp, SC_OVERLOAD);
		return;
	}
	CNT_INC(&g_counters, req_queued);
	sp->qnext = NULL;
	if (sw->qtail != NULL)
		sw->qtail->qnext = sp;
	else
		sw->qhead = sp;
	sw->qtail = sp;
	ses_qlen(sw, 1);	/* seq_cst, then WRK_Dispatch reads nsess so */
	ses_queue_run(sw, WAITER_TASK, TIM_mono());
}

/*--------------------------------------------------------------------
 * Hand a complete request to a worker, or queue it.
 */

static void
ses_dispatch(struct ses_waiter *sw, struct sess *sp)
{

	if (sw->qlen == 0 && WRK_Dispatch(sp) == 0)
		return;
	ses_enqueue(sw, sp);
}

/*--------------------------------------------------------------------
 * Give queued sessions to workers that have room, oldest first; answer
 * 503 to those that waited longer than timeout_req.  Then arm the timer
 * for the oldest left.
 */

static void
ses_queue_run(struct ses_waiter *sw, enum wait_event ev, tim_mono now)
{
	struct sess *sp;

	while ((sp = sw->qhead) != NULL) {
		sw->qhead = sp->qnext;
		sp->qnext = NULL;
		ses_qlen(sw, -1);
		if (ev == WAITER_CLOSE) {
			SES_Delete(&sp, SC_SHUTDOWN);
			continue;
		}
		if (now > sp->t_req + sp->conf->timeout_req) {
			CNT_INC(&g_counters, req_rejected);
			CNT_INC(&g_counters, resp_5xx);
			SES_Error(sp, 503);
			SES_Delete(&sp, SC_OVERLOAD);
			continue;
		}
		if (WRK_Dispatch(sp) == 0)
			continue;
		sp->qnext = sw->qhead;		/* every worker still full */
		sw->qhead = sp;
		ses_qlen(sw, 1);
		break;
	}
	if (sw->qhead == NULL)
		sw->qtail = NULL;
	else if (ev != WAITER_CLOSE)
		ses_qarm(sw);
}

/*--------------------------------------------------------------------
 * The queue's timer (its oldest session's timeout_req) or a worker's
 * wake-up (SES_QueueKick): run the queue.
 */

static void
ses_queue_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct ses_waiter *sw;

	CAST_OBJ_NOTNULL(sw, wp->priv, SES_WAITER_MAGIC);
	if (wp == &sw->qkick)
		__atomic_store_n(&sw->kicking, 0, __ATOMIC_SEQ_CST);
	else
		sw->qarmed = 0;
	ses_queue_run(sw, ev, now);
}

/*--------------------------------------------------------------------
 * A worker let a session go (any worker thread, after it counted the
 * session out): wake the idle waiters whose queue holds requests, once
 * each until they ran it.
 */

void
SES_QueueKick(void)
{
	struct ses_waiter *sw;
	unsigned u;

	for (u = 0; u < ses_nw; u++) {
		sw = &ses_w[u];
		if (__atomic_load_n(&sw->qlen, __ATOMIC_SEQ_CST) == 0 ||
		    __atomic_exchange_n(&sw->kicking, 1, __ATOMIC_SEQ_CST))
			continue;
		if (WAIT_Task(sw->w, &sw->qkick) != 0)
			__atomic_store_n(&sw->kicking, 0, __ATOMIC_SEQ_CST);
	}
}

/*--------------------------------------------------------------------
 * Answer a bad head with its status and close.
 */

unsigned
SES_HtcStatus(enum htc_status hs)
{

	switch (hs) {
	case HTC_TOO_LARGE:	return (431);
	case HTC_URI_TOO_LONG:	return (414);
	case HTC_NOT_IMPL:	return (501);
	default:		return (400);
	}
}

/*--------------------------------------------------------------------
 * The client's address as text.
 */

void
SES_PeerText(const struct sess *sp, char *buf, size_t len)
{
	const union sockaddr_u *su = &sp->peer;

	if (su->sa.sa_family == AF_INET6)
		AN(inet_ntop(AF_INET6, &su->sin6.sin6_addr, buf, len));
	else
		AN(inet_ntop(AF_INET, &su->sin.sin_addr, buf, len));
}

/*--------------------------------------------------------------------
 * Refuse a request before any worker took it (a bad or late head):
 * answer status and write its access log line.  The caller closes.
 */

void
SES_Refuse(struct sess *sp, unsigned status, enum sess_close sc)
{
	char peer[INET6_ADDRSTRLEN];
	struct alog_rec r;
	tim_mono now;

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	memset(&r, 0, sizeof r);
	if (status >= 500)
		CNT_INC(&g_counters, resp_5xx);	/* 501 */
	else
		CNT_INC(&g_counters, resp_4xx);	/* 400, 408, 414, 431 */
	r.bytes = SES_Error(sp, status);
	if (!__atomic_load_n(&g_alog_on, __ATOMIC_RELAXED))
		return;
	now = TIM_mono();
	SES_PeerText(sp, peer, sizeof peer);
	r.peer = peer;
	r.status = status;
	r.t_start = TIM_real() - (sp->t_req > 0. ? now - sp->t_req : 0.);
	r.t_head = r.t_queue = r.t_connect = r.t_firstbyte = -1.;
	r.t_total = sp->t_req > 0. ? now - sp->t_req : 0.;
	r.cause = SES_CloseName(sc);
	ALOG_Write(&r);
}

/*--------------------------------------------------------------------
 * Answer a bad head with its status and close.
 */

static void
ses_reject(struct sess *sp, enum htc_status hs)
{

	SES_Refuse(sp, SES_HtcStatus(hs), SC_BAD_REQ);
	SES_Delete(&sp, SC_BAD_REQ);
}

/*--------------------------------------------------------------------
 * Read towards a PROXY header.  0 when it is complete (what came behind
 * it is buffered, and waits under timeout_idle if it is nothing);
 * otherwise the session waits again, or is closed.
 */

static int
ses_proxy(struct ses_waiter *sw, struct sess *sp, tim_mono now)
{
	enum sess_close sc = SC_NULL;

	switch (SES_ProxyRx(sp, sw->hp, &sc)) {
	case 1:
		if (HTC_Avail(&sp->htc) == 0) {
			sp->t_req = 0.;
			sp->wp.he.key = now + sp->conf->timeout_idle;
		}
		return (0);
	case 0:
		if (WAIT_Again(sw->w, &sp->wp) != 0)
			SES_Delete(&sp, SC_OVERLOAD);
		return (-1);
	default:
		SES_Delete(&sp, sc);
		return (-1);
	}
}

/*--------------------------------------------------------------------
 * The idle waiter's callback: read, and decide.
 */

static void
ses_idle_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct ses_waiter *sw;
	struct sess *sp;
	enum htc_status hs;
	enum sess_close sc;

	CAST_OBJ_NOTNULL(sp, wp->priv, SESS_MAGIC);
	sw = ses_waiter(sp);
	switch (ev) {
	case WAITER_ACTION:
	case WAITER_REMCLOSE:
		break;
	case WAITER_TIMEOUT:
		if (sw->in_evict)
			SES_Delete(&sp, SC_EVICTED);
		else if (sp->flags & SES_F_PROXY) {
			SES_ProxyTimeout(sp);
			SES_Delete(&sp, SC_PROXY_TIMEOUT);
		} else if (HTC_Avail(&sp->htc) > 0) {
			sc = SES_ReqExpired(sp, now);
			SES_Refuse(sp, 408, sc);
			SES_Delete(&sp, sc);
		} else
			SES_Delete(&sp, SC_IDLE_TIMEOUT);
		return;
	default:
		SES_Delete(&sp, SC_SHUTDOWN);
		return;
	}
	if (sp->flags & SES_F_PROXY) {
		if (ses_proxy(sw, sp, now) != 0)
			return;
		hs = HTC_Parse(&sp->htc, H1_REQUEST, &sp->conf->limits);
	} else
		hs = HTC_Rx(&sp->htc, sw->hp, sp->fd, H1_REQUEST,
		    &sp->conf->limits);
	switch (hs) {
	case HTC_COMPLETE:
		SPL_Drop(sp);
		SES_ReqStart(sp, now);
		sp->t_ready = now;
		ses_dispatch(sw, sp);
		return;
	case HTC_MORE:
		if (HTC_Avail(&sp->htc) > 0) {
			if (SES_Partial(sp) != 0) {
				SES_Delete(&sp, SC_PARTIAL_LIMIT);
				return;
			}
			SES_ReqStart(sp, now);
			wp->he.key = SES_ReqDeadline(sp);
		}
		if (WAIT_Again(sw->w, wp) != 0)
			SES_Delete(&sp, SC_OVERLOAD);
		return;
	case HTC_EOF:
		SES_Delete(&sp, SC_REM_CLOSE);
		return;
	case HTC_ERROR:
		SES_Delete(&sp, SC_RX_ERROR);
		return;
	default:
		ses_reject(sp, hs);
		return;
	}
}

/*--------------------------------------------------------------------
 * Under descriptor pressure: close the idle sessions that have been
 * quiet longest (earliest deadline first; a partial head, whose deadline
 * is shorter, goes before them) to make room for new clients, instead of
 * refusing those.  Idle sessions are cheap to hold but cheaper to
 * reopen than a refused client is to satisfy.  Any thread.
 */

static void
ses_evict_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct ses_waiter *sw;
	unsigned n;

	(void)now;
	CAST_OBJ_NOTNULL(sw, wp->priv, SES_WAITER_MAGIC);
	if (ev == WAITER_TASK) {
		sw->in_evict = 1;
		n = WAIT_Expire(sw->w, sw->nevict);
		sw->in_evict = 0;
		while (n-- > 0)
			CNT_INC(&g_counters, sess_evicted);
	}
	__atomic_store_n(&sw->evicting, 0, __ATOMIC_RELEASE);
}

void
SES_Evict(unsigned n)
{
	struct ses_waiter *sw;
	unsigned u;

	for (u = 0; u < ses_nw; u++) {
		sw = &ses_w[u];
		if (__atomic_exchange_n(&sw->evicting, 1, __ATOMIC_ACQ_REL))
			continue;		/* one is on its way already */
		sw->nevict = (n + ses_nw - 1) / ses_nw;
		WAIT_INIT(&sw->evict, -1, ses_evict_cb, sw);
		if (WAIT_Task(sw->w, &sw->evict) != 0)
			__atomic_store_n(&sw->evicting, 0, __ATOMIC_RELEASE);
	}
}

/*--------------------------------------------------------------------
 * Start the idle waiters.
 */

int
SES_WaitInit(unsigned n, unsigned bufsize)
{
	struct ses_waiter *sw;
	char name[24];
	unsigned u;

	AN(n);
	ses_w = calloc(n, sizeof *ses_w);
	if (ses_w == NULL)
		return (-1);
	for (u = 0; u < n; u++) {
		sw = &ses_w[u];
		sw->magic = SES_WAITER_MAGIC;
		WAIT_INIT(&sw->qtimer, -1, ses_queue_cb, sw);
		WAIT_INIT(&sw->qkick, -1, ses_queue_cb, sw);
		sw->hp = HTC_PoolNew(bufsize, 32);
		if (sw->hp == NULL)
			return (-1);
		(void)snprintf(name, sizeof name, "waiter%u", u);
		sw->w = WAIT_New(name, sw, NULL);
		if (sw->w == NULL)
			return (-1);
	}
	ses_nw = n;
	return (0);
}

/*--------------------------------------------------------------------
 * Stop the idle waiters: every session they hold is closed.
 */

void
SES_WaitFini(void)
{
	unsigned u;
	struct waiter *w;

	for (u = 0; u < ses_nw; u++) {
		w = ses_w[u].w;		/* used by the loop until it ends */
		WAIT_Destroy(&w);
		ses_w[u].w = NULL;
		HTC_PoolDestroy(&ses_w[u].hp);
	}
	free(ses_w);
	ses_w = NULL;
	ses_nw = 0;
}

/*--------------------------------------------------------------------
 * The idle waiters' part of a stats snapshot.
 */

void
SES_Stats(struct stats *st)
{
	unsigned u;

	for (u = 0; u < ses_nw; u++) {
		st->queue += __atomic_load_n(&ses_w[u].qlen, __ATOMIC_RELAXED);
		STAT_AddWaiter(st, ses_w[u].w);
	}
}
