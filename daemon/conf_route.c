/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * conf_route.c -- the sections that name each other: directors (groups of
 * backends) and routes (where requests go), checked and copied into the
 * struct conf after the backends, with the route table compiled.
 *
 * Every name a section uses must name something, and the error says the
 * line of the name at fault.  A route's "to" may name a director or a
 * backend; a backend named directly gets a director of its own with one
 * member, made here, so that the request path always goes route ->
 * director -> backend.  With one backend and no route, one route for
 * every request goes to it, as frontd always did; with several backends
 * and no route the file is refused: choosing one silently would be
 * wrong whichever it chose.
 *
 * Routes are compiled into an rtab (lib/rtab.c).  Two routes that
 * share a host pattern and a path could never be told apart; that is an
 * error naming both lines, never "the first one wins".
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "conf.h"
#include "conf_priv.h"
#include "rtab.h"
#include "backend.h"
#include "director.h"

static const char * const conf_policy[] = {
#define DIR_POLICY(n, d)	#n,
#include "tbl/dir_policy.h"
#undef DIR_POLICY
	NULL
};

const char *
CONF_PolicyName(enum dir_policy p)
{

	assert(p < DIR_P__MAX);
	return (conf_policy[p]);
}

/*--------------------------------------------------------------------
 * What is wrong with a host pattern: a name, an IPv4 address or a
 * [IPv6] address, maybe with a leading "*." wildcard.  NULL if nothing.
 */

