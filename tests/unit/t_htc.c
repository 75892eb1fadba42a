/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * t_htc.c -- the receive buffer and the strict head parser.
 *
 * Every input goes through a real socketpair: pieces are written to one
 * end and HTC_Rx reads the other, one read(2) per piece.  Each good
 * request or response is fed split at every byte offset and in several
 * chunkings (one byte at a time included), and must give the same parsed
 * head every time, equal to the expected one written out below.  Each
 * malformed input names the rule it breaks and the status it must get,
 * again at every split.  Then: pipelining, limits, EOF, HTC_Fill, the
 * free lists, and random mutations that must be judged the same however
 * they are split.
 */

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vas.h"
#include "htc.h"
#include "h1p.h"
#include "tap.h"

#define S(s)		s, sizeof(s) - 1
#define BUFSIZE		16384

static struct htc_pool *pool;

static const struct htc_limits lim_dflt = {
	.head_max = 8192,
	.field_max = 4096,
	.nfield_max = 64,
	.target_max = 2048,
};

/*--------------------------------------------------------------------
 * Write the head as text, to compare heads across splits.
 */

static void
cat(char *out, size_t sz, const char *fmt, ...)
{
	size_t l = strlen(out);
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(out + l, sz - l, fmt, ap);
	va_end(ap);
}

static const char *
mname(enum h1_method m)
{
	static const char * const n[] = { "OTHER", "GET", "HEAD", "POST",
	    "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH" };

	return ((unsigned)m < 10 ? n[m] : "?");
}

static void
dump(const struct h1_head *hd, const char *b, char *out, size_t sz)
{
	unsigned i;

	out[0] = '\0';
	if (hd->kind == H1_REQUEST)
		cat(out, sz, "%s %.*s %.*s %u.%u", mname(hd->method),
		    (int)hd->method_s.len, b + hd->method_s.off,
		    (int)hd->target.len, b + hd->target.off,
		    hd->vmajor, hd->vminor);
	else
		cat(out, sz, "%u [%.*s] %u.%u", hd->status,
		    (int)hd->reason.len, b + hd->reason.off,
		    hd->vmajor, hd->vminor);
	cat(out, sz, " cl=%lld te=%u c=%u k=%u u=%u up=%u x=%u h=%u",
	    (long long)hd->content_length, hd->chunked, hd->conn_close,
	    hd->conn_keepalive, hd->conn_upgrade, hd->upgrade,
	    hd->expect_continue, hd->nhost);
	for (i = 0; i < hd->nfield; i++)
		cat(out, sz, "|%.*s=%.*s",
		    (int)hd->field[i].name.len, b + hd->field[i].name.off,
		    (int)hd->field[i].value.len, b + hd->field[i].value.off);
}

/*--------------------------------------------------------------------
 * One run: write the pieces ending at cut[0..ncut) to a socketpair and
 * read them with HTC_Rx (HTC_Fill once the head is complete).
 */

struct run {
	enum htc_status	st;
	int		err;		/* errno with HTC_ERROR */
	unsigned	hdrlen;
	size_t		avail;		/* buffered at the end */
	int		rest_ok;	/* buffered bytes = input past head */
	char		dump[8192];
};

static void
mkpair(int sv[2])
{

	AZ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	AZ(fcntl(sv[1], F_SETFL, O_NONBLOCK));
}

static void
put(int fd, const char *p, size_t n)
{

	assert(write(fd, p, n) == (ssize_t)n);
}

static void
run_end(struct run *r, struct htc *htc, const char *in, size_t len)
{
	const struct h1_head *hd;

	r->avail = HTC_Avail(htc);
	if (r->st != HTC_COMPLETE)
		return;
	hd = HTC_Head(htc);
	CHECK_OBJ_NOTNULL(hd, H1_HEAD_MAGIC);
	r->hdrlen = hd->hdrlen;
	dump(hd, HTC_Base(htc), r->dump, sizeof r->dump);
	r->rest_ok = (HTC_Base(htc) == HTC_Ptr(htc) &&
	    r->avail == len && memcmp(HTC_Ptr(htc), in, len) == 0);
}

static void
run(struct run *r, const char *in, size_t len, const size_t *cut,
    size_t ncut, enum h1_kind kind, const struct htc_limits *lim, int eof)
{
	struct htc htc;
	size_t i, off = 0;
	int sv[2];

	memset(r, 0, sizeof *r);
	r->st = HTC_MORE;
	mkpair(sv);
	HTC_Init(&htc);
	for (i = 0; i < ncut; i++) {
		assert(cut[i] > off && cut[i] <= len);
		put(sv[0], in + off, cut[i] - off);
		if (r->st == HTC_MORE)
			r->st = HTC_Rx(&htc, pool, sv[1], kind, lim);
		else if (r->st == HTC_COMPLETE)
			assert(HTC_Fill(&htc, pool, sv[1]) ==
			    (ssize_t)(cut[i] - off));
		off = cut[i];
	}
	if (r->st == HTC_MORE) {
		if (eof)
			AZ(shutdown(sv[0], SHUT_WR));
		r->st = HTC_Rx(&htc, pool, sv[1], kind, lim);
		r->err = errno;
	}
	run_end(r, &htc, in, len);
	HTC_Fini(&htc, pool);
	AZ(htc.buf);
	AZ(close(sv[0]));
	AZ(close(sv[1]));
}

/* Pieces of 'step' bytes. */
static size_t
cuts_step(size_t *cut, size_t len, size_t step)
{
	size_t n = 0, o;

	for (o = step; o < len; o += step)
		cut[n++] = o;
	cut[n++] = len;
	return (n);
}

/*--------------------------------------------------------------------
 * Feed an input every way; check each run against the whole-piece one.
 * Returns the status of the whole-piece run; r holds that run.
 */

static const size_t steps[] = { 1, 2, 3, 5, 7, 13, 64 };

static int
same(const struct run *a, const struct run *b)
{

	return (a->st == b->st && a->hdrlen == b->hdrlen &&
	    strcmp(a->dump, b->dump) == 0 && a->rest_ok == b->rest_ok);
}

static void
run_all(struct run *r, const char *name, const char *in, size_t len,
    enum h1_kind kind, const struct htc_limits *lim, int eof)
{
	static struct run r2;
	static size_t cut[70000];
	size_t k, i;

	assert(len < sizeof cut / sizeof cut[0]);
	cut[0] = len;
	run(r, in, len, cut, 1, kind, lim, eof);
	for (k = 1; k < len; k++) {
		cut[0] = k;
		cut[1] = len;
		run(&r2, in, len, cut, 2, kind, lim, eof);
		CHECKF(same(r, &r2), "%s: split at %zu: %s (%s) vs %s (%s)",
		    name, k, HTC_StatusName(r2.st), r2.dump,
		    HTC_StatusName(r->st), r->dump);
	}
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		run(&r2, in, len, cut, cuts_step(cut, len, steps[i]), kind,
		    lim, eof);
		CHECKF(same(r, &r2), "%s: step %zu: %s (%s) vs %s (%s)",
		    name, steps[i], HTC_StatusName(r2.st), r2.dump,
		    HTC_StatusName(r->st), r->dump);
	}
}

