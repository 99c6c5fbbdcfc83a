package server

import (
	"context"
	"testing"
	"time"

	"paved.dev/paved/api"
	"paved.dev/paved/load"
)

// TestBoundedLoad is the short version of paved bench load: 2 s at 200
// requests a second of reads and deployments against the embedded default,
// with zero errors, every deployment ended and succeeded, and latencies
// measured for each kind. The long one (500/s for 60 s, and on PostgreSQL)
// is in docs/reliability.md#bounded-load.
func TestBoundedLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 400 requests")
	}
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), AdminToken: "pvd_load_admin", MVPMode: true})
	must(t, err)
	defer s.Close()
	rep, err := load.Run(context.Background(), load.Config{Client: api.NewClient(s.URL, "pvd_load_admin"), Rate: 200, Duration: 2 * time.Second, DeployEvery: 25})
	must(t, err)
	if rep.Errors() != 0 {
		t.Fatalf("%d errors under load: %v", rep.Errors(), rep.FirstErrors)
	}
	if rep.Sent != 400 || rep.All.Requests != 400 || rep.Deployments != 16 {
		t.Fatalf("sent %d, measured %d, deployments %d; want 400, 400, 16", rep.Sent, rep.All.Requests, rep.Deployments)
	}
	for _, k := range rep.ByKind {
		if k.Requests == 0 || k.P50 <= 0 || k.P99 < k.P50 || k.Max < k.P99 {
			t.Errorf("%s: %+v", k.Kind, k)
		}
		t.Logf("%-18s %4d requests p50 %v p99 %v", k.Kind, k.Requests, k.P50, k.P99)
	}
	t.Logf("sent late by p50 %v p99 %v max %v", rep.Lag.P50, rep.Lag.P99, rep.Lag.Max)
}
