# Copyright (c) 2026 The frontd authors
# SPDX-License-Identifier: BSD-2-Clause
#
# peers_lib.sh -- sourced by the benchmarks that set HAProxy, nginx and
# frontd side by side (peers.sh, slow.sh): how each is configured and
# started in front of the nginx origin, and what a process tree costs,
# read from /proc.  One place, so that every report measures the same
# three setups.
#
# The caller sets: top, tmp (a private directory), pids (what cleanup
# kills), me (the name in messages), FRONTD, OPORT (the origin's port;
# the proxies take the next few), NCPU, MAXCONN and asroot ("user
# root;" for nginx when run as root).

#--------------------------------------------------------------------
# Start, stop, wait.

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

die() {
	echo "$me: $*" >&2
	exit 1
}

waitport() {
	i=0
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && die "port $1 never opened"
		sleep 0.1
	done
}

port_of() {
	case $1 in
	haproxy) echo $((OPORT + 1)) ;;
	nginx) echo $((OPORT + 2)) ;;
	frontd) echo $((OPORT + 4)) ;;
	esac
}

#--------------------------------------------------------------------
# What a process tree costs, from /proc.

tree() {		# tree PID: PID and its children
	echo "$1"
	pgrep -P "$1" 2>/dev/null
}

cpu_ticks() {		# user + system ticks of every process of tree $1
	for p in $(tree "$1"); do cat "/proc/$p/stat" 2>/dev/null; done |
	    awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}

ctx_switches() {	# context switches of every thread of tree $1
	for p in $(tree "$1"); do
		cat /proc/"$p"/task/*/status 2>/dev/null
	done | awk '/^(nonv|v)oluntary_ctxt_switches:/ { n += $2 }
	    END { print n + 0 }'
}

anon_bytes() {		# Pss_Anon of tree $1, in bytes
	for p in $(tree "$1"); do
		cat "/proc/$p/smaps_rollup" 2>/dev/null
	done | awk '/^Pss_Anon:/ { kb += $2 } END { print kb * 1024 }'
}

rss_kb() {		# resident kB of tree $1, the sum of VmRSS
	for p in $(tree "$1"); do
		cat "/proc/$p/status" 2>/dev/null
	done | awk '/^VmRSS:/ { kb += $2 } END { print kb + 0 }'
}

fd_count() {		# open descriptors of tree $1
	for p in $(tree "$1"); do
		ls "/proc/$p/fd" 2>/dev/null
	done | wc -l
}

#--------------------------------------------------------------------
# The origin and the three proxies.

nginx_http() {		# what every nginx here has in its http block
	cat <<EOF
	access_log off;
	keepalive_requests 1000000000;
	keepalive_timeout 120s;
	client_body_temp_path $tmp;
	proxy_temp_path $tmp;
	fastcgi_temp_path $tmp;
	uwsgi_temp_path $tmp;
	scgi_temp_path $tmp;
EOF
}

start_origin() {
	mkdir -p "$tmp/www"
	head -c 100 /dev/zero | tr '\0' s > "$tmp/www/small"
	head -c 16384 /dev/zero | tr '\0' m > "$tmp/www/medium"
	head -c 1048576 /dev/zero | tr '\0' l > "$tmp/www/large"
	cat > "$tmp/origin.conf" <<EOF
daemon off;
worker_processes 1;
pid $tmp/origin.pid;
error_log $tmp/origin.err;
$asroot
events { worker_connections 4096; }
http {
$(nginx_http)
	sendfile on;
	server { listen 127.0.0.1:$OPORT; root $tmp/www; }
}
EOF
	nginx -c "$tmp/origin.conf" -p "$tmp" &
	pids="$pids $!"
	waitport $OPORT
}

conf_haproxy() {
	cat <<EOF
global
	nbthread $NCPU
	maxconn $MAXCONN
	tune.pool-high-fd-ratio 90
	tune.pool-low-fd-ratio 80
defaults
	mode http
	timeout connect 3s
	timeout client 120s
	timeout server 30s
	timeout http-request 10s
	timeout http-keep-alive 120s
	http-reuse always
frontend fe
	bind 127.0.0.1:$(port_of haproxy)
	default_backend be
backend be
	server origin 127.0.0.1:$OPORT
EOF
}

conf_nginx() {
	cat <<EOF
daemon off;
worker_processes $NCPU;
$asroot
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections $MAXCONN; }
http {
$(nginx_http)
	upstream origin { server 127.0.0.1:$OPORT; keepalive 64; }
	server {
		listen 127.0.0.1:$(port_of nginx);
		location / {
			proxy_pass http://origin;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
EOF
}

conf_frontd() {
	cat <<EOF
listen = {"127.0.0.1:$(port_of frontd)"}
timeout_idle = 120s
backend "origin" {
	address = "127.0.0.1:$OPORT"
}
EOF
}

start_peer() {		# start_peer NAME: sets $ppid
	"conf_$1" > "$tmp/$1.conf"
	case $1 in
	haproxy) haproxy -db -f "$tmp/haproxy.conf" 2>"$tmp/haproxy.err" & ;;
	nginx) nginx -c "$tmp/nginx.conf" -p "$tmp" & ;;
	frontd) "$FRONTD" -F -f "$tmp/frontd.conf" 2>"$tmp/frontd.err" & ;;
	esac
	ppid=$!
	pids="$pids $ppid"
	waitport "$(port_of "$1")"
	for f in small medium; do
		curl -sf "http://127.0.0.1:$(port_of "$1")/$f" |
		    cmp -s - "$tmp/www/$f" || die "$1: /$f is not the origin's"
	done
}

version() {
	case $1 in
	haproxy) haproxy -v 2>&1 | awk 'NR == 1 { print "HAProxy " $3 }' ;;
	nginx) nginx -v 2>&1 | sed 's/.*nginx\//nginx /' ;;
	frontd) "$FRONTD" -V 2>&1 | head -n 1 ;;
	esac
}
