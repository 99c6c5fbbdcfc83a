// Package scaffold is paved's golden-path engine: it loads templates
// (template.yaml and files), validates parameters against their JSON
// Schema, renders files with Go templates and the template driver's function library, writes
// new Git repositories, and upgrades a scaffolded repository to a newer
// version of its template with a three-way merge.
package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

// Limits of a template's folder.
const (
	MaxFiles     = 500
	MaxFileSize  = 1 << 20
	MaxTotalSize = 8 << 20
)

// Manifest is the file that makes a folder a template.
const Manifest = "template.yaml"

// manifest is template.yaml as written.
type manifest struct {
	Name        string    `yaml:"name"`
	Version     string    `yaml:"version"`
	Description string    `yaml:"description"`
	Owner       string    `yaml:"owner"`
	Parameters  yaml.Node `yaml:"parameters"`
	// Executable lists the files written executable (scripts), besides
	// those whose mode says so: file systems without modes (an embedded
	// one, Windows) lose it.
	Executable []string `yaml:"executable"`
}

// LoadDir loads the template in a folder.
func LoadDir(dir string) (*paved.Template, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "-f %s: %s", dir, strings.TrimPrefix(err.Error(), "stat "+dir+": "))
	}
	if !info.IsDir() {
		return nil, paved.Errorf(paved.EINVALID, "-f %s: not a folder; give the template's folder (the one holding %s)", dir, Manifest)
	}
	t, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, paved.Errorf(paved.ErrorCode(err), "%s: %s", dir, paved.ErrorMessage(err))
	}
	return t, nil
}

// Load reads a template from fsys: template.yaml at its root and every
// other regular file as one of its files, hidden ones (.github/,
// .gitlab/, .devcontainer/) included; a .git folder, the template's own
// repository, is left out.
func Load(fsys fs.FS) (*paved.Template, error) {
	raw, err := fs.ReadFile(fsys, Manifest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, paved.Errorf(paved.EINVALID, "no %s: a template is a folder with %s (name, version, description, owner, parameters) and its files", Manifest, Manifest)
	}
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %v", Manifest, err)
	}
	var m manifest
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %s", Manifest, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	t := &paved.Template{Name: m.Name, Version: m.Version, Description: strings.TrimSpace(m.Description), Owner: m.Owner}
	if !m.Parameters.IsZero() {
		var v any
		if err := m.Parameters.Decode(&v); err != nil {
			return nil, paved.Errorf(paved.EINVALID, "%s: parameters: %s", Manifest, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "%s: parameters: not JSON Schema: %s", Manifest, err)
		}
		t.Parameters = b
	}
	total := 0
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return fs.SkipDir // the template's own repository, not its files
			}
			return nil
		}
		if p == Manifest {
			return nil
		}
		if !d.Type().IsRegular() {
			return paved.Errorf(paved.EINVALID, "%s: not a regular file (a link?); a template holds files only", p)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > MaxFileSize {
			return paved.Errorf(paved.EINVALID, "%s: %d bytes; a template's file is at most %d", p, info.Size(), MaxFileSize)
		}
		if total += int(info.Size()); total > MaxTotalSize {
			return paved.Errorf(paved.EINVALID, "the files are larger than %d bytes together", MaxTotalSize)
		}
		if len(t.Files) == MaxFiles {
			return paved.Errorf(paved.EINVALID, "more than %d files", MaxFiles)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		t.Files = append(t.Files, paved.TemplateFile{Path: p, Content: string(data), Executable: info.Mode()&0o111 != 0})
		return nil
	})
	if err != nil {
		if paved.ErrorCode(err) == paved.EINTERNAL {
			return nil, paved.Errorf(paved.EINVALID, "%v", err)
		}
		return nil, err
	}
	for _, x := range m.Executable {
		i := slices.IndexFunc(t.Files, func(f paved.TemplateFile) bool { return f.Path == x })
		if i < 0 {
			return nil, paved.Errorf(paved.EINVALID, "%s: executable: no file %s in the template", Manifest, x)
		}
		t.Files[i].Executable = true
	}
	if err := Check(t); err != nil {
		return nil, err
	}
	return t, nil
}

