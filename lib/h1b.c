/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * h1b.c -- where an HTTP/1 message body ends (see h1b.h).
 *
 * Mechanism only: which framing applies (HEAD, 204, 304, Content-Length
 * against Transfer-Encoding) is the caller's decision, made from the
 * strict head checks; this file counts bytes.  It is apart from the proxy
 * so that it can be fed split at every offset in tests/unit/t_h1b.c and
 * by a fuzzer.
 */

#include <string.h>

#include "vas.h"
#include "h1b.h"

/*--------------------------------------------------------------------
 * Count each run of chunked payload, and pass it on if the caller wants
 * it.
 */

struct h1b_run {
	struct h1_body	*b;
	h1_data_f	*data;
	void		*priv;
};

static void
h1b_run(void *priv, const char *p, size_t n)
{
	struct h1b_run *r = priv;

	r->b->payload += n;
	if (r->data != NULL)
		r->data(r->priv, p, n);
}

/*--------------------------------------------------------------------
 * Set up a body: its kind and length.
 */

void
H1B_Init(struct h1_body *b, enum h1b_kind kind, int64_t cl)
{

	AN(b);
	memset(b, 0, sizeof *b);
	b->kind = kind;
	switch (kind) {
	case H1B_NONE:
		b->done = 1;
		break;
	case H1B_CL:
		assert(cl >= 0);
		b->left = (uint64_t)cl;
		if (cl == 0)
			b->done = 1;
		break;
	case H1B_CHUNKED:
		H1_ChunkedInit(&b->ck);
		break;
	default:
		break;
	}
}

/*--------------------------------------------------------------------
 * Find how much more of what is buffered is body.  -1 on a framing
 * error.
 */

int
H1B_Scan(struct h1_body *b, const char *p, size_t avail, h1_data_f *data,
    void *priv, size_t max)
{
	struct h1b_run run;
	size_t n;
	ssize_t c;
	int done = 0;

	AN(b);
	assert(avail >= b->ready);
	n = avail - b->ready;
	if (n > max)
		n = max;
	if (n == 0 || b->done)
		return (0);
	switch (b->kind) {
	case H1B_CL:
		if (n > b->left)
			n = (size_t)b->left;
		b->ready += n;
		b->left -= n;
		b->payload += n;
		if (b->left == 0)
			b->done = 1;
		return (0);
	case H1B_CHUNKED:
		run.b = b;
		run.data = data;
		run.priv = priv;
		c = H1_Chunked(&b->ck, p + b->ready, n, h1b_run, &run, &done);
		if (c < 0)
			return (-1);
		b->ready += (size_t)c;
		if (done)
			b->done = 1;
		return (0);
	case H1B_EOF:
		b->ready += n;
		b->payload += n;
		return (0);
	default:
		WRONG("body kind");
	}
}

/*--------------------------------------------------------------------
 * The caller forwarded or dropped n ready bytes.
 */

void
H1B_Took(struct h1_body *b, size_t n)
{

	AN(b);
	assert(n <= b->ready);
	b->ready -= n;
}

/*--------------------------------------------------------------------
 * A body that ends at close: the close came.
 */

void
H1B_Closed(struct h1_body *b)
{

	AN(b);
	assert(b->kind == H1B_EOF);
	b->done = 1;
}
