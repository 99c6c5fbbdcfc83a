#!/usr/bin/env bash
# The long replica fault run: two paved server processes on one PostgreSQL
# store (a database of their own on 127.0.0.1:5432). N rounds in which the
# replica running a deployment is killed and the other fails the orphan and
# carries on (a new replica takes the dead one's place), and 4N ephemeral
# environments expiring at once, each acted on once
# (server.TestReplicaKilledMidDeployment, server.TestReplicasExpireOnce;
# docs/reliability.md). Usage: test/replica-faults.sh [N] (default 10)
set -euo pipefail
# pipefail: the script exits with go test's status, not grep's.
cd "$(dirname "$0")/.."
n=${1:-10}
PAVED_REPLICA_KILLS=$n PAVED_REPLICA_EXPIRIES=$((4 * n)) go test ./server \
	-run '^(TestReplicaKilledMidDeployment|TestReplicasExpireOnce)$' -count=1 -v -timeout 30m 2>&1 |
	{ grep -E '^(=== RUN|\s*--- |\s+replicakill_test.go|ok|FAIL|panic)' || true; }
