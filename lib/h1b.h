/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * h1b.h -- where an HTTP/1 message body ends (RFC 9112 section 6):
 * Content-Length, chunked, or the connection's close, found incrementally
 * in whatever part of it has been received.
 *
 * The caller keeps the received bytes in its own buffer and tells
 * H1B_Scan where they start; the body object remembers how many of them
 * it has already scanned and found to be body ('ready'), so each byte is
 * looked at once however the input is split.  The caller forwards or
 * drops those bytes and says so with H1B_Took.  Bytes past the end of the
 * body (the next pipelined message) are never counted as ready.
 */

#ifndef FRONTD_H1B_H
#define FRONTD_H1B_H

#include <stddef.h>
#include <stdint.h>

#include "h1.h"

enum h1b_kind {
	H1B_NONE = 0,		/* no body */
	H1B_CL,			/* Content-Length */
	H1B_CHUNKED,		/* chunked transfer coding */
	H1B_EOF,		/* until the connection closes */
};

struct h1_body {
	enum h1b_kind		kind;
	uint64_t		left;	/* CL: bytes not yet scanned */
	uint64_t		payload; /* payload bytes scanned */
	size_t			ready;	/* scanned, not yet taken */
	unsigned		done:1;	/* the end is inside 'ready' */
	struct h1_chunked	ck;
};

/* A new body of this kind; cl is the length for H1B_CL. */
void H1B_Init(struct h1_body *, enum h1b_kind, int64_t cl);

/*
 * Scan the buffered bytes [p, p + avail) -- p is where the first byte
 * not yet taken is, so the first 'ready' of them were scanned before --
 * at most 'max' new ones.  For chunked bodies data(priv, ...) gets each
 * run of payload, if data is not NULL.  0, or -1 on a framing error.
 */
int H1B_Scan(struct h1_body *, const char *p, size_t avail, h1_data_f *data,
    void *priv, size_t max);

/* n of the ready bytes were forwarded or dropped. */
void H1B_Took(struct h1_body *, size_t n);

/* H1B_EOF: the connection closed, so the body is complete. */
void H1B_Closed(struct h1_body *);

/* Is all of the body scanned and taken? */
#define H1B_OVER(b)	((b)->done && (b)->ready == 0)

#endif /* FRONTD_H1B_H */
