/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * h1p.h -- the llhttp adapter, private to htc.c and h1p.c.
 *
 * struct h1p is the parser state of one head being parsed.  It lives in
 * the HTC buffer next to the struct h1_head it fills, so an idle
 * connection holds neither.  The llhttp parser itself is kept as opaque,
 * aligned storage: only h1p.c includes llhttp.h, and it checks at compile
 * time that llhttp_t fits.  (A pointer to a separately allocated parser
 * was rejected: it would be a malloc per buffer and one more object to
 * own.)
 *
 * The caller gives the head as a base pointer and a length; the bytes
 * [0, fed) were seen by earlier calls and only [fed, len) are new.  The
 * base may move between calls (the buffer can be compacted), because
 * every span is kept as an offset from it.
 */

#ifndef FRONTD_H1P_H
#define FRONTD_H1P_H

#include <stdint.h>

#include "htc.h"

#define H1P_LLSIZE	128	/* room for llhttp_t, checked in h1p.c */

struct h1p {
	unsigned		magic;
#define H1P_MAGIC		0x48315021
	enum h1_kind		kind;
	enum htc_status		result;	/* HTC_MORE until decided */
	unsigned		fed;	/* bytes of the head seen so far */
	unsigned		len;	/* bytes available during H1P_Feed */
	unsigned		mstart;	/* bad method: its first byte */
	unsigned		mpos;	/* bad method: classified up to here */
	unsigned		lpos;	/* limits: judged up to here */
	unsigned		llen;	/* limits: target or field line so far */
	unsigned		lfields; /* limits: field lines begun */
	unsigned char		lstate;	/* limits: where in the head */
	unsigned char		prev;	/* byte class before 'fed' */
	unsigned char		fstate;	/* between fields, in name, in value */
	unsigned char		badmethod;
	unsigned char		te_seen;	/* a Transfer-Encoding field */
	unsigned char		te_any;		/* a coding in it */
	unsigned char		te_chunked;	/* chunked seen */
	unsigned char		te_last;	/* last coding is chunked */
	unsigned char		te_unknown;	/* a coding we do not know */
	struct h1_span		version;	/* "1.1" of "HTTP/1.1" */
	const char		*base;		/* valid during H1P_Feed */
	const struct htc_limits	*lim;		/* valid during H1P_Feed */
	struct h1_head		*hd;
	union {
		unsigned char	b[H1P_LLSIZE];
		uint64_t	u;
		void		*p;
	} ll;
};

/* Start a new head of the given kind, to be filled into 'hd'. */
void H1P_Init(struct h1p *, struct h1_head *, enum h1_kind);

/*
 * Parse the new bytes [hp->fed, len) of the head at 'base'.  Returns
 * HTC_COMPLETE (hd->hdrlen is the length of the head), HTC_MORE, or a
 * final error status; once decided, the same status again.
 */
enum htc_status H1P_Feed(struct h1p *, const char *base, size_t len,
    const struct htc_limits *);

#endif /* FRONTD_H1P_H */
