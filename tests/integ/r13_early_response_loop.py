#!/usr/bin/env python3
"""r13_early_response_loop: a few thousand POSTs against an origin that
answers before it reads the body, over new connections and kept-alive
ones, 4 clients at once.  frontd must answer every one, stay alive, and
end with as many descriptors as it started with (nothing leaked: client
sessions, lingering closes and backend connections all closed).

Bodies are 100 KiB (the repro that crashed frontd within a few dozen
requests) and 300 KiB (over the size frontd drops to keep a connection,
so those connections close lingering).
"""

import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

N = int(os.environ.get("EARLY_LOOP_N", "2000"))
CLIENTS = 4


def handler(c):
    """Answer every request at once, then read its body, keep-alive:
    the early answer of origin.py in ../shared/repro."""
    while True:
        head = c.read_head()
        n = 0
        for ln in head.split(b"\r\n"):
            k, _, v = ln.partition(b":")
            if k.strip().lower() == b"content-length":
                n = int(v)
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
        c.read_exact(n, 30)


def client(port, k, count, errs):
    body = b"x" * (100 << 10 if k % 2 else 300 << 10)
    s = None
    rd = None
    for i in range(count):
        try:
            if s is None or i % 3 == 0:     # a new connection now and then
                if s is not None:
                    s.close()
                s = t.connect(port, 30)
                rd = t.Reader(s, 30)
            s.sendall(b"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: %d"
                      b"\r\n\r\n" % len(body))
            for j in range(0, len(body), 4096):
                s.sendall(body[j:j + 4096])
            r = rd.response()
            if r.status != 200 or r.body != b"ok\n":
                errs.append("got %d %r" % (r.status, r.body))
                return
            if (r.get("connection") or "").lower() == "close":
                s.close()
                s = None
        except (OSError, EOFError, t.Fail) as e:
            errs.append("request %d: %s: %s" % (i, type(e).__name__, e))
            return
    if s is not None:
        s.close()


def test(ctx):
    be = ctx.backend(handler)
    fd = ctx.frontd("timeout_client = 20s", be.port,
                    backend_extra="idle_timeout = 1s")
    r = t.request(fd.port, b"POST /p HTTP/1.1\r\nHost: a\r\n"
                  b"Content-Length: 1\r\n\r\nx")
    t.check(r.status == 200, "first request: %d" % r.status)
    base = t.fd_baseline(fd.p.pid)
    errs = []
    th = [threading.Thread(target=client,
                           args=(fd.port, k, N // CLIENTS, errs))
          for k in range(CLIENTS)]
    for x in th:
        x.start()
    for x in th:
        x.join(600)
    t.check(not errs, "clients: %s" % errs[:3])
    t.check(fd.p.poll() is None, "frontd died")
    t.wait_fds(fd.p.pid, base, 30)
    t.log("%d POSTs; descriptors back to %d" % (N, base))


t.main(test)
