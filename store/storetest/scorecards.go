package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"paved.dev/paved"
)

func testScorecards(t *testing.T, s paved.Store) {
	ctx := context.Background()
	if got, err := s.ListScorecards(ctx); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("ListScorecards with none = %#v, %v; want an empty list", got, err)
	}
	mvp := &paved.Scorecard{ID: "mvp", Owner: paved.RoleAdmin, Module: "package paved.scorecards.mvp\n", UpdatedBy: "ada", CreatedAt: at(1)}
	sec := &paved.Scorecard{ID: "hardened", Owner: paved.RoleSecurity, Description: "security's bar", Module: "package paved.scorecards.hardened\n", CreatedAt: at(2)}
	for _, sc := range []*paved.Scorecard{mvp, sec} {
		if v, err := s.PutScorecard(ctx, sc); err != nil || v != 1 || sc.Version != 1 {
			t.Fatalf("PutScorecard(%s) = %d, %v (version %d); want 1", sc.ID, v, err, sc.Version)
		}
	}
	mvp2 := &paved.Scorecard{ID: "mvp", Owner: paved.RoleAdmin, Module: "package paved.scorecards.mvp\n# v2\n", CreatedAt: at(3)}
	if v, err := s.PutScorecard(ctx, mvp2); err != nil || v != 2 {
		t.Fatalf("PutScorecard(mvp again) = %d, %v; want version 2", v, err)
	}
	got, err := s.ListScorecards(ctx)
	must(t, err)
	if want := []paved.Scorecard{*sec, *mvp2}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListScorecards = %+v\nwant the latest of each by id %+v", got, want)
	}
	for _, tc := range []struct {
		sc   paved.Scorecard
		want string
	}{
		{paved.Scorecard{Owner: paved.RoleAdmin, Module: "package x"}, "scorecard: id is required"},
		{paved.Scorecard{ID: "x", Module: "package x"}, "scorecard: owner is required"},
		{paved.Scorecard{ID: "x", Owner: paved.RoleAdmin}, "scorecard: module is required"},
		{paved.Scorecard{ID: "x", Owner: paved.RoleAdmin, Module: "package x\x00"}, "scorecard x: module contains a NUL character"},
		{paved.Scorecard{ID: "x", Owner: paved.RoleAdmin, Module: "package x\xff"}, "scorecard x: module is not valid UTF-8"},
	} {
		if _, err := s.PutScorecard(ctx, &tc.sc); paved.ErrorCode(err) != paved.EINVALID || err.Error() != tc.want {
			t.Errorf("PutScorecard(%+v) = %v, want EINVALID %q", tc.sc, err, tc.want)
		}
	}
}

// result is a stored result of shop on mvp at sec.
func result(level paved.ScorecardLevel, version int, passed, failed []string, sec int) *paved.ScorecardRecord {
	return &paved.ScorecardRecord{App: "shop", Scorecard: "mvp", Version: version, Level: level, Passed: passed, Failed: failed, At: at(sec)}
}

func testScorecardResults(t *testing.T, s paved.Store) {
	ctx := context.Background()
	for _, app := range []string{"shop", "nope"} {
		got, err := s.ScorecardResults(ctx, app, "mvp", 0)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("ScorecardResults(%s) with none = %#v, %v; want an empty list", app, got, err)
		}
	}
	record := func(r *paved.ScorecardRecord, want bool) {
		t.Helper()
		stored, err := s.RecordScorecardResult(ctx, r)
		must(t, err)
		if stored != want {
			t.Errorf("RecordScorecardResult(%+v) stored = %v, want %v", r, stored, want)
		}
	}
	first := result("", 1, []string{"owner"}, []string{"deploys-weekly", "staging"}, 1)
	record(first, true)
	// The same result later is not stored again: the history keeps changes.
	record(result("", 1, []string{"owner"}, []string{"deploys-weekly", "staging"}, 2), false)
	bronze := result(paved.LevelBronze, 1, []string{"owner", "staging"}, []string{"deploys-weekly"}, 3)
	record(bronze, true)
	// A new version of the scorecard with the same outcome is a change.
	v2 := result(paved.LevelBronze, 2, []string{"owner", "staging"}, []string{"deploys-weekly"}, 4)
	record(v2, true)
	// Empty lists come back empty, not null; a level of none is kept.
	none := result("", 2, nil, nil, 5)
	record(none, true)
	// Other apps and scorecards are apart.
	other := &paved.ScorecardRecord{App: "cart", Scorecard: "mvp", Version: 1, Level: paved.LevelGold, Passed: []string{"owner"}, At: at(6)}
	record(other, true)
	record(&paved.ScorecardRecord{App: "shop", Scorecard: "production-ready", Version: 1, Level: paved.LevelSilver, At: at(7)}, true)

	got, err := s.ScorecardResults(ctx, "shop", "mvp", 0)
	must(t, err)
	none.Passed, none.Failed = []string{}, []string{}
	if want := []paved.ScorecardRecord{*none, *v2, *bronze, *first}; !reflect.DeepEqual(got, want) {
		t.Errorf("ScorecardResults(shop, mvp) =\n%+v\nwant newest first\n%+v", got, want)
	}
	if got, err := s.ScorecardResults(ctx, "shop", "mvp", 2); err != nil || len(got) != 2 || got[1].Version != 2 {
		t.Errorf("ScorecardResults with limit 2 = %+v, %v", got, err)
	}
	// Once a level was left behind, going back to it is a change again.
	record(result(paved.LevelBronze, 2, []string{"owner", "staging"}, []string{"deploys-weekly"}, 8), true)

	for _, tc := range []struct {
		r    paved.ScorecardRecord
		want string
	}{
		{paved.ScorecardRecord{Scorecard: "mvp"}, "scorecard result: app is required"},
		{paved.ScorecardRecord{App: "shop"}, "scorecard result: scorecard is required"},
		{paved.ScorecardRecord{App: "shop", Scorecard: "mvp", Level: "platinum"}, `scorecard result: level: "platinum" is not bronze, silver, gold or none`},
		{paved.ScorecardRecord{App: "shop", Scorecard: "mvp", Passed: []string{"a\x00"}}, "scorecard result: a name contains a NUL character"},
	} {
		if _, err := s.RecordScorecardResult(ctx, &tc.r); paved.ErrorCode(err) != paved.EINVALID || err.Error() != tc.want {
			t.Errorf("RecordScorecardResult(%+v) = %v, want EINVALID %q", tc.r, err, tc.want)
		}
	}
}

// testConcurrentScorecardResults records the same results from several
// writers at once: each change is stored once, in order, none lost.
func testConcurrentScorecardResults(t *testing.T, s paved.Store) {
	ctx := context.Background()
	const writers, changes = 4, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*changes)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range changes {
				// Each writer records the same sequence of changes; each
				// step waits until someone stored the one before.
				r := result(paved.LevelBronze, i+1, []string{"owner"}, []string{}, i)
				if _, err := s.RecordScorecardResult(ctx, r); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := s.ScorecardResults(ctx, "shop", "mvp", 0)
	must(t, err)
	// Writers interleave, so a version may be recorded again after a
	// later one; what must hold is that no two neighbours are the same
	// and the last of every writer, version 5, is the latest.
	if len(got) == 0 || got[0].Version != changes {
		t.Fatalf("latest after concurrent records = %+v, want version %d", got, changes)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Same(&got[i-1]) {
			t.Errorf("results %d and %d are the same: %s", i-1, i, fmt.Sprint(got[i]))
		}
	}
}
