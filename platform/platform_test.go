package platform

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/examples"
	"paved.dev/paved/modules"
	"paved.dev/paved/seal"
	"paved.dev/paved/store/sqlite"
	"paved.dev/paved/target/gitops"
)

type fixture struct {
	p       *Platform
	dir     string
	store   *sqlite.DB
	git     *gitops.Target
	admin   context.Context
	dev     context.Context
	other   context.Context
	clock   *clock
	gitPath string
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now advances a millisecond on every reading, so that times order events.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newFixture(t *testing.T, opts ...func(*Config)) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "paved.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gitPath := filepath.Join(dir, "gitops")
	git, err := gitops.New(gitops.Config{Path: gitPath, SecretsMode: gitops.SecretsOmit})
	if err != nil {
		t.Fatal(err)
	}
	reg := paved.NewRegistry()
	if err := modules.Drivers(reg, nil); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(reg.Drivers())
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := seal.New(bytes.Repeat([]byte{3}, seal.KeySize))
	clk := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	cfg := Config{Store: st, Engine: eng, Sealer: sealer, Targets: map[string]paved.Target{"gitops": git}, DefaultTarget: "gitops", MVPMode: true, Now: clk.Now}
	for _, o := range opts {
		o(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	f := &fixture{p: p, dir: dir, store: st, git: git, clock: clk, gitPath: gitPath}
	admin := &paved.User{Name: "admin", Role: paved.RoleAdmin}
	if _, _, err := p.Bootstrap(context.Background(), "pvd_test_admin"); err != nil {
		t.Fatal(err)
	}
	f.admin = paved.WithActor(context.Background(), admin)
	must(t, p.CreateTeam(f.admin, &paved.Team{Name: "pioneers", Pioneering: true}))
	must(t, p.CreateTeam(f.admin, &paved.Team{Name: "others", Cohort: 2}))
	dev := &paved.User{Name: "dana", Role: paved.RoleDeveloper, Teams: []string{"pioneers"}}
	must(t, p.CreateUser(f.admin, dev))
	other := &paved.User{Name: "olaf", Role: paved.RoleDeveloper, Teams: []string{"others"}}
	must(t, p.CreateUser(f.admin, other))
	f.dev = paved.WithActor(context.Background(), dev)
	f.other = paved.WithActor(context.Background(), other)
	must(t, p.CreateApp(f.dev, &paved.App{Name: "shop", Team: "pioneers"}))
	if _, err := p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "dev", Type: "development"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func shopSpecs() map[string]string {
	m := map[string]string{}
	for _, f := range examples.Shop() {
		m[f.Name] = string(f.Data)
	}
	return m
}

// deployToEnd deploys specs to shop/dev and returns the deployment once it
// ended, whatever its status.
func (f *fixture) deployToEnd(t *testing.T, specs map[string]string) *paved.Deployment {
	t.Helper()
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	if err != nil {
		t.Fatal(err)
	}
	f.p.Wait()
	got, err := f.p.GetDeployment(f.dev, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (f *fixture) deployAndWait(t *testing.T, ctx context.Context, env string, specs map[string]string) *paved.Deployment {
	t.Helper()
	d, err := f.p.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: env, Specs: specs})
	if err != nil {
		t.Fatal(err)
	}
	f.p.Wait()
	got, err := f.p.GetDeployment(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != paved.DeploymentSucceeded {
		evs, _ := f.p.Events(ctx, d.ID, 0)
		t.Fatalf("deployment %s: %s (%s); events %+v", d.ID, got.Status, got.Error, evs)
	}
	return got
}

func TestGoldenPaths(t *testing.T) {
	f := newFixture(t)
	specs := shopSpecs()

	// 1. Deploy a workload that needs a database to dev.
	d1 := f.deployAndWait(t, f.dev, "dev", specs)
	if _, err := os.Stat(filepath.Join(f.gitPath, "dev", "shop", "deployment-api.yaml")); err != nil {
		t.Fatalf("the GitOps repository lacks the api Deployment: %v", err)
	}
	res, err := f.p.ListResources(f.dev, "shop", "dev")
	if err != nil || len(res) != 5 {
		t.Fatalf("resources = %d, %v; want 5", len(res), err)
	}
	db := paved.ResourceUID("postgres.default#api.db")
	red, err := f.p.Outputs(f.dev, "shop", "dev", db, false)
	if err != nil || red["password"] != paved.Redacted || red["host"] == "" {
		t.Fatalf("outputs without reveal: %v, %v", red, err)
	}
	clear, err := f.p.Outputs(f.dev, "shop", "dev", db, true)
	if err != nil || clear["password"] == paved.Redacted || len(clear["password"].(string)) != 24 {
		t.Fatalf("revealed outputs: %v, %v", clear, err)
	}
	if _, err := f.p.Outputs(f.other, "shop", "dev", db, true); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("another team's developer revealed a secret: %v", err)
	}

	// 4. Add a dependency: the plan shows the new resource before apply.
	changed := copySpecs(specs)
	changed["api.score.yaml"] = strings.Replace(changed["api.score.yaml"], "\nresources:\n", "\nresources:\n  queue:\n    type: redis\n", 1)
	plan, err := f.p.Plan(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: changed})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Base != d1.ID || !slices.ContainsFunc(plan.Resources, func(c paved.PlannedResource) bool {
		return c.Action == paved.PlanCreate && c.UID == "redis.default#api.queue" && c.Definition.ID == "default-redis"
	}) {
		t.Fatalf("plan does not show the new redis: %+v", plan)
	}
	if !slices.ContainsFunc(plan.Objects, func(c paved.PlannedObject) bool {
		return c.Action == paved.PlanCreate && c.Ref.Name == "redis-api-queue"
	}) {
		t.Errorf("plan does not show the new objects: %+v", plan.Objects)
	}
	if !plan.Live {
		t.Errorf("the plan was not compared with the GitOps repository: %s", plan.LiveNote)
	}
	d2 := f.deployAndWait(t, f.dev, "dev", changed)
	if _, err := os.Stat(filepath.Join(f.gitPath, "dev", "shop", "statefulset-redis-api-queue.yaml")); err != nil {
		t.Fatalf("the new redis is not in Git: %v", err)
	}

	// 5. Roll back to the first deployment: the redis objects are pruned.
	rb, err := f.p.Rollback(f.dev, d1.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.p.Wait()
	rbd, _ := f.p.GetDeployment(f.dev, rb.ID)
	if rbd.Status != paved.DeploymentSucceeded || rbd.RollbackOf() != d1.ID || rbd.Kind != paved.KindRollback {
		t.Fatalf("rollback: %+v", rbd)
	}
	if _, err := os.Stat(filepath.Join(f.gitPath, "dev", "shop", "statefulset-redis-api-queue.yaml")); err == nil {
		t.Errorf("the rollback left the redis of %s in Git", d2.ID)
	}

	// 2. A preview environment cloned from dev, with a TTL; it expires.
	ttl := paved.Duration(48 * time.Hour)
	pr, err := f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-42", From: "dev", TTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	f.p.Wait()
	if pr.Type != "ephemeral" || pr.ExpiresAt == nil {
		t.Fatalf("preview environment: %+v", pr)
	}
	if _, err := os.Stat(filepath.Join(f.gitPath, "pr-42", "shop", "deployment-web.yaml")); err != nil {
		t.Fatalf("the preview environment was not deployed: %v", err)
	}
	f.clock.Add(49 * time.Hour)
	if n, err := f.p.Reap(context.Background()); err != nil || n != 1 {
		t.Fatalf("reap = %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(filepath.Join(f.gitPath, "pr-42")); err == nil {
		t.Errorf("the expired environment's objects are still in Git")
	}
	if left, _ := f.store.ListResources(context.Background(), paved.ResourceFilter{App: "shop", Env: "pr-42"}); len(left) != 0 {
		t.Errorf("%d resources of the expired environment are left", len(left))
	}
	// History still says where the preview's deployments ran.
	gone, err := f.p.ListDeployments(f.dev, paved.DeploymentFilter{App: "shop", Env: "pr-42"})
	if err != nil || len(gone) != 1 || gone[0].EnvType != paved.EnvEphemeral || gone[0].Target != "gitops" || gone[0].EnvID != pr.ID || gone[0].Kind != paved.KindClone {
		t.Errorf("the expired preview's deployments: %+v %v", gone, err)
	}

	// 3. Promote dev to staging: staging's definitions apply.
	must(t, func() error {
		_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{
			ID: "staging-postgres", Type: "postgres", Driver: "echo",
			Criteria: []paved.Criteria{{EnvType: "staging"}},
			Inputs: map[string]any{"values": map[string]any{"host": "pg.staging.internal", "port": 5432, "name": "shop", "database": "shop", "username": "shop"},
				"secrets": map[string]any{"password": "staging-secret-pw"}},
		}})
		return err
	}())
	if _, err := f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "staging"}); err != nil {
		t.Fatal(err)
	}
	pd, err := f.p.Promote(f.dev, "shop", "dev", "staging")
	if err != nil {
		t.Fatal(err)
	}
	f.p.Wait()
	if got, _ := f.p.GetDeployment(f.dev, pd.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("promotion: %s %s", got.Status, got.Error)
	}
	out, err := f.p.Outputs(f.dev, "shop", "staging", db, false)
	if err != nil || out["host"] != "pg.staging.internal" {
		t.Errorf("staging's postgres did not come from the staging definition: %v %v", out, err)
	}

	// 7. Production during the MVP: refused, saying what is missing.
	_, err = f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "prod", Type: "production"})
	if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "MVP mode") || !strings.Contains(err.Error(), "missing: ") || !strings.Contains(err.Error(), "signed off by security") {
		t.Errorf("production in MVP mode: %v", err)
	}

	// 8. Which resource types can I use here?
	types, err := f.p.ResourceTypes(f.dev, "shop", "staging")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(types, func(ti paved.TypeInfo) bool { return ti.Type == "postgres" && ti.Definition == "staging-postgres" }) {
		t.Errorf("types in staging do not name staging-postgres: %+v", types)
	}

	// Secrets: nowhere in plain text in the store or the Git repository.
	f.p.Close()
	for _, secret := range []string{clear["password"].(string), "staging-secret-pw"} {
		assertNowhere(t, f.dir, secret)
	}

	// Every change is in the audit log.
	audit, err := f.store.ListAudit(context.Background(), paved.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"team.create", "app.create", "env.create", "deploy", "rollback", "env.expire", "definitions.apply", "resource.reveal"} {
		if !slices.ContainsFunc(audit, func(e paved.AuditEntry) bool { return e.Action == action }) {
			t.Errorf("audit log has no %s", action)
		}
	}
}

