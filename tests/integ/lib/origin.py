#!/usr/bin/env python3
"""A small HTTP/1.1 origin for the integration tests (standard library).

  origin.py PORT

GET /slow?ms=N  answers after N milliseconds (a body of 11 bytes)
GET /size?n=N   answers N bytes of 'x'
GET /xff        answers the X-Forwarded-For it got
anything else   answers "ok <method> <path>\\n"
POST/PUT        echo the request body back
Keep-alive (HTTP/1.1), threaded, loopback only.
"""

import http.server
import sys
import time
import urllib.parse


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def reply(self, body, code=200):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/slow":
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000.0)
            self.reply(b"slow done\r\n")
        elif u.path == "/size":
            self.reply(b"x" * int(q.get("n", ["0"])[0]))
        elif u.path == "/xff":
            self.reply(self.headers.get("X-Forwarded-For", "-").encode())
        else:
            self.reply(("ok %s %s\n" % (self.command, self.path)).encode())

    do_HEAD = do_GET

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.reply(self.rfile.read(n))

    do_PUT = do_POST


class S(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


if __name__ == "__main__":
    S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
