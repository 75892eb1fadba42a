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

curl -s -D "$tmp/h" -o "$tmp/body" "http://127.0.0.1:$FPORT/slow?ms=1500" &
cpid=$!
python3 "$TOP/tests/bench/idle.py" --port $FPORT --count 20 \
    --phase wait-close --hold 0 --hold-max 15 > "$tmp/idle.out" 2>&1 &
ipid=$!
sleep 0.5
t0=$(date +%s.%N)
kill -TERM $fpid
sleep 0.2
curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$FPORT/x" &&
    fail "a new connection was accepted while draining"
wait $cpid || fail "the request in flight failed"
grep -q "slow done" "$tmp/body" || fail "the response in flight was cut"
grep -qi "^connection: close" "$tmp/h" ||
    fail "the last response did not say Connection: close"
wait $fpid
rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ] || fail "frontd exited $rc"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 8) }' ||
    fail "the drain took too long"
wait $ipid || { cat "$tmp/idle.out"; fail "idle clients were not closed"; }
echo "ok: drained"
