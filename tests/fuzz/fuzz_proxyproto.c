/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_proxyproto.c -- libFuzzer harness for the PROXY header reader.
 *
 * Every input is read whole and at every prefix; the reader must never
 * read past what it is given (ASan watches), must never call a prefix of
 * a complete header complete with another length, and must say the same
 * for the header alone as for the header with bytes behind it.  A
 * complete header is written again with PP_Write and must read back
 * with the same source address.
 *
 * make check replays the seeds in tests/fuzz/corpus/proxyproto; make fuzz
 * runs it under libFuzzer.
 */

#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "proxyproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*--------------------------------------------------------------------
 * Read data at n bytes, in a copy of exactly n bytes so that ASan sees
 * any read past the end.
 */

static enum pp_status
fz_parse(const uint8_t *data, size_t n, struct pp_hdr *h)
{
	enum pp_status st;
	uint8_t *p;

	p = malloc(n > 0 ? n : 1);
	AN(p);
	memcpy(p, data, n);
	st = PP_Parse(p, n, h);
	free(p);
	return (st);
}

/*--------------------------------------------------------------------
 * A complete header written again reads back the same.
 */

static void
fz_rewrite(const struct pp_hdr *h)
{
	struct pp_hdr h2;
	char buf[128];
	size_t n;

	if (h->family == 0)
		return;
	n = PP_Write(buf, sizeof buf, h->version,
	    (const struct sockaddr *)&h->src,
	    (const struct sockaddr *)&h->dst);
	AN(n);
	assert(PP_Parse(buf, n, &h2) == PP_COMPLETE);
	assert(h2.len == n);
	assert(h2.family == h->family);
	assert(!memcmp(&h2.src, &h->src, sizeof h2.src));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_hdr h, hp;
	enum pp_status st, sp;
	size_t u;

	if (size > 4 * PP_MAX)
		return (0);
	st = fz_parse(data, size, &h);
	assert(st == PP_COMPLETE || st == PP_MORE || st == PP_BAD ||
	    st == PP_TOO_LARGE);
	if (st != PP_COMPLETE)
		return (0);
	assert(h.len > 0 && h.len <= size && h.len <= PP_MAX);
	for (u = 0; u < h.len; u++) {
		sp = fz_parse(data, u, &hp);
		assert(sp == PP_MORE);
	}
	sp = fz_parse(data, h.len, &hp);
	assert(sp == PP_COMPLETE && hp.len == h.len);
	fz_rewrite(&h);
	return (0);
}
