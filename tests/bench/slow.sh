#!/bin/sh
# Copyright (c) 2026 The frontd authors
# SPDX-License-Identifier: BSD-2-Clause
#
# make bench-slow: slow clients against HAProxy, nginx and frontd, one
# proxy at a time, while legitimate clients go on; writes a Markdown
# report.
#
# The proxies and the nginx origin are those of make bench-peers
# (tests/bench/peers_lib.sh).  For each proxy in turn:
#
#   1. baseline: "wrk -t1 -c20 -dLEGIT" on /small (100 B), no attack;
#   2. for each attack -- slow headers (slowhttptest -H), slow body (-B,
#      an 8 KiB POST sent a few bytes at a time) and slow read (-X, three
#      pipelined GETs of a 1 MiB object read 32 bytes every 2 s through
#      a small window) -- CONNS attack connections opened at RATE a
#      second for ATTACK seconds; once they are open, the same wrk as the
#      baseline runs for LEGIT seconds beside them.
#
# With ROUNDS > 1 all of it is done ROUNDS times, the proxies in turn in
# each round, and each figure is the median over the rounds; a ratio is
# taken against the baseline of its own round, and the ratios of every
# round are listed too.  On two shared cores one round moves by 0.1 or
# more: compare medians.
#
# Reported per proxy and attack: legitimate req/s under attack as a
# ratio of that proxy's own baseline (both measured in this run), wrk's
# errors (non-2xx answers plus socket errors), the most attack
# connections slowhttptest saw open at once, the proxy's peak resident
# memory (VmRSS summed over its processes, sampled every 0.5 s) and
# peak open descriptors, its resident memory just before the attack and
# SETTLE seconds after slowhttptest ended, the CPU time (user +
# system) its processes used from the start of the attack to then, and
# the attacker's CPU time while wrk ran (see cap_init for its quota).
#
# Each proxy keeps its own timeouts (those of bench-peers: HAProxy
# "timeout http-request 10s", nginx's defaults of 60 s, frontd's
# timeout_req 10s, timeout_body 30s and timeout_client 30s), so how long
# each holds a slow client is part of what is measured.  Everything
# shares the machine's cores: on a small, shared box compare the ratios,
# not the req/s.
#
# Settings (environment): CONNS (3000), RATE (1000 a second), ATTACK
# (36 s), LEGIT (24 s), SETTLE (5 s), PEERS ("haproxy nginx frontd"),
# ATTACKS ("headers body read"), ROUNDS (1), ATTACKER_CPU (25: percent
# of one core slowhttptest may use, 0 for no cap; see cap_init), OUT
# (tests/bench/results/slow-DATE.md; "-" for none), B (build dir).  About
# 8 minutes a round with the defaults.
# Needs slowhttptest, haproxy, nginx, wrk, python3 and procps (make
# bench-slow installs what is missing).  Linux only: it reads /proc.
#
# Rejected: all three proxies under attack at once (they would share the
# attacker and the cores, and one's timeouts would change the others'
# numbers), and slowhttptest's own probe as the legitimate load (one
# request at a time: it tells up from down, not how much).

set -u
LC_ALL=C
export LC_ALL
PATH=$PATH:/usr/sbin:/sbin
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
FRONTD=${FRONTD:-$top/$B/frontd}
CONNS=${CONNS:-3000}
RATE=${RATE:-1000}
ATTACK=${ATTACK:-36}
LEGIT=${LEGIT:-24}
SETTLE=${SETTLE:-5}
PEERS=${PEERS:-haproxy nginx frontd}
ATTACKS=${ATTACKS:-headers body read}
ROUNDS=${ROUNDS:-1}
ATTACKER_CPU=${ATTACKER_CPU:-25}
OUT=${OUT:-$top/tests/bench/results/slow-$(date -u +%Y-%m-%d).md}
NCPU=$(getconf _NPROCESSORS_ONLN)
HZ=$(getconf CLK_TCK)
OPORT=18380		# not bench-peers' ports: both may run at once
me=bench-slow
tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontd-slow.XXXXXX")
pids=""
asroot=""
[ "$(id -u)" = 0 ] && asroot="user root;"

