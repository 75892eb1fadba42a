/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * t_h1.c -- the HTTP/1 head helpers and the chunked decoder.
 *
 * The helpers run over a head parsed by h1p and over spans made by hand.
 * The chunked decoder is fed every body of a good corpus split at every
 * byte offset and in several chunkings (one byte at a time included): it
 * must consume exactly the body, say done at its end, leave what follows
 * alone and hand out the same payload every time.  Each row of the bad
 * corpus names the rule it breaks and must fail however it is split.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "h1.h"
#include "h1p.h"
#include "tap.h"

#define S(s)		s, sizeof(s) - 1

static const struct htc_limits lim = {
	.head_max = 8192,
	.field_max = 4096,
	.nfield_max = 64,
	.target_max = 2048,
};

/*--------------------------------------------------------------------
 * A head parsed with h1p, for the helpers.
 */

static struct h1_head hd;

static const char *
parse(const char *in, size_t len, enum h1_kind kind)
{
	struct h1p hp;

	H1P_Init(&hp, &hd, kind);
	assert(H1P_Feed(&hp, in, len, &lim) == HTC_COMPLETE);
	return (in);
}

static void
find(void)
{
	static const char in[] = "GET / HTTP/1.1\r\nHost: a\r\n"
	    "Connection: keep-alive\r\nX-Dup: 1\r\nAccept: */*\r\n"
	    "x-dup: 2\r\nX-DUP: 3\r\n\r\n";
	const struct h1_field *f;
	const char *b = parse(S(in), H1_REQUEST);
	unsigned idx = 0, n = 0;
	char v[8] = "";

	while ((f = H1_Find(&hd, b, "X-Dup", &idx)) != NULL) {
		assert(f->value.len == 1);
		v[n++] = b[f->value.off];
		CHECK(idx == (unsigned)(f - hd.field) + 1);
	}
	CHECK(strcmp(v, "123") == 0);
	CHECK(idx == hd.nfield);
	f = H1_Find(&hd, b, "host", NULL);
	CHECK(f != NULL && H1_SpanIs(b, &f->value, "A"));
	CHECK(H1_Find(&hd, b, "hos", NULL) == NULL);
	CHECK(H1_Find(&hd, b, "hostx", NULL) == NULL);
	CHECK(H1_Find(&hd, b, "", NULL) == NULL);
	idx = 2;
	f = H1_Find(&hd, b, "Host", &idx);
	CHECK(f == NULL && idx == hd.nfield);
}

static void
span_is(void)
{
	static const char b[] = "Keep-Alive close";
	struct h1_span sp = { 0, 10 };

	CHECK(H1_SpanIs(b, &sp, "keep-alive"));
	CHECK(H1_SpanIs(b, &sp, "KEEP-ALIVE"));
	CHECK(!H1_SpanIs(b, &sp, "keep-aliv"));
	CHECK(!H1_SpanIs(b, &sp, "keep-alive "));
	sp.off = 11;
	sp.len = 5;
	CHECK(H1_SpanIs(b, &sp, "Close"));
	sp.len = 0;
	CHECK(H1_SpanIs(b, &sp, ""));
	CHECK(!H1_SpanIs(b, &sp, "c"));
}

static int
list_has(const char *v, const char *tok)
{
	struct h1_span sp;

	sp.off = 0;
	sp.len = (unsigned)strlen(v);
	return (H1_ListHas(v, &sp, tok));
}

static void
list(void)
{

	CHECK(list_has("close", "close"));
	CHECK(list_has("Close", "close"));
	CHECK(list_has(" close ", "close"));
	CHECK(list_has("foo, close", "close"));
	CHECK(list_has("foo,close", "close"));
	CHECK(list_has("close,foo", "close"));
	CHECK(list_has("a, ,\tclose\t,", "close"));
	CHECK(list_has(",,close", "close"));
	CHECK(list_has("keep-alive, Upgrade", "upgrade"));
	CHECK(!list_has("closed", "close"));
	CHECK(!list_has("clos", "close"));
	CHECK(!list_has("close;x", "close"));
	CHECK(!list_has("c lose", "close"));
	CHECK(!list_has("", "close"));
	CHECK(!list_has(" , ", "close"));
	CHECK(!list_has("foo", "close"));
}

