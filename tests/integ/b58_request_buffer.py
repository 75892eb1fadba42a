#!/usr/bin/env python3
"""b58_request_buffer: slow uploads do not hold origins.  A request body
of at most request_buffer is read whole before a backend connection is
taken, so a client that trickles its body holds no connection to the
origin; it must arrive within timeout_body, else 408.  Larger bodies
stream as before (the origin connection opens before the body is in).

request_buffer is 8k, timeout_body 1.5 s.  Cases:
  small   5000 bytes of Content-Length body trickled over about 0.6 s:
          the origin gets the request only after the last byte was
          sent, and the whole body.
  chunked the same with chunked coding.
  large   20000 bytes: the origin gets the request while the body is
          still arriving.
  slow    a small body still incomplete after timeout_body: 408, and the
          origin never got the request.
  badchunk a bad chunk size in a body read first: 400, nothing sent.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

heads = {}      # path -> when the origin got its head


def handler(c):
    while True:
        head = c.read_head(30)
        heads[head.split(b" ")[1]] = time.monotonic()
        low = head.lower()
        n = 0
        if b"transfer-encoding: chunked" in low:
            while True:
                ln = b""
                while not ln.endswith(b"\r\n"):
                    ln += c.read_exact(1, 30)
                size = int(ln.split(b";")[0], 16)
                c.read_exact(size + 2, 30)
                if size == 0:
                    break
                n += size
        else:
            for ln in head.split(b"\r\n"):
                k, _, v = ln.partition(b":")
                if k.strip().lower() == b"content-length":
                    n = int(v)
            c.read_exact(n, 30)
        body = b"got %d" % n
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
               % (len(body), body))


def trickle(port, head, body, pieces, pause):
    """Send head, then body in 'pieces' parts 'pause' apart; the time
    just before the last piece went, and the response (or None)."""
    s = t.connect(port)
    s.sendall(head)
    step = (len(body) + pieces - 1) // pieces
    last = None
    try:
        for i in range(0, len(body), step):
            time.sleep(pause)       # the pacing under test, not a wait
            last = time.monotonic()     # just before the last piece
            s.sendall(body[i:i + step])
    except OSError:
        pass
    try:
        r = t.Reader(s, 10).response()
    except EOFError:
        r = None
    s.close()
    return last, r


def chunked(data):
    parts = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    return b"".join(b"%x\r\n" % len(p) + p + b"\r\n" for p in parts) + \
        b"0\r\n\r\n"


def test(ctx):
    be = ctx.backend(handler)
    fd = ctx.frontd("request_buffer = 8k\ntimeout_body = 1500ms\n"
                    "timeout_client = 10s", be.port)
    # small, Content-Length
    last, r = trickle(fd.port, b"POST /s HTTP/1.1\r\nHost: a\r\n"
                      b"Content-Length: 5000\r\n\r\n", b"s" * 5000, 5, 0.12)
    t.check(r is not None and r.status == 200 and r.body == b"got 5000",
            "small: %r" % ((r and (r.status, r.body)),))
    t.check(heads[b"/s"] >= last,
            "small: the origin got the request before the body was in")
    # small, chunked
    last, r = trickle(fd.port, b"POST /c HTTP/1.1\r\nHost: a\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n",
                      chunked(b"c" * 5000), 5, 0.12)
    t.check(r is not None and r.status == 200 and r.body == b"got 5000",
            "chunked: %r" % ((r and (r.status, r.body)),))
    t.check(heads[b"/c"] >= last,
            "chunked: the origin got the request before the body was in")
    # large: streams
    last, r = trickle(fd.port, b"POST /l HTTP/1.1\r\nHost: a\r\n"
                      b"Content-Length: 20000\r\n\r\n", b"l" * 20000, 4, 0.15)
    t.check(r is not None and r.status == 200 and r.body == b"got 20000",
            "large: %r" % ((r and (r.status, r.body)),))
    t.check(heads[b"/l"] < last,
            "large: the body was held back, not streamed")
    # a bad chunk size in a body being read first: 400, and nothing
    # reaches the origin
    s = t.connect(fd.port)
    s.sendall(b"POST /badchunk HTTP/1.1\r\nHost: a\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
    time.sleep(0.1)         # the pacing under test: two reads
    s.sendall(b"zz\r\nhello\r\n0\r\n\r\n")
    data, _ = t.recv_until_close(s, 10)
    t.check(data.startswith(b"HTTP/1.1 400 "), "bad chunk: %r" % data[:60])
    t.check(b"/badchunk" not in heads, "bad chunk: the origin got it")
    # slow: 408 at timeout_body, nothing reaches the origin
    t0 = time.monotonic()
    s = t.connect(fd.port)
    s.sendall(b"POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n"
              b"\r\nx")
    stop = threading.Event()

    def drip():
        while not stop.wait(0.2):
            try:
                s.sendall(b"x")
            except OSError:
                return
    th = threading.Thread(target=drip, daemon=True)
    th.start()
    data, _ = t.recv_until_close(s, 10)
    stop.set()
    secs = time.monotonic() - t0
    t.log("slow: %r after %.2fs" % (data[:30], secs))
    t.check(data.startswith(b"HTTP/1.1 408 "), "slow: got %r" % data[:60])
    t.check(secs >= 1.4, "slow: cut after %.2fs, before timeout_body" % secs)
    t.check(b"/slow" not in heads, "slow: the origin got the request")


t.main(test)
