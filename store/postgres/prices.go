package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// priceListLock is the pg_advisory_xact_lock key that numbers price list
// versions one writer at a time ("prices" in ASCII; beyond the int4 range
// of the hashtext keys of namespaces, so it shares a lock with none).
const priceListLock int64 = 0x707269636573

// PutPriceList stores pl as the next version of the installation's one
// price list (1 for the first), sets pl.Version and returns it. Every
// version is kept, the whole price list as the body, as policies are. There
// is no row to lock before the first version, so writers take a
// transaction-scoped advisory lock, then read the highest version: servers
// writing the price list at once get consecutive versions. A zero
// UpdatedAt is kept zero (the platform stamps it); created_at is when the
// row was written.
func (db *DB) PutPriceList(ctx context.Context, pl *paved.PriceList) (int, error) {
	if err := record.PreparePriceList(pl); err != nil {
		return 0, err
	}
	var version int
	err := db.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", priceListLock); err != nil {
			return fmt.Errorf("postgres: put price list: %w", err)
		}
		// A statement after the lock: in READ COMMITTED it sees the
		// version the previous holder committed.
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM price_lists").Scan(&version); err != nil {
			return fmt.Errorf("postgres: put price list: %w", err)
		}
		body, err := record.EncodePriceList(pl, version)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO price_lists (version, body, created_at) VALUES ($1, $2, $3)",
			version, body, record.Now())
		if err != nil {
			return fmt.Errorf("postgres: put price list: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	pl.Version = version
	return version, nil
}

// GetPriceList returns the latest price list (the highest version).
func (db *DB) GetPriceList(ctx context.Context) (*paved.PriceList, error) {
	var body []byte
	var version int
	err := db.pool.QueryRow(ctx, "SELECT "+record.PriceListCols+" FROM price_lists ORDER BY version DESC LIMIT 1").Scan(&body, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NoPriceList()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get price list: %w", err)
	}
	pl, err := record.DecodePriceList(body, version)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &pl, nil
}
