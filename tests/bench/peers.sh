#!/bin/sh
# Copyright (c) 2026 The frontd authors
# SPDX-License-Identifier: BSD-2-Clause
#
# make bench-peers: HAProxy, nginx and frontd side by side, on one
# machine, in front of the same nginx origin; writes a Markdown report.
#
# Every proxy runs as a child of this script on 127.0.0.1 with a config
# generated into a temporary directory, forwarding over keep-alive
# backend connections to an nginx origin (1 worker, static files).  Then:
#
#   1. ROUNDS interleaved rounds (haproxy, nginx, frontd, haproxy, ...)
#      of "wrk -t1 -c50 -dDURATION" on /small (100 B) and /medium
#      (16 KiB).  For every run: req/s; the proxy's own CPU time (user +
#      system of all its processes, /proc/PID/stat), giving req/s per core
#      of its own CPU; its context switches (every thread's, from
#      /proc/PID/task/*/status) per request.  Medians over the rounds.
#   2. IDLE keep-alive connections, each idle after one request
#      (tests/bench/idle.py), opened in two halves: the growth of the
#      proxy's private anonymous memory (Pss_Anon of smaps_rollup, summed
#      over its processes) over the second half, per connection.
#
# wrk, the origin and the proxy share the machine's cores, so req/s is a
# whole-machine figure; on a small, shared box quote the ratios and the
# per-core figures rather than the absolute req/s.
#
# Settings (environment): ROUNDS (3), DURATION (8 s), IDLE (5000),
# OUT (tests/bench/results/peers-DATE.md; "-" for none), B (build dir).
# Needs haproxy, nginx, wrk, python3 and procps (make bench-peers
# installs what is missing).  Linux only: it reads /proc.
#
# The proxies are set up as their users would for this job: HAProxy with
# "http-reuse always" and nbthread = cores; nginx with an upstream
# keepalive pool, HTTP/1.1 and "Connection: ''" to the origin, worker
# processes = cores; frontd with its defaults.  All keep idle clients
# 120 s.  HAProxy stops reusing backend connections once a quarter of
# its fds are in use (tune.pool-high-fd-ratio 25), which 5000 idle
# clients reach; its ratios are raised so that the idle run measures
# memory, not that policy.
#
# Rejected: Varnish as a third peer (a cache; in pass mode it measures a
# thread hand-off per request, a design frontd does not share), and
# running the proxies as system services (their system configs and logs
# would be measured too).

set -u
LC_ALL=C
export LC_ALL
PATH=$PATH:/usr/sbin:/sbin
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
FRONTD=${FRONTD:-$top/$B/frontd}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
IDLE=${IDLE:-5000}
OUT=${OUT:-$top/tests/bench/results/peers-$(date -u +%Y-%m-%d).md}
NCPU=$(getconf _NPROCESSORS_ONLN)
HZ=$(getconf CLK_TCK)
OPORT=18280
PEERS="haproxy nginx frontd"
me=bench-peers
tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontd-peers.XXXXXX")
pids=""
# nginx started as root would run its workers as nobody, who cannot
# enter $tmp (mode 700): as root they stay root.
asroot=""
[ "$(id -u)" = 0 ] && asroot="user root;"

. "$top/tests/bench/peers_lib.sh"

#--------------------------------------------------------------------
# One wrk run against a proxy: a line "peer obj round req/s cpu_s ctx".

measure() {		# measure PEER PID OBJ ROUND
	url="http://127.0.0.1:$(port_of "$1")/$3"
	wrk -t1 -c50 -d1s "$url" >/dev/null 2>&1	# warm-up
	c0=$(cpu_ticks "$2")
	x0=$(ctx_switches "$2")
	wrk -t1 -c50 -d"${DURATION}s" "$url" > "$tmp/wrk.out" 2>&1
	c1=$(cpu_ticks "$2")
	x1=$(ctx_switches "$2")
	awk -v peer="$1" -v obj="$3" -v r="$4" -v cpu=$((c1 - c0)) \
	    -v hz="$HZ" -v ctx=$((x1 - x0)) '
	    / requests in / { n = $1 }
	    /^Requests\/sec/ { rps = $2 }
	    /Non-2xx|Socket errors/ { bad = bad " " $0 }
	    END {
		if (n == 0) { print "no requests" > "/dev/stderr"; exit 1 }
		printf "%s\t%s\t%d\t%.0f\t%.2f\t%.0f\t%d\t%s\n", peer, obj,
		    r, rps, cpu / hz, ctx, n, bad
	    }' "$tmp/wrk.out" || die "$1 $3: wrk failed"
}

# Bytes per idle connection over the second half of IDLE of them.
idle_cost() {		# idle_cost PEER PID
	half=$((IDLE / 2))
	for part in 1 2; do
		[ $part = 2 ] && m1=$(anon_bytes "$2")
		python3 "$top/tests/bench/idle.py" --port "$(port_of "$1")" \
		    --count $half --path /small --phase none --hold 600 \
		    > "$tmp/idle.$1.$part" 2>&1 &
		pids="$pids $!"
		i=0
		until grep -q READY "$tmp/idle.$1.$part" 2>/dev/null; do
			i=$((i + 1))
			[ $i -gt 1200 ] && die "$1: idle connections not ready"
			sleep 0.1
		done
		grep -q "failed=0" "$tmp/idle.$1.$part" ||
		    die "$1: $(cat "$tmp/idle.$1.$part")"
		sleep 1
	done
	m2=$(anon_bytes "$2")
	printf '%s\t%d\n' "$1" $(( (m2 - m1) / half ))
}

