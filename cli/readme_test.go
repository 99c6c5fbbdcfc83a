package cli

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that a server goroutine writes while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// readmeBlocks returns the sh code blocks of the README's "Use it" section.
func readmeBlocks(t *testing.T) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	start := strings.Index(s, "\n## Use it\n")
	if start < 0 {
		t.Fatal(`README.md has no "## Use it" section`)
	}
	s = s[start+1:]
	if end := strings.Index(s[3:], "\n## "); end >= 0 {
		s = s[:end+3]
	}
	var blocks [][]string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(s, -1) {
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(m[1]), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		blocks = append(blocks, lines)
	}
	return blocks
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(to, 0o755))
	entries, err := os.ReadDir(from)
	must(err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		must(err)
		must(os.WriteFile(filepath.Join(to, e.Name()), data, 0o644))
	}
}

var tokenRE = regexp.MustCompile(`pvd_[A-Za-z0-9_-]{20,}`)

// TestReadmeUseItRuns runs the README's "Use it" commands in order, as
// written, against a fresh server: the only substitutions are the port
// (a free one for 8080) and the two tokens the reader is told to paste,
// taken from what the commands before printed.
func TestReadmeUseItRuns(t *testing.T) {
	blocks := readmeBlocks(t)
	if len(blocks) != 3 {
		t.Fatalf("the Use it section has %d sh blocks, want 3 (server, admin, developer)", len(blocks))
	}
	dir := t.TempDir()
	copyDir(t, filepath.Join("..", "examples", "shop"), filepath.Join(dir, "examples", "shop"))
	t.Chdir(dir)
	t.Setenv("PAVED_CONFIG", filepath.Join(dir, "config.json"))
	for _, v := range []string{"PAVED_TOKEN", "PAVED_SERVER", "PAVED_ADMIN_TOKEN", "PAVED_ADDR", "PAVED_DATA_DIR", "PAVED_DATABASE"} {
		t.Setenv(v, "")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	var adminToken, danaToken string
	ran := 0
	for bi, lines := range blocks {
		for _, line := range lines {
			args := words(line)
			if i := indexOf(args, "#"); i >= 0 {
				args = args[:i]
			}
			if len(args) < 2 || args[0] != "paved" {
				t.Fatalf("block %d: %q is not a paved command", bi+1, line)
			}
			args = args[1:]
			for i, a := range args {
				a = strings.ReplaceAll(a, "127.0.0.1:8080", addr)
				switch a {
				case "pvd_...":
					a = adminToken
				case "<dana's token>":
					a = danaToken
				}
				if strings.Contains(a, "<") || strings.HasSuffix(a, "...") {
					t.Fatalf("%q: placeholder %q that the test does not know", line, a)
				}
				args[i] = a
			}
			if args[0] == "server" {
				adminToken = startReadmeServer(t, append(args, "--addr", addr), addr)
				ran++
				continue
			}
			code, out, errs := run(t, args...)
			if code != 0 {
				t.Fatalf("%q: exit %d\n%s\n%s", line, code, out, errs)
			}
			if strings.HasPrefix(strings.Join(args, " "), "user token create dana") {
				danaToken = tokenRE.FindString(out)
			}
			ran++
		}
	}
	if adminToken == "" || danaToken == "" || ran < 18 {
		t.Fatalf("ran %d commands; admin token %t, dana's %t", ran, adminToken != "", danaToken != "")
	}
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// startReadmeServer runs paved server in the background until the test
// ends and returns the admin token it printed.
func startReadmeServer(t *testing.T, args []string, addr string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, args, strings.NewReader(""), out, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("paved server did not stop")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("paved server exited %d:\n%s", code, out)
		default:
		}
		if resp, err := http.Get("http://" + addr + "/api/healthz"); err == nil {
			resp.Body.Close()
			if tok := tokenRE.FindString(out.String()); tok != "" {
				return tok
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("paved server did not answer on %s with a token printed:\n%s", addr, out)
	return ""
}
