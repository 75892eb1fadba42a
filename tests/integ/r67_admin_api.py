#!/usr/bin/env python3
"""r67_admin_api: the admin API that changes state.

With admin_token_file set, a PUT without the secret, with a wrong one or
one of another length gets 403 and changes nothing; reading needs none.
Bad input gets a clear 4xx and changes nothing: an unknown backend 404,
a bad body 400, a huge body 413, a chunked one 411, a wrong method 405,
a client that stops half-way through its request 408.

Drain: a request held by backend "a" goes on while "a" is drained; new
requests go to "b"; wait-empty answers 408 while the request is in
flight, and 200 once it finished -- its connection closed instead of
pooled.  Maintenance takes "a" out the same way, ready puts it back.
/health fails after PUT fail and comes back after ok.
"""

import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

TOKEN = "r67-secret-0123456789abcdef"


def test(ctx):
    gate = threading.Event()
    a = ctx.backend(t.id_handler("a", gate))
    b = ctx.backend(t.id_handler("b"))
    aport = t.free_port()
    tok = os.path.join(ctx.tmp, "token")
    with open(tok, "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(tok, 0o600)
    fd = ctx.frontd_text(
        'admin_listen = "%d"\nadmin_token_file = "%s"\n'
        'backend "a" { address = "127.0.0.1:%d" }\n'
        'backend "b" { address = "127.0.0.1:%d" }\n'
        'director "d" { backends = {"a", "b"} policy = round_robin }\n'
        'route "held" { path = {"/held"} to = "a" }\n'
        'route "all" { to = "d" }\n' % (aport, tok, a.port, b.port))
    t.wait_port(aport)
    gate.set()

    # the secret
    for tk in (None, "wrong", TOKEN + "x", TOKEN[:-1]):
        st, js = t.admin(aport, "PUT", "/backends/a/state", "drain", tk)
        t.check(st == 403, "PUT with token %r: %d %r" % (tk, st, js))
        st, js = t.admin(aport, "PUT", "/health", "fail", tk)
        t.check(st == 403, "PUT /health with token %r: %d" % (tk, st))
    t.check(t.be_status(aport, "a")["admin"] == "ready", "changed anyway")
    st, _ = t.admin(aport, "GET", "/health")
    t.check(st == 200, "/health after refused PUTs: %d" % st)

    # bad input
    cases = [
        ("PUT", "/backends/nope/state", "drain", 404),
        ("PUT", "/backends/a/state", '{"state":', 400),
        ("PUT", "/backends/a/state", '{"state":"drain","x":1}', 400),
        ("PUT", "/backends/a/state", "sleep", 400),
        ("PUT", "/backends/a/state", "", 400),
        ("PUT", "/backends/a/state", "x" * 5000, 413),
        ("POST", "/backends/a/state", "drain", 405),
        ("DELETE", "/health", None, 405),
        ("GET", "/backends/a/wait-empty?timeout=forever", None, 400),
        ("GET", "/backends/nope/wait-empty", None, 404),
        ("GET", "/backends/a/nothing", None, 404),
    ]
    for m, path, body, want in cases:
        st, js = t.admin(aport, m, path, body, TOKEN)
        t.check(st == want, "%s %s %.20r: %d %r, want %d"
                % (m, path, body, st, js, want))
    r = t.request(aport, b"PUT /backends/a/state HTTP/1.1\r\nHost: a\r\n"
                  b"Authorization: Bearer " + TOKEN.encode() +
                  b"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ndrain\r\n"
                  b"0\r\n\r\n")
    t.check(r.status == 411, "chunked PUT: %d" % r.status)
    slow = t.connect(aport)
    slow.sendall(b"PUT /backends/a/state HTTP/1.1\r\nContent-Length: 5"
                 b"\r\n\r\ndr")
    data, secs = t.recv_until_close(slow, 10)
    t.check(data.startswith(b"HTTP/1.1 408 "), "slow client: %r" % data[:40])
    t.check(t.be_status(aport, "a")["admin"] == "ready",
            "bad input changed the state")
    t.check(fd.p.poll() is None, "frontd died")

    # drain with a request in flight
    gate.clear()
    held = {}

    def hold():
        held["r"] = t.get(fd.port, "/held")
    th = threading.Thread(target=hold)
    th.start()
    t.wait_for(lambda: t.be_status(aport, "a")["inflight"] == 1, 10,
               "the held request in flight")
    st, js = t.admin(aport, "PUT", "/backends/a/state", '{"state":"drain"}',
                     TOKEN)
    t.check(st == 200 and js["admin"] == "drain", "drain: %d %r" % (st, js))
    sa = t.be_status(aport, "a")
    t.check(sa["state"] == "draining" and sa["set_by"] == "admin",
            "/status after drain: %r" % sa)
    for i in range(6):
        t.check(t.who(fd.port, "/n%d" % i) == "b", "a new request went to a")
    st, js = t.admin(aport, "GET", "/backends/a/wait-empty?timeout=300ms")
    t.check(st == 408 and js["in_flight"] == 1 and not js["empty"],
            "wait-empty with a request in flight: %d %r" % (st, js))
    waited = {}

    def wait():
        waited["r"] = t.admin(aport, "GET",
                              "/backends/a/wait-empty?timeout=10s")
    tw = threading.Thread(target=wait)
    tw.start()
    # other admin clients are served while one waits
    st, _ = t.admin(aport, "GET", "/metrics", timeout=2)
    t.check(st == 200, "/metrics while a client waits: %d" % st)
    gate.set()
    th.join(10)
    tw.join(15)
    t.check(held["r"].status == 200 and held["r"].body == b"a /held",
            "the held request: %d %r" % (held["r"].status, held["r"].body))
    st, js = waited["r"]
    t.check(st == 200 and js["empty"] and js["connections"] == 0,
            "wait-empty after the request: %d %r" % (st, js))
    t.wait_for(lambda: all(c.t_eof is not None for c in a.conns), 5,
               "a's connections closed")

    # maintenance, then ready
    st, js = t.admin(aport, "PUT", "/backends/a/state", "state=maint", TOKEN)
    t.check(st == 200, "maint: %d %r" % (st, js))
    t.check(t.be_status(aport, "a")["state"] == "maint", "not maint")
    t.check(t.get(fd.port, "/held").status == 503,
            "a request for a alone while a is in maintenance")
    t.check(all(t.who(fd.port, "/m%d" % i) == "b" for i in range(4)),
            "a request went to a in maintenance")
    st, js = t.admin(aport, "PUT", "/backends/a/state", "ready", TOKEN)
    t.check(st == 200 and t.be_status(aport, "a")["state"] == "up",
            "ready: %d %r" % (st, js))
    seen = {t.who(fd.port, "/r%d" % i) for i in range(4)}
    t.check(seen == {"a", "b"}, "after ready: %r" % seen)

    # /health failed on purpose
    st, js = t.admin(aport, "PUT", "/health", '{"state":"fail"}', TOKEN)
    t.check(st == 503 and js["health"] == "fail", "fail: %d %r" % (st, js))
    st, _ = t.admin(aport, "GET", "/health")
    t.check(st == 503, "/health after fail: %d" % st)
    t.check(t.who(fd.port, "/") in ("a", "b"), "traffic while failed")
    st, _ = t.admin(aport, "PUT", "/health", "ok", TOKEN)
    t.check(st == 200, "ok: %d" % st)
    st, _ = t.admin(aport, "GET", "/health")
    t.check(st == 200, "/health after ok: %d" % st)
    t.check(fd.stop() == 0, "frontd did not stop cleanly")


t.main(test)
