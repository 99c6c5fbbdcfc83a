package inputs

import (
	"strings"
)

// String reads a string input; secrets such as passwords too, as no message
// holds the value. A required one that is missing, null or blank is a
// problem whose message ends "set it to " and the hint. It returns "" when
// the input is missing or not a string.
func (r *Reader) String(name string, required bool, hint string) string {
	v, _ := r.Value(name)
	if v == nil {
		if required {
			r.Problemf("%s is required: set it to %s", name, hint)
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.Problemf("%s must be a string, not %s", name, typeName(v))
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		r.Problemf("%s must not be empty: set it to %s", name, hint)
	}
	return s
}

// StringList reads an optional list of strings, keeping the strings of a list
// that holds something else too.
func (r *Reader) StringList(name string) []string {
	v, _ := r.Value(name)
	switch l := v.(type) {
	case nil:
		return nil
	case []any:
		var out []string
		for i, e := range l {
			s, ok := e.(string)
			if !ok {
				r.Problemf("%s[%d] must be a string", name, i)
				continue
			}
			out = append(out, s)
		}
		return out
	default:
		r.Problemf("%s must be a list of strings", name)
		return nil
	}
}
