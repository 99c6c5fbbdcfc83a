package server

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
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
