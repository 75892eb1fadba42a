#!/usr/bin/env python3
"""r11_backend_cl_te: a response with both Content-Length and
Transfer-Encoding never splits (bug class 9, response splitting; RFC 9112
section 6.3: Transfer-Encoding overrides Content-Length, an intermediary
that forwards such a message must drop the Content-Length first, and it
ought to be handled as an error).

The backend answers "Content-Length: 3" with a chunked body "hello",
then a well-formed "evil" response right behind it in the same write.
frontd may answer 502, or forward "hello" framed by chunking alone; the
client must never get "5\\r\\n" as a body, nor "evil" as the answer to its
next request, and that backend connection must not be reused.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def handler(c):
    while True:
        head = c.read_head()
        path = head.split(b" ")[1]
        if path == b"/clte":
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                   b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil")
        else:
            msg = b"ok " + path
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(msg), msg))


def test(ctx):
    be = ctx.backend(handler)
    fd = ctx.frontd("workers = 1", be.port)
    s = t.connect(fd.port)
    rd = t.Reader(s, 5)
    s.sendall(b"GET /clte HTTP/1.1\r\nHost: example.com\r\n\r\n")
    r = rd.response()
    t.log("CL+TE: got %d, Content-Length %r, Transfer-Encoding %r, body %r"
          % (r.status, r.get("content-length"), r.get("transfer-encoding"),
             r.body[:20]))
    t.check(r.status in (200, 502), "CL+TE: got %d" % r.status)
    if r.status == 200:
        t.check(r.body == b"hello", "CL+TE: body %r, want 'hello'" % r.body)
        t.check(r.get("content-length") is None or
                r.get("transfer-encoding") is None,
                "CL+TE: the client got both framings again")
    closed = r.get("connection") == "close"
    if not closed:
        try:
            s.sendall(b"GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n")
            r = rd.response()
        except (EOFError, OSError):
            closed = True
    if not closed:
        t.check(r.status == 200 and r.body == b"ok /next",
                "next request on the client connection: %d %r"
                % (r.status, r.body))
    # another client: with one worker there is one pool
    r = t.request(fd.port, b"GET /other HTTP/1.1\r\nHost: example.com\r\n\r\n")
    t.check(r.status == 200 and r.body == b"ok /other",
            "next client: %d %r" % (r.status, r.body))
    t.check(not be.errors(), "backend: %r" % be.errors())


t.main(test)
