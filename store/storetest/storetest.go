// Package storetest is the conformance suite every paved.Store adapter
// passes: the SQLite and PostgreSQL stores run the same tests, so that the
// services above them cannot tell which one they talk to.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// Run runs the suite. open must return a new, empty store for each call and
// clean up after it with t.Cleanup; Run closes the store itself.
func Run(t *testing.T, open func(t *testing.T) paved.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s paved.Store)
	}{
		{"Teams", testTeams},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"Apps", testApps},
		{"Environments", testEnvironments},
		{"ExpiredEnvironments", testExpiredEnvironments},
		{"Definitions", testDefinitions},
		{"Resources", testResources},
		{"Deployments", testDeployments},
		{"DeploymentsWithoutLimit", testDeploymentsWithoutLimit},
		{"DeploymentRoundTrip", testDeploymentRoundTrip},
		{"DeploymentLifecycle", testDeploymentLifecycle},
		{"ConcurrentFinish", testConcurrentFinish},
		{"LastSuccessful", testLastSuccessful},
		{"Events", testEvents},
		{"Audit", testAudit},
		{"Timestamps", testTimestamps},
		{"ConcurrentEvents", testConcurrentEvents},
		{"ConcurrentDeployments", testConcurrentDeployments},
		{"ConcurrentDefinitions", testConcurrentDefinitions},
		{"Policies", testPolicies},
		{"ConcurrentPolicies", testConcurrentPolicies},
		{"PolicyModules", testPolicyModules},
		{"PriceLists", testPriceLists},
		{"ConcurrentPriceLists", testConcurrentPriceLists},
		{"PriceListFloats", testPriceListFloats},
		{"TeamBudgets", testTeamBudgets},
		{"Waivers", testWaivers},
		{"ConcurrentWaiverDecisions", testConcurrentWaiverDecisions},
		{"ListWaivers", testListWaivers},
		{"WaiverTimes", testWaiverTimes},
		{"SignOffs", testSignOffs},
		{"SignOffTimes", testSignOffTimes},
		{"ManualChecks", testManualChecks},
		{"Program", testProgram},
		{"FeedbackAndRoadmap", testFeedbackAndRoadmap},
		{"Templates", testTemplates},
		{"ConcurrentTemplates", testConcurrentTemplates},
		{"Scaffolds", testScaffolds},
		{"Scorecards", testScorecards},
		{"ScorecardResults", testScorecardResults},
		{"ConcurrentScorecardResults", testConcurrentScorecardResults},
		{"Runner", testRunner},
		{"FailOrphaned", testFailOrphaned},
		{"ConcurrentFailOrphaned", testConcurrentFailOrphaned},
		{"Leases", testLeases},
		{"FinishUnderLease", testFinishUnderLease},
		{"Reseal", testReseal},
		{"ConcurrentLeases", testConcurrentLeases},
		{"RenewLease", testRenewLease},
		{"Targets", testTargets},
		{"ListTargets", testListTargets},
		{"DeleteTarget", testDeleteTarget},
		{"InstallationID", testInstallationID},
		{"MVPMode", testMVPMode},
		{"NamespaceTaken", testNamespaceTaken},
		{"GetTeam", testGetTeam},
		{"UpdateTeam", testUpdateTeam},
		{"DeleteTeam", testDeleteTeam},
		{"UpdateApp", testUpdateApp},
		{"AppOnCall", testAppOnCall},
		{"DeleteApp", testDeleteApp},
		{"DeleteUser", testDeleteUser},
		{"SetExpiry", testSetExpiry},
		{"ConcurrentDeletes", testConcurrentDeletes},
		{"DORA", testDORA},
		{"DeploymentFix", testDeploymentFix},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// wantError fails unless err carries code and its message contains msg.
func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s %q", code, msg)
	}
	if got := paved.ErrorCode(err); got != code {
		t.Fatalf("got error %q with code %s, want code %s", err, got, code)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Fatalf("got error %q, want it to contain %q", err, msg)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sameJSON compares values through their JSON form: times compare as
// instants written in UTC (an offset in the text means a non-UTC time came
// back), maps regardless of order.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	must(t, err)
	w, err := json.Marshal(want)
	must(t, err)
	if !bytes.Equal(g, w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// seed creates team core, app shop (of core) and its environment dev, and
// returns dev.
func seed(t *testing.T, s paved.Store) *paved.Environment {
	t.Helper()
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}))
	dev := &paved.Environment{App: "shop", Name: "dev", Type: "development"}
	must(t, s.CreateEnvironment(ctx, dev))
	return dev
}

// at is a fixed instant with microseconds, the precision stores keep.
func at(sec int) time.Time {
	return time.Date(2026, 3, 1, 12, 0, sec, 123456000, time.UTC)
}

func testTeams(t *testing.T, s paved.Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	core := &paved.Team{Name: "core", Cohort: 1, Pioneering: true}
	must(t, s.CreateTeam(ctx, core))
	if core.CreatedAt.Before(before) || core.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt = %v, want now in UTC", core.CreatedAt)
	}
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "billing", Cohort: 2, CreatedAt: at(1)}))
	wantError(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}), paved.ECONFLICT, `team "core" already exists`)
	wantError(t, s.CreateTeam(ctx, &paved.Team{}), paved.EINVALID, "name is required")

	got, err := s.ListTeams(ctx)
	must(t, err)
	want := []paved.Team{{Name: "billing", Cohort: 2, CreatedAt: at(1)}, *core}
	sameJSON(t, "ListTeams", got, want)

	// Names sort bytewise in every store, whatever the database's locale.
	for _, name := range []string{"a_b", "Zeta", "a-b", "été"} {
		must(t, s.CreateTeam(ctx, &paved.Team{Name: name}))
	}
	got, err = s.ListTeams(ctx)
	must(t, err)
	var names []string
	for _, team := range got {
		names = append(names, team.Name)
	}
	sameJSON(t, "ListTeams order", names, []string{"Zeta", "a-b", "a_b", "billing", "core", "été"})
}

func testUsers(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	ana := &paved.User{Name: "ana", Role: paved.RoleDeveloper, Teams: []string{"core", "billing"}, CreatedAt: at(1)}
	must(t, s.CreateUser(ctx, ana))
	must(t, s.CreateUser(ctx, &paved.User{Name: "ops", Role: paved.RoleAdmin, CreatedAt: at(2)}))
	wantError(t, s.CreateUser(ctx, &paved.User{Name: "ana", Role: paved.RoleViewer}), paved.ECONFLICT, `user "ana" already exists`)
	wantError(t, s.CreateUser(ctx, &paved.User{Name: "bob"}), paved.EINVALID, "role is required")

	got, err := s.GetUser(ctx, "ana")
	must(t, err)
	sameJSON(t, "GetUser", got, ana)
	_, err = s.GetUser(ctx, "nobody")
	wantError(t, err, paved.ENOTFOUND, `user "nobody" not found`)

	list, err := s.ListUsers(ctx)
	must(t, err)
	sameJSON(t, "ListUsers", list, []paved.User{*ana, {Name: "ops", Role: paved.RoleAdmin, CreatedAt: at(2)}})

	// Role, teams and the disabled flag change; name and creation do not.
	ana.Role, ana.Teams, ana.Disabled = paved.RoleViewer, nil, true
	must(t, s.UpdateUser(ctx, ana))
	got, err = s.GetUser(ctx, "ana")
	must(t, err)
	sameJSON(t, "GetUser after UpdateUser", got, ana)
	wantError(t, s.UpdateUser(ctx, &paved.User{Name: "nobody", Role: paved.RoleViewer}), paved.ENOTFOUND, `user "nobody" not found`)
}

