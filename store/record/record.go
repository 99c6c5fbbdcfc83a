// Package record prepares and encodes paved's domain records for SQL stores:
// what every store does to a record before it binds it and after it scans it,
// whatever the SQL dialect — required fields, the IDs, defaults and time
// stamps the store assigns, the JSON of JSON columns and the wording of
// conflicts and misses, and the column lists every dialect selects alike.
// The SQL itself stays in each store.
package record

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"paved.dev/paved"
)

// Required returns EINVALID naming the first empty field; fields are pairs
// of name and value.
func Required(what string, fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == "" {
			return paved.Errorf(paved.EINVALID, "%s: %s is required", what, fields[i])
		}
	}
	return nil
}

// NewID returns a random identifier for rows whose caller named none.
func NewID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Now is the stores' clock, at the precision they keep.
func Now() time.Time { return Time(time.Now()) }

// Time is t as the stores keep it: UTC, cut to the microsecond. PostgreSQL
// keeps microseconds but would round; cutting gives the caller the value a
// read returns, and the same one from every store.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Stamp sets *t to now when it is zero and to what the store keeps
// otherwise.
func Stamp(t *time.Time) {
	if t.IsZero() {
		*t = Now()
		return
	}
	*t = Time(*t)
}

// StampPtr is Time for an optional time.
func StampPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := Time(*t)
	return &u
}

// Encode returns v as JSON for a JSON column.
func Encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", paved.Errorf(paved.EINVALID, "cannot encode as JSON: %v", err)
	}
	return string(b), nil
}

// JSON is a JSON column as a driver scans it: text or bytes.
type JSON interface{ string | []byte }

// Decode decodes a JSON column into v, leaving v alone when the column is
// empty or null; what names the column in the error.
func Decode[T JSON](data T, v any, what string) error {
	if len(data) == 0 || string(data) == "null" {
		return nil
	}
	if err := json.Unmarshal([]byte(data), v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}

// DefaultLimit bounds lists whose caller asked for no limit.
const DefaultLimit = 100

// DeploymentLimit is the limit of a list of deployments whose caller asked
// for n: DefaultLimit for 0, -1 (none) for any negative n.
func DeploymentLimit(n int) int {
	switch {
	case n == 0:
		return DefaultLimit
	case n < 0:
		return -1
	}
	return n
}