// Check validates a template as it is applied or loaded, sorts its files,
// puts its parameters in canonical form and sets its digest: its name
// and version, its parameters as a JSON Schema of an object, every file a
// relative path of UTF-8 text, and every .tmpl file a Go template that
// parses.
func Check(t *paved.Template) error {
	if err := paved.ValidateName("name", t.Name); err != nil {
		return err
	}
	if err := paved.ValidateVersion("version", t.Version); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"description", t.Description}, {"owner", t.Owner}} {
		if len(f.v) > 2000 || !utf8.ValidString(f.v) || strings.ContainsRune(f.v, 0) {
			return paved.Errorf(paved.EINVALID, "%s: at most 2000 characters of UTF-8 text", f.name)
		}
	}
	params, err := paved.CanonicalJSON(t.Parameters)
	if err != nil {
		return paved.Errorf(paved.EINVALID, "parameters: not JSON: %s", err)
	}
	t.Parameters = params
	if err := checkDefaults(t); err != nil {
		return err
	}
	if len(t.Files) == 0 {
		return paved.Errorf(paved.EINVALID, "the template has no files besides %s", Manifest)
	}
	if len(t.Files) > MaxFiles {
		return paved.Errorf(paved.EINVALID, "%d files; at most %d", len(t.Files), MaxFiles)
	}
	slices.SortFunc(t.Files, func(a, b paved.TemplateFile) int { return strings.Compare(a.Path, b.Path) })
	total := 0
	for i, f := range t.Files {
		if err := checkPath(f.Path); err != nil {
			return err
		}
		if err := checkPath(outputPath(f.Path)); err != nil {
			return paved.Errorf(paved.EINVALID, "%s: written as %s: %s", f.Path, outputPath(f.Path), paved.ErrorMessage(err))
		}
		if i > 0 && t.Files[i-1].Path == f.Path {
			return paved.Errorf(paved.EINVALID, "%s: listed twice", f.Path)
		}
		if out := outputPath(f.Path); out != f.Path && slices.ContainsFunc(t.Files, func(g paved.TemplateFile) bool { return g.Path == out }) {
			return paved.Errorf(paved.EINVALID, "%s and %s would both write %s; keep one", f.Path, out, out)
		}
		if !utf8.ValidString(f.Content) || strings.ContainsRune(f.Content, 0) {
			return paved.Errorf(paved.EINVALID, "%s: not UTF-8 text; a template's files are text", f.Path)
		}
		if len(f.Content) > MaxFileSize {
			return paved.Errorf(paved.EINVALID, "%s: %d bytes; a template's file is at most %d", f.Path, len(f.Content), MaxFileSize)
		}
		if total += len(f.Content); total > MaxTotalSize {
			return paved.Errorf(paved.EINVALID, "the files are larger than %d bytes together", MaxTotalSize)
		}
		if strings.HasSuffix(f.Path, tmplSuffix) {
			if _, err := parseFile(f, newBudget(defaultLimits())); err != nil {
				return err
			}
		}
	}
	t.Digest = paved.TemplateDigest(t)
	return nil
}

// checkPath refuses a file path that could leave the repository or that
// paved writes itself.
func checkPath(p string) error {
	switch {
	case p == "" || len(p) > 300:
		return paved.Errorf(paved.EINVALID, "file %q: a path is 1 to 300 characters", p)
	case strings.Contains(p, "\\") || strings.ContainsRune(p, 0):
		return paved.Errorf(paved.EINVALID, "file %q: paths are slash-separated", p)
	case path.IsAbs(p) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../"):
		return paved.Errorf(paved.EINVALID, "file %q: give a clean path inside the template", p)
	case p == RecordPath || outputPath(p) == RecordPath:
		return paved.Errorf(paved.EINVALID, "file %q: paved writes %s itself", p, RecordPath)
	case p == ".git" || strings.HasPrefix(p, ".git/"):
		return paved.Errorf(paved.EINVALID, "file %q: a template cannot write into .git", p)
	}
	return nil
}
