package platform

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"paved.dev/paved"
)

// lastAudit returns the newest audit entry of an action.
func (f *fixture) lastAudit(t *testing.T, action string) paved.AuditEntry {
	t.Helper()
	es, err := f.p.ListAudit(f.admin, paved.AuditFilter{Action: action, Limit: 1})
	must(t, err)
	if len(es) == 0 {
		t.Fatalf("no %s in the audit log", action)
	}
	return es[0]
}

func wantCode(t *testing.T, what string, err error, code string, contains ...string) {
	t.Helper()
	if paved.ErrorCode(err) != code {
		t.Fatalf("%s: %v (%s); want %s", what, err, paved.ErrorCode(err), code)
	}
	for _, c := range contains {
		if !strings.Contains(err.Error(), c) {
			t.Errorf("%s: %q lacks %q", what, err, c)
		}
	}
}

func TestTeamLifecycle(t *testing.T) {
	f := newFixture(t)
	two := 2
	_, err := f.p.UpdateTeam(f.dev, "others", paved.TeamUpdate{Cohort: &two})
	wantCode(t, "a developer changing a team", err, paved.EFORBIDDEN)
	neg := -1
	_, err = f.p.UpdateTeam(f.admin, "others", paved.TeamUpdate{Cohort: &neg})
	wantCode(t, "a negative cohort", err, paved.EINVALID, "cohort")
	three, yes := 3, true
	got, err := f.p.UpdateTeam(f.admin, "others", paved.TeamUpdate{Cohort: &three, Pioneering: &yes})
	must(t, err)
	if got.Cohort != 3 || !got.Pioneering {
		t.Fatalf("updated team %+v", got)
	}
	if e := f.lastAudit(t, "team.update"); e.Target != "others cohort=3 pioneering=true" || e.Result != "ok" {
		t.Errorf("audit %+v", e)
	}
	wantCode(t, "deleting a team that owns an app", f.p.DeleteTeam(f.admin, "pioneers"), paved.ECONFLICT, "shop")
	must(t, f.p.DeleteTeam(f.admin, "others"))
	if _, err := f.p.GetTeam(f.admin, "others"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("deleted team still there: %v", err)
	}
	olaf, err := f.p.cfg.Store.GetUser(context.Background(), "olaf")
	must(t, err)
	if len(olaf.Teams) != 0 {
		t.Errorf("olaf is still in %v", olaf.Teams)
	}
	if e := f.lastAudit(t, "team.delete"); e.Target != "others" || e.Result != "ok" {
		t.Errorf("audit %+v", e)
	}
}

func TestDeletedUsersTokensStopWorking(t *testing.T) {
	f := newFixture(t)
	tok, err := f.p.CreateToken(f.admin, &paved.TokenRequest{User: "olaf", Name: "ci"})
	must(t, err)
	if _, err := f.p.Authenticate(context.Background(), tok.Secret); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a developer deleting a user", f.p.DeleteUser(f.dev, "olaf"), paved.EFORBIDDEN)
	wantCode(t, "an admin deleting themselves", f.p.DeleteUser(f.admin, "admin"), paved.EINVALID, "themselves")
	must(t, f.p.DeleteUser(f.admin, "olaf"))
	if _, err := f.p.Authenticate(context.Background(), tok.Secret); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Fatalf("a deleted user's token: %v", err)
	}
	wantCode(t, "deleting them again", f.p.DeleteUser(f.admin, "olaf"), paved.ENOTFOUND)
	if e := f.lastAudit(t, "user.delete"); e.Target != "olaf" || !strings.HasPrefix(e.Result, "not_found") {
		t.Errorf("the last user.delete is %+v, want the failed second one", e)
	}
}

