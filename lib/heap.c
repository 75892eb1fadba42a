/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * heap.c -- a binary min-heap of deadlines (see heap.h).
 *
 * Every waiter and worker loop keeps each object it holds here, keyed by
 * that object's own deadline, so the loop can sleep exactly until the
 * nearest one.  The array holds pointers to entries embedded in their
 * owners, and each entry records its slot: insert, delete and re-key are
 * O(log n) with no search and no allocation, apart from the array
 * doubling when it is full.
 *
 * Rejected: a sorted list (the older Varnish waiters) is O(1) only when
 * every object has the same timeout, and frontd mixes idle, request-head
 * and backend deadlines.  A timer wheel is O(1) but quantises deadlines
 * and needs a periodic tick, which wakes an idle daemon for nothing.
 * Varnish's page-aware B-heap (vbh.c) saves TLB misses past a few hundred
 * thousand entries; a frontd loop holds tens of thousands at most.
 *
 * The array never shrinks: a loop that once held many objects will again,
 * and the array is one pointer per object.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "vas.h"
#include "heap.h"

#define HEAP_MINCAP	64		/* slots allocated on first insert */
#define HEAP_MAXCAP	(1U << 30)	/* keeps 2 * idx from overflowing */

/*--------------------------------------------------------------------
 * Put an empty heap in place; nothing is allocated until the first insert.
 */

void
HEAP_Init(struct heap *h)
{

	AN(h);
	h->magic = HEAP_MAGIC;
	h->len = 0;
	h->cap = 0;
	h->arr = NULL;
}

/*--------------------------------------------------------------------
 * Release the array of an empty heap.
 */

void
HEAP_Fini(struct heap *h)
{

	CHECK_OBJ_NOTNULL(h, HEAP_MAGIC);
	AZ(h->len);
	free(h->arr);
	h->arr = NULL;
	h->cap = 0;
	h->magic = 0;
}

/*--------------------------------------------------------------------
 * Double the array.  0, or -1 with ENOMEM; the heap is unchanged then.
 */

static int
heap_grow(struct heap *h)
{
	struct heap_entry **arr;
	unsigned cap;

	cap = h->cap == 0 ? HEAP_MINCAP : h->cap * 2;
	if (cap > HEAP_MAXCAP) {
		errno = ENOMEM;
		return (-1);
	}
	arr = realloc(h->arr, cap * sizeof *arr);
	if (arr == NULL)
		return (-1);
	arr[0] = NULL;
	h->arr = arr;
	h->cap = cap;
	return (0);
}

/*--------------------------------------------------------------------
 * Move the entry in slot i towards the root until its parent is smaller.
 */

static void
heap_up(struct heap *h, unsigned i)
{
	struct heap_entry *he;
	unsigned p;

	he = h->arr[i];
	while (i > 1) {
		p = i / 2;
		if (!(he->key < h->arr[p]->key))
			break;
		h->arr[i] = h->arr[p];
		h->arr[i]->idx = i;
		i = p;
	}
	h->arr[i] = he;
	he->idx = i;
}

/*--------------------------------------------------------------------
 * Move the entry in slot i towards the leaves until no child is smaller.
 */

static void
heap_down(struct heap *h, unsigned i)
{
	struct heap_entry *he;
	unsigned c;

	he = h->arr[i];
	for (;;) {
		c = 2 * i;
		if (c > h->len)
			break;
		if (c < h->len && h->arr[c + 1]->key < h->arr[c]->key)
			c++;
		if (!(h->arr[c]->key < he->key))
			break;
		h->arr[i] = h->arr[c];
		h->arr[i]->idx = i;
		i = c;
	}
	h->arr[i] = he;
	he->idx = i;
}

/*--------------------------------------------------------------------
 * Restore the order around slot i after its key changed either way.
 */

static void
heap_fix(struct heap *h, unsigned i)
{

	if (i > 1 && h->arr[i]->key < h->arr[i / 2]->key)
		heap_up(h, i);
	else
		heap_down(h, i);
}

/*--------------------------------------------------------------------
 * Add an entry that is in no heap, keyed by he->key (not NaN).
 * 0, or -1 with ENOMEM, and then the entry is still out.
 */

int
HEAP_Insert(struct heap *h, struct heap_entry *he)
{

	CHECK_OBJ_NOTNULL(h, HEAP_MAGIC);
	AN(he);
	AZ(he->idx);
	assert(!isnan(he->key));
	if (h->len + 1 >= h->cap && heap_grow(h) != 0)
		return (-1);
	h->arr[++h->len] = he;
	heap_up(h, h->len);
	return (0);
}

/*--------------------------------------------------------------------
 * Take an entry out of this heap; its idx becomes 0.
 */

void
HEAP_Delete(struct heap *h, struct heap_entry *he)
{
	struct heap_entry *last;
	unsigned i;

	CHECK_OBJ_NOTNULL(h, HEAP_MAGIC);
	AN(he);
	i = he->idx;
	assert(i >= 1 && i <= h->len);
	assert(h->arr[i] == he);
	last = h->arr[h->len--];
	he->idx = 0;
	if (last == he)
		return;
	h->arr[i] = last;
	last->idx = i;
	heap_fix(h, i);
}

/*--------------------------------------------------------------------
 * Change the key of an entry in this heap and move it into place.
 */

void
HEAP_Rekey(struct heap *h, struct heap_entry *he, double key)
{
	unsigned i;

	CHECK_OBJ_NOTNULL(h, HEAP_MAGIC);
	AN(he);
	assert(!isnan(key));
	i = he->idx;
	assert(i >= 1 && i <= h->len);
	assert(h->arr[i] == he);
	he->key = key;
	heap_fix(h, i);
}

/*--------------------------------------------------------------------
 * The entry with the smallest key, left in place; NULL if empty.
 */

struct heap_entry *
HEAP_Root(const struct heap *h)
{

	CHECK_OBJ_NOTNULL(h, HEAP_MAGIC);
	return (h->len > 0 ? h->arr[1] : NULL);
}

/*--------------------------------------------------------------------
 * The number of entries.
 */

unsigned
HEAP_Len(const struct heap *h)
{

	CHECK_OBJ_NOTNULL(h, HEAP_MAGIC);
	return (h->len);
}

/*--------------------------------------------------------------------
 * For tests: 1 if the size, back-pointers and order all hold, else 0.
 * O(n).
 */

int
HEAP_Check(const struct heap *h)
{
	const struct heap_entry *he;
	unsigned i;

	if (h == NULL || h->magic != HEAP_MAGIC)
		return (0);
	if (h->cap == 0)
		return (h->len == 0 && h->arr == NULL);
	if (h->arr == NULL || h->len >= h->cap || h->arr[0] != NULL)
		return (0);
	for (i = 1; i <= h->len; i++) {
		he = h->arr[i];
		if (he == NULL || he->idx != i || isnan(he->key))
			return (0);
		if (i > 1 && he->key < h->arr[i / 2]->key)
			return (0);
	}
	return (1);
}
