#!/usr/bin/env python3
"""r14_hostile_fuzz: hostile clients against origins that answer early,
late, never, or badly.  Random (seeded) requests: body sizes from none
to 1 MiB, Content-Length or chunked with random chunk sizes, sent whole,
split at random offsets, with pauses, stopped half-way, half-closed or
reset; Expect: 100-continue, pipelined followers, keep-alive or close.
The origin picks, per request, to answer before reading the body (then
read it, or say close and drain), after reading it, never (frontd's
first_byte_timeout), with a response cut short, or with garbage.

What must hold: frontd never dies; every answer a client gets is a well
formed HTTP/1.1 response with a status the case allows; no client waits
longer than the timeouts allow; at the end frontd holds as many
descriptors as at the start.

FUZZ_SECONDS (default 8) sets how long it runs; FUZZ_SEED repeats a run.
"""

import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

SECONDS = float(os.environ.get("FUZZ_SECONDS", "8"))
SEED = int(os.environ.get("FUZZ_SEED", str(int(time.time() * 1000) % 100000)))
CLIENTS = 8
ORIGIN_MODES = [b"early", b"earlyclose", b"late", b"never", b"cut",
                b"garbage"]
SIZES = [0, 0, 1, 10, 1000, 16384, 65536, 100 << 10, 300 << 10, 1 << 20]
# the statuses a request may get, by origin mode
ALLOWED = {
    b"early": {401, 408, 413},
    b"earlyclose": {401, 408, 413},
    b"late": {200, 408, 413},
    b"never": {408, 413, 504},
    b"cut": {200, 408, 413},
    b"garbage": {408, 413, 502},
}


def origin(c):
    while True:
        head = c.read_head(30)
        path = head.split(b" ")[1]
        mode = path.split(b"/")[1]
        if mode in (b"early", b"earlyclose"):
            close = mode == b"earlyclose"
            c.send(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n%s"
                   b"\r\nnope" % (b"Connection: close\r\n" if close else b""))
            if close:
                c.sock.shutdown(socket.SHUT_WR)
                c.read_until_eof(60)
                return
            read_body(c, head, False)
        elif mode == b"late":
            n = read_body(c, head)
            body = b"got %d" % n
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(body), body))
        elif mode == b"never":
            c.read_until_eof(60)
            return
        elif mode == b"cut":
            read_body(c, head)
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshort")
            return
        else:
            read_body(c, head)
            c.send(b"HTTP/1.1 2x0 \x01\r\n\r\n")
            return


def read_body(c, head, cont=True):
    """Read a request body, first saying 100 Continue if it is expected
    (and no final answer went out yet)."""
    low = head.lower()
    if cont and b"expect: 100-continue" in low:
        c.send(b"HTTP/1.1 100 Continue\r\n\r\n")
    if b"transfer-encoding: chunked" in low:
        n = 0
        while True:
            ln = b""
            while not ln.endswith(b"\r\n"):
                ln += c.read_exact(1, 30)
            size = int(ln.split(b";")[0], 16)
            c.read_exact(size + 2, 30)
            if size == 0:
                return n
            n += size
    for ln in head.split(b"\r\n"):
        k, _, v = ln.partition(b":")
        if k.strip().lower() == b"content-length":
            c.read_exact(int(v), 30)
            return int(v)
    return 0


def make_request(rnd):
    mode = rnd.choice(ORIGIN_MODES)
    size = rnd.choice(SIZES)
    chunked = size > 0 and rnd.random() < 0.4
    payload = bytes([rnd.randrange(97, 123)]) * size
    if chunked:
        parts, i = [], 0
        while i < size:
            n = rnd.choice([1, 7, 100, 4096, 65536])
            part = payload[i:i + n]
            parts.append(b"%x\r\n%s\r\n" % (len(part), part))
            i += n
        body = b"".join(parts) + b"0\r\n\r\n"
        framing = b"Transfer-Encoding: chunked\r\n"
    else:
        body = payload
        framing = b"Content-Length: %d\r\n" % size if size or \
            rnd.random() < 0.5 else b""
    extra = b""
    if size and rnd.random() < 0.15:
        extra += b"Expect: 100-continue\r\n"
    close = rnd.random() < 0.2
    if close:
        extra += b"Connection: close\r\n"
    head = (b"POST /%s/x HTTP/1.1\r\nHost: fuzz\r\n%s%s\r\n"
            % (mode, framing, extra))
    return mode, head, body, close


