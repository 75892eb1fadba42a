"""Helpers for the frontd integration scripts (Python 3 standard library).

A script does:

    sys.path.insert(0, os.path.join(os.environ["TOP"], "tests/integ/lib"))
    import fdtest as t

    def test(ctx):
        be = ctx.backend(handler)          # a raw TCP backend, recorded
        fd = ctx.frontd('timeout_req = 500ms', be.port)
        s = t.connect(fd.port)
        ...
        t.check(cond, "what went wrong")

    t.main(test)

main() runs the test in a temp directory, stops everything it started,
prints "ok NAME" or "FAIL NAME: reason" (with frontd's stderr), and exits
0 or 1.  FRONTD, FPORT and TOP come from tests/run.sh.  Loopback only.
"""

import hashlib
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

FRONTD = os.environ.get("FRONTD", "build/frontd")
FPORT = int(os.environ.get("FPORT", "18400"))
TOP = os.environ.get("TOP", os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "..")))
NAME = os.path.basename(sys.argv[0])


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def log(msg):
    print("# %s" % msg, flush=True)


_given = set()


def free_port():
    """A port free to listen on now.  Below the ephemeral range (32768 and
    up on Linux and illumos), so that no client socket on the machine --
    this test's, or another run's -- is given it before frontd binds it,
    as a port the kernel picked could be; at random, so that two runs at
    once rarely try the same one."""
    while True:
        p = random.randrange(10000, 20000)
        if p in _given:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            s.close()
        _given.add(p)
        return p


def wait_port(port, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise Fail("nothing listens on 127.0.0.1:%d after %.0fs" % (port, timeout))


def wait_until(pred, timeout, what, step=0.02):
    """Poll pred() until it is true: the seconds it took.  Fail with
    'what' after 'timeout' seconds."""
    t0 = time.monotonic()
    while not pred():
        if time.monotonic() - t0 > timeout:
            raise Fail("after %.1fs: %s" % (timeout, what))
        time.sleep(step)
    return time.monotonic() - t0


def metric(aport, name, label=""):
    """The value of series frontd_NAME{LABEL} on /metrics, 0 if absent."""
    import urllib.request
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % aport,
                                  timeout=5).read().decode()
    m = re.search(r"^frontd_%s%s (\d+)$" % (
        re.escape(name), r"\{%s\}" % re.escape(label) if label else ""),
        body, re.M)
    return int(m.group(1)) if m else 0


def status(aport):
    """GET /status, parsed."""
    import json
    import urllib.request
    return json.loads(urllib.request.urlopen(
        "http://127.0.0.1:%d/status" % aport, timeout=5).read())


