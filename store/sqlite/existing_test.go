package sqlite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved"
)

// TestOpenExisting opens a store as it is: never creating a file, never
// migrating, refusing a store at another schema.
func TestOpenExisting(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none", "paved.db")
	if _, err := OpenExisting(missing); paved.ErrorCode(err) != paved.EINVALID {
		t.Fatalf("OpenExisting of a missing file: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Errorf("OpenExisting made the directory of a missing store")
	}
	db := openTemp(t)
	path := db.Path()
	db.Close()
	same, err := OpenExisting(path)
	if err != nil {
		t.Fatalf("OpenExisting of a current store: %v", err)
	}
	// Play a store from the previous version: its latest migration undone.
	if _, err := same.w.Exec("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)"); err != nil {
		t.Fatal(err)
	}
	same.Close()
	if _, err := OpenExisting(path); paved.ErrorCode(err) != paved.EUNAVAILABLE || !strings.Contains(err.Error(), "start the server of this version once") {
		t.Fatalf("OpenExisting of an older store: %v", err)
	}
}
