package score

import (
	"fmt"
	"strings"

	"github.com/score-spec/score-go/framework"
	"gopkg.in/yaml.v3"
)

// applyOverride applies one "path=value" property override to a raw spec.
// An empty value deletes the property.
func applyOverride(raw map[string]any, o string) (map[string]any, error) {
	path, value, ok := strings.Cut(o, "=")
	if !ok || path == "" {
		return nil, fmt.Errorf("override %q: write it as path=value, for example containers.main.image=nginx:1.27", o)
	}
	parts := framework.ParseDotPathParts(path)
	if value == "" {
		out, err := framework.OverridePathInMap(raw, parts, true, nil)
		if err != nil {
			return nil, fmt.Errorf("override %q: %w", o, err)
		}
		return out, nil
	}
	var v any
	if err := yaml.Unmarshal([]byte(value), &v); err != nil {
		return nil, fmt.Errorf("override %q: the value is not valid YAML: %w", o, err)
	}
	out, err := framework.OverridePathInMap(raw, parts, false, v)
	if err != nil {
		return nil, fmt.Errorf("override %q: %w", o, err)
	}
	return out, nil
}
