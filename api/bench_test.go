package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkGetDeployment measures one authenticated call through the client,
// the middleware, the handler and back, over a loopback connection.
func BenchmarkGetDeployment(b *testing.B) {
	h := newHarness(b, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.admin.GetDeployment(ctx, "d1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeployBody measures reading a 1 MiB deployment body (strict JSON)
// and answering it, without the network.
func BenchmarkDeployBody(b *testing.B) {
	f := newFake()
	s := NewServer(Config{
		Services:     Services{Deployments: f},
		Authenticate: authenticate,
	})
	body := `{"specs":{"api.score.yaml":"` + strings.Repeat("x", 1<<20) + `"},"commit_sha":"abc"}`
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/apps/shop/envs/dev/plan", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer admin-token")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
