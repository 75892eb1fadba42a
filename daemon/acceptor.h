/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * acceptor.h -- listening sockets and the accept thread.
 */

#ifndef FRONTD_ACCEPTOR_H
#define FRONTD_ACCEPTOR_H

#include <stddef.h>

struct conf;

int ACC_Open(const struct conf *, char *err, size_t errlen);
void ACC_Close(void);
int ACC_Start(void);
void ACC_Stop(void);
int ACC_Reload(const struct conf *, char *err, size_t errlen);

/* Upgrades: the listening sockets, and adopting inherited ones. */
unsigned ACC_Fds(int *fds, unsigned max);
void ACC_Inherit(const int *fds, unsigned n);

#endif /* FRONTD_ACCEPTOR_H */
