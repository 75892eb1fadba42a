#!/usr/bin/env python3
"""b64_reload_pools: after HUP a backend with the same name and address
keeps its pooled connections (and its counters); a backend the new
configuration drops has its idle connections closed.

One worker, so that one pool holds the connection.  Ten requests to
"a" use one backend connection; HUP with "b" and a route added: ten
more still use that one connection, and frontd_backend_requests_total
of "a" goes on from 10; HUP without "a": its connection is closed once
a request runs on the new configuration.
"""

import os
import re
import signal
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def reload(fd, text, n):
    with open(fd.conf, "w") as f:
        f.write('listen = {"127.0.0.1:%d"}\n%s' % (fd.port, text))
    fd.p.send_signal(signal.SIGHUP)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if fd.stderr().count("configuration %s loaded" % fd.conf) >= n:
            return
        time.sleep(0.02)
    raise t.Fail("reload %d not logged: %s" % (n, fd.stderr()))


def requests_total(aport, name):
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % aport,
                                  timeout=5).read().decode()
    m = re.search(r'^frontd_backend_requests_total\{backend="%s"\} (\d+)$'
                  % name, body, re.M)
    return int(m.group(1)) if m else None


def test(ctx):
    a = ctx.backend(t.id_handler("a"))
    b = ctx.backend(t.id_handler("b"))
    aport = t.free_port()
    head = ('workers = 1\nadmin_listen = "127.0.0.1:%d"\n'
            'backend "a" { address = "127.0.0.1:%d" }\n' % (aport, a.port))
    fd = ctx.frontd_text(head)
    t.wait_port(aport)
    for i in range(10):
        t.check(t.who(fd.port, "/%d" % i) == "a", "before the reload")
    t.check(len(a.conns) == 1, "a: %d connections" % len(a.conns))

    two = head + ('backend "b" { address = "127.0.0.1:%d" }\n'
                  'route "b" { path = {"/b/"} to = "b" }\n'
                  'route "a" { to = "a" }\n' % b.port)
    reload(fd, two, 1)
    for i in range(10):
        t.check(t.who(fd.port, "/x%d" % i) == "a", "after the reload")
    t.check(t.who(fd.port, "/b/") == "b", "the new route")
    t.check(len(a.conns) == 1, "a: %d connections after the reload, "
            "want the pooled one kept" % len(a.conns))
    t.check(requests_total(aport, "a") == 20, "a's requests_total: %r"
            % requests_total(aport, "a"))

    only_b = ('workers = 1\nadmin_listen = "127.0.0.1:%d"\n'
              'backend "b" { address = "127.0.0.1:%d" }\n' % (aport, b.port))
    reload(fd, only_b, 2)
    t.check(t.who(fd.port, "/") == "b", "after the second reload")
    end = time.monotonic() + 5
    while a.conns[0].t_eof is None and time.monotonic() < end:
        time.sleep(0.02)
    t.check(a.conns[0].t_eof is not None,
            "a's idle connection not closed after a was removed")


t.main(test)
