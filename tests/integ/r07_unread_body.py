#!/usr/bin/env python3
"""r07_unread_body: a request body frontd does not read to its end never
becomes the next request (bug class 7; CVE-2022-23959 / VSV00008, where
Varnish gave up on a request body at a timeout but kept the connection,
so the rest of the body was parsed as a new request; CVE-2019-20372).

Each body below is, from some byte on, a complete request for
/smuggled; the backend must never see that path.
  stalled   POST with Content-Length; one byte of body, then a pause past
            timeout_client (500 ms), then the rest.  frontd must have
            closed the connection (an optional 408 before); nothing is
            answered after.
  413       POST whose Content-Length is over max_body_size (100): 413.
            frontd then either closes, or reads and drops the body and
            serves the next request on the connection (/after) -- either
            way /smuggled is never parsed.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: example.com\r\n\r\n"


def handler(c):
    while True:
        head = c.read_head()
        n = 0
        for ln in head.split(b"\r\n"):
            k, _, v = ln.partition(b":")
            if k.strip().lower() == b"content-length":
                n = int(v)
        if n:
            c.read_exact(n)
        path = head.split(b" ")[1]
        body = b"ok " + path
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
               % (len(body), body))


def stalled(port):
    s = t.connect(port)
    body = b"a" + SMUGGLED
    s.sendall(b"POST /up HTTP/1.1\r\nHost: example.com\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body[:1])
    time.sleep(1.2)
    try:
        s.sendall(body[1:])
    except OSError:
        pass
    data, _ = t.recv_until_close(s, 5)
    t.log("stalled: got %r" % data[:60])
    t.check(data == b"" or (data.startswith(b"HTTP/1.1 408 ") and
                            data.count(b"HTTP/1.1") == 1),
            "stalled: got %r, want nothing or one 408" % data[:200])


def over_limit(port):
    pad = 200 - len(SMUGGLED) - len(b"X-Pad: \r\n")
    body = SMUGGLED[:-2] + b"X-Pad: " + b"p" * pad + b"\r\n\r\n"
    assert len(body) == 200
    s = t.connect(port)
    s.sendall(b"POST /big HTTP/1.1\r\nHost: example.com\r\n"
              b"Content-Length: 200\r\n\r\n" + body)
    rd = t.Reader(s, 5)
    r = rd.response()
    t.check(r.status == 413, "413: got %d" % r.status)
    # closed, or still serving
    s.settimeout(1.0)
    try:
        b = rd.buf or s.recv(4096)
    except socket.timeout:
        b = None
    except ConnectionResetError:
        b = b""
    if b == b"":
        t.log("413: the connection was closed")
        return
    t.check(b is None, "413: more bytes after the 413: %r" % b[:100])
    t.log("413: the connection stays; sending /after on it")
    s.sendall(b"GET /after HTTP/1.1\r\nHost: example.com\r\n\r\n")
    try:
        r = rd.response()
    except EOFError:
        t.log("413: closed after all")
        return
    t.check(r.status == 200 and r.body == b"ok /after",
            "413: the next request got %d %r" % (r.status, r.body[:60]))


def test(ctx):
    be = ctx.backend(handler)
    fd = ctx.frontd("timeout_client = 500ms\nmax_body_size = 100",
                    be.port)
    stalled(fd.port)
    over_limit(fd.port)
    # give anything smuggled the time to reach the backend
    r = t.request(fd.port, b"GET /check HTTP/1.1\r\nHost: example.com\r\n\r\n")
    t.check(r.status == 200 and r.body == b"ok /check",
            "/check: %d %r" % (r.status, r.body))
    time.sleep(0.3)
    seen = be.all_data()
    t.check(b"/smuggled" not in seen, "the backend got the smuggled request:"
            " %r" % seen[seen.find(b"/smuggled") - 40:][:120])
    t.check(not be.errors(), "backend: %r" % be.errors())


t.main(test)
