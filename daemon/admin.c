/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * admin.c -- the admin pages that read: /metrics and /status.  The
 * connections are admin_srv.c's, the routes and the API that changes
 * state admin_api.c's.
 *
 * GET /metrics renders one STAT_Get() snapshot in the Prometheus text
 * exposition format (0.0.4): the frontd_ prefix, counters ending in
 * _total, gauges without.  Labels only where the set of values is small
 * and fixed: backend (named in the configuration, at most
 * STAT_MAXBACKEND), close reason (tbl/sess_close.h), status class (five)
 * and waiter event kind (five); never anything taken from a request.
 * GET /status gives the same snapshot as one JSON object, counters under
 * their tbl/counters.h names, for people and scripts, and the state of
 * each backend (up, down, draining, maint; whether the admin API set it).
 *
 * Rejected: an HTTP library (one request line is all there is to
 * parse).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontd.h"
#include "admin.h"
#include "admin_priv.h"
#include "alog.h"
#include "log.h"
#include "stats.h"

/* A field of struct stats_backend or struct wait_stats, by offset. */
struct adm_field {
	const char	*prom;		/* metric name after frontd_ */
	const char	*type;		/* counter or gauge */
	const char	*help;
	const char	*json;		/* key in /status */
	size_t		off;
	size_t		size;		/* of the field: 4 or 8 bytes */
};


static const char * const adm_cnt_name[CNT__MAX] = {
#define COUNTER(n, h)	[CNT_##n] = #n,
#include "tbl/counters.h"
#undef COUNTER
};

static const char * const adm_cnt_help[CNT__MAX] = {
#define COUNTER(n, h)	[CNT_##n] = h,
#include "tbl/counters.h"
#undef COUNTER
};

static const char * const adm_sc_name[SC__MAX] = {
	[SC_NULL] = "none",
#define SESS_CLOSE(n, e, d)	[SC_##n] = #n,
#include "tbl/sess_close.h"
#undef SESS_CLOSE
};

/*
 * Prometheus names of the counters, after frontd_: NULL gives
 * "<table name>_total", "" means rendered with labels elsewhere.
 */
static const char * const adm_cnt_prom[CNT__MAX] = {
	[CNT_sess_accepted] =	"connections_accepted_total",
	[CNT_sess_refused] =	"connections_refused_total",
	[CNT_sess_closed] =	"",	/* connections_closed_total{reason} */
	[CNT_req_total] =	"requests_total",
	[CNT_req_queued] =	"requests_queued_total",
	[CNT_req_rejected] =	"requests_rejected_total",
	[CNT_resp_1xx] =	"",	/* responses_total{class} */
	[CNT_resp_2xx] =	"",
	[CNT_resp_3xx] =	"",
	[CNT_resp_4xx] =	"",
	[CNT_resp_5xx] =	"",
	[CNT_bconn_opened] =	"",	/* backend_*{backend} */
	[CNT_bconn_reused] =	"",
	[CNT_bconn_closed] =	"",
	[CNT_bconn_failed] =	"",
	[CNT_bconn_retried] =	"",
	[CNT_tunnels] =		"tunnels_total",
};

static const struct {
	enum counter	cnt;
	const char	*cls;
} adm_resp[] = {
	{ CNT_resp_1xx, "1xx" }, { CNT_resp_2xx, "2xx" },
	{ CNT_resp_3xx, "3xx" }, { CNT_resp_4xx, "4xx" },
	{ CNT_resp_5xx, "5xx" },
};

#define ADM_BE(f, p, t, h)						\
	{ p, t, h, #f, offsetof(struct stats_backend, f),		\
	    sizeof(((struct stats_backend *)0)->f) }

static const struct adm_field adm_be[] = {
	ADM_BE(opened, "backend_connections_opened_total", "counter",
	    "backend connections opened"),
	ADM_BE(reused, "backend_connections_reused_total", "counter",
	    "backend connections reused from the pool"),
	ADM_BE(taken, "backend_connections_taken_total", "counter",
	    "idle backend connections taken from a sibling worker's pool"),
	ADM_BE(closed, "backend_connections_closed_total", "counter",
	    "backend connections closed"),
	ADM_BE(failed, "backend_connections_failed_total", "counter",
	    "backend connections that failed to connect or timed out"),
	ADM_BE(retried, "backend_retries_total", "counter",
	    "requests sent again after a stale pooled connection"),
	ADM_BE(idle, "backend_connections_idle", "gauge",
	    "idle pooled backend connections"),
};

/*
 * The shared per-backend and per-director series: tbl/be_counters.h.
 * 'where' says which of the two have it.
 */