func testTokens(t *testing.T, s paved.Store) {
	ctx := context.Background()
	ana := &paved.User{Name: "ana", Role: paved.RoleAdmin, Teams: []string{"core"}, CreatedAt: at(0)}
	must(t, s.CreateUser(ctx, ana))
	bob := &paved.User{Name: "bob", Role: paved.RoleViewer, Disabled: true, CreatedAt: at(0)}
	must(t, s.CreateUser(ctx, bob))

	exp := at(3600)
	tok := &paved.Token{ID: "t1", User: "ana", Name: "laptop", CreatedBy: "ops", Hash: []byte{0, 1, 2, 0xff}, CreatedAt: at(1), ExpiresAt: &exp}
	must(t, s.CreateToken(ctx, tok))
	// The token comes with its user, in one read.
	got, owner, err := s.TokenByHash(ctx, []byte{0, 1, 2, 0xff})
	must(t, err)
	sameJSON(t, "TokenByHash", got, tok)
	sameJSON(t, "TokenByHash's user", owner, ana)
	if !bytes.Equal(got.Hash, tok.Hash) {
		t.Fatalf("Hash = %x, want %x", got.Hash, tok.Hash)
	}
	_, _, err = s.TokenByHash(ctx, []byte{0, 1, 2})
	wantError(t, err, paved.ENOTFOUND, "token not found")

	// An ID is made up when the caller names none.
	noID := &paved.Token{User: "ana", Hash: []byte("second"), CreatedAt: at(2)}
	must(t, s.CreateToken(ctx, noID))
	if noID.ID == "" {
		t.Fatal("CreateToken left the ID empty")
	}
	past := at(0)
	must(t, s.CreateToken(ctx, &paved.Token{ID: "old", User: "ana", Hash: []byte("expired"), CreatedAt: at(3), ExpiresAt: &past}))
	must(t, s.CreateToken(ctx, &paved.Token{ID: "b1", User: "bob", Hash: []byte("bob's"), CreatedAt: at(4)}))
	// An expired token, and a disabled user's, are found as they are: the
	// caller judges.
	got, owner, err = s.TokenByHash(ctx, []byte("expired"))
	must(t, err)
	if got.ID != "old" || got.Active(at(10)) || owner.Name != "ana" {
		t.Fatalf("TokenByHash of an expired token = %+v of %+v", got, owner)
	}
	_, owner, err = s.TokenByHash(ctx, []byte("bob's"))
	must(t, err)
	sameJSON(t, "TokenByHash's disabled user", owner, bob)

	ids := func(ts []paved.Token) []string {
		out := []string{}
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	all, err := s.ListTokens(ctx, paved.TokenFilter{User: "ana"})
	must(t, err)
	sameJSON(t, "ListTokens ana (oldest first)", ids(all), []string{"t1", noID.ID, "old"})
	now := at(10)
	active, err := s.ListTokens(ctx, paved.TokenFilter{User: "ana", ActiveAt: &now})
	must(t, err)
	sameJSON(t, "ListTokens ana active at +10s", ids(active), []string{"t1", noID.ID})

	// A use is recorded at most once every minute: the store skips the
	// write when the last one is more recent.
	lastUsed := func(want time.Time) {
		t.Helper()
		got, _, err := s.TokenByHash(ctx, tok.Hash)
		must(t, err)
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(want) {
			t.Fatalf("LastUsedAt = %v, want %v", got.LastUsedAt, want)
		}
	}
	must(t, s.TouchToken(ctx, "t1", at(20), time.Minute))
	lastUsed(at(20))
	must(t, s.TouchToken(ctx, "t1", at(79), time.Minute))
	lastUsed(at(20))
	must(t, s.TouchToken(ctx, "t1", at(80), time.Minute))
	lastUsed(at(80))
	must(t, s.TouchToken(ctx, "t1", at(20), time.Minute)) // a late request of earlier
	lastUsed(at(80))

	n, err := s.RevokeTokens(ctx, "ana", "t1", at(30))
	must(t, err)
	if n != 1 {
		t.Fatalf("RevokeTokens one = %d, want 1", n)
	}
	got, _, err = s.TokenByHash(ctx, tok.Hash)
	must(t, err)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(at(30)) || got.Active(at(31)) {
		t.Fatalf("RevokedAt = %v, active %v; want revoked at %v", got.RevokedAt, got.Active(at(31)), at(30))
	}
	// Revoking again, or another user's token by id, revokes nothing.
	if n, _ := s.RevokeTokens(ctx, "ana", "t1", at(31)); n != 0 {
		t.Fatalf("revoking a revoked token = %d, want 0", n)
	}
	if n, _ := s.RevokeTokens(ctx, "ana", "b1", at(31)); n != 0 {
		t.Fatalf("revoking bob's token as ana's = %d, want 0", n)
	}
	n, err = s.RevokeTokens(ctx, "ana", "", at(32))
	must(t, err)
	if n != 2 {
		t.Fatalf("RevokeTokens all = %d, want 2 (the rest of ana's)", n)
	}
	active, err = s.ListTokens(ctx, paved.TokenFilter{ActiveAt: &now})
	must(t, err)
	sameJSON(t, "active tokens after revoking ana's", ids(active), []string{"b1"})

	wantError(t, s.CreateToken(ctx, &paved.Token{ID: "t1", User: "ana", Hash: []byte("other")}), paved.ECONFLICT, `token "t1" already exists`)
	wantError(t, s.CreateToken(ctx, &paved.Token{ID: "t2", User: "ana", Hash: []byte{0, 1, 2, 0xff}}), paved.ECONFLICT, "already exists")
	wantError(t, s.CreateToken(ctx, &paved.Token{ID: "t3", User: "ghost", Hash: []byte("g")}), paved.ENOTFOUND, `user "ghost" not found`)
	wantError(t, s.CreateToken(ctx, &paved.Token{ID: "t4", User: "ana"}), paved.EINVALID, "hash is required")
}

func testApps(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	shop := &paved.App{Name: "shop", Team: "core", CreatedAt: at(1)}
	must(t, s.CreateApp(ctx, shop))
	must(t, s.CreateApp(ctx, &paved.App{Name: "cart", Team: "core", CreatedAt: at(2)}))
	wantError(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}), paved.ECONFLICT, `app "shop" already exists`)
	wantError(t, s.CreateApp(ctx, &paved.App{Name: "blog", Team: "nope"}), paved.ENOTFOUND, `team "nope" not found`)
	wantError(t, s.CreateApp(ctx, &paved.App{Team: "core"}), paved.EINVALID, "name is required")

	got, err := s.GetApp(ctx, "shop")
	must(t, err)
	sameJSON(t, "GetApp", got, shop)
	_, err = s.GetApp(ctx, "blog")
	wantError(t, err, paved.ENOTFOUND, `app "blog" not found`)

	list, err := s.ListApps(ctx)
	must(t, err)
	sameJSON(t, "ListApps", list, []paved.App{{Name: "cart", Team: "core", CreatedAt: at(2)}, *shop})
}

