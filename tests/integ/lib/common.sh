# Shared by the integration scripts: a temp dir, cleanup of everything
# started, and waiting for ports.  Source it; FRONTD, FPORT, TOP are set by
# tests/run.sh.

set -u
FPORT=${FPORT:-18300}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontd-it.XXXXXX")
pids=""

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	[ -f "$tmp/frontd.err" ] && { echo "--- frontd stderr"; tail -n 20 "$tmp/frontd.err"; }
	exit 1
}

waitport() {
	"$TOP/tests/integ/waitport" "$@"
}

# wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds; fails
# (status 1) after SECONDS.  For a condition, instead of a fixed sleep.
wait_for() {
	wf_n=$(($1 * 20))
	shift
	while ! "$@" >/dev/null 2>&1; do
		wf_n=$((wf_n - 1))
		[ $wf_n -gt 0 ] || return 1
		sleep 0.05
	done
}

# start_origin PORT: the Python origin (lib/origin.py)
start_origin() {
	python3 "$TOP/tests/integ/lib/origin.py" "$1" &
	pids="$pids $!"
	waitport "$1" || fail "origin did not start"
}

# start_frontd CONF: frontd -F in the background; sets fpid
start_frontd() {
	"$FRONTD" -F -f "$1" 2>>"$tmp/frontd.err" &
	fpid=$!
	pids="$pids $fpid"
}
