#!/usr/bin/env python3
"""b56_slow_reader_steady: timeout_client cuts a client that takes
nothing, never one that reads slowly.  A steady reader can leave
frontd's send buffer full (megabytes on loopback) for longer than
timeout_client while it keeps reading; frontd measures what the client
took (the bytes still queued in the socket), not whether the socket
became writable.

timeout_client is 1.5 s.  The origin sends a 1 GiB body as fast as it
can.  The client, with a small receive buffer, reads 16 KiB every 50 ms
(about 320 KB/s) for 5 s, more than three times timeout_client: it must
not be cut.  Then it stops reading: frontd must give up about
timeout_client after the last byte the client took, seen from the
origin (its connection closes), and not before 0.9 x timeout_client.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

TCLIENT = 1.5
READ_FOR = 5.0
SIZE = 1 << 30
result = {}


def handler(c):
    c.read_head()
    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % SIZE)
    sent, err = c.stream(SIZE)
    if err is not None:
        result["closed"] = (time.monotonic(), sent, err)
    else:
        result["error"] = "all %d bytes were sent" % sent


def test(ctx):
    be = ctx.backend(handler)
    fd = ctx.frontd("timeout_client = %dms" % (TCLIENT * 1000), be.port)
    s = t.connect(fd.port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    s.sendall(b"GET /big HTTP/1.1\r\nHost: example.com\r\n\r\n")
    got = 0
    t0 = time.monotonic()
    s.settimeout(5)
    while time.monotonic() - t0 < READ_FOR:
        d = s.recv(16384)
        t.check(d, "the steady reader was cut after %.2fs and %d bytes"
                % (time.monotonic() - t0, got))
        got += len(d)
        time.sleep(0.05)
    # drain what is in our own buffer now, then stop taking anything
    s.setblocking(False)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)
    except BlockingIOError:
        pass
    stop = time.monotonic()
    t.log("read %d bytes in %.1fs, then stopped" % (got, stop - t0))
    t.check("closed" not in result and "error" not in result,
            "origin: %r" % result)
    end = stop + 20
    while time.monotonic() < end and "closed" not in result:
        time.sleep(0.02)
    t.check("closed" in result, "the client stopped reading and was never "
            "cut")
    secs = result["closed"][0] - stop
    t.log("cut %.2fs after the client stopped (timeout_client %.1fs)"
          % (secs, TCLIENT))
    # the upper bound leaves room for a loaded machine and the sanitizers
    t.check(0.9 * TCLIENT <= secs <= 1.1 * TCLIENT + 1.0,
            "cut %.2fs after the client stopped, want about %.1fs"
            % (secs, TCLIENT))


t.main(test)
