// Package template is the driver that provides resources from Go templates:
// a definition's driver inputs hold a "state" template (values to remember,
// such as generated names), an "outputs" template (a YAML mapping) and a
// "manifests" template (a YAML list of Kubernetes objects). The templates see
// the resource (uid, type, class, id, params, metadata), where it goes (app,
// environment, namespace), its earlier state and the deployment's workloads
// with their service ports.
package template

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/template"

	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

// Inputs are the driver inputs the template driver reads.
var Inputs = []string{"state", "outputs", "manifests"}

// MaxOutput bounds what one template may produce.
const MaxOutput = 1 << 20

// Driver renders definitions' templates. Parsed templates are cached by
// their text, so a definition is parsed once however many resources use it.
type Driver struct {
	cache sync.Map // template text → *template.Template
}

var (
	_ paved.Driver         = (*Driver)(nil)
	_ paved.InputValidator = (*Driver)(nil)
)

// New returns a template driver.
func New() *Driver { return &Driver{} }

// ValidateInputs parses every template, so that a broken one is refused when
// the definition is loaded, not on first use.
func (d *Driver) ValidateInputs(in map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(in)) {
		if !slices.Contains(Inputs, k) {
			return fmt.Errorf("%s: unknown input; the template driver takes state, outputs and manifests", k)
		}
		s, ok := in[k].(string)
		if !ok {
			return fmt.Errorf("%s: must be a template string (use a YAML block scalar: %s: |)", k, k)
		}
		if _, err := d.parse(k, s); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

func (d *Driver) parse(name, text string) (*template.Template, error) {
	if t, ok := d.cache.Load(text); ok {
		return t.(*template.Template), nil
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs()).Parse(text)
	if err != nil {
		return nil, err
	}
	d.cache.Store(text, t)
	return t, nil
}

// data is what the templates see.
type data struct {
	UID, Type, Class, ID, Name, SourceWorkload string
	Params, Metadata                           map[string]any
	// State is the earlier state while "state" runs, and the new one after.
	State                        map[string]any
	App, Env, EnvType, Namespace string
	Values                       map[string]string
	Workloads                    map[string]paved.WorkloadInfo
	secret                       func(string, int) string
	// secrets are the values Secret returned, masked in errors.
	secrets []string
}

// Workload returns the named workload of the deployment: {{ $.Workload .SourceWorkload }}.
func (d *data) Workload(name string) (paved.WorkloadInfo, error) {
	w, ok := d.Workloads[name]
	if !ok {
		names := slices.Sorted(maps.Keys(d.Workloads))
		return w, fmt.Errorf("no workload %q in this deployment; workloads are %v", name, names)
	}
	return w, nil
}

// Secret returns a random-looking value of length n that stays the same for
// this resource and name across renders with the same state seed:
// {{ $.Secret "password" 24 }}.
func (d *data) Secret(name string, n int) (string, error) {
	if n < 1 || n > 256 {
		return "", fmt.Errorf("Secret %q: length %d is not within 1..256", name, n)
	}
	if d.secret == nil {
		return "", fmt.Errorf("Secret %q: no secret source in this context", name)
	}
	v := d.secret(name, n)
	d.secrets = append(d.secrets, v)
	return v, nil
}

// mask hides the secrets this run generated, for error messages.
func (d *data) mask(s string) string {
	for _, v := range d.secrets {
		s = strings.ReplaceAll(s, v, "(secret)")
	}
	return s
}

// Provision runs the state, outputs and manifests templates in that order.
func (d *Driver) Provision(_ context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	in := req.Definition.Inputs
	prev := req.State
	if prev == nil {
		prev = map[string]any{}
	}
	dt := &data{
		UID: string(req.UID), Type: req.UID.Type(), Class: req.UID.Class(), ID: req.UID.ID(),
		Name: req.Name, SourceWorkload: req.SourceWorkload,
		Params: nonNil(req.Params), Metadata: nonNil(req.Metadata), State: prev,
		App: req.Context.App, Env: req.Context.Env, EnvType: string(req.Context.EnvType), Namespace: req.Context.Namespace,
		Values: req.Context.Values, Workloads: req.Workloads, secret: req.Secret,
	}
	res := &paved.ResourceResult{}
	var state map[string]any
	if err := d.run(in, "state", dt, &state); err != nil {
		return nil, err
	}
	if state != nil {
		res.State = state
		dt.State = state
	}
	if err := d.run(in, "outputs", dt, &res.Outputs); err != nil {
		return nil, err
	}
	var manifests []map[string]any
	if err := d.run(in, "manifests", dt, &manifests); err != nil {
		return nil, err
	}
	for i, m := range manifests {
		if m == nil {
			continue
		}
		if _, ok := m["kind"].(string); !ok {
			return nil, paved.Errorf(paved.EINVALID, "manifests[%d]: an object without kind; each list item must be a Kubernetes object", i)
		}
		res.Manifests = append(res.Manifests, m)
	}
	return res, nil
}

// run executes one template and decodes its YAML result into out.
func (d *Driver) run(in map[string]any, name string, dt *data, out any) error {
	text, _ := in[name].(string)
	if text == "" {
		return nil
	}
	t, err := d.parse(name, text)
	if err != nil {
		return paved.Errorf(paved.EINVALID, "%s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&limitedWriter{buf: &buf, n: MaxOutput}, dt); err != nil {
		return paved.Errorf(paved.EINVALID, "%s: %s", name, dt.mask(err.Error()))
	}
	// JSON is YAML too, and encoding/json reads it about seven times faster
	// than a YAML parser: templates on hot paths may produce JSON.
	if b := bytes.TrimSpace(buf.Bytes()); len(b) > 0 && (b[0] == '{' || b[0] == '[') && json.Unmarshal(b, out) == nil {
		return nil
	}
	if err := yaml.Unmarshal(buf.Bytes(), out); err != nil {
		return paved.Errorf(paved.EINVALID, "%s: the template did not produce valid YAML (%s):\n%s", name, dt.mask(err.Error()), dt.mask(excerpt(buf.Bytes())))
	}
	return nil
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func excerpt(b []byte) string {
	const n = 600
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

type limitedWriter struct {
	buf *bytes.Buffer
	n   int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.n {
		return 0, fmt.Errorf("the template produced more than %d bytes", w.n)
	}
	return w.buf.Write(p)
}
