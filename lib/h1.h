/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * h1.h -- HTTP/1 message heads as spans into a receive buffer, and the
 * chunked transfer coding.
 *
 * A parsed head (struct h1_head) never copies a byte: method, target,
 * reason and every field name and value are (offset, length) spans
 * relative to the first byte of the head in its buffer, so the proxy can
 * rewrite the head by writing spans out in a new order.
 *
 * The framing facts a proxy needs (content length, chunked, connection
 * options, upgrade, expect) are decided once, strictly, when the head is
 * parsed (htc.c / h1p.c); a head that is ambiguous never gets this far.
 */

#ifndef FRONTD_H1_H
#define FRONTD_H1_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define H1_MAXFIELDS	128	/* hard cap; the configured limit is lower */

struct h1_span {
	unsigned	off;		/* from the first byte of the head */
	unsigned	len;
};

struct h1_field {
	struct h1_span	name;
	struct h1_span	value;		/* leading/trailing OWS stripped */
};

enum h1_kind {
	H1_REQUEST = 1,
	H1_RESPONSE,
};

/* Methods the proxy must tell apart; anything else llhttp knows is OTHER. */
enum h1_method {
	H1_M_OTHER = 0,
	H1_M_GET,
	H1_M_HEAD,
	H1_M_POST,
	H1_M_PUT,
	H1_M_DELETE,
	H1_M_OPTIONS,
	H1_M_TRACE,
	H1_M_CONNECT,
	H1_M_PATCH,
};

struct h1_head {
	unsigned	magic;
#define H1_HEAD_MAGIC	0x48310a0d
	enum h1_kind	kind;
	enum h1_method	method;		/* requests */
	struct h1_span	method_s;	/* requests: the method token */
	struct h1_span	target;		/* requests: the request-target */
	unsigned	status;		/* responses: 100..999 */
	struct h1_span	reason;		/* responses: reason phrase */
	unsigned char	vmajor;
	unsigned char	vminor;
	unsigned	hdrlen;		/* bytes of the head, final CRLF incl. */

	/* framing, decided by the strict checks */
	int64_t		content_length;	/* -1: no Content-Length */
	unsigned	chunked:1;	/* Transfer-Encoding ends in chunked */
	unsigned	conn_close:1;	/* Connection: close */
	unsigned	conn_keepalive:1; /* Connection: keep-alive */
	unsigned	conn_upgrade:1;	/* Connection: upgrade */
	unsigned	upgrade:1;	/* has an Upgrade field */
	unsigned	expect_continue:1; /* Expect: 100-continue */
	unsigned	nhost;		/* requests: number of Host fields */

	unsigned	nfield;
	struct h1_field	field[H1_MAXFIELDS];
};

/*
 * The field named 'name' (case-insensitive), starting at index *idx
 * (updated to the match + 1 so that a loop finds every instance), or NULL.
 * 'base' is the first byte of the head.
 */
const struct h1_field *H1_Find(const struct h1_head *, const char *base,
    const char *name, unsigned *idx);

/* Does a span equal the string, ignoring case? */
int H1_SpanIs(const char *base, const struct h1_span *, const char *str);

/*
 * Does the comma-separated list in a field value contain the token
 * (case-insensitive)?  For Connection: close, Transfer-Encoding, ...
 */
int H1_ListHas(const char *base, const struct h1_span *, const char *token);

/*
 * Walk a comma-separated list in [*p, e): each call gives the next
 * element's bounds, OWS trimmed (possibly empty), and 0 at the end.
 */
int H1_ListNext(const char **p, const char *e, const char **s,
    const char **t);

/* Should a request keep the client connection (version + Connection)? */
int H1_KeepAlive(const struct h1_head *);

/*
 * The seconds of "Keep-Alive: timeout=N" in a response (the last one
 * given), or -1: how long the server says it keeps an idle connection.
 */
int H1_KeepAliveTimeout(const struct h1_head *, const char *base);

/*--------------------------------------------------------------------
 * The chunked transfer coding (RFC 9112 section 7.1), incrementally.
 *
 * H1_Chunked() scans bytes of a chunked body and consumes them as long as
 * they are valid framing.  It returns how many bytes it consumed: all of
 * 'len' unless the body ended inside them (the rest is the next message),
 * or -1 on a framing error (bad or overlong chunk size, bare CR or LF, a
 * missing CRLF after chunk data, a bad trailer line).  *done becomes 1 once
 * the last chunk and the trailer section are complete.  For every run of
 * payload bytes inside what it consumed it calls data(priv, p, n) when
 * data is not NULL, which lets the caller de-chunk; a proxy that passes
 * the coding through forwards the consumed bytes as they are.
 */

typedef void h1_data_f(void *priv, const char *p, size_t n);

struct h1_chunked {
	unsigned	magic;
#define H1_CHUNKED_MAGIC 0x43484b44
	int		state;
	uint64_t	left;		/* payload bytes left in this chunk */
	unsigned	linelen;	/* length of the current size/trailer line */
	unsigned	ntrailer;	/* trailer bytes seen */
};

void H1_ChunkedInit(struct h1_chunked *);
ssize_t H1_Chunked(struct h1_chunked *, const char *p, size_t len,
    h1_data_f *data, void *priv, int *done);

#endif /* FRONTD_H1_H */
