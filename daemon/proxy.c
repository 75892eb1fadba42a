/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * proxy.c -- one request, end to end, on a worker: a state machine
 * driven by the worker's event loop.
 *
 *   PX_Start --> CONNECT --> REQ_SEND --> REQ_BODY --> RESP_HEAD
 *                   ^                         |          |  ^  |
 *                   |     early answer -------+--------->+  |  +--> TUNNEL
 *                   +---- retry: stale pooled conn ------+  |
 *                                                   1xx ----+  |
 *                                                              v
 *              done <-- DISCARD (small rest of body) <-- RESP_BODY --> done
 *                       LINGER  (closing, body unread) <------+
 *
 * Each state does what the sockets allow without blocking and, when one
 * would block, says what it waits for on both fds (px_arm), with the
 * deadline that phase has: connect_timeout, first_byte_timeout,
 * between_bytes_timeout on the backend side, timeout_client when the
 * client stalls an upload or takes no bytes of a response.  Bodies
 * stream in both directions through the connections' own receive
 * buffers, never buffered whole, with back-pressure: while one side
 * cannot take more, the other is not read.  While the request body
 * streams the backend is watched as well, as it may answer early (RFC
 * 9112 section 9.3); that answer goes to the client at once, and the
 * rest of the body is dropped (up to PX_DISCARD_MAX, the connection
 * stays) or the connection closes lingering.  Every way out goes
 * through px_end, which leaves nothing armed.
 *
 * The request goes to the backend as HTTP/1.1 with its head rewritten:
 * hop-by-hop fields dropped (Connection and what it names, Keep-Alive,
 * Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade), framing set
 * by the proxy, Via, X-Forwarded-For and X-Forwarded-Proto set.  The
 * response is framed for the client: passed through, re-chunked (body
 * ending at close, HTTP/1.1 client) or de-chunked (HTTP/1.0 client).
 *
 * Everything a request needs lives in one struct txn from the worker's
 * free list, with the rewritten heads in its buffer, so the path takes no
 * lock and no allocation.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/sockios.h>		/* SIOCOUTQ */
#endif

#include "frontd.h"
#include "conf.h"
#include "log.h"
#include "proxy_priv.h"

#define PX_FREE(wrk)	WRK_PxFree(wrk)

static void px_step(struct txn *, tim_mono);
static void px_client_cb(struct waited *, enum wait_event, tim_mono);
static void px_backend_cb(struct waited *, enum wait_event, tim_mono);

static const char px_crlf[] = "\r\n";
static const char px_last[] = "0\r\n\r\n";

/*--------------------------------------------------------------------
 * Allocate a transaction from the worker's free list.
 */

static struct txn *
px_alloc(struct worker *wrk, const struct conf *conf)
{
	struct px_free *fl = PX_FREE(wrk);
	struct txn *txn;
	unsigned size;

	size = 3 * (conf->limits.head_max + PX_SLACK);
	while ((txn = fl->head) != NULL) {
		fl->head = txn->fnext;
		fl->n--;
		if (txn->size == size)
			break;
		FREE_OBJ(txn);
	}
	if (txn == NULL) {
		txn = malloc(sizeof *txn + size);
		if (txn == NULL)
			return (NULL);
	}
	memset(txn, 0, sizeof *txn);
	txn->magic = TXN_MAGIC;
	txn->size = size;
	txn->wrk = wrk;
	return (txn);
}

/*--------------------------------------------------------------------
 * Give a transaction back to the free list of the thread it ends on.
 */

void
PX_Free(struct txn **txnp)
{
	struct px_free *fl;
	struct txn *txn;

	TAKE_OBJ_NOTNULL(txn, txnp, TXN_MAGIC);
	free(txn->rb);
	txn->rb = NULL;
	fl = PX_FREE(txn->wrk);
	if (fl->n >= 16) {
		FREE_OBJ(txn);
		return;
	}
	txn->fnext = fl->head;
	fl->head = txn;
	fl->n++;
}

/*--------------------------------------------------------------------
 * Free a worker's spare transactions (its thread has stopped).
 */

void
PX_WorkerFini(struct worker *wrk)
{
	struct px_free *fl = PX_FREE(wrk);
	struct txn *txn;

	while ((txn = fl->head) != NULL) {
		fl->head = txn->fnext;
		FREE_OBJ(txn);
	}
	fl->n = 0;
}

/*--------------------------------------------------------------------
 * Find how much more of what a connection has buffered is body (h1b.c).
 */

static int
px_body_scan(struct h1_body *b, const struct htc *htc, h1_data_f *data,
    void *priv, size_t max)
{

	return (H1B_Scan(b, HTC_Ptr(htc), HTC_Avail(htc), data, priv, max));
}

/*
 * Is the rest of a request body small enough to read and drop after an
 * early response?  A chunked one is, as far as PX_DISCARD_MAX goes.
 */
static int
px_discardable(const struct h1_body *b)
{

	if (b->kind == H1B_CL)
		return (b->left + b->ready <= PX_DISCARD_MAX);
	return (b->kind == H1B_CHUNKED);
}

/*--------------------------------------------------------------------
 * Forget what is left to write (the output turns round: an early answer
 * overtakes the request body it was sending).
 */

static void
px_out_clear(struct px_out *o)
{
	int i;

	for (i = 0; i < 4; i++)
		o->v[i].iov_len = 0;
}

/*--------------------------------------------------------------------
 * Is anything left to write?
 */

static int
px_out_pending(const struct px_out *o)
{

	return (o->v[0].iov_len + o->v[1].iov_len + o->v[2].iov_len +
	    o->v[3].iov_len > 0);
}

/*--------------------------------------------------------------------
 * Write what is pending to fd, the body part straight from htc (and
 * consumed from it as it goes).  1: all written; 0: would block; -1:
 * error.
 */

static int
px_out_write(struct px_out *o, int fd, struct htc *htc, struct h1_body *b,
    struct htc_pool *hp)
{
	struct iovec iov[4];
	ssize_t w;
	size_t n;
	int i, niov;

	while (px_out_pending(o)) {
		niov = 0;
		for (i = 0; i < 4; i++) {
			if (o->v[i].iov_len == 0)
				continue;
			iov[niov] = o->v[i];
			if (i == OUT_BODY)
				iov[niov].iov_base = (void *)(uintptr_t)
				    HTC_Ptr(htc);
			niov++;
		}
		w = writev(fd, iov, niov);
		if (w > 0)
			o->sent += (uint64_t)w;
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return (0);
			return (-1);
		}
		for (i = 0; i < 4 && w > 0; i++) {
			n = o->v[i].iov_len;
			if (n > (size_t)w)
				n = (size_t)w;
			o->v[i].iov_len -= n;
			w -= (ssize_t)n;
			if (i == OUT_BODY) {
				HTC_Consume(htc, hp, n);
				if (b != NULL)
					H1B_Took(b, n);
			} else
				o->v[i].iov_base = (char *)o->v[i].iov_base + n;
		}
	}
	return (1);
}

