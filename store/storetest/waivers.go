package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// waiver is a requested waiver of rule security/sec-limits, asked for by
// ana at requested, for a week.
func waiver(id, app, env string, requested time.Time) *paved.Waiver {
	return &paved.Waiver{ID: id, Rule: "security/sec-limits", App: app, Env: env,
		Reason: "the batch job sizes itself; limits land next sprint", Status: paved.WaiverRequested,
		RequestedBy: "ana", RequestedAt: requested, Owner: paved.RoleSecurity, ExpiresAt: requested.Add(7 * 24 * time.Hour)}
}

func waiverIDs(ws []paved.Waiver) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.ID)
	}
	return out
}

func testWaivers(t *testing.T, s paved.Store) {
	ctx := context.Background()
	w1 := waiver("w-1", "shop", "dev", at(1))
	must(t, s.CreateWaiver(ctx, w1))
	got, err := s.GetWaiver(ctx, "w-1")
	must(t, err)
	sameJSON(t, "GetWaiver", got, w1)
	if got.DecidedBy != "" || got.DecidedAt != nil {
		t.Fatalf("a requested waiver came back decided by %q at %v", got.DecidedBy, got.DecidedAt)
	}

	// The caller names the waiver: an ID taken is a conflict, and the
	// first waiver stays as it was.
	dup := waiver("w-1", "cart", "prod", at(2))
	wantError(t, s.CreateWaiver(ctx, dup), paved.ECONFLICT, `waiver "w-1" already exists`)
	got, err = s.GetWaiver(ctx, "w-1")
	must(t, err)
	sameJSON(t, "GetWaiver after a duplicate", got, w1)
	_, err = s.GetWaiver(ctx, "nope")
	wantError(t, err, paved.ENOTFOUND, "no waiver nope")

	// What a waiver needs, it has.
	for _, tc := range []struct {
		change func(w *paved.Waiver)
		want   string
	}{
		{func(w *paved.Waiver) { w.ID = "" }, "waiver: id is required"},
		{func(w *paved.Waiver) { w.Rule = "" }, "waiver: rule is required"},
		{func(w *paved.Waiver) { w.App = "" }, "waiver: app is required"},
		{func(w *paved.Waiver) { w.Env = "" }, "waiver: env is required"},
		{func(w *paved.Waiver) { w.Reason = "" }, "waiver: reason is required"},
		{func(w *paved.Waiver) { w.Owner = "" }, "waiver: owner is required"},
		{func(w *paved.Waiver) { w.ExpiresAt = time.Time{} }, "waiver: expires_at is required"},
		{func(w *paved.Waiver) { w.Status = "pending" }, `waiver w-x: status "pending" is not one of requested, approved, rejected`},
		{func(w *paved.Waiver) { w.Reason = "why\x00" }, "waiver: reason contains a NUL character"},
		{func(w *paved.Waiver) { w.Reason = "why\xff" }, "waiver: reason is not valid UTF-8"},
	} {
		w := waiver("w-x", "shop", "dev", at(3))
		tc.change(w)
		wantError(t, s.CreateWaiver(ctx, w), paved.EINVALID, tc.want)
	}
	_, err = s.GetWaiver(ctx, "w-x")
	wantError(t, err, paved.ENOTFOUND, "no waiver w-x")

	// Decided once: the decision is what comes back and what is kept.
	decided, err := s.DecideWaiver(ctx, "w-1", paved.WaiverApproved, "sam", at(10))
	must(t, err)
	want := *w1
	decidedAt := at(10)
	want.Status, want.DecidedBy, want.DecidedAt = paved.WaiverApproved, "sam", &decidedAt
	sameJSON(t, "DecideWaiver", decided, &want)
	got, err = s.GetWaiver(ctx, "w-1")
	must(t, err)
	sameJSON(t, "GetWaiver after DecideWaiver", got, &want)
	if !got.Active(at(11)) || got.Active(want.ExpiresAt) {
		t.Fatalf("the approved waiver is not active from its approval to its expiry: %+v", got)
	}

	// Never twice: not again, not the other way, and nothing changes.
	_, err = s.DecideWaiver(ctx, "w-1", paved.WaiverApproved, "sam", at(20))
	wantError(t, err, paved.ECONFLICT, "waiver w-1 is already approved")
	_, err = s.DecideWaiver(ctx, "w-1", paved.WaiverRejected, "ops", at(21))
	wantError(t, err, paved.ECONFLICT, "waiver w-1 is already approved")
	got, err = s.GetWaiver(ctx, "w-1")
	must(t, err)
	sameJSON(t, "GetWaiver after decisions refused", got, &want)
	_, err = s.DecideWaiver(ctx, "nope", paved.WaiverApproved, "sam", at(20))
	wantError(t, err, paved.ENOTFOUND, "no waiver nope")

	// A rejected waiver is decided too.
	must(t, s.CreateWaiver(ctx, waiver("w-2", "shop", "dev", at(4))))
	rejected, err := s.DecideWaiver(ctx, "w-2", paved.WaiverRejected, "ops", at(12))
	must(t, err)
	if rejected.Status != paved.WaiverRejected || rejected.DecidedBy != "ops" || rejected.Active(at(13)) {
		t.Fatalf("rejected waiver = %+v", rejected)
	}
	_, err = s.DecideWaiver(ctx, "w-2", paved.WaiverApproved, "sam", at(20))
	wantError(t, err, paved.ECONFLICT, "waiver w-2 is already rejected")

	// A decision approves or rejects, by someone; a refused one changes
	// nothing.
	must(t, s.CreateWaiver(ctx, waiver("w-3", "shop", "dev", at(5))))
	_, err = s.DecideWaiver(ctx, "w-3", paved.WaiverRequested, "sam", at(20))
	wantError(t, err, paved.EINVALID, `not "requested"`)
	_, err = s.DecideWaiver(ctx, "w-3", paved.WaiverApproved, "", at(20))
	wantError(t, err, paved.EINVALID, "by is required")
	got, err = s.GetWaiver(ctx, "w-3")
	must(t, err)
	if got.Status != paved.WaiverRequested || got.DecidedAt != nil {
		t.Fatalf("w-3 after refused decisions = %+v, want it requested", got)
	}

	// Waivers name their app; they do not hold it. Deleting the app keeps
	// them in the history, like deployments.
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "cart", Team: "core"}))
	must(t, s.CreateWaiver(ctx, waiver("w-cart", "cart", "prod", at(6))))
	must(t, s.DeleteApp(ctx, "cart"))
	ws, err := s.ListWaivers(ctx, paved.WaiverFilter{App: "cart"})
	must(t, err)
	sameJSON(t, "waivers of a deleted app", waiverIDs(ws), []string{"w-cart"})
	if _, err := s.DecideWaiver(ctx, "w-cart", paved.WaiverRejected, "ops", at(30)); err != nil {
		t.Fatalf("deciding a waiver of a deleted app: %v", err)
	}
}

