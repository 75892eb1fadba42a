#!/usr/bin/env python3
"""r57_memory_back: once a crowd of clients has left, frontd gives the
memory their buffers took back to the system.  400 clients each send
part of a request head (each then holds a receive buffer) and go; within
a few seconds frontd_mem_trimmed_total counts a trim and, with glibc's
allocator (no sanitizer), the resident size falls back by at least half
of what the crowd added.  Before, 3000 slow readers left frontd at 143 MB
with no session open.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

N = 400


def metric(aport, name):
    r = t.request(aport, b"GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
    m = re.search(rb"^frontd_%s (\d+)" % name.encode(), r.body, re.M)
    t.check(m is not None, "no %s in /metrics" % name)
    return int(m.group(1))


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_for(cond, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def test(ctx):
    aport = t.free_port()
    be = ctx.backend(t.simple_handler())
    fd = ctx.frontd('admin_listen = "127.0.0.1:%d"\ntimeout_req = 60s\n'
                    % aport, be.port)
    t.wait_port(aport)
    pid = fd.p.pid
    base = rss_kb(pid)
    crowd = []
    for _ in range(N):
        s = t.connect(fd.port)
        s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ")
        crowd.append(s)
    t.check(wait_for(lambda: metric(aport, "sessions_open") >= N, 20),
            "%d sessions never open" % N)
    peak = rss_kb(pid)
    trims = metric(aport, "mem_trimmed_total")
    for s in crowd:
        s.close()
    t.check(wait_for(lambda: metric(aport, "mem_trimmed_total") > trims,
                     10), "no trim after %d sessions left" % N)
    after = rss_kb(pid)
    t.log("RSS %d kB -> %d kB with %d partial heads -> %d kB after"
          % (base, peak, N, after))
    if os.environ.get("SANITIZE"):
        return			# the sanitizer's allocator is not trimmed
    t.check(peak - after >= (peak - base) / 2,
            "RSS %d -> %d -> %d kB: not given back" % (base, peak, after))


t.main(test)
