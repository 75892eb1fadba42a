#!/usr/bin/env python3
"""r55_admin_silent: the admin port cannot be held off.  Once, the admin
thread served one connection at a time, so twenty connections that sent
nothing delayed /metrics by forty seconds.

40 connections (more than the admin thread's 32 slots) connect and send
nothing, a few more send half a request head and stop; /metrics must
still be answered before any of their own 2 s deadlines could have run
out, and the silent ones are closed at that deadline.  A client that
sends a request and never reads the answer holds nothing up either.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def scrape(port):
    t0 = time.monotonic()
    s = t.connect(port, 10)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
    r = t.Reader(s, 10).response()
    s.close()
    return r, time.monotonic() - t0


def test(ctx):
    aport = t.free_port()
    be = ctx.backend(t.simple_handler())
    fd = ctx.frontd('admin_listen = "127.0.0.1:%d"' % aport, be.port)
    t.wait_port(aport)
    silent = [t.connect(aport) for _ in range(40)]
    half = [t.connect(aport) for _ in range(5)]
    for s in half:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHo")
    deaf = t.connect(aport)
    deaf.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    deaf.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
    for i in range(3):
        r, secs = scrape(aport)
        t.log("scrape %d with %d silent connections: %d in %.3fs"
              % (i, len(silent) + len(half), r.status, secs))
        t.check(r.status == 200 and b"frontd_" in r.body,
                "scrape: %d %r" % (r.status, r.body[:80]))
        # the silent ones have 2 s each: an answer held behind them
        # would come after that
        t.check(secs < 1.9, "scrape took %.2fs" % secs)
    for s in silent[-8:] + half:
        _, secs = t.recv_until_close(s, 10)
    t.log("silent connections closed at their deadline")
    t.check(fd.p.poll() is None, "frontd died")


t.main(test)
