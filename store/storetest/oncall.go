package storetest

import (
	"context"
	"testing"

	"paved.dev/paved"
)

// testAppOnCall checks that an app's on-call contact round-trips through
// CreateApp, GetApp, ListApps and UpdateApp, which also clears it.
func testAppOnCall(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "billing"}))
	shop := &paved.App{Name: "shop", Team: "core", OnCall: "pager:shop-oncall", CreatedAt: at(1)}
	must(t, s.CreateApp(ctx, shop))
	cart := &paved.App{Name: "cart", Team: "core", CreatedAt: at(2)}
	must(t, s.CreateApp(ctx, cart))

	check := func(step string, want *paved.App) {
		t.Helper()
		got, err := s.GetApp(ctx, "shop")
		must(t, err)
		sameJSON(t, step+": GetApp", got, want)
		list, err := s.ListApps(ctx)
		must(t, err)
		sameJSON(t, step+": ListApps", list, []paved.App{*cart, *want})
	}
	check("created", shop)

	// UpdateApp saves the team and the on-call contact together.
	must(t, s.UpdateApp(ctx, &paved.App{Name: "shop", Team: "billing", OnCall: "rota:billing"}))
	check("updated", &paved.App{Name: "shop", Team: "billing", OnCall: "rota:billing", CreatedAt: at(1)})

	// "" clears it.
	must(t, s.UpdateApp(ctx, &paved.App{Name: "shop", Team: "billing"}))
	check("cleared", &paved.App{Name: "shop", Team: "billing", CreatedAt: at(1)})
}

// testMVPMode checks the MVP mode setting: unset until written, then
// whatever was written last.
func testMVPMode(t *testing.T, s paved.Store) {
	ctx := context.Background()
	check := func(step string, wantOn, wantSet bool) {
		t.Helper()
		on, set, err := s.MVPMode(ctx)
		must(t, err)
		if on != wantOn || set != wantSet {
			t.Fatalf("%s: MVPMode = (%v, %v), want (%v, %v)", step, on, set, wantOn, wantSet)
		}
	}
	check("never set", false, false)
	must(t, s.SetMVPMode(ctx, false))
	check("set off", false, true)
	must(t, s.SetMVPMode(ctx, true))
	check("set on", true, true)
	must(t, s.SetMVPMode(ctx, false))
	check("set off again", false, true)
	// The installation id shares the table and is untouched.
	id, err := s.InstallationID(ctx)
	must(t, err)
	must(t, s.SetMVPMode(ctx, true))
	if again, err := s.InstallationID(ctx); err != nil || again != id {
		t.Fatalf("InstallationID after SetMVPMode = %q, %v; want %q", again, err, id)
	}
	check("set on again", true, true)
}
