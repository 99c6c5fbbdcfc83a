package server

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestBusyPortWritesNothing: a first start on a port in use fails before
// the first admin is created, so the start that succeeds shows its token.
func TestBusyPortWritesNothing(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	ctx := context.Background()
	_, err = Start(ctx, Config{Addr: busy.Addr().String(), DataDir: dir, MVPMode: true})
	if paved.ErrorCode(err) != paved.EUNAVAILABLE || !strings.Contains(err.Error(), "give another --addr") {
		t.Fatalf("start on a busy port: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "paved.db")); !os.IsNotExist(err) {
		t.Errorf("the failed start made a store: %v", err)
	}
	s, err := Start(ctx, Config{Addr: "127.0.0.1:0", DataDir: dir, MVPMode: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.AdminToken == "" {
		t.Errorf("the first start that served did not show the admin's token")
	}
}

// TestSharedStoreNeedsTheSealingCert: servers sharing a store would each
// make their own sealing key; one given --database without --sealing-cert
// refuses to start, saying so.
func TestSharedStoreNeedsTheSealingCert(t *testing.T) {
	_, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Database: "postgres://paved@127.0.0.1:1/none", MVPMode: true})
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "--sealing-cert: required with --database") {
		t.Fatalf("start with --database and no --sealing-cert: %v", err)
	}
}

// TestCloseAfterTheServerStopped: the HTTP server stops by itself (its
// listener is gone); a caller that saw Done then calls Close, which must
// return, with the reason.
func TestCloseAfterTheServerStopped(t *testing.T) {
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MVPMode: true})
	if err != nil {
		t.Fatal(err)
	}
	s.listener.Close()
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after the listener closed")
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err == nil || !strings.Contains(err.Error(), "use of closed network connection") {
			t.Errorf("Close after the server stopped: %v, want the reason it stopped", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Close hangs after the server stopped by itself")
	}
}
