package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// TestHeaderLimit: request headers up to MaxHeaderBytes are read; headers
// just over it get 431 and reach no handler.
func TestHeaderLimit(t *testing.T) {
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MVPMode: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// net/http allows 4 KiB of slack over MaxHeaderBytes: the header is
	// just over the limit once it is past that.
	for _, tt := range []struct {
		size       int
		wantStatus int
	}{{MaxHeaderBytes - 1024, 200}, {MaxHeaderBytes + 4096 + 1, 431}} {
		req, _ := http.NewRequest("GET", s.URL+"/api/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", tt.size))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("a %d-byte header: %d, want %d", tt.size, resp.StatusCode, tt.wantStatus)
		}
	}
}

// TestSlowHeadersAreCut: a client that has not sent its headers within
// ReadHeaderTimeout is disconnected (a slowloris holds no connection).
func TestSlowHeadersAreCut(t *testing.T) {
	t.Parallel()
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MVPMode: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.Write([]byte("GET /api/healthz HTTP/1.1\r\nHost: paved\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(ReadHeaderTimeout + 5*time.Second))
	_, err = bufio.NewReader(conn).ReadByte()
	took := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("still connected after %v: the header timeout did not cut the client", took)
	}
	if took < ReadHeaderTimeout-time.Second {
		t.Errorf("cut after %v, before the header timeout of %v", took, ReadHeaderTimeout)
	}
}

// TestFailedLoginLimit: one address may fail to authenticate
// MaxFailedLogins times a minute, through the API or the portal's login
// form; the attempt just over it is refused with 429, a valid token too.
func TestFailedLoginLimit(t *testing.T) {
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MVPMode: true, MaxFailedLogins: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := &matrix{t: t, s: s, tokens: map[string]string{"admin": s.AdminToken}}
	for i := range 5 {
		if status, _ := m.do("GET", "/api/whoami", "pvd_guess", ""); status != 401 {
			t.Fatalf("guess %d: %d, want 401", i+1, status)
		}
	}
	if status, b := m.do("GET", "/api/whoami", s.AdminToken, ""); status != 429 || !strings.Contains(b, "too many failed logins from 127.0.0.1 (5 within 1m0s)") {
		t.Errorf("the API just over the limit: %d %s, want 429", status, b)
	}
	// The portal's login form counts with the API: the same address.
	_, form := m.do("GET", "/login", "", "")
	csrf := csrfField.FindStringSubmatch(form)
	if csrf == nil {
		t.Fatal("no CSRF field in the login form")
	}
	req, _ := http.NewRequest("GET", s.URL+"/login", nil)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie string
	for _, c := range resp.Cookies() {
		cookie = c.Name + "=" + c.Value
	}
	_, page := m.do("GET", "/login", "", "", "Cookie", cookie)
	csrf = csrfField.FindStringSubmatch(page)
	body := url.Values{"token": {s.AdminToken}, "csrf": {csrf[1]}}.Encode()
	if status, b := m.do("POST", "/login", "", body, "Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded"); status != 429 || !strings.Contains(b, "too many failed logins") {
		t.Errorf("the portal's login just over the limit: %d, want 429: %.300s", status, pageProblem(b))
	}
}

// TestSlowBodyIsCut: a request whose body has not all arrived within the
// read timeout (a minute; here a second) is cut, and what it asked for is
// not done.
func TestSlowBodyIsCut(t *testing.T) {
	t.Parallel()
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MVPMode: true, AdminToken: "pvd_slow_admin", readTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	body := `{"name":"slow"}` + strings.Repeat(" ", 200)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST /api/teams HTTP/1.1\r\nHost: paved\r\nAuthorization: Bearer pvd_slow_admin\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	// Ten bytes every 100 ms: the body needs 2 s, twice the limit.
	go func() {
		for i := 0; i < len(body); i += 10 {
			if _, err := conn.Write([]byte(body[i:min(i+10, len(body))])); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, _ := io.ReadAll(conn)
	took := time.Since(start)
	if took < 900*time.Millisecond || took > 5*time.Second {
		t.Errorf("the connection ended after %v; the read timeout is 1 s", took)
	}
	if strings.HasPrefix(string(resp), "HTTP/1.1 2") {
		t.Errorf("a body that came too slowly was answered %.100s", resp)
	}
	if _, err := api.NewClient(s.URL, "pvd_slow_admin").GetTeam(context.Background(), "slow"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("the team of the cut request: %v, want not found", err)
	}
	// Within the limit, the same request is done.
	if err := api.NewClient(s.URL, "pvd_slow_admin").CreateTeam(context.Background(), &paved.Team{Name: "quick"}); err != nil {
		t.Errorf("a request in time: %v", err)
	}
}
