#!/bin/sh
# r51_admin: the admin listener.  /metrics is well-formed Prometheus text
# (HELP and TYPE before each family, _total counters, labels only from
# the fixed sets), /status is one JSON object with the same numbers;
# 404 elsewhere, 405 for POST, HEAD without a body, Content-Length and
# Connection: close always.  The numbers move with traffic: N requests
# add exactly N to requests and to 2xx; a dead backend adds a 5xx and a
# failed backend connection; a good and a bad reload count as ok and
# failed, with the time of the last one.
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
APORT=$((FPORT + 1000))
start_origin $OPORT
opid=${pids# }
cat > "$tmp/f.conf" <<CONF
listen = {"127.0.0.1:$FPORT"}
admin_listen = "127.0.0.1:$APORT"
backend "o1" {
	address = "127.0.0.1:$OPORT"
}
CONF
cp "$tmp/f.conf" "$tmp/good.conf"
start_frontd "$tmp/f.conf"
waitport $FPORT || fail "frontd did not start"
waitport $APORT || fail "the admin listener did not start"

cat > "$tmp/adm.py" <<'PY'
"""adm.py APORT format | snap FILE | check FILE EXPR...

check: wait up to 10 s until every EXPR holds.  In EXPR, m(name, label=v)
and s("a.b") read the current /metrics and /status, om() and os() the
snapshot in FILE, d() and ds() the differences (cls= stands for the
class label)."""
import http.client, json, re, sys, time

port = int(sys.argv[1])

def get(path, method="GET", body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request(method, path, body=body)
    r = c.getresponse()
    return r, r.read()

SAMPLE = re.compile(r'^(frontd_[a-z0-9_]+)'
                    r'(?:\{([a-z]+)="((?:[^"\\\n]|\\[\\"n])*)"\})?'
                    r' (-?[0-9]+(?:\.[0-9]+)?)$')
LABELS = {"backend", "director", "reason", "class", "kind"}

def metrics():
    r, b = get("/metrics")
    assert r.status == 200, r.status
    out, fam, typ = {}, None, {}
    for l in b.decode().splitlines():
        if l.startswith("# HELP "):
            fam = l.split()[2]
            continue
        if l.startswith("# TYPE "):
            n, t = l.split()[2:4]
            assert n == fam and t in ("counter", "gauge"), l
            assert (t == "counter") == n.endswith("_total"), l
            typ[n] = t
            continue
        m = SAMPLE.match(l)
        assert m, "bad sample line: %r" % l
        assert m.group(1) == fam and fam in typ, "no HELP/TYPE: %r" % l
        assert m.group(2) is None or m.group(2) in LABELS, l
        key = (m.group(1), m.group(2), m.group(3))
        assert key not in out, "duplicate: %r" % l
        out[key] = float(m.group(4))
    return out

def status():
    r, b = get("/status")
    assert r.status == 200 and r.getheader("Content-Type") == \
        "application/json", r.status
    return json.loads(b)

def fmt():
    mt = metrics()
    st = status()
    for k in ("started", "uptime", "counters", "closed", "sessions",
              "queue", "workers", "waiter", "reloads", "backends",
              "directors"):
        assert k in st, "status: no %s" % k
    assert st["uptime"] > 0 and "o1" in st["backends"], st
    for n in ("frontd_requests_total", "frontd_connections_accepted_total",
              "frontd_sessions_open", "frontd_queue_length",
              "frontd_workers", "frontd_workers_busy", "frontd_workers_idle",
              "frontd_uptime_seconds", "frontd_reloads_ok_total",
              "frontd_reloads_failed_total", "frontd_sessions_idle"):
        assert (n, None, None) in mt, "metrics: no %s" % n
    for c in ("1xx", "2xx", "3xx", "4xx", "5xx"):
        assert ("frontd_responses_total", "class", c) in mt, c
    assert ("frontd_backend_connections_failed_total", "backend", "o1") in mt
    for n in ("requests_total", "in_flight", "queued",
              "queue_timeouts_total", "member_retries_total"):
        assert ("frontd_backend_" + n, "backend", "o1") in mt, n
        assert ("frontd_director_" + n, "director", "o1") in mt, n
    assert "requests_total" not in st["directors"]["o1"] and \
        "req" in st["directors"]["o1"] and "req" in st["backends"]["o1"]
    assert ("frontd_connections_closed_total", "reason", "rem_close") in mt
    assert ("frontd_waiter_events_total", "kind", "action") in mt
    assert mt[("frontd_waiter_events_total", "kind", "action")] > 0
    assert mt[("frontd_workers", None, None)] == st["workers"]["total"]
    for path, method, code in (("/nope", "GET", 404), ("/metrics", "POST", 405),
                               ("/status", "PUT", 405)):
        r, b = get(path, method, body=b"x" if method != "GET" else None)
        assert r.status == code, (path, method, r.status)
        assert r.getheader("Connection") == "close", path
        assert r.getheader("Content-Length") == str(len(b)), path
    r, b = get("/metrics", "HEAD")
    assert r.status == 200 and b == b"" and \
        int(r.getheader("Content-Length")) > 1000, r.status
    r, b = get("/metrics?x=1")
    assert r.status == 200 and r.getheader("Connection") == "close"
    assert r.getheader("Content-Length") == str(len(b))
    assert r.getheader("Content-Type").startswith("text/plain; version=0.0.4")

def snap(f):
    json.dump({"m": [[list(k), v] for k, v in metrics().items()],
               "s": status()}, open(f, "w"))

def check(f, exprs):
    old = json.load(open(f))
    om_ = {tuple(k): v for k, v in old["m"]}
    def look(d, path):
        for p in path.split("."):
            d = d[p]
        return d
    def lab(name, kw):
        (k, v), = kw.items() if kw else ((None, None),)
        return ("frontd_" + name, "class" if k == "cls" else k, v)
    end = time.time() + 10
    while True:
        mt, st = metrics(), status()
        env = {"m": lambda n, **kw: mt.get(lab(n, kw), 0),
               "om": lambda n, **kw: om_.get(lab(n, kw), 0),
               "s": lambda p: look(st, p), "os": lambda p: look(old["s"], p)}
        env["d"] = lambda n, **kw: env["m"](n, **kw) - env["om"](n, **kw)
        env["ds"] = lambda p: look(st, p) - look(old["s"], p)
        bad = [e for e in exprs if not eval("(%s)" % e, env)]
        if not bad or time.time() > end:
            break
        time.sleep(0.1)
    for e in bad:
        print("does not hold:", e)
    return not bad

cmd = sys.argv[2]
if cmd == "format":
    fmt()
elif cmd == "snap":
    snap(sys.argv[3])
else:
    sys.exit(0 if check(sys.argv[3], sys.argv[4:]) else 1)
PY
adm() {
	python3 "$tmp/adm.py" $APORT "$@"
}

curl -sf -o /dev/null "http://127.0.0.1:$FPORT/warm" || fail "first request"
adm format || fail "/metrics or /status malformed"
echo "ok: format"

#--------------------------------------------------------------------
# Five requests on five connections: exactly five more everywhere.

adm snap "$tmp/s0" || fail "snapshot"
for i in 1 2 3 4 5; do
	curl -sf -o /dev/null "http://127.0.0.1:$FPORT/n$i" || fail "request $i"
done
adm check "$tmp/s0" \
    'd("responses_total", cls="2xx") == 5' \
    'd("responses_total", cls="5xx") == 0' \
    'd("requests_total") == 5' \
    'd("connections_accepted_total") == 5' \
    'ds("counters.resp_2xx") == 5' \
    'ds("counters.req_total") == 5' \
    'd("backend_connections_opened_total", backend="o1") +
     d("backend_connections_reused_total", backend="o1") == 5' \
    'ds("backends.o1.opened") + ds("backends.o1.reused") == 5' \
    'd("uptime_seconds") > 0' ||
    fail "counters after 5 requests"
echo "ok: 5 requests counted"

#--------------------------------------------------------------------
# The backend dies: a 5xx and a failed backend connection.

adm snap "$tmp/s1" || fail "snapshot"
kill $opid
wait $opid 2>/dev/null
# the pooled connection to o1 is seen closed before the next request
adm check "$tmp/s1" 'm("backend_connections_idle", backend="o1") == 0' ||
    fail "the pooled connection to the dead backend is still idle"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FPORT/dead")
case $code in
502|503) ;;
*) fail "dead backend gave $code, want 502 or 503" ;;
esac
adm check "$tmp/s1" \
    'd("responses_total", cls="5xx") == 1' \
    'd("responses_total", cls="2xx") == 0' \
    'ds("counters.resp_5xx") == 1' \
    'd("backend_connections_failed_total", backend="o1") >= 1' \
    'ds("backends.o1.failed") >= 1' ||
    fail "counters after a dead backend"
echo "ok: dead backend counted"

#--------------------------------------------------------------------
# Reloads: one good, one bad; the time of the last one.

adm snap "$tmp/s2" || fail "snapshot"
kill -HUP $fpid
adm check "$tmp/s2" \
    'd("reloads_ok_total") == 1' \
    'ds("reloads.ok") == 1' \
    's("reloads.last") is not None and s("reloads.last") >= s("started")' \
    'm("reload_last_timestamp_seconds") >= m("start_time_seconds") > 0' ||
    fail "counters after a good reload"
printf 'timeout_idle = 5x\n' >> "$tmp/f.conf"
kill -HUP $fpid
adm check "$tmp/s2" \
    'd("reloads_failed_total") == 1' \
    'ds("reloads.failed") == 1' ||
    fail "counters after a bad reload"
echo "ok: reloads counted"
stop_frontd
