package manifest

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"paved.dev/paved"
)

// AppendYAML appends v as a YAML document body (no "---") to dst. v is a tree
// of maps, slices, strings, numbers, booleans and nils, as decoded from JSON.
func AppendYAML(dst []byte, v any) ([]byte, error) {
	e := encoder{buf: dst}
	if err := e.value(v, 0, true); err != nil {
		return dst, err
	}
	return e.buf, nil
}

// Marshal returns v as YAML.
func Marshal(v any) ([]byte, error) { return AppendYAML(nil, v) }

// MarshalDocuments returns objects as one multi-document YAML stream.
func MarshalDocuments(objs []paved.Object) ([]byte, error) {
	var dst []byte
	var err error
	for i, o := range objs {
		if i > 0 {
			dst = append(dst, "---\n"...)
		}
		if dst, err = AppendYAML(dst, map[string]any(o)); err != nil {
			return nil, fmt.Errorf("%s: %w", o.Ref(), err)
		}
	}
	return dst, nil
}

// maxKeyLen keeps keys, as written (quoted and escaped), within YAML's
// 1,024-character limit for implicit keys; Kubernetes keys are at most 253
// characters anyway.
const maxKeyLen = 1000

type encoder struct{ buf []byte }

func (e *encoder) indent(n int) {
	for range n {
		e.buf = append(e.buf, ' ')
	}
}

// value writes v. For maps and lists, inline means the cursor already stands
// where the first entry goes (after "- " or at the start of the document).
func (e *encoder) value(v any, indent int, inline bool) error {
	switch t := v.(type) {
	case paved.Object:
		return e.mapping(t, indent, inline)
	case map[string]any:
		return e.mapping(t, indent, inline)
	case map[string]string:
		m := make(map[string]any, len(t))
		for k, s := range t {
			m[k] = s
		}
		return e.mapping(m, indent, inline)
	case []any:
		return e.sequence(len(t), func(i int) any { return t[i] }, indent, inline)
	case []string:
		return e.sequence(len(t), func(i int) any { return t[i] }, indent, inline)
	case []map[string]any:
		return e.sequence(len(t), func(i int) any { return t[i] }, indent, inline)
	default:
		if !inline {
			e.buf = append(e.buf, ' ')
		}
		if err := e.scalar(v, indent); err != nil {
			return err
		}
		e.buf = append(e.buf, '\n')
		return nil
	}
}

func (e *encoder) mapping(m map[string]any, indent int, inline bool) error {
	if len(m) == 0 {
		if !inline {
			e.buf = append(e.buf, ' ')
		}
		e.buf = append(e.buf, "{}\n"...)
		return nil
	}
	if !inline {
		e.buf = append(e.buf, '\n')
	}
	keys := sortedKeys(m)
	for i, k := range keys {
		if i > 0 || !inline {
			e.indent(indent)
		}
		// Measured as written: escapes make a key longer (one control
		// character is six: \u000e), and the limit is a reader's.
		at := len(e.buf)
		e.string(k, indent, true)
		if n := len(e.buf) - at; n > maxKeyLen {
			return fmt.Errorf("key %.20q...: %d bytes as written; keys longer than %d bytes cannot be written as YAML implicit keys", k, n, maxKeyLen)
		}
		e.buf = append(e.buf, ':')
		if err := e.child(m[k], indent); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// child writes the value of a mapping entry: lists at the same indentation as
// their key (the kubectl style), maps one level deeper.
func (e *encoder) child(v any, indent int) error {
	switch t := v.(type) {
	case []any, []string, []map[string]any:
		if seqLen(t) == 0 {
			e.buf = append(e.buf, " []\n"...)
			return nil
		}
		e.buf = append(e.buf, '\n')
		return e.value(v, indent, false)
	case map[string]any, map[string]string, paved.Object:
		return e.value(v, indent+2, false)
	default:
		return e.value(v, indent, false)
	}
}

func seqLen(v any) int {
	switch t := v.(type) {
	case []any:
		return len(t)
	case []string:
		return len(t)
	case []map[string]any:
		return len(t)
	}
	return 0
}

func (e *encoder) sequence(n int, at func(int) any, indent int, inline bool) error {
	if n == 0 {
		if !inline {
			e.buf = append(e.buf, ' ')
		}
		e.buf = append(e.buf, "[]\n"...)
		return nil
	}
	for i := range n {
		if i > 0 || !inline {
			e.indent(indent)
		}
		e.buf = append(e.buf, "- "...)
		item := at(i)
		var err error
		switch t := item.(type) {
		case []any, []string, []map[string]any:
			if seqLen(t) == 0 {
				e.buf = append(e.buf, "[]\n"...)
				continue
			}
			err = e.value(item, indent+2, true)
		case map[string]any, map[string]string, paved.Object:
			err = e.value(item, indent+2, true)
		default:
			err = e.scalar(item, indent+2)
			e.buf = append(e.buf, '\n')
		}
		if err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	return nil
}

func (e *encoder) scalar(v any, indent int) error {
	switch t := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		e.string(t, indent, false)
	case bool:
		e.buf = strconv.AppendBool(e.buf, t)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(t), 10)
	case int32:
		e.buf = strconv.AppendInt(e.buf, int64(t), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, t, 10)
	case uint64:
		e.buf = strconv.AppendUint(e.buf, t, 10)
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return fmt.Errorf("cannot write %v: Kubernetes objects hold finite numbers only", t)
		}
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			e.buf = strconv.AppendInt(e.buf, int64(t), 10)
		} else {
			e.buf = strconv.AppendFloat(e.buf, t, 'g', -1, 64)
		}
	case json.Number:
		// A number no 64-bit float holds is read back differently by
		// YAML readers (yaml.v3 makes it a string): refuse it, as
		// Kubernetes (which holds int64 and float64) would.
		if f, err := strconv.ParseFloat(string(t), 64); err != nil || math.IsInf(f, 0) {
			return fmt.Errorf("cannot write %.40s...: beyond what a 64-bit number holds, and Kubernetes objects hold no more", string(t))
		}
		e.buf = append(e.buf, t...)
	default:
		return fmt.Errorf("cannot write a value of type %T", v)
	}
	return nil
}

