package storetest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"paved.dev/paved"
)

// BulkDeployments writes n generated deployment summaries fast (an
// adapter's COPY or prepared statement in one transaction).
type BulkDeployments func(ctx context.Context, n int, row func(i int, d *paved.Deployment)) error

// DORAHistoryEnd is when the generated history ends; it spans two years
// before.
var DORAHistoryEnd = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// DORABenchRows is the number of deployments the DORA benchmark stores:
// $PAVED_DORA_ROWS, or 50,000 (the million of docs/dora.md takes a minute
// or more to seed).
func DORABenchRows(tb testing.TB) int {
	v := os.Getenv("PAVED_DORA_ROWS")
	if v == "" {
		return 50_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1000 || n > 10_000_000 {
		tb.Fatalf("PAVED_DORA_ROWS=%q: give a number of deployments from 1000 to 10000000", v)
	}
	return n
}

// DORAHistoryRow is deployment i of n in a deterministic history of 100
// apps (app000..app099, teams team0..team9 of ten apps each) over the two
// years before DORAHistoryEnd, evenly spaced: per app, 60% to dev
// (development), 30% to staging, 10% to a preview (ephemeral); about one
// in 13 failed, one in 23 a rollback, one in 19 a fix; commit times up to a
// day before.
func DORAHistoryRow(i, n int, d *paved.Deployment) {
	span := 2 * 365 * 24 * time.Hour
	created := DORAHistoryEnd.Add(-span + time.Duration(int64(span)/int64(n)*int64(i)))
	app := fmt.Sprintf("app%03d", i%100)
	env, typ := "dev", paved.EnvDevelopment
	switch j := (i / 100) % 10; {
	case j >= 6 && j <= 8:
		env, typ = "staging", paved.EnvStaging
	case j == 9:
		env, typ = "pr-1", paved.EnvEphemeral
	}
	k := i / 100
	d.ID = fmt.Sprintf("g%08d", i)
	d.App, d.Env, d.EnvID, d.EnvType = app, env, "e-"+app+"-"+env, typ
	d.Kind, d.Status, d.Author = paved.KindDeploy, paved.DeploymentSucceeded, "ana"
	switch {
	case k%13 == 5:
		d.Status = paved.DeploymentFailed
	case k%23 == 7:
		d.Kind = paved.KindRollback
	case k%19 == 3:
		d.Fix = true
	}
	commit := created.Add(-time.Duration(i*7919%86400) * time.Second)
	finished := created.Add(time.Duration(30+i%600) * time.Second)
	d.CreatedAt, d.StartedAt, d.FinishedAt, d.CommitTime = created, &created, &finished, &commit
}

// SeedDORAHistory creates the teams and apps of DORAHistoryRow and n of
// its deployments through bulk.
func SeedDORAHistory(ctx context.Context, s paved.Store, n int, bulk BulkDeployments) error {
	for t := range 10 {
		if err := s.CreateTeam(ctx, &paved.Team{Name: fmt.Sprintf("team%d", t)}); err != nil {
			return err
		}
	}
	for a := range 100 {
		if err := s.CreateApp(ctx, &paved.App{Name: fmt.Sprintf("app%03d", a), Team: fmt.Sprintf("team%d", a/10)}); err != nil {
			return err
		}
	}
	return bulk(ctx, n, func(i int, d *paved.Deployment) { DORAHistoryRow(i, n, d) })
}

// BenchDORA measures what the DORA service asks the store for one report
// over the last year: the environment types deployed to, then the figures
// of the one measured; for an app, a team and the organisation.
func BenchDORA(b *testing.B, s paved.Store, n int) {
	ctx := context.Background()
	from := DORAHistoryEnd.AddDate(-1, 0, 0)
	for _, sc := range []struct {
		name string
		q    paved.DORAQuery
	}{
		{"app", paved.DORAQuery{App: "app042"}},
		{"team", paved.DORAQuery{Team: "team4"}},
		{"organisation", paved.DORAQuery{}},
	} {
		b.Run(sc.name, func(b *testing.B) {
			q := sc.q
			q.From, q.To = from, DORAHistoryEnd
			var f *paved.DORAFigures
			Measure(b, func(int) error {
				types, err := s.DeployedEnvTypes(ctx, q)
				if err != nil {
					return err
				}
				q.EnvType, _ = paved.MeasuredEnvType(types, true)
				f, err = s.DORA(ctx, q)
				return err
			})
			// A year of a two-year history: half the measured type's rows.
			share := map[string]int{"app": 100, "team": 10, "organisation": 1}[sc.name]
			if want := n * 3 / 10 / 2 / share; f.Deployments < want*9/10 || f.Deployments > want*11/10 {
				b.Fatalf("%d deployments in the year, want about %d", f.Deployments, want)
			}
			b.ReportMetric(float64(f.Deployments), "deployments")
		})
	}
}
