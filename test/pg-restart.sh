#!/bin/sh
# The long PostgreSQL restart run: two paved server processes on a private
# PostgreSQL server (initdb into a temporary directory, reached through its
# unix socket only; never the shared one on 5432), deployments and reads
# through both, and N restarts of the database under that load,
# alternating a fast shutdown (SIGINT) and an immediate one (SIGQUIT, a
# crash), 20 by default. After each: every request succeeded or was
# answered 503 naming the database, every accepted deployment recorded and
# ended, none half-written, the Git remote and the resources at each
# environment's last success, and deployments succeed again
# (server.TestPostgresRestartUnderLoad; docs/reliability.md).
# PAVED_PG_DOWN=3s keeps the database stopped that long in each restart.
# Exits with go test's status. Usage: test/pg-restart.sh [N]
set -eu
cd "$(dirname "$0")/.."
n=${1:-20}
start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
PAVED_PG_RESTARTS=$n go test ./server -run '^TestPostgresRestartUnderLoad$' -count=1 -v -timeout 60m >"$log" 2>&1 || rc=$?
grep -E '^(=== RUN|\s*--- |\s+pg[a-z_]*_test.go|ok|FAIL|panic)' "$log" || true
echo "pg restart: $n restarts${PAVED_PG_DOWN:+, the database down ${PAVED_PG_DOWN} each}, in $(($(date +%s) - start)) s"
exit $rc
