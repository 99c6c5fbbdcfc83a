package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"paved.dev/paved"
)

// doraT0 is the start of the window of the hand-computed DORA history.
var doraT0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// doraAt is doraT0 plus days, hours and minutes.
func doraAt(days, hours, minutes int) *time.Time {
	t := doraT0.AddDate(0, 0, days).Add(time.Duration(hours)*time.Hour + time.Duration(minutes)*time.Minute)
	return &t
}

// doraDeployment is one deployment of the history: created and finished
// (nil: not finished), started unless notStarted, with a commit time or
// none.
type doraDeployment struct {
	id, app, envID string
	envType        paved.EnvType
	kind           paved.DeploymentKind
	fix            bool
	status         paved.DeploymentStatus
	notStarted     bool
	created        *time.Time
	finished       *time.Time
	commit         *time.Time
}

// doraHistory is the history whose figures testDORA states, computed by
// hand (docs/dora.md walks through them). The window is [doraT0, doraT0+10d).
//
// shop, staging (incarnation e-shop-st):
//
//	s0  -1s        succeeded                  before the window
//	s1  1d 10:00   succeeded 10:10, commit 1d 08:00    lead 2h10m
//	s2  2d 10:00   succeeded 10:10, commit 1d 10:10    lead 24h; rolled back by s3: a failed change, recovered by s3 in 55m
//	s3  2d 11:00   rollback succeeded 11:05            rework
//	s4  3d 09:00   failed 09:20                        a failed change, recovered by s5 in 1h10m
//	s5  3d 10:00   fix succeeded 10:30, commit 09:50   lead 40m; rework
//	s6  4d 12:00   refused before it started           does not count
//	s7  5d 12:00   succeeded 12:15, no commit time
//	s10 6d 00:00   still running                       does not count
//	s8  9d 23:00   failed 23:30                        a failed change, recovered by s9 in 1h
//	s9  10d 00:00  succeeded 00:30                     after the window (its end is exclusive)
//
// shop, an earlier staging incarnation (e-shop-st-old), interleaved to
// prove that "next" stays within an incarnation: x1 2d 10:30 succeeded
// 10:40 (if it were s2's next, s2 would not be rolled back and would
// recover in 30m). shop also deployed to development and ephemeral.
//
// blog (team core): b2 2d succeeded, lead 3h; b1 3d failed, never recovered.
// api (team ops): o1 1d succeeded 00:30, lead 30m, rolled back by o2
// (01:00, succeeded 01:10: recovered in 40m), then o3 a fix (02:00): a
// rollback followed by a fix is not itself a failed change. broken (team ops): two
// failures, nothing else. empty (team core): no deployment.
func doraHistory() []doraDeployment {
	const st = paved.EnvStaging
	ok, failed := paved.DeploymentSucceeded, paved.DeploymentFailed
	dep, rb := paved.KindDeploy, paved.KindRollback
	before := doraT0.Add(-time.Second)
	return []doraDeployment{
		{id: "s0", app: "shop", envID: "e-shop-st", envType: st, kind: dep, status: ok, created: &before, finished: doraAt(0, 0, 5)},
		{id: "s1", app: "shop", envID: "e-shop-st", envType: st, kind: dep, status: ok, created: doraAt(1, 10, 0), finished: doraAt(1, 10, 10), commit: doraAt(1, 8, 0)},
		{id: "s2", app: "shop", envID: "e-shop-st", envType: st, kind: dep, status: ok, created: doraAt(2, 10, 0), finished: doraAt(2, 10, 10), commit: doraAt(1, 10, 10)},
		{id: "x1", app: "shop", envID: "e-shop-st-old", envType: st, kind: dep, status: ok, created: doraAt(2, 10, 30), finished: doraAt(2, 10, 40)},
		{id: "s3", app: "shop", envID: "e-shop-st", envType: st, kind: rb, status: ok, created: doraAt(2, 11, 0), finished: doraAt(2, 11, 5), commit: doraAt(1, 8, 0)},
		{id: "s4", app: "shop", envID: "e-shop-st", envType: st, kind: dep, status: failed, created: doraAt(3, 9, 0), finished: doraAt(3, 9, 20), commit: doraAt(3, 8, 0)},
		{id: "s5", app: "shop", envID: "e-shop-st", envType: st, kind: dep, fix: true, status: ok, created: doraAt(3, 10, 0), finished: doraAt(3, 10, 30), commit: doraAt(3, 9, 50)},
		{id: "s6", app: "shop", envID: "e-shop-st", envType: st, kind: dep, status: failed, notStarted: true, created: doraAt(4, 12, 0), finished: doraAt(4, 12, 0)},
		{id: "s7", app: "shop", envID: "e-shop-st", envType: st, kind: dep, status: ok, created: doraAt(5, 12, 0), finished: doraAt(5, 12, 15)},
		{id: "s10", app: "shop", envID: "e-shop-st", envType: st, kind: dep, status: paved.DeploymentRunning, created: doraAt(6, 0, 0)},
		{id: "s8", app: "shop", envID: "e-shop-st", envType: st, kind: dep, status: failed, created: doraAt(9, 23, 0), finished: doraAt(9, 23, 30), commit: doraAt(9, 22, 0)},
		{id: "s9", app: "shop", envID: "e-shop-st", envType: st, kind: dep, status: ok, created: doraAt(10, 0, 0), finished: doraAt(10, 0, 30), commit: doraAt(9, 23, 50)},
		{id: "d1", app: "shop", envID: "e-shop-dev", envType: paved.EnvDevelopment, kind: dep, status: ok, created: doraAt(1, 9, 0), finished: doraAt(1, 9, 1)},
		{id: "p1", app: "shop", envID: "e-shop-pr", envType: paved.EnvEphemeral, kind: paved.KindClone, status: ok, created: doraAt(1, 9, 30), finished: doraAt(1, 9, 31)},
		{id: "b2", app: "blog", envID: "e-blog-st", envType: st, kind: dep, status: ok, created: doraAt(2, 0, 0), finished: doraAt(2, 3, 0), commit: doraAt(2, 0, 0)},
		{id: "b1", app: "blog", envID: "e-blog-st", envType: st, kind: dep, status: failed, created: doraAt(3, 0, 0), finished: doraAt(3, 0, 5)},
		{id: "o1", app: "api", envID: "e-api-st", envType: st, kind: dep, status: ok, created: doraAt(1, 0, 0), finished: doraAt(1, 0, 30), commit: doraAt(1, 0, 0)},
		{id: "o2", app: "api", envID: "e-api-st", envType: st, kind: rb, status: ok, created: doraAt(1, 1, 0), finished: doraAt(1, 1, 10)},
		{id: "o3", app: "api", envID: "e-api-st", envType: st, kind: dep, fix: true, status: ok, created: doraAt(1, 2, 0), finished: doraAt(1, 2, 20)},
		{id: "f1", app: "broken", envID: "e-broken-st", envType: st, kind: dep, status: failed, created: doraAt(1, 0, 0), finished: doraAt(1, 0, 1)},
		{id: "f2", app: "broken", envID: "e-broken-st", envType: st, kind: dep, status: failed, created: doraAt(2, 0, 0), finished: doraAt(2, 0, 1)},
	}
}

