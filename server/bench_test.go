package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved/score/scoretest"

	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/store/sqlite"
)

// realSpecs returns n Score files of the conformance corpus that deploy as
// they are with the built-in definitions (no side file, no "image: ."), in a
// fixed order; a file whose workload name another took is renamed.
func realSpecs(b *testing.B, n int) map[string]string {
	b.Helper()
	corpusDir := scoretest.Dir(b)
	files := scoretest.Files(b)
	s, c := benchServer(b)
	defer s.Close()
	ctx := context.Background()
	out := map[string]string{}
	names := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		// Workload names are unique in an app: a file whose name is taken
		// gets a numbered one, its content kept as it is.
		var spec map[string]any
		if yaml.Unmarshal(data, &spec) != nil {
			continue
		}
		md, _ := spec["metadata"].(map[string]any)
		name, _ := md["name"].(string)
		if name == "" {
			continue
		}
		for k := 2; names[name]; k++ {
			name = fmt.Sprintf("%s-%d", md["name"], k)
		}
		if name != md["name"] {
			md["name"] = name
			if data, err = yaml.Marshal(spec); err != nil {
				b.Fatal(err)
			}
		}
		key := strings.ReplaceAll(strings.TrimPrefix(f, corpusDir+"/"), "/", "_")
		// Kept only if it deploys on its own, as a user's file would.
		if _, err := c.Plan(ctx, &paved.DeployRequest{App: "bench", Env: "dev", Specs: map[string]string{key: string(data)}}); err != nil {
			if os.Getenv("PAVED_BENCH_DEBUG") != "" {
				b.Logf("%s: %v", key, err)
			}
			continue
		}
		names[name] = true
		// Images pinned, as the security pack asks of what is deployed.
		out[key] = imageLine.ReplaceAllString(string(data), "${1}registry.example/bench/app:1.0.0")
		if len(out) == n {
			return out
		}
	}
	b.Fatalf("the corpus has %d Score files that deploy with the built-in definitions, want %d", len(out), n)
	return nil
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

// deployAndFollow plans and deploys specs and follows the deployment's event
// stream to its end, as `paved plan` then `paved deploy` do: the time is the
// client's, from the plan request to the stream's end with success.
func deployAndFollow(b *testing.B, c *api.Client, env string, specs map[string]string) time.Duration {
	ctx := context.Background()
	start := time.Now()
	if _, err := c.Plan(ctx, &paved.DeployRequest{App: "bench", Env: env, Specs: specs}); err != nil {
		b.Fatal(err)
	}
	d, err := c.Deploy(ctx, &paved.DeployRequest{App: "bench", Env: env, Specs: specs})
	if err != nil {
		b.Fatal(err)
	}
	end, err := c.FollowEvents(ctx, d.ID, 0, func(paved.Event) error { return nil })
	took := time.Since(start)
	if err != nil || end.Status != paved.DeploymentSucceeded {
		b.Fatalf("%v %+v", err, end)
	}
	return took
}

// imageLine is a container's image in a Score file.
var imageLine = regexp.MustCompile(`(?m)^(\s*image:\s*).*$`)

// withTag gives every container of the specs an image pinned to a tag of
// this deploy (as the security pack asks), so that each deploy changes
// every workload.
func withTag(specs map[string]string, i int) map[string]string {
	out := make(map[string]string, len(specs))
	for k, v := range specs {
		out[k] = v + fmt.Sprintf("\n# deploy %d\n", i)
		out[k] = imageLine.ReplaceAllString(out[k], fmt.Sprintf("${1}registry.example/bench/app:1.0.%d", i))
	}
	return out
}

// BenchmarkPlanAndDeploy20: `paved plan` then `paved deploy` of 20 real
// Score files (provision, render, commit to the GitOps repository with
// sealed Secrets), timed by the client from the plan request to the end of
// the event stream with success. Every image changes each time.
func BenchmarkPlanAndDeploy20(b *testing.B) {
	specs := realSpecs(b, 20)
	_, c := benchServer(b)
	var ds []time.Duration
	i := 0
	for b.Loop() {
		i++
		ds = append(ds, deployAndFollow(b, c, "dev", withTag(specs, i)))
	}
	percentiles(b, ds)
}

// BenchmarkClonePreview20: a preview environment cloned from dev (20 real
// Score files), timed by the client from the request to the end of its
// deployment's event stream with success.
func BenchmarkClonePreview20(b *testing.B) {
	specs := realSpecs(b, 20)
	_, c := benchServer(b)
	ctx := context.Background()
	deployAndFollow(b, c, "dev", specs)
	var ds []time.Duration
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("pr-%d", i)
		start := time.Now()
		if _, err := c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "bench", Name: name, From: "dev", TTL: paved.Duration(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		ds2, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: "bench", Env: name, Limit: 1})
		if err != nil || len(ds2) != 1 {
			b.Fatalf("%v %v", err, ds2)
		}
		end, err := c.FollowEvents(ctx, ds2[0].ID, 0, func(paved.Event) error { return nil })
		ds = append(ds, time.Since(start))
		if err != nil || end.Status != paved.DeploymentSucceeded {
			b.Fatalf("%v %+v", err, end)
		}
	}
	percentiles(b, ds)
}

// storedHistory makes one real deployment of 20 real Score files and stores
// n copies of its row (specs, plan, sealed objects, inventory), so that
// reads run over rows as large as real ones.
func storedHistory(b *testing.B, n int) (*api.Client, []string) {
	specs := realSpecs(b, 20)
	s, c := benchServer(b)
	ctx := context.Background()
	deployAndFollow(b, c, "dev", specs)
	ds, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: "bench", Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	real, err := s.store.GetDeployment(ctx, ds[0].ID)
	if err != nil {
		b.Fatal(err)
	}
	db := s.store.(*sqlite.DB)
	ids := make([]string, 0, n)
	base := time.Now().Add(-time.Duration(n) * time.Minute)
	var batch []*paved.Deployment
	for i := range n {
		cp := *real
		cp.ID = fmt.Sprintf("d-bench-%06d", i)
		cp.CreatedAt = base.Add(time.Duration(i) * time.Minute)
		finished := cp.CreatedAt.Add(time.Second)
		cp.StartedAt, cp.FinishedAt = &cp.CreatedAt, &finished
		batch = append(batch, &cp)
		ids = append(ids, cp.ID)
		if len(batch) == 500 || i == n-1 {
			if err := db.CreateDeployments(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return c, ids
}

// BenchmarkGetDeployment: GET /api/deployments/{id} of random deployments
// (20 real Score files, their plan and objects each) with 10,000 stored.
func BenchmarkGetDeployment(b *testing.B) {
	c, ids := storedHistory(b, 10000)
	ctx := context.Background()
	var ds []time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := c.GetDeployment(ctx, ids[(i*7919)%len(ids)]); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	percentiles(b, ds)
}

// BenchmarkListDeployments: GET /api/apps/{app}/deployments?env=dev&limit=50
// with 10,000 real-sized deployments stored.
func BenchmarkListDeployments(b *testing.B) {
	c, _ := storedHistory(b, 10000)
	ctx := context.Background()
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		list, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: "bench", Env: "dev", Limit: 50})
		if err != nil || len(list) != 50 {
			b.Fatal(err, len(list))
		}
		ds = append(ds, time.Since(start))
	}
	percentiles(b, ds)
}