def connect(port, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", port), timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def sha(data):
    return hashlib.sha256(data).hexdigest()[:16]


#----------------------------------------------------------------------
# Reading from a socket with deadlines.

def recv_until_close(s, timeout):
    """Everything until EOF.  Returns (data, seconds to EOF) or raises
    Fail when the peer neither closes nor sends for 'timeout'."""
    t0 = time.monotonic()
    data = b""
    end = t0 + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise Fail("connection not closed within %.1fs (got %d bytes: %r)"
                       % (timeout, len(data), data[:80]))
        s.settimeout(left)
        try:
            b = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            b = b""
        if not b:
            return data, time.monotonic() - t0
        data += b


def wait_closed(s, timeout):
    """Seconds until the peer closes, with what came before."""
    return recv_until_close(s, timeout)


class Response:
    def __init__(self, status, reason, headers, body, raw_head):
        self.status = status
        self.reason = reason
        self.headers = headers        # list of (lower-case name, value)
        self.body = body
        self.raw_head = raw_head

    def get(self, name):
        name = name.lower()
        for n, v in self.headers:
            if n == name:
                return v
        return None

    def all(self, name):
        name = name.lower()
        return [v for n, v in self.headers if n == name]


class Reader:
    """Buffered response reader on a blocking socket."""

    def __init__(self, s, timeout=10.0):
        self.s = s
        self.buf = b""
        self.timeout = timeout

    def _more(self):
        self.s.settimeout(self.timeout)
        try:
            b = self.s.recv(65536)
        except socket.timeout:
            raise Fail("no data within %.1fs" % self.timeout)
        if not b:
            raise EOFError()
        self.buf += b

    def line(self):
        while b"\r\n" not in self.buf:
            self._more()
        ln, _, self.buf = self.buf.partition(b"\r\n")
        return ln

    def exact(self, n):
        while len(self.buf) < n:
            self._more()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def rest(self):
        try:
            while True:
                self._more()
        except EOFError:
            pass
        d, self.buf = self.buf, b""
        return d

    def response(self, head_request=False):
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        check(len(parts) >= 2 and parts[0].startswith("HTTP/"),
              "bad status line %r" % lines[0])
        status = int(parts[1])
        headers = []
        for ln in lines[1:]:
            n, _, v = ln.partition(":")
            headers.append((n.strip().lower(), v.strip()))
        r = Response(status, parts[2] if len(parts) > 2 else "", headers,
                     b"", head)
        if head_request or status < 200 or status in (204, 304):
            return r
        te = r.get("transfer-encoding")
        cl = r.get("content-length")
        if te is not None and te.lower() == "chunked":
            body = []
            while True:
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line() != b"":
                        pass
                    break
                body.append(self.exact(size))
                check(self.exact(2) == b"\r\n", "chunk without CRLF")
            r.body = b"".join(body)
        elif cl is not None:
            r.body = self.exact(int(cl))
        else:
            r.body = self.rest()
        return r


def request(port, raw, timeout=10.0):
    """Send raw bytes on a new connection, read one response."""
    s = connect(port)
    s.sendall(raw)
    r = Reader(s, timeout).response()
    s.close()
    return r


def admin(aport, method, path, body=None, token=None, timeout=40.0):
    """One request to the admin API: (status, parsed JSON or raw body)."""
    import http.client
    import json
    c = http.client.HTTPConnection("127.0.0.1", aport, timeout=timeout)
    h = {}
    if token is not None:
        h["Authorization"] = "Bearer " + token
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    b = r.read()
    c.close()
    if r.getheader("content-type", "").startswith("application/json"):
        return r.status, json.loads(b)
    return r.status, b


def be_status(aport, name):
    """The /status object of backend 'name'."""
    st, js = admin(aport, "GET", "/status")
    check(st == 200, "/status: %d" % st)
    return js["backends"][name]


def wait_for(cond, timeout, what):
    """Poll cond() until it is true; Fail naming 'what' if it never is."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise Fail("%s: not within %.1fs" % (what, timeout))


#----------------------------------------------------------------------
# A process's descriptors, for leak checks.

def _tcp_sockets():
    """socket inode -> (local port, remote port, state) of TCP sockets."""
    tcp = {}
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(f) as fh:
            for ln in fh.read().splitlines()[1:]:
                x = ln.split()
                tcp[x[9]] = (int(x[1].split(":")[1], 16),
                             int(x[2].split(":")[1], 16), x[3])
    return tcp


def fd_list(pid):
    """Each descriptor of pid, TCP sockets with their ports and state."""
    tcp = _tcp_sockets()
    out = []
    for n in sorted(os.listdir("/proc/%d/fd" % pid), key=int):
        try:
            tgt = os.readlink("/proc/%d/fd/%s" % (pid, n))
        except OSError:
            continue
        if tgt.startswith("socket:[") and tgt[8:-1] in tcp:
            tgt = "tcp:%d->%d/%s" % tcp[tgt[8:-1]]
        out.append("%s=%s" % (n, tgt))
    return out


def fd_baseline(pid):
    """The descriptors pid holds apart from TCP connections (listening
    sockets count): what it must come back to once every connection
    closed.  Take it once the daemon answered a request (started)."""
    return len([x for x in fd_list(pid)
                if not x.split("=", 1)[1].startswith("tcp:") or
                x.endswith("/0A")])


def wait_fds(pid, base, timeout):
    """Wait until pid holds base descriptors; Fail with the list if not."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if len(os.listdir("/proc/%d/fd" % pid)) == base:
            return
        time.sleep(0.05)
    fds = fd_list(pid)
    raise Fail("%d descriptors, want %d: %s" % (len(fds), base,
                                                 " ".join(fds)))


#----------------------------------------------------------------------
# A raw TCP backend: every connection is handled by handler(conn) in its
# own thread, and recorded.

class BConn:
    """One backend connection as the backend saw it."""

    def __init__(self, sock, n):
        self.sock = sock
        self.n = n
        self.data = b""             # every byte received, in order
        self.t_accept = time.monotonic()
        self.t_eof = None           # when recv() returned 0 or reset
        self.buf = b""              # not yet consumed by read_*()
        self.error = None

    def _more(self, timeout):
        self.sock.settimeout(timeout)
        try:
            b = self.sock.recv(65536)
        except socket.timeout:
            raise Fail("backend conn %d: no data within %.1fs"
                       % (self.n, timeout))
        except ConnectionResetError:
            b = b""
        if not b:
            if self.t_eof is None:
                self.t_eof = time.monotonic()
            raise EOFError()
        self.data += b
        self.buf += b

    def read_head(self, timeout=10.0):
        """One request head (bytes up to and with the blank line)."""
        while b"\r\n\r\n" not in self.buf:
            self._more(timeout)
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        return head + b"\r\n\r\n"

    def read_exact(self, n, timeout=10.0):
        while len(self.buf) < n:
            self._more(timeout)
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def read_until_eof(self, timeout=10.0):
        """Everything until EOF; Fail if the peer does not close."""
        end = time.monotonic() + timeout
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    raise Fail("backend conn %d: not closed within %.1fs"
                               % (self.n, timeout))
                try:
                    self._more(left)
                except Fail:
                    raise Fail("backend conn %d: not closed within %.1fs"
                               % (self.n, timeout))
        except EOFError:
            pass
        d, self.buf = self.buf, b""
        return d

    def send(self, data):
        self.sock.sendall(data)

    def stream(self, size, chunk=65536):
        """Send 'size' bytes as fast as the peer takes them: (bytes
        sent, None) or, when the connection fails first, (bytes sent,
        the error)."""
        data = b"z" * chunk
        sent = 0
        self.sock.setblocking(False)
        while sent < size:
            select.select([], [self.sock], [], 0.05)
            try:
                sent += self.sock.send(data[:size - sent])
            except BlockingIOError:
                continue
            except OSError as e:
                return sent, str(e)
        return sent, None


class Backend:
    def __init__(self, handler, host="127.0.0.1", port=0):
        self.handler = handler
        self.conns = []
        self.lock = threading.Lock()
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind((host, port))
        self.ls.listen(1024)
        self.port = self.ls.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                s, _ = self.ls.accept()
            except OSError:
                return
            with self.lock:
                c = BConn(s, len(self.conns))
                self.conns.append(c)
            threading.Thread(target=self._run, args=(c,), daemon=True).start()

    def _run(self, c):
        try:
            self.handler(c)
        except EOFError:
            pass
        except Exception as e:      # recorded, reported by the test
            c.error = e
        finally:
            try:
                c.sock.close()
            except OSError:
                pass

    def all_data(self):
        with self.lock:
            return b"".join(c.data for c in self.conns)

    def errors(self):
        with self.lock:
            return [(c.n, c.error) for c in self.conns if c.error]

    def stop(self):
        self.stopped = True
        try:
            # close() alone would leave a blocked accept() serving
            self.ls.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.ls.close()
        except OSError:
            pass

    def kill(self):
        """Stop listening and cut every connection: a server gone."""
        self.stop()
        with self.lock:
            for c in self.conns:
                try:
                    c.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def simple_handler(body=b"ok", extra=b""):
    """A backend handler answering every request (no request body) with
    200 and 'body', keep-alive."""
    def h(c):
        while True:
            c.read_head()
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s"
                   % (len(body), extra, body))
    return h


