/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * log.h -- the error and event log (relayd's log.c shape).
 *
 * In the foreground every line goes to stderr; as a daemon to syslog
 * (LOG_DAEMON).  Messages start with the function or subsystem name.
 * log_warn() appends strerror(errno).  fatal()/fatalx() log and exit(1)
 * (EX_* codes through fatalc()).
 */

#ifndef FRONTD_LOG_H
#define FRONTD_LOG_H

#include <stdarg.h>

void log_init(int foreground, int debug);
int log_file(const char *path);		/* NULL: syslog */
int log_reopen(void);
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2),
    __noreturn__));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2),
    __noreturn__));
void fatalc(int code, const char *, ...) __attribute__((format(printf, 2, 3),
    __noreturn__));

#endif /* FRONTD_LOG_H */
