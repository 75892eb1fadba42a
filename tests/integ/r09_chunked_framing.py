#!/usr/bin/env python3
"""r09_chunked_framing: chunked request bodies with bad framing after the
head has gone to the backend (bug class 3: CVE-2022-32214 and
nginx/nginx#1016 bare LF, CVE-2015-3183 and CVE-2021-22960 chunk
extensions, a client that goes away mid-chunk).

frontd streams, so the head and a good first chunk (5\\r\\nhello\\r\\n) are
at the backend before the rest is sent.  Then:
  bare-lf      "5\\nworld\\r\\n0\\r\\n\\r\\n"    size line ended by a bare LF
  overrun      "5\\r\\nworldXX\\r\\n0\\r\\n\\r\\n"  more data than the size says
  ext-ctl      "5;\\x01\\r\\nworld\\r\\n..."     a control byte in an extension
  bad-trailer  "0\\r\\nno colon\\r\\n\\r\\n"     a malformed trailer line
each answers 400 and closes (design section 5), and the backend
connection ends (EOF) without ever completing the body.
  fin          the client closes mid-chunk
  rst          the client resets mid-chunk
the backend connection ends, never with a clean end of the body
(user demand #19).
  extensions   well-formed extensions: the body arrives whole.
"""

import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

state = {}          # path -> dict(first=Event, complete=bool, eof=bool)
lock = threading.Lock()


def st(path):
    with lock:
        return state.setdefault(path, {"first": threading.Event(),
                                       "complete": False, "eof": False,
                                       "body": b"", "bad": None})


def handler(c):
    head = c.read_head()
    path = head.split(b" ")[1].decode()
    s = st(path)
    body = b""
    try:
        while True:
            ln = b""
            while not ln.endswith(b"\r\n"):
                ln += c.read_exact(1)
                if len(ln) > 100:
                    raise ValueError("size line %r" % ln)
            size = ln[:-2].split(b";")[0]
            if not size or any(ch not in b"0123456789abcdefABCDEF"
                               for ch in size):
                raise ValueError("size line %r" % ln)
            n = int(size, 16)
            if n == 0:
                while True:
                    tl = b""
                    while not tl.endswith(b"\r\n"):
                        tl += c.read_exact(1)
                    if tl == b"\r\n":
                        break
                s["complete"] = True
                s["body"] = body
                msg = b"got " + body
                c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                       % (len(msg), msg))
                return
            body += c.read_exact(n)
            if c.read_exact(2) != b"\r\n":
                raise ValueError("chunk data not followed by CRLF")
            s["first"].set()
    except EOFError:
        s["eof"] = True
    except ValueError as e:
        s["bad"] = str(e)
        try:
            c.read_until_eof(10)
        except (t.Fail, EOFError):
            pass
        s["eof"] = c.t_eof is not None


HEAD = (b"POST %s HTTP/1.1\r\nHost: example.com\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")


def start(port, path):
    s = t.connect(port)
    s.sendall(HEAD % path.encode())
    if not st(path)["first"].wait(5):
        raise t.Fail("%s: the head and first chunk did not reach the backend"
                     % path)
    return s


def wait_eof(path):
    end = time.monotonic() + 5
    while time.monotonic() < end and not st(path)["eof"] \
            and not st(path)["complete"]:
        time.sleep(0.02)


def bad(port, name, tail):
    path = "/" + name
    s = start(port, path)
    s.sendall(tail)
    data, _ = t.recv_until_close(s, 5)
    wait_eof(path)
    x = st(path)
    t.log("%s: client got %r; backend: complete=%s eof=%s bad=%s"
          % (name, data[:30], x["complete"], x["eof"], x["bad"]))
    t.check(data.startswith(b"HTTP/1.1 400 "), "%s: got %r, want a 400"
            % (name, data[:60]))
    t.check(not x["complete"], "%s: the backend got a complete body %r"
            % (name, x["body"][:40]))
    t.check(x["eof"], "%s: the backend connection was not closed" % name)


def gone(port, name, rst):
    path = "/" + name
    s = start(port, path)
    s.sendall(b"64\r\n" + b"w" * 50)
    time.sleep(0.1)
    if rst:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
    s.close()
    wait_eof(path)
    x = st(path)
    t.log("%s: backend: complete=%s eof=%s" % (name, x["complete"],
                                               x["eof"]))
    t.check(not x["complete"], "%s: the backend got a complete body" % name)
    t.check(x["eof"], "%s: the backend connection was not closed" % name)


def test(ctx):
    be = ctx.backend(handler)
    # request_buffer = 0: the bodies stream, which is what this is about
    fd = ctx.frontd("timeout_client = 10s\nrequest_buffer = 0", be.port)
    p = fd.port
    problems = []
    for f, args in ((bad, ("bare-lf", b"5\nworld\r\n0\r\n\r\n")),
                    (bad, ("overrun", b"5\r\nworldXX\r\n0\r\n\r\n")),
                    (bad, ("ext-ctl", b"5;\x01\r\nworld\r\n0\r\n\r\n")),
                    (bad, ("bad-trailer", b"0\r\nno colon\r\n\r\n")),
                    (gone, ("fin", False)),
                    (gone, ("rst", True))):
        try:
            f(p, *args)
        except t.Fail as e:
            t.log("%s" % e)
            problems.append(str(e))

    s = start(p, "/extensions")
    s.sendall(b"6;name=value\r\n world\r\n1;a;b=\"q\"\r\n!\r\n0\r\n\r\n")
    r = t.Reader(s, 5).response()
    if not (r.status == 200 and r.body == b"got hello world!"):
        problems.append("extensions: got %d %r" % (r.status, r.body[:60]))
    t.check(not problems, "; ".join(problems))


t.main(test)
