#!/bin/sh
# Run frontd in the foreground on conf/frontd.conf, in front of a demo
# origin: nginx serving conf/demo/ on 127.0.0.1:8081 (Python's
# http.server if nginx is missing).  Ctrl-C stops both.
#
# B names the build directory (make run sets it).
#
# nginx started as root runs its worker as "nobody", which cannot read a
# checkout under root's home (mode 700) and answers every page 403; so
# as root the worker stays root (it serves loopback only, and stops with
# the demo).  Rejected: copying conf/demo/ to a world-readable directory
# (edits to the checkout would no longer show).  Not root, nginx keeps
# the invoking user anyway.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontd-demo.XXXXXX")
origin=""

stop() {
	[ -n "$origin" ] && kill "$origin" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 0' INT TERM

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
	user=""
	[ "$(id -u)" = 0 ] && user="user root;"
	cat > "$tmp/nginx.conf" <<NGX
$user
daemon off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 100000;
	keepalive_timeout 120s;
	client_body_temp_path $tmp;
	proxy_temp_path $tmp;
	fastcgi_temp_path $tmp;
	uwsgi_temp_path $tmp;
	scgi_temp_path $tmp;
	server {
		listen 127.0.0.1:8081;
		root $top/conf/demo;
	}
}
NGX
	PATH=$PATH:/usr/sbin nginx -c "$tmp/nginx.conf" -p "$tmp" &
	origin=$!
	echo "demo origin: nginx on 127.0.0.1:8081"
else
	python3 -m http.server --bind 127.0.0.1 --directory "$top/conf/demo" \
	    8081 >/dev/null 2>&1 &
	origin=$!
	echo "demo origin: python3 http.server on 127.0.0.1:8081"
fi
echo "frontd on http://127.0.0.1:8080/ (Ctrl-C to stop)"
"$top/$B/frontd" -F -f "$top/conf/frontd.conf"
