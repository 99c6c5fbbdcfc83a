#!/usr/bin/env bash
# The long PostgreSQL restart run: two paved server processes on a private
# PostgreSQL server (initdb into a temporary directory, a free port; never
# the shared one on 5432), deployments and reads through both, and N
# restarts of the database under that load, alternating pg_ctl restart
# -m fast and -m immediate (a crash), 20 by default. After each: every
# request succeeded or was answered 503 naming the database, every
# accepted deployment recorded and ended, none half-written, the Git
# remote at each environment's last success, and deployments succeed again
# (server.TestPostgresRestartUnderLoad; docs/reliability.md).
# PAVED_PG_DOWN=3s keeps the database stopped that long in each restart.
# Usage: test/pg-restart.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
start=$(date +%s)
PAVED_PG_RESTARTS=$n go test ./server -run '^TestPostgresRestartUnderLoad$' -count=1 -v -timeout 60m 2>&1 |
	grep -E '^(=== RUN|--- |\s+pgrestart_test.go|ok|FAIL|panic)'
echo "pg restart: $n restarts${PAVED_PG_DOWN:+, the database down ${PAVED_PG_DOWN} each}, in $(($(date +%s) - start)) s"
