#!/usr/bin/env python3
"""b51_timeout_idle: an idle keep-alive client is closed at timeout_idle,
with no response sent (design section 4; user demand #7: expiry of an
idle keep-alive session is not an error and gets no response).

timeout_idle is 1 s.  One client makes a request, reads the answer and
stays quiet; another connects and never sends a byte.  Both must be
closed 1 s later (bounds 0.9 s .. 3.0 s), receiving nothing more.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

TIDLE = 1.0
LOW, HIGH = TIDLE - 0.1, TIDLE + 2.0


def after_request(port, out):
    s = t.connect(port)
    s.sendall(b"GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n")
    r = t.Reader(s).response()
    t0 = time.monotonic()
    t.check(r.status == 200 and r.body == b"ok", "first answer %d %r"
            % (r.status, r.body))
    data, _ = t.wait_closed(s, 10)
    out["after_request"] = (data, time.monotonic() - t0)


def silent(port, out):
    s = t.connect(port)
    t0 = time.monotonic()
    data, _ = t.wait_closed(s, 10)
    out["silent"] = (data, time.monotonic() - t0)


def test(ctx):
    be = ctx.backend(t.simple_handler())
    fd = ctx.frontd("timeout_idle = 1s\ntimeout_req = 10s", be.port)
    out = {}
    th = [threading.Thread(target=f, args=(fd.port, out))
          for f in (after_request, silent)]
    for x in th:
        x.start()
    for x in th:
        x.join(20)
    for name in ("after_request", "silent"):
        t.check(name in out, "%s: no result" % name)
        data, secs = out[name]
        t.log("%s: closed after %.3fs idle, sent %r" % (name, secs, data[:40]))
        t.check(data == b"", "%s: got %r, want no response"
                % (name, data[:60]))
        t.check(LOW <= secs <= HIGH, "%s: closed after %.3fs idle, "
                "want %.1f..%.1f" % (name, secs, LOW, HIGH))


t.main(test)
