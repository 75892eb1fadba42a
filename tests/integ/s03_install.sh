#!/bin/sh
# "make install" into a DESTDIR puts every file where frontd(8) says, with
# the service files pointing at the installed paths, and never overwrites
# an existing frontd.conf.  Both service frameworks are installed (INIT=
# systemd and INIT=smf), and PREFIX=/usr puts the configuration in /etc.
set -eu

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${B:-$TOP/build}
cd "$TOP"

if [ ! -x "$B/frontd" ]; then
	echo "$B/frontd not built; install test skipped"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontd-s03.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

fail() {
	echo "FAIL: $*"
	exit 1
}

# inst DESTDIR VAR=VALUE...: make install, quietly unless it fails.
inst() {
	d=$1
	shift
	if ! make -s -C "$TOP" install DESTDIR="$d" B="$B" "$@" \
	    >"$tmp/make.out" 2>&1; then
		cat "$tmp/make.out"
		fail "make install DESTDIR=$d $*"
	fi
}

# file PATH MODE [SOURCE]: PATH is a regular file of MODE (same bytes as
# SOURCE if given).
file() {
	[ -f "$1" ] || fail "$1 not installed"
	_m=$(stat -c %a "$1")
	[ "$_m" = "$2" ] || fail "$1: mode $_m, want $2"
	if [ $# -ge 3 ]; then
		cmp -s "$1" "$3" || fail "$1 differs from $3"
	fi
}

has() {
	grep -qF -- "$2" "$1" || fail "$1: expected to contain: $2"
}

hasnot() {
	if grep -q -- "$2" "$1"; then
		fail "$1: should not match: $2"
	fi
}

#--------------------------------------------------------------------
# PREFIX=/usr/local with systemd

d="$tmp/d1"
inst "$d" PREFIX=/usr/local INIT=systemd
p="$d/usr/local"
file "$p/sbin/frontd" 755 "$B/frontd"
file "$p/etc/frontd/frontd.conf" 644 conf/frontd.conf
file "$p/etc/frontd/frontd.conf.sample" 644 conf/frontd.conf
file "$p/share/doc/frontd/frontd.conf.example" 644 conf/frontd.conf.example
file "$p/share/man/man8/frontd.8" 644 daemon/frontd.8
file "$p/share/man/man5/frontd.conf.5" 644 conf/frontd.conf.5
u="$p/lib/systemd/system/frontd.service"
file "$u" 644
has "$u" "ExecStartPre=/usr/local/sbin/frontd -t -f /usr/local/etc/frontd/frontd.conf"
has "$u" "ExecStart=/usr/local/sbin/frontd -f /usr/local/etc/frontd/frontd.conf"
hasnot "$u" '[= ]/usr/sbin/frontd'
hasnot "$u" '[= ]/etc/frontd/'
[ ! -e "$d/lib/svc" ] || fail "SMF files installed with INIT=systemd"
if find "$d" -name '*.new' | grep -q .; then
	fail "temporary files left: $(find "$d" -name '*.new')"
fi

# The installed unit passes systemd's own check, with its binary path
# pointing into DESTDIR (systemd-analyze wants it to exist).
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|/usr/local/sbin/frontd|$p/sbin/frontd|g" "$u" \
	    >"$tmp/frontd.service"
	if ! systemd-analyze verify --man=no "$tmp/frontd.service" \
	    >"$tmp/verify.out" 2>&1; then
		cat "$tmp/verify.out"
		fail "systemd-analyze verify frontd.service"
	fi
	echo "frontd.service: systemd-analyze verify clean"
else
	echo "systemd-analyze missing; unit check skipped"
fi

# A second install keeps an edited frontd.conf and refreshes the sample.
echo "# edited by the administrator" >>"$p/etc/frontd/frontd.conf"
cp "$p/etc/frontd/frontd.conf" "$tmp/edited.conf"
echo "# stale" >>"$p/etc/frontd/frontd.conf.sample"
inst "$d" PREFIX=/usr/local INIT=systemd
file "$p/etc/frontd/frontd.conf" 644 "$tmp/edited.conf"
file "$p/etc/frontd/frontd.conf.sample" 644 conf/frontd.conf
has "$tmp/make.out" "keeping"
echo "PREFIX=/usr/local, systemd: ok"

#--------------------------------------------------------------------
# PREFIX=/usr/local with SMF (what uname -s = SunOS selects)

d="$tmp/d2"
inst "$d" PREFIX=/usr/local INIT=smf
p="$d/usr/local"
file "$p/sbin/frontd" 755 "$B/frontd"
x="$d/lib/svc/manifest/network/http/frontd.xml"
m="$d/lib/svc/method/frontd"
file "$x" 444
file "$m" 555
has "$x" '<propval name="file" type="astring" value="/usr/local/etc/frontd/frontd.conf"/>'
has "$x" 'manpath="/usr/local/share/man"'
has "$x" 'exec="/lib/svc/method/frontd %m"'
has "$m" 'FRONTD=${FRONTD:-/usr/local/sbin/frontd}'
[ ! -e "$p/lib/systemd" ] || fail "systemd unit installed with INIT=smf"
sh -n "$m" || fail "$m: sh -n"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$x" || fail "$x: not well-formed"
	dtd="$TOP/../shared/smf/service_bundle.dtd.1"
	if [ -f "$dtd" ]; then
		xmllint --noout --nowarning --dtdvalid "$dtd" "$x" ||
		    fail "$x: not valid"
	fi
fi
echo "PREFIX=/usr/local, smf: ok"

#--------------------------------------------------------------------
# PREFIX=/usr: configuration in /etc, unit in /lib/systemd/system

d="$tmp/d3"
inst "$d" PREFIX=/usr INIT=systemd
file "$d/usr/sbin/frontd" 755 "$B/frontd"
file "$d/etc/frontd/frontd.conf" 644 conf/frontd.conf
file "$d/usr/share/man/man8/frontd.8" 644 daemon/frontd.8
u="$d/lib/systemd/system/frontd.service"
file "$u" 644 smf/frontd.service
[ ! -e "$d/usr/etc" ] || fail "PREFIX=/usr installed into /usr/etc"
echo "PREFIX=/usr, systemd: ok"

# Without a binary, install refuses and says why.
if make -s -C "$TOP" install DESTDIR="$tmp/d4" B="$tmp/nobuild" \
    >"$tmp/make.out" 2>&1; then
	fail "install without a binary succeeded"
fi
has "$tmp/make.out" "run make first"
echo "ok"