/*--------------------------------------------------------------------
 * Waiting.  Between two steps a transaction has exactly the waits its
 * state asks for armed in the worker's loop, and nothing else: each wait
 * point names what it wants of both fds (px_arm), whatever an earlier
 * state left armed is taken back or re-keyed, and a transaction ends
 * (px_end) with neither fd armed.  A session or backend connection that
 * leaves a transaction is therefore never still held by the loop.
 */

enum px_ret {
	PX_CONT,	/* the state changed: go on */
	PX_WAIT,	/* an fd is armed */
	PX_END,		/* the transaction is over and freed */
};

static enum px_ret px_abort(struct txn *, unsigned status, enum sess_close);
static enum px_ret px_end(struct txn *, enum sess_close);

/*
 * Make one waited wait for 'events' (0: not at all) until 'deadline'.
 * An armed one that waits for the same events only moves its deadline,
 * so the hot path costs no system call.  0, or -1 (not armed).
 */
static int
px_arm1(struct waiter *w, struct waited *wp, short events, tim_mono deadline)
{

	if (wp->w != NULL) {
		if (events != 0 && wp->events == events) {
			WAIT_Rekey(w, wp, deadline);
			return (0);
		}
		WAIT_Cancel(w, wp);
	}
	if (events == 0)
		return (0);
	wp->events = events;
	wp->he.key = deadline;
	return (WAIT_Again(w, wp));
}

/*
 * Wait for the client (cev until cdl) and the backend (bev until bdl);
 * at least one of them.
 */
static enum px_ret
px_arm(struct txn *txn, short cev, tim_mono cdl, short bev, tim_mono bdl)
{
	struct waiter *w = WRK_Waiter(txn->wrk);

	assert(cev != 0 || bev != 0);
	assert(bev == 0 || txn->bc != NULL);
	if (px_arm1(w, &txn->sp->wp, cev, cdl) != 0 ||
	    (txn->bc != NULL && px_arm1(w, &txn->bc->wp, bev, bdl) != 0))
		return (px_abort(txn, 503, SC_OVERLOAD));
	return (PX_WAIT);
}

/*--------------------------------------------------------------------
 * Take back whatever the worker's loop still holds of this transaction.
 */

static void
px_unarm(struct txn *txn)
{
	struct waiter *w = WRK_Waiter(txn->wrk);

	if (txn->sp->wp.w != NULL)
		WAIT_Cancel(w, &txn->sp->wp);
	if (txn->bc != NULL && txn->bc->wp.w != NULL)
		WAIT_Cancel(w, &txn->bc->wp);
	AZ(txn->sp->wp.w);
}

/*--------------------------------------------------------------------
 * Slow readers.  timeout_client is for a client that takes nothing: one
 * that reads slowly may leave the send buffer full (megabytes on a fast
 * link) for longer than that while it keeps reading.  So a client write
 * that would block is checked PX_OUT_STEPS times per timeout_client, and
 * the bytes still queued in the socket (SIOCOUTQ) tell whether the
 * client took any since the last check; only a client that took nothing
 * for timeout_client is cut.  Where the queue cannot be read (no
 * SIOCOUTQ, as on illumos), the deadline runs from the last time the
 * socket was writable.
 */

static int
px_outq(int fd)
{
#if defined(SIOCOUTQ)
	int n;

	if (ioctl(fd, SIOCOUTQ, &n) == 0)
		return (n);
#else
	(void)fd;
#endif
	return (-1);
}

/*
 * Slow readers, by rate: a client that reads a few bytes now and then
 * (a slow read attack) takes something every check and so is never cut
 * for timeout_client.  So while frontd waits on it, it must also take
 * min_rate bytes a second of that waiting, once min_rate_grace of it
 * has passed (IIS's minBytesPerSecond, Kestrel's MinResponseDataRate).
 * What it took is what was written less what still sits in the socket
 * (beyond what earlier responses left there): a send buffer filled at
 * once is not a client that reads.  Time spent waiting on the backend
 * does not count against the client.
 */
static tim_dur
px_out_credit(const struct txn *txn, tim_mono now)
{
	double took;

	took = (double)txn->out.sent;
	if (txn->outq >= 0)
		took += (double)txn->qbase - (double)txn->outq;
	if (took < 0.)
		took = 0.;
	return (txn->conf->min_rate_grace +
	    took / (double)txn->conf->min_rate - txn->t_blk -
	    (txn->t_blk0 > 0. ? now - txn->t_blk0 : 0.));
}

static tim_mono
px_out_deadline(const struct txn *txn, tim_mono now)
{
	tim_mono dl = txn->t_prog + txn->conf->timeout_client;
	tim_mono step = now + txn->conf->timeout_client / PX_OUT_STEPS;
	tim_dur credit;

	if (txn->outq >= 0 && step < dl)
		dl = step;
	if (txn->conf->min_rate > 0) {
		credit = px_out_credit(txn, now);
		if (now + credit < dl)
			dl = now + credit;
	}
	return (dl);
}

/* The client write would block: wait until it can go on. */
static enum px_ret
px_wait_client_out(struct txn *txn, tim_mono now)
{

	txn->t_prog = now;
	txn->outq = px_outq(txn->sp->fd);
	if (txn->t_blk0 == 0.) {
		/* the first wait: what is queued beyond this response's bytes
		   is left of earlier ones (pipelined), not this one's */
		if (txn->t_blk == 0. && txn->outq > 0 &&
		    (uint64_t)txn->outq > txn->out.sent)
			txn->qbase = (uint64_t)txn->outq - txn->out.sent;
		txn->t_blk0 = now;
	}
	return (px_arm(txn, POLLOUT, px_out_deadline(txn, now), 0, 0.));
}

/* A check of a blocked client write is due: 1 if it may wait on. */
static int
px_out_progress(struct txn *txn, tim_mono now)
{
	struct sess *sp = txn->sp;
	int q;

	if (!(sp->wp.events & POLLOUT) || txn->outq < 0)
		return (0);
	q = px_outq(sp->fd);
	if (q >= 0 && q < txn->outq) {
		txn->t_prog = now;
		CNT_INC1(WRK_Counters(txn->wrk), slow_reader_kept);
	}
	txn->outq = q;
	if (q < 0 || now >= txn->t_prog + txn->conf->timeout_client * 0.999)
		return (0);
	if (txn->conf->min_rate > 0 && px_out_credit(txn, now) < 1e-3) {
		txn->slow = 1;
		return (0);
	}
	sp->wp.he.key = px_out_deadline(txn, now);
	return (WAIT_Again(WRK_Waiter(txn->wrk), &sp->wp) == 0);
}

