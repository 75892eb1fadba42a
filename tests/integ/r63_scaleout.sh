#!/bin/sh
# r63: the layout that scales out.  HAProxy in mode tcp with send-proxy-v2
# balances over two frontd instances (proxy_protocol listeners on two
# ports); a client on 127.0.0.2 is seen by the backend as 127.0.0.2, not
# as HAProxy's 127.0.0.1, through either instance.  While wrk runs, each
# instance in turn is stopped with TERM (it stops accepting and answers
# its busy keep-alive clients with Connection: close) and started again:
# wrk reports no socket error and no non-2xx response.  Then two
# instances share one port with reuse_port = true, and without it the
# second cannot start.
. "$TOP/tests/integ/lib/common.sh"

HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
if [ ! -x "$HAPROXY" ]; then
	echo "ok: skipped, no haproxy (apt-get install haproxy)"
	exit 0
fi
OPORT=$((FPORT + 500))
P1=$((FPORT + 600))
P2=$((FPORT + 700))
HPORT=$FPORT
start_origin $OPORT
for p in $P1 $P2; do
	cat > "$tmp/f$p.conf" <<CONF
listen = {"127.0.0.1:$p proxy_protocol"}
drain_timeout = 5s
access_log = "$tmp/access-$p.log"
backend "o" {
	address = "127.0.0.1:$OPORT"
}
CONF
done
# inst PORT: start instance PORT; sets ipid_PORT
inst() {
	"$FRONTD" -F -f "$tmp/f$1.conf" 2>>"$tmp/frontd.err" &
	eval "ipid_$1=$!"
	pids="$pids $!"
	waitport "$1" || fail "instance $1 did not start"
}
inst $P1
inst $P2
cat > "$tmp/haproxy.cfg" <<CFG
global
	maxconn 4096
defaults
	mode tcp
	timeout connect 1s
	timeout client 30s
	timeout server 30s
	retries 3
	option redispatch 1
frontend fe
	bind 127.0.0.1:$HPORT
	default_backend be
backend be
	balance roundrobin
	server f1 127.0.0.1:$P1 send-proxy-v2 check inter 100ms fall 1 rise 1
	server f2 127.0.0.1:$P2 send-proxy-v2 check inter 100ms fall 1 rise 1
CFG
"$HAPROXY" -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.out" 2>&1 &
pids="$pids $!"
waitport $HPORT || fail "haproxy did not start: $(cat "$tmp/haproxy.out")"

# The backend sees the client's address through both instances.
python3 - $HPORT <<'PY' || fail "the real client address was not seen"
import socket, sys
seen = set()
for i in range(6):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /xff HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    d = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        d += b
    body = d.split(b"\r\n\r\n", 1)[1]
    if body != b"127.0.0.2":
        print("backend saw %r" % body)
        sys.exit(1)
PY
# logs FILE PATTERN: wait until the access log has a matching line
logs() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "$1: no line matching $2"
		sleep 0.05
	done
}
logs "$tmp/access-$P1.log" '^127.0.0.2 '
logs "$tmp/access-$P2.log" '^127.0.0.2 '

# served PORT: wait until instance PORT logs a request it did not have
# (new connections through HAProxy meanwhile: wrk's stay where they are)
served() {
	n=$(cat "$tmp/access-$1.log" 2>/dev/null | wc -l)
	i=0
	while [ "$(cat "$tmp/access-$1.log" 2>/dev/null | wc -l)" -le "$n" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "instance $1 gets no requests"
		curl -s -o /dev/null "http://127.0.0.1:$HPORT/x"
		sleep 0.05
	done
}
wrk -t1 -c50 -d6s "http://127.0.0.1:$HPORT/x" > "$tmp/wrk.out" 2>&1 &
wpid=$!
served $P1
for p in $P1 $P2; do
	eval "kill -TERM \$ipid_$p"
	eval "wait \$ipid_$p" || fail "instance $p did not stop cleanly"
	inst $p
	served $p
done
wait $wpid
cat "$tmp/wrk.out"
grep -q "requests in" "$tmp/wrk.out" || fail "wrk did not run"
grep -q "Socket errors" "$tmp/wrk.out" && fail "socket errors"
grep -q "Non-2xx" "$tmp/wrk.out" && fail "non-2xx responses"

# reuse_port: two processes on one port
RP=$((FPORT + 1000))
for n in 1 2; do
	cat > "$tmp/rp$n.conf" <<CONF
listen = {"127.0.0.1:$RP"}
reuse_port = true
backend "o" {
	address = "127.0.0.1:$OPORT"
}
CONF
done
"$FRONTD" -F -f "$tmp/rp1.conf" 2>>"$tmp/frontd.err" &
pids="$pids $!"
waitport $RP || fail "reuse_port instance 1 did not start"
"$FRONTD" -F -f "$tmp/rp2.conf" 2>>"$tmp/frontd.err" &
rp2=$!
pids="$pids $rp2"
i=0
until grep -q "listening on 1 address" "$tmp/frontd.err" &&
    [ "$(grep -c "listening on 1 address" "$tmp/frontd.err")" -ge 2 ]; do
	kill -0 $rp2 2>/dev/null || fail "reuse_port instance 2 did not start"
	i=$((i + 1))
	[ $i -lt 200 ] || fail "reuse_port instance 2 not listening"
	sleep 0.05
done
sed -i '/reuse_port/d' "$tmp/rp2.conf"
"$FRONTD" -F -f "$tmp/rp2.conf" > "$tmp/rp3.err" 2>&1 &&
    fail "a second instance without reuse_port started"
grep -q "in use" "$tmp/rp3.err" || fail "no reason: $(cat "$tmp/rp3.err")"
echo "ok: scaled out"
