#!/bin/sh
# c00_config: "frontd -t" on the shipped configurations and on a table of
# bad ones, each of which must give its exact "FILE:LINE: reason" line on
# stderr and exit 78 (EX_CONFIG); then -V, -h and bad options (exit 64).
#
# Environment: FRONTD (the binary), TOP (the source tree).  Under ASan a
# leak report on stderr makes the comparison, and so the test, fail.

: "${FRONTD:?}" "${TOP:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/c00_config.XXXXXX") || exit 1
trap 'rm -rf "$tmp"; [ -z "${made_hosts:-}" ] || rm -f /etc/hosts' EXIT

# A backend named "localhost" below must resolve: a minimal root may have
# no /etc/hosts at all; give it the usual one for the test.
made_hosts=""
if [ ! -e /etc/hosts ] && [ -w /etc ]; then
	printf '127.0.0.1 localhost\n' > /etc/hosts
	made_hosts=1
fi
chmod 755 "$tmp"
pass=0
fail=0

# run WANT_RC WANT_STDOUT WANT_STDERR CMD...: compare exit code and output.
run() {
	want_rc=$1 want_out=$2 want_err=$3
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ] &&
	    [ "$err" = "$want_err" ]; then
		pass=$((pass + 1))
		echo "ok $name"
	else
		fail=$((fail + 1))
		echo "not ok $name: $*"
		echo "  want rc=$want_rc stdout=[$want_out] stderr=[$want_err]"
		echo "  got  rc=$rc stdout=[$out] stderr=[$err]"
	fi
}

# good NAME FILE: frontd -t accepts it.
good() {
	name=$1
	run 0 "frontd: configuration $2 OK" "" "$FRONTD" -t -f "$2"
}

# bad NAME 'SUFFIX' < CONFIG: frontd -t prints FILE SUFFIX, exits 78.
bad() {
	name=$1
	cat >"$tmp/$1.conf"
	run 78 "" "$tmp/$1.conf$2" "$FRONTD" -t -f "$tmp/$1.conf"
}

#--------------------------------------------------------------------
# The shipped files, and the configuration built into the binary.

good default "$TOP/conf/frontd.conf"
good example "$TOP/conf/frontd.conf.example"

name=builtin
if [ -e /etc/frontd/frontd.conf ]; then
	run 0 "frontd: configuration /etc/frontd/frontd.conf OK" "" \
	    "$FRONTD" -t
else
	run 0 "frontd: configuration (built-in) OK" \
	    "frontd: /etc/frontd/frontd.conf not found, using the built-in configuration" \
	    "$FRONTD" -t
fi

cat >"$tmp/every.conf" <<'EOF'
# every key, not at its default; comments of each kind
listen = {"127.0.0.1:8080",	// loopback
	"[::1]:8080", "*:8081", "[::]:8082"}
timeout_idle = 2m
timeout_req = 5		/* a bare number is seconds */
timeout_client = 1500ms
timeout_linger = 0
drain_timeout = 0s
shutdown_delay = 3s
workers = 3
worker_sessions = 1
queue_len = 0
max_connections = 1
max_body_size = 10M
request_buffer = 0
timeout_body = 2000ms
min_rate = 2k
min_rate_grace = 1500ms
max_partial_per_client = 32
head_max = 1k
field_max = 64
nfield_max = 128
target_max = 1k
pidfile = "/run/frontd#1.pid"
user = root
group = "root"
error_log = "/var/log/frontd/error.log"
access_log = '/var/log/frontd // access.log'
access_log_format = json
admin_listen = "[::1]:9180"
resolve_interval = 1m
backend "a" { address = localhost:1 }
backend "b c" {
	address = "[::1]:65535"
	connect_timeout = 1ms
	first_byte_timeout = 1440m
	between_bytes_timeout = 86400s
	idle_timeout = 1
	max_idle = 0
	weight = 50
	max_connections = 10
	backup = true
}
director "d" {
	backends = {"a", "b c"}
	policy = hash
	hash_key = "cookie:sid"
	retries = 0
	queue_timeout = 250ms
	max_queue = 0
}
route "r1" { host = {"Example.com", "*.example.com"} path = {"/a/", "/b"}
	to = "d" }
route "r2" { to = "b c" }
EOF
good every "$tmp/every.conf"

