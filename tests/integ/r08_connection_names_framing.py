#!/usr/bin/env python3
"""r08_connection_names_framing: the Connection field cannot strip framing
or the proxy's own fields (bug class 6; CVE-2022-45059 / VSV00011, where
"Connection: content-length" made Varnish drop the Content-Length it had
framed the body with, so the backend read the body as a new request;
CVE-2025-48865).

Design section 5 drops what Connection names, but the proxy frames each
side itself and always sets Host (kept), X-Forwarded-For and
X-Forwarded-Proto.  For each request below frontd may refuse it (400,
nothing forwarded) or forward it with its framing and those fields
intact; what it must never do is let the backend see /smuggled, or lose
Host or X-Forwarded-For.
  Connection: content-length      POST, Content-Length: 45, the body a
                                  request for /smuggled
  Connection: transfer-encoding   the same body, chunked
  Connection: host                Host must still arrive
  Connection: x-forwarded-for     frontd's X-Forwarded-For must arrive
And on the response side, "Connection: content-length" from the backend
must not leave the client without framing: the body arrives whole and
the connection goes on (or is closed after it).
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: example.com\r\n\r\n"
heads = []


def fields(head):
    out = []
    for ln in head.split(b"\r\n")[1:]:
        if ln:
            k, _, v = ln.partition(b":")
            out.append((k.strip().lower(), v.strip()))
    return out


def handler(c):
    while True:
        head = c.read_head()
        heads.append(head)
        f = fields(head)
        path = head.split(b" ")[1]
        cl = [v for k, v in f if k == b"content-length"]
        te = [v for k, v in f if k == b"transfer-encoding"]
        body = b""
        if te:
            while True:
                ln = b""
                while not ln.endswith(b"\r\n"):
                    ln += c.read_exact(1)
                n = int(ln.split(b";")[0], 16)
                if n == 0:
                    c.read_exact(2)
                    break
                body += c.read_exact(n)
                c.read_exact(2)
        elif cl:
            body = c.read_exact(int(cl[0]))
        if path == b"/resp":
            c.send(b"HTTP/1.1 200 OK\r\nConnection: content-length\r\n"
                   b"Content-Length: 5\r\n\r\nhello")
        else:
            msg = b"ok %s %d" % (path, len(body))
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(msg), msg))


problems = []


def one(port, name, raw, want_path, need):
    try:
        one_(port, name, raw, want_path, need)
    except t.Fail as e:
        t.log("%s" % e)
        problems.append(str(e))


def one_(port, name, raw, want_path, need):
    r = t.request(port, raw, 5)
    if r.status == 400:
        t.log("%s: refused with 400" % name)
        return
    t.check(r.status == 200, "%s: got %d %r" % (name, r.status, r.body))
    t.log("%s: forwarded, backend answered %r" % (name, r.body))
    t.check(r.body.startswith(b"ok " + want_path + b" "),
            "%s: the backend answered %r" % (name, r.body))
    h = [x for x in heads if x.split(b" ")[1] == want_path][-1]
    f = fields(h)
    for k, v in need:
        got = [x for n, x in f if n == k]
        t.check(got == [v] if v else len(got) == 1,
                "%s: backend got %s %r, want %r once" % (name, k.decode(),
                                                         got, v))


def test(ctx):
    be = ctx.backend(handler)
    fd = ctx.frontd("", be.port)
    p = fd.port
    one(p, "Connection: content-length",
        b"POST /cl HTTP/1.1\r\nHost: example.com\r\n"
        b"Connection: content-length\r\nContent-Length: 45\r\n\r\n" + SMUGGLED,
        b"/cl", [(b"content-length", b"45"), (b"host", b"example.com")])
    one(p, "Connection: transfer-encoding",
        b"POST /te HTTP/1.1\r\nHost: example.com\r\n"
        b"Connection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2d\r\n" + SMUGGLED + b"\r\n0\r\n\r\n",
        b"/te", [(b"transfer-encoding", b"chunked")])
    one(p, "Connection: host",
        b"GET /host HTTP/1.1\r\nHost: example.com\r\nConnection: host\r\n\r\n",
        b"/host", [(b"host", b"example.com")])
    one(p, "Connection: x-forwarded-for",
        b"GET /xff HTTP/1.1\r\nHost: example.com\r\n"
        b"Connection: x-forwarded-for, x-forwarded-proto\r\n"
        b"X-Forwarded-For: 6.6.6.6\r\n\r\n",
        b"/xff", [(b"x-forwarded-for", b"127.0.0.1"),
                  (b"x-forwarded-proto", b"http")])
    time.sleep(0.3)
    if any(b"/smuggled" in h.split(b"\r\n")[0] for h in heads):
        problems.append("the backend got a request for /smuggled")
    try:
        response_side(p)
    except t.Fail as e:
        t.log("%s" % e)
        problems.append(str(e))
    t.check(not problems, "; ".join(problems))
    t.check(not be.errors(), "backend: %r" % be.errors())


def response_side(p):
    s = t.connect(p)
    rd = t.Reader(s, 5)
    s.sendall(b"GET /resp HTTP/1.1\r\nHost: example.com\r\n\r\n")
    try:
        r = rd.response()
    except t.Fail:
        raise t.Fail("response with Connection: content-length: the client "
                     "cannot tell where the body ends")
    t.check(r.status == 200 and r.body == b"hello",
            "response side: got %d %r" % (r.status, r.body))
    t.check(r.get("content-length") in (None, "5"),
            "response side: Content-Length %r" % r.get("content-length"))
    if r.get("connection") != "close":
        s.sendall(b"GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n")
        r = rd.response()
        t.check(r.status == 200 and r.body.startswith(b"ok /next "),
                "response side: the next answer is %d %r"
                % (r.status, r.body))


t.main(test)
