package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"paved.dev/paved"
)

// TestDeadlockRetried: two transactions lock two rows in opposite orders;
// the database aborts one (40P01), having undone all of it, and inTx runs
// it again once the other committed: both succeed, and the aborted one
// ran twice. A transaction the database undoes every time runs
// conflictAttempts times and is then EUNAVAILABLE (the store unavailable,
// nothing changed: try again), never ECONFLICT, which its callers take for
// a final answer (a lease lost).
func TestDeadlockRetried(t *testing.T) {
	requireServer(t)
	ctx := context.Background()
	schema, err := newSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, fmt.Sprintf(urlFormat, testDB)+"&search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := dbPool{pool: pool}
	if _, err := db.Exec(ctx, "CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counters VALUES (1, 0), (2, 0)"); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	var locked sync.WaitGroup
	locked.Add(2)
	var once [2]sync.Once
	bump := func(tx pgx.Tx, id int) error {
		_, err := tx.Exec(ctx, "UPDATE counters SET n = n + 1 WHERE id = $1", id)
		return err
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, order := range [][2]int{{1, 2}, {2, 1}} {
		wg.Go(func() {
			errs[i] = db.inTx(ctx, func(tx pgx.Tx) error {
				runs.Add(1)
				// The postgres user may: found at once, not after a second.
				if _, err := tx.Exec(ctx, "SET LOCAL deadlock_timeout = '50ms'"); err != nil {
					return err
				}
				if err := bump(tx, order[0]); err != nil {
					return err
				}
				// The first run of each waits until both hold their first row.
				once[i].Do(func() { locked.Done(); locked.Wait() })
				return bump(tx, order[1])
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	if n := runs.Load(); n != 3 {
		t.Errorf("the transactions ran %d times, want 3 (one aborted for the deadlock and run again)", n)
	}
	for id := 1; id <= 2; id++ {
		var n int
		if err := db.QueryRow(ctx, "SELECT n FROM counters WHERE id = $1", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("counter %d is %d, want 2: each transaction's change once", id, n)
		}
	}
	// A transaction undone every time: repeatable read, it reads counter
	// 2, another connection changes and commits it, and its update of it
	// is a serialization failure (40001).
	runs.Store(0)
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		runs.Add(1)
		if _, err := tx.Exec(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
			return err
		}
		if err := bump(tx, 1); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT n FROM counters WHERE id = 2").Scan(&n); err != nil {
			return err
		}
		if _, err := pool.Exec(ctx, "UPDATE counters SET n = n + 1 WHERE id = 2"); err != nil {
			return err
		}
		return bump(tx, 2)
	})
	if n := runs.Load(); n != conflictAttempts {
		t.Errorf("a transaction undone every time ran %d times, want %d", n, conflictAttempts)
	}
	msg := paved.ErrorMessage(err)
	if code := paved.ErrorCode(err); code != paved.EUNAVAILABLE || !errors.Is(err, paved.ErrStoreUnavailable) || errors.Is(err, errUnconfirmed) ||
		!strings.Contains(msg, "kept undoing it") || !strings.Contains(msg, "40001") || !strings.Contains(msg, "nothing was changed: try again") {
		t.Errorf("a transaction undone every time: %s %q (store unavailable %v, maybe done %v), want EUNAVAILABLE, the store unavailable, saying it kept undoing it (40001), nothing was changed: try again",
			code, msg, errors.Is(err, paved.ErrStoreUnavailable), errors.Is(err, errUnconfirmed))
	}
	for id, want := range map[int]int{1: 2, 2: 2 + conflictAttempts} {
		var n int
		if err := db.QueryRow(ctx, "SELECT n FROM counters WHERE id = $1", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("counter %d is %d after a transaction undone every time, want %d: none of its changes kept", id, n, want)
		}
	}
}
