package score

import "path/filepath"

// SpecKey is the name a deployment keeps a Score file under: its workload's,
// "<metadata.name>.score.yaml", so that the layout of one score.yaml per
// service folder (every multi-service Score sample's) deploys as it renders,
// and the snapshot, the plan and the portal name each file by its workload.
// A file whose workload name cannot be read keeps its base name, and the
// loader says what is wrong with it.
func SpecKey(path string, data []byte) string {
	if raw, err := decodeYAML(data); err == nil {
		if md, ok := raw["metadata"].(map[string]any); ok {
			if name, ok := md["name"].(string); ok && name != "" && filepath.Base(name) == name && name != "." && name != ".." {
				return name + ".score.yaml"
			}
		}
	}
	return filepath.Base(path)
}
