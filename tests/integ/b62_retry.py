#!/usr/bin/env python3
"""b62_retry: a connect that is refused is retried on another member of
the director, whatever the method (nothing was sent), up to retries;
once bytes went to a backend a POST is never sent again.

  retries = 1   {dead, live} in round robin: 20 GETs and 10 POSTs all
                answered by live; the access log counts the retries
  retries = 0   the requests that pick dead get 503
  sent          {cut1, cut2}: both read the request and close without a
                response: a POST gets 502 and exactly one backend saw it

dead's passive checks are off (fail_limit = 0): ejecting it would hide
the retries this test counts (b69 tests the ejection).
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def post(port, host, body=b"hello"):
    return t.request(port, b"POST /p HTTP/1.1\r\nHost: %s\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                     % (host.encode(), len(body), body))


def cut_handler(c):
    c.read_head()
    c.read_exact(5)


def test(ctx):
    live = ctx.backend(t.id_handler("live"))
    cut1 = ctx.backend(cut_handler)
    cut2 = ctx.backend(cut_handler)
    dead = t.free_port()
    conf = """
access_log = "%s/access.log"
backend "dead" { address = "127.0.0.1:%d" fail_limit = 0 }
backend "live" { address = "127.0.0.1:%d" }
backend "cut1" { address = "127.0.0.1:%d" }
backend "cut2" { address = "127.0.0.1:%d" }
director "one" { backends = {"dead", "live"} policy = "round_robin" }
director "none" { backends = {"dead", "live"} policy = "round_robin"
                  retries = 0 }
director "cut" { backends = {"cut1", "cut2"} retries = 3 }
route "one" { host = {"one.test"} to = "one" }
route "none" { host = {"none.test"} to = "none" }
route "cut" { host = {"cut.test"} to = "cut" }
""" % (ctx.tmp, dead, live.port, cut1.port, cut2.port)
    fd = ctx.frontd_text(conf)
    for i in range(20):
        t.check(t.who(fd.port, "/g%d" % i, "one.test") == "live",
                "GET %d not answered by live" % i)
    for i in range(10):
        r = post(fd.port, "one.test")
        t.check(r.status == 200 and r.body == b"live /p",
                "POST %d: %d %r" % (i, r.status, r.body))
    st = [t.get(fd.port, "/n%d" % i, "none.test").status for i in range(20)]
    t.check(st.count(503) == 10 and st.count(200) == 10,
            "retries = 0: statuses %r" % st)
    r = post(fd.port, "cut.test")
    t.check(r.status == 502, "POST cut after sending: %d" % r.status)
    fd.stop()
    seen = len(cut1.conns) + len(cut2.conns)
    t.check(seen == 1, "the POST reached backends %d times" % seen)
    log = open(os.path.join(ctx.tmp, "access.log")).read()
    retried = len(re.findall(r'host="one\.test".*backend="live" '
                             r'reused=[01] retries=1 ', log))
    # a retry's pick moves the round robin on too: 15 to 30 of the 30
    t.check(15 <= retried <= 30, "%d requests logged with retries=1, "
            "want 15 to 30:\n%s" % (retried, log))


t.main(test)
