/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * h1p.c -- the llhttp adapter: an HTTP/1 request or response head, parsed
 * incrementally into a struct h1_head, and judged strictly.
 *
 * This is the only file that includes llhttp.h.  llhttp (Debian's 8.1)
 * runs with one static const settings object and no lenient flag.  Its
 * span callbacks record offsets from the first byte of the head, and a
 * token that arrives in pieces extends its span, so no byte is copied and
 * nothing is parsed twice.  on_headers_complete pauses the parser: the
 * error position is then the end of the head, and whatever follows (a
 * body, the next pipelined message) is never shown to llhttp.  For the
 * next head the parser is simply initialised again; llhttp's own body and
 * keep-alive machinery is not used.
 *
 * llhttp 8.1 alone lets through things a proxy must refuse (bare LF, a
 * bare CR ending a status line or the head, obs-fold, SP before the colon
 * or inside a name, an empty field name, control bytes in the reason, TAB
 * and non-ASCII in the target, two SP in the request line, HTTP/0.9,
 * HTTP/2.0 and RTSP versions, a status below 100 or of two digits, a
 * request Transfer-Encoding not ending in chunked (llhttp checks that
 * only after on_headers_complete, where it is paused here), unknown
 * codings), so three checks are added here:
 *
 *   - a byte scan over exactly the bytes llhttp consumed, with a class
 *     table: every CR followed by LF, every LF preceded by CR, no SP or
 *     HTAB at the start of a line, no control byte but HTAB;
 *   - callbacks that check each span (target bytes, field name token,
 *     limits) and decide framing from each complete field;
 *   - a check of the whole start line and of the framing at the end of
 *     the head.
 *
 * Rejected: running llhttp over the whole buffer again on every read (the
 * classic way with http_parser), and a hand-written head parser (the
 * point of llhttp is a parser others have fuzzed for years; what is added
 * here is narrow and table-driven).
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "llhttp.h"

#include "vas.h"
#include "h1p.h"

_Static_assert(sizeof(llhttp_t) <= H1P_LLSIZE, "llhttp_t does not fit");
_Static_assert(_Alignof(llhttp_t) <= _Alignof(uint64_t) ||
    _Alignof(llhttp_t) <= _Alignof(void *), "llhttp_t alignment");

/* Byte classes for the scan (low bits) and flags. */
enum { C_OK = 0, C_WS, C_CR, C_LF, C_BAD };
#define C_MASK		0x0f
#define T_TCHAR		0x10	/* token character */
#define T_VCHAR		0x20	/* visible ASCII */

#define B	C_BAD
#define W	C_WS
#define R	C_CR
#define L	C_LF
#define T	(T_TCHAR | T_VCHAR)
#define V	T_VCHAR

static const unsigned char h1p_ctab[256] = {
	B, B, B, B, B, B, B, B, B, W, L, B, B, R, B, B,	/* 0x00 */
	B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,	/* 0x10 */
	W, T, V, T, T, T, T, T, V, V, T, T, V, T, T, V,	/*  !"#$%&'()*+,-./ */
	T, T, T, T, T, T, T, T, T, T, V, V, V, V, V, V,	/* 0123456789:;<=>? */
	V, T, T, T, T, T, T, T, T, T, T, T, T, T, T, T,	/* @ABCDEFGHIJKLMNO */
	T, T, T, T, T, T, T, T, T, T, T, V, V, V, T, T,	/* PQRSTUVWXYZ[\]^_ */
	T, T, T, T, T, T, T, T, T, T, T, T, T, T, T, T,	/* `abcdefghijklmno */
	T, T, T, T, T, T, T, T, T, T, T, V, T, V, T, B,	/* pqrstuvwxyz{|}~  */
	/* 0x80 to 0xff: obs-text, allowed in field values and reasons */
};

#undef B
#undef W
#undef R
#undef L
#undef T
#undef V

enum { FS_NONE = 0, FS_NAME, FS_VALUE };

/*--------------------------------------------------------------------
 * The llhttp parser in its storage.
 */

static llhttp_t *
h1p_ll(struct h1p *hp)
{

	return ((llhttp_t *)(void *)hp->ll.b);
}

/*--------------------------------------------------------------------
 * From the llhttp parser back to ours, checked.
 */

static struct h1p *
h1p_from(llhttp_t *ll)
{
	struct h1p *hp;

	CAST_OBJ_NOTNULL(hp, ll->data, H1P_MAGIC);
	AN(hp->base);
	return (hp);
}

/*--------------------------------------------------------------------
 * Decide a failure from a callback; llhttp stops on the -1.
 */

static int
h1p_fail(struct h1p *hp, enum htc_status st)
{

	assert(st != HTC_COMPLETE && st != HTC_MORE);
	if (hp->result == HTC_MORE)
		hp->result = st;
	return (-1);
}

/*--------------------------------------------------------------------
 * Record a piece of a token: start the span, or extend it.
 */

static void
h1p_span(const struct h1p *hp, struct h1_span *sp, const char *at,
    size_t len)
{
	unsigned off;

	assert(at >= hp->base && at + len <= hp->base + hp->len);
	off = (unsigned)(at - hp->base);
	if (sp->len == 0)
		sp->off = off;
	sp->len = off + (unsigned)len - sp->off;
}

/*--------------------------------------------------------------------
 * Are all bytes of [p, e) token characters, and is there one at least?
 */

static int
h1p_token(const char *p, const char *e)
{

	if (p >= e)
		return (0);
	for (; p < e; p++)
		if (!(h1p_ctab[(unsigned char)*p] & T_TCHAR))
			return (0);
	return (1);
}

/*--------------------------------------------------------------------
 * Has the word of 8 bytes at p a byte below 0x20 or DEL?  (Exact for
 * "none"; a borrow may flag a byte next to a real one, which the byte
 * loop then sorts out.)
 */

static int
h1p_ctl8(const char *p)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t x, y;

	memcpy(&x, p, sizeof x);
	y = x ^ (0x7f * ones);
	return ((((x - 0x20 * ones) & ~x) | ((y - ones) & ~y)) & high) != 0;
}

