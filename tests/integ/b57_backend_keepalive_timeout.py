#!/usr/bin/env python3
"""b57_backend_keepalive_timeout: a pool that learns the origin's
keep-alive.  The origin says "Keep-Alive: timeout=1" and means it: a
request that reaches it on a connection idle for a second or more is
dropped unanswered, as when its idle timer fires while the request is on
the way -- the commonest cause of a random 502 on a POST, which frontd
must not retry.  frontd must stop reusing such a connection before the
timeout (minus a margin), so POSTs 1.05 s apart all succeed, on new
connections; POSTs 0.3 s apart still share one.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def handler(c):
    last = time.monotonic()
    while True:
        head = c.read_head(30)
        if time.monotonic() - last >= 1.0:
            return                      # "timed out": close, no answer
        n = 0
        for ln in head.split(b"\r\n"):
            k, _, v = ln.partition(b":")
            if k.strip().lower() == b"content-length":
                n = int(v)
        c.read_exact(n)
        c.send(b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1, max=100\r\n"
               b"Content-Length: 2\r\n\r\nok")
        last = time.monotonic()


def post(port):
    return t.request(port, b"POST /p HTTP/1.1\r\nHost: a\r\n"
                     b"Content-Length: 5\r\n\r\nhello")


def test(ctx):
    be = ctx.backend(handler)
    fd = ctx.frontd("", be.port, backend_extra="idle_timeout = 30s")
    for i in range(5):
        r = post(fd.port)
        t.check(r.status == 200, "POST %d after 1.05 s: %d" % (i, r.status))
        time.sleep(1.05)    # the spacing under test, not a wait
    n0 = len(be.conns)
    t.log("5 POSTs 1.05 s apart: %d origin connections" % n0)
    t.check(n0 == 5, "%d origin connections for 5 POSTs 1.05 s apart" % n0)
    for i in range(5):
        r = post(fd.port)
        t.check(r.status == 200, "POST %d after 0.3 s: %d" % (i, r.status))
        time.sleep(0.3)
    t.log("5 POSTs 0.3 s apart: %d more origin connections"
          % (len(be.conns) - n0))
    t.check(len(be.conns) - n0 <= 2, "POSTs 0.3 s apart did not share a "
            "connection (%d new)" % (len(be.conns) - n0))


t.main(test)
