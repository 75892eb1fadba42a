#!/usr/bin/env python3
"""r65_hash_real_client: hash_key = "client_ip" hashes the real client.
Behind a trusted proxy every request comes from the same peer; the
client a director hashes must be the one the access log and
X-Forwarded-For name (the right-most untrusted address), or every
client would land on one backend.

Two backends in a hash director on client_ip, 127.0.0.0/8 trusted.
Twenty clients (X-Forwarded-For 10.0.0.N), each asking twice: each gets
the same backend both times, and both backends get some of them.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def named(name):
    def h(c):
        while True:
            c.read_head()
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(name), name))
    return h


def test(ctx):
    a = ctx.backend(named(b"a"))
    b = ctx.backend(named(b"b"))
    conf = """listen = {"127.0.0.1:%d"}
trusted_proxies = {"127.0.0.0/8"}
backend "a" { address = "127.0.0.1:%d" }
backend "b" { address = "127.0.0.1:%d" }
director "d" {
	backends = {"a", "b"}
	policy = "hash"
	hash_key = "client_ip"
}
route "all" { to = "d" }
""" % (t.FPORT, a.port, b.port)
    fd = t.Frontd(ctx, conf, t.FPORT)
    ctx.frontds.append(fd)
    got = {}
    for rnd in range(2):
        for n in range(1, 21):
            r = t.request(fd.port, b"GET /x HTTP/1.1\r\nHost: h\r\n"
                          b"X-Forwarded-For: 10.0.0.%d\r\n\r\n" % n)
            t.check(r.status == 200, "client %d: %d" % (n, r.status))
            if rnd == 0:
                got[n] = r.body
            else:
                t.check(got[n] == r.body, "client 10.0.0.%d moved from %r "
                        "to %r" % (n, got[n], r.body))
    spread = sorted(set(got.values()))
    t.log("20 clients: %d on a, %d on b"
          % (list(got.values()).count(b"a"), list(got.values()).count(b"b")))
    t.check(spread == [b"a", b"b"], "every client on %r: the peer was "
            "hashed, not the client" % spread)


t.main(test)
