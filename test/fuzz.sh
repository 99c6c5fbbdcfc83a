#!/usr/bin/env bash
# Runs every fuzz target of paved with `go test -fuzz` for a while each and
# prints a table of executions, time and result. .ci/run runs it short
# (5s a target); the long run that the README quotes is
#
#   test/fuzz.sh 10m        # about 95 minutes for the nine targets on 2 cores
#
# A target that finds a crash stops, writes the input to its package's
# testdata/fuzz/<Target>/ (commit it: `go test` then runs it as a
# regression test) and makes this script exit 1 after the others ran.
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime=${1:-${FUZZTIME:-30s}}
# Workers per target: the machines have 2 cores.
parallel=${FUZZ_PARALLEL:-2}

targets=(
	"./score FuzzLoad"
	"./score FuzzExpand"
	"./engine FuzzRun"
	"./engine FuzzSubstitute"
	"./definition FuzzParse"
	"./driver/template FuzzProvision"
	"./manifest FuzzMarshalTree"
	"./manifest FuzzMarshalString"
	"./api FuzzDecodeRequest"
)

# deadlineRace says whether a failed run's only failure is Go's coordinator
# race at the end of -fuzztime: "context deadline exceeded" and nothing
# else (no failing input written, no panic, no failing seed). Go 1.26
# reports the deadline as an error when a worker is still answering as the
# time runs out (go.dev/issue/75804, fixed in Go 1.27); no input failed.
deadlineRace() {
	grep -qE '^[[:space:]]+context deadline exceeded$' "$1" &&
		! grep -qE 'Failing input written|panic:|--- FAIL: [A-Za-z0-9_]+/' "$1"
}

failed=0
races=0
printf '%-18s %-20s %12s %9s %s\n' package target executions time result
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	log=$(mktemp)
	start=$(date +%s)
	if go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel "$parallel" >"$log" 2>&1; then
		result=ok
	elif deadlineRace "$log"; then
		result='ok*'
		races=1
	else
		result=FAIL
		failed=1
	fi
	secs=$(($(date +%s) - start))
	# The last progress line: "fuzz: elapsed: 10s, execs: 115878 (12464/sec), ..."
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	elapsed=$(grep -o 'elapsed: [0-9a-z]*' "$log" | tail -1 | cut -d' ' -f2)
	printf '%-18s %-20s %12s %9s %s (%ds with the build)\n' "$pkg" "$name" "${execs:-0}" "${elapsed:-?}" "$result" "$secs"
	if [ "$result" = FAIL ]; then
		sed -n '/--- FAIL\|panic:\|Failing input\|failure while testing seed/,+25p' "$log" | head -60
	fi
	rm -f "$log"
done
if [ $races = 1 ]; then
	echo "ok*: no input failed; the run ended with Go's \"context deadline exceeded\", the coordinator's race at the end of -fuzztime (go.dev/issue/75804, fixed in Go 1.27)"
fi
exit $failed
