/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * rtab.c -- the route table: (host pattern, path prefix) -> value, with
 * nginx's precedence (rtab.h).
 *
 * The entries are kept in one array sorted by precedence: exact hosts,
 * then wildcards by the length of their suffix (longest first), then
 * entries without a host; within one host pattern, paths longest first.
 * With that order the first entry whose host and path both match is the
 * answer, so a pick is one linear scan with no allocation.  Two exact
 * hosts never match the same request, nor do two wildcard suffixes of the
 * same length, so the order between those does not matter.
 *
 * Rejected: a trie or hash of hosts.  Tables are tens of entries, a scan
 * of them costs less than the request head's parse, and one array is
 * simple to prove right.  Regular expressions: nginx's users need them
 * rarely and pay for their ordering rules often.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vas.h"
#include "rtab.h"

enum rt_kind {
	RT_EXACT = 0,
	RT_WILD,		/* host holds the suffix, from its '.' */
	RT_ANY,
};

struct rt_ent {
	enum rt_kind		kind;
	char			*host;		/* lower case; NULL for RT_ANY */
	size_t			hlen;
	char			*path;		/* "" for any */
	size_t			plen;
	unsigned		value;
};

struct rtab {
	unsigned		magic;
#define RTAB_MAGIC		0x52544142
	unsigned		n;
	unsigned		cap;
	unsigned		done;
	struct rt_ent		*e;
};

/*--------------------------------------------------------------------
 * An empty table; NULL when out of memory.
 */

struct rtab *
RTAB_New(void)
{
	struct rtab *rt;

	ALLOC_OBJ(rt, RTAB_MAGIC);
	return (rt);
}

/*--------------------------------------------------------------------
 * A lower-case copy of s.
 */

