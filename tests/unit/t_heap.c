/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * t_heap.c -- the deadline heap against a linear-scan reference.
 *
 * A pool of entries is driven through random inserts, deletes, re-keys
 * and pops of the root.  The reference is the pool itself: a flag per
 * entry says whether it should be in the heap, and the expected root is
 * found by scanning.  After every operation HEAP_Check must hold, the
 * length and root must match the reference, and every entry's idx must
 * say "in" exactly when the reference does.  Keys are drawn from a small
 * range so that ties, the common case for deadlines set in the same
 * batch, happen all the time; +INFINITY (no deadline) is among them.
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vas.h"
#include "heap.h"
#include "tap.h"

#define NENT	1000
#define NOPS	100000

static struct heap_entry ents[NENT];
static int inref[NENT];
static unsigned nref;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/*--------------------------------------------------------------------
 * xorshift64*: a fixed sequence, so a failure repeats.
 */

static uint64_t
t_rand(void)
{

	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 0x2545f4914f6cdd1dULL);
}

/*--------------------------------------------------------------------
 * A key with many ties, some negative, some infinite.
 */

static double
t_key(void)
{
	unsigned r;

	r = (unsigned)(t_rand() % 1000);
	if (r < 20)
		return (INFINITY);
	if (r < 40)
		return (-(double)(r % 7));
	return ((double)(t_rand() % 200) + (r % 2 ? 0.5 : 0.));
}

/*--------------------------------------------------------------------
 * A random entry whose reference flag is "in" (want 1) or "out" (0),
 * or -1 if there is none.
 */

static int
t_pick(int want)
{
	unsigned i, start;

	if ((want && nref == 0) || (!want && nref == NENT))
		return (-1);
	start = (unsigned)(t_rand() % NENT);
	for (i = 0; i < NENT; i++)
		if (inref[(start + i) % NENT] == want)
			return ((int)((start + i) % NENT));
	return (-1);
}

/*--------------------------------------------------------------------
 * Compare the heap with the reference; 1 if they agree.
 */

static int
t_agree(const struct heap *h)
{
	const struct heap_entry *root;
	double min = INFINITY;
	unsigned i;

	if (!HEAP_Check(h) || HEAP_Len(h) != nref)
		return (0);
	for (i = 0; i < NENT; i++) {
		if (HEAP_IN(&ents[i]) != inref[i])
			return (0);
		if (inref[i] && ents[i].key < min)
			min = ents[i].key;
	}
	root = HEAP_Root(h);
	if (nref == 0)
		return (root == NULL);
	return (root != NULL && root->key == min);
}

/*--------------------------------------------------------------------
 * One random operation, chosen so the size wanders over the whole pool.
 */

static void
t_step(struct heap *h, unsigned phase)
{
	struct heap_entry *he;
	unsigned op;
	int i;

	op = (unsigned)(t_rand() % 100);
	if (op < (phase ? 25U : 45U)) {
		if ((i = t_pick(0)) < 0)
			return;
		ents[i].key = t_key();
		AZ(HEAP_Insert(h, &ents[i]));
		inref[i] = 1;
		nref++;
	} else if (op < 60) {
		if ((i = t_pick(1)) < 0)
			return;
		HEAP_Delete(h, &ents[i]);
		inref[i] = 0;
		nref--;
	} else if (op < 85) {
		if ((i = t_pick(1)) < 0)
			return;
		HEAP_Rekey(h, &ents[i], t_key());
	} else {
		if ((he = HEAP_Root(h)) == NULL)
			return;
		HEAP_Delete(h, he);
		inref[he - ents] = 0;
		nref--;
	}
}

/*--------------------------------------------------------------------
 * 100k random operations, every invariant checked after each.
 */

static void
t_random(void)
{
	struct heap h;
	unsigned n, bad = 0, maxlen = 0;
	int i;

	HEAP_Init(&h);
	CHECK(t_agree(&h));
	for (n = 0; n < NOPS; n++) {
		t_step(&h, (n / 5000) % 2);
		if (nref > maxlen)
			maxlen = nref;
		if (!t_agree(&h) && bad++ == 0)
			printf("# disagreement after operation %u\n", n);
	}
	CHECK(bad == 0);
	CHECK(maxlen > NENT / 2);
	printf("# %u operations, up to %u entries\n", NOPS, maxlen);
	while ((i = t_pick(1)) >= 0) {
		HEAP_Delete(&h, &ents[i]);
		inref[i] = 0;
		nref--;
	}
	CHECK(t_agree(&h));
	HEAP_Fini(&h);
}

/*--------------------------------------------------------------------
 * Heap sort of many entries: pops come out in order, growth works.
 */

static void
t_sort(void)
{
	enum { N = 50000 };
	struct heap_entry *e, *he;
	struct heap h;
	double last = -INFINITY;
	unsigned i, bad = 0;

	e = calloc(N, sizeof *e);
	AN(e);
	HEAP_Init(&h);
	for (i = 0; i < N; i++) {
		e[i].key = (double)(t_rand() % 10000) / 8.;
		AZ(HEAP_Insert(&h, &e[i]));
	}
	CHECK(HEAP_Check(&h));
	CHECK(HEAP_Len(&h) == N);
	while ((he = HEAP_Root(&h)) != NULL) {
		if (he->key < last)
			bad++;
		last = he->key;
		HEAP_Delete(&h, he);
		CHECK(!HEAP_IN(he));
	}
	CHECK(bad == 0);
	CHECK(HEAP_Check(&h));
	HEAP_Fini(&h);
	free(e);
}

/*--------------------------------------------------------------------
 * Re-keying the root up and a leaf down moves them both.
 */

static void
t_rekey(void)
{
	struct heap_entry e[3];
	struct heap h;
	unsigned i;

	HEAP_Init(&h);
	for (i = 0; i < 3; i++) {
		e[i].key = (double)i;
		e[i].idx = 0;
		AZ(HEAP_Insert(&h, &e[i]));
	}
	CHECK(HEAP_Root(&h) == &e[0]);
	HEAP_Rekey(&h, &e[0], 10.);
	CHECK(HEAP_Root(&h) == &e[1]);
	HEAP_Rekey(&h, &e[2], -1.);
	CHECK(HEAP_Root(&h) == &e[2]);
	CHECK(HEAP_Check(&h));
	for (i = 0; i < 3; i++)
		HEAP_Delete(&h, &e[i]);
	CHECK(HEAP_Len(&h) == 0 && HEAP_Root(&h) == NULL);
	HEAP_Fini(&h);
}

/*--------------------------------------------------------------------
 * HEAP_Check notices a broken order and a broken back-pointer.
 */

static void
t_check(void)
{
	struct heap_entry e[4];
	struct heap h;
	unsigned i;

	HEAP_Init(&h);
	for (i = 0; i < 4; i++) {
		e[i].key = (double)i;
		e[i].idx = 0;
		AZ(HEAP_Insert(&h, &e[i]));
	}
	CHECK(HEAP_Check(&h));
	h.arr[1]->key = 5.;
	CHECK(!HEAP_Check(&h));
	h.arr[1]->key = 0.;
	h.arr[2]->idx = 3;
	CHECK(!HEAP_Check(&h));
	h.arr[2]->idx = 2;
	CHECK(HEAP_Check(&h));
	for (i = 0; i < 4; i++)
		HEAP_Delete(&h, &e[i]);
	HEAP_Fini(&h);
}

int
main(void)
{

	RUN(t_random);
	RUN(t_sort);
	RUN(t_rekey);
	RUN(t_check);
	TAP_EXIT();
}