func testEnvironments(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "cart", Team: "core"}))

	_, err := s.ListEnvironments(ctx, paved.EnvironmentFilter{App: "shop"})
	must(t, err)
	_, err = s.ListEnvironments(ctx, paved.EnvironmentFilter{App: "blog"})
	wantError(t, err, paved.ENOTFOUND, `app "blog" not found`)

	ttl := at(30)
	dev := &paved.Environment{ID: "e-dev", App: "shop", Name: "dev", Type: "development", Target: "gitops", Namespace: "shop-dev",
		Values: map[string]string{"region": "eu", "tier": "small"}, CreatedAt: at(1)}
	pr := &paved.Environment{App: "shop", Name: "pr-12", Type: "ephemeral", Target: "gitops", Namespace: "shop-pr-12",
		ExpiresAt: &ttl, CreatedAt: at(2)}
	cart := &paved.Environment{App: "cart", Name: "dev", Type: "development", Target: "cluster", Namespace: "cart-dev", CreatedAt: at(3)}
	must(t, s.CreateEnvironment(ctx, pr))
	must(t, s.CreateEnvironment(ctx, dev))
	must(t, s.CreateEnvironment(ctx, cart))
	if pr.ID == "" || pr.ID == cart.ID {
		t.Fatalf("CreateEnvironment gave ids %q and %q, want two distinct ones", pr.ID, cart.ID)
	}
	wantError(t, s.CreateEnvironment(ctx, &paved.Environment{App: "shop", Name: "dev", Type: "development"}),
		paved.ECONFLICT, `environment "shop/dev" already exists`)
	wantError(t, s.CreateEnvironment(ctx, &paved.Environment{App: "blog", Name: "dev", Type: "development"}),
		paved.ENOTFOUND, `app "blog" not found`)
	wantError(t, s.CreateEnvironment(ctx, &paved.Environment{App: "shop", Name: "qa"}), paved.EINVALID, "type is required")

	got, err := s.GetEnvironment(ctx, "shop", "dev")
	must(t, err)
	sameJSON(t, "GetEnvironment", got, dev)
	_, err = s.GetEnvironment(ctx, "shop", "prod")
	wantError(t, err, paved.ENOTFOUND, `environment "shop/prod" not found`)

	list, err := s.ListEnvironments(ctx, paved.EnvironmentFilter{App: "shop"})
	must(t, err)
	sameJSON(t, "ListEnvironments shop", list, []paved.Environment{*dev, *pr})
	list, err = s.ListEnvironments(ctx, paved.EnvironmentFilter{Target: "gitops", Namespace: "shop-pr-12"})
	must(t, err)
	sameJSON(t, "ListEnvironments by target and namespace", list, []paved.Environment{*pr})
	list, err = s.ListEnvironments(ctx, paved.EnvironmentFilter{Type: "development"})
	must(t, err)
	sameJSON(t, "ListEnvironments by type, every app", list, []paved.Environment{*cart, *dev})

	h := paved.EnvironmentHealth{Status: paved.HealthDegraded, Reason: "web: 0 of 2 replicas available", Deployment: "d1", At: at(9)}
	must(t, s.SetHealth(ctx, "shop", "dev", h))
	got, err = s.GetEnvironment(ctx, "shop", "dev")
	must(t, err)
	dev.Health = &h
	sameJSON(t, "GetEnvironment after SetHealth", got, dev)
	wantError(t, s.SetHealth(ctx, "shop", "prod", h), paved.ENOTFOUND, `environment "shop/prod" not found`)

	must(t, s.DeleteEnvironment(ctx, "shop", "pr-12"))
	wantError(t, s.DeleteEnvironment(ctx, "shop", "pr-12"), paved.ENOTFOUND, `environment "shop/pr-12" not found`)
	list, err = s.ListEnvironments(ctx, paved.EnvironmentFilter{App: "shop"})
	must(t, err)
	sameJSON(t, "ListEnvironments after delete", list, []paved.Environment{*dev})
}

func testExpiredEnvironments(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "cart", Team: "core"}))
	for i, e := range []struct {
		app, name string
		expires   int // seconds after at(0); 0 for none
	}{
		{"shop", "dev", 0},
		{"shop", "pr-1", 10},
		{"shop", "pr-2", 20},
		{"cart", "pr-3", 5},
		{"cart", "pr-4", 40},
	} {
		env := &paved.Environment{App: e.app, Name: e.name, Type: "ephemeral", CreatedAt: at(i)}
		if e.expires > 0 {
			x := at(0).Add(time.Duration(e.expires) * time.Second)
			env.ExpiresAt = &x
		}
		must(t, s.CreateEnvironment(ctx, env))
	}
	got, err := s.ExpiredEnvironments(ctx, at(0).Add(20*time.Second))
	must(t, err)
	var names []string
	for _, e := range got {
		names = append(names, e.App+"/"+e.Name)
	}
	sameJSON(t, "ExpiredEnvironments at +20s (longest expired first, the TTL itself included)", names,
		[]string{"cart/pr-3", "shop/pr-1", "shop/pr-2"})

	got, err = s.ExpiredEnvironments(ctx, at(0))
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("ExpiredEnvironments before any TTL = %v, want none", got)
	}
}

func testDefinitions(t *testing.T, s paved.Store) {
	ctx := context.Background()
	_, err := s.DefinitionHistory(ctx, "pg")
	wantError(t, err, paved.ENOTFOUND, `definition "pg" not found`)

	var versions []paved.ResourceDefinition
	for i, host := range []string{"db-1", "db-2", "db-3"} {
		d := &paved.ResourceDefinition{
			ID: "pg", Type: "postgres", Driver: "postgres", Description: "shared server " + host,
			Inputs:   map[string]any{"host": host, "port": 5432.0, "tls": true, "params": map[string]any{"sslmode": "require"}},
			Criteria: []paved.Criteria{{EnvType: "development"}, {Env: "qa", App: "shop"}},
			Outputs:  []paved.OutputSpec{{Name: "host"}, {Name: "password", Secret: true}},
		}
		v, err := s.PutDefinition(ctx, d)
		must(t, err)
		if v != i+1 || d.Version != i+1 {
			t.Fatalf("PutDefinition #%d returned version %d and set %d, want %d", i+1, v, d.Version, i+1)
		}
		versions = append(versions, *d)
	}
	redis := &paved.ResourceDefinition{ID: "redis", Type: "redis", Driver: "echo", Inputs: map[string]any{"host": "cache"}}
	v, err := s.PutDefinition(ctx, redis)
	must(t, err)
	if v != 1 {
		t.Fatalf("first version of another definition = %d, want 1", v)
	}
	_, err = s.PutDefinition(ctx, &paved.ResourceDefinition{ID: "x", Type: "redis"})
	wantError(t, err, paved.EINVALID, "driver is required")

	history, err := s.DefinitionHistory(ctx, "pg")
	must(t, err)
	sameJSON(t, "DefinitionHistory", history, versions)

	latest, err := s.ListDefinitions(ctx)
	must(t, err)
	sameJSON(t, "ListDefinitions", latest, []paved.ResourceDefinition{versions[2], *redis})

	second, err := s.GetDefinition(ctx, "pg", 2)
	must(t, err)
	sameJSON(t, "GetDefinition pg v2", second, versions[1])
	_, err = s.GetDefinition(ctx, "pg", 4)
	wantError(t, err, paved.ENOTFOUND, `definition "pg" has no version 4`)
}

