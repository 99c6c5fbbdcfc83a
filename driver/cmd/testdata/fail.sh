#!/bin/sh
# A provisioner that fails after printing 30 lines on stderr.
cat >/dev/null
i=1
while [ $i -le 30 ]; do
	echo "provisioner: line $i" >&2
	i=$((i + 1))
done
exit 3
