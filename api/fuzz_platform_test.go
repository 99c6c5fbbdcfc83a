package api

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/modules"
	"paved.dev/paved/platform"
	"paved.dev/paved/policy"
	"paved.dev/paved/seal"
	"paved.dev/paved/store/sqlite"
	"paved.dev/paved/target/gitops"
)

// fuzzPlatform is the real platform on a SQLite store in a temporary
// directory, for the services the fake does not implement (manual checks,
// the MVP program, feedback and the roadmap, templates and scaffolds,
// scorecards, reports, backups): the fuzz server sends their routes'
// bodies through the platform's own validation and store. It holds what
// the fake's requests name (team and app shop, alice the admin, bob a
// developer of shop) so that references resolve. It is never started: no
// background work, no deployment runs.
func fuzzPlatform(tb testing.TB) *platform.Platform {
	tb.Helper()
	dir := tb.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "paved.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	git, err := gitops.New(gitops.Config{Path: filepath.Join(dir, "gitops"), SecretsMode: gitops.SecretsOmit})
	if err != nil {
		tb.Fatal(err)
	}
	reg := paved.NewRegistry()
	if err := modules.Drivers(reg, nil); err != nil {
		tb.Fatal(err)
	}
	eng, err := engine.New(reg.Drivers())
	if err != nil {
		tb.Fatal(err)
	}
	sealer, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		tb.Fatal(err)
	}
	policies := policy.New(0)
	p, err := platform.New(platform.Config{
		Store: st, Engine: eng, Sealer: sealer, Registry: reg,
		Targets: map[string]paved.Target{"gitops": git}, DefaultTarget: "gitops",
		CheckPolicy: policies.Check, BuiltinPolicies: policy.Builtin(), PolicyRules: policy.Rules,
		Scorecards: policies, BuiltinScorecards: policy.BuiltinScorecards(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	admin := paved.WithActor(context.Background(), users["admin-token"])
	for _, err := range []error{
		p.CreateTeam(admin, &paved.Team{Name: "shop", Pioneering: true}),
		p.CreateUser(admin, &paved.User{Name: "alice", Role: paved.RoleAdmin}),
		p.CreateUser(admin, &paved.User{Name: "bob", Role: paved.RoleDeveloper, Teams: []string{"shop"}}),
		p.CreateApp(admin, &paved.App{Name: "shop", Team: "shop"}),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return p
}