func testResources(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	must(t, s.CreateEnvironment(ctx, &paved.Environment{App: "shop", Name: "pr-1", Type: "ephemeral"}))

	dbUID := paved.NewResourceUID("web", "db", "postgres", "", "")
	db := &paved.StoredResource{
		App: "shop", Env: "dev", UID: dbUID, DefinitionID: "pg", DefinitionVersion: 3, Driver: "postgres",
		Status:      paved.ResourceActive,
		Outputs:     map[string]any{"host": "db-1", "port": 5432.0, "database": "shop_dev"},
		SecretNames: []string{"password", "username"},
		Sealed:      []byte{0, 0xde, 0xad, 0xbe, 0xef, 0},
		Labels:      map[string]string{"data-classification": "internal"},
		UpdatedAt:   at(1),
	}
	cache := &paved.StoredResource{
		App: "shop", Env: "dev", UID: paved.NewResourceUID("web", "cache", "redis", "", "cache"),
		DefinitionID: "redis", Driver: "echo", Outputs: map[string]any{"host": "cache"}, UpdatedAt: at(2),
	}
	preview := &paved.StoredResource{
		App: "shop", Env: "pr-1", UID: dbUID,
		DefinitionID: "pg", Driver: "postgres", Outputs: map[string]any{"host": "db-1"}, Sealed: []byte("sealed"), UpdatedAt: at(3),
	}
	for _, r := range []*paved.StoredResource{db, cache, preview} {
		must(t, s.PutResource(ctx, r))
	}
	if cache.Status != paved.ResourceActive {
		t.Fatalf("PutResource left status %q, want active by default", cache.Status)
	}
	wantError(t, s.PutResource(ctx, &paved.StoredResource{App: "shop", Env: "qa", UID: "redis.default#x", DefinitionID: "redis"}),
		paved.ENOTFOUND, `environment "shop/qa" not found`)
	wantError(t, s.PutResource(ctx, &paved.StoredResource{App: "shop", Env: "dev", UID: "redis.default#x"}),
		paved.EINVALID, "definition is required")

	got, err := s.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	must(t, err)
	sameJSON(t, "ListResources shop/dev (by UID)", got, []paved.StoredResource{*db, *cache})
	if !bytes.Equal(got[0].Sealed, db.Sealed) {
		t.Fatalf("Sealed = %x, want %x kept as opaque bytes", got[0].Sealed, db.Sealed)
	}
	all, err := s.ListResources(ctx, paved.ResourceFilter{App: "shop"})
	must(t, err)
	if len(all) != 3 {
		t.Fatalf("ListResources of every env = %d resources, want 3", len(all))
	}
	everywhere, err := s.ListResources(ctx, paved.ResourceFilter{})
	must(t, err)
	if len(everywhere) != 3 {
		t.Fatalf("ListResources of every app = %d resources, want 3", len(everywhere))
	}
	_, err = s.ListResources(ctx, paved.ResourceFilter{App: "blog", Env: "dev"})
	wantError(t, err, paved.ENOTFOUND, `app "blog" not found`)

	// Put again replaces.
	db.Outputs = map[string]any{"host": "db-2"}
	db.Sealed = []byte("new state")
	db.UpdatedAt = at(9)
	must(t, s.PutResource(ctx, db))
	got, err = s.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	must(t, err)
	sameJSON(t, "ListResources after a second put", got, []paved.StoredResource{*db, *cache})
	if !bytes.Equal(got[0].Sealed, []byte("new state")) {
		t.Fatalf("Sealed after update = %q", got[0].Sealed)
	}

	// Another definition provisions the same UID: both are kept, and the
	// old one can be marked orphaned.
	real := &paved.StoredResource{App: "shop", Env: "dev", UID: dbUID, DefinitionID: "pg-real", DefinitionVersion: 1, Driver: "postgres",
		Outputs: map[string]any{"host": "db-3"}, UpdatedAt: at(10)}
	must(t, s.PutResource(ctx, real))
	must(t, s.SetResourceStatus(ctx, db.Key(), paved.ResourceOrphaned, "re-provisioned by definition pg-real v1"))
	got, err = s.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	must(t, err)
	if len(got) != 3 || got[0].DefinitionID != "pg" || got[0].Status != paved.ResourceOrphaned ||
		got[0].StatusReason != "re-provisioned by definition pg-real v1" || got[1].DefinitionID != "pg-real" || got[1].Status != paved.ResourceActive {
		t.Fatalf("after a definition switch: %+v", got)
	}
	orphans, err := s.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev", Status: paved.ResourceOrphaned})
	must(t, err)
	if len(orphans) != 1 || orphans[0].DefinitionID != "pg" {
		t.Fatalf("orphaned resources = %+v, want pg's only", orphans)
	}
	wantError(t, s.SetResourceStatus(ctx, paved.ResourceKey{App: "shop", Env: "dev", UID: dbUID, Definition: "nope", Driver: "postgres"}, paved.ResourceOrphaned, ""), paved.ENOTFOUND, "not found")
	wantError(t, s.SetResourceStatus(ctx, db.Key(), "gone", ""), paved.EINVALID, "neither active nor orphaned")

	// A new version of a definition that names another driver makes
	// another resource: the old one is kept beside it.
	other := *real
	other.Driver, other.Outputs, other.Sealed = "cmd", map[string]any{"host": "db-4"}, nil
	must(t, s.PutResource(ctx, &other))
	got, err = s.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	must(t, err)
	if len(got) != 4 || got[1].Driver != "cmd" || got[2].Driver != "postgres" || got[2].Outputs["host"] != "db-3" {
		t.Fatalf("one definition, two drivers: %+v", got)
	}
	must(t, s.DeleteResource(ctx, other.Key()))

	// An environment with resources cannot go: their state is needed to
	// deprovision them.
	wantError(t, s.DeleteEnvironment(ctx, "shop", "pr-1"), paved.ECONFLICT, `environment "shop/pr-1" still has 1 resource`)
	must(t, s.DeleteResource(ctx, preview.Key()))
	wantError(t, s.DeleteResource(ctx, preview.Key()), paved.ENOTFOUND, "not found")
	must(t, s.DeleteEnvironment(ctx, "shop", "pr-1"))

	must(t, s.DeleteResource(ctx, cache.Key()))
	must(t, s.DeleteResource(ctx, db.Key()))
	got, err = s.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	must(t, err)
	sameJSON(t, "ListResources after delete", got, []paved.StoredResource{*real})
}

// deployment returns a succeeded deployment of shop with n objects.
func deployment(id, env string, created time.Time, objects int) *paved.Deployment {
	d := SampleDeployment("shop", env, id, created, objects)
	d.Status = paved.DeploymentSucceeded
	return d
}

