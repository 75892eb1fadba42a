#!/usr/bin/env python3
"""r68_admin_shutdown_delay: on TERM with shutdown_delay, /health answers
503 at once while frontd keeps serving on new connections for the delay;
only then do the listeners close, and frontd exits 0.
"""

import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

DELAY = 1.5


def refused(port):
    try:
        t.get(port, "/")
    except (ConnectionRefusedError, ConnectionResetError, EOFError):
        return True
    return False


def test(ctx):
    be = ctx.backend(t.id_handler("b"))
    aport = t.free_port()
    fd = ctx.frontd('admin_listen = "127.0.0.1:%d"\nshutdown_delay = %dms'
                    % (aport, DELAY * 1000), be.port)
    t.wait_port(aport)
    st, js = t.admin(aport, "GET", "/health")
    t.check(st == 200 and js["health"] == "ok", "before TERM: %d" % st)
    t0 = time.monotonic()
    fd.p.send_signal(signal.SIGTERM)
    t.wait_for(lambda: t.admin(aport, "GET", "/health")[0] == 503, 1,
               "/health 503 after TERM")
    st, js = t.admin(aport, "GET", "/health")
    t.log("after TERM: /health %d %r" % (st, js))
    t.check(js["reason"] == "stopping", "reason: %r" % js)
    n = 0
    while time.monotonic() - t0 < DELAY - 0.4:
        t.check(t.who(fd.port, "/%d" % n) == "b", "served during the delay")
        n += 1
        time.sleep(0.05)
    t.wait_for(lambda: refused(fd.port), 5, "the listener closed")
    secs = time.monotonic() - t0
    t.log("%d requests served during the delay; listener closed after "
          "%.2fs" % (n, secs))
    t.check(secs >= DELAY - 0.1, "listener closed after %.2fs, before "
            "shutdown_delay" % secs)
    t.check(fd.p.wait(10) == 0, "exit status %r" % fd.p.returncode)


t.main(test)
