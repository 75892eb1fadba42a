#!/usr/bin/env python3
"""b70_takeover: backend connections are shared by the workers.  A worker
with no idle connection to a server takes one that a sibling worker's
pool holds, instead of connecting: with two workers, clients that come
one after another on connections of their own, each served on whichever
worker is least loaded, all use the one backend connection the first
opened.  A POST with a body goes over a taken connection as well, and a
taken connection that the server closed meanwhile is replaced, the GET
retried, without an error.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

N = 8


def metric(aport, name):
    r = t.request(aport, b"GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
    m = re.search(rb'^frontd_%s\{backend="b"\} (\d+)' % name.encode(),
                  r.body, re.M)
    return int(m.group(1)) if m else 0


def wait_idle(aport, want):
    end = time.monotonic() + 10
    while metric(aport, "backend_connections_idle") != want:
        t.check(time.monotonic() < end, "the backend connection never "
                "went back to a pool")
        time.sleep(0.01)


def handler(c):
    while True:
        head = c.read_head()
        n = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                n = int(v)
        body = c.read_exact(n) if n else b""
        path = head.split(b" ")[1]
        if path == b"/close":
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                   b"Connection: close\r\n\r\nok")
            return
        out = b"%s %d" % (path, len(body))
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
               % (len(out), out))


def test(ctx):
    aport = t.free_port()
    be = ctx.backend(handler)
    fd = ctx.frontd('workers = 2\nadmin_listen = "127.0.0.1:%d"' % aport,
                    be.port)
    t.wait_port(aport)
    held = []
    for i in range(N):
        s = t.connect(fd.port)
        rd = t.Reader(s)
        if i % 2:
            s.sendall(b"POST /p%d HTTP/1.1\r\nHost: a\r\nContent-Length: 5"
                      b"\r\n\r\nhello" % i)
            want = b"/p%d 5" % i
        else:
            s.sendall(b"GET /g%d HTTP/1.1\r\nHost: a\r\n\r\n" % i)
            want = b"/g%d 0" % i
        r = rd.response()
        t.check(r.status == 200 and r.body == want,
                "client %d: %d %r" % (i, r.status, r.body))
        held.append(s)          # stays open: the next lands elsewhere
        wait_idle(aport, 1)
    taken = metric(aport, "backend_connections_taken_total")
    t.log("%d clients, %d backend connection(s), %d taken from a sibling"
          % (N, len(be.conns), taken))
    t.check(len(be.conns) == 1, "%d backend connections for %d requests "
            "one after another" % (len(be.conns), N))
    t.check(taken >= 1, "no connection was taken from a sibling worker")
    # the server closes the shared connection: the next request, on
    # either worker, gets a new one
    r = t.get(fd.port, "/close")
    t.check(r.status == 200, "/close: %d" % r.status)
    wait_idle(aport, 0)
    for i in range(4):
        r = t.get(fd.port, "/after%d" % i)
        t.check(r.status == 200 and r.body == b"/after%d 0" % i,
                "after the close: %d %r" % (r.status, r.body))
        wait_idle(aport, 1)
    t.check(len(be.conns) == 2, "%d backend connections, want 2"
            % len(be.conns))
    for s in held:
        s.close()
    t.check(not be.errors(), "backend: %r" % be.errors())


t.main(test)
