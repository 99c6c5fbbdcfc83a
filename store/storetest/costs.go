package storetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// priceList is a price list of the given currency with a price of each
// kind.
func priceList(currency string, vcpu float64) *paved.PriceList {
	return &paved.PriceList{
		Currency: currency, VCPUHour: vcpu, MemoryGiBHour: 0.0045, StorageGiBMonth: 0.1,
		Resources: []paved.ResourcePrice{
			{Type: "postgres", Monthly: 15},
			{Type: "postgres", Class: "large", Monthly: 120},
			{Definition: "aws-rds-prod", Monthly: 380.5},
		},
		DefaultCPU: 0.25, DefaultMemory: 0.5,
	}
}

const noPriceList = "no price list: finance applies one with paved prices apply -f prices.yaml"

func testPriceLists(t *testing.T, s paved.Store) {
	ctx := context.Background()
	_, err := s.GetPriceList(ctx)
	wantError(t, err, paved.ENOTFOUND, noPriceList)

	var versions []paved.PriceList
	for i, currency := range []string{"EUR", "USD", "CHF"} {
		pl := priceList(currency, 0.03+float64(i)/100)
		pl.UpdatedBy = fmt.Sprintf("finance-%d", i)
		// The caller's UpdatedAt is kept, in UTC to the microsecond.
		pl.UpdatedAt = time.Date(2026, 3, 1, 13, 0, i, 123456789, time.FixedZone("CET", 3600))
		v, err := s.PutPriceList(ctx, pl)
		must(t, err)
		if v != i+1 || pl.Version != i+1 {
			t.Fatalf("PutPriceList #%d returned version %d and set %d, want %d", i+1, v, pl.Version, i+1)
		}
		if want := at(i); !pl.UpdatedAt.Equal(want) || pl.UpdatedAt.Location() != time.UTC {
			t.Fatalf("PutPriceList #%d left UpdatedAt %v, want %v", i+1, pl.UpdatedAt, want)
		}
		got, err := s.GetPriceList(ctx)
		must(t, err)
		sameJSON(t, fmt.Sprintf("GetPriceList after version %d", i+1), got, pl)
		if got.UpdatedAt.Location() != time.UTC {
			t.Fatalf("GetPriceList UpdatedAt %v, want UTC", got.UpdatedAt)
		}
		versions = append(versions, *pl)
	}

	// The version is the store's: one the caller sets (a price list read
	// back and applied again) is not kept. A zero UpdatedAt is the
	// caller's to set: the store leaves it zero.
	again := versions[0]
	again.Resources = nil
	again.UpdatedAt = time.Time{}
	v, err := s.PutPriceList(ctx, &again)
	must(t, err)
	if v != 4 || again.Version != 4 {
		t.Fatalf("PutPriceList of a price list read at version 1 = %d (set %d), want 4", v, again.Version)
	}
	if !again.UpdatedAt.IsZero() {
		t.Fatalf("PutPriceList stamped UpdatedAt %v, want it left zero", again.UpdatedAt)
	}
	got, err := s.GetPriceList(ctx)
	must(t, err)
	sameJSON(t, "GetPriceList after version 4", got, again)
	if got.Resources != nil || !got.UpdatedAt.IsZero() {
		t.Fatalf("GetPriceList = %+v, want no resources and a zero UpdatedAt", got)
	}

	// What JSON cannot hold is refused, and nothing is stored.
	_, err = s.PutPriceList(ctx, nil)
	wantError(t, err, paved.EINVALID, "price list")
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		pl := priceList("EUR", bad)
		_, err = s.PutPriceList(ctx, pl)
		wantError(t, err, paved.EINVALID, "price list")
		if pl.Version != 0 {
			t.Fatalf("a refused price list was given version %d", pl.Version)
		}
	}
	got, err = s.GetPriceList(ctx)
	must(t, err)
	if got.Version != 4 {
		t.Fatalf("GetPriceList after refused puts is version %d, want 4", got.Version)
	}
}