func TestAppHandOverAndDelete(t *testing.T) {
	f := newFixture(t)
	others := "others"
	_, err := f.p.UpdateApp(f.dev, "shop", paved.AppUpdate{Team: &others})
	wantCode(t, "handing an app to a team one is not in", err, paved.EFORBIDDEN, "both teams")
	_, err = f.p.UpdateApp(f.other, "shop", paved.AppUpdate{Team: &others})
	wantCode(t, "taking another team's app", err, paved.EFORBIDDEN)
	nobody := "nobody"
	_, err = f.p.UpdateApp(f.admin, "shop", paved.AppUpdate{Team: &nobody})
	wantCode(t, "handing an app to no team", err, paved.EINVALID, "team")

	d := f.deployToEnd(t, shopSpecs())
	if d.Status != paved.DeploymentSucceeded {
		t.Fatalf("deployment %s: %s", d.Status, d.Error)
	}
	_, err = f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-1", From: "dev"})
	must(t, err)
	f.p.Wait()
	_, err = f.p.DeleteApp(f.dev, "shop", false)
	wantCode(t, "deleting an app with environments", err, paved.ECONFLICT, "dev, pr-1", "--cascade")
	_, err = f.p.DeleteApp(f.other, "shop", true)
	wantCode(t, "deleting another team's app", err, paved.EFORBIDDEN)

	out, err := f.p.DeleteApp(f.dev, "shop", true)
	must(t, err)
	if len(out.Environments) != 2 || out.Environments[0].Env != "dev" || out.Environments[0].Objects == 0 {
		t.Fatalf("cascade %+v", out)
	}
	if _, err := f.p.GetApp(f.admin, "shop"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("deleted app: %v", err)
	}
	// The history outlives the app.
	kept, err := f.p.GetDeployment(f.admin, d.ID)
	must(t, err)
	if kept.App != "shop" || kept.Status != paved.DeploymentSucceeded {
		t.Errorf("the deployment after its app went: %+v", kept)
	}
	for _, action := range []string{"app.delete", "env.delete"} {
		if e := f.lastAudit(t, action); e.Result != "ok" {
			t.Errorf("%s audit %+v", action, e)
		}
	}
}

func TestExtendEphemeralEnvironment(t *testing.T) {
	f := newFixture(t)
	_, err := f.p.ExtendEnvironment(f.dev, "shop", "dev", paved.Duration(time.Hour))
	wantCode(t, "extending a development environment", err, paved.EINVALID, "only ephemeral")
	must(t, f.deployToEndStatus(t))
	_, err = f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-7", From: "dev", TTL: paved.Duration(time.Hour)})
	must(t, err)
	f.p.Wait()
	_, err = f.p.ExtendEnvironment(f.dev, "shop", "pr-7", paved.Duration(MaxTTL+time.Hour))
	wantCode(t, "beyond the maximum", err, paved.EINVALID, "maximum")
	_, err = f.p.ExtendEnvironment(f.other, "shop", "pr-7", paved.Duration(time.Hour))
	wantCode(t, "another team extending", err, paved.EFORBIDDEN)
	env, err := f.p.ExtendEnvironment(f.dev, "shop", "pr-7", paved.Duration(24*time.Hour))
	must(t, err)
	f.clock.Add(2 * time.Hour) // past the first TTL, within the new one
	n, err := f.p.Reap(context.Background())
	must(t, err)
	if n != 0 {
		t.Fatalf("reaped %d environments before the extended expiry %v", n, env.ExpiresAt)
	}
	stored, err := f.p.GetEnvironment(f.dev, "shop", "pr-7")
	must(t, err)
	if !stored.ExpiresAt.Equal(*env.ExpiresAt) {
		t.Errorf("stored expiry %v, answered %v", stored.ExpiresAt, env.ExpiresAt)
	}
	f.clock.Add(23 * time.Hour)
	if n, err := f.p.Reap(context.Background()); err != nil || n != 1 {
		t.Fatalf("reaped %d (%v) after the extended expiry", n, err)
	}
	if e := f.lastAudit(t, "env.extend"); e.Target != "shop/pr-7 ttl=24h0m0s" || e.Result != "ok" {
		t.Errorf("audit %+v", e)
	}
}

func (f *fixture) deployToEndStatus(t *testing.T) error {
	d := f.deployToEnd(t, shopSpecs())
	if d.Status != paved.DeploymentSucceeded {
		return errors.New(d.Error)
	}
	return nil
}

// switchableTarget is a registered target that writes to the fixture's
// Git repository until it is made unreachable.
type switchableTarget struct {
	paved.Target
	down *atomic.Bool
}

