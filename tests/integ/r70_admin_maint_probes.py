#!/usr/bin/env python3
"""r70_admin_maint_probes: a backend put in maintenance with the admin API
is not probed (its server may be down for an upgrade: no failed probes,
no "down" in the log); back to ready, its probes start again and it
takes requests once they pass.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def wait(cond, what, timeout=10):
    end = time.monotonic() + timeout
    while not cond():
        t.check(time.monotonic() < end, what)
        time.sleep(0.02)


def test(ctx):
    hits = {"health": 0}

    def h(c):
        while True:
            head = c.read_head()
            path = head.split(b" ")[1]
            if path == b"/health":
                hits["health"] += 1
            body = b"a " + path
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(body), body))
    be = ctx.backend(h)
    aport = t.free_port()
    fd = ctx.frontd_text(
        'admin_listen = "127.0.0.1:%d"\n'
        'probe "hc" { url = "/health" interval = 100ms timeout = 1s }\n'
        'backend "a" { address = "127.0.0.1:%d" probe = "hc" }\n'
        % (aport, be.port))
    t.wait_port(aport)
    lab = 'backend="a"'
    wait(lambda: t.metric(aport, "backend_probes_total", lab) >= 3,
         "no probes before maintenance")
    wait(lambda: t.get(fd.port, "/x").status == 200, "never healthy")
    st, js = t.admin(aport, "PUT", "/backends/a/state", "maint")
    t.check(st == 200, "PUT maint: %d %r" % (st, js))
    n0 = t.metric(aport, "backend_probes_total", lab)
    time.sleep(1.0)     # ten probe intervals: none of them may probe
    n1 = t.metric(aport, "backend_probes_total", lab)
    t.log("probes in 1 s of maintenance: %d" % (n1 - n0))
    t.check(n1 - n0 <= 1, "%d probes in 1 s of maintenance" % (n1 - n0))
    t.check(t.get(fd.port, "/m").status == 503, "a request in maintenance")
    st, js = t.admin(aport, "PUT", "/backends/a/state", "ready")
    t.check(st == 200, "PUT ready: %d %r" % (st, js))
    wait(lambda: t.metric(aport, "backend_probes_total", lab) >= n1 + 3,
         "probes did not start again after ready")
    wait(lambda: t.get(fd.port, "/back").status == 200,
         "not back after ready")
    t.check("down" not in fd.stderr().lower().replace("shutdown", ""),
            "maintenance logged a health change: %s" % fd.stderr())


t.main(test)