func copySpecs(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// assertNowhere greps every file under dir (the SQLite files, the Git
// repository's objects, uncompressed and compressed alike are read as bytes).
func assertNowhere(t *testing.T, dir, secret string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the secret %q in plain text", p, secret)
		}
		return nil
	})
}

func TestAuthorisationAndBadInput(t *testing.T) {
	f := newFixture(t)
	viewer := paved.WithActor(context.Background(), &paved.User{Name: "vic", Role: paved.RoleViewer})
	tests := []struct {
		name string
		err  error
		code string
		want string
	}{
		{"another team's app", deployErr(f.p, f.other, "shop", "dev", shopSpecs()), paved.EFORBIDDEN, "app shop belongs to team pioneers"},
		{"viewer deploys", deployErr(f.p, viewer, "shop", "dev", shopSpecs()), paved.EFORBIDDEN, "read-only"},
		{"no actor", deployErr(f.p, context.Background(), "shop", "dev", shopSpecs()), paved.EUNAUTHORIZED, "not logged in"},
		{"unknown app", deployErr(f.p, f.admin, "blog", "dev", shopSpecs()), paved.ENOTFOUND, ""},
		{"unknown env", deployErr(f.p, f.dev, "shop", "qa", shopSpecs()), paved.ENOTFOUND, ""},
		{"invalid Score", deployErr(f.p, f.dev, "shop", "dev", map[string]string{"web.score.yaml": "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {X: '${resources.db.host}'}}}\n"}), paved.EINVALID, `web.score.yaml: containers.main.variables.X: unknown resource "db"`},
		{"no specs", deployErr(f.p, f.dev, "shop", "dev", nil), paved.EINVALID, "no Score files"},
		{"ttl beyond the maximum", envErr(f.p, f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-1", Type: "ephemeral", TTL: paved.Duration(60 * 24 * time.Hour)}), paved.EINVALID, "beyond the maximum"},
		{"ttl on a non-ephemeral env", envErr(f.p, f.dev, &paved.EnvironmentRequest{App: "shop", Name: "qa", Type: "development", TTL: paved.Duration(time.Hour)}), paved.EINVALID, "only ephemeral environments expire"},
		{"production in MVP mode", envErr(f.p, f.admin, &paved.EnvironmentRequest{App: "shop", Name: "prod", Type: "production"}), paved.EFORBIDDEN, "refused in MVP mode"},
		{"a developer creates staging", envErr(f.p, f.dev, &paved.EnvironmentRequest{App: "shop", Name: "staging"}), paved.EFORBIDDEN, "creating a staging environment needs the admin role"},
		{"an unknown type", envErr(f.p, f.dev, &paved.EnvironmentRequest{App: "shop", Name: "qa", Type: "qa"}), paved.EINVALID, `type: "qa" is not one of ephemeral, development, staging, production`},
		{"developer changes definitions", func() error { _, err := f.p.ApplyDefinitions(f.dev, nil); return err }(), paved.EFORBIDDEN, "needs the admin role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if paved.ErrorCode(tt.err) != tt.code || !strings.Contains(fmt.Sprint(tt.err), tt.want) {
				t.Fatalf("got %v (%s), want %s containing %q", tt.err, paved.ErrorCode(tt.err), tt.code, tt.want)
			}
		})
	}
	// Nothing half-written: no deployment was recorded by the refused ones.
	ds, err := f.store.ListDeployments(context.Background(), paved.DeploymentFilter{App: "shop"})
	if err != nil || len(ds) != 0 {
		t.Errorf("refused deployments left %d records (%v)", len(ds), err)
	}
}