static const struct {
	const char	*field;
	const char	*metric;
	const char	*type;
	const char	*where;
	const char	*help;
} adm_lb[] = {
#define BE_COUNTER(f, m, t, w, h)	{ #f, m, #t, #w, h },
#include "tbl/be_counters.h"
#undef BE_COUNTER
};

#define ADM_WS(f)							\
	{ NULL, NULL, NULL, #f, offsetof(struct wait_stats, f),		\
	    sizeof(((struct wait_stats *)0)->f) }

/* The event kinds of frontd_waiter_events_total{kind}, then wakeups. */
static const struct adm_field adm_ws[] = {
	ADM_WS(action), ADM_WS(remclose), ADM_WS(timeout), ADM_WS(task),
	ADM_WS(enter),
};

/*--------------------------------------------------------------------
 * Append to o, printf-style, growing it as needed.
 */

void
ADM_Printf(struct adm_out *o, const char *fmt, ...)
{
	va_list ap;
	size_t ncap;
	char *np;
	int l;

	while (!o->fail) {
		va_start(ap, fmt);
		l = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (l >= 0 && (size_t)l < o->cap - o->len) {
			o->len += (size_t)l;
			return;
		}
		ncap = o->cap * 2 + (l > 0 ? (size_t)l : 0);
		if (l < 0 || (np = realloc(o->p, ncap)) == NULL)
			o->fail = 1;
		else {
			o->p = np;
			o->cap = ncap;
		}
	}
}

/*--------------------------------------------------------------------
 * The value of a 4- or 8-byte unsigned field at p + f->off.
 */

static uint64_t
adm_get(const void *p, const struct adm_field *f)
{
	const char *b = (const char *)p + f->off;
	uint64_t u64;
	unsigned u32;

	if (f->size == sizeof u64) {
		memcpy(&u64, b, sizeof u64);
		return (u64);
	}
	assert(f->size == sizeof u32);
	memcpy(&u32, b, sizeof u32);
	return (u32);
}

/*--------------------------------------------------------------------
 * A table name in lower case ("REM_CLOSE" -> "rem_close"), into buf.
 */

static const char *
adm_lower(char *buf, size_t len, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < len && s[i] != '\0'; i++)
		buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ?
		    s[i] - 'A' + 'a' : s[i]);
	buf[i] = '\0';
	return (buf);
}

/*--------------------------------------------------------------------
 * Append s as a quoted string: a Prometheus label value (\\ \" \n) or,
 * with 'json', a JSON string (control bytes as \u00XX).
 */

void
ADM_Quote(struct adm_out *o, const char *s, int json)
{

	ADM_Printf(o, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			ADM_Printf(o, "\\%c", *s);
		else if (*s == '\n')
			ADM_Printf(o, "\\n");
		else if (json && (unsigned char)*s < 0x20)
			ADM_Printf(o, "\\u%04x", (unsigned char)*s);
		else
			ADM_Printf(o, "%c", *s);
	}
	ADM_Printf(o, "\"");
}

/*--------------------------------------------------------------------
 * The # HELP and # TYPE lines of a metric family.
 */

static void
adm_phead(struct adm_out *o, const char *name, const char *type,
    const char *help)
{

	ADM_Printf(o, "# HELP frontd_%s %s\n# TYPE frontd_%s %s\n",
	    name, help, name, type);
}

/*--------------------------------------------------------------------
 * A metric family of one sample without labels.
 */

static void
adm_pone(struct adm_out *o, const char *name, const char *type,
    const char *help, uint64_t v)
{

	adm_phead(o, name, type, help);
	ADM_Printf(o, "frontd_%s %ju\n", name, (uintmax_t)v);
}

/*--------------------------------------------------------------------
 * Every counter of tbl/counters.h that has no labels.
 */

static void
adm_prom_counters(struct adm_out *o, const struct stats *st)
{
	char buf[128];
	const char *name;
	unsigned u;

	for (u = 0; u < CNT__MAX; u++) {
		name = adm_cnt_prom[u];
		if (name != NULL && *name == '\0')
			continue;
		if (name == NULL) {
			(void)snprintf(buf, sizeof buf, "%s_total",
			    adm_cnt_name[u]);
			name = buf;
		}
		adm_pone(o, name, "counter", adm_cnt_help[u], st->c.c[u]);
	}
}

/*--------------------------------------------------------------------
 * Counters with a label of a fixed set: close reason, status class,
 * waiter event kind.
 */

