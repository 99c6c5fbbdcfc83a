package scaffold

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

// RecordPath is where a scaffolded repository records its template.
const RecordPath = ".paved/template.yaml"

// Record is what a scaffolded repository keeps of its template: which one
// and which version rendered it, with which parameters, and the digest of
// each file as rendered (to tell later which the team changed).
type Record struct {
	Template string         `yaml:"template"`
	Version  string         `yaml:"version"`
	Name     string         `yaml:"name"`
	Team     string         `yaml:"team"`
	Params   map[string]any `yaml:"params,omitempty"`
	// Given names the parameters given to paved new (or upgrade); the
	// others took the template's defaults. A record without it (written
	// before paved kept them apart) counts every parameter as given.
	Given []string          `yaml:"given"`
	Files map[string]string `yaml:"files"`
}

// RecordOf is the record of a rendering.
func RecordOf(r *paved.Rendering) *Record {
	rec := &Record{Template: r.Template, Version: r.Version, Name: r.Name, Team: r.Team, Params: r.Params, Given: r.Given, Files: map[string]string{}}
	if rec.Given == nil {
		rec.Given = []string{}
	}
	for _, f := range r.Files {
		rec.Files[f.Path] = paved.FileDigest([]byte(f.Content))
	}
	return rec
}

// Encode is the record as its file holds it (yaml.v3 sorts map keys:
// the same record, the same bytes).
func (r *Record) Encode() []byte {
	var b bytes.Buffer
	b.WriteString("# Written by paved new and paved upgrade: the golden-path template this\n# repository came from. Keep it; paved upgrade reads it.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(r); err != nil {
		panic(fmt.Sprintf("scaffold: a record does not encode: %v", err)) // maps of strings and JSON values always do
	}
	return b.Bytes()
}

// DecodeRecord reads a repository's record, naming what is wrong.
func DecodeRecord(data []byte) (*Record, error) {
	var r Record
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %s", RecordPath, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"template", r.Template}, {"version", r.Version}, {"name", r.Name}, {"team", r.Team}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, paved.Errorf(paved.EINVALID, "%s: %s missing; it is written by paved new, restore it from the repository's history", RecordPath, strings.Join(missing, ", "))
	}
	if err := paved.ValidateVersion(RecordPath+": version", r.Version); err != nil {
		return nil, err
	}
	for p := range r.Files {
		if err := checkPath(p); err != nil {
			return nil, paved.Errorf(paved.EINVALID, "%s: files: %s", RecordPath, paved.ErrorMessage(err))
		}
	}
	return &r, nil
}

// given are the parameters the record says were given, with their
// values: every recorded one when the record does not say.
func (r *Record) given() map[string]any {
	if r.Given == nil {
		return maps.Clone(r.Params)
	}
	out := map[string]any{}
	for _, k := range r.Given {
		if v, ok := r.Params[k]; ok {
			out[k] = v
		}
	}
	return out
}

// paths are the record's files, sorted.
func (r *Record) paths() []string {
	var out []string
	for p := range r.Files {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
