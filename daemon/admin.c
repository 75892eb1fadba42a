/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * admin.c -- the admin listener: /metrics and /status.
 *
 * One thread and one listening socket (bind it to loopback: the numbers
 * say how busy the site is).  The thread serves one connection at a
 * time: accept, read one request head of at most ADM_HEADMAX bytes,
 * answer, close -- the whole exchange within ADM_TIMEOUT, so a client
 * that stalls holds the thread for two seconds at most.  That is off the
 * request path and plenty for a scrape every few seconds.  Every answer
 * carries Content-Length and Connection: close.
 *
 * GET /metrics renders one STAT_Get() snapshot in the Prometheus text
 * exposition format (0.0.4): the frontd_ prefix, counters ending in
 * _total, gauges without.  Labels only where the set of values is small
 * and fixed: backend (named in the configuration, at most
 * STAT_MAXBACKEND), close reason (tbl/sess_close.h), status class (five)
 * and waiter event kind (five); never anything taken from a request.
 * GET /status gives the same snapshot as one JSON object, counters under
 * their tbl/counters.h names, for people and scripts.  HEAD works as
 * GET without the body; other methods get 405, other paths 404.
 *
 * Rejected: serving the admin port from a worker's event loop (a scrape
 * would share a loop with client traffic, and rendering would stall it);
 * a thread per connection (threads on demand for a port that needs
 * none); an HTTP library (one request line is all there is to parse).
 */

#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontd.h"
#include "admin.h"
#include "alog.h"
#include "log.h"
#include "stats.h"

#define ADM_TIMEOUT	2.0	/* seconds for one whole exchange */
#define ADM_LINGER	0.5	/* reading what the client still sends */
#define ADM_HEADMAX	8192

/* A growing output buffer; 'fail' once memory ran out. */
struct adm_out {
	char		*p;
	size_t		len;
	size_t		cap;
	int		fail;
};

/* A field of struct stats_backend or struct wait_stats, by offset. */
struct adm_field {
	const char	*prom;		/* metric name after frontd_ */
	const char	*type;		/* counter or gauge */
	const char	*help;
	const char	*json;		/* key in /status */
	size_t		off;
	size_t		size;		/* of the field: 4 or 8 bytes */
};

static int		adm_lfd = -1;
static int		adm_pipe[2] = { -1, -1 };	/* stop signal */
static int		adm_on;
static pthread_t	adm_thr;

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
	ADM_BE(closed, "backend_connections_closed_total", "counter",
	    "backend connections closed"),
	ADM_BE(failed, "backend_connections_failed_total", "counter",
	    "backend connections that failed to connect or timed out"),
	ADM_BE(retried, "backend_retries_total", "counter",
	    "requests sent again after a stale pooled connection"),
	ADM_BE(idle, "backend_connections_idle", "gauge",
	    "idle pooled backend connections"),
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

static void __attribute__((format(printf, 2, 3)))
adm_printf(struct adm_out *o, const char *fmt, ...)
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

static void
adm_quote(struct adm_out *o, const char *s, int json)
{

	adm_printf(o, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			adm_printf(o, "\\%c", *s);
		else if (*s == '\n')
			adm_printf(o, "\\n");
		else if (json && (unsigned char)*s < 0x20)
			adm_printf(o, "\\u%04x", (unsigned char)*s);
		else
			adm_printf(o, "%c", *s);
	}
	adm_printf(o, "\"");
}

/*--------------------------------------------------------------------
 * The # HELP and # TYPE lines of a metric family.
 */