static void
adm_prom_labelled(struct adm_out *o, const struct stats *st)
{
	char buf[64];
	unsigned u;

	adm_phead(o, "connections_closed_total", "counter",
	    "client connections closed, by reason");
	for (u = 0; u < SC__MAX; u++)
		if (u != SC_NULL || st->closed[u] != 0)
			ADM_Printf(o, "frontd_connections_closed_total"
			    "{reason=\"%s\"} %ju\n", adm_lower(buf, sizeof buf,
			    adm_sc_name[u]), (uintmax_t)st->closed[u]);
	adm_phead(o, "responses_total", "counter",
	    "final responses sent, by status class");
	for (u = 0; u < sizeof adm_resp / sizeof adm_resp[0]; u++)
		ADM_Printf(o, "frontd_responses_total{class=\"%s\"} %ju\n",
		    adm_resp[u].cls, (uintmax_t)st->c.c[adm_resp[u].cnt]);
	adm_phead(o, "waiter_events_total", "counter",
	    "events the event loops handled, by kind");
	for (u = 0; u < sizeof adm_ws / sizeof adm_ws[0]; u++)
		ADM_Printf(o, "frontd_waiter_events_total{kind=\"%s\"} %ju\n",
		    adm_ws[u].json, (uintmax_t)adm_get(&st->waiter, &adm_ws[u]));
	adm_pone(o, "waiter_wakeups_total", "counter",
	    "times an event loop woke up", st->waiter.wakeups);
}

/*--------------------------------------------------------------------
 * The per-backend families, one sample per backend.
 */

static void
adm_prom_backends(struct adm_out *o, const struct stats *st)
{
	const struct adm_field *f;
	unsigned u, b;

	for (u = 0; u < sizeof adm_be / sizeof adm_be[0]; u++) {
		f = &adm_be[u];
		adm_phead(o, f->prom, f->type, f->help);
		for (b = 0; b < st->nbackend && b < STAT_MAXBACKEND; b++) {
			ADM_Printf(o, "frontd_%s{backend=", f->prom);
			ADM_Quote(o, st->be[b].name, 0);
			ADM_Printf(o, "} %ju\n",
			    (uintmax_t)adm_get(&st->be[b], f));
		}
	}
}

/*--------------------------------------------------------------------
 * The shared series of tbl/be_counters.h: frontd_backend_* with a
 * backend label, frontd_director_* with a director label.
 */

static void
adm_prom_lb(struct adm_out *o, const struct stats *st)
{
	char name[96];
	unsigned u, b;

	for (u = 0; u < BE_C__MAX; u++) {
		if (strchr(adm_lb[u].where, 'B') == NULL)
			continue;
		(void)snprintf(name, sizeof name, "backend_%s",
		    adm_lb[u].metric);
		adm_phead(o, name, adm_lb[u].type, adm_lb[u].help);
		for (b = 0; b < st->nbackend && b < STAT_MAXBACKEND; b++) {
			ADM_Printf(o, "frontd_%s{backend=", name);
			ADM_Quote(o, st->be[b].name, 0);
			ADM_Printf(o, "} %ju\n", (uintmax_t)st->be[b].lb.c[u]);
		}
	}
	for (u = 0; u < BE_C__MAX; u++) {
		if (strchr(adm_lb[u].where, 'D') == NULL)
			continue;
		(void)snprintf(name, sizeof name, "director_%s",
		    adm_lb[u].metric);
		adm_phead(o, name, adm_lb[u].type, adm_lb[u].help);
		for (b = 0; b < st->ndirector; b++) {
			ADM_Printf(o, "frontd_%s{director=", name);
			ADM_Quote(o, st->dir[b].name, 0);
			ADM_Printf(o, "} %ju\n", (uintmax_t)st->dir[b].c.c[u]);
		}
	}
}

/*--------------------------------------------------------------------
 * a - b, or 0 when a snapshot taken without a lock has a < b.
 */

static unsigned
adm_diff(unsigned a, unsigned b)
{

	return (a > b ? a - b : 0);
}

/*--------------------------------------------------------------------
 * Gauges, reloads, times.
 */