func ids(ds []paved.Deployment) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func testDeployments(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	for i, id := range []string{"d1", "d2", "d3", "d4", "d5"} {
		env := "dev"
		if i%2 == 1 {
			env = "staging"
		}
		d := deployment(id, env, at(i), 1)
		d.EnvID = "e-" + env
		if i == 4 {
			d.Status, d.Runner = paved.DeploymentRunning, "server-a"
		}
		must(t, s.CreateDeployment(ctx, d))
	}
	// Two deployments in the same microsecond come back in creation order.
	must(t, s.CreateDeployment(ctx, deployment("d6", "dev", at(10), 0)))
	must(t, s.CreateDeployment(ctx, deployment("d7", "dev", at(10), 0)))

	wantError(t, s.CreateDeployment(ctx, deployment("d1", "dev", at(0), 0)), paved.ECONFLICT, `deployment "d1" already exists`)
	orphan := deployment("d8", "dev", at(0), 0)
	orphan.App = "blog"
	wantError(t, s.CreateDeployment(ctx, orphan), paved.ENOTFOUND, `app "blog" not found`)

	list := func(f paved.DeploymentFilter) []string {
		t.Helper()
		ds, err := s.ListDeployments(ctx, f)
		must(t, err)
		return ids(ds)
	}
	sameJSON(t, "ListDeployments shop (newest first)", list(paved.DeploymentFilter{App: "shop"}), []string{"d7", "d6", "d5", "d4", "d3", "d2", "d1"})
	sameJSON(t, "ListDeployments shop/dev limit 3", list(paved.DeploymentFilter{App: "shop", Env: "dev", Limit: 3}), []string{"d7", "d6", "d5"})
	sameJSON(t, "ListDeployments shop/staging", list(paved.DeploymentFilter{App: "shop", Env: "staging"}), []string{"d4", "d2"})
	sameJSON(t, "ListDeployments by environment incarnation", list(paved.DeploymentFilter{EnvID: "e-dev"}), []string{"d5", "d3", "d1"})
	sameJSON(t, "ListDeployments running on server-a", list(paved.DeploymentFilter{Runner: "server-a",
		Statuses: []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning}}), []string{"d5"})
	since, before := at(1), at(4)
	sameJSON(t, "ListDeployments created in [1s, 4s) across apps", list(paved.DeploymentFilter{CreatedSince: &since, CreatedBefore: &before}),
		[]string{"d4", "d3", "d2"})
	sameJSON(t, "ListDeployments shop oldest first, limit 2", list(paved.DeploymentFilter{App: "shop", Oldest: true, Limit: 2}), []string{"d1", "d2"})
	sameJSON(t, "ListDeployments of an env without deployments", list(paved.DeploymentFilter{App: "shop", Env: "qa"}), []string{})
	sameJSON(t, "ListDeployments shop/dev limit 1", list(paved.DeploymentFilter{App: "shop", Env: "dev", Limit: 1}), []string{"d7"})
	sameJSON(t, "ListDeployments shop/dev with a negative limit (none)", list(paved.DeploymentFilter{App: "shop", Env: "dev", Limit: -1}),
		[]string{"d7", "d6", "d5", "d3", "d1"})
	_, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "blog"})
	wantError(t, err, paved.ENOTFOUND, `app "blog" not found`)

	// Lists leave the specs, the plan and the objects out, and only them:
	// decoding them is what a list would spend its time on.
	full, err := s.GetDeployment(ctx, "d3")
	must(t, err)
	if len(full.Objects) != 1 || len(full.Specs) != 1 {
		t.Fatalf("GetDeployment returned %d objects and %d specs, want 1 and 1", len(full.Objects), len(full.Specs))
	}
	summaries, err := s.ListDeployments(ctx, paved.DeploymentFilter{EnvID: "e-dev", Limit: 1})
	must(t, err)
	full, err = s.GetDeployment(ctx, "d5")
	must(t, err)
	full.Objects, full.Specs, full.Plan = nil, nil, nil
	sameJSON(t, "listed deployment (GetDeployment without specs, plan, objects)", summaries[0], full)

	// The store names and queues a deployment given neither ID nor status.
	d := &paved.Deployment{App: "shop", Env: "dev"}
	must(t, s.CreateDeployment(ctx, d))
	if d.ID == "" || d.Status != paved.DeploymentQueued || d.Kind != paved.KindDeploy || d.CreatedAt.IsZero() {
		t.Fatalf("CreateDeployment left ID %q, kind %q, status %q, created %v", d.ID, d.Kind, d.Status, d.CreatedAt)
	}
	_, err = s.GetDeployment(ctx, "nope")
	wantError(t, err, paved.ENOTFOUND, `deployment "nope" not found`)
}

// testDeploymentsWithoutLimit: a negative limit lists every match, more
// than the default limit (100 in the SQL stores) of a list.
func testDeploymentsWithoutLimit(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	const n = 101
	for i := range n {
		d := deployment(fmt.Sprintf("d%03d", i), "dev", at(i), 0)
		d.Status, d.Runner = paved.DeploymentQueued, "s1"
		must(t, s.CreateDeployment(ctx, d))
	}
	unfinished := []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning}
	for _, f := range []paved.DeploymentFilter{
		{App: "shop", Env: "dev", Limit: -1},
		{Runner: "s1", Statuses: unfinished, Limit: -1},
	} {
		ds, err := s.ListDeployments(ctx, f)
		must(t, err)
		if len(ds) != n || ds[0].ID != "d100" || ds[n-1].ID != "d000" {
			t.Fatalf("ListDeployments(%+v) = %d deployments, want all %d, newest first", f, len(ds), n)
		}
	}
	ds, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev", Limit: 3})
	must(t, err)
	sameJSON(t, "ListDeployments limit 3", ids(ds), []string{"d100", "d099", "d098"})
}

