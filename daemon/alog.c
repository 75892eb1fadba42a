/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * alog.c -- the access log writer.
 *
 * Each thread that logs gets its own 64 KiB buffer (thread-local, made
 * at its first line) and formats its lines there; the buffer goes to the
 * file with one write(2) on an O_APPEND descriptor once it holds 32 KiB
 * or its oldest line is ALOG_MAXAGE old.  A line is always whole in one
 * buffer and a buffer holds whole lines, so lines are never split or
 * interleaved between threads: O_APPEND writes to a regular file do not
 * mix.  For a pipe or FIFO only PIPE_BUF bytes are atomic, so there a
 * buffer is written in pieces of at most PIPE_BUF, cut at line ends.
 *
 * Each buffer has a mutex that only its own thread takes on the request
 * path; it is uncontended, so its cache line stays with that thread.  It
 * exists for the background thread, which every ALOG_MAXAGE looks at
 * every buffer (trylock: a buffer in use is skipped) and writes the old
 * ones, so that the last lines before a quiet spell do not wait for the
 * next request.  Rejected: pure thread-local buffers flushed only by
 * their thread, which strands lines in a worker that goes quiet; one
 * shared buffer under a lock, which is the bottleneck the log must not
 * be; stdio, whose FILE lock is the same thing and which may split lines.
 *
 * Reopening (SIGUSR1) keeps the descriptor number: the new file is
 * opened and dup3()ed onto the number every thread writes to.  dup3
 * replaces the file atomically; a write(2) in progress keeps the old file
 * until it returns, so each buffer lands whole in the old or the new
 * file.  No grace period and no generation check are needed.  Rejected:
 * swapping an atomic fd and closing the old one after a grace period
 * (a thread that loaded the old number just before may write into
 * whatever descriptor reuses it -- a client socket, say -- if it is slow);
 * a generation number each thread checks, which needs a descriptor per
 * thread and a way to close the old ones.  For the same reason
 * ALOG_Open(NULL) only stops new lines; the descriptor is closed by
 * ALOG_FlushAll(), at shutdown, when no worker runs.
 *
 * Formats: the combined log format, strings escaped as nginx does (\" \\
 * and \xHH for control bytes and bytes over 0x7e), "-" for what is
 * absent, then logfmt-style key=value fields.  Or one JSON object per
 * line: every string escaped per RFC 8259, invalid UTF-8 bytes written
 * as \u00XX, null for what is absent.  Each variable field is cut at a
 * fixed length (marked "..."), so a line always fits in the free half of
 * a buffer.  Numbers are formatted by hand and the date once per second
 * per thread: snprintf on every line would cost more than the rest.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vas.h"
#include "tim.h"
#include "alog.h"
#include "log.h"

#define ALOG_BUFSZ	(64 * 1024)
#define ALOG_FLUSHSZ	(32 * 1024)

/* Longest output of each variable field, escapes included. */
#define ALOG_MAX_TARGET	8192
#define ALOG_MAX_HDR	2048	/* referer, user-agent */
#define ALOG_MAX_HOST	1024
#define ALOG_MAX_SHORT	256	/* method, peer, backend, cause */
#define ALOG_MAX_REC	(ALOG_MAX_TARGET + 2 * ALOG_MAX_HDR +		\
			    ALOG_MAX_HOST + 4 * ALOG_MAX_SHORT + 1024)

_Static_assert(ALOG_BUFSZ - ALOG_FLUSHSZ >= ALOG_MAX_REC,
    "a line must always fit after a flush");

struct alog_buf {
	unsigned		magic;
#define ALOG_BUF_MAGIC		0x414c4f47
	pthread_mutex_t		mtx;
	struct alog_buf		*next;	/* alog_list, under alog_mtx */
	struct alog_buf		**pprev;
	tim_mono		t_first; /* oldest line in buf */
	size_t			len;
	time_t			d_sec;	/* the second d_str shows */
	int			d_json;	/* ... and in which format */
	char			d_str[32];
	size_t			d_len;
	char			buf[ALOG_BUFSZ];
};

/* A place to format into; 'full' once something did not fit. */
struct alog_cur {
	char			*p;
	char			*e;
	int			full;
};

