package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

// Modes of a run, in the input's "mode" field and in place of a "<mode>"
// argument.
const (
	ModeProvision   = "provision"
	ModeDeprovision = "deprovision"
	ModeCheck       = "check"
)

// Input is the document a program reads on stdin. Its fields are score-k8s'
// provisioners.Input, with the same JSON names; Mode, App, Env and EnvType
// are paved's additions.
type Input struct {
	// Mode is "provision", "deprovision" or "check"; a program runs in the
	// last two only when the definition says it has those modes.
	Mode             string                             `json:"mode"`
	ResourceGUID     string                             `json:"resource_guid"`
	ResourceUID      string                             `json:"resource_uid"`
	ResourceType     string                             `json:"resource_type"`
	ResourceClass    string                             `json:"resource_class"`
	ResourceID       string                             `json:"resource_id"`
	ResourceParams   map[string]any                     `json:"resource_params"`
	ResourceMetadata map[string]any                     `json:"resource_metadata"`
	SourceWorkload   string                             `json:"source_workload"`
	WorkloadMetadata map[string]any                     `json:"workload_metadata"`
	WorkloadServices map[string]scorek8s.NetworkService `json:"workload_services"`
	Namespace        string                             `json:"namespace"`
	ResourceState    map[string]any                     `json:"resource_state"`
	SharedState      map[string]any                     `json:"shared_state"`
	App              string                             `json:"app"`
	Env              string                             `json:"env"`
	EnvType          string                             `json:"env_type"`
}

// Output is the document a program prints on stdout when provisioning; the
// fields are score-k8s' provisioners.ProvisionOutput.
type Output struct {
	ResourceOutputs map[string]any   `json:"resource_outputs"`
	ResourceState   map[string]any   `json:"resource_state"`
	SharedState     map[string]any   `json:"shared_state"`
	Manifests       []map[string]any `json:"manifests"`
}

// newInput is the document for a run on req; state and shared are the
// program's own resource state and the shared state (see splitState).
func newInput(req *paved.ResourceRequest, mode string, state, shared map[string]any) *Input {
	in := &Input{
		Mode:             mode,
		ResourceGUID:     scorek8s.GUID(req.Context, req.UID),
		ResourceUID:      string(req.UID),
		ResourceType:     req.UID.Type(),
		ResourceClass:    req.UID.Class(),
		ResourceID:       req.UID.ID(),
		ResourceParams:   req.Params,
		ResourceMetadata: req.Metadata,
		SourceWorkload:   req.SourceWorkload,
		WorkloadServices: scorek8s.WorkloadServices(req.Workloads),
		Namespace:        req.Context.Namespace,
		ResourceState:    state,
		SharedState:      shared,
		App:              req.Context.App,
		Env:              req.Context.Env,
		EnvType:          string(req.Context.EnvType),
	}
	if req.SourceWorkload != "" {
		in.WorkloadMetadata = req.Workloads[req.SourceWorkload].Metadata
		if in.WorkloadMetadata == nil {
			in.WorkloadMetadata = map[string]any{"name": req.SourceWorkload}
		}
	}
	return in
}

// checkInput is the document for a check run: there is no resource, so every
// field is empty, but every map is an object, so that a program that reads
// one finds it.
func checkInput() *Input {
	return &Input{
		Mode:             ModeCheck,
		ResourceParams:   map[string]any{},
		ResourceMetadata: map[string]any{},
		WorkloadMetadata: map[string]any{},
		WorkloadServices: map[string]scorek8s.NetworkService{},
		ResourceState:    map[string]any{},
		SharedState:      map[string]any{},
	}
}

// decodeOutput reads the program's stdout strictly: one JSON object with
// only the fields of Output.
func decodeOutput(stdout []byte) (*Output, error) {
	if len(bytes.TrimSpace(stdout)) == 0 {
		return nil, errors.New("stdout is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(stdout))
	dec.DisallowUnknownFields()
	var out Output
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	// score-k8s ignores what follows the object; paved refuses it, as it is
	// most often a log line printed on stdout by mistake, which would be lost.
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("something follows the JSON object on stdout (print logs on stderr)")
	}
	return &out, nil
}
