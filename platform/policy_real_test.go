package platform

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/policy"
)

// TestDeniedDeploymentProvisionsNothingOnRealPostgres: a data policy denies
// a deployment whose postgres would come from the real driver; the
// deployment is recorded as failed with the policy's message, and no
// database, role or stored resource exists afterwards.
func TestDeniedDeploymentProvisionsNothingOnRealPostgres(t *testing.T) {
	requirePostgres(t)
	engine := policy.New(0)
	f := newFixture(t, func(c *Config) {
		c.Gates = []paved.Gate{&policy.Gate{Engine: engine, Stored: c.Store.ListPolicies}}
		c.CheckPolicy, c.BuiltinPolicies = engine.Check, policy.Builtin()
	})
	ctx := context.Background()
	app := "rp" + strings.ToLower(rand.Text()[:8])
	must(t, f.p.CreateApp(f.dev, &paved.App{Name: app, Team: "pioneers"}))
	_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{
		ID: "pg-shared-dev", Type: "postgres", Driver: "postgres", Criteria: []paved.Criteria{{EnvType: paved.EnvDevelopment}},
		Inputs:   map[string]any{"host": "127.0.0.1", "port": 5432, "username": "postgres", "password": "", "sslmode": "disable"},
		Metadata: map[string]string{"classification": "pii"},
	}})
	must(t, err)
	data := &paved.User{Name: "dora", Role: paved.RoleData}
	must(t, f.p.CreateUser(f.admin, data))
	_, err = f.p.ApplyPolicies(paved.WithActor(ctx, data), []paved.Policy{{ID: "pii-in-dev", Owner: paved.RoleData, Kind: paved.PolicyDeployment,
		Module: "package piidev\n\ndeny contains msg if {\n\tinput.environment.type == \"development\"\n\tsome r in input.resources\n\tr.definition.metadata.classification == \"pii\"\n\tmsg := sprintf(\"%s would hold pii in development\", [r.uid])\n}\n"}})
	must(t, err)
	_, err = f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: app, Name: "dev", Type: paved.EnvDevelopment})
	must(t, err)

	admin, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	must(t, err)
	defer admin.Close(ctx)
	count := func() (dbs, roles int) {
		t.Helper()
		must(t, admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname LIKE $1", "%"+app+"%").Scan(&dbs))
		must(t, admin.QueryRow(ctx, "SELECT count(*) FROM pg_roles WHERE rolname LIKE $1", "%"+app+"%").Scan(&roles))
		return dbs, roles
	}
	_, err = f.p.Deploy(f.dev, &paved.DeployRequest{App: app, Env: "dev", Specs: shopSpecs()})
	if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "pii-in-dev/deny (data): postgres.default#api.db would hold pii in development") {
		t.Fatalf("the denied deployment: %v", err)
	}
	f.p.Wait()
	if dbs, roles := count(); dbs != 0 || roles != 0 {
		t.Errorf("a denied deployment made %d databases and %d roles", dbs, roles)
	}
	rs, err := f.p.ListResources(f.dev, app, "dev")
	must(t, err)
	if len(rs) != 0 {
		t.Errorf("a denied deployment stored %d resources", len(rs))
	}
	ds, err := f.p.ListDeployments(f.dev, paved.DeploymentFilter{App: app, Env: "dev"})
	must(t, err)
	if len(ds) != 1 || ds[0].Status != paved.DeploymentFailed || !strings.Contains(ds[0].Error, "would hold pii in development") {
		t.Fatalf("the record: %+v", ds)
	}
	// The same app's plan shows the denial before anything runs.
	pl, err := f.p.Plan(f.dev, &paved.DeployRequest{App: app, Env: "dev", Specs: shopSpecs()})
	must(t, err)
	found := false
	for _, fi := range pl.Findings {
		found = found || fi.Level == paved.FindingDeny && fi.Owner == paved.RoleData
	}
	if !found {
		t.Errorf("the plan's findings: %+v", pl.Findings)
	}
	if dbs, _ := count(); dbs != 0 {
		t.Errorf("planning made %d databases", dbs)
	}
}
