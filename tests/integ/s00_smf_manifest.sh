#!/bin/sh
# The SMF manifest is well-formed XML, and valid against illumos's
# service_bundle DTD when a copy of it is at hand (shared/smf/ beside the
# repository).  The DTD fixes element order and required attributes, which
# svccfg import would otherwise reject only on illumos.
set -eu

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP"

if ! command -v xmllint >/dev/null 2>&1; then
	echo "xmllint missing (apt-get install libxml2-utils)"
	exit 1
fi

xmllint --noout smf/frontd.xml
echo "smf/frontd.xml: well-formed"

dtd=
for f in "$TOP/../shared/smf/service_bundle.dtd.1" \
    /work/shared/smf/service_bundle.dtd.1 \
    /usr/share/lib/xml/dtd/service_bundle.dtd.1; do
	if [ -f "$f" ]; then
		dtd=$f
		break
	fi
done
if [ -z "$dtd" ]; then
	echo "service_bundle.dtd.1 not found; DTD check skipped"
	exit 0
fi
# --nowarning hides only the warning about the DOCTYPE's illumos path.
xmllint --noout --nowarning --dtdvalid "$dtd" smf/frontd.xml
echo "smf/frontd.xml: valid against $dtd"

# What the DTD cannot check: the methods and the property the method
# script reads are the ones the manifest declares.
need() {
	if ! grep -qF -- "$1" "$2"; then
		echo "$2: expected to contain: $1"
		exit 1
	fi
}
need 'exec="/lib/svc/method/frontd %m"' smf/frontd.xml
need '<propval name="file" type="astring"' smf/frontd.xml
need '<prop_pattern name="file"' smf/frontd.xml
need 'getprop config/file' smf/frontd
echo "ok"
