#!/usr/bin/env python3
"""r60_proxy_protocol: a listener with the proxy_protocol option reads a
PROXY header (v1 or v2) before the first request, and the address in it
becomes the client's: the backend sees it in X-Forwarded-For, for every
request of the connection.  v1 TCP4/TCP6/UNKNOWN, v2 TCP4/TCP6 with
TLVs and LOCAL; each split at every byte offset.  A malformed, oversized,
missing or late header closes the connection without a byte of answer,
counted and logged; a plain port never takes a header for anything but
a bad request.
"""

import os
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

V2SIG = b"\r\n\r\n\x00\r\nQUIT\n"
REQ = b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n"


def v1(fam, src, dst="127.0.0.1", sport=4711, dport=80):
    return b"PROXY %s %s %s %d %d\r\n" % (fam, src.encode(), dst.encode(),
                                          sport, dport)


def v2(cmd, fam, addrs=b"", tlvs=b""):
    body = addrs + tlvs
    return V2SIG + bytes([0x20 | cmd, fam]) + struct.pack("!H", len(body)) \
        + body


def v2_inet(src, tlvs=b""):
    a = socket.inet_pton(socket.AF_INET, src) + \
        socket.inet_pton(socket.AF_INET, "127.0.0.1") + struct.pack("!HH",
                                                                    4711, 80)
    return v2(1, 0x11, a, tlvs)


def v2_inet6(src, tlvs=b""):
    a = socket.inet_pton(socket.AF_INET6, src) + \
        socket.inet_pton(socket.AF_INET6, "::1") + struct.pack("!HH", 4711, 80)
    return v2(1, 0x21, a, tlvs)


def echo_xff(c):
    """Answer each request with its X-Forwarded-For value as the body."""
    while True:
        head = c.read_head()
        m = re.search(rb"\r\nX-Forwarded-For: ([^\r]*)\r\n", head)
        body = m.group(1) if m else b"-"
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
               % (len(body), body))


