#!/usr/bin/env python3
"""b54_real_clients_nginx: curl and Python's http.client through frontd to
a real nginx, every body compared byte for byte.

nginx (temp config, loopback) serves a 10 MiB random file, stores PUTs
with its dav module, and passes /echo to a small Python origin that
answers a POST with its own body.  Through frontd:

  curl       GET 10 MiB; PUT 10 MiB (with Expect: 100-continue, as curl
             sends it) then GET it back and read it from nginx's disk;
             the same PUT chunked (-H 'Transfer-Encoding: chunked');
             POST 10 MiB to /echo, plain and chunked; HTTP/1.0 GET;
             HEAD; several URLs on one connection.
  http.client  the same on one keep-alive connection, which must stay
             the same connection throughout.
"""

import http.client
import http.server
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.environ.get("TOP", "."), "tests/integ/lib"))
import fdtest as t

MIB10 = 10 << 20


class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = b""
        while len(body) < n:
            b = self.rfile.read(n - len(body))
            if not b:
                break
            body += b
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def curl(*args):
    p = subprocess.run(["curl", "-sS", "--max-time", "60"] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t.check(p.returncode == 0, "curl %s: exit %d: %s"
            % (" ".join(args), p.returncode, p.stderr.decode()[-300:]))
    return p.stdout, p.stderr


def same(what, got, want):
    t.check(got == want, "%s: got %d bytes (sha256 %s), want %d (%s)"
            % (what, len(got), t.sha(got), len(want), t.sha(want)))
    t.log("%s: %d bytes, identical" % (what, len(got)))


def test(ctx):
    echo = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    echo.daemon_threads = True
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    try:
        run(ctx, echo.server_address[1])
    finally:
        echo.shutdown()


def run(ctx, echo_port):
    ng = ctx.nginx("""
        location /dav/ {
            dav_methods PUT DELETE;
            create_full_put_path on;
            client_max_body_size 0;
        }
        location /echo {
            client_max_body_size 0;
            proxy_http_version 1.1;
            proxy_pass http://127.0.0.1:%d;
        }
    """ % echo_port)
    big = os.urandom(MIB10)
    up = os.urandom(MIB10)
    with open(os.path.join(ng.www, "big.bin"), "wb") as f:
        f.write(big)
    with open(os.path.join(ng.www, "small.txt"), "wb") as f:
        f.write(b"small\n")
    upfile = os.path.join(ctx.tmp, "up.bin")
    with open(upfile, "wb") as f:
        f.write(up)
    fd = ctx.frontd("", ng.port)
    base = "http://127.0.0.1:%d" % fd.port

    def disk(name):
        with open(os.path.join(ng.www, "dav", name), "rb") as f:
            return f.read()

    # curl
    out, _ = curl(base + "/big.bin")
    same("curl GET /big.bin", out, big)

    out, err = curl("-v", "-w", "%{http_code}", "-T", upfile,
                    base + "/dav/c1.bin")
    t.check(out in (b"201", b"204"), "curl PUT: status %r" % out)
    t.check(b"Expect: 100-continue" in err and b"< HTTP/1.1 100" in err,
            "curl PUT: no Expect: 100-continue answered with 100")
    same("curl PUT /dav/c1.bin, on nginx's disk", disk("c1.bin"), up)
    out, _ = curl(base + "/dav/c1.bin")
    same("curl GET /dav/c1.bin", out, up)

    out, err = curl("-v", "-w", "%{http_code}", "-T", upfile,
                    "-H", "Transfer-Encoding: chunked", base + "/dav/c2.bin")
    t.check(b"transfer-encoding: chunked" in err.lower(),
            "curl did not send the PUT chunked")
    t.check(out.endswith(b"201") or out.endswith(b"204"),
            "curl chunked PUT: status %r" % out[-3:])
    same("curl chunked PUT /dav/c2.bin, on nginx's disk", disk("c2.bin"), up)

    out, _ = curl("--data-binary", "@" + upfile, "-H",
                  "Content-Type: application/octet-stream", base + "/echo")
    same("curl POST /echo", out, up)

    out, _ = curl("--data-binary", "@" + upfile, "-H",
                  "Transfer-Encoding: chunked", "-H",
                  "Content-Type: application/octet-stream", base + "/echo")
    same("curl chunked POST /echo", out, up)

    out, err = curl("-0", "-v", base + "/big.bin")
    t.check(b"transfer-encoding" not in err.lower(),
            "curl HTTP/1.0: the response was chunked")
    same("curl HTTP/1.0 GET /big.bin", out, big)

    out, _ = curl("-I", base + "/big.bin")
    t.check(b"content-length: %d" % MIB10 in out.lower(),
            "curl HEAD: %r" % out[:200])

    out, err = curl("-v", base + "/small.txt", base + "/big.bin",
                    base + "/small.txt")
    same("curl three URLs on one connection", out,
         b"small\n" + big + b"small\n")
    t.check(err.count(b"Connected to") == 1,
            "curl opened %d connections for three URLs"
            % err.count(b"Connected to"))

    # http.client, one connection
    c = http.client.HTTPConnection("127.0.0.1", fd.port, timeout=60)
    c.connect()
    sock = c.sock

    def req(method, url, body=None, headers=None, chunked=False):
        c.request(method, url, body=body, headers=headers or {},
                  encode_chunked=chunked)
        r = c.getresponse()
        data = r.read()
        t.check(c.sock is sock, "http.client: %s %s needed a new "
                "connection (keep-alive lost)" % (method, url))
        return r, data

    r, data = req("GET", "/big.bin")
    t.check(r.status == 200, "GET /big.bin: %d" % r.status)
    same("http.client GET /big.bin", data, big)

    r, data = req("PUT", "/dav/p1.bin", body=up)
    t.check(r.status in (201, 204), "PUT: %d" % r.status)
    same("http.client PUT /dav/p1.bin, on nginx's disk", disk("p1.bin"), up)
    r, data = req("GET", "/dav/p1.bin")
    same("http.client GET /dav/p1.bin", data, up)

    r, data = req("POST", "/echo", body=up)
    t.check(r.status == 200, "POST /echo: %d" % r.status)
    same("http.client POST /echo", data, up)

    pieces = (up[i:i + 100000] for i in range(0, len(up), 100000))
    r, data = req("POST", "/echo", body=pieces,
                  headers={"Transfer-Encoding": "chunked"}, chunked=True)
    t.check(r.status == 200, "chunked POST /echo: %d" % r.status)
    same("http.client chunked POST /echo", data, up)

    r, data = req("HEAD", "/big.bin")
    t.check(r.status == 200 and data == b"" and
            r.getheader("Content-Length") == str(MIB10),
            "HEAD /big.bin: %d %r %r" % (r.status, r.getheader(
                "Content-Length"), data[:20]))

    for i in range(20):
        r, data = req("GET", "/small.txt?%d" % i)
        t.check(r.status == 200 and data == b"small\n",
                "GET /small.txt #%d: %d %r" % (i, r.status, data))
    r, data = req("GET", "/missing")
    t.check(r.status == 404, "GET /missing: %d" % r.status)
    r, data = req("GET", "/small.txt")
    t.check(data == b"small\n", "GET after a 404: %r" % data)
    c.close()
    t.log("http.client: 30 requests on one connection")


t.main(test)