static int		alog_fd = -1;	/* atomic; a number never reused */
static unsigned		alog_on;	/* atomic */
static unsigned		alog_json;	/* atomic */
static unsigned		alog_chunk;	/* atomic; 0: one write per buffer */
static uint64_t		alog_dropped;	/* atomic */
static unsigned		alog_failing;	/* atomic: the last write failed */
static char		*alog_path;	/* main thread */

static pthread_mutex_t	alog_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	alog_cv;
static struct alog_buf	*alog_list;	/* every thread's buffer */
static int		alog_stop;	/* under alog_mtx */
static int		alog_thr_on;	/* main thread */
static pthread_t	alog_thr;

static pthread_once_t	alog_once = PTHREAD_ONCE_INIT;
static pthread_key_t	alog_key;
static _Thread_local struct alog_buf *alog_tb;

static const char alog_hex[] = "0123456789abcdef";

/* Bytes that stand for themselves in both formats: printable ASCII but
 * " and \. */
static const unsigned char alog_ok[256] = {
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
};

/*--------------------------------------------------------------------
 * Append len bytes, or mark the cursor full.
 */

static void
alog_put(struct alog_cur *c, const char *s, size_t len)
{

	if (c->full || (size_t)(c->e - c->p) < len) {
		c->full = 1;
		return;
	}
	memcpy(c->p, s, len);
	c->p += len;
}

#define alog_lit(c, s)	alog_put((c), (s), sizeof(s) - 1)

/*--------------------------------------------------------------------
 * Append an unsigned number in decimal, at least 'width' digits.
 */

static void
alog_uint(struct alog_cur *c, uint64_t u, int width)
{
	char tmp[24];
	int i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0 || sizeof tmp - (size_t)i < (size_t)width);
	alog_put(c, tmp + i, sizeof tmp - (size_t)i);
}

/*--------------------------------------------------------------------
 * Append a duration in seconds with microseconds ("0.000123"), or
 * 'none' when it did not happen (t < 0).
 */

static void
alog_dur(struct alog_cur *c, double t, const char *none)
{
	uint64_t us;

	if (!(t >= 0.)) {
		alog_put(c, none, strlen(none));
		return;
	}
	if (t > 1e12)
		t = 1e12;
	us = (uint64_t)(t * 1e6 + .5);
	alog_uint(c, us / 1000000, 1);
	alog_lit(c, ".");
	alog_uint(c, us % 1000000, 6);
}

/*--------------------------------------------------------------------
 * Length of the valid UTF-8 sequence at s (2 to 4), or 0 if s[0] does
 * not start one (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
 */

static size_t
alog_utf8(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return (0);
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return (0);
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return (0);
	return (len);
}

/*--------------------------------------------------------------------
 * The escape of byte b into out, and its length.  JSON: \" \\ \b \f \n
 * \r \t or \u00XX.  Combined (nginx's): \" \\ or \xXX.
 */

static size_t
alog_esc(unsigned char b, int json, char *out)
{
	static const char ctl[] = "\b\f\n\r\t", sym[] = "bfnrt";
	const char *p;
	size_t l;

	out[0] = '\\';
	if (b == '"' || b == '\\') {
		out[1] = (char)b;
		return (2);
	}
	if (json && b != 0 && (p = strchr(ctl, b)) != NULL) {
		out[1] = sym[p - ctl];
		return (2);
	}
	l = json ? 4 : 2;
	memcpy(out + 1, json ? "u00" : "x", l - 1);
	out[l] = alog_hex[b >> 4];
	out[l + 1] = alog_hex[b & 0xf];
	return (l + 2);
}

/*--------------------------------------------------------------------
 * How many bytes at u stand for themselves: a run of printable ASCII
 * but " and \, or (JSON only) one valid UTF-8 sequence.
 */

static size_t
alog_plain(const unsigned char *u, size_t n, int json)
{
	size_t run;

	for (run = 0; run < n && alog_ok[u[run]]; run++)
		continue;
	if (run > 0 || !json || u[0] < 0x80)
		return (run);
	return (alog_utf8(u, n));
}

/*--------------------------------------------------------------------
 * Append s[0..n) escaped for 'json' (or combined), without the quotes,
 * cut with "..." where the output would pass 'max' bytes.  Only ASCII
 * runs are cut, never an escape or a UTF-8 sequence.
 */

