package scorek8s

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/tidwall/sjson"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

// PatchTemplate is one of score-k8s' --patch-templates: a template that
// sees the rendered manifests (.Manifests), the workloads' Score specs
// (.Workloads, by name) and the namespace (.Namespace), and produces a YAML
// list of patch operations, each {op: set|delete, path, value,
// description}, applied in order to the list of manifests as JSON; a path
// is a tidwall/sjson path as in score-k8s ("0.spec.replicas", "-1" to
// append).
type PatchTemplate struct {
	// Source names it in errors: its file.
	Source string
	tmpl   *template.Template
}

// patchOp is one operation, as score-k8s' patching.PatchOperation.
type patchOp struct {
	Op          string `yaml:"op"`
	Path        string `yaml:"path"`
	Value       any    `yaml:"value,omitempty"`
	Description string `yaml:"description,omitempty"`
}

// PatchInput is what a patch template sees.
type PatchInput struct {
	Manifests []map[string]any
	Workloads map[string]any
	Namespace string
}

// MaxPatchOutput bounds what a patch template may produce, and the patched
// manifests.
const MaxPatchOutput = 8 << 20

// ParsePatchTemplate parses a patch template; source names it in errors.
// substituteValue (score-k8s' function that resolves a workload's
// placeholders in a value) is given by the caller at apply time.
func ParsePatchTemplate(source, text string) (*PatchTemplate, error) {
	if len(text) > MaxFileSize {
		return nil, paved.Errorf(paved.EINVALID, "patch template %s: larger than %d bytes (1 MiB)", source, MaxFileSize)
	}
	f := Funcs()
	f["substituteValue"] = func(string, string) (string, error) {
		return "", fmt.Errorf("substituteValue: no workloads in this context")
	}
	t, err := template.New(filepath.Base(source)).Funcs(f).Parse(text)
	if err == nil {
		err = CheckCalls(t, f)
	}
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "patch template %s: %v", source, err)
	}
	return &PatchTemplate{Source: source, tmpl: t}, nil
}

// ReadPatchTemplates reads a patch template file, or every *.tpl file of a
// directory in name order (score-k8s applies its --patch-templates in the
// order given); other files there (a README) are left alone.
func ReadPatchTemplates(path string) ([]*PatchTemplate, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "patch templates %s: %v", path, err)
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "patch templates directory %s: %v", path, err)
		}
		files = files[:0]
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".tpl") && !strings.HasPrefix(e.Name(), ".") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		slices.Sort(files)
		if len(files) == 0 {
			return nil, paved.Errorf(paved.EINVALID, "patch templates directory %s: no *.tpl file in it", path)
		}
	}
	var out []*PatchTemplate
	for _, f := range files {
		data, err := ReadLimited(f)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "patch template %s: %v", f, err)
		}
		p, err := ParsePatchTemplate(f, string(data))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Apply runs the template over in and applies the operations it produced.
// substitute resolves a workload's placeholders in a value (score-k8s'
// substituteValue). Nothing is changed on an error: the result is a new
// list, and in.Manifests is left as it was.
func (p *PatchTemplate) Apply(in PatchInput, substitute func(workload, value string) (string, error)) ([]map[string]any, error) {
	t, err := p.tmpl.Clone()
	if err != nil {
		return nil, paved.Errorf(paved.EINTERNAL, "patch template %s: %v", p.Source, err)
	}
	t.Funcs(template.FuncMap{"substituteValue": substitute})
	var buf bytes.Buffer
	if err := t.Execute(&limitedBuffer{buf: &buf, n: MaxPatchOutput}, in); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "patch template %s: %v", p.Source, err)
	}
	text := strings.TrimSpace(buf.String())
	if text == "" {
		return in.Manifests, nil
	}
	var ops []patchOp
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&ops); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "patch template %s: its output is not a YAML list of patch operations (op, path, value, description): %s", p.Source, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	doc, err := json.Marshal(in.Manifests)
	if err != nil {
		return nil, paved.Errorf(paved.EINTERNAL, "patch template %s: the manifests cannot be written as JSON: %v", p.Source, err)
	}
	for i, op := range ops {
		switch op.Op {
		case "set":
			doc, err = sjson.SetBytes(doc, op.Path, jsonable(op.Value))
		case "delete":
			doc, err = sjson.DeleteBytes(doc, op.Path)
		default:
			err = fmt.Errorf("op %q is not set or delete", op.Op)
		}
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "patch template %s: operation %d (%s %s): %v", p.Source, i+1, op.Op, op.Path, err)
		}
		if len(doc) > MaxPatchOutput {
			return nil, paved.Errorf(paved.EINVALID, "patch template %s: operation %d makes the manifests larger than %d bytes", p.Source, i+1, MaxPatchOutput)
		}
	}
	var out []map[string]any
	if err := json.Unmarshal(doc, &out); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "patch template %s: the patched manifests are not a JSON list of objects: %v", p.Source, err)
	}
	for i, m := range out {
		if m == nil {
			return nil, paved.Errorf(paved.EINVALID, "patch template %s: manifest %d is null after patching; delete it with op: delete instead", p.Source, i)
		}
		if err := checkObject(m); err != nil {
			return nil, paved.Errorf(paved.EINVALID, "patch template %s: manifest %d after patching: %v", p.Source, i, err)
		}
	}
	return out, nil
}

// checkObject checks what every Kubernetes object needs: apiVersion, kind,
// a metadata mapping with a name.
func checkObject(m map[string]any) error {
	if k, _ := m["kind"].(string); k == "" {
		return fmt.Errorf("no kind; each manifest must be a Kubernetes object")
	}
	if v, _ := m["apiVersion"].(string); v == "" {
		return fmt.Errorf("%s has no apiVersion", m["kind"])
	}
	md, ok := m["metadata"].(map[string]any)
	if !ok {
		return fmt.Errorf("%s has no metadata mapping", m["kind"])
	}
	if n, _ := md["name"].(string); n == "" {
		return fmt.Errorf("%s has no metadata.name", m["kind"])
	}
	return nil
}

// jsonable turns what YAML decoded (maps with any keys) into what JSON
// encodes.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = jsonable(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = jsonable(e)
		}
		return out
	}
	return v
}

type limitedBuffer struct {
	buf *bytes.Buffer
	n   int
}

func (w *limitedBuffer) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.n {
		return 0, fmt.Errorf("the template produced more than %d bytes", w.n)
	}
	return w.buf.Write(p)
}
