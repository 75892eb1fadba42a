#!/usr/bin/env python3
"""r69_admin_reload: a state set by the admin API survives HUP.

"a" is drained.  A reload that keeps a's address keeps it drained; one
that gives "a" a new address makes a new backend, which takes the state
by name: still drained, reported as set by the admin API.  Requests go
to "b" throughout; once "a" is put back they reach a's new address.
A backend the operator never touched reports set_by "config".
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def reload(fd, text, n):
    with open(fd.conf, "w") as f:
        f.write('listen = {"127.0.0.1:%d"}\n%s' % (fd.port, text))
    fd.p.send_signal(signal.SIGHUP)
    t.wait_for(lambda: fd.stderr().count("configuration %s loaded"
                                         % fd.conf) >= n, 10,
               "reload %d logged" % n)


def conf(aport, a, b):
    return ('admin_listen = "127.0.0.1:%d"\n'
            'backend "a" { address = "127.0.0.1:%d" }\n'
            'backend "b" { address = "127.0.0.1:%d" }\n'
            'director "d" { backends = {"a", "b"} policy = round_robin }\n'
            'route "all" { to = "d" }\n' % (aport, a, b))


def only_b(fd, what):
    for i in range(6):
        t.check(t.who(fd.port, "/%d" % i) == "b", "%s: a request went to "
                "a drained backend" % what)


def test(ctx):
    a = ctx.backend(t.id_handler("a"))
    a2 = ctx.backend(t.id_handler("a2"))
    b = ctx.backend(t.id_handler("b"))
    aport = t.free_port()
    fd = ctx.frontd_text(conf(aport, a.port, b.port))
    t.wait_port(aport)
    t.check(t.be_status(aport, "b")["set_by"] == "config", "b's set_by")
    st, js = t.admin(aport, "PUT", "/backends/a/state", "drain")
    t.check(st == 200, "drain: %d %r" % (st, js))
    only_b(fd, "drained")

    reload(fd, conf(aport, a.port, b.port), 1)
    sa = t.be_status(aport, "a")
    t.check(sa["state"] == "draining" and sa["set_by"] == "admin",
            "after a reload: %r" % sa)
    only_b(fd, "after a reload")

    reload(fd, conf(aport, a2.port, b.port), 2)
    sa = t.be_status(aport, "a")
    t.check(sa["state"] == "draining" and sa["set_by"] == "admin",
            "after a's address changed: %r" % sa)
    only_b(fd, "after a's address changed")
    t.check("keeps the state the admin API set" in fd.stderr(),
            "the carried state is not logged")

    st, js = t.admin(aport, "PUT", "/backends/a/state", "ready")
    t.check(st == 200, "ready: %d %r" % (st, js))
    seen = {t.who(fd.port, "/r%d" % i) for i in range(4)}
    t.check(seen == {"a2", "b"}, "after ready: %r" % seen)
    t.check(len(a.conns) == 0, "the old address of a got requests")
    t.check(fd.stop() == 0, "frontd did not stop cleanly")


t.main(test)
