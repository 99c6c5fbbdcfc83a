// Command paved is the paved platform orchestrator: server, portal and CLI in
// one binary. See `paved --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"paved.dev/paved/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
