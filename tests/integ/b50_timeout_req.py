#!/usr/bin/env python3
"""b50_timeout_req: a partial request head is closed at timeout_req,
counted from its first byte (design section 1: a request-head deadline
once its first byte came; 408 allowed).

timeout_req is 500 ms, timeout_idle 10 s.  Three clients:
  stall     sends part of a head and nothing more;
  trickle   sends a byte every 100 ms, never finishing the head: the
            trickle must not push the deadline back;
  late      waits 400 ms idle before its first byte: the deadline counts
            from that byte, not from the connect.
Each must be closed 0.5 s after its first byte (bounds 0.4 s .. 2.5 s on
a busy machine), with nothing but an optional 408 sent, and the backend
must never see a connection.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

TREQ = 0.5
LOW, HIGH = TREQ - 0.1, TREQ + 2.0


def check_answer(name, data):
    t.check(data == b"" or data.startswith(b"HTTP/1.1 408 "),
            "%s: got %r, want nothing or a 408" % (name, data[:60]))


def stall(port, out):
    s = t.connect(port)
    t0 = time.monotonic()
    s.sendall(b"GET /stall HTTP/1.1\r\nHost: exa")
    data, _ = t.wait_closed(s, 10)
    out["stall"] = (data, time.monotonic() - t0)


def trickle(port, out):
    s = t.connect(port)
    head = b"GET /trickle HTTP/1.1\r\nHost: example.com\r\nX-Slow: " + \
        b"a" * 200
    t0 = time.monotonic()
    closed = None
    for i, c in enumerate(head):
        try:
            s.sendall(bytes([c]))
        except OSError:
            break
        time.sleep(0.1)
        s.setblocking(False)
        try:
            b = s.recv(4096)
            if b == b"" or b.startswith(b"HTTP/"):
                closed = time.monotonic() - t0
                s.setblocking(True)
                rest, _ = t.wait_closed(s, 5) if b else (b"", 0)
                out["trickle"] = (b + rest, closed)
                return
        except BlockingIOError:
            pass
        except OSError:
            closed = time.monotonic() - t0
            out["trickle"] = (b"", closed)
            return
        finally:
            s.setblocking(True)
        if time.monotonic() - t0 > 10:
            break
    out["trickle"] = (b"", None)


def late(port, out):
    s = t.connect(port)
    time.sleep(0.4)
    t0 = time.monotonic()
    s.sendall(b"GET /late HTTP/1.1\r\n")
    data, _ = t.wait_closed(s, 10)
    out["late"] = (data, time.monotonic() - t0)


def test(ctx):
    be = ctx.backend(t.simple_handler())
    fd = ctx.frontd("timeout_req = 500ms\ntimeout_idle = 10s", be.port)
    out = {}
    th = [threading.Thread(target=f, args=(fd.port, out))
          for f in (stall, trickle, late)]
    for x in th:
        x.start()
    for x in th:
        x.join(20)
    for name in ("stall", "trickle", "late"):
        t.check(name in out, "%s: no result" % name)
        data, secs = out[name]
        t.check(secs is not None, "%s: never closed" % name)
        t.log("%s: closed %.3fs after the first byte, sent %r"
              % (name, secs, data[:40]))
        check_answer(name, data)
        t.check(LOW <= secs <= HIGH,
                "%s: closed %.3fs after the first byte, want %.1f..%.1f"
                % (name, secs, LOW, HIGH))
    t.check(not be.conns, "the backend saw %d connection(s)" % len(be.conns))


t.main(test)
