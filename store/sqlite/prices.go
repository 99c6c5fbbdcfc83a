package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutPriceList stores pl as the next version of the installation's one
// price list (1 for the first), sets pl.Version and returns it. Every
// version is kept, the whole price list as the body, as policies are. The
// writer is exclusive, so the next version is the highest stored plus one.
// A zero UpdatedAt is kept zero (the platform stamps it); created_at is
// when the row was written.
func (db *DB) PutPriceList(ctx context.Context, pl *paved.PriceList) (int, error) {
	if err := record.PreparePriceList(pl); err != nil {
		return 0, err
	}
	var version int
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM price_lists").Scan(&version); err != nil {
			return fmt.Errorf("sqlite: put price list: %w", err)
		}
		body, err := record.EncodePriceList(pl, version)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO price_lists (version, body, created_at) VALUES (?, ?, ?)",
			version, body, fmtTime(record.Now()))
		if err != nil {
			return fmt.Errorf("sqlite: put price list: %w", err)
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
	var body string
	var version int
	err := db.r.QueryRowContext(ctx, "SELECT "+record.PriceListCols+" FROM price_lists ORDER BY version DESC LIMIT 1").Scan(&body, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NoPriceList()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get price list: %w", err)
	}
	pl, err := record.DecodePriceList(body, version)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return &pl, nil
}