/*--------------------------------------------------------------------
 * Count the final status of a response.  Only this worker writes its
 * counters: no locked add on the request path.
 */

static void
px_count(struct txn *txn, unsigned status)
{
	struct counters *cs = WRK_Counters(txn->wrk);

	if (status < 200)
		CNT_INC1(cs, resp_1xx);
	else if (status < 300)
		CNT_INC1(cs, resp_2xx);
	else if (status < 400)
		CNT_INC1(cs, resp_3xx);
	else if (status < 500)
		CNT_INC1(cs, resp_4xx);
	else
		CNT_INC1(cs, resp_5xx);
}

/*--------------------------------------------------------------------
 * The one way out: neither fd armed, the backend connection gone back
 * to its pool or closed, the session kept (SC_NULL: serve what is
 * pipelined, else linger) or closed.
 */

static enum px_ret
px_end(struct txn *txn, enum sess_close sc)
{
	struct sess *sp = txn->sp;
	struct worker *wrk = txn->wrk;

	px_unarm(txn);
	PXL_Done(txn, 0);
	if (txn->bc != NULL)
		BE_Close(&txn->bc);
	AZ(sp->wp.w);
	assert(sp->txn == txn);
	sp->txn = NULL;
	PX_Free(&txn);
	if (sc == SC_NULL)
		WRK_Done(wrk, sp);
	else
		WRK_Release(wrk, &sp, sc);
	return (PX_END);
}

/*--------------------------------------------------------------------
 * Lingering close.  A connection closed while the client may still be
 * sending a body must not be closed with bytes unread: the kernel would
 * answer them with a reset, and a reset can destroy the response before
 * the client reads it.  So: no more writes (FIN), then read and drop
 * until the client closes, for at most PX_LINGER_TIME in all and
 * PX_LINGER_QUIET without a byte (nginx's lingering_time/_timeout).
 */

static enum px_ret
px_linger(struct txn *txn, tim_mono now)
{
	static _Thread_local char sink[16384];
	struct sess *sp = txn->sp;
	tim_mono dl;
	ssize_t r;
	int i;

	assert(txn->state == PX_LINGER);
	AZ(txn->bc);
	for (i = 0; i < 64; i++) {
		r = read(sp->fd, sink, sizeof sink);
		if (r > 0)
			continue;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return (px_end(txn, txn->lsc));
	}
	if (now >= txn->t_end)
		return (px_end(txn, txn->lsc));
	dl = now + PX_LINGER_QUIET;
	if (dl > txn->t_end)
		dl = txn->t_end;
	if (px_arm1(WRK_Waiter(txn->wrk), &sp->wp, POLLIN, dl) != 0)
		return (px_end(txn, txn->lsc));
	return (PX_WAIT);
}

static enum px_ret
px_linger_start(struct txn *txn, enum sess_close sc, tim_mono now)
{

	px_unarm(txn);
	if (txn->bc != NULL)
		BE_Close(&txn->bc);
	HTC_Consume(&txn->sp->htc, WRK_HtcPool(txn->wrk),
	    HTC_Avail(&txn->sp->htc));
	(void)shutdown(txn->sp->fd, SHUT_WR);
	CNT_INC1(WRK_Counters(txn->wrk), sess_lingered);
	txn->state = PX_LINGER;
	txn->lsc = sc;
	txn->t_end = now + PX_LINGER_TIME;
	return (px_linger(txn, now));
}

/*
 * Is the client perhaps still sending a body we will not read?  Not if it
 * is the client that failed (closed, reset, silent).
 */
static int
px_may_linger(const struct txn *txn, enum sess_close sc)
{

	if (H1B_OVER(&txn->req))
		return (0);
	return (sc == SC_BAD_REQ || sc == SC_BACKEND || sc == SC_RESP_CLOSE);
}

/*--------------------------------------------------------------------
 * End a transaction that went wrong: answer 'status' if nothing of a
 * response went out yet (0: no answer), close the backend connection and
 * the client session (lingering, if the client may still be sending).
 */

static enum px_ret
px_abort(struct txn *txn, unsigned status, enum sess_close sc)
{
	struct sess *sp = txn->sp;

	px_unarm(txn);
	if (sc == SC_BACKEND && status >= 502 && status <= 504)
		PXL_Health(txn, 0, status == 504 ? "timeout (504)" :
		    status == 503 ? "unavailable (503)" : "bad response (502)");
	PXL_Done(txn, status != 0 && !txn->resp_sent ? status : txn->status);
	if (status != 0 && !txn->resp_sent) {
		txn->bytes = SES_Error(sp, status);
		px_count(txn, status);
		PXH_Log(txn, status, sc);
		if (px_may_linger(txn, sc))
			return (px_linger_start(txn, sc,
			    WAIT_Now(WRK_Waiter(txn->wrk))));
	} else
		PXH_Log(txn, txn->status, sc);
	return (px_end(txn, sc));
}

/*--------------------------------------------------------------------
 * A response is complete: pool the backend connection if it is clean,
 * then keep the client (pipelined requests, linger) or close it.  After
 * an early response the rest of the request body is dropped first
 * (PX_DISCARD), or the connection closes lingering.
 */

static enum px_ret
px_finish(struct txn *txn, tim_mono now)
{
	int keep = txn->keep_client;

	px_count(txn, txn->status);
	PXH_Log(txn, txn->status, keep ? SC_NULL : SC_RESP_CLOSE);
	PXL_Health(txn, 1, NULL);
	PXL_Done(txn, txn->status);
	px_unarm(txn);
	if (txn->bc_keep && H1B_OVER(&txn->req) &&
	    H1B_OVER(&txn->resp))
		BE_Recycle(&txn->bc);
	else
		BE_Close(&txn->bc);
	if (!H1B_OVER(&txn->req)) {
		if (!keep)
			return (px_linger_start(txn, SC_RESP_CLOSE, now));
		txn->state = PX_DISCARD;
		txn->t_end = now + txn->conf->timeout_client;
		return (PX_CONT);
	}
	return (px_end(txn, keep ? SC_NULL : SC_RESP_CLOSE));
}

/*--------------------------------------------------------------------
 * DISCARD: read and drop the rest of a request body the backend did not
 * want, at most PX_DISCARD_MAX bytes and timeout_client in all; then the
 * connection serves what follows, as after any response.
 */