func seedDORA(t *testing.T, s paved.Store) {
	t.Helper()
	ctx := context.Background()
	for _, team := range []string{"core", "ops"} {
		if err := s.CreateTeam(ctx, &paved.Team{Name: team}); err != nil {
			t.Fatal(err)
		}
	}
	for app, team := range map[string]string{"shop": "core", "blog": "core", "empty": "core", "api": "ops", "broken": "ops"} {
		if err := s.CreateApp(ctx, &paved.App{Name: app, Team: team}); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range doraHistory() {
		d := &paved.Deployment{ID: h.id, App: h.app, Env: string(h.envType), EnvID: h.envID, EnvType: h.envType, Kind: h.kind,
			Fix: h.fix, Status: h.status, CreatedAt: *h.created, FinishedAt: h.finished, CommitTime: h.commit, Author: "ana"}
		if h.kind == paved.KindRollback {
			d.Source = "s1"
		}
		if !h.notStarted {
			d.StartedAt = h.created
		}
		if err := s.CreateDeployment(ctx, d); err != nil {
			t.Fatalf("%s: %v", h.id, err)
		}
	}
}

func testDORA(t *testing.T, s paved.Store) {
	seedDORA(t, s)
	ctx := context.Background()
	end := doraT0.AddDate(0, 0, 10)
	m := time.Minute
	tests := []struct {
		name string
		q    paved.DORAQuery
		want paved.DORAFigures
	}{
		{"app", paved.DORAQuery{App: "shop", EnvType: paved.EnvStaging, From: doraT0, To: end},
			paved.DORAFigures{Deployments: 8, Succeeded: 6, Failed: 2, FailedChanges: 3, Rework: 2,
				LeadTimes: 3, LeadTime: 130 * m, Recovered: 3, RecoveryTime: 60 * m}},
		{"team, an even number of lead times, an unrecovered failure", paved.DORAQuery{Team: "core", EnvType: paved.EnvStaging, From: doraT0, To: end},
			paved.DORAFigures{Deployments: 10, Succeeded: 7, Failed: 3, FailedChanges: 4, Rework: 2,
				LeadTimes: 4, LeadTime: 155 * m, Recovered: 3, Unrecovered: 1, RecoveryTime: 60 * m}},
		{"organisation", paved.DORAQuery{EnvType: paved.EnvStaging, From: doraT0, To: end},
			paved.DORAFigures{Deployments: 15, Succeeded: 10, Failed: 5, FailedChanges: 7, Rework: 4,
				LeadTimes: 5, LeadTime: 130 * m, Recovered: 4, Unrecovered: 3, RecoveryTime: 57*m + 30*time.Second}},
		{"only failures", paved.DORAQuery{App: "broken", EnvType: paved.EnvStaging, From: doraT0, To: end},
			paved.DORAFigures{Deployments: 2, Failed: 2, FailedChanges: 2, Unrecovered: 2}},
		{"no deployments", paved.DORAQuery{App: "empty", EnvType: paved.EnvStaging, From: doraT0, To: end}, paved.DORAFigures{}},
		{"no deployments of the type", paved.DORAQuery{App: "shop", EnvType: paved.EnvProduction, From: doraT0, To: end}, paved.DORAFigures{}},
		{"an unknown app", paved.DORAQuery{App: "nope", EnvType: paved.EnvStaging, From: doraT0, To: end}, paved.DORAFigures{}},
		{"the window's start is inclusive, its end exclusive", paved.DORAQuery{App: "shop", EnvType: paved.EnvStaging, From: doraT0.Add(-time.Second), To: *doraAt(10, 0, 0)},
			paved.DORAFigures{Deployments: 9, Succeeded: 7, Failed: 2, FailedChanges: 3, Rework: 2,
				LeadTimes: 3, LeadTime: 130 * m, Recovered: 3, RecoveryTime: 60 * m}},
		{"the next window starts with s9", paved.DORAQuery{App: "shop", EnvType: paved.EnvStaging, From: *doraAt(10, 0, 0), To: doraT0.AddDate(0, 0, 20)},
			paved.DORAFigures{Deployments: 1, Succeeded: 1, LeadTimes: 1, LeadTime: 40 * m}},
		{"a window ending before s4's fix: s4 is still a failed change, recovered after the window", paved.DORAQuery{App: "shop", EnvType: paved.EnvStaging, From: doraT0, To: *doraAt(3, 9, 30)},
			paved.DORAFigures{Deployments: 5, Succeeded: 4, Failed: 1, FailedChanges: 2, Rework: 1,
				LeadTimes: 2, LeadTime: (130*m + 24*time.Hour) / 2, Recovered: 2, RecoveryTime: (55*m + 70*m) / 2}},
		{"development", paved.DORAQuery{App: "shop", EnvType: paved.EnvDevelopment, From: doraT0, To: end},
			paved.DORAFigures{Deployments: 1, Succeeded: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.DORA(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("DORA(%+v)\n got %+v\nwant %+v", tt.q, *got, tt.want)
			}
			// Week by week, the same deployments: the weeks add up to
			// the window's counts, and cover it without a gap.
			weeks, err := s.DORAWeeks(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var sum paved.DORAWeek
			next := tt.q.From
			for _, w := range weeks {
				if !w.From.Equal(next) || !w.To.After(w.From) || w.To.Sub(w.From) > 7*24*time.Hour {
					t.Errorf("DORAWeeks(%+v): week %v to %v after one ending %v", tt.q, w.From, w.To, next)
				}
				next = w.To
				sum.Deployments += w.Deployments
				sum.Succeeded += w.Succeeded
				sum.Failed += w.Failed
				sum.FailedChanges += w.FailedChanges
				sum.Rework += w.Rework
			}
			if !next.Equal(tt.q.To) {
				t.Errorf("DORAWeeks(%+v): the weeks end at %v", tt.q, next)
			}
			if want := (paved.DORAWeek{Deployments: tt.want.Deployments, Succeeded: tt.want.Succeeded, Failed: tt.want.Failed,
				FailedChanges: tt.want.FailedChanges, Rework: tt.want.Rework}); sum != want {
				t.Errorf("DORAWeeks(%+v) add up to %+v, want %+v", tt.q, sum, want)
			}
		})
	}

	// shop's staging week by week: s1 to s7 in the first week (s2 rolled
	// back and s4 failed: two failed changes; s3 and s5 rework), s8 alone
	// in the three days of the second.
	weeks, err := s.DORAWeeks(ctx, paved.DORAQuery{App: "shop", EnvType: paved.EnvStaging, From: doraT0, To: end})
	if err != nil {
		t.Fatal(err)
	}
	want := []paved.DORAWeek{
		{From: doraT0, To: doraT0.AddDate(0, 0, 7), Deployments: 7, Succeeded: 6, Failed: 1, FailedChanges: 2, Rework: 2},
		{From: doraT0.AddDate(0, 0, 7), To: end, Deployments: 1, Failed: 1, FailedChanges: 1},
	}
	if len(weeks) != len(want) {
		t.Fatalf("DORAWeeks of shop: %+v, want %+v", weeks, want)
	}
	for i := range want {
		if got := weeks[i]; !got.From.Equal(want[i].From) || !got.To.Equal(want[i].To) || got.Deployments != want[i].Deployments ||
			got.Succeeded != want[i].Succeeded || got.Failed != want[i].Failed || got.FailedChanges != want[i].FailedChanges || got.Rework != want[i].Rework {
			t.Errorf("DORAWeeks of shop, week %d: %+v, want %+v", i, got, want[i])
		}
	}

	types := []struct {
		q    paved.DORAQuery
		want []paved.EnvType
	}{
		{paved.DORAQuery{App: "shop", From: doraT0, To: end}, []paved.EnvType{paved.EnvEphemeral, paved.EnvDevelopment, paved.EnvStaging}},
		{paved.DORAQuery{Team: "ops", From: doraT0, To: end}, []paved.EnvType{paved.EnvStaging}},
		{paved.DORAQuery{From: doraT0, To: end}, []paved.EnvType{paved.EnvEphemeral, paved.EnvDevelopment, paved.EnvStaging}},
		{paved.DORAQuery{App: "empty", From: doraT0, To: end}, nil},
		{paved.DORAQuery{App: "shop", From: *doraAt(10, 0, 0), To: doraT0.AddDate(0, 0, 20)}, []paved.EnvType{paved.EnvStaging}},
	}
	for _, tt := range types {
		got, err := s.DeployedEnvTypes(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("DeployedEnvTypes(%+v) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// testDeploymentFix: the fix mark is stored, read back, and written once.
func testDeploymentFix(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	d := &paved.Deployment{App: "shop", Env: "dev", Fix: true, Runner: "r1"}
	if err := s.CreateDeployment(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetDeployment(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Fix || len(list) != 1 || !list[0].Fix {
		t.Errorf("fix not kept: get %v, list %+v", got.Fix, list)
	}
}
