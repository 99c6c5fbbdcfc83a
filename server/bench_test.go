package server

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/engine"
)

// syntheticSpecs is an app of n workloads (each: a container, six
// placeholders, a service port, a postgres, a route and its dns); tag
// changes every image, so that each deploy changes every Deployment.
func syntheticSpecs(n int, tag int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("svc-%04d.score.yaml", i)] = string(engine.SyntheticWorkload(i*1000 + tag))
	}
	return m
}

func benchServer(b *testing.B) (*Server, *api.Client) {
	b.Helper()
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(b.TempDir(), "data"), AdminToken: "pvd_bench", MVPMode: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	c := api.NewClient(s.URL, "pvd_bench")
	ctx := context.Background()
	if err := c.CreateTeam(ctx, &paved.Team{Name: "bench"}); err != nil {
		b.Fatal(err)
	}
	if err := c.CreateApp(ctx, &paved.App{Name: "bench", Team: "bench"}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "bench", Name: "dev", Type: "development"}); err != nil {
		b.Fatal(err)
	}
	return s, c
}

func percentiles(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	at := func(q float64) float64 { return float64(ds[int(q*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkDeploy20Workloads: plan and deploy (provision, render, commit to
// the GitOps repository) a 20-workload app whose images all change, timed
// on the server from queued to succeeded.
func BenchmarkDeploy20Workloads(b *testing.B) {
	s, c := benchServer(b)
	ctx := context.Background()
	var ds []time.Duration
	i := 0
	for b.Loop() {
		i++
		specs := syntheticSpecs(20, i)
		if _, err := c.Plan(ctx, &paved.DeployRequest{App: "bench", Env: "dev", Specs: specs}); err != nil {
			b.Fatal(err)
		}
		d, err := c.Deploy(ctx, &paved.DeployRequest{App: "bench", Env: "dev", Specs: specs})
		if err != nil {
			b.Fatal(err)
		}
		s.Platform.Wait()
		got, err := c.GetDeployment(ctx, d.ID)
		if err != nil || got.Status != paved.DeploymentSucceeded {
			b.Fatalf("%v %+v", err, got)
		}
		ds = append(ds, got.FinishedAt.Sub(got.CreatedAt))
	}
	percentiles(b, ds)
}

// BenchmarkClonePreview: a preview environment cloned from dev (20
// workloads), from the request to its deployment's success.
func BenchmarkClonePreview(b *testing.B) {
	s, c := benchServer(b)
	ctx := context.Background()
	if _, err := c.Deploy(ctx, &paved.DeployRequest{App: "bench", Env: "dev", Specs: syntheticSpecs(20, 0)}); err != nil {
		b.Fatal(err)
	}
	s.Platform.Wait()
	var ds []time.Duration
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("pr-%d", i)
		start := time.Now()
		if _, err := c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "bench", Name: name, From: "dev", TTL: paved.Duration(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		s.Platform.Wait()
		ds = append(ds, time.Since(start))
	}
	percentiles(b, ds)
}

// BenchmarkAPIReads: GetDeployment and ListDeployments over HTTP with
// 10,000 deployments stored.
func BenchmarkAPIReads(b *testing.B) {
	s, c := benchServer(b)
	ctx := context.Background()
	const n = 10000
	objs := make([]paved.Object, 20)
	for i := range objs {
		objs[i] = paved.Object{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": fmt.Sprintf("svc-%d", i), "namespace": "bench-dev"}, "spec": map[string]any{"replicas": 1}}
	}
	ids := make([]string, n)
	base := time.Now().Add(-n * time.Second)
	for i := range n {
		t := base.Add(time.Duration(i) * time.Second)
		d := &paved.Deployment{ID: fmt.Sprintf("d-bench-%05d", i), App: "bench", Env: "dev", Author: "admin", Specs: map[string]string{"a.score.yaml": "x"},
			Status: paved.DeploymentSucceeded, DeploymentResult: paved.DeploymentResult{Objects: objs}, CreatedAt: t, StartedAt: &t, FinishedAt: &t}
		if err := s.store.CreateDeployment(ctx, d); err != nil {
			b.Fatal(err)
		}
		ids[i] = d.ID
	}
	var get, list []time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := c.GetDeployment(ctx, ids[(i*7919)%n]); err != nil {
			b.Fatal(err)
		}
		get = append(get, time.Since(start))
		start = time.Now()
		if _, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: "bench", Env: "dev", Limit: 50}); err != nil {
			b.Fatal(err)
		}
		list = append(list, time.Since(start))
	}
	all := append(get, list...)
	percentiles(b, all)
}
