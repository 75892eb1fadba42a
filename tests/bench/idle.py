#!/usr/bin/env python3
"""Hold many idle HTTP/1.1 keep-alive connections to a server.

  idle.py --port P [--count N] [--path /] [--concurrency 50]
          [--phase serve|wait-close] [--hold S]

Opens N connections, at most --concurrency in flight at a time; each sends
one GET and reads the whole response, then stays idle.  Prints
"READY ok=N failed=M" once all are idle, then holds them --hold seconds.
Then, by --phase:
  serve       send one more GET on every connection and read the answer;
              prints "SERVED ok=N failed=M"
  wait-close  wait (up to --hold-max) until the server closes every
              connection; prints "CLOSED n=N after=SECONDS"
Exit status 0 when every connection did what was asked.  Standard library
only (selectors over non-blocking sockets), loopback only.
"""

import argparse
import resource
import selectors
import socket
import sys
import time


def parse_response(buf):
    """Length of one complete response at the start of buf, or 0."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return 0
    head = buf[:end].decode("latin-1").lower().split("\r\n")
    body = end + 4
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip() == "content-length":
            n = body + int(value.strip())
            return n if len(buf) >= n else 0
        if name.strip() == "transfer-encoding" and "chunked" in value:
            return body if buf.endswith(b"0\r\n\r\n") else 0
    return body


class Conn:
    __slots__ = ("sock", "buf", "done", "closed", "t_closed")

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.done = False
        self.closed = False
        self.t_closed = 0.0


def request_all(conns, req, sel, concurrency, timeout):
    """Send req on every connection (bounded concurrency), read answers."""
    pending = list(conns)
    active = {}
    ok = failed = 0
    deadline = time.monotonic() + timeout
    while (pending or active) and time.monotonic() < deadline:
        while pending and len(active) < concurrency:
            c = pending.pop()
            c.buf = b""
            try:
                c.sock.send(req)
                sel.register(c.sock, selectors.EVENT_READ, c)
                active[c.sock.fileno()] = c
            except OSError:
                failed += 1
        for key, _ in sel.select(0.2):
            c = key.data
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                failed += 1
            else:
                c.buf += data
                if not parse_response(c.buf):
                    continue
                ok += 1
            sel.unregister(c.sock)
            del active[c.sock.fileno()]
    failed += len(pending) + len(active)
    for c in active.values():
        sel.unregister(c.sock)
    return ok, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--path", default="/")
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--phase", choices=["serve", "wait-close", "none"],
                    default="serve")
    ap.add_argument("--hold", type=float, default=1.0)
    ap.add_argument("--hold-max", type=float, default=60.0)
    a = ap.parse_args()

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    req = ("GET %s HTTP/1.1\r\nHost: idle\r\n\r\n" % a.path).encode()
    sel = selectors.DefaultSelector()
    conns = []
    t0 = time.monotonic()
    for _ in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect((a.host, a.port))
        s.setblocking(False)
        conns.append(Conn(s))
    ok, failed = request_all(conns, req, sel, a.concurrency, 120)
    print("READY ok=%d failed=%d elapsed=%.1f" % (ok, failed,
          time.monotonic() - t0), flush=True)
    if failed:
        return 1
    time.sleep(a.hold)
    if a.phase == "serve":
        ok, failed = request_all(conns, req, sel, a.concurrency, 120)
        print("SERVED ok=%d failed=%d" % (ok, failed), flush=True)
        return 1 if failed else 0
    if a.phase == "wait-close":
        t1 = time.monotonic()
        for c in conns:
            sel.register(c.sock, selectors.EVENT_READ, c)
        left = len(conns)
        while left and time.monotonic() - t1 < a.hold_max:
            for key, _ in sel.select(0.5):
                c = key.data
                try:
                    data = c.sock.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(c.sock)
                    c.closed = True
                    left -= 1
        print("CLOSED n=%d after=%.1f" % (len(conns) - left,
              time.monotonic() - t1 + a.hold), flush=True)
        return 1 if left else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
