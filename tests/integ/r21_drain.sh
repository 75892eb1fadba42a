#!/bin/sh
# r21: TERM drains.  A slow response in flight when frontd gets SIGTERM
# still completes (with Connection: close), new connections are refused
# at once, idle keep-alive clients are closed, and frontd exits 0 well
# within drain_timeout.
. "$TOP/tests/integ/lib/common.sh"

OPORT=$((FPORT + 500))
start_origin $OPORT
cat > "$tmp/f.conf" <<CONF
listen = {"127.0.0.1:$FPORT"}
drain_timeout = 10s
backend "o" {
	address = "127.0.0.1:$OPORT"
}
CONF
start_frontd "$tmp/f.conf"
waitport $FPORT || fail "frontd did not start"

curl -s -D "$tmp/h" -o "$tmp/body" "http://127.0.0.1:$FPORT/slow?ms=6000" &
cpid=$!
python3 "$TOP/tests/bench/idle.py" --port $FPORT --count 20 \
    --phase wait-close --hold 0 --hold-max 15 > "$tmp/idle.out" 2>&1 &
ipid=$!
# wait (a condition, not a time) until the idle clients are idle and
# the slow request is in flight: frontd has a connection to the origin
i=0
until grep -q READY "$tmp/idle.out" 2>/dev/null && python3 - $OPORT <<'PY'
import sys
port = "%04X" % int(sys.argv[1])
for f in ("/proc/net/tcp", "/proc/net/tcp6"):
    for ln in open(f).read().splitlines()[1:]:
        x = ln.split()
        if x[2].endswith(":" + port) and x[3] == "01":
            sys.exit(0)
sys.exit(1)
PY
do
	i=$((i + 1))
	[ $i -lt 600 ] || fail "clients not connected after 30s"
	sleep 0.05
done
t0=$(date +%s.%N)
kill -TERM $fpid
wait_for 10 sh -c "! curl -s -o /dev/null --max-time 2 \
    http://127.0.0.1:$FPORT/x" ||
    fail "new connections are still accepted while draining"
wait $cpid || fail "the request in flight failed"
grep -q "slow done" "$tmp/body" || fail "the response in flight was cut"
grep -qi "^connection: close" "$tmp/h" ||
    fail "the last response did not say Connection: close"
wait $fpid
rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ] || fail "frontd exited $rc"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 9) }' ||
    fail "the drain took too long"
wait $ipid || { cat "$tmp/idle.out"; fail "idle clients were not closed"; }
echo "ok: drained"
