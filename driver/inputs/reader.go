package inputs

import (
	"fmt"
	"slices"
	"strings"

	"paved.dev/paved"
)

// Reader reads one definition's driver_inputs. Each read names an input and
// records it as known; Err then reports the problems found. Apart from the
// duration reader's, which quotes the text it cannot read, no message holds a
// value, so that a secret given in the wrong place does not leak.
type Reader struct {
	driver   string
	m        map[string]any
	known    []string
	problems []string
}

// NewReader returns a Reader of m for the named driver, whose name starts
// the error.
func NewReader(driver string, m map[string]any) *Reader {
	return &Reader{driver: driver, m: m}
}

// Value records name as known and returns its value, and whether it is given
// at all; an input set to null is given, with the value nil.
func (r *Reader) Value(name string) (any, bool) {
	r.known = append(r.known, name)
	v, ok := r.m[name]
	return v, ok
}

// Problemf records a problem that the driver found itself.
func (r *Reader) Problemf(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// Err reports the problems found and any input that no reader asked for,
// as one paved.EINVALID error; nil when there are none.
func (r *Reader) Err() error {
	var unknown []string
	for k := range r.m {
		if !slices.Contains(r.known, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		r.Problemf("unknown input %q: the inputs are %s", k, strings.Join(r.known, ", "))
	}
	if len(r.problems) == 0 {
		return nil
	}
	return paved.Errorf(paved.EINVALID, "%s driver_inputs: %s", r.driver, strings.Join(r.problems, "; "))
}

// typeName says what kind of value v is, for a message, without the value.
func typeName(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case int, int64, uint64, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	default:
		return fmt.Sprintf("%T", v)
	}
}
