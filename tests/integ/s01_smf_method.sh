#!/bin/sh
# The SMF method script smf/frontd, run on Linux under every POSIX shell at
# hand (dash, bash, ksh: illumos runs it under ksh93), with stand-ins for
# what illumos provides:
#   smf_include.sh  the SMF_EXIT_* values and smf_clear_env
#   svcprop         answers config/file (escaped like the real one) and
#                   restarter/contract, logs its arguments
#   pkill           "pkill -HUP -c CTID" sends SIGHUP to the stand-in daemon
#   frontd          "-t -f FILE" runs the real $FRONTD -t when it works,
#                   otherwise imitates it; "-f FILE" starts a small daemon
#                   that records the signals it gets, and returns once that
#                   daemon is "listening" (as frontd's parent does)
# Cases: good start -> 0; bad start -> 96 (SMF_EXIT_ERR_CONFIG) and no
# daemon; refresh with a bad or missing file -> 0 and no SIGHUP; refresh
# with a good file -> SIGHUP delivered; empty property -> 96; the daemon's
# own start-up failures mapped (78 -> 96, 64 -> 95, 71 kept); no SMF_FMRI
# -> 99; unknown method -> 95.
set -eu

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
METHOD="$TOP/smf/frontd"
FMRI=svc:/network/http/frontd:default
CTID=4242

tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontd-s01.XXXXXX")
STUB="$tmp/stub"
mkdir -p "$STUB" "$tmp/bin" "$tmp/conf dir"
export STUB

stop_daemon() {
	if [ -s "$STUB/daemon.pid" ]; then
		kill "$(cat "$STUB/daemon.pid")" 2>/dev/null || :
		rm -f "$STUB/daemon.pid"
	fi
}
cleanup() {
	stop_daemon
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

#--------------------------------------------------------------------
# Stand-ins

cat >"$tmp/smf_include.sh" <<'EOF'
# stand-in for /lib/svc/share/smf_include.sh
SMF_EXIT_OK=0
SMF_EXIT_ERR_FATAL=95
SMF_EXIT_ERR_CONFIG=96
SMF_EXIT_MON_DEGRADE=97
SMF_EXIT_MON_OFFLINE=98
SMF_EXIT_ERR_NOSMF=99
SMF_EXIT_ERR_PERM=100
smf_clear_env() {
	unset SMF_FMRI SMF_METHOD SMF_RESTARTER SMF_ZONENAME
}
EOF

cat >"$tmp/bin/svcprop" <<EOF
#!/bin/sh
# stand-in: svcprop -p PROP FMRI
echo "\$*" >>"\$STUB/svcprop.log"
if [ \$# -ne 3 ] || [ "\$1" != -p ] || [ "\$3" != "$FMRI" ]; then
	echo "svcprop stand-in: unexpected arguments: \$*" >&2
	exit 2
fi
case "\$2" in
config/file)		v=\$(cat "\$STUB/prop.file") ;;
restarter/contract)	v=$CTID ;;
*)	echo "svcprop: Couldn't find property \$2 for \$3." >&2; exit 1 ;;
esac
if [ -z "\$v" ]; then
	echo '""'
else
	printf '%s\n' "\$v" | sed 's/[ \\\\]/\\\\&/g'
fi
EOF

