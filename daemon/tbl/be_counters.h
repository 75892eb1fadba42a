/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * tbl/be_counters.h -- what frontd counts per backend and per director,
 * shared by every worker: one X-macro table for the fields, the
 * /metrics series and /status.
 *
 * BE_COUNTER(field, metric, type, where, help)
 *   where: B backend only, D director only, BD both
 */

BE_COUNTER(req,		"requests_total",	counter, BD,
    "requests sent (or about to be sent) to it")
BE_COUNTER(resp_1xx,	"responses_1xx_total",	counter, BD,
    "final responses 1xx")
BE_COUNTER(resp_2xx,	"responses_2xx_total",	counter, BD,
    "responses 2xx")
BE_COUNTER(resp_3xx,	"responses_3xx_total",	counter, BD,
    "responses 3xx")
BE_COUNTER(resp_4xx,	"responses_4xx_total",	counter, BD,
    "responses 4xx")
BE_COUNTER(resp_5xx,	"responses_5xx_total",	counter, BD,
    "responses 5xx, frontd's own included")
BE_COUNTER(inflight,	"in_flight",		gauge,	 BD,
    "requests in flight now")
BE_COUNTER(inflight_peak, "in_flight_peak",	gauge,	 B,
    "most requests in flight to it at once since it was made")
BE_COUNTER(conns,	"connections_open",	gauge,	 B,
    "connections open to it now, busy or idle, on every worker")
BE_COUNTER(queued,	"queued",		gauge,	 BD,
    "requests waiting for a connection slot now")
BE_COUNTER(queue_timeout, "queue_timeouts_total", counter, BD,
    "requests that waited queue_timeout in vain (503)")
BE_COUNTER(queue_full,	"queue_full_total",	counter, BD,
    "requests refused with the queue at max_queue (503)")
BE_COUNTER(retries,	"member_retries_total", counter, BD,
    "requests sent again to another member after a failed connect")
BE_COUNTER(dns_changes,	"dns_changes_total",	counter, B,
    "times the addresses of its name changed")
BE_COUNTER(probes,	"probes_total",		counter, B,
    "health probes sent")
BE_COUNTER(probes_failed, "probes_failed_total", counter, B,
    "health probes that failed (connect, timeout, status not expected)")
BE_COUNTER(health_down,	"health_down_total",	counter, B,
    "times its probes took it out of rotation")
BE_COUNTER(health_up,	"health_up_total",	counter, B,
    "times its probes put it back")
BE_COUNTER(ejections,	"ejections_total",	counter, B,
    "times failed requests ejected it for a while (passive checks)")
