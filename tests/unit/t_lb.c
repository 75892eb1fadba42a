/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * t_lb.c -- the load-balancing arithmetic: smooth weighted round robin
 * gives each member its weight's share, spread out; the consistent-hash
 * ring spreads keys by weight and, when one of N members goes, moves only
 * the keys that were on it.
 */

#include <stdio.h>
#include <string.h>

#include "vas.h"
#include "lb.h"
#include "tap.h"

/* nginx's documented example: weights 5,1,1 give a a b a c a a. */
static void
t_swrr_nginx(void)
{
	static const unsigned w[] = { 5, 1, 1 };
	static const unsigned want[] = { 0, 0, 1, 0, 2, 0, 0 };
	unsigned seq[16], n;

	n = LB_SwrrSeq(w, 3, seq, 16);
	CHECK(n == 7);
	CHECK(memcmp(seq, want, sizeof want) == 0);
}

/* Shares follow the weights; equal weights alternate. */
static void
t_swrr_shares(void)
{
	static const unsigned w[] = { 100, 200, 100, 0 };
	static const unsigned eq[] = { 100, 100, 100 };
	unsigned seq[4096], cnt[4] = { 0 }, n, u;

	n = LB_SwrrSeq(w, 4, seq, 4096);
	CHECK(n == 4);
	for (u = 0; u < n; u++)
		cnt[seq[u]]++;
	CHECK(cnt[0] == 1 && cnt[1] == 2 && cnt[2] == 1 && cnt[3] == 0);
	n = LB_SwrrSeq(eq, 3, seq, 4096);
	CHECK(n == 3 && seq[0] != seq[1] && seq[1] != seq[2] &&
	    seq[0] != seq[2]);
}

/* A period too long for the array is scaled down, every member kept. */
static void
t_swrr_scaled(void)
{
	static const unsigned w[] = { 997, 991, 1 };
	unsigned seq[64], cnt[3] = { 0 }, n, u;

	n = LB_SwrrSeq(w, 3, seq, 64);
	CHECK(n <= 64 && n >= 60);
	for (u = 0; u < n; u++)
		cnt[seq[u]]++;
	CHECK(cnt[2] >= 1);
	CHECKF(cnt[0] >= cnt[1] && cnt[0] - cnt[1] <= 1, "%u %u", cnt[0],
	    cnt[1]);
}

static unsigned
t_member(const struct lb_ring *r, uint32_t h)
{

	return (r->pt[LB_RingFind(r, h)].member);
}

/* Keys spread by weight within 10 %; removing one of 4 moves only its keys. */
static void
t_ring(void)
{
	static const char *names4[] = { "a", "b", "c", "d" };
	static const char *names3[] = { "a", "b", "d" };
	static const unsigned w4[] = { 100, 100, 200, 100 };
	static const unsigned w3[] = { 100, 100, 100 };
	unsigned cnt[4] = { 0 }, u, m4, m3, moved = 0, onc = 0;
	struct lb_ring *r4, *r3;
	char key[32];
	uint32_t h;
	int len;

	r4 = LB_RingNew(names4, w4, 4);
	r3 = LB_RingNew(names3, w3, 3);
	for (u = 0; u < 100000; u++) {
		len = snprintf(key, sizeof key, "10.0.%u.%u", u / 256, u % 256);
		h = LB_Hash(key, (size_t)len, 0);
		m4 = t_member(r4, h);
		cnt[m4]++;
		m3 = t_member(r3, h);
		if (m4 == 2)
			onc++;
		else if (strcmp(names4[m4], names3[m3]) != 0)
			moved++;
	}
	CHECKF(cnt[2] > 2 * 18000 && cnt[2] < 2 * 22000, "c %u", cnt[2]);
	for (u = 0; u < 4; u++)
		if (u != 2)
			CHECKF(cnt[u] > 15000 && cnt[u] < 25000, "%u: %u", u,
			    cnt[u]);
	CHECKF(moved == 0, "moved %u keys not on the removed member", moved);
	CHECK(onc == cnt[2]);
	LB_RingFree(&r4);
	LB_RingFree(&r3);
}

/* Wrapping: a hash above every point goes to the first. */
static void
t_ring_wrap(void)
{
	static const char *names[] = { "x" };
	static const unsigned w[] = { 1 };
	struct lb_ring *r;

	r = LB_RingNew(names, w, 1);
	CHECK(r->npt == 2);
	CHECK(LB_RingFind(r, 0xffffffffU) == 0 ||
	    r->pt[LB_RingFind(r, 0xffffffffU)].h == 0xffffffffU);
	LB_RingFree(&r);
}

int
main(void)
{

	RUN(t_swrr_nginx);
	RUN(t_swrr_shares);
	RUN(t_swrr_scaled);
	RUN(t_ring);
	RUN(t_ring_wrap);
	TAP_EXIT();
}
