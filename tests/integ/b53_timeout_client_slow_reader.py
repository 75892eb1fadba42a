#!/usr/bin/env python3
"""b53_timeout_client_slow_reader: a client that stops reading a large
response is closed at timeout_client (design section 4: timeout_client
covers a client that does not read a response; user demand #20: a slow
client back-pressures only its own backend connection).

timeout_client is 500 ms.  The backend sends a 256 MiB response as fast
as it can; the client sends its request and never reads.  Once every
buffer on the way is full the backend can send no more; from then on
frontd must give up within timeout_client: the backend connection is
closed at most 3 s after the backend's last progress,
and the client, reading at last, finds its connection reset (what was
queued for it dropped, not left in the kernel), never left hanging.
"""

import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

TCLIENT = 0.5
# No lower bound: frontd's timer starts when its write to the client
# blocks, and the backend may still fill frontd's receive buffer for a
# while after that, so its "last progress" can come late in the window.
LOW, HIGH = 0.0, TCLIENT + 2.5
SIZE = 256 << 20
result = {}


def handler(c):
    c.read_head()
    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % SIZE)
    chunk = b"z" * 65536
    sent = 0
    last = time.monotonic()
    c.sock.setblocking(False)
    try:
        while sent < SIZE:
            _, w, _ = select.select([], [c.sock], [], 0.05)
            if not w:
                if time.monotonic() - last > 20:
                    result["error"] = "stalled 20s, never closed"
                    return
                continue
            try:
                n = c.sock.send(chunk)
            except BlockingIOError:
                continue
            except OSError as e:
                result["closed"] = (time.monotonic() - last, sent, str(e))
                return
            sent += n
            last = time.monotonic()
        result["error"] = "all %d bytes were sent" % sent
    finally:
        result.setdefault("sent", sent)


def test(ctx):
    be = ctx.backend(handler)
    fd = ctx.frontd("timeout_client = 500ms\ntimeout_idle = 10s", be.port)
    s = t.connect(fd.port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.sendall(b"GET /big HTTP/1.1\r\nHost: example.com\r\n\r\n")
    end = time.monotonic() + 25
    while time.monotonic() < end and "closed" not in result \
            and "error" not in result:
        time.sleep(0.05)
    t.check("error" not in result, "backend: %s" % result.get("error"))
    t.check("closed" in result, "backend: its connection was never closed "
            "(sent %d bytes)" % result.get("sent", 0))
    secs, sent, err = result["closed"]
    t.log("backend: connection closed %.3fs after its last progress, "
          "%d bytes sent (%s)" % (secs, sent, err))
    t.check(LOW <= secs <= HIGH, "backend connection closed %.3fs after the "
            "backend's last progress, want %.1f..%.1f" % (secs, LOW, HIGH))
    # a reset: what was queued for a client that took nothing is dropped
    data, _ = t.recv_until_close(s, 10)
    t.log("client: read %d bytes, then EOF or reset" % len(data))
    t.check(data == b"" or data.startswith(b"HTTP/1.1 200 "),
            "client: got %r" % data[:40])
    t.check(len(data) < SIZE, "client: got the whole body")


t.main(test)
