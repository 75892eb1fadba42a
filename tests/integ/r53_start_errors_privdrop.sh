#!/bin/sh
# r53: start-up as operators meet it.  A second frontd on a port in use
# exits non-zero (71, EX_OSERR) with the reason on stderr; a bad file
# exits 78 with FILE:LINE; as root, "user" drops privileges after the
# port is bound and the pid file written.
. "$TOP/tests/integ/lib/common.sh"

OPORT=$((FPORT + 500))
start_origin $OPORT
cat > "$tmp/f.conf" <<CONF
listen = {"127.0.0.1:$FPORT"}
pidfile = "$tmp/frontd.pid"
backend "o" {
	address = "127.0.0.1:$OPORT"
}
CONF
if [ "$(id -u)" = 0 ]; then
	printf 'user = "nobody"\n' >> "$tmp/f.conf"
fi
"$FRONTD" -f "$tmp/f.conf" 2>"$tmp/first.err" || fail "first start: $?"
pid=$(cat "$tmp/frontd.pid") || fail "no pid file"
pids="$pids $pid"

"$FRONTD" -f "$tmp/f.conf" 2>"$tmp/second.err"
rc=$?
[ $rc -eq 71 ] || fail "a second instance on the same port exited $rc"
grep -q "listen 127.0.0.1:$FPORT: bind: Address already in use" \
    "$tmp/second.err" || { cat "$tmp/second.err"; fail "no reason given"; }

printf 'listen = {"127.0.0.1:%s"}\ntimeout_idle = 5q\n' $((FPORT + 1)) \
    > "$tmp/bad.conf"
"$FRONTD" -f "$tmp/bad.conf" 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 78 ] || fail "a bad file exited $rc"
grep -q "bad.conf:2: " "$tmp/bad.err" || { cat "$tmp/bad.err"; fail "no FILE:LINE"; }

if [ "$(id -u)" = 0 ]; then
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
	[ "$uid" = "$(id -u nobody)" ] || fail "running as uid $uid, not nobody"
fi
curl -sf -o /dev/null "http://127.0.0.1:$FPORT/x" || fail "not serving"
kill -TERM "$pid"
echo "ok"
