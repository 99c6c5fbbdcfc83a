package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// SealedRows implements paved.ResealStore.
func (db *DB) SealedRows(ctx context.Context, kind paved.SealedKind, after []string, limit int) ([]paved.SealedRow, error) {
	t, err := record.SealedTableOf(kind)
	if err != nil {
		return nil, err
	}
	keys := strings.Join(t.Keys, ", ")
	q := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND length(%s) > 0 AND %s != 'null'", keys, t.Column, t.Table, t.Column, t.Column, t.Column)
	var args []any
	if after != nil {
		if args, err = t.KeyArgs(after); err != nil {
			return nil, err
		}
		q += fmt.Sprintf(" AND (%s) > (%s)", keys, strings.TrimSuffix(strings.Repeat("?, ", len(t.Keys)), ", "))
	}
	q += fmt.Sprintf(" ORDER BY %s LIMIT ?", keys)
	rows, err := db.r.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sealed %s: %w", kind, err)
	}
	defer rows.Close()
	var out []paved.SealedRow
	for rows.Next() {
		key := make([]any, len(t.Keys))
		dest := make([]any, len(t.Keys)+1)
		for i := range key {
			dest[i] = &key[i]
		}
		var data []byte
		dest[len(key)] = &data
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("sqlite: sealed %s: %w", kind, err)
		}
		out = append(out, t.Row(kind, key, data))
	}
	return out, rows.Err()
}

// Reseal implements paved.ResealStore.
func (db *DB) Reseal(ctx context.Context, row paved.SealedRow, old []byte) error {
	t, err := record.SealedTableOf(row.Kind)
	if err != nil {
		return err
	}
	key, err := t.KeyArgs(row.Key)
	if err != nil {
		return err
	}
	var data, was any = row.Data, old
	if t.JSON { // text stays text
		data, was = string(row.Data), string(old)
	}
	set := t.Column + " = ?"
	if t.Counter != "" {
		set += ", " + t.Counter + " = " + t.Counter + " + 1"
	}
	var where []string
	for _, k := range t.Keys {
		where = append(where, k+" = ?")
	}
	q := fmt.Sprintf("UPDATE %s SET %s WHERE %s AND %s = ?", t.Table, set, strings.Join(where, " AND "), t.Column)
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, append(append([]any{data}, key...), was)...)
		if err != nil {
			return fmt.Errorf("sqlite: reseal %s %v: %w", row.Kind, row.Key, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return paved.Errorf(paved.ECONFLICT, "%s %s: changed or gone since it was read; run the rotation again", row.Kind, strings.Join(row.Key, "/"))
		}
		return nil
	})
}