static void
alog_str(struct alog_cur *c, const char *s, size_t n, size_t max, int json)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *out;
	char esc[8];
	size_t i, k, olen, used = 0;

	for (i = 0; i < n; i += k) {
		k = olen = alog_plain(u + i, n - i, json);
		out = s + i;
		if (k == 0) {
			olen = alog_esc(u[i], json, esc);
			out = esc;
			k = 1;
		}
		if (used + olen > max) {
			if (out != esc && u[i] < 0x80)
				alog_put(c, out, max - used);
			alog_lit(c, "...");
			return;
		}
		alog_put(c, out, olen);
		used += olen;
	}
}

/*--------------------------------------------------------------------
 * Append s[0..n) in quotes, or 'none' when s is NULL.
 */

static void
alog_qstr(struct alog_cur *c, const char *s, size_t n, size_t max, int json,
    const char *none)
{

	if (s == NULL) {
		alog_put(c, none, strlen(none));
		return;
	}
	alog_lit(c, "\"");
	alog_str(c, s, n, max, json);
	alog_lit(c, "\"");
}

/*--------------------------------------------------------------------
 * The second of t as text, cached per thread: "01/Jul/2026:10:00:00
 * +0000" (combined) or "2026-07-01T10:00:00" (JSON).  frontd never calls
 * setlocale(), so %b is English.
 */

