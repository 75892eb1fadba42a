/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * t_h1b.c -- body framing (lib/h1b.c), fed the way a proxy feeds it:
 * bytes arrive in pieces, split at every offset (once and twice), the
 * ready part is taken after each scan, and whatever follows the body (the
 * next pipelined message) must never be counted as body.
 */

#include <stdio.h>
#include <string.h>

#include "vas.h"
#include "h1b.h"
#include "tap.h"

struct bcase {
	const char	*name;
	enum h1b_kind	kind;
	int64_t		cl;
	const char	*body;	/* the body's bytes as sent */
	const char	*payload;	/* decoded payload */
	int		bad;	/* a framing error within the body */
};

/* What follows each body: the next pipelined message. */
#define NEXT	"GET /next HTTP/1.1\r\n\r\n"

static const struct bcase bcases[] = {
	{ "cl", H1B_CL, 5, "hello", "hello", 0 },
	{ "cl0", H1B_CL, 0, "", "", 0 },
	{ "none", H1B_NONE, 0, "", "", 0 },
	{ "chunked", H1B_CHUNKED, -1,
	    "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n", "hello world", 0 },
	{ "chunked-trailer", H1B_CHUNKED, -1,
	    "3\r\nabc\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n", "abc", 0 },
	{ "chunked-hex", H1B_CHUNKED, -1,
	    "A\r\n0123456789\r\n0\r\n\r\n", "0123456789", 0 },
	{ "chunked-bare-lf", H1B_CHUNKED, -1, "3\nabc\r\n0\r\n\r\n", "", 1 },
	{ "chunked-no-crlf", H1B_CHUNKED, -1, "3\r\nabcd\r\n0\r\n\r\n", "", 1 },
	{ "chunked-bad-size", H1B_CHUNKED, -1, "x\r\nabc\r\n0\r\n\r\n", "", 1 },
	{ "chunked-neg", H1B_CHUNKED, -1, "-1\r\nabc\r\n0\r\n\r\n", "", 1 },
	{ "chunked-overflow", H1B_CHUNKED, -1,
	    "10000000000000001\r\na\r\n0\r\n\r\n", "", 1 },
};

struct feed {
	char		buf[512];	/* received, not yet taken */
	size_t		len;
	char		payload[512];
	size_t		plen;
	size_t		taken;		/* body bytes taken */
	int		err;
};

static void
collect(void *priv, const char *p, size_t n)
{
	struct feed *f = priv;

	assert(f->plen + n <= sizeof f->payload);
	memcpy(f->payload + f->plen, p, n);
	f->plen += n;
}

/* Scan what is buffered (at most max a call), take what is ready. */
static void
take(struct h1_body *b, struct feed *f, size_t max)
{
	size_t r;

	while (!f->err && !H1B_OVER(b)) {
		if (H1B_Scan(b, f->buf, f->len, b->kind == H1B_CHUNKED ?
		    collect : NULL, f, max) != 0) {
			f->err = 1;
			return;
		}
		r = b->ready;
		if (r == 0)
			return;
		if (b->kind == H1B_CL || b->kind == H1B_EOF) {
			memcpy(f->payload + f->plen, f->buf, r);
			f->plen += r;
		}
		memmove(f->buf, f->buf + r, f->len - r);
		f->len -= r;
		f->taken += r;
		H1B_Took(b, r);
	}
}

/* Feed 'in' in pieces ending at cut[0..ncut-1]; check the outcome. */
static int
run(const struct bcase *c, const char *in, const size_t *cut, unsigned ncut,
    size_t max)
{
	struct h1_body b;
	struct feed f;
	size_t at = 0, inlen = strlen(in), blen = strlen(c->body);
	unsigned i;

	memset(&f, 0, sizeof f);
	H1B_Init(&b, c->kind, c->cl);
	for (i = 0; i < ncut && !f.err && !H1B_OVER(&b); i++) {
		memcpy(f.buf + f.len, in + at, cut[i] - at);
		f.len += cut[i] - at;
		at = cut[i];
		take(&b, &f, max);
	}
	if (c->bad)
		return (f.err);
	if (f.err || !H1B_OVER(&b) || f.taken != blen)
		return (0);
	/* what is left is exactly the next message, untouched */
	if (f.len + (inlen - at) != inlen - blen ||
	    memcmp(f.buf, in + blen, f.len) != 0)
		return (0);
	return (f.plen == strlen(c->payload) &&
	    memcmp(f.payload, c->payload, f.plen) == 0 &&
	    b.payload == f.plen);
}

static void
whole_and_split(void)
{
	const struct bcase *c;
	char in[256];
	size_t cut[3], n, i, j;
	unsigned k;

	for (k = 0; k < sizeof bcases / sizeof bcases[0]; k++) {
		c = &bcases[k];
		n = (size_t)snprintf(in, sizeof in, "%s%s", c->body, NEXT);
		cut[0] = n;
		CHECKF(run(c, in, cut, 1, SIZE_MAX), "%s: whole", c->name);
		CHECKF(run(c, in, cut, 1, 1), "%s: a byte a scan", c->name);
		for (i = 1; i < n; i++) {
			cut[0] = i;
			cut[1] = n;
			CHECKF(run(c, in, cut, 2, SIZE_MAX), "%s: split at %zu",
			    c->name, i);
			for (j = i + 1; j < n; j++) {
				cut[1] = j;
				cut[2] = n;
				CHECKF(run(c, in, cut, 3, 3), "%s: split at %zu, %zu",
				    c->name, i, j);
			}
		}
	}
}

/* A body that ends at close takes everything until H1B_Closed. */
static void
until_close(void)
{
	struct h1_body b;

	H1B_Init(&b, H1B_EOF, -1);
	CHECK(!b.done);
	CHECK(H1B_Scan(&b, "abcdef", 6, NULL, NULL, 4) == 0);
	CHECK(b.ready == 4);
	H1B_Took(&b, 4);
	CHECK(H1B_Scan(&b, "ef", 2, NULL, NULL, SIZE_MAX) == 0);
	CHECK(b.ready == 2 && b.payload == 6);
	H1B_Took(&b, 2);
	CHECK(!H1B_OVER(&b));
	H1B_Closed(&b);
	CHECK(H1B_OVER(&b));
}

/* A large Content-Length counts down without overflow. */
static void
large_cl(void)
{
	static char buf[65536];
	struct h1_body b;
	uint64_t total = 0;

	H1B_Init(&b, H1B_CL, INT64_MAX);
	while (total < (1ULL << 30)) {
		CHECK(H1B_Scan(&b, buf, sizeof buf, NULL, NULL, SIZE_MAX) == 0);
		total += b.ready;
		H1B_Took(&b, b.ready);
	}
	CHECK(!b.done && b.left == (uint64_t)INT64_MAX - total);
}

int
main(void)
{

	RUN(whole_and_split);
	RUN(until_close);
	RUN(large_cl);
	TAP_EXIT();
}
