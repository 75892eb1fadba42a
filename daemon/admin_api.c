/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * admin_api.c -- what the admin listener answers, by path: the pages
 * that read (/metrics, /status: admin.c) and the API that changes
 * state.
 *
 *   GET  /health                     200 while frontd takes traffic,
 *                                    503 once TERM came or after
 *   PUT  /health  fail | ok          (an operator failing it out of an
 *                                    L4 balancer on purpose)
 *   GET  /backends/NAME/state        its state
 *   PUT  /backends/NAME/state  ready | drain | maint
 *   GET  /backends/NAME/wait-empty?timeout=30s
 *                                    200 once no request is in flight
 *                                    to it and no connection open, 408
 *                                    at the timeout
 *
 * A PUT body is a bare word, "state=WORD" or {"state":"WORD"}; answers
 * are JSON.  Requests that change state need "Authorization: Bearer
 * SECRET" when admin_token_file is set (compared in constant time),
 * and are refused when it is not and the listener is not on loopback:
 * reading needs no secret, changing needs either the secret or a
 * loopback-only port.  Without them: 403.  Unknown backend 404, wrong
 * method 405, bad body 400.
 *
 * wait-empty does not block the admin thread: the route answers
 * ADM_WAIT and admin_srv.c keeps the client in its slot, asking again
 * every ADM_RECHECK until the backend is empty or the deadline passed.
 *
 * Rejected: a separate control socket with its own protocol (HAProxy's
 * stats socket): a deploy script has curl, and the port is already
 * there.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frontd.h"
#include "admin.h"
#include "admin_priv.h"
#include "backend.h"
#include "conf.h"
#include "log.h"

#define ADM_WAITMAX	3600.	/* longest wait-empty, seconds */
#define ADM_WAITDEF	30.

static unsigned		adm_failed;	/* atomic: PUT /health fail */

static const char * const adm_state_word[] = {
	[BE_ADM_READY] = "ready",
	[BE_ADM_DRAIN] = "drain",
	[BE_ADM_MAINT] = "maint",
};

/*--------------------------------------------------------------------
 * An error answer: {"error":"why"} and the status.
 */

static unsigned
adm_err(struct adm_req *ar, struct adm_out *o, unsigned status,
    const char *why)
{

	ar->ctype = "application/json";
	ADM_Printf(o, "{\"error\":");
	ADM_Quote(o, why, 1);
	ADM_Printf(o, "}\n");
	return (status);
}

/*--------------------------------------------------------------------
 * Does the request carry the admin secret?  Constant time in the
 * secret's bytes: a mismatch anywhere costs as much as none.
 */

static int
adm_token_ok(const struct conf *conf, const char *auth)
{
	const char *p;
	size_t u, n, len;
	unsigned char d;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return (0);
	for (p = auth + 7; *p == ' '; p++)
		continue;
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	n = conf->admin_tokenlen;
	d = len != n;
	for (u = 0; u < n; u++)
		d |= (unsigned char)(conf->admin_token[u] ^
		    (u < len ? p[u] : 0));
	return (d == 0);
}

/*--------------------------------------------------------------------
 * May this request change state?  The secret when one is configured;
 * without one, only on a loopback listener.
 */

static int
adm_may_change(const struct adm_req *ar)
{
	struct conf *conf;
	int ok;

	conf = DMN_Conf();
	if (conf == NULL)
		return (0);
	if (conf->admin_token != NULL)
		ok = adm_token_ok(conf, ar->auth);
	else
		ok = ADM_Loopback();
	CONF_Rel(&conf);
	return (ok);
}

/*--------------------------------------------------------------------
 * Past blanks, then past the literal s if it is there: 1 if it was.
 */

static int
adm_lit(const char **pp, const char *e, const char *s)
{
	const char *p = *pp;
	size_t l = strlen(s);

	while (p < e && strchr(" \t\r\n", *p) != NULL)
		p++;
	*pp = p;
	if ((size_t)(e - p) < l || memcmp(p, s, l))
		return (0);
	*pp = p + l;
	return (1);
}

/*--------------------------------------------------------------------
 * The word of a PUT body: "WORD", "state=WORD" or {"state":"WORD"},
 * blanks around, into buf.  0, or -1 when it is none of these.
 */

static int
adm_word(const char *b, size_t len, char *buf, size_t buflen)
{
	const char *e = b + len;
	size_t n;
	int json;

	json = adm_lit(&b, e, "{");
	if (json && (!adm_lit(&b, e, "\"state\"") || !adm_lit(&b, e, ":") ||
	    !adm_lit(&b, e, "\"")))
		return (-1);
	if (!json)
		(void)adm_lit(&b, e, "state=");
	for (n = 0; b + n < e && b[n] >= 'a' && b[n] <= 'z'; n++)
		continue;
	if (n == 0 || n >= buflen)
		return (-1);
	memcpy(buf, b, n);
	buf[n] = '\0';
	b += n;
	if (json && (!adm_lit(&b, e, "\"") || !adm_lit(&b, e, "}")))
		return (-1);
	(void)adm_lit(&b, e, "");
	return (b == e ? 0 : -1);
}

