#!/bin/sh
# The manual pages are clean mdoc: "mandoc -Tlint -Wwarning" says nothing.
set -eu

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP"

if ! command -v mandoc >/dev/null 2>&1; then
	echo "mandoc missing (apt-get install mandoc)"
	exit 1
fi

rc=0
for page in daemon/frontd.8 conf/frontd.conf.5; do
	if [ ! -f "$page" ]; then
		echo "$page: missing"
		rc=1
		continue
	fi
	# mandoc exits non-zero and prints each message on a warning or worse.
	if out=$(mandoc -Tlint -Wwarning "$page" 2>&1) && [ -z "$out" ]; then
		echo "$page: clean"
	else
		echo "$page: mandoc -Tlint -Wwarning:"
		printf '%s\n' "$out"
		rc=1
	fi
done

# Every key of the schema in daemon/conf*.[ch] has its ".It Ic KEY" entry:
# those named in CFG_*("key", ...) and the numeric ones of the X(key, ...)
# tables.
src=$(ls daemon/conf*.c daemon/conf*.h 2>/dev/null || :)
if [ -n "$src" ] && [ -f conf/frontd.conf.5 ]; then
	keys=$( {
	    cat $src | grep -o 'CFG_[A-Z_]*( *"[A-Za-z_][A-Za-z_0-9]*"' |
		sed 's/.*"\(.*\)"/\1/'
	    cat $src | sed -n 's/^[[:space:]]*X(\([a-z_][a-z_0-9]*\),.*/\1/p'
	} | sort -u)
	if [ -z "$keys" ]; then
		echo "daemon/conf*: no configuration keys found"
		rc=1
	fi
	for key in $keys; do
		if ! grep -q "^\.It Ic $key\( \|\$\)" conf/frontd.conf.5; then
			echo "conf/frontd.conf.5: key $key not documented"
			rc=1
		fi
	done
fi
exit $rc
