package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
)

// TestOpenExisting connects to a store as it is: a database without one is
// refused, not migrated; a store at another schema is refused.
func TestOpenExisting(t *testing.T) {
	requireServer(t)
	ctx := context.Background()
	schema, err := newSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, fmt.Sprintf(urlFormat, testDB))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	url := fmt.Sprintf(urlFormat, testDB) + "&search_path=" + schema
	if _, err := OpenExisting(ctx, url); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "holds no paved store") {
		t.Fatalf("OpenExisting of an empty schema: %v", err)
	}
	var tables int
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", schema).Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("OpenExisting made %d tables (%v)", tables, err)
	}
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	same, err := OpenExisting(ctx, url)
	if err != nil {
		t.Fatalf("OpenExisting of a current store: %v", err)
	}
	same.Close()
	if _, err := admin.Exec(ctx, "DELETE FROM "+schema+".schema_migrations WHERE version = (SELECT MAX(version) FROM "+schema+".schema_migrations)"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenExisting(ctx, url); paved.ErrorCode(err) != paved.EUNAVAILABLE || !strings.Contains(err.Error(), "start the server of this version once") {
		t.Fatalf("OpenExisting of an older store: %v", err)
	}
}
