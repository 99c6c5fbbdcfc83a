#!/bin/sh
# A provisioner that works: it echoes the resource's uid and counts its runs in
# resource_state. With "deprovision" as $1 it writes the uid to the file $2.
input=$(cat)
uid=$(printf '%s' "$input" | sed -n 's/.*"resource_uid":"\([^"]*\)".*/\1/p')
mode=$(printf '%s' "$input" | sed -n 's/.*"mode":"\([^"]*\)".*/\1/p')
count=$(printf '%s' "$input" | sed -n 's/.*"resource_state":{"count":\([0-9]*\)}.*/\1/p')
echo "provisioner: mode $mode for $uid" >&2
echo "provisioner: second line" >&2
if [ "$1" = deprovision ]; then
	echo "$mode $uid" >"$2"
	exit 0
fi
count=$(( ${count:-0} + 1 ))
cat <<JSON
{"resource_outputs": {"host": "h-$uid", "port": 5432, "input": $input},
 "resource_state": {"count": $count},
 "manifests": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}]}
JSON