def id_handler(name, gate=None):
    """A backend handler that answers every request with 200 and the body
    "NAME PATH", keep-alive; a request body (Content-Length) is read and
    dropped.  With 'gate' (a threading.Event), it waits for the gate to
    open before it answers."""
    def h(c):
        while True:
            head = c.read_head()
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            for ln in lines[1:]:
                if ln.lower().startswith("content-length:"):
                    c.read_exact(int(ln.split(":", 1)[1]))
            if gate is not None:
                gate.wait(30)
            body = ("%s %s" % (name, path)).encode()
            c.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(body), body))
    return h


def get(port, path, host="example.com", extra=b""):
    """One GET on a new connection: the Response."""
    return request(port, b"GET %s HTTP/1.1\r\nHost: %s\r\n%s"
                   b"Connection: close\r\n\r\n"
                   % (path.encode(), host.encode(), extra))


def who(port, path="/", host="example.com", extra=b""):
    """The name of the backend that answered a GET (id_handler)."""
    r = get(port, path, host, extra)
    check(r.status == 200, "GET %s %s: status %d" % (host, path, r.status))
    return r.body.decode().split(" ")[0]


#----------------------------------------------------------------------
# frontd and nginx.

class Frontd:
    def __init__(self, ctx, conf, port):
        self.ctx = ctx
        self.port = port
        self.conf = os.path.join(ctx.tmp, "frontd-%d.conf" % port)
        self.errpath = os.path.join(ctx.tmp, "frontd-%d.err" % port)
        with open(self.conf, "w") as f:
            f.write(conf)
        self.err = open(self.errpath, "ab")
        self.p = subprocess.Popen([FRONTD, "-F", "-f", self.conf],
                                  stdin=subprocess.DEVNULL,
                                  stdout=self.err, stderr=self.err,
                                  preexec_fn=ctx.preexec)
        try:
            wait_port(port)
        except Fail:
            raise Fail("frontd did not start: %s" % self.stderr())

    def stderr(self):
        try:
            with open(self.errpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, timeout=25.0):
        """SIGTERM; the exit status (or None if it had to be killed)."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
                self.err.close()
                return None
        self.err.close()
        return self.p.returncode


NGINX = "/usr/sbin/nginx"


class Nginx:
    """nginx on a free loopback port, in the foreground, one process,
    everything under its own directory.  'server' is the body of its
    server block."""

    def __init__(self, ctx, server, http_extra=""):
        self.port = free_port()
        self.dir = os.path.join(ctx.tmp, "nginx-%d" % self.port)
        for d in ("", "logs", "tmp", "www"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        self.www = os.path.join(self.dir, "www")
        conf = """
