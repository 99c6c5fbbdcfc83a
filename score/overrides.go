package score

import (
	"fmt"
	"strings"

	"paved.dev/paved"

	"github.com/score-spec/score-go/framework"
	"gopkg.in/yaml.v3"
)

// apply changes a raw spec as the options say.
func (o Options) apply(raw map[string]any) (map[string]any, error) {
	var err error
	for i, m := range o.OverrideFiles {
		if o.Several {
			m = onlyNamed(m, raw)
		}
		if raw, err = framework.OverrideMapInMap(raw, m); err != nil {
			return nil, fmt.Errorf("override file %d: %w", i+1, err)
		}
	}
	for _, p := range o.Overrides {
		if o.Several {
			path, _, _ := strings.Cut(p, "=")
			if parts := framework.ParseDotPathParts(path); len(parts) >= 2 && NamedSection(parts[0]) && !has(raw, parts[0], parts[1]) {
				continue
			}
		}
		if raw, err = applyOverride(raw, p); err != nil {
			return nil, err
		}
	}
	containers, _ := raw["containers"].(map[string]any)
	for name, c := range containers {
		c, ok := c.(map[string]any)
		if !ok {
			continue // the schema names what is wrong
		}
		if img, ok := o.Images[name]; ok {
			c["image"] = img
		} else if o.Image != "" && c["image"] == "." {
			c["image"] = o.Image
		}
	}
	return raw, nil
}

// NamedSection reports whether a top-level key of a spec holds entries by
// name that overrides of several files only change where they exist.
func NamedSection(key string) bool { return key == "containers" || key == "resources" }

func has(raw map[string]any, section, name string) bool {
	m, _ := raw[section].(map[string]any)
	_, ok := m[name]
	return ok
}

// onlyNamed drops, from an override map, the containers and resources that
// raw does not have.
func onlyNamed(m, raw map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		sub, ok := v.(map[string]any)
		if !NamedSection(k) || !ok {
			out[k] = v
			continue
		}
		kept := map[string]any{}
		for name, x := range sub {
			if has(raw, k, name) {
				kept[name] = x
			}
		}
		if len(kept) > 0 {
			out[k] = kept
		}
	}
	return out
}

// Rewrite returns a Score file with the options applied, for a server that
// is to receive the spec as it will run: the YAML is written again (keys
// sorted, comments dropped) only when the options change something, and
// the result is checked as Load checks it (side files relative to baseDir).
func (l *Loader) Rewrite(name string, data []byte, baseDir string, opts Options) ([]byte, error) {
	if !opts.changes() {
		return data, nil
	}
	if len(data) > MaxFileSize {
		return nil, paved.Errorf(paved.EINVALID, "%s: the file is larger than %d bytes (1 MiB)", name, MaxFileSize)
	}
	raw, err := decodeYAML(data)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %s", name, err)
	}
	if raw, err = opts.apply(raw); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %s", name, err)
	}
	out, err := yaml.Marshal(raw)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: writing the spec with its overrides: %s", name, err)
	}
	if _, err := l.Load(name, out, baseDir, Options{}); err != nil {
		return nil, err
	}
	return out, nil
}

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
