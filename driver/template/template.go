// Package template is the driver that provides resources from Go templates:
// a definition's driver inputs hold an "init" template (working values), a
// "state" template (values to remember, such as generated names), a "shared"
// template (a merge patch of the shared state), an "outputs" template (a YAML
// mapping) and a "manifests" template (a YAML list of Kubernetes objects),
// run in that order. The templates see the resource (uid, type, class, id,
// params, metadata), where it goes (app, environment, namespace), its earlier
// state and the deployment's workloads with their service ports, under
// paved's names and under those score-k8s gives its template://
// provisioners, so that a provisioner file runs unchanged (see
// docs/score-k8s-compatibility.md). Functions are sprig's plus paved's own.
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
	"paved.dev/paved/scorek8s"
)

// Templates are the template inputs, in the order they run.
var Templates = []string{"init", "state", "shared", "outputs", "manifests"}

// Inputs are the driver inputs the template driver reads: the templates, and
// what a definition translated from a score-k8s provisioner file carries
// (see scorek8s.Translate): its uri, the file it came from and its
// supported_params.
var Inputs = append(slices.Clone(Templates), "uri", "source", "supported_params")

// MaxOutput bounds what one template may produce.
const MaxOutput = 1 << 20

// Driver renders definitions' templates. Parsed templates are cached by
// their text, so a definition is parsed once however many resources use it.
type Driver struct {
	cache sync.Map // cacheKey → *template.Template
	funcs template.FuncMap
	// signatures are the functions as templates run them (the seeded
	// random ones as bound to a run), to check the calls' arguments.
	signatures template.FuncMap
}

type cacheKey struct {
	text string
	// zero: a missing map key gives the zero value, as in score-k8s,
	// instead of an error.
	zero bool
}

var (
	_ paved.Driver         = (*Driver)(nil)
	_ paved.InputValidator = (*Driver)(nil)
)

// New returns a template driver.
func New() *Driver {
	sig := baseFuncs()
	for k, v := range (&data{}).seededFuncs() {
		sig[k] = v
	}
	return &Driver{funcs: baseFuncs(), signatures: sig}
}

// ValidateInputs parses every template and checks the number of arguments
// of every function call (scorek8s.CheckCalls), so that a broken one is
// refused when the definition is loaded, not on first use.
func (d *Driver) ValidateInputs(in map[string]any) error {
	prov := provenance(in)
	for _, k := range slices.Sorted(maps.Keys(in)) {
		if !slices.Contains(Inputs, k) {
			return fmt.Errorf("%s%s: unknown input; the template driver takes %s", prov, k, strings.Join(Inputs, ", "))
		}
		if k == "supported_params" {
			if _, err := supportedParams(in); err != nil {
				return fmt.Errorf("%s%w", prov, err)
			}
			continue
		}
		s, ok := in[k].(string)
		if !ok {
			return fmt.Errorf("%s%s: must be a string (for a template, use a YAML block scalar: %s: |)", prov, k, k)
		}
		if !slices.Contains(Templates, k) {
			continue
		}
		if _, err := d.parse(k, s, isScoreK8s(in)); err != nil {
			return fmt.Errorf("%s%s: %w", prov, k, err)
		}
	}
	return nil
}

// isScoreK8s says whether the definition is a score-k8s provisioner, run
// with score-k8s' semantics: a missing map key is the zero value, the state
// template's result is the whole new state.
func isScoreK8s(in map[string]any) bool {
	uri, _ := in["uri"].(string)
	return uri != ""
}

// provenance names the provisioner a definition came from, for errors:
// "template://x (from f.provisioners.yaml): ".
func provenance(in map[string]any) string {
	uri, _ := in["uri"].(string)
	if uri == "" {
		return ""
	}
	if src, _ := in["source"].(string); src != "" {
		return fmt.Sprintf("%s (%s): ", uri, src)
	}
	return uri + ": "
}

