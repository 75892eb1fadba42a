#!/usr/bin/env python3
"""r12_early_response: an origin that answers before it has read the
request body (RFC 9112 section 9.3; nginx's `return`, an early 401, 413
or redirect) gets its answer relayed at once, and the connection ends in
a known state.  Once, such an answer crashed frontd (an assertion in
WAIT_Again: the client's wait was still armed when the response ended).

For every status (200, 401, 413), request framing (Content-Length,
chunked), body size (in the first segment, 100 KiB, 10 MiB) and the way
the client sends the body (pausing after 10 bytes until it has the
answer, or sending on while it reads), the client must:
  - get the origin's answer before it sends the rest (pausing clients);
  - then, after sending the rest: if the answer kept the connection
    (the rest was small enough to drop, PX_DISCARD_MAX), get the answer
    to the next request on the same connection; if it said close, see
    the connection close cleanly, never reset before the answer.
The origin's connection that answered early is never reused (it did not
read the body), the next request never reaches the origin as body, and
a client that asked to close gets Connection: close.
"""

import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

SIZES = {"first": 1000, "100k": 100 << 10, "10m": 10 << 20}
REASON = {200: b"OK", 401: b"Unauthorized", 413: b"Content Too Large"}


def handler(c):
    """/early/STATUS/close: answer at once with Connection: close, then
    read until EOF (as nginx does).  /early/STATUS/read: answer at once,
    then read the body and stay.  Anything else: read the body, answer
    with its path and length."""
    while True:
        head = c.read_head()
        path = head.split(b" ")[1]
        if path.startswith(b"/early/"):
            _, _, st, mode = path.split(b"/")
            st = int(st)
            body = b"early %d" % st
            c.send(b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\n%s\r\n%s"
                   % (st, REASON[st], len(body),
                      b"Connection: close\r\n" if mode == b"close" else b"",
                      body))
            if mode == b"close":
                c.sock.shutdown(socket.SHUT_WR)
                c.read_until_eof(60)
                return
            body_len(c, head)
            continue
        n = body_len(c, head)
        body = b"ok %s %d" % (path, n)
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
               % (len(body), body))


def body_len(c, head):
    """Read a request body (Content-Length or chunked); its length."""
    low = head.lower()
    if b"transfer-encoding: chunked" in low:
        n = 0
        while True:
            ln = b""
            while not ln.endswith(b"\r\n"):
                ln += c.read_exact(1)
            size = int(ln.split(b";")[0], 16)
            if size == 0:
                c.read_exact(2)
                return n
            c.read_exact(size + 2)
            n += size
    for ln in head.split(b"\r\n"):
        k, _, v = ln.partition(b":")
        if k.strip().lower() == b"content-length":
            c.read_exact(int(v))
            return int(v)
    return 0


def chunked(data, size=16384):
    out = []
    for i in range(0, len(data), size):
        part = data[i:i + size]
        out.append(b"%x\r\n%s\r\n" % (len(part), part))
    out.append(b"0\r\n\r\n")
    return b"".join(out)


def one(port, status, te, size, how, close, mode):
    name = "%d/%s/%s/%s/%s%s" % (status, te, size, how, mode,
                                  "/client-close" if close else "")
    payload = b"b" * SIZES[size]
    body = chunked(payload) if te == "chunked" else payload
    framing = (b"Transfer-Encoding: chunked\r\n" if te == "chunked" else
               b"Content-Length: %d\r\n" % len(payload))
    head = (b"POST /early/%d/%s HTTP/1.1\r\nHost: example.com\r\n%s%s\r\n"
            % (status, mode.encode(), framing,
               b"Connection: close\r\n" if close else b""))
    nxt = b"GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n"
    s = t.connect(port, 30)
    rd = t.Reader(s, 15)
    sender = None
    if size == "first":
        s.sendall(head + body + nxt)        # all of it in one segment
        r = rd.response()
    elif how == "pause":
        s.sendall(head + body[:10])
        r = rd.response()                   # before the rest is sent
        s.sendall(body[10:] + nxt)
    else:
        err = []

        def send():
            try:
                s.sendall(head)
                for i in range(0, len(body), 65536):
                    s.sendall(body[i:i + 65536])
                s.sendall(nxt)
            except OSError as e:
                err.append(e)
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        r = rd.response()
    t.check(r.status == status and r.body == b"early %d" % status,
            "%s: got %d %r" % (name, r.status, r.body[:60]))
    closes = (r.get("connection") or "").lower() == "close"
    if close:
        t.check(closes, "%s: the client asked to close, the answer keeps "
                "the connection" % name)
    # Only a paused client is sure to have 10 MiB unread when the answer
    # comes: one that streams may have sent all of it (or all but a
    # droppable rest) by then, the origin reading on, and keep-alive is
    # then right; the next request below shows it.
    if te == "cl" and size == "10m" and how == "pause":
        t.check(closes, "%s: 10 MiB left unread, yet keep-alive" % name)
    if te == "cl" and size != "10m" and not close:
        t.check(not closes, "%s: a small rest was not dropped: the "
                "connection closes" % name)
    if sender is not None:
        sender.join(30)
        t.check(not sender.is_alive(), "%s: frontd stopped reading the "
                "body it was to drop" % name)
    try:
        r2 = rd.response()
    except (EOFError, ConnectionResetError):
        r2 = None
    if r2 is None:
        t.check(closes or (te == "chunked" and size == "10m"),
                "%s: the connection closed after a keep-alive answer" % name)
    else:
        t.check(not closes, "%s: an answer after Connection: close" % name)
        t.check(r2.status == 200 and r2.body == b"ok /next 0",
                "%s: next request got %d %r" % (name, r2.status, r2.body))
    s.close()
    return r2 is not None


def test(ctx):
    be = ctx.backend(handler)
    # request_buffer = 0: every body streams, so the answer can come
    # early; with it on, bodies up to its size are read first and the
    # origin answers after them (b58)
    fd = ctx.frontd("timeout_client = 20s\nrequest_buffer = 0", be.port)
    n = kept = 0
    for status in (200, 401, 413):
        for te in ("cl", "chunked"):
            for size in ("first", "100k", "10m"):
                for how in ("pause", "stream"):
                    if size == "first" and how == "stream":
                        continue
                    mode = ("close", "read")[n % 2]
                    kept += one(fd.port, status, te, size, how, False, mode)
                    n += 1
    for te in ("cl", "chunked"):
        one(fd.port, 401, te, "100k", "pause", True, "read")
        n += 1
    t.log("%d cases, %d kept their connection" % (n, kept))
    # every origin connection that answered early and served nothing
    # after it was closed by frontd (or, idle in its pool, at idle_timeout)
    end = time.monotonic() + 20
    while time.monotonic() < end:
        with be.lock:
            left = [c.n for c in be.conns if c.t_eof is None and
                    c.data.startswith(b"POST /early") and
                    b"GET /next" not in c.data]
        if not left:
            break
        time.sleep(0.05)
    t.check(not left, "origin connections that answered early were kept: %r"
            % left)
    seen = be.all_data()
    t.check(seen.count(b"GET /next") == kept, "the origin saw %d /next "
            "requests, the clients got %d answers"
            % (seen.count(b"GET /next"), kept))
    t.check(not be.errors(), "origin: %r" % be.errors())
    t.check(fd.p.poll() is None, "frontd died")


t.main(test)