/*--------------------------------------------------------------------
 * The byte scan: line endings, line starts and control bytes.
 * Returns non-zero on the first bad byte.  Runs of plain bytes are
 * skipped a word at a time.
 */

static int
h1p_scan(struct h1p *hp, const char *p, const char *e)
{
	unsigned prev, c;

	prev = hp->prev;
	while (p < e) {
		if (prev == C_OK) {
			while (e - p >= 8 && !h1p_ctl8(p))
				p += 8;
			while (p < e &&
			    (h1p_ctab[(unsigned char)*p] & C_MASK) <= C_WS)
				p++;
			if (p == e)
				break;
		}
		c = h1p_ctab[(unsigned char)*p++] & C_MASK;
		if (c == C_BAD || (prev == C_CR) != (c == C_LF) ||
		    (prev == C_LF && c == C_WS))
			return (1);
		prev = (c == C_WS) ? C_OK : c;
	}
	hp->prev = (unsigned char)prev;
	return (0);
}

/*--------------------------------------------------------------------
 * A piece of the method token.
 */

static int
h1p_on_method(llhttp_t *ll, const char *at, size_t len)
{
	struct h1p *hp = h1p_from(ll);

	h1p_span(hp, &hp->hd->method_s, at, len);
	return (0);
}

/*--------------------------------------------------------------------
 * The method is complete: map it, refuse the ones that are not HTTP/1.
 */

