/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * alog.h -- the access log: one line per request, in the combined log
 * format followed by key=value fields, or as JSON lines.
 *
 * Each thread formats into its own buffer; the buffer goes to the file
 * with one write(2) when it is big or old enough, so the request path
 * takes no shared lock and makes no system call for its log line.
 */

#ifndef FRONTD_ALOG_H
#define FRONTD_ALOG_H

#include <stddef.h>
#include <stdint.h>

/*
 * One request, as the proxy saw it.  The strings belong to the caller and
 * are only read during ALOG_Write(); the spans need no NUL.
 */
struct alog_rec {
	double		t_start;	/* wall clock when the head's first byte came */
	const char	*peer;		/* client address as text */
	const char	*method;	/* NULL: no request line */
	size_t		method_len;
	const char	*target;
	size_t		target_len;
	unsigned	vmajor, vminor;	/* client's version */
	const char	*host;		/* NULL: absent */
	size_t		host_len;
	const char	*referer;	/* NULL: absent */
	size_t		referer_len;
	const char	*ua;		/* NULL: absent */
	size_t		ua_len;
	unsigned	status;		/* 0: no response was sent */
	uint64_t	bytes;		/* response bytes sent to the client */
	double		t_head;		/* seconds; < 0: did not happen */
	double		t_queue;
	double		t_connect;
	double		t_firstbyte;
	double		t_total;
	const char	*route;		/* NULL: none matched */
	const char	*director;	/* NULL: none */
	const char	*backend;	/* NULL: none chosen */
	int		reused;		/* backend connection from the pool */
	unsigned	retries;
	const char	*cause;		/* close reason / error cause, or NULL */
};

/*
 * Main thread.  Open 'path' for appending (creating it 0640) and log
 * there, as JSON lines if 'json'.  Called again while open, it moves
 * the log to the new file and format; what threads have buffered goes to
 * the new file.  path NULL stops logging (lines already buffered are
 * still written).  0, or -1 with errno; on failure the log goes on as it
 * was.
 */
int ALOG_Open(const char *path, int json);

/*
 * Main thread (SIGUSR1): open the same path again, for log rotation.
 * Threads writing at that moment finish their write to the old file.
 * 0 (also when no log is open), or -1 with errno and the old file kept.
 */
int ALOG_Reopen(void);

/*
 * Any thread: append one line to this thread's buffer.  No lock shared
 * with other threads, no system call unless the buffer passed its size
 * threshold.  A no-op when no log is open.
 */
void ALOG_Write(const struct alog_rec *);

/*
 * The calling thread, after a batch of events, 'now' on the monotonic
 * clock (tim_mono): write this thread's buffer if its oldest line is
 * older than ALOG_MAXAGE.  Optional: a background thread writes buffers
 * that nobody flushes, a little later.
 */
void ALOG_Flush(double now);

/*
 * At shutdown, after the workers stopped: write what every thread still
 * holds, stop the background thread and close the file.  ALOG_Write() is
 * a no-op afterwards, until ALOG_Open() again.
 */
void ALOG_FlushAll(void);

/* Lines dropped (write errors, no memory) since start; any thread. */
uint64_t ALOG_Dropped(void);

#define ALOG_MAXAGE	0.1	/* seconds a line may wait in a buffer */

#endif /* FRONTD_ALOG_H */
