#!/usr/bin/env python3
"""r56_refusals_counted: answers given before a worker takes the request
(400, 408, 414, 431 from the idle waiter; 501 for an unknown transfer
coding) count in frontd_responses_total by class, like every other
answer.  Once, 10,500 408s left the 4xx counter at 0.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t


def classes(aport):
    r = t.request(aport, b"GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
    out = {}
    for m in re.finditer(rb'^frontd_responses_total\{class="(\dxx)"\} (\d+)',
                         r.body, re.M):
        out[m.group(1).decode()] = int(m.group(2))
    return out


def refused(port, raw, want):
    s = t.connect(port)
    s.sendall(raw)
    data, _ = t.recv_until_close(s, 10)
    t.check(data.startswith(b"HTTP/1.1 %d " % want),
            "want %d, got %r" % (want, data[:60]))


def test(ctx):
    aport = t.free_port()
    be = ctx.backend(t.simple_handler())
    fd = ctx.frontd('admin_listen = "127.0.0.1:%d"\ntimeout_req = 300ms\n'
                    'target_max = 100' % aport, be.port)
    t.wait_port(aport)
    before = classes(aport)
    refused(fd.port, b"GET / HTTP/1.1\r\nHost: a\r\nBad Field\r\n\r\n", 400)
    refused(fd.port, b"GET /%s HTTP/1.1\r\nHost: a\r\n\r\n" % (b"x" * 200),
            414)
    refused(fd.port, b"GET / HTTP/1.1\r\nHost: a\r\nX: %s\r\n\r\n"
            % (b"x" * 20000), 431)
    refused(fd.port, b"GET / HTTP/1.1\r\nHo", 408)
    refused(fd.port, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
            b"foo, chunked\r\n\r\n", 501)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        after = classes(aport)
        if after.get("4xx", 0) - before.get("4xx", 0) >= 4 and \
                after.get("5xx", 0) - before.get("5xx", 0) >= 1:
            break
        time.sleep(0.05)
    d4 = after.get("4xx", 0) - before.get("4xx", 0)
    d5 = after.get("5xx", 0) - before.get("5xx", 0)
    t.log("4xx +%d, 5xx +%d" % (d4, d5))
    t.check(d4 == 4 and d5 == 1, "4xx +%d (want 4), 5xx +%d (want 1)"
            % (d4, d5))


t.main(test)
