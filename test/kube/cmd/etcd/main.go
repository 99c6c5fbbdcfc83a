// Command etcd is the upstream etcd server with its full command line, built
// from Go modules for paved's test cluster.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