func testConcurrentPriceLists(t *testing.T, s paved.Store) {
	ctx := context.Background()
	const writers = 20
	var wg sync.WaitGroup
	byVersion := make([]string, writers+1) // the writer that got each version
	var mu sync.Mutex
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			pl := priceList("EUR", float64(w))
			pl.UpdatedBy = fmt.Sprintf("writer-%d", w)
			v, err := s.PutPriceList(ctx, pl)
			if err != nil {
				errs <- err
				return
			}
			if pl.Version != v {
				errs <- fmt.Errorf("writer %d: PutPriceList returned %d and set %d", w, v, pl.Version)
				return
			}
			if v < 1 || v > writers {
				errs <- fmt.Errorf("writer %d: version %d, want 1..%d", w, v, writers)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if byVersion[v] != "" {
				errs <- fmt.Errorf("version %d handed to %s and writer-%d", v, byVersion[v], w)
				return
			}
			byVersion[v] = pl.UpdatedBy
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Distinct and consecutive: exactly 1..writers, each once.
	if slices.Contains(byVersion[1:], "") {
		t.Fatalf("versions handed out: %q, want 1..%d each once", byVersion[1:], writers)
	}
	latest, err := s.GetPriceList(ctx)
	must(t, err)
	if latest.Version != writers || latest.UpdatedBy != byVersion[writers] {
		t.Fatalf("GetPriceList = version %d by %s, want version %d by %s", latest.Version, latest.UpdatedBy, writers, byVersion[writers])
	}
}

// awkward are floats that a decimal round trip could change: ones without
// an exact binary form, the extremes of float64, and the sum that shows
// binary rounding.
var awkward = []float64{0.0416, 1e-9, 12345.678, 0.1 + 0.2, 1.0 / 3, 5e-324, math.SmallestNonzeroFloat64 * 3,
	math.MaxFloat64, 1e21, 123456789012345678, 0}

// sameFloat fails unless got is want to the bit.
func sameFloat(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("%s came back %v (%#x), want %v (%#x)", what, got, math.Float64bits(got), want, math.Float64bits(want))
	}
}

func testPriceListFloats(t *testing.T, s paved.Store) {
	ctx := context.Background()
	pl := &paved.PriceList{Currency: "EUR", VCPUHour: 0.0416, MemoryGiBHour: 1e-9, StorageGiBMonth: 12345.678,
		DefaultCPU: 0.1 + 0.2, DefaultMemory: math.MaxFloat64}
	for i, f := range awkward {
		pl.Resources = append(pl.Resources, paved.ResourcePrice{Type: fmt.Sprintf("t%d", i), Monthly: f})
	}
	_, err := s.PutPriceList(ctx, pl)
	must(t, err)
	got, err := s.GetPriceList(ctx)
	must(t, err)
	sameFloat(t, "VCPUHour", got.VCPUHour, 0.0416)
	sameFloat(t, "MemoryGiBHour", got.MemoryGiBHour, 1e-9)
	sameFloat(t, "StorageGiBMonth", got.StorageGiBMonth, 12345.678)
	sameFloat(t, "DefaultCPU", got.DefaultCPU, 0.1+0.2)
	sameFloat(t, "DefaultMemory", got.DefaultMemory, math.MaxFloat64)
	if len(got.Resources) != len(awkward) {
		t.Fatalf("GetPriceList has %d resource prices, want %d", len(got.Resources), len(awkward))
	}
	for i, f := range awkward {
		if got.Resources[i].Type != fmt.Sprintf("t%d", i) {
			t.Fatalf("resource price %d is %q: the order changed", i, got.Resources[i].Type)
		}
		sameFloat(t, fmt.Sprintf("resource price %d", i), got.Resources[i].Monthly, f)
	}

	// A team's budget too.
	for i, f := range awkward[:4] {
		name := fmt.Sprintf("team-%d", i)
		must(t, s.CreateTeam(ctx, &paved.Team{Name: name, Budget: &paved.Budget{Monthly: f, WarnAt: 0.0416}}))
		team, err := s.GetTeam(ctx, name)
		must(t, err)
		if team.Budget == nil {
			t.Fatalf("%s has no budget", name)
		}
		sameFloat(t, name+" budget", team.Budget.Monthly, f)
		sameFloat(t, name+" warn at", team.Budget.WarnAt, 0.0416)
	}
}