static int
h1p_on_method_complete(llhttp_t *ll)
{
	struct h1p *hp = h1p_from(ll);
	enum h1_method m;

	switch (ll->method) {
	case HTTP_GET:		m = H1_M_GET; break;
	case HTTP_HEAD:		m = H1_M_HEAD; break;
	case HTTP_POST:		m = H1_M_POST; break;
	case HTTP_PUT:		m = H1_M_PUT; break;
	case HTTP_DELETE:	m = H1_M_DELETE; break;
	case HTTP_OPTIONS:	m = H1_M_OPTIONS; break;
	case HTTP_TRACE:	m = H1_M_TRACE; break;
	case HTTP_CONNECT:	m = H1_M_CONNECT; break;
	case HTTP_PATCH:	m = H1_M_PATCH; break;
	default:
		/* PRI and the RTSP methods are not HTTP/1 methods */
		if (ll->method > HTTP_SOURCE)
			return (h1p_fail(hp, HTC_NOT_IMPL));
		m = H1_M_OTHER;
		break;
	}
	hp->hd->method = m;
	return (0);
}

/*--------------------------------------------------------------------
 * A piece of the request-target: its limit, visible ASCII only.
 */

static int
h1p_on_url(llhttp_t *ll, const char *at, size_t len)
{
	struct h1p *hp = h1p_from(ll);
	size_t i;

	h1p_span(hp, &hp->hd->target, at, len);
	if (hp->hd->target.len > hp->lim->target_max)
		return (h1p_fail(hp, HTC_URI_TOO_LONG));
	for (i = 0; i < len; i++)
		if (!(h1p_ctab[(unsigned char)at[i]] & T_VCHAR))
			return (h1p_fail(hp, HTC_BAD));
	return (0);
}

/*--------------------------------------------------------------------
 * A piece of the version ("1.1"), checked whole at the end of the head.
 */

static int
h1p_on_version(llhttp_t *ll, const char *at, size_t len)
{
	struct h1p *hp = h1p_from(ll);

	h1p_span(hp, &hp->version, at, len);
	return (0);
}

/*--------------------------------------------------------------------
 * A piece of the reason phrase (llhttp calls the whole rest "status").
 */

static int
h1p_on_status(llhttp_t *ll, const char *at, size_t len)
{
	struct h1p *hp = h1p_from(ll);

	h1p_span(hp, &hp->hd->reason, at, len);
	return (0);
}

/*--------------------------------------------------------------------
 * A piece of a field name; the first piece starts a new field line.
 */

static int
h1p_on_header_field(llhttp_t *ll, const char *at, size_t len)
{
	struct h1p *hp = h1p_from(ll);
	struct h1_head *hd = hp->hd;
	struct h1_field *f;
	unsigned max;

	if (hp->fstate != FS_NAME) {
		max = hp->lim->nfield_max;
		if (max > H1_MAXFIELDS)
			max = H1_MAXFIELDS;
		if (hd->nfield >= max)
			return (h1p_fail(hp, HTC_TOO_LARGE));
		f = &hd->field[hd->nfield++];
		memset(f, 0, sizeof *f);
		hp->fstate = FS_NAME;
	}
	f = &hd->field[hd->nfield - 1];
	h1p_span(hp, &f->name, at, len);
	if (f->name.len > hp->lim->field_max)
		return (h1p_fail(hp, HTC_TOO_LARGE));
	return (0);
}

/*--------------------------------------------------------------------
 * The field name is complete: it must be a token.
 */

static int
h1p_on_header_field_complete(llhttp_t *ll)
{
	struct h1p *hp = h1p_from(ll);
	struct h1_field *f;
	const char *n;

	assert(hp->fstate == FS_NAME);
	f = &hp->hd->field[hp->hd->nfield - 1];
	n = hp->base + f->name.off;
	/* llhttp takes "Host : x" and ": x"; a name is a token */
	if (!h1p_token(n, n + f->name.len))
		return (h1p_fail(hp, HTC_BAD));
	f->value.off = f->name.off + f->name.len + 1;
	f->value.len = 0;
	hp->fstate = FS_VALUE;
	return (0);
}

/*--------------------------------------------------------------------
 * A piece of a field value: the field line limit.
 */

static int
h1p_on_header_value(llhttp_t *ll, const char *at, size_t len)
{
	struct h1p *hp = h1p_from(ll);
	struct h1_field *f;

	assert(hp->fstate == FS_VALUE);
	f = &hp->hd->field[hp->hd->nfield - 1];
	h1p_span(hp, &f->value, at, len);
	if (f->value.off + f->value.len - f->name.off > hp->lim->field_max)
		return (h1p_fail(hp, HTC_TOO_LARGE));
	return (0);
}

