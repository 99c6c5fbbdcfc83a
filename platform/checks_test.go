package platform

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestManualReadinessChecks: a check the platform team defines is a
// readiness item of every app until a user of its role confirms it for
// the app; only admins define checks, only the role confirms them, and
// each change is audited.
func TestManualReadinessChecks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sec := &paved.User{Name: "sam", Role: paved.RoleSecurity}
	must(t, f.p.CreateUser(f.admin, sec))
	asSec := paved.WithActor(ctx, sec)
	pen := &paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "pen-test", Title: "penetration test passed", How: "book it with the red team", Role: paved.RoleSecurity}
	if _, err := f.p.PutCheck(f.dev, pen); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer defining a check: %v", err)
	}
	for _, bad := range []struct {
		c    paved.ManualCheck
		want string
	}{
		{paved.ManualCheck{Scope: "release", ID: "x", Title: "x", Role: paved.RoleAdmin}, `scope: "release" is not a check scope`},
		{paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "Pen Test", Title: "x", Role: paved.RoleAdmin}, "id:"},
		{paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "x", Role: paved.RoleAdmin}, "title:"},
		{paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "x", Title: "x", Role: "boss"}, `role: "boss" cannot confirm a check`},
		{paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "x", Title: "x", Role: paved.RoleDeveloper}, `role: "developer" cannot confirm a check`},
		{paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "x", Title: "x", Role: paved.RoleViewer}, `role: "viewer" cannot confirm a check`},
		{paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "x", Title: strings.Repeat("t", 201), Role: paved.RoleAdmin}, "title: 201 bytes"},
		{paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "x", Title: "   ", Role: paved.RoleAdmin}, "title:"},
		{paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "confirmations", Title: "x", Role: paved.RoleAdmin}, "reserved"},
	} {
		if _, err := f.p.PutCheck(f.admin, &bad.c); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("PutCheck(%+v) = %v, want EINVALID %q", bad.c, err, bad.want)
		}
	}
	got, err := f.p.PutCheck(f.admin, pen)
	must(t, err)
	if got.CreatedBy == "" || got.CreatedAt.IsZero() {
		t.Errorf("the check's creation is not recorded: %+v", got)
	}

	item := func() paved.ReadinessItem {
		t.Helper()
		r, err := f.p.Readiness(f.dev, "shop")
		must(t, err)
		i := slices.IndexFunc(r.Items, func(it paved.ReadinessItem) bool { return it.ID == "check-pen-test" })
		if i < 0 {
			t.Fatalf("no item for the manual check in %+v", r.Items)
		}
		return r.Items[i]
	}
	if it := item(); it.Done || it.Role != paved.RoleSecurity || !strings.Contains(it.Why, "book it with the red team; then a security user confirms it: paved checks confirm pen-test --app shop") {
		t.Errorf("the unconfirmed item: %+v", it)
	}
	if _, err := f.p.ConfirmCheck(f.dev, paved.ScopeReadiness, "pen-test", "shop"); paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "confirmed by a security user") {
		t.Errorf("a developer confirming: %v", err)
	}
	if _, err := f.p.ConfirmCheck(f.admin, paved.ScopeReadiness, "pen-test", "shop"); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("an admin confirming a security check: %v", err)
	}
	if _, err := f.p.ConfirmCheck(asSec, paved.ScopeReadiness, "pen-test", "nope"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("confirming for an app that does not exist: %v", err)
	}
	if _, err := f.p.ConfirmCheck(asSec, paved.ScopeReadiness, "nope", "shop"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("confirming a check that does not exist: %v", err)
	}
	for _, bad := range []struct{ scope, id, subject, want string }{
		{"release", "pen-test", "shop", "scope:"},
		{paved.ScopeReadiness, "Pen Test", "shop", "id:"},
		{paved.ScopeReadiness, "pen-test", strings.Repeat("x", 100000), "subject:"},
		{paved.ScopeReadiness, "pen-test", "", "subject:"},
		{paved.ScopeProgramPrefix + "discovery", "kickoff", "01", "subject:"},
		{paved.ScopeProgramPrefix + "discovery", "kickoff", "+1", "subject:"},
	} {
		if _, err := f.p.ConfirmCheck(asSec, bad.scope, bad.id, bad.subject); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ConfirmCheck(%q, %q, %.20q) = %v, want EINVALID %q", bad.scope, bad.id, bad.subject, err, bad.want)
		}
	}
	conf, err := f.p.ConfirmCheck(asSec, paved.ScopeReadiness, "pen-test", "shop")
	must(t, err)
	if conf.By != "sam" || conf.Role != paved.RoleSecurity {
		t.Errorf("the confirmation: %+v", conf)
	}
	if it := item(); !it.Done {
		t.Errorf("the confirmed item is not done: %+v", it)
	}
	// Asking something else of another role needs a new confirmation.
	must(t, f.p.CreateUser(f.admin, &paved.User{Name: "fin", Role: paved.RoleFinance}))
	_, err = f.p.PutCheck(f.admin, &paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "pen-test", Title: "penetration test passed", Role: paved.RoleFinance})
	must(t, err)
	if it := item(); it.Done {
		t.Errorf("a check that changed role is still done by security's confirmation: %+v", it)
	}
	if _, err := f.p.ConfirmCheck(asSec, paved.ScopeReadiness, "pen-test", "shop"); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("security confirming a finance check: %v", err)
	}
	_, err = f.p.PutCheck(f.admin, pen)
	must(t, err)
	_, err = f.p.ConfirmCheck(asSec, paved.ScopeReadiness, "pen-test", "shop")
	must(t, err)
	if it := item(); !it.Done {
		t.Errorf("the confirmed item is not done: %+v", it)
	}

	// Program checks are confirmed per iteration.
	kick := &paved.ManualCheck{Scope: paved.ScopeProgramPrefix + "discovery", ID: "kickoff", Title: "kick-off held", Role: paved.RoleAdmin}
	_, err = f.p.PutCheck(f.admin, kick)
	must(t, err)
	if _, err := f.p.ConfirmCheck(f.admin, kick.Scope, "kickoff", "zero"); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("confirming for iteration zero: %v", err)
	}
	_, err = f.p.ConfirmCheck(f.admin, kick.Scope, "kickoff", "1")
	must(t, err)

	// An app deleted and created again starts without confirmations.
	must(t, f.p.CreateApp(f.admin, &paved.App{Name: "blog", Team: "pioneers"}))
	_, err = f.p.ConfirmCheck(asSec, paved.ScopeReadiness, "pen-test", "blog")
	must(t, err)
	_, err = f.p.DeleteApp(f.admin, "blog", false)
	must(t, err)
	time.Sleep(2 * time.Millisecond)
	must(t, f.p.CreateApp(f.admin, &paved.App{Name: "blog", Team: "pioneers"}))
	r, err := f.p.Readiness(f.dev, "blog")
	must(t, err)
	if slices.ContainsFunc(r.Items, func(it paved.ReadinessItem) bool { return it.ID == "check-pen-test" && it.Done }) {
		t.Errorf("a new app of an old name inherited its confirmation")
	}

	must(t, f.p.DeleteCheck(f.admin, paved.ScopeReadiness, "pen-test"))
	r, err = f.p.Readiness(f.dev, "shop")
	must(t, err)
	if slices.ContainsFunc(r.Items, func(it paved.ReadinessItem) bool { return it.ID == "check-pen-test" }) {
		t.Errorf("a deleted check is still an item")
	}
	entries, err := f.store.ListAudit(ctx, paved.AuditFilter{})
	must(t, err)
	var actions []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "check.") && e.Result == "ok" {
			actions = append(actions, e.Action+" "+e.Target)
		}
	}
	slices.Sort(actions)
	actions = slices.Compact(actions)
	want := []string{"check.confirm program.discovery/kickoff for 1", "check.confirm readiness/pen-test for blog", "check.confirm readiness/pen-test for shop", "check.delete readiness/pen-test", "check.put program.discovery/kickoff", "check.put readiness/pen-test"}
	if !slices.Equal(actions, want) {
		t.Errorf("audited %q, want %q", actions, want)
	}
}
