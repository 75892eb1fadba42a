#!/usr/bin/env python3
"""b63_queue: max_connections limits the requests in flight to a backend
across all workers; past it requests wait in a FIFO queue, without a
worker blocking, until a finishing request hands them its slot, or
until queue_timeout (503, QUEUE_TIMEOUT); past max_queue they get 503
at once (QUEUE_FULL).

  limits   "slow" (max_connections 2) holds two requests; two more
           wait (the queued gauge says 2 in /metrics); a fifth is
           refused at once; the two waiting get 503 after
           queue_timeout 1s, not before; the two held ones finish 200
  handover "one" (max_connections 1): three requests in turn; each
           waits for the one before; the backend never has two at once
           and sees them in the order they came
"""

import os
import re
import socket
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


class Gated:
    """A backend handler that counts requests and concurrency, answering
    once its gate is open."""

    def __init__(self, name):
        self.name = name
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.paths = []

    def __call__(self, c):
        while True:
            head = c.read_head()
            path = head.split(b" ")[1].decode()
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
                self.paths.append(path)
            self.gate.wait(30)
            body = ("%s %s" % (self.name, path)).encode()
            with self.lock:
                self.now -= 1
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(body), body))

    def wait_seen(self, n):
        end = time.monotonic() + 10
        while time.monotonic() < end:
            with self.lock:
                if len(self.paths) >= n:
                    return
            time.sleep(0.01)
        raise t.Fail("%s: %d requests seen, want %d" % (self.name,
                     len(self.paths), n))


class Req(threading.Thread):
    def __init__(self, port, host, path):
        threading.Thread.__init__(self, daemon=True)
        self.port, self.host, self.path = port, host, path
        self.r = None
        self.t = None
        self.start()

    def run(self):
        t0 = time.monotonic()
        try:
            self.r = t.get(self.port, self.path, self.host)
        except Exception as e:
            self.r = e
        self.t = time.monotonic() - t0

    def result(self):
        self.join(20)
        t.check(isinstance(self.r, t.Response), "%s %s: %r"
                % (self.host, self.path, self.r))
        return self.r


def metric(aport, name, label):
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % aport,
                                  timeout=5).read().decode()
    m = re.search(r"^frontd_%s\{%s\} (\d+)$" % (name, re.escape(label)),
                  body, re.M)
    return int(m.group(1)) if m else None


def wait_metric(aport, name, label, want):
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if metric(aport, name, label) == want:
            return
        time.sleep(0.01)
    raise t.Fail("%s{%s} is %r, want %d" % (name, label,
                 metric(aport, name, label), want))


def test(ctx):
    slow = Gated("slow")
    one = Gated("one")
    bs = ctx.backend(slow)
    bo = ctx.backend(one)
    aport = t.free_port()
    conf = """
workers = 2
admin_listen = "127.0.0.1:%d"
access_log = "%s/access.log"
backend "slow" { address = "127.0.0.1:%d" max_connections = 2 }
backend "one" { address = "127.0.0.1:%d" max_connections = 1 }
director "q" { backends = {"slow"} queue_timeout = 1s max_queue = 2 }
director "f" { backends = {"one"} queue_timeout = 20s }
route "q" { host = {"q.test"} to = "q" }
route "f" { host = {"f.test"} to = "f" }
""" % (aport, ctx.tmp, bs.port, bo.port)
    fd = ctx.frontd_text(conf)
    t.wait_port(aport)

    held = [Req(fd.port, "q.test", "/held%d" % i) for i in range(2)]
    slow.wait_seen(2)
    waiting = [Req(fd.port, "q.test", "/wait%d" % i) for i in range(2)]
    wait_metric(aport, "backend_queued", 'backend="slow"', 2)
    t0 = time.monotonic()
    r = t.get(fd.port, "/full", "q.test")
    t.check(r.status == 503, "fifth request: %d, want 503" % r.status)
    t.check(time.monotonic() - t0 < 0.5, "queue full: not refused at once")
    for w in waiting:
        r = w.result()
        t.check(r.status == 503, "%s: %d, want 503" % (w.path, r.status))
        t.check(0.9 <= w.t < 3, "%s: 503 after %.2fs, want ~1s"
                % (w.path, w.t))
    slow.gate.set()
    for h in held:
        t.check(h.result().status == 200, "%s not 200" % h.path)
    t.check(slow.peak == 2 and len(slow.paths) == 2,
            "slow: peak %d, saw %r" % (slow.peak, slow.paths))
    t.check(metric(aport, "backend_queue_timeouts_total",
                   'backend="slow"') == 2, "queue_timeouts_total")
    t.check(metric(aport, "director_queue_full_total",
                   'director="q"') == 1, "director queue_full_total")

    reqs = [Req(fd.port, "f.test", "/a")]
    one.wait_seen(1)
    for i, p in enumerate(("/b", "/c")):
        reqs.append(Req(fd.port, "f.test", p))
        wait_metric(aport, "backend_queued", 'backend="one"', i + 1)
    one.gate.set()
    for q in reqs:
        t.check(q.result().status == 200, "%s not 200" % q.path)
    t.check(one.peak == 1, "one: %d requests at once" % one.peak)
    t.check(one.paths == ["/a", "/b", "/c"], "one: order %r" % one.paths)
    fd.stop()
    log = open(os.path.join(ctx.tmp, "access.log")).read()
    t.check(log.count('cause="QUEUE_TIMEOUT"') == 2 and
            log.count('cause="QUEUE_FULL"') == 1,
            "access log causes:\n" + log)


t.main(test)
