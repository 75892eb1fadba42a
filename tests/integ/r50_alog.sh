#!/bin/sh
# r50_alog: the access log.  Combined format: one line per request with
# the request line, status, bytes, referer and user agent ("-" when
# absent, quotes and bytes over 0x7e escaped), then host, the timings,
# route, director, backend, reused, retries and cause as key=value
# fields.  A request
# refused with 400 gets its line too.  USR1 after the file was moved
# sends new lines to a new file at the same path.  Then the same requests
# with access_log_format = "json": one valid JSON object per line, null
# for what is absent, invalid UTF-8 as \u00XX.
. "$TOP/tests/integ/lib/common.sh"

# stop_frontd: TERM, a clean exit, and no sanitizer report on stderr
stop_frontd() {
	kill $fpid
	wait $fpid
	rc=$?
	[ $rc -eq 0 ] || fail "frontd exited $rc after TERM"
	if grep -q "Sanitizer" "$tmp/frontd.err"; then
		cat "$tmp/frontd.err"
		fail "sanitizer report"
	fi
}

OPORT=$((FPORT + 700))
LOG=$tmp/access.log
start_origin $OPORT

# conf FORMAT: the configuration, with access_log_format unless empty
conf() {
	fmt=""
	[ -n "$1" ] && fmt="access_log_format = \"$1\""
	cat > "$tmp/f.conf" <<CONF
listen = {"127.0.0.1:$FPORT"}
access_log = "$LOG"
$fmt
backend "o1" {
	address = "127.0.0.1:$OPORT"
}
CONF
}