func (s *switchableTarget) Delete(ctx context.Context, dc paved.DeployContext, inv []paved.ObjectRef, msg string) error {
	if s.down.Load() {
		return paved.Errorf(paved.EUNAVAILABLE, "cluster unreachable: dial tcp 10.0.0.1:6443: i/o timeout")
	}
	return s.Target.Delete(ctx, dc, inv, msg)
}

func TestForcedDeleteOfAnEnvironmentWhoseTargetIsGone(t *testing.T) {
	down := &atomic.Bool{}
	var git paved.Target
	f := newFixture(t, func(c *Config) {
		c.Registry = paved.NewRegistry()
		git = c.Targets["gitops"]
		must(t, c.Registry.RegisterTargetType("fake", func(info *paved.TargetInfo) (paved.Target, error) {
			return &switchableTarget{Target: git, down: down}, nil
		}))
	})
	_, err := f.p.RegisterTarget(f.admin, &paved.TargetInfo{Name: "cluster", Type: "fake", Kubeconfig: "k"})
	must(t, err)
	_, err = f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "qa", Type: paved.EnvDevelopment, Target: "cluster"})
	must(t, err)
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "qa", Specs: shopSpecs()})
	must(t, err)
	f.p.Wait()
	if got, _ := f.p.GetDeployment(f.dev, d.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("deployment %s: %s", got.Status, got.Error)
	}
	wantCode(t, "removing a target in use", f.p.RemoveTarget(f.admin, "cluster"), paved.ECONFLICT, "shop/qa")
	wantCode(t, "removing a configured target", f.p.RemoveTarget(f.admin, "gitops"), paved.ECONFLICT, "configured")
	wantCode(t, "a developer removing a target", f.p.RemoveTarget(f.dev, "cluster"), paved.EFORBIDDEN)

	down.Store(true)
	_, err = f.p.DeleteEnvironment(f.dev, "shop", "qa", paved.DeleteOptions{})
	wantCode(t, "deleting on an unreachable target", err, paved.EUNAVAILABLE, "unreachable", "--force")
	if _, err := f.p.GetEnvironment(f.dev, "shop", "qa"); err != nil {
		t.Fatalf("a failed deletion lost the environment: %v", err)
	}
	// The registration is gone too: nothing can reach the cluster.
	must(t, f.store.DeleteTarget(context.Background(), "cluster"))
	out, err := f.p.DeleteEnvironment(f.dev, "shop", "qa", paved.DeleteOptions{Force: true})
	must(t, err)
	if out.Objects != 0 || len(out.Forgotten) != 1 || !strings.Contains(out.Forgotten[0], "on target cluster") || len(out.Deprovisioned) == 0 {
		t.Fatalf("forced deletion %+v", out)
	}
	if _, err := f.p.GetEnvironment(f.dev, "shop", "qa"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("after a forced deletion: %v", err)
	}
	rs, err := f.store.ListResources(context.Background(), paved.ResourceFilter{App: "shop", Env: "qa"})
	must(t, err)
	if len(rs) != 0 {
		t.Errorf("%d resources left", len(rs))
	}
	e := f.lastAudit(t, "env.delete.force")
	if e.Actor != "dana" || !strings.Contains(e.Target, "shop/qa (forgot 1: ") || e.Result != "ok" {
		t.Errorf("audit %+v", e)
	}
	// With no environment on it, a registered target goes.
	_, err = f.p.RegisterTarget(f.admin, &paved.TargetInfo{Name: "spare", Type: "fake", Kubeconfig: "k"})
	must(t, err)
	must(t, f.p.RemoveTarget(f.admin, "spare"))
	wantCode(t, "removing it again", f.p.RemoveTarget(f.admin, "spare"), paved.ENOTFOUND)
}