def counters(aport):
    r = t.request(aport, b"GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
    out = {}
    for m in re.finditer(rb"^frontd_(proxy_\w+)_total (\d+)", r.body, re.M):
        out[m.group(1).decode()] = int(m.group(2))
    return out


def via(port, pieces, want):
    """Send pieces in order on one connection; the client must be 'want'."""
    s = t.connect(port)
    for p in pieces:
        s.sendall(p)
    r = t.Reader(s).response()
    s.close()
    t.check(r.status == 200, "status %d for %r" % (r.status, pieces))
    t.check(r.body == want.encode(), "client %r, not %s, for %r"
            % (r.body, want, b"".join(pieces)[:60]))


def refused(port, data, timeout=5.0):
    """The connection is closed without a byte of answer."""
    s = t.connect(port)
    if data:
        s.sendall(data)
    got, secs = t.recv_until_close(s, timeout)
    s.close()
    t.check(got == b"", "answered %r to %r" % (got[:60], data[:60]))
    return secs


def wait_counter(aport, name, want):
    end = time.monotonic() + 10
    while time.monotonic() < end:
        c = counters(aport)
        if c.get(name, 0) >= want:
            return c
        time.sleep(0.02)
    raise t.Fail("%s is %d, want %d" % (name, c.get(name, 0), want))


def test(ctx):
    be = ctx.backend(echo_xff)
    aport = t.free_port()
    plain = t.free_port()
    conf = ('listen = {"127.0.0.1:%d proxy_protocol", "127.0.0.1:%d"}\n'
            'admin_listen = "127.0.0.1:%d"\ntimeout_req = 400ms\n'
            'backend "b" { address = "127.0.0.1:%d" }\n'
            % (t.FPORT, plain, aport, be.port))
    fd = t.Frontd(ctx, conf, t.FPORT)
    ctx.frontds.append(fd)
    t.wait_port(aport)
    t.wait_port(plain)
    port = t.FPORT

    tlvs = b"\x01\x00\x02h2" + b"\x02\x00\x05a.com" + b"\x04\x00\x00"
    good = [
        (v1(b"TCP4", "192.0.2.1"), "192.0.2.1"),
        (v1(b"TCP6", "2001:db8::1", "::1"), "2001:db8::1"),
        (b"PROXY UNKNOWN\r\n", "127.0.0.1"),
        (v2_inet("198.51.100.7"), "198.51.100.7"),
        (v2_inet6("2001:db8::7", tlvs), "2001:db8::7"),
        (v2_inet("203.0.113.9", tlvs), "203.0.113.9"),
        (v2(0, 0x00), "127.0.0.1"),                     # LOCAL
        (v2(0, 0x11, b"\x01" * 12), "127.0.0.1"),       # LOCAL, addresses
    ]
    for hdr, want in good:
        via(port, [hdr + REQ], want)
    t.log("whole headers: ok")
    # split at every offset of header and request
    for hdr, want in (good[0], good[4], good[6]):
        data = hdr + REQ
        for k in range(1, len(data)):
            via(port, [data[:k], data[k:]], want)
    t.log("split at every offset: ok")

    # keep-alive: the address stays for every request
    s = t.connect(port)
    s.sendall(v1(b"TCP4", "192.0.2.77") + REQ)
    rd = t.Reader(s)
    for _ in range(3):
        r = rd.response()
        t.check(r.body == b"192.0.2.77", "keep-alive client %r" % r.body)
        s.sendall(REQ)
    s.close()

    base = counters(aport)
    t.check(base.get("proxy_hdr", 0) >= len(good), "proxy_hdr %r" % base)
    # malformed, missing, oversized
    nbad = base.get("proxy_bad", 0)
    for data in (b"PROXY TCP4 192.0.2.1 x 1 2\r\n" + REQ,
                 b"PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n" + REQ,
                 V2SIG + b"\x22\x11\x00\x00" + REQ,
                 v2(1, 0x11, b"\x01" * 8) + REQ,
                 REQ,                               # no header at all
                 b"\r\n" + REQ):
        refused(port, data)
        nbad += 1
    wait_counter(aport, "proxy_bad", nbad)
    refused(port, b"PROXY UNKNOWN " + b"x" * 200)
    refused(port, V2SIG + b"\x21\x11\xff\xff" + b"\x00" * 100)
    wait_counter(aport, "proxy_too_large", base.get("proxy_too_large", 0) + 2)
    # cut short by the peer
    s = t.connect(port)
    s.sendall(b"PROXY TCP4 1.2")
    s.shutdown(socket.SHUT_WR)
    got, _ = t.recv_until_close(s, 5)
    t.check(got == b"", "answered a cut header: %r" % got)
    s.close()
    wait_counter(aport, "proxy_bad", nbad + 1)
    # late: a partial header, and nothing at all, are closed at timeout_req
    secs = refused(port, b"PROXY TCP4 1.2.3.4 ")
    t.check(0.3 <= secs < 3, "partial header closed after %.2fs" % secs)
    secs = refused(port, b"")
    t.check(0.3 <= secs < 3, "silent connection closed after %.2fs" % secs)
    wait_counter(aport, "proxy_timeout", base.get("proxy_timeout", 0) + 2)
    # a connect-and-close health check is not an error
    before = counters(aport)
    socket.create_connection(("127.0.0.1", port)).close()
    via(port, [v2(0, 0) + REQ], "127.0.0.1")
    after = counters(aport)
    t.check(after.get("proxy_bad", 0) == before.get("proxy_bad", 0),
            "connect-only counted as bad")

    # a plain port never takes a header for one
    for data in (v1(b"TCP4", "192.0.2.1") + REQ, v2_inet("192.0.2.1") + REQ):
        s = t.connect(plain)
        s.sendall(data)
        got, _ = t.recv_until_close(s, 5)
        s.close()
        t.check(re.match(rb"HTTP/1.1 (400|501) ", got) is not None,
                "plain port answered %r" % got[:60])
    t.check(b"192.0.2.1, " not in be.all_data(), "a header was believed")
    via(plain, [REQ], "127.0.0.1")

    err = fd.stderr()
    for why in ("malformed or missing", "too large", "cut short",
                "not complete within timeout_req"):
        t.check("PROXY header %s" % why in err, "not logged: %s" % why)
    t.check(not be.errors(), "backend errors %r" % be.errors())


t.main(test)
