#!/usr/bin/env python3
"""b72_min_rate: slow clients are cut by rate, not only by deadline.
Once min_rate_grace has passed, a request head, a body read before
forwarding, and a response the client takes must move at min_rate
bytes a second on average; a client that trickles (slowloris, a slow
upload, a slow read) is cut then, long before timeout_req, timeout_body
or timeout_client, while a client above the rate is served in full.

frontd A: min_rate 1k, grace 1 s, the other timeouts 20 s.
  head_slow   8 bytes every 0.2 s: 408 after about 1 s, counted as
              req_slow;
  head_ok     6000 bytes of head in 1000-byte pieces over 1.5 s (past
              the grace, above the rate): served;
  body_slow   a 4000-byte POST body, 10 bytes every 0.2 s: 408 after
              about 1 s, counted as client_slow, and the origin never
              sees it;
  body_ok     a 16000-byte body in 1000-byte pieces over 3 s: served
              whole.
frontd B: min_rate 64k, grace 1 s, timeout_client 20 s; the origin
sends 64 MiB as fast as it can.
  read_slow   a small receive buffer read 1 KiB every 0.1 s: cut (the
              origin's connection closes) within a few seconds;
  read_ok     16 KiB every 20 ms (about 800 KB/s) for 3 s: not cut;
  read_near   paced at 128 KB/s, twice the rate, for 4 s: not cut (a
              real client close to the rate is not mistaken for a slow
              one; the send buffer it has not emptied is not counted as
              taken).
frontd C: min_rate 0 (off), timeout_req 2 s.
  head_slow   the same trickle lives until timeout_req.
The bounds are wide: a loaded machine and the sanitizers run this too.
"""

import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

BIG = 64 << 20
seen = {}
lock = threading.Lock()


def handler(c):
    head = c.read_head()
    path = head.split(b" ")[1].decode()
    with lock:
        seen[path] = time.monotonic()
    if path.startswith("/big"):
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % BIG)
        sent, _ = c.stream(BIG)
        with lock:
            seen[path + ":end"] = (time.monotonic(), sent)
        return
    n = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
    body = c.read_exact(n) if n else b""
    msg = b"got %d" % len(body)
    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
           % (len(msg), msg))


def trickle(port, path, out, key):
    """A head that never ends: 8 bytes every 0.2 s until cut."""
    s = t.connect(port)
    t0 = time.monotonic()
    s.sendall(b"GET %s HTTP/1.1\r\nHost: example.com\r\n" % path.encode())
    s.setblocking(False)
    data = b""
    while time.monotonic() - t0 < 30:
        try:
            s.send(b"X-a: b\r\n")
        except OSError:
            break
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            try:
                b = s.recv(4096)
            except OSError:
                b = b""
            if not b:
                break
            data += b
    out[key] = (data, time.monotonic() - t0)


def head_ok(port, out):
    s = t.connect(port)
    head = b"GET /head_ok HTTP/1.1\r\nHost: example.com\r\n"
    for i in range(6):
        s.sendall(head)
        head = b"X-Pad-%d: %s\r\n" % (i, b"p" * 988)
        time.sleep(0.3)
    s.sendall(head + b"\r\n")
    out["head_ok"] = t.Reader(s).response()


def body(port, path, size, piece, gap, out):
    s = t.connect(port)
    t0 = time.monotonic()
    s.sendall(b"POST %s HTTP/1.1\r\nHost: example.com\r\n"
              b"Content-Length: %d\r\n\r\n" % (path.encode(), size))
    sent = 0
    try:
        while sent < size:
            s.sendall(b"b" * piece)
            sent += piece
            r, _, _ = select.select([s], [], [], gap)
            if r:
                break
    except OSError:
        pass
    s.settimeout(25)
    try:
        data, _ = t.recv_until_close(s, 25) if sent < size else \
            (None, 0)
    except t.Fail:
        data = None
    if data is None:
        out[path] = (t.Reader(s).response(), time.monotonic() - t0)
    else:
        out[path] = (data, time.monotonic() - t0)


def reader(port, path, secs, out, chunk=0, gap=0., rate=0):
    """Read for 'secs' seconds: 'chunk' bytes every 'gap' seconds, or at
    'rate' bytes a second on average, catching up after a late wake-up."""
    s = socket.socket()
    if 0 < chunk < 4096:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET %s HTTP/1.1\r\nHost: example.com\r\n\r\n"
              % path.encode())
    t0 = time.monotonic()
    got = 0
    cut = None
    while time.monotonic() - t0 < secs:
        n = chunk
        if rate:
            n = int((time.monotonic() - t0) * rate - got)
            if n < 4096:
                time.sleep((4096 - n) / rate)
                continue
        try:
            d = s.recv(min(n, 65536))
        except OSError:
            d = b""
        if not d:
            cut = time.monotonic() - t0
            break
        got += len(d)
        time.sleep(gap)
    out[path] = (cut, got)
    s.close()