# lines N FILE: wait up to 3 s for FILE to hold N lines
lines() {
	i=0
	while [ $i -lt 30 ]; do
		[ -f "$2" ] && [ "$(wc -l < "$2")" -ge "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "$2: want $1 lines, have $(wc -l < "$2" 2>/dev/null)"
}

# requests: the same five requests in each format
requests() {
	u="http://127.0.0.1:$FPORT"
	curl -sf -o /dev/null -A "ua/1.0" -e "http://ref.example/p" \
	    -H "Host: example.com" "$u/a?x=1" || fail "request 1"
	curl -sf -o /dev/null -H "User-Agent:" "$u/size?n=1000" ||
	    fail "request 2"
	curl -sf -o /dev/null -0 -A 'q"uo\te' "$u/ten" || fail "request 3"
	python3 - "$FPORT" <<'PY' || fail "requests 4 and 5 (raw)"
import socket, sys

def send(req):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
    s.sendall(req)
    got = b""
    while True:
        b = s.recv(4096)
        if not b:
            return got
        got += b

send(b"GET /raw HTTP/1.1\r\nHost: h\r\nUser-Agent: caf\xc3\xa9 \xff\r\n"
     b"Connection: close\r\n\r\n")
# two Host fields: 400 from frontd, nothing to the backend
r = send(b"GET /bad HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
if not r.startswith(b"HTTP/1.1 400 "):
    sys.exit("two Host fields: %r, want 400" % r[:40])
PY
}

#--------------------------------------------------------------------
# Combined format.

conf ""
start_frontd "$tmp/f.conf"
waitport $FPORT || fail "frontd did not start"
requests
lines 5 "$LOG"
python3 - "$LOG" "$FPORT" <<'PY' || fail "combined lines"
import re, sys
lines = open(sys.argv[1], "rb").read().decode("ascii").splitlines()
hp = '"127.0.0.1:%s"' % sys.argv[2]
num = r'(?:-|\d+\.\d{6})'
rx = re.compile(
    r'^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\]'
    r' "(?P<req>(?:[^"\\]|\\.)*)" (?P<st>\d{3}|-) (?P<bytes>\d+)'
    r' "(?P<ref>(?:[^"\\]|\\.)*)" "(?P<ua>(?:[^"\\]|\\.)*)"'
    r' host=(?P<host>-|"[^"]*") t_head=%s t_queue=%s t_connect=%s'
    r' t_firstbyte=%s t_total=(?P<total>%s) route=-'
    r' director=(?P<dir>-|"[^"]*") backend=(?P<be>-|"[^"]*")'
    r' reused=[01] retries=\d+ cause=(?P<cause>-|"[^"]*")$'
    % (num, num, num, num, num))
# request line -> status, referer, ua, host, backend, least bytes
want = {
    'GET /a?x=1 HTTP/1.1': ('200', 'http://ref.example/p', 'ua/1.0',
                            '"example.com"', '"o1"', 100),
    'GET /size?n=1000 HTTP/1.1': ('200', '-', '-', hp, '"o1"', 1000),
    'GET /ten HTTP/1.0': ('200', '-', r'q\"uo\\te', hp, '"o1"', 100),
    'GET /raw HTTP/1.1': ('200', '-', r'caf\xc3\xa9 \xff', '"h"', '"o1"',
                          100),
    'GET /bad HTTP/1.1': ('400', '-', None, None, '-', 1),
}
bad = 0
seen = set()
for l in lines:
    m = rx.match(l)
    if not m:
        print("no match:", l); bad += 1; continue
    w = want.get(m['req'])
    if w is None or m['req'] in seen:
        print("unexpected:", l); bad += 1; continue
    seen.add(m['req'])
    got = (m['st'], m['ref'], m['ua'], m['host'], m['be'])
    # one backend, no route: its own director, no route name
    if m['dir'] != (m['be'] if m['st'] != '400' else '-'):
        print("director %s for backend %s: %s" % (m['dir'], m['be'], l))
        bad += 1
    for g, x, n in zip(got, w, ("status", "referer", "ua", "host",
                                "backend")):
        if x is not None and g != x:
            print("%s: got %r want %r in %s" % (n, g, x, l)); bad += 1
    if int(m['bytes']) < w[5]:
        print("bytes below %d: %s" % (w[5], l)); bad += 1
    if w[0] == '200' and m['total'] == '-':
        print("no t_total:", l); bad += 1
for r in set(want) - seen:
    print("no line for", r); bad += 1
sys.exit(1 if bad else 0)
PY
echo "ok: combined format"

#--------------------------------------------------------------------
# USR1: move the file away, reopen, the next line goes to a new file.

mv "$LOG" "$LOG.1"
kill -USR1 $fpid || fail "frontd is gone"
wait_for 10 test -e "$LOG" || fail "USR1 did not reopen the access log"
curl -sf -o /dev/null "http://127.0.0.1:$FPORT/after" ||
    fail "request after USR1"
lines 1 "$LOG"
grep -q '"GET /after HTTP/1.1" 200' "$LOG" || fail "new file: no /after line"
[ "$(wc -l < "$LOG")" -eq 1 ] || fail "new file: want 1 line"
[ "$(wc -l < "$LOG.1")" -eq 5 ] || fail "old file: want 5 lines"
echo "ok: USR1 reopens"
stop_frontd
rm -f "$LOG" "$LOG.1"

#--------------------------------------------------------------------
# JSON lines, if the configuration knows access_log_format.

conf json
if ! "$FRONTD" -t -f "$tmp/f.conf" >/dev/null 2>&1; then
	echo "skip: json (the configuration has no access_log_format)"
	exit 0
fi
start_frontd "$tmp/f.conf"
waitport $FPORT || fail "frontd did not start (json)"
requests
lines 5 "$LOG"
python3 - "$LOG" "$FPORT" <<'PY' || fail "json lines"
import json, sys
raw = open(sys.argv[1], "rb").read()
hp = "127.0.0.1:%s" % sys.argv[2]
keys = {"time", "peer", "method", "target", "proto", "host", "status",
        "bytes", "referer", "ua", "t_head", "t_queue", "t_connect",
        "t_firstbyte", "t_total", "route", "director", "backend", "reused",
        "retries", "cause"}
# target -> proto, status, referer, ua, host, backend
want = {
    "/a?x=1": ("HTTP/1.1", 200, "http://ref.example/p", "ua/1.0",
               "example.com", "o1"),
    "/size?n=1000": ("HTTP/1.1", 200, None, None, hp, "o1"),
    "/ten": ("HTTP/1.0", 200, None, 'q"uo\\te', hp, "o1"),
    "/raw": ("HTTP/1.1", 200, None, "caf\u00e9 \u00ff", "h", "o1"),
    "/bad": ("HTTP/1.1", 400, None, None, None, None),
}
names = ("proto", "status", "referer", "ua", "host", "backend")
bad = 0
seen = set()
for l in raw.splitlines():
    try:
        o = json.loads(l.decode("utf-8"))
    except Exception as e:
        print("not JSON:", l, e); bad += 1; continue
    w = want.get(o.get("target"))
    if w is None or o["target"] in seen:
        print("unexpected:", o); bad += 1; continue
    seen.add(o["target"])
    if set(o) != keys:
        print("keys differ:", sorted(set(o) ^ keys)); bad += 1
    for i, n in enumerate(names):
        if w[1] == 400 and n in ("ua", "host"):
            continue
        if o.get(n) != w[i]:
            print("%s: got %r want %r" % (n, o.get(n), w[i])); bad += 1
    if o.get("method") != "GET" or o.get("peer") != "127.0.0.1":
        print("method/peer:", o); bad += 1
    if w[1] == 200 and not isinstance(o.get("t_total"), float):
        print("t_total:", o); bad += 1
    if not isinstance(o.get("bytes"), int) or \
            not isinstance(o.get("reused"), bool) or \
            not o.get("time", "").endswith("Z"):
        print("types:", o); bad += 1
for t in set(want) - seen:
    print("no line for", t); bad += 1
if b"\\u00ff" not in raw or "caf\u00e9".encode() not in raw:
    print("invalid UTF-8 not as \\u00ff, or valid UTF-8 not kept"); bad += 1
sys.exit(1 if bad else 0)
PY
echo "ok: json lines"
stop_frontd
