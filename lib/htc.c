/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * htc.c -- the receive buffer of an HTTP/1 connection, and its free
 * lists.  See htc.h for the contract.
 *
 * A buffer (struct htc_buf) is one allocation: the parser state, the
 * parsed head and then the bytes, data[rd, wr) being those not yet
 * consumed.  While a head is parsed it starts at data[hs] and does not
 * move; bytes are only ever moved (compacted to the front) when a new
 * head starts without head_max of room behind it, or when HTC_Fill finds
 * the tail full, so the common case never copies.  The parser is fed
 * only the bytes it has not seen (h1p remembers how far it got), never
 * the head from the start again.
 *
 * Buffers come from a per-thread free list (struct htc_pool) when the
 * first byte arrives and go back the moment nothing is left in them, so
 * an idle keep-alive connection costs struct htc alone.  A pool is used
 * by one thread only and takes no lock; a buffer taken from one pool may
 * be returned to another (a session moves from the waiter to a worker),
 * which keeps it if it has room and the size matches, else frees it.
 * Rejected: one buffer per session for its whole life (the memory of
 * idle sessions is the thing the proxy exists to save), a shared pool
 * with a lock (a lock on the request path), and a ring buffer (a head
 * must be contiguous for llhttp and for the spans in struct h1_head).
 *
 * The parsed head (HTC_Head, HTC_Base) stays valid until the next
 * HTC_Fill, the HTC_Consume that empties the buffer, or the next parse.
 */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vas.h"
#include "htc.h"
#include "h1p.h"

enum htc_state {
	HB_IDLE = 0,	/* no head begun: the next parse starts at rd */
	HB_HEAD,	/* a head is being parsed from hs */
	HB_DONE,	/* the head at hs is complete */
	HB_FAIL,	/* the head at hs was refused: 'fail' says why */
};

struct htc_buf {
	unsigned		magic;
#define HTC_BUF_MAGIC		0x48544342
	unsigned		size;	/* bytes of data[] */
	unsigned		rd;	/* first byte not consumed */
	unsigned		wr;	/* first byte not filled */
	unsigned		hs;	/* first byte of the current head */
	enum htc_state		state;
	enum htc_status		fail;
	struct htc_buf		*next;	/* on a free list */
	struct h1p		parser;
	struct h1_head		head;
	char			data[];
};

struct htc_pool {
	unsigned		magic;
#define HTC_POOL_MAGIC		0x48544350
	unsigned		bufsize;
	unsigned		keep;
	unsigned		nfree;
	struct htc_buf		*free;
};

/*--------------------------------------------------------------------
 * Make a free list of buffers of bufsize bytes that keeps up to 'keep'.
 * Returns NULL when out of memory.  The pool belongs to the calling
 * thread from now on.
 */

struct htc_pool *
HTC_PoolNew(unsigned bufsize, unsigned keep)
{
	struct htc_pool *pp;

	assert(bufsize > 0);
	ALLOC_OBJ(pp, HTC_POOL_MAGIC);
	if (pp == NULL)
		return (NULL);
	pp->bufsize = bufsize;
	pp->keep = keep;
	return (pp);
}

/*--------------------------------------------------------------------
 * Free a pool and every buffer on its list; buffers in use are not its.
 */

void
HTC_PoolDestroy(struct htc_pool **ppp)
{
	struct htc_pool *pp;
	struct htc_buf *b;

	TAKE_OBJ_NOTNULL(pp, ppp, HTC_POOL_MAGIC);
	while ((b = pp->free) != NULL) {
		CHECK_OBJ(b, HTC_BUF_MAGIC);
		pp->free = b->next;
		pp->nfree--;
		FREE_OBJ(b);
	}
	AZ(pp->nfree);
	FREE_OBJ(pp);
}

/*--------------------------------------------------------------------
 * How many buffers are on the free list.
 */

unsigned
HTC_PoolFree(const struct htc_pool *pp)
{

	CHECK_OBJ_NOTNULL(pp, HTC_POOL_MAGIC);
	return (pp->nfree);
}

/*--------------------------------------------------------------------
 * Take an empty buffer from the list, or allocate one.  NULL, ENOMEM.
 */

static struct htc_buf *
htc_get(struct htc_pool *pp)
{
	struct htc_buf *b;

	CHECK_OBJ_NOTNULL(pp, HTC_POOL_MAGIC);
	b = pp->free;
	if (b != NULL) {
		CHECK_OBJ(b, HTC_BUF_MAGIC);
		pp->free = b->next;
		pp->nfree--;
	} else {
		b = malloc(offsetof(struct htc_buf, data) + pp->bufsize);
		if (b == NULL)
			return (NULL);
		b->magic = HTC_BUF_MAGIC;
		b->size = pp->bufsize;
	}
	b->next = NULL;
	b->rd = b->wr = b->hs = 0;
	b->state = HB_IDLE;
	b->fail = HTC_MORE;
	return (b);
}

/*--------------------------------------------------------------------
 * Give the connection's buffer back: to pp's list if it fits, else free.
 * errno is left as it was, for the caller's report.
 */

