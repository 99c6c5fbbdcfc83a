package scaffold

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"paved.dev/paved"
)

// The built-in golden paths, representative of a common estate: a Go
// HTTP service with PostgreSQL, a Node.js web app with Redis, a Python
// worker reading a queue, a static site behind a route.
//
//go:embed all:builtin
var builtinFS embed.FS

// builtins loads the built-ins once per process: they are part of the
// binary and never change while it runs (loading them costs about 6 ms:
// BenchmarkBuiltins).
var builtins = sync.OnceValues(loadBuiltins)

// Builtins returns the built-in templates, by name. The slice is the
// caller's; the templates' files are shared and must not be changed.
func Builtins() ([]paved.Template, error) {
	ts, err := builtins()
	return slices.Clone(ts), err
}

func loadBuiltins() ([]paved.Template, error) {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		return nil, err
	}
	var out []paved.Template
	for _, e := range entries {
		sub, err := fs.Sub(builtinFS, "builtin/"+e.Name())
		if err != nil {
			return nil, err
		}
		t, err := Load(sub)
		if err != nil {
			return nil, fmt.Errorf("built-in template %s: %w", e.Name(), err)
		}
		if t.Name != e.Name() {
			return nil, fmt.Errorf("built-in template %s is named %s", e.Name(), t.Name)
		}
		t.BuiltIn = true
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b paved.Template) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
