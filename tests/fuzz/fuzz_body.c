/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_body.c -- body framing (lib/h1b.c), fed whole and split at
 * offsets the fuzzer chooses, with the ready bytes taken after every
 * scan as the proxy does.  Both runs must agree on the outcome (framing
 * error, or where the body ends and its payload), and the bytes after the
 * body must never be counted as body.
 *
 * Input: byte 0 picks the kind (and, for Content-Length, bytes 1-2 the
 * length), then as in fuzz_head.h a number of cuts and their places,
 * then the data.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "h1b.h"

struct fb_out {
	int		err;
	int		over;
	size_t		taken;
	uint64_t	payload;
	uint64_t	sum;		/* of the de-chunked payload */
};

static void
fb_data(void *priv, const char *p, size_t n)
{
	struct fb_out *o = priv;

	while (n-- > 0)
		o->sum = o->sum * 31 + (uint8_t)*p++;
}

static void
fb_run(enum h1b_kind kind, int64_t cl, const uint8_t *d, size_t len,
    const size_t *cut, unsigned ncut, size_t max, struct fb_out *o)
{
	struct h1_body b;
	size_t at = 0, have = 0;	/* d[at - have, at) is buffered */
	unsigned i;

	memset(o, 0, sizeof *o);
	H1B_Init(&b, kind, cl);
	for (i = 0; i < ncut && !o->err && !H1B_OVER(&b); i++) {
		have += cut[i] - at;
		at = cut[i];
		while (!H1B_OVER(&b)) {
			if (H1B_Scan(&b, (const char *)d + at - have, have,
			    fb_data, o, max) != 0) {
				o->err = 1;
				break;
			}
			if (b.ready == 0)
				break;
			assert(b.ready <= have);
			o->taken += b.ready;
			have -= b.ready;
			H1B_Took(&b, b.ready);
		}
	}
	assert(o->taken <= len);
	o->over = H1B_OVER(&b);
	o->payload = b.payload;
	if (kind == H1B_CL && o->over)
		assert(o->taken == (size_t)cl);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	static const enum h1b_kind kinds[4] = {
		H1B_CHUNKED, H1B_CL, H1B_EOF, H1B_NONE
	};
	struct fb_out whole, split;
	size_t cut[9], c, dlen;
	enum h1b_kind kind;
	unsigned ncut, i;
	int64_t cl = 0;
	const uint8_t *d;

	if (len < 4)
		return (0);
	kind = kinds[in[0] % 4];
	if (kind == H1B_CL)
		cl = in[1] | (in[2] << 8);
	ncut = in[3] % 8;
	if (len < 4 + ncut)
		return (0);
	d = in + 4 + ncut;
	dlen = len - 4 - ncut;
	cut[0] = dlen;
	fb_run(kind, cl, d, dlen, cut, 1, SIZE_MAX, &whole);
	for (i = 0, c = 0; i < ncut; i++) {
		c += (dlen - c) * in[4 + i] / 256;
		cut[i] = c;
	}
	cut[ncut] = dlen;
	fb_run(kind, cl, d, dlen, cut, ncut + 1, 1 + in[0] / 4 % 7, &split);
	if (whole.err != split.err || whole.over != split.over ||
	    (!whole.err && (whole.taken != split.taken ||
	    whole.payload != split.payload || whole.sum != split.sum))) {
		fprintf(stderr, "whole and split runs differ\n");
		abort();
	}
	return (0);
}