func TestDeleteDefinitionKeepsHistory(t *testing.T) {
	f := newFixture(t)
	def := paved.ResourceDefinition{ID: "redis-shared", Type: "redis", Driver: "echo",
		Inputs:  map[string]any{"values": map[string]any{"host": "redis.internal", "port": 6379}},
		Outputs: []paved.OutputSpec{{Name: "host"}, {Name: "port"}}}
	_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{def})
	must(t, err)
	_, err = f.p.DeleteDefinition(f.dev, "redis-shared")
	wantCode(t, "a developer deleting a definition", err, paved.EFORBIDDEN)
	builtin := f.p.cfg.Engine.Builtin[0].ID
	_, err = f.p.DeleteDefinition(f.admin, builtin)
	wantCode(t, "deleting a built-in definition", err, paved.EINVALID, "built in")
	gone, err := f.p.DeleteDefinition(f.admin, "redis-shared")
	must(t, err)
	if !gone.Deleted || gone.Version != 2 {
		t.Fatalf("deletion %+v", gone)
	}
	_, err = f.p.DeleteDefinition(f.admin, "redis-shared")
	wantCode(t, "deleting it twice", err, paved.ENOTFOUND)
	list, err := f.p.ListDefinitions(f.admin)
	must(t, err)
	for _, d := range list {
		if d.ID == "redis-shared" {
			t.Fatalf("a deleted definition is listed: %+v", d)
		}
	}
	types, err := f.p.ResourceTypes(f.dev, "shop", "dev")
	must(t, err)
	for _, ti := range types {
		if ti.Definition == "redis-shared" {
			t.Fatalf("a deleted definition still matches: %+v", ti)
		}
	}
	h, err := f.p.DefinitionHistory(f.admin, "redis-shared")
	must(t, err)
	if len(h) != 2 || h[0].Deleted || !h[1].Deleted {
		t.Fatalf("history %+v", h)
	}
	again, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{def})
	must(t, err)
	if again[0].Version != 3 || again[0].Deleted {
		t.Fatalf("applied again: %+v", again[0])
	}
	if e := f.lastAudit(t, "definitions.delete"); !strings.HasPrefix(e.Result, "not_found") {
		t.Errorf("audit %+v", e)
	}
}

func TestPromoteToAMissingEnvironmentSaysHowToCreateIt(t *testing.T) {
	f := newFixture(t)
	must(t, f.deployToEndStatus(t))
	for to, want := range map[string]string{
		"staging": "paved env create staging --app shop --type staging",
		"qa":      "paved env create qa --app shop --type staging",
	} {
		_, err := f.p.Promote(f.dev, "shop", "dev", to)
		wantCode(t, "promoting to "+to, err, paved.ENOTFOUND, want)
	}
}

// TestRollbackEnvironmentGoesToTheLastGood: after A and B succeed, the
// environment goes back to A; after a failed C, to B, which ran last.
func TestRollbackEnvironmentGoesToTheLastGood(t *testing.T) {
	var fs *flakyStore
	f := newFixture(t, func(c *Config) {
		fs = &flakyStore{Store: c.Store}
		c.Store = fs
	})
	_, err := f.p.RollbackEnvironment(f.dev, "shop", "dev")
	wantCode(t, "rolling back with nothing deployed", err, paved.EINVALID, "no earlier successful deployment")
	a := f.deployToEnd(t, shopSpecs())
	_, err = f.p.RollbackEnvironment(f.dev, "shop", "dev")
	wantCode(t, "rolling back the only deployment", err, paved.EINVALID)
	b := f.deployToEnd(t, shopSpecs())
	d, err := f.p.RollbackEnvironment(f.dev, "shop", "dev")
	must(t, err)
	if d.Source != a.ID {
		t.Fatalf("after A and B, rolled back to %s, want A %s", d.Source, a.ID)
	}
	f.p.Wait()
	r, err := f.p.GetDeployment(f.dev, d.ID)
	must(t, err)
	fs.failStart.Store(true)
	c := f.deployToEnd(t, shopSpecs())
	fs.failStart.Store(false)
	if c.Status != paved.DeploymentFailed {
		t.Fatalf("C %s", c.Status)
	}
	d, err = f.p.RollbackEnvironment(f.dev, "shop", "dev")
	must(t, err)
	if d.Source != r.ID {
		t.Fatalf("after a failed deployment, rolled back to %s, want the last good one %s (b was %s)", d.Source, r.ID, b.ID)
	}
	_, err = f.p.RollbackEnvironment(f.other, "shop", "dev")
	wantCode(t, "another team rolling back", err, paved.EFORBIDDEN)
}

// reapRacer hands the reaper its list, then lets the test change the
// environment before the reaper gets to it.
type reapRacer struct {
	paved.Store
	after func()
}

