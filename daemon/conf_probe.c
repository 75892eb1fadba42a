/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * conf_probe.c -- probe sections: how the health of a backend is checked
 * (health.c runs them), checked and copied into the struct conf before
 * the backends, which name them with probe = "NAME".
 *
 * The semantics are Varnish's: a backend is healthy while at least
 * 'threshold' of its last 'window' probes passed, and it starts with
 * 'initial' of them (threshold - 1 unless set) counted as passed, so a
 * new backend is down until its first good probe.  A probe passes on a
 * status in 'expect': codes ("200") or classes ("2xx"), kept as one bit
 * per status so that the check is a shift.
 *
 * Rejected: HAProxy's rise/fall counters (two numbers that mean less
 * than a window), and any status "below 400" passing (a 302 to a login
 * page is not a healthy application).
 */

#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "conf.h"
#include "conf_priv.h"

/*--------------------------------------------------------------------
 * Set the bits of 'v', "NNN" or "Nxx", in expect[].  -1: neither.
 */

static int
conf_expect(uint64_t *expect, const char *v)
{
	unsigned st, lo, hi;

	if (strlen(v) != 3 || v[0] < '1' || v[0] > '5')
		return (-1);
	if (v[1] == 'x' && v[2] == 'x') {
		lo = (unsigned)(v[0] - '0') * 100;
		hi = lo + 99;
	} else if (v[1] >= '0' && v[1] <= '9' && v[2] >= '0' && v[2] <= '9') {
		lo = hi = (unsigned)atoi(v);
	} else
		return (-1);
	for (st = lo; st <= hi; st++)
		expect[st / 64] |= (uint64_t)1 << (st % 64);
	return (0);
}

/*--------------------------------------------------------------------
 * What is wrong with the value of a probe's string key, or NULL.  The
 * url and the host go into a request line and a header as they are.
 */

const char *
Conf_CheckProbeStr(const char *name, const char *value)
{
	uint64_t expect[10];
	const char *p;

	if (strcmp(name, "method") == 0)
		return (strcmp(value, "GET") && strcmp(value, "HEAD") &&
		    strcmp(value, "OPTIONS") ?
		    "not \"GET\", \"HEAD\" or \"OPTIONS\"" : NULL);
	if (strcmp(name, "expect") == 0)
		return (conf_expect(expect, value) != 0 ?
		    "not a status (\"200\") or a class (\"2xx\")" : NULL);
	assert(strcmp(name, "url") == 0 || strcmp(name, "host") == 0);
	if (strcmp(name, "url") == 0 && *value != '/')
		return ("not a path (starts with '/')");
	if (*value == '\0')
		return ("empty");
	for (p = value; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return ("spaces and control bytes are not allowed");
	return (strlen(value) > 200 ? "longer than 200 bytes" : NULL);
}

/*--------------------------------------------------------------------
 * Copy one probe section; window, threshold and initial must agree.
 */

static int
conf_probe(struct conf_ctx *ctx, cfg_t *sec, struct conf_probe *p)
{
	unsigned u;
	long initial;

	p->magic = CONF_PROBE_MAGIC;
	p->name = Conf_Strdup(cfg_title(sec));
	p->line = Conf_SecLine(sec);
	p->url = Conf_Strdup(cfg_getstr(sec, "url"));
	p->host = Conf_Strdup(cfg_getstr(sec, "host"));
	p->method = Conf_Strdup(cfg_getstr(sec, "method"));
	for (u = 0; u < cfg_size(sec, "expect"); u++)
		AZ(conf_expect(p->expect, cfg_getnstr(sec, "expect", u)));
	p->interval = Conf_Dur(sec, "interval");
	p->timeout = Conf_Dur(sec, "timeout");
	p->window = (unsigned)cfg_getint(sec, "window");
	p->threshold = (unsigned)cfg_getint(sec, "threshold");
	initial = cfg_getint(sec, "initial");
	p->initial = initial < 0 ? p->threshold - 1 : (unsigned)initial;
	if (p->threshold > p->window) {
		Conf_Err(ctx, Conf_Line(ctx, sec, "threshold", 0) ?
		    Conf_Line(ctx, sec, "threshold", 0) :
		    Conf_Line(ctx, sec, "window", 0), "probe '%s': threshold "
		    "(%u) is larger than window (%u)", p->name, p->threshold,
		    p->window);
		return (-1);
	}
	if (p->initial > p->window) {
		Conf_Err(ctx, Conf_Line(ctx, sec, "initial", 0),
		    "probe '%s': initial (%u) is larger than window (%u)",
		    p->name, p->initial, p->window);
		return (-1);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Copy the probe sections (before the backends).  0, or -1.
 */

int
Conf_BuildProbes(struct conf_ctx *ctx, cfg_t *cfg, struct conf *c)
{
	unsigned u, n;

	n = cfg_size(cfg, "probe");
	if (n == 0)
		return (0);
	c->probe = calloc(n, sizeof *c->probe);
	AN(c->probe);
	c->nprobe = n;
	for (u = 0; u < n; u++)
		if (conf_probe(ctx, cfg_getnsec(cfg, "probe", u),
		    &c->probe[u]))
			return (-1);
	return (0);
}

/*--------------------------------------------------------------------
 * Find the probe a backend names, if it names one.  0, or -1.
 */

int
Conf_BackendProbe(struct conf_ctx *ctx, cfg_t *sec, const struct conf *c,
    struct conf_backend *be)
{
	const char *name;
	unsigned u;

	CHECK_OBJ_NOTNULL(be, CONF_BACKEND_MAGIC);
	name = cfg_getstr(sec, "probe");
	if (name == NULL)
		return (0);
	for (u = 0; u < c->nprobe; u++)
		if (!strcmp(c->probe[u].name, name)) {
			be->probe = &c->probe[u];
			return (0);
		}
	Conf_Err(ctx, Conf_Line(ctx, sec, "probe", 0), "backend '%s': probe "
	    "'%s' is not defined (probe \"%s\" { url = \"/\" })", be->name,
	    name, name);
	return (-1);
}

/*--------------------------------------------------------------------
 * A copy of a probe that outlives its configuration (health.c keeps
 * one per backend), and its end.
 */

struct conf_probe *
CONF_ProbeDup(const struct conf_probe *p)
{
	struct conf_probe *np;

	CHECK_OBJ_NOTNULL(p, CONF_PROBE_MAGIC);
	np = malloc(sizeof *np);
	AN(np);
	*np = *p;
	np->name = Conf_Strdup(p->name);
	np->url = Conf_Strdup(p->url);
	np->host = Conf_Strdup(p->host);
	np->method = Conf_Strdup(p->method);
	return (np);
}

static void
conf_probe_free(struct conf_probe *p)
{

	free(p->name);
	free(p->url);
	free(p->host);
	free(p->method);
}

void
CONF_ProbeFree(struct conf_probe **pp)
{
	struct conf_probe *p = *pp;

	*pp = NULL;
	if (p == NULL)
		return;
	CHECK_OBJ(p, CONF_PROBE_MAGIC);
	conf_probe_free(p);
	free(p);
}

/*--------------------------------------------------------------------
 * Free the probes.
 */

void
Conf_FreeProbes(struct conf *c)
{
	unsigned u;

	for (u = 0; u < c->nprobe; u++)
		conf_probe_free(&c->probe[u]);
	free(c->probe);
}
