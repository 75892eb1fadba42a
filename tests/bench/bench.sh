#!/bin/sh
# make bench: nginx as the origin, frontd in front, wrk through it.
#
# Prints req/s and p50/p99 latency for a 100-byte and a 16 KiB object
# (wrk -t1 -c50, keep-alive both sides); then the 100-byte object through
# a second frontd whose one director spreads over 4 servers (nginx on 4
# ports) behind 20 routes, with its req/s against the single backend's;
# the backend connections each holds after its run, against the most
# requests in flight to each server at once plus the workers; then
# frontd's private
# memory per idle keep-alive connection with IDLE (default 5000) of them
# held.
# DURATION (s, default 10) sets the length of each wrk run, ROUNDS
# (default 3) how many of the one/four-server runs alternate; EXTRA is added
# to frontd's configuration (e.g. EXTRA='access_log = "/tmp/a.log"').
# Everything runs on 127.0.0.1 and stops by itself.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
FRONTD=${FRONTD:-$top/$B/frontd}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
IDLE=${IDLE:-5000}
EXTRA=${EXTRA:-}
OPORT=18180
FPORT=18184
MPORT=18185	# the frontd with 4 servers; nginx listens on OPORT..OPORT+3
FAPORT=18186	# their admin listeners
MAPORT=18187
tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontd-bench.XXXXXX")
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

waitport() {
	i=0
	while ! python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "port $1 never opened"; exit 1; }
		sleep 0.05
	done
}

# Private anonymous memory of a process, in bytes.
anon() {
	awk '/^Pss_Anon:/ { print $2 * 1024 }' "/proc/$1/smaps_rollup"
}

mkdir -p "$tmp/www"
head -c 100 /dev/zero | tr '\0' a > "$tmp/www/small"
head -c 16384 /dev/zero | tr '\0' b > "$tmp/www/medium"
cat > "$tmp/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	keepalive_requests 1000000000;
	keepalive_timeout 120s;
	client_body_temp_path $tmp;
	proxy_temp_path $tmp;
	fastcgi_temp_path $tmp;
	uwsgi_temp_path $tmp;
	scgi_temp_path $tmp;
	server {
		listen 127.0.0.1:$OPORT; listen 127.0.0.1:$((OPORT + 1));
		listen 127.0.0.1:$((OPORT + 2)); listen 127.0.0.1:$((OPORT + 3));
		root $tmp/www;
	}
}
NGX
cat > "$tmp/frontd.conf" <<CONF
listen = {"127.0.0.1:$FPORT"}
timeout_idle = 120s
admin_listen = "127.0.0.1:$FAPORT"
$EXTRA
backend "origin" {
	address = "127.0.0.1:$OPORT"
}
CONF
{
	echo "listen = {\"127.0.0.1:$MPORT\"}"
	echo "timeout_idle = 120s"
	echo "admin_listen = \"127.0.0.1:$MAPORT\""
	echo "$EXTRA"
	for i in 0 1 2 3; do
		echo "backend \"s$i\" { address = \"127.0.0.1:$((OPORT + i))\" }"
	done
	echo 'director "pool" { backends = {"s0", "s1", "s2", "s3"} }'
	i=1
	while [ $i -lt 20 ]; do
		echo "route \"r$i\" { host = {\"h$i.example\"} to = \"s$((i % 4))\" }"
		i=$((i + 1))
	done
	echo 'route "rest" { to = "pool" }'
} > "$tmp/multi.conf"
PATH=$PATH:/usr/sbin nginx -c "$tmp/nginx.conf" -p "$tmp" &
pids="$pids $!"
"$FRONTD" -F -f "$tmp/frontd.conf" 2>"$tmp/frontd.err" &
fpid=$!
pids="$pids $fpid"
waitport $OPORT
waitport $FPORT
"$FRONTD" -F -f "$tmp/multi.conf" 2>"$tmp/multi.err" &
mpid=$!
pids="$pids $mpid"
waitport $MPORT

echo "frontd bench: wrk -t1 -c50 -d${DURATION}s, keep-alive, nginx origin"
wrk -t1 -c50 -d2s "http://127.0.0.1:$FPORT/small" >/dev/null
for obj in small medium; do
	wrk -t1 -c50 -d"${DURATION}s" --latency \
	    "http://127.0.0.1:$FPORT/$obj" > "$tmp/wrk.$obj"
	awk -v obj="$obj" '
	    /Requests\/sec/ { rps = $2 }
	    /^ +50%/ { p50 = $2 }
	    /^ +99%/ { p99 = $2 }
	    /Non-2xx/ { bad = $NF }
	    /Socket errors/ { err = $0 }
	    END {
		printf "  %-7s %10s req/s   p50 %-8s p99 %-8s%s%s\n", obj,
		    rps, p50, p99, bad ? "  non-2xx " bad : "",
		    err ? "  " err : ""
	    }' "$tmp/wrk.$obj"