func supportedParams(in map[string]any) ([]string, error) {
	raw, ok := in["supported_params"]
	if !ok || raw == nil {
		return nil, nil
	}
	var out []string
	switch t := raw.(type) {
	case []string:
		return t, nil
	case []any:
		for i, v := range t {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("supported_params[%d]: must be a string", i)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("supported_params: must be a list of parameter names")
}

func (d *Driver) parse(name, text string, zero bool) (*template.Template, error) {
	key := cacheKey{text: text, zero: zero}
	if t, ok := d.cache.Load(key); ok {
		return t.(*template.Template), nil
	}
	t := template.New(name).Funcs(d.funcs)
	if !zero {
		t = t.Option("missingkey=error")
	}
	t, err := t.Parse(text)
	if err != nil {
		return nil, err
	}
	if err := scorek8s.CheckCalls(t, d.signatures); err != nil {
		return nil, err
	}
	d.cache.Store(key, t)
	return t, nil
}

// data is what the templates see: paved's names (UID, ID, Workloads,
// $.Workload, $.Secret...) and score-k8s' (Uid, Id, Guid, Init, Shared,
// WorkloadServices, WorkloadMetadata).
type data struct {
	UID, Type, Class, ID, Name, SourceWorkload string
	Uid, Id, Guid                              string
	Params, Metadata                           map[string]any
	// Init is what the init template produced.
	Init map[string]any
	// State is the earlier state while "state" runs, and the new one after.
	State map[string]any
	// Shared is the shared state (as last returned for this resource; see
	// scorek8s.SharedStateKey), patched by "shared" once it ran.
	Shared                       map[string]any
	App, Env, EnvType, Namespace string
	Values                       map[string]string
	Workloads                    map[string]paved.WorkloadInfo
	WorkloadServices             map[string]scorek8s.NetworkService
	WorkloadMetadata             map[string]any
	secret                       func(string, int) string
	// calls counts the seeded random functions' calls of this run.
	calls int
	// secrets are the values Secret and the random functions returned,
	// masked in errors.
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

// mask hides the secrets this run generated, for error messages (values
// too short to be secrets, such as one random letter, are left).
func (d *data) mask(s string) string {
	for _, v := range d.secrets {
		if len(v) >= 6 {
			s = strings.ReplaceAll(s, v, "(secret)")
		}
	}
	return s
}

// Provision runs the templates in order: init, state, shared, outputs,
// manifests.
func (d *Driver) Provision(_ context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	in := req.Definition.Inputs
	sk := isScoreK8s(in)
	prov := provenance(in)
	own, shared := scorek8s.SplitState(req.State)
	dt := &data{
		UID: string(req.UID), Type: req.UID.Type(), Class: req.UID.Class(), ID: req.UID.ID(),
		Uid: string(req.UID), Id: req.UID.ID(), Guid: scorek8s.GUID(req.Context, req.UID),
		Name: req.Name, SourceWorkload: req.SourceWorkload,
		Params: nonNil(req.Params), Metadata: nonNil(req.Metadata), State: own, Shared: shared, Init: map[string]any{},
		App: req.Context.App, Env: req.Context.Env, EnvType: string(req.Context.EnvType), Namespace: req.Context.Namespace,
		Values: req.Context.Values, Workloads: req.Workloads, WorkloadServices: scorek8s.WorkloadServices(req.Workloads),
		WorkloadMetadata: nonNil(req.Workloads[req.SourceWorkload].Metadata), secret: req.Secret,
	}
	if err := d.checkParams(in, req); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s%v", prov, err)
	}
	run := func(name string, out any) error {
		if err := d.run(in, name, dt, sk, out); err != nil {
			return &paved.Error{Code: paved.ErrorCode(err), Message: prov + paved.ErrorMessage(err), Err: err}
		}
		return nil
	}
	var init map[string]any
	if err := run("init", &init); err != nil {
		return nil, err
	}
	if init != nil {
		dt.Init = init
	}
	res := &paved.ResourceResult{}
	var state map[string]any
	if err := run("state", &state); err != nil {
		return nil, err
	}
	switch {
	case state != nil:
		dt.State = state
	case sk:
		// score-k8s: the state is always what the state template gave.
		dt.State = map[string]any{}
	}
	var patch map[string]any
	if err := run("shared", &patch); err != nil {
		return nil, err
	}
	dt.Shared = scorek8s.MergePatch(dt.Shared, patch)
	var outputs map[string]any
	if err := run("outputs", &outputs); err != nil {
		return nil, err
	}
	var manifests []map[string]any
	if err := run("manifests", &manifests); err != nil {
		return nil, err
	}
	for i, m := range manifests {
		if m == nil {
			continue
		}
		if _, ok := m["kind"].(string); !ok {
			return nil, paved.Errorf(paved.EINVALID, "%smanifests[%d]: an object without kind; each list item must be a Kubernetes object", prov, i)
		}
		res.Manifests = append(res.Manifests, m)
	}
	who := "template"
	if prov != "" {
		who = strings.TrimSuffix(prov, ": ")
	}
	outputs, err := scorek8s.ResolveSecretRefs(who, outputs, res.Manifests, req.Definition)
	if err != nil {
		return nil, err
	}
	if len(outputs) > 0 {
		res.Outputs = outputs
	}
	if state != nil || sk || len(dt.Shared) > 0 || len(shared) > 0 {
		st, err := scorek8s.JoinState(dt.State, dt.Shared)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "%sstate: %v", prov, err)
		}
		res.State = st
	}
	return res, nil
}

// checkParams tells the deployment's log of params the provisioner does not
// list in its supported_params (score-k8s lists them without checking, so
// they are not refused).
func (d *Driver) checkParams(in map[string]any, req *paved.ResourceRequest) error {
	sp, err := supportedParams(in)
	if err != nil || sp == nil || req.Log == nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(req.Params)) {
		if !slices.Contains(sp, k) {
			req.Log(fmt.Sprintf("param %q is not among the provisioner's supported_params (%s)", k, strings.Join(sp, ", ")))
		}
	}
	return nil
}

// run executes one template and decodes its YAML result into out.
func (d *Driver) run(in map[string]any, name string, dt *data, zero bool, out any) error {
	text, _ := in[name].(string)
	if strings.TrimSpace(text) == "" {
		return nil
	}
	t, err := d.parse(name, text, zero)
	if err != nil {
		return paved.Errorf(paved.EINVALID, "%s: %w", name, err)
	}
	if usesSeeded(text) {
		// The random functions are bound to this run's seed.
		if t, err = t.Clone(); err != nil {
			return paved.Errorf(paved.EINTERNAL, "%s: %w", name, err)
		}
		t.Funcs(dt.seededFuncs())
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

func usesSeeded(text string) bool {
	for name := range seededNames {
		if strings.Contains(text, name) {
			return true
		}
	}
	return false
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
