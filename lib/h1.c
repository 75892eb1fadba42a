/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * h1.c -- helpers over a parsed HTTP/1 head, and the chunked transfer
 * coding.
 *
 * The head helpers only read spans: they find fields, compare tokens
 * without regard to case and walk comma-separated lists, without copying
 * or allocating.
 *
 * The chunked decoder is a byte-at-a-time state machine with a fast path
 * for payload, so that it gives the same answer however the body is split
 * into reads, and needs no buffer of its own: a size line or a trailer
 * line is checked as it passes, never collected.  It is strict
 * (RFC 9112 section 7.1): hex digits only, no overflow, CRLF exactly
 * (a bare LF is an error, as is a bare CR), extensions without control
 * bytes, trailer field lines that are a token, a colon and a value
 * without control bytes.  Size lines and the trailer section are bounded.
 * llhttp's own chunked parser was rejected: it would tie the body path to
 * the parser state in the receive buffer, which an idle connection gives
 * back; this machine is a few words inside whoever streams the body.
 */

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "vas.h"
#include "h1.h"

#define H1_CK_LINEMAX		4096	/* one chunk size line */
#define H1_CK_TRAILERMAX	16384	/* the whole trailer section */

enum {
	CK_SIZE0 = 0,	/* first hex digit of a chunk size */
	CK_SIZE,	/* more hex digits */
	CK_SIZE_WS,	/* BWS before ';' */
	CK_EXT,		/* chunk extensions, up to CR */
	CK_SIZE_LF,	/* LF ending the size line */
	CK_DATA,	/* payload */
	CK_DATA_CR,	/* CR after the payload */
	CK_DATA_LF,	/* LF after the payload */
	CK_TRL0,	/* start of a trailer line, or the final CRLF */
	CK_TNAME,	/* trailer field name */
	CK_TVALUE,	/* trailer field value, up to CR */
	CK_TVALUE_LF,	/* LF ending a trailer line */
	CK_END_LF,	/* LF of the final CRLF */
	CK_DONE,
	CK_ERR,
};

/*--------------------------------------------------------------------
 * Is c a token character (RFC 9110 5.6.2)?
 */

static int
h1_tchar(unsigned c)
{

	if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		return (1);
	return (c != 0 && strchr("!#$%&'*+-.^_`|~", (int)c) != NULL);
}

/*--------------------------------------------------------------------
 * Is c a control byte other than HTAB?
 */

static int
h1_ctl(unsigned c)
{

	return ((c < 0x20 && c != '\t') || c == 0x7f);
}

/*--------------------------------------------------------------------
 * The field named 'name', from *idx on.  See h1.h.
 */

const struct h1_field *
H1_Find(const struct h1_head *hd, const char *base, const char *name,
    unsigned *idx)
{
	const struct h1_field *f;
	size_t l;
	unsigned i;

	CHECK_OBJ_NOTNULL(hd, H1_HEAD_MAGIC);
	AN(base);
	AN(name);
	l = strlen(name);
	for (i = (idx != NULL) ? *idx : 0; i < hd->nfield; i++) {
		f = &hd->field[i];
		if (f->name.len == l &&
		    strncasecmp(base + f->name.off, name, l) == 0) {
			if (idx != NULL)
				*idx = i + 1;
			return (f);
		}
	}
	if (idx != NULL)
		*idx = hd->nfield;
	return (NULL);
}

/*--------------------------------------------------------------------
 * Does the span equal str, ignoring case?
 */

int
H1_SpanIs(const char *base, const struct h1_span *sp, const char *str)
{

	AN(base);
	AN(sp);
	AN(str);
	return (strlen(str) == sp->len &&
	    strncasecmp(base + sp->off, str, sp->len) == 0);
}

/*--------------------------------------------------------------------
 * The next element of a comma-separated list in [*pp, e): its bounds,
 * OWS trimmed, in *sp and *tp (possibly empty).  0 at the end of the list.
 */

