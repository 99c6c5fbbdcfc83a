package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// TestSlowReaderIsCut: a client that does not read its answer (a large
// one, a deployment of 6 MiB of Score files, through a tiny receive
// window) is cut when the write timeout passes (two minutes; here a
// second), instead of holding the server's connection.
func TestSlowReaderIsCut(t *testing.T) {
	t.Parallel()
	// The deployment is made with the usual timeouts (reading 6 MiB takes
	// a while), then read from a server on the same data dir with the
	// short one.
	dir := t.TempDir()
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: dir, MVPMode: true, AdminToken: "pvd_slow_admin"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := api.NewClient(s.URL, "pvd_slow_admin")
	must(t, c.CreateTeam(ctx, &paved.Team{Name: "pioneers"}))
	must(t, c.CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	_, err = c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "dev"})
	must(t, err)
	specs := map[string]string{}
	for i := range 6 {
		specs[fmt.Sprintf("w%d.score.yaml", i)] = fmt.Sprintf("apiVersion: score.dev/v1b1\nmetadata: {name: w%d}\ncontainers: {main: {image: nginx:1.27}}\n# %s\n", i, strings.Repeat("x", 1000_000))
	}
	d, err := c.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	must(t, err)
	waitEnded(t, c, d.ID)
	s.Close()
	s, err = Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: dir, MVPMode: true, writeTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	path := "/api/deployments/" + d.ID
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer pvd_slow_admin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	whole, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(whole) < 6_000_000 {
		t.Fatalf("the deployment read in time: %d, %d bytes", resp.StatusCode, len(whole))
	}
	// The kernel may buffer up to tcp_wmem's maximum of an answer the
	// client does not read: the answer must be larger, or a server that
	// never cut the client would pass.
	if b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_wmem"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 3 {
			if max, _ := strconv.Atoi(f[2]); max+len(whole)/8 >= len(whole) {
				msg := fmt.Sprintf("this host buffers up to %d bytes a connection (net.ipv4.tcp_wmem), too close to the %d-byte answer for a stalled client to be cut before it has the whole answer", max, len(whole))
				if os.Getenv("CI") == "true" {
					t.Fatal(msg)
				}
				t.Skip(msg)
			}
		}
	}
	dialer := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048) })
	}}
	conn, err := dialer.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: paved\r\nAuthorization: Bearer pvd_slow_admin\r\n\r\n", path)
	time.Sleep(2500 * time.Millisecond) // reads nothing past the timeout
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, _ := io.ReadAll(conn)
	if len(got) >= len(whole) {
		t.Errorf("a client that read nothing for 2.5 s got the whole answer (%d bytes of %d): the write timeout did not cut it", len(got), len(whole))
	}
	t.Logf("the stalled client got %d of the answer's %d bytes before the cut", len(got), len(whole))
}
