/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_head.h -- the head fuzzers' shared body: HTC reads the input
 * through a real socketpair, once whole and once split at offsets the
 * fuzzer chooses, and both runs must agree on every head they find
 * (pipelined ones too): status, head length, and the parsed fields.  A
 * crash, a sanitizer report or a disagreement is a finding.
 *
 * Input: byte 0 is the number of cuts (mod 8), the next that many bytes
 * place them (each a fraction of the data, in 256ths), the rest is data.
 */

#ifndef FRONTD_FUZZ_HEAD_H
#define FRONTD_FUZZ_HEAD_H

#include <sys/socket.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vas.h"
#include "htc.h"

#define FH_MAXHEADS	8
#define FH_MAXLEN	16384

struct fh_out {
	unsigned	n;
	int		st[FH_MAXHEADS];
	unsigned	hdrlen[FH_MAXHEADS];
	uint64_t	sum[FH_MAXHEADS];	/* over the parsed fields */
};

static const struct htc_limits fh_lim = {
	.head_max = 8192, .field_max = 4096, .nfield_max = 64,
	.target_max = 2048,
};

static struct htc_pool *fh_pool;

/* A digest of what the parser made of a head. */
static uint64_t
fh_digest(const struct h1_head *hd)
{
	uint64_t s;
	unsigned i;

	s = (uint64_t)hd->content_length * 31 + hd->chunked * 7 +
	    hd->conn_close * 11 + hd->conn_keepalive * 13 +
	    hd->upgrade * 17 + hd->expect_continue * 19 + hd->nhost * 23 +
	    hd->status * 29 + hd->method * 37 + hd->vminor;
	for (i = 0; i < hd->nfield; i++)
		s = s * 131 + hd->field[i].name.off * 7 +
		    hd->field[i].name.len * 3 + hd->field[i].value.len;
	return (s);
}

/* Every head HTC finds in what has arrived so far. */
static void
fh_heads(struct htc *htc, enum htc_status st, struct fh_out *o)
{

	while (o->n < FH_MAXHEADS && st != HTC_MORE) {
		o->st[o->n] = (int)st;
		if (st != HTC_COMPLETE) {
			o->n++;
			return;
		}
		o->hdrlen[o->n] = HTC_Head(htc)->hdrlen;
		o->sum[o->n++] = fh_digest(HTC_Head(htc));
		HTC_Consume(htc, fh_pool, HTC_Head(htc)->hdrlen);
		st = HTC_Parse(htc, FH_KIND, &fh_lim);
	}
}

/* Has the run found all it will (a limit, or a head that ends it)? */
static int
fh_done(const struct fh_out *o)
{

	return (o->n == FH_MAXHEADS ||
	    (o->n > 0 && o->st[o->n - 1] != HTC_COMPLETE));
}

/*
 * Feed data in pieces ending at cut[0..ncut); what HTC made of it.  A
 * piece fits the socket buffer and HTC's, so one read takes it.
 */
static void
fh_run(const uint8_t *d, size_t len, const size_t *cut, unsigned ncut,
    struct fh_out *o)
{
	struct htc htc;
	enum htc_status st;
	size_t at = 0;
	unsigned i;
	int sv[2];

	(void)len;
	memset(o, 0, sizeof *o);
	AZ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	AZ(fcntl(sv[1], F_SETFL, O_NONBLOCK));
	HTC_Init(&htc);
	for (i = 0; i < ncut && !fh_done(o); i++) {
		if (cut[i] > at)
			assert(write(sv[0], d + at, cut[i] - at) ==
			    (ssize_t)(cut[i] - at));
		at = cut[i];
		st = HTC_Rx(&htc, fh_pool, sv[1], FH_KIND, &fh_lim);
		if (st != HTC_MORE)
			fh_heads(&htc, st, o);
	}
	HTC_Fini(&htc, fh_pool);
	(void)close(sv[0]);
	(void)close(sv[1]);
}

static void
fh_print(const char *what, const struct fh_out *o)
{
	unsigned i;

	fprintf(stderr, "  %s:", what);
	for (i = 0; i < o->n; i++)
		fprintf(stderr, " %s/%u/%llx", HTC_StatusName(
		    (enum htc_status)o->st[i]), o->hdrlen[i],
		    (unsigned long long)o->sum[i]);
	fprintf(stderr, "\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct fh_out whole, split;
	size_t cut[9], dlen, c;
	unsigned ncut, i;
	const uint8_t *d;

	if (fh_pool == NULL)
		fh_pool = HTC_PoolNew(fh_lim.head_max + 16384, 4);
	if (len < 1)
		return (0);
	ncut = in[0] % 8;
	if (len < 1 + ncut)
		return (0);
	d = in + 1 + ncut;
	dlen = len - 1 - ncut;
	if (dlen > FH_MAXLEN)
		return (0);
	cut[0] = dlen;
	fh_run(d, dlen, cut, 1, &whole);
	for (i = 0, c = 0; i < ncut; i++) {
		c += (dlen - c) * in[1 + i] / 256;
		cut[i] = c;
	}
	cut[ncut] = dlen;
	fh_run(d, dlen, cut, ncut + 1, &split);
	/* a split run may stop earlier only where the whole one did */
	if (whole.n != split.n || memcmp(whole.st, split.st,
	    sizeof whole.st) != 0 || memcmp(whole.hdrlen, split.hdrlen,
	    sizeof whole.hdrlen) != 0 || memcmp(whole.sum, split.sum,
	    sizeof whole.sum) != 0) {
		fprintf(stderr, "whole and split runs differ:\n");
		fh_print("whole", &whole);
		fh_print("split", &split);
		abort();
	}
	return (0);
}

#endif /* FRONTD_FUZZ_HEAD_H */
