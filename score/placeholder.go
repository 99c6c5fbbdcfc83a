package score

import (
	"fmt"
	"strings"
)

// Expand replaces the Score placeholders in s: "${a.b}" by resolve([a b]),
// "$$" by "$". Parts are split on "." except where escaped as "\.".
// It scans by hand: a regular expression costs several times more, and
// rendering expands every variable of every workload.
func Expand(s string, resolve func(parts []string) (string, error)) (string, error) {
	i := strings.IndexByte(s, '$')
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "$${"):
			// An escaped placeholder stays literal, without one "$".
			end := strings.IndexByte(s, '}')
			if end < 0 {
				b.WriteString(s[1:])
				return b.String(), nil
			}
			b.WriteString(s[1 : end+1])
			s = s[end+1:]
		case strings.HasPrefix(s, "$$"):
			b.WriteByte('$')
			s = s[2:]
		case strings.HasPrefix(s, "${"):
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return "", fmt.Errorf("placeholder %q is not closed with \"}\"", s)
			}
			v, err := resolve(SplitRef(s[2:end]))
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			s = s[end+1:]
		default:
			b.WriteByte('$')
			s = s[1:]
		}
		i = strings.IndexByte(s, '$')
	}
	b.WriteString(s)
	return b.String(), nil
}

// Refs lists the placeholders of s, each split into parts.
func Refs(s string) ([][]string, error) {
	var refs [][]string
	_, err := Expand(s, func(parts []string) (string, error) {
		refs = append(refs, parts)
		return "", nil
	})
	return refs, err
}

// SplitRef splits a placeholder's inside on ".", keeping "\." as a dot.
func SplitRef(ref string) []string {
	if !strings.Contains(ref, `\.`) {
		return strings.Split(ref, ".")
	}
	parts := strings.Split(strings.ReplaceAll(ref, `\.`, "\x00"), ".")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, "\x00", ".")
	}
	return parts
}

// JoinRef is the inverse of SplitRef, for messages.
func JoinRef(parts []string) string {
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = strings.ReplaceAll(p, ".", `\.`)
	}
	return "${" + strings.Join(esc, ".") + "}"
}
