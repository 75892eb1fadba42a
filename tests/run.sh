#!/bin/sh
# Run every test and end with one line "N passed, N failed".
#
# Unit programs (build/tests/t_*) print "ok NAME" / "not ok NAME" per case;
# a program that dies without saying counts as one failure.  Integration
# tests in tests/integ/ are varnishtest scripts (*.vtc) and executable
# scripts (*.sh, *.py); each is one case.  B names the build directory.
#
# ONLY=unit or ONLY=integ runs one half; T=PATTERN runs the matching tests.

B=${B:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
B=$(cd "$B" && pwd)
export B FRONTD="$B/frontd" TOP="$top"
pass=0
fail=0
failed=""
log=$(mktemp -d "${TMPDIR:-/tmp}/frontd-tests.XXXXXX")

# Sanitizers: fail on the first report, keep running otherwise.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:${TSAN_OPTIONS:-}"
# TSan cannot map its shadow under large ASLR on new kernels.
NOASLR=""
if [ "$SANITIZE" = thread ] && command -v setarch >/dev/null; then
	NOASLR="setarch $(uname -m) -R"
fi

ulimit -n "$(ulimit -H -n)" 2>/dev/null

match() {
	[ -z "$T" ] && return 0
	case "$1" in *$T*) return 0 ;; esac
	return 1
}

run_unit() {
	name=$(basename "$1")
	out="$log/$name.out"
	timeout 300 $NOASLR "$1" >"$out" 2>&1
	rc=$?
	ok=$(grep -c '^ok ' "$out")
	nok=$(grep -c '^not ok ' "$out")
	pass=$((pass + ok))
	fail=$((fail + nok))
	if [ $nok -gt 0 ]; then
		failed="$failed $(grep '^not ok ' "$out" | sed "s/^not ok /$name:/" | tr '\n' ' ')"
	fi
	if [ $rc -ne 0 ] && [ $nok -eq 0 ]; then
		fail=$((fail + 1))
		failed="$failed $name(exit=$rc)"
	fi
	if [ $rc -ne 0 ]; then
		echo "--- $name (exit $rc)"; tail -n 30 "$out"
	else
		echo "$name: $ok passed"
	fi
}

# Each integration test gets its own port for frontd (FPORT / ${fport});
# scripts also use FPORT+500..+1000 for their origins.  The next port
# whose whole set can be bound is taken, so that another run on the same
# machine (or a port some service holds) does not make a test fail.  All
# of them stay below 32768, where the ephemeral range of Linux and illumos
# begins: a client socket is never given one between the check and the
# bind.  (fdtest.free_port takes 10000-19999 for the same reason.)
port=$((20000 + ($$ * 37) % 11000))
next_port() {
	port=$(python3 - "$((port + 1))" <<'PY'
import socket, sys
p = int(sys.argv[1])
def free(n):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", n))
        return True
    except OSError:
        return False
    finally:
        s.close()
while not all(free(p + d) for d in (0, 500, 600, 700, 1000)):
    p += 1
print(p)
PY
)
}

run_integ() {
	f=$1
	name=$(basename "$f")
	out="$log/$name.out"
	next_port
	case "$f" in
	*.vtc)
		timeout 120 $NOASLR varnishtest -q -t 60 -Dfport="$port" \
		    -Dfrontd="$FRONTD" -Dtop="$top" "$f" >"$out" 2>&1 ;;
	*)
		FPORT=$port timeout 300 $NOASLR "$f" >"$out" 2>&1 ;;
	esac
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "ok $name"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "not ok $name (exit $rc)"; tail -n 40 "$out"
	fi
}

if [ "$ONLY" != integ ]; then
	for t in "$B"/tests/t_*; do
		[ -x "$t" ] || continue
		match "$t" && run_unit "$t"
	done
fi
if [ "$ONLY" != unit ]; then
	for f in tests/integ/*.vtc tests/integ/*.sh tests/integ/*.py; do
		[ -f "$f" ] || continue
		match "$f" && run_integ "$f"
	done
fi

[ -n "$failed" ] && echo "failed:$failed"
echo "logs in $log"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
