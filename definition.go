package paved

// ResourceDefinition tells how resources of one type (and class) are provided
// in the environments its criteria match. Platform engineers own them.
type ResourceDefinition struct {
	ID          string         `json:"id" yaml:"id"`
	Description string         `json:"description,omitempty" yaml:"description,omitempty"`
	Type        string         `json:"type" yaml:"type"`
	Driver      string         `json:"driver" yaml:"driver"`
	Inputs      map[string]any `json:"driver_inputs,omitempty" yaml:"driver_inputs,omitempty"`
	Criteria    []Criteria     `json:"criteria,omitempty" yaml:"criteria,omitempty"`
	Outputs     []OutputSpec   `json:"outputs,omitempty" yaml:"outputs,omitempty"`
	// Version counts changes; the store keeps every version.
	Version int `json:"version,omitempty" yaml:"-"`
}

// Criteria is one set of conditions under which a definition applies. Every
// field that is set must match; a field left empty matches anything.
type Criteria struct {
	Class   string `json:"class,omitempty" yaml:"class,omitempty"`
	ResID   string `json:"res_id,omitempty" yaml:"res_id,omitempty"`
	EnvType string `json:"env_type,omitempty" yaml:"env_type,omitempty"`
	Env     string `json:"env,omitempty" yaml:"env,omitempty"`
	App     string `json:"app,omitempty" yaml:"app,omitempty"`
}

// OutputSpec declares one output of a definition.
type OutputSpec struct {
	Name        string `json:"name" yaml:"name"`
	Secret      bool   `json:"secret,omitempty" yaml:"secret,omitempty"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

// AnyOutput declares outputs whose names are not known in advance (the
// values of an "environment" resource): an OutputSpec named "*" covers every
// name not declared on its own.
const AnyOutput = "*"

// Output returns the declared output called name, if any.
func (d *ResourceDefinition) Output(name string) (OutputSpec, bool) {
	var wildcard *OutputSpec
	for i, o := range d.Outputs {
		if o.Name == name {
			return o, true
		}
		if o.Name == AnyOutput {
			wildcard = &d.Outputs[i]
		}
	}
	if wildcard != nil {
		return OutputSpec{Name: name, Secret: wildcard.Secret}, true
	}
	return OutputSpec{}, false
}