static const char *
conf_check_host(const char *v)
{
	const char *p;

	if (v[0] == '[')
		return (strchr(v, ']') != NULL && strchr(v, ']')[1] == '\0' ?
		    NULL : "want a name, *.name or [IPv6]");
	if (v[0] == '*' && v[1] == '.')
		v += 2;
	if (*v == '\0')
		return ("empty host name");
	for (p = v; *p != '\0'; p++) {
		if (*p == '*')
			return ("'*' only as a leading \"*.\"");
		if (*p == ':')
			return ("no port in a host pattern (the port is ignored)");
		if (!(*p == '.' || *p == '-' || *p == '_' ||
		    (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z')))
			return ("not a host name");
	}
	return (NULL);
}

/*--------------------------------------------------------------------
 * What is wrong with a hash_key, or NULL.
 */

static const char *
conf_check_hashkey(const char *v)
{

	if (!strcmp(v, "client_ip") || !strcmp(v, "host") ||
	    !strcmp(v, "path"))
		return (NULL);
	if ((!strncmp(v, "header:", 7) && v[7] != '\0') ||
	    (!strncmp(v, "cookie:", 7) && v[7] != '\0'))
		return (NULL);
	return ("not \"client_ip\", \"host\", \"path\", \"header:NAME\" or "
	    "\"cookie:NAME\"");
}

/*--------------------------------------------------------------------
 * The policy called v, or DIR_P__MAX.
 */

static enum dir_policy
conf_policy_of(const char *v)
{
	unsigned u;

	for (u = 0; conf_policy[u] != NULL; u++)
		if (strcmp(conf_policy[u], v) == 0)
			break;
	return ((enum dir_policy)u);
}

/*--------------------------------------------------------------------
 * What is wrong with the value of a director, route or backend string
 * key (conf.c's value callback), or NULL.
 */

const char *
Conf_CheckRouteStr(const char *name, const char *value)
{

	if (strcmp(name, "backends") == 0 || strcmp(name, "to") == 0 ||
	    strcmp(name, "probe") == 0)
		return (*value == '\0' ? "empty name" : NULL);
	if (strcmp(name, "host") == 0)
		return (conf_check_host(value));
	if (strcmp(name, "path") == 0)
		return (*value != '/' ? "not a path prefix (starts with '/')" :
		    NULL);
	if (strcmp(name, "policy") == 0)
		return (conf_policy_of(value) == DIR_P__MAX ?
		    "not \"random\", \"round_robin\", \"least_conn\" or "
		    "\"hash\"" : NULL);
	if (strcmp(name, "hash_key") == 0)
		return (conf_check_hashkey(value));
	WRONG("string key");
}

/*--------------------------------------------------------------------
 * The index of the backend or director called name, or -1.
 */

static int
conf_find_backend(const struct conf *c, const char *name)
{
	unsigned u;

	for (u = 0; u < c->nbackend; u++)
		if (strcmp(c->backend[u].name, name) == 0)
			return ((int)u);
	return (-1);
}

static int
conf_find_director(const struct conf *c, const char *name)
{
	unsigned u;

	for (u = 0; u < c->ndirector; u++)
		if (strcmp(c->director[u].name, name) == 0)
			return ((int)u);
	return (-1);
}

/*--------------------------------------------------------------------
 * The members' longest connect_timeout: the default queue_timeout.
 */

static tim_dur
conf_connect_timeout(const struct conf *c, const struct conf_director *d)
{
	tim_dur t = 0;
	unsigned u;

	for (u = 0; u < d->nmember; u++)
		if (c->backend[d->member[u]].connect_timeout > t)
			t = c->backend[d->member[u]].connect_timeout;
	return (t);
}

/*--------------------------------------------------------------------
 * Fill in a director's hash key from "client_ip", "header:NAME", ...
 */

static void
conf_hashkey(struct conf_director *d, const char *v)
{

	d->hash_key = DIR_K_CLIENT_IP;
	if (v == NULL || !strcmp(v, "client_ip"))
		return;
	if (!strcmp(v, "host"))
		d->hash_key = DIR_K_HOST;
	else if (!strcmp(v, "path"))
		d->hash_key = DIR_K_PATH;
	else {
		d->hash_key = !strncmp(v, "header:", 7) ? DIR_K_HEADER :
		    DIR_K_COOKIE;
		d->hash_arg = Conf_Strdup(v + 7);
	}
}

/*--------------------------------------------------------------------
 * Copy a director's members: each names a backend, once.
 */

static int
conf_members(struct conf_ctx *ctx, cfg_t *sec, const struct conf *c,
    struct conf_director *d)
{
	const char *name;
	unsigned u, v;
	int i;

	d->nmember = cfg_size(sec, "backends");
	if (d->nmember == 0 || d->nmember > DIR_MAXMEMBER) {
		Conf_Err(ctx, d->line, "director '%s': backends: from 1 to "
		    "%d", d->name, DIR_MAXMEMBER);
		return (-1);
	}
	d->member = calloc(d->nmember, sizeof *d->member);
	AN(d->member);
	for (u = 0; u < d->nmember; u++) {
		name = cfg_getnstr(sec, "backends", u);
		i = conf_find_backend(c, name);
		for (v = 0; i >= 0 && v < u; v++)
			if (d->member[v] == (unsigned)i)
				i = -2;
		if (i < 0) {
			Conf_Err(ctx, Conf_Line(ctx, sec, "backends", u),
			    "director '%s': backends: %s '%s'", d->name,
			    i == -1 ? "no backend" : "twice the backend", name);
			return (-1);
		}
		d->member[u] = (unsigned)i;
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Copy one director section.
 */

static int
conf_director(struct conf_ctx *ctx, cfg_t *sec, struct conf *c,
    struct conf_director *d)
{
	const char *hk;

	d->magic = CONF_DIRECTOR_MAGIC;
	d->name = Conf_Strdup(cfg_title(sec));
	d->line = Conf_SecLine(sec);
	if (conf_find_backend(c, d->name) >= 0) {
		Conf_Err(ctx, d->line, "director '%s': a backend has this "
		    "name too", d->name);
		return (-1);
	}
	if (conf_members(ctx, sec, c, d))
		return (-1);
	d->policy = conf_policy_of(cfg_getstr(sec, "policy"));
	assert(d->policy < DIR_P__MAX);
	hk = cfg_getstr(sec, "hash_key");
	if (hk != NULL && d->policy != DIR_P_hash) {
		Conf_Err(ctx, Conf_Line(ctx, sec, "hash_key", 0),
		    "director '%s': hash_key is for policy \"hash\"", d->name);
		return (-1);
	}
	conf_hashkey(d, hk);
	d->retries = (unsigned)cfg_getint(sec, "retries");
	d->max_queue = (unsigned)cfg_getint(sec, "max_queue");
	d->queue_timeout = Conf_Dur(sec, "queue_timeout");
	if (d->queue_timeout == 0)
		d->queue_timeout = conf_connect_timeout(c, d);
	return (0);
}

/*--------------------------------------------------------------------
 * The director of one backend, made for a route whose "to" names the
 * backend (or for the configuration without routes); its index.
 */

static unsigned
conf_solo(struct conf *c, unsigned be)
{
	struct conf_director *d;
	int i;

	i = conf_find_director(c, c->backend[be].name);
	if (i >= 0)
		return ((unsigned)i);
	d = &c->director[c->ndirector];
	d->magic = CONF_DIRECTOR_MAGIC;
	d->name = Conf_Strdup(c->backend[be].name);
	d->nmember = 1;
	d->member = calloc(1, sizeof *d->member);
	AN(d->member);
	d->member[0] = be;
	d->policy = DIR_P_random;
	d->retries = 1;
	d->max_queue = 1000;
	d->queue_timeout = c->backend[be].connect_timeout;
	return (c->ndirector++);
}

/*--------------------------------------------------------------------
 * Copy a list key of a route section.
 */

static char **
conf_strlist(cfg_t *sec, const char *name, unsigned *np)
{
	unsigned u;
	char **v;

	*np = cfg_size(sec, name);
	if (*np == 0)
		return (NULL);
	v = calloc(*np, sizeof *v);
	AN(v);
	for (u = 0; u < *np; u++)
		v[u] = Conf_Strdup(cfg_getnstr(sec, name, u));
	return (v);
}

/*--------------------------------------------------------------------
 * Copy one route section; its "to" names a director or a backend.
 */

static int
conf_route(struct conf_ctx *ctx, cfg_t *sec, struct conf *c,
    struct conf_route *r)
{
	const char *to;
	int i;

	r->magic = CONF_ROUTE_MAGIC;
	r->name = Conf_Strdup(cfg_title(sec));
	r->line = Conf_SecLine(sec);
	r->host = conf_strlist(sec, "host", &r->nhost);
	r->path = conf_strlist(sec, "path", &r->npath);
	to = cfg_getstr(sec, "to");
	if (to == NULL) {
		Conf_Err(ctx, r->line, "route '%s': to is required", r->name);
		return (-1);
	}
	r->to_name = Conf_Strdup(to);
	i = conf_find_director(c, to);
	if (i < 0 && (i = conf_find_backend(c, to)) >= 0)
		i = (int)conf_solo(c, (unsigned)i);
	if (i < 0) {
		Conf_Err(ctx, Conf_Line(ctx, sec, "to", 0), "route '%s': "
		    "to: no director or backend '%s'", r->name, to);
		return (-1);
	}
	r->to = (unsigned)i;
	return (0);
}

/*--------------------------------------------------------------------
 * Enter route r into the route table: one entry per host and path.
 */

static int
conf_route_tab(struct conf_ctx *ctx, struct conf *c, unsigned ri)
{
	const struct conf_route *r = &c->route[ri], *o;
	const char *h, *p;
	unsigned hi, pi, clash;

	for (hi = 0; hi < (r->nhost ? r->nhost : 1); hi++) {
		h = r->nhost ? r->host[hi] : NULL;
		for (pi = 0; pi < (r->npath ? r->npath : 1); pi++) {
			p = r->npath ? r->path[pi] : NULL;
			if (RTAB_Add(c->rtab, h, p, ri, &clash) == 0)
				continue;
			o = &c->route[clash];
			Conf_Err(ctx, r->line, "route '%s' cannot be told "
			    "apart from route '%s' (line %d): host %s%s%s, "
			    "path %s%s%s", r->name, o->name, o->line,
			    h ? "\"" : "", h ? h : "any", h ? "\"" : "",
			    p ? "\"" : "", p ? p : "any", p ? "\"" : "");
			return (-1);
		}
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Copy the routes, or make the one route of a single backend.
 */

static int
conf_routes(struct conf_ctx *ctx, cfg_t *cfg, struct conf *c)
{
	unsigned u, n;

	n = cfg_size(cfg, "route");
	if (n == 0 && c->nbackend > 1) {
		Conf_Err(ctx, c->backend[1].line, "several backends and no "
		    "route: say where requests go");
		return (-1);
	}
	c->route = calloc(n > 0 ? n : 1, sizeof *c->route);
	AN(c->route);
	c->rtab = RTAB_New();
	AN(c->rtab);
	if (n == 0) {
		c->nroute = 1;
		c->route[0].magic = CONF_ROUTE_MAGIC;
		c->route[0].to = conf_solo(c, 0);
	}
	for (u = 0; u < n; u++) {
		c->nroute++;
		if (conf_route(ctx, cfg_getnsec(cfg, "route", u), c,
		    &c->route[u]))
			return (-1);
	}
	for (u = 0; u < c->nroute; u++)
		if (conf_route_tab(ctx, c, u))
			return (-1);
	RTAB_Done(c->rtab);
	return (0);
}

/*--------------------------------------------------------------------
 * The runtime objects: every backend's shared struct backend (the same
 * one as the running configuration's for the same name and address),
 * and every director.
 */

static int
conf_runtime(struct conf_ctx *ctx, struct conf *c)
{
	unsigned u;

	for (u = 0; u < c->nbackend; u++)
		c->backend[u].rt = BE_Find(&c->backend[u]);
	for (u = 0; u < c->ndirector; u++) {
		c->director[u].dir = DIR_New(c, &c->director[u]);
		if (c->director[u].dir == NULL) {
			Conf_Err(ctx, c->director[u].line, "director '%s': "
			    "out of memory", c->director[u].name);
			return (-1);
		}
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Copy the directors and the routes (after the backends).  0, or -1
 * after an error.
 */

int
Conf_BuildRoutes(struct conf_ctx *ctx, cfg_t *cfg, struct conf *c)
{
	unsigned u, n;

	n = cfg_size(cfg, "director");
	c->director = calloc(n + c->nbackend, sizeof *c->director);
	AN(c->director);
	for (u = 0; u < n; u++) {
		c->ndirector++;
		if (conf_director(ctx, cfg_getnsec(cfg, "director", u), c,
		    &c->director[u]))
			return (-1);
	}
	if (conf_routes(ctx, cfg, c))
		return (-1);
	return (conf_runtime(ctx, c));
}

/*--------------------------------------------------------------------
 * Free what Conf_BuildRoutes() made, complete or not.
 */

void
Conf_FreeRoutes(struct conf *c)
{
	struct conf_director *d;
	struct conf_route *r;
	unsigned u, v;

	for (u = 0; u < c->ndirector; u++) {
		d = &c->director[u];
		if (d->dir != NULL)
			DIR_Free(&d->dir);
		free(d->name);
		free(d->member);
		free(d->hash_arg);
	}
	free(c->director);
	for (u = 0; u < c->nroute; u++) {
		r = &c->route[u];
		for (v = 0; v < r->nhost; v++)
			free(r->host[v]);
		for (v = 0; v < r->npath; v++)
			free(r->path[v]);
		free(r->host);
		free(r->path);
		free(r->name);
		free(r->to_name);
	}
	free(c->route);
	if (c->rtab != NULL)
		RTAB_Free(&c->rtab);
	for (u = 0; u < c->nbackend; u++)
		if (c->backend[u].rt != NULL)
			BE_Rel(&c->backend[u].rt);
}
