#!/usr/bin/env python3
"""r54: at max_connections the oldest idle keep-alive sessions make room.

design.md section 4: idle sessions are cheap, so under descriptor
pressure the oldest idle ones are closed first instead of refusing new
clients.  With max_connections = 20: 20 clients each make one request and
stay idle, the first ones longest; a 21st client is served (200, not
503), and the idle sessions that were closed to make room are among the
oldest, closed without a response (a clean EOF).
"""

import os
import select
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ"))
FRONTD = os.environ["FRONTD"]
FPORT = int(os.environ.get("FPORT", "18400"))
OPORT = FPORT + 500
APORT = FPORT + 501
TOP = os.environ.get("TOP", ".")
N = 20


def fail(msg):
    print("FAIL r54:", msg)
    sys.exit(1)


def get(s, path):
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            return None
        buf += d
    head, _, body = buf.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    while len(body) < n:
        body += s.recv(65536)
    return int(head.split()[1])


def gauge(name):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % APORT,
                                timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("frontd_" + name + " "):
                return float(line.split()[1])
    return None


def wait_gauge(name, ok, timeout=10):
    """Poll /metrics until the gauge satisfies ok, at most timeout s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = gauge(name)
        if v is not None and ok(v):
            return True
        time.sleep(0.02)
    return False


def main():
    tmp = tempfile.mkdtemp()
    origin = subprocess.Popen([sys.executable,
                               os.path.join(TOP, "tests/integ/lib/origin.py"),
                               str(OPORT)])
    conf = os.path.join(tmp, "f.conf")
    with open(conf, "w") as f:
        f.write('listen = {"127.0.0.1:%d"}\nmax_connections = %d\n'
                'admin_listen = "127.0.0.1:%d"\n'
                'backend "o" {\n\taddress = "127.0.0.1:%d"\n}\n'
                % (FPORT, N, APORT, OPORT))
    subprocess.run([os.path.join(TOP, "tests/integ/waitport"), str(OPORT)],
                   check=True)
    fd = subprocess.Popen([FRONTD, "-F", "-f", conf])
    try:
        for port in (FPORT, APORT):
            subprocess.run([os.path.join(TOP, "tests/integ/waitport"),
                            str(port)], check=True)
        idle = []
        for i in range(N):
            s = socket.create_connection(("127.0.0.1", FPORT), 5)
            if get(s, "/idle%d" % i) != 200:
                fail("idle client %d not served" % i)
            idle.append(s)
            time.sleep(0.02)	# idle since distinct times: the spacing
        if not wait_gauge("sessions_idle", lambda v: v == N):
            fail("the %d sessions never all went idle" % N)
        s = socket.create_connection(("127.0.0.1", FPORT), 5)
        st = get(s, "/new")
        if st != 200:
            fail("the new client got %s, not 200" % st)
        # 21 clients for 20 places: frontd closes some idle ones
        left = []
        if not wait_gauge("sessions_open", lambda v: left.append(v) or
                          v <= N):
            fail("no idle session was closed to make room (open: %s)"
                 % left[-1:])
        want = N + 1 - left[-1]
        deadline = time.monotonic() + 10
        while True:
            r, _, _ = select.select(idle, [], [], 0.05)
            if len(r) >= want or time.monotonic() > deadline:
                break
        closed = []
        for i, c in enumerate(idle):
            c.setblocking(False)
            try:
                d = c.recv(100)
                if d:
                    fail("idle client %d got bytes: %r" % (i, d))
                closed.append(i)
            except BlockingIOError:
                pass
            except ConnectionResetError:
                closed.append(i)
        if not closed:
            fail("no idle session was closed to make room")
        if closed[0] != 0 or closed != list(range(len(closed))):
            fail("closed %s, not the oldest first" % closed)
        print("ok: new client served, oldest idle closed: %s" % closed)
    finally:
        fd.terminate()
        fd.wait(10)
        origin.terminate()
        origin.wait(10)


if __name__ == "__main__":
    main()
