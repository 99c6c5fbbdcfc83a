// Command kube-apiserver is the upstream Kubernetes API server, built from Go
// modules so that paved's tests can run against a real apiserver without
// downloading release binaries.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
