#!/bin/sh
# The long crash chaos: SIGKILL the server at a random point of each of
# RUNS deployments (20 by default), restart it and check the invariants
# (server.TestCrashChaos; docs/reliability.md#crash-chaos). Three variants:
# the GitOps repository, the real postgres driver on 127.0.0.1:5432, and a
# real kube-apiserver and etcd (package kubetest; build them once with
# test/kube/build.sh, or the variant skips; with CI=true it fails instead).
# PAVED_CHAOS_SEED=N replays a run. Usage: test/chaos.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-20}
start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
PAVED_CHAOS_RUNS=$runs go test ./server -run '^TestCrashChaos$' -count=1 -v -timeout 30m >"$log" 2>&1 || rc=$?
grep -E '^(=== RUN|\s*--- |\s+chaos[a-z]*_test.go|ok|FAIL|panic)' "$log" || true
echo "crash chaos: $runs runs per variant in $(($(date +%s) - start)) s"
exit $rc