func testTeamBudgets(t *testing.T, s paved.Store) {
	ctx := context.Background()
	budget := &paved.Budget{Monthly: 5000, WarnAt: 0.75, Hard: true}
	core := &paved.Team{Name: "core", Cohort: 1, Budget: budget, CreatedAt: at(1)}
	must(t, s.CreateTeam(ctx, core))
	if core.Budget != budget || *budget != (paved.Budget{Monthly: 5000, WarnAt: 0.75, Hard: true}) {
		t.Fatalf("CreateTeam changed the budget it was given: %+v", core.Budget)
	}
	billing := &paved.Team{Name: "billing", Cohort: 2, Pioneering: true, CreatedAt: at(2)}
	must(t, s.CreateTeam(ctx, billing))
	wantError(t, s.CreateTeam(ctx, &paved.Team{Name: "x", Budget: &paved.Budget{Monthly: math.NaN()}}), paved.EINVALID, "")
	if _, err := s.GetTeam(ctx, "x"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("a team with a refused budget was stored: %v", err)
	}

	check := func(when string, want ...*paved.Team) {
		t.Helper()
		var all []paved.Team
		for _, w := range want {
			got, err := s.GetTeam(ctx, w.Name)
			must(t, err)
			sameJSON(t, "GetTeam "+w.Name+" "+when, got, w)
			if (got.Budget == nil) != (w.Budget == nil) {
				t.Fatalf("GetTeam %s %s: budget %+v, want %+v", w.Name, when, got.Budget, w.Budget)
			}
			all = append(all, *w)
		}
		slices.SortFunc(all, func(a, b paved.Team) int { return strings.Compare(a.Name, b.Name) })
		got, err := s.ListTeams(ctx)
		must(t, err)
		sameJSON(t, "ListTeams "+when, got, all)
		for i := range got {
			if (got[i].Budget == nil) != (all[i].Budget == nil) {
				t.Fatalf("ListTeams %s: %s budget %+v, want %+v", when, got[i].Name, got[i].Budget, all[i].Budget)
			}
		}
	}
	// A team created without a budget reads nil, one with its own.
	check("as created", core, billing)

	// UpdateTeam sets a budget, changes one and removes one (nil), with
	// the cohort and pioneering flag.
	billing.Budget = &paved.Budget{Monthly: 1200.5}
	billing.Cohort = 3
	must(t, s.UpdateTeam(ctx, billing))
	core.Budget = &paved.Budget{Monthly: 7500, WarnAt: 0.9}
	core.Pioneering = true
	must(t, s.UpdateTeam(ctx, core))
	check("after setting and changing budgets", core, billing)
	if got, _ := s.GetTeam(ctx, "core"); got.Budget.Hard {
		t.Fatalf("core's budget is still hard after UpdateTeam without Hard: %+v", got.Budget)
	}

	core.Budget = nil
	must(t, s.UpdateTeam(ctx, core))
	check("after removing core's budget", core, billing)

	wantError(t, s.UpdateTeam(ctx, &paved.Team{Name: "nope", Budget: budget}), paved.ENOTFOUND, `team "nope" not found`)
	wantError(t, s.UpdateTeam(ctx, &paved.Team{Name: "billing", Budget: &paved.Budget{Monthly: math.Inf(1)}}), paved.EINVALID, "")
	check("after a refused update", core, billing)
}

// MigrationV8Rows are the rows, written at schema 8 (SQL both stores
// read), that CheckMigratedToV9 expects: teams core (cohort 1, pioneering)
// and billing, from before teams had budgets.
var MigrationV8Rows = []string{
	`INSERT INTO teams (name, cohort, pioneering, created_at) VALUES ('core', 1, true, '2026-01-01T00:00:00.000000Z'),
		('billing', 2, false, '2026-01-01T00:00:01.000000Z')`,
}

// CheckMigratedToV9 checks a store migrated from schema 8 holding
// MigrationV8Rows: the teams are kept and have no budget, there is no price
// list, and both can then be written.
func CheckMigratedToV9(t *testing.T, s paved.Store) {
	t.Helper()
	ctx := context.Background()
	teams, err := s.ListTeams(ctx)
	must(t, err)
	sameJSON(t, "ListTeams after the migration", teams, []paved.Team{
		{Name: "billing", Cohort: 2, CreatedAt: time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)},
		{Name: "core", Cohort: 1, Pioneering: true, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	})
	for _, team := range teams {
		if team.Budget != nil {
			t.Fatalf("team %s has budget %+v after the migration, want none", team.Name, team.Budget)
		}
	}
	_, err = s.GetPriceList(ctx)
	wantError(t, err, paved.ENOTFOUND, noPriceList)

	core := teams[1]
	core.Budget = &paved.Budget{Monthly: 900}
	must(t, s.UpdateTeam(ctx, &core))
	got, err := s.GetTeam(ctx, "core")
	must(t, err)
	sameJSON(t, "core after UpdateTeam", got, core)
	v, err := s.PutPriceList(ctx, priceList("EUR", 0.0416))
	must(t, err)
	if v != 1 {
		t.Fatalf("the first price list after the migration is version %d, want 1", v)
	}
}
