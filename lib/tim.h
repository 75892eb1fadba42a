/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * tim.h -- time.
 *
 * Two clocks, kept apart by type: tim_mono (CLOCK_MONOTONIC, seconds as a
 * double) for every deadline and duration measured inside the process, and
 * tim_real (wall clock) only for log lines.  A double has microsecond
 * resolution for centuries of uptime, which is all a proxy needs.
 */

#ifndef FRONTD_TIM_H
#define FRONTD_TIM_H

#include <time.h>

typedef double tim_mono;	/* seconds on CLOCK_MONOTONIC */
typedef double tim_real;	/* seconds since the epoch */
typedef double tim_dur;		/* a length of time, in seconds */

tim_mono TIM_mono(void);
tim_real TIM_real(void);
struct timespec TIM_timespec(tim_dur d);	/* d < 0 gives {0,0} */
void TIM_sleep(tim_dur d);

#endif /* FRONTD_TIM_H */