def cut_408(name, got, timeout):
    """A 408, about min_rate_grace (1 s) after the first byte."""
    data, secs = got
    t.log("%s: cut after %.2fs: %r" % (name, secs, data[:40]))
    t.check(data.startswith(b"HTTP/1.1 408 "), "%s: got %r, want a 408"
            % (name, data[:60]))
    t.check(0.9 <= secs <= 5, "%s: cut after %.2fs, want about 1s "
            "(min_rate_grace), long before %s" % (name, secs, timeout))


def run(threads):
    for th in threads:
        th.start()
    for th in threads:
        th.join(40)
        t.check(not th.is_alive(), "a client did not finish")


def test(ctx):
    be = ctx.backend(handler)
    aport = t.free_port()
    a = ctx.frontd('min_rate = 1k\nmin_rate_grace = 1s\n'
                   'timeout_req = 20s\ntimeout_body = 20s\n'
                   'timeout_client = 20s\n'
                   'admin_listen = "127.0.0.1:%d"' % aport, be.port)
    bport = t.free_port()
    baport = t.free_port()
    b = ctx.frontd('min_rate = 64k\nmin_rate_grace = 1s\n'
                   'timeout_client = 20s\n'
                   'admin_listen = "127.0.0.1:%d"' % baport, be.port,
                   port=bport)
    cport = t.free_port()
    c = ctx.frontd('min_rate = 0\ntimeout_req = 2s', be.port, port=cport)
    out = {}
    run([threading.Thread(target=trickle, args=(a.port, "/h", out, "a")),
         threading.Thread(target=head_ok, args=(a.port, out)),
         threading.Thread(target=body, args=(a.port, "/body_slow", 4000,
                                             10, 0.2, out)),
         threading.Thread(target=body, args=(a.port, "/body_ok", 16000,
                                             1000, 0.2, out)),
         threading.Thread(target=reader, args=(b.port, "/big_slow", 20, out,
                                               1024, 0.1)),
         threading.Thread(target=reader, args=(b.port, "/big_ok", 3, out,
                                               16384, 0.02)),
         threading.Thread(target=reader, args=(b.port, "/big_near", 4, out),
                          kwargs={"rate": 128 << 10}),
         threading.Thread(target=trickle, args=(c.port, "/h", out, "c"))])

    cut_408("A head_slow", out["a"], "timeout_req")
    r = out["head_ok"]
    t.check(r.status == 200, "A head_ok: status %d" % r.status)

    cut_408("A body_slow", out["/body_slow"], "timeout_body")
    t.check("/body_slow" not in seen, "the origin saw the slow body")
    r, secs = out["/body_ok"]
    t.check(r.status == 200 and r.body == b"got 16000",
            "A body_ok: %d %r" % (r.status, r.body))
    t.log("A body_ok: served after %.2fs" % secs)

    cut, got = out["/big_slow"]
    t.log("B read_slow: cut after %s s, %d bytes" % (cut, got))
    t.check(cut is not None and got < BIG,
            "B read_slow: not cut in 20 s (%d bytes)" % got)
    t.check(cut >= 0.9, "B read_slow: cut after %.2fs, before the grace"
            % cut)
    cut, got = out["/big_ok"]
    t.log("B read_ok: %d bytes in 3 s, cut: %s" % (got, cut))
    t.check(cut is None, "B read_ok: a reader at about 800 KB/s was cut "
            "after %s s (%d bytes)" % (cut, got))

    cut, got = out["/big_near"]
    t.log("B read_near: %d bytes in 4 s, cut: %s" % (got, cut))
    t.check(cut is None, "B read_near: a reader at twice min_rate was cut "
            "after %s s (%d bytes)" % (cut, got))
    data, secs = out["c"]
    t.log("C head_slow, min_rate 0: closed after %.2fs" % secs)
    t.check(1.8 <= secs <= 6, "C head_slow: closed after %.2fs, want "
            "timeout_req (2s) with min_rate = 0" % secs)

    t.wait_until(lambda: t.metric(aport, "connections_closed_total",
                                  'reason="req_slow"') == 1, 10,
                 "A: one req_slow close counted")
    t.wait_until(lambda: t.metric(aport, "connections_closed_total",
                                  'reason="client_slow"') == 1, 10,
                 "A: one client_slow close counted")
    t.wait_until(lambda: t.metric(baport, "connections_closed_total",
                                  'reason="client_slow"') == 1, 10,
                 "B: one client_slow close counted")


t.main(test)
