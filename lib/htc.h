/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * htc.h -- the receive side of an HTTP/1 connection: one buffer, filled
 * incrementally, its head parsed with llhttp as bytes arrive.
 *
 * This is Varnish's HTC_Rx idea: a session in the waiter reads what the
 * socket has, feeds the new bytes to the parser, and learns one of
 * complete / need more / too large / malformed / EOF / error.  Bytes past
 * the head (a body, or the next pipelined request) stay in the buffer for
 * whoever reads next.
 *
 * An idle connection holds no buffer: struct htc is two words, and a
 * buffer (with the parser state and the parsed head inside it) is taken
 * from a per-thread free list when the first byte arrives and given back
 * as soon as it is empty.  Free lists belong to one thread each (an event
 * loop); a buffer may be taken from one thread's list and returned to
 * another's, so buffers migrate but no lock is ever taken.
 */

#ifndef FRONTD_HTC_H
#define FRONTD_HTC_H

#include <sys/types.h>

#include "h1.h"

struct htc_buf;
struct htc_pool;

struct htc_limits {
	unsigned	head_max;	/* whole head in bytes, else 431 */
	unsigned	field_max;	/* one field line in bytes, else 431 */
	unsigned	nfield_max;	/* field lines, else 431 */
	unsigned	target_max;	/* request-target in bytes, else 414 */
};

enum htc_status {
	HTC_COMPLETE = 0,	/* a head is complete: HTC_Head() */
	HTC_MORE,		/* part of a head, or nothing: wait for more */
	HTC_EOF,		/* peer closed with no byte of a new head */
	HTC_ERROR,		/* read error (errno set), or EOF mid-head */
	HTC_TOO_LARGE,		/* head, field or field count limit: 431 */
	HTC_URI_TOO_LONG,	/* request-target limit: 414 */
	HTC_BAD,		/* malformed or ambiguous: 400 */
	HTC_NOT_IMPL,		/* unknown method or transfer coding: 501 */
};

struct htc {
	unsigned		magic;
#define HTC_MAGIC		0x48544321
	unsigned		flags;
#define HTC_F_EOF		0x1	/* read() returned 0 */
	struct htc_buf		*buf;	/* NULL when nothing is buffered */
};

/* Per-thread free list of buffers of 'bufsize' bytes; keeps up to 'keep'. */
struct htc_pool *HTC_PoolNew(unsigned bufsize, unsigned keep);
void HTC_PoolDestroy(struct htc_pool **);
unsigned HTC_PoolFree(const struct htc_pool *);	/* buffers on the list */

void HTC_Init(struct htc *);
void HTC_Fini(struct htc *, struct htc_pool *);	/* gives the buffer back */

/*
 * One read(2) from fd into the buffer (taken from pp if there is none),
 * then parse.  With EAGAIN and nothing new, HTC_MORE.  A head must fit in
 * limits->head_max (and in the pool's bufsize).
 */
enum htc_status HTC_Rx(struct htc *, struct htc_pool *, int fd,
    enum h1_kind, const struct htc_limits *);

/*
 * Parse what is already buffered (the next pipelined head) without
 * reading.  HTC_MORE if it is not complete yet (or nothing is buffered).
 */
enum htc_status HTC_Parse(struct htc *, enum h1_kind,
    const struct htc_limits *);

/* After HTC_COMPLETE: the parsed head, and the byte it is relative to. */
const struct h1_head *HTC_Head(const struct htc *);
const char *HTC_Base(const struct htc *);

/*
 * The buffered bytes not yet consumed (after HTC_COMPLETE, the first
 * HTC_Head()->hdrlen of them are the head), and dropping n of them from
 * the front.  When nothing is left the buffer goes back to pp.
 */
size_t HTC_Avail(const struct htc *);
const char *HTC_Ptr(const struct htc *);
void HTC_Consume(struct htc *, struct htc_pool *, size_t n);

/*
 * For body streaming: one read(2) appended to the buffer (taken from pp if
 * needed), without parsing.  Returns bytes read, 0 at EOF, -1 with errno.
 */
ssize_t HTC_Fill(struct htc *, struct htc_pool *, int fd);

/* The name of a status, for logs and tests. */
const char *HTC_StatusName(enum htc_status);

#endif /* FRONTD_HTC_H */
