#!/usr/bin/env python3
"""Write the seed corpora of the fuzz harnesses (tests/fuzz/corpus/NAME/).

Heads and bodies of the kinds the integration tests send: good ones,
pipelined ones, and the malformed ones of design section 5; each head
seed once whole and once with cuts.  The configuration seeds are the
shipped files.  Run from anywhere; it rewrites the seed files it names
and leaves files the fuzzer added alone.
"""

import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

REQ = [
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /x?y=1 HTTP/1.0\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhello\r\n0\r\n\r\n",
    b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
    b"Upgrade: websocket\r\n\r\n",
    b"PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
    b"Content-Length: 3\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2"
    b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\x00\r\n\r\n",
    b"GET / HTTP/1.1\nHost: a\n\n",
    b"FOO / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"v" * 5000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 70 + b"\r\n",
    b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \x0bchunked\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
]
RESP = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0"
    b"\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n"
    b"Upgrade: websocket\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
    b"Keep-Alive: timeout=5, max=100\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"HTTP/1.1 2x0 OK\r\n\r\n",
    b"HTTP/1.1 200\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n",
]
BODY = [  # (kind byte: 0 chunked, 1 CL, 2 EOF, 3 none; CL; data)
    (0, 0, b"5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n"),
    (0, 0, b"3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n"),
    (0, 0, b"ffffffffffffffffff\r\n"),
    (0, 0, b"3\nabc\r\n0\r\n\r\n"),
    (0, 0, b"3\r\nabcd\r\n0\r\n\r\n"),
    (1, 5, b"helloGET / HTTP/1.1\r\n\r\n"),
    (1, 300, b"x" * 400),
    (2, 0, b"until the close"),
    (3, 0, b"GET / HTTP/1.1\r\n\r\n"),
]


def write(name, data):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, "seed-" + h[:16]), "wb") as f:
        f.write(data)


def heads(name, items):
    for x in items:
        write(name, b"\x00" + x)                     # whole
        write(name, b"\x03\x40\x80\xc0" + x)         # three cuts


heads("req_head", REQ)
heads("resp_head", RESP)
for kind, cl, data in BODY:
    write("body", bytes([kind, cl & 255, cl >> 8, 0]) + data)
    write("body", bytes([kind + 8, cl & 255, cl >> 8, 2, 0x55, 0xaa]) + data)
for f in ("conf/frontd.conf", "conf/frontd.conf.example"):
    with open(os.path.join(TOP, f), "rb") as fh:
        write("conf", fh.read())
write("conf", b'listen = {"127.0.0.1:8080"}\nbackend "a" {\n'
      b'\taddress = "127.0.0.1:1"\n}\nbackend "a" {\n}\n')
write("conf", b'listen = {"bad"}\ntimeout_idle = 5x\n')
write("conf", b'backend "b" { address = "[::1]:80" connect_timeout = 10ms }\n')
