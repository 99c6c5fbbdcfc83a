#!/bin/sh
# A provisioner written for score-k8s' cmd:// protocol only: it knows nothing
# of paved. It reads score-k8s' input fields (resource_guid, resource_id,
# namespace, workload_services.<name>.ServiceName, resource_state,
# shared_state), counts its runs in resource_state and all runs in
# shared_state, and returns its password as a score-k8s secret reference to a
# Secret among its manifests.
input=$(cat)
field() { printf '%s' "$input" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
guid=$(field resource_guid)
id=$(field resource_id)
ns=$(field namespace)
svc=$(printf '%s' "$input" | sed -n 's/.*"web":{"ServiceName":"\([^"]*\)".*/\1/p')
runs=$(printf '%s' "$input" | sed -n 's/.*"resource_state":{"runs":\([0-9]*\)}.*/\1/p')
total=$(printf '%s' "$input" | sed -n 's/.*"shared_state":{"total":\([0-9]*\)}.*/\1/p')
runs=$(( ${runs:-0} + 1 ))
total=$(( ${total:-0} + 1 ))
echo "provisioning $id in $ns (run $runs)" >&2
cat <<JSON
{"resource_outputs": {"host": "$svc.$ns.svc", "id": "$id", "password": "🔐💬secret-${guid}_password💬🔐"},
 "resource_state": {"runs": $runs},
 "shared_state": {"total": $total},
 "manifests": [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "secret-$guid"},
                "data": {"password": "czNjcjN0LXB3"}}]}
JSON