# -t -d prints what frontd will use, as a file that reads back the same.
name=every_dump
run 0 "listen = {\"127.0.0.1:8080\", \"[::1]:8080\", \"*:8081\", \"[::]:8082\"}
timeout_idle = 120s
timeout_req = 5s
timeout_client = 1500ms
timeout_linger = 0s
drain_timeout = 0s
shutdown_delay = 3s
resolve_interval = 60s
workers = 3
worker_sessions = 1
queue_len = 0
max_connections = 1
max_body_size = 10m
request_buffer = 0
timeout_body = 2s
min_rate = 2k
min_rate_grace = 1500ms
max_partial_per_client = 32
head_max = 1k
field_max = 64
nfield_max = 128
target_max = 1k
pidfile = \"/run/frontd#1.pid\"
user = \"root\"
group = \"root\"
error_log = \"/var/log/frontd/error.log\"
access_log = \"/var/log/frontd // access.log\"
access_log_format = \"json\"
admin_listen = \"[::1]:9180\"
# admin_token_file is not set
backend \"a\" {
	address = \"localhost:1\"
	connect_timeout = 3s
	first_byte_timeout = 30s
	between_bytes_timeout = 30s
	idle_timeout = 4s
	max_idle = 64
	weight = 100
	max_connections = 0
	backup = false
}
backend \"b c\" {
	address = \"[::1]:65535\"
	connect_timeout = 1ms
	first_byte_timeout = 86400s
	between_bytes_timeout = 86400s
	idle_timeout = 1s
	max_idle = 0
	weight = 50
	max_connections = 10
	backup = true
}
director \"d\" {
	backends = {\"a\", \"b c\"}
	policy = \"hash\"
	hash_key = \"cookie:sid\"
	retries = 0
	queue_timeout = 250ms
	max_queue = 0
}
route \"r1\" {
	host = {\"Example.com\", \"*.example.com\"}
	path = {\"/a/\", \"/b\"}
	to = \"d\"
}
route \"r2\" {
	to = \"b c\"
}
frontd: configuration $tmp/every.conf OK" "" "$FRONTD" -t -d -f "$tmp/every.conf"
sed '$d' "$tmp/out" >"$tmp/dump.conf"
name=every_roundtrip
"$FRONTD" -t -d -f "$tmp/dump.conf" >"$tmp/out2" 2>&1
run 0 "" "" sh -c "sed '\$d' '$tmp/out2' | cmp -s - '$tmp/dump.conf'"

# admin_listen as a bare port is loopback; the admin secret is read.
printf 'an-admin-secret-of-some-length\n' >"$tmp/token"
chmod 600 "$tmp/token"
printf 'listen = {"127.0.0.1:8080"}\nadmin_listen = ":9181"\nadmin_token_file = "%s"\nbackend "o" { address = "127.0.0.1:8081" }\n' \
    "$tmp/token" >"$tmp/admin.conf"
name=admin_port_only
run 0 "admin_listen = \"127.0.0.1:9181\"
admin_token_file = \"$tmp/token\"" "" sh -c "'$FRONTD' -t -d -f '$tmp/admin.conf' | grep ^admin_"

#--------------------------------------------------------------------
# Bad configurations: the line must be the one at fault.

bad admin_token_missing ":3: admin_token_file /nonexistent/token: No such file or directory" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" { address = "127.0.0.1:8081" }
admin_token_file = "/nonexistent/token"
EOF

bad admin_token_short ":2: admin_token_file /dev/null: not a regular file" <<'EOF'
listen = {"127.0.0.1:8080"}
admin_token_file = "/dev/null"
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad unknown_key ":7: unknown key 'timeout_idel'" <<'EOF'
# A comment.
// Another comment.
/* A comment
   over two lines. */
listen = {"127.0.0.1:8080"}	# trailing comment

timeout_idel = 75s
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad unknown_key_backend ":4: backend 'origin': unknown key 'adress'" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" {
	# a comment
	adress = "127.0.0.1:8081"
}
EOF

bad bad_duration ':3: timeout_req: "10sec": not a duration (a whole number, then ms, s or m)' <<'EOF'
listen = {"127.0.0.1:8080"}
timeout_idle = 75s
timeout_req = 10sec
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad fractional_duration ':2: timeout_idle: "1.5s": not a duration (a whole number, then ms, s or m)' <<'EOF'
listen = {"127.0.0.1:8080"}
timeout_idle = 1.5s
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad zero_duration ':2: timeout_idle: "0": out of range (1ms to 86400s)' <<'EOF'
listen = {"127.0.0.1:8080"}
timeout_idle = 0
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad backend_duration ":5: backend 'origin': connect_timeout: \"2d\": not a duration (a whole number, then ms, s or m)" <<'EOF'
listen = {"127.0.0.1:8080"}

backend "origin" {
	address = "127.0.0.1:8081"
	connect_timeout = 2d
}
EOF