func testConcurrentWaiverDecisions(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateWaiver(ctx, waiver("w-1", "shop", "dev", at(1))))
	const deciders = 10
	type result struct {
		by  string
		w   *paved.Waiver
		err error
	}
	results := make(chan result, deciders)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range deciders {
		wg.Go(func() {
			status := paved.WaiverApproved
			if i%2 == 1 {
				status = paved.WaiverRejected
			}
			by := fmt.Sprintf("decider-%d", i)
			<-start
			w, err := s.DecideWaiver(ctx, "w-1", status, by, at(10+i))
			results <- result{by, w, err}
		})
	}
	close(start)
	wg.Wait()
	close(results)
	var winner *paved.Waiver
	var conflicts []error
	for r := range results {
		switch {
		case r.err == nil && winner != nil:
			t.Fatalf("two decisions of one waiver won: %s and %s", winner.DecidedBy, r.by)
		case r.err == nil:
			if r.w.DecidedBy != r.by {
				t.Fatalf("%s won, but the waiver it got back was decided by %q", r.by, r.w.DecidedBy)
			}
			winner = r.w
		case paved.ErrorCode(r.err) == paved.ECONFLICT:
			conflicts = append(conflicts, r.err)
		default:
			t.Fatalf("%s: %v", r.by, r.err)
		}
	}
	if winner == nil {
		t.Fatalf("no decision won; %d conflicts: %v", len(conflicts), conflicts)
	}
	if len(conflicts) != deciders-1 {
		t.Fatalf("%d conflicts, want %d", len(conflicts), deciders-1)
	}
	// The losers saw the winner's decision.
	for _, err := range conflicts {
		if want := "waiver w-1 is already " + string(winner.Status); !strings.Contains(err.Error(), want) {
			t.Fatalf("a losing decision: %q, want %q", err, want)
		}
	}
	got, err := s.GetWaiver(ctx, "w-1")
	must(t, err)
	sameJSON(t, "GetWaiver after the race", got, winner)
}

