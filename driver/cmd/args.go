package cmd

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"paved.dev/paved/scorek8s"
)

// modeArg is replaced by the mode in every argument, as in score-k8s (which
// replaces only an argument that is exactly "<mode>").
const modeArg = "<mode>"

// noValue is what text/template prints for a map key that is not set.
const noValue = "<no value>"

// templateData is what an argument template sees when template_args is on.
// The names are those score-k8s gives its template:// provisioners' templates
// (there is no Init: a cmd provisioner has no init template), so that a
// template moved from one to the other reads the same fields; Mode, App, Env
// and EnvType are paved's additions.
type templateData struct {
	Guid             string
	Uid              string
	Type             string
	Class            string
	Id               string
	Params           map[string]any
	Metadata         map[string]any
	State            map[string]any
	Shared           map[string]any
	SourceWorkload   string
	WorkloadMetadata map[string]any
	WorkloadServices map[string]scorek8s.NetworkService
	Namespace        string

	Mode    string
	App     string
	Env     string
	EnvType string
}

func newTemplateData(in *Input) *templateData {
	return &templateData{
		Guid: in.ResourceGUID, Uid: in.ResourceUID, Type: in.ResourceType, Class: in.ResourceClass, Id: in.ResourceID,
		Params: in.ResourceParams, Metadata: in.ResourceMetadata, State: in.ResourceState, Shared: in.SharedState,
		SourceWorkload: in.SourceWorkload, WorkloadMetadata: in.WorkloadMetadata, WorkloadServices: in.WorkloadServices,
		Namespace: in.Namespace, Mode: in.Mode, App: in.App, Env: in.Env, EnvType: in.EnvType,
	}
}

// parseArgTemplate parses one argument as a template. Only text/template's
// own functions exist: sprig's (default, quote, b64enc, upper, ...) and
// score-k8s' encodeSecretRef are not there.
func parseArgTemplate(a arg) (*template.Template, error) {
	t, err := template.New(a.where).Parse(a.text)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid template (template_args is on): %v", a.where, err)
	}
	return t, nil
}

// renderArgs gives the arguments of one run: "<mode>" replaced by the mode
// and, with template_args, each rendered with data. Errors name the argument
// but never quote what it rendered to, which may hold state or parameters.
func renderArgs(args []arg, mode string, templated bool, data *templateData) ([]string, error) {
	out := make([]string, len(args))
	for i, a := range args {
		a.text = strings.ReplaceAll(a.text, modeArg, mode)
		if !templated {
			out[i] = a.text
			continue
		}
		t, err := parseArgTemplate(a)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return nil, fmt.Errorf("%s: %v", a.where, err)
		}
		// A missing map key prints "<no value>": passing that to a program
		// is never what the definition meant. Not Option("missingkey=error"):
		// it refuses the key in {{with .State.count}} and {{if ...}} too,
		// the guards definitions are told to use.
		if strings.Contains(b.String(), noValue) {
			return nil, fmt.Errorf("%s reads a value that is not set (it rendered %q): guard it with {{with}} or {{if}}", a.where, noValue)
		}
		out[i] = b.String()
	}
	return out, nil
}
