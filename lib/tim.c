/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * tim.c -- clocks and conversions (see tim.h).
 */

#include <errno.h>
#include <math.h>
#include <time.h>

#include "vas.h"
#include "tim.h"

/*--------------------------------------------------------------------
 * The monotonic clock, for deadlines.
 */

tim_mono
TIM_mono(void)
{
	struct timespec ts;

	AZ(clock_gettime(CLOCK_MONOTONIC, &ts));
	return (ts.tv_sec + 1e-9 * ts.tv_nsec);
}

/*--------------------------------------------------------------------
 * The wall clock, for log lines only.
 */

tim_real
TIM_real(void)
{
	struct timespec ts;

	AZ(clock_gettime(CLOCK_REALTIME, &ts));
	return (ts.tv_sec + 1e-9 * ts.tv_nsec);
}

/*--------------------------------------------------------------------
 * A duration as a timespec, rounded up to the next nanosecond so that a
 * sleep never wakes before its deadline.
 */

struct timespec
TIM_timespec(tim_dur d)
{
	struct timespec ts;

	if (!(d > 0.)) {
		ts.tv_sec = 0;
		ts.tv_nsec = 0;
		return (ts);
	}
	if (d > 1e9)
		d = 1e9;
	ts.tv_sec = (time_t)floor(d);
	ts.tv_nsec = (long)ceil((d - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return (ts);
}

/*--------------------------------------------------------------------
 * Sleep for a duration, across signals.
 */

void
TIM_sleep(tim_dur d)
{
	struct timespec ts = TIM_timespec(d);

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}
