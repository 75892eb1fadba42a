#!/bin/sh
# r52: as a daemon (no -F) frontd returns once it listens, writes its pid
# file, logs to error_log; a bad reload is logged there as FILE:LINE and
# the old configuration keeps serving; USR1 reopens the file after a
# rotation; TERM removes the pid file.
. "$TOP/tests/integ/lib/common.sh"

OPORT=$((FPORT + 500))
start_origin $OPORT
cat > "$tmp/f.conf" <<CONF
listen = {"127.0.0.1:$FPORT"}
pidfile = "$tmp/frontd.pid"
error_log = "$tmp/error.log"
backend "o" {
	address = "127.0.0.1:$OPORT"
}
CONF
"$FRONTD" -f "$tmp/f.conf" || fail "frontd did not start: $?"
curl -sf -o /dev/null "http://127.0.0.1:$FPORT/x" ||
    fail "not listening when the start command returned"
pid=$(cat "$tmp/frontd.pid") || fail "no pid file"
pids="$pids $pid"
grep -q "listening" "$tmp/error.log" || fail "nothing in error_log"

cp "$tmp/f.conf" "$tmp/good.conf"
printf 'bogus_key = 1\n' >> "$tmp/f.conf"
kill -HUP "$pid"
wait_for 10 grep -q "f.conf:[0-9]*: .*bogus_key" "$tmp/error.log" ||
    fail "the bad reload was not logged as FILE:LINE"
curl -sf -o /dev/null "http://127.0.0.1:$FPORT/x" ||
    fail "the old configuration stopped serving"

mv "$tmp/error.log" "$tmp/error.log.1"
kill -USR1 "$pid"
wait_for 10 test -e "$tmp/error.log" || fail "USR1 did not reopen error_log"
cp "$tmp/good.conf" "$tmp/f.conf"
kill -HUP "$pid"
wait_for 10 grep -q "reload" "$tmp/error.log" ||
    fail "USR1 did not reopen error_log"

kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "frontd did not stop"
	sleep 0.05
done
[ -e "$tmp/frontd.pid" ] && fail "the pid file is still there"
echo "ok"