static void
alog_date(struct alog_buf *tb, time_t sec, int json)
{
	struct tm tm;

	if (tb->d_len > 0 && tb->d_sec == sec && tb->d_json == json)
		return;
	if (gmtime_r(&sec, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	tb->d_len = strftime(tb->d_str, sizeof tb->d_str,
	    json ? "%Y-%m-%dT%H:%M:%S" : "%d/%b/%Y:%H:%M:%S +0000", &tm);
	tb->d_sec = sec;
	tb->d_json = json;
}

/*--------------------------------------------------------------------
 * Start a key=value field (combined) or a member of the object (JSON).
 */

static void
alog_field(struct alog_cur *c, const char *key, int json)
{

	alog_put(c, json ? ",\"" : " ", json ? 2 : 1);
	alog_put(c, key, strlen(key));
	alog_put(c, json ? "\":" : "=", json ? 2 : 1);
}

/*--------------------------------------------------------------------
 * The fields after the request and response: timings, route, director,
 * backend, reuse, retries and cause, in either format.
 */

static void
alog_tail(struct alog_cur *c, const struct alog_rec *r, int json)
{
	const char *none = json ? "null" : "-";

	alog_field(c, "t_head", json);
	alog_dur(c, r->t_head, none);
	alog_field(c, "t_queue", json);
	alog_dur(c, r->t_queue, none);
	alog_field(c, "t_connect", json);
	alog_dur(c, r->t_connect, none);
	alog_field(c, "t_firstbyte", json);
	alog_dur(c, r->t_firstbyte, none);
	alog_field(c, "t_total", json);
	alog_dur(c, r->t_total, none);
	alog_field(c, "route", json);
	alog_qstr(c, r->route, r->route != NULL ? strlen(r->route) : 0,
	    ALOG_MAX_SHORT, json, none);
	alog_field(c, "director", json);
	alog_qstr(c, r->director, r->director != NULL ?
	    strlen(r->director) : 0, ALOG_MAX_SHORT, json, none);
	alog_field(c, "backend", json);
	alog_qstr(c, r->backend, r->backend != NULL ? strlen(r->backend) : 0,
	    ALOG_MAX_SHORT, json, none);
	alog_field(c, "reused", json);
	if (json)
		alog_put(c, r->reused ? "true" : "false", r->reused ? 4 : 5);
	else
		alog_put(c, r->reused ? "1" : "0", 1);
	alog_field(c, "retries", json);
	alog_uint(c, r->retries, 1);
	alog_field(c, "cause", json);
	alog_qstr(c, r->cause, r->cause != NULL ? strlen(r->cause) : 0,
	    ALOG_MAX_SHORT, json, none);
}

/*--------------------------------------------------------------------
 * "HTTP/x.y", the client's version.
 */

static void
alog_proto(struct alog_cur *c, const struct alog_rec *r)
{

	alog_lit(c, "HTTP/");
	alog_uint(c, r->vmajor, 1);
	alog_lit(c, ".");
	alog_uint(c, r->vminor, 1);
}

/*--------------------------------------------------------------------
 * "METHOD TARGET HTTP/x.y" of the combined format, without quotes.
 */

static void
alog_reqline(struct alog_cur *c, const struct alog_rec *r)
{

	if (r->method == NULL || r->method_len == 0) {
		alog_lit(c, "-");
		return;
	}
	alog_str(c, r->method, r->method_len, ALOG_MAX_SHORT, 0);
	alog_lit(c, " ");
	alog_str(c, r->target, r->target != NULL ? r->target_len : 0,
	    ALOG_MAX_TARGET, 0);
	alog_lit(c, " ");
	alog_proto(c, r);
}

/*--------------------------------------------------------------------
 * One line in the combined log format, then key=value fields.
 */

static void
alog_fmt_combined(struct alog_buf *tb, struct alog_cur *c,
    const struct alog_rec *r)
{

	if (r->peer != NULL && *r->peer != '\0')
		alog_str(c, r->peer, strlen(r->peer), ALOG_MAX_SHORT, 0);
	else
		alog_lit(c, "-");
	alog_date(tb, (time_t)(r->t_start > 0. ? r->t_start : 0.), 0);
	alog_lit(c, " - - [");
	alog_put(c, tb->d_str, tb->d_len);
	alog_lit(c, "] \"");
	alog_reqline(c, r);
	alog_lit(c, "\" ");
	if (r->status > 0)
		alog_uint(c, r->status, 1);
	else
		alog_lit(c, "-");
	alog_lit(c, " ");
	alog_uint(c, r->bytes, 1);
	alog_lit(c, " ");
	alog_qstr(c, r->referer, r->referer_len, ALOG_MAX_HDR, 0, "\"-\"");
	alog_lit(c, " ");
	alog_qstr(c, r->ua, r->ua_len, ALOG_MAX_HDR, 0, "\"-\"");
	alog_field(c, "host", 0);
	alog_qstr(c, r->host, r->host_len, ALOG_MAX_HOST, 0, "-");
	alog_tail(c, r, 0);
	alog_lit(c, "\n");
}

/*--------------------------------------------------------------------
 * One JSON object on one line.
 */

static void
alog_fmt_json(struct alog_buf *tb, struct alog_cur *c,
    const struct alog_rec *r)
{
	int req = r->method != NULL && r->method_len > 0;
	double t = r->t_start > 0. ? r->t_start : 0.;

	alog_date(tb, (time_t)t, 1);
	alog_lit(c, "{\"time\":\"");
	alog_put(c, tb->d_str, tb->d_len);
	alog_lit(c, ".");
	alog_uint(c, (uint64_t)((t - (double)(time_t)t) * 1e3) % 1000, 3);
	alog_lit(c, "Z\"");
	alog_field(c, "peer", 1);
	alog_qstr(c, r->peer, r->peer != NULL ? strlen(r->peer) : 0,
	    ALOG_MAX_SHORT, 1, "null");
	alog_field(c, "method", 1);
	alog_qstr(c, req ? r->method : NULL, r->method_len, ALOG_MAX_SHORT, 1,
	    "null");
	alog_field(c, "target", 1);
	alog_qstr(c, req ? r->target : NULL, r->target_len, ALOG_MAX_TARGET,
	    1, "null");
	alog_field(c, "proto", 1);
	if (req) {
		alog_lit(c, "\"");
		alog_proto(c, r);
		alog_lit(c, "\"");
	} else
		alog_lit(c, "null");
	alog_field(c, "host", 1);
	alog_qstr(c, r->host, r->host_len, ALOG_MAX_HOST, 1, "null");
	alog_field(c, "status", 1);
	if (r->status > 0)
		alog_uint(c, r->status, 1);
	else
		alog_lit(c, "null");
	alog_field(c, "bytes", 1);
	alog_uint(c, r->bytes, 1);
	alog_field(c, "referer", 1);
	alog_qstr(c, r->referer, r->referer_len, ALOG_MAX_HDR, 1, "null");
	alog_field(c, "ua", 1);
	alog_qstr(c, r->ua, r->ua_len, ALOG_MAX_HDR, 1, "null");
	alog_tail(c, r, 1);
	alog_lit(c, "}\n");
}

/*--------------------------------------------------------------------
 * Where the next piece of buf[0..n) to write ends: all of it, or (for a
 * pipe) at most 'chunk' bytes cut after a newline; a longer line alone.
 */

static size_t
alog_cut(const char *buf, size_t n, size_t chunk)
{
	size_t i;

	if (chunk == 0 || n <= chunk)
		return (n);
	for (i = chunk; i > 0; i--)
		if (buf[i - 1] == '\n')
			return (i);
	for (i = chunk; i < n; i++)
		if (buf[i] == '\n')
			return (i + 1);
	return (n);
}

/*--------------------------------------------------------------------
 * Count the lines in buf[0..n) as dropped; say so once per failing run.
 */

static void
alog_drop(const char *buf, size_t n)
{
	uint64_t lines = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (buf[i] == '\n')
			lines++;
	(void)__atomic_fetch_add(&alog_dropped, lines, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&alog_failing, 1, __ATOMIC_RELAXED) == 0)
		log_warn("access log: %ju line(s) lost", (uintmax_t)lines);
}

/*--------------------------------------------------------------------
 * write(2) all of buf[0..n).  0, or -1 with errno.
 *
 * XXX: a short write is finished with a second write(2), which another
 * thread's buffer may precede; that only happens on a full disk or a
 * signal during a write to a pipe.
 */

static int
alog_write(int fd, const char *buf, size_t n)
{
	ssize_t w;

	if (fd < 0) {
		errno = EBADF;
		return (-1);
	}
	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return (-1);
		buf += w;
		n -= (size_t)w;
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Write and empty tb; tb->mtx held.
 */

static void
alog_wbuf(struct alog_buf *tb)
{
	size_t off, n, chunk;
	int fd;

	CHECK_OBJ_NOTNULL(tb, ALOG_BUF_MAGIC);
	fd = __atomic_load_n(&alog_fd, __ATOMIC_ACQUIRE);
	chunk = __atomic_load_n(&alog_chunk, __ATOMIC_RELAXED);
	for (off = 0; off < tb->len; off += n) {
		n = alog_cut(tb->buf + off, tb->len - off, chunk);
		if (alog_write(fd, tb->buf + off, n) != 0) {
			alog_drop(tb->buf + off, tb->len - off);
			tb->len = 0;
			return;
		}
	}
	if (__atomic_load_n(&alog_failing, __ATOMIC_RELAXED))
		__atomic_store_n(&alog_failing, 0, __ATOMIC_RELAXED);
	tb->len = 0;
}

/*--------------------------------------------------------------------
 * Take tb off the list of buffers, write what it holds and free it.
 */

static void
alog_freebuf(struct alog_buf *tb)
{

	CHECK_OBJ_NOTNULL(tb, ALOG_BUF_MAGIC);
	AZ(pthread_mutex_lock(&alog_mtx));
	*tb->pprev = tb->next;
	if (tb->next != NULL)
		tb->next->pprev = tb->pprev;
	AZ(pthread_mutex_unlock(&alog_mtx));
	AZ(pthread_mutex_lock(&tb->mtx));
	alog_wbuf(tb);
	AZ(pthread_mutex_unlock(&tb->mtx));
	AZ(pthread_mutex_destroy(&tb->mtx));
	FREE_OBJ(tb);
}

/*--------------------------------------------------------------------
 * Thread exit (the key's destructor): the thread's last lines.
 */

static void
alog_thread_exit(void *priv)
{
	struct alog_buf *tb;

	CAST_OBJ_NOTNULL(tb, priv, ALOG_BUF_MAGIC);
	assert(tb == alog_tb);
	alog_tb = NULL;
	alog_freebuf(tb);
}

/*--------------------------------------------------------------------
 * Once per process: the thread-exit key and the background thread's
 * condition variable on the monotonic clock.
 */

static void
alog_init(void)
{
	pthread_condattr_t ca;

	AZ(pthread_key_create(&alog_key, alog_thread_exit));
	AZ(pthread_condattr_init(&ca));
	AZ(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC));
	AZ(pthread_cond_init(&alog_cv, &ca));
	AZ(pthread_condattr_destroy(&ca));
}

/*--------------------------------------------------------------------
 * The calling thread's buffer, made and listed at its first line.
 * NULL when there is no memory.
 */

static struct alog_buf *
alog_getbuf(void)
{
	struct alog_buf *tb;

	if (alog_tb != NULL)
		return (alog_tb);
	ALLOC_OBJ(tb, ALOG_BUF_MAGIC);
	if (tb == NULL)
		return (NULL);
	AZ(pthread_mutex_init(&tb->mtx, NULL));
	AZ(pthread_once(&alog_once, alog_init));
	AZ(pthread_setspecific(alog_key, tb));
	AZ(pthread_mutex_lock(&alog_mtx));
	tb->next = alog_list;
	if (tb->next != NULL)
		tb->next->pprev = &tb->next;
	tb->pprev = &alog_list;
	alog_list = tb;
	AZ(pthread_mutex_unlock(&alog_mtx));
	alog_tb = tb;
	return (tb);
}

/*--------------------------------------------------------------------
 * Background thread, alog_mtx held: write the buffers whose oldest line
 * is ALOG_MAXAGE old and whose thread is not using them.
 */

static void
alog_sweep(void)
{
	struct alog_buf *tb;
	tim_mono now;

	now = TIM_mono();
	for (tb = alog_list; tb != NULL; tb = tb->next) {
		if (pthread_mutex_trylock(&tb->mtx) != 0)
			continue;
		if (tb->len > 0 && now - tb->t_first >= ALOG_MAXAGE)
			alog_wbuf(tb);
		AZ(pthread_mutex_unlock(&tb->mtx));
	}
}

/*--------------------------------------------------------------------
 * The background thread: a sweep every ALOG_MAXAGE until told to stop.
 */

static void *
alog_run(void *priv)
{
	struct timespec ts;

	(void)priv;
	AZ(pthread_mutex_lock(&alog_mtx));
	while (!alog_stop) {
		AZ(clock_gettime(CLOCK_MONOTONIC, &ts));
		ts.tv_nsec += (long)(ALOG_MAXAGE * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&alog_cv, &alog_mtx, &ts);
		alog_sweep();
	}
	AZ(pthread_mutex_unlock(&alog_mtx));
	return (NULL);
}

/*--------------------------------------------------------------------
 * Start the background thread, with every signal blocked in it.
 */

static void
alog_start(void)
{
	sigset_t all, old;
	int e;

	if (alog_thr_on)
		return;
	(void)sigfillset(&all);
	AZ(pthread_sigmask(SIG_SETMASK, &all, &old));
	e = pthread_create(&alog_thr, NULL, alog_run, NULL);
	AZ(pthread_sigmask(SIG_SETMASK, &old, NULL));
	if (e != 0) {
		errno = e;
		log_warn("access log: no flush thread");
		return;
	}
	alog_thr_on = 1;
}

/*--------------------------------------------------------------------
 * Stop and join the background thread.
 */

static void
alog_halt(void)
{

	if (!alog_thr_on)
		return;
	AZ(pthread_mutex_lock(&alog_mtx));
	alog_stop = 1;
	AZ(pthread_cond_signal(&alog_cv));
	AZ(pthread_mutex_unlock(&alog_mtx));
	AZ(pthread_join(alog_thr, NULL));
	alog_stop = 0;
	alog_thr_on = 0;
}

/*--------------------------------------------------------------------
 * Open path for appending; *chunk gets PIPE_BUF for anything but a
 * regular file (0: no limit).  The descriptor, or -1 with errno.
 */

static int
alog_openfile(const char *path, unsigned *chunk)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0640);
	if (fd < 0)
		return (-1);
	if (fstat(fd, &st) != 0) {
		e = errno;
		(void)close(fd);
		errno = e;
		return (-1);
	}
	*chunk = S_ISREG(st.st_mode) ? 0 : PIPE_BUF;
	return (fd);
}

