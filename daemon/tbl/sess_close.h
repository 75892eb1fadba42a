/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * tbl/sess_close.h -- why a client connection was closed.
 *
 * SESS_CLOSE(name, is_error, description)
 */

SESS_CLOSE(REM_CLOSE,	0, "client closed")
SESS_CLOSE(REQ_CLOSE,	0, "client asked to close")
SESS_CLOSE(RESP_CLOSE,	0, "response not keep-alive")
SESS_CLOSE(IDLE_TIMEOUT, 0, "idle keep-alive timeout")
SESS_CLOSE(REQ_TIMEOUT,	1, "request head timeout (408)")
SESS_CLOSE(CLIENT_TIMEOUT, 1, "client stalled mid-request or mid-response")
SESS_CLOSE(REQ_SLOW,	1, "request head slower than min_rate (408)")
SESS_CLOSE(PARTIAL_LIMIT, 1,
    "client address at max_partial_per_client unfinished heads (429)")
SESS_CLOSE(CLIENT_SLOW,	1, "client slower than min_rate mid-request or mid-response")
SESS_CLOSE(RX_ERROR,	1, "receive error")
SESS_CLOSE(TX_ERROR,	1, "send error")
SESS_CLOSE(BAD_REQ,	1, "malformed request (4xx)")
SESS_CLOSE(OVERLOAD,	1, "overload (503)")
SESS_CLOSE(BACKEND,	1, "backend failed mid-response")
SESS_CLOSE(TUNNEL,	0, "tunnel ended")
SESS_CLOSE(SHUTDOWN,	0, "shutting down")
SESS_CLOSE(EVICTED,	0, "idle, closed to make room for a new client")
SESS_CLOSE(NO_ROUTE,	1, "no route for the request (404)")
SESS_CLOSE(QUEUE_FULL,	1, "backends at max_connections, queue full (503)")
SESS_CLOSE(QUEUE_TIMEOUT, 1, "waited queue_timeout for a backend (503)")
SESS_CLOSE(NO_BACKEND,	1, "no backend of the director is up (503)")
SESS_CLOSE(NO_HEALTHY_BACKEND, 1,
    "no member of the director is healthy and in service (503)")
SESS_CLOSE(PROXY_BAD,	1, "PROXY header malformed, missing or too large")
SESS_CLOSE(PROXY_TIMEOUT, 1, "no PROXY header within timeout_req")
