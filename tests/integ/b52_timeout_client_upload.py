#!/usr/bin/env python3
"""b52_timeout_client_upload: a client that stalls mid-upload is closed at
timeout_client, and so is the backend connection carrying the partial
body (design section 4: timeout_client covers a client silent
mid-request; user demand #19: if the client goes away mid-body, close the
backend connection at once, never return it to the pool, never end a
chunked body cleanly).

timeout_client is 500 ms.  Two uploads stall after 1000 bytes of body:
one with Content-Length: 100000, one chunked.  For each, the client
connection is closed 0.5 s after the stall (bounds 0.4 s .. 2.5 s, an
optional 408 before), and the backend sees its connection end (EOF) in
the same window, having received the head and at most the 1000 bytes,
and for the chunked one no last chunk.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

TCLIENT = 0.5
LOW, HIGH = TCLIENT - 0.1, TCLIENT + 2.0


def handler(c):
    c.read_head()
    c.read_until_eof(15)


def upload(port, name, head, part, out):
    s = t.connect(port)
    s.sendall(head + part)
    t0 = time.monotonic()
    data, _ = t.wait_closed(s, 10)
    out[name] = (t0, data, time.monotonic() - t0)


def test(ctx):
    be = ctx.backend(handler)
    # request_buffer = 0: the body streams, which is what this is about
    fd = ctx.frontd("timeout_client = 500ms\ntimeout_idle = 10s\n"
                    "request_buffer = 0", be.port)
    out = {}
    cl_head = (b"POST /cl HTTP/1.1\r\nHost: example.com\r\n"
               b"Content-Length: 100000\r\n\r\n")
    ck_head = (b"POST /chunked HTTP/1.1\r\nHost: example.com\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n")
    th = [threading.Thread(target=upload, args=(fd.port, "cl", cl_head,
                                                b"x" * 1000, out)),
          threading.Thread(target=upload, args=(fd.port, "chunked", ck_head,
                                                b"3e8\r\n" + b"y" * 1000 +
                                                b"\r\n", out))]
    for x in th:
        x.start()
    for x in th:
        x.join(20)
    for name in ("cl", "chunked"):
        t.check(name in out, "%s: no result" % name)
        t0, data, secs = out[name]
        t.log("%s: client closed %.3fs after the stall, sent %r"
              % (name, secs, data[:40]))
        t.check(data == b"" or data.startswith(b"HTTP/1.1 408 "),
                "%s: got %r, want nothing or a 408" % (name, data[:60]))
        t.check(LOW <= secs <= HIGH, "%s: client closed %.3fs after the "
                "stall, want %.1f..%.1f" % (name, secs, LOW, HIGH))
    # the backend side
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (
            len(be.conns) < 2 or any(c.t_eof is None for c in be.conns)):
        time.sleep(0.05)
    t.check(len(be.conns) == 2, "backend saw %d connections, want 2"
            % len(be.conns))
    for c in be.conns:
        name = "cl" if c.data.startswith(b"POST /cl ") else "chunked"
        t0 = out[name][0]
        t.check(c.t_eof is not None, "%s: backend connection never closed"
                % name)
        secs = c.t_eof - t0
        head, _, body = c.data.partition(b"\r\n\r\n")
        t.log("%s: backend got %d body bytes, EOF %.3fs after the stall"
              % (name, len(body), secs))
        t.check(LOW <= secs <= HIGH, "%s: backend EOF %.3fs after the "
                "stall, want %.1f..%.1f" % (name, secs, LOW, HIGH))
        if name == "cl":
            t.check(body == b"x" * len(body) and len(body) <= 1000,
                    "cl: backend got %d body bytes %r..." % (len(body),
                                                            body[:20]))
        else:
            t.check(not body.endswith(b"0\r\n\r\n"),
                    "chunked: the backend got a clean end of the body")
            t.check(len(body) <= 1009, "chunked: backend got %d body bytes"
                    % len(body))


t.main(test)