func testListWaivers(t *testing.T, s paved.Store) {
	ctx := context.Background()
	ws, err := s.ListWaivers(ctx, paved.WaiverFilter{})
	must(t, err)
	if len(ws) != 0 {
		t.Fatalf("ListWaivers of an empty store = %v", waiverIDs(ws))
	}
	// Created out of order; w-b and w-c were asked for at the same
	// instant, so the ID decides.
	for _, w := range []*paved.Waiver{
		waiver("w-c", "shop", "dev", at(3)),
		waiver("w-a", "shop", "dev", at(1)),
		waiver("w-d", "shop", "prod", at(4)),
		waiver("w-b", "shop", "dev", at(3)),
		waiver("w-e", "cart", "dev", at(5)),
		waiver("w-f", "shop", "dev", at(6)),
	} {
		must(t, s.CreateWaiver(ctx, w))
	}
	_, err = s.DecideWaiver(ctx, "w-a", paved.WaiverApproved, "sam", at(10))
	must(t, err)
	_, err = s.DecideWaiver(ctx, "w-c", paved.WaiverApproved, "sam", at(11))
	must(t, err)
	_, err = s.DecideWaiver(ctx, "w-b", paved.WaiverRejected, "sam", at(12))
	must(t, err)
	_, err = s.DecideWaiver(ctx, "w-e", paved.WaiverApproved, "sam", at(13))
	must(t, err)

	for _, tc := range []struct {
		name string
		f    paved.WaiverFilter
		want []string
	}{
		{"all, newest first", paved.WaiverFilter{}, []string{"w-f", "w-e", "w-d", "w-c", "w-b", "w-a"}},
		{"app", paved.WaiverFilter{App: "shop"}, []string{"w-f", "w-d", "w-c", "w-b", "w-a"}},
		{"env", paved.WaiverFilter{Env: "dev"}, []string{"w-f", "w-e", "w-c", "w-b", "w-a"}},
		{"status approved", paved.WaiverFilter{Status: paved.WaiverApproved}, []string{"w-e", "w-c", "w-a"}},
		{"status rejected", paved.WaiverFilter{Status: paved.WaiverRejected}, []string{"w-b"}},
		{"status requested", paved.WaiverFilter{Status: paved.WaiverRequested}, []string{"w-f", "w-d"}},
		{"app and env", paved.WaiverFilter{App: "shop", Env: "dev"}, []string{"w-f", "w-c", "w-b", "w-a"}},
		{"app, env and status (what a plan reads)", paved.WaiverFilter{App: "shop", Env: "dev", Status: paved.WaiverApproved}, []string{"w-c", "w-a"}},
		{"another app's environment", paved.WaiverFilter{App: "cart", Env: "prod"}, []string{}},
		{"an app never seen", paved.WaiverFilter{App: "nope"}, []string{}},
	} {
		ws, err := s.ListWaivers(ctx, tc.f)
		must(t, err)
		sameJSON(t, "ListWaivers "+tc.name, waiverIDs(ws), tc.want)
	}

	// Lists return whole waivers, as GetWaiver does.
	ws, err = s.ListWaivers(ctx, paved.WaiverFilter{App: "shop", Env: "dev", Status: paved.WaiverApproved})
	must(t, err)
	for _, w := range ws {
		got, err := s.GetWaiver(ctx, w.ID)
		must(t, err)
		sameJSON(t, "listed vs got "+w.ID, w, got)
	}
}