done

# Connections each frontd holds to its servers after its runs, against
# the most requests that were in flight to each server at once (summed
# over the servers) plus one per worker: with the pools shared by the
# workers, no more are needed.
conns() {	# conns NAME PID ADMINPORT ERRFILE
	n=$(for p in 0 1 2 3; do
		ss -Htnp state established "( dport = :$((OPORT + p)) )"
	    done | grep -c "pid=$2,")
	w=$(sed -n 's/.*, \([0-9]*\) workers$/\1/p' "$4" | head -1)
	python3 - "$1" "$n" "$3" "${w:-0}" <<'PY'
import re, sys, urllib.request
name, n, port, w = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
m = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port).read().decode()
peak = sum(int(v) for v in re.findall(
    r'^frontd_backend_in_flight_peak\{[^}]*\} (\d+)$', m, re.M))
print("  %s: %d backend connections open after, %s %d at most in flight "
      "(per server, summed) + %d workers = %d" % (name, n,
      "<=" if n <= peak + w else ">", peak, w, peak + w))
PY
}
# 4 servers, 20 routes: the same object, right after the single
# backend's run; then the connections that frontd holds to the servers.
# ROUNDS runs of each, one after the other in turn, and the median of
# each: this machine's noise is far larger than the difference sought.
wrk -t1 -c50 -d2s "http://127.0.0.1:$MPORT/small" >/dev/null
r=0
while [ $r -lt "$ROUNDS" ]; do
	wrk -t1 -c50 -d"${DURATION}s" "http://127.0.0.1:$FPORT/small" |
	    awk '/Requests\/sec/ { print $2 }' >> "$tmp/rps.one"
	[ $r -eq 0 ] &&
	    conns "one backend" $fpid $FAPORT "$tmp/frontd.err" > "$tmp/conns.one"
	wrk -t1 -c50 -d"${DURATION}s" "http://127.0.0.1:$MPORT/small" |
	    awk '/Requests\/sec/ { print $2 }' >> "$tmp/rps.multi"
	r=$((r + 1))
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "$(median "$tmp/rps.one") $(median "$tmp/rps.multi")" "$(tr '\n' ' ' < "$tmp/rps.one")" "$(tr '\n' ' ' < "$tmp/rps.multi")" | awk -v n="$ROUNDS" '{
	printf "  small, 1 director of 4 servers, 20 routes: %s req/s, " \
	    "%.1f%% of one backend'"'"'s %s (medians of %d runs in turn: " \
	    "one", $2, 100 * $2 / $1, $1, n
	for (i = 3; i < 3 + n; i++) printf " %s", $i
	printf "; four"
	for (; i < 3 + 2 * n; i++) printf " %s", $i
	printf ")\n"
}'
cat "$tmp/conns.one"
conns "1 director of 4 servers" $mpid $MAPORT "$tmp/multi.err"

# Idle keep-alive connections: Pss_Anon before, at IDLE/2 and at IDLE.
# "0->K" includes one-off growth (buffer pools, allocator arenas);
# "marginal" (K/2->K) is closer to the steady cost of one connection.
idle_open() {	# idle_open COUNT OUTFILE
	python3 "$top/tests/bench/idle.py" --port $FPORT --count "$1" \
	    --path /small --phase none --hold 600 > "$2" 2>&1 &
	pids="$pids $!"
	i=0
	until grep -q READY "$2" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 1200 ] && { echo "idle: no READY"; exit 1; }
		sleep 0.1
	done
	grep -q "failed=0" "$2" || { cat "$2"; exit 1; }
}
if [ "$IDLE" -gt 0 ]; then
	half=$((IDLE / 2))
	m0=$(anon $fpid)
	idle_open $half "$tmp/idle1.out"
	sleep 1
	m1=$(anon $fpid)
	idle_open $((IDLE - half)) "$tmp/idle2.out"
	sleep 1
	m2=$(anon $fpid)
	echo "$m0 $m1 $m2 $IDLE $half" | awk '{
	    printf "  idle keep-alive connections: %d held: %.0f bytes each " \
		"0->K, %.0f marginal (Pss_Anon %d -> %d -> %d)\n", $4,
		($3 - $1) / $4, ($3 - $2) / ($4 - $5), $1, $2, $3 }'
	wrk -t1 -c50 -d"${DURATION}s" "http://127.0.0.1:$FPORT/small" |
	    awk '/Requests\/sec/ { printf "  small, %s idle held: %s req/s\n", "'"$IDLE"'", $2 }'
fi
