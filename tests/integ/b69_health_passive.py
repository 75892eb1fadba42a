#!/usr/bin/env python3
"""b69_health_passive: passive checks eject a failing backend.

  eject     fail_limit failures in a row (502s frontd made: the server
            closes without answering) eject it for fail_timeout; its
            requests go to the others meanwhile
  back-off  when its time is up it is on trial: one more failure ejects
            it again for twice as long; a success ends the trial
  refused   connect refused counts too; with retries the client never
            sees it
  cap       a director never has more than half of its members ejected:
            with both of two members failing, requests still reach one
            (502), never 503 no_healthy_backend
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def flaky(name, state):
    """id_handler that, while state["bad"], closes without an answer."""
    def h(c):
        while True:
            path = c.read_head().decode("latin-1").split(" ")[1]
            if state["bad"]:
                return
            body = ("%s %s" % (name, path)).encode()
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(body), body))
    return h


def ask(port, host, path):
    """Who answered, or the status frontd made."""
    r = t.get(port, path, host)
    return r.body.decode().split(" ")[0] if r.status == 200 else r.status


def test(ctx):
    b0 = {"bad": True}
    x = {"bad": True}
    be = {"b0": ctx.backend(flaky("b0", b0)),
          "n1": ctx.backend(t.id_handler("n1")),
          "n2": ctx.backend(t.id_handler("n2")),
          "x0": ctx.backend(flaky("x0", x)),
          "x1": ctx.backend(flaky("x1", x))}
    gone = t.free_port()            # nothing listens there
    aport = t.free_port()
    conf = 'admin_listen = "127.0.0.1:%d"\n' % aport
    for n in ("b0", "x0", "x1"):
        conf += ('backend "%s" { address = "127.0.0.1:%d" fail_limit = 3 '
                 'fail_timeout = 1s }\n' % (n, be[n].port))
    for n in ("n1", "n2"):
        conf += 'backend "%s" { address = "127.0.0.1:%d" }\n' % (n, be[n].port)
    conf += ('backend "c0" { address = "127.0.0.1:%d" fail_limit = 2 }\n'
             % gone)
    conf += ('director "d" { backends = {"b0", "n1", "n2"} retries = 0 '
             'policy = "round_robin" }\n'
             'director "c" { backends = {"c0", "n1"} retries = 1 '
             'policy = "round_robin" }\n'
             'director "x" { backends = {"x0", "x1"} retries = 0 }\n'
             'route "d" { host = {"d.test"} to = "d" }\n'
             'route "c" { host = {"c.test"} to = "c" }\n'
             'route "x" { host = {"x.test"} to = "x" }\n')
    fd = ctx.frontd_text(conf)
    t.wait_port(aport)

    # eject: three 502s in a row from b0, then none of its requests
    got = [ask(fd.port, "d.test", "/a%d" % i) for i in range(9)]
    t.check(got.count(502) == 3, "before the ejection: %r" % got)
    t0 = time.monotonic()
    t.check("backend 'b0' ejected for 1s: 3 failures in a row (last: bad "
            "response (502))" in fd.stderr(), "no ejection line")
    got = [ask(fd.port, "d.test", "/b%d" % i) for i in range(20)]
    t.check(set(got) == {"n1", "n2"} or time.monotonic() - t0 > 1,
            "while ejected: %r" % got)
    h = t.status(aport)["backends"]["b0"]["health"]
    t.check(h == "ejected" or time.monotonic() - t0 > 0.9,
            "/status says %r, not ejected" % h)
    # its time up, /status says so before any request takes it back
    t.wait_until(lambda: t.status(aport)["backends"]["b0"]["health"] ==
                 "trial", 3, "/status never said trial")
    t.check(time.monotonic() - t0 >= 0.9, "trial before fail_timeout")

    # back-off: the trial request fails, twice as long out
    t.wait_until(lambda: ask(fd.port, "d.test", "/c") == 502, 3,
                 "b0 never tried again")
    took = time.monotonic() - t0
    t.log("b0 tried again %.2fs after its ejection" % took)
    t.check(0.9 <= took <= 1.6, "first ejection lasted %.2fs" % took)
    t.check("backend 'b0' ejected for 2s: failed again after its last "
            "ejection" in fd.stderr(), "no second ejection line")
    t1 = time.monotonic()
    b0["bad"] = False
    t.wait_until(lambda: ask(fd.port, "d.test", "/d") == "b0", 4,
                 "b0 never back")
    took = time.monotonic() - t1
    t.log("b0 back %.2fs after its second ejection" % took)
    t.check(1.9 <= took <= 2.6, "second ejection lasted %.2fs" % took)
    t.wait_until(lambda: "backend 'b0' back: a request succeeded" in
                 fd.stderr(), 2, "no back line")
    t.check(t.metric(aport, "backend_ejections_total", 'backend="b0"') == 2,
            "ejections not counted")

    # refused: retried on n1, and c0 ejected after two
    got = [ask(fd.port, "c.test", "/e%d" % i) for i in range(8)]
    t.check(got == ["n1"] * 8, "with c0 refusing: %r" % got)
    t.check(re.search(r"backend 'c0' ejected for 10s: 2 failures in a row "
                      r"\(last: Connection refused\)", fd.stderr()),
            "no ejection line for c0")

    # cap: both of two fail; one of them still takes requests
    n503 = t.metric(aport, "connections_closed_total",
                    'reason="no_healthy_backend"')
    got = [ask(fd.port, "x.test", "/f%d" % i) for i in range(20)]
    t.check(got == [502] * 20, "with x0 and x1 failing: %r" % got)
    t.check(t.metric(aport, "backend_ejections_total", 'backend="x0"') +
            t.metric(aport, "backend_ejections_total", 'backend="x1"') >= 2,
            "x0 and x1 never ejected")
    t.check(t.metric(aport, "connections_closed_total",
                     'reason="no_healthy_backend"') == n503,
            "a director ejected all its members")


t.main(test)
