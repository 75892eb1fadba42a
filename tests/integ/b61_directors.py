#!/usr/bin/env python3
"""b61_directors: each director policy spreads requests as its weights
say, hashing is sticky and moves only the removed member's keys, and
backup members take requests only when no primary can.

  round_robin  weights 100,100,200,100: 500 requests, shares exact
               within 2 %
  random       weights 100,300: 1000 requests, shares within 5 points
  least_conn   equal weights, one request at a time: even within 10 %
  hash         header:X-User over 4 members: the same user always on
               the same member; a second frontd whose director lacks
               one member moves only that member's users, and the
               moved share is near 1/4
  backup       every request to the primary; with the primary refusing
               connections, to the backup
"""

import collections
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def shares(port, n, host, path="/", extra=lambda i: b""):
    c = collections.Counter()
    for i in range(n):
        c[t.who(port, path, host, extra(i))] += 1
    return c


def test(ctx):
    names = ["s1", "s2", "s3", "s4"]
    be = {n: ctx.backend(t.id_handler(n)) for n in names}
    conf = ""
    for n, w in zip(names, (100, 100, 200, 100)):
        conf += ('backend "%s" { address = "127.0.0.1:%d" weight = %d }\n'
                 % (n, be[n].port, w))
    conf += """
backend "r1" { address = "127.0.0.1:%d" }
backend "r3" { address = "127.0.0.1:%d" weight = 300 }
director "rr" { backends = {"s1", "s2", "s3", "s4"} policy = "round_robin" }
director "rnd" { backends = {"r1", "r3"} }
director "lc" { backends = {"s1", "s2"} policy = "least_conn" }
director "h" { backends = {"s1", "s2", "s3", "s4"} policy = "hash"
               hash_key = "header:X-User" }
route "rr" { host = {"rr.test"} to = "rr" }
route "rnd" { host = {"rnd.test"} to = "rnd" }
route "lc" { host = {"lc.test"} to = "lc" }
route "h" { host = {"h.test"} to = "h" }
""" % (be["s1"].port, be["s2"].port)
    fd = ctx.frontd_text(conf)

    c = shares(fd.port, 500, "rr.test")
    want = {"s1": 100, "s2": 100, "s3": 200, "s4": 100}
    for n in names:
        t.check(abs(c[n] - want[n]) <= 10, "round_robin: %r" % dict(c))

    c = shares(fd.port, 1000, "rnd.test")
    # r1 is backend s1's port, r3 is s2's: weight 100 vs 300
    t.check(abs(c["s1"] - 250) <= 50 and c["s1"] + c["s2"] == 1000,
            "random 100:300: %r" % dict(c))

    c = shares(fd.port, 400, "lc.test")
    t.check(abs(c["s1"] - 200) <= 20, "least_conn: %r" % dict(c))

    user = lambda i: b"X-User: user-%d\r\n" % i
    first = {}
    for i in range(400):
        first[i] = t.who(fd.port, "/", "h.test", user(i))
    c = collections.Counter(first.values())
    t.check(all(c[n] > 40 for n in names) and c["s3"] > c["s1"],
            "hash spread by weight: %r" % dict(c))
    for i in range(0, 400, 7):
        t.check(t.who(fd.port, "/x", "h.test", user(i)) == first[i],
                "hash: user %d moved without a change" % i)

    # the same names without s4, on a second frontd
    conf3 = conf.replace('backends = {"s1", "s2", "s3", "s4"} '
                         'policy = "hash"',
                         'backends = {"s1", "s2", "s3"} policy = "hash"')
    fd3 = ctx.frontd_text(conf3, t.free_port())
    moved = 0
    for i in range(400):
        got = t.who(fd3.port, "/", "h.test", user(i))
        if first[i] != "s4":
            t.check(got == first[i], "hash: user %d moved from %s to %s, "
                    "but only s4 was removed" % (i, first[i], got))
        else:
            moved += 1
    t.check(40 <= moved <= 140, "hash: %d of 400 keys moved, want ~1/4 "
            "(s4's share of weight 100 of 500 gives ~80)" % moved)
    fd3.stop()
    fd.stop()

    # backup: only when no primary can take the request
    prim = ctx.backend(t.id_handler("primary"))
    back = ctx.backend(t.id_handler("backup"))
    conf = """
backend "p" { address = "127.0.0.1:%d" }
backend "b" { address = "127.0.0.1:%d" backup = true }
director "d" { backends = {"b", "p"} }
route "all" { to = "d" }
""" % (prim.port, back.port)
    fd = ctx.frontd_text(conf)
    c = shares(fd.port, 50, "x.test")
    t.check(c == {"primary": 50}, "backup while the primary is up: %r"
            % dict(c))
    prim.kill()
    c = shares(fd.port, 20, "x.test")
    t.check(c == {"backup": 20}, "primary refusing: %r" % dict(c))


t.main(test)
