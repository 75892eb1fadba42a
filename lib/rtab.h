/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * rtab.h -- a table of (host pattern, path prefix) -> value, matched with
 * nginx's precedence.
 *
 * A host pattern is exact ("example.com"), a leading wildcard
 * ("*.example.com", which matches every name below example.com but not
 * example.com itself), or absent (any host).  A path is a prefix of the
 * request-target, or absent (any path).  RTAB_Pick() tries, in order, the
 * exact host, then the wildcards from the longest to the shortest, then
 * the entries without a host; in the first of those that has an entry
 * whose path matches, the longest matching prefix wins.  The order in
 * which entries were added never matters.
 *
 * Built once (RTAB_Add, then RTAB_Done), read by any number of threads.
 */

#ifndef FRONTD_RTAB_H
#define FRONTD_RTAB_H

#include <stddef.h>

struct rtab;

struct rtab *RTAB_New(void);

/*
 * Add an entry.  host and path may be NULL (any).  0; or -1 when an entry
 * with the same host pattern and path is already there (the two can
 * never be told apart), its value in *clash.  Patterns are checked by the
 * caller; a host is compared without case.
 */
int RTAB_Add(struct rtab *, const char *host, const char *path,
    unsigned value, unsigned *clash);

/* No more entries: order them for RTAB_Pick(). */
void RTAB_Done(struct rtab *);

/*
 * The value for a request with this Host field value (a port, a trailing
 * dot and case are ignored; NULL or empty: no host) and request-target
 * (absolute-form is reduced to its path).  0 and *value, or -1: no entry
 * matches.
 */
int RTAB_Pick(const struct rtab *, const char *host, size_t hostlen,
    const char *target, size_t targetlen, unsigned *value);

unsigned RTAB_Len(const struct rtab *);
void RTAB_Free(struct rtab **);

#endif /* FRONTD_RTAB_H */