func testDeploymentRoundTrip(t *testing.T, s paved.Store) {
	ctx := context.Background()
	dev := seed(t, s)
	commit := at(-60)
	started, finished := at(1), at(5)
	d := deployment("d1", "dev", at(0), 3)
	d.Kind, d.Source = paved.KindRollback, "d0"
	d.EnvID, d.EnvType, d.Target = dev.ID, paved.EnvDevelopment, "gitops"
	d.CommitSHA = "0123456789abcdef0123456789abcdef01234567"
	d.CommitTime = &commit
	d.Runner = "server-a"
	d.Error = "partial"
	d.Revision = "c0ffee"
	d.Rollout = paved.RolloutCommitted
	d.StartedAt = &started
	d.FinishedAt = &finished
	d.Status = paved.DeploymentFailed
	d.Plan = &paved.Plan{App: "shop", Env: "dev", EnvType: paved.EnvDevelopment, Target: "gitops", Kind: paved.KindRollback, Base: "d0",
		Resources: []paved.PlannedResource{{UID: "postgres.default#web.db", Action: paved.PlanReprovision,
			Definition: paved.DefinitionRef{ID: "pg-real", Version: 2, Driver: "postgres"}, Was: &paved.DefinitionRef{ID: "pg", Driver: "template"},
			Reason: "re-provisioned by definition pg-real v2 (was pg (built in))"}},
		Objects:  []paved.PlannedObject{{Ref: paved.ObjectRef{APIVersion: "v1", Kind: "Service", Name: "web"}, Action: paved.PlanUpdate, Diff: "- a\n+ b"}},
		Findings: []paved.Finding{{Gate: "policy", Rule: "no-latest", Level: paved.FindingWarn, Message: "pin the tag", Owner: paved.RoleSecurity}},
	}
	must(t, s.CreateDeployment(ctx, d))
	got, err := s.GetDeployment(ctx, "d1")
	must(t, err)
	sameJSON(t, "GetDeployment", got, d)
	if got.RollbackOf() != "d0" {
		t.Fatalf("RollbackOf = %q, want d0", got.RollbackOf())
	}

	empty := &paved.Deployment{ID: "d2", App: "shop", Env: "dev", Status: paved.DeploymentQueued, CreatedAt: at(1)}
	must(t, s.CreateDeployment(ctx, empty))
	got, err = s.GetDeployment(ctx, "d2")
	must(t, err)
	sameJSON(t, "GetDeployment with nothing optional", got, empty)
	if got.Objects != nil || got.Inventory != nil || got.StartedAt != nil || got.Plan != nil {
		t.Fatalf("empty fields came back set: %+v", got)
	}
}

// testDeploymentLifecycle: a deployment moves queued → running → finished
// once each, only for its runner, and its request never changes.
func testDeploymentLifecycle(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	d := deployment("d1", "dev", at(0), 0)
	d.Status, d.Runner = paved.DeploymentQueued, "server-a"
	must(t, s.CreateDeployment(ctx, d))

	wantError(t, s.StartDeployment(ctx, "d1", "server-b", at(1)), paved.ECONFLICT, "not queued for server server-b")
	wantError(t, s.StartDeployment(ctx, "nope", "server-a", at(1)), paved.ENOTFOUND, `deployment "nope" not found`)
	res := &paved.DeploymentResult{Revision: "abc123", Rollout: paved.RolloutComplete,
		Objects:   deployment("", "dev", at(0), 2).Objects,
		Inventory: []paved.ObjectRef{{APIVersion: "v1", Kind: "Service", Namespace: "shop-dev", Name: "web"}}}
	// A queued deployment cannot succeed without running.
	wantError(t, s.FinishDeployment(ctx, "d1", "server-a", "", paved.DeploymentSucceeded, res, at(1)), paved.ECONFLICT, "not running")
	intent := []paved.ObjectRef{{APIVersion: "v1", Kind: "Service", Namespace: "shop-dev", Name: "web"}, {APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop-dev", Name: "c"}}
	wantError(t, s.RecordInventory(ctx, "d1", "server-a", intent), paved.ECONFLICT, "not running")
	if st, err := s.DeploymentStatus(ctx, "d1"); err != nil || st != paved.DeploymentQueued {
		t.Fatalf("DeploymentStatus of a queued deployment = %q, %v", st, err)
	}
	_, err := s.DeploymentStatus(ctx, "nope")
	wantError(t, err, paved.ENOTFOUND, `deployment "nope" not found`)
	must(t, s.StartDeployment(ctx, "d1", "server-a", at(1)))
	if st, err := s.DeploymentStatus(ctx, "d1"); err != nil || st != paved.DeploymentRunning {
		t.Fatalf("DeploymentStatus after StartDeployment = %q, %v", st, err)
	}
	wantError(t, s.StartDeployment(ctx, "d1", "server-a", at(1)), paved.ECONFLICT, "not queued")
	// What it is about to apply is written while it runs, by its runner only.
	wantError(t, s.RecordInventory(ctx, "d1", "server-b", intent), paved.ECONFLICT, "not running for server server-b")
	wantError(t, s.RecordInventory(ctx, "nope", "server-a", intent), paved.ENOTFOUND, `deployment "nope" not found`)
	must(t, s.RecordInventory(ctx, "d1", "server-a", intent))
	if got, err := s.GetDeployment(ctx, "d1"); err != nil || !slices.Equal(got.Inventory, intent) || got.Status != paved.DeploymentRunning {
		t.Fatalf("after RecordInventory: %+v, %v; want running with inventory %v", got, err, intent)
	}
	// Another server cannot write the result: the compare and swap is on
	// the runner too.
	wantError(t, s.FinishDeployment(ctx, "d1", "server-b", "", paved.DeploymentFailed, &paved.DeploymentResult{Error: "x"}, at(2)),
		paved.ECONFLICT, "not running for server server-b")
	wantError(t, s.FinishDeployment(ctx, "d1", "server-a", "", paved.DeploymentRunning, res, at(2)), paved.EINVALID, "succeeded or failed")
	must(t, s.FinishDeployment(ctx, "d1", "server-a", "", paved.DeploymentSucceeded, res, at(2)))

	got, err := s.GetDeployment(ctx, "d1")
	must(t, err)
	started, finished := at(1), at(2)
	want := *d
	want.Status, want.StartedAt, want.FinishedAt, want.DeploymentResult = paved.DeploymentSucceeded, &started, &finished, *res
	sameJSON(t, "GetDeployment after start and finish", got, &want)

	// A finished deployment never changes again.
	wantError(t, s.FinishDeployment(ctx, "d1", "server-a", "", paved.DeploymentFailed, &paved.DeploymentResult{Error: "late"}, at(3)),
		paved.ECONFLICT, "not running")
	got, err = s.GetDeployment(ctx, "d1")
	must(t, err)
	sameJSON(t, "GetDeployment after a refused finish", got, &want)

	// A queued deployment may fail without running (it could not start),
	// and objects written at creation (a rollback's) stay as they are.
	rb := deployment("d2", "dev", at(5), 1)
	rb.Kind, rb.Source, rb.Status, rb.Runner = paved.KindRollback, "d1", paved.DeploymentQueued, "server-a"
	must(t, s.CreateDeployment(ctx, rb))
	must(t, s.FinishDeployment(ctx, "d2", "server-a", "", paved.DeploymentFailed, &paved.DeploymentResult{Error: "could not start", ReplacedBy: "d3"}, at(6)))
	got, err = s.GetDeployment(ctx, "d2")
	must(t, err)
	if got.Status != paved.DeploymentFailed || got.Error != "could not start" || got.ReplacedBy != "d3" || len(got.Objects) != 1 || got.StartedAt != nil {
		t.Fatalf("queued deployment failed: %+v", got)
	}
	wantError(t, s.FinishDeployment(ctx, "nope", "server-a", "", paved.DeploymentFailed, &paved.DeploymentResult{}, at(6)),
		paved.ENOTFOUND, `deployment "nope" not found`)
}

// testConcurrentFinish has the runner and the orphan check of another
// server race to finish the same running deployment: exactly one of them
// writes, and what it wrote stays.
func testConcurrentFinish(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	const rounds = 10
	for i := range rounds {
		id := fmt.Sprintf("d%02d", i)
		d := deployment(id, "dev", at(i), 0)
		d.Status, d.Runner = paved.DeploymentRunning, "slow"
		must(t, s.CreateDeployment(ctx, d))
		var wg sync.WaitGroup
		var finishErr, orphanErr error
		var orphans []paved.Deployment
		wg.Go(func() {
			finishErr = s.FinishDeployment(ctx, id, "slow", "", paved.DeploymentSucceeded, &paved.DeploymentResult{Revision: "r"}, at(100))
		})
		wg.Go(func() {
			orphans, orphanErr = s.FailOrphaned(ctx, at(1000), "", "server stopped", at(100))
		})
		wg.Wait()
		// Only the test's goroutine may stop the test.
		must(t, orphanErr)
		got, err := s.GetDeployment(ctx, id)
		must(t, err)
		switch {
		case finishErr == nil && len(orphans) == 0:
			if got.Status != paved.DeploymentSucceeded {
				t.Fatalf("%s: the runner won but the stored status is %s", id, got.Status)
			}
		case finishErr != nil && len(orphans) == 1:
			wantError(t, finishErr, paved.ECONFLICT, "not running")
			if got.Status != paved.DeploymentFailed || got.Error != "server stopped" {
				t.Fatalf("%s: the orphan check won but the stored deployment is %s %q", id, got.Status, got.Error)
			}
		default:
			t.Fatalf("%s: finish error %v and %d orphans: want exactly one winner", id, finishErr, len(orphans))
		}
	}
}

func testLastSuccessful(t *testing.T, s paved.Store) {
	ctx := context.Background()
	dev := seed(t, s)
	_, err := s.LastSuccessful(ctx, dev.ID)
	wantError(t, err, paved.ENOTFOUND, "has no successful deployment")

	// The one that finished last wins, whatever the creation order (two
	// servers may stamp creation with clocks that disagree).
	for i, c := range []struct {
		status   paved.DeploymentStatus
		finished int
	}{
		{paved.DeploymentSucceeded, 20}, // d1: created first, finished last
		{paved.DeploymentSucceeded, 10}, // d2
		{paved.DeploymentFailed, 30},    // d3
		{paved.DeploymentRunning, 0},    // d4
	} {
		d := deployment(fmt.Sprintf("d%d", i+1), "dev", at(i), 1)
		d.Status, d.EnvID = c.status, dev.ID
		if c.finished > 0 {
			f := at(c.finished)
			d.FinishedAt = &f
		}
		must(t, s.CreateDeployment(ctx, d))
	}
	// Another incarnation of dev (deleted and created again) and another
	// environment do not count.
	other := deployment("x1", "dev", at(9), 0)
	other.EnvID = "e-earlier"
	f := at(50)
	other.FinishedAt = &f
	must(t, s.CreateDeployment(ctx, other))

	got, err := s.LastSuccessful(ctx, dev.ID)
	must(t, err)
	if got.ID != "d1" || len(got.Objects) != 1 || len(got.Specs) != 1 {
		t.Fatalf("LastSuccessful = %s with %d objects, want d1 (finished last) in full", got.ID, len(got.Objects))
	}

	// A succeeded deployment without a finish time (written by hand, or
	// imported) never wins, however NULLs sort in the database.
	unfinished := deployment("d5", "dev", at(60), 1)
	unfinished.EnvID = dev.ID
	must(t, s.CreateDeployment(ctx, unfinished))
	got, err = s.LastSuccessful(ctx, dev.ID)
	must(t, err)
	if got.ID != "d1" {
		t.Fatalf("LastSuccessful = %s, want d1: a succeeded deployment without finished_at never wins", got.ID)
	}
	alone := deployment("y1", "dev", at(61), 0)
	alone.EnvID = "e-alone"
	must(t, s.CreateDeployment(ctx, alone))
	_, err = s.LastSuccessful(ctx, "e-alone")
	wantError(t, err, paved.ENOTFOUND, "has no successful deployment")
}

func testEvents(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	must(t, s.CreateDeployment(ctx, deployment("d1", "dev", at(0), 0)))
	must(t, s.CreateDeployment(ctx, deployment("d2", "dev", at(1), 0)))

	got, err := s.Events(ctx, "d1", 0)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("Events of a new deployment = %v", got)
	}
	var want []paved.Event
	for i, msg := range []string{"plan", "policy: 0 denied", "provision db", "render", "apply"} {
		e := &paved.Event{Level: "info", Message: msg, Time: at(i)}
		if i == 1 {
			e.Time = time.Time{} // the store stamps it
		}
		must(t, s.AppendEvent(ctx, "d1", e))
		if e.Seq != int64(i+1) {
			t.Fatalf("event #%d got Seq %d", i+1, e.Seq)
		}
		if e.Time.IsZero() {
			t.Fatal("AppendEvent left Time zero")
		}
		want = append(want, *e)
	}
	other := &paved.Event{Level: "warn", Message: "other deployment"}
	must(t, s.AppendEvent(ctx, "d2", other))
	if other.Seq != 1 {
		t.Fatalf("first event of d2 got Seq %d, want 1 (numbered per deployment)", other.Seq)
	}

	got, err = s.Events(ctx, "d1", 0)
	must(t, err)
	sameJSON(t, "Events", got, want)
	got, err = s.Events(ctx, "d1", 3)
	must(t, err)
	sameJSON(t, "Events after 3", got, want[3:])
	got, err = s.Events(ctx, "d1", 5)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("Events after the last = %v", got)
	}

	wantError(t, s.AppendEvent(ctx, "nope", &paved.Event{Message: "x"}), paved.ENOTFOUND, `deployment "nope" not found`)
	_, err = s.Events(ctx, "nope", 0)
	wantError(t, err, paved.ENOTFOUND, `deployment "nope" not found`)
}