/*--------------------------------------------------------------------
 * Content-Length: digits only, fits int64_t, one field only.
 */

static int
h1p_cl(struct h1p *hp, const struct h1_field *f)
{
	const char *p = hp->base + f->value.off;
	int64_t v = 0;
	unsigned i, d;

	if (hp->hd->content_length >= 0 || f->value.len == 0)
		return (h1p_fail(hp, HTC_BAD));
	for (i = 0; i < f->value.len; i++) {
		d = (unsigned)(unsigned char)p[i] - '0';
		if (d > 9 || v > (INT64_MAX - (int64_t)d) / 10)
			return (h1p_fail(hp, HTC_BAD));
		v = v * 10 + (int64_t)d;
	}
	hp->hd->content_length = v;
	return (0);
}

/*--------------------------------------------------------------------
 * Is the transfer coding [p, e) one that a recipient may know?
 */

static int
h1p_coding_known(const char *p, const char *e)
{
	static const char * const known[] = {
		"gzip", "x-gzip", "deflate", "compress", "x-compress", NULL
	};
	const char * const *k;
	size_t l = (size_t)(e - p);

	for (k = known; *k != NULL; k++)
		if (strlen(*k) == l && strncasecmp(*k, p, l) == 0)
			return (1);
	return (0);
}

/*--------------------------------------------------------------------
 * One coding of a Transfer-Encoding list.
 */

static int
h1p_coding(struct h1p *hp, const char *p, const char *e)
{
	int chunked;

	if (!h1p_token(p, e))
		return (h1p_fail(hp, HTC_BAD));
	chunked = (e - p == 7 && strncasecmp(p, "chunked", 7) == 0);
	/* chunked twice; chunked not last in a request */
	if (hp->te_chunked && (chunked || hp->kind == H1_REQUEST))
		return (h1p_fail(hp, HTC_BAD));
	hp->te_any = 1;
	hp->te_last = (unsigned char)chunked;
	if (chunked)
		hp->te_chunked = 1;
	else if (!h1p_coding_known(p, e))
		hp->te_unknown = 1;
	return (0);
}

/*--------------------------------------------------------------------
 * Transfer-Encoding: a list of codings, over one field line or more.
 */

static int
h1p_te(struct h1p *hp, const struct h1_field *f)
{
	const char *p = hp->base + f->value.off;
	const char *e = p + f->value.len;
	const char *s, *t;

	hp->te_seen = 1;
	while (H1_ListNext(&p, e, &s, &t))
		if (s < t && h1p_coding(hp, s, t))
			return (-1);
	return (0);
}

/*--------------------------------------------------------------------
 * Is the name n (of the length of lc) the lower-case lc, ignoring case?
 * The first byte is compared inline: most names differ there.
 */

static int
h1p_named(const char *n, const char *lc, size_t l)
{

	return ((n[0] | 0x20) == lc[0] && strncasecmp(n, lc, l) == 0);
}

/*--------------------------------------------------------------------
 * The fields the proxy decides framing and connection handling from.
 */

static int
h1p_field(struct h1p *hp, const struct h1_field *f)
{
	struct h1_head *hd = hp->hd;
	const char *b = hp->base;
	const char *n = b + f->name.off;

	switch (f->name.len) {
	case 4:
		if (hp->kind == H1_REQUEST && h1p_named(n, "host", 4))
			hd->nhost++;
		return (0);
	case 6:
		if (h1p_named(n, "expect", 6) &&
		    H1_SpanIs(b, &f->value, "100-continue"))
			hd->expect_continue = 1;
		return (0);
	case 7:
		if (h1p_named(n, "upgrade", 7))
			hd->upgrade = 1;
		return (0);
	case 10:
		if (!h1p_named(n, "connection", 10))
			return (0);
		if (H1_ListHas(b, &f->value, "close"))
			hd->conn_close = 1;
		if (H1_ListHas(b, &f->value, "keep-alive"))
			hd->conn_keepalive = 1;
		if (H1_ListHas(b, &f->value, "upgrade"))
			hd->conn_upgrade = 1;
		return (0);
	case 14:
		if (h1p_named(n, "content-length", 14))
			return (h1p_cl(hp, f));
		return (0);
	case 17:
		if (h1p_named(n, "transfer-encoding", 17))
			return (h1p_te(hp, f));
		return (0);
	default:
		return (0);
	}
}

