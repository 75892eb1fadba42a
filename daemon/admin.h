/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * admin.h -- the admin listener: GET /metrics (Prometheus text format),
 * GET /status (the same numbers as one JSON object), /health, and the
 * API that drains backends (admin_api.c).
 */

#ifndef FRONTD_ADMIN_H
#define FRONTD_ADMIN_H

#include <stddef.h>

/*
 * Main thread: listen on 'spec' ("127.0.0.1:9090", "[::1]:9090",
 * "*:9090") and start the admin thread.  0, or -1 with one line in 'err'
 * ("admin_listen SPEC: reason").  Calling it again while running fails.
 */
int ADM_Start(const char *spec, char *err, size_t errlen);

/*
 * Main thread, once the workers and waiters run: start answering.  Until
 * then connections wait in the listen queue, so that no request reads
 * state that is not there yet.
 */
void ADM_Open(void);

/*
 * Main thread: stop the admin thread and close its socket and the
 * connections it still has.  A no-op when not running.
 */
void ADM_Stop(void);

/* Upgrades: the listening socket (or -1), and adopting an inherited one. */
int ADM_Fd(void);
void ADM_Inherit(int fd);

#endif /* FRONTD_ADMIN_H */
