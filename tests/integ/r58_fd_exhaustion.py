#!/usr/bin/env python3
"""r58_fd_exhaustion: out of descriptors, frontd pauses accepting, counts
each pause and says so in its log at most once every 10 s (it once said
it ten times a second); once clients leave it serves again.

frontd runs with a descriptor limit of 96; 160 clients connect and each
sends half a request head, so frontd cannot shed them as idle.
"""

import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

NOFILE = 96
CLIENTS = 160


def counter(aport, name):
    r = t.request(aport, b"GET /status HTTP/1.1\r\nHost: a\r\n\r\n")
    return json.loads(r.body)["counters"][name]


def test(ctx):
    aport = t.free_port()
    be = ctx.backend(t.simple_handler())
    ctx.preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE,
                                             (NOFILE, NOFILE))
    fd = ctx.frontd('admin_listen = "127.0.0.1:%d"\ntimeout_req = 60s'
                    % aport, be.port)
    t.wait_port(aport)
    clients = []
    for i in range(CLIENTS):
        s = t.connect(fd.port)
        s.sendall(b"GET /half HTTP/1.1\r\nHo")
        clients.append(s)
    n = 0
    end = time.monotonic() + 20
    while time.monotonic() < end:
        n = counter(aport, "accept_fdlimit")
        if n >= 5:
            break
        time.sleep(0.05)
    t.log("accept paused %d time(s) for want of descriptors" % n)
    t.check(n >= 5, "accept_fdlimit is %d with %d clients and %d "
            "descriptors" % (n, CLIENTS, NOFILE))
    for s in clients:
        s.close()
    # served again once the clients are gone
    end = time.monotonic() + 20
    while True:
        try:
            r = t.get(fd.port, "/after")
            if r.status == 200:
                break
        except (OSError, EOFError):
            pass
        t.check(time.monotonic() < end, "no 200 after the clients left")
        time.sleep(0.05)
    said = fd.stderr().count("for want of descriptors")
    t.log("warnings logged: %d" % said)
    t.check(said == 1, "the warning was logged %d times for %d pauses"
            % (said, n))


t.main(test)