static enum px_ret
px_discard(struct txn *txn, tim_mono now)
{
	struct sess *sp = txn->sp;
	struct htc_pool *hp = WRK_HtcPool(txn->wrk);
	ssize_t r;

	AZ(txn->bc);
	for (;;) {
		HTC_Consume(&sp->htc, hp, txn->req.ready);
		txn->dropped += txn->req.ready;
		H1B_Took(&txn->req, txn->req.ready);
		if (txn->req.done)
			return (px_end(txn, SC_NULL));
		if (txn->dropped > PX_DISCARD_MAX)
			return (px_linger_start(txn, SC_RESP_CLOSE, now));
		if (px_body_scan(&txn->req, &sp->htc, NULL, NULL,
		    SIZE_MAX) != 0)
			return (px_end(txn, SC_BAD_REQ));
		if (txn->req.ready > 0 || txn->req.done)
			continue;
		r = HTC_Fill(&sp->htc, hp, sp->fd);
		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (px_arm(txn, POLLIN, txn->t_end, 0, 0.));
		return (px_end(txn, r == 0 ? SC_REM_CLOSE : SC_RX_ERROR));
	}
}

/*--------------------------------------------------------------------
 * Send the request (again) on a backend connection from the pool, or on
 * a fresh one.
 */

static enum px_ret px_connect(struct txn *, int, tim_mono);
static enum px_ret px_choose(struct txn *, tim_mono);

/*--------------------------------------------------------------------
 * A connect failed or was refused ('why'): nothing was sent, so any
 * request may go to another member of the director (proxy_lb.c decides).
 */

static enum px_ret
px_connect_failed(struct txn *txn, const char *why, tim_mono now)
{

	px_unarm(txn);
	PXL_Health(txn, 0, why);
	if (txn->bc != NULL)
		BE_Close(&txn->bc);
	if (PXL_Retry(txn) != 0)
		return (px_abort(txn, 503, SC_BACKEND));
	return (px_connect(txn, 0, now));
}

static enum px_ret px_use(struct txn *, int connecting, tim_mono);

static void
px_taken(void *priv, struct bconn *bc, tim_mono now)
{
	struct txn *txn;
	enum px_ret r;

	CAST_OBJ_NOTNULL(txn, priv, TXN_MAGIC);
	assert(txn->state == PX_TAKE);
	AZ(txn->bc);
	txn->bc = bc;
	r = bc != NULL ? px_use(txn, 0, now) : px_connect(txn, 1, now);
	if (r == PX_CONT)
		px_step(txn, now);
}

static enum px_ret
px_connect(struct txn *txn, int fresh, tim_mono now)
{
	int connecting;

	txn->be_tried = 1;
	txn->bc = BE_Get(txn->bp, fresh, &connecting, px_taken, txn);
	if (txn->bc == NULL && connecting == BE_TAKING) {
		/* nothing armed: px_taken comes, from this loop, soon */
		px_unarm(txn);
		txn->state = PX_TAKE;
		return (PX_WAIT);
	}
	if (txn->bc == NULL)
		return (px_connect_failed(txn, strerror(errno), now));
	return (px_use(txn, connecting, now));
}

/*
 * Send the request on the connection just got (pooled, taken, or new).
 */
static enum px_ret
px_use(struct txn *txn, int connecting, tim_mono now)
{
	const struct conf_backend *be = BE_Conf(txn->bp);

	txn->bc->wp.func = px_backend_cb;
	txn->bc->wp.priv = txn;
	if (txn->bc->wp.w != NULL)	/* pooled: no deadline until sent */
		WAIT_Rekey(WRK_Waiter(txn->wrk), &txn->bc->wp, 0.);
	PXH_ReqOut(txn);
	txn->out.v[OUT_PRE].iov_base = txn->rb;	/* a body read first */
	txn->out.v[OUT_PRE].iov_len = txn->rblen;
	txn->resp_seen = 0;
	txn->reused = txn->bc->reused;
	if (!connecting) {
		txn->t_conn = now;
		txn->state = PX_REQ_SEND;
		return (PX_CONT);
	}
	txn->state = PX_CONNECT;
	return (px_arm(txn, 0, 0., POLLOUT, now + be->connect_timeout));
}

/*--------------------------------------------------------------------
 * A pooled connection failed before any byte of a response: retry once
 * on a fresh one if the request can be sent again safely.
 */

static int
px_may_retry(const struct txn *txn)
{

	if (txn->retried || txn->resp_seen || !txn->bc->reused ||
	    txn->req.kind != H1B_NONE)
		return (0);
	switch (txn->method) {
	case H1_M_GET:
	case H1_M_HEAD:
	case H1_M_OPTIONS:
	case H1_M_TRACE:
	case H1_M_PUT:
	case H1_M_DELETE:
		return (1);
	default:
		return (0);
	}
}

static enum px_ret
px_backend_failed(struct txn *txn, unsigned status, tim_mono now)
{

	if (!px_may_retry(txn))
		return (px_abort(txn, status, SC_BACKEND));
	px_unarm(txn);
	BE_Close(&txn->bc);
	txn->retried = 1;
	CNT_INC1(WRK_Counters(txn->wrk), bconn_retried);
	BE_CountRetry(txn->bp);
	return (px_connect(txn, 1, now));
}

/*--------------------------------------------------------------------
 * Find more of the request body in the session's buffer: 0, or the
 * status its framing or size earns (400, 413).
 */

static unsigned
px_req_scan(struct txn *txn)
{

	if (px_body_scan(&txn->req, &txn->sp->htc, NULL, NULL, SIZE_MAX) != 0)
		return (400);
	if (txn->conf->max_body_size > 0 &&
	    txn->req.payload > txn->conf->max_body_size)
		return (413);
	return (0);
}

/*--------------------------------------------------------------------
 * REQ_BUFFER: a body of at most request_buffer is read whole before a
 * backend connection is taken (nginx's request buffering), so a client
 * that trickles its upload holds no connection to a server, only its
 * session and this buffer, and only for timeout_body.  A chunked body
 * that grows past request_buffer goes on streaming from there.
 */

static int
px_buffer_wanted(const struct txn *txn)
{
	const struct h1_body *b = &txn->req;

	if (txn->conf->request_buffer == 0 || txn->body_held || txn->upgrade)
		return (0);
	if (b->kind == H1B_CL)
		return (b->left + b->ready <= txn->conf->request_buffer);
	return (b->kind == H1B_CHUNKED);
}

/* Move the ready body bytes from the session's buffer into txn->rb. */
static int
px_buffer_take(struct txn *txn)
{
	struct h1_body *b = &txn->req;
	size_t n = b->ready, cap;
	char *p;

	if (txn->rblen + n > txn->rbcap) {
		cap = b->kind == H1B_CL ? txn->rblen + n + (size_t)b->left :
		    2 * (txn->rblen + n) + 4096;
		if ((p = realloc(txn->rb, cap)) == NULL)
			return (-1);
		txn->rb = p;
		txn->rbcap = cap;
	}
	memcpy(txn->rb + txn->rblen, HTC_Ptr(&txn->sp->htc), n);
	txn->rblen += n;
	HTC_Consume(&txn->sp->htc, WRK_HtcPool(txn->wrk), n);
	H1B_Took(b, n);
	return (0);
}

