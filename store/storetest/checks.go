package storetest

import (
	"context"
	"reflect"
	"testing"

	"paved.dev/paved"
)

func testManualChecks(t *testing.T, s paved.Store) {
	ctx := context.Background()
	if got, err := s.ListChecks(ctx, ""); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("ListChecks with none = %#v, %v; want an empty list", got, err)
	}
	pen := &paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "pen-test", Title: "penetration test passed",
		How: "book the yearly test", Role: paved.RoleSecurity, CreatedBy: "ada", CreatedAt: at(1)}
	runbook := &paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "runbook", Title: "runbook reviewed", Role: paved.RoleAdmin, CreatedAt: at(2)}
	kickoff := &paved.ManualCheck{Scope: paved.ScopeProgramPrefix + "discovery", ID: "kickoff", Title: "kick-off held", Role: paved.RoleAdmin, CreatedAt: at(3)}
	for _, c := range []*paved.ManualCheck{runbook, kickoff, pen} {
		must(t, s.PutCheck(ctx, c))
	}
	got, err := s.ListChecks(ctx, paved.ScopeReadiness)
	must(t, err)
	if want := []paved.ManualCheck{*pen, *runbook}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListChecks(readiness) = %+v, want %+v", got, want)
	}
	all, err := s.ListChecks(ctx, "")
	must(t, err)
	if len(all) != 3 || all[0].ID != "kickoff" {
		t.Errorf("ListChecks(all) = %+v, want 3 by scope then id", all)
	}

	// Redefining keeps the creation and changes the rest.
	must(t, s.PutCheck(ctx, &paved.ManualCheck{Scope: pen.Scope, ID: pen.ID, Title: "pen test passed this year", Role: paved.RoleSecurity, CreatedAt: at(9)}))
	c, err := s.GetCheck(ctx, pen.Scope, pen.ID)
	must(t, err)
	if c.Title != "pen test passed this year" || c.How != "" || !c.CreatedAt.Equal(at(1)) || c.CreatedBy != "ada" {
		t.Errorf("redefined check = %+v", c)
	}
	if _, err := s.GetCheck(ctx, paved.ScopeReadiness, "nope"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("GetCheck of none = %v, want ENOTFOUND", err)
	}

	// Confirmations: one per check and subject, the later replacing; only
	// of the check's role.
	conf := func(id, subject, by string, role paved.Role, sec int) *paved.CheckConfirmation {
		return &paved.CheckConfirmation{Scope: paved.ScopeReadiness, CheckID: id, Subject: subject, By: by, Role: role, At: at(sec)}
	}
	must(t, s.PutConfirmation(ctx, conf("runbook", "shop", "ada", paved.RoleAdmin, 4)))
	must(t, s.PutConfirmation(ctx, conf("pen-test", "shop", "sam", paved.RoleSecurity, 5)))
	must(t, s.PutConfirmation(ctx, conf("pen-test", "shop", "sue", paved.RoleSecurity, 6)))
	must(t, s.PutConfirmation(ctx, conf("pen-test", "blog", "sam", paved.RoleSecurity, 7)))
	if err := s.PutConfirmation(ctx, conf("pen-test", "shop", "dan", paved.RoleDeveloper, 8)); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Errorf("a confirmation by another role than the check's = %v, want ECONFLICT", err)
	}
	if err := s.PutConfirmation(ctx, conf("nope", "shop", "sam", paved.RoleSecurity, 8)); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("a confirmation of no check = %v, want ENOTFOUND", err)
	}
	// The same check id in another scope is another check.
	must(t, s.PutCheck(ctx, &paved.ManualCheck{Scope: paved.ScopeProgramPrefix + "adoption", ID: "pen-test", Title: "x", Role: paved.RoleSecurity, CreatedAt: at(3)}))
	must(t, s.PutConfirmation(ctx, &paved.CheckConfirmation{Scope: paved.ScopeProgramPrefix + "adoption", CheckID: "pen-test", Subject: "shop", By: "sam", Role: paved.RoleSecurity, At: at(8)}))
	cs, err := s.ListConfirmations(ctx, paved.ScopeReadiness, "shop")
	must(t, err)
	if want := []paved.CheckConfirmation{*conf("pen-test", "shop", "sue", paved.RoleSecurity, 6), *conf("runbook", "shop", "ada", paved.RoleAdmin, 4)}; !reflect.DeepEqual(cs, want) {
		t.Errorf("ListConfirmations(shop) = %+v, want %+v", cs, want)
	}
	if cs, err := s.ListConfirmations(ctx, paved.ScopeReadiness, "nope"); err != nil || cs == nil || len(cs) != 0 {
		t.Errorf("ListConfirmations of none = %#v, %v", cs, err)
	}
	// Redefining a check with the same title and role keeps its
	// confirmations; another role or title clears them.
	must(t, s.PutCheck(ctx, &paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "runbook", Title: "runbook reviewed", How: "read it", Role: paved.RoleAdmin}))
	if cs, _ := s.ListConfirmations(ctx, paved.ScopeReadiness, "shop"); len(cs) != 2 {
		t.Errorf("a redefinition with the same title and role dropped confirmations: %+v", cs)
	}
	must(t, s.PutCheck(ctx, &paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "runbook", Title: "runbook reviewed", Role: paved.RoleSecurity}))
	if cs, _ := s.ListConfirmations(ctx, paved.ScopeReadiness, "shop"); len(cs) != 1 || cs[0].CheckID != "pen-test" {
		t.Errorf("a change of role kept the old role's confirmation: %+v", cs)
	}

	// Deleting a check deletes its confirmations, and only its own.
	must(t, s.DeleteCheck(ctx, pen.Scope, pen.ID))
	if err := s.DeleteCheck(ctx, pen.Scope, pen.ID); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("deleting a deleted check = %v, want ENOTFOUND", err)
	}
	for subject, want := range map[string]int{"shop": 0, "blog": 0} {
		cs, err := s.ListConfirmations(ctx, paved.ScopeReadiness, subject)
		must(t, err)
		if len(cs) != want {
			t.Errorf("after the delete %s has %d confirmations, want %d", subject, len(cs), want)
		}
	}
	if cs, _ := s.ListConfirmations(ctx, paved.ScopeProgramPrefix+"adoption", "shop"); len(cs) != 1 {
		t.Errorf("deleting readiness/pen-test deleted program.adoption/pen-test's confirmation: %+v", cs)
	}
	if err := s.PutCheck(ctx, &paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "x"}); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("a check without title and role = %v, want EINVALID", err)
	}
}
