package paved

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Template is a golden path: a versioned folder of files that scaffolds a
// new service (paved new) and brings it to a newer version later (paved
// upgrade). Its parameters are a JSON Schema; files whose names end in
// .tmpl are Go templates (the template driver's functions), the others are copied as
// they are. Stored templates keep every version; built-ins come with paved.
type Template struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
	Owner       string `json:"owner,omitempty"`
	// Parameters is a JSON Schema of type object: what paved new asks
	// for (types, defaults, enums, patterns), as Backstage templates
	// describe theirs.
	Parameters json.RawMessage `json:"parameters,omitempty"`
	// Files are the template's files by path, sorted.
	Files []TemplateFile `json:"files,omitempty"`
	// Digest is the SHA-256 of the template's content (TemplateDigest):
	// the same version applied twice must have the same digest.
	Digest    string    `json:"digest,omitempty"`
	BuiltIn   bool      `json:"builtin,omitempty"`
	AppliedBy string    `json:"applied_by,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// TemplateFile is one file of a template, or of its rendering.
type TemplateFile struct {
	// Path is slash-separated and relative ("cmd/server/main.go.tmpl").
	Path       string `json:"path"`
	Content    string `json:"content"`
	Executable bool   `json:"executable,omitempty"`
}

// TemplateDigest is the SHA-256 of what makes a template's version: its
// fields and files, not who applied it or when.
func TemplateDigest(t *Template) string {
	h := sha256.New()
	for _, s := range []string{t.Name, t.Version, t.Description, t.Owner, string(t.Parameters)} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	for _, f := range t.Files {
		fmt.Fprintf(h, "%d:%s%d:%s%t", len(f.Path), f.Path, len(f.Content), f.Content, f.Executable)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// FileDigest is the SHA-256 of a rendered file's content, as a
// scaffolded repository records it.
func FileDigest(content []byte) string {
	s := sha256.Sum256(content)
	return "sha256:" + hex.EncodeToString(s[:])
}

// CanonicalJSON is raw with its object keys sorted and no white space,
// numbers kept as written: the form a template's parameters are stored,
// digested and compared in, whichever store keeps them.
func CanonicalJSON(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

var versionPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$`)

// ValidateVersion checks a template version: MAJOR.MINOR.PATCH.
func ValidateVersion(field, v string) error {
	if !versionPattern.MatchString(v) {
		return Errorf(EINVALID, "%s: %q is not a version; give MAJOR.MINOR.PATCH such as 1.2.0", field, v)
	}
	return nil
}

// CompareVersions orders two valid versions: -1, 0 or 1.
func CompareVersions(a, b string) int {
	pa, pb := versionPattern.FindStringSubmatch(a), versionPattern.FindStringSubmatch(b)
	for i := 1; i <= 3 && pa != nil && pb != nil; i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}

// RenderRequest asks for a template's rendering with parameters.
type RenderRequest struct {
	Template string `json:"template"`
	// Version is the template's version; "" for the latest.
	Version string `json:"version,omitempty"`
	// Name and Team are the new service's app and its team.
	Name   string         `json:"name"`
	Team   string         `json:"team"`
	Params map[string]any `json:"params,omitempty"`
}

// Rendering is a template rendered with parameters: the files of a new
// repository (without its .paved/template.yaml record).
type Rendering struct {
	Template string `json:"template"`
	Version  string `json:"version"`
	Name     string `json:"name"`
	Team     string `json:"team"`
	// Params are the parameters with the schema's defaults filled in.
	Params map[string]any `json:"params"`
	// Given names the parameters the request gave, sorted; the others
	// are the schema's defaults (an upgrade gives the new version's
	// defaults to those).
	Given []string       `json:"given"`
	Files []TemplateFile `json:"files"`
}

// TemplateService manages golden-path templates and renders them.
type TemplateService interface {
	// ApplyTemplate stores a new version of a template (admins). Applying
	// a version again with the same content changes nothing; with other
	// content, or a version not newer than the latest, it is refused.
	ApplyTemplate(ctx context.Context, t *Template) (*Template, error)
	// ListTemplates lists the latest version of every template, stored
	// or built in, by name, without files.
	ListTemplates(ctx context.Context) ([]Template, error)
	// TemplateHistory lists every version of a template, oldest first,
	// without files.
	TemplateHistory(ctx context.Context, name string) ([]Template, error)
	// GetTemplate returns a version of a template ("" for the latest).
	GetTemplate(ctx context.Context, name, version string) (*Template, error)
	// RenderTemplate validates the parameters against the template's
	// schema and renders it. Nothing is recorded.
	RenderTemplate(ctx context.Context, req *RenderRequest) (*Rendering, error)
}

// TemplateStore persists templates, every version.
type TemplateStore interface {
	// PutTemplate stores a version of a template. A version already
	// stored with the same digest is left as it is (stored false); with
	// another digest it is ECONFLICT.
	PutTemplate(ctx context.Context, t *Template) (stored bool, err error)
	// GetTemplate returns one version; ENOTFOUND when there is none.
	GetTemplate(ctx context.Context, name, version string) (*Template, error)
	// ListTemplates lists the version of each template stored last, by
	// name.
	ListTemplates(ctx context.Context) ([]Template, error)
	// TemplateHistory lists every version of a template in the order they
	// were stored; none (no error) for a name never stored.
	TemplateHistory(ctx context.Context, name string) ([]Template, error)
}