static void
adm_prom_gauges(struct adm_out *o, const struct stats *st, double now)
{

	adm_pone(o, "sessions_open", "gauge", "client sessions open",
	    st->sessions);
	adm_pone(o, "sessions_busy", "gauge",
	    "client sessions owned by a worker", st->sessions_busy);
	adm_pone(o, "sessions_idle", "gauge",
	    "client sessions held idle", adm_diff(st->sessions,
	    st->sessions_busy));
	adm_pone(o, "sessions_partial", "gauge",
	    "client sessions with part of a head, counted per address "
	    "(max_partial_per_client)", st->sessions_partial);
	adm_pone(o, "queue_length", "gauge",
	    "requests waiting for a worker", st->queue);
	adm_pone(o, "workers", "gauge", "worker threads", st->workers);
	adm_pone(o, "workers_busy", "gauge",
	    "worker threads owning at least one session", st->workers_busy);
	adm_pone(o, "workers_idle", "gauge", "worker threads owning none",
	    adm_diff(st->workers, st->workers_busy));
	adm_pone(o, "reloads_ok_total", "counter",
	    "configuration reloads that took effect", st->reload_ok);
	adm_pone(o, "reloads_failed_total", "counter",
	    "configuration reloads refused", st->reload_failed);
	adm_pone(o, "access_log_lines_dropped_total", "counter",
	    "access log lines lost to write errors", ALOG_Dropped());
	adm_phead(o, "reload_last_timestamp_seconds", "gauge",
	    "time of the last reload, ok or not (0: never)");
	ADM_Printf(o, "frontd_reload_last_timestamp_seconds %.3f\n",
	    st->reload_last);
	adm_phead(o, "start_time_seconds", "gauge", "time frontd started");
	ADM_Printf(o, "frontd_start_time_seconds %.3f\n", st->started);
	adm_phead(o, "uptime_seconds", "gauge", "seconds since start");
	ADM_Printf(o, "frontd_uptime_seconds %.3f\n",
	    st->started > 0. ? now - st->started : 0.);
}

/*--------------------------------------------------------------------
 * GET /metrics: the Prometheus text format.
 */

static void
adm_metrics(struct adm_out *o, const struct stats *st, double now)
{

	adm_prom_counters(o, st);
	adm_prom_labelled(o, st);
	adm_prom_backends(o, st);
	adm_prom_lb(o, st);
	adm_prom_gauges(o, st, now);
}

/*--------------------------------------------------------------------
 * /status: "counters", by table name, and "closed", by reason.
 */

static void
adm_json_counters(struct adm_out *o, const struct stats *st)
{
	char buf[64];
	unsigned u;

	ADM_Printf(o, "\"counters\":{");
	for (u = 0; u < CNT__MAX; u++)
		ADM_Printf(o, "%s\"%s\":%ju", u > 0 ? "," : "",
		    adm_cnt_name[u], (uintmax_t)st->c.c[u]);
	ADM_Printf(o, "},\"closed\":{");
	for (u = 0; u < SC__MAX; u++)
		ADM_Printf(o, "%s\"%s\":%ju", u > 0 ? "," : "",
		    adm_lower(buf, sizeof buf, adm_sc_name[u]),
		    (uintmax_t)st->closed[u]);
	ADM_Printf(o, "},\"waiter\":{");
	for (u = 0; u < sizeof adm_ws / sizeof adm_ws[0]; u++)
		ADM_Printf(o, "\"%s\":%ju,", adm_ws[u].json,
		    (uintmax_t)adm_get(&st->waiter, &adm_ws[u]));
	ADM_Printf(o, "\"wakeups\":%lu}", st->waiter.wakeups);
}

/*--------------------------------------------------------------------
 * /status: a backend's health (health.c): healthy, sick or ejected,
 * and with a probe its window, oldest first, and its last result.
 */

static void
adm_json_health(struct adm_out *o, const struct hc_status *hs)
{

	ADM_Printf(o, ",\"health\":\"%s\"", hs->health);
	if (hs->window[0] == '\0')
		return;
	ADM_Printf(o, ",\"window\":\"%s\",\"last_probe\":", hs->window);
	ADM_Quote(o, hs->last, 1);
}

/*--------------------------------------------------------------------
 * /status, one backend: its state (up, down, draining, maint), what the
 * admin API set and when.  Nothing for a name no configuration has now.
 */

static void
adm_json_state(struct adm_out *o, const struct stats_backend *sb)
{
	static const char * const word[] = {
		[BE_ADM_READY] = "ready",
		[BE_ADM_DRAIN] = "drain",
		[BE_ADM_MAINT] = "maint",
	};

	if (!sb->st_seen)
		return;
	assert(sb->admin <= BE_ADM_MAINT);
	ADM_Printf(o, ",\"state\":\"%s\",\"admin\":\"%s\"",
	    sb->admin == BE_ADM_MAINT ? "maint" :
	    sb->admin == BE_ADM_DRAIN ? "draining" : sb->up ? "up" : "down",
	    word[sb->admin]);
	if (sb->admin_set)
		ADM_Printf(o, ",\"set_by\":\"admin\",\"set_at\":%.3f",
		    sb->admin_time);
	else
		ADM_Printf(o, ",\"set_by\":\"config\"");
}