. "$top/tests/bench/peers_lib.sh"

#--------------------------------------------------------------------
# Legitimate load, the attacker and the sampler.

legit() {		# legit PEER OUT: wrk's output in OUT
	wrk -t1 -c20 -d"${LEGIT}s" --timeout 5s \
	    "http://127.0.0.1:$(port_of "$1")/small" > "$2" 2>&1
}

# "req/s errors" from wrk's output; errors are non-2xx plus socket errors.
wrk_sum() {
	awk '
	    /^Requests\/sec/ { rps = $2 }
	    /Non-2xx/ { bad += $NF }
	    /Socket errors/ {
		gsub(/,/, "")
		bad += $4 + $6 + $8 + $10
	    }
	    END { printf "%.0f %d\n", rps, bad }' "$1"
}

attack() {		# attack PEER KIND: slowhttptest in the background
	url="http://127.0.0.1:$(port_of "$1")"
	case $2 in
	headers) set -- -H -i 2 -u "$url/small" ;;
	body) set -- -B -i 2 -s 8192 -u "$url/small" ;;
	read) set -- -X -k 3 -n 2 -z 32 -w 512 -y 1024 -u "$url/large" ;;
	esac
	# in the capped group from its first instruction (see cap_init)
	sh -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs"; shift; exec "$@"' \
	    sh "$cg" slowhttptest "$@" -c "$CONNS" -r "$RATE" -l "$ATTACK" \
	    -p 5 > "$tmp/attack.out" 2>&1 &
	apid=$!
	pids="$pids $apid"
}

# slowhttptest 1.8.2 (Debian 12) busy-loops: once its probe or any of its
# connections is closed, poll() keeps being handed the closed descriptor
# and returns POLLNVAL at once, so it spins a whole core from the first
# close until its last connection is closed or the test ends.  On a
# shared machine that core comes out of the legitimate traffic for as
# long as the proxy holds slow clients (under slow read, to the end
# whatever the proxy does); an attacker on another host costs the proxy
# nothing.  So the attacker runs in a cgroup of its own with at most
# ATTACKER_CPU percent of one core: enough for what the attack itself
# does (1000 connects a second, a few bytes per connection every 2 s),
# not for the spin.  Its CPU time beside wrk is reported.
cap_init() {		# sets cg and capinfo
	cg=""
	capinfo="not capped (ATTACKER_CPU=0)"
	[ "$ATTACKER_CPU" -gt 0 ] || return 0
	q=$((ATTACKER_CPU * 1000))
	if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		echo +cpu > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
		d=/sys/fs/cgroup/frontd-slow.$$
		mkdir "$d" 2>/dev/null && cg=$d &&
		    echo "$q 100000" > "$d/cpu.max" 2>/dev/null
	elif [ -w /sys/fs/cgroup/cpu/cgroup.procs ]; then
		d=/sys/fs/cgroup/cpu/frontd-slow.$$
		mkdir "$d" 2>/dev/null && cg=$d &&
		    echo 100000 > "$d/cpu.cfs_period_us" &&
		    echo "$q" > "$d/cpu.cfs_quota_us" 2>/dev/null
	fi
	if [ $? -eq 0 ] && [ -n "$cg" ]; then
		capinfo="capped at $ATTACKER_CPU% of one core (a cgroup's CPU quota)"
		return 0
	fi
	cap_fini
	cg=""
	capinfo="NOT capped (no writable cgroup CPU controller)"
	echo "$me: the attacker is $capinfo" >&2
}

cap_fini() {
	[ -n "$cg" ] && [ -d "$cg" ] && rmdir "$cg" 2>/dev/null
	return 0
}