func deployErr(p *Platform, ctx context.Context, app, env string, specs map[string]string) error {
	_, err := p.Deploy(ctx, &paved.DeployRequest{App: app, Env: env, Specs: specs})
	return err
}

func envErr(p *Platform, ctx context.Context, req *paved.EnvironmentRequest) error {
	_, err := p.CreateEnvironment(ctx, req)
	return err
}

// TestConcurrentDeploysRunOneAtATime queues 50 deploys of different images
// to one environment at once: none overlaps another; each succeeds or,
// planned against a base that another replaced before it ran, fails as stale
// without applying anything, taken over by a newer one queued or planned
// again; and the environment ends with the request that ran last.
func TestConcurrentDeploysRunOneAtATime(t *testing.T) {
	f := newFixture(t)
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			specs := shopSpecs()
			specs["web.score.yaml"] = strings.Replace(specs["web.score.yaml"], "shop-web:1.0.0", fmt.Sprintf("shop-web:1.0.%d", i), 1)
			if _, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	f.p.Wait()
	ds, err := f.store.ListDeployments(context.Background(), paved.DeploymentFilter{App: "shop", Env: "dev", Limit: -1})
	if err != nil || len(ds) < n {
		t.Fatalf("%d deployments recorded (%v), want at least %d", len(ds), err, n)
	}
	recorded := map[string]bool{}
	for _, d := range ds {
		recorded[d.ID] = true
	}
	slices.SortFunc(ds, func(a, b paved.Deployment) int { return a.StartedAt.Compare(*b.StartedAt) })
	started := map[string]int{}
	for i, d := range ds {
		started[d.ID] = i
	}
	for i, d := range ds {
		switch {
		case d.Status == paved.DeploymentSucceeded:
		case d.Status != paved.DeploymentFailed || !strings.Contains(d.Error, "the plan is stale") || len(d.Inventory) != 0:
			t.Fatalf("%s: %s %s; want succeeded, or failed as stale before applying", d.ID, d.Status, d.Error)
		case d.ReplacedBy != "" && !recorded[d.ReplacedBy]:
			t.Fatalf("%s was replaced by %s, which is not recorded", d.ID, d.ReplacedBy)
		case d.ReplacedBy == "" && !strings.Contains(d.Error, "is queued and runs next"):
			t.Fatalf("%s failed as stale, with nothing taking its place: %s", d.ID, d.Error)
		case d.ReplacedBy != "" && started[d.ReplacedBy] < i:
			t.Fatalf("%s was replaced by %s, which ran before it", d.ID, d.ReplacedBy)
		}
		if i > 0 && d.StartedAt.Before(*ds[i-1].FinishedAt) {
			t.Fatalf("%s started before %s finished", d.ID, ds[i-1].ID)
		}
	}
	// The one that ran last succeeded: the environment ends with a request
	// that ran whole, never with one a stale plan cut short. (Submitted
	// at the same instant, which of them is "newest" is the queue's call.)
	final := ds[len(ds)-1]
	if final.Status != paved.DeploymentSucceeded {
		t.Fatalf("the last to run: %s %s %q", final.ID, final.Status, final.Error)
	}
	full, _ := f.store.GetDeployment(context.Background(), final.ID)
	y, err := os.ReadFile(filepath.Join(f.gitPath, "dev", "shop", "deployment-web.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for _, o := range full.Objects {
		if o.Ref().Kind == "Deployment" && o.Ref().Name == "web" {
			want = fmt.Sprint(o["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["image"])
		}
	}
	if want == "" || !bytes.Contains(y, []byte(want)) {
		t.Errorf("the target does not hold the last deployment's image %q:\n%s", want, y)
	}
}

// TestRestartFailsInterruptedDeployments: a deployment left running by a
// crash ends failed after a restart, and the target is brought back to the
// last successful deployment.
func TestRestartFailsInterruptedDeployments(t *testing.T) {
	f := newFixture(t)
	good := f.deployAndWait(t, f.dev, "dev", shopSpecs())
	now := f.clock.Now()
	env, _ := f.store.GetEnvironment(context.Background(), "shop", "dev")
	stuck := &paved.Deployment{ID: "d-stuck", App: "shop", Env: "dev", EnvID: env.ID, Author: "dana", Specs: shopSpecs(), Status: paved.DeploymentRunning,
		Runner: f.p.id, CreatedAt: now, StartedAt: &now}
	must(t, f.store.CreateDeployment(context.Background(), stuck))
	// What the crashed deployment had written to Git before the crash.
	stray := filepath.Join(f.gitPath, "dev", "shop", "configmap-stray.yaml")
	must(t, os.WriteFile(stray, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stray}\n"), 0o644))
	f.p.Close()

	p2, err := New(f.p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	must(t, p2.Start(context.Background(), 0))
	defer p2.Close()
	d, err := p2.GetDeployment(f.dev, "d-stuck")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != paved.DeploymentFailed || !strings.Contains(d.Error, "deploy again") {
		t.Fatalf("after restart: %s %q", d.Status, d.Error)
	}
	inv, err := f.git.Inventory(paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Namespace: "shop-dev"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(refs(inv), refs(good.Inventory)) {
		t.Errorf("Git holds %v, the store's last deployment %v", refs(inv), refs(good.Inventory))
	}
}

func refs(r []paved.ObjectRef) []string {
	var out []string
	for _, x := range r {
		out = append(out, x.String())
	}
	slices.Sort(out)
	return out
}

func TestNamespaceTemplates(t *testing.T) {
	f := newFixture(t)
	f.p.cfg.NamespaceTemplates = map[string]string{"ephemeral": "preview-{app}-{env}", "staging": "Bad_{app}"}
	env, err := f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-5", Type: "ephemeral"})
	must(t, err)
	if env.Namespace != "preview-shop-pr-5" {
		t.Errorf("namespace %q, want preview-shop-pr-5", env.Namespace)
	}
	if env, _ := f.p.GetEnvironment(f.dev, "shop", "dev"); env.Namespace != "shop-dev" {
		t.Errorf("a type without a template: %q", env.Namespace)
	}
	_, err = f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "stg", Type: "staging"})
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "staging template Bad_{app}") {
		t.Errorf("a template making an invalid name: %v", err)
	}
}

func TestNamespacesAreNotShared(t *testing.T) {
	f := newFixture(t)
	must(t, f.p.CreateApp(f.admin, &paved.App{Name: "shop-dev", Team: "others"}))
	if _, err := f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "dev-eu", Type: "development"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.p.CreateEnvironment(f.other, &paved.EnvironmentRequest{App: "shop-dev", Name: "eu", Type: "development"})
	if paved.ErrorCode(err) != paved.ECONFLICT || !strings.Contains(err.Error(), "namespace shop-dev-eu on target gitops is already environment shop/dev-eu's") {
		t.Fatalf("two environments in one namespace: %v", err)
	}
}
