package record

import (
	"fmt"
	"strconv"

	"paved.dev/paved"
)

// SealedTable is where a kind of sealed value is kept: the table, its key
// columns and the column that holds the sealed value (a blob, or JSON text
// with sealed strings inside).
type SealedTable struct {
	Table  string
	Keys   []string
	Column string
	// JSON: the column is JSON text; else a blob.
	JSON bool
	// IntKey is the index of an integer key column, or -1.
	IntKey int
	// Counter is a column a rewrite increments ("" for none): the
	// deployments' immutability trigger lets objects change only with it.
	Counter string
}

var sealedTables = map[paved.SealedKind]SealedTable{
	paved.SealedResources:   {Table: "resources", Keys: []string{"app", "env", "uid"}, Column: "sealed", IntKey: -1},
	paved.SealedTargets:     {Table: "targets", Keys: []string{"name"}, Column: "sealed", IntKey: -1},
	paved.SealedDefinitions: {Table: "definitions", Keys: []string{"id", "version"}, Column: "body", JSON: true, IntKey: 1},
	paved.SealedDeployments: {Table: "deployments", Keys: []string{"id"}, Column: "objects", JSON: true, IntKey: -1, Counter: "resealed"},
}

// SealedTableOf returns the table of kind.
func SealedTableOf(kind paved.SealedKind) (SealedTable, error) {
	t, ok := sealedTables[kind]
	if !ok {
		return t, paved.Errorf(paved.EINVALID, "no sealed values of kind %q (kinds: %v)", kind, paved.SealedKinds)
	}
	return t, nil
}

// KeyArgs returns a key's values as query arguments, the integer one as an
// integer; a key of the wrong length is an error.
func (t SealedTable) KeyArgs(key []string) ([]any, error) {
	if len(key) != len(t.Keys) {
		return nil, paved.Errorf(paved.EINVALID, "%s: a key has %d values (%v), not %d", t.Table, len(t.Keys), t.Keys, len(key))
	}
	args := make([]any, len(key))
	for i, k := range key {
		args[i] = k
		if i == t.IntKey {
			n, err := strconv.Atoi(k)
			if err != nil {
				return nil, paved.Errorf(paved.EINVALID, "%s: %s must be an integer, not %q", t.Table, t.Keys[i], k)
			}
			args[i] = n
		}
	}
	return args, nil
}

// Row returns the domain row of scanned values.
func (t SealedTable) Row(kind paved.SealedKind, key []any, data []byte) paved.SealedRow {
	r := paved.SealedRow{Kind: kind, Data: data}
	for _, k := range key {
		r.Key = append(r.Key, fmt.Sprint(k))
	}
	return r
}
