package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"paved.dev/paved"
)

// SampleDeployment returns a succeeded deployment of app to env with a Score
// spec and objects rendered objects shaped like paved's output (a
// Deployment, a Service, a ConfigMap... of ~500 bytes of JSON each).
func SampleDeployment(app, env, id string, created time.Time, objects int) *paved.Deployment {
	d := &paved.Deployment{
		ID: id, App: app, Env: env, Author: "ana", Status: paved.DeploymentSucceeded, CreatedAt: created,
		CommitSHA: "0123456789abcdef0123456789abcdef01234567",
		Specs: map[string]string{"score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers:\n  main:\n" +
			"    image: ghcr.io/acme/web:1.2.3\n    variables:\n      DB_HOST: ${resources.db.host}\nresources:\n  db:\n    type: postgres\n"},
	}
	for i := range objects {
		name := fmt.Sprintf("web-%d", i)
		o := paved.Object{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": name, "namespace": app + "-" + env,
				"labels":      map[string]any{"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "paved"},
				"annotations": map[string]any{"paved.dev/deployment": id}},
			"spec": map[string]any{"replicas": 2.0, "selector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": name}},
				"template": map[string]any{"spec": map[string]any{
					"containers": []any{map[string]any{"name": "main", "image": "ghcr.io/acme/web:1.2.3",
						"ports": []any{map[string]any{"containerPort": 8080.0, "name": "http"}},
						"env": []any{map[string]any{"name": "DB_HOST", "value": "db-1.internal"},
							map[string]any{"name": "DB_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": name + "-db", "key": "password"}}}}}}}}},
		}
		d.Objects = append(d.Objects, o)
		d.Inventory = append(d.Inventory, o.Ref())
	}
	return d
}

// Seed creates team core, app shop with environments dev and staging, and n
// deployments of 20 objects spread over both environments, one minute
// apart, through create (an adapter's batch insert) in batches of 500. It
// returns the deployment IDs, oldest first.
func Seed(ctx context.Context, s paved.Store, n int, create func(context.Context, []*paved.Deployment) error) ([]string, error) {
	if err := s.CreateTeam(ctx, &paved.Team{Name: "core"}); err != nil {
		return nil, err
	}
	if err := s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}); err != nil {
		return nil, err
	}
	envIDs := map[string]string{}
	for _, env := range []string{"dev", "staging"} {
		e := &paved.Environment{App: "shop", Name: env, Type: "development"}
		if err := s.CreateEnvironment(ctx, e); err != nil {
			return nil, err
		}
		envIDs[env] = e.ID
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]string, 0, n)
	var batch []*paved.Deployment
	for i := range n {
		env := "dev"
		if i%4 == 3 {
			env = "staging"
		}
		id := fmt.Sprintf("d%06d", i)
		d := SampleDeployment("shop", env, id, start.Add(time.Duration(i)*time.Minute), 20)
		d.EnvID = envIDs[env]
		finished := d.CreatedAt.Add(30 * time.Second)
		d.StartedAt, d.FinishedAt = &d.CreatedAt, &finished
		batch = append(batch, d)
		ids = append(ids, id)
		if len(batch) == 500 || i == n-1 {
			if err := create(ctx, batch); err != nil {
				return nil, err
			}
			batch = batch[:0]
		}
	}
	return ids, nil
}

// Measure runs op b.N times and reports, besides ns/op, the median and
// 99th percentile latency (p50-ns, p99-ns).
func Measure(b *testing.B, op func(i int) error) {
	b.Helper()
	var took []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t0))
		i++
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
}

// BenchListDeployments measures ListDeployments of shop (all environments
// and dev only) with the limits the API uses.
func BenchListDeployments(b *testing.B, s paved.Store) {
	ctx := context.Background()
	for _, env := range []string{"", "dev"} {
		for _, limit := range []int{20, 100} {
			name := fmt.Sprintf("env=%s/limit=%d", env, limit)
			if env == "" {
				name = fmt.Sprintf("env=all/limit=%d", limit)
			}
			b.Run(name, func(b *testing.B) {
				Measure(b, func(int) error {
					ds, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: env, Limit: limit})
					if err == nil && len(ds) != limit {
						err = fmt.Errorf("listed %d deployments, want %d", len(ds), limit)
					}
					return err
				})
			})
		}
	}
}

// BenchGetDeployment measures GetDeployment of random deployments among
// ids, and LastSuccessful (read on every deploy to diff against).
func BenchGetDeployment(b *testing.B, s paved.Store, ids []string) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	b.Run("random", func(b *testing.B) {
		Measure(b, func(int) error {
			d, err := s.GetDeployment(ctx, ids[r.IntN(len(ids))])
			if err == nil && len(d.Objects) != 20 {
				err = fmt.Errorf("got %d objects, want 20", len(d.Objects))
			}
			return err
		})
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(rand.Uint64(), 3))
			for pb.Next() {
				if _, err := s.GetDeployment(ctx, ids[r.IntN(len(ids))]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	staging, err := s.GetEnvironment(ctx, "shop", "staging")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("last-successful", func(b *testing.B) {
		Measure(b, func(int) error {
			_, err := s.LastSuccessful(ctx, staging.ID)
			return err
		})
	})
}
