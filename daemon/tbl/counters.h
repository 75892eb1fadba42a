/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * tbl/counters.h -- every counter frontd keeps: one X-macro table for the
 * enum, the metric names and their help text.
 *
 * COUNTER(name, help)
 */

COUNTER(sess_accepted,		"client connections accepted")
COUNTER(sess_refused,		"client connections refused: max_connections")
COUNTER(accept_fdlimit,		"accept paused: out of file descriptors")
COUNTER(sess_evicted,		"idle client connections closed to make room")
COUNTER(sess_closed,		"client connections closed")
COUNTER(req_total,		"requests received")
COUNTER(req_queued,		"requests that waited for a worker")
COUNTER(req_rejected,		"requests answered 503: worker queue full")
COUNTER(resp_1xx,		"responses 1xx (final responses only)")
COUNTER(resp_2xx,		"responses 2xx")
COUNTER(resp_3xx,		"responses 3xx")
COUNTER(resp_4xx,		"responses 4xx")
COUNTER(resp_5xx,		"responses 5xx")
COUNTER(bconn_opened,		"backend connections opened")
COUNTER(bconn_reused,		"backend connections reused from the pool")
COUNTER(bconn_closed,		"backend connections closed")
COUNTER(bconn_failed,		"backend connections failed to connect")
COUNTER(bconn_retried,		"requests retried after a stale pooled connection")
COUNTER(tunnels,		"upgraded connections (101) tunnelled")
COUNTER(resp_early,		"final responses before the request body was all sent")
COUNTER(sess_lingered,		"client connections closed by a lingering close")
COUNTER(slow_reader_kept,	"client writes that waited past a check: the client still read")
COUNTER(proxy_hdr,		"PROXY headers read (a LOCAL one included)")
COUNTER(proxy_local,		"PROXY headers that kept the peer's address (LOCAL, UNKNOWN)")
COUNTER(proxy_bad,		"connections closed: PROXY header malformed or missing")
COUNTER(proxy_too_large,	"connections closed: PROXY header too large")
COUNTER(proxy_timeout,		"connections closed: no PROXY header in time")
COUNTER(mem_trimmed,		"freed memory given back after a crowd of clients left")
