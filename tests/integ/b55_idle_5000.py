#!/usr/bin/env python3
"""b55_idle_5000: 5000 idle keep-alive connections are held, served, and
closed at timeout_idle (design section 6: idle sessions are cheap; a
frontd target is to hold thousands of them).

tests/bench/idle.py opens 5000 connections through frontd to nginx, one
request each, then leaves them idle.
  run 1  timeout_idle 60 s, --phase serve: after a 2 s hold every one of
         the 5000 connections gets a second answer (SERVED ok=5000).
  run 2  timeout_idle 5 s, --phase wait-close: every connection is
         closed by frontd at timeout_idle after it went idle: CLOSED
         n=5000, the last one between 3.5 s and 5 s + 6 s after the last
         went idle.  (timeout_idle also runs from the connect, so it must
         be longer than it takes idle.py to send 5000 first requests.)
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

N = 5000
IDLE = os.path.join(t.TOP, "tests", "bench", "idle.py")


def idle(port, *args):
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, IDLE, "--port", str(port),
                        "--count", str(N), "--path", "/i.txt"] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    for ln in out.splitlines():
        t.log("idle.py: %s" % ln)
    t.log("idle.py %s: exit %d after %.1fs"
          % (" ".join(args), p.returncode, time.monotonic() - t0))
    return p.returncode, out


def test(ctx):
    ng = ctx.nginx("location / { }")
    with open(os.path.join(ng.www, "i.txt"), "wb") as f:
        f.write(b"idle\n")

    fd = ctx.frontd("timeout_idle = 60s\nmax_connections = 10000", ng.port)
    rc, out = idle(fd.port, "--phase", "serve", "--hold", "2",
                   "--concurrency", "200")
    t.check("READY ok=%d failed=0" % N in out, "run 1: not all %d "
            "connections became idle: %s" % (N, out.strip()[-200:]))
    t.check("SERVED ok=%d failed=0" % N in out, "run 1: not all %d idle "
            "connections were served again: %s" % (N, out.strip()[-200:]))
    t.check(rc == 0, "run 1: idle.py exit %d" % rc)
    t.check(fd.stop() == 0, "run 1: frontd did not exit 0")
    ctx.frontds.remove(fd)

    fd = ctx.frontd("timeout_idle = 5s\nmax_connections = 10000", ng.port)
    rc, out = idle(fd.port, "--phase", "wait-close", "--hold", "0",
                   "--hold-max", "30", "--concurrency", "200")
    t.check("READY ok=%d failed=0" % N in out, "run 2: not all %d "
            "connections became idle: %s" % (N, out.strip()[-200:]))
    m = re.search(r"CLOSED n=(\d+) after=([0-9.]+)", out)
    t.check(m is not None, "run 2: no CLOSED line: %s" % out.strip()[-200:])
    n, after = int(m.group(1)), float(m.group(2))
    t.check(n == N, "run 2: %d of %d connections closed at timeout_idle"
            % (n, N))
    t.check(3.5 <= after <= 5 + 6, "run 2: the last connection closed "
            "%.1fs after all were idle, want 3.5s..11s" % after)
    t.check(rc == 0, "run 2: idle.py exit %d" % rc)


t.main(test)
