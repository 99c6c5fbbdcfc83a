package postgres

import (
	"context"
	"fmt"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

func placeholders(from, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(p, ", ")
}

// SealedRows implements paved.ResealStore.
func (db *DB) SealedRows(ctx context.Context, kind paved.SealedKind, after []string, limit int) ([]paved.SealedRow, error) {
	t, err := record.SealedTableOf(kind)
	if err != nil {
		return nil, err
	}
	keys := strings.Join(t.Keys, ", ")
	col, cond := t.Column, t.Column+" IS NOT NULL AND length("+t.Column+") > 0"
	if t.JSON {
		col, cond = t.Column+"::text", t.Column+" != 'null'::jsonb"
	}
	q := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s", keys, col, t.Table, cond)
	var args []any
	if after != nil {
		if args, err = t.KeyArgs(after); err != nil {
			return nil, err
		}
		q += fmt.Sprintf(" AND (%s) > (%s)", keys, placeholders(1, len(args)))
	}
	q += fmt.Sprintf(" ORDER BY %s LIMIT $%d", keys, len(args)+1)
	rows, err := db.pool.Query(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("postgres: sealed %s: %w", kind, err)
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
			return nil, fmt.Errorf("postgres: sealed %s: %w", kind, err)
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
	cast := ""
	if t.JSON {
		data, was, cast = string(row.Data), string(old), "::jsonb"
	}
	set := t.Column + " = $1" + cast
	if t.Counter != "" {
		set += ", " + t.Counter + " = " + t.Counter + " + 1"
	}
	var where []string
	for i, k := range t.Keys {
		where = append(where, fmt.Sprintf("%s = $%d", k, i+2))
	}
	q := fmt.Sprintf("UPDATE %s SET %s WHERE %s AND %s = $%d%s", t.Table, set, strings.Join(where, " AND "), t.Column, len(key)+2, cast)
	tag, err := db.pool.Exec(ctx, q, append(append([]any{data}, key...), was)...)
	if err != nil {
		return fmt.Errorf("postgres: reseal %s %v: %w", row.Kind, row.Key, err)
	}
	if tag.RowsAffected() == 0 {
		return paved.Errorf(paved.ECONFLICT, "%s %s: changed or gone since it was read; run the rotation again", row.Kind, strings.Join(row.Key, "/"))
	}
	return nil
}
