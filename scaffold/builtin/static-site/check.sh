#!/bin/sh
# Checks that every page of public/ names the stylesheets and pages it links
# to, and that they exist: the site's test.
set -eu
cd "$(dirname "$0")/public"
status=0
for page in *.html; do
	for ref in $(grep -o 'href="[^"#:]*"' "$page" | sed 's/href="\(.*\)"/\1/'); do
		[ -e "$ref" ] || { echo "$page: $ref does not exist"; status=1; }
	done
done
exit $status
