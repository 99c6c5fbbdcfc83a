// Package echo is the driver for resources that already exist: it returns
// the outputs written in the definition ("use this existing database").
//
//	driver: echo
//	driver_inputs:
//	  values:  {host: db.internal, port: 5432}
//	  secrets: {password: s3cr3t}
package echo

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"paved.dev/paved"
)

// Driver returns its inputs as outputs.
type Driver struct{}

var (
	_ paved.Driver         = Driver{}
	_ paved.InputValidator = Driver{}
	_ paved.OutputDeclarer = Driver{}
	_ paved.SecretInputer  = Driver{}
)

// SecretInputs names the inputs the platform seals at rest.
func (Driver) SecretInputs() []string { return []string{"secrets"} }

// New returns the echo driver.
func New() Driver { return Driver{} }

// ValidateInputs accepts "values" and "secrets" maps and nothing else.
func (Driver) ValidateInputs(in map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(in)) {
		if k != "values" && k != "secrets" {
			return fmt.Errorf("%s: unknown input; the echo driver takes values and secrets", k)
		}
		if _, ok := in[k].(map[string]any); !ok {
			return fmt.Errorf("%s: must be a mapping of output names to values", k)
		}
	}
	vals, _ := in["values"].(map[string]any)
	secs, _ := in["secrets"].(map[string]any)
	for k := range secs {
		if _, ok := vals[k]; ok {
			return fmt.Errorf("secrets.%s: also given in values; an output is either a value or a secret", k)
		}
	}
	return nil
}

// DeclaredOutputs declares every value and secret, secrets marked.
func (Driver) DeclaredOutputs(in map[string]any) []paved.OutputSpec {
	var out []paved.OutputSpec
	vals, _ := in["values"].(map[string]any)
	secs, _ := in["secrets"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		out = append(out, paved.OutputSpec{Name: k})
	}
	for _, k := range slices.Sorted(maps.Keys(secs)) {
		out = append(out, paved.OutputSpec{Name: k, Secret: true})
	}
	return out
}

// Provision returns the inputs.
func (Driver) Provision(_ context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	out := map[string]any{}
	for _, k := range []string{"values", "secrets"} {
		if m, ok := req.Definition.Inputs[k].(map[string]any); ok {
			maps.Copy(out, m)
		}
	}
	return &paved.ResourceResult{Outputs: out}, nil
}