static void
adm_phead(struct adm_out *o, const char *name, const char *type,
    const char *help)
{

	adm_printf(o, "# HELP frontd_%s %s\n# TYPE frontd_%s %s\n",
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
	adm_printf(o, "frontd_%s %ju\n", name, (uintmax_t)v);
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
			adm_printf(o, "frontd_connections_closed_total"
			    "{reason=\"%s\"} %ju\n", adm_lower(buf, sizeof buf,
			    adm_sc_name[u]), (uintmax_t)st->closed[u]);
	adm_phead(o, "responses_total", "counter",
	    "final responses sent, by status class");
	for (u = 0; u < sizeof adm_resp / sizeof adm_resp[0]; u++)
		adm_printf(o, "frontd_responses_total{class=\"%s\"} %ju\n",
		    adm_resp[u].cls, (uintmax_t)st->c.c[adm_resp[u].cnt]);
	adm_phead(o, "waiter_events_total", "counter",
	    "events the event loops handled, by kind");
	for (u = 0; u < sizeof adm_ws / sizeof adm_ws[0]; u++)
		adm_printf(o, "frontd_waiter_events_total{kind=\"%s\"} %ju\n",
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
			adm_printf(o, "frontd_%s{backend=", f->prom);
			adm_quote(o, st->be[b].name, 0);
			adm_printf(o, "} %ju\n",
			    (uintmax_t)adm_get(&st->be[b], f));
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
	adm_printf(o, "frontd_reload_last_timestamp_seconds %.3f\n",
	    st->reload_last);
	adm_phead(o, "start_time_seconds", "gauge", "time frontd started");
	adm_printf(o, "frontd_start_time_seconds %.3f\n", st->started);
	adm_phead(o, "uptime_seconds", "gauge", "seconds since start");
	adm_printf(o, "frontd_uptime_seconds %.3f\n",
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

	adm_printf(o, "\"counters\":{");
	for (u = 0; u < CNT__MAX; u++)
		adm_printf(o, "%s\"%s\":%ju", u > 0 ? "," : "",
		    adm_cnt_name[u], (uintmax_t)st->c.c[u]);
	adm_printf(o, "},\"closed\":{");
	for (u = 0; u < SC__MAX; u++)
		adm_printf(o, "%s\"%s\":%ju", u > 0 ? "," : "",
		    adm_lower(buf, sizeof buf, adm_sc_name[u]),
		    (uintmax_t)st->closed[u]);
	adm_printf(o, "},\"waiter\":{");
	for (u = 0; u < sizeof adm_ws / sizeof adm_ws[0]; u++)
		adm_printf(o, "\"%s\":%ju,", adm_ws[u].json,
		    (uintmax_t)adm_get(&st->waiter, &adm_ws[u]));
	adm_printf(o, "\"wakeups\":%lu}", st->waiter.wakeups);
}

/*--------------------------------------------------------------------
 * /status: "backends", an object keyed by backend name.
 */

static void
adm_json_backends(struct adm_out *o, const struct stats *st)
{
	unsigned u, b;

	adm_printf(o, "\"backends\":{");
	for (b = 0; b < st->nbackend && b < STAT_MAXBACKEND; b++) {
		adm_printf(o, "%s", b > 0 ? "," : "");
		adm_quote(o, st->be[b].name, 1);
		adm_printf(o, ":{");
		for (u = 0; u < sizeof adm_be / sizeof adm_be[0]; u++)
			adm_printf(o, "%s\"%s\":%ju", u > 0 ? "," : "",
			    adm_be[u].json,
			    (uintmax_t)adm_get(&st->be[b], &adm_be[u]));
		adm_printf(o, "}");
	}
	adm_printf(o, "}");
}

/*--------------------------------------------------------------------
 * GET /status: the snapshot as one JSON object.
 */

static void
adm_status(struct adm_out *o, const struct stats *st, double now)
{

	adm_printf(o, "{\"started\":%.3f,\"uptime\":%.3f,", st->started,
	    st->started > 0. ? now - st->started : 0.);
	adm_json_counters(o, st);
	adm_printf(o, ",\"sessions\":{\"open\":%u,\"busy\":%u,\"idle\":%u}",
	    st->sessions, st->sessions_busy,
	    adm_diff(st->sessions, st->sessions_busy));
	adm_printf(o, ",\"queue\":%u", st->queue);
	adm_printf(o, ",\"workers\":{\"total\":%u,\"busy\":%u,\"idle\":%u}",
	    st->workers, st->workers_busy,
	    adm_diff(st->workers, st->workers_busy));
	adm_printf(o, ",\"reloads\":{\"ok\":%ju,\"failed\":%ju,\"last\":",
	    (uintmax_t)st->reload_ok, (uintmax_t)st->reload_failed);
	if (st->reload_last > 0.)
		adm_printf(o, "%.3f}", st->reload_last);
	else
		adm_printf(o, "null}");
	adm_printf(o, ",\"access_log\":{\"dropped\":%ju},",
	    (uintmax_t)ALOG_Dropped());
	adm_json_backends(o, st);
	adm_printf(o, "}\n");
}

/*--------------------------------------------------------------------
 * Milliseconds left until 'end', for poll(); 0 once it passed.
 */

static int
adm_left(tim_mono end)
{
	tim_dur d = end - TIM_mono();

	return (d > 0. ? (int)(d * 1e3) + 1 : 0);
}

/*--------------------------------------------------------------------
 * Wait until fd is ready for 'ev' or 'end' passed.  1 ready, 0 not.
 */

static int
adm_wait(int fd, short ev, tim_mono end)
{
	struct pollfd pfd;
	int ms, n;

	pfd.fd = fd;
	pfd.events = ev;
	while ((ms = adm_left(end)) > 0) {
		n = poll(&pfd, 1, ms);
		if (n > 0)
			return (1);
		if (n < 0 && errno != EINTR)
			return (0);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Read a request head into buf (NUL-terminated) until the empty line.
 * Its length; 0 on EOF, error or timeout; -1 if it is too long.
 */

static ssize_t
adm_rxhead(int fd, char *buf, size_t len, tim_mono end)
{
	size_t have = 0;
	ssize_t n;

	assert(len > 1);
	while (have < len - 1) {
		n = read(fd, buf + have, len - 1 - have);
		if (n == 0)
			return (0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno != EAGAIN || !adm_wait(fd, POLLIN, end)))
			return (0);
		if (n < 0)
			continue;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL ||
		    strstr(buf, "\n\n") != NULL)
			return ((ssize_t)have);
	}
	return (-1);
}

/*--------------------------------------------------------------------
 * Send all of the iovecs before 'end'.  0, or -1.
 */

static int
adm_tx(int fd, struct iovec *iov, int niov, tim_mono end)
{
	ssize_t n;
	size_t l;

	while (niov > 0) {
		n = writev(fd, iov, niov);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno != EAGAIN || !adm_wait(fd, POLLOUT, end)))
			return (-1);
		for (l = n < 0 ? 0 : (size_t)n; niov > 0 && l > 0; ) {
			if (l < iov->iov_len) {
				iov->iov_base = (char *)iov->iov_base + l;
				iov->iov_len -= l;
				break;
			}
			l -= iov->iov_len;
			iov++;
			niov--;
		}
		while (niov > 0 && iov->iov_len == 0) {
			iov++;
			niov--;
		}
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Send a response: status line, the fixed fields, the body unless HEAD.
 */

static void
adm_respond(int fd, unsigned status, const char *ctype,
    const struct adm_out *body, int head, tim_mono end)
{
	struct iovec iov[2];
	char hd[512];
	int l;

	l = snprintf(hd, sizeof hd, "HTTP/1.1 %u %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n",
	    status, status == 200 ? "OK" : status == 400 ? "Bad Request" :
	    status == 404 ? "Not Found" : status == 405 ?
	    "Method Not Allowed" : "Internal Server Error", ctype, body->len,
	    status == 405 ? "Allow: GET, HEAD\r\n" : "");
	assert(l > 0 && (size_t)l < sizeof hd);
	iov[0].iov_base = hd;
	iov[0].iov_len = (size_t)l;
	iov[1].iov_base = body->p;
	iov[1].iov_len = head ? 0 : body->len;
	(void)adm_tx(fd, iov, 2, end);
}

/*--------------------------------------------------------------------
 * Answer a parsed request: a status, a content type and o's body.
 */

static unsigned
adm_route(const char *method, const char *path, struct adm_out *o,
    const char **ctype)
{
	struct stats *st;
	int metrics;

	*ctype = "text/plain; charset=utf-8";
	metrics = strcmp(path, "/metrics") == 0;
	if (!metrics && strcmp(path, "/status") != 0) {
		adm_printf(o, "not found\n");
		return (404);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		adm_printf(o, "method not allowed\n");
		return (405);
	}
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

/*--------------------------------------------------------------------
 * Split "METHOD SP TARGET SP HTTP/1.x" in place; the target's query is
 * cut off.  0, or -1 when it is not a request line.
 */

static int
adm_reqline(char *buf, const char **method, const char **path)
{
	char *sp1, *sp2, *q;

	sp1 = strchr(buf, ' ');
	if (sp1 == NULL || sp1 == buf)
		return (-1);
	sp2 = strchr(sp1 + 1, ' ');
	if (sp2 == NULL || sp2[1 + strcspn(sp2 + 1, "\r\n")] == '\0' ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return (-1);
	*sp1 = *sp2 = '\0';
	if ((q = strchr(sp1 + 1, '?')) != NULL)
		*q = '\0';
	*method = buf;
	*path = sp1 + 1;
	return (0);
}

/*--------------------------------------------------------------------
 * Close after the response: stop sending, read what the client still
 * sends for a short while, so that the close does not reset the
 * response away.
 */

static void
adm_close(int fd, tim_mono end)
{
	char buf[4096];
	tim_mono lend;
	ssize_t n;

	(void)shutdown(fd, SHUT_WR);
	lend = TIM_mono() + ADM_LINGER;
	if (lend > end)
		lend = end;
	while (adm_wait(fd, POLLIN, lend)) {
		n = read(fd, buf, sizeof buf);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break;
	}
	(void)close(fd);
}

/*--------------------------------------------------------------------
 * One connection: read a request, answer it, close.
 */

static void
adm_conn(int fd)
{
	struct adm_out o;
	const char *method = "", *path, *ctype = "text/plain; charset=utf-8";
	char req[ADM_HEADMAX + 1];
	unsigned status = 400;
	tim_mono end;
	ssize_t n;

	end = TIM_mono() + ADM_TIMEOUT;
	memset(&o, 0, sizeof o);
	o.cap = 16384;
	if ((o.p = malloc(o.cap)) == NULL) {
		(void)close(fd);
		return;
	}
	n = adm_rxhead(fd, req, sizeof req, end);
	if (n > 0 && adm_reqline(req, &method, &path) == 0)
		status = adm_route(method, path, &o, &ctype);
	else
		adm_printf(&o, "bad request\n");
	if (status == 500)
		o.len = 0;
	if (n != 0)
		adm_respond(fd, status, ctype, &o, strcmp(method, "HEAD") == 0,
		    end);
	adm_close(fd, end);
	free(o.p);
}

/*--------------------------------------------------------------------
 * The admin thread: accept and serve one connection at a time until a
 * byte arrives on the stop pipe.
 */

static void *
adm_run(void *priv)
{
	struct pollfd pfd[2];
	int fd;

	(void)priv;
	pfd[0].fd = adm_lfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = adm_pipe[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno != EINTR)
				TIM_sleep(0.1);
			continue;
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents == 0)
			continue;
		fd = accept4(adm_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			adm_conn(fd);
		else if (errno == EMFILE || errno == ENFILE)
			TIM_sleep(0.1);
	}
	return (NULL);
}

/*--------------------------------------------------------------------
 * Parse "IPv4:port", "[IPv6]:port" or "*:port" (numeric only).  NULL,
 * or why not.
 */

static const char *
adm_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *lenp)
{
	struct addrinfo hints, *res;
	char host[128];
	const char *p, *h = spec;
	size_t hl;

	if (*spec == '[') {
		h++;
		p = strchr(h, ']');
		if (p == NULL || p[1] != ':')
			return ("want [IPv6]:port");
		hl = (size_t)(p++ - h);
	} else if ((p = strrchr(spec, ':')) != NULL)
		hl = (size_t)(p - h);
	else
		return ("no port (want IPv4:port or [IPv6]:port)");
	if (hl == 0 || hl >= sizeof host || p[1] == '\0' ||
	    strspn(p + 1, "0123456789") != strlen(p + 1) || atoi(p + 1) < 1 ||
	    atoi(p + 1) > 65535)
		return ("want an address and a port from 1 to 65535");
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = *spec == '[' ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, p + 1, &hints,
	    &res) != 0)
		return ("not a numeric address");
	assert(res->ai_addrlen <= sizeof *ss);
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*lenp = res->ai_addrlen;
	freeaddrinfo(res);
	return (NULL);
}

/*--------------------------------------------------------------------
 * Is the address a loopback one?
 */

static int
adm_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	if (ss->ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)ss;
		return ((ntohl(sin->sin_addr.s_addr) >> 24) == 127);
	}
	sin6 = (const struct sockaddr_in6 *)(const void *)ss;
	return (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
}