static void
htc_put(struct htc *htc, struct htc_pool *pp)
{
	struct htc_buf *b;
	int e = errno;

	TAKE_OBJ_NOTNULL(b, &htc->buf, HTC_BUF_MAGIC);
	CHECK_OBJ_ORNULL(pp, HTC_POOL_MAGIC);
	if (pp != NULL && b->size == pp->bufsize && pp->nfree < pp->keep) {
		b->next = pp->free;
		pp->free = b;
		pp->nfree++;
	} else
		FREE_OBJ(b);
	errno = e;
}

/*--------------------------------------------------------------------
 * Give the buffer back if nothing is left in it.
 */

static void
htc_put_empty(struct htc *htc, struct htc_pool *pp)
{

	if (htc->buf != NULL && htc->buf->rd == htc->buf->wr)
		htc_put(htc, pp);
}

/*--------------------------------------------------------------------
 * Move the unconsumed bytes to the front of the buffer.
 */

static void
htc_compact(struct htc_buf *b)
{
	unsigned n = b->rd;

	if (n == 0)
		return;
	memmove(b->data, b->data + n, b->wr - n);
	b->wr -= n;
	b->rd = 0;
	b->hs = (b->hs >= n) ? b->hs - n : 0;
}

/*--------------------------------------------------------------------
 * Start a head at rd, with at least head_max of room behind it (or the
 * whole buffer, if that is less).
 */

static void
htc_begin(struct htc_buf *b, enum h1_kind kind, const struct htc_limits *lim)
{
	unsigned room = lim->head_max < b->size ? lim->head_max : b->size;

	if (b->size - b->rd < room)
		htc_compact(b);
	b->hs = b->rd;
	H1P_Init(&b->parser, &b->head, kind);
	b->state = HB_HEAD;
}

/*--------------------------------------------------------------------
 * Feed what is buffered of the current head, at most head_max of it.
 */

static enum htc_status
htc_feed(struct htc_buf *b, const struct htc_limits *lim)
{
	enum htc_status st;
	size_t n, max;

	assert(b->state == HB_HEAD);
	n = b->wr - b->hs;
	max = lim->head_max;
	if (n > max)
		n = max;
	st = H1P_Feed(&b->parser, b->data + b->hs, n, lim);
	if (st == HTC_MORE && (n == max || b->hs + n == b->size))
		st = HTC_TOO_LARGE;
	if (st == HTC_COMPLETE) {
		b->state = HB_DONE;
		assert(b->hs + b->head.hdrlen <= b->wr);
	} else if (st != HTC_MORE) {
		b->state = HB_FAIL;
		b->fail = st;
	}
	return (st);
}

/*--------------------------------------------------------------------
 * Check the arguments shared by HTC_Rx and HTC_Parse.
 */

static void
htc_check(const struct htc *htc, enum h1_kind kind,
    const struct htc_limits *lim)
{

	CHECK_OBJ_NOTNULL(htc, HTC_MAGIC);
	CHECK_OBJ_ORNULL(htc->buf, HTC_BUF_MAGIC);
	assert(kind == H1_REQUEST || kind == H1_RESPONSE);
	AN(lim);
	assert(lim->head_max > 0);
	if (htc->buf != NULL && htc->buf->state == HB_HEAD)
		assert(htc->buf->parser.kind == kind);
}

/*--------------------------------------------------------------------
 * Set up an empty connection: no buffer.
 */

void
HTC_Init(struct htc *htc)
{

	AN(htc);
	htc->magic = HTC_MAGIC;
	htc->flags = 0;
	htc->buf = NULL;
}

/*--------------------------------------------------------------------
 * Give the buffer back, whatever is in it.  pp may be NULL: then freed.
 * Thread: the one that owns pp, and the connection.
 */

void
HTC_Fini(struct htc *htc, struct htc_pool *pp)
{

	CHECK_OBJ_NOTNULL(htc, HTC_MAGIC);
	if (htc->buf != NULL)
		htc_put(htc, pp);
}

/*--------------------------------------------------------------------
 * One read(2), then parse.  See htc.h for the statuses; HTC_ERROR
 * leaves errno from read(2), or HTC_F_EOF set for an EOF mid-head.
 * Thread: the one that owns pp, and the connection.
 */

enum htc_status
HTC_Rx(struct htc *htc, struct htc_pool *pp, int fd, enum h1_kind kind,
    const struct htc_limits *lim)
{
	struct htc_buf *b;
	enum htc_status st;
	ssize_t r = 1;

	htc_check(htc, kind, lim);
	assert(FD_VALID(fd));
	if (htc->buf == NULL) {
		htc->buf = htc_get(pp);
		if (htc->buf == NULL) {
			errno = ENOMEM;
			return (HTC_ERROR);
		}
	}
	b = htc->buf;
	if (b->state == HB_FAIL)
		return (b->fail);
	if (b->state != HB_HEAD)
		htc_begin(b, kind, lim);
	if (b->wr < b->size) {
		r = read(fd, b->data + b->wr, b->size - b->wr);
		if (r > 0)
			b->wr += (unsigned)r;
		else if (r == 0)
			htc->flags |= HTC_F_EOF;
		else if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			htc_put_empty(htc, pp);
			return (HTC_ERROR);
		}
	}
	st = htc_feed(b, lim);
	if (st == HTC_MORE && r == 0)
		st = (b->wr == b->rd) ? HTC_EOF : HTC_ERROR;
	if (st == HTC_MORE || st == HTC_EOF)
		htc_put_empty(htc, pp);
	return (st);
}

