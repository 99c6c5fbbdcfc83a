// Package examples holds the representative app paved's demo deploys: a web
// and an api workload with a database (postgres), a cache (redis) and a
// route, the common stack of an estate.
package examples

import (
	"embed"
	"io/fs"
	"path"
	"slices"
)

//go:embed shop/*.score.yaml
var shop embed.FS

// File is one Score file of an example.
type File struct {
	Name string
	Data []byte
}

// Shop returns the Score files of the representative app, by name.
func Shop() []File {
	names, _ := fs.Glob(shop, "shop/*.score.yaml")
	slices.Sort(names)
	out := make([]File, 0, len(names))
	for _, n := range names {
		data, _ := shop.ReadFile(n)
		out = append(out, File{Name: path.Base(n), Data: data})
	}
	return out
}
