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
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	2048

static int	log_fg = 1;		/* stderr until log_init() says */
static int	log_dbg;
static int	log_fd = -1;		/* error_log file, else syslog */
static char	log_path[1024];

static void log_stamp(const char *, size_t, int);

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
log_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
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
	if (!log_fg && log_path[0] == '\0') {
		buf[len] = '\0';
		syslog(pri, "%s", buf);
		return;
	}
	buf[len++] = '\n';
	if (!log_fg)
		log_stamp(buf, len, pri);
	else
		log_write(STDERR_FILENO, buf, len);
}

/*--------------------------------------------------------------------
 * Send the daemon's lines to a file (error_log) instead of syslog, or
 * back to syslog with NULL.  Main thread; other threads may be logging:
 * the file takes over the old descriptor number with dup2(), so a line
 * goes to one file or the other, never to a closed descriptor.  0, or
 * -1 with errno.
 */

int
log_file(const char *path)
{
	int fd;

	if (path == NULL) {
		log_path[0] = '\0';
		return (0);		/* the old fd stays, unused */
	}
	if (strlen(path) >= sizeof log_path) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return (-1);
	if (log_fd >= 0) {
		(void)dup2(fd, log_fd);
		(void)close(fd);
	} else
		log_fd = fd;
	(void)snprintf(log_path, sizeof log_path, "%s", path);
	return (0);
}

/*--------------------------------------------------------------------
 * USR1: open the error_log file again (it was rotated).
 */

int
log_reopen(void)
{
	char path[sizeof log_path];

	if (log_path[0] == '\0')
		return (0);
	(void)snprintf(path, sizeof path, "%s", log_path);
	return (log_file(path));
}

/*--------------------------------------------------------------------
 * One line to the error_log file: time, pid, level, message, in one
 * write(2) so that lines of different threads never mix.
 */

static void
log_stamp(const char *msg, size_t len, int pri)
{
	char buf[LOG_LINE_MAX + 96];
	struct timespec ts;
	struct tm tm;
	size_t n;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	n += (size_t)snprintf(buf + n, sizeof buf - n, " frontd[%ld] %s: ",
	    (long)getpid(), pri <= LOG_ERR ? "error" :
	    pri == LOG_DEBUG ? "debug" : "info");
	if (len > sizeof buf - n)
		len = sizeof buf - n;
	memcpy(buf + n, msg, len);
	log_write(log_fd, buf, n + len);
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
