#!/bin/sh
# r20: HUP reloads under load drop nothing.  wrk runs against frontd while
# it gets 20 reloads, good and bad in turn (timeouts changed, a second
# listener added and removed, a file with an error): zero socket errors,
# zero non-2xx; a bad file is logged as FILE:LINE and the running
# configuration stays; the added listener serves while it is configured.
. "$TOP/tests/integ/lib/common.sh"

OPORT=$((FPORT + 500))
F2=$((FPORT + 600))
start_origin $OPORT
conf() {	# conf TIMEOUT_IDLE [EXTRA_LISTEN]
	extra=""
	[ -n "${2:-}" ] && extra=", \"127.0.0.1:$2\""
	cat > "$tmp/f.conf" <<CONF
listen = {"127.0.0.1:$FPORT"$extra}
timeout_idle = $1
backend "o" {
	address = "127.0.0.1:$OPORT"
}
CONF
}
conf 60s
start_frontd "$tmp/f.conf"
waitport $FPORT || fail "frontd did not start"

wrk -t1 -c20 -d6s "http://127.0.0.1:$FPORT/x" > "$tmp/wrk.out" 2>&1 &
wpid=$!
i=0
while [ $i -lt 20 ]; do
	sleep 0.25
	case $((i % 4)) in
	0) conf 61s $F2 ;;
	1) conf 62s ;;
	2) cp "$tmp/f.conf" "$tmp/good.conf"
	   printf 'timeout_idle = 5x\n' >> "$tmp/f.conf" ;;
	3) conf 63s $F2 ;;
	esac
	kill -HUP $fpid || fail "frontd died at reload $i"
	i=$((i + 1))
done
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$F2/x" ||
    fail "the listener added by the last reload does not serve"
wait $wpid
cat "$tmp/wrk.out"
grep -q "Socket errors" "$tmp/wrk.out" && fail "wrk saw socket errors"
grep -q "Non-2xx" "$tmp/wrk.out" && fail "wrk saw non-2xx responses"
n=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
[ "${n:-0}" -gt 100 ] || fail "too few requests went through: $n"
grep -q "f.conf:[0-9]*: .*timeout_idle" "$tmp/frontd.err" ||
    fail "the bad file was not reported as FILE:LINE"
kill -0 $fpid || fail "frontd is gone"
echo "ok: $n requests, 20 reloads"
