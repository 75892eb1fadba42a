/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * log.c -- the error and event log, in the shape of OpenBSD relayd's
 * log.c: log_warn/log_warnx/log_info/log_debug and fatal/fatalx, plus
 * fatalc for an exit code from <sysexits.h>.
 *
 * In the foreground each message is one line on stderr; as a daemon it
 * goes to syslog(3) as "frontd" with LOG_DAEMON.  Debug messages are
 * dropped unless debug logging is on (-d).
 *
 * Any thread may log.  A line is formatted into a buffer on the stack and
 * written with a single write(2), so lines from different threads never
 * interleave; syslog(3) is thread-safe by itself.  stdio is not used for
 * stderr because its locking and buffering would split or delay lines.
 * errno is kept across every call, so logging never disturbs the caller.
 * Messages longer than LOG_LINE_MAX are cut.
 *
 * This is not the access log, which has its own file and format.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	2048

static int	log_fg = 1;		/* stderr until log_init() says */
static int	log_dbg;

/*--------------------------------------------------------------------
 * Choose the destination: stderr (foreground) or syslog, and whether
 * debug messages are kept.  Call before threads start.
 */

void
log_init(int foreground, int debug)
{

	log_fg = foreground;
	log_dbg = debug;
	if (!foreground)
		openlog("frontd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/*--------------------------------------------------------------------
 * Write all of buf to stderr, retrying after a signal or a short write.
 */

static void
log_write(const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(STDERR_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/*--------------------------------------------------------------------
 * Format and emit one line at priority pri; errstr (or NULL) is appended
 * after ": ".
 */

static void
log_vlog(int pri, const char *errstr, const char *fmt, va_list ap)
{
	char buf[LOG_LINE_MAX];
	size_t len;
	int n;

	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	len = n < 0 ? 0 : (size_t)n;
	if (len > sizeof buf - 2)
		len = sizeof buf - 2;
	if (errstr != NULL) {
		n = snprintf(buf + len, sizeof buf - 1 - len, ": %s", errstr);
		len += n < 0 ? 0 : (size_t)n;
		if (len > sizeof buf - 2)
			len = sizeof buf - 2;
	}
	if (!log_fg) {
		buf[len] = '\0';
		syslog(pri, "%s", buf);
		return;
	}
	buf[len++] = '\n';
	log_write(buf, len);
}

/*--------------------------------------------------------------------
 * Log an error, with strerror(errno) appended.
 */

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_ERR, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

/*--------------------------------------------------------------------
 * Log an error without errno.
 */

void
log_warnx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_ERR, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*--------------------------------------------------------------------
 * Log an event worth an operator's attention in normal operation.
 */

void
log_info(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*--------------------------------------------------------------------
 * Log a debugging detail; nothing unless debug logging is on.
 */

void
log_debug(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!log_dbg)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*--------------------------------------------------------------------
 * Log a fatal error with strerror(errno), and exit 1.
 */

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

/*--------------------------------------------------------------------
 * Log a fatal error without errno, and exit 1.
 */

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

/*--------------------------------------------------------------------
 * Log a fatal error without errno, and exit with code (EX_CONFIG, ...).
 */

void
fatalc(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(code);
}