bad bad_size ':3: head_max: "16kb": not a size (a whole number of bytes, or with k, m or g)' <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" { address = "127.0.0.1:8081" }
head_max = 16kb
EOF

bad huge_size ':2: max_body_size: "99999999999999999999": out of range (0 to 1024g)' <<'EOF'
listen = {"127.0.0.1:8080"}
max_body_size = 99999999999999999999
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad bad_count ':2: workers: "-1": not a whole number' <<'EOF'
listen = {"127.0.0.1:8080"}
workers = -1
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad nfield_max ':2: nfield_max: "129": out of range (1 to 128)' <<'EOF'
listen = {"127.0.0.1:8080"}
nfield_max = 129
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad bad_address ":3: backend 'origin': address: \"local/host:8081\": not a numeric address or a host name" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" {
	address = "local/host:8081"
}
EOF

bad host_no_port ":2: backend 'origin': address: \"localhost\": no port (want IPv4:port or [IPv6]:port)" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" { address = "localhost" }
EOF

bad bad_port ":3: backend 'origin': address: \"127.0.0.1:65536\": bad port (1 to 65535)" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" {
	address = "127.0.0.1:65536"
}
EOF

bad ipv6_brackets ":2: backend 'origin': address: \"::1:8081\": an IPv6 address needs brackets: [IPv6]:port" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" { address = "::1:8081" }
EOF

bad wildcard_backend ":2: backend 'origin': address: \"*:8081\": '*' is for listen addresses only" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" { address = "*:8081" }
EOF

bad listen_no_port ':3: listen: "127.0.0.1": no port (want IPv4:port or [IPv6]:port)' <<'EOF'
listen = {
	"127.0.0.1:8080",
	"127.0.0.1"
}
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad missing_address ":4: backend 'second': address is required" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "first" { address = "127.0.0.1:8081" }

backend "second" {
	connect_timeout = 1s
}
EOF

bad duplicate_backend ":6: duplicate backend 'origin'" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" {
	address = "127.0.0.1:8081"
}
# the same name again
backend "origin" {
	address = "127.0.0.1:8082"
}
EOF

bad set_twice ':4: timeout_idle: set twice (first on line 2)' <<'EOF'
listen = {"127.0.0.1:8080"}
timeout_idle = 75s
backend "origin" { address = "127.0.0.1:8081" }
timeout_idle = 60s
EOF

bad no_listen ':2: listen: at least one address is required (where clients connect, as listen = {"127.0.0.1:8080"})' <<'EOF'
# no listen key at all
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad empty_listen ':2: listen: at least one address is required (where clients connect, as listen = {"127.0.0.1:8080"})' <<'EOF'
listen = {}
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad no_backend ':1: no backend section: at least one is required (backend "NAME" { address = "IP:port" })' <<'EOF'
listen = {"127.0.0.1:8080"}
EOF

bad empty_file ':1: listen: at least one address is required (where clients connect, as listen = {"127.0.0.1:8080"})' </dev/null

# the file's control bytes and newlines are not echoed raw
printf 'listen = {"127.0.0.1:80\001\033[2J\nx"}\nbackend "o" { address = "127.0.0.1:1" }\n' |
    bad ctl_bytes ':2: listen: "127.0.0.1:80\x01\x1b[2J\nx": bad port (1 to 65535)'

bad field_over_head ':3: field_max (32k) is larger than head_max (16k)' <<'EOF'
listen = {"127.0.0.1:8080"}
head_max = 16k
field_max = 32k
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad head_under_field ':3: field_max (8k) is larger than head_max (4k)' <<'EOF'
listen = {"127.0.0.1:8080"}

head_max = 4k
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad target_over_head ':2: target_max (20k) is larger than head_max (16k)' <<'EOF'
listen = {"127.0.0.1:8080"}
target_max = 20k
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad relative_pidfile ':2: pidfile: "frontd.pid": not an absolute path' <<'EOF'
listen = {"127.0.0.1:8080"}
pidfile = "frontd.pid"
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad unknown_user ':3: user: "no-such-user-c00": no such user' <<'EOF'
listen = {"127.0.0.1:8080"}

user = "no-such-user-c00"
backend "origin" { address = "127.0.0.1:8081" }
EOF

