#!/usr/bin/env python3
"""r61_trusted_proxies: X-Forwarded-For from a trusted peer is appended
to and its X-Forwarded-Proto kept; from any other peer both are
replaced.  The client in the access log is the right-most address of the
chain that is not trusted: one trusted hop, several, spoofed entries on
the left, garbage, several field lines, IPv6, and a peer named by a
PROXY header (trusted or not).
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def echo(c):
    """Answer with 'X-Forwarded-For|X-Forwarded-Proto' as they came."""
    while True:
        head = c.read_head()
        xff = re.findall(rb"\r\nX-Forwarded-For: ([^\r]*)", head)
        xfp = re.findall(rb"\r\nX-Forwarded-Proto: ([^\r]*)", head)
        body = b"%s|%s" % (b";".join(xff), b";".join(xfp))
        c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
               % (len(body), body))


def ask(port, fields, prefix=b"", host="127.0.0.1", path=b"/"):
    import socket
    s = socket.create_connection((host, port), 10)
    s.sendall(prefix + b"GET %s HTTP/1.1\r\nHost: a\r\n%s\r\n"
              % (path, b"".join(b"%s\r\n" % f for f in fields)))
    r = t.Reader(s).response()
    s.close()
    t.check(r.status == 200, "status %d" % r.status)
    return r.body.decode()


def test(ctx):
    be = ctx.backend(echo)
    pport = t.free_port()
    alog = os.path.join(ctx.tmp, "access.log")
    conf = ('listen = {"127.0.0.1:%d", "[::1]:%d", "127.0.0.1:%d '
            'proxy_protocol"}\n'
            'trusted_proxies = {"127.0.0.0/8", "::1/128", "10.0.0.0/8"}\n'
            'access_log = "%s"\n'
            'backend "b" { address = "127.0.0.1:%d" }\n'
            % (t.FPORT, t.FPORT, pport, alog, be.port))
    fd = t.Frontd(ctx, conf, t.FPORT)
    ctx.frontds.append(fd)
    t.wait_port(pport)
    port = t.FPORT
    cases = [
        # (path, fields, prefix, host, backend sees, log client)
        (b"/none", [], b"", "127.0.0.1", "127.0.0.1|http", "127.0.0.1"),
        (b"/one", [b"X-Forwarded-For: 203.0.113.5"], b"", "127.0.0.1",
         "203.0.113.5, 127.0.0.1|http", "203.0.113.5"),
        (b"/hops", [b"X-Forwarded-For: 203.0.113.5, 10.1.1.1, 10.2.2.2"],
         b"", "127.0.0.1", "203.0.113.5, 10.1.1.1, 10.2.2.2, 127.0.0.1|http",
         "203.0.113.5"),
        (b"/spoof", [b"X-Forwarded-For: 6.6.6.6, 1.1.1.1, 198.51.100.3, "
                     b"127.0.0.9"], b"", "127.0.0.1",
         "6.6.6.6, 1.1.1.1, 198.51.100.3, 127.0.0.9, 127.0.0.1|http",
         "198.51.100.3"),
        (b"/garbage", [b"X-Forwarded-For: 198.51.100.3, unknown, 10.9.9.9"],
         b"", "127.0.0.1", "198.51.100.3, unknown, 10.9.9.9, 127.0.0.1|http",
         "10.9.9.9"),
        (b"/lines", [b"X-Forwarded-For: 6.6.6.6, 198.51.100.4",
                     b"X-Forwarded-Proto: https",
                     b"X-Forwarded-For: 10.3.3.3"], b"", "127.0.0.1",
         "6.6.6.6, 198.51.100.4, 10.3.3.3, 127.0.0.1|https", "198.51.100.4"),
        (b"/v6", [b"X-Forwarded-For: 2001:db8::5, ::1"], b"", "::1",
         "2001:db8::5, ::1, ::1|http", "2001:db8::5"),
        # a PROXY header names an untrusted client: everything replaced
        (b"/pp-untrusted", [b"X-Forwarded-For: 6.6.6.6",
                            b"X-Forwarded-Proto: https"],
         b"PROXY TCP4 192.0.2.1 127.0.0.1 1 2\r\n", "127.0.0.1",
         "192.0.2.1|http", "192.0.2.1"),
        # ... or a trusted hop (a proxy behind the balancer): appended
        (b"/pp-trusted", [b"X-Forwarded-For: 203.0.113.8"],
         b"PROXY TCP4 10.0.0.7 127.0.0.1 1 2\r\n", "127.0.0.1",
         "203.0.113.8, 10.0.0.7|http", "203.0.113.8"),
    ]
    for path, fields, prefix, host, want, _ in cases:
        got = ask(pport if prefix else port, fields, prefix, host, path)
        t.check(got == want, "%s: backend got %r, want %r" % (path, got, want))
    # the client each request is logged with
    want = {c[0].decode(): c[5] for c in cases}
    end = time.monotonic() + 10
    seen = {}
    while time.monotonic() < end and len(seen) < len(want):
        try:
            with open(alog) as f:
                for ln in f:
                    m = re.match(r'(\S+) .*"GET (\S+) ', ln)
                    if m:
                        seen[m.group(2)] = m.group(1)
        except OSError:
            pass
        time.sleep(0.02)
    for path, client in want.items():
        t.check(seen.get(path) == client, "%s logged as %r, want %s"
                % (path, seen.get(path), client))


t.main(test)