/*--------------------------------------------------------------------
 * A field value is complete: strip OWS, then look at the field.
 */

static int
h1p_on_header_value_complete(llhttp_t *ll)
{
	struct h1p *hp = h1p_from(ll);
	struct h1_field *f;
	const char *v;

	assert(hp->fstate == FS_VALUE);
	f = &hp->hd->field[hp->hd->nfield - 1];
	v = hp->base + f->value.off;
	while (f->value.len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		f->value.off++;
		f->value.len--;
	}
	while (f->value.len > 0 &&
	    (v[f->value.len - 1] == ' ' || v[f->value.len - 1] == '\t'))
		f->value.len--;
	hp->fstate = FS_NONE;
	return (h1p_field(hp, f));
}

/*--------------------------------------------------------------------
 * method SP request-target SP HTTP/d.d, single spaces, nothing else.
 */

static int
h1p_reqline(const struct h1p *hp)
{
	const struct h1_head *hd = hp->hd;
	unsigned te;

	if (hd->method_s.len == 0 || hd->target.len == 0 ||
	    hp->version.len != 3)
		return (-1);
	if (hd->target.off != hd->method_s.off + hd->method_s.len + 1 ||
	    hp->base[hd->target.off - 1] != ' ')
		return (-1);
	te = hd->target.off + hd->target.len;
	if (hp->version.off != te + 6 ||
	    memcmp(hp->base + te, " HTTP/", 6) != 0)
		return (-1);
	return (0);
}

/*--------------------------------------------------------------------
 * HTTP/d.d SP 3DIGIT [SP reason], the status at least 100.
 */

static int
h1p_statusline(const struct h1p *hp)
{
	struct h1_head *hd = hp->hd;
	const char *b = hp->base;
	unsigned p, i, st = 0;

	if (hp->version.len != 3 || hp->version.off < 5 ||
	    memcmp(b + hp->version.off - 5, "HTTP/", 5) != 0)
		return (-1);
	p = hp->version.off + 3;
	if (p + 5 > hp->len || b[p] != ' ')
		return (-1);
	for (i = 1; i <= 3; i++) {
		if (b[p + i] < '0' || b[p + i] > '9')
			return (-1);
		st = st * 10 + (unsigned)(b[p + i] - '0');
	}
	if (st < 100 || (b[p + 4] != ' ' && b[p + 4] != '\r'))
		return (-1);
	if (hd->reason.len > 0 && hd->reason.off != p + 5)
		return (-1);
	if (hd->reason.len == 0)
		hd->reason.off = (b[p + 4] == ' ') ? p + 5 : p + 4;
	hd->status = st;
	return (0);
}

/*--------------------------------------------------------------------
 * Framing from Transfer-Encoding and Content-Length (RFC 9112 6.1, 6.3).
 */

static int
h1p_framing(struct h1p *hp)
{
	struct h1_head *hd = hp->hd;

	if (!hp->te_seen)
		return (0);
	/* empty list, TE with CL, TE in HTTP/1.0 */
	if (!hp->te_any || hd->content_length >= 0 || hd->vminor == 0)
		return (h1p_fail(hp, HTC_BAD));
	if (hp->kind == H1_REQUEST) {
		if (!hp->te_last)
			return (h1p_fail(hp, HTC_BAD));
		if (hp->te_unknown)
			return (h1p_fail(hp, HTC_NOT_IMPL));
	}
	hd->chunked = (hp->te_last != 0);
	return (0);
}