daemon off;
master_process off;
worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %(d)s/tmp/body;
    proxy_temp_path %(d)s/tmp/proxy;
    fastcgi_temp_path %(d)s/tmp/fastcgi;
    uwsgi_temp_path %(d)s/tmp/uwsgi;
    scgi_temp_path %(d)s/tmp/scgi;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    %(extra)s
    server {
        listen 127.0.0.1:%(port)d;
        root %(d)s/www;
        %(server)s
    }
}
""" % {"d": self.dir, "port": self.port, "server": server,
       "extra": http_extra}
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.out = open(os.path.join(self.dir, "logs", "stderr"), "ab")
        self.p = subprocess.Popen([NGINX, "-p", self.dir, "-c", self.conf,
                                   "-e", os.path.join(self.dir, "logs",
                                                      "error.log")],
                                  stdin=subprocess.DEVNULL,
                                  stdout=self.out, stderr=self.out)
        try:
            wait_port(self.port)
        except Fail:
            raise Fail("nginx did not start: %s" % self.log())

    def log(self):
        out = ""
        for f in ("stderr", "error.log"):
            try:
                with open(os.path.join(self.dir, "logs", f), "rb") as fh:
                    out += fh.read().decode("utf-8", "replace")
            except OSError:
                pass
        return out

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGQUIT)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.out.close()


class Ctx:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="frontd-%s." % NAME)
        os.chmod(self.tmp, 0o755)
        self.frontds = []
        self.preexec = None     # run in each frontd child before exec
        self.backends = []
        self.nginxes = []

    def backend(self, handler, host="127.0.0.1", port=0):
        b = Backend(handler, host, port)
        self.backends.append(b)
        return b

    def frontd(self, conf, backend_port, port=None, backend_extra=""):
        """frontd listening on 'port' (FPORT) with one backend; 'conf' is
        added at the top level, 'backend_extra' in the backend block."""
        port = port or FPORT
        text = ('listen = {"127.0.0.1:%d"}\n%s\nbackend "b" {\n'
                '\taddress = "127.0.0.1:%d"\n%s\n}\n'
                % (port, conf, backend_port, backend_extra))
        f = Frontd(self, text, port)
        self.frontds.append(f)
        return f

    def frontd_text(self, text, port=None):
        """frontd on 'port' (FPORT) with the whole configuration 'text'
        after its listen line."""
        port = port or FPORT
        f = Frontd(self, 'listen = {"127.0.0.1:%d"}\n%s' % (port, text),
                   port)
        self.frontds.append(f)
        return f

    def nginx(self, server, http_extra=""):
        n = Nginx(self, server, http_extra)
        self.nginxes.append(n)
        return n

    def cleanup(self, keep=False):
        for f in self.frontds:
            f.stop(5)
        for n in self.nginxes:
            n.stop()
        for b in self.backends:
            b.stop()
        if not keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main(test):
    ctx = Ctx()
    t0 = time.monotonic()
    ok = False
    try:
        test(ctx)
        ok = True
    except Fail as e:
        print("FAIL %s: %s" % (NAME, e), flush=True)
    except Exception as e:
        import traceback
        traceback.print_exc()
        print("FAIL %s: %s: %s" % (NAME, type(e).__name__, e), flush=True)
    if not ok:
        for f in ctx.frontds:
            print("--- frontd stderr (port %d)" % f.port)
            print("\n".join(f.stderr().splitlines()[-30:]))
        for n in ctx.nginxes:
            print("--- nginx log")
            print("\n".join(n.log().splitlines()[-20:]))
    ctx.cleanup()
    if ok:
        print("ok %s (%.1fs)" % (NAME, time.monotonic() - t0), flush=True)
    sys.exit(0 if ok else 1)
