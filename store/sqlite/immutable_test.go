package sqlite

import (
	"context"
	"testing"

	"paved.dev/paved/store/storetest"
)

// TestDeploymentsAreImmutable: the database itself refuses to change what
// a deployment asked for, and anything of a finished one, whoever writes.
func TestDeploymentsAreImmutable(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	storetest.CheckDeploymentsImmutable(t, db, func(sql string) error {
		_, err := db.w.ExecContext(context.Background(), sql)
		return err
	}, "'2026-01-01T00:00:00.000000Z'")
}