static void
keepalive(void)
{
	struct h1_head h;

	memset(&h, 0, sizeof h);
	h.magic = H1_HEAD_MAGIC;
	h.vmajor = 1;
	h.vminor = 1;
	CHECK(H1_KeepAlive(&h));
	h.conn_keepalive = 1;
	CHECK(H1_KeepAlive(&h));
	h.conn_close = 1;
	CHECK(!H1_KeepAlive(&h));
	h.vminor = 0;
	CHECK(!H1_KeepAlive(&h));
	h.conn_close = 0;
	CHECK(H1_KeepAlive(&h));
	h.conn_keepalive = 0;
	CHECK(!H1_KeepAlive(&h));
	h.vmajor = 2;
	CHECK(!H1_KeepAlive(&h));

	/* and from parsed heads */
	parse(S("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"),
	    H1_REQUEST);
	CHECK(H1_KeepAlive(&hd));
	parse(S("GET / HTTP/1.0\r\n\r\n"), H1_REQUEST);
	CHECK(!H1_KeepAlive(&hd));
	parse(S("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n"),
	    H1_REQUEST);
	CHECK(!H1_KeepAlive(&hd));
	parse(S("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), H1_REQUEST);
	CHECK(H1_KeepAlive(&hd));
	parse(S("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
	    "Connection: close\r\n\r\n"), H1_REQUEST);
	CHECK(!H1_KeepAlive(&hd));
}

/* Keep-Alive: timeout=N, as a server announces it. */
static void
keepalive_timeout(void)
{
	const char *b;

	b = parse(S("HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\n"
	    "Content-Length: 0\r\n\r\n"), H1_RESPONSE);
	CHECK(H1_KeepAliveTimeout(&hd, b) == 5);
	b = parse(S("HTTP/1.1 200 OK\r\nkeep-alive: MAX=3 , Timeout=12\r\n"
	    "Content-Length: 0\r\n\r\n"), H1_RESPONSE);
	CHECK(H1_KeepAliveTimeout(&hd, b) == 12);
	b = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	    H1_RESPONSE);
	CHECK(H1_KeepAliveTimeout(&hd, b) == -1);
	b = parse(S("HTTP/1.1 200 OK\r\nKeep-Alive: timeout=\r\n"
	    "Keep-Alive: timeout=x1, timeout=1x\r\n"
	    "Content-Length: 0\r\n\r\n"), H1_RESPONSE);
	CHECK(H1_KeepAliveTimeout(&hd, b) == -1);
	b = parse(S("HTTP/1.1 200 OK\r\nKeep-Alive: timeout=9\r\n"
	    "Keep-Alive: timeout=2\r\nContent-Length: 0\r\n\r\n"),
	    H1_RESPONSE);
	CHECK(H1_KeepAliveTimeout(&hd, b) == 2);
}

/*--------------------------------------------------------------------
 * The chunked decoder, fed in pieces.
 */

struct out {
	char		buf[70000];
	size_t		len;
};

static void
collect(void *priv, const char *p, size_t n)
{
	struct out *o = priv;

	assert(o->len + n <= sizeof o->buf);
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

struct ck_run {
	ssize_t		used;		/* bytes consumed, -1 on error */
	int		done;
	int		late;		/* done reported too early/twice */
};

/* Feed in pieces ending at cut[]; pieces after the end are not fed. */
static void
ck_run(struct ck_run *r, struct out *o, const char *in, size_t len,
    const size_t *cut, size_t ncut, int with_data)
{
	struct h1_chunked ck;
	size_t i, off = 0;
	ssize_t c;
	int done;

	H1_ChunkedInit(&ck);
	memset(r, 0, sizeof *r);
	o->len = 0;
	for (i = 0; i < ncut && !r->done; i++) {
		c = H1_Chunked(&ck, in + off, cut[i] - off,
		    with_data ? collect : NULL, o, &done);
		if (c < 0) {
			r->used = -1;
			c = H1_Chunked(&ck, in, len, collect, o, &done);
			CHECK(c == -1);
			return;
		}
		if (!done && (size_t)c != cut[i] - off)
			r->late = 1;
		off += (size_t)c;
		r->done = done;
	}
	r->used = (ssize_t)off;
	if (r->done) {
		c = H1_Chunked(&ck, in + off, len - off, collect, o, &done);
		if (c != 0 || !done)
			r->late = 1;
	}
}

static size_t
cuts_step(size_t *cut, size_t len, size_t step)
{
	size_t n = 0, o;

	for (o = step; o < len; o += step)
		cut[n++] = o;
	cut[n++] = len;
	return (n);
}

struct ck_good {
	const char	*in;
	size_t		len;
	size_t		after;		/* bytes after the body */
	const char	*want;
	size_t		wlen;
};

static const struct ck_good ck_good[] = {
	{ S("5\r\nhello\r\n0\r\n\r\n"), 0, S("hello") },
	{ S("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), 0, S("hello world") },
	{ S("A\r\n0123456789\r\n0\r\n\r\n"), 0, S("0123456789") },
	{ S("a;ext=1\r\n0123456789\r\n0;last\r\n\r\n"), 0,
	  S("0123456789") },
	{ S("3 ;x=\"q r\"\t; y\r\nabc\r\n0\r\n\r\n"), 0, S("abc") },
	{ S("1;\xe9t\xe9=\t1\r\nz\r\n0\r\n\r\n"), 0, S("z") },
	{ S("3\r\nabc\r\n0\r\nX-T: v\r\nY:\r\nZ:\ta b\r\n\r\n"), 0,
	  S("abc") },
	{ S("0003\r\nabc\r\n00\r\n\r\n"), 0, S("abc") },
	{ S("0\r\n\r\n"), 0, S("") },
	{ S("1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n"), 18, S("x") },
	{ S("0\r\n\r\n0\r\n\r\n"), 5, S("") },
	{ S("4\r\n\r\n\0\xff\r\n2\r\n\r\n\r\n0\r\n\r\n"), 0,
	  S("\r\n\0\xff\r\n") },
	{ S("7fffffffffffffff\r\n"), 0, NULL, 0 },	/* largest; unended */
};

static void
chunked_good(void)
{
	static size_t cut[70000];
	static struct out o1, o2;
	static const size_t steps[] = { 1, 2, 3, 7, 64 };
	struct ck_run r1, r2;
	const struct ck_good *g;
	size_t i, k, body;

	for (i = 0; i < sizeof ck_good / sizeof ck_good[0]; i++) {
		g = &ck_good[i];
		body = g->len - g->after;
		cut[0] = g->len;
		ck_run(&r1, &o1, g->in, g->len, cut, 1, 1);
		CHECKF(r1.used == (ssize_t)body, "%s: used %zd", g->in,
		    r1.used);
		CHECKF(r1.done == (g->want != NULL) && !r1.late, "%s", g->in);
		if (g->want != NULL)
			CHECKF(o1.len == g->wlen &&
			    memcmp(o1.buf, g->want, g->wlen) == 0, "%s", g->in);
		for (k = 1; k < g->len; k++) {
			cut[0] = k;
			cut[1] = g->len;
			ck_run(&r2, &o2, g->in, g->len, cut, 2, 1);
			CHECKF(r2.used == r1.used && r2.done == r1.done &&
			    !r2.late && o2.len == o1.len &&
			    memcmp(o2.buf, o1.buf, o1.len) == 0,
			    "%s: split at %zu", g->in, k);
		}
		for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
			ck_run(&r2, &o2, g->in, g->len, cut,
			    cuts_step(cut, g->len, steps[k]), k & 1);
			CHECKF(r2.used == r1.used && r2.done == r1.done &&
			    !r2.late, "%s: step %zu", g->in, steps[k]);
			if (k & 1)
				CHECKF(o2.len == o1.len &&
				    memcmp(o2.buf, o1.buf, o1.len) == 0,
				    "%s: step %zu", g->in, steps[k]);
		}
	}
}

/* A large chunk, and many small ones, one byte at a time. */
static void
chunked_large(void)
{
	static char in[80000];
	static size_t cut[80000];
	static struct out o;
	struct ck_run r;
	size_t l, i;

	l = (size_t)snprintf(in, sizeof in, "10000\r\n");
	for (i = 0; i < 65536; i++)
		in[l++] = (char)(i * 7);
	memcpy(in + l, "\r\n1\r\n!\r\n0\r\n\r\n", 13);
	l += 13;
	ck_run(&r, &o, in, l, cut, cuts_step(cut, l, 1), 1);
	CHECK(r.used == (ssize_t)l && r.done && !r.late);
	CHECK(o.len == 65537 && o.buf[65536] == '!');
	for (i = 0; i < 65536; i++)
		if (o.buf[i] != (char)(i * 7))
			break;
	CHECK(i == 65536);
	ck_run(&r, &o, in, l, cut, cuts_step(cut, l, 4093), 0);
	CHECK(r.used == (ssize_t)l && r.done && !r.late);
}

struct ck_bad {
	const char	*rule;
	const char	*in;
	size_t		len;
};

static const struct ck_bad ck_bad[] = {
	{ "non-hex size", S("g\r\nabc\r\n0\r\n\r\n") },
	{ "empty size", S("\r\nabc\r\n0\r\n\r\n") },
	{ "0x prefix", S("0x5\r\nhello\r\n0\r\n\r\n") },
	{ "negative size", S("-5\r\nhello\r\n0\r\n\r\n") },
	{ "plus sign", S("+5\r\nhello\r\n0\r\n\r\n") },
	{ "SP before size", S(" 5\r\nhello\r\n0\r\n\r\n") },
	{ "BWS without extension", S("5 \r\nhello\r\n0\r\n\r\n") },
	{ "size over int64", S("8000000000000000\r\n") },
	{ "size over uint64", S("10000000000000000\r\n") },
	{ "size far over", S("fffffffffffffffffffff\r\n") },
	{ "bare LF after size", S("5\nhello\r\n0\r\n\r\n") },
	{ "bare CR after size", S("5\rhello\r\n0\r\n\r\n") },
	{ "CR CR after size", S("5\r\r\nhello\r\n0\r\n\r\n") },
	{ "LF in extension", S("5;a\nb\r\nhello\r\n0\r\n\r\n") },
	{ "CTL in extension", S("5;a\001\r\nhello\r\n0\r\n\r\n") },
	{ "NUL in extension", S("5;a\0\r\nhello\r\n0\r\n\r\n") },
	{ "DEL in extension", S("5;\177\r\nhello\r\n0\r\n\r\n") },
	{ "no CRLF after data", S("5\r\nhelloX\r\n0\r\n\r\n") },
	{ "bare LF after data", S("5\r\nhello\n0\r\n\r\n") },
	{ "bare CR after data", S("5\r\nhello\r0\r\n\r\n") },
	{ "data too long", S("3\r\nhello\r\n0\r\n\r\n") },
	{ "no size after data", S("3\r\nabc\r\n\r\n") },
	{ "trailer obs-fold", S("0\r\nX: a\r\n b\r\n\r\n") },
	{ "trailer no colon", S("0\r\nXa\r\n\r\n") },
	{ "trailer SP before colon", S("0\r\nX : a\r\n\r\n") },
	{ "trailer empty name", S("0\r\n: a\r\n\r\n") },
	{ "trailer CTL in value", S("0\r\nX: a\001\r\n\r\n") },
	{ "trailer NUL in value", S("0\r\nX: \0\r\n\r\n") },
	{ "trailer bare LF", S("0\r\nX: a\n\r\n") },
	{ "trailer bare CR", S("0\r\nX: a\rb\r\n\r\n") },
	{ "last line bare LF", S("0\r\n\n") },
	{ "last line bare CR", S("0\r\n\rX") },
	{ "last chunk bare LF", S("0\n\r\n") },
};

static void
chunked_bad(void)
{
	static size_t cut[70000];
	static struct out o;
	static const size_t steps[] = { 1, 2, 3, 7 };
	struct ck_run r;
	const struct ck_bad *t;
	size_t i, k;

	for (i = 0; i < sizeof ck_bad / sizeof ck_bad[0]; i++) {
		t = &ck_bad[i];
		cut[0] = t->len;
		ck_run(&r, &o, t->in, t->len, cut, 1, 1);
		CHECKF(r.used == -1 && !r.done, "%s", t->rule);
		for (k = 1; k < t->len; k++) {
			cut[0] = k;
			cut[1] = t->len;
			ck_run(&r, &o, t->in, t->len, cut, 2, 1);
			CHECKF(r.used == -1 && !r.done, "%s: split at %zu",
			    t->rule, k);
		}
		for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
			ck_run(&r, &o, t->in, t->len, cut,
			    cuts_step(cut, t->len, steps[k]), 1);
			CHECKF(r.used == -1 && !r.done, "%s: step %zu",
			    t->rule, steps[k]);
		}
	}
}

/* Bounds: a size line and a trailer section cannot grow forever. */
static void
chunked_bounds(void)
{
	static char in[40000];
	static size_t cut[2];
	static struct out o;
	struct h1_chunked ck;
	struct ck_run r;
	size_t l;
	int done;

	l = (size_t)snprintf(in, sizeof in, "5;");
	memset(in + l, 'e', 5000);
	l += 5000;
	memcpy(in + l, "\r\nhello\r\n0\r\n\r\n", 14);
	l += 14;
	cut[0] = l;
	ck_run(&r, &o, in, l, cut, 1, 1);
	CHECK(r.used == -1);

	l = (size_t)snprintf(in, sizeof in, "0\r\n");
	while (l < 20000)
		l += (size_t)snprintf(in + l, sizeof in - l,
		    "X-Trailer: 0123456789\r\n");
	memcpy(in + l, "\r\n", 2);
	l += 2;
	cut[0] = l;
	ck_run(&r, &o, in, l, cut, 1, 1);
	CHECK(r.used == -1);

	/* an empty call is harmless */
	H1_ChunkedInit(&ck);
	done = 1;
	CHECK(H1_Chunked(&ck, NULL, 0, NULL, NULL, &done) == 0);
	CHECK(!done);
}

int
main(void)
{

	RUN(find);
	RUN(span_is);
	RUN(list);
	RUN(keepalive);
	RUN(keepalive_timeout);
	RUN(chunked_good);
	RUN(chunked_large);
	RUN(chunked_bad);
	RUN(chunked_bounds);
	TAP_EXIT();
}
