package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
	"paved.dev/paved/server"
)

type demoFlags struct {
	dataDir string
	addr    string
	exit    bool
}

func newDemoCmd() *cobra.Command {
	f := &demoFlags{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole MVP on a fresh machine: server, pioneering team, representative app, golden paths",
		Example: `  paved demo
  paved demo --data-dir /tmp/paved-demo --addr 127.0.0.1:9090
  paved demo --exit`,
		Long: `demo starts a paved server on the embedded default (SQLite and a local GitOps
repository in --data-dir), seeds a pioneering team with a developer, resource
definitions and the representative app "shop" (a web and an api workload with
postgres, redis and a route), then runs the golden paths through the API as
that developer:

  1. deploy to dev: plan, provision, render, apply, status
  2. a preview environment cloned from dev with a TTL, which expires and is removed
  3. promote dev to staging, where postgres comes from the staging definition
  4. add a dependency (redis): the plan shows it before it is deployed
  5. roll back to the first deployment
  6. (scaffold a new service from a template: not built yet, so skipped)
  7. try production during the MVP: refused, with what is missing
  8. "what resource types can I use here?"

It prints what happened, the URL and a token, and keeps serving until
interrupted (--exit stops after the paths). Running it again reuses the data.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd, f) },
	}
	cmd.Flags().StringVar(&f.dataDir, "data-dir", "paved-demo", "data directory of the demo server")
	cmd.Flags().StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to serve on")
	cmd.Flags().BoolVar(&f.exit, "exit", false, "stop after the golden paths instead of serving")
	return cmd
}

func runDemo(cmd *cobra.Command, f *demoFlags) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	adminToken, err := demoAdminToken(f.dataDir)
	if err != nil {
		return err
	}
	// A fresh data dir gets weeks of history first, in the past: the
	// server's clock is the demo's until the history is seeded.
	_, statErr := os.Stat(filepath.Join(f.dataDir, "paved.db"))
	fresh := os.IsNotExist(statErr)
	clock := &demoClock{}
	t0 := historyStart(time.Now())
	if fresh {
		clock.set(t0)
	}
	s, err := server.Start(ctx, server.Config{
		Addr: f.addr, DataDir: f.dataDir, MVPMode: true, ReapEvery: 500 * time.Millisecond, Version: Version,
		AdminToken: adminToken, Now: clock.Now,
	})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(out, "paved demo: server on %s, data in %s\n\n", s.URL, f.dataDir)
	admin := api.NewClient(s.URL, adminToken)
	d := &demo{ctx: ctx, out: out, admin: admin, base: s.URL}
	devToken, err := d.seed()
	if err != nil {
		return err
	}
	d.dev = api.NewClient(s.URL, devToken)
	if fresh {
		if err := (&history{demo: d, clock: clock, t0: t0}).seed(); err != nil {
			return err
		}
	}
	clock.real()
	if err := d.goldenPaths(); err != nil {
		return err
	}
	if err := d.reports(f.dataDir); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe platform is serving at %s\n", s.URL)
	adminUser, err := s.Platform.Authenticate(ctx, adminToken)
	if err != nil {
		return err
	}
	link, err := s.LoginLink(ctx, adminUser, "dana", "/apps/shop")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  the portal, logged in as dana (a single-use link, valid 10 minutes):\n    %s\n", link)
	fmt.Fprintf(out, "  admin: token in %s\n", filepath.Join(f.dataDir, demoTokenFile))
	fmt.Fprintf(out, "  the paved command: go build -o paved ./cmd/paved (seconds now), or go install ./cmd/paved\n")
	fmt.Fprintf(out, "  developer dana: paved login --server %s --token %s\n", s.URL, devToken)
	fmt.Fprintf(out, "  then: paved deployments list --app shop; paved types --app shop --env dev\n")
	fmt.Fprintf(out, "  GitOps repository: %s/gitops (Argo CD / Flux layout <env>/<app>/); its Secrets are SealedSecrets,\n", f.dataDir)
	fmt.Fprintf(out, "    sealed for the key in %s/sealing (install it into a cluster's sealed-secrets controller: docs/targets-gitops.md)\n", f.dataDir)
	if f.exit {
		return nil
	}
	fmt.Fprintln(out, "Serving until interrupted (Ctrl-C).")
	select {
	case <-ctx.Done():
	case <-s.Done():
		return s.Err()
	}
	return nil
}

type demo struct {
	ctx        context.Context
	out        io.Writer
	admin, dev *api.Client
	base       string
	step       int
}

func (d *demo) say(format string, args ...any) { fmt.Fprintf(d.out, format+"\n", args...) }

func ignoreConflict(err error) error {
	if paved.ErrorCode(err) == paved.ECONFLICT {
		return nil
	}
	return err
}

// seed creates the pioneering team, its developer, the app and its
// environments, and the staging definition, as the platform team would.
func (d *demo) seed() (string, error) {
	d.say("Seeding (as the platform team):")
	if err := ignoreConflict(d.admin.CreateTeam(d.ctx, &paved.Team{Name: "pioneers", Cohort: 1, Pioneering: true})); err != nil {
		return "", err
	}
	if err := ignoreConflict(d.admin.CreateUser(d.ctx, &paved.User{Name: "dana", Role: paved.RoleDeveloper, Teams: []string{"pioneers"}})); err != nil {
		return "", err
	}
	tok, err := d.admin.CreateToken(d.ctx, &paved.TokenRequest{User: "dana", Name: "demo"})
	if err != nil {
		return "", err
	}
	_, err = d.admin.ApplyDefinitions(d.ctx, []paved.ResourceDefinition{{
		ID: "staging-postgres", Type: "postgres", Driver: "echo",
		Description: "the shared staging PostgreSQL server (an existing database)",
		Criteria:    []paved.Criteria{{EnvType: "staging"}},
		Inputs: map[string]any{
			"values":  map[string]any{"host": "pg.staging.internal", "port": 5432, "name": "shop", "database": "shop", "username": "shop"},
			"secrets": map[string]any{"password": "demo-staging-password", "uri": "postgresql://shop:demo-staging-password@pg.staging.internal:5432/shop"},
		},
	}})
	if err != nil {
		return "", err
	}
	if err := ignoreConflict(d.admin.CreateApp(d.ctx, &paved.App{Name: "shop", Team: "pioneers"})); err != nil {
		return "", err
	}
	for _, e := range []paved.EnvironmentRequest{{App: "shop", Name: "dev", Type: "development"}, {App: "shop", Name: "staging", Type: "staging"}} {
		if _, err := d.admin.CreateEnvironment(d.ctx, &e); ignoreConflict(err) != nil {
			return "", err
		}
	}
	d.say("  team pioneers (pioneering, cohort 1), developer dana, app shop with environments dev and staging,")
	d.say("  definition staging-postgres (staging uses an existing database)\n")
	return tok.Secret, nil
}

func specs(extraRedis bool) map[string]string {
	m := map[string]string{}
	for _, f := range examples.Shop() {
		s := string(f.Data)
		if extraRedis && f.Name == "api.score.yaml" {
			s = strings.Replace(s, "\nresources:\n", "\nresources:\n  cache:\n    type: redis\n", 1)
			s = strings.Replace(s, "      DB_HOST:", "      CACHE_HOST: ${resources.cache.host}\n      DB_HOST:", 1)
		}
		m[f.Name] = s
	}
	return m
}

func (d *demo) path(title string) {
	d.step++
	d.say("Golden path %s", title)
}

// wait follows a deployment, printing its events; a warning that repeats
// (the same gate finding for each object) is printed once, with its count,
// when the deployment has ended.
func (d *demo) wait(dep *paved.Deployment) (*paved.Deployment, error) {
	var warns warnings
	err := d.dev.StreamEvents(d.ctx, dep.ID, 0, func(e paved.Event) error {
		if e.Level == paved.EventWarn {
			warns.add(e.Message)
			return nil
		}
		d.say("    %s", e.Message)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, line := range warns.lines() {
		d.say("    %s", line)
	}
	final, err := d.dev.GetDeployment(d.ctx, dep.ID)
	if err != nil {
		return nil, err
	}
	if final.Status != paved.DeploymentSucceeded {
		return nil, fmt.Errorf("deployment %s %s: %s", final.ID, final.Status, final.Error)
	}
	return final, nil
}

func (d *demo) goldenPaths() error {
	c := d.dev
	d.path("1: deploy the app with its database to dev")
	plan, err := c.Plan(d.ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs(false)})
	if err != nil {
		return err
	}
	n := plan.Counts()
	against := "against what the target holds"
	if !plan.Live {
		against = plan.LiveNote
	}
	d.say("  plan: %d to create, %d to update, %d unchanged (resources and objects; %s)", n[paved.PlanCreate], n[paved.PlanUpdate], n[paved.PlanUnchanged], against)
	dep, err := c.Deploy(d.ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs(false), CommitSHA: "demo0001"})
	if err != nil {
		return err
	}
	first, err := d.wait(dep)
	if err != nil {
		return err
	}
	rs, err := c.ListResources(d.ctx, "shop", "dev")
	if err != nil {
		return err
	}
	d.say("  %s succeeded: %d objects in Git (revision %.12s), %d resources provisioned; passwords are sealed and redacted\n", first.ID, len(first.Inventory), first.Revision, len(rs))

	d.path("2: a preview environment for a pull request, cloned from dev, with a TTL")
	_, _ = c.DeleteEnvironment(d.ctx, "shop", "pr-42", paved.DeleteOptions{})
	env, err := c.CreateEnvironment(d.ctx, &paved.EnvironmentRequest{App: "shop", Name: "pr-42", From: "dev", TTL: paved.Duration(3 * time.Second)})
	if err != nil {
		return err
	}
	d.say("  pr-42 (%s) created from dev, expires %s", env.Type, env.ExpiresAt.Format(time.RFC3339))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		_, err := c.GetEnvironment(d.ctx, "shop", "pr-42")
		if paved.ErrorCode(err) == paved.ENOTFOUND {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pr-42 did not expire")
		}
	}
	d.say("  pr-42 expired: the reaper removed its objects from Git and deprovisioned its resources\n")

	d.path("3: promote dev to staging")
	pd, err := c.Promote(d.ctx, "shop", "dev", "staging")
	if err != nil {
		return err
	}
	if _, err := d.wait(pd); err != nil {
		return err
	}
	out, err := c.Outputs(d.ctx, "shop", "staging", "postgres.default#api.db", false)
	if err != nil {
		return err
	}
	d.say("  staging's postgres is %v (definition staging-postgres), password %v\n", out["host"], out["password"])

	d.path("4: add a dependency (redis) to the api")
	plan, err = c.Plan(d.ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs(true)})
	if err != nil {
		return err
	}
	for _, r := range plan.Resources {
		if r.Action != paved.PlanUnchanged {
			d.say("  plan: %s resource %s (definition %s)", r.Action, r.UID, r.Definition)
		}
	}
	for _, o := range plan.Objects {
		if o.Action != paved.PlanUnchanged {
			d.say("  plan: %s %s", o.Action, o.Ref)
		}
	}
	dep, err = c.Deploy(d.ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs(true), CommitSHA: "demo0002"})
	if err != nil {
		return err
	}
	second, err := d.wait(dep)
	if err != nil {
		return err
	}
	d.say("  %s succeeded\n", second.ID)

	d.path("5: roll back to the first deployment")
	rb, err := c.Rollback(d.ctx, first.ID)
	if err != nil {
		return err
	}
	if _, err := d.wait(rb); err != nil {
		return err
	}
	d.say("  %s re-deployed the snapshot of %s; the redis objects were pruned from Git\n", rb.ID, first.ID)

	d.path("6: scaffold a new service from a golden-path template")
	sc, err := d.admin.ListScaffolds(d.ctx, paved.ScaffoldFilter{})
	if err != nil {
		return err
	}
	for _, s := range sc.Items {
		d.say("  %s: team %s scaffolded %s from %s %s (paved new), recorded as saving %s", s.CreatedAt.Format("2006-01-02"), s.Team, s.App, s.Template, s.Version, time.Duration(s.TimeSaved))
	}
	d.say("  paved new --template go-service --name NAME --team pioneers scaffolds one into a new Git repository\n")

	d.path("7: try to deploy to production during the MVP")
	_, err = d.admin.CreateEnvironment(d.ctx, &paved.EnvironmentRequest{App: "shop", Name: "prod", Type: "production"})
	if paved.ErrorCode(err) != paved.EFORBIDDEN {
		return fmt.Errorf("production was not refused: %v", err)
	}
	d.say("  refused: %s\n", paved.ErrorMessage(err))

	d.path("8: what resource types can I use in shop/dev?")
	types, err := c.ResourceTypes(d.ctx, "shop", "dev")
	if err != nil {
		return err
	}
	var names []string
	for _, t := range types {
		n := t.Type
		if t.Class != "" {
			n += " (class " + t.Class + ")"
		}
		names = append(names, n)
	}
	d.say("  %s", strings.Join(names, ", "))
	return nil
}

// demoTokenFile keeps the demo admin's token, so that running the demo again
// on the same data can act as the admin that the first run created.
const demoTokenFile = "demo-admin.token"

func demoAdminToken(dir string) (string, error) {
	p := filepath.Join(dir, demoTokenFile)
	if b, err := os.ReadFile(p); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	tok := "pvd_" + base64.RawURLEncoding.EncodeToString(raw)
	return tok, writeFileMode(p, []byte(tok+"\n"), 0o600)
}

// warnings counts repeated warnings, keeping the order they first came in.
type warnings struct {
	count map[string]int
	order []string
}

func (w *warnings) add(msg string) {
	if w.count == nil {
		w.count = map[string]int{}
	}
	if w.count[msg] == 0 {
		w.order = append(w.order, msg)
	}
	w.count[msg]++
}

// lines says each warning once, with how many times it came when more
// than once.
func (w *warnings) lines() []string {
	out := make([]string, 0, len(w.order))
	for _, msg := range w.order {
		if n := w.count[msg]; n > 1 {
			out = append(out, fmt.Sprintf("warning (%d times): %s", n, msg))
		} else {
			out = append(out, "warning: "+msg)
		}
	}
	return out
}

// reports writes both demo reports into the data dir's reports folder.
func (d *demo) reports(dir string) error {
	out := filepath.Join(dir, "reports")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	d.say("\nDemo reports (paved report --audience AUDIENCE -o FILE.html|FILE.pdf makes them again):")
	for _, aud := range paved.ReportAudiences() {
		rep, err := d.admin.Report(d.ctx, &paved.ReportRequest{Audience: aud})
		if err != nil {
			return err
		}
		path := filepath.Join(out, string(aud)+".html")
		if err := writeFileMode(path, rep.HTML, 0o644); err != nil {
			return err
		}
		d.say("  %s: %s", aud, path)
	}
	return nil
}