/*
 * A body read whole first must come at min_rate on average once
 * min_rate_grace has passed, as a head must (SES_ReqDeadline): a
 * trickled upload is cut after the grace, not after timeout_body.
 */
static tim_mono
px_body_slow(const struct txn *txn)
{

	return (txn->t_rate + txn->conf->min_rate_grace +
	    (double)txn->rblen / (double)txn->conf->min_rate);
}

static enum px_ret
px_buffer(struct txn *txn, tim_mono now)
{
	struct sess *sp = txn->sp;
	tim_mono dl, slow;
	unsigned st;
	ssize_t r;

	for (;;) {
		if ((st = px_req_scan(txn)) != 0)
			return (px_abort(txn, st, SC_BAD_REQ));
		if (txn->req.ready > 0 && px_buffer_take(txn) != 0)
			return (px_abort(txn, 503, SC_OVERLOAD));
		if (txn->req.done ||
		    txn->rblen >= txn->conf->request_buffer)
			return (px_choose(txn, now));
		r = HTC_Fill(&sp->htc, WRK_HtcPool(txn->wrk), sp->fd);
		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return (px_abort(txn, 0, r == 0 ? SC_REM_CLOSE : SC_RX_ERROR));
	}
	dl = now + txn->conf->timeout_client;
	if (dl > txn->t_end)
		dl = txn->t_end;
	if (txn->conf->min_rate > 0 && (slow = px_body_slow(txn)) < dl)
		dl = slow;
	return (px_arm(txn, POLLIN, dl, 0, 0.));
}

/*
 * The body is read, or is to stream: choose the backend and take a slot
 * of it (proxy_lb.c), or wait for one with nothing armed; then connect.
 */
static enum px_ret
px_choose(struct txn *txn, tim_mono now)
{
	enum sess_close sc = SC_NULL;
	unsigned st;

	st = PXL_Choose(txn, now, &sc);
	if (st == PXL_QUEUED) {
		px_unarm(txn);
		txn->state = PX_QUEUE;
		return (PX_WAIT);
	}
	if (st != 0)
		return (px_abort(txn, st, sc));
	return (px_connect(txn, 0, now));
}

/*
 * The head is in: read a small body first, or go on now (the body, if
 * any, streams).  A body already whole in the buffer goes at once.
 */
static enum px_ret
px_body_start(struct txn *txn, tim_mono now)
{

	unsigned st;

	if ((st = px_req_scan(txn)) != 0)
		return (px_abort(txn, st, SC_BAD_REQ));
	if (txn->req.done || !px_buffer_wanted(txn))
		return (px_choose(txn, now));
	txn->state = PX_REQ_BUFFER;
	txn->t_end = now + txn->conf->timeout_body;
	txn->t_rate = now;
	return (px_buffer(txn, now));
}

/*--------------------------------------------------------------------
 * CONNECT: the non-blocking connect finished, one way or the other.
 */