int
H1_ListNext(const char **pp, const char *e, const char **sp, const char **tp)
{
	const char *p = *pp, *s, *t;

	if (p >= e)
		return (0);
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	for (s = p; p < e && *p != ','; p++)
		continue;
	for (t = p; t > s && (t[-1] == ' ' || t[-1] == '\t'); t--)
		continue;
	if (p < e)
		p++;
	*pp = p;
	*sp = s;
	*tp = t;
	return (1);
}

/*--------------------------------------------------------------------
 * Does the comma-separated list in the span hold the token?  Elements
 * are compared whole, OWS around them ignored, empty ones skipped.
 */

int
H1_ListHas(const char *base, const struct h1_span *sp, const char *token)
{
	const char *p, *e, *s, *t;
	size_t l;

	AN(base);
	AN(sp);
	AN(token);
	l = strlen(token);
	p = base + sp->off;
	e = p + sp->len;
	while (H1_ListNext(&p, e, &s, &t))
		if ((size_t)(t - s) == l && strncasecmp(s, token, l) == 0)
			return (1);
	return (0);
}

/*--------------------------------------------------------------------
 * HTTP/1.1 keeps the connection unless "close"; HTTP/1.0 only with
 * "keep-alive" (and no "close"); anything else closes.
 */

int
H1_KeepAlive(const struct h1_head *hd)
{

	CHECK_OBJ_NOTNULL(hd, H1_HEAD_MAGIC);
	if (hd->vmajor != 1 || hd->conn_close)
		return (0);
	if (hd->vminor >= 1)
		return (1);
	return (hd->conn_keepalive);
}

/*--------------------------------------------------------------------
 * "Keep-Alive: timeout=5, max=100" (RFC 2068 section 19.7.1.1): the
 * timeout parameter, a number of seconds; -1 if there is none or it is
 * not a plain number.
 */

int
H1_KeepAliveTimeout(const struct h1_head *hd, const char *base)
{
	const struct h1_field *f;
	const char *p, *e, *s, *t;
	unsigned idx = 0;
	long v;
	int r = -1;

	CHECK_OBJ_NOTNULL(hd, H1_HEAD_MAGIC);
	while ((f = H1_Find(hd, base, "keep-alive", &idx)) != NULL) {
		p = base + f->value.off;
		e = p + f->value.len;
		while (H1_ListNext(&p, e, &s, &t)) {
			if (t - s < 9 || strncasecmp(s, "timeout=", 8) != 0)
				continue;
			for (v = 0, s += 8; s < t && v < 1000000; s++) {
				if (*s < '0' || *s > '9')
					break;
				v = v * 10 + (*s - '0');
			}
			if (s == t)
				r = (int)v;
		}
	}
	return (r);
}

/*--------------------------------------------------------------------
 * Start decoding a chunked body.
 */

void
H1_ChunkedInit(struct h1_chunked *ck)
{

	AN(ck);
	memset(ck, 0, sizeof *ck);
	ck->magic = H1_CHUNKED_MAGIC;
	ck->state = CK_SIZE0;
}

/*--------------------------------------------------------------------
 * The value of a hex digit, or -1.
 */

static int
h1_hex(unsigned c)
{

	if (c >= '0' && c <= '9')
		return ((int)(c - '0'));
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return ((int)(c - 'a' + 10));
	return (-1);
}

/*--------------------------------------------------------------------
 * One byte of a chunk size line.  Returns -1 on a framing error.
 */

