#!/usr/bin/env python3
"""b68_health_probe: active health checks with Varnish's semantics.

  start      a new backend with the defaults (window 8, threshold 3,
             initial 2) takes no request before its first good probe:
             503 no_healthy_backend at once, then 200 after one good
             probe
  down       of three members, one whose probe fails is out of rotation
             within interval x (window - threshold + 1), logged once
             with the reason, and its requests go to the other two
  backup     a backup member takes the requests while no primary is
             healthy, and gives them back when one is
  up         it is back after threshold good probes
  timeout    a server that accepts the probe and never answers fails it
             after the probe's own timeout
  reload     a HUP that keeps the backends keeps their health and one
             probe loop each
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

IVL = 0.2


def handler(name, state):
    """id_handler, with /health answering state["probe"]."""
    def h(c):
        while True:
            head = c.read_head().decode("latin-1")
            path = head.split(" ")[1]
            if path == "/health":
                st = state["probe"]
                c.send(b"HTTP/1.1 %d X\r\nContent-Length: 0\r\n"
                       b"Connection: close\r\n\r\n" % st)
                return
            body = ("%s %s" % (name, path)).encode()
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(body), body))
    return h


def health(aport, name):
    return t.status(aport)["backends"][name]["health"]


def test(ctx):
    names = ["n0", "n1", "n2"]
    state = {n: {"probe": 200} for n in names}
    state["n0"]["probe"] = 503      # not ready yet
    be = {n: ctx.backend(handler(n, state[n])) for n in names}
    bk = ctx.backend(t.id_handler("bk"))
    mute = ctx.backend(lambda c: c.read_until_eof(30))
    aport = t.free_port()
    conf = ('admin_listen = "127.0.0.1:%d"\n'
            'probe "hc" { url = "/health" interval = %dms timeout = 1s }\n'
            % (aport, IVL * 1000))
    for n in names:
        conf += ('backend "%s" { address = "127.0.0.1:%d" probe = "hc" }\n'
                 % (n, be[n].port))
    conf += ('probe "quick" { url = "/health" interval = 100ms '
             'timeout = 50ms initial = 3 }\n'
             'backend "mute" { address = "127.0.0.1:%d" probe = "quick" }\n'
             % mute.port)
    conf += ('backend "bk" { address = "127.0.0.1:%d" backup = true }\n'
             % bk.port)
    conf += ('director "withbk" { backends = {"n0", "bk"} }\n'
             'route "withbk" { host = {"bk.test"} to = "withbk" }\n'
             'director "d" { backends = {"n0", "n1", "n2"} '
             'policy = "round_robin" }\n'
             'director "only0" { backends = {"n0"} }\n'
             'route "d" { host = {"d.test"} to = "d" }\n'
             'route "only0" { host = {"0.test"} to = "only0" }\n')
    fd = ctx.frontd_text(conf)
    t.wait_port(aport)

    # start: n0's probe fails from the start, so it never was healthy
    t.wait_until(lambda: t.metric(aport, "backend_probes_total",
                                  'backend="n0"') >= 2, 5, "n0 probed")
    t.check(health(aport, "n0") == "sick", "n0 healthy before a good probe")
    t0 = time.monotonic()
    r = t.get(fd.port, "/", host="0.test")
    t.check(r.status == 503, "only0 with n0 sick: %d" % r.status)
    t.check(time.monotonic() - t0 < 0.5, "503 not at once")
    # counted when the session closes, which may follow the response
    t.wait_until(lambda: t.metric(aport, "connections_closed_total",
                                  'reason="no_healthy_backend"') >= 1, 3,
                 "no_healthy_backend not counted")
    t.check(t.who(fd.port, "/", "bk.test") == "bk", "backup not used")
    state["n0"]["probe"] = 200
    took = t.wait_until(lambda: t.get(fd.port, "/", host="0.test").status
                        == 200, 3, "n0 never came up")
    t.log("n0 up %.2fs after its probe passed" % took)
    t.check(took < 2 * IVL + 0.5, "n0 up only after %.2fs" % took)
    t.check("backend 'n0' up: 3 of last 8 probes passed (last: status 200)"
            in fd.stderr(), "no up line for n0")
    t.check(t.who(fd.port, "/", "bk.test") == "n0", "backup still used")
    st = t.status(aport)["backends"]["n0"]
    t.check(st["window"].endswith("1") and len(st["window"]) == 8 and
            st["last_probe"] == "status 200", "n0 /status: %r" % st)

    # timeout: mute starts healthy (initial 3) and its probes time out
    t.wait_until(lambda: health(aport, "mute") == "sick", 3, "mute healthy")
    st = t.status(aport)["backends"]["mute"]
    t.check(st["last_probe"] == "timeout", "mute: %r" % st)
    t.check("backend 'mute' down: 6 of last 8 probes failed (last: timeout)"
            in fd.stderr(), "no down line for mute")

    # down: n1 stops listening; out within interval x (8 - 3 + 1) probes
    for n in names:
        t.wait_until(lambda: health(aport, n) == "healthy", 5, n + " up")
    t.wait_until(lambda: t.status(aport)["backends"]["n1"]["window"] ==
                 "11111111", 5, "n1 window never full")
    be["n1"].kill()
    t0 = time.monotonic()
    took = t.wait_until(lambda: health(aport, "n1") == "sick", 5,
                        "n1 never went down")
    t.log("n1 down %.2fs after it stopped" % took)
    t.check(took <= IVL * 6 + 0.5, "n1 down after %.2fs" % took)
    err = fd.stderr()
    t.check(err.count("backend 'n1' down:") == 1 and
            "backend 'n1' down: 6 of last 8 probes failed (last: "
            "Connection refused)" in err, "down line: %s" % err)
    seen = set(t.who(fd.port, "/x%d" % i, "d.test") for i in range(30))
    t.check(seen == {"n0", "n2"}, "with n1 down: %r" % seen)
    t.check(t.metric(aport, "backend_health_down_total", 'backend="n1"') == 1,
            "health_down not counted")

    # up: a server on the same port again; threshold good probes later
    be["n1"] = ctx.backend(handler("n1", state["n1"]), port=be["n1"].port)
    p0 = t.metric(aport, "backend_probes_total", 'backend="n1"')
    took = t.wait_until(lambda: health(aport, "n1") == "healthy", 5,
                        "n1 never came back")
    p1 = t.metric(aport, "backend_probes_total", 'backend="n1"')
    t.log("n1 back %.2fs after its restart, %d probes" % (took, p1 - p0))
    t.check(p1 - p0 >= 3, "n1 back after %d probes" % (p1 - p0))
    t.check(took <= IVL * 4 + 0.5, "n1 back after %.2fs" % took)
    seen = set(t.who(fd.port, "/y%d" % i, "d.test") for i in range(30))
    t.check(seen == {"n0", "n1", "n2"}, "n1 back: %r" % seen)

    # reload: unchanged backends keep their health and one loop each
    state["n2"]["probe"] = 500
    t.wait_until(lambda: health(aport, "n2") == "sick", 5, "n2 not sick")
    fd.p.send_signal(signal.SIGHUP)
    t.wait_until(lambda: "configuration" in fd.stderr() and
                 "loaded" in fd.stderr(), 5, "no reload")
    t.check(health(aport, "n2") == "sick", "n2 healthy after the reload")
    p0 = t.metric(aport, "backend_probes_total", 'backend="n0"')
    time.sleep(10 * IVL)            # measuring a rate, not waiting for one
    p1 = t.metric(aport, "backend_probes_total", 'backend="n0"')
    t.check(6 <= p1 - p0 <= 13, "%d probes in 10 intervals" % (p1 - p0))
    state["n2"]["probe"] = 200
    t.wait_until(lambda: health(aport, "n2") == "healthy", 5,
                 "n2 not back after the reload")


t.main(test)