/*--------------------------------------------------------------------
 * Put the open file fd where every thread writes: onto the descriptor
 * number in use (dup3 swaps the file atomically), or as that number.
 * 0, or -1 with errno and fd closed.
 */

static int
alog_install(int fd)
{
	int cur, e;

	cur = __atomic_load_n(&alog_fd, __ATOMIC_ACQUIRE);
	if (cur < 0) {
		__atomic_store_n(&alog_fd, fd, __ATOMIC_RELEASE);
		return (0);
	}
	if (dup3(fd, cur, O_CLOEXEC) < 0) {
		e = errno;
		(void)close(fd);
		errno = e;
		return (-1);
	}
	(void)close(fd);
	return (0);
}

/*--------------------------------------------------------------------
 * Main thread: log to path (see alog.h).
 */

int
ALOG_Open(const char *path, int json)
{
	unsigned chunk;
	char *p;
	int fd;

	AZ(pthread_once(&alog_once, alog_init));
	if (path == NULL) {
		__atomic_store_n(&alog_on, 0, __ATOMIC_RELEASE);
		free(alog_path);
		alog_path = NULL;
		return (0);
	}
	if ((fd = alog_openfile(path, &chunk)) < 0)
		return (-1);
	if ((p = strdup(path)) == NULL) {
		(void)close(fd);
		errno = ENOMEM;
		return (-1);
	}
	if (alog_install(fd) != 0) {
		free(p);
		return (-1);
	}
	__atomic_store_n(&alog_chunk, chunk, __ATOMIC_RELAXED);
	__atomic_store_n(&alog_json, json ? 1 : 0, __ATOMIC_RELAXED);
	free(alog_path);
	alog_path = p;
	alog_start();
	__atomic_store_n(&alog_on, 1, __ATOMIC_RELEASE);
	return (0);
}