static int
h1_ck_size(struct h1_chunked *ck, unsigned c)
{
	int d;

	if (++ck->linelen > H1_CK_LINEMAX)
		return (-1);
	d = h1_hex(c);
	switch (ck->state) {
	case CK_SIZE0:
		if (d < 0)
			return (-1);
		ck->left = (uint64_t)d;
		ck->state = CK_SIZE;
		return (0);
	case CK_SIZE:
		if (d >= 0) {
			if (ck->left >> 59 != 0)	/* > INT64_MAX after */
				return (-1);
			ck->left = (ck->left << 4) | (uint64_t)d;
			return (0);
		}
		/* FALLTHROUGH */
	case CK_SIZE_WS:
		if (c == ' ' || c == '\t')
			ck->state = CK_SIZE_WS;
		else if (c == ';')
			ck->state = CK_EXT;
		else if (c == '\r' && ck->state == CK_SIZE)
			ck->state = CK_SIZE_LF;
		else
			return (-1);
		return (0);
	case CK_EXT:
		if (c == '\r')
			ck->state = CK_SIZE_LF;
		else if (h1_ctl(c))
			return (-1);
		return (0);
	case CK_SIZE_LF:
		if (c != '\n')
			return (-1);
		ck->linelen = 0;
		ck->state = (ck->left == 0) ? CK_TRL0 : CK_DATA;
		return (0);
	default:
		WRONG("chunk size state");
	}
}

/*--------------------------------------------------------------------
 * One byte of the trailer section.  Returns -1 on a framing error.
 */

static int
h1_ck_trailer(struct h1_chunked *ck, unsigned c)
{

	if (++ck->ntrailer > H1_CK_TRAILERMAX)
		return (-1);
	ck->linelen++;
	switch (ck->state) {
	case CK_TRL0:
		if (c == '\r')
			ck->state = CK_END_LF;
		else if (h1_tchar(c))
			ck->state = CK_TNAME;
		else
			return (-1);	/* obs-fold, bare LF, junk */
		return (0);
	case CK_TNAME:
		if (c == ':')
			ck->state = CK_TVALUE;
		else if (!h1_tchar(c))
			return (-1);
		return (0);
	case CK_TVALUE:
		if (c == '\r')
			ck->state = CK_TVALUE_LF;
		else if (h1_ctl(c))
			return (-1);
		return (0);
	case CK_TVALUE_LF:
	case CK_END_LF:
		if (c != '\n')
			return (-1);
		ck->linelen = 0;
		ck->state = (ck->state == CK_END_LF) ? CK_DONE : CK_TRL0;
		return (0);
	default:
		WRONG("chunk trailer state");
	}
}

/*--------------------------------------------------------------------
 * One framing byte outside the payload.  Returns -1 on an error.
 */

static int
h1_ck_byte(struct h1_chunked *ck, unsigned c)
{

	switch (ck->state) {
	case CK_DATA_CR:
		if (c != '\r')
			return (-1);
		ck->state = CK_DATA_LF;
		return (0);
	case CK_DATA_LF:
		if (c != '\n')
			return (-1);
		ck->state = CK_SIZE0;
		return (0);
	case CK_SIZE0:
	case CK_SIZE:
	case CK_SIZE_WS:
	case CK_EXT:
	case CK_SIZE_LF:
		return (h1_ck_size(ck, c));
	default:
		return (h1_ck_trailer(ck, c));
	}
}

/*--------------------------------------------------------------------
 * Scan and consume chunked framing.  See h1.h.
 */

ssize_t
H1_Chunked(struct h1_chunked *ck, const char *p, size_t len,
    h1_data_f *data, void *priv, int *done)
{
	const char *s = p, *e = p + len;
	size_t n;

	CHECK_OBJ_NOTNULL(ck, H1_CHUNKED_MAGIC);
	AN(done);
	assert(len == 0 || p != NULL);
	*done = 0;
	if (ck->state == CK_ERR)
		return (-1);
	while (p < e && ck->state != CK_DONE) {
		if (ck->state == CK_DATA) {
			n = (size_t)(e - p);
			if (n > ck->left)
				n = (size_t)ck->left;
			if (data != NULL)
				data(priv, p, n);
			p += n;
			ck->left -= n;
			if (ck->left == 0)
				ck->state = CK_DATA_CR;
			continue;
		}
		if (h1_ck_byte(ck, (unsigned char)*p) != 0) {
			ck->state = CK_ERR;
			return (-1);
		}
		p++;
	}
	*done = (ck->state == CK_DONE);
	return ((ssize_t)(p - s));
}
