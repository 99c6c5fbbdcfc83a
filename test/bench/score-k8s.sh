#!/bin/sh
# Renders the same N synthetic Score workloads with paved and with score-k8s
# (the Score project's reference implementation for Kubernetes) and prints
# the wall time, CPU time and peak memory of each, as /usr/bin/time -v
# reports them. Each workload has one container, six placeholders, a service
# port, a postgres and a route (with its dns): 7 objects.
#
#   test/bench/score-k8s.sh [N]        # default 1000
#
# score-k8s is taken from $SCORE_K8S, else from PATH, else installed with
#   go install github.com/score-spec/score-k8s/cmd/score-k8s@v0.15.0
# Each run renders once per side, each from a fresh project directory:
# paved without a state file (it writes one), score-k8s right after its
# init. Run it several times and compare medians.
set -eu

n=${1:-1000}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sk8s=${SCORE_K8S:-$(command -v score-k8s || true)}
if [ -z "$sk8s" ]; then
	echo "installing score-k8s v0.15.0 into $work/bin" >&2
	GOBIN="$work/bin" go install github.com/score-spec/score-k8s/cmd/score-k8s@v0.15.0
	sk8s="$work/bin/score-k8s"
fi
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }

echo "building paved" >&2
(cd "$root" && go build -o "$work/paved" ./cmd/paved)
"$work/paved" bench generate -n "$n" -o "$work/specs" >/dev/null

report() { # name, /usr/bin/time -v output file
	awk -v name="$1" -F': ' '
		/Elapsed \(wall clock\)/ { wall = $2 }
		/User time/ { user = $2 }
		/System time/ { sys = $2 }
		/Maximum resident set size/ { rss = $2 }
		END { printf "%-9s %6d workloads: wall %s, CPU %.2f s, peak RSS %d MiB\n", name, n, wall, user + sys, rss / 1024 }' n="$n" "$2"
}

mkdir "$work/p" && cd "$work/p"
/usr/bin/time -v "$work/paved" render -f "$work/specs" --app bench --env dev --state "$work/paved.state" -o "$work/paved.yaml" 2>"$work/paved.time" >/dev/null
report paved "$work/paved.time"

mkdir "$work/k" && cd "$work/k"
"$sk8s" init --no-sample >/dev/null 2>&1
# score-k8s takes the files as arguments of one generate.
/usr/bin/time -v "$sk8s" generate "$work"/specs/*.yaml -o "$work/k.yaml" 2>"$work/k.time" >/dev/null
report score-k8s "$work/k.time"
