#!/bin/sh
# Copyright (c) 2026 The frontd authors
# SPDX-License-Identifier: BSD-2-Clause
#
# make bench-failover: one of three origins goes away under load and
# comes back; how many requests fail, and how soon it gets traffic again.
#
# Three nginx origins (1 worker each, a 100-byte file and /health) behind
# one frontd director (round_robin, retries 1, a probe on /health every
# INTERVAL with the default window 8 and threshold 3, passive checks at
# their defaults).  "wrk -t1 -cC -dDURATION" runs against frontd; at
# STOP seconds origin o1 is stopped (nginx's fast shutdown: its
# connections are closed), START seconds later it is started again on
# the same port.  Reported: wrk's totals, the failed requests (non-2xx
# and socket errors), the seconds from o1's stop until /status no longer
# calls it healthy, from its restart until frontd sends it a request
# again (its frontd_backend_requests_total goes up; both polled every
# 0.1 s), and frontd's log lines about o1.
#
# Settings (environment): C (50), DURATION (30 s), STOP (5 s), START
# (10 s), INTERVAL (1s), B (build dir).  Needs nginx, wrk, curl and
# python3.  Loopback only; stops everything it started.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
FRONTD=${FRONTD:-$top/$B/frontd}
C=${C:-50}
DURATION=${DURATION:-30}
STOP=${STOP:-5}
START=${START:-10}
INTERVAL=${INTERVAL:-1s}
OPORT=18290			# origins o0..o2: OPORT..OPORT+2
FPORT=18294
APORT=18295
me=failover
tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontd-failover.XXXXXX") || exit 1
pids=""
asroot=""
[ "$(id -u)" = 0 ] && asroot="user root;"
. "$top/tests/bench/peers_lib.sh"

origin_conf() {		# origin_conf N
	cat <<EOF
daemon off;
worker_processes 1;
pid $tmp/o$1.pid;
error_log $tmp/o$1.err;
$asroot
events { worker_connections 4096; }
http {
$(nginx_http)
	server {
		listen 127.0.0.1:$((OPORT + $1));
		root $tmp/www;
		location = /health { return 200 "ok\n"; }
	}
}
EOF
}

start_o() {		# start_o N: sets o$N's pid in opid$N
	nginx -c "$tmp/o$1.conf" -p "$tmp" &
	eval "opid$1=$!"
	pids="$pids $!"
	waitport $((OPORT + $1))
}

o1_health() {		# cheap: no python while wrk loads the machine
	curl -s "http://127.0.0.1:$APORT/status" |
	    sed -n 's/.*"o1":{[^}]*"health":"\([a-z]*\)".*/\1/p'
}

since() {		# since T0: seconds from T0 to now
	awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $1 }"
}

o1_requests() {
	curl -s "http://127.0.0.1:$APORT/metrics" |
	    sed -n 's/^frontd_backend_requests_total{backend="o1"} //p'
}

mkdir -p "$tmp/www"
head -c 100 /dev/zero | tr '\0' s > "$tmp/www/small"
for n in 0 1 2; do
	origin_conf $n > "$tmp/o$n.conf"
	start_o $n
done
cat > "$tmp/frontd.conf" <<EOF
listen = {"127.0.0.1:$FPORT"}
admin_listen = "127.0.0.1:$APORT"
timeout_idle = 120s
probe "health" { url = "/health" interval = $INTERVAL }
backend "o0" { address = "127.0.0.1:$OPORT" probe = "health" }
backend "o1" { address = "127.0.0.1:$((OPORT + 1))" probe = "health" }
backend "o2" { address = "127.0.0.1:$((OPORT + 2))" probe = "health" }
director "all" { backends = {"o0", "o1", "o2"} policy = "round_robin" }
route "all" { to = "all" }
EOF
"$FRONTD" -F -f "$tmp/frontd.conf" 2>"$tmp/frontd.err" &
pids="$pids $!"
waitport $FPORT
waitport $APORT
i=0				# every origin healthy: its first good probe
until curl -sf "http://127.0.0.1:$APORT/status" | python3 -c '
import json, sys
b = json.load(sys.stdin)["backends"]
sys.exit(0 if all(b[n]["health"] == "healthy" for n in ("o0", "o1", "o2"))
    else 1)'; do
	i=$((i + 1)); [ $i -gt 100 ] && die "the origins never became healthy"
	sleep 0.1
done

wrk -t1 -c"$C" -d"${DURATION}s" "http://127.0.0.1:$FPORT/small" \
    > "$tmp/wrk.out" 2>&1 &
wrk=$!
sleep "$STOP"
kill "$opid1"
wait "$opid1" 2>/dev/null
t_stop=$(date +%s.%N)
out=""
while [ -z "$out" ] && [ "$(since "$t_stop" | cut -d. -f1)" -lt "$START" ]; do
	[ "$(o1_health)" != healthy ] && out=$(since "$t_stop")
	sleep 0.1
done
sleep "$(awk "BEGIN { print $START - $(since "$t_stop") }")"
before=$(o1_requests)
t_start=$(date +%s.%N)
start_o 1
back=""
while kill -0 "$wrk" 2>/dev/null; do
	if [ "$(o1_requests)" != "$before" ]; then
		back=$(since "$t_start")
		break
	fi
	sleep 0.1
done
wait "$wrk"

echo "frontd $("$FRONTD" -V | sed 's/^frontd //'), $(nginx -v 2>&1 |
    sed 's/.*nginx\//nginx /') origins x3, wrk -t1 -c$C -d${DURATION}s"
echo "probe: /health every $INTERVAL, window 8, threshold 3;" \
    "o1 stopped at ${STOP}s, started ${START}s later"
echo
sed 's/^/    /' "$tmp/wrk.out"
echo
total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/wrk.out")
non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: \([0-9]*\)/\1/p' \
    "$tmp/wrk.out")
errs=$(sed -n 's/^ *Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\)/\1 \2 \3 \4/p' \
    "$tmp/wrk.out" | awk '{ print $1 + $2 + $3 + $4 }')
echo "requests: ${total:-?}, failed: $(( ${non2xx:-0} + ${errs:-0} ))" \
    "(non-2xx ${non2xx:-0}, socket errors ${errs:-0})"
echo "o1 out of rotation ${out:-not} s after it stopped"
echo "o1 got traffic again ${back:-never (within the run)} s after its restart"
echo
echo "frontd's lines about o1:"
grep "'o1'" "$tmp/frontd.err" | sed 's/^/    /'
