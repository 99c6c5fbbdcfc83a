// Package score loads Score v1b1 workload specs: size limits, YAML decoding,
// the upgrade transforms for deprecated forms, property overrides, JSON schema
// validation (compiled once), side files, and checks of placeholders and
// container ordering. Every error names the file and the spec path.
package score
