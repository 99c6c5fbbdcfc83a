package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"paved.dev/paved/store/storetest"
)

const benchDeployments = 10_000

// bench is one database of 10,000 deployments shared by the benchmarks of
// a run: seeding it is the slow part.
var bench struct {
	once sync.Once
	dir  string
	db   *DB
	ids  []string
	err  error
}

func seeded(b *testing.B) (*DB, []string) {
	bench.once.Do(func() {
		// Not b.TempDir: the database outlives this benchmark.
		bench.dir, bench.err = os.MkdirTemp("", "paved-sqlite-bench-")
		if bench.err != nil {
			return
		}
		bench.db, bench.err = Open(filepath.Join(bench.dir, "bench.db"))
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
	db := openTemp(b)
	defer db.Close()
	ctx := context.Background()
	if _, err := storetest.Seed(ctx, db, 0, db.CreateDeployments); err != nil {
		b.Fatal(err)
	}
	storetest.Measure(b, func(i int) error {
		return db.CreateDeployment(ctx, storetest.SampleDeployment("shop", "dev", "", time.Time{}, 20))
	})
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.db != nil {
		bench.db.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// BenchmarkDORA: DORA over a year of a history of 50,000 deployments, or
// $PAVED_DORA_ROWS (docs/dora.md: a million).
func BenchmarkDORA(b *testing.B) {
	n := storetest.DORABenchRows(b)
	db, err := Open(filepath.Join(b.TempDir(), "dora.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	t0 := time.Now()
	if err := storetest.SeedDORAHistory(context.Background(), db, n, db.BulkDeployments); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d deployments in %v", n, time.Since(t0).Round(time.Millisecond))
	b.ResetTimer()
	storetest.BenchDORA(b, db, n)
}