func (s *reapRacer) ExpiredEnvironments(ctx context.Context, now time.Time) ([]paved.Environment, error) {
	es, err := s.Store.ExpiredEnvironments(ctx, now)
	if s.after != nil && len(es) > 0 {
		s.after()
	}
	return es, err
}

// TestReaperSparesWhatChangedMeanwhile: an environment extended, or
// deleted and created again, after the reaper listed it as expired is not
// deleted.
func TestReaperSparesWhatChangedMeanwhile(t *testing.T) {
	var rs *reapRacer
	f := newFixture(t, func(c *Config) {
		rs = &reapRacer{Store: c.Store}
		c.Store = rs
	})
	must(t, f.deployToEndStatus(t))
	create := func() {
		_, err := f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-9", Type: paved.EnvEphemeral, TTL: paved.Duration(time.Hour)})
		must(t, err)
	}
	create()
	for _, tc := range []struct {
		name   string
		change func()
	}{
		{"extended", func() {
			_, err := f.p.ExtendEnvironment(f.dev, "shop", "pr-9", paved.Duration(24*time.Hour))
			must(t, err)
		}},
		{"created again", func() {
			_, err := f.p.DeleteEnvironment(f.dev, "shop", "pr-9", paved.DeleteOptions{})
			must(t, err)
			create()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.clock.Add(30 * 24 * time.Hour) // past any TTL
			rs.after = func() { rs.after = nil; tc.change() }
			n, err := f.p.Reap(context.Background())
			must(t, err)
			if n != 0 {
				t.Fatalf("reaped %d", n)
			}
			if _, err := f.p.GetEnvironment(f.dev, "shop", "pr-9"); err != nil {
				t.Fatalf("the changed environment is gone: %v", err)
			}
		})
	}
}

// TestCascadeRespectsEnvironmentTypes: a developer's cascade stops before
// deleting anything when the app has an environment of a type only admins
// may delete.
func TestCascadeRespectsEnvironmentTypes(t *testing.T) {
	f := newFixture(t)
	_, err := f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "staging"})
	must(t, err)
	_, err = f.p.DeleteApp(f.dev, "shop", true)
	wantCode(t, "a developer cascading over staging", err, paved.EFORBIDDEN, "staging")
	envs, err := f.p.ListEnvironments(f.dev, "shop")
	must(t, err)
	if len(envs) != 2 {
		t.Fatalf("the refused cascade deleted environments: %+v", envs)
	}
	out, err := f.p.DeleteApp(f.admin, "shop", true)
	must(t, err)
	if len(out.Environments) != 2 {
		t.Fatalf("admin cascade %+v", out)
	}
}

// TestForceForgetsOnlyWhatItCannotReach: a failure that is not one of
// reaching (a refusal) stops a forced deletion too.
func TestForceForgetsOnlyWhatItCannotReach(t *testing.T) {
	for _, tc := range []struct {
		err    error
		forget bool
	}{
		{paved.Errorf(paved.EUNAVAILABLE, "cluster unreachable"), true},
		{&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{context.DeadlineExceeded, true},
		{paved.Errorf(paved.EFORBIDDEN, "namespaces is forbidden: User cannot delete"), false},
		{errors.New("permission denied for database"), false},
		// paved's own store out of reach (it carries a network error):
		// the store is what remembers the thing, never forgotten for it.
		{storeDown(), false},
		{fmt.Errorf("resource r: reading its definition d: %w", storeDown()), false},
	} {
		if got := unreachable(tc.err); got != tc.forget {
			t.Errorf("unreachable(%v) = %v, want %v", tc.err, got, tc.forget)
		}
	}
}

// TestDisablingATeamlessDeveloper: deleting a developer's last team leaves
// them teamless; an admin can still disable them.
func TestDisablingATeamlessDeveloper(t *testing.T) {
	f := newFixture(t)
	must(t, f.p.DeleteTeam(f.admin, "others"))
	yes := true
	u, err := f.p.UpdateUser(f.admin, "olaf", paved.UserUpdate{Disabled: &yes})
	must(t, err)
	if !u.Disabled {
		t.Fatal("not disabled")
	}
	role := paved.RoleDeveloper
	_, err = f.p.UpdateUser(f.admin, "olaf", paved.UserUpdate{Role: &role})
	wantCode(t, "a developer role without a team", err, paved.EINVALID, "team")
}
