package postgres

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// cuttingProxy forwards connections to the test server; once armed, the
// first client message cut picks is forwarded, the server's answer read
// and dropped, and the client's connection closed: a database that went
// away after it did what it was asked, before the answer arrived.
type cuttingProxy struct {
	l     net.Listener
	armed atomic.Pointer[func([]byte) bool]
	wg    sync.WaitGroup
}

// holding picks a message holding word (the text of a simple-protocol
// statement: a COMMIT, an Exec without arguments).
func holding(word string) func([]byte) bool {
	return func(msg []byte) bool { return bytes.Contains(bytes.ToUpper(msg), []byte(word)) }
}

// bind picks a prepared statement's execution (Bind, Execute, Sync).
func bind(msg []byte) bool { return len(msg) > 0 && msg[0] == 'B' }

func startCuttingProxy(t *testing.T) *cuttingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttingProxy{l: l}
	t.Cleanup(func() { l.Close(); p.wg.Wait() })
	p.wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.serve(c) })
		}
	})
	return p
}

func (p *cuttingProxy) arm(cut func([]byte) bool) { p.armed.Store(&cut) }

func (p *cuttingProxy) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", testAddr)
	if err != nil {
		return
	}
	defer server.Close()
	var cut atomic.Bool
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				if c := p.armed.Load(); c != nil && (*c)(buf[:n]) && p.armed.CompareAndSwap(c, nil) {
					cut.Store(true)
				}
				if _, err := server.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				server.Close()
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := server.Read(buf)
		if cut.Load() {
			return // the answer is dropped, the client cut off
		}
		if n > 0 {
			if _, err := client.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *cuttingProxy) url(schema string) string {
	// One connection: the statements warmed on it are the ones cut.
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable&pool_max_conns=1&search_path=%s", p.l.Addr(), testDB, schema)
}

// TestUnconfirmedChange: the database does a change and goes away before
// its answer arrives: a statement on its own (prepared, or without
// arguments), a row or rows written and returned (FailOrphaned's UPDATE ...
// RETURNING), a transaction's COMMIT. The
// store says it may have been done, and to check before trying again (it
// was done: a retry would do it twice). A connection lost in the middle of
// a transaction, before its COMMIT, is "try again": nothing of it was done.
func TestUnconfirmedChange(t *testing.T) {
	requireServer(t)
	ctx := context.Background()
	schema, err := newSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, fmt.Sprintf(urlFormat, testDB)+"&search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE TABLE orders (id int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	proxy := startCuttingProxy(t)
	pool, err := pgxpool.New(ctx, proxy.url(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := dbPool{pool: pool}
	const insert, insertReturning = "INSERT INTO orders VALUES ($1)", "INSERT INTO orders VALUES ($1) RETURNING id"
	warm := 1000
	// warmUp prepares the statements on the pool's connection, so that
	// what is cut is their execution, not their preparation.
	warmUp := func() {
		t.Helper()
		var got int
		warm++
		if _, err := db.Exec(ctx, insert, warm); err != nil {
			t.Fatal(err)
		}
		warm++
		if err := db.WriteRow(ctx, insertReturning, warm).Scan(&got); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		id   int
		cut  func([]byte) bool
		do   func(id int) error
		want string // the message's kind
		done bool   // whether the database did the change
	}{
		{"a statement on its own", 1, bind, func(id int) error {
			_, err := db.Exec(ctx, insert, id)
			return err
		}, maybeDone, true},
		{"a statement without arguments", 2, holding("INSERT"), func(id int) error {
			_, err := db.Exec(ctx, fmt.Sprintf("INSERT INTO orders VALUES (%d)", id))
			return err
		}, maybeDone, true},
		{"a row written and returned", 3, bind, func(id int) error {
			var got int
			return db.WriteRow(ctx, insertReturning, id).Scan(&got)
		}, maybeDone, true},
		{"rows written and returned", 6, bind, func(id int) error {
			return db.WriteRows(ctx, func(r pgx.Rows) error {
				for r.Next() {
				}
				return r.Err()
			}, insertReturning, id)
		}, maybeDone, true},
		{"a transaction's commit", 4, holding("COMMIT"), func(id int) error {
			return db.inTx(ctx, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, insert, id); return err })
		}, maybeDone, true},
		{"a transaction, before its commit", 5, bind, func(id int) error {
			return db.inTx(ctx, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, insert, id); return err })
		}, tryAgain, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			warmUp()
			proxy.arm(tc.cut)
			err := tc.do(tc.id)
			if proxy.armed.Swap(nil) != nil {
				t.Fatalf("nothing was cut (%v): the test proves nothing", err)
			}
			checkStoreError(t, err, nil, tc.want, "")
			var n int
			if err := admin.QueryRow(ctx, "SELECT count(*) FROM orders WHERE id = $1", tc.id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if done := n == 1; done != tc.done {
				t.Errorf("the change was done: %v, want %v", done, tc.done)
			}
		})
	}
}