/*--------------------------------------------------------------------
 * Good requests: the head as expected, however split.
 */

struct good {
	const char	*in;
	size_t		len;
	size_t		body;		/* bytes after the head */
	const char	*want;
};

static const struct good good_req[] = {
	{ S("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
	  "GET GET / 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=1|Host=a" },
	{ S("GET /x?y=1&z=%20 HTTP/1.0\r\n\r\n"), 0,
	  "GET GET /x?y=1&z=%20 1.0 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=0" },
	{ S("POST /up HTTP/1.1\r\nHost: example.com\r\n"
	    "Content-Length: 5\r\n\r\nhello"), 5,
	  "POST POST /up 1.1 cl=5 te=0 c=0 k=0 u=0 up=0 x=0 h=1"
	  "|Host=example.com|Content-Length=5" },
	{ S("PUT /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n5\r\nhello\r\n0\r\n\r\n"), 15,
	  "PUT PUT /f 1.1 cl=-1 te=1 c=0 k=0 u=0 up=0 x=0 h=1"
	  "|Host=a|Transfer-Encoding=chunked" },
	{ S("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: gzip, Chunked\r\n\r\n"), 0,
	  "POST POST / 1.1 cl=-1 te=1 c=0 k=0 u=0 up=0 x=0 h=1"
	  "|Host=a|Transfer-Encoding=gzip, Chunked" },
	{ S("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nHost: a\r\n"
	    "transfer-encoding: chunked\r\n\r\n"), 0,
	  "POST POST / 1.1 cl=-1 te=1 c=0 k=0 u=0 up=0 x=0 h=1"
	  "|Transfer-Encoding=gzip|Host=a|transfer-encoding=chunked" },
	{ S("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, "
	    "Upgrade\r\nUpgrade: websocket\r\n\r\n"), 0,
	  "GET GET /chat 1.1 cl=-1 te=0 c=0 k=1 u=1 up=1 x=0 h=1"
	  "|Host=a|Connection=keep-alive, Upgrade|Upgrade=websocket" },
	{ S("PUT /big HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n"
	    "Content-Length: 9223372036854775807\r\n\r\n"), 0,
	  "PUT PUT /big 1.1 cl=9223372036854775807 te=0 c=0 k=0 u=0 up=0 "
	  "x=1 h=1|Host=a|Expect=100-Continue"
	  "|Content-Length=9223372036854775807" },
	{ S("GET / HTTP/1.1\r\nHost:a\r\nX-A:   spaced  value \t\r\n"
	    "X-Empty:\r\nX-Empty2:  \t \r\nX-Tab:\ta\tb\r\n\r\n"), 0,
	  "GET GET / 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=1|Host=a"
	  "|X-A=spaced  value|X-Empty=|X-Empty2=|X-Tab=a\tb" },
	{ S("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
	  "GET GET / 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=1|Host=a" },
	{ S("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
	  "OPTIONS OPTIONS * 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=1"
	  "|Host=a" },
	{ S("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n"),
	  0, "CONNECT CONNECT a.example:443 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0"
	  " x=0 h=1|Host=a.example:443" },
	{ S("GET http://a.example/p?q#f HTTP/1.1\r\nHost: a.example\r\n\r\n"),
	  0, "GET GET http://a.example/p?q#f 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0"
	  " x=0 h=1|Host=a.example" },
	{ S("PROPFIND /d HTTP/1.1\r\nHost: a\r\nDepth: 1\r\n\r\n"), 0,
	  "OTHER PROPFIND /d 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=1"
	  "|Host=a|Depth=1" },
	{ S("M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
	  "OTHER M-SEARCH * 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=1"
	  "|Host=a" },
	{ S("HEAD / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), 0,
	  "HEAD HEAD / 1.0 cl=-1 te=0 c=0 k=1 u=0 up=0 x=0 h=0"
	  "|Connection=Keep-Alive" },
	{ S("DELETE /r HTTP/1.1\r\nhost: a\r\nCONNECTION: CLOSE\r\n"
	    "content-LENGTH: 0\r\n\r\n"), 0,
	  "DELETE DELETE /r 1.1 cl=0 te=0 c=1 k=0 u=0 up=0 x=0 h=1"
	  "|host=a|CONNECTION=CLOSE|content-LENGTH=0" },
	{ S("PATCH /p HTTP/1.1\r\nHost: a\r\nHost: b\r\n"
	    "Content-Length: 007\r\n\r\nabcdefg"), 7,
	  "PATCH PATCH /p 1.1 cl=7 te=0 c=0 k=0 u=0 up=0 x=0 h=2"
	  "|Host=a|Host=b|Content-Length=007" },
	{ S("TRACE / HTTP/1.1\r\nHost: a\r\nX-Utf8: caf\xc3\xa9\r\n"
	    "Connection: foo,,close ,\r\n\r\n"), 0,
	  "TRACE TRACE / 1.1 cl=-1 te=0 c=1 k=0 u=0 up=0 x=0 h=1"
	  "|Host=a|X-Utf8=caf\xc3\xa9|Connection=foo,,close ," },
	{ S("GET /\"{}|^`<>\\ HTTP/1.1\r\nHost: a\r\n"
	    "X-Sym: !#$%&'*+-.^_`|~(),/:;<=>?@[\\]{}\"\r\n\r\n"), 0,
	  "GET GET /\"{}|^`<>\\ 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=1"
	  "|Host=a|X-Sym=!#$%&'*+-.^_`|~(),/:;<=>?@[\\]{}\"" },
	{ S("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue-not\r\n"
	    "Upgrade: h2c\r\n\r\n"), 0,
	  "GET GET / 1.1 cl=-1 te=0 c=0 k=0 u=0 up=1 x=0 h=1"
	  "|Host=a|Expect=100-continue-not|Upgrade=h2c" },
};

static void
check_good(const struct good *g, size_t n, enum h1_kind kind)
{
	struct run r;
	size_t i;

	for (i = 0; i < n; i++) {
		run_all(&r, g[i].want, g[i].in, g[i].len, kind, &lim_dflt, 0);
		CHECKF(r.st == HTC_COMPLETE, "%s: %s", g[i].want,
		    HTC_StatusName(r.st));
		CHECKF(strcmp(r.dump, g[i].want) == 0, "got  %s\nwant %s",
		    r.dump, g[i].want);
		CHECKF(r.hdrlen == g[i].len - g[i].body, "%s: hdrlen %u",
		    g[i].want, r.hdrlen);
		CHECKF(r.rest_ok, "%s: buffered bytes", g[i].want);
	}
}

static void
good_requests(void)
{

	check_good(good_req, sizeof good_req / sizeof good_req[0],
	    H1_REQUEST);
}

/*--------------------------------------------------------------------
 * Good responses.
 */

static const struct good good_resp[] = {
	{ S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), 3,
	  "200 [OK] 1.1 cl=3 te=0 c=0 k=0 u=0 up=0 x=0 h=0"
	  "|Content-Length=3" },
	{ S("HTTP/1.1 204 No Content\r\n\r\n"), 0,
	  "204 [No Content] 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=0" },
	{ S("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"), 0,
	  "304 [Not Modified] 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=0"
	  "|ETag=\"x\"" },
	{ S("HTTP/1.1 100 Continue\r\n\r\n"), 0,
	  "100 [Continue] 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=0" },
	{ S("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n"
	    "\r\n"), 0,
	  "103 [Early Hints] 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=0"
	  "|Link=</s.css>; rel=preload" },
	{ S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\n\r\n\x81\x00"), 2,
	  "101 [Switching Protocols] 1.1 cl=-1 te=0 c=0 k=0 u=1 up=1 x=0 h=0"
	  "|Upgrade=websocket|Connection=Upgrade" },
	{ S("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil close"), 11,
	  "200 [OK] 1.0 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=0|Server=x" },
	{ S("HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
	  5, "200 [] 1.1 cl=-1 te=1 c=0 k=0 u=0 up=0 x=0 h=0"
	  "|Transfer-Encoding=chunked" },
	{ S("HTTP/1.1 200\r\nConnection: close\r\n\r\n"), 0,
	  "200 [] 1.1 cl=-1 te=0 c=1 k=0 u=0 up=0 x=0 h=0"
	  "|Connection=close" },
	{ S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), 0,
	  "200 [OK] 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=0"
	  "|Transfer-Encoding=gzip" },
	{ S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
	  0, "200 [OK] 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=0"
	  "|Transfer-Encoding=chunked, gzip" },
	{ S("HTTP/1.1 404 Not\tFound, \xe9t\xe9\r\nContent-Length: 0\r\n\r\n"),
	  0, "404 [Not\tFound, \xe9t\xe9] 1.1 cl=0 te=0 c=0 k=0 u=0 up=0 x=0"
	  " h=0|Content-Length=0" },
	{ S("HTTP/1.1 999 Odd\r\nSet-Cookie: a=b\r\nSet-Cookie: c=d\r\n\r\n"),
	  0, "999 [Odd] 1.1 cl=-1 te=0 c=0 k=0 u=0 up=0 x=0 h=0"
	  "|Set-Cookie=a=b|Set-Cookie=c=d" },
};

static void
good_responses(void)
{

	check_good(good_resp, sizeof good_resp / sizeof good_resp[0],
	    H1_RESPONSE);
}

/*--------------------------------------------------------------------
 * Malformed input: each row breaks one rule.
 */

struct bad {
	const char	*rule;
	const char	*in;
	size_t		len;
	enum htc_status	want;
	int		eof;		/* then close the writing side */
};

#define RQ	"GET / HTTP/1.1\r\nHost: a\r\n"
#define PQ	"POST / HTTP/1.1\r\nHost: a\r\n"

static const struct bad bad_req[] = {
	{ "bare CR ends request line", S("GET / HTTP/1.1\rHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "bare CR in value", S(RQ "X: a\rb\r\n\r\n"), HTC_BAD, 0 },
	{ "bare CR before CRLF", S(RQ "X: a\r\r\n\r\n"), HTC_BAD, 0 },
	{ "bare CR ends head", S(RQ "\rX"), HTC_BAD, 0 },
	{ "bare CR in target", S("GET /a\rb HTTP/1.1\r\n\r\n"), HTC_BAD, 0 },
	{ "bare CR in name", S(RQ "X\rY: a\r\n\r\n"), HTC_BAD, 0 },
	{ "bare LF ends request line", S("GET / HTTP/1.1\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "bare LF ends field line", S(RQ "X: a\n\r\n"), HTC_BAD, 0 },
	{ "bare LF ends head", S(RQ "\n"), HTC_BAD, 0 },
	{ "bare LF everywhere", S("GET / HTTP/1.1\nHost: a\n\n"), HTC_BAD, 0 },
	{ "leading bare LF", S("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "SP before colon", S(RQ "Foo : a\r\n\r\n"), HTC_BAD, 0 },
	{ "SP before colon, Host", S("GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "HTAB before colon", S(RQ "Foo\t: a\r\n\r\n"), HTC_BAD, 0 },
	{ "SP before colon, CL", S(PQ "Content-Length : 5\r\n\r\nhello"),
	  HTC_BAD, 0 },
	{ "obs-fold SP", S(RQ "X: a\r\n b\r\n\r\n"), HTC_BAD, 0 },
	{ "obs-fold HTAB", S(RQ "X: a\r\n\tb\r\n\r\n"), HTC_BAD, 0 },
	{ "obs-fold empty value", S(RQ "X:\r\n b\r\n\r\n"), HTC_BAD, 0 },
	{ "SP at first field line", S("GET / HTTP/1.1\r\n Host: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "SP before request line", S(" GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "NUL in value", S(RQ "X: a\0b\r\n\r\n"), HTC_BAD, 0 },
	{ "NUL in name", S(RQ "X\0Y: a\r\n\r\n"), HTC_BAD, 0 },
	{ "NUL in target", S("GET /\0 HTTP/1.1\r\n\r\n"), HTC_BAD, 0 },
	{ "NUL in method", S("G\0T / HTTP/1.1\r\n\r\n"), HTC_BAD, 0 },
	{ "NUL first", S("\0GET / HTTP/1.1\r\n\r\n"), HTC_BAD, 0 },
	{ "NUL in version", S("GET / HTTP/1\0.1\r\n\r\n"), HTC_BAD, 0 },
	{ "CTL 0x01 in value", S(RQ "X: a\001b\r\n\r\n"), HTC_BAD, 0 },
	{ "CTL 0x1b in value", S(RQ "X: \033[0m\r\n\r\n"), HTC_BAD, 0 },
	{ "CTL 0x0b in value", S(RQ "X: a\013b\r\n\r\n"), HTC_BAD, 0 },
	{ "CTL 0x0c in value", S(RQ "X: a\014\r\n\r\n"), HTC_BAD, 0 },
	{ "DEL in value", S(RQ "X: a\177\r\n\r\n"), HTC_BAD, 0 },
	{ "CTL in target", S("GET /\001 HTTP/1.1\r\n\r\n"), HTC_BAD, 0 },
	{ "DEL in target", S("GET /\177 HTTP/1.1\r\n\r\n"), HTC_BAD, 0 },
	{ "HTAB in target", S("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "non-ASCII in target", S("GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "SP in target", S("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "two SP after method", S("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "two SP after target", S("GET /  HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "SP after version", S("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "HTAB as separator", S("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "empty field name", S(RQ ": a\r\n\r\n"), HTC_BAD, 0 },
	{ "bad char in name", S(RQ "Ho(st: a\r\n\r\n"), HTC_BAD, 0 },
	{ "non-ASCII in name", S(RQ "X\xc3\xa9: a\r\n\r\n"), HTC_BAD, 0 },
	{ "no colon", S(RQ "Foo a\r\n\r\n"), HTC_BAD, 0 },
	{ "TE and CL", S(PQ "Transfer-Encoding: chunked\r\n"
	  "Content-Length: 3\r\n\r\n"), HTC_BAD, 0 },
	{ "CL and TE", S(PQ "Content-Length: 3\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n"), HTC_BAD, 0 },
	{ "CL and TE gzip", S(PQ "Content-Length: 3\r\n"
	  "Transfer-Encoding: gzip, chunked\r\n\r\n"), HTC_BAD, 0 },
	{ "CL twice, differing", S(PQ "Content-Length: 3\r\n"
	  "Content-Length: 4\r\n\r\n"), HTC_BAD, 0 },
	{ "CL twice, identical", S(PQ "Content-Length: 3\r\n"
	  "Content-Length: 3\r\n\r\n"), HTC_BAD, 0 },
	{ "CL list", S(PQ "Content-Length: 3, 3\r\n\r\n"), HTC_BAD, 0 },
	{ "CL negative", S(PQ "Content-Length: -3\r\n\r\n"), HTC_BAD, 0 },
	{ "CL plus sign", S(PQ "Content-Length: +3\r\n\r\n"), HTC_BAD, 0 },
	{ "CL hex", S(PQ "Content-Length: 0x3\r\n\r\n"), HTC_BAD, 0 },
	{ "CL empty", S(PQ "Content-Length:\r\n\r\n"), HTC_BAD, 0 },
	{ "CL only OWS", S(PQ "Content-Length:  \r\n\r\n"), HTC_BAD, 0 },
	{ "CL inner SP", S(PQ "Content-Length: 1 2\r\n\r\n"), HTC_BAD, 0 },
	{ "CL over int64", S(PQ "Content-Length: 9223372036854775808\r\n"
	  "\r\n"), HTC_BAD, 0 },
	{ "CL over uint64", S(PQ "Content-Length: 184467440737095516160\r\n"
	  "\r\n"), HTC_BAD, 0 },
	{ "TE not chunked", S(PQ "Transfer-Encoding: gzip\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "TE chunked not last", S(PQ "Transfer-Encoding: chunked, gzip\r\n"
	  "\r\n"), HTC_BAD, 0 },
	{ "TE chunked not last, 2 lines", S(PQ "Transfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: gzip\r\n\r\n"), HTC_BAD, 0 },
	{ "TE chunked twice", S(PQ "Transfer-Encoding: chunked, chunked\r\n"
	  "\r\n"), HTC_BAD, 0 },
	{ "TE chunked twice, 2 lines", S(PQ "Transfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n"), HTC_BAD, 0 },
	{ "TE chunked prefix", S(PQ "Transfer-Encoding: chunkedx\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "TE identity", S(PQ "Transfer-Encoding: identity\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "TE empty", S(PQ "Transfer-Encoding:\r\n\r\n"), HTC_BAD, 0 },
	{ "TE empty list", S(PQ "Transfer-Encoding: , ,\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "TE parameter", S(PQ "Transfer-Encoding: chunked;q=1\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "TE quoted", S(PQ "Transfer-Encoding: \"chunked\"\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "TE in HTTP/1.0", S("POST / HTTP/1.0\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n"), HTC_BAD, 0 },
	{ "TE unknown coding", S(PQ "Transfer-Encoding: foo, chunked\r\n"
	  "\r\n"), HTC_NOT_IMPL, 0 },
	{ "TE identity coding", S(PQ "Transfer-Encoding: identity, chunked\r\n"
	  "\r\n"), HTC_NOT_IMPL, 0 },
	{ "TE unknown, 2 lines", S(PQ "Transfer-Encoding: br\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n"), HTC_NOT_IMPL, 0 },
	{ "unknown method", S("FOO / HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_NOT_IMPL, 0 },
	{ "unknown method, prefix of one", S("GE / HTTP/1.1\r\n\r\n"),
	  HTC_NOT_IMPL, 0 },
	{ "unknown method, longer", S("GETS / HTTP/1.1\r\n\r\n"),
	  HTC_NOT_IMPL, 0 },
	{ "lower-case method", S("get / HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_NOT_IMPL, 0 },
	{ "RTSP method", S("DESCRIBE / HTTP/1.1\r\nHost: a\r\n\r\n"),
	  HTC_NOT_IMPL, 0 },
	{ "HTTP/2 preface", S("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
	  HTC_NOT_IMPL, 0 },
	{ "junk method", S("G(ET / HTTP/1.1\r\n\r\n"), HTC_BAD, 0 },
	{ "junk line", S("hello world\r\n\r\n"), HTC_NOT_IMPL, 0 },
	{ "response to request parser", S("HTTP/1.1 200 OK\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "binary junk", S("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),
	  HTC_BAD, 0 },
	{ "HTTP/1.2", S("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), HTC_BAD, 0 },
	{ "HTTP/2.0", S("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), HTC_BAD, 0 },
	{ "HTTP/3.0", S("GET / HTTP/3.0\r\nHost: a\r\n\r\n"), HTC_BAD, 0 },
	{ "HTTP/0.9 named", S("GET / HTTP/0.9\r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "HTTP/0.9 simple", S("GET /\r\n\r\n"), HTC_BAD, 0 },
	{ "HTTP/1.10", S("GET / HTTP/1.10\r\nHost: a\r\n\r\n"), HTC_BAD, 0 },
	{ "HTTP/11", S("GET / HTTP/11\r\nHost: a\r\n\r\n"), HTC_BAD, 0 },
	{ "lower-case http", S("GET / http/1.1\r\nHost: a\r\n\r\n"),
	  HTC_BAD, 0 },
	{ "RTSP version", S("GET / RTSP/1.0\r\nHost: a\r\n\r\n"), HTC_BAD, 0 },
	{ "no target", S("GET HTTP/1.1\r\nHost: a\r\n\r\n"), HTC_BAD, 0 },
	{ "EOF in request line", S("GET / HTT"), HTC_ERROR, 1 },
	{ "EOF in field", S(RQ "X-Foo: b"), HTC_ERROR, 1 },
	{ "EOF before last CRLF", S(RQ), HTC_ERROR, 1 },
	{ "EOF after CR", S(RQ "\r"), HTC_ERROR, 1 },
	{ "EOF after empty lines", S("\r\n\r\n"), HTC_ERROR, 1 },
	{ "EOF in bad method", S("FOO"), HTC_ERROR, 1 },
};

static const struct bad bad_resp[] = {
	{ "two-digit status", S("HTTP/1.1 20 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "four-digit status", S("HTTP/1.1 2000 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "status below 100", S("HTTP/1.1 099 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "status 000", S("HTTP/1.1 000 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "letters in status", S("HTTP/1.1 2x0 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "no status", S("HTTP/1.1\r\n\r\n"), HTC_BAD, 0 },
	{ "no SP after status", S("HTTP/1.1 200OK\r\n\r\n"), HTC_BAD, 0 },
	{ "two SP before status", S("HTTP/1.1  200 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "bad version", S("HTTP/1.x 200 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "HTTP/2.0", S("HTTP/2.0 200 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "HTTP/0.9", S("HTTP/0.9 200 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "lower-case http", S("http/1.1 200 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "ICY", S("ICY 200 OK\r\n\r\n"), HTC_BAD, 0 },
	{ "CTL in reason", S("HTTP/1.1 200 O\001K\r\n\r\n"), HTC_BAD, 0 },
	{ "NUL in reason", S("HTTP/1.1 200 O\0K\r\n\r\n"), HTC_BAD, 0 },
	{ "bare CR in reason", S("HTTP/1.1 200 O\rK\r\n\r\n"), HTC_BAD, 0 },
	{ "bare LF ends status line", S("HTTP/1.1 200 OK\n\r\n"), HTC_BAD, 0 },
	{ "bare LF everywhere", S("HTTP/1.1 200 OK\nA: b\n\n"), HTC_BAD, 0 },
	{ "obs-fold", S("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n"), HTC_BAD, 0 },
	{ "SP before colon", S("HTTP/1.1 200 OK\r\nContent-Length : 3\r\n"
	  "\r\n"), HTC_BAD, 0 },
	{ "CL twice, differing", S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	  "Content-Length: 4\r\n\r\n"), HTC_BAD, 0 },
	{ "CL twice, identical", S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	  "Content-Length: 3\r\n\r\n"), HTC_BAD, 0 },
	{ "CL not a number", S("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n"
	  "\r\n"), HTC_BAD, 0 },
	{ "CL and TE", S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n"), HTC_BAD, 0 },
	{ "TE chunked twice", S("HTTP/1.1 200 OK\r\n"
	  "Transfer-Encoding: chunked, chunked\r\n\r\n"), HTC_BAD, 0 },
	{ "TE in HTTP/1.0", S("HTTP/1.0 200 OK\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n"), HTC_BAD, 0 },
	{ "EOF in status line", S("HTTP/1.1 20"), HTC_ERROR, 1 },
	{ "EOF in head", S("HTTP/1.1 200 OK\r\nA: b\r\n"), HTC_ERROR, 1 },
};

static void
check_bad(const struct bad *t, size_t n, enum h1_kind kind)
{
	struct run r;
	size_t i;

	for (i = 0; i < n; i++) {
		run_all(&r, t[i].rule, t[i].in, t[i].len, kind, &lim_dflt,
		    t[i].eof);
		CHECKF(r.st == t[i].want, "%s: %s, want %s", t[i].rule,
		    HTC_StatusName(r.st), HTC_StatusName(t[i].want));
	}
}

static void
bad_requests(void)
{

	check_bad(bad_req, sizeof bad_req / sizeof bad_req[0], H1_REQUEST);
}

static void
bad_responses(void)
{

	check_bad(bad_resp, sizeof bad_resp / sizeof bad_resp[0],
	    H1_RESPONSE);
}

/*--------------------------------------------------------------------
 * Every byte value at every offset of a long field value (the scan skips
 * plain bytes a word at a time), and in the request-target.
 */

static enum htc_status
one_shot(const char *in, size_t len, enum h1_kind kind)
{
	struct run r;
	size_t cut = len;

	run(&r, in, len, &cut, 1, kind, &lim_dflt, 0);
	return (r.st);
}

static void
byte_values(void)
{
	char in[128];
	enum htc_status want, st;
	unsigned c, i;
	int n;

	for (c = 0; c < 256; c++) {
		want = (c == '\t' || (c >= 0x20 && c != 0x7f)) ?
		    HTC_COMPLETE : HTC_BAD;
		for (i = 0; i < 17; i++) {
			n = snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: a"
			    "\r\nX: 0123456789abcdef0123456789\r\n\r\n");
			in[29 + i] = (char)c;
			st = one_shot(in, (size_t)n, H1_REQUEST);
			CHECKF(st == want, "value byte 0x%02x at %u: %s", c, i,
			    HTC_StatusName(st));
		}
		want = (c > 0x20 && c < 0x7f) ? HTC_COMPLETE : HTC_BAD;
		n = snprintf(in, sizeof in, "GET /ab HTTP/1.1\r\nHost: a\r\n"
		    "\r\n");
		in[5] = (char)c;
		st = one_shot(in, (size_t)n, H1_REQUEST);
		CHECKF(st == want, "target byte 0x%02x: %s", c,
		    HTC_StatusName(st));
	}
}

/*--------------------------------------------------------------------
 * Limits: the exact limit passes, one more byte gets its own status.
 */

static char *
mkreq(char *out, size_t sz, unsigned target, unsigned nfield,
    unsigned vlen, unsigned total)
{
	size_t l;
	unsigned i;

	(void)snprintf(out, sz, "GET /");
	for (i = 1; i < target; i++)
		cat(out, sz, "t");
	cat(out, sz, " HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < nfield; i++) {
		cat(out, sz, "X%u: ", i % 10);
		l = strlen(out);
		assert(l + vlen < sz);
		memset(out + l, 'v', vlen);
		out[l + vlen] = '\0';
		cat(out, sz, "\r\n");
	}
	if (total > 0) {
		l = strlen(out);
		assert(total >= l + 8 && total < sz);
		cat(out, sz, "P: ");
		memset(out + l + 3, 'p', total - l - 7);
		out[total - 4] = '\0';
		cat(out, sz, "\r\n");
	}
	cat(out, sz, "\r\n");
	return (out);
}

static enum htc_status
limit_run(const char *in, const struct htc_limits *lim)
{
	struct run r;

	run_all(&r, "limit", in, strlen(in), H1_REQUEST, lim, 0);
	return (r.st);
}

static void
limits(void)
{
	static char b[20000];
	struct htc_limits lim = lim_dflt;
	struct htc_pool *small, *save;

	lim.head_max = 200;
	mkreq(b, sizeof b, 1, 1, 0, 200);
	CHECK(strlen(b) == 200);
	CHECK(limit_run(b, &lim) == HTC_COMPLETE);
	mkreq(b, sizeof b, 1, 1, 0, 201);
	CHECK(limit_run(b, &lim) == HTC_TOO_LARGE);

	lim = lim_dflt;
	lim.field_max = 100;		/* "X1: " + 96 */
	CHECK(limit_run(mkreq(b, sizeof b, 1, 2, 96, 0), &lim) ==
	    HTC_COMPLETE);
	CHECK(limit_run(mkreq(b, sizeof b, 1, 2, 97, 0), &lim) ==
	    HTC_TOO_LARGE);
	(void)snprintf(b, sizeof b, "GET / HTTP/1.1\r\n%0101d: a\r\n\r\n", 0);
	CHECK(limit_run(b, &lim) == HTC_TOO_LARGE);

	lim = lim_dflt;
	lim.nfield_max = 5;
	CHECK(limit_run(mkreq(b, sizeof b, 1, 5, 1, 0), &lim) ==
	    HTC_COMPLETE);
	CHECK(limit_run(mkreq(b, sizeof b, 1, 6, 1, 0), &lim) ==
	    HTC_TOO_LARGE);
	lim.nfield_max = 1000;		/* capped at H1_MAXFIELDS */
	CHECK(limit_run(mkreq(b, sizeof b, 1, H1_MAXFIELDS, 1, 0), &lim) ==
	    HTC_COMPLETE);
	CHECK(limit_run(mkreq(b, sizeof b, 1, H1_MAXFIELDS + 1, 1, 0),
	    &lim) == HTC_TOO_LARGE);

	lim = lim_dflt;
	lim.target_max = 50;
	CHECK(limit_run(mkreq(b, sizeof b, 50, 1, 0, 0), &lim) ==
	    HTC_COMPLETE);
	CHECK(limit_run(mkreq(b, sizeof b, 51, 1, 0, 0), &lim) ==
	    HTC_URI_TOO_LONG);

	/*
	 * Too long and malformed past the limit: the limit, however the
	 * reads split it (bytes past a limit are not judged); malformed
	 * within it: 400.
	 */
	mkreq(b, sizeof b, 60, 1, 0, 0);
	b[5 + 55] = '\001';
	CHECK(limit_run(b, &lim) == HTC_URI_TOO_LONG);
	b[5 + 55] = 't';
	b[5 + 40] = '\001';
	CHECK(limit_run(b, &lim) == HTC_BAD);
	lim = lim_dflt;
	lim.field_max = 100;
	mkreq(b, sizeof b, 1, 2, 120, 0);
	*strchr(strstr(b, "X1: "), '\r') = '\001';
	CHECK(limit_run(b, &lim) == HTC_TOO_LARGE);

	/* a buffer smaller than head_max limits the head too */
	small = HTC_PoolNew(256, 4);
	AN(small);
	save = pool;
	pool = small;
	CHECK(limit_run(mkreq(b, sizeof b, 1, 1, 0, 256), &lim_dflt) ==
	    HTC_COMPLETE);
	CHECK(limit_run(mkreq(b, sizeof b, 1, 1, 0, 257), &lim_dflt) ==
	    HTC_TOO_LARGE);
	pool = save;
	HTC_PoolDestroy(&small);
	AZ(small);
}

/*--------------------------------------------------------------------
 * Pipelined messages in one write, a partial one last.
 */

static const char *
target_of(const struct htc *htc)
{
	static char t[64];
	const struct h1_head *hd = HTC_Head(htc);

	(void)snprintf(t, sizeof t, "%.*s", (int)hd->target.len,
	    HTC_Base(htc) + hd->target.off);
	return (t);
}

static void
pipelined(void)
{
	static const char in[] =
	    "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
	    "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
	    "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /4 HT";
	struct htc htc;
	unsigned nfree;
	int sv[2];

	mkpair(sv);
	HTC_Init(&htc);
	CHECK(HTC_Parse(&htc, H1_REQUEST, &lim_dflt) == HTC_MORE);
	put(sv[0], in, sizeof in - 1);
	CHECK(HTC_Rx(&htc, pool, sv[1], H1_REQUEST, &lim_dflt) ==
	    HTC_COMPLETE);
	CHECK(strcmp(target_of(&htc), "/1") == 0);
	CHECK(HTC_Avail(&htc) == sizeof in - 1);
	HTC_Consume(&htc, pool, HTC_Head(&htc)->hdrlen);
	CHECK(HTC_Parse(&htc, H1_REQUEST, &lim_dflt) == HTC_COMPLETE);
	CHECK(strcmp(target_of(&htc), "/2") == 0);
	CHECK(HTC_Head(&htc)->content_length == 3);
	CHECK(HTC_Ptr(&htc) == HTC_Base(&htc));
	CHECK(memcmp(HTC_Ptr(&htc) + HTC_Head(&htc)->hdrlen, "abc", 3) == 0);
	HTC_Consume(&htc, pool, HTC_Head(&htc)->hdrlen + 3);
	CHECK(HTC_Parse(&htc, H1_REQUEST, &lim_dflt) == HTC_COMPLETE);
	CHECK(strcmp(target_of(&htc), "/3") == 0);
	HTC_Consume(&htc, pool, HTC_Head(&htc)->hdrlen);
	CHECK(HTC_Parse(&htc, H1_REQUEST, &lim_dflt) == HTC_MORE);
	CHECK(HTC_Parse(&htc, H1_REQUEST, &lim_dflt) == HTC_MORE);
	CHECK(HTC_Avail(&htc) == 9);
	put(sv[0], S("TP/1.1\r\nHost: a\r\n\r\n"));
	CHECK(HTC_Rx(&htc, pool, sv[1], H1_REQUEST, &lim_dflt) ==
	    HTC_COMPLETE);
	CHECK(strcmp(target_of(&htc), "/4") == 0);
	nfree = HTC_PoolFree(pool);
	HTC_Consume(&htc, pool, HTC_Avail(&htc));
	CHECK(htc.buf == NULL);
	CHECK(HTC_PoolFree(pool) == nfree + 1);
	HTC_Fini(&htc, pool);
	AZ(close(sv[0]));
	AZ(close(sv[1]));
}

static void
pipelined_responses(void)
{
	static const char in[] =
	    "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	struct htc htc;
	int sv[2];

	mkpair(sv);
	HTC_Init(&htc);
	put(sv[0], in, sizeof in - 1);
	CHECK(HTC_Rx(&htc, pool, sv[1], H1_RESPONSE, &lim_dflt) ==
	    HTC_COMPLETE);
	CHECK(HTC_Head(&htc)->status == 100);
	HTC_Consume(&htc, pool, HTC_Head(&htc)->hdrlen);
	CHECK(HTC_Parse(&htc, H1_RESPONSE, &lim_dflt) == HTC_COMPLETE);
	CHECK(HTC_Head(&htc)->status == 103);
	HTC_Consume(&htc, pool, HTC_Head(&htc)->hdrlen);
	CHECK(HTC_Parse(&htc, H1_RESPONSE, &lim_dflt) == HTC_COMPLETE);
	CHECK(HTC_Head(&htc)->status == 200);
	CHECK(HTC_Head(&htc)->content_length == 2);
	CHECK(HTC_Avail(&htc) == HTC_Head(&htc)->hdrlen + 2);
	HTC_Consume(&htc, pool, HTC_Avail(&htc));
	CHECK(htc.buf == NULL);
	HTC_Fini(&htc, pool);
	AZ(close(sv[0]));
	AZ(close(sv[1]));
}

/*--------------------------------------------------------------------
 * A new head with less than head_max behind it is moved to the front.
 */

static void
compaction(void)
{
	static const char in[] =
	    "GET /first HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /second HTTP/1.1\r\nHost: a\r\n\r\n";
	struct htc_limits lim = lim_dflt;
	struct htc_pool *small;
	struct htc htc;
	const char *p0;
	int sv[2];

	small = HTC_PoolNew(100, 1);
	AN(small);
	lim.head_max = 90;
	mkpair(sv);
	HTC_Init(&htc);
	put(sv[0], in, sizeof in - 1);
	CHECK(HTC_Rx(&htc, small, sv[1], H1_REQUEST, &lim) == HTC_COMPLETE);
	p0 = HTC_Base(&htc);
	HTC_Consume(&htc, small, HTC_Head(&htc)->hdrlen);
	CHECK(HTC_Parse(&htc, H1_REQUEST, &lim) == HTC_COMPLETE);
	CHECK(HTC_Base(&htc) == p0);
	CHECK(strcmp(target_of(&htc), "/second") == 0);
	CHECK(HTC_Avail(&htc) == HTC_Head(&htc)->hdrlen);
	HTC_Consume(&htc, small, HTC_Avail(&htc));
	CHECK(htc.buf == NULL);
	CHECK(HTC_PoolFree(small) == 1);
	HTC_Fini(&htc, small);
	HTC_PoolDestroy(&small);
	AZ(close(sv[0]));
	AZ(close(sv[1]));
}

/*--------------------------------------------------------------------
 * EOF and read errors.
 */

static void
eof_and_errors(void)
{
	struct htc htc;
	unsigned nfree;
	int sv[2], fd;

	mkpair(sv);
	HTC_Init(&htc);
	nfree = HTC_PoolFree(pool);
	AZ(shutdown(sv[0], SHUT_WR));
	CHECK(HTC_Rx(&htc, pool, sv[1], H1_REQUEST, &lim_dflt) == HTC_EOF);
	CHECK(htc.flags & HTC_F_EOF);
	CHECK(htc.buf == NULL);
	CHECK(HTC_PoolFree(pool) == nfree);
	AZ(close(sv[0]));
	AZ(close(sv[1]));

	/* a complete head, then EOF in the same read */
	mkpair(sv);
	HTC_Init(&htc);
	put(sv[0], S("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
	AZ(shutdown(sv[0], SHUT_WR));
	CHECK(HTC_Rx(&htc, pool, sv[1], H1_REQUEST, &lim_dflt) ==
	    HTC_COMPLETE);
	HTC_Consume(&htc, pool, HTC_Head(&htc)->hdrlen);
	CHECK(HTC_Rx(&htc, pool, sv[1], H1_REQUEST, &lim_dflt) == HTC_EOF);
	CHECK(htc.buf == NULL);
	AZ(close(sv[0]));
	AZ(close(sv[1]));

	/* a read error: errno, and no buffer held */
	fd = open("/dev/null", O_RDONLY);
	assert(fd >= 0);
	AZ(close(fd));
	HTC_Init(&htc);
	errno = 0;
	CHECK(HTC_Rx(&htc, pool, fd, H1_REQUEST, &lim_dflt) == HTC_ERROR);
	CHECK(errno == EBADF);
	CHECK(htc.buf == NULL);
	CHECK(HTC_Fill(&htc, pool, fd) == -1 && errno == EBADF);
	CHECK(htc.buf == NULL);
	CHECK(HTC_PoolFree(pool) == nfree);

	/* a refused head stays refused */
	mkpair(sv);
	HTC_Init(&htc);
	put(sv[0], S("GET / HTTP/1.1\r\nHost : a\r\n\r\n"));
	CHECK(HTC_Rx(&htc, pool, sv[1], H1_REQUEST, &lim_dflt) == HTC_BAD);
	CHECK(HTC_Rx(&htc, pool, sv[1], H1_REQUEST, &lim_dflt) == HTC_BAD);
	CHECK(HTC_Parse(&htc, H1_REQUEST, &lim_dflt) == HTC_BAD);
	HTC_Fini(&htc, pool);
	CHECK(htc.buf == NULL);
	AZ(close(sv[0]));
	AZ(close(sv[1]));
}

/*--------------------------------------------------------------------
 * HTC_Fill: raw reads for a body, compaction when the tail is full.
 */

static void
fill(void)
{
	struct htc_pool *small;
	struct htc htc;
	char big[200];
	int sv[2];

	small = HTC_PoolNew(128, 2);
	AN(small);
	memset(big, 'b', sizeof big);
	mkpair(sv);
	HTC_Init(&htc);
	CHECK(HTC_Fill(&htc, small, sv[1]) == -1 && errno == EAGAIN);
	CHECK(htc.buf == NULL);
	put(sv[0], big, 100);
	CHECK(HTC_Fill(&htc, small, sv[1]) == 100);
	CHECK(HTC_Avail(&htc) == 100);
	HTC_Consume(&htc, small, 60);
	put(sv[0], big, 100);
	CHECK(HTC_Fill(&htc, small, sv[1]) == 28);	/* to the end */
	CHECK(HTC_Avail(&htc) == 68);
	CHECK(HTC_Fill(&htc, small, sv[1]) == 60);	/* compacted */
	CHECK(HTC_Avail(&htc) == 128);
	CHECK(HTC_Fill(&htc, small, sv[1]) == -1 && errno == ENOBUFS);
	HTC_Consume(&htc, small, 128);
	CHECK(htc.buf == NULL);
	AZ(shutdown(sv[0], SHUT_WR));
	CHECK(HTC_Fill(&htc, small, sv[1]) == 12);
	CHECK(HTC_Fill(&htc, small, sv[1]) == 0);
	CHECK(htc.flags & HTC_F_EOF);
	HTC_Consume(&htc, small, 12);
	CHECK(htc.buf == NULL);
	CHECK(HTC_PoolFree(small) == 1);
	HTC_PoolDestroy(&small);
	AZ(close(sv[0]));
	AZ(close(sv[1]));
}

/*--------------------------------------------------------------------
 * Free lists: an idle htc holds nothing; keep at most 'keep'; buffers
 * migrate between pools of the same size.
 */

static void
free_lists(void)
{
	struct htc_pool *a, *b, *c;
	struct htc h[4];
	const struct htc_buf *first;
	int sv[4][2];
	unsigned i;

	a = HTC_PoolNew(4096, 2);
	b = HTC_PoolNew(4096, 8);
	c = HTC_PoolNew(2048, 8);
	AN(a);
	AN(b);
	AN(c);
	CHECK(HTC_PoolFree(a) == 0);
	for (i = 0; i < 4; i++) {
		mkpair(sv[i]);
		HTC_Init(&h[i]);
		CHECK(h[i].buf == NULL);
		CHECK(HTC_Rx(&h[i], a, sv[i][1], H1_REQUEST, &lim_dflt) ==
		    HTC_MORE);
		CHECK(h[i].buf == NULL);	/* nothing came: none held */
		put(sv[i][0], S("GET / HT"));
		CHECK(HTC_Rx(&h[i], a, sv[i][1], H1_REQUEST, &lim_dflt) ==
		    HTC_MORE);
		CHECK(h[i].buf != NULL);
	}
	CHECK(HTC_PoolFree(a) == 0);
	for (i = 0; i < 4; i++)
		HTC_Fini(&h[i], a);
	CHECK(HTC_PoolFree(a) == 2);		/* keeps 2 */

	/* LIFO reuse; given back to another pool of the same size */
	put(sv[0][0], S("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
	CHECK(HTC_Rx(&h[0], a, sv[0][1], H1_REQUEST, &lim_dflt) ==
	    HTC_COMPLETE);
	first = h[0].buf;
	CHECK(HTC_PoolFree(a) == 1);
	HTC_Consume(&h[0], b, HTC_Avail(&h[0]));
	CHECK(h[0].buf == NULL);
	CHECK(HTC_PoolFree(a) == 1);
	CHECK(HTC_PoolFree(b) == 1);
	put(sv[1][0], S("GET"));
	CHECK(HTC_Rx(&h[1], b, sv[1][1], H1_REQUEST, &lim_dflt) == HTC_MORE);
	CHECK(h[1].buf == first);
	/* a pool of another size does not keep it */
	HTC_Fini(&h[1], c);
	CHECK(HTC_PoolFree(c) == 0);
	CHECK(HTC_PoolFree(b) == 0);
	for (i = 0; i < 4; i++) {
		AZ(close(sv[i][0]));
		AZ(close(sv[i][1]));
	}
	HTC_PoolDestroy(&a);
	HTC_PoolDestroy(&b);
	HTC_PoolDestroy(&c);
	AZ(a);
}

/*--------------------------------------------------------------------
 * Random mutations of the corpus: whatever the verdict, it must be the
 * same however the bytes are split, and nothing may read out of bounds
 * (run this under ASan).
 */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{

	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return ((unsigned)(rnd_state % n));
}

static size_t
mutate(char *out, const char *in, size_t len)
{
	static const char special[] = "\r\n \t:,;\0\001\177\200-0123456789"
	    "chunked";
	size_t n = 0, i;
	unsigned k, m = 1 + rnd(3);
	char c;

	memcpy(out, in, len);
	n = len;
	for (k = 0; k < m; k++) {
		i = rnd((unsigned)n);
		c = (rnd(2) != 0) ? special[rnd(sizeof special - 1)] :
		    (char)rnd(256);
		switch (rnd(3)) {
		case 0:
			out[i] = c;
			break;
		case 1:
			memmove(out + i + 1, out + i, n - i);
			out[i] = c;
			n++;
			break;
		default:
			if (n > 1) {
				memmove(out + i, out + i + 1, n - i - 1);
				n--;
			}
			break;
		}
	}
	return (n);
}

static size_t
cuts_random(size_t *cut, size_t len)
{
	size_t n = 0, o = 0;

	for (;;) {
		o += 1 + rnd(16);
		if (o >= len)
			break;
		cut[n++] = o;
	}
	cut[n++] = len;
	return (n);
}

/*
 * The parser alone, fed one more byte each time from a fresh allocation
 * of exactly that size (the head moves every time, and ASan sees any
 * read past the end).  Its verdict must match the socket run's.
 */
static void
feed_exact(const char *in, size_t n, enum h1_kind kind, enum htc_status want)
{
	static struct h1_head hd;
	struct h1p hp;
	enum htc_status st = HTC_MORE;
	size_t i;
	char *p;

	H1P_Init(&hp, &hd, kind);
	for (i = 1; i <= n && st == HTC_MORE; i++) {
		p = malloc(i);
		AN(p);
		memcpy(p, in, i);
		st = H1P_Feed(&hp, p, i, &lim_dflt);
		free(p);
	}
	if (st == HTC_MORE)
		CHECKF(want == HTC_ERROR || want == HTC_EOF, "[%.*s]: %s",
		    (int)n, in, HTC_StatusName(want));
	else
		CHECKF(st == want, "[%.*s]: %s vs %s", (int)n, in,
		    HTC_StatusName(st), HTC_StatusName(want));
}

static void
fuzz_one(const char *in, size_t len, enum h1_kind kind)
{
	static struct run r1, r2;
	static size_t cut[1024];
	static char m[1024];
	size_t n;

	n = mutate(m, in, len);
	assert(n < sizeof cut / sizeof cut[0]);
	cut[0] = n;
	run(&r1, m, n, cut, 1, kind, &lim_dflt, 1);
	run(&r2, m, n, cut, cuts_step(cut, n, 1), kind, &lim_dflt, 1);
	CHECKF(same(&r1, &r2), "[%.*s]: %s vs %s (1 byte)", (int)n, m,
	    HTC_StatusName(r1.st), HTC_StatusName(r2.st));
	run(&r2, m, n, cut, cuts_random(cut, n), kind, &lim_dflt, 1);
	CHECKF(same(&r1, &r2), "[%.*s]: %s vs %s (random)", (int)n, m,
	    HTC_StatusName(r1.st), HTC_StatusName(r2.st));
	feed_exact(m, n, kind, r1.st);
}

static void
fuzz(void)
{
	unsigned i, j;

	for (i = 0; i < 60; i++) {
		for (j = 0; j < sizeof good_req / sizeof good_req[0]; j++)
			fuzz_one(good_req[j].in, good_req[j].len, H1_REQUEST);
		for (j = 0; j < sizeof good_resp / sizeof good_resp[0]; j++)
			fuzz_one(good_resp[j].in, good_resp[j].len,
			    H1_RESPONSE);
	}
}

int
main(void)
{

	pool = HTC_PoolNew(BUFSIZE, 16);
	AN(pool);
	RUN(good_requests);
	RUN(good_responses);
	RUN(bad_requests);
	RUN(bad_responses);
	RUN(byte_values);
	RUN(limits);
	RUN(pipelined);
	RUN(pipelined_responses);
	RUN(compaction);
	RUN(eof_and_errors);
	RUN(fill);
	RUN(free_lists);
	RUN(fuzz);
	HTC_PoolDestroy(&pool);
	TAP_EXIT();
}
