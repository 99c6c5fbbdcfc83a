package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"paved.dev/paved/store/storetest"
)

const benchDeployments = 10_000

// bench is one schema of 10,000 deployments shared by the benchmarks of a
// run: seeding it is the slow part. TestMain drops it with the database.
var bench struct {
	once sync.Once
	db   *DB
	ids  []string
	err  error
}

func seeded(b *testing.B) (*DB, []string) {
	requireServer(b)
	bench.once.Do(func() {
		bench.db, bench.err = openInSchema()
		if bench.err != nil {
			return
		}
		t0 := time.Now()
		bench.ids, bench.err = storetest.Seed(context.Background(), bench.db, benchDeployments, bench.db.CreateDeployments)
		b.Logf("seeded %d deployments of 20 objects in %v", benchDeployments, time.Since(t0).Round(time.Millisecond))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.db, bench.ids
}

func BenchmarkListDeployments(b *testing.B) {
	db, _ := seeded(b)
	storetest.BenchListDeployments(b, db)
}

func BenchmarkGetDeployment(b *testing.B) {
	db, ids := seeded(b)
	storetest.BenchGetDeployment(b, db, ids)
}

func BenchmarkCreateDeployment(b *testing.B) {
	db := openSchema(b)
	defer db.Close()
	ctx := context.Background()
	if _, err := storetest.Seed(ctx, db, 0, db.CreateDeployments); err != nil {
		b.Fatal(err)
	}
	storetest.Measure(b, func(i int) error {
		return db.CreateDeployment(ctx, storetest.SampleDeployment("shop", "dev", "", time.Time{}, 20))
	})
}

// BenchmarkDORA: DORA over a year of a history of 50,000 deployments, or
// $PAVED_DORA_ROWS (docs/dora.md: a million).
func BenchmarkDORA(b *testing.B) {
	requireServer(b)
	n := storetest.DORABenchRows(b)
	db := openSchema(b)
	defer db.Close()
	t0 := time.Now()
	if err := storetest.SeedDORAHistory(context.Background(), db, n, db.BulkDeployments); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d deployments in %v", n, time.Since(t0).Round(time.Millisecond))
	b.ResetTimer()
	storetest.BenchDORA(b, db, n)
}