/*--------------------------------------------------------------------
 * Main thread, SIGUSR1: the same path again (see alog.h).
 */

int
ALOG_Reopen(void)
{

	if (alog_path == NULL)
		return (0);
	return (ALOG_Open(alog_path,
	    (int)__atomic_load_n(&alog_json, __ATOMIC_RELAXED)));
}

/*--------------------------------------------------------------------
 * Any thread: format one line into this thread's buffer (see alog.h).
 */

void
ALOG_Write(const struct alog_rec *r)
{
	struct alog_buf *tb;
	struct alog_cur c;

	if (!__atomic_load_n(&alog_on, __ATOMIC_ACQUIRE))
		return;
	AN(r);
	if ((tb = alog_getbuf()) == NULL) {
		(void)__atomic_fetch_add(&alog_dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	AZ(pthread_mutex_lock(&tb->mtx));
	if (tb->len == 0)
		tb->t_first = TIM_mono();
	c.p = tb->buf + tb->len;
	c.e = tb->buf + sizeof tb->buf;
	c.full = 0;
	if (__atomic_load_n(&alog_json, __ATOMIC_RELAXED))
		alog_fmt_json(tb, &c, r);
	else
		alog_fmt_combined(tb, &c, r);
	AZ(c.full);
	tb->len = (size_t)(c.p - tb->buf);
	if (tb->len >= ALOG_FLUSHSZ)
		alog_wbuf(tb);
	AZ(pthread_mutex_unlock(&tb->mtx));
}

/*--------------------------------------------------------------------
 * The calling thread, after a batch of events (see alog.h).
 */

void
ALOG_Flush(double now)
{
	struct alog_buf *tb = alog_tb;

	if (tb == NULL)
		return;
	AZ(pthread_mutex_lock(&tb->mtx));
	if (tb->len > 0 &&
	    (now - tb->t_first >= ALOG_MAXAGE || tb->len >= ALOG_FLUSHSZ))
		alog_wbuf(tb);
	AZ(pthread_mutex_unlock(&tb->mtx));
}

/*--------------------------------------------------------------------
 * Shutdown, no worker running: write everything, close (see alog.h).
 */

void
ALOG_FlushAll(void)
{
	struct alog_buf *tb;
	int fd;

	__atomic_store_n(&alog_on, 0, __ATOMIC_RELEASE);
	alog_halt();
	AZ(pthread_mutex_lock(&alog_mtx));
	for (tb = alog_list; tb != NULL; tb = tb->next) {
		AZ(pthread_mutex_lock(&tb->mtx));
		alog_wbuf(tb);
		AZ(pthread_mutex_unlock(&tb->mtx));
	}
	AZ(pthread_mutex_unlock(&alog_mtx));
	if ((tb = alog_tb) != NULL) {
		AZ(pthread_setspecific(alog_key, NULL));
		alog_tb = NULL;
		alog_freebuf(tb);
	}
	fd = __atomic_exchange_n(&alog_fd, -1, __ATOMIC_ACQ_REL);
	if (fd >= 0)
		(void)close(fd);
	free(alog_path);
	alog_path = NULL;
}

/*--------------------------------------------------------------------
 * Lines lost so far (any thread).
 */

uint64_t
ALOG_Dropped(void)
{

	return (__atomic_load_n(&alog_dropped, __ATOMIC_RELAXED));
}