static enum px_ret
px_connected(struct txn *txn, tim_mono now)
{
	socklen_t sl;
	int err = 0;

	sl = sizeof err;
	if (getsockopt(txn->bc->fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0 ||
	    err != 0) {
		BE_CountFail(txn->bp);
		return (px_connect_failed(txn, strerror(err != 0 ? err : errno),
		    now));
	}
	txn->t_conn = WAIT_Now(WRK_Waiter(txn->wrk));
	txn->state = PX_REQ_SEND;
	return (PX_CONT);
}

/*--------------------------------------------------------------------
 * Is our request head, or a body read before connecting, still in the
 * output?
 */

static int
px_head_out(const struct txn *txn)
{

	return (txn->out.v[OUT_HEAD].iov_len > 0 ||
	    txn->out.v[OUT_PRE].iov_len > 0);
}

/*--------------------------------------------------------------------
 * REQ_SEND / REQ_BODY: the head, then the body as it arrives.  While the
 * body streams, the backend is watched too: it may answer before it has
 * read the body (RFC 9112 section 9.3: an early 401, 413, redirect), and
 * that answer goes to the client at once.
 */

static int
px_req_sending(const struct txn *txn)
{

	if (txn->bc_wfail)
		return (0);		/* the backend stopped taking it */
	return (px_head_out(txn) ||
	    (!txn->body_held && !H1B_OVER(&txn->req)));
}

static enum px_ret
px_req_send(struct txn *txn, tim_mono now)
{
	const struct conf_backend *be = BE_Conf(txn->bp);
	struct sess *sp = txn->sp;
	struct htc_pool *hp = WRK_HtcPool(txn->wrk);
	unsigned st;
	ssize_t r;
	int i;

	for (;;) {
		if (txn->bc_rd) {
			/* the backend spoke: read it first */
			txn->bc_rd = 0;
			txn->state = PX_RESP_HEAD;
			return (PX_CONT);
		}
		if (!txn->body_held) {
			if ((st = px_req_scan(txn)) != 0)
				return (px_abort(txn, st, SC_BAD_REQ));
			txn->out.v[OUT_BODY].iov_len = txn->req.ready;
		}
		i = px_out_write(&txn->out, txn->bc->fd, &sp->htc, &txn->req,
		    hp);
		if (i < 0) {
			if (txn->state == PX_REQ_SEND)
				return (px_backend_failed(txn, 502, now));
			/* its answer may be waiting: look before giving up */
			txn->bc_wfail = 1;
			txn->out.v[OUT_BODY].iov_len = 0;
			txn->t_first = now + be->first_byte_timeout;
			txn->state = PX_RESP_HEAD;
			return (PX_CONT);
		}
		if (i == 0)
			return (px_arm(txn, 0, 0., POLLIN | POLLOUT,
			    now + be->between_bytes_timeout));
		txn->state = PX_REQ_BODY;
		if (!px_req_sending(txn)) {
			/* first_byte_timeout runs from the last byte sent */
			txn->t_first = now + be->first_byte_timeout;
			txn->state = PX_RESP_HEAD;
			return (PX_CONT);
		}
		r = HTC_Fill(&sp->htc, hp, sp->fd);
		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (px_arm(txn, POLLIN,
			    now + txn->conf->timeout_client, POLLIN, 0.));
		return (px_abort(txn, 0, r == 0 ? SC_REM_CLOSE : SC_RX_ERROR));
	}
}

/*--------------------------------------------------------------------
 * An interim (1xx) response: relay it to an HTTP/1.1 client.
 */

static enum px_ret
px_interim(struct txn *txn, const struct h1_head *h, const char *base)
{

	int head_out = px_head_out(txn);

	if (h->status == 100 && txn->body_held)
		txn->body_held = 0;	/* the backend wants the body now */
	if (!px_req_sending(txn) || txn->state == PX_RESP_HEAD)
		txn->next = PX_RESP_HEAD;
	else
		txn->next = head_out ? PX_REQ_SEND : PX_REQ_BODY;
	txn->state = txn->next;
	/*
	 * HTTP/1.0 has no interim responses; and one that overtakes our
	 * own request head (which is still in the output) is not relayed.
	 */
	if (txn->client_10 || head_out)
		return (PX_CONT);
	txn->out.v[OUT_BODY].iov_len = 0;	/* from req.ready again later */
	if (PXH_ComposeResp(txn, h, base) != 0)
		return (px_abort(txn, 502, SC_BACKEND));
	txn->state = PX_INTERIM;
	return (PX_CONT);
}

/*--------------------------------------------------------------------
 * A final response head: decide its framing on both sides.
 */

static enum px_ret
px_final(struct txn *txn, const struct h1_head *h, const char *base)
{
	enum h1b_kind kind;

	txn->status = h->status;
	txn->t_resp = WAIT_Now(WRK_Waiter(txn->wrk));
	txn->out.sent = 0;		/* from here on it counts for the client */
	if (txn->method == H1_M_HEAD || h->status == 204 || h->status == 304)
		kind = H1B_NONE;
	else if (h->chunked)
		kind = H1B_CHUNKED;
	else if (h->content_length >= 0)
		kind = H1B_CL;
	else
		kind = H1B_EOF;
	H1B_Init(&txn->resp, kind, h->content_length);
	/* the backend connection is clean only if it got the whole request */
	txn->bc_keep = !h->conn_close && kind != H1B_EOF &&
	    (h->vminor >= 1 || h->conn_keepalive) &&
	    !px_head_out(txn) && H1B_OVER(&txn->req);
	if (txn->bc_keep)
		txn->bc->ka = H1_KeepAliveTimeout(h, base);
	px_out_clear(&txn->out);	/* what was left for the backend */
	if (!H1B_OVER(&txn->req) && !txn->body_held) {
		txn->early = 1;
		CNT_INC1(WRK_Counters(txn->wrk), resp_early);
		if (!px_discardable(&txn->req))
			txn->keep_client = 0;
	}
	if (txn->body_held ||
	    __atomic_load_n(&g_draining, __ATOMIC_RELAXED))
		txn->keep_client = 0;	/* body never read, or stopping */
	txn->mode = MODE_PASS;
	if (kind == H1B_CHUNKED && txn->client_10) {
		txn->mode = MODE_DECHUNK;
		txn->keep_client = 0;
	} else if (kind == H1B_EOF) {
		if (txn->client_10)
			txn->keep_client = 0;
		else
			txn->mode = MODE_CHUNK;
	}
	if (PXH_ComposeResp(txn, h, base) != 0)
		return (px_abort(txn, 502, SC_BACKEND));
	txn->state = PX_RESP_BODY;
	return (PX_CONT);
}

/*--------------------------------------------------------------------
 * RESP_HEAD: read the backend's response head.
 */

static enum px_ret
px_resp_head(struct txn *txn, tim_mono now)
{
	struct bconn *bc = txn->bc;
	const struct h1_head *h;
	const char *base;
	enum htc_status hs;
	enum px_ret r;

	if (bc->wp.w != NULL)	/* armed since it left the pool */
		return (px_arm(txn, 0, 0., POLLIN, txn->t_first));
	hs = HTC_Rx(&bc->htc, WRK_HtcPool(txn->wrk), bc->fd, H1_RESPONSE,
	    &txn->conf->limits);
	if (HTC_Avail(&bc->htc) > 0)
		txn->resp_seen = 1;
	switch (hs) {
	case HTC_COMPLETE:
		break;
	case HTC_MORE:
		if (px_req_sending(txn)) {
			/* not a whole head yet: go on with the body */
			txn->state = px_head_out(txn) ? PX_REQ_SEND :
			    PX_REQ_BODY;
			return (PX_CONT);
		}
		return (px_arm(txn, 0, 0., POLLIN, txn->t_first));
	case HTC_EOF:
	case HTC_ERROR:
		return (px_backend_failed(txn, 502, now));
	default:
		return (px_abort(txn, 502, SC_BACKEND));
	}
	txn->resp_seen = 1;
	h = HTC_Head(&bc->htc);
	base = HTC_Base(&bc->htc);
	if (h->status == 101) {
		if (!txn->upgrade)
			return (px_abort(txn, 502, SC_BACKEND));
		txn->status = 101;
		if (PXH_ComposeResp(txn, h, base) != 0)
			return (px_abort(txn, 502, SC_BACKEND));
		txn->state = PX_TUNNEL;
		CNT_INC1(WRK_Counters(txn->wrk), tunnels);
		r = PX_CONT;
	} else if (h->status < 200)
		r = px_interim(txn, h, base);
	else
		r = px_final(txn, h, base);
	if (r != PX_END)
		HTC_Consume(&bc->htc, WRK_HtcPool(txn->wrk), h->hdrlen);
	return (r);
}

/*--------------------------------------------------------------------
 * INTERIM: write a 1xx to the client, then carry on.
 */

static enum px_ret
px_interim_write(struct txn *txn, tim_mono now)
{
	int i;

	i = px_out_write(&txn->out, txn->sp->fd, NULL, NULL, NULL);
	if (i < 0)
		return (px_abort(txn, 0, SC_TX_ERROR));
	if (i == 0)
		return (px_wait_client_out(txn, now));
	txn->resp_sent = 1;
	txn->state = txn->next;
	return (PX_CONT);
}

/*--------------------------------------------------------------------
 * De-chunking: collect the payload runs into the last third of buf.
 */

struct px_dechunk {
	char		*p;
	size_t		len;
};

static void
px_dechunk_data(void *priv, const char *p, size_t n)
{
	struct px_dechunk *dc = priv;

	memcpy(dc->p + dc->len, p, n);
	dc->len += n;
}

/*--------------------------------------------------------------------
 * Put the next piece of response body in the output, in the client's
 * framing.  -1 on a framing error from the backend.
 */

static int
px_resp_prepare(struct txn *txn)
{
	struct px_out *o = &txn->out;
	struct h1_body *b = &txn->resp;
	struct htc *htc = &txn->bc->htc;
	struct px_dechunk dc;
	int l;

	switch (txn->mode) {
	case MODE_DECHUNK:
		dc.p = txn->buf + 2 * (txn->size / 3);
		dc.len = 0;
		if (px_body_scan(b, htc, px_dechunk_data, &dc,
		    txn->size / 3) != 0)
			return (-1);
		HTC_Consume(htc, WRK_HtcPool(txn->wrk), b->ready);
		H1B_Took(b, b->ready);
		o->v[OUT_PRE].iov_base = dc.p;
		o->v[OUT_PRE].iov_len = dc.len;
		return (0);
	case MODE_CHUNK:
		if (px_body_scan(b, htc, NULL, NULL, SIZE_MAX) != 0)
			return (-1);
		if (b->ready > 0) {
			l = snprintf(txn->chunk, sizeof txn->chunk, "%zx\r\n",
			    b->ready);
			o->v[OUT_PRE].iov_base = txn->chunk;
			o->v[OUT_PRE].iov_len = (size_t)l;
			o->v[OUT_BODY].iov_len = b->ready;
			o->v[OUT_POST].iov_base = (void *)(uintptr_t)px_crlf;
			o->v[OUT_POST].iov_len = 2;
		} else if (b->done && !txn->eof) {
			o->v[OUT_POST].iov_base = (void *)(uintptr_t)px_last;
			o->v[OUT_POST].iov_len = sizeof px_last - 1;
			txn->eof = 1;
		}
		return (0);
	default:
		if (px_body_scan(b, htc, NULL, NULL, SIZE_MAX) != 0)
			return (-1);
		o->v[OUT_BODY].iov_len = b->ready;
		return (0);
	}
}

/*--------------------------------------------------------------------
 * RESP_BODY: stream the response body to the client.
 */

static enum px_ret
px_resp_body(struct txn *txn, tim_mono now)
{
	const struct conf_backend *be = BE_Conf(txn->bp);
	struct bconn *bc = txn->bc;
	struct htc_pool *hp = WRK_HtcPool(txn->wrk);
	struct h1_body *b = &txn->resp;
	ssize_t r;
	int i;

	for (;;) {
		if (px_resp_prepare(txn) != 0)
			return (px_abort(txn, 502, SC_BACKEND));
		if (px_out_pending(&txn->out)) {
			i = px_out_write(&txn->out, txn->sp->fd, &bc->htc, b,
			    hp);
			if (i < 0)
				return (px_abort(txn, 0, SC_TX_ERROR));
			txn->resp_sent = 1;
			if (i == 0)
				return (px_wait_client_out(txn, now));
			continue;
		}
		if (H1B_OVER(b) && (txn->mode != MODE_CHUNK || txn->eof))
			return (px_finish(txn, now));
		if (b->done)
			continue;		/* the last chunk is queued */
		r = HTC_Fill(&bc->htc, hp, bc->fd);
		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (px_arm(txn, 0, 0., POLLIN,
			    now + be->between_bytes_timeout));
		if (r == 0 && b->kind == H1B_EOF) {
			H1B_Closed(b);
			continue;
		}
		/* cut off mid-body: the client must not wait for the rest */
		return (px_abort(txn, 0, SC_BACKEND));
	}
}

/*--------------------------------------------------------------------
 * TUNNEL: after a 101, bytes both ways until both sides are done.
 */

static int
px_pump(struct htc *src, int sfd, int dfd, struct htc_pool *hp,
    short *sev, short *dev, unsigned *eof)
{
	ssize_t r;

	for (;;) {
		if (HTC_Avail(src) > 0) {
			r = send(dfd, HTC_Ptr(src), HTC_Avail(src),
			    MSG_NOSIGNAL);
			if (r > 0) {
				HTC_Consume(src, hp, (size_t)r);
				continue;
			}
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				*dev |= POLLOUT;
				return (0);
			}
			return (-1);
		}
		if (*eof)
			return (0);
		r = HTC_Fill(src, hp, sfd);
		if (r > 0)
			continue;
		if (r == 0) {
			*eof = 1;
			(void)shutdown(dfd, SHUT_WR);
			return (0);
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			*sev |= POLLIN;
			return (0);
		}
		return (-1);
	}
}

