#!/bin/sh
# CI steps for the real test cluster and the Kubernetes target, run from any
# directory:
#
#   1. build etcd, kube-apiserver and kubectl v1.35.4 from Go modules into
#      $PAVED_KUBE_BIN (default ~/.cache/paved/kube/v1.35.4; cache that
#      directory, keyed on test/kube/go.sum and test/kube/build.sh, along
#      with the Go module and build caches: a cold build takes ~5 minutes);
#   2. run the packages that use the cluster with CI=true, so that missing
#      binaries fail instead of skipping;
#   3. run the apply benchmark once as a smoke test (about 20 s).
#
# A whole-repository `go test ./...` afterwards finds the binaries in the
# same directory; run it with CI=true and the same PAVED_KUBE_BIN.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
PAVED_KUBE_BIN=$("$root/test/kube/build.sh")
export PAVED_KUBE_BIN
export CI=true

cd "$root"
test -z "$(gofmt -l test/kube kubetest target/kubernetes)" || { gofmt -l test/kube kubetest target/kubernetes; echo "gofmt needed" >&2; exit 1; }
go vet ./kubetest/... ./target/kubernetes/...
go test -count=1 ./kubetest/... ./target/kubernetes/...
go test -count=1 -run '^$' -bench SpeedupOverKubectl -benchtime 1x ./target/kubernetes