/*--------------------------------------------------------------------
 * Parse a head already buffered, without reading.  See htc.h.  Thread:
 * the connection's owner.
 */

enum htc_status
HTC_Parse(struct htc *htc, enum h1_kind kind, const struct htc_limits *lim)
{
	struct htc_buf *b;

	htc_check(htc, kind, lim);
	b = htc->buf;
	if (b == NULL)
		return (HTC_MORE);
	if (b->state == HB_FAIL)
		return (b->fail);
	if (b->state != HB_HEAD)
		htc_begin(b, kind, lim);
	return (htc_feed(b, lim));
}

/*--------------------------------------------------------------------
 * The parsed head, after HTC_COMPLETE.
 */

const struct h1_head *
HTC_Head(const struct htc *htc)
{

	CHECK_OBJ_NOTNULL(htc, HTC_MAGIC);
	CHECK_OBJ_NOTNULL(htc->buf, HTC_BUF_MAGIC);
	assert(htc->buf->state == HB_DONE);
	return (&htc->buf->head);
}

/*--------------------------------------------------------------------
 * The first byte of the parsed head: spans are relative to it.
 */

const char *
HTC_Base(const struct htc *htc)
{

	CHECK_OBJ_NOTNULL(htc, HTC_MAGIC);
	CHECK_OBJ_NOTNULL(htc->buf, HTC_BUF_MAGIC);
	assert(htc->buf->state == HB_DONE);
	return (htc->buf->data + htc->buf->hs);
}

/*--------------------------------------------------------------------
 * How many bytes are buffered and not consumed.
 */

size_t
HTC_Avail(const struct htc *htc)
{

	CHECK_OBJ_NOTNULL(htc, HTC_MAGIC);
	if (htc->buf == NULL)
		return (0);
	return (htc->buf->wr - htc->buf->rd);
}

/*--------------------------------------------------------------------
 * The first byte not consumed, or NULL with nothing buffered.
 */

const char *
HTC_Ptr(const struct htc *htc)
{

	CHECK_OBJ_NOTNULL(htc, HTC_MAGIC);
	if (htc->buf == NULL)
		return (NULL);
	return (htc->buf->data + htc->buf->rd);
}

/*--------------------------------------------------------------------
 * Drop n bytes from the front; an empty buffer goes back to pp.  Not in
 * the middle of a head: bytes are consumed once a head is complete (or
 * refused), and the next parse starts after them.  Thread: the one that
 * owns pp, and the connection.
 */

void
HTC_Consume(struct htc *htc, struct htc_pool *pp, size_t n)
{
	struct htc_buf *b;

	CHECK_OBJ_NOTNULL(htc, HTC_MAGIC);
	if (n == 0)
		return;
	CAST_OBJ_NOTNULL(b, htc->buf, HTC_BUF_MAGIC);
	assert(b->state != HB_HEAD);
	assert(n <= b->wr - b->rd);
	b->rd += (unsigned)n;
	htc_put_empty(htc, pp);
}

/*--------------------------------------------------------------------
 * One read(2) appended to the buffer, not parsed.  See htc.h.  With the
 * buffer full and nothing consumed, -1 and ENOBUFS.  Thread: the one that
 * owns pp, and the connection.
 */

ssize_t
HTC_Fill(struct htc *htc, struct htc_pool *pp, int fd)
{
	struct htc_buf *b;
	ssize_t r;

	CHECK_OBJ_NOTNULL(htc, HTC_MAGIC);
	assert(FD_VALID(fd));
	if (htc->buf == NULL) {
		htc->buf = htc_get(pp);
		if (htc->buf == NULL) {
			errno = ENOMEM;
			return (-1);
		}
	}
	b = htc->buf;
	if (b->wr == b->size)
		htc_compact(b);
	if (b->wr == b->size) {
		errno = ENOBUFS;
		return (-1);
	}
	r = read(fd, b->data + b->wr, b->size - b->wr);
	if (r > 0)
		b->wr += (unsigned)r;
	else if (r == 0)
		htc->flags |= HTC_F_EOF;
	htc_put_empty(htc, pp);
	return (r);
}

/*--------------------------------------------------------------------
 * The name of a status, for logs and tests.
 */

const char *
HTC_StatusName(enum htc_status st)
{

	switch (st) {
	case HTC_COMPLETE:	return ("complete");
	case HTC_MORE:		return ("more");
	case HTC_EOF:		return ("eof");
	case HTC_ERROR:		return ("error");
	case HTC_TOO_LARGE:	return ("too_large");
	case HTC_URI_TOO_LONG:	return ("uri_too_long");
	case HTC_BAD:		return ("bad");
	case HTC_NOT_IMPL:	return ("not_impl");
	default:		return ("?");
	}
}