/*--------------------------------------------------------------------
 * Is /health failing, and why: NULL when it answers 200.
 */

const char *
ADM_HealthFail(void)
{

	if (__atomic_load_n(&g_stopping, __ATOMIC_RELAXED))
		return ("stopping");
	if (__atomic_load_n(&adm_failed, __ATOMIC_RELAXED))
		return ("failed by the admin API");
	return (NULL);
}

/*--------------------------------------------------------------------
 * /health: GET, HEAD, PUT fail|ok.
 */

static unsigned
adm_health(struct adm_req *ar, struct adm_out *o)
{
	const char *why;
	char w[8];

	if (!strcmp(ar->method, "PUT")) {
		if (!adm_may_change(ar))
			return (adm_err(ar, o, 403, "a state change needs "
			    "Authorization: Bearer SECRET"));
		if (adm_word(ar->body, ar->bodylen, w, sizeof w) != 0 ||
		    (strcmp(w, "ok") && strcmp(w, "fail")))
			return (adm_err(ar, o, 400, "want ok or fail"));
		if (__atomic_exchange_n(&adm_failed, !strcmp(w, "fail"),
		    __ATOMIC_RELAXED) != !strcmp(w, "fail"))
			log_info("admin: /health set to %s", w);
	}
	why = ADM_HealthFail();
	ar->ctype = "application/json";
	ADM_Printf(o, "{\"health\":\"%s\"", why == NULL ? "ok" : "fail");
	if (why != NULL) {
		ADM_Printf(o, ",\"reason\":");
		ADM_Quote(o, why, 1);
	}
	ADM_Printf(o, "}\n");
	return (why == NULL ? 200 : 503);
}

/*--------------------------------------------------------------------
 * Is 'name' a backend of the current configuration?
 */

static int
adm_known(const char *name)
{
	struct conf *conf;
	int r;

	conf = DMN_Conf();
	if (conf == NULL)
		return (0);
	r = CONF_Backend(conf, name) != NULL;
	CONF_Rel(&conf);
	return (r);
}

/*--------------------------------------------------------------------
 * The state of backend 'name' as JSON fields (after a '{').
 */

static void
adm_be_fields(struct adm_out *o, const char *name)
{
	struct be_busy bb;

	BE_Busy(name, &bb);
	ADM_Printf(o, "\"backend\":");
	ADM_Quote(o, name, 1);
	ADM_Printf(o, ",\"in_flight\":%u,\"queued\":%u,\"connections\":%u",
	    bb.inflight, bb.queued, bb.conns);
}

/*--------------------------------------------------------------------
 * /backends/NAME/state: GET, or PUT ready|drain|maint.
 */

static unsigned
adm_be_state(struct adm_req *ar, struct adm_out *o, const char *name)
{
	enum be_admin st;
	char w[8];

	if (!strcmp(ar->method, "PUT")) {
		if (adm_word(ar->body, ar->bodylen, w, sizeof w) != 0)
			return (adm_err(ar, o, 400,
			    "want ready, drain or maint"));
		for (st = BE_ADM_READY; st <= BE_ADM_MAINT; st++)
			if (!strcmp(w, adm_state_word[st]))
				break;
		if (st > BE_ADM_MAINT)
			return (adm_err(ar, o, 400,
			    "want ready, drain or maint"));
		if (BE_SetAdmin(name, st) == 0)
			return (adm_err(ar, o, 404, "no such backend"));
		log_info("admin: backend '%s' set to %s", name, w);
		if (st != BE_ADM_READY)
			WRK_Sweep();	/* its idle connections close */
	}
	ar->ctype = "application/json";
	ADM_Printf(o, "{");
	adm_be_fields(o, name);
	ADM_Printf(o, ",\"admin\":\"%s\"}\n", adm_state_word[BE_AdminOf(name)]);
	return (200);
}

/*--------------------------------------------------------------------
 * The timeout of wait-empty: "timeout=30s" (ms, s or m; a bare number
 * is seconds).  -1 when it is not that.
 */

static tim_dur
adm_timeout(const char *q)
{
	char *end;
	double v;

	if (q == NULL || *q == '\0')
		return (ADM_WAITDEF);
	if (strncmp(q, "timeout=", 8) != 0 || q[8] < '0' || q[8] > '9')
		return (-1.);
	v = strtod(q + 8, &end);
	if (!strcmp(end, "ms"))
		v /= 1e3;
	else if (!strcmp(end, "m"))
		v *= 60.;
	else if (*end != '\0' && strcmp(end, "s"))
		return (-1.);
	return (v > ADM_WAITMAX ? -1. : v);
}