static char *
rt_lower(const char *s)
{
	char *p, *q;

	p = strdup(s);
	AN(p);
	for (q = p; *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return (p);
}

/*--------------------------------------------------------------------
 * Do two entries have the same host pattern and path?
 */

static int
rt_same(const struct rt_ent *a, const struct rt_ent *b)
{

	if (a->kind != b->kind || strcmp(a->path, b->path) != 0)
		return (0);
	return (a->kind == RT_ANY || strcmp(a->host, b->host) == 0);
}

/*--------------------------------------------------------------------
 * Add an entry (see rtab.h).
 */

int
RTAB_Add(struct rtab *rt, const char *host, const char *path,
    unsigned value, unsigned *clash)
{
	struct rt_ent e, *ep;
	unsigned u;

	CHECK_OBJ_NOTNULL(rt, RTAB_MAGIC);
	AZ(rt->done);
	memset(&e, 0, sizeof e);
	e.kind = RT_ANY;
	if (host != NULL && *host != '\0') {
		e.kind = host[0] == '*' && host[1] == '.' ? RT_WILD : RT_EXACT;
		e.host = rt_lower(e.kind == RT_WILD ? host + 1 : host);
		e.hlen = strlen(e.host);
	}
	e.path = strdup(path != NULL ? path : "");
	AN(e.path);
	e.plen = strlen(e.path);
	e.value = value;
	for (u = 0; u < rt->n; u++) {
		if (!rt_same(&rt->e[u], &e))
			continue;
		*clash = rt->e[u].value;
		free(e.host);
		free(e.path);
		return (-1);
	}
	if (rt->n == rt->cap) {
		rt->cap = rt->cap ? 2 * rt->cap : 16;
		ep = realloc(rt->e, rt->cap * sizeof *rt->e);
		AN(ep);
		rt->e = ep;
	}
	rt->e[rt->n++] = e;
	return (0);
}

/*--------------------------------------------------------------------
 * qsort order: precedence, as in the file comment.
 */

static int
rt_cmp(const void *va, const void *vb)
{
	const struct rt_ent *a = va, *b = vb;
	int r;

	if (a->kind != b->kind)
		return ((int)a->kind - (int)b->kind);
	if (a->kind == RT_WILD && a->hlen != b->hlen)
		return (a->hlen > b->hlen ? -1 : 1);
	if (a->kind != RT_ANY && (r = strcmp(a->host, b->host)) != 0)
		return (r);
	if (a->plen != b->plen)
		return (a->plen > b->plen ? -1 : 1);
	return (strcmp(a->path, b->path));
}

/*--------------------------------------------------------------------
 * No more entries: sort them by precedence.
 */

void
RTAB_Done(struct rtab *rt)
{

	CHECK_OBJ_NOTNULL(rt, RTAB_MAGIC);
	if (rt->n > 0)
		qsort(rt->e, rt->n, sizeof *rt->e, rt_cmp);
	rt->done = 1;
}

/*--------------------------------------------------------------------
 * Trim a Host value to the name: no port, no trailing dot.
 */

static size_t
rt_hostname(const char *h, size_t len)
{
	const char *p;

	if (len == 0)
		return (0);
	if (h[0] == '[') {
		p = memchr(h, ']', len);
		if (p != NULL)
			len = (size_t)(p - h) + 1;
	} else if ((p = memchr(h, ':', len)) != NULL)
		len = (size_t)(p - h);
	if (len > 1 && h[len - 1] == '.')
		len--;
	return (len);
}

/*--------------------------------------------------------------------
 * The path of a request-target: absolute-form loses scheme and authority.
 */

static const char *
rt_path(const char *t, size_t *lenp)
{
	const char *e = t + *lenp, *p;

	if (*lenp == 0 || t[0] == '/')
		return (t);
	for (p = t; p + 2 < e; p++) {
		if (p[0] != ':' || p[1] != '/' || p[2] != '/')
			continue;
		p = memchr(p + 3, '/', (size_t)(e - p - 3));
		if (p == NULL)
			p = e;
		*lenp = (size_t)(e - p);
		return (p);
	}
	return (t);
}

/*--------------------------------------------------------------------
 * Does entry e's host pattern match host h (already trimmed)?
 */

static int
rt_host_match(const struct rt_ent *e, const char *h, size_t len)
{

	switch (e->kind) {
	case RT_ANY:
		return (1);
	case RT_EXACT:
		return (len == e->hlen && strncasecmp(h, e->host, len) == 0);
	case RT_WILD:
		return (len > e->hlen &&
		    strncasecmp(h + len - e->hlen, e->host, e->hlen) == 0);
	default:
		WRONG("rtab kind");
	}
}

/*--------------------------------------------------------------------
 * The value for a request (see rtab.h).  Any thread.
 */

int
RTAB_Pick(const struct rtab *rt, const char *host, size_t hostlen,
    const char *target, size_t targetlen, unsigned *value)
{
	const struct rt_ent *e;
	const char *path;
	size_t plen = targetlen;
	unsigned u;

	CHECK_OBJ_NOTNULL(rt, RTAB_MAGIC);
	AN(rt->done);
	if (host == NULL)
		hostlen = 0;
	hostlen = rt_hostname(host, hostlen);
	path = rt_path(target, &plen);
	for (u = 0; u < rt->n; u++) {
		e = &rt->e[u];
		if (e->kind != RT_ANY && hostlen == 0)
			continue;
		if (!rt_host_match(e, host, hostlen))
			continue;
		if (plen < e->plen || memcmp(path, e->path, e->plen) != 0)
			continue;
		*value = e->value;
		return (0);
	}
	return (-1);
}

/*--------------------------------------------------------------------
 * The number of entries.
 */

unsigned
RTAB_Len(const struct rtab *rt)
{

	CHECK_OBJ_NOTNULL(rt, RTAB_MAGIC);
	return (rt->n);
}

/*--------------------------------------------------------------------
 * Free a table and its entries.
 */

void
RTAB_Free(struct rtab **rtp)
{
	struct rtab *rt;
	unsigned u;

	TAKE_OBJ_NOTNULL(rt, rtp, RTAB_MAGIC);
	for (u = 0; u < rt->n; u++) {
		free(rt->e[u].host);
		free(rt->e[u].path);
	}
	free(rt->e);
	FREE_OBJ(rt);
}
