#!/usr/bin/env bash
# Runs every fuzz target of paved with `go test -fuzz` for a while each and
# prints a table of executions, time and result. .ci/run runs it short
# (5s a target); the long run that the README quotes is
#
#   FUZZ_PARALLEL=1 test/fuzz.sh 5m   # about 47 minutes for the nine targets, one worker each
#
# A target that finds a crash stops, writes the input to its package's
# testdata/fuzz/<Target>/ (commit it: `go test` then runs it as a
# regression test) and makes this script exit 1 after the others ran.
# A run whose only failure is Go 1.26's coordinator race at the end of
# -fuzztime is ok* (see deadlineRace). `test/fuzz.sh --selftest` checks
# that classification against canned logs (the suite runs it:
# TestFuzzScriptClassifier).
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

# seconds prints a -fuzztime duration (10m, 1m30s, 5s, 250ms) in seconds;
# it fails for a count (1000x), which has no deadline.
seconds() {
	awk -v d="$1" 'BEGIN {
		if (d !~ /^([0-9]+(\.[0-9]+)?(h|m|s|ms|us|ns))+$/) exit 1
		unit["h"] = 3600; unit["m"] = 60; unit["s"] = 1
		unit["ms"] = 0.001; unit["us"] = 0.000001; unit["ns"] = 0.000000001
		total = 0
		while (d != "") {
			match(d, /^[0-9]+(\.[0-9]+)?/)
			n = substr(d, 1, RLENGTH) + 0
			d = substr(d, RLENGTH + 1)
			match(d, /^[a-z]+/)
			total += n * unit[substr(d, 1, RLENGTH)]
			d = substr(d, RLENGTH + 1)
		}
		printf "%.9f\n", total
	}'
}

# deadlineRace LOG TARGET FUZZTIME says whether a failed run's only
# failure is Go's coordinator race at the end of -fuzztime: Go 1.26
# reports its own deadline as an error when a worker is still answering as
# the time runs out (go.dev/issue/75804, fixed in Go 1.27); no input
# failed. Only that exact shape is the race:
#
#   --- FAIL: FuzzParse (5.21s)
#       context deadline exceeded
#   FAIL
#
# the target's FAIL block holding that one line and nothing else, the only
# "--- FAIL:" of the log, at or after FUZZTIME; and nowhere a failing
# input written, a failing seed, a panic, a fatal error or a worker that
# hung or died. A count (-fuzztime 1000x) has no deadline to race.
deadlineRace() {
	local log=$1 target=$2 limit
	limit=$(seconds "$3") || return 1
	if grep -qE 'Failing input written to|failure while testing seed corpus entry|panic:|fatal error:|hung or terminated unexpectedly' "$log"; then
		return 1
	fi
	awk -v target="$target" -v limit="$limit" '
		/--- FAIL: / {
			fails++
			if ($0 !~ ("^--- FAIL: " target " \\([0-9]+\\.[0-9]+s\\)$")) { other = 1; next }
			took = $0
			sub(/^.*\(/, "", took)
			sub(/s\)$/, "", took)
			block = 1
			next
		}
		block && /^[ \t]/ {
			line = $0
			gsub(/^[ \t]+|[ \t]+$/, "", line)
			if (line != "") body[++lines] = line
			next
		}
		{ block = 0 }
		END {
			race = fails == 1 && !other && lines == 1 && body[1] == "context deadline exceeded" && took + 0 >= limit + 0
			exit !race
		}' "$log"
}

# selftest runs deadlineRace over canned logs (test/testdata/fuzz-logs/:
# real go1.26 output of a crash, a panic, a failing seed and a worker that
# exited, from a throwaway target; the race's shape as the reports of
# go.dev/issue/75804 show it) and over the race's log changed one way
# each, and says which answers are wrong.
selftest() {
	local dir=test/testdata/fuzz-logs tmp wrong=0 cases=0
	tmp=$(mktemp -d)
	race=$dir/race.log
	variant() { # variant NAME SED-SCRIPT: the race's log changed
		sed "$2" "$race" >"$tmp/$1.log"
		echo "$tmp/$1.log"
	}
	# log, target, -fuzztime, the answer wanted (ok* or FAIL). The real
	# logs are given a -fuzztime under their time so that only what they
	# say can make them FAIL.
	local table=(
		"$race FuzzRace 5s ok*"
		"$race FuzzRace 5.21s ok*"
		"$race FuzzRace 1m FAIL"
		"$race FuzzRace 5.3s FAIL"
		"$race FuzzRace 100000x FAIL"
		"$race FuzzOther 5s FAIL"
		"$dir/crash.log FuzzCrash 1ms FAIL"
		"$dir/panic.log FuzzPanic 1ms FAIL"
		"$dir/seed.log FuzzSeed 1ms FAIL"
		"$dir/hung.log FuzzExit 1ms FAIL"
		"$(variant another-line '/context deadline/i\    fuzz_test.go:12: boom') FuzzRace 5s FAIL"
		"$(variant line-after '/context deadline/a\    fuzz_test.go:12: boom') FuzzRace 5s FAIL"
		"$(variant nested-fail '/context deadline/i\    --- FAIL: FuzzRace (0.00s)') FuzzRace 5s FAIL"
		"$(variant other-test '1i\--- FAIL: TestOther (0.01s)') FuzzRace 5s FAIL"
		"$(variant input-written '/context deadline/a\    Failing input written to testdata/fuzz/FuzzRace/1de061fa29cfbb3d') FuzzRace 5s FAIL"
		"$(variant seed '1a\failure while testing seed corpus entry: FuzzRace/seed#0') FuzzRace 5s FAIL"
		"$(variant panic '/context deadline/a\    panic: kaboom') FuzzRace 5s FAIL"
		"$(variant fatal '1a\fatal error: concurrent map writes') FuzzRace 5s FAIL"
		"$(variant hung '/context deadline/i\    fuzzing process hung or terminated unexpectedly: exit status 2') FuzzRace 5s FAIL"
		"$(variant no-deadline 's/context deadline exceeded/exit status 1/') FuzzRace 5s FAIL"
	)
	for row in "${table[@]}"; do
		read -r log target fuzztime want <<<"$row"
		got=FAIL
		if deadlineRace "$log" "$target" "$fuzztime"; then
			got='ok*'
		fi
		cases=$((cases + 1))
		if [ "$got" != "$want" ]; then
			echo "deadlineRace $(basename "$log") $target $fuzztime: $got, want $want"
			wrong=1
		fi
	done
	rm -rf "$tmp"
	if [ $wrong = 1 ]; then
		return 1
	fi
	echo "deadlineRace: $cases cases as wanted"
}

if [ "${1:-}" = --selftest ]; then
	selftest
	exit
fi

failed=0
races=0
printf '%-18s %-20s %12s %9s %s\n' package target executions time result
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	log=$(mktemp)
	start=$(date +%s)
	if go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel "$parallel" >"$log" 2>&1; then
		result=ok
	elif deadlineRace "$log" "$name" "$fuzztime"; then
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