func (e *encoder) string(s string, indent int, key bool) {
	switch {
	case plainSafe(s):
		e.buf = append(e.buf, s...)
	case !key && literalSafe(s):
		e.literal(s, indent)
	default:
		e.quoted(s)
	}
}

// literal writes a multi-line string as a block scalar: file contents stay
// readable in a ConfigMap.
func (e *encoder) literal(s string, indent int) {
	e.buf = append(e.buf, '|')
	body := s
	switch {
	case !strings.HasSuffix(s, "\n"):
		e.buf = append(e.buf, '-')
	case strings.HasSuffix(s, "\n\n"):
		e.buf = append(e.buf, '+')
		body = s[:len(s)-1]
	default:
		body = s[:len(s)-1]
	}
	for line := range strings.SplitSeq(body, "\n") {
		e.buf = append(e.buf, '\n')
		if line != "" {
			e.indent(indent + 2)
			e.buf = append(e.buf, line...)
		}
	}
}

func literalSafe(s string) bool {
	if !strings.Contains(s, "\n") || len(s) == 0 || s[0] == ' ' || s[0] == '\n' || s[0] == '\t' {
		return false
	}
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if !printable(r) {
			return false
		}
	}
	// A line of only spaces after the first would be taken as indentation.
	for line := range strings.SplitSeq(s, "\n") {
		if line != "" && strings.TrimLeft(line, " ") == "" {
			return false
		}
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			return false
		}
	}
	return true
}

func printable(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029, r == 0xfeff:
		return false
	}
	return true
}

const hexDigits = "0123456789abcdef"

// quoted writes a double-quoted scalar; JSON escapes are a subset of YAML's.
func (e *encoder) quoted(s string) {
	e.buf = append(e.buf, '"')
	for _, r := range s {
		switch r {
		case '"':
			e.buf = append(e.buf, '\\', '"')
		case '\\':
			e.buf = append(e.buf, '\\', '\\')
		case '\n':
			e.buf = append(e.buf, '\\', 'n')
		case '\t':
			e.buf = append(e.buf, '\\', 't')
		case '\r':
			e.buf = append(e.buf, '\\', 'r')
		default:
			if printable(r) {
				e.buf = utf8.AppendRune(e.buf, r)
			} else if r == utf8.RuneError {
				e.buf = append(e.buf, `\ufffd`...)
			} else {
				e.buf = append(e.buf, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
			}
		}
	}
	e.buf = append(e.buf, '"')
}

// plainSafe reports whether s can be written unquoted and read back as the
// same string by YAML 1.1 and 1.2 readers alike.
func plainSafe(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	switch s[0] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
		' ', '.', '+', '~', '<', '=':
		return false
	}
	if s[0] >= '0' && s[0] <= '9' {
		return false
	}
	last := s[len(s)-1]
	if last == ' ' || last == ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
		switch c {
		case '#':
			if s[i-1] == ' ' {
				return false
			}
		case ':':
			if s[i+1] == ' ' {
				return false
			}
		case ',', '[', ']', '{', '}':
			// Plain in block context, but flow readers and humans trip on them.
			return false
		}
	}
	return !reserved(s)
}

func reserved(s string) bool {
	if len(s) > 5 {
		return false
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return true
	}
	return false
}

// keyRank puts the identifying keys of an object first, as kubectl does.
func keyRank(k string) int {
	switch k {
	case "apiVersion":
		return 0
	case "kind":
		return 1
	case "metadata":
		return 2
	case "name":
		return 3
	case "namespace":
		return 4
	}
	return 5
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := keyRank(a), keyRank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return keys
}
