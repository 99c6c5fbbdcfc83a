package api

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
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
// background work, no deployment runs. It is closed when tb ends.
func fuzzPlatform(tb testing.TB) *platform.Platform {
	tb.Helper()
	p, close := openFuzzPlatform(tb, tb.TempDir())
	tb.Cleanup(close)
	return p
}

// openFuzzPlatform makes a fuzz platform (fuzzPlatform) in dir, and the
// function that closes it.
func openFuzzPlatform(tb testing.TB, dir string) (*platform.Platform, func()) {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(dir, "paved.db"))
	if err != nil {
		tb.Fatal(err)
	}
	p, err := newFuzzPlatform(st, dir)
	if err != nil {
		st.Close()
		tb.Fatalf("the fuzz platform in %s: %v", dir, err)
	}
	return p, func() { p.Close(); st.Close() }
}

// newFuzzPlatform is the platform on st, its GitOps repository in dir,
// holding what the fake's requests name.
func newFuzzPlatform(st *sqlite.DB, dir string) (*platform.Platform, error) {
	git, err := gitops.New(gitops.Config{Path: filepath.Join(dir, "gitops"), SecretsMode: gitops.SecretsOmit})
	if err != nil {
		return nil, err
	}
	reg := paved.NewRegistry()
	if err := modules.Drivers(reg, nil); err != nil {
		return nil, err
	}
	eng, err := engine.New(reg.Drivers())
	if err != nil {
		return nil, err
	}
	sealer, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		return nil, err
	}
	policies := policy.New(0)
	p, err := platform.New(platform.Config{
		Store: st, Engine: eng, Sealer: sealer, Registry: reg,
		Targets: map[string]paved.Target{"gitops": git}, DefaultTarget: "gitops",
		CheckPolicy: policies.Check, BuiltinPolicies: policy.Builtin(), PolicyRules: policy.Rules,
		Scorecards: policies, BuiltinScorecards: policy.BuiltinScorecards(),
	})
	if err != nil {
		return nil, err
	}
	admin := paved.WithActor(context.Background(), users["admin-token"])
	for _, err := range []error{
		p.CreateTeam(admin, &paved.Team{Name: "shop", Pioneering: true}),
		p.CreateUser(admin, &paved.User{Name: "alice", Role: paved.RoleAdmin}),
		p.CreateUser(admin, &paved.User{Name: "bob", Role: paved.RoleDeveloper, Teams: []string{"shop"}}),
		p.CreateApp(admin, &paved.App{Name: "shop", Team: "shop"}),
	} {
		if err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

// fuzzPlatformInputs is how many inputs one fuzz platform serves before a
// fresh one replaces it. A fresh one for every input would make the inputs
// independent, but making one takes 36 to 60 ms on the 2-core machine
// (SQLite's schema, the GitOps repository, the fixtures), far more than an
// input; one for the whole run let the database grow for as long as the
// fuzzer ran, and an input's answer depend on everything sent before it.
// Every 500 inputs bounds both: what an input meets is what at most 499
// others wrote.
const fuzzPlatformInputs = 500

// fuzzPlatforms hands the inputs of a fuzz target a fuzz platform, a fresh
// one (in a fresh directory, the old one closed and removed) every
// fuzzPlatformInputs inputs. Each fuzzing worker is its own process with
// its own; the last is closed when tb (the fuzz target) ends.
type fuzzPlatforms struct {
	dir    string
	mu     sync.Mutex
	served int // inputs the current platform has served
	p      *platform.Platform
	pdir   string
	close  func()
}

func newFuzzPlatforms(tb testing.TB) *fuzzPlatforms {
	fp := &fuzzPlatforms{dir: tb.TempDir()}
	tb.Cleanup(fp.drop)
	return fp
}

// next is the platform for one more input; t is the input's (or the
// target's, outside its inputs).
func (fp *fuzzPlatforms) next(t testing.TB) *platform.Platform {
	t.Helper()
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if fp.p == nil || fp.served == fuzzPlatformInputs {
		fp.drop()
		dir, err := os.MkdirTemp(fp.dir, "platform")
		if err != nil {
			t.Fatalf("a directory for a fresh fuzz platform: %v", err)
		}
		fp.p, fp.close = openFuzzPlatform(t, dir)
		fp.pdir = dir
	}
	fp.served++
	return fp.p
}

// drop closes the current platform and removes its directory.
func (fp *fuzzPlatforms) drop() {
	if fp.p == nil {
		return
	}
	fp.close()
	os.RemoveAll(fp.pdir)
	fp.p, fp.close, fp.pdir, fp.served = nil, nil, "", 0
}