/*--------------------------------------------------------------------
 * /status: "backends", an object keyed by backend name.
 */

static void
adm_json_backends(struct adm_out *o, const struct stats *st)
{
	unsigned u, b;

	ADM_Printf(o, "\"backends\":{");
	for (b = 0; b < st->nbackend && b < STAT_MAXBACKEND; b++) {
		ADM_Printf(o, "%s", b > 0 ? "," : "");
		ADM_Quote(o, st->be[b].name, 1);
		ADM_Printf(o, ":{");
		for (u = 0; u < sizeof adm_be / sizeof adm_be[0]; u++)
			ADM_Printf(o, "%s\"%s\":%ju", u > 0 ? "," : "",
			    adm_be[u].json,
			    (uintmax_t)adm_get(&st->be[b], &adm_be[u]));
		for (u = 0; u < BE_C__MAX; u++)
			if (strchr(adm_lb[u].where, 'B') != NULL)
				ADM_Printf(o, ",\"%s\":%ju", adm_lb[u].field,
				    (uintmax_t)st->be[b].lb.c[u]);
		adm_json_health(o, &st->be[b].hc);
		adm_json_state(o, &st->be[b]);
		ADM_Printf(o, "}");
	}
	ADM_Printf(o, "}");
}

/*--------------------------------------------------------------------
 * /status: "directors", an object keyed by director name.
 */

static void
adm_json_directors(struct adm_out *o, const struct stats *st)
{
	unsigned u, b, n;

	ADM_Printf(o, ",\"directors\":{");
	for (b = 0; b < st->ndirector; b++) {
		ADM_Printf(o, "%s", b > 0 ? "," : "");
		ADM_Quote(o, st->dir[b].name, 1);
		ADM_Printf(o, ":{");
		for (u = 0, n = 0; u < BE_C__MAX; u++)
			if (strchr(adm_lb[u].where, 'D') != NULL)
				ADM_Printf(o, "%s\"%s\":%ju", n++ ? "," : "",
				    adm_lb[u].field,
				    (uintmax_t)st->dir[b].c.c[u]);
		ADM_Printf(o, "}");
	}
	ADM_Printf(o, "}");
}

/*--------------------------------------------------------------------
 * GET /status: the snapshot as one JSON object.
 */

static void
adm_status(struct adm_out *o, const struct stats *st, double now)
{

	ADM_Printf(o, "{\"started\":%.3f,\"uptime\":%.3f,", st->started,
	    st->started > 0. ? now - st->started : 0.);
	ADM_Printf(o, "\"health\":\"%s\",", ADM_HealthFail() == NULL ? "ok" :
	    "fail");
	adm_json_counters(o, st);
	ADM_Printf(o, ",\"sessions\":{\"open\":%u,\"busy\":%u,\"idle\":%u,"
	    "\"partial\":%u}", st->sessions, st->sessions_busy,
	    adm_diff(st->sessions, st->sessions_busy), st->sessions_partial);
	ADM_Printf(o, ",\"queue\":%u", st->queue);
	ADM_Printf(o, ",\"workers\":{\"total\":%u,\"busy\":%u,\"idle\":%u}",
	    st->workers, st->workers_busy,
	    adm_diff(st->workers, st->workers_busy));
	ADM_Printf(o, ",\"reloads\":{\"ok\":%ju,\"failed\":%ju,\"last\":",
	    (uintmax_t)st->reload_ok, (uintmax_t)st->reload_failed);
	if (st->reload_last > 0.)
		ADM_Printf(o, "%.3f}", st->reload_last);
	else
		ADM_Printf(o, "null}");
	ADM_Printf(o, ",\"access_log\":{\"dropped\":%ju},",
	    (uintmax_t)ALOG_Dropped());
	adm_json_backends(o, st);
	adm_json_directors(o, st);
	ADM_Printf(o, "}\n");
}

/*--------------------------------------------------------------------
 * GET /metrics or /status: a status, a content type and o's body (see
 * admin_priv.h).
 */

unsigned
ADM_Read(int metrics, struct adm_out *o, const char **ctype)
{
	struct stats *st;

	if ((st = malloc(sizeof *st)) == NULL)
		return (500);
	STAT_Get(st);
	if (metrics) {
		*ctype = "text/plain; version=0.0.4; charset=utf-8";
		adm_metrics(o, st, TIM_real());
	} else {
		*ctype = "application/json";
		adm_status(o, st, TIM_real());
	}
	free(st);
	return (o->fail ? 500 : 200);
}

