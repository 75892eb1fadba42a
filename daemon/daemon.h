/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * daemon.h -- the running daemon: life cycle after the configuration is
 * loaded (daemonize, listeners, threads, signals, reload, drain).
 */

#ifndef FRONTD_DAEMON_H
#define FRONTD_DAEMON_H

struct conf;

/*
 * Run frontd with 'conf' (ownership of the reference moves here) until it
 * is told to stop.  'conffile' is what -f named (NULL: the default path or
 * the embedded default), for reloads.  Returns the process exit code.
 */
int DAEMON_Main(struct conf *conf, const char *conffile, int foreground);

#endif /* FRONTD_DAEMON_H */