/*--------------------------------------------------------------------
 * The head is complete: check it whole, then pause llhttp.
 */

static int
h1p_on_headers_complete(llhttp_t *ll)
{
	struct h1p *hp = h1p_from(ll);
	struct h1_head *hd = hp->hd;
	int bad;

	hd->vmajor = ll->http_major;
	hd->vminor = ll->http_minor;
	if (hp->kind == H1_REQUEST)
		bad = h1p_reqline(hp);
	else
		bad = h1p_statusline(hp);
	if (bad || hd->vmajor != 1 || hd->vminor > 1)
		return (h1p_fail(hp, HTC_BAD));
	if (h1p_framing(hp))
		return (-1);
	return (HPE_PAUSED);
}

/* The one settings object; llhttp keeps a pointer to it. */
static const llhttp_settings_t h1p_settings = {
	.on_method =			h1p_on_method,
	.on_method_complete =		h1p_on_method_complete,
	.on_url =			h1p_on_url,
	.on_version =			h1p_on_version,
	.on_status =			h1p_on_status,
	.on_header_field =		h1p_on_header_field,
	.on_header_field_complete =	h1p_on_header_field_complete,
	.on_header_value =		h1p_on_header_value,
	.on_header_value_complete =	h1p_on_header_value_complete,
	.on_headers_complete =		h1p_on_headers_complete,
};

/*--------------------------------------------------------------------
 * llhttp refused the method.  A token followed by SP is a method we do
 * not implement (501); anything else is junk (400).  Decided on the bytes
 * themselves, so that it does not depend on where reads split them.
 */

static enum htc_status
h1p_badmethod(struct h1p *hp, const char *base, size_t len)
{
	size_t i;

	if (!hp->badmethod) {
		hp->badmethod = 1;
		i = 0;
		while (i < len && (base[i] == '\r' || base[i] == '\n'))
			i++;
		hp->mstart = hp->mpos = (unsigned)i;
	}
	for (i = hp->mpos; i < len; i++) {
		if (h1p_ctab[(unsigned char)base[i]] & T_TCHAR)
			continue;
		if (base[i] == ' ' && i > hp->mstart)
			hp->result = HTC_NOT_IMPL;
		else
			hp->result = HTC_BAD;
		return (hp->result);
	}
	hp->mpos = hp->fed = (unsigned)len;
	return (HTC_MORE);
}

/*--------------------------------------------------------------------
 * The limits on the request-target, a field line and the number of
 * field lines, judged on the raw bytes before llhttp sees them: the
 * offset of the first byte past a limit (llhttp is fed up to it, not
 * beyond) and in *st what to answer, or len.  Done here, not in the
 * span callbacks, because llhttp calls those when a read ends: a head
 * that is both too long and malformed further on would otherwise get a
 * 414 or a 400 depending on where reads split it.
 */

enum {
	L_START = 0,		/* empty lines before the start line */
	L_METHOD,
	L_TARGET,
	L_LINE,			/* the rest of the start line */
	L_BOL,			/* the start of a field line */
	L_FIELD,
	L_EOH,			/* CR of the empty line seen */
	L_DONE,
};

