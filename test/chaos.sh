#!/bin/sh
# The long crash chaos: SIGKILL the server at a random point of each of
# RUNS deployments (20 by default), restart it and check the invariants
# (server.TestCrashChaos; docs/reliability.md#crash-chaos). Both variants:
# the GitOps repository, and the real postgres driver on 127.0.0.1:5432.
# PAVED_CHAOS_SEED=N replays a run. Usage: test/chaos.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-20}
start=$(date +%s)
PAVED_CHAOS_RUNS=$runs go test ./server -run '^TestCrashChaos$' -count=1 -v -timeout 30m 2>&1 |
	grep -E '^(=== RUN|--- |\s+chaos_test.go|ok|FAIL|panic)'
echo "crash chaos: $runs runs per variant in $(($(date +%s) - start)) s"
