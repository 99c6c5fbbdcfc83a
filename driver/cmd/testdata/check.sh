#!/bin/sh
# A provisioner with a check mode. It exits 2 unless its input's mode is
# "check"; with "fail" as $1 it cannot reach its service, with "hang" it never
# answers.
input=$(cat)
mode=$(printf '%s' "$input" | sed -n 's/.*"mode":"\([^"]*\)".*/\1/p')
if [ "$mode" != check ]; then
	echo "check.sh: mode is $mode, not check" >&2
	exit 2
fi
case "$1" in
fail)
	echo "check.sh: cannot reach minio.example:9000: connection refused" >&2
	exit 1
	;;
hang)
	sleep 60 &
	wait
	;;
esac
echo "check.sh: minio reachable" >&2
