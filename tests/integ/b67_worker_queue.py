#!/usr/bin/env python3
"""b67_worker_queue: with every worker at worker_sessions, a complete
request waits in the idle waiter's queue (queue_len) and is handed to a
worker as soon as one lets a session go -- woken by that worker, not by
a polling timer; one past queue_len gets 503 at once; one that waits
longer than timeout_req gets 503 then.

One worker of one session.  A holds it (its backend answers when the
test says so); B waits and, A still holding the worker, gets 503 after
timeout_req, while C, past queue_len, gets 503 at once.  D waits out
timeout_req too, and the event loops must have slept through that second
(a 2 ms poll would wake them hundreds of times).  Then E waits, A is
answered, and E reaches the backend at once, after A.
"""

import os
import re
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def metric(aport, name):
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % aport,
                                  timeout=5).read().decode()
    m = re.search(r"^frontd_%s (\d+)$" % name, body, re.M)
    return int(m.group(1)) if m else None


def wait_metric(aport, name, want):
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if metric(aport, name) == want:
            return
        time.sleep(0.01)
    raise t.Fail("%s is %r, want %d" % (name, metric(aport, name), want))


class Req(threading.Thread):
    def __init__(self, port, path):
        threading.Thread.__init__(self, daemon=True)
        self.port, self.path, self.r, self.t = port, path, None, None
        self.start()

    def run(self):
        t0 = time.monotonic()
        try:
            self.r = t.get(self.port, self.path)
        except Exception as e:
            self.r = e
        self.t = time.monotonic() - t0

    def status(self):
        self.join(20)
        t.check(isinstance(self.r, t.Response), "%s: %r" % (self.path,
                                                            self.r))
        return self.r.status


def test(ctx):
    gate = threading.Event()
    seen = []

    def handler(c):
        while True:
            head = c.read_head()
            seen.append(head.split(b" ")[1].decode())
            gate.wait(30)
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    be = ctx.backend(handler)
    aport = t.free_port()
    fd = ctx.frontd_text("""
workers = 1
worker_sessions = 1
queue_len = 1
timeout_req = 1s
admin_listen = "127.0.0.1:%d"
backend "b" { address = "127.0.0.1:%d" }
""" % (aport, be.port))
    t.wait_port(aport)
    a = Req(fd.port, "/a")
    end = time.monotonic() + 10
    while not seen and time.monotonic() < end:
        time.sleep(0.01)
    t.check(seen == ["/a"], "A did not reach the backend: %r" % seen)
    b = Req(fd.port, "/b")
    wait_metric(aport, "queue_length", 1)
    c = Req(fd.port, "/c")
    t.check(c.status() == 503 and c.t < 0.5, "C: %r after %.2fs, want "
            "503 at once" % (c.r, c.t))
    t.check(b.status() == 503 and b.t >= 0.9, "B: %r after %.2fs, want "
            "503 after timeout_req" % (b.r, b.t))

    w0 = metric(aport, "waiter_wakeups_total")
    d = Req(fd.port, "/d")
    t.check(d.status() == 503 and d.t >= 0.9, "D: %r after %.2fs"
            % (d.r, d.t))
    woke = metric(aport, "waiter_wakeups_total") - w0
    t.check(woke < 100, "the event loops woke %d times while a request "
            "waited 1s for a worker" % woke)

    e = Req(fd.port, "/e")
    wait_metric(aport, "queue_length", 1)
    gate.set()
    t.check(a.status() == 200, "A")
    t.check(e.status() == 200 and e.t < 1.0, "E: %r after %.2fs, want "
            "200 as soon as A let the worker go" % (e.r, e.t))
    t.check(seen == ["/a", "/e"], "the backend saw %r" % seen)


t.main(test)
