#!/usr/bin/env python3
"""b71_slot_after_body: a request body up to request_buffer is read before
the request takes one of its backend's max_connections slots, so a client
that trickles its upload holds no slot: with max_connections = 1, a GET
sent while a POST body trickles is answered at once, and the POST is
answered once its body is in.  A request whose route has no member up is
answered 503 before its body is read.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def test(ctx):
    be = ctx.backend(t.id_handler("b"))
    fd = ctx.frontd("workers = 1", be.port,
                    backend_extra="max_connections = 1")
    s = t.connect(fd.port)
    rd = t.Reader(s, 15)
    s.sendall(b"POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n"
              b"\r\nhello")
    t0 = time.monotonic()
    r = t.get(fd.port, "/quick")
    took = time.monotonic() - t0
    t.log("GET while a POST body trickles: %d in %.2f s" % (r.status, took))
    t.check(r.status == 200 and r.body == b"b /quick",
            "GET while a body trickles: %d %r" % (r.status, r.body))
    s.sendall(b"world")
    r = rd.response()
    t.check(r.status == 200 and r.body == b"b /slow",
            "the POST: %d %r" % (r.status, r.body))
    s.close()
    t.check(not be.errors(), "backend: %r" % be.errors())
    # nobody up (a name that does not resolve): 503 without the body
    fd2 = ctx.frontd_text('backend "gone" { address = "nowhere.invalid:80" }',
                          port=t.free_port())
    s = t.connect(fd2.port)
    s.sendall(b"POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n"
              b"\r\nhello")
    r = t.Reader(s, 15).response()
    t.check(r.status == 503, "no backend up: %d" % r.status)
    s.close()


t.main(test)
