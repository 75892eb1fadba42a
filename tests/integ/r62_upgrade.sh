#!/bin/sh
# r62: USR2 upgrades the binary without a refused connection or a failed
# request.  wrk runs while frontd is upgraded 3 times in a row; each new
# process takes over the listening sockets (a plain and a proxy_protocol
# one, and the admin socket) and writes the pid file, each old one
# drains and exits 0.  An upgrade whose new process cannot start (a bad
# file) is logged and the old process keeps serving; the next good one
# works.  wrk must report no socket error and no non-2xx response.
. "$TOP/tests/integ/lib/common.sh"

OPORT=$((FPORT + 500))
PPORT=$((FPORT + 600))
APORT=$((FPORT + 700))
start_origin $OPORT
conf() {
	cat > "$tmp/f.conf" <<CONF
listen = {"127.0.0.1:$FPORT", "127.0.0.1:$PPORT proxy_protocol"}
admin_listen = "127.0.0.1:$APORT"
pidfile = "$tmp/pid"
drain_timeout = 5s
backend "o" {
	address = "127.0.0.1:$OPORT"
}
CONF
}
conf
start_frontd "$tmp/f.conf"
waitport $FPORT || fail "frontd did not start"
waitport $APORT || fail "no admin listener"
trap 'kill $(cat "$tmp/pid" 2>/dev/null) 2>/dev/null; cleanup' EXIT

# upgrade: USR2, then wait until the pid file names a new process
upgrade() {
	old=$(cat "$tmp/pid")
	kill -USR2 "$old"
	i=0
	while [ "$(cat "$tmp/pid")" = "$old" ]; do
		i=$((i + 1))
		[ $i -lt 400 ] || fail "no new process after 20 s"
		sleep 0.05
	done
}
# logged N PATTERN: wait until PATTERN is in the log N times
logged() {
	i=0
	while [ "$(grep -c "$2" "$tmp/frontd.err")" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -lt 400 ] || fail "not logged $1 times: $2"
		sleep 0.05
	done
}

wrk -t1 -c50 -d5s "http://127.0.0.1:$FPORT/x" > "$tmp/wrk.out" 2>&1 &
wpid=$!
for n in 1 2 3; do
	upgrade
	logged $n "is listening; draining"
done
# a new process that cannot start: the old one keeps serving
first=$(cat "$tmp/pid")
echo 'listen = {' > "$tmp/f.conf"
kill -USR2 "$first"
logged 1 "still serving"
grep "still serving" "$tmp/frontd.err" | grep -q "exit 78" ||
    fail "the failed upgrade does not say why"
[ "$(cat "$tmp/pid")" = "$first" ] || fail "the pid file changed"
kill -0 "$first" || fail "the old process is gone"
conf
upgrade
logged 4 "is listening; draining"
wait $wpid
cat "$tmp/wrk.out"
grep -q "requests in" "$tmp/wrk.out" || fail "wrk did not run"
grep -q "Socket errors" "$tmp/wrk.out" && fail "socket errors under upgrade"
grep -q "Non-2xx" "$tmp/wrk.out" && fail "non-2xx responses under upgrade"
# the old processes are gone; the last serves every socket
logged 4 "frontd: stopped"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FPORT/x" |
    grep -q 200 || fail "plain listener after upgrades"
printf 'PROXY TCP4 192.0.2.9 127.0.0.1 1 2\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n' |
    curl -s --max-time 5 telnet://127.0.0.1:$PPORT 2>/dev/null |
    head -1 | grep -q "200" || fail "proxy_protocol listener after upgrades"
curl -s "http://127.0.0.1:$APORT/metrics" | grep -q frontd_ ||
    fail "admin listener after upgrades"
echo "ok: 4 upgrades, one refused start"
