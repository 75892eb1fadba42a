/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * t_rtab.c -- the route table: every precedence rule, whatever the order
 * the entries were added in, and the normalisation of Host and target.
 */

#include <string.h>

#include "vas.h"
#include "rtab.h"
#include "tap.h"

struct t_ent {
	const char	*host;
	const char	*path;
};

/* Values are the index in this table. */
static const struct t_ent t_ents[] = {
	{ "example.com",	NULL },		/* 0 */
	{ "example.com",	"/api/" },	/* 1 */
	{ "example.com",	"/api/v2/" },	/* 2 */
	{ "*.example.com",	NULL },		/* 3 */
	{ "*.b.example.com",	NULL },		/* 4 */
	{ "*.example.com",	"/static/" },	/* 5 */
	{ NULL,			NULL },		/* 6 */
	{ NULL,			"/health" },	/* 7 */
	{ "other.org",		"/only/" },	/* 8 */
	{ "*.org",		"/w/" },	/* 9 */
};
#define T_N	(sizeof t_ents / sizeof t_ents[0])

struct t_case {
	const char	*host;
	const char	*target;
	int		want;		/* -1: no match */
};

static const struct t_case t_cases[] = {
	{ "example.com",	"/",			0 },
	{ "EXAMPLE.com:8080",	"/api/x",		1 },
	{ "example.com.",	"/api/v2/y",		2 },
	{ "example.com",	"/api",			0 },
	{ "a.example.com",	"/",			3 },
	{ "a.example.com",	"/static/x",		5 },
	{ "x.b.example.com",	"/static/x",		4 },
	{ "b.example.com",	"/",			3 },
	{ "example.net",	"/",			6 },
	{ "example.net",	"/healthz",		7 },
	{ "",			"/health",		7 },
	{ NULL,			"/",			6 },
	{ "other.org",		"/only/1",		8 },
	{ "other.org",		"/w/1",			9 },	/* falls through */
	{ "other.org",		"/",			6 },
	{ "example.com",	"http://example.com/api/z", 1 },
	{ "example.com",	"http://example.com",	0 },
	{ "[::1]:80",		"/health",		7 },
	{ "xexample.com",	"/",			6 },
};

/*--------------------------------------------------------------------
 * Build the table adding entries in the order perm gives.
 */

static struct rtab *
t_build(const unsigned *perm)
{
	struct rtab *rt;
	unsigned u, clash;

	rt = RTAB_New();
	AN(rt);
	for (u = 0; u < T_N; u++)
		CHECK(RTAB_Add(rt, t_ents[perm[u]].host, t_ents[perm[u]].path,
		    perm[u], &clash) == 0);
	RTAB_Done(rt);
	return (rt);
}

static void
t_check(const struct rtab *rt)
{
	const struct t_case *c;
	unsigned u, v;
	int r;

	for (u = 0; u < sizeof t_cases / sizeof t_cases[0]; u++) {
		c = &t_cases[u];
		v = ~0U;
		r = RTAB_Pick(rt, c->host, c->host ? strlen(c->host) : 0,
		    c->target, strlen(c->target), &v);
		CHECKF(c->want < 0 ? r == -1 : (r == 0 && v == (unsigned)c->want),
		    "%s %s: want %d got r=%d v=%u", c->host ? c->host : "-",
		    c->target, c->want, r, v);
	}
}

/* Precedence is the same for every order of addition. */
static void
t_precedence(void)
{
	unsigned perm[T_N], u, round, j, t;
	unsigned long long rng = 0x1234567;
	struct rtab *rt;

	for (u = 0; u < T_N; u++)
		perm[u] = u;
	for (round = 0; round < 50; round++) {
		rt = t_build(perm);
		t_check(rt);
		RTAB_Free(&rt);
		for (u = T_N - 1; u > 0; u--) {
			rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
			j = (unsigned)(rng % (u + 1));
			t = perm[u]; perm[u] = perm[j]; perm[j] = t;
		}
	}
}

/* Without an entry for any host, a request that matches nothing fails. */
static void
t_nomatch(void)
{
	struct rtab *rt;
	unsigned v, clash;

	rt = RTAB_New();
	CHECK(RTAB_Add(rt, "a.example", "/x/", 1, &clash) == 0);
	RTAB_Done(rt);
	CHECK(RTAB_Pick(rt, "a.example", 9, "/y", 2, &v) == -1);
	CHECK(RTAB_Pick(rt, "b.example", 9, "/x/", 3, &v) == -1);
	CHECK(RTAB_Pick(rt, NULL, 0, "/x/", 3, &v) == -1);
	RTAB_Free(&rt);
}

/* The same host pattern and path twice can never be told apart. */
static void
t_clash(void)
{
	struct rtab *rt;
	unsigned clash = 0;

	rt = RTAB_New();
	CHECK(RTAB_Add(rt, "Example.com", "/a/", 1, &clash) == 0);
	CHECK(RTAB_Add(rt, "example.com", "/a/", 2, &clash) == -1);
	CHECK(clash == 1);
	CHECK(RTAB_Add(rt, NULL, NULL, 3, &clash) == 0);
	CHECK(RTAB_Add(rt, NULL, "", 4, &clash) == -1);
	CHECK(clash == 3);
	CHECK(RTAB_Add(rt, "*.example.com", "/a/", 5, &clash) == 0);
	CHECK(RTAB_Len(rt) == 3);
	RTAB_Free(&rt);
}

int
main(void)
{

	RUN(t_precedence);
	RUN(t_nomatch);
	RUN(t_clash);
	TAP_EXIT();
}