static enum px_ret
px_tunnel(struct txn *txn, tim_mono now)
{
	struct sess *sp = txn->sp;
	struct bconn *bc = txn->bc;
	struct htc_pool *hp = WRK_HtcPool(txn->wrk);
	short cev = 0, bev = 0;
	int i;

	if (px_out_pending(&txn->out)) {		/* the 101 itself */
		i = px_out_write(&txn->out, sp->fd, NULL, NULL, NULL);
		if (i < 0)
			return (px_abort(txn, 0, SC_TX_ERROR));
		txn->resp_sent = 1;
		if (i == 0)
			return (px_wait_client_out(txn, now));
	}
	if (px_pump(&sp->htc, sp->fd, bc->fd, hp, &cev, &bev,
	    &txn->tun_ceof) != 0 ||
	    px_pump(&bc->htc, bc->fd, sp->fd, hp, &bev, &cev,
	    &txn->tun_beof) != 0)
		return (px_abort(txn, 0, SC_TUNNEL));
	if (txn->tun_ceof && txn->tun_beof && HTC_Avail(&sp->htc) == 0 &&
	    HTC_Avail(&bc->htc) == 0)
		return (px_abort(txn, 0, SC_TUNNEL));
	if (cev == 0 && bev == 0)
		return (px_abort(txn, 0, SC_TUNNEL));
	return (px_arm(txn, cev, now + PX_TUNNEL_TIMEOUT, bev,
	    now + PX_TUNNEL_TIMEOUT));
}

/*--------------------------------------------------------------------
 * Run the state machine until it waits or ends.
 */

static void
px_step(struct txn *txn, tim_mono now)
{
	enum px_ret r;

	do {
		CHECK_OBJ_NOTNULL(txn, TXN_MAGIC);
		switch (txn->state) {
		case PX_REQ_BUFFER:
			r = px_buffer(txn, now);
			break;
		case PX_CONNECT:
			r = px_connected(txn, now);
			break;
		case PX_REQ_SEND:
		case PX_REQ_BODY:
			r = px_req_send(txn, now);
			break;
		case PX_RESP_HEAD:
			r = px_resp_head(txn, now);
			break;
		case PX_INTERIM:
			r = px_interim_write(txn, now);
			break;
		case PX_RESP_BODY:
			r = px_resp_body(txn, now);
			break;
		case PX_TUNNEL:
			r = px_tunnel(txn, now);
			break;
		case PX_DISCARD:
			r = px_discard(txn, now);
			break;
		case PX_LINGER:
			r = px_linger(txn, now);
			break;
		default:
			WRONG("txn state");
		}
	} while (r == PX_CONT);
}

/*--------------------------------------------------------------------
 * Make the close of a client that takes nothing a reset: what was
 * queued for it is dropped at once, instead of megabytes waiting in the
 * kernel for a reader that may never come (nginx's
 * reset_timedout_connection).
 */

