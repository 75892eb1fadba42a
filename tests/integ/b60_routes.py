#!/usr/bin/env python3
"""b60_routes: routes by Host and path with nginx's precedence, whatever
the order of the file: an exact host, then the longest "*." wildcard,
then routes without host; within those the longest path prefix.  A
request no route takes gets 404 (cause NO_ROUTE in the access log); a
route's "to" may name a backend directly.

Six backends say who they are; the routes are written in an order that
would give other answers if the first match won.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

NAMES = ["exact", "exact_api", "wild", "wild_long", "any", "any_health"]


def test(ctx):
    be = {n: ctx.backend(t.id_handler(n)) for n in NAMES}
    conf = "access_log = \"%s/access.log\"\n" % ctx.tmp
    for n in NAMES:
        conf += 'backend "%s" { address = "127.0.0.1:%d" }\n' % (
            n, be[n].port)
    conf += """
route "health" { path = {"/health"} to = "any_health" }
route "wild" { host = {"*.example.com"} to = "wild" }
route "any" { path = {"/"} to = "any" }
route "exact_api" { host = {"example.com", "www.example.org"}
                    path = {"/api/", "/v2/api/"} to = "exact_api" }
route "wild_long" { host = {"*.b.example.com"} to = "wild_long" }
route "exact" { host = {"example.com"} path = {"/"} to = "exact" }
route "only" { host = {"only.example.net"} path = {"/x/"} to = "exact" }
"""
    fd = ctx.frontd_text(conf)
    cases = [
        ("example.com", "/", "exact"),
        ("EXAMPLE.com:8080", "/api/x", "exact_api"),
        ("example.com.", "/v2/api/y", "exact_api"),
        ("example.com", "/apix", "exact"),
        ("www.example.org", "/api/", "exact_api"),
        ("www.example.org", "/other", "any"),      # falls through
        ("a.example.com", "/api/", "wild"),
        ("x.b.example.com", "/", "wild_long"),
        ("b.example.com", "/", "wild"),
        ("example.net", "/", "any"),
        ("example.net", "/healthz", "any_health"),
        ("example.com", "/health", "exact"),       # the host comes first
        ("only.example.net", "/x/1", "exact"),
        ("only.example.net", "/y", "any"),
    ]
    for host, path, want in cases:
        got = t.who(fd.port, path, host)
        t.check(got == want, "%s %s went to %s, want %s"
                % (host, path, got, want))
    # HTTP/1.0 without Host: only routes without host
    r = t.request(fd.port, b"GET /health HTTP/1.0\r\n\r\n")
    t.check(r.status == 200 and r.body.startswith(b"any_health "),
            "HTTP/1.0 without Host: %d %r" % (r.status, r.body))
    fd.stop()

    # Without a route for every request: 404 with cause NO_ROUTE
    conf2 = ("access_log = \"%s/access2.log\"\n"
             'backend "a" { address = "127.0.0.1:%d" }\n'
             'backend "b" { address = "127.0.0.1:%d" }\n'
             'route "a" { host = {"a.example"} to = "a" }\n'
             'route "b" { path = {"/b/"} to = "b" }\n'
             % (ctx.tmp, be["exact"].port, be["wild"].port))
    fd = ctx.frontd_text(conf2, t.FPORT)
    t.check(t.who(fd.port, "/", "a.example") == "exact", "route a")
    t.check(t.who(fd.port, "/b/1", "z.example") == "wild", "route b")
    r = t.get(fd.port, "/c/", "z.example")
    t.check(r.status == 404, "no route: status %d, want 404" % r.status)
    fd.stop()
    log = open(os.path.join(ctx.tmp, "access2.log")).read()
    t.check('"GET /c/ HTTP/1.1" 404' in log and 'cause="NO_ROUTE"' in log,
            "no 404 NO_ROUTE line in the access log:\n" + log)
    t.check('route="b" director="b" backend="b" ' in log and
            'route=- director=- backend=- ' in log,
            "route, director and backend not in the access log:\n" + log)


t.main(test)
