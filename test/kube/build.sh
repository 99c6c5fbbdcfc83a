#!/bin/sh
# Builds the test cluster binaries (etcd, kube-apiserver, kubectl) from Go
# modules into a cache directory, only those that are missing, and prints the
# directory. Point PAVED_KUBE_BIN at it (kubetest looks there by default).
#
#   test/kube/build.sh            # build what is missing, print the dir
#   PAVED_KUBE_BIN=/x build.sh    # use another dir
#
# Cold: about 1 min (etcd) + 4 min (kube-apiserver) + 20 s (kubectl) on 2 cores.
set -eu

KUBE_VERSION=v1.35.4
here=$(cd "$(dirname "$0")" && pwd)
bin=${PAVED_KUBE_BIN:-${HOME}/.cache/paved/kube/${KUBE_VERSION}}
mkdir -p "$bin"

# Without the -X flags the server calls itself v0.0.0-master and clients
# that check the server version (kubectl) complain.
vpkg=k8s.io/component-base/version
ldflags="-s -w -X ${vpkg}.gitVersion=${KUBE_VERSION} -X ${vpkg}.gitMajor=1 -X ${vpkg}.gitMinor=35 -X ${vpkg}.gitTreeState=clean"

build() {
	name=$1
	if [ -x "$bin/$name" ]; then
		return 0
	fi
	echo "building $name into $bin (this takes a few minutes the first time)" >&2
	# Build next to the target and rename, so that an interrupted build never
	# leaves a half-written binary that looks present.
	(cd "$here" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
		go build -trimpath -ldflags "$ldflags" -o "$bin/.$name.tmp" "./cmd/$name")
	mv "$bin/.$name.tmp" "$bin/$name"
}

# One at a time: each build uses every core.
build etcd
build kube-apiserver
build kubectl

echo "$bin"