cat >"$tmp/bin/pkill" <<EOF
#!/bin/sh
# stand-in: pkill -HUP -c CTID signals the processes of contract CTID
echo "\$*" >>"\$STUB/pkill.log"
if [ \$# -ne 3 ] || [ "\$1" != -HUP ] || [ "\$2" != -c ] || [ "\$3" != $CTID ]; then
	echo "pkill stand-in: unexpected arguments: \$*" >&2
	exit 2
fi
[ -s "\$STUB/daemon.pid" ] || exit 1
kill -HUP "\$(cat "\$STUB/daemon.pid")"
EOF

cat >"$tmp/bin/frontd" <<'EOF'
#!/bin/sh
# stand-in for frontd: -t -f FILE checks, -f FILE starts a daemon
echo "$*" >>"$STUB/frontd.log"
if [ "$1" = -t ]; then
	if [ -n "${REAL_FRONTD:-}" ]; then
		exec "$REAL_FRONTD" "$@"
	fi
	if grep -q no_such_key "$3"; then
		echo "$3:2: no such option 'no_such_key'" >&2
		exit 78
	fi
	exit 0
fi
if [ "$1" != -f ] || [ $# -ne 2 ]; then
	echo "frontd stand-in: unexpected arguments: $*" >&2
	exit 64
fi
env | grep '^SMF_' >"$STUB/start.env" || :
rm -f "$STUB/daemon.pid"
# A start-up failure, as <sysexits.h> says it.
if [ -s "$STUB/start.rc" ]; then
	echo "frontd: cannot start (stand-in)" >&2
	exit "$(cat "$STUB/start.rc")"
fi
# The "daemon": records SIGHUP, exits on SIGTERM, writes its pid once its
# handlers are in place (its "listening").
sh -c 'trap "echo HUP >>\"\$STUB/signals\"" HUP
	trap "exit 0" TERM
	echo $$ >"$STUB/daemon.pid.new"
	mv "$STUB/daemon.pid.new" "$STUB/daemon.pid"
	while :; do sleep 1 & wait $!; done' </dev/null >/dev/null 2>&1 &
i=0
while [ ! -s "$STUB/daemon.pid" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || exit 1
	sleep 0.05
done
exit 0
EOF
chmod +x "$tmp/bin/svcprop" "$tmp/bin/pkill" "$tmp/bin/frontd"

#--------------------------------------------------------------------
# Configurations; the path has a blank, which svcprop escapes.

good="$tmp/conf dir/good.conf"
bad="$tmp/conf dir/bad.conf"
cat >"$good" <<'EOF'
listen = {"127.0.0.1:18480"}
backend "web1" {
	address = "127.0.0.1:18481"
}
EOF
cat >"$bad" <<'EOF'
listen = {"127.0.0.1:18480"}
no_such_key = 1
backend "web1" {
	address = "127.0.0.1:18481"
}
EOF

# The real binary checks the configuration once its -t works.
REAL_FRONTD=
if [ -n "${FRONTD:-}" ] && [ -x "$FRONTD" ]; then
	if "$FRONTD" -t -f "$good" >"$tmp/t.out" 2>&1; then
		REAL_FRONTD=$FRONTD
		echo "configuration checks by $FRONTD -t"
	else
		echo "$FRONTD -t does not accept a good file yet; imitated:"
		sed 's/^/  | /' "$tmp/t.out"
	fi
else
	echo "no frontd binary; configuration checks imitated"
fi
export REAL_FRONTD

#--------------------------------------------------------------------

SH=
fail() {
	echo "FAIL ($SH): $*"
	echo "  method output:"
	sed 's/^/  | /' "$tmp/out"
	exit 1
}

# method [ARG]: run the method as svc.startd would; sets rc.
method() {
	rc=0
	env PATH="$tmp/bin:$PATH" FRONTD_SMF_INCLUDE="$tmp/smf_include.sh" \
	    FRONTD="$tmp/bin/frontd" SMF_FMRI="$FMRI" SMF_METHOD="${1:-}" \
	    SMF_RESTARTER=svc:/system/svc/restarter:default \
	    SMF_ZONENAME=global \
	    "$SH" "$METHOD" "$@" </dev/null >"$tmp/out" 2>&1 || rc=$?
}

count() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# wait_hup N: the daemon has recorded N SIGHUPs within 5 s.
wait_hup() {
	i=0
	while [ "$(count "$STUB/signals")" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.05
	done
}

shells=
seen=
for s in dash bash ksh93 ksh mksh; do
	p=$(command -v "$s" 2>/dev/null) || continue
	r=$(readlink -f "$p" 2>/dev/null) || r=$p
	case " $seen " in *" $r "*) continue ;; esac
	seen="$seen $r"
	shells="$shells $p"
done
[ -n "$shells" ] || shells=/bin/sh

for SH in $shells; do
	rm -f "$STUB"/*.log "$STUB/signals" "$STUB/start.env"

	# start, good file: the daemon runs, without SMF_ variables.
	printf '%s\n' "$good" >"$STUB/prop.file"
	method start
	[ $rc -eq 0 ] || fail "start with a good file: exit $rc, want 0"
	[ -s "$STUB/daemon.pid" ] || fail "start: no daemon"
	kill -0 "$(cat "$STUB/daemon.pid")" 2>/dev/null ||
	    fail "start: daemon not running"
	grep -qxF -- "-t -f $good" "$STUB/frontd.log" ||
	    fail "start: no check of '$good'"
	[ "$(tail -n 1 "$STUB/frontd.log")" = "-f $good" ] ||
	    fail "start: daemon not started last with -f '$good'"
	[ ! -s "$STUB/start.env" ] ||
	    fail "start: SMF_ variables reach the daemon: $(cat "$STUB/start.env")"
	if grep -q -- '-c' "$STUB/svcprop.log"; then
		fail "svcprop used with -c (uncommitted values)"
	fi

	# refresh, good file: SIGHUP to the contract.
	method refresh
	[ $rc -eq 0 ] || fail "refresh with a good file: exit $rc, want 0"
	grep -qxF -- "-HUP -c $CTID" "$STUB/pkill.log" 2>/dev/null ||
	    fail "refresh with a good file: no pkill -HUP -c $CTID"
	wait_hup 1 || fail "refresh with a good file: daemon got no SIGHUP"

	# refresh, bad file: exit 0, no signal, the reason in the log.
	printf '%s\n' "$bad" >"$STUB/prop.file"
	npk=$(count "$STUB/pkill.log")
	method refresh
	[ $rc -eq 0 ] || fail "refresh with a bad file: exit $rc, want 0"
	[ "$(count "$STUB/pkill.log")" -eq "$npk" ] ||
	    fail "refresh with a bad file: pkill called"
	grep -q 'rejected' "$tmp/out" ||
	    fail "refresh with a bad file: nothing logged"
	if [ -n "$REAL_FRONTD" ]; then
		grep -q "bad.conf:[0-9]" "$tmp/out" ||
		    fail "refresh with a bad file: no FILE:LINE from frontd -t"
	fi

	# refresh, missing file: exit 0, no signal.
	printf '%s\n' "$tmp/conf dir/missing.conf" >"$STUB/prop.file"
	method refresh
	[ $rc -eq 0 ] || fail "refresh with a missing file: exit $rc, want 0"
	[ "$(count "$STUB/pkill.log")" -eq "$npk" ] ||
	    fail "refresh with a missing file: pkill called"
	sleep 0.2
	[ "$(count "$STUB/signals")" -eq 1 ] ||
	    fail "daemon got $(count "$STUB/signals") SIGHUPs, want 1"
	stop_daemon

	# start, bad file: SMF_EXIT_ERR_CONFIG, and no daemon started.
	printf '%s\n' "$bad" >"$STUB/prop.file"
	method start
	[ $rc -eq 96 ] || fail "start with a bad file: exit $rc, want 96"
	[ ! -s "$STUB/daemon.pid" ] || fail "start with a bad file: daemon started"
	if grep -qxF -- "-f $bad" "$STUB/frontd.log"; then
		fail "start with a bad file: daemon run"
	fi

	# start, missing file or empty property: 96.
	printf '%s\n' "$tmp/conf dir/missing.conf" >"$STUB/prop.file"
	method start
	[ $rc -eq 96 ] || fail "start with a missing file: exit $rc, want 96"
	: >"$STUB/prop.file"
	method start
	[ $rc -eq 96 ] || fail "start with an empty config/file: exit $rc, want 96"
	[ ! -s "$STUB/daemon.pid" ] || fail "start without a file: daemon started"

	# The daemon fails to start: EX_CONFIG 78 -> 96, EX_USAGE 64 -> 95,
	# EX_OSERR 71 (address in use) passes through to be retried.
	printf '%s\n' "$good" >"$STUB/prop.file"
	for m in 78:96 64:95 71:71; do
		echo "${m%%:*}" >"$STUB/start.rc"
		method start
		[ $rc -eq "${m#*:}" ] ||
		    fail "daemon exits ${m%%:*} at start: exit $rc, want ${m#*:}"
	done
	rm -f "$STUB/start.rc"

	# Not under SMF: 99.  Unknown method: 95.
	rc=0
	env FRONTD_SMF_INCLUDE="$tmp/smf_include.sh" FRONTD="$tmp/bin/frontd" \
	    "$SH" "$METHOD" start </dev/null >"$tmp/out" 2>&1 || rc=$?
	[ $rc -eq 99 ] || fail "without SMF_FMRI: exit $rc, want 99"
	printf '%s\n' "$good" >"$STUB/prop.file"
	method stop
	[ $rc -eq 95 ] || fail "unknown method: exit $rc, want 95"
	method
	[ $rc -eq 95 ] || fail "no method: exit $rc, want 95"

	echo "ok $SH"
done
echo "ok"