#--------------------------------------------------------------------
# The report: medians of the rounds, then ratios.

report() {		# report RAW IDLE
	awk -F '\t' -v peers="$PEERS" '
	function median(k,   n, i, j, t, v) {
		n = split(vals[k], v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2)
	}
	function add(k, x) { vals[k] = vals[k] " " x }
	FILENAME == ARGV[1] {
		add($1 SUBSEP $2 SUBSEP "rps", $4)
		add($1 SUBSEP $2 SUBSEP "core", $5 > 0 ? $7 / $5 : 0)
		add($1 SUBSEP $2 SUBSEP "ctx", $6 / $7)
		next
	}
	{ idle[$1] = $2 }
	END {
		np = split(peers, p, " ")
		print "| | req/s 100 B | req/s 16 KiB | req/s per own core (100 B) | context switches / req (100 B) | bytes / idle conn (marginal) |"
		print "| --- | ---: | ---: | ---: | ---: | ---: |"
		for (i = 1; i <= np; i++) {
			x = p[i]
			r[x, 1] = median(x SUBSEP "small" SUBSEP "rps")
			r[x, 2] = median(x SUBSEP "medium" SUBSEP "rps")
			r[x, 3] = median(x SUBSEP "small" SUBSEP "core")
			r[x, 4] = median(x SUBSEP "small" SUBSEP "ctx")
			r[x, 5] = idle[x]
			printf("| %s | %d | %d | %d | %.2f | %s |\n", x, r[x, 1],
			    r[x, 2], r[x, 3], r[x, 4], (x in idle) ? idle[x] : "n/a")
		}
		for (i = 1; i < np; i++) {
			printf "| frontd / %s |", p[i]
			for (c = 1; c <= 5; c++)
				printf(" %s |", (r[p[i], c] > 0 && r["frontd", c] != "") ? \
				    sprintf("%.2f", r["frontd", c] / r[p[i], c]) : "n/a")
			printf("\n")
		}
	}' "$1" "$2"
}

#--------------------------------------------------------------------

for t in haproxy nginx wrk python3 curl pgrep; do
	command -v $t >/dev/null 2>&1 || die "$t missing (make bench-peers installs it)"
done
[ -x "$FRONTD" ] || die "$FRONTD missing (make bench-peers builds it)"
ulimit -n "$(ulimit -H -n)" 2>/dev/null
MAXCONN=$(( ($(ulimit -n) - 200) / 2 ))	# HAProxy takes 2 fds a connection
[ $MAXCONN -gt $((IDLE + 100)) ] || die "fd limit $(ulimit -n) too low for IDLE"

start_origin
raw="$tmp/raw.tsv"
: > "$raw"
for x in $PEERS; do
	start_peer "$x"
	eval "pid_$x=$ppid"
done
echo "bench-peers: $ROUNDS rounds x ${DURATION}s, wrk -t1 -c50, $NCPU cores" >&2
r=1
while [ $r -le "$ROUNDS" ]; do
	for obj in small medium; do
		for x in $PEERS; do
			eval "p=\$pid_$x"
			measure "$x" "$p" "$obj" "$r" | tee -a "$raw" >&2
		done
	done
	r=$((r + 1))
done
: > "$tmp/idle.txt"
if [ "$IDLE" -gt 0 ]; then
	for x in $PEERS; do
		eval "p=\$pid_$x"
		idle_cost "$x" "$p" | tee -a "$tmp/idle.txt" >&2
	done
fi

{
	echo "# bench-peers $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	echo "\`make bench-peers\` (tests/bench/peers.sh) on $NCPU cores" \
	    "($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo))," \
	    "Linux $(uname -r); load average at the end:" \
	    "$(cut -d' ' -f1-3 /proc/loadavg)."
	echo "$ROUNDS interleaved rounds of wrk -t1 -c50 -d${DURATION}s per" \
	    "proxy and object, medians; wrk, the nginx origin (1 worker) and" \
	    "the proxy share the cores.  Idle: $IDLE keep-alive connections," \
	    "Pss_Anon growth over the second half, per connection."
	echo
	for x in $PEERS; do echo "- $x: $(version "$x")"; done
	echo
	report "$raw" "$tmp/idle.txt"
	echo
	echo "A ratio above 1 favours frontd in the first three columns," \
	    "below 1 in the last two (fewer switches, fewer bytes)."
	echo
	echo "Runs (peer, object, round, req/s, proxy CPU s, context" \
	    "switches, requests, wrk errors):"
	echo
	echo '```'
	cat "$raw"
	echo '```'
} > "$tmp/report.md"
cat "$tmp/report.md"
if [ "$OUT" != "-" ]; then
	mkdir -p "$(dirname "$OUT")"
	cp "$tmp/report.md" "$OUT"
	echo "bench-peers: report in $OUT" >&2
fi
