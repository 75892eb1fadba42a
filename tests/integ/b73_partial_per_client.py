#!/usr/bin/env python3
"""b73_partial_per_client: max_partial_per_client caps the unfinished
request heads one client address holds; the next one gets 429 and is
closed, and nothing else of that address, nor any other address, is
touched.

frontd with max_partial_per_client = 3 (min_rate off, timeout_req 20 s,
so that only the cap closes anything), one plain listener and one with
proxy_protocol.  Every step waits for the sessions_partial gauge.
  - 127.0.0.1: three partial heads are held; a fourth gets 429; a whole
    request from the same address is served meanwhile;
  - a keep-alive connection whose next head is partial after a response
    goes back to the idle waiter and is counted there too (over the cap:
    429 after its first response);
  - PROXY TCP4 192.0.2.7: counted apart from 127.0.0.1, the same cap;
  - PROXY TCP6: 2001:db8::1, ::2 and ::3 share a /64 and the cap;
    2001:db8:0:1::5 is another /64;
  - a head that completes, and a client that goes away, give their
    place back: a new partial head from 127.0.0.1 is held again;
  - the 429s are counted as partial_limit, and the gauge ends at 0.
"""

import os
import socket
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

PART = b"GET /p HTTP/1.1\r\nHost: example.com\r\n"


def partial(port, proxy=b""):
    s = t.connect(port)
    s.sendall(proxy + PART)
    return s


def refused(s, what):
    data, _ = t.recv_until_close(s, 10)
    t.log("%s: %r" % (what, data[:40]))
    t.check(data.startswith(b"HTTP/1.1 429 "), "%s: got %r, want 429"
            % (what, data[:60]))


def held(aport, n, what):
    t.wait_until(lambda: t.metric(aport, "sessions_partial") == n, 10,
                 "%s: sessions_partial is not %d (%d)"
                 % (what, n, t.metric(aport, "sessions_partial")))


def v1(src):
    fam = b"TCP6" if b":" in src else b"TCP4"
    dst = b"2001:db8::ff" if fam == b"TCP6" else b"192.0.2.255"
    return b"PROXY %s %s %s 40000 80\r\n" % (fam, src, dst)


def test(ctx):
    be = ctx.backend(t.simple_handler())
    port = t.FPORT
    pport = t.free_port()
    aport = t.free_port()
    conf = ('listen = {"127.0.0.1:%d", "127.0.0.1:%d proxy_protocol"}\n'
            'admin_listen = "127.0.0.1:%d"\n'
            'max_partial_per_client = 3\nmin_rate = 0\ntimeout_req = 20s\n'
            'backend "b" { address = "127.0.0.1:%d" }\n'
            % (port, pport, aport, be.port))
    ctx.frontds.append(t.Frontd(ctx, conf, port))
    t.wait_port(pport)
    t.wait_port(aport)
    keep = []

    # 127.0.0.1: three held, the fourth refused, a whole request served.
    for i in range(3):
        keep.append(partial(port))
        held(aport, i + 1, "127.0.0.1")
    refused(partial(port), "127.0.0.1, a fourth partial head")
    r = t.get(port, "/whole")
    t.check(r.status == 200, "a whole request from a capped address: %d"
            % r.status)
    held(aport, 3, "after the whole request")

    # A partial head behind a response comes back to the idle waiter:
    # counted there, so over the cap it is refused after its response.
    s = t.connect(port)
    s.sendall(b"GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n" + PART)
    rd = t.Reader(s)
    r = rd.response()
    t.check(r.status == 200, "pipelined first request: %d" % r.status)
    data = rd.rest()
    t.check(data.startswith(b"HTTP/1.1 429 "),
            "a partial head behind a response, over the cap: %r"
            % data[:60])

    # Other addresses, through the PROXY header.
    for i in range(3):
        keep.append(partial(pport, v1(b"192.0.2.7")))
        held(aport, 4 + i, "192.0.2.7")
    refused(partial(pport, v1(b"192.0.2.7")), "192.0.2.7, a fourth")
    for i, src in enumerate((b"2001:db8::1", b"2001:db8::2",
                             b"2001:db8::3")):
        keep.append(partial(pport, v1(src)))
        held(aport, 7 + i, src.decode())
    refused(partial(pport, v1(b"2001:db8::4")),
            "2001:db8::4, the fourth of its /64")
    keep.append(partial(pport, v1(b"2001:db8:0:1::5")))
    held(aport, 10, "2001:db8:0:1::5, another /64")

    # A completed head and a closed client give their place back.
    s = keep.pop(0)
    s.sendall(b"\r\n")
    r = t.Reader(s).response()
    t.check(r.status == 200, "a held head, completed: %d" % r.status)
    held(aport, 9, "after a head completed")
    keep.pop(0).close()
    held(aport, 8, "after a client closed")
    keep.append(partial(port))
    keep.append(partial(port))
    held(aport, 10, "127.0.0.1 again")
    refused(partial(port), "127.0.0.1, over the cap again")

    t.wait_until(lambda: t.metric(aport, "connections_closed_total",
                                  'reason="partial_limit"') == 5, 10,
                 "five partial_limit closes counted (%d)" % t.metric(
                     aport, "connections_closed_total",
                     'reason="partial_limit"'))
    for s in keep:
        s.close()
    held(aport, 0, "every client gone")


t.main(test)