bad unterminated_comment ':3: unterminated comment' <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" { address = "127.0.0.1:8081" }
/* never closed
timeout_idle = 5s
EOF

bad unclosed_section ":2: '{' without its '}'" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" {
	address = "127.0.0.1:8081"
EOF

bad stray_brace ':3: unexpected closing brace' <<'EOF'
listen = {"127.0.0.1:8080"}
backend "origin" { address = "127.0.0.1:8081" }
}
EOF

#--------------------------------------------------------------------
# Several backends: directors and routes name each other, and every
# name must name something; where requests go is never a silent choice.

bad several_no_route ":5: several backends and no route: say where requests go" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" {
	address = "127.0.0.1:8081"
}
backend "b" {
	address = "127.0.0.1:8082"
}
EOF

bad route_to_nothing ":6: route 'api': to: no director or backend 'apii'" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" { address = "127.0.0.1:8081" }
backend "b" { address = "127.0.0.1:8082" }
route "api" {
	path = {"/api/"}
	to = "apii"
}
route "rest" { to = "b" }
EOF

bad route_without_to ":3: route 'r': to is required" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" { address = "127.0.0.1:8081" }
route "r" {
	path = {"/x/"}
}
EOF

bad director_member ":6: director 'd': backends: no backend 'c'" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" { address = "127.0.0.1:8081" }
backend "b" { address = "127.0.0.1:8082" }
director "d" {
	backends = {"a",
		"c", "b"}
}
route "r" { to = "d" }
EOF

bad director_twice ":3: director 'd': backends: twice the backend 'a'" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" { address = "127.0.0.1:8081" }
director "d" { backends = {"a", "a"} }
route "r" { to = "d" }
EOF

bad director_empty ":3: director 'd': backends: from 1 to 64" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" { address = "127.0.0.1:8081" }
director "d" {
	backends = {}
}
route "r" { to = "d" }
EOF

bad director_backend_name ":3: director 'a': a backend has this name too" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" { address = "127.0.0.1:8081" }
director "a" { backends = {"a"} }
route "r" { to = "a" }
EOF

bad bad_policy ":5: director 'd': policy: \"rr\": not \"random\", \"round_robin\", \"least_conn\" or \"hash\"" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" { address = "127.0.0.1:8081" }
director "d" {
	backends = {"a"}
	policy = "rr"
}
route "r" { to = "d" }
EOF

bad hash_key_without_hash ":4: director 'd': hash_key is for policy \"hash\"" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" { address = "127.0.0.1:8081" }
director "d" { backends = {"a"}
	hash_key = "host"
}
route "r" { to = "d" }
EOF

bad bad_hash_key ":3: director 'd': hash_key: \"header:\": not \"client_ip\", \"host\", \"path\", \"header:NAME\" or \"cookie:NAME\"" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "a" { address = "127.0.0.1:8081" }
director "d" { backends = {"a"} policy = "hash" hash_key = "header:" }
route "r" { to = "d" }
EOF

bad routes_clash ":7: route 'b' cannot be told apart from route 'a' (line 3): host \"EXAMPLE.COM\", path \"/api/\"" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "x" { address = "127.0.0.1:8081" }
route "a" {
	host = {"example.com"}
	path = {"/api/", "/v1/"}
	to = "x" }
route "b" {
	host = {"other.org", "EXAMPLE.COM"}
	path = {"/api/"}
	to = "x"
}
EOF

bad routes_clash_any ":4: route 'b' cannot be told apart from route 'a' (line 3): host any, path any" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "x" { address = "127.0.0.1:8081" }
route "a" { to = "x" }
route "b" { to = "x" }
EOF

bad duplicate_route ":4: duplicate route 'a'" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "x" { address = "127.0.0.1:8081" }
route "a" { to = "x" }
route "a" { path = {"/p/"} to = "x" }
EOF

bad bad_host ":4: route 'a': host: \"example.*\": '*' only as a leading \"*.\"" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "x" { address = "127.0.0.1:8081" }
route "a" {
	host = {"example.com", "example.*"}
	to = "x"
}
EOF

bad host_with_port ":3: route 'a': host: \"example.com:80\": no port in a host pattern (the port is ignored)" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "x" { address = "127.0.0.1:8081" }
route "a" { host = {"example.com:80"} to = "x" }
EOF

bad bad_path ":3: route 'a': path: \"api/\": not a path prefix (starts with '/')" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "x" { address = "127.0.0.1:8081" }
route "a" { path = {"api/"} to = "x" }
EOF

bad probe ":4: backend 'x': probe 'health' is not defined (probe \"health\" { url = \"/\" })" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "x" {
	address = "127.0.0.1:8081"
	probe = "health"
}
EOF

bad probe_method ":3: probe 'p': method: \"POST\": not \"GET\", \"HEAD\" or \"OPTIONS\"" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" {
	method = "POST"
}
backend "x" { address = "127.0.0.1:8081" probe = "p" }
EOF

bad probe_expect ":2: probe 'p': expect: \"6xx\": not a status (\"200\") or a class (\"2xx\")" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" { expect = {200, "6xx"} }
backend "x" { address = "127.0.0.1:8081" probe = "p" }
EOF

bad probe_url ":2: probe 'p': url: \"health\": not a path (starts with '/')" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" { url = "health" }
backend "x" { address = "127.0.0.1:8081" probe = "p" }
EOF

bad probe_host ":2: probe 'p': host: \"a b\": spaces and control bytes are not allowed" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" { host = "a b" }
backend "x" { address = "127.0.0.1:8081" probe = "p" }
EOF

bad probe_threshold ":4: probe 'p': threshold (5) is larger than window (4)" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" {
	window = 4
	threshold = 5
}
backend "x" { address = "127.0.0.1:8081" probe = "p" }
EOF

bad probe_initial ":3: probe 'p': initial (9) is larger than window (8)" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" {
	initial = 9
}
backend "x" { address = "127.0.0.1:8081" probe = "p" }
EOF

bad probe_window ":2: probe 'p': window: \"65\": out of range (1 to 64)" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" { window = 65 }
backend "x" { address = "127.0.0.1:8081" probe = "p" }
EOF

bad probe_interval ":2: probe 'p': interval: \"5 s\": not a duration (a whole number, then ms, s or m)" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" { interval = "5 s" }
backend "x" { address = "127.0.0.1:8081" probe = "p" }
EOF

bad probe_twice ":3: duplicate probe 'p'" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" { url = "/a" }
probe "p" { url = "/b" }
backend "x" { address = "127.0.0.1:8081" probe = "p" }
EOF

bad fail_timeout ":2: backend 'x': fail_timeout: \"10m\": out of range (1ms to 300s)" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "x" { address = "127.0.0.1:8081" fail_timeout = 10m }
EOF

cat >"$tmp/probe_ok.conf" <<'EOF'
listen = {"127.0.0.1:8080"}
probe "p" {
	url = "/health"
	host = "www.example.com"
	method = "HEAD"
	expect = {200, 204, "3xx"}
	interval = 1s
	timeout = 500ms
	window = 5
	threshold = 2
	initial = 0
}
backend "x" { address = "127.0.0.1:8081" probe = "p" fail_limit = 0 }
EOF
good probe_ok "$tmp/probe_ok.conf"

bad zero_weight ":2: backend 'x': weight: \"0\": out of range (1 to 10000)" <<'EOF'
listen = {"127.0.0.1:8080"}
backend "x" { address = "127.0.0.1:8081" weight = 0 }
EOF

name=nul_byte
printf 'listen = {"127.0.0.1:8080"}\nbackend "o" { address = "127.0.0.1:1" }\n#\0\n' \
    >"$tmp/nul.conf"
run 78 "" "$tmp/nul.conf:3: NUL byte in the file" \
    "$FRONTD" -t -f "$tmp/nul.conf"

name=missing_file
run 78 "" "$tmp/none.conf: No such file or directory" \
    "$FRONTD" -t -f "$tmp/none.conf"

name=directory
run 78 "" "$tmp: Is a directory" "$FRONTD" -t -f "$tmp"

# An unreadable file: as root, read it as nobody if setpriv(1) can.
name=unreadable
cp "$TOP/conf/frontd.conf" "$tmp/secret.conf"
chmod 000 "$tmp/secret.conf"
if [ "$(id -u)" != 0 ]; then
	run 78 "" "$tmp/secret.conf: Permission denied" \
	    "$FRONTD" -t -f "$tmp/secret.conf"
elif command -v setpriv >/dev/null 2>&1 &&
    setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$FRONTD" -V >/dev/null 2>&1; then
	run 78 "" "$tmp/secret.conf: Permission denied" \
	    setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$FRONTD" -t -f "$tmp/secret.conf"
else
	echo "ok $name # skipped: root, and cannot run as nobody"
fi

#--------------------------------------------------------------------
# The command line.

usage="usage: frontd [-dFhtV] [-f file]"
version=$(sed -n 's/^#define FRONTD_VERSION[	 ]*"\(.*\)"/\1/p' \
    "$TOP/daemon/version.h")
name=version; run 0 "frontd $version" "" "$FRONTD" -V
name=help; run 0 "$usage" "" "$FRONTD" -h
name=bad_option
run 64 "" "frontd: unknown option -x
$usage" "$FRONTD" -x
name=missing_argument
run 64 "" "frontd: option -f needs an argument
$usage" "$FRONTD" -t -f
name=extra_argument; run 64 "" "$usage" "$FRONTD" -t extra

echo "c00_config: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
