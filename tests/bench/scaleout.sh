#!/bin/sh
# Upgrades and fail-overs under load, many in a row; run by hand:
#
#   sh tests/bench/scaleout.sh          (N=20 cycles, C=50 connections)
#
# 1. USR2: wrk -c$C runs against one frontd (nginx origin) while it is
#    upgraded N times in a row, each as soon as the previous new process
#    has written the pid file.
# 2. HAProxy in mode tcp with send-proxy-v2 over two frontd instances
#    (proxy_protocol listeners): wrk -c$C through HAProxy while the
#    instances, in turn, are stopped with TERM and started again, N
#    times in all.
# Each prints wrk's report; a good run has no "Socket errors" and no
# "Non-2xx" line.  Loopback only; stops everything it started.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
FRONTD=${FRONTD:-$top/$B/frontd}
N=${N:-20}
C=${C:-50}
OPORT=18280
FPORT=18284
P1=18285
P2=18286
HPORT=18287
tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontd-scaleout.XXXXXX")
pids=""

cleanup() {
	kill $(cat "$tmp/pid" 2>/dev/null) 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

waitport() {
	i=0
	while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 200 ] && { echo "port $1 never opened"; exit 1; }
		sleep 0.05
	done
}

mkdir -p "$tmp/www"
head -c 100 /dev/zero | tr '\0' a > "$tmp/www/small"
cat > "$tmp/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 1000000000;
	keepalive_timeout 120s;
	client_body_temp_path $tmp;
	proxy_temp_path $tmp;
	fastcgi_temp_path $tmp;
	uwsgi_temp_path $tmp;
	scgi_temp_path $tmp;
	server { listen 127.0.0.1:$OPORT; root $tmp/www; }
}
NGX
PATH=$PATH:/usr/sbin nginx -c "$tmp/nginx.conf" -p "$tmp" &
pids="$pids $!"
waitport $OPORT

#--------------------------------------------------------------------
# 1. N upgrades in a row

cat > "$tmp/f.conf" <<CONF
listen = {"127.0.0.1:$FPORT"}
pidfile = "$tmp/pid"
drain_timeout = 5s
backend "origin" {
	address = "127.0.0.1:$OPORT"
}
CONF
"$FRONTD" -F -f "$tmp/f.conf" 2>"$tmp/frontd.err" &
waitport $FPORT
secs=$((N * 3 / 2 + 5))	# longer than the cycles take
echo "== $N USR2 upgrades: wrk -t1 -c$C -d${secs}s"
wrk -t1 -c"$C" -d"${secs}s" "http://127.0.0.1:$FPORT/small" > "$tmp/wrk1" &
wpid=$!
sleep 1
t0=$(date +%s.%N)
n=0
while [ $n -lt "$N" ]; do
	old=$(cat "$tmp/pid")
	kill -USR2 "$old"
	i=0
	while [ "$(cat "$tmp/pid")" = "$old" ] || [ -z "$(cat "$tmp/pid")" ]; do
		i=$((i + 1)); [ $i -gt 400 ] && { echo "upgrade $n hangs"; exit 1; }
		sleep 0.02
	done
	n=$((n + 1))
	sleep 0.3
done
t1=$(date +%s.%N)
wait $wpid
cat "$tmp/wrk1"
echo "the $N upgrades took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, all under wrk"
echo "upgrades done: $(grep -c 'is listening; draining' "$tmp/frontd.err")," \
    "failed: $(grep -c 'still serving' "$tmp/frontd.err")"
kill "$(cat "$tmp/pid")"

#--------------------------------------------------------------------
# 2. HAProxy over two instances, each stopped and started in turn

for p in $P1 $P2; do
	cat > "$tmp/f$p.conf" <<CONF
listen = {"127.0.0.1:$p proxy_protocol"}
drain_timeout = 5s
backend "origin" {
	address = "127.0.0.1:$OPORT"
}
CONF
done
inst() {
	"$FRONTD" -F -f "$tmp/f$1.conf" 2>>"$tmp/inst.err" &
	eval "ipid_$1=$!"
	waitport "$1"
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
haproxy -db -f "$tmp/haproxy.cfg" > "$tmp/haproxy.out" 2>&1 &
pids="$pids $!"
waitport $HPORT
secs=$((N * 3 + 5))	# a fail-over takes up to about 2.5 s
echo "== $N fail-overs behind HAProxy: wrk -t1 -c$C -d${secs}s"
wrk -t1 -c"$C" -d"${secs}s" "http://127.0.0.1:$HPORT/small" > "$tmp/wrk2" &
wpid=$!
sleep 1
t0=$(date +%s.%N)
n=0
while [ $n -lt "$N" ]; do
	if [ $((n % 2)) = 0 ]; then p=$P1; else p=$P2; fi
	eval "kill -TERM \$ipid_$p; wait \$ipid_$p"
	inst $p
	n=$((n + 1))
	sleep 0.3
done
t1=$(date +%s.%N)
wait $wpid
cat "$tmp/wrk2"
echo "the $N fail-overs took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, all under wrk"
kill $ipid_18285 $ipid_18286
