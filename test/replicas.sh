#!/usr/bin/env bash
# The long replica run: two paved server processes on one PostgreSQL store
# (a database of their own on 127.0.0.1:5432), N concurrent deployments to
# one environment through both (100 by default): every one recorded, none
# overlapping, none lost (server.TestReplicas; docs/reliability.md).
# Usage: test/replicas.sh [N]
set -euo pipefail
# pipefail: the script exits with go test's status, not grep's.
cd "$(dirname "$0")/.."
PAVED_REPLICA_DEPLOYS=${1:-100} go test ./server -run '^TestReplicas$' -count=1 -v -timeout 30m 2>&1 |
	{ grep -E '^(=== RUN|\s*--- |\s+replicas_test.go|ok|FAIL|panic)' || true; }
