/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * heap.h -- a binary min-heap of deadlines.
 *
 * The entries are embedded in their owners (struct waited), so insert and
 * delete never allocate per object; the array of pointers grows by
 * doubling.  Each entry knows its own index, which makes delete and
 * re-key O(log n) without a search.  Index 0 means "not in a heap".
 *
 * A heap belongs to one thread (its event loop); it has no lock.
 */

#ifndef FRONTD_HEAP_H
#define FRONTD_HEAP_H

struct heap_entry {
	double		key;		/* the deadline; smallest on top */
	unsigned	idx;		/* 1-based slot, 0 = not in a heap */
};

struct heap {
	unsigned		magic;
#define HEAP_MAGIC		0x4ea90d11
	unsigned		len;
	unsigned		cap;
	struct heap_entry	**arr;	/* arr[1..len]; arr[0] unused */
};

void HEAP_Init(struct heap *);
void HEAP_Fini(struct heap *);		/* the heap must be empty */
int HEAP_Insert(struct heap *, struct heap_entry *);	/* 0, or -1 ENOMEM */
void HEAP_Delete(struct heap *, struct heap_entry *);
void HEAP_Rekey(struct heap *, struct heap_entry *, double key);
struct heap_entry *HEAP_Root(const struct heap *);	/* NULL if empty */
unsigned HEAP_Len(const struct heap *);
int HEAP_Check(const struct heap *);	/* tests: 1 if every invariant holds */

#define HEAP_IN(he)	((he)->idx != 0)

#endif /* FRONTD_HEAP_H */
