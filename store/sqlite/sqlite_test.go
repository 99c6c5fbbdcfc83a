package sqlite

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/store/storetest"
)

func openTemp(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "data", "paved.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) paved.Store { return openTemp(t) })
}

func TestOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "paved.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v, err := db.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v; want >= 1", v, err)
	}
	var mode, fk, sync string
	if err := db.r.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := db.w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if err := db.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || fk != "1" || sync != "1" {
		t.Fatalf("journal_mode=%s foreign_keys=%s synchronous=%s, want wal 1 1 (NORMAL)", mode, fk, sync)
	}
	// Readers cannot write.
	if _, err := db.r.ExecContext(ctx, "INSERT INTO teams (name, created_at) VALUES ('x', 'y')"); err == nil {
		t.Fatal("a reader connection wrote")
	}
	if err := db.CreateTeam(ctx, &paved.Team{Name: "core"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("database file mode %v, want 0600", fi.Mode().Perm())
	}

	// Opening again applies nothing twice and keeps the data.
	db, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	teams, err := db.ListTeams(ctx)
	if err != nil || len(teams) != 1 {
		t.Fatalf("after reopen ListTeams = %v, %v", teams, err)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	// Versions may have gaps (numbers are handed out to work in
	// parallel): one row per migration file.
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	if n != len(files) {
		t.Fatalf("schema_migrations has %d rows after reopen, want %d", n, len(files))
	}
}

func TestOpenBadPath(t *testing.T) {
	if _, err := Open(""); paved.ErrorCode(err) != paved.EINVALID {
		t.Fatalf("Open(\"\") = %v, want EINVALID", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(file, "paved.db")); err == nil {
		t.Fatal("Open under a regular file succeeded")
	}
}

func TestBackup(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	if err := db.CreateTeam(ctx, &paved.Team{Name: "core"}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(backup); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v (%v), want 0600: it holds token hashes and sealed secrets", st.Mode().Perm(), err)
	}
	if err := db.Backup(ctx, backup); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Fatalf("second backup to the same file = %v, want ECONFLICT", err)
	}
	copy, err := Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	defer copy.Close()
	teams, err := copy.ListTeams(ctx)
	if err != nil || len(teams) != 1 || teams[0].Name != "core" {
		t.Fatalf("backup holds %v, %v", teams, err)
	}
}
