#!/bin/sh
# Builds the test cluster binaries (etcd, kube-apiserver, kubectl) from Go
# modules into a cache directory and prints the directory. A binary is built
# only when it is missing or was built from other sources (go.mod, go.sum,
# its main package or this script changed). kubetest looks in the same
# default directory; PAVED_KUBE_BIN overrides it for both.
#
#   test/kube/build.sh            # build what is missing, print the dir
#   PAVED_KUBE_BIN=/x build.sh    # use another dir
#
# Cold: about 1 min (etcd) + 4 min (kube-apiserver) + 20 s (kubectl) on 2
# cores, and about 700 MB more in the Go module cache.
set -eu

KUBE_VERSION=v1.35.4
here=$(cd "$(dirname "$0")" && pwd)
bin=${PAVED_KUBE_BIN:-${HOME}/.cache/paved/kube/${KUBE_VERSION}}
mkdir -p "$bin"

# Without the -X flags the server calls itself v0.0.0-master.
vpkg=k8s.io/component-base/version
ldflags="-s -w -X ${vpkg}.gitVersion=${KUBE_VERSION} -X ${vpkg}.gitMajor=1 -X ${vpkg}.gitMinor=35 -X ${vpkg}.gitTreeState=clean"

build() {
	name=$1
	stamp=$(cat "$here/go.mod" "$here/go.sum" "$here/build.sh" "$here/cmd/$name"/*.go | sha256sum | cut -c1-64)
	if [ -x "$bin/$name" ] && [ "$(cat "$bin/.$name.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	echo "building $name into $bin (minutes the first time)" >&2
	# Build next to the target and rename, so that an interrupted build never
	# leaves a half-written binary that looks present.
	(cd "$here" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
		go build -trimpath -ldflags "$ldflags" -o "$bin/.$name.tmp" "./cmd/$name")
	mv "$bin/.$name.tmp" "$bin/$name"
	echo "$stamp" >"$bin/.$name.stamp"
}

# One at a time: each build uses every core.
build etcd
build kube-apiserver
build kubectl

echo "$bin"
