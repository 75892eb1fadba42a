/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mem.h -- give memory freed after a crowd of connections back to the
 * system.
 */

#ifndef FRONTD_MEM_H
#define FRONTD_MEM_H

/*
 * A session was opened and n are open now: keeps the peak.  Called by
 * the thread that opens sessions (the acceptor); a load and a compare.
 */
void MEM_Sessions(unsigned n);

/*
 * Look at how many sessions are open now; once their number has fallen
 * to half of its peak since the last trim (and the peak was worth it),
 * hand the allocator's free pages back to the kernel.  Main thread only,
 * about once a second, never on the request path.  Returns 1 if it
 * trimmed, else 0.
 */
int MEM_Tick(unsigned sessions);

#endif /* FRONTD_MEM_H */