func testWaiverTimes(t *testing.T, s paved.Store) {
	ctx := context.Background()
	zone := time.FixedZone("UTC-3:30", -(3*3600 + 1800))
	requested := time.Date(2026, 3, 1, 8, 30, 0, 987654321, zone)
	w := waiver("w-1", "shop", "dev", requested)
	w.ExpiresAt = requested.Add(48*time.Hour + 12) // nanoseconds, cut
	must(t, s.CreateWaiver(ctx, w))
	// The caller's struct holds what the store keeps: UTC, microseconds.
	wantRequested := time.Date(2026, 3, 1, 12, 0, 0, 987654000, time.UTC)
	utcMicro := func(what string, got, want time.Time) {
		t.Helper()
		if got != want {
			t.Fatalf("%s = %v, want %v (UTC, to the microsecond)", what, got, want)
		}
	}
	utcMicro("RequestedAt after CreateWaiver", w.RequestedAt, wantRequested)
	utcMicro("ExpiresAt after CreateWaiver", w.ExpiresAt, wantRequested.Add(48*time.Hour))
	got, err := s.GetWaiver(ctx, "w-1")
	must(t, err)
	utcMicro("RequestedAt read", got.RequestedAt, wantRequested)
	utcMicro("ExpiresAt read", got.ExpiresAt, wantRequested.Add(48*time.Hour))

	decidedAt := time.Date(2026, 3, 1, 9, 0, 0, 123456789, zone)
	wantDecided := time.Date(2026, 3, 1, 12, 30, 0, 123456000, time.UTC)
	decided, err := s.DecideWaiver(ctx, "w-1", paved.WaiverApproved, "sam", decidedAt)
	must(t, err)
	if decided.DecidedAt == nil {
		t.Fatal("DecideWaiver returned no DecidedAt")
	}
	utcMicro("DecidedAt returned", *decided.DecidedAt, wantDecided)
	for _, read := range []func() (*paved.Waiver, error){
		func() (*paved.Waiver, error) { return s.GetWaiver(ctx, "w-1") },
		func() (*paved.Waiver, error) {
			ws, err := s.ListWaivers(ctx, paved.WaiverFilter{App: "shop"})
			if err != nil || len(ws) != 1 {
				return nil, fmt.Errorf("ListWaivers = %d waivers, %v; want 1", len(ws), err)
			}
			return &ws[0], nil
		},
	} {
		got, err := read()
		must(t, err)
		utcMicro("RequestedAt read after the decision", got.RequestedAt, wantRequested)
		utcMicro("ExpiresAt read after the decision", got.ExpiresAt, wantRequested.Add(48*time.Hour))
		if got.DecidedAt == nil {
			t.Fatal("DecidedAt read back nil")
		}
		utcMicro("DecidedAt read", *got.DecidedAt, wantDecided)
		sameJSON(t, "waiver as decided vs as read", got, decided)
	}

	// A waiver stored decided (the caller sets every field) keeps its
	// decision time the same way; ordering follows the instant, not the
	// text of the zone.
	early := waiver("w-early", "shop", "dev", time.Date(2026, 3, 1, 11, 0, 0, 5000, time.FixedZone("UTC+1", 3600)))
	early.Status, early.DecidedBy, early.DecidedAt = paved.WaiverRejected, "ops", &decidedAt
	must(t, s.CreateWaiver(ctx, early))
	utcMicro("DecidedAt after CreateWaiver", *early.DecidedAt, wantDecided)
	if decidedAt.Location() != zone {
		t.Fatal("CreateWaiver changed the time the caller's DecidedAt pointed to")
	}
	must(t, s.CreateWaiver(ctx, waiver("w-late", "shop", "dev", time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC))))
	got, err = s.GetWaiver(ctx, "w-early")
	must(t, err)
	sameJSON(t, "a waiver stored decided", got, early)
	ws, err := s.ListWaivers(ctx, paved.WaiverFilter{App: "shop", Env: "dev"})
	must(t, err)
	sameJSON(t, "waivers ordered by instant", waiverIDs(ws), []string{"w-1", "w-late", "w-early"})
}
