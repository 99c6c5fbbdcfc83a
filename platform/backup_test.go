package platform

import (
	"bytes"
	"strings"
	"testing"

	"paved.dev/paved"
)

// TestBackupNeedsAdminAndAStoreItCanCopy: developers are refused; a
// platform without a backup of its own (PostgreSQL) names pg_dump.
func TestBackupNeedsAdminAndAStoreItCanCopy(t *testing.T) {
	f := newFixture(t)
	var b bytes.Buffer
	if err := f.p.Backup(f.dev, &b); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer's backup: %v, want EFORBIDDEN", err)
	}
	if err := f.p.Backup(f.admin, &b); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("a backup without a store copy: %v, want EINVALID naming pg_dump", err)
	}
	if b.Len() != 0 {
		t.Errorf("a refused backup wrote %d bytes", b.Len())
	}
}