/*--------------------------------------------------------------------
 * Open the listening socket for spec.  The descriptor, or -1 with
 * 'err' filled in.
 */

static int
adm_listen(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	const char *why;
	socklen_t len;
	int fd, one = 1;

	if ((why = adm_addr(spec, &ss, &len)) != NULL) {
		(void)snprintf(err, errlen, "admin_listen %s: %s", spec, why);
		return (-1);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof one) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 64) != 0) {
		(void)snprintf(err, errlen, "admin_listen %s: %s", spec,
		    strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		return (-1);
	}
	if (!adm_loopback(&ss))
		log_warnx("admin_listen %s: not a loopback address; anyone "
		    "who reaches it sees the counters", spec);
	return (fd);
}

/*--------------------------------------------------------------------
 * Main thread: listen on spec and start the admin thread (see admin.h).
 */

int
ADM_Start(const char *spec, char *err, size_t errlen)
{
	sigset_t all, old;
	int e;

	AN(spec);
	if (adm_on) {
		(void)snprintf(err, errlen, "admin_listen %s: already running",
		    spec);
		return (-1);
	}
	if ((adm_lfd = adm_listen(spec, err, errlen)) < 0)
		return (-1);
	if (pipe2(adm_pipe, O_CLOEXEC) != 0) {
		e = errno;
		goto fail;
	}
	(void)sigfillset(&all);
	AZ(pthread_sigmask(SIG_SETMASK, &all, &old));
	e = pthread_create(&adm_thr, NULL, adm_run, NULL);
	AZ(pthread_sigmask(SIG_SETMASK, &old, NULL));
	if (e == 0) {
		adm_on = 1;
		return (0);
	}
	(void)close(adm_pipe[0]);
	(void)close(adm_pipe[1]);
fail:
	(void)close(adm_lfd);
	adm_lfd = adm_pipe[0] = adm_pipe[1] = -1;
	(void)snprintf(err, errlen, "admin_listen %s: %s", spec, strerror(e));
	return (-1);
}

/*--------------------------------------------------------------------
 * Main thread: stop the admin thread, close its socket (see admin.h).
 */

void
ADM_Stop(void)
{

	if (!adm_on)
		return;
	while (write(adm_pipe[1], "x", 1) < 0 && errno == EINTR)
		continue;
	AZ(pthread_join(adm_thr, NULL));
	(void)close(adm_lfd);
	(void)close(adm_pipe[0]);
	(void)close(adm_pipe[1]);
	adm_lfd = adm_pipe[0] = adm_pipe[1] = -1;
	adm_on = 0;
}
