package template

import (
	"strconv"

	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"paved.dev/paved"
)

// funcs are the functions templates may call besides text/template's own.
func funcs() template.FuncMap {
	return template.FuncMap{
		"default": func(def, v any) any {
			if empty(v) {
				return def
			}
			return v
		},
		"required": func(msg string, v any) (any, error) {
			if empty(v) {
				return nil, fmt.Errorf("%s", msg)
			}
			return v, nil
		},
		"get": func(m map[string]any, key string, def any) any {
			if v, ok := m[key]; ok && v != nil {
				return v
			}
			return def
		},
		"hasKey": func(m map[string]any, key string) bool { _, ok := m[key]; return ok },
		// quote writes a string as a JSON string, which YAML reads as the same
		// string whatever it holds.
		"quote":       func(v any) string { b, _ := json.Marshal(fmt.Sprint(v)); return string(b) },
		"toJson":      func(v any) (string, error) { b, err := json.Marshal(v); return string(b), err },
		"b64enc":      func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"lower":       strings.ToLower,
		"upper":       strings.ToUpper,
		"replace":     func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"trimSuffix":  func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"join":        func(sep string, items []any) string { return joinAny(sep, items) },
		"shortHash":   func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:4]) },
		"dnsLabel":    paved.DNSLabel,
		"servicePort": servicePort,
		"splitGateway": func(s string) []string {
			name, ns, _ := strings.Cut(s, "/")
			return []string{name, ns}
		},
		"list": func(items ...any) []any { return items },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict needs key/value pairs")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m, nil
		},
	}
}

func empty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case int:
		return t == 0
	case bool:
		return !t
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

func joinAny(sep string, items []any) string {
	s := make([]string, len(items))
	for i, v := range items {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, sep)
}

// servicePort finds a port of a workload's service by number or name and
// returns its number.
func servicePort(w paved.WorkloadInfo, port any) (int, error) {
	if len(w.Ports) == 0 {
		return 0, fmt.Errorf("workload %s has no service ports; declare service.ports in its Score file", w.Name)
	}
	want := fmt.Sprint(port)
	var have []string
	for _, p := range w.Ports {
		if strconv.Itoa(p.Port) == want || p.Name == want {
			return p.Port, nil
		}
		have = append(have, fmt.Sprintf("%s (%d)", p.Name, p.Port))
	}
	return 0, fmt.Errorf("workload %s has no service port %s; its ports are %s", w.Name, want, strings.Join(have, ", "))
}