static void
px_reset(int fd)
{
	struct linger l;

	l.l_onoff = 1;
	l.l_linger = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

/*--------------------------------------------------------------------
 * A deadline passed: name the side that was too slow.
 */

static void
px_timeout(struct txn *txn, int backend, tim_mono now)
{

	if (!backend && px_out_progress(txn, now))
		return;			/* a slow reader, still reading */
	if (!backend && (txn->sp->wp.events & POLLOUT))
		px_reset(txn->sp->fd);	/* it takes nothing: reset it */
	switch (txn->state) {
	case PX_REQ_BUFFER:
		if (txn->conf->min_rate > 0 && now < txn->t_end - 1e-3 &&
		    now >= px_body_slow(txn) - 1e-3)
			txn->slow = 1;
		(void)px_abort(txn, 408,
		    txn->slow ? SC_CLIENT_SLOW : SC_CLIENT_TIMEOUT);
		return;
	case PX_CONNECT:
		BE_CountFail(txn->bp);
		if (px_connect_failed(txn, "connect timeout", now) == PX_CONT)
			px_step(txn, now);
		return;
	case PX_REQ_SEND:
	case PX_REQ_BODY:
		if (backend)
			(void)px_abort(txn, 504, SC_BACKEND);
		else
			(void)px_abort(txn, 408, SC_CLIENT_TIMEOUT);
		return;
	case PX_RESP_HEAD:
		(void)px_abort(txn, 504, SC_BACKEND);
		return;
	case PX_TUNNEL:
		(void)px_abort(txn, 0, SC_TUNNEL);
		return;
	case PX_DISCARD:
		(void)px_end(txn, SC_CLIENT_TIMEOUT);
		return;
	case PX_LINGER:
		(void)px_end(txn, txn->lsc);
		return;
	default:
		(void)px_abort(txn, 0, backend ? SC_BACKEND :
		    txn->slow ? SC_CLIENT_SLOW : SC_CLIENT_TIMEOUT);
		return;
	}
}

/*--------------------------------------------------------------------
 * Events for the two fds of a running transaction.
 */

static void
px_event(struct txn *txn, int backend, enum wait_event ev, tim_mono now)
{

	CHECK_OBJ_NOTNULL(txn, TXN_MAGIC);
	switch (ev) {
	case WAITER_ACTION:
	case WAITER_REMCLOSE:
		if (!backend && txn->t_blk0 > 0.) {	/* it took some */
			txn->t_blk += now - txn->t_blk0;
			txn->t_blk0 = 0.;
		}
		px_step(txn, now);
		return;
	case WAITER_TIMEOUT:
		px_timeout(txn, backend, now);
		return;
	default:
		(void)px_abort(txn, 0, SC_SHUTDOWN);
		return;
	}
}

static void
px_client_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct sess *sp;

	CAST_OBJ_NOTNULL(sp, wp->priv, SESS_MAGIC);
	px_event(sp->txn, 0, ev, now);
}

static void
px_backend_cb(struct waited *wp, enum wait_event ev, tim_mono now)
{
	struct txn *txn;

	CAST_OBJ_NOTNULL(txn, wp->priv, TXN_MAGIC);
	/* mid-request, something to read is the backend's answer */
	if ((txn->state == PX_REQ_SEND || txn->state == PX_REQ_BODY) &&
	    (ev == WAITER_REMCLOSE ||
	    (ev == WAITER_ACTION && (wp->revents & POLLIN))))
		txn->bc_rd = 1;
	px_event(txn, 1, ev, now);
}

/*--------------------------------------------------------------------
 * Check a request head against the rules a front proxy keeps (design.md
 * section 5) that the parser leaves to us.  The status to answer, or 0.
 */

static unsigned
px_check(const struct txn *txn, const struct h1_head *h)
{

	if (h->method == H1_M_CONNECT)
		return (501);
	if (h->vmajor != 1)
		return (505);
	if (h->vminor >= 1 ? h->nhost != 1 : h->nhost > 1)
		return (400);
	if (h->content_length >= 0 && txn->conf->max_body_size > 0 &&
	    (uint64_t)h->content_length > txn->conf->max_body_size)
		return (413);
	return (0);
}

/*--------------------------------------------------------------------
 * Start a request whose head is complete in sp->htc.  Worker thread; the
 * worker owns the session.
 */

void
PX_Start(struct worker *wrk, struct sess *sp, tim_mono now)
{
	const struct h1_head *h;
	enum sess_close sc = SC_BAD_REQ;
	struct txn *txn;
	unsigned status;

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	AZ(sp->txn);
	DMN_ConfUpdate(&sp->conf);
	CNT_INC1(WRK_Counters(wrk), req_total);
	txn = px_alloc(wrk, sp->conf);
	if (txn == NULL) {
		CNT_INC1(WRK_Counters(wrk), resp_5xx);
		SES_Error(sp, 503);
		WRK_Release(wrk, &sp, SC_OVERLOAD);
		return;
	}
	sp->txn = txn;
	txn->sp = sp;
	txn->conf = sp->conf;
	sp->wp.func = px_client_cb;
	txn->t_start = now;
	h = HTC_Head(&sp->htc);
	txn->method = h->method;
	txn->vmajor = h->vmajor;
	txn->vminor = h->vminor;
	txn->client_10 = h->vminor == 0;
	txn->keep_client = H1_KeepAlive(h) &&
	    !__atomic_load_n(&g_draining, __ATOMIC_RELAXED);
	txn->upgrade = h->upgrade && h->conn_upgrade;
	if (h->chunked)
		H1B_Init(&txn->req, H1B_CHUNKED, -1);
	else if (h->content_length > 0)
		H1B_Init(&txn->req, H1B_CL, h->content_length);
	else
		H1B_Init(&txn->req, H1B_NONE, 0);
	txn->body_held = h->expect_continue && !txn->client_10 &&
	    txn->req.kind != H1B_NONE;
	/* the client behind trusted proxies: for the director, the log
	   and X-Forwarded-For alike */
	txn->trusted = CIP_Client(txn->conf, &sp->peer, h, HTC_Base(&sp->htc),
	    &txn->client) != 0;
	status = px_check(txn, h);
	if (status == 0)
		status = PXL_Start(txn, h, HTC_Base(&sp->htc), &sc);
	/* composed even for a refusal: the access log shows its request */
	if (PXH_ComposeReq(txn, h, HTC_Base(&sp->htc)) != 0 && status == 0)
		status = 431;
	if (status != 0) {
		(void)px_abort(txn, status, sc);
		return;
	}
	HTC_Consume(&sp->htc, WRK_HtcPool(wrk), h->hdrlen);
	if (px_body_start(txn, now) == PX_CONT)
		px_step(txn, now);
}

/*--------------------------------------------------------------------
 * A queued request got its slot (proxy_lb.c).  Worker thread.
 */

void
PX_Resume(struct txn *txn, tim_mono now)
{

	assert(txn->state == PX_QUEUE);
	if (px_connect(txn, 0, now) == PX_CONT)
		px_step(txn, now);
}

/*--------------------------------------------------------------------
 * End a request that never reached a backend (proxy_lb.c).
 */

void
PX_Fail(struct txn *txn, unsigned status, enum sess_close sc)
{

	(void)px_abort(txn, status, sc);
}