/*--------------------------------------------------------------------
 * /backends/NAME/wait-empty: 200 once nothing uses it, 408 at the
 * deadline, else ADM_WAIT (ask again).
 */

static unsigned
adm_wait_empty(struct adm_req *ar, struct adm_out *o, const char *name)
{
	struct be_busy bb;
	tim_mono now = TIM_mono();
	tim_dur t;

	if (ar->deadline == 0.) {
		if ((t = adm_timeout(ar->query)) < 0.)
			return (adm_err(ar, o, 400, "want ?timeout=DURATION, "
			    "at most 3600s"));
		ar->start = now;
		ar->deadline = now + t;
	}
	BE_Busy(name, &bb);
	if (bb.inflight + bb.queued + bb.conns > 0 && now < ar->deadline)
		return (ADM_WAIT);
	ar->ctype = "application/json";
	ADM_Printf(o, "{");
	adm_be_fields(o, name);
	ADM_Printf(o, ",\"empty\":%s,\"waited\":%.3f}\n",
	    bb.inflight + bb.queued + bb.conns == 0 ? "true" : "false",
	    now - ar->start);
	return (bb.inflight + bb.queued + bb.conns == 0 ? 200 : 408);
}

/*--------------------------------------------------------------------
 * Decode %XX in a path segment, into buf.  0, or -1 if it is bad.
 */

static int
adm_unescape(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t n = 0;
	unsigned x;

	for (; len > 0; s++, len--) {
		if (n + 1 >= buflen)
			return (-1);
		if (*s != '%') {
			buf[n++] = *s;
			continue;
		}
		if (len < 3 || sscanf(s + 1, "%2x", &x) != 1 || x == 0)
			return (-1);
		buf[n++] = (char)x;
		s += 2;
		len -= 2;
	}
	buf[n] = '\0';
	return (n > 0 ? 0 : -1);
}

/*--------------------------------------------------------------------
 * /backends/NAME/WHAT.
 */

static unsigned
adm_backends(struct adm_req *ar, struct adm_out *o, const char *rest)
{
	const char *what;
	char name[128];
	int put;

	what = strchr(rest, '/');
	if (what == NULL || adm_unescape(rest, (size_t)(what - rest), name,
	    sizeof name) != 0)
		return (adm_err(ar, o, 404, "not found"));
	what++;
	put = !strcmp(ar->method, "PUT");
	if (!strcmp(what, "state")) {
		ar->allow = "GET, HEAD, PUT";
		if (!put && strcmp(ar->method, "GET") &&
		    strcmp(ar->method, "HEAD"))
			return (adm_err(ar, o, 405, "method not allowed"));
		if (put && !adm_may_change(ar))
			return (adm_err(ar, o, 403, "a state change needs "
			    "Authorization: Bearer SECRET"));
		if (!adm_known(name))
			return (adm_err(ar, o, 404, "no such backend"));
		return (adm_be_state(ar, o, name));
	}
	if (!strcmp(what, "wait-empty")) {
		ar->allow = "GET";
		if (strcmp(ar->method, "GET"))
			return (adm_err(ar, o, 405, "method not allowed"));
		if (!adm_known(name))
			return (adm_err(ar, o, 404, "no such backend"));
		return (adm_wait_empty(ar, o, name));
	}
	return (adm_err(ar, o, 404, "not found"));
}

/*--------------------------------------------------------------------
 * Answer a parsed request (see admin_priv.h).
 */

unsigned
ADM_Route(struct adm_req *ar, struct adm_out *o)
{
	int get;

	AN(ar->method);
	AN(ar->path);
	ar->ctype = "text/plain; charset=utf-8";
	ar->allow = "GET, HEAD";
	get = !strcmp(ar->method, "GET") || !strcmp(ar->method, "HEAD");
	if (!strncmp(ar->path, "/backends/", 10))
		return (adm_backends(ar, o, ar->path + 10));
	if (!strcmp(ar->path, "/health")) {
		ar->allow = "GET, HEAD, PUT";
		if (!get && strcmp(ar->method, "PUT"))
			return (adm_err(ar, o, 405, "method not allowed"));
		return (adm_health(ar, o));
	}
	if (strcmp(ar->path, "/metrics") && strcmp(ar->path, "/status")) {
		ADM_Printf(o, "not found\n");
		return (404);
	}
	if (!get) {
		ADM_Printf(o, "method not allowed\n");
		return (405);
	}
	return (ADM_Read(!strcmp(ar->path, "/metrics"), o, &ar->ctype));
}