func testAudit(t *testing.T, s paved.Store) {
	ctx := context.Background()
	var entries []paved.AuditEntry
	for i, action := range []string{"app.create", "deploy", "definition.put", "token.create"} {
		e := &paved.AuditEntry{Time: at(i), Actor: "ana", Action: action, Target: "shop", Result: "ok"}
		must(t, s.Audit(ctx, e))
		if e.ID == 0 {
			t.Fatal("Audit left the ID zero")
		}
		if i > 0 && e.ID <= entries[i-1].ID {
			t.Fatalf("audit IDs do not grow: %d after %d", e.ID, entries[i-1].ID)
		}
		entries = append(entries, *e)
	}
	stamped := &paved.AuditEntry{Actor: "ops", Action: "login"}
	must(t, s.Audit(ctx, stamped))
	if stamped.Time.IsZero() {
		t.Fatal("Audit left Time zero")
	}
	wantError(t, s.Audit(ctx, &paved.AuditEntry{Actor: "ana"}), paved.EINVALID, "action is required")

	got, err := s.ListAudit(ctx, paved.AuditFilter{Limit: 3})
	must(t, err)
	sameJSON(t, "ListAudit limit 3 (newest first)", got, []paved.AuditEntry{*stamped, entries[3], entries[2]})
	got, err = s.ListAudit(ctx, paved.AuditFilter{})
	must(t, err)
	if len(got) != 5 {
		t.Fatalf("ListAudit without limit = %d entries, want 5", len(got))
	}
	got, err = s.ListAudit(ctx, paved.AuditFilter{Actor: "ana", Action: "deploy"})
	must(t, err)
	sameJSON(t, "ListAudit by actor and action", got, []paved.AuditEntry{entries[1]})
	since, before := at(1), at(3)
	got, err = s.ListAudit(ctx, paved.AuditFilter{Since: &since, Before: &before})
	must(t, err)
	sameJSON(t, "ListAudit in [1s, 3s)", got, []paved.AuditEntry{entries[2], entries[1]})

	// Newest first means by time: an entry written late with an earlier
	// time (another server's clock) comes after the later ones, and the
	// id orders entries of the same time.
	late := &paved.AuditEntry{Time: at(2), Actor: "bob", Action: "deploy", Target: "shop"}
	must(t, s.Audit(ctx, late))
	same := &paved.AuditEntry{Time: at(2), Actor: "bob", Action: "deploy", Target: "cart"}
	must(t, s.Audit(ctx, same))
	before = at(4)
	got, err = s.ListAudit(ctx, paved.AuditFilter{Since: &since, Before: &before})
	must(t, err)
	sameJSON(t, "ListAudit by time, then id", got, []paved.AuditEntry{entries[3], *same, *late, entries[2], entries[1]})
	got, err = s.ListAudit(ctx, paved.AuditFilter{Action: "deploy", Limit: 2})
	must(t, err)
	sameJSON(t, "ListAudit of an action by time, then id", got, []paved.AuditEntry{*same, *late})
}

