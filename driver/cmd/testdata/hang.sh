#!/bin/sh
# A provisioner that never finishes, with a child of its own; it writes the
# child's pid to the file $1 so that a test can see it was killed too.
sleep 300 &
echo $! >"$1"
echo "provisioner: waiting forever" >&2
wait