def send_pattern(rnd, s, data, note):
    """Send data whole, in random pieces with pauses, or only part of
    it (then half-close or not).  True if all of it was sent."""
    how = rnd.random()
    if how < 0.4:
        note.append("whole")
        s.sendall(data)
        return True
    # at least a byte: a connection that sent nothing is idle, and
    # rightly gets no answer until timeout_idle
    cut = len(data) if how < 0.85 else rnd.randrange(1, len(data) + 1)
    note.append("pieces to %d of %d" % (cut, len(data)))
    i = 0
    while i < cut:
        n = min(cut - i, rnd.choice([1, 3, 50, 1000, 20000, 200000]))
        s.sendall(data[i:i + n])
        i += n
        if rnd.random() < 0.05:
            time.sleep(rnd.choice([0.01, 0.05, 0.2]))
    if cut < len(data) and rnd.random() < 0.5:
        note.append("half-closed")
        s.shutdown(socket.SHUT_WR)
    return cut == len(data)


def one_conn(rnd, port, errs, stats):
    s = t.connect(port, 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 b"\x01\x00\x00\x00\x00\x00\x00\x00"
                 if rnd.random() < 0.05 else b"\x00" * 8)
    rd = t.Reader(s, 12)
    note = []
    try:
        for _ in range(rnd.randrange(1, 4)):
            mode, head, body, close = make_request(rnd)
            done = [False]
            note.append("%r + %d body bytes" % (head, len(body)))

            def sender():
                try:
                    done[0] = send_pattern(rnd, s, head + body, note)
                except OSError as e:
                    note.append("send: %s" % e)
            th = threading.Thread(target=sender, daemon=True)
            th.start()
            try:
                r = rd.response()
            except (EOFError, ConnectionResetError):
                stats["closed"] += 1
                return
            while r.status == 100:
                r = rd.response()
            th.join(40)
            if th.is_alive():
                errs.append("a sender hung (%s)" % mode)
                return
            stats[r.status] = stats.get(r.status, 0) + 1
            # 504: the origin, a thread of this process, can be slower
            # than first_byte_timeout (1 s) on a loaded machine
            if r.status not in ALLOWED[mode] and \
                    r.status not in (400, 503, 504):
                errs.append("%s: unexpected %d %r" % (mode, r.status,
                                                       r.raw_head[:80]))
                return
            if not done[0] or close or \
                    (r.get("connection") or "").lower() == "close":
                return
    except t.Fail as e:
        errs.append("seed %d: %s; requests on the connection: %s"
                    % (SEED, e, " / ".join(note)))
    except (OSError, EOFError):
        stats["closed"] += 1
    finally:
        s.close()


def client(k, port, end, errs, stats):
    rnd = random.Random(SEED * 10 + k)
    while time.monotonic() < end and not errs:
        one_conn(rnd, port, errs, stats)


def test(ctx):
    t.log("seed %d, %.0fs" % (SEED, SECONDS))
    be = ctx.backend(origin)
    fd = ctx.frontd("timeout_client = 2s\ntimeout_req = 2s", be.port,
                    backend_extra="first_byte_timeout = 1s\n"
                    "between_bytes_timeout = 1s\nidle_timeout = 1s")
    r = t.request(fd.port, b"POST /late/x HTTP/1.1\r\nHost: a\r\n"
                  b"Content-Length: 2\r\n\r\nhi")
    t.check(r.status == 200, "first request: %d" % r.status)
    base = t.fd_baseline(fd.p.pid)
    errs = []
    stats = {"closed": 0}
    end = time.monotonic() + SECONDS
    th = [threading.Thread(target=client, args=(k, fd.port, end, errs, stats))
          for k in range(CLIENTS)]
    for x in th:
        x.start()
    for x in th:
        x.join(SECONDS + 120)
    t.log("answers by status: %r" % sorted(stats.items(), key=str))
    t.check(not errs, "seed %d: %s" % (SEED, errs[:3]))
    t.check(not any(x.is_alive() for x in th), "a client hung")
    t.check(fd.p.poll() is None, "frontd died (seed %d)" % SEED)
    r = t.request(fd.port, b"POST /late/x HTTP/1.1\r\nHost: a\r\n"
                  b"Content-Length: 2\r\n\r\nhi")
    t.check(r.status == 200 and r.body == b"got 2", "after: %d" % r.status)
    t.wait_fds(fd.p.pid, base, 60)


t.main(test)
