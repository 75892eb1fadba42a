#!/usr/bin/env python3
"""b65_dns: backends named by a host name.  A name that does not resolve
at start leaves its backend down and frontd starts anyway; the resolver
thread looks names up every resolve_interval: a name that appears is
used, a name with several addresses spreads new connections over them,
and when an address vanishes its pooled connections are closed and new
ones go to the others.

A name of this test's own is added to /etc/hosts and taken away again
(the file is restored whatever happens); its addresses are 127.0.0.2 and
127.0.0.3, each with a server on the same port.  "local" (localhost)
shares a round-robin director with it.
"""

import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

HOSTS = "/etc/hosts"


def metric(aport, name, label):
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % aport,
                                  timeout=5).read().decode()
    m = re.search(r"^frontd_%s\{%s\} (\d+)$" % (name, re.escape(label)),
                  body, re.M)
    return int(m.group(1)) if m else None


def wait_changes(aport, want):
    end = time.monotonic() + 15
    while time.monotonic() < end:
        if metric(aport, "backend_dns_changes_total",
                  'backend="named"') == want:
            return
        time.sleep(0.05)
    raise t.Fail("dns_changes_total is %r, want %d" % (metric(
        aport, "backend_dns_changes_total", 'backend="named"'), want))


def set_hosts(orig, name, addrs):
    with open(HOSTS, "w") as f:
        f.write(orig + "".join("%s %s\n" % (a, name) for a in addrs))


def test(ctx):
    name = "frontd-b65-%d.test" % os.getpid()
    # a minimal root may have no /etc/hosts: give it the usual one for
    # the test (localhost is one of the names), and take it away after
    had = os.path.exists(HOSTS)
    orig = open(HOSTS).read() if had else ""
    base = orig if had else "127.0.0.1 localhost\n"
    if not base.endswith("\n"):
        base += "\n"
    try:
        if not had:
            with open(HOSTS, "w") as f:
                f.write(base)
        run(ctx, name, base)
    finally:
        if had:
            with open(HOSTS, "w") as f:
                f.write(orig)
        elif os.path.exists(HOSTS):
            os.unlink(HOSTS)


def run(ctx, name, orig):
    local = ctx.backend(t.id_handler("local"))
    n2 = ctx.backend(t.id_handler("n2"), "127.0.0.2")
    n3 = ctx.backend(t.id_handler("n3"), "127.0.0.3", n2.port)
    aport = t.free_port()
    conf = """
resolve_interval = 1s
admin_listen = "127.0.0.1:%d"
backend "named" { address = "%s:%d" }
backend "local" { address = "localhost:%d" }
backend "spread" { address = "%s:%d" max_idle = 0 }
director "d" { backends = {"named", "local"} policy = "round_robin" }
route "spread" { host = {"spread.test"} to = "spread" }
route "all" { to = "d" }
""" % (aport, name, n2.port, local.port, name, n2.port)
    fd = ctx.frontd_text(conf)
    t.wait_port(aport)
    t.check("does not resolve" in fd.stderr(), "no warning: " + fd.stderr())
    for i in range(6):
        t.check(t.who(fd.port, "/%d" % i) == "local", "named is down")

    set_hosts(orig, name, ["127.0.0.2"])
    wait_changes(aport, 1)
    got = [t.who(fd.port, "/a%d" % i) for i in range(10)]
    t.check(got.count("n2") == 5 and got.count("local") == 5,
            "after the name appeared: %r" % got)

    set_hosts(orig, name, ["127.0.0.2", "127.0.0.3"])
    wait_changes(aport, 2)
    got = [t.who(fd.port, "/b%d" % i) for i in range(10)]
    t.check(got.count("local") == 5, "two addresses: %r" % got)
    # new connections (none is pooled for "spread") take them in turn
    got = [t.who(fd.port, "/s%d" % i, "spread.test") for i in range(10)]
    t.check(got.count("n2") == 5 and got.count("n3") == 5,
            "spread over two addresses: %r" % got)
    n3_before = len(n3.conns)

    set_hosts(orig, name, ["127.0.0.3"])
    wait_changes(aport, 3)
    got = [t.who(fd.port, "/c%d" % i) for i in range(10)]
    t.check(got.count("n3") == 5 and "n2" not in got,
            "127.0.0.2 gone: %r" % got)
    end = time.monotonic() + 5
    while time.monotonic() < end and \
            any(c.t_eof is None for c in n2.conns):
        time.sleep(0.02)
    t.check(all(c.t_eof is not None for c in n2.conns),
            "a connection to the vanished 127.0.0.2 is still open")
    t.check(len(n3.conns) >= max(1, n3_before), "n3 connections")


t.main(test)
