#!/usr/bin/env python3
"""b66_backend_killed: one of three nginx servers behind a director is
killed while wrk drives load through frontd.  Only the requests it had in
flight fail (at most one per wrk connection); afterwards every request
is answered, by the other two.

The kill waits until the victim has served a good share of the load
(frontd_backend_requests_total), not for a fixed time.
"""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

CONNS = 20


def metric(aport, name, label):
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % aport,
                                  timeout=5).read().decode()
    m = re.search(r"^frontd_%s\{%s\} (\d+)$" % (name, re.escape(label)),
                  body, re.M)
    return int(m.group(1)) if m else 0


def test(ctx):
    ngx = []
    for i in range(3):
        n = ctx.nginx('location / { return 200 "n%d\\n"; }' % i)
        ngx.append(n)
    aport = t.free_port()
    conf = 'admin_listen = "127.0.0.1:%d"\n' % aport
    for i, n in enumerate(ngx):
        conf += 'backend "n%d" { address = "127.0.0.1:%d" }\n' % (i, n.port)
    conf += ('director "d" { backends = {"n0", "n1", "n2"} retries = 2 }\n'
             'route "all" { to = "d" }\n')
    fd = ctx.frontd_text(conf)
    t.wait_port(aport)
    # one answer first: frontd has started all its threads by then
    t.check(t.get(fd.port, "/").status == 200, "first request")
    wrk = subprocess.Popen(["wrk", "-t1", "-c%d" % CONNS, "-d6s",
                            "http://127.0.0.1:%d/" % fd.port],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    end = time.monotonic() + 20
    while metric(aport, "backend_requests_total", 'backend="n0"') < 500:
        t.check(time.monotonic() < end and wrk.poll() is None,
                "n0 never served 500 requests")
        time.sleep(0.02)
    ngx[0].p.send_signal(signal.SIGKILL)
    ngx[0].p.wait()
    out = wrk.communicate(timeout=60)[0].decode()
    t.log(out.replace("\n", " | "))
    m = re.search(r"(\d+) requests in", out)
    t.check(m is not None, "wrk: " + out)
    total = int(m.group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = int(bad.group(1)) if bad else 0
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), "
                     r"write (\d+), timeout (\d+)", out)
    nerr = sum(int(x) for x in errs.groups()) if errs else 0
    t.check(total > 1000, "wrk did only %d requests" % total)
    t.check(bad + nerr <= CONNS, "%d failed (%d non-2xx, %d socket errors)"
            ", more than the %d the killed server could have had in flight"
            % (bad + nerr, bad, nerr, CONNS))
    seen = set()
    for i in range(60):
        r = t.get(fd.port, "/after%d" % i)
        t.check(r.status == 200, "after the kill: %d" % r.status)
        seen.add(r.body.strip())
    t.check(seen == {b"n1", b"n2"}, "after the kill, answered by %r" % seen)


t.main(test)