// testTimestamps checks that times come back in UTC with microseconds, from
// any time zone the caller used, and that nanoseconds are cut the same way
// in every store.
func testTimestamps(t *testing.T, s paved.Store) {
	ctx := context.Background()
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	created := time.Date(2026, 3, 1, 17, 30, 0, 987654321, zone)
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core", CreatedAt: created}))
	teams, err := s.ListTeams(ctx)
	must(t, err)
	got := teams[0].CreatedAt
	want := time.Date(2026, 3, 1, 12, 0, 0, 987654000, time.UTC)
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("CreatedAt = %v, want %v", got, want)
	}

	must(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}))
	ttl := created.Add(time.Hour)
	env := &paved.Environment{App: "shop", Name: "pr-1", Type: "ephemeral", ExpiresAt: &ttl}
	must(t, s.CreateEnvironment(ctx, env))
	e, err := s.GetEnvironment(ctx, "shop", "pr-1")
	must(t, err)
	if !e.ExpiresAt.Equal(want.Add(time.Hour)) || e.ExpiresAt.Location() != time.UTC {
		t.Fatalf("ExpiresAt = %v, want %v", e.ExpiresAt, want.Add(time.Hour))
	}
	// What the store handed back through the pointer is what it keeps.
	sameJSON(t, "environment as created vs as read", e, env)

	// Ordering follows the instant, not the text of the zone.
	must(t, s.CreateDeployment(ctx, &paved.Deployment{ID: "early", App: "shop", Env: "dev", CreatedAt: time.Date(2026, 3, 1, 13, 0, 0, 5000, zone)}))
	must(t, s.CreateDeployment(ctx, &paved.Deployment{ID: "late", App: "shop", Env: "dev", CreatedAt: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}))
	must(t, s.CreateDeployment(ctx, &paved.Deployment{ID: "later", App: "shop", Env: "dev", CreatedAt: time.Date(2026, 3, 1, 8, 0, 0, 100000, time.UTC)}))
	ds, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev"})
	must(t, err)
	sameJSON(t, "deployments ordered by instant", ids(ds), []string{"later", "late", "early"})
}

func testConcurrentEvents(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	must(t, s.CreateDeployment(ctx, deployment("d1", "dev", at(0), 0)))
	const writers, each = 20, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.AppendEvent(ctx, "d1", &paved.Event{Level: "info", Message: fmt.Sprintf("w%d-%d", w, i)}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	events, err := s.Events(ctx, "d1", 0)
	must(t, err)
	if len(events) != writers*each {
		t.Fatalf("got %d events, want %d", len(events), writers*each)
	}
	seen := map[string]bool{}
	for i, e := range events {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has Seq %d: want 1..%d without gaps", i, e.Seq, writers*each)
		}
		seen[e.Message] = true
	}
	if len(seen) != writers*each {
		t.Fatalf("got %d distinct messages, want %d", len(seen), writers*each)
	}
}

func testConcurrentDeployments(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	const writers, each = 20, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				d := deployment(fmt.Sprintf("w%02d-%d", w, i), "dev", time.Time{}, 2)
				if err := s.CreateDeployment(ctx, d); err != nil {
					errs <- err
					continue
				}
				// Readers run alongside the writers.
				if _, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev", Limit: 5}); err != nil {
					errs <- err
				}
				if err := s.Audit(ctx, &paved.AuditEntry{Actor: "ana", Action: "deploy", Target: d.ID}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ds, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev", Limit: 1000})
	must(t, err)
	if len(ds) != writers*each {
		t.Fatalf("got %d deployments, want %d", len(ds), writers*each)
	}
	for i := 1; i < len(ds); i++ {
		if ds[i].CreatedAt.After(ds[i-1].CreatedAt) {
			t.Fatalf("deployments not newest first: %s (%v) after %s (%v)", ds[i].ID, ds[i].CreatedAt, ds[i-1].ID, ds[i-1].CreatedAt)
		}
	}
	audit, err := s.ListAudit(ctx, paved.AuditFilter{Limit: 1000})
	must(t, err)
	if len(audit) != writers*each {
		t.Fatalf("got %d audit entries, want %d", len(audit), writers*each)
	}
}

func testConcurrentDefinitions(t *testing.T, s paved.Store) {
	ctx := context.Background()
	const writers = 20
	var wg sync.WaitGroup
	versions := make(chan int, writers)
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			v, err := s.PutDefinition(ctx, &paved.ResourceDefinition{ID: "pg", Type: "postgres", Driver: "echo",
				Description: fmt.Sprintf("writer %d", w)})
			if err != nil {
				errs <- err
				return
			}
			versions <- v
		})
	}
	wg.Wait()
	close(errs)
	close(versions)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for v := range versions {
		if seen[v] || v < 1 || v > writers {
			t.Fatalf("version %d handed out twice or out of 1..%d", v, writers)
		}
		seen[v] = true
	}
	history, err := s.DefinitionHistory(ctx, "pg")
	must(t, err)
	if len(history) != writers {
		t.Fatalf("history has %d versions, want %d", len(history), writers)
	}
	latest, err := s.ListDefinitions(ctx)
	must(t, err)
	if len(latest) != 1 || latest[0].Version != writers {
		t.Fatalf("ListDefinitions = %+v, want version %d only", latest, writers)
	}
}

func testInstallationID(t *testing.T, s paved.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	got := make([]string, 8)
	errs := make([]error, len(got))
	for i := range got {
		wg.Go(func() {
			got[i], errs[i] = s.InstallationID(ctx)
		})
	}
	wg.Wait()
	// Only the test's goroutine may stop the test.
	for _, err := range errs {
		must(t, err)
	}
	for _, id := range got {
		if id == "" || id != got[0] {
			t.Fatalf("InstallationID from concurrent first calls = %v, want one non-empty id", got)
		}
	}
}
