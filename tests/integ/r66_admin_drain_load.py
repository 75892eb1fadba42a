#!/usr/bin/env python3
"""r66_admin_drain_load: drain, wait, upgrade, ready -- under load, with
no failed request.

wrk runs against a director of two nginx backends.  "a" is drained:
wait-empty answers 200 within its timeout, with no request in flight
to "a" and no connection open to it (its pooled ones closed), and "a"
gets no request from then on while "b" takes them all.  "a" is put
back: it takes requests again.  wrk must see no socket error and no
non-2xx response.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def req(aport, name):
    return t.be_status(aport, name)["req"]


def test(ctx):
    na = ctx.nginx('location / { return 200 "a\\n"; }')
    nb = ctx.nginx('location / { return 200 "b\\n"; }')
    aport = t.free_port()
    fd = ctx.frontd_text(
        'admin_listen = "127.0.0.1:%d"\n'
        'backend "a" { address = "127.0.0.1:%d" }\n'
        'backend "b" { address = "127.0.0.1:%d" }\n'
        'director "d" { backends = {"a", "b"} policy = round_robin }\n'
        'route "all" { to = "d" }\n' % (aport, na.port, nb.port))
    t.wait_port(aport)
    out = open(os.path.join(ctx.tmp, "wrk.out"), "w+")
    wrk = subprocess.Popen(["wrk", "-t1", "-c20", "-d8s",
                            "http://127.0.0.1:%d/" % fd.port],
                           stdout=out, stderr=subprocess.STDOUT)
    try:
        t.wait_for(lambda: req(aport, "a") > 200 and
                   t.be_status(aport, "a")["conns"] > 0, 10,
                   "load on a, with pooled connections")
        st, js = t.admin(aport, "PUT", "/backends/a/state", "drain")
        t.check(st == 200, "drain: %d %r" % (st, js))
        st, js = t.admin(aport, "GET", "/backends/a/wait-empty?timeout=5s")
        t.log("wait-empty: %d %r" % (st, js))
        t.check(st == 200 and js["empty"] and js["in_flight"] == 0 and
                js["connections"] == 0, "wait-empty: %d %r" % (st, js))
        sa = t.be_status(aport, "a")
        t.check(sa["conns"] == 0 and sa["idle"] == 0 and
                sa["inflight"] == 0, "a after wait-empty: %r" % sa)
        n_a, n_b = req(aport, "a"), req(aport, "b")
        t.wait_for(lambda: req(aport, "b") > n_b + 500, 10,
                   "b taking the load")
        t.check(req(aport, "a") == n_a, "a got requests while drained")
        # "upgrade" a here; then put it back
        st, js = t.admin(aport, "PUT", "/backends/a/state", "ready")
        t.check(st == 200, "ready: %d %r" % (st, js))
        t.wait_for(lambda: req(aport, "a") > n_a + 100, 10,
                   "a taking requests again")
        wrk.wait(20)
    finally:
        if wrk.poll() is None:
            wrk.kill()
            wrk.wait()
    out.seek(0)
    res = out.read()
    t.log(res.replace("\n", " | "))
    t.check("Socket errors" not in res, "wrk saw socket errors")
    t.check("Non-2xx" not in res, "wrk saw non-2xx responses")
    t.check(fd.stop() == 0, "frontd did not stop cleanly")


t.main(test)
