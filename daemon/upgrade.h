/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * upgrade.h -- USR2: run a new binary on the same listening sockets.
 * See upgrade.c.
 */

#ifndef FRONTD_UPGRADE_H
#define FRONTD_UPGRADE_H

/* At start: how the process was started, and what an upgrade handed it. */
void UPG_Init(char **argv);

/*
 * Started by an upgrade: give the inherited sockets to the acceptor and
 * the admin listener; the descriptor to say "ready" on, else -1.
 */
int UPG_Adopt(void);

/* USR2: 1 when the new process is listening (drain now), 0 if it failed. */
int UPG_Start(void);

#endif /* FRONTD_UPGRADE_H */
