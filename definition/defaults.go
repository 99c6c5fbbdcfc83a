package definition

import (
	"embed"
	"io/fs"
	"path"
	"slices"

	"paved.dev/paved"
)

//go:embed defaults/*.yaml
var defaultsFS embed.FS

// Defaults returns the built-in definitions: every resource type score-k8s
// ships, provided inside the environment's namespace for non-production use,
// plus environment values. Each call parses a fresh copy.
func Defaults() ([]paved.ResourceDefinition, error) {
	names, err := fs.Glob(defaultsFS, "defaults/*.yaml")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var defs []paved.ResourceDefinition
	for _, n := range names {
		data, err := defaultsFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		d, err := Parse("builtin "+path.Base(n), data)
		if err != nil {
			return nil, err
		}
		defs = append(defs, d...)
	}
	return defs, nil
}
