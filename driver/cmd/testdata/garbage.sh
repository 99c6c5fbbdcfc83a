#!/bin/sh
# A provisioner that prints something other than JSON.
cat >/dev/null
echo "this is not json"
echo "provisioner: printed garbage" >&2