sampler() {		# sampler PID OUT: "rss_kb fds" every 0.5 s
	while :; do
		echo "$(rss_kb "$1") $(fd_count "$1")" >> "$2"
		sleep 0.5
	done
}

atk_ticks() {		# the attacker's CPU ticks in $tmp/atk.ticks, while it lives
	while t=$(cpu_ticks "$apid") && kill -0 "$apid" 2>/dev/null; do
		echo "$t" > "$tmp/atk.ticks.new"
		mv "$tmp/atk.ticks.new" "$tmp/atk.ticks"
		sleep 0.2
	done
}

# One attack on one proxy: a line "peer kind req/s errors held peak_kb
# peak_fds before_kb after_kb cpu_s attacker_cpu_s".
measure() {		# measure PEER PID KIND
	: > "$tmp/samples"
	before=$(rss_kb "$2")
	c0=$(cpu_ticks "$2")
	sampler "$2" "$tmp/samples" &
	spid=$!
	attack "$1" "$3"
	sleep $(( (CONNS + RATE - 1) / RATE + 2 ))
	a0=$(cpu_ticks "$apid")
	echo "$a0" > "$tmp/atk.ticks"
	atk_ticks &
	tpid=$!
	legit "$1" "$tmp/wrk.out"
	kill "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	a1=$(cat "$tmp/atk.ticks")
	i=0
	while kill -0 "$apid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $((ATTACK * 2)) ] && kill "$apid"
		sleep 0.5
	done
	wait "$apid" 2>/dev/null
	sleep "$SETTLE"
	after=$(rss_kb "$2")
	c1=$(cpu_ticks "$2")
	kill "$spid"
	wait "$spid" 2>/dev/null
	held=$(tr '\r' '\n' < "$tmp/attack.out" |
	    sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' |
	    awk '/connected:/ { if ($2 + 0 > m) m = $2 + 0 }
		END { print m + 0 }')
	peak=$(awk '$1 > r { r = $1 } $2 > f { f = $2 }
	    END { print r + 0, f + 0 }' "$tmp/samples")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\n' "$1" "$3" \
	    "$(wrk_sum "$tmp/wrk.out")" "$held" "$peak" "$before" "$after" \
	    "$(echo "$c0 $c1 $HZ" | awk '{ print ($2 - $1) / $3 }')" \
	    "$(echo "$a0 $a1 $HZ" | awk '{ print ($2 - $1) / $3 }')" |
	    tr ' ' '\t'
}

#--------------------------------------------------------------------

# Lines of RAW are "round peer kind req/s errors held peak_kb peak_fds
# before_kb after_kb cpu_s attacker_cpu_s", of BASE "round peer req/s
# errors".  One row per peer and attack, in the order first seen:
# medians over the rounds.
report() {		# report RAW BASE
	awk -F '\t' '
	function med(k, c,    n, i, j, v, a) {
		n = cnt[k]
		for (i = 1; i <= n; i++)
			a[i] = val[k, c, i]
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				v = a[j]; a[j] = a[j - 1]; a[j - 1] = v
			}
		return (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
	}
	FILENAME == ARGV[1] { base[$1, $2] = $3; next }
	{
		k = $2 SUBSEP $3
		if (!(k in cnt)) {
			order[++nk] = k
			cnt[k] = 0
		}
		n = ++cnt[k]
		b = base[$1, $2]
		val[k, "ratio", n] = b > 0 ? $4 / b : 0
		for (c = 4; c <= NF; c++)
			val[k, c, n] = $c
		list[k] = list[k] (n > 1 ? " " : "") \
		    sprintf("%.2f", val[k, "ratio", n])
	}
	END {
		name["headers"] = "slow headers"
		name["body"] = "slow body"
		name["read"] = "slow read"
		for (i = 1; i <= nk; i++) {
			k = order[i]
			split(k, pk, SUBSEP)
			printf("| %s | %s | %d | %.0f | %.2f | %s | %d | " \
			    "%.1f | %.1f | %.0f | %d | %.0f | %.0f |\n", pk[1],
			    name[pk[2]], med(k, 6), med(k, 4),
			    med(k, "ratio"), list[k], med(k, 5), med(k, 11),
			    med(k, 12),
			    med(k, 7) / 1024, med(k, 8), med(k, 9) / 1024,
			    med(k, 10) / 1024)
		}
	}' "$2" "$1"
}

for t in slowhttptest haproxy nginx wrk python3 curl pgrep; do
	command -v $t >/dev/null 2>&1 ||
	    die "$t missing (make bench-slow installs it)"
done
[ -x "$FRONTD" ] || die "$FRONTD missing (make bench-slow builds it)"
ulimit -n "$(ulimit -H -n)" 2>/dev/null
MAXCONN=$(( ($(ulimit -n) - 200) / 2 ))	# HAProxy takes 2 fds a connection
[ $MAXCONN -gt $((CONNS + 500)) ] ||
    die "fd limit $(ulimit -n) too low for CONNS"

cap_init
trap 'cleanup; cap_fini' EXIT
start_origin
raw="$tmp/raw.tsv"
base="$tmp/base.tsv"
: > "$raw"
: > "$base"
echo "bench-slow: $CONNS slow connections for ${ATTACK}s, wrk -t1 -c20" \
    "-d${LEGIT}s beside them, $NCPU cores, $ROUNDS round(s)" >&2
r=1
while [ $r -le "$ROUNDS" ]; do
	for x in $PEERS; do
		start_peer "$x"
		legit "$x" "$tmp/wrk.out"
		printf '%s\t%s\t%s\n' $r "$x" \
		    "$(wrk_sum "$tmp/wrk.out" | tr ' ' '\t')" |
		    tee -a "$base" >&2
		for k in $ATTACKS; do
			printf '%s\t' $r
			measure "$x" "$ppid" "$k"
		done | tee -a "$raw" >&2
		kill "$ppid"
		wait "$ppid" 2>/dev/null
	done
	r=$((r + 1))
done

{
	echo "# bench-slow $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	echo "\`make bench-slow\` (tests/bench/slow.sh) on $NCPU cores" \
	    "($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo))," \
	    "Linux $(uname -r); load average at the end:" \
	    "$(cut -d' ' -f1-3 /proc/loadavg)."
	echo "Each proxy alone in turn: $CONNS slowhttptest connections" \
	    "(opened at $RATE/s, ${ATTACK}s) while wrk -t1 -c20" \
	    "-d${LEGIT}s asks for /small; the baseline is the same wrk" \
	    "without attack, just before, in the same round.  $ROUNDS" \
	    "round(s), the proxies in turn in each; every figure is the" \
	    "median over the rounds.  RSS is VmRSS" \
	    "summed over the proxy's processes; \"after\" is ${SETTLE}s" \
	    "after the attack ended.  Proxy CPU: user + system seconds of" \
	    "its processes from the start of the attack to \"after\"." \
	    "slowhttptest is $capinfo; its CPU time while wrk ran is" \
	    "\"attacker CPU s beside wrk\"."
	echo
	for x in $PEERS; do echo "- $x: $(version "$x")"; done
	echo
	echo "| proxy | attack | attack conns held (max) | legit req/s |" \
	    "vs own baseline | ... by round | wrk errors | proxy CPU s |" \
	    "attacker CPU s beside wrk | peak RSS MiB | peak fds |" \
	    "RSS before MiB | RSS after MiB |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" \
	    "---: | ---: | ---: | ---: |"
	report "$raw" "$base"
	echo
	echo "Baselines (round, proxy, req/s, wrk errors):"
	echo
	echo '```'
	cat "$base"
	echo '```'
} > "$tmp/report.md"
cat "$tmp/report.md"
if [ "$OUT" != "-" ]; then
	mkdir -p "$(dirname "$OUT")"
	cp "$tmp/report.md" "$OUT"
	echo "bench-slow: report in $OUT" >&2
fi
