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

	// Confirmations: one per check and subject, the later replacing.
	conf := func(id, subject, by string, sec int) *paved.CheckConfirmation {
		return &paved.CheckConfirmation{Scope: paved.ScopeReadiness, CheckID: id, Subject: subject, By: by, Role: paved.RoleSecurity, At: at(sec)}
	}
	must(t, s.PutConfirmation(ctx, conf("runbook", "shop", "sam", 4)))
	must(t, s.PutConfirmation(ctx, conf("pen-test", "shop", "sam", 5)))
	must(t, s.PutConfirmation(ctx, conf("pen-test", "shop", "sue", 6)))
	must(t, s.PutConfirmation(ctx, conf("pen-test", "blog", "sam", 7)))
	cs, err := s.ListConfirmations(ctx, paved.ScopeReadiness, "shop")
	must(t, err)
	if want := []paved.CheckConfirmation{*conf("pen-test", "shop", "sue", 6), *conf("runbook", "shop", "sam", 4)}; !reflect.DeepEqual(cs, want) {
		t.Errorf("ListConfirmations(shop) = %+v, want %+v", cs, want)
	}
	if cs, err := s.ListConfirmations(ctx, paved.ScopeReadiness, "nope"); err != nil || cs == nil || len(cs) != 0 {
		t.Errorf("ListConfirmations of none = %#v, %v", cs, err)
	}

	// Deleting a check deletes its confirmations, and only its own.
	must(t, s.DeleteCheck(ctx, pen.Scope, pen.ID))
	if err := s.DeleteCheck(ctx, pen.Scope, pen.ID); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("deleting a deleted check = %v, want ENOTFOUND", err)
	}
	for subject, want := range map[string]int{"shop": 1, "blog": 0} {
		cs, err := s.ListConfirmations(ctx, paved.ScopeReadiness, subject)
		must(t, err)
		if len(cs) != want {
			t.Errorf("after the delete %s has %d confirmations, want %d", subject, len(cs), want)
		}
	}
	if err := s.PutCheck(ctx, &paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "x"}); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("a check without title and role = %v, want EINVALID", err)
	}
}
