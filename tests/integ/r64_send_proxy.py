#!/usr/bin/env python3
"""r64_send_proxy: a backend with send_proxy = "v1" or "v2" gets a PROXY
header with the client's address before each request, on a connection
of its own: two requests of one keep-alive client make two backend
connections, each with its header, since a connection must never speak
for more than one client.  The client is the one the access log shows:
the PROXY header's on a proxy_protocol listener, the right-most untrusted
X-Forwarded-For entry from a trusted peer.
"""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

REQ = b"GET /%d HTTP/1.1\r\nHost: a\r\n\r\n"


def parse_header(data):
    """(src, sport, rest) of a PROXY v1 or v2 header at the start."""
    if data.startswith(b"PROXY "):
        line, _, rest = data.partition(b"\r\n")
        w = line.split(b" ")
        return w[2].decode(), int(w[4]), rest
    t.check(data[:12] == b"\r\n\r\n\x00\r\nQUIT\n", "no header: %r" % data[:20])
    t.check(data[12] == 0x21, "not a PROXY command: %r" % data[12])
    n = struct.unpack("!H", data[14:16])[0]
    body, rest = data[16:16 + n], data[16 + n:]
    if data[13] == 0x11:
        return socket.inet_ntop(socket.AF_INET, body[:4]), \
            struct.unpack("!H", body[8:10])[0], rest
    t.check(data[13] == 0x21, "family %r" % data[13])
    return socket.inet_ntop(socket.AF_INET6, body[:16]), \
        struct.unpack("!H", body[32:34])[0], rest


def handler(c):
    c.read_head()
    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    c.read_until_eof(10)


def conns(be, n):
    end = time.monotonic() + 10
    while time.monotonic() < end:
        with be.lock:
            done = [c for c in be.conns if c.t_eof is not None]
        if len(done) >= n:
            return done
        time.sleep(0.02)
    raise t.Fail("backend saw %d closed connections, want %d"
                 % (len(be.conns), n))


def run(ctx, version, port):
    be = ctx.backend(handler)
    pport = t.free_port()
    conf = ('listen = {"127.0.0.1:%d", "127.0.0.1:%d proxy_protocol", '
            '"[::1]:%d"}\ntrusted_proxies = {"::1"}\n'
            'backend "b" { address = "127.0.0.1:%d"  send_proxy = "%s" }\n'
            % (port, pport, port, be.port, version))
    fd = t.Frontd(ctx, conf, port)
    ctx.frontds.append(fd)
    t.wait_port(pport)
    # one keep-alive client, two requests: two connections, two headers
    s = t.connect(port)
    rd = t.Reader(s)
    for i in range(2):
        s.sendall(REQ % i)
        r = rd.response()
        t.check(r.status == 200, "status %d" % r.status)
    sport = s.getsockname()[1]
    s.close()
    # a client named by a PROXY header
    s = t.connect(pport)
    s.sendall(b"PROXY TCP4 192.0.2.5 127.0.0.1 4711 80\r\n" + REQ % 2)
    t.check(rd.__class__(s).response().status == 200, "proxy port")
    s.close()
    # a client behind a trusted peer (::1), IPv4 in X-Forwarded-For
    s = socket.create_connection(("::1", port), 10)
    s.sendall(b"GET /3 HTTP/1.1\r\nHost: a\r\n"
              b"X-Forwarded-For: 2001:db8::9\r\n\r\n")
    t.check(t.Reader(s).response().status == 200, "trusted peer")
    s.close()
    got = conns(be, 4)
    seen = []
    for c in got:
        src, p, rest = parse_header(c.data)
        t.check(rest.startswith(b"GET /"), "no request after the header")
        seen.append((rest[5:6].decode(), src, p))
    seen.sort()
    t.log("%s: %r" % (version, seen))
    t.check(seen[0] == ("0", "127.0.0.1", sport), "request 0: %r" % (seen,))
    t.check(seen[1] == ("1", "127.0.0.1", sport), "request 1: %r" % (seen,))
    t.check(seen[2] == ("2", "192.0.2.5", 4711), "request 2: %r" % (seen,))
    t.check(seen[3][:2] == ("3", "2001:db8::9"), "request 3: %r" % (seen,))
    fd.stop()


def test(ctx):
    run(ctx, "v1", t.FPORT)
    run(ctx, "v2", t.free_port())


t.main(test)