static size_t
h1p_limits(struct h1p *hp, const char *base, size_t len,
    const struct htc_limits *lim, enum htc_status *st)
{
	unsigned nf = lim->nfield_max < H1_MAXFIELDS ? lim->nfield_max :
	    H1_MAXFIELDS;
	size_t i;
	char c;

	for (i = hp->lpos; i < len && hp->lstate != L_DONE; i++) {
		c = base[i];
		switch (hp->lstate) {
		case L_START:
			if (c == '\r' || c == '\n')
				break;
			hp->lstate = hp->kind == H1_REQUEST ? L_METHOD : L_LINE;
			break;
		case L_METHOD:
			if (c == ' ')
				hp->lstate = L_TARGET;
			else if (c == '\n')
				hp->lstate = L_BOL;
			break;
		case L_TARGET:
			if (c == ' ' || c == '\r' || c == '\n') {
				hp->lstate = c == '\n' ? L_BOL : L_LINE;
				break;
			}
			if (++hp->llen > lim->target_max) {
				*st = HTC_URI_TOO_LONG;
				return (i);
			}
			break;
		case L_LINE:
			if (c == '\n')
				hp->lstate = L_BOL;
			break;
		case L_BOL:
			if (c == '\r' || c == '\n') {
				hp->lstate = c == '\n' ? L_DONE : L_EOH;
				break;
			}
			if (++hp->lfields > nf) {
				*st = HTC_TOO_LARGE;
				return (i);
			}
			hp->llen = 0;
			hp->lstate = L_FIELD;
			/* FALLTHROUGH */
		case L_FIELD:
			if (c == '\n')
				hp->lstate = L_BOL;
			else if (c != '\r' && ++hp->llen > lim->field_max) {
				*st = HTC_TOO_LARGE;
				return (i);
			}
			break;
		default:
			hp->lstate = L_DONE;
			break;
		}
	}
	hp->lpos = (unsigned)i;
	return (len);
}

/*--------------------------------------------------------------------
 * Start a new head of the given kind, to be filled into 'hd'.
 */

void
H1P_Init(struct h1p *hp, struct h1_head *hd, enum h1_kind kind)
{
	llhttp_t *ll;

	AN(hp);
	AN(hd);
	assert(kind == H1_REQUEST || kind == H1_RESPONSE);
	memset(hp, 0, offsetof(struct h1p, ll));
	hp->magic = H1P_MAGIC;
	hp->kind = kind;
	hp->result = HTC_MORE;
	hp->prev = C_LF;
	hp->hd = hd;
	memset(hd, 0, offsetof(struct h1_head, field));
	hd->magic = H1_HEAD_MAGIC;
	hd->kind = kind;
	hd->content_length = -1;
	ll = h1p_ll(hp);
	llhttp_init(ll, kind == H1_REQUEST ? HTTP_REQUEST : HTTP_RESPONSE,
	    &h1p_settings);
	ll->data = hp;
}

/*--------------------------------------------------------------------
 * Parse the new bytes of a head.  See h1p.h.
 */

enum htc_status
H1P_Feed(struct h1p *hp, const char *base, size_t len,
    const struct htc_limits *lim)
{
	llhttp_t *ll;
	enum htc_status lst = HTC_MORE;
	llhttp_errno_t e;
	size_t end, cap;
	int bad;

	CHECK_OBJ_NOTNULL(hp, H1P_MAGIC);
	AN(base);
	AN(lim);
	assert(len >= hp->fed && len <= UINT32_MAX);
	if (hp->result != HTC_MORE || len == hp->fed)
		return (hp->result);
	if (hp->badmethod)
		return (h1p_badmethod(hp, base, len));
	ll = h1p_ll(hp);
	cap = h1p_limits(hp, base, len, lim, &lst);
	hp->base = base;
	hp->lim = lim;
	hp->len = (unsigned)len;
	e = llhttp_execute(ll, base + hp->fed, cap - hp->fed);
	end = cap;
	if (e != HPE_OK)
		end = (size_t)(llhttp_get_error_pos(ll) - base);
	else if (cap < len && hp->result == HTC_MORE)
		hp->result = lst;	/* a limit passed, nothing else went */
	assert(end >= hp->fed && end <= len);
	bad = h1p_scan(hp, base + hp->fed, base + end);
	hp->fed = (unsigned)end;
	hp->base = NULL;
	hp->lim = NULL;
	if (bad)
		hp->result = HTC_BAD;
	else if (e == HPE_PAUSED) {
		hp->hd->hdrlen = (unsigned)end;
		hp->result = HTC_COMPLETE;
	} else if (e == HPE_INVALID_METHOD)
		return (h1p_badmethod(hp, base, len));
	else if (e != HPE_OK && hp->result == HTC_MORE)
		hp->result = HTC_BAD;
	return (hp->result);
}
